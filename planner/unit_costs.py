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

    @property
    def citation(self) -> str:
        """The source and table in one line, for a report's list of sources."""
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
