"""Import jobs keep the readers' warnings: the first hundred per job, and how many there were.

Revision ID: 0008_import_warnings
Revises: 0003_import
Create Date: 2026-12-02 07:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_import_warnings"
down_revision = "0003_import"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("import_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("warnings", sa.JSON(), nullable=False,
                                      server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column("warning_count", sa.Integer(), nullable=False,
                                      server_default=sa.text("0")))


def downgrade() -> None:
    with op.batch_alter_table("import_jobs", schema=None) as batch_op:
        batch_op.drop_column("warning_count")
        batch_op.drop_column("warnings")
