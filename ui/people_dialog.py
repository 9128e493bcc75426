"""Choosing a person already known on other cases, to add to the open case's team."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QPushButton, QVBoxLayout, QWidget

from db.database import Database
from db.people import KnownPerson, PeopleDirectory
from planner.reference import label
from ui import keyboard
from ui.models import Column, ColumnModel
from ui.widgets import muted_label, read_only_table


class PeopleBrowser(QDialog):
    """Search the people on other cases' teams; ``chosen`` holds the one picked after Accepted."""

    def __init__(self, database: Database, exclude_case: int | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self.exclude_case = exclude_case
        self.chosen: KnownPerson | None = None
        self.setWindowTitle("Add a team member known on other cases")
        self.resize(900, 520)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search by name, role, contact or organisation")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search people on other cases")
        self.search.setAccessibleDescription("By name, role, contact or organisation; Down moves to the "
                                             "people found, Enter adds the one selected")
        self.model: ColumnModel[KnownPerson] = ColumnModel([
            Column("Name", lambda p: p.name),
            Column("Role", lambda p: label("role", p.role)),
            Column("Organisation", lambda p: p.organisation_name),
            Column("Contact", lambda p: p.contact or ""),
            Column("Professional register", lambda p: label("professional_register", p.professional_register)
                   if p.professional_register else ""),
            Column("Cases", lambda p: str(p.cases)),
        ])
        self.view = read_only_table(self.model)
        self.view.setAccessibleName("People on other cases")
        keyboard.enter_opens(self.view, lambda _row: self._choose())
        keyboard.on_keys(self.search, ("Down",), self.view.setFocus)
        for column, width in enumerate((200, 170, 220, 200, 150)):
            self.view.horizontalHeader().resizeSection(column, width)
        self.count = muted_label("")
        self.buttons = QDialogButtonBox()
        self.add_button: QPushButton = self.buttons.addButton("Add to the team",
                                                              QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._choose)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count)
        layout.addWidget(self.buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.view.doubleClicked.connect(lambda _i: self._choose())
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._update())
        self.refresh()
        self.search.setFocus()  # typing searches at once

    def refresh(self) -> None:
        with self.database.session() as session:
            people = PeopleDirectory(session).search(self.search.text(), self.exclude_case)
        self.model.set_rows(people)
        if people:
            self.view.selectRow(0)
        self.count.setText(f"{len(people)} {'person' if len(people) == 1 else 'people'} on other cases"
                           if people else "Nobody on other cases matches." if self.search.text()
                           else "There are no team members on other cases yet.")
        self._update()

    def _update(self) -> None:
        self.add_button.setEnabled(self.view.currentIndex().isValid())

    def _choose(self) -> None:
        index = self.view.currentIndex()
        if index.isValid():
            self.chosen = self.model.row_object(index.row())
            self.accept()

    @classmethod
    def choose(cls, database: Database, exclude_case: int | None,
               parent: QWidget | None = None) -> KnownPerson | None:
        dialog = cls(database, exclude_case, parent)
        return dialog.chosen if dialog.exec() == QDialog.DialogCode.Accepted else None
