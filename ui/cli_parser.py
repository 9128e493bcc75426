"""The command line's parser: every sub-command, its arguments and their help (the outputs'
commands made from the one list in ui.actions.outputs), and the argument types.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from planner import __version__
from ui.actions import outputs
from ui.actions.outputs import Output, Privacy

if TYPE_CHECKING:
    from datetime import date


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
                        help="FHIR: encounters from DATE on become steps (10 Jul 2024, 10/07/2024 or "
                             "2024-07-10)")
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


def _iso_date(text: str) -> date:
    """A date on the command line as in the application: "10 Jul 2024", "10/07/2024" or ISO."""
    from planner.dates import read_day

    try:
        return read_day(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


#: The most years of history an import may ask for (as the application's import dialog).
MAX_YEARS = 200


def _years(text: str) -> int:
    if not text.isascii() or not text.isdigit() or len(text) > 3 or int(text) > MAX_YEARS:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of years from 0 to {MAX_YEARS}")
    return int(text)
