"""The pathway map: the person's journey as swimlanes, time left to right (BRIEF, "Visual language").

The layout comes from :mod:`planner.map_layout`, shared with the printed map (lanes, rows, stage
bands, the time axis, arrow routes, findings, the rule for labels that do not fit, and the key's
wording); the Qt modules only place and draw it: ``ui.pathway_map_items`` (the items),
``ui.pathway_map_scene`` (the scene at a zoom), ``ui.pathway_map_chrome`` (the frozen header,
lane labels and key), this module (the view) and ``ui.pathway_map_tab`` (the tab).

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
axis picks days, weeks, months or years to suit, and step labels are shortened (keeping some words)
or left out where they would run into the next step, never cut to a stub. The time axis and the
lane labels stay in view while scrolling.

:class:`PathwayMapView` adds panning, zooming, keyboard navigation and PNG/SVG export;
:class:`PathwayMapTab` is the case workspace's "Pathway map" tab.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QIODevice, QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPixmap,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsView,
    QMenu,
    QWidget,
)

from planner.map_layout.timeline import LANE_MODES
from planner.model import Moment
from planner.outputs import write_atomically
from ui import theme
from ui.pathway_map_items import (
    MAX_PPD,
    MAX_SCENE_WIDTH,
    MIN_PPD,
    ZOOM_STEP,
    FindingMarker,
    HatchItem,
    StepLabel,
    StepMark,
)
from ui.pathway_map_scene import PathwayScene, build_scene

if TYPE_CHECKING:
    from planner.rules import Finding


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


# the tab, defined with the view it holds (imported last: it uses PathwayMapView)
from ui.pathway_map_tab import PathwayMapTab, step_details  # noqa: E402

__all__ = ["LANE_MODES", "MAX_PPD", "MAX_SCENE_WIDTH", "FindingMarker", "PathwayMapTab", "PathwayMapView",
           "PathwayScene", "build_scene", "image_bytes", "step_details"]
