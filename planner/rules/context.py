"""What every rule needs to know about a case, worked out once (DOMAIN.md section 3's terms).

The order of steps, each organisation's effective regulators and payment model, the handoffs
(given and derived), admissions, emergency admissions, readmissions and placements after
hospital. The engine never trusts references blindly: a step at an unknown organisation, or a
handoff naming an unknown step, is left out rather than guessed.
"""

from __future__ import annotations

from bisect import bisect_right, insort
from collections.abc import Callable, Container, Iterable
from datetime import date
from functools import cached_property, lru_cache, partial
from operator import attrgetter
from typing import NamedTuple, cast

from planner import describe
from planner.dates import format_day
from planner.model import Case, Organisation, Person, Step, moment_key
from planner.reference import delay_attribution_default, load, payment_model_of, regulators_of
from planner.rules.catalogue import rule, term

NHS_BED_SECTORS = frozenset(s for s, entry in load("sectors").items() if entry["nhs_bed"])
NHS_FUNDED = frozenset(f for f, entry in load("funding").items() if entry["nhs_funded"])
MEANS_TESTED = frozenset(f for f, entry in load("funding").items() if entry["means_tested"])
REABLEMENT_SETTINGS = frozenset({"reablement", "intermediate_care"})


class Link(NamedTuple):
    """A handoff between two steps: given in the case, or derived between consecutive steps.

    A named tuple, immutable like a frozen dataclass but several times quicker to build: a case
    has one per handoff, worked out for every analysis."""

    source: Step
    target: Step
    method: str
    named_receiver: str | None
    derived: bool
    #: A handoff's date is the receiving step's start date.
    on: date
    #: Days from the end of the source step (its start if it has no end) to the start of the
    #: target: :meth:`CaseContext.gap`, negative when they overlap. Worked out with the link.
    gap_days: int


#: A link from a tuple of its fields, by ``tuple.__new__``, which runs in C: twice as quick as
#: calling ``Link``, whose ``__new__`` is a Python function, for the fifty or so links of a case.
_new_link = cast(Callable[[tuple[Step, Step, str, str | None, bool, date, int]], Link],
                 partial(tuple.__new__, Link))

_START, _END, _ORGANISATION = attrgetter("start"), attrgetter("end"), attrgetter("organisation")
_DATES = frozenset({date})
_DATES_OR_NONE = frozenset({date, type(None)})


def _in_order(steps: list[Step]) -> tuple[list[Step], list[date], list[date | None]]:
    """Steps by start, a date alone counting as 00:00, ties in file order (``Case.ordered_steps``),
    with the start date and end date (None without an end) of each.

    When no step has a time of day, as is usual, the dates are the moments themselves: they
    order the steps the same way, and sorting by them and reading them needs no Python call per
    step (``attrgetter`` and ``map`` run in C), where ``Step.start_date`` is a property."""
    if set(map(type, map(_START, steps))) <= _DATES:
        ordered = sorted(steps, key=_START)
        starts: list[date] = list(map(_START, ordered))
    else:
        ordered = sorted(steps, key=lambda step: moment_key(step.start))
        starts = [step.start_date for step in ordered]
    ends: list[date | None] = list(map(_END, ordered))
    if not set(map(type, ends)) <= _DATES_OR_NONE:
        ends = [step.end_date for step in ordered]
    return ordered, starts, ends


@lru_cache(maxsize=256)
def _both(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    """The regulator codes of two organisations, each once: the same few pairs in every case."""
    return tuple(dict.fromkeys(first + second))


@lru_cache(maxsize=512)
def worded(template: str, sex: str | None) -> str:
    """A resource template filled for a person of that recorded sex (the same for every case)."""
    return describe.words(template, Person(name="", sex=sex))


def is_emergency(step: Step) -> bool:
    return step.emergency is True or step.setting == "emergency_department"


class CaseContext:
    def __init__(self, case: Case) -> None:
        self.case = case
        self.person = case.person
        self.orgs: dict[str, Organisation] = {o.id: o for o in case.organisations}
        #: Steps in order: by start, a date alone counting as 00:00, ties in file order; and
        #: each step's start date and end date (None without an end), in the same order: read
        #: for every handoff and by the measures, so worked out once.
        self.steps, self.start_dates, self.end_dates = _in_order(case.steps)
        self.position = {id(s): i for i, s in enumerate(self.steps)}
        self.step_by_id = {s.id: s for s in case.steps}
        self.regulators = {o.id: regulators_of(o) for o in case.organisations}
        self.regulator_set = {org_id: frozenset(codes) for org_id, codes in self.regulators.items()}
        self._codes = {org_id: tuple(codes) for org_id, codes in self.regulators.items()}
        self.payment = {o.id: payment_model_of(o) for o in case.organisations}
        #: The steps of each kind, in order: most rules look at one or two kinds only.
        self.of_kind: dict[str, list[Step]] = {}
        for step in self.steps:
            same_kind = self.of_kind.get(step.kind)
            if same_kind is None:
                self.of_kind[step.kind] = [step]
            else:
                same_kind.append(step)
        self.admissions = self.of_kind.get("admission", [])
        #: Each admission's delayed days, in the same order: read by several rules, the key
        #: findings and the measures, so worked out once rather than by ``Step.delayed_days``.
        self.delays = [admission.delayed_days for admission in self.admissions]
        self.emergency_admissions = [s for s in self.admissions if is_emergency(s)]

    # -- organisations ---------------------------------------------------------------------
    def org(self, step: Step) -> Organisation | None:
        return self.orgs.get(step.organisation)

    def orgs_of(self, *steps: Step) -> list[Organisation]:
        """The known organisations of some steps, each once, in the order given."""
        orgs = self.orgs
        if len(steps) == 2:
            first, second = orgs.get(steps[0].organisation), orgs.get(steps[1].organisation)
            found = [first] if first is second else [first, second]
            return [org for org in found if org is not None]
        unique = {step.organisation: orgs.get(step.organisation) for step in steps}
        return [org for org in unique.values() if org is not None]

    def organisation_refs(self, org_ids: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """A finding's references to some organisations, by id: the ids of the known ones, each
        once in the order given, and their regulators' codes, each once.

        Nearly every finding concerns one or two organisations: those take short paths, without
        the generator expressions of the general one."""
        codes = self._codes
        if len(org_ids) == 1:
            own = codes.get(org_ids[0])
            return (org_ids, own) if own is not None else ((), ())
        if len(org_ids) == 2:
            a, b = org_ids
            first, second = codes.get(a), codes.get(b)
            if first is not None and second is not None and a != b:
                return org_ids, _both(first, second)
        known = tuple(dict.fromkeys(org_id for org_id in org_ids if org_id in codes))
        return known, tuple(dict.fromkeys(code for org_id in known for code in codes[org_id]))

    def sector(self, step: Step) -> str | None:
        org = self.orgs.get(step.organisation)
        return org.sector if org else None

    def in_sectors(self, sectors: Container[str], steps: Iterable[Step] | None = None) -> list[Step]:
        """The steps (of ``steps``, else all of them) at organisations of these sectors, in the
        order given. Quicker than asking :meth:`sector` of each step: a case has many more steps
        than organisations."""
        there = {org_id for org_id, org in self.orgs.items() if org.sector in sectors}
        return [step for step in (self.steps if steps is None else steps) if step.organisation in there]

    @cached_property
    def pathway_orgs(self) -> list[Organisation]:
        """Organisations at which at least one step takes place, in order of first step."""
        orgs = self.orgs
        return [orgs[org_id] for org_id in dict.fromkeys(map(_ORGANISATION, self.steps)) if org_id in orgs]

    def is_nhs_bed(self, admission: Step) -> bool:
        return self.sector(admission) in NHS_BED_SECTORS

    # -- handoffs --------------------------------------------------------------------------
    @cached_property
    def handoffs(self) -> list[Link]:
        """Given handoffs (a missing method counting as unknown), then derived ones: between
        consecutive steps at different organisations that no given handoff connects, when the
        second starts no more than 7 days (``derived_handoff_max_days``) after the first's end
        date (its start date without an end). Steps further apart are separate episodes."""
        links: list[Link] = []
        connected: set[tuple[str, str]] = set()
        step_by_id, position = self.step_by_id, self.position
        steps, starts, ends = self.steps, self.start_dates, self.end_dates
        for handoff in self.case.handoffs:
            source = step_by_id.get(handoff.source)
            target = step_by_id.get(handoff.target)
            if source is None or target is None:
                continue
            # the dates from the lists worked out once, rather than the steps' properties
            on, before = starts[position[id(target)]], position[id(source)]
            gap = (on - (ends[before] or starts[before])).days
            method = handoff.method or "unknown"
            links.append(_new_link((source, target, method, handoff.named_receiver, False, on, gap)))
            connected.add((source.id, target.id))
            connected.add((target.id, source.id))
        within = term("derived_handoff_max_days")
        consecutive = zip(steps, starts, ends, steps[1:], starts[1:], strict=False)
        for first, first_start, first_end, second, on in consecutive:
            if first.organisation != second.organisation and (first.id, second.id) not in connected:
                gap = (on - (first_end or first_start)).days
                if gap <= within:
                    links.append(_new_link((first, second, "unknown", None, True, on, gap)))
        return links

    # -- admissions and what follows them ----------------------------------------------------
    def delay_attribution(self, admission: Step) -> str:
        return admission.delay_attribution or delay_attribution_default(admission.delay_reason)

    @cached_property
    def readmissions(self) -> list[tuple[Step, Step]]:
        """(earlier admission, readmission): an emergency admission starting 0-29 days after the
        end date of an earlier admission (the latest such, when several qualify)."""
        limit = term("readmission_max_days")
        found: list[tuple[Step, Step]] = []
        ended: list[tuple[date, int]] = []  # (end date, position), sorted
        for admission in self.admissions:
            if is_emergency(admission) and ended:
                start = admission.start_date
                index = bisect_right(ended, (start, len(self.steps)))
                if index:
                    end, position = ended[index - 1]
                    if (start - end).days <= limit:
                        found.append((self.steps[position], admission))
            if admission.end_date is not None:
                insort(ended, (admission.end_date, self.position[id(admission)]))
        return found

    @cached_property
    def placements_after_hospital(self) -> list[tuple[Step, Step]]:
        """(admission, placement): a permanent placement starting within 7 days after the end of
        an admission, with no reablement or intermediate care starting in between."""
        permanent = [p for p in self.of_kind.get("placement", []) if p.permanent is True]
        if not permanent:
            return []
        window = term("placement_after_hospital_days")
        ends = sorted((a.end_date, self.position[id(a)]) for a in self.admissions if a.end_date)
        found: list[tuple[Step, Step]] = []
        for placement in permanent:
            start = placement.start_date
            index = bisect_right(ends, (start, len(self.steps)))
            if not index:
                continue
            end, position = ends[index - 1]
            if (start - end).days > window:
                continue
            stepped_down = any(
                s is not placement and end <= s.start_date <= start for s in self.reablement)
            if not stepped_down:
                found.append((self.steps[position], placement))
        return found

    @cached_property
    def reablement(self) -> list[Step]:
        """The steps in reablement or intermediate care, in order: few, and looked for both by
        :attr:`placements_after_hospital` and by the measures."""
        return [step for step in self.steps if step.setting in REABLEMENT_SETTINGS]

    @cached_property
    def duplicated_assessments(self) -> list[tuple[Step, Step]]:
        """Every pair of duplicated assessments, earlier first: two in the same domain (not
        "other") at different organisations within rule M07's window. Found by the rule and
        counted by the measures, so worked out once."""
        window = rule("M07").thresholds["window_days"]
        by_domain: dict[str, list[Step]] = {}
        for step in self.of_kind.get("assessment", []):
            if step.assessment_domain not in (None, "other"):
                by_domain.setdefault(step.assessment_domain, []).append(step)
        found = []
        for assessments in by_domain.values():
            for index, first in enumerate(assessments):
                for second in assessments[index + 1 :]:
                    if (second.start_date - first.start_date).days > window:
                        break
                    if first.organisation != second.organisation:
                        found.append((first, second))
        return found

    @staticmethod
    def gap(first: Step, second: Step) -> int:
        """Days from the end of ``first`` (its start if it has no end) to the start of ``second``."""
        return (second.start_date - (first.end_date or first.start_date)).days

    # -- words -----------------------------------------------------------------------------
    def name(self, step: Step) -> str:
        """The organisation's name for a step (its id if unknown)."""
        org = self.orgs.get(step.organisation)
        return org.name if org else step.organisation

    @staticmethod
    def what(step: Step) -> str:
        """A step as evidence names it: its label, else its kind, with its date."""
        from planner.reference import label

        return f"“{step.label}”" if step.label else label("kind", step.kind).lower()

    @staticmethod
    def day(value: date | None) -> str:
        return format_day(value)

    def words(self, template: str) -> str:
        """Fill a template from resources/ (a title, a question) with her pronouns. Never pass
        case text through it: braces in a name or a label would be taken as placeholders."""
        return worded(template, self.person.sex)

    # her pronouns, for evidence written as ordinary f-strings around case text
    @cached_property
    def they(self) -> str:
        return self.words("{they}")

    @cached_property
    def them(self) -> str:
        return self.words("{them}")

    @cached_property
    def their(self) -> str:
        return self.words("{their}")

    @cached_property
    def is_(self) -> str:
        return self.words("{is}")

    @cached_property
    def live(self) -> str:
        return self.words("{live}")
