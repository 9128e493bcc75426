"""Measures computed from a case's timeline (DOMAIN.md section 4).

Built on the same :class:`~planner.rules.context.CaseContext` as the findings, so admissions,
readmissions and handoffs mean the same thing in both. Pass the context the engine used to
avoid working it out twice.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from operator import attrgetter
from typing import Any

from planner.describe import inline
from planner.model import Case, Step
from planner.reference import label
from planner.rules.catalogue import rule
from planner.rules.context import CaseContext, is_emergency
from planner.rules.duplicated_assessment import pairs as duplicated_assessments

#: Days after discharge at which ASCOF 2B asks whether she is still at home.
AT_HOME_AFTER_DAYS = 91
#: How soon after leaving hospital reablement must start to count as "discharged into" it.
DISCHARGED_INTO_DAYS = 7
#: Where she lives throughout when her living situation says so (DOMAIN.md section 4, days at home).
CARE_HOME_LIVING = frozenset({"care_home", "nursing_home"})
_FUNDING = attrgetter("funding")


@dataclass(slots=True)
class AdmissionMeasure:
    step: str
    organisation: str
    start: date
    end: date | None
    emergency: bool
    length_of_stay: int | None
    delayed_days: int
    delay_attribution: str | None


@dataclass(slots=True)
class HandoffMeasure:
    source: str
    target: str
    method: str
    derived: bool
    gap_days: int


@dataclass(slots=True)
class ReablementOutcome:
    step: str
    discharged_on: date
    #: True or False once 91 days have passed within the recorded timeline; None if not yet known.
    at_home_after_91_days: bool | None
    #: Whether ASCOF 2B would count her (council-supported, not self-funded).
    in_official_figure: bool


@dataclass
class Measures:
    admissions: list[AdmissionMeasure] = field(default_factory=list)
    delayed_days: dict[str, int] = field(default_factory=dict)
    emergency_admissions_12_months: int = 0
    readmissions_30_days: int = 0
    period_start: date | None = None
    period_end: date | None = None
    days_in_period: int = 0
    days_away_from_home: int = 0
    share_of_days_at_home: float | None = None
    #: Permanent placements: each makes the care home her usual place of residence from its start.
    new_permanent_placements: int = 0
    reablement: list[ReablementOutcome] = field(default_factory=list)
    handoffs: list[HandoffMeasure] = field(default_factory=list)
    organisations: int = 0
    regulators: int = 0
    funding_regimes: int = 0
    duplicate_assessments: int = 0

    @property
    def handoff_gap_median(self) -> float | None:
        """The median gap of the handoffs, in days (None without handoffs). Gaps are never added up."""
        if not self.handoffs:
            return None
        from statistics import median

        return float(median(h.gap_days for h in self.handoffs))

    @property
    def handoff_gap_longest(self) -> int | None:
        return max((h.gap_days for h in self.handoffs), default=None)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["handoff_gap_median_days"] = self.handoff_gap_median
        data["handoff_gap_longest_days"] = self.handoff_gap_longest
        return _iso(data)  # type: ignore[no-any-return]

    def rows(self) -> list[tuple[str, str]]:
        """(measure, value) in plain words, for the app and the printed summary."""
        stays = [a for a in self.admissions if a.length_of_stay is not None]
        los = ", ".join(f"{a.length_of_stay} days" for a in stays) if stays else "no completed admission"
        delayed = self.delayed_days.get("total", 0)
        split = ", ".join(f"{inline(label('delay_attribution', who))} {days}"
                          for who, days in self.delayed_days.items() if who != "total" and days)
        at_home = ("not known" if self.share_of_days_at_home is None
                   else f"{self.share_of_days_at_home:.0%} of {self.days_in_period} days")
        outcome = {True: "at home", False: "not at home", None: "not yet known"}
        reablement = "; ".join(
            outcome[r.at_home_after_91_days]
            + ("" if r.in_official_figure else " (self-funded: missing from the official figure)")
            for r in self.reablement) or "no discharge into reablement"
        return [
            ("Admissions", str(len(self.admissions))),
            ("Length of stay", los),
            ("Delayed days", f"{delayed}" + (f" ({split})" if split else "")),
            ("Emergency admissions in 12 months", str(self.emergency_admissions_12_months)),
            ("Readmissions within 30 days", str(self.readmissions_30_days)),
            ("Days at home", at_home),
            ("New permanent placements", str(self.new_permanent_placements)),
            ("At home 91 days after reablement", reablement),
            ("Handoffs", self._handoffs_in_words()),
            ("Organisations touched", str(self.organisations)),
            ("Regulators touched", str(self.regulators)),
            ("Funding regimes touched", str(self.funding_regimes)),
            ("Duplicate assessments", str(self.duplicate_assessments)),
        ]


    def _handoffs_in_words(self) -> str:
        count = len(self.handoffs)
        if not count:
            return "none"
        text = f"{count} ({sum(h.derived for h in self.handoffs)} not recorded)"
        median, longest = self.handoff_gap_median, self.handoff_gap_longest
        if median is not None and longest is not None:
            shown = f"{median:g}"
            text += (f"; gap {'day' if shown == '1' else 'days'}: median {shown}, "
                     f"longest {longest}")
        return text


def _iso(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _iso(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso(v) for v in value]
    return value


def compute_measures(case: Case, context: CaseContext | None = None) -> Measures:
    ctx = context or CaseContext(case)
    measures = Measures()
    if not ctx.steps:
        return measures
    measures.admissions = [_admission(ctx, a, delayed) for a, delayed in zip(ctx.admissions, ctx.delays,
                                                                            strict=True)]
    totals = {"nhs": 0, "social_care": 0, "both": 0}
    for admission in measures.admissions:
        if admission.delayed_days and admission.delay_attribution:
            totals[admission.delay_attribution] += admission.delayed_days
    totals["total"] = sum(totals.values())
    measures.delayed_days = totals
    emergencies = ctx.emergency_admissions
    if emergencies:  # M02's window: the latest one's start - 364 days ... its start
        window = rule("M02").thresholds["window_days"]
        latest = emergencies[-1].start_date
        measures.emergency_admissions_12_months = sum(
            1 for a in emergencies if 0 <= (latest - a.start_date).days <= window)
    measures.readmissions_30_days = len(ctx.readmissions)
    _days_at_home(ctx, measures)
    measures.handoffs = [
        HandoffMeasure(link.source.id, link.target.id, link.method, link.derived, max(0, link.gap_days))
        for link in ctx.handoffs]
    measures.organisations = len(ctx.pathway_orgs)
    measures.regulators = len({code for org in ctx.pathway_orgs for code in ctx.regulators[org.id]})
    measures.funding_regimes = len(set(map(_FUNDING, ctx.steps)) - {None, ""})  # those recorded
    measures.duplicate_assessments = len(duplicated_assessments(ctx))
    return measures


def _admission(ctx: CaseContext, admission: Step, delayed: int) -> AdmissionMeasure:
    start, end = admission.start_date, admission.end_date
    return AdmissionMeasure(
        admission.id, admission.organisation, start, end, is_emergency(admission),
        None if end is None else (end - start).days,
        delayed, ctx.delay_attribution(admission) if delayed else None)


def _away(ctx: CaseContext, period_end: date) -> list[tuple[date, date]]:
    """Merged [start, end) spans away from her usual place of residence: in an admission, or in a
    placement that is not permanent (an interim or step-down bed). A permanent placement makes
    the care home her home from its start, so it is never time away; nor is any placement for a
    person whose living situation is a care or nursing home: she lives there throughout."""
    in_care_home = ctx.person.living_situation in CARE_HOME_LIVING
    away = ctx.admissions
    if not in_care_home:
        away = away + [p for p in ctx.of_kind.get("placement", []) if p.permanent is not True]
    # the dates worked out once by the context; the spans are sorted, so the steps' order is no matter
    starts, ends, position = ctx.start_dates, ctx.end_dates, ctx.position
    spans = sorted((starts[i], max(starts[i], ends[i] or period_end))
                   for i in [position[id(s)] for s in away])
    merged: list[tuple[date, date]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _within(earlier: date | None, later: date) -> bool:
    return earlier is not None and 0 <= (later - earlier).days <= DISCHARGED_INTO_DAYS


def _hospital_discharge_before(ctx: CaseContext, reablement: Step) -> date | None:
    """The hospital discharge that led into this reablement: an admission ending up to 7 days
    before it, directly or through a step-down bed (a placement that is not permanent) entered
    within 7 days of leaving hospital and left within 7 days before the reablement."""
    start = reablement.start_date
    ends = [a.end_date for a in ctx.admissions if a.end_date is not None]
    direct = [end for end in ends if _within(end, start)]
    stepped = [end for p in ctx.of_kind.get("placement", [])
               if p.permanent is not True and _within(p.end_date, start)
               for end in ends if _within(end, p.start_date)]
    return max(direct + stepped, default=None)


def _days_at_home(ctx: CaseContext, measures: Measures) -> None:
    first = ctx.start_dates[0]
    # the latest end or start: the starts are in order, so the last start is the latest
    latest_start = ctx.start_dates[-1]
    last = max(latest_start, max(filter(None, ctx.end_dates), default=latest_start))
    measures.period_start, measures.period_end = first, last
    measures.days_in_period = (last - first).days + 1
    away = _away(ctx, last)
    measures.days_away_from_home = sum((end - start).days for start, end in away)
    measures.share_of_days_at_home = 1 - measures.days_away_from_home / measures.days_in_period
    measures.new_permanent_placements = sum(
        1 for p in ctx.of_kind.get("placement", []) if p.permanent is True)
    deaths = [s.start_date for s in ctx.of_kind.get("death", [])]
    for step in ctx.reablement:
        left = _hospital_discharge_before(ctx, step)
        if left is None:
            continue
        check = left + timedelta(days=AT_HOME_AFTER_DAYS)
        known = check <= last
        at_home: bool | None = None
        if known:
            inside = any(start <= check < end for start, end in away)
            at_home = not inside and not any(d <= check for d in deaths)
        measures.reablement.append(ReablementOutcome(
            step=step.id, discharged_on=left, at_home_after_91_days=at_home,
            in_official_figure=step.funding != "self_funded"))
