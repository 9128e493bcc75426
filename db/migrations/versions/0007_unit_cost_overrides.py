"""each area's own unit costs (overrides of the national defaults), shared through the database

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.migrate import has_table

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if has_table(op.get_bind(), "unit_cost_overrides"):  # an interrupted earlier release may have added it
        return
    op.create_table(
        "unit_cost_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=100), nullable=False),
        sa.Column("cost_key", sa.String(length=100), nullable=False),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("per", sa.String(length=10), nullable=False),
        sa.Column("price_year", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_cost_overrides")),
        sa.UniqueConstraint("area", "cost_key", name=op.f("uq_unit_cost_overrides_area")),
    )


def downgrade() -> None:
    op.drop_table("unit_cost_overrides")
