"""The pathway map for print: vector drawings (reportlab.graphics) in the app's visual language.

The same map as the app's Pathway map tab (ui/pathway_map.py), drawn for paper: one lane per
sector with its organisations, regulators and payment model in a label block on the left; the
stages as light bands behind the steps and as a labelled row under the time axis; steps as spans
(start to end) or point marks in the sector's Okabe-Ito colour, the delayed part of an admission
hatched; handoffs as arrows whose pattern and weight say how the information went across; a
severity mark (triangle, diamond, circle) on each step with findings, with their number; and a
key. Colours, patterns and the order of lanes come from :mod:`planner.map_style`, shared with
the app.

What paper needs that a screen does not: every step carries its number (the same number as in
the timeline table and the findings), lanes get as many rows as the labels need to be read in
full, and a long pathway is cut into windows of time, each drawn on its own page at a scale
where its steps can be read (:meth:`PathwayMap.windows`), with an overview of the whole pathway
(:meth:`PathwayMap.overview`) that shows where each window lies.
"""

from __future__ import annotations

import colorsys
import math
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from planner.map_style import (
    ARROW_LOOKS,
    HATCH_COLOUR,
    MARKER_OUTLINE,
    OTHER_STAGE_COLOUR,
    SECTOR_ORDER,
    STAGE_COLOURS,
    UNKNOWN_COLOUR,
    handoff_style,
    sector_colour,
)
from planner.model import Case, Moment, Organisation, Step, moment_key
from planner.reference import label
from planner.rules.catalogue import severity_label, severity_order, severity_style
from planner.rules.context import CaseContext
from reports.pdfkit import elide, fonts, severity_geometry

if TYPE_CHECKING:
    from reportlab.graphics.shapes import Drawing, Group
    from reportlab.platypus import Flowable

# Geometry in points.
LABEL_W = 168.0
LEFT_GAP = 8.0
RIGHT_PAD = 4.0
MARK_H = 7.0
POINT_W = 4.5
BADGE = 6.5
LABEL_LINE = 8.5
ROW_GAP = 3.0
ROW_H = LABEL_LINE + 1 + MARK_H + ROW_GAP
LANE_PAD = 3.0
MAX_ROWS = 7
#: Widest a label may make its row's room before the row is shared (longer labels are elided).
LABEL_ROOM = 150.0
TIER = 9.0
HEADER_H = 3 * TIER + 4
KEY_ROW = 11.0

SIZE_LABEL = 6.2
SIZE_NUMBER = 5.6
SIZE_COUNT = 5.6
SIZE_LANE_TITLE = 7.4
SIZE_LANE = 5.8
SIZE_AXIS = 6.0
SIZE_KEY = 6.2

#: A pathway of up to this many steps is drawn on one page; longer ones are cut into windows.
ONE_PAGE_STEPS = 60
#: Steps in each window of a long pathway.
WINDOW_STEPS = 40

TEXT = "#1f2933"
MUTED = "#5f6368"
CHROME = "#fbfbfc"
CHROME_LINE = "#c9ced6"
GRID = "#dfe3e8"


@dataclass(frozen=True)
class Window:
    """A stretch of time drawn on one page: days ``d0`` to ``d1`` after the first step's midnight."""

    d0: float
    d1: float
    first: int  # the first and last step numbers starting inside it
    last: int


@dataclass
class _Info:
    step: Step
    number: int
    d0: float
    d1: float
    point: bool
    lane: int = 0
    severities: list[str] = field(default_factory=list)


@dataclass
class _Lane:
    key: str
    sector: str | None
    title: str
    lines: list[str]
    colour: str
    infos: list[_Info] = field(default_factory=list)


@dataclass(frozen=True)
class _Band:
    stage: str
    title: str
    d0: float
    d1: float


# -- colours ------------------------------------------------------------------------------------
def _rgb(code: str) -> tuple[float, float, float]:
    code = code.lstrip("#")
    return int(code[0:2], 16) / 255, int(code[2:4], 16) / 255, int(code[4:6], 16) / 255


def _is_black(code: str) -> bool:
    r, g, b = _rgb(code)
    return (max(r, g, b) + min(r, g, b)) / 2 < 40 / 255


@cache
def _tint(code: str, amount: float) -> Any:
    """``code`` mixed into white: 0 is white, 1 the colour itself (black tints to grey)."""
    from reportlab.lib.colors import Color

    if _is_black(code):
        code = "#808080"
    r, g, b = _rgb(code)
    return Color(1 - (1 - r) * amount, 1 - (1 - g) * amount, 1 - (1 - b) * amount)


@cache
def _darker(code: str, factor: float = 1.7) -> Any:
    """As Qt's ``darker(170)``: the colour's value divided by ``factor``."""
    from reportlab.lib.colors import Color

    h, s, v = colorsys.rgb_to_hsv(*_rgb(code))
    return Color(*colorsys.hsv_to_rgb(h, s, v / factor))


def _stage_colour(stage: str) -> Any:
    return _colour(STAGE_COLOURS.get(stage, OTHER_STAGE_COLOUR))


@cache
def _colour(code: str, alpha: float = 1.0) -> Any:
    from reportlab.lib.colors import Color

    return Color(*_rgb(code), alpha=alpha)


# -- the map ------------------------------------------------------------------------------------------
class PathwayMap:
    """A case laid out for print. ``marks`` gives each step's findings by severity (active
    findings only), ``case_level`` the number of findings on the case as a whole, ``numbers`` each
    step's number, and ``relative`` whether the time axis counts days from the first step (for
    anonymised documents) instead of showing the calendar."""

    def __init__(self, case: Case, marks: dict[str, list[str]], case_level: int, numbers: dict[str, int],
                 relative: bool) -> None:
        self.case = case
        self.context = CaseContext(case)
        self.case_level = case_level
        self.relative = relative
        face = fonts()
        self.regular, self.bold = face.regular, face.bold
        self._widths: dict[tuple[str, str, float], float] = {}
        steps = self.context.steps
        first = min((s.start_date for s in steps), default=date.today())
        self.origin = first
        self._origin_dt = datetime(first.year, first.month, first.day)
        order = severity_order()
        self.infos: list[_Info] = []
        end_day = 1.0
        for index, step in enumerate(steps):
            d0 = self.day_of(step.start)
            if step.end is not None:
                d1, point = max(d0, self.day_of(step.end)), False
            else:
                if not isinstance(step.start, datetime):
                    d0 += 0.5
                d1, point = d0, True
            info = _Info(step, numbers.get(step.id, index + 1), d0, d1, point)
            info.severities = sorted(marks.get(step.id, []), key=order.__getitem__)
            self.infos.append(info)
            end_day = max(end_day, d1, d0 + 0.5)
        self.end_day = float(math.ceil(end_day + 0.5))
        self._by_id = {info.step.id: info for info in self.infos}
        self._starts = [info.d0 for info in self.infos]
        self.lanes = self._lanes()
        self.bands = self._bands()

    # -- structure ----------------------------------------------------------------------------
    def day_of(self, moment: Moment) -> float:
        return (moment_key(moment) - self._origin_dt).total_seconds() / 86400.0

    def width(self, text: str, font: str, size: float) -> float:
        key = (text, font, size)
        found = self._widths.get(key)
        if found is None:
            from reportlab.pdfbase.pdfmetrics import stringWidth

            found = self._widths[key] = float(stringWidth(text, font, size))
        return found

    def _lanes(self) -> list[_Lane]:
        ctx = self.context
        rank = {sector: i for i, sector in enumerate(SECTOR_ORDER)}
        members: dict[str, list[_Info]] = {}
        for info in self.infos:
            org = ctx.orgs.get(info.step.organisation)
            key = org.sector if org else f"?{info.step.organisation}"
            members.setdefault(key, []).append(info)

        def order(key: str) -> tuple[int, str, int]:
            if key.startswith("?"):
                return (len(SECTOR_ORDER) + 1, key, members[key][0].number)
            return (rank.get(key, len(SECTOR_ORDER)), key, members[key][0].number)

        lanes = []
        for number, key in enumerate(sorted(members, key=order)):
            infos = members[key]
            for info in infos:
                info.lane = number
            orgs = ctx.orgs_of(*(i.step for i in infos))
            lanes.append(self._lane(key, orgs, infos))
        return lanes

    def _lane(self, key: str, orgs: list[Organisation], infos: list[_Info]) -> _Lane:
        ctx = self.context
        if not orgs:
            title = f"Unknown organisation “{key[1:]}”"
            lines = [title, "Not in the organisations list", ""]
            return _Lane(key, None, title, lines, UNKNOWN_COLOUR, infos)
        regulators = list(dict.fromkeys(code for org in orgs for code in ctx.regulators.get(org.id, [])))
        payments = list(dict.fromkeys(p for org in orgs if (p := ctx.payment.get(org.id))))
        regs = ", ".join(label("regulator_short", code) for code in regulators) or "No regulator"
        pay = " / ".join(label("payment_model", p) for p in payments) or "Payment not recorded"
        sector = orgs[0].sector
        title = label("sector", sector)
        names = ", ".join(org.name for org in orgs)
        return _Lane(key, sector, title, [title, names, f"{regs} · {pay}"], sector_colour(sector), infos)

    def _bands(self) -> list[_Band]:
        periods: list[tuple[str, float]] = []
        for info in self.infos:
            stage = info.step.stage
            if stage is None or (periods and periods[-1][0] == stage):
                continue
            periods.append((stage, info.d0 - 0.5 if info.point else info.d0))
        bands = []
        for index, (stage, d0) in enumerate(periods):
            d1 = periods[index + 1][1] if index + 1 < len(periods) else self.end_day
            bands.append(_Band(stage, label("stage", stage), d0, d1))
        return bands

    def windows(self, per_page: int = WINDOW_STEPS, one_page: int = ONE_PAGE_STEPS) -> list[Window]:
        """The stretches of time drawn one to a page: the whole pathway when it has up to
        ``one_page`` steps, else windows of ``per_page`` steps each (by start)."""
        infos = self.infos
        if len(infos) <= one_page:
            return [Window(0.0, self.end_day, 1, len(infos))]
        result = []
        for start in range(0, len(infos), per_page):
            chunk = infos[start:start + per_page]
            d0 = math.floor(chunk[0].d0 - (0.5 if chunk[0].point else 0.0))
            if start + per_page < len(infos):
                following = infos[start + per_page]
                d1 = following.d0 - (0.5 if following.point else 0.0)
            else:
                d1 = self.end_day
            d1 = max(d1, d0 + 1.0)
            result.append(Window(float(d0), float(d1), chunk[0].number, chunk[-1].number))
        return result

    def window_text(self, window: Window) -> str:
        """"day 12 to day 80" or "3 Feb 2024 to 12 Apr 2024"."""
        return f"{self._day_text(window.d0)} to {self._day_text(max(window.d0, window.d1 - 0.001))}"

    def _day_text(self, day: float) -> str:
        on = self.origin + timedelta(days=math.floor(day))
        if self.relative:
            return f"day {(on - self.origin).days}"
        from planner.dates import format_day

        return format_day(on)

    # -- one page ------------------------------------------------------------------------------
    def page(self, window: Window, width: float, height: float) -> Drawing:
        """The map of one window as a reportlab.graphics Drawing, ``width`` wide and at most
        ``height`` tall (shrunk to fit when the lanes need more)."""
        return _drawing(*self._page(window, width, height), width)

    def page_flowable(self, window: Window, width: float, height: float) -> Flowable:
        """:meth:`page` drawn straight onto the PDF canvas: the same picture, built many times faster
        (for the pages of a long pathway)."""
        canvas, scale = self._page(window, width, height)
        return _flowable_class()(canvas, width, scale)

    def _page(self, window: Window, width: float, height: float) -> tuple[_Canvas, float]:
        key_height = self._key_height(width)
        rows = MAX_ROWS
        while True:
            layout = _PageLayout(self, window, width, rows)
            total = HEADER_H + layout.lanes_height + 6 + key_height
            if total <= height or rows == 1:
                break
            rows -= 1
        scale = min(1.0, height / total)
        if scale < 1.0:  # laid out in a box as much wider, then shrunk to the page
            layout = _PageLayout(self, window, width / scale, rows)
            total = HEADER_H + layout.lanes_height + 6 + self._key_height(width / scale)
        canvas = _Canvas(total)
        layout.draw(canvas)
        self._draw_key(canvas, 0.0, HEADER_H + layout.lanes_height + 6, layout.width, full=True)
        return canvas, scale

    # -- the overview ----------------------------------------------------------------------------
    def overview(self, width: float, height: float, windows: list[Window] | None = None,
                 key: bool = True) -> Drawing:
        """The whole pathway at a glance, as a Drawing: marks without labels or arrows, severity
        marks where they do not overlap, and where each window of the detailed pages lies."""
        layout = _OverviewLayout(self, width, windows or [])
        total = HEADER_H + layout.lanes_height + (6 + self._key_height(width, full=False) if key else 2)
        scale = min(1.0, height / total)
        if scale < 1.0:
            layout = _OverviewLayout(self, width / scale, windows or [])
            total = HEADER_H + layout.lanes_height + (6 + self._key_height(width / scale, full=False)
                                                      if key else 2)
        canvas = _Canvas(total)
        layout.draw(canvas)
        if key:
            self._draw_key(canvas, 0.0, HEADER_H + layout.lanes_height + 6, layout.width, full=False)
        return _drawing(canvas, scale, width)

    # -- the key ------------------------------------------------------------------------------------
    def _key_entries(self, full: bool) -> list[tuple[str, str, str]]:
        """(group, kind of sample, words) for the key."""
        entries: list[tuple[str, str, str]] = []
        for lane in self.lanes:
            if lane.sector is not None:
                entries.append(("Lanes", f"lane:{lane.colour}", lane.title))
        entries.append(("Steps", "span", "Stay or service"))
        entries.append(("Steps", "point", "One moment"))
        entries.append(("Steps", "hatch", "Delayed discharge"))
        entries.append(("Steps", "number", "Step number, as in the timeline"))
        if full:
            for name, look in ARROW_LOOKS.items():
                entries.append(("Handoffs", f"arrow:{name}", look.legend))
        for severity in severity_order():
            entries.append(("Findings", f"severity:{severity}", severity_label(severity)))
        entries.append(("Findings", "", "(×2: two findings on the step)"))
        if self.case_level:
            noun = "finding" if self.case_level == 1 else "findings"
            entries.append(("Findings", "", f"+ {self.case_level} {noun} on the whole case"))
        return entries

    def _key_layout(self, width: float, full: bool) -> list[tuple[float, float, str, str, str]]:
        """(x, y, kind, sample, words): "title", "heading" or "entry", flowing in rows."""
        placed: list[tuple[float, float, str, str, str]] = [(0.0, 0.0, "title", "", "Key")]
        indent = self.width("Key", self.bold, SIZE_KEY + 0.6) + 10
        x, y = indent, 0.0
        group = ""
        entries = self._key_entries(full)
        for index, (name, sample, words) in enumerate(entries):
            if name != group:
                group = name
                heading = f"{name}:"
                needed = self.width(heading, self.bold, SIZE_KEY) + 6 + self._entry_width(*entries[index][1:])
                if x + needed > width and x > indent:
                    x, y = indent, y + KEY_ROW
                placed.append((x, y, "heading", "", heading))
                x += self.width(heading, self.bold, SIZE_KEY) + 5
            needed = self._entry_width(sample, words)
            if x + needed > width and x > indent:
                x, y = indent, y + KEY_ROW
            placed.append((x, y, "entry", sample, words))
            x += needed + 10
        return placed

    def _entry_width(self, sample: str, words: str) -> float:
        return self._sample_width(sample) + self.width(words, self.regular, SIZE_KEY)

    @staticmethod
    def _sample_width(sample: str) -> float:
        if not sample:
            return 0.0
        if sample.startswith("arrow:"):
            return 24.0
        if sample.startswith("severity:"):
            return BADGE + 3
        if sample == "point":
            return POINT_W + 4
        if sample == "number":
            return 12.0
        return 19.0

    def _key_height(self, width: float, full: bool = True) -> float:
        rows = max(y for _x, y, *_rest in self._key_layout(width, full)) / KEY_ROW + 1
        return rows * KEY_ROW + 2

    def _draw_key(self, canvas: _Canvas, x0: float, y0: float, width: float, full: bool) -> None:
        grey = "#bfc5cc"
        for x, y, kind, sample, words in self._key_layout(width, full):
            x += x0
            middle = y0 + y + KEY_ROW / 2
            if kind == "title":
                canvas.text(x, middle, words, self.bold, SIZE_KEY + 0.6)
                continue
            if kind == "heading":
                canvas.text(x, middle, words, self.bold, SIZE_KEY)
                continue
            if sample.startswith("lane:"):
                colour = sample[5:]
                _mark(canvas, x, middle - 3.5, 15, 7, colour)
            elif sample == "span":
                canvas.rect(x, middle - 3.5, 15, 7, fill=_colour(grey), stroke=_colour("#5f6368"), width=0.5)
            elif sample == "point":
                canvas.rect(x + 1, middle - 4, POINT_W, 8, fill=_colour(grey), stroke=_colour("#5f6368"),
                            width=0.5)
            elif sample == "hatch":
                canvas.rect(x, middle - 3.5, 15, 7, fill=_colour(grey), stroke=_colour("#5f6368"), width=0.5)
                _hatch(canvas, x, middle - 3.5, x + 15, middle + 3.5)
            elif sample == "number":
                canvas.rect(x, middle - 3.6, 9, 7.2, fill=_colour("#ffffff"), stroke=_colour("#8a9099"),
                            width=0.4)
                canvas.text(x + 4.5, middle, "8", self.bold, SIZE_NUMBER, anchor="middle")
            elif sample.startswith("arrow:"):
                look = ARROW_LOOKS[sample[6:]]
                _arrow_line(canvas, [(x, middle), (x + 15, middle)], look.name)
                _head(canvas, look.name, x + 21, middle, 1.0, 0.0)
            elif sample.startswith("severity:"):
                colour, shape = severity_style(sample[9:])
                canvas.shape(shape, x, middle - BADGE / 2, BADGE, colour)
            canvas.text(x + self._sample_width(sample), middle, words, self.regular, SIZE_KEY)


# -- drawing in top-down coordinates -------------------------------------------------------------------
class _Canvas:
    """Drawing operations placed with y measured down from the top of a box ``height`` tall,
    recorded once and then played either into a reportlab.graphics group (:meth:`group`, for a
    :class:`Drawing`) or straight onto a PDF canvas (:meth:`play`, for long maps: thousands of
    graphics shapes cost seconds to check and render, the same operations on the canvas a
    fraction of that). Either way the page shows the same thing."""

    def __init__(self, height: float) -> None:
        self.height = height
        self.ops: list[tuple[Any, ...]] = []

    def rect(self, x: float, top: float, w: float, h: float, fill: Any = None, stroke: Any = None,
             width: float = 0.5, opacity: float | None = None) -> None:
        self.ops.append(("rect", x, self.height - top - h, max(w, 0.0), h, fill, stroke, width, opacity))

    def line(self, x0: float, y0: float, x1: float, y1: float, colour: Any, width: float = 0.5,
             dash: list[float] | None = None, cap: int = 0) -> None:
        height = self.height
        self.ops.append(("line", x0, height - y0, x1, height - y1, colour, width, dash, cap))

    def curve(self, points: list[tuple[float, float]], colour: Any, width: float, dash: list[float] | None,
              cap: int) -> None:
        """A cubic Bézier curve through four points (start, two controls, end)."""
        flat = [v for x, y in points for v in (x, self.height - y)]
        self.ops.append(("curve", flat, colour, width, dash, cap))

    def polygon(self, points: list[tuple[float, float]], fill: Any, stroke: Any = None, width: float = 0.0
                ) -> None:
        flat = [v for x, y in points for v in (x, self.height - y)]
        self.ops.append(("polygon", flat, fill, stroke, width))

    def text(self, x: float, middle: float, text: str, font: str, size: float, colour: str = TEXT,
             anchor: str = "start") -> None:
        """Text whose line is vertically centred on ``middle``."""
        baseline = self.height - middle - size * 0.35
        self.ops.append(("text", x, baseline, text, font, size, _colour(colour), anchor))

    def shape(self, shape: str, x: float, top: float, size: float, colour: str) -> None:
        """A severity mark in a ``size`` square whose top left corner is at (x, top)."""
        kind, geometry = severity_geometry(shape, x, self.height - top - size, size)
        outline = _colour(MARKER_OUTLINE)
        if kind == "circle":
            self.ops.append(("circle", *geometry, _colour(colour), outline, 0.5))
        else:
            self.ops.append(("polygon", geometry, _colour(colour), outline, 0.5))

    # -- playing ------------------------------------------------------------------------------------
    def group(self) -> Group:
        """The operations as reportlab.graphics shapes."""
        from reportlab import rl_config
        from reportlab.graphics import shapes

        checking = rl_config.shapeChecking
        rl_config.shapeChecking = 0  # the values are ours and right; checking each costs time
        try:
            group = shapes.Group()
            add = group.add
            for op in self.ops:
                kind = op[0]
                if kind == "rect":
                    _, x, y, w, h, fill, stroke, width, opacity = op
                    rect = shapes.Rect(x, y, w, h, fillColor=fill, strokeColor=stroke,
                                       strokeWidth=width if stroke is not None else 0)
                    if opacity is not None:
                        rect.fillOpacity = opacity
                    add(rect)
                elif kind == "line":
                    _, x0, y0, x1, y1, colour, width, dash, cap = op
                    add(shapes.Line(x0, y0, x1, y1, strokeColor=colour, strokeWidth=width,
                                    strokeDashArray=dash, strokeLineCap=cap))
                elif kind == "curve":
                    _, flat, colour, width, dash, cap = op
                    path = shapes.Path(strokeColor=colour, strokeWidth=width, fillColor=None,
                                       strokeDashArray=dash, strokeLineCap=cap)
                    path.moveTo(flat[0], flat[1])
                    path.curveTo(*flat[2:])
                    add(path)
                elif kind == "polygon":
                    _, flat, fill, stroke, width = op
                    add(shapes.Polygon(flat, fillColor=fill, strokeColor=stroke, strokeWidth=width,
                                       strokeLineJoin=1))
                elif kind == "circle":
                    _, cx, cy, r, fill, stroke, width = op
                    add(shapes.Circle(cx, cy, r, fillColor=fill, strokeColor=stroke, strokeWidth=width))
                else:
                    _, x, y, text, font, size, colour, anchor = op
                    add(shapes.String(x, y, text, fontName=font, fontSize=size, fillColor=colour,
                                      textAnchor=anchor))
            return group
        finally:
            rl_config.shapeChecking = checking

    def play(self, canvas: Any) -> None:
        """Draw the operations on a pdfgen canvas, setting colours and pens only when they change."""
        state: dict[str, Any] = {}

        def set_(key: str, value: Any, setter: Callable[[Any], Any]) -> None:
            if state.get(key, _UNSET) != value:
                state[key] = value
                setter(value)

        def fill(colour: Any, opacity: float | None = None) -> None:
            set_("fill", colour, canvas.setFillColor)
            set_("fill_alpha", opacity if opacity is not None else colour.alpha, canvas.setFillAlpha)

        def stroke(colour: Any, width: float, dash: list[float] | None = None, cap: int = 0) -> None:
            set_("stroke", colour, canvas.setStrokeColor)
            set_("stroke_alpha", colour.alpha, canvas.setStrokeAlpha)
            set_("width", width, canvas.setLineWidth)
            set_("dash", tuple(dash) if dash else (),
                 lambda d: canvas.setDash(list(d)) if d else canvas.setDash())
            set_("cap", cap, canvas.setLineCap)

        set_("join", 1, canvas.setLineJoin)
        for op in self.ops:
            kind = op[0]
            if kind == "rect":
                _, x, y, w, h, fill_colour, stroke_colour, width, opacity = op
                if fill_colour is not None:
                    fill(fill_colour, opacity)
                if stroke_colour is not None:
                    stroke(stroke_colour, width)
                canvas.rect(x, y, w, h, stroke=int(stroke_colour is not None),
                            fill=int(fill_colour is not None))
            elif kind == "line":
                _, x0, y0, x1, y1, colour, width, dash, cap = op
                stroke(colour, width, dash, cap)
                canvas.line(x0, y0, x1, y1)
            elif kind == "curve":
                _, flat, colour, width, dash, cap = op
                stroke(colour, width, dash, cap)
                canvas.bezier(*flat)
            elif kind == "polygon":
                _, flat, fill_colour, stroke_colour, width = op
                fill(fill_colour)
                if stroke_colour is not None:
                    stroke(stroke_colour, width)
                path = canvas.beginPath()
                path.moveTo(flat[0], flat[1])
                for index in range(2, len(flat), 2):
                    path.lineTo(flat[index], flat[index + 1])
                path.close()
                canvas.drawPath(path, stroke=int(stroke_colour is not None), fill=1)
            elif kind == "circle":
                _, cx, cy, r, fill_colour, stroke_colour, width = op
                fill(fill_colour)
                stroke(stroke_colour, width)
                canvas.circle(cx, cy, r, stroke=1, fill=1)
            else:
                _, x, y, text, font, size, colour, anchor = op
                fill(colour)
                set_("font", (font, size), lambda f: canvas.setFont(*f))
                if anchor == "middle":
                    canvas.drawCentredString(x, y, text)
                elif anchor == "end":
                    canvas.drawRightString(x, y, text)
                else:
                    canvas.drawString(x, y, text)


_UNSET = object()


@cache
def _flowable_class() -> type:
    from reportlab.platypus import Flowable

    class MapFlowable(Flowable):  # type: ignore[misc]
        """A map page played straight onto the PDF canvas (see :class:`_Canvas`)."""

        def __init__(self, canvas: _Canvas, width: float, scale: float) -> None:
            super().__init__()
            self.map_canvas = canvas
            self.width = width
            self.height = canvas.height * scale
            self.scale = scale

        def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
            return self.width, self.height

        def draw(self) -> None:
            canvas = self.canv
            canvas.saveState()
            if self.scale != 1.0:
                canvas.scale(self.scale, self.scale)
            self.map_canvas.play(canvas)
            canvas.restoreState()

    return MapFlowable


def _drawing(canvas: _Canvas, scale: float, width: float) -> Drawing:
    from reportlab.graphics.shapes import Drawing

    drawing = Drawing(width, canvas.height * scale)
    group = canvas.group()
    if scale != 1.0:
        group.transform = (scale, 0, 0, scale, 0, 0)
    drawing.add(group)
    return drawing


def _mark(canvas: _Canvas, x: float, top: float, w: float, h: float, colour: str) -> None:
    """A step's mark in its sector's colour; mental health (black) is white with a thick outline."""
    if _is_black(colour):
        canvas.rect(x, top, w, h, fill=_colour("#ffffff"), stroke=_colour("#000000"), width=1.1)
    else:
        canvas.rect(x, top, w, h, fill=_colour(colour), stroke=_darker(colour), width=0.5)


def _hatch(canvas: _Canvas, x0: float, top: float, x1: float, bottom: float, spacing: float = 2.2) -> None:
    """Diagonal hatching ("/") clipped to a box: the delayed part of an admission."""
    if x1 - x0 <= 0.2:
        return
    colour = _colour(HATCH_COLOUR)
    # lines x - (bottom - y) = c, i.e. rising to the right; c runs over the box's span
    c = x0 - (bottom - top)
    while c < x1:
        # the line through (c, bottom) rising at 45 degrees: x = c + (bottom - y)
        lo_x, hi_x = max(x0, c), min(x1, c + (bottom - top))
        if hi_x > lo_x:
            canvas.line(lo_x, bottom - (lo_x - c), hi_x, bottom - (hi_x - c), colour, 0.45)
        c += spacing


def _dash(pattern: str) -> tuple[list[float] | None, int]:
    if pattern == "dash":
        return [3.0, 2.0], 0
    if pattern == "dot":
        return [0.01, 2.2], 1
    return None, 0


def _arrow_line(canvas: _Canvas, points: list[tuple[float, float]], style: str, curve: bool = False,
                alpha: float = 1.0) -> None:
    """A handoff's line: straight through ``points``, or a cubic curve through four points."""
    look = ARROW_LOOKS[style]
    dash, cap = _dash(look.pattern)
    colour = _colour(look.colour, alpha)
    width = look.width * 0.62
    if curve:
        canvas.curve(points, colour, width, dash, cap)
    else:
        (x0, y0), (x1, y1) = points
        canvas.line(x0, y0, x1, y1, colour, width, dash, cap)


def _head(canvas: _Canvas, style: str, x: float, y: float, dx: float, dy: float, alpha: float = 1.0) -> None:
    """An arrowhead whose tip is at (x, y), pointing along (dx, dy)."""
    length = math.hypot(dx, dy) or 1.0
    ux, uy = dx / length, dy / length
    size, half = 4.2, 2.0
    bx, by = x - ux * size, y - uy * size
    points = [(x, y), (bx - uy * half, by + ux * half), (bx + uy * half, by - ux * half)]
    canvas.polygon(points, _colour(ARROW_LOOKS[style].colour, alpha))


# -- laying out one window -------------------------------------------------------------------------------
@dataclass
class _Placed:
    info: _Info
    row: int = 0
    left: float = 0.0
    right: float = 0.0
    top: float = 0.0
    cx: float = 0.0
    cy: float = 0.0
    clipped_left: bool = False
    clipped_right: bool = False
    room: float = 0.0


class _TimeAxis:
    """Ticks for the time axis: calendar units, or days counted from the first step."""

    def __init__(self, owner: PathwayMap, ppd: float) -> None:
        self.owner = owner
        self.ppd = ppd
        width = owner.width
        face = owner.regular
        pad = 8.0
        if owner.relative:
            needed = width("day 8888", face, SIZE_AXIS) + pad
            self.unit = "days"
            self.step = next((n for n in (1, 2, 7, 14, 28, 56, 91, 182, 364, 728, 1820, 3640)
                              if n * ppd >= needed), 7280)
            self.context_unit = ""
        else:
            candidates = [("day", 1, width("28", face, SIZE_AXIS) + pad), ("week", 1, width("28 Sep", face,
                          SIZE_AXIS) + pad), ("month", 1, width("Sep", face, SIZE_AXIS) + pad),
                          ("month", 3, width("Sep", face, SIZE_AXIS) + pad)]
            candidates += [("year", n, width("2024", face, SIZE_AXIS) + pad) for n in (1, 2, 5, 10, 25)]
            lengths = {"day": 1.0, "week": 7.0, "month": 30.4, "year": 365.25}
            fitting = ((u, s) for u, s, needed in candidates if lengths[u] * s * ppd >= needed)
            self.unit, self.step = next(fitting, ("year", 50))
            self.context_unit = {"day": "month", "week": "month", "month": "year"}.get(self.unit, "")

    def _date(self, day: float) -> date:
        return self.owner.origin + timedelta(days=math.floor(day))

    def _day(self, value: date) -> float:
        return float((value - self.owner.origin).days)

    def ticks(self, d0: float, d1: float) -> list[tuple[float, str]]:
        if self.unit == "days":
            start = math.ceil(d0 / self.step) * self.step
            return [(float(d), f"day {d}") for d in range(start, math.floor(d1) + 1, self.step)]
        result: list[tuple[float, str]] = []
        first, last = self._date(d0), self._date(d1)
        months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
        if self.unit == "day":
            current = first
            while current <= last:
                result.append((self._day(current), str(current.day)))
                current += timedelta(days=1)
        elif self.unit == "week":
            current = first - timedelta(days=first.weekday())
            while current <= last:
                result.append((self._day(current), f"{current.day} {months[current.month - 1]}"))
                current += timedelta(days=7)
        elif self.unit == "month":
            current = date(first.year, first.month, 1)
            while (current.month - 1) % self.step:
                current = _add_months(current, -1)
            while current <= last:
                result.append((self._day(current), months[current.month - 1]))
                current = _add_months(current, self.step)
        else:
            year = first.year - first.year % self.step
            while date(year, 1, 1) <= last:
                result.append((self._day(date(year, 1, 1)), str(year)))
                year += self.step
        return [(d, text) for d, text in result if d0 - 0.001 <= d <= d1]

    def context(self, d0: float, d1: float) -> list[tuple[float, float, str, str]]:
        """(start, end, long label, short label) of the months or years above the ticks."""
        names = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                 "October", "November", "December")
        spans = []
        first, last = self._date(d0), self._date(d1)
        if self.context_unit == "month":
            current = date(first.year, first.month, 1)
            while current <= last:
                following = _add_months(current, 1)
                name = names[current.month - 1]
                spans.append((self._day(current), self._day(following), f"{name} {current.year}",
                              f"{name[:3]} {current.year}"))
                current = following
        elif self.context_unit == "year":
            for year in range(first.year, last.year + 1):
                start, end = self._day(date(year, 1, 1)), self._day(date(year + 1, 1, 1))
                spans.append((start, end, str(year), str(year)))
        return spans


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


class _PageLayout:
    """One window laid out: lanes, rows, marks, labels, arrows."""

    def __init__(self, owner: PathwayMap, window: Window, width: float, max_rows: int) -> None:
        self.owner = owner
        self.window = window
        self.width = width
        self.left = LABEL_W + LEFT_GAP
        self.right = width - RIGHT_PAD
        span = max(window.d1 - window.d0, 0.5)
        self.ppd = (self.right - self.left) / span
        self.axis = _TimeAxis(owner, self.ppd)
        self.placed: dict[str, _Placed] = {}
        self.rows: list[int] = []
        self.lane_top: list[float] = []
        self.lane_height: list[float] = []
        self._place(max_rows)

    def x(self, day: float) -> float:
        return self.left + (day - self.window.d0) * self.ppd

    def _visible(self, info: _Info) -> bool:
        d0, d1 = self.window.d0, self.window.d1
        if info.point:
            return d0 <= info.d0 < d1 or (info.d0 == d1 == self.owner.end_day)
        return info.d0 < d1 and info.d1 >= d0

    def _label_width(self, info: _Info) -> float:
        owner = self.owner
        text = info.step.label or label("kind", info.step.kind)
        width = owner.width(str(info.number), owner.bold, SIZE_NUMBER) + 5 + owner.width(text, owner.regular,
                                                                                          SIZE_LABEL)
        if info.severities:
            width += BADGE + 1 + (owner.width(f"×{len(info.severities)}", owner.regular, SIZE_COUNT) + 2
                                  if len(info.severities) > 1 else 0)
        return min(width, LABEL_ROOM)

    def _place(self, max_rows: int) -> None:
        y = HEADER_H
        for lane in self.owner.lanes:
            ends: list[float] = []
            for info in lane.infos:
                if not self._visible(info):
                    continue
                p = _Placed(info)
                x0 = self.x(info.d0)
                if info.point:
                    p.left, p.right, p.cx = x0 - POINT_W / 2, x0 + POINT_W / 2, x0
                else:
                    x1 = max(self.x(info.d1), x0 + 1.5)
                    p.clipped_left, p.clipped_right = x0 < self.left, x1 > self.right
                    p.left, p.right = max(x0, self.left), min(x1, self.right)
                    p.cx = p.left + min(3.0, (p.right - p.left) / 2)
                reach = max(p.right, p.left + self._label_width(info)) + 3
                row = next((r for r, end in enumerate(ends) if end <= p.left), None)
                if row is None:
                    if len(ends) < max_rows:
                        row = len(ends)
                        ends.append(reach)
                    else:
                        row = min(range(len(ends)), key=ends.__getitem__)
                ends[row] = max(ends[row], reach)
                p.row = row
                self.placed[info.step.id] = p
            rows = max(1, len(ends))
            self.rows.append(rows)
            block = SIZE_LANE_TITLE + 2 * SIZE_LANE + 8 + 2 * LANE_PAD
            height = max(block, rows * ROW_H - ROW_GAP + 2 * LANE_PAD)
            self.lane_top.append(y)
            self.lane_height.append(height)
            for p in self.placed.values():
                if p.info.lane == len(self.lane_top) - 1:
                    offset = (height - (rows * ROW_H - ROW_GAP)) / 2
                    p.top = y + offset + p.row * ROW_H
                    p.cy = p.top + LABEL_LINE + 1 + MARK_H / 2
            y += height
        self.lanes_height = y - HEADER_H
        # room for each label: up to the next step in the same row, or the right edge
        last: dict[tuple[int, int], _Placed] = {}
        for p in sorted(self.placed.values(), key=lambda p: p.left):
            previous = last.get((p.info.lane, p.row))
            if previous is not None:
                previous.room = p.left - previous.left - 4
            p.room = self.width - p.left
            last[(p.info.lane, p.row)] = p

    # -- drawing ------------------------------------------------------------------------------------
    def draw(self, canvas: _Canvas) -> None:
        self._draw_lanes(canvas)
        self._draw_grid(canvas)
        self._draw_arrows(canvas)
        self._draw_steps(canvas)
        self._draw_header(canvas)
        self._draw_lane_labels(canvas)

    def _draw_lanes(self, canvas: _Canvas) -> None:
        for lane, top, height in zip(self.owner.lanes, self.lane_top, self.lane_height, strict=True):
            canvas.rect(LABEL_W, top, self.width - LABEL_W, height, fill=_tint(lane.colour, 0.10),
                        stroke=_colour("#d5d9e0"), width=0.4)

    def _draw_grid(self, canvas: _Canvas) -> None:
        top, bottom = HEADER_H, HEADER_H + self.lanes_height
        d0, d1 = self.window.d0, self.window.d1
        for band in self.owner.bands:
            if band.d1 <= d0 or band.d0 >= d1:
                continue
            x0, x1 = self.x(max(band.d0, d0)), self.x(min(band.d1, d1))
            canvas.rect(x0, top, x1 - x0, bottom - top,
                        fill=_stage_colour(band.stage), opacity=0.45)
        if self.axis.unit == "day":
            whole = math.floor(d0)
            while whole < d1:
                if (self.owner.origin + timedelta(days=whole)).weekday() >= 5:
                    x0 = self.x(max(whole, d0))
                    canvas.rect(x0, top, self.x(min(whole + 1, d1)) - x0, bottom - top,
                                fill=_colour("#000000"), opacity=0.05)
                whole += 1
        grid = _colour(GRID)
        for day, _text in self.axis.ticks(d0, d1):
            x = self.x(day)
            canvas.line(x, top, x, bottom, grid, 0.4)

    def _draw_header(self, canvas: _Canvas) -> None:
        owner = self.owner
        canvas.rect(0, 0, self.width, HEADER_H, fill=_colour(CHROME), stroke=_colour(CHROME_LINE), width=0.5)
        d0, d1 = self.window.d0, self.window.d1
        upper, lower, stages = 2.0 + TIER / 2, 2.0 + TIER * 1.5, 3.0 + TIER * 2
        line = _colour(CHROME_LINE)
        # stage row
        for band in owner.bands:
            if band.d1 <= d0 or band.d0 >= d1:
                continue
            x0, x1 = self.x(max(band.d0, d0)), self.x(min(band.d1, d1))
            canvas.rect(x0, stages, x1 - x0, TIER, fill=_stage_colour(band.stage))
            canvas.line(x0, stages, x0, stages + TIER, line, 0.5)
            room = x1 - x0 - 4
            text = elide(band.title, room, lambda t: owner.width(t, owner.regular, SIZE_AXIS))
            if len(text) < 4 and text != band.title:
                text = band.title[0] if owner.width(band.title[0], owner.regular, SIZE_AXIS) <= room else ""
            if text:
                canvas.text(x0 + 2, stages + TIER / 2, text, owner.regular, SIZE_AXIS)
        # upper tier: months or years, or what the days count from
        if owner.relative:
            canvas.text(self.left, upper, "Days from the first step (day 0)", owner.bold, SIZE_AXIS)
        for c0, c1, long_text, short_text in self.axis.context(d0, d1):
            x0 = self.x(max(c0, d0))
            x1 = self.x(min(c1, d1))
            if c0 >= d0:
                canvas.line(x0, 1, x0, lower + TIER / 2, line, 0.5)
            for text in (long_text, short_text):
                if x1 - x0 - 3 >= owner.width(text, owner.bold, SIZE_AXIS):
                    canvas.text(x0 + 2, upper, text, owner.bold, SIZE_AXIS)
                    break
        # lower tier: the unit's ticks
        muted = _colour(MUTED)
        for day, text in self.axis.ticks(d0, d1):
            x = self.x(day)
            canvas.line(x, lower - TIER / 2, x, lower + TIER / 2, muted, 0.4)
            if x + 2 + owner.width(text, owner.regular, SIZE_AXIS) <= self.width:
                canvas.text(x + 2, lower, text, owner.regular, SIZE_AXIS)
        # the corner above the lane labels
        canvas.rect(0, 0, LABEL_W, HEADER_H, fill=_colour(CHROME), stroke=line, width=0.5)
        canvas.text(5, upper, "Lanes by sector", owner.bold, SIZE_LANE_TITLE)
        shown = len(self.placed)
        handoffs = len(self.owner.context.handoffs)
        counts = (f"{len(owner.infos)} steps, {handoffs} handoffs" if shown == len(owner.infos)
                  else f"steps {self.window.first} to {self.window.last} of {len(owner.infos)}")
        canvas.text(5, lower, counts, owner.regular, SIZE_LANE, MUTED)
        canvas.text(LABEL_W - 5, stages + TIER / 2, "Stage", owner.regular, SIZE_LANE, MUTED, anchor="end")

    def _draw_lane_labels(self, canvas: _Canvas) -> None:
        owner = self.owner
        line = _colour("#d5d9e0")
        for lane, top, height in zip(owner.lanes, self.lane_top, self.lane_height, strict=True):
            canvas.rect(0, top, LABEL_W, height, fill=_tint(lane.colour, 0.22), stroke=line, width=0.4)
            black = _is_black(lane.colour)
            canvas.rect(1.5, top + 2, 4, height - 4, fill=_colour("#ffffff" if black else lane.colour),
                        stroke=_colour("#000000") if black else _darker(lane.colour, 1.5),
                        width=0.8 if black else 0.4)
            block = SIZE_LANE_TITLE + 2 * SIZE_LANE + 4
            y = top + (height - block) / 2
            room = LABEL_W - 14
            fonts_ = [(owner.bold, SIZE_LANE_TITLE, TEXT), (owner.regular, SIZE_LANE, "#464b50"),
                      (owner.regular, SIZE_LANE, "#464b50")]
            for (font, size, colour), text in zip(fonts_, lane.lines, strict=True):
                shown = elide(text, room, lambda t, f=font, s=size: owner.width(t, f, s))  # type: ignore[misc]
                canvas.text(9, y + size / 2 + 0.5, shown, font, size, colour)
                y += size + 2

    def _draw_steps(self, canvas: _Canvas) -> None:
        owner = self.owner
        ctx = owner.context

        def lane_colour(info: _Info) -> str:
            return owner.lanes[info.lane].colour

        for p in self.placed.values():
            info = p.info
            step = info.step
            org = ctx.orgs.get(step.organisation)
            colour = sector_colour(org.sector) if org else UNKNOWN_COLOUR
            mark_top = p.top + LABEL_LINE + 1
            _mark(canvas, p.left, mark_top, p.right - p.left, MARK_H, colour)
            if step.delayed_days and step.ready_for_discharge is not None and not info.point:
                ready = min(max(owner.day_of(step.ready_for_discharge), info.d0), info.d1)
                hx0 = max(self.x(ready), p.left)
                _hatch(canvas, hx0, mark_top, p.right, mark_top + MARK_H)
            if p.clipped_left:
                _chevron(canvas, p.left + 1.5, mark_top + MARK_H / 2, -1)
            if p.clipped_right:
                _chevron(canvas, p.right - 1.5, mark_top + MARK_H / 2, 1)
            x = p.left
            middle = p.top + LABEL_LINE / 2
            parts: list[tuple[str, float, float]] = []  # (what, x, width)
            if info.severities:
                parts.append(("marker", x, BADGE))
                x += BADGE + 1
                if len(info.severities) > 1:
                    count = f"×{len(info.severities)}"
                    width = owner.width(count, owner.regular, SIZE_COUNT)
                    parts.append((count, x, width))
                    x += width + 2
            limit = p.left + p.room
            number = str(info.number)
            number_width = owner.width(number, owner.bold, SIZE_NUMBER) + 3
            if x + number_width <= limit:
                parts.append(("number", x, number_width))
                x += number_width + 2
                text = step.label or label("kind", step.kind)
                if info.point and step.kind in ("admission", "service", "placement"):
                    text += " (ongoing)"
                shown = elide(text, limit - x, lambda t: owner.width(t, owner.regular, SIZE_LABEL))
                if shown:
                    parts.append((shown, x, owner.width(shown, owner.regular, SIZE_LABEL)))
            end = parts[-1][1] + parts[-1][2] if parts else p.left
            if end > p.left:  # a quiet ground under the label line, so arrows do not cross the words
                canvas.rect(p.left - 0.5, middle - LABEL_LINE / 2, end - p.left + 1.5, LABEL_LINE,
                            fill=_tint(lane_colour(info), 0.10), opacity=0.85)
            for what, at, width in parts:
                if what == "marker":
                    colour_, shape = severity_style(info.severities[0])
                    canvas.shape(shape, at, middle - BADGE / 2, BADGE, colour_)
                elif what == "number":
                    canvas.rect(at, middle - 3.6, width, 7.2, fill=_colour("#ffffff"),
                                stroke=_colour("#8a9099"), width=0.4)
                    canvas.text(at + width / 2, middle, number, owner.bold, SIZE_NUMBER, anchor="middle")
                elif what.startswith("×") and at < p.left + BADGE + 3:
                    canvas.text(at, middle, what, owner.regular, SIZE_COUNT, MUTED)
                else:
                    canvas.text(at, middle, what, owner.regular, SIZE_LABEL)

    def _draw_arrows(self, canvas: _Canvas) -> None:
        handoffs = self.owner.context.handoffs
        placed = self.placed
        room = (self.right - self.left) / max(len(placed), 1)
        alpha = 1.0 if room >= 6 else 0.6
        half = MARK_H / 2
        for link in handoffs:
            source, target = placed.get(link.source.id), placed.get(link.target.id)
            style = handoff_style(link.method, link.derived)
            if source is None and target is None:
                continue
            if source is None or target is None:
                self._stub(canvas, source, target, style, alpha)
                continue
            tx = target.cx
            if not source.info.point and source.right - source.left > 4:
                xs = min(max(tx, source.left + 2), source.right - 2)
            else:
                xs = source.cx
            ys, yt = source.cy, target.cy
            if abs(yt - ys) > 1:
                sign = 1.0 if yt > ys else -1.0
                y0, y1 = ys + sign * half, yt - sign * (half + 0.5)
                middle = (y0 + y1) / 2
                _arrow_line(canvas, [(xs, y0), (xs, middle), (tx, middle), (tx, y1)], style, curve=True,
                            alpha=alpha)
                _head(canvas, style, tx, y1 + sign * 0.5, 0.0, sign, alpha)
            else:  # the same row: an arc below the marks, arriving upwards
                y0, y1 = ys + half, yt + half + 0.5
                dip = ys + half + 7
                _arrow_line(canvas, [(xs, y0), (xs, dip), (tx, dip), (tx, y1)], style, curve=True,
                            alpha=alpha)
                _head(canvas, style, tx, y1 - 0.5, 0.0, -1.0, alpha)

    def _stub(self, canvas: _Canvas, source: _Placed | None, target: _Placed | None, style: str,
              alpha: float) -> None:
        """A handoff to or from a step on another page: a short arrow off (or onto) the edge."""
        if source is not None:
            x0, y = source.right, source.cy
            x1 = min(x0 + 12, self.width - 1)
            _arrow_line(canvas, [(x0, y), (x1 - 3, y)], style, alpha=alpha)
            _head(canvas, style, x1, y, 1.0, 0.0, alpha)
        elif target is not None:
            x1, y = target.left, target.cy
            x0 = max(x1 - 12, self.left)
            _arrow_line(canvas, [(x0, y), (x1 - 3, y)], style, alpha=alpha)
            _head(canvas, style, x1, y, 1.0, 0.0, alpha)


def _chevron(canvas: _Canvas, x: float, y: float, direction: int) -> None:
    """A small white chevron on a mark cut by the window's edge: it goes on beyond the page."""
    white = _colour("#ffffff")
    canvas.line(x - direction * 1.5, y - 2, x, y, white, 0.8)
    canvas.line(x, y, x - direction * 1.5, y + 2, white, 0.8)


# -- the overview ------------------------------------------------------------------------------------------
OVERVIEW_LABEL_W = 112.0
OVERVIEW_ROW = 9.0
OVERVIEW_MARK = 6.0
OVERVIEW_ROWS = 3


class _OverviewLayout:
    def __init__(self, owner: PathwayMap, width: float, windows: list[Window]) -> None:
        self.owner = owner
        self.width = width
        self.windows = windows
        self.left = OVERVIEW_LABEL_W + 6
        self.right = width - RIGHT_PAD
        self.ppd = (self.right - self.left) / max(owner.end_day, 1.0)
        self.axis = _TimeAxis(owner, self.ppd)
        self.rows: dict[str, tuple[int, int]] = {}
        self.lane_top: list[float] = []
        self.lane_height: list[float] = []
        y = HEADER_H
        for number, lane in enumerate(owner.lanes):
            ends: list[float] = []
            for info in lane.infos:
                left = self.x(info.d0) - (POINT_W / 2 if info.point else 0)
                right = max(self.x(info.d1), left + (POINT_W if info.point else 1.0)) + 1
                row = next((r for r, end in enumerate(ends) if end <= left), None)
                if row is None:
                    if len(ends) < OVERVIEW_ROWS:
                        row = len(ends)
                        ends.append(right)
                    else:
                        row = min(range(len(ends)), key=ends.__getitem__)
                ends[row] = max(ends[row], right)
                self.rows[info.step.id] = (number, row)
            rows = max(1, len(ends))
            height = max(SIZE_LANE_TITLE + 6, rows * OVERVIEW_ROW + 4) + BADGE
            self.lane_top.append(y)
            self.lane_height.append(height)
            y += height
        self.lanes_height = y - HEADER_H

    def x(self, day: float) -> float:
        return self.left + day * self.ppd

    def draw(self, canvas: _Canvas) -> None:
        owner = self.owner
        bottom = HEADER_H + self.lanes_height
        for lane, top, height in zip(owner.lanes, self.lane_top, self.lane_height, strict=True):
            canvas.rect(OVERVIEW_LABEL_W, top, self.width - OVERVIEW_LABEL_W, height,
                        fill=_tint(lane.colour, 0.10), stroke=_colour("#d5d9e0"), width=0.4)
        for band in owner.bands:
            x0, x1 = self.x(band.d0), self.x(band.d1)
            canvas.rect(x0, HEADER_H, x1 - x0, self.lanes_height,
                        fill=_stage_colour(band.stage), opacity=0.45)
        for day, _text in self.axis.ticks(0.0, owner.end_day):
            canvas.line(self.x(day), HEADER_H, self.x(day), bottom, _colour(GRID), 0.4)
        order = severity_order()
        marked: dict[tuple[int, int], list[tuple[float, float]]] = {}
        infos = sorted(owner.infos, key=lambda i: (order[i.severities[0]] if i.severities else 9, i.number))
        for info in owner.infos:
            lane_no, row = self.rows[info.step.id]
            top = self.lane_top[lane_no] + BADGE + 2 + row * OVERVIEW_ROW
            left = self.x(info.d0) - (POINT_W / 2 if info.point else 0)
            right = left + POINT_W if info.point else max(self.x(info.d1), left + 1.0)
            org = owner.context.orgs.get(info.step.organisation)
            colour = sector_colour(org.sector) if org else UNKNOWN_COLOUR
            _mark(canvas, left, top, right - left, OVERVIEW_MARK, colour)
            step = info.step
            if step.delayed_days and step.ready_for_discharge is not None and not info.point:
                ready = min(max(owner.day_of(step.ready_for_discharge), info.d0), info.d1)
                _hatch(canvas, self.x(ready), top, right, top + OVERVIEW_MARK)
        for info in infos:  # severity marks, most severe first, where they do not overlap
            if not info.severities:
                continue
            lane_no, row = self.rows[info.step.id]
            left = self.x(info.d0) - (POINT_W / 2 if info.point else 0)
            taken = marked.setdefault((lane_no, row), [])
            at = bisect_left(taken, (left, left + BADGE))
            clash_before = at > 0 and taken[at - 1][1] + 0.5 > left
            clash_after = at < len(taken) and left + BADGE + 0.5 > taken[at][0]
            if clash_before or clash_after:
                continue
            taken.insert(at, (left, left + BADGE))
            top = self.lane_top[lane_no] + BADGE + 2 + row * OVERVIEW_ROW
            colour, shape = severity_style(info.severities[0])
            canvas.shape(shape, left, top - BADGE - 0.5, BADGE, colour)
        self._draw_header(canvas)
        line = _colour("#d5d9e0")
        for lane, top, height in zip(owner.lanes, self.lane_top, self.lane_height, strict=True):
            canvas.rect(0, top, OVERVIEW_LABEL_W, height, fill=_tint(lane.colour, 0.22), stroke=line,
                        width=0.4)
            black = _is_black(lane.colour)
            canvas.rect(1.5, top + 2, 4, height - 4, fill=_colour("#ffffff" if black else lane.colour),
                        stroke=_colour("#000000") if black else _darker(lane.colour, 1.5), width=0.4)
            text = elide(lane.title, OVERVIEW_LABEL_W - 14,
                         lambda t: owner.width(t, owner.bold, SIZE_LANE_TITLE))
            canvas.text(9, top + height / 2, text, owner.bold, SIZE_LANE_TITLE)
        for number, window in enumerate(self.windows, start=1):
            x = self.x(window.d0)
            if number > 1:
                canvas.line(x, 2, x, bottom, _colour("#1d4ed8"), 0.7, dash=[2.5, 1.5])

    def _draw_header(self, canvas: _Canvas) -> None:
        owner = self.owner
        line = _colour(CHROME_LINE)
        canvas.rect(0, 0, self.width, HEADER_H, fill=_colour(CHROME), stroke=line, width=0.5)
        upper, lower, stages = 2.0 + TIER / 2, 2.0 + TIER * 1.5, 3.0 + TIER * 2
        for band in owner.bands:
            x0, x1 = self.x(band.d0), self.x(band.d1)
            canvas.rect(x0, stages, x1 - x0, TIER, fill=_stage_colour(band.stage))
            room = x1 - x0 - 4
            text = elide(band.title, room, lambda t: owner.width(t, owner.regular, SIZE_AXIS))
            if len(text) < 4 and text != band.title:
                text = ""
            if text:
                canvas.text(x0 + 2, stages + TIER / 2, text, owner.regular, SIZE_AXIS)
        if self.windows and len(self.windows) > 1:
            for number, window in enumerate(self.windows, start=1):
                x0, x1 = self.x(window.d0), self.x(window.d1)
                text = f"part {number}"
                if x1 - x0 < owner.width(text, owner.bold, SIZE_AXIS) + 3:
                    text = str(number)
                if x1 - x0 >= owner.width(text, owner.bold, SIZE_AXIS) + 2:
                    canvas.text(x0 + 2, upper, text, owner.bold, SIZE_AXIS, "#1d4ed8")
        else:
            for c0, c1, long_text, short_text in self.axis.context(0.0, owner.end_day):
                x0, x1 = self.x(max(c0, 0.0)), self.x(min(c1, owner.end_day))
                for text in (long_text, short_text):
                    if x1 - x0 - 3 >= owner.width(text, owner.bold, SIZE_AXIS):
                        canvas.text(x0 + 2, upper, text, owner.bold, SIZE_AXIS)
                        break
        for day, text in self.axis.ticks(0.0, owner.end_day):
            x = self.x(day)
            canvas.line(x, lower - TIER / 2, x, lower + TIER / 2, _colour(MUTED), 0.4)
            if x + 2 + owner.width(text, owner.regular, SIZE_AXIS) <= self.width:
                canvas.text(x + 2, lower, text, owner.regular, SIZE_AXIS)
        canvas.rect(0, 0, OVERVIEW_LABEL_W, HEADER_H, fill=_colour(CHROME), stroke=line, width=0.5)
        canvas.text(5, upper, "The whole pathway", owner.bold, SIZE_LANE_TITLE)
        canvas.text(5, lower, f"{len(owner.infos)} steps", owner.regular, SIZE_LANE, MUTED)
        canvas.text(OVERVIEW_LABEL_W - 5, stages + TIER / 2, "Stage", owner.regular, SIZE_LANE, MUTED,
                    anchor="end")


def step_marks(findings: list[Any], step_ids: Callable[[str], str] | None = None
               ) -> tuple[dict[str, list[str]], int]:
    """Severities of the active findings by step (ids mapped by ``step_ids``), and how many
    findings concern no step."""
    marks: dict[str, list[str]] = {}
    case_level = 0
    for finding in findings:
        if finding.set_aside:
            continue
        if not finding.steps:
            case_level += 1
        for step_id in finding.steps:
            marks.setdefault(step_ids(step_id) if step_ids else step_id, []).append(finding.severity)
    return marks, case_level


__all__ = ["PathwayMap", "Window", "step_marks"]
