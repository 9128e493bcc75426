"""The application started on a database it must not write to: damaged, or in a read-only place.
It opens to look at, says why and how to restore, and nothing can be saved."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from tests.test_db_damage import _damage_file_header, _damage_steps_page, _demo_database


def _start(monkeypatch: pytest.MonkeyPatch, url: str) -> tuple[object, list[tuple[str, str]]]:
    from ui.app import make_app, open_main_window

    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text, *a: shown.append((title, text)))
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, title, text, *a: shown.append((title, text)))
    make_app()
    return open_main_window(url), shown


def test_a_damaged_database_opens_read_only_with_the_reason(qtbot, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "cases.sqlite"
    backup = _demo_database(path)
    _damage_steps_page(path)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    window, shown = _start(monkeypatch, f"sqlite:///{path}")
    assert window is not None
    try:
        qtbot.addWidget(window)
        [(title, text)] = shown
        assert title == "The database is open read-only"
        assert text.startswith(f"The database SQLite {path} is damaged (its check found: ")
        assert f"restore '{backup}'" in text and "nothing can be saved" in text
        assert "(read-only)" in window.database_label.text()  # type: ignore[attr-defined]
        assert window.case_model.rowCount() == 1  # type: ignore[attr-defined]
        for action in (window.new_action, window.import_action, window.save_action,  # type: ignore[attr-defined]
                       window.delete_action, window.export_action, window.print_plan_action,  # type: ignore[attr-defined]
                       window.directory_action):  # type: ignore[attr-defined]
            assert not action.isEnabled(), action.text()
        assert all(tab.editor is None for tab in window.case_tabs)  # type: ignore[attr-defined]
        window.new_action.trigger()  # type: ignore[attr-defined]  # disabled: nothing happens
        # the case itself is where the damage is: opening it says so (shown by the app's error reporting)
        from db.database import DatabaseError

        with pytest.raises(DatabaseError, match=r"malformed\. The file was left as it is\. The latest backup is"):
            window.select_case(1)  # type: ignore[attr-defined]
    finally:
        window.close()  # type: ignore[attr-defined]
        window.database.close()  # type: ignore[attr-defined]
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_a_database_that_cannot_be_read_is_refused_with_the_reason(qtbot, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "cases.sqlite"
    backup = _demo_database(path)
    _damage_file_header(path)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    window, shown = _start(monkeypatch, f"sqlite:///{path}")
    assert window is None
    [(title, text)] = shown
    assert title == "Pathway Planner cannot start"
    assert f"{path}: file is not a database. The file was left as it is." in text and f"restore '{backup}'" in text
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_a_healthy_database_opens_for_writing_without_a_warning(qtbot, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "cases.sqlite"
    _demo_database(path)
    os.chmod(path, 0o640)
    window, shown = _start(monkeypatch, f"sqlite:///{path}")
    assert window is not None
    try:
        qtbot.addWidget(window)
        assert shown == [] and window.new_action.isEnabled()  # type: ignore[attr-defined]
        assert "(read-only)" not in window.database_label.text()  # type: ignore[attr-defined]
        assert os.stat(path).st_mode & 0o777 == 0o600
    finally:
        window.close()  # type: ignore[attr-defined]
        window.database.close()  # type: ignore[attr-defined]
