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
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QFont,
    QFontDatabase,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget

from planner.careplan import PrintablePlan

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
body {{ font-size: {BODY_PT}pt; color: #000000; }}
h1 {{ font-size: 24pt; font-weight: bold; margin: 0; }}
h2 {{ font-size: 16pt; font-weight: bold; margin-top: 24px; margin-bottom: 6px; }}
h3 {{ font-size: 13.5pt; font-weight: bold; margin-top: 14px; margin-bottom: 4px; }}
p {{ margin-top: 3px; margin-bottom: 6px; }}
td, th {{ font-size: {BODY_PT}pt; padding: 5px; vertical-align: top; }}
th {{ font-weight: bold; text-align: left; background-color: #e6e6e6; }}
.name {{ font-size: 20pt; }}
.version {{ font-size: 12pt; }}
.big {{ font-size: 16pt; font-weight: bold; }}
.quote {{ font-size: 13.5pt; font-weight: bold; }}
"""


def _box(inner: str) -> str:
    """A full-width box with a heavy black border (tables are what QTextDocument can border)."""
    return ('<table width="100%" border="2" cellspacing="0" cellpadding="10" '
            f'style="border-style: solid; border-color: #000000;"><tr><td>{inner}</td></tr></table>')


def _table(headers: list[str], rows: list[list[str]], widths: list[int]) -> str:
    head = "".join(f'<th width="{w}%">{_e(h)}</th>' for h, w in zip(headers, widths, strict=True))
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return ('<table width="100%" border="1" cellspacing="0" cellpadding="5" '
            f'style="border-collapse: collapse; border-color: #000000;"><thead><tr>{head}</tr></thead>'
            f"{body}</table>")


def plan_html(plan: PrintablePlan) -> str:
    """The printed plan as HTML for QTextDocument. Every piece of case text is escaped."""
    parts = [f"<h1>My care plan</h1><p class='name'>{_e(plan.name)}</p>",
             f"<p class='version'>{_e(plan.version_text)} &nbsp;·&nbsp; Printed {_e(plan.printed_on)}</p>"]

    coordinator = plan.coordinator
    if coordinator is not None:
        where = ", ".join(x for x in (coordinator.role, coordinator.organisation) if x)
        contact = (f"<p class='big'>{_e(coordinator.contact)}</p>" if coordinator.contact
                   else "<p>No phone number recorded: ask any of the people below.</p>")
        parts.append(_box(
            "<p><b>My care coordinator</b> is the person to call first about anything in this plan.</p>"
            f"<p class='big'>{_e(coordinator.name)}</p><p>{_e(where)}</p>{contact}"))
    else:
        parts.append(_box("<p class='big'>No care coordinator has been named yet.</p>"
                          "<p>Until one is, call any of the people listed under “Who to call”.</p>"))

    parts.append("<h2>What matters to me</h2>")
    parts.append(f"<p>{_e(plan.what_matters)}</p>" if plan.what_matters
                 else "<p>Not written down yet.</p>")

    parts.append("<h2>My goals</h2>")
    if not plan.goals:
        parts.append("<p>No goals have been agreed yet.</p>")
    for number, goal in enumerate(plan.goals, 1):
        parts.append(f"<p class='quote'>{number}. “{_e(goal.in_my_words)}”</p>")
        facts = []
        if goal.outcome:
            facts.append(f"How we will know: {_e(goal.outcome)}")
        if goal.by:
            facts.append(f"By: {_e(goal.by)}")
        if goal.status:
            facts.append(f"Now: {_e(goal.status)}")
        if facts:
            parts.append("<p>" + "<br>".join(facts) + "</p>")

    parts.append("<h2>Who will do what</h2>")
    if not plan.actions:
        parts.append("<p>No actions have been agreed yet.</p>")
    else:
        groups: dict[str, list[list[str]]] = {}
        for action in plan.actions:
            groups.setdefault(action.goal, []).append(
                [_e(action.what), _e(action.who), _e(action.when), _e(action.status)])
        for goal_text, rows in sorted(groups.items(), key=lambda g: g[0] == ""):
            title = f"For “{_e(goal_text)}”" if goal_text else "Other things we will do"
            parts.append(f"<h3>{title}</h3>")
            parts.append(_table(["What", "Who", "When", "Now"], rows, [40, 27, 17, 16]))

    parts.append("<h2>If I become unwell</h2>")
    parts.append(_box(f"<p>{_e(plan.contingency)}</p>") if plan.contingency
                 else "<p>No plan for this has been written down yet: ask your care coordinator.</p>")

    parts.append("<h2>Who to call</h2>")
    if plan.contacts:
        parts.append(_table(["Name", "What they do", "Where", "How to contact them"],
                            [[_e(c.name) + (" <b>(care coordinator)</b>" if c == coordinator else ""),
                              _e(c.role), _e(c.organisation), _e(c.contact) or "Not recorded"]
                             for c in plan.contacts], [26, 22, 24, 28]))
    else:
        parts.append("<p>Nobody is recorded yet.</p>")
    parts.append("<p>In an emergency, call 999. For urgent advice at any time, call NHS 111.</p>")

    parts.append("<h2>When we will look at this plan again</h2>")
    parts.append(f"<p>On <b>{_e(plan.review)}</b>, or sooner if anything changes.</p>" if plan.review
                 else "<p>No review date has been set yet.</p>")

    parts.append("<h2>Who agreed this plan</h2>")
    parts.append(f"<p>{_e(plan.version_text)}.</p>")
    if plan.agreed_by:
        parts.append("<ul>" + "".join(f"<li>{_e(who)}</li>" for who in plan.agreed_by) + "</ul>")
    else:
        parts.append("<p>Nobody has agreed this version yet.</p>")
    return f"<html><head><style>{CSS}</style></head><body>{''.join(parts)}</body></html>"


def plan_document(plan: PrintablePlan) -> QTextDocument:
    document = QTextDocument()
    font = QFont(_family())
    font.setPointSizeF(BODY_PT)
    document.setDefaultFont(font)
    document.setHtml(plan_html(plan))
    return document


def paint_plan(plan: PrintablePlan, device: QPagedPaintDevice) -> int:
    """Lay the plan out on ``device``'s pages (A4 is set by the caller) with a footer on each;
    returns the number of pages."""
    document = plan_document(plan)
    painter = QPainter()
    if not painter.begin(device):
        raise OSError("cannot draw on the printer or file")
    try:
        document.documentLayout().setPaintDevice(device)
        layout = device.pageLayout()
        page = layout.paintRectPixels(device.logicalDpiX())
        width, height = float(page.width()), float(page.height())
        footer_font = QFont(_family())
        footer_font.setPointSizeF(FOOTER_PT)
        painter.setFont(footer_font)
        footer_height = painter.fontMetrics().height() * 2.2
        body_height = height - footer_height
        document.setPageSize(QSizeF(width, body_height))
        pages = document.pageCount()
        left_text = f"My care plan: {plan.name}  ·  {plan.version_text}"
        for index in range(pages):
            if index:
                device.newPage()
            painter.save()
            painter.translate(0, -index * body_height)
            document.drawContents(painter, QRectF(0, index * body_height, width, body_height))
            painter.restore()
            painter.setFont(footer_font)
            line_y = body_height + footer_height * 0.25
            painter.drawLine(0, int(line_y), int(width), int(line_y))
            text_rect = QRectF(0, line_y, width, footer_height * 0.75)
            number = f"Page {index + 1} of {pages}"
            number_width = painter.fontMetrics().horizontalAdvance(number) + 20
            elided = painter.fontMetrics().elidedText(left_text, Qt.TextElideMode.ElideRight,
                                                      int(width - number_width))
            painter.drawText(text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, elided)
            painter.drawText(text_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, number)
    finally:
        painter.end()
    return pages


def set_a4(device: QPagedPaintDevice) -> None:
    device.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
                                     QPageLayout.Unit.Millimeter))


def write_pdf(plan: PrintablePlan, path: Path) -> int:
    """Write the plan as an A4 PDF; returns the number of pages. Written beside the target and
    renamed into place, so a failure never leaves half a file."""
    target = Path(path)
    temp = target.with_name(f".{target.name}.tmp")
    writer = QPdfWriter(str(temp))
    writer.setResolution(300)
    writer.setTitle(f"My care plan: {plan.name}")
    writer.setCreator("Pathway Planner")
    set_a4(writer)
    try:
        pages = paint_plan(plan, writer)
        del writer  # finishes the file
        temp.replace(target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return pages


def print_with_preview(parent: QWidget | None, plan: PrintablePlan) -> bool:
    """Show the plan in a print preview, from which it can be printed on any printer (or, from
    the print dialog, to a PDF file). True if it was sent to print."""
    from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    set_a4(printer)
    printer.setDocName(f"My care plan: {plan.name}")
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setWindowTitle(f"Print care plan: {plan.name} ({plan.version_text})")
    dialog.paintRequested.connect(lambda device: paint_plan(plan, device))
    dialog.resize(900, 1000)
    return dialog.exec() == QDialog.DialogCode.Accepted


def save_pdf_with_dialog(parent: QWidget | None, plan: PrintablePlan, folder: str = "") -> Path | None:
    """Ask where to save the plan as PDF and write it; the path, or None if cancelled."""
    suggested = str(Path(folder) / f"My care plan - {_safe_name(plan.name)}.pdf")
    path, _ = QFileDialog.getSaveFileName(parent, "Save care plan as PDF", suggested, "PDF files (*.pdf)")
    if not path:
        return None
    target = Path(path if path.lower().endswith(".pdf") else f"{path}.pdf")
    try:
        write_pdf(plan, target)
    except OSError as error:
        QMessageBox.warning(parent, "Not saved", f"The care plan could not be saved to {target}:\n"
                                                 f"{error.strerror or error}")
        return None
    return target


def _safe_name(name: str) -> str:
    return "".join(ch for ch in name if ch.isalnum() or ch in " -_.'").strip() or "care plan"
