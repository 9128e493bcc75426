"""audit trail; an index for the case list's order

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.migrate import has_index, has_table

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # each part is skipped if it is there already: an earlier release could leave some of them
    # behind when it was interrupted (its DDL ran outside the migration's transaction)
    connection = op.get_bind()
    if not has_table(connection, "audit_events"):
        _create_audit_events()
    if not has_index(connection, "audit_events", "ix_audit_events_case_id"):
        with op.batch_alter_table("audit_events", schema=None) as batch_op:
            batch_op.create_index(batch_op.f("ix_audit_events_case_id"), ["case_id"], unique=False)
    if not has_index(connection, "cases", "ix_cases_list_order"):
        op.create_index("ix_cases_list_order", "cases",
                        [sa.func.lower(sa.func.coalesce(sa.column("title"), sa.column("name"))), "id"])


def _create_audit_events() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("case_title", sa.String(length=200), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("user_name", sa.String(length=200), nullable=False),
        sa.Column("os_user", sa.String(length=100), nullable=True),
        sa.Column("workstation", sa.String(length=200), nullable=True),
        sa.Column("summary", sa.String(length=1000), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )


def downgrade() -> None:
    op.drop_index("ix_cases_list_order", table_name="cases")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_case_id"))
    op.drop_table("audit_events")
