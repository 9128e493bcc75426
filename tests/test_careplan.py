"""The team's record of the care plan (planner.careplan): one coordinator at a time, members
who leave, sign-off, agreed versions and comparing them, flags, and the plan as printed."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from planner import careplan
from planner.casefile import case_from_dict, case_to_dict, read_case_file, write_case_file
from planner.editing import EditRejected, item_data, put
from planner.model import Case
from planner.validation import validate
from tests.conftest import DEMO

DAY = date(2024, 6, 1)


@pytest.fixture
def case() -> Case:
    return read_case_file(DEMO)


def _messages(error: pytest.ExceptionInfo[EditRejected]) -> str:
    return " ".join(p.message for p in error.value.problems)


# -- the care coordinator ---------------------------------------------------------------------
def test_assigning_a_coordinator_closes_the_current_period(case: Case) -> None:
    assert case.current_coordinator().member == "dn1"  # type: ignore[union-attr]
    after = careplan.assign_coordinator(case, "sw1", DAY, "Her needs are now mainly social care")
    open_periods = [c for c in after.coordinator if c.end is None]
    assert [c.member for c in open_periods] == ["sw1"]
    closed = next(c for c in after.coordinator if c.member == "dn1")
    assert closed.end == DAY and closed.reason == case.coordinator[1].reason  # history kept as it was
    assert after.coordinator[:1] == case.coordinator[:1]
    assert after.coordinator[-1].reason == "Her needs are now mainly social care"
    assert case.current_coordinator().member == "dn1"  # type: ignore[union-attr]  # the original is unchanged


def test_a_change_of_coordinator_needs_a_reason(case: Case) -> None:
    with pytest.raises(EditRejected) as error:
        careplan.assign_coordinator(case, "sw1", DAY, "   ")
    assert error.value.problems[0].path == "reason"


def test_the_first_coordinator_needs_no_reason(case: Case) -> None:
    data = case_to_dict(case)
    data["coordinator"] = []
    blank = case_from_dict(data)
    after = careplan.assign_coordinator(blank, "gp1", DAY, "")
    assert [(c.member, c.start, c.end) for c in after.coordinator] == [("gp1", DAY, None)]


@pytest.mark.parametrize(("member", "start", "path", "words"), [
    ("dn1", DAY, "member", "already the care coordinator"),
    ("nobody", DAY, "member", "not on the team"),
    ("sw1", date(2024, 5, 6), "from", "cannot start before"),
])
def test_impossible_assignments_change_nothing(case: Case, member: str, start: date, path: str,
                                               words: str) -> None:
    before = case_to_dict(case)
    with pytest.raises(EditRejected) as error:
        careplan.assign_coordinator(case, member, start, "reason")
    assert error.value.problems[0].path == path and words in _messages(error)
    assert case_to_dict(case) == before


def test_a_member_who_has_left_cannot_become_coordinator(case: Case) -> None:
    gone = careplan.member_leaves(case, "sw1", DAY, "Moved to another team")
    with pytest.raises(EditRejected) as error:
        careplan.assign_coordinator(gone, "sw1", DAY, "reason")
    assert "left the team on 1 Jun 2024" in _messages(error)


def test_two_active_coordinators_are_refused_by_validation(case: Case) -> None:
    data = case_to_dict(case)
    data["coordinator"].append({"member": "gp1", "from": "2024-06-01", "to": None})
    assert any("only one care coordinator can be active" in p.message for p in validate(data))


def test_a_coordinator_who_leaves_is_a_warning(case: Case) -> None:
    assert careplan.coordinator_warning(case) is None
    gone = careplan.member_leaves(case, "dn1", DAY)
    warning = careplan.coordinator_warning(gone)
    assert warning == "The care coordinator, Maeve O'Brien, has left the team on 1 Jun 2024. " \
                      "Name a new coordinator."
    assert careplan.coordinator_warning(careplan.member_returns(gone, "dn1")) is None
    data = case_to_dict(case)
    data["coordinator"] = []
    assert "No care coordinator" in careplan.coordinator_warning(case_from_dict(data))  # type: ignore[operator]


def test_leaving_keeps_the_member_and_their_history(case: Case) -> None:
    gone = careplan.member_leaves(case, "sw1", DAY, "Retired")
    assert gone.member("sw1") is not None and len(gone.coordinator) == len(case.coordinator)
    assert "sw1" not in [m.id for m in careplan.active_team(gone)]
    departure = careplan.record(gone).departure("sw1")
    assert departure == careplan.Departure("sw1", DAY, "Retired")
    with pytest.raises(EditRejected):
        careplan.member_leaves(gone, "sw1", DAY)  # not twice
    back = careplan.member_returns(gone, "sw1")
    assert careplan.record(back).departure("sw1") is None


# -- sign-off and versions ----------------------------------------------------------------------
def _without_sign_offs(case: Case) -> Case:
    data = case_to_dict(case)
    data["care_plan"].pop("signed_off_by")
    data["extensions"]["pathway_planner"].pop("sign_offs")
    return case_from_dict(data)


def test_sign_offs_are_recorded_with_their_date(case: Case) -> None:
    plan = _without_sign_offs(case)
    signed = careplan.record_sign_off(plan, "gp1", DAY)
    assert signed.care_plan.signed_off_by == ["gp1"]  # type: ignore[union-attr]
    assert careplan.record(signed).signed_on("gp1") == DAY
    with pytest.raises(EditRejected, match="already agreed"):
        careplan.record_sign_off(signed, "gp1", DAY)
    withdrawn = careplan.withdraw_sign_off(signed, "gp1")
    assert withdrawn.care_plan.signed_off_by == [] and careplan.record(withdrawn).signed_on("gp1") is None  # type: ignore[union-attr]


def test_a_sign_off_cannot_predate_the_latest_version(case: Case) -> None:
    with pytest.raises(EditRejected, match="cannot be dated earlier"):
        careplan.record_sign_off(_without_sign_offs(case), "gp1", date(2024, 5, 6))


def test_agreeing_a_version_freezes_a_snapshot(case: Case) -> None:
    changed = _edit_action(case, "a1", status="done")
    signed = careplan.record_sign_off(changed, "dn1", DAY)
    agreed = careplan.agree_version(signed, DAY)
    plan = agreed.care_plan
    assert plan is not None and plan.version == 3 and plan.agreed_on == DAY
    frozen = careplan.record(agreed).version(3)
    assert frozen is not None and frozen.agreed_on == DAY and frozen.coordinator == "dn1"
    assert [(s.name, s.role, s.on) for s in frozen.sign_offs] == [("Maeve O'Brien", "district_nurse", DAY)]
    assert frozen.plan["actions"][0]["status"] == "done"
    assert not careplan.changed_since_agreed(agreed)
    # the snapshot is frozen: later edits change the plan, not the version
    later = _edit_action(agreed, "a1", description="Walk to the end of the road every day")
    assert careplan.record(later).version(3).plan["actions"][0]["description"] != \
        later.care_plan.actions[0].description  # type: ignore[union-attr]


@pytest.mark.parametrize(("prepare", "words"), [
    (lambda c: c, "nothing has changed since version 2"),
    (lambda c: _without_sign_offs(c), "record who agrees the plan"),
])
def test_a_version_needs_a_change_and_an_agreement(case: Case, prepare: Any, words: str) -> None:
    with pytest.raises(EditRejected, match=words):
        careplan.agree_version(prepare(case), DAY)
    assert words in (careplan.why_not_agree(prepare(case)) or "")


def test_a_new_signatory_alone_is_enough_for_a_new_version(case: Case) -> None:
    more = careplan.record_sign_off(case, "card1", DAY)
    assert careplan.why_not_agree(more) is None
    assert careplan.agree_version(more, DAY).care_plan.version == 3  # type: ignore[union-attr]


def test_changing_what_the_plan_says_clears_the_agreements(case: Case) -> None:
    assert case.care_plan is not None and len(case.care_plan.signed_off_by) == 6
    changed = _edit_action(case, "a2", frequency="Twice a week")
    assert changed.care_plan.signed_off_by == []  # type: ignore[union-attr]
    assert careplan.record(changed).sign_offs == []
    assert careplan.changed_since_agreed(changed)
    assert careplan.printable_plan(changed).version_text == "Draft: changes to version 2 not yet agreed"
    # a change elsewhere (a team member's phone number) leaves the agreements alone
    member = item_data(case, "team", 0)
    member["contact"] = "01803 999 999"
    assert put(case, "team", 0, member).care_plan.signed_off_by == case.care_plan.signed_off_by


def _edit_action(case: Case, action_id: str, **changes: Any) -> Case:
    assert case.care_plan is not None
    index = next(i for i, a in enumerate(case.care_plan.actions) if a.id == action_id)
    data = item_data(case, "actions", index)
    data.update(changes)
    return put(case, "actions", index, data)


def test_comparing_a_version_with_the_plan_now(case: Case) -> None:
    data = case_to_dict(case)
    plan = data["care_plan"]
    plan["goals"].append({"id": "g9", "in_my_words": "I want to see my grandson's wedding"})
    plan["actions"] = [a for a in plan["actions"] if a["id"] != "a6"]
    plan["actions"][0]["owner"] = "ot2"
    plan["contingency"] = "Ring Susan first."
    plan["review_on"] = "2024-09-01"
    plan.pop("signed_off_by")
    data["extensions"]["pathway_planner"].pop("sign_offs")
    changes = careplan.compare_with_draft(case_from_dict(data), 2)
    summary = {(c.kind, c.what, c.text) for c in changes}
    assert ("added", "Goal", "I want to see my grandson's wedding") in summary
    assert ("removed", "Action", "Heart failure clinic follow-up") in summary
    assert ("changed", "If I become unwell", "Ring Susan first.") in summary
    assert ("changed", "Review date", "7 Aug 2024 → 1 Sep 2024") in summary
    owner = next(c for c in changes if c.what == "Action" and c.kind == "changed")
    assert owner.details == ("Who: Karen Lowe (Occupational therapist) → Sam Okafor (Occupational therapist)",)
    assert len(changes) == 5
    assert careplan.compare_with_draft(case, 2) == []


def test_the_demo_keeps_both_agreed_versions(case: Case) -> None:
    held = careplan.record(case)
    assert [(v.version, v.agreed_on, len(v.sign_offs)) for v in held.plan_versions] == [
        (1, date(2024, 3, 12), 4), (2, date(2024, 5, 7), 6)]
    changes = careplan.compare_with_draft(case, 1)
    assert ("added", "Goal", "I'd like someone to talk to in the week") in {(c.kind, c.what, c.text)
                                                                           for c in changes}


# -- the record in files, and its validation ---------------------------------------------------
def test_the_record_survives_a_case_file_round_trip(case: Case, tmp_path: Path) -> None:
    agreed = careplan.agree_version(careplan.record_sign_off(
        careplan.member_leaves(case, "vol1", DAY, "Moved away"), "card1", DAY), DAY)
    write_case_file(agreed, tmp_path / "c.case.json")
    again = read_case_file(tmp_path / "c.case.json")
    assert again == agreed and careplan.record(again) == careplan.record(agreed)


@pytest.mark.parametrize(("change", "path", "words"), [
    (lambda r, d: r["left_team"].append({"member": "ghost", "on": "2024-06-01"}),
     "$.extensions.pathway_planner.left_team[0].member", "does not name a team member"),
    (lambda r, d: r["left_team"].append({"member": "sw1", "on": "2024-02-30"}),
     "$.extensions.pathway_planner.left_team[0].on", "not a real date"),
    (lambda r, d: r["sign_offs"].append({"member": "card1", "on": "2024-06-01"}),
     "$.extensions.pathway_planner.sign_offs[6].member", "not among those who signed off"),
    (lambda r, d: r["plan_versions"].append(copy.deepcopy(r["plan_versions"][1])),
     "$.extensions.pathway_planner.plan_versions[2].version", "kept more than once"),
    (lambda r, d: d["care_plan"].__setitem__("version", 1),
     "$.care_plan.version", "version 2 has been agreed"),
    (lambda r, d: r.__setitem__("favourite_colour", "blue"),
     "$.extensions.pathway_planner", "unknown key 'favourite_colour'"),
])
def test_a_broken_record_is_reported_by_path(change: Any, path: str, words: str) -> None:
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    held = data["extensions"]["pathway_planner"]
    held.setdefault("left_team", [])
    change(held, data)
    problems = validate(data)
    assert any(p.path == path and words in p.message for p in problems), problems


# -- flags and the review date ----------------------------------------------------------------
@pytest.mark.parametrize(("days", "level", "text"), [
    (15, "ok", "Review due 16 Jun 2024"),
    (14, "soon", "Review due in 14 days (15 Jun 2024)"),
    (1, "soon", "Review due in 1 day (2 Jun 2024)"),
    (0, "soon", "Review due today"),
    (-1, "overdue", "Review overdue since 31 May 2024"),
])
def test_the_review_date_is_highlighted_from_fourteen_days(days: int, level: str, text: str) -> None:
    status = careplan.review_status(DAY + timedelta(days=days), DAY)
    assert (status.level, status.text) == (level, text)


def test_actions_past_due_or_with_an_owner_who_left_are_flagged(case: Case) -> None:
    # a1 is due by 1 Jun 2024 and in progress; a6 (1 Jul) is not due yet; a2 has no due date
    assert careplan.action_flags(case, "a1", DAY) == []  # due today: not yet overdue
    assert [f.short for f in careplan.action_flags(case, "a1", DAY + timedelta(days=1))] == ["Overdue"]
    done = _edit_action(case, "a1", status="done")
    assert careplan.action_flags(done, "a1", DAY + timedelta(days=30)) == []
    gone = careplan.member_leaves(case, "ot1", DAY)
    flags = careplan.action_flags(gone, "a1", DAY)
    assert [f.short for f in flags] == ["Owner left"]
    assert flags[0].text == "Karen Lowe, who owns it, left the team on 1 Jun 2024"
    assert careplan.action_flags(gone, "a3", DAY) == []  # owned by an organisation


# -- the plan as printed --------------------------------------------------------------------
def test_the_printed_plan_puts_the_coordinator_first_in_plain_words(case: Case) -> None:
    plan = careplan.printable_plan(case, today=DAY)
    assert plan.name == "Edith Smith" and plan.version_text == "Version 2, agreed on 7 May 2024"
    assert plan.coordinator is not None and plan.coordinator.name == "Maeve O'Brien"
    assert plan.coordinator.role == "District nurse" and plan.contacts[0] == plan.coordinator
    assert plan.review == "7 Aug 2024" and plan.printed_on == "1 Jun 2024"
    assert plan.agreed_by[0] == "Dr Anita Shah (GP), 7 May 2024"
    owners = {a.who for a in plan.actions}
    assert "Not yet decided" in owners and "Riviera Homecare" in owners
    text = json.dumps([vars(a) for a in plan.actions] + [vars(g) for g in plan.goals])
    for code in ("in_progress", "occupational_therapist", "homecare2", "ot1", "g1"):
        assert code not in text


def test_a_printed_version_is_the_version_as_agreed(case: Case) -> None:
    renamed = item_data(case, "team", 3)  # Karen Lowe, who owned a1 in version 1
    renamed["name"] = "Karen Lowe-Smith"
    later = careplan.member_leaves(put(case, "team", 3, renamed), "dn1", DAY)
    first = careplan.printable_plan(later, 1, today=DAY)
    assert first.version_text == "Version 1, agreed on 12 Mar 2024"
    assert first.goals[1].in_my_words == "I want to go home, not into a home"
    assert first.actions[0].who == "Karen Lowe (Occupational therapist)"
    assert first.coordinator is not None and first.coordinator.name == "James Reed"
    assert len(first.agreed_by) == 4
    now = careplan.printable_plan(later, today=DAY)
    assert now.coordinator is None  # the coordinator has left: nobody is printed as coordinator
    assert "Maeve O'Brien" not in [c.name for c in now.contacts]


def test_a_version_that_was_not_kept_is_refused(case: Case) -> None:
    with pytest.raises(careplan.VersionNotKept, match=r"version 7 .* \(kept: 1, 2\)"):
        careplan.printable_plan(case, 7)
    assert careplan.printable_plan(case, 2).version_text == "Version 2, agreed on 7 May 2024"
