"""The application's look: Fusion with a quiet palette, and a few styled labels.

Styles are set on the handful of leaf widgets that need them, never as one application-wide
stylesheet: Qt's stylesheet engine polishes every widget it touches, and an app-wide sheet
cost start-up about 140 ms. Warnings never rely on colour alone: they also carry a ⚠ sign
and words.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPalette, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QApplication, QWidget

from planner.rules.catalogue import severity_style, severity_symbol

TEXT = "#1f2933"
MUTED = "#5f6368"

_PALETTE = {
    QPalette.ColorRole.Window: "#f4f5f7",
    QPalette.ColorRole.WindowText: TEXT,
    QPalette.ColorRole.Base: "#ffffff",
    QPalette.ColorRole.AlternateBase: "#f3f5f8",
    QPalette.ColorRole.Text: TEXT,
    QPalette.ColorRole.Button: "#eceff3",
    QPalette.ColorRole.ButtonText: TEXT,
    QPalette.ColorRole.Highlight: "#cfe3fa",
    QPalette.ColorRole.HighlightedText: "#111827",
    QPalette.ColorRole.ToolTipBase: "#ffffff",
    QPalette.ColorRole.ToolTipText: TEXT,
    QPalette.ColorRole.PlaceholderText: "#6b7280",
}

#: Stylesheets for single leaf widgets, by role; "<role>:warning" is the warning variant.
STYLES = {
    "chip": "background: #e8f3ec; border: 1px solid #3d8b5a; border-radius: 6px; padding: 6px 10px;"
            " color: #14532d;",
    "chip:warning": "background: #fff4e5; border: 2px solid #b45309; border-radius: 6px;"
                    " padding: 6px 10px; color: #7c2d12; font-weight: 600;",
    "banner": f"background: #e9eef5; border-radius: 6px; padding: 8px 10px; color: {TEXT};",
    "banner:warning": "background: #fff4e5; border: 2px solid #b45309; border-radius: 6px;"
                      " padding: 8px 10px; color: #7c2d12; font-weight: 600;",
    "header": "QFrame#caseHeader { background: #ffffff; border: 1px solid #d5d9e0; border-radius: 6px; }",
}


def apply(app: QApplication) -> None:
    """Fusion, the palette, and a readable base font (at least 10 pt)."""
    app.setStyle("Fusion")
    palette = QPalette(app.palette())
    for role, colour in _PALETTE.items():
        palette.setColor(role, QColor(colour))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#9aa0a6"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor("#9aa0a6"))
    app.setPalette(palette)
    font = QFont(app.font())
    font.setPointSizeF(max(font.pointSizeF(), 10.0))
    app.setFont(font)


def style(widget: QWidget, role: str, warning: bool = False) -> None:
    """Give one widget a named style; ``warning`` picks the role's warning variant."""
    key = f"{role}:warning" if warning and f"{role}:warning" in STYLES else role
    widget.setStyleSheet(STYLES[key])
    widget.setProperty("warning", warning)


def mute(widget: QWidget, muted: bool = True, *, italic: bool = False) -> None:
    """Grey text through the palette, without a stylesheet; with ``italic``, italic while muted."""
    palette = QPalette(widget.palette())
    colour = QColor(MUTED if muted else TEXT)
    palette.setColor(QPalette.ColorRole.WindowText, colour)
    palette.setColor(QPalette.ColorRole.Text, colour)
    widget.setPalette(palette)
    if italic:
        font = QFont(widget.font())
        font.setItalic(muted)
        widget.setFont(font)


def titled(box: QWidget) -> None:
    """A bold title on a group box whose contents keep the normal font."""
    box.setFont(scaled_font(box, 1.0, bold=True))
    for child in box.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
        font = QFont(child.font())
        font.setBold(False)  # explicit, or the child would still inherit the title's weight
        child.setFont(font)


_ICONS: dict[str, QIcon] = {}


def severity_icon(severity: str, size: int = 14) -> QIcon:
    """A filled shape in the severity's colour, outlined in black so it survives greyscale."""
    icon = _ICONS.get(severity)
    if icon is None:
        colour, shape = severity_style(severity)
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(QColor(colour))
        painter.setPen(QPen(QColor("#222222"), 1))
        m = 1.5
        e = size - 1.5
        if shape == "triangle":
            painter.drawPolygon(QPolygonF([QPointF(size / 2, m), QPointF(e, e), QPointF(m, e)]))
        elif shape == "diamond":
            half = size / 2
            painter.drawPolygon(QPolygonF([QPointF(half, m), QPointF(e, half), QPointF(half, e),
                                           QPointF(m, half)]))
        else:
            painter.drawEllipse(QPointF(size / 2, size / 2), size / 2 - 2, size / 2 - 2)
        painter.end()
        icon = _ICONS[severity] = QIcon(pixmap)
    return icon


def severity_html(severity: str, text: str = "") -> str:
    """The severity's symbol in its colour, followed by text, for rich-text labels."""
    colour, _shape = severity_style(severity)
    return f"<span style='color:{colour}'>{severity_symbol(severity)}</span> {text}"


def bold_font() -> QFont:
    font = QFont(QApplication.font())
    font.setBold(True)
    return font


def scaled_font(widget: QWidget, factor: float, *, bold: bool = False, italic: bool = False) -> QFont:
    font = QFont(widget.font())
    font.setPointSizeF(font.pointSizeF() * factor)
    font.setBold(bold)
    font.setItalic(italic)
    return font
