"""The pathway map for print: the layout of :mod:`planner.map_layout` drawn with reportlab.

Each period of the pathway (:func:`planner.map_layout.page.periods`) is laid out once, in points,
by :class:`planner.map_layout.page.PageLayout` with reportlab's own text widths, and drawn here on
one landscape page: lanes with their names, organisations, regulators and payment model; stage
bands; the time axis; steps as spans or moments (with a pattern where two sectors share a
colour), the delayed part of an admission hatched; handoffs as arrows whose line pattern says how
the information went across; severity marks with their number; the step numbers of the timeline;
the key; and, beside the map, the words of the steps whose label did not fit. A long pathway also
gets an overview of the whole (:mod:`reports.map_drawing_overview`).
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from planner.map_layout.page import (
    BADGE,
    BREAK_W,
    HEADER_H,
    KEY_ROW,
    LABEL_W,
    LANE_BLOCK,
    LANE_LEADING,
    LANE_PAD,
    MARK_H,
    ONE_PAGE_STEPS,
    POINT_W,
    SIZE_AXIS,
    SIZE_COUNT,
    SIZE_KEY,
    SIZE_KEY_TITLE,
    SIZE_LABEL,
    SIZE_LANE,
    SIZE_LANE_TITLE,
    SIZE_NUMBER,
    TIER,
    WINDOW_STEPS,
    MapPage,
    PageLayout,
    Period,
    periods,
    quiet_words,
    sample_width,
)
from planner.map_layout.timeline import Timeline
from planner.map_style import ARROW_LOOKS, lane_pattern, sector_colour
from planner.model import Case
from planner.rules.catalogue import severity_style
from reports.map_drawing_canvas import (
    CHROME,
    CHROME_LINE,
    GRID,
    MUTED,
    TEXT,
    Canvas,
    arrow_head,
    arrow_line,
    darker,
    drawing,
    flowable_class,
    hatch,
    is_black,
    mark,
    rl_colour,
    stage_colour,
    tint,
)
from reports.pdfkit import fonts

if TYPE_CHECKING:
    from reportlab.graphics.shapes import Drawing
    from reportlab.platypus import Flowable

    from planner.rules import Finding


class PathwayMap:
    """A case's map for print. ``findings`` are the active findings (their step ids mapped to
    this case's by ``step_id``), ``numbers`` each step's number, and ``relative`` whether the time
    axis counts days from the first step (for anonymised documents) instead of the calendar."""

    def __init__(self, case: Case, findings: list[Finding], numbers: dict[str, int], relative: bool,
                 step_id: Any = None) -> None:
        face = fonts()
        self.regular, self.bold = face.regular, face.bold
        self.timeline = Timeline(case, findings, numbers=numbers, step_id=step_id)
        self.relative = relative
        self.layout = PageLayout(self.timeline, self.measure, relative)

    def measure(self, text: str, size: float, bold: bool) -> float:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        return float(stringWidth(text, self.bold if bold else self.regular, size))

    @property
    def steps(self) -> int:
        return len(self.timeline.steps)

    def pages(self, width: float, height: float, parts_height: float | None = None) -> list[MapPage]:
        """The map's pages, one period each, every one fitting ``width`` by ``height`` (or, when
        the map takes several pages, ``parts_height``)."""
        pages = self.layout.pages(width, height)
        if len(pages) > 1 and parts_height is not None and parts_height != height:
            pages = self.layout.pages(width, parts_height)
        return pages

    def period_text(self, period: Period) -> str:
        """"day 12 to day 80" or "3 Feb 2024 to 12 Apr 2024"."""
        return f"{self.day_text(period.d0)} to {self.day_text(max(period.d0, period.d1 - 0.001))}"

    def day_text(self, day: float) -> str:
        on = self.timeline.origin + timedelta(days=math.floor(day))
        if self.relative:
            return f"day {(on - self.timeline.origin).days}"
        from planner.dates import format_day

        return format_day(on)

    def page_flowable(self, page: MapPage, height: float) -> Flowable:
        """A page of the map drawn straight onto the PDF canvas (shrunk only when it cannot fit
        ``height``, which :meth:`pages` avoids by cutting periods)."""
        canvas = Canvas(page.height)
        draw_page(self, page, canvas)
        return flowable_class()(canvas, page.width, min(1.0, height / page.height))

    def page_drawing(self, page: MapPage) -> Drawing:
        canvas = Canvas(page.height)
        draw_page(self, page, canvas)
        return drawing(canvas, 1.0, page.width)


def draw_page(owner: PathwayMap, page: MapPage, canvas: Canvas) -> None:
    """Every part of a laid-out page, back to front."""
    _lanes(page, canvas)
    _grid(owner, page, canvas)
    _arrows(page, canvas)
    _steps(owner, page, canvas)
    _header(owner, page, canvas)
    _lane_labels(owner, page, canvas)
    _breaks_note(owner, page, canvas)
    draw_key(owner, page, canvas)
    _listed(owner, page, canvas)


def _break_strips(page: MapPage, canvas: Canvas, top: float, bottom: float) -> None:
    """Each quiet stretch left out of the axis: a white gap with two zigzags, behind the words."""
    grey = rl_colour("#8a9099")
    for x, _days, _start in page.break_xs():
        canvas.rect(x, top, BREAK_W, bottom - top, fill=rl_colour("#ffffff"))
        for middle in (x + 4.5, x + 11.5):
            y = top
            while y < bottom:
                low, lower = min(y + 3, bottom), min(y + 6, bottom)
                canvas.line(middle - 1.5, y, middle + 1.5, low, grey, 0.6)
                canvas.line(middle + 1.5, low, middle - 1.5, lower, grey, 0.6)
                y += 6


def _breaks_note(owner: PathwayMap, page: MapPage, canvas: Canvas) -> None:
    """A line under the key saying how long each break is."""
    if page.breaks_top:
        words = "; ".join(f"{quiet_words(b1 - b0)} with no steps, {owner.day_text(b0)} to "
                          f"{owner.day_text(b1)}" for b0, b1 in page.period.breaks)
        title = "Breaks in the time axis (zigzags):"
        middle = page.breaks_top + 4.5
        canvas.text(0, middle, title, owner.bold, SIZE_KEY)
        canvas.text(owner.measure(title, SIZE_KEY, True) + 5, middle, words, owner.regular, SIZE_KEY)


def _lanes(page: MapPage, canvas: Canvas) -> None:
    for placed in page.lanes:
        canvas.rect(LABEL_W, placed.top, page.width - LABEL_W, placed.height,
                    fill=tint(placed.lane.colour, 0.10), stroke=rl_colour("#d5d9e0"), width=0.4)


def _grid(owner: PathwayMap, page: MapPage, canvas: Canvas) -> None:
    top, bottom = HEADER_H, HEADER_H + page.lanes_height
    for band in page.bands:
        canvas.rect(band.x0, top, band.x1 - band.x0, bottom - top, fill=stage_colour(band.band.stage),
                    opacity=0.45)
    period = page.period
    if page.scale.unit == "day":
        whole = math.floor(period.d0)
        while whole < period.d1:
            if (owner.timeline.origin + timedelta(days=whole)).weekday() >= 5:
                x0 = page.x(max(whole, period.d0))
                canvas.rect(x0, top, page.x(min(whole + 1, period.d1)) - x0, bottom - top,
                            fill=rl_colour("#000000"), opacity=0.05)
            whole += 1
    grid = rl_colour(GRID)
    for x, _tick in page.ticks:
        canvas.line(x, top, x, bottom, grid, 0.4)
    _break_strips(page, canvas, top, bottom)


def _arrows(page: MapPage, canvas: Canvas) -> None:
    for placed in page.arrows:
        style = placed.arrow.style
        if placed.route is not None:
            r = placed.route
            arrow_line(canvas, [r.start, r.c0, r.c1, r.end], style, curve=True, alpha=placed.alpha)
            (tx, ty), (_bx, by) = r.tip, r.base_left
            arrow_head(canvas, style, tx, ty, 0.0, 1.0 if ty > by else -1.0, placed.alpha)
        elif placed.stub is not None:
            (x0, y), (x1, _y) = placed.stub
            arrow_line(canvas, [(x0, y), (x1 - 3, y)], style, alpha=placed.alpha)
            arrow_head(canvas, style, x1, y, 1.0, 0.0, placed.alpha)


def _steps(owner: PathwayMap, page: MapPage, canvas: Canvas) -> None:
    white = rl_colour("#ffffff")
    for p in page.steps.values():
        lane = page.lanes[p.step.lane].lane
        colour = sector_colour(lane.sector) if lane.sector else lane.colour
        mark(canvas, p.left, p.mark_top, p.right - p.left, MARK_H, colour, lane_pattern(lane.sector))
        if p.hatch_x0 is not None:
            hatch(canvas, p.hatch_x0, p.mark_top, p.right, p.mark_top + MARK_H)
        edges = ((p.clipped_left, p.left + 1.5, -1), (p.clipped_right, p.right - 1.5, 1))
        for clipped, x, direction in edges:
            if clipped:  # a white chevron: the stay goes on beyond this page
                y = p.mark_top + MARK_H / 2
                canvas.line(x - direction * 1.5, y - 2, x, y, white, 0.8)
                canvas.line(x, y, x - direction * 1.5, y + 2, white, 0.8)
        middle = p.middle
        end = p.label_end
        # a quiet ground under the label line, so arrows do not cross the words
        start = min(p.left, p.number_x if p.marker_x is None else p.marker_x)
        canvas.rect(start - 0.5, middle - 4.5, end - start + 1.5, 9.0, fill=tint(lane.colour, 0.10),
                    opacity=0.85)
        if p.marker_x is not None:
            severity = p.step.severity
            assert severity is not None
            fill, shape = severity_style(severity)
            canvas.shape(shape, p.marker_x, middle - BADGE / 2, BADGE, fill)
            if p.count:
                canvas.text(p.count_x, middle, p.count, owner.regular, SIZE_COUNT, MUTED)
        canvas.rect(p.number_x, middle - 4.2, p.number_w, 8.4, fill=white, stroke=rl_colour("#8a9099"),
                    width=0.4)
        canvas.text(p.number_x + p.number_w / 2, middle, str(p.step.number), owner.bold, SIZE_NUMBER,
                    anchor="middle")
        if p.label:
            canvas.text(p.label_x, middle, p.label, owner.regular, SIZE_LABEL)


def _header(owner: PathwayMap, page: MapPage, canvas: Canvas) -> None:
    line = rl_colour(CHROME_LINE)
    canvas.rect(0, 0, page.width, HEADER_H, fill=rl_colour(CHROME), stroke=line, width=0.5)
    _break_strips(page, canvas, 0.5, HEADER_H - 0.5)
    upper, lower, stages = 2.0 + TIER / 2, 2.0 + TIER * 1.5, 3.0 + TIER * 2
    for band in page.bands:
        canvas.rect(band.x0, stages, band.x1 - band.x0, TIER, fill=stage_colour(band.band.stage))
        canvas.line(band.x0, stages, band.x0, stages + TIER, line, 0.5)
        if band.text:
            canvas.text(band.x0 + 2, stages + TIER / 2, band.text, owner.regular, SIZE_AXIS)
    if owner.relative:
        canvas.text(page.left, upper, "Days from the first step (day 0)", owner.bold, SIZE_AXIS)
    for x0, _x1, span, text in page.spans:
        if span.d0 >= page.period.d0:
            canvas.line(x0, 1, x0, lower + TIER / 2, line, 0.5)
        if text:
            canvas.text(x0 + 2, upper, text, owner.bold, SIZE_AXIS)
    muted = rl_colour(MUTED)
    for x, tick in page.ticks:
        canvas.line(x, lower - TIER / 2, x, lower + TIER / 2, muted, 0.4)
        canvas.text(x + 2, lower, tick.text, owner.regular, SIZE_AXIS)
    canvas.rect(0, 0, LABEL_W, HEADER_H, fill=rl_colour(CHROME), stroke=line, width=0.5)
    title, counts = page.corner
    canvas.text(5, upper, title, owner.bold, SIZE_LANE_TITLE)
    canvas.text(5, lower, counts, owner.regular, SIZE_LANE, MUTED)
    canvas.text(LABEL_W - 5, stages + TIER / 2, "Stage", owner.regular, SIZE_LANE, MUTED, anchor="end")


def _lane_labels(owner: PathwayMap, page: MapPage, canvas: Canvas) -> None:
    line = rl_colour("#d5d9e0")
    for placed in page.lanes:
        lane, top, height = placed.lane, placed.top, placed.height
        canvas.rect(0, top, LABEL_W, height, fill=tint(lane.colour, 0.22), stroke=line, width=0.4)
        black = is_black(lane.colour)
        canvas.rect(1.5, top + 2, 4, height - 4, fill=rl_colour("#ffffff" if black else lane.colour),
                    stroke=rl_colour("#000000") if black else darker(lane.colour, 1.5),
                    width=0.8 if black else 0.4)
        y = top + (height - LANE_BLOCK) / 2 + LANE_PAD + SIZE_LANE_TITLE / 2
        for index, text in enumerate(placed.lines):
            if index == 0:
                canvas.text(9, y, text, owner.bold, SIZE_LANE_TITLE)
                y += SIZE_LANE_TITLE / 2 + SIZE_LANE / 2 + LANE_LEADING
            else:
                canvas.text(9, y, text, owner.regular, SIZE_LANE, "#464b50")
                y += SIZE_LANE + LANE_LEADING


def draw_key(owner: PathwayMap, page: MapPage, canvas: Canvas) -> None:
    grey, outline = rl_colour("#bfc5cc"), rl_colour("#5f6368")
    for item in page.key:
        x, middle = item.x, page.key_top + item.y + KEY_ROW / 2
        if item.kind != "entry":
            size = SIZE_KEY_TITLE if item.kind == "title" else SIZE_KEY
            canvas.text(x, middle, item.words, owner.bold, size)
            continue
        sample = item.sample
        if sample.startswith("lane:"):
            sector = sample[5:]
            mark(canvas, x, middle - 3.5, 15, 7, sector_colour(sector), lane_pattern(sector))
        elif sample.startswith("stage:"):
            canvas.rect(x, middle - 3.5, 15, 7, fill=stage_colour(sample[6:]), stroke=grey, width=0.5)
        elif sample in ("span", "hatch"):
            canvas.rect(x, middle - 3.5, 15, 7, fill=grey, stroke=outline, width=0.5)
            if sample == "hatch":
                hatch(canvas, x, middle - 3.5, x + 15, middle + 3.5)
        elif sample == "point":
            canvas.rect(x + 1, middle - 4, POINT_W, 8, fill=grey, stroke=outline, width=0.5)
        elif sample == "number":
            canvas.rect(x, middle - 4.2, 9, 8.4, fill=rl_colour("#ffffff"), stroke=rl_colour("#8a9099"),
                        width=0.4)
            canvas.text(x + 4.5, middle, "8", owner.bold, SIZE_NUMBER, anchor="middle")
        elif sample.startswith("arrow:"):
            look = ARROW_LOOKS[sample[6:]]
            arrow_line(canvas, [(x, middle), (x + 17, middle)], look.name)
            arrow_head(canvas, look.name, x + 23, middle, 1.0, 0.0)
        elif sample.startswith("severity:"):
            fill, shape = severity_style(sample[9:])
            canvas.shape(shape, x, middle - BADGE / 2, BADGE, fill)
        gap = sample_width(sample)
        canvas.text(x + gap + (4 if gap else 0), middle, item.words, owner.regular, SIZE_KEY)


def _listed(owner: PathwayMap, page: MapPage, canvas: Canvas) -> None:
    """The words of the steps whose labels did not fit, by number, beside the map."""
    if not page.listed:
        return
    canvas.text(0, page.list_top + 5, "Steps whose words did not fit on the map:", owner.bold, SIZE_KEY)
    number_width = owner.measure("888  ", SIZE_KEY, True)
    for x, top, item in page.listed_positions():
        canvas.text(x + number_width - 3, top + 4.5, str(item.number), owner.bold, SIZE_KEY, TEXT,
                    anchor="end")
        for index, text in enumerate(item.lines):
            canvas.text(x + number_width, top + 4.5 + index * 9.0, text, owner.regular, SIZE_KEY)


__all__ = ["ONE_PAGE_STEPS", "WINDOW_STEPS", "PathwayMap", "Period", "draw_page", "periods"]
