"""M15 Procured in pieces.

Two service steps adjacent in the order of service steps, the second starting no more than 7
days [design] after the first's end date (an overlap counts), delivered by different
organisations under different contracts (a missing contract counts as different). A first
service with no end never fires.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

from planner.model import Step
from planner.rules import phrases
from planner.rules.catalogue import rule
from planner.rules.context import CaseContext
from planner.rules.engine import Occurrence

RULE_ID = "M15"


def check(ctx: CaseContext) -> Iterator[Occurrence]:
    limit = rule(RULE_ID).thresholds["max_gap_days"]
    services = ctx.of_kind.get("service", [])
    for first, second in pairwise(services):
        if first.end_date is None or first.organisation == second.organisation:
            continue
        if first.contract is not None and first.contract == second.contract:
            continue
        gap = ctx.gap(first, second)
        if gap <= limit:
            yield (first, second), None, (_in_pieces, ctx, first, second, gap)


def _in_pieces(ctx: CaseContext, first: Step, second: Step, gap: int) -> str:
    when = (
        "began the same day"
        if gap == 0
        else f"began {phrases.days(gap)} later"
        if gap > 0
        else "overlapped it"
    )
    return (
        f"{phrases.first_upper(ctx.what(first))} from {ctx.name(first)} (contract: "
        f"{first.contract or 'none recorded'}) ended on {ctx.day(first.end_date)}; "
        f"{ctx.what(second)} from {ctx.name(second)} (contract: {second.contract or 'none recorded'}) "
        f"{when}, on {ctx.day(second.start_date)}."
    )
