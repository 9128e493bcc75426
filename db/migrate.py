"""Alembic migrations, run automatically when a database is opened.

The current revision is read with one query; Alembic itself is imported only when the
database is behind, so an up-to-date database opens without loading it.
"""

from __future__ import annotations

from sqlalchemy import Engine, inspect, text

#: The newest migration in db/migrations/versions (a test checks it against Alembic's head).
HEAD_REVISION = "0003"


class ForeignDatabase(RuntimeError):
    """The database has tables but no Pathway Planner schema version: leave it alone."""


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


def upgrade(engine: Engine) -> bool:
    """Bring the database to the newest schema; True if it was empty (just created)."""
    revision = current_revision(engine)
    if revision == HEAD_REVISION:
        return False
    if revision is None:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
        if tables:
            raise ForeignDatabase("it holds tables that are not a Pathway Planner database")
    from alembic import command

    command.upgrade(alembic_config(engine), "head")  # type: ignore[arg-type]
    return revision is None
