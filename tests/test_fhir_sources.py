"""FHIR imports that keep what matters (issue 18): the GP in every form, references by identifier,
references outside the file, refusals and reports of bad values, times with their offset, sector
inference; and every real or published-shape file imported or refused with a reason, none crashing.

The files in tests/data/fhir/ were written for these tests in the shapes that real sources send: a
UK Core-shaped searchset (NHS number with its verification status, GP and service provider by ODS
code, times in UTC), the published R4 examples' shapes (a Patient whose GP is on the server, an
animal, a lone CarePlan) and the national demographics service's GP by ODS code.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from planner.fhir import FhirImportError, import_fhir, read_fhir_file
from planner.validation import CaseFileError
from tests.test_fhir import PATIENT, bundle_of, encounter, organisation

DATA = Path(__file__).parent / "data" / "fhir"
ODS = "https://fhir.nhs.uk/Id/ods-organization-code"


def _patient(**extra: Any) -> dict[str, Any]:
    return {**PATIENT, **extra}


# -- the GP ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("reference", "name"), [
    ({"display": "Whitstable Medical Practice"}, "Whitstable Medical Practice"),
    ({"type": "Organization", "identifier": {"system": ODS, "value": "G82050"}}, "GP practice G82050"),
    ({"reference": "Organization/elsewhere"}, "Registered GP practice (not in this file)"),
    ({"reference": "Organization/elsewhere", "display": "Harbour Surgery"}, "Harbour Surgery"),
])
def test_a_gp_not_in_the_file_becomes_a_primary_care_organisation(reference: dict[str, Any], name: str) -> None:
    result = import_fhir(bundle_of(_patient(generalPractitioner=[reference])))
    (org,) = result.case.organisations
    assert (org.name, org.sector) == (name, "primary_care")
    if "identifier" in reference:
        assert org.codes is not None and org.codes.ods == "G82050"
    assert any(f"Patient.generalPractitioner → {name}" in line for line in result.report.mapped)
    if "reference" in reference:
        assert any("Organization/elsewhere" in line and "not in this file" in line
                   for line in result.report.attention)


def test_a_gp_by_ods_code_is_matched_to_the_organisation_in_the_file() -> None:
    practice = organisation("prac", "Brixham Road Surgery", identifier=[{"system": ODS, "value": "L83064"}])
    gp = {"type": "Organization", "identifier": {"system": ODS, "value": "L83064"}}
    result = import_fhir(bundle_of(_patient(generalPractitioner=[gp]), practice))
    (org,) = result.case.organisations
    assert (org.id, org.name, org.sector) == ("prac", "Brixham Road Surgery", "primary_care")
    assert not any("not in this file" in line for line in result.report.attention)


def test_a_gp_named_as_a_practitioner_not_in_the_file_is_a_gp_on_the_team() -> None:
    gp = {"reference": "Practitioner/f201", "display": "Dokter Bronsig"}
    case = import_fhir(bundle_of(_patient(generalPractitioner=[gp]))).case
    assert [(m.name, m.role) for m in case.team] == [("Dokter Bronsig", "gp")]


def test_a_service_provider_by_ods_code_is_the_organisation_in_the_file() -> None:
    trust = organisation("acute", "Torbay Hospital", identifier=[{"system": ODS, "value": "RA9"}],
                         type=[{"text": "Acute hospital"}])
    visit = encounter("e", "IMP", "2024-03-01", "2024-03-04")
    visit["serviceProvider"] = {"identifier": {"system": ODS, "value": "RA9"}}
    result = import_fhir(bundle_of(PATIENT, trust, visit))
    (step,) = [s for s in result.case.steps if s.kind == "admission"]
    assert step.organisation == "acute"
    assert not any("no serviceProvider" in line for line in result.report.attention)


def test_a_service_provider_outside_the_file_is_kept_by_name_and_reported() -> None:
    visit = encounter("e", "AMB", "2024-01-01", org="urn:uuid:00000000-0000-4000-8000-0000000000ff")
    result = import_fhir(bundle_of(PATIENT, visit))
    (step,) = result.case.steps
    assert result.case.organisation(step.organisation).name == "Organisation not in this file"
    assert any("urn:uuid:00000000-0000-4000-8000-0000000000ff" in line for line in result.report.attention)


def test_resources_about_a_patient_not_in_the_file_are_left_out() -> None:
    visit = encounter("e", "AMB", "2024-01-01")
    visit["subject"] = {"reference": "Patient/someone-else"}
    result = import_fhir(bundle_of(PATIENT, organisation("acute", "Torbay Hospital"), visit))
    assert result.case.steps == []
    assert any("encounters about someone else" in line for line in result.report.skipped)


# -- refusals and reports -----------------------------------------------------------------------------
def test_an_animal_is_refused_clearly() -> None:
    animal = _patient(animal={"species": {"text": "Dog"}})
    with pytest.raises(FhirImportError, match=r"the Patient is an animal \(Patient.animal is set\)"):
        import_fhir(bundle_of(animal))


@pytest.mark.parametrize(("extra", "message"), [
    ({"gender": "F"}, "The gender 'F' is not a FHIR gender"),
    ({"birthDate": "1950-02-30"}, "The date of birth '1950-02-30' is not a valid date"),
    ({"birthDate": "1950-02"}, "The date of birth '1950-02' is not a whole date"),
])
def test_invalid_gender_and_birth_date_are_reported(extra: dict[str, Any], message: str) -> None:
    result = import_fhir(bundle_of(_patient(**extra)))
    assert any(message in line for line in result.report.attention)
    assert result.case.person.name == "Mrs Edith Smith"


def test_an_encounter_ending_before_it_starts_is_invalid_not_history() -> None:
    visit = encounter("back", "AMB", "2024-05-10T10:00:00+01:00", "2019-05-10T09:00:00+01:00")
    result = import_fhir(bundle_of(PATIENT, organisation("acute", "Torbay Hospital"), visit))
    (step,) = result.case.steps
    assert step.end is None and step.start == datetime(2024, 5, 10, 10, 0)
    assert any("Encounter/back is invalid: it ends" in line for line in result.report.attention)
    assert result.report.left_out_encounters == 0
    assert not any("older history" in line for line in result.report.skipped)


@pytest.mark.parametrize(("written", "clock"), [
    ("2024-07-01T09:00:00Z", datetime(2024, 7, 1, 10, 0)),  # summer: 09:00 UTC is 10:00 in the UK
    ("2024-07-01T10:00:00+01:00", datetime(2024, 7, 1, 10, 0)),
    ("2024-01-15T09:00:00Z", datetime(2024, 1, 15, 9, 0)),
    ("2024-07-01T05:00:00-04:00", datetime(2024, 7, 1, 10, 0)),  # a US time: the same instant
    ("2024-07-01T09:00:00", datetime(2024, 7, 1, 9, 0)),  # no offset: as written
])
def test_times_keep_their_offset(written: str, clock: datetime) -> None:
    (step,) = import_fhir(bundle_of(PATIENT, organisation("acute", "Torbay Hospital"),
                                    encounter("e", "AMB", written))).case.steps
    assert step.start == clock


# -- sectors ------------------------------------------------------------------------------------------
def _check_ups_at(org: dict[str, Any], cls: str = "AMB") -> Any:
    visit = encounter("e", cls, "2024-02-01", org="Organization/x")
    visit["type"] = [{"coding": [{"system": "http://snomed.info/sct", "code": "185349003",
                                   "display": "Encounter for check up (procedure)"}]}]
    return import_fhir(bundle_of(PATIENT, {**org, "id": "x"}, visit))


@pytest.mark.parametrize(("org", "cls", "sector"), [
    ({"resourceType": "Organization", "name": "Torbay Hospital NHS Foundation Trust"}, "AMB", "system"),
    ({"resourceType": "Organization", "name": "Leeds", "identifier": [{"system": ODS, "value": "RR8"}]}, "AMB",
     "system"),
    ({"resourceType": "Organization", "name": "Springfield", "type": [{"text": "Hospital"}]}, "AMB", "acute"),
    ({"resourceType": "Organization", "name": "Springfield"}, "IMP", "acute"),
    ({"resourceType": "Organization", "name": "PCP17006"}, "AMB", "primary_care"),
])
def test_check_ups_never_make_a_hospital_a_gp_practice(org: dict[str, Any], cls: str, sector: str) -> None:
    result = _check_ups_at(org, cls)
    (found,) = result.case.organisations
    assert found.sector == sector
    if sector == "system" and org["name"] != "PCP17006":
        assert any("did not make it a GP practice" in line for line in result.report.attention)


# -- real and published-shape files -----------------------------------------------------------------
def test_the_uk_core_shaped_bundle_keeps_gp_trust_times_and_team() -> None:
    result = read_fhir_file(DATA / "uk-core-bundle.json")
    case = result.case
    assert case.person.nhs_number == "9449305552" and case.person.sex == "female"
    orgs = {o.name: o for o in case.organisations}
    assert orgs["Park Row Surgery"].sector == "primary_care"  # the GP, by ODS code
    assert orgs["Leeds Teaching Hospitals NHS Trust"].sector == "acute"  # inpatient class, not the check-up
    attendance, admission, review = case.ordered_steps()
    assert attendance.start == datetime(2024, 7, 14, 22, 40) and attendance.end == datetime(2024, 7, 15, 3, 5)
    assert admission.organisation == attendance.organisation == "RR8" and admission.kind == "admission"
    assert review.start == datetime(2024, 8, 5, 10, 30)
    team = {m.name: m for m in case.team}
    assert team["Dr Chidi Okafor"].role == "gp" and team["Amira Haddad"].role == "social_worker"
    assert [c.member for c in case.coordinator] == [team["Dr Chidi Okafor"].id]
    assert any("fhir.leeds.gov.uk/Practitioner/sw-77" in line for line in result.report.attention)


def _outcome(path: Path) -> str:
    """imported, refused (with a one-line reason naming the problem) or crashed."""
    try:
        result = read_fhir_file(path)
    except CaseFileError as error:
        assert str(error).strip() and len(error.problems) >= 1
        return "refused"
    except Exception:  # counting crashes is the point
        return "crashed"
    assert result.case.person.name
    return "imported"


def test_every_file_imports_or_is_refused_with_a_reason_none_crash(shared_dir: Path) -> None:
    ours = sorted(DATA.glob("*.json"))
    external = shared_dir / "data" / "external"
    shared = sorted((external / "synthea").rglob("*.json")) + sorted((external / "hl7-r4-examples").glob("*.json"))
    outcomes = {path.name: _outcome(path) for path in ours + shared}
    counts = {kind: sum(1 for o in outcomes.values() if o == kind) for kind in ("imported", "refused", "crashed")}
    assert counts["crashed"] == 0, [name for name, o in outcomes.items() if o == "crashed"]
    refused_here = {name for name, o in outcomes.items() if o == "refused" and (DATA / name).exists()}
    assert refused_here == {"r4-patient-animal.json", "r4-careplan-alone.json"}
    assert {p.name for p in ours} - refused_here <= {n for n, o in outcomes.items() if o == "imported"}
    # the nine Synthea bundles and the two Patient examples become cases, as before
    assert counts["imported"] == len(ours) - 2 + 9 + 2
    assert counts["refused"] == 2 + len(shared) - 11


def test_published_shapes_keep_the_gp() -> None:
    not_in_file = read_fhir_file(DATA / "r4-patient-gp-not-in-file.json")
    assert [(o.name, o.sector) for o in not_in_file.case.organisations] == [
        ("Registered GP practice (not in this file)", "primary_care")]
    pds = read_fhir_file(DATA / "pds-patient-gp-by-ods-code.json").case
    assert [(o.name, o.codes.ods if o.codes else None) for o in pds.organisations] == [
        ("GP practice Y12345", "Y12345")]
    named = read_fhir_file(DATA / "patient-gp-by-display.json").case
    assert [o.name for o in named.organisations] == ["Whitstable Medical Practice"]
    text = json.loads((DATA / "r4-patient-gp-practitioner-named.json").read_text(encoding="utf-8"))
    assert [(m.name, m.role) for m in import_fhir(text).case.team] == [("Dokter Bronsig", "gp")]
