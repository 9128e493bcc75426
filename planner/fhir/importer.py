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

import json
import os
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from planner.casefile import FORMAT, VERSION, case_from_dict, read_json_file
from planner.dates import format_day
from planner.fhir import shapes
from planner.fhir import values as fv
from planner.fhir import vocabulary as v
from planner.fhir.document import Document, Entry, FhirImportError, is_fhir
from planner.fhir.mapping import IMPORT_KEY, UNKNOWN_SECTOR, _enum, _Handoff, _Org
from planner.fhir.plan import PlanMapper
from planner.fhir.report import ImportReport
from planner.model import RECORD_KEY, Case, moment_key
from planner.nhs_number import is_valid as nhs_number_is_valid
from planner.validation import MAX_COUNTED, CaseFileError, Problem

#: The default time window: encounters in the 3 years before the latest one become steps.
DEFAULT_YEARS = 3
#: FHIR ids up to this length are kept as case ids; longer ones (UUIDs) get short ids instead.
MAX_KEPT_ID = 24
_CASE_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


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
    except CaseFileError as error:
        if not mapper.drop_carried(case_data):
            raise _in_the_case(error, source) from None
        try:  # the team's annotations or record carried by our export no longer fit: without them
            case = case_from_dict(case_data, source)
        except CaseFileError as again:
            raise _in_the_case(again, source) from None
    return FhirImport(case, case_data, mapper.report)


def _in_the_case(error: CaseFileError, source: str | None) -> FhirImportError:
    """A problem of the case made from the file: its paths are in that case, not in the file."""
    problems = [Problem(p.path, f"{p.message} (in the case made from the FHIR data)") for p in error.problems]
    return FhirImportError(problems, source=source, count=error.count)


def read_fhir_file(
    path: str | os.PathLike[str], *, since: date | None = None, years: int | None = DEFAULT_YEARS
) -> FhirImport:
    """Read a FHIR JSON file and import it (see :func:`import_fhir`)."""
    data = read_json_file(path)
    if not is_fhir(data):
        raise FhirImportError("not FHIR: the file has no resourceType (is it a case file?)", "$", str(path))
    return import_fhir(data, source=str(path), since=since, years=years)
class _Mapper(PlanMapper):
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
        self.handoffs()
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
        self.outside()
        self.unused()
        return self.build(person, plan)


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
        if "animal" in patients[0].resource:
            doc.fail(
                "the Patient is an animal (Patient.animal is set): a case is about a person",
                f"{patients[0].path}.animal",
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
            whole = re.fullmatch(r"\d{4}-\d{2}-\d{2}", born)
            day = fv.day(born) if whole else None
            if day is None and (whole or fv.day(born) is None):
                report.flag(f"The date of birth '{born}' is not a valid date: left out.")
            elif day is None:
                report.flag(f"The date of birth '{born}' is not a whole date: left out.")
            elif day > date.today():
                report.flag(f"The date of birth {format_day(day)} is in the future: left out.")
            else:
                person["date_of_birth"] = day.isoformat()
        gender = resource.get("gender")
        if gender in _enum("person", "sex"):
            person["sex"] = gender
        elif gender is not None:
            report.flag(
                f"The gender '{gender}' is not a FHIR gender (male, female, other or unknown): left out."
            )
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
            self.general_practitioner(entry, reference, f"generalPractitioner[{index}]")
        return person

    def general_practitioner(self, entry: Entry, reference: Any, element: str) -> None:
        """The registered GP: an Organization in the file (also by its ODS code) or a practitioner;
        else a GP practice known by the reference's display or ODS code, or as not in this file."""
        kinds = ("Organization", "Practitioner", "PractitionerRole")
        target = self.doc.resolve(reference, entry, element, kinds)
        if target is not None and target.type != "Organization":
            member = self.member(target)
            member.role = member.role or "gp"
            self.report.map(f"Patient.generalPractitioner → {member.name}, GP")
            return
        if target is not None:
            org: _Org | None = self.org(target)
        else:
            org = self.gp_not_in_file(reference, entry)
        if org is None:
            return
        org.registered_gp = org.needed = True
        how = "in the file" if target is not None else "named in the reference only"
        self.report.map(f"Patient.generalPractitioner → {org.name}, the registered GP practice ({how})")

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

    def gp_not_in_file(self, reference: Any, entry: Entry) -> _Org | None:
        """The registered GP when the reference does not resolve: a GP (team member) when it names
        a practitioner, else a GP practice by the reference's display or ODS code, or as not in
        this file. None when the reference names nothing."""
        if not isinstance(reference, dict):
            return None
        target = reference.get("reference")
        kind = reference.get("type") or (str(target).split("/")[-2] if str(target).count("/") else None)
        display = fv.string(reference.get("display"))
        if kind in ("Practitioner", "PractitionerRole") and display:
            member = self.member_named(display)
            member.role = member.role or "gp"
            self.report.map(f"Patient.generalPractitioner → {member.name}, GP (named in the reference only)")
            return None
        identifier = fv.obj(reference.get("identifier"))
        ods = fv.string(identifier.get("value")) if identifier.get("system") == v.ODS_SYSTEM else None
        if ods and not display:
            return self.org_named(f"GP practice {ods}", ods=ods)
        if not display and not ods and self.doc.is_outside(reference, entry):
            return self.org_named("Registered GP practice (not in this file)")
        return self.org_unresolved(reference, entry)

    def outside(self) -> None:
        """References to what is not in the file: kept as names where they have one, and listed."""
        outside = self.doc.outside
        if not outside:
            return
        listed = "; ".join(
            f"{where.describe()} {element} → {f'{shown} ({to})' if shown else to}"
            for where, element, to, shown in outside[:5]
        )
        more = f" and {len(outside) - 5} more" if len(outside) > 5 else ""
        self.report.flag(
            f"{len(outside)} reference{'s' if len(outside) != 1 else ''} to resources not in this file "
            f"({listed}{more}): kept as names where the file gives one (else “not in this file”); check them."
        )

    def handoffs(self) -> None:
        """Handoffs from our own export: Tasks coded as a handoff, from the step of their
        ``encounter`` to the step of their ``focus`` (both in the time window), with the method."""
        steps = {s.key: s for s in self.steps if s.key is not None}
        for entry in self.doc.of_type("Task"):
            resource = entry.resource
            if not fv.has_code(resource.get("code"), v.HANDOFF_SYSTEM, {"handoff"}):
                continue
            self.mark(entry)
            ends = [
                self.doc.resolve(resource.get(element), entry, element, ("Encounter",))
                for element in ("encounter", "focus")
            ]
            source, target = (steps.get(id(end.resource)) if end is not None else None for end in ends)
            if source is None or target is None:
                self.skipped["handoffs from or to a step not imported"] += 1
                continue
            method = next(
                (
                    fv.code_in(item.get("valueCodeableConcept"), v.HANDOFF_METHOD_SYSTEM)
                    for item in resource.get("input") or []
                    if isinstance(item, dict) and fv.has_code(item.get("type"), v.HANDOFF_SYSTEM, {"method"})
                ),
                None,
            )
            owner = self.doc.resolve(
                resource.get("owner"), entry, "owner",
                ("Practitioner", "PractitionerRole", "Organization", "CareTeam", "HealthcareService",
                 "Patient", "Device", "RelatedPerson"),
            )
            receiver = (
                self.member(owner)
                if owner is not None and owner.type in ("Practitioner", "PractitionerRole", "RelatedPerson")
                else None
            )
            notes = " ".join(
                str(n["text"])
                for n in resource.get("note") or []
                if isinstance(n, dict) and fv.string(n.get("text"))
            )
            self.handoff_list.append(
                _Handoff(source, target, method if method in _enum("handoff", "method") else None, receiver,
                         fv.limit(notes, 10000) or None)
            )
        if self.handoff_list:
            count = len(self.handoff_list)
            self.report.map(f"Task ×{count} (handoffs) → {count} handoff{'s' if count != 1 else ''}")

    def case_details(self) -> dict[str, Any]:
        """Our case-details extension on the EpisodeOfCare: the title, and the team's annotations
        and record carried as the case file's JSON."""
        for entry in self.doc.of_type("EpisodeOfCare"):
            parts = fv.extension(entry.resource, v.CASE_EXT)
            if parts:
                found: dict[str, Any] = {}
                title = fv.string(fv.one(parts, "title"))
                if title:
                    found["title"] = fv.limit(title, 200)
                for key in ("annotations", "team_record"):
                    text = fv.one(parts, key)
                    try:
                        found[key] = json.loads(text) if isinstance(text, str) else None
                    except ValueError:
                        what = key.replace("_", " ")
                        self.report.flag(f"The case's {what} in the file could not be read: left out.")
                return found
        return {}

    def drop_carried(self, case: dict[str, Any]) -> bool:
        """Leave out the annotations and team record carried by our export (they refer to steps and
        people by the case's ids), saying so; False when there were none to leave out."""
        dropped = [key for key in ("annotations",) if key in case]
        if RECORD_KEY in case["extensions"]:
            del case["extensions"][RECORD_KEY]
            dropped.append("team record")
        for key in ("annotations",):
            case.pop(key, None)
        if dropped:
            self.report.flag(
                f"The team's {' and '.join(dropped)} in the file do not match the case as imported: left out."
            )
        return bool(dropped)

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
        details = self.case_details()
        if details.get("title"):
            case["title"] = details["title"]
        if isinstance(details.get("annotations"), list) and details["annotations"]:
            case["annotations"] = details["annotations"]
        if self.handoff_list:
            case["handoffs"] = []
            for h in self.handoff_list:
                handoff: dict[str, Any] = {"from": h.source.id, "to": h.target.id}
                if h.method:
                    handoff["method"] = h.method
                if h.receiver is not None:
                    handoff["named_receiver"] = h.receiver.id
                if h.notes:
                    handoff["notes"] = h.notes
                case["handoffs"].append(handoff)
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
        if isinstance(details.get("team_record"), dict):
            case["extensions"][RECORD_KEY] = details["team_record"]
        return case
