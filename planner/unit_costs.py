"""Default unit costs of care (DOMAIN.md 4b), read from ``resources/unit_costs.json``.

Every figure there is a published national one (PSSRU / University of Kent "Unit Costs of Health
and Social Care", NHS England's National Cost Collection as quoted by them or by the Department of
Health and Social Care) with its unit, price year and source; docs/UNIT_COSTS.md lists them.

A step's default is found by its kind, setting and the sector of its organisation, the most
specific match first: ``kind/setting/sector``, ``kind/setting/*``, ``kind/*/sector``, ``kind/*/*``.
No match means the step is not costed: ``None``, never a guess. Delayed (excess) bed days have their
own figure by the sector whose bed it is (:func:`excess_bed_day`).

Standard library only: no Qt, no persistence.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

#: The lookup order, most specific first; the same list is the ``lookup`` in the file's ``_about``.
LOOKUP_ORDER = ("kind/setting/sector", "kind/setting/*", "kind/*/sector", "kind/*/*")

#: The units a default may be in: those of a step's ``cost.per`` in the case file.
UNITS = ("contact", "day", "week", "stay")

ANY = "*"


@dataclass(frozen=True)
class UnitCost:
    """One default unit cost as published: pounds ``per`` unit, in ``price_year`` prices."""

    amount: float
    per: str
    price_year: str
    source: str
    table: str
    url: str | None
    derivation: str | None
    key: str
    #: The area whose own figure this is (an override set in the settings); None for a national default.
    area: str | None = None
    #: The area's note on its figure (where it comes from), if any.
    note: str | None = None

    @property
    def is_local(self) -> bool:
        """An area's own figure rather than the published national default."""
        return self.area is not None

    @property
    def citation(self) -> str:
        """The source and table in one line, for a report's list of sources."""
        if self.is_local:
            return self.source
        return f"{self.source}, {self.table}"


def candidate_keys(kind: str, setting: str | None, sector: str | None) -> list[str]:
    """The keys a step could match, most specific first (a missing setting or sector skips its levels)."""
    keys: list[str] = []
    if setting is not None and sector is not None:
        keys.append(f"{kind}/{setting}/{sector}")
    if setting is not None:
        keys.append(f"{kind}/{setting}/{ANY}")
    if sector is not None:
        keys.append(f"{kind}/{ANY}/{sector}")
    keys.append(f"{kind}/{ANY}/{ANY}")
    return keys


class UnitCostTable:
    """Figures and the keys that use them, as in ``unit_costs.json`` (without its ``_about``)."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._figures: Mapping[str, Mapping[str, Any]] = data["figures"]
        self._defaults: Mapping[str, str] = data["defaults"]
        self._excess: Mapping[str, str] = data.get("excess_bed_day", {})

    def _cost(self, figure_id: str, key: str) -> UnitCost:
        figure = self._figures[figure_id]
        return UnitCost(
            amount=float(figure["amount"]), per=figure["per"], price_year=figure["price_year"],
            source=figure["source"], table=figure["table"], url=figure.get("url"),
            derivation=figure.get("derivation"), key=key,
        )

    def default(self, kind: str, setting: str | None, sector: str | None) -> UnitCost | None:
        for key in candidate_keys(kind, setting, sector):
            figure_id = self._defaults.get(key)
            if figure_id is not None:
                return self._cost(figure_id, key)
        return None

    def excess_bed_day(self, sector: str | None) -> UnitCost | None:
        figure_id = self._excess.get(sector) if sector is not None else None
        if figure_id is None:
            return None
        return self._cost(figure_id, f"excess_bed_day/{sector}")

    def figures(self) -> dict[str, UnitCost]:
        """Every figure by its id (``key`` is the figure's id here)."""
        return {figure_id: self._cost(figure_id, figure_id) for figure_id in self._figures}


def load_data() -> dict[str, Any]:
    """``resources/unit_costs.json`` as stored, ``_about`` included."""
    text = files("resources").joinpath("unit_costs.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def table() -> UnitCostTable:
    """The packaged defaults, loaded once."""
    data = load_data()
    data.pop("_about", None)
    return UnitCostTable(data)


def default_unit_cost(kind: str, setting: str | None, sector: str | None) -> UnitCost | None:
    """The default unit cost of a step of ``kind`` in ``setting`` by an organisation of ``sector``.

    The most specific match first (:data:`LOOKUP_ORDER`); ``None`` when the step is not costed.
    """
    return table().default(kind, setting, sector)


def excess_bed_day(sector: str | None) -> UnitCost | None:
    """The cost of one delayed (excess) bed day in a bed of ``sector``; ``None`` when not costed."""
    return table().excess_bed_day(sector)


# -- an area's own figures (overrides) ------------------------------------------------------------------
#: The area whose figures are the published national defaults: no override applies.
NATIONAL = "England (national)"
#: The largest figure an area may set (pounds): above it is a typing mistake, not a unit cost.
MOST_POUNDS = 1_000_000
#: How long an area's name and its note on a figure may be.
AREA_LENGTH = 100
NOTE_LENGTH = 500
_PRICE_YEAR = re.compile(r"\d{4}(/\d{2})?")


class OverrideError(ValueError):
    """An area's figure that cannot be used: the message names the field and says why; ``key`` and
    ``field`` ("amount", "price_year", "note" or "area") say where, for a form to point at it."""

    def __init__(self, message: str, key: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.key = key
        self.field = field


def key_words(key: str) -> str:
    """A lookup key in words: "admission/acute_ward/*" is "Admission, hospital ward, any organisation";
    "excess_bed_day/acute" is "Delayed (excess) bed day, acute hospital"."""
    from planner.reference import label

    parts = key.split("/")
    if parts[0] == "excess_bed_day" and len(parts) == 2:
        return f"Delayed (excess) bed day, {_lower(label('sector', parts[1]))}"
    if len(parts) != 3:
        return key
    kind, setting, sector = parts
    words = [label("kind", kind)]
    words.append("any setting" if setting == ANY else _lower(label("setting", setting)))
    words.append("any organisation" if sector == ANY else _lower(label("sector", sector)))
    return ", ".join(words)


def _lower(text: str) -> str:
    """A label inside a sentence: "Hospital ward" is "hospital ward", "GP surgery" stays as it is."""
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


def overridable() -> dict[str, UnitCost]:
    """Every key an area can set its own figure for, with the national default it replaces: the
    defaults' keys, then the delayed (excess) bed days by sector."""
    return dict(_overridable())


@cache
def _overridable() -> dict[str, UnitCost]:
    data = load_data()
    known = table()
    keys: dict[str, UnitCost] = {}
    for key, figure_id in data["defaults"].items():
        keys[key] = known._cost(figure_id, key)
    for sector in data.get("excess_bed_day", {}):
        cost = known.excess_bed_day(sector)
        if cost is not None:
            keys[cost.key] = cost
    return keys


def area_name(text: str) -> str:
    """An area's name as typed, checked: not empty, not the national defaults, one line."""
    name = " ".join(str(text).split())
    if not name:
        raise OverrideError("Area: give the name of the area (e.g. the local authority, “Torbay”).",
                            field="area")
    if name.casefold() == NATIONAL.casefold():
        raise OverrideError(f"Area: “{NATIONAL}” is the published national defaults, which cannot be "
                            "changed; choose or type the name of your area.", field="area")
    if len(name) > AREA_LENGTH:
        raise OverrideError(f"Area: at most {AREA_LENGTH} characters (this one has {len(name)}).",
                            field="area")
    return name


def local_figure(area: str, key: str, amount: object, price_year: object, note: object = None) -> UnitCost:
    """An area's own figure for ``key`` as a :class:`UnitCost`, checked: ``amount`` a number of pounds
    from 0 to £1,000,000 (text such as "350", "£1,200.50" or a number), ``price_year`` such as
    "2024/25", ``note`` one optional line. Raises :class:`OverrideError` naming the field."""
    defaults = _overridable()
    if key not in defaults:
        raise OverrideError(f"Unit cost: “{key}” is not a unit cost that can be set.")
    default = defaults[key]
    what = key_words(key)
    try:
        pounds = _pounds(amount, f"Local figure for “{what}”")
    except OverrideError as error:
        raise OverrideError(str(error), key, "amount") from None
    year = " ".join(str(price_year or "").split())
    if not _PRICE_YEAR.fullmatch(year):
        got = f" (got “{year}”)" if year else ""
        raise OverrideError(f"Price year for “{what}”: give the year the figure is priced in, such as "
                            f"2024/25 or 2024{got}.", key, "price_year")
    words = " ".join(str(note).split()) if note is not None else ""
    if len(words) > NOTE_LENGTH:
        raise OverrideError(f"Note for “{what}”: at most {NOTE_LENGTH} characters (this one has "
                            f"{len(words)}).", key, "note")
    return make_local(area, key, pounds, default.per, year, words or None)


def make_local(area: str, key: str, amount: float, per: str, price_year: str, note: str | None) -> UnitCost:
    """An area's own figure as the cost model uses it (as stored: already checked)."""
    source = f"{area}'s own figure" + (f" ({note})" if note else "") + ", set in the settings"
    return UnitCost(amount=float(amount), per=per, price_year=price_year, source=source, table="",
                    url=None, derivation=None, key=key, area=area, note=note)


def _pounds(value: object, field: str) -> float:
    if isinstance(value, bool):
        raise OverrideError(f"{field}: must be a number of pounds, such as 350 or 350.50.")
    if isinstance(value, int | float):
        number = float(value)
        shown = f"{value}"
    else:
        shown = " ".join(str(value if value is not None else "").split())
        text = shown.removeprefix("£").replace(",", "").strip()
        try:
            number = float(text) if text and not text.lower().startswith(("nan", "inf", "-inf", "+inf")) \
                else float("nan")
        except ValueError:
            number = float("nan")
        if not shown:
            raise OverrideError(f"{field}: give a number of pounds, such as 350 or 350.50.")
    if not math.isfinite(number):
        raise OverrideError(f"{field}: must be a number of pounds, such as 350 or 350.50 (got “{shown}”).")
    if number < 0:
        raise OverrideError(f"{field}: cannot be negative (got “{shown}”).")
    if number > MOST_POUNDS:
        raise OverrideError(f"{field}: at most £{MOST_POUNDS:,} (got “{shown}”); a larger figure is "
                            "almost certainly a typing mistake.")
    return round(number, 2)


@dataclass(frozen=True)
class LocalUnitCosts:
    """Every area's own figures, as read from the database: area name to lookup key to figure.

    A case uses the figures of its area: the person's ``area`` in the case (matched without regard to
    case or spacing) when that area has figures of its own, else the national defaults
    (:data:`NATIONAL`). Plain data: the cost model never reads the database itself."""

    areas: Mapping[str, Mapping[str, UnitCost]]

    def names(self) -> list[str]:
        """The areas with figures of their own, in alphabetical order."""
        return sorted(self.areas, key=str.casefold)

    def find(self, name: str | None) -> str | None:
        """The stored spelling of the area ``name``, if it has figures of its own."""
        if not name:
            return None
        wanted = " ".join(name.split()).casefold()
        return next((area for area in self.areas if area.casefold() == wanted), None)

    def area_of(self, area: str | None) -> str:
        """Whose figures a case in ``area`` uses: that area's, if it has any, else :data:`NATIONAL`."""
        return self.find(area) or NATIONAL

    def overrides(self, area: str) -> Mapping[str, UnitCost]:
        found = self.find(area)
        return self.areas[found] if found is not None else {}


NO_LOCAL_COSTS = LocalUnitCosts({})
