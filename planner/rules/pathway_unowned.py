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
    steps: list[Step] = []
    outcomes: list[str] = []
    for admission in ctx.admissions:
        if admission.delayed_days > 0:
            steps.append(admission)
            outcomes.append(
                f"{phrases.days(admission.delayed_days)} delayed at {ctx.name(admission)} "
                f"(ready {ctx.day(admission.ready_for_discharge)}, left {ctx.day(admission.end_date)})"
            )
    for earlier, readmission in ctx.readmissions:
        steps += [earlier, readmission]
        outcomes.append(
            f"readmitted to {ctx.name(readmission)} on {ctx.day(readmission.start_date)}, "
            f"{phrases.days(ctx.gap(earlier, readmission))} after leaving {ctx.name(earlier)}"
        )
    for admission, placement in ctx.placements_after_hospital:
        steps += [admission, placement]
        outcomes.append(
            f"moved permanently into {ctx.name(placement)} on {ctx.day(placement.start_date)}, "
            f"straight from {ctx.name(admission)}"
        )
    if not outcomes:
        return
    evidence = (
        f"{len(orgs)} organisations on {ctx.their} pathway answer to {len(codes)} regulators "
        f"({phrases.regulators(codes)}), each rating its own part, and none is assessed at system "
        f"level. Adverse outcomes: {'; '.join(outcomes)}."
    )
    yield Occurrence(steps, list(orgs), evidence)
