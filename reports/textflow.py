"""Plain-text flowables for bulk content: many findings, a timeline of a thousand steps.

reportlab's Paragraph parses markup and measures every fragment of every line; for a long case
(hundreds of findings, a thousand timeline rows) that costs seconds. These flowables take plain
text only, measure each distinct word once, and draw lines straight onto the canvas:

* :class:`Block` (made by :func:`block`): runs of text, each with a font, colour, indent and an
  optional bold lead ("M03.2  ..."), kept on one page when short, split between lines when long;
* :class:`Grid` (made by :func:`grid`): a table whose cells are stacked lines of text, its header
  row repeated on every page, rows never split.

Being plain text drawn with ``drawString``, nothing in a case can be taken as markup here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from reports import pdfkit

#: Line spacing as a multiple of the font size.
LEADING = 1.28


@dataclass(frozen=True)
class Look:
    """How a run of text is set: font face ("regular", "bold", "italic"), size, colour."""

    face: str = "regular"
    size: float = 8.0
    colour: str = pdfkit.TEXT

    @property
    def leading(self) -> float:
        return round(self.size * LEADING, 2)

    @property
    def font(self) -> str:
        faces = pdfkit.fonts()
        return {"bold": faces.bold, "italic": faces.italic, "bold_italic": faces.bold_italic}.get(
            self.face, faces.regular)


@dataclass(frozen=True)
class Run:
    text: str
    look: Look = Look()
    lead: str = ""
    lead_look: Look | None = None
    indent: float = 0.0
    space_after: float = 0.0


class _Widths:
    """Word widths, each distinct word measured once per font and size."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str, float], float] = {}

    def __call__(self, text: str, font: str, size: float) -> float:
        key = (text, font, size)
        width = self._cache.get(key)
        if width is None:
            from reportlab.pdfbase.pdfmetrics import stringWidth

            width = self._cache[key] = float(stringWidth(text, font, size))
        return width


@cache
def _widths() -> _Widths:
    return _Widths()


def wrap(text: str, font: str, size: float, width: float, first: float | None = None) -> list[str]:
    """``text`` broken into lines no wider than ``width`` (the first line ``first`` wide), at
    spaces, and inside words only where a word is wider than a whole line."""
    measure = _widths()
    space = measure(" ", font, size)
    lines: list[str] = []
    room = width if first is None else first
    for paragraph in text.replace("\r\n", "\n").split("\n"):
        current: list[str] = []
        used = 0.0
        for word in paragraph.split(" "):
            if not word:
                continue
            w = measure(word, font, size)
            needed = w if not current else used + space + w
            if needed <= room:
                current.append(word)
                used = needed
                continue
            if current:
                lines.append(" ".join(current))
                room = width
                current, used = [], 0.0
            while w > room:  # a word wider than a line: cut it
                cut = _fitting(word, font, size, room)
                lines.append(word[:cut])
                room = width
                word = word[cut:]
                w = measure(word, font, size)
            current, used = [word], w
        lines.append(" ".join(current))
        room = width
    return lines


def _fitting(word: str, font: str, size: float, room: float) -> int:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    low, high = 1, len(word)
    while low < high:
        middle = (low + high + 1) // 2
        if stringWidth(word[:middle], font, size) <= room:
            low = middle
        else:
            high = middle - 1
    return max(low, 1)


# -- a block of runs -------------------------------------------------------------------------------------
#: One laid-out line: (x, baseline offset from the top, font, size, colour, text).
_Line = tuple[float, float, str, float, str, str]


def _lay_out(runs: list[Run], width: float) -> tuple[list[_Line], list[float], float]:
    """Lines of the runs, the offsets below which a page may break, and the total height."""
    lines: list[_Line] = []
    breaks: list[float] = []
    y = 0.0
    measure = _widths()
    for run in runs:
        look = run.look
        room = width - run.indent
        x = run.indent
        first: float | None = None
        lead_width = 0.0
        if run.lead:
            lead = run.lead_look or Look("bold", look.size, look.colour)
            lead_width = measure(run.lead, lead.font, lead.size) + measure("  ", look.font, look.size)
            lines.append((x, y + look.size, lead.font, lead.size, lead.colour, run.lead))
            first = room - lead_width
        wrapped = wrap(run.text, look.font, look.size, room, first)
        for index, text in enumerate(wrapped):
            offset = lead_width if index == 0 else 0.0
            if text:
                lines.append((x + offset, y + look.size, look.font, look.size, look.colour, text))
            y += look.leading
            breaks.append(y)
        y += run.space_after
        if breaks:
            breaks[-1] = y
    return lines, breaks, y


@cache
def _classes() -> tuple[type, type]:
    from reportlab.lib.colors import HexColor
    from reportlab.platypus import Flowable

    class Block(Flowable):  # type: ignore[misc]
        """Runs of plain text; kept together when shorter than ``keep`` points."""

        def __init__(self, runs: list[Run], keep: float = 160.0,
                     laid: tuple[list[_Line], list[float], float, float] | None = None) -> None:
            super().__init__()
            self.runs = runs
            self.keep = keep
            self._laid = laid

        def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
            if self._laid is None or self._laid[3] != available_width:
                lines, breaks, height = _lay_out(self.runs, available_width)
                self._laid = (lines, breaks, height, available_width)
            self.width, self.height = available_width, self._laid[2]
            return self.width, self.height

        def start_height(self, available_width: float) -> float:
            """What must fit for the block to start on a page: all of it when it is kept
            together, else its first three lines."""
            self.wrap(available_width, 0)
            assert self._laid is not None
            _lines, breaks, height, _width = self._laid
            if height <= self.keep:
                return height
            return breaks[min(2, len(breaks) - 1)] if breaks else height

        def split(self, available_width: float, available_height: float) -> list[Any]:
            self.wrap(available_width, available_height)
            assert self._laid is not None
            lines, breaks, height, width = self._laid
            if height <= available_height:
                return [self]
            if height <= self.keep:
                return []  # short: start it on the next page instead
            cut = max((b for b in breaks if b <= available_height), default=0.0)
            if cut <= 0.0:
                return []
            top = [line for line in lines if line[1] <= cut]
            rest = [(x, y - cut, f, s, c, t) for x, y, f, s, c, t in lines if y > cut]
            below = [b - cut for b in breaks if b > cut]
            return [Block([], 0.0, (top, [b for b in breaks if b <= cut], cut, width)),
                    Block([], 0.0, (rest, below, height - cut, width))]

        def draw(self) -> None:
            assert self._laid is not None
            height = self._laid[2]
            _draw_lines(self.canv, [(x, height - y, f, s, c, t) for x, y, f, s, c, t in self._laid[0]])

    class Grid(Flowable):  # type: ignore[misc]
        """A table of plain-text cells (see :func:`grid`)."""

        def __init__(self, header: list[str], widths: list[float], rows: list[list[list[Run]]],
                     laid: list[tuple[float, list[list[_Line]]]] | None = None) -> None:
            super().__init__()
            self.header = header
            self.widths = widths
            self.rows = rows
            self._laid = laid
            self._header = self._cells([[Run(text, Look("bold", 8.0))] for text in header])

        def _cells(self, cells: list[list[Run]]) -> tuple[float, list[list[_Line]]]:
            laid = []
            height = 0.0
            for runs, width in zip(cells, self.widths, strict=True):
                lines, _breaks, used = _lay_out(runs, width - 2 * _PAD_X)
                laid.append(lines)
                height = max(height, used)
            return height + 2 * _PAD_Y, laid

        def _rows(self) -> list[tuple[float, list[list[_Line]]]]:
            if self._laid is None:
                self._laid = [self._cells(row) for row in self.rows]
            return self._laid

        def start_height(self, _available_width: float) -> float:
            """The header and the first two rows: what must fit for the table to start on a page."""
            return self._header[0] + sum(height for height, _cells in self._rows()[:2])

        def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
            self.width = sum(self.widths)
            self.height = self._header[0] + sum(h for h, _ in self._rows())
            return self.width, self.height

        def split(self, available_width: float, available_height: float) -> list[Any]:
            rows = self._rows()
            room = available_height - self._header[0]
            taken = 0
            used = 0.0
            while taken < len(rows) and used + rows[taken][0] <= room:
                used += rows[taken][0]
                taken += 1
            if taken == len(rows):
                return [self]
            pieces = _cut_row(rows[taken], room - used)
            if pieces is not None:  # a row taller than a page: what fits here, the rest overleaf
                return [Grid(self.header, self.widths, self.rows[:taken + 1], [*rows[:taken], pieces[0]]),
                        Grid(self.header, self.widths, self.rows[taken:], [pieces[1], *rows[taken + 1:]])]
            if taken == 0:
                return []
            return [Grid(self.header, self.widths, self.rows[:taken], rows[:taken]),
                    Grid(self.header, self.widths, self.rows[taken:], rows[taken:])]

        def draw(self) -> None:
            canvas = self.canv
            rows = [self._header, *self._rows()]
            width = sum(self.widths)
            y = self.height
            shade, head, rule, strong = (HexColor(pdfkit.SHADE), HexColor("#e3e8ef"), HexColor(pdfkit.LINE),
                                         HexColor(pdfkit.MUTED))
            placed: list[_Line] = []
            for index, (height, cells) in enumerate(rows):
                top = y
                y -= height
                if index == 0 or index % 2 == 0:
                    canvas.setFillColor(head if index == 0 else shade)
                    canvas.rect(0, y, width, height, stroke=0, fill=1)
                canvas.setStrokeColor(strong if index == 0 else rule)
                canvas.setLineWidth(0.8 if index == 0 else 0.4)
                canvas.line(0, y, width, y)
                x = 0.0
                for lines, cell_width in zip(cells, self.widths, strict=True):
                    placed += [(x + _PAD_X + lx, top - _PAD_Y - ly, f, s, c, t)
                               for lx, ly, f, s, c, t in lines]
                    x += cell_width
            _draw_lines(canvas, placed)

    return Block, Grid


_PAD_X = 4.0
_PAD_Y = 3.0
#: A table row up to this tall moves to the next page whole; a taller one is cut between lines,
#: leaving at least _MIN_PIECE points of it on the page.
_KEEP_ROW = 160.0
_MIN_PIECE = 40.0

_Row = tuple[float, list[list[_Line]]]


def _cut_row(row: _Row, room: float) -> tuple[_Row, _Row] | None:
    """A laid-out table row taller than a page (a 6,000-character word in a narrow column) cut
    between lines: the piece that fits ``room`` and the rest. None for a row short enough to keep
    together, or when too little room is left for a piece worth starting here."""
    height, cells = row
    cut = room - 2 * _PAD_Y - 2.0  # the last baseline that fits, with room for descenders
    if height <= _KEEP_ROW or cut < _MIN_PIECE:
        return None
    rest = [[line for line in lines if line[1] > cut] for lines in cells]
    waiting = [line[1] - line[3] for lines in rest for line in lines]
    if not waiting or min(waiting) <= 0:
        return None
    shift = min(waiting)  # the top of the first line left over becomes the top of the second piece
    top = [[line for line in lines if line[1] <= cut] for lines in cells]
    moved = [[(x, y - shift, f, size, c, t) for x, y, f, size, c, t in lines] for lines in rest]
    return (cut + 2 * _PAD_Y + 2.0, top), (height - shift, moved)


def _draw_lines(canvas: Any, lines: list[_Line]) -> None:
    """Lines at (x, baseline) in one text object, fonts and colours set only when they change, and
    the text origin only where the next line is not simply one line below the last."""
    # by font and colour (keeping each run's lines in order): lines never overlap, so the order
    # they are drawn in does not show, and each font and colour is then set once
    lines = sorted(lines, key=lambda line: (line[2], line[3], line[4]))
    text = canvas.beginText()
    font_state: tuple[str, float] | None = None
    colour_state = ""
    next_x = next_y = math.inf  # no line yet: the first always sets its origin
    leading = 0.0
    for x, y, font, size, colour, words in lines:
        if (font, size) != font_state:
            leading = round(size * LEADING, 2)
            text.setFont(font, size, leading)
            font_state = (font, size)
        if colour != colour_state:
            text.setFillColor(_colour(colour))
            colour_state = colour
        if abs(x - next_x) > 0.01 or abs(y - next_y) > 0.01:
            text.setTextOrigin(x, y)
        text.textLine(words)  # unlike textOut, never measures the words again
        next_x, next_y = x, y - leading
    canvas.drawText(text)


@cache
def _colour(code: str) -> Any:
    from reportlab.lib.colors import HexColor

    return HexColor(code)


def block(runs: list[Run], keep: float = 160.0) -> Any:
    """A flowable of plain-text runs; one shorter than ``keep`` points is never split."""
    return _classes()[0](runs, keep)


def grid(header: list[str], widths: list[float], rows: list[list[list[Run] | str]]) -> Any:
    """A table of plain-text cells: each cell is a string or a list of runs stacked in it."""
    cells = [[[Run(cell)] if isinstance(cell, str) else cell for cell in row] for row in rows]
    header_look = Look("bold", 8.0)
    words = [[_longest_word([Run(text, header_look)]) for text in header]]
    words += [[_longest_word(cell) for cell in row] for row in cells]
    return _classes()[1](header, pdfkit.fit_widths(widths, words, 2 * _PAD_X), cells)


def _longest_word(runs: list[Run]) -> float:
    """The widest word of a cell's runs (or lead), in points: the narrowest its column can be
    without cutting a word."""
    measure = _widths()
    widest = 0.0
    for run in runs:
        look = run.look
        for word in run.text.split():
            widest = max(widest, measure(word, look.font, look.size) + run.indent)
        if run.lead:
            lead = run.lead_look or Look("bold", look.size, look.colour)
            widest = max(widest, measure(run.lead, lead.font, lead.size) + run.indent)
    return widest


@dataclass
class Looks:
    """The looks the reports use, matching the Paragraph styles of :mod:`reports.pdfkit`."""

    body: Look = field(default_factory=lambda: Look("regular", 9.0))
    lead: Look = field(default_factory=lambda: Look("bold", 9.0, pdfkit.HEADING))
    detail: Look = field(default_factory=lambda: Look("regular", 7.6))
    detail_lead: Look = field(default_factory=lambda: Look("regular", 7.6, pdfkit.MUTED))
    cell: Look = field(default_factory=lambda: Look("regular", 7.8))
    cell_bold: Look = field(default_factory=lambda: Look("bold", 7.8))
    cell_muted: Look = field(default_factory=lambda: Look("regular", 6.8, pdfkit.MUTED))
    cell_italic: Look = field(default_factory=lambda: Look("italic", 7.2))


LOOKS = Looks()
