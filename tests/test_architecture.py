"""The architecture's hard lines, checked on the source and in a fresh interpreter."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

FORBIDDEN = {
    "planner": {"PySide6", "sqlalchemy", "alembic", "ui", "db"},
    "db": {"PySide6", "ui"},
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_packages_do_not_import_qt_or_persistence() -> None:
    for package, forbidden in FORBIDDEN.items():
        files = list((ROOT / package).rglob("*.py"))
        assert files
        for path in files:
            bad = _imports(path) & forbidden
            assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def _run(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                            check=True)
    return result.stdout.strip()


def test_planner_and_db_load_without_qt() -> None:
    code = (
        "import sys, pkgutil, importlib\n"
        "import planner, db\n"
        "for pkg in (planner, db):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        if '.migrations' not in m.name: importlib.import_module(m.name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'ui')))\n"
    )
    assert _run(code) == "[]"


def test_start_up_does_not_load_heavy_libraries(tmp_path: Path) -> None:
    """pandas and reportlab (and jsonschema, alembic for an up-to-date database) load on demand."""
    url = f"sqlite:///{tmp_path / 'start.sqlite'}"
    _run(f"from db.database import open_database; open_database({url!r}).close()")  # create it
    code = (
        "import os, sys\n"
        "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from ui.app import make_app\n"
        "from ui.main_window import MainWindow\n"
        "from db.database import open_database\n"
        "app = make_app()\n"
        f"window = MainWindow(open_database({url!r}), remember_layout=False)\n"
        "window.show(); app.processEvents()\n"
        "heavy = {'pandas', 'reportlab', 'jsonschema', 'alembic', 'numpy'}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & heavy))\n"
    )
    assert _run(code) == "[]"


def test_qt_calls_do_not_leak_references_to_none() -> None:
    """PySide6 6.12.0 took a reference from None on every call returning nothing, which ends a
    long session in "Fatal Python error: none_dealloc" (pyproject.toml keeps it out). Checked in a
    fresh interpreter, as a day at the workstation would run."""
    code = (
        "import sys\n"
        "from PySide6.QtCore import QPointF\n"
        "before = sys.getrefcount(None)\n"
        "for _ in range(10000): QPointF().setX(0.0)\n"
        "print(before - sys.getrefcount(None) < 100)\n"
    )
    assert _run(code) == "True"
