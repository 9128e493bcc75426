"""The regulator-workshop outputs in the GUI: the case summary PDF and the workshop pack.

``WorkshopExportDialog`` shows, before anything is written, what the case summary will hold
(section by section) and what anonymising leaves out; the user chooses anonymised (the default,
with an optional alias) or identifiable (with a warning that stays in view), then a file. The
PDF is built by :mod:`reports.workshop`.

``CaseChooserDialog`` picks several cases for the workshop pack: a searchable list with a tick
box on each case (ticks are kept while searching), and the pack is written by
:mod:`reports.pack`, every case anonymised.

Both write through the saver they are given (the main window's, ui.saving: the target checked,
the export recorded in the case history, then the file put in place) and emit
``exported(path, anonymised)`` once a file is written, for the window's status bar.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from db.exports import Rendered
from planner import describe
from planner.anonymise import pseudonym
from planner.model import Case
from ui import theme
from ui.plaintext import literal, plain_label
from ui.saving import OutputSaver, ask_save_path

if TYPE_CHECKING:
    from db.repository import CaseSummary
    from planner.analysis import Analysis
    from planner.unit_costs import LocalUnitCosts
    from reports.workshop import WorkshopOptions

#: Fetches case summaries: (search text, how many) -> rows, as the case list does.
FetchCases = Callable[[str, int], Sequence["CaseSummary"]]
#: Loads whole cases by id, in the order given.
LoadCases = Callable[[Sequence[int]], list[Case]]


def _name_providers_box() -> QCheckBox:
    """The choice to name small providers in an anonymised output (off: "Care home A")."""
    box = QCheckBox("Name &providers (care homes, home-care agencies, GP practices, voluntary groups)")
    box.setToolTip("Off: they are shown by type and letter (“Care home A”), since a small provider can "
                   "identify the person. NHS trusts, councils and integrated care boards are always named.")
    return box


class WorkshopExportDialog(QDialog):
    """Export the workshop case summary of one case, after a preview of what it will hold."""

    exported = Signal(str, bool)  # path, anonymised
    #: The areas' own unit costs (the main window's, from the database); None: the national defaults.
    unit_costs: LocalUnitCosts | None = None

    def __init__(self, case: Case, analysis: Analysis | None = None, parent: QWidget | None = None, *,
                 save: OutputSaver | None = None) -> None:
        super().__init__(parent)
        self.case = case
        self.analysis = analysis
        #: writes the PDF, its export recorded first (the main window's, which knows the database)
        self.save = save or OutputSaver(self, None)
        self.written: Rendered | None = None
        self.setWindowTitle("Export workshop case summary")
        self.setMinimumWidth(620)
        person = case.person

        self.heading = heading = QLabel("Regulation workshop case summary (PDF)")
        heading.setFont(theme.scaled_font(heading, 1.25, bold=True))
        intro = QLabel(describe.words(
            "A printable summary of {their} case to hand out at the regulation workshop: {their} story, "
            "the pathway map, the organisations and regulators, the team, the care plan, the measures, every "
            "finding with its question, and the timeline.", person))
        intro.setWordWrap(True)

        self.anonymised = QRadioButton("&Anonymised (for the workshop)")
        self.identifiable = QRadioButton("&Identifiable: contains personal data")
        self.anonymised.setChecked(True)
        choice = QButtonGroup(self)
        choice.addButton(self.anonymised)
        choice.addButton(self.identifiable)
        self.alias = QLineEdit()
        self.alias.setPlaceholderText(pseudonym(person))
        self.alias.setClearButtonEnabled(True)
        self.alias.setToolTip("What to call the person in the summary; leave empty for the usual pseudonym")
        self.alias.setMaxLength(60)
        self.called = plain_label(QLabel())
        theme.mute(self.called)
        self.name_providers = _name_providers_box()
        form = QFormLayout()
        form.addRow(describe.words("Call {them}:", person), self.alias)
        form.addRow("", self.called)
        form.addRow("", self.name_providers)

        self.warning = QLabel(describe.words(
            "⚠ This PDF will contain {their} name, NHS number, date of birth, postcode, real dates, the "
            "names and contacts of {their} team and the free-text notes. Share it only with people entitled "
            "to see {their} records, keep it secure, and destroy it after use.", person))
        self.warning.setWordWrap(True)
        theme.style(self.warning, "banner", warning=True)

        self.sections = QTreeWidget()
        self.sections.setAccessibleName("What the summary will hold")
        self.sections.setHeaderLabels(["Section", "What it will hold"])
        self.sections.setRootIsDecorated(False)
        self.sections.setUniformRowHeights(True)
        self.sections.setColumnWidth(0, 210)
        self.sections.setMinimumHeight(230)
        self.left_out = QLabel()
        self.left_out.setWordWrap(True)
        self.left_out.setTextFormat(Qt.TextFormat.RichText)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = QPushButton("&Export PDF…")
        self.export_button.setDefault(True)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.choose_and_export)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(intro)
        choices = QVBoxLayout()
        choices.addWidget(self.anonymised)
        indented = QHBoxLayout()
        indented.addSpacing(24)
        indented.addLayout(form)
        choices.addLayout(indented)
        choices.addWidget(self.identifiable)
        layout.addLayout(choices)
        layout.addWidget(self.warning)
        included = QLabel("What will be included")
        included.setFont(theme.scaled_font(included, 1.0, bold=True))
        layout.addWidget(included)
        layout.addWidget(self.sections, 1)
        layout.addWidget(self.left_out)
        layout.addWidget(buttons)

        self._timer = QTimer(self)  # the preview follows typing once it pauses
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self.refresh)
        self.alias.textChanged.connect(lambda _text: self._timer.start())
        self.anonymised.toggled.connect(lambda _on: self.refresh())
        self.name_providers.toggled.connect(lambda _on: self.refresh())
        self.refresh()

    def reject(self) -> None:
        """Escape or Cancel: a name typed for the person is thrown away only when the user says so."""
        from ui.keyboard import discard_changes

        if self.alias.text().strip() and self.written is None and not discard_changes(self, "Call them"):
            return
        super().reject()

    def options(self) -> WorkshopOptions:
        from reports.workshop import WorkshopOptions

        alias = self.alias.text().strip() or None
        identifiable = self.identifiable.isChecked()
        return WorkshopOptions(identifiable=identifiable, alias=None if identifiable else alias,
                               unit_costs=self.unit_costs,
                               name_providers=not identifiable and self.name_providers.isChecked())

    def refresh(self) -> None:
        """Show what the summary will hold with the options as they are now."""
        from reports.workshop import left_out, preview

        options = self.options()
        identifiable = options.identifiable
        self.alias.setEnabled(not identifiable)
        self.name_providers.setEnabled(not identifiable)
        self.warning.setVisible(identifiable)
        name = pseudonym(self.case.person, options.alias)
        self.called.setText("" if identifiable else f"In the summary: “{name}”")
        self.sections.clear()
        for section, detail in preview(self.case, options, self.analysis):
            item = QTreeWidgetItem([section, detail])
            item.setToolTip(1, literal(detail))
            self.sections.addTopLevelItem(item)
        if identifiable:
            self.left_out.setText("<b>Nothing is left out.</b>")
            self.export_button.setText("&Export identifiable PDF…")
        else:
            items = "".join(f"<li>{html.escape(text)}</li>" for text in left_out(self.case))
            self.left_out.setText(f"<b>Left out or changed:</b><ul style='margin:0'>{items}</ul>")
            self.export_button.setText("&Export PDF…")

    def choose_and_export(self) -> None:
        from reports.workshop import suggested_filename

        options = self.options()
        suggested = str(Path.home() / suggested_filename(self.case, options))
        path = ask_save_path(self, "Save workshop case summary", suggested, "PDF files (*.pdf)", ".pdf")
        if path is not None and self.export_to(path) is not None:
            self.accept()

    #: What the dialog writes, as a failure to write it is told.
    NOT_WRITTEN = "Summary not exported"

    def make_pdf(self) -> Rendered:
        """The PDF, made in memory with the options as they are now."""
        from ui.actions import exporting as exports

        return exports.case_summary(self.case, self.options(), self.analysis)

    def export_to(self, path: str | Path) -> Rendered | None:
        """Write the PDF to ``path``, its export recorded first; a failure is explained and
        nothing is kept."""
        saved = self.save(path, self.make_pdf, self.NOT_WRITTEN)
        if saved is None:
            return None
        written, self.written = saved
        assert self.written.event is not None
        self.exported.emit(str(written), self.written.event.anonymised)
        return self.written


class ValueCaseExportDialog(WorkshopExportDialog):
    """Export the value case: the same choices as the summary (anonymised by default), three sides."""

    SECTIONS = (("Infrastructure", "Who is involved: the organisations, their regulators and payers, "
                                   "with a compact map of who was active when"),
                ("How it works", "{Their} story in a few lines, the handoffs and where they broke"),
                ("Impact", "The key findings with their evidence, cost and question; the measures that "
                           "matter; the cost of care and of the delays, by payer"),
                ("What we ask of the regulators", "The key findings' questions"))

    def __init__(self, case: Case, analysis: Analysis | None = None, parent: QWidget | None = None, *,
                 save: OutputSaver | None = None) -> None:
        super().__init__(case, analysis, parent, save=save)
        self.setWindowTitle("Export value case")
        self.heading.setText("Value case (PDF, at most three sides)")

    def refresh(self) -> None:
        super().refresh()
        self.sections.clear()
        for section, detail in self.SECTIONS:
            words = describe.words(detail, self.case.person)
            item = QTreeWidgetItem([section, words])
            item.setToolTip(1, literal(words))
            self.sections.addTopLevelItem(item)

    def choose_and_export(self) -> None:
        from reports.workshop import suggested_filename

        options = self.options()
        name = suggested_filename(self.case, options).replace("workshop-case-summary-", "value-case-")
        path = ask_save_path(self, "Save value case", str(Path.home() / name), "PDF files (*.pdf)", ".pdf")
        if path is not None and self.export_to(path) is not None:
            self.accept()

    NOT_WRITTEN = "Value case not exported"

    def make_pdf(self) -> Rendered:
        from ui.actions import exporting as exports

        return exports.value_case(self.case, self.options(), self.analysis)


class CaseChooserDialog(QDialog):
    """Choose the cases of a workshop pack, then write it."""

    exported = Signal(str, bool)  # path, anonymised (always)
    #: The areas' own unit costs (the main window's, from the database); None: the national defaults.
    unit_costs: LocalUnitCosts | None = None

    #: Rows fetched for each search: enough to find any case by a word of its title.
    LIMIT = 500

    def __init__(self, fetch: FetchCases, load: LoadCases, preselect: Sequence[int] = (),
                 parent: QWidget | None = None, *, save: OutputSaver | None = None) -> None:
        super().__init__(parent)
        self.fetch = fetch
        self.load = load
        #: writes the pack, each case's export recorded first (the main window's, which knows the database)
        self.save = save or OutputSaver(self, None)
        self.chosen: dict[int, str] = {}
        self.written: Rendered | None = None
        self.setWindowTitle("Workshop pack")
        self.setMinimumSize(560, 520)
        heading = QLabel("Workshop pack: several cases side by side")
        heading.setFont(theme.scaled_font(heading, 1.25, bold=True))
        intro = QLabel("Tick the cases to compare. The pack has a page for each case (anonymised), the rules "
                       "that fired across them, the regulators involved, the measures side by side and the "
                       "questions for the workshop, those raised by the most cases first.")
        intro.setWordWrap(True)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search cases")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search cases")
        self.list = QListWidget()
        self.list.setAccessibleName("Cases: tick those for the pack")
        self.list.setAlternatingRowColors(True)
        self.count = QLabel()
        theme.mute(self.count)
        select_all = QPushButton("Tick all shown")
        select_all.clicked.connect(lambda: self._tick_all(True))
        clear = QPushButton("Clear")
        clear.clicked.connect(lambda: self._tick_all(False))
        row = QHBoxLayout()
        row.addWidget(self.count, 1)
        row.addWidget(select_all)
        row.addWidget(clear)
        note = QLabel("Every case in the pack is anonymised: no names, NHS numbers, dates of birth or "
                      "postcodes; dates are counted from each case's first step.")
        note.setWordWrap(True)
        theme.mute(note)
        self.name_providers = _name_providers_box()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.make_button = QPushButton("&Make pack…")
        self.make_button.setDefault(True)
        buttons.addButton(self.make_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.choose_and_export)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addLayout(row)
        layout.addWidget(note)
        layout.addWidget(self.name_providers)
        layout.addWidget(buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _text: self._timer.start())
        self.list.itemChanged.connect(self._ticked)
        self._preselect = set(preselect)
        self.refresh()
        self.search.setFocus()  # typing searches at once; Tab goes on to the list

    def refresh(self) -> None:
        """The cases matching the search, ticked where chosen."""
        self.list.blockSignals(True)
        self.list.clear()
        for summary in self.fetch(self.search.text(), self.LIMIT):
            if summary.id in self._preselect:
                self.chosen[summary.id] = summary.title
            text = f"{summary.title}  ·  {summary.area or 'area not recorded'}  ·  {summary.steps} steps"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, summary.id)
            item.setData(Qt.ItemDataRole.UserRole + 1, summary.title)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            ticked = summary.id in self.chosen
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self._preselect.clear()
        self.list.blockSignals(False)
        self._update()

    def _ticked(self, item: QListWidgetItem) -> None:
        case_id = int(item.data(Qt.ItemDataRole.UserRole))
        if item.checkState() == Qt.CheckState.Checked:
            self.chosen[case_id] = str(item.data(Qt.ItemDataRole.UserRole + 1))
        else:
            self.chosen.pop(case_id, None)
        self._update()

    def _tick_all(self, on: bool) -> None:
        state = Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        for index in range(self.list.count()):
            self.list.item(index).setCheckState(state)

    def _update(self) -> None:
        count = len(self.chosen)
        self.count.setText(f"{count} case{'s' if count != 1 else ''} chosen")
        self.make_button.setEnabled(count > 0)

    def chosen_ids(self) -> list[int]:
        return list(self.chosen)

    def choose_and_export(self) -> None:
        if not self.chosen:
            return
        suggested = str(Path.home() / f"workshop-pack-{len(self.chosen)}-cases.pdf")
        path = ask_save_path(self, "Save workshop pack", suggested, "PDF files (*.pdf)", ".pdf")
        if path is not None and self.export_to(path) is not None:
            self.accept()

    def export_to(self, path: str | Path) -> Rendered | None:
        """Write the pack of the chosen cases (their saved versions) to ``path``, each case's export
        recorded first; a failure is explained and nothing is kept."""
        from ui.actions import exporting as exports

        ids = self.chosen_ids()
        named = self.name_providers.isChecked()
        saved = self.save(path, lambda: exports.workshop_pack(self.load(ids), self.unit_costs, named),
                          "Pack not made")
        if saved is None:
            return None
        written, self.written = saved
        self.exported.emit(str(written), True)
        return self.written
