"""The pathway map's structure, independent of any drawing: where each step sits in time (days
from the first step's midnight), which lane it belongs to, the lanes in order with their label
lines, the stage bands, the findings on each step and the handoffs with their looks.

Computed once from the case and its findings (:class:`Timeline`); the app's map and the printed
map place these in points or pixels (:mod:`planner.map_layout.page`, ``ui.pathway_map_scene``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from planner import describe
from planner.map_style import SECTOR_ORDER, UNKNOWN_COLOUR, handoff_style, lane_pattern, sector_colour
from planner.model import Case, Moment, Organisation, Step, moment_key
from planner.reference import label
from planner.rules.catalogue import severity_order
from planner.rules.context import CaseContext, Link

if TYPE_CHECKING:
    from planner.rules import Finding

LANE_MODES = ("sector", "organisation")


@dataclass(eq=False)
class MapStep:
    """One step on the map: ``d0``/``d1`` in days from the origin (equal for a moment, which sits
    in the middle of its day when it has no time), its words, findings and lane."""

    step: Step
    index: int
    number: int
    d0: float
    d1: float
    point: bool
    text: str
    findings: list[Finding] = field(default_factory=list)
    #: The delayed part of an admission starts here (days); None when there is no delay to show.
    hatch_d0: float | None = None
    lane: int = 0
    row: int = 0

    @property
    def severity(self) -> str | None:
        """The most severe of the step's findings."""
        if not self.findings:
            return None
        order = severity_order()
        return min((f.severity for f in self.findings), key=order.__getitem__)

    @property
    def severities(self) -> list[str]:
        order = severity_order()
        return sorted((f.severity for f in self.findings), key=order.__getitem__)

    @property
    def start_day(self) -> float:
        """Where the step's extent starts (a moment takes its whole day)."""
        return self.d0 - 0.5 if self.point else self.d0


@dataclass(eq=False)
class MapLane:
    """A lane: one sector (or organisation) with its three label lines (title, organisations or
    sector, regulators and payment), its colour and the pattern that tells it apart in black and
    white."""

    key: str
    title: str
    sector: str | None
    organisations: list[Organisation]
    lines: list[str]
    colour: str
    pattern: str
    steps: list[MapStep] = field(default_factory=list)
    rows: int = 1


@dataclass(frozen=True)
class Band:
    """A contiguous stage period: from the first step of the stage to the next stage's first."""

    stage: str
    title: str
    d0: float
    d1: float
    start: date


@dataclass(frozen=True)
class MapArrow:
    """A handoff on the map and the name of its look (:data:`planner.map_style.ARROW_LOOKS`)."""

    link: Link
    style: str


def step_text(step: Step, point: bool) -> str:
    """A step's words on the map: its label, or its kind; "(ongoing)" for an open stay."""
    text = step.label or label("kind", step.kind)
    if point and step.kind in describe.ONGOING_KINDS:
        text += " (ongoing)"
    return text


def assign_rows(extents: Iterable[tuple[float, float]], max_rows: int) -> tuple[list[int], int]:
    """Rows for extents (start, end) taken in order: the first row free by the start, a new row
    while there are fewer than ``max_rows``, else the row that frees first. Returns each
    extent's row and the number of rows used (at least 1)."""
    ends: list[float] = []
    rows: list[int] = []
    for start, end in extents:
        row = next((r for r, busy in enumerate(ends) if busy <= start), None)
        if row is None:
            if len(ends) < max_rows:
                row = len(ends)
                ends.append(end)
            else:
                row = min(range(len(ends)), key=ends.__getitem__)
        ends[row] = max(ends[row], end)
        rows.append(row)
    return rows, max(1, len(ends))


class Timeline:
    """A case's map structure. ``findings`` are the active findings (set-aside ones left out by
    the caller); ``step_id`` maps a finding's step ids to this case's (for an anonymised copy);
    ``numbers`` gives each step's number (as in the timeline table; by time order otherwise)."""

    def __init__(self, case: Case, findings: Iterable[Finding] = (), lanes: str = "sector",
                 numbers: dict[str, int] | None = None,
                 step_id: Callable[[str], str] | None = None) -> None:
        if lanes not in LANE_MODES:
            raise ValueError(f"lanes must be one of {', '.join(LANE_MODES)}, not {lanes!r}")
        self.case = case
        self.lane_mode = lanes
        self.context = CaseContext(case)
        steps = self.context.steps
        first = min((s.start_date for s in steps), default=date.today())
        self.origin = first
        self._origin_dt = datetime(first.year, first.month, first.day)
        self.steps: list[MapStep] = []
        end_day = 1.0
        for index, step in enumerate(steps):
            d0 = self.day_of(step.start)
            if step.end is not None:
                d1, point = max(d0, self.day_of(step.end)), False
            else:
                if not isinstance(step.start, datetime):
                    d0 += 0.5  # a day without a time: the middle of that day
                d1, point = d0, True
            number = (numbers or {}).get(step.id, index + 1)
            placed = MapStep(step, index, number, d0, d1, point, step_text(step, point))
            if step.delayed_days and step.ready_for_discharge is not None and not point:
                placed.hatch_d0 = min(max(self.day_of(step.ready_for_discharge), d0), d1)
            self.steps.append(placed)
            end_day = max(end_day, d1, d0 + 0.5)
        #: The last day shown: whole days, half a day past the last step.
        self.end_day = float(math.ceil(end_day + 0.5))
        self.by_id = {s.step.id: s for s in self.steps}
        self.case_findings: list[Finding] = []
        for finding in findings:
            if not finding.steps:
                self.case_findings.append(finding)
            for found in finding.steps:
                placed_step = self.by_id.get(step_id(found) if step_id else found)
                if placed_step is not None:
                    placed_step.findings.append(finding)
        self.lanes = self._lanes()
        self.bands = self._bands()
        self.arrows = [MapArrow(link, handoff_style(link.method, link.derived))
                       for link in self.context.handoffs
                       if link.source.id in self.by_id and link.target.id in self.by_id]

    def day_of(self, moment: Moment) -> float:
        """Days from the origin (midnight of the first step's day) to a moment."""
        return (moment_key(moment) - self._origin_dt).total_seconds() / 86400.0

    def steps_between(self, d0: float, d1: float) -> list[MapStep]:
        """The steps shown in days ``d0`` to ``d1``: spans that overlap, moments that fall inside
        (a moment on the last day of the pathway belongs to the last period)."""
        shown = []
        for s in self.steps:
            if s.point:
                if d0 <= s.d0 < d1 or s.d0 == d1 == self.end_day:
                    shown.append(s)
            elif s.d0 < d1 and s.d1 >= d0:
                shown.append(s)
        return shown

    # -- lanes --------------------------------------------------------------------------------
    def _lane_key(self, step: Step) -> str:
        org = self.context.orgs.get(step.organisation)
        if org is None:
            return f"?{step.organisation}"
        return org.sector if self.lane_mode == "sector" else org.id

    def _lanes(self) -> list[MapLane]:
        ctx = self.context
        rank = {sector: i for i, sector in enumerate(SECTOR_ORDER)}
        members: dict[str, list[MapStep]] = {}
        for placed in self.steps:
            members.setdefault(self._lane_key(placed.step), []).append(placed)

        def lane_order(key: str) -> tuple[int, str, int]:
            first = members[key][0]
            org = ctx.orgs.get(first.step.organisation)
            if org is None:
                return (len(SECTOR_ORDER) + 1, key, first.index)
            return (rank.get(org.sector, len(SECTOR_ORDER)), org.sector, first.index)

        lanes = []
        for number, key in enumerate(sorted(members, key=lane_order)):
            placed_steps = members[key]
            for placed in placed_steps:
                placed.lane = number
            lane = self._lane(key, ctx.orgs_of(*(p.step for p in placed_steps)))
            lane.steps = placed_steps
            lanes.append(lane)
        return lanes

    def _lane(self, key: str, orgs: list[Organisation]) -> MapLane:
        ctx = self.context
        if not orgs:
            title = f"Unknown organisation “{key[1:]}”"
            return MapLane(key, title, None, [], [title, "Not in the organisations list", ""],
                           UNKNOWN_COLOUR, lane_pattern(None))
        regulators = list(dict.fromkeys(code for org in orgs for code in ctx.regulators.get(org.id, [])))
        payments = list(dict.fromkeys(p for org in orgs if (p := ctx.payment.get(org.id))))
        regs = ", ".join(label("regulator_short", code) for code in regulators) or "No regulator"
        pay = " / ".join(label("payment_model", p) for p in payments) or "Payment not recorded"
        sector = orgs[0].sector
        if self.lane_mode == "sector":
            title = label("sector", sector)
            lines = [title, ", ".join(org.name for org in orgs), f"{regs} · {pay}"]
        else:
            title = orgs[0].name
            lines = [title, label("sector", sector), f"{regs} · {pay}"]
        return MapLane(key, title, sector, orgs, lines, sector_colour(sector), lane_pattern(sector))

    def assign_day_rows(self, max_rows: int) -> None:
        """Rows within each lane by time (a step takes at least a day): the app's map."""
        for lane in self.lanes:
            extents = [(s.start_day, s.d0 + 0.5 if s.point else max(s.d1, s.d0 + 1.0)) for s in lane.steps]
            rows, lane.rows = assign_rows(extents, max_rows)
            for placed, row in zip(lane.steps, rows, strict=True):
                placed.row = row

    # -- stages -------------------------------------------------------------------------------
    def _bands(self) -> list[Band]:
        periods: list[tuple[str, float, date]] = []
        for placed in self.steps:
            stage = placed.step.stage
            if stage is None or (periods and periods[-1][0] == stage):
                continue
            periods.append((stage, placed.start_day, placed.step.start_date))
        bands = []
        for index, (stage, d0, start) in enumerate(periods):
            d1 = periods[index + 1][1] if index + 1 < len(periods) else self.end_day
            bands.append(Band(stage, label("stage", stage), d0, d1, start))
        return bands

    def stages(self) -> list[str]:
        """The stages on the map, in the order they first come, each once."""
        return list(dict.fromkeys(band.stage for band in self.bands))

    def sectors(self) -> list[str]:
        """The sectors on the map, in lane order, each once."""
        return list(dict.fromkeys(org.sector for lane in self.lanes for org in lane.organisations))


def active(findings: Sequence[Finding]) -> list[Finding]:
    """The findings not set aside."""
    return [f for f in findings if not f.set_aside]
