"""De-identifying a case before it leaves the team: workshop PDFs and packs, FHIR exports.

Three entry points (and helpers for pseudonyms, age bands and relative days):

``anonymise_case(case, alias=None, name_providers=False) -> Case``
    An anonymised deep copy; the original is never touched. The copy keeps what the rules read
    (the steps, organisations, regulators, funding, intervals and weekdays), so its findings and
    measures are the original's, but for one: without the NHS number, rule M08 reports it missing.
    :func:`anonymise` gives, with the copy, what it takes to show findings worked out on the
    original instead. What changes:

    * the person becomes a pseudonym (``"Mrs S"`` from the recorded sex and the surname's
      initial, or ``alias``); the NHS number, date of birth and postcode are removed, the age is
      kept only as a band (:func:`age_band`) in the note (see below), and the frailty assessor
      is dropped;
    * every date moves by the same whole number of weeks, so the first step falls in the first
      week of 2000: intervals and weekdays (which some rules read) are kept, the real calendar
      is not. Show dates relative to the first step (:func:`relative_day`);
    * team members appear by role only (the name becomes the role's label, the contact goes);
    * small providers that could identify her (care homes, home-care agencies, GP practices,
      voluntary groups, anything named after a person) appear by type and letter ("Care home
      A") and lose their codes, unless ``name_providers``; statutory bodies keep their names
      (:mod:`planner.anonymise.providers`);
    * free-text notes on steps and handoffs are removed, and ``extensions`` (whose content is
      unknown) is replaced by the note;
    * ids become neutral (``step-1`` in time order, ``org-1``, ``member-1``, ``goal-1``,
      ``action-1``) with every reference kept, because a case file's ids are typed by people;
    * every other piece of text (the title, labels, conditions, what matters to her, the
      consent scope, organisation names, service lines, contracts, goals, actions, the
      contingency plan, coordinator reasons, annotation comments) goes through a
      :class:`Redactor`.

``anonymise(case, alias=None, name_providers=False) -> Anonymised``
    The same copy, with the redactor and the map from the original's ids to the copy's, for
    outputs that work findings and measures out on the original and show them with the copy.

``Redactor``
    Redacts names and identifiers inside free text. :func:`redactor_for` makes the one that
    belongs to a case: the person's name (in full, by any part, with or without a title or
    initials, in any letter case, though a name that is also an everyday word, such as Hope or
    Day, only with a capital) becomes the pseudonym, a team member's name becomes their role
    in brackets (``"[district nurse]"``), a provider's name its type and letter, and a name
    introduced anywhere in the case by a title or kinship word ("my son David", "Mrs Adaeze")
    ``"[name]"`` wherever it appears; street addresses, postcodes, NHS numbers, phone numbers,
    email addresses, reference numbers and clock times become placeholders; dates become
    ``"day 12"`` counted from the first step, or ``"[date]"`` when far before it (a date of
    birth, say). See :mod:`planner.anonymise.free_text` for what is found and what is left
    alone. :meth:`Redactor.dates_only` changes dates and nothing else, for text written from
    an already anonymised case (findings' evidence).

The copy carries a note, ``case.extensions["anonymised"]``, read back with :func:`anonymity`.
"""

from __future__ import annotations

import copy
import pickle
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache
from typing import Any, TypeVar

from planner.anonymise.free_text import (
    NAME,
    OLDEST_RELATIVE_DAYS,
    Redactor,
    _name_parts,
    introduced_names,
    relative_day,
)
from planner.anonymise.patterns import _PARTICLES
from planner.anonymise.providers import is_statutory, provider_labels, provider_names
from planner.model import Case, Handoff, Moment, Person, Step, moment_date
from planner.reference import label

#: The Monday of the week into which an anonymised case's first step is moved.
SHIFTED_EPOCH = date(2000, 1, 3)
#: No date of an anonymised copy is moved past the last day a case file may hold.
LATEST_SHIFTED = date(2100, 12, 31)
#: ... and none before the first day a case may hold
EARLIEST_SHIFTED = date(1900, 1, 1)
#: Ages at or above this are one band ("90 or over"), as population statistics top-code them.
TOP_AGE = 90

NOTE_KEY = "anonymised"

__all__ = ["LATEST_SHIFTED", "NAME", "NOTE_KEY", "OLDEST_RELATIVE_DAYS", "SHIFTED_EPOCH", "TOP_AGE",
           "Anonymised", "Anonymity", "Redactor", "age_band", "anonymise", "anonymise_case", "anonymity",
           "case_texts", "first_day", "introduced_names", "is_statutory", "last_day", "provider_labels",
           "pseudonym", "redactor_for", "relative_day"]


def pseudonym(person: Person, alias: str | None = None) -> str:
    """What the person is called in anonymised outputs: the alias if given, else a title from the
    recorded sex ("Mrs", "Mr", "Mx") and the initial of the surname: "Mrs S"."""
    if alias is not None and alias.strip():
        return " ".join(alias.split())
    title = {"female": "Mrs", "male": "Mr"}.get(person.sex or "", "Mx")
    parts = [p for p in _name_parts(person.name) if p.casefold() not in _PARTICLES and len(p) > 1]
    surname = parts[-1] if parts else ""
    return f"{title} {surname[:1].upper() or 'X'}"


def age_band(age: int | None) -> str:
    """A five-year band ("85–89"), "90 or over" at the top, "" when the age is not known."""
    if age is None or age < 0:
        return ""
    if age >= TOP_AGE:
        return f"{TOP_AGE} or over"
    low = age - age % 5
    return f"{low}–{low + 4}"


def first_day(case: Case) -> date | None:
    """The date of the first step (day 0), or None for a case without steps."""
    return min((moment_date(s.start) for s in case.steps), default=None)


def last_day(case: Case) -> date | None:
    return max((moment_date(s.end or s.start) for s in case.steps), default=None)


def redactor_for(case: Case, alias: str | None = None, name_providers: bool = False,
                 labels: dict[str, str] | None = None) -> Redactor:
    """The redactor for a case's own text: her names become her pseudonym, team members'
    names their role in brackets, names introduced anywhere in her case by a title or a kinship
    word "[name]", dates days from the first step; unless ``name_providers``, providers that
    are not statutory bodies become their type and letter (``labels``, default
    :func:`provider_labels`)."""
    people = [(case.person.name, pseudonym(case.person, alias))]
    people += [(m.name, f"[{_role(m.role)}]") for m in case.team]
    exact: list[tuple[str, str]] = []
    if not name_providers:
        labels = provider_labels(case.organisations) if labels is None else labels
        areas = [case.person.area or "", *(o.area or "" for o in case.organisations)]
        exact = provider_names(case.organisations, labels, areas)
    return Redactor(people, first_day(case), exact=exact, others=introduced_names(case_texts(case)))


def case_texts(case: Case) -> Iterable[str | None]:
    """Every piece of free text a case has (names of people and organisations aside)."""
    person = case.person
    yield case.title
    yield from person.conditions
    yield person.what_matters
    yield person.consent.scope if person.consent else None
    for step in case.steps:
        yield from (step.label, step.service_line, step.contract, step.notes,
                    step.cost.source if step.cost else None)
    for handoff in case.handoffs:
        yield handoff.notes
    for member in case.team:
        yield member.contact
    for period in case.coordinator:
        yield period.reason
    plan = case.care_plan
    if plan is not None:
        yield plan.contingency
        for goal in plan.goals:
            yield from (goal.in_my_words, goal.outcome)
        for action in plan.actions:
            yield from (action.description, action.frequency)
    for note in case.annotations:
        yield note.comment


def _role(code: str) -> str:
    text = label("role", code)
    return text if len(text) > 1 and text[1].isupper() else text[:1].lower() + text[1:]


# -- the anonymised copy ---------------------------------------------------------------------
@dataclass(frozen=True)
class Anonymity:
    """What an anonymised copy says about itself (``case.extensions["anonymised"]``)."""

    pseudonym: str
    age_band: str
    #: The first step's date in the copy: show dates as days from it.
    day_zero: date | None


def anonymity(case: Case) -> Anonymity | None:
    """The note of an anonymised copy, or None for a case that has not been anonymised."""
    note = (case.extensions or {}).get(NOTE_KEY)
    if not isinstance(note, dict):
        return None
    zero = note.get("day_zero")
    return Anonymity(str(note.get("pseudonym", "")), str(note.get("age_band", "")),
                     date.fromisoformat(zero) if isinstance(zero, str) else None)


@dataclass(frozen=True)
class Anonymised:
    """An anonymised copy with what it takes to show things worked out on the original.

    Findings and measures are best worked out on the original case (removing the NHS number,
    for one, would make rule M08 fire): ``redact`` then words their text for the copy (names,
    identifiers, and dates as days from the first step), and ``ids`` maps the original's ids to
    the copy's, by kind (``"steps"``, ``"organisations"``, ``"members"``, ``"goals"``,
    ``"actions"``).
    """

    case: Case
    redact: Redactor
    ids: dict[str, dict[str, str]]
    #: The original labels of the copy's steps not yet redacted, by the step (see :meth:`step_label`).
    pending_labels: dict[int, str] = field(default_factory=dict, repr=False)

    def step_label(self, step: Step) -> str | None:
        """The label of ``step``, a step of the copy. A copy made without its steps' labels
        (``anonymise(..., step_labels=False)``, for a document that shows only a few) redacts
        each the first time it is asked for, word for word as the copy would have held it."""
        raw = self.pending_labels.pop(id(step), None)
        if raw is not None:
            step.label = _fit("label", self.redact.text(raw))
        return step.label

    def step(self, original_id: str) -> str:
        return self.ids["steps"].get(original_id, "step-unknown")

    def organisation(self, original_id: str) -> str:
        return self.ids["organisations"].get(original_id, "org-unknown")


def anonymise_case(case: Case, alias: str | None = None, name_providers: bool = False) -> Case:
    """An anonymised deep copy of ``case`` (see the module's docstring); the original is untouched."""
    return anonymise(case, alias, name_providers).case


def anonymise(case: Case, alias: str | None = None, name_providers: bool = False,
              step_labels: bool = True) -> Anonymised:
    """:func:`anonymise_case`, with the redactor and the map of ids it used.

    Without ``step_labels``, the copy's steps have no labels until :meth:`Anonymised.step_label`
    is asked for one (never the original's words): quicker for a document that shows a few of a
    long case's steps by name."""
    labels = {} if name_providers else provider_labels(case.organisations)
    redact = redactor_for(case, alias, name_providers, labels)
    zero = first_day(case)
    years = case.person.age_on(zero or date.today())
    moved = _moved_days(case)
    shift = _shift(zero, max(moved, default=None), min(moved, default=None))
    result = _copy(case)
    result.id = None  # never to be saved over the case it came from
    result.row_version = None
    result.damage = []  # the messages name steps and people: they stay with the identifiable case
    name = pseudonym(case.person, alias)
    _anonymise_person(result, name, redact, shift)
    result.title = redact(result.title)
    for org in result.organisations:
        shown = labels.get(org.id)
        if shown is not None:  # a small provider: by type and letter, without its codes
            org.name = shown
            org.codes = None
        else:
            org.name = redact.text(org.name)
    ids = _rename_ids(result)
    for member in result.team:
        member.name = label("role", member.role)
        member.contact = None
    for step in result.steps:
        step.start = _moved(step.start, shift)
        step.end = _moved(step.end, shift) if step.end is not None else None
        step.ready_for_discharge = _moved_day(step.ready_for_discharge, shift)
        step.service_line = redact(step.service_line)
        step.contract = redact(step.contract)
        if step.cost is not None:
            step.cost.source = redact(step.cost.source)
        step.notes = None
    labelled = [step for step in result.steps if step.label is not None]
    pending: dict[int, str] = {}
    if step_labels:  # redacted together: quicker
        for step, shown in zip(labelled, redact.texts([step.label or "" for step in labelled]), strict=True):
            step.label = shown
    else:
        for step in labelled:
            pending[id(step)] = step.label or ""
            step.label = None
    for handoff in result.handoffs:
        handoff.notes = None
    for period in result.coordinator:
        period.start = _moved(period.start, shift)
        period.end = _moved_day(period.end, shift)
        period.reason = redact(period.reason)
    plan = result.care_plan
    if plan is not None:
        plan.agreed_on = _moved_day(plan.agreed_on, shift)
        plan.review_on = _moved_day(plan.review_on, shift)
        plan.contingency = redact(plan.contingency)
        for goal in plan.goals:
            goal.in_my_words = redact.text(goal.in_my_words)
            goal.outcome = redact(goal.outcome)
            goal.target_date = _moved_day(goal.target_date, shift)
        for action in plan.actions:
            action.description = redact.text(action.description)
            action.frequency = redact(action.frequency)
            action.due = _moved_day(action.due, shift)
    for note in result.annotations:
        note.comment = redact(note.comment)
    result.extensions = {NOTE_KEY: {
        "pseudonym": name,
        "age_band": age_band(years),
        "day_zero": (zero + shift).isoformat() if zero else None,
        "dates": "moved by whole weeks: intervals and weekdays kept, the calendar not",
    }}
    _within_the_format(result)
    return Anonymised(result, redact, ids, pending)


_Item = TypeVar("_Item", Step, Handoff)


def _copy(case: Case) -> Case:
    """A deep copy of ``case``, sharing nothing that can change with it.

    The steps and handoffs, most of a long case, hold only values that never change in place
    (text, dates, numbers, flags) besides a step's own cost, which is copied too: each is copied
    field by field, about ten times quicker than pickling it. The rest is copied by pickling (three
    times quicker than ``copy.deepcopy``)."""
    rest = copy.copy(case)
    rest.steps, rest.handoffs = [], []
    result: Case = pickle.loads(pickle.dumps(rest, protocol=pickle.HIGHEST_PROTOCOL))
    result.steps = [_copied_step(step) for step in case.steps]
    result.handoffs = [_copied(handoff) for handoff in case.handoffs]
    return result


def _copied(item: _Item) -> _Item:
    new = object.__new__(type(item))
    new.__dict__.update(item.__dict__)
    return new


def _copied_step(step: Step) -> Step:
    new = _copied(step)
    if new.cost is not None:
        new.cost = replace(new.cost)
    return new


@cache
def text_limits() -> dict[str, int]:
    """The most characters the case format allows in each text field, by its key ("frequency":
    100), read from the case schema (a key has one limit wherever it appears)."""
    from planner.validation import case_schema

    schema = case_schema()
    text_limit = int(schema["$defs"]["text"]["maxLength"])
    limits: dict[str, int] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, spec in (node.get("properties") or {}).items():
                if isinstance(spec, dict):
                    if "maxLength" in spec:
                        limits[key] = int(spec["maxLength"])
                    elif str(spec.get("$ref", "")).endswith("/text"):
                        limits[key] = text_limit
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return limits


def _fit(key: str, value: str | None) -> str | None:
    """``value`` clipped to the case format's limit for ``key``, ending "…" when clipped."""
    most = text_limits().get(key)
    if value is None or most is None or len(value) <= most:
        return value
    return value[: most - 1] + "…"


def _within_the_format(case: Case) -> None:
    """Clip redacted text that grew past its field's limit ("14:30" became "[time]"), so the
    anonymised copy is still a valid case (a file it is written to can be read back)."""
    case.title = _fit("title", case.title)
    person = case.person
    person.what_matters = _fit("what_matters", person.what_matters)
    person.conditions = [_fit("items", c) or "" for c in person.conditions]
    if person.consent is not None:
        person.consent.scope = _fit("scope", person.consent.scope)
    for org in case.organisations:
        org.name = _fit("name", org.name) or org.name
    for step in case.steps:
        step.label = _fit("label", step.label)
        step.service_line = _fit("service_line", step.service_line)
        step.contract = _fit("contract", step.contract)
        if step.cost is not None:
            step.cost.source = _fit("source", step.cost.source)
    for period in case.coordinator:
        period.reason = _fit("reason", period.reason)
    plan = case.care_plan
    if plan is not None:
        plan.contingency = _fit("contingency", plan.contingency)
        for goal in plan.goals:
            goal.in_my_words = _fit("in_my_words", goal.in_my_words) or goal.in_my_words
            goal.outcome = _fit("outcome", goal.outcome)
        for action in plan.actions:
            action.description = _fit("description", action.description) or action.description
            action.frequency = _fit("frequency", action.frequency)
    for note in case.annotations:
        note.comment = _fit("comment", note.comment) or note.comment


def _shift(zero: date | None, last: date | None = None, first: date | None = None) -> timedelta:
    """Whole weeks that move ``zero`` into the week starting :data:`SHIFTED_EPOCH`, or fewer when
    that would move ``last`` past :data:`LATEST_SHIFTED` or ``first`` (a date before day 0, such
    as a coordinator named long before the first step) before :data:`EARLIEST_SHIFTED`."""
    if zero is None:
        return timedelta(0)
    monday = zero - timedelta(days=zero.weekday())
    shift = timedelta(weeks=(SHIFTED_EPOCH - monday).days // 7)
    if last is not None and last + shift > LATEST_SHIFTED:
        over = (last + shift - LATEST_SHIFTED).days
        shift -= timedelta(weeks=-(-over // 7))
    if first is not None and first + shift < EARLIEST_SHIFTED:
        under = (EARLIEST_SHIFTED - (first + shift)).days
        shift += timedelta(weeks=-(-under // 7))
        if last is not None and last + shift > LATEST_SHIFTED:
            # both cannot hold: the furthest whole-week move that keeps every date a case may hold
            latest = (LATEST_SHIFTED - last).days // 7
            earliest = -((first - EARLIEST_SHIFTED).days // 7)
            shift = timedelta(weeks=max(latest, earliest, key=abs))
    return shift


def _moved_days(case: Case) -> list[date]:
    """Every date an anonymised copy moves (steps, coordination, the person's assessments, the care
    plan): the earliest and the latest bound the move."""
    days: list[date | None] = [moment_date(s.start) for s in case.steps]
    days += [moment_date(s.end) for s in case.steps if s.end is not None]
    days += [s.ready_for_discharge for s in case.steps]
    days += [day for c in case.coordinator for day in (c.start, c.end)]
    person = case.person
    days += [person.frailty.assessed_on if person.frailty else None,
             person.consent.recorded_on if person.consent else None]
    plan = case.care_plan
    if plan is not None:
        days += [plan.agreed_on, plan.review_on, *(g.target_date for g in plan.goals),
                 *(a.due for a in plan.actions)]
    return [d for d in days if d is not None]


def _last_day(case: Case) -> date | None:
    """The latest date that an anonymised copy moves."""
    return max(_moved_days(case), default=None)


def _moved(value: Moment, shift: timedelta) -> Moment:
    return value + shift


def _moved_day(value: date | None, shift: timedelta) -> date | None:
    return None if value is None else value + shift


def _anonymise_person(case: Case, name: str, redact: Redactor, shift: timedelta) -> None:
    person = case.person
    person.name = name
    person.nhs_number = None
    person.date_of_birth = None
    person.postcode = None
    person.conditions = [redact.text(c) for c in person.conditions]
    person.what_matters = redact(person.what_matters)
    if person.frailty is not None:
        person.frailty.assessed_by = None
        person.frailty.assessed_on = _moved_day(person.frailty.assessed_on, shift)
    if person.consent is not None:
        person.consent.scope = redact(person.consent.scope)
        person.consent.recorded_on = _moved_day(person.consent.recorded_on, shift)


def _rename_ids(case: Case) -> dict[str, dict[str, str]]:
    """Neutral ids for steps (in time order), organisations, members, goals and actions, with
    every reference to them changed to match. Returns the maps used (old id -> new id)."""

    def numbered(prefix: str, ids: Iterable[str]) -> dict[str, str]:
        return {old: f"{prefix}-{n}" for n, old in enumerate(dict.fromkeys(ids), start=1)}

    steps = numbered("step", (s.id for s in case.ordered_steps()))
    orgs = numbered("org", (o.id for o in case.organisations))
    members = numbered("member", (m.id for m in case.team))
    plan = case.care_plan
    goals = numbered("goal", (g.id for g in plan.goals)) if plan else {}
    actions = numbered("action", (a.id for a in plan.actions)) if plan else {}
    def ref(table: dict[str, str], old: str, prefix: str) -> str:
        # a reference to an id the case does not define keeps its old text out of the copy too
        return table.get(old, f"{prefix}-unknown")

    def maybe(table: dict[str, str], old: str | None, prefix: str) -> str | None:
        return None if old is None else ref(table, old, prefix)

    for step in case.steps:
        step.id = steps[step.id]
        step.organisation = ref(orgs, step.organisation, "org")
    for org in case.organisations:
        org.id = orgs[org.id]
    for member in case.team:
        member.id = members[member.id]
        member.organisation = maybe(orgs, member.organisation, "org")
    for period in case.coordinator:
        period.member = ref(members, period.member, "member")
    for handoff in case.handoffs:
        handoff.source = ref(steps, handoff.source, "step")
        handoff.target = ref(steps, handoff.target, "step")
        handoff.named_receiver = maybe(members, handoff.named_receiver, "member")
    if plan is not None:
        for goal in plan.goals:
            goal.id = goals[goal.id]
        owners = {**orgs, **members}
        for action in plan.actions:
            action.id = actions[action.id]
            action.goal = maybe(goals, action.goal, "goal")
            action.owner = maybe(owners, action.owner, "owner")
        plan.signed_off_by = [ref(members, m, "member") for m in plan.signed_off_by]
    for note in case.annotations:
        note.steps = [ref(steps, s, "step") for s in note.steps]
    return {"steps": steps, "organisations": orgs, "members": members, "goals": goals, "actions": actions}
