"""Building the pathway map's scene for a generated 1,000-step, 1,500-handoff case.

Target: median at most 250 ms for ``ui.pathway_map.build_scene`` (lanes, marks, labels, severity
marks, arrows, header, key, and the first layout). The case's analysis is worked out once
beforehand, as the app does (the tab asks for it); the case context the map needs is part of the
timing. Baseline, measured in the same run: adding the same number of plain QGraphicsRectItems
to a scene as the map's scene holds.
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QGraphicsRectItem, QGraphicsScene  # noqa: E402

from planner.analysis import analyse  # noqa: E402
from planner.casefile import case_from_dict  # noqa: E402
from planner.model import Case  # noqa: E402
from tests.factories import large_case_dict  # noqa: E402
from ui.app import make_app  # noqa: E402
from ui.pathway_map import build_scene  # noqa: E402

RUNS = 15
TARGET_MS = 250.0
STEPS = 1000
HANDOFFS = 1500
METHODS = ["shared_record", "electronic_referral", "letter", "phone", "in_person", "none"]


def large_case() -> Case:
    """The factory's 1,000-step case with given handoffs added to reach 1,500, validated."""
    data = large_case_dict(STEPS)
    extra = HANDOFFS - len(data["handoffs"])
    data["handoffs"] += [{"from": f"g{i % (STEPS - 3)}", "to": f"g{i % (STEPS - 3) + 3}",
                          "method": METHODS[i % len(METHODS)]} for i in range(extra)]
    case = case_from_dict(data)
    assert len(case.steps) == STEPS and len(case.handoffs) == HANDOFFS
    return case


def baseline(count: int) -> QGraphicsScene:
    scene = QGraphicsScene()
    for i in range(count):
        scene.addItem(QGraphicsRectItem(i * 3.0, (i % 10) * 50.0, 10.0, 14.0))
    return scene


def main() -> int:
    make_app()
    case = large_case()
    analysis = analyse(case)
    scene = build_scene(case, analysis)  # warm up: imports, fonts, reference data
    items = len(scene.items())
    arrows = len(scene.arrows)
    del scene
    builds, plains = [], []
    for _ in range(RUNS):
        gc.collect()
        start = time.perf_counter()
        scene = build_scene(case, analysis)
        builds.append(time.perf_counter() - start)
        del scene
        gc.collect()
        start = time.perf_counter()
        plain = baseline(items)
        plains.append(time.perf_counter() - start)
        del plain
    build_ms = statistics.median(builds) * 1000
    plain_ms = statistics.median(plains) * 1000
    ok = build_ms <= TARGET_MS
    print(f"build the map scene for {STEPS:,} steps, {HANDOFFS:,} given handoffs ({arrows:,} arrows, "
          f"{items:,} items): median {build_ms:.1f} ms over {RUNS} runs")
    print(f"baseline {items:,} plain QGraphicsRectItems added to a scene:     "
          f"median {plain_ms:.1f} ms over {RUNS} runs")
    print(f"ratio {build_ms / plain_ms:.1f}x; target <= {TARGET_MS:.0f} ms  {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
