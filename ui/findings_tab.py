"""The Findings tab: regulatory misalignment findings grouped by severity, the team's
annotations, and the measures computed from the timeline.

Findings are derived, never stored: the tab shows ``Analysis`` results for the open case and
emits ``annotations_changed`` with the case's new annotation list when the team confirms, sets
aside or comments on a finding; the main window stores it and recomputes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from planner import costs
from planner.model import Annotation, Case
from planner.reference import label
from planner.rules.catalogue import rule as rule_info
from planner.rules.catalogue import severity_label
from ui import theme
from ui.keyboard import ask_text
from ui.models import Column, ColumnModel, ObjectRole
from ui.plaintext import literal
from ui.tabs import CaseTab, _section
from ui.widgets import Details, Table, muted_label

if TYPE_CHECKING:
    from planner.analysis import Analysis
    from planner.rules import Finding
    from planner.unit_costs import LocalUnitCosts

Index = QModelIndex | QPersistentModelIndex
_NO_INDEX = QModelIndex()
_GROUP = 0xFFFF  # internal id of a group row


def _is_finding(item: Any) -> bool:
    """Rows are findings, or annotations whose finding no longer fires (the engine loads lazily,
    so this tells them apart without importing it)."""
    return item is not None and not isinstance(item, Annotation)


@dataclass
class Group:
    """A rule with its occurrences, or the annotations whose finding no longer fires (rule None)."""

    title: str
    rows: list[Any]  # Finding, or Annotation for "no longer fires"
    rule: str | None = None
    severity: str | None = None
    key_rank: int | None = None
    pinned: bool | None = None


ORPHANS = "Annotations whose finding no longer fires"


class FindingsModel(QAbstractItemModel):
    """Two levels: each rule that fired (the key findings first, then by rank), with its
    occurrences beneath; last, the annotations whose finding no longer fires."""

    HEADERS = ("Finding", "Key", "Occurrences", "Team")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.groups: list[Group] = []
        self.case: Case | None = None
        self.analysis: Analysis | None = None

    def set_analysis(self, analysis: Analysis | None, case: Case | None = None) -> None:
        self.beginResetModel()
        self.groups = []
        self.analysis, self.case = analysis, case
        if analysis is not None:
            for rule in analysis.key.groups:
                self.groups.append(Group(f"{rule.rule} {rule.title}", list(rule.occurrences), rule.rule,
                                         rule.severity, rule.key_rank, rule.pinned))
            if analysis.report.orphaned:
                self.groups.append(Group(ORPHANS, list(analysis.report.orphaned)))
        self.endResetModel()

    # -- structure -------------------------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = _NO_INDEX) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, _GROUP)
        return self.createIndex(row, column, parent.row())

    def parent(self, index: Index = _NO_INDEX) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == _GROUP:
            return QModelIndex()
        return self.createIndex(int(index.internalId()), 0, _GROUP)

    def rowCount(self, parent: Index = _NO_INDEX) -> int:
        if not parent.isValid():
            return len(self.groups)
        if parent.internalId() == _GROUP and parent.column() == 0:
            return len(self.groups[parent.row()].rows)
        return 0

    def columnCount(self, parent: Index = _NO_INDEX) -> int:
        return len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def group(self, index: Index) -> Group | None:
        """The group of a group row, else None."""
        if not index.isValid() or index.internalId() != _GROUP:
            return None
        return self.groups[index.row()]

    def item(self, index: Index) -> Any:
        """The Finding or Annotation behind a row, or None for a group row."""
        if not index.isValid() or index.internalId() == _GROUP:
            return None
        return self.groups[int(index.internalId())].rows[index.row()]

    # -- content ---------------------------------------------------------------------------
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if index.internalId() == _GROUP:
            return self._group_data(self.groups[index.row()], index.column(), role)
        item = self.item(index)
        if role == ObjectRole:
            return item
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(item, index.column())
        if role == Qt.ItemDataRole.ToolTipRole and _is_finding(item):
            return literal(item.evidence)
        if role == Qt.ItemDataRole.ForegroundRole and _is_finding(item) and item.set_aside:
            return QBrush(QColor(theme.MUTED))  # set aside: still listed, greyed (and said in Team)
        return None

    def _group_data(self, group: Group, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return group.title
            if group.rule is None:
                return f"{len(group.rows)}" if column == 2 else ""
            active = [f for f in group.rows if not f.set_aside]
            if column == 1:
                rank = f"Key {group.key_rank}" if group.key_rank else ""
                return f"{rank} (pinned)" if group.pinned and rank else rank
            if column == 2:
                aside = len(group.rows) - len(active)
                return f"{len(group.rows)}" + (f" ({aside} set aside)" if aside else "")
            if column == 3:
                if not active:
                    return "All set aside"
                return "Taken off the key findings" if group.pinned is False else ""
            return None
        if role == Qt.ItemDataRole.FontRole and (column == 0 or group.key_rank):
            return theme.bold_font()
        if role == Qt.ItemDataRole.DecorationRole and column == 0 and group.severity:
            return theme.severity_icon(group.severity)
        if role == Qt.ItemDataRole.ToolTipRole and column == 0 and group.rule is not None:
            return f"{severity_label(group.severity or '')}: {rule_info(group.rule).explains}"
        return None

    def step_names(self, step_ids: list[str]) -> str:
        """The steps of a finding by date and label, never by id."""
        from planner import describe

        if self.case is None:
            return ""
        return "; ".join(describe.steps_named(self.case, step_ids))

    def _text(self, item: Any, column: int) -> str:
        if _is_finding(item):
            finding: Finding = item
            note = finding.annotation
            team = label("annotation_status", note.status) if note else ""
            inferred = "Handoff not recorded" if self.analysis and self.analysis.key.derived(finding) else ""
            return [self.step_names(finding.steps) or "The case as a whole", "", inferred, team][column]
        orphan: Annotation = item
        return [f"{orphan.rule} {rule_info(orphan.rule).title}: "
                f"{self.step_names(orphan.steps) or 'the case as a whole'}", "", "",
                label("annotation_status", orphan.status)][column]


class FindingsTab(CaseTab):
    title = "Findings"
    key = "findings"

    #: The case's annotations after the team changed them, and what changed (for Undo's text).
    annotations_changed = Signal(object, str)
    #: (rule, True to pin it as key / False to take it off / None for the ranking, Undo's text).
    pin_changed = Signal(str, object, str)
    #: The step ids of the finding now selected (to select them in the pathway view).
    steps_selected = Signal(object)
    #: (title, details) for the detail pane.
    selected = Signal(str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: The areas' own unit costs (set by the main window from the database); None: national only.
        self.unit_costs: LocalUnitCosts | None = None
        self.summary = muted_label("")
        self.model = FindingsModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setAccessibleName("Findings")
        self.tree.setAccessibleDescription("Each rule that fired, the key findings first, with its "
                                           "occurrences beneath; the buttons below annotate the selected one")
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.tree.header()
        header.setFont(theme.scaled_font(header, 1.0, bold=True))
        header.setStretchLastSection(False)  # the finding and its steps take the width, not "Team"
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, self.model.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.selectionModel().currentRowChanged.connect(self._current_changed)

        self.confirm_button = QPushButton("&Confirm")
        self.confirm_button.setToolTip("The team agrees this finding describes the case")
        self.set_aside_button = QPushButton("Set &aside…")
        self.set_aside_button.setToolTip("Set the finding aside, with a reason; it stays visible")
        self.comment_button = QPushButton("Co&mment…")
        self.clear_button = QPushButton("&Remove annotation")
        self.confirm_button.clicked.connect(self.confirm)
        self.set_aside_button.clicked.connect(self.set_aside)
        self.comment_button.clicked.connect(self.comment)
        self.clear_button.clicked.connect(self.remove_annotations)
        self.pin_button = QPushButton("&Pin as key")
        self.pin_button.setToolTip("Make the selected rule one of the key findings, whatever its rank")
        self.unpin_button = QPushButton("Take off &key")
        self.unpin_button.setToolTip("Keep the selected rule out of the key findings, whatever its rank")
        self.rank_button = QPushButton("Follow the ranki&ng")
        self.rank_button.setToolTip("Let the ranking decide again whether the rule is a key finding")
        self.pin_button.clicked.connect(lambda: self.pin(True))
        self.unpin_button.clicked.connect(lambda: self.pin(False))
        self.rank_button.clicked.connect(lambda: self.pin(None))
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Team's view of the selected finding:"))
        for button in (self.confirm_button, self.set_aside_button, self.comment_button, self.clear_button):
            bar.addWidget(button)
        bar.addStretch(1)
        key_bar = QHBoxLayout()  # a row of its own: the tab stays narrow enough for a laptop's screen
        key_bar.addWidget(QLabel("Key findings:"))
        for button in (self.pin_button, self.unpin_button, self.rank_button):
            key_bar.addWidget(button)
        key_bar.addStretch(1)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.tree, 1)
        top_layout.addLayout(bar)
        top_layout.addLayout(key_bar)

        self.measures_model: ColumnModel[tuple[str, str]] = ColumnModel([
            Column("Measure", lambda row: row[0]), Column("Value", lambda row: row[1])])
        self.measures = Table(self.measures_model, "No steps to measure yet.",
                              lambda row: (row[0], [("Value", row[1])]), name="Measures")
        self.costs_model: ColumnModel[tuple[str, str]] = ColumnModel([
            Column("Cost of care", lambda row: row[0]), Column("Estimate", lambda row: row[1])])
        self.costs = Table(self.costs_model, "No step could be costed.",
                           lambda row: (row[0].strip(), [("Estimate", row[1])]), name="Cost of care")
        self.tables = [self.measures, self.costs]
        self.figures = QTabWidget()  # each table the tab's full width, one click away
        self.figures.addTab(self.measures, "Measures")
        self.figures.addTab(self.costs, "Cost of care")
        self.figures.setDocumentMode(True)
        self.figures.setAccessibleName("Measures and cost of care")
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(_section("Findings", top))
        splitter.addWidget(self.figures)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([460, 300])
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        self._update_buttons()

    # -- showing ---------------------------------------------------------------------------
    def refresh(self) -> None:
        assert self.case is not None
        key = self._current_key()
        self.model.set_analysis(self.analysis, self.case)
        # the key findings open, every other rule one row with its count (open it to see them)
        for row, group in enumerate(self.model.groups):
            self.tree.setExpanded(self.model.index(row, 0), group.key_rank is not None or group.rule is None)
        self.measures_model.set_rows(self.analysis.measures.rows() if self.analysis else [])
        # the unit costs of the case's area where it has set its own (Edit › Unit costs), else national
        self.costs_model.set_rows(costs.rows(costs.costs_for(self.case, self.unit_costs)))
        self._summarise()
        if key is not None:
            self.select_finding(*key)
        self._update_buttons()

    def _summarise(self) -> None:
        if self.analysis is None:
            self.summary.setText("")
            return
        report = self.analysis.report
        aside = sum(1 for f in report.findings if f.set_aside)
        text = f"Findings to discuss: {self.analysis.key.in_words()}, the key findings first"
        if aside:
            text += f"  ·  {aside} set aside"
        if report.orphaned:
            text += f"  ·  {len(report.orphaned)} annotation(s) no longer match a finding"
        self.summary.setText(text if report.findings or report.orphaned
                             else "No regulatory misalignment found on this case.")

    # -- selection -------------------------------------------------------------------------
    def current(self) -> Any:
        return self.model.item(self.tree.currentIndex())

    def _current_key(self) -> tuple[str, frozenset[str]] | None:
        item = self.current()
        if _is_finding(item):
            finding: Finding = item
            return finding.key
        return None

    def select_first(self) -> None:
        """The strongest occurrence of the first key finding (else the first finding)."""
        if self.analysis is None or not self.analysis.report.findings:
            return
        groups = self.analysis.key.groups
        first = groups[0].strongest if groups and groups[0].strongest else self.analysis.report.findings[0]
        self.select_finding(*first.key)

    def select_finding(self, rule: str, steps: frozenset[str]) -> bool:
        for group_row, group in enumerate(self.model.groups):
            for row, item in enumerate(group.rows):
                if _is_finding(item) and item.key == (rule, frozenset(steps)):
                    index = self.model.index(row, 0, self.model.index(group_row, 0))
                    self.tree.setCurrentIndex(index)
                    self.tree.scrollTo(index)
                    return True
        return False

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        item = self.model.item(current)
        self._update_buttons()
        group = self.model.group(current)
        if group is not None and group.rule is not None:
            self.selected.emit(group.title, self._rule_details(group))
            steps = sorted({s for f in group.rows for s in f.steps})
            self.steps_selected.emit(steps)
        elif _is_finding(item):
            self.selected.emit(f"{item.rule} {item.title}", self._finding_details(item))
            self.steps_selected.emit(list(item.steps))
        elif isinstance(item, Annotation):
            self.selected.emit(f"{item.rule} {rule_info(item.rule).title}", [
                ("State", "This annotation's finding no longer fires on the case as it is now."),
                ("Steps", self._step_names(item.steps) or "The case as a whole"),
                ("Team", label("annotation_status", item.status)), ("Comment", item.comment or "")])

    def _step_names(self, step_ids: list[str]) -> str:
        """The steps, one a line, by date, time and label (never by id)."""
        from planner import describe

        assert self.case is not None
        return "\n".join(describe.steps_named(self.case, step_ids, with_time=True))

    def _finding_details(self, finding: Finding) -> Details:
        assert self.case is not None
        orgs = [self.case.organisation(o) for o in finding.organisations]
        details: Details = [
            ("Severity", severity_label(finding.severity)),
            ("Evidence", finding.evidence),
            ("Steps", self._step_names(finding.steps) or "The case as a whole"),
            ("Organisations", "\n".join(o.name for o in orgs if o)),
            ("Regulators", "\n".join(label("regulator", r) for r in finding.regulators) or "None"),
            ("Question for the regulators", finding.question),
            (f"What rule {finding.rule} looks for", self.words(rule_info(finding.rule).explains)),
        ]
        for note in finding.annotations:
            details.append((f"Team: {label('annotation_status', note.status)}", self._note_words(note)))
        return details

    def _note_words(self, note: Annotation) -> str:
        """The comment, and who made the annotation and when (when recorded)."""
        from planner.annotating import made
        from planner.dates import format_day

        assert self.case is not None
        who = made(self.case, note)
        said = note.comment or ""
        if who is not None:
            said += ("\n" if said else "") + f"By {who.by}, {format_day(who.at)}"
        return said

    def _rule_details(self, group: Group) -> Details:
        """A rule's row: what it looks for, its question, its occurrences, and the team's pin."""
        from planner.annotating import pins
        from planner.dates import format_day

        assert self.case is not None and group.rule is not None
        active = [f for f in group.rows if not f.set_aside]
        details: Details = [
            ("Severity", severity_label(group.severity or "")),
            ("Key finding", f"Key finding {group.key_rank}" if group.key_rank
             else "Not among the key findings"),
            ("Occurrences", f"{len(group.rows)}, {len(group.rows) - len(active)} set aside"
                            if len(active) != len(group.rows) else str(len(group.rows))),
            ("Question for the regulators", group.rows[0].question),
            (f"What rule {group.rule} looks for", self.words(rule_info(group.rule).explains)),
        ]
        pin = pins(self.case).latest.get(group.rule)
        if pin is not None:
            what = "Pinned as a key finding" if pin.key else "Taken off the key findings"
            details.append(("Team", f"{what} by {pin.by}, {format_day(pin.at)}"))
        return details

    def _targets(self) -> list[Finding]:
        """The occurrences the team's buttons act on: the selected one, or every occurrence of the
        selected rule."""
        item = self.current()
        if _is_finding(item):
            return [item]
        group = self.model.group(self.tree.currentIndex())
        if group is not None and group.rule is not None:
            return list(group.rows)
        return []

    def reshow(self) -> None:
        """Show the selected row in the detail pane again (after an edit recomputed the findings)."""
        self._current_changed(self.tree.currentIndex(), QModelIndex())

    def _rule(self) -> Group | None:
        """The rule of the selected row (a rule's row or one of its occurrences), or None."""
        index = self.tree.currentIndex()
        group = self.model.group(index)
        if group is None and index.isValid() and index.internalId() != _GROUP:
            group = self.model.groups[int(index.internalId())]
        return group if group is not None and group.rule is not None else None

    def _update_buttons(self) -> None:
        item = self.current()
        targets = self._targets()
        for button in (self.confirm_button, self.set_aside_button, self.comment_button):
            button.setEnabled(bool(targets))
        self.clear_button.setEnabled(
            isinstance(item, Annotation) or any(f.annotations for f in targets))
        rule = self._rule()
        self.pin_button.setEnabled(rule is not None and rule.pinned is not True)
        self.unpin_button.setEnabled(rule is not None and rule.pinned is not False)
        self.rank_button.setEnabled(rule is not None and rule.pinned is not None)

    def pin(self, key: bool | None) -> None:
        """Pin the selected rule as a key finding, take it off them, or leave it to the ranking."""
        rule = self._rule()
        if rule is None or rule.rule is None:
            return
        text = {True: "Pin {} as a key finding", False: "Take {} off the key findings",
                None: "Let the ranking decide on {}"}[key].format(rule.rule)
        self.pin_changed.emit(rule.rule, key, text)

    # -- annotating ------------------------------------------------------------------------
    def _with(self, findings: list[Finding], status: str, comment: str | None,
              replace_decision: bool) -> list[Annotation]:
        """The case's annotations with one of ``status`` added for each of ``findings``."""
        assert self.case is not None
        keys = {f.key for f in findings}
        kept = [a for a in self.case.annotations
                if not (replace_decision and a.status != "comment"
                        and (a.rule, frozenset(a.steps)) in keys)]
        return [*kept, *(Annotation(rule=f.rule, status=status, steps=list(f.steps), comment=comment)
                         for f in findings)]

    @staticmethod
    def _what(findings: list[Finding]) -> str:
        """Undo's words: "finding M07", or "M03 (8 occurrences)"."""
        if len(findings) == 1:
            return f"finding {findings[0].rule}"
        return f"{findings[0].rule} ({len(findings)} occurrences)"

    def confirm(self) -> None:
        findings = self._targets()
        if findings:
            self.annotations_changed.emit(self._with(findings, "confirmed", None, replace_decision=True),
                                          f"Confirm {self._what(findings)}")

    def set_aside(self) -> None:
        findings = self._targets()
        if not findings:
            return
        whole = f" (all {len(findings)} occurrences)" if len(findings) > 1 else ""
        reason = ask_text(self, "Set the finding aside",
                          f"Why does the team set aside “{findings[0].title}”{whole}?\n"
                          "The finding stays visible, with this reason.", accept_text="Set aside")
        if reason is None:
            return
        if not reason.strip():
            QMessageBox.information(self, "Reason needed", "A finding can only be set aside with a reason.")
            return
        notes = self._with(findings, "set_aside", reason.strip(), replace_decision=True)
        self.annotations_changed.emit(notes, f"Set aside {self._what(findings)}")

    def comment(self) -> None:
        findings = self._targets()
        if not findings:
            return
        whole = f" (all {len(findings)} occurrences)" if len(findings) > 1 else ""
        text = ask_text(self, "Comment on the finding", f"Comment on “{findings[0].title}”{whole}:",
                        accept_text="Add comment")
        if text is not None and text.strip():
            notes = self._with(findings, "comment", text.strip(), replace_decision=False)
            self.annotations_changed.emit(notes, f"Comment on {self._what(findings)}")

    def remove_annotations(self) -> None:
        assert self.case is not None
        item = self.current()
        findings = self._targets()
        notes = [note for f in findings for note in f.annotations]
        if isinstance(item, Annotation):
            remaining = [a for a in self.case.annotations if a is not item]
            rule = item.rule
        elif notes:
            answer = QMessageBox.question(
                self, "Remove the team's annotations",
                literal(f"Remove the team's {len(notes)} annotation(s) of “{findings[0].title}”?"))
            if answer != QMessageBox.StandardButton.Yes:
                return
            remaining = [a for a in self.case.annotations if all(a is not b for b in notes)]
            rule = findings[0].rule
        else:
            return
        self.annotations_changed.emit(remaining, f"Remove annotation of {rule}")
