"""Each area's own unit costs, shared through the database (DOMAIN.md 4b; issue 15).

The published national defaults live in ``resources/unit_costs.json``; an area (a local authority,
say "Torbay") may set its own figure for any of their keys, which then replaces the default for the
cases of that area (``planner.unit_costs.LocalUnitCosts``: a case's area is the person's ``area``).
Rows of ``unit_cost_overrides``, one per area and key, with who set them and when.

Like the repositories, ``UnitCostSettings`` works on the caller's connection and transaction
(``Database.session()``) and never commits. A save checks every figure first
(``planner.unit_costs.local_figure``): one that cannot be used is refused with its field named and
nothing is changed; what is saved is recorded in the audit trail in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, delete, insert, select, update

from db import audit, schema
from planner.unit_costs import LocalUnitCosts, UnitCost, area_name, key_words, local_figure, make_local

_TABLE = schema.unit_cost_overrides


@dataclass(frozen=True)
class LocalFigure:
    """An area's own figure as typed (before it is checked): pounds, price year and a note."""

    amount: object
    price_year: object
    note: object = None


@dataclass(frozen=True)
class StoredFigure:
    """An area's own figure as stored: the figure, who set it and when (UTC)."""

    cost: UnitCost
    updated_by: str
    updated_at: datetime


@dataclass(frozen=True)
class SaveResult:
    """What a save changed: the keys set (added or changed) and reset (back to the default)."""

    area: str
    set: list[str]
    reset: list[str]

    @property
    def changed(self) -> bool:
        return bool(self.set or self.reset)


class UnitCostSettings:
    """Read and save the areas' own unit costs on the caller's connection."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def local_costs(self) -> LocalUnitCosts:
        """Every area's own figures, for the cost model."""
        areas: dict[str, dict[str, UnitCost]] = {}
        for area, stored in self._read(None).items():
            areas[area] = {key: figure.cost for key, figure in stored.items()}
        return LocalUnitCosts(areas)

    def figures(self, area: str) -> dict[str, StoredFigure]:
        """One area's own figures by key (matched without regard to case), with who set them."""
        found = self.local_costs().find(area)
        return self._read(found)[found] if found is not None else {}

    def _read(self, area: str | None) -> dict[str, dict[str, StoredFigure]]:
        query = select(_TABLE).order_by(_TABLE.c.area, _TABLE.c.cost_key)
        if area is not None:
            query = query.where(_TABLE.c.area == area)
        result: dict[str, dict[str, StoredFigure]] = {}
        for row in self.connection.execute(query).mappings():
            cost = make_local(row["area"], row["cost_key"], row["amount"], row["per"], row["price_year"],
                              row["note"])
            at = row["updated_at"]
            result.setdefault(row["area"], {})[row["cost_key"]] = StoredFigure(
                cost, row["updated_by"], at.replace(tzinfo=UTC) if at.tzinfo is None else at)
        return result

    def area_names(self) -> list[str]:
        """The areas with figures of their own, then the other areas of the stored cases, each once."""
        named = self.local_costs().names()
        seen = {name.casefold() for name in named}
        cases = schema.cases
        query = (select(cases.c.area).where(cases.c.area.is_not(None), cases.c.deleted_at.is_(None))
                 .distinct().order_by(cases.c.area))
        others = []
        for (area,) in self.connection.execute(query):
            words = " ".join(str(area).split())
            if words and words.casefold() not in seen:
                seen.add(words.casefold())
                others.append(words)
        return named + sorted(others, key=str.casefold)

    def save(self, area: str, changes: Mapping[str, LocalFigure | None]) -> SaveResult:
        """Set (a :class:`LocalFigure`) or reset (``None``) some of ``area``'s figures, by key.

        Every figure is checked before anything is written: the first that cannot be used raises
        ``planner.unit_costs.OverrideError`` naming its field, and nothing changes. What changed is
        recorded in the audit trail (one event), in the same transaction; a save that changes
        nothing records nothing."""
        name = area_name(area)
        name = self.local_costs().find(name) or name  # the stored spelling of an area already set
        checked = {key: None if figure is None else
                   local_figure(name, key, figure.amount, figure.price_year, figure.note)
                   for key, figure in changes.items()}
        stored = self._read(name).get(name, {})
        when = datetime.now(UTC).replace(tzinfo=None)
        who = audit.user_name()
        set_keys: list[str] = []
        reset_keys: list[str] = []
        values: dict[str, object] = {}
        for key, cost in checked.items():
            before = stored.get(key)
            if cost is None:
                if before is not None:
                    self.connection.execute(delete(_TABLE).where(_TABLE.c.area == name,
                                                                 _TABLE.c.cost_key == key))
                    reset_keys.append(key)
                    values[key] = {"before": _value(before.cost), "after": None}
                continue
            if before is not None and _value(before.cost) == _value(cost):
                continue
            row = {"amount": cost.amount, "per": cost.per, "price_year": cost.price_year, "note": cost.note,
                   "updated_by": who, "updated_at": when}
            if before is None:
                self.connection.execute(insert(_TABLE).values(area=name, cost_key=key, **row))
            else:
                self.connection.execute(update(_TABLE).where(_TABLE.c.area == name, _TABLE.c.cost_key == key)
                                        .values(**row))
            set_keys.append(key)
            values[key] = {"before": _value(before.cost) if before else None, "after": _value(cost)}
        result = SaveResult(name, set_keys, reset_keys)
        if result.changed:
            audit.record_settings(self.connection, _summary(result), {
                "setting": "unit costs", "area": name, "set": set_keys, "reset": reset_keys,
                "changes": values, "names": {key: key_words(key) for key in values}})
        return result


def _value(cost: UnitCost) -> dict[str, object]:
    return {"amount": cost.amount, "per": cost.per, "price_year": cost.price_year, "note": cost.note}


def _summary(result: SaveResult) -> str:
    """"Unit costs for Torbay: set Admission, hospital ward, any organisation; reset 1"."""
    parts = []
    for verb, keys in (("set", result.set), ("reset to the national default", result.reset)):
        if keys:
            named = "; ".join(key_words(key) for key in keys[:3])
            more = f" and {len(keys) - 3} more" if len(keys) > 3 else ""
            parts.append(f"{verb} {named}{more}")
    return f"Unit costs for {result.area}: " + "; ".join(parts)
