"""Validation of case files: the JSON Schema, then the rules the schema cannot say.

Every problem is reported with its JSON path, all of them at once (CASE_FORMAT.md). The
semantic checks read the raw JSON defensively, so they still run on a file the schema rejects.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files
from itertools import islice, pairwise
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


_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def key_path(base: str, key: str) -> str:
    """The JSON path of ``key`` in the object at ``base``: ``$.a.b``, or ``$.a["odd key"]``."""
    if _PLAIN_KEY.match(key):
        return f"{base}.{key}"
    text = key if len(key) <= 40 else key[:40] + "…"
    return f"{base}[{json.dumps(text)}]"


#: A refused file's message lists this many problems, then says how many more there are.
MAX_SHOWN = 200
#: Schema problems stop being counted after this many, so a huge bad file answers in seconds.
MAX_COUNTED = 2_000
#: Every date in a case (steps, person, team, care plan, sign-offs, extensions) lies in this range:
#: the app computes ages, intervals and shifted dates with them.
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2100, 12, 31)
#: The highest care-plan version number (a new version every day for 27 years).
MAX_PLAN_VERSION = 10_000
#: How deep an extension the app does not know may nest, and its size as JSON text.
MAX_EXTENSION_DEPTH = 16
MAX_EXTENSION_BYTES = 1_000_000


class CaseFileError(ValueError):
    """A case file that cannot be accepted; ``problems`` lists what is wrong with it.

    ``count`` is how many problems there are in all, when more were found than are listed;
    ``counted_all`` is False when counting stopped (at :data:`MAX_COUNTED`). The message lists
    the first :data:`MAX_SHOWN` problems and says how many more there are."""

    def __init__(self, problems: list[Problem], source: str | None = None, count: int | None = None,
                 counted_all: bool = True) -> None:
        self.problems = problems
        self.source = source
        self.count = max(count or 0, len(problems))
        self.counted_all = counted_all
        where = f" in {source}" if source else ""
        noun = "problem" if self.count == 1 else "problems"
        more = "" if counted_all else "more than "
        lines = [f"{more}{self.count:,} {noun}{where}:"]
        lines += [f"  {p}" for p in problems[:MAX_SHOWN]]
        if self.count > MAX_SHOWN:
            left = self.count - min(len(problems), MAX_SHOWN)
            lines.append(f"  ... and {more}{left:,} more problem{'s' if left != 1 else ''}")
        super().__init__("\n".join(lines))

    def listing(self, shown: int) -> list[str]:
        """The first ``shown`` problems as lines, then how many more there are (for the GUI)."""
        lines = [str(p) for p in self.problems[:shown]]
        left = self.count - len(lines)
        if left > 0:
            lines.append(f"... and {'' if self.counted_all else 'more than '}{left:,} more "
                         f"problem{'s' if left != 1 else ''}")
        return lines


def _schema_file(name: str) -> dict[str, Any]:
    text = files("resources").joinpath(f"schema/{name}").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def case_schema() -> dict[str, Any]:
    return _schema_file("case.schema.json")


@cache
def team_record_schema() -> dict[str, Any]:
    """The schema of Pathway Planner's own record in ``extensions`` (see planner.careplan)."""
    return _schema_file("team-record.schema.json")


#: The extensions the app writes and reads, each with its schema (resources/schema). Their keys
#: are those of planner.model.RECORD_KEY, planner.fhir.importer.IMPORT_KEY and
#: planner.anonymise.NOTE_KEY (tests/test_limits.py checks they agree). Any other extension is
#: kept as it is, within MAX_EXTENSION_DEPTH and MAX_EXTENSION_BYTES.
EXTENSION_SCHEMAS = {
    RECORD_KEY: "team-record.schema.json",
    "fhir_import": "fhir-import.schema.json",
    "anonymised": "anonymised.schema.json",
}

RECORD_PATH = f"$.extensions.{RECORD_KEY}"


@cache
def _validators() -> dict[str, Any]:
    """A validator for the case file and one per known extension; an extension's schema may refer
    to the case schema's definitions as ``case/1#/$defs/...``."""
    import jsonschema  # imported on first validation, not at start-up
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    case = case_schema()
    registry: Registry[Any] = Registry().with_resource(case["$id"], DRAFT202012.create_resource(case))
    found = {"": jsonschema.Draft202012Validator(case, registry=registry)}
    for key, name in EXTENSION_SCHEMAS.items():
        schema = team_record_schema() if key == RECORD_KEY else _schema_file(name)
        found[key] = jsonschema.Draft202012Validator(schema, registry=registry)
    return found


def _schema_errors(data: Any) -> Iterator[tuple[str, Any]]:
    """(base path, jsonschema error) for the case and each known extension, lazily."""
    validators = _validators()
    yield from (("$", error) for error in validators[""].iter_errors(data))
    extensions = data.get("extensions") if isinstance(data, dict) else None
    if isinstance(extensions, dict):
        for key, value in extensions.items():
            if key in validators:
                base = key_path("$.extensions", key)
                yield from ((base, error) for error in validators[key].iter_errors(value))


def in_order(problem: Problem) -> tuple[Any, ...]:
    """Problems by path with indexes in number order ($.steps[9] before $.steps[10]), then message."""
    parts = re.split(r"(\d+)", problem.path)
    return (*((int(p) if i % 2 else p) for i, p in enumerate(parts)), problem.message)


def validate(data: Any) -> list[Problem]:
    """Every problem with a parsed case file, schema first, sorted by path within each group
    (the schema's first :data:`MAX_COUNTED`)."""
    return validate_counted(data)[0]


def validate_counted(data: Any) -> tuple[list[Problem], int, bool]:
    """The problems with a parsed case file (schema first, sorted by path within each group), how
    many there are, and whether they were all counted: schema problems stop being counted after
    :data:`MAX_COUNTED`, and then the semantic checks are not run."""
    errors = list(islice(_schema_errors(data), MAX_COUNTED + 1))
    counted_all = len(errors) <= MAX_COUNTED
    problems = sorted((Problem(base + error.json_path[1:], _message(error))
                       for base, error in errors[:MAX_COUNTED]), key=in_order)
    if isinstance(data, dict) and counted_all:
        seen = set(problems)
        problems += [p for p in _SemanticCheck(data).run() if p not in seen]
    return problems, len(problems), counted_all


# -- how schema problems are worded ------------------------------------------------------------
#: What the case schema's shared definitions are, by name, for messages.
_REF_WORDS = {"id": "an id", "date": "a date (YYYY-MM-DD)", "datetime": "a date or date and time",
              "text": "text"}
_TYPE_WORDS = {"object": "an object", "array": "a list", "string": "text", "number": "a number",
               "integer": "a whole number", "boolean": "true or false", "null": "null"}


@cache
def _pattern_words() -> dict[str, str]:
    """What each pattern of the case schema asks for, in words."""
    defs = case_schema()["$defs"]
    return {defs["id"]["pattern"]: "an id is 1 to 64 letters, digits, '_', '.' or '-'",
            defs["date"]["pattern"]: "a date is written YYYY-MM-DD",
            defs["datetime"]["pattern"]: "a date is written YYYY-MM-DD, a date and time YYYY-MM-DDTHH:MM",
            "^M\\d{2}$": "a rule is M and two digits, such as M03"}


def shown(value: Any) -> str:
    """A JSON value as people read it in a message: short text quoted, containers by kind."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        text = value if len(value) <= 60 else value[:60] + "…"
        return "'" + json.dumps(text, ensure_ascii=False)[1:-1].replace('\\"', '"') + "'"
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    return "an object" if isinstance(value, dict) else "a list" if isinstance(value, list) else "a value"


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    return {dict: "an object", list: "a list", type(None): "null"}.get(type(value), "a value")


def _message(error: Any) -> str:
    """A jsonschema error in words, with JSON values rather than Python ones."""
    kind, expected, instance = error.validator, error.validator_value, error.instance
    if kind == "type":
        wanted = [expected] if isinstance(expected, str) else list(expected)
        return f"must be {' or '.join(_TYPE_WORDS.get(w, w) for w in wanted)}, not {_kind(instance)}"
    if kind == "enum":
        return f"{shown(instance)} is not one of: {', '.join(str(e) for e in expected)}"
    if kind == "const":
        return f"must be {shown(expected)}, not {shown(instance)}"
    if kind == "required" and isinstance(instance, dict):
        missing = [key for key in expected if key not in instance]
        return f"'{missing[0] if missing else expected[0]}' is required"
    if kind == "additionalProperties" and isinstance(instance, dict):
        known = error.schema.get("properties", {})
        extra = [key for key in instance if key not in known]
        names = ", ".join(shown(key) for key in extra[:10]) + (" …" if len(extra) > 10 else "")
        return (f"unknown key{'s' if len(extra) != 1 else ''} {names}: not part of the format "
                f"(allowed: {', '.join(known) or 'none'})")
    if kind == "pattern":
        words = _pattern_words().get(expected, "see the format")
        return f"{shown(instance)} is not in the right form: {words}"
    if kind == "maxLength":
        return f"is {len(instance):,} characters long; the most is {expected:,}"
    if kind == "minLength":
        return "must not be empty" if expected == 1 else f"must be at least {expected} characters long"
    if kind in ("minimum", "maximum"):
        return f"{shown(instance)} is {'below the lowest' if kind == 'minimum' else 'above the highest'} " \
               f"allowed, {expected:g}"
    if kind == "uniqueItems":
        return "holds the same item more than once"
    if kind == "oneOf":
        options = [_REF_WORDS.get(str(option.get("$ref", "")).rsplit("/", 1)[-1])
                   or _TYPE_WORDS.get(str(option.get("type")))
                   for option in expected if isinstance(option, dict)]
        if all(options):
            return f"must be {' or '.join(str(o) for o in options)}, not {shown(instance)}"
        return f"{shown(instance)} is not allowed here"
    text = str(error.message)
    return text if len(text) <= 200 else text[:200] + "…"


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
        self.other_extensions(orgs)
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
                    self.add(f"{path}.id", f"id {shown(ident)} is used more than once in {key}")
                found.add(ident)
        return found

    def ref(self, item: dict[str, Any], key: str, path: str, known: set[str], what: str) -> None:
        value = item.get(key)
        if isinstance(value, str) and value not in known:
            self.add(f"{path}.{key}", f"{shown(value)} does not name {what}")

    def date_at(self, item: dict[str, Any], key: str, path: str) -> date | None:
        """The date at ``item[key]``, reporting an impossible one or one outside MIN_DATE..MAX_DATE;
        None if absent, malformed or reported."""
        value = item.get(key)
        if not isinstance(value, str):
            return None
        try:
            day = parse_date(value)
        except ValueError as error:
            if "real" in str(error):
                self.add(f"{path}.{key}", f"{shown(value)} is not a real date")
            return None
        return day if self.in_range(day, f"{path}.{key}") is not None else None

    def in_range(self, day: Any, path: str) -> Any:
        """``day`` (a date or datetime) if it lies in the range a case can hold; else reported, None."""
        if MIN_DATE <= moment_key(day).date() <= MAX_DATE:
            return day
        self.add(path, f"{day.isoformat()[:10]} is outside the dates a case can hold "
                       f"({MIN_DATE.isoformat()} to {MAX_DATE.isoformat()})")
        return None

    def version_at(self, item: dict[str, Any], path: str) -> int | None:
        """A care-plan version number, reporting one beyond MAX_PLAN_VERSION."""
        number = item.get("version")
        if not isinstance(number, int) or isinstance(number, bool):
            return None
        if number > MAX_PLAN_VERSION:
            self.add(f"{path}.version", f"version {number:,} is beyond the highest a plan can reach "
                                        f"({MAX_PLAN_VERSION:,})")
            return None
        return number

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
            if isinstance(score, int | float) and not isinstance(score, bool) and math.isfinite(score):
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
                    self.add(f"$.care_plan.signed_off_by[{index}]",
                             f"{shown(who)} does not name a team member")
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
            return self.in_range(parse_moment(value), f"{path}.{key}")
        except ValueError as error:
            if "real" in str(error):
                self.add(f"{path}.{key}", f"{shown(value)} is not a real date and time")
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
            who = departure.get("member")
            if isinstance(who, str):
                if who in left:
                    self.add(f"{path}.member", f"{shown(who)} has already left the team")
                left.add(who)
        signed = self.plan.get("signed_off_by")
        signed = {who for who in signed if isinstance(who, str)} if isinstance(signed, list) else set()
        for path, sign_off in _objects(held, "sign_offs", RECORD_PATH):
            who = sign_off.get("member")
            self.date_at(sign_off, "on", path)
            if isinstance(who, str) and who not in signed:
                self.add(f"{path}.member", f"{shown(who)} has a sign-off date but is not among those who "
                         "signed off the care plan ($.care_plan.signed_off_by)")
        for key in ("annotations_made", "key_pins"):  # who annotated a finding or pinned a rule, when
            for path, made in _objects(held, key, RECORD_PATH):
                rule = made.get("rule")
                if isinstance(rule, str) and rule not in rules():
                    self.add(f"{path}.rule", f"{shown(rule)} is not a rule in the catalogue")
                self.moment_at(made, "at", path)
        numbers: set[int] = set()
        for path, version in _objects(held, "plan_versions", RECORD_PATH):
            self.date_at(version, "agreed_on", path)
            number = self.version_at(version, path)
            if number is not None:
                if number in numbers:
                    self.add(f"{path}.version", f"version {number} is kept more than once")
                numbers.add(number)
            self.plan_version(version, path)
        current = self.plan.get("version")
        if numbers and isinstance(current, int) and current < max(numbers):
            self.add("$.care_plan.version",
                     f"the plan is at version {current}, but version {max(numbers)} has been agreed")

    def plan_version(self, version: dict[str, Any], path: str) -> None:
        """A frozen version: its sign-off dates, its plan's dates and ids, its team and coordinator."""
        for signed_path, sign_off in _objects(version, "sign_offs", path):
            self.date_at(sign_off, "on", signed_path)
        team = self.ids(version, "team", path)
        coordinator = version.get("coordinator")
        if isinstance(coordinator, str) and coordinator not in team:
            self.add(f"{path}.coordinator", f"{shown(coordinator)} is not in the team of this version "
                                            f"({path}.team)")
        plan = version.get("plan")
        if isinstance(plan, dict):
            self.plan_content(plan, f"{path}.plan")

    def plan_content(self, plan: dict[str, Any], base: str) -> None:
        """The goals, actions and review date of a plan (the current one, or a frozen version)."""
        goals = self.ids(plan, "goals", base)
        self.ids(plan, "actions", base)
        self.date_at(plan, "review_on", base)
        for path, goal in _objects(plan, "goals", base):
            self.date_at(goal, "target_date", path)
        for path, action in _objects(plan, "actions", base):
            self.date_at(action, "due", path)
            self.ref(action, "goal", path, goals, "a goal")

    def other_extensions(self, organisations: set[str]) -> None:
        """The FHIR import's record and the anonymisation note; any other extension kept within
        MAX_EXTENSION_DEPTH and MAX_EXTENSION_BYTES."""
        extensions = self.data.get("extensions")
        if not isinstance(extensions, dict):
            return
        for key, value in extensions.items():
            path = key_path("$.extensions", key)
            if key == "fhir_import" and isinstance(value, dict):
                unknown = value.get("sector_unknown")
                for index, org in enumerate(unknown if isinstance(unknown, list) else []):
                    if isinstance(org, str) and org not in organisations:
                        self.add(f"{path}.sector_unknown[{index}]",
                                 f"{shown(org)} does not name an organisation")
            elif key == "anonymised" and isinstance(value, dict):
                self.date_at(value, "day_zero", path)
            elif key not in EXTENSION_SCHEMAS:
                depth = _depth(value)
                if depth > MAX_EXTENSION_DEPTH:
                    self.add(path, f"this extension nests {depth} levels deep; an extension may nest at "
                                   f"most {MAX_EXTENSION_DEPTH}")
                    continue
                size = len(json.dumps(value, ensure_ascii=False))
                if size > MAX_EXTENSION_BYTES:
                    self.add(path, f"this extension is {size:,} characters of JSON; an extension may be at "
                                   f"most {MAX_EXTENSION_BYTES:,}")

    def plan_dates(self) -> None:
        agreed = self.date_at(self.plan, "agreed_on", "$.care_plan")
        review = self.date_at(self.plan, "review_on", "$.care_plan")
        if agreed is not None and review is not None and review < agreed:
            self.add("$.care_plan.review_on", "the review date is before the plan was agreed")
        for path, goal in _objects(self.plan, "goals", "$.care_plan"):
            self.date_at(goal, "target_date", path)
        for path, action in _objects(self.plan, "actions", "$.care_plan"):
            self.date_at(action, "due", path)
        self.version_at(self.plan, "$.care_plan")


def _depth(value: Any) -> int:
    """How deeply arrays and objects nest in ``value`` (0 for a scalar), without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            stack += [(child, level + 1) for child in (item.values() if isinstance(item, dict) else item)]
    return deepest
