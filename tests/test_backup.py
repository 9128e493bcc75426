"""Backups of the embedded SQLite database: ``backup --out``, ``restore``, automatic backups and
their retention, and what PostgreSQL users are told instead."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from db.backup import (
    BackupError,
    NotAPlannerDatabase,
    automatic_backup,
    automatic_backups,
    check_planner_database,
    restore,
)
from db.database import open_database
from db.migrate import HEAD_REVISION
from db.repository import CaseRepository
from planner.casefile import case_from_dict
from tests.conftest import DEMO
from tests.factories import minimal_dict
from ui.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    """An SQLite database holding the demo case."""
    path = tmp_path / "live" / "cases.sqlite"
    database = open_database(f"sqlite:///{path}")
    with database.session() as session:
        from planner.casefile import read_case_file

        CaseRepository(session).add(read_case_file(DEMO))
    database.close()
    return path


def _titles(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [row[0] for row in connection.execute("SELECT title FROM cases ORDER BY id")]
    finally:
        connection.close()


def test_backup_is_consistent_while_someone_writes(capsys: pytest.CaptureFixture[str], db_file: Path,
                                                   tmp_path: Path) -> None:
    writer = sqlite3.connect(db_file, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE cases SET title = 'not committed'")
    out = tmp_path / "copy.sqlite"
    try:
        code, printed, err = run(capsys, "--db", f"sqlite:///{db_file}", "backup", "--out", str(out))
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert (code, printed.strip(), err) == (0, str(out), "")
    assert out.stat().st_mode & 0o777 == 0o600
    assert _titles(out) == ["Mrs Smith, Torbay"]  # what was committed, nothing half-written
    assert check_planner_database(out) == HEAD_REVISION
    with sqlite3.connect(out) as copy:  # one self-contained file
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    copy.close()
    assert not Path(f"{out}-wal").exists()
    assert list(out.parent.glob(".copy.sqlite.partial*")) == []


def test_backup_never_overwrites(capsys: pytest.CaptureFixture[str], db_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "exists.sqlite"
    out.write_text("precious")
    code, _, err = run(capsys, "--db", f"sqlite:///{db_file}", "backup", "--out", str(out))
    assert code == 1 and "already exists: choose a new file name" in err
    assert out.read_text() == "precious"
    code, _, err = run(capsys, "--db", f"sqlite:///{db_file}", "backup", "--out", str(db_file))
    assert code == 1 and db_file.exists()
    code, _, err = run(capsys, "--db", f"sqlite:///{tmp_path / 'none.sqlite'}", "backup", "--out",
                       str(tmp_path / "b.sqlite"))
    assert code == 1 and "there is no database at" in err


def test_postgresql_users_are_pointed_to_the_servers_tools(capsys: pytest.CaptureFixture[str],
                                                          tmp_path: Path) -> None:
    url = "postgresql+psycopg://mdt:s3cret@db.example/cases"
    code, _, err = run(capsys, "--db", url, "backup", "--out", str(tmp_path / "x"))
    assert code == 1 and "is a PostgreSQL database: back it up with the server's tools: pg_dump" in err
    assert "s3cret" not in err
    code, _, err = run(capsys, "--db", url, "restore", str(tmp_path / "x"))
    assert code == 1 and "pg_restore" in err and "s3cret" not in err


def test_restore_brings_back_the_backup_and_keeps_the_current_database(
        capsys: pytest.CaptureFixture[str], db_file: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{db_file}"
    backup = tmp_path / "monday.sqlite"
    assert run(capsys, "--db", url, "backup", "--out", str(backup))[0] == 0
    database = open_database(url)  # the GUI, say, is open on it throughout
    with database.session() as session:
        CaseRepository(session).add(case_from_dict(minimal_dict(name="Arthur Jones")))
    code, out, err = run(capsys, "--db", url, "restore", str(backup))
    assert code == 0, err
    [previous] = automatic_backups(db_file)
    assert out.strip() == (f"Restored {db_file} from {backup} (schema {HEAD_REVISION}); "
                           f"the database as it was is kept in {previous}")
    assert previous.name.endswith("-before-restore.sqlite") and previous.stat().st_mode & 0o777 == 0o600
    assert _titles(previous) == ["Mrs Smith, Torbay", None]  # Arthur Jones's case, untitled
    with database.session() as session:  # the open program sees the restored cases
        assert [s.name for s in CaseRepository(session).summaries()] == ["Edith Smith"]
    database.close()
    assert _titles(db_file) == ["Mrs Smith, Torbay"]


def test_restore_refuses_what_is_not_a_planner_database(capsys: pytest.CaptureFixture[str], db_file: Path,
                                                        tmp_path: Path) -> None:
    url = f"sqlite:///{db_file}"
    before = db_file.read_bytes()
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    other = tmp_path / "invoices.sqlite"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER)")
    connection.close()
    for candidate, reason in [(text, "not an SQLite file"), (other, "it has no alembic_version, cases, "),
                              (tmp_path / "missing.sqlite", "does not exist")]:
        code, _, err = run(capsys, "--db", url, "restore", str(candidate))
        assert code == 1 and reason in err and "Traceback" not in err
    assert db_file.read_bytes() == before and automatic_backups(db_file) == []


def test_restore_refuses_a_database_from_a_newer_version(db_file: Path, tmp_path: Path) -> None:
    newer = tmp_path / "newer.sqlite"
    automatic_backup(db_file, "x")
    [copy] = automatic_backups(db_file)
    copy.rename(newer)
    with sqlite3.connect(newer) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099'")
    connection.close()
    with pytest.raises(NotAPlannerDatabase, match=r"'0099'.*may come from a newer version"):
        restore(db_file, newer)


def test_restoring_an_older_backup_migrates_it(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from alembic import command
    from sqlalchemy import create_engine

    from db.migrate import alembic_config, current_revision

    old = tmp_path / "old.sqlite"
    engine = create_engine(f"sqlite:///{old}")
    command.upgrade(alembic_config(engine), "0002")  # type: ignore[arg-type]
    engine.dispose()
    live = tmp_path / "live.sqlite"
    open_database(f"sqlite:///{live}").close()
    code, out, err = run(capsys, "--db", f"sqlite:///{live}", "restore", str(old))
    assert code == 0 and "(schema 0002)" in out, err
    engine = create_engine(f"sqlite:///{live}")
    assert current_revision(engine) == HEAD_REVISION
    engine.dispose()


def test_restore_over_a_damaged_database_keeps_a_raw_copy(db_file: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.sqlite"
    automatic_backup(db_file, "x").rename(good)
    db_file.write_bytes(b"garbage" * 1000)
    result = restore(db_file, good)
    assert result.previous is not None and result.previous.read_bytes() == b"garbage" * 1000
    assert _titles(db_file) == ["Mrs Smith, Torbay"]


def test_automatic_backups_keep_the_newest(db_file: Path) -> None:
    made = []
    for number in range(5):
        made.append(automatic_backup(db_file, f"test{number}", keep=3))
    kept = automatic_backups(db_file)
    assert kept == made[-3:] and all(not p.exists() for p in made[:2])
    assert len(list((db_file.parent / "backups").iterdir())) == 3
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in kept)
    assert (db_file.parent / "backups").stat().st_mode & 0o777 == 0o700


def test_copy_refuses_the_database_itself(db_file: Path) -> None:
    from db.backup import copy_database

    with pytest.raises(BackupError, match="already exists"):
        copy_database(db_file, db_file)


def test_restore_reads_the_file_given_and_nothing_else(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A plain copy of a database in WAL mode, under a name with awkward characters, is restored
    without a side file appearing beside it."""
    import shutil

    folder = tmp_path / "odd #1 folder"
    live = folder / "live db.sqlite"
    database = open_database(f"sqlite:///{live}")
    with database.session() as session:
        CaseRepository(session).add(case_from_dict(minimal_dict(name="Arthur Jones")))
    database.close()
    copy = folder / "copy ?#2%20.sqlite"  # a file name, not a URL: any character goes
    shutil.copy(live, copy)
    before = sorted(p.name for p in folder.iterdir())
    code, _, err = run(capsys, "--db", f"sqlite:///{live}", "restore", str(copy))
    assert code == 0, err
    assert sorted(p.name for p in folder.iterdir()) == sorted([*before, "backups"])  # no side files
    out_file = folder / "nightly ?#3.sqlite"
    code, _, err = run(capsys, "--db", f"sqlite:///{live}", "backup", "--out", str(out_file))
    assert code == 0 and check_planner_database(out_file) == HEAD_REVISION
    assert [p.name for p in folder.iterdir() if p.name.startswith("nightly")] == ["nightly ?#3.sqlite"]
