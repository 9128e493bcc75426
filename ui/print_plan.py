"""The printed care plan: "My care plan", for the person, their family and every provider.

One document serves the print preview, the printer and the PDF: :func:`plan_html` turns a
:class:`planner.careplan.PrintablePlan` into HTML (every piece of case text escaped), and
:func:`paint_plan` lays it out on A4 pages of whatever device it is given — a ``QPrinter`` from the
print preview, or a ``QPdfWriter`` — with a footer on every page naming the plan, its version and
"Page n of N".

Written for reading, not for professionals: plain words and no codes, body text 12.5 pt and
headings larger, black on white with rules and boxes rather than colour, so it reads the same on
a black-and-white printer. The coordinator and how to reach them come first.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QFontDatabase,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPalette,
    QPdfWriter,
    QPen,
    QTextDocument,
)
from PySide6.QtWidgets import QDialog, QWidget

from db.exports import ExportEvent, Rendered
from planner.careplan import PrintablePlan, has_phone_number
from planner.outputs import write_atomically
from ui.saving import OutputSaver

BODY_PT = 12.5
FOOTER_PT = 10.5
MARGIN_MM = 16.0
PREFERRED_FAMILIES = ("DejaVu Sans", "Noto Sans", "Liberation Sans", "Arial", "Helvetica")


def _e(text: str) -> str:
    """Case text made safe for the document: escaped, line breaks kept."""
    return html.escape(text).replace("\n", "<br>")


def _family() -> str:
    available = set(QFontDatabase.families())
    return next((f for f in PREFERRED_FAMILIES if f in available), QFont().defaultFamily())


CSS = f"""
body, p, h1, h2, h3, td, th, b {{ color: #000000; }}
body {{ font-size: {BODY_PT}pt; }}
h1 {{ font-size: 24pt; font-weight: bold; margin: 0; }}
h2 {{ font-size: 16pt; font-weight: bold; margin-top: 0; margin-bottom: 5px; }}
h3 {{ font-size: 13.5pt; font-weight: bold; margin-top: 0; margin-bottom: 3px; }}
p {{ margin-top: 0; margin-bottom: 4px; }}
th {{ font-weight: bold; text-align: left; }}
.name {{ font-size: 20pt; }}
.big {{ font-size: 16pt; font-weight: bold; }}
.quote {{ font-size: 13.5pt; font-weight: bold; }}
"""


# -- the document as blocks ------------------------------------------------------------------------
@dataclass
class Block:
    """One piece of the printed plan. ``kind`` is "text" (HTML), "box" (HTML in a heavy frame) or
    "table" (``headers``, ``rows`` of HTML cells, column ``widths`` in percent). A block with
    ``keep_with_next`` (a heading) never ends a page. ``space`` is the gap above it, in points."""

    kind: str
    html: str = ""
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    widths: list[int] = field(default_factory=list)
    keep_with_next: bool = False
    space: float = 0.0


def _heading(text: str, level: int = 2) -> Block:
    return Block("text", f"<h{level}>{text}</h{level}>", keep_with_next=True, space=16 if level == 2 else 9)


def _para(html_text: str, space: float = 0) -> Block:
    return Block("text", html_text, space=space)


def identity_line(plan: PrintablePlan) -> str:
    """"NHS number 943 476 5919 · Date of birth 2 Apr 1937" (what is recorded of the two), for a
    provider to match the plan to their records; "" when neither is."""
    parts = []
    if plan.nhs_number:
        parts.append(f"NHS number {plan.nhs_number}")
    if plan.date_of_birth:
        parts.append(f"Date of birth {plan.date_of_birth}")
    return "  ·  ".join(parts)


def _whom_to_call(plan: PrintablePlan, until: str) -> str:
    """Who to call when the coordinator cannot be: a person with a number, named with it, never
    someone the plan has no number for. ``until`` starts the sentence ("Until one is named")."""
    others = [c for c in plan.callable_contacts if c != plan.coordinator]
    if not others:
        return ("<p>No phone numbers are written in this plan yet: ask the team to add them. In an "
                "emergency, call 999. For urgent advice at any time, call NHS 111.</p>")
    first = others[0]
    role = f" ({_e(first.role)})" if first.role else ""
    more = " or anyone else under “Who to call” who has a number" if len(others) > 1 else ""
    return f"<p>{until}, call {_e(first.name)}{role} on <b>{_e(first.contact)}</b>{more}.</p>"


def _ask_about_it(plan: PrintablePlan) -> str:
    """Whom to ask about something not yet written down: the coordinator only when there is one
    with a number, else someone under "Who to call" with a number, else the team when they visit."""
    coordinator = plan.coordinator
    if coordinator is not None and has_phone_number(coordinator.contact):
        return "ask your care coordinator"
    if plan.callable_contacts:
        return "ask one of the people under “Who to call” who has a phone number"
    return "ask the team to write one down when they next see you"


def plan_blocks(plan: PrintablePlan) -> list[Block]:
    """The printed plan, in order. Every piece of case text is escaped here."""
    identity = identity_line(plan)
    status = f"<p>{_e(plan.version_text)} &nbsp;·&nbsp; Printed {_e(plan.printed_on)}</p>"
    if plan.review_overdue:
        status += f"<p><b>The review of this plan is overdue: it was due on {_e(plan.review)}.</b></p>"
    blocks = [Block("text", f"<h1>My care plan</h1><p class='name'>{_e(plan.name)}</p>"
                            + (f"<p><b>{_e(identity)}</b></p>" if identity else "") + status)]
    coordinator = plan.coordinator
    if coordinator is not None:
        where = ", ".join(x for x in (coordinator.role, coordinator.organisation) if x)
        if has_phone_number(coordinator.contact):
            contact = f"<p class='big'>{_e(coordinator.contact)}</p>"
        else:
            shown = f"<p>{_e(coordinator.contact)}</p>" if coordinator.contact else ""
            contact = (shown + "<p><b>No phone number is written down for them.</b></p>"
                       + _whom_to_call(plan, "Until the team adds one"))
        blocks.append(Block("box", "<p><b>My care coordinator</b> is the person to call first about anything "
                                   f"in this plan.</p><p class='big'>{_e(coordinator.name)}</p>"
                                   f"<p>{_e(where)}</p>{contact}", space=6))
    else:
        blocks.append(Block("box", "<p class='big'>No care coordinator has been named yet.</p>"
                                   + _whom_to_call(plan, "Until one is"), space=6))

    blocks.append(_heading("What matters to me"))
    blocks.append(_para(f"<p>{_e(plan.what_matters)}</p>" if plan.what_matters
                        else "<p>Not written down yet.</p>"))

    blocks.append(_heading("My goals"))
    if not plan.goals:
        blocks.append(_para("<p>No goals have been agreed yet.</p>"))
    for number, goal in enumerate(plan.goals, 1):
        facts = [f"How we will know: {_e(goal.outcome)}" if goal.outcome else "",
                 f"By: {_e(goal.by)}" if goal.by else "", f"Now: {_e(goal.status)}" if goal.status else ""]
        lines = "<br>".join(f for f in facts if f)
        blocks.append(_para(f"<p class='quote'>{number}. “{_e(goal.in_my_words)}”</p>"
                            + (f"<p>{lines}</p>" if lines else ""), space=4 if number > 1 else 0))

    blocks.append(_heading("Who will do what"))
    if not plan.actions:
        blocks.append(_para("<p>No actions have been agreed yet.</p>"))
    groups: dict[str, list[list[str]]] = {}
    for action in plan.actions:
        groups.setdefault(action.goal, []).append(
            [_e(action.what), _e(action.who), _e(action.when), _e(action.status)])
    for goal_text, rows in sorted(groups.items(), key=lambda g: g[0] == ""):
        blocks.append(_heading(f"For “{_e(goal_text)}”" if goal_text else "Other things we will do", 3))
        blocks.append(Block("table", headers=["What", "Who", "When", "Now"], rows=rows,
                            widths=[40, 27, 17, 16], space=3))

    blocks.append(_heading("If I become unwell"))
    blocks.append(Block("box", f"<p>{_e(plan.contingency)}</p>") if plan.contingency
                  else _para(f"<p>No plan for this has been written down yet: {_ask_about_it(plan)}.</p>"))

    blocks.append(_heading("Who to call"))
    blocks.append(_para("<p><b>In an emergency, call 999.</b> For urgent advice at any time, "
                        "call NHS 111.</p>"))
    if plan.contacts:
        blocks.append(Block("table", headers=["Name", "What they do", "Where", "How to contact them"],
                            rows=[[_e(c.name) + (" <b>(care coordinator)</b>" if c == coordinator else ""),
                                   _e(c.role), _e(c.organisation), _contact_cell(c.contact)]
                                  for c in plan.contacts], widths=[26, 22, 24, 28]))
    else:
        blocks.append(_para("<p>Nobody is recorded yet.</p>"))

    blocks.append(_heading("When we will look at this plan again"))
    if plan.review and plan.review_overdue:
        ask = _ask_about_it(plan)
        blocks.append(_para(f"<p><b>Overdue:</b> this plan should have been looked at again on "
                            f"<b>{_e(plan.review)}</b>. {ask[:1].upper() + ask[1:]} when it will be.</p>"))
    else:
        blocks.append(_para(f"<p>On <b>{_e(plan.review)}</b>, or sooner if anything changes.</p>"
                            if plan.review else "<p>No review date has been set yet.</p>"))

    blocks.append(_heading("Who agreed this plan"))
    agreed = "".join(f"{_e(who)}<br>" for who in plan.agreed_by) or "Nobody has agreed this version yet."
    if plan.changed_since is None:
        blocks.append(_para(f"<p>{_e(plan.version_text)}.</p><p>{agreed}</p>"))
        return blocks
    items = "".join(f"{_e(change)}<br>" for change in plan.changes)
    blocks.append(_para(f"<p>Version {plan.changed_since} was agreed by:</p><p>{agreed}</p>"
                        f"<p><b>Since version {plan.changed_since} was agreed:</b><br>{items}"
                        "The team has not yet agreed the plan again with these changes.</p>"))
    return blocks


def footer_version(plan: PrintablePlan) -> str:
    """The version as the footer of every page says it, short enough for one line."""
    if plan.changed_since is not None:
        return f"Changed since version {plan.changed_since}, not yet agreed again"
    return plan.version_text


def _contact_cell(contact: str) -> str:
    """How to reach someone: their contact, and a plain "no phone number" where it holds none."""
    if has_phone_number(contact):
        return _e(contact)
    if contact:
        return f"{_e(contact)}<br><b>No phone number</b>"
    return "<b>No phone number</b>"


def plan_html(plan: PrintablePlan) -> str:
    """The same plan as one HTML page, for reading on screen (the versions dialog)."""
    parts = []
    for block in plan_blocks(plan):
        if block.kind == "table":
            head = "".join(f'<th width="{w}%" bgcolor="#e6e6e6">{_e(h)}</th>'
                           for h, w in zip(block.headers, block.widths, strict=True))
            body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>"
                           for row in block.rows)
            parts.append('<table width="100%" border="1" cellspacing="0" cellpadding="5">'
                         f"<tr>{head}</tr>{body}</table>")
        elif block.kind == "box":
            parts.append('<table width="100%" border="2" cellspacing="0" cellpadding="10">'
                         f"<tr><td>{block.html}</td></tr></table>")
        else:
            parts.append(block.html)
    return f"<html><head><style>{CSS}</style></head><body>{''.join(parts)}</body></html>"


# -- laying the blocks out on pages ----------------------------------------------------------------
class _Pages:
    """Places blocks down A4 pages: table rows and boxes are never split (a table's heading row is
    repeated on each page it continues on), a heading always has what follows it on the same page,
    and nothing is drawn outside its page, so the PDF's text holds each word once."""

    def __init__(self, painter: QPainter, device: QPagedPaintDevice, width: float, height: float,
                 footer: Callable[[int], None] | None = None,
                 cache: dict[tuple[str, float], QTextDocument] | None = None) -> None:
        """Without ``footer`` a dry run: only counts the pages. With it, draws, and calls
        ``footer(page_index)`` as each page is finished."""
        self.painter, self.device = painter, device
        self.width, self.height = width, height
        self.footer = footer
        self.cache: dict[tuple[str, float], QTextDocument] = {} if cache is None else cache
        self.points = device.logicalDpiY() / 72.0  # device pixels per point
        self.font = QFont(_family())
        self.font.setPointSizeF(BODY_PT)
        # no ligatures: "fi" stays two letters, so the PDF's text can be searched, copied and read aloud
        self.font.setFeature(QFont.Tag("liga"), 0)
        self.y = 0.0
        self.page = 0
        self.pad = 5 * self.points

    def text(self, html_text: str, width: float) -> QTextDocument:
        key = (html_text, width)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        document = self.cache[key] = QTextDocument()
        document.documentLayout().setPaintDevice(self.device)
        document.setDefaultFont(self.font)
        document.setDefaultStyleSheet(CSS)
        document.setDocumentMargin(0)
        document.setHtml(html_text)
        document.setTextWidth(width)
        return document

    def new_page(self) -> None:
        if self.footer is not None:
            self.footer(self.page)
            self.device.newPage()
        self.page += 1
        self.y = 0.0

    def finish(self) -> int:
        """Close the last page; the number of pages."""
        if self.footer is not None:
            self.footer(self.page)
        return self.page + 1

    def fits(self, height: float) -> bool:
        return self.y + height <= self.height or self.y == 0

    def draw_text(self, document: QTextDocument, x: float, y: float) -> None:
        if self.footer is None:
            return
        self.painter.save()
        self.painter.translate(x, y)
        context = QAbstractTextDocumentLayout.PaintContext()
        context.palette.setColor(QPalette.ColorRole.Text, QColor("#000000"))  # not the screen theme's
        document.documentLayout().draw(self.painter, context)
        self.painter.restore()

    # one unit per text or box; a table's units are its rows
    def first_height(self, block: Block) -> float:
        if block.kind == "table":
            if not block.rows:
                return 0.0
            return self.row_height(block, block.headers, True) + self.row_height(block, block.rows[0], False)
        return self.block_height(block)

    def block_height(self, block: Block) -> float:
        inset = 10 * self.points if block.kind == "box" else 0.0
        return self.text(block.html, self.width - 2 * inset).size().height() + 2 * inset

    def cells(self, block: Block, row: list[str], header: bool) -> list[tuple[float, QTextDocument]]:
        result, x = [], 0.0
        for cell, percent in zip(row, block.widths, strict=True):
            width = self.width * percent / 100
            html_text = f"<b>{_e(cell)}</b>" if header else cell
            result.append((width, self.text(html_text, width - 2 * self.pad)))
            x += width
        return result

    def row_height(self, block: Block, row: list[str], header: bool) -> float:
        return max(d.size().height() for _w, d in self.cells(block, row, header)) + 2 * self.pad

    def place(self, block: Block, following: list[Block]) -> None:
        """Place ``block``; ``following`` are the blocks after it (a heading needs room for the
        start of what it heads, through any headings in between)."""
        space = block.space * self.points
        if self.y > 0:
            self.y += space
        if block.kind == "table":
            self.place_table(block)
            return
        height = self.block_height(block)
        needed = height
        if block.keep_with_next:
            for after in following:
                needed += after.space * self.points + (self.block_height(after) if after.keep_with_next
                                                       else self.first_height(after))
                if not after.keep_with_next:
                    break
        if not self.fits(needed):
            self.new_page()
        if block.kind == "box":
            inset = 10 * self.points
            self.draw_text(self.text(block.html, self.width - 2 * inset), inset, self.y + inset)
            self.painter.save()
            self.painter.setPen(QPen(QColor("#000000"), 2.2 * self.points))
            if self.footer is not None:
                edge = 1.1 * self.points
                self.painter.drawRect(QRectF(edge, self.y, self.width - 2 * edge, height))
            self.painter.restore()
        else:
            self.draw_text(self.text(block.html, self.width), 0, self.y)
        self.y += height

    def place_table(self, block: Block) -> None:
        header_height = self.row_height(block, block.headers, True)
        self.draw_row(block, block.headers, True, header_height)
        rows = block.rows
        for index, row in enumerate(rows):
            height = self.row_height(block, row, False)
            # a long table's last row never goes overleaf alone: the one before it goes too
            alone = (len(rows) >= 4 and index == len(rows) - 2 and self.y > 0
                     and not self.fits(height + self.row_height(block, rows[-1], False)))
            if not self.fits(height) or alone:
                self.new_page()
                self.draw_row(block, block.headers, True, header_height)
            self.draw_row(block, row, False, height)

    def draw_row(self, block: Block, row: list[str], header: bool, height: float) -> None:
        if header and not self.fits(height * 2.5):  # a heading row never ends a page
            self.new_page()
        x = 0.0
        if self.footer is None:
            self.y += height
            return
        self.painter.save()
        self.painter.setPen(QPen(QColor("#000000"), 0.8 * self.points))
        for width, document in self.cells(block, row, header):
            cell = QRectF(x, self.y, width, height)
            if header:
                self.painter.fillRect(cell, QColor("#e6e6e6"))
            self.painter.drawRect(cell)
            self.draw_text(document, x + self.pad, self.y + self.pad)
            x += width
        self.painter.restore()
        self.y += height


def paint_plan(plan: PrintablePlan, device: QPagedPaintDevice) -> int:
    """Lay the plan out on ``device``'s pages (A4 is set by the caller) with a footer on each —
    the plan, its version and "Page n of N" — and return the number of pages. Laid out twice:
    once to count the pages, then to draw (each piece of text is laid out only once)."""
    blocks = plan_blocks(plan)
    painter = QPainter()
    if not painter.begin(device):
        raise OSError("cannot draw on the printer or file")
    try:
        page = device.pageLayout().paintRectPixels(device.logicalDpiX())
        width, height = float(page.width()), float(page.height())
        footer_font = QFont(_family())
        footer_font.setPointSizeF(FOOTER_PT)
        painter.setFont(footer_font)
        metrics = painter.fontMetrics()
        identity = identity_line(plan)
        footer_height = metrics.height() * (3.3 if identity else 2.2)
        body_height = height - footer_height
        cache: dict[tuple[str, float], QTextDocument] = {}

        def lay_out(footer: Callable[[int], None] | None) -> int:
            pages = _Pages(painter, device, width, body_height, footer, cache)
            for index, block in enumerate(blocks):
                pages.place(block, blocks[index + 1:index + 4])
            return pages.finish()

        total = lay_out(None)
        left_text = f"My care plan: {plan.name}  ·  {footer_version(plan)}"

        def footer(index: int) -> None:
            painter.save()
            painter.setFont(footer_font)
            painter.setPen(QPen(QColor("#000000"), max(1.0, device.logicalDpiY() / 120)))
            line_y = body_height + metrics.height() * 0.55
            painter.drawLine(QPointF(0, line_y), QPointF(width, line_y))
            text_rect = QRectF(0, line_y, width, metrics.height() * 1.65)
            number = f"Page {index + 1} of {total}"
            room = int(width - metrics.horizontalAdvance(number) - metrics.averageCharWidth() * 3)
            left = metrics.elidedText(left_text, Qt.TextElideMode.ElideRight, room)
            painter.drawText(text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, left)
            painter.drawText(text_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, number)
            if identity:  # on every page: a page that comes loose still says whose it is
                below = QRectF(0, line_y + metrics.height() * 1.3, width, metrics.height() * 1.2)
                painter.drawText(below, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                                 identity)
            painter.restore()

        count = lay_out(footer)
    finally:
        painter.end()
    return count


def set_a4(device: QPagedPaintDevice) -> None:
    device.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
                                     QPageLayout.Unit.Millimeter))


def pdf_bytes(plan: PrintablePlan) -> tuple[bytes, int]:
    """The plan as an A4 PDF, in memory, and its number of pages."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(300)
    writer.setTitle(f"My care plan: {plan.name}")
    writer.setCreator("Pathway Planner")
    set_a4(writer)
    pages = paint_plan(plan, writer)
    del writer  # finishes the document
    buffer.close()
    return bytes(buffer.data().data()), pages


def plan_pdf(plan: PrintablePlan, case_id: int | None) -> Rendered:
    """The plan as a PDF with its audit event (identifiable: the plan names the person; recorded as
    "care plan (Version 2, agreed ...)"), for db.exports.export_file; the command line and the main
    window both write it so, and record the same event."""
    data, pages = pdf_bytes(plan)
    what = f"care plan ({plan.version_text})"
    return Rendered(data, ExportEvent([case_id], "pdf", anonymised=False, what=what), pages)


def write_pdf(plan: PrintablePlan, path: Path) -> int:
    """Write the plan as an A4 PDF (replacing a file there; private, 0600); returns the number of
    pages. Written beside the target and renamed into place, so a failure never leaves half a file."""
    data, pages = pdf_bytes(plan)
    write_atomically(data, path, overwrite=True)
    return pages


def go_ahead_without_numbers(parent: QWidget | None, plan: PrintablePlan, doing: str = "Print") -> bool:
    """Warn, before the plan is printed or saved, that it lists people without a phone number
    (:meth:`PrintablePlan.warnings`); True to go ahead (always, when every number is there)."""
    warnings = plan.warnings()
    if not warnings:
        return True
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Warning, "Phone numbers missing from the care plan",
                      f"This plan lists people {plan.name} could not call from it.", parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setInformativeText("\n".join(warnings) + "\n\nAdd the numbers on the Team & coordinator tab, or "
                           f"{doing.lower()} it as it is: it will say who has no number.")
    go = box.addButton(f"{doing} anyway", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(go)
    box.exec()
    return box.clickedButton() is go


def print_with_preview(parent: QWidget | None, plan: PrintablePlan, save: OutputSaver | None = None,
                       case_id: int | None = None) -> Path | bool:
    """Show the plan in a print preview, from which it can be printed on any printer (or, from
    the print dialog, to a PDF file). True if it was sent to a printer; the path if it was printed
    to a file, which is written through ``save`` as every export is (checked, private, its export
    of case ``case_id`` recorded first), not by Qt; False if not printed."""
    from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog

    if not go_ahead_without_numbers(parent, plan):
        return False
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    set_a4(printer)
    printer.setDocName(f"My care plan: {plan.name}")
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setWindowTitle(f"Print care plan: {plan.name} ({plan.version_text})")
    to_file: list[Path | None] = []

    def paint(device: QPagedPaintDevice) -> None:
        if isinstance(device, QPrinter) and device.outputFormat() == QPrinter.OutputFormat.PdfFormat \
                and device.outputFileName():  # "print to file": nothing is drawn on the printer
            saver = save or OutputSaver(dialog, None)
            saved = saver(device.outputFileName(), lambda: plan_pdf(plan, case_id), "Care plan not printed")
            to_file.append(saved[0] if saved is not None else None)
            return
        paint_plan(plan, device)

    dialog.paintRequested.connect(paint)
    dialog.resize(900, 1000)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    if to_file:
        return to_file[-1] or False
    return True
