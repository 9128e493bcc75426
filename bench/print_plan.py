"""Printing the care plan: "My care plan" for a plan with 200 actions and 30 team members.

Target (issue #5): ``print-plan`` for such a plan at most 1 s median. Timed in one process with
the Qt application already running (as in the GUI, and as after the command's start-up): the
printable plan is built from the case (``planner.careplan.printable_plan``) and written as an A4
PDF (``ui.print_plan.write_pdf``), laid out, drawn and saved. Baseline, measured in the same run:
the same writer saving a one-page PDF of a single paragraph, the floor every PDF starts from.
One run of the whole command in a fresh process (start-up included) is printed for information.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from timing import median_ms  # noqa: E402

from planner.careplan import PrintablePlan, printable_plan  # noqa: E402
from planner.casefile import case_from_dict, write_case_file  # noqa: E402
from tests.factories import large_plan_case_dict  # noqa: E402

RUNS = 11
ACTIONS, MEMBERS = 200, 30
TARGET_MS = 1000.0


def main() -> int:
    from ui.app import make_app
    from ui.print_plan import write_pdf

    make_app()
    case = case_from_dict(large_plan_case_dict(ACTIONS, MEMBERS))
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "plan.pdf"
        pages = write_pdf(printable_plan(case), out)  # warm: fonts, imports
        plan_ms = median_ms(lambda: write_pdf(printable_plan(case), out), RUNS)
        tiny = PrintablePlan(name="A", version_text="Draft", coordinator=None, what_matters="", goals=[],
                             actions=[], contingency="", contacts=[], review="", agreed_by=[], printed_on="")
        tiny_out = Path(folder) / "tiny.pdf"
        base_ms = median_ms(lambda: write_pdf(tiny, tiny_out), RUNS)

        case_file = Path(folder) / "big.case.json"
        write_case_file(case, case_file)
        env = {**os.environ, "XDG_DATA_HOME": folder, "XDG_CONFIG_HOME": folder}
        tool = [sys.executable, "-m", "ui.cli", "--db", f"sqlite:///{folder}/cases.sqlite"]
        subprocess.run([*tool, "import", str(case_file)], check=True, capture_output=True, env=env, cwd=ROOT)
        start = time.perf_counter()
        subprocess.run([*tool, "print-plan", "1", "--out", str(out), "--force"], check=True,
                       capture_output=True, env=env, cwd=ROOT)
        command_s = time.perf_counter() - start

    ok = plan_ms <= TARGET_MS
    print(f"print-plan, {ACTIONS} actions and {MEMBERS} team members ({pages} A4 pages): "
          f"median {plan_ms:.0f} ms over {RUNS} runs")
    print(f"baseline one-page PDF of one paragraph: median {base_ms:.1f} ms over {RUNS} runs")
    print(f"ratio {plan_ms / base_ms:.0f}x; target <= {TARGET_MS:.0f} ms  {'PASS' if ok else 'FAIL'}")
    print(f"(for information: the whole command in a fresh process, start-up included: {command_s:.2f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
