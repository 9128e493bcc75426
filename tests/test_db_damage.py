"""Opening an embedded SQLite database that is damaged, empty, half-migrated, too open or read-only:
checked before anything is written, never written to when damaged, one clear message, and every
case still there after an interrupted upgrade."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from db.backup import automatic_backup, automatic_backups
from db.database import DatabaseError, DatabaseUnavailable, open_database
from db.migrate import HEAD_REVISION, current_revision
from db.repository import CaseRepository
from planner.casefile import case_from_dict
from tests.conftest import DEMO, ROOT
from tests.factories import demo_dict, minimal_dict
from ui.cli import main

PAGE = 4096


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _demo_database(path: Path) -> Path:
    """The demo database (the Mrs Smith case, id 1) at ``path``, closed, with a backup beside it."""
    open_database(f"sqlite:///{path}", seed_demo=True).close()
    return automatic_backup(path, "nightly")


def _root_page(path: Path, table: str) -> int:
    connection = sqlite3.connect(path)
    try:
        return int(connection.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0])
    finally:
        connection.close()


def _overwrite(path: Path, offset: int, data: bytes) -> None:
    with open(path, "r+b") as file:
        file.seek(offset)
        file.write(data)


def _damage_file_header(path: Path) -> None:
    _overwrite(path, 0, b"\xde\xad\xbe\xef" * 8)


def _damage_schema_page(path: Path) -> None:  # the b-tree header of sqlite_master, on page 1
    _overwrite(path, 100, b"\xff" * 12)


def _damage_steps_page(path: Path) -> None:  # a table's page header: the file opens, the check finds it
    _overwrite(path, (_root_page(path, "steps") - 1) * PAGE + 3, b"\x00\x60")  # more cells than it has


def _damage_steps_page_type(path: Path) -> None:  # a page SQLite cannot even read
    _overwrite(path, (_root_page(path, "steps") - 1) * PAGE, b"\x0d\xff\xff\xff\xff\xff\xff\xff")


def _truncate(path: Path) -> None:
    os.truncate(path, 20 * PAGE)


def _empty(path: Path) -> None:
    os.truncate(path, 0)


DAMAGE: dict[str, Callable[[Path], None]] = {
    "file header": _damage_file_header, "schema page": _damage_schema_page, "steps page": _damage_steps_page,
    "steps page type": _damage_steps_page_type, "truncated": _truncate, "empty": _empty}


def _commands(url: str, out: Path) -> list[list[str]]:
    return [["--db", url, *args] for args in (
        ["cases"], ["cases", "--json"], ["findings", "1"], ["measures", "1"], ["audit"], ["directory"],
        ["import", str(DEMO)], ["export-case", "1", "--out", str(out / "case.json")],
        ["export-fhir", "1", "--out", str(out / "fhir.json")], ["print-plan", "1", "--out", str(out / "plan.pdf")],
        ["export-pdf", "1", "--out", str(out / "summary.pdf")], ["workshop-pack", "1", "--out", str(out / "pack.pdf")],
        ["backup", "--out", str(out / "copy.sqlite")])]


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_no_command_writes_to_a_damaged_database(damage: str, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """Every command on a damaged database ends with one clear line naming the file, the latest backup
    and the command restoring it, and exit 1; the file's bytes and time are as they were."""
    path = tmp_path / "data" / "cases.sqlite"
    backup = _demo_database(path)
    DAMAGE[damage](path)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    out = tmp_path / "out"
    out.mkdir()
    for command in _commands(f"sqlite:///{path}", out):
        code, stdout, err = run(capsys, *command)
        assert code == 1, (command, stdout, err)
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, (command, err)
        assert f"{path}" in err, (command, err)
        # (backup copies the file without opening it as the app does: its own message)
        assert "backup" in command or f"restore '{backup}'" in err, (command, err)
        assert (path.read_bytes(), path.stat().st_mtime_ns) == before, command
        assert list(out.iterdir()) == [], command  # no file written from it either
    assert automatic_backups(path) == [backup]  # nothing was migrated or restored
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0


def test_the_damage_and_the_restore_command_are_named(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "data" / "cases.sqlite"
    backup = _demo_database(path)
    _damage_steps_page(path)
    code, _, err = run(capsys, "--db", f"sqlite:///{path}", "cases")
    assert code == 1
    assert err.startswith(f"pathway-planner: Cannot use the database SQLite {path}: it is damaged (its check "
                          "found: ")
    assert (f"the file was left as it is. The latest backup is {backup} " in err
            and f"run pathway-planner --db 'sqlite:///{path}' restore '{backup}'." in err)
    # the embedded default: the restore command needs no --db
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home"))
    from db.database import default_path

    default = default_path()
    default_backup = _demo_database(default)
    _damage_steps_page(default)
    code, _, err = run(capsys, "cases")
    assert code == 1 and f"run pathway-planner restore '{default_backup}'." in err


def test_restore_repairs_a_damaged_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The command the message gives works: the cases are back."""
    path = tmp_path / "data" / "cases.sqlite"
    _demo_database(path)
    _damage_steps_page(path)
    _, _, err = run(capsys, "--db", f"sqlite:///{path}", "findings", "1")
    command = err.rsplit("run pathway-planner ", 1)[1].rstrip().rstrip(".")
    import shlex

    code, out, err = run(capsys, *shlex.split(command))
    assert code == 0, err
    code, out, err = run(capsys, "--db", f"sqlite:///{path}", "cases", "--json")
    assert code == 0 and '"Mrs Smith, Torbay"' in out


def test_a_damaged_database_can_be_opened_to_look_at_but_not_written(tmp_path: Path) -> None:
    path = tmp_path / "cases.sqlite"
    backup = _demo_database(path)
    _damage_steps_page(path)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    with pytest.raises(DatabaseError, match="it is damaged"):
        open_database(f"sqlite:///{path}")
    database = open_database(f"sqlite:///{path}", allow_damaged=True)
    try:
        assert database.read_only is not None and "is damaged" in database.read_only
        assert str(backup) in database.read_only
        with database.session() as session:  # what can still be read is shown
            assert [s.title for s in CaseRepository(session).summaries()] == ["Mrs Smith, Torbay"]
        with (pytest.raises(DatabaseUnavailable, match=r"^Nothing was saved: The database SQLite .* is damaged"),
              database.session() as session):
            CaseRepository(session).add(case_from_dict(minimal_dict()))
    finally:
        database.close()
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_damage_inside_a_stored_value_is_named_and_the_rest_shown(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """Damage SQLite's checks cannot see (a byte changed inside a row's JSON text) is named, in words,
    and the rest of the case is shown and exported (planner.damage); never a traceback."""
    path = tmp_path / "cases.sqlite"
    _demo_database(path)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE cases SET conditions = '[\"heart fail\x01ure\"]' WHERE id = 1")
    connection.close()
    warning = ("pathway-planner: warning: case 1 “Mrs Smith, Torbay”: The conditions of the person could "
               "not be read; it is left empty, and the rest of the case is shown.")
    code, out, err = run(capsys, "--db", f"sqlite:///{path}", "findings", "1")
    assert code == 0 and err.strip() == warning and "KEY FINDINGS" in out
    exported = tmp_path / "case.json"
    code, _, err = run(capsys, "--db", f"sqlite:///{path}", "export-case", "1", "--out", str(exported))
    assert code == 0 and err.strip() == warning and "Traceback" not in err
    assert json.loads(exported.read_text(encoding="utf-8"))["person"].get("conditions", []) == []


def test_a_damaged_database_with_an_old_schema_cannot_even_be_looked_at(tmp_path: Path) -> None:
    """Read-only means not migrated: a damaged database behind the current schema is refused, saying why."""
    path = tmp_path / "cases.sqlite"
    _old_database(path, "0003")
    _damage_steps_page(path)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    with pytest.raises(DatabaseError) as raised:
        open_database(f"sqlite:///{path}", allow_damaged=True, allow_read_only=True)
    assert str(raised.value).startswith(
        f"Cannot open the database SQLite {path}: it needs migrating to this version's schema, which means "
        "writing to it, but it is damaged (its check found: On tree page ")
    assert "There is no automatic backup in" in str(raised.value)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert automatic_backups(path) == []


def test_an_empty_file_is_not_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cases.sqlite"
    path.touch()
    with pytest.raises(DatabaseError, match=r"the file is empty \(0 bytes\), so it is not a Pathway Planner "
                                            "database; it was left as it is. To start a new database there, "
                                            "delete the empty file."):
        open_database(f"sqlite:///{path}")
    code, _, err = run(capsys, "--db", f"sqlite:///{path}", "import", str(DEMO))
    assert code == 1 and "the file is empty" in err
    assert path.stat().st_size == 0
    path.unlink()  # as the message says: then a new one is made
    open_database(f"sqlite:///{path}").close()
    assert path.stat().st_size > 0


def test_a_save_interrupted_in_rollback_journal_mode_is_rolled_back_not_called_damage(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A database in rollback-journal mode (a backup opened as a database) whose last save was killed
    half-way has a hot journal: SQLite's recovery plays it back, and the database opens whole."""
    path = tmp_path / "cases.sqlite"
    _demo_database(path)
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=DELETE")
    connection.close()
    code = f"""
import os, signal, sqlite3
c = sqlite3.connect({str(path)!r})
c.execute("PRAGMA cache_size=1")  # the change spills into the file before it is committed
c.execute("BEGIN")
c.execute("UPDATE cases SET title = 'half-saved', what_matters = hex(randomblob(200000))")
c.execute("UPDATE steps SET notes = hex(randomblob(2000))")
os.kill(os.getpid(), signal.SIGKILL)
"""
    killed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert killed.returncode == -9, killed.stderr
    journal = path.with_name("cases.sqlite-journal")
    assert journal.stat().st_size > 0  # hot
    code_, out, err = run(capsys, "--db", f"sqlite:///{path}", "cases", "--json")
    assert code_ == 0 and '"Mrs Smith, Torbay"' in out and "half-saved" not in out, err


def test_a_database_locked_during_the_check_says_who_holds_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """Not called damaged: a database another program holds exclusively is "locked", naming it."""
    import db.database

    monkeypatch.setattr(db.database, "BUSY_TIMEOUT_MS", 200)
    path = tmp_path / "cases.sqlite"
    _demo_database(path)
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=DELETE")
    connection.close()
    code = f"""
import sqlite3, sys
c = sqlite3.connect({str(path)!r}, isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
print("holding", flush=True)
sys.stdin.read()
"""
    holder = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        before = (path.read_bytes(), path.stat().st_mtime_ns)
        code_, _, err = run(capsys, "--db", f"sqlite:///{path}", "cases")
        assert code_ == 1 and f"The database SQLite {path} is locked" in err and "restore" not in err, err
        assert f"process {holder.pid}" in err or sys.platform != "linux"
        assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    finally:
        assert holder.stdin is not None and holder.stdout is not None
        holder.stdin.close()
        holder.wait()
        holder.stdout.close()


# -- a new database appears whole --------------------------------------------------------------------
def _run_until_killed(url: str, statement: int, *, seed_demo: bool = False) -> subprocess.CompletedProcess[str]:
    """Open the database in another process that is killed (SIGKILL) right after its ``statement``-th
    statement that changes the database, before anything more happens."""
    code = f"""
import os, signal
from sqlalchemy import event
from sqlalchemy.engine import Engine
count = 0
def after(conn, cursor, statement, parameters, context, executemany):
    global count
    if statement.lstrip().split(None, 1)[0].upper() in ("CREATE", "ALTER", "DROP", "INSERT", "UPDATE", "DELETE"):
        count += 1
        if count == {statement}:
            os.kill(os.getpid(), signal.SIGKILL)
event.listen(Engine, "after_cursor_execute", after)
from db.database import open_database
open_database({url!r}, seed_demo={seed_demo!r}).close()
print("finished")
"""
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_a_first_start_killed_part_way_leaves_no_half_made_database(tmp_path: Path) -> None:
    path = tmp_path / "data" / "cases.sqlite"
    killed = _run_until_killed(f"sqlite:///{path}", 5, seed_demo=True)
    assert killed.returncode == -9 and "finished" not in killed.stdout, killed.stderr
    assert not path.exists()  # not an empty or half-made file under its name
    database = open_database(f"sqlite:///{path}", seed_demo=True)
    try:
        assert current_revision(database.engine) == HEAD_REVISION
        with database.session() as session:
            assert [s.title for s in CaseRepository(session).summaries()] == ["Mrs Smith, Torbay"]
    finally:
        database.close()
    assert sorted(p.name for p in path.parent.iterdir()) == ["cases.sqlite"]  # the leftover is gone


# -- interrupted migrations -----------------------------------------------------------------------------
@pytest.fixture
def old_db_url(db_engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A database with no tables yet (an SQLite file, or a new PostgreSQL database)."""
    if db_engine == "sqlite":
        return f"sqlite:///{tmp_path / 'cases.sqlite'}"
    server = request.getfixturevalue("pg_server")
    url: str = server.create(migrated=False)
    request.addfinalizer(lambda: server.drop(url))
    return url


def _url(where: Path | str) -> str:
    return f"sqlite:///{where}" if isinstance(where, Path) else where


def _old_database(where: Path | str, revision: str) -> None:
    """A database (an SQLite file, or a URL) at schema ``revision`` holding two cases, as that release
    stored them."""
    from alembic import command
    from sqlalchemy import create_engine

    from db.database import engine_url
    from db.migrate import alembic_config

    engine = create_engine(engine_url(_url(where)))
    command.upgrade(alembic_config(engine), revision)  # type: ignore[arg-type]
    with engine.begin() as connection:
        for case_id in (1, 2):
            connection.exec_driver_sql(
                "INSERT INTO cases (id, title, row_version, name, area, conditions, created_at, updated_at) "
                f"VALUES ({case_id}, 'Old case {case_id}', 1, 'Ada Old', 'Lambeth', '[]', CURRENT_TIMESTAMP, "
                "CURRENT_TIMESTAMP)")
            connection.exec_driver_sql(
                "INSERT INTO organisations (case_id, position, id, name, sector) "
                f"VALUES ({case_id}, 0, 'gp', 'A Surgery', 'primary_care')")
            connection.exec_driver_sql(
                "INSERT INTO steps (case_id, position, id, kind, organisation, start) "
                f"VALUES ({case_id}, 0, 's1', 'contact', 'gp', '2020-01-01')")
        if revision >= "0003":
            connection.exec_driver_sql("UPDATE cases SET search_text = 'ada old\nold case\nlambeth\na surgery'")
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
    engine.dispose()


def _assert_migrated_with_every_case(where: Path | str) -> None:
    database = open_database(_url(where))
    try:
        assert current_revision(database.engine) == HEAD_REVISION
        with database.session() as session:
            repo = CaseRepository(session)
            assert [s.title for s in repo.summaries("a surgery")] == ["Old case 1", "Old case 2"]
            assert [repo.get(n).steps[0].id for n in (1, 2)] == ["s1", "s1"]
    finally:
        database.close()


def _schema(where: Path | str) -> dict[str, tuple[list[str], list[str]]]:
    """Every table's columns and (by the catalogue) indexes, and the schema version."""
    from sqlalchemy import create_engine, inspect

    from db.database import engine_url
    from db.migrate import has_index

    engine = create_engine(engine_url(_url(where)))
    try:
        with engine.connect() as connection:
            inspector = inspect(connection)
            if connection.dialect.name == "sqlite":
                indexes = "SELECT tbl_name, name FROM sqlite_master WHERE type = 'index'"
            else:
                indexes = "SELECT tablename, indexname FROM pg_indexes WHERE schemaname = current_schema()"
            names = connection.exec_driver_sql(indexes).all()
            assert all(has_index(connection, table, index) for table, index in names)
            return {table: (sorted(c["name"] for c in inspector.get_columns(table)),
                            sorted(index for t, index in names if t == table))
                    for table in inspector.get_table_names()}
    finally:
        engine.dispose()


def _columns(where: Path | str, table: str) -> set[str]:
    return set(_schema(where).get(table, ([], []))[0])


@pytest.mark.parametrize(("revision", "statement"), [
    ("0001", 1), ("0001", 5), ("0001", 7), ("0001", 11),  # 7: the old organisations table just dropped
    ("0002", 1), ("0002", 8), ("0003", 1), ("0004", 1)])
def test_a_migration_killed_part_way_is_undone_and_the_rerun_completes(revision: str, statement: int,
                                                                       tmp_path: Path) -> None:
    """kill -9 right after one of the migration's statements: the database is still whole at its old
    schema (nothing half-done, e.g. no search_text column without its revision), the next start
    migrates it with every case, and the backup the first attempt made is the only one."""
    path = tmp_path / "cases.sqlite"
    _old_database(path, revision)
    killed = _run_until_killed(f"sqlite:///{path}", statement)
    assert killed.returncode == -9 and "finished" not in killed.stdout, killed.stderr
    engine_check = sqlite3.connect(path)
    try:
        assert engine_check.execute("SELECT version_num FROM alembic_version").fetchall() == [(revision,)]
        assert engine_check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert engine_check.execute("SELECT count(*) FROM cases").fetchone() == (2,)
    finally:
        engine_check.close()
    if revision < "0003":
        assert "search_text" not in _columns(path, "cases")
    assert "cost" not in _columns(path, "steps")
    backups = automatic_backups(path)
    assert len(backups) == 1
    _assert_migrated_with_every_case(path)
    assert automatic_backups(path) == backups  # the retry reused it


def _inject_fault_after_alter() -> Callable[..., None]:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    def fault(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("ALTER TABLE"):
            raise OSError("injected fault: no space left on device")

    event.listen(Engine, "after_cursor_execute", fault)
    return fault


def _remove_fault(fault: Callable[..., None]) -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    event.remove(Engine, "after_cursor_execute", fault)


def test_a_failed_migration_is_undone_on_either_engine(old_db_url: str) -> None:
    """A fault right after the upgrade's first ALTER TABLE: nothing of it stays (PostgreSQL and SQLite
    alike), the message says so, and the next start migrates with every case."""
    _old_database(old_db_url, "0002")
    fault = _inject_fault_after_alter()
    try:
        with pytest.raises(DatabaseError, match=r"migrating it from schema 0002 to \d+ failed \(injected fault: "
                                                r"no space left on device\); the change was undone"):
            open_database(old_db_url)
    finally:
        _remove_fault(fault)
    assert "search_text" not in _columns(old_db_url, "cases")
    assert "audit_events" not in _schema(old_db_url)
    _assert_migrated_with_every_case(old_db_url)


def test_a_failed_migration_names_its_backup_and_each_retry_makes_none(tmp_path: Path) -> None:
    """A fault right after the first change of the upgrade: the message says it was undone and names
    the backup; retrying makes no second backup while the database is unchanged, and a new one once a
    colleague (an older release) has changed it."""
    path = tmp_path / "cases.sqlite"
    _old_database(path, "0002")
    fault = _inject_fault_after_alter()
    try:
        for attempt in range(3):
            with pytest.raises(DatabaseError) as raised:
                open_database(f"sqlite:///{path}")
            backups = automatic_backups(path)
            assert len(backups) == 1, attempt
            message = str(raised.value)
            assert message.startswith(f"Cannot open the database SQLite {path}: migrating it from schema 0002 "
                                      f"to {HEAD_REVISION} failed (injected fault: no space left on device); "
                                      "the change was undone, so it is as it was.")
            assert f"A copy from before the migration is {backups[0]}." in message
            assert "search_text" not in _columns(path, "cases")  # the ALTER TABLE was rolled back
        # how it knows: the database's digest, noted privately beside the backup
        note = backups[0].with_name(backups[0].name + ".source-sha256")
        assert _mode(note) == 0o600 and len(note.read_text()) == 64
        with sqlite3.connect(path) as colleague:  # someone still on the old release saves a case
            colleague.execute("UPDATE cases SET title = 'Changed meanwhile' WHERE id = 2")
        colleague.close()
        with pytest.raises(DatabaseError):
            open_database(f"sqlite:///{path}")
        assert len(automatic_backups(path)) == 2  # that change is in a backup too
    finally:
        _remove_fault(fault)
    database = open_database(f"sqlite:///{path}")
    try:
        with database.session() as session:
            assert CaseRepository(session).get(2).title == "Changed meanwhile"
    finally:
        database.close()
    assert len(automatic_backups(path)) == 2
    from db.backup import prune

    prune(path, keep=0)  # the notes go with their backups
    assert list((path.parent / "backups").iterdir()) == []


def test_damage_only_the_full_check_finds_stops_a_migration(tmp_path: Path) -> None:
    """Before migrating, integrity_check (which quick_check's every-start check is not) reads the
    indexes too: two indexes that point at each other's pages stop the migration, unchanged."""
    path = tmp_path / "cases.sqlite"
    _old_database(path, "0002")
    connection = sqlite3.connect(path)
    try:
        pages = dict(connection.execute(
            "SELECT name, rootpage FROM sqlite_master WHERE name IN ('ix_cases_name', 'ix_cases_area')"))
        connection.execute("PRAGMA writable_schema=ON")
        connection.execute("UPDATE sqlite_master SET rootpage = ? WHERE name = 'ix_cases_name'",
                           (pages["ix_cases_area"],))
        connection.execute("UPDATE sqlite_master SET rootpage = ? WHERE name = 'ix_cases_area'",
                           (pages["ix_cases_name"],))
        connection.commit()
        assert connection.execute("PRAGMA quick_check").fetchall() == [("ok",)]
    finally:
        connection.close()
    backup = automatic_backup(path, "nightly")
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    with pytest.raises(DatabaseError) as raised:
        open_database(f"sqlite:///{path}")
    assert str(raised.value).startswith(
        f"Cannot open the database SQLite {path}: it needs migrating from schema 0002 to {HEAD_REVISION}, but it "
        "is damaged (its check found: row 1 missing from index ix_cases_")
    assert f"restore '{backup}'" in str(raised.value)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert automatic_backups(path) == [backup]


def test_a_database_left_half_migrated_by_an_earlier_release_opens(tmp_path: Path) -> None:
    """What an earlier release could leave when killed: search_text added without its revision (the
    reported "duplicate column name: search_text"), and a batch migration's copy of a table."""
    path = tmp_path / "cases.sqlite"
    _old_database(path, "0002")
    with sqlite3.connect(path) as connection:
        connection.execute("ALTER TABLE cases ADD COLUMN search_text TEXT")
        connection.execute("CREATE TABLE _alembic_tmp_steps (id VARCHAR(64))")
    connection.close()
    _assert_migrated_with_every_case(path)
    connection = sqlite3.connect(path)
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "_alembic_tmp_steps" not in tables
        assert connection.execute("SELECT search_text FROM cases WHERE id = 1").fetchone()[0].startswith("ada old")
    finally:
        connection.close()


def test_every_revision_can_run_again_on_what_it_already_made(old_db_url: str) -> None:
    """Each revision skips what exists (on either engine): marking a current database as at 0001 and
    upgrading it again changes nothing and loses nothing."""
    from sqlalchemy import create_engine

    from db.database import engine_url

    _old_database(old_db_url, HEAD_REVISION)
    schema = _schema(old_db_url)
    engine = create_engine(engine_url(old_db_url))
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")
    engine.dispose()
    _assert_migrated_with_every_case(old_db_url)
    assert _schema(old_db_url) == schema


# -- permissions ---------------------------------------------------------------------------------------
def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_an_existing_database_and_its_side_files_are_tightened(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    path = folder / "cases.sqlite"
    _demo_database(path)
    holder = sqlite3.connect(path)  # keeps the -wal and -shm files in place
    try:
        holder.execute("SELECT count(*) FROM cases").fetchone()
        sides = [path, path.with_name("cases.sqlite-wal"), path.with_name("cases.sqlite-shm")]
        for file in sides:
            os.chmod(file, 0o644)
        open_database(f"sqlite:///{path}").close()
        assert [_mode(file) for file in sides] == [0o600, 0o600, 0o600]
        assert _mode(folder) == 0o755  # a folder the user chose is theirs
    finally:
        holder.close()


def test_the_apps_own_data_folder_is_tightened(capsys: pytest.CaptureFixture[str]) -> None:
    from db.database import default_path

    assert run(capsys, "cases")[0] == 0
    path = default_path()
    os.chmod(path, 0o644)
    os.chmod(path.parent, 0o755)
    assert run(capsys, "cases")[0] == 0
    assert (_mode(path), _mode(path.parent)) == (0o600, 0o700)


def test_a_read_only_file_is_read_but_not_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cases.sqlite"
    _demo_database(path)
    os.chmod(path, 0o444)
    if os.access(path, os.W_OK) and os.geteuid() == 0:  # root writes anyway: as another user below
        return _as_another_user_read_only(tmp_path, folder_read_only=False)
    _check_read_only(path, capsys, f"{path} is read-only: make it writable")
    assert _mode(path) == 0o400  # tightened, not made writable
    return None


def test_a_read_only_folder_is_read_but_not_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if os.geteuid() == 0:
        _as_another_user_read_only(tmp_path, folder_read_only=True)
        return
    path = tmp_path / "ro" / "cases.sqlite"
    _demo_database(path)
    os.chmod(path.parent, 0o555)
    try:
        _check_read_only(path, capsys, f"{path}'s folder is read-only: Pathway Planner needs to write beside "
                                       "the database (its journal)")
    finally:
        os.chmod(path.parent, 0o755)


def _check_read_only(path: Path, capsys: pytest.CaptureFixture[str], reason: str) -> None:
    """What the user sees on a database that cannot be written: the commands that read work, the
    others say why, and nothing is written."""
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    url = f"sqlite:///{path}"
    code, out, err = run(capsys, "--db", url, "cases")
    assert code == 0 and "Mrs Smith, Torbay" in out, err
    code, out, err = run(capsys, "--db", url, "findings", "1")
    assert code == 0 and out, err
    code, _, err = run(capsys, "--db", url, "import", str(DEMO))
    assert code == 1 and err.startswith(f"pathway-planner: Cannot write to the database SQLite {path}: {reason}")
    assert len(err.strip().splitlines()) == 1 and "attempt to write" not in err
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def _as_another_user_read_only(tmp_path: Path, *, folder_read_only: bool) -> None:
    """As root every file is writable: run the same check as the user nobody, in a subprocess."""
    import shutil
    import tempfile

    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: cannot check as an ordinary user")
    base = Path(tempfile.mkdtemp(prefix="pathway-planner-ro-"))
    try:
        os.chmod(base, 0o755)
        folder = base / "ro"
        folder.mkdir()
        path = folder / "cases.sqlite"
        _demo_database(path)
        for item in (folder, path, *automatic_backups(path), path.parent / "backups"):
            os.chown(item, 65534, 65534)
        os.chmod(path, 0o600 if folder_read_only else 0o400)
        os.chmod(folder, 0o555 if folder_read_only else 0o755)
        before = (path.read_bytes(), path.stat().st_mtime_ns)
        reason = (f"{path}'s folder is read-only: Pathway Planner needs to write beside the database (its "
                  "journal)" if folder_read_only else f"{path} is read-only: make it writable")

        def as_nobody(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-m", "ui.cli",
                 "--db", f"sqlite:///{path}", *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
                env={**os.environ, "HOME": str(base), "XDG_DATA_HOME": str(base), "XDG_CONFIG_HOME": str(base)})

        listed = as_nobody("cases")
        assert listed.returncode == 0 and "Mrs Smith, Torbay" in listed.stdout, listed.stderr
        found = as_nobody("findings", "1")
        assert found.returncode == 0 and found.stdout, found.stderr
        imported = as_nobody("import", str(DEMO))
        assert imported.returncode == 1, imported.stderr
        assert imported.stderr.startswith(f"pathway-planner: Cannot write to the database SQLite {path}: {reason}")
        assert len(imported.stderr.strip().splitlines()) == 1 and "attempt to write" not in imported.stderr
        assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    finally:
        os.chmod(base / "ro", 0o755)
        shutil.rmtree(base)


def test_demo_dict_is_what_the_demo_database_holds(tmp_path: Path) -> None:
    """The fixtures above rely on the demo database holding the demo case as id 1."""
    path = tmp_path / "cases.sqlite"
    _demo_database(path)
    database = open_database(f"sqlite:///{path}")
    try:
        with database.session() as session:
            assert CaseRepository(session).get(1).title == demo_dict()["title"]
    finally:
        database.close()
