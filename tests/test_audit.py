"""The audit trail: what the repository and the commands record, the diff of an edit, who is
recorded, and the case history in the GUI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from db import audit
from db.repository import CaseRepository
from planner import editing
from planner.casefile import case_from_dict, read_case_file
from tests.conftest import DEMO
from tests.factories import demo_dict, minimal_dict
from ui.cli import main


@pytest.fixture(autouse=True)
def _known_user(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every event of these tests is recorded for the login "tester" unless a test names someone."""
    monkeypatch.setattr(audit, "_preferred_name", None)
    monkeypatch.setattr(audit, "_name_source", None)
    monkeypatch.setattr(audit, "os_user", lambda: "tester")


def _add(database, data=None) -> int:  # type: ignore[no-untyped-def]
    with database.session() as session:
        return CaseRepository(session).add(case_from_dict(data or demo_dict()))


def _history(database, case_id=None) -> list[audit.AuditEvent]:  # type: ignore[no-untyped-def]
    with database.session() as session:
        return audit.history(session, case_id)


def test_creating_editing_deleting_and_restoring_are_recorded(database) -> None:  # type: ignore[no-untyped-def]
    case_id = _add(database)
    with database.session() as session:
        repo = CaseRepository(session)
        case = repo.get(case_id)
        case.title = "Mrs Smith, Torbay (MDT)"
        repo.save(case)
        repo.move_to_deleted(case_id)
        repo.restore(case_id)
    events = _history(database, case_id)
    assert [e.action for e in events] == ["restored", "deleted", "edited", "created"]  # newest first
    assert {e.user for e in events} == {"tester"} and all(e.os_user == "tester" for e in events)
    assert all(e.case_title == "Mrs Smith, Torbay (MDT)" for e in events[:3])
    assert events[3].case_title == "Mrs Smith, Torbay"
    assert events[1].summary == "Moved to Deleted cases" and events[0].summary == "Restored from Deleted cases"
    assert events[2].summary == "Edited: title" and events[2].details == {
        "changes": {"fields": ["title"]}, "version": 2}
    assert events[0].at >= events[3].at and events[0].at.tzinfo is not None


def test_an_edit_records_which_fields_and_items_changed(database) -> None:  # type: ignore[no-untyped-def]
    case_id = _add(database)
    with database.session() as session:
        case = CaseRepository(session).get(case_id)
    edited = editing.put(case, "steps", None, {"id": "s25", "kind": "contact", "organisation": "gp",
                                               "start": "2024-07-01", "label": "Check-up"})
    edited.person.area = "Devon"
    edited.steps[2].label = "A new label"
    edited.row_version = case.row_version
    with database.session() as session:
        changes = CaseRepository(session).save(edited)
    assert changes["person"] == ["area"]
    assert changes["steps"]["added"] == ["s25"]
    assert changes["steps"]["changed"] == {case.steps[2].id: ["label"]}
    event = _history(database, case_id)[0]
    assert event.action == "edited" and event.details is not None
    assert event.details["changes"] == json.loads(json.dumps(changes))
    assert "person: area" in event.summary and "steps: 1 added (1 Jul 2024 · Contact), 1 changed (" in event.summary
    assert not re.search(r"\bs\d+\b", event.summary)  # named for people, not by id
    # values are never copied into the audit trail, only names and ids
    assert "Devon" not in json.dumps(event.details) and "A new label" not in event.summary


def test_case_changes_covers_every_part_of_a_case(demo_case) -> None:  # type: ignore[no-untyped-def]
    import copy

    after = copy.deepcopy(demo_case)
    assert audit.case_changes(demo_case, after) == {}
    assert audit.describe_changes({}) == "no changes"
    after.handoffs = after.handoffs[1:]
    after.team.reverse()
    assert after.care_plan is not None and demo_case.care_plan is not None
    after.care_plan.goals[0].status = "achieved"
    after.care_plan.contingency = "Call the coordinator"
    after.annotations = []
    changes = audit.case_changes(demo_case, after)
    first = demo_case.handoffs[0]
    assert changes["handoffs"] == {"removed": ["19 Jan 2024 · Contact → 19 Jan 2024 · Attendance"]}
    assert (first.source, first.target) == ("s6", "s7")
    assert changes["team"] == {"reordered": True}
    assert changes["care_plan"] == {"fields": ["contingency"],
                                    "goals": {"changed": {demo_case.care_plan.goals[0].id: ["status"]}}}
    assert len(changes["annotations"]["removed"]) == len(demo_case.annotations)
    text = audit.describe_changes(changes)
    assert "handoffs: 1 removed" in text and "team: reordered" in text
    assert "care plan: contingency; goals: 1 changed" in text
    after.care_plan = None
    assert audit.case_changes(demo_case, after)["care_plan"] == {"removed": True}


def test_a_large_change_is_listed_compactly(database) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import large_case_dict

    case_id = _add(database, large_case_dict(200))
    with database.session() as session:
        case = CaseRepository(session).get(case_id)
        for step in case.steps:
            step.label = (step.label or "") + "!"
        CaseRepository(session).save(case)
    event = _history(database, case_id)[0]
    assert event.details is not None
    steps = event.details["changes"]["steps"]
    assert len(steps["changed"]) == 50 and steps["changed_more"] == 150
    assert ("steps: 200 changed (1 Jan 2015 · Contact, 4 Jan 2015 · Assessment, 7 Jan 2015 · Review, "
            "10 Jan 2015 · Service, 13 Jan 2015 · Admission and 195 more)") in event.summary


def test_a_failed_save_records_nothing(database) -> None:  # type: ignore[no-untyped-def]
    from db.repository import SaveConflict

    case_id = _add(database)
    with database.session() as session:
        stale = CaseRepository(session).get(case_id)
    with database.session() as session:
        fresh = CaseRepository(session).get(case_id)
        fresh.title = "Theirs"
        CaseRepository(session).save(fresh)
    stale.title = "Mine"
    with pytest.raises(SaveConflict, match=r"changed by someone else \(tester, "), database.session() as session:
        CaseRepository(session).save(stale)
    assert [e.action for e in _history(database, case_id)] == ["edited", "created"]


def test_emptying_deleted_cases_keeps_their_history(database) -> None:  # type: ignore[no-untyped-def]
    case_id = _add(database, minimal_dict(name="Arthur Jones"))
    with database.session() as session:
        repo = CaseRepository(session)
        repo.move_to_deleted(case_id)
        assert repo.empty_deleted() == 1
    events = _history(database, case_id)
    assert [e.action for e in events] == ["purged", "deleted", "created"]
    assert events[0].case_title == "Arthur Jones"


def test_the_name_from_the_preferences_is_recorded(database) -> None:  # type: ignore[no-untyped-def]
    audit.set_user_name("  Ann Coordinator ")
    case_id = _add(database)
    audit.set_user_name("")
    with database.session() as session:
        audit.record_print(session, case_id, what="care plan", printer="Ward printer")
    first, second = reversed(_history(database, case_id))
    assert first.user == "Ann Coordinator" and first.os_user == "tester"
    assert second.user == "tester" and second.summary == "Printed the care plan on Ward printer"
    assert second.details == {"what": "care plan", "anonymised": False, "printer": "Ward printer"}


def test_the_name_source_is_asked_only_when_recording(database) -> None:  # type: ignore[no-untyped-def]
    asked: list[int] = []

    def source() -> str:
        asked.append(1)
        return "From Settings"

    audit.set_user_name_source(source)
    assert asked == []
    case_id = _add(database)
    _add(database)
    assert asked == [1]  # once
    assert _history(database, case_id)[0].user == "From Settings"


def test_exports_record_format_anonymisation_and_file(database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    case_id = _add(database)
    with database.session() as session:
        audit.record_export(session, case_id, format="fhir", file=tmp_path / "smith.json", anonymised=True)
    event = _history(database, case_id)[0]
    assert event.action == "exported"
    assert event.summary == "Exported as FHIR (anonymised) to smith.json"
    assert event.details == {"format": "fhir", "file": str(tmp_path / "smith.json"), "anonymised": True}
    with pytest.raises(ValueError, match="unknown audit action"), database.session() as session:
        audit.record(session, case_id, "frobnicated", "no")


def test_cli_import_export_and_audit(capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path) -> None:
    assert main(["--db", db_url, "import", str(DEMO)]) == 0
    out_file = tmp_path / "out.case.json"
    assert main(["--db", db_url, "export-case", "1", "--out", str(out_file)]) == 0
    capsys.readouterr()
    assert main(["--db", db_url, "audit", "Mrs Smith, Torbay", "--json"]) == 0
    events = json.loads(capsys.readouterr().out)
    assert [e["action"] for e in events] == ["exported", "imported"]
    exported, imported = events
    assert imported["summary"] == "Imported from the case file mrs-smith.case.json"
    assert imported["details"] == {"format": "case-file", "file": str(DEMO)}
    assert exported["details"] == {"format": "case-file", "file": str(out_file), "anonymised": False}
    assert exported["user"] == "tester" and exported["case_id"] == 1 and exported["at"].endswith("Z")
    assert main(["--db", db_url, "audit"]) == 0
    text = capsys.readouterr().out.splitlines()
    assert len(text) == 2 and "exported  #1 Mrs Smith, Torbay  tester (tester@" in text[0]
    assert "Exported as a case file to out.case.json" in text[0]


def test_cli_audit_of_a_case_deleted_for_good(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    from db.database import open_database

    database = open_database(db_url)
    case_id = _add(database)
    with database.session() as session:
        CaseRepository(session).delete(case_id)
    database.close()
    assert main(["--db", db_url, "audit", str(case_id)]) == 0
    assert "purged" in capsys.readouterr().out
    assert main(["--db", db_url, "audit", "99"]) == 1
    assert "No case has the id or title '99'" in capsys.readouterr().err


def test_cli_reads_the_name_from_the_preferences(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    from ui.preferences import set_display_name

    set_display_name("Dr Who")  # as Edit › Preferences does
    audit.set_user_name(None)  # a fresh command-line process knows nothing until it records
    assert main(["--db", db_url, "import", str(DEMO)]) == 0
    capsys.readouterr()
    assert main(["--db", db_url, "audit", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["user"] == "Dr Who"


# -- the GUI -------------------------------------------------------------------------------------
def test_the_case_history_dialog_lists_the_events(window, qtmodeltester, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                                                  tmp_path: Path) -> None:
    from ui.case_history import CaseHistoryDialog

    out = tmp_path / "smith.case.json"
    assert window.export_path(str(out))
    shown: list[CaseHistoryDialog] = []
    monkeypatch.setattr(CaseHistoryDialog, "exec", lambda self: shown.append(self) or 0)
    assert window.history_action.isEnabled()
    window.history_action.trigger()
    dialog = shown[0]
    qtmodeltester.check(dialog.model)
    model = dialog.model
    assert model.rowCount() == 2
    rows = [[model.index(r, c).data() for c in range(4)] for r in range(2)]
    assert rows[0][1:] == ["tester", "Exported", "Exported as a case file to smith.case.json"]
    assert rows[1][1:] == ["tester", "Created", "The demo case, added on first start"]
    assert "Mrs Smith, Torbay" in dialog.windowTitle()


def test_preferences_set_the_recorded_name(window, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from ui.preferences import display_name
    from ui.preferences_dialog import PreferencesDialog

    def fill_in(self: PreferencesDialog) -> int:
        self.name.setText("Ann Coordinator")
        self.accept()
        return 1

    monkeypatch.setattr(PreferencesDialog, "exec", fill_in)
    window.preferences_action.trigger()
    assert display_name() == "Ann Coordinator"
    window.record_print("care plan")
    with window.database.session() as session:
        event = audit.history(session, window.case.id)[0]
    assert event.user == "Ann Coordinator" and event.action == "printed"


def test_gui_import_is_recorded_as_imported(window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    case_id = window.import_path(str(DEMO))
    with window.database.session() as session:
        event = audit.history(session, case_id)[0]
    assert event.action == "imported" and event.details == {"format": "case-file", "file": str(DEMO)}
    assert read_case_file(DEMO).title == event.case_title


def test_gui_prints_and_pdf_and_map_exports_are_recorded(window, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                                                         tmp_path: Path) -> None:
    from PySide6.QtWidgets import QFileDialog

    import ui.print_plan

    monkeypatch.setattr(ui.print_plan, "print_with_preview", lambda parent, plan, save, case_id: True)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / next(names)), ""))
    names = iter(["plan.pdf", "map.svg"])
    window.print_care_plan()
    window.save_care_plan_pdf()
    window.show_tab("pathway-map")
    window.map_tab.map_tab().export_svg_dialog()
    with window.database.session() as session:
        events = audit.history(session, window.case.id)[:3]
    assert [(e.action, e.summary) for e in events] == [
        ("exported", "Exported pathway map as svg to map.svg"),
        ("exported", "Exported care plan (Version 2, agreed on 7 May 2024) as PDF to plan.pdf"),
        ("printed", "Printed the care plan (Version 2, agreed on 7 May 2024)")]  # as the PDF names it
    assert events[1].details == {"format": "pdf", "file": str(tmp_path / "plan.pdf"), "anonymised": False,
                                 "what": "care plan (Version 2, agreed on 7 May 2024)"}


def test_the_command_line_and_the_window_record_the_same_exports(  # type: ignore[no-untyped-def]
        window, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """One set of actions: every output of the one list (ui.actions.outputs), made from the command
    line and from the File menu, is recorded with the same summary and details (but for the file's
    folder); anonymised both ways where it is anonymised by default."""
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from ui.actions.outputs import OUTPUTS, Privacy
    from ui.cli import main
    from ui.workshop_dialog import CaseChooserDialog, WorkshopExportDialog

    url = str(window.database.engine.url)
    # the summary's dialog and the value case's (its subclass) export as soon as they open; so does
    # the pack's, with the open case chosen
    monkeypatch.setattr(WorkshopExportDialog, "exec", lambda self: self.choose_and_export() or 0)
    monkeypatch.setattr(CaseChooserDialog, "exec", lambda self: self.choose_and_export() or 0)

    def press_anonymised(box: QMessageBox) -> int:  # "who is it for?": anonymised, as the CLI's switch
        box.clickedButton = lambda: next(  # type: ignore[method-assign]
            b for b in box.buttons() if b.text().startswith("Anonymised"))
        return 0

    monkeypatch.setattr(QMessageBox, "exec", press_anonymised)
    case_id = str(window.case.id)
    gui, cli = tmp_path / "gui", tmp_path / "cli"
    gui.mkdir()
    cli.mkdir()
    compared = []
    for output in OUTPUTS:
        name = f"{output.name}{output.file_type.suffix}"
        switches = ["--anonymised"] if output.privacy is Privacy.IDENTIFIABLE_UNLESS_ASKED else []
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, _n=name, **k: (str(gui / _n), ""))
        assert window.output_actions[output.name].isEnabled(), output.name
        window.output_actions[output.name].trigger()
        assert (gui / name).exists(), output.name
        assert main(["--db", url, output.command, case_id, *switches, "--out", str(cli / name)]) == 0, name
        capsys.readouterr()
        with window.database.session() as session:
            from_cli, from_gui = audit.history(session, window.case.id)[:2]
        assert from_cli.action == from_gui.action == "exported", name
        assert from_cli.summary == from_gui.summary, name
        assert from_cli.details is not None and from_gui.details is not None
        assert {**from_cli.details, "file": name} == {**from_gui.details, "file": name}, name
        assert from_cli.details["anonymised"] is (output.privacy is not Privacy.IDENTIFIABLE), name
        compared.append(output.command)
    assert compared == [output.command for output in OUTPUTS] and len(compared) >= 7


def test_a_printed_care_plan_is_recorded_with_its_version(window, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Printing (not to a file) is recorded by the one action, naming the version as the PDF does."""
    import ui.print_plan

    monkeypatch.setattr(ui.print_plan, "print_with_preview", lambda parent, plan, save, case_id: True)
    window.print_plan_action.trigger()
    with window.database.session() as session:
        event = audit.history(session, window.case.id)[0]
    assert event.action == "printed" and event.details == {
        "what": "care plan (Version 2, agreed on 7 May 2024)", "anonymised": False}


def test_adding_an_output_is_one_entry_in_the_list(monkeypatch: pytest.MonkeyPatch, qtbot, demo_database,  # type: ignore[no-untyped-def]
                                                   tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A new entry gets its command (with --db, a description, its switches) and its File menu item,
    and both write it the same way, with nothing else changed."""
    from dataclasses import replace

    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from db.exports import ExportEvent, Rendered
    from ui.actions import outputs
    from ui.actions.outputs import BY_NAME, OUTPUTS, Privacy, Request
    from ui.cli import build_parser, main
    from ui.main_window import MainWindow

    def render(request: Request) -> Rendered:
        text = f"{request.case.display_title}: {'anonymised' if request.anonymise else 'named'}"
        return Rendered(text.encode(), ExportEvent([request.case.id], "txt", anonymised=bool(request.anonymise),
                                                   what="note"))

    note = replace(BY_NAME["case-file"], name="note", title="Export &note…", command="export-note",
                   help="write a one-line note about the case", shortcut=None, description=None,
                   render=render, noun="note", privacy=Privacy.ANONYMISED_UNLESS_ASKED,
                   file_type=outputs.FileType("Text files", ".txt", "FILE.txt"), suggested_name=None)
    monkeypatch.setattr(outputs, "OUTPUTS", (*OUTPUTS, note))
    help_text = build_parser()._subparsers._group_actions[0].choices["export-note"].format_help()  # type: ignore[union-attr]
    assert "Write a one-line note about the case." in help_text and "--identifiable" in help_text
    url = str(demo_database.engine.url)
    case_id = str(demo_database.demo_id)
    assert main(["export-note", case_id, "--out", str(tmp_path / "cli.txt"), "--db", url]) == 0
    assert capsys.readouterr().out.strip() == f"{tmp_path / 'cli.txt'} (anonymised)"
    assert (tmp_path / "cli.txt").read_text() == "Mrs Smith, Torbay: anonymised"

    window = MainWindow(demo_database, remember_layout=False)
    qtbot.addWidget(window)
    texts = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert "Export &note…" in texts and window.output_actions["note"].isEnabled()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "gui"), ""))
    monkeypatch.setattr(QMessageBox, "exec", lambda box: 0)  # "who is it for?" closed: its default
    monkeypatch.setattr(QMessageBox, "clickedButton", lambda box: box.defaultButton())
    window.output_actions["note"].trigger()
    assert (tmp_path / "gui.txt").read_text() == "Mrs Smith, Torbay: anonymised"
    with demo_database.session() as session:
        from_gui, from_cli = audit.history(session)[:2]
    assert from_gui.summary == "Exported note as txt (anonymised) to gui.txt"
    assert {**from_gui.details, "file": ""} == {**from_cli.details, "file": ""}
    window.undo_stack.setClean()


def test_the_window_backs_up_and_restores_through_the_actions(window, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                                                               tmp_path: Path) -> None:
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    copy = tmp_path / "copy.sqlite"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(copy), ""))
    assert window.backup_action.isEnabled()
    window.backup_action.trigger()
    assert copy.exists() and copy.stat().st_mode & 0o777 == 0o600
    assert window.statusBar().currentMessage() == f"Backed up the database to {copy}"
    title = window.case.display_title
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.delete_action.trigger()
    window.toggle_deleted(True)
    window.empty_deleted()
    window.toggle_deleted(False)
    assert window.case_model.rowCount() == 0
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(copy), ""))
    window.restore_backup_action.trigger()
    assert window.case_model.rowCount() == 1 and window.case is not None and window.case.display_title == title
    assert "Restored the database from copy.sqlite" in window.statusBar().currentMessage()
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warned.append(text))
    window.backup_action.trigger()  # the same name again: a backup never replaces a file
    assert len(warned) == 1 and "already exists" in warned[0]
