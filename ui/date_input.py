"""Date fields as people type them: "10 Jul 2024", "10/07/2024" or ISO, with a calendar to pick from.

A date field is a QLineEdit (so it is typed into, pasted into and read like any other field) with
a calendar button at its trailing edge. Its text is read by ``planner.dates.read_day`` (or
``read_moment`` for a date with an optional time); the dialog shows that function's one plain
sentence next to the field when the text is not a date.
"""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QDate, QEvent, QObject, QPoint, QRect, Qt
from PySide6.QtGui import QAction, QColor, QIcon, QKeyEvent, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QCalendarWidget, QLineEdit, QMenu, QWidgetAction

from planner.dates import format_day, parse_moment, read_day, read_moment
from ui import theme

DATE_PLACEHOLDER = "e.g. 10 Jul 2024"
MOMENT_PLACEHOLDER = "e.g. 10 Jul 2024, or 10 Jul 2024 14:30"

_ICON: QIcon | None = None


def calendar_icon() -> QIcon:
    """A small calendar page drawn in the text colour: a ring-bound header and a grid of days."""
    global _ICON
    if _ICON is None:
        pixmap = QPixmap(16, 16)
        pixmap.fill(Qt.GlobalColor.transparent)
        ink = QColor(theme.TEXT)
        painter = QPainter(pixmap)
        painter.setPen(QPen(ink, 1))
        painter.drawRect(QRect(1, 2, 13, 12))
        painter.fillRect(QRect(1, 2, 14, 3), ink)
        for x in (4, 7, 10):
            for y in (7, 10):
                painter.fillRect(QRect(x, y, 2, 2), ink)
        painter.end()
        _ICON = QIcon(pixmap)
    return _ICON


def shown(value: object, with_time: bool) -> str:
    """A stored value (ISO text or a date) as the field shows it: "10 Jul 2024" (and the time)."""
    if value is None or value == "":
        return ""
    if isinstance(value, date):
        return format_day(value)
    try:
        return format_day(parse_moment(str(value)) if with_time else read_day(str(value)))
    except ValueError:
        return str(value)  # shown as it is; reading it back will say what is wrong


def typed(text: str, with_time: bool) -> str | None:
    """The field's text in case-file form (ISO), None when empty; ValueError in plain words."""
    from planner.dates import format_iso

    text = text.strip()
    if not text:
        return None
    return format_iso(read_moment(text)) if with_time else read_day(text).isoformat()


def make_date_input(value: object, with_time: bool = False) -> QLineEdit:
    """A line edit for a date (or a date and time) with a calendar pop-up at its trailing edge."""
    widget = QLineEdit(shown(value, with_time))
    widget.setPlaceholderText(MOMENT_PLACEHOLDER if with_time else DATE_PLACEHOLDER)
    action = QAction(calendar_icon(), "Choose the date from a calendar", widget)
    action.setToolTip("Choose the date from a calendar (or type it, e.g. 10 Jul 2024)")
    widget.addAction(action, QLineEdit.ActionPosition.TrailingPosition)
    action.triggered.connect(lambda: open_calendar(widget, with_time))
    widget.installEventFilter(_CalendarKeys(widget, with_time))
    widget.setToolTip("Type the date (10 Jul 2024, 10/07/2024 or 2024-07-10), or press Alt+Down for "
                      "a calendar")
    widget.editingFinished.connect(lambda: tidy(widget, with_time))
    return widget


class _CalendarKeys(QObject):
    """Alt+Down or F4 in a date field opens its calendar, as they open a combo box's list."""

    def __init__(self, widget: QLineEdit, with_time: bool) -> None:
        super().__init__(widget)
        self.widget, self.with_time = widget, with_time

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            alt_down = (event.key() == Qt.Key.Key_Down
                        and event.modifiers() & Qt.KeyboardModifier.AltModifier)
            if alt_down or event.key() == Qt.Key.Key_F4:
                open_calendar(self.widget, self.with_time)
                return True
        return super().eventFilter(watched, event)


def tidy(widget: QLineEdit, with_time: bool) -> None:
    """Show a date typed in any accepted form as people read it ("10/07/2024" becomes
    "10 Jul 2024"); text that is not a date is left as typed, for the dialog to say why."""
    text = widget.text().strip()
    if not text:
        return
    try:
        value = read_moment(text) if with_time else read_day(text)
    except ValueError:
        return
    if isinstance(value, datetime) and value.second:
        return  # shown to the minute: rewriting it would lose the seconds typed
    if format_day(value) != widget.text():
        widget.setText(format_day(value))


def open_calendar(widget: QLineEdit, with_time: bool) -> QMenu:
    """Show a calendar under ``widget``; the day clicked (or chosen with Enter) replaces its date,
    keeping any time of day typed after it."""
    menu = QMenu(widget)
    calendar = QCalendarWidget(menu)
    calendar.setGridVisible(True)
    calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
    calendar.setAccessibleName("Calendar")
    time = ""
    try:
        current = read_moment(widget.text()) if with_time else read_day(widget.text())
        calendar.setSelectedDate(QDate(current.year, current.month, current.day))
        if isinstance(current, datetime):
            time = f"{current.hour:02d}:{current.minute:02d}"
    except ValueError:
        pass

    def choose(day: QDate) -> None:
        chosen = format_day(date(day.year(), day.month(), day.day()))
        widget.setText(f"{chosen}, {time}" if time else chosen)
        menu.close()
        widget.setFocus()

    calendar.clicked.connect(choose)
    calendar.activated.connect(choose)
    holder = QWidgetAction(menu)
    holder.setDefaultWidget(calendar)
    menu.addAction(holder)
    menu.popup(widget.mapToGlobal(QPoint(0, widget.height())))
    calendar.setFocus()
    return menu
