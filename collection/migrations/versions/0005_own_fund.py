"""The regional library's own share of a programme taken into its fund: what was taken, by receipt.

Revision ID: 0005_own_fund
Revises: 0004_dispatch
Create Date: 2026-11-22 02:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_own_fund"
down_revision = "0004_dispatch"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "programme_fund_transfers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("title_id", sa.Integer(), nullable=False),
        sa.Column("receipt_id", sa.Integer(), nullable=False),
        sa.Column("copies", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("copies > 0", name=op.f("ck_programme_fund_transfers_copies")),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programmes.id"],
            name=op.f("fk_programme_fund_transfers_programme_id_programmes"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["receipt_id"], ["receipts.id"], name=op.f("fk_programme_fund_transfers_receipt_id_receipts")
        ),
        sa.ForeignKeyConstraint(
            ["title_id"], ["programme_titles.id"],
            name=op.f("fk_programme_fund_transfers_title_id_programme_titles"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_fund_transfers")),
    )  # fmt: skip
    op.create_index(
        "ix_programme_fund_transfers_programme_id", "programme_fund_transfers", ["programme_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_programme_fund_transfers_programme_id", table_name="programme_fund_transfers")
    op.drop_table("programme_fund_transfers")
