"""M06 Weekend gap and lapsed care package.

An admission ready for discharge on a Friday, Saturday or Sunday whose end date is later; or a
home care (domiciliary care) service ending during an admission (start date <= its end <= the
admission's end date) followed by another home care service starting on or after the admission's
end date.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from planner.model import Step
from planner.rules import phrases
from planner.rules.catalogue import rule
from planner.rules.context import CaseContext
from planner.rules.engine import Occurrence

RULE_ID = "M06"
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def check(ctx: CaseContext) -> Iterator[Occurrence]:
    weekend = {WEEKDAYS.index(day) for day in rule(RULE_ID).thresholds["weekend_days"]}
    for admission in ctx.admissions:
        ready, end = admission.ready_for_discharge, admission.end_date
        if ready is None or end is None or ready.weekday() not in weekend or end <= ready:
            continue
        yield (admission,), None, (_weekend, ctx, admission, ready, end)

    home_care = ctx.in_sectors({"domiciliary_care"}, ctx.of_kind.get("service", []))
    for service in home_care:
        ended = service.end_date
        if ended is None:
            continue
        for admission in ctx.admissions:
            out = admission.end_date
            if out is None or not admission.start_date <= ended <= out:
                continue
            restart = next((s for s in home_care if s is not service and s.start_date >= out), None)
            if restart is None:
                continue
            yield (service, admission, restart), None, (_lapsed, ctx, service, admission, restart)


def _weekend(ctx: CaseContext, admission: Step, ready: date, end: date) -> str:
    return (
        f"Ready for discharge from {ctx.name(admission)} on {WEEKDAYS[ready.weekday()]} "
        f"{ctx.day(ready)}; {ctx.they} left on {WEEKDAYS[end.weekday()]} {ctx.day(end)}, "
        f"{phrases.days((end - ready).days)} later."
    )


def _lapsed(ctx: CaseContext, service: Step, admission: Step, restart: Step) -> str:
    return (
        f"Home care from {ctx.name(service)} ended on {ctx.day(service.end_date)}, during {ctx.their} "
        f"admission to {ctx.name(admission)} ({ctx.day(admission.start_date)} to "
        f"{ctx.day(admission.end_date)}); after discharge it had to start again: {ctx.name(restart)} "
        f"from {ctx.day(restart.start_date)}."
    )
