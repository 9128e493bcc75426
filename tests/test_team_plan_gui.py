"""The Team and Care plan tabs with pytest-qt: naming a coordinator, members leaving, agreeing
the plan and its versions, flags, printing, and adding people known on other cases."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from db.people import PeopleDirectory
from db.repository import CaseRepository
from planner import careplan
from planner.casefile import case_from_dict, read_case_file
from tests.conftest import DEMO
from tests.test_editing import fill, stored
from ui.main_window import MainWindow


def _team_tab(window: MainWindow) -> Any:
    window.show_tab("team")
    return window.case_tabs[4]


def _plan_tab(window: MainWindow) -> Any:
    window.show_tab("care-plan")
    return window.case_tabs[5]


def test_assigning_a_coordinator_from_the_team_tab(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    tab = _team_tab(window)
    assert "Maeve O'Brien" in tab.banner.text()
    assert tab.bars["coordinator"].add_button.text() == "&Assign coordinator…"
    dialogs = fill(monkeypatch, {"member": "sw1", "from": "2024-06-01", "reason": ""})
    tab.bars["coordinator"].add_button.click()
    assert "Say why the care coordinator is changing" in dialogs[0].errors["reason"].text()
    assert window.case.current_coordinator().member == "dn1"  # type: ignore[union-attr]  # nothing changed
    fill(monkeypatch, {"member": "sw1", "from": "2024-06-01", "reason": "Her needs are mainly social care"})
    tab.bars["coordinator"].add_button.click()
    case = window.case
    assert case is not None and case.current_coordinator().member == "sw1"  # type: ignore[union-attr]
    assert sum(1 for c in case.coordinator if c.end is None) == 1
    assert "James Reed" in window.header.coordinator_text() and "James Reed" in tab.banner.text()
    assert tab.history_model.rowCount() == 3
    assert window.undo_action.text() == "&Undo Name James Reed care coordinator"
    window.undo_action.trigger()  # the history as it was, exactly
    assert window.case.coordinator == read_case_file(DEMO).coordinator  # type: ignore[union-attr]
    assert tab.history_model.rowCount() == 2 and "Maeve O'Brien" in window.header.coordinator_text()
    window.redo_action.trigger()
    assert window.save() and stored(window).current_coordinator().member == "sw1"


def test_a_coordinator_who_leaves_is_flagged_in_the_header(window: MainWindow,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    tab = _team_tab(window)
    row = next(r for r in range(tab.team_model.rowCount()) if tab.team_model.row_object(r).id == "dn1")
    tab.team.view.selectRow(row)
    assert tab.leave_button.text() == "&Left the team…"
    fill(monkeypatch, {"on": "2024-06-01", "reason": "Moved to the hospice team"})
    tab.leave_button.click()
    assert window.header.coordinator.property("warning") is True
    assert "Care coordinator has left the team" in window.header.coordinator_text()
    assert "Maeve O'Brien left on 1 Jun 2024" in window.header.coordinator_text()
    assert "(left the team 1 Jun 2024)" in tab.team_model.data(tab.team_model.index(row, 0))
    assert tab.banner.text().startswith("⚠ The care coordinator, Maeve O'Brien, has left the team")
    # her action is flagged on the care plan tab
    plan_tab = _plan_tab(window)
    model = plan_tab.actions_model
    a2 = next(r for r in range(model.rowCount()) if model.row_object(r).id == "a2")
    assert "Owner left" in model.data(model.index(a2, 1))
    _team_tab(window)
    tab.team.view.selectRow(row)
    assert tab.leave_button.text() == "&Back on the team"
    tab.leave_button.click()
    assert window.header.coordinator.property("warning") is False


def test_agreeing_a_new_version_from_the_care_plan_tab(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    tab = _plan_tab(window)
    assert tab.summary.text().startswith("Version 2, agreed on 7 May 2024")
    assert not tab.agree_button.isEnabled()  # nothing to agree: version 2 as it stands
    assert "nothing has changed since version 2" in tab.agree_button.toolTip()
    assert tab.sign_model.rowCount() == 6
    # changing an action makes a draft and clears the agreements
    fill(monkeypatch, {"status": "done"})
    window.editor.edit("actions", 0)
    assert tab.summary.text().startswith("Draft: changes to version 2 not yet agreed")
    assert tab.sign_model.rowCount() == 0
    assert "agreements were cleared" in window.undo_action.text()
    # two people agree, then the version
    for member in ("dn1", "fam1"):
        fill(monkeypatch, {"member": member, "on": "2024-06-03"})
        tab.sign_button.click()
    assert tab.sign_model.rowCount() == 2 and tab.agree_button.isEnabled()
    assert tab.agree_button.text() == "Agree versio&n 3…"
    dialogs = fill(monkeypatch, {"on": "2024-06-03"})
    tab.agree_button.click()
    assert dialogs[0].inputs["agreed_by"].text() == "Maeve O'Brien, Susan Harris"
    assert tab.summary.text().startswith("Version 3, agreed on 3 Jun 2024")
    frozen = careplan.record(window.case).version(3)  # type: ignore[arg-type]
    assert frozen is not None and [s.name for s in frozen.sign_offs] == ["Maeve O'Brien", "Susan Harris"]
    assert window.save()
    assert careplan.record(stored(window)).version(3) == frozen


def test_the_review_date_is_highlighted(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    tab = _plan_tab(window)
    assert tab.review.text() == "⚠ Review overdue since 7 Aug 2024"
    assert tab.review.property("warning") is True
    soon = date.fromordinal(date.today().toordinal() + 10)
    fill(monkeypatch, {"review_on": soon.isoformat()})
    window.editor.edit_plan()
    assert tab.review.text().startswith("⚠ Review due in 10 days")
    later = date.fromordinal(date.today().toordinal() + 40)
    fill(monkeypatch, {"review_on": later.isoformat()})
    window.editor.edit_plan()
    assert tab.review.text().startswith("Review due ") and tab.review.property("warning") is False


def test_the_versions_dialog_shows_a_version_and_the_changes(window: MainWindow) -> None:
    from ui.plan_versions import VersionsDialog

    tab = _plan_tab(window)
    assert tab.versions_button.isEnabled()
    dialog = VersionsDialog(window.case, window)  # type: ignore[arg-type]
    assert dialog.list.count() == 3  # the plan now, version 2, version 1
    assert dialog.selected() == 2
    dialog.list.setCurrentRow(2)
    assert "I want to go home, not into a home" in dialog.view.toPlainText()
    dialog.compare_button.setChecked(True)
    text = dialog.view.toPlainText()
    assert "changes since version 1" in text and "Added goal: I'd like someone to talk to in the week" in text
    dialog.list.setCurrentRow(0)
    assert not dialog.compare_button.isEnabled() and "My care plan" in dialog.view.toPlainText()
    dialog.close()


def test_printing_goes_through_a_preview(window: MainWindow, monkeypatch: pytest.MonkeyPatch,
                                         tmp_path: Path) -> None:
    from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog

    painted: list[int] = []

    def fake_exec(dialog: QPrintPreviewDialog) -> int:
        printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(tmp_path / "printed.pdf"))
        dialog.paintRequested.emit(printer)
        painted.append(1)
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(QPrintPreviewDialog, "exec", fake_exec)
    assert window.print_plan_action.isEnabled()
    window.print_plan_action.trigger()
    # printed to a file: written as every export is (private, recorded), not by Qt
    printed = tmp_path / "printed.pdf"
    assert painted and window.statusBar().currentMessage() == f"Saved the care plan to {printed}"
    assert printed.read_bytes().startswith(b"%PDF") and printed.stat().st_mode & 0o777 == 0o600


def test_saving_the_plan_as_pdf(window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    target = tmp_path / "mine"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "PDF files (*.pdf)"))
    window.plan_pdf_action.trigger()
    written = tmp_path / "mine.pdf"
    assert written.read_bytes().startswith(b"%PDF")
    assert str(written) in window.statusBar().currentMessage()


def test_adding_someone_known_on_another_case(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    other = read_case_file(DEMO)
    other.title = "Mr Jones, Paignton"
    other.person.name = "Arthur Jones"
    other.team[0].name = "Dr Nadia Karim"
    other.organisations[0].name = "Paignton Health Centre"
    with window.database.session() as session:  # type: ignore[attr-defined]
        CaseRepository(session).add(other)
    with window.database.session() as session:  # type: ignore[attr-defined]
        people = PeopleDirectory(session).search("karim", exclude_case=window.case.id)  # type: ignore[union-attr]
        everyone = PeopleDirectory(session).search("", exclude_case=window.case.id)  # type: ignore[union-attr]
    assert [(p.name, p.organisation_name, p.cases) for p in people] == [
        ("Dr Nadia Karim", "Paignton Health Centre", 1)]
    assert len(everyone) == len(other.team)
    from ui.people_dialog import PeopleBrowser

    browser = PeopleBrowser(window.database, window.case.id, window)  # type: ignore[union-attr]
    browser.search.setText("nadia")
    browser.refresh()
    assert browser.model.rowCount() == 1 and browser.add_button.isEnabled()
    browser.close()
    monkeypatch.setattr(PeopleBrowser, "choose", classmethod(lambda cls, *a: people[0]))
    tab = _team_tab(window)
    tab.known_button.click()
    case = window.case
    assert case is not None and case.team[-1].name == "Dr Nadia Karim"
    org = case.organisation(case.team[-1].organisation)  # type: ignore[arg-type]
    assert org is not None and org.name == "Paignton Health Centre" and org.sector == "primary_care"
    assert "(and Paignton Health Centre)" in window.undo_action.text()
    window.undo_action.trigger()
    assert len(window.case.team) == 11 and len(window.case.organisations) == 11  # type: ignore[union-attr]


def test_the_header_warns_when_nobody_coordinates(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    data = read_case_file(DEMO)
    data.coordinator = []
    from planner.casefile import case_to_dict

    case = case_from_dict(case_to_dict(data))
    window.show_case(case)
    assert window.header.coordinator_text().startswith("⚠ No care coordinator")
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *a: asked.append(text))
    # everyone is on the team, so the assign dialog opens; cancel it
    monkeypatch.setattr("ui.editing.EntityDialog.exec", lambda self: int(QDialog.DialogCode.Rejected))
    assert window.editor.assign_coordinator() is False and not asked
