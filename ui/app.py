"""Starting the GUI: the application object, its look, and the database it opens."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

# The database layer's SQLAlchemy loads first: each import made after PySide6 goes through its hook
# (ui.pyside_imports), some 3,000 of them in SQLAlchemy's modules alone.
import sqlalchemy  # noqa: F401

# isort: split
from PySide6.QtWidgets import QApplication, QMessageBox

from planner import __version__
from ui import pyside_imports, theme  # noqa: F401  (pyside_imports first: every later import costs less)
from ui.plaintext import literal

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def make_app() -> QApplication:
    """The QApplication, created once, with the product's name, style and stylesheet."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(sys.argv[:1])
    app.setApplicationName("Pathway Planner")
    app.setOrganizationName("pathway-planner")
    app.setApplicationVersion(__version__)
    theme.apply(app)
    return app


def install_error_reporting() -> None:
    """Errors raised in the GUI's event handlers are told to the user, not only to the console.

    A database that stops answering (locked by another program, damaged, its server unreachable)
    is a warning: the message says which and why, and that nothing changed. Anything else is
    reported as an error after the usual traceback. Either way the window stays open with its
    unsaved edits, so no work is lost."""
    previous = sys.excepthook

    def report(kind: type[BaseException], error: BaseException, trace: object) -> None:
        from db.database import DatabaseError

        parent = QApplication.activeWindow()
        if isinstance(error, DatabaseError):
            QMessageBox.warning(parent, "The database is not available",
                                literal(f"{error}\n\nNothing was changed. Your unsaved edits are still open: "
                                        "try again in a moment."))
            return
        previous(kind, error, trace)  # type: ignore[arg-type]
        if isinstance(error, Exception):
            QMessageBox.critical(parent, "Something went wrong",
                                 literal(f"{kind.__name__}: {error}\n\nYour unsaved edits are still open; "
                                         "save them when you can."))

    sys.excepthook = report


def open_main_window(db_url: str | None = None) -> MainWindow | None:
    """The main window on the chosen database, shown; None, once the user has been told why, if it
    cannot be opened. A database that can only be read (damaged, or in a read-only folder or file)
    opens read-only, with a warning saying why and, if it is damaged, how to restore a backup."""
    from db.database import DatabaseError, open_database
    from ui.main_window import MainWindow

    try:
        database = open_database(db_url, allow_read_only=True, allow_damaged=True)
    except DatabaseError as error:
        QMessageBox.critical(None, "Pathway Planner cannot start", literal(str(error)))
        return None
    try:
        window = MainWindow(database)
    except DatabaseError as error:  # damaged where the case list is
        database.close()
        QMessageBox.critical(None, "Pathway Planner cannot start", literal(str(error)))
        return None
    window.show()
    if database.read_only is not None:
        QMessageBox.warning(window, "The database is open read-only",
                            literal(f"{database.read_only}\n\nYou can look at the cases, but nothing can be "
                                    "saved, exported or printed from it."))
    window.offer_restore()  # edits a window that closed unexpectedly had not saved
    return window


def run_gui(db_url: str | None = None) -> int:
    """Open the main window on the chosen database and run until it closes."""
    from ui import display_check

    missing = display_check.check()
    if missing is not None and not missing.ok:  # Qt would abort without saying what to install
        print(f"pathway-planner: {missing.message()}", file=sys.stderr)
        return 1
    app = make_app()
    window = open_main_window(db_url)
    if window is None:
        return 1
    install_error_reporting()
    try:
        return app.exec()
    finally:
        window.database.close()
