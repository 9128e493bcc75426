"""Opening the case database: which one, creating and migrating it, seeding the demo case.

The database is chosen by ``--db URL``, else the ``PATHWAY_PLANNER_DB`` environment variable,
else the embedded default: an SQLite file in the user's data directory, which on first start
receives the Mrs Smith demo case.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

ENV_VAR = "PATHWAY_PLANNER_DB"
APP_NAME = "pathway-planner"
DEFAULT_FILE = "pathway-planner.sqlite"


class DatabaseError(RuntimeError):
    """The database cannot be opened or used; the message names it and says why."""


def default_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False) / DEFAULT_FILE


def choose_url(cli_url: str | None = None) -> tuple[str, bool]:
    """(URL, whether it is the embedded default) from the command line, environment or default."""
    chosen = cli_url or os.environ.get(ENV_VAR)
    if chosen:
        return chosen, False
    return f"sqlite:///{default_path()}", True


def describe(url: str) -> str:
    """A URL as it may be shown or logged: never with a password."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite {parsed.database or 'in memory'}"
    return parsed.render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


@dataclass
class Database:
    """An open, migrated case database."""

    url: str
    engine: Engine
    is_default: bool = False

    @property
    def name(self) -> str:
        return describe(self.url)

    @contextmanager
    def session(self) -> Iterator[Connection]:
        """A unit of work: commits when the block ends normally, rolls back on an exception."""
        with self.engine.begin() as connection:
            yield connection

    def close(self) -> None:
        self.engine.dispose()


def open_database(cli_url: str | None = None, *, seed_demo: bool | None = None) -> Database:
    """Open (creating and migrating as needed) the chosen database.

    ``seed_demo`` defaults to True for the embedded default: a database created there on first
    start gets the Mrs Smith demo case. Raises DatabaseError with a clear message on failure.
    """
    url, is_default = choose_url(cli_url)
    name = describe(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(
            f"'{url}' is not a database URL (for example sqlite:///cases.sqlite).") from None
    is_sqlite = parsed.get_backend_name() == "sqlite"
    if is_sqlite and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database)
        if path.is_dir():
            raise DatabaseError(f"Cannot open the database {name}: it is a folder, not a file.")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DatabaseError(
                f"Cannot create the folder for the database {name}: {error.strerror}.") from None
    try:
        engine = create_engine(url)
    except (ArgumentError, ImportError) as error:
        raise DatabaseError(f"Cannot open the database {name}: {error}") from None
    if is_sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
    from db.migrate import ForeignDatabase, upgrade

    try:
        created = upgrade(engine)
    except ForeignDatabase as error:
        engine.dispose()
        raise DatabaseError(f"Cannot open the database {name}: {error}.") from None
    except DBAPIError as error:
        engine.dispose()
        reason = str(error.orig).strip() or type(error.orig).__name__
        raise DatabaseError(f"Cannot open the database {name}: {reason}.") from None
    except SQLAlchemyError as error:
        engine.dispose()
        raise DatabaseError(f"Cannot open the database {name}: {error}") from None
    database = Database(url=url, engine=engine, is_default=is_default)
    if created and (is_default if seed_demo is None else seed_demo):
        seed_demo_case(database)
    return database


def seed_demo_case(database: Database) -> int:
    """Store the Mrs Smith demo case and return its id."""
    from importlib.resources import files

    from db.repository import CaseRepository
    from planner.casefile import loads_case

    text_ = files("resources").joinpath("demo/mrs-smith.case.json").read_text(encoding="utf-8")
    case = loads_case(text_, "the demo case")
    with database.session() as session:
        return CaseRepository(session).add(case)

