"""The value case (issue #15): a generated 1,000-step case at most 2x a 15-step case, same run.

Both cases come from ``tests.factories.large_case_dict``; each is written to memory (anonymised, as
by default) ``RUNS`` times, the two taking turns (so that a machine busy with other work slows both
alike), and the medians compared. The 15-step case is the baseline.

Most of what the 1,000-step case costs beyond the 15-step one is analysing the whole case
(``planner.analysis``) and making its anonymised copy (``reports.workshop.CaseView``:
``planner.anonymise``), which any document made from the case needs. The copy's steps are copied
field by field; free text is looked at quickly before each longer pass; and the value case redacts
only the step labels its story names (the summary redacts all of them, a few hundred at a time).
The compact map, the story, the evidence and the costs no longer grow much with the case.
"""

from __future__ import annotations

import io
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from timing import median_ms  # noqa: E402

from planner.casefile import case_from_dict  # noqa: E402
from reports.value_case import write_value_case  # noqa: E402
from tests.factories import large_case_dict  # noqa: E402

RUNS = 11
TARGET_RATIO = 2.0


def main() -> int:
    small = case_from_dict(large_case_dict(15))
    large = case_from_dict(large_case_dict(1000))
    pages = {name: write_value_case(case, io.BytesIO()).pages
             for name, case in (("15", small), ("1000", large))}
    small_times: list[float] = []
    large_times: list[float] = []
    for _ in range(RUNS):  # in turns: one run of each, then the next
        small_times.append(median_ms(lambda: write_value_case(small, io.BytesIO()), 1))
        large_times.append(median_ms(lambda: write_value_case(large, io.BytesIO()), 1))
    small_ms, large_ms = statistics.median(small_times), statistics.median(large_times)
    ratio = large_ms / small_ms
    ok = ratio <= TARGET_RATIO and max(pages.values()) <= 3
    print(f"value case, 15 steps (baseline): median {small_ms:.0f} ms over {RUNS} runs, {pages['15']} pages")
    print(f"value case, 1,000 steps: median {large_ms:.0f} ms over {RUNS} runs, {pages['1000']} pages")
    verdict = "PASS" if ok else "FAIL"
    print(f"ratio {ratio:.1f}x; target <= {TARGET_RATIO:.0f}x and at most 3 pages  {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
