"""The pathway map: the person's journey as swimlanes, time left to right (BRIEF, "Visual language").

``build_scene(case, analysis, lanes)`` lays a case out as a :class:`PathwayScene`: one lane per
sector (or per organisation) present on the pathway, each with its organisations, regulators and
payment model in a label block on the left; stage bands ("At home", "Crisis", "Step down") behind
the steps; steps as spans (start to end) or point marks in the sector's Okabe-Ito colour, with the
delayed part of an admission hatched; handoffs as arrows styled by how the information went
across; a severity mark on each step that has findings; and a legend below the lanes.

Colour is never the only signal: lanes are named, severities have shapes and counts, handoff
methods differ in line pattern and weight, delay is hatched, the selection has a thick outline.

Zoom is horizontal only, so lane heights and text stay readable at every zoom: the scene is laid
out again for a new number of pixels per day (:meth:`PathwayScene.set_pixels_per_day`), the time
axis picks days, weeks, months or years to suit, and step labels are elided or dropped where they
would run into the next step. The time axis and the lane labels stay in view while scrolling.

:class:`PathwayMapView` adds panning, zooming, keyboard navigation and PNG/SVG export;
:class:`PathwayMapTab` is the case workspace's "Pathway map" tab.
"""

from __future__ import annotations

import html
import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QBuffer, QIODevice, QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QPolygonF,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QComboBox,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsPolygonItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSceneHelpEvent,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QMenu,
    QStyleOptionGraphicsItem,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from db.exports import ExportEvent, Rendered
from planner import describe
from planner.dates import format_day
from planner.map_style import (
    ARROW_LOOKS,
    OTHER_STAGE_COLOUR,
    SECTOR_ORDER,
    STAGE_COLOURS,
    UNKNOWN_COLOUR,
    handoff_style,
    sector_colour,
)
from planner.model import Case, Moment, Organisation, Step, moment_key
from planner.outputs import write_atomically
from planner.reference import label
from planner.rules.catalogue import severity_label, severity_order, severity_style, severity_symbol
from planner.rules.context import CaseContext, Link
from ui import theme
from ui.plaintext import literal
from ui.saving import OutputSaver, ask_save_path
from ui.tabs import CaseTab
from ui.widgets import Details, muted_label

if TYPE_CHECKING:
    from planner.analysis import Analysis
    from planner.rules import Finding

LANE_MODES = ("sector", "organisation")

TEXT = QColor(theme.TEXT)
MUTED = QColor(theme.MUTED)
HIGHLIGHT = QColor("#1d4ed8")
HIGHLIGHT_PEN = QPen(HIGHLIGHT, 3.0)
GRID = QColor(0, 0, 0, 30)
WEEKEND = QColor(0, 0, 0, 12)
CHROME = QColor("#fbfbfc")
CHROME_LINE = QColor("#c9ced6")
NO_PEN = QPen(Qt.PenStyle.NoPen)

# Geometry in scene pixels (text sizes come from the app font's metrics).
MARK_H = 13.0
POINT_W = 9.0
BADGE = 12.0
MIN_SPAN_W = 3.0
LANE_PAD = 4.0
ROW_GAP = 5.0
MAX_ROWS = 8
LEFT_GAP = 16.0
RIGHT_PAD = 170.0
LABEL_GAP = 6.0
MIN_PPD = 0.005
MAX_PPD = 1500.0
#: Widest the map may grow when zoomed in: Qt's raster painter cannot place anything beyond about
#: 2**25 pixels, so a pathway over two centuries stops zooming in before its axis goes blank.
MAX_SCENE_WIDTH = 16_000_000.0
ZOOM_STEP = 1.25
#: Widest image an export renders at the current zoom; wider maps are laid out to fit first.
MAX_EXPORT_WIDTH = 12000.0



@dataclass(frozen=True)
class ArrowStyle:
    name: str
    colour: str
    width: float
    pen_style: Qt.PenStyle
    legend: str


_PEN_STYLES = {"solid": Qt.PenStyle.SolidLine, "dash": Qt.PenStyle.DashLine, "dot": Qt.PenStyle.DotLine,
               "dashdot": Qt.PenStyle.DashDotLine}
#: The shared looks (planner.map_style, also used by the printed maps) with Qt's pen styles.
ARROW_STYLES = {name: ArrowStyle(name, look.colour, look.width, _PEN_STYLES[look.pattern], look.legend)
                for name, look in ARROW_LOOKS.items()}


def arrow_style(link: Link) -> str:
    """The style name of a handoff: derived and unknown handoffs are thin grey."""
    return handoff_style(link.method, link.derived)


def _tint(colour: QColor, amount: float) -> QColor:
    """``colour`` mixed into white: ``amount`` 0 is white, 1 the colour itself."""
    if colour.lightness() < 40:  # black (mental health) tints to a light grey
        colour = QColor("#808080")
    return QColor(round(255 - (255 - colour.red()) * amount), round(255 - (255 - colour.green()) * amount),
                  round(255 - (255 - colour.blue()) * amount))


def _scaled(font: QFont, factor: float, bold: bool = False) -> QFont:
    result = QFont(font)
    if font.pointSizeF() > 0:
        result.setPointSizeF(font.pointSizeF() * factor)
    else:
        result.setPixelSize(max(1, round(font.pixelSize() * factor)))
    result.setBold(bold)
    return result


def _right(item: QGraphicsItem) -> float:
    """The right edge of an item and its children, in its own coordinates."""
    return item.boundingRect().united(item.childrenBoundingRect()).right()


def severity_path(shape: str, size: float = BADGE) -> QPainterPath:
    """A severity shape in a ``size`` square at the origin: triangle, diamond or circle."""
    path = QPainterPath()
    m, e, h = 0.5, size - 0.5, size / 2
    if shape == "triangle":
        path.addPolygon(QPolygonF([QPointF(h, m), QPointF(e, e), QPointF(m, e), QPointF(h, m)]))
    elif shape == "diamond":
        path.addPolygon(QPolygonF([QPointF(h, m), QPointF(e, h), QPointF(h, e), QPointF(m, h),
                                   QPointF(h, m)]))
    else:
        path.addEllipse(QPointF(h, h), h - 1.5, h - 1.5)
    return path


# -- items -------------------------------------------------------------------------------------
# Items are told apart by their class; tooltips are written when asked for (PathwayScene.helpEvent)
# and the pointing-hand cursor is set by the view: every Qt call costs a few microseconds, and a
# map of 1,000 steps has thousands of items.
class StepMark(QGraphicsRectItem):
    """A step: a span from start to end, or a point mark for a moment."""

    def __init__(self, step: Step, point: bool, pen: QPen, brush: QBrush) -> None:
        super().__init__()
        self.step = step
        self.point = point
        self.highlighted = False
        self._pen = pen
        self.setPen(pen)
        self.setBrush(brush)

    def set_highlighted(self, on: bool) -> None:
        if on == self.highlighted:
            return
        self.highlighted = on
        self.setPen(HIGHLIGHT_PEN if on else self._pen)
        self.setZValue(0.5 if on else 0)  # above the other marks, below labels and severity marks


class HatchItem(QGraphicsRectItem):
    """The delayed part of an admission: from ready for discharge to leaving hospital."""

    def __init__(self, mark: StepMark, brush: QBrush) -> None:
        super().__init__(mark)
        self.step = mark.step
        self.setBrush(brush)
        self.setPen(NO_PEN)


class StepLabel(QGraphicsSimpleTextItem):
    """A step's label above its mark, elided or hidden where it would run into the next step."""

    def __init__(self, step: Step, text: str, width: float, font: QFont) -> None:
        super().__init__()
        self.step = step
        self.full_text = text
        self.full_width = width
        self.shown = ""
        self.setFont(font)
        self.setZValue(1)

    def show_text(self, text: str) -> None:
        if text != self.shown:
            self.shown = text
            self.setText(text)


_SEVERITY_PATHS: dict[str, QPainterPath] = {}
MARKER_PEN = QPen(QColor("#222222"), 1.0)


class FindingMarker(QGraphicsItem):
    """The findings on a step: the highest severity's shape (filled, outlined dark), followed by
    their number when there are several and room for it."""

    def __init__(self, step: Step, findings: list[Finding], font: QFont, count_width: float) -> None:
        super().__init__()
        order = severity_order()
        self.step = step
        self.findings = findings
        self.severity = min((f.severity for f in findings), key=order.__getitem__)
        colour, self.shape_name = severity_style(self.severity)
        self.colour = QColor(colour)
        self.count_text = str(len(findings)) if len(findings) > 1 else ""
        self.count_width = count_width if self.count_text else 0.0
        self.font = font
        self._show_count = bool(self.count_text)
        self._rect = QRectF(-1, -1, BADGE + 2 + (self.count_width + 2 if self._show_count else 0), BADGE + 2)
        self.shown = True
        self.setZValue(1)

    def count_visible(self) -> bool:
        return self._show_count and self.shown

    def set_count_visible(self, on: bool) -> None:
        on = on and bool(self.count_text)
        if on != self._show_count:
            self.prepareGeometryChange()
            self._show_count = on
            self._rect = QRectF(-1, -1, BADGE + 2 + (self.count_width + 2 if on else 0), BADGE + 2)

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        path = _SEVERITY_PATHS.get(self.shape_name)
        if path is None:
            path = _SEVERITY_PATHS[self.shape_name] = severity_path(self.shape_name)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)  # even where the view has it off
        painter.setPen(MARKER_PEN)
        painter.setBrush(self.colour)
        painter.drawPath(path)
        if self._show_count:
            painter.setFont(self.font)
            painter.setPen(TEXT)
            painter.drawText(QRectF(BADGE + 1, -1, self.count_width + 2, BADGE + 2),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.count_text)

    def tooltip(self) -> str:
        lines = [f"{severity_symbol(f.severity)} {f.rule} {f.title}" for f in self.findings]
        noun = "finding" if len(self.findings) == 1 else "findings"
        return literal(f"{len(self.findings)} {noun} on this step (click to open):\n" + "\n".join(lines))


class HandoffArrow(QGraphicsPathItem):
    """A handoff from one step's mark to another's, styled by how the information went across.
    Its head is drawn with the other heads of its style (``PathwayScene.heads``)."""

    def __init__(self, link: Link, style: ArrowStyle, pen: QPen) -> None:
        super().__init__()
        self.link = link
        self.style = style.name
        self.points: tuple[float, ...] = (0.0,) * 10  # start, end, the head's three corners
        self.setPen(pen)

    @property
    def start(self) -> QPointF:
        return QPointF(self.points[0], self.points[1])

    @property
    def end(self) -> QPointF:
        return QPointF(self.points[2], self.points[3])

    def head_polygon(self) -> QPolygonF:
        p = self.points
        return QPolygonF([QPointF(p[4], p[5]), QPointF(p[6], p[7]), QPointF(p[8], p[9])])


class _Info:
    """Where one step sits, and the items that show it."""

    __slots__ = ("cx", "cy", "d0", "d1", "fit", "hatch", "hatch_d0", "index", "label", "lane", "left",
                 "mark", "marker", "next", "point", "right", "row", "step", "top")

    def __init__(self, step: Step, index: int, d0: float, d1: float, point: bool) -> None:
        self.step = step
        self.index = index
        self.d0 = d0
        self.d1 = d1
        self.point = point
        self.lane = 0
        self.row = 0
        self.top = 0.0
        self.left = self.right = self.cx = self.cy = 0.0
        self.next: _Info | None = None
        self.mark: StepMark
        self.label: StepLabel | None = None
        self.marker: FindingMarker | None = None
        self.hatch: HatchItem | None = None
        self.hatch_d0 = 0.0


@dataclass
class Lane:
    key: str
    title: str
    sector: str | None
    organisations: list[Organisation]
    lines: list[str]
    colour: QColor
    rows: int = 1
    y: float = 0.0
    height: float = 0.0


@dataclass(frozen=True)
class Band:
    """A contiguous stage period: from the first step of the stage to the next stage's first."""

    stage: str
    title: str
    d0: float
    d1: float
    start: date


@dataclass(frozen=True)
class Tick:
    day: float
    text: str


# -- the time axis -----------------------------------------------------------------------------
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _month_start(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


class TimeScale:
    """Ticks for a number of pixels per day: the finest unit whose labels do not collide."""

    def __init__(self, origin: date, font: QFont) -> None:
        self.origin = origin
        self.metrics = QFontMetricsF(font)
        self.unit = "month"
        self.step = 1
        self.long_days = False
        self.context_unit: str | None = "year"

    def choose(self, ppd: float) -> None:
        width = self.metrics.horizontalAdvance
        pad = 14.0
        candidates: list[tuple[str, int, float, bool]] = [
            ("day", 1, width("Wed 28") + pad, True), ("day", 1, width("28") + pad, False),
            ("week", 1, width("28 Sep") + pad, False), ("month", 1, width("Sep") + pad, False),
            ("month", 3, width("Sep") + pad, False)]
        candidates += [("year", n, width("2024") + pad, False) for n in (1, 2, 5, 10, 25, 50, 100)]
        days = {"day": 1.0, "week": 7.0, "month": 30.4, "year": 365.25}
        choice = candidates[-1]
        for candidate in candidates:
            unit, step, needed, _long = candidate
            if days[unit] * step * ppd >= needed:
                choice = candidate
                break
        self.unit, self.step, _needed, self.long_days = choice
        self.context_unit = {"day": "month", "week": "month", "month": "year", "year": None}[unit]

    def _day(self, value: date) -> float:
        return float((value - self.origin).days)

    def _date(self, day: float) -> date:
        return self.origin + timedelta(days=math.floor(day))

    def ticks(self, d0: float, d1: float, unit: str | None = None, step: int | None = None) -> list[Tick]:
        """Labelled ticks from day ``d0`` to ``d1`` (days since the origin) in a unit."""
        unit = unit or self.unit
        step = step or self.step
        first, last = self._date(d0), self._date(d1) + timedelta(days=1)
        result: list[Tick] = []
        if unit == "day":
            current = first
            while current <= last:
                text = f"{_WEEKDAYS[current.weekday()]} {current.day}" if self.long_days else str(current.day)
                result.append(Tick(self._day(current), text))
                current += timedelta(days=1)
        elif unit == "week":
            current = first - timedelta(days=first.weekday())
            while current <= last:
                result.append(Tick(self._day(current), f"{current.day} {_MONTHS[current.month - 1]}"))
                current += timedelta(days=7)
        elif unit == "month":
            current = _month_start(first, 0)
            while (current.month - 1) % step:
                current = _month_start(current, -1)
            while current <= last:
                result.append(Tick(self._day(current), _MONTHS[current.month - 1]))
                current = _month_start(current, step)
        else:
            year = first.year - first.year % step
            while date(year, 1, 1) <= last:
                result.append(Tick(self._day(date(year, 1, 1)), str(year)))
                year += step
        return [t for t in result if d0 - 400 <= t.day <= d1 + 400]

    def context(self, d0: float, d1: float) -> list[tuple[float, float, str, str]]:
        """(start day, end day, long label, short label) of the months or years around the ticks."""
        first, last = self._date(d0), self._date(d1)
        spans: list[tuple[float, float, str, str]] = []
        if self.context_unit == "month":
            current = _month_start(first, 0)
            while current <= last:
                following = _month_start(current, 1)
                spans.append((self._day(current), self._day(following),
                              f"{_MONTH_NAMES[current.month - 1]} {current.year}",
                              f"{_MONTHS[current.month - 1]} {current.year}"))
                current = following
        elif self.context_unit == "year":
            for year in range(first.year, last.year + 1):
                start, end = self._day(date(year, 1, 1)), self._day(date(year + 1, 1, 1))
                spans.append((start, end, str(year), str(year)))
        return spans


class AxisItem(QGraphicsItem):
    """The frozen header's painting: the stage band row and the two-tier time axis.

    Painted rather than built from items, so only what is exposed is drawn, at any zoom."""

    def __init__(self, scene: PathwayScene, parent: QGraphicsItem) -> None:
        super().__init__(parent)
        self.map = scene
        self.visible_left = 0.0
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, self.map.map_width, self.map.header_height)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        scene = self.map
        exposed = option.exposedRect
        left = max(exposed.left(), scene.left - 2)
        right = min(exposed.right(), scene.map_width)
        if right <= left:
            return
        d0, d1 = scene.day_at(left), scene.day_at(right)
        line = scene.line_h
        upper, lower, stages = scene.axis_rows
        # stage bands, labelled in full, elided, or by their initial where narrow
        painter.setFont(scene.small_font)
        metrics = scene.small_metrics
        for band in scene.bands_between(d0, d1):
            x0, x1 = scene.x_at(band.d0), scene.x_at(band.d1)
            rect = QRectF(x0, stages, x1 - x0, line + 2)
            painter.fillRect(rect, QColor(STAGE_COLOURS.get(band.stage, OTHER_STAGE_COLOUR)))
            painter.setPen(QPen(CHROME_LINE, 1))
            painter.drawLine(QPointF(x0, stages), QPointF(x0, stages + line + 2))
            text_left = max(x0, self.visible_left) + 3
            room = x1 - text_left - 2
            text = band.title
            if metrics.horizontalAdvance(text) > room:
                text = metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
                if len(text) < 4:  # "C…" says less than "C"
                    text = band.title[0] if metrics.horizontalAdvance(band.title[0]) <= room else ""
            if text:
                painter.setPen(TEXT)
                painter.drawText(QRectF(text_left, stages, room + 2, line + 2),
                                 Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
        # the upper tier: months or years, labelled at their start or at the left of the view
        painter.setFont(scene.bold_font)
        for c0, c1, long_text, short_text in scene.scale.context(d0, d1):
            x0, x1 = scene.x_at(c0), scene.x_at(c1)
            painter.setPen(QPen(CHROME_LINE, 1))
            painter.drawLine(QPointF(x0, upper), QPointF(x0, lower + line))
            text_left = max(x0, self.visible_left) + 4
            for text in (long_text, short_text):
                if x1 - text_left >= scene.bold_metrics.horizontalAdvance(text) + 4:
                    painter.setPen(TEXT)
                    painter.drawText(QPointF(text_left, upper + scene.bold_metrics.ascent()), text)
                    break
        # the lower tier: the unit's ticks
        painter.setFont(scene.text_font)
        tick_pen = QPen(MUTED, 1)
        baseline = lower + scene.metrics.ascent()
        for tick in scene.scale.ticks(d0, d1):
            x = scene.x_at(tick.day)
            painter.setPen(tick_pen)
            painter.drawLine(QPointF(x, lower), QPointF(x, lower + line + 2))
            painter.setPen(TEXT)
            painter.drawText(QPointF(x + 3, baseline), tick.text)


class GridItem(QGraphicsItem):
    """Behind the steps: stage bands, weekends (when days are shown) and gridlines at the ticks."""

    def __init__(self, scene: PathwayScene) -> None:
        super().__init__()
        self.map = scene
        self.setZValue(-5)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    def boundingRect(self) -> QRectF:
        scene = self.map
        return QRectF(scene.left, scene.lanes_top, scene.map_width - scene.left,
                      scene.lanes_bottom - scene.lanes_top)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        scene = self.map
        exposed = option.exposedRect
        left, right = max(exposed.left(), scene.left), min(exposed.right(), scene.map_width)
        if right <= left:
            return
        top, bottom = max(scene.lanes_top, exposed.top()), min(scene.lanes_bottom, exposed.bottom())
        if bottom <= top:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)  # all lines are upright
        d0, d1 = scene.day_at(left), scene.day_at(right)
        bands = scene.bands_between(d0, d1)
        fills = {stage: QColor(colour) for stage, colour in STAGE_COLOURS.items()}
        for fill in fills.values():
            fill.setAlpha(110)
        other = QColor(OTHER_STAGE_COLOUR)
        other.setAlpha(110)
        for band in bands:
            x0, x1 = scene.x_at(band.d0), scene.x_at(band.d1)
            painter.fillRect(QRectF(x0, top, x1 - x0, bottom - top), fills.get(band.stage, other))
        if scene.scale.unit == "day":
            for tick in scene.scale.ticks(d0, d1):
                if scene.scale._date(tick.day).weekday() >= 5:
                    painter.fillRect(QRectF(scene.x_at(tick.day), top, scene.ppd, bottom - top), WEEKEND)
        painter.setPen(QPen(GRID, 1))
        for tick in scene.scale.ticks(d0, d1):
            x = scene.x_at(tick.day)
            painter.drawLine(QPointF(x, top), QPointF(x, bottom))
        # dashed boundaries between bands wide enough to tell apart (not a comb when zoomed out)
        painter.setPen(QPen(QColor(0, 0, 0, 70), 1, Qt.PenStyle.DashLine))
        wide = 8 / scene.ppd
        for previous, band in pairwise(bands):
            if previous.d1 - previous.d0 >= wide and band.d1 - band.d0 >= wide:
                x = scene.x_at(band.d0)
                painter.drawLine(QPointF(x, top), QPointF(x, bottom))


# -- the scene ---------------------------------------------------------------------------------
class PathwayScene(QGraphicsScene):
    """A case laid out as swimlanes; see :func:`build_scene`.

    ``lanes`` (in order), ``marks``/``labels``/``markers``/``hatches`` by step id, ``arrows`` (one
    per handoff, given and derived), ``bands`` (stage periods) and ``order`` (step ids in time
    order) are public for the view and for tests.
    """

    def __init__(self, case: Case, analysis: Analysis | None = None, lanes: str = "sector",
                 view_width: float = 1200.0) -> None:
        super().__init__()
        if lanes not in LANE_MODES:
            raise ValueError(f"lanes must be one of {', '.join(LANE_MODES)}, not {lanes!r}")
        self.case = case
        self.analysis = analysis
        self.lane_mode = lanes
        self.context = CaseContext(case)
        self.text_font = QFont(QGuiApplication.font())
        self.small_font = _scaled(self.text_font, 0.88)
        self.bold_font = _scaled(self.text_font, 1.0, bold=True)
        self.metrics = QFontMetricsF(self.text_font)
        self.small_metrics = QFontMetricsF(self.small_font)
        self.bold_metrics = QFontMetricsF(self.bold_font)
        self.line_h = math.ceil(self.metrics.height())
        self.small_line_h = math.floor(self.small_metrics.height())
        self.row_h = self.line_h + 2 + MARK_H + ROW_GAP
        # the header: months or years, the unit's ticks, then the stage bands
        self.axis_rows = (1.0, self.line_h + 2.0, 2.0 * self.line_h + 5.0)
        self.header_height = 3.0 * self.line_h + 10.0
        self.ppd = 1.0
        self.view_width = view_width
        self.selected: list[str] = []
        self.lanes: list[Lane] = []
        self.marks: dict[str, StepMark] = {}
        self.labels: dict[str, StepLabel] = {}
        self.markers: dict[str, FindingMarker] = {}
        self.hatches: dict[str, HatchItem] = {}
        self.arrows: list[HandoffArrow] = []
        self.bands: list[Band] = []
        self.order: list[str] = []
        self.case_findings: list[Finding] = []
        self._infos: list[_Info] = []
        self._by_id: dict[str, _Info] = {}
        self._legend: list[tuple[str, list[QGraphicsItem], float]] = []
        self.legend_height = self.legend_bottom = 0.0
        self._sticky = QPointF(0, 0)
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self._build()
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self.set_pixels_per_day(self.fit_ppd(view_width))

    # -- time and place ----------------------------------------------------------------------
    def day_of(self, moment: Moment) -> float:
        """Days from the origin (midnight of the first step's day) to a moment."""
        return (moment_key(moment) - self._origin_dt).total_seconds() / 86400.0

    def x_at(self, day: float) -> float:
        return self.left + day * self.ppd

    def x_of(self, moment: Moment) -> float:
        return self.x_at(self.day_of(moment))

    def day_at(self, x: float) -> float:
        return (x - self.left) / self.ppd

    def max_ppd(self) -> float:
        """The closest zoom: MAX_PPD, or less for a pathway so long that the map would be too wide
        to paint."""
        return min(MAX_PPD, MAX_SCENE_WIDTH / max(self.end_day, 1.0))

    def fit_ppd(self, width: float) -> float:
        """Pixels per day at which the whole pathway fits ``width`` pixels."""
        return max(MIN_PPD, (width - self.left - RIGHT_PAD) / max(self.end_day, 1.0))

    def bands_between(self, d0: float, d1: float) -> list[Band]:
        first = max(0, bisect_right(self._band_starts, d0) - 1)
        last = bisect_left(self._band_starts, d1)
        return self.bands[first:last]

    # -- building ----------------------------------------------------------------------------
    def _build(self) -> None:
        ctx = self.context
        steps = ctx.steps
        self.order = [s.id for s in steps]
        first_day = min((s.start_date for s in steps), default=date.today())
        self._origin = first_day
        self._origin_dt = datetime(first_day.year, first_day.month, first_day.day)
        self.scale = TimeScale(first_day, self.text_font)
        self._build_infos(steps)
        self._build_lanes()
        self.left = self.label_width + LEFT_GAP
        self._build_bands()
        findings = self._findings_by_step()
        self._build_arrows()  # first: items of equal z stack in the order they are added
        self._build_steps(findings)
        self._build_chrome()
        self._build_legend()

    def _build_infos(self, steps: list[Step]) -> None:
        end_day = 1.0
        for index, step in enumerate(steps):
            d0 = self.day_of(step.start)
            if step.end is not None:
                d1 = max(d0, self.day_of(step.end))
                point = False
            else:
                if not isinstance(step.start, datetime):
                    d0 += 0.5  # a day without a time: the middle of that day
                d1 = d0
                point = True
            info = _Info(step, index, d0, d1, point)
            self._infos.append(info)
            self._by_id[step.id] = info
            end_day = max(end_day, d1, d0 + 0.5)
        self.end_day = float(math.ceil(end_day + 0.5))

    def _lane_key(self, step: Step) -> str:
        org = self.context.orgs.get(step.organisation)
        if org is None:
            return f"?{step.organisation}"
        return org.sector if self.lane_mode == "sector" else org.id

    def _build_lanes(self) -> None:
        ctx = self.context
        rank = {sector: i for i, sector in enumerate(SECTOR_ORDER)}
        members: dict[str, list[_Info]] = {}
        for info in self._infos:
            members.setdefault(self._lane_key(info.step), []).append(info)

        def lane_order(key: str) -> tuple[int, str, int]:
            infos = members[key]
            org = ctx.orgs.get(infos[0].step.organisation)
            if org is None:
                return (len(SECTOR_ORDER) + 1, "", infos[0].index)
            return (rank.get(org.sector, len(SECTOR_ORDER)), org.sector, infos[0].index)

        metrics = [(self.bold_metrics, 0), (self.small_metrics, 1), (self.small_metrics, 2)]
        widest = 0.0
        for number, key in enumerate(sorted(members, key=lane_order)):
            infos = members[key]
            orgs = ctx.orgs_of(*(i.step for i in infos))
            lane = self._make_lane(key, orgs)
            self.lanes.append(lane)
            for metric, index in metrics:
                widest = max(widest, metric.horizontalAdvance(lane.lines[index]))
            rows_end: list[float] = []
            for info in infos:
                info.lane = number
                start = info.d0 - 0.5 if info.point else info.d0
                end = info.d0 + 0.5 if info.point else max(info.d1, info.d0 + 1.0)
                row = next((r for r, busy in enumerate(rows_end) if busy <= start), None)
                if row is None:
                    if len(rows_end) < MAX_ROWS:
                        row = len(rows_end)
                        rows_end.append(end)
                    else:
                        row = min(range(len(rows_end)), key=rows_end.__getitem__)
                rows_end[row] = max(rows_end[row], end)
                info.row = row
            lane.rows = max(1, len(rows_end))
        self.label_width = float(min(max(widest + 26.0, 190.0), 300.0))
        # lanes stacked under the header; rows centred in lanes taller than their rows
        block = self.line_h + 1 + 2 * self.small_line_h + 2 * LANE_PAD - 1
        y = self.header_height
        self.lanes_top = y
        for lane in self.lanes:
            rows_height = lane.rows * self.row_h - ROW_GAP + 2 * LANE_PAD
            lane.y = y
            lane.height = max(block, rows_height)
            y += lane.height
        self.lanes_bottom = y
        last: dict[tuple[int, int], _Info] = {}
        for info in self._infos:
            lane = self.lanes[info.lane]
            offset = (lane.height - (lane.rows * self.row_h - ROW_GAP)) / 2
            info.top = lane.y + offset + info.row * self.row_h
            info.cy = info.top + self.line_h + 2 + MARK_H / 2
            previous = last.get((info.lane, info.row))
            if previous is not None:
                previous.next = info
            last[(info.lane, info.row)] = info

    def _make_lane(self, key: str, orgs: list[Organisation]) -> Lane:
        ctx = self.context
        regulators = list(dict.fromkeys(code for org in orgs for code in ctx.regulators.get(org.id, [])))
        payments = list(dict.fromkeys(p for org in orgs if (p := ctx.payment.get(org.id))))
        regs = ", ".join(label("regulator_short", code) for code in regulators) or "No regulator"
        pay = " / ".join(label("payment_model", p) for p in payments) or "Payment not recorded"
        names = ", ".join(org.name for org in orgs)
        if not orgs:
            title = f"Unknown organisation “{key[1:]}”"
            lines = [title, "Not in the organisations list", ""]
            return Lane(key, title, None, [], lines, QColor(UNKNOWN_COLOUR))
        sector = orgs[0].sector
        colour = QColor(sector_colour(sector))
        if self.lane_mode == "sector":
            title = label("sector", sector)
            lines = [title, names, f"{regs} · {pay}"]
        else:
            title = orgs[0].name
            lines = [title, label("sector", sector), f"{regs} · {pay}"]
        return Lane(key, title, sector, orgs, lines, colour)

    def _build_bands(self) -> None:
        periods: list[tuple[str, float]] = []
        starts: list[date] = []
        for info in self._infos:
            stage = info.step.stage
            if stage is None or (periods and periods[-1][0] == stage):
                continue
            periods.append((stage, info.d0 if not info.point else info.d0 - 0.5))
            starts.append(info.step.start_date)
        for index, (stage, d0) in enumerate(periods):
            d1 = periods[index + 1][1] if index + 1 < len(periods) else self.end_day
            self.bands.append(Band(stage, label("stage", stage), d0, d1, starts[index]))
        self._band_starts = [b.d0 for b in self.bands]

    def _findings_by_step(self) -> dict[str, list[Finding]]:
        found: dict[str, list[Finding]] = {}
        if self.analysis is None:
            return found
        for finding in self.analysis.report.active():
            if not finding.steps:
                self.case_findings.append(finding)
            for step_id in finding.steps:
                found.setdefault(step_id, []).append(finding)
        return found

    def _build_steps(self, findings: dict[str, list[Finding]]) -> None:
        ctx = self.context
        pens: dict[str, QPen] = {}
        brushes: dict[str, QBrush] = {}
        hatch_brush = QBrush(QColor("#1f2933"), Qt.BrushStyle.BDiagPattern)
        count_widths: dict[int, float] = {}
        add = self.addItem
        for info in self._infos:
            step = info.step
            org = ctx.orgs.get(step.organisation)
            colour_code = sector_colour(org.sector if org else None)
            pen = pens.get(colour_code)
            if pen is None:
                colour = QColor(colour_code)
                black = colour.lightness() < 40
                pen = pens[colour_code] = QPen(QColor("#000000") if black else colour.darker(170),
                                               2.0 if black else 1.0)
                brushes[colour_code] = QBrush(QColor("#ffffff") if black else colour)
            mark = StepMark(step, info.point, pen, brushes[colour_code])
            add(mark)
            info.mark = mark
            self.marks[step.id] = mark
            on_step = findings.get(step.id)
            if on_step:
                count = len(on_step)
                width = count_widths.get(count)
                if width is None:
                    width = count_widths[count] = self.small_metrics.horizontalAdvance(str(count))
                marker = FindingMarker(step, on_step, self.small_font, width)
                add(marker)
                info.marker = marker
                self.markers[step.id] = marker
            if step.delayed_days and step.ready_for_discharge is not None and not info.point:
                hatch = HatchItem(mark, hatch_brush)
                info.hatch = hatch
                info.hatch_d0 = min(max(self.day_of(step.ready_for_discharge), info.d0), info.d1)
                self.hatches[step.id] = hatch

    def _label(self, info: _Info) -> StepLabel:
        """A step's label item, made the first time there is room to show it."""
        if info.label is None:
            step = info.step
            text = step.label or label("kind", step.kind)
            if info.point and step.kind in describe.ONGOING_KINDS:
                text += " (ongoing)"
            info.label = StepLabel(step, text, self.metrics.horizontalAdvance(text), self.text_font)
            self.addItem(info.label)
            self.labels[step.id] = info.label
        return info.label

    def _step_tooltip(self, step: Step) -> str:
        org = self.context.orgs.get(step.organisation)
        what = html.escape(step.label or label("kind", step.kind))
        kind = label("kind", step.kind) + (", emergency" if step.emergency else "")
        where = html.escape(org.name if org else step.organisation)
        sector = f" ({html.escape(label('sector', org.sector))})" if org else ""
        lines = [f"<b>{what}</b>", html.escape(describe.step_period(step)),
                 f"{html.escape(kind)} at {where}{sector}"]
        if step.funding:
            lines.append(f"Funding: {html.escape(label('funding', step.funding))}")
        if step.stage:
            lines.append(f"Stage: {html.escape(label('stage', step.stage))}")
        delay = describe.delay(step)
        if delay:
            lines.append(f"Delay: {html.escape(delay)}")
        return "<br>".join(lines)

    @staticmethod
    def _arrow_pen(name: str, alpha: float = 1.0) -> QPen:
        style = ARROW_STYLES[name]
        colour = QColor(style.colour)
        colour.setAlphaF(alpha)
        pen = QPen(colour, style.width, style.pen_style)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap if name == "none" else Qt.PenCapStyle.FlatCap)
        return pen

    def _build_arrows(self) -> None:
        self._arrow_level = 1.0
        #: Arrows too close together to tell apart: the view then draws without antialiasing
        #: (thousands of smoothed curves cost a tenth of a second to paint).
        self.dense = False
        pens = {name: self._arrow_pen(name) for name in ARROW_STYLES}
        for link in self.context.handoffs:
            if link.source.id not in self._by_id or link.target.id not in self._by_id:
                continue
            name = arrow_style(link)
            arrow = HandoffArrow(link, ARROW_STYLES[name], pens[name])
            self.addItem(arrow)
            self.arrows.append(arrow)
        # the heads of each style's arrows in one item, above the lines
        self.heads: dict[str, QGraphicsPathItem] = {}
        for name, style in ARROW_STYLES.items():
            heads = QGraphicsPathItem()
            heads.setPen(NO_PEN)
            heads.setBrush(QColor(style.colour))
            self.addItem(heads)
            self.heads[name] = heads

    def tooltip_for(self, item: QGraphicsItem) -> str:
        """The tooltip of an item of the map, written when it is asked for."""
        if isinstance(item, StepMark | StepLabel):
            return self._step_tooltip(item.step)
        if isinstance(item, FindingMarker):
            return item.tooltip()
        if isinstance(item, HatchItem):
            step = item.step
            ready, left = format_day(step.ready_for_discharge), format_day(step.end)
            return literal(f"{describe.delay(step)}\nReady for discharge {ready}, left {left}")
        if isinstance(item, HandoffArrow):
            return self._handoff_tooltip(item.link)
        return item.toolTip()

    def helpEvent(self, event: QGraphicsSceneHelpEvent) -> None:
        text = ""
        in_chrome = False
        for item in self.items(event.scenePos()):
            chrome = self.is_chrome(item)
            if in_chrome and not chrome:
                break  # nothing under the frozen header and lane labels shows through
            in_chrome = chrome
            text = self.tooltip_for(item)
            if text:
                break
        if text:
            QToolTip.showText(event.screenPos(), text, event.widget())
            event.accept()
        else:
            QToolTip.hideText()
            event.ignore()

    def is_chrome(self, item: QGraphicsItem) -> bool:
        """Whether an item belongs to the frozen header, lane labels or key (which cover steps)."""
        top = item.topLevelItem()
        return top is self.header or top is self.column or top is self.corner or top is self.legend

    def _handoff_tooltip(self, link: Link) -> str:
        ctx = self.context
        source = f"{ctx.name(link.source)}: {link.source.label or label('kind', link.source.kind)}"
        target = f"{ctx.name(link.target)}: {link.target.label or label('kind', link.target.kind)}"
        if link.derived:
            how = "Not recorded (derived: consecutive steps at different organisations)"
        else:
            how = label("method", link.method)
        receiver = ctx.case.member(link.named_receiver) if link.named_receiver else None
        lines = [f"Handoff on {format_day(link.on)}", f"From {source}", f"To {target}", f"How: {how}",
                 f"Named receiver: {receiver.name if receiver else 'none named'}"]
        return literal("\n".join(lines))

    def _build_chrome(self) -> None:
        """The frozen parts: the header (stages and time axis), the lane labels and their corner."""
        self.grid = GridItem(self)
        self.addItem(self.grid)
        # lane backgrounds across the whole width
        self._lane_backgrounds: list[QGraphicsRectItem] = []
        separator = QPen(QColor("#d5d9e0"), 1)
        for lane in self.lanes:
            background = QGraphicsRectItem()
            background.setBrush(_tint(lane.colour, 0.10))
            background.setPen(separator)
            background.setZValue(-10)
            self.addItem(background)
            self._lane_backgrounds.append(background)
        self.header = QGraphicsRectItem()
        self.header.setBrush(CHROME)
        self.header.setPen(QPen(CHROME_LINE, 1))
        self.header.setZValue(20)
        self.addItem(self.header)
        self.axis = AxisItem(self, self.header)
        # the lane label column
        self.column = QGraphicsRectItem(0, self.lanes_top, self.label_width,
                                        self.lanes_bottom - self.lanes_top)
        self.column.setBrush(CHROME)
        self.column.setPen(QPen(CHROME_LINE, 1))
        self.column.setZValue(21)
        self.addItem(self.column)
        self.lane_texts: list[list[QGraphicsSimpleTextItem]] = []
        fonts = [(self.bold_font, self.bold_metrics), (self.small_font, self.small_metrics),
                 (self.small_font, self.small_metrics)]
        text_width = self.label_width - 20
        for lane in self.lanes:
            block = QGraphicsRectItem(0, lane.y, self.label_width, lane.height, self.column)
            block.setBrush(_tint(lane.colour, 0.22))
            block.setPen(QPen(QColor("#d5d9e0"), 1))
            swatch = QGraphicsRectItem(2, lane.y + 3, 7, lane.height - 6, self.column)
            swatch.setBrush(QColor("#ffffff") if lane.colour.lightness() < 40 else lane.colour)
            swatch.setPen(QPen(QColor("#000000") if lane.colour.lightness() < 40 else lane.colour.darker(150),
                               1.5 if lane.colour.lightness() < 40 else 1))
            texts = []
            height = self.line_h + 1 + 2 * self.small_line_h
            y = lane.y + (lane.height - height) / 2
            for (font, metrics), line in zip(fonts, lane.lines, strict=True):
                shown = metrics.elidedText(line, Qt.TextElideMode.ElideRight, text_width)
                item = QGraphicsSimpleTextItem(shown, self.column)
                item.setFont(font)
                item.setBrush(TEXT if font is self.bold_font else MUTED.darker(130))
                item.setPos(14, y)
                texts.append(item)
                y += self.line_h + 1 if font is self.bold_font else self.small_line_h
            block.setToolTip(self._lane_tooltip(lane))
            self.lane_texts.append(texts)
        self.corner = QGraphicsRectItem(0, 0, self.label_width, self.header_height)
        self.corner.setBrush(CHROME)
        self.corner.setPen(QPen(CHROME_LINE, 1))
        self.corner.setZValue(22)
        self.addItem(self.corner)
        mode = "Lanes by sector" if self.lane_mode == "sector" else "Lanes by organisation"
        title = QGraphicsSimpleTextItem(mode, self.corner)
        title.setFont(self.bold_font)
        title.setBrush(TEXT)
        title.setPos(8, 2)
        handoffs = len(self.arrows)
        counts = QGraphicsSimpleTextItem(
            f"{len(self._infos)} step{'s' * (len(self._infos) != 1)}, "
            f"{handoffs} handoff{'s' * (handoffs != 1)}", self.corner)
        counts.setFont(self.small_font)
        counts.setBrush(MUTED)
        counts.setPos(8, 4 + self.line_h)
        stage = QGraphicsSimpleTextItem("Stage", self.corner)
        stage.setFont(self.small_font)
        stage.setBrush(MUTED)
        stage.setPos(self.label_width - self.small_metrics.horizontalAdvance("Stage") - 8,
                     self.axis_rows[2] + (self.line_h + 2 - self.small_metrics.height()) / 2)
        if not self._infos:
            empty = QGraphicsSimpleTextItem("No steps yet: the pathway is empty.")
            empty.setFont(self.text_font)
            empty.setBrush(MUTED)
            empty.setPos(self.label_width + LEFT_GAP, self.header_height + 12)
            self.addItem(empty)
            self.lanes_bottom = max(self.lanes_bottom, self.header_height + 40)

    def _lane_tooltip(self, lane: Lane) -> str:
        ctx = self.context
        lines = [lane.title]
        for org in lane.organisations:
            regs = ", ".join(label("regulator", r) for r in ctx.regulators.get(org.id, [])) or "no regulator"
            pay = label("payment_model", ctx.payment.get(org.id)) or "payment not recorded"
            lines.append(f"{org.name} ({label('sector', org.sector)}): regulated by {regs}; {pay}")
        return literal("\n".join(lines))

    def _build_legend(self) -> None:
        """The key, in groups, flowing in rows below the lanes (see ``_layout_legend``); it
        follows the view sideways, so it stays in sight at any zoom."""
        self.legend = QGraphicsRectItem()
        self.legend.setPen(NO_PEN)
        self.legend.setZValue(8)
        self.legend.setX(8)
        self.addItem(self.legend)
        grey, outline = QColor("#bfc5cc"), QPen(QColor("#5f6368"), 1)

        def rect(x: float, y: float, w: float, h: float, brush: QColor | QBrush,
                 pen: QPen) -> QGraphicsRectItem:
            item = QGraphicsRectItem(x, y, w, h)
            item.setBrush(brush)
            item.setPen(pen)
            return item

        entries: list[tuple[str, QGraphicsItem | None, str]] = []
        sectors = list(dict.fromkeys(org.sector for lane in self.lanes for org in lane.organisations))
        for sector in sectors:
            colour = QColor(sector_colour(sector))
            black = colour.lightness() < 40
            pen = QPen(QColor("#000000") if black else colour.darker(170), 2 if black else 1)
            swatch = rect(0, 1, 16, 10, QColor("#ffffff") if black else colour, pen)
            entries.append(("Lanes", swatch, label("sector", sector)))
        entries.append(("Steps", rect(0, 1, 24, 10, grey, outline), "Stay or service"))
        entries.append(("Steps", rect(7, 0, POINT_W, 12, grey, outline), "One moment"))
        delay = rect(0, 1, 24, 10, grey, outline)
        rect(0, 1, 24, 10, QBrush(QColor("#1f2933"), Qt.BrushStyle.BDiagPattern), NO_PEN).setParentItem(delay)
        entries.append(("Steps", delay, "Delayed discharge"))
        for name, style in ARROW_STYLES.items():
            path = QPainterPath(QPointF(0, 6))
            path.lineTo(QPointF(20, 6))
            line = QGraphicsPathItem(path)
            pen = QPen(QColor(style.colour), style.width, style.pen_style)
            if name == "none":
                pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            line.setPen(pen)
            head = QGraphicsPolygonItem(QPolygonF([QPointF(20, 2.5), QPointF(27, 6), QPointF(20, 9.5)]), line)
            head.setBrush(QColor(style.colour))
            head.setPen(NO_PEN)
            entries.append(("Handoffs", line, style.legend))
        for severity in severity_order():
            fill, shape = severity_style(severity)
            marker = QGraphicsPathItem(severity_path(shape))
            marker.setBrush(QColor(fill))
            marker.setPen(QPen(QColor("#222222"), 1))
            entries.append(("Findings", marker, severity_label(severity)))
        entries.append(("Findings", None, "(number = how many)"))
        if self.case_findings:
            count = len(self.case_findings)
            entries.append(("Findings", None, f"+ {count} on the whole case"))
        self._legend = []
        title = QGraphicsSimpleTextItem("Key", self.legend)
        title.setFont(self.bold_font)
        title.setBrush(TEXT)
        self._legend.append(("title", [title], self.bold_metrics.horizontalAdvance("Key")))
        group = ""
        for name, sample, text in entries:
            if name != group:
                group = name
                heading = QGraphicsSimpleTextItem(f"{name}:", self.legend)
                heading.setFont(self.bold_font)
                heading.setBrush(TEXT)
                self._legend.append(("heading", [heading], self.bold_metrics.horizontalAdvance(f"{name}:")))
            items: list[QGraphicsItem] = []
            width = 0.0
            if sample is not None:
                sample.setParentItem(self.legend)
                items.append(sample)
                width += _right(sample) + 4
            words = QGraphicsSimpleTextItem(text, self.legend)
            words.setFont(self.small_font)
            words.setBrush(TEXT)
            items.append(words)
            width += self.small_metrics.horizontalAdvance(text)
            self._legend.append(("entry", items, width))

    # -- layout at a zoom --------------------------------------------------------------------
    def set_view_width(self, width: float) -> None:
        """The legend flows to the width of the window showing the map."""
        if abs(width - self.view_width) >= 1:
            self.view_width = width
            self._layout_legend()
            self._update_rect()

    def set_pixels_per_day(self, ppd: float) -> None:
        """Lay the map out again at ``ppd`` pixels per day (horizontal zoom)."""
        self.ppd = min(max(ppd, MIN_PPD), self.max_ppd())
        self.time_right = self.x_at(self.end_day)
        self.map_width = self.time_right + RIGHT_PAD
        self.scale.choose(self.ppd)
        self._layout_steps()
        self._layout_arrows()
        for lane, background in zip(self.lanes, self._lane_backgrounds, strict=True):
            background.setRect(0, lane.y, self.map_width, lane.height)
        self.header.setRect(0, 0, self.map_width, self.header_height)
        self.axis.prepareGeometryChange()
        self.grid.prepareGeometryChange()
        self._layout_legend()
        self._update_rect()
        self.axis.update()
        self.grid.update()

    def _layout_steps(self) -> None:
        ppd, left = self.ppd, self.left
        half = POINT_W / 2
        label_dy = (self.line_h - self.metrics.height()) / 2
        for info in self._infos:
            x0 = left + info.d0 * ppd
            if info.point:
                info.left, info.right, info.cx = x0 - half, x0 + half, x0
            else:
                x1 = max(left + info.d1 * ppd, x0 + MIN_SPAN_W)
                info.left, info.right = x0, x1
                info.cx = x0 + min(6.0, (x1 - x0) / 2)
            mark_top = info.top + self.line_h + 2
            info.mark.setRect(info.left, mark_top, info.right - info.left, MARK_H)
            if info.hatch is not None:
                hx0 = left + info.hatch_d0 * ppd
                info.hatch.setRect(hx0, mark_top, max(info.right - hx0, 0.0), MARK_H)
        width_limit = self.map_width - LABEL_GAP
        marker_dy = (self.line_h - BADGE) / 2
        for info in self._infos:  # severity marks at the start of the label line
            marker = info.marker
            if marker is not None:
                limit = (info.next.left - LABEL_GAP) if info.next is not None else width_limit
                marker.setPos(info.left, info.top + marker_dy)
                if marker.count_text:
                    marker.set_count_visible(limit - (info.left + BADGE + 2) >= marker.count_width)
        self._declutter_markers()
        elide = self.metrics.elidedText
        min_label = self.metrics.horizontalAdvance("Abc…")
        taken: dict[tuple[int, int], float] = {}  # the right edge of what is shown in each row
        for info in self._infos:  # labels after the marks, elided before the next step, or dropped
            limit = (info.next.left - LABEL_GAP) if info.next is not None else width_limit
            row = (info.lane, info.row)
            x = max(info.left, taken.get(row, -1e9) + 3)
            marker = info.marker
            if marker is not None:
                if marker.shown:
                    taken[row] = info.left + BADGE + (marker.count_width + 1 if marker.count_visible() else 0)
                x = max(x, info.left + BADGE + 2)
                if marker.count_visible():
                    x += marker.count_width + 3
            space = limit - x
            if space < min_label:
                if info.label is not None and info.label.isVisible():
                    info.label.setVisible(False)
                continue
            text = self._label(info)
            if not text.isVisible():
                text.setVisible(True)
            taken[row] = x + min(text.full_width, space)
            text.setPos(x, info.top + label_dy)
            if text.full_width <= space:
                text.show_text(text.full_text)
            else:
                text.show_text(elide(text.full_text, Qt.TextElideMode.ElideRight, space))

    def _declutter_markers(self) -> None:
        """Where severity marks would overlap in a row (zoomed far out), keep the most severe."""
        order = severity_order()
        placed: dict[tuple[int, int], list[tuple[float, float]]] = {}
        infos = sorted((i for i in self._infos if i.marker is not None),
                       key=lambda i: (order[i.marker.severity], i.index))  # type: ignore[union-attr]
        for info in infos:
            marker = info.marker
            assert marker is not None
            left = info.left
            right = left + BADGE + (marker.count_width + 3 if marker._show_count else 0)
            row = placed.setdefault((info.lane, info.row), [])
            at = bisect_left(row, (left, right))
            clear = (at == 0 or row[at - 1][1] + 1 <= left) and (at == len(row) or right + 1 <= row[at][0])
            if clear:
                row.insert(at, (left, right))
            if marker.shown != clear:
                marker.shown = clear
                marker.setVisible(clear)

    def _layout_arrows(self) -> None:
        """Arrows leave the source's mark on the day of the handoff (the receiving step's start)
        and arrive at the top or bottom of the target's mark; within one row they dip below."""
        by_id = self._by_id
        half = MARK_H / 2
        room = (self.time_right - self.left) / max(len(self.arrows), 1)
        # many arrows close together are drawn fainter, so the marks stay clear (in the pens'
        # colours: an item's opacity costs far more to paint)
        level = 1.0 if room >= 12 else 0.6 if room >= 4 else 0.35 if room >= 1 else 0.22
        self.dense = level < 1.0
        if level != self._arrow_level:
            self._arrow_level = level
            pens = {name: self._arrow_pen(name, level) for name in ARROW_STYLES}
            for arrow in self.arrows:
                arrow.setPen(pens[arrow.style])
            for name, item in self.heads.items():
                colour = QColor(ARROW_STYLES[name].colour)
                colour.setAlphaF(level)
                item.setBrush(colour)
        heads = {name: QPainterPath() for name in self.heads}
        for arrow in self.arrows:
            source, target = by_id[arrow.link.source.id], by_id[arrow.link.target.id]
            tx = target.cx
            if not source.point and source.right - source.left > 4:
                xs = min(max(tx, source.left + 2), source.right - 2)
            else:
                xs = source.cx
            ys, yt = source.cy, target.cy
            if abs(yt - ys) > 1:
                sign = 1.0 if yt > ys else -1.0  # 1: down the map
                y0, y1 = ys + sign * half, yt - sign * (half + 1)
                middle = (y0 + y1) / 2
                c0 = c1 = middle
            else:  # same row: an arc below the marks, arriving upwards
                sign = -1.0
                y0, y1 = ys + half, yt + half + 1
                c0 = c1 = ys + half + 14
            path = QPainterPath()
            path.moveTo(xs, y0)
            path.cubicTo(xs, c0, tx, c1, tx, y1)
            arrow.setPath(path)
            tip, base = y1 + sign, y1 - sign * 7
            arrow.points = (xs, y0, tx, y1, tx, tip, tx + 3.5, base, tx - 3.5, base)
            head = heads[arrow.style]
            head.moveTo(tx, tip)
            head.lineTo(tx + 3.5, base)
            head.lineTo(tx - 3.5, base)
            head.closeSubpath()
        for name, item in self.heads.items():
            item.setPath(heads[name])
            item.setVisible(not heads[name].isEmpty())  # an empty path is invalid in SVG

    def _layout_legend(self) -> None:
        width = max(420.0, min(self.view_width, max(self.map_width, 420.0)) - 16)
        row_h = self.line_h + 4
        x, y = 0.0, 0.0
        indent = self._legend[0][2] + 12
        entries = self._legend
        for index, (kind, items, item_width) in enumerate(entries):
            needed = item_width
            if kind == "heading" and index + 1 < len(entries):
                needed += 6 + entries[index + 1][2]  # a heading stays with its first entry
            if x + needed > width and x > indent:
                x, y = indent, y + row_h
            for item in items:
                if isinstance(item, QGraphicsSimpleTextItem):
                    metrics = self.bold_metrics if kind != "entry" else self.small_metrics
                    item.setPos(x, y + (row_h - metrics.height()) / 2)
                    x += metrics.horizontalAdvance(item.text())
                else:
                    item.setPos(x, y + (row_h - 12) / 2)
                    x += _right(item) + 4
            x += 6 if kind == "heading" else 14
        self.legend_height = y + row_h
        self.legend.setRect(0, 0, width, self.legend_height)
        self.legend.setY(self.lanes_bottom + 6)
        self.legend_bottom = self.lanes_bottom + 6 + self.legend_height + 4

    def _update_rect(self) -> None:
        width = max(self.map_width, self.legend.rect().width() + 16)
        self.setSceneRect(QRectF(0, 0, width, self.legend_bottom))

    # -- sticky header and lane labels -------------------------------------------------------
    def stick(self, visible: QRectF) -> None:
        """Keep the header at the top and the lane labels at the left of the visible part."""
        x = min(max(0.0, visible.left()), max(0.0, self.map_width - self.label_width))
        y = min(max(0.0, visible.top()), max(0.0, self.lanes_bottom - self.header_height))
        self._sticky = QPointF(x, y)
        if self.column.x() != x:
            self.column.setX(x)
        if self.header.y() != y:
            self.header.setY(y)
        if self.corner.pos() != self._sticky:
            self.corner.setPos(self._sticky)
        widest = max(0.0, self.map_width - self.legend.rect().width() - 16)
        legend_x = 8 + min(max(0.0, visible.left()), widest)
        if self.legend.x() != legend_x:
            self.legend.setX(legend_x)
        left = x + self.label_width
        if self.axis.visible_left != left:
            self.axis.visible_left = left
            self.axis.update()

    @contextmanager
    def whole(self, max_width: float = MAX_EXPORT_WIDTH) -> Iterator[QRectF]:
        """The whole map, for export: frozen parts home, no selection, and no wider than
        ``max_width`` (laid out to fit first if it would be); restored afterwards."""
        ppd, sticky, selected = self.ppd, QRectF(self._sticky, QSize(1, 1).toSizeF()), list(self.selected)
        if self.map_width > max_width:
            self.set_pixels_per_day(self.fit_ppd(max_width))
        self.stick(QRectF(0, 0, 1, 1))
        self.select_steps([])
        try:
            yield QRectF(self.sceneRect())
        finally:
            if self.ppd != ppd:
                self.set_pixels_per_day(ppd)
            self.stick(sticky)
            self.select_steps(selected)

    # -- selection ---------------------------------------------------------------------------
    def select_steps(self, step_ids: Sequence[str]) -> list[str]:
        """Highlight exactly these steps' marks (unknown ids are ignored); returns those shown."""
        wanted = [i for i in dict.fromkeys(step_ids) if i in self.marks]
        for step_id in self.selected:
            if step_id not in wanted:
                self.marks[step_id].set_highlighted(False)
        for step_id in wanted:
            self.marks[step_id].set_highlighted(True)
        self.selected = wanted
        return wanted

    def highlighted(self) -> set[str]:
        return {step_id for step_id, mark in self.marks.items() if mark.highlighted}

    def step_rect(self, step_ids: Sequence[str]) -> QRectF:
        """The marks (with labels' line) of some steps, united."""
        rect = QRectF()
        for step_id in step_ids:
            info = self._by_id.get(step_id)
            if info is not None:
                rect = rect.united(QRectF(info.left, info.top, max(info.right - info.left, 1.0),
                                          self.row_h - ROW_GAP))
        return rect

    def findings_of(self, step_id: str) -> list[Finding]:
        marker = self.markers.get(step_id)
        return list(marker.findings) if marker else []


def build_scene(case: Case, analysis: Analysis | None = None, lanes: str = "sector") -> PathwayScene:
    """The case as a swimlane map: one lane per sector (or per ``"organisation"``) present on the
    pathway, time left to right, laid out to fit 1,200 pixels until a view sets its zoom."""
    return PathwayScene(case, analysis, lanes)


# -- the view ----------------------------------------------------------------------------------
class PathwayMapView(QGraphicsView):
    """The map in a window: drag to pan, Ctrl+wheel or +/- to zoom (time only), 0 or F to fit,
    Left/Right to step through the pathway, Enter to open the selected step's findings in turn."""

    #: Step ids the user selected (clicks, arrow keys); [] when the user cleared the selection.
    steps_selected = Signal(object)
    #: The step the user clicked or moved to, for the detail pane.
    step_activated = Signal(str)
    #: (rule id, frozenset of step ids) of a finding the user opened from a marker or with Enter.
    finding_selected = Signal(str, object)
    #: Pixels per day after a zoom.
    zoom_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setBackgroundBrush(QColor("#ffffff"))
        self.fitted = True
        self._press: QPointF | None = None
        self._enter_count = 0
        self._menu: QMenu | None = None
        self._pointing = False
        self.viewport().setMouseTracking(True)  # for the pointing hand (items set no cursors)

    def map_scene(self) -> PathwayScene | None:
        scene = self.scene()
        return scene if isinstance(scene, PathwayScene) else None

    def set_map_scene(self, scene: PathwayScene, ppd: float | None = None) -> None:
        """Show ``scene``: fitted to the window, or at ``ppd`` pixels per day."""
        self.setScene(scene)
        self.viewport().setMouseTracking(True)
        scene.set_view_width(self.viewport().width())
        self._enter_count = 0
        if ppd is None:
            self.fit()
        else:
            self.fitted = False
            scene.set_pixels_per_day(max(ppd, self.min_ppd()))
            self._stick()

    # -- geometry ------------------------------------------------------------------------------
    def _to_scene(self, x: float, y: float) -> QPointF:
        inverse, _ok = self.viewportTransform().inverted()
        return inverse.map(QPointF(x, y))

    def visible_scene_rect(self) -> QRectF:
        top_left = self._to_scene(0, 0)
        bottom_right = self._to_scene(self.viewport().width(), self.viewport().height())
        return QRectF(top_left, bottom_right)

    def _stick(self) -> None:
        scene = self.map_scene()
        if scene is not None:
            scene.stick(self.visible_scene_rect())
            smooth = not scene.dense
            if bool(self.renderHints() & QPainter.RenderHint.Antialiasing) != smooth:
                self.setRenderHint(QPainter.RenderHint.Antialiasing, smooth)

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        self._stick()

    def _scroll_to(self, scene_x: float | None, view_x: float, scene_y: float | None = None,
                   view_y: float = 0.0) -> None:
        """Scroll so that scene point (scene_x, scene_y) shows at viewport (view_x, view_y)."""
        here = self._to_scene(view_x, view_y)
        if scene_x is not None:
            bar = self.horizontalScrollBar()
            bar.setValue(round(bar.value() + scene_x - here.x()))
        if scene_y is not None:
            bar = self.verticalScrollBar()
            bar.setValue(round(bar.value() + scene_y - here.y()))
        self._stick()

    def time_area(self) -> tuple[float, float]:
        """The viewport's x range not covered by the frozen lane labels."""
        scene = self.map_scene()
        left = scene.label_width if scene else 0.0
        return left, float(self.viewport().width())

    # -- zoom ------------------------------------------------------------------------------
    @property
    def pixels_per_day(self) -> float:
        scene = self.map_scene()
        return scene.ppd if scene else 1.0

    def min_ppd(self) -> float:
        scene = self.map_scene()
        return scene.fit_ppd(self.viewport().width()) if scene else MIN_PPD

    def set_pixels_per_day(self, ppd: float, anchor_x: float | None = None) -> None:
        """Zoom the time axis, keeping the moment under viewport x ``anchor_x`` where it is
        (the middle of the time area by default)."""
        scene = self.map_scene()
        if scene is None:
            return
        if anchor_x is None:
            left, right = self.time_area()
            anchor_x = (left + right) / 2
        day = scene.day_at(self._to_scene(anchor_x, 0).x())
        scene.set_pixels_per_day(min(max(ppd, self.min_ppd()), scene.max_ppd()))
        self.fitted = False
        self._scroll_to(scene.x_at(day), anchor_x)
        self.zoom_changed.emit(scene.ppd)

    def zoom_by(self, factor: float, anchor_x: float | None = None) -> None:
        self.set_pixels_per_day(self.pixels_per_day * factor, anchor_x)

    def zoom_in(self) -> None:
        self.zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        self.zoom_by(1 / ZOOM_STEP)

    def zoom_to(self, first: Moment, last: Moment) -> None:
        """Show the period from ``first`` to ``last`` across the time area."""
        scene = self.map_scene()
        if scene is None:
            return
        left, right = self.time_area()
        d0, d1 = scene.day_of(first), scene.day_of(last)
        span = max(d1 - d0, 1 / 24)
        self.set_pixels_per_day((right - left - 24) / span)
        self._scroll_to(scene.x_at(d0), left + 12)

    def fit(self) -> None:
        """The whole pathway across the window (0 or F)."""
        scene = self.map_scene()
        if scene is None:
            return
        scene.set_view_width(self.viewport().width())
        scene.set_pixels_per_day(scene.fit_ppd(self.viewport().width()))
        self.fitted = True
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().minimum())
        self._stick()
        self.zoom_changed.emit(scene.ppd)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        scene = self.map_scene()
        if scene is None:
            return
        scene.set_view_width(self.viewport().width())
        if self.fitted:
            self.fit()
        else:
            self._stick()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            if steps:
                self.zoom_by(ZOOM_STEP ** steps, event.position().x())
            event.accept()
            return
        super().wheelEvent(event)

    # -- selection and navigation ------------------------------------------------------------
    def reveal(self, step_ids: Sequence[str], centre: bool = False) -> None:
        """Scroll so these steps show in the time area (centred on them with ``centre``)."""
        scene = self.map_scene()
        if scene is None or not step_ids:
            return
        rect = scene.step_rect(step_ids)
        if rect.isNull():
            return
        visible = self.visible_scene_rect()
        left, right = self.time_area()
        area_left = visible.left() + left
        top = visible.top() + scene.header_height
        inside_x = rect.left() >= area_left + 8 and rect.right() <= visible.right() - 8
        inside_y = rect.top() >= top + 4 and rect.bottom() <= visible.bottom() - 4
        if centre or not inside_x:
            if rect.width() > right - left - 40:
                self._scroll_to(rect.left(), left + 20)
            else:
                self._scroll_to(rect.center().x(), (left + right) / 2)
        if centre or not inside_y:
            height = self.viewport().height()
            self._scroll_to(None, 0, rect.center().y(), (scene.header_height + height) / 2)

    def select_steps(self, step_ids: Sequence[str]) -> list[str]:
        """Highlight these steps and bring them into view (no signal: the caller knows)."""
        scene = self.map_scene()
        if scene is None:
            return []
        shown = scene.select_steps(step_ids)
        self._enter_count = 0
        self.reveal(shown)
        return shown

    def _user_select(self, step_ids: list[str], activated: str | None) -> None:
        scene = self.map_scene()
        if scene is None:
            return
        scene.select_steps(step_ids)
        self._enter_count = 0
        self.steps_selected.emit(list(scene.selected))
        if activated is not None:
            self.step_activated.emit(activated)

    def move_selection(self, delta: int) -> None:
        """Select the next (``delta`` 1) or previous (-1) step in time order and centre on it."""
        scene = self.map_scene()
        if scene is None or not scene.order:
            return
        if scene.selected:
            positions = [scene.order.index(i) for i in scene.selected]
            index = max(positions) + 1 if delta > 0 else min(positions) - 1
        else:
            index = 0 if delta > 0 else len(scene.order) - 1
        index = min(max(index, 0), len(scene.order) - 1)
        step_id = scene.order[index]
        self._user_select([step_id], step_id)
        self.reveal([step_id], centre=True)

    def select_index(self, index: int) -> None:
        scene = self.map_scene()
        if scene is not None and scene.order:
            step_id = scene.order[index]
            self._user_select([step_id], step_id)
            self.reveal([step_id], centre=True)

    def open_finding(self, finding: Finding) -> None:
        """Show a finding's steps and tell the app which finding it is."""
        scene = self.map_scene()
        if scene is not None and finding.steps:
            scene.select_steps(finding.steps)
        self.finding_selected.emit(finding.rule, frozenset(finding.steps))

    def activate_selected(self) -> None:
        """Enter: open the selected step's findings, the next one each time."""
        scene = self.map_scene()
        if scene is None or len(scene.selected) != 1:
            return
        step_id = scene.selected[0]
        findings = scene.findings_of(step_id)
        if not findings:
            return
        finding = findings[self._enter_count % len(findings)]
        self._enter_count += 1
        self.finding_selected.emit(finding.rule, frozenset(finding.steps))

    def activate_marker(self, marker: FindingMarker, index: int | None = None,
                        at: QPoint | None = None) -> None:
        """Open a marker's finding: the ``index``-th, its only one, or the one chosen from a menu."""
        if index is not None:
            self.open_finding(marker.findings[index])
            return
        if len(marker.findings) == 1:
            self.open_finding(marker.findings[0])
            return
        menu = QMenu(self)
        for finding in marker.findings:
            action = menu.addAction(theme.severity_icon(finding.severity), f"{finding.rule} {finding.title}")
            action.triggered.connect(lambda _checked=False, f=finding: self.open_finding(f))
        self._menu = menu
        menu.popup(at if at is not None else self.mapToGlobal(self.mapFromScene(marker.scenePos())))

    def _target_at(self, pos: QPoint) -> FindingMarker | str | None:
        scene = self.map_scene()
        if scene is None:
            return None
        for item in self.items(pos):
            if scene.is_chrome(item):
                return None  # the frozen header and lane labels cover the steps under them
            if isinstance(item, FindingMarker):
                return item
            if isinstance(item, StepMark | StepLabel | HatchItem):
                return item.step.id
        return None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        super().mouseMoveEvent(event)
        if event.buttons() == Qt.MouseButton.NoButton:  # a pointing hand over what can be clicked
            clickable = self._target_at(event.position().toPoint()) is not None
            if clickable != self._pointing:
                self._pointing = clickable
                self.viewport().setCursor(Qt.CursorShape.PointingHandCursor if clickable
                                          else Qt.CursorShape.OpenHandCursor)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._press = None
        if event.button() == Qt.MouseButton.LeftButton:
            target = self._target_at(event.position().toPoint())
            if isinstance(target, FindingMarker):
                self.activate_marker(target, at=event.globalPosition().toPoint())
                event.accept()
                return
            if isinstance(target, str):
                scene = self.map_scene()
                assert scene is not None
                if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                    ids = [i for i in scene.selected if i != target]
                    if target not in scene.selected:
                        ids.append(target)
                else:
                    ids = [target]
                self._user_select(ids, target)
                event.accept()
                return
            self._press = event.position()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        press, self._press = self._press, None
        scene = self.map_scene()
        if press is None or scene is None or event.button() != Qt.MouseButton.LeftButton:
            return
        if (event.position() - press).manhattanLength() < 4 and scene.selected:
            self._user_select([], None)  # a click on empty space clears the selection

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        held = event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
        plain = not held
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_in()
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.zoom_out()
        elif key in (Qt.Key.Key_0, Qt.Key.Key_F) and plain:
            self.fit()
        elif key == Qt.Key.Key_Right and plain:
            self.move_selection(1)
        elif key == Qt.Key.Key_Left and plain:
            self.move_selection(-1)
        elif key == Qt.Key.Key_Home and plain:
            self.select_index(0)
        elif key == Qt.Key.Key_End and plain:
            self.select_index(-1)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.activate_selected()
        elif key == Qt.Key.Key_Escape and self.map_scene() is not None and self.map_scene().selected:  # type: ignore[union-attr]
            self._user_select([], None)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    # -- export --------------------------------------------------------------------------------
    def export_png(self, path: str | Path, scale: float = 2.0) -> Path:
        """Write the whole map as a PNG (replacing a file there; private, 0600)."""
        return write_atomically(self.png_bytes(scale), path, overwrite=True)

    def export_svg(self, path: str | Path) -> Path:
        """Write the whole map as an SVG drawing (replacing a file there; private, 0600)."""
        return write_atomically(self.svg_bytes(), path, overwrite=True)

    def png_bytes(self, scale: float = 2.0) -> bytes:
        """The whole map as a PNG (at ``scale`` times screen size, within image limits)."""
        scene = self.map_scene()
        if scene is None:
            raise ValueError("There is no map to export.")
        with scene.whole() as rect:
            scale = min(scale, 16000 / max(rect.width(), 1), 16000 / max(rect.height(), 1))
            image = QImage(QSize(math.ceil(rect.width() * scale), math.ceil(rect.height() * scale)),
                           QImage.Format.Format_ARGB32_Premultiplied)
            # the image keeps the screen's resolution (fonts are in points) and is scaled up as a
            # whole, so text and lines keep their proportions
            image.fill(QColor("#ffffff"))
            painter = QPainter(image)
            painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
            scene.render(painter, QRectF(0, 0, image.width(), image.height()), rect)
            painter.end()
        return image_bytes(image)

    def svg_bytes(self) -> bytes:
        """The whole map as an SVG drawing."""
        from PySide6.QtSvg import QSvgGenerator

        scene = self.map_scene()
        if scene is None:
            raise ValueError("There is no map to export.")
        with scene.whole() as rect:
            buffer = QBuffer()
            buffer.open(QIODevice.OpenModeFlag.WriteOnly)
            generator = QSvgGenerator()
            generator.setOutputDevice(buffer)
            size = QSize(math.ceil(rect.width()), math.ceil(rect.height()))
            generator.setSize(size)
            generator.setResolution(96)  # as on screen: fonts in points keep their size
            generator.setViewBox(QRect(QPoint(0, 0), size))
            generator.setTitle("Pathway map")
            generator.setDescription(f"{scene.case.display_title}: the pathway as swimlanes")
            painter = QPainter()
            if not painter.begin(generator):
                raise OSError("Could not draw the map as SVG.")
            painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
            scene.render(painter, QRectF(0, 0, size.width(), size.height()), rect)
            painter.end()
        buffer.close()
        return bytes(buffer.data().data())


def image_bytes(image: QImage | QPixmap) -> bytes:
    """An image as PNG bytes (for db.exports.export_file)."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]
        raise OSError("Could not make the PNG image.")
    buffer.close()
    return bytes(buffer.data().data())


# -- the tab -----------------------------------------------------------------------------------
def step_details(case: Case, step: Step, findings: Sequence[Finding]) -> tuple[str, Details]:
    """(title, details) of a step for the detail pane."""
    org = case.organisation(step.organisation)
    details: Details = [
        ("When", describe.step_period(step)),
        ("Kind", label("kind", step.kind) + (", emergency" if step.emergency else "")),
        ("Stage", label("stage", step.stage)),
        ("Organisation", org.name if org else step.organisation),
        ("Sector", label("sector", org.sector) if org else ""),
        ("Setting", label("setting", step.setting)),
        ("Funding", label("funding", step.funding)),
    ]
    if step.kind == "admission":
        details += [("Ready for discharge", format_day(step.ready_for_discharge)),
                    ("Delay", describe.delay(step) or "None")]
    if findings:
        details.append(("Findings", "\n".join(f"{severity_symbol(f.severity)} {f.rule} {f.title}"
                                              for f in findings)))
    if step.notes:
        details.append(("Notes", step.notes))
    return step.label or label("kind", step.kind), [(k, v) for k, v in details if v]


class PathwayMapTab(CaseTab):
    """The "Pathway map" tab: a toolbar over the map view."""

    title = "Pathway map"

    #: Step ids the user selected on the map (for the timeline table and the Findings tab).
    steps_selected = Signal(object)
    #: (rule id, frozenset of step ids) of the finding the user opened from a marker.
    finding_selected = Signal(str, object)
    #: (title, details) of the step the user clicked, for the detail pane.
    selected = Signal(str, object)
    #: (format, path) after an export (recorded in the audit trail first, by the saver).
    exported = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: writes the map's images, their export recorded first (the main window's; see ui.saving)
        self.saver: OutputSaver | None = None
        self.view = PathwayMapView()
        self.lanes = QComboBox()
        self.lanes.addItem("By sector", "sector")
        self.lanes.addItem("By organisation", "organisation")
        self.lanes.setToolTip("One lane per sector, or one per organisation")
        lanes_label = QLabel("&Lanes:")
        lanes_label.setBuddy(self.lanes)
        self.zoom_in_button = self._button("Zoom in", "+", "Zoom in on time (+ or Ctrl+wheel)",
                                           self.view.zoom_in)
        self.zoom_out_button = self._button("Zoom out", "−", "Zoom out (−)", self.view.zoom_out)
        self.fit_button = self._button("Fit", "Fit", "Show the whole pathway (0 or F)", self.view.fit)
        self.png_button = self._button("Export PNG…", "Export PNG…", "Save the whole map as an image",
                                       self.export_png_dialog)
        self.svg_button = self._button("Export SVG…", "Export SVG…", "Save the whole map as a drawing",
                                       self.export_svg_dialog)
        hint = muted_label("Drag to pan · Ctrl+wheel to zoom · ←/→ step by step · Enter opens a finding")
        hint.setWordWrap(False)
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(lanes_label)
        bar.addWidget(self.lanes)
        bar.addSpacing(12)
        for button in (self.zoom_in_button, self.zoom_out_button, self.fit_button):
            bar.addWidget(button)
        bar.addSpacing(12)
        bar.addWidget(self.png_button)
        bar.addWidget(self.svg_button)
        bar.addSpacing(12)
        bar.addWidget(hint, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self.scene: PathwayScene | None = None
        self._shown: object = None
        self.lanes.currentIndexChanged.connect(lambda _index: self._rebuild(keep=True))
        self.view.steps_selected.connect(self.steps_selected)
        self.view.finding_selected.connect(self.finding_selected)
        self.view.step_activated.connect(self._show_details)

    def _button(self, name: str, text: str, tip: str, slot: Any) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.setAccessibleName(name)
        button.clicked.connect(slot)
        return button

    @property
    def lane_mode(self) -> str:
        return str(self.lanes.currentData())

    def set_lane_mode(self, mode: str) -> None:
        self.lanes.setCurrentIndex(LANE_MODES.index(mode))

    def refresh(self) -> None:
        assert self.case is not None
        key = self.case.id if self.case.id is not None else id(self.case)
        self._rebuild(keep=key == self._shown)
        self._shown = key

    def _rebuild(self, keep: bool) -> None:
        if self.case is None:
            return
        old = self.scene
        fitted = self.view.fitted or old is None or not keep
        ppd = None if fitted or old is None else old.ppd
        h, v = self.view.horizontalScrollBar().value(), self.view.verticalScrollBar().value()
        selected = list(old.selected) if old is not None and keep else []
        self.scene = build_scene(self.case, self.analysis, self.lane_mode)
        self.view.set_map_scene(self.scene, ppd)
        if ppd is not None:
            self.view.horizontalScrollBar().setValue(h)
            self.view.verticalScrollBar().setValue(v)
        if selected:
            self.scene.select_steps(selected)
        if old is not None:
            old.deleteLater()

    def select_steps(self, step_ids: Sequence[str]) -> None:
        """Highlight these steps' marks (the selection shared with the timeline and the Findings
        tab) and scroll to them."""
        self.ensure_current()
        if self.scene is None:
            return
        self.view.select_steps(list(step_ids))

    def select_first(self) -> None:
        """Select the first step in time, so the detail pane shows something."""
        self.ensure_current()
        if self.scene is not None and self.scene.order:
            self.view.select_index(0)

    def _show_details(self, step_id: str) -> None:
        if self.case is None or self.scene is None:
            return
        step = self.case.step(step_id)
        if step is not None:
            title, details = step_details(self.case, step, self.scene.findings_of(step_id))
            self.selected.emit(title, details)

    # -- export --------------------------------------------------------------------------------
    def _default_name(self, suffix: str) -> str:
        title = self.case.display_title if self.case else "pathway"
        safe = "".join(c if c.isalnum() or c in " -_" else "-" for c in title).strip() or "pathway"
        return f"{safe} - pathway map.{suffix}"

    def export_png_dialog(self) -> None:
        self._export("PNG", "png", "PNG image (*.png)", self.view.png_bytes)

    def export_svg_dialog(self) -> None:
        self._export("SVG", "svg", "SVG drawing (*.svg)", self.view.svg_bytes)

    def _export(self, kind: str, suffix: str, filter_text: str, render: Callable[[], bytes]) -> None:
        """Ask where, then write the map through the saver: its export recorded first."""
        case = self.case
        if self.scene is None or case is None:
            return
        path = ask_save_path(self, f"Export the pathway map as {kind}", self._default_name(suffix),
                             filter_text, f".{suffix}")
        if path is None:
            return
        event = ExportEvent([case.id], kind.lower(), anonymised=False, what="pathway map")
        saver = self.saver or OutputSaver(self, None)
        saved = saver(path, lambda: Rendered(render(), event), "Export failed")
        if saved is not None:
            self.exported.emit(kind, str(saved[0]))
