"""The Person tab: who the case is about, their home and health, what matters to them, and their
consent to share information."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from planner import describe
from planner.dates import format_day
from planner.reference import label
from ui import theme
from ui.case_tab import CaseTab
from ui.plaintext import plain_label
from ui.widgets import InfoForm


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
