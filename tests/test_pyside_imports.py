"""ui.pyside_imports: PySide6's check of each imported module, answered from the file, answers as before."""

from __future__ import annotations

import subprocess
import sys
from types import ModuleType

from db import database
from tests.conftest import ROOT
from ui import main_window, pyside_imports


def test_every_loaded_module_gets_the_answer_pyside_gives() -> None:
    assert pyside_imports.install()
    check = sys.modules["shibokensupport.feature"]._mod_uses_pyside
    original = check.__wrapped__
    modules = [m for m in list(sys.modules.values()) if isinstance(m, ModuleType)]
    answers = {m.__name__: check(m) for m in modules}
    assert answers == {m.__name__: bool(original(m)) for m in modules}
    assert answers[main_window.__name__] and answers[pyside_imports.__name__]  # they mention PySide6
    assert not answers[database.__name__] and not answers["sqlalchemy"] and not answers["sys"]


def test_the_gui_start_loads_sqlalchemy_before_qt_and_installs_the_check() -> None:
    """ui.app: SQLAlchemy's modules load before PySide6 (so PySide6 never checks them), and the
    check of the modules loaded after it (the database layer's) is this one."""
    code = (
        "import sys\n"
        "from ui.app import make_app\n"
        "feature = sys.modules['shibokensupport.feature']\n"
        "from db.database import open_database\n"
        "checked = feature.pyside_feature_dict\n"
        "print(feature._mod_uses_pyside.__wrapped__ is not None, checked.get('db.database'), "
        "checked.get('sqlalchemy.sql.compiler'))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.split() == ["True", "-1", "None"]
