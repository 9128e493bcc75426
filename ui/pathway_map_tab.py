"""The case workspace's "Pathway map" tab: the lanes toggle, zoom buttons and image exports over
the map view (:class:`ui.pathway_map.PathwayMapView`), and a step's details for the detail pane.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from db.exports import ExportEvent, Rendered
from planner import describe
from planner.dates import format_day
from planner.map_layout.timeline import LANE_MODES
from planner.model import Case, Step
from planner.reference import label
from planner.rules.catalogue import severity_symbol
from ui.pathway_map_scene import PathwayScene, build_scene
from ui.saving import OutputSaver, ask_save_path
from ui.tabs import CaseTab
from ui.widgets import Details, muted_label

if TYPE_CHECKING:
    from planner.rules import Finding
from ui.pathway_map import PathwayMapView


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
