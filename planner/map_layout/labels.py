"""Words on the map that may not fit: a step's label is written in full or not at all (then its
number stands for it and the words go in a list beside the map); longer lines are wrapped at
spaces, never cut to a stub. On screen, where zooming in and tooltips give the rest, a label
may end with an ellipsis, but only when what is left still says something."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from planner.map_layout.axis import Measure


@dataclass(frozen=True)
class ListedLabel:
    """A step whose words did not fit on the map: its number and its words, wrapped in lines."""

    number: int
    text: str
    lines: tuple[str, ...]


def fits(text: str, room: float, measure: Measure, size: float, bold: bool = False) -> bool:
    return measure(text, size, bold) <= room


def wrap(text: str, width: float, measure: Measure, size: float, bold: bool = False) -> list[str]:
    """``text`` in lines at most ``width`` wide, broken at spaces (a single word wider than the
    width keeps its own line whole)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}" if current else word
        if current and measure(trial, size, bold) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current or not lines:
        lines.append(current)
    return lines


def list_columns(labels: list[tuple[int, str]], width: float, measure: Measure, size: float,
                 max_columns: int = 4, gap: float = 14.0) -> tuple[list[ListedLabel], int, float]:
    """The words of labels that did not fit, for a list ``width`` wide in up to ``max_columns``
    columns: each wrapped to its column. Returns the labels, the number of columns and the
    column width (the number included)."""
    if not labels:
        return [], 0, 0.0
    widest = max(measure(f"{n}  {text}", size, False) for n, text in labels)
    columns = max(1, min(max_columns, int((width + gap) // (widest + gap)) or 1))
    if columns == 1 and widest > width:
        columns = 1
    column_width = (width - gap * (columns - 1)) / columns
    number_width = measure("888  ", size, True)
    listed = [ListedLabel(n, text, tuple(wrap(text, column_width - number_width, measure, size)))
              for n, text in labels]
    return listed, columns, column_width


#: Fewest characters an elided label keeps on screen: fewer ("A&…", "Com…") is a stub and the
#: label is left out instead (its step's tooltip and details still give it in full).
MIN_KEPT = 8


def screen_label(text: str, width: float, room: float, elide: Callable[[str, float], str]) -> str:
    """What the app's map shows of a label ``width`` wide in ``room``: all of it, the start of it
    with an ellipsis when that keeps :data:`MIN_KEPT` characters or more, else nothing."""
    if width <= room:
        return text
    if room <= 0:
        return ""
    shown = elide(text, room)
    kept = shown.rstrip("…").rstrip()
    return shown if kept and len(kept) >= MIN_KEPT else ""
