"""M09 Across a boundary.

The person's area is set, and a step is at an organisation whose area is set and differs from it
(ignoring case and all white space). One finding per such step.
"""

from __future__ import annotations

from collections.abc import Iterator

from planner.rules import phrases
from planner.rules.context import CaseContext
from planner.rules.engine import Occurrence

RULE_ID = "M09"


def _same(area: str) -> str:
    return "".join(area.split()).casefold()


def check(ctx: CaseContext) -> Iterator[Occurrence]:
    home = ctx.person.area
    if not home:
        return
    for step in ctx.steps:
        org = ctx.org(step)
        if org is None or not org.area or _same(org.area) == _same(home):
            continue
        evidence = (
            f"{phrases.first_upper(ctx.what(step))} on {ctx.day(step.start_date)} "
            f"at {org.name}, in {org.area}, while {ctx.they} {ctx.live} in {home}."
        )
        yield Occurrence([step], [org], evidence)
