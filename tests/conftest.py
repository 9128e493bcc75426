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


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cases.sqlite'}"


@pytest.fixture
def database(db_url: str) -> Iterator[object]:
    """An empty, migrated SQLite database."""
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
