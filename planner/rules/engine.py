"""Running the catalogue over a case: occurrences become findings, annotations are matched.

A finding is identified by its rule and the steps it concerns, the key under which the team's
annotations are stored. Occurrences of one rule with the same steps (for example two case-level
problems that concern no step) become one finding with both pieces of evidence, so every key
names exactly one finding. Annotations whose finding no longer fires are reported, never dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import import_module
from operator import attrgetter
from typing import Any

from planner.model import Annotation, Case, Organisation, Step
from planner.rules.catalogue import rule as rule_info
from planner.rules.catalogue import rules, severity_order
from planner.rules.context import CaseContext, worded

#: The modules of planner/rules that are not rules.
_NOT_RULES = frozenset({"catalogue", "context", "engine", "phrases"})


def rule_modules() -> dict[str, str]:
    """The rule modules by rule id, found in planner/rules: each rule module names its ``RULE_ID``.

    Adding a rule is its module, its entry in resources/rules.json and its tests: nothing lists the
    rules by hand. A module without a catalogue entry, or an entry without a module, is an error."""
    if not _MODULES:
        import pkgutil

        import planner.rules

        found: dict[str, str] = {}
        for info in pkgutil.iter_modules(planner.rules.__path__):
            if info.name in _NOT_RULES or info.name.startswith("_"):
                continue
            rule_id = getattr(import_module(f"planner.rules.{info.name}"), "RULE_ID", None)
            if not isinstance(rule_id, str):
                raise LookupError(f"planner/rules/{info.name}.py is not a rule: it has no RULE_ID")
            if rule_id in found:
                raise LookupError(f"{rule_id} is in planner/rules/{found[rule_id]}.py and {info.name}.py")
            found[rule_id] = info.name
        catalogue = set(rules())
        if set(found) != catalogue:
            raise LookupError(f"rules without a module: {sorted(catalogue - set(found))}; "
                              f"modules without a catalogue entry: {sorted(set(found) - catalogue)}")
        _MODULES.update(sorted(found.items()))
    return _MODULES


_MODULES: dict[str, str] = {}


@lru_cache(maxsize=1)
def handoff_rules() -> frozenset[str]:
    """The rules whose two-step occurrences are handoffs (their module says ``READS_HANDOFFS``)."""
    return frozenset(rule_id for rule_id, module in rule_modules().items()
                     if getattr(import_module(f"planner.rules.{module}"), "READS_HANDOFFS", False))


#: Evidence in plain words; or ``(writer, *arguments)``, which stands for ``writer(*arguments)``:
#: the writer then runs only when someone reads the finding, which keeps counting findings cheap.
#: Give it the occurrence's own values. A plain tuple rather than a closure or a
#: ``functools.partial``: it is quicker to build, and it is one object for the garbage collector
#: to count and walk where a partial is three (itself, its arguments, its keywords).
Evidence = str | tuple[Callable[..., str], *tuple[Any, ...]]

#: What one rule found once: ``(steps, organisations, evidence)``, the steps and organisations
#: involved and why, in plain words. ``organisations`` may be None, meaning the organisations of
#: the steps: the known ones, each once, in the order the steps are given.
#:
#: A plain tuple, the cheapest thing to build: a case yields a hundred or so occurrences.
Occurrence = tuple[Sequence[Step], Sequence[Organisation] | None, Evidence]

Check = Callable[[CaseContext], Iterable[Occurrence]]

#: The steps of a finding as a set, in a form that is cheap to build and to compare: no step
#: (``()``), one step id (a string), or the distinct ids of several, sorted (a tuple).
StepSet = str | tuple[str, ...]

#: A tuple of organisation ids, and (:meth:`CaseContext.organisation_refs`) the ids of the known
#: ones and their regulators' codes.
OrganisationRefs = dict[tuple[str, ...], tuple[tuple[str, ...], tuple[str, ...]]]


@dataclass(slots=True)
class Finding:
    rule: str
    title: str
    severity: str
    steps: list[str]
    organisations: list[str]
    regulators: list[str]
    #: The evidence of the occurrence, or a list of the evidence of each occurrence merged into
    #: this finding (written when first read). A list only when merged: most findings are not.
    parts: Evidence | list[Evidence] = field(compare=False, repr=False)
    question: str
    annotations: list[Annotation] = field(default_factory=list)
    #: Where the finding's first step is in the order of steps (-1 for none), for sorting.
    first: int = field(default=-1, compare=False, repr=False)
    _evidence: str | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> tuple[str, frozenset[str]]:
        """(rule, set of steps): how the team's annotations find this finding again."""
        return self.rule, frozenset(self.steps)

    @property
    def evidence(self) -> str:
        """Why the rule fired, in plain words with the dates and numbers that made it fire."""
        if self._evidence is None:
            parts = self.parts if isinstance(self.parts, list) else [self.parts]
            written = [part if isinstance(part, str) else part[0](*part[1:]) for part in parts]
            self._evidence = "\n".join(dict.fromkeys(written))
        return self._evidence

    def add_evidence(self, evidence: Evidence) -> None:
        """Merge the evidence of another occurrence with the same steps into this finding."""
        if not isinstance(self.parts, list):
            self.parts = [self.parts]
        self.parts.append(evidence)
        self._evidence = None

    @property
    def annotation(self) -> Annotation | None:
        """The team's current view: the latest confirmation or setting aside, else the latest comment."""
        decisions = [a for a in self.annotations if a.status != "comment"]
        if decisions:
            return decisions[-1]
        return self.annotations[-1] if self.annotations else None

    @property
    def set_aside(self) -> bool:
        if not self.annotations:  # none, as for most findings (asked of every finding of a long case)
            return False
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
        for finding in self.findings:
            if not finding.set_aside:
                counts[finding.severity] += 1
        return counts


def _checks() -> dict[str, Check]:
    if not _CHECKS:
        for rule_id, module in rule_modules().items():
            _CHECKS[rule_id] = import_module(f"planner.rules.{module}").check
    return _CHECKS


_CHECKS: dict[str, Check] = {}


def evaluate(case: Case, context: CaseContext | None = None) -> FindingReport:
    """Every finding on the case, ordered by severity, rule and first step, with annotations.

    Each rule's findings are kept apart, keyed by their set of steps, and sorted by first step;
    the rules are then laid end to end by severity and id. That is the order of one sort of all
    findings by (severity, rule, first step), at a fraction of its cost."""
    context = context or CaseContext(case)
    refs: OrganisationRefs = {}
    by_rule: dict[str, dict[StepSet, Finding]] = {}
    for meta, check in _rules_in_order(context.person.sex):
        by_rule[meta[0]] = _findings(meta, check(context), context, refs)
    orphaned = _attach_annotations(case.annotations, by_rule)
    findings: list[Finding] = []
    for found in by_rule.values():
        findings += sorted(found.values(), key=_FIRST_STEP) if len(found) > 1 else found.values()
    return FindingReport(findings, orphaned)


@lru_cache(maxsize=8)
def _rules_in_order(sex: str | None) -> tuple[tuple[tuple[str, str, str, str], Check], ...]:
    """Each rule's (id, title, severity, question) worded for a person of that recorded sex, and
    its check, by severity then id: the same for every case, so worked out once."""
    order = severity_order()
    rules = []
    for rule_id in sorted(_checks(), key=lambda r: (order[rule_info(r).severity], r)):
        info = rule_info(rule_id)
        meta = (rule_id, worded(info.title, sex), info.severity, worded(info.question, sex))
        rules.append((meta, _checks()[rule_id]))
    return tuple(rules)


_FIRST_STEP = attrgetter("first")


def _findings(
    meta: tuple[str, str, str, str],
    occurrences: Iterable[Occurrence],
    context: CaseContext,
    refs: OrganisationRefs,
) -> dict[StepSet, Finding]:
    """One rule's findings, by their set of steps: occurrences with the same steps are merged.

    Most occurrences concern one or two steps: those take short paths. ``refs`` keeps the ids
    and regulators of each tuple of organisations (:meth:`CaseContext.organisation_refs`) for
    the case: a case's findings name the same few dozen pairs of organisations again and again."""
    rule_id, title, severity, question = meta
    position = context.position
    organisation_refs = context.organisation_refs
    found: dict[StepSet, Finding] = {}
    for given, organisations, evidence in occurrences:
        count = len(given)
        step_set: StepSet
        if count == 2:
            one, two = given
            first, second = position[id(one)], position[id(two)]
            if first > second:
                one, two, first = two, one, second
            a, b = one.id, two.id
            if a == b:
                steps, step_set = [a], a
            else:
                steps, step_set = [a, b], ((a, b) if a < b else (b, a))
        elif count == 1:
            step = given[0]
            steps, first, step_set = [step.id], position[id(step)], step.id
        elif count == 0:
            steps, first, step_set = [], -1, ()
        else:
            ordered = sorted(given, key=lambda s: position[id(s)])
            steps, first = _unique(s.id for s in ordered), position[id(ordered[0])]
            step_set = _step_set(steps)
        org_ids: tuple[str, ...]
        if organisations is None:  # the organisations of the steps, in the order given
            if count == 2:
                org_ids = (given[0].organisation, given[1].organisation)
            elif count == 1:
                org_ids = (given[0].organisation,)
            else:
                org_ids = tuple(s.organisation for s in given)
        elif len(organisations) == 1:
            org_ids = (organisations[0].id,)
        elif len(organisations) == 2:
            org_ids = (organisations[0].id, organisations[1].id)
        else:
            org_ids = tuple(org.id for org in organisations)
        known = refs.get(org_ids)
        if known is None:
            known = refs[org_ids] = organisation_refs(org_ids)
        orgs, codes = known
        existing = found.get(step_set)
        if existing is None:
            found[step_set] = Finding(rule_id, title, severity, steps, list(orgs), list(codes), evidence,
                                      question, [], first)
        else:
            existing.organisations = _unique([*existing.organisations, *orgs])
            existing.regulators = _unique([*existing.regulators, *codes])
            existing.add_evidence(evidence)
    return found


def _step_set(step_ids: Iterable[str]) -> StepSet:
    """The :data:`StepSet` of some step ids."""
    distinct = sorted(set(step_ids))
    if len(distinct) == 1:
        return distinct[0]
    return tuple(distinct)


def _attach_annotations(
    annotations: list[Annotation], by_rule: dict[str, dict[StepSet, Finding]]
) -> list[Annotation]:
    orphaned = []
    for note in annotations:
        finding = by_rule.get(note.rule, {}).get(_step_set(note.steps))
        if finding is None:
            orphaned.append(note)
        else:
            finding.annotations.append(note)
    return orphaned


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
