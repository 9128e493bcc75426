"""The Care plan tab: the shared plan's goals and actions, who agreed it, its versions, and the
button to print it.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QScrollArea, QSplitter, QVBoxLayout, QWidget

from planner import careplan, describe
from planner.dates import format_day
from planner.model import Action, Goal
from planner.reference import label
from ui import theme
from ui.case_tab import CaseTab, FillingLayout, sections, titled_section
from ui.models import Column, ColumnModel
from ui.plaintext import plain_label
from ui.widgets import Details, Table


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
        lower.addWidget(titled_section("If I become unwell", unwell))
        lower.addWidget(titled_section("Who agreed it", signing))
        lower.setSizes([420, 420])
        # at 1366×768 the goals and actions show several rows each (the sizes below); the rest
        # shrinks first, and the narrow tables need no horizontal scroll bar
        self.goals.fit_width()
        self.sign_table.fit_width()
        row = self.sign_table.view.verticalHeader().defaultSectionSize()
        self.sign_table.view.setMinimumHeight(2 * row + 4)  # the headings and one person, then it scrolls
        splitter = sections(("Goals", self.editable(self.goals, "goals", "goal"), 3),
                             ("Who will do what", self.editable(self.action_table, "actions", "action"), 4))
        splitter.addWidget(lower)
        splitter.setStretchFactor(2, 1)
        splitter.setSizes([300, 320, 80])
        content = QWidget()
        layout = FillingLayout(content)
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
