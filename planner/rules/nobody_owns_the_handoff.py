"""M13 Nobody owns the handoff.

No coordinator at all (one finding per case); or a care-plan action with no owner; or a handoff
(given or derived) between organisations whose regulator sets differ, with no named receiver, on
a date when no coordinator is active (from <= date <= to, an absent "to" meaning still active).
"""

from __future__ import annotations

from collections.abc import Iterator

from planner.rules import phrases
from planner.rules.context import CaseContext
from planner.rules.engine import Occurrence

RULE_ID = "M13"


def check(ctx: CaseContext) -> Iterator[Occurrence]:
    case = ctx.case
    if not case.coordinator:
        yield Occurrence([], [], (f"Nobody has been named as {ctx.their} care coordinator."))
    for action in case.care_plan.actions if case.care_plan else []:
        if action.owner is None:
            yield Occurrence([], [], f"The agreed action “{action.description}” has no owner.")
    for link in ctx.handoffs:
        sender, receiver = ctx.org(link.source), ctx.org(link.target)
        if sender is None or receiver is None or link.named_receiver:
            continue
        sent_by, received_by = ctx.regulators[sender.id], ctx.regulators[receiver.id]
        if set(sent_by) == set(received_by) or case.coordinator_on(link.on) is not None:
            continue
        evidence = (
            f"On {ctx.day(link.on)} {ctx.what(link.source)} at {sender.name} "
            f"({phrases.regulators(sent_by)}) handed over to {ctx.what(link.target)} at {receiver.name} "
            f"({phrases.regulators(received_by)}) {phrases.method(link)}. No receiver was named, and "
            f"nobody was coordinating {ctx.their} care at the time."
        )
        yield Occurrence([link.source, link.target], [sender, receiver], evidence)
