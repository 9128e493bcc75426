"""Key findings (DOMAIN.md section 3a): each rule's strongest occurrence, the rules ranked, five key."""

from __future__ import annotations

import json
from typing import Any

import pytest

from planner.analysis import analyse, finding_json
from planner.key_findings import rank
from planner.model import Annotation, Case
from planner.rules import Finding, FindingReport
from planner.rules.context import CaseContext
from tests.test_rules import admission, handoff, make_case, org, step


def timeline() -> Case:
    """An emergency admission with 9 delayed days, a readmission 5 days after it, then contacts:
    c1 (home care) and c2 (a charity) 2 days apart with no handoff recorded (a derived handoff),
    c2 and c3 (the hospital) with a recorded one."""
    return make_case(
        [org("acute", "acute", name="County Hospital"), org("dom", "domiciliary_care", name="Home Helpers"),
         org("vol", "voluntary", name="Good Neighbours")],
        [admission("a1", "acute", "2024-01-01", "2024-01-20", ready_for_discharge="2024-01-11", emergency=True),
         admission("a2", "acute", "2024-01-25", "2024-01-30", emergency=True),
         step("c1", "contact", "dom", "2024-02-01"), step("c2", "contact", "vol", "2024-02-03"),
         step("c3", "contact", "acute", "2024-02-04")],
        handoffs=[handoff("c2", "c3", "letter")])


def finding(context: CaseContext, rule: str, severity: str, steps: list[str],
            notes: list[Annotation] | None = None) -> Finding:
    first = min((context.position[id(context.step_by_id[s])] for s in steps), default=-1)
    orgs = list(dict.fromkeys(context.step_by_id[s].organisation for s in steps))
    codes = list(dict.fromkeys(code for o in orgs for code in context.regulators[o]))
    return Finding(rule, f"Rule {rule}", severity, steps, orgs, codes, "Evidence.", "A question?",
                   notes or [], first)


def ranked(findings: list[Finding], **pins: Any) -> list[str]:
    context = CONTEXT
    return [g.rule for g in rank(FindingReport(findings, []), context, **pins).groups]


CASE = timeline()
CONTEXT = CaseContext(CASE)


def test_harm_is_delayed_days_plus_30_for_a_readmission() -> None:
    found = [finding(CONTEXT, "M04", "high", ["a1"]), finding(CONTEXT, "M05", "high", ["a1", "a2"]),
             finding(CONTEXT, "M02", "high", ["a2"]), finding(CONTEXT, "M07", "medium", ["c1"])]
    key = rank(FindingReport(found, []), CONTEXT)
    assert [key.harm_days(f) for f in found] == [9, 39, 30, 0]


def test_a_placement_after_hospital_adds_30() -> None:
    case = make_case(
        [org("acute", "acute", name="County Hospital"), org("home", "care_home", name="Sea View")],
        [admission("a1", "acute", "2024-01-01", "2024-01-20", ready_for_discharge="2024-01-18"),
         step("p1", "placement", "home", "2024-01-22", permanent=True)])
    context = CaseContext(case)
    placed = finding(context, "M05", "high", ["a1", "p1"])
    assert rank(FindingReport([placed], []), context).harm_days(placed) == 2 + 30


def test_severity_comes_before_harm() -> None:
    assert ranked([finding(CONTEXT, "M07", "medium", ["a1", "a2"]),
                   finding(CONTEXT, "M12", "low", ["a1"]),
                   finding(CONTEXT, "M14", "high", ["c1"])]) == ["M14", "M07", "M12"]


def test_more_harm_first_within_a_severity() -> None:
    assert ranked([finding(CONTEXT, "M04", "high", ["a1"]),
                   finding(CONTEXT, "M03", "high", ["c1"]),
                   finding(CONTEXT, "M06", "high", ["a2"])]) == ["M06", "M04", "M03"]


def test_recorded_before_inferred_then_more_regulators() -> None:
    # M08 rests on the derived handoff c1 -> c2 (CQC and the Charity Commission: 2 regulators);
    # M13 on the recorded c2 -> c3 (Charity Commission, CQC, NHS England: 3); M03 on c3 alone (2)
    derived = finding(CONTEXT, "M08", "high", ["c1", "c2"])
    recorded = finding(CONTEXT, "M13", "high", ["c2", "c3"])
    single = finding(CONTEXT, "M03", "high", ["c1"])  # home care only: CQC
    key = rank(FindingReport([derived, recorded, single], []), CONTEXT)
    assert key.derived(derived) and not key.derived(recorded) and not key.derived(single)
    assert [g.rule for g in key.groups] == ["M13", "M03", "M08"]


def test_a_pair_of_steps_is_inferred_only_for_a_rule_that_reads_handoffs() -> None:
    duplicated = finding(CONTEXT, "M07", "medium", ["c1", "c2"])  # not a handoff rule
    assert not rank(FindingReport([duplicated], []), CONTEXT).derived(duplicated)


def test_more_regulators_first_then_the_rule_id() -> None:
    assert ranked([finding(CONTEXT, "M14", "high", ["c1"]),  # CQC
                   finding(CONTEXT, "M11", "high", ["c3"]),  # CQC and NHS England
                   finding(CONTEXT, "M10", "high", ["c1"])]) == ["M11", "M10", "M14"]


def test_a_rule_is_represented_by_its_strongest_occurrence() -> None:
    weak = finding(CONTEXT, "M03", "high", ["c1"])
    strong = finding(CONTEXT, "M03", "high", ["a1"])
    other = finding(CONTEXT, "M04", "high", ["a2"])  # 30 days of harm: stronger than M03's 9
    key = rank(FindingReport([weak, strong, other], []), CONTEXT)
    assert key.group("M03").strongest is strong  # type: ignore[union-attr]
    assert [g.rule for g in key.groups] == ["M04", "M03"]
    # ties in harm, provenance and regulators: the earliest first step
    early, late = finding(CONTEXT, "M09", "medium", ["c1"]), finding(CONTEXT, "M09", "medium", ["c3"])
    late.organisations, late.regulators = ["dom"], ["CQC"]
    assert rank(FindingReport([late, early], []), CONTEXT).group("M09").strongest is early  # type: ignore[union-attr]


def test_five_are_key_and_a_rule_all_set_aside_never_is() -> None:
    aside = Annotation(rule="M01", status="set_aside", steps=["a1", "a2"], comment="Not ours")
    found = [finding(CONTEXT, "M01", "high", ["a1", "a2"], [aside])]
    found += [finding(CONTEXT, f"M0{n}", "medium", ["c1"]) for n in range(2, 9)]
    key = rank(FindingReport(found, []), CONTEXT)
    assert [g.rule for g in key.key] == ["M02", "M03", "M04", "M05", "M06"]
    assert [g.key_rank for g in key.key] == [1, 2, 3, 4, 5]
    assert key.group("M01").key_rank is None and key.group("M01").strongest is None  # type: ignore[union-attr]
    assert key.groups[-1].rule == "M01"  # listed last, with its occurrence set aside
    assert key.counts() == (5, 7, 7)


def test_the_team_pins_a_rule_as_key_or_takes_it_off() -> None:
    found = [finding(CONTEXT, f"M0{n}", "medium", ["c1"]) for n in range(1, 9)]
    key = rank(FindingReport(found, []), CONTEXT, pinned={"M08"}, unpinned={"M01"})
    assert [g.rule for g in key.key] == ["M08", "M02", "M03", "M04", "M05"]
    assert key.group("M08").pinned is True and key.group("M01").pinned is False  # type: ignore[union-attr]
    assert key.group("M01").key_rank is None  # type: ignore[union-attr]


def test_the_demo_keys_are_her_story() -> None:
    from planner.casefile import case_from_dict
    from tests.factories import demo_dict

    analysis = analyse(case_from_dict(demo_dict()))
    key = [g.rule for g in analysis.key.key]
    assert len(key) == 5
    # the delayed, readmitted hospital stays carry her case: unowned pathway, activity payment,
    # the readmission, the contested delays
    assert {"M01", "M02", "M04", "M05"} <= set(key)


def test_findings_json_adds_key_rank_harm_and_provenance(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    from tests.conftest import DEMO
    from ui.cli import main

    assert main(["--db", db_url, "import", str(DEMO)]) == 0
    capsys.readouterr()
    assert main(["--db", db_url, "findings", "1", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert all({"rule", "title", "severity", "steps", "evidence", "question", "annotation", "key_rank",
                "harm_days", "derived"} <= set(row) for row in rows)
    key_rules = {row["rule"]: row["key_rank"] for row in rows if row["key_rank"] is not None}
    assert sorted(key_rules.values()) == [1, 2, 3, 4, 5]
    for row in rows:  # every occurrence of a key rule carries its rank
        assert row["key_rank"] == key_rules.get(row["rule"])
    derived = [row for row in rows if row["derived"]]
    assert derived and all("not recorded: inferred from the order of steps" in row["evidence"] for row in derived)
    assert any(row["harm_days"] >= 10 for row in rows)
    assert main(["--db", db_url, "findings", "1"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("KEY FINDINGS (5 of ")
    assert "20 Jan 2024 · Emergency admission: fractured neck of femur" in text
    for internal in ("[s8", "s8,", "s17]", " s1 "):
        assert internal not in text


def finding_json_without_key_keeps_todays_keys() -> dict[str, Any]:
    return finding_json(analyse(timeline()).report.findings[0])


def test_finding_json_without_the_ranking_keeps_its_keys() -> None:
    assert set(finding_json_without_key_keeps_todays_keys()) == {
        "rule", "title", "severity", "steps", "organisations", "regulators", "evidence", "question",
        "annotation"}


# -- the team's pins and who annotated, kept in the case ------------------------------------------------------
def test_pins_are_kept_with_the_case_and_honoured_by_the_analysis(tmp_path: Any) -> None:
    from datetime import datetime

    from planner.annotating import pins, with_pin
    from planner.casefile import case_from_dict, read_case_file, write_case_file
    from tests.factories import demo_dict

    case = case_from_dict(demo_dict())
    assert "M07" not in [g.rule for g in analyse(case).key.key]
    pinned = with_pin(case, "M07", True, "Maeve O'Brien", datetime(2026, 12, 3, 14, 20, 41))
    pinned = with_pin(pinned, "M01", False, "Maeve O'Brien", datetime(2026, 12, 3, 14, 21))
    key = analyse(pinned).key
    assert key.key[0].rule == "M07" and key.group("M07").pinned is True  # type: ignore[union-attr]
    assert "M01" not in [g.rule for g in key.key] and len(key.key) == 5
    out = tmp_path / "pinned.case.json"
    write_case_file(pinned, out)
    again = read_case_file(out)
    team = pins(again)
    assert team.pinned == {"M07"} and team.unpinned == {"M01"}
    assert team.latest["M07"].by == "Maeve O'Brien" and team.latest["M07"].at == datetime(2026, 12, 3, 14, 20)
    assert pins(with_pin(again, "M07", None, "Sam", datetime(2026, 12, 4))).pinned == set()


def test_who_made_an_annotation_and_when() -> None:
    from datetime import datetime

    from planner.annotating import made, with_annotations
    from planner.casefile import case_from_dict, case_to_dict
    from planner.convert import to_json
    from tests.factories import demo_dict

    case = case_from_dict(demo_dict())
    kept = [to_json(a) for a in case.annotations]
    note = {"rule": "M07", "steps": ["s9", "s14"], "status": "confirmed"}
    after = with_annotations(case, [*kept, note], "Ann Coordinator", datetime(2026, 12, 3, 9, 5))
    confirmed = next(a for a in after.annotations if a.rule == "M07")
    who = made(after, confirmed)
    assert who is not None and who.by == "Ann Coordinator" and who.at == datetime(2026, 12, 3, 9, 5)
    assert all(made(after, a) is None for a in after.annotations if a.rule != "M07")  # made before: unknown
    removed = with_annotations(after, kept, "Ann Coordinator", datetime(2026, 12, 3, 9, 6))
    assert "annotations_made" not in (case_to_dict(removed).get("extensions") or {}).get("pathway_planner", {})


@pytest.mark.parametrize(("entry", "path"), [
    ({"rule": "M99", "key": True, "by": "Sam", "at": "2026-12-03T10:00"}, "key_pins[0].rule"),
    ({"rule": "M07", "key": True, "by": "Sam", "at": "2026-13-03T10:00"}, "key_pins[0].at"),
    ({"rule": "M07", "key": "yes", "by": "Sam", "at": "2026-12-03T10:00"}, "key_pins[0].key"),
    ({"rule": "M07", "key": True, "at": "2026-12-03T10:00"}, "key_pins[0]"),
])
def test_a_bad_pin_in_a_case_file_is_refused_with_its_path(entry: dict[str, Any], path: str) -> None:
    from planner.validation import validate
    from tests.factories import demo_dict

    data = demo_dict()
    data["extensions"]["pathway_planner"]["key_pins"] = [entry]
    assert any(p.path.startswith(f"$.extensions.pathway_planner.{path}") for p in validate(data)), validate(data)
