"""M04 Contested delay attribution.

An admission with at least 1 delayed day [design] whose delay is attributed to social care or
both while in an NHS bed, or to the NHS or both while in a bed outside the NHS.
"""

from __future__ import annotations

from collections.abc import Iterator

from planner.model import Organisation, Step
from planner.rules import phrases
from planner.rules.catalogue import rule
from planner.rules.context import CaseContext
from planner.rules.engine import Occurrence

RULE_ID = "M04"
CONTESTED = {True: frozenset({"social_care", "both"}), False: frozenset({"nhs", "both"})}


def check(ctx: CaseContext) -> Iterator[Occurrence]:
    minimum = rule(RULE_ID).thresholds["min_delayed_days"]
    for admission, delayed in zip(ctx.admissions, ctx.delays, strict=True):
        org = ctx.org(admission)
        if delayed < minimum or org is None:
            continue
        nhs_bed = ctx.is_nhs_bed(admission)
        attribution = ctx.delay_attribution(admission)
        if attribution in CONTESTED[nhs_bed]:
            yield (admission,), [org], (_contested, ctx, admission, org, nhs_bed, attribution)


def _contested(ctx: CaseContext, admission: Step, org: Organisation, nhs_bed: bool, attribution: str) -> str:
    reason = (
        phrases.said("delay_reason", admission.delay_reason)
        if admission.delay_reason
        else "no reason recorded"
    )
    source = "as recorded" if admission.delay_attribution else "by default for that reason"
    return (
        f"Ready for discharge from {org.name} ({'an NHS bed' if nhs_bed else 'a bed outside the NHS'}) "
        f"on {ctx.day(admission.ready_for_discharge)}, but {ctx.they} left on "
        f"{ctx.day(admission.end_date)}: "
        f"{phrases.days(admission.delayed_days)} delayed, {reason}, attributed to "
        f"{phrases.said('delay_attribution', attribution)} ({source})."
    )
