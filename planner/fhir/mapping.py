"""The state a FHIR import builds while it reads a document, and the readers every part shares:
organisations (with their sector from ``Organization.type``), whether a resource is about the
person, and the time window. The mapping itself is split along its seams: :mod:`planner.fhir.team`
(team and coordinator), :mod:`planner.fhir.pathway` (encounters and sectors), :mod:`planner.fhir.plan`
(care plan, goals, conditions) and :mod:`planner.fhir.importer` (the person, ids and the case file).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from planner.fhir import values as fv
from planner.fhir import vocabulary as v
from planner.fhir.document import Document, Entry
from planner.fhir.report import ImportReport
from planner.model import Moment, moment_date
from planner.validation import case_schema

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
    #: why check-ups there did not make it a GP practice ("named as a hospital or trust")
    not_a_practice: str = ""
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
    #: id() of the Encounter it came from (a handoff's Task refers to it)
    key: int | None = None


@dataclass(eq=False)
class _Handoff:
    source: _Step
    target: _Step
    method: str | None
    receiver: _Member | None
    notes: str | None


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


class MapperBase:
    """What the mapping has read so far, and the readers shared by its parts."""

    patient: Entry  # the person's Patient, found first

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
        self.handoff_list: list[_Handoff] = []

    def mark(self, entry: Entry) -> None:
        self.used.add(id(entry.resource))

    def about_her(self, entry: Entry, element: str = "subject") -> bool:
        """Whether a resource is about the person: its subject is her, or it names no subject (a
        subject that is not in the file is someone else)."""
        if self.doc.is_outside(entry.resource.get(element), entry):
            return False
        target = self.doc.resolve(entry.resource.get(element), entry, element, ("Patient", "Group"))
        return target is None or target.resource is self.patient.resource

    @staticmethod
    def home_address(addresses: Any) -> dict[str, Any] | None:
        found = [a for a in addresses if isinstance(a, dict)] if isinstance(addresses, list) else []
        current = [a for a in found if not (isinstance(a.get("period"), dict) and a["period"].get("end"))]
        for address in current or found:
            if address.get("use") in ("home", None):
                return address
        candidates = current or found
        return candidates[0] if candidates else None


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

    def org_named(self, display: str | None, *, ods: str | None = None, outside: bool = False) -> _Org:
        """An organisation known only by a reference's display or ODS code (or as not in this file),
        or one not recorded at all."""
        name = fv.limit(fv.string(display), 200)
        if ods is not None and len(ods) <= 20:
            key: object = ("ods", ods)
            name = name or f"Organisation {ods}"
        elif name:
            key = ("display", name.casefold())
        elif outside:
            key, name = ("outside", None), "Organisation not in this file"
        else:
            key = ("display", None)
        found = self.orgs.get(key)
        if found is None:
            found = self.orgs[key] = _Org(name or "Organisation not recorded")
            if ods is not None and len(ods) <= 20:
                found.data["codes"] = {"ods": ods}
            if name is None:
                self.report.flag(
                    "Some encounters name no organisation (no serviceProvider): their steps are "
                    "at “Organisation not recorded”; set the right one on each step."
                )
        return found

    def org_reference(self, reference: Any, entry: Entry, element: str) -> _Org | None:
        """The organisation a Reference names: the Organization in the file (also by its ODS code),
        else one known by the reference's display or ODS code, or as not in this file."""
        target = self.doc.resolve(reference, entry, element, ("Organization",))
        if target is not None:
            return self.org(target)
        return self.org_unresolved(reference, entry)

    def org_unresolved(self, reference: Any, entry: Entry) -> _Org | None:
        """The organisation of a Reference that does not resolve in the file, if it names one."""
        if not isinstance(reference, dict):
            return None
        identifier = fv.obj(reference.get("identifier"))
        ods = fv.string(identifier.get("value")) if identifier.get("system") == v.ODS_SYSTEM else None
        display = fv.string(reference.get("display"))
        outside = self.doc.is_outside(reference, entry)
        if display or ods or outside:
            return self.org_named(display, ods=ods, outside=outside)
        return None

    def in_window(self, start: Moment | date | None, end: Moment | date | None = None) -> bool:
        if self.window_start is None or start is None:
            return True
        last = end if end is not None else start
        return moment_date(last) >= self.window_start

