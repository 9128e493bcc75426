"""The cost of care: what each step cost, who paid, and what the delays cost (DOMAIN.md section 4b).

Each step is costed from a unit cost: the step's own (``cost`` in the case file), else an area's
override, else the published default for its kind, setting and sector (``planner.unit_costs``).
Admissions are costed by the bed day, their delayed days at the excess bed-day cost and kept
apart; contacts, attendances, assessments and reviews per contact; services and placements per
week, to the step's end or, while ongoing, to the case's last date; a figure "per stay" once.
Informal (unpaid) care is counted in days, never in money. A step with no figure is *not costed*,
with the reason, never guessed.

The payer follows the step's funding (``resources/funding.json``: NHS, council, the person, the
pooled budget, a charity), else the usual payer of the organisation's sector.

Every figure is an estimate: shown rounded to the nearest £10 with its price years and sources.
Totals by payer and by organisation are apportioned from the rounded total (largest remainders),
so that each adds up exactly to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, cached_property, lru_cache

from planner.model import Case, Moment, Organisation, Step, moment_date
from planner.reference import delay_attribution_default, label, load
from planner.unit_costs import NATIONAL, LocalUnitCosts, UnitCost, candidate_keys, key_words, table

#: The unit costs an area sets for itself, by lookup key ("kind/setting/sector", "*" for any),
#: and its excess bed-day costs by sector ("excess_bed_day/acute").
Overrides = Mapping[str, UnitCost]

#: Payers as a sentence names them: "paid by the NHS, waiting for social care".
PAID_BY_WORDS = {"nhs": "the NHS", "council": "the council", "person": "the person (self-funded)",
                 "pooled_budget": "the pooled budget", "charity": "a charity",
                 "not_recorded": "a payer not recorded"}

#: Who pays when neither the step's funding nor its organisation's sector says.
NOT_RECORDED = "not_recorded"
UNPAID = "unpaid"
PER_WEEK_DAYS = 7


@dataclass(frozen=True, slots=True)
class CostedStep:
    """What one step cost (pounds, not rounded): ``units`` of ``unit_cost`` paid by ``payer``."""

    step: Step
    organisation: Organisation | None
    payer: str
    units: float
    unit_cost: UnitCost
    amount: float
    #: Bed days at the excess bed-day cost, kept apart (for an admission with delayed days).
    delayed: DelayedDays | None = None

    @property
    def total(self) -> float:
        """The step's cost with its delayed days."""
        return self.amount + (self.delayed.amount if self.delayed else 0.0)


@dataclass(frozen=True, slots=True)
class DelayedDays:
    """An admission's delayed days: who paid for the bed, and whom the delay is attributed to."""

    step: Step
    days: int
    unit_cost: UnitCost
    amount: float
    paid_by: str
    attributed_to: str


@dataclass(frozen=True, slots=True)
class NotCosted:
    """A step left out of the totals (or, for a caveat, costed with a note), and why in words."""

    step: Step
    organisation: Organisation | None = None
    note: str | None = None

    @property
    def reason(self) -> str:
        return self.note if self.note is not None else _why_not(self.step, self.organisation)


@dataclass
class CostOfCare:
    costed: list[CostedStep] = field(default_factory=list)
    not_costed: list[NotCosted] = field(default_factory=list)
    #: Delayed days with no excess bed-day figure for their bed: costed at the bed-day cost, said so.
    caveats: list[NotCosted] = field(default_factory=list)
    #: Days of care by family and friends: counted, never priced.
    unpaid_days: int = 0
    #: Whose unit costs were used: an area with figures of its own, else the national defaults.
    area: str = NATIONAL

    # -- totals ------------------------------------------------------------------------------
    @property
    def exact_total(self) -> float:
        return sum(c.total for c in self.costed)

    @property
    def total(self) -> int:
        """The whole pathway's cost, to the nearest £10."""
        return round_to_10(self.exact_total)

    def by_payer(self) -> dict[str, int]:
        """Pounds by payer (codes: ``label("payer", code)`` names them), adding up to ``total``."""
        exact: dict[str, float] = {}
        for cost in self.costed:
            exact[cost.payer] = exact.get(cost.payer, 0.0) + cost.amount
            if cost.delayed is not None:
                exact[cost.delayed.paid_by] = exact.get(cost.delayed.paid_by, 0.0) + cost.delayed.amount
        return apportion(exact, self.total)

    def by_organisation(self, names: Mapping[str, str] | None = None) -> dict[str, int]:
        """Pounds by organisation name, adding up to ``total``; ``names``: an organisation's name as
        shown instead (an anonymised copy's), by its name in the case costed."""
        exact: dict[str, float] = {}
        for cost in self.costed:
            name = cost.organisation.name if cost.organisation else "Organisation not recorded"
            if names:
                name = names.get(name, name)
            exact[name] = exact.get(name, 0.0) + cost.total
        return apportion(exact, self.total)

    @property
    def delayed(self) -> list[DelayedDays]:
        return [c.delayed for c in self.costed if c.delayed is not None]

    def delayed_total(self) -> int:
        return round_to_10(sum(d.amount for d in self.delayed))

    def unit_costs(self) -> list[UnitCost]:
        """Every unit cost used, each once (one figure may serve several kinds of step), in the
        order first used: the list of sources, numbered from 1 (:meth:`source_number`)."""
        used: dict[tuple[str, str, str, float, str], UnitCost] = {}
        for cost in self.costed:
            for unit in (cost.unit_cost, cost.delayed.unit_cost if cost.delayed else None):
                if unit is not None:
                    used.setdefault(_figure(unit), unit)
        return list(used.values())

    def source_number(self, unit: UnitCost) -> int:
        """The number of ``unit``'s figure in :meth:`unit_costs`, from 1."""
        return self._numbers[_figure(unit)]

    @cached_property
    def _numbers(self) -> dict[tuple[str, str, str, float, str], int]:
        """Each figure's number in the list of sources (worked out once: the costs are read-only)."""
        return {_figure(used): n for n, used in enumerate(self.unit_costs(), start=1)}

    def local_figures(self) -> list[UnitCost]:
        """The area's own figures used (overrides set in the settings), each once."""
        return [unit for unit in self.unit_costs() if unit.is_local]

    def figures_note(self) -> str:
        """Whose unit costs these are, in one sentence."""
        local = self.local_figures()
        if not local:
            return "Unit costs: the published national defaults for England."
        count = len(local)
        return (f"Unit costs: {self.area}'s own figure{'s' if count != 1 else ''} for "
                f"{count} of the {len(self.unit_costs())} used (set in the settings); the published "
                "national defaults for the rest.")

    def price_years(self) -> list[str]:
        return sorted({unit.price_year for unit in self.unit_costs()})

    def estimate_note(self) -> str:
        """"An estimate in 2021/22 to 2023/24 prices, to the nearest £10.\""""
        years = self.price_years()
        if not years:
            return "No step could be costed."
        span = years[0] if len(years) == 1 else f"{years[0]} to {years[-1]}"
        how = f"as published, and as set by {self.area}" if self.local_figures() else "as published"
        return f"An estimate in {span} prices ({how}), to the nearest £10."

    def cost_of(self, step_ids: Iterable[str]) -> float:
        """The exact cost of some steps (their delayed days included)."""
        wanted = set(step_ids)
        return sum(c.total for c in self.costed if c.step.id in wanted)


def _figure(unit: UnitCost) -> tuple[str, str, str, float, str]:
    """What makes two unit costs the same published figure, whatever step they were looked up for
    (an area's own figure names its area and key in its source: one line for each key it sets)."""
    source = f"{unit.source} [{unit.key}]" if unit.is_local else unit.source
    return source, unit.table, unit.price_year, unit.amount, unit.per


def local_item(unit: UnitCost) -> str:
    """"admission, hospital ward, any organisation, £350 per day (2024/25; the note)": one of an area's
    own figures in a list that names the area once."""
    what = key_words(unit.key)
    amount = f"{unit.amount:,.2f}".removesuffix(".00")
    note = f"; {unit.note}" if unit.note else ""
    return f"{what[:1].lower() + what[1:]}, £{amount} per {unit.per} ({unit.price_year}{note})"


def local_in_words(unit: UnitCost) -> str:
    """"Torbay's own figure for admission, hospital ward, any organisation: £350 per day (2024/25);
    note: …"."""
    note = f"; note: {unit.note}" if unit.note else ""
    return (f"{unit.area}'s own figure for {key_words(unit.key)[:1].lower() + key_words(unit.key)[1:]}: "
            f"£{unit.amount:,.2f} per {unit.per} ({unit.price_year}){note}").replace(".00 per", " per")


def delayed_in_words(delayed: DelayedDays) -> str:
    """"10 days, £3,450: paid by the NHS, waiting for social care"."""
    waiting = label("delay_attribution", delayed.attributed_to).lower()
    days = f"{delayed.days} day{'s' if delayed.days != 1 else ''}"
    return (f"{days}, £{round_to_10(delayed.amount):,}: paid by "
            f"{PAID_BY_WORDS.get(delayed.paid_by, delayed.paid_by)}, waiting for {waiting}")


def rows(costs: CostOfCare) -> list[tuple[str, str]]:
    """(what, how much) in plain words, for the app's Costs section and the printed summaries."""
    if not costs.costed and not costs.not_costed:
        return []
    result = [("Total (an estimate)", f"£{costs.total:,}"), ("Prices", costs.estimate_note())]
    result += [(f"Paid by {PAID_BY_WORDS.get(code, code)}", f"£{pounds:,}")
               for code, pounds in costs.by_payer().items()]
    if costs.delayed:
        from planner.describe import step_name

        days = sum(d.days for d in costs.delayed)
        plural = "s" if days != 1 else ""
        result.append(("Delayed days", f"£{costs.delayed_total():,} for {days} day{plural}"))
        for delayed in costs.delayed:
            result.append((f"  {step_name(delayed.step)}", delayed_in_words(delayed)))
    result += [(name, f"£{pounds:,}") for name, pounds in costs.by_organisation().items()]
    if costs.not_costed:
        count = len(costs.not_costed)
        result.append(("Not costed", f"{count} step{'s' if count != 1 else ''} with no published unit cost"))
    if costs.unpaid_days:
        result.append(("Unpaid care",
                       f"{costs.unpaid_days} days by family and friends (counted, not priced)"))
    local = costs.local_figures()
    figures = "Published national defaults for England"
    if local:
        figures = (f"{costs.area}'s own figures for {len(local)} of {len(costs.unit_costs())}, national "
                   "defaults for the rest (the figures below)")
    result.insert(2, ("Unit costs", figures))  # beside the prices
    for unit in local:
        result.append((f"  Local: {key_words(unit.key)}", local_in_words(unit).split(": ", 1)[1]))
    return result


def round_to_10(pounds: float) -> int:
    """To the nearest £10, halves up (£1,235 is £1,240)."""
    return int((Decimal(repr(pounds)) / 10).quantize(Decimal(1), rounding=ROUND_HALF_UP)) * 10


def apportion(exact: Mapping[str, float], total: int) -> dict[str, int]:
    """``exact`` pounds in multiples of £10 that add up to ``total`` (a multiple of 10): each part
    rounded down, then the £10s left given to the largest remainders (ties: the larger part)."""
    floors = {key: int(value // 10) * 10 for key, value in exact.items()}
    left = (total - sum(floors.values())) // 10
    order = sorted(exact, key=lambda key: (-(exact[key] - floors[key]), -exact[key], key))
    for key in order[:max(0, left)]:
        floors[key] += 10
    return {key: value for key, value in sorted(floors.items(), key=lambda kv: (-kv[1], kv[0])) if value}


@cache
def _payer_of_funding() -> dict[str, str]:
    return {code: entry["payer"] for code, entry in load("funding").items() if code != "_about"}


@cache
def _usual_payer() -> dict[str, str]:
    return {code: entry["usual_payer"] for code, entry in load("sectors").items() if code != "_about"}


def payer(step: Step, organisation: Organisation | None) -> str:
    """Who pays for a step: by its funding, else the usual payer of its organisation's sector."""
    if step.funding:
        return _payer_of_funding().get(step.funding, NOT_RECORDED)
    if organisation is not None:
        return _usual_payer().get(organisation.sector, NOT_RECORDED)
    return NOT_RECORDED


def _unit_cost(step: Step, sector: str | None, overrides: Overrides) -> UnitCost | None:
    own = step.cost
    if own is not None:
        return UnitCost(amount=float(own.amount), per=own.per, price_year="as recorded",
                        source=own.source or "the step's own cost, as recorded in the case",
                        table="", url=None, derivation=None, key=f"step/{step.id}")
    if overrides:
        for key in candidate_keys(step.kind, step.setting, sector):
            if key in overrides:
                return overrides[key]
    return _default(step.kind, step.setting, sector)


@lru_cache(maxsize=1024)
def _default(kind: str, setting: str | None, sector: str | None) -> UnitCost | None:
    """The published default for a kind, setting and sector, looked up once (it never changes)."""
    return table().default(kind, setting, sector)


def _excess(sector: str | None, overrides: Overrides) -> UnitCost | None:
    if overrides and sector is not None and f"excess_bed_day/{sector}" in overrides:
        return overrides[f"excess_bed_day/{sector}"]
    return table().excess_bed_day(sector)


def last_date(case: Case) -> date | None:
    """The case's last date: the latest start or end of any step (what "ongoing" is costed to).
    When no step has a time of day, as is usual, the moments are the dates themselves: their
    latest is found without a Python call per step."""
    steps = case.steps
    moments: list[Moment] = [step.start for step in steps]
    moments += [step.end for step in steps if step.end is not None]
    if set(map(type, moments)) <= _DATE_ONLY:
        return max(moments, default=None)  # dates alone, checked above
    return max(map(moment_date, moments), default=None)


_DATE_ONLY = frozenset({date})


def costs_for(case: Case, local: LocalUnitCosts | None, area: str | None = None,
              shown: Case | None = None) -> CostOfCare:
    """The cost of care of ``case`` with the unit costs of its area: ``area`` if given (the national
    defaults when it has no figures of its own), else the person's area in the case when that area
    has figures of its own (``local``, from the settings), else the national defaults. ``shown``: a
    copy of the case to cost instead (the anonymised one a report shows), its area still ``case``'s."""
    local = local or LocalUnitCosts({})
    chosen = local.area_of(area if area is not None else case.person.area)
    return cost_of_care(shown if shown is not None else case, local.overrides(chosen), area=chosen)


def cost_of_care(case: Case, overrides: Overrides | None = None, *, area: str = NATIONAL) -> CostOfCare:
    """What each step of ``case`` cost and who paid; what is not costed, and why. ``overrides``:
    the unit costs ``area`` sets for itself."""
    overrides = overrides or {}
    orgs = {o.id: o for o in case.organisations}
    end_of_case = last_date(case)
    result = CostOfCare(area=area if overrides else NATIONAL)
    not_costed = result.not_costed
    for step in case.steps:
        organisation = orgs.get(step.organisation)
        sector = organisation.sector if organisation else None
        if step.funding == UNPAID or sector == "informal":
            lasting = step.kind in ("service", "placement")
            result.unpaid_days += max(1, _span(step, end_of_case)) if lasting else 1
            continue
        if step.cost is None and not overrides:
            unit = _default(step.kind, step.setting, sector)
        else:
            unit = _unit_cost(step, sector, overrides)
        if unit is None:
            not_costed.append(NotCosted(step, organisation))
            continue
        span = _span(step, end_of_case)
        who = payer(step, organisation)
        delayed: DelayedDays | None = None
        if unit.per == "contact" or unit.per == "stay":
            units = 1.0
        elif unit.per == "week":
            units = max(1, span) / PER_WEEK_DAYS
        else:  # per day: a bed day for an admission, its delayed days apart at the excess cost
            days = max(1, span)
            late = step.delayed_days if step.kind == "admission" else 0
            if late:
                excess = _excess(sector, overrides)
                if excess is None:
                    result.caveats.append(NotCosted(
                        step, organisation,
                        f"no published excess bed-day cost for a bed at {_sector_words(sector)}: its "
                        f"{late} delayed day{'s' if late != 1 else ''} are costed at the bed-day cost"))
                else:
                    attributed = step.delay_attribution or delay_attribution_default(step.delay_reason)
                    delayed = DelayedDays(step, late, excess, late * excess.amount, who, attributed)
                    days -= late
            units = float(days)
        result.costed.append(CostedStep(step, organisation, who, units, unit, units * unit.amount, delayed))
    return result


def _span(step: Step, end_of_case: date | None) -> int:
    """Days from a step's start to its end, or while it is ongoing to the case's last date: worked
    out only where it counts (a step with no unit cost needs none)."""
    start = step.start_date
    return max(0, ((step.end_date or end_of_case or start) - start).days)


def _sector_words(sector: str | None) -> str:
    return label("sector", sector).lower() if sector else "an organisation not recorded"


def _why_not(step: Step, organisation: Organisation | None) -> str:
    if organisation is None:
        return "its organisation is not in the case"
    kind = label("kind", step.kind).lower()
    where = f" ({label('setting', step.setting).lower()})" if step.setting else ""
    article = "an" if kind[:1] in "aeiou" else "a"
    return f"no published unit cost for {article} {kind}{where} at {_sector_words(organisation.sector)}"


def attached_cost(costs: CostOfCare, rule: str, step_ids: list[str],
                  readmissions: Iterable[str]) -> float | None:
    """The cost attached to a finding, where one applies (DOMAIN.md section 4b): the delayed days'
    cost of the admissions it names, the whole cost of a readmission it names, and for a
    duplicated assessment (M07) the cost of the repeat. None when nothing it names carries a cost."""
    named = set(step_ids)
    readmitted = set(readmissions) & named
    amount, applies = 0.0, False
    for cost in costs.costed:
        if cost.step.id not in named:
            continue
        if cost.step.id in readmitted:
            amount, applies = amount + cost.total, True
        elif cost.delayed is not None:
            amount, applies = amount + cost.delayed.amount, True
    if rule == "M07" and len(step_ids) == 2:
        repeat = step_ids[-1]
        amount += sum(c.amount for c in costs.costed if c.step.id == repeat)
        applies = applies or any(c.step.id == repeat for c in costs.costed)
    return amount if applies else None

