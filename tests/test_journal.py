"""No lost work: unsaved edits are journalled to disk, and offered back after a crash."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QDialog, QMessageBox

from db import journal
from db.repository import CaseRepository
from ui.editing import EntityDialog
from ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parent.parent


def _forget(window: MainWindow) -> None:
    """Closed by the test: no "unsaved changes" question."""
    window.undo_stack.setClean()


def _journals() -> list[Path]:
    where = journal.folder()
    return sorted(where.glob("*.json")) if where.is_dir() else []


def _add_goal(monkeypatch: pytest.MonkeyPatch, window: MainWindow, words: str) -> None:
    def fake_exec(dialog: EntityDialog) -> int:
        dialog.inputs["in_my_words"].setPlainText(words)
        dialog.try_accept()
        return int(dialog.result())

    monkeypatch.setattr(EntityDialog, "exec", fake_exec)
    window.editor.add("goals")


def _answer_restore(monkeypatch: pytest.MonkeyPatch, choice: str) -> list[str]:
    """Make the restore prompt press the button whose text (without '&') starts with ``choice``."""
    asked: list[str] = []

    def press(box: QMessageBox) -> int:
        asked.append(box.text())
        box.clickedButton = lambda: next(  # type: ignore[method-assign]
            b for b in box.buttons() if b.text().replace("&", "").startswith(choice))
        return 0

    monkeypatch.setattr(QMessageBox, "exec", press)
    return asked


def _reopened(qtbot: Any, demo_database: Any, monkeypatch: pytest.MonkeyPatch,
              choice: str) -> tuple[MainWindow, list[str]]:
    """A window opened on the database, whose restore prompt will be answered ``choice``, and the
    prompts' texts as they are asked."""
    asked = _answer_restore(monkeypatch, choice)
    window = MainWindow(demo_database, remember_layout=False)
    qtbot.addWidget(window, before_close_func=_forget)
    return window, asked


def test_an_unsaved_edit_is_journalled_and_cleared_when_saved(window: MainWindow, qtbot: Any,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    assert _journals() == []
    _add_goal(monkeypatch, window, "Walk to the shops")
    qtbot.waitUntil(lambda: window.journal.path.exists())
    path = window.journal.path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # identifiable: the user's alone
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    written = journal.read(path)
    assert written is not None and written.case_id == window.case.id  # type: ignore[union-attr]
    assert written.edits == ["Add goal “Walk to the shops” (the plan changed, so its agreements were cleared)"]
    assert any(g["in_my_words"] == "Walk to the shops" for g in written.case["care_plan"]["goals"])
    assert not list(path.parent.glob(".*.tmp"))  # written whole, nothing left half-written
    # this window is still running: its journal is not offered to another start
    assert journal.pending(window.database.url) == []
    assert window.save()
    assert not path.exists() and _journals() == []


def test_undoing_back_to_the_saved_case_clears_the_journal(window: MainWindow, qtbot: Any,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _add_goal(monkeypatch, window, "Walk to the shops")
    window.journal.write_now()
    assert window.journal.path.exists()
    window.undo_action.trigger()
    assert not window.journal.path.exists()


def test_the_journal_names_undone_edits_too() -> None:
    from PySide6.QtGui import QUndoCommand, QUndoStack

    from ui.journal import unsaved_edits

    stack = QUndoStack()
    for text in ("Add goal “A”", "Add action “B”"):
        stack.push(QUndoCommand(text))
    stack.setClean()
    assert unsaved_edits(stack) == []
    stack.push(QUndoCommand("Edit person"))
    assert unsaved_edits(stack) == ["Edit person"]
    stack.undo()
    stack.undo()
    assert unsaved_edits(stack) == ["Undo Add action “B”"]


def test_a_journal_that_is_not_one_is_not_offered(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cases.sqlite'}"
    path = journal.path_for(url, pid=999_999_999)
    path.parent.mkdir(parents=True)
    path.write_text("{not json", encoding="utf-8")
    assert journal.read(path) is None and journal.pending(url) == []
    path.write_text(json.dumps({"kind": "something else"}), encoding="utf-8")
    assert journal.pending(url) == []


def _crash_with_an_unsaved_goal(db_url: str, words: str) -> None:
    """Run the application in another process on ``db_url``, add a goal without saving, wait until
    it is journalled, then kill the process (SIGKILL: no clean-up of any kind)."""
    script = f"""
import sys
from db.database import open_database
from ui.app import make_app
from ui.editing import EntityDialog
from ui.main_window import MainWindow

def fake_exec(dialog):
    dialog.inputs["in_my_words"].setPlainText({words!r})
    dialog.try_accept()
    return int(dialog.result())

EntityDialog.exec = fake_exec
app = make_app()
window = MainWindow(open_database({db_url!r}), remember_layout=False)
window.show()
window.editor.add("goals")
print(window.journal.path, flush=True)
app.exec()
"""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    process = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        path = Path(process.stdout.readline().strip())
        for _attempt in range(600):  # the journal is written in the running event loop
            if journal.read(path) is not None:
                break
            if process.poll() is not None:
                pytest.fail(f"the application ended early: {process.stderr.read()}")  # type: ignore[union-attr]
            time.sleep(0.05)
        else:
            pytest.fail("the unsaved edit was never journalled")
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
    assert process.returncode == -signal.SIGKILL
    assert path.exists()  # what was journalled survives the crash


@pytest.mark.qt_log_ignore("This plugin does not support")
def test_after_a_crash_the_next_start_restores_the_unsaved_edits(
        qtbot: Any, demo_database: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.app import make_app

    _crash_with_an_unsaved_goal(demo_database.url, "Walk to the shops")
    with demo_database.snapshot() as session:  # nothing reached the database
        stored = CaseRepository(session).get(demo_database.demo_id)
    assert not any(g.in_my_words == "Walk to the shops" for g in stored.care_plan.goals)

    make_app()
    window, asked = _reopened(qtbot, demo_database, monkeypatch, "Restore")
    assert window.offer_restore()
    assert len(asked) == 1 and re.fullmatch(
        r"Pathway Planner closed before this change to “Mrs Smith, Torbay” was saved "
        r"\(last changed \d{1,2} [A-Z][a-z]{2} \d{4} at \d\d:\d\d\):\n"
        r"• Add goal “Walk to the shops” \(the plan changed, so its agreements were cleared\)", asked[0])
    assert window.case is not None and window.case.id == demo_database.demo_id
    assert any(g.in_my_words == "Walk to the shops" for g in window.case.care_plan.goals)  # type: ignore[union-attr]
    assert window.isWindowModified() and window.undo_stack.count() == 1  # restored, not yet saved
    old = [p for p in _journals() if p != window.journal.path]
    assert old == []  # restoring cleared the crashed window's journal
    assert window.save()
    with demo_database.snapshot() as session:
        saved = CaseRepository(session).get(demo_database.demo_id)
    assert any(g.in_my_words == "Walk to the shops" for g in saved.care_plan.goals)  # type: ignore[union-attr]
    assert _journals() == []
    window.close()


def _left_by_a_crash(qtbot: Any, demo_database: Any, monkeypatch: pytest.MonkeyPatch, goal: str) -> Path:
    """A window that added ``goal`` and journalled it, its journal then renamed as a window that no
    longer runs would have left it; the journal's path."""
    from ui.app import make_app

    make_app()
    first = MainWindow(demo_database, remember_layout=False)
    qtbot.addWidget(first, before_close_func=_forget)
    _add_goal(monkeypatch, first, goal)
    assert first.journal.write_now()
    crashed: Path = first.journal.path.with_name(first.journal.path.name.replace(
        f"-{os.getpid()}.json", "-999999999.json"))
    first.journal.path.rename(crashed)
    first.undo_stack.setClean()
    return crashed


def test_discarding_the_unsaved_edits_clears_the_journal(qtbot: Any, demo_database: Any,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    crashed = _left_by_a_crash(qtbot, demo_database, monkeypatch, "See my grandson")
    second, asked = _reopened(qtbot, demo_database, monkeypatch, "Discard")
    assert not second.offer_restore()
    assert "See my grandson" in asked[0]
    assert not crashed.exists() and second.undo_stack.count() == 0
    assert not second.offer_restore()  # asked once: nothing left to offer
    assert len(asked) == 1


def test_new_case_creates_nothing_until_its_form_is_accepted(window: MainWindow,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from db import audit

    def count_events() -> int:
        with window.database.snapshot() as session:
            return sum(len(audit.history(session, s.id)) for s in CaseRepository(session).summaries())

    cases, events = window.case_model.rowCount(), count_events()
    monkeypatch.setattr(EntityDialog, "exec", lambda dialog: int(QDialog.DialogCode.Rejected))
    window.new_action.trigger()  # Ctrl+N, then Cancel
    assert window.case_model.rowCount() == cases and count_events() == events
    with window.database.snapshot() as session:
        assert CaseRepository(session).count() == cases
    assert window.case is not None and window.case.title == "Mrs Smith, Torbay"  # still open

    def accept(dialog: EntityDialog) -> int:
        dialog.inputs["name"].setText("Arthur Jones")
        dialog.try_accept()
        return int(dialog.result())

    monkeypatch.setattr(EntityDialog, "exec", accept)
    window.new_action.trigger()
    assert window.case is not None and window.case.person.name == "Arthur Jones"
    assert window.case_model.rowCount() == cases + 1 and count_events() == events + 1


def test_restored_edits_never_overwrite_a_colleagues_save(qtbot: Any, demo_database: Any,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _left_by_a_crash(qtbot, demo_database, monkeypatch, "Walk to the shops")
    with demo_database.session() as session:  # meanwhile, a colleague saves the case
        repository = CaseRepository(session)
        theirs = repository.get(demo_database.demo_id)
        theirs.title = "Saved by a colleague"
        repository.save(theirs)
    second, _asked = _reopened(qtbot, demo_database, monkeypatch, "Restore")
    assert second.offer_restore()
    monkeypatch.setattr(QMessageBox, "exec", lambda box: 0)
    monkeypatch.setattr(QMessageBox, "clickedButton",
                        lambda box: next(b for b in box.buttons() if b.text() == "Keep mine as a copy"))
    assert second.save()  # asked: their version or mine as a copy
    with demo_database.snapshot() as session:
        titles = sorted(s.title for s in CaseRepository(session).summaries())
    assert titles == ["Mrs Smith, Torbay (my copy)", "Saved by a colleague"]
    assert second.case is not None and second.case.title == "Mrs Smith, Torbay (my copy)"
    assert any(g.in_my_words == "Walk to the shops" for g in second.case.care_plan.goals)  # type: ignore[union-attr]


def test_a_journal_that_cannot_be_written_is_said_once_and_the_edit_stands(
        window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the journal's folder would be", encoding="utf-8")
    window.journal.path = blocked / "journal.json"
    _add_goal(monkeypatch, window, "Walk to the shops")
    assert not window.journal.write_now()
    assert window.statusBar().currentMessage().startswith("Unsaved edits could not be kept on disk")
    assert any(g.in_my_words == "Walk to the shops" for g in window.case.care_plan.goals)  # type: ignore[union-attr]
    assert window.isWindowModified()


def test_deciding_later_keeps_the_unsaved_edits_for_the_next_start(qtbot: Any, demo_database: Any,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    crashed = _left_by_a_crash(qtbot, demo_database, monkeypatch, "See my grandson")
    second, asked = _reopened(qtbot, demo_database, monkeypatch, "Decide later")
    assert not second.offer_restore()
    assert crashed.exists() and second.undo_stack.count() == 0
    assert not second.offer_restore() and len(asked) == 2  # offered again
