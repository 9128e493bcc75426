"""Reading a stored case that may be damaged: what cannot be read is left out and said in words.

Import validates a case fully, but a stored case can still be damaged: older versions stored
things without today's checks, another tool may have written a row, a disk may have flipped a
byte. The code that reads a stored case (``db.repository``) gives each part that cannot be read
to these functions, which leave that part out, so the rest of the case opens, and describe it for
the person using the app ("The care plan history could not be read (a sign-off date is not a real
date); it is left out, and the rest of the case is shown."). The messages are kept on
``Case.damage``; the case header and the command line show them.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, get_args, get_origin

from planner.convert import fields, without_none
from planner.model import RECORD_KEY, Case, Handoff, Step

#: Free-form JSON (a case's ``extensions``) nested deeper than this is not read: copying,
#: comparing and writing it would exhaust the interpreter's stack.
MAX_DEPTH = 64

REST = "the rest of the case is shown"

#: The dates the app computes with (import refuses others); a stored date outside them is damage.
EARLIEST, LATEST = date(1900, 1, 1), date(2100, 12, 31)


def in_range(value: date) -> bool:
    """Whether a date (or the day of a date and time) lies from 1900 to 2100."""
    day = value.date() if isinstance(value, datetime) else value
    return EARLIEST <= day <= LATEST


class Unreadable:
    """A stored value that could not be decoded (JSON that does not parse, a date that is not a
    date). The database layer returns it in place of the value; :func:`check_fields` treats the
    field as damaged."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    def __repr__(self) -> str:
        return f"Unreadable({self.raw!r:.40})"


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether JSON-like ``value`` (dicts and lists) is nested more than ``limit`` levels deep.
    Walked without recursion, so any depth is safe to ask about."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


def _checker(hint: Any) -> Callable[[Any], bool]:
    """A test of whether a value has the type the model's ``hint`` promises (made once per field:
    loading a 1,000-step case checks some 20,000 values)."""
    plain = without_none(hint)
    optional = plain is not hint
    if isinstance(plain, tuple) or plain is date:  # a date, or a date or a date and time
        test: Callable[[Any], bool] = lambda v: isinstance(v, date) and in_range(v)  # noqa: E731
    elif plain is bool:
        test = lambda v: v is True or v is False  # noqa: E731
    elif plain is int:
        test = lambda v: type(v) is int  # noqa: E731
    elif plain is float:
        test = lambda v: type(v) in (int, float) and math.isfinite(v)  # noqa: E731
    elif plain is str:
        test = lambda v: type(v) is str  # noqa: E731
    elif get_origin(plain) is list:
        (item,) = get_args(plain)
        each = _checker(item)
        test = lambda v: type(v) is list and all(each(i) for i in v)  # noqa: E731
    elif get_origin(plain) is dict:
        test = lambda v: isinstance(v, dict)  # noqa: E731
    elif dataclasses.is_dataclass(plain):
        test = lambda v: isinstance(v, plain) and not check_fields(v)[1]  # type: ignore[arg-type]  # noqa: E731
    else:
        test = lambda v: not isinstance(v, Unreadable)  # noqa: E731
    if optional:
        return lambda v: v is None or test(v)
    return test


#: Per dataclass: (field, its check, the nested dataclass or None, its default factory or None).
_PLANS: dict[type, list[tuple[str, Callable[[Any], bool], Any, Callable[[], Any] | None]]] = {}


def _constant(value: Any) -> Callable[[], Any]:
    return lambda: value


def _plan(cls: type) -> list[tuple[str, Callable[[Any], bool], Any, Callable[[], Any] | None]]:
    found = _PLANS.get(cls)
    if found is None:
        defaults: dict[str, Callable[[], Any]] = {}
        for f in dataclasses.fields(cls):
            if f.default is not dataclasses.MISSING:
                defaults[f.name] = _constant(f.default)
            elif f.default_factory is not dataclasses.MISSING:
                defaults[f.name] = f.default_factory
        found = _PLANS[cls] = [
            (name, _checker(hint), plain if dataclasses.is_dataclass(plain) else None, defaults.get(name))
            for name, _key, hint in fields(cls) for plain in [without_none(hint)]]
    return found


def check_fields(obj: Any) -> tuple[list[str], list[str]]:
    """Repair a dataclass read from storage in place: every optional field whose value is not of
    its type (or could not be decoded, or is a date outside 1900-2100) is set to its default; a
    nested object is repaired the same way first. Returns (the optional fields cleared, the
    required fields that are damaged), each as a dotted name ("frailty", "codes.ods"). A
    non-empty second list means the object cannot be used at all."""
    cleared: list[str] = []
    broken: list[str] = []
    for name, fits, nested, default in _plan(type(obj)):
        value = getattr(obj, name)
        if nested is not None and isinstance(value, nested):
            inner_cleared, inner_broken = check_fields(value)
            cleared += [f"{name}.{n}" for n in inner_cleared]
            if not inner_broken:
                continue
        elif fits(value):
            continue
        if default is not None:
            setattr(obj, name, default())
            cleared.append(name)
        else:
            broken.append(name)
    return cleared, broken


_WORDS = {"agreed_on": "date agreed", "review_on": "review date", "date_of_birth": "date of birth",
          "start": "start", "end": "end", "signed_off_by": "list of who agreed it",
          "ready_for_discharge": "date ready for discharge", "target_date": "target date",
          "due": "due date", "assessed_on": "date assessed", "recorded_on": "date recorded",
          "nhs_number": "NHS number", "cqc_location": "CQC location", "cqc_provider": "CQC provider"}


def field_words(name: str) -> str:
    """A field's dotted name as people say it: "frailty.assessed_on" -> "frailty date assessed"."""
    return " ".join(_WORDS.get(part, part.replace("_", " ")) for part in name.split("."))


def listing(names: list[str]) -> str:
    words = [field_words(n) for n in names]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def out_of_range(values: dict[str, Any], names: list[str]) -> bool:
    """Whether the damaged fields ``names`` (with their stored ``values``) are all dates outside
    1900-2100, rather than values that could not be decoded at all."""
    found = [values.get(name) for name in names]
    return all(isinstance(v, date) and not in_range(v) for v in found)


def check_extensions(case: Case) -> list[str]:
    """Leave out the parts of ``case.extensions`` that cannot be read (not a JSON object, nested
    too deeply, a team record that is not in the form Pathway Planner keeps it); the messages."""
    from planner.careplan import record_problem  # careplan builds on convert and validation

    extensions = case.extensions
    if extensions is None:
        return []
    if not isinstance(extensions, dict):
        case.extensions = None
        return ["Data kept with the case by other tools (its extensions) could not be read; it is "
                f"left out, and {REST}."]
    messages: list[str] = []
    kept: dict[str, Any] = {}
    for key, value in extensions.items():
        if too_deep(value):
            what = ("The care plan history" if key == RECORD_KEY
                    else f"Data kept with the case by another tool (“{key}”)")
            messages.append(f"{what} could not be read (it is nested more than {MAX_DEPTH} levels deep); "
                            f"it is left out, and {REST}.")
            continue
        if key == RECORD_KEY:
            problem = record_problem(value)
            if problem is not None:
                messages.append(f"The care plan history could not be read ({problem}); it is left out, "
                                f"and {REST}.")
                continue
        kept[key] = value
    case.extensions = kept or None
    return messages


def drop_dangling(case: Case) -> list[str]:
    """After steps or organisations were left out: leave out what referred to them (a step at an
    organisation that is gone, a handoff between steps that are gone); the messages."""
    messages: list[str] = []
    organisations = {o.id for o in case.organisations}
    orphans = [s for s in case.steps if s.organisation not in organisations]
    if orphans:
        case.steps = [s for s in case.steps if s.organisation in organisations]
        messages.append(f"{_count(len(orphans), 'step')} at an organisation that could not be read "
                        f"{'is' if len(orphans) == 1 else 'are'} left out ({_names(orphans)}).")
    steps = {s.id for s in case.steps}
    broken: list[Handoff] = [h for h in case.handoffs if h.source not in steps or h.target not in steps]
    if broken:
        case.handoffs = [h for h in case.handoffs if h not in broken]
        messages.append(f"{_count(len(broken), 'handoff')} between steps that could not be read "
                        f"{'is' if len(broken) == 1 else 'are'} left out.")
    members = {m.id for m in case.team}
    periods = [c for c in case.coordinator if c.member not in members]
    if periods:
        case.coordinator = [c for c in case.coordinator if c.member in members]
        messages.append(f"{_count(len(periods), 'care coordinator period')} of a team member who could "
                        f"not be read {'is' if len(periods) == 1 else 'are'} left out.")
    notes = [a for a in case.annotations if any(s not in steps for s in a.steps)]
    if notes:
        case.annotations = [a for a in case.annotations if a not in notes]
        messages.append(f"{_count(len(notes), 'team note')} on findings about steps that could not be read "
                        f"{'is' if len(notes) == 1 else 'are'} left out.")
    if _clear_references(case, organisations, members, steps):
        messages.append("Some references to parts of the case that could not be read (an owner, a goal, "
                        "an organisation, who agreed the plan) are left empty.")
    return messages


def _clear_references(case: Case, organisations: set[str], members: set[str], steps: set[str]) -> bool:
    """Empty the references to organisations, team members and goals that are not in the case (so
    that the case, edited, passes the checks an import makes); whether any were."""
    cleared = False
    for member in case.team:
        if member.organisation is not None and member.organisation not in organisations:
            member.organisation, cleared = None, True
    for handoff in case.handoffs:
        if handoff.named_receiver is not None and handoff.named_receiver not in members:
            handoff.named_receiver, cleared = None, True
    plan = case.care_plan
    if plan is not None:
        goals = {g.id for g in plan.goals}
        for action in plan.actions:
            if action.goal is not None and action.goal not in goals:
                action.goal, cleared = None, True
            if action.owner is not None and action.owner not in members | organisations:
                action.owner, cleared = None, True
        signed = [m for m in plan.signed_off_by if m in members]
        if signed != plan.signed_off_by:
            plan.signed_off_by, cleared = signed, True
    held = case.extensions.get(RECORD_KEY) if isinstance(case.extensions, dict) else None
    if isinstance(held, dict):  # sign-off dates and departures of members left out
        for key in ("sign_offs", "left_team"):
            items = held.get(key)
            if isinstance(items, list):
                kept = [i for i in items if not (isinstance(i, dict) and isinstance(i.get("member"), str)
                                                 and i["member"] not in members)]
                if len(kept) != len(items):
                    held[key], cleared = kept, True
    return cleared


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _names(steps: list[Step]) -> str:
    shown = [s.label or s.kind.replace("_", " ") for s in steps[:3]]
    more = f" and {len(steps) - 3} more" if len(steps) > 3 else ""
    return ", ".join(f"“{n}”" for n in shown) + more
