"""Problems as people read them: where in the case, and who or what, by name, never by id or path.

Validation reports a problem at a JSON path with the values it found (``$.coordinator[0].member:
'sw1' is not a team member``): right for a file being imported, whose paths point into the file, but
not for someone editing a case on screen. :func:`in_words` says the same thing by name: "Care
coordinator, period 1, who: 'sw1' is not a team member" becomes, when ``sw1`` is Sam Ward on the
team, "Care coordinator, period 1, who: Sam Ward is not a team member"; a step is named by its date
and label, an organisation or a team member by name, a goal or an action by its place and first words.
An id that names nothing in the case (a dangling reference) stays quoted as it was typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from planner.casefile import case_to_dict
from planner.model import Case, moment_date
from planner.validation import Problem

_TOKENS = re.compile(r"\.(\w+)|\[(\d+)\]")
_QUOTED = re.compile(r"'([^'\s]{1,64})'")

#: How a field of a case is said after the item it belongs to.
FIELD_WORDS = {"member": "who", "from": "from", "to": "to", "named_receiver": "named receiver",
               "ready_for_discharge": "ready for discharge", "in_my_words": "in her words",
               "signed_off_by": "signed off by", "target_date": "target date", "review_on": "review date"}


def _field(name: str) -> str:
    return FIELD_WORDS.get(name, name.replace("_", " "))


def _short(text: Any, words: int = 6) -> str:
    parts = str(text or "").split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


class Namer:
    """Names of the items of one case (from its case-file form), by id and by place."""

    def __init__(self, data: dict[str, Any]) -> None:
        from planner.dates import format_day, parse_moment
        from planner.reference import label

        self.data = data
        self.names: dict[str, str] = {}
        for org in data.get("organisations") or []:
            if isinstance(org, dict) and isinstance(org.get("id"), str):
                self.names[org["id"]] = str(org.get("name") or "an organisation")
        for member in data.get("team") or []:
            if isinstance(member, dict) and isinstance(member.get("id"), str):
                self.names[member["id"]] = str(member.get("name") or "a team member")
        for step in data.get("steps") or []:
            if isinstance(step, dict) and isinstance(step.get("id"), str):
                try:
                    when = format_day(moment_date(parse_moment(step["start"])))
                except (ValueError, TypeError, KeyError):
                    when = "a date not recorded"
                text = step.get("label") if isinstance(step.get("label"), str) else ""
                what = _short(text, 8) or label("kind", str(step.get("kind")))
                self.names[step["id"]] = f"{when} · {what}"
        held = data.get("care_plan")
        plan: dict[str, Any] = held if isinstance(held, dict) else {}
        for key, noun, text in (("goals", "goal", "in_my_words"), ("actions", "action", "description")):
            for number, item in enumerate(plan.get(key) or [], start=1):
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    self.names[item["id"]] = f"{noun} {number} (“{_short(item.get(text))}”)"

    def name(self, item_id: Any) -> str:
        return self.names.get(item_id, f"'{item_id}'") if isinstance(item_id, str) else str(item_id)

    def _item(self, collection: Any, index: int) -> dict[str, Any]:
        """The object at ``collection[index]``, or {} (a refused file may hold anything there)."""
        ok = isinstance(collection, list) and 0 <= index < len(collection)
        item = collection[index] if ok else None
        return item if isinstance(item, dict) else {}

    def place(self, path: str) -> str:
        """Where ``path`` points, in words: "Step “20 Jan 2024 · Emergency admission”, end"."""
        if not path.startswith("$."):
            return path
        tokens = [(key, int(number) if number else None) for key, number in _TOKENS.findall(path)]
        head, fields = self._head(tokens)
        return ", ".join([head, *(_field(f) for f in fields)]) if head else path

    def _head(self, tokens: list[tuple[str, int | None]]) -> tuple[str, list[str]]:
        if not tokens:
            return "", []
        first = tokens[0][0]
        fields = [key for key, number in tokens[1:] if key]
        data = self.data
        if first in ("organisations", "team", "steps") and len(tokens) > 1 and tokens[1][1] is not None:
            position = tokens[1][1]
            item = self._item(data.get(first) or [], position)
            noun = {"organisations": "Organisation", "team": "Team member", "steps": "Step"}[first]
            named = self.names.get(item.get("id", ""), f"number {position + 1}")
            return f"{noun} {named if named.startswith('number') else '“' + named + '”'}", fields[0:]
        if first == "coordinator" and len(tokens) > 1 and tokens[1][1] is not None:
            return f"Care coordinator, period {tokens[1][1] + 1}", fields
        if first == "handoffs" and len(tokens) > 1 and tokens[1][1] is not None:
            item = self._item(data.get("handoffs") or [], tokens[1][1])
            return (f"Handoff from {self._quoted(item.get('from'))} to {self._quoted(item.get('to'))}",
                    fields)
        if first == "annotations" and len(tokens) > 1 and tokens[1][1] is not None:
            item = self._item(data.get("annotations") or [], tokens[1][1])
            return f"The team's note on {item.get('rule', 'a finding')}", fields
        if first == "care_plan":
            rest = tokens[1:]
            if len(rest) >= 2 and rest[0][0] in ("goals", "actions") and rest[1][1] is not None:
                held = data.get("care_plan")
                plan: dict[str, Any] = held if isinstance(held, dict) else {}
                item = self._item(plan.get(rest[0][0]) or [], rest[1][1])
                noun = "Goal" if rest[0][0] == "goals" else "Action"
                named = self.names.get(item.get("id", ""), f"{noun.lower()} {rest[1][1] + 1}")
                return named[:1].upper() + named[1:], [key for key, number in rest[2:] if key]
            return "Care plan", [key for key, number in rest if key]
        if first == "person":
            return "Person", fields
        if first == "extensions":
            return "The team's record", []
        return first.replace("_", " ").capitalize(), fields

    def _quoted(self, item_id: Any) -> str:
        if not isinstance(item_id, str):
            return "a step"
        named = self.names.get(item_id)
        return f"“{named}”" if named else f"'{item_id}'"

    def message(self, text: str) -> str:
        """``text`` with each quoted id of the case replaced by its name."""
        return _QUOTED.sub(lambda m: self.names.get(m.group(1), m.group(0)), text)


def in_words(problems: Iterable[Problem], case: Case | dict[str, Any]) -> list[str]:
    """Each problem as one sentence a person reads, about ``case`` (or its case-file form)."""
    namer = Namer(case if isinstance(case, dict) else case_to_dict(case))
    result = []
    for problem in problems:
        message = namer.message(problem.message)
        if problem.path.startswith("$form") or problem.path == "$":
            result.append(message[:1].upper() + message[1:])
        else:
            result.append(f"{namer.place(problem.path)}: {message}")
    return result
