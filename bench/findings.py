"""Findings and measures: one 1,000-step case, and a stream of 10,000 50-step cases.

Targets (issue #3, tightened by issue #14, which added the key-finding ranking to the analysis):
1. ``planner.analysis.analyse`` (every finding, every measure and the key findings, from one case
   context) on a generated 1,000-step case: median under 20 ms. Baseline, measured in the same run: building
   the case context alone (``CaseContext(case)``: sorting the steps, indexing organisations,
   regulators and admissions), the floor every analysis starts from.
2. ``analyse`` over 10,000 generated 50-step cases, one after another in this one process (pinned
   to one core where the system allows): at least 1,300 cases per second. Baseline: building the
   case context for each of the same cases.

The cases come from ``tests.factories.large_case_dict``, varied by a seed (organisations, funding,
emergencies, delay reasons, assessment domains, contracts, handoff methods and a shift of every
date), so no two are the same objects or share all their findings. Generating them is not timed.
Each seed's case is read through ``planner.casefile.case_from_dict``, which validates it fully;
its companions are independent copies with every step date moved by a whole number of weeks (so
every constraint still holds and weekdays are kept): validating 10,000 cases would take minutes.

Nothing is done here to Python's garbage collector (no ``gc.freeze()`` of the generated cases):
it runs as in the app, where ``analyse`` pauses it while the engine works (see its docstring).
"""

from __future__ import annotations

import os
import pickle
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from timing import median_ms  # noqa: E402

from planner.analysis import analyse  # noqa: E402
from planner.casefile import case_from_dict  # noqa: E402
from planner.model import Case  # noqa: E402
from planner.rules.context import CaseContext  # noqa: E402
from tests.factories import large_case_dict  # noqa: E402

RUNS = 21
LARGE_STEPS = 1000
TARGET_MS = 20.0
STREAM_CASES = 10_000
STREAM_STEPS = 50
SEEDS = 500  # validated variants; each also gives STREAM_CASES // SEEDS - 1 week-shifted copies
PASSES = 3
TARGET_PER_SECOND = 1300.0

#: Mostly NHS-funded, as large_case_dict has it, with the other regimes now and then.
FUNDING = ["nhs"] * 8 + ["chc", "local_authority", "self_funded", "personal_budget", "bcf_pooled", "charity"]
DELAY_REASONS = ["awaiting_care_package", "awaiting_care_home", "awaiting_nhs_service",
                 "awaiting_assessment", "patient_family_choice", "dispute"]
DOMAINS = ["social_care_needs", "nursing_needs", "therapy", "falls", "other"]
METHODS = ["letter", "phone", "shared_record", "electronic_referral", "none", "unknown"]
CONTRACTS = ["framework", "spot", None]


def _shift(text: str, days: int) -> str:
    return (date.fromisoformat(text) + timedelta(days=days)).isoformat()


def varied_case_dict(steps: int, seed: int, weeks: int = 0) -> dict[str, Any]:
    """``large_case_dict(steps)`` varied by ``seed``, every step date moved by ``weeks`` weeks."""
    data = large_case_dict(steps, title=f"Generated case {seed}/{weeks}")
    rng = random.Random(seed)
    orgs = [o["id"] for o in data["organisations"]]
    days = rng.randrange(0, 3000) + 7 * weeks
    for step in data["steps"]:
        step["organisation"] = rng.choice(orgs)
        step["funding"] = rng.choice(FUNDING)
        for key in ("start", "end", "ready_for_discharge"):
            if key in step:
                step[key] = _shift(step[key], days)
        if step["kind"] == "admission":
            step["emergency"] = rng.random() < 0.7
            step["delay_reason"] = rng.choice(DELAY_REASONS)
            # between the start (day 0) and the end (day 2) of the stay
            step["ready_for_discharge"] = _shift(step["start"], rng.randrange(0, 3))
        elif step["kind"] == "assessment":
            step["assessment_domain"] = rng.choice(DOMAINS)
        elif step["kind"] == "service":
            contract = rng.choice(CONTRACTS)
            if contract:
                step["contract"] = contract
    for handoff in data["handoffs"]:
        handoff["method"] = rng.choice(METHODS)
    return data


def shifted(case: Case, weeks: int) -> Case:
    """An independent copy of a case with every step date moved by whole weeks, so every
    constraint still holds and every weekday is kept."""
    copy: Case = pickle.loads(pickle.dumps(case))
    delta = timedelta(weeks=weeks)
    for step in copy.steps:
        step.start += delta
        if step.end is not None:
            step.end += delta
        if step.ready_for_discharge is not None:
            step.ready_for_discharge += delta
    return copy


def stream_cases() -> list[Case]:
    cases = []
    for seed in range(SEEDS):
        case = case_from_dict(varied_case_dict(STREAM_STEPS, seed))
        cases += [case, *(shifted(case, weeks) for weeks in range(1, STREAM_CASES // SEEDS))]
    return cases




def per_second(cases: list[Case], work: Callable[[Case], object]) -> float:
    rates = []
    for _ in range(PASSES):
        start = time.perf_counter()
        for case in cases:
            work(case)
        rates.append(len(cases) / (time.perf_counter() - start))
    return statistics.median(rates)


def main() -> int:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core

    large = case_from_dict(varied_case_dict(LARGE_STEPS, seed=0))
    analysis = analyse(large)  # warm: imports, reference data, rule modules
    analyse_ms = median_ms(lambda: analyse(large), RUNS)
    context_ms = median_ms(lambda: CaseContext(large), RUNS)
    ok_large = analyse_ms < TARGET_MS
    print(f"findings and measures, one {LARGE_STEPS:,}-step case ({len(analysis.report.findings)} findings): "
          f"median {analyse_ms:.1f} ms over {RUNS} runs")
    print(f"baseline case context alone (sort, index): median {context_ms:.2f} ms over {RUNS} runs")
    verdict = "PASS" if ok_large else "FAIL"
    print(f"ratio {analyse_ms / context_ms:.0f}x; target < {TARGET_MS:.0f} ms  {verdict}")

    start = time.perf_counter()
    cases = stream_cases()
    built = time.perf_counter() - start
    findings = sum(len(analyse(case).report.findings) for case in cases[:: STREAM_CASES // SEEDS])
    rate = per_second(cases, analyse)
    context_rate = per_second(cases, CaseContext)
    ok_stream = rate >= TARGET_PER_SECOND
    print(f"({len(cases):,} cases of {STREAM_STEPS} steps generated in {built:.0f} s, not timed; "
          f"{findings / SEEDS:.1f} findings per case on average)")
    print(f"findings and measures, {len(cases):,} {STREAM_STEPS}-step cases on one core: "
          f"median {rate:,.0f} cases/s over {PASSES} passes")
    print(f"baseline case context alone: median {context_rate:,.0f} cases/s "
          f"over {PASSES} passes")
    print(f"ratio {context_rate / rate:.0f}x slower than the baseline; target >= {TARGET_PER_SECOND:,.0f} "
          f"cases/s  {'PASS' if ok_stream else 'FAIL'}")
    return 0 if ok_large and ok_stream else 1


if __name__ == "__main__":
    sys.exit(main())
