"""Keyboard first: a case built, its pathway, plan and findings worked on with the keyboard alone.

The user's steps are key presses sent to the widget that has the focus (QTest.keyClick and
keyClicks); dialogs are filled the same way while they are open. Nothing the user does is a direct
method call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTreeView,
    QWidget,
)

from ui.editing import EntityDialog
from ui.main_window import MainWindow

#: Showing a dialog offscreen says the platform cannot pass size hints to a window manager it lacks.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

Key = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier


#: The window of the test under way (another test's window, not yet deleted, is never "below").
_WINDOWS: list[MainWindow] = []


def focused() -> QWidget:
    """The widget with the keyboard focus. With no window manager (the offscreen platform), a
    window closing gives the focus back to no one, or to a window another test left behind: here,
    as a desktop does, it goes to the window below (the open dialog, else the test's window)."""
    mine = next((w for w in reversed(_WINDOWS) if w.isVisible()), None)
    below = QApplication.activeModalWidget() or mine or next(
        (w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()), None)

    def astray() -> bool:
        widget = QApplication.focusWidget()
        return widget is None or (below is not None and widget.window() is not below)

    if below is not None and astray():
        below.activateWindow()
        for _ in range(100):
            if not astray():
                break
            QTest.qWait(10)
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def press(key: Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(focused(), key, modifier)


def type_text(text: str) -> None:
    QTest.keyClicks(focused(), text)


def tab_until(found: Callable[[QWidget], bool], limit: int = 80) -> QWidget:
    """Press Tab until the focus is on a widget ``found`` accepts."""
    for _ in range(limit):
        if found(focused()):
            return focused()
        press(Key.Key_Tab)
    raise AssertionError(f"Tab never reached the widget; the focus is on {type(focused()).__name__}")


class Dialogs:
    """Fills the next modal dialog with key presses while it is open (exec() blocks the test)."""

    def __init__(self) -> None:
        self.errors: list[BaseException] = []
        self.seen: list[str] = []
        self.pending = 0

    def next(self, fill: Callable[[QDialog], None], tries: int = 50) -> None:
        if tries == 50:
            self.pending += 1

        def run() -> None:
            dialog = QApplication.activeModalWidget()
            if dialog is None and tries > 0:  # not open yet (an access key clicks its button after 100 ms)
                self.next(fill, tries - 1)
                return
            self.pending -= 1
            try:
                assert isinstance(dialog, QDialog), f"no dialog open: {dialog!r}"
                dialog.activateWindow()  # a window manager's job; the offscreen platform has none
                for _ in range(100):
                    if dialog.isAncestorOf(QApplication.focusWidget()):
                        break
                    QTest.qWait(10)
                assert dialog.isAncestorOf(QApplication.focusWidget()), QApplication.focusWidget()
                self.seen.append(dialog.windowTitle())
                fill(dialog)
            except BaseException as error:  # reported by the test, not lost in the event loop
                self.errors.append(error)
            finally:
                if isinstance(dialog, QDialog) and dialog.isVisible():
                    shown = [label.text() for label in dialog.findChildren(QLabel)
                             if label.isVisible() and label.text()]
                    self.errors.append(AssertionError(f"“{dialog.windowTitle()}” stayed open: {shown}"))
                    dialog.done(int(QDialog.DialogCode.Rejected))

        QTimer.singleShot(0 if tries == 50 else 20, run)

    def watch(self) -> None:
        """A dialog nobody fills is closed (and the test fails), never left waiting forever."""
        def close() -> None:
            dialog = QApplication.activeModalWidget()
            if isinstance(dialog, QDialog):
                self.errors.append(AssertionError(f"the dialog “{dialog.windowTitle()}” was left open"))
                dialog.done(int(QDialog.DialogCode.Rejected))

        self.timer = QTimer()
        self.timer.setInterval(5000)
        self.timer.timeout.connect(close)
        self.timer.start()

    def check(self) -> None:
        """Wait for the dialogs expected to have been filled, then fail on any problem met."""
        for _ in range(300):
            if not self.pending:
                break
            QTest.qWait(10)
        assert not self.pending, "an expected dialog never opened"
        if self.errors:
            raise self.errors[0]


@pytest.fixture
def dialogs() -> Iterator[Dialogs]:
    filler = Dialogs()
    filler.watch()
    yield filler
    filler.timer.stop()
    filler.check()


@pytest.fixture
def empty_window(qtbot, database) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    from ui.app import make_app

    make_app()
    win = MainWindow(database, remember_layout=False)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    _WINDOWS.append(win)
    yield win
    _WINDOWS.remove(win)
    win.undo_stack.setClean()
    win.close()
    win.deleteLater()


def _first_field_is(dialog: QDialog, caption: str) -> None:
    assert isinstance(dialog, EntityDialog)
    label = next(lab for lab in dialog.findChildren(QLabel) if lab.buddy() is focused())
    assert label.text().startswith(caption), (label.text(), caption)


def test_a_case_built_and_worked_on_with_the_keyboard_alone(empty_window: MainWindow,
                                                             dialogs: Dialogs) -> None:
    window = empty_window

    # a new case: the person's form opens on its first field; Tab moves on, Ctrl+Enter accepts
    def person(dialog: QDialog) -> None:
        _first_field_is(dialog, "Case title")
        type_text("Mr Jones, Leeds")
        press(Key.Key_Tab)
        _first_field_is(dialog, "Name")
        type_text("Arthur Jones")
        press(Key.Key_Return, CTRL)

    dialogs.next(person)
    press(Key.Key_N, CTRL)
    dialogs.check()
    assert window.case is not None and window.case.person.name == "Arthur Jones"

    # an organisation: Ctrl+4 for the tab, Alt+O for "Add organisation…"; the Id is passed over
    def organisation(dialog: QDialog) -> None:
        _first_field_is(dialog, "Name")
        type_text("Leeds Teaching Hospitals")
        press(Key.Key_Tab)
        press(Key.Key_Down)  # the sector: the first choice
        press(Key.Key_Return, CTRL)

    press(Key.Key_4, CTRL)
    dialogs.next(organisation)
    press(Key.Key_O, ALT)
    dialogs.check()
    assert [o.name for o in window.case.organisations] == ["Leeds Teaching Hospitals"]

    # two steps: Ctrl+3 for the timeline, Alt+S for "Add step…"
    def step(label: str, start: str) -> Callable[[QDialog], None]:
        def fill(dialog: QDialog) -> None:
            _first_field_is(dialog, "Kind")
            press(Key.Key_Down)
            press(Key.Key_Tab)
            type_text(label)
            press(Key.Key_Tab)  # the organisation: the only one, already chosen
            press(Key.Key_Tab)
            _first_field_is(dialog, "Start")
            type_text(start)
            press(Key.Key_Return, CTRL)
        return fill

    press(Key.Key_3, CTRL)
    for label, start in (("Seen after a fall", "10 Jul 2024"), ("Back home with support", "20 Jul 2024")):
        dialogs.next(step(label, start))
        press(Key.Key_S, ALT)
        dialogs.check()
    assert sorted(s.label or "" for s in window.case.steps) == ["Back home with support", "Seen after a fall"]

    # a handoff between them: Alt+A for "Add handoff…"; the second step chosen with the arrow keys
    def handoff(dialog: QDialog) -> None:
        _first_field_is(dialog, "From step")
        press(Key.Key_Tab)
        _first_field_is(dialog, "To step")
        press(Key.Key_Down)
        press(Key.Key_Return, CTRL)

    dialogs.next(handoff)
    press(Key.Key_A, ALT)
    dialogs.check()
    assert len(window.case.handoffs) == 1
    first, second = window.case.ordered_steps()
    assert (window.case.handoffs[0].source, window.case.handoffs[0].target) == (first.id, second.id)

    # Enter on a row opens it: Tab to the steps table, Down, Enter edits the step
    tab_until(lambda w: w is window.pathway_tab.steps.view)
    press(Key.Key_Home)

    def opened(dialog: QDialog) -> None:
        assert dialog.windowTitle() == "Edit step"
        press(Key.Key_Escape)  # nothing typed: closes at once
        assert not dialog.isVisible()

    dialogs.next(opened)
    press(Key.Key_Return)
    dialogs.check()
    assert "Edit step" in dialogs.seen

    # a goal and an action: Ctrl+6, Alt+G and Alt+A; in a multi-line field Enter starts a new
    # line, Tab moves to the next field and Ctrl+Enter accepts
    def goal(dialog: QDialog) -> None:
        _first_field_is(dialog, "In their words")
        assert isinstance(focused(), QPlainTextEdit)
        type_text("To get back to my allotment")
        press(Key.Key_Return)
        type_text("by the spring")
        press(Key.Key_Tab)
        _first_field_is(dialog, "How we will know")
        type_text("Walking to the allotment twice a week")
        press(Key.Key_Return, CTRL)

    press(Key.Key_6, CTRL)
    dialogs.next(goal)
    press(Key.Key_G, ALT)
    dialogs.check()
    plan = window.case.care_plan
    assert plan is not None and [g.in_my_words for g in plan.goals] == ["To get back to my allotment\nby the spring"]

    def action(dialog: QDialog) -> None:
        _first_field_is(dialog, "What will be done")
        type_text("Physiotherapy at home")
        press(Key.Key_Return, CTRL)

    dialogs.next(action)
    press(Key.Key_A, ALT)
    dialogs.check()
    plan = window.case.care_plan
    assert plan is not None and [a.description for a in plan.actions] == ["Physiotherapy at home"]

    # a finding annotated: Ctrl+7, Tab to the findings tree, the first occurrence, Alt+M to comment
    press(Key.Key_7, CTRL)
    tree = tab_until(lambda w: isinstance(w, QTreeView))
    assert tree is window.findings_tab.tree and window.findings_tab.model.rowCount() > 0
    press(Key.Key_Home)  # the first rule
    press(Key.Key_Right)  # opened (it is, as a key finding): its first occurrence
    if not window.findings_tab.comment_button.isEnabled():
        press(Key.Key_Down)
    assert window.findings_tab.comment_button.isEnabled()
    targets = {f.key for f in window.findings_tab._targets()}  # what the selection is (not a user step)
    assert targets

    def comment(dialog: QDialog) -> None:
        assert isinstance(focused(), QPlainTextEdit)
        type_text("Discussed at the MDT")
        press(Key.Key_Tab)  # Tab leaves the text for the buttons
        assert isinstance(focused(), QAbstractButton)
        press(Key.Key_Return, CTRL)

    dialogs.next(comment)
    press(Key.Key_M, ALT)
    dialogs.check()
    notes = window.case.annotations
    assert [(a.status, a.comment) for a in notes] == [("comment", "Discussed at the MDT")] * len(targets)
    assert {(a.rule, frozenset(a.steps)) for a in notes} == targets

    # saved with Ctrl+S
    press(Key.Key_S, CTRL)
    assert window.undo_stack.isClean()


def test_escape_keeps_what_was_typed_unless_the_user_discards_it(window: MainWindow, dialogs: Dialogs,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import keyboard

    asked: list[str] = []
    answers = iter([False, True])  # first "Keep editing", then "Discard changes"

    def discard(_parent: Any, what: str) -> bool:
        asked.append(what)
        return next(answers)

    monkeypatch.setattr(keyboard, "discard_changes", discard)
    window.activateWindow()
    window.show_tab("care-plan")
    before = window.undo_stack.count()

    def goal(dialog: QDialog) -> None:
        type_text("To see my grandson's wedding")
        press(Key.Key_Escape)
        assert dialog.isVisible() and asked == ["Add goal"]  # kept, with the text
        assert "grandson" in focused().toPlainText()  # type: ignore[attr-defined]
        press(Key.Key_Escape)
        assert not dialog.isVisible() and asked == ["Add goal", "Add goal"]

    dialogs.next(goal)
    window.care_plan_tab.bars["goals"].add_button.click()
    dialogs.check()
    assert window.undo_stack.count() == before  # discarded only when the user said so


def test_the_maps_enter_opens_a_finding_before_the_findings_tab_was_shown(window: MainWindow) -> None:
    window.show_tab("pathway-map")
    QApplication.processEvents()
    assert window.findings_tab.model.rowCount() == 0  # the Findings tab has not been filled yet
    analysis = window.analysis
    assert analysis is not None
    finding = analysis.report.findings[0]
    shown: list[str] = []
    window.details.title.setText("")
    window.findings_tab.selected.connect(lambda title, _details: shown.append(title))
    window.map_tab.finding_selected.emit(finding.rule, frozenset(finding.steps))
    assert shown and shown[-1].startswith(finding.rule)
    assert window.details.title.text().startswith(finding.rule)
    assert window.findings_tab.current().key == finding.key


def test_delete_says_what_was_deleted_and_how_to_undo(window: MainWindow) -> None:
    window.show_tab("timeline")
    view = window.pathway_tab.steps.view
    view.setFocus()
    view.selectRow(0)
    name = window.pathway_tab.steps_model.row_object(0).label
    QTest.keyClick(view, Key.Key_Delete)
    assert window.statusBar().currentMessage() == f"Step “{name}” deleted: Ctrl+Z to undo"
    press(Key.Key_Z, CTRL)
    assert name in [s.label for s in window.case.steps]  # type: ignore[union-attr]


def _mnemonic(text: str) -> str | None:
    at = text.replace("&&", "").find("&")
    return text.replace("&&", "")[at + 1].lower() if at >= 0 else None


def test_every_menu_action_has_a_shortcut_or_an_access_key(window: MainWindow) -> None:
    from tests.test_accessibility import menu_actions

    actions = menu_actions(window)
    assert len(actions) > 25
    lacking = [a.text() for a in actions if a.shortcut().isEmpty() and _mnemonic(a.text()) is None]
    assert not lacking, lacking
    for menu in (a.menu() for a in window.menuBar().actions() if a.menu()):  # no two alike in a menu
        keys = [_mnemonic(a.text()) for a in menu.actions() if not a.isSeparator() and _mnemonic(a.text())]
        assert len(keys) == len(set(keys)), (menu.title(), keys)


def test_no_two_access_keys_alike_on_a_tab(window: MainWindow) -> None:
    menus = [_mnemonic(a.text()) for a in window.menuBar().actions()]
    for index, tab in enumerate(window.case_tabs):
        window.tabs.setCurrentIndex(index)
        QApplication.processEvents()
        keys = list(menus)
        for widget in window.findChildren(QWidget):
            if not widget.isVisible():
                continue
            if isinstance(widget, QPushButton) or (isinstance(widget, QLabel) and widget.buddy() is not None):
                key = _mnemonic(widget.text())
                if key:
                    keys.append(key)
        clashes = sorted({k for k in keys if keys.count(k) > 1})
        assert not clashes, (tab.title, clashes, keys)


def test_dialogs_open_on_their_first_editable_field(window: MainWindow) -> None:
    from ui.editing import FIELDS

    case = window.case
    assert case is not None
    for collection, fields in FIELDS.items():
        dialog = EntityDialog(collection, fields, {"id": "x1"}, case, lambda _v: case, "$.x", window)
        dialog.show()
        first = next(f for f in fields if f.kind != "readonly")
        assert dialog.focusWidget() is dialog.inputs[first.key], collection
        if "id" in dialog.inputs:  # the read-only Id is never a tab stop
            assert not dialog.inputs["id"].focusPolicy() & Qt.FocusPolicy.TabFocus
        dialog.done(0)
        dialog.deleteLater()


def test_other_dialogs_open_on_their_search_or_field(window: MainWindow) -> None:
    from ui.case_history import CaseHistoryDialog
    from ui.directory_dialog import DirectoryBrowser
    from ui.people_dialog import PeopleBrowser
    from ui.plan_versions import VersionsDialog
    from ui.preferences_dialog import PreferencesDialog
    from ui.workshop_dialog import ValueCaseExportDialog, WorkshopExportDialog

    case = window.case
    assert case is not None
    for dialog, wanted in ((PeopleBrowser(window.database, None, window), "search"),
                           (DirectoryBrowser(window.database, window), "search"),
                           (PreferencesDialog(window), "name"),
                           (WorkshopExportDialog(case, window.analysis, window), "anonymised"),
                           (ValueCaseExportDialog(case, window.analysis, window), "anonymised"),
                           (VersionsDialog(case, window), "list"),
                           (CaseHistoryDialog("Mrs Smith", [], window), "table")):
        dialog.show()
        dialog.activateWindow()
        for _ in range(100):
            if dialog.isAncestorOf(QApplication.focusWidget()):
                break
            QTest.qWait(10)
        assert QApplication.focusWidget() is getattr(dialog, wanted), type(dialog).__name__
        dialog.done(0)
        dialog.deleteLater()


def test_message_boxes_answer_to_the_keyboard(window: MainWindow, dialogs: Dialogs) -> None:
    from ui import keyboard

    def keep(dialog: QDialog) -> None:
        assert isinstance(dialog, QMessageBox)
        press(Key.Key_Escape)  # Escape keeps editing

    dialogs.next(keep)
    assert keyboard.discard_changes(window, "Add goal") is False
