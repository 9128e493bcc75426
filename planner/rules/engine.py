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


#: Evidence in plain words, or a function that writes it when it is first read.
Evidence = str | Callable[[], str]


@dataclass(slots=True)
class Occurrence:
    """What one rule found once: the steps and organisations involved and why, in plain words.

    ``evidence`` may be a function that writes the sentence: it then runs only when someone reads
    the finding, which keeps counting findings cheap. Build such a function inside a helper
    called once per occurrence, so it keeps that occurrence's values.
    """

    steps: list[Step]
    organisations: list[Organisation]
    evidence: Evidence


Check = Callable[[CaseContext], Iterable[Occurrence]]


@dataclass(slots=True)
class Finding:
    rule: str
    title: str
    severity: str
    steps: list[str]
    organisations: list[str]
    regulators: list[str]
    #: The evidence of each occurrence merged into this finding (written when first read).
    parts: list[Evidence] = field(compare=False, repr=False)
    question: str
    annotations: list[Annotation] = field(default_factory=list)
    #: (rule, set of steps): how the team's annotations find this finding again.
    key: tuple[str, frozenset[str]] = field(default=("", frozenset()), compare=False, repr=False)
    #: Where the finding's first step is in the order of steps (-1 for none), for sorting.
    first: int = field(default=-1, compare=False, repr=False)
    _evidence: str | None = field(default=None, compare=False, repr=False)

    @property
    def evidence(self) -> str:
        """Why the rule fired, in plain words with the dates and numbers that made it fire."""
        if self._evidence is None:
            written = [part if isinstance(part, str) else part() for part in self.parts]
            self._evidence = "\n".join(dict.fromkeys(written))
        return self._evidence

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
        info = rule_info(rule_id)
        meta = (rule_id, context.words(info.title), info.severity, context.words(info.question))
        for occurrence in check(context):
            finding = _finding(meta, occurrence, context)
            existing = merged.get(finding.key)
            if existing is None:
                merged[finding.key] = finding
            else:
                _merge(existing, finding)
    findings = list(merged.values())
    orphaned = _attach_annotations(case.annotations, merged)
    order = severity_order()
    findings.sort(key=lambda f: (order[f.severity], f.rule, f.first))
    return FindingReport(findings, orphaned)


def _finding(meta: tuple[str, str, str, str], occurrence: Occurrence, context: CaseContext) -> Finding:
    """A finding from one occurrence; the rule's title and question are worded once per case.

    Most occurrences concern one or two steps and organisations: those take the short paths."""
    rule_id, title, severity, question = meta
    position = context.position
    ordered = occurrence.steps
    count = len(ordered)
    if count == 1:
        steps, first = [ordered[0].id], position[id(ordered[0])]
    elif count == 2:
        one, two = ordered
        first, second = position[id(one)], position[id(two)]
        if first > second:
            one, two, first = two, one, second
        steps = [one.id] if one.id == two.id else [one.id, two.id]
    elif count == 0:
        steps, first = [], -1
    else:
        ordered = sorted(ordered, key=lambda s: position[id(s)])
        steps, first = _unique(s.id for s in ordered), position[id(ordered[0])]
    regulators = context.regulators
    organisations = occurrence.organisations
    if len(organisations) == 1:
        orgs = [organisations[0].id]
        codes = list(regulators.get(orgs[0], ()))
    elif len(organisations) == 2:
        a, b = organisations[0].id, organisations[1].id
        codes = list(regulators.get(a, ()))
        if a == b:
            orgs = [a]
        else:
            orgs = [a, b]
            codes += [code for code in regulators.get(b, ()) if code not in codes]
    else:
        orgs = _unique(o.id for o in organisations)
        codes = _unique(code for org_id in orgs for code in regulators.get(org_id, ()))
    return Finding(rule_id, title, severity, steps, orgs, codes, [occurrence.evidence], question, [],
                   (rule_id, frozenset(steps)), first)


def _merge(into: Finding, other: Finding) -> None:
    into.organisations = _unique([*into.organisations, *other.organisations])
    into.regulators = _unique([*into.regulators, *other.regulators])
    into.parts.extend(other.parts)


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
