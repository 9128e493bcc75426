"""The life of a case in the main window: saving (and a colleague's save first), new, duplicate,
delete, restore and empty the deleted cases, unsaved edits brought back after a crash.

Functions of the window (their first argument), bound as its methods in ui.main_window."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from db.database import DatabaseError
from db.repository import CaseRepository, SaveConflict
from planner.casefile import case_from_dict
from planner.model import Case, Person
from planner.validation import CaseFileError
from ui.actions import cases as case_actions
from ui.plaintext import literal
from ui.window import APP_TITLE

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def save(window: MainWindow) -> bool:
    """Write the open case in one transaction; True if it is saved (or had nothing to save)."""
    if window.case is None or window.undo_stack.isClean():
        return True
    try:
        with window.database.session() as session:
            CaseRepository(session).save(window.case)
    except SaveConflict as conflict:
        return window._resolve_conflict(str(conflict))
    except DatabaseError as error:
        QMessageBox.critical(window, "Not saved", literal(f"The case could not be saved: {error}"))
        return False
    window.undo_stack.setClean()
    window.case_model.refresh()
    window._update_count()
    window._highlight(window.case.id)
    window.statusBar().showMessage(f"Saved “{window.case.display_title}”", 5000)
    return True


def _resolve_conflict(window: MainWindow, message: str) -> bool:
    assert window.case is not None and window.case.id is not None
    box = QMessageBox(QMessageBox.Icon.Warning, "Someone else saved this case", message, parent=window)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setInformativeText("Your changes have not been saved. Reload their version (your changes "
                           "are lost), or keep yours as a separate copy of the case?")
    reload = box.addButton("Reload their version", QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton("Keep mine as a copy", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    if box.clickedButton() is reload:
        window.open_case(window.case.id)
        return True
    if box.clickedButton() is keep:
        mine = copy.deepcopy(window.case)
        mine.title = f"{window.case.display_title} (my copy)"
        with window.database.session() as session:
            new_id = CaseRepository(session).add(
                mine, summary=f"Kept as a copy of case #{window.case.id}, which a colleague saved first")
        window.undo_stack.clear()
        window.case_model.refresh()
        window.select_case(new_id)
        return True
    return False


def maybe_save(window: MainWindow) -> bool:
    """Before leaving a case with unsaved changes: save, discard or stay. True to go on."""
    if window.case is None or window.undo_stack.isClean():
        return True
    answer = QMessageBox.question(
        window, "Unsaved changes", literal(f"Save the changes to “{window.case.display_title}”?"),
        QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
        | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)
    if answer == QMessageBox.StandardButton.Save:
        return window.save()
    if answer == QMessageBox.StandardButton.Discard:
        window.undo_stack.setClean()
        return True
    return False


def _add_and_open(window: MainWindow, case: Case, **audit_note: Any) -> int:
    """Store a new case (``audit_note``: action, summary, details for the audit trail) and open it."""
    return window._open_added(case_actions.add_case(window.database, case, **audit_note))


def _open_added(window: MainWindow, case_id: int) -> int:
    """Open a case just added, in the list of cases (not the Deleted view), with no search."""
    window.undo_stack.clear()
    if window.showing_deleted:
        window.toggle_deleted(False)
    window.search.clear()
    window.case_model.set_search("")
    window._update_count()
    window.select_case(case_id)
    return case_id


def new_case(window: MainWindow) -> None:
    """A new case: the person's details first. It is stored (in the list and the case history)
    only when the form is accepted; cancelled, nothing is created. Opens on the Person tab."""
    if not window.maybe_save():
        return
    from PySide6.QtWidgets import QDialog

    from planner import editing as planning
    from ui.editing import PERSON_FIELDS, EntityDialog

    blank = Case(person=Person(name="New person"), title=None)

    def attempt(form: dict[str, Any]) -> Case:
        title = form.pop("title", None)
        return planning.with_person(blank, title, form)

    dialog = EntityDialog("New case", PERSON_FIELDS, {}, blank, attempt, "$.person", window)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.result_case is None:
        window.statusBar().showMessage("No case was created", 5000)
        return
    window._add_and_open(dialog.result_case)
    window.show_tab("person")


def restore_unsaved(window: MainWindow, unsaved: Any) -> bool:
    """Open the case a window that closed unexpectedly was editing, with its unsaved edits
    (a db.journal.Unsaved) as one undoable edit, not yet saved. Someone's save since then is
    not overwritten: saving asks, as for any colleague's save. A case no longer in the
    database comes back as a new case."""
    from db.repository import CaseNotFound

    try:
        edited = case_from_dict(unsaved.case, "the unsaved changes")
    except CaseFileError:
        QMessageBox.warning(window, "Not restored", "The unsaved changes could not be read back, so they "
                            "were not restored.")
        return False
    shown = "; ".join(unsaved.edits[:3]) + ("…" if len(unsaved.edits) > 3 else "")
    try:
        if window.showing_deleted:
            window.toggle_deleted(False)
        window.select_case(unsaved.case_id)
    except CaseNotFound:
        edited.title = f"{unsaved.title} (restored)"
        window._add_and_open(edited, summary="Restored from unsaved changes kept when Pathway Planner "
                                           "closed unexpectedly (the case was no longer in the database)")
        return True
    before = window.case
    if before is None or before.id != unsaved.case_id:
        return False
    if unsaved.row_version is not None:  # the version the edits were made on
        before.row_version = unsaved.row_version
    edited.id = before.id
    from ui.editing import EditCase

    window.undo_stack.push(EditCase(f"Restore unsaved changes ({shown})", before, edited,
                                  window.apply_edit))
    window.statusBar().showMessage("Restored the unsaved changes: save them, or undo (Ctrl+Z)", 15000)
    return True


def offer_restore(window: MainWindow) -> bool:
    """After a crash: offer back the unsaved edits a window left (see ui.journal)."""
    from ui.journal import offer_restore

    return offer_restore(window)


def duplicate_case(window: MainWindow) -> None:
    if window.case is None or not window.maybe_save():
        return
    copied = copy.deepcopy(window.case)
    copied.title = f"Copy of {window.case.display_title}"
    window._add_and_open(copied, summary=f"Duplicated from case #{window.case.id}")
    window.statusBar().showMessage(f"Made “{copied.title}”", 5000)


def delete_case(window: MainWindow) -> None:
    if window.case is None or window.case.id is None:
        return
    answer = QMessageBox.question(
        window, "Delete case",
        literal(f"Delete “{window.case.display_title}”? It can be restored from View › Deleted cases "
                "until the deleted cases are emptied."))
    if answer != QMessageBox.StandardButton.Yes:
        return
    case_actions.delete_case(window.database, window.case.id)
    window.undo_stack.clear()
    window._after_list_change()


def toggle_deleted(window: MainWindow, show: bool) -> None:
    """Switch the case list between the cases and the Deleted view."""
    if not window.maybe_save():
        window.deleted_action.setChecked(window.showing_deleted)
        return
    window.showing_deleted = bool(show)
    window.deleted_action.setChecked(window.showing_deleted)
    window.undo_stack.clear()
    window._after_list_change()


def restore_case(window: MainWindow) -> None:
    if window.case is None or window.case.id is None or not window.showing_deleted:
        return
    case_id = window.case.id
    case_actions.restore_case(window.database, case_id)
    window.showing_deleted = False
    window.deleted_action.setChecked(False)
    window._after_list_change(case_id)


def empty_deleted(window: MainWindow) -> None:
    answer = QMessageBox.question(
        window, "Empty deleted cases",
        "Delete every case in the Deleted view for good? This cannot be undone.")
    if answer != QMessageBox.StandardButton.Yes:
        return
    removed = case_actions.empty_deleted(window.database)
    window._after_list_change()
    window.statusBar().showMessage(f"Deleted {removed} case(s) for good", 5000)


def _after_list_change(window: MainWindow, select: int | None = None) -> None:
    window.case = None
    window._analysis = None
    window.case_model.refresh()
    window._update_count()
    window.centre.setCurrentWidget(window.empty)
    window.setWindowTitle(f"{APP_TITLE}{' — deleted cases' if window.showing_deleted else ''}[*]")
    if select is not None:
        window.select_case(select)
    elif window.case_model.rowCount() > 0:
        window.select_case(window.case_model.summary(0).id)
    window._update_actions()
