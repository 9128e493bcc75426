"""The audit trail: who did what to which case, and when.

Every event is one row of ``audit_events``, written in the same transaction (unit of work) as
the change it records, so a change is never stored without its event nor an event without its
change. The repository records creating, editing (with what changed), deleting and restoring a
case itself; whoever writes a file from a case or prints one records it here.

**Recording an export**: write the file with ``db.exports.export_file``, which records the
event (``record_export``) and puts the file in place in one transaction, so a file is never
written without its event (a read-only or locked database gets no file) nor an event kept
without its file. **Recording a print** (once the job is handed to the printer)::

    from db import audit

    with database.session() as session:
        audit.record_print(session, case.id, what="care plan", printer=printer_name)

The user is the name set in the preferences (``set_user_name``, called
by the GUI and the command line at start), else the operating-system login; the workstation
is the computer's host name.
"""

from __future__ import annotations

import dataclasses
import getpass
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, insert, select

from db import schema
from planner.damage import Unreadable
from planner.model import CarePlan, Case

#: What can happen to a case. "purged" is deleting for good (emptying the Deleted cases);
#: "settings" is a change to the settings shared through the database (an area's unit costs), no case's.
ACTIONS = ("created", "imported", "edited", "exported", "printed", "deleted", "restored", "purged",
           "settings")
#: How many ids a description of changes lists before "and N more".
_SHOWN = 5
_STORED = 50

_preferred_name: str | None = None
#: Where the preferred name comes from when none was set: asked once, on the first event recorded
#: (the command line reads the GUI's preferences only when it records something).
_name_source: Callable[[], str | None] | None = None


@dataclass(frozen=True)
class AuditEvent:
    """One event of the audit trail."""

    id: int
    at: datetime  # UTC, timezone-aware
    case_id: int | None
    case_title: str | None
    action: str
    user: str
    os_user: str | None
    workstation: str | None
    summary: str
    details: dict[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at.isoformat().replace("+00:00", "Z"), "case_id": self.case_id,
                "case_title": self.case_title, "action": self.action, "user": self.user,
                "os_user": self.os_user, "workstation": self.workstation, "summary": self.summary,
                "details": self.details}


# -- who -----------------------------------------------------------------------------------------
def set_user_name(name: str | None) -> None:
    """Use ``name`` (from the preferences) for the events recorded by this process; None or blank
    goes back to the operating-system login."""
    global _preferred_name, _name_source
    _preferred_name = (name or "").strip() or None
    _name_source = None


def set_user_name_source(source: Callable[[], str | None] | None) -> None:
    """Read the preferred name from ``source`` when the first event is recorded (not before)."""
    global _name_source
    _name_source = source


def os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no login name in the environment nor the passwd file
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"


def user_name() -> str:
    """Who is recorded: the name set in the preferences, else the operating-system login."""
    global _name_source
    if _name_source is not None:
        source, _name_source = _name_source, None
        set_user_name(source())
    return _preferred_name or os_user()


# -- writing -------------------------------------------------------------------------------------
def record(session: Connection, case_id: int | None, action: str, summary: str,
           details: Mapping[str, Any] | None = None, *, case_title: str | None = None) -> int:
    """Add one event to the audit trail, in the caller's transaction; returns its id.

    ``action`` is one of ACTIONS; ``summary`` is one short sentence a person reads in the case
    history ("Exported as PDF to plan.pdf"); ``details`` is JSON-able data for tools (file,
    format, what changed). ``case_title`` defaults to the case's current title (or name).
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r} (one of {', '.join(ACTIONS)})")
    import socket

    if case_title is None and case_id is not None:
        cases = schema.cases
        case_title = session.execute(
            select(func.coalesce(cases.c.title, cases.c.name)).where(cases.c.id == case_id)).scalar()
    statement = insert(schema.audit_events).values(
        at=datetime.now(UTC).replace(tzinfo=None), case_id=case_id, case_title=_clip(case_title, 200),
        action=action, user_name=_clip(user_name(), 200) or "unknown", os_user=_clip(os_user(), 100),
        workstation=_clip(socket.gethostname(), 200), summary=_clip(summary, 1000) or action,
        details=dict(details) if details is not None else None,
    ).returning(schema.audit_events.c.id)
    return int(session.execute(statement).scalar_one())


def record_export(session: Connection, case_id: int, *, format: str, file: str | Path,
                  anonymised: bool, what: str | None = None) -> int:
    """Record that a case was written to a file: ``format`` such as "case-file", "pdf", "fhir",
    "workshop-pack", "png"; ``file`` the path written; ``anonymised`` whether identifying details
    were left out; ``what`` the part of the case, if not all of it (e.g. "care plan")."""
    path = Path(file)
    shown = {"case-file": "a case file", "pdf": "PDF", "fhir": "FHIR"}.get(format, format)
    part = f"{what} " if what else ""
    summary = (f"Exported {part}as {shown}{' (anonymised)' if anonymised else ''} to {path.name}")
    details = {"format": format, "file": str(path.absolute()), "anonymised": anonymised}
    if what:
        details["what"] = what
    return record(session, case_id, "exported", summary, details)


def record_print(session: Connection, case_id: int, *, what: str, printer: str | None = None,
                 anonymised: bool = False) -> int:
    """Record that (part of) a case was printed: ``what`` such as "care plan" or "pathway map",
    ``printer`` the printer's name if known."""
    summary = f"Printed the {what}{' (anonymised)' if anonymised else ''}"
    if printer:
        summary += f" on {printer}"
    details: dict[str, Any] = {"what": what, "anonymised": anonymised}
    if printer:
        details["printer"] = printer
    return record(session, case_id, "printed", summary, details)


def record_settings(session: Connection, summary: str, details: Mapping[str, Any]) -> int:
    """Record a change to the settings shared through the database (no case's): ``summary`` one
    sentence ("Unit costs for Torbay: 2 set, 1 reset"), ``details`` what changed, with the values."""
    return record(session, None, "settings", summary, details)


# -- reading -------------------------------------------------------------------------------------
def history(session: Connection, case_id: int | None = None, *, limit: int | None = None) -> list[AuditEvent]:
    """Events of one case (or of every case), newest first."""
    events = schema.audit_events
    query = select(events).order_by(events.c.id.desc()).limit(limit)
    if case_id is not None:
        query = query.where(events.c.case_id == case_id)
    return [AuditEvent(id=r["id"], at=r["at"].replace(tzinfo=UTC), case_id=r["case_id"],
                       case_title=r["case_title"], action=r["action"], user=r["user_name"],
                       os_user=r["os_user"], workstation=r["workstation"], summary=r["summary"],
                       details=None if isinstance(r["details"], Unreadable) else r["details"])
            for r in session.execute(query).mappings()]  # damaged details are left out: the event stays


# -- what changed --------------------------------------------------------------------------------
def case_changes(before: Case, after: Case) -> dict[str, Any]:
    """A compact description of what an edit changed: field names and item ids, never values.

    ``{"fields": ["title"], "person": ["area"], "steps": {"added": ["s25"], "removed": [],
    "changed": {"s3": ["end"]}}, "care_plan": {"goals": {...}}}``; only what changed is present.
    """
    changes: dict[str, Any] = {}
    fields = [name for name in ("title", "extensions") if getattr(before, name) != getattr(after, name)]
    if fields:
        changes["fields"] = fields
    person = _changed_fields(before.person, after.person)
    if person:
        changes["person"] = person
    for name in ("organisations", "steps", "team"):
        listed = _keyed_changes(getattr(before, name), getattr(after, name))
        if listed:
            changes[name] = listed
    names = _Names(before, after)
    for name, label in (("coordinator", names.coordination), ("handoffs", names.handoff),
                        ("annotations", names.annotation)):
        listed = _unkeyed_changes(getattr(before, name), getattr(after, name), label)
        if listed:
            changes[name] = listed
    plan = _plan_changes(before.care_plan, after.care_plan)
    if plan:
        changes["care_plan"] = plan
    named = names.of_ids(changes)
    if named:
        changes["names"] = named  # what people read in the history: the ids' names, never values
    return changes


class _Names:
    """What the case history calls the items of a case, without copying what they say: steps by
    date and kind ("20 Jan 2024 · Admission"), organisations and team members by name, goals and
    actions by their place in the plan ("goal 2"). An item removed by the edit is named as it was.
    Only the items an edit mentions are named."""

    def __init__(self, before: Case, after: Case) -> None:
        self.items: dict[str, dict[str, Any]] = {"organisations": {}, "steps": {}, "team": {},
                                                 "goals": {}, "actions": {}}
        for case in (before, after):
            for group in ("organisations", "steps", "team"):
                self.items[group].update({item.id: item for item in getattr(case, group)})
            if case.care_plan is not None:
                for group in ("goals", "actions"):
                    self.items[group].update({item.id: (n, item) for n, item in
                                              enumerate(getattr(case.care_plan, group), start=1)})

    def name(self, group: str, item_id: str) -> str | None:
        from planner.dates import format_day
        from planner.reference import label

        item = self.items[group].get(item_id)
        if item is None:
            return None
        if group == "steps":
            return f"{format_day(item.start_date)} · {label('kind', item.kind)}"
        if group in ("goals", "actions"):
            return f"{group[:-1]} {item[0]}"
        return str(item.name)

    def step(self, step_id: str) -> str:
        return self.name("steps", step_id) or "a step"

    def coordination(self, item: Any) -> str:
        from planner.dates import format_day

        return f"{self.name('team', item.member) or 'a team member'} from {format_day(item.start)}"

    def handoff(self, item: Any) -> str:
        return f"{self.step(item.source)} → {self.step(item.target)}"

    def annotation(self, item: Any) -> str:
        steps = "; ".join(self.step(s) for s in item.steps) or "the whole case"
        return f"{item.rule} on {steps}"

    def of_ids(self, changes: Mapping[str, Any]) -> dict[str, str]:
        """The names of the ids the changes mention."""
        named: dict[str, str] = {}
        for group in ("organisations", "steps", "team"):
            named.update(self._named(group, changes.get(group, {})))
        plan = changes.get("care_plan") or {}
        for group in ("goals", "actions"):
            named.update(self._named(group, plan.get(group, {})))
        return named

    def _named(self, group: str, listed: Mapping[str, Any]) -> dict[str, str]:
        ids = [*listed.get("added", []), *listed.get("removed", []), *listed.get("changed", {})]
        named = {item: self.name(group, item) for item in ids}
        return {item: name for item, name in named.items() if name is not None}



def describe_changes(changes: Mapping[str, Any]) -> str:
    """One line for the case history: "title; person: area; steps: 1 added (3 Feb 2024 · Attendance),
    1 changed (20 Jan 2024 · Admission)", items named (by their ids only in events made before)."""
    if not changes:
        return "no changes"
    names: Mapping[str, str] = changes.get("names", {})
    parts: list[str] = []
    if "fields" in changes:
        parts.append(", ".join(changes["fields"]))
    if "person" in changes:
        parts.append(f"person: {', '.join(_words(f) for f in changes['person'])}")
    for name in ("organisations", "steps", "team", "coordinator", "handoffs", "annotations"):
        if name in changes:
            parts.append(f"{_words(name)}: {_describe_list(changes[name], names)}")
    plan = changes.get("care_plan")
    if plan:
        if plan.get("added"):
            parts.append("care plan added")
        elif plan.get("removed"):
            parts.append("care plan removed")
        else:
            inner = [", ".join(_words(f) for f in plan.get("fields", []))]
            inner += [f"{name}: {_describe_list(plan[name], names)}"
                      for name in ("goals", "actions") if name in plan]
            parts.append(f"care plan: {'; '.join(p for p in inner if p)}")
    return "; ".join(parts)


def _changed_fields(before: Any, after: Any) -> list[str]:
    return [f.name for f in dataclasses.fields(before)
            if f.compare and getattr(before, f.name) != getattr(after, f.name)]


def _keyed_changes(before: list[Any], after: list[Any]) -> dict[str, Any]:
    old = {item.id: item for item in before}
    new = {item.id: item for item in after}
    added = [key for key in new if key not in old]
    removed = [key for key in old if key not in new]
    changed = {key: _changed_fields(old[key], new[key]) for key in new
               if key in old and old[key] != new[key]}
    result = _added_removed(added, removed)
    if changed:
        result["changed"] = dict(list(changed.items())[:_STORED])
        if len(changed) > _STORED:
            result["changed_more"] = len(changed) - _STORED
    kept_before = [key for key in old if key in new]
    kept_after = [key for key in new if key in old]
    if kept_before != kept_after:
        result["reordered"] = True
    return result


def _unkeyed_changes(before: list[Any], after: list[Any], label: Any) -> dict[str, Any]:
    remaining = list(before)
    added: list[str] = []
    for item in after:
        if item in remaining:
            remaining.remove(item)
        else:
            added.append(label(item))
    return _added_removed(added, [label(item) for item in remaining])


def _plan_changes(before: CarePlan | None, after: CarePlan | None) -> dict[str, Any]:
    if before == after:
        return {}
    if before is None:
        return {"added": True}
    if after is None:
        return {"removed": True}
    result: dict[str, Any] = {}
    fields = [name for name in _changed_fields(before, after) if name not in ("goals", "actions")]
    if fields:
        result["fields"] = fields
    for name in ("goals", "actions"):
        listed = _keyed_changes(getattr(before, name), getattr(after, name))
        if listed:
            result[name] = listed
    return result


def _added_removed(added: list[str], removed: list[str]) -> dict[str, Any]:
    """The added and removed ids, at most _STORED of each, with how many more."""
    result: dict[str, Any] = {}
    for kind, items in (("added", added), ("removed", removed)):
        if items:
            result[kind] = items[:_STORED]
            if len(items) > _STORED:
                result[f"{kind}_more"] = len(items) - _STORED
    return result


def _describe_list(listed: Mapping[str, Any], names: Mapping[str, str]) -> str:
    parts = []
    for kind in ("added", "removed"):
        items = [names.get(item, item) for item in listed.get(kind, [])]
        if items:
            total = len(items) + int(listed.get(f"{kind}_more", 0))
            parts.append(f"{total} {kind} ({_ids(items, total)})")
    changed = [names.get(item, item) for item in listed.get("changed", {})]
    if changed:
        total = len(changed) + int(listed.get("changed_more", 0))
        parts.append(f"{total} changed ({_ids(changed, total)})")
    if listed.get("reordered"):
        parts.append("reordered")
    return ", ".join(parts)


def _ids(items: list[str], total: int) -> str:
    shown = ", ".join(items[:_SHOWN])
    return shown + (f" and {total - _SHOWN} more" if total > _SHOWN else "")


def _words(name: str) -> str:
    return name.replace("_", " ")


def _clip(text: str | None, length: int) -> str | None:
    if text is None:
        return None
    return text if len(text) <= length else text[: length - 1] + "…"
