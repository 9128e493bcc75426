"""The case header: who the person is and who coordinates their care, always in view."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from planner import careplan, describe
from planner.dates import format_day
from planner.model import Case
from planner.reference import label
from ui import theme
from ui.plaintext import plain_label

if TYPE_CHECKING:
    from planner.analysis import Analysis

#: Messages about a damaged stored case shown in the header; the rest are counted.
_DAMAGE_SHOWN = 3


class CaseHeader(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caseHeader")
        theme.style(self, "header")
        self.name = plain_label(QLabel())
        self.name.setFont(theme.scaled_font(self.name, 1.7, bold=True))
        self.facts = plain_label(QLabel())
        self.facts.setWordWrap(True)
        self.coordinator = plain_label(QLabel())
        self.coordinator.setWordWrap(True)
        self.findings = plain_label(QLabel())
        self.findings.setToolTip("Regulatory misalignment findings not set aside: the key findings, the "
                                 "rules that fired and their occurrences")
        # what of a stored case could not be read (planner.damage): shown while the case is open
        self.damage = QLabel()
        self.damage.setTextFormat(Qt.TextFormat.PlainText)
        self.damage.setWordWrap(True)
        theme.style(self.damage, "chip", True)
        self.damage.hide()
        # a long unbroken word (a name, a contact) is cut at the label's edge instead of widening
        # the header, and with it the workspace, past the window
        for wide in (self.name, self.facts, self.coordinator, self.findings, self.damage):
            wide.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        left = QVBoxLayout()
        left.setSpacing(2)
        left.addWidget(self.name)
        left.addWidget(self.facts)
        left.addWidget(self.findings)
        left.addWidget(self.damage)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.addLayout(left, 3)
        layout.addWidget(self.coordinator, 2)

    def set_case(self, case: Case, analysis: Analysis | None = None) -> None:
        person = case.person
        if analysis is not None:
            self.findings.setText(f"Findings: {analysis.key.in_words()}")
        self.findings.setVisible(analysis is not None)
        shown = [f"⚠ {message}" for message in case.damage[:_DAMAGE_SHOWN]]
        if len(case.damage) > _DAMAGE_SHOWN:
            shown.append(f"⚠ … and {len(case.damage) - _DAMAGE_SHOWN} more parts of the case "
                         "could not be read.")
        self.damage.setText("\n".join(shown))
        self.damage.setToolTip("".join(f"<p>{html.escape(message)}</p>" for message in case.damage))
        self.damage.setVisible(bool(case.damage))
        self.name.setText(person.name if case.title in (None, person.name)
                          else f"{person.name}  ·  {case.title}")
        facts = []
        age = describe.age(person)
        if age:
            facts.append(f"Age {age}")
        facts.append(person.area or "Area not recorded")
        if person.living_situation:
            facts.append(label("living_situation", person.living_situation))
        facts.append(f"Frailty {describe.frailty(person)}" if person.frailty else "Frailty not recorded")
        self.facts.setText("  ·  ".join(facts))
        member, period = describe.coordinator(case)
        departure = careplan.record(case).departure(period.member) if period is not None else None
        warning = True
        if period is None:
            self.coordinator.setText(describe.words(
                "⚠ No care coordinator\nNobody is named to coordinate {their} care", person))
        elif member is None or departure is not None:
            who = member.name if member else "The coordinator"
            when = f" on {format_day(departure.on)}" if departure else ""
            self.coordinator.setText(f"⚠ Care coordinator has left the team\n{who} left{when}: "
                                     "name a new coordinator")
        else:
            self.coordinator.setText(f"Care coordinator\n{member.name}, {describe.role(member)}"
                                     f" (since {format_day(period.start)})")
            warning = False
        theme.style(self.coordinator, "chip", warning)

    def coordinator_text(self) -> str:
        return self.coordinator.text()

    def damage_text(self) -> str:
        """What could not be read of the case (empty when it was read whole)."""
        return self.damage.text() if not self.damage.isHidden() else ""
