"""The application's look: Fusion with a quiet palette, and a few styled labels.

Styles are set on the handful of leaf widgets that need them, never as one application-wide
stylesheet: Qt's stylesheet engine polishes every widget it touches, and an app-wide sheet
cost start-up about 140 ms. Warnings never rely on colour alone: they also carry a ⚠ sign
and words.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QIcon, QPainter, QPalette, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QApplication, QWidget

from planner.rules.catalogue import severity_style, severity_symbol

TEXT = "#1f2933"
MUTED = "#5f6368"

#: The everyday palette. The selection is a strong blue with white text: at least 3:1 against
#: white and the alternate row colour (WCAG 2.2, 1.4.11), so a selected row and the focus stand out.
_PALETTE = {
    QPalette.ColorRole.Window: "#f4f5f7",
    QPalette.ColorRole.WindowText: TEXT,
    QPalette.ColorRole.Base: "#ffffff",
    QPalette.ColorRole.AlternateBase: "#f3f5f8",
    QPalette.ColorRole.Text: TEXT,
    QPalette.ColorRole.Button: "#eceff3",
    QPalette.ColorRole.ButtonText: TEXT,
    QPalette.ColorRole.Highlight: "#1d5fbf",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.ToolTipBase: "#ffffff",
    QPalette.ColorRole.ToolTipText: TEXT,
    QPalette.ColorRole.PlaceholderText: "#6b7280",
    QPalette.ColorRole.Link: "#1a4fa0",
}
#: Disabled controls: greyed text on a flatter face, so they never look like enabled ones.
_DISABLED = {
    QPalette.ColorRole.WindowText: "#8a9099",
    QPalette.ColorRole.Text: "#8a9099",
    QPalette.ColorRole.ButtonText: "#8a9099",
    QPalette.ColorRole.Button: "#f4f5f7",
    QPalette.ColorRole.Base: "#f1f3f5",
    QPalette.ColorRole.Highlight: "#b8c2cf",
    QPalette.ColorRole.HighlightedText: "#1f2933",
}
#: View › High contrast: black on white, a navy selection, disabled text still readable.
_HIGH_CONTRAST = {
    QPalette.ColorRole.Window: "#ffffff",
    QPalette.ColorRole.WindowText: "#000000",
    QPalette.ColorRole.Base: "#ffffff",
    QPalette.ColorRole.AlternateBase: "#ececec",
    QPalette.ColorRole.Text: "#000000",
    QPalette.ColorRole.Button: "#ffffff",
    QPalette.ColorRole.ButtonText: "#000000",
    QPalette.ColorRole.Highlight: "#00007a",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.ToolTipBase: "#ffffff",
    QPalette.ColorRole.ToolTipText: "#000000",
    QPalette.ColorRole.PlaceholderText: "#3c3c3c",
    QPalette.ColorRole.Link: "#0000c8",
    QPalette.ColorRole.Light: "#ffffff",
    QPalette.ColorRole.Midlight: "#808080",
    QPalette.ColorRole.Mid: "#000000",
    QPalette.ColorRole.Dark: "#000000",
    QPalette.ColorRole.Shadow: "#000000",
}
_HIGH_CONTRAST_DISABLED = {
    QPalette.ColorRole.WindowText: "#595959",
    QPalette.ColorRole.Text: "#595959",
    QPalette.ColorRole.ButtonText: "#595959",
    QPalette.ColorRole.Button: "#e0e0e0",
    QPalette.ColorRole.Base: "#e0e0e0",
    QPalette.ColorRole.Highlight: "#595959",
    QPalette.ColorRole.HighlightedText: "#ffffff",
}


def relative_luminance(colour: str | QColor) -> float:
    """WCAG 2.2's relative luminance of an sRGB colour."""
    rgb = QColor(colour)

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(rgb.red()) + 0.7152 * channel(rgb.green()) + 0.0722 * channel(rgb.blue())


def contrast(first: str | QColor, second: str | QColor) -> float:
    """WCAG 2.2's contrast ratio of two colours, from 1 (none) to 21 (black on white)."""
    a, b = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def system_wants_high_contrast() -> bool:
    """True when the desktop asks applications for more contrast (Qt's accessibility hints)."""
    hints = QGuiApplication.styleHints()
    accessibility = getattr(hints, "accessibility", None)
    if accessibility is None:
        return False
    return bool(accessibility().contrastPreference() == Qt.ContrastPreference.HighContrast)


def palette(high_contrast: bool = False, base: QPalette | None = None) -> QPalette:
    """The application's palette, everyday or high-contrast."""
    result = QPalette(base) if base is not None else QPalette()
    colours, disabled = (_HIGH_CONTRAST, _HIGH_CONTRAST_DISABLED) if high_contrast else (_PALETTE, _DISABLED)
    for role, colour in colours.items():
        result.setColor(role, QColor(colour))
    for role, colour in disabled.items():
        result.setColor(QPalette.ColorGroup.Disabled, role, QColor(colour))
    return result


#: Stylesheets for single leaf widgets, by role; "<role>:warning" is the warning variant.
STYLES = {
    "chip": "background: #e8f3ec; border: 1px solid #3d8b5a; border-radius: 6px; padding: 6px 10px;"
            " color: #14532d;",
    "chip:warning": "background: #fff4e5; border: 2px solid #b45309; border-radius: 6px;"
                    " padding: 6px 10px; color: #7c2d12; font-weight: 600;",
    "banner": f"background: #e9eef5; border-radius: 6px; padding: 8px 10px; color: {TEXT};",
    "banner:warning": "background: #fff4e5; border: 2px solid #b45309; border-radius: 6px;"
                      " padding: 8px 10px; color: #7c2d12; font-weight: 600;",
    # a multi-line field shows its focus as a line edit does: a border in the selection colour
    "multiline": "QPlainTextEdit { border: 1px solid palette(mid); border-radius: 3px; }"
                 " QPlainTextEdit:focus { border: 2px solid palette(highlight); }",
    "header": "QFrame#caseHeader { background: #ffffff; border: 1px solid #d5d9e0; border-radius: 6px; }",
}


def apply(app: QApplication, high_contrast: bool | None = None) -> None:
    """Fusion, the palette, and the system's font size (at least 10 pt). ``high_contrast`` None
    follows the preference (View › High contrast), or the desktop's contrast setting."""
    from ui.preferences import high_contrast as preferred

    if high_contrast is None:
        high_contrast = preferred() or system_wants_high_contrast()
    app.setStyle("Fusion")
    app.setPalette(palette(high_contrast, app.palette()))
    app.setProperty("highContrast", high_contrast)
    _follow_the_desktop(app)
    font = QFont(app.font())  # the desktop's font and size, made no smaller than 10 pt
    font.setPointSizeF(max(font.pointSizeF(), 10.0))
    app.setFont(font)


def _follow_the_desktop(app: QApplication) -> None:
    """When the desktop's contrast setting changes while the app runs, the theme follows it (unless
    View › High contrast is on, which stays on)."""
    if app.property("followsDesktop"):
        return
    hints = QGuiApplication.styleHints()
    accessibility = getattr(hints, "accessibility", None)
    if accessibility is not None:
        accessibility().contrastPreferenceChanged.connect(lambda *_: apply(app))
        app.setProperty("followsDesktop", True)


def is_high_contrast() -> bool:
    app = QApplication.instance()
    return bool(app is not None and app.property("highContrast"))


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
