"""The pathway map's Qt items: step marks, hatching, labels, severity marks, handoff arrows,
and the painted header (stage bands and time axis) and grid behind the steps. Their positions
come from the scene (``ui.pathway_map_scene``), which places the layout of
:mod:`planner.map_layout`.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsRectItem,
    QGraphicsSimpleTextItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from planner.map_layout.key import count_text
from planner.map_layout.labels import screen_label
from planner.map_style import (
    ARROW_LOOKS,
    OTHER_STAGE_COLOUR,
    STAGE_COLOURS,
    handoff_style,
)
from planner.model import Organisation, Step
from planner.rules.catalogue import severity_order, severity_style, severity_symbol
from planner.rules.context import Link
from ui import theme
from ui.plaintext import literal

if TYPE_CHECKING:
    from planner.rules import Finding
    from ui.pathway_map_scene import PathwayScene


TEXT = QColor(theme.TEXT)
MUTED = QColor(theme.MUTED)
HIGHLIGHT = QColor("#1d4ed8")
HIGHLIGHT_PEN = QPen(HIGHLIGHT, 3.0)
GRID = QColor(0, 0, 0, 30)
WEEKEND = QColor(0, 0, 0, 12)
CHROME = QColor("#fbfbfc")
CHROME_LINE = QColor("#c9ced6")
NO_PEN = QPen(Qt.PenStyle.NoPen)
#: White upright stripes over the marks of a sector that shares its colour with another.
STRIPES = QBrush(QColor("#ffffff"), Qt.BrushStyle.VerPattern)

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


class StripedStepMark(StepMark):
    """A step of a sector that shares its colour with another: white upright stripes over it."""

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        super().paint(painter, option, widget)
        painter.fillRect(self.rect().adjusted(1.5, 1.5, -1.5, -1.5), STRIPES)


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
        self.count_text = count_text(len(findings))
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
    pattern: str = "plain"
    rows: int = 1
    y: float = 0.0
    height: float = 0.0


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
            text = screen_label(band.title, metrics.horizontalAdvance(band.title), room,
                                lambda t, r: metrics.elidedText(t, Qt.TextElideMode.ElideRight, r))
            if text:
                painter.setPen(TEXT)
                painter.drawText(QRectF(text_left, stages, room + 2, line + 2),
                                 Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
        # the upper tier: months or years, labelled at their start or at the left of the view
        painter.setFont(scene.bold_font)
        for span in scene.scale.context(d0, d1):
            c0, c1, long_text, short_text = span.d0, span.d1, span.long, span.short
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
                if scene.scale.date(tick.day).weekday() >= 5:
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


