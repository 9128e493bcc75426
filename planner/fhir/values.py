"""Reading FHIR R4 data types for the import: strings, CodeableConcepts, dates, names, extensions.

Every reader takes parsed JSON as it comes (any type, or absent) and returns a plain value or
None, never raising: the importer decides what a missing or malformed value means.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from planner.fhir import vocabulary as v
from planner.model import Moment, moment_date

_WHEN = re.compile(
    r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
    r"(Z|[+-]\d{2}:\d{2})?)?)?)?$"
)


def string(value: Any) -> str | None:
    """A FHIR string without its outer white space; None for anything else or nothing left."""
    if isinstance(value, str):
        return value.strip() or None
    return None


def limit(text: str | None, size: int) -> str | None:
    """Text cut to the case file's maximum length, with an ellipsis."""
    if text is None or len(text) <= size:
        return text
    return text[: size - 1].rstrip() + "…"


def clean(text: str | None) -> str | None:
    """A display for people: SNOMED CT's "(disorder)"-style tag dropped."""
    text = string(text)
    return v.SEMANTIC_TAG.sub("", text) or text if text else None


def obj(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one for anything else (absent, or of the wrong type)."""
    return value if isinstance(value, dict) else {}


def codings(concept: Any) -> list[dict[str, Any]]:
    """The Codings of a CodeableConcept."""
    found = concept.get("coding") if isinstance(concept, dict) else None
    return [c for c in found if isinstance(c, dict)] if isinstance(found, list) else []


def concepts(value: Any) -> list[dict[str, Any]]:
    """A CodeableConcept, or a list of them, as a list."""
    if isinstance(value, dict):
        return [value]
    return [c for c in value if isinstance(c, dict)] if isinstance(value, list) else []


def code_in(value: Any, system: str) -> str | None:
    """The first code of ``system`` in one or more CodeableConcepts."""
    for concept in concepts(value):
        for coding in codings(concept):
            if coding.get("system") == system and isinstance(coding.get("code"), str):
                return str(coding["code"])
    return None


def has_code(value: Any, system: str, codes: frozenset[str] | set[str]) -> bool:
    return any(
        coding.get("system") == system and coding.get("code") in codes
        for concept in concepts(value)
        for coding in codings(concept)
    )


def concept_text(concept: Any) -> str | None:
    """A CodeableConcept in words: its text, else the display of a coding not of our own systems.
    A SNOMED CT tag such as "(disorder)" is dropped from a display, and from a text that copies one."""
    if not isinstance(concept, dict):
        return None
    text = string(concept.get("text"))
    if text:
        copied = any(string(coding.get("display")) == text for coding in codings(concept))
        return clean(text) if copied else text
    for coding in codings(concept):
        system = coding.get("system")
        if isinstance(system, str) and system.startswith(v.BASE):
            continue
        display = string(coding.get("display"))
        if display:
            return clean(display)
    return None


def words(value: Any) -> str:
    """Every text, display and code of some CodeableConcepts, for matching words."""
    parts: list[str] = []
    for concept in concepts(value):
        parts.append(str(concept.get("text") or ""))
        for coding in codings(concept):
            parts += [str(coding.get("display") or ""), str(coding.get("code") or "")]
    return " ".join(p for p in parts if p)


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def uk_time(utc: datetime) -> datetime:
    """The UK's wall-clock time at a UTC instant: BST (+1 hour) from 01:00 UTC on the last Sunday of
    March to 01:00 UTC on the last Sunday of October, else GMT."""
    start = datetime.combine(_last_sunday(utc.year, 3), datetime.min.time()) + timedelta(hours=1)
    end = datetime.combine(_last_sunday(utc.year, 10), datetime.min.time()) + timedelta(hours=1)
    return utc + timedelta(hours=1) if start <= utc < end else utc


def when(value: Any, *, end: bool = False) -> Moment | None:
    """A FHIR date or dateTime as a case moment. A time with a UTC offset (``Z``, ``+01:00``,
    ``-05:00``) is the same instant on the UK's clock, as the case's times are (so 09:00Z in July
    is 10:00); a time without one is taken as written. Fractions of a second are dropped; a year
    or month alone is its first day (its last day for an end)."""
    if not isinstance(value, str):
        return None
    match = _WHEN.match(value.strip())
    if match is None:
        return None
    year, month, mday = int(match[1]), int(match[2] or 0), int(match[3] or 0)
    try:
        if not month:
            return date(year, 12, 31) if end else date(year, 1, 1)
        if not mday:
            first = date(year, month, 1)
            return (
                (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
                if end
                else first
            )
        if match[4] is None:
            return date(year, month, mday)
        moment = datetime(year, month, mday, int(match[4]), int(match[5]), int(match[6] or 0))
        offset = match[7]
        if not offset:
            return moment
        if offset != "Z":
            sign = 1 if offset[0] == "+" else -1
            moment -= sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))
        return uk_time(moment)
    except ValueError:
        return None


def day(value: Any) -> date | None:
    """The date of a FHIR date or dateTime."""
    moment = when(value)
    return moment_date(moment) if moment is not None else None


def years_before(moment: date, years: int) -> date:
    """The day ``years`` before ``moment`` (28 February for 29 February); the first day there is
    when that would be before year 1."""
    if moment.year - years < date.min.year:
        return date.min
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


def human_name(names: Any) -> str | None:
    """The name to show: the official (else usual, else first) current name, as written."""
    candidates = [n for n in names if isinstance(n, dict)] if isinstance(names, list) else []
    current = [n for n in candidates if not (isinstance(n.get("period"), dict) and n["period"].get("end"))]
    candidates = current or candidates
    for use in ("official", "usual", None):
        for name in candidates:
            if use is None or name.get("use") == use:
                parts = [
                    p for key in ("prefix", "given") for p in (name.get(key) or []) if isinstance(p, str)
                ]
                family = string(name.get("family"))
                if family:
                    parts.append(family)
                built = string(" ".join(parts))
                text = built or string(name.get("text"))
                if text:
                    return text
    return None


def telecom(points: Any) -> str | None:
    """A contact from ContactPoints: a phone number first, else an email address, else any."""
    found = (
        [p for p in points if isinstance(p, dict) and string(p.get("value"))]
        if isinstance(points, list)
        else []
    )
    for system in ("phone", "email", None):
        for point in found:
            if system is None or point.get("system") == system:
                return string(point.get("value"))
    return None


def extension(resource: Any, url: str) -> dict[str, list[Any]] | None:
    """Our complex extension on a resource or element, as {part: [values]}; None if absent."""
    extensions = resource.get("extension") if isinstance(resource, dict) else None
    for ext in extensions if isinstance(extensions, list) else []:
        if isinstance(ext, dict) and ext.get("url") == url:
            parts: dict[str, list[Any]] = {}
            for part in ext.get("extension") or []:
                if isinstance(part, dict) and isinstance(part.get("url"), str):
                    value = next((val for key, val in part.items() if key.startswith("value")), None)
                    parts.setdefault(part["url"], []).append(value)
            value = next((val for key, val in ext.items() if key.startswith("value")), None)
            if value is not None:
                parts.setdefault("", []).append(value)
            return parts
    return None


def one(parts: dict[str, list[Any]] | None, key: str) -> Any:
    """The first value of an extension's part ("" for the extension's own value)."""
    values = parts.get(key) if parts else None
    return values[0] if values else None
