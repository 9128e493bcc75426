"""M12 Same story, different clocks.

A reablement or intermediate care step that is self-funded (missing from the council's annual
91-day measure); or an admission with delayed days and another step (not the admission itself) at
a local authority starting on or after the admission's start (the delay shows in monthly NHS
returns, the outcome in annual council returns). One finding per such step, and per such admission.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator

from planner.model import Step
from planner.rules import phrases
from planner.rules.context import CaseContext
from planner.rules.engine import Occurrence

RULE_ID = "M12"


def check(ctx: CaseContext) -> Iterator[Occurrence]:
    # the reablement and intermediate care steps, found once per case (the measures read them too)
    for step in ctx.reablement:
        if step.funding == "self_funded":
            yield (step,), None, (_self_funded, ctx, step)
    council = ctx.in_sectors({"local_authority"})
    council_days = [s.start_date for s in council]
    for admission, delayed in zip(ctx.admissions, ctx.delays, strict=True):
        if delayed <= 0:
            continue
        # "on or after" the start is a day comparison: the date part decides
        index = bisect_left(council_days, admission.start_date)
        if index < len(council) and council[index] is admission:
            index += 1  # an admission at the council itself is not the council's part
        if index == len(council):
            continue
        after = council[index]
        yield (admission, after), None, (_two_returns, ctx, admission, after)


def _self_funded(ctx: CaseContext, step: Step) -> str:
    return (
        f"{phrases.first_upper(ctx.what(step))} from {ctx.name(step)} "
        f"on {ctx.day(step.start_date)} is "
        "self-funded, so it is missing from the council's annual measure of people still at "
        "home 91 days after reablement."
    )


def _two_returns(ctx: CaseContext, admission: Step, after: Step) -> str:
    return (
        f"{phrases.days(admission.delayed_days)} delayed at {ctx.name(admission)} "
        f"{'counts' if admission.delayed_days == 1 else 'count'} "
        f"in the NHS's monthly returns; {ctx.name(after)}'s part ({ctx.what(after)}, "
        f"{ctx.day(after.start_date)}) shows only in annual council returns."
    )
