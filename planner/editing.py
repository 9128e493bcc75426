"""Editing a case: each edit makes a new case and says what, if anything, it would break.

An edit is a change to the case's case-file form: it is validated with the same rules as
case-file import, and only the problems the edit introduces count. With none, the edited case
is built; with any, ``EditRejected`` lists them by JSON path so the editor can show each against
its field. The case given is never changed, so an undo stack can keep both; nothing invalid is
ever applied.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from planner.casefile import case_to_dict
from planner.convert import from_json
from planner.model import RECORD_KEY, Case
from planner.validation import Problem, validate

CaseData = dict[str, Any]


@dataclass(frozen=True)
class Collection:
    """A list in a case: where it lives in the case file, its noun and its id prefix."""

    name: str
    noun: str
    id_prefix: str | None
    in_plan: bool = False

    @property
    def path(self) -> str:
        return f"$.care_plan.{self.name}" if self.in_plan else f"$.{self.name}"

    def items(self, data: CaseData) -> list[Any]:
        """The collection's list in case-file data, created if absent."""
        holder = data.setdefault("care_plan", {}) if self.in_plan else data
        result: list[Any] = holder.setdefault(self.name, [])
        return result


COLLECTIONS = {c.name: c for c in [
    Collection("organisations", "organisation", "org"),
    Collection("team", "team member", "m"),
    Collection("coordinator", "coordinator period", None),
    Collection("steps", "step", "s"),
    Collection("handoffs", "handoff", None),
    Collection("goals", "goal", "g", in_plan=True),
    Collection("actions", "action", "a", in_plan=True),
    Collection("annotations", "annotation", None),
]}


class EditRejected(ValueError):
    """An edit that would make the case invalid; ``problems`` says why, by JSON path."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


#: The parts of the care plan that team members agree to: changing any of them makes the plan a
#: draft again (planner.careplan).
PLAN_CONTENT = ("goals", "actions", "contingency", "review_on")


def _content(data: CaseData) -> list[Any]:
    plan = data.get("care_plan")
    plan = plan if isinstance(plan, dict) else {}
    return [plan.get(key) or None for key in PLAN_CONTENT]


def _clear_agreement_if_changed(before: CaseData, after: CaseData) -> None:
    """Agreement is to the plan's wording: when that changes, the sign-offs no longer hold."""
    plan = after.get("care_plan")
    if not isinstance(plan, dict) or not plan.get("signed_off_by") or _content(before) == _content(after):
        return
    del plan["signed_off_by"]
    extensions = after.get("extensions")
    held = extensions.get(RECORD_KEY) if isinstance(extensions, dict) else None
    if isinstance(held, dict) and "sign_offs" in held:
        del held["sign_offs"]
        if not held:
            del extensions[RECORD_KEY]  # type: ignore[union-attr]
        if not extensions:
            del after["extensions"]


def edit(case: Case, change: Callable[[CaseData], None]) -> Case:
    """The case after ``change`` (applied to a copy of its case-file data), if valid.

    A change to what the care plan says clears the plan's sign-offs (they agreed other words)."""
    before = case_to_dict(case)
    after = copy.deepcopy(before)
    change(after)
    _clear_agreement_if_changed(before, after)
    old = set(validate(before))
    problems = [p for p in validate(after) if p not in old]
    if problems:
        raise EditRejected(problems)
    new = from_json(Case, {k: v for k, v in after.items() if k not in ("format", "version")})
    new.id = case.id
    return new


def next_id(case: Case, collection: str) -> str:
    """A fresh id for a new item: the prefix and one more than the highest number in use."""
    info = COLLECTIONS[collection]
    prefix = info.id_prefix or "x"
    items = info.items(case_to_dict(case))
    numbers = [int(m.group(1)) for item in items
               if (m := re.fullmatch(re.escape(prefix) + r"(\d+)", str(item.get("id", ""))))]
    return f"{prefix}{max(numbers, default=0) + 1}"


def item_data(case: Case, collection: str, index: int) -> dict[str, Any]:
    """One item in case-file form."""
    result: dict[str, Any] = COLLECTIONS[collection].items(case_to_dict(case))[index]
    return result


def put(case: Case, collection: str, index: int | None, data: dict[str, Any]) -> Case:
    """The case with item ``index`` replaced by ``data`` (None: ``data`` appended)."""
    def change(case_data: CaseData) -> None:
        items = COLLECTIONS[collection].items(case_data)
        if index is None:
            items.append(data)
        else:
            items[index] = data
    return edit(case, change)


def remove(case: Case, collection: str, index: int) -> Case:
    return edit(case, lambda data: COLLECTIONS[collection].items(data).pop(index) and None)


def with_person(case: Case, title: str | None, person: dict[str, Any]) -> Case:
    def change(data: CaseData) -> None:
        data["person"] = person
        if title:
            data["title"] = title
        else:
            data.pop("title", None)
    return edit(case, change)


#: The care plan's own fields a form edits; the version, its date and sign-offs are recorded by
#: agreeing the plan (planner.careplan), not typed in.
PLAN_FIELDS = ("review_on", "contingency")


def with_plan(case: Case, fields: dict[str, Any], keys: tuple[str, ...] = PLAN_FIELDS) -> Case:
    """The care plan with ``keys`` set from ``fields`` (a key missing from ``fields`` is cleared)."""
    def change(data: CaseData) -> None:
        plan = data.setdefault("care_plan", {})
        for key in keys:
            plan.pop(key, None)
        plan.update({k: v for k, v in fields.items() if k in keys})
    return edit(case, change)


def with_annotations(case: Case, annotations: list[dict[str, Any]]) -> Case:
    return edit(case, lambda data: data.__setitem__("annotations", annotations))


def item_path(collection: str, index: int) -> str:
    return f"{COLLECTIONS[collection].path}[{index}]"


def field_problems(problems: list[Problem], base: str) -> tuple[dict[str, str], list[str]]:
    """Split problems into those on a field under ``base`` (keyed "end", "frailty.score"...)
    and the rest, as sentences."""
    fields: dict[str, str] = {}
    other: list[str] = []
    for problem in problems:
        if problem.path.startswith(base + "."):
            key = re.sub(r"\[\d+\]$", "", problem.path[len(base) + 1:])
            fields.setdefault(key, problem.message)
        elif problem.path == base:
            other.append(problem.message)
        else:
            other.append(str(problem))
    return fields, other
