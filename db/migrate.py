"""Alembic migrations, run automatically when a database is opened.

The current revision is read with one query; Alembic itself is imported only when the
database is behind, so an up-to-date database opens without loading it. An SQLite database
file that is behind is copied into its backups folder first (``db.backup``): a migration that
fails half-way, or a schema change regretted later, never costs the cases. (PostgreSQL runs
the whole migration in one transaction, and is backed up by the server's own tools.)
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, inspect, text

#: Every migration in db/migrations/versions, oldest first (a test checks them against Alembic).
REVISIONS = ("0001", "0002", "0003", "0004", "0005")
#: The newest migration.
HEAD_REVISION = REVISIONS[-1]


class ForeignDatabase(RuntimeError):
    """The database has tables but no Pathway Planner schema version: leave it alone."""


class NewerDatabase(RuntimeError):
    """The database was migrated by a newer version of Pathway Planner: leave it alone."""


class NotBackedUp(RuntimeError):
    """The database needs migrating but could not be backed up first: it was left as it is."""


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


def upgrade(engine: Engine) -> bool:
    """Bring the database to the newest schema; True if it was empty (just created).

    An SQLite file with an older schema is backed up first (``db.backup.automatic_backup``);
    if that backup cannot be made, the migration does not run (NotBackedUp).
    """
    revision = current_revision(engine)
    if revision == HEAD_REVISION:
        return False
    if revision is None:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
        if tables:
            raise ForeignDatabase("it holds tables that are not a Pathway Planner database")
    elif revision not in REVISIONS:
        raise NewerDatabase(f"its schema version {revision!r} comes from a newer version of Pathway Planner; "
                            "update Pathway Planner to open it")
    else:
        path = sqlite_file(engine)
        if path is not None:
            from db.backup import BackupError, automatic_backup

            try:
                automatic_backup(path, f"before-migration-{revision}-to-{HEAD_REVISION}")
            except BackupError as error:
                raise NotBackedUp(str(error)) from None
    from alembic import command

    command.upgrade(alembic_config(engine), "head")  # type: ignore[arg-type]
    return revision is None
