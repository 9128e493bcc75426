"""M05 Target met, outcome lost.

A readmission (an emergency admission 0-29 days after the end of an earlier admission), or a
placement after hospital. One finding per readmission or placement.
"""

from __future__ import annotations

from collections.abc import Iterator

from planner.model import Step
from planner.rules import phrases
from planner.rules.context import CaseContext
from planner.rules.engine import Occurrence

RULE_ID = "M05"


def check(ctx: CaseContext) -> Iterator[Occurrence]:
    for earlier, readmission in ctx.readmissions:
        yield (earlier, readmission), None, (_readmitted, ctx, earlier, readmission)
    for admission, placement in ctx.placements_after_hospital:
        yield (admission, placement), None, (_placed, ctx, admission, placement)


def _readmitted(ctx: CaseContext, earlier: Step, readmission: Step) -> str:
    delayed = earlier.delayed_days
    if delayed:  # not a success in the delayed-transfer figures: say what they counted
        measured = (f"The first stay's {phrases.days(delayed)} of delay counted in the delayed-transfer "
                    "figures and its discharge in the length-of-stay figures; neither counted the "
                    "readmission that followed.")
    else:
        measured = ("The first discharge counted as a success in the hospital's length-of-stay and "
                    "delayed-transfer figures.")
    return (
        f"Discharged from {ctx.name(earlier)} on {ctx.day(earlier.end_date)}; back as an emergency "
        f"admission to {ctx.name(readmission)} on {ctx.day(readmission.start_date)}, "
        f"{phrases.days(ctx.gap(earlier, readmission))} later. {measured}"
    )


def _placed(ctx: CaseContext, admission: Step, placement: Step) -> str:
    return (
        f"Left {ctx.name(admission)} on {ctx.day(admission.end_date)} and moved permanently into "
        f"{ctx.name(placement)} on {ctx.day(placement.start_date)}, "
        f"{phrases.days(ctx.gap(admission, placement))} later, with no reablement or intermediate "
        "care in between."
    )
