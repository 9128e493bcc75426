"""The one list of outputs: each file made from cases, as the command line and the File menu
offer it. Both are built from :data:`OUTPUTS` (ui.cli's export commands, ui.main_window's export
items): adding an output is adding one entry here.

An entry says what the output is called in the menu and on the command line, its help, its file
type, whether it is anonymised by default (and whether that can be changed), and how to render it
from a :class:`Request`. :func:`export` writes it (db.exports: checked, recorded, then written).
"""

from __future__ import annotations

import enum
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from planner.outputs import DEFAULT_EXISTS_ADVICE
from ui.actions import ActionError

if TYPE_CHECKING:  # the database and the renderers load when an output is made, not at start-up
    from db.database import Database
    from db.exports import Rendered, RenderedFiles
    from planner.analysis import Analysis
    from planner.model import Case
    from planner.unit_costs import LocalUnitCosts
    from ui.actions.printing import DrawPlan


class Privacy(enum.Enum):
    """Whether an output names the person, and whether the user may choose."""

    #: always identifiable (the case file, the care plan, the tables)
    IDENTIFIABLE = "identifiable"
    #: always anonymised (the workshop pack)
    ANONYMISED = "anonymised"
    #: identifiable unless asked (--anonymised, with --alias): the FHIR bundle
    IDENTIFIABLE_UNLESS_ASKED = "identifiable unless asked"
    #: anonymised unless asked (--identifiable, or --alias): the workshop PDFs
    ANONYMISED_UNLESS_ASKED = "anonymised unless asked"

    @property
    def chosen(self) -> bool:
        """Whether the user chooses (a question in the window, a switch on the command line)."""
        return self in (Privacy.IDENTIFIABLE_UNLESS_ASKED, Privacy.ANONYMISED_UNLESS_ASKED)

    @property
    def anonymised_by_default(self) -> bool:
        return self in (Privacy.ANONYMISED, Privacy.ANONYMISED_UNLESS_ASKED)


@dataclass(frozen=True)
class FileType:
    """What an output is written as: its name in the save dialog, its file suffix (added by the
    window when the name chosen lacks it, if ``add_suffix``), how the command line shows it."""

    description: str
    suffix: str
    metavar: str
    add_suffix: bool = True
    #: also written as a folder of files (the command line, given a name without ``suffix``)
    folder: str | None = None

    @property
    def filter(self) -> str:
        """The save dialog's filter: "PDF files (*.pdf)"."""
        return f"{self.description} (*{self.suffix})"


@dataclass(frozen=True)
class Option:
    """A choice an output takes beyond its case(s), file and privacy (``--version N``)."""

    name: str
    flag: str
    help: str
    metavar: str | None = None
    number: bool = False


@dataclass(frozen=True)
class Request:
    """What to render: the cases (one for most outputs), anonymised or not (with ``alias`` as the
    pseudonym), the output's own options, the window's analysis when it has one (as on screen) and
    the function drawing the care plan (Qt's, from the entry point)."""

    cases: Sequence[Case]
    #: None: as the output is by default
    anonymise: bool | None = None
    alias: str | None = None
    options: Mapping[str, object] = field(default_factory=dict)
    analysis: Analysis | None = None
    draw_plan: DrawPlan | None = None
    #: the areas' own unit costs (the settings shared through the database), for the workshop PDFs
    unit_costs: LocalUnitCosts | None = None

    @property
    def case(self) -> Case:
        return self.cases[0]


@dataclass(frozen=True)
class Output:
    """One output, as both entry points offer it."""

    #: its key ("case-file")
    name: str
    #: the File menu's item, with its access key ("&Export case file…")
    title: str
    #: the command line's sub-command ("export-case")
    command: str
    #: one line saying what it writes (the command's help, the menu item's status tip)
    help: str
    file_type: FileType
    privacy: Privacy
    render: Callable[[Request], Rendered]
    #: the menu item's shortcut ("Ctrl+E"), if any
    shortcut: str | None = None
    #: what the command's --help says of it (default: the help)
    description: str | None = None
    #: what a message calls it ("case file")
    noun: str = ""
    several_cases: bool = False
    #: only for a case with a care plan
    needs_plan: bool = False
    options: tuple[Option, ...] = ()
    #: the files of the folder form (file name to render), when the file type has one
    render_folder: Callable[[Request], RenderedFiles] | None = None
    folder_names: tuple[str, ...] = ()
    #: the name the save dialog suggests, from the case title made safe ("mrs-smith") and the choice
    suggested_name: Callable[[str, bool], str] | None = None

    @property
    def anonymised_by_default(self) -> bool:
        return self.privacy.anonymised_by_default

    def suggest(self, case: Case | None, anonymise: bool) -> str:
        """The file name the save dialog proposes for ``case``."""
        import re

        title = case.display_title if case is not None else ""
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "case"
        if self.suggested_name is not None:
            return self.suggested_name(slug, anonymise)
        return f"{slug}-{self.name}{self.file_type.suffix}"

    def make(self, request: Request) -> Rendered:
        """Render for ``request`` (anonymised as the output is by default unless it says)."""
        return self.render(self._settled(request))

    def make_files(self, request: Request) -> RenderedFiles:
        """Render the folder form for ``request``."""
        assert self.render_folder is not None
        return self.render_folder(self._settled(request))

    def _settled(self, request: Request) -> Request:
        from dataclasses import replace

        if self.privacy is Privacy.IDENTIFIABLE:
            return replace(request, anonymise=False)
        if self.privacy is Privacy.ANONYMISED or request.anonymise is None:
            return replace(request, anonymise=self.anonymised_by_default)
        return request

    def as_folder(self, out: str | os.PathLike[str]) -> bool:
        """Whether ``out`` asks for the folder form (a name not ending in the file's suffix)."""
        return self.render_folder is not None and not os.fspath(out).lower().endswith(self.file_type.suffix)


@dataclass(frozen=True)
class Written:
    """An output written: where, what was rendered (its pages, its event) and its number of files."""

    path: Path
    pages: int | None
    anonymised: bool
    note: str | None = None
    files: int = 1
    #: how many cases it was made from
    cases: int = 1
    #: what the user is warned of, though it was written (Rendered.warnings)
    warnings: tuple[str, ...] = ()


def export(output: Output, database: Database | None, out: str | os.PathLike[str],
           request: Callable[[], Request], *, overwrite: bool,
           exists_advice: str = DEFAULT_EXISTS_ADVICE) -> Written:
    """Write ``output`` to ``out``: checked, rendered from ``request()`` (called once the place is
    known to be good, so a case named wrongly is told after a file named wrongly, as before),
    recorded in the audit trail, then written (db.exports)."""
    from ui.actions import exporting

    if output.as_folder(out):
        place, files = exporting.write_folder(database, out, output.folder_names,
                                              lambda: output.make_files(request()), overwrite=overwrite,
                                              exists_advice=exists_advice)
        event = files.event
        return Written(place, None, event.anonymised if event else False, f"{len(files.files)} CSV files",
                       len(files.files), len(event.case_ids) if event else 1)
    path, rendered = exporting.write(database, out, lambda: output.make(request()), overwrite=overwrite,
                                     exists_advice=exists_advice)
    made = rendered.event
    return Written(path, rendered.pages, made.anonymised if made else False, rendered.note,
                   cases=len(made.case_ids) if made else 1, warnings=rendered.warnings)


# -- the renderers, from a request ----------------------------------------------------------------
def _name_providers(request: Request) -> bool:
    """Whether small providers keep their names in an anonymised output (refused when identifiable:
    an identifiable output names everyone anyway)."""
    named = bool(request.options.get(NAME_PROVIDERS.name))
    if named and not request.anonymise:
        raise ActionError("naming providers is a choice of anonymised exports")
    return named


def _workshop_options(request: Request) -> object:
    from reports.workshop import WorkshopOptions

    return WorkshopOptions(identifiable=not request.anonymise, alias=request.alias,
                           unit_costs=request.unit_costs, name_providers=_name_providers(request))


def _case_file(request: Request) -> Rendered:
    from ui.actions import exporting

    return exporting.case_file(request.case)


def _fhir(request: Request) -> Rendered:
    if request.alias and not request.anonymise:
        raise ActionError("the alias is the pseudonym of an anonymised export: ask for it anonymised")
    from ui.actions import exporting

    return exporting.fhir_bundle(request.case, anonymise=bool(request.anonymise), alias=request.alias,
                                 name_providers=_name_providers(request))


def _summary(request: Request) -> Rendered:
    from ui.actions import exporting

    return exporting.case_summary(request.case, _workshop_options(request), request.analysis)  # type: ignore[arg-type]


def _value_case(request: Request) -> Rendered:
    from ui.actions import exporting

    return exporting.value_case(request.case, _workshop_options(request), request.analysis)  # type: ignore[arg-type]


def _pack(request: Request) -> Rendered:
    from ui.actions import exporting

    return exporting.workshop_pack(request.cases, request.unit_costs, _name_providers(request))


def _care_plan(request: Request) -> Rendered:
    from ui.actions.printing import care_plan_pdf

    if request.draw_plan is None:
        raise ActionError("the care plan cannot be drawn here")
    version = request.options.get("version")
    return care_plan_pdf(request.case, version if isinstance(version, int) else None, request.draw_plan)


def _tables(request: Request) -> Rendered:
    from ui.actions import exporting

    return exporting.tables_workbook(request.case, request.analysis)


def _tables_folder(request: Request) -> RenderedFiles:
    from ui.actions import exporting

    return exporting.tables_csv_files(request.case, request.analysis)


PDF = FileType("PDF files", ".pdf", "FILE.pdf")

#: The choice of anonymised outputs to name small providers (care homes, home-care agencies, GP
#: practices, voluntary groups) instead of showing them by type and letter ("Care home A").
NAME_PROVIDERS = Option("name_providers", "--name-providers",
                        "when anonymised, name care homes, home-care agencies, GP practices and voluntary "
                        "groups (default: by type and letter, e.g. 'Care home A')")

#: Every output, in the File menu's order.
OUTPUTS: tuple[Output, ...] = (
    Output("case-file", "&Export case file…", "export-case", "write a case to a case file",
           FileType("Case files", ".case.json", "FILE", add_suffix=False), Privacy.IDENTIFIABLE, _case_file,
           shortcut="Ctrl+E", noun="case file",
           description="Write a case to a case file (JSON, identifiable), to import elsewhere or keep.",
           suggested_name=lambda slug, _anonymise: f"{slug}.case.json"),
    Output("fhir", "Export &FHIR bundle…", "export-fhir", "write a case as a FHIR R4 bundle (JSON)",
           FileType("FHIR JSON", ".json", "FILE.json", add_suffix=False), Privacy.IDENTIFIABLE_UNLESS_ASKED,
           _fhir, noun="FHIR bundle", options=(NAME_PROVIDERS,),
           description="Write a case as a FHIR R4 bundle (a collection, JSON): identifiable for the care "
                       "team, or anonymised with --anonymised.",
           suggested_name=lambda slug, anonymise: "anonymised-case.fhir.json" if anonymise
           else f"{slug}.fhir.json"),
    Output("tables", "Export &tables (Excel)…", "export-tables",
           "write a case's tables (steps, organisations, team, goals, actions, findings, measures) to an "
           "Excel workbook (FILE.xlsx) or a folder of CSV files (DIR)",
           FileType("Excel workbooks", ".xlsx", "FILE.xlsx|DIR", folder="a folder of CSV files"),
           Privacy.IDENTIFIABLE, _tables, shortcut="Ctrl+Shift+E", noun="tables",
           description="Write a case's tables as the app shows them (steps, organisations, team, the care "
                       "plan's goals and actions, findings and measures): a name ending in .xlsx makes one "
                       "Excel workbook, a sheet each; any other name a folder of CSV files, one each. "
                       "Identifiable: handle as personal data.",
           render_folder=_tables_folder,
           folder_names=("steps.csv", "organisations.csv", "team.csv", "goals.csv", "actions.csv",
                         "findings.csv", "measures.csv"),
           suggested_name=lambda slug, _anonymise: f"{slug}-tables.xlsx"),
    Output("care-plan", "Save care plan as P&DF…", "print-plan",
           "write a case's care plan as a printable PDF (“My care plan”)", PDF, Privacy.IDENTIFIABLE,
           _care_plan, shortcut="Ctrl+Shift+R", noun="care plan", needs_plan=True,
           description="Write a case's care plan as a printable PDF (“My care plan”) for the person, their "
                       "family and every provider: as it is now, or an agreed version.",
           options=(Option("version", "--version", "an agreed version of the plan (default: the plan as "
                                                   "it is now)", "N", number=True),)),
    Output("workshop-summary", "Export &workshop case summary…", "export-pdf",
           "write the regulator-workshop case summary (PDF), anonymised unless --identifiable", PDF,
           Privacy.ANONYMISED_UNLESS_ASKED, _summary, shortcut="Ctrl+Shift+W", noun="workshop case summary",
           options=(NAME_PROVIDERS,),
           description="Write the regulator-workshop case summary (PDF): the pathway, the findings and the "
                       "questions for the regulators; anonymised unless --identifiable."),
    Output("value-case", "Export &value case…", "export-value-case",
           "write the value case (PDF): at most three A4 sides (infrastructure, how it works, impact, what "
           "we ask), anonymised unless --identifiable", PDF, Privacy.ANONYMISED_UNLESS_ASKED, _value_case,
           shortcut="Ctrl+Shift+V", noun="value case", options=(NAME_PROVIDERS,)),
    Output("workshop-pack", "Wor&kshop pack…", "workshop-pack",
           "write the workshop pack (PDF) comparing several cases, all anonymised", PDF, Privacy.ANONYMISED,
           _pack, noun="workshop pack", several_cases=True, options=(NAME_PROVIDERS,)),
)

#: The outputs by name.
BY_NAME: dict[str, Output] = {output.name: output for output in OUTPUTS}


def by_name(name: str) -> Output:
    """The output called ``name`` (KeyError if none), looked up in :data:`OUTPUTS` as it is now."""
    for output in OUTPUTS:
        if output.name == name:
            return output
    raise KeyError(name)


def by_command(command: str) -> Output | None:
    """The output the sub-command ``command`` writes, None if it writes none."""
    return next((output for output in OUTPUTS if output.command == command), None)


def outcome(output: Output, written: Written, shown: str | os.PathLike[str] | None = None) -> str:
    """What the command line prints for an output written (as the user named it, ``shown``):
    "FILE (3 pages, anonymised)"."""
    words = []
    if written.pages is not None:
        words.append(f"{written.pages} page{'s' if written.pages != 1 else ''}")
    if output.several_cases:
        words.append(f"{written.cases} case{'s' if written.cases != 1 else ''}")
    if written.note:
        words.append(written.note)
    if output.privacy.anonymised_by_default:
        words.append("anonymised" if written.anonymised else "IDENTIFIABLE: contains personal data")
    name = os.fspath(shown) if shown is not None else str(written.path)
    return f"{name} ({', '.join(words)})" if words else name
