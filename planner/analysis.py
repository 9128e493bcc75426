"""Findings and measures for a case, worked out together from one case context."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from planner.measures import Measures, compute_measures
from planner.model import Annotation, Case
from planner.rules import Finding, FindingReport, evaluate
from planner.rules.context import CaseContext


@dataclass
class Analysis:
    report: FindingReport
    measures: Measures


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the engine runs.

    The engine makes many small objects (findings, lists, sets) and no reference cycles, so
    everything it makes is freed by reference counting anyway; the cyclic collector would only
    walk them again and again, about a fifth of the time on a 50-step case."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def analyse(case: Case) -> Analysis:
    """Findings and measures of a case, from one case context."""
    with _collector_paused():
        context = CaseContext(case)
        return Analysis(evaluate(case, context), compute_measures(case, context))


def annotation_json(note: Annotation | None) -> dict[str, Any] | None:
    if note is None:
        return None
    return {"status": note.status, "comment": note.comment, "steps": list(note.steps)}


def finding_json(finding: Finding) -> dict[str, Any]:
    """A finding as the command line and exports print it; references use case-file ids."""
    return {
        "rule": finding.rule, "title": finding.title, "severity": finding.severity,
        "steps": finding.steps, "organisations": finding.organisations,
        "regulators": finding.regulators, "evidence": finding.evidence,
        "question": finding.question, "annotation": annotation_json(finding.annotation),
    }
