"""The Pathway map tab's stand-in: the map itself (ui.pathway_map_tab) is loaded when the tab is
first shown, so start-up does not pay for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from planner.model import Case
from ui.case_tab import CaseTab

if TYPE_CHECKING:
    from planner.analysis import Analysis
    from ui.saving import OutputSaver


class PathwayMapPlaceholder(CaseTab):
    """The Pathway map tab, loaded when first shown: the map module is large, and start-up
    should not wait for a tab the user may not open. Forwards the map tab's signals."""

    title = "Pathway map"
    key = "pathway-map"
    steps_selected = Signal(object)
    finding_selected = Signal(str, object)
    selected = Signal(str, object)
    exported = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.inner: CaseTab | None = None
        #: writes the map's images (given to the map tab; see ui.saving)
        self.saver: OutputSaver | None = None

    def map_tab(self) -> CaseTab:
        """The real map tab, made on first use."""
        if self.inner is None:
            from ui.pathway_map import PathwayMapTab

            inner = PathwayMapTab()
            inner.editor = self.editor
            inner.saver = self.saver
            inner.steps_selected.connect(self.steps_selected)
            inner.finding_selected.connect(self.finding_selected)
            inner.selected.connect(self.selected)
            inner.exported.connect(self.exported)
            self._layout.addWidget(inner)
            from PySide6.QtWidgets import QGraphicsView, QLabel, QSizePolicy

            for hint in inner.findChildren(QLabel):  # a long one-line hint is cut at the tab's edge
                if not hint.wordWrap():  # rather than widening the window past a laptop's screen
                    hint.setSizePolicy(QSizePolicy.Policy.Ignored, hint.sizePolicy().verticalPolicy())
            for view in inner.findChildren(QGraphicsView):  # named for screen readers, as is its canvas
                for part in (view, view.viewport()):
                    if not part.accessibleName():
                        part.setAccessibleName("Pathway map")
                        part.setAccessibleDescription("Left and Right step through the pathway; Enter "
                                                      "opens the selected step's findings")
            inner.show()
            self.inner = inner
        return self.inner

    def set_case(self, case: Case, analysis: Callable[[], Analysis | None] | None = None) -> None:
        super().set_case(case, analysis)
        if self.inner is not None:
            self.inner.set_case(case, analysis)

    def refresh(self) -> None:
        assert self.case is not None
        self.map_tab().set_case(self.case, self._analysis)

    def select_steps(self, step_ids: list[str]) -> None:
        if self.inner is not None:  # before the map is first shown there is nothing to select
            self.inner.select_steps(step_ids)  # type: ignore[attr-defined]

    def select_first(self) -> None:
        self.ensure_current()
        self.map_tab().select_first()
