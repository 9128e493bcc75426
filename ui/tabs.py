"""The case workspace's tabs: Person, Pathway map, Pathway, Organisations & regulators, Team, Care plan
(and Findings, in ui.findings_tab).

Each tab shows one open case (``set_case``) read-only and reports the selected row to the
detail pane through its tables' ``selected`` signals. The base is ui.case_tab; each tab is its own
module, all named here.
"""

from ui.care_plan_tab import CarePlanTab
from ui.case_tab import CaseTab
from ui.case_tab import titled_section as _section  # the name ui.findings_tab knows it by
from ui.map_placeholder import PathwayMapPlaceholder
from ui.organisations_tab import OrganisationsTab
from ui.pathway_tab import PathwayTab
from ui.person_tab import PersonTab
from ui.team_tab import TeamTab

__all__ = ["CarePlanTab", "CaseTab", "OrganisationsTab", "PathwayMapPlaceholder", "PathwayTab", "PersonTab",
           "TeamTab", "_section"]
