"""The exports shared by the command line and the main window: each renders its output in memory
with the audit event it needs (db.exports.Rendered), for db.exports.export_file to record and
write. No Qt and no argparse here: the Qt-drawn outputs (the printed plan, map images,
screenshots) render in their own modules the same way.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from db.exports import ExportEvent, Rendered
from planner.model import Case

if TYPE_CHECKING:
    from planner.analysis import Analysis
    from reports.workshop import WorkshopOptions

#: What a refused existing file advises on the command line.
FORCE_ADVICE = "add --force to replace it"


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


def workshop_pack(cases: Sequence[Case], name_providers: bool = False) -> Rendered:
    """The workshop pack of several cases (PDF, every case anonymised): one event for each case."""
    from reports.pack import write_pack

    buffer = io.BytesIO()
    written = write_pack(cases, buffer, name_providers=name_providers)
    event = ExportEvent([case.id for case in cases], "workshop-pack", anonymised=True,
                        what="workshop pack page")
    return Rendered(buffer.getvalue(), event, written.pages)
