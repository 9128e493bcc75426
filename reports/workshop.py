"""The regulator-workshop case summary: one case as a PDF an integration lead hands out.

``write_case_summary(case, target, options)`` writes it; anonymised unless
``options.identifiable`` is set (see :mod:`planner.anonymise` for what that removes). The
contents, in order: a cover (title, area, date prepared, anonymised or identifiable); her story,
told from the timeline (:mod:`planner.story`); the pathway map in the app's visual language
(:mod:`reports.map_drawing`), cut into windows of time when it is long; the organisations and
their regulators (unit assessed, cycle, payment model); the team by role and the coordinator
history; the care plan in summary; the measures; every finding with its evidence, steps,
organisations, regulators, the team's annotation and the workshop question; the discussion
questions; and an appendix with the timeline and the handoffs.

Findings and measures are worked out on the case as it is (removing the NHS number would make a
rule fire); what is shown of them goes through the same redaction as the rest.
:class:`CaseView` is that shown version of a case, shared with the workshop pack.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from planner import describe
from planner.analysis import Analysis, analyse
from planner.anonymise import Anonymised, age_band, anonymise, first_day, last_day, relative_day
from planner.dates import format_day
from planner.measures import Measures
from planner.model import Case, Member, Moment, Step, moment_date
from planner.reference import label, payment_model_of, regulator, regulators_of
from planner.rules.catalogue import rule as rule_info
from planner.rules.catalogue import severity_label, severity_style
from planner.rules.context import CaseContext
from planner.story import Teller, tell
from reports import pdfkit, textflow
from reports.pdfkit import esc, rich

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from planner.key_findings import RuleGroup
    from planner.rules import Finding
    from planner.unit_costs import LocalUnitCosts

KIND = "Regulation workshop case summary"
#: Steps named in a finding's list before "and N more".
LISTED_STEPS = 12


@dataclass
class WorkshopOptions:
    """How a case summary is made: anonymised (the default) or identifiable."""

    identifiable: bool = False
    #: What the person is called when anonymised ("Mrs S" from her record when not set).
    alias: str | None = None
    prepared_on: date | None = None
    #: The areas' own unit costs (the settings in the database); None: the national defaults only.
    unit_costs: LocalUnitCosts | None = None
    #: When anonymised: name small providers (care homes, agencies, GP practices) instead of
    #: showing them by type and letter ("Care home A").
    name_providers: bool = False


@dataclass
class ExportSummary:
    """What was written, for the caller to report (and, later, to record in the audit trail)."""

    path: str
    pages: int
    identifiable: bool
    title: str
    case_ids: list[int | None]
    sections: list[str] = field(default_factory=list)


# -- the shown version of a case -------------------------------------------------------------------
class CaseView:
    """What a workshop document shows of a case: the case itself when identifiable, else its
    anonymised copy, with the findings and measures of the original worded to match."""

    def __init__(self, case: Case, options: WorkshopOptions | None = None,
                 analysis: Analysis | None = None, step_labels: bool = True) -> None:
        """``step_labels`` False: a document that names few of the steps (the value case) has
        each label of the anonymised copy redacted only when shown (:meth:`label`)."""
        self.options = options or WorkshopOptions()
        self.original = case
        self.analysis = analysis or analyse(case)
        self.identifiable = self.options.identifiable
        self.anonymised: Anonymised | None = None
        person = case.person
        start = first_day(case)
        if self.identifiable:
            self.case = case
            self.name = person.name
            years = person.age_on(start) if start else None
            self.age = "" if years is None else str(years)
            self._text: Callable[[str], str] = lambda text: text
        else:
            self.anonymised = anonymise(case, self.options.alias, self.options.name_providers, step_labels)
            self.case = self.anonymised.case
            self.name = self.case.person.name
            self.age = age_band(person.age_on(start or date.today()))
            self._text = self.anonymised.redact.text
        self.day_zero = first_day(self.case)
        self.last_day = last_day(self.case)
        self._original_zero = start
        ordered = case.ordered_steps()
        self.numbers = {s.id: n for n, s in enumerate(ordered, start=1)}
        shown = self.case.ordered_steps()
        self._steps = {s.id: shown[n - 1] for s, n in zip(ordered, range(1, len(ordered) + 1), strict=True)}
        self._orgs = {o.id: shown_org for o, shown_org in zip(case.organisations, self.case.organisations,
                                                              strict=True)}

    # -- words ----------------------------------------------------------------------------------
    @property
    def title(self) -> str:
        return self.case.display_title

    def text(self, text: str | None) -> str:
        """Text worked out on the original case (evidence, comments), as this view shows it."""
        return self._text(text) if text else ""

    def when(self, value: Moment | None, time: bool = False) -> str:
        """A date as shown: "day 12" when anonymised, "3 Feb 2024" otherwise (with the time if
        asked and known)."""
        if value is None:
            return ""
        if self.identifiable:
            return format_day(value) if time else format_day(moment_date(value))
        text = relative_day(value, self.day_zero or moment_date(value))
        if time and isinstance(value, datetime):
            text += f", {value.hour:02d}:{value.minute:02d}"
        return text

    def when_original(self, value: Moment | None) -> str:
        """A date of the original case (the measures'), shown as :meth:`when` shows the copy's."""
        if value is None:
            return ""
        if self.identifiable:
            return format_day(moment_date(value))
        return relative_day(value, self._original_zero or moment_date(value))

    def words(self, template: str) -> str:
        return describe.words(template, self.case.person)

    # -- references of the original -------------------------------------------------------------
    def step(self, original_id: str) -> Step | None:
        return self._steps.get(original_id)

    def original_id(self, shown_id: str) -> str:
        """The id in the original case of a step of the shown one."""
        return self._original_ids.get(shown_id, shown_id)

    @cached_property
    def _original_ids(self) -> dict[str, str]:
        return {step.id: original_id for original_id, step in self._steps.items()}

    @cached_property
    def context(self) -> CaseContext:
        """The shown case's context (its steps in order, admissions, readmissions, handoffs), built
        once for the document: her story, the value case and the appendix all read it."""
        return CaseContext(self.case)

    def shown_step_id(self, original_id: str) -> str:
        step = self._steps.get(original_id)
        return step.id if step else original_id

    def org_name(self, original_id: str) -> str:
        org = self._orgs.get(original_id)
        return org.name if org else self.text(original_id)

    def label(self, step: Step) -> str | None:
        """The label of a step of the shown case, as shown."""
        return self.anonymised.step_label(step) if self.anonymised is not None else step.label

    def step_words(self, original_id: str) -> str:
        """"8 “Emergency admission: fractured neck of femur” (day 110)"."""
        step = self._steps.get(original_id)
        number = self.numbers.get(original_id)
        if step is None or number is None:
            return "a step no longer on the timeline"
        shown = self.label(step)
        what = f"“{shown}”" if shown else label("kind", step.kind).lower()
        return f"{number} {what} ({self.when(step.start)})"

    def member_words(self, member: Member | None) -> str:
        """A team member as shown: "district nurse, Torbay Community Health Services", with the
        name first when identifiable."""
        if member is None:
            return "a team member no longer listed"
        org = self.case.organisation(member.organisation) if member.organisation else None
        who = describe.role(member)
        who = who[:1].upper() + who[1:]
        if self.identifiable:
            who = f"{member.name}, {describe.role(member)}"
        return f"{who}, {org.name}" if org else who

    # -- findings ---------------------------------------------------------------------------------
    @property
    def findings(self) -> list[Finding]:
        return self.analysis.report.findings

    def active(self) -> list[Finding]:
        return self.analysis.report.active()

    def counts(self) -> dict[str, int]:
        return self.analysis.report.counts()

    def questions(self) -> list[tuple[str, list[str], int]]:
        """(question, rules asking it, occurrences) for the rules with findings not set aside:
        one question a rule, in the key findings' order (DOMAIN.md section 3a), so that the key
        findings' questions come first; rules that happen to ask the same words are one question."""
        asked: dict[str, tuple[list[str], int]] = {}
        for group in self.ranked_groups():
            rules, count = asked.get(group.question, ([], 0))
            asked[group.question] = ([*rules, group.rule], count + len(group.active))
        return [(question, rules, count) for question, (rules, count) in asked.items()]

    def ranked_groups(self) -> list[RuleGroup]:
        """The rules with findings not set aside, ranked: the key findings first."""
        return [group for group in self.analysis.key.groups if group.active]

    def period(self) -> str:
        if self.day_zero is None or self.last_day is None:
            return "No steps recorded"
        days = (self.last_day - self.day_zero).days
        months = days / 30.44
        length = f"{days} days" if days < 62 else f"{days} days, about {round(months)} months"
        return f"{self.when(self.day_zero)} to {self.when(self.last_day)} ({length})"


# -- the document ------------------------------------------------------------------------------------
def write_case_summary(case: Case, target: str | Path | IO[bytes], options: WorkshopOptions | None = None,
                       analysis: Analysis | None = None) -> ExportSummary:
    """Write the workshop case summary of ``case`` to ``target`` (a path or a binary file)."""
    view = CaseView(case, options, analysis)
    story, sections = case_story(view)
    info = pdfkit.DocumentInfo(title=view.title, kind=KIND, identifiable=view.identifiable,
                               prepared_on=view.options.prepared_on or date.today())
    pages = pdfkit.build(target, story, info)
    return ExportSummary(str(target) if isinstance(target, str | Path) else "", pages, view.identifiable,
                         view.title, [case.id], sections)


def case_story(view: CaseView) -> tuple[list[Flowable], list[str]]:
    """The flowables of the whole summary, and the titles of its sections in order."""
    from reportlab.platypus import CondPageBreak, NextPageTemplate, PageBreak

    story: list[Flowable] = []
    sections: list[str] = []
    #: A section starts on the page the last one ended on when this much of the page is left.
    room = pdfkit.frame_size()[1] * 0.3

    def section(title: str, parts: list[Flowable], new_page: bool = False, follows: bool = False,
                laid_out: bool = False) -> None:
        """``laid_out``: parts whose pages are worked out elsewhere (the value case, the map)."""
        sections.append(title)
        if new_page and story:
            story.append(PageBreak())
        elif follows:
            story.append(CondPageBreak(room))
        story.extend(parts if laid_out else pdfkit.keep_headings(parts))

    from reports.value_case import fitted

    executive, _parts, _pdf, _pages = fitted(view, in_summary=True)  # the three sides first
    section("Executive summary: the value case", executive, laid_out=True)
    section("Cover", cover(view), new_page=True)
    section(view.words("{Their} story"), her_story(view), new_page=True)
    story.extend([NextPageTemplate("landscape"), PageBreak()])
    section("Pathway map", pathway_map(view), laid_out=True)
    story.extend([NextPageTemplate("portrait"), PageBreak()])
    section("Organisations and regulators", organisations(view))
    section("Team and care coordinator", team(view))
    section("Care plan", care_plan(view))
    section("Measures", measures(view))
    section("Findings", findings(view), follows=True)
    section("Discussion questions", questions(view), follows=True)
    section("Appendix: timeline", appendix(view), follows=True)
    return story, sections


def _width() -> float:
    return pdfkit.frame_size()[0]


def _cols(*shares: float) -> list[float]:
    """Column widths as shares of the portrait frame's width."""
    width = _width()
    return [width * share for share in shares]


def cover(view: CaseView) -> list[Flowable]:
    from reportlab.platypus import Spacer

    s = pdfkit.styles()
    person = view.case.person
    width = _width()
    parts: list[Flowable] = [Spacer(1, 30), pdfkit.para(KIND, s.subtitle), pdfkit.para(view.title, s.title)]
    facts: list[tuple[str, str]] = [("Person", view.name)]
    if view.age:
        facts.append(("Age" if view.identifiable else "Age band", view.age))
    if view.identifiable:
        if person.nhs_number:
            facts.append(("NHS number", describe.nhs_number(person)))
        if person.date_of_birth:
            facts.append(("Date of birth", format_day(person.date_of_birth)))
        if person.postcode:
            facts.append(("Postcode", person.postcode))
    facts.append(("Area", person.area or "Not recorded"))
    if person.living_situation:
        facts.append(("Living situation", label("living_situation", person.living_situation)))
    facts.append(("Frailty", describe.frailty(person) or "Not recorded"))
    facts.append(("Period covered", view.period()))
    ctx_orgs = {s.organisation for s in view.case.steps}
    regs = {code for org in view.case.organisations if org.id in ctx_orgs for code in regulators_of(org)}
    facts.append(("Pathway", f"{len(view.case.steps)} steps with {len(ctx_orgs)} organisations, "
                             f"overseen by {len(regs)} regulators"))
    member, period = describe.coordinator(view.case)
    if member is not None and period is not None:
        since = view.when(period.start)
        facts.append(("Care coordinator now", f"{view.member_words(member)} (since {since})"))
    else:
        facts.append(("Care coordinator now", "None named"))
    facts.append(("Date prepared", format_day(view.options.prepared_on or date.today())))
    rows = [[pdfkit.para(name, s.cell_bold), pdfkit.para(value, s.cell)] for name, value in facts]
    counts = view.counts()
    rows.append([pdfkit.para("Findings", s.cell_bold), pdfkit.para(
        f"{view.analysis.key.in_words()}, the key findings first; by severity:", s.cell)])
    rows.append(["", _severity_counts(counts)])
    parts.append(pdfkit.table(rows, _cols(0.28, 0.72), header=False, zebra=False))
    parts.append(Spacer(1, 16))
    parts.append(_marking(view, width))
    parts.append(Spacer(1, 14))
    parts.append(pdfkit.para("Contents", s.h2))
    contents = [view.words("{Their} story: the journey told from the timeline"),
                "The pathway map: every step, handoff and delay, by sector, with the findings marked",
                "The organisations on the pathway, their regulators and how each is paid",
                "The team by role, and who coordinated " + view.words("{their} care"),
                "The shared care plan in summary", "Measures computed from the timeline",
                "The findings by rule, the key findings first: each rule's question, then the evidence of "
                "each occurrence and who is involved",
                "The questions for the workshop, one for each rule",
                "Appendix: the timeline and the handoffs"]
    for entry in contents:
        parts.append(pdfkit.markup(esc(entry), s.bullet))
        parts[-1].bulletText = "•"
    return parts


def _severity_counts(counts: dict[str, int]) -> Flowable:
    """"▲ 29 high  ◆ 18 medium  ● 2 low" with the marks drawn (shape and colour)."""
    from reportlab.graphics.shapes import Drawing, String

    face = pdfkit.fonts()
    drawing = Drawing(300, 11)
    x = 0.0
    for severity, count in counts.items():
        colour, shape = severity_style(severity)
        drawing.add(pdfkit.severity_shape(shape, x, 1, 8, colour))
        text = f"{count} {severity_label(severity).lower()}"
        drawing.add(String(x + 11, 2, text, fontName=face.regular, fontSize=8.5))
        x += 11 + pdfkit._width(text, face.regular, 8.5) + 14
    return drawing


def _marking(view: CaseView, width: float) -> Flowable:
    s = pdfkit.styles()
    if view.identifiable:
        lines = [pdfkit.para("IDENTIFIABLE: this summary contains personal data.", s.warning),
                 pdfkit.para(view.words(
                     "It names {them} and the members of {their} team and gives {their} NHS number, date "
                     "of birth, postcode, real dates and the team's notes. Share it only with people "
                     "entitled to see {their} records, keep it secure, and destroy it after use."), s.small)]
        return pdfkit.boxed(lines, width, pdfkit.WARNING_FILL, pdfkit.WARNING_LINE, left_rule=False)
    lines = [pdfkit.para("Anonymised for the regulation workshop", s.question),
             pdfkit.para(view.words(
                 "{They} {is} called ") + view.name + view.words(
                 " here. {Their} name, NHS number, date of birth (an age band instead), postcode and address "
                 "are left out; dates are counted in days from the first step (day 0); the team appears by "
                 "role only; free-text notes are left out, and any name inside the text that remains is "
                 "replaced."), s.small)]
    return pdfkit.boxed(lines, width)


def her_story(view: CaseView) -> list[Flowable]:
    s = pdfkit.styles()
    teller = Teller(when=lambda m: view.when(m), name=view.name, age=view.age,
                    names_members=view.identifiable, label=view.label)
    paragraphs = tell(view.case, teller, view.counts(), view.context)
    parts: list[Flowable] = [pdfkit.heading(view.words("{Their} story"), s.h1)]
    for text in paragraphs:
        parts.append(pdfkit.para(text, s.body))
    return parts


def pathway_map(view: CaseView) -> list[Flowable]:
    """The map on its own landscape pages: the whole pathway on one when it reads at 7 points or
    more, else an overview and then one page per period."""
    from reportlab.platypus import PageBreak

    from reports.map_drawing import PathwayMap
    from reports.map_drawing_overview import overview

    s = pdfkit.styles()
    numbers = {view.shown_step_id(step_id): n for step_id, n in view.numbers.items()}
    drawn = PathwayMap(view.case, [f for f in view.findings if not f.set_aside], numbers,
                       relative=not view.identifiable, step_id=view.shown_step_id)
    width, height = pdfkit.frame_size(landscape=True)
    intro = ("Lanes are sectors (organisations, regulators and payment on the left); time runs left to "
             "right; numbers are the steps of the timeline (appendix).")
    pages = drawn.pages(width, height - 44, height - 30)
    parts: list[Flowable] = [pdfkit.heading("Pathway map", s.h1)]
    if len(pages) == 1:
        parts.append(pdfkit.para(intro, s.small))
        parts.append(drawn.page_flowable(pages[0], height - 44))
        return parts
    chosen = [page.period for page in pages]
    parts.append(pdfkit.para(
        intro + f" The pathway has {drawn.steps} steps, so it is shown here as a whole and then in "
        f"{len(pages)} parts, one to a page.", s.small))
    parts.append(overview(drawn, width, chosen, height=height - 60))
    for number, page in enumerate(pages, start=1):
        period = page.period
        parts.append(PageBreak())
        parts.append(pdfkit.heading(f"Pathway map, part {number} of {len(pages)}: steps {period.first} to "
                                    f"{period.last}, {drawn.period_text(period)}", s.h2, level=1))
        parts.append(drawn.page_flowable(page, height - 30))
    return parts


def organisations(view: CaseView) -> list[Flowable]:
    s = pdfkit.styles()
    case = view.case
    on_pathway = Counter(step.organisation for step in case.steps)
    parts: list[Flowable] = [pdfkit.heading("Organisations and their regulators", s.h1)]
    parts.append(pdfkit.para(view.words(
        "Every organisation in {their} case, the regulators that oversee it and how it is paid. Each "
        "regulator sees only its own piece: the unit it assesses and its cycle are in the second table."),
        s.intro))
    rows = [pdfkit.header_cells("Organisation", "Sector", "Regulators", "Payment model", "Steps")]
    for org in case.organisations:
        rating = org.oversight.cqc_rating if org.oversight else None
        notes = []
        if rating:
            notes.append(f"CQC rating: {label('cqc_rating', rating)}")
        if org.oversight and org.oversight.financial_recovery:
            notes.append("in financial recovery")
        if org.oversight and org.oversight.system_level_assessment:
            notes.append("assessed at system level")
        if org.funding_term:
            notes.append(label("funding_term", org.funding_term))
        name = rich("<b>{}</b>", org.name) + (rich("<br/><font size=7>{}</font>", "; ".join(notes))
                                              if notes else "")
        rows.append([pdfkit.markup(name, s.cell), pdfkit.para(label("sector", org.sector), s.cell),
                     pdfkit.para(describe.regulators(org) if regulators_of(org) else "No regulator", s.cell),
                     pdfkit.para(label("payment_model", payment_model_of(org)) or "Not recorded", s.cell),
                     str(on_pathway.get(org.id, 0))])
    parts.append(pdfkit.table(rows, _cols(0.30, 0.17, 0.19, 0.25, 0.09)))
    codes = list(dict.fromkeys(code for org in case.organisations for code in regulators_of(org)))
    if codes:
        parts.append(pdfkit.para("What each regulator assesses", s.h2))
        rows = [pdfkit.header_cells("Regulator", "What it assesses", "Unit assessed", "Cycle",
                                    "Oversees here")]
        for code in codes:
            entry = regulator(code)
            overseen = [org.name for org in case.organisations if code in regulators_of(org)]
            rows.append([pdfkit.para(label("regulator", code), s.cell_bold),
                         pdfkit.para(entry["assesses"], s.cell),
                         pdfkit.para(entry["unit_label"], s.cell), pdfkit.para(entry["cycle"], s.cell),
                         pdfkit.para(_some(overseen), s.cell)])
        parts.append(pdfkit.table(rows, _cols(0.14, 0.32, 0.16, 0.17, 0.21)))
    return parts


#: Names listed in one table cell before the rest are counted ("… and 1,990 more"): a regulator
#: of 2,000 organisations would otherwise fill a hundred pages with one narrow column.
CELL_NAMES = 12


def _some(names: list[str]) -> str:
    if len(names) <= CELL_NAMES:
        return ", ".join(names)
    return (", ".join(names[:CELL_NAMES - 2]) + f" and {len(names) - CELL_NAMES + 2:,} more "
            "(see the table above)")


def team(view: CaseView) -> list[Flowable]:
    s = pdfkit.styles()
    width = _width()
    case = view.case
    parts: list[Flowable] = [pdfkit.heading("The team and the care coordinator", s.h1)]
    if not case.team:
        parts.append(pdfkit.para("No team members are recorded.", s.body))
    else:
        coordinators = {c.member for c in case.coordinator}
        if view.identifiable:
            rows = [pdfkit.header_cells("Name", "Role", "Organisation", "Register", "Contact")]
            widths = _cols(0.2, 0.18, 0.27, 0.12, 0.23)
        else:
            rows = [pdfkit.header_cells("Role", "Organisation", "Professional register", "Coordinator")]
            widths = _cols(0.26, 0.40, 0.2, 0.14)
        for member in case.team:
            org = case.organisation(member.organisation) if member.organisation else None
            register = label("professional_register", member.professional_register) or "Not recorded"
            role = label("role", member.role)
            org_name = org.name if org else "No organisation"
            if view.identifiable:
                rows.append([pdfkit.para(member.name, s.cell_bold), pdfkit.para(role, s.cell),
                             pdfkit.para(org_name, s.cell), pdfkit.para(register, s.cell),
                             pdfkit.para(member.contact or "", s.cell)])
            else:
                rows.append([pdfkit.para(role, s.cell_bold), pdfkit.para(org_name, s.cell),
                             pdfkit.para(register, s.cell), "Yes" if member.id in coordinators else ""])
        parts.append(pdfkit.table(rows, widths))
    parts.append(pdfkit.para("Who coordinated " + view.words("{their} care"), s.h2))
    periods = sorted(case.coordinator, key=lambda c: c.start)
    if not periods:
        parts.append(pdfkit.boxed([pdfkit.para(view.words(
            "No care coordinator: nobody is named to coordinate {their} care."), s.warning)], width,
            pdfkit.WARNING_FILL, pdfkit.WARNING_LINE))
        return parts
    rows = [pdfkit.header_cells("From", "To", "Care coordinator", "Why it changed")]
    for period in periods:
        rows.append([view.when(period.start), view.when(period.end) if period.end else "Now",
                     pdfkit.para(view.member_words(case.member(period.member)), s.cell),
                     pdfkit.para(period.reason or "Not recorded", s.cell)])
    parts.append(pdfkit.table(rows, _cols(0.13, 0.13, 0.32, 0.42)))
    if case.current_coordinator() is None:
        parts.append(pdfkit.para("Nobody holds the role now.", s.warning))
    return parts


def care_plan(view: CaseView) -> list[Flowable]:
    s = pdfkit.styles()
    case = view.case
    plan = case.care_plan
    parts: list[Flowable] = [pdfkit.heading("The shared care plan", s.h1)]
    if plan is None or not (plan.goals or plan.actions or plan.contingency):
        parts.append(pdfkit.para(view.words("There is no shared care plan for {them}."), s.body))
        return parts
    facts = []
    if plan.version:
        facts.append(f"Version {plan.version}")
    facts.append(f"agreed on {view.when(plan.agreed_on)}" if plan.agreed_on else "not yet agreed")
    if plan.review_on:
        facts.append(f"review due on {view.when(plan.review_on)}")
    signed = [case.member(m) for m in plan.signed_off_by]
    if signed:
        names = [(m.name if view.identifiable else describe.role(m)) if m else "a former member"
                 for m in signed]
        facts.append("signed off by " + ", ".join(names))
    parts.append(pdfkit.para("; ".join(facts)[:1].upper() + "; ".join(facts)[1:] + ".", s.body))
    if plan.goals:
        parts.append(pdfkit.para(view.words("Goals, in {their} words"), s.h2))
        rows = [pdfkit.header_cells("Goal", view.words("In {their} words"), "Outcome", "Target", "Status")]
        for number, goal in enumerate(plan.goals, start=1):
            rows.append([str(number), pdfkit.para(f"“{goal.in_my_words}”", s.cell),
                         pdfkit.para(goal.outcome or "", s.cell), view.when(goal.target_date),
                         pdfkit.para(label("goal_status", goal.status), s.cell)])
        parts.append(pdfkit.table(rows, _cols(0.07, 0.33, 0.32, 0.13, 0.15)))
    if plan.actions:
        parts.append(pdfkit.para("Actions", s.h2))
        goal_numbers = {g.id: n for n, g in enumerate(plan.goals, start=1)}
        rows = [pdfkit.header_cells("Action", "Goal", "Owner", "Due or how often", "Status")]
        for action in plan.actions:
            owner = _owner(view, action.owner)
            when = ", ".join(x for x in (view.when(action.due), action.frequency or "") if x)
            rows.append([pdfkit.para(action.description, s.cell),
                         str(goal_numbers.get(action.goal, "")) if action.goal else "",
                         pdfkit.para(owner, s.cell_bold if action.owner is None else s.cell),
                         pdfkit.para(when, s.cell),
                         pdfkit.para(label("action_status", action.status), s.cell)])
        parts.append(pdfkit.table(rows, _cols(0.38, 0.07, 0.25, 0.17, 0.13)))
    if plan.contingency:
        parts.append(pdfkit.para("Contingency plan: “if I become unwell”", s.h2))
        parts.append(pdfkit.para(plan.contingency, s.quote))
    return parts


def _owner(view: CaseView, owner_id: str | None) -> str:
    if owner_id is None:
        return "No owner"
    case = view.case
    member = case.member(owner_id)
    if member is not None:
        return view.member_words(member)
    org = case.organisation(owner_id)
    return org.name if org else "An owner no longer in the case"


def measures(view: CaseView) -> list[Flowable]:
    s = pdfkit.styles()
    measured = view.analysis.measures
    parts: list[Flowable] = [pdfkit.heading("Measures", s.h1)]
    parts.append(pdfkit.para("Computed from the timeline, with the same definitions as the findings.",
                             s.intro))
    rows = [pdfkit.header_cells("Measure", "Value")]
    rows += [[pdfkit.para(name, s.cell_bold), pdfkit.para(value, s.cell)]
             for name, value in measure_rows(measured)]
    parts.append(pdfkit.table(rows, _cols(0.35, 0.65)))
    if measured.admissions:
        parts.append(pdfkit.para("Hospital stays", s.h2))
        looks = textflow.LOOKS
        stays: list[list[Any]] = []
        for stay in measured.admissions:
            admitted = [textflow.Run(view.when_original(stay.start), looks.cell)]
            if stay.emergency:
                admitted.append(textflow.Run("emergency", looks.cell_muted))
            stays.append([str(view.numbers.get(stay.step, "")),
                          [textflow.Run(view.org_name(stay.organisation), looks.cell)], admitted,
                         view.when_original(stay.end) if stay.end else "Still there",
                         "" if stay.length_of_stay is None else f"{stay.length_of_stay} days",
                         str(stay.delayed_days) if stay.delayed_days else "",
                         label("delay_attribution", stay.delay_attribution)])
        header = ["Step", "Where", "Admitted", "Left", "Length of stay", "Delayed days", "Counted against"]
        parts.append(textflow.grid(header, _cols(0.07, 0.25, 0.15, 0.12, 0.13, 0.11, 0.17), stays))
    return parts


#: Lists of values longer than this are summed up instead (a long case has hundreds of stays).
LISTED_VALUES = 8


def measure_rows(measured: Measures) -> list[tuple[str, str]]:
    """The measures in plain words, as :meth:`Measures.rows` gives them, but with a long list of
    stays or of reablement outcomes summed up."""
    rows = measured.rows()
    stays = [a.length_of_stay for a in measured.admissions if a.length_of_stay is not None]
    if len(stays) > LISTED_VALUES:
        ordered = sorted(stays)
        middle = ordered[len(ordered) // 2]
        summed = (f"{len(stays)} completed stays: {sum(stays):,} days in all; median {middle}, "
                  f"longest {ordered[-1]} days")
        rows = [(name, summed if name == "Length of stay" else value) for name, value in rows]
    outcomes = measured.reablement
    if len(outcomes) > LISTED_VALUES:
        words = {True: "at home", False: "not at home", None: "not yet known"}
        known = Counter(words[r.at_home_after_91_days] for r in outcomes)
        missing = sum(1 for r in outcomes if not r.in_official_figure)
        summed = ", ".join(f"{count} {outcome}" for outcome, count in known.most_common())
        if missing:
            summed += f" ({missing} self-funded: missing from the official figure)"
        reablement = "At home 91 days after reablement"
        rows = [(name, summed if name == reablement else value) for name, value in rows]
    return rows


def findings(view: CaseView) -> list[Flowable]:
    from reportlab.platypus import KeepTogether

    s = pdfkit.styles()
    width = _width()
    report = view.analysis.report
    groups = view.ranked_groups()
    active = [finding for group in groups for finding in group.active]
    parts: list[Flowable] = [pdfkit.heading("Findings", s.h1)]
    if not report.findings:
        parts.append(pdfkit.para(view.words("The rules found nothing in {their} pathway that regulation, "
                                            "payment or measurement worked against."), s.body))
    else:
        counts = view.counts()
        split = ", ".join(f"{n} {severity_label(sev).lower()}" for sev, n in counts.items() if n)
        set_aside = len(report.findings) - len(active)
        key = sum(1 for group in groups if group.key_rank is not None)
        order = (f"the {key} key finding{'s' if key != 1 else ''} first, then the other rules by rank"
                 if key else "by rank")
        undiscussed = sum(1 for finding in active if finding.annotation is None)
        if not active:
            discussed = ""
        elif undiscussed == len(active):
            discussed = " The team has not yet discussed any of them."
        elif undiscussed:
            discussed = (" The team's view is given where it has discussed a finding; the other "
                         f"{undiscussed} have not yet been discussed.")
        else:
            discussed = " The team's view is given with each."
        _key, rules, occurrences = view.analysis.key.counts()
        parts.append(pdfkit.para(
            f"The rules found {occurrences} occurrence{'s' if occurrences != 1 else ''} of {rules} "
            f"rule{'s' if rules != 1 else ''} ({split}), grouped by rule: {order}. "
            "Each rule's question for the workshop is given once, then each occurrence: the evidence in "
            "plain words, the steps (numbered as in the timeline), and the organisations and regulators "
            "involved." + discussed
            + (f" {set_aside} set aside by the team follow at the end." if set_aside else ""), s.intro))
    for group in groups:
        parts.extend(_rule_group(view, group, width))
    aside = [f for f in report.findings if f.set_aside]
    if aside:
        parts.append(pdfkit.heading("Set aside by the team", s.h2, level=1))
        parts.append(pdfkit.para("The team looked at these and set them aside, with the reason given; they "
                                 "are listed so that nothing disappears from the record.", s.intro))
        for finding in aside:
            parts.append(KeepTogether(_finding_block(view, finding, f"{finding.rule} {finding.title}")))
    if report.orphaned:
        parts.append(pdfkit.heading("Annotations whose finding no longer fires", s.h2, level=1))
        for note in report.orphaned:
            steps = ", ".join(str(view.numbers.get(s_id, "?")) for s_id in note.steps)
            steps = steps or "the case as a whole"
            text = f"{note.rule} on steps {steps}: {label('annotation_status', note.status)}"
            if note.comment:
                text += f": {view.text(note.comment)}"
            parts.append(pdfkit.para(text, s.small))
    return parts


def _rule_group(view: CaseView, group: RuleGroup, width: float) -> list[Flowable]:
    """A rule that fired: its title, severity and question once, then its occurrences; the
    heading is never left at the foot of a page without the first occurrence under it."""
    from reportlab.platypus import KeepTogether, Table, TableStyle

    s = pdfkit.styles()
    members = group.active
    rule_id = group.rule
    info = rule_info(rule_id)
    count = len(members)
    key = f"Key finding {group.key_rank} · " if group.key_rank is not None else ""
    title = Table([[pdfkit.severity_badge(group.severity, 10),
                    pdfkit.markup(rich("{} · {}", rule_id, members[0].title), s.h2)]],
                  colWidths=[16, width - 16], hAlign="LEFT",
                  style=TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), *_NO_PADDING,
                                    ("TOPPADDING", (0, 0), (-1, -1), 8)]))
    title._outline = (f"{rule_id} {members[0].title}", 1)
    explains = pdfkit.markup(rich("<b>{}{} severity · {} occurrence{}.</b> What the rule looks for: {}", key,
                                  severity_label(group.severity), count, "s" if count != 1 else "",
                                  view.words(info.explains)), s.muted)
    asked = pdfkit.markup(rich("Question for the workshop: {}", members[0].question), s.question)
    question = pdfkit.boxed([asked], width)
    blocks = [_finding_block(view, finding, f"{rule_id}.{number}" if count > 1 else rule_id)
              for number, finding in enumerate(members, start=1)]
    return [KeepTogether([title, explains, question, *blocks[0]]),
            *(part for block in blocks[1:] for part in block)]


_NO_PADDING = [(side, (0, 0), (-1, -1), 0) for side in ("LEFTPADDING", "RIGHTPADDING", "BOTTOMPADDING")]


def _finding_block(view: CaseView, finding: Finding, heading: str) -> list[Flowable]:
    """One finding: its evidence, then the steps, organisations and regulators it involves and
    the team's view when it has one, as plain text (a long case has hundreds)."""
    looks = textflow.LOOKS
    steps = [view.step_words(step_id) for step_id in finding.steps[:LISTED_STEPS]]
    if len(finding.steps) > LISTED_STEPS:
        steps.append(f"and {len(finding.steps) - LISTED_STEPS} more")
    details = [("Steps", "; ".join(steps) or "the case as a whole"),
               ("Organisations", ", ".join(view.org_name(o) for o in finding.organisations) or "none named"),
               ("Regulators", ", ".join(label("regulator", r) for r in finding.regulators) or "no regulator")]
    note = finding.annotation
    if note is not None:  # "not yet discussed" is said once, above the findings
        words = label("annotation_status", note.status)
        if note.comment:
            words += f": {view.text(note.comment)}"
        details.append(("Team's view", words))
    if finding.set_aside:
        details.append(("Question", finding.question))
    runs = [textflow.Run(view.text(finding.evidence), looks.body, lead=heading, lead_look=looks.lead,
                         space_after=1.5)]
    runs += [textflow.Run(value, looks.detail, lead=f"{name}:", lead_look=looks.detail_lead, indent=12)
             for name, value in details]
    runs[-1] = textflow.Run(runs[-1].text, runs[-1].look, runs[-1].lead, runs[-1].lead_look, 12, 9.0)
    return [textflow.block(runs)]


def questions(view: CaseView) -> list[Flowable]:
    s = pdfkit.styles()
    parts: list[Flowable] = [pdfkit.heading("Questions for the workshop", s.h1)]
    asked = view.questions()
    if not asked:
        parts.append(pdfkit.para("No findings, so no questions are raised by this case.", s.body))
        return parts
    titles = {finding.rule: finding.title for finding in view.findings}
    key = view.analysis.key
    parts.append(pdfkit.para("One question for each rule that found a misalignment in this case, in the "
                             "order of the findings: the key findings' questions first.", s.intro))
    for number, (question, rules, count) in enumerate(asked, start=1):
        raised_by = ", ".join(f"{r} {titles[r]}" for r in rules)
        ranks = [group.key_rank for group in (key.group(r) for r in rules)
                 if group is not None and group.key_rank is not None]
        plural = "s" if count != 1 else ""
        which = f"key finding {ranks[0]}; " if ranks else ""
        paragraph = pdfkit.markup(rich("<b>{}</b><br/><font size=8 color='#5f6368'>Raised by {} ({}{} "
                                       "occurrence{})</font>", question, raised_by, which, count, plural),
                                  s.bullet)
        paragraph.bulletText = f"{number}."
        parts.append(paragraph)
    return parts


def appendix(view: CaseView) -> list[Flowable]:
    s = pdfkit.styles()
    width = _width()
    case = view.case
    ctx_steps = case.ordered_steps()
    parts: list[Flowable] = [pdfkit.heading("Appendix: the timeline", s.h1)]
    note = ("Every step in order, numbered as on the map and in the findings."
            + ("" if view.identifiable else " Dates are days from the first step; notes are left out."))
    parts.append(pdfkit.para(note, s.intro))
    looks = textflow.LOOKS
    rows: list[list[Any]] = []
    for number, step in enumerate(ctx_steps, start=1):
        org = case.organisation(step.organisation)
        kind = label("kind", step.kind) + (", emergency" if step.emergency else "")
        extra = [kind]
        if step.setting:
            extra.append(label("setting", step.setting))
        delay = describe.delay(step)
        if delay:
            extra.append(delay)
        if step.chc_status:
            extra.append("Continuing Healthcare: " + label("chc_status", step.chc_status).lower())
        what = [textflow.Run(step.label or label("kind", step.kind), looks.cell_bold),
                textflow.Run("; ".join(extra), looks.cell_muted)]
        if view.identifiable and step.notes:
            what.append(textflow.Run(f"Note: {step.notes}", looks.cell_italic))
        length = describe.duration(step)
        when = [textflow.Run(view.when(step.start, time=True), looks.cell)]
        if length:
            when.append(textflow.Run(length, looks.cell_muted))
        where = [textflow.Run(org.name if org else step.organisation, looks.cell)]
        rows.append([str(number), when, what, where, label("stage", step.stage),
                     label("funding", step.funding).split(" (")[0]])
    parts.append(textflow.grid(["#", "When", "Step", "Organisation", "Stage", "Funding"],
                               _cols(0.05, 0.14, 0.39, 0.2, 0.09, 0.13), rows))
    parts.extend(_handoffs(view, width))
    return parts


def _handoffs(view: CaseView, width: float) -> list[Flowable]:
    from planner.map_style import ARROW_LOOKS, handoff_style

    s = pdfkit.styles()
    ctx = view.context
    numbers = {step.id: n for n, step in enumerate(ctx.steps, start=1)}
    parts: list[Flowable] = [pdfkit.heading("Appendix: the handoffs", s.h2, level=1)]
    if not ctx.handoffs:
        parts.append(pdfkit.para("No handoffs.", s.small))
        return parts
    parts.append(pdfkit.para("How information went from one step to the next, given in the case or derived "
                             "between consecutive steps at different organisations; the line on the map is "
                             "named in the last column.", s.intro))
    looks = textflow.LOOKS
    rows: list[list[Any]] = []
    links = sorted(ctx.handoffs, key=lambda link: (numbers[link.source.id], numbers[link.target.id]))
    for link in links:
        receiver = view.case.member(link.named_receiver) if link.named_receiver else None
        how = "Not recorded (derived)" if link.derived else label("method", link.method)
        gap = max(0, ctx.gap(link.source, link.target))
        rows.append([str(numbers[link.source.id]), str(numbers[link.target.id]), view.when(link.on),
                     [textflow.Run(how, looks.cell)],
                     [textflow.Run(view.member_words(receiver) if receiver else "None named", looks.cell)],
                     f"{gap} day{'s' if gap != 1 else ''}",
                     [textflow.Run(ARROW_LOOKS[handoff_style(link.method, link.derived)].legend,
                                   looks.cell)]])
    parts.append(textflow.grid(["From", "To", "On", "How", "Named receiver", "Gap", "On the map"],
                               _cols(0.07, 0.07, 0.12, 0.18, 0.25, 0.1, 0.21), rows))
    return parts


def preview(case: Case, options: WorkshopOptions | None = None,
            analysis: Analysis | None = None) -> list[tuple[str, str]]:
    """(section, what it will hold) in order, for a dialog to show before anything is written."""
    view = CaseView(case, options, analysis)
    plan = view.case.care_plan
    counts = view.counts()
    found = ", ".join(f"{n} {severity_label(s).lower()}" for s, n in counts.items() if n) or "none"
    from reports.map_drawing import ONE_PAGE_STEPS, WINDOW_STEPS

    steps = len(case.steps)
    map_pages = 1 if steps <= ONE_PAGE_STEPS else 1 + math.ceil(steps / WINDOW_STEPS)
    rows = [
        ("Executive summary", "The value case on at most three sides: infrastructure, how it works, impact "
                              "(with the cost of care), what we ask of the regulators"),
        ("Cover", f"“{view.title}”, {view.case.person.area or 'area not recorded'}, "
                  + ("IDENTIFIABLE" if view.identifiable else f"anonymised as {view.name}")),
        (view.words("{Their} story"), "A short narrative written from the timeline"),
        ("Pathway map", f"{steps} steps and {len(view.case.handoffs)} recorded handoffs, findings marked "
                        f"({map_pages} page{'s' if map_pages != 1 else ''})"),
        ("Organisations and regulators", f"{len(case.organisations)} organisations"),
        ("Team and care coordinator", f"{len(case.team)} members "
                                      + ("by name" if view.identifiable else "by role only")
                                      + f"; {len(case.coordinator)} coordinator periods"),
        ("Care plan", "None" if plan is None else f"{len(plan.goals)} goals, {len(plan.actions)} actions"
                                                    + (", contingency plan" if plan.contingency else "")),
        ("Measures", f"{len(view.analysis.measures.rows())} measures"),
        ("Findings", f"{len(view.findings)} ({found}"
                     + (f"; {len(view.findings) - sum(counts.values())} set aside" if
                        len(view.findings) > sum(counts.values()) else "") + ")"),
        ("Discussion questions", f"{len(view.questions())} questions"),
        ("Appendix", f"The timeline ({steps} steps) and the handoffs"),
    ]
    return rows


def left_out(case: Case) -> list[str]:
    """What anonymising this case leaves out or changes, in plain words (for the export dialog)."""
    person = case.person
    items = [describe.words("{Their} name (a pseudonym instead)", person)]
    if person.nhs_number:
        items.append("NHS number")
    if person.date_of_birth:
        items.append("Date of birth (an age band instead)")
    if person.postcode:
        items.append("Postcode and address")
    items.append("Real dates (days counted from the first step instead)")
    if case.team:
        items.append(f"Names and contacts of {len(case.team)} team members (roles only)")
    notes = sum(1 for s in case.steps if s.notes) + sum(1 for h in case.handoffs if h.notes)
    if notes:
        items.append(f"{notes} free-text note{'s' if notes != 1 else ''} on steps and handoffs")
    items.append("Names, addresses, phone numbers, reference numbers and clock times inside titles, labels, "
                 "goals, actions, the contingency plan and comments")
    items.append("Names of small providers (care homes, home-care agencies, GP practices, voluntary groups: "
                 "by type and letter, unless you choose to name them)")
    return items


def suggested_filename(case: Case, options: WorkshopOptions | None = None) -> str:
    """A file name that carries no personal data when anonymised."""
    import re

    view_title = case.display_title
    if not (options and options.identifiable):
        view_title = anonymise(case, options.alias if options else None,
                               bool(options and options.name_providers)).case.display_title
    slug = re.sub(r"[^a-z0-9]+", "-", view_title.lower()).strip("-")[:60] or "case"
    return f"workshop-case-summary-{slug}.pdf"


__all__ = ["CaseView", "ExportSummary", "WorkshopOptions", "case_story", "left_out", "preview",
           "suggested_filename", "write_case_summary"]
