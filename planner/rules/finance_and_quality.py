"""M14 Finance and quality oversight pull apart.

An organisation on the pathway in financial recovery whose CQC rating is requires improvement or
inadequate. One finding per organisation, naming the steps there.
"""

from __future__ import annotations

from collections.abc import Iterator

from planner.rules import phrases
from planner.rules.context import CaseContext
from planner.rules.engine import Occurrence

RULE_ID = "M14"
POOR_RATINGS = frozenset({"requires_improvement", "inadequate"})


def check(ctx: CaseContext) -> Iterator[Occurrence]:
    for org in ctx.pathway_orgs:
        oversight = org.oversight
        if oversight is None or oversight.financial_recovery is not True:
            continue
        if oversight.cqc_rating not in POOR_RATINGS:
            continue
        steps = [s for s in ctx.steps if s.organisation == org.id]
        regulators = ctx.regulator_set.get(org.id, frozenset())
        # "rated by CQC" only where CQC regulates it; otherwise the rating is as the case records it
        cqc = "CQC" in regulators
        rated, by_cqc = ("rated", " by CQC") if cqc else ("has a recorded quality rating of", "")
        under_nhse = " under NHS England" if "NHSE" in regulators else ""
        yield (
            steps,
            (org,),
            (
                f"{org.name} is in financial recovery{under_nhse} and {rated} "
                f"{phrases.said('cqc_rating', oversight.cqc_rating)}{by_cqc}; "
                f"{len(steps)} of {ctx.their} steps took place there."
            ),
        )
