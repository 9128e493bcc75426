"""What every printed report shares: fonts, colours, paragraph styles, escaping, and the document
with its page templates (portrait and landscape), header, footer, "Page 3 of 12" and outline.

Case text never goes into a Paragraph as it is: :func:`esc` escapes it (``&``, ``<`` and ``>``,
so a name like ``<b>Ann</b> & Co`` prints literally and no ``<a>`` or ``<link>`` in a label can
make a link), :func:`para` builds a Paragraph from plain text, and :func:`rich` fills trusted
markup with escaped parts. Text drawn on the canvas or in a graphics ``String`` is never parsed
as markup, so it needs no escaping.

reportlab is imported inside functions (start-up never loads it); classes that extend
reportlab's are made on first use by cached factories.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from planner import __version__
from planner.dates import format_day

if TYPE_CHECKING:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Flowable, Paragraph

TEXT = "#1f2933"
MUTED = "#5f6368"
LINE = "#c9ced6"
SHADE = "#f3f5f8"
HEADING = "#14324f"
QUESTION_FILL = "#eef4fb"
QUESTION_LINE = "#0072B2"
WARNING_FILL = "#fff4e5"
WARNING_LINE = "#b45309"
WARNING_TEXT = "#7c2d12"

MARGIN = 42.0
#: The frame starts this far above the bottom edge and ends this far below the top edge: the
#: footer and header sit in the margins, each with a rule between it and the content.
FRAME_BOTTOM = MARGIN + 6
FRAME_TOP = MARGIN + 10
#: Reportlab's frames pad their content by 6 points on every side.
FRAME_PADDING = 6.0

#: TrueType families tried in turn (regular, bold, italic, bold italic), for the widest coverage of
#: names' letters; reportlab's own Bitstream Vera is always there as the last resort.
_FAMILIES = [
    ("/usr/share/fonts/truetype/dejavu", ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf",
                                         "DejaVuSans-BoldOblique.ttf")),
    ("/usr/share/fonts/dejavu", ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf",
                                 "DejaVuSans-BoldOblique.ttf")),
    ("/Library/Fonts", ("Arial.ttf", "Arial Bold.ttf", "Arial Italic.ttf", "Arial Bold Italic.ttf")),
    ("/System/Library/Fonts/Supplemental", ("Arial.ttf", "Arial Bold.ttf", "Arial Italic.ttf",
                                            "Arial Bold Italic.ttf")),
    ("C:/Windows/Fonts", ("arial.ttf", "arialbd.ttf", "ariali.ttf", "arialbi.ttf")),
]


@dataclass(frozen=True)
class Fonts:
    regular: str
    bold: str
    italic: str
    bold_italic: str


@cache
def fonts() -> Fonts:
    """Register the report family once (the first TrueType family found) and name its faces."""
    import reportlab
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    bundled = Path(reportlab.__file__).parent / "fonts"
    candidates = [(Path(folder), files) for folder, files in _FAMILIES]
    candidates.append((bundled, ("Vera.ttf", "VeraBd.ttf", "VeraIt.ttf", "VeraBI.ttf")))
    for folder, files in candidates:
        paths = [folder / name for name in files]
        if all(p.is_file() for p in paths):
            names = ("PP-Regular", "PP-Bold", "PP-Italic", "PP-BoldItalic")
            for name, path in zip(names, paths, strict=True):
                pdfmetrics.registerFont(TTFont(name, str(path)))
            addMapping("PP", 0, 0, names[0])
            addMapping("PP", 1, 0, names[1])
            addMapping("PP", 0, 1, names[2])
            addMapping("PP", 1, 1, names[3])
            return Fonts(*names)
    return Fonts("Helvetica", "Helvetica-Bold", "Helvetica-Oblique", "Helvetica-BoldOblique")


@dataclass
class Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    body: ParagraphStyle
    quote: ParagraphStyle
    small: ParagraphStyle
    muted: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_muted: ParagraphStyle
    question: ParagraphStyle
    warning: ParagraphStyle
    bullet: ParagraphStyle
    #: A short note under a heading, kept on the page of what it introduces.
    intro: ParagraphStyle


@cache
def styles() -> Styles:
    from reportlab.lib.colors import HexColor
    from reportlab.lib.styles import ParagraphStyle

    face = fonts()
    text = HexColor(TEXT)
    base = ParagraphStyle("body", fontName=face.regular, fontSize=9.5, leading=13, textColor=text,
                          spaceAfter=6)

    def derive(name: str, **changes: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **changes)

    return Styles(
        title=derive("title", fontName=face.bold, fontSize=22, leading=27, textColor=HexColor(HEADING),
                     spaceAfter=8),
        subtitle=derive("subtitle", fontSize=13, leading=17, textColor=HexColor(MUTED), spaceAfter=14),
        h1=derive("h1", fontName=face.bold, fontSize=15, leading=19, textColor=HexColor(HEADING),
                  spaceBefore=14, spaceAfter=8, keepWithNext=1),
        h2=derive("h2", fontName=face.bold, fontSize=11.5, leading=15, textColor=HexColor(HEADING),
                  spaceBefore=10, spaceAfter=4, keepWithNext=1),
        h3=derive("h3", fontName=face.bold, fontSize=10, leading=13, spaceBefore=6, spaceAfter=2,
                  keepWithNext=1),
        body=base,
        quote=derive("quote", fontName=face.italic, leftIndent=14, rightIndent=14),
        small=derive("small", fontSize=8, leading=10.5, spaceAfter=3),
        muted=derive("muted", fontSize=8, leading=10.5, textColor=HexColor(MUTED), spaceAfter=3),
        cell=derive("cell", fontSize=8, leading=10, spaceAfter=0),
        cell_bold=derive("cell_bold", fontName=face.bold, fontSize=8, leading=10, spaceAfter=0),
        cell_muted=derive("cell_muted", fontSize=7.5, leading=9.5, textColor=HexColor(MUTED), spaceAfter=0),
        question=derive("question", fontName=face.bold, fontSize=9.5, leading=13,
                        textColor=HexColor(HEADING), spaceAfter=0),
        warning=derive("warning", fontName=face.bold, textColor=HexColor(WARNING_TEXT), spaceAfter=0),
        bullet=derive("bullet", leftIndent=14, bulletIndent=3, spaceAfter=3),
        intro=derive("intro", fontSize=8, leading=10.5, spaceAfter=3, keepWithNext=1),
    )


# -- escaping -----------------------------------------------------------------------------------
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def esc(text: object) -> str:
    """Case text made safe for Paragraph markup: printed literally, line breaks kept."""
    value = _CONTROL.sub(" ", "" if text is None else str(text))
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br/>")


def rich(template: str, *parts: object) -> str:
    """Trusted markup with ``{}`` placeholders filled by escaped case text."""
    return template.format(*(esc(p) for p in parts))


def para(text: object, style: ParagraphStyle) -> Paragraph:
    """A Paragraph of plain (case) text."""
    from reportlab.platypus import Paragraph

    return Paragraph(esc(text), style)


def markup(text: str, style: ParagraphStyle) -> Paragraph:
    """A Paragraph of markup that is already safe (made with :func:`rich` or :func:`esc`)."""
    from reportlab.platypus import Paragraph

    return Paragraph(text, style)


def heading(text: str, style: ParagraphStyle, level: int = 0, outline: bool = True) -> Paragraph:
    """A heading that also becomes an entry of the PDF's outline (bookmarks)."""
    from reportlab.platypus import Paragraph

    paragraph = Paragraph(esc(text), style)
    if outline:
        paragraph._outline = (text, level)  # read by the document after the heading is placed
    return paragraph


# -- tables ---------------------------------------------------------------------------------------
def table(rows: Sequence[Sequence[Any]], widths: Sequence[float], header: bool = True,
          zebra: bool = True, style: Iterable[tuple[Any, ...]] = (), long: bool = False) -> Flowable:
    """A table in the report's style: a shaded header row repeated on every page, light rules,
    alternate rows shaded. Cells are flowables (or plain strings, drawn as they are)."""
    from reportlab.lib.colors import HexColor
    from reportlab.platypus import LongTable, Table, TableStyle

    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), fonts().regular),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("TEXTCOLOR", (0, 0), (-1, -1), HexColor(TEXT)),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, HexColor(LINE)),
    ]
    if header:
        commands += [("BACKGROUND", (0, 0), (-1, 0), HexColor("#e3e8ef")),
                     ("FONTNAME", (0, 0), (-1, 0), fonts().bold),
                     ("LINEBELOW", (0, 0), (-1, 0), 0.8, HexColor(MUTED))]
    if zebra and len(rows) > 2:
        commands.append(("ROWBACKGROUNDS", (0, 1 if header else 0), (-1, -1), [None, HexColor(SHADE)]))
    commands += list(style)
    kind = LongTable if long else Table
    widths = fit_widths(widths, [[longest_word(cell, bold=header and index == 0) for cell in row]
                                 for index, row in enumerate(rows)], 2 * CELL_PADDING)
    # a row taller than a page (long text in a narrow column) splits across pages, not raising
    return kind(list(rows), colWidths=list(widths), repeatRows=1 if header else 0,
                style=TableStyle(commands), hAlign="LEFT", splitInRow=1)


#: The padding inside a table's cell on the left and on the right.
CELL_PADDING = 4.0


def longest_word(cell: Any, bold: bool = False, size: float = 8.0) -> float:
    """The width of the widest word in a table cell (a Paragraph, or a string drawn in the
    table's font), in points: the narrowest the column can be without breaking a word."""
    widest = 0.0
    frags = getattr(cell, "frags", None)
    if frags is not None:
        for frag in frags:
            text = getattr(frag, "text", "")
            for word in text.split():
                widest = max(widest, _width(word, frag.fontName, frag.fontSize))
        return widest
    if isinstance(cell, str):
        face = fonts()
        return max((_width(word, face.bold if bold else face.regular, size) for word in cell.split()),
                   default=0.0)
    return 0.0


def fit_widths(widths: Sequence[float], words: Sequence[Sequence[float]], padding: float) -> list[float]:
    """Column ``widths`` changed as little as possible so that every column is as wide as the
    widest word in it (``words``: per row, per column, that width) plus ``padding``: a column too
    narrow takes what it needs from the others' room to spare, in proportion, and the total is
    kept. Words are never broken to fit a column, unless no sharing of the width could fit them
    all (a 6,000-letter word), when the widths are left as they were."""
    widths = list(widths)
    need = [0.0] * len(widths)
    for row in words:
        for column, width in enumerate(row[:len(widths)]):
            need[column] = max(need[column], width + padding + 0.5)
    short = sum(max(0.0, n - w) for n, w in zip(need, widths, strict=True))
    if short <= 0.01:
        return widths
    spare = [max(0.0, w - n) for n, w in zip(need, widths, strict=True)]
    if sum(spare) < short:
        return widths
    share = short / sum(spare)
    return [max(n, w) if n > w else w - s * share for n, w, s in zip(need, widths, spare, strict=True)]


def header_cells(*titles: str) -> list[Paragraph]:
    return [para(t, styles().cell_bold) for t in titles]


def boxed(flowables: list[Flowable], width: float, fill: str = QUESTION_FILL, line: str = QUESTION_LINE,
          left_rule: bool = True) -> Flowable:
    """Flowables in a shaded box with a coloured rule on the left (questions, warnings)."""
    from reportlab.lib.colors import HexColor
    from reportlab.platypus import Table, TableStyle

    commands: list[tuple[Any, ...]] = [
        ("BACKGROUND", (0, 0), (-1, -1), HexColor(fill)),
        ("LEFTPADDING", (0, 0), (-1, -1), 8), ("RIGHTPADDING", (0, 0), (-1, -1), 8),
        ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
    ]
    if left_rule:
        commands.append(("LINEBEFORE", (0, 0), (0, -1), 3, HexColor(line)))
    else:
        commands.append(("BOX", (0, 0), (-1, -1), 1.2, HexColor(line)))
    return Table([[flowables]], colWidths=[width], style=TableStyle(commands), hAlign="LEFT")


# -- keeping headings with what follows ----------------------------------------------------------------
def keep_headings(story: list[Flowable]) -> list[Flowable]:
    """The story with every run of headings and introductions (flowables that keep with the next)
    preceded by a check that the page has room for them and the start of what they introduce (a
    table's first rows, a finding's first lines, a short flowable whole); otherwise they start the
    next page. Unlike reportlab's own keepWithNext, a long table after a heading does not push
    the heading to a new page when it would fit: only the start must."""
    out: list[Flowable] = []
    index = 0
    while index < len(story):
        if not _keeps_with_next(story[index]):
            out.append(story[index])
            index += 1
            continue
        end = index
        while end < len(story) and _keeps_with_next(story[end]):
            end += 1
        lead = story[index:end]
        for flowable in lead:
            flowable.__dict__["keepWithNext"] = 0  # the room is checked here instead
        out.append(_room_for()(lead, story[end] if end < len(story) else None))
        out.extend(lead)
        index = end
    return out


def _keeps_with_next(flowable: Any) -> bool:
    keeps = getattr(flowable, "getKeepWithNext", None)
    return bool(keeps and keeps()) and not getattr(flowable, "locChanger", False)


#: What a heading needs below it at most, as a share of the frame: the start of a long table.
START_SHARE = 0.25


@cache
def _room_for() -> type:
    from reportlab.platypus import CondPageBreak, KeepTogether

    class RoomFor(CondPageBreak):  # type: ignore[misc]
        """Starts a new page unless the headings ``lead`` and the start of ``following`` fit."""

        def __init__(self, lead: list[Any], following: Any) -> None:
            super().__init__(0)
            self.lead = lead
            self.following = following

        def _height(self, flowable: Any, width: float) -> float:
            height = float(flowable.wrapOn(self.canv, width, 1e6)[1])
            return height + float(flowable.getSpaceBefore()) + float(flowable.getSpaceAfter())

        def _start(self, flowable: Any, width: float, frame: float) -> float:
            if flowable is None or getattr(flowable, "locChanger", False) or not hasattr(flowable, "wrapOn"):
                return 0.0
            if hasattr(flowable, "start_height"):
                return float(flowable.start_height(width))
            if isinstance(flowable, KeepTogether):
                flowable.wrapOn(self.canv, width, 1e6)
                whole = float(flowable._H)
                if whole <= frame * 0.9:
                    return whole
                return self._start(flowable._content[0], width, frame) if flowable._content else 0.0
            return min(self._height(flowable, width), frame * START_SHARE)

        def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
            frame = self._doctemplateAttr("frame")
            if frame is None or getattr(frame, "_atTop", False):
                return 0, 0
            needed = sum(self._height(f, available_width) for f in self.lead)
            needed += self._start(self.following, available_width, frame._height)
            self.height = min(needed, frame._height * 0.9)
            result: tuple[float, float] = super().wrap(available_width, available_height)
            return result

    return RoomFor


# -- severity marks ----------------------------------------------------------------------------------
def severity_geometry(shape: str, x: float, y: float, size: float) -> tuple[str, Any]:
    """A severity mark in a ``size`` square whose lower left corner is at (x, y): ("polygon",
    [x0, y0, x1, y1, ...]) for a triangle or diamond, ("circle", (cx, cy, r)) for a circle."""
    h = size / 2
    if shape == "triangle":
        return "polygon", [x + h, y + size, x + size, y, x, y]
    if shape == "diamond":
        return "polygon", [x + h, y + size, x + size, y + h, x + h, y, x, y + h]
    return "circle", (x + h, y + h, h * 0.82)


def severity_shape(shape: str, x: float, y: float, size: float, fill: str, outline: str = "#222222",
                   stroke_width: float = 0.6) -> Any:
    """A severity mark as a graphics shape (see :func:`severity_geometry`): the shape carries the
    meaning in black and white, the colour on screen."""
    from reportlab.graphics.shapes import Circle, Polygon
    from reportlab.lib.colors import HexColor

    kind, geometry = severity_geometry(shape, x, y, size)
    if kind == "circle":
        cx, cy, r = geometry
        return Circle(cx, cy, r, fillColor=HexColor(fill), strokeColor=HexColor(outline),
                      strokeWidth=stroke_width)
    return Polygon(geometry, fillColor=HexColor(fill), strokeColor=HexColor(outline),
                   strokeWidth=stroke_width, strokeLineJoin=1)


def severity_badge(severity: str, size: float = 9.0) -> Flowable:
    """A severity mark on its own, as a small drawing to put beside a heading or in a table cell."""
    from reportlab.graphics.shapes import Drawing

    from planner.rules.catalogue import severity_style

    colour, shape = severity_style(severity)
    drawing = Drawing(size + 2, size + 2)
    drawing.add(severity_shape(shape, 1, 1, size, colour))
    return drawing


# -- the document ----------------------------------------------------------------------------------
@dataclass
class DocumentInfo:
    """What the header and footer say, and the PDF's own metadata."""

    title: str
    kind: str
    identifiable: bool
    prepared_on: date = field(default_factory=date.today)
    subject: str = "Regulation workshop"
    #: Words at the top right of every page: says whether the document holds personal data.
    marking: str = ""

    def __post_init__(self) -> None:
        if not self.marking:
            self.marking = ("IDENTIFIABLE: contains personal data" if self.identifiable
                            else "Anonymised for the workshop")


def page_sizes() -> tuple[tuple[float, float], tuple[float, float]]:
    from reportlab.lib.pagesizes import A4, landscape

    return tuple(A4), tuple(landscape(A4))


def frame_size(landscape: bool = False) -> tuple[float, float]:
    """The width and height that flowables get on a portrait (or landscape) page."""
    portrait, wide = page_sizes()
    width, height = wide if landscape else portrait
    return width - 2 * MARGIN - 2 * FRAME_PADDING, height - FRAME_BOTTOM - FRAME_TOP - 2 * FRAME_PADDING


def build(target: str | Path | IO[bytes], story: list[Flowable], info: DocumentInfo) -> int:
    """Lay the story out into a PDF at ``target`` (a path or a binary file); returns the pages."""
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    portrait, wide = page_sizes()
    face = fonts()
    pages: list[int] = []

    def frame(size: tuple[float, float], name: str) -> Frame:
        width, height = size
        return Frame(MARGIN, FRAME_BOTTOM, width - 2 * MARGIN, height - FRAME_BOTTOM - FRAME_TOP, id=name)

    def decorate(canvas: Any, doc: Any) -> None:
        _decorate(canvas, info, face, canvas._pagesize)

    class Document(BaseDocTemplate):  # type: ignore[misc]
        def afterFlowable(self, flowable: Any) -> None:
            outline = getattr(flowable, "_outline", None)
            if outline is not None:
                text, level = outline
                key = f"o{id(flowable)}"
                self.canv.bookmarkPage(key)
                self.canv.addOutlineEntry(text, key, level=level, closed=level > 0)

        def afterPage(self) -> None:
            pages.append(self.page)

    buffer = io.BytesIO()
    doc = Document(
        buffer, pagesize=portrait, title=info.title,
        author="Pathway Planner", subject=info.subject, creator=f"Pathway Planner {__version__}",
        leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN)
    doc.addPageTemplates([
        PageTemplate(id="portrait", frames=[frame(portrait, "portrait")], onPage=decorate, pagesize=portrait),
        PageTemplate(id="landscape", frames=[frame(wide, "landscape")], onPage=decorate, pagesize=wide),
    ])
    from reportlab import rl_config

    ascii85 = rl_config.useA85
    rl_config.useA85 = 0  # compressed streams stay binary: encoding them as text costs time, not bytes
    try:
        doc.build(story, canvasmaker=_numbered_canvas(info))
    finally:
        rl_config.useA85 = ascii85
    if isinstance(target, str | Path):
        _replace(Path(target), buffer.getvalue())
    else:
        target.write(buffer.getvalue())
    return len(pages)


def _replace(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` all at once, readable by the user only: a reader never sees half
    a document, and a failure leaves any earlier file as it was (planner.outputs)."""
    from planner.outputs import write_atomically

    write_atomically(data, path, overwrite=True)


def _decorate(canvas: Any, info: DocumentInfo, face: Fonts, size: tuple[float, float]) -> None:
    """Header and footer of a page (the page count is added when the document is complete)."""
    from reportlab.lib.colors import HexColor

    width, height = size
    canvas.saveState()
    top = height - MARGIN + 6
    canvas.setFont(face.bold, 8)
    canvas.setFillColor(HexColor(HEADING))
    canvas.drawString(MARGIN, top, _fit(info.kind, face.bold, 8, width * 0.3))
    canvas.setFont(face.regular, 8)
    canvas.setFillColor(HexColor(TEXT))
    marking_width = _width(info.marking, face.bold, 7.5) + 12
    title_room = width - 2 * MARGIN - width * 0.3 - marking_width - 16
    canvas.drawString(MARGIN + width * 0.3, top, _fit(info.title, face.regular, 8, title_room))
    # the marking: a boxed label, filled for identifiable documents
    x = width - MARGIN - marking_width
    if info.identifiable:
        canvas.setFillColor(HexColor(WARNING_FILL))
        canvas.setStrokeColor(HexColor(WARNING_LINE))
        canvas.setLineWidth(1.2)
        canvas.roundRect(x, top - 4, marking_width, 14, 3, stroke=1, fill=1)
        canvas.setFillColor(HexColor(WARNING_TEXT))
    else:
        canvas.setStrokeColor(HexColor(MUTED))
        canvas.setLineWidth(0.6)
        canvas.roundRect(x, top - 4, marking_width, 14, 3, stroke=1, fill=0)
        canvas.setFillColor(HexColor(TEXT))
    canvas.setFont(face.bold, 7.5)
    canvas.drawCentredString(x + marking_width / 2, top, info.marking)
    canvas.setStrokeColor(HexColor(LINE))
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN, top - 8, width - MARGIN, top - 8)
    bottom = MARGIN - 10
    canvas.line(MARGIN, bottom + 11, width - MARGIN, bottom + 11)
    canvas.setFont(face.regular, 7.5)
    canvas.setFillColor(HexColor(MUTED))
    canvas.drawString(MARGIN, bottom, f"Prepared {format_day(info.prepared_on)} with Pathway Planner "
                                      f"{__version__} for discussion with regulators. "
                      + ("Handle as personal data." if info.identifiable else "No personal identifiers."))
    canvas.restoreState()


def _width(text: str, font: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return float(stringWidth(text, font, size))


def _fit(text: str, font: str, size: float, room: float) -> str:
    """``text`` cut with an ellipsis to fit ``room`` points."""
    return elide(text, room, lambda t: _width(t, font, size))


def elide(text: str, room: float, width: Callable[[str], float]) -> str:
    """The longest start of ``text`` (with "…") whose width fits ``room``; "" if not even "…" fits."""
    if width(text) <= room:
        return text
    if width("…") > room:
        return ""
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if width(text[:middle].rstrip() + "…") <= room:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + "…"


@cache
def _canvas_base() -> Any:
    from reportlab.pdfgen.canvas import Canvas

    return Canvas


def _numbered_canvas(info: DocumentInfo) -> Callable[..., Any]:
    """A canvas that holds every page back until the end, then writes "Page n of N" on each."""
    canvas_class = _canvas_base()
    face = fonts()

    class NumberedCanvas(canvas_class):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            from reportlab.lib.colors import HexColor

            total = len(self._held)
            for state in self._held:
                self.__dict__.update(state)
                width, _height = self._pagesize
                self.saveState()
                self.setFont(face.bold, 7.5)
                self.setFillColor(HexColor(TEXT))
                self.drawRightString(width - MARGIN, MARGIN - 10, f"Page {self._pageNumber} of {total}")
                self.restoreState()
                canvas_class.showPage(self)
            canvas_class.save(self)

    return NumberedCanvas
