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
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from planner import __version__
from ui.actions import outputs
from ui.actions.outputs import Output, Privacy

if TYPE_CHECKING:
    from datetime import date

    from db.database import Database
    from db.exports import Rendered
    from planner.careplan import PrintablePlan
    from planner.model import Case
    from planner.unit_costs import LocalUnitCosts, UnitCost


class CommandError(Exception):
    """A failure to report to the user in one line."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pathway-planner",
        description="Pathway Planner: map an older person's care pathway across providers and "
                    "regulators. With no command, opens the application.",
        epilog="Every command takes --db URL, before or after its name; COMMAND --help says what it does.")
    parser.add_argument("--db", metavar="URL", help=DB_HELP)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    cases = commands.add_parser("cases", help="list cases (id, title, area, steps)",
                                description="List the cases in the database: id, title, area and number "
                                            "of steps (not the deleted ones).")
    cases.add_argument("--json", action="store_true", help="print a JSON array")
    cases.add_argument("--search", metavar="TEXT", default="",
                       help="only the cases whose person, title, area, organisation, team member or NHS "
                            "number (spaces allowed) contains TEXT")

    costs = commands.add_parser("costs", help="what the case's care cost and who paid: totals by payer and "
                                              "by organisation, the delayed days' cost, the unit costs "
                                              "and their sources (an estimate, to the nearest £10)")
    costs.add_argument("case", metavar="CASE", help=CASE_HELP)
    costs.add_argument("--json", action="store_true", help="print one JSON object")
    costs.add_argument("--area", metavar="NAME",
                       help="use this area's own unit costs (set in the application's settings); default: "
                            "the person's area when it has figures of its own, else the national defaults; "
                            "'England (national)' for the national defaults")

    commands.add_parser("demo", help="add the Mrs Smith example case to the database and print its id "
                                     "(refused if a case of that title is already there)")

    imp = commands.add_parser("import", help="import a case file or a FHIR R4 bundle (told apart by its "
                                             "content); prints the new case id (a FHIR report on stderr)",
                              description="Import a case file or a FHIR R4 bundle (told apart by its "
                                          "content) as a new case, recorded in the audit trail as "
                                          "imported; prints the new case's id, and for FHIR a report of "
                                          "what was mapped, skipped and needs checking on stderr. An "
                                          "invalid file changes nothing: every problem is listed.")
    imp.add_argument("file", metavar="FILE")
    window = imp.add_mutually_exclusive_group()
    window.add_argument("--since", metavar="DATE", type=_iso_date,
                        help="FHIR: encounters from DATE (YYYY-MM-DD) on become steps")
    window.add_argument("--years", metavar="N", type=_years,
                        help="FHIR: encounters in the N years before the latest one become steps "
                             "(default: 3; 0: the whole history)")

    package = commands.add_parser("fhir-package", help="write the FHIR package (StructureDefinitions, "
                                  "CodeSystems, ValueSets) a receiver loads to validate our exports",
                                  description="Write the FHIR package (package.json, the "
                                              "StructureDefinitions of our extensions, our CodeSystems and "
                                              "ValueSets) to a folder, for a receiving system to load into "
                                              "its validator.")
    package.add_argument("--out", required=True, metavar="DIR")
    _force(package)

    findings = commands.add_parser("findings", help="regulatory misalignment findings for a case",
                                   description="Show the regulatory misalignment findings of a case: the key "
                                               "findings first, then every rule that fired with its "
                                               "occurrences, their evidence and the team's view.")
    findings.add_argument("case", metavar="CASE", help=CASE_HELP)
    findings.add_argument("--json", action="store_true", help="print a JSON array")

    measures = commands.add_parser("measures", help="measures computed from a case's timeline",
                                   description="Show the measures computed from a case's timeline "
                                               "(admissions, length of stay, delayed days, days at home, "
                                               "handoff gaps, reablement outcomes).")
    measures.add_argument("case", metavar="CASE", help=CASE_HELP)
    measures.add_argument("--json", action="store_true", help="print a JSON object")

    imp_dir = commands.add_parser(
        "import-directory",
        help="import a provider directory file (NHS ODS epraccur.csv or a CQC extract); prints the counts")
    imp_dir.add_argument("file", metavar="FILE")
    imp_dir.add_argument("--format", choices=["cqc", "ods"],
                         help="the file's format (default: detected from its content)")

    directory = commands.add_parser("directory", help="list provider directory entries",
                                    description="List the provider directory's entries (code, name, "
                                                "sector, area, status), all or those matching --search.")
    directory.add_argument("--search", metavar="TEXT",
                           help="only entries whose name, code, area or postcode contain every word")
    directory.add_argument("--json", action="store_true", help="print a JSON array")

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

    for output in outputs.OUTPUTS:  # the export commands, from the one list of outputs (ui.actions.outputs)
        _output_command(commands, output)

    shot = commands.add_parser("screenshot", help="render the main window offscreen to a PNG",
                               description="Render the main window offscreen with a case and a tab open "
                                           "and save it as a PNG (private, recorded in the case's audit "
                                           "trail: it shows a person's case).")
    shot.add_argument("--out", required=True, metavar="FILE.png")
    shot.add_argument("--case", metavar="CASE", help="case id or exact title (default: the first case)")
    shot.add_argument("--tab", metavar="NAME",
                      help="person, pathway-map, timeline, organisations, team, care-plan or findings "
                           "(default: person)")
    shot.add_argument("--size", metavar="WxH", default="1440x900",
                      help="the window's size in pixels, e.g. 1366x768 (default: 1440x900)")
    _force(shot)
    _every_command(commands)
    return parser


DB_HELP = "database URL (default: $PATHWAY_PLANNER_DB, else the embedded SQLite database)"
CASE_HELP = "case id or exact title"


def _every_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """What every sub-command has, whoever added it: a description saying what it does (its help
    as a sentence, unless it has its own) and ``--db`` after its name as well as before."""
    helps = {action.dest: action.help for action in commands._choices_actions}
    for name, command in commands.choices.items():
        if not command.description and helps.get(name):
            text = str(helps[name])
            command.description = text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")
        if "--db" not in command._option_string_actions:
            # SUPPRESS: given only after the command does it set args.db, else the one before stays
            command.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help=DB_HELP)


def _output_command(commands: argparse._SubParsersAction[argparse.ArgumentParser], output: Output) -> None:
    """The sub-command writing ``output``: its case(s), --out, who it is for, its options, --force."""
    command = commands.add_parser(output.command, help=output.help, description=output.description)
    if output.several_cases:
        command.add_argument("cases", nargs="+", metavar="CASE", help="case ids or exact titles")
    else:
        command.add_argument("case", metavar="CASE", help=CASE_HELP)
    where = f"; a name not ending in {output.file_type.suffix}: {output.file_type.folder}" \
        if output.file_type.folder else ""
    command.add_argument("--out", required=True, metavar=output.file_type.metavar,
                         help=f"the file to write{where}")
    if output.privacy is Privacy.IDENTIFIABLE_UNLESS_ASKED:
        command.add_argument("--anonymised", action="store_true",
                             help="a pseudonym, no NHS number, date of birth or postcode, shifted dates, "
                                  "team members by role (as the workshop PDF)")
        command.add_argument("--alias", metavar="TEXT", help="with --anonymised: the pseudonym to use")
    elif output.privacy is Privacy.ANONYMISED_UNLESS_ASKED:
        privacy = command.add_mutually_exclusive_group()
        privacy.add_argument("--identifiable", action="store_true",
                             help="include her name, NHS number, date of birth, postcode, real dates, the "
                                  "team's names and the notes (personal data: handle accordingly)")
        privacy.add_argument("--alias", metavar="TEXT",
                             help="what to call her when anonymised (default: e.g. 'Mrs S')")
    for option in output.options:
        if option.metavar is None:
            command.add_argument(option.flag, dest=option.name, action="store_true", help=option.help)
        else:
            command.add_argument(option.flag, dest=option.name, metavar=option.metavar,
                                 type=int if option.number else str, help=option.help)
    _force(command)


def _force(command: argparse.ArgumentParser) -> None:
    command.add_argument("--force", action="store_true",
                         help="replace the file if it exists (never the database, its backups or anything "
                              "that is not an ordinary file)")


def _database(url: str | None, *, just_reading: bool = False) -> AbstractContextManager[Database]:
    """The database, open for the command (ui.actions.database.opened)."""
    from ui.actions.database import opened

    return opened(url, just_reading=just_reading)


def _cases(args: argparse.Namespace) -> int:
    from db.repository import CaseRepository

    with _database(args.db, just_reading=True) as database, database.snapshot() as session:
        summaries = CaseRepository(session).summaries(args.search)
    rows = [{"id": s.id, "title": s.title, "area": s.area, "steps": s.steps} for s in summaries]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print(f"No case matches “{args.search.strip()}”." if args.search.strip() else "No cases.")
        return 0
    from datetime import date

    width = max(len(str(r["title"])) for r in rows)
    print(f"{'ID':>4}  {'TITLE':<{width}}  {'AREA':<16}  STEPS  FLAGS")
    for r, summary in zip(rows, summaries, strict=True):
        flags = "; ".join(summary.flags(date.today())) or "-"
        print(f"{r['id']:>4}  {r['title']:<{width}}  {(r['area'] or '-'):<16}  {r['steps']:>5}  {flags}")
    return 0


def _costs(args: argparse.Namespace) -> int:
    from planner import describe
    from planner.costs import costs_for, local_in_words, round_to_10
    from planner.reference import label
    from planner.unit_costs import NATIONAL

    with _database(args.db, just_reading=True) as database:
        case = _get_case(database, args.case)
        local = _local_costs(database)
    area = args.area
    national = area is not None and " ".join(area.split()).casefold() == NATIONAL.casefold()
    if area is not None and not national and local.find(area) is None:
        known = ", ".join(f"“{name}”" for name in local.names())
        raise CommandError(f"no unit costs are set for the area “{area}”"
                           + (f" (areas with their own: {known})" if known else
                              " (no area has its own unit costs yet)")
                           + f"; use “{NATIONAL}” for the national defaults")
    costs = costs_for(case, local, area)
    units = costs.unit_costs()
    source = costs.source_number
    paid_by = {label("payer", code): pounds for code, pounds in costs.by_payer().items()}

    if args.json:
        print(json.dumps({
            "total": costs.total, "estimate": costs.estimate_note(), "area": costs.area,
            "unit_costs": costs.figures_note(), "by_payer": paid_by,
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
                         "amount": u.amount, "per": u.per, "local": u.is_local,
                         **({"url": u.url} if u.url else {}),
                         **({"area": u.area, "key": u.key, "note": u.note} if u.is_local else {})}
                        for n, u in enumerate(units, start=1)]}, indent=2, ensure_ascii=False))
        return 0
    print(f"THE COST OF CARE: £{costs.total:,}. {costs.estimate_note()}")
    print(costs.figures_note())
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
                  f"{label('payer', d.paid_by)}, waiting for {waiting} [{source(d.unit_cost)}"
                  f"{_own(d.unit_cost)}]")
    print("\nEach step")
    for c in costs.costed:
        count = f"{c.units:.1f}".removesuffix(".0")
        print(f"  {describe.step_name(c.step)}: {count} × £{c.unit_cost.amount:,.2f} per {c.unit_cost.per} = "
              f"£{round_to_10(c.amount):,}, {label('payer', c.payer)} [{source(c.unit_cost)}"
              f"{_own(c.unit_cost)}]")
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
        if u.is_local:
            print(f"  [{n}] LOCAL OVERRIDE: {local_in_words(u)}")
        else:
            print(f"  [{n}] £{u.amount:,.2f} per {u.per}, {u.price_year}: {u.citation}")
    return 0


def _own(unit: UnitCost) -> str:
    """", Torbay's own figure" after the source number of an area's own unit cost."""
    return f", {unit.area}'s own figure" if unit.is_local else ""


def _demo(args: argparse.Namespace) -> int:
    from ui.actions.database import add_demo

    with _database(args.db) as database:
        print(add_demo(database, summary="The demo case, added with the demo command"))
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


def _audit(args: argparse.Namespace) -> int:
    from db import audit
    from db.repository import CaseNotFound
    from ui.actions.cases import find_case_id

    with _database(args.db, just_reading=True) as database:
        case_id = None
        if args.case is not None:
            try:
                case_id = find_case_id(database, args.case)
            except CaseNotFound:
                text = args.case.strip()
                # a case deleted for good keeps its history under its id
                with database.snapshot() as session:
                    if not (text.isdigit() and audit.history(session, int(text), limit=1)):
                        raise
                case_id = int(text)
        with database.snapshot() as session:
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
    from ui.actions.backups import backup

    print(backup(args.db, args.out))
    return 0


def _restore(args: argparse.Namespace) -> int:
    from ui.actions.backups import restore

    path, result = restore(args.db, args.file)
    kept = f"; the database as it was is kept in {result.previous}" if result.previous else ""
    print(f"Restored {path} from {result.restored_from} (schema {result.revision}){kept}")
    return 0


def _load_case(args: argparse.Namespace, *, just_reading: bool = False) -> Case:
    """The case the command names; ``just_reading``: for a command that writes nothing (no file, so
    no audit event), which works on a database that can only be read."""
    with _database(args.db, just_reading=just_reading) as database:
        return _get_case(database, args.case)


def _get_case(database: Database, name: str) -> Case:
    from ui.actions.cases import load_case

    case = load_case(database, name)
    _warn_damage(case)
    return case


def _local_costs(database: Database) -> LocalUnitCosts:
    """The areas' own unit costs, set in the application's settings (shared through the database)."""
    from db.unit_costs import UnitCostSettings

    with database.snapshot() as session:
        return UnitCostSettings(session).local_costs()


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


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "cases": _cases, "costs": _costs, "demo": _demo, "import": _import, "fhir-package": _fhir_package,
    "findings": _findings,
    "measures": _measures, "screenshot": _screenshot, "import-directory": _import_directory,
    "directory": _directory, "audit": _audit, "backup": _backup, "restore": _restore}


def _handler(command: str) -> Callable[[argparse.Namespace], int]:
    """The function running ``command``: its own, or, for an output of the one list, _export."""
    if command in COMMANDS:
        return COMMANDS[command]
    if outputs.by_command(command) is None:
        raise KeyError(command)
    return _export


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
    from ui.actions import ActionError

    audit.set_user_name_source(_preferred_name)
    try:
        return _handler(args.command)(args)
    except BrokenPipeError:  # the reader (e.g. head) stopped listening: not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except CaseFileError as error:
        print(f"pathway-planner: {error}", file=sys.stderr)
    except CaseNotFound as error:
        print(f"pathway-planner: {error.args[0]}", file=sys.stderr)
    except (DatabaseError, CommandError, BackupError, OutputError, ActionError) as error:
        print(f"pathway-planner: {error}", file=sys.stderr)
    return 1


def _preferred_name() -> str | None:
    """The name set in the GUI's preferences (read only when an event is recorded)."""
    from ui.preferences import display_name

    return display_name()


if __name__ == "__main__":
    sys.exit(main())
