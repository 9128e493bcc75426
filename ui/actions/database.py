"""Opening a database and adding the Mrs Smith example to one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from db.database import Database
from ui.actions import ActionError


class DemoAlreadyThere(ActionError):
    """The Mrs Smith example is already in the database."""


@contextmanager
def opened(url: str | None, *, just_reading: bool = False) -> Iterator[Database]:
    """The database of ``url`` (None: $PATHWAY_PLANNER_DB, else the embedded one), open for one
    command and closed after it; one that cannot be written (a read-only folder or file) is opened
    read-only for a command ``just_reading`` (and refused, saying why, for the others)."""
    from db.database import open_database

    database = open_database(url, allow_read_only=just_reading)
    try:
        yield database
    finally:
        database.close()


def add_demo(database: Database, *, summary: str) -> int:
    """Add the Mrs Smith example (recorded as created, with ``summary``) and return its id; raises
    DemoAlreadyThere, adding nothing, when a case of its title is already there."""
    from db.database import demo_case, seed_demo_case
    from db.repository import CaseNotFound, CaseRepository

    title = demo_case().title or "Mrs Smith"
    with database.snapshot() as session:
        try:
            existing: int | None = CaseRepository(session).find(title)
        except CaseNotFound:
            existing = None
    if existing is not None:
        raise DemoAlreadyThere(f"the Mrs Smith example is already in this database (case {existing}, "
                               f"“{title}”); nothing was added.")
    return seed_demo_case(database, summary=summary)
