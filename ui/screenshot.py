"""Rendering the main window offscreen to a PNG, for the docs and for looking at the GUI.

A screenshot shows a person's case: it is written like every export (db.exports.export_file),
private (0600) and recorded in the case's audit trail first.
"""

from __future__ import annotations

import os
from pathlib import Path

from db.database import Database
from db.exports import ExportEvent, Rendered, export_file
from planner.outputs import DEFAULT_EXISTS_ADVICE
from ui.main_window import MINIMUM_SIZE, TAB_KEYS


def tab_key(name: str) -> str:
    """The tab named loosely ("care plan", "Team", "orgs") as one of TAB_KEYS."""
    wanted = name.strip().lower().replace(" ", "-").replace("_", "-")
    for key in TAB_KEYS:
        if key == wanted or key.startswith(wanted) or wanted.startswith(key):
            return key
    raise ValueError(f"There is no tab '{name}'. Tabs: {', '.join(TAB_KEYS)}.")


#: The smallest (the window's own minimum) and largest window a screenshot is taken of.
SIZE_LIMITS = ((MINIMUM_SIZE.width(), MINIMUM_SIZE.height()), (7680, 4320))


def parse_size(text: str) -> tuple[int, int]:
    """"1366x768" (or "1366×768") as (1366, 768); anything else is refused in one sentence."""
    parts = text.strip().lower().replace("×", "x").split("x")
    (low_w, low_h), (high_w, high_h) = SIZE_LIMITS
    try:
        width, height = (int(part) for part in parts)
    except ValueError:
        raise ValueError(f"The size '{text}' is not WIDTHxHEIGHT in pixels, e.g. 1366x768.") from None
    if not (low_w <= width <= high_w and low_h <= height <= high_h):
        raise ValueError(f"The size {width}x{height} is outside {low_w}x{low_h} to {high_w}x{high_h}.")
    return width, height


def save_screenshot(database: Database, out: Path, case_id: int | None, tab: str | None,
                    size: tuple[int, int] = (1440, 900), *, overwrite: bool = False,
                    exists_advice: str = DEFAULT_EXISTS_ADVICE) -> Path:
    """Show the main window offscreen with ``case_id`` and ``tab`` open and save it as PNG (0600:
    it shows a person's case), recorded in the audit trail of the case shown first. ``out`` is
    checked before anything is shown (db.exports.export_file); ``overwrite`` replaces a file
    already there. Returns the path written."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    def render() -> Rendered:
        from PySide6.QtWidgets import QApplication

        from ui.app import make_app
        from ui.main_window import MainWindow
        from ui.pathway_map import image_bytes

        make_app()
        window = MainWindow(database, remember_layout=False)
        try:
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
            data = image_bytes(window.grab())
            shown = window.case.id if window.case is not None else None
        finally:
            window.close()
        what = f"screenshot of the {TAB_KEYS[window.tabs.currentIndex()]} tab"
        return Rendered(data, ExportEvent([shown], "png", anonymised=False, what=what))

    written, _rendered = export_file(database, out, render, overwrite=overwrite, exists_advice=exists_advice)
    return written
