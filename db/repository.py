"""The case repository: store, load, list and find cases on one database connection.

The caller owns the connection and its transaction (a unit of work, ``Database.session``);
the repository never commits. Loading reads each table once, which keeps a 1,000-step case fast;
as that is several SELECTs, load (and list) in ``Database.snapshot()``, a read-only transaction
that sees one moment, so a colleague's save committed in between is never half seen.
Creating, saving, deleting and restoring a case each add an event to the audit trail
(``db.audit``) in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, delete, func, insert, select, update

from db import audit, schema
from db.mapping import read_row, row_name, to_row
from planner.damage import check_extensions, drop_dangling
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
_LISTS: list[tuple[str, type[Any], Table]] = [
    ("organisations", Organisation, schema.organisations),
    ("team", Member, schema.team_members),
    ("coordinator", Coordination, schema.coordinations),
    ("steps", Step, schema.steps),
    ("handoffs", Handoff, schema.handoffs),
    ("annotations", Annotation, schema.finding_annotations),
]
_PLAN_LISTS: list[tuple[str, type[Any], Table]] = [
    ("goals", Goal, schema.goals),
    ("actions", Action, schema.actions),
]


class CaseNotFound(LookupError):
    """No case matches the id or title given."""


class SaveConflict(RuntimeError):
    """Someone saved the case since it was loaded: saving now would overwrite their work."""


@dataclass(frozen=True)
class CaseSummary:
    """A row of the case list."""

    id: int
    title: str
    name: str
    area: str | None
    steps: int
    #: (key findings, rules, occurrences) not set aside, as last saved; None for a case not saved since
    #: the counts were kept
    findings: tuple[int, int, int] | None = None
    #: whether someone is the care coordinator now (an open coordination period)
    has_coordinator: bool | None = None
    #: when the care plan is next to be reviewed (None: no plan, or no date set)
    review_on: date | None = None

    def flags(self, today: date, *, findings: bool = True) -> list[str]:
        """What the case list flags about the case: no coordinator, the review overdue, and (unless
        ``findings`` is False, for a list that shows the counts already) the key findings not set
        aside, as last saved."""
        flags = []
        if self.has_coordinator is False:
            flags.append("No coordinator")
        if self.review_on is not None and self.review_on < today:
            flags.append("Review overdue")
        if findings and self.findings is not None and self.findings[0] > 0:
            key = self.findings[0]
            flags.append(f"{key} key finding{'s' if key != 1 else ''} open")
        return flags


class CaseRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    # -- writing ---------------------------------------------------------------------------
    def add(self, case: Case, *, action: str = "created", summary: str | None = None,
            details: dict[str, Any] | None = None) -> int:
        """Store a new case and return its database id (also set on ``case.id``).

        The audit trail records it as ``action`` ("created", or "imported" for a case read from a
        file, with ``details`` such as {"file": ..., "format": "case-file"}) with ``summary``.
        """
        person = to_row(case.person, title=case.title, extensions=case.extensions,
                        search_text=search_text(case), **findings_counts(case))
        statement = insert(schema.cases).values(person).returning(schema.cases.c.id)
        case_id = int(self.connection.execute(statement).scalar_one())
        self._insert_children(case_id, case)
        case.id = case_id
        case.row_version = 1
        default = "Imported" if action == "imported" else "Created"
        audit.record(self.connection, case_id, action, summary or default, details,
                     case_title=case.display_title)
        return case_id

    def save(self, case: Case) -> dict[str, Any]:
        """Write an edited case over its stored version, in the caller's transaction.

        Raises SaveConflict, changing nothing, if the stored case changed (or was deleted)
        since ``case`` was loaded (its ``row_version``), so a colleague's save is never silently
        overwritten. Returns what changed (``db.audit.case_changes``), which the audit trail
        records with the edit.
        """
        assert case.id is not None and case.row_version is not None
        cases = schema.cases
        head = self.get_head(case.id)
        if head["row_version"] != case.row_version or head["deleted_at"] is not None:
            raise self._conflict(case, head)
        values = to_row(case.person, title=case.title, extensions=case.extensions,
                        search_text=search_text(case), **findings_counts(case))
        # the version check again, in the statement that takes the row: two saves racing past the
        # check above cannot both land (the loser's statement matches no row)
        result = self.connection.execute(
            update(cases).where(cases.c.id == case.id, cases.c.row_version == case.row_version,
                                cases.c.deleted_at.is_(None))
            .values(**values, row_version=cases.c.row_version + 1, updated_at=func.now()))
        if result.rowcount != 1:
            raise self._conflict(case, self.get_head(case.id))
        before = self._assemble(case.id, head)  # the rows are still the stored version's
        for table in [t for _a, _c, t in _LISTS + _PLAN_LISTS] + [schema.care_plans]:
            self.connection.execute(delete(table).where(table.c.case_id == case.id))
        self._insert_children(case.id, case)
        changes = audit.case_changes(before, case)
        audit.record(self.connection, case.id, "edited", f"Edited: {audit.describe_changes(changes)}",
                     {"changes": changes, "version": case.row_version + 1}, case_title=case.display_title)
        case.row_version += 1
        return changes

    def _conflict(self, case: Case, head: Any) -> SaveConflict:
        """The SaveConflict for ``case``, naming who changed it when the audit trail knows."""
        last = audit.history(self.connection, case.id, limit=1)
        by = f" ({last[0].user}, {_local_time(last[0].at)})" if last else ""
        if head["deleted_at"] is not None:
            return SaveConflict(f"The case “{case.display_title}” was deleted by someone else{by} "
                                "after you opened it.")
        return SaveConflict(f"The case “{case.display_title}” was changed by someone else{by} "
                            "after you opened it.")

    def move_to_deleted(self, case_id: int) -> None:
        """Delete a case recoverably: it leaves the case list for the Deleted view."""
        head = self.get_head(case_id)
        self.connection.execute(update(schema.cases).where(schema.cases.c.id == case_id)
                                .values(deleted_at=func.now()))
        audit.record(self.connection, case_id, "deleted", "Moved to Deleted cases",
                     case_title=head["title"] or head["name"])

    def restore(self, case_id: int) -> None:
        """Bring a case back from the Deleted view."""
        head = self.get_head(case_id)
        self.connection.execute(update(schema.cases).where(schema.cases.c.id == case_id)
                                .values(deleted_at=None))
        audit.record(self.connection, case_id, "restored", "Restored from Deleted cases",
                     case_title=head["title"] or head["name"])

    def empty_deleted(self) -> int:
        """Delete for good every case in the Deleted view; returns how many."""
        cases = schema.cases
        gone = self.connection.execute(
            select(cases.c.id, func.coalesce(cases.c.title, cases.c.name))
            .where(cases.c.deleted_at.is_not(None))).all()
        for case_id, title in gone:
            audit.record(self.connection, case_id, "purged", "Deleted for good (Deleted cases emptied)",
                         case_title=title)
        result = self.connection.execute(delete(cases).where(cases.c.deleted_at.is_not(None)))
        return int(result.rowcount)

    def _insert_children(self, case_id: int, case: Case) -> None:
        for attribute, _cls, table in _LISTS:
            if table is schema.organisations:
                self._insert_organisations(case_id, case.organisations)
            else:
                self._insert_list(table, case_id, getattr(case, attribute))
        plan = case.care_plan
        if plan is not None:
            self.connection.execute(insert(schema.care_plans).values(
                case_id=case_id, version=plan.version, agreed_on=plan.agreed_on,
                review_on=plan.review_on, contingency=plan.contingency,
                signed_off_by=list(plan.signed_off_by)))
            for attribute, _cls, table in _PLAN_LISTS:
                self._insert_list(table, case_id, getattr(plan, attribute))

    def _insert_organisations(self, case_id: int, organisations: list[Organisation]) -> None:
        """A case's organisations, each linked to the provider directory entry with its ODS code
        or CQC location id, when the directory has one."""
        if not organisations:
            return
        wanted = {(system, code) for org in organisations for system, code in _directory_codes(org)}
        found: dict[tuple[str, str], int] = {}
        if wanted:
            directory = schema.directory
            rows = self.connection.execute(
                select(directory.c.id, directory.c.code_system, directory.c.code)
                .where(directory.c.code.in_([code for _system, code in wanted])))
            found = {(row.code_system, row.code): row.id for row in rows}
        values = []
        for position, org in enumerate(organisations):
            match = next((found[key] for key in _directory_codes(org) if key in found), None)
            values.append(to_row(org, case_id=case_id, position=position, directory_id=match))
        self.connection.execute(insert(schema.organisations), values)

    def _insert_list(self, table: Table, case_id: int, items: list[Any]) -> None:
        if items:
            values = [to_row(item, case_id=case_id, position=i) for i, item in enumerate(items)]
            self.connection.execute(insert(table), values)

    def remember_counts(self, case: Case, counts: tuple[int, int, int]) -> None:
        """Keep the findings counts of a case stored before they were kept (the list shows them),
        without changing its version: only while it is still the version ``case`` was loaded as."""
        cases = schema.cases
        key, rules, occurrences = counts
        self.connection.execute(
            update(cases).where(cases.c.id == case.id, cases.c.row_version == case.row_version)
            .values(key_findings=key, rules_fired=rules, occurrences=occurrences))

    def get_head(self, case_id: int) -> Any:
        head = self.connection.execute(
            select(schema.cases).where(schema.cases.c.id == case_id)).mappings().first()
        if head is None:
            raise CaseNotFound(f"There is no case with id {case_id}.")
        return head

    # -- reading ---------------------------------------------------------------------------
    def get(self, case_id: int) -> Case:
        """Load a whole case; raise CaseNotFound if there is none with that id. Whole means one
        saved version only when the connection is a snapshot (``Database.snapshot()``)."""
        return self._assemble(case_id, self.get_head(case_id))

    def _assemble(self, case_id: int, head: Any) -> Case:
        # a damaged part is left out and said in words (case.damage): the rest of the case opens
        damage: list[str] = []
        lists = {attr: self._load_list(table, cls, case_id, damage) for attr, cls, table in _LISTS}
        person = (read_row(Person, head, "the person", damage)
                  or Person(name="(name could not be read)"))
        case = Case(
            id=case_id,
            row_version=head["row_version"],
            title=head["title"] if isinstance(head["title"], str) else None,
            person=person,
            extensions=head["extensions"],
            care_plan=self._load_plan(case_id, damage),
            **lists,
        )
        case.damage = damage + drop_dangling(case) + check_extensions(case)
        return case

    def _load_list(self, table: Table, cls: type[T], case_id: int, damage: list[str]) -> list[T]:
        query = select(table).where(table.c.case_id == case_id).order_by(table.c.position)
        rows = (read_row(cls, r, row_name(cls, r), damage) for r in self.connection.execute(query).mappings())
        return [row for row in rows if row is not None]

    def _load_plan(self, case_id: int, damage: list[str]) -> CarePlan | None:
        plans = schema.care_plans
        head = self.connection.execute(select(plans).where(plans.c.case_id == case_id)).mappings().first()
        if head is None:
            return None
        lists = {attr: self._load_list(table, cls, case_id, damage) for attr, cls, table in _PLAN_LISTS}
        return read_row(CarePlan, head, "the care plan", damage,
                        signed_off_by=head["signed_off_by"] or [], **lists)

    def summaries(self, search: str = "", limit: int | None = None, offset: int = 0,
                  deleted: bool = False) -> list[CaseSummary]:
        """Cases for the case list (or the Deleted view), by title, filtered in the database by
        the person's name, the title, the area or the name of an organisation on the case."""
        cases, steps = schema.cases, schema.steps
        # counted for the rows shown only, not over every step in the database
        count = (select(func.count()).select_from(steps).where(steps.c.case_id == cases.c.id)
                 .scalar_subquery())
        periods = schema.coordinations
        coordinated = (select(periods.c.case_id).where(periods.c.case_id == cases.c.id,
                                                       periods.c.end.is_(None)).exists())
        review_on = (select(schema.care_plans.c.review_on)
                     .where(schema.care_plans.c.case_id == cases.c.id).scalar_subquery())
        query = (
            select(cases.c.id, cases.c.title, cases.c.name, cases.c.area, count, cases.c.key_findings,
                   cases.c.rules_fired, cases.c.occurrences, coordinated, review_on)
            .order_by(func.lower(func.coalesce(cases.c.title, cases.c.name)), cases.c.id)
            .where(cases.c.deleted_at.is_not(None) if deleted else cases.c.deleted_at.is_(None))
            .offset(offset).limit(limit))
        condition = search_condition(search)
        if condition is not None:
            query = query.where(condition)
        return [CaseSummary(id=r[0], title=r[1] or r[2], name=r[2], area=r[3], steps=int(r[4]),
                            findings=None if None in r[5:8] else (int(r[5]), int(r[6]), int(r[7])),
                            has_coordinator=bool(r[8]),
                            review_on=r[9] if isinstance(r[9], date) else None)
                for r in self.connection.execute(query)]

    def count(self) -> int:
        """Cases not deleted."""
        cases = schema.cases
        return int(self.connection.execute(
            select(func.count()).select_from(cases).where(cases.c.deleted_at.is_(None))).scalar_one())

    def find(self, reference: str) -> int:
        """The id of the case named by ``reference``: a case id, or an exact title."""
        cases = schema.cases
        text = reference.strip()
        if text.isdigit():
            found = self.connection.execute(select(cases.c.id).where(cases.c.id == int(text))).scalar()
            if found is not None:
                return int(found)
        ids = list(self.connection.execute(
            select(cases.c.id).where(cases.c.title == text, cases.c.deleted_at.is_(None))).scalars())
        if len(ids) == 1:
            return int(ids[0])
        if len(ids) > 1:
            raise CaseNotFound(f"{len(ids)} cases are titled '{text}': use a case id "
                               f"({', '.join(str(i) for i in ids)}).")
        raise CaseNotFound(f"No case has the id or title '{text}'.")

    def delete(self, case_id: int) -> None:
        """Delete a case for good, at once (the Deleted view is the recoverable way)."""
        head = self.connection.execute(
            select(schema.cases.c.title, schema.cases.c.name).where(schema.cases.c.id == case_id)).first()
        if head is not None:
            audit.record(self.connection, case_id, "purged", "Deleted for good",
                         case_title=head.title or head.name)
        self.connection.execute(delete(schema.cases).where(schema.cases.c.id == case_id))


def _directory_codes(org: Organisation) -> list[tuple[str, str]]:
    """The (code system, code) pairs by which an organisation can be found in the directory."""
    codes = org.codes
    if codes is None:
        return []
    return [(system, code) for system, code in (("ods", codes.ods), ("cqc_location", codes.cqc_location))
            if code]


def findings_counts(case: Case) -> dict[str, int | None]:
    """The key findings, rules and occurrences of ``case`` (not set aside), for the case list."""
    from planner.analysis import analyse

    try:
        key, rules, occurrences = analyse(case).key.counts()
    except Exception:  # the counts are a convenience of the list: a save never fails for them
        return {"key_findings": None, "rules_fired": None, "occurrences": None}
    return {"key_findings": key, "rules_fired": rules, "occurrences": occurrences}


def search_text(case: Case) -> str:
    """What the case list searches: the person's name, the title, the area and the names of the
    organisations on the case, lower-cased in one column."""
    parts = [case.person.name, case.title or "", case.person.area or "",
             *(org.name for org in case.organisations)]
    return "\n".join(parts).lower()


def search_condition(search: str) -> Any:
    """The cases a search finds (None: every case): the text anywhere in the person's name, the
    title, the area or an organisation's name (the search column), or a team member's name; and,
    when it is digits (spaces allowed, as NHS numbers are written: "401 023 2137"), in the NHS
    number."""
    from sqlalchemy import or_

    text = " ".join(search.split()).lower()
    if not text:
        return None
    cases, team = schema.cases, schema.team_members
    pattern = f"%{_escape_like(text)}%"
    found = [cases.c.search_text.like(pattern, escape="\\"),
             select(team.c.case_id).where(team.c.case_id == cases.c.id,
                                          func.lower(team.c.name).like(pattern, escape="\\")).exists()]
    digits = text.replace(" ", "").replace("-", "")
    if digits.isascii() and digits.isdigit() and len(digits) >= 3:
        found.append(cases.c.nhs_number.like(f"%{digits}%"))
    return or_(*found)


def _local_time(moment: datetime) -> str:
    return moment.astimezone().strftime("%d %b %Y %H:%M")


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
