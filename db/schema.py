"""Tables of the case database (SQLAlchemy Core, 2.x style).

Core tables rather than ORM classes: the repository reads and writes whole cases with bulk
statements and never needs identity tracking, and importing ``sqlalchemy.orm`` alone would
cost start-up 150 ms. Each table's domain columns carry the names of the fields of the planner
dataclass it stores, so ``db.mapping`` converts rows generically. Rows owned by a case are
keyed by (case_id, position), position keeping the order of the case file.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON as _JSON
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy import Date as _Date
from sqlalchemy.types import TypeDecorator

from planner.damage import Unreadable

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)


class _Readable(TypeDecorator[Any]):
    """A column type whose stored value, when it cannot be decoded (JSON that does not parse, a
    date that is not a date: a damaged row), reads as :class:`planner.damage.Unreadable` instead
    of failing the whole query, so the rest of the case can still be read."""

    cache_ok = True

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        decode = super().result_processor(dialect, coltype)
        if decode is None:
            return None

        def process(value: Any) -> Any:
            try:
                return decode(value)
            except (ValueError, TypeError, RecursionError):
                return Unreadable(value)
        return process


class JSON(_Readable):
    impl = _JSON
    cache_ok = True  # SQLAlchemy reads it from each class itself


class Date(_Readable):
    impl = _Date
    cache_ok = True

#: A step's start or end: ISO text ("2024-01-20" or "2024-01-20T03:10"), which sorts correctly.
MOMENT = String(19)


def _text(name: str, length: int | None = None, *, required: bool = False) -> Column[Any]:
    return Column(name, String(length) if length else Text(), nullable=not required)


def _owned(name: str, *columns: Column[Any], keyed: bool = True) -> Table:
    """A table of rows belonging to a case, in file order; ``keyed`` rows have a unique ``id``."""
    extra = (UniqueConstraint("case_id", "id"),) if keyed else ()
    return Table(
        name, metadata,
        *columns,
        Column("case_id", Integer, ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
        Column("position", Integer, primary_key=True),
        *extra,
    )


cases = Table(
    "cases", metadata,
    Column("id", Integer, primary_key=True),
    _text("title", 200),
    Column("extensions", JSON, nullable=True),
    Column("row_version", Integer, nullable=False, default=1),
    Column("created_at", DateTime, nullable=False, server_default=func.now()),
    Column("updated_at", DateTime, nullable=False, server_default=func.now()),
    # set when the case is deleted: it stays recoverable until the Deleted view is emptied
    Column("deleted_at", DateTime, nullable=True, index=True),
    # lower-cased name, title, area and organisation names: what the case list searches, in one column
    _text("search_text"),
    # the case list's findings counts, worked out on each save (DOMAIN.md 3a): null until then
    Column("key_findings", Integer, nullable=True),
    Column("rules_fired", Integer, nullable=True),
    Column("occurrences", Integer, nullable=True),
    # the person
    Column("name", String(200), nullable=False, index=True),
    _text("nhs_number", 10),
    Column("date_of_birth", Date, nullable=True),
    _text("sex", 20),
    Column("area", String(100), nullable=True, index=True),
    _text("postcode", 10),
    _text("living_situation", 30),
    Column("conditions", JSON, nullable=False),
    Column("frailty", JSON, nullable=True),
    _text("what_matters"),
    Column("consent", JSON, nullable=True),
    _text("preferred_place_of_care", 30),
)
#: The case list's order (by title, else name, case-insensitively): its first page is read from
#: this index instead of sorting every case (100,000 cases in PostgreSQL: 130 ms to 2 ms).
Index("ix_cases_list_order", func.lower(func.coalesce(cases.c.title, cases.c.name)), cases.c.id)
#: Indexes on expressions, which SQLAlchemy cannot read back from SQLite: Alembic's comparison of
#: the tables with the database leaves them out (db/migrations/env.py; a test checks they exist).
EXPRESSION_INDEXES = frozenset({"ix_cases_list_order"})

organisations = _owned(
    "organisations",
    _text("id", 64, required=True),
    Column("name", String(200), nullable=False, index=True),
    _text("sector", 30, required=True),
    _text("area", 100),
    _text("payment_model", 30),
    Column("regulators", JSON, nullable=True),
    Column("cqc_registered", Boolean, nullable=True),
    Column("shared_record_access", Boolean, nullable=True),
    _text("funding_term", 20),
    Column("codes", JSON, nullable=True),
    Column("oversight", JSON, nullable=True),
    # the directory entry this organisation was matched to, if any
    Column("directory_id", Integer, ForeignKey("directory.id", ondelete="SET NULL"), nullable=True),
)

team_members = _owned(
    "team_members",
    _text("id", 64, required=True),
    _text("name", 200, required=True),
    _text("role", 40, required=True),
    _text("organisation", 64),
    _text("contact", 200),
    _text("professional_register", 10),
)

coordinations = _owned(
    "coordinations",
    _text("member", 64, required=True),
    Column("start", Date, nullable=False),
    Column("end", Date, nullable=True),
    _text("reason", 500),
    keyed=False,
)

steps = _owned(
    "steps",
    _text("id", 64, required=True),
    _text("kind", 20, required=True),
    _text("organisation", 64, required=True),
    Column("start", MOMENT, nullable=False),
    _text("stage", 20),
    _text("setting", 30),
    Column("end", MOMENT, nullable=True),
    _text("label", 300),
    Column("emergency", Boolean, nullable=True),
    _text("funding", 20),
    Column("ready_for_discharge", Date, nullable=True),
    _text("delay_reason", 40),
    _text("delay_attribution", 20),
    _text("assessment_domain", 30),
    _text("service_line", 100),
    _text("contract", 100),
    _text("chc_status", 30),
    Column("permanent", Boolean, nullable=True),
    Column("cost", JSON, nullable=True),
    _text("notes"),
)

handoffs = _owned(
    "handoffs",
    _text("source", 64, required=True),
    _text("target", 64, required=True),
    _text("method", 30),
    _text("named_receiver", 64),
    _text("notes"),
    keyed=False,
)

care_plans = Table(
    "care_plans", metadata,
    Column("case_id", Integer, ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column("version", Integer, nullable=True),
    Column("agreed_on", Date, nullable=True),
    Column("review_on", Date, nullable=True),
    _text("contingency"),
    Column("signed_off_by", JSON, nullable=False),
)

goals = _owned(
    "goals",
    _text("id", 64, required=True),
    _text("in_my_words", 1000, required=True),
    _text("outcome", 1000),
    Column("target_date", Date, nullable=True),
    _text("status", 20),
)

actions = _owned(
    "actions",
    _text("id", 64, required=True),
    _text("description", 1000, required=True),
    _text("goal", 64),
    _text("owner", 64),
    Column("due", Date, nullable=True),
    _text("frequency", 100),
    _text("status", 20),
)

finding_annotations = _owned(
    "annotations",
    _text("rule", 3, required=True),
    _text("status", 20, required=True),
    Column("steps", JSON, nullable=False),
    _text("comment", 2000),
    keyed=False,
)

#: The provider directory shared by all cases: organisations known by an ODS code or a CQC
#: location id, imported from the NHS ODS and CQC files or added by hand.
directory = Table(
    "directory", metadata,
    Column("id", Integer, primary_key=True),
    _text("code_system", 20, required=True),  # "ods", "cqc_location" or "local"
    _text("code", 30, required=True),
    Column("name", String(200), nullable=False, index=True),
    _text("sector", 30, required=True),
    _text("area", 100),
    _text("address"),
    _text("postcode", 10),
    _text("phone", 50),
    _text("payment_model", 30),
    Column("regulators", JSON, nullable=True),
    Column("cqc_registered", Boolean, nullable=True),
    _text("cqc_rating", 30),
    _text("status", 20, required=True),  # "active", "closed" or "dormant"
    _text("source", 200),
    Column("updated_at", DateTime, nullable=False, server_default=func.now()),
    UniqueConstraint("code_system", "code"),
)

#: The audit trail: who did what to which case, and when; one row per event, written by
#: ``db.audit`` in the same transaction as the change it records, never changed afterwards.
#: ``case_id`` is deliberately not a foreign key: the history outlives a case deleted for good.
audit_events = Table(
    "audit_events", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False),  # UTC
    Column("case_id", Integer, nullable=True, index=True),
    _text("case_title", 200),
    _text("action", 20, required=True),  # one of db.audit.ACTIONS
    _text("user_name", 200, required=True),  # the name set in preferences, else the login
    _text("os_user", 100),
    _text("workstation", 200),
    _text("summary", 1000, required=True),
    Column("details", JSON, nullable=True),
)

#: Each area's own unit costs (DOMAIN.md 4b), shared by everyone using the database: one row per area
#: and lookup key ("admission/acute_ward/*", "excess_bed_day/acute"), replacing the published
#: national default for the cases of that area. Written by ``db.unit_costs``, each save audited.
unit_cost_overrides = Table(
    "unit_cost_overrides", metadata,
    Column("id", Integer, primary_key=True),
    _text("area", 100, required=True),
    _text("cost_key", 100, required=True),
    Column("amount", Float, nullable=False),  # pounds per unit, 0 to 1,000,000 (checked before saving)
    _text("per", 10, required=True),  # contact, day, week or stay: the default's unit
    _text("price_year", 20, required=True),
    _text("note", 500),  # where the figure comes from
    _text("updated_by", 200, required=True),
    Column("updated_at", DateTime, nullable=False),  # UTC
    UniqueConstraint("area", "cost_key"),
)
