"""Small reusable widgets: tables with an empty state, read-only forms, the detail pane."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ui import keyboard, theme
from ui.models import ColumnModel, ObjectRole
from ui.plaintext import plain_label

#: (label, value) pairs describing one selected object in the detail pane.
Details = list[tuple[str, str]]

NOT_RECORDED = "Not recorded"


def muted_label(text: str) -> QLabel:
    label = QLabel(text)
    theme.mute(label)
    label.setWordWrap(True)
    return label


def read_only_table(model: QAbstractItemModel) -> QTableView:
    """A table view for reading: whole rows selected one at a time, bold left-aligned headings,
    the last column stretched."""
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(26)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setFont(theme.scaled_font(header, 1.0, bold=True))
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    return view


class Table(QStackedWidget):
    """A read-only table over a ColumnModel that shows a sentence instead when it is empty.

    ``selected`` carries (title, details) for the detail pane when the current row changes.
    """

    selected = Signal(str, object)
    #: Widest a column opens at; longer text is elided and shown in full in the tooltip and pane.
    MAX_COLUMN = 300

    def __init__(self, model: ColumnModel[Any], empty_text: str,
                 describe: Callable[[Any], tuple[str, Details]] | None = None,
                 parent: QWidget | None = None, *, name: str = "") -> None:
        super().__init__(parent)
        self.model = model
        self._describe = describe
        self.view = read_only_table(model)
        self.view.setAccessibleName(name)  # else named by its section (ui.tabs) or its edit bar
        self.empty = muted_label(empty_text)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.addWidget(self.view)
        self.addWidget(self.empty)
        model.modelReset.connect(self._update)
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)
        self._update()

    def fit_width(self, column: int = 0) -> None:
        """``column`` takes the width the others leave, so the table needs no horizontal scroll bar
        (its text elided; the detail pane shows it whole)."""
        header = self.view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)

    def show_at_least(self, rows: int) -> None:
        """However the window is sized, ``rows`` rows (with the headings and a scroll bar) stay in view."""
        view = self.view
        row = view.verticalHeader().defaultSectionSize()
        height = (view.horizontalHeader().sizeHint().height() + rows * row
                  + view.horizontalScrollBar().sizeHint().height() + 2 * view.frameWidth())
        view.setMinimumHeight(height)
        self.setMinimumHeight(height)

    def _update(self) -> None:
        has_rows = self.model.rowCount() > 0
        self.setCurrentWidget(self.view if has_rows else self.empty)
        if has_rows:
            self.view.resizeColumnsToContents()
            header = self.view.horizontalHeader()
            for column in range(self.model.columnCount()):
                header.resizeSection(column, min(header.sectionSize(column) + 16, self.MAX_COLUMN))

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and self._describe is not None:
            title, details = self._describe(current.data(ObjectRole))
            self.selected.emit(title, details)


#: Alt+these open the menus: a button's access key is never one of them.
MENU_KEYS = frozenset("fevh")


def access_key(text: str, taken: frozenset[str] = MENU_KEYS) -> str:
    """``text`` with an access key (&) before its first letter not ``taken``: "h&andoff"."""
    for position, char in enumerate(text):
        if char.isalpha() and char.lower() not in taken:
            return f"{text[:position]}&{text[position:]}"
    return text


class EditBar(QWidget):
    """Add / Edit / Delete under a table; double-click edits and the Delete key deletes."""

    def __init__(self, table: Table, noun: str, add: Callable[[], None],
                 edit: Callable[[int], None], delete: Callable[[int], None]) -> None:
        super().__init__()
        self.table = table
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        self.add_button = QPushButton(f"Add {access_key(noun)}…")
        self.add_button.setToolTip(f"Add a {noun} (Insert in the table)")
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setAccessibleName(f"Edit the selected {noun}")
        self.edit_button.setToolTip(f"Edit the selected {noun} (Enter or double-click in the table)")
        self.delete_button = QPushButton("Delete")
        self.delete_button.setAccessibleName(f"Delete the selected {noun}")
        self.delete_button.setToolTip(f"Delete the selected {noun} (Delete in the table; Ctrl+Z undoes it)")
        if not table.view.accessibleName():
            table.view.setAccessibleName(f"{noun[:1].upper()}{noun[1:]}s")
        table.view.setAccessibleDescription(
            f"Enter edits the selected {noun}, Insert adds one, Delete deletes it")
        self.add_button.clicked.connect(add)
        self.edit_button.clicked.connect(lambda: self._with_row(edit))
        self.delete_button.clicked.connect(lambda: self._with_row(delete))
        for button in (self.add_button, self.edit_button, self.delete_button):
            layout.addWidget(button)
        layout.addStretch(1)
        self._extra_at = 3
        table.view.doubleClicked.connect(lambda index: edit(index.row()))
        shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), table.view)
        shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        shortcut.activated.connect(lambda: self._with_row(delete))
        keyboard.enter_opens(table.view, edit)
        keyboard.on_keys(table.view, ("Insert",), add)
        table.view.selectionModel().currentRowChanged.connect(lambda *_: self._update())
        table.model.modelReset.connect(self._update)
        self._update()

    def add_extra(self, button: QPushButton) -> QPushButton:
        """Another button for this table, after Delete."""
        layout = self.layout()
        assert isinstance(layout, QHBoxLayout)
        layout.insertWidget(self._extra_at, button)
        self._extra_at += 1
        return button

    def _with_row(self, action: Callable[[int], None]) -> None:
        index = self.table.view.currentIndex()
        if index.isValid():
            action(index.row())

    def _update(self) -> None:
        has_row = self.table.view.currentIndex().isValid()
        self.edit_button.setEnabled(has_row)
        self.delete_button.setEnabled(has_row)


class InfoForm(QGroupBox):
    """A titled, read-only form of label: value rows whose values can be selected and copied."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.form = QFormLayout(self)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.form.setHorizontalSpacing(16)
        self.form.setVerticalSpacing(8)
        self._values: dict[str, QLabel] = {}

    def add_row(self, key: str, caption: str) -> None:
        value = plain_label(QLabel())
        value.setWordWrap(True)
        # Without this a wrapped label keeps its first, narrow size hint and clips its text.
        value.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        value.setMinimumWidth(240)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._values[key] = value
        caption_label = QLabel(f"{caption}:")
        caption_label.setMinimumWidth(190)  # one label column across all the forms of a page
        caption_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.form.addRow(caption_label, value)

    def set_value(self, key: str, text: str) -> None:
        label = self._values[key]
        label.setText(text or NOT_RECORDED)
        theme.mute(label, not text, italic=True)

    def value(self, key: str) -> str:
        return self._values[key].text()


class DetailPane(QFrame):
    """The right-hand pane: everything about whatever is selected, in plain words."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        self.title = plain_label(QLabel())
        self.title.setFont(theme.scaled_font(self.title, 1.3, bold=True))
        self.title.setWordWrap(True)
        # a long unbroken word (a URL, a pasted code) is cut at the pane's edge, not widening it
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.body = QTextBrowser()
        self.body.setOpenLinks(False)
        self.body.setFrameShape(QFrame.Shape.NoFrame)
        self.body.setAccessibleName("Details")
        self.body.setAccessibleDescription("Everything about the row selected")
        layout.addWidget(self.title)
        layout.addWidget(self.body, 1)
        self.clear()

    def clear(self) -> None:
        self.title.setText("Details")
        self.body.setHtml("<p style='color:#5f6368'>Select a row to see everything about it here.</p>")

    def show_details(self, title: str, details: Sequence[tuple[str, str]]) -> None:
        self.title.setText(title)
        # each label above its value, so long evidence uses the pane's whole width
        blocks = "".join(
            f"<p style='margin:8px 0 0 0; color:{theme.MUTED}; font-size:small'>{html.escape(key)}</p>"
            f"<p style='margin:1px 0 0 0'>{html.escape(value or NOT_RECORDED).replace(chr(10), '<br>')}</p>"
            for key, value in details)
        self.body.setHtml(blocks)

    def text(self) -> str:
        return self.body.toPlainText()
