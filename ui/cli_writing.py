"""The command line's writing commands: the demo case, imports (a case file, a FHIR bundle, a
provider directory), every export of the one list of outputs, the FHIR package, a screenshot,
and backing up and restoring the database.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ui.actions import outputs
from ui.actions.outputs import Privacy
from ui.cli_common import CommandError, _database, _local_costs, _render_errors, _warn_damage

if TYPE_CHECKING:
    from db.exports import Rendered
    from planner.careplan import PrintablePlan


def _demo(args: argparse.Namespace) -> int:
    from ui.actions.database import add_demo

    with _database(args.db) as database:
        print(add_demo(database, summary="The demo case, added with the demo command"))
    return 0


def _import(args: argparse.Namespace) -> int:
    """A case file or, told apart by its content, a FHIR R4 bundle; the FHIR report goes to stderr."""
    from ui.actions import importing

    path = Path(args.file)
    data = importing.read_data(path)  # validate before touching the database
    if isinstance(data, dict) and "format" not in data and "resourceType" not in data:
        raise CommandError(f"{path} was not imported: it is neither a case file (no \"format\") nor FHIR "
                           "(no \"resourceType\")")
    read = importing.read_import(path, data, since=args.since, years=args.years)
    with _database(args.db) as database:
        case_id = importing.store_import(database, read)
    if read.report is not None:
        print(read.report.as_text(), file=sys.stderr)
    print(case_id)
    return 0


def _export(args: argparse.Namespace) -> int:
    """Any output of the one list (ui.actions.outputs): the case(s) named, written to --out with its
    export recorded in the audit trail first (the database and its backups are never replaced, nor
    an existing file without --force); prints the file and what it holds."""
    from ui.actions.cases import load_cases
    from ui.actions.exporting import FORCE_ADVICE
    from ui.actions.outputs import Request, export, outcome

    output = outputs.by_command(args.command)
    assert output is not None
    anonymise = output.privacy.anonymised_by_default
    if output.privacy is Privacy.IDENTIFIABLE_UNLESS_ASKED:
        if args.alias and not args.anonymised:
            raise CommandError("--alias is the pseudonym of an anonymised export: add --anonymised")
        anonymise = args.anonymised
    elif output.privacy is Privacy.ANONYMISED_UNLESS_ASKED:
        anonymise = not args.identifiable
    options = {option.name: getattr(args, option.name) for option in output.options}
    if options.get("name_providers") and not anonymise:
        raise CommandError("--name-providers is a choice of anonymised exports: "
                           + ("add --anonymised" if output.privacy is Privacy.IDENTIFIABLE_UNLESS_ASKED
                              else "leave out --identifiable"))

    def request() -> Request:
        names = args.cases if output.several_cases else [args.case]
        cases = load_cases(database, names)
        for case in cases:
            _warn_damage(case)
        return Request(cases, anonymise=anonymise, alias=getattr(args, "alias", None), options=options,
                       draw_plan=_draw_plan, unit_costs=_local_costs(database))

    with _database(args.db) as database, _render_errors(args.out):
        written = export(output, database, args.out, request, overwrite=args.force,
                         exists_advice=FORCE_ADVICE)
    print(outcome(output, written, args.out))
    for warning in written.warnings:  # written all the same: e.g. the plan says who has no number
        print(f"Warning: {warning}", file=sys.stderr)
    return 0


def _draw_plan(plan: PrintablePlan, case_id: int | None) -> Rendered:
    """The printed care plan drawn by Qt, offscreen (no window is shown)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    from ui.print_plan import plan_pdf

    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841  (fonts need an application)
    return plan_pdf(plan, case_id)


def _fhir_package(args: argparse.Namespace) -> int:
    """Every file is checked (never the database, its backups or an existing file without --force)
    before any is written; each is written atomically."""
    from db.database import choose_url, sqlite_path
    from db.exports import check_target
    from planner.fhir.conformance import shipped_package
    from ui.actions.exporting import FORCE_ADVICE

    folder = Path(args.out)
    database = sqlite_path(choose_url(args.db)[0])  # what must not be replaced; the database is not opened
    with _render_errors(args.out):
        folder.mkdir(parents=True, exist_ok=True)
        targets = [(check_target(database, folder / name, overwrite=args.force, exists_advice=FORCE_ADVICE),
                    text) for name, text in sorted(shipped_package().items())]
        for target, text in targets:
            target.write(text.encode("utf-8"))
    print(folder)
    return 0


def _screenshot(args: argparse.Namespace) -> int:
    from ui.actions.cases import find_case_id
    from ui.actions.exporting import FORCE_ADVICE
    from ui.screenshot import parse_size, save_screenshot, tab_key

    try:
        size = parse_size(args.size)
    except ValueError as error:
        raise CommandError(str(error)) from None
    if args.tab is not None:
        try:
            tab_key(args.tab)
        except ValueError as error:
            raise CommandError(str(error)) from None
    with _database(args.db) as database:
        case_id = find_case_id(database, args.case) if args.case is not None else None
        with _render_errors(args.out):
            save_screenshot(database, Path(args.out), case_id, args.tab, size,
                            overwrite=args.force, exists_advice=FORCE_ADVICE)
    print(Path(args.out))
    return 0


def _import_directory(args: argparse.Namespace) -> int:
    """Counts on stdout; the rejected rows (the first 10) and notes on stderr."""
    from planner.directory import DirectoryFileError, describe_rejections, summarise_rejections
    from ui.actions import importing

    try:
        read = importing.read_directory(args.file, args.format)  # read it all before touching the database
    except DirectoryFileError as error:
        raise CommandError(str(error)) from None
    from sqlalchemy.exc import SQLAlchemyError

    try:
        with _database(args.db) as database:
            counts = importing.store_directory(database, read)
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise CommandError(f"nothing was imported: the database refused the directory ({reason})") from None
    print(f"{counts}, rejected {len(read.rejected):,}")
    if read.rejected:
        print(f"rejected: {summarise_rejections(read.rejected)}", file=sys.stderr)
    for line in describe_rejections(read.rejected, limit=10):
        print(f"rejected: {line}", file=sys.stderr)
    for note in read.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


def _backup(args: argparse.Namespace) -> int:
    from ui.actions.backups import backup

    print(backup(args.db, args.out))
    return 0


def _restore(args: argparse.Namespace) -> int:
    from ui.actions.backups import restore

    path, result = restore(args.db, args.file)
    kept = f"; the database as it was is kept in {result.previous}" if result.previous else ""
    print(f"Restored {path} from {result.restored_from} (schema {result.revision}){kept}")
    return 0
