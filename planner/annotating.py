"""The team's view of the findings: who annotated a finding and when, and the rules pinned as key.

The case file's annotations (``case.schema.json``) say what the team decided about a finding (rule,
steps, status, comment) but not who decided it or when, and have no way to pin a rule as a key
finding (DOMAIN.md section 3a). Pathway Planner keeps both in its record in the case's extensions
(``extensions.pathway_planner``, beside the care plan's history: see ``planner.careplan``)::

    "annotations_made": [{"rule": "M04", "steps": ["s8"], "status": "confirmed",
                          "by": "Maeve O'Brien", "at": "2026-12-03T14:20"}],
    "key_pins": [{"rule": "M07", "key": true, "by": "Maeve O'Brien", "at": "2026-12-03T14:21"}]

An entry of ``annotations_made`` belongs to the annotation with the same rule, set of steps, status
and comment; entries whose annotation has gone are dropped with it. For ``key_pins`` the latest
entry of a rule counts: ``key`` true pins it as a key finding, false takes it off them; a rule with no
entry follows the ranking. Every change is an edit through :func:`planner.editing.edit`, validated
like an import and undoable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from planner.careplan import change_record, record_data
from planner.dates import format_iso, parse_moment
from planner.editing import CaseData
from planner.model import RECORD_KEY, Annotation, Case, Moment

MADE = "annotations_made"
PINS = "key_pins"


@dataclass(frozen=True)
class Made:
    """Who made an annotation, and when."""

    by: str
    at: Moment


@dataclass(frozen=True)
class Pin:
    rule: str
    key: bool
    by: str
    at: Moment


@dataclass
class Pins:
    """The rules pinned as key and those taken off the key findings, with the latest entry of each."""

    pinned: set[str] = field(default_factory=set)
    unpinned: set[str] = field(default_factory=set)
    latest: dict[str, Pin] = field(default_factory=dict)


def _held(case: Case) -> dict[str, Any]:
    extensions = case.extensions if isinstance(case.extensions, dict) else {}
    held = extensions.get(RECORD_KEY)
    return held if isinstance(held, dict) else {}


def _moment(value: Any) -> Moment | None:
    try:
        return parse_moment(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _key(rule: Any, steps: Any, status: Any, comment: Any) -> tuple[Any, frozenset[str], Any, Any]:
    return rule, frozenset(s for s in steps or [] if isinstance(s, str)), status, comment or None


def made(case: Case, note: Annotation) -> Made | None:
    """Who made ``note`` and when (the latest matching entry), or None if not recorded."""
    wanted = _key(note.rule, note.steps, note.status, note.comment)
    entries = _held(case).get(MADE)
    found: Made | None = None
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        at = _moment(entry.get("at"))
        if at is not None and isinstance(entry.get("by"), str) and _key(
                entry.get("rule"), entry.get("steps"), entry.get("status"), entry.get("comment")) == wanted:
            found = Made(entry["by"], at)
    return found


def pins(case: Case) -> Pins:
    """The team's pins on ``case``: the latest entry for each rule."""
    result = Pins()
    entries = _held(case).get(PINS)
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        at = _moment(entry.get("at"))
        rule, key, by = entry.get("rule"), entry.get("key"), entry.get("by")
        if at is None or not isinstance(rule, str) or not isinstance(key, bool) or not isinstance(by, str):
            continue
        result.latest[rule] = Pin(rule, key, by, at)
    result.pinned = {rule for rule, pin in result.latest.items() if pin.key}
    result.unpinned = {rule for rule, pin in result.latest.items() if not pin.key}
    return result


def with_annotations(case: Case, annotations: Iterable[dict[str, Any]], by: str, at: datetime) -> Case:
    """``case`` with these annotations (case-file form): each one that is new is recorded as made
    by ``by`` at ``at``; the records of those that have gone are dropped."""
    wanted = list(annotations)
    before = {_key(a.rule, a.steps, a.status, a.comment) for a in case.annotations}
    kept_keys = {_key(a.get("rule"), a.get("steps"), a.get("status"), a.get("comment")) for a in wanted}
    stamp = format_iso(at.replace(second=0, microsecond=0))

    def change(data: CaseData) -> None:
        data["annotations"] = wanted
        record = record_data(data)
        entries = [e for e in record.get(MADE, []) if isinstance(e, dict) and _key(
            e.get("rule"), e.get("steps"), e.get("status"), e.get("comment")) in kept_keys]
        for note in wanted:
            if _key(note.get("rule"), note.get("steps"), note.get("status"), note.get("comment")) in before:
                continue
            entry = {"rule": note["rule"], "steps": list(note.get("steps") or []), "status": note["status"],
                     "by": by, "at": stamp}
            if note.get("comment"):
                entry["comment"] = note["comment"]
            entries.append(entry)
        record[MADE] = entries

    return change_record(case, change)


def with_pin(case: Case, rule: str, key: bool | None, by: str, at: datetime) -> Case:
    """``case`` with ``rule`` pinned as a key finding (True), taken off them (False), or left to the
    ranking again (None: its entries removed), recorded with who and when."""
    stamp = format_iso(at.replace(second=0, microsecond=0))

    def change(data: CaseData) -> None:
        record = record_data(data)
        entries = [e for e in record.get(PINS, []) if not (isinstance(e, dict) and e.get("rule") == rule)]
        if key is not None:
            entries.append({"rule": rule, "key": key, "by": by, "at": stamp})
        record[PINS] = entries

    return change_record(case, change)
