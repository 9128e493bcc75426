"""Run every benchmark and exit non-zero if any target is missed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ["startup.py", "load_case.py", "findings.py", "costs.py", "map_scene.py", "directory_import.py",
              "case_list.py", "print_plan.py", "fhir_import.py"]
# PostgreSQL (#8): on PATHWAY_PLANNER_TEST_PG's server, else a throwaway one (bench/pg_temp.py)
BENCHMARKS += ["pg_case_list.py", "concurrent_saves.py"]
BENCHMARKS += ["workshop_pdf.py", "value_case.py"]  # the regulator-workshop case summary and pack (#6)
BENCHMARKS += ["open_check.py"]  # the integrity check on opening an SQLite database (#12)


def main() -> int:
    failed = 0
    for name in BENCHMARKS:
        print(f"== {name}", flush=True)
        failed += subprocess.run([sys.executable, str(HERE / name)], cwd=HERE.parent).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
