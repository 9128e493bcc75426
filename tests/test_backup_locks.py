"""``backup`` and locks: while another program holds the SQLite database exclusively, ``backup``
waits at most the busy timeout (5 s, as saves do), then stops with one line naming who holds it,
exit 1, and leaves no file behind; the temporary file is removed on every way out (Ctrl-C
included), and one left by a killed backup is removed by the next."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from db import backup
from db.backup import DatabaseLocked, check_planner_database, copy_database
from db.database import BUSY_TIMEOUT_MS, open_database
from db.migrate import HEAD_REVISION
from db.repository import CaseRepository
from planner.casefile import read_case_file
from tests.conftest import DEMO
from ui.cli import main

#: Another program holding the database exclusively until told to stop (a line on stdin).
HOLD = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
if sys.argv[2] == "write":  # a save in progress: in WAL mode others still read
    connection.execute("BEGIN IMMEDIATE")
else:
    if sys.argv[2] == "wal":  # in WAL mode only an exclusive locking mode keeps readers out
        connection.execute("PRAGMA locking_mode=EXCLUSIVE")
    else:
        connection.execute("PRAGMA journal_mode=DELETE")
    connection.execute("BEGIN EXCLUSIVE")
connection.execute("UPDATE cases SET title = 'not committed'")
print("held", flush=True)
sys.stdin.readline()
connection.execute("ROLLBACK")
connection.close()
"""


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    """An SQLite database (WAL) holding the demo case."""
    path = tmp_path / "live" / "cases.sqlite"
    database = open_database(f"sqlite:///{path}")
    with database.session() as session:
        CaseRepository(session).add(read_case_file(DEMO))
    database.close()
    return path


@pytest.fixture
def hold(db_file: Path) -> Iterator[Callable[[str], subprocess.Popen[str]]]:
    """Start another process holding ``db_file`` until a line is written to its stdin (at the latest
    when the test ends): exclusively ("wal", or "rollback" after switching the file to a rollback
    journal), or as a save in progress ("write")."""
    holders: list[subprocess.Popen[str]] = []

    def start(mode: str) -> subprocess.Popen[str]:
        holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db_file), mode], text=True,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        holders.append(holder)
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        return holder

    yield start
    for holder in holders:
        if holder.poll() is None:
            holder.communicate("release\n", timeout=30)


def _titles(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [row[0] for row in connection.execute("SELECT title FROM cases ORDER BY id")]
    finally:
        connection.close()


@pytest.mark.parametrize("mode", ["wal", "rollback"])
def test_backup_of_a_database_held_by_another_program_stops_and_names_it(
        capsys: pytest.CaptureFixture[str], db_file: Path, tmp_path: Path,
        hold: Callable[[str], subprocess.Popen[str]], mode: str) -> None:
    folder = tmp_path / "backups-here"
    folder.mkdir()
    out = folder / "copy.sqlite"
    pid = hold(mode).pid
    started = time.monotonic()
    code = main(["--db", f"sqlite:///{db_file}", "backup", "--out", str(out)])
    waited = time.monotonic() - started
    printed, err = capsys.readouterr()
    assert code == 1 and printed == ""
    assert waited < 30  # it gave up (after the 5 s busy timeout), rather than waiting for ever
    assert len(err.strip().splitlines()) == 1, err
    # said when the database is checked before the copy (locked: it cannot be checked) or while
    # copying; either way the file, how long it waited and the process holding it
    assert str(db_file) in err and f"more than {BUSY_TIMEOUT_MS / 1000:g} seconds" in err
    assert f"held by process {pid} (python" in err
    assert "Traceback" not in err
    assert list(folder.iterdir()) == []  # no copy, no temporary file


def test_backup_once_the_other_program_has_finished_succeeds(
        capsys: pytest.CaptureFixture[str], db_file: Path, tmp_path: Path,
        hold: Callable[[str], subprocess.Popen[str]]) -> None:
    out = tmp_path / "copy.sqlite"
    holder = hold("wal")
    assert main(["--db", f"sqlite:///{db_file}", "backup", "--out", str(out)]) == 1
    holder.communicate("release\n", timeout=30)
    capsys.readouterr()
    code = main(["--db", f"sqlite:///{db_file}", "backup", "--out", str(out)])
    printed, err = capsys.readouterr()
    assert (code, printed.strip(), err) == (0, str(out), "")
    assert _titles(out) == ["Mrs Smith, Torbay"]  # what was committed: their write was rolled back
    assert check_planner_database(out) == HEAD_REVISION


@pytest.mark.parametrize("mode", ["write", "wal"])
def test_restore_into_a_database_held_by_another_program_stops_and_changes_nothing(
        capsys: pytest.CaptureFixture[str], db_file: Path, tmp_path: Path,
        hold: Callable[[str], subprocess.Popen[str]], mode: str) -> None:
    saved = tmp_path / "saved.sqlite"
    copy_database(db_file, saved)
    connection = sqlite3.connect(db_file)
    with connection:
        connection.execute("UPDATE cases SET title = 'Changed since the backup'")
    connection.close()
    holder = hold(mode)
    started = time.monotonic()
    code = main(["--db", f"sqlite:///{db_file}", "restore", str(saved)])
    waited = time.monotonic() - started
    printed, err = capsys.readouterr()
    holder.communicate("release\n", timeout=30)
    assert code == 1 and printed == "" and waited < 30
    assert err.startswith(f"pathway-planner: Cannot restore into {db_file}: another program has held "
                          f"the database for more than {BUSY_TIMEOUT_MS / 1000:g} seconds. "
                          f"It is held by process {holder.pid} (python"), err
    assert "Nothing was changed" in err and len(err.strip().splitlines()) == 1
    assert _titles(db_file) == ["Changed since the backup"]


def test_ctrl_c_during_a_backup_leaves_no_file(db_file: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Python delivers Ctrl-C to the copy in its progress callback: it stops and removes the file."""

    def interrupted(_timeout: int) -> Callable[[int, int, int], None]:
        def progress(_status: int, _remaining: int, _pages: int) -> None:
            raise KeyboardInterrupt

        return progress

    monkeypatch.setattr(backup, "_give_up_after", interrupted)
    out = tmp_path / "out" / "copy.sqlite"
    out.parent.mkdir()
    with pytest.raises(KeyboardInterrupt):
        copy_database(db_file, out)
    assert list(out.parent.iterdir()) == []
    assert _titles(db_file) == ["Mrs Smith, Torbay"]  # the database itself untouched


def test_a_copy_that_stays_locked_gives_up_and_leaves_no_file(db_file: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The online backup API retries a lock for ever: the copy gives up after the busy timeout.
    (Here the lock is on the copy being written, held by another connection.)"""
    holders: list[sqlite3.Connection] = []
    create = backup.create_private

    def create_and_lock(path: Path) -> None:
        create(path)
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("PRAGMA locking_mode=EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")
        holders.append(holder)

    monkeypatch.setattr(backup, "create_private", create_and_lock)
    out = tmp_path / "out" / "copy.sqlite"
    out.parent.mkdir()
    started = time.monotonic()
    try:
        with pytest.raises(DatabaseLocked, match=r"for more than 0\.2 seconds\..*Nothing was written"):
            copy_database(db_file, out, busy_timeout_ms=200)
    finally:
        for holder in holders:
            holder.close()
    assert holders and time.monotonic() - started < 30
    assert list(out.parent.iterdir()) == []


def test_a_temporary_file_left_by_a_killed_backup_is_removed_by_the_next(
        capsys: pytest.CaptureFixture[str], db_file: Path, tmp_path: Path) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    running = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.readline()"],
                               stdin=subprocess.PIPE, text=True)
    out = tmp_path / "copy.sqlite"
    abandoned = tmp_path / f".copy.sqlite.partial-{gone.pid}"
    in_progress = tmp_path / f".copy.sqlite.partial-{running.pid}"  # another backup, still running
    try:
        for partial in (abandoned, in_progress):
            partial.write_bytes(b"half a copy")
        code = main(["--db", f"sqlite:///{db_file}", "backup", "--out", str(out)])
        assert code == 0, capsys.readouterr().err
    finally:
        running.communicate("\n", timeout=30)
    assert check_planner_database(out) == HEAD_REVISION
    assert not abandoned.exists() and in_progress.exists()
