"""Shared fixtures: a fresh data and settings directory for every test, the demo case,
temporary databases, and the shared external data (skipped locally, required in CI)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DEMO = ROOT / "resources" / "demo" / "mrs-smith.case.json"


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the user's real data directory, settings or database choice."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.delenv("PATHWAY_PLANNER_DB", raising=False)


@pytest.fixture(autouse=True)
def _fresh_qt_settings(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    if "qtbot" in request.fixturenames:
        from PySide6.QtCore import QSettings

        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(QSettings.Format.NativeFormat, scope, str(tmp_path / "settings"))
            QSettings.setPath(QSettings.Format.IniFormat, scope, str(tmp_path / "settings"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "qtbot" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.gui)


@pytest.fixture
def demo_case():  # type: ignore[no-untyped-def]
    from planner.casefile import read_case_file

    return read_case_file(DEMO)


#: The database engines the database and command-line tests run on (see tests/pg.py).
ENGINES = ["sqlite", "postgresql"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test using ``db_url`` (or ``database``) runs on SQLite and on PostgreSQL; GUI tests
    stay on SQLite."""
    if "db_engine" in metafunc.fixturenames and not {"qtbot", "qapp"} & set(metafunc.fixturenames):
        metafunc.parametrize("db_engine", ENGINES, indirect=True)


@pytest.fixture
def db_engine(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[object]:
    """The PostgreSQL server of PATHWAY_PLANNER_TEST_PG: skipped locally without one, a failure in CI."""
    from tests import pg

    server = pg.connect()
    yield server
    server.close()


@pytest.fixture
def db_url(db_engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A new database's URL: an SQLite file, or a fresh migrated PostgreSQL database."""
    if db_engine == "sqlite":
        return f"sqlite:///{tmp_path / 'cases.sqlite'}"
    server = request.getfixturevalue("pg_server")
    url: str = server.create()
    request.addfinalizer(lambda: server.drop(url))
    return url


@pytest.fixture
def database(db_url: str) -> Iterator[object]:
    """An empty, migrated database (SQLite, and PostgreSQL for the non-GUI tests)."""
    from db.database import open_database

    db = open_database(db_url)
    yield db
    db.close()


@pytest.fixture
def demo_database(database):  # type: ignore[no-untyped-def]
    """A database holding the demo case (its id is ``demo_database.demo_id``)."""
    from db.database import seed_demo_case

    database.demo_id = seed_demo_case(database)
    return database


@pytest.fixture
def shared_dir() -> Path:
    """../shared beside the checkout: skipped with a reason locally, a failure in CI."""
    if not SHARED.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the shared folder {SHARED} is missing")
        pytest.skip(f"the shared folder {SHARED} is not beside this checkout")
    return SHARED


@pytest.fixture
def window(qtbot, demo_database):  # type: ignore[no-untyped-def]
    """The main window on the demo database, shown (closed without an "unsaved changes" prompt)."""
    from ui.app import make_app
    from ui.main_window import MainWindow

    make_app()
    win = MainWindow(demo_database, remember_layout=False)
    win.show()
    qtbot.waitExposed(win)
    yield win
    # closed here, not by qtbot (which closes before fixtures end): no "unsaved changes" prompt
    win.undo_stack.setClean()
    win.close()
    win.deleteLater()


def export_fhir_from(window, monkeypatch: pytest.MonkeyPatch, choice: str) -> None:  # type: ignore[no-untyped-def]
    """File › Export FHIR bundle in ``window``, answering the question of who it is for with the
    button whose text starts with ``choice`` ("Identifiable" or "Anonymised")."""
    from PySide6.QtWidgets import QMessageBox

    def press(box: QMessageBox) -> int:
        box.clickedButton = lambda: next(  # type: ignore[method-assign]
            b for b in box.buttons() if b.text().startswith(choice))
        return 0

    monkeypatch.setattr(QMessageBox, "exec", press)
    window.fhir_export_action.trigger()
