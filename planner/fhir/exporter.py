"""Case -> FHIR R4: a ``collection`` Bundle with the person, her organisations, team, coordinator,
pathway and care plan.

Resources: Patient; Organization per organisation; Practitioner (or RelatedPerson, for family
carers) and PractitionerRole per team member; one CareTeam (each member with their role, and the
care coordinator with SNOMED CT 768820003 for each period they held the role); one EpisodeOfCare
(careManager: the current coordinator); an Encounter per step; a Condition per long-term
condition; a Goal per goal; one CarePlan whose activities are the actions. Standard elements carry
what FHIR can say; our extensions (planner.fhir.vocabulary) carry the rest, so the bundle imports
back into the same case. Each handoff is a Task (see docs/FHIR.md); the case's title is on the
EpisodeOfCare. Finding annotations are not exported. Every resource has a generated narrative;
resources that meet the UK Core rules we can check claim the UK Core profile; an anonymised
bundle labels every resource with the HL7 de-identification security label.

fullUrls are ``urn:uuid:`` UUIDs derived (UUID v5) from the person's NHS number, or her name and
date of birth, and each item's kind and id: exporting the same case again gives the same urls.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from datetime import date, timedelta
from typing import Any

from planner.casefile import case_to_dict, write_text_atomically
from planner.fhir import ukcore
from planner.fhir import vocabulary as v
from planner.fhir.datatypes import _complex, _concept, _contact_point, _text, fhir_moment, human_name
from planner.fhir.datatypes import uk_offset as uk_offset  # part of this module's API, as fhir_moment
from planner.fhir.narrative import narrative
from planner.model import (
    RECORD_KEY,
    Case,
    Coordination,
    Handoff,
    Member,
    Moment,
    Organisation,
    Step,
    moment_key,
)
from planner.reference import label

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, v.BASE)
_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
#: Encounter classes written for steps (v3 ActCode) and their displays.
_CLASS_DISPLAY = {
    "IMP": "inpatient encounter",
    "NONAC": "inpatient non-acute",
    "EMER": "emergency",
    "AMB": "ambulatory",
    "HH": "home health",
    "VR": "virtual",
}
_RESIDENTIAL = frozenset(
    {"community_hospital", "intermediate_care", "reablement", "care_home", "nursing_home", "hospice"}
)


def export_fhir(case: Case, *, anonymise: bool = False, alias: str | None = None,
                today: date | None = None, name_providers: bool = False) -> dict[str, Any]:
    """The case as a FHIR R4 ``collection`` Bundle (a JSON-ready dict).

    With ``anonymise``, the bundle is written from :func:`planner.anonymise.anonymise_case` (a
    pseudonym or ``alias``, no NHS number, date of birth or postcode, dates moved to 2000, team
    members by role, names redacted in free text) and its identifiers come from a fresh random
    namespace, so two anonymised exports of one person cannot be linked by their ids.
    ``today`` decides which encounters are finished, in progress or planned (default: today);
    ``name_providers`` keeps small providers' names in an anonymised bundle ("Care home A" else)."""
    if anonymise:
        from planner.anonymise import anonymise as anonymised_copy

        copy = anonymised_copy(case, alias, name_providers)
        shift = timedelta(0)  # how far the copy's dates were moved: whole weeks
        for original_id, copy_id in copy.ids.get("steps", {}).items():
            original, moved = case.step(original_id), copy.case.step(copy_id)
            if original is not None and moved is not None:
                shift = moment_key(moved.start) - moment_key(original.start)
                break
        exporter = _Exporter(copy.case, today or date.today(), uuid.uuid4(), anonymised=True, shift=shift)
        return exporter.bundle()
    return _Exporter(case, today or date.today()).bundle()


def dumps_fhir(bundle: dict[str, Any]) -> str:
    return json.dumps(bundle, indent=2, ensure_ascii=False) + "\n"


def write_fhir_file(case: Case, path: str | os.PathLike[str], *, anonymise: bool = False,
                    alias: str | None = None) -> dict[str, Any]:
    """Write the case's bundle atomically (a temporary file beside it, then a rename)."""
    bundle = export_fhir(case, anonymise=anonymise, alias=alias)
    write_text_atomically(dumps_fhir(bundle), path)
    return bundle


class _Exporter:
    def __init__(self, case: Case, today: date, namespace: uuid.UUID | None = None, *,
                 anonymised: bool = False, shift: timedelta = timedelta(0)) -> None:
        self.case = case
        self.today = today
        self.anonymised = anonymised
        self.shift = shift
        person = case.person
        key = person.nhs_number or f"{person.name}|{person.date_of_birth or ''}"
        self.namespace = namespace or uuid.uuid5(_NAMESPACE, f"case:{key}")
        self.entries: list[dict[str, Any]] = []

    # -- identity --------------------------------------------------------------------------
    def uuid(self, kind: str, local: str) -> str:
        return str(uuid.uuid5(self.namespace, f"{kind}/{local}"))

    def url(self, kind: str, local: str) -> str:
        return f"urn:uuid:{self.uuid(kind, local)}"

    def ref(self, kind: str, local: str, display: str | None = None) -> dict[str, Any]:
        reference: dict[str, Any] = {"reference": self.url(kind, local)}
        if display and display.strip():
            reference["display"] = display
        return reference

    def resource_id(self, kind: str, local: str) -> str:
        """The case's own id where FHIR allows it (no underscores), else the UUID."""
        return local if _FHIR_ID.match(local) else self.uuid(kind, local)

    def add(self, kind: str, local: str, resource: dict[str, Any]) -> None:
        """Add a resource, with its meta (the UK Core profile when it meets the rules we check; the
        de-identification label when anonymised) and its generated narrative."""
        body: dict[str, Any] = {"resourceType": kind, "id": self.resource_id(kind, local), **resource}
        meta: dict[str, Any] = {}
        profile = v.UK_CORE_PROFILES.get(kind)
        if profile is not None and not ukcore.problems(body, self.url("Patient", "person")):
            meta["profile"] = [profile]
        if self.anonymised:
            meta["security"] = [dict(v.ANONYMISED_LABEL)]
        head: dict[str, Any] = {"resourceType": kind, "id": body["id"]}
        if meta:
            head["meta"] = meta
        head["text"] = narrative(body)
        self.entries.append({"fullUrl": self.url(kind, local), "resource": {**head, **body}})

    def moment(self, value: Moment) -> str:
        return fhir_moment(value, self.shift)

    def name(self, text: str, use: str | None = None) -> dict[str, Any]:
        return human_name(text, use, split=not self.anonymised)

    def member_kind(self, member: Member) -> str:
        return "RelatedPerson" if member.role == "family_carer" else "Practitioner"

    def member_ref(self, member_id: str) -> dict[str, Any] | None:
        member = self.case.member(member_id)
        if member is None:
            return None
        return self.ref(self.member_kind(member), member.id, member.name)

    def owner_ref(self, owner: str | None) -> dict[str, Any] | None:
        if owner is None:
            return None
        org = self.case.organisation(owner)
        if org is not None:
            return self.ref("Organization", org.id, org.name)
        return self.member_ref(owner)

    # -- the bundle ------------------------------------------------------------------------
    def bundle(self) -> dict[str, Any]:
        case = self.case
        self.patient()
        for org in case.organisations:
            self.organisation(org)
        for member in case.team:
            self.member(member)
        for member in case.team:
            if self.member_kind(member) == "Practitioner":
                self.practitioner_role(member)
        self.care_team()
        self.episode()
        for step in case.steps:
            self.encounter(step)
        for index, condition in enumerate(case.person.conditions):
            if not _text(condition):
                continue
            self.add(
                "Condition",
                f"condition-{index + 1}",
                {
                    "clinicalStatus": _concept(v.CONDITION_CLINICAL, "active", "Active"),
                    "category": [
                        _concept(
                            "http://terminology.hl7.org/CodeSystem/condition-category",
                            "problem-list-item",
                            "Problem List Item",
                        )
                    ],
                    "code": {"text": condition},
                    "subject": self.patient_ref,
                },
            )
        self.care_plan()
        for index, handoff in enumerate(case.handoffs):
            self.handoff(index + 1, handoff)
        return {
            "resourceType": "Bundle",
            "id": self.uuid("Bundle", "export"),
            "type": "collection",
            "entry": self.entries,
        }

    def patient(self) -> None:
        person = self.case.person
        self.patient_ref = self.ref("Patient", "person", person.name)
        resource: dict[str, Any] = {}
        frailty, consent = person.frailty, person.consent
        details = _complex(
            v.PERSON_EXT,
            [
                ("living_situation", "valueCode", person.living_situation),
                ("preferred_place_of_care", "valueCode", person.preferred_place_of_care),
                ("what_matters", "valueString", person.what_matters),
                ("frailty_scale", "valueCode", frailty.scale if frailty else None),
                ("frailty_score", "valueDecimal", frailty.score if frailty else None),
                (
                    "frailty_assessed_on",
                    "valueDate",
                    frailty.assessed_on.isoformat() if frailty and frailty.assessed_on else None,
                ),
                ("frailty_assessed_by", "valueString", frailty.assessed_by if frailty else None),
                ("consent_status", "valueCode", consent.status if consent else None),
                ("consent_scope", "valueString", consent.scope if consent else None),
                (
                    "consent_recorded_on",
                    "valueDate",
                    consent.recorded_on.isoformat() if consent and consent.recorded_on else None,
                ),
            ],
        )
        if details:
            resource["extension"] = [details]
        if person.nhs_number:
            code, display = v.NHS_NUMBER_NOT_TRACED
            coding = {"system": v.NHS_NUMBER_VERIFICATION_SYSTEM, "code": code, "display": display}
            status = {"coding": [coding]}
            resource["identifier"] = [
                {
                    "extension": [{"url": v.NHS_NUMBER_VERIFICATION_EXT, "valueCodeableConcept": status}],
                    "system": v.NHS_NUMBER_SYSTEM,
                    "value": person.nhs_number,
                }
            ]
        if _text(person.name):
            resource["name"] = [self.name(person.name, "official")]
        if person.sex:
            resource["gender"] = person.sex
        if person.date_of_birth:
            resource["birthDate"] = person.date_of_birth.isoformat()
        if _text(person.area) or _text(person.postcode):
            address: dict[str, Any] = {"use": "home"}
            if _text(person.area):
                address["district"] = person.area
            if _text(person.postcode):
                address["postalCode"] = person.postcode
            resource["address"] = [address]
        practices = [o for o in self.case.organisations if o.sector == "primary_care"]
        if practices:
            resource["generalPractitioner"] = [
                self.ref("Organization", o.id, _text(o.name)) for o in practices
            ]
        self.add("Patient", "person", resource)

    def organisation(self, org: Organisation) -> None:
        resource: dict[str, Any] = {}
        oversight = org.oversight
        regulators = org.regulators or []
        details = _complex(
            v.ORGANISATION_EXT,
            [
                ("payment_model", "valueCode", org.payment_model),
                *[("regulator", "valueCode", code) for code in regulators],
                ("no_regulator", "valueBoolean", True if org.regulators == [] else None),
                ("cqc_registered", "valueBoolean", org.cqc_registered),
                ("shared_record_access", "valueBoolean", org.shared_record_access),
                ("funding_term", "valueCode", org.funding_term),
                ("cqc_rating", "valueCode", oversight.cqc_rating if oversight else None),
                ("financial_recovery", "valueBoolean", oversight.financial_recovery if oversight else None),
                (
                    "system_level_assessment",
                    "valueBoolean",
                    oversight.system_level_assessment if oversight else None,
                ),
            ],
        )
        if details:
            resource["extension"] = [details]
        codes = org.codes
        identifiers = [
            {"system": system, "value": value}
            for system, value in (
                (v.ODS_SYSTEM, codes.ods if codes else None),
                (v.CQC_LOCATION_SYSTEM, codes.cqc_location if codes else None),
                (v.CQC_PROVIDER_SYSTEM, codes.cqc_provider if codes else None),
                (v.CHARITY_SYSTEM, codes.charity_number if codes else None),
            )
            if value
        ]
        if identifiers:
            resource["identifier"] = identifiers
        resource["active"] = True
        hl7 = v.SECTOR_ORGANISATION_TYPE.get(org.sector, "prov")
        sector_label = label("sector", org.sector)
        concept = _concept(v.ORGANISATION_TYPE, hl7, v.ORGANISATION_TYPE_DISPLAY[hl7], sector_label)
        concept["coding"].append({"system": v.SECTOR_SYSTEM, "code": org.sector, "display": sector_label})
        resource["type"] = [concept]  # one concept: the HL7 type and our sector say the same thing
        if _text(org.name):
            resource["name"] = org.name
        if _text(org.area):
            resource["address"] = [{"district": org.area}]
        self.add("Organization", org.id, resource)

    def member(self, member: Member) -> None:
        kind = self.member_kind(member)
        resource: dict[str, Any] = {}
        details = _complex(
            v.MEMBER_EXT,
            [
                ("role", "valueCode", member.role),
                ("professional_register", "valueCode", member.professional_register),
            ],
        )
        if details:
            resource["extension"] = [details]
        resource["active"] = True
        if kind == "RelatedPerson":
            resource["patient"] = self.patient_ref
            code, display = next(
                (found for pattern, found in v.RELATIONSHIP_WORDS if pattern.search(member.name)),
                v.FAMILY_MEMBER,
            )
            resource["relationship"] = [_concept(v.ROLE_CODE, code, display, label("role", member.role))]
        if _text(member.name):
            resource["name"] = [self.name(member.name)]
        if member.contact is not None and _text(member.contact):
            resource["telecom"] = [_contact_point(member.contact)]
        self.add(kind, member.id, resource)

    def role_concepts(self, member: Member) -> list[dict[str, Any]]:
        concept = _concept(v.ROLE_SYSTEM, member.role, label("role", member.role), label("role", member.role))
        if member.role in v.ROLE_SNOMED:
            code, display = v.ROLE_SNOMED[member.role]
            concept["coding"].append({"system": v.SNOMED, "code": code, "display": display})
        return [concept]

    def coordinator_concept(self) -> dict[str, Any]:
        return _concept(v.SNOMED, v.CARE_COORDINATOR, v.CARE_COORDINATOR_DISPLAY, v.CARE_COORDINATOR_DISPLAY)

    def practitioner_role(self, member: Member) -> None:
        resource: dict[str, Any] = {
            "active": True,
            "practitioner": self.ref("Practitioner", member.id, member.name),
        }
        if member.organisation:
            org = self.case.organisation(member.organisation)
            resource["organization"] = self.ref(
                "Organization", member.organisation, org.name if org else None
            )
        codes = self.role_concepts(member)
        current = self.case.current_coordinator()
        if current is not None and current.member == member.id:
            codes.append(self.coordinator_concept())
        resource["code"] = codes
        self.add("PractitionerRole", f"{member.id}-role", resource)

    def care_team(self) -> None:
        case = self.case
        if not case.team:
            return
        participants: list[dict[str, Any]] = []
        for member in case.team:
            participant: dict[str, Any] = {
                "role": self.role_concepts(member),
                "member": self.member_ref(member.id),
            }
            if member.organisation:
                org = self.case.organisation(member.organisation)
                org_ref = self.ref("Organization", member.organisation, org.name if org else None)
                if self.member_kind(member) == "Practitioner":
                    participant["onBehalfOf"] = org_ref  # R4 allows onBehalfOf for practitioners only
                else:
                    participant = {
                        "extension": [
                            {
                                "url": v.MEMBER_EXT,
                                "extension": [{"url": "organisation", "valueReference": org_ref}],
                            }
                        ],
                        **participant,
                    }
            participants.append(participant)
        for period in case.coordinator:
            participants.append(self.coordinator_participant(period))
        self.add(
            "CareTeam",
            "team",
            {
                "status": "active",
                "name": "Care team",
                "subject": self.patient_ref,
                "participant": participants,
            },
        )

    def coordinator_participant(self, period: Coordination) -> dict[str, Any]:
        participant: dict[str, Any] = {}
        if _text(period.reason):
            participant["extension"] = [{"url": v.COORDINATION_REASON_EXT, "valueString": period.reason}]
        participant["role"] = [self.coordinator_concept()]
        participant["member"] = self.member_ref(period.member)
        span = {"start": period.start.isoformat()}
        if period.end is not None:
            span["end"] = period.end.isoformat()
        participant["period"] = span
        return participant

    def episode(self) -> None:
        case = self.case
        starts = [s.start_date for s in case.steps] + [c.start for c in case.coordinator]
        resource: dict[str, Any] = {}
        as_file = case_to_dict(case) if case.annotations or case.extensions else {}
        record = (as_file.get("extensions") or {}).get(RECORD_KEY)
        details = _complex(
            v.CASE_EXT,
            [
                ("title", "valueString", case.title),
                # the case file's own JSON, for a Pathway Planner receiver (see docs/FHIR.md)
                ("annotations", "valueString",
                 json.dumps(as_file["annotations"]) if case.annotations else None),
                ("team_record", "valueString", json.dumps(record) if record else None),
            ],
        )
        if details:
            resource["extension"] = [details]
        resource["status"] = "active"
        resource["type"] = [{"text": "Integrated health and social care"}]
        resource["patient"] = self.patient_ref
        if starts:
            resource["period"] = {"start": min(starts).isoformat()}
        current = case.current_coordinator()
        member = case.member(current.member) if current else None
        if member is not None and self.member_kind(member) == "Practitioner":
            resource["careManager"] = self.ref("Practitioner", member.id, member.name)
        if case.team:
            resource["team"] = [self.ref("CareTeam", "team")]
        self.add("EpisodeOfCare", "episode", resource)

    def encounter_class(self, step: Step) -> str:
        if step.kind in ("admission", "placement"):
            return "NONAC" if step.kind == "placement" or step.setting in _RESIDENTIAL else "IMP"
        if step.kind == "attendance" and (step.emergency or step.setting == "emergency_department"):
            return "EMER"
        return {"home": "HH", "phone": "VR"}.get(step.setting or "", "AMB")

    def encounter_status(self, step: Step) -> str:
        if step.end is not None:
            return "finished" if step.end_date is not None and step.end_date <= self.today else "in-progress"
        if step.start_date > self.today:
            return "planned"
        return "in-progress" if step.kind in ("admission", "service", "placement") else "finished"

    def encounter(self, step: Step) -> None:
        resource: dict[str, Any] = {}
        details = _complex(
            v.STEP_EXT,
            [
                ("stage", "valueCode", step.stage),
                ("setting", "valueCode", step.setting),
                ("funding", "valueCode", step.funding),
                (
                    "ready_for_discharge",
                    "valueDate",
                    step.ready_for_discharge.isoformat() if step.ready_for_discharge else None,
                ),
                ("delay_reason", "valueCode", step.delay_reason),
                ("delay_attribution", "valueCode", step.delay_attribution),
                ("assessment_domain", "valueCode", step.assessment_domain),
                ("service_line", "valueString", step.service_line),
                ("contract", "valueString", step.contract),
                ("chc_status", "valueCode", step.chc_status),
                ("permanent", "valueBoolean", step.permanent),
                ("notes", "valueString", step.notes),
            ],
        )
        if details:
            resource["extension"] = [details]
        resource["status"] = self.encounter_status(step)
        code = self.encounter_class(step)
        resource["class"] = {"system": v.ACT_CODE, "code": code, "display": _CLASS_DISPLAY[code]}
        kind_type = _concept(v.STEP_KIND_SYSTEM, step.kind, label("kind", step.kind))
        if _text(step.label):
            kind_type["text"] = step.label
        resource["type"] = [kind_type]
        if step.emergency is not None:
            priority = "EM" if step.emergency else "R"
            resource["priority"] = _concept(
                v.ACT_PRIORITY, priority, "emergency" if step.emergency else "routine"
            )
        resource["subject"] = self.patient_ref
        resource["episodeOfCare"] = [self.ref("EpisodeOfCare", "episode")]
        period = {"start": self.moment(step.start)}
        if step.end is not None:
            period["end"] = self.moment(step.end)
        resource["period"] = period
        org = self.case.organisation(step.organisation)
        resource["serviceProvider"] = self.ref("Organization", step.organisation, org.name if org else None)
        self.add("Encounter", step.id, resource)

    def care_plan(self) -> None:
        plan = self.case.care_plan
        if plan is None:
            return
        for goal in plan.goals:
            lifecycle, achievement = v.GOAL_STATUS_EXPORT.get(goal.status or "active", ("active", None))
            resource: dict[str, Any] = {"lifecycleStatus": lifecycle}
            if achievement:
                resource["achievementStatus"] = _concept(
                    v.GOAL_ACHIEVEMENT, achievement, achievement.replace("-", " ").capitalize()
                )
            resource["description"] = {"text": _text(goal.in_my_words) or "(not recorded)"}
            resource["subject"] = self.patient_ref
            resource["expressedBy"] = self.patient_ref  # the goal is in her own words
            if _text(goal.outcome) or goal.target_date:
                target: dict[str, Any] = {}
                if _text(goal.outcome):
                    # gol-1: a target's detail needs a measure; ours says "the measurable outcome"
                    target["measure"] = _concept(
                        v.GOAL_MEASURE_SYSTEM, "outcome", "Measurable outcome", "Measurable outcome"
                    )
                    target["detailString"] = goal.outcome
                if goal.target_date:
                    target["dueDate"] = goal.target_date.isoformat()
                resource["target"] = [target]
            self.add("Goal", goal.id, resource)
        resource = {}
        details = _complex(
            v.PLAN_EXT,
            [
                ("version", "valueInteger", plan.version),
                ("review_on", "valueDate", plan.review_on.isoformat() if plan.review_on else None),
                ("contingency", "valueString", plan.contingency),
            ],
        )
        if details:
            resource["extension"] = [details]
        resource["status"] = "active" if plan.agreed_on else "draft"
        resource["intent"] = "plan"
        resource["category"] = [_concept(v.PLAN_CATEGORY_SYSTEM, "shared-care-plan", "Shared care plan")]
        resource["title"] = "Shared care plan"
        resource["subject"] = self.patient_ref
        if plan.agreed_on:
            resource["created"] = plan.agreed_on.isoformat()
        if self.case.team:
            resource["careTeam"] = [self.ref("CareTeam", "team")]
        contributors = [ref for who in plan.signed_off_by if (ref := self.member_ref(who)) is not None]
        if contributors:
            resource["contributor"] = contributors
        conditions = [n for n, text in enumerate(self.case.person.conditions) if _text(text)]
        if conditions:
            resource["addresses"] = [self.ref("Condition", f"condition-{n + 1}") for n in conditions]
        if plan.goals:
            resource["goal"] = [self.ref("Goal", g.id) for g in plan.goals]
        activities = []
        for action in plan.actions:
            detail: dict[str, Any] = {"status": v.ACTION_STATUS_EXPORT.get(action.status or "", "unknown")}
            detail["description"] = _text(action.description) or "(not recorded)"
            if action.goal:
                detail["goal"] = [self.ref("Goal", action.goal)]
            owner = self.owner_ref(action.owner)
            if owner is not None:
                detail["performer"] = [owner]
            if _text(action.frequency) or action.due:
                timing: dict[str, Any] = {}
                if action.due:
                    timing["repeat"] = {"boundsPeriod": {"end": action.due.isoformat()}}
                if _text(action.frequency):
                    timing["code"] = {"text": action.frequency}
                detail["scheduledTiming"] = timing
            activities.append({"id": action.id, "detail": detail})
        if activities:
            resource["activity"] = activities
        self.add("CarePlan", "plan", resource)

    def handoff(self, number: int, handoff: Handoff) -> None:
        """A handoff as a Task: from the step it left (``encounter``) to the step it reached
        (``focus``), its method as a coded input, the named receiver as ``owner``."""
        source, target = self.case.step(handoff.source), self.case.step(handoff.target)
        if source is None or target is None:
            return
        method = label("method", handoff.method) if handoff.method else "a method not recorded"
        words = f"Handoff from {source.label or label('kind', source.kind)} to " \
                f"{target.label or label('kind', target.kind)} ({method.lower()})"
        resource: dict[str, Any] = {
            "status": "completed",
            "intent": "order",
            "code": _concept(v.HANDOFF_SYSTEM, "handoff", "Handoff"),
            "description": words,
            "focus": self.ref("Encounter", target.id, _text(target.label)),
            "for": self.patient_ref,
            "encounter": self.ref("Encounter", source.id, _text(source.label)),
        }
        owner = self.member_ref(handoff.named_receiver) if handoff.named_receiver else None
        if owner is not None:
            resource["owner"] = owner
        if _text(handoff.notes):
            resource["note"] = [{"text": handoff.notes}]
        if handoff.method:
            resource["input"] = [
                {
                    "type": _concept(v.HANDOFF_SYSTEM, "method", "How the handoff was made"),
                    "valueCodeableConcept": _concept(
                        v.HANDOFF_METHOD_SYSTEM, handoff.method, label("method", handoff.method)
                    ),
                }
            ]
        self.add("Task", f"handoff-{number}", resource)
