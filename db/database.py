"""Opening the case database: which one, creating and migrating it, seeding the demo case.

The database is chosen by ``--db URL``, else the ``PATHWAY_PLANNER_DB`` environment variable,
else the embedded default: an SQLite file in the user's data directory, which on first start
receives the Mrs Smith demo case. A team points every workstation at one PostgreSQL server
(``postgresql+psycopg://user@host/db``); the password comes from libpq's own mechanisms (a
password file, ``PGPASSWORD``) or the URL in the environment, and is never shown or logged.

SQLite files are created readable by the user only and run in WAL mode (readers never wait
for a writer, and a crash mid-write loses nothing committed). A new file is built beside its
final name and appears there complete, so an interrupted first start leaves no half-made file.
An existing file is checked before anything is written to it: its permissions are tightened
(0600; its folder 0700 when it is the app's own data folder), an empty file is refused, and
``PRAGMA quick_check`` runs on a read-only connection. A damaged file, or one in a folder (or
itself) that cannot be written, is refused, or opened read-only where the caller can work with
that (``Database.read_only`` then says why); it is never written to.

A database that is locked, damaged or unreachable raises DatabaseError (or its subclass
DatabaseUnavailable, which is also an SQLAlchemy OperationalError) with one line saying which
database, why, who holds it or where the latest backup is and how to restore it.
"""

from __future__ import annotations

import errno
import json
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, QueuePool, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError, SQLAlchemyError

from db.locks import writer_gone

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


class StoredValueDamaged(ValueError):
    """A value stored in the database cannot be read back (damage inside a row, which SQLite's checks
    of the file's structure do not see)."""


def _load_json(text: str | bytes) -> Any:
    """SQLite's JSON columns are read with this: damage inside a stored value is named as such."""
    try:
        return json.loads(text)
    except ValueError as error:
        raise StoredValueDamaged(f"a value stored in it cannot be read ({error})") from None


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


def _is_damage(error: DBAPIError) -> bool:
    """SQLite reports some damage ("database disk image is malformed") as a DatabaseError, not an
    OperationalError."""
    reason = str(error.orig).lower()
    return any(marker in reason for marker in _DAMAGED)


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


def shell_quote(text: str) -> str:
    """``text`` as one word for a POSIX shell, always in single quotes (so a path reads the same
    whether or not it needs them)."""
    return "'" + text.replace("'", "'\"'\"'") + "'"


def restore_advice(path: Path, *, is_default: bool) -> str:
    """The sentence naming the latest automatic backup of ``path`` and the exact command that restores
    it (with ``--db`` unless it is the embedded default)."""
    from db.backup import describe_latest_backup

    command = "pathway-planner" if is_default else \
        f"pathway-planner --db {shell_quote(f'sqlite:///{path.absolute()}')}"
    return describe_latest_backup(path, command=command)


def explain(error: BaseException, url: str, *, is_default: bool = False) -> str:
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
        return (f"Cannot open the database {name}: {reason}. The file was left as it is. "
                f"{restore_advice(path, is_default=is_default)}")
    return f"Cannot open the database {name}: {_mask(reason)}."


@dataclass
class Database:
    """An open, migrated case database."""

    url: str
    engine: Engine
    is_default: bool = False
    #: Why nothing can be written to it (damaged, or in a read-only folder), when it was opened
    #: read-only; None when it is open for writing.
    read_only: str | None = None

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

        A locked, damaged or unreachable database raises DatabaseUnavailable, saying why; so does a
        write to a database opened read-only.
        """
        with self.errors_explained(), self.engine.begin() as connection:
            yield connection

    @contextmanager
    def errors_explained(self) -> Iterator[None]:
        """Database errors in the block become one message: DatabaseUnavailable for a database that is
        locked, damaged or unreachable, or opened read-only and written to; DatabaseError for damage
        inside a stored value. Other errors (an integrity error, say) are the caller's to handle."""
        try:
            yield
        except DBAPIError as error:
            if isinstance(error, DatabaseUnavailable):
                raise
            if not isinstance(error, OperationalError) and not _is_damage(error):
                raise
            if self.read_only is not None and "readonly" in str(error.orig).lower():
                raise DatabaseUnavailable(f"Nothing was saved: {self.read_only}", error) from error
            raise DatabaseUnavailable(explain(error, self.url, is_default=self.is_default), error) from error
        except StoredValueDamaged as error:
            path = self.path
            advice = f" {restore_advice(path, is_default=self.is_default)}" if path is not None else ""
            raise DatabaseError(f"Cannot read the database {self.name}: {error}; it was left as it "
                                f"is.{advice}") from None

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
        with self.errors_explained():
            if self.is_sqlite:
                with self.engine.connect() as connection, _sqlite_read_transaction(connection):
                    yield connection
            else:
                options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
                with self.engine.connect().execution_options(**options) as connection, connection.begin():
                    yield connection

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


# -- SQLite files: created whole, checked before anything is written -------------------------------
#: The files SQLite keeps beside a database while it is in use.
SIDE_SUFFIXES = ("-wal", "-shm", "-journal")


def _prepare_folder(path: Path, name: str) -> None:
    if path.is_dir():
        raise DatabaseError(f"Cannot open the database {name}: it is a folder, not a file.")
    try:
        if not path.parent.is_dir():
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise DatabaseError(f"Cannot create the folder for the database {name}: {error.strerror}.") from None


def tighten_permissions(path: Path, *, own_folder: bool) -> None:
    """Take away what others may do with the database and its side files (0600 at most: a file the
    user made read-only stays read-only), and with its folder (0700) when it is the app's own data
    folder; a folder the user chose is left as it is. Files that are not the user's are left too."""
    targets = [path, *(path.with_name(path.name + suffix) for suffix in SIDE_SUFFIXES)]
    if own_folder:
        targets.append(path.parent)
    for target in targets:
        try:
            mode = target.stat().st_mode & 0o777
            if mode & 0o077:
                os.chmod(target, mode & 0o700)
        except OSError:  # gone meanwhile, or someone else's: nothing to tighten here
            continue


def _read_only_reason(path: Path) -> str | None:
    """Why Pathway Planner cannot write to the database file (None if it can)."""
    folder = path.parent
    if not os.access(folder, os.W_OK | os.X_OK) or (folder.exists() and _read_only_file_system(folder)):
        return (f"{path}'s folder is read-only: Pathway Planner needs to write beside the database (its "
                f"journal); make {folder} writable, or copy the database to a folder you can write to")
    if path.exists() and not os.access(path, os.W_OK):
        return (f"{path} is read-only: make it writable (chmod u+w), or copy it to a file you can write to")
    return None


def _read_only_file_system(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False


def _read_only_uri(path: Path, *, immutable: bool = False) -> str:
    from urllib.parse import quote

    return f"file:{quote(str(path.absolute()))}?mode=ro" + ("&immutable=1" if immutable else "")


@dataclass(frozen=True)
class _Inspection:
    """What the check before opening found: why the file cannot be written, its damage, and how
    it can be read."""

    read_only: str | None
    damage: str | None
    immutable: bool


def _inspect_sqlite_file(path: Path, name: str, *, is_default: bool) -> _Inspection:
    """Check an existing SQLite file without writing to it: not empty, an SQLite file, and
    ``PRAGMA quick_check`` on a read-only connection. Raises DatabaseError when it cannot be read at
    all; returns the damage quick_check reports otherwise.

    The one write allowed first is SQLite's own crash recovery of a database in rollback-journal
    mode (a backup opened as a database, say): a "hot" journal left by a program that stopped
    mid-save must be played back before the file can be read consistently."""
    from db.backup import is_sqlite_file

    def refused(reason: str) -> DatabaseError:
        return DatabaseError(f"Cannot open the database {name}: {reason}. The file was left as it is. "
                             f"{restore_advice(path, is_default=is_default)}")

    try:
        size = path.stat().st_size
    except OSError as error:
        raise refused(error.strerror or str(error)) from None
    if size == 0:
        raise DatabaseError(
            f"Cannot open the database {name}: the file is empty (0 bytes), so it is not a Pathway Planner "
            "database; it was left as it is. To start a new database there, delete the empty file. "
            f"{restore_advice(path, is_default=is_default)}")
    if not os.access(path, os.R_OK):
        raise DatabaseError(f"Cannot open the database {name}: you may not read it (permission denied); "
                            "ask whoever owns it, or check its permissions. It was left as it is.")
    if not is_sqlite_file(path):
        raise refused("file is not a database")
    read_only = _read_only_reason(path)
    wal = path.with_name(path.name + "-wal")
    journal = path.with_name(path.name + "-journal")
    immutable = False
    try:
        if read_only is None and journal.exists() and journal.stat().st_size > 0:
            _recover_journal(path)
        try:
            result = _quick_check(_read_only_uri(path))
        except sqlite3.OperationalError as error:
            # a WAL database in a read-only folder can only be read as it is on disk, and only when
            # no committed changes wait in its -wal file
            if read_only is None or "readonly" not in str(error).lower():
                raise
            if wal.exists() and wal.stat().st_size > 0:
                raise refused(f"its latest changes are in {wal}, which cannot be read without writing "
                              "beside it, and " + read_only) from None
            immutable = True
            result = _quick_check(_read_only_uri(path, immutable=True))
    except (sqlite3.Error, OSError) as error:  # unreadable (damaged), or locked: explain says which
        raise DatabaseError(explain(error, f"sqlite:///{path}", is_default=is_default)) from None
    damage = None
    if result != ["ok"]:  # one line: the first problems, without SQLite's "*** in database main ***"
        problems = [line.strip() for row in result for line in row.splitlines()
                    if line.strip() and not line.startswith("***")] or ["unknown problem"]
        damage = "; ".join(problems[:3]) + (" …" if len(problems) > 3 else "")
    return _Inspection(read_only=read_only, damage=damage, immutable=immutable)


def check_sqlite_database(url: str) -> None:
    """Check the SQLite file of ``url`` as opening it would, writing nothing: DatabaseError, naming the
    file, the damage and the backup to restore, if it is empty, not SQLite, unreadable or damaged (for
    commands such as ``backup`` that read the file without opening it as the app does)."""
    path = sqlite_path(url)
    if path is None or not path.exists():
        return
    is_default = path.absolute() == default_path().absolute()
    name = describe(url)
    found = _inspect_sqlite_file(path, name, is_default=is_default)
    if found.damage is not None:
        raise _damaged(name, found.damage, path, is_default=is_default)


def _damaged(name: str, damage: str, path: Path, *, is_default: bool) -> DatabaseError:
    return DatabaseError(f"Cannot use the database {name}: it is damaged (its check found: {damage}); "
                         f"the file was left as it is. {restore_advice(path, is_default=is_default)}")


#: How many problems quick_check reports at most (it stops there: a badly damaged file answers fast).
QUICK_CHECK_LIMIT = 10


def _recover_journal(path: Path) -> None:
    """Let SQLite play back a hot rollback journal (it does so on the first read of a read-write
    connection; a journal still in use by another program's save is left to it)."""
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        connection.execute("PRAGMA schema_version").fetchone()
    finally:
        connection.close()


def _quick_check(uri: str) -> list[str]:
    connection = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        return [str(row[0]) for row in connection.execute(f"PRAGMA quick_check({QUICK_CHECK_LIMIT})")]
    finally:
        connection.close()


def _create_sqlite_file(path: Path, name: str, *, seed: bool) -> None:
    """A new database, built under a temporary name beside ``path`` (schema, WAL mode and, if
    ``seed``, the demo case) and given its name when complete: an interrupted first start leaves no
    empty or half-made file under the real name. If another program created it meanwhile, theirs
    is kept."""
    from db.backup import create_private
    from db.migrate import MigrationFailed, upgrade

    partial = path.with_name(f".{path.name}.new-{os.getpid()}")
    _remove_abandoned(path)
    try:
        create_private(partial)
    except OSError as error:
        reason = _read_only_reason(path) if isinstance(error, PermissionError) or error.errno == errno.EROFS \
            else None
        raise DatabaseError(f"Cannot create the database {name}: "
                            f"{reason or error.strerror or error}.") from None
    partial_url = f"sqlite:///{partial}"
    engine = _create_engine(partial_url, name)
    try:
        upgrade(engine)
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        if seed:
            seed_demo_case(Database(url=partial_url, engine=engine))
        engine.dispose()  # the last connection closes: everything is in the file itself
        try:
            os.link(partial, path)
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links (some shared folders)
            if not path.exists():
                os.replace(partial, path)
    except DBAPIError as error:
        raise DatabaseError(f"Cannot create the database {name}: "
                            f"{(str(error.orig).strip().splitlines() or ['unknown error'])[0]}.") from None
    except MigrationFailed as error:
        raise DatabaseError(f"Cannot create the database {name}: {error}") from None
    finally:
        engine.dispose()
        _remove_abandoned(path)


def _remove_abandoned(path: Path) -> None:
    """Remove what a first start that was interrupted left beside ``path`` (a database being built by
    a process that no longer runs)."""
    pattern = re.compile(rf"\.{re.escape(path.name)}\.new-(\d+)(-wal|-shm|-journal)?")
    for partial in path.parent.glob(f".{path.name}.new-*"):
        matched = pattern.fullmatch(partial.name)
        if matched is None:
            continue
        pid = int(matched[1])
        if pid != os.getpid() and not writer_gone(pid, partial, older_than_s=3600):  # its own: done with
            continue
        partial.unlink(missing_ok=True)


def _create_engine(url: str, name: str, *, read_only_uri: str | None = None) -> Engine:
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
    if read_only_uri is not None:  # SQLite only: every connection read-only, however it is used
        parsed = make_url("sqlite://")
        options = {"poolclass": QueuePool, "creator": lambda: sqlite3.connect(
            read_only_uri, uri=True, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)}
    if parsed.get_backend_name() == "sqlite":
        options["json_deserializer"] = _load_json
    try:
        engine = create_engine(parsed, **options)
    except (ArgumentError, ImportError) as error:
        raise DatabaseError(f"Cannot open the database {name}: {_mask(str(error))}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def open_database(cli_url: str | None = None, *, seed_demo: bool | None = None,
                  allow_read_only: bool = False, allow_damaged: bool = False) -> Database:
    """Open (creating and migrating as needed) the chosen database.

    ``seed_demo`` defaults to True for the embedded default: a database created there on first
    start gets the Mrs Smith demo case. An existing SQLite file is checked before anything is
    written to it; one that is behind the current schema is backed up before it is migrated.
    One that cannot be written (a read-only folder or file) is opened read-only if
    ``allow_read_only``, one that is damaged if ``allow_damaged`` (``Database.read_only`` says why);
    otherwise, as for every failure, DatabaseError says which file, why, and how to restore it.
    """
    url, is_default = choose_url(cli_url)
    name = describe(url)
    path = sqlite_path(url)
    if path is None:
        return _open_engine(url, name, is_default=is_default, seed_demo=seed_demo)
    _prepare_folder(path, name)
    if not path.exists():
        _create_sqlite_file(path, name, seed=is_default if seed_demo is None else seed_demo)
        # (if the folder is someone else's, the file they left is checked as any other)
    tighten_permissions(path, own_folder=is_default)
    found = _inspect_sqlite_file(path, name, is_default=is_default)
    if found.damage is not None:
        if not allow_damaged:
            raise _damaged(name, found.damage, path, is_default=is_default)
        advice = restore_advice(path, is_default=is_default)
        return _open_read_only(url, path, name, found, is_default,
                               why=f"it is damaged (its check found: {found.damage}). {advice}",
                               reason=f"The database {name} is damaged (its check found: {found.damage}), so "
                                      f"nothing will be written to it. {advice}")
    if found.read_only is not None:
        if not allow_read_only:
            raise DatabaseError(f"Cannot write to the database {name}: {found.read_only}. Only the commands "
                                "that just read (cases, findings, measures, directory, audit) work on it; "
                                "nothing was changed.")
        return _open_read_only(url, path, name, found, is_default, why=f"{found.read_only}.",
                               reason=f"The database {name} is open read-only: {found.read_only}.")
    return _open_engine(url, name, is_default=is_default, seed_demo=seed_demo)


def _open_read_only(url: str, path: Path, name: str, found: _Inspection, is_default: bool, *, why: str,
                    reason: str) -> Database:
    """A database that is read, never written (``reason`` says why, to the user; ``why`` is the cause
    alone): not migrated, so it must have the current schema."""
    from db.migrate import HEAD_REVISION, ForeignDatabase, NewerDatabase, check_revision

    engine = _create_engine(url, name, read_only_uri=_read_only_uri(path, immutable=found.immutable))
    try:
        revision = check_revision(engine)
    except (ForeignDatabase, NewerDatabase) as error:
        engine.dispose()
        raise DatabaseError(f"Cannot open the database {name}: {error}.") from None
    except DBAPIError as error:
        engine.dispose()
        raise DatabaseError(explain(error, url, is_default=is_default)) from None
    if revision != HEAD_REVISION:
        engine.dispose()
        raise DatabaseError(f"Cannot open the database {name}: it needs migrating to this version's schema, "
                            f"which means writing to it, but {why}")
    return Database(url=url, engine=engine, is_default=is_default, read_only=reason)


def _open_engine(url: str, name: str, *, is_default: bool, seed_demo: bool | None) -> Database:
    """Open a database that may be written: migrate it (after a backup) and, if it was empty,
    seed the demo case when asked."""
    path = sqlite_path(url)
    engine = _create_engine(url, name)
    from db.migrate import ForeignDatabase, MigrationFailed, NewerDatabase, NotBackedUp, upgrade

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
    except MigrationFailed as error:
        engine.dispose()
        damaged = error.damaged and path is not None
        advice = f" {restore_advice(path, is_default=is_default)}" if damaged and path is not None else ""
        raise DatabaseError(f"Cannot open the database {name}: {error}{advice}") from None
    except DBAPIError as error:
        engine.dispose()
        raise DatabaseError(explain(error, url, is_default=is_default)) from None
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
