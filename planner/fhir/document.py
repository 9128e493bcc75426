"""A FHIR R4 JSON document as read for import: a Bundle or one resource, and its references.

Owns recognising FHIR content, refusing what is not FHIR R4 (with the evidence), indexing the
entries and their contained resources, and resolving references the way the FHIR specification
resolves them inside a bundle: ``#id`` in the containing resource, ``urn:uuid:``/``urn:oid:``
and absolute URLs by ``fullUrl``, relative ``Type/id`` by the resources' own type and id, and
conditional ``Type?identifier=system|value`` and a logical reference (``Reference.identifier``,
e.g. an ODS code or an NHS number) by identifier. A reference to something that is not in the
file is recorded in :attr:`Document.outside` (the importer keeps its display as a name and
reports it); a ``#id`` that is not contained, or a reference to a resource of the wrong type,
refuses the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from planner.validation import CaseFileError, Problem

#: Bundle types a case can be read from (a batch is a transaction that may partly fail).
READABLE_BUNDLES = frozenset({"collection", "transaction", "batch", "searchset", "document"})

_RELATIVE = re.compile(r"(?:^|/)([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})$")
_HISTORY = re.compile(r"/_history/[^/]*$")

#: Resource types that exist only in versions after R4 (R4B or R5).
_LATER_TYPES = frozenset(
    {
        "ActorDefinition",
        "AdministrableProductDefinition",
        "ArtifactAssessment",
        "BiologicallyDerivedProductDispense",
        "Citation",
        "ClinicalUseDefinition",
        "ConditionDefinition",
        "DeviceAssociation",
        "DeviceDispense",
        "DeviceUsage",
        "EncounterHistory",
        "EvidenceReport",
        "FormularyItem",
        "GenomicStudy",
        "Ingredient",
        "InventoryItem",
        "InventoryReport",
        "ManufacturedItemDefinition",
        "MedicinalProductDefinition",
        "NutritionIntake",
        "NutritionProduct",
        "PackagedProductDefinition",
        "Permission",
        "RegulatedAuthorization",
        "Requirements",
        "SubscriptionStatus",
        "SubscriptionTopic",
        "SubstanceDefinition",
        "TestPlan",
        "Transport",
    }
)
#: Resource types that exist only in versions before R4 (DSTU2 or STU3).
_EARLIER_TYPES = frozenset(
    {
        "BodySite",
        "DataElement",
        "DeviceComponent",
        "DeviceUseRequest",
        "DiagnosticOrder",
        "EligibilityRequest",
        "EligibilityResponse",
        "ExpansionProfile",
        "ImagingManifest",
        "Order",
        "OrderResponse",
        "ProcedureRequest",
        "ProcessRequest",
        "ProcessResponse",
        "ReferralRequest",
        "Sequence",
        "ServiceDefinition",
    }
)


class FhirImportError(CaseFileError):
    """A FHIR file that cannot become a case; nothing is imported. One message at ``path``, or
    several problems (``count`` of them in all)."""

    def __init__(self, message: str | list[Problem], path: str = "$", source: str | None = None,
                 count: int | None = None) -> None:
        super().__init__([Problem(path, message)] if isinstance(message, str) else message, source, count)


def is_fhir(data: Any) -> bool:
    """Whether parsed JSON is FHIR content (a resource names its type) rather than a case file."""
    return isinstance(data, dict) and isinstance(data.get("resourceType"), str) and "format" not in data


@dataclass(eq=False)
class Entry:
    """One resource of the document: a bundle entry's resource, or a resource contained in one."""

    resource: dict[str, Any]
    path: str
    full_url: str | None = None
    container: Entry | None = None
    contained: dict[str, Entry] = field(default_factory=dict)

    @property
    def type(self) -> str:
        return str(self.resource.get("resourceType"))

    @property
    def id(self) -> str | None:
        ident = self.resource.get("id")
        return ident if isinstance(ident, str) else None

    @property
    def top(self) -> Entry:
        """The bundle entry this resource is, or is contained in."""
        return self.container or self

    def describe(self) -> str:
        """A short name for messages: ``Encounter/abc`` (or its path when it has no id)."""
        return f"{self.type}/{self.id}" if self.id else f"{self.type} at {self.path}"


class Document:
    """A parsed FHIR R4 document: its entries, indexed for resolving references."""

    def __init__(self, data: Any, source: str | None = None) -> None:
        self.source = source
        if not isinstance(data, dict):
            self.fail(
                "not FHIR: a FHIR resource is a JSON object, and this is "
                f"a JSON {type(data).__name__.replace('dict', 'object').replace('list', 'array')}"
            )
        kind = data.get("resourceType")
        if not isinstance(kind, str) or not kind:
            self.fail(
                "not FHIR: the JSON object has no resourceType, so it is neither a FHIR resource nor a Bundle"
            )
        self.data = data
        self.entries: list[Entry] = []
        self.skipped_entries = 0
        self.bundle_type: str | None = None
        #: references the import followed to something not in the file: (where, element, target, display)
        self.outside: list[tuple[Entry, str, str, str | None]] = []
        if kind == "Bundle":
            self._read_bundle(data)
        else:
            self.entries.append(self._entry(data, "$", None))
        check_version(self)
        self.by_url: dict[str, Entry] = {}
        self.by_type_id: dict[tuple[str, str], Entry] = {}
        self.by_type: dict[str, list[Entry]] = {}
        self._by_identifier: dict[str, dict[tuple[str | None, str], list[Entry]]] = {}
        for entry in self.entries:
            if entry.full_url:
                self.by_url.setdefault(_HISTORY.sub("", entry.full_url), entry)
            if entry.id:
                self.by_type_id.setdefault((entry.type, entry.id), entry)
            self.by_type.setdefault(entry.type, []).append(entry)

    # -- reading -------------------------------------------------------------------------
    def fail(self, message: str, path: str = "$") -> Any:
        raise FhirImportError(message, path, self.source)

    def _read_bundle(self, data: dict[str, Any]) -> None:
        bundle_type = data.get("type")
        self.bundle_type = bundle_type if isinstance(bundle_type, str) else None
        if not isinstance(bundle_type, str) or bundle_type not in READABLE_BUNDLES:
            shown = f"a '{bundle_type}' Bundle" if isinstance(bundle_type, str) else "a Bundle without a type"
            self.fail(
                f"{shown} cannot start a case: import a collection, transaction, batch, searchset "
                "or document Bundle",
                "$.type",
            )
        entries = data.get("entry", [])
        if not isinstance(entries, list):
            self.fail("Bundle.entry must be a list of entries", "$.entry")
        for index, item in enumerate(entries):
            path = f"$.entry[{index}]"
            if not isinstance(item, dict):
                self.fail("a Bundle entry must be a JSON object", path)
            resource = item.get("resource")
            if resource is None:  # e.g. a DELETE in a transaction: nothing to read
                self.skipped_entries += 1
                continue
            if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
                self.fail("the entry's resource has no resourceType", f"{path}.resource")
            search = item.get("search")
            if isinstance(search, dict) and search.get("mode") == "outcome":
                self.skipped_entries += 1
                continue
            full_url = item.get("fullUrl")
            self.entries.append(
                self._entry(resource, f"{path}.resource", full_url if isinstance(full_url, str) else None)
            )

    def _entry(self, resource: dict[str, Any], path: str, full_url: str | None) -> Entry:
        entry = Entry(resource, path, full_url)
        contained = resource.get("contained")
        if isinstance(contained, list):
            for index, inner in enumerate(contained):
                if (isinstance(inner, dict) and isinstance(inner.get("id"), str)
                        and isinstance(inner.get("resourceType"), str)):
                    entry.contained[inner["id"]] = Entry(inner, f"{path}.contained[{index}]", None, entry)
        return entry

    def all_resources(self) -> Iterator[Entry]:
        """Every entry and every resource contained in one."""
        for entry in self.entries:
            yield entry
            yield from entry.contained.values()

    def of_type(self, kind: str) -> list[Entry]:
        return self.by_type.get(kind, [])

    # -- references ----------------------------------------------------------------------
    def resolve(
        self, reference: Any, where: Entry, element: str, expected: tuple[str, ...] = ()
    ) -> Entry | None:
        """The resource a Reference points to; None when it has no ``reference`` (display only)
        or points outside the file (recorded in :attr:`outside`). A logical reference (an
        ``identifier`` alone) is matched to a resource of an expected type with that identifier.

        A reference that resolves to a type not in ``expected`` is an error."""
        if not isinstance(reference, dict):
            return None
        target = reference.get("reference")
        if not isinstance(target, str) or not target.strip():
            return self._logical(reference.get("identifier"), expected)
        target = target.strip()
        found = self._find(target, where)
        if found is None and target.startswith("#"):  # a contained resource is in the file by definition
            self.fail(
                f"{where.describe()}: {element} refers to '{target}', which is not in the file "
                "(a broken reference)",
                f"{where.path}.{element}",
            )
        if found is None:
            display = reference.get("display")
            found_one = (where, element, target, display.strip() if isinstance(display, str) else None)
            if found_one not in self.outside:
                self.outside.append(found_one)
            return None
        if expected and found.type not in expected:
            self.fail(
                f"{where.describe()}: {element} refers to a {found.type} ('{target}') where "
                f"{' or '.join(expected)} is expected",
                f"{where.path}.{element}",
            )
        return found

    def is_outside(self, reference: Any, where: Entry) -> bool:
        """Whether a Reference points to something that is not in the file."""
        target = reference.get("reference") if isinstance(reference, dict) else None
        return isinstance(target, str) and bool(target.strip()) and self._find(target.strip(), where) is None

    def _logical(self, identifier: Any, expected: tuple[str, ...]) -> Entry | None:
        if not isinstance(identifier, dict) or not isinstance(identifier.get("value"), str):
            return None
        system = identifier.get("system")
        key = (system if isinstance(system, str) else None, str(identifier["value"]))
        for kind in expected:
            holders = self._identifiers(kind).get(key)
            if holders:
                return holders[0]
        return None

    def _find(self, target: str, where: Entry) -> Entry | None:
        if target.startswith("#"):
            top = where.top
            return top if target == "#" else top.contained.get(target[1:])
        if "?" in target:
            return self._conditional(target)
        plain = _HISTORY.sub("", target)
        found = self.by_url.get(plain)
        if found is not None or plain.startswith("urn:"):
            return found
        match = _RELATIVE.search(plain)
        if match is None:
            return None
        if "://" not in plain:
            base = where.top.full_url
            if base and "://" in base:  # relative to the referencing entry's server
                prefix = _RELATIVE.sub("", _HISTORY.sub("", base))
                found = self.by_url.get(f"{prefix}/{plain}")
                if found is not None:
                    return found
        return self.by_type_id.get((match[1], match[2]))

    def _conditional(self, target: str) -> Entry | None:
        kind, _, query = target.partition("?")
        wanted: list[tuple[str | None, str]] = []
        for part in query.split("&"):
            name, _, value = part.partition("=")
            if name != "identifier":
                return None
            system, bar, code = value.partition("|")
            wanted.append((system or None, code) if bar else (None, system))
        index = self._identifiers(kind)
        for entry in index.get(wanted[0], []):  # the first in file order that has every identifier
            if all(entry in index.get(pair, ()) for pair in wanted[1:]):
                return entry
        return None

    def _identifiers(self, kind: str) -> dict[tuple[str | None, str], list[Entry]]:
        """The resources of ``kind`` by (system, value) and by (None, value) of each identifier, in
        file order; built once per kind, so resolving many conditional references stays linear."""
        index = self._by_identifier.get(kind)
        if index is None:
            index = self._by_identifier[kind] = {}
            for entry in self.of_type(kind):
                identifiers = entry.resource.get("identifier")
                for item in identifiers if isinstance(identifiers, list) else []:
                    system = item.get("system") if isinstance(item, dict) else None
                    value = item.get("value") if isinstance(item, dict) else None
                    if isinstance(value, str) and isinstance(system, str | None):
                        for pair in {(system, value), (None, value)}:
                            holders = index.setdefault(pair, [])
                            if not holders or holders[-1] is not entry:
                                holders.append(entry)
        return index


# -- the FHIR version ----------------------------------------------------------------------------
def check_version(document: Document) -> None:
    """Refuse content that shows it is not FHIR R4 (4.0.x), naming the evidence."""
    declared = document.data.get("fhirVersion")
    for entry in document.all_resources():
        stated = entry.resource.get("fhirVersion")
        declared = declared or stated
    if isinstance(declared, list):
        declared = declared[0] if declared else None
    if isinstance(declared, str) and not declared.startswith("4.0"):
        document.fail(
            f"this is FHIR {declared}, not R4: only FHIR R4 (4.0.1) can be imported", "$.fhirVersion"
        )
    top = Entry(document.data, "$")
    for entry in [top, *document.all_resources()] if document.bundle_type else document.all_resources():
        found = _later_or_earlier(entry.resource)
        if found is not None:
            version, evidence = found
            document.fail(
                f"this looks like FHIR {version}, not R4 ({entry.describe()}: {evidence}); "
                "only FHIR R4 (4.0.1) can be imported",
                entry.path,
            )


def _later_or_earlier(resource: dict[str, Any]) -> tuple[str, str] | None:
    """(version, evidence) when a resource has a shape that R4 does not allow."""
    kind = resource.get("resourceType")
    if not isinstance(kind, str):  # refused by the shape check (planner.fhir.shapes)
        return None
    if kind in _LATER_TYPES:
        return "R4B or R5", f"{kind} is not an R4 resource"
    if kind in _EARLIER_TYPES:
        return "DSTU2 or STU3", f"{kind} was removed in R4"
    if "fhir_comments" in resource:
        return "DSTU2", "it has fhir_comments"
    meta = resource.get("meta")
    profiles = meta.get("profile") if isinstance(meta, dict) else None
    for profile in profiles if isinstance(profiles, list) else []:
        for marker, version in (("/r5/", "R5"), ("/stu3/", "STU3"), ("/dstu2/", "DSTU2"), ("/r4b/", "R4B")):
            if isinstance(profile, str) and marker in profile.lower():
                return version, f"its profile {profile}"
    check = _SHAPES.get(str(kind))
    return check(resource) if check else None


def _encounter(resource: dict[str, Any]) -> tuple[str, str] | None:
    cls = resource.get("class")
    if isinstance(cls, list):
        return "R5", "Encounter.class is a list"
    if isinstance(cls, str):
        return "DSTU2", "Encounter.class is a plain code"
    for key in ("actualPeriod", "plannedStartDate", "virtualService", "subjectStatus"):
        if key in resource:
            return "R5", f"Encounter.{key} is not in R4"
    if "patient" in resource:
        return "DSTU2", "Encounter.patient was renamed subject in STU3"
    return None


def _condition(resource: dict[str, Any]) -> tuple[str, str] | None:
    for key in ("clinicalStatus", "verificationStatus"):
        if isinstance(resource.get(key), str):
            return "STU3 or DSTU2", f"Condition.{key} is a plain code (a CodeableConcept in R4)"
    if "patient" in resource:
        return "DSTU2", "Condition.patient was renamed subject in STU3"
    if isinstance(resource.get("participant"), list):
        return "R5", "Condition.participant is not in R4"
    return None


def _care_team(resource: dict[str, Any]) -> tuple[str, str] | None:
    participants = resource.get("participant")
    for participant in participants if isinstance(participants, list) else []:
        if isinstance(participant, dict):
            if isinstance(participant.get("role"), dict):
                return "STU3", "CareTeam.participant.role is a single CodeableConcept (a list in R4)"
            if "coverageTimingSchedule" in participant or "coveragePeriod" in participant:
                return "R5", "CareTeam.participant.coverage[x] is not in R4"
    return None


def _care_plan(resource: dict[str, Any]) -> tuple[str, str] | None:
    for key, version in (("context", "STU3"), ("definition", "STU3"), ("custodian", "R5")):
        if key in resource:
            return version, f"CarePlan.{key} is not in R4"
    activities = resource.get("activity")
    for activity in activities if isinstance(activities, list) else []:
        if isinstance(activity, dict):
            for key in ("plannedActivityReference", "performedActivity"):
                if key in activity:
                    return "R5", f"CarePlan.activity.{key} is not in R4"
    return None


def _goal(resource: dict[str, Any]) -> tuple[str, str] | None:
    if "status" in resource and "lifecycleStatus" not in resource:
        return "STU3 or DSTU2", "Goal.status was renamed lifecycleStatus in R4"
    return None


def _episode(resource: dict[str, Any]) -> tuple[str, str] | None:
    if "careTeam" in resource:
        return "DSTU2 or R5", "EpisodeOfCare.careTeam is not in R4 (R4 calls it team)"
    if "reason" in resource:
        return "R5", "EpisodeOfCare.reason is not in R4"
    return None


def _bundle(resource: dict[str, Any]) -> tuple[str, str] | None:
    if resource.get("type") == "subscription-notification":
        return "R4B or R5", "a subscription-notification Bundle"
    if "issues" in resource:
        return "R5", "Bundle.issues is not in R4"
    return None


_SHAPES = {
    "Encounter": _encounter,
    "Condition": _condition,
    "CareTeam": _care_team,
    "CarePlan": _care_plan,
    "Goal": _goal,
    "EpisodeOfCare": _episode,
    "Bundle": _bundle,
}
