"""Generic conversion between planner dataclasses and the rows of ``db.schema``.

Columns share the dataclass fields' names. Nested objects (frailty, consent, codes, oversight)
are JSON columns holding their case-file form; a step's start and end are ISO text.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from planner.convert import fields, from_json, to_json, without_none
from planner.damage import REST, Unreadable, check_fields, listing, out_of_range
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
    """A dataclass from a row mapping; ``extra`` supplies fields stored elsewhere.

    A value that cannot be converted (a damaged row) becomes :class:`planner.damage.Unreadable`;
    :func:`read_row` repairs or refuses the result."""
    kwargs = dict(extra)
    for name, _key, hint in fields(cls):
        if name in kwargs:
            continue
        value = row[name]
        plain = without_none(hint)
        try:
            if value is not None and plain == _MOMENT and not isinstance(value, Unreadable):
                value = parse_moment(value)
            elif value is not None and dataclasses.is_dataclass(plain) and not isinstance(value, Unreadable):
                value = from_json(plain, value) if isinstance(value, dict) else Unreadable(value)  # type: ignore[arg-type]
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
            value = Unreadable(value)
        kwargs[name] = value
    return cls(**kwargs)


def read_row(cls: type[T], row: Any, what: str, damage: list[str], **extra: Any) -> T | None:
    """Like :func:`from_row`, for a stored row that may be damaged: an optional field that cannot
    be read is left empty, and a row whose required fields cannot be read is left out (None).
    Either way ``damage`` gets a sentence naming ``what`` ("the person", "the step “Admitted”")
    and the fields concerned."""
    obj = from_row(cls, row, **extra)
    stored = dict(vars(obj))  # as read, before damaged values are cleared
    cleared, broken = check_fields(obj)
    if broken:
        why = "not a date from 1900 to 2100" if out_of_range(stored, broken) else "damaged"
        damage.append(f"{what[:1].upper()}{what[1:]} could not be read (its {listing(broken)} "
                      f"{'is' if len(broken) == 1 else 'are'} {why}); it is left out, and {REST}.")
        return None
    if cleared:
        why = " (not a date from 1900 to 2100)" if out_of_range(stored, cleared) else ""
        damage.append(f"The {listing(cleared)} of {what} could not be read{why}; "
                      f"{'it is' if len(cleared) == 1 else 'they are'} left empty, and {REST}.")
    return obj


#: How each kind of row is named in a message about damage: its class, the column that names it
#: for people, and the words before that name.
_NAMED: dict[str, tuple[str, str]] = {
    "Organisation": ("name", "the organisation"), "Member": ("name", "the team member"),
    "Step": ("label", "the step"), "Goal": ("in_my_words", "the goal"),
    "Action": ("description", "the action"), "Coordination": ("", "a care coordinator period"),
    "Handoff": ("", "a handoff between steps"), "Annotation": ("", "the team's note on a finding"),
}


def row_name(cls: type, row: Any) -> str:
    """A stored row as people name it in a message: “the step “Admitted to hospital””."""
    column, words = _NAMED.get(cls.__name__, ("", "a part of the case"))
    name = row[column] if column else None
    if not isinstance(name, str) or not name.strip():
        return words if not column else f"one of the {words.removeprefix('the ')}s"
    short = name if len(name) <= 60 else name[:57] + "…"
    return f"{words} “{short}”"
