"""Validation of case files: the JSON Schema, then the rules the schema cannot say.

Every problem is reported with its JSON path, all of them at once (CASE_FORMAT.md). The
semantic checks read the raw JSON defensively, so they still run on a file the schema rejects.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files
from itertools import pairwise
from typing import Any

from planner.dates import parse_date, parse_moment
from planner.model import RECORD_KEY, moment_key
from planner.nhs_number import is_valid as nhs_number_is_valid
from planner.rules.catalogue import rules


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a case file, at a JSON path such as ``$.steps[3].end``."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class CaseFileError(ValueError):
    """A case file that cannot be accepted; ``problems`` lists everything wrong with it."""

    def __init__(self, problems: list[Problem], source: str | None = None) -> None:
        self.problems = problems
        self.source = source
        where = f" in {source}" if source else ""
        count = len(problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"{count} {noun}{where}:"] + [f"  {p}" for p in problems]
        super().__init__("\n".join(lines))


@cache
def case_schema() -> dict[str, Any]:
    text = files("resources").joinpath("schema/case.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def team_record_schema() -> dict[str, Any]:
    """The schema of Pathway Planner's own record in ``extensions`` (see planner.careplan)."""
    text = files("resources").joinpath("schema/team-record.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


RECORD_PATH = f"$.extensions.{RECORD_KEY}"


def _schema_problems(data: Any) -> list[Problem]:
    import jsonschema  # imported on first validation, not at start-up

    validator = jsonschema.Draft202012Validator(case_schema())
    problems = [Problem(error.json_path, error.message) for error in validator.iter_errors(data)]
    extensions = data.get("extensions") if isinstance(data, dict) else None
    if isinstance(extensions, dict) and RECORD_KEY in extensions:
        record = jsonschema.Draft202012Validator(team_record_schema())
        problems += [Problem(RECORD_PATH + error.json_path[1:], error.message)
                     for error in record.iter_errors(extensions[RECORD_KEY])]
    return problems


def validate(data: Any) -> list[Problem]:
    """Every problem with a parsed case file, schema first, sorted by path within each group."""
    problems = sorted(_schema_problems(data))
    if isinstance(data, dict):
        seen = set(problems)
        problems += [p for p in _SemanticCheck(data).run() if p not in seen]
    return problems


def _objects(container: Any, key: str, base: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, object) for each object in ``container[key]`` when that is a list."""
    items = container.get(key) if isinstance(container, dict) else None
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict):
                yield f"{base}.{key}[{index}]", item


class _SemanticCheck:
    """The rules in CASE_FORMAT.md that JSON Schema cannot express."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.problems: list[Problem] = []
        plan = data.get("care_plan")
        self.plan: dict[str, Any] = plan if isinstance(plan, dict) else {}

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def run(self) -> list[Problem]:
        orgs = self.ids(self.data, "organisations", "$")
        members = self.ids(self.data, "team", "$")
        steps = self.ids(self.data, "steps", "$")
        goals = self.ids(self.plan, "goals", "$.care_plan")
        self.ids(self.plan, "actions", "$.care_plan")
        self.person()
        self.references(orgs, members, steps, goals)
        self.step_dates()
        self.coordination()
        self.plan_dates()
        self.team_record(members)
        for path, note in _objects(self.data, "annotations", "$"):
            if isinstance(note.get("rule"), str) and note["rule"] not in rules():
                known = sorted(rules())
                self.add(f"{path}.rule",
                         f"'{note['rule']}' is not a rule in the catalogue ({known[0]}-{known[-1]})")
            if note.get("status") == "set_aside" and not str(note.get("comment") or "").strip():
                self.add(f"{path}.comment", "a finding set aside needs a reason in its comment")
        return self.problems

    # -- helpers -------------------------------------------------------------------------
    def ids(self, container: Any, key: str, base: str) -> set[str]:
        found: set[str] = set()
        for path, item in _objects(container, key, base):
            ident = item.get("id")
            if isinstance(ident, str):
                if ident in found:
                    self.add(f"{path}.id", f"id '{ident}' is used more than once in {key}")
                found.add(ident)
        return found

    def ref(self, item: dict[str, Any], key: str, path: str, known: set[str], what: str) -> None:
        value = item.get(key)
        if isinstance(value, str) and value not in known:
            self.add(f"{path}.{key}", f"'{value}' does not name {what}")

    def date_at(self, item: dict[str, Any], key: str, path: str) -> date | None:
        """The date at ``item[key]``, reporting an impossible one; None if absent or malformed."""
        value = item.get(key)
        if not isinstance(value, str):
            return None
        try:
            return parse_date(value)
        except ValueError as error:
            if "real" in str(error):
                self.add(f"{path}.{key}", str(error))
            return None

    # -- checks --------------------------------------------------------------------------
    def person(self) -> None:
        person = self.data.get("person")
        if not isinstance(person, dict):
            return
        number = person.get("nhs_number")
        if (isinstance(number, str) and len(number) == 10 and number.isdigit()
                and not nhs_number_is_valid(number)):
            self.add("$.person.nhs_number",
                     f"'{number}' is not a valid NHS number (the check digit does not match)")
        born = self.date_at(person, "date_of_birth", "$.person")
        if born is not None and born > date.today():
            self.add("$.person.date_of_birth", "the date of birth is in the future")
        frailty = person.get("frailty")
        if isinstance(frailty, dict):
            self.date_at(frailty, "assessed_on", "$.person.frailty")
            score, scale = frailty.get("score"), frailty.get("scale")
            if isinstance(score, int | float) and not isinstance(score, bool):
                if scale == "CFS" and (score != int(score) or not 1 <= score <= 9):
                    self.add("$.person.frailty.score",
                             f"a Clinical Frailty Scale score is a whole number from 1 to 9, not {score}")
                if scale == "eFI" and not 0 <= score <= 1:
                    self.add("$.person.frailty.score",
                             f"an Electronic Frailty Index lies between 0 and 1, not {score}")
        consent = person.get("consent")
        if isinstance(consent, dict):
            self.date_at(consent, "recorded_on", "$.person.consent")

    def references(self, orgs: set[str], members: set[str], steps: set[str],
                   goals: set[str]) -> None:
        for path, member in _objects(self.data, "team", "$"):
            self.ref(member, "organisation", path, orgs, "an organisation")
        for path, period in _objects(self.data, "coordinator", "$"):
            self.ref(period, "member", path, members, "a team member")
        for path, step in _objects(self.data, "steps", "$"):
            self.ref(step, "organisation", path, orgs, "an organisation")
        for path, handoff in _objects(self.data, "handoffs", "$"):
            self.ref(handoff, "from", path, steps, "a step")
            self.ref(handoff, "to", path, steps, "a step")
            self.ref(handoff, "named_receiver", path, members, "a team member")
            if isinstance(handoff.get("from"), str) and handoff.get("from") == handoff.get("to"):
                self.add(f"{path}.to", "a handoff cannot go from a step to itself")
        for path, action in _objects(self.plan, "actions", "$.care_plan"):
            self.ref(action, "goal", path, goals, "a goal")
            self.ref(action, "owner", path, members | orgs, "a team member or an organisation")
        signed = self.plan.get("signed_off_by")
        if isinstance(signed, list):
            for index, who in enumerate(signed):
                if isinstance(who, str) and who not in members:
                    self.add(f"$.care_plan.signed_off_by[{index}]", f"'{who}' does not name a team member")
        for path, note in _objects(self.data, "annotations", "$"):
            named = note.get("steps")
            if isinstance(named, list):
                for index, step_id in enumerate(named):
                    if isinstance(step_id, str) and step_id not in steps:
                        self.add(f"{path}.steps[{index}]", f"'{step_id}' does not name a step")

    def step_dates(self) -> None:
        for path, step in _objects(self.data, "steps", "$"):
            start = self.moment_at(step, "start", path)
            end = self.moment_at(step, "end", path)
            if start is not None and end is not None and moment_key(end) < moment_key(start):
                self.add(f"{path}.end", f"the step ends ({step['end']}) before it starts ({step['start']})")
            ready = self.date_at(step, "ready_for_discharge", path)
            if ready is None:
                continue
            if step.get("kind") != "admission":
                self.add(f"{path}.ready_for_discharge", "only an admission has a ready-for-discharge date")
            elif start is not None and ready < moment_key(start).date():
                self.add(f"{path}.ready_for_discharge",
                         f"ready for discharge ({ready.isoformat()}) before the admission starts")
            elif end is not None and ready > moment_key(end).date():
                self.add(f"{path}.ready_for_discharge",
                         f"ready for discharge ({ready.isoformat()}) after the admission ends")

    def moment_at(self, step: dict[str, Any], key: str, path: str) -> Any:
        value = step.get(key)
        if not isinstance(value, str):
            return None
        try:
            return parse_moment(value)
        except ValueError as error:
            if "real" in str(error):
                self.add(f"{path}.{key}", str(error))
            return None

    def coordination(self) -> None:
        periods: list[tuple[date, date | None, str]] = []
        for path, period in _objects(self.data, "coordinator", "$"):
            start = self.date_at(period, "from", path)
            end = self.date_at(period, "to", path)
            if start is not None and end is not None and end < start:
                self.add(f"{path}.to",
                         f"the period ends ({end.isoformat()}) before it begins ({start.isoformat()})")
            elif start is not None:
                periods.append((start, end, path))
        # by start, then end (open last): a period may begin the day another ends
        periods.sort(key=lambda p: (p[0], p[1] or date.max))
        for (_start_a, end_a, path_a), (start_b, _end_b, path_b) in pairwise(periods):
            if end_a is None or start_b < end_a:
                self.add(path_b, f"this coordinator period overlaps {path_a}: "
                         "only one care coordinator can be active at a time")

    def team_record(self, members: set[str]) -> None:
        """Pathway Planner's record in extensions: who left, sign-off dates, agreed versions."""
        extensions = self.data.get("extensions")
        held = extensions.get(RECORD_KEY) if isinstance(extensions, dict) else None
        if not isinstance(held, dict):
            return
        left: set[str] = set()
        for path, departure in _objects(held, "left_team", RECORD_PATH):
            self.ref(departure, "member", path, members, "a team member")
            self.date_at(departure, "on", path)
            if departure.get("member") in left:
                self.add(f"{path}.member", f"'{departure['member']}' has already left the team")
            if isinstance(departure.get("member"), str):
                left.add(departure["member"])
        signed = self.plan.get("signed_off_by")
        signed = set(signed) if isinstance(signed, list) else set()
        for path, sign_off in _objects(held, "sign_offs", RECORD_PATH):
            who = sign_off.get("member")
            self.date_at(sign_off, "on", path)
            if isinstance(who, str) and who not in signed:
                self.add(f"{path}.member", f"'{who}' has a sign-off date but is not among those who "
                         "signed off the care plan ($.care_plan.signed_off_by)")
        numbers: set[int] = set()
        for path, version in _objects(held, "plan_versions", RECORD_PATH):
            self.date_at(version, "agreed_on", path)
            number = version.get("version")
            if isinstance(number, int):
                if number in numbers:
                    self.add(f"{path}.version", f"version {number} is kept more than once")
                numbers.add(number)
        current = self.plan.get("version")
        if numbers and isinstance(current, int) and current < max(numbers):
            self.add("$.care_plan.version",
                     f"the plan is at version {current}, but version {max(numbers)} has been agreed")

    def plan_dates(self) -> None:
        agreed = self.date_at(self.plan, "agreed_on", "$.care_plan")
        review = self.date_at(self.plan, "review_on", "$.care_plan")
        if agreed is not None and review is not None and review < agreed:
            self.add("$.care_plan.review_on", "the review date is before the plan was agreed")
        for path, goal in _objects(self.plan, "goals", "$.care_plan"):
            self.date_at(goal, "target_date", path)
        for path, action in _objects(self.plan, "actions", "$.care_plan"):
            self.date_at(action, "due", path)
