"""M07 Duplicated assessment.

Two assessment steps with the same assessment domain (absent or "other" never match), by
different organisations, starting within 28 days [design] of each other. One finding per pair.
"""

from __future__ import annotations

from collections.abc import Iterator

from planner.model import Step
from planner.reference import label
from planner.rules import phrases
from planner.rules.context import CaseContext
from planner.rules.engine import Occurrence

RULE_ID = "M07"


def pairs(ctx: CaseContext) -> list[tuple[Step, Step]]:
    """Every pair of duplicated assessments, earlier first (also counted by the measures): worked
    out once by the case context."""
    return ctx.duplicated_assessments


def check(ctx: CaseContext) -> Iterator[Occurrence]:
    for first, second in pairs(ctx):
        yield (first, second), None, (_duplicated, ctx, first, second)


def _duplicated(ctx: CaseContext, first: Step, second: Step) -> str:
    domain = label("assessment_domain", first.assessment_domain)
    return (
        f"{domain} assessment by {ctx.name(first)} on {ctx.day(first.start_date)} "
        f"and again by {ctx.name(second)} on {ctx.day(second.start_date)}, "
        f"{phrases.days((second.start_date - first.start_date).days)} apart."
    )
