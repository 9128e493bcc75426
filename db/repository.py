"""The case repository: store, load, list and find cases in one SQLAlchemy session.

The caller owns the session and its transaction (a unit of work); the repository never
commits. Loading reads each table once with Core selects, which keeps a 1,000-step case fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.orm import Session

from db.mapping import from_row, to_row
from db.schema import (
    ActionRow,
    AnnotationRow,
    Base,
    CarePlanRow,
    CaseRow,
    CoordinationRow,
    GoalRow,
    HandoffRow,
    MemberRow,
    OrganisationRow,
    StepRow,
)
from planner.model import (
    Action,
    Annotation,
    CarePlan,
    Case,
    Coordination,
    Goal,
    Handoff,
    Member,
    Organisation,
    Person,
    Step,
)

T = TypeVar("T")

#: The lists of a case, each with the table that holds it, in the order they are written.
_LISTS: list[tuple[str, type[Any], type[Base]]] = [
    ("organisations", Organisation, OrganisationRow),
    ("team", Member, MemberRow),
    ("coordinator", Coordination, CoordinationRow),
    ("steps", Step, StepRow),
    ("handoffs", Handoff, HandoffRow),
    ("annotations", Annotation, AnnotationRow),
]
_PLAN_LISTS: list[tuple[str, type[Any], type[Base]]] = [
    ("goals", Goal, GoalRow),
    ("actions", Action, ActionRow),
]


class CaseNotFound(LookupError):
    """No case matches the id or title given."""


@dataclass(frozen=True)
class CaseSummary:
    """A row of the case list."""

    id: int
    title: str
    name: str
    area: str | None
    steps: int


class CaseRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- writing ---------------------------------------------------------------------------
    def add(self, case: Case) -> int:
        """Store a new case and return its database id (also set on ``case.id``)."""
        person = to_row(case.person, title=case.title, extensions=case.extensions)
        case_id: int = self.session.execute(insert(CaseRow).values(person).returning(CaseRow.id)).scalar_one()
        self._insert_children(case_id, case)
        case.id = case_id
        return case_id

    def _insert_children(self, case_id: int, case: Case) -> None:
        for attribute, _cls, row in _LISTS:
            self._insert_list(row, case_id, getattr(case, attribute))
        plan = case.care_plan
        if plan is not None:
            self.session.execute(insert(CarePlanRow).values(
                case_id=case_id, version=plan.version, agreed_on=plan.agreed_on,
                review_on=plan.review_on, contingency=plan.contingency,
                signed_off_by=list(plan.signed_off_by)))
            for attribute, _cls, row in _PLAN_LISTS:
                self._insert_list(row, case_id, getattr(plan, attribute))

    def _insert_list(self, row: type[Base], case_id: int, items: list[Any]) -> None:
        if items:
            values = [to_row(item, case_id=case_id, position=i) for i, item in enumerate(items)]
            self.session.execute(insert(row), values)

    # -- reading ---------------------------------------------------------------------------
    def get(self, case_id: int) -> Case:
        """Load a whole case; raise CaseNotFound if there is none with that id."""
        head = self.session.execute(
            select(CaseRow.__table__).where(CaseRow.id == case_id)).mappings().first()
        if head is None:
            raise CaseNotFound(f"There is no case with id {case_id}.")
        lists = {attr: self._load_list(row, cls, case_id) for attr, cls, row in _LISTS}
        return Case(
            id=case_id,
            title=head["title"],
            person=from_row(Person, head),
            extensions=head["extensions"],
            care_plan=self._load_plan(case_id),
            **lists,
        )

    def _load_list(self, row: type[Base], cls: type[T], case_id: int) -> list[T]:
        table = row.__table__
        query = select(table).where(table.c.case_id == case_id).order_by(table.c.position)
        return [from_row(cls, r) for r in self.session.execute(query).mappings()]

    def _load_plan(self, case_id: int) -> CarePlan | None:
        head = self.session.execute(
            select(CarePlanRow.__table__).where(CarePlanRow.case_id == case_id)).mappings().first()
        if head is None:
            return None
        lists = {attr: self._load_list(row, cls, case_id) for attr, cls, row in _PLAN_LISTS}
        return CarePlan(version=head["version"], agreed_on=head["agreed_on"],
                        review_on=head["review_on"], contingency=head["contingency"],
                        signed_off_by=list(head["signed_off_by"] or []), **lists)

    def summaries(self, search: str = "", limit: int | None = None, offset: int = 0) -> list[CaseSummary]:
        """Cases for the case list, by title, filtered in the database by name, title or area."""
        steps = (select(StepRow.case_id, func.count().label("n"))
                 .group_by(StepRow.case_id).subquery())
        query = (
            select(CaseRow.id, CaseRow.title, CaseRow.name, CaseRow.area,
                   func.coalesce(steps.c.n, 0))
            .outerjoin(steps, steps.c.case_id == CaseRow.id)
            .order_by(func.lower(func.coalesce(CaseRow.title, CaseRow.name)), CaseRow.id)
            .offset(offset).limit(limit))
        text = search.strip().lower()
        if text:
            pattern = f"%{_escape_like(text)}%"
            query = query.where(or_(func.lower(CaseRow.name).like(pattern, escape="\\"),
                                    func.lower(CaseRow.title).like(pattern, escape="\\"),
                                    func.lower(CaseRow.area).like(pattern, escape="\\")))
        return [CaseSummary(id=r[0], title=r[1] or r[2], name=r[2], area=r[3], steps=int(r[4]))
                for r in self.session.execute(query)]

    def count(self) -> int:
        return int(self.session.execute(select(func.count()).select_from(CaseRow)).scalar_one())

    def find(self, reference: str) -> int:
        """The id of the case named by ``reference``: a case id, or an exact title."""
        text = reference.strip()
        if text.isdigit():
            found = self.session.execute(select(CaseRow.id).where(CaseRow.id == int(text))).scalar()
            if found is not None:
                return int(found)
        ids = list(self.session.execute(select(CaseRow.id).where(CaseRow.title == text)).scalars())
        if len(ids) == 1:
            return int(ids[0])
        if len(ids) > 1:
            raise CaseNotFound(f"{len(ids)} cases are titled '{text}': use a case id "
                               f"({', '.join(str(i) for i in ids)}).")
        raise CaseNotFound(f"No case has the id or title '{text}'.")

    def delete(self, case_id: int) -> None:
        self.session.execute(delete(CaseRow).where(CaseRow.id == case_id))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
