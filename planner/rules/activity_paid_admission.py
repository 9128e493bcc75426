"""M02 Activity-paid admission, block-paid alternative.

An emergency admission at an organisation paid by activity (or blended payment) that is at least
the 2nd emergency admission [design] counting those starting from 364 days [design] before its
start up to it, while a primary care or community health organisation on the pathway is paid by
block or capitation. One finding per such admission.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from datetime import timedelta

from planner.model import Organisation, Step
from planner.rules import phrases
from planner.rules.catalogue import rule
from planner.rules.context import CaseContext
from planner.rules.engine import Occurrence

RULE_ID = "M02"
PAID_PER_ADMISSION = {
    "activity": "by activity for each admission",
    "blended": "partly for each admission (blended payment)",
}
PAID_FIXED = frozenset({"block", "capitation"})
ALTERNATIVE_SECTORS = frozenset({"primary_care", "community_health"})


def check(ctx: CaseContext) -> Iterator[Occurrence]:
    limits = rule(RULE_ID).thresholds
    alternatives = [
        org
        for org in ctx.pathway_orgs
        if org.sector in ALTERNATIVE_SECTORS and ctx.payment[org.id] in PAID_FIXED
    ]
    if not alternatives:
        return
    emergencies = ctx.emergency_admissions
    starts = [admission.start_date for admission in emergencies]
    for index, admission in enumerate(emergencies):
        org = ctx.org(admission)
        how = PAID_PER_ADMISSION.get(ctx.payment[org.id] or "") if org is not None else None
        if org is None or how is None:
            continue
        first = bisect_left(starts, admission.start_date - timedelta(days=limits["window_days"]))
        counted = emergencies[first : index + 1]
        if len(counted) < limits["min_emergency_admissions"]:
            continue
        yield counted, [org, *ctx.orgs_of(*counted), *alternatives], (
            _evidence, ctx, org, how, counted, alternatives)


def _evidence(ctx: CaseContext, org: Organisation, how: str, counted: list[Step],
              alternatives: list[Organisation]) -> str:
    admission = counted[-1]
    earlier = phrases.listing([ctx.day(a.start_date) for a in counted[:-1]])
    fixed = phrases.listing([
        f"{alternative.name} ({phrases.said('payment_model', ctx.payment[alternative.id])})"
        for alternative in alternatives
    ])
    return (
        f"Emergency admission to {org.name} on {ctx.day(admission.start_date)}, {ctx.their} "
        f"{phrases.ordinal(len(counted))} in 12 months (before: {earlier}). {org.name} is paid "
        f"{how}, while {fixed} "
        f"{'is' if len(alternatives) == 1 else 'are'} paid the same whether or not "
        f"{ctx.they} {ctx.is_} admitted."
    )
