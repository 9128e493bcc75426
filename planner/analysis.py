"""Findings and measures for a case, worked out together from one case context."""

from __future__ import annotations

import gc
from dataclasses import dataclass
from typing import Any

from planner.key_findings import KeyFindings, rank
from planner.measures import Measures, compute_measures
from planner.model import RECORD_KEY, Annotation, Case
from planner.rules import Finding, FindingReport, evaluate
from planner.rules.context import CaseContext


@dataclass
class Analysis:
    report: FindingReport
    measures: Measures
    #: The rules ranked, the key findings first (DOMAIN.md section 3a).
    key: KeyFindings


def analyse(case: Case) -> Analysis:
    """Findings and measures of a case, from one case context.

    Python's cyclic garbage collector is paused while the engine runs. The engine makes many
    small objects (findings, lists, tuples) and no reference cycles, so everything it makes is
    freed by reference counting anyway; the collector would only walk them again and again.
    If the collector was paused by the caller, it is left so.

    Resuming it is the very last thing done, with nothing made after it: the first object made
    once the collector runs again may start a collection, and one started here, with the
    analysis still alive, would walk all of it and move it to an older generation, bringing
    nearer a full collection, which walks every long-lived object of the process (seconds in a
    process holding many cases). A caller that drops the analysis frees it before that."""
    if not gc.isenabled():
        return _analyse(case)
    gc.disable()
    try:
        return _analyse(case)
    finally:
        gc.enable()


def _analyse(case: Case) -> Analysis:
    context = CaseContext(case)
    report = evaluate(case, context)
    pinned: set[str] = set()
    unpinned: set[str] = set()
    held = case.extensions.get(RECORD_KEY) if isinstance(case.extensions, dict) else None
    if isinstance(held, dict) and held.get("key_pins"):  # the team pinned rules as key, or took them off
        from planner.annotating import pins

        team = pins(case)
        pinned, unpinned = team.pinned, team.unpinned
    return Analysis(report, compute_measures(case, context), rank(report, context, pinned=pinned,
                                                                   unpinned=unpinned))


def annotation_json(note: Annotation | None) -> dict[str, Any] | None:
    if note is None:
        return None
    return {"status": note.status, "comment": note.comment, "steps": list(note.steps)}


def finding_json(finding: Finding, key: KeyFindings | None = None) -> dict[str, Any]:
    """A finding as the command line and exports print it; references use case-file ids. With the
    case's key findings: ``key_rank`` (1-5 on every occurrence of a key rule, else null), the harm
    in days attached to it and whether it rests on a derived handoff."""
    data: dict[str, Any] = {
        "rule": finding.rule, "title": finding.title, "severity": finding.severity,
        "steps": finding.steps, "organisations": finding.organisations,
        "regulators": finding.regulators, "evidence": finding.evidence,
        "question": finding.question, "annotation": annotation_json(finding.annotation),
    }
    if key is not None:
        data["key_rank"] = key.key_rank(finding)
        data["harm_days"] = key.harm_days(finding)
        data["derived"] = key.derived(finding)
    return data
