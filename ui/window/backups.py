"""The main window's File › Back up database and Restore from backup (SQLite databases).

Functions of the window (their first argument), bound as its methods in ui.main_window."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QMessageBox

from db.database import DatabaseError
from ui.actions import ActionError
from ui.plaintext import literal
from ui.saving import ask_save_path

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def back_up(window: MainWindow) -> None:
    """File › Back up database: a consistent copy of the SQLite database, to a new file."""
    from ui.actions.backups import backup

    path = window.database.path
    if path is None:
        return
    suggested = str(Path.home() / f"{path.stem}-backup{path.suffix or '.sqlite'}")
    chosen = ask_save_path(window, "Back up database", suggested, "SQLite databases (*.sqlite)")
    if not chosen:
        return
    if Path(chosen).exists():  # the dialog asked: a backup never replaces a file, so make way for it
        QMessageBox.warning(window, "Database not backed up",
                            literal(f"{chosen} already exists: choose a new file name for the backup."))
        return
    try:
        written = backup(f"sqlite:///{path}", chosen)
    except (ActionError, DatabaseError, OSError) as error:
        QMessageBox.warning(window, "Database not backed up", literal(str(error)))
        return
    window.statusBar().showMessage(f"Backed up the database to {written}", 8000)


def restore_backup(window: MainWindow) -> None:
    """File › Restore from backup: replace every case in this SQLite database with a backup's,
    after asking (the database as it is now is kept in its backups folder first)."""
    from db.backup import BackupError
    from ui.actions.backups import restore

    path = window.database.path
    if path is None or not window.maybe_save():
        return
    chosen, _ = QFileDialog.getOpenFileName(window, "Restore from backup", str(path.parent / "backups"),
                                            "SQLite databases (*.sqlite *.db);;All files (*)")
    if not chosen:
        return
    answer = QMessageBox.question(
        window, "Restore from backup",
        literal(f"Replace every case in this database with those in {Path(chosen).name}? The database "
                "as it is now is kept in its backups folder first."),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
    if answer != QMessageBox.StandardButton.Yes:
        return
    try:
        _path, result = restore(f"sqlite:///{path}", chosen)
    except (ActionError, BackupError, DatabaseError, OSError) as error:  # nothing was changed
        QMessageBox.warning(window, "Not restored", literal(str(error)))
        return
    window.undo_stack.clear()
    window._after_list_change()
    kept = f" (the database as it was is kept in {result.previous})" if result.previous else ""
    window.statusBar().showMessage(f"Restored the database from {Path(chosen).name}{kept}", 12000)
