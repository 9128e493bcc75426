"""Writing FHIR R4 data types for the export: dateTimes with the UK's offset, HumanNames,
ContactPoints, CodeableConcepts and our complex extensions."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from planner.model import Moment

_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rev", "lady", "lord"})


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def uk_offset(moment: datetime) -> str:
    """The UK's UTC offset for a local time: +01:00 in British Summer Time, else +00:00.
    (BST runs from 01:00 GMT on the last Sunday of March to 01:00 GMT on the last Sunday of October.)"""
    start = datetime.combine(_last_sunday(moment.year, 3), time(1))
    end = datetime.combine(_last_sunday(moment.year, 10), time(2))
    return "+01:00" if start <= moment < end else "+00:00"


def fhir_moment(value: Moment, shift: timedelta = timedelta(0)) -> str:
    """A FHIR dateTime: a date alone, or a date and time with the UK offset (FHIR requires one).

    ``shift``: how far an anonymised copy's dates were moved (whole weeks). A moved time carries
    the offset of the time it was moved from, so it stands for that instant moved by exactly the
    shift, and every interval is kept to the minute, across a change of the clocks too."""
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat(timespec="seconds") + uk_offset(value - shift)
    return value.isoformat()


def human_name(text: str, use: str | None = None, *, split: bool = True) -> dict[str, Any]:
    """A HumanName whose parts join back into ``text`` exactly: "Dr Anita Shah" -> prefix Dr,
    given Anita, family Shah. Text that does not split cleanly is written as text alone, and so
    is any text when ``split`` is False (an anonymised bundle's "Home care worker" is a role, not
    a given name and a family name)."""
    name: dict[str, Any] = {"use": use} if use else {}
    name["text"] = text
    tokens = text.split(" ")
    if split and all(tokens):
        if len(tokens) > 1 and tokens[0].rstrip(".").casefold() in _TITLES:
            name["prefix"] = [tokens.pop(0)]
        name["family"] = tokens.pop()
        if tokens:
            name["given"] = tokens
    return name


def _contact_point(contact: str) -> dict[str, Any]:
    if "@" in contact and " " not in contact.strip():
        system = "email"
    elif re.match(r"^[+()\d][\d\s()+-]{5,}", contact):
        system = "phone"
    else:
        system = "other"
    return {"system": system, "value": contact}


def _text(value: str | None) -> str | None:
    """Text to write: FHIR strings cannot be empty, so "" (or white space alone) is left out."""
    return value if value is not None and value.strip() else None


def _complex(url: str, parts: list[tuple[str, str, Any]]) -> dict[str, Any] | None:
    """A complex extension from (part, value[x] name, value), leaving out absent values."""
    present = [
        {"url": key, kind: value}
        for key, kind, value in parts
        if value is not None and (not isinstance(value, str) or _text(value))
    ]
    return {"url": url, "extension": present} if present else None


def _concept(system: str, code: str, display: str, text: str | None = None) -> dict[str, Any]:
    concept: dict[str, Any] = {"coding": [{"system": system, "code": code, "display": display}]}
    if text:
        concept["text"] = text
    return concept
