"""M13 Nobody owns the handoff.

No coordinator at all (one finding per case); or a care-plan action with no owner; or a handoff
(given or derived) between organisations whose regulator sets differ, with no named receiver, on
a date when no coordinator is active (from <= date <= to, an absent "to" meaning still active).
"""

from __future__ import annotations

from collections.abc import Iterator

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
    regulator_set = ctx.regulator_set  # by the id of each known organisation
    periods = [(c.start, c.end) for c in case.coordinator]
    for link in ctx.handoffs:
        # unpacked at once: quicker than reading the link's fields one by one, for every handoff
        source, target, _method, named_receiver, _derived, day, _gap = link
        if named_receiver:
            continue
        sender_codes = regulator_set.get(source.organisation)
        receiver_codes = regulator_set.get(target.organisation)
        if sender_codes is None or receiver_codes is None or sender_codes == receiver_codes:
            continue
        for start, end in periods:
            if start <= day and (end is None or day <= end):
                break  # a coordinator was active that day
        else:
            # the organisations are looked up when the evidence is written (both are known)
            yield (source, target), None, (_unowned, ctx, link)


def _unowned(ctx: CaseContext, link: Link) -> str:
    sender, receiver = ctx.orgs[link.source.organisation], ctx.orgs[link.target.organisation]
    return (
        f"On {ctx.day(link.on)} {ctx.what(link.source)} at {sender.name} "
        f"({phrases.regulators(ctx.regulators[sender.id])}) handed over to {ctx.what(link.target)} at "
        f"{receiver.name} ({phrases.regulators(ctx.regulators[receiver.id])}) {phrases.method(link)}. "
        f"No receiver was named, and nobody was coordinating {ctx.their} care at the time.")
