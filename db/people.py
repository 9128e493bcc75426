"""People already known on other cases: the team members a coordinator can add without retyping.

A district nurse or a social worker is on many people's teams. :class:`PeopleDirectory` lists the
distinct team members of the other cases in the database (not deleted), each with their role,
contact, professional register and organisation, so one can be added to the open case with
their organisation (copied across if the case does not have it yet).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, func, select

from db import schema
from db.mapping import from_row
from planner.model import Organisation


@dataclass(frozen=True)
class KnownPerson:
    name: str
    role: str
    contact: str | None
    professional_register: str | None
    #: Their organisation as recorded on the case they were found on (None if none).
    organisation: Organisation | None
    #: How many cases they are on.
    cases: int

    @property
    def organisation_name(self) -> str:
        return self.organisation.name if self.organisation else ""


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class PeopleDirectory:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def search(self, text: str = "", exclude_case: int | None = None, limit: int = 200) -> list[KnownPerson]:
        """People on other cases whose name, role, contact or organisation contains every word of
        ``text``, by name; the same person (name, role and organisation) on several cases once."""
        members, orgs, cases = schema.team_members, schema.organisations, schema.cases
        joined = (members.join(cases, and_(cases.c.id == members.c.case_id, cases.c.deleted_at.is_(None)))
                  .outerjoin(orgs, and_(orgs.c.case_id == members.c.case_id,
                                        orgs.c.id == members.c.organisation)))
        query = (select(members.c.name, members.c.role, members.c.contact, members.c.professional_register,
                        members.c.case_id, *[c.label(f"org_{c.name}") for c in orgs.c
                                             if c.name not in ("case_id", "position")])
                 .select_from(joined))
        if exclude_case is not None:
            query = query.where(members.c.case_id != exclude_case)
        for word in text.lower().split():
            pattern = f"%{_escape_like(word)}%"
            query = query.where(
                func.lower(members.c.name).like(pattern, escape="\\")
                | func.lower(members.c.role).like(pattern, escape="\\")
                | func.lower(func.coalesce(members.c.contact, "")).like(pattern, escape="\\")
                | func.lower(func.coalesce(orgs.c.name, "")).like(pattern, escape="\\"))
        query = query.order_by(func.lower(members.c.name), members.c.case_id.desc())
        found: dict[tuple[str, str, str], dict[str, Any]] = {}
        for row in self.connection.execute(query).mappings():
            key = (row["name"].strip().lower(), row["role"], (row["org_name"] or "").strip().lower())
            held = found.get(key)
            if held is None:  # the newest case's details come first
                found[key] = {"row": row, "cases": {row["case_id"]}}
            else:
                held["cases"].add(row["case_id"])
        people = []
        for held in found.values():
            row = held["row"]
            organisation = None
            if row["org_id"] is not None:
                columns = {k[4:]: v for k, v in row.items() if k.startswith("org_")}
                organisation = from_row(Organisation, columns)
            people.append(KnownPerson(row["name"], row["role"], row["contact"], row["professional_register"],
                                      organisation, len(held["cases"])))
            if len(people) >= limit:
                break
        return people
