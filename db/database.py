"""Opening the case database: which one, creating and migrating it, seeding the demo case.

The database is chosen by ``--db URL``, else the ``PATHWAY_PLANNER_DB`` environment variable,
else the embedded default: an SQLite file in the user's data directory, which on first start
receives the Mrs Smith demo case. A team points every workstation at one PostgreSQL server
(``postgresql+psycopg://user@host/db``); the password comes from libpq's own mechanisms (a
password file, ``PGPASSWORD``) or the URL in the environment, and is never shown or logged.

SQLite files are created readable by the user only and run in WAL mode (readers never wait
for a writer, and a crash mid-write loses nothing committed). A database that is locked,
damaged or unreachable raises DatabaseError (or its subclass DatabaseUnavailable, which is
also an SQLAlchemy OperationalError) with one line saying which database, why, who holds it
or where the latest backup is; a damaged file is never written to.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError, SQLAlchemyError

if TYPE_CHECKING:
    from planner.model import Case

ENV_VAR = "PATHWAY_PLANNER_DB"
APP_NAME = "pathway-planner"
DEFAULT_FILE = "pathway-planner.sqlite"
#: How long a write waits for another program's write to finish before giving up (SQLite).
BUSY_TIMEOUT_MS = 5000
#: How long a PostgreSQL statement waits for a row another workstation has locked, and for a
#: connection to the server.
PG_LOCK_TIMEOUT_MS = 10000
PG_CONNECT_TIMEOUT_S = 10

_DAMAGED = ("file is not a database", "malformed", "disk i/o error", "unable to open database file",
            "readonly database", "database or disk is full", "not authorized")
_LOCKED = ("database is locked", "database table is locked", "locknotavailable",
           "canceling statement due to lock timeout")


class DatabaseError(RuntimeError):
    """The database cannot be opened or used; the message names it and says why."""


class DatabaseUnavailable(DatabaseError, OperationalError):
    """The database stopped answering while in use: locked, damaged, or its server unreachable.

    Also an SQLAlchemy OperationalError, so code that handles SQLAlchemy's errors still does.
    """

    def __init__(self, message: str, original: DBAPIError) -> None:
        OperationalError.__init__(self, original.statement, original.params, original.orig,  # type: ignore[arg-type]
                                  hide_parameters=True)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> Any:  # pragma: no cover - pickling for multiprocessing only
        return (DatabaseError, (self.message,))


def default_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False) / DEFAULT_FILE


def choose_url(cli_url: str | None = None) -> tuple[str, bool]:
    """(URL, whether it is the embedded default) from the command line, environment or default."""
    chosen = cli_url or os.environ.get(ENV_VAR)
    if chosen:
        return chosen, False
    return f"sqlite:///{default_path()}", True


def _mask(text: str) -> str:
    """Hide a password in anything that looks like a URL with credentials."""
    return re.sub(r"(://[^:/@\s]*:)[^@\s]*@", r"\1***@", text)


def describe(url: str) -> str:
    """A URL as it may be shown or logged: never with a password."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return _mask(url)
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite {parsed.database or 'in memory'}"
    return parsed.render_as_string(hide_password=True)


def engine_url(url: str) -> URL:
    """The URL to connect with: ``postgresql://`` and ``postgres://`` use psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def sqlite_path(url: str) -> Path | None:
    """The file of an SQLite URL; None for another engine or an in-memory database."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_MS)}")
    cursor.close()


def explain(error: BaseException, url: str) -> str:
    """One line for a database error: which database, why, and what can be done."""
    name = describe(url)
    original = getattr(error, "orig", None) or error
    reason = (str(original).strip().splitlines() or [type(original).__name__])[0]
    lowered = f"{type(original).__name__} {reason}".lower()
    path = sqlite_path(url)
    if any(marker in lowered for marker in _LOCKED):
        if path is not None:
            from db.locks import describe_holders

            return (f"The database {name} is locked: another program kept it busy for more than "
                    f"{BUSY_TIMEOUT_MS / 1000:g} seconds. {describe_holders(path)}")
        return (f"The database {name} is busy: another workstation has kept the same rows locked for more "
                f"than {PG_LOCK_TIMEOUT_MS / 1000:g} seconds. Try again in a moment.")
    if path is not None and any(marker in lowered for marker in _DAMAGED):
        from db.backup import describe_latest_backup

        return (f"Cannot open the database {name}: {reason}. The file was left as it is. "
                f"{describe_latest_backup(path)}")
    return f"Cannot open the database {name}: {_mask(reason)}."


@dataclass
class Database:
    """An open, migrated case database."""

    url: str
    engine: Engine
    is_default: bool = False

    @property
    def name(self) -> str:
        return describe(self.url)

    @property
    def path(self) -> Path | None:
        """The SQLite file (None for PostgreSQL or in memory)."""
        return sqlite_path(self.url)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Connection]:
        """A unit of work: commits when the block ends normally, rolls back on an exception.

        A locked, damaged or unreachable database raises DatabaseUnavailable, saying why.
        """
        try:
            with self.engine.begin() as connection:
                yield connection
        except OperationalError as error:
            if isinstance(error, DatabaseUnavailable):
                raise
            raise DatabaseUnavailable(explain(error, self.url), error) from error

    @contextmanager
    def snapshot(self) -> Iterator[Connection]:
        """A read-only unit of work that sees the database as it was at one moment: every query in
        the block reads the same committed state, whatever colleagues save meanwhile, so a case (or
        several) loaded in it is whole, never half one saved version and half another.

        On SQLite one read transaction covers the block (in WAL mode it keeps its snapshot and
        neither waits for writers nor holds them up); on PostgreSQL it is a REPEATABLE READ, READ
        ONLY transaction. Writing in it fails. A locked, damaged or unreachable database raises
        DatabaseUnavailable, saying why.
        """
        try:
            if self.is_sqlite:
                with self.engine.connect() as connection, _sqlite_read_transaction(connection):
                    yield connection
            else:
                options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
                with self.engine.connect().execution_options(**options) as connection, connection.begin():
                    yield connection
        except OperationalError as error:
            if isinstance(error, DatabaseUnavailable):
                raise
            raise DatabaseUnavailable(explain(error, self.url), error) from error

    def close(self) -> None:
        self.engine.dispose()


@contextmanager
def _sqlite_read_transaction(connection: Connection) -> Iterator[None]:
    """One SQLite read transaction on ``connection`` for the block, with writes refused
    (``query_only``); ended (rolled back: it wrote nothing) when the block ends.

    The sqlite3 driver starts a transaction only before a write, so each SELECT would otherwise
    read the database as it is at that moment; an explicit BEGIN makes them share one snapshot.
    """
    connection.begin()
    raw = connection.connection.dbapi_connection
    if not getattr(raw, "in_transaction", False):  # unless the engine already began one
        connection.exec_driver_sql("BEGIN")
    # as it was before: a connection that is read-only for another reason stays read-only
    was_query_only = bool(connection.exec_driver_sql("PRAGMA query_only").scalar())
    connection.exec_driver_sql("PRAGMA query_only=ON")
    try:
        yield
    finally:
        try:
            connection.rollback()
            if not was_query_only:
                connection.exec_driver_sql("PRAGMA query_only=OFF")
            connection.commit()
        except BaseException:
            connection.invalidate()  # never back into the pool read-only
            raise


def _prepare_sqlite_file(path: Path, name: str) -> None:
    """The folder exists; a new database file is created readable by the user only."""
    if path.is_dir():
        raise DatabaseError(f"Cannot open the database {name}: it is a folder, not a file.")
    try:
        if not path.parent.is_dir():
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise DatabaseError(f"Cannot create the folder for the database {name}: {error.strerror}.") from None
    if not path.exists():
        from db.backup import create_private

        try:
            create_private(path)
        except FileExistsError:  # another process created it a moment ago
            pass
        except OSError as error:
            raise DatabaseError(f"Cannot create the database {name}: {error.strerror}.") from None


def _create_engine(url: str, name: str) -> Engine:
    try:
        parsed = engine_url(url)
    except (ArgumentError, ValueError):
        raise DatabaseError(
            f"'{_mask(url)}' is not a database URL (for example sqlite:///cases.sqlite or "
            "postgresql+psycopg://user@server/cases).") from None
    options: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql":
        options = {"pool_pre_ping": True, "connect_args": {
            "connect_timeout": PG_CONNECT_TIMEOUT_S, "application_name": APP_NAME,
            "options": f"-c lock_timeout={int(PG_LOCK_TIMEOUT_MS)}"}}
    try:
        engine = create_engine(parsed, **options)
    except (ArgumentError, ImportError) as error:
        raise DatabaseError(f"Cannot open the database {name}: {_mask(str(error))}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def open_database(cli_url: str | None = None, *, seed_demo: bool | None = None) -> Database:
    """Open (creating and migrating as needed) the chosen database.

    ``seed_demo`` defaults to True for the embedded default: a database created there on first
    start gets the Mrs Smith demo case. An SQLite file behind the current schema is backed up
    before it is migrated. Raises DatabaseError with a clear message on failure.
    """
    url, is_default = choose_url(cli_url)
    name = describe(url)
    path = sqlite_path(url)
    if path is not None:
        _prepare_sqlite_file(path, name)
    engine = _create_engine(url, name)
    from db.migrate import ForeignDatabase, NewerDatabase, NotBackedUp, upgrade

    try:
        created = upgrade(engine)
        if path is not None:
            with engine.connect() as connection:  # only once it is known to be ours
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")
    except (ForeignDatabase, NewerDatabase) as error:
        engine.dispose()
        raise DatabaseError(f"Cannot open the database {name}: {error}.") from None
    except NotBackedUp as error:
        engine.dispose()
        raise DatabaseError(f"Cannot open the database {name}: it needs migrating to the new schema but "
                            f"could not be backed up first, so it was left as it is. {error}") from None
    except DBAPIError as error:
        engine.dispose()
        raise DatabaseError(explain(error, url)) from None
    except SQLAlchemyError as error:
        engine.dispose()
        raise DatabaseError(f"Cannot open the database {name}: {_mask(str(error))}") from None
    database = Database(url=url, engine=engine, is_default=is_default)
    if created and (is_default if seed_demo is None else seed_demo):
        seed_demo_case(database)
    return database


def demo_case() -> Case:
    """The Mrs Smith demo case, as packaged in resources/demo."""
    from importlib.resources import files

    from planner.casefile import loads_case

    text_ = files("resources").joinpath("demo/mrs-smith.case.json").read_text(encoding="utf-8")
    return loads_case(text_, "the demo case")


def seed_demo_case(database: Database, summary: str = "The demo case, added on first start") -> int:
    """Store the Mrs Smith demo case and return its id."""
    from db.repository import CaseRepository

    with database.session() as session:
        return CaseRepository(session).add(demo_case(), summary=summary)
