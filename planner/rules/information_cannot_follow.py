"""M08 Information cannot follow her.

A handoff (given or derived) by letter, phone, none or unknown into a step whose organisation
lacks shared-record access; or consent absent, or other than given, best interests or lasting
power of attorney, while the organisations on the pathway span 2 or more sectors; or no NHS
number.
"""

from __future__ import annotations

from collections.abc import Iterator

from planner.rules import phrases
from planner.rules.catalogue import rule
from planner.rules.context import CaseContext, Link
from planner.rules.engine import Occurrence

RULE_ID = "M08"
#: Its occurrences between two steps come from handoffs, given or derived (key findings rank
#: those resting on a derived handoff after those resting on a recorded one).
READS_HANDOFFS = True
WEAK_METHODS = frozenset({"letter", "phone", "none", "unknown"})
CONSENT_TO_SHARE = frozenset({"given", "best_interests", "lasting_power_of_attorney"})


def _weak_handoff(ctx: CaseContext, link: Link) -> str:
    receiver = ctx.orgs[link.target.organisation]
    access = ("has no access" if receiver.shared_record_access is False else "has no recorded access")
    return (
        f"{phrases.first_upper(ctx.what(link.target))} at {receiver.name} ({ctx.day(link.on)}) followed "
        f"{ctx.what(link.source)} at {ctx.name(link.source)} {phrases.method(link)}, and "
        f"{receiver.name} {access} to {ctx.their} shared record.")


def check(ctx: CaseContext) -> Iterator[Occurrence]:
    # the known organisations without shared-record access, found once: a case has a dozen or
    # so organisations and fifty or so handoffs
    cut_off = {org_id for org_id, org in ctx.orgs.items() if org.shared_record_access is not True}
    for link in ctx.handoffs:
        if link.method in WEAK_METHODS and link.target.organisation in cut_off:
            yield (link.source, link.target), None, (_weak_handoff, ctx, link)

    sectors = {org.sector for org in ctx.pathway_orgs}
    consent = ctx.person.consent
    if len(sectors) >= rule(RULE_ID).thresholds["min_sectors"] and (
        consent is None or consent.status not in CONSENT_TO_SHARE
    ):
        state = "not recorded" if consent is None else phrases.said("consent_status", consent.status)
        evidence = (
            f"{len(sectors)} sectors care for {ctx.them}, but {ctx.their} consent to share information is "
            f"{state}."
        )
        yield (), ctx.pathway_orgs, evidence
    if not ctx.person.nhs_number:
        yield (), (), (
            f"No NHS number is recorded, so {ctx.their} records cannot be matched across organisations."
        )
