"""Every export's renderer and the one way an export is written.

Each renderer returns the output in memory with the audit event it needs (db.exports.Rendered);
:func:`write` hands it to db.exports.export_file, the one place an export is checked (never the
database, its side files or backups; never an existing file unless allowed), recorded in the audit
trail and then written (0600). The Qt-drawn outputs (the printed plan, map images, screenshots)
render in their own modules the same way and are written by the same function.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from db.database import Database
from db.exports import ExportEvent, Rendered, RenderedFiles
from planner.model import Case
from planner.outputs import DEFAULT_EXISTS_ADVICE

if TYPE_CHECKING:
    from planner.analysis import Analysis
    from planner.unit_costs import LocalUnitCosts
    from reports.workshop import WorkshopOptions

#: What a refused existing file advises on the command line.
FORCE_ADVICE = "add --force to replace it"


def write(database: Database | None, out: str | os.PathLike[str], render: Callable[[], Rendered], *,
          overwrite: bool, exists_advice: str = DEFAULT_EXISTS_ADVICE) -> tuple[Path, Rendered]:
    """Check ``out``, render, record the export and write the file, as one outcome (see
    db.exports.export_file): the path written and what was rendered."""
    from db.exports import export_file

    return export_file(database, out, render, overwrite=overwrite, exists_advice=exists_advice)


def write_folder(database: Database | None, out: str | os.PathLike[str], names: Sequence[str],
                 render: Callable[[], RenderedFiles], *, overwrite: bool,
                 exists_advice: str = DEFAULT_EXISTS_ADVICE) -> tuple[Path, RenderedFiles]:
    """As :func:`write`, for several files in one folder (db.exports.export_folder)."""
    from db.exports import export_folder

    return export_folder(database, out, render, names, overwrite=overwrite, exists_advice=exists_advice)


def case_file(case: Case) -> Rendered:
    """The case as a case file (identifiable)."""
    from planner.casefile import dumps_case

    return Rendered(dumps_case(case).encode("utf-8"), ExportEvent([case.id], "case-file"))


def fhir_bundle(case: Case, *, anonymise: bool = False, alias: str | None = None,
                name_providers: bool = False) -> Rendered:
    """The case as a FHIR R4 bundle, identifiable or anonymised (with ``alias`` as the pseudonym;
    small providers by type and letter unless ``name_providers``)."""
    from planner.fhir import dumps_fhir, export_fhir

    text = dumps_fhir(export_fhir(case, anonymise=anonymise, alias=alias, name_providers=name_providers))
    return Rendered(text.encode("utf-8"), ExportEvent([case.id], "fhir", anonymised=anonymise))


def case_summary(case: Case, options: WorkshopOptions | None = None,
                 analysis: Analysis | None = None) -> Rendered:
    """The regulator-workshop case summary (PDF), anonymised unless the options say otherwise."""
    from reports.workshop import write_case_summary

    buffer = io.BytesIO()
    written = write_case_summary(case, buffer, options, analysis)
    event = ExportEvent([case.id], "pdf", anonymised=not written.identifiable, what="workshop case summary")
    return Rendered(buffer.getvalue(), event, written.pages)


def value_case(case: Case, options: WorkshopOptions | None = None,
               analysis: Analysis | None = None) -> Rendered:
    """The three-sided value case (PDF), anonymised unless the options say otherwise."""
    from reports.value_case import write_value_case

    buffer = io.BytesIO()
    written = write_value_case(case, buffer, options, analysis)
    event = ExportEvent([case.id], "pdf", anonymised=not written.identifiable, what="value case")
    return Rendered(buffer.getvalue(), event, written.pages)


def workshop_pack(cases: Sequence[Case], unit_costs: LocalUnitCosts | None = None,
                  name_providers: bool = False) -> Rendered:
    """The workshop pack of several cases (PDF, every case anonymised): one event for each case.
    ``unit_costs``: the areas' own unit costs (the settings), for the cost of delays; small providers
    by type and letter unless ``name_providers``."""
    from reports.pack import write_pack

    buffer = io.BytesIO()
    written = write_pack(cases, buffer, unit_costs=unit_costs, name_providers=name_providers)
    event = ExportEvent([case.id for case in cases], "workshop-pack", anonymised=True,
                        what="workshop pack page")
    return Rendered(buffer.getvalue(), event, written.pages)


def tables_workbook(case: Case, analysis: Analysis | None = None) -> Rendered:
    """The case's tables (steps, organisations, team, plan, findings, measures) as one Excel
    workbook, a sheet each (identifiable: the tables name the person's team and care)."""
    from ui.actions.tables import case_tables, xlsx_bytes

    sheets = case_tables(case, analysis)
    event = ExportEvent([case.id], "xlsx", anonymised=False, what="tables")
    return Rendered(xlsx_bytes(sheets), event, note=f"{len(sheets)} sheets")


def tables_csv_files(case: Case, analysis: Analysis | None = None) -> RenderedFiles:
    """The case's tables as CSV files, one each (by file name; see :data:`ui.actions.tables.TABLES`)."""
    from ui.actions.tables import case_tables, csv_bytes

    files = {f"{sheet.name}.csv": csv_bytes(sheet) for sheet in case_tables(case, analysis)}
    return RenderedFiles(files, ExportEvent([case.id], "csv", anonymised=False, what="tables"))
