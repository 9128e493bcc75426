"""Importing the largest Synthea FHIR bundle in shared/ (about 2.8 MB, 107 encounters over 60 years).

Target (issue #7): median at most 2 s for the whole import as the command line does it: reading
and parsing the file, mapping it to a case (default 3-year window), validating the case file, and
storing the case in a SQLite database. Baseline, measured in the same run: ``json.load`` of the
same file alone. The database is created and migrated before the timed runs, outside the timing;
every run adds one more case to it.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from timing import median_ms  # noqa: E402

from db.database import open_database  # noqa: E402
from db.repository import CaseRepository  # noqa: E402
from planner.fhir import read_fhir_file  # noqa: E402

RUNS = 11
TARGET_MS = 2000.0
SYNTHEA = ROOT.parent / "shared" / "data" / "external" / "synthea"


def main() -> int:
    bundles = sorted(SYNTHEA.rglob("*.json"), key=lambda p: p.stat().st_size) if SYNTHEA.is_dir() else []
    if not bundles:  # like the shared_dir fixture: skipped locally, a failure in CI
        print(f"{'FAIL' if os.environ.get('CI') == 'true' else 'SKIP'}: no Synthea bundles in {SYNTHEA}")
        return 1 if os.environ.get("CI") == "true" else 0
    largest = bundles[-1]
    with tempfile.TemporaryDirectory() as folder:
        database = open_database(f"sqlite:///{Path(folder) / 'bench.sqlite'}", seed_demo=False)
        steps: list[int] = []

        def import_bundle() -> None:
            case = read_fhir_file(largest).case
            with database.session() as session:
                CaseRepository(session).add(case, action="imported", summary="benchmark")
            steps.append(len(case.steps))

        def parse_only() -> None:
            with largest.open(encoding="utf-8") as handle:
                json.load(handle)

        import_ms = median_ms(import_bundle, RUNS)
        baseline_ms = median_ms(parse_only, RUNS)
        database.close()
    ok = import_ms <= TARGET_MS
    size = largest.stat().st_size / 1_000_000
    print(f"import {largest.name} ({size:.1f} MB; {steps[0]} steps in the default window): read, map, "
          f"validate and store: median {import_ms:.0f} ms over {RUNS} runs")
    print(f"baseline json.load of the same file: median {baseline_ms:.0f} ms over {RUNS} runs")
    print(f"ratio {import_ms / baseline_ms:.1f}x; target <= {TARGET_MS:.0f} ms  {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
