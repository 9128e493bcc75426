"""The printed pathway map, laid out in points: one period of time on one landscape page.

Every word on the page is at least :data:`MIN_TEXT` points. A step shows its severity mark (and
"×N" for several findings), its number (as in the timeline table) and its words when they fit in
full before the next step in its row; otherwise the number stands alone and the words are listed
in full beside the map (:attr:`MapPage.listed`). A long pathway is cut into periods
(:func:`periods`), each on its own page at a scale where its steps can be read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from planner.map_layout.arrows import Box, Route, route, stub
from planner.map_layout.axis import Measure, Span, Tick, TimeScale
from planner.map_layout.key import KeyItem, count_text, flow_key, key_entries
from planner.map_layout.labels import ListedLabel, list_columns
from planner.map_layout.timeline import Band, MapArrow, MapLane, MapStep, Timeline

#: The smallest text on a printed map, in points.
MIN_TEXT = 7.0
SIZE_LABEL = 7.5
SIZE_NUMBER = 7.0
SIZE_COUNT = 7.0
SIZE_LANE_TITLE = 8.5
SIZE_LANE = 7.0
SIZE_AXIS = 7.0
SIZE_KEY = 7.0
SIZE_KEY_TITLE = 8.0

LABEL_W = 172.0
LEFT_GAP = 8.0
RIGHT_PAD = 6.0
MARK_H = 6.0
POINT_W = 4.5
BADGE = 7.0
LABEL_LINE = 9.0
ROW_GAP = 2.0
ROW_H = LABEL_LINE + 1 + MARK_H + ROW_GAP
LANE_PAD = 2.0
MAX_ROWS = 7
#: Space between a lane's label lines, and the height of its three lines with their padding.
LANE_LEADING = 1.6
LANE_BLOCK = SIZE_LANE_TITLE + 2 * SIZE_LANE + 2 * LANE_LEADING + 2 * LANE_PAD
TIER = 10.5
HEADER_H = 3 * TIER + 4
KEY_ROW = 11.5
LIST_LINE = 9.0
#: Widest a label may make its row's room before the row is shared.
LABEL_ROOM = 190.0
#: Steps in a period of a long pathway; a pathway of up to ONE_PAGE_STEPS is one period unless
#: a quiet stretch would squeeze it.
WINDOW_STEPS = 40
ONE_PAGE_STEPS = 60
#: A stretch with no steps this long (days), and a fifth of its period or more, is left out of
#: the period's time axis: a visible break of BREAK_W points stands for it.
QUIET_DAYS = 60.0
BREAK_W = 16.0


@dataclass(frozen=True)
class Period:
    """Days ``d0`` to ``d1`` after the origin, shown on one page; the numbers of its first and
    last steps by start."""

    d0: float
    d1: float
    first: int
    last: int
    #: Quiet stretches left out of the axis, (from, to) in days, in order.
    breaks: tuple[tuple[float, float], ...] = ()

    def segments(self) -> list[tuple[float, float]]:
        """The stretches of time drawn, between the breaks."""
        result, start = [], self.d0
        for b0, b1 in self.breaks:
            result.append((start, b0))
            start = b1
        result.append((start, self.d1))
        return result

    def within(self, d0: float, d1: float) -> Period:
        """The part of this period from ``d0`` to ``d1`` (its step numbers to be set)."""
        inside = tuple(b for b in self.breaks if d0 <= b[0] and b[1] <= d1)
        return Period(d0, d1, self.first, self.last, inside)


@dataclass(eq=False)
class PlacedStep:
    step: MapStep
    row: int = 0
    left: float = 0.0
    right: float = 0.0
    top: float = 0.0
    cx: float = 0.0
    cy: float = 0.0
    clipped_left: bool = False
    clipped_right: bool = False
    room: float = 0.0
    hatch_x0: float | None = None
    marker_x: float | None = None
    count: str = ""
    count_x: float = 0.0
    number_x: float = 0.0
    number_w: float = 0.0
    label: str = ""
    label_x: float = 0.0
    #: The step's words are not on the map but in the list beside it.
    listed: bool = False

    @property
    def mark_top(self) -> float:
        return self.top + LABEL_LINE + 1

    @property
    def middle(self) -> float:
        """The vertical middle of the label line."""
        return self.top + LABEL_LINE / 2

    @property
    def label_end(self) -> float:
        if self.label:
            return self.label_x + self._label_width
        return self.number_x + self.number_w

    _label_width: float = 0.0

    def box(self) -> Box:
        return Box(self.left, self.right, self.cx, self.cy, self.step.point)


@dataclass(eq=False)
class PlacedLane:
    lane: MapLane
    top: float
    height: float
    rows: int
    lines: list[str]


@dataclass(frozen=True)
class PlacedBand:
    band: Band
    x0: float
    x1: float
    text: str


@dataclass(frozen=True)
class PlacedArrow:
    arrow: MapArrow
    route: Route | None
    stub: tuple[tuple[float, float], tuple[float, float]] | None
    alpha: float


@dataclass(eq=False)
class MapPage:
    """One period laid out ``width`` points wide: y measured down from the top."""

    period: Period
    width: float
    left: float
    right: float
    ppd: float
    scale: TimeScale
    lanes: list[PlacedLane] = field(default_factory=list)
    steps: dict[str, PlacedStep] = field(default_factory=dict)
    bands: list[PlacedBand] = field(default_factory=list)
    ticks: list[tuple[float, Tick]] = field(default_factory=list)
    spans: list[tuple[float, float, Span, str]] = field(default_factory=list)
    arrows: list[PlacedArrow] = field(default_factory=list)
    corner: tuple[str, str] = ("", "")
    lanes_height: float = 0.0
    key: list[KeyItem] = field(default_factory=list)
    key_top: float = 0.0
    key_height: float = 0.0
    listed: list[ListedLabel] = field(default_factory=list)
    list_columns: int = 0
    list_column_width: float = 0.0
    list_top: float = 0.0
    #: Where the line saying what each break leaves out is (0: no breaks).
    breaks_top: float = 0.0
    height: float = 0.0

    def x(self, day: float) -> float:
        """Where a day is: each break before it takes BREAK_W instead of its days; a day inside a
        break is at its start."""
        offset, extra = day - self.period.d0, 0.0
        for b0, b1 in self.period.breaks:
            if day >= b1:
                offset -= b1 - b0
                extra += BREAK_W
            elif day > b0:
                offset -= day - b0
        return self.left + offset * self.ppd + extra

    def break_xs(self) -> list[tuple[float, float, float]]:
        """(left x, days left out, day the break starts) of each break."""
        return [(self.x(b0), b1 - b0, b0) for b0, b1 in self.period.breaks]

    def listed_positions(self) -> list[tuple[float, float, ListedLabel]]:
        """(x, top) of each listed label, in columns filled top to bottom."""
        if not self.listed:
            return []
        lines = [len(item.lines) for item in self.listed]
        per_column = math.ceil(sum(lines) / self.list_columns)
        result = []
        column, y = 0, 0.0
        for item, count in zip(self.listed, lines, strict=True):
            if y + count > per_column and y > 0 and column + 1 < self.list_columns:
                column, y = column + 1, 0.0
            x = column * (self.list_column_width + 14.0)
            result.append((x, self.list_top + 12 + y * LIST_LINE, item))
            y += count
        return result


def sample_width(sample: str) -> float:
    """The width of a key sample on paper."""
    if not sample:
        return 0.0
    if sample.startswith("arrow:"):
        return 24.0
    if sample.startswith("severity:"):
        return BADGE
    if sample == "point":
        return POINT_W + 2
    if sample == "number":
        return 10.0
    return 16.0


def periods(timeline: Timeline, per_page: int = WINDOW_STEPS, one_page: int = ONE_PAGE_STEPS,
            quiet: float = QUIET_DAYS) -> list[Period]:
    """The periods drawn one to a page: the whole pathway when it has up to ``one_page`` steps,
    else runs of up to ``per_page`` steps; in each, quiet stretches (``quiet`` days or more with
    nothing going on, and a fifth of the period or more) are left out with a visible break, so
    the steps are not squeezed into a corner of the page."""
    steps = timeline.steps
    if not steps:
        return [Period(0.0, timeline.end_day, 1, 0)]
    limit = per_page if len(steps) > one_page else one_page
    groups = [steps[start:start + limit] for start in range(0, len(steps), limit)]
    result = []
    for index, group in enumerate(groups):
        d0 = float(math.floor(group[0].start_day))
        if index + 1 < len(groups):
            following = groups[index + 1][0].start_day
            last_end = max(s.d1 if not s.point else s.d0 + 0.5 for s in group)
            d1 = float(min(following, math.ceil(last_end + 1.0)) if following - last_end > 2 else following)
        else:
            d1 = timeline.end_day
        d1 = max(d1, d0 + 1.0)
        gaps: list[tuple[float, float]] = []
        busy_until = group[0].start_day
        for placed in group:
            b0, b1 = math.ceil(busy_until) + 1.0, math.floor(placed.start_day) - 1.0
            if b1 - b0 >= quiet:
                gaps.append((b0, b1))
            busy_until = max(busy_until, placed.d1 if not placed.point else placed.d0 + 0.5)
        breaks = tuple(g for g in gaps if g[1] - g[0] >= (d1 - d0) / 5)
        result.append(Period(d0, d1, group[0].number, group[-1].number, breaks))
    return result


def quiet_words(days: float) -> str:
    """How long a break is, roughly: "9 weeks", "7 months", "4 years"."""
    if days >= 730:
        return f"{round(days / 365.25)} years"
    if days >= 91:
        return f"{round(days / 30.44)} months"
    return f"{round(days / 7)} weeks"


def period_steps(timeline: Timeline, period: Period) -> list[MapStep]:
    return timeline.steps_between(period.d0, period.d1)


class PageLayout:
    """Lays out periods of one timeline for paper, with the renderer's measuring function."""

    def __init__(self, timeline: Timeline, measure: Measure, relative: bool) -> None:
        self.timeline = timeline
        self.relative = relative
        cache: dict[tuple[str, float, bool], float] = {}

        def measured(text: str, size: float, bold: bool) -> float:
            key = (text, size, bold)
            found = cache.get(key)
            if found is None:
                found = cache[key] = measure(text, size, bold)
            return found

        self.measure: Measure = measured

    def page(self, period: Period, width: float, height: float) -> MapPage:
        """The period laid out ``width`` wide, with fewer rows per lane (more labels listed
        beside the map) until it fits ``height``; it may still be taller (see :meth:`fits`)."""
        rows = MAX_ROWS
        while True:
            page = self._page(period, width, rows)
            if page.height <= height or rows == 1:
                return page
            rows -= 1

    def pages(self, width: float, height: float, chosen: list[Period] | None = None) -> list[MapPage]:
        """The pathway's pages: each period, cut in two where its page would not fit."""
        todo = list(chosen or periods(self.timeline))
        done: list[MapPage] = []
        while todo:
            period = todo.pop(0)
            page = self.page(period, width, height)
            steps = period_steps(self.timeline, period)
            starting = [s for s in steps if s.start_day >= period.d0]
            if page.height <= height or len(starting) < 2:
                done.append(page)
                continue
            middle = starting[len(starting) // 2]
            cut = float(math.floor(middle.start_day))
            if cut <= period.d0:
                cut = middle.start_day
            before, after = period.within(period.d0, cut), period.within(cut, period.d1)
            todo[:0] = [Period(before.d0, before.d1, period.first, middle.number - 1, before.breaks),
                        Period(after.d0, after.d1, middle.number, period.last, after.breaks)]
        return done

    # -- one page ------------------------------------------------------------------------------
    def _page(self, period: Period, width: float, max_rows: int) -> MapPage:
        timeline, measure = self.timeline, self.measure
        left, right = LABEL_W + LEFT_GAP, width - RIGHT_PAD
        days = period.d1 - period.d0 - sum(b1 - b0 for b0, b1 in period.breaks)
        ppd = (right - left - BREAK_W * len(period.breaks)) / max(days, 0.5)
        scale = TimeScale(timeline.origin, measure, SIZE_AXIS, self.relative, pad=8.0)
        scale.choose(ppd)
        page = MapPage(period, width, left, right, ppd, scale)
        shown = {id(s) for s in period_steps(timeline, period)}
        y = HEADER_H
        for lane in timeline.lanes:
            placed = [self._place(page, s) for s in lane.steps if id(s) in shown]
            rows, count = self._rows(placed, max_rows)
            block = LANE_BLOCK
            lane_height = max(block, count * ROW_H - ROW_GAP + 2 * LANE_PAD)
            offset = (lane_height - (count * ROW_H - ROW_GAP)) / 2
            for p, row in zip(placed, rows, strict=True):
                p.row = row
                p.top = y + offset + row * ROW_H
                p.cy = p.mark_top + MARK_H / 2
                page.steps[p.step.step.id] = p
            page.lanes.append(PlacedLane(lane, y, lane_height, count, self._lane_lines(lane)))
            y += lane_height
        page.lanes_height = y - HEADER_H
        self._labels(page)
        self._header(page)
        self._arrows(page)
        entries = key_entries(timeline.sectors(), len(timeline.case_findings), numbers=True,
                              stages=timeline.stages())
        page.key_top = y + 6
        page.key, page.key_height = flow_key(entries, width, measure, SIZE_KEY, sample_width, KEY_ROW)
        bottom = page.key_top + page.key_height
        listed = sorted({p.step.number: p.step.text for p in page.steps.values() if p.listed}.items())
        page.listed, page.list_columns, page.list_column_width = list_columns(
            listed, width, measure, SIZE_KEY)
        if page.listed:
            page.list_top = bottom + 2
            lines = sum(len(item.lines) for item in page.listed)
            bottom = page.list_top + 12 + math.ceil(lines / page.list_columns) * LIST_LINE + 2
        if period.breaks:
            page.breaks_top = bottom + 2
            bottom = page.breaks_top + LIST_LINE + 2
        page.height = bottom
        return page

    def _rows(self, placed: list[PlacedStep], max_rows: int) -> tuple[list[int], int]:
        """Rows in a lane: the first row free for the step's mark and whole label; else a new row
        up to ``max_rows``; else a row where the step before leaves room for this one's number
        (that step's words then go in the list); else a new row all the same: a number is never
        covered."""
        full_ends: list[float] = []
        lead_ends: list[float] = []
        rows: list[int] = []
        for p in placed:
            full_end = max(p.right, p.left + self._label_width(p.step)) + 3
            lead_end = max(p.right, p.left + self._lead_width(p.step)) + 3
            row = next((r for r, end in enumerate(full_ends) if end <= p.left), None)
            if row is None and len(full_ends) >= max_rows:
                row = next((r for r, end in enumerate(lead_ends) if end <= p.left), None)
            if row is None:
                row = len(full_ends)
                full_ends.append(full_end)
                lead_ends.append(lead_end)
            full_ends[row], lead_ends[row] = full_end, lead_end
            rows.append(row)
        return rows, max(1, len(full_ends))

    def _place(self, page: MapPage, placed: MapStep) -> PlacedStep:
        p = PlacedStep(placed)
        x0 = page.x(placed.d0)
        if placed.point:
            p.left, p.right, p.cx = x0 - POINT_W / 2, x0 + POINT_W / 2, x0
        else:
            x1 = max(page.x(placed.d1), x0 + 1.5)
            p.clipped_left, p.clipped_right = x0 < page.left, x1 > page.right
            p.left, p.right = max(x0, page.left), min(x1, page.right)
            p.cx = p.left + min(3.0, (p.right - p.left) / 2)
            if placed.hatch_d0 is not None:
                p.hatch_x0 = max(page.x(placed.hatch_d0), p.left)
        return p

    def _lead_width(self, placed: MapStep) -> float:
        """The severity mark, its count and the number box before a step's words."""
        measure = self.measure
        width = measure(str(placed.number), SIZE_NUMBER, True) + 3
        if placed.findings:
            width += BADGE + 1
            count = count_text(len(placed.findings))
            if count:
                width += measure(count, SIZE_COUNT, False) + 2
        return width + 2

    def _label_width(self, placed: MapStep) -> float:
        return min(self._lead_width(placed) + self.measure(placed.text, SIZE_LABEL, False), LABEL_ROOM)

    def _lane_lines(self, lane: MapLane) -> list[str]:
        """The lane's lines, each in full; organisations that do not fit are counted instead."""
        room = LABEL_W - 14
        lines = []
        for index, text in enumerate(lane.lines):
            size, bold = (SIZE_LANE_TITLE, True) if index == 0 else (SIZE_LANE, False)
            if index == 1 and self.measure(text, size, bold) > room and len(lane.organisations) > 1:
                names = [org.name for org in lane.organisations]
                while len(names) > 1:
                    names.pop()
                    text = f"{', '.join(names)} and {len(lane.organisations) - len(names)} more"
                    if self.measure(text, size, bold) <= room:
                        break
            lines.append(text)
        return lines

    def _labels(self, page: MapPage) -> None:
        """Room for each label (up to the next step in its row, or the page's edge), then what it
        shows: mark, count, number, and the words in full or listed beside the map."""
        measure = self.measure
        last: dict[tuple[int, int], PlacedStep] = {}
        for p in sorted(page.steps.values(), key=lambda p: p.left):
            previous = last.get((p.step.lane, p.row))
            if previous is not None:
                previous.room = p.left - previous.left - 4
            p.room = page.width - p.left
            last[(p.step.lane, p.row)] = p
        for p in page.steps.values():
            # at the page's right edge the mark, count and number move left to stay on the page
            x, limit = min(p.left, page.width - self._lead_width(p.step)), p.left + p.room
            placed = p.step
            if placed.findings:
                p.marker_x = x
                x += BADGE + 1
                p.count = count_text(len(placed.findings))
                if p.count:
                    p.count_x = x
                    x += measure(p.count, SIZE_COUNT, False) + 2
            p.number_x = x
            p.number_w = measure(str(placed.number), SIZE_NUMBER, True) + 3
            x += p.number_w + 2
            words = measure(placed.text, SIZE_LABEL, False)
            if x + words <= limit:
                p.label, p.label_x, p._label_width = placed.text, x, words
            else:
                p.listed = True

    def _header(self, page: MapPage) -> None:
        measure, timeline, period = self.measure, self.timeline, page.period
        ticks: list[tuple[float, Tick]] = []
        for s0, s1 in period.segments():
            for band in timeline.bands:
                if band.d1 <= s0 or band.d0 >= s1:
                    continue
                x0, x1 = page.x(max(band.d0, s0)), page.x(min(band.d1, s1))
                text = band.title if measure(band.title, SIZE_AXIS, False) <= x1 - x0 - 4 else ""
                page.bands.append(PlacedBand(band, x0, x1, text))
            for span in page.scale.context(s0, s1):
                x0, x1 = page.x(max(span.d0, s0)), page.x(min(span.d1, s1))
                text = next((t for t in (span.long, span.short)
                             if x1 - x0 - 3 >= measure(t, SIZE_AXIS, True)), "")
                page.spans.append((x0, x1, span, text))
            ticks += [(page.x(tick.day), tick) for tick in page.scale.ticks(s0, s1, margin=0.001)]
        end = -math.inf  # a tick's words never run into the next tick's, across a break too
        for x, tick in sorted(ticks, key=lambda pair: pair[0]):
            right_end = x + 2 + measure(tick.text, SIZE_AXIS, False)
            if x >= end and right_end <= page.width:
                page.ticks.append((x, tick))
                end = right_end + 2
        total = len(timeline.steps)
        counts = (f"{total} steps, {len(timeline.arrows)} handoffs" if len(page.steps) == total
                  else f"steps {period.first} to {period.last} of {total}")
        page.corner = ("Lanes by sector", counts)

    def _arrows(self, page: MapPage) -> None:
        steps = page.steps
        alpha = 1.0 if (page.right - page.left) / max(len(steps), 1) >= 6 else 0.6
        for arrow in self.timeline.arrows:
            source, target = steps.get(arrow.link.source.id), steps.get(arrow.link.target.id)
            if source is None and target is None:
                continue
            if source is None or target is None:
                page.arrows.append(PlacedArrow(arrow, None, stub(
                    source.box() if source else None, target.box() if target else None, 12.0,
                    page.width - 1, page.left), alpha))
                continue
            page.arrows.append(PlacedArrow(
                arrow, route(source.box(), target.box(), MARK_H, 4.2, 2.0, 7.0, gap=0.5), None, alpha))
