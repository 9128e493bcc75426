"""Starting the GUI: the application object, its look, and the database it opens."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QMessageBox

from planner import __version__
from ui import theme


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


def run_gui(db_url: str | None = None) -> int:
    """Open the main window on the chosen database and run until it closes."""
    from db.database import DatabaseError, open_database
    from ui.main_window import MainWindow

    app = make_app()
    try:
        database = open_database(db_url)
    except DatabaseError as error:
        QMessageBox.critical(None, "Pathway Planner cannot start", str(error))
        return 1
    window = MainWindow(database)
    window.show()
    try:
        return app.exec()
    finally:
        database.close()
