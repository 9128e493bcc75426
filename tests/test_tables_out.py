"""Tables out: `export-tables` (an Excel workbook or a folder of CSV files) read back, and every
table of the window copied (Ctrl+C) and exported from its context menu."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from db import audit
from planner.analysis import analyse
from planner.casefile import read_case_file
from tests.conftest import DEMO
from ui.actions.tables import TABLES, Sheet, case_tables, csv_bytes, xlsx_bytes
from ui.cli import main


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _workbook(path: Path) -> dict[str, list[list[str]]]:
    from openpyxl import load_workbook

    book = load_workbook(path)
    return {sheet.title: [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            for sheet in book.worksheets}


def _csv(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def demo_url(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    url = f"sqlite:///{tmp_path / 'cases.sqlite'}"
    assert _run(capsys, "--db", url, "import", str(DEMO))[0] == 0
    return url


def test_export_tables_writes_a_workbook_with_a_sheet_per_table(demo_url: str, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "mrs-smith.xlsx"
    code, printed, err = _run(capsys, "export-tables", "Mrs Smith, Torbay", "--out", str(out), "--db", demo_url)
    assert code == 0 and err == "" and printed.strip() == f"{out} (7 sheets)"
    assert out.stat().st_mode & 0o777 == 0o600
    sheets = _workbook(out)
    assert list(sheets) == list(TABLES)
    case = read_case_file(DEMO)
    analysis = analyse(case)
    steps = sheets["steps"]
    assert steps[0][:3] == ["Date", "What happened", "Organisation"] and len(steps) == len(case.steps) + 1
    org_names = {org.name for org in case.organisations}
    assert {row[2] for row in steps[1:]} <= org_names  # organisations by name, never by id
    assert [row[0] for row in sheets["organisations"][1:]] == [org.name for org in case.organisations]
    assert [row[0] for row in sheets["team"][1:]] == [member.name for member in case.team]
    assert case.care_plan is not None
    assert [row[0] for row in sheets["goals"][1:]] == [goal.in_my_words for goal in case.care_plan.goals]
    assert [row[0] for row in sheets["actions"][1:]] == [action.description for action in case.care_plan.actions]
    findings = sheets["findings"]
    assert len(findings) == len(analysis.report.findings) + 1
    assert [row[0] for row in findings[1:]] == [f.rule for f in analysis.report.findings]
    assert sheets["measures"][1:] == [list(row) for row in analysis.measures.rows()]
    ids = {step.id for step in case.steps} | {member.id for member in case.team} | {o.id for o in case.organisations}
    cells = {cell for rows in sheets.values() for row in rows for cell in row}
    assert not cells & ids  # no internal id anywhere
    with audit_session(demo_url) as session:
        event = audit.history(session)[0]
    assert event.action == "exported" and event.details == {
        "format": "xlsx", "file": str(out), "anonymised": False, "what": "tables"}


def test_export_tables_to_a_folder_writes_one_csv_each_with_the_same_rows(
        demo_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book, folder = tmp_path / "t.xlsx", tmp_path / "tables"
    assert _run(capsys, "--db", demo_url, "export-tables", "1", "--out", str(book))[0] == 0
    code, printed, _ = _run(capsys, "--db", demo_url, "export-tables", "1", "--out", str(folder))
    assert code == 0 and printed.strip() == f"{folder} (7 CSV files)"
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{name}.csv" for name in TABLES)
    assert folder.stat().st_mode & 0o777 == 0o700
    sheets = _workbook(book)
    for name in TABLES:
        path = folder / f"{name}.csv"
        assert path.stat().st_mode & 0o777 == 0o600, name
        assert _csv(path) == sheets[name], name
    with audit_session(demo_url) as session:
        event = audit.history(session)[0]
    assert event.details == {"format": "csv", "file": str(folder), "anonymised": False, "what": "tables"}
    # again: each file is there already; refused without --force, written with it
    code, _, err = _run(capsys, "--db", demo_url, "export-tables", "1", "--out", str(folder))
    assert code == 1 and "already exists; add --force to replace it" in err
    assert _run(capsys, "--db", demo_url, "export-tables", "1", "--out", str(folder), "--force")[0] == 0


def test_export_tables_never_replaces_the_database(demo_url: str, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    database = tmp_path / "cases.sqlite"
    before = database.read_bytes()
    for out in (database, tmp_path / "cases.sqlite-wal"):
        code, _, err = _run(capsys, "--db", demo_url, "export-tables", "1", "--out", str(out), "--force")
        assert code == 1 and "Refused" in err and "Pathway Planner is using" in err, out
    assert database.read_bytes() == before
    with audit_session(demo_url) as session:
        assert [e.action for e in audit.history(session)] == ["imported"]


def test_cells_that_look_like_formulas_stay_text() -> None:
    from openpyxl import load_workbook

    sheet = Sheet("goals", ["In their words", "Note"], [["=HYPERLINK(\"http://x\")", "+44 1803"], ["fine", "@me"]])
    rows = list(csv.reader(io.StringIO(csv_bytes(sheet).decode("utf-8-sig"))))
    assert rows[1] == ["'=HYPERLINK(\"http://x\")", "'+44 1803"] and rows[2] == ["fine", "'@me"]
    book = load_workbook(io.BytesIO(xlsx_bytes([sheet])))
    cell = book["goals"]["A2"]
    assert cell.value == "=HYPERLINK(\"http://x\")" and cell.data_type == "s"  # text, not a formula


def test_the_tables_of_a_case_without_a_plan_or_findings_are_empty_not_missing(demo_case) -> None:  # type: ignore[no-untyped-def]
    demo_case.care_plan = None
    tables = {sheet.name: sheet for sheet in case_tables(demo_case)}
    assert list(tables) == list(TABLES)
    assert tables["goals"].rows == [] and tables["actions"].rows == [] and tables["goals"].headers


def audit_session(url: str):  # type: ignore[no-untyped-def]
    from contextlib import contextmanager

    from db.database import open_database

    @contextmanager
    def opened():  # type: ignore[no-untyped-def]
        database = open_database(url)
        try:
            with database.session() as session:
                yield session
        finally:
            database.close()

    return opened()


# -- the window's tables ---------------------------------------------------------------------------
def test_every_table_of_the_window_copies_and_exports(window, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                                                      tmp_path: Path) -> None:
    from PySide6.QtCore import QItemSelectionModel, Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QFileDialog

    from ui.table_export import TableActions

    views = [table.view for tab in window.case_tabs for table in tab.tables] + [window.findings_tab.tree]
    assert len(window.table_actions) == len(views) >= 10
    assert [actions.view for actions in window.table_actions] == views
    for view in views:
        assert view.contextMenuPolicy() == Qt.ContextMenuPolicy.CustomContextMenu

    window.show_tab("timeline")
    steps: TableActions = next(a for a in window.table_actions if a.view is window.pathway_tab.steps.view)
    view, model = steps.view, steps.view.model()
    view.selectionModel().setCurrentIndex(model.index(1, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                                          | QItemSelectionModel.SelectionFlag.Rows)
    view.setFocus()
    from PySide6.QtTest import QTest

    QTest.keySequence(view, "Ctrl+C")
    expected = "\t".join(str(model.index(1, c).data() or "") for c in range(model.columnCount())) + "\n"
    assert QGuiApplication.clipboard().text() == expected
    menu = steps.menu()
    assert [a.text() for a in menu.actions()] == ["&Copy", "Export as &CSV…", "Export as &Excel…"]
    assert all(a.isEnabled() for a in menu.actions())

    out = tmp_path / "steps"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    written = steps.export_dialog(excel=False)
    assert written == tmp_path / "steps.csv" and written.stat().st_mode & 0o777 == 0o600
    rows = _csv(written)
    assert rows[0] == [str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(model.columnCount())]
    assert len(rows) == model.rowCount() + 1 and rows[2] == expected.rstrip("\n").split("\t")
    with window.database.session() as session:
        event = audit.history(session, window.case.id)[0]
    assert event.action == "exported" and event.details is not None
    assert event.details["format"] == "csv" and event.details["what"].endswith(" table")

    # the findings tree: every rule and, indented under it, its occurrences
    window.show_tab("findings")
    tree = window.table_actions[-1]
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "findings.xlsx"), ""))
    written = tree.export_dialog(excel=True)
    assert written is not None
    sheet = next(iter(_workbook(written).values()))
    tree_model = tree.view.model()
    top = tree_model.rowCount()
    children = sum(tree_model.rowCount(tree_model.index(r, 0)) for r in range(top))
    assert len(sheet) == 1 + top + children and children > 0
    assert any(row[0].startswith("    ") for row in sheet[1:])
