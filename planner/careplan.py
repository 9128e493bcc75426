"""The team's own record of the care plan: sign-offs with dates, agreed versions, who has left.

The case file (``case.schema.json``) says who signed off the current plan but not when, keeps no
earlier versions and has no way to say that a team member has left. Pathway Planner keeps those
in the case's ``extensions`` under :data:`RECORD_KEY`, so they travel with the case file and
survive a round trip through any tool that keeps extensions as they are::

    "extensions": {"pathway_planner": {
        "left_team": [{"member": "m4", "on": "2024-06-01", "reason": "Moved to another team"}],
        "sign_offs": [{"member": "gp1", "on": "2024-05-07"}],
        "plan_versions": [{"version": 2, "agreed_on": "2024-05-07", "sign_offs": [...],
                           "plan": {...}, "team": [...], "coordinator": "dn1",
                           "what_matters": "..."}]}}

An agreed version is a frozen snapshot: the plan as agreed (goals, actions, contingency, review
date), the team as it then was (so owners and contacts still read as they did), who agreed it and
when. Changing the plan's content afterwards makes it a draft again and clears the sign-offs:
agreement to the old wording does not carry over to the new (see :func:`planner.editing.edit`).

Every change here is an edit through :func:`planner.editing.edit`, so it is validated like an
import and can be undone; a request that makes no sense (a coordinator who is not on the team, a
sign-off dated before the plan it agrees) raises :class:`~planner.editing.EditRejected` with a
message for the user.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from planner import describe
from planner.casefile import case_to_dict
from planner.convert import from_json
from planner.damage import in_range
from planner.dates import format_day, parse_date
from planner.editing import PLAN_CONTENT, CaseData, EditRejected, edit
from planner.model import RECORD_KEY, Case, Member
from planner.reference import label
from planner.validation import Problem

#: A review this many days away or nearer is highlighted.
REVIEW_SOON_DAYS = 14
CLOSED_ACTION = ("done", "cancelled")


@dataclass
class Departure:
    """A team member who has left the team (kept, so history and old versions still name them)."""

    member: str
    on: date
    reason: str | None = None


@dataclass
class SignOff:
    member: str
    on: date


@dataclass
class SignedBy:
    """Who agreed a frozen version: their name and role as they were then."""

    name: str
    role: str
    on: date | None = None


@dataclass
class PlanVersion:
    version: int
    agreed_on: date
    sign_offs: list[SignedBy] = field(default_factory=list)
    #: The care plan as agreed, in case-file form (goals, actions, contingency, review_on).
    plan: dict[str, Any] = field(default_factory=dict)
    #: The team as it then was, in case-file form, plus ``organisation_name``.
    team: list[dict[str, Any]] = field(default_factory=list)
    coordinator: str | None = None
    what_matters: str | None = None


@dataclass
class TeamRecord:
    left_team: list[Departure] = field(default_factory=list)
    sign_offs: list[SignOff] = field(default_factory=list)
    plan_versions: list[PlanVersion] = field(default_factory=list)

    def departure(self, member_id: str) -> Departure | None:
        return next((d for d in self.left_team if d.member == member_id), None)

    def signed_on(self, member_id: str) -> date | None:
        return next((s.on for s in self.sign_offs if s.member == member_id), None)

    def version(self, number: int) -> PlanVersion | None:
        return next((v for v in self.plan_versions if v.version == number), None)

    @property
    def latest(self) -> PlanVersion | None:
        return max(self.plan_versions, key=lambda v: v.version, default=None)


def record(case: Case) -> TeamRecord:
    """The team record kept with ``case``: empty if there is none, or if it cannot be read (a
    stored case's damaged record is left out when it is loaded: see :func:`record_problem`)."""
    raw = (case.extensions or {}).get(RECORD_KEY)
    if not isinstance(raw, dict) or record_problem(raw) is not None:
        return TeamRecord()
    return from_json(TeamRecord, raw)


def record_problem(raw: Any) -> str | None:
    """Why a stored team record cannot be read, in words ("a sign-off date is not a real date"),
    or None if every part the app reads is in the form it keeps it."""
    if not isinstance(raw, dict):
        return "it is not in the form Pathway Planner keeps it"
    parts: list[tuple[str, str, str, str]] = [
        ("left_team", "on", "the date someone left the team", "the record of who left the team"),
        ("sign_offs", "on", "a sign-off date", "the record of sign-offs")]
    for key, date_key, what, whole in parts:
        items = raw.get(key, [])
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            return f"{whole} is not in the form Pathway Planner keeps it"
        for item in items:
            if not isinstance(item.get("member"), str):
                return f"an entry in {whole} names no team member"
            if not _is_date(item.get(date_key)):
                return f"{what} is not a real date from 1900 to 2100"
            if not isinstance(item.get("reason"), (str, type(None))):
                return "the reason someone left the team is not text"
    versions = raw.get("plan_versions", [])
    if not isinstance(versions, list) or not all(isinstance(v, dict) for v in versions):
        return "the agreed versions are not in the form Pathway Planner keeps them"
    for kept in versions:
        number = kept.get("version")
        if not isinstance(number, int) or isinstance(number, bool):
            return "an agreed version has no version number"
        problem = _version_problem(kept)
        if problem is not None:
            return f"{problem} in version {number}"
    return None


def _version_problem(kept: dict[str, Any]) -> str | None:
    if not _is_date(kept.get("agreed_on")):
        return "the date it was agreed is not a real date from 1900 to 2100"
    signed = kept.get("sign_offs", [])
    if not isinstance(signed, list) or not all(
            isinstance(s, dict) and isinstance(s.get("name"), str) and isinstance(s.get("role"), str)
            and (s.get("on") is None or _is_date(s.get("on"))) for s in signed):
        return "a sign-off is not a name, a role and a real date"
    plan = kept.get("plan", {})
    if not isinstance(plan, dict):
        return "the plan as agreed is not in the form Pathway Planner keeps it"
    for key, date_key in (("goals", "target_date"), ("actions", "due")):
        items = plan.get(key) or []
        if not isinstance(items, list) or not all(isinstance(i, dict) and isinstance(i.get("id"), str)
                                                  for i in items):
            return f"the {key} as agreed are not in the form Pathway Planner keeps them"
        for item in items:
            if item.get(date_key) is not None and not _is_date(item.get(date_key)):
                return f"a date in the {key} as agreed is not a real date from 1900 to 2100"
            texts = [v for k, v in item.items() if k != date_key]
            if not all(isinstance(v, (str, type(None))) for v in texts):
                return f"the {key} as agreed are not text"
    for key in ("contingency", "review_on"):
        if plan.get(key) is not None and not isinstance(plan.get(key), str):
            return "the plan as agreed is not in the form Pathway Planner keeps it"
    if plan.get("review_on") is not None and not _is_date(plan.get("review_on")):
        return "the review date as agreed is not a real date from 1900 to 2100"
    team = kept.get("team", [])
    if not isinstance(team, list) or not all(
            isinstance(m, dict) and isinstance(m.get("id"), str) and isinstance(m.get("name"), str)
            for m in team):
        return "the team as it then was is not in the form Pathway Planner keeps it"
    for key in ("coordinator", "what_matters"):
        if not isinstance(kept.get(key), (str, type(None))):
            return "the team as it then was is not in the form Pathway Planner keeps it"
    return None


def _is_date(value: Any) -> bool:
    """Whether a stored value is a date the app can compute with (1900 to 2100)."""
    if not isinstance(value, str):
        return False
    try:
        return in_range(parse_date(value))
    except ValueError:
        return False


def record_data(data: CaseData) -> dict[str, Any]:
    """The record's dict inside case-file data, created if absent."""
    extensions = data.setdefault("extensions", {})
    result: dict[str, Any] = extensions.setdefault(RECORD_KEY, {})
    return result


def _tidy(data: CaseData) -> None:
    """Drop empty parts of the record (and the record, and extensions) so files stay clean."""
    extensions = data.get("extensions")
    if not isinstance(extensions, dict):
        return
    held = extensions.get(RECORD_KEY)
    if isinstance(held, dict):
        for key in [k for k, v in held.items() if v in ([], None)]:
            del held[key]
        if not held:
            del extensions[RECORD_KEY]
    if not extensions:
        del data["extensions"]


def _rejected(path: str, message: str) -> EditRejected:
    return EditRejected([Problem(path, message)])


def change_record(case: Case, change: Callable[[CaseData], None]) -> Case:
    """``case`` after ``change`` to its case-file data (through :func:`planner.editing.edit`), with
    the record's empty parts dropped."""
    def wrapped(data: CaseData) -> None:
        change(data)
        _tidy(data)
    return edit(case, wrapped)


# -- the team ------------------------------------------------------------------------------
def has_left(case: Case, member_id: str) -> bool:
    return record(case).departure(member_id) is not None


def active_team(case: Case) -> list[Member]:
    """The team members who have not left, in team order."""
    gone = {d.member for d in record(case).left_team}
    return [m for m in case.team if m.id not in gone]


def _active_member(case: Case, member_id: str, path: str) -> Member:
    member = case.member(member_id)
    if member is None:
        raise _rejected(path, f"'{member_id}' is not on the team")
    departure = record(case).departure(member_id)
    if departure is not None:
        raise _rejected(path, f"{member.name} left the team on {format_day(departure.on)}")
    return member


def member_leaves(case: Case, member_id: str, on: date, reason: str | None = None) -> Case:
    """Record that a member has left the team on ``on``. They stay in the history."""
    member = _active_member(case, member_id, "$.team")
    period = case.current_coordinator()
    if period is not None and period.member == member_id and on < period.start:
        raise _rejected("on", f"{member.name} became care coordinator on {format_day(period.start)}, "
                              "after that date")

    def change(data: CaseData) -> None:
        entry: dict[str, Any] = {"member": member_id, "on": on.isoformat()}
        if reason and reason.strip():
            entry["reason"] = reason.strip()
        record_data(data).setdefault("left_team", []).append(entry)
    return change_record(case, change)


def member_returns(case: Case, member_id: str) -> Case:
    """Undo a departure: the member is back on the team."""
    if not has_left(case, member_id):
        raise _rejected("$.team", f"'{member_id}' has not left the team")

    def change(data: CaseData) -> None:
        held = record_data(data)
        held["left_team"] = [d for d in held.get("left_team", []) if d.get("member") != member_id]
    return change_record(case, change)


# -- the care coordinator ------------------------------------------------------------------
def assign_coordinator(case: Case, member_id: str, start: date, reason: str) -> Case:
    """Name ``member_id`` care coordinator from ``start``, closing the current holder's period
    that day. A reason is required whenever the role passes from one person to another."""
    member = _active_member(case, member_id, "member")
    current = case.current_coordinator()
    reason = reason.strip()
    if current is not None:
        if current.member == member_id:
            raise _rejected("member", f"{member.name} is already the care coordinator")
        if start < current.start:
            raise _rejected("from", "the new coordinator cannot start before the current one did "
                                    f"({format_day(current.start)})")
        if not reason:
            raise _rejected("reason", "say why the care coordinator is changing")
    latest_end = max((c.end for c in case.coordinator if c.end is not None), default=None)
    if latest_end is not None and start < latest_end:
        raise _rejected("from", f"an earlier coordinator held the role until {format_day(latest_end)}")

    def change(data: CaseData) -> None:
        periods = data.setdefault("coordinator", [])
        for period in periods:
            if period.get("to") is None:
                period["to"] = start.isoformat()
        new: dict[str, Any] = {"member": member_id, "from": start.isoformat(), "to": None}
        if reason:
            new["reason"] = reason
        periods.append(new)
    return change_record(case, change)


def coordinator_warning(case: Case) -> str | None:
    """Why the case has no working care coordinator, in words; None when it has one."""
    period = case.current_coordinator()
    if period is None:
        return describe.words("No care coordinator: nobody is named to coordinate {their} care.",
                              case.person)
    member = case.member(period.member)
    departure = record(case).departure(period.member)
    if member is None or departure is not None:
        name = member.name if member else period.member
        when = f" on {format_day(departure.on)}" if departure else ""
        return f"The care coordinator, {name}, has left the team{when}. Name a new coordinator."
    return None


# -- sign-off and versions -----------------------------------------------------------------
def _plan_data(data: CaseData) -> dict[str, Any]:
    plan = data.get("care_plan")
    if not isinstance(plan, dict):
        raise _rejected("$.care_plan", "there is no care plan yet")
    return plan


def record_sign_off(case: Case, member_id: str, on: date) -> Case:
    """Record that a team member agrees the plan as it now reads."""
    member = _active_member(case, member_id, "member")
    plan = case.care_plan
    if plan is None:
        raise _rejected("$.care_plan", "there is no care plan yet")
    if member_id in plan.signed_off_by:
        raise _rejected("member", f"{member.name} has already agreed this plan")
    latest = record(case).latest
    if latest is not None and on < latest.agreed_on:
        raise _rejected("on", f"version {latest.version} was agreed on {format_day(latest.agreed_on)}: "
                              "an agreement to the plan since then cannot be dated earlier")

    def change(data: CaseData) -> None:
        _plan_data(data).setdefault("signed_off_by", []).append(member_id)
        record_data(data).setdefault("sign_offs", []).append({"member": member_id, "on": on.isoformat()})
    return change_record(case, change)


def withdraw_sign_off(case: Case, member_id: str) -> Case:
    plan = case.care_plan
    if plan is None or member_id not in plan.signed_off_by:
        raise _rejected("member", "that team member has not agreed the plan")

    def change(data: CaseData) -> None:
        plan_data = _plan_data(data)
        plan_data["signed_off_by"] = [m for m in plan_data.get("signed_off_by", []) if m != member_id]
        if not plan_data["signed_off_by"]:
            del plan_data["signed_off_by"]
        held = record_data(data)
        held["sign_offs"] = [s for s in held.get("sign_offs", []) if s.get("member") != member_id]
    return change_record(case, change)


def plan_content(plan: dict[str, Any] | None) -> dict[str, Any]:
    """The parts of a care plan (case-file form) that an agreement covers."""
    plan = plan or {}
    return {key: plan.get(key) or ([] if key in ("goals", "actions") else None) for key in PLAN_CONTENT}


def changed_since_agreed(case: Case) -> bool:
    """Whether the plan's content differs from the latest agreed version (False if none kept)."""
    latest = record(case).latest
    if latest is None or case.care_plan is None:
        return False
    return plan_content(case_to_dict(case).get("care_plan")) != plan_content(latest.plan)


def next_version(case: Case) -> int:
    kept = record(case).latest
    return max(case.care_plan.version or 0 if case.care_plan else 0, kept.version if kept else 0) + 1


def why_not_agree(case: Case) -> str | None:
    """Why the plan cannot be agreed as a new version now, or None if it can."""
    plan = case.care_plan
    if plan is None:
        return "there is no care plan yet"
    if not plan.signed_off_by:
        return "record who agrees the plan before agreeing a version"
    latest = record(case).latest
    if latest is not None and not changed_since_agreed(case) and not team_changes(case, latest.version):
        agreed = {(s.name, s.role) for s in latest.sign_offs}
        now = {(m.name, m.role) for m in (case.member(i) for i in plan.signed_off_by) if m}
        if now <= agreed:
            return f"nothing has changed since version {latest.version} was agreed"
    return None


def agree_version(case: Case, on: date) -> Case:
    """Freeze the plan as it reads now, with its sign-offs, as the next version agreed on ``on``."""
    plan = case.care_plan
    if plan is None:
        raise _rejected("$.care_plan", "there is no care plan yet")
    if not plan.signed_off_by:
        raise _rejected("$.care_plan.signed_off_by",
                        "record who agrees the plan before agreeing a version")
    held = record(case)
    latest = held.latest
    if latest is not None and on < latest.agreed_on:
        raise _rejected("on", f"version {latest.version} was agreed on {format_day(latest.agreed_on)}")
    reason = why_not_agree(case)
    if reason is not None:
        raise _rejected("$.care_plan", reason)
    number = next_version(case)
    data = case_to_dict(case)
    organisations = {o["id"]: o["name"] for o in data.get("organisations", [])}
    team = [{**m, "organisation_name": organisations.get(m.get("organisation", ""))}
            for m in data.get("team", [])]
    current = case.current_coordinator()
    snapshot: dict[str, Any] = {
        "version": number, "agreed_on": on.isoformat(),
        "sign_offs": [{"name": m.name, "role": m.role,
                       "on": (held.signed_on(m.id) or on).isoformat()}
                      for m in (case.member(i) for i in plan.signed_off_by) if m is not None],
        "plan": {k: v for k, v in copy.deepcopy(plan_content(data.get("care_plan"))).items()
                 if v not in (None, [])},
        "team": [{k: v for k, v in m.items() if v is not None} for m in team],
        "coordinator": current.member if current else None,
        "what_matters": case.person.what_matters,
    }

    def change(case_data: CaseData) -> None:
        plan_data = _plan_data(case_data)
        plan_data["version"] = number
        plan_data["agreed_on"] = on.isoformat()
        record_data(case_data).setdefault("plan_versions", []).append(snapshot)
    return change_record(case, change)


# -- flags -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReviewStatus:
    text: str
    level: str  # "none", "ok", "soon", "overdue"


def review_status(review_on: date | None, today: date) -> ReviewStatus:
    if review_on is None:
        return ReviewStatus("No review date set", "none")
    days = (review_on - today).days
    if days < 0:
        return ReviewStatus(f"Review overdue since {format_day(review_on)}", "overdue")
    if days == 0:
        return ReviewStatus("Review due today", "soon")
    if days <= REVIEW_SOON_DAYS:
        return ReviewStatus(f"Review due in {days} day{'s' if days != 1 else ''} "
                            f"({format_day(review_on)})", "soon")
    return ReviewStatus(f"Review due {format_day(review_on)}", "ok")


@dataclass(frozen=True)
class Flag:
    """Something about an action that needs the team's attention: a short label and a sentence."""

    short: str
    text: str


def action_flags(case: Case, action_id: str, today: date, held: TeamRecord | None = None) -> list[Flag]:
    """What needs attention on an action: its owner has left, or it is past its due date.
    ``held`` is the case's record when the caller has it already (a table asking per row)."""
    plan = case.care_plan
    action = next((a for a in plan.actions if a.id == action_id), None) if plan else None
    if action is None:
        return []
    flags: list[Flag] = []
    if action.owner is not None:
        departure = (held or record(case)).departure(action.owner)
        member = case.member(action.owner)
        if departure is not None and member is not None:
            flags.append(Flag("Owner left", f"{member.name}, who owns it, left the team on "
                                            f"{format_day(departure.on)}"))
    if action.due is not None and action.due < today and action.status not in CLOSED_ACTION:
        flags.append(Flag("Overdue", f"Overdue: it was due by {format_day(action.due)}"))
    return flags


# -- comparing versions ----------------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    kind: str  # "added", "changed", "removed"
    what: str  # "Goal", "Action", "If I become unwell", "Review date"
    text: str
    details: tuple[str, ...] = ()

    def __str__(self) -> str:
        lines = [f"{self.kind.capitalize()} {describe.inline(self.what)}: {self.text}"]
        lines += [f"  {d}" for d in self.details]
        return "\n".join(lines)


def _people(team: list[dict[str, Any]], organisations: dict[str, str]) -> dict[str, str]:
    names = {m["id"]: f"{m['name']} ({label('role', m.get('role'))})" for m in team if "id" in m}
    return {**organisations, **names}


def _goal_fields(goal: dict[str, Any], _goals: dict[str, str], _owners: dict[str, str]) -> dict[str, str]:
    return {"In their words": goal.get("in_my_words") or "",
            "How we will know": goal.get("outcome") or "",
            "By": format_day(_day(goal.get("target_date"))),
            "Status": label("goal_status", goal.get("status")) if goal.get("status") else ""}


def _action_fields(action: dict[str, Any], goals: dict[str, str], owners: dict[str, str]) -> dict[str, str]:
    owner = action.get("owner")
    return {"What": action.get("description") or "",
            "Who": owners.get(owner, owner) if owner else "No owner",
            "By": format_day(_day(action.get("due"))),
            "How often": action.get("frequency") or "",
            "Status": label("action_status", action.get("status")) if action.get("status") else "",
            "For the goal": goals.get(action.get("goal") or "", "")}


def _day(value: Any) -> date | None:
    """A date kept in case-file form in the record; None if absent (or, stored damaged, not a date)."""
    if not isinstance(value, str):
        return None
    try:
        return parse_date(value)
    except ValueError:
        return None


def compare_plans(old: dict[str, Any], new: dict[str, Any], old_people: dict[str, str],
                  new_people: dict[str, str]) -> list[Change]:
    """What changed between two plans (case-file form): goals and actions matched by id, then the
    contingency plan and the review date. ``*_people`` name each owner id."""
    changes: list[Change] = []
    kinds: list[tuple[str, str, str, Callable[..., dict[str, str]]]] = [
        ("goals", "Goal", "in_my_words", _goal_fields), ("actions", "Action", "description", _action_fields)]
    old_goals = {g["id"]: g.get("in_my_words", "") for g in old.get("goals") or []}
    new_goals = {g["id"]: g.get("in_my_words", "") for g in new.get("goals") or []}
    for key, what, title, fields_of in kinds:
        before = {item["id"]: item for item in old.get(key) or []}
        after = {item["id"]: item for item in new.get(key) or []}
        for ident, item in after.items():
            if ident not in before:
                changes.append(Change("added", what, item.get(title, ident)))
                continue
            was = fields_of(before[ident], old_goals, old_people)
            now = fields_of(item, new_goals, new_people)
            if before[ident].get("goal") == item.get("goal"):  # same goal, maybe reworded
                was.pop("For the goal", None)
                now.pop("For the goal", None)
            details = tuple(f"{name}: {was[name] or '(none)'} → {now[name] or '(none)'}"
                            for name in now if was[name] != now[name])
            if details:
                changes.append(Change("changed", what, item.get(title, ident), details))
        changes += [Change("removed", what, item.get(title, ident))
                    for ident, item in before.items() if ident not in after]
    old_text, new_text = old.get("contingency") or "", new.get("contingency") or ""
    if old_text != new_text:
        kind = "added" if not old_text else "removed" if not new_text else "changed"
        changes.append(Change(kind, "If I become unwell", new_text or old_text))
    if old.get("review_on") != new.get("review_on"):
        changes.append(Change("changed", "Review date",
                              f"{format_day(_day(old.get('review_on'))) or '(none)'} → "
                              f"{format_day(_day(new.get('review_on'))) or '(none)'}"))
    return changes


def compare_with_draft(case: Case, number: int) -> list[Change]:
    """What the current plan changes from agreed version ``number``."""
    version = record(case).version(number)
    if version is None:
        raise KeyError(number)
    data = case_to_dict(case)
    organisations = {o["id"]: o["name"] for o in data.get("organisations", [])}
    return (compare_plans(version.plan, plan_content(data.get("care_plan")),
                          _people(version.team, organisations), _people(data.get("team", []), organisations))
            + team_changes(case, number))


def _member_words(member: dict[str, Any]) -> str:
    return f"{member.get('name') or 'A team member'} ({label('role', member.get('role'))})"


def team_changes(case: Case, number: int) -> list[Change]:
    """How the care coordinator and the team (who is on it, their role, organisation and contact)
    differ now from what agreed version ``number`` printed; empty when they do not (or the version
    is not kept). The plan's content is compared by :func:`compare_plans`."""
    held = record(case)
    version = held.version(number)
    if version is None:
        return []
    organisations = {o.id: o.name for o in case.organisations}
    gone = {d.member for d in held.left_team}
    now = {m["id"]: {**m, "organisation_name": organisations.get(m.get("organisation", ""))}
           for m in case_to_dict(case).get("team", []) if "id" in m and m["id"] not in gone}
    left_before = {d.member for d in held.left_team if d.on <= version.agreed_on}
    then = {m["id"]: m for m in version.team if "id" in m and m["id"] not in left_before}
    changes: list[Change] = []
    current = case.current_coordinator()
    coordinator = current.member if current is not None and current.member in now else None
    if coordinator != version.coordinator:
        was = _member_words(then[version.coordinator]) if version.coordinator in then else "nobody"
        is_now = _member_words(now[coordinator]) if coordinator is not None else "nobody"
        changes.append(Change("changed", "Care coordinator", f"{was} → {is_now}"))
    fields = {"name": "Name", "role": "What they do", "organisation_name": "Where",
              "contact": "How to contact them"}
    for ident, member in now.items():
        if ident not in then:
            changes.append(Change("added", "Team member", _member_words(member)))
            continue
        before = then[ident]
        details = []
        for key, words in fields.items():
            old_value, new_value = before.get(key) or "", member.get(key) or ""
            if key == "role":
                old_value, new_value = label("role", old_value) if old_value else "", \
                    label("role", new_value) if new_value else ""
            if old_value != new_value:
                details.append(f"{words}: {old_value or '(none)'} → {new_value or '(none)'}")
        if details:
            changes.append(Change("changed", "Team member", _member_words(member), tuple(details)))
    changes += [Change("removed", "Team member", _member_words(member))
                for ident, member in then.items() if ident not in now]
    return changes


# -- the plan as printed ---------------------------------------------------------------------
@dataclass
class Contact:
    name: str
    role: str
    organisation: str
    contact: str


@dataclass
class PrintedGoal:
    in_my_words: str
    outcome: str
    by: str
    status: str


@dataclass
class PrintedAction:
    what: str
    who: str
    when: str
    status: str
    goal: str


def has_phone_number(contact: str) -> bool:
    """Whether a contact holds a telephone number (seven digits or more, spaces and dashes
    allowed between them): "01803 000 204 (district nurses)" does, "maeve@nhs.net" does not."""
    return _PHONE.search(contact or "") is not None


_PHONE = re.compile(r"\+?\(?\d(?:[\s\-()]{0,2}\d){6,}")


@dataclass
class PrintablePlan:
    """Everything the printed plan says, in plain words: no codes, no ids."""

    name: str
    version_text: str
    coordinator: Contact | None
    what_matters: str
    goals: list[PrintedGoal]
    actions: list[PrintedAction]
    contingency: str
    contacts: list[Contact]
    review: str
    agreed_by: list[str]
    printed_on: str
    conditions: list[str] = field(default_factory=list)
    #: The NHS number as 3-3-4 and the date of birth ("" when not recorded), on every page so
    #: that her providers can match the plan to their records.
    nhs_number: str = ""
    date_of_birth: str = ""
    #: True when the review date had passed on the day it was printed.
    review_overdue: bool = False
    #: The agreed version whose team or coordinator has changed since (None when not so), and how.
    changed_since: int | None = None
    changes: list[str] = field(default_factory=list)

    @property
    def callable_contacts(self) -> list[Contact]:
        """The people under "Who to call" who have a phone number."""
        return [c for c in self.contacts if has_phone_number(c.contact)]

    def warnings(self) -> list[str]:
        """What the person could not do with this plan: call someone it lists. One sentence for
        a coordinator without a phone number, one naming everyone else under "Who to call"
        without one; empty when every number is there."""
        found = []
        coordinator = self.coordinator
        if coordinator is not None and not has_phone_number(coordinator.contact):
            found.append(f"The care coordinator, {_named(coordinator)}, has no phone number in the plan.")
        missing = [c for c in self.contacts if c != coordinator and not has_phone_number(c.contact)]
        if missing:
            names = ", ".join(_named(c) for c in missing)
            found.append(f"No phone number under “Who to call” for {len(missing)} "
                         f"{'person' if len(missing) == 1 else 'people'}: {names}.")
        return found


def _named(contact: Contact) -> str:
    return f"{contact.name} ({contact.role})" if contact.role else contact.name


class VersionNotKept(LookupError):
    """A plan version that was never agreed in this case, or agreed before versions were kept."""


def _when(action: dict[str, Any]) -> str:
    due = format_day(_day(action.get("due")))
    frequency = action.get("frequency") or ""
    if due and frequency:
        return f"{frequency}, by {due}"
    return frequency or (f"By {due}" if due else "")


def printable_plan(case: Case, version: int | None = None, today: date | None = None) -> PrintablePlan:
    """The care plan as printed for the person, their family and every provider.

    Without ``version``: the plan as it reads now, saying whether it is an agreed version or a
    draft. With ``version``: that agreed version exactly as frozen, with the team of that day.
    """
    today = today or date.today()
    held = record(case)
    data = case_to_dict(case)
    organisations = {o["id"]: o["name"] for o in data.get("organisations", [])}
    plan_now = data.get("care_plan") or {}
    if version is not None:
        frozen = held.version(version)
        current_unchanged = (plan_now.get("version") == version and
                             (frozen is None or not changed_since_agreed(case)))
        if frozen is None and not current_unchanged:
            kept = ", ".join(str(v.version) for v in sorted(held.plan_versions, key=lambda v: v.version))
            raise VersionNotKept(f"version {version} of the care plan is not kept in this case"
                                 + (f" (kept: {kept})" if kept else " (no agreed versions are kept)"))
    else:
        frozen = None
    if frozen is not None:
        plan, team = frozen.plan, frozen.team
        coordinator_id, what_matters = frozen.coordinator, frozen.what_matters
        version_text = f"Version {frozen.version}, agreed on {format_day(frozen.agreed_on)}"
        agreed_by = [_signed(s.name, s.role, s.on) for s in frozen.sign_offs]
        review_on = _day(plan.get("review_on"))
        gone: set[str] = set()
    else:
        plan = plan_now
        team = [{**m, "organisation_name": organisations.get(m.get("organisation", ""))}
                for m in data.get("team", [])]
        current = case.current_coordinator()
        coordinator_id, what_matters = (current.member if current else None), case.person.what_matters
        version_text = _current_version_text(case)
        agreed_by = [_signed(m.name, m.role, held.signed_on(m.id))
                     for m in (case.member(i) for i in plan.get("signed_off_by", [])) if m is not None]
        review_on = case.care_plan.review_on if case.care_plan else None
        gone = {d.member for d in held.left_team}
    members = {m["id"]: m for m in team}
    people = _people(team, organisations)
    goals = {g["id"]: g.get("in_my_words", "") for g in plan.get("goals") or []}

    def contact_of(member: dict[str, Any]) -> Contact:
        return Contact(member["name"], label("role", member.get("role")),
                       member.get("organisation_name") or "", member.get("contact") or "")

    coordinator = (contact_of(members[coordinator_id])
                   if coordinator_id in members and coordinator_id not in gone else None)
    contacts = [contact_of(m) for m in team if m["id"] not in gone]
    if coordinator is not None:  # the coordinator first
        contacts.sort(key=lambda c: c != coordinator)
    changed_since: int | None = None
    changes: list[str] = []
    if frozen is None and case.care_plan is not None and case.care_plan.version is not None \
            and not changed_since_agreed(case):
        altered = team_changes(case, case.care_plan.version)
        if altered:
            changed_since = case.care_plan.version
            changes = [str(change).split("\n")[0]
                       + (f" ({'; '.join(change.details)})" if change.details else "") for change in altered]
            version_text = _changed_version_text(case, altered)
    person = case.person
    return PrintablePlan(
        name=case.person.name,
        version_text=version_text,
        coordinator=coordinator,
        what_matters=what_matters or "",
        goals=[PrintedGoal(g.get("in_my_words", ""), g.get("outcome") or "",
                           format_day(_day(g.get("target_date"))),
                           label("goal_status", g.get("status")) if g.get("status") else "")
               for g in plan.get("goals") or []],
        actions=[PrintedAction(a.get("description", ""),
                               people.get(a.get("owner") or "", "") if a.get("owner") else "Not yet decided",
                               _when(a),
                               label("action_status", a.get("status")) if a.get("status") else "",
                               goals.get(a.get("goal") or "", ""))
                 for a in plan.get("actions") or []],
        contingency=plan.get("contingency") or "",
        contacts=contacts,
        review=format_day(review_on) if review_on else "",
        agreed_by=agreed_by,
        printed_on=format_day(today),
        conditions=list(case.person.conditions),
        nhs_number=describe.nhs_number(person),
        date_of_birth=format_day(person.date_of_birth) if person.date_of_birth else "",
        review_overdue=review_on is not None and review_on < today,
        changed_since=changed_since,
        changes=changes,
    )


def _changed_version_text(case: Case, changes: list[Change]) -> str:
    """"Changed since version 2 (agreed on 7 May 2024): a new care coordinator and changes to
    the team", for a plan whose content is as agreed but whose people are not."""
    plan = case.care_plan
    assert plan is not None and plan.version is not None
    what = []
    if any(c.what == "Care coordinator" for c in changes):
        what.append("a new care coordinator")
    if any(c.what == "Team member" for c in changes):
        what.append("changes to the team")
    agreed = f" (agreed on {format_day(plan.agreed_on)})" if plan.agreed_on else ""
    return f"Changed since version {plan.version}{agreed}: {' and '.join(what)}"


def _signed(name: str, role: str, on: date | None) -> str:
    text = f"{name} ({label('role', role)})"
    return f"{text}, {format_day(on)}" if on else text


def _current_version_text(case: Case) -> str:
    plan = case.care_plan
    if plan is None or plan.version is None:
        return "Draft: not yet agreed"
    if changed_since_agreed(case):
        return f"Draft: changes to version {plan.version} not yet agreed"
    agreed = f", agreed on {format_day(plan.agreed_on)}" if plan.agreed_on else ""
    return f"Version {plan.version}{agreed}"

