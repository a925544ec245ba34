"""Catalogue and fund core: editions, their ISBNs, copies, receipts, withdrawal acts,
issued inventory numbers and cataloguing events.

Revision ID: 0002_catalogue
Revises: 0001_platform
Create Date: 2026-11-21 23:32:24.390780
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_catalogue"
down_revision = "0001_platform"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "editions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("control_number", sa.String(length=64), nullable=True),
        sa.Column("flavour", sa.String(length=16), nullable=False),
        sa.Column("marc", sa.JSON(), nullable=False),
        sa.Column("record_hash", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=1000), nullable=False),
        sa.Column("authors", sa.String(length=1000), nullable=False),
        sa.Column("publisher", sa.String(length=255), nullable=False),
        sa.Column("year", sa.String(length=8), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("isbn", sa.String(length=13), nullable=True),
        sa.Column("title_key", sa.String(length=255), nullable=False),
        sa.Column("udc", sa.String(length=255), nullable=False),
        sa.Column("bbk", sa.String(length=255), nullable=False),
        sa.Column("doc_type", sa.String(length=16), nullable=False),
        sa.Column("content_branch", sa.String(length=64), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.CheckConstraint(
            "doc_type IN ('book', 'serial', 'analytic', 'audiovisual', 'electronic', 'cartographic', 'music', 'other')",
            name=op.f("ck_editions_doc_type"),
        ),
        sa.CheckConstraint("flavour IN ('marc21', 'unimarc')", name=op.f("ck_editions_flavour")),
        sa.CheckConstraint("status IN ('active', 'merged')", name=op.f("ck_editions_status")),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["editions.id"], name=op.f("fk_editions_merged_into_id_editions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_editions")),
    )
    with op.batch_alter_table("editions", schema=None) as batch_op:
        batch_op.create_index("ix_editions_isbn", ["isbn"], unique=False)
        batch_op.create_index("ix_editions_source_control", ["source", "control_number"], unique=False)
        batch_op.create_index("ix_editions_title_key", ["title_key"], unique=False)

    op.create_table(
        "receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("supplier", sa.String(length=255), nullable=False),
        sa.Column("document", sa.String(length=255), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.CheckConstraint(
            "source IN ('purchase', 'gift', 'exchange', 'state_programme', 'replacement', 'other')",
            name=op.f("ck_receipts_source"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipts")),
        sa.UniqueConstraint("number", name=op.f("uq_receipts_number")),
    )
    op.create_table(
        "used_inventory_numbers",
        sa.Column("inventory_number", sa.String(length=64), nullable=False),
        sa.Column("issued_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("inventory_number", name=op.f("pk_used_inventory_numbers")),
    )
    op.create_table(
        "withdrawal_acts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("signed_at", TS, nullable=True),
        sa.Column("signed_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "reason IN ('worn_out', 'obsolete', 'duplicate', 'lost_by_readers', 'lost_occupied', 'transferred')",
            name=op.f("ck_withdrawal_acts_reason"),
        ),
        sa.CheckConstraint("state IN ('draft', 'signed')", name=op.f("ck_withdrawal_acts_state")),
        sa.ForeignKeyConstraint(
            ["corrects_id"],
            ["withdrawal_acts.id"],
            name=op.f("fk_withdrawal_acts_corrects_id_withdrawal_acts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_withdrawal_acts")),
        sa.UniqueConstraint("number", name=op.f("uq_withdrawal_acts_number")),
    )
    op.create_table(
        "cataloguing_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "kind IN ('created', 'classified', 'subject_indexed', 'analytic', 'edited')",
            name=op.f("ck_cataloguing_events_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["edition_id"], ["editions.id"], name=op.f("fk_cataloguing_events_edition_id_editions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cataloguing_events")),
    )
    with op.batch_alter_table("cataloguing_events", schema=None) as batch_op:
        batch_op.create_index("ix_cataloguing_events_at", ["at"], unique=False)
        batch_op.create_index("ix_cataloguing_events_edition_id", ["edition_id"], unique=False)
        batch_op.create_index("ix_cataloguing_events_username", ["username"], unique=False)

    op.create_table(
        "copies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("inventory_number", sa.String(length=64), nullable=False),
        sa.Column("barcode", sa.String(length=64), nullable=True),
        sa.Column("location", sa.String(length=64), nullable=False),
        sa.Column("call_number", sa.String(length=64), nullable=False),
        sa.Column("price", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("acquired", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("receipt_id", sa.Integer(), nullable=True),
        sa.Column("withdrawal_act_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.CheckConstraint(
            "status IN ('in_fund', 'withdrawn', 'lost', 'transferred')", name=op.f("ck_copies_status")
        ),
        sa.ForeignKeyConstraint(["edition_id"], ["editions.id"], name=op.f("fk_copies_edition_id_editions")),
        sa.ForeignKeyConstraint(["receipt_id"], ["receipts.id"], name=op.f("fk_copies_receipt_id_receipts")),
        sa.ForeignKeyConstraint(
            ["withdrawal_act_id"],
            ["withdrawal_acts.id"],
            name=op.f("fk_copies_withdrawal_act_id_withdrawal_acts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_copies")),
        sa.UniqueConstraint("barcode", name=op.f("uq_copies_barcode")),
        sa.UniqueConstraint("inventory_number", name=op.f("uq_copies_inventory_number")),
    )
    with op.batch_alter_table("copies", schema=None) as batch_op:
        batch_op.create_index("ix_copies_edition_id", ["edition_id"], unique=False)
        batch_op.create_index("ix_copies_receipt_id", ["receipt_id"], unique=False)
        batch_op.create_index("ix_copies_withdrawal_act_id", ["withdrawal_act_id"], unique=False)

    op.create_table(
        "edition_isbns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("isbn13", sa.String(length=13), nullable=False),
        sa.ForeignKeyConstraint(
            ["edition_id"],
            ["editions.id"],
            name=op.f("fk_edition_isbns_edition_id_editions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_edition_isbns")),
    )
    with op.batch_alter_table("edition_isbns", schema=None) as batch_op:
        batch_op.create_index("ix_edition_isbns_isbn13", ["isbn13"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("edition_isbns", schema=None) as batch_op:
        batch_op.drop_index("ix_edition_isbns_isbn13")

    op.drop_table("edition_isbns")
    with op.batch_alter_table("copies", schema=None) as batch_op:
        batch_op.drop_index("ix_copies_withdrawal_act_id")
        batch_op.drop_index("ix_copies_receipt_id")
        batch_op.drop_index("ix_copies_edition_id")

    op.drop_table("copies")
    with op.batch_alter_table("cataloguing_events", schema=None) as batch_op:
        batch_op.drop_index("ix_cataloguing_events_username")
        batch_op.drop_index("ix_cataloguing_events_edition_id")
        batch_op.drop_index("ix_cataloguing_events_at")

    op.drop_table("cataloguing_events")
    op.drop_table("withdrawal_acts")
    op.drop_table("used_inventory_numbers")
    op.drop_table("receipts")
    with op.batch_alter_table("editions", schema=None) as batch_op:
        batch_op.drop_index("ix_editions_title_key")
        batch_op.drop_index("ix_editions_source_control")
        batch_op.drop_index("ix_editions_isbn")

    op.drop_table("editions")
