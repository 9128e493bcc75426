"""The check an SQLite database gets when it is opened: ``PRAGMA quick_check`` (every start) and
``PRAGMA integrity_check`` (before a migration only), on the demo database and on one of 500 cases.

Target (issue #12): the check stays cheap: quick_check of the 500-case database (about 12 MB) <= 50 ms
median. Also printed: its share of the whole opening (``open_database``: permissions, the check, the
schema version, WAL), which it dominates once the schema is current, and integrity_check's time.
Baseline, measured in the same run: reading every case's row with the sqlite3 module
(``SELECT * FROM cases``) on a fresh connection. quick_check reads every page, so it grows with the
file: about 2 ms per MB here.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from timing import median_ms  # noqa: E402

from db.database import open_database  # noqa: E402
from db.migrate import integrity_problems  # noqa: E402
from db.repository import CaseRepository  # noqa: E402
from planner.casefile import case_from_dict  # noqa: E402
from tests.factories import demo_dict  # noqa: E402

CASES = 500
RUNS = 15


def check(path: Path, pragma: str) -> None:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        assert connection.execute(f"PRAGMA {pragma}").fetchone()[0] == "ok"
    finally:
        connection.close()


def read_cases(path: Path) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.execute("SELECT * FROM cases").fetchall()
    finally:
        connection.close()


def measure(label: str, path: Path) -> tuple[float, float]:
    quick = median_ms(lambda: check(path, "quick_check"), RUNS)
    full = median_ms(lambda: integrity_problems(path), RUNS)
    opening = median_ms(lambda: open_database(f"sqlite:///{path}").close(), RUNS)
    baseline = median_ms(lambda: read_cases(path), RUNS)
    size = path.stat().st_size / 1e6
    print(f"{label}: {size:.1f} MB; quick_check {quick:.1f} ms, integrity_check {full:.1f} ms, "
          f"whole opening {opening:.1f} ms (quick_check {quick / opening:.0%} of it); "
          f"baseline (read every case row) {baseline:.1f} ms, ratio {quick / baseline:.1f}x")
    return quick, opening


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        demo = Path(folder) / "demo.sqlite"
        open_database(f"sqlite:///{demo}", seed_demo=True).close()
        measure("demo database (1 case)", demo)
        many = Path(folder) / "many.sqlite"
        database = open_database(f"sqlite:///{many}")
        with database.session() as session:
            repository = CaseRepository(session)
            for number in range(CASES):
                data = demo_dict()
                data["title"] = f"Case {number}"
                repository.add(case_from_dict(data))
        database.close()
        quick, _opening = measure(f"{CASES} cases like the demo", many)
    met = quick <= 50
    print(f"target (quick_check of {CASES} cases <= 50 ms): {'met' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
