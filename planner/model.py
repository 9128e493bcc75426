"""The case model: one person's pathway, organisations, team, coordinator history and care plan.

Plain dataclasses mirroring ``case.schema.json``. Enumerations are kept as their stored codes
(``"acute"``, ``"awaiting_care_package"``); ``planner.reference`` turns codes into words.
Field names follow the case file, except ``from``/``to``, which are Python keywords: the
``key`` metadata names the JSON key where it differs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

#: The key in a case's ``extensions`` where Pathway Planner keeps its own team record
#: (sign-off dates, agreed care-plan versions, who has left the team): see planner.careplan.
RECORD_KEY = "pathway_planner"

#: A step's start or end: a date, or a date and time.
Moment = date | datetime


def moment_key(value: Moment) -> datetime:
    """The instant used to order steps: a date alone counts as 00:00 that day."""
    if isinstance(value, datetime):
        return value
    return datetime(value.year, value.month, value.day)


def moment_date(value: Moment) -> date:
    """The date part of a moment, for day comparisons."""
    return value.date() if isinstance(value, datetime) else value


@dataclass
class Frailty:
    scale: str
    score: float
    assessed_on: date | None = None
    assessed_by: str | None = None


@dataclass
class Consent:
    status: str
    scope: str | None = None
    recorded_on: date | None = None


@dataclass
class Person:
    name: str
    nhs_number: str | None = None
    date_of_birth: date | None = None
    sex: str | None = None
    area: str | None = None
    postcode: str | None = None
    living_situation: str | None = None
    conditions: list[str] = field(default_factory=list)
    frailty: Frailty | None = None
    what_matters: str | None = None
    consent: Consent | None = None
    preferred_place_of_care: str | None = None

    def age_on(self, day: date) -> int | None:
        """Age in whole years on ``day``, or None without a date of birth."""
        if self.date_of_birth is None:
            return None
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass
class Codes:
    ods: str | None = None
    cqc_location: str | None = None
    cqc_provider: str | None = None
    charity_number: str | None = None


@dataclass
class Oversight:
    cqc_rating: str | None = None
    financial_recovery: bool | None = None
    system_level_assessment: bool | None = None


@dataclass
class Organisation:
    id: str
    name: str
    sector: str
    area: str | None = None
    payment_model: str | None = None
    #: None means "not recorded: use the sector's defaults"; an empty list means none.
    regulators: list[str] | None = None
    cqc_registered: bool | None = None
    shared_record_access: bool | None = None
    funding_term: str | None = None
    codes: Codes | None = None
    oversight: Oversight | None = None


@dataclass
class Member:
    id: str
    name: str
    role: str
    organisation: str | None = None
    contact: str | None = None
    professional_register: str | None = None


@dataclass
class Coordination:
    """One period in which a team member held the care-coordinator role."""

    member: str
    start: date = field(metadata={"key": "from"})
    end: date | None = field(default=None, metadata={"key": "to"})
    reason: str | None = None


@dataclass
class StepCost:
    """A step's own unit cost, overriding the default for its kind and setting (DOMAIN.md section 4b)."""

    amount: float
    per: str  # contact, day, week or stay
    source: str | None = None


@dataclass
class Step:
    id: str
    kind: str
    organisation: str
    start: Moment
    stage: str | None = None
    setting: str | None = None
    end: Moment | None = None
    label: str | None = None
    emergency: bool | None = None
    funding: str | None = None
    ready_for_discharge: date | None = None
    delay_reason: str | None = None
    delay_attribution: str | None = None
    assessment_domain: str | None = None
    service_line: str | None = None
    contract: str | None = None
    chc_status: str | None = None
    permanent: bool | None = None
    cost: StepCost | None = None
    notes: str | None = None

    @property
    def start_date(self) -> date:
        start = self.start
        return start.date() if isinstance(start, datetime) else start

    @property
    def end_date(self) -> date | None:
        end = self.end
        return end.date() if isinstance(end, datetime) else end

    @property
    def delayed_days(self) -> int:
        """Days between ready for discharge and the end of an admission (0 if none or ongoing)."""
        if self.kind != "admission" or self.ready_for_discharge is None or self.end is None:
            return 0
        return max(0, (moment_date(self.end) - self.ready_for_discharge).days)


@dataclass
class Handoff:
    source: str = field(metadata={"key": "from"})
    target: str = field(metadata={"key": "to"})
    method: str | None = None
    named_receiver: str | None = None
    notes: str | None = None


@dataclass
class Goal:
    id: str
    in_my_words: str
    outcome: str | None = None
    target_date: date | None = None
    status: str | None = None


@dataclass
class Action:
    id: str
    description: str
    goal: str | None = None
    owner: str | None = None
    due: date | None = None
    frequency: str | None = None
    status: str | None = None


@dataclass
class CarePlan:
    version: int | None = None
    agreed_on: date | None = None
    review_on: date | None = None
    goals: list[Goal] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    contingency: str | None = None
    signed_off_by: list[str] = field(default_factory=list)


@dataclass
class Annotation:
    rule: str
    status: str
    steps: list[str] = field(default_factory=list)
    comment: str | None = None


@dataclass
class Case:
    person: Person
    organisations: list[Organisation] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    title: str | None = None
    team: list[Member] = field(default_factory=list)
    coordinator: list[Coordination] = field(default_factory=list)
    handoffs: list[Handoff] = field(default_factory=list)
    care_plan: CarePlan | None = None
    annotations: list[Annotation] = field(default_factory=list)
    extensions: dict[str, Any] | None = None
    #: The database id once stored; never written to a case file.
    id: int | None = field(default=None, compare=False, metadata={"file": False})
    #: The stored version this case was loaded at (optimistic locking); never written to a file.
    row_version: int | None = field(default=None, compare=False, metadata={"file": False})
    #: What could not be read when the case was loaded, in words (see planner.damage); the parts
    #: named are left out. Never written to a file.
    damage: list[str] = field(default_factory=list, compare=False, metadata={"file": False})

    @property
    def display_title(self) -> str:
        return self.title or self.person.name

    def organisation(self, org_id: str) -> Organisation | None:
        return next((o for o in self.organisations if o.id == org_id), None)

    def member(self, member_id: str) -> Member | None:
        return next((m for m in self.team if m.id == member_id), None)

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def ordered_steps(self) -> list[Step]:
        """Steps by start (a date alone counting as 00:00), ties in file order."""
        return sorted(self.steps, key=lambda s: moment_key(s.start))

    def current_coordinator(self) -> Coordination | None:
        """The open coordination period (no end), else the latest one that has begun."""
        open_periods = [c for c in self.coordinator if c.end is None]
        if open_periods:
            return max(open_periods, key=lambda c: c.start)
        return None
