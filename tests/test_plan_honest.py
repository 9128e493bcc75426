"""Keeping the plan honest: an action nobody owns is flagged; an edit that clears the agreements
recorded on the plan says so before it is applied, and can be undone."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox

from ui.editing import EntityDialog
from ui.main_window import MainWindow


def _action_rows(window: MainWindow) -> dict[str, tuple[str, str]]:
    """Each action's "Needs attention" cell and its tooltip, by action id."""
    tab = window.care_plan_tab
    model = tab.actions_model
    rows = {}
    for row in range(model.rowCount()):
        index = model.index(row, 1)
        rows[model.row_object(row).id] = (model.data(index, Qt.ItemDataRole.DisplayRole),
                                          model.data(index, Qt.ItemDataRole.ToolTipRole))
    return rows


def _edit_action(window: MainWindow, monkeypatch: pytest.MonkeyPatch, action_id: str, field: str,
                 value: str) -> None:
    """Edit an action through its dialog, choosing ``value`` in the ``field`` list, and accept."""
    def choose(dialog: EntityDialog) -> int:
        combo = dialog.inputs[field]
        combo.setCurrentIndex(combo.findData(value))
        dialog.try_accept()
        return int(dialog.result())

    monkeypatch.setattr(EntityDialog, "exec", choose)
    actions = window.case.care_plan.actions  # type: ignore[union-attr]
    window.editor.edit("actions", next(i for i, a in enumerate(actions) if a.id == action_id))


def test_an_action_without_an_owner_needs_attention(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    window.show_tab("care-plan")
    rows = _action_rows(window)
    unowned = [a.id for a in window.case.care_plan.actions if a.owner is None]  # type: ignore[union-attr]
    assert unowned == ["a4"]  # the demo's one action nobody owns
    assert rows["a4"][0].startswith("⚠ No owner") and "Nobody is named to do it" in rows["a4"][1]
    assert not any("No owner" in cell for key, (cell, _tip) in rows.items() if key != "a4")
    assert "need attention" in window.care_plan_tab.summary.text()
    before = window.care_plan_tab.summary.text()

    _edit_action(window, monkeypatch, "a4", "owner", "sw1")
    assert not _action_rows(window)["a4"][0].startswith("⚠ No owner")
    assert window.care_plan_tab.summary.text() != before  # one fewer needs attention


def test_a_done_action_without_an_owner_is_not_flagged(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    _edit_action(window, monkeypatch, "a4", "status", "done")
    window.show_tab("care-plan")
    assert "No owner" not in (_action_rows(window)["a4"][0] or "")


def test_adding_a_goal_to_an_agreed_plan_says_so_first_and_can_be_undone(
        window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    agreed = list(window.case.care_plan.signed_off_by)  # type: ignore[union-attr]
    assert agreed  # the demo's plan is agreed
    seen: list[tuple[str, str]] = []

    def add(dialog: EntityDialog) -> int:
        assert dialog.notice is not None and dialog.notice.isVisibleTo(dialog)
        ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        seen.append((dialog.notice.text(), ok.text()))
        dialog.inputs["in_my_words"].setPlainText("Walk to the shops")
        dialog.try_accept()
        return int(dialog.result())

    monkeypatch.setattr(EntityDialog, "exec", add)
    window.editor.add("goals")
    notice, ok_text = seen[0]
    names = [window.case.member(i).name for i in agreed]  # type: ignore[union-attr]
    assert all(name in notice for name in names) and "clears their agreements" in notice
    assert ok_text == "Change the agreed plan"
    assert window.case.care_plan.signed_off_by == []  # type: ignore[union-attr]
    assert "agreements were cleared" in window.statusBar().currentMessage()
    assert "Ctrl+Z" in window.statusBar().currentMessage()
    window.undo_action.trigger()
    assert window.case.care_plan.signed_off_by == agreed  # type: ignore[union-attr]
    assert not any(g.in_my_words == "Walk to the shops" for g in window.case.care_plan.goals)  # type: ignore[union-attr]


def test_cancelling_after_the_warning_changes_nothing(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    before = window.case
    monkeypatch.setattr(EntityDialog, "exec", lambda dialog: int(QDialog.DialogCode.Rejected))
    window.editor.add("goals")
    assert window.case is before and window.undo_stack.count() == 0


def test_an_unagreed_plan_is_edited_without_a_warning(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    from planner.careplan import withdraw_sign_off

    case = window.case
    for member in list(case.care_plan.signed_off_by):  # type: ignore[union-attr]
        case = withdraw_sign_off(case, member)  # type: ignore[arg-type]
    window.apply_edit(case)  # type: ignore[arg-type]
    notices: list[Any] = []

    def add(dialog: EntityDialog) -> int:
        notices.append(dialog.notice)
        return int(QDialog.DialogCode.Rejected)

    monkeypatch.setattr(EntityDialog, "exec", add)
    window.editor.add("goals")
    assert notices == [None]


def test_deleting_an_action_of_an_agreed_plan_asks_first(window: MainWindow,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    reply = [QMessageBox.StandardButton.No]

    def question(_parent: Any, _title: str, text: str, *_args: Any) -> Any:
        asked.append(text)
        return reply[0]

    monkeypatch.setattr(QMessageBox, "question", question)
    actions = len(window.case.care_plan.actions)  # type: ignore[union-attr]
    assert not window.editor.delete("actions", 0)
    assert "clears their agreements" in asked[0] and asked[0].endswith("Delete it?")
    assert len(window.case.care_plan.actions) == actions and window.undo_stack.count() == 0  # type: ignore[union-attr]
    reply[0] = QMessageBox.StandardButton.Yes
    agreed = list(window.case.care_plan.signed_off_by)  # type: ignore[union-attr]
    assert window.editor.delete("actions", 0)
    assert window.case.care_plan.signed_off_by == []  # type: ignore[union-attr]
    assert len(window.case.care_plan.actions) == actions - 1  # type: ignore[union-attr]
    window.undo_action.trigger()
    assert window.case.care_plan.signed_off_by == agreed  # type: ignore[union-attr]
    assert len(window.case.care_plan.actions) == actions  # type: ignore[union-attr]
