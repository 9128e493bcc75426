"""M03 Free NHS care meets means-tested care.

A handoff (given or derived) from an NHS-funded step to a means-tested one, or the reverse; or
any step whose Continuing Healthcare status is pending or disputed.
"""

from __future__ import annotations

from collections.abc import Iterator

from planner.model import Step
from planner.rules import phrases
from planner.rules.context import MEANS_TESTED, NHS_FUNDED, CaseContext, Link
from planner.rules.engine import Occurrence

RULE_ID = "M03"
#: Its occurrences between two steps come from handoffs, given or derived (key findings rank
#: those resting on a derived handoff after those resting on a recorded one).
READS_HANDOFFS = True
UNDECIDED = frozenset({"pending", "disputed"})


def _funding_changes(ctx: CaseContext, link: Link) -> str:
    source, target = link.source, link.target
    return (
        f"{phrases.first_upper(ctx.what(source))} at {ctx.name(source)} on {ctx.day(source.start_date)} "
        f"was {phrases.funding(source.funding)}; {ctx.what(target)} at {ctx.name(target)} on "
        f"{ctx.day(target.start_date)} is {phrases.funding(target.funding)}. {phrases.handoff(link)}")


def _undecided(ctx: CaseContext, step: Step) -> str:
    return (
        f"NHS Continuing Healthcare {phrases.said('chc_status', step.chc_status)} at "
        f"{ctx.what(step)} ({ctx.name(step)}, {ctx.day(step.start_date)}): until it is decided, "
        f"nobody can say whether the NHS or {ctx.they} and the council will pay."
    )


def check(ctx: CaseContext) -> Iterator[Occurrence]:
    for link in ctx.handoffs:
        before, after = link.source.funding, link.target.funding
        if (
            (before in NHS_FUNDED and after in MEANS_TESTED)
            or (before in MEANS_TESTED and after in NHS_FUNDED)
        ):
            yield (link.source, link.target), None, (_funding_changes, ctx, link)
    for step in ctx.steps:
        if step.chc_status in UNDECIDED:
            yield (step,), None, (_undecided, ctx, step)
