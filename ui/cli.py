"""The ``pathway-planner`` command: no arguments opens the GUI; subcommands drive it headless.

Errors go to stderr as one clear message with exit status 1; usage errors exit with 2.
Qt is imported only by the commands that need it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from planner import __version__

if TYPE_CHECKING:
    from planner.model import Case


class CommandError(Exception):
    """A failure to report to the user in one line."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pathway-planner",
        description="Pathway Planner: map an older person's care pathway across providers and "
                    "regulators. With no command, opens the application.")
    parser.add_argument("--db", metavar="URL",
                        help="database URL (default: $PATHWAY_PLANNER_DB, else the embedded SQLite database)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    cases = commands.add_parser("cases", help="list cases (id, title, area, steps)")
    cases.add_argument("--json", action="store_true", help="print a JSON array")

    imp = commands.add_parser("import", help="import a case file; prints the new case id")
    imp.add_argument("file", metavar="FILE")

    export = commands.add_parser("export-case", help="write a case to a case file")
    export.add_argument("case", metavar="CASE", help="case id or exact title")
    export.add_argument("--out", required=True, metavar="FILE")

    findings = commands.add_parser("findings", help="regulatory misalignment findings for a case")
    findings.add_argument("case", metavar="CASE", help="case id or exact title")
    findings.add_argument("--json", action="store_true", help="print a JSON array")

    measures = commands.add_parser("measures", help="measures computed from a case's timeline")
    measures.add_argument("case", metavar="CASE", help="case id or exact title")
    measures.add_argument("--json", action="store_true", help="print a JSON object")

    imp_dir = commands.add_parser(
        "import-directory",
        help="import a provider directory file (NHS ODS epraccur.csv or a CQC extract); prints the counts")
    imp_dir.add_argument("file", metavar="FILE")
    imp_dir.add_argument("--format", choices=["cqc", "ods"],
                         help="the file's format (default: detected from its content)")

    directory = commands.add_parser("directory", help="list provider directory entries")
    directory.add_argument("--search", metavar="TEXT",
                           help="only entries whose name, code, area or postcode contain every word")
    directory.add_argument("--json", action="store_true", help="print a JSON array")

    plan = commands.add_parser("print-plan",
                               help="write a case's care plan as a printable PDF (“My care plan”)")
    plan.add_argument("case", metavar="CASE", help="case id or exact title")
    plan.add_argument("--out", required=True, metavar="FILE.pdf")
    plan.add_argument("--version", type=int, metavar="N",
                      help="an agreed version of the plan (default: the plan as it is now)")

    shot = commands.add_parser("screenshot", help="render the main window offscreen to a PNG")
    shot.add_argument("--out", required=True, metavar="FILE.png")
    shot.add_argument("--case", metavar="CASE", help="case id or exact title (default: the first case)")
    shot.add_argument("--tab", metavar="NAME",
                      help="person, pathway-map, timeline, organisations, team, care-plan or findings "
                           "(default: person)")
    return parser


@contextmanager
def _database(url: str | None) -> Iterator[object]:
    from db.database import open_database

    database = open_database(url)
    try:
        yield database
    finally:
        database.close()


def _cases(args: argparse.Namespace) -> int:
    from db.repository import CaseRepository

    with _database(args.db) as database, database.session() as session:  # type: ignore[attr-defined]
        summaries = CaseRepository(session).summaries()
    rows = [{"id": s.id, "title": s.title, "area": s.area, "steps": s.steps} for s in summaries]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print("No cases.")
        return 0
    width = max(len(str(r["title"])) for r in rows)
    print(f"{'ID':>4}  {'TITLE':<{width}}  {'AREA':<16}  STEPS")
    for r in rows:
        print(f"{r['id']:>4}  {r['title']:<{width}}  {(r['area'] or '-'):<16}  {r['steps']:>5}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from db.repository import CaseRepository
    from planner.casefile import read_case_file

    case = read_case_file(args.file)  # validate before touching the database
    with _database(args.db) as database, database.session() as session:  # type: ignore[attr-defined]
        case_id = CaseRepository(session).add(case)
    print(case_id)
    return 0


def _export_case(args: argparse.Namespace) -> int:
    from planner.casefile import write_case_file

    case = _load_case(args)
    out = Path(args.out)
    try:
        write_case_file(case, out)
    except OSError as error:
        raise CommandError(f"cannot write {out}: {error.strerror or error}") from None
    print(out)
    return 0


def _load_case(args: argparse.Namespace) -> Case:
    from db.repository import CaseRepository

    with _database(args.db) as database, database.session() as session:  # type: ignore[attr-defined]
        repository = CaseRepository(session)
        return repository.get(repository.find(args.case))


def _findings(args: argparse.Namespace) -> int:
    from planner.analysis import annotation_json, finding_json
    from planner.rules import evaluate
    from planner.rules.catalogue import severity_label, severity_symbol

    report = evaluate(_load_case(args))
    if args.json:
        print(json.dumps([finding_json(f) for f in report.findings], indent=2, ensure_ascii=False))
        return 0
    if not report.findings:
        print("No findings.")
    for finding in report.findings:
        steps = ", ".join(finding.steps) or "the case as a whole"
        print(f"{severity_symbol(finding.severity)} {severity_label(finding.severity).upper()}  "
              f"{finding.rule} {finding.title}  [{steps}]")
        for line in finding.evidence.splitlines():
            print(f"    {line}")
        print(f"    Question: {finding.question}")
        note = finding.annotation
        if note is not None:
            comment = f": {note.comment}" if note.comment else ""
            print(f"    Team: {note.status.replace('_', ' ')}{comment}")
        print()
    for note in report.orphaned:
        data = annotation_json(note)
        print(f"Annotation on {note.rule} [{', '.join(note.steps)}] no longer matches a finding: {data}")
    return 0


def _measures(args: argparse.Namespace) -> int:
    from planner.measures import compute_measures

    measures = compute_measures(_load_case(args))
    if args.json:
        print(json.dumps(measures.to_json(), indent=2, ensure_ascii=False))
        return 0
    width = max(len(name) for name, _ in measures.rows())
    for name, value in measures.rows():
        print(f"{name:<{width}}  {value}")
    return 0


def _screenshot(args: argparse.Namespace) -> int:
    from db.repository import CaseRepository
    from ui.screenshot import save_screenshot, tab_key

    if args.tab is not None:
        try:
            tab_key(args.tab)
        except ValueError as error:
            raise CommandError(str(error)) from None
    with _database(args.db) as database:
        case_id = None
        if args.case is not None:
            with database.session() as session:  # type: ignore[attr-defined]
                case_id = CaseRepository(session).find(args.case)
        out = save_screenshot(database, Path(args.out), case_id, args.tab)  # type: ignore[arg-type]
    print(out)
    return 0


def _print_plan(args: argparse.Namespace) -> int:
    from planner.careplan import VersionNotKept, printable_plan

    case = _load_case(args)
    if case.care_plan is None:
        raise CommandError(f"case {case.id} has no care plan to print")
    try:
        plan = printable_plan(case, args.version)
    except VersionNotKept as error:
        raise CommandError(str(error)) from None
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no window is shown
    from PySide6.QtGui import QGuiApplication

    from ui.print_plan import write_pdf

    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841  (fonts need an application)
    out = Path(args.out)
    try:
        pages = write_pdf(plan, out)
    except OSError as error:
        raise CommandError(f"cannot write {out}: {error.strerror or error}") from None
    print(f"{out} ({pages} page{'s' if pages != 1 else ''}, {plan.version_text})")
    return 0


def _import_directory(args: argparse.Namespace) -> int:
    """Counts on stdout; the rejected rows (the first 10) and notes on stderr."""
    from db.directory import DirectoryRepository
    from planner.directory import (
        DirectoryFileError,
        describe_rejections,
        read_directory,
        summarise_rejections,
    )

    try:
        read = read_directory(args.file, args.format)  # read it all before touching the database
    except DirectoryFileError as error:
        raise CommandError(str(error)) from None
    from sqlalchemy.exc import SQLAlchemyError

    try:
        with _database(args.db) as database, database.session() as session:  # type: ignore[attr-defined]
            counts = DirectoryRepository(session).apply(read.entries, read.source, read.fields)
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


def _directory(args: argparse.Namespace) -> int:
    from db.directory import DirectoryRepository

    with _database(args.db) as database, database.session() as session:  # type: ignore[attr-defined]
        records = DirectoryRepository(session).search(args.search or "", limit=None)
    if args.json:
        rows = [{"id": r.id, **vars(r.entry),
                 "updated_at": r.updated_at.isoformat(sep=" ") if r.updated_at else None} for r in records]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not records:
        print(f"No directory entries match '{args.search}'." if args.search else "The directory is empty.")
        return 0
    name_width = min(max(len(r.entry.name) for r in records), 50)
    code_width = max(len(r.entry.code) for r in records)
    print(f"{'CODE':<{code_width}}  {'NAME':<{name_width}}  {'SECTOR':<16}  {'AREA':<20}  STATUS")
    for r in records:
        e = r.entry
        print(f"{e.code:<{code_width}}  {e.name[:name_width]:<{name_width}}  {e.sector:<16}  "
              f"{(e.area or '-')[:20]:<20}  {e.status}")
    return 0


COMMANDS = {"cases": _cases, "import": _import, "export-case": _export_case, "findings": _findings,
            "measures": _measures, "screenshot": _screenshot, "import-directory": _import_directory,
            "directory": _directory, "print-plan": _print_plan}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        from ui.app import run_gui

        return run_gui(args.db)
    from db.database import DatabaseError
    from db.repository import CaseNotFound
    from planner.validation import CaseFileError

    try:
        return COMMANDS[args.command](args)
    except BrokenPipeError:  # the reader (e.g. head) stopped listening: not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except CaseFileError as error:
        print(f"pathway-planner: {error}", file=sys.stderr)
    except CaseNotFound as error:
        print(f"pathway-planner: {error.args[0]}", file=sys.stderr)
    except (DatabaseError, CommandError) as error:
        print(f"pathway-planner: {error}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
