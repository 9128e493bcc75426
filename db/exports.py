"""Writing a file from cases, as one outcome with its audit event.

Every export, PDF, printed plan, image and screenshot, from the command line and from the GUI,
is written by :func:`export_file`:

1. the target is checked before anything else (planner.outputs: never the database in use, its
   side files or its backups folder (:func:`protected_paths`), never something that is not an
   ordinary file, never an existing file unless the user confirmed or passed ``--force``);
2. the output is rendered in memory, so an error while rendering writes and records nothing;
3. the bytes are written to a private temporary file beside the target and flushed;
4. in one transaction, the export is recorded in the audit trail and the temporary file is
   renamed into place: if the event cannot be recorded (a read-only or locked database) the
   file is not written; if the rename fails the event is rolled back; if the transaction then
   fails to commit, the file just put in place is removed. Either way the user is told why.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from db import audit
from db.backup import backups_folder
from db.database import Database, DatabaseError
from planner.outputs import (
    DEFAULT_EXISTS_ADVICE,
    NOTHING_PROTECTED,
    OutputError,
    OutputTarget,
    Protected,
    Staged,
    output_target,
)

#: The files of an SQLite database beside it, by suffix, and what each is.
SIDE_FILES = (("", "the database Pathway Planner is using"),
              ("-wal", "the write-ahead log of the database Pathway Planner is using"),
              ("-shm", "the shared-memory index of the database Pathway Planner is using"),
              ("-journal", "the rollback journal of the database Pathway Planner is using"))


class ExportNotRecorded(OutputError):
    """The export could not be recorded in the audit trail, so the file was not written."""


@dataclass(frozen=True)
class ExportEvent:
    """What the audit trail records for a file written from cases (see db.audit.record_export):
    one event for each case."""

    case_ids: Sequence[int | None]
    format: str
    anonymised: bool = False
    what: str | None = None


@dataclass(frozen=True)
class Rendered:
    """An output rendered in memory: its bytes, the event to record (None: nothing to record,
    e.g. a screenshot with no case open) and, for documents, the number of pages."""

    data: bytes
    event: ExportEvent | None
    pages: int | None = None
    #: What the command line says of it beside the file's name (e.g. "Version 2, agreed on ...").
    note: str | None = None
    #: What the reader of the output should be warned of, though it was written (e.g. a care plan
    #: whose "Who to call" has someone without a phone number).
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class RenderedFiles:
    """Several files rendered in memory for one folder (e.g. a table each as CSV), by file name,
    with the one event to record for them."""

    files: dict[str, bytes]
    event: ExportEvent | None


def protected_paths(database: Database | Path | None) -> Protected:
    """What no output may replace: the SQLite database file, its side files and its automatic
    backups folder. Nothing for PostgreSQL (no file of ours) or no database."""
    path = database.path if isinstance(database, Database) else database
    if path is None:
        return NOTHING_PROTECTED
    files = tuple((path.with_name(path.name + suffix), what) for suffix, what in SIDE_FILES)
    backups = "the automatic backups folder of the database Pathway Planner is using"
    return Protected(files=files, folders=((backups_folder(path), backups),))


def check_target(database: Database | Path | None, out: str | os.PathLike[str], *, overwrite: bool,
                 exists_advice: str = DEFAULT_EXISTS_ADVICE) -> OutputTarget:
    """``out`` checked as the place for an output of ``database`` (see planner.outputs.output_target)."""
    return output_target(out, protected_paths(database), overwrite=overwrite, exists_advice=exists_advice)


def export_file(database: Database | None, out: str | os.PathLike[str], render: Callable[[], Rendered], *,
                overwrite: bool, exists_advice: str = DEFAULT_EXISTS_ADVICE) -> tuple[Path, Rendered]:
    """Check ``out``, render, record the export and write the file, as one outcome (see the
    module's docstring); the path written and what was rendered. Raises OutputError (or its
    subclasses OutputRefused and ExportNotRecorded) with one line saying why, having written
    and recorded nothing; errors of ``render`` itself propagate, equally harmless.
    ``database`` None: a case that is not in a database (nothing to protect or record)."""
    target = check_target(database, out, overwrite=overwrite, exists_advice=exists_advice)
    rendered = render()
    with target.stage(rendered.data) as staged:
        event = rendered.event
        ids = [case_id for case_id in event.case_ids if case_id is not None] if event is not None else []
        if database is None or event is None or not ids:
            return staged.place(), rendered
        try:
            with database.session() as session:
                for case_id in ids:
                    audit.record_export(session, case_id, format=event.format, file=target.path,
                                        anonymised=event.anonymised, what=event.what)
                written = staged.place()  # a failure here rolls the events back
        except (DatabaseError, SQLAlchemyError) as error:
            if staged.placed:  # the commit failed: the file must not outlive its missing event
                target.path.unlink(missing_ok=True)
            raise ExportNotRecorded(f"{target.shown} was not written: the export could not be recorded in "
                                    f"the audit trail. {_reason(error)}") from None
    return written, rendered


def export_folder(database: Database | None, folder: str | os.PathLike[str],
                  render: Callable[[], RenderedFiles], names: Sequence[str], *,
                  overwrite: bool, exists_advice: str = DEFAULT_EXISTS_ADVICE) -> tuple[Path, RenderedFiles]:
    """:func:`export_file` for several files put in one folder (made, private, if it is not there):
    every file ``names`` announces is checked first (never the database, its side files or backups,
    never an existing file unless ``overwrite``), then all are rendered and staged, the export is
    recorded (``folder`` as the file) and only then are they put in place; if one cannot be, those
    already placed are removed and the event rolled back. The folder and what was rendered."""
    place = Path(folder).expanduser()
    made = not place.is_dir()
    if made:  # a new folder, checked as a new file would be (the database is named)
        check_target(database, place, overwrite=False, exists_advice="choose a folder")
        try:
            place.mkdir(mode=0o700)
        except OSError as error:
            raise OutputError(f"Cannot make the folder {place}: {error.strerror or error}.") from None
    try:
        return _fill_folder(database, place, render, names, overwrite=overwrite, exists_advice=exists_advice)
    except BaseException:
        if made:  # nothing was written: the new folder goes too
            with suppress(OSError):
                place.rmdir()
        raise


def _fill_folder(database: Database | None, place: Path, render: Callable[[], RenderedFiles],
                 names: Sequence[str], *, overwrite: bool, exists_advice: str) -> tuple[Path, RenderedFiles]:
    for name in names:  # before anything is rendered
        check_target(database, place / name, overwrite=overwrite, exists_advice=exists_advice)
    rendered = render()
    if sorted(rendered.files) != sorted(names):
        raise ValueError("the files rendered are not the files announced")
    targets = {name: check_target(database, place / name, overwrite=overwrite, exists_advice=exists_advice)
               for name in names}
    with ExitStack() as stack:
        staged = [stack.enter_context(targets[name].stage(data)) for name, data in rendered.files.items()]

        def place_all() -> None:
            try:
                for one in staged:
                    one.place()
            except BaseException:
                _remove_placed(staged)
                raise

        event = rendered.event
        ids = [case_id for case_id in event.case_ids if case_id is not None] if event is not None else []
        if database is None or event is None or not ids:
            place_all()
            return place, rendered
        try:
            with database.session() as session:
                for case_id in ids:
                    audit.record_export(session, case_id, format=event.format, file=place,
                                        anonymised=event.anonymised, what=event.what)
                place_all()  # a failure here rolls the events back
        except (DatabaseError, SQLAlchemyError) as error:
            _remove_placed(staged)
            raise ExportNotRecorded(f"{place} was not written: the export could not be recorded in "
                                    f"the audit trail. {_reason(error)}") from None
    return place, rendered


def _remove_placed(staged: Sequence[Staged]) -> None:
    for one in staged:
        if one.placed:
            one.target.path.unlink(missing_ok=True)


def _reason(error: BaseException) -> str:
    if isinstance(error, DatabaseError):
        text = str(error)
    else:
        original = getattr(error, "orig", None) or error
        text = (str(original).strip().splitlines() or [type(original).__name__])[0]
    text = text.strip()
    return text if text.endswith(".") else f"{text}."
