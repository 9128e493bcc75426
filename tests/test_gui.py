"""The main window with pytest-qt: the demo case in every tab, search, import, export, about."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from db.repository import CaseRepository
from planner.casefile import case_from_dict, read_case_file
from tests.conftest import DEMO
from tests.factories import demo_dict, minimal_dict
from ui import findings_tab
from ui.main_window import MainWindow
from ui.models import CaseListModel, Column, ColumnModel


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
    person, _map, pathway, orgs, team, plan, findings = window.case_tabs
    assert findings is window.findings_tab
    assert window.tabs.currentWidget() is person
    assert pathway.steps_model.rowCount() == 0  # filled when first shown, not before
    for key in ("pathway-map", "timeline", "organisations", "team", "care-plan", "findings", "person"):
        window.show_tab(key)
    assert person.identity.value("nhs_number") == "943 476 5919"
    assert person.identity.value("date_of_birth") == "2 Apr 1937"
    assert "garden" in person.what_matters.text()
    assert pathway.steps_model.rowCount() == 24 and pathway.handoffs_model.rowCount() == 8
    first = pathway.steps_model.index(0, 0)
    assert first.data() == "2 Oct 2023"
    assert orgs.orgs_model.rowCount() == 11
    # one landscape row per organisation and regulator (one row for an unregulated organisation)
    from planner.reference import regulators_of

    expected = sum(max(1, len(regulators_of(o))) for o in window.case.organisations)
    assert orgs.landscape_model.rowCount() == expected == 15
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
    window.show_tab("timeline")
    pathway = window.pathway_tab
    admission_row = next(r for r in range(24) if "fractured neck" in pathway.steps_model.index(r, 1).data())
    pathway.steps.view.selectRow(admission_row)
    assert "Emergency admission" in window.details.title.text()
    text = window.details.text()
    assert "Ready for discharge" in text and "10 days delayed: awaiting a care package" in text
    window.show_tab("organisations")
    assert window.details.title.text() == "Details"  # cleared on changing tab
    window.case_tabs[3].orgs.view.selectRow(2)
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
    plan_tab = window.case_tabs[5]
    assert plan_tab.summary.text().startswith("No shared care plan yet")
    assert plan_tab.goals.currentWidget() is plan_tab.goals.empty
    window.show_tab("team")
    assert window.case_tabs[4].history.currentWidget() is window.case_tabs[4].history.empty


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
    assert shortcuts["Pathway map"] == "Ctrl+2"
    assert shortcuts["Care plan"] == "Ctrl+6"
    assert shortcuts["Findings"] == "Ctrl+7"
    assert shortcuts["Save"] == "Ctrl+S" and shortcuts["New case"] == "Ctrl+N"
    assert shortcuts["Undo"] == "Ctrl+Z" and shortcuts["Redo"] == "Ctrl+Shift+Z"


def test_keyboard_switches_tabs_and_finds(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.pathway_tab
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
    assert "a case file or FHIR bundle" in win.empty_text.text() and not win.welcome_buttons.isHidden()
    assert not win.export_action.isEnabled()


def test_layout_is_remembered(qtbot, demo_database) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QByteArray, QSettings

    first = MainWindow(demo_database)
    qtbot.addWidget(first)
    first.show()
    first.splitter.setSizes([450, 500, 200])  # the case list much wider than its default
    first.close()
    saved = QSettings().value("window/splitter")
    assert isinstance(saved, QByteArray) and not saved.isEmpty()
    assert isinstance(QSettings().value("window/geometry"), QByteArray)
    second = MainWindow(demo_database)
    qtbot.addWidget(second)
    assert second.splitter.saveState() == saved  # restored as it was left
    fresh = MainWindow(demo_database, remember_layout=False)
    qtbot.addWidget(fresh)
    assert fresh.splitter.saveState() != saved


def test_a_database_that_cannot_be_opened_is_named_at_start(qapp, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.app import run_gui

    corrupt = tmp_path / "team.sqlite"
    corrupt.write_bytes(b"not a database" * 200)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text: shown.append(text))
    assert run_gui(f"sqlite:///{corrupt}") == 1
    assert len(shown) == 1 and "team.sqlite" in shown[0] and "file is not a database" in shown[0]


# -- findings ------------------------------------------------------------------------------
def _group(window: MainWindow, title_start: str):  # type: ignore[no-untyped-def]
    return next(g for g in window.findings_tab.model.groups if g.title.startswith(title_start))


def test_findings_are_grouped_by_rule_with_the_key_findings_first(window: MainWindow) -> None:
    window.show_tab("findings")
    analysis = window.analysis
    assert analysis is not None
    model = window.findings_tab.model
    groups = model.groups
    assert [g.rule for g in groups] == [g.rule for g in analysis.key.groups]
    assert [g.key_rank for g in groups[:5]] == [1, 2, 3, 4, 5] and all(g.key_rank is None for g in groups[5:])
    for group in groups:  # one row per rule, its occurrences beneath it
        assert group.rows and all(f.rule == group.rule for f in group.rows)
    rules = {f.rule for f in analysis.report.findings}
    assert len(groups) == len(rules)
    m03 = _group(window, "M03")
    assert len(m03.rows) == sum(1 for f in analysis.report.findings if f.rule == "M03") > 1
    row = groups.index(m03)
    assert model.index(row, 2).data() == str(len(m03.rows))
    assert model.rowCount(model.index(row, 0)) == len(m03.rows)
    # occurrences are named by date and label, never by step id
    names = [model.index(r, 0, model.index(row, 0)).data() for r in range(len(m03.rows))]
    assert "20 Jan 2024 · Emergency admission: fractured neck of femur; 1 Feb 2024 · Care Act needs " \
           "assessment on the ward" in names
    assert not any(re.search(r"\bs\d+\b", name) for name in names)
    # the demo's M09 on the step-down bed is set aside: listed under its rule, said in Team
    m09 = _group(window, "M09")
    aside = [f for f in m09.rows if f.set_aside]
    assert [(f.rule, f.steps) for f in aside] == [("M09", ["s20"])]
    key, rule_count, occurrences = analysis.key.counts()
    assert f"{key} key · {rule_count} rules · {occurrences} occurrences" in window.header.findings.text()
    assert "1 set aside" in window.findings_tab.summary.text()
    assert model.index(0, 1).data() == "Key 1"


def test_selecting_a_finding_shows_it_and_selects_its_steps(window: MainWindow) -> None:
    window.show_tab("findings")
    assert window.findings_tab.select_finding("M05", frozenset({"s8", "s17"}))
    assert window.details.title.text() == "M05 Target met, outcome lost"
    text = window.details.text()
    assert "18 days later" in text and "Question for the regulators" in text
    assert "Which national measure rewarded the first discharge" in text
    assert "What rule M05 looks for" in text and "readmission within 30 days" in text
    pathway = window.pathway_tab
    selected = {pathway.steps_model.row_object(i.row()).id
                for i in pathway.steps.view.selectionModel().selectedRows()}
    assert selected == {"s8", "s17"}


def test_the_timeline_marks_steps_with_their_findings(window: MainWindow) -> None:
    window.show_tab("timeline")
    model = window.pathway_tab.steps_model
    column = model.columnCount() - 1
    marks = {model.row_object(r).id: model.index(r, column).data() for r in range(model.rowCount())}
    assert marks["s8"].startswith("▲") and marks["s1"] == ""


def _reload(window: MainWindow):  # type: ignore[no-untyped-def]
    """The open case as stored, after saving the window's edits."""
    assert window.save()
    with window.database.session() as session:
        return CaseRepository(session).get(window.case.id)  # type: ignore[union-attr, arg-type]


def test_confirming_and_setting_aside_are_stored(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    window.show_tab("findings")
    tab = window.findings_tab
    assert tab.select_finding("M07", frozenset({"s9", "s14"}))
    tab.confirm_button.click()
    stored = [(a.rule, a.status) for a in _reload(window).annotations]
    assert ("M07", "confirmed") in stored
    assert tab.current().annotation.status == "confirmed"  # still selected after recomputing
    monkeypatch.setattr(findings_tab, "ask_text", lambda *a, **k: "Same assessor, shared form")
    tab.set_aside_button.click()
    notes = [a for a in _reload(window).annotations if a.rule == "M07"]
    assert [(a.status, a.comment) for a in notes] == [("set_aside", "Same assessor, shared form")]
    assert any(f.set_aside for f in _group(window, "M07").rows)
    assert "Set aside" in window.details.text() or tab.current().set_aside


def test_setting_aside_needs_a_reason(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    window.show_tab("findings")
    tab = window.findings_tab
    tab.select_finding("M14", frozenset({"s7", "s8", "s9", "s11", "s16", "s17"}))
    told: list[str] = []
    monkeypatch.setattr(findings_tab, "ask_text", lambda *a, **k: "   ")
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: told.append(text))
    before = list(_reload(window).annotations)
    tab.set_aside_button.click()
    assert told and "reason" in told[0]
    assert _reload(window).annotations == before


def test_comments_add_and_annotations_can_be_removed(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    window.show_tab("findings")
    tab = window.findings_tab
    tab.select_finding("M04", frozenset({"s8"}))
    monkeypatch.setattr(findings_tab, "ask_text", lambda *a, **k: "Ask the council for its view")
    tab.comment_button.click()
    notes = [a for a in _reload(window).annotations if a.rule == "M04"]
    assert [a.status for a in notes] == ["confirmed", "comment"]
    assert tab.current().annotation.status == "confirmed"  # a comment does not replace the decision
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    tab.clear_button.click()
    assert [a for a in _reload(window).annotations if a.rule == "M04"] == []


def test_an_annotation_whose_finding_no_longer_fires_is_shown(window: MainWindow, tmp_path: Path) -> None:
    data = demo_dict()
    data["title"] = "Mrs Smith, annotated"
    data["annotations"].append({"rule": "M10", "steps": ["s1"], "status": "comment", "comment": "Check GP access"})
    path = tmp_path / "annotated.case.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    window.import_path(str(path))
    window.show_tab("findings")
    orphans = _group(window, "Annotations whose finding")
    assert [(a.rule, a.comment) for a in orphans.rows] == [("M10", "Check GP access")]
    model = window.findings_tab.model
    group_index = model.index(len(model.groups) - 1, 0)
    assert model.index(0, 0, group_index).data() == (
        "M10 Care home resident, NHS access by default through A&E: 2 Oct 2023 · GP review: breathless, "
        "ankles swollen")
    window.findings_tab.tree.setCurrentIndex(model.index(0, 0, group_index))
    assert "no longer fires" in window.details.text()
    window.findings_tab.clear_button.click()
    assert all(a.rule != "M10" for a in _reload(window).annotations)
    assert all(g.title != "Annotations whose finding no longer fires" for g in model.groups)


def test_findings_model_passes_the_model_tester(qtmodeltester, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.show_tab("findings")
    qtmodeltester.check(window.findings_tab.model)


def test_the_map_loads_when_first_shown_and_shares_the_selection(window: MainWindow) -> None:
    assert window.map_tab.inner is None  # not built at start-up
    window.show_tab("pathway-map")
    inner = window.map_tab.inner
    assert inner is not None and inner.isVisible()
    window.show_tab("findings")
    assert window.findings_tab.select_finding("M05", frozenset({"s8", "s17"}))
    assert set(inner.view.scene().highlighted()) == {"s8", "s17"}  # type: ignore[attr-defined]


def test_errors_in_event_handlers_are_told_to_the_user(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import sys

    from PySide6.QtWidgets import QMessageBox

    from db.database import DatabaseUnavailable
    from ui.app import install_error_reporting, make_app

    make_app()
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text, *a: shown.append((title, text)))
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, title, text, *a: shown.append((title, text)))
    monkeypatch.setattr(sys, "excepthook", lambda *a: shown.append(("console", "")))
    install_error_reporting()
    from sqlalchemy.exc import OperationalError

    original = OperationalError("UPDATE cases ...", {}, Exception("database is locked"))
    locked = DatabaseUnavailable("The database /tmp/x.sqlite is locked by process 123 (python).", original)
    sys.excepthook(DatabaseUnavailable, locked, None)
    assert shown == [("The database is not available",
                      "The database /tmp/x.sqlite is locked by process 123 (python).\n\nNothing was changed. "
                      "Your unsaved edits are still open: try again in a moment.")]
    shown.clear()
    sys.excepthook(ValueError, ValueError("bad"), None)
    assert shown[0] == ("console", "") and shown[1][0] == "Something went wrong"
    assert "ValueError: bad" in shown[1][1]


def test_a_whole_rule_is_annotated_from_its_row(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    window.show_tab("findings")
    tab = window.findings_tab
    model = tab.model
    row = next(i for i, g in enumerate(model.groups) if g.rule == "M03")
    occurrences = len(model.groups[row].rows)
    tab.tree.setCurrentIndex(model.index(row, 0))
    assert tab.confirm_button.isEnabled() and tab.set_aside_button.isEnabled()
    monkeypatch.setattr(findings_tab, "ask_text", lambda *a, **k: "Funding agreed at the MDT")
    tab.set_aside_button.click()
    assert window.undo_action.text() == f"&Undo Set aside M03 ({occurrences} occurrences)"
    stored = [a for a in _reload(window).annotations if a.rule == "M03"]
    assert len(stored) == occurrences and {a.status for a in stored} == {"set_aside"}
    assert {a.comment for a in stored} == {"Funding agreed at the MDT"}
    group = _group(window, "M03")
    assert all(f.set_aside for f in group.rows) and group.key_rank is None  # all set aside: never key
    assert model.index(model.groups.index(group), 3).data() == "All set aside"


def test_the_findings_tab_shows_the_cost_of_care(window: MainWindow) -> None:
    from planner.costs import cost_of_care

    window.show_tab("findings")
    model = window.findings_tab.costs_model
    rows = {model.index(r, 0).data(): model.index(r, 1).data() for r in range(model.rowCount())}
    costs = cost_of_care(window.case)  # type: ignore[arg-type]
    assert rows["Total (an estimate)"] == f"£{costs.total:,}"
    assert rows["Paid by the NHS"] == f"£{costs.by_payer()['nhs']:,}"
    assert "to the nearest £10" in rows["Prices"]
    assert rows["  20 Jan 2024 · Emergency admission: fractured neck of femur"].endswith(
        "paid by the NHS, waiting for social care")
    assert rows["Not costed"].endswith("with no published unit cost")


def test_an_empty_database_welcomes_with_three_ways_to_start(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from db.database import open_database

    database = open_database(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    window = MainWindow(database, remember_layout=False)
    qtbot.addWidget(window)
    try:
        assert window.centre.currentWidget() is window.empty
        assert window.empty_text.text().startswith("Welcome to Pathway Planner")
        assert not window.welcome_buttons.isHidden()
        window.demo_button.click()
        assert window.case is not None and window.case.display_title == "Mrs Smith, Torbay"
        assert window.case_model.rowCount() == 1 and window.welcome_buttons.isHidden()
        assert "Choose a case" in window.empty_text.text()
        with database.session() as session:
            from db import audit

            assert audit.history(session, window.case.id)[0].action == "created"
    finally:
        database.close()


def test_a_rule_is_pinned_as_key_and_annotations_say_who_and_when(window: MainWindow,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from db import audit

    monkeypatch.setattr(audit, "user_name", lambda: "Ann Coordinator")
    window.show_tab("findings")
    tab = window.findings_tab
    model = tab.model
    row = next(i for i, g in enumerate(model.groups) if g.rule == "M07")
    assert model.groups[row].key_rank is None
    tab.tree.setCurrentIndex(model.index(row, 0))
    assert "Not among the key findings" in window.details.text()
    assert tab.pin_button.isEnabled() and not tab.rank_button.isEnabled()
    tab.pin_button.click()
    assert window.undo_action.text() == "&Undo Pin M07 as a key finding"
    assert model.groups[0].rule == "M07" and model.groups[0].key_rank == 1 and model.groups[0].pinned
    assert model.index(0, 1).data() == "Key 1 (pinned)"
    tab.tree.setCurrentIndex(model.index(0, 0))
    assert "Pinned as a key finding by Ann Coordinator" in window.details.text()
    stored = _reload(window)
    assert stored.extensions["pathway_planner"]["key_pins"][0]["rule"] == "M07"  # type: ignore[index]
    # one occurrence confirmed: the detail pane says who and when
    assert tab.select_finding("M07", frozenset({"s9", "s14"}))
    tab.confirm_button.click()
    assert tab.select_finding("M07", frozenset({"s9", "s14"}))
    assert "By Ann Coordinator" in window.details.text()
    window.undo_action.trigger()  # the confirmation
    window.undo_action.trigger()  # the pin
    assert next(g for g in model.groups if g.rule == "M07").pinned is None


def test_the_case_list_shows_the_findings_counts(window: MainWindow) -> None:
    from PySide6.QtCore import Qt as QtCore

    row = window.case_model.index(0, 0)
    shown = row.data(QtCore.ItemDataRole.DisplayRole)
    assert shown.endswith("24 steps · 5 key · 14 rules · 40 occurrences"), shown
    assert "40 occurrences" in row.data(QtCore.ItemDataRole.ToolTipRole)


def test_a_case_stored_before_the_counts_were_kept_gets_them_when_opened(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import update

    from db import schema
    from db.database import open_database

    database = open_database(f"sqlite:///{tmp_path / 'old.sqlite'}", seed_demo=True)
    with database.session() as session:  # as a database migrated from before the counts were kept
        session.execute(update(schema.cases).values(key_findings=None, rules_fired=None, occurrences=None))
    window = MainWindow(database, remember_layout=False)
    qtbot.addWidget(window)
    try:
        assert window.analysis is not None
        assert window.case_model.summary(0).findings == (5, 14, 40)
        with database.session() as session:
            (summary,) = CaseRepository(session).summaries()
        assert summary.findings == (5, 14, 40) and window.undo_stack.isClean()
    finally:
        database.close()


def test_a_refused_file_keeps_its_paths_with_the_items_named(window: MainWindow, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.informativeText()) or 0)
    data = demo_dict()
    data["coordinator"][0]["member"] = "nobody"
    data["steps"][7]["end"] = "2020-01-01"
    path = tmp_path / "bad.case.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert window.import_path(str(path)) is None
    assert "• $.coordinator[0].member (Care coordinator, period 1, who): " in shown[0]
    assert "• $.steps[7].end (Step “20 Jan 2024 · Emergency admission: fractured neck of femur”, end): " in shown[0]
