"""Copies of a reported shortage written off as lost in transit.

Revision ID: 0006_lost_in_transit
Revises: 0005_own_fund
Create Date: 2026-11-22 03:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_lost_in_transit"
down_revision = "0005_own_fund"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("shipment_discrepancies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("written_off", sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_check_constraint(
            "written_off", "written_off >= 0 AND written_off <= reopened"
        )
    with op.batch_alter_table("shipment_discrepancies", schema=None) as batch_op:
        batch_op.alter_column("written_off", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("shipment_discrepancies", schema=None) as batch_op:
        batch_op.drop_constraint("ck_shipment_discrepancies_written_off", type_="check")
        batch_op.drop_column("written_off")
