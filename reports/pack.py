"""The workshop pack: several cases side by side, to show which misalignments recur, and across
which regulators.

``write_pack(cases, target)`` writes: a cover listing the cases; one page per case, always
anonymised (its pathway at a glance, its key measures and its findings by rule); the cross-case
analysis, worked out with pandas: how often each rule fired (in how many cases, how many
findings) with a chart, which regulators and which pairs of regulators the findings involve, and
the measures side by side; then the discussion questions of all the cases together, ordered by
how many cases raised each.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from planner.analysis import Analysis
from planner.dates import format_day
from planner.model import Case
from planner.reference import label, regulators_of
from planner.rules.catalogue import rule as rule_info
from planner.rules.catalogue import severity_label, severity_order, severity_style
from reports import pdfkit
from reports.pdfkit import rich
from reports.workshop import CaseView, ExportSummary, WorkshopOptions, measure_rows

if TYPE_CHECKING:
    import pandas as pd
    from reportlab.platypus import Flowable

    from planner.unit_costs import LocalUnitCosts

KIND = "Regulation workshop pack"

#: The measures compared across cases: (column, words for the table's header).
MEASURE_COLUMNS = [
    ("admissions", "Admissions"), ("emergency_12m", "Emergency admissions in 12 months"),
    ("readmissions", "Readmissions within 30 days"), ("delayed_days", "Delayed days"),
    ("at_home", "Share of days at home"), ("handoffs", "Handoffs"),
    ("not_recorded", "Handoffs not recorded"),
    ("gap_median", "Handoff gap, median days"), ("gap_longest", "Handoff gap, longest days"),
    ("organisations", "Organisations"), ("regulators", "Regulators"),
    ("funding", "Funding regimes"), ("duplicates", "Duplicate assessments"),
]


@dataclass
class PackCase:
    """One case in the pack: its letter, and the anonymised view of it."""

    letter: str
    view: CaseView

    @property
    def name(self) -> str:
        return f"Case {self.letter}: {self.view.title}"


def letters(count: int) -> list[str]:
    """"A", "B", … "Z", "AA", "AB", … for ``count`` cases."""
    result = []
    for number in range(count):
        text = ""
        number += 1
        while number:
            number, rest = divmod(number - 1, 26)
            text = chr(ord("A") + rest) + text
        result.append(text)
    return result


def write_pack(cases: Sequence[Case], target: str | Path | IO[bytes], prepared_on: date | None = None,
               analyses: Sequence[Analysis | None] | None = None,
               unit_costs: LocalUnitCosts | None = None, name_providers: bool = False) -> ExportSummary:
    """Write the workshop pack of ``cases`` (anonymised, whatever else is asked) to ``target``;
    small providers by type and letter unless ``name_providers``."""
    if not cases:
        raise ValueError("a workshop pack needs at least one case")
    options = WorkshopOptions(identifiable=False, prepared_on=prepared_on, unit_costs=unit_costs,
                              name_providers=name_providers)
    given = list(analyses) if analyses is not None else [None] * len(cases)
    members = [PackCase(letter, CaseView(case, options, analysis))
               for letter, case, analysis in zip(letters(len(cases)), cases, given, strict=True)]
    story, sections = pack_story(members, prepared_on or date.today())
    story = pdfkit.keep_headings(story)
    info = pdfkit.DocumentInfo(title=f"{len(cases)} case{'s' if len(cases) != 1 else ''}", kind=KIND,
                               identifiable=False, prepared_on=prepared_on or date.today())
    pages = pdfkit.build(target, story, info)
    return ExportSummary(str(target) if isinstance(target, str | Path) else "", pages, False,
                         info.title, [case.id for case in cases], sections)


def pack_story(members: list[PackCase], prepared_on: date) -> tuple[list[Flowable], list[str]]:
    from reportlab.platypus import CondPageBreak, PageBreak

    tables = frames(members)
    story: list[Flowable] = []
    sections = ["Cover"]
    story += _cover(members, prepared_on)
    for member in members:
        story.append(PageBreak())
        story += _case_page(member)
        story += _map_pages(member)
        sections.append(member.name)
    story.append(PageBreak())
    story += _analysis(members, tables)
    sections.append("Cross-case analysis")
    story.append(CondPageBreak(pdfkit.frame_size()[1] * 0.35))  # follows on when there is room
    story += _questions(members, tables)
    sections.append("Discussion questions")
    return story, sections


# -- the data, in pandas -------------------------------------------------------------------------------
@dataclass
class PackFrames:
    """The pack's tables: one row per finding (not set aside), and one row per case of measures."""

    findings: pd.DataFrame
    measures: pd.DataFrame


def frames(members: list[PackCase]) -> PackFrames:
    import pandas as pd

    rows = []
    for member in members:
        for finding in member.view.active():
            rows.append({"case": member.letter, "rule": finding.rule, "title": finding.title,
                         "severity": finding.severity, "question": finding.question,
                         "regulators": tuple(sorted(set(finding.regulators))),
                         "sex": member.view.case.person.sex or ""})
    findings = pd.DataFrame(rows, columns=["case", "rule", "title", "severity", "question", "regulators",
                                           "sex"])
    measured = []
    for member in members:
        m = member.view.analysis.measures
        measured.append({
            "case": member.letter, "admissions": len(m.admissions),
            "emergency_12m": m.emergency_admissions_12_months,
            "readmissions": m.readmissions_30_days, "delayed_days": m.delayed_days.get("total", 0),
            "at_home": m.share_of_days_at_home, "handoffs": len(m.handoffs),
            "not_recorded": sum(1 for h in m.handoffs if h.derived),
            "gap_median": m.handoff_gap_median, "gap_longest": m.handoff_gap_longest,
            "organisations": m.organisations, "regulators": m.regulators, "funding": m.funding_regimes,
            "duplicates": m.duplicate_assessments})
    return PackFrames(findings, pd.DataFrame(measured).set_index("case"))


def rule_frequency(findings: pd.DataFrame, cases: int) -> pd.DataFrame:
    """Per rule: its title and severity, the cases it fired in (how many, which) and its findings;
    most widespread first, then the most severe."""
    import pandas as pd

    if findings.empty:
        return pd.DataFrame(columns=["rule", "title", "severity", "cases", "findings", "which", "share"])
    grouped = findings.groupby("rule").agg(
        title=("title", "first"), severity=("severity", "first"), cases=("case", "nunique"),
        findings=("case", "size"), which=("case", lambda c: ", ".join(sorted(set(c), key=_letter_order))))
    grouped["share"] = grouped["cases"] / cases
    order = severity_order()
    grouped["rank"] = grouped["severity"].map(order)
    grouped = grouped.reset_index().sort_values(["cases", "rank", "findings", "rule"],
                                                ascending=[False, True, False, True])
    return grouped.drop(columns="rank").reset_index(drop=True)


def regulator_involvement(findings: pd.DataFrame) -> pd.DataFrame:
    """Per regulator: the findings that involve it and the cases they come from."""
    import pandas as pd

    if findings.empty:
        return pd.DataFrame(columns=["regulator", "findings", "cases"])
    each = findings.explode("regulators").dropna(subset=["regulators"])
    table = each.groupby("regulators").agg(findings=("case", "size"), cases=("case", "nunique"))
    table = table.reset_index().rename(columns={"regulators": "regulator"})
    return table.sort_values(["cases", "findings", "regulator"], ascending=[False, False, True]).reset_index(
        drop=True)


def regulator_pairs(findings: pd.DataFrame) -> pd.DataFrame:
    """Per pair of regulators named together in a finding: how many findings and cases."""
    import pandas as pd

    pairs = [{"pair": pair, "case": case}
             for case, codes in zip(findings["case"], findings["regulators"], strict=True)
             for pair in itertools.combinations(sorted(codes), 2)]
    if not pairs:
        return pd.DataFrame(columns=["pair", "findings", "cases"])
    table = pd.DataFrame(pairs).groupby("pair").agg(findings=("case", "size"), cases=("case", "nunique"))
    return table.reset_index().sort_values(["cases", "findings"], ascending=False).reset_index(drop=True)


def question_frequency(findings: pd.DataFrame) -> pd.DataFrame:
    """Per rule, its question: the cases that raised it (how many, which) and its findings; those
    raised by the most cases first, then the most severe. A rule asks one question, whoever it is
    about: worded for her (or him) when every case raising it is about a woman (or a man), else
    for "them" (M03's "her" and "him" versions are one question)."""
    import pandas as pd

    if findings.empty:
        return pd.DataFrame(columns=["rule", "question", "cases", "which", "rules", "findings", "rank"])
    from planner.rules.context import worded

    order = severity_order()
    table = findings.assign(rank=findings["severity"].map(order)).groupby("rule").agg(
        cases=("case", "nunique"), which=("case", lambda c: ", ".join(sorted(set(c), key=_letter_order))),
        findings=("case", "size"), rank=("rank", "min"),
        sex=("sex", lambda x: x.iloc[0] if x.nunique() == 1 else ""))
    table = table.reset_index()
    table["question"] = [worded(rule_info(rule).question, sex or None)
                         for rule, sex in zip(table["rule"], table["sex"], strict=True)]
    table["rules"] = table["rule"]
    table = table.drop(columns="sex")
    return table.sort_values(["cases", "rank", "findings", "rule"], ascending=[False, True, False, True]
                             ).reset_index(drop=True)


def _letter_order(letter: str) -> tuple[int, str]:
    return (len(letter), letter)


# -- pages ----------------------------------------------------------------------------------------------
def _width() -> float:
    return pdfkit.frame_size()[0]


def _cols(*shares: float) -> list[float]:
    return [_width() * share for share in shares]


def _cover(members: list[PackCase], prepared_on: date) -> list[Flowable]:
    from reportlab.platypus import Spacer

    s = pdfkit.styles()
    count = len(members)
    parts: list[Flowable] = [Spacer(1, 30), pdfkit.para(KIND, s.subtitle),
                             pdfkit.para(f"{count} case{'s' if count != 1 else ''} side by side", s.title),
                             pdfkit.para(f"Prepared {format_day(prepared_on)}", s.body), Spacer(1, 8)]
    parts.append(pdfkit.boxed([
        pdfkit.para("Every case is anonymised", s.question),
        pdfkit.para("Each person is shown by a pseudonym and an age band; names, NHS numbers, dates of "
                    "birth, postcodes and addresses are left out; dates are counted in days from each case's "
                    "first step; teams appear by role only; free-text notes are left out.", s.small)],
        _width()))
    parts.append(Spacer(1, 12))
    parts.append(pdfkit.para("The cases", s.h2))
    rows: list[list[Any]] = [pdfkit.header_cells("Case", "Title", "Area", "Steps", "Findings")]
    for member in members:
        view = member.view
        counts = view.counts()
        split = ", ".join(f"{n} {severity_label(sev).lower()}" for sev, n in counts.items() if n)
        found = f"{view.analysis.key.in_words()} ({split})" if split else "none"
        rows.append([member.letter, pdfkit.para(view.title, s.cell),
                     pdfkit.para(view.case.person.area or "Not recorded", s.cell), str(len(view.case.steps)),
                     pdfkit.para(found, s.cell)])
    parts.append(pdfkit.table(rows, _cols(0.08, 0.3, 0.15, 0.08, 0.39)))
    parts.append(Spacer(1, 12))
    parts.append(pdfkit.para("In this pack", s.h2))
    for text in ("One page per case: the pathway at a glance, key measures and the findings by rule",
                 "The cross-case analysis: how often each rule fired, which regulators (and pairs of "
                 "regulators) the findings involve, and the measures side by side",
                 "The discussion questions of all the cases, one for each rule, ordered by how many cases "
                 "raised each"):
        paragraph = pdfkit.para(text, s.bullet)
        paragraph.bulletText = "•"
        parts.append(paragraph)
    return parts


def _case_page(member: PackCase) -> list[Flowable]:
    from reportlab.platypus import KeepInFrame

    s = pdfkit.styles()
    view = member.view
    width, height = pdfkit.frame_size()
    person = view.case.person
    facts = [view.name]
    if view.age:
        facts.append(f"aged {view.age}")
    facts.append(person.area or "area not recorded")
    if person.living_situation:
        facts.append(label("living_situation", person.living_situation).lower())
    from planner import describe

    frailty = describe.frailty(person)
    if frailty:
        facts.append(frailty)
    content: list[Flowable] = [
        pdfkit.heading(member.name, s.h1),
        pdfkit.para(" · ".join(facts), s.body),
        pdfkit.para(f"Period: {view.period()}. {len(view.case.steps)} steps.", s.small)]
    content.append(pdfkit.para("Its pathway map follows on its own landscape page.", s.small))
    measured = view.analysis.measures
    rows = [[pdfkit.para(name, s.cell_bold), pdfkit.para(value, s.cell)]
            for name, value in measure_rows(measured)]
    half = (len(rows) + 1) // 2
    pairs = [[*rows[i], *(rows[i + half] if i + half < len(rows) else ["", ""])] for i in range(half)]
    content.append(pdfkit.para("Measures", s.h3))
    content.append(pdfkit.table(pairs, _cols(0.2, 0.3, 0.2, 0.3), header=False))
    content.append(pdfkit.para("Findings by rule", s.h3))
    groups = view.ranked_groups()  # the key findings first, as in the case summary
    if not groups:
        content.append(pdfkit.para("No findings.", s.small))
    else:
        rows = [pdfkit.header_cells("", "Rule", "Severity", "Findings", "Question for the workshop")]
        for group in groups:
            first = group.active[0]
            key = (rich("<br/><font color='#5f6368'>Key finding {}</font>", group.key_rank)
                   if group.key_rank is not None else "")
            rows.append([pdfkit.severity_badge(group.severity, 7),
                         pdfkit.markup(rich("<b>{}</b> {}", group.rule, first.title) + key, s.cell),
                         severity_label(group.severity), str(len(group.active)),
                         pdfkit.para(first.question, s.cell_muted)])
        content.append(pdfkit.table(rows, _cols(0.04, 0.33, 0.1, 0.11, 0.42)))
    return [KeepInFrame(width, height, content, mode="shrink")]


def _map_pages(member: PackCase) -> list[Flowable]:
    """The case's pathway map on its own landscape page: in full when it fits one page at 7
    points or more, else the whole pathway at a glance (the case summary has it in parts)."""
    from reportlab.platypus import NextPageTemplate, PageBreak

    from reports.map_drawing import PathwayMap
    from reports.map_drawing_overview import overview

    s = pdfkit.styles()
    view = member.view
    numbers = {view.shown_step_id(step_id): n for step_id, n in view.numbers.items()}
    drawn = PathwayMap(view.case, [f for f in view.findings if not f.set_aside], numbers, relative=True,
                       step_id=view.shown_step_id)
    width, height = pdfkit.frame_size(landscape=True)
    pages = drawn.pages(width, height - 30)
    parts: list[Flowable] = [NextPageTemplate("landscape"), PageBreak()]
    if len(pages) == 1:
        parts += [pdfkit.para(f"{member.name}: pathway map", s.h2),
                  drawn.page_flowable(pages[0], height - 30)]
    else:
        parts += [pdfkit.para(f"{member.name}: the whole pathway ({drawn.steps} steps; the case summary "
                              f"shows it in {len(pages)} parts with every step's words)", s.h2),
                  overview(drawn, width, [page.period for page in pages], height=height - 30)]
    return [*parts, NextPageTemplate("portrait")]


def _analysis(members: list[PackCase], tables: PackFrames) -> list[Flowable]:
    s = pdfkit.styles()
    count = len(members)
    findings = tables.findings
    parts: list[Flowable] = [pdfkit.heading("Across the cases", s.h1)]
    total = len(findings)
    parts.append(pdfkit.para(
        f"{total} finding{'s' if total != 1 else ''} not set aside, in {count} "
        f"case{'s' if count != 1 else ''}. A rule that fires in many cases points at the way regulation, "
        "payment or measurement is set up, not at one team.", s.body))
    frequency = rule_frequency(findings, count)
    parts.append(pdfkit.heading("How often each rule fired", s.h2, level=1))
    if frequency.empty:
        parts.append(pdfkit.para("No rule fired in any case.", s.body))
    else:
        parts.append(_rule_chart(frequency, count))
        rows: list[list[Any]] = [pdfkit.header_cells("", "Rule", "Severity", "Cases", "Findings",
                                                     "Which cases")]
        for row in frequency.itertuples(index=False):
            rows.append([pdfkit.severity_badge(str(row.severity), 7),
                         pdfkit.markup(rich("<b>{}</b> {}", row.rule, row.title), s.cell),
                         severity_label(str(row.severity)), f"{row.cases} of {count}", str(row.findings),
                         pdfkit.para("All" if row.cases == count > 1 else str(row.which), s.cell)])
        parts.append(pdfkit.table(rows, _cols(0.04, 0.38, 0.11, 0.11, 0.1, 0.26)))
    parts.append(pdfkit.heading("Regulators involved in the findings", s.h2, level=1))
    involvement = regulator_involvement(findings)
    if involvement.empty:
        parts.append(pdfkit.para("No finding involves a regulator.", s.body))
    else:
        rows = [pdfkit.header_cells("Regulator", "Findings", "Cases")]
        for row in involvement.itertuples(index=False):
            rows.append([pdfkit.para(label("regulator", str(row.regulator)), s.cell), str(row.findings),
                         f"{row.cases} of {count}"])
        parts.append(pdfkit.table(rows, _cols(0.5, 0.2, 0.3)))
    pairs = regulator_pairs(findings)
    pairs_intro = pdfkit.para("Pairs of regulators named together in a finding: each sees only its own "
                              "organisation's part of what went wrong.", s.small)
    pairs_intro.keepWithNext = 1  # never at the foot of a page without its table
    parts.append(pairs_intro)
    if pairs.empty:
        parts.append(pdfkit.para("No finding names two regulators.", s.small))
    else:
        rows = [pdfkit.header_cells("Regulators", "Findings", "Cases")]
        for row in pairs.itertuples(index=False):
            first, second = row.pair
            rows.append([pdfkit.para(f"{label('regulator', first)} and {label('regulator', second)}", s.cell),
                         str(row.findings), f"{row.cases} of {count}"])
        parts.append(pdfkit.table(rows, _cols(0.5, 0.2, 0.3)))
    parts += _measures_side_by_side(members, tables.measures)
    parts += _cost_of_delays(members)
    return parts


def _cost_of_delays(members: list[PackCase]) -> list[Flowable]:
    """What the days spent in hospital once ready to leave cost, case by case, who paid for the beds
    and whom the delays are attributed to; then across the cases, by payer and attribution."""
    from planner import costs as costing

    s = pdfkit.styles()
    parts: list[Flowable] = [pdfkit.heading("The cost of delays", s.h2, level=1)]
    rows: list[list[Any]] = [pdfkit.header_cells("Case", "Delayed days", "Cost", "Paid by", "Waiting for")]
    across: dict[tuple[str, str], float] = {}
    years: set[str] = set()
    local: set[str] = set()  # an area's own excess bed-day figure, said as such
    for member in members:
        view = member.view
        money = costing.costs_for(view.original, view.options.unit_costs, shown=view.case)
        local.update(f"{d.unit_cost.area}'s own figure for {costing.local_item(d.unit_cost)}"
                     for d in money.delayed if d.unit_cost.is_local)
        delayed = money.delayed
        years.update(d.unit_cost.price_year for d in delayed)
        for d in delayed:
            across[d.paid_by, d.attributed_to] = across.get((d.paid_by, d.attributed_to), 0.0) + d.amount
        paid = sorted({costing.PAID_BY_WORDS.get(d.paid_by, d.paid_by) for d in delayed})
        waiting = sorted({label("delay_attribution", d.attributed_to).lower() for d in delayed})
        rows.append([member.letter, str(sum(d.days for d in delayed)),
                     f"£{money.delayed_total():,}" if delayed else "–", ", ".join(paid) or "–",
                     ", ".join(waiting) or "–"])
    parts.append(pdfkit.table(rows, _cols(0.1, 0.16, 0.16, 0.29, 0.29)))
    if across:
        said = "; ".join(f"£{costing.round_to_10(amount):,} paid by "
                         f"{costing.PAID_BY_WORDS.get(payer, payer)}, waiting for "
                         f"{label('delay_attribution', who).lower()}"
                         for (payer, who), amount in sorted(across.items(), key=lambda kv: -kv[1]))
        span = " to ".join(sorted(years)[:: max(1, len(years) - 1)]) if years else ""
        own = f" Local figures used in place of the published one: {'; '.join(sorted(local))}." \
            if local else ""
        parts.append(pdfkit.para(f"Across the cases: {said}. Estimates at the published excess bed-day "
                                 f"cost ({span} prices), to the nearest £10.{own}", s.small))
    else:
        parts.append(pdfkit.para("No case has days in hospital after being ready to leave.", s.small))
    return parts


def _rule_chart(frequency: pd.DataFrame, cases: int) -> Flowable:
    """Bars of the number of cases in which each rule fired, coloured by severity; every bar is
    labelled with its rule, severity and count, so the chart reads in black and white too."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib.colors import HexColor

    face = pdfkit.fonts()
    width = _width()
    rules = list(frequency.itertuples(index=False))[::-1]  # the chart draws its first bar at the bottom
    bar = 13.0
    height = bar * len(rules) + 40
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 205, 24
    chart.width, chart.height = width - 245, bar * len(rules)
    chart.data = [[int(r.cases) for r in rules]]
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = cases
    chart.valueAxis.valueStep = max(1, (cases + 9) // 10)
    chart.valueAxis.labels.fontName = face.regular
    chart.valueAxis.labels.fontSize = 7
    chart.categoryAxis.categoryNames = [
        pdfkit.elide(f"{r.rule} {r.title}", chart.x - 10, lambda t: pdfkit._width(t, face.regular, 7))
        for r in rules]
    chart.categoryAxis.labels.fontName = face.regular
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.barWidth = bar * 0.7
    chart.groupSpacing = bar * 0.3
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = face.regular
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    for index, row in enumerate(rules):
        colour, _shape = severity_style(str(row.severity))
        chart.bars[(0, index)].fillColor = HexColor(colour)
        chart.bars[(0, index)].strokeColor = HexColor("#222222")
        chart.bars[(0, index)].strokeWidth = 0.4
    drawing.add(chart)
    drawing.add(String(chart.x + chart.width / 2, 4, f"Cases in which the rule fired (of {cases})",
                       fontName=face.regular, fontSize=7.5, textAnchor="middle"))
    x = 0.0
    for severity in severity_order():  # the key: severity shapes with their words
        colour, shape = severity_style(severity)
        drawing.add(pdfkit.severity_shape(shape, x, height - 10, 7, colour))
        text = f"{severity_label(severity)} severity"
        drawing.add(String(x + 10, height - 9, text, fontName=face.regular, fontSize=7))
        x += 10 + pdfkit._width(text, face.regular, 7) + 12
    return drawing


def _measures_side_by_side(members: list[PackCase], measures: pd.DataFrame) -> list[Flowable]:
    """The measures as rows and the cases as columns (ten cases to a table), then all together."""
    s = pdfkit.styles()
    parts: list[Flowable] = [pdfkit.heading("Measures side by side", s.h2, level=1)]
    parts.append(pdfkit.para(
        "Computed from each case's timeline with the same definitions. The last column is the cases "
        "together: counts added up; the share of days at home over all their days; organisations, "
        "regulators and funding regimes each counted once however many cases they are in; the median "
        "and the longest of all the handoff gaps (gaps are never added up).", s.intro))
    columns = [column for column, _words in MEASURE_COLUMNS]
    table = measures[columns].T  # a row per measure, a column per case
    together = all_cases(members)
    everyone = [together[column] for column in columns]
    letters_ = list(table.columns)
    width = _width()
    for start in range(0, len(letters_), PER_TABLE):
        chunk = letters_[start:start + PER_TABLE]
        last = start + PER_TABLE >= len(letters_)
        header: list[Any] = [pdfkit.para("Measure", s.cell_bold), *(str(letter) for letter in chunk)]
        if last:
            header.append(pdfkit.para("All cases", s.cell_bold))
        rows: list[list[Any]] = [header]
        for index, (column, words) in enumerate(MEASURE_COLUMNS):
            row: list[Any] = [pdfkit.para(words, s.cell)]
            row += [_shown(table.at[column, letter], column) for letter in chunk]
            if last:
                row.append(everyone[index])
            rows.append(row)
        first = 0.36 * width
        rest = min((width - first) / (len(chunk) + 1), 64.0)
        style = [("ALIGN", (1, 0), (-1, -1), "RIGHT")]
        if last:
            style.append(("FONTNAME", (-1, 0), (-1, -1), pdfkit.fonts().bold))
        parts.append(pdfkit.table(rows, [first] + [rest] * (len(chunk) + (1 if last else 0)), style=style))
    return parts


#: Cases compared in one table of measures.
PER_TABLE = 10


def _shown(value: Any, column: str) -> str:
    if value is None or value != value:  # no value, or pandas' NaN for one
        return "–"
    if column == "at_home":
        return f"{float(value):.0%}"
    if column == "gap_median":
        return f"{float(value):g}"
    return f"{int(value):,}"


def all_cases(members: list[PackCase]) -> dict[str, str]:
    """Each measure for the cases together, as shown in the last column: a sum only for what can
    be added (admissions, delayed days, handoffs ...); the share of days at home over all the
    cases' days; organisations (by name), regulators and funding regimes counted once each however
    many cases they appear in; the median and longest of every handoff gap (never a sum)."""
    from statistics import median

    measured = [member.view.analysis.measures for member in members]
    originals = [member.view.original for member in members]
    total: dict[str, str] = {}
    for column, value in (
            ("admissions", sum(len(m.admissions) for m in measured)),
            ("emergency_12m", sum(m.emergency_admissions_12_months for m in measured)),
            ("readmissions", sum(m.readmissions_30_days for m in measured)),
            ("delayed_days", sum(m.delayed_days.get("total", 0) for m in measured)),
            ("handoffs", sum(len(m.handoffs) for m in measured)),
            ("not_recorded", sum(1 for m in measured for h in m.handoffs if h.derived)),
            ("duplicates", sum(m.duplicate_assessments for m in measured))):
        total[column] = f"{value:,}"
    days = sum(m.days_in_period for m in measured if m.share_of_days_at_home is not None)
    away = sum(m.days_away_from_home for m in measured if m.share_of_days_at_home is not None)
    total["at_home"] = f"{1 - away / days:.0%}" if days else "–"
    gaps = [h.gap_days for m in measured for h in m.handoffs]
    total["gap_median"] = f"{float(median(gaps)):g}" if gaps else "–"
    total["gap_longest"] = f"{max(gaps):,}" if gaps else "–"
    on_pathway = [[org for org in case.organisations if org.id in {step.organisation for step in case.steps}]
                  for case in originals]
    names = {" ".join(org.name.lower().split()) for orgs in on_pathway for org in orgs}
    codes = {code for orgs in on_pathway for org in orgs for code in regulators_of(org)}
    total["organisations"] = f"{len(names):,}"
    total["regulators"] = f"{len(codes):,}"
    total["funding"] = f"{len({step.funding for case in originals for step in case.steps if step.funding}):,}"
    return total


def _header_style() -> Any:
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle("pack_header", parent=pdfkit.styles().cell_bold, fontSize=6.8, leading=8.2)


def _muted() -> Any:
    from reportlab.lib.colors import HexColor

    return HexColor(pdfkit.MUTED)


def _questions(members: list[PackCase], tables: PackFrames) -> list[Flowable]:
    s = pdfkit.styles()
    count = len(members)
    parts: list[Flowable] = [pdfkit.heading("Questions for the workshop", s.h1)]
    asked = question_frequency(tables.findings)
    if asked.empty:
        parts.append(pdfkit.para("No case raised a question.", s.body))
        return parts
    parts.append(pdfkit.para("One question for each rule that fired, whichever cases it fired in: those "
                             "raised by the most cases first, then the most severe.", s.intro))
    named = dict(zip(tables.findings["rule"], tables.findings["title"], strict=True))
    for number, row in enumerate(asked.itertuples(index=False), start=1):
        codes = str(row.rules).split(", ")
        titles = ", ".join(f"{code} {named.get(code, rule_info(code).title)}" for code in codes)
        text = rich("<b>{}</b><br/><font size=8 color='#5f6368'>Raised in {} of {} cases ({}); {} finding{}; "
                    "from {}</font>", row.question, row.cases, count, row.which, row.findings,
                    "s" if row.findings != 1 else "", titles)
        paragraph = pdfkit.markup(text, s.bullet)
        paragraph.bulletText = f"{number}."
        parts.append(paragraph)
    return parts


__all__ = ["PackCase", "frames", "letters", "question_frequency", "regulator_involvement", "regulator_pairs",
           "rule_frequency", "write_pack"]
