"""The use-case layer (ui.actions) on its own: no Qt, no argparse. Each action is called directly,
as the command line and the window call it, and what it stored, wrote and recorded is read back."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from db import audit
from db.exports import ExportEvent, Rendered
from db.repository import CaseNotFound, CaseRepository
from planner.outputs import OutputRefused
from planner.validation import CaseFileError
from tests.conftest import DEMO, ROOT
from tests.factories import demo_dict
from ui.actions import ActionError, backups, cases, importing, outputs, printing
from ui.actions import database as opening
from ui.actions.outputs import BY_NAME, OUTPUTS, Privacy, Request


def _history(db) -> list[audit.AuditEvent]:  # type: ignore[no-untyped-def]
    with db.session() as session:
        return audit.history(session)


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


# -- the registry ---------------------------------------------------------------------------------
def test_the_list_of_outputs_is_consistent() -> None:
    names = [o.name for o in OUTPUTS]
    commands = [o.command for o in OUTPUTS]
    shortcuts = [o.shortcut for o in OUTPUTS if o.shortcut]
    assert len(set(names)) == len(names) and len(set(commands)) == len(commands)
    assert len(set(shortcuts)) == len(shortcuts)
    assert {"export-case", "export-fhir", "export-pdf", "export-value-case", "print-plan", "workshop-pack",
            "export-tables"} <= set(commands)
    for output in OUTPUTS:
        assert "&" in output.title and output.title.endswith("…"), output.name  # an access key, a dialog
        assert output.help and output.noun and output.file_type.suffix.startswith("."), output.name
    assert BY_NAME["workshop-pack"].anonymised_by_default and BY_NAME["workshop-summary"].anonymised_by_default
    assert not BY_NAME["fhir"].anonymised_by_default and BY_NAME["fhir"].privacy.chosen
    assert not BY_NAME["case-file"].privacy.chosen and not BY_NAME["tables"].anonymised_by_default


def test_the_use_case_layer_imports_neither_qt_nor_argparse(tmp_path: Path) -> None:
    """No module of ui.actions imports Qt or argparse (import-linter checks the chains too); and
    importing every action and making an export leaves Qt unloaded."""
    from tests.test_architecture import _imports

    modules = sorted((ROOT / "ui" / "actions").glob("*.py"))
    assert len(modules) >= 8
    for module in modules:
        assert not _imports(module) & {"PySide6", "shiboken6", "argparse"}, module.name
    script = f"""
import sys
from ui.actions import backups, cases, database, exporting, importing, outputs, printing, tables
from ui.actions.database import opened
with opened("sqlite:///{tmp_path / 'x.sqlite'}") as db:
    case_id = database.add_demo(db, summary="test")
    case = cases.load_case(db, str(case_id))
    outputs.export(outputs.BY_NAME["tables"], db, "{tmp_path / 'out.xlsx'}",
                   lambda: outputs.Request([case]), overwrite=False)
print(sorted(m for m in ("PySide6", "shiboken6") if m in sys.modules))
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"
    assert (tmp_path / "out.xlsx").exists()


# -- database and cases ---------------------------------------------------------------------------
def test_the_demo_is_added_once(tmp_path: Path) -> None:
    with opening.opened(f"sqlite:///{tmp_path / 'cases.sqlite'}") as db:
        case_id = opening.add_demo(db, summary="added by a test")
        with pytest.raises(opening.DemoAlreadyThere, match=f"already in this database \\(case {case_id}"):
            opening.add_demo(db, summary="added again")
        with db.session() as session:
            assert CaseRepository(session).count() == 1
        assert [(e.action, e.summary) for e in _history(db)] == [("created", "added by a test")]


def test_a_case_is_found_by_id_or_title_and_a_near_title_is_suggested(demo_database) -> None:  # type: ignore[no-untyped-def]
    case_id = demo_database.demo_id
    assert cases.find_case_id(demo_database, str(case_id)) == case_id
    assert cases.find_case_id(demo_database, "Mrs Smith, Torbay") == case_id
    with pytest.raises(CaseNotFound) as missing:
        cases.find_case_id(demo_database, "mrs smyth torbay")
    assert str(missing.value) == ("No case has the id or title 'mrs smyth torbay'. "
                                  "Did you mean “Mrs Smith, Torbay”?")
    with pytest.raises(CaseNotFound) as unknown:
        cases.find_case_id(demo_database, "Nobody")
    assert str(unknown.value) == "No case has the id or title 'Nobody'."
    with pytest.raises(cases.CaseNamedTwice, match=f"case {case_id} is named more than once"):
        cases.load_cases(demo_database, [str(case_id), "Mrs Smith, Torbay"])


def test_suggestions_are_the_closest_titles_first() -> None:
    titles = ["Mrs Smith, Torbay", "Mr Jones, Leeds", "Mrs Smithson, Exeter", "Ada Brown"]
    assert cases.suggestions("Mrs Smith Torbay", titles)[0] == "Mrs Smith, Torbay"
    assert cases.suggestions("smith", titles) == ["Mrs Smith, Torbay", "Mrs Smithson, Exeter"]
    assert cases.suggestions("jnes", titles) == ["Mr Jones, Leeds"]
    assert cases.suggestions("Zebedee", titles) == [] and cases.suggestions("  ", titles) == []
    assert len(cases.suggestions("m", ["m1", "m2", "m3", "m4", "m5"])) == cases.SUGGESTIONS
    line = cases.not_found("Smith", titles)
    assert "\n" not in line and line.endswith("Did you mean “Mrs Smith, Torbay”, “Mrs Smithson, Exeter”?")


def test_deleting_restoring_and_emptying_are_recorded(demo_database) -> None:  # type: ignore[no-untyped-def]
    case_id = demo_database.demo_id
    cases.delete_case(demo_database, case_id)
    cases.restore_case(demo_database, case_id)
    cases.delete_case(demo_database, case_id)
    assert cases.empty_deleted(demo_database) == 1
    assert [e.action for e in _history(demo_database)][:4] == ["purged", "deleted", "restored", "deleted"]
    with pytest.raises(CaseNotFound):
        cases.find_case_id(demo_database, str(case_id))


# -- importing ------------------------------------------------------------------------------------
def test_a_case_file_is_read_then_stored_as_imported(database) -> None:  # type: ignore[no-untyped-def]
    read = importing.read_import(DEMO)
    assert read.kind == "case-file" and read.what == "case file" and read.report is None
    with database.session() as session:
        assert CaseRepository(session).count() == 0  # reading stores nothing
    case_id = importing.store_import(database, read)
    event = _history(database)[0]
    assert event.case_id == case_id and event.action == "imported"
    assert event.summary == f"Imported from the case file {DEMO.name}"
    assert event.details == {"format": "case-file", "file": str(DEMO)}


def test_an_invalid_case_file_is_refused_and_nothing_is_stored(database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = demo_dict()
    data["steps"][0]["end"] = "1900-01-01"
    bad = tmp_path / "bad.case.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CaseFileError) as refused:
        importing.import_file(database, bad)
    assert refused.value.count >= 1 and "$.steps[0].end" in str(refused.value)
    with database.session() as session:
        assert CaseRepository(session).count() == 0
    assert _history(database) == []


def test_a_fhir_bundle_exported_by_one_action_imports_by_another(demo_database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "bundle.json"
    case = cases.load_case(demo_database, str(demo_database.demo_id))
    outputs.export(BY_NAME["fhir"], demo_database, out, lambda: Request([case]), overwrite=False)
    case_id, read = importing.import_file(demo_database, out, years=0)
    assert read.kind == "fhir" and read.report is not None and case_id != demo_database.demo_id
    assert read.case.person.name == case.person.name
    assert _history(demo_database)[0].details == {"format": "fhir", "file": str(out)}


# -- exporting ------------------------------------------------------------------------------------
def _fake_plan(plan, case_id) -> Rendered:  # type: ignore[no-untyped-def]
    """A stand-in for Qt's drawing of the printed plan: the action only passes it through."""
    return Rendered(b"%PDF-1.4 " + plan.name.encode() * 40, ExportEvent([case_id], "pdf",
                    what=printing.print_what(plan)), 2)


@pytest.mark.parametrize("output", OUTPUTS, ids=lambda o: o.name)
def test_every_output_is_recorded_then_written_privately(demo_database, tmp_path: Path, output) -> None:  # type: ignore[no-untyped-def]
    case = cases.load_case(demo_database, str(demo_database.demo_id))
    out = tmp_path / f"out{output.file_type.suffix}"
    written = outputs.export(output, demo_database, out, lambda: Request([case], draw_plan=_fake_plan),
                             overwrite=False)
    assert written.path == out and _mode(out) == 0o600 and out.stat().st_size > 100
    event = _history(demo_database)[0]
    assert event.action == "exported" and event.details is not None and event.details["file"] == str(out)
    assert event.details["anonymised"] is written.anonymised is output.anonymised_by_default
    # a second time: refused without leave to overwrite, nothing recorded
    with pytest.raises(OutputRefused, match="already exists"):
        outputs.export(output, demo_database, out, lambda: Request([case], draw_plan=_fake_plan),
                       overwrite=False)
    assert len(_history(demo_database)) == 2


@pytest.mark.parametrize("output", OUTPUTS, ids=lambda o: o.name)
def test_no_output_replaces_the_database(demo_database, output) -> None:  # type: ignore[no-untyped-def]
    path = demo_database.path
    if path is None:
        pytest.skip("PostgreSQL: no file of ours to protect")
    before = path.read_bytes()
    case = cases.load_case(demo_database, str(demo_database.demo_id))
    rendered: list[object] = []

    def request() -> Request:
        rendered.append(1)
        return Request([case], draw_plan=_fake_plan)

    with pytest.raises(OutputRefused, match="is the database Pathway Planner is using"):
        outputs.export(output, demo_database, path, request, overwrite=True)
    assert rendered == [] and path.read_bytes() == before  # refused before anything was rendered
    assert [e.action for e in _history(demo_database)] == ["created"]


def test_the_care_plan_names_its_version_and_refuses_a_version_not_kept(demo_database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    case = cases.load_case(demo_database, str(demo_database.demo_id))
    written = outputs.export(BY_NAME["care-plan"], demo_database, tmp_path / "plan.pdf",
                             lambda: Request([case], draw_plan=_fake_plan), overwrite=False)
    assert written.note == "Version 2, agreed on 7 May 2024" and written.pages == 2
    assert outputs.outcome(BY_NAME["care-plan"], written, "plan.pdf") == \
        "plan.pdf (2 pages, Version 2, agreed on 7 May 2024)"
    with pytest.raises(printing.NoPlan):
        outputs.export(BY_NAME["care-plan"], demo_database, tmp_path / "old.pdf",
                       lambda: Request([case], options={"version": 99}, draw_plan=_fake_plan), overwrite=False)
    assert not (tmp_path / "old.pdf").exists() and len(_history(demo_database)) == 2
    case.care_plan = None
    with pytest.raises(printing.NoPlan, match="has no care plan"):
        printing.plan_to_print(case)


def test_a_print_is_recorded_with_the_plans_version(demo_database) -> None:  # type: ignore[no-untyped-def]
    case = cases.load_case(demo_database, str(demo_database.demo_id))
    plan = printing.plan_to_print(case)
    printing.record_printed(demo_database, demo_database.demo_id, plan, printer="Ward printer")
    event = _history(demo_database)[0]
    assert event.action == "printed"
    assert event.summary == "Printed the care plan (Version 2, agreed on 7 May 2024) on Ward printer"


def test_the_outcome_line_says_pages_cases_and_privacy() -> None:
    pack = BY_NAME["workshop-pack"]
    written = outputs.Written(Path("/x/pack.pdf"), 7, True, cases=3)
    assert outputs.outcome(pack, written, "pack.pdf") == "pack.pdf (7 pages, 3 cases, anonymised)"
    summary = BY_NAME["workshop-summary"]
    assert outputs.outcome(summary, outputs.Written(Path("s.pdf"), 1, False)) == \
        "s.pdf (1 page, IDENTIFIABLE: contains personal data)"
    assert outputs.outcome(BY_NAME["case-file"], outputs.Written(Path("c.json"), None, False)) == "c.json"
    assert BY_NAME["fhir"].privacy is Privacy.IDENTIFIABLE_UNLESS_ASKED


def test_an_alias_without_anonymising_is_refused(demo_database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    case = cases.load_case(demo_database, str(demo_database.demo_id))
    with pytest.raises(ActionError, match="pseudonym"):
        outputs.export(BY_NAME["fhir"], demo_database, tmp_path / "b.json",
                       lambda: Request([case], alias="Mrs S"), overwrite=False)
    assert not (tmp_path / "b.json").exists()


# -- backups --------------------------------------------------------------------------------------
def test_a_backup_is_made_and_restored(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cases.sqlite'}"
    with opening.opened(url) as db:
        first = opening.add_demo(db, summary="first")
    copy = backups.backup(url, tmp_path / "copy.sqlite")
    assert copy == tmp_path / "copy.sqlite" and _mode(copy) == 0o600
    with pytest.raises(Exception, match="exists"):
        backups.backup(url, copy)  # never replaced
    with opening.opened(url) as db:
        cases.delete_case(db, first)
        assert cases.empty_deleted(db) == 1
    path, result = backups.restore(url, copy)
    assert path == tmp_path / "cases.sqlite" and result.previous is not None and result.previous.exists()
    with opening.opened(url) as db:
        assert cases.find_case_id(db, "Mrs Smith, Torbay") == first


def test_a_postgresql_database_is_backed_up_with_the_servers_tools(tmp_path: Path) -> None:
    with pytest.raises(ActionError, match="pg_dump"):
        backups.backup("postgresql+psycopg://someone@localhost/cases", tmp_path / "x")
    with pytest.raises(ActionError, match="pg_restore"):
        backups.restore("postgresql+psycopg://someone@localhost/cases", tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_a_folder_of_tables_is_not_written_when_its_export_cannot_be_recorded(  # type: ignore[no-untyped-def]
        demo_database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from db.database import DatabaseError
    from db.exports import ExportNotRecorded

    case = cases.load_case(demo_database, str(demo_database.demo_id))

    def unrecordable(*_args: object, **_kwargs: object) -> int:
        raise DatabaseError("The database is read-only.")

    monkeypatch.setattr(audit, "record_export", unrecordable)
    folder = tmp_path / "tables"
    with pytest.raises(ExportNotRecorded, match="could not be recorded"):
        outputs.export(BY_NAME["tables"], demo_database, folder, lambda: Request([case]), overwrite=False)
    assert not folder.exists()  # made for the export, removed with it
    folder.mkdir()
    with pytest.raises(ExportNotRecorded):
        outputs.export(BY_NAME["tables"], demo_database, folder, lambda: Request([case]), overwrite=False)
    assert list(folder.iterdir()) == []  # no file, no temporary file left


def test_a_case_not_found_leaves_no_folder(demo_database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "tables"
    with pytest.raises(CaseNotFound):
        outputs.export(BY_NAME["tables"], demo_database, folder,
                       lambda: Request(cases.load_cases(demo_database, ["Nobody"])), overwrite=False)
    assert not folder.exists() and len(_history(demo_database)) == 1


def test_a_provider_directory_is_read_whole_then_stored(database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from db.directory import DirectoryRepository
    from planner.directory import DirectoryFileError
    from tests.test_directory import ods_line

    path = tmp_path / "epraccur.csv"
    path.write_text("\n".join([ods_line(), ods_line("A81002", "QUEENS PARK MEDICAL CENTRE"),
                               ods_line("A81003", "CLOSED SURGERY", status="C")]) + "\n", encoding="utf-8")
    read = importing.read_directory(path)
    with database.session() as session:
        assert DirectoryRepository(session).count() == 0  # reading stores nothing
    counts = importing.store_directory(database, read)
    assert (counts.added, counts.updated, counts.unchanged) == (len(read.entries), 0, 0) and counts.added >= 2
    again = importing.store_directory(database, importing.read_directory(path))
    assert (again.added, again.unchanged) == (0, counts.added)
    bad = tmp_path / "bad.csv"
    bad.write_text("not,a,directory\n", encoding="utf-8")
    with pytest.raises(DirectoryFileError):
        importing.read_directory(bad)

