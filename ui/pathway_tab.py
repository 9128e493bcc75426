"""The Pathway tab: the timeline of steps and the handoffs between them, each step with its
findings; one selection shared with the map and the findings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Signal
from PySide6.QtWidgets import QAbstractItemView, QVBoxLayout, QWidget

from planner import describe
from planner.dates import format_day
from planner.model import Handoff, Step
from planner.reference import label
from planner.rules.catalogue import severity_symbol
from ui.case_tab import CaseTab, sections
from ui.models import Column, ColumnModel
from ui.widgets import Details, Table, muted_label

if TYPE_CHECKING:
    from planner.rules import Finding


class PathwayTab(CaseTab):
    title = "Timeline"
    key = "timeline"
    #: Step ids the user selected in the timeline (shared with the map).
    steps_selected = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = muted_label("")
        org_name = self._org_name
        self.steps_model: ColumnModel[Step] = ColumnModel([
            Column("Date", lambda s: format_day(s.start)),
            Column("What happened", lambda s: s.label or label("kind", s.kind)),
            Column("Organisation", lambda s: org_name(s.organisation)),
            Column("Stage", lambda s: label("stage", s.stage)),
            Column("Kind", lambda s: label("kind", s.kind) + (" (emergency)" if s.emergency else "")),
            Column("How long", describe.duration),
            Column("Setting", lambda s: label("setting", s.setting)),
            Column("Funding", lambda s: label("funding", s.funding)),
            Column("Delay", describe.delay),
            Column("Findings", self._findings_text, tooltip=self._findings_tooltip),
        ])
        self.steps = Table(self.steps_model, "No steps yet: the pathway is empty.", self._step_details)
        # a finding's steps are selected together
        self.steps.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.steps.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.handoffs_model: ColumnModel[Handoff] = ColumnModel([
            Column("From", lambda h: self._step_name(h.source)),
            Column("To", lambda h: self._step_name(h.target)),
            Column("How information went across", lambda h: label("method", h.method or "unknown")),
            Column("Named receiver", lambda h: self._member_name(h.named_receiver) or "None named"),
            Column("Notes", lambda h: h.notes or ""),
        ])
        self.handoffs = Table(self.handoffs_model, "No handoffs recorded between steps.",
                              self._handoff_details)
        self.tables = [self.steps, self.handoffs]
        steps = self.editable(self.steps, "steps", "step", self._step_position)
        handoffs = self.editable(self.handoffs, "handoffs", "handoff")
        self.handoffs.show_at_least(2)
        splitter = sections(("Timeline", steps, 3), ("Handoffs", handoffs, 1))
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)

    def _org_name(self, org_id: str) -> str:
        org = self.case.organisation(org_id) if self.case else None
        return org.name if org else org_id

    def _step_position(self, row: int) -> int:
        assert self.case is not None
        return self.position_of(self.case.steps, self.steps_model.row_object(row))  # type: ignore[arg-type]

    def _step_findings(self, step: Step) -> list[Finding]:
        if self.analysis is None:
            return []
        return [f for f in self.analysis.report.active() if step.id in f.steps]

    def _findings_text(self, step: Step) -> str:
        """Severity marks with counts, e.g. "▲2 ◆1": shape and number, never colour alone."""
        found = self._step_findings(step)
        counts = {s: sum(1 for f in found if f.severity == s) for s in ("high", "medium", "low")}
        return " ".join(f"{severity_symbol(s)}{n}" for s, n in counts.items() if n)

    def _findings_tooltip(self, step: Step) -> str:
        return "\n".join(f"{f.rule} {f.title}" for f in self._step_findings(step))

    def _selection_changed(self, *_args: object) -> None:
        if self._selecting:
            return
        rows = self.steps.view.selectionModel().selectedRows()
        self.steps_selected.emit([self.steps_model.row_object(i.row()).id for i in rows])

    _selecting = False

    def select_steps(self, step_ids: list[str]) -> None:
        """Select the rows of these steps in the timeline (a finding's steps)."""
        self.ensure_current()
        view = self.steps.view
        selection = QItemSelection()
        first = None
        for row in range(self.steps_model.rowCount()):
            if self.steps_model.row_object(row).id in step_ids:
                left = self.steps_model.index(row, 0)
                right = self.steps_model.index(row, self.steps_model.columnCount() - 1)
                selection.select(left, right)
                first = left if first is None else first
        self._selecting = True  # a selection made elsewhere is not sent back
        try:
            view.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        finally:
            self._selecting = False
        if first is not None:
            view.scrollTo(first)

    def _member_name(self, member_id: str | None) -> str:
        member = self.case.member(member_id) if self.case and member_id else None
        return describe.member_line(member, self.case) if member and self.case else ""

    def _step_name(self, step_id: str) -> str:
        step = self.case.step(step_id) if self.case else None
        if step is None:
            return step_id
        return f"{format_day(step.start_date)}: {step.label or label('kind', step.kind)}"

    def refresh(self) -> None:
        assert self.case is not None
        steps = self.case.ordered_steps()
        self.steps_model.set_rows(steps)
        self.handoffs_model.set_rows(self.case.handoffs)
        if steps:
            first, last = steps[0].start_date, max((s.end_date or s.start_date) for s in steps)
            orgs = len({s.organisation for s in steps})
            self.summary.setText(
                f"{len(steps)} steps at {orgs} organisations, from {format_day(first)} to "
                f"{format_day(last)}. {len(self.case.handoffs)} handoffs recorded.")
        else:
            self.summary.setText("No steps recorded yet.")

    def _step_details(self, step: Step) -> tuple[str, Details]:
        details: Details = [
            ("When", describe.step_period(step)),
            ("Kind", label("kind", step.kind) + (", emergency" if step.emergency else "")),
            ("Stage", label("stage", step.stage)),
            ("Organisation", self._org_name(step.organisation)),
            ("Setting", label("setting", step.setting)),
            ("Funding", label("funding", step.funding)),
        ]
        if step.kind == "admission":
            details += [("Ready for discharge", format_day(step.ready_for_discharge)),
                        ("Delay", describe.delay(step) or "None")]
            if step.delayed_days:
                attribution = step.delay_attribution
                who = label("delay_attribution", attribution) if attribution else "Not recorded"
                details.append(("Delay attributed to", who))
        optional = [("Assessment of", label("assessment_domain", step.assessment_domain)),
                    ("Service", step.service_line or ""), ("Contract", step.contract or ""),
                    ("Continuing Healthcare", label("chc_status", step.chc_status)),
                    ("Permanent placement", describe.yes_no(step.permanent, "")),
                    ("Notes", step.notes or "")]
        details += [(k, v) for k, v in optional if v]
        return step.label or label("kind", step.kind), details

    def _handoff_details(self, handoff: Handoff) -> tuple[str, Details]:
        return "Handoff", [
            ("From", self._step_name(handoff.source)), ("To", self._step_name(handoff.target)),
            ("How", label("method", handoff.method or "unknown")),
            ("Named receiver", self._member_name(handoff.named_receiver) or "None named"),
            ("Notes", handoff.notes or ""),
        ]
