"""Exchange fund: offer lines per programme title and the fund copies reserved for them.

Revision ID: 0004_exchange
Revises: 0003_distribution
Create Date: 2026-11-24 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_exchange"
down_revision = "0003_distribution"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
RESERVED = sa.text("state = 'reserved'")


def upgrade() -> None:
    op.create_table(
        "exchange_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("title_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("source_file", sa.String(length=255), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=True),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_exchange_offers_quantity")),
        sa.CheckConstraint(
            "source IN ('duplicates', 'gift', 'file')", name=op.f("ck_exchange_offers_source")
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_exchange_offers_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["title_id"],
            ["programme_titles.id"],
            name=op.f("fk_exchange_offers_title_id_programme_titles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_offers")),
        sa.UniqueConstraint("title_id", "source", name=op.f("uq_exchange_offers_title_id_source")),
    )
    op.create_index("ix_exchange_offers_programme_id", "exchange_offers", ["programme_id"], unique=False)
    op.create_table(
        "exchange_reservations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("copy_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.CheckConstraint(
            "state IN ('reserved', 'dispatched', 'released')", name=op.f("ck_exchange_reservations_state")
        ),
        sa.ForeignKeyConstraint(
            ["copy_id"], ["copies.id"], name=op.f("fk_exchange_reservations_copy_id_copies")
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["exchange_offers.id"],
            name=op.f("fk_exchange_reservations_offer_id_exchange_offers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_reservations")),
    )
    op.create_index(
        "ix_exchange_reservations_offer_id", "exchange_reservations", ["offer_id"], unique=False
    )
    op.create_index("ix_exchange_reservations_copy_id", "exchange_reservations", ["copy_id"], unique=False)
    op.create_index(
        "uq_exchange_reservations_reserved_copy",
        "exchange_reservations",
        ["copy_id"],
        unique=True,
        sqlite_where=RESERVED,
        postgresql_where=RESERVED,
    )


def downgrade() -> None:
    op.drop_table("exchange_reservations")
    op.drop_table("exchange_offers")
