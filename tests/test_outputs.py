"""Where outputs may be written (issue 12, items 1, 7 and 9): no output replaces the database, its
side files or backups, a device, a folder or an existing file without --force (or the save
dialog's confirmation); every output is private (0600) and atomic; and its audit event is
recorded before it is put in place, so a database that cannot record it gets no file."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from db import audit
from db.database import Database, DatabaseError, open_database
from db.exports import ExportEvent, ExportNotRecorded, Rendered, export_file, protected_paths
from db.repository import CaseRepository
from planner.outputs import OutputError, OutputRefused, output_target, write_atomically
from tests.conftest import ROOT
from ui.cli import main

#: Every command that writes a file from cases, as run on the demo case (id 1).
WRITERS = {
    "export-case": ["export-case", "1"],
    "export-fhir": ["export-fhir", "1"],
    "export-pdf": ["export-pdf", "1", "--identifiable"],
    "print-plan": ["print-plan", "1"],
    "workshop-pack": ["workshop-pack", "1"],
    "screenshot": ["screenshot", "--case", "1", "--tab", "team"],
}


# -- the helper itself (no database, no Qt) --------------------------------------------------------
def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_written_atomically_and_privately(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    assert write_atomically(b"first", out) == out.resolve()
    assert out.read_bytes() == b"first" and _mode(out) == 0o600
    with pytest.raises(OutputRefused, match=r"^Refused: .*out.json already exists; choose another name\.$"):
        write_atomically(b"second", out)
    assert out.read_bytes() == b"first"
    out.chmod(0o644)
    write_atomically(b"second", out, overwrite=True)
    assert out.read_bytes() == b"second" and _mode(out) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]  # no temporary file left


def test_a_symbolic_link_is_followed_and_kept(tmp_path: Path) -> None:
    real = tmp_path / "real.pdf"
    real.write_bytes(b"old")
    link = tmp_path / "link.pdf"
    link.symlink_to(real)
    assert write_atomically(b"new", link, overwrite=True) == real.resolve()
    assert link.is_symlink() and real.read_bytes() == b"new"


def test_what_is_not_an_ordinary_file_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    listening = socket.socket(socket.AF_UNIX)
    sock = tmp_path / "sock"
    listening.bind(str(sock))
    try:
        for target, kind in ((tmp_path, "a folder"), (Path(os.devnull), "a device"), (fifo, "a named pipe"),
                             (sock, "a socket")):
            with pytest.raises(OutputRefused, match=f"is {kind}, not an ordinary file"):
                write_atomically(b"x", target, overwrite=True)
    finally:
        listening.close()
    assert stat.S_ISFIFO(fifo.stat().st_mode) and stat.S_ISCHR(Path(os.devnull).stat().st_mode)
    with pytest.raises(OutputError, match=r"the folder .*missing does not exist"):
        write_atomically(b"x", tmp_path / "missing" / "out.pdf")
    with pytest.raises(OutputRefused, match="no file name"):
        write_atomically(b"x", " ")


def test_the_database_its_side_files_and_backups_are_protected_however_named(tmp_path: Path) -> None:
    database = tmp_path / "cases.sqlite"
    database.write_bytes(b"SQLite format 3\x00cases")
    (tmp_path / "backups").mkdir()
    protected = protected_paths(database)
    (tmp_path / "link.json").symlink_to(database)
    os.link(database, tmp_path / "hard.json")
    cases = [("cases.sqlite", "is the database Pathway Planner is using"),
             ("link.json", "is the database Pathway Planner is using"),
             ("hard.json", "is the database Pathway Planner is using"),
             ("cases.sqlite-wal", "is the write-ahead log of the database"),
             ("cases.sqlite-shm", "is the shared-memory index of the database"),
             ("cases.sqlite-journal", "is the rollback journal of the database"),
             ("backups/new.json", "is in the automatic backups folder of the database")]
    for name, why in cases:
        with pytest.raises(OutputRefused, match=why):
            write_atomically(b"export", tmp_path / name, protected, overwrite=True)
    assert database.read_bytes() == b"SQLite format 3\x00cases"
    assert not (tmp_path / "cases.sqlite-wal").exists() and list((tmp_path / "backups").iterdir()) == []
    assert protected_paths(None).files == ()  # PostgreSQL: no file of ours to protect


def test_the_target_is_checked_again_before_the_rename(tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    target = output_target(out)
    with target.stage(b"data") as staged:
        out.mkdir()  # something took its place meanwhile
        with pytest.raises(OutputRefused, match="is a folder"):
            staged.place()
    assert [p.name for p in tmp_path.iterdir()] == ["out.pdf"] and out.is_dir()


# -- the command line --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def _seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("seeded")
    database = open_database(f"sqlite:///{folder / 'cases.sqlite'}")
    from db.database import seed_demo_case

    seed_demo_case(database)
    database.close()
    return folder / "cases.sqlite"


@pytest.fixture
def sqlite_file(_seeded: Path, tmp_path: Path) -> Path:
    """An SQLite database holding the demo case (id 1), for this test only."""
    path = tmp_path / "db" / "cases.sqlite"
    path.parent.mkdir()
    shutil.copy2(_seeded, path)
    return path


def _state(path: Path) -> tuple[bytes, int, int]:
    """The database's bytes, its number of cases and of audit events."""
    database = open_database(f"sqlite:///{path}")
    try:
        with database.session() as session:
            counts = CaseRepository(session).count(), len(audit.history(session))
    finally:
        database.close()
    return path.read_bytes(), *counts


def _run(capsys: pytest.CaptureFixture[str], database: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", f"sqlite:///{database}", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _targets(database: Path) -> dict[str, tuple[Path, str]]:
    """Places --out must refuse, and what the message says."""
    folder = database.parent
    existing = folder / "existing.pdf"
    existing.write_bytes(b"keep me")
    fifo = folder / "fifo"
    os.mkfifo(fifo)
    (folder / "backups").mkdir()
    return {"database": (database, f"Refused: {database} is the database Pathway Planner is using; "
                                   "choose another file."),
            "wal": (Path(f"{database}-wal"), "is the write-ahead log of the database Pathway Planner is using"),
            "backups": (folder / "backups" / "x.pdf", "is in the automatic backups folder"),
            "folder": (folder, "is a folder, not an ordinary file"),
            "device": (Path(os.devnull), "/dev/null is a device, not an ordinary file"),
            "fifo": (fifo, "is a named pipe, not an ordinary file"),
            "existing": (existing, "existing.pdf already exists; add --force to replace it."),
            "missing folder": (folder / "nowhere" / "x.pdf", "the folder " + str(folder / "nowhere")
                               + " does not exist")}


@pytest.mark.parametrize("command", list(WRITERS))
def test_every_writer_refuses_a_bad_out_and_changes_nothing(command: str, capsys: pytest.CaptureFixture[str],
                                                            sqlite_file: Path) -> None:
    targets = _targets(sqlite_file)
    before = _state(sqlite_file)
    assert before[1] == 1
    for name, (target, message) in targets.items():
        code, out, err = _run(capsys, sqlite_file, *WRITERS[command], "--out", str(target))
        assert (code, out) == (1, ""), name
        assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, (name, err)
        assert err.startswith("pathway-planner: ")
    assert _state(sqlite_file) == before
    assert (sqlite_file.parent / "existing.pdf").read_bytes() == b"keep me"
    assert stat.S_ISFIFO((sqlite_file.parent / "fifo").stat().st_mode)
    leftovers = {p.name for p in sqlite_file.parent.iterdir()} - {"cases.sqlite", "existing.pdf", "fifo", "backups"}
    assert leftovers == set()
    assert list((sqlite_file.parent / "backups").iterdir()) == []


@pytest.mark.parametrize("command", list(WRITERS))
def test_force_replaces_an_ordinary_file_privately_and_records_it(command: str, capsys: pytest.CaptureFixture[str],
                                                                  sqlite_file: Path, qapp) -> None:  # type: ignore[no-untyped-def]
    out = sqlite_file.parent / "out.file"
    out.write_bytes(b"old")
    out.chmod(0o644)
    _bytes, cases, events = _state(sqlite_file)
    code, printed, err = _run(capsys, sqlite_file, *WRITERS[command], "--out", str(out), "--force")
    assert code == 0, err
    assert printed.startswith(str(out))
    assert out.read_bytes() != b"old" and out.stat().st_size > 1000 and _mode(out) == 0o600
    assert {p.name for p in sqlite_file.parent.iterdir()} == {"cases.sqlite", "out.file"}
    assert _state(sqlite_file)[1:] == (cases, events + 1)  # the export recorded once
    database = open_database(f"sqlite:///{sqlite_file}")
    try:
        with database.session() as session:
            latest = audit.history(session, 1)[0]
    finally:
        database.close()
    assert latest.action == "exported" and latest.details is not None
    assert latest.details["file"] == str(out.resolve())


def test_outputs_are_private_without_force_too(capsys: pytest.CaptureFixture[str], sqlite_file: Path,
                                               qapp) -> None:  # type: ignore[no-untyped-def]
    for command, args in WRITERS.items():
        out = sqlite_file.parent / f"{command}.out"
        code, _, err = _run(capsys, sqlite_file, *args, "--out", str(out))
        assert code == 0, err
        assert _mode(out) == 0o600, command


def test_backup_uses_the_same_checks(capsys: pytest.CaptureFixture[str], sqlite_file: Path) -> None:
    targets = _targets(sqlite_file)
    before = _state(sqlite_file)
    for name in ("database", "wal", "backups", "folder", "device", "fifo"):
        target, message = targets[name]
        code, _, err = _run(capsys, sqlite_file, "backup", "--out", str(target))
        assert code == 1 and message in err and "Traceback" not in err, (name, err)
    code, _, err = _run(capsys, sqlite_file, "backup", "--out", str(targets["existing"][0]))
    assert code == 1 and "already exists: choose a new file name" in err
    assert _state(sqlite_file) == before


@contextmanager
def _write_lock(path: Path) -> Iterator[None]:
    """Another program holding the database's write lock (readers still read: WAL)."""
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        yield
        holder.execute("ROLLBACK")
    finally:
        holder.close()


@pytest.mark.parametrize("command", list(WRITERS))
def test_a_locked_database_gets_no_file(command: str, capsys: pytest.CaptureFixture[str], sqlite_file: Path,
                                        monkeypatch: pytest.MonkeyPatch, qapp) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("db.database.BUSY_TIMEOUT_MS", 50)  # give up waiting at once
    _bytes, cases, events = _state(sqlite_file)
    out = sqlite_file.parent / "identifiable.out"
    with _write_lock(sqlite_file):
        code, printed, err = _run(capsys, sqlite_file, *WRITERS[command], "--out", str(out))
    assert (code, printed) == (1, "")
    assert f"{out} was not written: the export could not be recorded in the audit trail." in err
    assert "is locked" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not out.exists() and {p.name for p in sqlite_file.parent.iterdir()} == {"cases.sqlite"}
    assert _state(sqlite_file)[1:] == (cases, events)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes to a 0444 file anyway")
def test_a_read_only_database_gets_no_file(capsys: pytest.CaptureFixture[str], sqlite_file: Path) -> None:
    out = sqlite_file.parent / "smith.case.json"
    sqlite_file.chmod(0o444)
    try:
        code, _, err = _run(capsys, sqlite_file, "export-case", "1", "--out", str(out))
    finally:
        sqlite_file.chmod(0o600)
    # refused when the database is opened (it cannot be written, so no export can be recorded)
    assert code == 1 and "read-only" in err and "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize("command", list(WRITERS))
def test_a_database_that_refuses_writes_gets_no_file(command: str, capsys: pytest.CaptureFixture[str],
                                                     sqlite_file: Path, monkeypatch: pytest.MonkeyPatch,
                                                     qapp) -> None:  # type: ignore[no-untyped-def]
    """Every connection read-only (as SQLite answers for a read-only file, even as root)."""
    import db.database

    pragmas = db.database._sqlite_pragmas

    def read_only(connection: sqlite3.Connection, record: object) -> None:
        pragmas(connection, record)
        connection.execute("PRAGMA query_only=ON")

    _bytes, cases, events = _state(sqlite_file)
    monkeypatch.setattr(db.database, "_sqlite_pragmas", read_only)
    out = sqlite_file.parent / "identifiable.out"
    code, printed, err = _run(capsys, sqlite_file, *WRITERS[command], "--out", str(out))
    assert (code, printed) == (1, "")
    assert f"{out} was not written: the export could not be recorded in the audit trail." in err
    assert "readonly database" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not out.exists() and {p.name for p in sqlite_file.parent.iterdir()} == {"cases.sqlite"}
    monkeypatch.setattr(db.database, "_sqlite_pragmas", pragmas)
    assert _state(sqlite_file)[1:] == (cases, events)


def test_a_failed_rename_records_nothing(capsys: pytest.CaptureFixture[str], sqlite_file: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_source: object, _target: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("planner.outputs.os.replace", refuse)
    _bytes, cases, events = _state(sqlite_file)
    out = sqlite_file.parent / "smith.case.json"
    code, _, err = _run(capsys, sqlite_file, "export-case", "1", "--out", str(out))
    assert code == 1 and err.strip() == f"pathway-planner: Cannot write {out}: Permission denied."
    assert not out.exists() and {p.name for p in sqlite_file.parent.iterdir()} == {"cases.sqlite"}
    assert _state(sqlite_file)[1:] == (cases, events)


def test_a_render_error_records_nothing(capsys: pytest.CaptureFixture[str], sqlite_file: Path) -> None:
    _bytes, cases, events = _state(sqlite_file)
    out = sqlite_file.parent / "plan.pdf"
    code, _, err = _run(capsys, sqlite_file, "print-plan", "1", "--version", "99", "--out", str(out))
    assert code == 1 and "99" in err and "Traceback" not in err
    assert not out.exists() and _state(sqlite_file)[1:] == (cases, events)


@pytest.mark.parametrize("command", ["print-plan", "screenshot"])
def test_a_drawing_error_is_one_line_and_records_nothing(command: str, capsys: pytest.CaptureFixture[str],
                                                         sqlite_file: Path, monkeypatch: pytest.MonkeyPatch,
                                                         qapp) -> None:  # type: ignore[no-untyped-def]
    def cannot_draw(*_args: object) -> bytes:
        raise OSError("cannot draw on the printer or file")

    monkeypatch.setattr("ui.print_plan.paint_plan", cannot_draw)
    monkeypatch.setattr("ui.pathway_map.image_bytes", cannot_draw)
    _bytes, cases, events = _state(sqlite_file)
    out = sqlite_file.parent / "out.file"
    code, _, err = _run(capsys, sqlite_file, *WRITERS[command], "--out", str(out))
    assert code == 1 and err == f"pathway-planner: {out} was not written: cannot draw on the printer or file\n"
    assert not out.exists() and _state(sqlite_file)[1:] == (cases, events)


def test_a_failed_commit_removes_the_file_it_placed(sqlite_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    database = open_database(f"sqlite:///{sqlite_file}")
    original = Database.session

    @contextmanager
    def failing_commit(self: Database) -> Iterator[object]:
        with original(self) as session:
            yield session
            raise DatabaseError("The database stopped answering.")  # as a failed commit: rolled back

    monkeypatch.setattr(Database, "session", failing_commit)
    out = sqlite_file.parent / "out.json"
    try:
        with pytest.raises(ExportNotRecorded, match=r"was not written: .* The database stopped answering"):
            export_file(database, out, lambda: Rendered(b"{}", ExportEvent([1], "case-file")), overwrite=False)
        monkeypatch.setattr(Database, "session", original)
        with database.session() as session:
            assert [e.action for e in audit.history(session, 1)] == ["created"]
    finally:
        database.close()
    assert not out.exists() and {p.name for p in sqlite_file.parent.iterdir()} == {"cases.sqlite"}


def test_the_installed_command_refuses_the_database_without_a_traceback(sqlite_file: Path) -> None:
    import subprocess
    import sys

    before = sqlite_file.read_bytes()
    env = {**os.environ, "PATHWAY_PLANNER_DB": f"sqlite:///{sqlite_file}"}
    result = subprocess.run([sys.executable, "-m", "ui.cli", "export-case", "1", "--out", str(sqlite_file)],
                            capture_output=True, text=True, cwd=ROOT, env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "is the database Pathway Planner is using" in result.stderr
    assert sqlite_file.read_bytes() == before


# -- the GUI -------------------------------------------------------------------------------------------
class _Warnings(list[str]):
    def __call__(self, _parent: object, title: str, text: str) -> None:
        self.append(f"{title}: {text}")


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> _Warnings:
    from PySide6.QtWidgets import QMessageBox

    shown = _Warnings()
    monkeypatch.setattr(QMessageBox, "warning", shown)
    return shown


def _choose(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))


def _gui_exports(window, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Each of the main window's file outputs, run through its own action or dialog."""
    from tests.conftest import export_fhir_from
    from ui.workshop_dialog import CaseChooserDialog, WorkshopExportDialog

    def identifiable_fhir() -> None:
        export_fhir_from(window, monkeypatch, "Identifiable")

    monkeypatch.setattr(WorkshopExportDialog, "exec", lambda self: self.choose_and_export() or 0)
    monkeypatch.setattr(CaseChooserDialog, "exec", lambda self: self.choose_and_export() or 0)
    window.show_tab("pathway-map")
    map_tab = window.map_tab.map_tab()
    return {"case file": window.export_action.trigger, "FHIR": identifiable_fhir,
            "care plan PDF": window.plan_pdf_action.trigger, "workshop summary": window.workshop_action.trigger,
            "value case": window.value_case_action.trigger,
            "workshop pack": window.pack_action.trigger, "map PNG": map_tab.export_png_dialog,
            "map SVG": map_tab.export_svg_dialog}


#: The name each output of the window ends in (the app adds it when the name chosen lacks it).
SUFFIXES = {"case file": "json", "FHIR": "json", "care plan PDF": "pdf", "workshop summary": "pdf",
            "value case": "pdf",
            "workshop pack": "pdf", "map PNG": "png", "map SVG": "svg"}


def test_the_window_refuses_the_database_for_every_output(window, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                                                          warnings: _Warnings, tmp_path: Path) -> None:
    path = window.database.path
    assert path is not None
    made = {p.name for p in path.parent.iterdir()} | {f"{path.name}-wal", f"{path.name}-shm"}
    for name, export in _gui_exports(window, monkeypatch).items():
        suffix = SUFFIXES[name]
        database, wal, folder = (tmp_path / f"{what}-{name}.{suffix}" for what in ("database", "wal", "folder"))
        made |= {database.name, wal.name, folder.name}
        database.symlink_to(path)  # the database under a name the app would not complete
        wal.symlink_to(f"{path}-wal")
        folder.mkdir()
        targets = [(database, "is the database Pathway Planner is using"), (wal, "is the write-ahead log"),
                   (folder, "is a folder, not an ordinary file")]
        if suffix == "json":  # the name is taken as chosen
            targets += [(path, "is the database Pathway Planner is using"),
                        (Path(f"{path}-shm"), "is the shared-memory index")]
        for target, why in targets:
            warnings.clear()
            before = path.read_bytes()
            _choose(monkeypatch, target)
            export()  # type: ignore[operator]
            assert len(warnings) == 1 and "Refused: " in warnings[0] and why in warnings[0], (name, warnings)
            assert path.read_bytes() == before, name
    assert {p.name for p in path.parent.iterdir()} <= made  # nothing else written, no temporary file left
    with window.database.session() as session:
        assert CaseRepository(session).count() == 1
        assert [e.action for e in audit.history(session, window.case.id)] == ["created"]


def test_the_window_records_each_output_before_writing_it(window, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                                                          warnings: _Warnings, tmp_path: Path) -> None:
    exports = _gui_exports(window, monkeypatch)
    for number, (name, export) in enumerate(exports.items()):
        out = tmp_path / f"out-{number}"
        _choose(monkeypatch, out)
        export()  # type: ignore[operator]
        written = next(tmp_path.glob(f"out-{number}*"))
        assert _mode(written) == 0o600 and written.stat().st_size > 500, name
        with window.database.session() as session:
            event = audit.history(session, window.case.id)[0]
        assert event.action == "exported" and event.details["file"] == str(written.resolve()), name
    assert warnings == []

    def unrecordable(*_args: object, **_kwargs: object) -> int:
        raise DatabaseError("The database SQLite cases.sqlite is read-only.")

    monkeypatch.setattr(audit, "record_export", unrecordable)
    for name, export in exports.items():
        warnings.clear()
        out = tmp_path / "not-recorded"
        _choose(monkeypatch, out)
        export()  # type: ignore[operator]
        assert len(warnings) == 1 and "not-recorded" in warnings[0], name
        assert "was not written: the export could not be recorded in the audit trail. The database SQLite " \
               "cases.sqlite is read-only." in warnings[0]
        assert list(tmp_path.glob("not-recorded*")) == [] and list(tmp_path.glob(".*")) == [], name


def test_the_window_explains_a_drawing_error(window, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                                            warnings: _Warnings, tmp_path: Path) -> None:
    def cannot_draw(*_args: object) -> bytes:
        raise OSError("Could not make the PNG image.")

    monkeypatch.setattr("ui.pathway_map.image_bytes", cannot_draw)
    export = _gui_exports(window, monkeypatch)["map PNG"]
    _choose(monkeypatch, tmp_path / "map")
    export()  # type: ignore[operator]
    assert warnings == [f"Export failed: {tmp_path / 'map.png'} was not written: Could not make the PNG image."]
    assert not list(tmp_path.glob("map*"))
    with window.database.session() as session:
        assert [e.action for e in audit.history(session, window.case.id)] == ["created"]


def test_printing_to_a_file_is_an_export_like_any_other(window, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                                                        warnings: _Warnings, tmp_path: Path) -> None:
    """"Print to file" from the print preview: the file is checked, private and recorded, not left
    to Qt (which would truncate the database if asked to)."""
    from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
    from PySide6.QtWidgets import QDialog

    chosen: list[Path] = []

    def print_to_file(dialog: QPrintPreviewDialog) -> int:
        printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(chosen[-1]))
        dialog.paintRequested.emit(printer)
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(QPrintPreviewDialog, "exec", print_to_file)
    path = window.database.path
    before = path.read_bytes()
    chosen.append(path)
    window.print_plan_action.trigger()
    assert warnings == [f"Care plan not printed: Refused: {path} is the database Pathway Planner is using; "
                        "choose another file."]
    assert path.read_bytes() == before and window.statusBar().currentMessage() == ""
    chosen.append(tmp_path / "printed.pdf")
    window.print_plan_action.trigger()
    assert _mode(chosen[-1]) == 0o600 and chosen[-1].read_bytes().startswith(b"%PDF")
    with window.database.session() as session:
        events = audit.history(session, window.case.id)
    assert [(e.action, e.summary) for e in events] == [
        ("exported", "Exported care plan (Version 2, agreed on 7 May 2024) as PDF to printed.pdf"), ("created", "The demo case, added on first start")]


def test_a_name_completed_by_the_app_asks_before_replacing(window, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                                                           tmp_path: Path) -> None:
    from PySide6.QtWidgets import QMessageBox

    existing = tmp_path / "mine.pdf"
    existing.write_bytes(b"keep me")
    asked: list[str] = []
    answer = QMessageBox.StandardButton.No

    def question(_parent: object, _title: str, text: str, *_args: object) -> QMessageBox.StandardButton:
        asked.append(text)
        return answer

    monkeypatch.setattr(QMessageBox, "question", question)
    _choose(monkeypatch, tmp_path / "mine")  # the dialog confirmed "mine", not "mine.pdf"
    window.plan_pdf_action.trigger()
    assert asked == ["mine.pdf already exists.\nDo you want to replace it?"]
    assert existing.read_bytes() == b"keep me"
    answer = QMessageBox.StandardButton.Yes
    window.plan_pdf_action.trigger()
    assert existing.read_bytes().startswith(b"%PDF") and _mode(existing) == 0o600


def test_no_save_dialog_turns_off_the_overwrite_question() -> None:
    """Every save dialog is asked for through ui.saving.ask_save_path, which leaves the dialog's
    options alone, so the question before replacing a file is always asked."""
    for path in sorted((ROOT / "ui").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert "DontConfirmOverwrite" not in text, path.name
        if path.name != "saving.py":
            assert "getSaveFileName" not in text, f"{path.name} asks for a file without ui.saving"
    saving = (ROOT / "ui" / "saving.py").read_text(encoding="utf-8")
    assert "QFileDialog.getSaveFileName(parent, title, suggested, filter_text)" in saving


def test_the_shared_export_steps_use_neither_qt_nor_argparse() -> None:
    from tests.test_architecture import _imports

    for module in ("ui/actions/exporting.py", "ui/actions/outputs.py", "db/exports.py", "planner/outputs.py"):
        assert not _imports(ROOT / module) & {"PySide6", "argparse"}, module
