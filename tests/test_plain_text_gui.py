"""Case text is shown as written everywhere in the GUI (issue 12, item 6).

Every free-text field of a case (and the provider directory's names) is given markup: bold, an image
of a real file and a link. The main window is opened on that case, every tab is visited, every row
selected, the main dialogs and message boxes opened, and what the user would see is checked: the
markup's characters, never bold text, a link or the image. Qt reads a label's, tooltip's or message
box's text as rich text when it merely looks like HTML, so a label is read as Qt reads it: plain, or
parsed as HTML. On Linux the image file is also watched (inotify): nothing may open it.
"""

from __future__ import annotations

import csv
import ctypes
import os
import re
import shutil
import struct
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6 import QtGui
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QGraphicsTextItem,
    QGraphicsView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QTextEdit,
    QWidget,
)

from db import audit
from db.repository import CaseRepository
from planner.casefile import case_from_dict
from planner.validation import validate
from tests.factories import demo_dict
from ui.main_window import TAB_KEYS, MainWindow

LINK = "http://x"
#: The fields of a case file that hold free text (the postcode is too short for markup).
TEXT_KEYS = {"title", "name", "area", "assessed_by", "what_matters", "scope", "label", "notes",
             "service_line", "contract", "contact", "reason", "in_my_words", "outcome", "description",
             "frequency", "contingency", "comment", "organisation_name"}


def payload_for(image: Path) -> str:
    return f'<b>B</b><img src="{image}"><a href="{LINK}">L</a>&amp;'


#: For the few fields too short for the whole payload.
SHORT_PAYLOAD = f'<a href="{LINK}">L</a>&amp;'


def marked_case(payload: str) -> dict[str, Any]:
    """The demo case with the payload after every piece of free text, a team member who left the
    team (with a reason) and a condition."""
    data = demo_dict()
    data["extensions"]["pathway_planner"].setdefault("left_team", []).append(
        {"member": "ot1", "on": "2024-06-01", "reason": "Moved to another team"})

    def mark(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in TEXT_KEYS and isinstance(value, str):
                    node[key] = f"{value} {payload}"
                elif key == "conditions":
                    node[key] = [f"{c} {payload}" for c in value]
                else:
                    mark(value)
        elif isinstance(node, list):
            for item in node:
                mark(item)

    mark(data)
    # a field too short for the payload after its text holds the payload alone, or a shorter one
    for replacement in (payload, SHORT_PAYLOAD):
        for problem in validate(data):
            if problem.message.endswith("is too long") or "characters long; the most is" in problem.message:
                _set_path(data, problem.path, replacement)
    return data


def _set_path(data: Any, path: str, value: str) -> None:
    """Set ``$.steps[1].contract`` in a case file to ``value``."""
    parts = [int(p) if p.isdigit() else p for p in re.findall(r"\w+", path.removeprefix("$"))]
    for part in parts[:-1]:
        data = data[part]
    data[parts[-1]] = value


class FileOpens:
    """Counts the times a file is opened or read, with Linux's inotify (None elsewhere)."""

    IN_ACCESS, IN_OPEN = 0x1, 0x20

    def __init__(self, path: Path) -> None:
        self.fd = -1
        if not sys.platform.startswith("linux"):
            return
        libc = ctypes.CDLL(None, use_errno=True)
        fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if fd >= 0 and libc.inotify_add_watch(fd, os.fsencode(path), self.IN_ACCESS | self.IN_OPEN) >= 0:
            self.fd = fd

    def count(self) -> int | None:
        if self.fd < 0:
            return None
        events = 0
        while True:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                return events
            offset = 0
            while offset < len(data):
                _wd, _mask, _cookie, length = struct.unpack_from("iIII", data, offset)
                offset += 16 + length
                events += 1

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)


def _read_as_qt_does(text: str, text_format: Qt.TextFormat) -> QTextDocument | None:
    """The rich-text document Qt makes of a label's, tooltip's or message box's text, or None
    where Qt shows it as plain text."""
    if text_format == Qt.TextFormat.PlainText:
        return None
    if text_format == Qt.TextFormat.AutoText and not QtGui.Qt.mightBeRichText(text):
        return None
    document = QTextDocument()
    if text_format == Qt.TextFormat.MarkdownText:
        document.setMarkdown(text)
    else:
        document.setHtml(text)
    return document


def _fragments(document: QTextDocument) -> Iterator[Any]:
    block = document.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            yield it.fragment()
            it += 1
        block = block.next()


class Shown:
    """What the user is shown, checked as it is met; ``problems`` says where case text was read
    as markup, ``checked`` counts the places holding case text by kind."""

    def __init__(self, payload: str, image: Path) -> None:
        self.payload = payload
        self.image = str(image)
        self.problems: list[str] = []
        self.checked: Counter[str] = Counter()
        #: Where case text was met (rows of a table together).
        self.places: set[str] = set()
        self._tips: set[str] = set()

    def _fail(self, where: str, why: str) -> None:
        problem = f"{where}: {why}"
        if problem not in self.problems:
            self.problems.append(problem)

    def _met(self, where: str, kind: str) -> None:
        self.checked[kind] += 1
        self.places.add(re.sub(r" row \d+ column \d+", "", where))

    def _literal(self, shown: str) -> bool:
        # the whole payload, or (where a message quotes the value cut short) its link tag as characters:
        # read as markup, neither would be in the text shown
        return self.payload in shown or SHORT_PAYLOAD in shown or f'<a href="{LINK}">' in shown

    def document(self, where: str, document: QTextDocument, kind: str) -> None:
        """A document shown as it is (a text browser's, a text item's): no image or link from case
        text, and the markup's characters where it holds case text."""
        for fragment in _fragments(document):
            char_format = fragment.charFormat()
            if char_format.isImageFormat() and self.image in char_format.toImageFormat().name():
                self._fail(where, "shows the image named in case text")
            if char_format.isAnchor() and LINK in char_format.anchorHref():
                self._fail(where, "makes a link from case text")
        shown = document.toPlainText()
        if LINK in shown or LINK in document.toHtml():
            self._met(where, kind)
            if not self._literal(shown):
                self._fail(where, f"shows {shown[:160]!r}, not the markup's characters")

    def text(self, where: str, text: str, text_format: Qt.TextFormat, kind: str) -> None:
        """A text shown in a label, tooltip or message box with this format."""
        if not text:
            return
        document = _read_as_qt_does(text, text_format)
        if document is not None:
            self.document(where, document, kind)
            if kind == "tooltip" and text not in self._tips:  # shown the way QToolTip shows it
                self._tips.add(text)
                QLabel(text).grab()
        elif LINK in text:
            self._met(where, kind)
            if not self._literal(text):
                self._fail(where, f"shows {text[:160]!r}, not the markup's characters")

    def label(self, where: str, label: QLabel) -> None:
        text = label.text()
        if LINK in text:
            if label.textFormat() in (Qt.TextFormat.RichText, Qt.TextFormat.MarkdownText):
                self._fail(where, f"holds case text in rich text format {label.textFormat()}")
            if label.openExternalLinks() and label.textFormat() != Qt.TextFormat.PlainText:
                self._fail(where, "holds case text and opens external links")
        self.text(where, text, label.textFormat(), "label")

    def model(self, where: str, model: Any) -> None:
        def columns(parent: QModelIndex) -> int:
            try:
                return int(model.columnCount(parent))
            except TypeError:  # a list model's is private
                return 1

        def rows(parent: QModelIndex) -> Iterator[QModelIndex]:
            for row in range(model.rowCount(parent)):
                for column in range(columns(parent)):
                    index = model.index(row, column, parent)
                    yield index
                    if column == 0:
                        yield from rows(index)

        for index in rows(QModelIndex()):
            for role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.WhatsThisRole):
                value = index.data(role)
                if isinstance(value, str):
                    self.text(f"{where} row {index.row()} column {index.column()}", value,
                              Qt.TextFormat.AutoText, "tooltip")
        for section in range(columns(QModelIndex())):
            value = model.headerData(section, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
            if isinstance(value, str):
                self.text(f"{where} header {section}", value, Qt.TextFormat.AutoText, "tooltip")

    def widget(self, root: QWidget) -> None:
        """Everything ``root`` and its children show, after rendering it."""
        root.grab()
        models: set[int] = set()
        for widget in [root, *root.findChildren(QWidget)]:
            parent = widget.parentWidget()
            where = (f"{type(root).__name__} › {type(parent).__name__ if parent else ''} › "
                     f"{type(widget).__name__} {widget.objectName()}")
            for tip in (widget.toolTip(), widget.whatsThis()):
                self.text(where, tip, Qt.TextFormat.AutoText, "tooltip")
            if isinstance(widget, QLabel):
                self.label(where, widget)
            elif isinstance(widget, QTextEdit):
                self.document(where, widget.document(), "document")
                if LINK in widget.toPlainText() and getattr(widget, "openExternalLinks", lambda: False)():
                    self._fail(where, "holds case text and opens external links")
            if isinstance(widget, QAbstractItemView) and id(widget.model()) not in models:
                models.add(id(widget.model()))
                self.model(where, widget.model())
            if isinstance(widget, QGraphicsView) and widget.scene() is not None:
                self.scene(where, widget.scene())

    def scene(self, where: str, scene: Any) -> None:
        for item in scene.items():
            if isinstance(item, QGraphicsTextItem):
                self.document(f"{where} text item", item.document(), "map text")
            self.text(f"{where} {type(item).__name__}", item.toolTip(), Qt.TextFormat.AutoText, "tooltip")
            if hasattr(scene, "tooltip_for"):
                self.text(f"{where} {type(item).__name__} (hover)", scene.tooltip_for(item),
                          Qt.TextFormat.AutoText, "tooltip")

    def assert_met(self, *places: str) -> None:
        """Case text was met in each of these places (parts of the ``where`` of a check)."""
        missing = [place for place in places if not any(place in met for met in self.places)]
        assert not missing, f"no case text met in {missing}; met in:\n" + "\n".join(sorted(self.places))

    def assert_clean(self) -> None:
        """No problems; else the places, grouped (rows of a table together), then the first problems."""
        places = Counter(re.sub(r" row \d+ column \d+|: .*", "", p) for p in self.problems)
        assert not self.problems, (
            f"{len(self.problems)} problems in {len(places)} places:\n"
            + "\n".join(f"{n:4} {place}" for place, n in places.most_common())
            + "\n\nFor example:\n" + "\n".join(self.problems[:20]))


@pytest.fixture
def image() -> Iterator[Path]:
    """A real image, at a short path so that the payload fits most fields."""
    folder = Path(tempfile.mkdtemp(prefix="pp"))
    path = folder / "i.png"
    picture = QImage(8, 8, QImage.Format.Format_RGB32)
    picture.fill(Qt.GlobalColor.red)
    assert picture.save(str(path))
    yield path
    shutil.rmtree(folder)


@pytest.fixture
def shown(image: Path) -> Shown:
    return Shown(payload_for(image), image)


@pytest.fixture
def opens(image: Path) -> Iterator[FileOpens]:
    watcher = FileOpens(image)
    yield watcher
    watcher.close()


@pytest.fixture
def marked_window(qtbot, database, image: Path):  # type: ignore[no-untyped-def]
    """The main window on the marked case; a second copy of it is another case (for the people
    known on other cases), and the case history records a user whose name has markup too."""
    from ui.app import make_app

    payload = payload_for(image)
    make_app()
    audit.set_user_name(f"Nurse {payload}")
    try:
        with database.session() as session:
            repository = CaseRepository(session)
            repository.add(case_from_dict(marked_case(payload)), summary=f"Created {payload}")
            case_id = repository.add(case_from_dict(marked_case(payload)), summary=f"Created {payload}")
    finally:
        audit.set_user_name(None)
    window = MainWindow(database, remember_layout=False)
    window.show()
    qtbot.waitExposed(window)
    window.select_case(case_id)
    yield window
    window.undo_stack.setClean()
    window.close()
    window.deleteLater()


def _visit_every_row(window: MainWindow, shown: Shown) -> None:
    """Select each row of each table of the open tab, checking the detail pane each time."""
    tab = window.tabs.currentWidget()
    for table in getattr(tab, "tables", []):
        for row in range(table.model.rowCount()):
            table.view.selectRow(row)
            shown.widget(window.details)


def test_every_tab_shows_case_text_as_written(marked_window: MainWindow, shown: Shown,
                                              opens: FileOpens) -> None:
    window = marked_window
    assert window.case is not None and LINK in window.case.person.name
    for key in TAB_KEYS:
        window.show_tab(key)
        QApplication.processEvents()
        tab = window.tabs.currentWidget()
        tab.select_first()  # type: ignore[attr-defined]
        if key == "pathway-map":
            _visit_map(window, shown)
        elif key == "findings":
            _visit_findings(window, shown)
        else:
            _visit_every_row(window, shown)
        shown.widget(window)
    reads = opens.count()
    shown.assert_clean()
    assert reads in (0, None), f"the image named in case text was opened or read {reads} times"
    # the places that hold case text were all looked at
    shown.assert_met("CaseHeader › QLabel", "InfoForm › QLabel", "QGroupBox › QLabel", "TeamTab › QLabel",
                     "DetailPane › QLabel", "DetailPane › QTextBrowser", "QListView", "Table › QTableView",
                     "QTreeView", "StepMark (hover)", "HandoffArrow (hover)", "QGraphicsRectItem")
    assert shown.checked["tooltip"] >= 100 and shown.checked["document"] >= 50, shown.checked
    assert window.header.name.text().startswith("Edith Smith <b>B</b><img src=")


def _visit_map(window: MainWindow, shown: Shown) -> None:
    inner: Any = window.map_tab.map_tab()
    for step in window.case.steps:  # type: ignore[union-attr]
        inner._show_details(step.id)  # as a click on its mark does
        shown.widget(window.details)
    for mode in range(inner.lanes.count()):
        inner.lanes.setCurrentIndex(mode)
        QApplication.processEvents()
        shown.widget(inner)


def _visit_findings(window: MainWindow, shown: Shown) -> None:
    tab = window.findings_tab
    model = tab.model
    for group in range(model.rowCount()):
        parent = model.index(group, 0)
        for row in range(model.rowCount(parent)):
            tab.tree.setCurrentIndex(model.index(row, 0, parent))
            shown.widget(window.details)
    _visit_every_row(window, shown)


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch, shown: Shown) -> list[str]:
    """Dialogs and message boxes are checked when opened, then cancelled; returns their names."""
    opened: list[str] = []

    def dialog_exec(dialog: QDialog) -> int:
        opened.append(type(dialog).__name__)
        shown.widget(dialog)
        _exercise(dialog, shown)
        return int(QDialog.DialogCode.Rejected)

    def box_exec(box: QMessageBox) -> int:
        opened.append(f"QMessageBox {box.windowTitle()}")
        shown.widget(box)
        return int(QMessageBox.StandardButton.Cancel)

    def static(name: str, answer: Any) -> Callable[..., Any]:
        def ask(_parent: Any, title: str, text: str, *args: Any, **kwargs: Any) -> Any:
            opened.append(f"QMessageBox.{name} {title}")
            shown.text(f"QMessageBox.{name} {title!r}", text, Qt.TextFormat.AutoText, "message")
            return answer
        return ask

    def ask_text(_parent: Any, title: str, label: str, *args: Any, **kwargs: Any) -> tuple[str, bool]:
        opened.append(f"QInputDialog {title}")
        shown.text(f"QInputDialog {title!r}", label, Qt.TextFormat.AutoText, "message")
        return "", False

    monkeypatch.setattr(QDialog, "exec", dialog_exec)
    monkeypatch.setattr(QMessageBox, "exec", box_exec)
    no = QMessageBox.StandardButton.No
    for name, answer in (("question", no), ("warning", QMessageBox.StandardButton.Ok),
                         ("information", QMessageBox.StandardButton.Ok),
                         ("critical", QMessageBox.StandardButton.Ok)):
        monkeypatch.setattr(QMessageBox, name, static(name, answer))
    monkeypatch.setattr(QInputDialog, "getMultiLineText", ask_text)
    return opened


def _exercise(dialog: QDialog, shown: Shown) -> None:
    """What a user does in a dialog that changes what it shows."""
    from ui.editing import EntityDialog
    from ui.plan_versions import VersionsDialog
    from ui.workshop_dialog import WorkshopExportDialog

    if isinstance(dialog, EntityDialog):
        # a value the checks refuse is quoted back beside its field
        for key, box in dialog.inputs.items():
            if hasattr(box, "setText") and not box.isReadOnly() and key not in ("name", "nhs_number"):
                box.setText(shown.payload)
        dialog.try_accept()
        shown.widget(dialog)
    elif isinstance(dialog, VersionsDialog):
        for row in range(dialog.list.count()):
            dialog.list.setCurrentRow(row)
            for compare in (False, True):
                dialog.compare_button.setChecked(compare)
                shown.widget(dialog)
    elif isinstance(dialog, WorkshopExportDialog):
        dialog.alias.setText(f"Mrs {SHORT_PAYLOAD}")  # the longest alias is 60 characters
        dialog.refresh()
        shown.widget(dialog)


def test_dialogs_and_messages_show_case_text_as_written(marked_window: MainWindow, shown: Shown,
                                                       opens: FileOpens, dialogs: list[str],
                                                       tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from planner.careplan import printable_plan
    from ui.editing import FIELDS
    from ui.print_plan import plan_html, write_pdf

    window = marked_window
    editor = window.editor
    case = window.case
    assert case is not None
    # the provider directory, imported from a file with markup in names and places
    directory_file = tmp_path / "cqc.csv"
    with directory_file.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["Location ID", "Location Name", "Location Post Code", "Location Latest Overall Rating",
                         "Service types", "Location Local Authority"])
        writer.writerow(["1-101", f"Sea View {shown.payload}", "TS1 1AA", "Good", "Residential homes",
                         f"Middlesbrough {shown.payload}"])
        writer.writerow(["1-102", f"Home Helpers {shown.payload}", "TS2 2BB", "Excellent", "Homecare agencies",
                         "Middlesbrough"])
    from ui.directory_dialog import DirectoryImportDialog

    importer = DirectoryImportDialog(window.database, directory_file, window)
    shown.widget(importer)
    importer.import_entries()
    shown.widget(importer)

    editor.edit_person()
    for collection in FIELDS:
        if collection != "coordinator":
            editor.edit(collection, 0)
    editor.edit_plan()
    editor.assign_coordinator()
    editor.member_leaves(case.team[0].id)
    editor.record_sign_off()
    editor.agree_version()
    editor.add_from_directory()
    editor.add_known_person()
    editor.delete("organisations", 0)  # still used by steps: the message names it
    window.care_plan_tab.show_versions()
    window.show_history()
    window.export_workshop_summary()
    window.workshop_pack()
    # the printed plan: the on-screen document and the pages
    plan = printable_plan(case)
    page = QTextDocument()
    page.setHtml(plan_html(plan))
    shown.document("printed plan", page, "document")
    write_pdf(plan, tmp_path / "plan.pdf")
    # the findings: a question and input dialogs naming a finding
    window.show_tab("findings")
    window.findings_tab.select_first()
    window.findings_tab.set_aside()
    window.findings_tab.comment()
    # unsaved edits, then a colleague's save: the conflict names the case
    window.delete_case()
    editor.set_annotations([], "Remove every annotation")
    window.maybe_save()
    with window.database.session() as session:
        theirs = CaseRepository(session).get(case.id)  # type: ignore[arg-type]
        CaseRepository(session).save(theirs)
    window.save()
    # an import report and an import refused, both quoting the file's text
    from planner.fhir import write_fhir_file

    bundle = tmp_path / "bundle.json"
    write_fhir_file(window.case, bundle)  # type: ignore[arg-type]
    window.undo_stack.setClean()
    window.import_path(str(bundle), years=0)
    bad = marked_case(shown.payload)
    bad["organisations"][0]["sector"] = shown.payload
    bad_file = tmp_path / "bad.case.json"
    import json

    bad_file.write_text(json.dumps(bad), encoding="utf-8")
    window.import_path(str(bad_file))
    # an error in an event handler, whose message quotes case text
    from ui.app import install_error_reporting

    monkeypatch.setattr(sys, "excepthook", lambda *a: None)
    install_error_reporting()
    sys.excepthook(ValueError, ValueError(f"no such organisation {shown.payload}"), None)

    reads = opens.count()
    shown.assert_clean()
    assert reads in (0, None), f"the image named in case text was opened or read {reads} times"
    for name in ("EntityDialog", "VersionsDialog", "CaseHistoryDialog", "DirectoryBrowser", "PeopleBrowser",
                 "WorkshopExportDialog", "CaseChooserDialog", "QMessageBox Someone else saved this case",
                 "QMessageBox FHIR import report", "QMessageBox Case file not imported",
                 "QMessageBox.warning Cannot delete", "QMessageBox.question Delete case",
                 "QMessageBox.question Unsaved changes", "QMessageBox.critical Something went wrong",
                 "TextDialog"):
        assert name in dialogs, (name, dialogs)
    shown.assert_met("EntityDialog › QWidget › QLabel", "VersionsDialog › QWidget › QTextBrowser",
                     "CaseHistoryDialog › CaseHistoryDialog › QTableView", "DirectoryBrowser › DirectoryBrowser",
                     "DirectoryImportDialog › Table", "PeopleBrowser › PeopleBrowser › QTableView",
                     "WorkshopExportDialog › WorkshopExportDialog › QTreeWidget",
                     "WorkshopExportDialog › WorkshopExportDialog › QLabel", "qt_msgbox_label",
                     "qt_msgbox_informativelabel", "QMessageBox.question 'Delete case'",
                     "QMessageBox.question 'Unsaved changes'", "QMessageBox.critical 'Something went wrong'",
                     "printed plan")


# -- the helpers -----------------------------------------------------------------------------------

def test_a_plain_label_shows_markup_as_written(qapp) -> None:  # type: ignore[no-untyped-def]
    from ui.plaintext import plain_label

    label = plain_label(QLabel())
    label.setText('<b>B</b><a href="http://x">L</a>')
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert _read_as_qt_does(label.text(), label.textFormat()) is None


@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp"),
                             exclude_characters="\xa0"), max_size=80)
       | st.from_regex(r"\A[ab<>&;/=\"' \n]{0,40}\Z")
       | st.sampled_from(["<b>B</b>", "x < y", "Tom & Jerry", "&lt;b&gt;", "a\n<i>b</i>", "  two  spaces ",
                         "<b>B</b>\nnext line", "<i>x</i>  two  spaces", '<img src="/etc/hostname">']))
def test_literal_text_shows_exactly_as_written(qapp, text: str) -> None:  # type: ignore[no-untyped-def]
    """Read as Qt reads a tooltip or a message box, the text shows exactly as written; text Qt
    shows as plain anyway is left as it is."""
    from ui.plaintext import literal

    shown = literal(text)
    document = _read_as_qt_does(shown, Qt.TextFormat.AutoText)
    if document is None:
        assert shown == text
    else:
        assert QtGui.Qt.mightBeRichText(text)
        assert document.toPlainText() == text
        assert not any(f.charFormat().isAnchor() or f.charFormat().isImageFormat() for f in _fragments(document))
