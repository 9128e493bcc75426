"""The main window with pytest-qt: the demo case in every tab, search, import, export, about."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from db.repository import CaseRepository
from planner.casefile import case_from_dict, read_case_file
from tests.conftest import DEMO
from tests.factories import demo_dict, minimal_dict
from ui.main_window import MainWindow
from ui.models import CaseListModel, Column, ColumnModel


@pytest.fixture
def window(qtbot, demo_database):  # type: ignore[no-untyped-def]
    from ui.app import make_app

    make_app()
    win = MainWindow(demo_database, remember_layout=False)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_models_pass_the_model_tester(qtmodeltester, demo_case, demo_database) -> None:  # type: ignore[no-untyped-def]
    model = ColumnModel([Column("Id", lambda s: s.id), Column("Label", lambda s: s.label or "")],
                        demo_case.steps)
    qtmodeltester.check(model)

    def fetch(search: str, limit: int, offset: int) -> list:  # type: ignore[type-arg]
        with demo_database.session() as session:
            return CaseRepository(session).summaries(search, limit, offset)

    cases = CaseListModel(fetch)
    cases.refresh()
    qtmodeltester.check(cases)


def test_case_list_fetches_in_pages(qtbot, database) -> None:  # type: ignore[no-untyped-def]
    with database.session() as session:
        repo = CaseRepository(session)
        for n in range(450):
            repo.add(case_from_dict(minimal_dict(name=f"Person {n:03d}")))
    calls = []

    def fetch(search: str, limit: int, offset: int) -> list:  # type: ignore[type-arg]
        calls.append((limit, offset))
        with database.session() as session:
            return CaseRepository(session).summaries(search, limit, offset)

    model = CaseListModel(fetch)
    model.refresh()
    assert model.rowCount() == 200 and model.canFetchMore()
    model.fetchMore()
    model.fetchMore()
    assert model.rowCount() == 450 and not model.canFetchMore()
    assert calls == [(200, 0), (200, 200), (200, 400)]


def test_the_demo_case_opens_in_every_tab(window: MainWindow) -> None:
    assert window.case is not None and window.windowTitle().startswith("Mrs Smith, Torbay")
    assert window.centre.currentWidget() is window.workspace
    assert "Edith Smith" in window.header.name.text()
    assert "Age " in window.header.facts.text() and "Torbay" in window.header.facts.text()
    assert "CFS 6" in window.header.facts.text()
    assert "Maeve O'Brien" in window.header.coordinator_text()
    person, pathway, orgs, team, plan = window.case_tabs
    assert window.tabs.currentWidget() is person
    assert pathway.steps_model.rowCount() == 0  # filled when first shown, not before
    for key in ("pathway", "organisations", "team", "care-plan", "person"):
        window.show_tab(key)
    assert person.identity.value("nhs_number") == "943 476 5919"
    assert person.identity.value("date_of_birth") == "2 Apr 1937"
    assert "garden" in person.what_matters.text()
    assert pathway.steps_model.rowCount() == 24 and pathway.handoffs_model.rowCount() == 8
    first = pathway.steps_model.index(0, 0)
    assert first.data() == "2 Oct 2023"
    assert orgs.orgs_model.rowCount() == 11 and orgs.regulators_model.rowCount() == 4
    assert team.team_model.rowCount() == 11 and team.history_model.rowCount() == 2
    assert "since 7 May 2024" in team.banner.text()
    assert plan.goals_model.rowCount() == 4 and plan.actions_model.rowCount() == 8
    assert "Version 2" in plan.summary.text() and "pendant alarm" in plan.contingency.text()
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        assert window.tabs.currentWidget().isVisible()


def test_no_stored_codes_reach_the_tables(window: MainWindow) -> None:
    for tab in window.case_tabs:
        tab.ensure_current()
        for table in tab.tables:
            model = table.model
            for row in range(model.rowCount()):
                for column in range(model.columnCount()):
                    text = model.index(row, column).data() or ""
                    for code in ("awaiting_", "step_down", "at_home", "primary_care", "local_authority",
                                 "CHARITY_COMMISSION", "in_progress"):
                        assert code not in text, (tab.title, text)


def test_selecting_a_row_fills_the_detail_pane(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.show_tab("pathway")
    pathway = window.case_tabs[1]
    admission_row = next(r for r in range(24) if "fractured neck" in pathway.steps_model.index(r, 1).data())
    pathway.steps.view.selectRow(admission_row)
    assert "Emergency admission" in window.details.title.text()
    text = window.details.text()
    assert "Ready for discharge" in text and "10 days delayed: awaiting a care package" in text
    window.show_tab("organisations")
    assert window.details.title.text() == "Details"  # cleared on changing tab
    window.case_tabs[2].orgs.view.selectRow(2)
    assert "Torbay Hospital" in window.details.title.text()
    assert "Requires improvement" in window.details.text()


def test_search_filters_the_case_list(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    assert window.case_model.rowCount() == 1 and window.case_count.text() == "1 case"
    qtbot.keyClicks(window.search, "zzz")
    qtbot.waitUntil(lambda: window.case_model.rowCount() == 0)
    assert window.case_count.text() == "0 cases match"
    window.search.clear()
    qtbot.keyClicks(window.search, "TORB")
    qtbot.waitUntil(lambda: window.case_model.rowCount() == 1)


def test_import_adds_and_opens_the_case(window: MainWindow, monkeypatch: pytest.MonkeyPatch,
                                        tmp_path: Path) -> None:
    data = minimal_dict(name="Arthur Jones", area="Lambeth")
    data["title"] = "Mr Jones"
    path = tmp_path / "jones.case.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    window.import_action.trigger()
    assert window.case is not None and window.case.title == "Mr Jones"
    assert window.case_model.rowCount() == 2
    assert "No care coordinator" in window.header.coordinator_text()
    assert "coordinate their care" in window.header.coordinator_text()  # sex not recorded
    assert window.header.coordinator.property("warning") is True
    window.show_tab("care-plan")
    plan_tab = window.case_tabs[4]
    assert plan_tab.summary.text() == "No shared care plan yet."
    assert plan_tab.goals.currentWidget() is plan_tab.goals.empty
    window.show_tab("team")
    assert window.case_tabs[3].history.currentWidget() is window.case_tabs[3].history.empty


def test_an_invalid_import_shows_the_problems_and_changes_nothing(
        window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    data = demo_dict()
    data["steps"][0]["start"] = "2024-02-30"
    data["team"][0]["organisation"] = "nowhere"
    path = tmp_path / "bad.case.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    shown: list[QMessageBox] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box) or 0)
    assert window.import_path(str(path)) is None
    assert len(shown) == 1
    box = shown[0]
    assert "2 problems" in box.text() and "Nothing was changed" in box.text()
    assert "$.steps[0].start" in box.informativeText() and "$.team[0].organisation" in box.informativeText()
    with window.database.session() as session:
        assert CaseRepository(session).count() == 1


def test_export_writes_the_open_case(window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    out = tmp_path / "smith.case.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    window.export_action.trigger()
    assert read_case_file(out) == read_case_file(DEMO)
    assert "Exported" in window.statusBar().currentMessage()


def test_menus_have_standard_shortcuts(window: MainWindow) -> None:
    shortcuts = {a.text().replace("&", ""): a.shortcut().toString() for a in window.actions()}
    assert shortcuts["Import case file…"] == "Ctrl+O"
    assert shortcuts["Export case file…"] == "Ctrl+E"
    assert shortcuts["Quit"] == "Ctrl+Q"
    assert shortcuts["Find case"] == "Ctrl+F"
    assert shortcuts["Care plan"] == "Ctrl+5"


def test_keyboard_switches_tabs_and_finds(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == 2
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.search.hasFocus()


def test_about_names_the_version_and_database(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    monkeypatch.setattr(QMessageBox, "about", lambda _parent, _title, text: seen.append(text))
    window.about_action.trigger()
    from planner import __version__

    assert __version__ in seen[0] and "cases.sqlite" in seen[0]
    assert window.database_label.text().startswith("Database: SQLite ")


def test_an_empty_database_shows_the_empty_workspace(qtbot, database) -> None:  # type: ignore[no-untyped-def]
    win = MainWindow(database, remember_layout=False)
    qtbot.addWidget(win)
    assert win.case is None and win.centre.currentWidget() is win.empty
    assert "import a case file" in win.empty.text()
    assert not win.export_action.isEnabled()


def test_layout_is_remembered(qtbot, demo_database) -> None:  # type: ignore[no-untyped-def]
    first = MainWindow(demo_database)
    qtbot.addWidget(first)
    first.show()
    first.splitter.setSizes([450, 500, 200])  # the case list much wider than its default
    first.close()
    second = MainWindow(demo_database)
    qtbot.addWidget(second)
    second.show()
    assert second.splitter.sizes()[0] > 300  # default 240
    from PySide6.QtCore import QByteArray, QSettings

    saved = QSettings().value("window/geometry")
    assert isinstance(saved, QByteArray) and not saved.isEmpty()


def test_a_database_that_cannot_be_opened_is_named_at_start(qapp, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.app import run_gui

    corrupt = tmp_path / "team.sqlite"
    corrupt.write_bytes(b"not a database" * 200)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text: shown.append(text))
    assert run_gui(f"sqlite:///{corrupt}") == 1
    assert len(shown) == 1 and "team.sqlite" in shown[0] and "file is not a database" in shown[0]
