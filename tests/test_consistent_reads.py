"""Consistent reads while colleagues save, on SQLite and PostgreSQL: a case is loaded from one
snapshot of the database, so a load is never half one saved version and half another, and a case
file exported meanwhile always imports again. Reading is read-only.

The cases here carry their version in every part (the person's name, the title, the id and label of
every step, organisation, team member, goal and action, and how many steps there are), so a load
that mixed two versions shows as more than one version number, and its exported file has links
to steps or organisations that are not in it, which import refuses.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event

from db.database import Database, open_database
from db.repository import CaseRepository, SaveConflict
from planner.casefile import case_from_dict, case_to_dict, read_case_file, write_case_file
from planner.model import Case
from planner.validation import CaseFileError
from ui.cli import main

WRITERS = 3
LOADS = 120
#: every how many loads the reader also runs ``export-case`` and ``import`` through the CLI
CLI_EVERY = 8


def versioned_dict(version: int) -> dict[str, Any]:
    """A valid case in which every part names ``version``; versions differ in their step count."""
    tag = f"-v{version}"
    organisations = [{"id": f"o{j}{tag}", "name": f"Organisation {j}, version {version}",
                      "sector": "primary_care"} for j in range(3)]
    steps = [{"id": f"s{i}{tag}", "kind": "contact", "organisation": f"o{i % 3}{tag}",
              "start": f"2024-01-{i + 1:02d}", "label": f"Step {i}, version {version}"}
             for i in range(4 + version % 3)]
    return {
        "format": "pathway-planner/case", "version": 1,
        "title": f"The case, version {version}",
        "person": {"name": f"Person, version {version}", "area": "Torbay"},
        "organisations": organisations,
        "team": [{"id": f"m{k}{tag}", "name": f"Member {k}, version {version}", "role": "gp",
                  "organisation": f"o0{tag}"} for k in range(2)],
        "coordinator": [{"member": f"m0{tag}", "from": "2024-01-01", "to": None,
                         "reason": f"Named for version {version}"}],
        "steps": steps,
        "handoffs": [{"from": steps[i]["id"], "to": steps[i + 1]["id"], "method": "letter",
                      "notes": f"Handoff {i}, version {version}"} for i in range(len(steps) - 1)],
        "care_plan": {"version": 1, "agreed_on": "2024-02-01", "review_on": "2024-05-01",
                      "contingency": f"Call the surgery (version {version})",
                      "goals": [{"id": f"g0{tag}", "in_my_words": f"Stay at home, version {version}",
                                 "outcome": "At home", "status": "active"}],
                      "actions": [{"id": f"a0{tag}", "goal": f"g0{tag}", "owner": f"m1{tag}",
                                   "description": f"Visit, version {version}", "status": "planned"}]},
        "annotations": [{"rule": "M01", "status": "comment", "steps": [f"s0{tag}"],
                         "comment": f"Seen in version {version}"}],
    }


_VERSION = re.compile(r"(?:version |-v)(\d+)")


def versions_in(case: Case) -> set[int]:
    """Every version number named anywhere in ``case``."""
    text = json.dumps(case_to_dict(case), ensure_ascii=False)
    return {int(number) for number in _VERSION.findall(text)}


def _store(database: Database, version: int) -> int:
    with database.session() as session:
        return CaseRepository(session).add(case_from_dict(versioned_dict(version)))


def _load(database: Database, case_id: int) -> Case:
    with database.snapshot() as session:
        return CaseRepository(session).get(case_id)


def _save_version(database: Database, case_id: int, version: int) -> bool:
    """Save ``version`` over the stored case; False if a colleague saved first."""
    stored = _load(database, case_id)
    case = case_from_dict(versioned_dict(version))
    case.id, case.row_version = case_id, stored.row_version
    try:
        with database.session() as session:
            CaseRepository(session).save(case)
    except SaveConflict:
        return False
    return True


def test_the_versioned_case_is_valid_and_names_its_version() -> None:
    for version in (1, 2, 3):
        case = case_from_dict(versioned_dict(version))
        assert versions_in(case) == {version} and len(case.steps) == 4 + version % 3
    mixed = versioned_dict(1)
    mixed["steps"] = versioned_dict(2)["steps"]
    with pytest.raises(CaseFileError, match="does not name"):  # a torn case is refused on import
        case_from_dict(mixed)


def test_loads_and_exports_while_colleagues_save_are_each_one_version(
        db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """WRITERS colleagues keep saving new versions of one case while a reader loads it LOADS times
    and exports it (through the repository, and every CLI_EVERY loads with ``export-case``)."""
    # the CLI reads the user's name from the GUI's settings (Qt) at the next recorded event, which
    # here may be a colleague's save in another thread: Qt must not start in that thread
    monkeypatch.setattr("ui.cli._preferred_name", lambda: None)
    reader = open_database(db_url)
    colleagues = [open_database(db_url) for _ in range(WRITERS)]
    stop = threading.Event()
    saved = [0] * WRITERS
    failures: list[BaseException] = []

    def colleague(number: int) -> None:
        version = 1000 * (number + 1)
        try:
            while not stop.is_set():
                version += 1
                saved[number] += _save_version(colleagues[number], case_id, version)
        except BaseException as error:  # reported by the test, not lost in the thread
            failures.append(error)

    try:
        case_id = _store(reader, 1)
        threads = [threading.Thread(target=colleague, args=(n,)) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        seen: set[int] = set()
        torn: list[set[int]] = []
        refused: list[str] = []
        try:
            for load in range(LOADS):
                case = _load(reader, case_id)
                versions = versions_in(case)
                seen |= versions
                if len(versions) != 1:
                    torn.append(versions)
                out = tmp_path / f"load-{load}.case.json"
                write_case_file(case, out)
                try:
                    assert read_case_file(out) == case  # the exported file validates and is the case
                except CaseFileError as error:
                    refused.append(str(error).splitlines()[1])
                if load % CLI_EVERY == 0:
                    cli_out = tmp_path / f"cli-{load}.case.json"
                    code = main(["--db", db_url, "export-case", str(case_id), "--out", str(cli_out)])
                    assert code == 0, capsys.readouterr().err
                    code = main(["--db", db_url, "import", str(cli_out)])
                    _out, err = capsys.readouterr()
                    if code != 0:
                        refused.append(f"export-case then import: {err.strip()}")
        finally:
            stop.set()
            for thread in threads:
                thread.join()
        assert not failures, failures
        assert (torn, refused) == ([], []), (
            f"{len(torn)} of {LOADS} loads mixed versions (e.g. {sorted(torn[0]) if torn else '-'}); "
            f"{len(refused)} exported files were refused on import (e.g. {refused[0] if refused else '-'})")
        assert sum(saved) > 0 and len(seen) > 1  # the colleagues really saved while the reader read
    finally:
        reader.close()
        for database in colleagues:
            database.close()


# -- deterministic: a colleague's save lands between two SELECTs of one load ---------------------
@contextmanager
def _save_between_selects(colleague: Database, case_id: int, version: int,
                          reader: Engine | type[Engine] = Engine) -> Iterator[list[str]]:
    """While the block runs, the colleague saves ``version`` (committed) just after the first
    SELECT of the steps table by ``reader`` (an engine, or by default any engine: those the CLI
    opens); yields the statements the reader ran."""
    statements: list[str] = []

    def after(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if conn.engine is colleague.engine:
            return
        statements.append(statement)
        if "FROM steps" in statement and sum("FROM steps" in s for s in statements) == 1:
            assert _save_version(colleague, case_id, version)

    event.listen(reader, "after_cursor_execute", after)
    try:
        yield statements
    finally:
        event.remove(reader, "after_cursor_execute", after)


def test_a_save_between_two_selects_of_a_load_is_not_seen_by_that_load(db_url: str, tmp_path: Path) -> None:
    reader, colleague = open_database(db_url), open_database(db_url)
    try:
        case_id = _store(reader, 1)
        with _save_between_selects(colleague, case_id, 2, reader.engine) as statements:
            case = _load(reader, case_id)
        assert sum("FROM steps" in s for s in statements) == 1  # the colleague saved mid-load
        assert versions_in(case) == {1} and case.row_version == 1
        out = tmp_path / "exported.case.json"
        write_case_file(case, out)
        assert read_case_file(out) == case
        again = _load(reader, case_id)  # the next load sees their save, whole
        assert versions_in(again) == {2} and again.row_version == 2
    finally:
        reader.close()
        colleague.close()


def test_the_workshop_pack_loads_its_cases_from_one_moment(db_url: str) -> None:
    """Two cases loaded together (as the workshop pack does) come from the same moment: a save of
    the second made while the first was being read is not half seen."""
    reader, colleague = open_database(db_url), open_database(db_url)
    try:
        first, second = _store(reader, 1), _store(reader, 1)
        with _save_between_selects(colleague, second, 2, reader.engine) as statements, \
                reader.snapshot() as session:
            repository = CaseRepository(session)
            cases = [repository.get(first), repository.get(second)]
        assert any("FROM steps" in s for s in statements)  # the colleague saved mid-read
        assert [versions_in(case) for case in cases] == [{1}, {1}]
    finally:
        reader.close()
        colleague.close()


def test_export_case_made_while_a_colleague_saves_is_one_version_and_imports(
        db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    colleague = open_database(db_url)
    try:
        case_id = _store(colleague, 1)
        out = tmp_path / "exported.case.json"
        with _save_between_selects(colleague, case_id, 2) as statements:
            code = main(["--db", db_url, "export-case", str(case_id), "--out", str(out)])
        assert code == 0, capsys.readouterr().err
        assert any("FROM steps" in s for s in statements)  # the colleague saved mid-export
        assert versions_in(read_case_file(out)) == {1}
        capsys.readouterr()
        assert main(["--db", db_url, "import", str(out)]) == 0, capsys.readouterr().err
        with _save_between_selects(colleague, case_id, 3) as statements:  # the workshop pack too
            code = main(["--db", db_url, "workshop-pack", str(case_id), "The case, version 1",
                         "--out", str(tmp_path / "pack.pdf")])
        assert code == 0, capsys.readouterr().err
        assert any("FROM steps" in s for s in statements)
        with colleague.snapshot() as session:
            assert versions_in(CaseRepository(session).get(case_id)) == {3}
    finally:
        colleague.close()


def test_the_window_opens_a_case_as_one_version_while_a_colleague_saves(window) -> None:  # type: ignore[no-untyped-def]
    colleague = open_database(window.database.url)
    try:
        case_id = _store(colleague, 1)
        with _save_between_selects(colleague, case_id, 2, window.database.engine) as statements:
            window.select_case(case_id)
        assert any("FROM steps" in s for s in statements)
        assert window.case.id == case_id and versions_in(window.case) == {1}
    finally:
        colleague.close()


def test_a_snapshot_cannot_write(database: Database) -> None:
    from sqlalchemy.exc import DBAPIError

    with pytest.raises(DBAPIError), database.snapshot() as session:
        CaseRepository(session).add(case_from_dict(versioned_dict(1)))
    with database.snapshot() as session:
        assert CaseRepository(session).count() == 0
    with database.session() as session:  # and the connection, back in the pool, writes again
        CaseRepository(session).add(case_from_dict(versioned_dict(1)))
    with database.snapshot() as session:
        assert CaseRepository(session).count() == 1


def test_a_snapshot_of_a_database_held_by_another_program_says_who_and_leaves_nothing_read_only(
        tmp_path: Path) -> None:
    import subprocess
    import sys

    from db.database import DatabaseUnavailable

    path = tmp_path / "cases.sqlite"
    database = open_database(f"sqlite:///{path}")
    holder = None
    try:
        case_id = _store(database, 1)
        database.engine.dispose()  # an exclusive lock in WAL mode needs no one else connected
        holder = subprocess.Popen(
            [sys.executable, "-c", "import sqlite3, sys\n"
             "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
             "c.execute('PRAGMA locking_mode=EXCLUSIVE'); c.execute('BEGIN EXCLUSIVE')\n"
             "c.execute('UPDATE cases SET title = NULL')\n"
             "print('held', flush=True); sys.stdin.readline(); c.execute('ROLLBACK')", str(path)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(DatabaseUnavailable, match=rf"is locked: .* It is held by process {holder.pid} "):
            _load(database, case_id)
        holder.communicate("release\n", timeout=30)
        assert database.engine.pool.checkedin() == 1  # the connection of the failed snapshot, kept
        assert _save_version(database, case_id, 2)  # and it writes again: not left read-only
        assert versions_in(_load(database, case_id)) == {2}
    finally:
        if holder is not None and holder.poll() is None:
            holder.communicate("release\n", timeout=30)
        database.close()
