"""Rendering the main window offscreen to a PNG, for the docs and for looking at the GUI."""

from __future__ import annotations

import os
from pathlib import Path

from db.database import Database
from ui.main_window import TAB_KEYS


def tab_key(name: str) -> str:
    """The tab named loosely ("care plan", "Team", "orgs") as one of TAB_KEYS."""
    wanted = name.strip().lower().replace(" ", "-").replace("_", "-")
    for key in TAB_KEYS:
        if key == wanted or key.startswith(wanted) or wanted.startswith(key):
            return key
    raise ValueError(f"There is no tab '{name}'. Tabs: {', '.join(TAB_KEYS)}.")


def save_screenshot(database: Database, out: Path, case_id: int | None, tab: str | None,
                    size: tuple[int, int] = (1440, 900)) -> Path:
    """Show the main window offscreen with ``case_id`` and ``tab`` open and save it as PNG."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from ui.app import make_app
    from ui.main_window import MainWindow

    make_app()
    window = MainWindow(database, remember_layout=False)
    window.resize(*size)
    if case_id is not None:
        window.select_case(case_id)
    if tab is not None:
        window.show_tab(tab_key(tab))
    window.show()
    for _ in range(3):
        QApplication.processEvents()
    window.case_tabs[window.tabs.currentIndex()].select_first()  # show the detail pane working
    QApplication.processEvents()
    out.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(out), "PNG"):
        raise OSError(f"could not write {out}")
    window.close()
    return out
