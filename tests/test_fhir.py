"""HL7 FHIR R4 import and export (planner.fhir), the command line's FHIR import and export-fhir,
and the application's import report.

Exported bundles are validated with the fhir.resources R4B models (a validator none of us wrote;
R4B leaves every resource exported here as it is in R4), then checked for what those models do not
check: the R4 codes of required bindings, the invariants ctm-1 and gol-1, and that every
reference resolves inside the bundle. Round trips re-import the export and compare the case.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from planner.casefile import case_from_dict, case_to_dict
from planner.fhir import (
    FhirImportError,
    export_fhir,
    import_fhir,
    is_fhir,
    read_fhir_file,
)
from planner.fhir.exporter import fhir_moment, human_name, uk_offset
from planner.fhir.importer import IMPORT_KEY, UNKNOWN_SECTOR
from planner.model import Case
from planner.validation import CaseFileError
from tests.factories import demo_dict, large_case_dict
from tests.test_rules_properties import cases
from ui.cli import main

TODAY = date(2024, 7, 1)
SNOMED = "http://snomed.info/sct"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"

# R4 codes of the required bindings the exported resources use (the R4B models accept any code).
ENCOUNTER_STATUS = {"planned", "arrived", "triaged", "in-progress", "onleave", "finished", "cancelled",
                    "entered-in-error", "unknown"}
GOAL_LIFECYCLE = {"proposed", "planned", "accepted", "active", "on-hold", "completed", "cancelled",
                  "entered-in-error", "rejected"}
CAREPLAN_STATUS = {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"}
CAREPLAN_INTENT = {"proposal", "plan", "order", "option"}
ACTIVITY_STATUS = {"not-started", "scheduled", "in-progress", "on-hold", "completed", "cancelled", "stopped",
                   "unknown", "entered-in-error"}
EPISODE_STATUS = {"planned", "waitlist", "active", "onhold", "finished", "cancelled", "entered-in-error"}
CARETEAM_STATUS = {"proposed", "active", "suspended", "inactive", "entered-in-error"}
GENDER = {"male", "female", "other", "unknown"}
CONTACT_SYSTEM = {"phone", "fax", "email", "pager", "url", "sms", "other"}
EXPORTED_TYPES = {"Patient", "Organization", "Practitioner", "RelatedPerson", "PractitionerRole", "CareTeam",
                  "EpisodeOfCare", "Encounter", "Condition", "Goal", "CarePlan", "Task"}


# -- helpers ----------------------------------------------------------------------------------------
def _references(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = [value["reference"]] if isinstance(value.get("reference"), str) else []
        return found + [r for key, item in value.items() if key != "reference" for r in _references(item)]
    if isinstance(value, list):
        return [r for item in value for r in _references(item)]
    return []


def check_bundle(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Validate an exported bundle; return its resources by fullUrl."""
    from fhir.resources.R4B import get_fhir_model_class

    get_fhir_model_class("Bundle").model_validate(bundle)  # raises on anything the R4B models refuse
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    urls = [entry["fullUrl"] for entry in bundle["entry"]]
    assert len(urls) == len(set(urls)), "fullUrls must be unique"
    for url in urls:
        assert url.startswith("urn:uuid:") and str(uuid.UUID(url[9:])) == url[9:]
    by_url = {entry["fullUrl"]: entry["resource"] for entry in bundle["entry"]}
    for reference in _references(bundle):
        assert reference in by_url, f"{reference} does not resolve inside the bundle"
    for resource in by_url.values():
        kind = resource["resourceType"]
        assert kind in EXPORTED_TYPES
        if kind == "Encounter":
            assert resource["status"] in ENCOUNTER_STATUS
            assert resource["class"]["system"] == ACT_CODE
            assert resource["class"]["code"] in {"IMP", "NONAC", "EMER", "AMB", "HH", "VR"}
            assert by_url[resource["serviceProvider"]["reference"]]["resourceType"] == "Organization"
        elif kind == "Goal":
            assert resource["lifecycleStatus"] in GOAL_LIFECYCLE
            for target in resource.get("target", []):  # gol-1: a target's detail needs a measure
                if any(key.startswith("detail") for key in target):
                    assert "measure" in target
        elif kind == "CarePlan":
            assert resource["status"] in CAREPLAN_STATUS and resource["intent"] in CAREPLAN_INTENT
            for activity in resource.get("activity", []):
                assert activity["detail"]["status"] in ACTIVITY_STATUS
        elif kind == "CareTeam":
            assert resource["status"] in CARETEAM_STATUS
            for participant in resource["participant"]:  # ctm-1: onBehalfOf only for a practitioner
                if "onBehalfOf" in participant:
                    assert by_url[participant["member"]["reference"]]["resourceType"] == "Practitioner"
        elif kind == "EpisodeOfCare":
            assert resource["status"] in EPISODE_STATUS
            if "careManager" in resource:
                assert by_url[resource["careManager"]["reference"]]["resourceType"] == "Practitioner"
        elif kind == "Patient":
            assert resource.get("gender", "unknown") in GENDER
        for point in resource.get("telecom", []):
            assert point["system"] in CONTACT_SYSTEM
    return by_url


def of_type(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def round_trip(case: Case, **options: Any) -> Case:
    bundle = export_fhir(case, today=TODAY)
    check_bundle(bundle)
    return import_fhir(json.loads(json.dumps(bundle)), **options).case


def kept_parts(case: Case) -> dict[str, Any]:
    data = case_to_dict(case)
    return {key: data.get(key) for key in ("person", "organisations", "team", "coordinator", "steps",
                                            "care_plan")}


def bundle_of(*resources: dict[str, Any], kind: str = "collection") -> dict[str, Any]:
    entries = []
    for resource in resources:
        entry: dict[str, Any] = {"resource": resource}
        if "id" in resource:
            entry["fullUrl"] = f"http://example.org/fhir/{resource['resourceType']}/{resource['id']}"
        entries.append(entry)
    return {"resourceType": "Bundle", "type": kind, "entry": entries}


PATIENT = {"resourceType": "Patient", "id": "p1", "name": [{"use": "official", "family": "Smith",
                                                            "given": ["Edith"], "prefix": ["Mrs"]}],
           "gender": "female", "birthDate": "1937-04-02",
           "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "943 476 5919"}],
           "address": [{"use": "home", "city": "Paignton", "district": "Torbay", "postalCode": "TQ4 5AA"}]}


def encounter(ident: str, cls: str, start: str, end: str | None = None, org: str = "Organization/acute",
              **extra: Any) -> dict[str, Any]:
    period = {"start": start, **({"end": end} if end else {})}
    return {"resourceType": "Encounter", "id": ident, "status": "finished",
            "class": {"system": ACT_CODE, "code": cls}, "subject": {"reference": "Patient/p1"},
            "period": period, "serviceProvider": {"reference": org}, **extra}


def organisation(ident: str, name: str, **extra: Any) -> dict[str, Any]:
    return {"resourceType": "Organization", "id": ident, "name": name, **extra}


# -- export -------------------------------------------------------------------------------------------
def test_the_demo_case_exports_as_a_valid_r4_bundle(demo_case: Case) -> None:
    bundle = export_fhir(demo_case, today=TODAY)
    by_url = check_bundle(bundle)
    counts = {kind: len(of_type(bundle, kind)) for kind in EXPORTED_TYPES}
    family = [m for m in demo_case.team if m.role == "family_carer"]
    assert counts == {"Patient": 1, "Organization": len(demo_case.organisations),
                      "Practitioner": len(demo_case.team) - len(family), "RelatedPerson": len(family),
                      "PractitionerRole": len(demo_case.team) - len(family), "CareTeam": 1, "EpisodeOfCare": 1,
                      "Encounter": len(demo_case.steps), "Condition": len(demo_case.person.conditions),
                      "Goal": len(demo_case.care_plan.goals), "CarePlan": 1, "Task": len(demo_case.handoffs)}
    patient = of_type(bundle, "Patient")[0]
    assert patient["identifier"] == [{
        "extension": [{
            "url": "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus",
            "valueCodeableConcept": {"coding": [{
                "system": "https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland",
                "code": "02", "display": "Number present but not traced"}]}}],
        "system": "https://fhir.nhs.uk/Id/nhs-number", "value": demo_case.person.nhs_number}]
    assert patient["name"][0]["family"] == "Smith" and patient["birthDate"] == "1937-04-02"
    # the coordinator in the care team, with SNOMED CT 768820003, once for each period held
    (team,) = of_type(bundle, "CareTeam")
    held = [(by_url[p["member"]["reference"]]["name"][0]["text"], p["period"])
            for p in team["participant"]
            if any(c["system"] == SNOMED and c["code"] == "768820003" for r in p["role"] for c in r["coding"])]
    assert held == [("James Reed", {"start": "2024-03-12", "end": "2024-05-07"}),
                    ("Maeve O'Brien", {"start": "2024-05-07"})]
    (episode,) = of_type(bundle, "EpisodeOfCare")
    assert by_url[episode["careManager"]["reference"]]["name"][0]["text"] == "Maeve O'Brien"
    assert by_url[episode["team"][0]["reference"]] is team
    # every step is an encounter at its organisation; the emergency admission is an inpatient one
    admission = next(e for e in of_type(bundle, "Encounter") if e["id"] == "s8")
    assert admission["class"]["code"] == "IMP" and admission["priority"]["coding"][0]["code"] == "EM"
    assert admission["period"] == {"start": "2024-01-20T03:10:00+00:00", "end": "2024-02-12"}
    assert by_url[admission["serviceProvider"]["reference"]]["name"] == "Torbay Hospital"
    home = next(e for e in of_type(bundle, "Encounter") if e["id"] == "s15")
    assert home["class"]["code"] == "HH" and home["status"] == "finished"
    # the plan: its activities have owners and goals, its goals are in her words
    (plan,) = of_type(bundle, "CarePlan")
    assert len(plan["activity"]) == len(demo_case.care_plan.actions) and plan["created"] == "2024-05-07"
    first = plan["activity"][0]["detail"]
    assert first["description"] == demo_case.care_plan.actions[0].description
    assert by_url[first["performer"][0]["reference"]]["name"][0]["text"] == "Karen Lowe"
    assert by_url[first["goal"][0]["reference"]]["description"]["text"] == "I want to get to church on Sundays again"
    role = next(r for r in of_type(bundle, "PractitionerRole") if r["id"] == "dn1-role")
    codes = {(c["system"], c["code"]) for concept in role["code"] for c in concept["coding"]}
    assert (SNOMED, "768820003") in codes  # the current coordinator's role says so too


def test_fullurls_are_stable_and_belong_to_the_case(demo_case: Case) -> None:
    first = export_fhir(demo_case, today=TODAY)
    assert export_fhir(copy.deepcopy(demo_case), today=TODAY) == first
    other = copy.deepcopy(demo_case)
    other.person.nhs_number = "4010232137"
    urls = {e["fullUrl"] for e in first["entry"]}
    assert urls.isdisjoint(e["fullUrl"] for e in export_fhir(other, today=TODAY)["entry"])


def test_the_anonymised_export_holds_no_identifiers(demo_case: Case) -> None:
    bundle = export_fhir(demo_case, anonymise=True, today=TODAY)
    check_bundle(bundle)  # still a valid R4 bundle
    text = json.dumps(bundle, ensure_ascii=False)
    person = demo_case.person
    identifying = [person.name, "Smith", person.nhs_number, "1937-04-02", person.postcode]
    identifying += [m.name for m in demo_case.team] + [m.contact for m in demo_case.team if m.contact]
    for value in identifying:
        assert value and value not in text, value
    (patient,) = of_type(bundle, "Patient")
    assert patient["name"][0]["text"] == "Mrs S" and "birthDate" not in patient
    assert "identifier" not in patient or all("9434765919" not in json.dumps(i) for i in patient["identifier"])
    # dates are moved (intervals kept); ids cannot link two anonymised exports of the same person
    first_start = min(e["period"]["start"][:10] for e in of_type(bundle, "Encounter"))
    assert first_start.startswith("2000-01")
    again = export_fhir(demo_case, anonymise=True, today=TODAY)
    assert {e["fullUrl"] for e in bundle["entry"]}.isdisjoint(e["fullUrl"] for e in again["entry"])
    named = export_fhir(demo_case, anonymise=True, alias="Mrs A", today=TODAY)
    assert of_type(named, "Patient")[0]["name"][0]["text"] == "Mrs A"


def test_times_carry_the_uk_offset_and_names_split_back_exactly() -> None:
    assert uk_offset(datetime(2024, 1, 19, 21, 40)) == "+00:00"
    assert uk_offset(datetime(2024, 3, 31, 0, 59)) == "+00:00"  # BST starts 01:00 GMT, 31 Mar 2024
    assert uk_offset(datetime(2024, 3, 31, 2, 0)) == "+01:00"
    assert uk_offset(datetime(2024, 10, 27, 0, 30)) == "+01:00"
    assert uk_offset(datetime(2024, 10, 27, 2, 0)) == "+00:00"
    assert fhir_moment(date(2024, 1, 8)) == "2024-01-08"
    assert fhir_moment(datetime(2024, 6, 1, 9, 5, 30)) == "2024-06-01T09:05:30+01:00"
    assert human_name("Dr Anita Shah") == {"text": "Dr Anita Shah", "prefix": ["Dr"], "given": ["Anita"],
                                           "family": "Shah"}
    assert human_name("Mrs Smith") == {"text": "Mrs Smith", "prefix": ["Mrs"], "family": "Smith"}
    assert human_name("odd  spacing") == {"text": "odd  spacing"}


# -- round trips ------------------------------------------------------------------------------------------
def test_the_demo_round_trip_keeps_person_team_coordinator_steps_and_plan(demo_case: Case) -> None:
    back = round_trip(demo_case)
    assert kept_parts(back) == kept_parts(demo_case)
    assert back.current_coordinator() == demo_case.current_coordinator()


def test_a_large_generated_case_round_trips(tmp_path: Path) -> None:
    case = case_from_dict(large_case_dict(300))
    back = round_trip(case, years=None)  # 300 steps 3 days apart: longer than the default window
    assert kept_parts(back) == kept_parts(case)
    windowed = round_trip(case)
    latest = max(s.start_date for s in case.steps)
    assert {s.id for s in windowed.steps} == {s.id for s in case.steps if s.start_date >= latest.replace(year=latest.year - 3)}


def _text(value: str | None) -> str | None:
    return value.strip() if value is not None and value.strip() else None


def _same_text(original: str | None, imported: str | None) -> bool:
    """Exported text comes back stripped; FHIR has no empty strings, so blank text comes back absent."""
    return _text(original) == _text(imported)


def _name(value: str | None) -> str:
    """A name as a round trip keeps it; "?" for a blank one (FHIR has no empty strings, so the import
    names it "Name not recorded", "Organisation <id>" or "Practitioner <id>")."""
    text = _text(value)
    if text is None or text == "Name not recorded" or re.fullmatch(r"(Organisation|Practitioner|RelatedPerson) \S*", text):
        return "?"
    return text


def _filled(part: Any) -> Any:
    """A group of optional fields, or None when none is set (as a case file reads it back)."""
    return part if part is not None and any(value is not None for value in vars(part).values()) else None


def _essentials(case: Case) -> dict[str, Any]:
    """What a round trip keeps of any case, with text as FHIR can carry it (stripped, never blank)."""
    orgs = {o.id: o for o in case.organisations}
    members = {m.id: m for m in case.team}

    def owner(ident: str | None) -> Any:
        if ident is None:
            return None
        item = orgs.get(ident) or members.get(ident)
        return (type(item).__name__, _name(item.name)) if item else None

    person = case.person
    plan = case.care_plan
    goal_words = {g.id: _text(g.in_my_words) for g in plan.goals} if plan else {}
    return {
        "person": (_name(person.name), person.nhs_number, person.date_of_birth, person.sex,
                   _text(person.area), _text(person.postcode), person.living_situation, person.frailty and (
                       person.frailty.scale, person.frailty.score, person.frailty.assessed_on),
                   person.consent and (person.consent.status, person.consent.recorded_on),
                   person.preferred_place_of_care, _text(person.what_matters)),
        "conditions": sorted({c.strip().casefold() for c in person.conditions if c.strip()}),
        "organisations": [(_name(o.name), o.sector, _text(o.area), o.payment_model, o.regulators,
                           o.cqc_registered, o.shared_record_access, o.funding_term, _filled(o.codes),
                           _filled(o.oversight)) for o in case.organisations],
        "team": [(_name(m.name), m.role, owner(m.organisation), m.contact, m.professional_register)
                 for m in case.team],
        "coordinator": sorted({(owner(c.member), c.start, c.end, _text(c.reason)) for c in case.coordinator},
                              key=repr),
        "steps": sorted(((s.kind, s.stage, s.setting, s.start, s.end, owner(s.organisation), s.emergency,
                          s.funding, _text(s.label), s.ready_for_discharge, s.delay_reason, s.delay_attribution,
                          s.assessment_domain, _text(s.service_line), _text(s.contract), s.chc_status,
                          s.permanent, _text(s.notes)) for s in case.steps), key=repr),
        "plan": plan and (
            plan.version, plan.agreed_on, plan.review_on, _text(plan.contingency),
            [owner(m) for m in plan.signed_off_by],
            [(_text(g.in_my_words) or "(not recorded)", _text(g.outcome), g.target_date, g.status or "active")
             for g in plan.goals],
            [(_text(a.description) or "(not recorded)", a.goal and goal_words[a.goal], owner(a.owner), a.due,
              _text(a.frequency), a.status) for a in plan.actions]),
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_any_generated_case_exports_validly_and_round_trips(case: Case) -> None:
    bundle = export_fhir(case, today=TODAY)
    check_bundle(bundle)
    back = import_fhir(json.loads(json.dumps(bundle)), years=None).case
    assert _essentials(back) == _essentials(case)


def test_two_same_day_coordinator_periods_with_their_own_reasons_both_come_back(demo_case: Case) -> None:
    """Found by the property test above: a member named coordinator twice on one day (two periods of
    no length, the second with a reason) came back as one period."""
    from dataclasses import replace

    from planner.model import Coordination

    member = demo_case.team[0].id
    day = date(2015, 1, 1)
    case = replace(demo_case, coordinator=[Coordination(member, day, day, None),
                                           Coordination(member, day, day, "Named at MDT")])
    back = import_fhir(json.loads(json.dumps(export_fhir(case, today=TODAY))), years=None).case
    assert _essentials(back)["coordinator"] == _essentials(case)["coordinator"]
    assert len(back.coordinator) == 2


# -- import: the shared data --------------------------------------------------------------------------------
def _shared_fhir_files(shared_dir: Path) -> list[Path]:
    external = shared_dir / "data" / "external"
    return sorted((external / "synthea").rglob("*.json")) + sorted((external / "hl7-r4-examples").glob("*.json"))


def test_every_shared_fhir_file_imports_or_is_refused_clearly(shared_dir: Path) -> None:
    files = _shared_fhir_files(shared_dir)
    assert len(files) == 36
    imported, refused = [], []
    for path in files:
        try:
            result = read_fhir_file(path)
        except FhirImportError as error:
            message = str(error)
            assert path.parent.name == "hl7-r4-examples", message
            assert ("cannot start a case: a case is about one person" in message
                    or "not FHIR: the file has no resourceType" in message), message
            refused.append(path.name)
            continue
        case = result.case
        assert case_from_dict(case_to_dict(case)) == case  # a valid case file, as a user's would be
        report = result.report
        if "synthea" in path.parts:
            assert case.steps and case.organisations and case.person.date_of_birth
            window = report.window
            assert window is not None and window.start is not None and window.latest is not None
            assert window.start.year == window.latest.year - 3
            assert all((s.end_date or s.start_date) >= window.start for s in case.steps)
            unknown = [o for o in case.organisations if o.sector == UNKNOWN_SECTOR]
            assert sorted(o.id for o in unknown) == sorted(case.extensions[IMPORT_KEY].get("sector_unknown", []))
            for org in unknown:
                assert any(org.name in line and "sector unknown" in line for line in report.attention)
            assert "Observation" in (report.unused_line() or "")
        imported.append(path.name)
    assert sorted(refused) == sorted(p.name for p in files if p.parent.name == "hl7-r4-examples"
                                     and not p.name.startswith("Patient-"))
    assert len(imported) == 9 + 2  # the nine Synthea bundles and the two Patient examples


def test_the_largest_synthea_bundle_becomes_a_usable_case(shared_dir: Path) -> None:
    path = shared_dir / "data" / "external" / "synthea" / "healthwallet" / "1410801-bundle.json"
    result = read_fhir_file(path)
    case, report = result.case, result.report
    assert case.person.name == "Mr. Rene434 Bednar518" and case.person.sex == "male"
    assert case.person.area == "Worcester" and case.person.date_of_birth == date(1939, 11, 12)
    assert "Stroke" in case.person.conditions and "Acute viral pharyngitis" not in case.person.conditions
    assert report.left_out_encounters == 107 - len(case.steps) and 0 < len(case.steps) < 40
    sectors = {o.name: o.sector for o in case.organisations}
    assert sectors["EMERSON HOSPITAL -"] == "acute"  # its encounters are emergencies
    assert sectors["PCP97117"] == "primary_care"  # it does her check-ups
    attendances = [s for s in case.steps if s.kind == "attendance"]
    assert attendances and all(s.stage == "crisis" and s.emergency and s.setting == "emergency_department"
                               for s in attendances)
    assert {s.kind for s in case.steps} == {"attendance", "contact", "admission"}
    assert case.care_plan is not None and case.care_plan.actions and not case.care_plan.goals
    assert any("care coordinator" in line.lower() for line in report.attention)
    assert any("died" in line for line in report.attention)
    everything = read_fhir_file(path, years=None).case
    assert len(everything.steps) == 107
    since = read_fhir_file(path, since=date(2017, 6, 1)).case
    assert since.steps and all(s.start_date >= date(2017, 6, 1) for s in since.steps)


def test_goals_come_from_the_smart_synthea_care_plans(shared_dir: Path) -> None:
    path = next((shared_dir / "data" / "external" / "synthea" / "smart-generated").glob("Tonia*.json"))
    case = read_fhir_file(path).case
    assert case.care_plan is not None
    words = [g.in_my_words for g in case.care_plan.goals]
    assert "Maintain blood pressure below 140/90 mmHg" in words and len(words) == 5
    diet = next(a for a in case.care_plan.actions if a.description == "Diabetic diet")
    assert diet.goal is None and diet.status == "in_progress"  # a plan of several goals: not guessed


def _hl7_examples(shared_dir: Path, *names: str) -> list[dict[str, Any]]:
    folder = shared_dir / "data" / "external" / "hl7-r4-examples"
    return [json.loads((folder / f"{name}.json").read_text(encoding="utf-8")) for name in names]


def test_hl7_examples_in_one_bundle_resolve_relative_and_contained_references(shared_dir: Path) -> None:
    resources = _hl7_examples(shared_dir, "Patient-example", "Encounter-example", "Encounter-home",
                              "EpisodeOfCare-example", "CareTeam-example", "Condition-stroke", "Goal-example",
                              "Goal-stop-smoking", "Organization-f001", "Organization-hl7", "Practitioner-example",
                              "PractitionerRole-example")
    bundle = {"resourceType": "Bundle", "type": "collection",
              "entry": [{"fullUrl": f"http://hl7.org/fhir/{r['resourceType']}/{r['id']}", "resource": r}
                        for r in resources]}
    outside = import_fhir(bundle)  # the care manager is not in the file: kept as "not in this file", reported
    assert any("EpisodeOfCare/example careManager → Amanda Assigned (Practitioner/14)" in line
               for line in outside.report.attention)
    assert [m.name for m in outside.case.team if m.id == outside.case.coordinator[0].member] == ["Amanda Assigned"]
    episode = next(r for r in resources if r["resourceType"] == "EpisodeOfCare")
    episode["careManager"] = {"display": "Amanda Assigned"}  # the name alone: no broken reference
    result = import_fhir(bundle)
    case = result.case
    assert case.person.name == "Peter James Chalmers" and case.person.area == "Rainbow"
    assert case.person.conditions == ["Stroke"]
    team = {m.name: m for m in case.team}
    assert team["Dorothy Dietician"].organisation is not None  # contained in the CareTeam, on behalf of f001
    assert case.organisation(team["Dorothy Dietician"].organisation).name == "Burgers University Medical Center"
    assert case.organisation(team["Dorothy Dietician"].organisation).sector == "acute"  # "University Medical Hospital"
    (coordinator,) = case.coordinator
    assert team["Amanda Assigned"].id == coordinator.member and coordinator.start == date(2014, 9, 1)
    (step,) = case.steps  # the in-progress inpatient encounter has no period: skipped
    assert (step.kind, step.setting, step.stage) == ("contact", "home", "at_home")
    assert case.organisation(step.organisation).name == "Organisation not recorded"
    assert any("no serviceProvider" in line for line in result.report.attention)
    assert any("without a start date" in line for line in result.report.skipped)
    goals = {g.in_my_words: g for g in case.care_plan.goals}
    assert goals["Stop smoking"].status == "achieved"
    assert goals["Target weight is 160 to 180 lbs."].outcome == "Weight Measured: 160–180 lbs"
    assert goals["Target weight is 160 to 180 lbs."].target_date == date(2016, 4, 5)


# -- import: mapping rules on small bundles ---------------------------------------------------------------
def test_encounters_become_steps_with_kind_stage_setting_and_discharge() -> None:
    nubc = "http://www.nubc.org/patient-discharge"
    bundle = bundle_of(
        PATIENT,
        organisation("acute", "Torbay Hospital"),
        organisation("gp", "Brixham Road Surgery", type=[{"text": "GP practice"}]),
        organisation("nurses", "Torbay Community Nursing"),
        encounter("e1", "AMB", "2024-01-08T10:00:00+00:00", org="Organization/gp",
                  type=[{"text": "Review"}], reasonCode=[{"text": "Breathless"}]),
        encounter("e2", "EMER", "2024-01-19T22:30:00+00:00", "2024-01-20T03:10:00+00:00"),
        encounter("e3", "IMP", "2024-01-20T03:10:00+00:00", "2024-02-12T11:00:00+00:00",
                  hospitalization={"dischargeDisposition": {"coding": [{"system": nubc, "code": "03"}]}}),
        encounter("e4", "HH", "2024-02-26", org="Organization/nurses"),
        encounter("e5", "VR", "2024-03-01T09:00:00Z", org="Organization/gp"),
        encounter("e6", "IMP", "2024-03-02", "2024-03-09", priority={"coding": [
            {"system": "http://terminology.hl7.org/CodeSystem/v3-ActPriority", "code": "EL"}]},
                  hospitalization={"dischargeDisposition": {"text": "Died on the ward"}}),
        encounter("e7", "XYZ", "2024-03-10"),
        {**encounter("e8", "AMB", "2024-03-11"), "status": "cancelled"},
    )
    result = import_fhir(bundle)
    steps = {s.id: s for s in result.case.steps}
    assert (steps["e1"].kind, steps["e1"].stage, steps["e1"].setting) == ("contact", "at_home", "gp_surgery")
    assert steps["e1"].label == "Review: Breathless" and steps["e1"].start == datetime(2024, 1, 8, 10, 0)
    assert (steps["e2"].kind, steps["e2"].stage, steps["e2"].setting, steps["e2"].emergency) == (
        "attendance", "crisis", "emergency_department", True)
    assert (steps["e3"].kind, steps["e3"].setting, steps["e3"].emergency) == ("admission", "acute_ward", True)
    discharge = next(s for s in result.case.steps if s.kind == "discharge")
    assert (discharge.stage, discharge.setting, discharge.start) == ("step_down", "nursing_home", steps["e3"].end)
    assert discharge.organisation == steps["e3"].organisation
    assert (steps["e4"].kind, steps["e4"].setting) == ("contact", "home")
    assert (steps["e5"].kind, steps["e5"].setting) == ("contact", "phone")
    assert steps["e6"].emergency is False
    death = next(s for s in result.case.steps if s.kind == "death")
    assert death.start == date(2024, 3, 9) and death.label == "Died"
    assert steps["e7"].kind == "contact" and "e8" not in steps
    assert any("class “XYZ”" in line for line in result.report.attention)
    assert any("1 encounters cancelled" in line for line in result.report.skipped)
    sectors = {o.id: o.sector for o in result.case.organisations}
    assert sectors == {"acute": "acute", "gp": "primary_care", "nurses": "community_health"}
    (inferred,) = [line for line in result.report.attention if line.startswith("Sectors inferred")]
    assert "Torbay Hospital: Acute hospital" in inferred and "Torbay Community Nursing: Community health" in inferred
    assert "Brixham Road Surgery" not in inferred  # its type says "GP practice"


def test_unknown_sectors_are_flagged_never_guessed_as_acute() -> None:
    bundle = bundle_of(
        PATIENT,
        organisation("clinic", "Harbour Clinic", type=[{"coding": [
            {"system": "http://terminology.hl7.org/CodeSystem/organization-type", "code": "prov"}]}]),
        organisation("charity", "Befriending Circle", type=[{"coding": [
            {"system": "http://terminology.hl7.org/CodeSystem/organization-type", "code": "cg"}]}]),
        organisation("practice", "Her GP"),
        {**PATIENT, "generalPractitioner": [{"reference": "Organization/practice"}]},
        encounter("e1", "AMB", "2024-01-08", org="Organization/clinic"),
        encounter("e2", "AMB", "2024-01-09", org="Organization/charity"),
    )
    del bundle["entry"][0]  # the second Patient (with her GP) is the one
    result = import_fhir(bundle)
    sectors = {o.id: o.sector for o in result.case.organisations}
    assert sectors == {"clinic": UNKNOWN_SECTOR, "charity": "voluntary", "practice": "primary_care"}
    assert result.case.extensions == {IMPORT_KEY: {
        "window": result.report.window.describe(), "left_out_encounters": 0, "sector_unknown": ["clinic"]}}
    (flag,) = [line for line in result.report.attention if "sector unknown" in line]
    assert "Harbour Clinic" in flag and "1 ambulatory" in flag and "Organisations tab" in flag
    assert any("Befriending Circle: Voluntary and community (from its type" in line for line in result.report.mapped)


def test_references_by_urn_conditional_and_contained_and_the_coordinator() -> None:
    ods = "https://fhir.nhs.uk/Id/ods-organization-code"
    patient = {**PATIENT}
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000001", "resource": patient},
        {"fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000002",
         "resource": organisation("x1", "Torbay Council", type=[{"text": "Local authority"}],
                                  identifier=[{"system": ods, "value": "00HH"}])},
        {"fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000003",
         "resource": {"resourceType": "Practitioner", "id": "x2", "name": [{"text": "James Reed"}],
                      "telecom": [{"system": "phone", "value": "01803 000 310"}]}},
        {"fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000004",
         "resource": {"resourceType": "PractitionerRole", "id": "x3",
                      "practitioner": {"reference": "urn:uuid:00000000-0000-4000-8000-000000000003"},
                      "organization": {"reference": f"Organization?identifier={ods}|00HH"},
                      "code": [{"coding": [{"system": SNOMED, "code": "106328005"}]}]}},
        {"fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000005",
         "resource": encounter("x4", "AMB", "2024-02-01", org=f"Organization?identifier={ods}|00HH")
         | {"subject": {"reference": "urn:uuid:00000000-0000-4000-8000-000000000001"}}},
        {"fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000006",
         "resource": {"resourceType": "CarePlan", "id": "x5", "status": "active", "intent": "plan",
                      "subject": {"reference": "urn:uuid:00000000-0000-4000-8000-000000000001"},
                      "contained": [
                          {"resourceType": "Goal", "id": "g", "lifecycleStatus": "active",
                           "description": {"text": "Back to church on Sundays"},
                           "subject": {"reference": "urn:uuid:00000000-0000-4000-8000-000000000001"}},
                          {"resourceType": "CareTeam", "id": "t", "participant": [
                              {"role": [{"coding": [{"system": SNOMED, "code": "768820003"}]}],
                               "member": {"reference": "urn:uuid:00000000-0000-4000-8000-000000000004"},
                               "period": {"start": "2024-02-12"}},
                              {"role": [{"text": "Daughter"}], "member": {"reference": "#rp"}}]},
                          {"resourceType": "RelatedPerson", "id": "rp", "name": [{"text": "Susan Harris"}],
                           "patient": {"reference": "urn:uuid:00000000-0000-4000-8000-000000000001"}}],
                      "careTeam": [{"reference": "#t"}], "goal": [{"reference": "#g"}],
                      "activity": [{"detail": {"status": "in-progress", "description": "Weekly walk",
                                               "performer": [{"reference": "#rp"}]}}]}},
    ]}
    case = import_fhir(bundle).case
    assert case.person.nhs_number == "9434765919" and case.person.area == "Torbay"
    (council,) = case.organisations
    assert (council.name, council.sector, council.codes.ods) == ("Torbay Council", "local_authority", "00HH")
    team = {m.name: m for m in case.team}
    assert (team["James Reed"].role, team["James Reed"].organisation) == ("social_worker", council.id)
    assert team["James Reed"].contact == "01803 000 310"
    assert team["Susan Harris"].role == "family_carer"
    (period,) = case.coordinator
    assert (period.member, period.start, period.end) == (team["James Reed"].id, date(2024, 2, 12), None)
    (goal,) = case.care_plan.goals
    (action,) = case.care_plan.actions
    assert (action.goal, action.owner) == (goal.id, team["Susan Harris"].id)  # the plan's only goal


def test_overlapping_coordinators_are_closed_and_flagged() -> None:
    def episode(ident: str, who: str, start: str) -> dict[str, Any]:
        return {"resourceType": "EpisodeOfCare", "id": ident, "status": "active",
                "patient": {"reference": "Patient/p1"}, "period": {"start": start},
                "careManager": {"display": who}}

    result = import_fhir(bundle_of(PATIENT, episode("a", "Ann Lee", "2024-01-01"),
                                   episode("b", "Bob Ray", "2024-03-01")))
    names = {m.id: m.name for m in result.case.team}
    periods = [(names[c.member], c.start, c.end) for c in result.case.coordinator]
    assert periods == [("Ann Lee", date(2024, 1, 1), date(2024, 3, 1)), ("Bob Ray", date(2024, 3, 1), None)]
    assert any("Coordinator periods overlap" in line for line in result.report.attention)


# -- import: bad input, refused whole ---------------------------------------------------------------------
BAD_INPUT = [
    ([1, 2], "not FHIR: a FHIR resource is a JSON object, and this is a JSON array"),
    ({"name": "Mrs Smith"}, "not FHIR: the JSON object has no resourceType"),
    ({"resourceType": "Bundle", "type": "history", "entry": []}, "a 'history' Bundle cannot start a case"),
    ({"resourceType": "Bundle", "type": "collection", "entry": []}, "the Bundle holds no Patient"),
    ({"resourceType": "Bundle", "type": "collection", "fhirVersion": "5.0.0", "entry": []},
     "this is FHIR 5.0.0, not R4"),
    (bundle_of(PATIENT, {"resourceType": "Encounter", "id": "e", "status": "finished",
                         "class": [{"coding": [{"code": "AMB"}]}], "actualPeriod": {"start": "2024-01-01"}}),
     "this looks like FHIR R5, not R4 (Encounter/e: Encounter.class is a list)"),
    (bundle_of(PATIENT, {"resourceType": "Condition", "id": "c", "clinicalStatus": "active",
                         "code": {"text": "Stroke"}}), "this looks like FHIR STU3 or DSTU2, not R4"),
    (bundle_of(PATIENT, {"resourceType": "ProcedureRequest", "id": "r"}), "ProcedureRequest was removed in R4"),
    ({**PATIENT, "fhir_comments": ["a DSTU2 comment"]}, "this looks like FHIR DSTU2"),
    (bundle_of(PATIENT, {**PATIENT, "id": "p2"}), "the file holds 2 patients"),
    (bundle_of(PATIENT, {"resourceType": "CarePlan", "id": "cp", "status": "active", "intent": "plan",
                         "subject": {"reference": "Patient/p1"}, "goal": [{"reference": "#missing"}]}),
     "goal[0] refers to '#missing', which is not in the file (a broken reference)"),
    (bundle_of(PATIENT, organisation("acute", "Torbay Hospital"),
               encounter("e", "AMB", "2024-01-01", org="Patient/p1")),
     "serviceProvider refers to a Patient ('Patient/p1') where Organization is expected"),
    ({"resourceType": "Encounter", "status": "finished", "class": {"code": "AMB"},
      "subject": {"reference": "Patient/x"}}, "a single Encounter cannot start a case"),
]


@pytest.mark.parametrize(("data", "message"), BAD_INPUT)
def test_bad_input_is_refused_with_a_clear_message(data: Any, message: str) -> None:
    with pytest.raises(FhirImportError) as caught:
        import_fhir(data)
    assert message in str(caught.value)
    assert isinstance(caught.value, CaseFileError) and len(caught.value.problems) == 1


def test_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"resourceType": "Bundle", ', encoding="utf-8")
    with pytest.raises(CaseFileError, match="not valid JSON"):
        read_fhir_file(path)
    assert is_fhir({"resourceType": "Patient"}) and not is_fhir({"format": "pathway-planner/case"})


# -- the command line ----------------------------------------------------------------------------------
def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _bundle_file(tmp_path: Path, data: dict[str, Any], name: str = "bundle.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_cli_imports_a_fhir_bundle_with_its_report_on_stderr(
        capsys: pytest.CaptureFixture[str], db_url: str, shared_dir: Path) -> None:
    path = shared_dir / "data" / "external" / "synthea" / "healthwallet" / "1386803-bundle.json"
    code, out, err = run(capsys, "--db", db_url, "import", str(path))
    assert code == 0 and out.strip() == "1"
    assert err.startswith(f"FHIR import of {path}") and "Time window: from" in err
    assert "Needs your attention" in err and "older history, left out of the pathway" in err
    code, out, err = run(capsys, "--db", db_url, "import", "--years", "0", str(path))
    assert code == 0 and out.strip() == "2" and "the whole history, as asked" in err
    code, out, _ = run(capsys, "--db", db_url, "cases", "--json")
    rows = json.loads(out)
    assert rows[0]["title"] == rows[1]["title"] == "Mrs. Perla570 Vandervort697"
    assert rows[1]["steps"] > rows[0]["steps"]
    code, _, err = run(capsys, "--db", db_url, "audit", "1", "--json")
    assert code == 0


def test_cli_window_options(capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path) -> None:
    path = _bundle_file(tmp_path, bundle_of(PATIENT, organisation("acute", "Torbay Hospital"),
                                            encounter("old", "AMB", "2015-01-01"),
                                            encounter("new", "AMB", "2024-01-01")))
    code, out, err = run(capsys, "--db", db_url, "import", "--since", "2014-06-01", str(path))
    assert code == 0 and "from 1 Jun 2014, as asked" in err
    code, out, _ = run(capsys, "--db", db_url, "export-case", out.strip(), "--out", str(tmp_path / "c.json"))
    assert len(json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))["steps"]) == 2
    with pytest.raises(SystemExit) as stopped:
        main(["--db", db_url, "import", "--since", "2024-02-30", str(path)])
    assert stopped.value.code == 2 and "is not a real date" in capsys.readouterr().err
    code, _, err = run(capsys, "--db", db_url, "import", "--since", "1 Jun 2014", str(path))
    assert code == 0 and "from 1 Jun 2014, as asked" in err  # typed as the application shows dates
    code, _, err = run(capsys, "--db", db_url, "import", "--since", "01/06/2014", str(path))
    assert code == 0 and "from 1 Jun 2014, as asked" in err
    with pytest.raises(SystemExit) as stopped:
        main(["--db", db_url, "import", "--since", "31/02/2024", str(path)])
    assert stopped.value.code == 2 and "not a real date" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--db", db_url, "import", "--since", "2024-01-01", "--years", "2", str(path)])
    capsys.readouterr()


@pytest.mark.parametrize(("data", "message"), [
    (BAD_INPUT[1][0], "it is neither a case file (no \"format\") nor FHIR (no \"resourceType\")"),
    BAD_INPUT[5], BAD_INPUT[10]])
def test_cli_refuses_bad_fhir_and_imports_nothing(capsys: pytest.CaptureFixture[str], db_url: str,
                                                  tmp_path: Path, data: Any, message: str) -> None:
    run(capsys, "--db", db_url, "cases")
    path = _bundle_file(tmp_path, data)
    code, out, err = run(capsys, "--db", db_url, "import", str(path))
    assert code == 1 and out == ""
    assert message in err and err.startswith("pathway-planner: ")
    assert run(capsys, "--db", db_url, "cases", "--json")[1].strip() == "[]"


def test_cli_case_files_still_import(capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path) -> None:
    path = _bundle_file(tmp_path, demo_dict(), "demo.case.json")
    code, out, err = run(capsys, "--db", db_url, "import", str(path))
    assert (code, out.strip(), err) == (0, "1", "")


def test_cli_export_fhir_writes_a_valid_bundle_that_imports_back(
        capsys: pytest.CaptureFixture[str], demo_database: Any, db_url: str, tmp_path: Path) -> None:
    out_file = tmp_path / "mrs-smith.fhir.json"
    code, out, _ = run(capsys, "--db", db_url, "export-fhir", "Mrs Smith, Torbay", "--out", str(out_file))
    assert code == 0 and out.strip() == str(out_file)
    bundle = json.loads(out_file.read_text(encoding="utf-8"))
    check_bundle(bundle)
    code, out, err = run(capsys, "--db", db_url, "import", str(out_file))
    assert code == 0 and "Nothing" not in out
    code, _, _ = run(capsys, "--db", db_url, "export-case", out.strip(), "--out", str(tmp_path / "back.json"))
    back = case_from_dict(json.loads((tmp_path / "back.json").read_text(encoding="utf-8")))
    original = case_from_dict(demo_dict())
    assert kept_parts(back) == kept_parts(original)
    code, out, _ = run(capsys, "--db", db_url, "audit", "1", "--json")
    assert any(event["details"].get("format") == "fhir" for event in json.loads(out))
    code, _, err = run(capsys, "--db", db_url, "export-fhir", "No such case", "--out", str(tmp_path / "x.json"))
    assert code == 1 and "No such case" in err and not (tmp_path / "x.json").exists()


def test_cli_export_fhir_anonymised(capsys: pytest.CaptureFixture[str], demo_database: Any, db_url: str,
                                    tmp_path: Path) -> None:
    out_file = tmp_path / "anonymised.fhir.json"
    code, _, err = run(capsys, "--db", db_url, "export-fhir", "1", "--out", str(out_file), "--alias", "Mrs A")
    assert code == 1 and "add --anonymised" in err and not out_file.exists()
    code, _, _ = run(capsys, "--db", db_url, "export-fhir", "1", "--out", str(out_file), "--anonymised",
                     "--alias", "Mrs A")
    text = out_file.read_text(encoding="utf-8")
    assert code == 0 and "Edith" not in text and "9434765919" not in text and "Mrs A" in text
    check_bundle(json.loads(text))
    code, out, _ = run(capsys, "--db", db_url, "audit", "1", "--json")
    assert any(e["details"].get("format") == "fhir" and e["details"].get("anonymised") for e in json.loads(out))


# -- the application --------------------------------------------------------------------------------------
def test_gui_imports_a_fhir_bundle_and_shows_the_report(window: Any, monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
    from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

    path = _bundle_file(tmp_path, bundle_of(
        PATIENT, organisation("acute", "Torbay Hospital"), organisation("clinic", "Harbour Clinic"),
        encounter("old", "AMB", "2015-01-01", org="Organization/clinic"),
        encounter("e1", "EMER", "2024-01-19T22:30:00Z", "2024-01-20T03:10:00Z"),
        encounter("e2", "AMB", "2024-02-01", org="Organization/clinic")))
    asked: list[int] = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    monkeypatch.setattr(QInputDialog, "getInt", lambda *a, **k: asked.append(a[3]) or (3, True))
    shown: list[QMessageBox] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box) or 0)
    window.import_case_file()
    assert asked == [3]  # the default window, offered for the user to change
    (box,) = shown
    assert box.windowTitle() == "FHIR import report"
    assert "Imported “Mrs Edith Smith” from bundle.json: 2 steps, 2 organisations" in box.text()
    assert "older encounters were left out" in box.informativeText()
    assert "Harbour Clinic: sector unknown" in box.informativeText()
    assert "Mapped" in box.detailedText() and "Skipped" in box.detailedText()
    assert window.case is not None and window.case.person.name == "Mrs Edith Smith"
    assert len(window.case.steps) == 2


def test_gui_refuses_bad_fhir_and_exports_a_bundle(window: Any, monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    bad = _bundle_file(tmp_path, BAD_INPUT[10][0], "broken.json")
    shown: list[QMessageBox] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box) or 0)
    before = window.case_model.rowCount()
    assert window.import_path(str(bad), years=3) is None
    assert "broken reference" in shown[0].informativeText() or "not in the file" in shown[0].informativeText()
    assert window.case_model.rowCount() == before
    out = tmp_path / "exported.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    assert window.fhir_export_action.isEnabled()

    def choose(text: str) -> None:  # answer "who is the bundle for?" with the button named ``text``
        def press(box: QMessageBox) -> int:
            shown.append(box)
            box.clickedButton = lambda: next(b for b in box.buttons() if b.text().startswith(text))  # type: ignore[method-assign]
            return 0
        monkeypatch.setattr(QMessageBox, "exec", press)

    choose("Identifiable")
    window.fhir_export_action.trigger()
    assert shown[-1].text() == "Who is the bundle for?"
    bundle = json.loads(out.read_text(encoding="utf-8"))
    check_bundle(bundle)
    assert of_type(bundle, "Patient")[0]["name"][0]["text"] == window.case.person.name
    choose("Anonymised")
    window.fhir_export_action.trigger()
    text = out.read_text(encoding="utf-8")
    check_bundle(json.loads(text))
    assert window.case.person.name not in text and '"text": "Mrs S"' in text


def test_report_text_lists_every_section() -> None:
    result = import_fhir(bundle_of(PATIENT))
    text = result.report.as_text()
    assert text.splitlines()[0] == "FHIR import: a collection Bundle of 1 resources"
    assert "Mapped (1):\n  - Patient → person: Mrs Edith Smith, born 2 Apr 1937, Torbay, with an NHS number" in text
    assert "Skipped: none" in text and "Needs your attention (1):" in text
    assert re.search(r"No care coordinator is named", text)
