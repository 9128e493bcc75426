"""Editing cases in the GUI: validated dialogs, undo and redo, saving, prompts, and the life of
a case (new, duplicate, delete, restore), driven through the real dialogs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from PySide6.QtWidgets import QComboBox, QDialog, QLineEdit, QMessageBox, QPlainTextEdit

from db.repository import CaseRepository
from planner.casefile import read_case_file
from tests.conftest import DEMO
from ui.editing import EntityDialog
from ui.main_window import MainWindow


def _set(dialog: EntityDialog, key: str, value: str) -> None:
    widget = dialog.inputs[key]
    if isinstance(widget, QLineEdit):
        widget.setText(value)
    elif isinstance(widget, QPlainTextEdit):
        widget.setPlainText(value)
    elif isinstance(widget, QComboBox):
        index = widget.findData(value)
        assert index >= 0, (key, value)
        widget.setCurrentIndex(index)
    else:
        raise AssertionError(key)


def fill(monkeypatch: pytest.MonkeyPatch, values: dict[str, str]) -> list[EntityDialog]:
    """Make the next dialogs fill these values and press OK; returns the dialogs seen."""
    seen: list[EntityDialog] = []

    def fake_exec(dialog: EntityDialog) -> int:
        seen.append(dialog)
        for key, value in values.items():
            _set(dialog, key, value)
        dialog.try_accept()
        return int(dialog.result())

    monkeypatch.setattr(EntityDialog, "exec", fake_exec)
    return seen


def answer(monkeypatch: pytest.MonkeyPatch, button: QMessageBox.StandardButton) -> list[str]:
    asked: list[str] = []

    def fake_question(_parent: Any, _title: str, text: str, *args: Any, **kwargs: Any) -> Any:
        asked.append(text)
        return button

    monkeypatch.setattr(QMessageBox, "question", fake_question)
    return asked


def stored(window: MainWindow):  # type: ignore[no-untyped-def]
    with window.database.session() as session:
        return CaseRepository(session).get(window.case.id)  # type: ignore[union-attr, arg-type]


def test_adding_a_step_is_undoable(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    fill(monkeypatch, {"kind": "contact", "label": "Check-up at the surgery", "organisation": "gp",
                       "start": "2024-07-01", "stage": "at_home"})
    window.editor.add("steps")
    assert window.case is not None and len(window.case.steps) == 25
    assert window.case.step("s25").label == "Check-up at the surgery"  # type: ignore[union-attr]
    assert window.isWindowModified() and "[*]" in window.windowTitle()
    assert window.undo_action.text() == "&Undo Add step “Check-up at the surgery”"
    window.undo_action.trigger()
    assert len(window.case.steps) == 24 and not window.isWindowModified()
    window.redo_action.trigger()
    assert len(window.case.steps) == 25 and window.isWindowModified()
    assert len(stored(window).steps) == 24  # nothing is written until Save


def test_saving_writes_the_edits_in_one_go(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    fill(monkeypatch, {"name": "Edith Mary Smith", "area": "Torbay"})
    window.editor.edit_person()
    assert window.case.person.name == "Edith Mary Smith"  # type: ignore[union-attr]
    assert window.save()
    assert not window.isWindowModified()
    case = stored(window)
    assert case.person.name == "Edith Mary Smith" and len(case.steps) == 24
    assert "Edith Mary Smith" in window.header.name.text()


def test_a_refusal_names_the_coordinator_period_and_the_person(window: MainWindow,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Not "$.coordinator[0].member: 'sw1'": the place and the person by name."""
    from planner import editing as planning

    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warned.append(text))

    def refuse(case: Any) -> Any:
        raise planning.EditRejected([planning.Problem("$.coordinator[0].member", "'sw1' has left the team")])

    window.editor._direct("Change the coordinator", refuse)
    assert warned == ["Care coordinator, period 1, who: James Reed has left the team"]


def test_an_invalid_edit_is_shown_where_it_is_wrong_and_changes_nothing(
        window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    before = window.case
    index = next(i for i, s in enumerate(before.steps) if s.id == "s8")  # type: ignore[union-attr]
    dialogs = fill(monkeypatch, {"end": "2024-01-01", "ready_for_discharge": "2024-02-30"})
    window.editor.edit("steps", index)
    dialog = dialogs[0]
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert dialog.errors["ready_for_discharge"].text() == "“2024-02-30” is not a real date: February 2024 has 29 days."
    dialogs = fill(monkeypatch, {"end": "1 Jan 2024", "ready_for_discharge": "2 Feb 2024"})
    window.editor.edit("steps", index)
    dialog = dialogs[-1]
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert dialog.errors["end"].text().startswith("The step ends (2024-01-01) before it starts")
    assert window.case is before and window.undo_stack.count() == 0


@pytest.mark.parametrize("typed", ["12 Feb 2024", "12 February 2024", "12/02/2024", "12-02-2024",
                                   "12.02.2024", "2024-02-12"])
def test_dates_are_typed_as_people_write_them(window: MainWindow, monkeypatch: pytest.MonkeyPatch,
                                              typed: str) -> None:
    index = next(i for i, s in enumerate(window.case.steps) if s.id == "s8")  # type: ignore[union-attr]
    dialogs = fill(monkeypatch, {"ready_for_discharge": typed})
    window.editor.edit("steps", index)
    assert dialogs[0].result() == QDialog.DialogCode.Accepted
    assert window.case.step("s8").ready_for_discharge == date(2024, 2, 12)  # type: ignore[union-attr]


def test_a_date_field_shows_the_date_as_people_read_it_and_refuses_nonsense_plainly(
        window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    index = next(i for i, s in enumerate(window.case.steps) if s.id == "s8")  # type: ignore[union-attr]
    shown: list[str] = []

    def look(dialog: EntityDialog) -> int:
        shown.extend([dialog.inputs["ready_for_discharge"].text(), dialog.inputs["start"].text()])
        dialog.inputs["ready_for_discharge"].setText("next Tuesday")
        dialog.try_accept()
        shown.append(dialog.errors["ready_for_discharge"].text())
        return int(dialog.result())

    monkeypatch.setattr(EntityDialog, "exec", look)
    window.editor.edit("steps", index)
    assert shown == ["2 Feb 2024", "20 Jan 2024, 03:10",
                     "“next Tuesday” is not a date: type it as 10 Jul 2024, 10/07/2024 or 2024-07-10."]
    assert window.undo_stack.count() == 0


@pytest.mark.qt_log_ignore("This plugin does not support")  # the offscreen platform's popups
def test_the_calendar_puts_the_day_picked_into_the_field(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QDate

    from ui.date_input import make_date_input, open_calendar

    field = make_date_input("2024-01-20T03:10", with_time=True)
    qtbot.addWidget(field)
    assert field.text() == "20 Jan 2024, 03:10"
    menu = open_calendar(field, with_time=True)
    calendar = menu.actions()[0].defaultWidget()  # type: ignore[attr-defined]
    assert calendar.selectedDate() == QDate(2024, 1, 20)
    calendar.clicked.emit(QDate(2024, 1, 22))
    assert field.text() == "22 Jan 2024, 03:10"  # the time typed is kept
    day = make_date_input(None)
    qtbot.addWidget(day)
    open_calendar(day, with_time=False).actions()[0].defaultWidget().clicked.emit(QDate(2024, 7, 10))  # type: ignore[attr-defined]
    assert day.text() == "10 Jul 2024"


def test_required_fields_and_numbers(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    dialogs = fill(monkeypatch, {"name": "", "frailty.scale": "CFS", "frailty.score": "six"})
    window.editor.edit_person()
    assert dialogs[0].result() == QDialog.DialogCode.Rejected
    assert dialogs[0].errors["frailty.score"].text() == "Not a number."
    dialogs = fill(monkeypatch, {"name": "", "frailty.score": "6"})
    window.editor.edit_person()
    assert dialogs[-1].errors["name"].text() == "Required."
    assert window.undo_stack.count() == 0


def test_the_nhs_number_is_checked_as_you_type(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    dialogs = fill(monkeypatch, {"nhs_number": "943 476 5918"})
    window.editor.edit_person()
    dialog = dialogs[0]
    assert "check digit does not match" in dialog.errors["nhs_number"].text()
    assert dialog.result() == QDialog.DialogCode.Rejected  # the import rules refuse it too
    _set(dialog, "nhs_number", "943 476 5919")
    assert dialog.errors["nhs_number"].text() == ""
    dialog.try_accept()
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_an_organisation_still_in_use_cannot_be_deleted(window: MainWindow,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warned.append(text))
    assert not window.editor.delete("organisations", 0)
    assert "still used elsewhere" in warned[0] and "• Step “2 Oct 2023 · GP review: breathless, ankles swollen”, " \
        "organisation" in warned[0]
    assert "$." not in warned[0]  # places named for people, not JSON paths
    assert len(window.case.organisations) == 11 and window.undo_stack.count() == 0  # type: ignore[union-attr]
    pharmacy = next(i for i, o in enumerate(window.case.organisations) if o.id == "pharmacy")  # type: ignore[union-attr]
    assert window.editor.delete("organisations", pharmacy)  # used by nothing
    assert window.undo_action.text() == "&Undo Delete organisation “Harbour Pharmacy”"


def test_every_table_adds_through_its_own_dialog(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    cases: list[tuple[str, dict[str, str], Callable[[Any], int]]] = [
        ("team", {"name": "Ann Lee", "role": "pharmacist", "organisation": "pharmacy"}, lambda c: len(c.team)),
        ("organisations", {"name": "Torquay Day Centre", "sector": "voluntary"}, lambda c: len(c.organisations)),
        ("handoffs", {"from": "s23", "to": "s24", "method": "letter"}, lambda c: len(c.handoffs)),
        ("goals", {"in_my_words": "I want to see my grandson"}, lambda c: len(c.care_plan.goals)),
        ("actions", {"description": "Book a taxi", "owner": "fam1"}, lambda c: len(c.care_plan.actions)),
    ]
    for collection, values, count in cases:
        before = count(window.case)
        fill(monkeypatch, values)
        window.editor.add(collection)
        assert count(window.case) == before + 1, collection
    assert window.undo_stack.count() == len(cases)
    window.undo_stack.setIndex(0)
    assert read_case_file(DEMO) == window.case  # every edit undone


def test_closing_or_switching_with_unsaved_changes_asks(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    fill(monkeypatch, {"label": "Renamed"})
    window.editor.edit("steps", 0)
    asked = answer(monkeypatch, QMessageBox.StandardButton.Cancel)
    window.close()
    assert window.isVisible() and asked and "Save the changes" in asked[0]
    answer(monkeypatch, QMessageBox.StandardButton.Save)
    window.close()
    assert not window.isVisible()
    assert stored(window).steps[0].label == "Renamed"


def test_new_and_duplicate_cases(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    fill(monkeypatch, {"name": "Arthur Jones", "title": "Mr Jones, Lambeth", "area": "Lambeth", "sex": "male"})
    window.new_action.trigger()
    assert window.case is not None and window.case.title == "Mr Jones, Lambeth"
    assert window.tabs.currentIndex() == 0
    assert window.save()
    titles = [window.case_model.summary(r).title for r in range(window.case_model.rowCount())]
    assert "Mr Jones, Lambeth" in titles
    window.select_case(next(window.case_model.summary(r).id for r in range(window.case_model.rowCount())
                            if window.case_model.summary(r).title == "Mrs Smith, Torbay"))
    window.duplicate_action.trigger()
    assert window.case.title == "Copy of Mrs Smith, Torbay" and len(window.case.steps) == 24
    assert window.case_model.rowCount() == 3


def test_a_deleted_case_can_be_restored_until_emptied(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    answer(monkeypatch, QMessageBox.StandardButton.Yes)
    case_id = window.case.id  # type: ignore[union-attr]
    window.delete_action.trigger()
    assert window.case_model.rowCount() == 0 and window.case is None
    window.deleted_action.trigger()
    assert window.case_model.rowCount() == 1 and window.case is not None
    assert "(deleted)" in window.windowTitle() and not window.delete_action.isEnabled()
    assert window.case_tabs[1].editor is None  # read-only until restored
    window.restore_action.trigger()
    assert not window.showing_deleted and window.case.id == case_id
    window.delete_action.trigger()
    window.deleted_action.trigger()
    window.empty_deleted_action.trigger()
    assert window.case_model.rowCount() == 0


def test_a_colleagues_save_is_offered_as_reload_or_copy(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    with window.database.session() as session:
        repository = CaseRepository(session)
        theirs = repository.get(window.case.id)  # type: ignore[union-attr, arg-type]
        theirs.title = "Saved by a colleague"
        repository.save(theirs)
    fill(monkeypatch, {"label": "My change"})
    window.editor.edit("steps", 0)
    monkeypatch.setattr(QMessageBox, "exec", lambda box: 0)
    monkeypatch.setattr(QMessageBox, "clickedButton",
                        lambda box: next(b for b in box.buttons() if b.text() == "Keep mine as a copy"))
    assert window.save()
    assert window.case.title == "Mrs Smith, Torbay (my copy)"  # type: ignore[union-attr]
    assert window.case.steps[0].label == "My change"  # type: ignore[union-attr]
    titles = sorted(window.case_model.summary(r).title for r in range(window.case_model.rowCount()))
    assert titles == ["Mrs Smith, Torbay (my copy)", "Saved by a colleague"]


def test_confirming_a_finding_is_an_undoable_edit(window: MainWindow) -> None:
    window.show_tab("findings")
    tab = window.findings_tab
    assert tab.select_finding("M07", frozenset({"s9", "s14"}))
    tab.confirm_button.click()
    assert window.undo_action.text() == "&Undo Confirm finding M07"
    assert any(a.rule == "M07" for a in window.case.annotations)  # type: ignore[union-attr]
    window.undo_action.trigger()
    assert not any(a.rule == "M07" for a in window.case.annotations)  # type: ignore[union-attr]


def test_building_a_case_from_nothing_with_undo(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    """Mrs Smith's story from a blank case, through the dialogs a coordinator would use."""
    def do(values: dict[str, Any], action: Callable[[], None]) -> None:
        dialogs = fill(monkeypatch, values)
        action()
        assert dialogs and dialogs[-1].result() == QDialog.DialogCode.Accepted, values

    do({"name": "Edith Smith", "title": "Mrs Smith, rebuilt", "sex": "female", "area": "Torbay",
        "nhs_number": "943 476 5919", "living_situation": "alone"}, window.new_case)
    editor = window.editor
    for name, sector in [("Brixham Road Surgery", "primary_care"), ("Torbay Hospital", "acute"),
                         ("Torbay Council Adult Social Care", "local_authority")]:
        do({"name": name, "sector": sector, "area": "Torbay"}, lambda: editor.add("organisations"))
    do({"name": "James Reed", "role": "social_worker", "organisation": "org3"}, lambda: editor.add("team"))
    do({"kind": "contact", "label": "GP review after a fall", "organisation": "org1", "start": "2024-01-08",
        "stage": "at_home", "funding": "nhs"}, lambda: editor.add("steps"))
    do({"kind": "admission", "label": "Emergency admission: hip fracture", "organisation": "org2",
        "start": "2024-01-20", "end": "2024-02-12", "stage": "crisis", "funding": "nhs",
        "ready_for_discharge": "2024-02-02", "delay_reason": "awaiting_care_package"},
       lambda: editor.add("steps"))
    do({"kind": "assessment", "label": "Care Act assessment", "organisation": "org3", "start": "2024-02-01",
        "stage": "step_down", "funding": "local_authority", "assessment_domain": "social_care_needs"},
       lambda: editor.add("steps"))
    do({"from": "s2", "to": "s3", "method": "phone"}, lambda: editor.add("handoffs"))
    do({"member": "m1", "from": "2024-02-12", "reason": "Agreed at MDT"}, lambda: editor.add("coordinator"))
    do({"in_my_words": "I want to get to church on Sundays again", "status": "active"}, lambda: editor.add("goals"))
    do({"description": "Home exercise programme", "owner": "m1", "goal": "g1"}, lambda: editor.add("actions"))
    do({"review_on": "2024-05-14", "contingency": "If I fall, call the rapid response team."},
       editor.edit_plan)
    do({"member": "m1", "on": "2024-02-14"}, editor.record_sign_off)
    do({"on": "2024-02-14"}, editor.agree_version)

    case = window.case
    # the person's form made the case (stored then: nothing before it); 12 additions, agreement
    assert case is not None and window.undo_stack.count() == 14
    assert case.care_plan is not None and case.care_plan.version == 1
    assert case.care_plan.agreed_on == date(2024, 2, 14) and case.care_plan.signed_off_by == ["m1"]
    assert [s.kind for s in case.ordered_steps()] == ["contact", "admission", "assessment"]
    assert case.step("s2").delayed_days == 10  # type: ignore[union-attr]
    assert "James Reed" in window.header.coordinator_text()
    rules = {f.rule for f in window.analysis.report.findings}  # type: ignore[union-attr]
    assert {"M03", "M04", "M06", "M08"} <= rules
    assert window.save()
    assert stored(window) == case
    window.undo_stack.setIndex(0)  # every edit undone: the case as its person's form made it
    assert window.case.person.name == "Edith Smith" and window.case.steps == []  # type: ignore[union-attr]
    window.undo_stack.setIndex(14)
    assert window.case == case and not window.isWindowModified()


def test_a_step_s_own_cost_is_edited_in_the_step_dialog(window: MainWindow,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    index = next(i for i, s in enumerate(window.case.steps) if s.id == "s8")  # type: ignore[union-attr]
    dialogs = fill(monkeypatch, {"cost.amount": "310", "cost.per": "day", "cost.source": "local tariff 2024/25"})
    window.editor.edit("steps", index)
    assert dialogs[0].result() == QDialog.DialogCode.Accepted
    cost = window.case.step("s8").cost  # type: ignore[union-attr]
    assert cost is not None and (cost.amount, cost.per, cost.source) == (310, "day", "local tariff 2024/25")
    dialogs = fill(monkeypatch, {"cost.amount": "-5"})
    window.editor.edit("steps", index)
    assert dialogs[-1].result() == QDialog.DialogCode.Rejected
    assert dialogs[-1].errors["cost.amount"].text()  # the field named, nothing changed
    assert window.case.step("s8").cost == cost  # type: ignore[union-attr]
