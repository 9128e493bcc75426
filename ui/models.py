"""Qt models: thin adapters over planner objects and the case repository.

``ColumnModel`` shows a list of planner objects, one per row, through a list of columns; it
never copies the data into Qt items. ``CaseListModel`` pages case summaries in from the
database as the view scrolls, with the search run in the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
)

from ui.plaintext import literal

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex
_NO_INDEX = QModelIndex()

#: Custom role returning the planner object behind a row.
ObjectRole = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class Column(Generic[T]):
    header: str
    text: Callable[[T], str]
    tooltip: Callable[[T], str] | None = None
    align_right: bool = False


class ColumnModel(QAbstractTableModel, Generic[T]):
    """Rows are planner objects; columns say how to show them."""

    def __init__(self, columns: Sequence[Column[T]], rows: Sequence[T] = (), parent: Any = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._rows: list[T] = list(rows)

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def set_header(self, column: int, text: str) -> None:
        """Change a column's heading (e.g. for this person's pronouns)."""
        if self._columns[column].header != text:
            self._columns[column] = replace(self._columns[column], header=text)
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, column, column)

    def row_object(self, row: int) -> T:
        return self._rows[row]

    def rowCount(self, parent: Index = _NO_INDEX) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _NO_INDEX) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        item = self._rows[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(item)
        if role == Qt.ItemDataRole.ToolTipRole:
            return literal(column.tooltip(item) if column.tooltip else column.text(item)) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ObjectRole:
            return item
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self._columns)):
            return self._columns[section].header
        return None


class PagedRows:
    """Rows read from the database a page at a time, as the view scrolls (Qt's fetchMore).

    Mixed into a Qt model: ``query(fetch)`` starts a new query, where ``fetch(limit, offset)``
    returns one page; the model reads its rows from ``self._rows``.
    """

    PAGE = 200
    _rows: list[Any]
    _exhausted: bool = True
    _page: Callable[[int, int], list[Any]]

    if TYPE_CHECKING:  # provided by the Qt model this is mixed into
        def beginResetModel(self) -> None: ...
        def endResetModel(self) -> None: ...
        def beginInsertRows(self, parent: Index, first: int, last: int) -> None: ...
        def endInsertRows(self) -> None: ...

    def query(self, fetch: Callable[[int, int], list[Any]]) -> None:
        """Start over with a new query and read its first page."""
        self.beginResetModel()
        self._page = fetch
        self._rows = []
        self._exhausted = False
        self.endResetModel()
        self.fetchMore(_NO_INDEX)

    def canFetchMore(self, parent: Index = _NO_INDEX) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index = _NO_INDEX) -> None:
        if parent.isValid() or self._exhausted:
            return
        page = self._page(self.PAGE, len(self._rows))
        if len(page) < self.PAGE:
            self._exhausted = True
        if page:
            start = len(self._rows)
            self.beginInsertRows(_NO_INDEX, start, start + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()

    def rowCount(self, parent: Index = _NO_INDEX) -> int:
        return 0 if parent.isValid() else len(self._rows)


class CaseListModel(PagedRows, QAbstractListModel):
    """Case summaries, fetched a page at a time from the database as the list scrolls."""

    def __init__(self, fetch: Callable[[str, int, int], list[Any]], parent: Any = None) -> None:
        """``fetch(search, limit, offset)`` returns CaseSummary objects."""
        super().__init__(parent)
        self._fetch = fetch
        self._search = ""
        self._rows = []

    def set_search(self, text: str) -> None:
        self._search = text
        self.query(lambda limit, offset: self._fetch(text, limit, offset))

    def refresh(self) -> None:
        self.set_search(self._search)

    def summary(self, row: int) -> Any:
        return self._rows[row]

    def replace_row(self, row: int, summary: Any) -> None:
        """Show ``summary`` in place of the row's (its counts worked out since it was fetched)."""
        self._rows[row] = summary
        index = self.index(row, 0)
        self.dataChanged.emit(index, index)

    def row_of(self, case_id: int) -> int | None:
        return next((i for i, s in enumerate(self._rows) if s.id == case_id), None)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        summary = self._rows[index.row()]
        flags = _flags(summary)
        if role == Qt.ItemDataRole.DisplayRole:
            area = summary.area or "Area not recorded"
            noun = "step" if summary.steps == 1 else "steps"
            warning = f"⚑ {' · '.join(flags)}\n" if flags else ""
            return f"{summary.title}\n{warning}{area} · {summary.steps} {noun}{_counts(summary)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            flagged = "".join(f"\n⚑ {flag}" for flag in flags)
            return literal(f"{summary.title} (case {summary.id}){_counts(summary)}{flagged}")
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{summary.title}, {summary.area or 'area not recorded'}" + "".join(
                f", {flag}" for flag in flags)
        if role == Qt.ItemDataRole.SizeHintRole:
            return QSize(0, 66 if flags else 48)
        if role == ObjectRole:
            return summary
        return None


def _flags(summary: Any) -> list[str]:
    """What the case list flags about a case: no coordinator, review overdue (its open key findings
    are in its counts: "5 key")."""
    from datetime import date

    flags = getattr(summary, "flags", None)
    return flags(date.today(), findings=False) if callable(flags) else []


def _counts(summary: Any) -> str:
    """" · 5 key · 14 rules · 40 occurrences" for a case list row; "" if not counted yet."""
    from planner.key_findings import counts_in_words

    return "" if summary.findings is None else f" · {counts_in_words(*summary.findings)}"
