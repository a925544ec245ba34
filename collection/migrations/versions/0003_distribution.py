"""Distribution: programmes, title lists, orders, deliveries, allocation, parcels, library
status history, and the libraries' delivery point (carrier and branch).

Revision ID: 0003_distribution
Revises: 0002_catalogue
Create Date: 2026-11-22 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_distribution"
down_revision = "0002_catalogue"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
TABLES = (
    "parcel_lines",
    "orders",
    "delivery_lines",
    "allocation_lines",
    "programme_titles",
    "parcels",
    "library_status_changes",
    "deliveries",
    "programmes",
)


def upgrade() -> None:
    with op.batch_alter_table("libraries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("carrier", sa.String(length=32), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("carrier_branch", sa.String(length=32), nullable=False, server_default="")
        )
    with op.batch_alter_table("libraries", schema=None) as batch_op:
        batch_op.alter_column("carrier", server_default=None)
        batch_op.alter_column("carrier_branch", server_default=None)
    op.create_table(
        "programmes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("surplus_destination", sa.String(length=16), nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.CheckConstraint("kind IN ('state', 'exchange', 'gift')", name=op.f("ck_programmes_kind")),
        sa.CheckConstraint(
            "state IN ('collecting', 'delivering', 'allocating', 'dispatching', 'closed')",
            name=op.f("ck_programmes_state"),
        ),
        sa.CheckConstraint(
            "surplus_destination IS NULL OR surplus_destination IN ('own_fund', 'exchange_fund')",
            name=op.f("ck_programmes_surplus_destination"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programmes")),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("supplier", sa.String(length=255), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_deliveries_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("programme_id", "number", name=op.f("uq_deliveries_programme_id_number")),
    )
    op.create_table(
        "library_status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("library_id", sa.Integer(), nullable=False),
        sa.Column("old_status", sa.String(length=16), nullable=True),
        sa.Column("new_status", sa.String(length=16), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("note", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["library_id"],
            ["libraries.id"],
            name=op.f("fk_library_status_changes_library_id_libraries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_status_changes")),
    )
    op.create_index(
        "ix_library_status_changes_library_id", "library_status_changes", ["library_id"], unique=False
    )
    op.create_table(
        "parcels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("library_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Numeric(precision=8, scale=3), nullable=False),
        sa.Column("copies", sa.Integer(), nullable=False),
        sa.Column("oversize", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.CheckConstraint(
            "state IN ('planned', 'packed', 'dispatched', 'delivered', 'confirmed', 'discrepancy')",
            name=op.f("ck_parcels_state"),
        ),
        sa.ForeignKeyConstraint(
            ["library_id"], ["libraries.id"], name=op.f("fk_parcels_library_id_libraries")
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_parcels_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parcels")),
        sa.UniqueConstraint(
            "programme_id", "library_id", "number", name=op.f("uq_parcels_programme_id_library_id_number")
        ),
    )
    op.create_table(
        "programme_titles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("isbn", sa.String(length=13), nullable=True),
        sa.Column("title", sa.String(length=1000), nullable=False),
        sa.Column("author", sa.String(length=255), nullable=False),
        sa.Column("publisher", sa.String(length=255), nullable=False),
        sa.Column("year", sa.String(length=8), nullable=False),
        sa.Column("price", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("copy_weight", sa.Numeric(precision=8, scale=3), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["edition_id"], ["editions.id"], name=op.f("fk_programme_titles_edition_id_editions")
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_programme_titles_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_titles")),
        sa.UniqueConstraint(
            "programme_id", "edition_id", name=op.f("uq_programme_titles_programme_id_edition_id")
        ),
    )
    op.create_index("ix_programme_titles_isbn", "programme_titles", ["isbn"], unique=False)
    op.create_table(
        "allocation_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("library_id", sa.Integer(), nullable=False),
        sa.Column("title_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("adjusted_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_allocation_lines_quantity")),
        sa.ForeignKeyConstraint(
            ["library_id"], ["libraries.id"], name=op.f("fk_allocation_lines_library_id_libraries")
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_allocation_lines_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["title_id"],
            ["programme_titles.id"],
            name=op.f("fk_allocation_lines_title_id_programme_titles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocation_lines")),
        sa.UniqueConstraint(
            "programme_id",
            "library_id",
            "title_id",
            name=op.f("uq_allocation_lines_programme_id_library_id_title_id"),
        ),
    )
    op.create_index("ix_allocation_lines_title_id", "allocation_lines", ["title_id"], unique=False)
    op.create_table(
        "delivery_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("title_id", sa.Integer(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("damaged", sa.Integer(), nullable=False),
        sa.Column("wrong_title", sa.Integer(), nullable=False),
        sa.CheckConstraint("damaged <= received", name=op.f("ck_delivery_lines_damaged")),
        sa.CheckConstraint(
            "received >= 0 AND damaged >= 0 AND wrong_title >= 0", name=op.f("ck_delivery_lines_quantities")
        ),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name=op.f("fk_delivery_lines_delivery_id_deliveries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["title_id"],
            ["programme_titles.id"],
            name=op.f("fk_delivery_lines_title_id_programme_titles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_lines")),
    )
    op.create_index("ix_delivery_lines_delivery_id", "delivery_lines", ["delivery_id"], unique=False)
    op.create_index("ix_delivery_lines_title_id", "delivery_lines", ["title_id"], unique=False)
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("library_id", sa.Integer(), nullable=False),
        sa.Column("title_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("source_file", sa.String(length=255), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=True),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_orders_quantity")),
        sa.ForeignKeyConstraint(
            ["library_id"], ["libraries.id"], name=op.f("fk_orders_library_id_libraries")
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_orders_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["title_id"],
            ["programme_titles.id"],
            name=op.f("fk_orders_title_id_programme_titles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint(
            "programme_id", "library_id", "title_id", name=op.f("uq_orders_programme_id_library_id_title_id")
        ),
    )
    op.create_index("ix_orders_library_id", "orders", ["library_id"], unique=False)
    op.create_index("ix_orders_title_id", "orders", ["title_id"], unique=False)
    op.create_table(
        "parcel_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parcel_id", sa.Integer(), nullable=False),
        sa.Column("title_id", sa.Integer(), nullable=False),
        sa.Column("copies", sa.Integer(), nullable=False),
        sa.CheckConstraint("copies > 0", name=op.f("ck_parcel_lines_copies")),
        sa.ForeignKeyConstraint(
            ["parcel_id"], ["parcels.id"], name=op.f("fk_parcel_lines_parcel_id_parcels"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["title_id"],
            ["programme_titles.id"],
            name=op.f("fk_parcel_lines_title_id_programme_titles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parcel_lines")),
    )
    op.create_index("ix_parcel_lines_parcel_id", "parcel_lines", ["parcel_id"], unique=False)


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
    with op.batch_alter_table("libraries", schema=None) as batch_op:
        batch_op.drop_column("carrier_branch")
        batch_op.drop_column("carrier")
