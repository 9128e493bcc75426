"""Importing the full NHS ODS GP practice file (epraccur.csv, 14,303 rows) into the directory.

Target: median at most 3 s for reading the file and applying it to a fresh SQLite database
(new entries inserted in one transaction). Baseline, measured in the same run: pandas.read_csv
of the same file alone (no checks, no database). The database is created and migrated before
each timed run, outside the timing.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from db.database import open_database  # noqa: E402
from db.directory import DirectoryRepository  # noqa: E402
from planner.directory import read_directory  # noqa: E402

RUNS = 5
TARGET_S = 3.0
ODS_FILE = ROOT.parent / "shared" / "data" / "external" / "ods" / "epraccur.csv"


def main() -> int:
    if not ODS_FILE.is_file():  # like the shared_dir fixture: skipped locally, a failure in CI
        print(f"{'FAIL' if os.environ.get('CI') == 'true' else 'SKIP'}: {ODS_FILE} is not there")
        return 1 if os.environ.get("CI") == "true" else 0
    import pandas as pd

    imports, baselines = [], []
    with tempfile.TemporaryDirectory() as folder:
        for run in range(RUNS):
            database = open_database(f"sqlite:///{Path(folder) / f'bench-{run}.sqlite'}", seed_demo=False)
            start = time.perf_counter()
            read = read_directory(ODS_FILE)
            with database.session() as session:
                counts = DirectoryRepository(session).apply(read.entries, read.source, read.fields)
            imports.append(time.perf_counter() - start)
            assert counts.added == 8_201 and len(read.entries) + len(read.rejected) == 14_303, counts
            database.close()
            start = time.perf_counter()
            frame = pd.read_csv(ODS_FILE, header=None, dtype=str, keep_default_na=False)
            baselines.append(time.perf_counter() - start)
            assert len(frame) == 14_303
    import_s = statistics.median(imports)
    baseline_s = statistics.median(baselines)
    ok = import_s <= TARGET_S
    print(f"read + import epraccur.csv (14,303 rows, 8,201 practices) into a fresh SQLite database: "
          f"median {import_s * 1000:.0f} ms over {RUNS} runs")
    print(f"baseline pandas.read_csv of the same file:                                          "
          f"median {baseline_s * 1000:.0f} ms over {RUNS} runs")
    print(f"ratio {import_s / baseline_s:.1f}x; target <= {TARGET_S:.0f} s  {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
