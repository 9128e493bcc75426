"""a step's own unit cost (the case file's optional step ``cost``)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.migrate import has_column

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if not has_column(op.get_bind(), "steps", "cost"):  # an interrupted earlier release may have added it
        with op.batch_alter_table("steps", schema=None) as batch_op:
            batch_op.add_column(sa.Column("cost", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("steps", schema=None) as batch_op:
        batch_op.drop_column("cost")
