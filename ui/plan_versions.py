"""Agreed versions of the care plan: read any of them, compare it with the plan now, print it."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from planner import careplan, describe
from planner.dates import format_day
from planner.model import Case
from ui.print_plan import plan_html, print_with_preview

NOW = -1


def changes_html(changes: list[careplan.Change], number: int) -> str:
    """What changed since version ``number``, as a short HTML list (every text escaped)."""
    if not changes:
        return f"<p>The plan reads exactly as version {number} did.</p>"
    items = []
    for change in changes:
        details = "".join(f"<li>{html.escape(d)}</li>" for d in change.details)
        what = describe.inline(change.what) if change.what != "If I become unwell" else change.what
        items.append(f"<li><b>{html.escape(change.kind.capitalize())}</b> {html.escape(what)}: "
                     f"{html.escape(change.text)}{f'<ul>{details}</ul>' if details else ''}</li>")
    count = len(changes)
    return (f"<h3>{count} change{'s' if count != 1 else ''} since version {number}</h3>"
            f"<ul>{''.join(items)}</ul>")


class VersionsDialog(QDialog):
    def __init__(self, case: Case, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.case = case
        self.setWindowTitle(f"Care plan versions: {case.display_title}")
        self.resize(1000, 720)
        self.list = QListWidget()
        self.list.setAccessibleName("Versions of the plan")
        self.list.setSpacing(4)
        held = careplan.record(case)
        plan = careplan.printable_plan(case)
        state = f"Changed since version {plan.changed_since}" if plan.changed_since else plan.version_text
        now = QListWidgetItem(f"The plan now\n{state}")
        now.setData(Qt.ItemDataRole.UserRole, NOW)
        self.list.addItem(now)
        for version in sorted(held.plan_versions, key=lambda v: v.version, reverse=True):
            item = QListWidgetItem(f"Version {version.version}\nagreed {format_day(version.agreed_on)} by "
                                   f"{len(version.sign_offs)} "
                                   f"{'person' if len(version.sign_offs) == 1 else 'people'}")
            item.setData(Qt.ItemDataRole.UserRole, version.version)
            self.list.addItem(item)
        self.view = QTextBrowser()
        self.view.setAccessibleName("The version chosen")
        self.view.setOpenLinks(False)
        self.heading = QLabel()
        self.compare_button = QPushButton("&Compare with the plan now")
        self.compare_button.setCheckable(True)
        self.print_button = QPushButton("&Print this version…")
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.heading)
        right_layout.addWidget(self.view, 1)
        row = QHBoxLayout()
        row.addWidget(self.compare_button)
        row.addWidget(self.print_button)
        row.addStretch(1)
        right_layout.addLayout(row)
        splitter = QSplitter()
        splitter.addWidget(self.list)
        splitter.addWidget(right)
        splitter.setSizes([260, 740])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        self.list.currentRowChanged.connect(lambda _row: self.show_selected())
        self.compare_button.toggled.connect(lambda _on: self.show_selected())
        self.print_button.clicked.connect(self.print_selected)
        self.list.setCurrentRow(1 if self.list.count() > 1 else 0)

    def selected(self) -> int | None:
        item = self.list.currentItem()
        if item is None:
            return None
        number = item.data(Qt.ItemDataRole.UserRole)
        return None if number == NOW else int(number)

    def show_selected(self) -> None:
        number = self.selected()
        self.compare_button.setEnabled(number is not None)
        if number is None:
            plan = careplan.printable_plan(self.case)
            if plan.changed_since is None:
                self.heading.setText("<b>The plan now</b>")
                self.view.setHtml(plan_html(plan))
                return
            # agreed as it reads, but with other people: say so first, then the plan as it prints
            since = plan.changed_since
            self.heading.setText(f"<b>The plan now</b>: changed since version {since}")
            changes = changes_html(careplan.team_changes(self.case, since), since)
            self.view.setHtml(plan_html(plan).replace("<body>", "<body>" + changes, 1))
            return
        if self.compare_button.isChecked():
            self.heading.setText(f"<b>What has changed since version {number}</b>")
            self.view.setHtml(changes_html(careplan.compare_with_draft(self.case, number), number))
        else:
            self.heading.setText(f"<b>Version {number}</b>, as agreed")
            self.view.setHtml(plan_html(careplan.printable_plan(self.case, number)))

    def print_selected(self) -> None:
        print_with_preview(self, careplan.printable_plan(self.case, self.selected()))
