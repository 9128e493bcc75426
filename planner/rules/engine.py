"""Running the catalogue over a case: occurrences become findings, annotations are matched.

A finding is identified by its rule and the steps it concerns, the key under which the team's
annotations are stored. Occurrences of one rule with the same steps (for example two case-level
problems that concern no step) become one finding with both pieces of evidence, so every key
names exactly one finding. Annotations whose finding no longer fires are reported, never dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import import_module

from planner.model import Annotation, Case, Organisation, Step
from planner.rules.catalogue import rule as rule_info
from planner.rules.catalogue import severity_order
from planner.rules.context import CaseContext

#: The rule modules, by rule id (planner/rules/<module>.py).
RULE_MODULES = {
    "M01": "pathway_unowned",
    "M02": "activity_paid_admission",
    "M03": "free_meets_means_tested",
    "M04": "contested_delay",
    "M05": "target_met_outcome_lost",
    "M06": "weekend_gap_lapsed_package",
    "M07": "duplicated_assessment",
    "M08": "information_cannot_follow",
    "M09": "across_a_boundary",
    "M10": "care_home_via_emergency",
    "M11": "outside_care_regulation",
    "M12": "different_clocks",
    "M13": "nobody_owns_the_handoff",
    "M14": "finance_and_quality",
    "M15": "procured_in_pieces",
}


@dataclass
class Occurrence:
    """What one rule found once: the steps and organisations involved and why, in plain words."""

    steps: list[Step]
    organisations: list[Organisation]
    evidence: str


Check = Callable[[CaseContext], Iterable[Occurrence]]


@dataclass
class Finding:
    rule: str
    title: str
    severity: str
    steps: list[str]
    organisations: list[str]
    regulators: list[str]
    evidence: str
    question: str
    annotations: list[Annotation] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, frozenset[str]]:
        return self.rule, frozenset(self.steps)

    @property
    def annotation(self) -> Annotation | None:
        """The team's current view: the latest confirmation or setting aside, else the latest comment."""
        decisions = [a for a in self.annotations if a.status != "comment"]
        if decisions:
            return decisions[-1]
        return self.annotations[-1] if self.annotations else None

    @property
    def set_aside(self) -> bool:
        current = self.annotation
        return current is not None and current.status == "set_aside"


@dataclass
class FindingReport:
    findings: list[Finding]
    #: Annotations whose finding no longer fires on the case as it is now.
    orphaned: list[Annotation]

    def active(self) -> list[Finding]:
        return [f for f in self.findings if not f.set_aside]

    def counts(self) -> dict[str, int]:
        """Findings not set aside, by severity."""
        counts = dict.fromkeys(severity_order(), 0)
        for finding in self.active():
            counts[finding.severity] += 1
        return counts


def _checks() -> dict[str, Check]:
    if not _CHECKS:
        for rule_id, module in RULE_MODULES.items():
            _CHECKS[rule_id] = import_module(f"planner.rules.{module}").check
    return _CHECKS


_CHECKS: dict[str, Check] = {}


def evaluate(case: Case, context: CaseContext | None = None) -> FindingReport:
    """Every finding on the case, ordered by severity, rule and first step, with annotations."""
    context = context or CaseContext(case)
    merged: dict[tuple[str, frozenset[str]], Finding] = {}
    for rule_id, check in _checks().items():
        for occurrence in check(context):
            finding = _finding(rule_id, occurrence, context)
            existing = merged.get(finding.key)
            if existing is None:
                merged[finding.key] = finding
            else:
                _merge(existing, finding)
    findings = list(merged.values())
    orphaned = _attach_annotations(case.annotations, merged)
    order = severity_order()
    first_step = {s.id: i for i, s in enumerate(context.steps)}
    findings.sort(
        key=lambda f: (order[f.severity], f.rule, min((first_step[s] for s in f.steps), default=-1))
    )
    return FindingReport(findings, orphaned)


def _finding(rule_id: str, occurrence: Occurrence, context: CaseContext) -> Finding:
    info = rule_info(rule_id)
    steps = _unique(s.id for s in sorted(occurrence.steps, key=lambda s: context.position[id(s)]))
    orgs = _unique(o.id for o in occurrence.organisations)
    regulators = _unique(code for org_id in orgs for code in context.regulators.get(org_id, ()))
    return Finding(
        rule=rule_id,
        title=context.words(info.title),
        severity=info.severity,
        steps=steps,
        organisations=orgs,
        regulators=regulators,
        evidence=occurrence.evidence,
        question=context.words(info.question),
    )


def _merge(into: Finding, other: Finding) -> None:
    into.organisations = _unique([*into.organisations, *other.organisations])
    into.regulators = _unique([*into.regulators, *other.regulators])
    if other.evidence not in into.evidence:
        into.evidence = f"{into.evidence}\n{other.evidence}"


def _attach_annotations(
    annotations: list[Annotation], findings: dict[tuple[str, frozenset[str]], Finding]
) -> list[Annotation]:
    orphaned = []
    for note in annotations:
        finding = findings.get((note.rule, frozenset(note.steps)))
        if finding is None:
            orphaned.append(note)
        else:
            finding.annotations.append(note)
    return orphaned


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
