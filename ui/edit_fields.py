"""What each kind of item's form asks for: its fields (``Field``), in the case-file form's keys,
and the choices a field offers drawn from the open case (its organisations, team, steps, goals).
The GUI's one form (ui.entity_dialog) is built from these lists."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from planner import careplan
from planner.dates import format_day
from planner.model import Case
from planner.reference import label

Options = Callable[[Case], list[tuple[str, str]]]


@dataclass(frozen=True)
class Field:
    """One form field: ``key`` is its place in the item's case-file form ("frailty.score")."""

    key: str
    caption: str
    kind: str = "text"  # text, multiline, date, moment, enum, bool, ref, refs, lines, regulators,
    #                     number, integer, readonly
    enum: str | None = None
    options: Options | None = None
    required: bool = False
    hint: str = ""


# -- choices drawn from the open case ----------------------------------------------------------
def _organisations(case: Case) -> list[tuple[str, str]]:
    return [(o.id, o.name) for o in case.organisations]


def _members(case: Case) -> list[tuple[str, str]]:
    return [(m.id, f"{m.name} ({label('role', m.role)})") for m in case.team]


def _owners(case: Case) -> list[tuple[str, str]]:
    return _members(case) + [(o.id, f"{o.name} (organisation)") for o in case.organisations]


def _steps(case: Case) -> list[tuple[str, str]]:
    return [(s.id, f"{format_day(s.start)}: {s.label or label('kind', s.kind)}")
            for s in case.ordered_steps()]


def _goals(case: Case) -> list[tuple[str, str]]:
    return [(g.id, g.in_my_words) for g in case.care_plan.goals] if case.care_plan else []


MOMENT_HINT = "A date, or a date and a time: 10 Jul 2024 14:30"

PERSON_FIELDS = [
    Field("title", "Case title", hint="How the case is listed, e.g. “Mrs Smith, Torbay”"),
    Field("name", "Name", required=True),
    Field("nhs_number", "NHS number", hint="10 digits; checked as you type"),
    Field("date_of_birth", "Date of birth", "date"),
    Field("sex", "Sex", "enum", "sex"),
    Field("area", "Area (local authority)"),
    Field("postcode", "Postcode"),
    Field("living_situation", "Living situation", "enum", "living_situation"),
    Field("conditions", "Long-term conditions", "lines", hint="One per line"),
    Field("frailty.scale", "Frailty scale", "enum", "frailty_scale"),
    Field("frailty.score", "Frailty score", "number", hint="CFS 1–9, or eFI 0–1"),
    Field("frailty.assessed_on", "Frailty assessed on", "date"),
    Field("frailty.assessed_by", "Frailty assessed by"),
    Field("what_matters", "What matters, in {their} words", "multiline"),
    Field("consent.status", "Consent to share", "enum", "consent_status"),
    Field("consent.scope", "Consent scope"),
    Field("consent.recorded_on", "Consent recorded on", "date"),
    Field("preferred_place_of_care", "Preferred place of care", "enum", "preferred_place_of_care"),
]

FIELDS: dict[str, list[Field]] = {
    "organisations": [
        Field("id", "Id", "readonly"),
        Field("name", "Name", required=True),
        Field("sector", "Sector", "enum", "sector", required=True),
        Field("area", "Area"),
        Field("payment_model", "Paid by", "enum", "payment_model", hint="Empty: the sector's usual model"),
        Field("regulators", "Regulated by", "regulators"),
        Field("cqc_registered", "CQC registered", "bool"),
        Field("shared_record_access", "Shared record access", "bool"),
        Field("funding_term", "Funding", "enum", "funding_term"),
        Field("codes.ods", "ODS code"),
        Field("codes.cqc_location", "CQC location id"),
        Field("codes.cqc_provider", "CQC provider id"),
        Field("codes.charity_number", "Charity number"),
        Field("oversight.cqc_rating", "CQC rating", "enum", "cqc_rating"),
        Field("oversight.financial_recovery", "In financial recovery", "bool"),
        Field("oversight.system_level_assessment", "Assessed at system level", "bool"),
    ],
    "team": [
        Field("id", "Id", "readonly"),
        Field("name", "Name", required=True),
        Field("role", "Role", "enum", "role", required=True),
        Field("organisation", "Organisation", "ref", options=_organisations),
        Field("contact", "Contact"),
        Field("professional_register", "Professional register", "enum", "professional_register"),
    ],
    "coordinator": [
        Field("member", "Care coordinator", "ref", options=_members, required=True),
        Field("from", "From", "date", required=True),
        Field("to", "To", "date", hint="Empty while still the coordinator"),
        Field("reason", "Why", "multiline"),
    ],
    "steps": [
        Field("id", "Id", "readonly"),
        Field("kind", "Kind", "enum", "kind", required=True),
        Field("label", "What happened"),
        Field("organisation", "Organisation", "ref", options=_organisations, required=True),
        Field("start", "Start", "moment", required=True, hint=MOMENT_HINT),
        Field("end", "End", "moment", hint=MOMENT_HINT),
        Field("stage", "Stage", "enum", "stage"),
        Field("setting", "Setting", "enum", "setting"),
        Field("emergency", "Emergency", "bool"),
        Field("funding", "Funding", "enum", "funding"),
        Field("ready_for_discharge", "Ready for discharge", "date", hint="Admissions only"),
        Field("delay_reason", "Reason for delay", "enum", "delay_reason"),
        Field("delay_attribution", "Delay attributed to", "enum", "delay_attribution",
              hint="Empty: the usual attribution for the reason"),
        Field("assessment_domain", "Assessment of", "enum", "assessment_domain"),
        Field("service_line", "Service"),
        Field("contract", "Contract"),
        Field("chc_status", "Continuing Healthcare", "enum", "chc_status"),
        Field("permanent", "Permanent placement", "bool"),
        Field("cost.amount", "Own unit cost (£)", "number",
              hint="Only when this step's cost differs from the published figure for its kind and setting"),
        Field("cost.per", "Cost per", "enum", "cost_per"),
        Field("cost.source", "Where the cost comes from", hint="e.g. “local tariff 2024/25”"),
        Field("notes", "Notes", "multiline"),
    ],
    "handoffs": [
        Field("from", "From step", "ref", options=_steps, required=True),
        Field("to", "To step", "ref", options=_steps, required=True),
        Field("method", "How information went across", "enum", "method"),
        Field("named_receiver", "Named receiver", "ref", options=_members),
        Field("notes", "Notes", "multiline"),
    ],
    "goals": [
        Field("id", "Id", "readonly"),
        Field("in_my_words", "In {their} words", "multiline", required=True),
        Field("outcome", "How we will know"),
        Field("target_date", "By", "date"),
        Field("status", "Status", "enum", "goal_status"),
    ],
    "actions": [
        Field("id", "Id", "readonly"),
        Field("description", "What will be done", "multiline", required=True),
        Field("owner", "Who", "ref", options=_owners),
        Field("goal", "For the goal", "ref", options=_goals),
        Field("due", "By", "date"),
        Field("frequency", "How often"),
        Field("status", "Status", "enum", "action_status"),
    ],
}

PLAN_FIELDS = [
    Field("review_on", "Review on", "date", hint="When the team will look at the plan again"),
    Field("contingency", "If I become unwell", "multiline",
          hint="In {their} words: what to do, and who to call first"),
]


def _active_members(case: Case) -> list[tuple[str, str]]:
    return [(m.id, f"{m.name} ({label('role', m.role)})") for m in careplan.active_team(case)]


def next_coordinators(case: Case) -> list[tuple[str, str]]:
    current = case.current_coordinator()
    return [choice for choice in _active_members(case) if current is None or choice[0] != current.member]


def not_signed(case: Case) -> list[tuple[str, str]]:
    signed = set(case.care_plan.signed_off_by) if case.care_plan else set()
    return [choice for choice in _active_members(case) if choice[0] not in signed]


COORDINATOR_FIELDS = [
    Field("member", "New care coordinator", "ref", options=next_coordinators, required=True),
    Field("from", "From", "date", required=True, hint="The current coordinator's period ends that day"),
    Field("reason", "Why", "multiline", hint="Required when the role passes from one person to another"),
]
LEAVING_FIELDS = [
    Field("on", "Left on", "date", required=True),
    Field("reason", "Why", "text", hint="e.g. “Moved to another team”"),
]
SIGN_OFF_FIELDS = [
    Field("member", "Who agrees the plan", "ref", options=not_signed, required=True),
    Field("on", "Agreed on", "date", required=True),
]
AGREE_FIELDS = [
    Field("agreed_by", "Agreed by", "readonly"),
    Field("on", "Agreed on", "date", required=True),
]
