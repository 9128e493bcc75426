"""The JSON shape of the FHIR R4 elements the import reads, checked before it reads them.

FHIR's JSON form says which elements repeat (always a JSON array, even of one), which are
objects (a Reference, a Period, a CodeableConcept...) and which are primitives. A file whose
elements have another shape (a ``participant`` that is an object, a ``period`` that is text, a
``birthDate`` that is a number) is not FHIR R4 JSON: the import refuses it, listing every such
element by its JSON path, before the mapping reads any of it. Elements the import does not read
are not checked (they are reported as unused, never read).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from planner.validation import Problem, key_path

if TYPE_CHECKING:
    from planner.fhir.document import Document

#: A shape: a JSON kind ("string", "boolean", "number", "integer"), an object's elements by name
#: (a dict), a repeating element (a list of one shape), or a data type's name (a key of TYPES).
Shape = Any

TYPES: dict[str, Shape] = {
    "Coding": {"system": "string", "code": "string", "display": "string"},
    "CodeableConcept": {"coding": ["Coding"], "text": "string"},
    "Reference": {"reference": "string", "display": "string"},
    "Period": {"start": "string", "end": "string"},
    "Identifier": {"system": "string", "value": "string"},
    "HumanName": {"use": "string", "text": "string", "family": "string", "given": ["string"],
                  "prefix": ["string"], "period": "Period"},
    "Address": {"use": "string", "city": "string", "district": "string", "postalCode": "string"},
    "ContactPoint": {"system": "string", "value": "string"},
    "Quantity": {"value": "number", "unit": "string", "code": "string"},
    "Range": {"low": "Quantity", "high": "Quantity"},
    "Timing": {"code": "CodeableConcept", "repeat": {"boundsPeriod": "Period"}},
    "Extension": {"url": "string", "extension": ["Extension"]},
}

#: Elements every resource may have.
_COMMON: dict[str, Shape] = {"resourceType": "string", "id": "string",
                             "contained": [{"resourceType": "string", "id": "string"}],
                             "extension": ["Extension"], "identifier": ["Identifier"]}

CONCEPT, REF = "CodeableConcept", "Reference"

RESOURCES: dict[str, dict[str, Shape]] = {
    "Bundle": {"type": "string",
               "entry": [{"fullUrl": "string", "resource": {}, "search": {"mode": "string"}}]},
    "Patient": {"name": ["HumanName"], "telecom": ["ContactPoint"], "gender": "string", "birthDate": "string",
                "deceasedBoolean": "boolean", "deceasedDateTime": "string", "address": ["Address"],
                "generalPractitioner": [REF], "managingOrganization": REF},
    "Organization": {"type": [CONCEPT], "name": "string", "alias": ["string"],
                     "telecom": ["ContactPoint"], "address": ["Address"], "partOf": REF},
    "Practitioner": {"name": ["HumanName"], "telecom": ["ContactPoint"], "address": ["Address"],
                     "gender": "string", "qualification": [{"code": CONCEPT}]},
    "PractitionerRole": {"practitioner": REF, "organization": REF, "code": [CONCEPT],
                         "specialty": [CONCEPT], "telecom": ["ContactPoint"], "period": "Period"},
    "RelatedPerson": {"patient": REF, "relationship": [CONCEPT], "name": ["HumanName"],
                      "telecom": ["ContactPoint"]},
    "Encounter": {"status": "string", "class": "Coding", "type": [CONCEPT],
                  "serviceType": CONCEPT, "priority": CONCEPT, "subject": REF,
                  "participant": [{"type": [CONCEPT], "period": "Period", "individual": REF}],
                  "period": "Period", "reasonCode": [CONCEPT], "reasonReference": [REF],
                  "hospitalization": {"admitSource": CONCEPT,
                                      "dischargeDisposition": CONCEPT},
                  "location": [{"location": REF}], "serviceProvider": REF,
                  "statusHistory": [{"status": "string", "period": "Period"}], "episodeOfCare": [REF]},
    "CareTeam": {"status": "string", "category": [CONCEPT], "name": "string", "subject": REF,
                 "period": "Period",
                 "participant": [{"role": [CONCEPT], "member": REF, "onBehalfOf": REF,
                                  "period": "Period"}],
                 "managingOrganization": [REF], "telecom": ["ContactPoint"]},
    "EpisodeOfCare": {"status": "string", "statusHistory": [{"status": "string", "period": "Period"}],
                      "type": [CONCEPT], "patient": REF, "managingOrganization": REF,
                      "period": "Period", "careManager": REF, "team": [REF]},
    "CarePlan": {"status": "string", "intent": "string", "category": [CONCEPT], "title": "string",
                 "description": "string", "subject": REF, "period": "Period", "created": "string",
                 "author": REF, "contributor": [REF], "careTeam": [REF],
                 "addresses": [REF], "goal": [REF],
                 "activity": [{"reference": REF,
                               "detail": {"code": CONCEPT, "status": "string", "description": "string",
                                          "goal": [REF], "performer": [REF],
                                          "scheduledTiming": "Timing", "scheduledPeriod": "Period",
                                          "scheduledString": "string"}}]},
    "Goal": {"lifecycleStatus": "string", "achievementStatus": CONCEPT, "category": [CONCEPT],
             "priority": CONCEPT, "description": CONCEPT, "subject": REF,
             "startDate": "string", "statusDate": "string", "addresses": [REF],
             "target": [{"measure": CONCEPT, "detailQuantity": "Quantity", "detailRange": "Range",
                         "detailString": "string", "detailBoolean": "boolean", "detailInteger": "integer",
                         "detailCodeableConcept": CONCEPT, "dueDate": "string"}]},
    "Condition": {"clinicalStatus": CONCEPT, "verificationStatus": CONCEPT,
                  "category": [CONCEPT], "severity": CONCEPT, "code": CONCEPT,
                  "subject": REF, "onsetDateTime": "string", "abatementDateTime": "string",
                  "recordedDate": "string"},
}

_KINDS = {"string": "text", "boolean": "true or false", "number": "a number", "integer": "a whole number"}


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object" if isinstance(value, dict) else "null"


def _fits(value: Any, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, int | float) and not isinstance(value, bool)


def check(value: Any, shape: Shape, path: str, element: str) -> Iterator[Problem]:
    """Every place in ``value`` (at ``path``, the element ``element``) not of ``shape``."""
    if isinstance(shape, str) and shape in TYPES:
        shape = TYPES[shape]
    if isinstance(shape, list):
        if not isinstance(value, list):
            yield Problem(path, f"{element} must be a list (it repeats in FHIR R4), not {_kind_of(value)}")
            return
        for index, item in enumerate(value):
            yield from check(item, shape[0], f"{path}[{index}]", element)
    elif isinstance(shape, dict):
        if not isinstance(value, dict):
            yield Problem(path, f"{element} must be an object, not {_kind_of(value)}")
            return
        for key, inner in shape.items():
            if key in value:
                yield from check(value[key], inner, key_path(path, key), f"{element}.{key}")
    elif not _fits(value, shape):
        yield Problem(path, f"{element} must be {_KINDS[shape]}, not {_kind_of(value)}")


def resource_problems(resource: dict[str, Any], path: str) -> Iterator[Problem]:
    """Every element of a resource the import reads that is not of its FHIR R4 JSON shape."""
    kind = resource.get("resourceType")
    shape = RESOURCES.get(kind) if isinstance(kind, str) else None
    if shape is None:
        return
    for key, inner in (_COMMON | shape).items():
        if key in resource:
            yield from check(resource[key], inner, key_path(path, key), f"{kind}.{key}")


def document_problems(document: Document) -> list[Problem]:
    """Every element the import reads, in the bundle and every resource, not of its R4 shape."""
    found: list[Problem] = []
    if document.bundle_type is not None:
        found += resource_problems(document.data, "$")
    for entry in document.all_resources():
        found += resource_problems(entry.resource, entry.path)
    return found
