"""Dispatch: shipments with their lines (as sent) and the receiving libraries' discrepancies;
parcels belong to a shipment and carry a tracking number; programmes number their shipments.

Revision ID: 0004_dispatch
Revises: 0003_distribution
Create Date: 2026-11-22 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_dispatch"
down_revision = "0003_distribution"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
MONEY = sa.Numeric(precision=14, scale=2)


def upgrade() -> None:
    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shipment_seq", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.alter_column("shipment_seq", server_default=None)
    op.create_table(
        "shipments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("library_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("carrier", sa.String(length=32), nullable=False),
        sa.Column("tracking_number", sa.String(length=64), nullable=False),
        sa.Column("dispatched_on", sa.Date(), nullable=True),
        sa.Column("delivered_on", sa.Date(), nullable=True),
        sa.Column("accepted_on", sa.Date(), nullable=True),
        sa.Column("acceptance_number", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("packed_by", sa.String(length=64), nullable=False),
        sa.Column("dispatched_by", sa.String(length=64), nullable=False),
        sa.Column("accepted_by", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.CheckConstraint("kind IN ('shipment', 'correction')", name=op.f("ck_shipments_kind")),
        sa.CheckConstraint(
            "state IN ('planned', 'packed', 'dispatched', 'delivered', 'confirmed', 'discrepancy')",
            name=op.f("ck_shipments_state"),
        ),
        sa.ForeignKeyConstraint(
            ["corrects_id"], ["shipments.id"], name=op.f("fk_shipments_corrects_id_shipments")
        ),
        sa.ForeignKeyConstraint(
            ["library_id"], ["libraries.id"], name=op.f("fk_shipments_library_id_libraries")
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_shipments_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
        sa.UniqueConstraint("number", name=op.f("uq_shipments_number")),
    )
    op.create_index("ix_shipments_programme_id", "shipments", ["programme_id"], unique=False)
    op.create_index("ix_shipments_library_id", "shipments", ["library_id"], unique=False)
    op.create_table(
        "shipment_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("title_id", sa.Integer(), nullable=False),
        sa.Column("copies", sa.Integer(), nullable=False),
        sa.Column("isbn", sa.String(length=13), nullable=False),
        sa.Column("title", sa.String(length=1000), nullable=False),
        sa.Column("author", sa.String(length=255), nullable=False),
        sa.Column("price", MONEY, nullable=True),
        sa.CheckConstraint("copies <> 0", name=op.f("ck_shipment_lines_copies")),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_shipment_lines_shipment_id_shipments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["title_id"],
            ["programme_titles.id"],
            name=op.f("fk_shipment_lines_title_id_programme_titles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment_lines")),
        sa.UniqueConstraint("shipment_id", "title_id", name=op.f("uq_shipment_lines_shipment_id_title_id")),
    )
    op.create_index("ix_shipment_lines_title_id", "shipment_lines", ["title_id"], unique=False)
    op.create_table(
        "shipment_discrepancies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("title_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("reopened", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=255), nullable=False),
        sa.Column("reported_by", sa.String(length=64), nullable=False),
        sa.Column("reported_at", TS, nullable=False),
        sa.CheckConstraint(
            "kind IN ('shortage', 'surplus', 'damaged', 'wrong_title')",
            name=op.f("ck_shipment_discrepancies_kind"),
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_shipment_discrepancies_quantity")),
        sa.CheckConstraint("reopened >= 0", name=op.f("ck_shipment_discrepancies_reopened")),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_shipment_discrepancies_shipment_id_shipments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["title_id"],
            ["programme_titles.id"],
            name=op.f("fk_shipment_discrepancies_title_id_programme_titles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment_discrepancies")),
    )
    op.create_index(
        "ix_shipment_discrepancies_shipment_id", "shipment_discrepancies", ["shipment_id"], unique=False
    )
    with op.batch_alter_table("parcels", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shipment_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("tracking_number", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_parcels_shipment_id_shipments"), "shipments", ["shipment_id"], ["id"],
            ondelete="CASCADE",
        )  # fmt: skip
        batch_op.create_index("ix_parcels_shipment_id", ["shipment_id"], unique=False)
    with op.batch_alter_table("parcels", schema=None) as batch_op:
        batch_op.alter_column("tracking_number", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("parcels", schema=None) as batch_op:
        batch_op.drop_index("ix_parcels_shipment_id")
        batch_op.drop_constraint(batch_op.f("fk_parcels_shipment_id_shipments"), type_="foreignkey")
        batch_op.drop_column("tracking_number")
        batch_op.drop_column("shipment_id")
    op.drop_index("ix_shipment_discrepancies_shipment_id", table_name="shipment_discrepancies")
    op.drop_table("shipment_discrepancies")
    op.drop_index("ix_shipment_lines_title_id", table_name="shipment_lines")
    op.drop_table("shipment_lines")
    op.drop_index("ix_shipments_library_id", table_name="shipments")
    op.drop_index("ix_shipments_programme_id", table_name="shipments")
    op.drop_table("shipments")
    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.drop_column("shipment_seq")
