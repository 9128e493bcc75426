"""FHIR exports a receiving system accepts (issue 18), and the anonymised bundle (issue 16):
the conformance package and `pathway-planner fhir-package`, narrative, UK Core checks written as
plain checks, coded relationships, handoffs and the title, the round trip over generated cases,
and the de-identification label, names and time offsets of an anonymised bundle."""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from planner.casefile import case_from_dict
from planner.fhir import export_fhir, import_fhir
from planner.fhir.conformance import build_package, definitions, dumps, shipped_package
from planner.model import RECORD_KEY, Case, Handoff, Member
from tests.factories import large_case_dict
from tests.test_fhir import TODAY, check_bundle, of_type, run
from tests.test_rules_properties import cases

BASE = "https://pathway-planner.example/fhir"
UK_CORE = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-"
ODS = "https://fhir.nhs.uk/Id/ods-organization-code"
NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number"
ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
XHTML = "{http://www.w3.org/1999/xhtml}"


def resources(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [entry["resource"] for entry in bundle["entry"]]


def _walk(value: Any, path: str = "") -> Any:
    """Every (path, object) in a JSON value."""
    if isinstance(value, dict):
        yield path, value
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item, path)


# -- 1. the conformance package ----------------------------------------------------------------
def test_the_shipped_package_is_the_one_built_from_the_vocabulary() -> None:
    built = {name: dumps(content) for name, content in build_package().items()}
    assert shipped_package() == built, "run: python -m planner.fhir.conformance resources/fhir"
    manifest = json.loads(shipped_package()["package.json"])
    assert manifest["canonical"] == BASE and manifest["fhirVersions"] == ["4.0.1"]


def _check_resolves(bundle: dict[str, Any]) -> set[str]:
    """Every extension of ours and every code of our systems in the bundle has its definition in the
    package: the StructureDefinition (with a slice for each part), the CodeSystem with that code,
    and for a coded part the code in the bound ValueSet's system. Returns the urls checked."""
    known = definitions()
    seen: set[str] = set()
    for _path, node in _walk(bundle):
        url = node.get("url")
        if isinstance(url, str) and url.startswith(BASE) and ("extension" in node or any(k.startswith("value") for k in node)):
            seen.add(url)
            definition = known.get(url)
            assert definition is not None and definition["resourceType"] == "StructureDefinition", url
            slices = {e["sliceName"]: e for e in definition["differential"]["element"] if "sliceName" in e}
            for part in node.get("extension", []):
                assert part["url"] in slices, (url, part["url"])
                value_id = f"Extension.extension:{part['url']}.value[x]"
                element = next(e for e in definition["differential"]["element"] if e["id"] == value_id)
                kinds = [key for key in part if key.startswith("value")]
                assert kinds == [f"value{element['type'][0]['code'][0].upper()}{element['type'][0]['code'][1:]}"]
                if "binding" in element:
                    value_set = known[element["binding"]["valueSet"]]
                    system = known[value_set["compose"]["include"][0]["system"]]
                    assert part["valueCode"] in {c["code"] for c in system["concept"]}, (url, part)
        system = node.get("system")
        if isinstance(system, str) and system.startswith(BASE) and "code" in node:
            seen.add(system)
            code_system = known.get(system)
            assert code_system is not None and code_system["resourceType"] == "CodeSystem", system
            assert node["code"] in {c["code"] for c in code_system["concept"]}, (system, node["code"])
    return seen


def test_every_extension_and_code_system_in_an_export_resolves_to_the_package(demo_case: Case) -> None:
    seen = _check_resolves(export_fhir(demo_case, today=TODAY))
    seen |= _check_resolves(export_fhir(demo_case, anonymise=True, today=TODAY))
    seen |= _check_resolves(export_fhir(case_from_dict(large_case_dict(60)), today=TODAY))
    # the demo uses every extension and our main code systems
    assert {f"{BASE}/StructureDefinition/{name}" for name in (
        "person-details", "organisation-details", "step-details", "team-member-details", "coordination-reason",
        "care-plan-details", "case-details")} <= seen
    assert {f"{BASE}/CodeSystem/{name}" for name in ("sector", "step-kind", "team-role", "handoff",
                                                     "handoff-method", "care-plan-category")} <= seen


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_a_generated_case_s_extensions_and_codes_resolve_to_the_package(case: Case) -> None:
    _check_resolves(export_fhir(case, today=TODAY))


def test_the_fhir_package_command(capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "package"
    code, printed, err = run(capsys, "--db", db_url, "fhir-package", "--out", str(out))
    assert (code, printed.strip(), err) == (0, str(out), "")
    assert {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()} == shipped_package()
    (out / "package.json").write_text("{}", encoding="utf-8")
    code, _printed, err = run(capsys, "--db", db_url, "fhir-package", "--out", str(out))
    assert code == 1 and "already exists" in err and "--force" in err
    assert (out / "package.json").read_text(encoding="utf-8") == "{}"  # nothing written
    assert run(capsys, "--db", db_url, "fhir-package", "--out", str(out), "--force")[0] == 0
    assert json.loads((out / "package.json").read_text(encoding="utf-8"))["name"] == "pathway-planner.fhir"
    folder = tmp_path / "beside-the-database"  # never over the database, even with --force
    folder.mkdir()
    database = folder / "package.json"
    database.write_bytes(b"SQLite format 3\x00 pretend")
    code, _printed, err = run(capsys, "--db", f"sqlite:///{database}", "fhir-package", "--out", str(folder),
                              "--force")
    assert code == 1 and "is the database Pathway Planner is using" in err
    assert sorted(p.name for p in folder.iterdir()) == ["package.json"]  # nothing written at all
    assert database.read_bytes() == b"SQLite format 3\x00 pretend"


# -- 2. exports a receiver accepts ----------------------------------------------------------------
def test_every_resource_has_generated_escaped_narrative(demo_case: Case) -> None:
    case = copy.deepcopy(demo_case)
    case.steps[0].label = "<script>alert('x')</script> & A&E"
    bundle = export_fhir(case, today=TODAY)
    for resource in resources(bundle):
        text = resource["text"]
        assert text["status"] == "generated"
        div = ET.fromstring(text["div"])  # well-formed XHTML
        assert div.tag == f"{XHTML}div"
        assert {e.tag.removeprefix(XHTML) for e in div.iter()} <= {"div", "p", "b", "ul", "li"}
        assert "".join(div.itertext()).strip()
    first = next(r for r in of_type(bundle, "Encounter") if r["id"] == case.steps[0].id)
    assert "&lt;script&gt;" in first["text"]["div"] and "<script>" not in first["text"]["div"]
    assert "<script>alert('x')</script> & A&E" in "".join(ET.fromstring(first["text"]["div"]).itertext())


def test_the_sector_is_a_coding_beside_the_hl7_organisation_type(demo_case: Case) -> None:
    for org in of_type(export_fhir(demo_case, today=TODAY), "Organization"):
        (concept,) = org["type"]
        systems = [c["system"] for c in concept["coding"]]
        assert systems == ["http://terminology.hl7.org/CodeSystem/organization-type", f"{BASE}/CodeSystem/sector"]
    back = import_fhir(export_fhir(demo_case, today=TODAY)).case
    assert [o.sector for o in back.organisations] == [o.sector for o in demo_case.organisations]


def test_related_person_relationship_is_a_v3_role_code(demo_case: Case) -> None:
    case = copy.deepcopy(demo_case)
    case.team.append(Member("fam9", "Anne Smith (daughter)", "family_carer"))
    bundle = export_fhir(case, today=TODAY)
    relationships = {r["id"]: r["relationship"][0] for r in of_type(bundle, "RelatedPerson")}
    assert set(relationships) == {m.id for m in case.team if m.role == "family_carer"}
    for concept in relationships.values():
        assert concept["coding"][0]["system"] == ROLE_CODE and concept["text"] == "Family carer"
    assert relationships["fam9"]["coding"][0]["code"] == "DAUC"
    others = [c["coding"][0]["code"] for ident, c in relationships.items() if ident != "fam9"]
    assert others and set(others) <= {"FAMMEMB", "SONC", "DAUC", "WIFE", "HUSB", "SPS", "SIS", "NIECE", "NEPHEW",
                                      "NBOR", "FRND"}


def _uk_core_plain_checks(bundle: dict[str, Any]) -> None:
    """UK Core's rules we can check, written out: the profile is claimed, identifiers are in the
    national systems with the right shapes, and references point where the profile says."""
    urls = {entry["fullUrl"]: entry["resource"] for entry in bundle["entry"]}
    (patient_url,) = [u for u, r in urls.items() if r["resourceType"] == "Patient"]
    for kind in ("Patient", "Organization", "Practitioner", "Encounter", "CarePlan", "CareTeam"):
        for resource in of_type(bundle, kind):
            assert resource["meta"]["profile"] == [f"{UK_CORE}{kind}"], (kind, resource["id"])
    for patient in of_type(bundle, "Patient"):
        for identifier in patient.get("identifier", []):
            assert identifier["system"] == NHS_NUMBER and len(identifier["value"]) == 10
            assert identifier["value"].isdigit()
            (status,) = identifier["extension"]
            assert status["url"] == f"{UK_CORE.replace('UKCore-', '')}Extension-UKCore-NHSNumberVerificationStatus"
            (coding,) = status["valueCodeableConcept"]["coding"]
            assert coding["system"] == "https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland"
            assert coding["code"] in {f"0{n}" for n in range(1, 9)}
        assert patient.get("gender", "unknown") in {"male", "female", "other", "unknown"}
    for org in of_type(bundle, "Organization"):
        for identifier in org.get("identifier", []):
            assert identifier["system"] and identifier["value"]
            if identifier["system"] == ODS:
                assert identifier["value"].isalnum() and identifier["value"].upper() == identifier["value"]
        assert org.get("name")
    for practitioner in of_type(bundle, "Practitioner"):
        assert all(n.get("text") for n in practitioner.get("name", []))
    for encounter in of_type(bundle, "Encounter"):
        assert encounter["subject"]["reference"] == patient_url
        assert encounter["class"]["system"] == "http://terminology.hl7.org/CodeSystem/v3-ActCode"
        assert urls[encounter["serviceProvider"]["reference"]]["resourceType"] == "Organization"
    for plan in of_type(bundle, "CarePlan"):
        assert plan["subject"]["reference"] == patient_url and plan["intent"] == "plan"
    for team in of_type(bundle, "CareTeam"):
        assert team["subject"]["reference"] == patient_url
        for participant in team["participant"]:
            member = urls[participant["member"]["reference"]]
            assert member["resourceType"] in {"Practitioner", "RelatedPerson"}
            if "onBehalfOf" in participant:  # ctm-1
                assert member["resourceType"] == "Practitioner"


def test_uk_core_checks_pass_for_the_demo_and_a_large_case(demo_case: Case) -> None:
    _uk_core_plain_checks(export_fhir(demo_case, today=TODAY))
    _uk_core_plain_checks(export_fhir(case_from_dict(large_case_dict(40)), today=TODAY))


def test_a_resource_that_breaks_a_uk_core_rule_claims_no_profile(demo_case: Case) -> None:
    case = copy.deepcopy(demo_case)
    org = case.organisations[0]
    assert org.codes is not None
    org.codes.ods = "b82-01"  # not an ODS code's shape
    bundle = export_fhir(case, today=TODAY)
    broken = next(o for o in of_type(bundle, "Organization") if o["id"] == org.id)
    assert "meta" not in broken
    assert all(o.get("meta") for o in of_type(bundle, "Organization") if o["id"] != org.id)


def test_handoffs_are_tasks_with_their_method_and_receiver(demo_case: Case) -> None:
    bundle = export_fhir(demo_case, today=TODAY)
    urls = {entry["fullUrl"]: entry["resource"] for entry in bundle["entry"]}
    tasks = of_type(bundle, "Task")
    assert len(tasks) == len(demo_case.handoffs)
    for task, handoff in zip(tasks, demo_case.handoffs, strict=True):
        assert task["status"] == "completed" and task["intent"] == "order"
        assert task["code"]["coding"][0] == {"system": f"{BASE}/CodeSystem/handoff", "code": "handoff",
                                             "display": "Handoff"}
        assert urls[task["encounter"]["reference"]]["id"] == handoff.source
        assert urls[task["focus"]["reference"]]["id"] == handoff.target
        methods = [i["valueCodeableConcept"]["coding"][0]["code"] for i in task.get("input", [])]
        assert methods == ([handoff.method] if handoff.method else [])
        if handoff.named_receiver:
            assert urls[task["owner"]["reference"]]["id"] == handoff.named_receiver
    back = import_fhir(bundle).case
    assert back.handoffs == demo_case.handoffs and back.title == demo_case.title


def test_the_team_s_annotations_and_record_come_back(demo_case: Case) -> None:
    assert demo_case.annotations and demo_case.extensions and RECORD_KEY in demo_case.extensions
    bundle = export_fhir(demo_case, today=TODAY)
    back = import_fhir(bundle).case
    assert back.annotations == demo_case.annotations
    assert back.extensions is not None and back.extensions[RECORD_KEY] == demo_case.extensions[RECORD_KEY]
    # an edited file whose annotations name a step that is not there: imported without them, and said
    (episode,) = of_type(bundle, "EpisodeOfCare")
    parts = episode["extension"][0]["extension"]
    notes = next(p for p in parts if p["url"] == "annotations")
    edited = json.loads(notes["valueString"])
    edited[0]["steps"] = ["no-such-step"]
    notes["valueString"] = json.dumps(edited)
    result = import_fhir(bundle)
    assert result.case.annotations == [] and RECORD_KEY not in (result.case.extensions or {})
    assert any("do not match the case as imported" in line for line in result.report.attention)
    assert result.case.handoffs == demo_case.handoffs  # the rest is kept


# -- 4. the round trip ----------------------------------------------------------------------------
def _step_key(case: Case, ident: str) -> Any:
    step = case.step(ident)
    assert step is not None
    return (step.kind, step.start, (step.label or "").strip())


def _handoffs(case: Case) -> list[Any]:
    names = {m.id: m.name.strip() for m in case.team}
    return sorted(
        ((_step_key(case, h.source), _step_key(case, h.target), h.method,
          names.get(h.named_receiver) if h.named_receiver else None, (h.notes or "").strip() or None)
         for h in case.handoffs), key=repr)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_a_generated_case_round_trips_with_its_handoffs_and_title(case: Case) -> None:
    from tests.test_fhir import _essentials

    back = import_fhir(json.loads(json.dumps(export_fhir(case, today=TODAY)))).case  # the default window
    assert _essentials(back) == _essentials(case)
    assert (back.title or None) == ((case.title or "").strip() or None)
    assert _handoffs(back) == _handoffs(case)
    kept_ids = {s.id for s in back.steps} == {s.id for s in case.steps} and \
        {m.id for m in back.team} == {m.id for m in case.team}
    if kept_ids:  # the team's annotations and record refer to the case's own ids
        assert back.annotations == case.annotations
        assert (back.extensions or {}).get(RECORD_KEY) == (case.extensions or {}).get(RECORD_KEY)


def test_our_own_export_is_imported_whole_or_the_left_out_steps_are_counted() -> None:
    case = case_from_dict(large_case_dict(300))  # 300 steps 3 days apart: longer than 3 years
    bundle = export_fhir(case, today=TODAY)
    result = import_fhir(bundle)  # the default window (3 years) does not apply to our own export
    assert len(result.case.steps) == 300 and result.report.left_out_encounters == 0
    assert "a case exported by Pathway Planner" in result.report.window.describe()
    first = min(s.start_date for s in case.steps)
    since = first + timedelta(days=30)
    cut = import_fhir(bundle, since=since)  # a window asked for still applies, and says what it cost
    left_out = sum(1 for s in case.steps if (s.end_date or s.start_date) < since)
    assert left_out and len(cut.case.steps) == 300 - left_out
    assert any(f"{left_out} steps of this Pathway Planner export were left out" in line
               for line in cut.report.attention)


# -- 6. the anonymised bundle ---------------------------------------------------------------------
def test_the_anonymised_bundle_is_labelled_and_has_no_role_text_in_names(demo_case: Case) -> None:
    bundle = export_fhir(demo_case, anonymise=True, today=TODAY)
    check_bundle(bundle)
    for resource in resources(bundle):
        assert {"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "ANONYED",
                "display": "anonymized"} in resource["meta"]["security"], resource["resourceType"]
    for _path, node in _walk(bundle):
        if "text" in node and ("given" in node or "family" in node or "prefix" in node):
            pytest.fail(f"a HumanName with parts in an anonymised bundle: {node}")
    names = [n["text"] for kind in ("Practitioner", "RelatedPerson") for r in of_type(bundle, kind)
             for n in r["name"]]
    assert names and ("Home care worker" in names or "Family carer" in names)
    identifiable = export_fhir(demo_case, today=TODAY)
    assert all("security" not in r.get("meta", {}) for r in resources(identifiable))


def _instant(value: str) -> datetime | None:
    return datetime.fromisoformat(value) if "T" in value else None


def test_shifted_times_keep_the_offset_of_the_time_they_came_from(demo_case: Case) -> None:
    case = copy.deepcopy(demo_case)
    # a stay across the change to winter time: 10 days and 1 hour on the clock's instants
    case.steps[0].start = datetime(2023, 10, 20, 10, 0)
    case.steps[0].end = datetime(2023, 10, 30, 10, 0)
    original = {e["id"]: e["period"] for e in of_type(export_fhir(case, today=TODAY), "Encounter")}
    moved = of_type(export_fhir(case, anonymise=True, today=TODAY), "Encounter")
    assert len(moved) == len(original)
    shifts = set()
    pairs = zip(sorted(original.values(), key=lambda p: p["start"]),
                sorted((e["period"] for e in moved), key=lambda p: p["start"]), strict=True)
    for before, after in pairs:
        for key in ("start", "end"):
            if key in before and _instant(before[key]) is not None:
                old, new = _instant(before[key]), _instant(after[key])
                assert old is not None and new is not None and new.utcoffset() == old.utcoffset()
                shifts.add(new - old)
    (shift,) = shifts  # every instant moved by the same whole number of weeks
    assert shift.days % 7 == 0 and shift.seconds == 0


def test_the_handoff_and_title_survive_a_case_without_them(demo_case: Case) -> None:
    case = copy.deepcopy(demo_case)
    case.title, case.handoffs = None, []
    bundle = export_fhir(case, today=TODAY)
    assert not of_type(bundle, "Task")
    parts = [p["url"] for e in of_type(bundle, "EpisodeOfCare")[0].get("extension", []) for p in e["extension"]]
    assert "title" not in parts
    back = import_fhir(bundle).case
    assert back.title is None and back.handoffs == []
    case.handoffs = [Handoff(case.steps[0].id, case.steps[1].id)]  # no method, receiver or notes
    back = import_fhir(export_fhir(case, today=TODAY)).case
    assert back.handoffs == case.handoffs


def test_date_only_steps_export_without_a_time() -> None:
    case = case_from_dict(large_case_dict(5))
    for encounter in of_type(export_fhir(case, today=TODAY), "Encounter"):
        start = encounter["period"]["start"]
        assert "T" in start or date.fromisoformat(start)
