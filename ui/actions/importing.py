"""Importing: a case file or a FHIR R4 bundle (told apart by their content) becomes a new case,
recorded as imported; a provider directory file updates the directory.

Reading and checking the file comes first and touches nothing (:func:`read_import`); storing it is
a second step (:func:`store_import`), so the window can ask its questions between the two.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from db.database import Database
from planner.model import Case

if TYPE_CHECKING:
    from db.directory import DirectoryCounts, DirectoryPreview
    from planner.directory import DirectoryRead
    from planner.fhir.report import ImportReport


@dataclass
class ReadCase:
    """A case read from a file and checked, not yet stored."""

    case: Case
    path: Path
    #: "case-file" or "fhir"
    kind: str
    #: what the file is, in words: "case file" or "FHIR bundle"
    what: str
    #: what a FHIR import mapped, skipped and left to check (None for a case file)
    report: ImportReport | None = None


def read_data(path: str | os.PathLike[str]) -> object:
    """The JSON of ``path``; CaseFileError (one problem, saying why) if it cannot be read as JSON."""
    from planner.fhir import read_json_file

    return read_json_file(path)


def is_fhir(data: object) -> bool:
    """Whether ``data`` is a FHIR resource (a bundle) rather than a case file."""
    from planner.fhir import is_fhir as fhir

    return fhir(data)


def read_import(path: str | os.PathLike[str], data: object = None, *, since: date | None = None,
                years: int | None = None) -> ReadCase:
    """The case in ``path`` (its JSON ``data`` if already read), checked: a case file, or a FHIR
    bundle whose encounters ``since`` a date, or in the ``years`` before the latest one (default:
    planner.fhir.DEFAULT_YEARS; 0 for all), become steps. Raises CaseFileError listing every
    problem; nothing is stored."""
    from planner.casefile import case_from_dict
    from planner.fhir import DEFAULT_YEARS, import_fhir

    source = Path(path)
    if data is None:
        data = read_data(source)
    if is_fhir(data):
        chosen = DEFAULT_YEARS if years is None else years
        imported = import_fhir(data, source=os.fspath(path), since=since, years=chosen)
        return ReadCase(imported.case, source, "fhir", "FHIR bundle", imported.report)
    return ReadCase(case_from_dict(data, os.fspath(path)), source, "case-file", "case file")


def store_import(database: Database, read: ReadCase) -> int:
    """Store a case read by :func:`read_import` as a new case, recorded as imported from its file;
    its id."""
    from ui.actions.cases import add_case

    return add_case(database, read.case, action="imported",
                    summary=f"Imported from the {read.what} {read.path.name}",
                    details={"format": read.kind, "file": str(read.path.absolute())})


def import_file(database: Database, path: str | os.PathLike[str], *, since: date | None = None,
                years: int | None = None) -> tuple[int, ReadCase]:
    """Read, check and store a case file or FHIR bundle: the new case's id and what was read."""
    read = read_import(path, since=since, years=years)
    return store_import(database, read), read


def read_directory(path: str | os.PathLike[str], format: str | None = None) -> DirectoryRead:
    """A provider directory file read whole (NHS ODS or CQC, detected unless ``format`` says);
    DirectoryFileError saying why if it cannot be; nothing is stored."""
    from planner.directory import read_directory as read

    return read(path, format)


def preview_directory(database: Database, read: DirectoryRead) -> DirectoryPreview:
    """What importing ``read`` would do: the entries it would add, those it would change (and how)
    and those already stored as they are; nothing is stored."""
    from db.directory import DirectoryRepository

    with database.session() as session:
        return DirectoryRepository(session).preview(read.entries, read.fields)


def store_directory(database: Database, read: DirectoryRead) -> DirectoryCounts:
    """Add the directory's new entries and update the changed ones, in one transaction; the counts."""
    from db.directory import DirectoryRepository

    with database.session() as session:
        return DirectoryRepository(session).apply(read.entries, read.source, read.fields)
