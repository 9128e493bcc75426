"""What only PostgreSQL does: row locks held by another workstation, how the server sees us,
someone else's database. (The repository, migrations, command line and optimistic locking run on
PostgreSQL too: every test using ``db_url`` or ``database`` is run on both engines.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from db.database import DatabaseError, DatabaseUnavailable, engine_url, open_database
from db.repository import CaseRepository
from planner.casefile import case_from_dict
from tests.factories import demo_dict


@pytest.fixture
def pg_url(pg_server) -> Iterator[str]:  # type: ignore[no-untyped-def]
    url = pg_server.create()
    yield url
    pg_server.drop(url)


def test_a_row_locked_by_another_workstation_is_reported_not_waited_for_forever(
        pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import db.database

    monkeypatch.setattr(db.database, "PG_LOCK_TIMEOUT_MS", 200)
    database = open_database(pg_url)
    other = create_engine(engine_url(pg_url))
    try:
        with database.session() as session:
            case_id = CaseRepository(session).add(case_from_dict(demo_dict()))
        with database.session() as session:
            case = CaseRepository(session).get(case_id)
        with other.connect() as holder:  # another workstation in the middle of saving the case
            holder.execute(text("UPDATE cases SET title = title WHERE id = :id"), {"id": case_id})
            case.title = "Mine"
            busy = r"is busy: another workstation has kept the same rows locked for more than 0\.2 seconds"
            with pytest.raises(DatabaseUnavailable, match=busy), database.session() as session:
                CaseRepository(session).save(case)
            holder.rollback()
        with database.session() as session:  # then it goes through
            CaseRepository(session).save(case)
        with database.session() as session:
            assert CaseRepository(session).get(case_id).title == "Mine"
    finally:
        other.dispose()
        database.close()


def test_the_server_sees_the_application_by_name(pg_url: str) -> None:
    database = open_database(pg_url)
    try:
        with database.session() as session:
            names = session.execute(text("SELECT application_name FROM pg_stat_activity "
                                         "WHERE pid = pg_backend_pid()")).scalars().all()
        assert names == ["pathway-planner"]
    finally:
        database.close()


def test_someone_elses_postgresql_database_is_refused(pg_server) -> None:  # type: ignore[no-untyped-def]
    url = pg_server.create(migrated=False)
    engine = create_engine(engine_url(url))
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE invoices (id integer)"))
        with pytest.raises(DatabaseError, match="not a Pathway Planner database"):
            open_database(url)
        with engine.connect() as connection:
            tables = connection.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars().all()
        assert tables == ["invoices"]
    finally:
        engine.dispose()
        pg_server.drop(url)


def test_a_wrong_password_is_a_clear_error_without_the_password(pg_url: str) -> None:
    from sqlalchemy.engine import make_url

    wrong = make_url(pg_url).set(password="not-the-password").render_as_string(hide_password=False)
    with pytest.raises(DatabaseError) as raised:
        open_database(wrong)
    message = str(raised.value)
    assert "not-the-password" not in message and "***" in message
    assert "password authentication failed" in message


def test_without_a_server_ci_fails_and_a_workstation_skips(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests import pg

    monkeypatch.delenv(pg.ENV_VAR, raising=False)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true but PostgreSQL is not available"):
        pg.connect()
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="PostgreSQL tests need a server"):
        pg.connect()
