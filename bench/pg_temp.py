"""A PostgreSQL database for a benchmark, dropped afterwards.

On the server named by PATHWAY_PLANNER_TEST_PG when it is set (as CI and ``make test-pg`` set it);
otherwise on a throwaway server that ``scripts/pg-temp.sh`` starts for the run and removes after.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.pg import ENV_VAR, PgServer  # noqa: E402

SCRIPT = ROOT / "scripts" / "pg-temp.sh"


@contextmanager
def server_url() -> Iterator[str]:
    """The URL of a PostgreSQL server's database whose user may create databases."""
    if os.environ.get(ENV_VAR):
        yield os.environ[ENV_VAR]
        return
    started = subprocess.run(["bash", str(SCRIPT), "start"], check=True, capture_output=True, text=True)
    exports = {}
    for line in started.stdout.splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        exports[key] = value.strip("'")
    os.environ["PGPASSFILE"] = exports["PGPASSFILE"]  # the password, for this process and its children
    try:
        yield exports[ENV_VAR]
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", exports["PG_TEMP_DIR"]], check=False,
                       capture_output=True)


@contextmanager
def fresh_database(*, migrated: bool = True) -> Iterator[str]:
    """A new database (migrated to the newest schema, empty of cases), dropped afterwards."""
    with server_url() as url:
        server = PgServer(url)
        server.check()
        database = server.create(migrated=migrated)
        try:
            yield database
        finally:
            server.drop(database)
            server.close()
