"""M11 Care outside any care regulator.

A step at, or a care-plan action owned by (directly, or through the owner's organisation), a
voluntary organisation that is not CQC-registered or whose funding is time-limited.
"""

from __future__ import annotations

from collections.abc import Iterator

from planner.model import Organisation, Step
from planner.reference import is_cqc_registered
from planner.rules import phrases
from planner.rules.context import CaseContext
from planner.rules.engine import Occurrence

RULE_ID = "M11"


def _why(org: Organisation) -> str:
    reasons = []
    if not is_cqc_registered(org):
        reasons.append("is not registered with CQC")
    if org.funding_term == "time_limited":
        reasons.append("is funded for a limited time")
    return phrases.listing(reasons)


def check(ctx: CaseContext) -> Iterator[Occurrence]:
    outside = {
        org.id: org
        for org in ctx.case.organisations
        if org.sector == "voluntary" and (not is_cqc_registered(org) or org.funding_term == "time_limited")
    }
    if not outside:
        return
    # the steps there picked out in one comprehension: quicker than a look-up per step
    for step in [s for s in ctx.steps if s.organisation in outside]:
        provider = outside[step.organisation]
        yield (step,), (provider,), (_provided_by, ctx, step, provider)
    plan = ctx.case.care_plan
    # the first member with each id, as Case.member finds them
    members = {member.id: member for member in reversed(ctx.case.team)}
    for action in plan.actions if plan else []:
        if action.owner is None:
            continue
        member = members.get(action.owner)
        org_id = member.organisation if member is not None else action.owner
        org = outside.get(org_id or "")
        if org is not None:
            owner = f"{member.name} of {org.name}" if member is not None else org.name
            yield (), (org,), (
                f"The agreed action “{action.description}” is owned by {owner}, a voluntary "
                f"organisation that {_why(org)}."
            )


def _provided_by(ctx: CaseContext, step: Step, org: Organisation) -> str:
    return (
        f"{phrases.first_upper(ctx.what(step))} from {ctx.day(step.start_date)} is provided by "
        f"{org.name}, a voluntary organisation that {_why(org)}."
    )
