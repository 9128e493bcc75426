"""A PostgreSQL server for the tests: a fresh database for each test, copied from a template.

The server is given by ``PATHWAY_PLANNER_TEST_PG``, a URL of a database on it whose user may
create databases (``scripts/pg-temp.sh start`` starts a throwaway one and sets it, with the
password in a libpq password file). Each test gets its own database, made by copying a template
migrated once per run (``CREATE DATABASE ... TEMPLATE``, a file copy: milliseconds), and dropped
afterwards. Without the variable the PostgreSQL tests are skipped, with the reason; with
CI=true they fail instead, so CI never passes without having run them.
"""

from __future__ import annotations

import itertools
import os
from typing import Any

import pytest

ENV_VAR = "PATHWAY_PLANNER_TEST_PG"


def unavailable(reason: str) -> None:
    """Fail in CI, skip elsewhere."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but PostgreSQL is not available: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL tests need a server: {reason} (see scripts/pg-temp.sh)")


class PgServer:
    """Creates and drops test databases on one server."""

    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        from db.database import engine_url

        self.base = engine_url(url)
        self.admin = create_engine(self.base, isolation_level="AUTOCOMMIT", poolclass=_null_pool())
        self.prefix = f"pp_test_{os.getpid()}"
        self.template = f"{self.prefix}_template"
        self._numbers = itertools.count(1)
        self._made_template = False
        self.version = 0
        self._make_url = make_url

    def check(self) -> None:
        with self.admin.connect() as connection:
            self.version = int(connection.exec_driver_sql("SHOW server_version_num").scalar_one())

    def url(self, database: str) -> str:
        return self.base.set(database=database).render_as_string(hide_password=False)

    def _execute(self, statement: str) -> None:
        with self.admin.connect() as connection:
            connection.exec_driver_sql(statement)

    def _ensure_template(self) -> None:
        if self._made_template:
            return
        from db.database import open_database

        self._execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self._execute(f'CREATE DATABASE "{self.template}" TEMPLATE template0')
        open_database(self.url(self.template)).close()  # migrated to the newest schema, once
        self._made_template = True

    def create(self, *, migrated: bool = True) -> str:
        """A new database: migrated to the newest schema (empty of cases), or entirely empty."""
        name = f"{self.prefix}_{next(self._numbers)}"
        if migrated:
            self._ensure_template()
        source = self.template if migrated else "template0"
        # a file copy: much faster than the default WAL_LOG for small databases (PostgreSQL 15+)
        strategy = " STRATEGY FILE_COPY" if self.version >= 150000 else ""
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"{strategy}')
        return self.url(name)

    def drop(self, url: str) -> None:
        name = self._make_url(url).database
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        if self._made_template:
            self._execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self.admin.dispose()


def _null_pool() -> Any:
    from sqlalchemy.pool import NullPool

    return NullPool


def connect() -> PgServer:
    """The server from the environment, checked; skips or fails (in CI) if there is none."""
    url = os.environ.get(ENV_VAR)
    if not url:
        unavailable(f"{ENV_VAR} is not set")
    server = PgServer(str(url))
    try:
        server.check()
    except Exception as error:  # any failure to connect: reported as such
        from db.database import describe

        server.admin.dispose()
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        unavailable(f"cannot connect to {describe(str(url))}: {reason}")
    return server
