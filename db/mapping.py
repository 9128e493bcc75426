"""Generic conversion between planner dataclasses and the rows of ``db.schema``.

Columns share the dataclass fields' names. Nested objects (frailty, consent, codes, oversight)
are JSON columns holding their case-file form; a step's start and end are ISO text.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from planner.convert import fields, from_json, to_json, without_none
from planner.dates import format_iso, parse_moment
from planner.model import Moment

T = TypeVar("T")
_MOMENT = without_none(Moment)


def to_row(obj: Any, **extra: Any) -> dict[str, Any]:
    """Column values for a dataclass (plus ``extra`` such as case_id and position)."""
    values = dict(extra)
    for name, _key, hint in fields(type(obj)):
        value = getattr(obj, name)
        if value is None:
            values[name] = None
        elif without_none(hint) == _MOMENT:
            values[name] = format_iso(value)
        elif dataclasses.is_dataclass(value):
            values[name] = to_json(value)
        else:
            values[name] = value
    return values


def from_row(cls: type[T], row: Any, **extra: Any) -> T:
    """A dataclass from a row mapping; ``extra`` supplies fields stored elsewhere."""
    kwargs = dict(extra)
    for name, _key, hint in fields(cls):
        if name in kwargs:
            continue
        value = row[name]
        plain = without_none(hint)
        if value is not None and plain == _MOMENT:
            value = parse_moment(value)
        elif value is not None and dataclasses.is_dataclass(plain):
            value = from_json(plain, value)  # type: ignore[arg-type]
        kwargs[name] = value
    return cls(**kwargs)
