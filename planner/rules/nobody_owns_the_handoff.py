"""M13 Nobody owns the handoff.

No coordinator at all (one finding per case); or a care-plan action with no owner; or a handoff
(given or derived) between organisations whose regulator sets differ, with no named receiver, on
a date when no coordinator is active (from <= date <= to, an absent "to" meaning still active).
"""

from __future__ import annotations

from collections.abc import Iterator

from planner.model import Organisation
from planner.rules import phrases
from planner.rules.context import CaseContext, Link
from planner.rules.engine import Occurrence

RULE_ID = "M13"
#: Its occurrences between two steps come from handoffs, given or derived (key findings rank
#: those resting on a derived handoff after those resting on a recorded one).
READS_HANDOFFS = True


def check(ctx: CaseContext) -> Iterator[Occurrence]:
    case = ctx.case
    if not case.coordinator:
        yield (), (), f"Nobody has been named as {ctx.their} care coordinator."
    for action in case.care_plan.actions if case.care_plan else []:
        if action.owner is None:
            yield (), (), f"The agreed action “{action.description}” has no owner."
    orgs, regulator_set = ctx.orgs, ctx.regulator_set  # both by the id of each known organisation
    periods = [(c.start, c.end) for c in case.coordinator]
    for link in ctx.handoffs:
        if link.named_receiver:
            continue
        sender_codes = regulator_set.get(link.source.organisation)
        receiver_codes = regulator_set.get(link.target.organisation)
        if sender_codes is None or receiver_codes is None or sender_codes == receiver_codes:
            continue
        day = link.on
        for start, end in periods:
            if start <= day and (end is None or day <= end):
                break  # a coordinator was active that day
        else:
            sender, receiver = orgs[link.source.organisation], orgs[link.target.organisation]
            yield (link.source, link.target), None, (_unowned, ctx, link, sender, receiver)


def _unowned(ctx: CaseContext, link: Link, sender: Organisation, receiver: Organisation) -> str:
    return (
        f"On {ctx.day(link.on)} {ctx.what(link.source)} at {sender.name} "
        f"({phrases.regulators(ctx.regulators[sender.id])}) handed over to {ctx.what(link.target)} at "
        f"{receiver.name} ({phrases.regulators(ctx.regulators[receiver.id])}) {phrases.method(link)}. "
        f"No receiver was named, and nobody was coordinating {ctx.their} care at the time.")
