"""The base of the case workspace's tabs (``CaseTab``): it holds the open case, fills itself when
first shown after the case changes, and lists its tables for the detail pane; and the
layout pieces the tabs share (titled sections, a table with its edit bar).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QAbstractItemView, QGroupBox, QSplitter, QVBoxLayout, QWidget

from planner import describe
from planner.model import Case
from ui import theme
from ui.widgets import EditBar, Table

if TYPE_CHECKING:
    from planner.analysis import Analysis
    from ui.editing import CaseEditor


def sections(*parts: tuple[str, QWidget, int]) -> QSplitter:
    """Titled sections stacked in a vertical splitter, each (title, widget, stretch factor)."""
    splitter = QSplitter(Qt.Orientation.Vertical)
    for index, (title, widget, stretch) in enumerate(parts):
        splitter.addWidget(titled_section(title, widget))
        splitter.setStretchFactor(index, stretch)
    return splitter


def with_bar(table: Table, bar: QWidget) -> QWidget:
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(table, 1)
    layout.addWidget(bar)
    return holder


class FillingLayout(QVBoxLayout):
    """A column that fills its scroll area's view: without height-for-width, the scroll area sizes
    it to the view (or its minimum), not to the taller height its word-wrapped labels would like."""

    def hasHeightForWidth(self) -> bool:
        return False


def titled_section(title: str, widget: QWidget) -> QGroupBox:
    """A titled box; a table in it without a name for screen readers is named by the title."""
    for view in [widget, *widget.findChildren(QAbstractItemView)]:
        if isinstance(view, QAbstractItemView) and not view.accessibleName():
            view.setAccessibleName(title)
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(8, 8, 8, 8)
    layout.addWidget(widget)
    theme.titled(box)
    return box


class CaseTab(QWidget):
    """Base of the tabs: holds the open case and lists its tables for the detail pane.

    A tab fills itself when it is first shown after the case changes, so opening a case
    costs only the tab in view.
    """

    title = ""
    #: How the tab is named on the command line and in code (`screenshot --tab`, `show_tab`).
    key = ""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.case: Case | None = None
        self._analysis: Callable[[], Analysis | None] = lambda: None
        self.tables: list[Table] = []
        self.bars: dict[str, EditBar] = {}
        self._stale = False
        #: Performs the user's edits (set by the main window; None where the tab is read-only).
        self.editor: CaseEditor | None = None

    def editable(self, table: Table, collection: str, noun: str,
                 position: Callable[[int], int] | None = None,
                 add_with: Callable[[CaseEditor], object] | None = None) -> QWidget:
        """The table with Add / Edit / Delete for a collection of the case. ``position`` maps a
        table row to the item's place in the collection (rows may be sorted differently);
        ``add_with`` replaces the plain Add (the bar is kept as ``self.bars[collection]``)."""
        where = position or (lambda row: row)

        def add() -> None:
            if self.editor is not None:
                if add_with is not None:
                    add_with(self.editor)
                else:
                    self.editor.add(collection)

        def edit(row: int) -> None:
            if self.editor is not None:
                self.editor.edit(collection, where(row))

        def delete(row: int) -> None:
            if self.editor is not None:
                self.editor.delete(collection, where(row))

        bar = EditBar(table, noun, add, edit, delete)
        self.bars[collection] = bar
        return with_bar(table, bar)

    def position_of(self, collection_items: list[object], item: object) -> int:
        return next(i for i, candidate in enumerate(collection_items) if candidate is item)

    @property
    def analysis(self) -> Analysis | None:
        """Findings and measures for the open case, worked out when first asked for."""
        return self._analysis()

    def set_case(self, case: Case, analysis: Callable[[], Analysis | None] | None = None) -> None:
        """Show ``case``; ``analysis`` gives its findings and measures when the tab needs them."""
        self.case = case
        self._analysis = analysis or (lambda: None)
        self._stale = True
        if self.isVisible():
            self.ensure_current()

    def ensure_current(self) -> None:
        """Show the case now if it changed since this tab last showed it."""
        if self._stale and self.case is not None:
            self._stale = False
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        self.ensure_current()
        super().showEvent(event)

    def refresh(self) -> None:
        raise NotImplementedError

    def select_first(self) -> None:
        """Select the first row there is, so the detail pane shows something."""
        table = next((t for t in self.tables if t.model.rowCount() > 0), None)
        if table is not None:
            table.view.selectRow(0)

    def words(self, template: str) -> str:
        """A template with {they}/{them}/{their} filled for the open case's person."""
        assert self.case is not None
        return describe.words(template, self.case.person)
