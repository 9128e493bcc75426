"""The main window's outputs: every export of the open case (ui.actions.outputs, written through
the saver: checked, recorded, written), the workshop PDFs and pack, printing the care plan,
and recording prints in the case history.

Functions of the window (their first argument), bound as its methods in ui.main_window."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QMessageBox

from db import audit
from db.database import DatabaseError
from db.repository import CaseRepository, CaseSummary
from planner.model import Case
from ui.actions import ActionError, outputs
from ui.actions import cases as case_actions
from ui.actions.outputs import Output, Request
from ui.plaintext import literal
from ui.saving import ask_save_path

if TYPE_CHECKING:
    from ui.main_window import MainWindow
    from ui.workshop_dialog import WorkshopExportDialog


def export_output(window: MainWindow, output: Output) -> None:
    """File › one of the outputs (ui.actions.outputs): its own dialog where it has one (the
    workshop PDFs' preview, the pack's choice of cases), else who it is for (when that is a
    choice), where, and then written through the saver: checked, recorded, written."""
    dialogs = {"workshop-summary": window.export_workshop_summary, "value-case": window.export_value_case,
               "workshop-pack": window.workshop_pack}
    if output.name in dialogs:
        dialogs[output.name]()
        return
    case = window.case
    if case is None:
        return
    if output.needs_plan and case.care_plan is None:
        QMessageBox.information(window, output.title.replace("&", "").rstrip("…"),
                                "This case has no care plan yet.")
        return
    if output.needs_plan and not _plan_numbers_checked(window, case):
        return
    anonymise = output.anonymised_by_default
    if output.privacy.chosen:
        from ui.who_for import ask_who_for

        chosen = ask_who_for(window, output)
        if chosen is None:
            return
        anonymise = chosen
    title = output.title.replace("&", "").rstrip("…")
    suffix = output.file_type.suffix if output.file_type.add_suffix else ""
    path = ask_save_path(window, title, str(Path.home() / output.suggest(case, anonymise)),
                         output.file_type.filter, suffix)
    if path:
        window.export_output_to(output, path, anonymise=anonymise)


def _plan_numbers_checked(window: MainWindow, case: Case) -> bool:
    """Before the care plan is saved as PDF: a warning when it lists someone without a phone number
    (she could not call them from it); True to go ahead."""
    from ui.actions.printing import NoPlan, plan_to_print
    from ui.print_plan import go_ahead_without_numbers

    try:
        plan = plan_to_print(case)
    except NoPlan:
        return True  # told when it is made
    return go_ahead_without_numbers(window, plan, "Save")


def export_output_to(window: MainWindow, output: Output, path: str, *, anonymise: bool | None = None) -> bool:
    """Write ``output`` of the open case to ``path`` (chosen and confirmed), its export recorded
    first; False (the user told why) if it was not written."""
    from ui.print_plan import plan_pdf

    case = window.case
    assert case is not None
    request = Request([case], anonymise=anonymise, analysis=window.analysis, draw_plan=plan_pdf)
    failure = f"{output.noun[0].upper()}{output.noun[1:]} not exported"
    try:
        saved = window.saver(path, lambda: output.make(request), failure)
    except ActionError as error:
        QMessageBox.warning(window, failure, literal(str(error)))
        return False
    if saved is None:
        return False
    how = " (anonymised)" if saved[1].event is not None and saved[1].event.anonymised else ""
    window.statusBar().showMessage(
        f"Exported the {output.noun} of “{case.display_title}”{how} to {saved[0]}", 8000)
    return True


def export_case_file(window: MainWindow) -> None:
    window.export_output(_output("case-file"))


def export_fhir_bundle(window: MainWindow) -> None:
    window.export_output(_output("fhir"))


def export_fhir_path(window: MainWindow, path: str, anonymise: bool = False) -> bool:
    """Write the open case as a FHIR R4 bundle (a collection), its export recorded first."""
    return window.export_output_to(_output("fhir"), path, anonymise=anonymise)


def export_path(window: MainWindow, path: str) -> bool:
    """Write the open case as a case file, its export recorded first."""
    return window.export_output_to(_output("case-file"), path)


def _output(name: str) -> Output:
    return outputs.by_name(name)


def export_workshop_summary(window: MainWindow) -> None:
    """The regulator-workshop case summary of the open case (as it is on screen)."""
    from ui.workshop_dialog import WorkshopExportDialog

    _export_with_preview(window, WorkshopExportDialog, "workshop case summary")


def export_value_case(window: MainWindow) -> None:
    """The three-sided value case of the open case (as it is on screen)."""
    from ui.workshop_dialog import ValueCaseExportDialog

    _export_with_preview(window, ValueCaseExportDialog, "value case")


def _export_with_preview(window: MainWindow, kind: type[WorkshopExportDialog], noun: str) -> None:
    """A workshop PDF of the open case through its dialog (preview, who it is for, where), with the
    areas' own unit costs; the status bar says where it went."""
    if window.case is None:
        return
    dialog = kind(window.case, window.analysis, window, save=window.saver)
    dialog.unit_costs = window.local_unit_costs()

    def exported(path: str, anonymised: bool) -> None:
        how = "anonymised" if anonymised else "IDENTIFIABLE"
        window.statusBar().showMessage(f"Exported the {noun} ({how}) to {path}", 8000)

    dialog.exported.connect(exported)
    dialog.exec()


def workshop_pack(window: MainWindow) -> None:
    """The workshop pack of cases chosen in a list (their saved versions)."""
    from collections.abc import Sequence

    from ui.workshop_dialog import CaseChooserDialog

    def fetch(search: str, limit: int) -> list[CaseSummary]:
        with window.database.snapshot() as session:
            return CaseRepository(session).summaries(search, limit=limit)

    def load(ids: Sequence[int]) -> list[Case]:
        return case_actions.load_by_ids(window.database, ids)  # the cases as they were at one moment

    current = [window.case.id] if window.case is not None and window.case.id is not None else []
    dialog = CaseChooserDialog(fetch, load, current, window, save=window.saver)
    dialog.unit_costs = window.local_unit_costs()
    def exported(path: str, _anonymised: bool) -> None:
        window.statusBar().showMessage(f"Made the workshop pack to {path}", 8000)

    dialog.exported.connect(exported)
    dialog.exec()


def _printable_plan(window: MainWindow) -> object:
    from ui.actions.printing import NoPlan, plan_to_print

    if window.case is None or window.case.care_plan is None:
        QMessageBox.information(window, "Print care plan", "This case has no care plan yet.")
        return None
    try:
        return plan_to_print(window.case)
    except NoPlan as error:
        QMessageBox.information(window, "Print care plan", literal(str(error)))
        return None


def print_care_plan(window: MainWindow) -> None:
    """Print "My care plan" after a preview (any printer, or a PDF from the print dialog)."""
    plan = window._printable_plan()
    if plan is not None:
        from ui.print_plan import print_with_preview

        case_id = window.case.id if window.case is not None else None
        printed = print_with_preview(window, plan, window.saver, case_id)  # type: ignore[arg-type]
        if isinstance(printed, Path):  # printed to a file: written and recorded as an export
            window.statusBar().showMessage(f"Saved the care plan to {printed}", 8000)
        elif printed:
            window._record_printed(plan)
            window.statusBar().showMessage("Sent the care plan to print", 8000)


def save_care_plan_pdf(window: MainWindow) -> None:
    window.export_output(_output("care-plan"))


def _record_printed(window: MainWindow, plan: object) -> None:
    """Record in the case history that the care plan was printed (as the command line would)."""
    from ui.actions.printing import record_printed

    if window.case is None or window.case.id is None:
        return
    try:
        record_printed(window.database, window.case.id, plan)  # type: ignore[arg-type]
    except DatabaseError as error:
        QMessageBox.warning(window, "Not recorded in the case history",
                            f"Done, but it could not be recorded in the case history: {error}")


def record_print(window: MainWindow, what: str, *, printer: str | None = None,
                 anonymised: bool = False) -> None:
    """Record in the case history that (part of) the open case was printed."""
    window._record(audit.record_print, what=what, printer=printer, anonymised=anonymised)


def _record(window: MainWindow, record: Any, **details: Any) -> None:
    if window.case is None or window.case.id is None:
        return
    try:
        with window.database.session() as session:
            record(session, window.case.id, **details)
    except DatabaseError as error:
        QMessageBox.warning(window, "Not recorded in the case history",
                            f"Done, but it could not be recorded in the case history: {error}")
