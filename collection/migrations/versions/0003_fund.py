"""Fund accounting: inventory-number order and КСО breakdowns on copies, issued numbers by
series, the numbering scheme, stocktaking sessions and their finds.

Revision ID: 0003_fund
Revises: 0002_catalogue
Create Date: 2026-11-22 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_fund"
down_revision = "0002_catalogue"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("copies", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("inventory_series", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("inventory_seq", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("doc_type", sa.String(length=16), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("content_branch", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=False, server_default=""))
        batch_op.create_index(
            "ix_copies_inventory_order",
            ["inventory_series", "inventory_seq", "inventory_number"],
            unique=False,
        )
        batch_op.create_index("ix_copies_location", ["location"], unique=False)
    with op.batch_alter_table("copies", schema=None) as batch_op:
        for name in ("inventory_series", "doc_type", "content_branch", "language"):
            batch_op.alter_column(name, server_default=None)

    with op.batch_alter_table("used_inventory_numbers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("series", sa.String(length=64), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch_op.create_index("ix_used_inventory_numbers_series_seq", ["series", "seq"], unique=False)
    with op.batch_alter_table("used_inventory_numbers", schema=None) as batch_op:
        batch_op.alter_column("series", server_default=None)

    op.create_table(
        "inventory_scheme",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("prefix", sa.String(length=32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("with_year", sa.Boolean(), nullable=False),
        sa.Column("separator", sa.String(length=4), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_scheme")),
    )
    op.create_table(
        "stocktakes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=False),
        sa.Column("opened_at", TS, nullable=False),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.Column("closed_at", TS, nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=False),
        sa.Column("act_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("state IN ('open', 'closed')", name=op.f("ck_stocktakes_state")),
        sa.ForeignKeyConstraint(
            ["act_id"], ["withdrawal_acts.id"], name=op.f("fk_stocktakes_act_id_withdrawal_acts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stocktakes")),
    )
    op.create_table(
        "stocktake_finds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stocktake_id", sa.Integer(), nullable=False),
        sa.Column("entered", sa.String(length=64), nullable=False),
        sa.Column("copy_id", sa.Integer(), nullable=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["copy_id"], ["copies.id"], name=op.f("fk_stocktake_finds_copy_id_copies")),
        sa.ForeignKeyConstraint(
            ["stocktake_id"],
            ["stocktakes.id"],
            name=op.f("fk_stocktake_finds_stocktake_id_stocktakes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stocktake_finds")),
        sa.UniqueConstraint("stocktake_id", "entered", name=op.f("uq_stocktake_finds_stocktake_id_entered")),
    )
    with op.batch_alter_table("stocktake_finds", schema=None) as batch_op:
        batch_op.create_index("ix_stocktake_finds_copy_id", ["copy_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stocktake_finds", schema=None) as batch_op:
        batch_op.drop_index("ix_stocktake_finds_copy_id")
    op.drop_table("stocktake_finds")
    op.drop_table("stocktakes")
    op.drop_table("inventory_scheme")
    with op.batch_alter_table("used_inventory_numbers", schema=None) as batch_op:
        batch_op.drop_index("ix_used_inventory_numbers_series_seq")
        batch_op.drop_column("seq")
        batch_op.drop_column("series")
    with op.batch_alter_table("copies", schema=None) as batch_op:
        batch_op.drop_index("ix_copies_location")
        batch_op.drop_index("ix_copies_inventory_order")
        for name in ("language", "content_branch", "doc_type", "inventory_seq", "inventory_series"):
            batch_op.drop_column(name)
