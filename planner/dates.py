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


_MONTH_NUMBERS = {name.lower(): number for number, name in enumerate(
    ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
     "November", "December"), start=1)}
_MONTH_NUMBERS.update({name[:3]: number for name, number in list(_MONTH_NUMBERS.items())})
_MONTH_NUMBERS["sept"] = 9
_TYPED_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_TYPED_NAMED = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})$")
_TYPED_NUMERIC = re.compile(r"^(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{4})$")
_TYPED_TIME = re.compile(r"^(.*?)(?:,?\s+|T)(\d{1,2})[:.](\d{2})(?::(\d{2}))?$")
#: What a person is told to type when a date cannot be read.
DATE_EXAMPLES = "10 Jul 2024, 10/07/2024 or 2024-07-10"


def read_day(text: str) -> date:
    """A date as a person types it: "10 Jul 2024", "10 July 2024", "10/07/2024", "10-07-2024",
    "10.07.2024" (day first, as in England) or "2024-07-10". Raises ValueError with one plain
    sentence for anything else, or for a date that does not exist."""
    typed = " ".join(text.split())
    if match := _TYPED_ISO.match(typed):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    elif match := _TYPED_NAMED.match(typed):
        month_number = _MONTH_NUMBERS.get(match[2].lower())
        if month_number is None:
            raise ValueError(f"“{typed}” is not a date: “{match[2]}” is not a month.")
        day, month, year = int(match[1]), month_number, int(match[3])
    elif match := _TYPED_NUMERIC.match(typed):
        day, month, year = int(match[1]), int(match[3]), int(match[4])
    else:
        raise ValueError(f"“{typed}” is not a date: type it as {DATE_EXAMPLES}.")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"“{typed}” is not a real date: {_why_not(year, month, day)}.") from None


_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December")


def _why_not(year: int, month: int, day: int) -> str:
    """Why a day, month and year typed are not a date, in words: "February 2024 has 29 days"."""
    import calendar

    if not 1 <= month <= 12:
        swapped = f" (the day comes first: {month}/{day:02d}/{year})" if 1 <= day <= 12 else ""
        return f"there is no month {month}{swapped}"
    if not 1 <= year <= 9999:
        return f"there is no year {year}"
    if day < 1:
        return "days are counted from 1"
    days = calendar.monthrange(year, month)[1]
    return f"{_MONTH_NAMES[month - 1]} {year} has {days} days"


def read_moment(text: str) -> Moment:
    """A date, or a date and time, as a person types it: a date as :func:`read_day` reads it,
    optionally followed by a time "14:30" (after a space, a comma or ISO's "T")."""
    typed = " ".join(text.split())
    match = _TYPED_TIME.match(typed)
    if match is None:
        return read_day(typed)
    day = read_day(match[1])
    hour, minute, second = int(match[2]), int(match[3]), int(match[4] or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"“{typed}” is not a real time of day.")
    return datetime(day.year, day.month, day.day, hour, minute, second)

