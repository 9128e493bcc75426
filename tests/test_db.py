"""The case database: migrations, the repository, and opening bad databases."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from db.database import DatabaseError, choose_url, describe, open_database, seed_demo_case
from db.migrate import HEAD_REVISION, current_revision
from db.repository import CaseNotFound, CaseRepository
from planner.casefile import case_from_dict
from planner.model import Case
from tests.conftest import DEMO
from tests.factories import demo_dict, large_case_dict, minimal_dict


def test_a_new_database_is_migrated_to_head(database) -> None:  # type: ignore[no-untyped-def]
    assert current_revision(database.engine) == HEAD_REVISION


def test_head_constant_matches_alembic() -> None:
    from alembic.script import ScriptDirectory

    from db.migrate import alembic_config

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD_REVISION  # type: ignore[arg-type]


def test_models_and_migrations_do_not_drift(database) -> None:  # type: ignore[no-untyped-def]
    import warnings

    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import inspect
    from sqlalchemy.exc import SAWarning

    from db.migrate import include_object
    from db.schema import EXPRESSION_INDEXES, metadata

    with database.engine.connect() as connection, warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index", SAWarning)
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression-based index",
                                UserWarning)
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                               "include_object": include_object})
        assert compare_metadata(context, metadata) == []
        # the expression indexes left out above are there all the same
        if database.is_sqlite:
            names = set(connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'").scalars())
        else:
            names = {index["name"] for index in inspect(connection).get_indexes("cases")}
        assert names >= EXPRESSION_INDEXES


def test_store_and_load_the_demo_case(database, demo_case: Case) -> None:  # type: ignore[no-untyped-def]
    with database.session() as session:
        case_id = CaseRepository(session).add(demo_case)
    with database.session() as session:
        loaded = CaseRepository(session).get(case_id)
    assert loaded == demo_case
    assert loaded.id == case_id


def test_store_and_load_a_large_case(database) -> None:  # type: ignore[no-untyped-def]
    case = case_from_dict(large_case_dict(1000))
    with database.session() as session:
        case_id = CaseRepository(session).add(case)
    with database.session() as session:
        loaded = CaseRepository(session).get(case_id)
    assert len(loaded.steps) == 1000
    assert loaded == case


def test_a_case_without_plan_or_team_loads_as_such(database) -> None:  # type: ignore[no-untyped-def]
    case = case_from_dict(minimal_dict())
    with database.session() as session:
        case_id = CaseRepository(session).add(case)
    with database.session() as session:
        loaded = CaseRepository(session).get(case_id)
    assert loaded.care_plan is None and loaded.team == [] and loaded == case


def test_a_steps_own_cost_is_stored_and_loaded(database) -> None:  # type: ignore[no-untyped-def]
    data = minimal_dict()
    data["steps"][0]["cost"] = {"amount": 310, "per": "day", "source": "local tariff 2024/25"}
    case = case_from_dict(data)
    with database.session() as session:
        case_id = CaseRepository(session).add(case)
    with database.session() as session:
        loaded = CaseRepository(session).get(case_id)
    assert loaded.steps[0].cost == case.steps[0].cost
    assert loaded.steps[0].cost is not None and loaded.steps[0].cost.amount == 310
    assert loaded == case


def _add(database, data) -> int:  # type: ignore[no-untyped-def]
    with database.session() as session:
        return CaseRepository(session).add(case_from_dict(data))


def test_summaries_search_in_the_database(database) -> None:  # type: ignore[no-untyped-def]
    _add(database, demo_dict())
    other = minimal_dict(name="Arthur Jones", area="Lambeth")
    other["title"] = "Mr Jones, 100% discharge"
    _add(database, other)
    with database.session() as session:
        repo = CaseRepository(session)
        assert [s.title for s in repo.summaries()] == ["Mr Jones, 100% discharge", "Mrs Smith, Torbay"]
        assert [s.name for s in repo.summaries("torbay")] == ["Edith Smith"]
        assert [s.name for s in repo.summaries("EDITH")] == ["Edith Smith"]
        assert [s.name for s in repo.summaries("lamb")] == ["Arthur Jones"]
        assert [s.name for s in repo.summaries("100%")] == ["Arthur Jones"]
        assert repo.summaries("0%d") == []  # % is a literal, not a wildcard
        assert repo.summaries("nobody") == []
        smith = repo.summaries("smith")[0]
        assert smith.steps == 24 and smith.area == "Torbay"


def test_summaries_page(database) -> None:  # type: ignore[no-untyped-def]
    for n in range(5):
        data = minimal_dict(name=f"Person {n}")
        data["title"] = f"Case {n}"
        _add(database, data)
    with database.session() as session:
        repo = CaseRepository(session)
        assert [s.title for s in repo.summaries(limit=2, offset=2)] == ["Case 2", "Case 3"]
        assert repo.count() == 5


def test_find_by_id_or_exact_title(database) -> None:  # type: ignore[no-untyped-def]
    first = _add(database, demo_dict())
    second = _add(database, demo_dict())
    with database.session() as session:
        repo = CaseRepository(session)
        assert repo.find(str(first)) == first
        with pytest.raises(CaseNotFound, match="2 cases are titled"):
            repo.find("Mrs Smith, Torbay")
        with pytest.raises(CaseNotFound, match="No case has the id or title 'Mrs Jones'"):
            repo.find("Mrs Jones")
        repo.delete(first)
    with database.session() as session:
        assert CaseRepository(session).find("Mrs Smith, Torbay") == second
        with pytest.raises(CaseNotFound):
            CaseRepository(session).get(first)


def test_deleting_a_case_removes_its_rows(database) -> None:  # type: ignore[no-untyped-def]
    case_id = _add(database, demo_dict())
    with database.session() as session:
        CaseRepository(session).delete(case_id)
    with database.engine.connect() as connection:
        for table in ("steps", "organisations", "team_members", "goals", "actions", "care_plans"):
            assert connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar() == 0


def test_a_failed_unit_of_work_changes_nothing(database) -> None:  # type: ignore[no-untyped-def]
    case = case_from_dict(demo_dict())
    with pytest.raises(RuntimeError), database.session() as session:
        CaseRepository(session).add(case)
        raise RuntimeError("power cut")
    with database.session() as session:
        assert CaseRepository(session).count() == 0


def test_the_embedded_default_gets_the_demo_case_once(tmp_path: Path) -> None:
    first = open_database()
    assert first.is_default and "pathway-planner.sqlite" in first.name
    with first.session() as session:
        assert [s.title for s in CaseRepository(session).summaries()] == ["Mrs Smith, Torbay"]
    first.close()
    second = open_database()
    with second.session() as session:
        assert CaseRepository(session).count() == 1
    second.close()


def test_an_explicit_database_starts_empty(database) -> None:  # type: ignore[no-untyped-def]
    with database.session() as session:
        assert CaseRepository(session).count() == 0


def test_the_database_is_chosen_by_flag_then_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATHWAY_PLANNER_DB", "sqlite:///from-env.sqlite")
    assert choose_url("sqlite:///flag.sqlite") == ("sqlite:///flag.sqlite", False)
    assert choose_url(None) == ("sqlite:///from-env.sqlite", False)
    monkeypatch.delenv("PATHWAY_PLANNER_DB")
    url, is_default = choose_url(None)
    assert is_default and url.endswith("pathway-planner.sqlite")


def test_passwords_are_never_shown() -> None:
    shown = describe("postgresql+psycopg://mdt:s3cret@db.example:5432/cases")
    assert "s3cret" not in shown and "mdt" in shown


def test_a_corrupt_file_is_named_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.sqlite"
    path.write_bytes(b"this is not a database at all" * 100)
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match=r"Cannot open the database SQLite .*corrupt\.sqlite: file is not a database"):
        open_database(f"sqlite:///{path}")
    assert path.read_bytes() == before


def test_someone_elses_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER)")
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="not a Pathway Planner database"):
        open_database(f"sqlite:///{path}")
    assert path.read_bytes() == before


def test_bad_urls_and_folders(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="is not a database URL"):
        open_database("not a url")
    with pytest.raises(DatabaseError, match="is a folder"):
        open_database(f"sqlite:///{tmp_path}")


def test_seeding_uses_the_packaged_demo(database) -> None:  # type: ignore[no-untyped-def]
    case_id = seed_demo_case(database)
    with database.session() as session:
        case = CaseRepository(session).get(case_id)
    assert case == case_from_dict(json.loads(json.dumps(demo_dict())))


def test_a_database_from_the_first_schema_is_migrated_with_its_cases(tmp_path: Path) -> None:
    """A database written by the first release (revision 0001) opens, upgrades, and keeps its cases."""
    from alembic import command
    from sqlalchemy import create_engine

    from db.migrate import alembic_config

    path = tmp_path / "old.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    command.upgrade(alembic_config(engine), "0001")  # type: ignore[arg-type]
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO cases (id, title, row_version, name, area, conditions) "
            "VALUES (1, 'Old case', 1, 'Ada Old', 'Lambeth', '[]')")
        connection.exec_driver_sql(
            "INSERT INTO organisations (case_id, position, id, name, sector) VALUES (1, 0, 'gp', 'A Surgery', 'primary_care')")
        connection.exec_driver_sql(
            "INSERT INTO steps (case_id, position, id, kind, organisation, start) "
            "VALUES (1, 0, 's1', 'contact', 'gp', '2020-01-01')")
    engine.dispose()
    database = open_database(f"sqlite:///{path}")
    assert current_revision(database.engine) == HEAD_REVISION
    with database.session() as session:
        case = CaseRepository(session).get(1)
    assert case.title == "Old case" and case.person.area == "Lambeth" and case.steps[0].id == "s1"
    with database.session() as session:  # the case list finds it, by its organisation too
        assert [s.id for s in CaseRepository(session).summaries("a surgery")] == [1]
        assert [s.id for s in CaseRepository(session).summaries("ada old")] == [1]
    database.close()


def test_saving_an_edited_case(database) -> None:  # type: ignore[no-untyped-def]
    from planner import editing

    case_id = _add(database, demo_dict())
    with database.session() as session:
        case = CaseRepository(session).get(case_id)
    assert case.row_version == 1
    edited = editing.put(case, "steps", None, {"id": "s25", "kind": "contact", "organisation": "gp",
                                               "start": "2024-07-01", "label": "Check-up"})
    edited.row_version = case.row_version
    with database.session() as session:
        CaseRepository(session).save(edited)
    assert edited.row_version == 2
    with database.session() as session:
        again = CaseRepository(session).get(case_id)
    assert again == edited and again.row_version == 2 and len(again.steps) == 25


def test_a_colleagues_save_is_never_overwritten(database) -> None:  # type: ignore[no-untyped-def]
    from db.repository import SaveConflict

    case_id = _add(database, demo_dict())
    with database.session() as session:
        mine = CaseRepository(session).get(case_id)
    with database.session() as session:
        theirs = CaseRepository(session).get(case_id)
    theirs.title = "Their title"
    with database.session() as session:
        CaseRepository(session).save(theirs)
    mine.title = "My title"
    with pytest.raises(SaveConflict, match="changed by someone else"), database.session() as session:
        CaseRepository(session).save(mine)
    with database.session() as session:
        assert CaseRepository(session).get(case_id).title == "Their title"


def test_deleted_cases_are_recoverable_until_emptied(database) -> None:  # type: ignore[no-untyped-def]
    keep = _add(database, demo_dict())
    gone = _add(database, minimal_dict(name="Arthur Jones"))
    with database.session() as session:
        repo = CaseRepository(session)
        repo.move_to_deleted(gone)
        assert [s.id for s in repo.summaries()] == [keep]
        assert [s.id for s in repo.summaries(deleted=True)] == [gone]
        assert repo.count() == 1
        repo.restore(gone)
        assert {s.id for s in repo.summaries()} == {keep, gone}
        repo.move_to_deleted(gone)
        assert repo.empty_deleted() == 1
        assert repo.summaries(deleted=True) == []
        with pytest.raises(CaseNotFound):
            repo.get(gone)


def test_the_case_list_searches_organisation_names_in_the_database(database) -> None:  # type: ignore[no-untyped-def]
    _add(database, demo_dict())
    _add(database, minimal_dict(name="Arthur Jones"))  # at "A Surgery"
    with database.session() as session:
        repo = CaseRepository(session)
        assert [s.name for s in repo.summaries("riviera")] == ["Edith Smith"]
        assert [s.name for s in repo.summaries("a surgery")] == ["Arthur Jones"]


def test_a_cases_organisations_are_matched_to_the_directory_by_code(database) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from db import schema
    from db.directory import DirectoryRepository
    from planner.directory import DirectoryEntry

    with database.session() as session:
        DirectoryRepository(session).apply([DirectoryEntry(
            code_system="ods", code="Y90001", name="Brixham Road Surgery", sector="primary_care",
            area="Torbay", address=None, postcode=None, phone=None, payment_model=None, regulators=None,
            cqc_registered=None, cqc_rating=None, status="active", source="test")], source="test")
    case_id = _add(database, demo_dict())  # its GP carries codes.ods Y90001
    with database.session() as session:
        links = dict(session.execute(
            select(schema.organisations.c.id, schema.organisations.c.directory_id)
            .where(schema.organisations.c.case_id == case_id)).all())
        directory_id = session.execute(select(schema.directory.c.id)).scalar_one()
    assert links["gp"] == directory_id
    assert links["acute"] is None  # no code: not matched, never guessed


# -- migrations from every earlier schema, on both engines ---------------------------------------
@pytest.fixture
def empty_db_url(db_engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A database with no tables at all (SQLite file, or a new PostgreSQL database)."""
    if db_engine == "sqlite":
        return f"sqlite:///{tmp_path / 'old.sqlite'}"
    server = request.getfixturevalue("pg_server")
    url: str = server.create(migrated=False)
    request.addfinalizer(lambda: server.drop(url))
    return url


def test_the_revisions_are_alembics_in_order() -> None:
    from alembic.script import ScriptDirectory

    from db.migrate import REVISIONS, alembic_config

    script = ScriptDirectory.from_config(alembic_config())  # type: ignore[arg-type]
    assert tuple(reversed([r.revision for r in script.walk_revisions()])) == REVISIONS


@pytest.mark.parametrize("revision", ["0001", "0002", "0003"])
def test_a_database_from_every_earlier_schema_is_migrated_with_its_cases(empty_db_url: str, revision: str) -> None:
    """A database written by an earlier release opens, is backed up (SQLite), upgrades, and keeps
    its cases, searchable and editable, with the audit trail starting empty."""
    from alembic import command
    from sqlalchemy import create_engine

    from db import audit
    from db.backup import automatic_backups, check_planner_database
    from db.database import engine_url, sqlite_path
    from db.migrate import alembic_config

    engine = create_engine(engine_url(empty_db_url))
    command.upgrade(alembic_config(engine), revision)  # type: ignore[arg-type]
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO cases (id, title, row_version, name, area, conditions, created_at, updated_at) "
            "VALUES (7, 'Old case', 1, 'Ada Old', 'Lambeth', '[]', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")
        if revision >= "0003":  # as that release stored it
            connection.exec_driver_sql("UPDATE cases SET search_text = 'ada old\nold case\nlambeth\na surgery'")
        connection.exec_driver_sql(
            "INSERT INTO organisations (case_id, position, id, name, sector) "
            "VALUES (7, 0, 'gp', 'A Surgery', 'primary_care')")
        connection.exec_driver_sql(
            "INSERT INTO steps (case_id, position, id, kind, organisation, start) "
            "VALUES (7, 0, 's1', 'contact', 'gp', '2020-01-01')")
    engine.dispose()
    database = open_database(empty_db_url)
    try:
        assert current_revision(database.engine) == HEAD_REVISION
        with database.session() as session:
            repo = CaseRepository(session)
            case = repo.get(7)
            assert case.title == "Old case" and case.person.area == "Lambeth" and case.steps[0].id == "s1"
            assert [s.id for s in repo.summaries("a surgery")] == [7]
            assert audit.history(session) == []
            case.title = "Old case, reviewed"
            repo.save(case)
        with database.session() as session:
            assert [e.action for e in audit.history(session, 7)] == ["edited"]
    finally:
        database.close()
    path = sqlite_path(empty_db_url)
    if path is not None:  # the copy taken before migrating is the old schema, cases and all
        backups = automatic_backups(path)
        assert [b.name.split("-", 3)[3] for b in backups] == [f"before-migration-{revision}-to-{HEAD_REVISION}.sqlite"]
        assert check_planner_database(backups[0]) == revision
        assert backups[0].stat().st_mode & 0o777 == 0o600
        with sqlite3.connect(backups[0]) as old:
            assert old.execute("SELECT title FROM cases").fetchall() == [("Old case",)]


def test_no_backup_no_migration(tmp_path: Path) -> None:
    """If the copy before migrating cannot be made, the database is left at its old schema."""
    from alembic import command
    from sqlalchemy import create_engine

    from db.migrate import alembic_config

    path = tmp_path / "old.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    command.upgrade(alembic_config(engine), "0002")  # type: ignore[arg-type]
    engine.dispose()
    (tmp_path / "backups").write_text("a file where the backups folder should be")
    with pytest.raises(DatabaseError, match="could not be backed up first, so it was left as it is"):
        open_database(f"sqlite:///{path}")
    engine = create_engine(f"sqlite:///{path}")
    assert current_revision(engine) == "0002"
    engine.dispose()


def test_a_database_from_a_newer_version_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "newer.sqlite"
    open_database(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099'")
    connection.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="'0099' comes from a newer version of Pathway Planner"):
        open_database(f"sqlite:///{path}")
    assert path.read_bytes() == before


# -- the embedded SQLite database: private, WAL, locks, damage -------------------------------------
def test_a_new_sqlite_database_is_private_and_in_wal_mode(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "folder"
    database = open_database(f"sqlite:///{folder / 'cases.sqlite'}")
    try:
        with database.session() as session:
            CaseRepository(session).add(case_from_dict(minimal_dict()))
            assert session.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert (folder / "cases.sqlite").stat().st_mode & 0o777 == 0o600
        assert (folder / "cases.sqlite-wal").stat().st_mode & 0o777 == 0o600
        assert folder.stat().st_mode & 0o777 == 0o700
    finally:
        database.close()


def _hold_write_lock(path: Path):  # type: ignore[no-untyped-def]
    """Another process that starts writing to the database and keeps it until told to stop."""
    import subprocess
    import sys

    code = ("import sqlite3, sys\n"
            f"c = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
            "c.execute('BEGIN IMMEDIATE')\n"
            "c.execute(\"UPDATE cases SET title = 'held' \")\n"
            "print('holding', flush=True)\n"
            "sys.stdin.read()\n"
            "c.execute('ROLLBACK')\n")
    holder = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    return holder


def test_a_locked_database_waits_then_names_who_holds_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    from sqlalchemy.exc import OperationalError, SQLAlchemyError

    import db.database
    from db.database import DatabaseUnavailable
    from ui.cli import main

    monkeypatch.setattr(db.database, "BUSY_TIMEOUT_MS", 300)
    path = tmp_path / "cases.sqlite"
    url = f"sqlite:///{path}"
    database = open_database(url)
    case_id = _add(database, demo_dict())
    with database.session() as session:
        case = CaseRepository(session).get(case_id)
    holder = _hold_write_lock(path)
    try:
        with database.session() as session:  # reading goes on while someone writes (WAL)
            assert CaseRepository(session).get(case_id) == case
        case.title = "Mine"
        with pytest.raises(DatabaseUnavailable) as raised, database.session() as session:
            CaseRepository(session).save(case)
        message = str(raised.value)
        assert message.startswith(f"The database SQLite {path} is locked: another program kept it busy for "
                                  "more than 0.3 seconds. It is held by process ")
        assert f"process {holder.pid} (python" in message
        # still an SQLAlchemy error for the code that handles those
        assert isinstance(raised.value, OperationalError) and isinstance(raised.value, SQLAlchemyError)
        code = main(["--db", url, "import", str(DEMO)])
        err = capsys.readouterr().err
        assert code == 1 and f"process {holder.pid}" in err and len(err.strip().splitlines()) == 1
    finally:
        assert holder.stdin is not None and holder.stdout is not None
        holder.stdin.close()
        holder.wait()
        holder.stdout.close()
    with database.session() as session:  # once it is let go, saving works and nothing was lost
        CaseRepository(session).save(case)
    with database.session() as session:
        assert CaseRepository(session).get(case_id).title == "Mine"
        assert CaseRepository(session).count() == 1
    database.close()
    assert sys.platform != "linux" or "this program" not in message  # the writer, not every reader


def test_lock_holders_reads_proc_locks(tmp_path: Path) -> None:
    import os

    from db.locks import describe_holders, lock_holders

    path = tmp_path / "x.sqlite"
    path.write_bytes(b"")
    inode = os.stat(path).st_ino
    proc = tmp_path / "proc"
    (proc / "4242").mkdir(parents=True)
    (proc / "4242" / "comm").write_text("pathway-planner\n")
    (proc / "locks").write_text(
        f"1: POSIX  ADVISORY  READ 4343 08:01:{inode} 128 128\n"
        f"2: POSIX  ADVISORY  WRITE 4242 08:01:{inode} 1073741824 1073742335\n"
        f"2: -> POSIX  ADVISORY  WRITE 4444 08:01:{inode} 1073741824 1073742335\n"
        "3: FLOCK  ADVISORY  WRITE 99 08:01:1 0 EOF\n")
    holders = lock_holders(path, proc)
    assert [h.pid for h in holders] == [4242] and holders[0].command == "pathway-planner"
    assert holders[0].describe().startswith("process 4242 (pathway-planner")
    assert "No process on this computer holds it now" in describe_holders(tmp_path / "missing.sqlite")


def test_a_damaged_database_is_left_alone_and_the_latest_backup_offered(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from db.backup import automatic_backup
    from ui.cli import main

    path = tmp_path / "cases.sqlite"
    database = open_database(f"sqlite:///{path}")
    for _ in range(3):
        _add(database, large_case_dict(300))
    database.close()
    backup = automatic_backup(path, "nightly")
    # damage every page after the schema: the file still looks like SQLite
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(2 * page, len(data), page):
        data[offset:offset + 64] = b"\xde\xad\xbe\xef" * 16
    path.write_bytes(bytes(data))
    before = path.read_bytes()
    code = main(["--db", f"sqlite:///{path}", "cases"])
    err = capsys.readouterr().err.strip()
    assert code == 1 and len(err.splitlines()) == 1
    assert "malformed" in err and "The file was left as it is." in err
    assert f"The latest backup is {backup}" in err
    assert f"pathway-planner --db 'sqlite:///{path}' restore '{backup}'" in err  # restores this one
    assert path.read_bytes() == before


def test_a_file_that_is_not_a_database_names_the_latest_backup(tmp_path: Path) -> None:
    from db.backup import automatic_backup

    path = tmp_path / "cases.sqlite"
    open_database(f"sqlite:///{path}").close()
    backup = automatic_backup(path, "nightly")
    path.write_bytes(b"\x00" * 100 + b"not sqlite" * 1000)
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="file is not a database") as raised:
        open_database(f"sqlite:///{path}")
    assert str(backup) in str(raised.value)
    assert path.read_bytes() == before


def test_passwords_are_masked_even_in_broken_urls() -> None:
    assert "s3cret" not in describe("postgresql+psycopg://mdt:s3cret@db.example:notaport/cases")
    with pytest.raises(DatabaseError) as raised:
        open_database("postgresql+psycopg://mdt:s3cret@127.0.0.1:1/cases")  # nothing listens on port 1
    assert "s3cret" not in str(raised.value) and "mdt:***@127.0.0.1:1/cases" in str(raised.value)


def test_plain_postgresql_urls_use_psycopg() -> None:
    from db.database import engine_url

    assert engine_url("postgresql://mdt@db/cases").drivername == "postgresql+psycopg"
    assert engine_url("postgres://mdt@db/cases").drivername == "postgresql+psycopg"
    assert engine_url("sqlite:///x.sqlite").drivername == "sqlite"


def test_a_damaged_database_with_an_old_schema_is_not_migrated(tmp_path: Path) -> None:
    from alembic import command
    from sqlalchemy import create_engine

    from db.migrate import alembic_config

    path = tmp_path / "old.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    command.upgrade(alembic_config(engine), "0003")  # type: ignore[arg-type]
    with engine.begin() as connection:
        for n in range(300):
            connection.exec_driver_sql(
                "INSERT INTO cases (title, row_version, name, conditions, created_at, updated_at) "
                f"VALUES ('Case {n}', 1, 'Person {n}', '[]', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")
    engine.dispose()
    data = bytearray(path.read_bytes())
    for offset in range(3 * 4096, len(data), 4096):  # the cases' pages, not the schema's
        data[offset:offset + 64] = b"\xde\xad\xbe\xef" * 16
    path.write_bytes(bytes(data))
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="left as it is"):  # whichever read finds the damage first
        open_database(f"sqlite:///{path}")
    assert path.read_bytes() == before


def test_the_case_list_carries_the_findings_counts_as_last_saved(database, demo_case) -> None:  # type: ignore[no-untyped-def]
    from planner.analysis import analyse
    from planner.model import Annotation

    with database.session() as session:
        case_id = CaseRepository(session).add(demo_case)
    with database.session() as session:
        (summary,) = CaseRepository(session).summaries()
    assert summary.findings == analyse(demo_case).key.counts() and summary.findings[0] == 5
    with database.session() as session:
        case = CaseRepository(session).get(case_id)
    case.annotations = [*case.annotations, *(Annotation(rule=f.rule, status="set_aside", steps=list(f.steps),
                                                        comment="Not ours")
                                             for f in analyse(case).report.findings if f.rule == "M03")]
    with database.session() as session:
        CaseRepository(session).save(case)
        (summary,) = CaseRepository(session).summaries()
    assert summary.findings is not None and summary.findings[1] == analyse(demo_case).key.counts()[1] - 1
