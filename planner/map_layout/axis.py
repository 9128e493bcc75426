"""The map's time axis: which unit to label (days, weeks, months, years, or days counted from the
first step for an anonymised map) at a scale, and its ticks and the months or years above them.

Text widths come from the renderer's measuring function, so the labels chosen never collide in
the font the renderer draws them in.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

#: ``measure(text, size, bold)``: the width of ``text`` in the renderer's font at ``size``.
Measure = Callable[[str, float, bool], float]

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_LENGTHS = {"day": 1.0, "week": 7.0, "month": 30.4, "year": 365.25}
_RELATIVE_STEPS = (1, 2, 7, 14, 28, 56, 91, 182, 364, 728, 1820, 3640)


@dataclass(frozen=True)
class Tick:
    day: float
    text: str


@dataclass(frozen=True)
class Span:
    """A month or year above the ticks: days ``d0`` to ``d1``, labelled long or short."""

    d0: float
    d1: float
    long: str
    short: str


def month_start(day: date, months: int) -> date:
    """The first of the month ``months`` after ``day``'s."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


class TimeScale:
    """Ticks at a number of units (points or pixels) per day: the finest unit whose labels do not
    collide. ``relative`` counts days from the first step ("day 12") instead of the calendar."""

    def __init__(self, origin: date, measure: Measure, size: float, relative: bool = False,
                 pad: float = 14.0) -> None:
        self.origin = origin
        self.measure = measure
        self.size = size
        self.relative = relative
        self.pad = pad
        self.unit = "month"
        self.step = 1
        self.long_days = False
        self.context_unit: str | None = "year"

    def width(self, text: str) -> float:
        return self.measure(text, self.size, False)

    def choose(self, ppd: float) -> None:
        """Pick the unit for ``ppd`` units per day."""
        pad, width = self.pad, self.width
        if self.relative:
            needed = width("day 8888") + pad
            self.unit, self.long_days, self.context_unit = "days", False, None
            self.step = next((n for n in _RELATIVE_STEPS if n * ppd >= needed), 7280)
            return
        candidates: list[tuple[str, int, float, bool]] = [
            ("day", 1, width("Wed 28") + pad, True), ("day", 1, width("28") + pad, False),
            ("week", 1, width("28 Sep") + pad, False), ("month", 1, width("Sep") + pad, False),
            ("month", 3, width("Sep") + pad, False)]
        candidates += [("year", n, width("2024") + pad, False) for n in (1, 2, 5, 10, 25, 50, 100)]
        choice = candidates[-1]
        for candidate in candidates:
            unit, step, needed, _long = candidate
            if _LENGTHS[unit] * step * ppd >= needed:
                choice = candidate
                break
        self.unit, self.step, _needed, self.long_days = choice
        self.context_unit = {"day": "month", "week": "month", "month": "year", "year": None}[self.unit]

    def day(self, value: date) -> float:
        return float((value - self.origin).days)

    def date(self, day: float) -> date:
        return self.origin + timedelta(days=math.floor(day))

    def ticks(self, d0: float, d1: float, margin: float = 400.0) -> list[Tick]:
        """Labelled ticks from day ``d0`` to ``d1`` (and up to ``margin`` days either side)."""
        unit, step = self.unit, self.step
        result: list[Tick] = []
        if unit == "days":
            start = math.ceil((d0 - margin) / step) * step
            days = range(max(start, 0), math.floor(d1 + margin) + 1, step)
            result = [Tick(float(d), f"day {d}") for d in days]
        else:
            first, last = self.date(d0 - min(margin, 1.0)), self.date(d1) + timedelta(days=1)
            if unit == "day":
                current = first
                while current <= last:
                    text = str(current.day)
                    if self.long_days:
                        text = f"{WEEKDAYS[current.weekday()]} {text}"
                    result.append(Tick(self.day(current), text))
                    current += timedelta(days=1)
            elif unit == "week":
                current = first - timedelta(days=first.weekday())
                while current <= last:
                    result.append(Tick(self.day(current), f"{current.day} {MONTHS[current.month - 1]}"))
                    current += timedelta(days=7)
            elif unit == "month":
                current = month_start(first, 0)
                while (current.month - 1) % step:
                    current = month_start(current, -1)
                while current <= last:
                    result.append(Tick(self.day(current), MONTHS[current.month - 1]))
                    current = month_start(current, step)
            else:
                year = first.year - first.year % step
                while date(year, 1, 1) <= last:
                    result.append(Tick(self.day(date(year, 1, 1)), str(year)))
                    year += step
        return [t for t in result if d0 - margin <= t.day <= d1 + margin]

    def context(self, d0: float, d1: float) -> list[Span]:
        """The months or years around the ticks from day ``d0`` to ``d1``."""
        first, last = self.date(d0), self.date(d1)
        spans: list[Span] = []
        if self.context_unit == "month":
            current = month_start(first, 0)
            while current <= last:
                following = month_start(current, 1)
                spans.append(Span(self.day(current), self.day(following),
                                  f"{MONTH_NAMES[current.month - 1]} {current.year}",
                                  f"{MONTHS[current.month - 1]} {current.year}"))
                current = following
        elif self.context_unit == "year":
            for year in range(first.year, last.year + 1):
                start, end = self.day(date(year, 1, 1)), self.day(date(year + 1, 1, 1))
                spans.append(Span(start, end, str(year), str(year)))
        return spans
