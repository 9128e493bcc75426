"""What every rule needs to know about a case, worked out once (DOMAIN.md section 3's terms).

The order of steps, each organisation's effective regulators and payment model, the handoffs
(given and derived), admissions, emergency admissions, readmissions and placements after
hospital. The engine never trusts references blindly: a step at an unknown organisation, or a
handoff naming an unknown step, is left out rather than guessed.
"""

from __future__ import annotations

from bisect import bisect_right, insort
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache

from planner import describe
from planner.dates import format_day
from planner.model import Case, Organisation, Person, Step
from planner.reference import delay_attribution_default, load, payment_model_of, regulators_of
from planner.rules.catalogue import term

NHS_BED_SECTORS = frozenset(s for s, entry in load("sectors").items() if entry["nhs_bed"])
NHS_FUNDED = frozenset(f for f, entry in load("funding").items() if entry["nhs_funded"])
MEANS_TESTED = frozenset(f for f, entry in load("funding").items() if entry["means_tested"])
REABLEMENT_SETTINGS = frozenset({"reablement", "intermediate_care"})


@dataclass(frozen=True, slots=True)
class Link:
    """A handoff between two steps: given in the case, or derived between consecutive steps."""

    source: Step
    target: Step
    method: str
    named_receiver: str | None
    derived: bool
    #: A handoff's date is the receiving step's start date.
    on: date


@lru_cache(maxsize=512)
def _worded(template: str, sex: str | None) -> str:
    """A resource template filled for a person of that recorded sex (the same for every case)."""
    return describe.words(template, Person(name="", sex=sex))


def is_emergency(step: Step) -> bool:
    return step.emergency is True or step.setting == "emergency_department"


class CaseContext:
    def __init__(self, case: Case) -> None:
        self.case = case
        self.person = case.person
        self.orgs: dict[str, Organisation] = {o.id: o for o in case.organisations}
        #: Steps in order: by start, a date alone counting as 00:00, ties in file order.
        self.steps: list[Step] = case.ordered_steps()
        self.position = {id(s): i for i, s in enumerate(self.steps)}
        self.step_by_id = {s.id: s for s in case.steps}
        self.regulators = {o.id: regulators_of(o) for o in case.organisations}
        self.regulator_set = {org_id: frozenset(codes) for org_id, codes in self.regulators.items()}
        self.payment = {o.id: payment_model_of(o) for o in case.organisations}
        self.admissions = [s for s in self.steps if s.kind == "admission"]
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

    def sector(self, step: Step) -> str | None:
        org = self.orgs.get(step.organisation)
        return org.sector if org else None

    @cached_property
    def pathway_orgs(self) -> list[Organisation]:
        """Organisations at which at least one step takes place, in order of first step."""
        seen: dict[str, Organisation] = {}
        for step in self.steps:
            org = self.orgs.get(step.organisation)
            if org is not None and org.id not in seen:
                seen[org.id] = org
        return list(seen.values())

    def is_nhs_bed(self, admission: Step) -> bool:
        return self.sector(admission) in NHS_BED_SECTORS

    # -- handoffs --------------------------------------------------------------------------
    @cached_property
    def handoffs(self) -> list[Link]:
        """Given handoffs (a missing method counting as unknown), then derived ones: between
        consecutive steps at different organisations that no given handoff connects."""
        given: list[Link] = []
        connected: set[tuple[str, str]] = set()
        for handoff in self.case.handoffs:
            source = self.step_by_id.get(handoff.source)
            target = self.step_by_id.get(handoff.target)
            if source is None or target is None:
                continue
            given.append(Link(source, target, handoff.method or "unknown", handoff.named_receiver, False,
                              target.start_date))
            connected.add((source.id, target.id))
            connected.add((target.id, source.id))
        derived = [
            Link(first, second, "unknown", None, True, second.start_date)
            for first, second in zip(self.steps, self.steps[1:], strict=False)
            if first.organisation != second.organisation and (first.id, second.id) not in connected
        ]
        return given + derived

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
        window = term("placement_after_hospital_days")
        ends = sorted((a.end_date, self.position[id(a)]) for a in self.admissions if a.end_date)
        found: list[tuple[Step, Step]] = []
        for placement in self.steps:
            if placement.kind != "placement" or placement.permanent is not True:
                continue
            start = placement.start_date
            index = bisect_right(ends, (start, len(self.steps)))
            if not index:
                continue
            end, position = ends[index - 1]
            if (start - end).days > window:
                continue
            stepped_down = any(
                s is not placement and s.setting in REABLEMENT_SETTINGS and end <= s.start_date <= start
                for s in self.steps
            )
            if not stepped_down:
                found.append((self.steps[position], placement))
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
        return _worded(template, self.person.sex)

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
