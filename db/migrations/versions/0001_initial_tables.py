"""initial tables

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("extensions", sa.JSON(), nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("nhs_number", sa.String(length=10), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(length=20), nullable=True),
        sa.Column("area", sa.String(length=100), nullable=True),
        sa.Column("postcode", sa.String(length=10), nullable=True),
        sa.Column("living_situation", sa.String(length=30), nullable=True),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("frailty", sa.JSON(), nullable=True),
        sa.Column("what_matters", sa.Text(), nullable=True),
        sa.Column("consent", sa.JSON(), nullable=True),
        sa.Column("preferred_place_of_care", sa.String(length=30), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_area"), ["area"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_name"), ["name"], unique=False)

    op.create_table(
        "actions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=False),
        sa.Column("goal", sa.String(length=64), nullable=True),
        sa.Column("owner", sa.String(length=64), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("frequency", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_actions_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("case_id", "position", name=op.f("pk_actions")),
        sa.UniqueConstraint("case_id", "id", name=op.f("uq_actions_case_id")),
    )
    op.create_table(
        "annotations",
        sa.Column("rule", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("comment", sa.String(length=2000), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_annotations_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("case_id", "position", name=op.f("pk_annotations")),
    )
    op.create_table(
        "care_plans",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("agreed_on", sa.Date(), nullable=True),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("contingency", sa.Text(), nullable=True),
        sa.Column("signed_off_by", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_care_plans_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_care_plans")),
    )
    op.create_table(
        "coordinations",
        sa.Column("member", sa.String(length=64), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_coordinations_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", "position", name=op.f("pk_coordinations")),
    )
    op.create_table(
        "goals",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("in_my_words", sa.String(length=1000), nullable=False),
        sa.Column("outcome", sa.String(length=1000), nullable=True),
        sa.Column("target_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_goals_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("case_id", "position", name=op.f("pk_goals")),
        sa.UniqueConstraint("case_id", "id", name=op.f("uq_goals_case_id")),
    )
    op.create_table(
        "handoffs",
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=30), nullable=True),
        sa.Column("named_receiver", sa.String(length=64), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_handoffs_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("case_id", "position", name=op.f("pk_handoffs")),
    )
    op.create_table(
        "organisations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sector", sa.String(length=30), nullable=False),
        sa.Column("area", sa.String(length=100), nullable=True),
        sa.Column("payment_model", sa.String(length=30), nullable=True),
        sa.Column("regulators", sa.JSON(), nullable=True),
        sa.Column("cqc_registered", sa.Boolean(), nullable=True),
        sa.Column("shared_record_access", sa.Boolean(), nullable=True),
        sa.Column("funding_term", sa.String(length=20), nullable=True),
        sa.Column("codes", sa.JSON(), nullable=True),
        sa.Column("oversight", sa.JSON(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_organisations_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", "position", name=op.f("pk_organisations")),
        sa.UniqueConstraint("case_id", "id", name=op.f("uq_organisations_case_id")),
    )
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisations_name"), ["name"], unique=False)

    op.create_table(
        "steps",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("organisation", sa.String(length=64), nullable=False),
        sa.Column("start", sa.String(length=19), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=True),
        sa.Column("setting", sa.String(length=30), nullable=True),
        sa.Column("end", sa.String(length=19), nullable=True),
        sa.Column("label", sa.String(length=300), nullable=True),
        sa.Column("emergency", sa.Boolean(), nullable=True),
        sa.Column("funding", sa.String(length=20), nullable=True),
        sa.Column("ready_for_discharge", sa.Date(), nullable=True),
        sa.Column("delay_reason", sa.String(length=40), nullable=True),
        sa.Column("delay_attribution", sa.String(length=20), nullable=True),
        sa.Column("assessment_domain", sa.String(length=30), nullable=True),
        sa.Column("service_line", sa.String(length=100), nullable=True),
        sa.Column("contract", sa.String(length=100), nullable=True),
        sa.Column("chc_status", sa.String(length=30), nullable=True),
        sa.Column("permanent", sa.Boolean(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_steps_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("case_id", "position", name=op.f("pk_steps")),
        sa.UniqueConstraint("case_id", "id", name=op.f("uq_steps_case_id")),
    )
    op.create_table(
        "team_members",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("organisation", sa.String(length=64), nullable=True),
        sa.Column("contact", sa.String(length=200), nullable=True),
        sa.Column("professional_register", sa.String(length=10), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_team_members_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", "position", name=op.f("pk_team_members")),
        sa.UniqueConstraint("case_id", "id", name=op.f("uq_team_members_case_id")),
    )


def downgrade() -> None:

    op.drop_table("team_members")
    op.drop_table("steps")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisations_name"))

    op.drop_table("organisations")
    op.drop_table("handoffs")
    op.drop_table("goals")
    op.drop_table("coordinations")
    op.drop_table("care_plans")
    op.drop_table("annotations")
    op.drop_table("actions")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_name"))
        batch_op.drop_index(batch_op.f("ix_cases_area"))

    op.drop_table("cases")
