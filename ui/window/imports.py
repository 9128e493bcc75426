"""The main window's imports: a case file or FHIR bundle (every problem shown, nothing changed
if it is refused; a FHIR import's report) and a provider directory.

Functions of the window (their first argument), bound as its methods in ui.main_window."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from planner.model import Case
from planner.validation import MAX_SHOWN, CaseFileError

if TYPE_CHECKING:
    from planner.fhir.report import ImportReport
    from ui.main_window import MainWindow


def import_case_file(window: MainWindow) -> None:
    path, _ = QFileDialog.getOpenFileName(window, "Import case file", str(Path.home()),
                                          "Case files and FHIR bundles (*.json);;All files (*)")
    if path:
        window.import_path(path)


def import_path(window: MainWindow, path: str, years: int | None = None) -> int | None:
    """Import a case file or a FHIR R4 bundle (told apart by content); show every problem and
    change nothing if it is invalid. A FHIR import asks how many ``years`` of history to put on
    the pathway (unless given) and shows its report."""
    from planner.fhir import DEFAULT_YEARS
    from ui.actions import importing

    data: object = None
    try:
        data = importing.read_data(path)
        if importing.is_fhir(data) and years is None:
            years, ok = QInputDialog.getInt(
                window, "Import FHIR bundle", "Years of history before the latest encounter to put on "
                "the pathway (0: all of it):", DEFAULT_YEARS, 0, 200)
            if not ok:
                return None
        read = importing.read_import(path, data, years=years)
    except CaseFileError as error:  # a case file's problems name its items (a FHIR file's do not)
        named = data if isinstance(data, dict) and not importing.is_fhir(data) else None
        window._show_problems(path, error, named)
        return None
    if not window.maybe_save():
        return None
    case_id = window._open_added(importing.store_import(window.database, read))
    window.statusBar().showMessage(f"Imported “{read.case.display_title}” from {Path(path).name}", 8000)
    if read.report is not None:
        window.show_import_report(read.report, read.case)
    return case_id


def show_import_report(window: MainWindow, report: ImportReport, case: Case) -> None:
    """What a FHIR import mapped, skipped and left for the user to check."""
    source = Path(report.source).name if report.source else "the FHIR file"
    box = QMessageBox(QMessageBox.Icon.Information, "FHIR import report",
                      f"Imported “{case.display_title}” from {source}: {len(case.steps)} steps, "
                      f"{len(case.organisations)} organisations, {len(case.team)} team members.",
                      parent=window)
    box.setTextFormat(Qt.TextFormat.PlainText)
    span = report.window.describe() if report.window else ""
    lines = [f"Steps: {span}."] if span else []
    if report.left_out_encounters:
        lines.append(f"{report.left_out_encounters:,} older encounters were left out of the pathway.")
    lines.append("\nNeeds your attention:" if report.attention else "\nNothing needs your attention.")
    lines += [f"• {item}" for item in report.attention]
    box.setInformativeText("\n".join(lines))
    box.setDetailedText(report.as_text())
    box.exec()


def _show_problems(window: MainWindow, path: str, error: CaseFileError,
                   data: dict[str, Any] | None = None) -> None:
    count = error.count
    more = "" if error.counted_all else "more than "
    box = QMessageBox(QMessageBox.Icon.Warning, "Case file not imported",
                      f"{Path(path).name} was not imported: it has {more}{count:,} "
                      f"problem{'s' if count != 1 else ''}. Nothing was changed.", parent=window)
    box.setTextFormat(Qt.TextFormat.PlainText)
    shown = error.problems[:12]
    listing = "\n".join(f"• {p.path}{_named_place(data, p.path)}: {p.message}" for p in shown)
    if count > len(shown):
        listing += f"\n… and {more}{count - len(shown):,} more (see Show Details)."
    box.setInformativeText(listing)
    box.setDetailedText("\n".join(error.listing(MAX_SHOWN)))  # the first 200, then how many more
    box.exec()


def import_directory(window: MainWindow) -> None:
    """Import a CQC or NHS ODS directory file, after a preview of what it will change."""
    path, _ = QFileDialog.getOpenFileName(window, "Import provider directory", str(Path.home()),
                                          "Directory files (*.csv);;All files (*)")
    if path:
        from ui.directory_dialog import DirectoryImportDialog

        DirectoryImportDialog(window.database, path, window).exec()


def _named_place(data: dict[str, Any] | None, json_path: str) -> str:
    """" (Step “20 Jan 2024 · Admission”, end)": the item a refused case file's problem is in, by
    name, beside the JSON path that points into the file; "" when there is no name to give."""
    if data is None:
        return ""
    from planner.wording import Namer

    place = Namer(data).place(json_path)
    return "" if place == json_path or place.startswith("$") else f" ({place})"
