"""the case list's findings counts: key findings, rules and occurrences, worked out on each save

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.migrate import has_column

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

COLUMNS = ("key_findings", "rules_fired", "occurrences")


def upgrade() -> None:
    # cases stored before are counted when next saved; until then the list shows no counts
    for name in COLUMNS:
        if not has_column(op.get_bind(), "cases", name):  # an interrupted earlier release may have added it
            with op.batch_alter_table("cases", schema=None) as batch_op:
                batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.drop_column(name)
