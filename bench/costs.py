"""The cost of care (issue #15): ``planner.costs.cost_of_care`` over 10,000 generated 50-step cases.

Target: at least 5,000 cases per second on one core. Baseline, measured in the same run over the
same cases: building the case context (``CaseContext(case)``: sorting the steps, indexing the
organisations and admissions), the floor every analysis of a case starts from.

The cases are the findings benchmark's (``findings.stream_cases``: ``tests.factories`` cases
varied by a seed, with week-shifted copies); each varied case is given settings so that most of
its steps match a published unit cost, as a recorded pathway's do.
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from findings import PASSES, per_second, stream_cases  # noqa: E402

from planner.costs import cost_of_care  # noqa: E402
from planner.rules.context import CaseContext  # noqa: E402

TARGET_PER_SECOND = 5000.0
SETTINGS = {"contact": ["gp_surgery", "home", "phone"], "assessment": ["home", "gp_surgery"],
            "review": ["home", "community"], "service": ["reablement", "day_centre", "home"],
            "admission": ["acute_ward"], "attendance": ["emergency_department", "day_centre"]}


def main() -> int:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    cases = stream_cases()
    rng = random.Random(15)
    for case in cases:
        for step in case.steps:
            step.setting = rng.choice(SETTINGS.get(step.kind, ["home"]))
    sample = cost_of_care(cases[0])  # warm: unit costs loaded
    costed = sum(len(cost_of_care(c).costed) for c in cases[::100]) / len(cases[::100])
    rate = per_second(cases, cost_of_care)
    baseline = per_second(cases, CaseContext)
    ok = rate >= TARGET_PER_SECOND
    print(f"(a sample case: £{sample.total:,}; {costed:.0f} of 50 steps costed on average)")
    print(f"costs, {len(cases):,} 50-step cases on one core: median {rate:,.0f} cases/s over {PASSES} passes")
    print(f"baseline case context alone: median {baseline:,.0f} cases/s over {PASSES} passes")
    print(f"ratio {baseline / rate:.1f}x slower than the baseline; target >= {TARGET_PER_SECOND:,.0f} "
          f"cases/s  {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
