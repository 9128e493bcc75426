"""The value case: a case on at most three A4 sides, for a regulator's director (issue 15).

The LGA's integration workshop asks for value cases that "tell the patient / user's story", are "no
more than three sides", are structured as "What is the infrastructure? How does it work? What is
the impact?" and link "quality, activity and financials". So: *Infrastructure* (the organisations,
their regulators and payers, with a compact map), *How it works* (her story in a few lines, the
handoffs and where they broke), *Impact* (the key findings with their evidence and questions, the
measures that matter, the cost of care and of the delays by payer), and *What we ask of the
regulators*.

Anonymised by default exactly as the case summary is (``reports.workshop.CaseView``). Three sides
for any case: the document is laid out at the fullest level of detail, then at shorter ones (a
shorter map, fewer organisations listed, evidence cut to its first sentence...) until it fits, and
what was left out is said on the page.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from planner import costs as costing
from planner import describe
from planner.reference import label, payment_model_of, regulators_of
from planner.rules.catalogue import severity_label
from planner.story import Teller, tell
from reports import pdfkit
from reports.pdfkit import esc, rich
from reports.workshop import CaseView, ExportSummary, WorkshopOptions

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from planner.analysis import Analysis
    from planner.model import Case

KIND = "Value case"
WEAK_METHODS = frozenset({"letter", "phone", "none", "unknown"})
MAX_PAGES = 3


@dataclass(frozen=True)
class Detail:
    """How much the value case shows; the levels run from the fullest to the shortest."""

    map_height: float
    organisations: int
    story_paragraphs: int
    evidence_sentences: int
    key_findings: int
    measures: bool


LEVELS = [
    Detail(200, 12, 4, 3, 5, True),
    Detail(170, 10, 3, 2, 5, True),
    Detail(140, 8, 2, 1, 5, True),
    Detail(110, 6, 2, 1, 4, True),
    Detail(90, 5, 1, 1, 3, False),
    Detail(70, 4, 1, 1, 3, False),
]


def write_value_case(case: Case, target: str | Path | IO[bytes], options: WorkshopOptions | None = None,
                     analysis: Analysis | None = None) -> ExportSummary:
    """Write the value case of ``case`` to ``target``: at most three A4 sides.

    Python's cyclic garbage collector is paused while the case is anonymised, analysed and laid
    out, as :func:`planner.analysis.analyse` pauses it: the anonymised copy, the findings and the
    PDF's objects are many and short-lived, and collections started meanwhile would only walk them
    (and everything else the process holds) again and again. Left paused if the caller paused it."""
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        view = CaseView(case, options, analysis, step_labels=False)  # it names a few steps at most
        _story, sections, data, pages = fitted(view)
    finally:
        if was_enabled:
            gc.enable()
    if isinstance(target, str | Path):
        pdfkit._replace(Path(target), data)
    else:
        target.write(data)
    return ExportSummary(str(target) if isinstance(target, str | Path) else "", pages, view.identifiable,
                         view.title, [case.id], sections)


def fitted(view: CaseView, in_summary: bool = False) -> tuple[list[Flowable], list[str], bytes, int]:
    """The value case of ``view`` at the fullest level of detail that fits three sides: its
    flowables (made anew to open the case summary when ``in_summary``), its sections, the PDF and
    its page count (the shortest level if none fits)."""
    info = pdfkit.DocumentInfo(title=view.title, kind=KIND, identifiable=view.identifiable,
                               prepared_on=view.options.prepared_on or date.today())
    money = Money.of(view)  # worked out once, whatever the level of detail
    story: list[Flowable] = []
    sections: list[str] = []
    data, pages = b"", 0
    for detail in LEVELS:
        story, sections = value_story(view, detail, money, in_summary)
        buffer = io.BytesIO()
        pages = pdfkit.build(buffer, story, info)
        data = buffer.getvalue()
        if pages <= MAX_PAGES:
            break
    if in_summary:  # flowables laid out once are not laid out again in another document
        story, sections = value_story(view, detail, money, in_summary)
    return story, sections, data, pages


@dataclass(frozen=True)
class Money:
    """The cost of care of a case, worked out once for every level of detail."""

    #: On the case as shown: the original's figures (anonymising moves dates by whole weeks, never
    #: a cost), with the organisations named as shown (:meth:`by_organisation`); worked out on the
    #: anonymised copy itself only when a step carries its own cost, whose source is anonymised.
    shown: costing.CostOfCare
    #: On the original case, whose step ids the findings name (for the cost attached to each).
    original: costing.CostOfCare
    #: The original's emergency readmissions (their whole cost is attached to a finding naming them).
    readmitted: list[str]
    #: Organisations' names as shown, by their names in the case costed for ``shown``.
    names: dict[str, str]

    def by_organisation(self) -> dict[str, int]:
        """Pounds by organisation, named as the value case names them."""
        return self.shown.by_organisation(self.names)

    @classmethod
    def of(cls, view: CaseView) -> Money:
        local = view.options.unit_costs  # the area's own figures, where it has set any
        original = costing.costs_for(view.original, local)
        # the shown case's readmissions (its context, which her story reads too) are the original's:
        # anonymising moves every date by the same weeks and keeps every kind, setting and emergency
        readmitted = [view.original_id(readmission.id) for _earlier, readmission in view.context.readmissions]
        if view.case is not view.original and any(step.cost is not None for step in view.original.steps):
            return cls(costing.costs_for(view.original, local, shown=view.case), original, readmitted, {})
        names = {before.name: after.name
                 for before, after in zip(view.original.organisations, view.case.organisations, strict=True)
                 if before.name != after.name}
        return cls(original, original, readmitted, names)


def _left_out(view: CaseView, detail: Detail) -> list[str]:
    """What this level of detail leaves out, in words."""
    said = ["all but a few lines of the story and of each finding's evidence"]
    orgs = len({s.organisation for s in view.case.steps})
    if orgs > detail.organisations:
        said.append(f"{orgs - detail.organisations} of the {orgs} organisations from the table")
    key = len(view.analysis.key.key)
    if key > detail.key_findings:
        said.append(f"{key - detail.key_findings} of the {key} key findings")
    if not detail.measures:
        said.append("the measures table")
    return said


def value_story(view: CaseView, detail: Detail, money: Money,
                in_summary: bool = False) -> tuple[list[Flowable], list[str]]:
    from reportlab.platypus import Spacer

    s = pdfkit.styles()
    left_out = _left_out(view, detail)
    story: list[Flowable] = [pdfkit.para(KIND, s.subtitle), pdfkit.para(view.title, s.title)]
    story.append(pdfkit.para(_marking(view), s.small))
    story.append(Spacer(1, 4))
    story += infrastructure(view, detail, money)
    story += how_it_works(view, detail)
    story += impact(view, detail, money)
    story += asks(view, detail)
    if left_out:
        everything = "The pages that follow have" if in_summary else "The full case summary has"
        story.append(pdfkit.para("Left out to keep to three sides: " + "; ".join(left_out)
                                 + f". {everything} everything.", s.muted))
    return story, ["Infrastructure", "How it works", "Impact", "What we ask of the regulators"]


def _marking(view: CaseView) -> str:
    if view.identifiable:
        return ("IDENTIFIABLE: this value case contains personal data. Share it only with people entitled "
                "to see the person's records.")
    return view.words("Anonymised: {they} {is} called ") + view.name + (
        "; dates are days from the first step (day 0); the team appears by role only.")


def _width() -> float:
    return pdfkit.frame_size()[0]


# -- 1. Infrastructure ------------------------------------------------------------------------------
def infrastructure(view: CaseView, detail: Detail, money: Money) -> list[Flowable]:
    s = pdfkit.styles()
    case = view.case
    steps_at = Counter(step.organisation for step in case.steps)
    on_pathway = [o for o in case.organisations if o.id in steps_at]
    regulators = {code for org in on_pathway for code in regulators_of(org)}
    payers = set(money.shown.by_payer())
    parts: list[Flowable] = [pdfkit.heading("1. Infrastructure: who is involved", s.h1)]
    sectors = len({o.sector for o in on_pathway})
    parts.append(pdfkit.para(view.words(
        f"{len(on_pathway)} organisations in {sectors} sectors looked after {{them}}, overseen by "
        f"{len(regulators)} regulators and paid for by {len(payers)} payer{'s' if len(payers) != 1 else ''}. "
        "Each regulator assesses its own part; none sees the whole."), s.body))
    if case.steps:
        parts.append(activity_strip(view, _width(), detail.map_height))
    by_org = money.by_organisation()
    ranked = sorted(on_pathway, key=lambda o: (-by_org.get(o.name, 0), -steps_at[o.id], o.name))
    rows = [pdfkit.header_cells("Organisation", "Sector", "Regulators", "Paid by", "Cost")]
    for org in ranked[:detail.organisations]:
        codes = regulators_of(org)
        model = payment_model_of(org)
        rows.append([pdfkit.para(org.name, s.cell), pdfkit.para(label("sector", org.sector), s.cell),
                     pdfkit.para(", ".join(label("regulator_short", c) for c in codes) or "None", s.cell),
                     pdfkit.para(label("payment_model", model) if model else "Not recorded", s.cell),
                     pdfkit.para(f"£{by_org[org.name]:,}" if org.name in by_org else "not costed", s.cell)])
    if len(ranked) > detail.organisations:
        more = len(ranked) - detail.organisations
        rows.append([pdfkit.para(f"and {more} more", s.cell_muted), "", "", "", ""])
    width = _width()
    parts.append(pdfkit.table(rows, [width * x for x in (0.34, 0.2, 0.18, 0.16, 0.12)]))
    return parts


#: Sentences kept of each paragraph of her story.
STORY_SENTENCES = 3

#: Columns of the activity strip: its size (and the time to draw it) is the same for any case.
STRIP_BINS = 52


#: The colour of a lane where nothing took place.
_BACKGROUND = "#f4f5f7"


class ActivityStrip:
    """The compact map as a list of plain drawing steps (filled rectangles, lines, words), drawn
    straight on the page's canvas (:meth:`flowable`): thousands of shapes cost no shape objects."""

    def __init__(self, width: float, height: float) -> None:
        self.width, self.height = width, height
        #: ("rect", x, y, w, h, colour, opacity) | ("line", x1, y1, x2, y2, colour, width) |
        #: ("string", x, y, text, font, size, anchor)
        self.steps: list[tuple[Any, ...]] = []

    def rect(self, x: float, y: float, w: float, h: float, colour: str, opacity: float = 1.0) -> None:
        self.steps.append(("rect", x, y, w, h, colour, opacity))

    def line(self, x1: float, y1: float, x2: float, y2: float, colour: str, width: float) -> None:
        self.steps.append(("line", x1, y1, x2, y2, colour, width))

    def string(self, x: float, y: float, text: str, font: str, size: float, anchor: str = "start") -> None:
        self.steps.append(("string", x, y, text, font, size, anchor))

    def flowable(self) -> Flowable:
        from reportlab.lib.colors import HexColor
        from reportlab.platypus import Flowable

        steps, width, height = self.steps, self.width, self.height

        class _Strip(Flowable):  # type: ignore[misc]
            def wrap(self, _available_width: float, _available_height: float) -> tuple[float, float]:
                return width, height

            def draw(self) -> None:
                # the rectangles of one colour and opacity as one path (the lanes' backgrounds first,
                # then the cells on them, which never overlap), then the lines, then the words: the
                # same picture with a few changes of colour, not one per shape
                canvas = self.canv
                canvas.saveState()
                # the same few numbers recur (a lane's top and height, a column's edge): each is
                # written once (none is negative, so 0.0 and -0.0 never share an entry)
                written: dict[float, str] = {}

                def number(value: float) -> str:
                    text = written.get(value)
                    if text is None:
                        text = written[value] = f"{value:.2f}"
                    return text

                groups: dict[tuple[str, float], list[str]] = {}
                for step in steps:
                    if step[0] == "rect":
                        _kind, x, y, w, h, colour, opacity = step
                        groups.setdefault((colour, opacity), []).append(
                            f"{number(x)} {number(y)} {number(w)} {number(h)} re")
                backgrounds_first = sorted(groups.items(), key=lambda kv: kv[0][0] != _BACKGROUND)
                for (colour, opacity), rects in backgrounds_first:
                    canvas.setFillColor(HexColor(colour))
                    canvas.setFillAlpha(opacity)
                    canvas.addLiteral("n " + " ".join(rects) + " f")  # the rectangles filled as one path
                canvas.setFillAlpha(1)
                lines: dict[tuple[str, float], list[str]] = {}
                for step in steps:
                    if step[0] == "line":
                        _kind, x1, y1, x2, y2, colour, line_width = step
                        lines.setdefault((colour, line_width), []).append(
                            f"{number(x1)} {number(y1)} m {number(x2)} {number(y2)} l")
                for (colour, line_width), segments in lines.items():
                    canvas.setStrokeColor(HexColor(colour))
                    canvas.setLineWidth(line_width)
                    canvas.addLiteral("n " + " ".join(segments) + " S")  # the lines stroked as one path
                canvas.setFillColor(HexColor("#000000"))
                draw = {"start": canvas.drawString, "end": canvas.drawRightString,
                        "middle": canvas.drawCentredString}
                for step in steps:
                    if step[0] == "string":
                        _kind, x, y, text, font, size, anchor = step
                        canvas.setFont(font, size)
                        draw[anchor](x, y, text)
                canvas.restoreState()

        return _Strip()


def activity_strip(view: CaseView, width: float, height: float) -> Flowable:
    """The compact map: a lane per sector (in the order of first contact), time across in equal
    parts, each part shaded by how many steps took place in it; hospital admissions in black and
    days waiting to leave hatched, as on the full map. Its size does not grow with the case."""
    from planner.map_style import sector_colour

    face = pdfkit.fonts()
    ctx = view.context  # the steps in order, with their dates
    first, last = view.day_zero, view.last_day
    assert first is not None and last is not None
    span = max(1, (last - first).days + 1)
    sector_of = {org_id: org.sector for org_id, org in ctx.orgs.items()}
    sector_by_step = [sector_of.get(step.organisation, "other") for step in ctx.steps]
    sectors = list(dict.fromkeys(sector_by_step))
    label_width, axis = 120.0, 12.0
    row = max(7.0, min(16.0, (height - axis) / max(1, len(sectors))))
    drawing = ActivityStrip(width, row * len(sectors) + axis)
    cell = (width - label_width) / STRIP_BINS
    top = drawing.height
    # each lane's steps by column: +1 where a step's columns begin, -1 after they end, added up
    # below (a step lasting months costs two additions, not one per column)
    changes = [[0] * (STRIP_BINS + 1) for _ in sectors]
    stays: dict[tuple[int, int], bool] = {}
    lanes = {sector: lane for lane, sector in enumerate(sectors)}
    day_zero = first.toordinal()
    dates = zip(ctx.start_dates, ctx.end_dates, strict=True)
    for step, sector, (starts_on, ends_on) in zip(ctx.steps, sector_by_step, dates, strict=True):
        lane = lanes[sector]
        low = (starts_on.toordinal() - day_zero) * STRIP_BINS // span
        high = ((ends_on or starts_on).toordinal() - day_zero) * STRIP_BINS // span
        if high >= STRIP_BINS:
            high = STRIP_BINS - 1
        if low > high:
            continue
        changes[lane][low] += 1
        changes[lane][high + 1] -= 1
        if step.kind == "admission":
            ready = step.ready_for_discharge if step.delayed_days else None
            waiting_from = (ready - first).days * STRIP_BINS // span if ready else STRIP_BINS
            for column in range(low, high + 1):
                stays[lane, column] = stays.get((lane, column), False) or column >= waiting_from
    counts = [list(accumulate(lane_changes[:STRIP_BINS])) for lane_changes in changes]
    busiest = max((max(counted) for counted in counts), default=0) or 1
    for lane, sector in enumerate(sectors):
        y = top - (lane + 1) * row
        colour = sector_colour(sector if sector != "other" else None)
        drawing.rect(0, y + 1, 4, row - 2, colour)
        name = label("sector", sector) if sector != "other" else "Not recorded"
        shown = pdfkit.elide(name, label_width - 10, lambda t: pdfkit._width(t, face.regular, 7.5))
        drawing.string(7, y + row / 2 - 2.6, shown, face.regular, 7.5)
        drawing.rect(label_width, y + 0.5, width - label_width, row - 1, _BACKGROUND)
        # how each column looks: empty, a stay (waiting to leave or not) or steps, shaded by how many
        looks: list[tuple[str, int] | None] = [
            None if not count else ("stay", stays[lane, column]) if (lane, column) in stays
            else ("steps", round(4 * count / busiest)) for column, count in enumerate(counts[lane])]
        column = 0
        while column < STRIP_BINS:  # neighbouring cells that look the same are drawn as one
            look = looks[column]
            if look is None:
                column += 1
                continue
            end = column + 1
            while end < STRIP_BINS and looks[end] == look:
                end += 1
            x, width_ = label_width + column * cell, (end - column) * cell
            if look[0] == "stay":
                drawing.rect(x, y + 1, width_, row - 2, "#222222")
                for hatch in range(column, end) if look[1] else ():  # waiting to leave: white diagonals
                    hx = label_width + hatch * cell
                    drawing.line(hx, y + 1, hx + cell, y + row - 1, "#ffffff", 1)
            else:
                drawing.rect(x, y + 1, width_, row - 2, colour, 0.35 + 0.65 * look[1] / 4)
            column = end
    for tick in range(5):
        day = round(tick * (span - 1) / 4)
        x = label_width + (width - label_width) * tick / 4
        text = view.when(first + timedelta(days=day))
        anchor = "start" if tick == 0 else "end" if tick == 4 else "middle"
        drawing.string(x, 2, text, face.regular, 7, anchor)
    return drawing.flowable()


# -- 2. How it works -----------------------------------------------------------------------------------
def how_it_works(view: CaseView, detail: Detail) -> list[Flowable]:
    s = pdfkit.styles()
    parts: list[Flowable] = [pdfkit.heading("2. How it works: " + view.words("{their} journey"), s.h1)]
    teller = Teller(when=lambda m: view.when(m), name=view.name, age=view.age,
                    names_members=view.identifiable, label=view.label)
    paragraphs = tell(view.case, teller, view.counts(), view.context)
    for text in paragraphs[:detail.story_paragraphs]:  # a few lines each: the summary tells it all
        parts.append(pdfkit.para(_sentences(text, STORY_SENTENCES), s.body))
    measured = view.analysis.measures
    handoffs = measured.handoffs
    if handoffs:
        unrecorded = sum(1 for h in handoffs if h.derived)
        weak = sum(1 for h in handoffs if not h.derived and h.method in WEAK_METHODS)
        longest = measured.handoff_gap_longest or 0
        median = measured.handoff_gap_median or 0
        broke = [g for g in view.analysis.key.groups if g.rule in ("M08", "M13") and g.strongest is not None]
        where = "; ".join(f"{g.title.lower()} ({len(g.active)})" for g in broke)
        parts.append(pdfkit.markup(
            f"<b>Handoffs.</b> {len(handoffs)} handoffs between organisations: {unrecorded} not recorded "
            f"at all, {weak} by letter, phone or nothing. The gap between one service and the next was "
            f"{median:g} days at the median and {longest} at the longest."
            + (f" Where they broke: {esc(where)}." if where else ""), s.body))
    return parts


# -- 3. Impact ------------------------------------------------------------------------------------------
def impact(view: CaseView, detail: Detail, figures: Money) -> list[Flowable]:
    s = pdfkit.styles()
    money = figures.shown
    parts: list[Flowable] = [pdfkit.heading("3. Impact: what it cost " + view.words("{them}") +
                                            " and the system", s.h1)]
    key = view.analysis.key
    for group in key.key[:detail.key_findings]:
        finding = group.strongest
        if finding is None:
            continue
        evidence = shown_text(view, finding.evidence, detail.evidence_sentences)
        attached = costing.attached_cost(figures.original, finding.rule, finding.steps, figures.readmitted)
        cost = f" Cost attached: about £{costing.round_to_10(attached):,}." if attached else ""
        occurrences = len(group.active)
        more = f" ({occurrences} occurrences)" if occurrences > 1 else ""
        parts.append(pdfkit.markup(rich(
            "<b>{}. {}</b> <font color='#5f6368'>{}{}</font><br/>{}{}<br/><i>Question: {}</i>",
            group.key_rank, group.title, severity_label(group.severity), more, evidence, cost,
            finding.question), s.bullet))
    if detail.measures:
        measured = view.analysis.measures
        rows = [pdfkit.header_cells("Measure", "Value")]
        wanted = ("Admissions", "Delayed days", "Emergency admissions in 12 months",
                  "Readmissions within 30 days", "Days at home", "Organisations touched",
                  "Regulators touched")
        rows += [[pdfkit.para(name, s.cell_bold), pdfkit.para(value, s.cell)]
                 for name, value in measured.rows() if name in wanted]
        parts.append(pdfkit.table(rows, [_width() * 0.4, _width() * 0.6]))
    parts.append(pdfkit.para("The cost of care", s.h2))
    if money.costed:
        paid = ", ".join(f"{costing.PAID_BY_WORDS.get(code, code)} £{pounds:,}"
                         for code, pounds in money.by_payer().items())
        text = f"About <b>£{money.total:,}</b> in all: paid by {esc(paid)}."
        if money.delayed:
            days = sum(d.days for d in money.delayed)
            lines = "; ".join(costing.delayed_in_words(d) for d in money.delayed[:4])
            text += (f" <b>£{money.delayed_total():,}</b> of it paid for {days} days in hospital once ready "
                     f"to leave: {esc(lines)}.")
        if money.not_costed:
            text += f" {len(money.not_costed)} steps have no published unit cost and are not counted."
        parts.append(pdfkit.markup(text, s.body))
        parts.append(pdfkit.para(money.estimate_note() + " Sources: " +
                                 "; ".join(f"{u.source} ({u.price_year})" for u in _sources(money)), s.muted))
        local = money.local_figures()
        if local:  # an area's own figure is said to be one, with its note, never passed off as national
            parts.append(pdfkit.para(f"Local figures: {money.area}'s own unit costs replace {len(local)} of "
                                     "the national defaults (set in the application's settings): "
                                     + "; ".join(costing.local_item(u) for u in local[:6])
                                     + (f"; and {len(local) - 6} more" if len(local) > 6 else "") + ".",
                                     s.muted))
    else:
        parts.append(pdfkit.para("No step of this case has a published unit cost, so its cost is not "
                                 "estimated.", s.body))
    return parts


def _sources(money: costing.CostOfCare) -> list[Any]:
    """The national publications cited, each once (an area's own figures are listed apart)."""
    seen: dict[str, Any] = {}
    for unit in money.unit_costs():
        if not unit.is_local:
            seen.setdefault(unit.source, unit)
    return list(seen.values())


#: The most characters of one paragraph of story or evidence (a long case lists hundreds of steps).
MOST_CHARACTERS = 520


def _sentences(text: str, count: int) -> str:
    """The first ``count`` sentences of ``text``, and no more than MOST_CHARACTERS (cut at a word,
    with "…"), as plain text."""
    return _cut(text, count)[0]


def _cut(text: str, count: int) -> tuple[str, bool]:
    """:func:`_sentences`, and whether anything was left out."""
    pieces = text.replace("\n", " ").split(". ")
    kept = ". ".join(pieces[:count])
    cut = len(pieces) > count
    if len(kept) > MOST_CHARACTERS:
        kept, cut = kept[:MOST_CHARACTERS].rsplit(" ", 1)[0].rstrip(",;:"), True
    if cut:
        kept += "" if kept.endswith(".") else " …"
    return kept, cut


#: How much of a long text is anonymised to show its first sentences: far more than is shown (no
#: more than MOST_CHARACTERS and a "…"), so that what is shown ends well inside it, hundreds of
#: characters before the cut. Anonymising takes time in proportion to the length: no more is done.
ANONYMISED_AHEAD = 5 * MOST_CHARACTERS // 2


def shown_text(view: CaseView, text: str | None, count: int) -> str:
    """The first ``count`` sentences of ``text`` (worked out on the original case) as the view shows
    it. A long text (a finding of a 1,000-step case names hundreds of steps) is anonymised only as
    far as is needed: its start, far longer than what is shown; the whole text when that start
    would not show all that is kept, so the words are those of anonymising it whole."""
    if text and len(text) > ANONYMISED_AHEAD:
        start = text[:ANONYMISED_AHEAD].rsplit(" ", 1)[0]
        shown, cut = _cut(view.text(start), count)
        if cut and len(shown) < len(start) // 2:  # what is kept ends well inside the start
            return shown
    return _sentences(view.text(text), count)


# -- What we ask ----------------------------------------------------------------------------------------
def asks(view: CaseView, detail: Detail) -> list[Flowable]:
    s = pdfkit.styles()
    parts: list[Flowable] = [pdfkit.heading("What we ask of the regulators", s.h1)]
    key = [g for g in view.analysis.key.key if g.strongest is not None][:detail.key_findings]
    if not key:
        parts.append(pdfkit.para("This case raises no misalignment to put to the regulators.", s.body))
        return parts
    for number, group in enumerate(key, start=1):
        paragraph = pdfkit.markup(rich("<b>{}</b> <font color='#5f6368'>({})</font>", group.question,
                                       group.title), s.bullet)
        paragraph.bulletText = f"{number}."
        parts.append(paragraph)
    parts.append(pdfkit.para(describe.words(
        "Each question comes from a key finding above: the rules ranked by severity, the harm in days "
        "to {them}, recorded evidence before inferred, and the regulators involved.", view.case.person),
        s.muted))
    return parts
