"""Saving an output from the GUI: where (the save dialog, with its overwrite confirmation), then
db.exports.export_file (target checked, audit event recorded, file written as one outcome), with
any refusal or failure explained in a message box.

Every window and dialog that writes a file goes through :func:`ask_save_path` and an
:class:`OutputSaver`; the main window hands its saver (which knows the database) to the dialogs.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget

from db.database import Database
from db.exports import Rendered, export_file
from planner.outputs import OutputError


def ask_save_path(parent: QWidget | None, title: str, suggested: str, filter_text: str,
                  suffix: str = "") -> str | None:
    """The file chosen in the save dialog (None if cancelled), ending in ``suffix``. The dialog
    asks before replacing an existing file (its options are left as they are, so that question is
    never turned off); when the suffix is added here and that file exists, it is asked here."""
    path, _filter = QFileDialog.getSaveFileName(parent, title, suggested, filter_text)
    if not path:
        return None
    if suffix and not path.lower().endswith(suffix.lower()):
        path += suffix
        if os.path.lexists(path):
            answer = QMessageBox.question(
                parent, title, f"{Path(path).name} already exists.\nDo you want to replace it?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return None
    return path


class OutputSaver:
    """Writes outputs chosen in a save dialog for the cases of ``database`` (None: a case not in a
    database, nothing to protect or record). Replacing an existing file is allowed: the save
    dialog has asked."""

    def __init__(self, parent: QWidget | None, database: Database | None) -> None:
        self.parent = parent
        self.database = database

    def __call__(self, path: str | Path, render: Callable[[], Rendered],
                 title: str) -> tuple[Path, Rendered] | None:
        """Render, record and write; the path written and what was rendered, or None after telling
        the user why not (``title`` heads the message: "Case file not exported")."""
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            return export_file(self.database, path, render, overwrite=True)
        except OutputError as error:
            failure = str(error)
        except OSError as error:  # rendering failed: nothing was written nor recorded
            failure = f"{path} was not written: {error.strerror or error}"
        finally:
            QApplication.restoreOverrideCursor()
        QMessageBox.warning(self.parent, title, failure)
        return None
