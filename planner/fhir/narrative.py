"""The narrative (``Resource.text``, status ``generated``) of every exported resource.

FHIR asks a resource to carry a human-readable summary (the dom-6 best practice); a receiver shows
it when it cannot render the data. It is made from the resource's own elements, after they are
written, so it says nothing the data does not (an anonymised bundle's narrative is anonymised).
Every value is escaped: case text is never markup.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

XHTML = "http://www.w3.org/1999/xhtml"
#: Activities, participants and the like listed in one narrative, at most (the data holds them all).
MAX_ITEMS = 50


def narrative(resource: dict[str, Any]) -> dict[str, str]:
    """The generated narrative of a resource: a title and its main elements as a list."""
    kind = str(resource.get("resourceType"))
    title, rows = _SUMMARIES.get(kind, _generic)(resource)
    items = "".join(f"<li>{escape(name)}: {escape(value)}</li>" for name, value in rows if value)
    body = f"<p><b>{escape(title)}</b></p>" + (f"<ul>{items}</ul>" if items else "")
    return {"status": "generated", "div": f'<div xmlns="{XHTML}">{body}</div>'}


def _text(concept: Any) -> str:
    if not isinstance(concept, dict):
        return ""
    if isinstance(concept.get("text"), str):
        return str(concept["text"])
    for coding in concept.get("coding") or []:
        if isinstance(coding, dict) and coding.get("display"):
            return str(coding["display"])
    return ""


def _texts(concepts: Any) -> str:
    return "; ".join(t for t in (_text(c) for c in concepts or []) if t)


def _display(reference: Any) -> str:
    return str(reference.get("display", "")) if isinstance(reference, dict) else ""


def _name(names: Any) -> str:
    for name in names or []:
        if isinstance(name, dict) and name.get("text"):
            return str(name["text"])
    return ""


def _period(period: Any) -> str:
    if not isinstance(period, dict) or not period.get("start"):
        return ""
    return f"{period['start']} to {period['end']}" if period.get("end") else f"from {period['start']}"


Rows = list[tuple[str, str]]


def _patient(r: dict[str, Any]) -> tuple[str, Rows]:
    identifiers = r.get("identifier") or []
    nhs = next((i.get("value", "") for i in identifiers if "nhs-number" in str(i.get("system"))), "")
    address = (r.get("address") or [{}])[0]
    return f"Patient: {_name(r.get('name')) or 'name not recorded'}", [
        ("NHS number", str(nhs)),
        ("Gender", str(r.get("gender", ""))),
        ("Born", str(r.get("birthDate", ""))),
        ("Area", str(address.get("district", ""))),
        ("Postcode", str(address.get("postalCode", ""))),
        ("Registered GP practice", "; ".join(_display(g) for g in r.get("generalPractitioner") or [])),
    ]


def _organisation(r: dict[str, Any]) -> tuple[str, Rows]:
    return f"Organisation: {r.get('name', 'name not recorded')}", [
        ("Type", _texts(r.get("type"))),
        ("Identifiers", "; ".join(f"{i.get('value')}" for i in r.get("identifier") or [])),
        ("Area", str((r.get("address") or [{}])[0].get("district", ""))),
    ]


def _person(r: dict[str, Any]) -> tuple[str, Rows]:
    kind = "Related person" if r.get("resourceType") == "RelatedPerson" else "Practitioner"
    return f"{kind}: {_name(r.get('name')) or 'name not recorded'}", [
        ("Relationship", _texts(r.get("relationship"))),
        ("Contact", "; ".join(str(t.get("value", "")) for t in r.get("telecom") or [])),
    ]


def _role(r: dict[str, Any]) -> tuple[str, Rows]:
    return f"Role of {_display(r.get('practitioner')) or 'a practitioner'}", [
        ("Role", _texts(r.get("code"))),
        ("Organisation", _display(r.get("organization"))),
    ]


def _care_team(r: dict[str, Any]) -> tuple[str, Rows]:
    rows = [
        (_display(p.get("member")) or "member", " ".join(filter(None, [_texts(p.get("role")),
                                                                      _period(p.get("period"))])))
        for p in (r.get("participant") or [])[:MAX_ITEMS]
    ]
    return str(r.get("name", "Care team")), rows


def _episode(r: dict[str, Any]) -> tuple[str, Rows]:
    return f"Episode of care: {_texts(r.get('type')) or 'care'}", [
        ("Period", _period(r.get("period"))),
        ("Care manager", _display(r.get("careManager"))),
        ("Status", str(r.get("status", ""))),
    ]


def _encounter(r: dict[str, Any]) -> tuple[str, Rows]:
    cls: dict[str, Any] = r["class"] if isinstance(r.get("class"), dict) else {}
    return f"Encounter: {_texts(r.get('type')) or 'not described'}", [
        ("When", _period(r.get("period"))),
        ("Class", str(cls.get("display", ""))),
        ("Where", _display(r.get("serviceProvider"))),
        ("Status", str(r.get("status", ""))),
    ]


def _condition(r: dict[str, Any]) -> tuple[str, Rows]:
    return f"Condition: {_text(r.get('code')) or 'not named'}", [("Status", _text(r.get("clinicalStatus")))]


def _goal(r: dict[str, Any]) -> tuple[str, Rows]:
    targets = r.get("target") or [{}]
    return f"Goal: {_text(r.get('description'))}", [
        ("Status", str(r.get("lifecycleStatus", ""))),
        ("Outcome", str(targets[0].get("detailString", ""))),
        ("By", str(targets[0].get("dueDate", ""))),
    ]


def _care_plan(r: dict[str, Any]) -> tuple[str, Rows]:
    rows = [("Status", str(r.get("status", ""))), ("Agreed on", str(r.get("created", "")))]
    for activity in (r.get("activity") or [])[:MAX_ITEMS]:
        detail: dict[str, Any] = activity.get("detail") or {}
        owner = "; ".join(_display(p) for p in detail.get("performer") or [])
        rows.append(("Action", str(detail.get("description", "")) + (f" ({owner})" if owner else "")))
    return str(r.get("title", "Care plan")), rows


def _task(r: dict[str, Any]) -> tuple[str, Rows]:
    return str(r.get("description", "Task")), [
        ("Status", str(r.get("status", ""))),
        ("Notes", "; ".join(str(n.get("text", "")) for n in r.get("note") or [])),
    ]


def _generic(r: dict[str, Any]) -> tuple[str, Rows]:
    return str(r.get("resourceType", "Resource")), []


_SUMMARIES: dict[str, Callable[[dict[str, Any]], tuple[str, Rows]]] = {
    "Patient": _patient,
    "Organization": _organisation,
    "Practitioner": _person,
    "RelatedPerson": _person,
    "PractitionerRole": _role,
    "CareTeam": _care_team,
    "EpisodeOfCare": _episode,
    "Encounter": _encounter,
    "Condition": _condition,
    "Goal": _goal,
    "CarePlan": _care_plan,
    "Task": _task,
}
