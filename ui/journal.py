"""No lost work: the open case's unsaved edits journalled to disk, and restored after a crash.

:class:`EditJournal` watches the window's undo stack. Half a second after an edit (well within
two seconds) the case as it is on screen is written to the journal (``db.journal``: one file per
window, 0600, written whole); when the case is as saved again (saved, discarded, undone, another
case opened) the file goes. At the next start, :func:`offer_restore` finds journals left by a
window that no longer runs, says what the edits were and offers to restore them: restored, they
are one undoable edit of the case, not yet saved; restored or discarded, the old journal goes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QMessageBox, QWidget

from db import journal
from planner.model import Case

if TYPE_CHECKING:
    from ui.main_window import MainWindow

#: How long after an edit the journal is written (the promise is: within two seconds).
DELAY_MS = 500


def unsaved_edits(stack: QUndoStack) -> list[str]:
    """The undo stack's words for the edits between the saved case and the case on screen."""
    index, clean = stack.index(), stack.cleanIndex()
    if clean < 0:  # the saved state is no longer on the stack: everything done is unsaved
        return [stack.text(i) for i in range(index)]
    if index >= clean:
        return [stack.text(i) for i in range(clean, index)]
    return [f"Undo {stack.text(i)}" for i in range(clean - 1, index - 1, -1)]


class EditJournal(QObject):
    """Keeps the journal of one window's open case in step with its undo stack."""

    def __init__(self, stack: QUndoStack, current: Callable[[], Case | None], database_url: str,
                 database_name: str, parent: QWidget, *, path: Path | None = None) -> None:
        super().__init__(parent)
        self.stack = stack
        self.current = current
        self.database_name = database_name
        self.path = path or journal.path_for(database_url)
        self.failed: str | None = None  # why the last write failed (told once in the status bar)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DELAY_MS)
        self.timer.timeout.connect(self.write_now)
        stack.indexChanged.connect(self._changed)
        stack.cleanChanged.connect(self._changed)

    def _changed(self, *_args: object) -> None:
        try:
            clean = self.stack.isClean()
        except RuntimeError:  # the window is being destroyed with its stack
            return
        if clean:
            self.timer.stop()
            self.clear()
        else:
            self.timer.start()

    def write_now(self) -> bool:
        """Write the journal now (if there is anything unsaved); False if it could not be written."""
        case = self.current()
        if case is None or case.id is None or self.stack.isClean():
            self.clear()
            return True
        from planner.casefile import case_to_dict

        unsaved = journal.Unsaved(
            database=self.database_name, case_id=case.id, row_version=case.row_version,
            title=case.display_title, edits=unsaved_edits(self.stack), case=case_to_dict(case),
            written_at=datetime.now().isoformat(timespec="seconds"))
        try:
            journal.write(self.path, unsaved)
        except OSError as error:
            message = f"Unsaved edits could not be kept on disk ({error.strerror or error}): save soon."
            status = getattr(self.parent(), "statusBar", None)
            if message != self.failed and callable(status):
                status().showMessage(message, 15000)
            self.failed = message
            return False
        self.failed = None
        return True

    def clear(self) -> None:
        with contextlib.suppress(OSError):
            journal.clear(self.path)


def offer_restore(window: MainWindow) -> bool:
    """At start: for each journal a crashed window left on this database, say what it held and
    offer to restore it. True if edits were restored (the case is open with them, not saved)."""
    if window.database.read_only is not None:
        return False
    restored = False
    for unsaved in journal.pending(window.database.url):
        box = QMessageBox(QMessageBox.Icon.Warning, "Unsaved changes found", unsaved.in_words(),
                          parent=window)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(
            "Restore them to the case, where you can look at them, save them or undo them? "
            "Discarded, they are gone for good.")
        restore = box.addButton("&Restore the changes", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("&Discard them", QMessageBox.ButtonRole.DestructiveRole)
        later = box.addButton("Decide &later", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(restore)
        box.setEscapeButton(later)
        box.exec()
        clicked = box.clickedButton()
        if clicked is discard:
            _remove(unsaved)
        elif clicked is restore and not restored and window.restore_unsaved(unsaved):
            _remove(unsaved)
            restored = True
        elif clicked is restore:  # a second crashed window's edits: one case is open at a time
            QMessageBox.information(window, "Restore later",
                                    "One set of changes is open already: save it, then restart Pathway "
                                    "Planner to restore the next.")
    return restored


def _remove(unsaved: journal.Unsaved) -> None:
    if unsaved.path is not None:
        with contextlib.suppress(OSError):
            journal.clear(unsaved.path)
