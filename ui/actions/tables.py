"""A case's tables, as the app shows them, for CSV and Excel: the steps, the organisations, the
team, the care plan's goals and actions, the findings and the measures.

People read names here, never internal ids. Cells are text; a cell that a spreadsheet would take
for a formula (starting with =, +, -, @) is kept as text: quoted with an apostrophe in CSV, typed as
a string in Excel.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from planner.model import Action, Case

if TYPE_CHECKING:
    from planner.analysis import Analysis

#: The tables of a case, by name (the sheet and the CSV file), in order.
TABLES = ("steps", "organisations", "team", "goals", "actions", "findings", "measures")

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Sheet:
    """One table: its name (a sheet of the workbook, a CSV file), its headings and its rows of text."""

    name: str
    headers: Sequence[str]
    rows: Sequence[Sequence[str]]


def case_tables(case: Case, analysis: Analysis | None = None) -> list[Sheet]:
    """The tables of :data:`TABLES` for ``case`` (its findings from ``analysis`` or worked out)."""
    from planner.analysis import analyse

    found = analysis or analyse(case)
    return [_steps(case), _organisations(case), _team(case), _goals(case), _actions(case),
            _findings(case, found), _measures(found)]


def _steps(case: Case) -> Sheet:
    from planner import describe
    from planner.dates import format_day
    from planner.reference import label

    def org(org_id: str) -> str:
        found = case.organisation(org_id)
        return found.name if found else ""

    rows = [[format_day(s.start), s.label or label("kind", s.kind), org(s.organisation),
             label("stage", s.stage),
             label("kind", s.kind) + (" (emergency)" if s.emergency else ""), describe.duration(s),
             label("setting", s.setting), label("funding", s.funding), describe.delay(s)]
            for s in case.ordered_steps()]
    return Sheet("steps", ["Date", "What happened", "Organisation", "Stage", "Kind", "How long", "Setting",
                           "Funding", "Delay"], rows)


def _organisations(case: Case) -> Sheet:
    from planner import describe
    from planner.reference import label

    rows = [[o.name, label("sector", o.sector), o.area or "",
             describe.regulators(o) + (" (sector default)" if o.regulators is None else ""),
             describe.payment(o), label("cqc_rating", o.oversight.cqc_rating) if o.oversight else "",
             describe.yes_no(o.shared_record_access),
             str(sum(1 for s in case.steps if s.organisation == o.id))]
            for o in case.organisations]
    return Sheet("organisations", ["Organisation", "Sector", "Area", "Regulated by", "Paid by", "CQC rating",
                                   "Shared record", "Steps"], rows)


def _team(case: Case) -> Sheet:
    from planner.reference import label

    current = case.current_coordinator()
    rows = []
    for m in case.team:
        org = case.organisation(m.organisation) if m.organisation else None
        rows.append([m.name, label("role", m.role), org.name if org else "", m.contact or "",
                     label("professional_register", m.professional_register),
                     "yes" if current is not None and current.member == m.id else ""])
    return Sheet("team", ["Name", "Role", "Organisation", "Contact", "Professional register",
                          "Care coordinator now"], rows)


def _goals(case: Case) -> Sheet:
    from planner.dates import format_day
    from planner.reference import label

    goals = case.care_plan.goals if case.care_plan else []
    rows = [[g.in_my_words, g.outcome or "", format_day(g.target_date), label("goal_status", g.status)]
            for g in goals]
    return Sheet("goals", ["In their words", "How we will know", "By", "Status"], rows)


def _actions(case: Case) -> Sheet:
    from planner import describe
    from planner.dates import format_day
    from planner.reference import label

    plan = case.care_plan
    goals = {g.id: g.in_my_words for g in plan.goals} if plan else {}

    def when(a: Action) -> str:
        if a.due and a.frequency:
            return f"{a.frequency}, by {format_day(a.due)}"
        return a.frequency or (f"By {format_day(a.due)}" if a.due else "")

    rows = [[a.description, describe.owner(case, a.owner), when(a), label("action_status", a.status),
             goals.get(a.goal or "", "")] for a in (plan.actions if plan else [])]
    return Sheet("actions", ["What will be done", "Who", "When", "Status", "For the goal"], rows)


def _findings(case: Case, analysis: Analysis) -> Sheet:
    from planner import describe
    from planner.reference import label
    from planner.rules.catalogue import severity_label

    key = analysis.key
    rows = []
    for f in analysis.report.findings:
        orgs = [o.name for org_id in f.organisations if (o := case.organisation(org_id)) is not None]
        rank = key.key_rank(f)
        note = f.annotation
        rows.append([f.rule, f.title, severity_label(f.severity), str(rank) if rank else "",
                     "; ".join(describe.steps_named(case, f.steps)) or "The case as a whole",
                     "; ".join(orgs), "; ".join(label("regulator", r) for r in f.regulators), f.evidence,
                     f.question, note.status.replace("_", " ") if note else "",
                     (note.comment or "") if note else ""])
    return Sheet("findings", ["Rule", "Finding", "Severity", "Key finding", "Steps", "Organisations",
                              "Regulators", "Evidence", "Question", "Team's view", "Team's comment"], rows)


def _measures(analysis: Analysis) -> Sheet:
    rows = [[name, value] for name, value in analysis.measures.rows()]
    return Sheet("measures", ["Measure", "Value"], rows)


def _cell(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_START) else text


def csv_bytes(sheet: Sheet) -> bytes:
    """The table as CSV (UTF-8 with a byte-order mark, so Excel reads its accents; CRLF lines)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_cell(h) for h in sheet.headers])
    writer.writerows([_cell(c) for c in row] for row in sheet.rows)
    return buffer.getvalue().encode("utf-8-sig")


def tsv_text(rows: Sequence[Sequence[str]]) -> str:
    """Rows as tab-separated text (for the clipboard): tabs and line breaks in a cell become spaces."""
    return "".join("\t".join(" ".join(cell.split()) if ("\t" in cell or "\n" in cell) else cell
                             for cell in row) + "\n" for row in rows)


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """The tables as an Excel workbook, a sheet each: bold headings, the first row frozen, columns
    wide enough for their text (up to a limit), every cell a string."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for sheet in sheets:
        page = book.create_sheet(_sheet_title(sheet.name))
        widths = [len(h) for h in sheet.headers]
        for row in sheet.rows:
            for column, text in enumerate(row[:len(widths)]):
                widths[column] = max(widths[column], min(len(text), 60))
        for column, width in enumerate(widths, start=1):
            page.column_dimensions[get_column_letter(column)].width = width + 2
        page.freeze_panes = "A2"
        page.append(_cells(page, sheet.headers, bold))
        for row in sheet.rows:
            page.append(_cells(page, row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cells(page: Any, values: Sequence[str], font: Any = None) -> list[Any]:
    """openpyxl's cells for a row, each text (a value starting with "=" is never taken for a formula)."""
    from openpyxl.cell import WriteOnlyCell

    made = []
    for value in values:
        cell = WriteOnlyCell(page, value=value)
        cell.data_type = "s"
        if font is not None:
            cell.font = font
        made.append(cell)
    return made


def _sheet_title(name: str) -> str:
    """A name Excel accepts for a sheet: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in name).strip() or "table"
    return cleaned[:31]
