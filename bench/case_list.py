"""The case list over 100,000 cases: the first page, and a search.

Targets (issue #4): first rows shown <= 300 ms; a search <= 100 ms (medians). Baseline, measured
in the same run: counting the cases with one plain query (a full pass over the table).
The cases are small (two organisations, two steps each) and inserted in bulk; what is timed is
exactly what the case list runs (CaseRepository.summaries), on SQLite.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402
from timing import median_ms  # noqa: E402

from db import schema  # noqa: E402
from db.database import open_database  # noqa: E402
from db.repository import CaseRepository  # noqa: E402

CASES = 100_000
RUNS = 9
SURNAMES = ["Smith", "Jones", "Patel", "Brown", "Taylor", "Khan", "Wilson", "Evans", "Thomas", "Roberts"]
AREAS = ["Torbay", "Lambeth", "Dudley", "Trafford", "Leeds", "Camden", "Devon", "Cornwall"]


def fill(database) -> None:  # type: ignore[no-untyped-def]
    with database.session() as connection:
        connection.execute(insert(schema.cases), [
            {"id": i, "title": f"Case {i:06d}", "name": f"Person {i} {SURNAMES[i % 10]}",
             "area": AREAS[i % 8], "conditions": [], "row_version": 1,
             # as CaseRepository.add would store it (db.repository.search_text)
             "search_text": "\n".join([f"Person {i} {SURNAMES[i % 10]}", f"Case {i:06d}", AREAS[i % 8],
                                       f"{AREAS[i % 8]} Surgery", f"{AREAS[i % 8]} Hospital"]).lower()}
            for i in range(1, CASES + 1)])
        connection.execute(insert(schema.organisations), [
            {"case_id": i, "position": p, "id": f"o{p}", "name": f"{AREAS[i % 8]} {kind}", "sector": sector}
            for i in range(1, CASES + 1)
            for p, (kind, sector) in enumerate([("Surgery", "primary_care"), ("Hospital", "acute")])])
        connection.execute(insert(schema.steps), [
            {"case_id": i, "position": p, "id": f"s{p}", "kind": "contact", "organisation": f"o{p}",
             "start": "2024-01-01"} for i in range(1, CASES + 1) for p in range(2)])




def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        database = open_database(f"sqlite:///{Path(folder) / 'many.sqlite'}")
        started = time.perf_counter()
        fill(database)
        print(f"({CASES:,} cases inserted in {time.perf_counter() - started:.0f} s, not timed)")

        def page() -> None:
            with database.snapshot() as connection:
                assert len(CaseRepository(connection).summaries(limit=200)) == 200

        def search() -> None:
            with database.snapshot() as connection:
                assert len(CaseRepository(connection).summaries("roberts", limit=200)) == 200

        def search_organisation() -> None:
            with database.snapshot() as connection:
                assert CaseRepository(connection).summaries("trafford hosp", limit=200)

        def count() -> None:
            with database.session() as connection:
                connection.execute(select(func.count()).select_from(schema.cases)).scalar_one()

        base = median_ms(count, RUNS)
        results = [("first page of the case list", median_ms(page, RUNS), 300.0),
                   ("a search by name", median_ms(search, RUNS), 100.0),
                   ("a search by organisation", median_ms(search_organisation, RUNS), 100.0)]
        database.close()
    ok = True
    print(f"baseline: counting the cases, median {base:.1f} ms")
    for name, value, target in results:
        passed = value <= target
        ok &= passed
        print(f"{name}: median {value:.1f} ms over {RUNS} runs, {value / base:.1f}x the baseline; "
              f"target <= {target:.0f} ms  {'PASS' if passed else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
