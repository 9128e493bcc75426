"""The case list and opening a case over 100,000 cases in PostgreSQL.

Targets (issue #8): the first page of the case list <= 300 ms; opening a 200-step case <= 150 ms
(medians). Baselines, measured in the same run: counting the cases with one plain query (a full
pass over the table), and fetching the 200-step case's rows with plain SQL through the same driver
(no SQLAlchemy statements, no domain objects). The cases are made as bench/case_list.py makes them
for SQLite (two organisations and two steps each, inserted in bulk); what is timed is exactly what
the application runs (CaseRepository.summaries and CaseRepository.get), each on a new session.
Needs a PostgreSQL server: PATHWAY_PLANNER_TEST_PG, else a throwaway one (bench/pg_temp.py).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from case_list import CASES, fill  # noqa: E402
from pg_temp import fresh_database  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402
from timing import median_ms  # noqa: E402

from db import schema  # noqa: E402
from db.database import open_database  # noqa: E402
from db.repository import CaseRepository  # noqa: E402
from planner.casefile import case_from_dict  # noqa: E402
from tests.factories import large_case_dict  # noqa: E402

RUNS = 15
TABLES = ["organisations", "team_members", "coordinations", "steps", "handoffs", "annotations",
          "care_plans", "goals", "actions"]


def main() -> int:
    with fresh_database() as url:
        database = open_database(url)
        started = time.perf_counter()
        fill(database)
        with database.session() as connection:  # the ids were given: move the sequence past them
            connection.execute(text("SELECT setval(pg_get_serial_sequence('cases', 'id'), max(id)) "
                                    "FROM cases"))
            big = CaseRepository(connection).add(case_from_dict(large_case_dict(200)))
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))  # as autovacuum would have by now
        print(f"({CASES:,} cases inserted in {time.perf_counter() - started:.0f} s, not timed)")

        def page() -> None:
            with database.snapshot() as connection:
                assert len(CaseRepository(connection).summaries(limit=200)) == 200

        def open_case() -> None:
            with database.snapshot() as connection:
                assert len(CaseRepository(connection).get(big).steps) == 200

        def count() -> None:
            with database.session() as connection:
                connection.execute(select(func.count()).select_from(schema.cases)).scalar_one()

        def raw_fetch() -> None:
            with database.engine.connect() as connection:
                cursor = connection.connection.cursor()
                cursor.execute("SELECT * FROM cases WHERE id = %s", (big,))
                cursor.fetchall()
                for table in TABLES:
                    cursor.execute(f"SELECT * FROM {table} WHERE case_id = %s ORDER BY 1", (big,))
                    cursor.fetchall()
                cursor.close()

        page(), open_case()  # warm the connection pool and the server's caches
        count_ms, raw_ms = median_ms(count, RUNS), median_ms(raw_fetch, RUNS)
        results = [("first page of the case list (200 rows)", median_ms(page, RUNS), 300.0, count_ms,
                    "counting the cases"),
                   ("opening a 200-step case", median_ms(open_case, RUNS), 150.0, raw_ms,
                    "the same rows by plain SQL")]
        database.close()
    ok = True
    for name, value, target, base, base_name in results:
        passed = value <= target
        ok &= passed
        print(f"{name}: median {value:.1f} ms over {RUNS} runs; baseline {base_name} {base:.1f} ms, "
              f"{value / base:.1f}x; target <= {target:.0f} ms  {'PASS' if passed else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
