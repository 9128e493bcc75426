"""The Organisations & regulators tab: the organisations on the pathway (some added from the provider
directory) and the regulatory landscape (who regulates each)."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from planner import describe
from planner.model import Organisation
from planner.reference import is_cqc_registered, label, regulator, regulators_of
from ui.case_tab import CaseTab, sections
from ui.models import Column, ColumnModel
from ui.widgets import Details, Table


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
        splitter = sections(("Organisations", self.editable(self.orgs, "organisations", "organisation"), 3),
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
