"""The case workspace's tabs: Person, Pathway, Organisations & regulators, Team, Care plan.

Each tab shows one open case (``set_case``) read-only and reports the selected row to the
detail pane through its tables' ``selected`` signals.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from planner import careplan, describe
from planner.dates import format_day
from planner.model import Action, Case, Coordination, Goal, Handoff, Member, Organisation, Step
from planner.reference import is_cqc_registered, label, regulator, regulators_of
from planner.rules.catalogue import severity_symbol
from ui import theme
from ui.models import Column, ColumnModel
from ui.plaintext import plain_label
from ui.widgets import Details, EditBar, InfoForm, Table, muted_label

if TYPE_CHECKING:
    from planner.analysis import Analysis
    from planner.rules import Finding
    from ui.editing import CaseEditor
    from ui.saving import OutputSaver


def _sections(*parts: tuple[str, QWidget, int]) -> QSplitter:
    """Titled sections stacked in a vertical splitter, each (title, widget, stretch factor)."""
    splitter = QSplitter(Qt.Orientation.Vertical)
    for index, (title, widget, stretch) in enumerate(parts):
        splitter.addWidget(_section(title, widget))
        splitter.setStretchFactor(index, stretch)
    return splitter


def _with_bar(table: Table, bar: QWidget) -> QWidget:
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(table, 1)
    layout.addWidget(bar)
    return holder


class _FillingLayout(QVBoxLayout):
    """A column that fills its scroll area's view: without height-for-width, the scroll area sizes
    it to the view (or its minimum), not to the taller height its word-wrapped labels would like."""

    def hasHeightForWidth(self) -> bool:
        return False


def _section(title: str, widget: QWidget) -> QGroupBox:
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
        return _with_bar(table, bar)

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


class PersonTab(CaseTab):
    title = "Person"
    key = "person"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.identity = InfoForm("About the person")
        for key, caption in [("name", "Name"), ("age", "Age"), ("date_of_birth", "Date of birth"),
                             ("sex", "Sex"), ("nhs_number", "NHS number")]:
            self.identity.add_row(key, caption)
        self.home = InfoForm("Home")
        for key, caption in [("area", "Area (local authority)"), ("postcode", "Postcode"),
                             ("living_situation", "Living situation"),
                             ("preferred_place_of_care", "Preferred place of care")]:
            self.home.add_row(key, caption)
        self.health = InfoForm("Health")
        for key, caption in [("conditions", "Long-term conditions"), ("frailty", "Frailty"),
                             ("frailty_assessed", "Assessed")]:
            self.health.add_row(key, caption)
        self.matters = QGroupBox("What matters to the person")
        self.what_matters = plain_label(QLabel())
        self.what_matters.setWordWrap(True)
        self.what_matters.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        QVBoxLayout(self.matters).addWidget(self.what_matters)
        self.consent = InfoForm("Consent to share information")
        for key, caption in [("status", "Consent"), ("scope", "Scope"), ("recorded_on", "Recorded")]:
            self.consent.add_row(key, caption)

        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setSpacing(12)
        self.edit_button = QPushButton("Edit &person…")
        self.edit_button.clicked.connect(lambda: self.editor.edit_person() if self.editor else None)
        top = QHBoxLayout()
        top.addWidget(self.edit_button)
        top.addStretch(1)
        layout.addLayout(top)
        # what matters to the person first: it leads the conversation, and stays in view on a laptop
        for widget in (self.matters, self.identity, self.home, self.health, self.consent):
            theme.titled(widget)
            layout.addWidget(widget)
        self.what_matters.setFont(theme.scaled_font(self.what_matters, 1.2, italic=True))
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(content)
        scroll.setAccessibleName("About the person")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def refresh(self) -> None:
        assert self.case is not None
        person = self.case.person
        self.identity.setTitle(self.words("About {them}"))
        self.home.setTitle(self.words("{Their} home"))
        self.matters.setTitle(self.words("What matters to {them}, in {their} words"))
        self.identity.set_value("name", person.name)
        self.identity.set_value("age", describe.age(person))
        self.identity.set_value("date_of_birth", format_day(person.date_of_birth))
        self.identity.set_value("sex", label("sex", person.sex))
        self.identity.set_value("nhs_number", describe.nhs_number(person))
        self.home.set_value("area", person.area or "")
        self.home.set_value("postcode", person.postcode or "")
        self.home.set_value("living_situation", label("living_situation", person.living_situation))
        self.home.set_value("preferred_place_of_care",
                            label("preferred_place_of_care", person.preferred_place_of_care))
        self.health.set_value("conditions", "\n".join(c[:1].upper() + c[1:] for c in person.conditions))
        self.health.set_value("frailty", describe.frailty(person))
        assessed = ""
        if person.frailty is not None:
            parts = [format_day(person.frailty.assessed_on), person.frailty.assessed_by or ""]
            assessed = ", ".join(p for p in parts if p)
        self.health.set_value("frailty_assessed", assessed)
        missing = self.words("Not recorded yet. Ask {them} what matters most to {them}.")
        self.what_matters.setText(f"“{person.what_matters}”" if person.what_matters else missing)
        theme.mute(self.what_matters, not person.what_matters)
        consent = person.consent
        self.consent.set_value("status", label("consent_status", consent.status) if consent else "")
        self.consent.set_value("scope", consent.scope or "" if consent else "")
        self.consent.set_value("recorded_on", format_day(consent.recorded_on) if consent else "")


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
        splitter = _sections(("Timeline", steps, 3), ("Handoffs", handoffs, 1))
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


class OrganisationsTab(CaseTab):
    title = "Organisations && regulators"
    key = "organisations"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.orgs_model: ColumnModel[Organisation] = ColumnModel([
            Column("Organisation", lambda o: o.name),
            Column("Sector", lambda o: label("sector", o.sector)),
            Column("Area", lambda o: o.area or ""),
            Column("Regulated by", lambda o: describe.regulators(o) + (" (sector default)"
                                                                       if o.regulators is None else "")),
            Column("Paid by", describe.payment),
            Column("CQC rating", lambda o: label("cqc_rating", o.oversight.cqc_rating)
                   if o.oversight else ""),
            Column("Shared record", lambda o: describe.yes_no(o.shared_record_access)),
            Column("Steps", lambda o: str(self._step_count(o.id)), align_right=True),
        ])
        self.orgs = Table(self.orgs_model, "No organisations recorded.", self._org_details)
        self.landscape_model: ColumnModel[tuple[Organisation, str | None]] = ColumnModel([
            Column("Organisation", lambda row: row[0].name),
            Column("Regulator", lambda row: label("regulator", row[1]) if row[1] else "No regulator"),
            Column("Unit assessed", lambda row: regulator(row[1])["unit_label"] if row[1] else "—"),
            Column("Reporting cycle", lambda row: regulator(row[1])["cycle"] if row[1] else "—"),
            Column("Paid by", lambda row: describe.payment(row[0]) or "Not recorded"),
        ])
        self.landscape = Table(self.landscape_model, "No organisations on the pathway yet.",
                               self._landscape_details)
        self.tables = [self.orgs, self.landscape]
        splitter = _sections(("Organisations", self.editable(self.orgs, "organisations", "organisation"), 3),
                             ("Regulatory landscape: who assesses what, how often, and how each is paid",
                              self.landscape, 3))
        self.directory_button = QPushButton("Add from the &directory…")
        self.directory_button.setToolTip("Pick an organisation from the provider directory (ODS and CQC)")
        self.directory_button.clicked.connect(
            lambda: self.editor.add_from_directory() if self.editor else None)
        top = QHBoxLayout()
        top.addWidget(self.directory_button)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter)

    def _step_count(self, org_id: str) -> int:
        return sum(1 for s in self.case.steps if s.organisation == org_id) if self.case else 0

    def refresh(self) -> None:
        assert self.case is not None
        self.orgs_model.set_rows(self.case.organisations)
        unregulated: list[str | None] = [None]  # one row saying so
        self.landscape_model.set_rows([(org, code) for org in self.case.organisations
                                       for code in (regulators_of(org) or unregulated)])

    def _org_details(self, org: Organisation) -> tuple[str, Details]:
        codes = org.codes
        oversight = org.oversight
        details: Details = [
            ("Sector", label("sector", org.sector)), ("Area", org.area or ""),
            ("Regulated by", describe.regulators(org)
             + (" (the sector's usual regulators)" if org.regulators is None else "")),
            ("CQC registered", describe.yes_no(is_cqc_registered(org))),
            ("Paid by", describe.payment(org)
             + (" (the sector's usual model)" if org.payment_model is None else "")),
            ("Funding", label("funding_term", org.funding_term)),
            ("Shared record access", describe.yes_no(org.shared_record_access)),
        ]
        if oversight:
            details += [("CQC rating", label("cqc_rating", oversight.cqc_rating)),
                        ("In financial recovery", describe.yes_no(oversight.financial_recovery)),
                        ("System-level assessment", describe.yes_no(oversight.system_level_assessment))]
        if codes:
            details += [(name, value) for name, value in [
                ("ODS code", codes.ods), ("CQC location", codes.cqc_location),
                ("CQC provider", codes.cqc_provider), ("Charity number", codes.charity_number)] if value]
        return org.name, details

    def _landscape_details(self, row: tuple[Organisation, str | None]) -> tuple[str, Details]:
        org, code = row
        if code is None:
            return org.name, [("Regulator", "No regulator oversees this organisation"),
                              ("Paid by", describe.payment(org))]
        info = regulator(code)
        regulated = [o.name for o in self.case.organisations if code in regulators_of(o)] if self.case else []
        return f"{label('regulator', code)}: {org.name}", [
            ("Assesses", info["assesses"]), ("Unit assessed", info["unit_label"]),
            ("Reporting cycle", info["cycle"]), ("Paid by", describe.payment(org)),
            ("Also regulates here", "\n".join(n for n in regulated if n != org.name))]


class TeamTab(CaseTab):
    title = "Team && coordinator"
    key = "team"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: The case's team record (planner.careplan), read when the case changes.
        self.held = careplan.TeamRecord()
        self.banner = plain_label(QLabel())
        self.banner.setWordWrap(True)
        self.team_model: ColumnModel[Member] = ColumnModel([
            Column("Name", self._name),
            Column("Role", lambda m: label("role", m.role)),
            Column("Organisation", lambda m: self._org_name(m.organisation)),
            Column("Contact", lambda m: m.contact or ""),
            Column("Professional register", lambda m: label("professional_register",
                                                             m.professional_register)),
        ])
        self.team = Table(self.team_model, "No team members yet.", self._member_details)
        self.history_model: ColumnModel[Coordination] = ColumnModel([
            Column("Care coordinator", lambda c: self._member_text(c.member)),
            Column("From", lambda c: format_day(c.start)),
            Column("To", lambda c: format_day(c.end) if c.end else "Now"),
            Column("Why", lambda c: c.reason or ""),
        ])
        self.history = Table(self.history_model, "Nobody has been named as care coordinator.",
                             self._period_details)
        self.tables = [self.team, self.history]
        team_part = self.editable(self.team, "team", "team member")
        history_part = self.editable(self.history, "coordinator", "coordinator period",
                                     self._period_position, lambda editor: editor.assign_coordinator())
        team_bar, history_bar = self.bars["team"], self.bars["coordinator"]
        self.known_button = team_bar.add_extra(QPushButton("Add from other &cases…"))
        self.known_button.setToolTip("Add someone already on another person's team, with their organisation")
        self.known_button.clicked.connect(lambda: self.editor.add_known_person() if self.editor else None)
        self.leave_button = team_bar.add_extra(QPushButton("&Left the team…"))
        self.leave_button.setToolTip("Record that the selected member has left the team "
                                     "(they stay in the coordinator history and earlier plans)")
        self.leave_button.clicked.connect(self._leave_or_return)
        self.team.view.selectionModel().currentRowChanged.connect(lambda *_: self._update_leave())
        self.team_model.modelReset.connect(self._update_leave)
        history_bar.add_button.setText("&Assign coordinator…")
        history_bar.add_button.setToolTip("Name the new care coordinator: the current holder's period "
                                          "ends that day")
        splitter = _sections(("The team", team_part, 3), ("Care coordinator history", history_part, 1))
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)
        self._update_leave()

    def _selected_member(self) -> Member | None:
        index = self.team.view.currentIndex()
        return self.team_model.row_object(index.row()) if index.isValid() else None

    def _update_leave(self) -> None:
        member = self._selected_member()
        gone = member is not None and self.held.departure(member.id) is not None
        self.leave_button.setText("&Back on the team" if gone else "&Left the team…")
        self.leave_button.setEnabled(member is not None)

    def _leave_or_return(self) -> None:
        member = self._selected_member()
        if member is None or self.editor is None or self.case is None:
            return
        if self.held.departure(member.id) is not None:
            self.editor.member_returns(member.id)
        else:
            self.editor.member_leaves(member.id)

    def _name(self, member: Member) -> str:
        text = member.name
        if self._is_coordinator(member):
            text += "  ★ coordinator"
        departure = self.held.departure(member.id)
        if departure is not None:
            text += f"  (left the team {format_day(departure.on)})"
        return text

    def _org_name(self, org_id: str | None) -> str:
        org = self.case.organisation(org_id) if self.case and org_id else None
        return org.name if org else ""

    def _period_position(self, row: int) -> int:
        assert self.case is not None
        return self.position_of(self.case.coordinator, self.history_model.row_object(row))  # type: ignore[arg-type]

    def _member_text(self, member_id: str) -> str:
        member = self.case.member(member_id) if self.case else None
        return f"{member.name} ({label('role', member.role)})" if member else member_id

    def _is_coordinator(self, member: Member) -> bool:
        current = self.case.current_coordinator() if self.case else None
        return current is not None and current.member == member.id

    def refresh(self) -> None:
        assert self.case is not None
        self.held = careplan.record(self.case)  # read once per change, not per table cell
        self.team_model.set_rows(self.case.team)
        self.history_model.set_rows(sorted(self.case.coordinator, key=lambda c: c.start))
        warning = careplan.coordinator_warning(self.case)
        member, period = describe.coordinator(self.case)
        if warning is None and member is not None and period is not None:
            contact = f" · {member.contact}" if member.contact else ""
            self.banner.setText(f"Care coordinator: {describe.member_line(member, self.case)}, "
                                f"since {format_day(period.start)}{contact}")
            theme.style(self.banner, "banner")
        else:
            self.banner.setText(f"⚠ {warning}")
            theme.style(self.banner, "banner", warning=True)
        self._update_leave()

    def _member_details(self, member: Member) -> tuple[str, Details]:
        held = [c for c in self.case.coordinator if c.member == member.id] if self.case else []
        periods = "\n".join(f"{format_day(c.start)} to {format_day(c.end) if c.end else 'now'}"
                            for c in held)
        departure = self.held.departure(member.id)
        left = ""
        if departure is not None:
            left = format_day(departure.on) + (f": {departure.reason}" if departure.reason else "")
        return member.name, [
            ("Role", label("role", member.role)), ("Organisation", self._org_name(member.organisation)),
            ("Contact", member.contact or ""),
            ("Professional register", label("professional_register", member.professional_register)),
            ("Care coordinator", periods or "Never"), ("Left the team", left or "No")]

    def _period_details(self, period: Coordination) -> tuple[str, Details]:
        return self._member_text(period.member), [
            ("From", format_day(period.start)),
            ("To", format_day(period.end) if period.end else "Still the coordinator"),
            ("Why", period.reason or "")]


class CarePlanTab(CaseTab):
    title = "Care plan"
    key = "care-plan"
    print_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: The case's team record (planner.careplan), read when the case changes.
        self.held = careplan.TeamRecord()
        self.summary = plain_label(QLabel())
        self.summary.setWordWrap(True)
        self.review = QLabel()
        self.review.setWordWrap(True)
        self.goals_model: ColumnModel[Goal] = ColumnModel([
            Column("In their words", lambda g: g.in_my_words),
            Column("How we will know", lambda g: g.outcome or ""),
            Column("By", lambda g: format_day(g.target_date)),
            Column("Status", lambda g: label("goal_status", g.status)),
        ])
        self.goals = Table(self.goals_model, "No goals agreed yet.", self._goal_details)
        self.actions_model: ColumnModel[Action] = ColumnModel([
            Column("What will be done", lambda a: a.description),
            Column("Needs attention", lambda a: "⚠ " + ", ".join(f.short for f in flags)
                   if (flags := self._flags(a)) else "",
                   lambda a: "\n".join(f.text for f in self._flags(a))),
            Column("Who", lambda a: describe.owner(self.case, a.owner) if self.case else ""),
            Column("When", self._when),
            Column("Status", lambda a: label("action_status", a.status)),
            Column("For the goal", lambda a: self._goal_text(a.goal)),
        ])
        self.action_table = Table(self.actions_model, "No actions agreed yet.", self._action_details)
        self.contingency = plain_label(QLabel())
        self.contingency.setFont(theme.scaled_font(self.contingency, 1.1))
        self.contingency.setMargin(4)
        self.contingency.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.contingency.setWordWrap(True)
        self.contingency.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sign_model: ColumnModel[str] = ColumnModel([
            Column("Agreed by", lambda m: self._member_text(m)),
            Column("On", lambda m: format_day(self.held.signed_on(m))),
        ])
        self.sign_table = Table(self.sign_model, "Nobody has agreed the plan as it reads now.",
                                self._sign_details)
        self.tables = [self.goals, self.action_table, self.sign_table]
        self.plan_button = QPushButton("Edit review &date && contingency…")
        self.plan_button.setToolTip("When the plan is next reviewed, and what to do if the person "
                                    "becomes unwell")
        self.plan_button.clicked.connect(lambda: self.editor.edit_plan() if self.editor else None)
        self.print_button = QPushButton("&Print care plan…")
        self.print_button.setToolTip("Print “My care plan” for the person, their family and every provider "
                                     "(Ctrl+P), or save it as PDF")
        self.print_button.clicked.connect(self.print_requested)
        self.sign_button = QPushButton("&Record agreement…")
        self.sign_button.setToolTip("A team member (or the person or their family) agrees the plan "
                                    "as it reads now")
        self.sign_button.clicked.connect(lambda: self.editor.record_sign_off() if self.editor else None)
        self.withdraw_button = QPushButton("&Withdraw")
        self.withdraw_button.clicked.connect(self._withdraw)
        self.agree_button = QPushButton("Agree versio&n…")
        self.agree_button.setToolTip("Freeze the plan as it reads now, with who agreed it, as the "
                                     "next version")
        self.agree_button.clicked.connect(lambda: self.editor.agree_version() if self.editor else None)
        self.versions_button = QPushButton("Versions && &changes…")
        self.versions_button.setToolTip("See earlier agreed versions and what has changed since")
        self.versions_button.clicked.connect(self.show_versions)
        signing = QWidget()
        sign_layout = QVBoxLayout(signing)
        sign_layout.setContentsMargins(0, 0, 0, 0)
        sign_layout.addWidget(self.sign_table, 1)
        sign_buttons = QHBoxLayout()
        for button in (self.sign_button, self.withdraw_button, self.agree_button):
            sign_buttons.addWidget(button)
        sign_buttons.addStretch(1)
        sign_layout.addLayout(sign_buttons)
        self.sign_table.view.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.sign_model.modelReset.connect(self._update_buttons)
        unwell = QWidget()  # the words scroll in a short pane; the button to change them beneath
        unwell_layout = QVBoxLayout(unwell)
        unwell_layout.setContentsMargins(0, 0, 0, 0)
        words = QScrollArea()
        words.setWidgetResizable(True)
        words.setFrameShape(QScrollArea.Shape.NoFrame)
        words.setWidget(self.contingency)
        words.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # two lines, then the words scroll
        words.setMinimumHeight(self.contingency.fontMetrics().lineSpacing() * 2 + 8)
        unwell_layout.addWidget(words, 1)
        plan_row = QHBoxLayout()
        plan_row.addWidget(self.plan_button)
        plan_row.addStretch(1)
        unwell_layout.addLayout(plan_row)
        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(_section("If I become unwell", unwell))
        lower.addWidget(_section("Who agreed it", signing))
        lower.setSizes([420, 420])
        # at 1366×768 the goals and actions show several rows each (the sizes below); the rest
        # shrinks first, and the narrow tables need no horizontal scroll bar
        self.goals.fit_width()
        self.sign_table.fit_width()
        row = self.sign_table.view.verticalHeader().defaultSectionSize()
        self.sign_table.view.setMinimumHeight(2 * row + 4)  # the headings and one person, then it scrolls
        splitter = _sections(("Goals", self.editable(self.goals, "goals", "goal"), 3),
                             ("Who will do what", self.editable(self.action_table, "actions", "action"), 4))
        splitter.addWidget(lower)
        splitter.setStretchFactor(2, 1)
        splitter.setSizes([300, 320, 80])
        content = QWidget()
        layout = _FillingLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        # in a window smaller than the plan needs (below 1366×768) the tab scrolls rather than
        # making the window larger than the screen; at 1366×768 and up nothing scrolls
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.addWidget(scroll)
        top = QHBoxLayout()  # one row: the plan's state, its review, and printing
        top.addWidget(self.summary, 3)
        top.addWidget(self.review, 2)
        top.addWidget(self.print_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.versions_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        self._update_buttons()

    @staticmethod
    def _when(action: Action) -> str:
        if action.due and action.frequency:
            return f"{action.frequency}, by {format_day(action.due)}"
        return action.frequency or (f"By {format_day(action.due)}" if action.due else "")

    def _flags(self, action: Action) -> list[careplan.Flag]:
        if self.case is None:
            return []
        flags = careplan.action_flags(self.case, action.id, date.today(), self.held)
        if action.owner is None and action.status not in careplan.CLOSED_ACTION:
            flags.insert(0, careplan.Flag("No owner", "Nobody is named to do it: choose who will"))
        return flags

    def _goal_text(self, goal_id: str | None) -> str:
        plan = self.case.care_plan if self.case else None
        goal = next((g for g in plan.goals if g.id == goal_id), None) if plan and goal_id else None
        return goal.in_my_words if goal else ""

    def _member_text(self, member_id: str) -> str:
        member = self.case.member(member_id) if self.case else None
        return f"{member.name} ({label('role', member.role)})" if member else member_id

    def _selected_signer(self) -> str | None:
        index = self.sign_table.view.currentIndex()
        return self.sign_model.row_object(index.row()) if index.isValid() else None

    def _withdraw(self) -> None:
        member = self._selected_signer()
        if member is not None and self.editor is not None:
            self.editor.withdraw_sign_off(member)

    def _update_buttons(self) -> None:
        plan = self.case.care_plan if self.case else None
        self.withdraw_button.setEnabled(self._selected_signer() is not None)
        why_not = careplan.why_not_agree(self.case) if self.case is not None else "no case"
        self.agree_button.setEnabled(why_not is None)
        if self.case is not None and plan is not None:
            self.agree_button.setText(f"Agree versio&n {careplan.next_version(self.case)}…")
            self.agree_button.setToolTip(
                "Freeze the plan as it reads now, with who agreed it, as the next version" if why_not is None
                else f"Cannot agree a new version: {why_not}.")
        self.sign_button.setEnabled(plan is not None)
        self.print_button.setEnabled(plan is not None)
        kept = bool(self.held.plan_versions)
        self.versions_button.setEnabled(kept)

    def refresh(self) -> None:
        assert self.case is not None
        self.held = careplan.record(self.case)  # read once per change, not per table cell
        plan = self.case.care_plan
        self.goals_model.set_header(0, self.words("In {their} words"))
        self.goals_model.set_rows(plan.goals if plan else [])
        self.actions_model.set_rows(plan.actions if plan else [])
        self.sign_model.set_rows(list(plan.signed_off_by) if plan else [])
        if plan is None:
            self.summary.setText("No shared care plan yet: add a goal or an action to begin one.")
            theme.style(self.summary, "banner")
            self.review.hide()
            self.contingency.setText("Not recorded.")
            self._update_buttons()
            return
        version = careplan.printable_plan(self.case).version_text
        attention = sum(1 for a in plan.actions if self._flags(a))
        extra = f" · ⚠ {attention} action{'s' if attention != 1 else ''} need attention" if attention else ""
        self.summary.setText(version + extra)
        theme.style(self.summary, "banner", attention > 0 or version.startswith("Draft"))
        status = careplan.review_status(plan.review_on, date.today())
        self.review.setText(("⚠ " if status.level in ("soon", "overdue") else "") + status.text)
        theme.style(self.review, "banner", status.level in ("soon", "overdue", "none"))
        self.review.show()
        self.contingency.setText(plan.contingency or "Not recorded yet.")
        self._update_buttons()

    def show_versions(self) -> None:
        if self.case is None:
            return
        from ui.plan_versions import VersionsDialog

        VersionsDialog(self.case, self).exec()

    def _goal_details(self, goal: Goal) -> tuple[str, Details]:
        plan = self.case.care_plan if self.case else None
        actions = [a.description for a in plan.actions if a.goal == goal.id] if plan else []
        return goal.in_my_words, [
            ("How we will know", goal.outcome or ""), ("By", format_day(goal.target_date)),
            ("Status", label("goal_status", goal.status)), ("Actions", "\n".join(actions))]

    def _action_details(self, action: Action) -> tuple[str, Details]:
        return action.description, [
            ("Who", describe.owner(self.case, action.owner) if self.case else ""),
            ("When", self._when(action)), ("Status", label("action_status", action.status)),
            ("For the goal", self._goal_text(action.goal)),
            ("Needs attention", "\n".join(f.text for f in self._flags(action)) or "Nothing")]

    def _sign_details(self, member_id: str) -> tuple[str, Details]:
        on = self.held.signed_on(member_id)
        return self._member_text(member_id), [("Agreed the plan on", format_day(on) or "Date not recorded")]


class PathwayMapPlaceholder(CaseTab):
    """The Pathway map tab, loaded when first shown: the map module is large, and start-up
    should not wait for a tab the user may not open. Forwards the map tab's signals."""

    title = "Pathway map"
    key = "pathway-map"
    steps_selected = Signal(object)
    finding_selected = Signal(str, object)
    selected = Signal(str, object)
    exported = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.inner: CaseTab | None = None
        #: writes the map's images (given to the map tab; see ui.saving)
        self.saver: OutputSaver | None = None

    def map_tab(self) -> CaseTab:
        """The real map tab, made on first use."""
        if self.inner is None:
            from ui.pathway_map import PathwayMapTab

            inner = PathwayMapTab()
            inner.editor = self.editor
            inner.saver = self.saver
            inner.steps_selected.connect(self.steps_selected)
            inner.finding_selected.connect(self.finding_selected)
            inner.selected.connect(self.selected)
            inner.exported.connect(self.exported)
            self._layout.addWidget(inner)
            from PySide6.QtWidgets import QGraphicsView, QLabel, QSizePolicy

            for hint in inner.findChildren(QLabel):  # a long one-line hint is cut at the tab's edge
                if not hint.wordWrap():  # rather than widening the window past a laptop's screen
                    hint.setSizePolicy(QSizePolicy.Policy.Ignored, hint.sizePolicy().verticalPolicy())
            for view in inner.findChildren(QGraphicsView):  # named for screen readers, as is its canvas
                for part in (view, view.viewport()):
                    if not part.accessibleName():
                        part.setAccessibleName("Pathway map")
                        part.setAccessibleDescription("Left and Right step through the pathway; Enter "
                                                      "opens the selected step's findings")
            inner.show()
            self.inner = inner
        return self.inner

    def set_case(self, case: Case, analysis: Callable[[], Analysis | None] | None = None) -> None:
        super().set_case(case, analysis)
        if self.inner is not None:
            self.inner.set_case(case, analysis)

    def refresh(self) -> None:
        assert self.case is not None
        self.map_tab().set_case(self.case, self._analysis)

    def select_steps(self, step_ids: list[str]) -> None:
        if self.inner is not None:  # before the map is first shown there is nothing to select
            self.inner.select_steps(step_ids)  # type: ignore[attr-defined]

    def select_first(self) -> None:
        self.ensure_current()
        self.map_tab().select_first()
