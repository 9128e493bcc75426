"""provider directory and recoverable deletion

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.migrate import has_column, has_index, has_table

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # each part is skipped if it is there already: an earlier release could leave some of them
    # behind when it was interrupted (its DDL ran outside the migration's transaction)
    connection = op.get_bind()
    if not has_table(connection, "directory"):
        _create_directory()
    if not has_index(connection, "directory", "ix_directory_name"):
        with op.batch_alter_table("directory", schema=None) as batch_op:
            batch_op.create_index(batch_op.f("ix_directory_name"), ["name"], unique=False)

    if not has_column(connection, "cases", "deleted_at"):
        with op.batch_alter_table("cases", schema=None) as batch_op:
            batch_op.add_column(sa.Column("deleted_at", sa.DateTime(), nullable=True))
    if not has_index(connection, "cases", "ix_cases_deleted_at"):
        with op.batch_alter_table("cases", schema=None) as batch_op:
            batch_op.create_index(batch_op.f("ix_cases_deleted_at"), ["deleted_at"], unique=False)

    if not has_column(connection, "organisations", "directory_id"):  # one rebuild adds both
        with op.batch_alter_table("organisations", schema=None) as batch_op:
            batch_op.add_column(sa.Column("directory_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                batch_op.f("fk_organisations_directory_id_directory"),
                "directory",
                ["directory_id"],
                ["id"],
                ondelete="SET NULL",
            )


def _create_directory() -> None:
    op.create_table(
        "directory",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_system", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sector", sa.String(length=30), nullable=False),
        sa.Column("area", sa.String(length=100), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("postcode", sa.String(length=10), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("payment_model", sa.String(length=30), nullable=True),
        sa.Column("regulators", sa.JSON(), nullable=True),
        sa.Column("cqc_registered", sa.Boolean(), nullable=True),
        sa.Column("cqc_rating", sa.String(length=30), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory")),
        sa.UniqueConstraint("code_system", "code", name=op.f("uq_directory_code_system")),
    )


def downgrade() -> None:
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_organisations_directory_id_directory"), type_="foreignkey")
        batch_op.drop_column("directory_id")

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_deleted_at"))
        batch_op.drop_column("deleted_at")

    with op.batch_alter_table("directory", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_directory_name"))

    op.drop_table("directory")
