"""The provider directory in the GUI: importing a directory file, and picking an organisation.

``DirectoryImportDialog`` reads an NHS ODS or CQC file, shows what importing it would do (new
organisations, changed ones with what changes, unchanged ones, rejected rows with reasons) and
imports it in one transaction when asked; a file that cannot be read is explained in the
dialog and nothing is written. ``DirectoryBrowser`` searches the directory, in the database,
a page at a time, and returns the organisation chosen.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from db.database import Database
from db.directory import (
    DirectoryCounts,
    DirectoryPreview,
    DirectoryRecord,
    DirectoryRepository,
    DirectoryUpdate,
)
from planner.directory import (
    DirectoryEntry,
    DirectoryFileError,
    DirectoryRead,
    summarise_rejections,
)
from planner.reference import label, sector_defaults
from ui import keyboard, theme
from ui.actions import importing
from ui.models import Column, ColumnModel, PagedRows
from ui.plaintext import literal, plain_label
from ui.widgets import Table, muted_label, read_only_table

Index = QModelIndex | QPersistentModelIndex
_NO_INDEX = QModelIndex()

#: How changed fields are named in the "to be updated" list.
FIELD_NAMES = {"cqc_rating": "CQC rating", "cqc_registered": "CQC registered",
               "payment_model": "payment model"}


def _status(code: str) -> str:
    return code.capitalize()


def _rating(code: str | None) -> str:
    return label("cqc_rating", code) if code else ""


def _shown(name: str, value: Any) -> str:
    if value is None or value == "":
        return "not recorded"
    if name == "sector":
        return label("sector", value)
    if name == "cqc_rating":
        return _rating(value)
    if name == "status":
        return _status(value)
    if isinstance(value, list):
        return ", ".join(label("regulator_short", v) for v in value) or "none"
    return str(value)


def describe_changes(update: DirectoryUpdate) -> str:
    """"name: OLD → NEW; status: Active → Closed" for an entry an import would change."""
    return "; ".join(f"{FIELD_NAMES.get(name, name)}: {_shown(name, getattr(update.before, name))} → "
                     f"{_shown(name, getattr(update.after, name))}" for name in update.changed)


def _entry_columns(entries: Sequence[DirectoryEntry]) -> list[Column[DirectoryEntry]]:
    """Code, name, sector, area, postcode, status, rating: leaving out columns no entry fills."""
    columns: list[Column[DirectoryEntry]] = [
        Column("Code", lambda e: e.code),
        Column("Name", lambda e: e.name, lambda e: f"{e.name}\n{e.address or ''}".strip()),
        Column("Sector", lambda e: label("sector", e.sector)),
    ]
    optional: list[tuple[str, Callable[[DirectoryEntry], str]]] = [
        ("Area", lambda e: e.area or ""), ("Postcode", lambda e: e.postcode or ""),
        ("Status", lambda e: _status(e.status)), ("CQC rating", lambda e: _rating(e.cqc_rating)),
    ]
    for header, text in optional:
        if header == "Status" or any(text(e) for e in entries):
            columns.append(Column(header, text))
    return columns


class DirectoryImportDialog(QDialog):
    """Preview a directory file's import, then import it (Import) or not (Cancel).

    ``imported`` carries the DirectoryCounts once the file is imported; after that the dialog
    shows the counts and its one button closes it (exec() then returns Accepted).
    """

    imported = Signal(object)

    def __init__(self, database: Database, path: str | os.PathLike[str], parent: QWidget | None = None,
                 format: str | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self.path = Path(path)
        self.read: DirectoryRead | None = None
        self.preview: DirectoryPreview | None = None
        self.counts: DirectoryCounts | None = None
        self.error: str | None = None
        self.setWindowTitle("Import provider directory")
        self.setMinimumSize(720, 480)
        self.resize(1000, 640)

        self.title = plain_label(QLabel(f"Import {self.path.name} into the provider directory"))
        self.title.setFont(theme.scaled_font(self.title, 1.25, bold=True))
        self.title.setWordWrap(True)
        self.file_label = plain_label(muted_label(str(self.path)))
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.message = plain_label(QLabel())
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("What the import will change")

        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.import_entries)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(8)
        layout.addWidget(self.title)
        layout.addWidget(self.file_label)
        layout.addWidget(self.summary)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.buttons)
        self._load(format)

    # -- reading and previewing ------------------------------------------------------------
    def _load(self, format: str | None) -> None:
        from sqlalchemy.exc import SQLAlchemyError

        try:
            self.read = importing.read_directory(self.path, format)
            self.preview = importing.preview_directory(self.database, self.read)
        except DirectoryFileError as error:
            self._fail(f"{error} Nothing was imported.")
            return
        except SQLAlchemyError as error:
            self._fail(f"The directory in {self.database.name} cannot be read: {_reason(error)}. "
                       "Nothing was imported.")
            return
        read, preview = self.read, self.preview
        self.title.setText(f"Import {self.path.name}: {read.format_label}")
        counts = preview.counts
        self.summary.setText(
            f"{read.rows:,} {'row' if read.rows == 1 else 'rows'} read: <b>{counts.added:,} new</b>, "
            f"<b>{counts.updated:,} to update</b>, {counts.unchanged:,} unchanged (already in the "
            f"directory as they are), <b>{len(read.rejected):,} rejected</b>.")
        self.tabs.clear()
        self.added_table = Table(ColumnModel(_entry_columns(preview.added), preview.added),
                                 "No new organisations: everything in the file is already in the directory.",
                                 name="Organisations to be added")
        self.updated_table = Table(ColumnModel([
            Column("Code", lambda u: u.after.code),
            Column("Name", lambda u: u.after.name),
            Column("What changes", describe_changes),
        ], preview.updated), "No organisation in the directory would change.",
            name="Organisations to be updated")
        self.rejected_table = Table(ColumnModel([
            Column("Row", lambda r: str(r.row), align_right=True),
            Column("Code", lambda r: r.code or ""),
            Column("Name", lambda r: r.name or ""),
            Column("Reason", lambda r: r.reason),
        ], read.rejected), "No rows were rejected.", name="Rows rejected")
        self.unchanged_table = Table(ColumnModel(_entry_columns(preview.unchanged), preview.unchanged),
                                     "None of the file's organisations is in the directory yet.",
                                     name="Organisations unchanged")
        rejected_page = QWidget()
        rejected_layout = QVBoxLayout(rejected_page)
        rejected_layout.setContentsMargins(0, 6, 0, 0)
        if read.rejected:
            reasons = plain_label(muted_label(f"By reason: {summarise_rejections(read.rejected)}."))
            rejected_layout.addWidget(reasons)
        rejected_layout.addWidget(self.rejected_table, 1)
        self.tabs.addTab(self.added_table, f"To be added ({counts.added:,})")
        self.tabs.addTab(self.updated_table, f"To be updated ({counts.updated:,})")
        self.tabs.addTab(rejected_page, f"Rejected ({len(read.rejected):,})")
        self.tabs.addTab(self.unchanged_table, f"Unchanged ({counts.unchanged:,})")
        # open on the first of added, updated, unchanged, rejected that has rows
        sizes = {0: counts.added, 1: counts.updated, 3: counts.unchanged, 2: len(read.rejected)}
        self.tabs.setCurrentIndex(next((tab for tab, n in sizes.items() if n), 0))
        notes = list(read.notes)
        if not counts.added and not counts.updated:
            notes.insert(0, "There is nothing to import: every organisation in the file is already in "
                            "the directory as it is." if read.entries else
                            "There is nothing to import: every row of the file was rejected.")
            self.import_button.setEnabled(False)
            self.import_button.hide()
            self.cancel_button.setText("Close")
        else:
            self.import_button.setText(f"Import {counts.added + counts.updated:,}")
            self.import_button.setToolTip(f"Add {counts.added:,} and update {counts.updated:,} "
                                          "organisations in one step")
        if notes:
            self._say(" ".join(notes))

    def _fail(self, text: str) -> None:
        self.error = text
        self.summary.hide()
        self.tabs.hide()
        self._say(f"⚠ {text}", warning=True)
        self.import_button.setEnabled(False)
        self.import_button.hide()
        self.cancel_button.setText("Close")
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertStretch(layout.indexOf(self.buttons), 1)  # the message at the top, not spread out

    def _say(self, text: str, warning: bool = False) -> None:
        self.message.setText(text)
        theme.style(self.message, "banner", warning)
        self.message.show()

    # -- importing ------------------------------------------------------------------------
    def import_entries(self) -> DirectoryCounts | None:
        """Import the file in one transaction; show the counts (or why nothing was imported)."""
        from sqlalchemy.exc import SQLAlchemyError

        if self.read is None or self.counts is not None or not self.import_button.isEnabled():
            return self.counts
        try:
            counts = importing.store_directory(self.database, self.read)
        except (SQLAlchemyError, ValueError) as error:
            self._say(f"⚠ Nothing was imported: {_reason(error)}.", warning=True)
            return None
        self.counts = counts
        rejected = len(self.read.rejected)
        self._say(f"✓ Imported {self.path.name}: {counts}; {rejected:,} "
                  f"{'row' if rejected == 1 else 'rows'} rejected.")
        self.summary.hide()
        for index, title in enumerate((f"Added ({counts.added:,})", f"Updated ({counts.updated:,})")):
            self.tabs.setTabText(index, title)
        self.import_button.hide()
        self.cancel_button.setText("Close")
        self.imported.emit(counts)
        return counts

    def reject(self) -> None:
        """Cancel, or Close once imported (then exec() returns Accepted)."""
        if self.counts is not None:
            self.accept()
        else:
            super().reject()


def _reason(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


# -- browsing --------------------------------------------------------------------------------

class DirectoryModel(PagedRows, QAbstractTableModel):
    """Directory entries matching a search, fetched a page at a time from the database."""

    HEADERS = ("Name", "Code", "Sector", "Area", "Postcode", "Status")

    def __init__(self, fetch: Callable[[str, bool, int, int], list[DirectoryRecord]],
                 parent: Any = None) -> None:
        """``fetch(search, include_closed, limit, offset)`` returns DirectoryRecords."""
        super().__init__(parent)
        self._fetch = fetch
        self._rows = []

    def set_search(self, text: str, include_closed: bool) -> None:
        self.query(lambda limit, offset: self._fetch(text, include_closed, limit, offset))

    def record(self, row: int) -> DirectoryRecord:
        record: DirectoryRecord = self._rows[row]
        return record

    def columnCount(self, parent: Index = _NO_INDEX) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        entry = self._rows[index.row()].entry
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            values = (entry.name, entry.code, label("sector", entry.sector), entry.area or "",
                      entry.postcode or "", _status(entry.status))
            text = values[index.column()]
            return text if role == Qt.ItemDataRole.DisplayRole else literal(text)
        if role == Qt.ItemDataRole.ForegroundRole and entry.status == "closed":
            return QColor(theme.MUTED)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.HEADERS)):
            return self.HEADERS[section]
        return None


CODE_SYSTEM_NAMES = {"ods": "ODS code", "cqc_location": "CQC location", "local": "Local code"}


def describe_entry(entry: DirectoryEntry) -> str:
    """One line about an entry: address, phone, regulators (its sector's unless recorded), rating."""
    own = entry.regulators
    regulators = own if own is not None else sector_defaults(entry.sector)["regulators"]
    address = entry.address or ""
    if entry.postcode and entry.postcode not in address:
        address = f"{address}, {entry.postcode}" if address else entry.postcode
    parts = [
        f"{CODE_SYSTEM_NAMES.get(entry.code_system, entry.code_system)} {entry.code}",
        address,
        f"Tel. {entry.phone}" if entry.phone else "",
        f"Regulated by {', '.join(label('regulator_short', r) for r in regulators)}" if regulators else "",
        f"CQC rating: {_rating(entry.cqc_rating)}" if entry.cqc_rating else "",
        _status(entry.status) if entry.status != "active" else "",
    ]
    return " · ".join(p for p in parts if p)


class DirectoryBrowser(QDialog):
    """Search the provider directory and choose an organisation (``chosen`` after Accepted)."""

    def __init__(self, database: Database, parent: QWidget | None = None, *, search: str = "",
                 include_closed: bool = False) -> None:
        super().__init__(parent)
        self.database = database
        self.chosen: DirectoryRecord | None = None
        self.setWindowTitle("Provider directory")
        self.setMinimumSize(720, 460)
        self.resize(960, 600)

        self.search = QLineEdit(search)
        self.search.setPlaceholderText("Search by name, code, town or postcode")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search the provider directory")
        self.search.setAccessibleDescription("By name, code, town or postcode; Down moves to the results")
        self.include_closed = QCheckBox("Show closed organisations")
        self.include_closed.setChecked(include_closed)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.include_closed)

        self.model = DirectoryModel(self._fetch, self)
        self.view = read_only_table(self.model)
        self.view.setAccessibleName("Organisations in the directory")
        header = self.view.horizontalHeader()
        for column, width in enumerate((300, 110, 130, 150, 90)):
            header.resizeSection(column, width)
        self.count = muted_label("")
        self.details = plain_label(QLabel())
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setAccessibleName("The organisation chosen")
        self.details.setMinimumHeight(self.details.fontMetrics().lineSpacing() * 2 + 4)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        self.buttons = QDialogButtonBox()
        self.choose_button: QPushButton = self.buttons.addButton(
            "Choose", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._choose)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count)
        layout.addWidget(self.details)
        layout.addWidget(self.buttons)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.include_closed.toggled.connect(lambda _c: self.refresh())
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._update_selection())
        self.view.doubleClicked.connect(lambda _i: self._choose())
        self.model.rowsInserted.connect(lambda *_: self._update_count())
        keyboard.enter_opens(self.view, lambda _row: self._choose())
        keyboard.on_keys(self.search, ("Down",), self.view.setFocus)
        self.refresh()
        self.search.setFocus()  # typing searches at once

    def _fetch(self, search: str, include_closed: bool, limit: int, offset: int) -> list[DirectoryRecord]:
        with self.database.session() as session:
            return DirectoryRepository(session).search(search, limit=limit, offset=offset,
                                                       include_closed=include_closed)

    def refresh(self) -> None:
        """Run the search now (typing runs it 200 ms after the last key)."""
        self._timer.stop()
        text, closed = self.search.text(), self.include_closed.isChecked()
        with self.database.session() as session:
            self._matches = DirectoryRepository(session).count(text, include_closed=closed)
        self.model.set_search(text, closed)
        self._update_count()
        if self.model.rowCount() > 0:
            self.view.selectRow(0)
        self._update_selection()

    def _update_count(self) -> None:
        total, shown = self._matches, self.model.rowCount()
        noun = "organisation" if total == 1 else "organisations"
        if not total:
            self.count.setText("No organisation in the directory matches." if self.search.text().strip()
                               else "The directory is empty: import an NHS ODS or CQC file first.")
        elif self.search.text().strip():
            self.count.setText(f"{total:,} {noun} match" + (f" (showing {shown:,})" if shown < total else ""))
        else:
            self.count.setText(f"{total:,} {noun}" + (f" (showing {shown:,})" if shown < total else ""))

    def _current(self) -> DirectoryRecord | None:
        index = self.view.currentIndex()
        return self.model.record(index.row()) if index.isValid() else None

    def _update_selection(self) -> None:
        record = self._current()
        self.choose_button.setEnabled(record is not None)
        self.details.setText(describe_entry(record.entry) if record else "")

    def _choose(self) -> None:
        record = self._current()
        if record is not None:
            self.chosen = record
            self.accept()

    @classmethod
    def choose(cls, database: Database, parent: QWidget | None = None,
               search: str = "") -> DirectoryRecord | None:
        """Show the browser and return the organisation chosen, or None if cancelled."""
        dialog = cls(database, parent, search=search)
        return dialog.chosen if dialog.exec() == QDialog.DialogCode.Accepted else None

