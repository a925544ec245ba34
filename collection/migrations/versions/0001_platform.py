"""Platform tables: audit trail, public libraries, users and API tokens.

Revision ID: 0001_platform
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_platform"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("object_type", sa.String(64), nullable=False),
        sa.Column("object_id", sa.String(64), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_entries"),
    )
    op.create_index("ix_audit_entries_object", "audit_entries", ["object_type", "object_id"])
    op.create_index("ix_audit_entries_username", "audit_entries", ["username"])
    op.create_index("ix_audit_entries_user_id", "audit_entries", ["user_id"])
    op.create_index("ix_audit_entries_at", "audit_entries", ["at"])

    op.create_table(
        "libraries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("community", sa.String(255), nullable=False),
        sa.Column("district", sa.String(255), nullable=False),
        sa.Column("oblast", sa.String(255), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("address", sa.String(500), nullable=False),
        sa.Column("contact_person", sa.String(255), nullable=False),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("email", sa.String(255), nullable=False),
        sa.Column("preferred_flavour", sa.String(16), nullable=False),
        sa.Column("preferred_encoding", sa.String(16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_libraries"),
        sa.UniqueConstraint("code", name="uq_libraries_code"),
        sa.CheckConstraint(
            "status IN ('working', 'relocated', 'occupied', 'destroyed', 'closed')",
            name="ck_libraries_status",
        ),
        sa.CheckConstraint(
            "preferred_flavour IN ('marc21', 'unimarc')", name="ck_libraries_preferred_flavour"
        ),
        sa.CheckConstraint(
            "preferred_encoding IN ('utf-8', 'cp1251', 'marc-8')",
            name="ck_libraries_preferred_encoding",
        ),
    )

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("full_name", sa.String(255), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("library_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("username", name="uq_users_username"),
        sa.ForeignKeyConstraint(
            ["library_id"], ["libraries.id"], name="fk_users_library_id_libraries",
            ondelete="RESTRICT",
        ),
        sa.CheckConstraint(
            "role IN ('admin', 'cataloguer', 'acquisitions', 'programme', 'methodologist',"
            " 'library')",
            name="ck_users_role",
        ),
        sa.CheckConstraint(
            "(role = 'library' AND library_id IS NOT NULL)"
            " OR (role <> 'library' AND library_id IS NULL)",
            name="ck_users_library_role",
        ),
    )
    op.create_index("ix_users_library_id", "users", ["library_id"])

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_used_at", TS, nullable=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_api_tokens_user_id_users", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])


def downgrade() -> None:
    op.drop_table("api_tokens")
    op.drop_table("users")
    op.drop_table("libraries")
    op.drop_index("ix_audit_entries_at", "audit_entries")
    op.drop_index("ix_audit_entries_user_id", "audit_entries")
    op.drop_index("ix_audit_entries_username", "audit_entries")
    op.drop_index("ix_audit_entries_object", "audit_entries")
    op.drop_table("audit_entries")
