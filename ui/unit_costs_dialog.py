"""Edit › Unit costs: an area's own unit costs, shared through the database (DOMAIN.md 4b; issue 15).

One row for each unit cost the product uses: the published national default with its unit, price
year and source, then the area's own figure, price year and note (editable), and who set it when.
A case uses its area's figures when the person's area in the case is that area; every other case
the national defaults. Save checks every row first: a figure that cannot be used (negative, not a
number, over £1,000,000, no price year) is refused with its field named, the cell is selected, and
nothing is saved. Each save is recorded in the audit trail. A database open read-only is shown, not
edited.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from planner.unit_costs import OverrideError, UnitCost, key_words, overridable
from ui import theme
from ui.plaintext import literal, plain_label

if TYPE_CHECKING:
    from db.database import Database
    from db.unit_costs import StoredFigure

#: The table's columns: the national default (read-only), then the area's own (editable), then who.
COLUMNS = ("Unit cost", "National default", "Price year", "Source", "Local figure (£)", "Local price year",
           "Note (its source)", "Set by")
WHAT, DEFAULT, YEAR, SOURCE, AMOUNT, LOCAL_YEAR, NOTE, SET_BY = range(len(COLUMNS))
EDITABLE = (AMOUNT, LOCAL_YEAR, NOTE)
FIELD_COLUMN = {"amount": AMOUNT, "price_year": LOCAL_YEAR, "note": NOTE}


def money(cost: UnitCost) -> str:
    """"£901 per day", "£15.50 per contact"."""
    amount = f"{cost.amount:,.2f}".removesuffix(".00")
    return f"£{amount} per {cost.per}"


def short_source(cost: UnitCost) -> str:
    """The publication in a few words ("PSSRU 2024 Manual, Table 9.4.2 …"), the whole in a tooltip."""
    import re

    source = cost.source
    if "Unit Costs of Health and Social Care" in source:
        year = source.split("Unit Costs of Health and Social Care", 1)[1].split()[0]
        source = f"PSSRU {year}"
    elif source.startswith("UK Parliament"):
        return "UK Parliament written answer (National Cost Collection " + \
            source.rsplit("National Cost Collection", 1)[-1].strip(" ,").split()[0] + ")"
    table = re.search(r"Table [0-9.]+\w*", cost.table)
    where = table.group(0) if table else cost.table.split(",")[0]
    return f"{source}, {where}" if where else source


class UnitCostsDialog(QDialog):
    """The national unit costs and one area's own figures, edited and saved to the database."""

    #: The area whose figures were saved.
    saved = Signal(str)

    def __init__(self, database: Database, parent: QWidget | None = None, area: str | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self.defaults = overridable()
        self.keys = list(self.defaults)
        self.stored: dict[str, StoredFigure] = {}
        self.dirty = False
        self._filling = False
        self.setWindowTitle("Unit costs")
        self.read_only = database.read_only

        heading = QLabel("Unit costs: the national defaults and your area's own figures")
        heading.setFont(theme.scaled_font(heading, 1.2, bold=True))
        explain = QLabel(
            "The cost of care uses the published national figures below unless an area sets its own. "
            "A case uses its area's figures when the person's area in the case is that area (e.g. "
            "“Torbay”); every other case uses the national defaults. The figures are saved in the database, "
            "so everyone using it shares them, and each change is recorded in the audit trail. Leave a "
            "local figure empty to use the national default.")
        explain.setWordWrap(True)
        theme.mute(explain)

        self.area = QComboBox()
        self.area.setEditable(True)
        self.area.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.area.setMinimumWidth(260)
        line = self.area.lineEdit()
        assert line is not None
        line.setMaxLength(100)
        line.setPlaceholderText("Type or choose an area, e.g. Torbay")
        self.area.setAccessibleName("Area")
        line.setAccessibleName("Area")
        self.area.setAccessibleDescription("The area whose own unit costs are shown and edited")
        area_row = QHBoxLayout()
        area_label = QLabel("&Area:")
        area_label.setBuddy(self.area)
        area_row.addWidget(area_label)
        area_row.addWidget(self.area)
        self.area_note = QLabel()
        theme.mute(self.area_note)
        area_row.addWidget(self.area_note, 1)

        self.table = QTableWidget(len(self.keys), len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setAccessibleName("Unit costs")
        self.table.setAccessibleDescription("The national default of each unit cost, with its source and "
                                            "year, and the area's own figure where it has one")
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        header = self.table.horizontalHeader()
        for column in range(len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in ((WHAT, 330), (DEFAULT, 140), (YEAR, 75), (SOURCE, 220), (AMOUNT, 110),
                              (LOCAL_YEAR, 110), (NOTE, 220)):
            self.table.setColumnWidth(column, width)
        for row, key in enumerate(self.keys):
            cost = self.defaults[key]
            cells = {WHAT: key_words(key), DEFAULT: money(cost), YEAR: cost.price_year,
                     SOURCE: short_source(cost)}
            for column in range(len(COLUMNS)):
                item = QTableWidgetItem(cells.get(column, ""))
                if column not in EDITABLE or self.read_only is not None:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if column == SOURCE:
                    item.setToolTip(literal(f"{cost.source}, {cost.table}"))
                elif column == WHAT:
                    item.setToolTip(literal(f"{key_words(key)} (per {cost.per})"))
                self.table.setItem(row, column, item)
        self.table.itemChanged.connect(self._edited)

        self.message = plain_label(QLabel())
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        self.reset_button = QPushButton("&Reset selected to national")
        self.reset_button.setToolTip("Empty the local figures of the selected rows: they use the national "
                                     "defaults once saved")
        self.reset_all_button = QPushButton("Reset a&ll")
        self.save_button = QPushButton("&Save")
        self.save_button.setDefault(True)
        self.close_button = QPushButton("&Close")
        self.reset_button.clicked.connect(self.reset_selected)
        self.reset_all_button.clicked.connect(self.reset_all)
        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self.close_dialog)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reset_button)
        buttons.addWidget(self.reset_all_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(explain)
        if self.read_only is not None:
            banner = plain_label(QLabel(f"⚠ Read-only: the database cannot be changed ({self.read_only}). "
                                        "The figures are shown, not edited."))
            banner.setWordWrap(True)
            theme.style(banner, "banner", warning=True)
            layout.addWidget(banner)
        layout.addLayout(area_row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        for widget in (self.reset_button, self.reset_all_button, self.save_button):
            widget.setEnabled(self.read_only is None)
        self.resize(1400, 820)

        names = self._area_names()
        self.area.addItems(names)
        self._current_area = ""
        self.area.setCurrentText(area or (names[0] if names else ""))
        self.load_area(self.area.currentText())
        self.area.currentTextChanged.connect(self._area_changed)

    # -- reading ---------------------------------------------------------------------------------
    def _area_names(self) -> list[str]:
        from db.unit_costs import UnitCostSettings

        with self.database.snapshot() as session:
            return UnitCostSettings(session).area_names()

    def load_area(self, area: str) -> None:
        """Show ``area``'s own figures (none for a new area)."""
        from db.unit_costs import UnitCostSettings

        self._current_area = area
        with self.database.snapshot() as session:
            self.stored = UnitCostSettings(session).figures(area) if area.strip() else {}
        self._filling = True
        for row, key in enumerate(self.keys):
            figure = self.stored.get(key)
            cost = figure.cost if figure else None
            self._cell(row, AMOUNT).setText(f"{cost.amount:,.2f}".removesuffix(".00").replace(",", "")
                                            if cost else "")
            self._cell(row, LOCAL_YEAR).setText(cost.price_year if cost else "")
            self._cell(row, NOTE).setText(cost.note or "" if cost else "")
            self._cell(row, NOTE).setToolTip(literal(cost.note) if cost and cost.note else
                                             "Where the figure comes from, e.g. the trust's reference costs")
            who = f"{figure.updated_by}, {figure.updated_at:%-d %b %Y %H:%M} UTC" if figure else ""
            self._cell(row, SET_BY).setText(who)
            self._cell(row, SET_BY).setToolTip(literal(who))
            self._mark(row)
        self._filling = False
        self.dirty = False
        count = len(self.stored)
        self.area_note.setText(f"{count} figure{'s' if count != 1 else ''} of its own" if count
                               else "No figures of its own yet: the national defaults apply")
        self._say("")

    def _cell(self, row: int, column: int) -> QTableWidgetItem:
        item = self.table.item(row, column)
        assert item is not None
        return item

    def _mark(self, row: int) -> None:
        """A row with a local figure is in bold: the area's own, not the national default."""
        own = bool(self._cell(row, AMOUNT).text().strip())
        for column in range(len(COLUMNS)):
            font = self._cell(row, column).font()
            font.setBold(own and column in (WHAT, *EDITABLE))
            self._cell(row, column).setFont(font)

    def _edited(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        self.dirty = True
        self._filling = True
        self._mark(item.row())
        self._filling = False

    def _area_changed(self, area: str) -> None:
        if area == self._current_area:
            return
        if self.dirty and not self._discard():
            self.area.blockSignals(True)
            self.area.setCurrentText(self._current_area)
            self.area.blockSignals(False)
            return
        self.load_area(area)

    def _discard(self) -> bool:
        area = self._current_area or "this area"
        answer = QMessageBox.question(self, "Unsaved unit costs", f"Discard the changes to {area}'s figures?")
        return answer == QMessageBox.StandardButton.Yes

    # -- changing --------------------------------------------------------------------------------
    def reset_selected(self) -> None:
        rows = sorted({index.row() for index in self.table.selectedIndexes()})
        if not rows:
            self._say("Select the rows to reset first.")
            return
        self._clear(rows)

    def reset_all(self) -> None:
        self._clear(list(range(len(self.keys))))

    def _clear(self, rows: list[int]) -> None:
        for row in rows:
            for column in EDITABLE:
                self._cell(row, column).setText("")
        self._say(f"{len(rows)} row{'s' if len(rows) != 1 else ''} back to the national default once saved.")

    def changes(self) -> dict[str, object]:
        """Each row as the form holds it: a figure to set, or None to use the national default."""
        from db.unit_costs import LocalFigure

        result: dict[str, object] = {}
        for row, key in enumerate(self.keys):
            amount, year, note = (self._cell(row, column).text().strip() for column in EDITABLE)
            result[key] = LocalFigure(amount, year, note or None) if amount or year or note else None
        return result

    def save(self) -> bool:
        """Save the area's figures; bad input is refused (field named, cell selected), nothing saved."""
        if self.read_only is not None:
            return False
        from db.database import DatabaseError
        from db.unit_costs import UnitCostSettings
        from planner.unit_costs import area_name

        self.save_button.setFocus()  # a cell being typed in loses the focus: what it holds is kept first
        try:
            area = area_name(self.area.currentText())
            changes = self.changes()
            with self.database.session() as session:
                result = UnitCostSettings(session).save(area, changes)  # type: ignore[arg-type]
        except OverrideError as error:
            self._refused(error)
            return False
        except DatabaseError as error:
            self._say(f"⚠ Nothing was saved: {error}", warning=True)
            return False
        names = self._area_names()
        self.area.blockSignals(True)
        self.area.clear()
        self.area.addItems(names)
        self.area.setCurrentText(result.area)
        self.area.blockSignals(False)
        self.load_area(result.area)
        if result.changed:
            self._say(f"Saved {result.area}'s unit costs: {len(result.set)} set, {len(result.reset)} back to "
                      "the national default. Recorded in the audit trail.")
            self.saved.emit(result.area)
        else:
            self._say("Nothing to save: no figure was changed.")
        return True

    def _refused(self, error: OverrideError) -> None:
        self._say(f"⚠ Not saved: {error} Nothing was changed.", warning=True)
        if error.key in self.keys and error.field in FIELD_COLUMN:
            item = self._cell(self.keys.index(error.key), FIELD_COLUMN[error.field])
            self.table.setCurrentItem(item)
            self.table.scrollToItem(item)
        elif error.field == "area":
            self.area.setFocus()

    def _say(self, text: str, warning: bool = False) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        if warning:
            theme.style(self.message, "banner", warning=True)
        else:
            self.message.setStyleSheet("")

    def close_dialog(self) -> None:
        if self.dirty and self.read_only is None and not self._discard():
            return
        self.dirty = False
        self.accept()

    def reject(self) -> None:  # Escape
        self.close_dialog()
