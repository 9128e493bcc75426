"""M09 Across a boundary.

The person's area is set (not empty or only white space), and a step is at an organisation whose
area is set and differs from it (ignoring case and all white space). One finding per such step.
The evidence quotes both areas as they were written, without stray spaces around them.
"""

from __future__ import annotations

from collections.abc import Iterator

from planner.model import Organisation, Step
from planner.rules import phrases
from planner.rules.context import CaseContext
from planner.rules.engine import Occurrence

RULE_ID = "M09"


def _same(area: str) -> str:
    return "".join(area.split()).casefold()


def check(ctx: CaseContext) -> Iterator[Occurrence]:
    home = (ctx.person.area or "").strip()
    if not home:
        return
    here = _same(home)
    elsewhere = {org.id: org for org in ctx.case.organisations
                 if org.area and org.area.strip() and _same(org.area) != here}
    if not elsewhere:
        return
    # the steps elsewhere picked out in one comprehension: quicker than a look-up per step
    for step in [s for s in ctx.steps if s.organisation in elsewhere]:
        org = elsewhere[step.organisation]
        yield (step,), (org,), (_out_of_area, ctx, step, org, home)


def _out_of_area(ctx: CaseContext, step: Step, org: Organisation, home: str) -> str:
    return (f"{phrases.first_upper(ctx.what(step))} on {ctx.day(step.start_date)} "
            f"at {org.name}, in “{(org.area or '').strip()}”, while {ctx.they} {ctx.live} in “{home}”.")
