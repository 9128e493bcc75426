"""Key findings: the few misalignments that carry a case (DOMAIN.md section 3a).

A workshop discusses three to five misalignments, not fifty. Each rule that fired is represented
by its strongest occurrence, and the rules are ranked by

1. severity (high, medium, low);
2. the harm attached to the occurrence, in days: the delayed days of the admissions it names,
   plus 30 for each emergency admission it names that is a readmission, plus 30 for each
   permanent placement it names that is a placement after hospital (more first);
3. recorded before inferred: an occurrence resting on a derived handoff ranks after one that does not;
4. the number of distinct regulators of the organisations it names (more first);
5. the rule id.

A rule's strongest occurrence is its first by 2-4 (ties: the earliest first step). The first five
rules are the key findings. A rule whose occurrences are all set aside is never key; the team may
pin a rule as key (it then leads, in rank order among the pinned) or take it off the key findings.
The numbers (5 and the two 30s) are [design] values in resources/rules.json.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from itertools import groupby
from operator import attrgetter

from planner.rules import Finding, FindingReport
from planner.rules.catalogue import severity_order, term
from planner.rules.context import CaseContext

#: The sort key of an occurrence within its rule: (-harm, derived, -regulators, first step).
Strength = tuple[int, bool, int, int]

_RULE = attrgetter("rule")
#: No derived handoffs: what a rule whose occurrences are not handoffs looks them up in.
_NONE: frozenset[tuple[str, str]] = frozenset()


@dataclass
class RuleGroup:
    """A rule that fired on the case, with its occurrences (in the engine's order)."""

    rule: str
    title: str
    severity: str
    question: str
    occurrences: list[Finding]
    #: The strongest occurrence not set aside; None when every occurrence is set aside.
    strongest: Finding | None = None
    #: 1-5 for a key finding, else None.
    key_rank: int | None = None
    #: True when the team pinned the rule as key, False when it took it off, None otherwise.
    pinned: bool | None = None

    @property
    def active(self) -> list[Finding]:
        return [f for f in self.occurrences if not f.set_aside]


@dataclass
class KeyFindings:
    """Every rule that fired, ranked (key ones first), and each occurrence's harm and provenance."""

    groups: list[RuleGroup] = field(default_factory=list)
    #: Harm in days of the steps that carry any (by step id), and the rules whose two-step
    #: occurrences are handoffs, with the derived handoffs' (source, target) ids.
    step_harm: dict[str, int] = field(default_factory=dict)
    handoff_rules: frozenset[str] = frozenset()
    derived_pairs: frozenset[tuple[str, str]] = frozenset()

    @property
    def key(self) -> list[RuleGroup]:
        return [g for g in self.groups if g.key_rank is not None]

    def group(self, rule: str) -> RuleGroup | None:
        return next((g for g in self.groups if g.rule == rule), None)

    def key_rank(self, finding: Finding) -> int | None:
        group = self.group(finding.rule)
        return group.key_rank if group is not None else None

    def harm_days(self, finding: Finding) -> int:
        """The harm attached to an occurrence, in days (DOMAIN.md section 3a, criterion 2)."""
        harm = self.step_harm
        return sum(harm.get(step_id, 0) for step_id in finding.steps) if harm else 0

    def derived(self, finding: Finding) -> bool:
        """Whether the occurrence rests on a derived handoff, not a recorded one."""
        steps = finding.steps
        return (len(steps) == 2 and finding.rule in self.handoff_rules
                and (steps[0], steps[1]) in self.derived_pairs)

    def counts(self) -> tuple[int, int, int]:
        """(key findings, rules, occurrences), counting what is not set aside."""
        active = [g for g in self.groups if g.strongest is not None]
        return len(self.key), len(active), sum(len(g.active) for g in active)

    def in_words(self) -> str:
        """"5 key · 14 rules · 40 occurrences" (what is not set aside)."""
        return counts_in_words(*self.counts())


def counts_in_words(key: int, rules: int, occurrences: int) -> str:
    """"5 key · 14 rules · 40 occurrences": how the app and its outputs count a case's findings."""
    return (f"{key} key · {rules} rule{'s' if rules != 1 else ''} · "
            f"{occurrences} occurrence{'s' if occurrences != 1 else ''}")


def step_harm(context: CaseContext) -> dict[str, int]:
    """The harm each step carries, in days, for the steps that carry any: an admission's delayed
    days, plus 30 for an emergency readmission; 30 for a permanent placement after hospital."""
    harm: dict[str, int] = {}
    for admission, delayed in zip(context.admissions, context.delays, strict=True):
        if delayed:
            harm[admission.id] = harm.get(admission.id, 0) + delayed
    if context.readmissions:
        per_readmission = term("harm_days_readmission")
        for _earlier, readmission in context.readmissions:
            harm[readmission.id] = harm.get(readmission.id, 0) + per_readmission
    if context.placements_after_hospital:
        per_placement = term("harm_days_placement_after_hospital")
        for _admission, placement in context.placements_after_hospital:
            harm[placement.id] = harm.get(placement.id, 0) + per_placement
    return harm


def rank(report: FindingReport, context: CaseContext, *, pinned: Collection[str] = (),
         unpinned: Collection[str] = ()) -> KeyFindings:
    """Rank the rules of ``report`` (worked out on ``context``) and mark the key findings.

    ``pinned`` rules are key whenever they have an occurrence not set aside; ``unpinned`` rules
    never are. The rest fill the places left, in rank order."""
    from planner.rules.engine import handoff_rules

    derived_pairs = frozenset((link.source.id, link.target.id) for link in context.handoffs if link.derived)
    result = KeyFindings(step_harm=step_harm(context), handoff_rules=handoff_rules(),
                         derived_pairs=derived_pairs)
    harm, handoff_rule_ids = result.step_harm, result.handoff_rules
    groups: dict[str, RuleGroup] = {}
    strength: dict[str, Strength] = {}
    # a rule's findings come together (the engine's order): grouped in C, each group looked at once
    for rule, found in groupby(report.findings, key=_RULE):
        occurrences = list(found)
        group = groups.get(rule)
        if group is None:
            first = occurrences[0]
            group = groups[rule] = RuleGroup(rule, first.title, first.severity, first.question, occurrences)
        else:
            group.occurrences += occurrences
        # the harm and provenance as KeyFindings.harm_days and .derived work them out, inlined: a
        # case has a hundred or so findings, ranked on every analysis
        handoffs = derived_pairs if rule in handoff_rule_ids else _NONE
        strongest, best = group.strongest, strength.get(rule)
        for finding in occurrences:
            if finding.annotations and finding.set_aside:
                continue
            steps = finding.steps
            inferred = False
            if len(steps) == 2:
                one, two = steps
                damage = harm.get(one, 0) + harm.get(two, 0) if harm else 0
                inferred = (one, two) in handoffs
            elif len(steps) == 1:
                damage = harm.get(steps[0], 0) if harm else 0
            else:
                damage = sum(harm.get(step_id, 0) for step_id in steps) if harm else 0
            mine: Strength = (-damage, inferred, -len(finding.regulators), finding.first)
            if best is None or mine < best:
                strongest, best = finding, mine
        if best is not None:
            group.strongest, strength[rule] = strongest, best
    order = severity_order()

    def ranking(group: RuleGroup) -> tuple[int, int, bool, int, str]:
        if group.strongest is None:  # every occurrence set aside: last, never key
            return (len(order), 0, True, 0, group.rule)
        harm, inferred, regulators, _first = strength[group.rule]
        return (order[group.severity], harm, inferred, regulators, group.rule)

    ranked = sorted(groups.values(), key=ranking)
    places = term("key_findings")
    candidates = [g for g in ranked if g.strongest is not None]
    chosen = [g for g in candidates if g.rule in pinned]
    others = [g for g in candidates if g.rule not in pinned and g.rule not in unpinned]
    chosen += others[:max(0, places - len(chosen))]
    chosen_rules = {g.rule for g in chosen}
    for group in ranked:
        group.pinned = True if group.rule in pinned else False if group.rule in unpinned else None
    # the key findings first (those the team pinned leading, each part in rank order), then the rest
    result.groups = chosen + [g for g in ranked if g.rule not in chosen_rules]
    for number, group in enumerate(chosen, start=1):
        group.key_rank = number
    return result
