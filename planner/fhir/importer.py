"""FHIR R4 -> case: one person's Bundle (or Patient) mapped into a case file, then validated.

The mapping is written down in docs/FHIR.md. In short: Patient -> person; Organization ->
organisations (sector from Organization.type, else from how encounters use it, else flagged);
Encounter -> steps, inside a time window (default: the 3 years before the latest encounter);
CareTeam, EpisodeOfCare, Practitioner, PractitionerRole, RelatedPerson -> team and coordinator;
CarePlan and Goal -> the shared care plan; Condition -> conditions. What was mapped, skipped and
needs a person's attention goes into an :class:`~planner.fhir.report.ImportReport`.

The result is an ordinary case-file dict, read by :func:`planner.casefile.case_from_dict`, so a
FHIR import meets every rule a case file does; any problem refuses the whole import.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import Any

from planner.casefile import FORMAT, VERSION, case_from_dict, read_json_file
from planner.dates import format_day, format_iso
from planner.fhir import shapes
from planner.fhir import values as fv
from planner.fhir import vocabulary as v
from planner.fhir.document import Document, Entry, FhirImportError, is_fhir
from planner.fhir.report import ImportReport, ImportWindow
from planner.model import Case, Moment, moment_date, moment_key
from planner.nhs_number import is_valid as nhs_number_is_valid
from planner.reference import label
from planner.validation import MAX_COUNTED, CaseFileError, Problem, case_schema

#: The default time window: encounters in the 3 years before the latest one become steps.
DEFAULT_YEARS = 3
#: FHIR ids up to this length are kept as case ids; longer ones (UUIDs) get short ids instead.
MAX_KEPT_ID = 24
_CASE_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_DOCTOR = re.compile(r"^(dr|doctor)\.?$", re.I)

#: Where an ambulatory contact took place, by the organisation's sector.
AMBULATORY_SETTING = {
    "primary_care": "gp_surgery",
    "community_health": "community",
    "care_home": "care_home",
    "hospice": "hospice",
    "domiciliary_care": "home",
    "pharmacy": "community",
}
#: The ward of an admission, by the organisation's sector (acute: "acute_ward").
ADMISSION_SETTING = {
    "community_health": "community_hospital",
    "care_home": "care_home",
    "hospice": "hospice",
    "mental_health": "other",
}
#: The sector given to an organisation whose sector the FHIR data does not show. The case-file
#: schema has no "other" sector; "system" is the one no rule reads beyond its default regulator
#: (NHS England), and its lane is drawn last. Every such organisation is flagged in the report
#: and listed in the case's extensions (under IMPORT_KEY, "sector_unknown"), as imported.
UNKNOWN_SECTOR = "system"
#: The key in a case's ``extensions`` that records the FHIR import (source, window, flags).
IMPORT_KEY = "fhir_import"


@dataclass
class FhirImport:
    """An imported case, the case-file dict it was read from, and the report."""

    case: Case
    data: dict[str, Any]
    report: ImportReport


def import_fhir(
    data: Any, *, source: str | None = None, since: date | None = None, years: int | None = DEFAULT_YEARS
) -> FhirImport:
    """Map parsed FHIR JSON into a validated case; raise CaseFileError (FhirImportError) if it cannot.

    The time window is ``since`` when given; else the ``years`` before the latest encounter
    (None or 0: the whole history)."""
    document = Document(data, source)
    found = shapes.document_problems(document)
    if found:
        raise FhirImportError(found[:MAX_COUNTED], source=source, count=len(found))
    mapper = _Mapper(document, since, years)
    case_data = mapper.run()
    try:
        case = case_from_dict(case_data, source)
    except CaseFileError as error:  # its paths are in the case made from the file, not in the file
        problems = [Problem(p.path, f"{p.message} (in the case made from the FHIR data)")
                    for p in error.problems]
        raise FhirImportError(problems, source=source, count=error.count) from None
    return FhirImport(case, case_data, mapper.report)


def read_fhir_file(
    path: str | os.PathLike[str], *, since: date | None = None, years: int | None = DEFAULT_YEARS
) -> FhirImport:
    """Read a FHIR JSON file and import it (see :func:`import_fhir`)."""
    data = read_json_file(path)
    if not is_fhir(data):
        raise FhirImportError("not FHIR: the file has no resourceType (is it a case file?)", "$", str(path))
    return import_fhir(data, source=str(path), since=since, years=years)


class _Codes(frozenset[str]):
    """A set of codes asked about values of any JSON type: an object or a list is simply not one
    of them (a plain frozenset would raise on the unhashable)."""

    def __contains__(self, item: object) -> bool:
        return isinstance(item, str) and super().__contains__(item)


@cache
def _enum(*path: str) -> frozenset[str]:
    """The allowed codes of a case-file enumeration, from the schema (``"step", "stage"``)."""
    node: Any = case_schema()["$defs"]
    for key in path:
        node = node[key] if key in node else node["properties"][key]
    return _Codes(node["enum"])


# -- what the mapping builds before ids are given ------------------------------------------------
@dataclass(eq=False)
class _Org:
    name: str
    fhir_id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    sector: str | None = None
    sector_reason: str = ""
    classes: Counter[str] = field(default_factory=Counter)
    check_ups: int = 0
    registered_gp: bool = False
    needed: bool = False
    id: str = ""


@dataclass(eq=False)
class _Member:
    name: str
    fhir_id: str | None = None
    role: str | None = None
    doctor: bool = False
    organisation: _Org | None = None
    contact: str | None = None
    register: str | None = None
    id: str = ""


@dataclass(eq=False)
class _Visit:
    """An encounter of the person's, read but not yet placed in the time window."""

    entry: Entry
    start: Moment
    end: Moment | None
    cls: str | None
    org: _Org
    ours: bool


@dataclass(eq=False)
class _Step:
    data: dict[str, Any]
    org: _Org
    order: int
    fhir_id: str | None = None
    ours: bool = False
    id: str = ""


@dataclass(eq=False)
class _Goal:
    data: dict[str, Any]
    fhir_id: str | None
    id: str = ""


@dataclass(eq=False)
class _Action:
    data: dict[str, Any]
    fhir_id: str | None
    goal: _Goal | None
    owner: _Member | _Org | None
    id: str = ""


@dataclass
class _Period:
    member: _Member
    start: date
    end: date | None
    reason: str | None
    source: str


class _Mapper:
    def __init__(self, document: Document, since: date | None, years: int | None) -> None:
        self.doc = document
        self.since = since
        self.years = years
        self.report = ImportReport(source=document.source)
        self.orgs: dict[object, _Org] = {}
        self.members: dict[object, _Member] = {}
        self.steps: list[_Step] = []
        self.goals: dict[object, _Goal] = {}
        self.actions: list[_Action] = []
        self.periods: list[_Period] = []
        self.signed: list[_Member] = []
        self.used: set[int] = set()  # id() of every resource the mapping read
        self.teams_done: set[int] = set()
        self.window_start: date | None = None
        self.skipped: Counter[str] = Counter()
        self.coordinators: list[_Period] = []
        self.unknown_orgs: list[_Org] = []
        self.teams_read = 0

    # -- the whole mapping ----------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        doc = self.doc
        total = sum(1 for _ in doc.all_resources())
        self.report.what = (
            f"a {doc.bundle_type} Bundle of {len(doc.entries):,} resources"
            if doc.bundle_type
            else f"a single {doc.entries[0].type} resource"
        )
        if total != len(doc.entries):
            self.report.what += f" ({total - len(doc.entries):,} more contained)"
        self.patient = self.find_patient()
        for entry in doc.of_type("Organization"):  # a case's own organisations, as exported, in order
            if fv.code_in(entry.resource.get("type"), v.SECTOR_SYSTEM) in _enum("organisation", "sector"):
                self.org(entry).needed = True
        person = self.person(self.patient)
        visits = [visit for entry in doc.of_type("Encounter") if (visit := self.visit(entry)) is not None]
        self.window(visits)
        self.pathway(visits)
        for entry in doc.of_type("CareTeam"):
            self.care_team(entry)
        for entry in doc.of_type("EpisodeOfCare"):
            self.episode(entry)
        plan = self.care_plan()
        person["conditions"] = self.conditions()
        if not person["conditions"]:
            del person["conditions"]
        for member in self.members.values():
            if member.organisation is not None:
                member.organisation.needed = True
        self.sectors()
        self.coordination()
        if self.members:
            teams = f"CareTeam ×{self.teams_read} and the" if self.teams_read else "The"
            self.report.map(
                f"{teams} practitioners and people they name → {len(self.members)} team member"
                f"{'s' if len(self.members) != 1 else ''}"
            )
        if not self.coordinators:
            self.report.flag(
                "No care coordinator is named in the FHIR data (no EpisodeOfCare care manager, no "
                "CareTeam member with the care-coordinator role): name one on the Team tab."
            )
        self.unused()
        return self.build(person, plan)

    def mark(self, entry: Entry) -> None:
        self.used.add(id(entry.resource))

    def about_her(self, entry: Entry, element: str = "subject") -> bool:
        """Whether a resource is about the person: its subject is her, or it names no subject."""
        target = self.doc.resolve(entry.resource.get(element), entry, element, ("Patient", "Group"))
        return target is None or target.resource is self.patient.resource

    # -- the person ---------------------------------------------------------------------
    def find_patient(self) -> Entry:
        doc = self.doc
        patients = doc.of_type("Patient")
        if not patients:
            if doc.bundle_type is None:
                entry = doc.entries[0]
                subject = entry.resource.get("subject") or entry.resource.get("patient")
                named = subject.get("reference") if isinstance(subject, dict) else None
                whose = f" (its subject, {named}, is not in the file)" if named else ""
                doc.fail(
                    f"a single {entry.type} cannot start a case: a case is about one person, and this "
                    f"file holds no Patient{whose}. Import a Bundle that includes the Patient."
                )
            doc.fail(
                "the Bundle holds no Patient: a case is about one person, so the Bundle must include "
                "the Patient resource"
            )
        if len(patients) > 1:
            names = ", ".join(fv.human_name(p.resource.get("name")) or p.describe() for p in patients[:5])
            doc.fail(
                f"the file holds {len(patients)} patients ({names}); a case is about one person: import "
                "one person's Bundle at a time"
            )
        self.mark(patients[0])
        return patients[0]

    def person(self, entry: Entry) -> dict[str, Any]:
        resource = entry.resource
        report = self.report
        person: dict[str, Any] = {}
        name = fv.human_name(resource.get("name"))
        if name is None:
            name = "Name not recorded"
            report.flag(
                "The Patient has no name: the person is called “Name not recorded” until you "
                "add it on the Person tab."
            )
        person["name"] = fv.limit(name, 200)
        for identifier in resource.get("identifier") or []:
            if isinstance(identifier, dict) and identifier.get("system") in v.NHS_NUMBER_SYSTEMS:
                number = re.sub(r"\s", "", str(identifier.get("value") or ""))
                if nhs_number_is_valid(number):
                    person["nhs_number"] = number
                else:
                    report.flag(
                        f"The NHS number '{identifier.get('value')}' fails its check digit: left out."
                    )
        born = resource.get("birthDate")
        if isinstance(born, str):
            day = fv.day(born) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", born) else None
            if day is None:
                report.flag(f"The date of birth '{born}' is not a whole date: left out.")
            elif day > date.today():
                report.flag(f"The date of birth {format_day(day)} is in the future: left out.")
            else:
                person["date_of_birth"] = day.isoformat()
        if resource.get("gender") in _enum("person", "sex"):
            person["sex"] = resource["gender"]
        address = self.home_address(resource.get("address"))
        if address:
            area = fv.string(address.get("district")) or fv.string(address.get("city"))
            if area:
                person["area"] = fv.limit(area, 100)
            postcode = fv.string(address.get("postalCode"))
            if postcode and len(postcode) <= 10:
                person["postcode"] = postcode
        died = resource.get("deceasedDateTime")
        if isinstance(died, str) or resource.get("deceasedBoolean") is True:
            when = fv.day(died)
            report.flag(
                "The Patient record says the person has died"
                + (f" ({format_day(when)})" if when else "")
                + ": the case has no field for it; add a death step if it belongs on the pathway."
            )
        self.person_details(resource, person)
        report.map(
            f"Patient → person: {person['name']}"
            + (f", born {format_day(fv.day(person['date_of_birth']))}" if "date_of_birth" in person else "")
            + (f", {person['area']}" if "area" in person else "")
            + (", with an NHS number" if "nhs_number" in person else "")
        )
        for index, reference in enumerate(resource.get("generalPractitioner") or []):
            element = f"generalPractitioner[{index}]"
            target = self.doc.resolve(
                reference, entry, element, ("Organization", "Practitioner", "PractitionerRole")
            )
            if target is not None and target.type == "Organization":
                org = self.org(target)
                org.registered_gp = org.needed = True
            elif target is not None:
                member = self.member(target)
                member.role = member.role or "gp"
        return person

    @staticmethod
    def home_address(addresses: Any) -> dict[str, Any] | None:
        found = [a for a in addresses if isinstance(a, dict)] if isinstance(addresses, list) else []
        current = [a for a in found if not (isinstance(a.get("period"), dict) and a["period"].get("end"))]
        for address in current or found:
            if address.get("use") in ("home", None):
                return address
        candidates = current or found
        return candidates[0] if candidates else None

    def person_details(self, resource: dict[str, Any], person: dict[str, Any]) -> None:
        """Our person-details extension: the case-file fields FHIR's Patient has no element for."""
        parts = fv.extension(resource, v.PERSON_EXT)
        if not parts:
            return
        for key, path in (
            ("living_situation", ("person", "living_situation")),
            ("preferred_place_of_care", ("person", "preferred_place_of_care")),
        ):
            code = fv.one(parts, key)
            if code in _enum(*path):
                person[key] = code
        what = fv.string(fv.one(parts, "what_matters"))
        if what:
            person["what_matters"] = fv.limit(what, 10000)
        scale, score = fv.one(parts, "frailty_scale"), fv.one(parts, "frailty_score")
        if scale in ("CFS", "eFI") and isinstance(score, int | float) and not isinstance(score, bool):
            frailty: dict[str, Any] = {"scale": scale, "score": score}
            assessed_on = fv.day(fv.one(parts, "frailty_assessed_on"))
            if assessed_on:
                frailty["assessed_on"] = assessed_on.isoformat()
            by = fv.string(fv.one(parts, "frailty_assessed_by"))
            if by:
                frailty["assessed_by"] = fv.limit(by, 200)
            person["frailty"] = frailty
        status = fv.one(parts, "consent_status")
        if status in _enum("person", "consent", "status"):
            consent: dict[str, Any] = {"status": status}
            scope = fv.string(fv.one(parts, "consent_scope"))
            if scope:
                consent["scope"] = fv.limit(scope, 500)
            recorded = fv.day(fv.one(parts, "consent_recorded_on"))
            if recorded:
                consent["recorded_on"] = recorded.isoformat()
            person["consent"] = consent

    # -- organisations ------------------------------------------------------------------
    def org(self, entry: Entry) -> _Org:
        found = self.orgs.get(id(entry.resource))
        if found is not None:
            return found
        self.mark(entry)
        resource = entry.resource
        name = fv.string(resource.get("name")) or next(
            (a for a in (fv.string(x) for x in resource.get("alias") or []) if a), None
        )
        if name is None:
            name = f"Organisation {entry.id or len(self.orgs) + 1}"
            self.report.flag(f"{entry.describe()} has no name: called “{name}” until you rename it.")
        org = _Org(fv.limit(name, 200) or name, entry.id)
        self.orgs[id(entry.resource)] = org
        types = resource.get("type")
        ours = fv.code_in(types, v.SECTOR_SYSTEM)
        hl7 = fv.code_in(types, v.ORGANISATION_TYPE)
        if ours in _enum("organisation", "sector"):
            org.sector, org.sector_reason = ours, "as recorded"
        else:
            words = " ".join(fv.string(c.get("text")) or "" for c in fv.concepts(types))
            words += " " + " ".join(
                str(c.get("display") or "") for t in fv.concepts(types) for c in fv.codings(t)
            )
            for pattern, sector in v.SECTOR_WORDS:
                if pattern.search(words):
                    org.sector, org.sector_reason = sector, f"from its type “{fv.string(words)}”"
                    break
            else:
                if hl7 in v.ORGANISATION_TYPE_SECTOR:
                    org.sector = v.ORGANISATION_TYPE_SECTOR[hl7]
                    org.sector_reason = f"from its type “{v.ORGANISATION_TYPE_DISPLAY.get(hl7, hl7)}”"
        address = self.home_address(resource.get("address"))
        area = (fv.string(address.get("district")) or fv.string(address.get("city"))) if address else None
        if area:
            org.data["area"] = fv.limit(area, 100)
        codes: dict[str, str] = {}
        for identifier in resource.get("identifier") or []:
            if not isinstance(identifier, dict):
                continue
            value = fv.string(identifier.get("value"))
            for system, key, size in (
                (v.ODS_SYSTEM, "ods", 20),
                (v.CQC_LOCATION_SYSTEM, "cqc_location", 30),
                (v.CQC_PROVIDER_SYSTEM, "cqc_provider", 30),
                (v.CHARITY_SYSTEM, "charity_number", 20),
            ):
                if identifier.get("system") == system and value and len(value) <= size:
                    codes.setdefault(key, value)
        if codes:
            org.data["codes"] = codes
        self.organisation_details(resource, org)
        return org

    def organisation_details(self, resource: dict[str, Any], org: _Org) -> None:
        parts = fv.extension(resource, v.ORGANISATION_EXT)
        if not parts:
            return
        data = org.data
        for key in ("payment_model", "funding_term"):
            code = fv.one(parts, key)
            if code in _enum("organisation", key):
                data[key] = code
        regulators = [
            r for r in parts.get("regulator", []) if r in _enum("organisation", "regulators", "items")
        ]
        if regulators or fv.one(parts, "no_regulator") is True:
            data["regulators"] = list(dict.fromkeys(regulators))
        for key in ("cqc_registered", "shared_record_access"):
            if isinstance(fv.one(parts, key), bool):
                data[key] = fv.one(parts, key)
        oversight: dict[str, Any] = {}
        if fv.one(parts, "cqc_rating") in _enum("organisation", "oversight", "cqc_rating"):
            oversight["cqc_rating"] = fv.one(parts, "cqc_rating")
        for key in ("financial_recovery", "system_level_assessment"):
            if isinstance(fv.one(parts, key), bool):
                oversight[key] = fv.one(parts, key)
        if oversight:
            data["oversight"] = oversight

    def org_named(self, display: str | None) -> _Org:
        """An organisation known only by a reference's display, or one not recorded at all."""
        name = fv.limit(fv.string(display), 200)
        key: object = ("display", name.casefold()) if name else ("display", None)
        found = self.orgs.get(key)
        if found is None:
            found = self.orgs[key] = _Org(name or "Organisation not recorded")
            if name is None:
                self.report.flag(
                    "Some encounters name no organisation (no serviceProvider): their steps are "
                    "at “Organisation not recorded”; set the right one on each step."
                )
        return found

    # -- the pathway: encounters ----------------------------------------------------------
    def visit(self, entry: Entry) -> _Visit | None:
        resource = entry.resource
        status = resource.get("status")
        if status in ("entered-in-error", "cancelled"):
            self.skipped[f"encounters {status.replace('-', ' ')}"] += 1
            return None
        if not self.about_her(entry):
            self.skipped["encounters about someone else"] += 1
            return None
        period = fv.obj(resource.get("period"))
        start = fv.when(period.get("start"))
        if start is None:
            self.skipped["encounters without a start date"] += 1
            return None
        end = fv.when(period.get("end"), end=True)
        cls = resource.get("class")
        code = cls.get("code") if isinstance(cls, dict) else None
        provider = resource.get("serviceProvider")
        target = self.doc.resolve(provider, entry, "serviceProvider", ("Organization",))
        org = (
            self.org(target)
            if target is not None
            else self.org_named(provider.get("display") if isinstance(provider, dict) else None)
        )
        ours = fv.code_in(resource.get("type"), v.STEP_KIND_SYSTEM) in _enum("step", "kind")
        if isinstance(code, str):
            org.classes[code] += 1
        types = resource.get("type")
        if fv.has_code(types, v.SNOMED, v.CHECK_UP_CODES) or v.CHECK_UP_WORDS.search(fv.words(types)):
            org.check_ups += 1
        self.mark(entry)
        return _Visit(entry, start, end, code if isinstance(code, str) else None, org, ours)

    def window(self, visits: list[_Visit]) -> None:
        latest = max((moment_date(vis.start) for vis in visits), default=None)
        if self.since is not None:
            start: date | None = self.since
            rule = f"from {format_day(self.since)}, as asked"
        elif not self.years:
            start, rule = None, "the whole history, as asked"
        elif latest is None:
            start, rule = None, "no encounters"
        else:
            start = fv.years_before(latest, self.years)
            rule = (
                f"the {self.years} year{'s' if self.years != 1 else ''} before the latest encounter, "
                f"{format_day(latest)}"
            )
        self.window_start = start
        self.report.window = ImportWindow(start, latest, rule)

    def in_window(self, start: Moment | date | None, end: Moment | date | None = None) -> bool:
        if self.window_start is None or start is None:
            return True
        last = end if end is not None else start
        return moment_date(last) >= self.window_start

    def pathway(self, visits: list[_Visit]) -> None:
        kept = [vis for vis in visits if self.in_window(vis.start, vis.end)]
        left_out = len(visits) - len(kept)
        self.report.left_out_encounters = left_out
        if left_out:
            assert self.window_start is not None
            self.report.skip(
                f"{left_out:,} encounter{'s' if left_out != 1 else ''} before "
                f"{format_day(self.window_start)}: older history, left out of the pathway "
                "(choose a longer time window to include them)"
            )
        emergencies = [vis for vis in visits if vis.cls in v.EMERGENCY_CLASSES]
        unknown_classes: Counter[str] = Counter()
        for order, vis in enumerate(sorted(kept, key=lambda x: moment_key(x.start))):
            step = self.step(vis, emergencies, unknown_classes)
            self.steps.append(_Step(step, vis.org, order * 2, vis.entry.id, vis.ours))
            vis.org.needed = True
            if not vis.ours and step["kind"] == "admission":
                self.discharge(vis, step, order * 2 + 1)
        for code, count in unknown_classes.items():
            self.report.flag(
                f"{count} encounter{'s' if count != 1 else ''} of class “{code}”, which the import "
                "does not know: recorded as contacts; check their kind."
            )
        kinds = Counter(s.data["kind"] for s in self.steps)
        if self.steps:
            listing = ", ".join(
                f"{count} {label('kind', kind).lower()}{'s' if count != 1 else ''}"
                for kind, count in kinds.most_common()
            )
            self.report.map(f"Encounter ×{len(kept)} → {len(self.steps)} steps ({listing})")

    def step(self, vis: _Visit, emergencies: list[_Visit], unknown: Counter[str]) -> dict[str, Any]:
        resource = vis.entry.resource
        types = resource.get("type")
        step: dict[str, Any]
        if vis.ours:
            step = {"kind": fv.code_in(types, v.STEP_KIND_SYSTEM)}
        else:
            if vis.cls is not None and vis.cls not in v.ENCOUNTER_CLASS:
                unknown[vis.cls] += 1
            kind, stage, setting = v.ENCOUNTER_CLASS.get(vis.cls or "", ("contact", "at_home", None))
            step = {"kind": kind, "stage": stage}
            if setting:
                step["setting"] = setting
        step["start"] = format_iso(vis.start)
        if vis.end is not None:
            if moment_key(vis.end) >= moment_key(vis.start):
                step["end"] = format_iso(vis.end)
            else:
                self.report.flag(f"{vis.entry.describe()} ends before it starts: its end was left out.")
        text = next((t for t in (fv.concept_text(c) for c in fv.concepts(types)) if t), None)
        if not vis.ours:
            reasons = [fv.concept_text(c) for c in fv.concepts(resource.get("reasonCode"))]
            reasons += [
                fv.clean(r.get("display"))
                for r in resource.get("reasonReference") or []
                if isinstance(r, dict)
            ]
            reason = next((r for r in reasons if r), None)
            if reason and (text is None or reason.casefold() not in text.casefold()):
                text = f"{text}: {reason}" if text else reason
        if text:
            step["label"] = fv.limit(text, 300)
        emergency = self.emergency(vis, emergencies)
        if emergency is not None:
            step["emergency"] = emergency
        if vis.ours:
            self.step_details(resource, step)
        return step

    def emergency(self, vis: _Visit, emergencies: list[_Visit]) -> bool | None:
        resource = vis.entry.resource
        priority = fv.code_in(resource.get("priority"), v.ACT_PRIORITY)
        if priority in v.PRIORITY_EMERGENCY:
            return v.PRIORITY_EMERGENCY[priority]
        if vis.ours:
            return None
        if vis.cls in v.EMERGENCY_CLASSES:
            return True
        hospitalization = resource.get("hospitalization")
        admit = hospitalization.get("admitSource") if isinstance(hospitalization, dict) else None
        if fv.code_in(admit, "http://terminology.hl7.org/CodeSystem/admit-source") == "emd":
            return True
        if vis.cls in v.INPATIENT_CLASSES:
            start = moment_key(vis.start)
            for emer in emergencies:
                gap = start - moment_key(emer.start)
                if emer.org is vis.org and timedelta(0) <= gap <= timedelta(hours=24):
                    return True
        return None

    def step_details(self, resource: dict[str, Any], step: dict[str, Any]) -> None:
        """Our step-details extension: stage, setting, funding, delay and the other case fields."""
        parts = fv.extension(resource, v.STEP_EXT)
        if not parts:
            return
        for key in (
            "stage",
            "setting",
            "funding",
            "delay_reason",
            "delay_attribution",
            "assessment_domain",
            "chc_status",
        ):
            code = fv.one(parts, key)
            if code in _enum("step", key):
                step[key] = code
        for key, size in (("service_line", 100), ("contract", 100), ("notes", 10000)):
            text = fv.string(fv.one(parts, key)) if key != "notes" else fv.one(parts, key)
            if isinstance(text, str) and text.strip():
                step[key] = fv.limit(text, size)
        if isinstance(fv.one(parts, "permanent"), bool):
            step["permanent"] = fv.one(parts, "permanent")
        ready = fv.day(fv.one(parts, "ready_for_discharge"))
        if ready is not None:
            start = fv.day(step["start"])
            end = fv.day(step.get("end"))
            if step["kind"] == "admission" and start and ready >= start and (end is None or ready <= end):
                step["ready_for_discharge"] = ready.isoformat()
            else:
                self.report.flag(
                    f"A ready-for-discharge date ({format_day(ready)}) outside its admission was left out."
                )

    def discharge(self, vis: _Visit, admission: dict[str, Any], order: int) -> None:
        """A discharge (or death, or transfer) step from an admission's discharge disposition."""
        hospitalization = vis.entry.resource.get("hospitalization")
        disposition = (
            hospitalization.get("dischargeDisposition") if isinstance(hospitalization, dict) else None
        )
        if not isinstance(disposition, dict):
            return
        found: tuple[str, str | None, str] | None = None
        for coding in fv.codings(disposition):
            table = v.DISPOSITION_SYSTEMS.get(str(coding.get("system")))
            if table and coding.get("code") in table:
                found = table[str(coding["code"])]
                break
            if coding.get("system") == v.SNOMED and coding.get("code") == "306689006":
                found = ("discharge", "home", "home")
                break
        text = fv.concept_text(disposition) or fv.words([disposition])
        if found is None:
            found = next((result for pattern, result in v.DISPOSITION_WORDS if pattern.search(text)), None)
        if found is None:
            found = ("discharge", None, text or "destination not recorded")
        if "end" not in admission:
            admission["notes"] = f"Discharge disposition: {text}"
            return
        kind, setting, words = found
        title = {"death": "Died", "transfer": f"Transferred to {words}"}.get(kind, f"Discharged: {words}")
        step: dict[str, Any] = {
            "kind": kind,
            "stage": "step_down",
            "start": admission["end"],
            "label": fv.limit(title, 300),
        }
        if setting:
            step["setting"] = setting
        self.steps.append(_Step(step, vis.org, order))

    # -- team and coordinator -------------------------------------------------------------
    def member(self, entry: Entry, display: str | None = None) -> _Member:
        """The team member a Practitioner, PractitionerRole or RelatedPerson stands for."""
        role_entry: Entry | None = None
        person = entry
        if entry.type == "PractitionerRole":
            role_entry = entry
            self.mark(entry)
            practitioner = self.doc.resolve(
                entry.resource.get("practitioner"), entry, "practitioner", ("Practitioner",)
            )
            if practitioner is None:
                shown = entry.resource.get("practitioner")
                display = (shown.get("display") if isinstance(shown, dict) else None) or display
                member = self.member_named(display)
                self.role_details(member, entry)
                return member
            person = practitioner
        known = self.members.get(id(person.resource))
        if known is not None:
            member = known
        else:
            self.mark(person)
            resource = person.resource
            name = (
                fv.human_name(resource.get("name"))
                or fv.string(display)
                or f"{person.type} {person.id or ''}".strip()
            )
            member = _Member(fv.limit(name, 200) or name, person.id)
            names = resource.get("name")
            prefixes = (
                [p for n in names if isinstance(n, dict) for p in (n.get("prefix") or [])]
                if isinstance(names, list)
                else []
            )
            member.doctor = any(isinstance(p, str) and _DOCTOR.match(p) for p in prefixes)
            member.contact = fv.limit(fv.telecom(resource.get("telecom")), 200)
            if person.type == "RelatedPerson":
                member.role = "family_carer"
            else:
                qualifications = [
                    q.get("code") for q in resource.get("qualification") or [] if isinstance(q, dict)
                ]
                member.role = self.role(qualifications)
            details = fv.extension(resource, v.MEMBER_EXT)
            if details:
                role = fv.one(details, "role")
                if role in _enum("member", "role"):
                    member.role = role
                register = fv.one(details, "professional_register")
                if register in _enum("member", "professional_register"):
                    member.register = register
            self.members[id(person.resource)] = member
        if role_entry is not None:
            self.role_details(member, role_entry)
        for practitioner_role in self.roles_of(person):
            self.role_details(member, practitioner_role)
        return member

    def roles_of(self, practitioner: Entry) -> list[Entry]:
        """PractitionerRoles in the file that point to this Practitioner (for the role and organisation)."""
        if practitioner.type != "Practitioner":
            return []
        found = []
        for entry in self.doc.of_type("PractitionerRole"):
            ref = entry.resource.get("practitioner")
            if isinstance(ref, dict) and isinstance(ref.get("reference"), str):
                target = self.doc.resolve(ref, entry, "practitioner", ("Practitioner",))
                if target is not None and target.resource is practitioner.resource:
                    found.append(entry)
        return found

    def role_details(self, member: _Member, entry: Entry) -> None:
        self.mark(entry)
        resource = entry.resource
        role = self.role(
            list(fv.concepts(resource.get("code"))) + list(fv.concepts(resource.get("specialty")))
        )
        if role and (member.role is None or member.role == "other"):
            member.role = role
        if member.organisation is None:
            org = self.doc.resolve(resource.get("organization"), entry, "organization", ("Organization",))
            if org is not None:
                member.organisation = self.org(org)
        if member.contact is None:
            member.contact = fv.limit(fv.telecom(resource.get("telecom")), 200)

    def member_named(self, display: str | None) -> _Member:
        """A team member known only by a reference's display."""
        name = fv.limit(fv.string(display), 200) or "Name not recorded"
        key = ("display", name.casefold())
        member = self.members.get(key)
        if member is None:
            member = self.members[key] = _Member(name)
            member.doctor = bool(_DOCTOR.match(name.split()[0])) if name.split() else False
        return member

    @staticmethod
    def role(concepts: list[Any]) -> str | None:
        """A team role from CodeableConcepts: our code, a known SNOMED CT occupation, or words."""
        roles = _enum("member", "role")
        for concept in concepts:
            for coding in fv.codings(concept):
                if coding.get("system") == v.ROLE_SYSTEM and coding.get("code") in roles:
                    return str(coding["code"])
        for concept in concepts:
            for coding in fv.codings(concept):
                if coding.get("system") == v.SNOMED and coding.get("code") in v.SNOMED_ROLE:
                    return v.SNOMED_ROLE[str(coding["code"])]
        words = fv.words(concepts)
        return next((role for pattern, role in v.ROLE_WORDS if pattern.search(words)), None)

    @staticmethod
    def is_coordinator(concept: Any) -> bool:
        return fv.has_code([concept], v.SNOMED, {v.CARE_COORDINATOR}) or bool(
            v.COORDINATOR_WORDS.search(fv.words([concept]))
        )

    def care_team(self, entry: Entry) -> None:
        if id(entry.resource) in self.teams_done:
            return
        self.teams_done.add(id(entry.resource))
        resource = entry.resource
        if resource.get("status") == "entered-in-error":
            self.skipped["care teams entered in error"] += 1
            return
        if not self.about_her(entry):
            self.skipped["care teams about someone else"] += 1
            return
        period = fv.obj(resource.get("period"))
        ended = fv.day(period.get("end"))
        if resource.get("status") != "active" and ended is not None and not self.in_window(ended):
            self.skipped["care teams that ended before the time window"] += 1
            return
        self.mark(entry)
        managers = [
            self.org(target)
            for index, ref in enumerate(resource.get("managingOrganization") or [])
            if (target := self.doc.resolve(ref, entry, f"managingOrganization[{index}]", ("Organization",)))
            is not None
        ]
        team_start = fv.day(period.get("start"))
        for index, participant in enumerate(resource.get("participant") or []):
            if not isinstance(participant, dict):
                continue
            element = f"participant[{index}]"
            ref = participant.get("member")
            target = self.doc.resolve(
                ref,
                entry,
                f"{element}.member",
                ("Practitioner", "PractitionerRole", "RelatedPerson", "Patient", "Organization", "CareTeam"),
            )
            roles = fv.concepts(participant.get("role"))
            if target is not None and target.type == "Patient":
                continue  # the person herself
            if target is not None and target.type == "Organization":
                self.org(target)
                continue
            if target is not None and target.type == "CareTeam":
                self.care_team(target)
                continue
            if target is None:
                display = ref.get("display") if isinstance(ref, dict) else None
                if not fv.string(display):
                    continue
                member = self.member_named(display)
            else:
                member = self.member(target, fv.obj(ref).get("display"))
            job = [r for r in roles if not self.is_coordinator(r)]
            role = self.role(job)
            if role and (member.role is None or member.role == "other"):
                member.role = role
            if len(job) < len(roles):
                span = fv.obj(participant.get("period"))
                start = fv.day(span.get("start")) or team_start
                reason = fv.extension(participant, v.COORDINATION_REASON_EXT)
                self.add_period(
                    member,
                    start,
                    fv.day(span.get("end")) or (ended if not span else None),
                    fv.string(fv.one(reason, "")),
                    f"care team “{fv.string(resource.get('name')) or entry.describe()}”",
                )
            behalf = self.doc.resolve(
                participant.get("onBehalfOf"), entry, f"{element}.onBehalfOf", ("Organization",)
            )
            org_ref = fv.extension(participant, v.MEMBER_EXT)
            if behalf is None and org_ref:
                behalf = self.doc.resolve(
                    fv.one(org_ref, "organisation"), entry, f"{element}.extension", ("Organization",)
                )
            if behalf is not None:
                member.organisation = member.organisation or self.org(behalf)
            elif member.organisation is None and len(managers) == 1:
                member.organisation = managers[0]
        self.teams_read += 1

    def add_period(
        self, member: _Member, start: date | None, end: date | None, reason: str | None, source: str
    ) -> None:
        if start is None:
            self.report.flag(
                f"{member.name} is named as care coordinator ({source}) without a start date: "
                "not recorded as coordinator; add the period on the Team tab."
            )
            return
        if end is not None and end < start:
            end = None
        self.periods.append(_Period(member, start, end, fv.limit(reason, 500), source))

    def episode(self, entry: Entry) -> None:
        resource = entry.resource
        if resource.get("status") in ("entered-in-error", "cancelled"):
            self.skipped["episodes of care cancelled or entered in error"] += 1
            return
        if not self.about_her(entry, "patient"):
            self.skipped["episodes of care about someone else"] += 1
            return
        period = fv.obj(resource.get("period"))
        end = fv.day(period.get("end"))
        if end is not None and not self.in_window(end):
            self.skipped["episodes of care that ended before the time window"] += 1
            return
        self.mark(entry)
        for index, ref in enumerate(resource.get("team") or []):
            team = self.doc.resolve(ref, entry, f"team[{index}]", ("CareTeam",))
            if team is not None:
                self.care_team(team)
        manager = resource.get("careManager")
        target = self.doc.resolve(manager, entry, "careManager", ("Practitioner", "PractitionerRole"))
        if target is None and not (isinstance(manager, dict) and fv.string(manager.get("display"))):
            return
        member = (
            self.member(target) if target is not None else self.member_named(fv.obj(manager).get("display"))
        )
        history = [h.get("period") for h in resource.get("statusHistory") or [] if isinstance(h, dict)]
        start = fv.day(period.get("start")) or next(
            (d for d in (fv.day(p.get("start")) for p in history if isinstance(p, dict)) if d), None
        )
        kind = next((t for t in (fv.concept_text(c) for c in fv.concepts(resource.get("type"))) if t), None)
        reason = f"Care manager of the episode of care{f' ({kind})' if kind else ''}"
        self.add_period(member, start, end, reason, f"episode of care {entry.describe()}")

    def coordination(self) -> None:
        """Coordinator periods: from care teams first; an episode's care manager only for someone the
        care teams do not name. Overlaps are closed where the next period begins (flagged)."""
        from_teams = {id(p.member) for p in self.periods if p.source.startswith("care team")}
        periods = [
            p for p in self.periods if p.source.startswith("care team") or id(p.member) not in from_teams
        ]
        kept: list[_Period] = []
        for period in periods:
            if period.end is not None and not self.in_window(period.end):
                self.skipped["coordinator periods that ended before the time window"] += 1
                continue
            if any(
                k.member is period.member and k.start == period.start and k.end == period.end for k in kept
            ):
                continue
            kept.append(period)
        kept.sort(key=lambda p: (p.start, p.end or date.max))
        result: list[_Period] = []
        for period in kept:
            last = result[-1] if result else None
            if last is not None and (last.end is None or last.end > period.start):
                if last.member is period.member:
                    last.end = None if last.end is None or period.end is None else max(last.end, period.end)
                    continue
                self.report.flag(
                    f"Coordinator periods overlap in the FHIR data: {last.member.name}'s was closed "
                    f"on {format_day(period.start)}, when {period.member.name}'s began."
                )
                if last.start == period.start:
                    result.pop()
                else:
                    last.end = period.start
            result.append(period)
        for period in result:
            self.report.map(
                f"Care coordinator: {period.member.name} from {format_day(period.start)}"
                + (f" to {format_day(period.end)}" if period.end else "")
                + f" ({period.source})"
            )
        self.coordinators = result

    # -- care plan ----------------------------------------------------------------------
    def care_plan(self) -> dict[str, Any] | None:
        plans: list[Entry] = []
        referenced: set[int] = set()
        for entry in self.doc.of_type("CarePlan"):
            for index, ref in enumerate(entry.resource.get("goal") or []):
                target = self.doc.resolve(ref, entry, f"goal[{index}]", ("Goal",))
                if target is not None:
                    referenced.add(id(target.resource))
            resource = entry.resource
            status = resource.get("status")
            if status in ("entered-in-error",):
                self.skipped["care plans entered in error"] += 1
                continue
            if not self.about_her(entry):
                self.skipped["care plans about someone else"] += 1
                continue
            period = fv.obj(resource.get("period"))
            last = fv.day(period.get("end")) or fv.day(resource.get("created")) or fv.day(period.get("start"))
            if status in ("completed", "revoked") and not self.in_window(last):
                self.skipped["care plans that ended before the time window"] += 1
                continue
            plans.append(entry)
        plan: dict[str, Any] = {}
        agreed: list[date] = []
        for entry in plans:
            self.plan_from(entry, plan, agreed)
        for entry in self.doc.of_type("Goal"):
            if id(entry.resource) not in referenced:
                self.standalone_goal(entry)
        if not plans and not self.goals:
            return None
        if agreed and "agreed_on" not in plan:
            plan["agreed_on"] = max(agreed).isoformat()
        if plans:
            self.report.map(
                f"CarePlan ×{len(plans)} → one shared care plan: {len(self.goals)} goal"
                f"{'s' if len(self.goals) != 1 else ''}, {len(self.actions)} action"
                f"{'s' if len(self.actions) != 1 else ''}"
            )
        ours = any(fv.code_in(e.resource.get("category"), v.PLAN_CATEGORY_SYSTEM) for e in plans)
        if self.goals and not ours:
            self.report.flag(
                "The goals come from clinical records: check them with the person and put them in "
                "the person's own words."
            )
        elif not self.goals and plans:
            self.report.flag("The care plans carry no goals: add the person's goals, in their own words.")
        unowned = sum(1 for a in self.actions if a.owner is None)
        if unowned:
            self.report.flag(
                f"{unowned} action{'s have' if unowned != 1 else ' has'} no owner in the FHIR data: "
                "give each one an owner on the Care plan tab."
            )
        return plan

    def plan_from(self, entry: Entry, plan: dict[str, Any], agreed: list[date]) -> None:
        resource = entry.resource
        self.mark(entry)
        for index, ref in enumerate(resource.get("careTeam") or []):
            team = self.doc.resolve(ref, entry, f"careTeam[{index}]", ("CareTeam",))
            if team is not None:
                self.care_team(team)
        goals: list[_Goal] = []
        for index, ref in enumerate(resource.get("goal") or []):
            target = self.doc.resolve(ref, entry, f"goal[{index}]", ("Goal",))
            goal = self.goal(target) if target is not None else None
            if goal is not None:
                goals.append(goal)
        ours = fv.code_in(resource.get("category"), v.PLAN_CATEGORY_SYSTEM) == "shared-care-plan"
        seen = {(a.data["description"].casefold(), id(a.goal)) for a in self.actions}
        for index, activity in enumerate(resource.get("activity") or []):
            if not isinstance(activity, dict):
                continue
            action = self.action(entry, activity, f"activity[{index}]", [] if ours else goals)
            if action is None:
                continue
            key = (action.data["description"].casefold(), id(action.goal))
            if key in seen and not ours:
                self.skipped["repeated care plan activities (the same action for the same goal)"] += 1
                continue
            seen.add(key)
            self.actions.append(action)
        for index, ref in enumerate(resource.get("contributor") or []):
            target = self.doc.resolve(
                ref,
                entry,
                f"contributor[{index}]",
                (
                    "Patient",
                    "Practitioner",
                    "PractitionerRole",
                    "Device",
                    "RelatedPerson",
                    "Organization",
                    "CareTeam",
                ),
            )
            if target is not None and target.type in ("Practitioner", "PractitionerRole", "RelatedPerson"):
                member = self.member(target)
                if member not in self.signed:
                    self.signed.append(member)
        created = fv.day(resource.get("created"))
        period = fv.obj(resource.get("period"))
        when = created or fv.day(period.get("start"))
        if when:
            agreed.append(when)
        details = fv.extension(resource, v.PLAN_EXT)
        if details:
            version = fv.one(details, "version")
            if isinstance(version, int) and not isinstance(version, bool) and version >= 1:
                plan["version"] = version
            if created:
                plan["agreed_on"] = created.isoformat()
            review = fv.day(fv.one(details, "review_on"))
            if review and (created is None or review >= created):
                plan["review_on"] = review.isoformat()
            contingency = fv.one(details, "contingency")
            if isinstance(contingency, str) and contingency.strip():
                plan["contingency"] = fv.limit(contingency, 10000)

    def goal(self, entry: Entry) -> _Goal | None:
        found = self.goals.get(id(entry.resource))
        if found is not None:
            return found
        resource = entry.resource
        lifecycle = resource.get("lifecycleStatus")
        if lifecycle == "entered-in-error":
            self.skipped["goals entered in error"] += 1
            return None
        if not self.about_her(entry):
            self.skipped["goals about someone else"] += 1
            return None
        words = fv.limit(fv.concept_text(resource.get("description")), 1000)
        if not words:
            self.skipped["goals without a description"] += 1
            return None
        self.mark(entry)
        data: dict[str, Any] = {"in_my_words": words}
        outcomes, due = [], None
        for target in resource.get("target") or []:
            if not isinstance(target, dict):
                continue
            ours = fv.code_in(target.get("measure"), v.GOAL_MEASURE_SYSTEM) == "outcome"
            measure = None if ours else fv.concept_text(target.get("measure"))
            detail = self.target_detail(target)
            outcomes.append(f"{measure}: {detail}" if measure and detail else measure or detail)
            due = due or fv.day(target.get("dueDate"))
        outcome = "; ".join(o for o in outcomes if o)
        if outcome:
            data["outcome"] = fv.limit(outcome, 1000)
        if due:
            data["target_date"] = due.isoformat()
        achievement = fv.code_in(resource.get("achievementStatus"), v.GOAL_ACHIEVEMENT)
        status = v.GOAL_LIFECYCLE.get(str(lifecycle))
        if status == "achieved" and achievement in ("not-achieved", "no-progress", "worsening"):
            status = "not_achieved"
        if status:
            data["status"] = status
        goal = self.goals[id(entry.resource)] = _Goal(data, entry.id)
        return goal

    @staticmethod
    def target_detail(target: dict[str, Any]) -> str | None:
        quantity = target.get("detailQuantity")
        if isinstance(quantity, dict) and quantity.get("value") is not None:
            unit = fv.string(quantity.get("unit")) or fv.string(quantity.get("code")) or ""
            return f"{quantity.get('comparator', '')}{quantity['value']} {unit}".strip()
        span = target.get("detailRange")
        if isinstance(span, dict):
            low, high = fv.obj(span.get("low")), fv.obj(span.get("high"))
            unit = fv.string(high.get("unit")) or fv.string(low.get("unit")) or ""
            if low.get("value") is not None and high.get("value") is not None:
                return f"{low['value']}–{high['value']} {unit}".strip()
        text = fv.string(target.get("detailString"))
        if text:
            return text
        concept = fv.concept_text(target.get("detailCodeableConcept"))
        if concept:
            return concept
        if isinstance(target.get("detailBoolean"), bool):
            return "yes" if target["detailBoolean"] else "no"
        if isinstance(target.get("detailInteger"), int):
            return str(target["detailInteger"])
        return None

    def standalone_goal(self, entry: Entry) -> None:
        """A Goal no care plan names: a goal of the shared plan while it is current."""
        resource = entry.resource
        lifecycle = resource.get("lifecycleStatus")
        last = fv.day(resource.get("statusDate")) or fv.day(resource.get("startDate"))
        if lifecycle in ("completed", "cancelled", "rejected") and not self.in_window(last):
            self.skipped["goals that ended before the time window"] += 1
            return
        if self.goal(entry) is not None:
            self.report.map(f"Goal {entry.describe()} (in no care plan) → a goal of the shared care plan")

    def action(
        self, plan: Entry, activity: dict[str, Any], element: str, goals: list[_Goal]
    ) -> _Action | None:
        detail = fv.obj(activity.get("detail"))
        reference = activity.get("reference")
        description = (
            fv.string(detail.get("description"))
            or fv.concept_text(detail.get("code"))
            or (fv.clean(reference.get("display")) if isinstance(reference, dict) else None)
        )
        if not description:
            self.skipped["care plan activities without a description"] += 1
            return None
        data: dict[str, Any] = {"description": fv.limit(description, 1000)}
        status = v.ACTIVITY_STATUS.get(str(detail.get("status")))
        if status:
            data["status"] = status
        goal: _Goal | None = None
        for index, ref in enumerate(detail.get("goal") or []):
            target = self.doc.resolve(ref, plan, f"{element}.detail.goal[{index}]", ("Goal",))
            goal = self.goal(target) if target is not None else None
            if goal is not None:
                break
        if goal is None and len(goals) == 1:
            goal = goals[0]
        owner: _Member | _Org | None = None
        for index, ref in enumerate(detail.get("performer") or []):
            target = self.doc.resolve(
                ref,
                plan,
                f"{element}.detail.performer[{index}]",
                (
                    "Practitioner",
                    "PractitionerRole",
                    "Organization",
                    "RelatedPerson",
                    "Patient",
                    "CareTeam",
                    "HealthcareService",
                    "Device",
                ),
            )
            if target is not None and target.type == "Organization":
                owner = self.org(target)
                owner.needed = True
            elif target is not None and target.type in ("Practitioner", "PractitionerRole", "RelatedPerson"):
                owner = self.member(target)
            elif target is None and isinstance(ref, dict) and fv.string(ref.get("display")):
                owner = self.member_named(ref.get("display"))
            if owner is not None:
                break
        timing = detail.get("scheduledTiming")
        if isinstance(timing, dict):
            frequency = fv.concept_text(timing.get("code"))
            if frequency:
                data["frequency"] = fv.limit(frequency, 100)
            repeat = fv.obj(timing.get("repeat"))
            bounds = fv.obj(repeat.get("boundsPeriod"))
            if fv.day(bounds.get("end")):
                data["due"] = fv.day(bounds.get("end")).isoformat()  # type: ignore[union-attr]
        period = detail.get("scheduledPeriod")
        if isinstance(period, dict) and fv.day(period.get("end")):
            data["due"] = fv.day(period.get("end")).isoformat()  # type: ignore[union-attr]
        scheduled = fv.string(detail.get("scheduledString"))
        if scheduled:
            when = fv.day(scheduled)
            if when:
                data["due"] = when.isoformat()
            else:
                data["frequency"] = fv.limit(scheduled, 100)
        ident = activity.get("id")
        return _Action(data, ident if isinstance(ident, str) else None, goal, owner)

    # -- conditions ---------------------------------------------------------------------
    def conditions(self) -> list[str]:
        found: list[str] = []
        for entry in self.doc.of_type("Condition"):
            resource = entry.resource
            verification = fv.code_in(
                resource.get("verificationStatus"),
                "http://terminology.hl7.org/CodeSystem/condition-ver-status",
            )
            if verification in ("entered-in-error", "refuted"):
                self.skipped[f"conditions {verification.replace('-', ' ')}"] += 1
                continue
            if not self.about_her(entry):
                self.skipped["conditions about someone else"] += 1
                continue
            clinical = fv.code_in(resource.get("clinicalStatus"), v.CONDITION_CLINICAL)
            if clinical in ("inactive", "remission", "resolved"):
                self.skipped["conditions no longer active (resolved, inactive or in remission)"] += 1
                self.mark(entry)
                continue
            text = fv.limit(fv.concept_text(resource.get("code")), 200)
            if not text:
                self.skipped["conditions without a name"] += 1
                continue
            self.mark(entry)
            if text not in found:
                found.append(text)
        if found:
            self.report.map(
                f"Condition → {len(found)} long-term condition{'s' if len(found) != 1 else ''}: "
                + ", ".join(found[:8])
                + (", …" if len(found) > 8 else "")
            )
        return found

    # -- sectors, settings and roles once everything is read ---------------------------------
    def sectors(self) -> None:
        unknown = []
        for org in self.orgs.values():
            if not org.needed:
                continue
            inpatient = sum(org.classes[c] for c in ("IMP", "ACUTE"))
            emergency = sum(org.classes[c] for c in v.EMERGENCY_CLASSES)
            if org.sector:
                pass
            elif org.registered_gp:
                org.sector, org.sector_reason = (
                    "primary_care",
                    "the registered GP practice (Patient.generalPractitioner)",
                )
            elif inpatient or emergency:
                org.sector = "acute"
                org.sector_reason = (
                    "inferred from "
                    + " and ".join(
                        f"{n} {what} encounter{'s' if n != 1 else ''}"
                        for n, what in ((inpatient, "inpatient"), (emergency, "emergency"))
                        if n
                    )
                    + " there"
                )
            elif org.classes["NONAC"] or org.classes["HH"]:
                org.sector = "community_health"
                org.sector_reason = "inferred from its non-acute inpatient or home health encounters"
            elif org.check_ups:
                org.sector = "primary_care"
                org.sector_reason = (
                    f"inferred from {org.check_ups} check-up encounter{'s' if org.check_ups != 1 else ''}"
                )
            else:
                org.sector, org.sector_reason = UNKNOWN_SECTOR, "unknown"
                unknown.append(org)
            if org.sector_reason != "unknown":
                self.report.map(
                    f"Organisation {org.name}: {label('sector', org.sector)} ({org.sector_reason})"
                )
        inferred = [o for o in self.orgs.values() if o.needed and o.sector_reason.startswith("inferred")]
        if inferred:
            listing = "; ".join(f"{o.name}: {label('sector', o.sector)}" for o in inferred)
            self.report.flag(
                f"Sectors inferred from how the encounters use an organisation ({listing}): check them on "
                "the Organisations tab."
            )
        for org in unknown:
            seen = (
                ", ".join(f"{n} {v.CLASS_WORDS.get(c, c)}" for c, n in org.classes.most_common())
                or "no encounters"
            )
            self.report.flag(
                f"Organisation {org.name}: sector unknown (the FHIR data does not say what kind of "
                f"organisation it is; {seen}). Placed under “{label('sector', UNKNOWN_SECTOR)}” "
                "for now: set its sector on the Organisations tab."
            )
        self.unknown_orgs = unknown
        for step in self.steps:
            data, sector = step.data, step.org.sector
            if step.ours or sector is None:
                continue
            if (
                data["kind"] == "admission"
                and data.get("setting") == "acute_ward"
                and sector in ADMISSION_SETTING
            ):
                data["setting"] = ADMISSION_SETTING[sector]
            elif (
                data["kind"] in ("contact", "attendance")
                and "setting" not in data
                and sector in AMBULATORY_SETTING
            ):
                data["setting"] = AMBULATORY_SETTING[sector]
        generic = 0
        for member in self.members.values():
            if (
                member.role is None
                and member.doctor
                and member.organisation is not None
                and member.organisation.sector == "primary_care"
            ):
                member.role = "gp"
            if member.role is None:
                member.role = "other"
                generic += 1
        if generic:
            self.report.flag(
                f"{generic} team member{'s' if generic != 1 else ''} with no role the app knows: "
                "recorded as “Other”; set each role on the Team tab."
            )

    def unused(self) -> None:
        """Count what the import did not read, by type, and the reasons it skipped things."""
        not_read: Counter[str] = Counter()
        for entry in self.doc.entries:
            if id(entry.resource) in self.used:
                continue
            if entry.type in ("Practitioner", "PractitionerRole", "Organization", "RelatedPerson"):
                not_read[entry.type] += 1
            elif entry.type not in (
                "Encounter",
                "CarePlan",
                "CareTeam",
                "Goal",
                "Condition",
                "EpisodeOfCare",
            ):
                self.report.unused[entry.type] += 1
        for kind, count in sorted(not_read.items()):
            self.report.skip(
                f"{kind} ×{count}: not on the care team, the pathway or the care plan in the time window"
            )
        for reason, count in sorted(self.skipped.items()):
            self.report.skip(f"{count:,} {reason}")
        if self.doc.skipped_entries:
            self.report.skip(
                f"{self.doc.skipped_entries} bundle entries without a resource (or search outcomes)"
            )

    # -- ids and the case file ------------------------------------------------------------
    @staticmethod
    def give_ids(items: list[Any], prefix: str) -> None:
        used: set[str] = set()
        for item in items:
            ident = item.fhir_id
            if ident and len(ident) <= MAX_KEPT_ID and _CASE_ID.match(ident) and ident not in used:
                item.id = ident
                used.add(ident)
        number = 0
        for item in items:
            if not item.id:
                number += 1
                while f"{prefix}{number}" in used:
                    number += 1
                item.id = f"{prefix}{number}"
                used.add(item.id)

    def build(self, person: dict[str, Any], plan: dict[str, Any] | None) -> dict[str, Any]:
        orgs = [o for o in self.orgs.values() if o.needed]
        members = list(self.members.values())
        steps = sorted(self.steps, key=lambda s: (moment_key(fv.when(s.data["start"]) or date.min), s.order))
        goals = list(self.goals.values())
        self.give_ids(orgs, "o")
        self.give_ids(members, "m")
        self.give_ids(steps, "s")
        self.give_ids(goals, "g")
        self.give_ids(self.actions, "a")
        case: dict[str, Any] = {"format": FORMAT, "version": VERSION, "person": person}
        case["organisations"] = [
            {"id": o.id, "name": o.name, "sector": o.sector or UNKNOWN_SECTOR, **o.data} for o in orgs
        ]
        if members:
            case["team"] = []
            for m in members:
                member: dict[str, Any] = {"id": m.id, "name": m.name, "role": m.role or "other"}
                if m.organisation is not None:
                    member["organisation"] = m.organisation.id
                if m.contact:
                    member["contact"] = m.contact
                if m.register:
                    member["professional_register"] = m.register
                case["team"].append(member)
        if self.coordinators:
            case["coordinator"] = [
                {
                    "member": p.member.id,
                    "from": p.start.isoformat(),
                    "to": p.end.isoformat() if p.end else None,
                    **({"reason": p.reason} if p.reason else {}),
                }
                for p in self.coordinators
            ]
        case["steps"] = [{"id": s.id, **s.data, "organisation": s.org.id} for s in steps]
        if plan is not None:
            if goals:
                plan["goals"] = [{"id": g.id, **g.data} for g in goals]
            if self.actions:
                plan["actions"] = []
                for a in self.actions:
                    action: dict[str, Any] = {"id": a.id, **a.data}
                    if a.goal is not None:
                        action["goal"] = a.goal.id
                    action["owner"] = a.owner.id if a.owner is not None else None
                    plan["actions"].append(action)
            if self.signed:
                plan["signed_off_by"] = [m.id for m in self.signed]
            case["care_plan"] = plan
        record: dict[str, Any] = {
            "window": self.report.window.describe() if self.report.window else None,
            "left_out_encounters": self.report.left_out_encounters,
        }
        if self.unknown_orgs:
            record["sector_unknown"] = [o.id for o in self.unknown_orgs]
        case["extensions"] = {IMPORT_KEY: record}
        return case
