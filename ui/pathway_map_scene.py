"""The pathway map's scene: the layout of :mod:`planner.map_layout` (lanes, rows, stage bands,
time axis, arrow routes, findings, the key's wording) placed in pixels at a zoom and drawn with Qt
items. Zoom is horizontal only: the scene is placed again for a new number of pixels per day.
"""

from __future__ import annotations

import html
import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QPainterPath,
    QPen,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSceneHelpEvent,
    QGraphicsSimpleTextItem,
    QToolTip,
)

from planner import describe
from planner.dates import format_day
from planner.map_layout.arrows import Box, route
from planner.map_layout.axis import TimeScale
from planner.map_layout.key import count_text
from planner.map_layout.labels import screen_label
from planner.map_layout.timeline import LANE_MODES, Band, Timeline
from planner.map_style import (
    lane_pattern,
    sector_colour,
)
from planner.model import Case, Moment, Step, moment_key
from planner.reference import label
from planner.rules.catalogue import severity_order
from planner.rules.context import Link
from ui import pathway_map_chrome as chrome
from ui.pathway_map_items import (
    ARROW_STYLES,
    BADGE,
    LABEL_GAP,
    LANE_PAD,
    LEFT_GAP,
    MARK_H,
    MAX_EXPORT_WIDTH,
    MAX_PPD,
    MAX_ROWS,
    MAX_SCENE_WIDTH,
    MIN_PPD,
    MIN_SPAN_W,
    NO_PEN,
    POINT_W,
    RIGHT_PAD,
    ROW_GAP,
    AxisItem,
    FindingMarker,
    GridItem,
    HandoffArrow,
    HatchItem,
    Lane,
    StepLabel,
    StepMark,
    StripedStepMark,
)
from ui.plaintext import literal

if TYPE_CHECKING:
    from planner.analysis import Analysis
    from planner.rules import Finding

from ui.pathway_map_items import _Info, _scaled


# -- the scene ---------------------------------------------------------------------------------
class PathwayScene(QGraphicsScene):
    """A case laid out as swimlanes; see :func:`build_scene`.

    ``lanes`` (in order), ``marks``/``labels``/``markers``/``hatches`` by step id, ``arrows`` (one
    per handoff, given and derived), ``bands`` (stage periods) and ``order`` (step ids in time
    order) are public for the view and for tests.
    """

    # the frozen parts and the key, made by ui.pathway_map_chrome
    grid: GridItem
    header: QGraphicsRectItem
    axis: AxisItem
    column: QGraphicsRectItem
    corner: QGraphicsRectItem
    legend: QGraphicsRectItem
    lane_texts: list[list[QGraphicsSimpleTextItem]]
    _lane_backgrounds: list[QGraphicsRectItem]

    def __init__(self, case: Case, analysis: Analysis | None = None, lanes: str = "sector",
                 view_width: float = 1200.0) -> None:
        super().__init__()
        if lanes not in LANE_MODES:
            raise ValueError(f"lanes must be one of {', '.join(LANE_MODES)}, not {lanes!r}")
        self.case = case
        self.analysis = analysis
        self.lane_mode = lanes
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
        timeline = self.timeline = Timeline(self.case, self.analysis.report.active() if self.analysis else (),
                                            self.lane_mode)
        self.context = timeline.context
        self.order = [placed.step.id for placed in timeline.steps]
        self._origin = timeline.origin
        self._origin_dt = datetime(timeline.origin.year, timeline.origin.month, timeline.origin.day)
        self.scale = TimeScale(timeline.origin, self._measure, 0.0)
        self.end_day = timeline.end_day
        self.bands = timeline.bands
        self._band_starts = [b.d0 for b in self.bands]
        self.case_findings = timeline.case_findings
        for placed in timeline.steps:
            info = _Info(placed.step, placed.index, placed.d0, placed.d1, placed.point)
            info.hatch_d0 = placed.hatch_d0 if placed.hatch_d0 is not None else 0.0
            self._infos.append(info)
            self._by_id[placed.step.id] = info
        self._build_lanes()
        self.left = self.label_width + LEFT_GAP
        findings = {placed.step.id: placed.findings for placed in timeline.steps if placed.findings}
        self._build_arrows()  # first: items of equal z stack in the order they are added
        self._build_steps(findings)
        chrome.build_chrome(self)
        chrome.build_legend(self)

    def _measure(self, text: str, size: float, bold: bool) -> float:
        """Text widths in the map's fonts (``size`` 0: the axis's font)."""
        return (self.bold_metrics if bold else self.metrics).horizontalAdvance(text)

    def _build_lanes(self) -> None:
        timeline = self.timeline
        timeline.assign_day_rows(MAX_ROWS)
        metrics = [(self.bold_metrics, 0), (self.small_metrics, 1), (self.small_metrics, 2)]
        widest = 0.0
        for number, shared in enumerate(timeline.lanes):
            lane = Lane(shared.key, shared.title, shared.sector, shared.organisations, shared.lines,
                        QColor(shared.colour), shared.pattern, shared.rows)
            self.lanes.append(lane)
            for metric, index in metrics:
                widest = max(widest, metric.horizontalAdvance(lane.lines[index]))
            for placed in shared.steps:
                info = self._by_id[placed.step.id]
                info.lane, info.row = number, placed.row
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
            striped = lane_pattern(org.sector if org else None) == "stripes"
            mark = (StripedStepMark if striped else StepMark)(step, info.point, pen, brushes[colour_code])
            add(mark)
            info.mark = mark
            self.marks[step.id] = mark
            on_step = findings.get(step.id)
            if on_step:
                count = len(on_step)
                width = count_widths.get(count)
                if width is None:
                    width = count_widths[count] = self.small_metrics.horizontalAdvance(count_text(count))
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
        for shared in self.timeline.arrows:
            name = shared.style
            arrow = HandoffArrow(shared.link, ARROW_STYLES[name], pens[name])
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

    # -- layout at a zoom --------------------------------------------------------------------
    def set_view_width(self, width: float) -> None:
        """The legend flows to the width of the window showing the map."""
        if abs(width - self.view_width) >= 1:
            self.view_width = width
            chrome.layout_legend(self)
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
        chrome.layout_legend(self)
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
        metrics = self.metrics

        def elide(text: str, room: float) -> str:
            return metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)

        min_label = self.metrics.horizontalAdvance("Abcdefgh…")
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
            shown = screen_label(text.full_text, text.full_width, space, elide)
            if not shown:  # a stub would say nothing: the label is left out
                text.setVisible(False)
                continue
            if not text.isVisible():
                text.setVisible(True)
            taken[row] = x + min(text.full_width, space)
            text.setPos(x, info.top + label_dy)
            text.show_text(shown)

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
            r = route(Box(source.left, source.right, source.cx, source.cy, source.point),
                      Box(target.left, target.right, target.cx, target.cy, target.point),
                      MARK_H, 7.0, 3.5, 14.0)
            path = QPainterPath()
            path.moveTo(*r.start)
            path.cubicTo(*r.c0, *r.c1, *r.end)
            arrow.setPath(path)
            arrow.points = (*r.start, *r.end, *r.tip, *r.base_left, *r.base_right)
            head = heads[arrow.style]
            head.moveTo(*r.tip)
            head.lineTo(*r.base_left)
            head.lineTo(*r.base_right)
            head.closeSubpath()
        for name, item in self.heads.items():
            item.setPath(heads[name])
            item.setVisible(not heads[name].isEmpty())  # an empty path is invalid in SVG

    def _update_rect(self) -> None:
        width = max(self.map_width, self.legend.rect().width() + 16)
        self.setSceneRect(QRectF(0, 0, width, self.legend_bottom))

    def stick(self, visible: QRectF) -> None:
        """Keep the header at the top and the lane labels at the left of the visible part."""
        chrome.stick(self, visible)

    @contextmanager
    def whole(self, max_width: float = MAX_EXPORT_WIDTH) -> Iterator[QRectF]:
        """The whole map, for export: frozen parts home, no selection, and no wider than
        ``max_width`` (laid out to fit first if it would be); restored afterwards."""
        ppd, sticky, selected = self.ppd, QRectF(self._sticky, QSize(1, 1).toSizeF()), list(self.selected)
        if self.map_width > max_width:
            self.set_pixels_per_day(self.fit_ppd(max_width))
        chrome.stick(self, QRectF(0, 0, 1, 1))
        self.select_steps([])
        try:
            yield QRectF(self.sceneRect())
        finally:
            if self.ppd != ppd:
                self.set_pixels_per_day(ppd)
            chrome.stick(self, sticky)
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


