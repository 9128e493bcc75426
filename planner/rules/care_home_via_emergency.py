"""M10 Care home resident, NHS access by default through A&E.

An emergency attendance or admission while she lives in a care home (after a permanent placement
step; or, where the case has no placement step at all, when her living situation is care home or
nursing home) with no other step at a primary care or community health organisation starting in
the 14 days [design] before it (from its date minus 14 up to its date, inclusive).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from datetime import timedelta

from planner.model import Step
from planner.reference import label
from planner.rules.catalogue import rule
from planner.rules.context import CaseContext, is_emergency
from planner.rules.engine import Occurrence

RULE_ID = "M10"
CARE_HOME_LIVING = frozenset({"care_home", "nursing_home"})
LOCAL_NHS = frozenset({"primary_care", "community_health"})


def check(ctx: CaseContext) -> Iterator[Occurrence]:
    window = timedelta(days=rule(RULE_ID).thresholds["window_days"])
    placements = ctx.of_kind.get("placement", [])
    if not placements and ctx.person.living_situation not in CARE_HOME_LIVING:
        return
    local = ctx.in_sectors(LOCAL_NHS)
    local_days = [s.start_date for s in local]
    for event in ctx.steps:
        if event.kind not in ("attendance", "admission") or not is_emergency(event):
            continue
        home: Step | None = None
        if placements:
            position = ctx.position[id(event)]
            home = next(
                (p for p in reversed(placements) if p.permanent is True and ctx.position[id(p)] < position),
                None,
            )
            if home is None:
                continue
        day = event.start_date
        first, last = bisect_left(local_days, day - window), bisect_right(local_days, day)
        if any(s is not event for s in local[first:last]):
            continue
        before = [s for s in local[:first] if s is not event]
        previous = f"the last was on {ctx.day(before[-1].start_date)}" if before else "none is recorded"
        where = ctx.name(home) if home else label("living_situation", ctx.person.living_situation).lower()
        evidence = (
            f"Emergency {label('kind', event.kind).lower()} at {ctx.name(event)} on {ctx.day(day)} while "
            f"{ctx.they} {ctx.live} in {where}, with no GP or community health contact in the "
            f"{window.days} days before ({previous})."
        )
        steps = [home, event] if home else [event]
        yield steps, None, evidence
