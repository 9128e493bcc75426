"""Alembic environment: migrates the engine handed over in ``config.attributes``, every revision in
one transaction (``db.migrate``)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from db.migrate import after_migrations, before_migrations, include_object
from db.schema import metadata

target_metadata = metadata

config = context.config
engine = config.attributes.get("engine") or create_engine(config.get_main_option("sqlalchemy.url") or "")

with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True,
                      include_object=include_object)
    with context.begin_transaction():  # within engine.begin()'s: every revision in one transaction
        before_migrations(connection)
        context.run_migrations()
        after_migrations(connection)
