"""The ``pathway-planner`` command: no arguments opens the GUI; subcommands drive it headless.

Errors go to stderr as one clear message with exit status 1; usage errors exit with 2.
Qt is imported only by the commands that need it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from planner import __version__

if TYPE_CHECKING:
    from datetime import date

    from db.database import Database
    from db.exports import Rendered
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

    costs = commands.add_parser("costs", help="what the case's care cost and who paid: totals by payer and "
                                              "by organisation, the delayed days' cost, the unit costs "
                                              "and their sources (an estimate, to the nearest £10)")
    costs.add_argument("case", metavar="CASE", help="case id or exact title")
    costs.add_argument("--json", action="store_true", help="print one JSON object")

    commands.add_parser("demo", help="add the Mrs Smith example case to the database and print its id "
                                     "(refused if a case of that title is already there)")

    imp = commands.add_parser("import", help="import a case file or a FHIR R4 bundle (told apart by its "
                                             "content); prints the new case id (a FHIR report on stderr)")
    imp.add_argument("file", metavar="FILE")
    window = imp.add_mutually_exclusive_group()
    window.add_argument("--since", metavar="DATE", type=_iso_date,
                        help="FHIR: encounters from DATE (YYYY-MM-DD) on become steps")
    window.add_argument("--years", metavar="N", type=_years,
                        help="FHIR: encounters in the N years before the latest one become steps "
                             "(default: 3; 0: the whole history)")

    fhir = commands.add_parser("export-fhir", help="write a case as a FHIR R4 bundle (JSON)")
    fhir.add_argument("case", metavar="CASE", help="case id or exact title")
    fhir.add_argument("--out", required=True, metavar="FILE.json")
    fhir.add_argument("--anonymised", action="store_true",
                      help="a pseudonym, no NHS number, date of birth or postcode, shifted dates, "
                           "team members by role (as the workshop PDF)")
    fhir.add_argument("--alias", metavar="TEXT", help="with --anonymised: the pseudonym to use")
    _force(fhir)

    export = commands.add_parser("export-case", help="write a case to a case file")
    export.add_argument("case", metavar="CASE", help="case id or exact title")
    export.add_argument("--out", required=True, metavar="FILE")
    _force(export)

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
    _force(plan)

    audit = commands.add_parser("audit", help="the audit trail: who created, edited, imported, exported, "
                                              "printed or deleted a case, and when (newest first)")
    audit.add_argument("case", nargs="?", metavar="CASE", help="case id or exact title (default: every case)")
    audit.add_argument("--json", action="store_true", help="print a JSON array")

    backup = commands.add_parser("backup", help="copy the SQLite database to a file, consistently even "
                                                "while it is in use")
    backup.add_argument("--out", required=True, metavar="FILE", help="a new file (never overwritten)")

    restore = commands.add_parser("restore", help="replace the SQLite database with a backup (the current "
                                                  "one is kept in the backups folder first)")
    restore.add_argument("file", metavar="FILE")

    _workshop_pdf(commands.add_parser(
        "export-value-case", help="write the value case (PDF): at most three A4 sides (infrastructure, how "
                                  "it works, impact, what we ask), anonymised unless --identifiable"))
    _workshop_pdf(commands.add_parser(
        "export-pdf", help="write the regulator-workshop case summary (PDF), anonymised unless "
                           "--identifiable"))

    pack = commands.add_parser("workshop-pack", help="write the workshop pack (PDF) comparing several cases, "
                                                     "all anonymised")
    pack.add_argument("cases", nargs="+", metavar="CASE", help="case ids or exact titles")
    pack.add_argument("--out", required=True, metavar="FILE.pdf")
    _force(pack)

    shot = commands.add_parser("screenshot", help="render the main window offscreen to a PNG")
    shot.add_argument("--out", required=True, metavar="FILE.png")
    shot.add_argument("--case", metavar="CASE", help="case id or exact title (default: the first case)")
    shot.add_argument("--tab", metavar="NAME",
                      help="person, pathway-map, timeline, organisations, team, care-plan or findings "
                           "(default: person)")
    _force(shot)
    return parser


def _workshop_pdf(command: argparse.ArgumentParser) -> None:
    """The arguments of a workshop PDF of one case: the case, the file, who it is for."""
    command.add_argument("case", metavar="CASE", help="case id or exact title")
    command.add_argument("--out", required=True, metavar="FILE.pdf")
    privacy = command.add_mutually_exclusive_group()
    privacy.add_argument("--identifiable", action="store_true",
                         help="include her name, NHS number, date of birth, postcode, real dates, the team's "
                              "names and the notes (personal data: handle accordingly)")
    privacy.add_argument("--alias", metavar="TEXT",
                         help="what to call her when anonymised (default: e.g. 'Mrs S')")
    _force(command)


def _force(command: argparse.ArgumentParser) -> None:
    command.add_argument("--force", action="store_true",
                         help="replace the file if it exists (never the database, its backups or anything "
                              "that is not an ordinary file)")


@contextmanager
def _database(url: str | None, *, just_reading: bool = False) -> Iterator[Database]:
    """The database, open for the command; one that cannot be written (a read-only folder or file)
    is opened read-only for a command ``just_reading`` (and refused, saying why, for the others)."""
    from db.database import open_database

    database = open_database(url, allow_read_only=just_reading)
    try:
        yield database
    finally:
        database.close()


def _cases(args: argparse.Namespace) -> int:
    from db.repository import CaseRepository

    with _database(args.db, just_reading=True) as database, database.snapshot() as session:
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


def _costs(args: argparse.Namespace) -> int:
    from planner import describe
    from planner.costs import cost_of_care, round_to_10
    from planner.reference import label

    case = _load_case(args, just_reading=True)
    costs = cost_of_care(case)
    units = costs.unit_costs()
    source = costs.source_number
    paid_by = {label("payer", code): pounds for code, pounds in costs.by_payer().items()}

    if args.json:
        print(json.dumps({
            "total": costs.total, "estimate": costs.estimate_note(), "by_payer": paid_by,
            "by_organisation": costs.by_organisation(),
            "delayed": [{"step": d.step.id, "name": describe.step_name(d.step), "days": d.days,
                         "amount": round_to_10(d.amount), "paid_by": label("payer", d.paid_by),
                         "attributed_to": label("delay_attribution", d.attributed_to),
                         "source": source(d.unit_cost)}
                        for d in costs.delayed],
            "not_costed": [{"step": n.step.id, "name": describe.step_name(n.step), "reason": n.reason}
                           for n in costs.not_costed],
            "caveats": [{"step": n.step.id, "name": describe.step_name(n.step), "note": n.reason}
                        for n in costs.caveats],
            "unpaid_care_days": costs.unpaid_days,
            "steps": [{"step": c.step.id, "name": describe.step_name(c.step),
                       "payer": label("payer", c.payer), "units": round(c.units, 2), "per": c.unit_cost.per,
                       "unit_cost": c.unit_cost.amount, "amount": round_to_10(c.amount),
                       "price_year": c.unit_cost.price_year, "source": source(c.unit_cost)}
                      for c in costs.costed],
            "sources": [{"number": n, "source": u.source, "table": u.table, "price_year": u.price_year,
                         "amount": u.amount, "per": u.per, **({"url": u.url} if u.url else {})}
                        for n, u in enumerate(units, start=1)]}, indent=2, ensure_ascii=False))
        return 0
    print(f"THE COST OF CARE: £{costs.total:,}. {costs.estimate_note()}")
    print("\nBy payer")
    for name, pounds in paid_by.items():
        print(f"  {name:<40} £{pounds:>9,}")
    print("\nBy organisation")
    for name, pounds in costs.by_organisation().items():
        print(f"  {name:<40} £{pounds:>9,}")
    if costs.delayed:
        print(f"\nDelayed days: £{costs.delayed_total():,}")
        for d in costs.delayed:
            waiting = label("delay_attribution", d.attributed_to).lower()
            print(f"  {describe.step_name(d.step)}: {d.days} day{'s' if d.days != 1 else ''} × "
                  f"£{d.unit_cost.amount:,.2f} = £{round_to_10(d.amount):,}, paid by "
                  f"{label('payer', d.paid_by)}, waiting for {waiting} [{source(d.unit_cost)}]")
    print("\nEach step")
    for c in costs.costed:
        count = f"{c.units:.1f}".removesuffix(".0")
        print(f"  {describe.step_name(c.step)}: {count} × £{c.unit_cost.amount:,.2f} per {c.unit_cost.per} = "
              f"£{round_to_10(c.amount):,}, {label('payer', c.payer)} [{source(c.unit_cost)}]")
    if costs.not_costed:
        print("\nNot costed")
        for left_out in costs.not_costed:
            print(f"  {describe.step_name(left_out.step)}: {left_out.reason}")
    for caveat in costs.caveats:
        print(f"  Note: {describe.step_name(caveat.step)}: {caveat.reason}")
    if costs.unpaid_days:
        print(f"\nUnpaid care by family and friends: {costs.unpaid_days} days (counted, not priced)")
    print("\nSources (unit costs as published, in their own price years)")
    for n, u in enumerate(units, start=1):
        print(f"  [{n}] £{u.amount:,.2f} per {u.per}, {u.price_year}: {u.citation}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from db.database import demo_case, seed_demo_case
    from db.repository import CaseNotFound, CaseRepository

    with _database(args.db) as database:
        title = demo_case().title or "Mrs Smith"
        with database.session() as session:
            try:
                existing: int | None = CaseRepository(session).find(title)
            except CaseNotFound:
                existing = None
        if existing is not None:
            print(f"pathway-planner: the Mrs Smith example is already in this database (case {existing}, "
                  f"“{title}”); nothing was added.", file=sys.stderr)
            return 1
        print(seed_demo_case(database, summary="The demo case, added with the demo command"))
    return 0


def _iso_date(text: str) -> date:
    from planner.dates import parse_date

    try:
        return parse_date(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


#: The most years of history an import may ask for (as the application's import dialog).
MAX_YEARS = 200


def _years(text: str) -> int:
    if not text.isascii() or not text.isdigit() or len(text) > 3 or int(text) > MAX_YEARS:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of years from 0 to {MAX_YEARS}")
    return int(text)


def _import(args: argparse.Namespace) -> int:
    """A case file or, told apart by its content, a FHIR R4 bundle; the FHIR report goes to stderr."""
    from db.repository import CaseRepository
    from planner.casefile import case_from_dict
    from planner.fhir import DEFAULT_YEARS, import_fhir, is_fhir, read_json_file

    path = Path(args.file)
    data = read_json_file(path)  # validate before touching the database
    report = None
    if isinstance(data, dict) and "format" not in data and "resourceType" not in data:
        raise CommandError(f"{path} was not imported: it is neither a case file (no \"format\") nor FHIR "
                           "(no \"resourceType\")")
    if is_fhir(data):
        years = DEFAULT_YEARS if args.years is None else args.years
        imported = import_fhir(data, source=str(path), since=args.since, years=years)
        case, report, kind, what = imported.case, imported.report, "fhir", "FHIR bundle"
    else:
        case, kind, what = case_from_dict(data, str(path)), "case-file", "case file"
    with _database(args.db) as database, database.session() as session:
        case_id = CaseRepository(session).add(
            case, action="imported", summary=f"Imported from the {what} {path.name}",
            details={"format": kind, "file": str(path.absolute())})
    if report is not None:
        print(report.as_text(), file=sys.stderr)
    print(case_id)
    return 0


def _write(args: argparse.Namespace, database: Database, render: Callable[[], Rendered]) -> Rendered:
    """Write ``--out`` from ``render``, its export recorded in the audit trail first (see
    db.exports.export_file: the database and its backups are never replaced, nor an existing
    file without --force); what was rendered."""
    from db.exports import export_file
    from ui.exports import FORCE_ADVICE

    with _render_errors(args.out):
        _written, rendered = export_file(database, args.out, render, overwrite=args.force,
                                         exists_advice=FORCE_ADVICE)
    return rendered


@contextmanager
def _render_errors(out: str) -> Iterator[None]:
    """An OSError while rendering (not writing) an output, told as one line: nothing was written."""
    from planner.outputs import OutputError

    try:
        yield
    except OutputError:
        raise
    except OSError as error:
        raise CommandError(f"{out} was not written: {error.strerror or error}") from None


def _export_fhir(args: argparse.Namespace) -> int:
    from ui import exports

    if args.alias and not args.anonymised:
        raise CommandError("--alias is the pseudonym of an anonymised export: add --anonymised")
    with _database(args.db) as database:
        _write(args, database, lambda: exports.fhir_bundle(_get_case(database, args.case),
                                                           anonymise=args.anonymised, alias=args.alias))
    print(Path(args.out))
    return 0


def _export_case(args: argparse.Namespace) -> int:
    from ui import exports

    with _database(args.db) as database:
        _write(args, database, lambda: exports.case_file(_get_case(database, args.case)))
    print(Path(args.out))
    return 0


def _audit(args: argparse.Namespace) -> int:
    from db import audit
    from db.repository import CaseNotFound, CaseRepository

    with _database(args.db, just_reading=True) as database, database.session() as session:
        case_id = None
        if args.case is not None:
            try:
                case_id = CaseRepository(session).find(args.case)
            except CaseNotFound:
                text = args.case.strip()
                # a case deleted for good keeps its history under its id
                if not (text.isdigit() and audit.history(session, int(text), limit=1)):
                    raise
                case_id = int(text)
        events = audit.history(session, case_id)
    if args.json:
        print(json.dumps([event.to_json() for event in events], indent=2, ensure_ascii=False))
        return 0
    if not events:
        print("No events." if case_id is None else f"No events for case {case_id}.")
        return 0
    for event in events:
        when = event.at.astimezone().strftime("%Y-%m-%d %H:%M")
        who = event.user + (f" ({event.os_user}@{event.workstation})" if event.workstation else "")
        case = f"#{event.case_id} {event.case_title or ''}".strip() if event.case_id is not None else "-"
        print(f"{when}  {event.action:<9} {case}  {who}: {event.summary}")
    return 0


def _backup(args: argparse.Namespace) -> int:
    from db.backup import BackupError, check_planner_database, copy_database

    path = _sqlite_file(args, "back it up with the server's tools: pg_dump --format=custom --file=FILE "
                              "(and pg_restore to restore it)")
    if not path.exists():
        raise CommandError(f"there is no database at {path} to back up")
    from db.database import check_sqlite_database

    check_sqlite_database(f"sqlite:///{path}")  # a damaged one is named, with the backup to restore
    out = Path(args.out).expanduser()
    from db.exports import check_target

    # the database, its side files and backups, folders, devices, pipes are refused here; an existing
    # file by copy_database, which never replaces one
    check_target(path, out, overwrite=True)
    copy_database(path, out)
    try:  # the copy, not the database in use, is checked
        check_planner_database(out, shown_as=path)
    except BackupError:
        out.unlink()
        raise
    print(out)
    return 0


def _restore(args: argparse.Namespace) -> int:
    from db.backup import restore

    path = _sqlite_file(args, "restore it with the server's tools: pg_restore (from a pg_dump file)")
    result = restore(path, Path(args.file))
    with _database(args.db):  # brought to the current schema now, not at the next start
        pass
    kept = f"; the database as it was is kept in {result.previous}" if result.previous else ""
    print(f"Restored {path} from {result.restored_from} (schema {result.revision}){kept}")
    return 0


def _sqlite_file(args: argparse.Namespace, postgres_advice: str) -> Path:
    from db.database import choose_url, describe, sqlite_path

    url, _default = choose_url(args.db)
    path = sqlite_path(url)
    if path is None:
        if url.split(":", 1)[0].startswith("postgres"):
            raise CommandError(f"{describe(url)} is a PostgreSQL database: {postgres_advice}")
        raise CommandError(f"{describe(url)} is not an SQLite database file")
    return path


def _load_case(args: argparse.Namespace, *, just_reading: bool = False) -> Case:
    """The case the command names; ``just_reading``: for a command that writes nothing (no file, so
    no audit event), which works on a database that can only be read."""
    with _database(args.db, just_reading=just_reading) as database:
        return _get_case(database, args.case)


def _get_case(database: Database, name: str) -> Case:
    from db.repository import CaseRepository

    with database.snapshot() as session:
        repository = CaseRepository(session)
        case = repository.get(repository.find(name))
    _warn_damage(case)
    return case


def _warn_damage(case: Case) -> None:
    """A warning line on stderr for each part of a stored case that could not be read (and is
    left out of what the command shows or writes)."""
    shown = 20
    for message in case.damage[:shown]:
        print(f"pathway-planner: warning: case {case.id} “{case.display_title}”: {message}",
              file=sys.stderr)
    if len(case.damage) > shown:
        print(f"pathway-planner: warning: case {case.id} “{case.display_title}”: … and "
              f"{len(case.damage) - shown} more parts could not be read.", file=sys.stderr)


def _findings(args: argparse.Namespace) -> int:
    from planner import describe
    from planner.analysis import analyse, finding_json
    from planner.rules.catalogue import severity_label, severity_symbol

    case = _load_case(args, just_reading=True)
    analysis = analyse(case)
    report, key = analysis.report, analysis.key
    if args.json:
        print(json.dumps([finding_json(f, key) for f in report.findings], indent=2, ensure_ascii=False))
        return 0
    if not report.findings:
        print("No findings.")
    key_count, rule_count, occurrence_count = key.counts()
    if key.key:
        print(f"KEY FINDINGS ({key_count} of {rule_count} rules, {occurrence_count} occurrences)")
        for group in key.key:
            assert group.strongest is not None and group.key_rank is not None
            pinned = " (pinned by the team)" if group.pinned else ""
            print(f"  {group.key_rank}. {severity_symbol(group.severity)} {group.rule} {group.title}{pinned}")
            harm = key.harm_days(group.strongest)
            where = "; ".join(describe.steps_named(case, group.strongest.steps)) or "the case as a whole"
            print(f"     {where}" + (f" (harm: {harm} day{'s' if harm != 1 else ''})" if harm else ""))
        print()
    for group in key.groups:
        count = len(group.occurrences)
        aside = count - len(group.active)
        extra = f"; {aside} set aside" if aside else ""
        rank = f"; key finding {group.key_rank}" if group.key_rank else ""
        print(f"{severity_symbol(group.severity)} {severity_label(group.severity).upper()}  {group.rule} "
              f"{group.title}  ({count} occurrence{'s' if count != 1 else ''}{extra}{rank})")
        print(f"    Question: {group.question}")
        for finding in group.occurrences:
            where = "; ".join(describe.steps_named(case, finding.steps)) or "The case as a whole"
            print(f"  • {where}")
            for line in finding.evidence.splitlines():
                print(f"      {line}")
            note = finding.annotation
            if note is not None:
                comment = f": {note.comment}" if note.comment else ""
                print(f"      Team: {note.status.replace('_', ' ')}{comment}")
        print()
    for note in report.orphaned:
        where = "; ".join(describe.steps_named(case, note.steps)) or "the case as a whole"
        comment = f" ({note.comment})" if note.comment else ""
        print(f"The team's note on {note.rule} ({where}){comment} no longer matches a finding.")
    return 0


def _measures(args: argparse.Namespace) -> int:
    from planner.measures import compute_measures

    measures = compute_measures(_load_case(args, just_reading=True))
    if args.json:
        print(json.dumps(measures.to_json(), indent=2, ensure_ascii=False))
        return 0
    width = max(len(name) for name, _ in measures.rows())
    for name, value in measures.rows():
        print(f"{name:<{width}}  {value}")
    return 0


def _screenshot(args: argparse.Namespace) -> int:
    from db.repository import CaseRepository
    from ui.exports import FORCE_ADVICE
    from ui.screenshot import save_screenshot, tab_key

    if args.tab is not None:
        try:
            tab_key(args.tab)
        except ValueError as error:
            raise CommandError(str(error)) from None
    with _database(args.db) as database:
        case_id = None
        if args.case is not None:
            with database.session() as session:
                case_id = CaseRepository(session).find(args.case)
        with _render_errors(args.out):
            save_screenshot(database, Path(args.out), case_id, args.tab,
                            overwrite=args.force, exists_advice=FORCE_ADVICE)
    print(Path(args.out))
    return 0


def _print_plan(args: argparse.Namespace) -> int:
    from planner.careplan import VersionNotKept, printable_plan

    def render() -> Rendered:
        case = _get_case(database, args.case)
        if case.care_plan is None:
            raise CommandError(f"case {case.id} has no care plan to print")
        try:
            plan = printable_plan(case, args.version)
        except VersionNotKept as error:
            raise CommandError(str(error)) from None
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no window is shown
        from PySide6.QtGui import QGuiApplication

        from ui.print_plan import plan_pdf

        app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841  (fonts need an application)
        versions.append(plan.version_text)
        warnings.extend(plan.warnings())
        return plan_pdf(plan, case.id)

    versions: list[str] = []
    warnings: list[str] = []
    with _database(args.db) as database:
        pages = _write(args, database, render).pages
    print(f"{Path(args.out)} ({pages} page{'s' if pages != 1 else ''}, {versions[0]})")
    for warning in warnings:  # written all the same: the plan says who has no number
        print(f"Warning: {warning}", file=sys.stderr)
    return 0


def _export_pdf(args: argparse.Namespace) -> int:
    """The workshop case summary; prints the file, its pages and whether it is anonymised."""
    from reports.workshop import WorkshopOptions
    from ui import exports

    options = WorkshopOptions(identifiable=args.identifiable, alias=args.alias)
    with _database(args.db) as database:
        rendered = _write(args, database,
                          lambda: exports.case_summary(_get_case(database, args.case), options))
    assert rendered.event is not None
    how = "anonymised" if rendered.event.anonymised else "IDENTIFIABLE: contains personal data"
    print(f"{Path(args.out)} ({rendered.pages} pages, {how})")
    return 0


def _export_value_case(args: argparse.Namespace) -> int:
    """The value case; prints the file, its pages and whether it is anonymised."""
    from reports.workshop import WorkshopOptions
    from ui import exports

    options = WorkshopOptions(identifiable=args.identifiable, alias=args.alias)
    with _database(args.db) as database:
        rendered = _write(args, database, lambda: exports.value_case(_get_case(database, args.case), options))
    assert rendered.event is not None
    how = "anonymised" if rendered.event.anonymised else "IDENTIFIABLE: contains personal data"
    print(f"{Path(args.out)} ({rendered.pages} pages, {how})")
    return 0


def _workshop_pack(args: argparse.Namespace) -> int:
    """The workshop pack of several cases (each anonymised); prints the file and its pages."""
    from db.repository import CaseRepository
    from ui import exports

    def render() -> Rendered:
        with database.snapshot() as session:
            repository = CaseRepository(session)
            ids = [repository.find(name) for name in args.cases]
            repeated = sorted({case_id for case_id in ids if ids.count(case_id) > 1})
            if repeated:
                raise CommandError(f"case {', '.join(map(str, repeated))} is named more than once")
            cases = [repository.get(case_id) for case_id in ids]
        for case in cases:
            _warn_damage(case)
        return exports.workshop_pack(cases)  # each case in the pack has its export recorded

    with _database(args.db) as database:
        rendered = _write(args, database, render)
    print(f"{Path(args.out)} ({rendered.pages} pages, {len(args.cases)} cases, anonymised)")
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
        with _database(args.db) as database, database.session() as session:
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

    with _database(args.db, just_reading=True) as database, database.session() as session:
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


COMMANDS = {"cases": _cases, "costs": _costs, "demo": _demo, "import": _import, "export-case": _export_case,
            "export-fhir": _export_fhir, "findings": _findings,
            "measures": _measures, "screenshot": _screenshot, "import-directory": _import_directory,
            "directory": _directory, "audit": _audit, "backup": _backup, "restore": _restore,
            "print-plan": _print_plan, "export-pdf": _export_pdf, "workshop-pack": _workshop_pack,
            "export-value-case": _export_value_case}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        from ui.app import run_gui

        return run_gui(args.db)
    from db import audit
    from db.backup import BackupError
    from db.database import DatabaseError
    from db.repository import CaseNotFound
    from planner.outputs import OutputError
    from planner.validation import CaseFileError

    audit.set_user_name_source(_preferred_name)
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
    except (DatabaseError, CommandError, BackupError, OutputError) as error:
        print(f"pathway-planner: {error}", file=sys.stderr)
    return 1


def _preferred_name() -> str | None:
    """The name set in the GUI's preferences (read only when an event is recorded)."""
    from ui.preferences import display_name

    return display_name()


if __name__ == "__main__":
    sys.exit(main())
