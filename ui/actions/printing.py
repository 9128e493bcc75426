"""The printed care plan ("My care plan"): the plan to print, its PDF, and recording a print.

The plan is laid out by planner.careplan (PrintablePlan) and drawn by Qt (ui.print_plan), which
this layer does not import: the entry point passes its drawing function (:data:`DrawPlan`).
"""

from __future__ import annotations

from collections.abc import Callable

from db.database import Database
from db.exports import Rendered
from planner.careplan import PrintablePlan
from planner.model import Case
from ui.actions import ActionError

#: Draws a printable plan as a PDF with its audit event: ui.print_plan.plan_pdf(plan, case_id).
DrawPlan = Callable[[PrintablePlan, "int | None"], Rendered]


class NoPlan(ActionError):
    """The case has no care plan, or not the agreed version asked for."""


def plan_to_print(case: Case, version: int | None = None) -> PrintablePlan:
    """The care plan of ``case`` laid out for print: as it is now, or its agreed ``version``. Raises
    NoPlan, saying why, when there is no plan or that version was not kept."""
    from planner.careplan import VersionNotKept, printable_plan

    if case.care_plan is None:
        raise NoPlan(f"case {case.id} has no care plan to print")
    try:
        return printable_plan(case, version)
    except VersionNotKept as error:
        raise NoPlan(str(error)) from None


def care_plan_pdf(case: Case, version: int | None, draw: DrawPlan) -> Rendered:
    """The care plan as a PDF, recorded (when written) as "care plan (Version 2, agreed on ...)"."""
    plan = plan_to_print(case, version)
    rendered = draw(plan, case.id)
    return Rendered(rendered.data, rendered.event, rendered.pages, note=plan.version_text,
                    warnings=tuple(plan.warnings()))


def print_what(plan: PrintablePlan) -> str:
    """What the audit trail calls a printed (or exported) plan: "care plan (Version 2, agreed ...)"."""
    return f"care plan ({plan.version_text})"


def record_printed(database: Database, case_id: int, plan: PrintablePlan, *,
                   printer: str | None = None) -> None:
    """Record in the case's history that its care plan was sent to a printer (DatabaseError if it
    cannot be)."""
    from db import audit

    with database.session() as session:
        audit.record_print(session, case_id, what=print_what(plan), printer=printer)
