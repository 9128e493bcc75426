"""The regulator-workshop PDFs: a case summary of 50 and of 1,000 steps, and a pack of 20 cases.

Targets (issue #6), each a median of wall time over repeated runs in this one process (imports,
fonts and reference data warmed up first, as in an application that has made one PDF already):
1. ``reports.workshop.write_case_summary`` (anonymised, the default) of a generated 50-step case:
   at most 1 s.
2. The same for a generated 1,000-step case (its map cut into 25 pages, every one of its
   findings, the whole timeline and every handoff): at most 5 s.
3. ``reports.pack.write_pack`` of 20 generated 50-step cases: at most 10 s.
Every document is written to memory; the analysis of each case is part of the timing.

Baseline, measured in the same run: a minimal reportlab document (a heading and one paragraph
with Platypus, on one A4 page, in the same fonts), the floor every PDF starts from. The ratio
to it says what the content costs.

The cases come from ``tests.factories.large_case_dict``, varied by a seed (organisations,
funding, emergencies, delay reasons, handoff methods) as ``bench/findings.py`` varies them, so
the pack's cases differ in their findings.
"""

from __future__ import annotations

import io
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from timing import median_ms  # noqa: E402

from planner.casefile import case_from_dict  # noqa: E402
from planner.model import Case  # noqa: E402
from tests.factories import large_case_dict  # noqa: E402

TARGETS_MS = {"summary of a 50-step case": 1000.0, "summary of a 1,000-step case": 5000.0,
              "pack of 20 cases of 50 steps": 10000.0}
RUNS = {"summary of a 50-step case": 11, "summary of a 1,000-step case": 5, "pack of 20 cases of 50 steps": 3}
PACK_CASES = 20

FUNDING = ["nhs"] * 8 + ["chc", "local_authority", "self_funded", "personal_budget", "bcf_pooled", "charity"]
DELAY_REASONS = ["awaiting_care_package", "awaiting_care_home", "awaiting_nhs_service", "awaiting_assessment",
                 "patient_family_choice", "dispute"]
METHODS = ["letter", "phone", "shared_record", "electronic_referral", "none", "unknown"]


def varied_case(steps: int, seed: int) -> Case:
    """``large_case_dict(steps)`` with its organisations, funding, emergencies, delays and
    handoff methods varied by ``seed``, and its own name and title; validated."""
    data: dict[str, Any] = large_case_dict(steps, title=f"Generated case {seed}")
    rng = random.Random(seed)
    data["person"]["name"] = f"Person {seed} Example"
    orgs = [o["id"] for o in data["organisations"]]
    for step in data["steps"]:
        step["organisation"] = rng.choice(orgs)
        step["funding"] = rng.choice(FUNDING)
        if step["kind"] == "admission":
            step["emergency"] = rng.random() < 0.7
            step["delay_reason"] = rng.choice(DELAY_REASONS)
    for handoff in data["handoffs"]:
        handoff["method"] = rng.choice(METHODS)
    return case_from_dict(data)


def minimal_document() -> bytes:
    """The baseline: a heading and a paragraph on one page, with the reports' own document."""
    from reports import pdfkit

    styles = pdfkit.styles()
    buffer = io.BytesIO()
    story = [pdfkit.para("Regulation workshop", styles.h1),
             pdfkit.para("One paragraph of text.", styles.body)]
    pdfkit.build(buffer, story, pdfkit.DocumentInfo("Baseline", "Benchmark", identifiable=False))
    return buffer.getvalue()


def main() -> int:
    from reports.pack import write_pack
    from reports.workshop import write_case_summary

    small = varied_case(50, seed=1)
    large = varied_case(1000, seed=2)
    pack = [varied_case(50, seed=100 + n) for n in range(PACK_CASES)]
    work = {
        "summary of a 50-step case": lambda: write_case_summary(small, io.BytesIO()),
        "summary of a 1,000-step case": lambda: write_case_summary(large, io.BytesIO()),
        "pack of 20 cases of 50 steps": lambda: write_pack(pack, io.BytesIO()),
    }
    minimal_document()  # warm: imports, fonts, reference data
    baseline_ms = median_ms(minimal_document, 21)
    print(f"baseline: a minimal one-page reportlab document: median {baseline_ms:.1f} ms over 21 runs")
    ok = True
    for name, job in work.items():
        made = job()  # warm this document's code paths; also tells its size
        took = median_ms(job, RUNS[name])
        target = TARGETS_MS[name]
        passed = took <= target
        ok = ok and passed
        print(f"{name} ({made.pages} pages): median {took:,.0f} ms over {RUNS[name]} runs; "
              f"ratio {took / baseline_ms:.0f}x the baseline; target <= {target:,.0f} ms  "
              f"{'PASS' if passed else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
