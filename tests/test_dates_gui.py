"""Dates as people write them, in every date field of every dialog, with a calendar, and an
impossible date refused with one plain sentence at the field."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QCalendarWidget, QDialog, QLineEdit, QMenu

from planner.dates import read_day, read_moment
from ui import editing as dialogs
from ui.editing import EntityDialog
from ui.main_window import MainWindow

FORMS = {"10 Jul 2024", "10 July 2024", "10/07/2024", "10-07-2024", "2024-07-10", "10.07.2024",
         " 10  jul 2024 "}


# -- reading (no Qt) ---------------------------------------------------------------------------
@pytest.mark.parametrize("typed", sorted(FORMS))
def test_every_form_reads_as_the_same_day(typed: str) -> None:
    assert read_day(typed) == date(2024, 7, 10)
    assert read_moment(typed) == date(2024, 7, 10)


@pytest.mark.parametrize(("typed", "moment"), [
    ("10 Jul 2024 14:30", datetime(2024, 7, 10, 14, 30)),
    ("10/07/2024, 14:30", datetime(2024, 7, 10, 14, 30)),
    ("2024-07-10T14:30", datetime(2024, 7, 10, 14, 30)),
])
def test_a_time_may_follow_the_date(typed: str, moment: datetime) -> None:
    assert read_moment(typed) == moment


@pytest.mark.parametrize(("typed", "message"), [
    ("31/02/2024", "“31/02/2024” is not a real date: February 2024 has 29 days."),
    ("29-02-2023", "“29-02-2023” is not a real date: February 2023 has 28 days."),
    ("31 Apr 2024", "“31 Apr 2024” is not a real date: April 2024 has 30 days."),
    ("07/13/2024", "“07/13/2024” is not a real date: there is no month 13 (the day comes first: 13/07/2024)."),
    ("10 Jly 2024", "“10 Jly 2024” is not a date: “Jly” is not a month."),
    ("next Tuesday", "“next Tuesday” is not a date: type it as 10 Jul 2024, 10/07/2024 or 2024-07-10."),
    ("2024-07-10T25:00", "“2024-07-10T25:00” is not a real time of day."),
])
def test_what_is_not_a_date_is_said_in_one_plain_sentence(typed: str, message: str) -> None:
    with pytest.raises(ValueError) as refused:
        read_moment(typed)
    text = str(refused.value)
    assert text == message
    assert text.count(". ") == 0 and text.endswith(".")  # one sentence
    assert "YYYY" not in text and "\\d" not in text and "match" not in text  # no pattern, no regex


# -- every dialog's date fields ----------------------------------------------------------------
ALL_FORMS: list[tuple[str, list[dialogs.Field]]] = [
    ("person", dialogs.PERSON_FIELDS), ("plan", dialogs.PLAN_FIELDS),
    ("coordinator period", dialogs.COORDINATOR_FIELDS), ("leaving", dialogs.LEAVING_FIELDS),
    ("sign-off", dialogs.SIGN_OFF_FIELDS), ("agree", dialogs.AGREE_FIELDS),
    *((name, fields) for name, fields in dialogs.FIELDS.items()),
]


def test_every_date_field_in_every_dialog_takes_dates_as_people_write_them(window: MainWindow) -> None:
    case = window.case
    assert case is not None
    seen = 0
    for name, fields in ALL_FORMS:
        dialog = EntityDialog(name, fields, {}, case, lambda _values: case, "$form", window)
        for spec in fields:
            if spec.kind not in ("date", "moment"):
                continue
            seen += 1
            field = dialog.inputs[spec.key]
            assert isinstance(field, QLineEdit), (name, spec.key)
            assert any(a.text() == "Choose the date from a calendar" for a in field.actions()), (name, spec.key)
            for typed in FORMS:
                field.setText(typed)
                read = dialogs._get(dialog.values(), spec.key)
                assert read == "2024-07-10", (name, spec.key, typed)
            field.setText("31/02/2024")
            with pytest.raises(ValueError) as refused:
                dialog.values()
            assert refused.value.args[0][spec.key] == "“31/02/2024” is not a real date: February 2024 has 29 days."
            field.clear()
        dialog.deleteLater()
    assert seen >= 12  # the dates of the person, the plan, the team, steps, goals and actions


def test_a_date_typed_any_way_is_shown_back_as_people_read_it(window: MainWindow, qtbot: Any,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    index = next(i for i, s in enumerate(window.case.steps) if s.id == "s8")  # type: ignore[union-attr]
    shown: list[str] = []

    def look(dialog: EntityDialog) -> int:
        field = dialog.inputs["ready_for_discharge"]
        field.setFocus()
        field.clear()
        qtbot.keyClicks(field, "10/07/2024")
        field.editingFinished.emit()
        shown.append(field.text())
        field.setText("31/02/2024")
        field.editingFinished.emit()
        shown.append(dialog.errors["ready_for_discharge"].text())
        shown.append(str(dialog.errors["ready_for_discharge"].isVisibleTo(dialog)))
        field.setText("1 Feb 2024")
        field.editingFinished.emit()
        shown.append(dialog.errors["ready_for_discharge"].text())
        return int(QDialog.DialogCode.Rejected)

    monkeypatch.setattr(EntityDialog, "exec", look)
    window.editor.edit("steps", index)
    assert shown == ["10 Jul 2024", "“31/02/2024” is not a real date: February 2024 has 29 days.", "True", ""]


def test_the_coordinator_form_reads_a_typed_date(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    def fill(dialog: EntityDialog) -> int:
        member = dialog.inputs["member"]
        member.setCurrentIndex(member.findData("sw1"))
        dialog.inputs["from"].setText("1/6/2024")
        dialog.inputs["reason"].setPlainText("Her needs are mainly social care")
        dialog.try_accept()
        return int(dialog.result())

    monkeypatch.setattr(EntityDialog, "exec", fill)
    assert window.editor.assign_coordinator()
    current = window.case.current_coordinator()  # type: ignore[union-attr]
    assert current is not None and current.member == "sw1" and current.start == date(2024, 6, 1)


def test_an_impossible_date_in_a_small_form_is_refused_at_the_field(window: MainWindow,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    errors: list[str] = []

    def fill(dialog: EntityDialog) -> int:
        member = dialog.inputs["member"]
        member.setCurrentIndex(member.findData("sw1"))
        dialog.inputs["on"].setText("31/02/2024")
        dialog.try_accept()
        errors.append(dialog.errors["on"].text())
        return int(dialog.result())

    monkeypatch.setattr(EntityDialog, "exec", fill)
    assert not window.editor.record_sign_off()
    assert errors == ["“31/02/2024” is not a real date: February 2024 has 29 days."]
    assert window.undo_stack.count() == 0


@pytest.mark.qt_log_ignore("This plugin does not support")  # the offscreen platform's popups
def test_alt_down_opens_the_calendar_and_enter_picks_the_day(qtbot: Any) -> None:
    from ui.date_input import make_date_input

    field = make_date_input("2024-07-10")
    qtbot.addWidget(field)
    field.show()
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    menu = field.findChild(QMenu)
    assert menu is not None and menu.isVisible()
    calendar = menu.findChild(QCalendarWidget)
    assert calendar.selectedDate() == QDate(2024, 7, 10)
    calendar.setSelectedDate(QDate(2024, 7, 12))
    calendar.activated.emit(calendar.selectedDate())  # Enter on a day
    assert field.text() == "12 Jul 2024" and not menu.isVisible()
