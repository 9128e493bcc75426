"""Loading a generated 1,000-step case from SQLite into the domain model.

Target (issue #2): median at most 150 ms. Baseline, measured in the same run: fetching the
same rows with the sqlite3 module alone (no SQLAlchemy, no domain objects).
"""

from __future__ import annotations

import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from db.database import open_database  # noqa: E402
from db.repository import CaseRepository  # noqa: E402
from planner.casefile import case_from_dict  # noqa: E402
from tests.factories import large_case_dict  # noqa: E402

RUNS = 21
TARGET_MS = 150.0
TABLES = ["organisations", "team_members", "coordinations", "steps", "handoffs", "annotations",
          "care_plans", "goals", "actions"]


def main() -> int:
    case = case_from_dict(large_case_dict(1000))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite"
        database = open_database(f"sqlite:///{path}")
        with database.session() as session:
            case_id = CaseRepository(session).add(case)
        loads, raws = [], []
        for _ in range(RUNS):
            start = time.perf_counter()
            with database.snapshot() as session:  # as the app loads a case: one read transaction
                loaded = CaseRepository(session).get(case_id)
            loads.append(time.perf_counter() - start)
            assert len(loaded.steps) == 1000
            start = time.perf_counter()
            with sqlite3.connect(path) as connection:
                connection.execute("SELECT * FROM cases WHERE id = ?", (case_id,)).fetchall()
                for table in TABLES:
                    connection.execute(f"SELECT * FROM {table} WHERE case_id = ?", (case_id,)).fetchall()
            raws.append(time.perf_counter() - start)
        database.close()
    load_ms = statistics.median(loads) * 1000
    raw_ms = statistics.median(raws) * 1000
    ok = load_ms <= TARGET_MS
    print(f"load a 1,000-step case into the domain model: median {load_ms:.1f} ms over {RUNS} runs")
    print(f"baseline raw sqlite3 fetch of the same rows:   median {raw_ms:.1f} ms over {RUNS} runs")
    print(f"ratio {load_ms / raw_ms:.1f}x; target <= {TARGET_MS:.0f} ms  {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
