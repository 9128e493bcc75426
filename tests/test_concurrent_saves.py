"""Optimistic locking with independent sessions and processes, on SQLite and PostgreSQL: a stale
save raises SaveConflict and changes nothing; the GUI then offers their version or a copy of mine."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from db import audit
from db.database import Database, open_database
from db.repository import CaseRepository, SaveConflict
from planner.casefile import case_from_dict
from planner.model import Case
from tests.conftest import ROOT
from tests.factories import demo_dict


def _workstation(url: str) -> Database:
    """A second, independent opening of the database: its own engine and connections."""
    return open_database(url)


def _add_demo(database: Database) -> int:
    with database.session() as session:
        return CaseRepository(session).add(case_from_dict(demo_dict()))


def _load(database: Database, case_id: int) -> Case:
    with database.session() as session:
        return CaseRepository(session).get(case_id)


def _actions(database: Database, case_id: int) -> list[str]:
    with database.session() as session:
        return [event.action for event in audit.history(session, case_id)]


def test_two_workstations_a_stale_save_conflicts_and_changes_nothing(db_url: str) -> None:
    first, second = _workstation(db_url), _workstation(db_url)
    try:
        case_id = _add_demo(first)
        mine, theirs = _load(first, case_id), _load(second, case_id)
        theirs.title = "Their title"
        theirs.steps[0].label = "Their label"
        theirs.steps.pop()
        with second.session() as session:
            CaseRepository(session).save(theirs)
        mine.title = "My title"
        mine.person.area = "Devon"
        mine.steps[1].label = "My label"
        with pytest.raises(SaveConflict, match="changed by someone else"), first.session() as session:
            CaseRepository(session).save(mine)
        assert mine.row_version == 1  # still the version it was loaded at
        for database in (first, second):  # seen from both, the stored case is theirs, whole
            stored = _load(database, case_id)
            assert stored == theirs and stored.row_version == 2
            assert _actions(database, case_id) == ["edited", "created"]
    finally:
        first.close()
        second.close()


def test_a_save_after_a_delete_elsewhere_conflicts(db_url: str) -> None:
    first, second = _workstation(db_url), _workstation(db_url)
    try:
        case_id = _add_demo(first)
        mine = _load(first, case_id)
        with second.session() as session:
            CaseRepository(session).move_to_deleted(case_id)
        mine.title = "Mine"
        with pytest.raises(SaveConflict, match="was deleted by someone else"), first.session() as session:
            CaseRepository(session).save(mine)
        with first.session() as session:
            assert CaseRepository(session).summaries(deleted=True)[0].title == "Mrs Smith, Torbay"
    finally:
        first.close()
        second.close()


SAVE_IN_ANOTHER_PROCESS = """
import sys
from db.database import open_database
from db.repository import CaseRepository
database = open_database(sys.argv[1])
with database.session() as session:
    repo = CaseRepository(session)
    case = repo.get(int(sys.argv[2]))
    case.title = "Saved by the other process"
    repo.save(case)
database.close()
print("saved")
"""


def test_another_process_saves_first(db_url: str) -> None:
    database = _workstation(db_url)
    try:
        case_id = _add_demo(database)
        mine = _load(database, case_id)
        result = subprocess.run([sys.executable, "-c", SAVE_IN_ANOTHER_PROCESS, db_url, str(case_id)],
                                cwd=ROOT, capture_output=True, text=True, check=False)
        assert result.returncode == 0 and result.stdout.strip() == "saved", result.stderr
        mine.title = "Mine"
        with pytest.raises(SaveConflict), database.session() as session:
            CaseRepository(session).save(mine)
        assert _load(database, case_id).title == "Saved by the other process"
    finally:
        database.close()


def _wait_until_blocked(database: Database, thread: threading.Thread) -> bool:
    """On PostgreSQL, wait until a session waits for a row lock (True), or the thread ended."""
    if database.is_sqlite:
        return False  # SQLite's writer waits in a busy loop that nothing outside can observe
    from sqlalchemy import text

    query = text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                 "AND wait_event_type = 'Lock'")
    while thread.is_alive():
        with database.engine.connect() as connection:
            if connection.execute(query).scalar_one():
                return True
    return False


def test_two_saves_in_flight_at_once_one_lands(db_url: str) -> None:
    """Both pass the version check; the first holds the row; the second waits, then conflicts."""
    first, second = _workstation(db_url), _workstation(db_url)
    try:
        case_id = _add_demo(first)
        mine, theirs = _load(first, case_id), _load(second, case_id)
        theirs.title = "Theirs"
        mine.title = "Mine"
        outcome: list[object] = []
        blocked = False

        def save_mine() -> None:
            try:
                with first.session() as session:
                    CaseRepository(session).save(mine)
                outcome.append("saved")
            except SaveConflict as conflict:
                outcome.append(conflict)

        with second.session() as session:
            CaseRepository(session).save(theirs)  # not committed until the block ends
            thread = threading.Thread(target=save_mine)
            thread.start()
            blocked = _wait_until_blocked(first, thread)
        thread.join()
        assert len(outcome) == 1 and isinstance(outcome[0], SaveConflict)
        assert blocked or first.is_sqlite  # on PostgreSQL mine really waited for their row lock
        assert _load(first, case_id).title == "Theirs"
        assert _actions(first, case_id) == ["edited", "created"]
    finally:
        first.close()
        second.close()


# -- the GUI: the dialog after a conflict --------------------------------------------------------
@pytest.fixture
def window(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    from db.database import seed_demo_case
    from ui.app import make_app
    from ui.main_window import MainWindow

    make_app()
    database = open_database(f"sqlite:///{tmp_path / 'shared.sqlite'}")
    database.demo_id = seed_demo_case(database)  # type: ignore[attr-defined]
    win = MainWindow(database, remember_layout=False)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.undo_stack.setClean()
    win.close()
    win.deleteLater()
    database.close()


def _colleague_saves(window, title: str) -> None:  # type: ignore[no-untyped-def]
    colleague = _workstation(window.database.url)
    try:
        with colleague.session() as session:
            repo = CaseRepository(session)
            case = repo.get(window.case.id)
            case.title = title
            repo.save(case)
    finally:
        colleague.close()


def _edit_in_window(window) -> None:  # type: ignore[no-untyped-def]
    """Add a step through the undo stack, as the editor's dialogs do."""
    from planner import editing
    from ui.editing import EditCase

    before = window.case
    after = editing.put(before, "steps", None, {"id": "s99", "kind": "contact", "organisation": "gp",
                                                "start": "2024-07-01", "label": "My new step"})
    window.undo_stack.push(EditCase("Add step", before, after, window.apply_edit))


def _answer_conflict(monkeypatch: pytest.MonkeyPatch, button_text: str) -> list[str]:
    from PySide6.QtWidgets import QMessageBox

    seen: list[str] = []

    def choose(box: QMessageBox) -> int:
        seen.append(box.text())
        seen.extend(b.text() for b in box.buttons())
        next(b for b in box.buttons() if b.text() == button_text).click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", choose)
    return seen


def test_conflict_dialog_reload_their_version(window, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    case_id = window.case.id
    _edit_in_window(window)
    assert not window.undo_stack.isClean()
    _colleague_saves(window, "Their title")
    seen = _answer_conflict(monkeypatch, "Reload their version")
    assert window.save() is True
    assert "changed by someone else" in seen[0]
    assert {"Reload their version", "Keep mine as a copy", "Cancel"} <= set(seen[1:])
    assert window.case.id == case_id and window.case.title == "Their title"
    assert "s99" not in {s.id for s in window.case.steps} and window.undo_stack.isClean()
    with window.database.session() as session:
        assert CaseRepository(session).count() == 1


def test_conflict_dialog_keep_mine_as_a_copy(window, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    case_id = window.case.id
    _edit_in_window(window)
    _colleague_saves(window, "Their title")
    _answer_conflict(monkeypatch, "Keep mine as a copy")
    assert window.save() is True
    assert window.case.id != case_id and window.case.title == "Mrs Smith, Torbay (my copy)"
    assert "s99" in {s.id for s in window.case.steps}
    with window.database.session() as session:
        repo = CaseRepository(session)
        assert repo.get(case_id).title == "Their title"  # theirs untouched
        assert repo.count() == 2
        event = audit.history(session, window.case.id)[0]
    assert event.action == "created" and event.summary == (
        f"Kept as a copy of case #{case_id}, which a colleague saved first")


def test_conflict_dialog_cancel_keeps_my_changes_unsaved(window, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    _edit_in_window(window)
    _colleague_saves(window, "Their title")
    _answer_conflict(monkeypatch, "Cancel")
    assert window.save() is False
    assert "s99" in {s.id for s in window.case.steps} and not window.undo_stack.isClean()
