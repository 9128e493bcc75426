"""Generic conversion between the case model's dataclasses and case-file JSON values.

Driven by each dataclass's type hints, so adding a field to ``planner.model`` is enough for it
to be read and written. Input is assumed valid (``planner.validation`` runs first).
"""

from __future__ import annotations

import dataclasses
import types
from datetime import date
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

from planner.dates import format_iso, parse_date, parse_moment

T = TypeVar("T")


_FIELDS: dict[type, list[tuple[str, str, Any]]] = {}


def fields(cls: type) -> list[tuple[str, str, Any]]:
    """(attribute, JSON key, type hint) for every field that belongs in a file (cached per class)."""
    found = _FIELDS.get(cls)
    if found is None:
        hints = get_type_hints(cls)
        found = _FIELDS[cls] = [
            (f.name, f.metadata.get("key", f.name), hints[f.name])
            for f in dataclasses.fields(cls)
            if f.metadata.get("file", True)
        ]
    return found


def without_none(hint: Any) -> Any:
    """``X | None`` -> ``X``; unions of several types stay as they are (minus None)."""
    if get_origin(hint) in (Union, types.UnionType):
        rest = tuple(a for a in get_args(hint) if a is not type(None))
        if len(rest) == 1:
            return rest[0]
        return rest
    return hint


def _read(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    hint = without_none(hint)
    if isinstance(hint, tuple):  # date | datetime: a step's moment
        return parse_moment(value)
    if hint is date:
        return parse_date(value)
    if get_origin(hint) is list:
        (item,) = get_args(hint)
        return [_read(item, v) for v in value]
    if dataclasses.is_dataclass(hint):
        return from_json(hint, value)  # type: ignore[arg-type]
    return value


def from_json(cls: type[T], data: dict[str, Any]) -> T:
    """Build a dataclass from its case-file object; absent keys take the field's default."""
    kwargs = {name: _read(hint, data[key]) for name, key, hint in fields(cls) if key in data}
    return cls(**kwargs)


def _write(value: Any) -> Any:
    if isinstance(value, date):  # datetime is a date too
        return format_iso(value)
    if isinstance(value, list):
        return [_write(v) for v in value]
    if isinstance(value, dict):  # free-form JSON (extensions): copied, never shared with the case
        return {k: _write(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_json(value)
    return value


def to_json(obj: Any) -> dict[str, Any]:
    """The case-file object of a dataclass; fields that are None are left out."""
    result: dict[str, Any] = {}
    for name, key, _hint in fields(type(obj)):
        value = getattr(obj, name)
        if value is not None:
            result[key] = _write(value)
    return result
