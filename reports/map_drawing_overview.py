"""The whole pathway at a glance, for print: the marks of every step without labels or arrows,
severity marks where they do not overlap, and where each period of the detailed pages lies.
Drawn above the periods of a long pathway in the case summary."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from typing import TYPE_CHECKING

from planner.map_layout.axis import TimeScale
from planner.map_layout.key import KeyItem, flow_key, key_entries
from planner.map_layout.page import (
    BADGE,
    HEADER_H,
    KEY_ROW,
    POINT_W,
    SIZE_AXIS,
    SIZE_KEY,
    SIZE_LANE,
    SIZE_LANE_TITLE,
    TIER,
    MapPage,
    Period,
    sample_width,
)
from planner.map_layout.timeline import MapLane, assign_rows
from planner.map_style import lane_pattern, sector_colour
from planner.rules.catalogue import severity_order, severity_style
from reports.map_drawing_canvas import (
    CHROME,
    CHROME_LINE,
    GRID,
    MUTED,
    Canvas,
    darker,
    drawing,
    hatch,
    is_black,
    mark,
    rl_colour,
    stage_colour,
    tint,
)

if TYPE_CHECKING:
    from reportlab.graphics.shapes import Drawing

    from reports.map_drawing import PathwayMap

#: The narrowest the lane names' column is; wider when a lane's name needs it.
MIN_LABEL_W = 120.0
ROW = 9.0
MARK = 6.0
ROWS = 3


def overview(owner: PathwayMap, width: float, parts: list[Period], key: bool = True,
             height: float = float("inf")) -> Drawing:
    """The whole pathway ``width`` wide, with the periods ``parts`` marked along it: with fewer
    rows per lane until it fits ``height`` (shrunk only when one row each does not fit)."""
    timeline = owner.timeline
    titles = [owner.measure(lane.title, SIZE_LANE_TITLE, True) for lane in timeline.lanes]
    label_w = max([MIN_LABEL_W, *(w + 16 for w in titles)])
    left, right = label_w + 6, width - 4
    ppd = (right - left) / max(timeline.end_day, 1.0)

    def x(day: float) -> float:
        return left + day * ppd

    scale = TimeScale(timeline.origin, owner.measure, SIZE_AXIS, owner.relative, pad=8.0)
    scale.choose(ppd)
    items: list[KeyItem] = []
    key_height = 0.0
    if key:
        entries = key_entries(timeline.sectors(), len(timeline.case_findings), handoffs=False,
                              stages=timeline.stages())
        items, key_height = flow_key(entries, width, owner.measure, SIZE_KEY, sample_width, KEY_ROW)
    for most in range(ROWS, 0, -1):
        rows, tops, heights = _rows(timeline.lanes, x, most)
        bottom = HEADER_H + sum(heights)
        total = bottom + (6 + key_height if key else 2)
        if total <= height:
            break
    canvas = Canvas(total)
    for lane, top, lane_height in zip(timeline.lanes, tops, heights, strict=True):
        canvas.rect(label_w, top, width - label_w, lane_height, fill=tint(lane.colour, 0.10),
                    stroke=rl_colour("#d5d9e0"), width=0.4)
    for band in timeline.bands:
        canvas.rect(x(band.d0), HEADER_H, x(band.d1) - x(band.d0), bottom - HEADER_H,
                    fill=stage_colour(band.stage), opacity=0.45)
    ticks = scale.ticks(0.0, timeline.end_day, margin=0.001)
    for tick in ticks:
        canvas.line(x(tick.day), HEADER_H, x(tick.day), bottom, rl_colour(GRID), 0.4)
    for s in timeline.steps:
        lane_no, row = rows[s.step.id]
        top = tops[lane_no] + BADGE + 2 + row * ROW
        x0 = x(s.d0) - (POINT_W / 2 if s.point else 0)
        x1 = x0 + POINT_W if s.point else max(x(s.d1), x0 + 1.0)
        lane = timeline.lanes[lane_no]
        mark(canvas, x0, top, x1 - x0, MARK, sector_colour(lane.sector) if lane.sector else lane.colour,
             lane_pattern(lane.sector))
        if s.hatch_d0 is not None:
            hatch(canvas, x(s.hatch_d0), top, x1, top + MARK)
    order = severity_order()
    taken_rows: dict[tuple[int, int], list[tuple[float, float]]] = {}
    marked = sorted((s for s in timeline.steps if s.findings),
                    key=lambda s: (order[s.severity or ""], s.number))
    for s in marked:  # severity marks, most severe first, where they do not overlap
        lane_no, row = rows[s.step.id]
        x0 = x(s.d0) - (POINT_W / 2 if s.point else 0)
        taken = taken_rows.setdefault((lane_no, row), [])
        at = bisect_left(taken, (x0, x0 + BADGE))
        if (at > 0 and taken[at - 1][1] + 0.5 > x0) or (at < len(taken) and x0 + BADGE + 0.5 > taken[at][0]):
            continue
        taken.insert(at, (x0, x0 + BADGE))
        fill, shape = severity_style(s.severity or "")
        canvas.shape(shape, x0, tops[lane_no] + row * ROW + 1.5, BADGE, fill)
    # the header
    line = rl_colour(CHROME_LINE)
    canvas.rect(0, 0, width, HEADER_H, fill=rl_colour(CHROME), stroke=line, width=0.5)
    upper, lower, stages = 2.0 + TIER / 2, 2.0 + TIER * 1.5, 3.0 + TIER * 2
    for band in timeline.bands:
        x0, x1 = x(band.d0), x(band.d1)
        canvas.rect(x0, stages, x1 - x0, TIER, fill=stage_colour(band.stage))
        if owner.measure(band.title, SIZE_AXIS, False) <= x1 - x0 - 4:
            canvas.text(x0 + 2, stages + TIER / 2, band.title, owner.regular, SIZE_AXIS)
    if len(parts) > 1:
        for number, part in enumerate(parts, start=1):
            x0, x1 = x(part.d0), x(part.d1)
            text = next((t for t in (f"part {number}", str(number))
                         if owner.measure(t, SIZE_AXIS, True) + 2 <= x1 - x0), "")
            if text:
                canvas.text(x0 + 2, upper, text, owner.bold, SIZE_AXIS, "#1d4ed8")
            if number > 1:
                canvas.line(x0, 2, x0, bottom, rl_colour("#1d4ed8"), 0.7, dash=[2.5, 1.5])
    else:
        for span in scale.context(0.0, timeline.end_day):
            x0, x1 = x(max(span.d0, 0.0)), x(min(span.d1, timeline.end_day))
            text = next((t for t in (span.long, span.short)
                         if x1 - x0 - 3 >= owner.measure(t, SIZE_AXIS, True)), "")
            if text:
                canvas.text(x0 + 2, upper, text, owner.bold, SIZE_AXIS)
    for tick in ticks:
        tick_x = x(tick.day)
        canvas.line(tick_x, lower - TIER / 2, tick_x, lower + TIER / 2, rl_colour(MUTED), 0.4)
        if tick_x + 2 + owner.measure(tick.text, SIZE_AXIS, False) <= width:
            canvas.text(tick_x + 2, lower, tick.text, owner.regular, SIZE_AXIS)
    canvas.rect(0, 0, label_w, HEADER_H, fill=rl_colour(CHROME), stroke=line, width=0.5)
    canvas.text(5, upper, "The whole pathway", owner.bold, SIZE_LANE_TITLE)
    canvas.text(5, lower, f"{len(timeline.steps)} steps", owner.regular, SIZE_LANE, MUTED)
    canvas.text(label_w - 5, stages + TIER / 2, "Stage", owner.regular, SIZE_LANE, MUTED, anchor="end")
    for lane, top, lane_height in zip(timeline.lanes, tops, heights, strict=True):
        canvas.rect(0, top, label_w, lane_height, fill=tint(lane.colour, 0.22), stroke=rl_colour("#d5d9e0"),
                    width=0.4)
        black = is_black(lane.colour)
        canvas.rect(1.5, top + 2, 4, lane_height - 4, fill=rl_colour("#ffffff" if black else lane.colour),
                    stroke=rl_colour("#000000") if black else darker(lane.colour, 1.5), width=0.4)
        canvas.text(9, top + lane_height / 2, lane.title, owner.bold, SIZE_LANE_TITLE)
    if key:
        from reports.map_drawing import draw_key

        page = MapPage(Period(0, 1, 0, 0), width, left, right, ppd, scale, key=items, key_top=bottom + 6)
        draw_key(owner, page, canvas)
    return drawing(canvas, min(1.0, height / total), width)


def _rows(lanes: list[MapLane], x: Callable[[float], float], most: int
          ) -> tuple[dict[str, tuple[int, int]], list[float], list[float]]:
    """Each step's (lane, row) with at most ``most`` rows a lane, and each lane's top and height."""
    rows: dict[str, tuple[int, int]] = {}
    tops: list[float] = []
    heights: list[float] = []
    y = HEADER_H
    for number, lane in enumerate(lanes):
        extents = []
        for s in lane.steps:
            x0 = x(s.d0) - (POINT_W / 2 if s.point else 0)
            extents.append((x0, max(x(s.d1), x0 + (POINT_W if s.point else 1.0)) + 1))
        assigned, count = assign_rows(extents, most)
        for s, row in zip(lane.steps, assigned, strict=True):
            rows[s.step.id] = (number, row)
        height = max(SIZE_LANE_TITLE + 8, count * ROW + 4) + BADGE
        tops.append(y)
        heights.append(height)
        y += height
    return rows, tops, heights
