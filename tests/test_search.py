"""Finding cases: by name, NHS number (with or without spaces), team member and organisation, in
the case list and with `cases --search`; and the case list's flags."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt

from db.repository import CaseRepository
from planner.model import Case, Member, Person
from ui.cli import main

OTHER_NHS = "4010232137"


def _add_other(database: Any, demo: Case) -> int:
    """A second case: another person, with her own NHS number and a team without the demo's names."""
    other = copy.deepcopy(demo)
    other.id = None
    other.title = "Mr Patel, Paignton"
    other.person.name = "Arjun Patel"
    other.person.nhs_number = OTHER_NHS
    other.person.area = "Paignton"
    with database.session() as session:
        return int(CaseRepository(session).add(other))


def _titles(database: Any, search: str) -> list[str]:
    with database.snapshot() as session:
        return [s.title for s in CaseRepository(session).summaries(search)]


def test_cases_are_found_by_nhs_number_team_member_and_organisation(demo_database: Any, demo_case: Case) -> None:
    _add_other(demo_database, demo_case)
    both = ["Mr Patel, Paignton", "Mrs Smith, Torbay"]
    assert _titles(demo_database, "") == both
    assert _titles(demo_database, "401 023 2137") == ["Mr Patel, Paignton"]  # as NHS numbers are written
    assert _titles(demo_database, "4010232137") == ["Mr Patel, Paignton"]
    assert _titles(demo_database, "943 476 5919") == ["Mrs Smith, Torbay"]
    assert _titles(demo_database, "edith") == ["Mrs Smith, Torbay"]  # the person's name
    assert _titles(demo_database, "Paignton") == ["Mr Patel, Paignton"]  # the title and area
    assert _titles(demo_database, "nowak") == both  # a team member (on both cases)
    assert _titles(demo_database, "Riviera Homecare") == both  # an organisation
    assert _titles(demo_database, "12345678901") == []
    assert _titles(demo_database, "100%") == []  # LIKE's wildcards are only text here


def test_a_team_members_surname_finds_only_their_cases(database: Any, demo_case: Case) -> None:
    demo_case.team.append(Member(id="m99", name="Bronwen Tregear", role="social_worker"))
    with database.session() as session:
        CaseRepository(session).add(demo_case)
    plain = Case(person=Person(name="Arthur Jones"), title="Mr Jones")
    with database.session() as session:
        CaseRepository(session).add(plain)
    assert _titles(database, "tregear") == ["Mrs Smith, Torbay"]
    assert _titles(database, "TREGEAR") == ["Mrs Smith, Torbay"]


def test_the_case_list_flags_no_coordinator_review_overdue_and_key_findings(database: Any,
                                                                           demo_case: Case) -> None:
    plain = Case(person=Person(name="Arthur Jones"), title="Mr Jones")
    assert demo_case.care_plan is not None
    demo_case.care_plan.review_on = date.today() + timedelta(days=30)
    with database.session() as session:
        repository = CaseRepository(session)
        repository.add(demo_case)
        repository.add(plain)
    with database.snapshot() as session:
        jones, smith = CaseRepository(session).summaries()
    today = date.today()
    jones_key = jones.findings[0] if jones.findings else 0
    assert jones.has_coordinator is False and jones.review_on is None
    assert jones.flags(today) == ["No coordinator"] + ([f"{jones_key} key findings open"] if jones_key else [])
    assert smith.has_coordinator is True and smith.review_on == demo_case.care_plan.review_on
    key = smith.findings[0] if smith.findings else 0
    assert key > 0 and smith.flags(today) == [f"{key} key findings open"]
    assert smith.flags(today + timedelta(days=31)) == ["Review overdue", f"{key} key findings open"]


def test_cases_search_on_the_command_line(capsys: pytest.CaptureFixture[str], demo_database: Any,
                                          demo_case: Case) -> None:
    _add_other(demo_database, demo_case)
    url = demo_database.url
    assert main(["--db", url, "cases", "--search", "401 023 2137"]) == 0
    out = capsys.readouterr().out
    assert "Mr Patel, Paignton" in out and "Mrs Smith" not in out
    assert main(["--db", url, "cases", "--search", "Edith"]) == 0
    out = capsys.readouterr().out
    assert "Mrs Smith, Torbay" in out and "Mr Patel" not in out
    assert "Review overdue" in out and "key findings open" in out  # the demo's review date has passed
    assert main(["--db", url, "cases", "--search", "Nowak", "--json"]) == 0
    import json

    assert sorted(r["title"] for r in json.loads(capsys.readouterr().out)) == [
        "Mr Patel, Paignton", "Mrs Smith, Torbay"]
    assert main(["--db", url, "cases", "--search", "nobody at all"]) == 0
    assert capsys.readouterr().out.strip() == "No case matches “nobody at all”."


def test_down_then_enter_in_the_search_box_opens_the_first_match(window: Any, qtbot: Any,
                                                                 demo_case: Case) -> None:
    other_id = _add_other(window.database, demo_case)
    window.case_model.refresh()
    window.select_case(other_id)
    assert window.case is not None and window.case.title == "Mr Patel, Paignton"
    window.search.setFocus()
    qtbot.keyClicks(window.search, "943 476 5919")
    qtbot.keyClick(window.search, Qt.Key.Key_Down)
    assert window.case_model.rowCount() == 1
    assert window.case.title == "Mrs Smith, Torbay" and window.case_list.hasFocus()
    qtbot.keyClick(window.case_list, Qt.Key.Key_Return)
    assert window.case.title == "Mrs Smith, Torbay"
    window.search.clear()
    qtbot.keyClicks(window.search, "401 023 2137")
    qtbot.keyClick(window.search, Qt.Key.Key_Return)  # Enter straight from the search box
    assert window.case.id == other_id


def test_the_case_list_shows_the_flags(window: Any) -> None:
    row = window.case_model.row_of(window.case.id)
    index = window.case_model.index(row, 0)
    text = window.case_model.data(index, Qt.ItemDataRole.DisplayRole)
    assert text.splitlines()[0] == "Mrs Smith, Torbay"
    assert text.splitlines()[1] == "⚑ Review overdue"  # the demo's review date has passed
    assert text.splitlines()[2].endswith(" · 5 key · 14 rules · 40 occurrences")  # open key findings
    assert "Review overdue" in window.case_model.data(index, Qt.ItemDataRole.AccessibleTextRole)
