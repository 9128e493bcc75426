"""The Team tab: the team around the person, their leave and return, and the care coordinator's
periods.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from planner import careplan, describe
from planner.dates import format_day
from planner.model import Coordination, Member
from planner.reference import label
from ui import theme
from ui.case_tab import CaseTab, sections
from ui.models import Column, ColumnModel
from ui.plaintext import plain_label
from ui.widgets import Details, Table


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
        splitter = sections(("The team", team_part, 3), ("Care coordinator history", history_part, 1))
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
