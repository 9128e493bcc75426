"""The pathway map's frozen parts and key: the header (stage bands and time axis), the lane label
column and its corner, which stay in view while the map scrolls, and the key below the lanes,
whose entries and wording are the printed map's (:mod:`planner.map_layout.key`). Functions of
:class:`ui.pathway_map_scene.PathwayScene`, which it calls.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QPainterPath,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsPolygonItem,
    QGraphicsRectItem,
    QGraphicsSimpleTextItem,
)

from planner.map_layout.key import key_entries
from planner.map_style import (
    OTHER_STAGE_COLOUR,
    STAGE_COLOURS,
    lane_pattern,
    sector_colour,
)
from planner.reference import label
from planner.rules.catalogue import severity_style
from ui.pathway_map_items import (
    ARROW_STYLES,
    CHROME,
    CHROME_LINE,
    LEFT_GAP,
    MUTED,
    NO_PEN,
    POINT_W,
    STRIPES,
    TEXT,
    AxisItem,
    GridItem,
    Lane,
    severity_path,
)
from ui.plaintext import literal

if TYPE_CHECKING:
    from ui.pathway_map_scene import PathwayScene

from ui.pathway_map_items import _right, _tint


# -- the scene ---------------------------------------------------------------------------------
def build_chrome(scene: PathwayScene) -> None:
    """The frozen parts: the header (stages and time axis), the lane labels and their corner."""
    scene.grid = GridItem(scene)
    scene.addItem(scene.grid)
    # lane backgrounds across the whole width
    scene._lane_backgrounds = []
    separator = QPen(QColor("#d5d9e0"), 1)
    for lane in scene.lanes:
        background = QGraphicsRectItem()
        background.setBrush(_tint(lane.colour, 0.10))
        background.setPen(separator)
        background.setZValue(-10)
        scene.addItem(background)
        scene._lane_backgrounds.append(background)
    scene.header = QGraphicsRectItem()
    scene.header.setBrush(CHROME)
    scene.header.setPen(QPen(CHROME_LINE, 1))
    scene.header.setZValue(20)
    scene.addItem(scene.header)
    scene.axis = AxisItem(scene, scene.header)
    # the lane label column
    scene.column = QGraphicsRectItem(0, scene.lanes_top, scene.label_width,
                                    scene.lanes_bottom - scene.lanes_top)
    scene.column.setBrush(CHROME)
    scene.column.setPen(QPen(CHROME_LINE, 1))
    scene.column.setZValue(21)
    scene.addItem(scene.column)
    scene.lane_texts = []
    fonts = [(scene.bold_font, scene.bold_metrics), (scene.small_font, scene.small_metrics),
             (scene.small_font, scene.small_metrics)]
    text_width = scene.label_width - 20
    for lane in scene.lanes:
        block = QGraphicsRectItem(0, lane.y, scene.label_width, lane.height, scene.column)
        block.setBrush(_tint(lane.colour, 0.22))
        block.setPen(QPen(QColor("#d5d9e0"), 1))
        swatch = QGraphicsRectItem(2, lane.y + 3, 7, lane.height - 6, scene.column)
        swatch.setBrush(QColor("#ffffff") if lane.colour.lightness() < 40 else lane.colour)
        swatch.setPen(QPen(QColor("#000000") if lane.colour.lightness() < 40 else lane.colour.darker(150),
                           1.5 if lane.colour.lightness() < 40 else 1))
        texts = []
        height = scene.line_h + 1 + 2 * scene.small_line_h
        y = lane.y + (lane.height - height) / 2
        for (font, metrics), line in zip(fonts, lane.lines, strict=True):
            shown = metrics.elidedText(line, Qt.TextElideMode.ElideRight, text_width)
            item = QGraphicsSimpleTextItem(shown, scene.column)
            item.setFont(font)
            item.setBrush(TEXT if font is scene.bold_font else MUTED.darker(130))
            item.setPos(14, y)
            texts.append(item)
            y += scene.line_h + 1 if font is scene.bold_font else scene.small_line_h
        block.setToolTip(lane_tooltip(scene, lane))
        scene.lane_texts.append(texts)
    scene.corner = QGraphicsRectItem(0, 0, scene.label_width, scene.header_height)
    scene.corner.setBrush(CHROME)
    scene.corner.setPen(QPen(CHROME_LINE, 1))
    scene.corner.setZValue(22)
    scene.addItem(scene.corner)
    mode = "Lanes by sector" if scene.lane_mode == "sector" else "Lanes by organisation"
    title = QGraphicsSimpleTextItem(mode, scene.corner)
    title.setFont(scene.bold_font)
    title.setBrush(TEXT)
    title.setPos(8, 2)
    handoffs = len(scene.arrows)
    counts = QGraphicsSimpleTextItem(
        f"{len(scene._infos)} step{'s' * (len(scene._infos) != 1)}, "
        f"{handoffs} handoff{'s' * (handoffs != 1)}", scene.corner)
    counts.setFont(scene.small_font)
    counts.setBrush(MUTED)
    counts.setPos(8, 4 + scene.line_h)
    stage = QGraphicsSimpleTextItem("Stage", scene.corner)
    stage.setFont(scene.small_font)
    stage.setBrush(MUTED)
    stage.setPos(scene.label_width - scene.small_metrics.horizontalAdvance("Stage") - 8,
                 scene.axis_rows[2] + (scene.line_h + 2 - scene.small_metrics.height()) / 2)
    if not scene._infos:
        empty = QGraphicsSimpleTextItem("No steps yet: the pathway is empty.")
        empty.setFont(scene.text_font)
        empty.setBrush(MUTED)
        empty.setPos(scene.label_width + LEFT_GAP, scene.header_height + 12)
        scene.addItem(empty)
        scene.lanes_bottom = max(scene.lanes_bottom, scene.header_height + 40)

def lane_tooltip(scene: PathwayScene, lane: Lane) -> str:
    ctx = scene.context
    lines = [lane.title]
    for org in lane.organisations:
        regs = ", ".join(label("regulator", r) for r in ctx.regulators.get(org.id, [])) or "no regulator"
        pay = label("payment_model", ctx.payment.get(org.id)) or "payment not recorded"
        lines.append(f"{org.name} ({label('sector', org.sector)}): regulated by {regs}; {pay}")
    return literal("\n".join(lines))

def build_legend(scene: PathwayScene) -> None:
    """The key, in groups, flowing in rows below the lanes (see ``layout_legend``); it
    follows the view sideways, so it stays in sight at any zoom."""
    scene.legend = QGraphicsRectItem()
    scene.legend.setPen(NO_PEN)
    scene.legend.setZValue(8)
    scene.legend.setX(8)
    scene.addItem(scene.legend)
    grey, outline = QColor("#bfc5cc"), QPen(QColor("#5f6368"), 1)

    def rect(x: float, y: float, w: float, h: float, brush: QColor | QBrush,
             pen: QPen) -> QGraphicsRectItem:
        item = QGraphicsRectItem(x, y, w, h)
        item.setBrush(brush)
        item.setPen(pen)
        return item

    entries: list[tuple[str, QGraphicsItem | None, str]] = []
    shared = key_entries(scene.timeline.sectors(), len(scene.case_findings),
                         stages=scene.timeline.stages())
    for entry in shared:  # the key's wording is the printed map's (planner.map_layout.key)
        entries.append((entry.group, key_sample(scene, entry.sample, rect, grey, outline), entry.words))
    scene._legend = []
    title = QGraphicsSimpleTextItem("Key", scene.legend)
    title.setFont(scene.bold_font)
    title.setBrush(TEXT)
    scene._legend.append(("title", [title], scene.bold_metrics.horizontalAdvance("Key")))
    group = ""
    for name, sample, text in entries:
        if name != group:
            group = name
            heading = QGraphicsSimpleTextItem(f"{name}:", scene.legend)
            heading.setFont(scene.bold_font)
            heading.setBrush(TEXT)
            scene._legend.append(("heading", [heading], scene.bold_metrics.horizontalAdvance(f"{name}:")))
        items: list[QGraphicsItem] = []
        width = 0.0
        if sample is not None:
            sample.setParentItem(scene.legend)
            items.append(sample)
            width += _right(sample) + 4
        words = QGraphicsSimpleTextItem(text, scene.legend)
        words.setFont(scene.small_font)
        words.setBrush(TEXT)
        items.append(words)
        width += scene.small_metrics.horizontalAdvance(text)
        scene._legend.append(("entry", items, width))

def key_sample(scene: PathwayScene, sample: str, rect: Callable[..., QGraphicsRectItem], grey: QColor,
                outline: QPen) -> QGraphicsItem | None:
    """The picture before a key entry's words (see planner.map_layout.key)."""
    if sample.startswith("lane:"):
        colour = QColor(sector_colour(sample[5:]))
        black = colour.lightness() < 40
        pen = QPen(QColor("#000000") if black else colour.darker(170), 2 if black else 1)
        swatch = rect(0, 1, 16, 10, QColor("#ffffff") if black else colour, pen)
        if lane_pattern(sample[5:]) == "stripes":
            rect(0, 1, 16, 10, STRIPES, NO_PEN).setParentItem(swatch)
        return swatch
    if sample.startswith("stage:"):
        band = QColor(STAGE_COLOURS.get(sample[6:], OTHER_STAGE_COLOUR))
        return rect(0, 1, 16, 10, band, QPen(CHROME_LINE, 1))
    if sample == "span":
        return rect(0, 1, 24, 10, grey, outline)
    if sample == "point":
        return rect(7, 0, POINT_W, 12, grey, outline)
    if sample == "hatch":
        delay = rect(0, 1, 24, 10, grey, outline)
        hatching = QBrush(QColor("#1f2933"), Qt.BrushStyle.BDiagPattern)
        rect(0, 1, 24, 10, hatching, NO_PEN).setParentItem(delay)
        return delay
    if sample.startswith("arrow:"):
        name = sample[6:]
        style = ARROW_STYLES[name]
        path = QPainterPath(QPointF(0, 6))
        path.lineTo(QPointF(20, 6))
        line = QGraphicsPathItem(path)
        line.setPen(scene._arrow_pen(name))
        head = QGraphicsPolygonItem(QPolygonF([QPointF(20, 2.5), QPointF(27, 6), QPointF(20, 9.5)]), line)
        head.setBrush(QColor(style.colour))
        head.setPen(NO_PEN)
        return line
    if sample.startswith("severity:"):
        fill, shape = severity_style(sample[9:])
        marker = QGraphicsPathItem(severity_path(shape))
        marker.setBrush(QColor(fill))
        marker.setPen(QPen(QColor("#222222"), 1))
        return marker
    return None

def layout_legend(scene: PathwayScene) -> None:
    width = max(420.0, min(scene.view_width, max(scene.map_width, 420.0)) - 16)
    row_h = scene.line_h + 4
    x, y = 0.0, 0.0
    indent = scene._legend[0][2] + 12
    entries = scene._legend
    for index, (kind, items, item_width) in enumerate(entries):
        needed = item_width
        if kind == "heading" and index + 1 < len(entries):
            needed += 6 + entries[index + 1][2]  # a heading stays with its first entry
        if x + needed > width and x > indent:
            x, y = indent, y + row_h
        for item in items:
            if isinstance(item, QGraphicsSimpleTextItem):
                metrics = scene.bold_metrics if kind != "entry" else scene.small_metrics
                item.setPos(x, y + (row_h - metrics.height()) / 2)
                x += metrics.horizontalAdvance(item.text())
            else:
                item.setPos(x, y + (row_h - 12) / 2)
                x += _right(item) + 4
        x += 6 if kind == "heading" else 14
    scene.legend_height = y + row_h
    scene.legend.setRect(0, 0, width, scene.legend_height)
    scene.legend.setY(scene.lanes_bottom + 6)
    scene.legend_bottom = scene.lanes_bottom + 6 + scene.legend_height + 4

# -- sticky header and lane labels -------------------------------------------------------
def stick(scene: PathwayScene, visible: QRectF) -> None:
    """Keep the header at the top and the lane labels at the left of the visible part."""
    x = min(max(0.0, visible.left()), max(0.0, scene.map_width - scene.label_width))
    y = min(max(0.0, visible.top()), max(0.0, scene.lanes_bottom - scene.header_height))
    scene._sticky = QPointF(x, y)
    if scene.column.x() != x:
        scene.column.setX(x)
    if scene.header.y() != y:
        scene.header.setY(y)
    if scene.corner.pos() != scene._sticky:
        scene.corner.setPos(scene._sticky)
    widest = max(0.0, scene.map_width - scene.legend.rect().width() - 16)
    legend_x = 8 + min(max(0.0, visible.left()), widest)
    if scene.legend.x() != legend_x:
        scene.legend.setX(legend_x)
    left = x + scene.label_width
    if scene.axis.visible_left != left:
        scene.axis.visible_left = left
        scene.axis.update()

