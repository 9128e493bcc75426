"""Case text shown as it was written, never read as markup.

Qt reads the text of a label, a tooltip, a message box or an input dialog as rich text (HTML) when
it merely looks like HTML (``Qt::mightBeRichText``). Case text comes from people and from imported
files, so without care a name such as ``<b>Edith</b>`` changes fonts, ``<a href=…>`` makes a link
and ``<img src="/a/local/file">`` loads that file and shows it. Wherever the GUI shows case text:

- a QLabel is made :func:`plain_label` (plain text whatever its text looks like);
- text that Qt reads by itself — tooltips (item models' ToolTipRole, ``setToolTip``, the map's),
  the static QMessageBox functions and QInputDialog's label — goes through :func:`literal`;
- a QMessageBox the app builds gets ``setTextFormat(Qt.TextFormat.PlainText)``;
- HTML the app writes itself (the detail pane, the printed plan, the plan's changes) escapes each
  piece of case text with ``html.escape``, and its text browsers open no links.

Item views' cells, headers, group box titles, buttons, tabs, window titles, the status bar and the
map's text items are always plain text in Qt.
"""

from __future__ import annotations

import html

from PySide6 import QtGui
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel


def plain_label(label: QLabel) -> QLabel:
    """``label``, showing its text as plain text (for a label holding case text)."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def literal(text: str) -> str:
    """``text`` for a place where Qt decides by itself whether text is rich (tooltips, message
    boxes, input dialogs), so that it shows exactly as written: unchanged where Qt would show it
    as plain text anyway, else escaped and marked as rich text, its line breaks and spaces kept."""
    if not QtGui.Qt.mightBeRichText(text):
        return text
    # line breaks as <br>: pre-wrap alone loses a leading or trailing newline
    escaped = html.escape(text, quote=False).replace("\n", "<br>")
    return f"<qt style='white-space:pre-wrap'>{escaped}</qt>"
