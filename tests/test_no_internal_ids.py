"""People read names, never internal ids: the demo's step, team, goal and action ids (s8, sw1, g2,
a5...) appear in no tab, no detail pane, no tooltip, not in the case history, the readable command
line or any PDF."""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QGraphicsView,
    QLabel,
    QTextEdit,
    QWidget,
)

from tests.conftest import DEMO
from ui.cli import main
from ui.main_window import TAB_KEYS, MainWindow


def _ids() -> re.Pattern[str]:
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    plan = data["care_plan"]
    ids = ({s["id"] for s in data["steps"]} | {m["id"] for m in data["team"]}
           | {g["id"] for g in plan["goals"]} | {a["id"] for a in plan["actions"]}
           | {"homecare2", "carehome"})  # the organisation ids that are no word of English
    return re.compile(r"(?<![\w-])(" + "|".join(sorted(map(re.escape, ids), key=len, reverse=True)) + r")(?![\w-])")


IDS = _ids()


def _hits(texts: list[str]) -> list[str]:
    return sorted({f"{m.group(1)} in …{text[max(0, m.start() - 40):m.end() + 20]}…"
                   for text in texts for m in IDS.finditer(text)})


def _model_texts(model: Any, parent: QModelIndex | None = None) -> list[str]:
    parent = parent or QModelIndex()
    try:
        rows, columns = model.rowCount(parent), model.columnCount(parent)
    except TypeError:  # a list model: one column, no children
        rows, columns = (model.rowCount() if not parent.isValid() else 0), 1
    found: list[str] = []
    for row in range(rows):
        for column in range(columns):
            index = model.index(row, column, parent)
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                value = index.data(role)
                if isinstance(value, str):
                    found.append(value)
        found += _model_texts(model, model.index(row, 0, parent))
    return found


def shown_texts(root: QWidget) -> list[str]:
    """Every text a person can read in ``root``: labels, buttons, cells and their tooltips, text
    boxes, the map's items and tooltips."""
    found: list[str] = []
    for widget in [root, *root.findChildren(QWidget)]:
        found.append(widget.toolTip())
        if isinstance(widget, QLabel | QAbstractButton):
            found.append(widget.text())
        if isinstance(widget, QTextEdit):
            found.append(widget.toPlainText())
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            found += _model_texts(widget.model())
        if isinstance(widget, QGraphicsView) and widget.scene() is not None:
            scene = widget.scene()
            for item in scene.items():
                found.append(item.toolTip())
                for reader in ("text", "toPlainText"):
                    read = getattr(item, reader, None)
                    if callable(read):
                        with contextlib.suppress(TypeError):  # a QGraphicsItem method of that name
                            found.append(read())
            tooltip_for = getattr(scene, "tooltip_for", None)
            for marker in getattr(scene, "markers", {}).values() if tooltip_for else []:
                found.append(tooltip_for(marker))
    return [text for text in found if text]


@pytest.mark.qt_log_ignore("This plugin does not support")
def test_no_tab_pane_or_tooltip_shows_an_internal_id(window: MainWindow) -> None:
    seen: list[str] = []
    for key in TAB_KEYS:
        window.show_tab(key)
        QApplication.processEvents()
        tab = window.case_tabs[window.tabs.currentIndex()]
        tab.select_first()
        QApplication.processEvents()
        seen += shown_texts(window)
    findings = window.findings_tab  # each rule's row and each occurrence in the detail pane
    window.show_tab("findings")
    for row in range(findings.model.rowCount()):
        group = findings.model.index(row, 0)
        findings.tree.setCurrentIndex(group)
        seen.append(window.details.text())
        for child in range(findings.model.rowCount(group)):
            findings.tree.setCurrentIndex(findings.model.index(child, 0, group))
            seen.append(window.details.text())
    assert len(seen) > 1000  # the walk reads the window
    assert not _hits(seen), _hits(seen)


def test_the_case_history_names_what_changed(window: MainWindow) -> None:
    from ui.case_history import CaseHistoryDialog

    case = window.case
    assert case is not None
    step = next(i for i, s in enumerate(case.steps) if s.id == "s8")
    window.editor.delete("handoffs", 2)  # s8 -> s10
    window.editor._direct("Edit a step", lambda c: _relabel(c, step))
    assert window.save()
    from db import audit

    with window.database.session() as session:
        events = audit.history(session, case.id)
    dialog = CaseHistoryDialog(case.display_title, events, window)
    try:
        texts = shown_texts(dialog)
    finally:
        dialog.deleteLater()
    assert any("Edited" in text for text in texts)
    assert not _hits(texts), _hits(texts)


def _relabel(case: Any, index: int) -> Any:
    from planner import editing

    data = editing.item_data(case, "steps", index)
    data["label"] = "Emergency admission: hip fracture"
    return editing.put(case, "steps", index, data)


def test_no_pdf_and_no_readable_command_shows_an_internal_id(capsys: pytest.CaptureFixture[str],
                                                             tmp_path: Path, db_url: str) -> None:
    assert main(["--db", db_url, "import", str(DEMO)]) == 0
    outputs = {"summary.pdf": ["export-pdf", "1"], "named.pdf": ["export-pdf", "1", "--identifiable"],
               "value.pdf": ["export-value-case", "1"], "plan.pdf": ["print-plan", "1"],
               "pack.pdf": ["workshop-pack", "1"]}
    texts: list[str] = []
    for name, command in outputs.items():
        assert main(["--db", db_url, *command, "--out", str(tmp_path / name)]) == 0
        texts.append(subprocess.run(["pdftotext", "-layout", str(tmp_path / name), "-"], capture_output=True,
                                    text=True, check=True).stdout)
    for command in (["findings", "1"], ["measures", "1"], ["costs", "1"], ["audit", "1"]):
        assert main(["--db", db_url, *command]) == 0
    texts.append(capsys.readouterr().out)
    assert all(texts)
    assert not _hits(texts), _hits(texts)
