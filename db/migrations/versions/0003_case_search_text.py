"""case search text

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.migrate import has_column

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    if not has_column(connection, "cases", "search_text"):  # an interrupted earlier release may have added it
        with op.batch_alter_table("cases", schema=None) as batch_op:
            batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=True))
    # fill it for the cases already stored: name, title, area and organisation names, lower-cased
    names: dict[int, list[str]] = {}
    for case_id, name in connection.execute(
        sa.text("SELECT case_id, name FROM organisations ORDER BY case_id, position")
    ):
        names.setdefault(case_id, []).append(name)
    rows = connection.execute(sa.text("SELECT id, name, title, area FROM cases")).all()
    updates = [
        {
            "id": row.id,
            "text": "\n".join([row.name, row.title or "", row.area or "", *names.get(row.id, [])]).lower(),
        }
        for row in rows
    ]
    if updates:
        connection.execute(sa.text("UPDATE cases SET search_text = :text WHERE id = :id"), updates)


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("search_text")
