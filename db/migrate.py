"""Alembic migrations, run automatically when a database is opened.

The current revision is read with one query; Alembic itself is imported only when the
database is behind, so an up-to-date database opens without loading it. An SQLite database
file that is behind is copied into its backups folder first (``db.backup``): a migration that
fails half-way, or a schema change regretted later, never costs the cases. (PostgreSQL runs
the whole migration in one transaction, and is backed up by the server's own tools.)

Every upgrade runs in one transaction on both engines, so a migration that is interrupted (a
crash, kill -9, a full disk) leaves the database at its old schema, whole. On SQLite that takes
care: Python's sqlite3 module runs DDL such as ``ALTER TABLE`` outside any transaction unless
told otherwise, so the migrations run on a connection of their own that issues ``BEGIN
IMMEDIATE`` itself (SQLAlchemy's recipe for "Serializable isolation / Savepoints / Transactional
DDL"). The revisions are also idempotent (a table, column or index that exists is not added
again) and leftover batch tables are dropped, so a database left half-migrated by an earlier
release opens too. A retry does not copy the database again: the backup made for the same
upgrade is reused while the database is unchanged since.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, NullPool, create_engine, event, inspect, text

#: Every migration in db/migrations/versions, oldest first (a test checks them against Alembic).
REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007")
#: The newest migration.
HEAD_REVISION = REVISIONS[-1]


class ForeignDatabase(RuntimeError):
    """The database has tables but no Pathway Planner schema version: leave it alone."""


class NewerDatabase(RuntimeError):
    """The database was migrated by a newer version of Pathway Planner: leave it alone."""


class NotBackedUp(RuntimeError):
    """The database needs migrating but could not be backed up first: it was left as it is."""


class MigrationFailed(RuntimeError):
    """The migration stopped part-way and was undone, or did not start because the database is
    damaged (``damaged``); the message says why and names the backup."""

    def __init__(self, message: str, *, damaged: bool = False) -> None:
        super().__init__(message)
        self.damaged = damaged


def known_revisions() -> tuple[str, ...]:
    return REVISIONS


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if "alembic_version" not in inspect(connection).get_table_names():
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def alembic_config(engine: Engine | None = None) -> object:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "db:migrations")
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def include_object(_object: object, name: str | None, type_: str, _reflected: bool,
                   _compare_to: object) -> bool:
    """Alembic's comparison of the tables with a database leaves out the indexes on expressions,
    which SQLAlchemy cannot read back from SQLite (``db.schema.EXPRESSION_INDEXES``)."""
    from db.schema import EXPRESSION_INDEXES

    return not (type_ == "index" and name in EXPRESSION_INDEXES)


def sqlite_file(engine: Engine) -> Path | None:
    """The database file of an SQLite engine (None for another engine, or in memory)."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return None
    return Path(engine.url.database)


def check_revision(engine: Engine) -> str | None:
    """The database's schema revision (None if it is empty), read without writing anything.

    Raises ForeignDatabase for another program's database, NewerDatabase for one from a newer
    version of Pathway Planner."""
    revision = current_revision(engine)
    if revision is None:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
        if tables:
            raise ForeignDatabase("it holds tables that are not a Pathway Planner database")
    elif revision not in REVISIONS:
        raise NewerDatabase(f"its schema version {revision!r} comes from a newer version of Pathway Planner; "
                            "update Pathway Planner to open it")
    return revision


def upgrade(engine: Engine) -> bool:
    """Bring the database to the newest schema, in one transaction; True if it was empty (just created).

    An SQLite file with an older schema is checked (``PRAGMA integrity_check``) and backed up first
    (``db.backup.automatic_backup``, or the backup an interrupted attempt at the same upgrade made,
    if the database has not changed since); if that backup cannot be made, the migration does not
    run (NotBackedUp). A migration that fails is undone and raises MigrationFailed.
    """
    revision = check_revision(engine)
    if revision == HEAD_REVISION:
        return False
    path = sqlite_file(engine)
    backup = None
    if path is not None and revision is not None:
        import sqlite3

        try:
            problems = integrity_problems(path)
        except sqlite3.Error as error:
            raise MigrationFailed(f"it needs migrating from schema {revision} to {HEAD_REVISION}, but it "
                                  f"could not be checked first ({error}), so it was left as it is.") from None
        if problems != ["ok"]:
            lines = [line.strip() for row in problems for line in row.splitlines()
                     if line.strip() and not line.startswith("***")]
            raise MigrationFailed(f"it needs migrating from schema {revision} to {HEAD_REVISION}, but it is "
                                  f"damaged (its check found: {'; '.join(lines[:3])}), so it was left as "
                                  "it is.", damaged=True)
        backup = _back_up_before(engine, path, revision)
    from alembic import command

    migrating = _migration_engine(engine)
    try:
        command.upgrade(alembic_config(migrating), "head")  # type: ignore[arg-type]
    except Exception as error:  # whatever stopped it, the transaction was rolled back
        text_ = str(getattr(error, "orig", None) or error).strip()
        reason = (text_.splitlines() or [type(error).__name__])[0]
        kept = f" A copy from before the migration is {backup}." if backup is not None else ""
        raise MigrationFailed(f"migrating it from schema {revision or 'none'} to {HEAD_REVISION} failed "
                              f"({reason}); the change was undone, so it is as it was.{kept}") from error
    finally:
        if migrating is not engine:
            migrating.dispose()
    return revision is None


def integrity_problems(path: Path, limit: int = 10) -> list[str]:
    """``PRAGMA integrity_check`` of an SQLite file, on a read-only connection of its own: ``["ok"]``
    or the first ``limit`` problems. (It reads every page and index entry: it runs before a
    migration, which copies the whole file anyway, not at every start.)"""
    import sqlite3
    from urllib.parse import quote

    connection = sqlite3.connect(f"file:{quote(str(path.absolute()))}?mode=ro", uri=True, timeout=5)
    try:
        return [str(row[0]) for row in connection.execute(f"PRAGMA integrity_check({int(limit)})")]
    finally:
        connection.close()


def _back_up_before(engine: Engine, path: Path, revision: str) -> Path:
    """The automatic backup for this upgrade: the one an interrupted attempt made, if the database is
    unchanged since (the same SHA-256), else a new one. The database is put in WAL mode and
    checkpointed first, so everything committed is in the file itself. (An attempt that was killed
    leaves its uncommitted pages in the -wal file only, which the checkpoint discards.)"""
    from db.backup import BackupError, automatic_backup, database_digest, remember_source, reusable_backup

    reason = f"before-migration-{revision}-to-{HEAD_REVISION}"
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA journal_mode=WAL").scalar()
        busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
    digest = database_digest(path) if busy is not None and busy[0] == 0 else None  # 0: complete
    if digest is not None:
        reused = reusable_backup(path, reason, digest)
        if reused is not None:
            return reused
    try:
        backup = automatic_backup(path, reason)
    except BackupError as error:
        raise NotBackedUp(str(error)) from None
    if digest is not None and database_digest(path) == digest:  # nobody saved while it was copied
        with contextlib.suppress(OSError):  # (if not noted, a retry copies it again: no harm)
            remember_source(backup, digest)
    return backup


def _migration_engine(engine: Engine) -> Engine:
    """The engine the migrations run on: PostgreSQL's own (its DDL is transactional); for an SQLite
    file, one whose connections leave transactions to SQLAlchemy, which begins each with ``BEGIN
    IMMEDIATE`` (the write lock first, so a colleague's program waits rather than interleaves), and
    with foreign keys off, as batch migrations that rebuild a table need (checked before commit)."""
    if engine.dialect.name != "sqlite":
        return engine
    migrating = create_engine(engine.url, poolclass=NullPool)

    def connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # no implicit BEGIN, no COMMIT before DDL
        dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        dbapi_connection.execute("PRAGMA busy_timeout=5000")

    def begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    event.listen(migrating, "connect", connect)
    event.listen(migrating, "begin", begin)
    return migrating


def before_migrations(connection: Connection) -> None:
    """In the migration's transaction, before the revisions run: drop what a batch migration of an
    earlier release left when it was interrupted (``_alembic_tmp_<table>`` beside the intact table)."""
    if connection.dialect.name != "sqlite":
        return
    tables = set(inspect(connection).get_table_names())
    for table in sorted(tables):
        if table.startswith("_alembic_tmp_") and table.removeprefix("_alembic_tmp_") in tables:
            connection.exec_driver_sql(f'DROP TABLE "{table}"')
    problems = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    connection.info["foreign_key_problems"] = len(problems)  # (only new ones stop the migration)


def after_migrations(connection: Connection) -> None:
    """In the migration's transaction, before it commits: the rebuilt tables satisfy the foreign keys
    as well as before (they are off while SQLite migrates), or the whole migration is undone."""
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if len(broken) > connection.info.pop("foreign_key_problems", 0):
        raise RuntimeError(f"after migrating, {len(broken)} rows refer to rows that do not exist "
                           f"(first in the table {broken[0][0]})")


# -- for the revisions: what a database already has (so a revision can run again safely) ----------
def has_table(connection: Connection, table: str) -> bool:
    return bool(inspect(connection).has_table(table))


def has_column(connection: Connection, table: str, column: str) -> bool:
    return column in {c["name"] for c in inspect(connection).get_columns(table)}


def has_index(connection: Connection, table: str, index: str) -> bool:
    """Asked of the catalogue, not SQLAlchemy's reflection (which cannot read SQLite's indexes on
    expressions back)."""
    if connection.dialect.name == "sqlite":
        query = "SELECT 1 FROM sqlite_master WHERE type = 'index' AND tbl_name = :table AND name = :index"
    else:
        query = "SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND tablename = :table " \
                "AND indexname = :index"
    return connection.execute(text(query), {"table": table, "index": index}).first() is not None
