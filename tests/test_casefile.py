"""Reading, validating and writing case files (CASE_FORMAT.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.casefile import case_to_dict, dumps_case, loads_case, read_case_file, write_case_file
from planner.model import Case, StepCost
from planner.validation import CaseFileError, validate
from tests.factories import demo_dict, minimal_dict


def problems_of(data: Any) -> dict[str, str]:
    return {p.path: p.message for p in validate(data)}


def test_demo_case_is_valid_and_rich(demo_case: Case) -> None:
    assert validate(demo_dict()) == []
    sectors = {o.sector for o in demo_case.organisations}
    assert len(demo_case.organisations) >= 8 and len(sectors) >= 8
    assert len(demo_case.team) >= 8
    assert len(demo_case.steps) >= 15
    assert {s.stage for s in demo_case.steps} == {"at_home", "crisis", "step_down"}
    roles = {m.role for m in demo_case.team}
    # the people around Mrs Smith in the King's Fund picture
    assert {"social_worker", "domiciliary_care_worker", "occupational_therapist", "family_carer",
            "practice_nurse", "gp", "district_nurse", "diabetologist", "cardiologist"} <= roles
    admissions = [s for s in demo_case.steps if s.kind == "admission" and s.emergency]
    assert len(admissions) == 2 and any(s.delayed_days > 0 for s in admissions)
    assert any(s.setting == "emergency_department" for s in demo_case.steps)
    assert len(demo_case.coordinator) >= 2 and demo_case.care_plan is not None
    assert demo_case.handoffs


def test_round_trip_gives_back_the_same_case(demo_case: Case, tmp_path: Path) -> None:
    out = tmp_path / "out.case.json"
    write_case_file(demo_case, out)
    again = read_case_file(out)
    assert again == demo_case
    assert case_to_dict(again) == case_to_dict(demo_case)


def test_written_file_starts_with_format_and_version(demo_case: Case) -> None:
    data = json.loads(dumps_case(demo_case))
    assert list(data)[:2] == ["format", "version"]
    assert data["format"] == "pathway-planner/case" and data["version"] == 1


def test_date_times_and_extensions_survive() -> None:
    data = minimal_dict()
    data["steps"][0]["start"] = "2024-01-19T21:40"
    data["steps"][0]["end"] = "2024-01-20T03:10:30"
    data["extensions"] = {"x-local": {"ward": 7}}
    case = loads_case(json.dumps(data))
    written = case_to_dict(case)
    assert written["steps"][0]["start"] == "2024-01-19T21:40"
    assert written["steps"][0]["end"] == "2024-01-20T03:10:30"
    assert written["extensions"] == {"x-local": {"ward": 7}}


def test_a_steps_own_cost_is_read_kept_and_written() -> None:
    data = minimal_dict()
    data["steps"][0]["cost"] = {"amount": 310, "per": "day", "source": "local tariff 2024/25"}
    data["steps"].append({"id": "s2", "kind": "contact", "organisation": "gp", "start": "2024-01-02",
                          "cost": {"amount": 42.5, "per": "contact"}})
    case = loads_case(json.dumps(data))
    assert case.steps[0].cost == StepCost(amount=310, per="day", source="local tariff 2024/25")
    assert case.steps[1].cost == StepCost(amount=42.5, per="contact")
    written = case_to_dict(case)
    assert written["steps"][0]["cost"] == {"amount": 310, "per": "day", "source": "local tariff 2024/25"}
    assert written["steps"][1]["cost"] == {"amount": 42.5, "per": "contact"}
    assert loads_case(dumps_case(case)) == case
    assert "cost" not in case_to_dict(loads_case(json.dumps(minimal_dict())))["steps"][0]


@pytest.mark.parametrize("cost", [
    {"amount": -1, "per": "day"},
    {"amount": 1_000_001, "per": "day"},
    {"amount": 10, "per": "fortnight"},
    {"amount": 10},
    {"amount": 10, "per": "day", "currency": "GBP"},
    {"amount": 10, "per": "day", "source": "x" * 201},
])
def test_a_bad_step_cost_is_refused_with_its_path(cost: dict[str, Any]) -> None:
    data = minimal_dict()
    data["steps"][0]["cost"] = cost
    assert any(path.startswith("$.steps[0].cost") for path in problems_of(data))


def test_explicit_empty_regulators_differ_from_absent() -> None:
    data = minimal_dict()
    data["organisations"].append({"id": "fam", "name": "Family", "sector": "informal", "regulators": []})
    case = loads_case(json.dumps(data))
    assert case.organisations[0].regulators is None
    assert case.organisations[1].regulators == []
    assert "regulators" not in case_to_dict(case)["organisations"][0]
    assert case_to_dict(case)["organisations"][1]["regulators"] == []


# -- bad input: every problem, by JSON path ------------------------------------------------
def test_unknown_keys_are_rejected_everywhere() -> None:
    data = minimal_dict()
    data["colour"] = "blue"
    data["person"]["shoe_size"] = 5
    data["steps"][0]["mood"] = "fine"
    found = problems_of(data)
    assert "$" in found and "colour" in found["$"]
    assert "shoe_size" in found["$.person"]
    assert "mood" in found["$.steps[0]"]


def test_schema_errors_carry_paths() -> None:
    data = minimal_dict()
    data["steps"][0]["kind"] = "teleport"
    data["organisations"][0]["sector"] = "space"
    data["version"] = 2
    found = problems_of(data)
    assert {"$.steps[0].kind", "$.organisations[0].sector", "$.version"} <= set(found)


def test_impossible_dates_are_reported() -> None:
    data = minimal_dict(date_of_birth="1937-02-30")
    data["steps"][0]["start"] = "2024-13-01"
    data["steps"][0]["end"] = "2024-02-30T10:00"
    found = problems_of(data)
    assert "not a real date" in found["$.person.date_of_birth"]
    assert "not a real date" in found["$.steps[0].start"]
    assert "not a real date" in found["$.steps[0].end"]


def test_end_before_start() -> None:
    data = minimal_dict()
    data["steps"][0].update(start="2024-03-02", end="2024-03-01")
    assert "before it starts" in problems_of(data)["$.steps[0].end"]
    data["steps"][0].update(start="2024-03-01T10:00", end="2024-03-01T09:00")
    assert "$.steps[0].end" in problems_of(data)
    data["steps"][0].update(start="2024-03-01T10:00", end="2024-03-01")  # same day, date only
    assert "$.steps[0].end" in problems_of(data)


def test_ready_for_discharge_must_lie_within_an_admission() -> None:
    data = minimal_dict()
    data["steps"][0].update(kind="admission", start="2024-03-01", end="2024-03-10",
                            ready_for_discharge="2024-03-11")
    assert "after the admission ends" in problems_of(data)["$.steps[0].ready_for_discharge"]
    data["steps"][0]["ready_for_discharge"] = "2024-02-28"
    assert "before the admission starts" in problems_of(data)["$.steps[0].ready_for_discharge"]
    data["steps"][0]["ready_for_discharge"] = "2024-03-10"
    assert problems_of(data) == {}
    data["steps"][0]["kind"] = "contact"
    assert "only an admission" in problems_of(data)["$.steps[0].ready_for_discharge"]


def test_dangling_references_are_errors() -> None:
    data = demo_dict()
    data["steps"][0]["organisation"] = "nowhere"
    data["team"][0]["organisation"] = "nowhere"
    data["coordinator"][0]["member"] = "ghost"
    data["handoffs"][0]["to"] = "s999"
    data["handoffs"][1]["named_receiver"] = "ghost"
    data["care_plan"]["actions"][0]["owner"] = "ghost"
    data["care_plan"]["actions"][1]["goal"] = "g99"
    data["care_plan"]["signed_off_by"].append("ghost")
    data["annotations"][0]["steps"] = ["s999"]
    found = problems_of(data)
    assert set(found) == {
        "$.steps[0].organisation", "$.team[0].organisation", "$.coordinator[0].member",
        "$.handoffs[0].to", "$.handoffs[1].named_receiver", "$.care_plan.actions[0].owner",
        "$.care_plan.actions[1].goal", f"$.care_plan.signed_off_by[{len(data['care_plan']['signed_off_by']) - 1}]",
        "$.annotations[0].steps[0]"}
    assert all("does not name" in message for message in found.values())


def test_action_owner_may_be_an_organisation() -> None:
    data = demo_dict()
    data["care_plan"]["actions"][0]["owner"] = "homecare2"
    assert problems_of(data) == {}


def test_duplicate_ids() -> None:
    data = demo_dict()
    data["steps"][1]["id"] = data["steps"][0]["id"]
    data["organisations"][2]["id"] = "gp"
    found = problems_of(data)
    assert "used more than once" in found["$.steps[1].id"]
    assert "used more than once" in found["$.organisations[2].id"]


def test_bad_nhs_number() -> None:
    assert "not a valid NHS number" in problems_of(minimal_dict(nhs_number="9434765918"))["$.person.nhs_number"]
    assert "$.person.nhs_number" in problems_of(minimal_dict(nhs_number="94347"))
    assert problems_of(minimal_dict(nhs_number="9434765919")) == {}


def test_overlapping_coordinators_are_rejected() -> None:
    data = demo_dict()
    data["coordinator"][0]["to"] = "2024-06-01"  # runs past the next one's start
    assert "only one care coordinator" in problems_of(data)["$.coordinator[1]"]
    data["coordinator"][0]["to"] = None  # two open periods
    assert "$.coordinator[1]" in problems_of(data)
    data["coordinator"][0]["to"] = "2024-05-07"  # handed over the same day: fine
    assert problems_of(data) == {}


def test_frailty_scores_in_range() -> None:
    data = minimal_dict(frailty={"scale": "CFS", "score": 6.5})
    assert "whole number from 1 to 9" in problems_of(data)["$.person.frailty.score"]
    data = minimal_dict(frailty={"scale": "eFI", "score": 2})
    assert "between 0 and 1" in problems_of(data)["$.person.frailty.score"]
    assert problems_of(minimal_dict(frailty={"scale": "eFI", "score": 0.3})) == {}


def test_unknown_rule_in_annotation() -> None:
    data = demo_dict()
    data["annotations"][0]["rule"] = "M16"
    assert "not a rule in the catalogue" in problems_of(data)["$.annotations[0].rule"]


def test_all_problems_are_reported_at_once() -> None:
    data = demo_dict()
    data["person"]["nhs_number"] = "9434765918"
    data["steps"][3]["end"] = "2020-01-01"
    data["steps"][4]["organisation"] = "nowhere"
    data["extra"] = 1
    with pytest.raises(CaseFileError) as caught:
        loads_case(json.dumps(data), "bad.case.json")
    paths = {p.path for p in caught.value.problems}
    assert {"$.person.nhs_number", "$.steps[3].end", "$.steps[4].organisation", "$"} <= paths
    message = str(caught.value)
    assert message.startswith("4 problems in bad.case.json:")
    assert "$.steps[4].organisation: 'nowhere' does not name an organisation" in message


def test_semantic_checks_survive_malformed_structure() -> None:
    data = {"format": "pathway-planner/case", "version": 1, "person": "nobody",
            "organisations": "none", "steps": [1, None, {"id": 3}], "care_plan": []}
    found = problems_of(data)
    assert "$.person" in found and "$.organisations" in found


def test_not_json_not_utf8_and_missing_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CaseFileError, match=r"not valid JSON"):
        read_case_file(bad)
    bad.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(CaseFileError, match="not UTF-8"):
        read_case_file(bad)
    with pytest.raises(CaseFileError, match="cannot read the file"):
        read_case_file(tmp_path / "missing.json")
    bad.write_text("[]", encoding="utf-8")
    with pytest.raises(CaseFileError, match="must be an object, not a list"):
        read_case_file(bad)


def test_failed_write_leaves_no_partial_file(demo_case: Case, tmp_path: Path) -> None:
    target = tmp_path / "missing-folder" / "out.case.json"
    with pytest.raises(OSError):
        write_case_file(demo_case, target)
    assert not target.exists()


# valid text: no lone surrogates, no NUL (both refused on import: tests/test_limits.py)
_text = st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
                min_size=1, max_size=40)


@settings(max_examples=40, deadline=None)
@given(name=_text, title=st.none() | _text, area=st.none() | _text, label=st.none() | _text,
       conditions=st.lists(_text, max_size=3))
def test_any_valid_text_round_trips(name: str, title: str | None, area: str | None,
                                    label: str | None, conditions: list[str]) -> None:
    data = minimal_dict(name=name, conditions=conditions)
    if title is not None:
        data["title"] = title
    if area is not None:
        data["person"]["area"] = area
    if label is not None:
        data["steps"][0]["label"] = label
    case = loads_case(json.dumps(data))
    assert loads_case(dumps_case(case)) == case
    written = case_to_dict(case)
    assert {k: v for k, v in written.items() if v != []} == data  # empty lists are written out


def test_pronouns_follow_the_recorded_sex(demo_case: Case) -> None:
    from planner.describe import words

    template = "{They} said {them} and {their} plan"
    assert words(template, demo_case.person) == "She said her and her plan"
    demo_case.person.sex = "male"
    assert words(template, demo_case.person) == "He said him and his plan"
    demo_case.person.sex = None
    assert words(template, demo_case.person) == "They said them and their plan"


def test_setting_a_finding_aside_needs_a_reason() -> None:
    data = demo_dict()
    data["annotations"][1].pop("comment")
    assert "needs a reason" in problems_of(data)["$.annotations[1].comment"]
    data["annotations"][1]["comment"] = "   "
    assert "$.annotations[1].comment" in problems_of(data)


def test_a_coordinator_handed_over_on_the_day_they_started_is_not_an_overlap() -> None:
    data = demo_dict()
    data["coordinator"] = [
        {"member": "dn1", "from": "2024-05-07", "to": None},
        {"member": "sw1", "from": "2024-05-07", "to": "2024-05-07", "reason": "Covered for a day"},
    ]
    assert problems_of(data) == {}
