"""Imports keep a cataloguer's work: editions edited locally, and an "imported" event kind.

``editions.edited_locally_at`` marks a record edited in komplekt, so a re-import of its source
record becomes an alternative instead of overwriting it. Cataloguing events gain the kind
"imported" (records taken from files, counted apart from the department's plan).

Existing data is left as it is: events that imports recorded as "created" or "edited" before
this revision keep their kind (nothing tells them apart from hand cataloguing reliably), and
no edition is marked as edited locally until it is edited again.

Revision ID: 0007_imports_keep_local_edits
Revises: 0006_lost_in_transit
Create Date: 2026-12-02 07:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_imports_keep_local_edits"
down_revision = "0006_lost_in_transit"
branch_labels = None
depends_on = None

_OLD_KINDS = "kind IN ('created', 'classified', 'subject_indexed', 'analytic', 'edited')"
_NEW_KINDS = "kind IN ('created', 'classified', 'subject_indexed', 'analytic', 'edited', 'imported')"


def upgrade() -> None:
    with op.batch_alter_table("editions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("edited_locally_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("cataloguing_events", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_cataloguing_events_kind"), type_="check")
        batch_op.create_check_constraint("kind", _NEW_KINDS)


def downgrade() -> None:
    op.execute("DELETE FROM cataloguing_events WHERE kind = 'imported'")
    with op.batch_alter_table("cataloguing_events", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_cataloguing_events_kind"), type_="check")
        batch_op.create_check_constraint("kind", _OLD_KINDS)
    with op.batch_alter_table("editions", schema=None) as batch_op:
        batch_op.drop_column("edited_locally_at")
