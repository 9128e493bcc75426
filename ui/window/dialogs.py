"""The dialogs the main window opens beside the case: its history, the preferences, the unit
costs, the user guide, About, and the directory and people choosers the editor asks for.

Functions of the window (their first argument), bound as its methods in ui.main_window."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from db import audit
from db.database import DatabaseError
from planner import __version__
from ui.window import APP_TITLE

if TYPE_CHECKING:
    from planner.unit_costs import LocalUnitCosts
    from ui.main_window import MainWindow


def _choose_from_directory(window: MainWindow) -> object:
    from ui.directory_dialog import DirectoryBrowser

    return DirectoryBrowser.choose(window.database, window)


def _choose_known_person(window: MainWindow) -> object:
    from ui.people_dialog import PeopleBrowser

    return PeopleBrowser.choose(window.database, window.case.id if window.case else None, window)


def show_history(window: MainWindow) -> None:
    """View › Case history: who did what to the open case, and when."""
    if window.case is None or window.case.id is None:
        return
    from ui.case_history import CaseHistoryDialog

    with window.database.session() as session:
        events = audit.history(session, window.case.id)
    CaseHistoryDialog(window.case.display_title, events, window).exec()


def show_preferences(window: MainWindow) -> None:
    from ui.preferences_dialog import PreferencesDialog

    PreferencesDialog(window).exec()


def local_unit_costs(window: MainWindow) -> LocalUnitCosts | None:
    """The areas' own unit costs, from the database (None, the national defaults, if unreadable)."""
    from sqlalchemy.exc import SQLAlchemyError

    from db.unit_costs import UnitCostSettings

    try:
        with window.database.snapshot() as session:
            return UnitCostSettings(session).local_costs()
    except (DatabaseError, SQLAlchemyError):
        return None


def show_unit_costs(window: MainWindow) -> None:
    """Edit › Unit costs: the national defaults and an area's own figures (shared, audited)."""
    from sqlalchemy.exc import SQLAlchemyError

    from ui.unit_costs_dialog import UnitCostsDialog

    area = window.case.person.area if window.case is not None else None
    try:
        dialog = UnitCostsDialog(window.database, window, area=area)
    except (DatabaseError, SQLAlchemyError) as error:  # e.g. where a damaged database is damaged
        QMessageBox.warning(window, "Unit costs cannot be read", f"The unit costs cannot be read: {error}")
        return

    def saved(name: str) -> None:
        window.findings_tab.unit_costs = window.local_unit_costs()
        if window.case is not None:  # shown again (now if on screen, else when next shown)
            window.findings_tab.set_case(window.case, lambda: window.analysis)
        window.statusBar().showMessage(f"Saved {name}'s unit costs", 8000)

    dialog.saved.connect(saved)
    dialog.exec()


def show_guide(window: MainWindow) -> None:
    """Help › User guide (F1): the coordinators' guide, beside the window (not modal)."""
    from ui.help import HelpDialog

    guide = getattr(window, "guide", None)
    if guide is None:
        guide = window.guide = HelpDialog(window)
    guide.show()
    guide.raise_()
    guide.activateWindow()


def show_about(window: MainWindow) -> None:
    QMessageBox.about(
        window, f"About {APP_TITLE}",
        f"<h3>{APP_TITLE} {__version__}</h3>"
        "<p>Maps an older person's care pathway across the organisations and regulators "
        "involved, keeps one team, one care coordinator and one shared care plan, and "
        "shows where regulation works against the person's pathway.</p>"
        f"<p><b>Database:</b> {_html(window.database.name)}</p>")


def _html(text: str) -> str:
    import html

    return html.escape(text)
