"""Tables of the case database (SQLAlchemy 2.x declarative, typed).

Each table's domain columns carry the same names as the fields of the planner dataclass it
stores, so ``db.mapping`` converts rows generically. Rows owned by a case are keyed by
(case_id, position), position keeping the order of the case file.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: A step's start or end: ISO text ("2024-01-20" or "2024-01-20T03:10"), which sorts correctly.
MOMENT = String(19)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[str]: JSON}


class CaseRow(Base):
    """A case with its person (one person per case)."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str | None] = mapped_column(String(200))
    extensions: Mapped[dict[str, Any] | None]
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    # the person
    name: Mapped[str] = mapped_column(String(200), index=True)
    nhs_number: Mapped[str | None] = mapped_column(String(10))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(20))
    area: Mapped[str | None] = mapped_column(String(100), index=True)
    postcode: Mapped[str | None] = mapped_column(String(10))
    living_situation: Mapped[str | None] = mapped_column(String(30))
    conditions: Mapped[list[str]]
    frailty: Mapped[dict[str, Any] | None]
    what_matters: Mapped[str | None] = mapped_column(Text)
    consent: Mapped[dict[str, Any] | None]
    preferred_place_of_care: Mapped[str | None] = mapped_column(String(30))


class _Owned:
    """Columns every row belonging to a case has."""

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)


class OrganisationRow(_Owned, Base):
    __tablename__ = "organisations"
    __table_args__ = (UniqueConstraint("case_id", "id"),)

    id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), index=True)
    sector: Mapped[str] = mapped_column(String(30))
    area: Mapped[str | None] = mapped_column(String(100))
    payment_model: Mapped[str | None] = mapped_column(String(30))
    regulators: Mapped[list[str] | None]
    cqc_registered: Mapped[bool | None] = mapped_column(Boolean)
    shared_record_access: Mapped[bool | None] = mapped_column(Boolean)
    funding_term: Mapped[str | None] = mapped_column(String(20))
    codes: Mapped[dict[str, Any] | None]
    oversight: Mapped[dict[str, Any] | None]


class MemberRow(_Owned, Base):
    __tablename__ = "team_members"
    __table_args__ = (UniqueConstraint("case_id", "id"),)

    id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(40))
    organisation: Mapped[str | None] = mapped_column(String(64))
    contact: Mapped[str | None] = mapped_column(String(200))
    professional_register: Mapped[str | None] = mapped_column(String(10))


class CoordinationRow(_Owned, Base):
    __tablename__ = "coordinations"

    member: Mapped[str] = mapped_column(String(64))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(500))


class StepRow(_Owned, Base):
    __tablename__ = "steps"
    __table_args__ = (UniqueConstraint("case_id", "id"),)

    id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    organisation: Mapped[str] = mapped_column(String(64))
    start: Mapped[str] = mapped_column(MOMENT)
    stage: Mapped[str | None] = mapped_column(String(20))
    setting: Mapped[str | None] = mapped_column(String(30))
    end: Mapped[str | None] = mapped_column(MOMENT)
    label: Mapped[str | None] = mapped_column(String(300))
    emergency: Mapped[bool | None] = mapped_column(Boolean)
    funding: Mapped[str | None] = mapped_column(String(20))
    ready_for_discharge: Mapped[date | None] = mapped_column(Date)
    delay_reason: Mapped[str | None] = mapped_column(String(40))
    delay_attribution: Mapped[str | None] = mapped_column(String(20))
    assessment_domain: Mapped[str | None] = mapped_column(String(30))
    service_line: Mapped[str | None] = mapped_column(String(100))
    contract: Mapped[str | None] = mapped_column(String(100))
    chc_status: Mapped[str | None] = mapped_column(String(30))
    permanent: Mapped[bool | None] = mapped_column(Boolean)
    notes: Mapped[str | None] = mapped_column(Text)


class HandoffRow(_Owned, Base):
    __tablename__ = "handoffs"

    source: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(64))
    method: Mapped[str | None] = mapped_column(String(30))
    named_receiver: Mapped[str | None] = mapped_column(String(64))
    notes: Mapped[str | None] = mapped_column(Text)


class CarePlanRow(Base):
    __tablename__ = "care_plans"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int | None] = mapped_column(Integer)
    agreed_on: Mapped[date | None] = mapped_column(Date)
    review_on: Mapped[date | None] = mapped_column(Date)
    contingency: Mapped[str | None] = mapped_column(Text)
    signed_off_by: Mapped[list[str]]


class GoalRow(_Owned, Base):
    __tablename__ = "goals"
    __table_args__ = (UniqueConstraint("case_id", "id"),)

    id: Mapped[str] = mapped_column(String(64))
    in_my_words: Mapped[str] = mapped_column(String(1000))
    outcome: Mapped[str | None] = mapped_column(String(1000))
    target_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str | None] = mapped_column(String(20))


class ActionRow(_Owned, Base):
    __tablename__ = "actions"
    __table_args__ = (UniqueConstraint("case_id", "id"),)

    id: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(1000))
    goal: Mapped[str | None] = mapped_column(String(64))
    owner: Mapped[str | None] = mapped_column(String(64))
    due: Mapped[date | None] = mapped_column(Date)
    frequency: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str | None] = mapped_column(String(20))


class AnnotationRow(_Owned, Base):
    __tablename__ = "annotations"

    rule: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20))
    steps: Mapped[list[str]]
    comment: Mapped[str | None] = mapped_column(String(2000))
