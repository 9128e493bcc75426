"""The main window: case list on the left, the case workspace in the middle, details on the right."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QItemSelectionModel, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from db import audit
from db.database import Database, DatabaseError
from db.repository import CaseRepository, CaseSummary
from planner.model import Case
from ui import theme
from ui.actions import ActionError
from ui.editing import CaseEditor
from ui.findings_tab import FindingsTab
from ui.header import CaseHeader
from ui.models import CaseListModel
from ui.plaintext import literal
from ui.saving import OutputSaver
from ui.tabs import (
    CarePlanTab,
    CaseTab,
    OrganisationsTab,
    PathwayMapPlaceholder,
    PathwayTab,
    PersonTab,
    TeamTab,
)
from ui.widgets import DetailPane
from ui.window import APP_TITLE, backups, case_life, dialogs, exports, imports, menus

if TYPE_CHECKING:
    from planner.analysis import Analysis
    from ui.help import HelpDialog
    from ui.table_export import TableActions

#: The window's opening size on a large screen, and the smallest it can be made (which fits a
#: 1366×768 screen with a taskbar and a title bar).
PREFERRED_SIZE = QSize(1440, 900)
MINIMUM_SIZE = QSize(1200, 640)
#: Room for the window's title bar and frame, which the available geometry does not include.
FRAME_ALLOWANCE = QSize(16, 40)
#: The detail pane is never squeezed narrower than this.
DETAILS_MIN_WIDTH = 260


def fitted_size(wanted: QSize, available: QSize, minimum: QSize = MINIMUM_SIZE) -> QSize:
    """``wanted``, made to fit the screen's ``available`` area with its frame, never below ``minimum``."""
    width = min(wanted.width(), available.width() - FRAME_ALLOWANCE.width())
    height = min(wanted.height(), available.height() - FRAME_ALLOWANCE.height())
    return QSize(max(width, minimum.width()), max(height, minimum.height()))
#: Tab keys for the command line and settings, in tab order.
#: The tabs of a case, in order; each carries its own key (``CaseTab.key``).
TAB_CLASSES: tuple[type[CaseTab], ...] = (PersonTab, PathwayMapPlaceholder, PathwayTab, OrganisationsTab,
                                          TeamTab, CarePlanTab, FindingsTab)
TAB_KEYS = [tab.key for tab in TAB_CLASSES]


class MainWindow(QMainWindow):
    """The case list on the left, the open case's tabs in the middle, the selection's details on the right."""

    # made by the menus (ui.window.menus)
    new_action: QAction
    duplicate_action: QAction
    save_action: QAction
    import_action: QAction
    directory_action: QAction
    delete_action: QAction
    quit_action: QAction
    export_action: QAction
    fhir_export_action: QAction
    plan_pdf_action: QAction
    workshop_action: QAction
    value_case_action: QAction
    pack_action: QAction
    print_plan_action: QAction
    backup_action: QAction
    restore_backup_action: QAction
    undo_action: QAction
    redo_action: QAction
    edit_person_action: QAction
    edit_plan_action: QAction
    preferences_action: QAction
    unit_costs_action: QAction
    deleted_action: QAction
    restore_action: QAction
    empty_deleted_action: QAction
    history_action: QAction
    high_contrast_action: QAction
    guide_action: QAction
    about_action: QAction
    output_actions: dict[str, QAction]
    table_actions: list[TableActions]
    #: the user guide, once opened (ui.window.dialogs.show_guide)
    guide: HelpDialog

    def __init__(self, database: Database, parent: QWidget | None = None, *,
                 remember_layout: bool = True) -> None:
        super().__init__(parent)
        self.database = database
        self.remember_layout = remember_layout
        self.case: Case | None = None
        self._analysis: Analysis | None = None
        #: Edits of the open case, undoable; clean when the case is as saved.
        self.editor = CaseEditor(self, lambda: self.case, self.apply_edit,
                                 choose_from_directory=self._choose_from_directory,
                                 choose_known_person=self._choose_known_person,
                                 tell=lambda text: self.statusBar().showMessage(text, 10000))
        self.undo_stack = self.editor.stack
        self.undo_stack.cleanChanged.connect(lambda clean: self.setWindowModified(not clean))
        from ui.journal import EditJournal

        #: Unsaved edits kept on disk within two seconds, offered back after a crash (ui.journal).
        self.journal = EditJournal(self.undo_stack, lambda: self.case, database.url, database.name, self)
        #: Writes every file made from a case: the target checked, the export recorded, then written.
        self.saver = OutputSaver(self, database)
        from ui.preferences import display_name

        audit.set_user_name(display_name())  # who the case history records: the name in the preferences
        self.showing_deleted = False
        self.setWindowTitle(APP_TITLE)
        self.setMinimumSize(MINIMUM_SIZE)  # fits a 1366×768 laptop's screen, taskbar and title bar
        self.resize(PREFERRED_SIZE)

        # left: the case list
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search cases")
        self.search.setToolTip("Search by the person's name, the case title, the area, an organisation, a "
                               "team member or the NHS number (with or without spaces). Down, then Enter, "
                               "opens the first match.")
        self.search.installEventFilter(self)
        self.search.returnPressed.connect(self.open_first_match)
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search cases")
        self.search.setAccessibleDescription("Type part of a name, title, area or organisation; "
                                             "the case list below shows the matches")
        self.case_model = CaseListModel(self._fetch_cases, self)
        self.case_list = QListView()
        self.case_list.setAlternatingRowColors(True)
        self.case_list.setModel(self.case_model)
        self.case_list.setUniformItemSizes(False)  # a flagged case takes a third line
        self.case_list.setAccessibleName("Cases")
        self.case_list.setAccessibleDescription("Choose a case to open it")
        self.case_count = QLabel()
        theme.mute(self.case_count)
        left = QWidget()
        left.setMinimumWidth(210)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(8, 8, 4, 8)
        heading = QLabel("Cases")
        heading.setBuddy(self.case_list)
        heading.setFont(theme.scaled_font(heading, 1.3, bold=True))
        left_layout.addWidget(heading)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.case_list, 1)
        left_layout.addWidget(self.case_count)

        # middle: the workspace
        self.header = CaseHeader()
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(False)
        self.tabs.setAccessibleName("Case workspace tabs")
        self.map_tab = PathwayMapPlaceholder()
        self.pathway_tab = PathwayTab()
        self.findings_tab = FindingsTab()
        self.findings_tab.unit_costs = self.local_unit_costs()
        self.care_plan_tab = CarePlanTab()
        self.care_plan_tab.print_requested.connect(self.print_care_plan)
        made: dict[type[CaseTab], CaseTab] = {
            type(tab): tab for tab in (self.map_tab, self.pathway_tab, self.findings_tab, self.care_plan_tab)}
        self.case_tabs: list[CaseTab] = [made.get(cls) or cls() for cls in TAB_CLASSES]
        for tab in self.case_tabs:
            self.tabs.addTab(tab, tab.title)
            tab.editor = self.editor
        workspace = QWidget()
        work_layout = QVBoxLayout(workspace)
        work_layout.setContentsMargins(4, 8, 4, 8)
        work_layout.addWidget(self.header)
        work_layout.addWidget(self.tabs, 1)
        self.empty = self._welcome()
        self.centre = QStackedWidget()
        self.centre.addWidget(self.empty)
        self.centre.addWidget(workspace)
        self.workspace = workspace

        # right: details of the selection
        self.details = DetailPane()
        for tab in self.case_tabs:
            for table in tab.tables:
                table.selected.connect(self.details.show_details)
        self.tabs.currentChanged.connect(lambda _i: self.details.clear())
        self.findings_tab.selected.connect(self.details.show_details)
        # one selection across the map, the timeline and the findings
        self.findings_tab.steps_selected.connect(self.pathway_tab.select_steps)
        self.findings_tab.steps_selected.connect(self.map_tab.select_steps)
        self.map_tab.steps_selected.connect(self.pathway_tab.select_steps)
        self.pathway_tab.steps_selected.connect(self.map_tab.select_steps)
        self.map_tab.selected.connect(self.details.show_details)
        self.map_tab.finding_selected.connect(self.open_finding)
        self.map_tab.saver = self.saver
        self.map_tab.exported.connect(
            lambda kind, path: self.statusBar().showMessage(f"Exported the map as {kind} to {path}", 8000))
        self._install_table_actions()
        self.findings_tab.annotations_changed.connect(self.editor.set_annotations)
        self.findings_tab.pin_changed.connect(self.editor.set_pin)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.centre)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.details.setMinimumWidth(DETAILS_MIN_WIDTH)  # the pane stays readable however the splitter moves
        self.details.setAccessibleName("Details of the selection")
        self.splitter.setSizes([240, 900, 300])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

        self._build_menus()
        read_only = " (read-only)" if database.read_only is not None else ""
        self.database_label = QLabel(f"Database: {database.name}{read_only}")
        self.database_label.setToolTip(database.read_only or database.name)
        self.statusBar().addPermanentWidget(self.database_label)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(200)
        self._search_timer.timeout.connect(self._apply_search)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.case_list.selectionModel().currentRowChanged.connect(self._case_row_changed)
        self.case_model.modelReset.connect(self._update_count)
        self.case_model.rowsInserted.connect(self._update_count)

        if remember_layout:
            self._restore_settings()
            self.fit_to_screen()
        self.case_model.refresh()
        self._update_count()
        if self.case_model.rowCount() > 0:
            try:
                self.select_case(self.case_model.summary(0).id)
            except DatabaseError as error:  # e.g. where a damaged database is damaged: the list still shows
                if database.read_only is None:  # (opened read-only, the app says why once shown)
                    QMessageBox.warning(self, "The case cannot be opened", str(error))

    def eventFilter(self, watched: Any, event: Any) -> bool:
        """Down in the search box goes to the first match in the case list (and opens it)."""
        from PySide6.QtCore import QEvent

        if (watched is self.search and event.type() == QEvent.Type.KeyPress
                and event.key() == Qt.Key.Key_Down):
            self._search_timer.stop()
            self._apply_search()  # the list as typed, not as it was 200 ms ago
            if self.case_model.rowCount() > 0:
                self.case_list.setFocus()
                self.case_list.setCurrentIndex(self.case_model.index(0, 0))
            return True
        return super().eventFilter(watched, event)

    def open_first_match(self) -> None:
        """Enter in the search box: open the first case that matches."""
        self._search_timer.stop()
        self._apply_search()
        if self.case_model.rowCount() > 0:
            first = self.case_model.summary(0)
            if self.case is None or self.case.id != first.id:
                self.case_list.setCurrentIndex(self.case_model.index(0, 0))
            self.case_list.setFocus()

    def set_high_contrast(self, on: bool) -> None:
        """View › High contrast: the high-contrast theme now, and whenever the app starts."""
        from PySide6.QtWidgets import QApplication

        from ui.preferences import set_high_contrast

        set_high_contrast(on)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            theme.apply(app, on)
        self.high_contrast_action.setChecked(on)
        self.statusBar().showMessage("High contrast on" if on else "High contrast off", 5000)

    def open_finding(self, rule: str, steps: frozenset[str]) -> bool:
        """Show a finding (from the map's Enter or a marker) in the detail pane and select it in the
        Findings tab, filling the tab first if it has not been shown since the case changed."""
        self.findings_tab.ensure_current()
        return self.findings_tab.select_finding(rule, steps)

    def fit_to_screen(self) -> None:
        """Keep the window inside the screen's available area (a restored size from a larger screen
        included), never smaller than its minimum."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return
        size = fitted_size(self.size(), screen.availableGeometry().size(), self.minimumSize())
        if size != self.size():
            self.resize(size)
        frame = screen.availableGeometry()
        if not frame.contains(self.frameGeometry().topLeft()):
            self.move(frame.topLeft())

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # -- the case list ---------------------------------------------------------------------
    def _fetch_cases(self, search: str, limit: int, offset: int) -> list[CaseSummary]:
        with self.database.snapshot() as session:
            return CaseRepository(session).summaries(search, limit=limit, offset=offset,
                                                     deleted=self.showing_deleted)

    def _apply_search(self) -> None:
        self.case_model.set_search(self.search.text())
        self._update_count()
        if self.case is not None:
            self._highlight(self.case.id)

    def _welcome(self) -> QWidget:
        """What the centre shows with no case open: which to choose, or, on a database with no case
        at all, a welcome with the three ways to start."""
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        self.empty_text = QLabel()
        self.empty_text.setFont(theme.scaled_font(self.empty_text, 1.2))
        theme.mute(self.empty_text)
        self.empty_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_text.setWordWrap(True)
        layout.addWidget(self.empty_text)
        self.welcome_buttons = QWidget()
        row = QHBoxLayout(self.welcome_buttons)
        row.addStretch(1)
        self.demo_button = QPushButton("Add the &Mrs Smith example")
        self.demo_button.setToolTip("A complete worked case, after the King's Fund's story of integrated "
                                    "care in Torbay, to see every part of the app")
        self.demo_button.clicked.connect(self.add_demo)
        import_button = QPushButton("&Import a case file or FHIR bundle…")
        import_button.clicked.connect(lambda: self.import_action.trigger())  # the menus come later
        new_button = QPushButton("Start a &new case")
        new_button.clicked.connect(lambda: self.new_action.trigger())
        for button in (self.demo_button, import_button, new_button):
            row.addWidget(button)
        row.addStretch(1)
        layout.addWidget(self.welcome_buttons)
        layout.addStretch(2)
        return page

    def _show_welcome(self) -> None:
        """The welcome's words and buttons for the list as it is: no case at all, or none chosen."""
        nothing = self.case_model.rowCount() == 0 and not self.search.text().strip()
        welcome = nothing and not self.showing_deleted
        if welcome:
            self.empty_text.setText("Welcome to Pathway Planner.\n\nThis database holds no case yet. Start "
                                    "with the worked example, a case file or FHIR bundle, or a new case.")
        else:
            self.empty_text.setText("No case is open.\n\nChoose a case on the left, or import a case file "
                                    "with File › Import case file… (Ctrl+O).")
        self.welcome_buttons.setVisible(welcome and self.database.read_only is None)

    def add_demo(self) -> None:
        """Add the Mrs Smith example to this database and open it."""
        from ui.actions.database import add_demo

        try:
            case_id = add_demo(self.database, summary="The demo case, added from the welcome")
        except ActionError as error:
            text = str(error)
            QMessageBox.information(self, "Mrs Smith example", literal(text[0].upper() + text[1:]))
            return
        self._after_list_change(select=case_id)
        self.statusBar().showMessage("Added the Mrs Smith example", 5000)

    def _update_count(self) -> None:
        self._show_welcome()
        shown = self.case_model.rowCount()
        more = "+" if self.case_model.canFetchMore() else ""
        text = f"{shown}{more} {'case' if shown == 1 else 'cases'}"
        if self.search.text().strip():
            text += " matches" if shown == 1 and not more else " match"
        self.case_count.setText(text)

    def _case_row_changed(self, current: object, _previous: object) -> None:
        index = self.case_list.currentIndex()
        if index.isValid():
            summary = self.case_model.summary(index.row())
            if self.case is None or summary.id != self.case.id:
                if self.maybe_save():
                    self.open_case(summary.id)
                else:  # stay on the case with unsaved changes
                    QTimer.singleShot(0, lambda: self._highlight(self.case.id if self.case else None))

    def _highlight(self, case_id: int | None) -> None:
        row = self.case_model.row_of(case_id) if case_id is not None else None
        if row is not None:
            index = self.case_model.index(row, 0)
            self.case_list.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def select_case(self, case_id: int) -> None:
        """Open a case and highlight it in the list."""
        self.open_case(case_id)
        self._highlight(case_id)

    def open_case(self, case_id: int) -> None:
        with self.database.snapshot() as session:
            case = CaseRepository(session).get(case_id)
        self.undo_stack.clear()
        self.show_case(case)

    @property
    def analysis(self) -> Analysis | None:
        """Findings and measures of the open case, worked out on first use after it changes."""
        if self._analysis is None and self.case is not None:
            from planner.analysis import analyse  # the engine loads after the window shows

            self._analysis = analyse(self.case)
            self.header.set_case(self.case, self._analysis)
            self._remember_counts(self._analysis)
        return self._analysis

    def _remember_counts(self, analysis: Analysis) -> None:
        """A case stored before its findings counts were kept has them stored once it is opened
        (as saved, not while edited), so the case list shows them."""
        case = self.case
        if case is None or case.id is None or not self.undo_stack.isClean() or self.database.read_only:
            return
        row = self.case_model.row_of(case.id)
        if row is None:
            return
        summary = self.case_model.summary(row)
        counts = analysis.key.counts()
        if summary.findings == counts:
            return
        try:
            with self.database.session() as session:
                CaseRepository(session).remember_counts(case, counts)
        except DatabaseError:
            return  # the counts are a convenience: they wait for the next save
        self.case_model.replace_row(row, dataclasses.replace(summary, findings=counts))

    def show_case(self, case: Case) -> None:
        self.case = case
        self._analysis = None
        self.header.set_case(case)
        for tab in self.case_tabs:
            tab.set_case(case, lambda: self.analysis)
        # findings fill the header once the window has painted, not before
        QTimer.singleShot(0, lambda: self.analysis)
        self.details.clear()
        self.centre.setCurrentWidget(self.workspace)
        deleted = " (deleted)" if self.showing_deleted else ""
        self.setWindowTitle(f"{case.display_title}{deleted}[*] — {APP_TITLE}")
        self._update_actions()

    def apply_edit(self, case: Case) -> None:
        """Show the case as an edit (or its undo) left it, on the same tab."""
        case.row_version = self.case.row_version if self.case else case.row_version
        case.damage = list(self.case.damage) if self.case else case.damage  # still true until reloaded
        self.show_case(case)
        if self.tabs.currentWidget() is self.findings_tab:  # the finding annotated stays in the pane
            self.findings_tab.reshow()

    def show_tab(self, key: str) -> None:
        self.tabs.setCurrentIndex(next(i for i, tab in enumerate(self.case_tabs) if tab.key == key))

    # The window's work beyond showing the list and the case lives in ui/window/, as functions of
    # the window bound here as its methods, grouped by what they own.
    # -- the menus and which actions are enabled (ui.window.menus) -------------------------------------
    _install_table_actions = menus._install_table_actions
    _build_menus = menus._build_menus
    _action = menus._action
    _update_actions = menus._update_actions

    # -- saving and the life of a case (ui.window.case_life) -------------------------------------------
    save = case_life.save
    _resolve_conflict = case_life._resolve_conflict
    maybe_save = case_life.maybe_save
    _add_and_open = case_life._add_and_open
    _open_added = case_life._open_added
    new_case = case_life.new_case
    restore_unsaved = case_life.restore_unsaved
    offer_restore = case_life.offer_restore
    duplicate_case = case_life.duplicate_case
    delete_case = case_life.delete_case
    toggle_deleted = case_life.toggle_deleted
    restore_case = case_life.restore_case
    empty_deleted = case_life.empty_deleted
    _after_list_change = case_life._after_list_change

    # -- case files, FHIR bundles and provider directories in (ui.window.imports) ----------------------
    import_case_file = imports.import_case_file
    import_path = imports.import_path
    show_import_report = imports.show_import_report
    _show_problems = imports._show_problems
    import_directory = imports.import_directory

    # -- the outputs of a case, printing and recording them (ui.window.exports) ------------------------
    export_output = exports.export_output
    export_output_to = exports.export_output_to
    export_case_file = exports.export_case_file
    export_fhir_bundle = exports.export_fhir_bundle
    export_fhir_path = exports.export_fhir_path
    export_path = exports.export_path
    export_workshop_summary = exports.export_workshop_summary
    export_value_case = exports.export_value_case
    workshop_pack = exports.workshop_pack
    _printable_plan = exports._printable_plan
    print_care_plan = exports.print_care_plan
    save_care_plan_pdf = exports.save_care_plan_pdf
    _record_printed = exports._record_printed
    record_print = exports.record_print
    _record = exports._record

    # -- the dialogs beside the case (ui.window.dialogs) -----------------------------------------------
    _choose_from_directory = dialogs._choose_from_directory
    _choose_known_person = dialogs._choose_known_person
    show_history = dialogs.show_history
    show_preferences = dialogs.show_preferences
    local_unit_costs = dialogs.local_unit_costs
    show_unit_costs = dialogs.show_unit_costs
    show_guide = dialogs.show_guide
    show_about = dialogs.show_about

    # -- backing up and restoring the database (ui.window.backups) -------------------------------------
    back_up = backups.back_up
    restore_backup = backups.restore_backup

    # -- settings --------------------------------------------------------------------------
    def _restore_settings(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        splitter = settings.value("window/splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.maybe_save():
            event.ignore()
            return
        if self.remember_layout:
            settings = QSettings()
            settings.setValue("window/geometry", self.saveGeometry())
            settings.setValue("window/splitter", self.splitter.saveState())
        super().closeEvent(event)
