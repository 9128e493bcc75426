"""Start-up: time to a shown main window with the demo case, against a bare PySide6 window.

Both are fresh interpreter processes, run alternately, timed from launch until the child says
its window is shown. Target (issue #2): the app's median at most 5x the bare script's.

Both run as an installed application does: with compiled bytecode. ``PYTHONDONTWRITEBYTECODE``,
set in some development shells, is removed from the children's environment, so the warm-up runs
write the app's ``__pycache__`` as any first start does (the libraries' bytecode was written when
they were installed). Without this, every start would compile each of the app's modules from
source, which no user's start does.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 9
TARGET_RATIO = 5.0

BARE = """
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.resize(1440, 900)
window.show()
app.processEvents()
print("shown", flush=True)
"""

APP = """
import sys
from ui.app import make_app
from db.database import open_database
from ui.main_window import MainWindow
app = make_app()
database = open_database()
window = MainWindow(database)
window.show()
app.processEvents()
assert window.case is not None and window.case.title == "Mrs Smith, Torbay"
print("shown", flush=True)
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"pandas", "reportlab"})
print("heavy:" + ",".join(heavy), flush=True)
"""


def time_child(code: str, env: dict[str, str]) -> tuple[float, list[str]]:
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=ROOT,
                             env=env)
    assert child.stdout is not None
    line = child.stdout.readline()
    elapsed = time.perf_counter() - start
    rest = child.stdout.read().splitlines()
    if child.wait() != 0 or line.strip() != "shown":
        raise SystemExit(f"child failed: {line!r} {rest!r}")
    return elapsed, rest


def main() -> int:
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_DATA_HOME": f"{home}/data",
               "XDG_CONFIG_HOME": f"{home}/config"}
        env.pop("PATHWAY_PLANNER_DB", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: bytecode compiled once, then reused
        time_child(APP, env)  # first start creates the embedded database with the demo case
        time_child(BARE, env)  # warm the file cache for both
        app_times, bare_times = [], []
        heavy: list[str] = []
        for _ in range(RUNS):
            elapsed, rest = time_child(APP, env)
            app_times.append(elapsed)
            heavy = [line for line in rest if line.startswith("heavy:")]
            bare_times.append(time_child(BARE, env)[0])
    app_median = statistics.median(app_times)
    bare_median = statistics.median(bare_times)
    ratio = app_median / bare_median
    heavy_loaded = heavy[0].removeprefix("heavy:") if heavy else "?"
    ok = ratio <= TARGET_RATIO and heavy_loaded == ""
    print(f"startup to shown window with the demo case: median {app_median * 1000:.0f} ms over {RUNS} runs")
    print(f"baseline bare PySide6 QMainWindow:           median {bare_median * 1000:.0f} ms over {RUNS} runs")
    print(f"ratio {ratio:.2f}x (target <= {TARGET_RATIO:.0f}x); pandas/reportlab loaded at start-up: "
          f"{heavy_loaded or 'none'}  {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
