"""M01 Organisation-rated, pathway-unowned.

Three or more organisations on the pathway with two or more distinct regulators among them, an
adverse outcome (an admission with delayed days, a readmission, or a placement after hospital),
and no organisation on the pathway assessed at system level. One finding per case.
"""

from __future__ import annotations

from collections.abc import Iterator

from planner.model import Step
from planner.rules import phrases
from planner.rules.catalogue import rule
from planner.rules.context import CaseContext
from planner.rules.engine import Occurrence

RULE_ID = "M01"


def check(ctx: CaseContext) -> Iterator[Occurrence]:
    limits = rule(RULE_ID).thresholds
    orgs = ctx.pathway_orgs
    codes = list(dict.fromkeys(code for org in orgs for code in ctx.regulators[org.id]))
    if len(orgs) < limits["min_organisations"] or len(codes) < limits["min_regulators"]:
        return
    if any(org.oversight and org.oversight.system_level_assessment for org in orgs):
        return
    delayed = [a for a, days in zip(ctx.admissions, ctx.delays, strict=True) if days > 0]
    readmissions = ctx.readmissions
    placements = ctx.placements_after_hospital
    if not (delayed or readmissions or placements):
        return
    steps: list[Step] = [*delayed]
    for pair in [*readmissions, *placements]:
        steps += pair
    yield steps, orgs, (_evidence, ctx, codes, delayed)


def _evidence(ctx: CaseContext, codes: list[str], delayed: list[Step]) -> str:
    outcomes = [
        f"{phrases.days(a.delayed_days)} delayed at {ctx.name(a)} "
        f"(ready {ctx.day(a.ready_for_discharge)}, left {ctx.day(a.end_date)})"
        for a in delayed]
    outcomes += [
        f"readmitted to {ctx.name(readmission)} on {ctx.day(readmission.start_date)}, "
        f"{phrases.days(ctx.gap(earlier, readmission))} after leaving {ctx.name(earlier)}"
        for earlier, readmission in ctx.readmissions]
    outcomes += [
        f"moved permanently into {ctx.name(placement)} on {ctx.day(placement.start_date)}, "
        f"straight from {ctx.name(admission)}"
        for admission, placement in ctx.placements_after_hospital]
    return (
        f"{len(ctx.pathway_orgs)} organisations on {ctx.their} pathway answer to {len(codes)} regulators "
        f"({phrases.regulators(codes)}), each rating its own part, and none is assessed at system "
        f"level. Adverse outcomes: {'; '.join(outcomes)}.")
