"""View › Case history: the audit trail of the open case, newest first."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from db.audit import AuditEvent
from ui.plaintext import literal

COLUMNS = ["When", "Who", "What", "Details"]

_Index = QModelIndex | QPersistentModelIndex


class HistoryModel(QAbstractTableModel):
    """A read-only table over a list of audit events."""

    def __init__(self, events: list[AuditEvent], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.events = events

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.events)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.events):
            return None
        event = self.events[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return [event.at.astimezone().strftime("%d %b %Y %H:%M"), event.user,
                    event.action.capitalize(), event.summary][index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            where = f" on {event.workstation}" if event.workstation else ""
            login = f" (login {event.os_user})" if event.os_user and event.os_user != event.user else ""
            when = event.at.astimezone().strftime('%d %b %Y %H:%M:%S')
            return literal(f"{event.user}{login}{where}, {when}")
        return None


class CaseHistoryDialog(QDialog):
    """Who created, edited, imported, exported, printed, deleted or restored the case, and when."""

    def __init__(self, title: str, events: list[AuditEvent], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Case history — {title}")
        self.model = HistoryModel(events, self)
        self.table = QTableView()
        self.table.setAccessibleName("Case history: who did what, and when")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        count = len(events)
        summary = QLabel(f"{count} event{'s' if count != 1 else ''}, newest first. "
                         "Hover over a row for the login and workstation." if count else
                         "Nothing has been recorded for this case yet.")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(860, 420)
