"""A damaged stored case opens with the rest: what cannot be read is left out and said in words, in
the case header and as warnings on stderr, and its exports and prints still work."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text, update

from db import schema
from db.database import open_database, seed_demo_case
from db.repository import CaseRepository
from planner import careplan
from planner.casefile import read_case_file
from planner.damage import MAX_DEPTH, too_deep
from tests.factories import demo_dict
from ui.cli import main

HISTORY = ("The care plan history could not be read (a sign-off date is not a real date from 1900 to 2100); "
           "it is left out, and the rest of the case is shown.")


def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


@pytest.fixture
def damaged(tmp_path: Path) -> tuple[str, int]:
    """An SQLite database holding the demo case, then damaged as an older version or a bad row
    could leave it: a sign-off date that is no date, frailty that is not JSON, organisation codes
    of the wrong shape, a step whose start is not a date, another tool's data nested 500 deep."""
    url = f"sqlite:///{tmp_path / 'damaged.sqlite'}"
    database = open_database(url)
    case_id = seed_demo_case(database)
    extensions = demo_dict()["extensions"]
    extensions["pathway_planner"]["sign_offs"][0]["on"] = "2024-00-10"
    extensions["other_tool"] = _nested(500)
    with database.session() as session:
        # written as text: the JSON column's own encoder refuses 500 levels
        session.execute(text("UPDATE cases SET extensions = :x, frailty = '{not json' WHERE id = :id"),
                        {"x": json.dumps(extensions), "id": case_id})
        session.execute(text("UPDATE organisations SET codes = '[1, 2]' WHERE case_id = :id AND position = 0"),
                        {"id": case_id})
        session.execute(text("UPDATE steps SET start = 'garbage' WHERE case_id = :id AND position = 1"),
                        {"id": case_id})
    database.close()
    return url, case_id


def test_the_messages_name_each_damaged_part_in_words(damaged: tuple[str, int]) -> None:
    url, case_id = damaged
    database = open_database(url)
    with database.session() as session:
        case = CaseRepository(session).get(case_id)
    database.close()
    assert HISTORY in case.damage
    assert ("The frailty of the person could not be read; it is left empty, and the rest of the case is "
            "shown.") in case.damage
    assert any(m.startswith("The codes of the organisation “Brixham Road Surgery” could not be read")
               for m in case.damage)
    assert any(m.startswith("The step “District nurse visits: leg ulcer dressings” could not be read "
                            "(its start is damaged); it is left out") for m in case.damage)
    assert any("(“other_tool”) could not be read (it is nested more than 64 levels deep)" in m
               for m in case.damage)
    assert len(case.damage) == 5
    # the rest is there: 23 of the 24 steps, the person, the plan, other sign-offs' people
    assert len(case.steps) == 23 and case.person.name == "Edith Smith" and case.person.frailty is None
    assert case.care_plan is not None and len(case.care_plan.goals) == 4
    assert careplan.record(case).sign_offs == []  # the unreadable history is not used
    assert case.extensions is None
    assert all(s.source in {x.id for x in case.steps} and s.target in {x.id for x in case.steps}
               for s in case.handoffs)


def test_a_whole_case_has_no_damage(demo_database: Any) -> None:
    with demo_database.session() as session:
        case = CaseRepository(session).get(demo_database.demo_id)
    assert case.damage == []
    assert careplan.record(case).sign_offs  # the demo's history is read


def test_the_damaged_team_record_alone(database: Any) -> None:
    """Only the history is damaged (on every database engine: the value is valid JSON)."""
    case_id = seed_demo_case(database)
    extensions = demo_dict()["extensions"]
    extensions["pathway_planner"]["sign_offs"][0]["on"] = "2024-00-10"
    with database.session() as session:
        session.execute(update(schema.cases).where(schema.cases.c.id == case_id).values(extensions=extensions))
    with database.session() as session:
        case = CaseRepository(session).get(case_id)
    assert case.damage == [HISTORY]
    plan = careplan.printable_plan(case)  # printing worked before only with a readable history
    assert plan.name == "Edith Smith" and plan.goals


@pytest.mark.parametrize("record, words", [
    ({"sign_offs": [{"member": "gp1", "on": "2024-00-10"}]}, "a sign-off date is not a real date from 1900 to 2100"),
    ({"sign_offs": [{"member": "gp1", "on": "0001-01-01"}]}, "a sign-off date is not a real date from 1900 to 2100"),
    ({"left_team": [{"member": "gp1", "on": 20240110}]},
     "the date someone left the team is not a real date from 1900 to 2100"),
    ({"left_team": "gp1"}, "the record of who left the team is not in the form Pathway Planner keeps it"),
    ({"plan_versions": [{"version": 2, "agreed_on": "2024-01-10", "plan": {"goals": [{"id": "g1",
      "target_date": "2024-02-30"}]}}]},
     "a date in the goals as agreed is not a real date from 1900 to 2100 in version 2"),
    ({"plan_versions": [{"version": "two", "agreed_on": "2024-01-10", "plan": {}}]},
     "an agreed version has no version number"),
    ({"plan_versions": [{"version": 1, "agreed_on": "2024-01-10", "plan": {},
                         "sign_offs": [{"name": {"x": 1}, "role": "gp"}]}]},
     "a sign-off is not a name, a role and a real date in version 1"),
    ([1, 2], "it is not in the form Pathway Planner keeps it"),
])
def test_a_damaged_record_is_described(record: Any, words: str) -> None:
    assert careplan.record_problem(record) == words


def test_a_readable_record_has_no_problem() -> None:
    assert careplan.record_problem(demo_dict()["extensions"]["pathway_planner"]) is None


def test_depth_is_measured_without_recursion() -> None:
    assert not too_deep(_nested(MAX_DEPTH))
    assert too_deep(_nested(MAX_DEPTH + 1))
    assert too_deep([_nested(100_000)])  # far past the interpreter's recursion limit


def test_the_command_line_warns_and_still_exports_and_prints(qapp: Any, damaged: tuple[str, int], tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    url, case_id = damaged
    for command in (["export-case", str(case_id), "--out", str(tmp_path / "out.case.json")],
                    ["export-fhir", str(case_id), "--anonymised", "--out", str(tmp_path / "out.fhir.json")],
                    ["export-pdf", str(case_id), "--out", str(tmp_path / "summary.pdf")],
                    ["print-plan", str(case_id), "--out", str(tmp_path / "plan.pdf")],
                    ["workshop-pack", str(case_id), "--out", str(tmp_path / "pack.pdf")],
                    ["findings", str(case_id)], ["measures", str(case_id)]):
        code = main(["--db", url, *command])
        captured = capsys.readouterr()
        assert code == 0, (command, captured.err)
        assert f"pathway-planner: warning: case {case_id} “Mrs Smith, Torbay”: {HISTORY}" in captured.err
        assert captured.err.count("warning:") == 5
        assert "Traceback" not in captured.err
    # what was written is a valid case file: the damaged parts are left out, not written damaged
    exported = read_case_file(tmp_path / "out.case.json")
    assert len(exported.steps) == 23 and exported.person.frailty is None


def test_the_case_opens_in_the_window_with_the_warning(qtbot: Any, damaged: tuple[str, int]) -> None:
    from ui.app import make_app
    from ui.main_window import TAB_KEYS, MainWindow

    url, case_id = damaged
    database = open_database(url)
    make_app()
    window = MainWindow(database, remember_layout=False)
    window.show()
    qtbot.waitExposed(window)
    try:
        window.select_case(case_id)
        assert window.case is not None and len(window.case.steps) == 23
        shown = window.header.damage_text()
        assert shown.splitlines()[0].startswith("⚠ The codes of the organisation")
        assert "… and 2 more parts of the case could not be read." in shown
        assert "(“other_tool”) could not be read" in window.header.damage.toolTip()  # all of them
        for key in TAB_KEYS:  # every tab shows what could be read
            window.show_tab(key)
            qtbot.wait(1)
            window.case_tabs[window.tabs.currentIndex()].select_first()
        assert window.analysis is not None
    finally:
        window.undo_stack.setClean()
        window.close()
        window.deleteLater()
        database.close()


def test_stored_dates_outside_the_years_the_app_computes_with(qapp: Any, db_url: str, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """Older versions stored any date: year 1 and year 9999 crashed anonymised exports, the PDFs
    and the map (OverflowError). They are left out, with the reason."""
    from datetime import date

    database = open_database(db_url)
    case_id = seed_demo_case(database)
    steps, cases = schema.steps, schema.cases
    with database.session() as session:
        session.execute(update(steps).where(steps.c.case_id == case_id, steps.c.position == 0)
                        .values(start="0001-01-01"))
        session.execute(update(steps).where(steps.c.case_id == case_id, steps.c.position == 23)
                        .values(start="9999-12-31T23:59", end=None))
        session.execute(update(cases).where(cases.c.id == case_id).values(date_of_birth=date(9999, 12, 31)))
    database.close()
    for command in (["export-fhir", str(case_id), "--anonymised", "--out", str(tmp_path / "anon.json")],
                    ["export-pdf", str(case_id), "--out", str(tmp_path / "summary.pdf")],
                    ["workshop-pack", str(case_id), "--out", str(tmp_path / "pack.pdf")]):
        code = main(["--db", db_url, *command])
        captured = capsys.readouterr()
        assert code == 0, captured.err
        assert ("The step “GP review: breathless, ankles swollen” could not be read (its start is not a date "
                "from 1900 to 2100); it is left out") in captured.err
        assert ("The date of birth of the person could not be read (not a date from 1900 to 2100); it is left "
                "empty") in captured.err
        assert captured.err.count("warning:") == 3


def test_a_damaged_case_can_be_edited_and_saved_whole_again(damaged: tuple[str, int]) -> None:
    """What was read passes the checks of an edit (references to what was left out are emptied),
    and saving writes it back without the damage."""
    from planner.editing import edit

    url, case_id = damaged
    database = open_database(url)
    with database.session() as session:
        case = CaseRepository(session).get(case_id)

    def change(data: dict[str, Any]) -> None:
        data["person"]["area"] = "South Devon"
    edited = edit(case, change)
    edited.id, edited.row_version = case.id, case.row_version
    with database.session() as session:
        CaseRepository(session).save(edited)
    with database.session() as session:
        again = CaseRepository(session).get(case_id)
    database.close()
    assert again.damage == [] and again.person.area == "South Devon" and len(again.steps) == 23


def test_what_referred_to_a_part_left_out_is_left_out_or_emptied(demo_case: Any) -> None:
    """As if the rows of the step s8, the organisation 'acute' and the team member ot1 could not be
    read: what referred to them goes too, and the case passes the checks of an import again."""
    from planner.casefile import case_to_dict
    from planner.damage import drop_dangling
    from planner.validation import validate

    case = demo_case
    case.steps = [s for s in case.steps if s.id != "s8"]
    case.organisations = [o for o in case.organisations if o.id != "acute"]
    case.team = [m for m in case.team if m.id != "ot1"]
    acute_steps = {s["id"] for s in demo_dict()["steps"] if s["organisation"] == "acute"}
    assert validate(case_to_dict(case))  # dangling references
    messages = drop_dangling(case)
    assert validate(case_to_dict(case)) == []
    assert not {s.id for s in case.steps} & acute_steps
    assert [a.rule for a in case.annotations] == ["M09"]  # the note on s8 went with it
    assert case.care_plan is not None and case.care_plan.actions[0].owner is None  # a1 was ot1's
    assert all(m.organisation != "acute" for m in case.team)
    assert messages[0].startswith(f"{len(acute_steps - {'s8'})} steps at an organisation that could not be read are "
                                  "left out (")
    assert messages[-1].startswith("Some references to parts of the case that could not be read")


def test_an_audit_event_with_damaged_details_is_still_listed(damaged: tuple[str, int],
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    url, case_id = damaged
    database = open_database(url)
    with database.session() as session:
        session.execute(text("UPDATE audit_events SET details = '{broken' WHERE case_id = :id"), {"id": case_id})
    database.close()
    assert main(["--db", url, "audit", str(case_id), "--json"]) == 0
    events = json.loads(capsys.readouterr().out)
    assert events and all(event["details"] is None for event in events)
