"""Reading and showing dates: ISO 8601 in files, "3 Feb 2024" for people."""

from __future__ import annotations

import re
from datetime import date, datetime

from planner.model import Moment

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MOMENT = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$")


def parse_date(text: str) -> date:
    """Parse ``YYYY-MM-DD``; raise ValueError naming the problem for anything else."""
    match = _DATE.match(text)
    if not match:
        raise ValueError(f"'{text}' is not a date in the form YYYY-MM-DD")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValueError(f"'{text}' is not a real date") from None


def parse_moment(text: str) -> Moment:
    """Parse ``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM[:SS]`` into a date or a datetime."""
    match = _MOMENT.match(text)
    if not match:
        raise ValueError(f"'{text}' is not a date (YYYY-MM-DD) or date and time (YYYY-MM-DDTHH:MM)")
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
        if match[4] is None:
            return day
        return datetime(day.year, day.month, day.day, int(match[4]), int(match[5]),
                        int(match[6] or 0))
    except ValueError:
        raise ValueError(f"'{text}' is not a real date and time") from None


def format_iso(value: Moment) -> str:
    """The case-file form: a date, or a date and time to the minute (seconds only when set)."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds" if value.second else "minutes")
    return value.isoformat()


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_day(value: Moment | None) -> str:
    """The form people read: "3 Feb 2024", with "14:30" added when a time is known.

    English month names whatever the locale: the app's words are English throughout."""
    if value is None:
        return ""
    text = f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    if isinstance(value, datetime):
        text += f", {value.hour:02d}:{value.minute:02d}"
    return text
