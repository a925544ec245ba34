"""Cataloguing plan: planned counts of cataloguing work per year and kind.

Revision ID: 0003_cataloguing
Revises: 0002_catalogue
Create Date: 2026-11-22 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_cataloguing"
down_revision = "0002_catalogue"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cataloguing_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("planned", sa.Integer(), nullable=False),
        sa.Column("planned_max", sa.Integer(), nullable=True),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('created', 'classified', 'subject_indexed', 'analytic', 'edited')",
            name=op.f("ck_cataloguing_plans_kind"),
        ),
        sa.CheckConstraint("planned >= 0", name=op.f("ck_cataloguing_plans_planned")),
        sa.CheckConstraint(
            "planned_max IS NULL OR planned_max >= planned",
            name=op.f("ck_cataloguing_plans_planned_max"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cataloguing_plans")),
        sa.UniqueConstraint("year", "kind", name=op.f("uq_cataloguing_plans_year_kind")),
    )


def downgrade() -> None:
    op.drop_table("cataloguing_plans")
