"""Copying and exporting any table or tree of the window, written once for all of them.

:func:`install` gives a QTableView or QTreeView: Ctrl+C (the platform's Copy) copying the selected
rows as tab-separated text, and a context menu with Copy, Export as CSV… and Export as Excel…. The
rows are read from the view's model as shown (its display text and headings); the files are made
by ui.actions.tables and written through the window's saver like every export (checked, recorded
in the case's audit trail first, private).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPoint, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractItemView, QGroupBox, QMenu, QTabWidget, QWidget

from db.exports import ExportEvent, Rendered
from ui.saving import OutputSaver, ask_save_path

#: How a child row of a tree is set off from its parent in the first column.
INDENT = "    "


def headers(model: QAbstractItemModel) -> list[str]:
    return [str(model.headerData(column, Qt.Orientation.Horizontal) or "")
            for column in range(model.columnCount())]


def _row(model: QAbstractItemModel, index: QModelIndex, depth: int = 0) -> list[str]:
    cells = []
    for column in range(model.columnCount(index.parent())):
        value = model.index(index.row(), column, index.parent()).data(Qt.ItemDataRole.DisplayRole)
        cells.append("" if value is None else str(value))
    if cells and depth:
        cells[0] = INDENT * depth + cells[0]
    return cells


def all_rows(model: QAbstractItemModel) -> list[list[str]]:
    """Every row of the model as text, a tree's children after their parent, indented."""
    rows: list[list[str]] = []

    def walk(parent: QModelIndex, depth: int) -> None:
        for row in range(model.rowCount(parent)):
            index = model.index(row, 0, parent)
            rows.append(_row(model, index, depth))
            if model.rowCount(index) > 0:
                walk(index, depth + 1)

    walk(QModelIndex(), 0)
    return rows


def selected_rows(view: QAbstractItemView) -> list[list[str]]:
    """The rows selected in ``view`` (else its current row), in the order shown."""
    selection = view.selectionModel()
    indexes = selection.selectedRows(0) if selection is not None else []
    if not indexes and view.currentIndex().isValid():
        indexes = [view.currentIndex().siblingAtColumn(0)]
    model = view.model()

    def depth(index: QModelIndex) -> int:
        level, parent = 0, index.parent()
        while parent.isValid():
            level, parent = level + 1, parent.parent()
        return level

    def order(index: QModelIndex) -> tuple[int, ...]:
        path: list[int] = []
        while index.isValid():
            path.insert(0, index.row())
            index = index.parent()
        return tuple(path)

    return [_row(model, index, depth(index)) for index in sorted(indexes, key=order)]


class TableActions:
    """Copy and export for one view. ``name()`` names the table in file names and the audit trail
    ("Timeline steps"); ``saver()`` is the window's (None: not in a database, nothing recorded);
    ``case_id()`` the case the table shows."""

    def __init__(self, view: QAbstractItemView, name: Callable[[], str],
                 saver: Callable[[], OutputSaver | None], case_id: Callable[[], int | None]) -> None:
        self.view = view
        self.name = name
        self.saver = saver
        self.case_id = case_id
        shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Copy), view)
        shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        shortcut.activated.connect(self.copy)
        self.shortcut = shortcut
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self.show_menu)

    def copy(self) -> str:
        """Put the selected rows on the clipboard as tab-separated text; the text."""
        from ui.actions.tables import tsv_text

        text = tsv_text(selected_rows(self.view))
        if text:
            QGuiApplication.clipboard().setText(text)
        return text

    def menu(self) -> QMenu:
        menu = QMenu(self.view)
        copy = menu.addAction("&Copy")
        copy.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
        copy.triggered.connect(self.copy)
        copy.setEnabled(bool(selected_rows(self.view)))
        has_rows = self.view.model() is not None and self.view.model().rowCount() > 0
        for text, excel in (("Export as &CSV…", False), ("Export as &Excel…", True)):
            action = menu.addAction(text)
            action.triggered.connect(lambda _c=False, x=excel: self.export_dialog(excel=x))
            action.setEnabled(has_rows and self.saver() is not None)
        return menu

    def show_menu(self, position: QPoint) -> None:
        self.menu().exec(self.view.viewport().mapToGlobal(position))

    def render(self, *, excel: bool) -> Rendered:
        """The whole table as CSV or a one-sheet workbook, with its audit event."""
        from ui.actions.tables import Sheet, csv_bytes, xlsx_bytes

        model = self.view.model()
        sheet = Sheet(self.name(), headers(model), all_rows(model))
        data = xlsx_bytes([sheet]) if excel else csv_bytes(sheet)
        event = ExportEvent([self.case_id()], "xlsx" if excel else "csv", anonymised=False,
                            what=f"{self.name()} table")
        return Rendered(data, event)

    def export_dialog(self, *, excel: bool) -> Path | None:
        """Ask where, then write the table: its export recorded first. The path, or None."""
        saver = self.saver()
        if saver is None:
            return None
        suffix = ".xlsx" if excel else ".csv"
        kind = "Excel workbooks (*.xlsx)" if excel else "CSV files (*.csv)"
        slug = re.sub(r"[^a-z0-9]+", "-", self.name().lower()).strip("-") or "table"
        path = ask_save_path(self.view, f"Export {self.name()} table", str(Path.home() / f"{slug}{suffix}"),
                             kind, suffix)
        if path is None:
            return None
        saved = saver(path, lambda: self.render(excel=excel), "Table not exported")
        return saved[0] if saved is not None else None


def install(view: QAbstractItemView, name: Callable[[], str], saver: Callable[[], OutputSaver | None],
            case_id: Callable[[], int | None]) -> TableActions:
    """Give ``view`` Ctrl+C and the Copy / Export as CSV / Export as Excel context menu."""
    return TableActions(view, name, saver, case_id)


def named(view: QWidget, fallback: str) -> Callable[[], str]:
    """What to call the table of ``view``: its accessible name, else the title of the box or tab it
    is in ("Handoffs", "Measures"), else ``fallback``."""
    def name() -> str:
        if view.accessibleName():
            return view.accessibleName()
        widget: QWidget | None = view
        while widget is not None:
            parent = widget.parentWidget()
            holder = parent.parentWidget() if parent is not None else None
            if isinstance(widget, QGroupBox) and widget.title():
                return widget.title().replace("&&", "&").split(":")[0]
            if isinstance(holder, QTabWidget) and holder.indexOf(widget) >= 0:
                return holder.tabText(holder.indexOf(widget)).replace("&&", "&")
            widget = parent
        return fallback
    return name

