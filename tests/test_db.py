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
from tests.factories import demo_dict, large_case_dict, minimal_dict


def test_a_new_database_is_migrated_to_head(database) -> None:  # type: ignore[no-untyped-def]
    assert current_revision(database.engine) == HEAD_REVISION


def test_head_constant_matches_alembic() -> None:
    from alembic.script import ScriptDirectory

    from db.migrate import alembic_config

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD_REVISION  # type: ignore[arg-type]


def test_models_and_migrations_do_not_drift(database) -> None:  # type: ignore[no-untyped-def]
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from db.schema import metadata

    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


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
