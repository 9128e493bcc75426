"""The main window: case list on the left, the case workspace in the middle, details on the right."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QItemSelectionModel, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
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
from db.repository import CaseRepository, CaseSummary, SaveConflict
from planner import __version__
from planner.casefile import case_from_dict
from planner.model import Case, Person
from planner.validation import MAX_SHOWN, CaseFileError
from ui import theme
from ui.actions import ActionError, outputs
from ui.actions import cases as case_actions
from ui.actions.outputs import Output, Request
from ui.editing import CaseEditor

if TYPE_CHECKING:
    from planner.analysis import Analysis
    from planner.fhir.report import ImportReport
    from planner.unit_costs import LocalUnitCosts
from ui.findings_tab import FindingsTab
from ui.header import CaseHeader
from ui.models import CaseListModel
from ui.plaintext import literal
from ui.saving import OutputSaver, ask_save_path
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

APP_TITLE = "Pathway Planner"
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

    def _install_table_actions(self) -> None:
        """Every table and the findings tree: Ctrl+C copies the selected rows, and a context menu
        exports the table as CSV or Excel (ui.table_export), written through the saver."""
        from ui.table_export import install, named

        saver = lambda: self.saver  # noqa: E731
        case_id = lambda: self.case.id if self.case is not None else None  # noqa: E731
        self.table_actions = []
        for tab in self.case_tabs:
            for number, table in enumerate(tab.tables, start=1):
                title = tab.title.replace("&&", "&")
                fallback = title if len(tab.tables) == 1 else f"{title} {number}"
                self.table_actions.append(install(table.view, named(table.view, fallback), saver, case_id))
        tree = self.findings_tab.tree
        self.table_actions.append(install(tree, named(tree, self.findings_tab.title), saver, case_id))

    # -- menus -----------------------------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.new_action = self._action("&New case", QKeySequence.StandardKey.New, self.new_case)
        self.duplicate_action = self._action("D&uplicate case", QKeySequence("Ctrl+Shift+D"),
                                             self.duplicate_case)
        self.save_action = self._action("&Save", QKeySequence.StandardKey.Save, self.save)
        self.import_action = self._action("&Import case file…", QKeySequence.StandardKey.Open,
                                          self.import_case_file)
        self.directory_action = self._action("Import provider di&rectory…", QKeySequence(),
                                             self.import_directory)
        self.delete_action = self._action("De&lete case…", QKeySequence("Ctrl+Shift+Del"), self.delete_case)
        self.quit_action = self._action("&Quit", QKeySequence("Ctrl+Q"), self.close)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        file_menu.addActions([self.new_action, self.duplicate_action, self.save_action])
        file_menu.addSeparator()
        file_menu.addActions([self.import_action, self.directory_action])
        file_menu.addSeparator()
        # the export items, from the one list of outputs that also builds the command line's commands
        self.output_actions: dict[str, QAction] = {}
        for output in outputs.OUTPUTS:
            action = self._action(output.title, QKeySequence(output.shortcut or ""),
                                  lambda _c=False, o=output: self.export_output(o))
            action.setStatusTip(output.help[0].upper() + output.help[1:])
            self.output_actions[output.name] = action
            file_menu.addAction(action)
        self.export_action = self.output_actions["case-file"]
        self.fhir_export_action = self.output_actions["fhir"]
        self.plan_pdf_action = self.output_actions["care-plan"]
        self.workshop_action = self.output_actions["workshop-summary"]
        self.value_case_action = self.output_actions["value-case"]
        self.pack_action = self.output_actions["workshop-pack"]
        file_menu.addSeparator()
        self.print_plan_action = self._action("&Print care plan…", QKeySequence.StandardKey.Print,
                                              self.print_care_plan)
        file_menu.addAction(self.print_plan_action)
        file_menu.addSeparator()
        self.backup_action = self._action("&Back up database…", QKeySequence(), self.back_up)
        self.restore_backup_action = self._action("Rest&ore from backup…", QKeySequence(),
                                                  self.restore_backup)
        file_menu.addActions([self.backup_action, self.restore_backup_action])
        file_menu.addSeparator()
        file_menu.addAction(self.delete_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        edit_menu = self.menuBar().addMenu("&Edit")
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence("Ctrl+Z"))
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for action in (self.undo_action, self.redo_action):
            self.addAction(action)
        edit_menu.addActions([self.undo_action, self.redo_action])
        edit_menu.addSeparator()
        self.edit_person_action = self._action("Edit &person…", QKeySequence("Ctrl+Shift+P"),
                                               self.editor.edit_person)
        self.edit_plan_action = self._action("Edit care pl&an details…", QKeySequence("Ctrl+Shift+L"),
                                             self.editor.edit_plan)
        edit_menu.addActions([self.edit_person_action, self.edit_plan_action])
        edit_menu.addSeparator()
        self.preferences_action = self._action("Pre&ferences…", QKeySequence.StandardKey.Preferences,
                                               self.show_preferences)
        self.preferences_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        edit_menu.addAction(self.preferences_action)
        self.unit_costs_action = self._action("Unit &costs…", QKeySequence(), self.show_unit_costs)
        edit_menu.addAction(self.unit_costs_action)

        view_menu = self.menuBar().addMenu("&View")
        find = self._action("&Find case", QKeySequence.StandardKey.Find, self._focus_search)
        view_menu.addAction(find)
        self.deleted_action = self._action("&Deleted cases", QKeySequence(), self.toggle_deleted)
        self.deleted_action.setCheckable(True)
        self.restore_action = self._action("&Restore case", QKeySequence(), self.restore_case)
        self.empty_deleted_action = self._action("&Empty deleted cases…", QKeySequence(), self.empty_deleted)
        view_menu.addActions([self.deleted_action, self.restore_action, self.empty_deleted_action])
        self.history_action = self._action("Case &history…", QKeySequence("Ctrl+Shift+H"), self.show_history)
        view_menu.addAction(self.history_action)
        view_menu.addSeparator()
        self.high_contrast_action = self._action("Hi&gh contrast", QKeySequence(), self.set_high_contrast)
        self.high_contrast_action.setCheckable(True)
        self.high_contrast_action.setChecked(theme.is_high_contrast())
        self.high_contrast_action.setToolTip("Black on white with a strong selection; kept for next time")
        view_menu.addAction(self.high_contrast_action)
        view_menu.addSeparator()
        for number, tab in enumerate(self.case_tabs, start=1):
            action = self._action(tab.title, QKeySequence(f"Ctrl+{number}"),
                                  lambda _c=False, i=number - 1: self.tabs.setCurrentIndex(i))
            view_menu.addAction(action)

        help_menu = self.menuBar().addMenu("&Help")
        self.guide_action = self._action("&User guide", QKeySequence.StandardKey.HelpContents,
                                         self.show_guide)
        self.about_action = self._action("&About Pathway Planner", QKeySequence(), self.show_about)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        help_menu.addActions([self.guide_action, self.about_action])
        self._update_actions()

    def _action(self, text: str, shortcut: QKeySequence | QKeySequence.StandardKey, slot: object) -> QAction:
        action = QAction(text, self)
        action.setShortcut(shortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _update_actions(self) -> None:
        # a database opened read-only (damaged, or in a read-only folder) is only looked at: nothing
        # that saves, and no export or print, which the audit trail would have to record
        writable = self.database.read_only is None
        live = self.case is not None and not self.showing_deleted and writable
        for action in (self.duplicate_action, self.delete_action, self.save_action,
                       self.edit_person_action, self.edit_plan_action):
            action.setEnabled(live)
        for action in (self.new_action, self.import_action, self.directory_action):
            action.setEnabled(writable)
        has_plan = self.case is not None and self.case.care_plan is not None and writable
        for output in outputs.OUTPUTS:  # no export or print of a database that is only looked at
            one_case = self.case is not None and not self.showing_deleted
            enabled = writable and (output.several_cases or one_case)
            if output.needs_plan:
                enabled = enabled and has_plan
            self.output_actions[output.name].setEnabled(enabled)
        self.restore_action.setEnabled(self.showing_deleted and self.case is not None and writable)
        self.history_action.setEnabled(self.case is not None)
        self.print_plan_action.setEnabled(has_plan)
        self.backup_action.setEnabled(self.database.path is not None)
        self.restore_backup_action.setEnabled(self.database.path is not None and writable)
        self.empty_deleted_action.setEnabled(self.showing_deleted and writable)
        for tab in self.case_tabs:  # a deleted case is read-only until restored
            tab.editor = None if self.showing_deleted or not writable else self.editor

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

    # -- saving and the life of a case -------------------------------------------------------
    def save(self) -> bool:
        """Write the open case in one transaction; True if it is saved (or had nothing to save)."""
        if self.case is None or self.undo_stack.isClean():
            return True
        try:
            with self.database.session() as session:
                CaseRepository(session).save(self.case)
        except SaveConflict as conflict:
            return self._resolve_conflict(str(conflict))
        except DatabaseError as error:
            QMessageBox.critical(self, "Not saved", literal(f"The case could not be saved: {error}"))
            return False
        self.undo_stack.setClean()
        self.case_model.refresh()
        self._update_count()
        self._highlight(self.case.id)
        self.statusBar().showMessage(f"Saved “{self.case.display_title}”", 5000)
        return True

    def _resolve_conflict(self, message: str) -> bool:
        assert self.case is not None and self.case.id is not None
        box = QMessageBox(QMessageBox.Icon.Warning, "Someone else saved this case", message, parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText("Your changes have not been saved. Reload their version (your changes "
                               "are lost), or keep yours as a separate copy of the case?")
        reload = box.addButton("Reload their version", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Keep mine as a copy", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is reload:
            self.open_case(self.case.id)
            return True
        if box.clickedButton() is keep:
            mine = copy.deepcopy(self.case)
            mine.title = f"{self.case.display_title} (my copy)"
            with self.database.session() as session:
                new_id = CaseRepository(session).add(
                    mine, summary=f"Kept as a copy of case #{self.case.id}, which a colleague saved first")
            self.undo_stack.clear()
            self.case_model.refresh()
            self.select_case(new_id)
            return True
        return False

    def maybe_save(self) -> bool:
        """Before leaving a case with unsaved changes: save, discard or stay. True to go on."""
        if self.case is None or self.undo_stack.isClean():
            return True
        answer = QMessageBox.question(
            self, "Unsaved changes", literal(f"Save the changes to “{self.case.display_title}”?"),
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        if answer == QMessageBox.StandardButton.Discard:
            self.undo_stack.setClean()
            return True
        return False

    def _add_and_open(self, case: Case, **audit_note: Any) -> int:
        """Store a new case (``audit_note``: action, summary, details for the audit trail) and open it."""
        return self._open_added(case_actions.add_case(self.database, case, **audit_note))

    def _open_added(self, case_id: int) -> int:
        """Open a case just added, in the list of cases (not the Deleted view), with no search."""
        self.undo_stack.clear()
        if self.showing_deleted:
            self.toggle_deleted(False)
        self.search.clear()
        self.case_model.set_search("")
        self._update_count()
        self.select_case(case_id)
        return case_id

    def new_case(self) -> None:
        """A new case: the person's details first. It is stored (in the list and the case history)
        only when the form is accepted; cancelled, nothing is created. Opens on the Person tab."""
        if not self.maybe_save():
            return
        from PySide6.QtWidgets import QDialog

        from planner import editing as planning
        from ui.editing import PERSON_FIELDS, EntityDialog

        blank = Case(person=Person(name="New person"), title=None)

        def attempt(form: dict[str, Any]) -> Case:
            title = form.pop("title", None)
            return planning.with_person(blank, title, form)

        dialog = EntityDialog("New case", PERSON_FIELDS, {}, blank, attempt, "$.person", self)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.result_case is None:
            self.statusBar().showMessage("No case was created", 5000)
            return
        self._add_and_open(dialog.result_case)
        self.show_tab("person")

    def restore_unsaved(self, unsaved: Any) -> bool:
        """Open the case a window that closed unexpectedly was editing, with its unsaved edits
        (a db.journal.Unsaved) as one undoable edit, not yet saved. Someone's save since then is
        not overwritten: saving asks, as for any colleague's save. A case no longer in the
        database comes back as a new case."""
        from db.repository import CaseNotFound

        try:
            edited = case_from_dict(unsaved.case, "the unsaved changes")
        except CaseFileError:
            QMessageBox.warning(self, "Not restored", "The unsaved changes could not be read back, so they "
                                "were not restored.")
            return False
        shown = "; ".join(unsaved.edits[:3]) + ("…" if len(unsaved.edits) > 3 else "")
        try:
            if self.showing_deleted:
                self.toggle_deleted(False)
            self.select_case(unsaved.case_id)
        except CaseNotFound:
            edited.title = f"{unsaved.title} (restored)"
            self._add_and_open(edited, summary="Restored from unsaved changes kept when Pathway Planner "
                                               "closed unexpectedly (the case was no longer in the database)")
            return True
        before = self.case
        if before is None or before.id != unsaved.case_id:
            return False
        if unsaved.row_version is not None:  # the version the edits were made on
            before.row_version = unsaved.row_version
        edited.id = before.id
        from ui.editing import EditCase

        self.undo_stack.push(EditCase(f"Restore unsaved changes ({shown})", before, edited,
                                      self.apply_edit))
        self.statusBar().showMessage("Restored the unsaved changes: save them, or undo (Ctrl+Z)", 15000)
        return True

    def offer_restore(self) -> bool:
        """After a crash: offer back the unsaved edits a window left (see ui.journal)."""
        from ui.journal import offer_restore

        return offer_restore(self)

    def duplicate_case(self) -> None:
        if self.case is None or not self.maybe_save():
            return
        copied = copy.deepcopy(self.case)
        copied.title = f"Copy of {self.case.display_title}"
        self._add_and_open(copied, summary=f"Duplicated from case #{self.case.id}")
        self.statusBar().showMessage(f"Made “{copied.title}”", 5000)

    def delete_case(self) -> None:
        if self.case is None or self.case.id is None:
            return
        answer = QMessageBox.question(
            self, "Delete case",
            literal(f"Delete “{self.case.display_title}”? It can be restored from View › Deleted cases "
                    "until the deleted cases are emptied."))
        if answer != QMessageBox.StandardButton.Yes:
            return
        case_actions.delete_case(self.database, self.case.id)
        self.undo_stack.clear()
        self._after_list_change()

    def toggle_deleted(self, show: bool) -> None:
        """Switch the case list between the cases and the Deleted view."""
        if not self.maybe_save():
            self.deleted_action.setChecked(self.showing_deleted)
            return
        self.showing_deleted = bool(show)
        self.deleted_action.setChecked(self.showing_deleted)
        self.undo_stack.clear()
        self._after_list_change()

    def restore_case(self) -> None:
        if self.case is None or self.case.id is None or not self.showing_deleted:
            return
        case_id = self.case.id
        case_actions.restore_case(self.database, case_id)
        self.showing_deleted = False
        self.deleted_action.setChecked(False)
        self._after_list_change(case_id)

    def empty_deleted(self) -> None:
        answer = QMessageBox.question(
            self, "Empty deleted cases",
            "Delete every case in the Deleted view for good? This cannot be undone.")
        if answer != QMessageBox.StandardButton.Yes:
            return
        removed = case_actions.empty_deleted(self.database)
        self._after_list_change()
        self.statusBar().showMessage(f"Deleted {removed} case(s) for good", 5000)

    def _after_list_change(self, select: int | None = None) -> None:
        self.case = None
        self._analysis = None
        self.case_model.refresh()
        self._update_count()
        self.centre.setCurrentWidget(self.empty)
        self.setWindowTitle(f"{APP_TITLE}{' — deleted cases' if self.showing_deleted else ''}[*]")
        if select is not None:
            self.select_case(select)
        elif self.case_model.rowCount() > 0:
            self.select_case(self.case_model.summary(0).id)
        self._update_actions()

    def show_tab(self, key: str) -> None:
        self.tabs.setCurrentIndex(next(i for i, tab in enumerate(self.case_tabs) if tab.key == key))

    # -- file actions ----------------------------------------------------------------------
    def import_case_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import case file", str(Path.home()),
                                              "Case files and FHIR bundles (*.json);;All files (*)")
        if path:
            self.import_path(path)

    def import_path(self, path: str, years: int | None = None) -> int | None:
        """Import a case file or a FHIR R4 bundle (told apart by content); show every problem and
        change nothing if it is invalid. A FHIR import asks how many ``years`` of history to put on
        the pathway (unless given) and shows its report."""
        from planner.fhir import DEFAULT_YEARS
        from ui.actions import importing

        data: object = None
        try:
            data = importing.read_data(path)
            if importing.is_fhir(data) and years is None:
                years, ok = QInputDialog.getInt(
                    self, "Import FHIR bundle", "Years of history before the latest encounter to put on "
                    "the pathway (0: all of it):", DEFAULT_YEARS, 0, 200)
                if not ok:
                    return None
            read = importing.read_import(path, data, years=years)
        except CaseFileError as error:  # a case file's problems name its items (a FHIR file's do not)
            named = data if isinstance(data, dict) and not importing.is_fhir(data) else None
            self._show_problems(path, error, named)
            return None
        if not self.maybe_save():
            return None
        case_id = self._open_added(importing.store_import(self.database, read))
        self.statusBar().showMessage(f"Imported “{read.case.display_title}” from {Path(path).name}", 8000)
        if read.report is not None:
            self.show_import_report(read.report, read.case)
        return case_id

    def show_import_report(self, report: ImportReport, case: Case) -> None:
        """What a FHIR import mapped, skipped and left for the user to check."""
        source = Path(report.source).name if report.source else "the FHIR file"
        box = QMessageBox(QMessageBox.Icon.Information, "FHIR import report",
                          f"Imported “{case.display_title}” from {source}: {len(case.steps)} steps, "
                          f"{len(case.organisations)} organisations, {len(case.team)} team members.",
                          parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        window = report.window.describe() if report.window else ""
        lines = [f"Steps: {window}."] if window else []
        if report.left_out_encounters:
            lines.append(f"{report.left_out_encounters:,} older encounters were left out of the pathway.")
        lines.append("\nNeeds your attention:" if report.attention else "\nNothing needs your attention.")
        lines += [f"• {item}" for item in report.attention]
        box.setInformativeText("\n".join(lines))
        box.setDetailedText(report.as_text())
        box.exec()

    def _show_problems(self, path: str, error: CaseFileError, data: dict[str, Any] | None = None) -> None:
        count = error.count
        more = "" if error.counted_all else "more than "
        box = QMessageBox(QMessageBox.Icon.Warning, "Case file not imported",
                          f"{Path(path).name} was not imported: it has {more}{count:,} "
                          f"problem{'s' if count != 1 else ''}. Nothing was changed.", parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        shown = error.problems[:12]
        listing = "\n".join(f"• {p.path}{_named_place(data, p.path)}: {p.message}" for p in shown)
        if count > len(shown):
            listing += f"\n… and {more}{count - len(shown):,} more (see Show Details)."
        box.setInformativeText(listing)
        box.setDetailedText("\n".join(error.listing(MAX_SHOWN)))  # the first 200, then how many more
        box.exec()

    def export_output(self, output: Output) -> None:
        """File › one of the outputs (ui.actions.outputs): its own dialog where it has one (the
        workshop PDFs' preview, the pack's choice of cases), else who it is for (when that is a
        choice), where, and then written through the saver: checked, recorded, written."""
        dialogs = {"workshop-summary": self.export_workshop_summary, "value-case": self.export_value_case,
                   "workshop-pack": self.workshop_pack}
        if output.name in dialogs:
            dialogs[output.name]()
            return
        case = self.case
        if case is None:
            return
        if output.needs_plan and case.care_plan is None:
            QMessageBox.information(self, output.title.replace("&", "").rstrip("…"),
                                    "This case has no care plan yet.")
            return
        if output.needs_plan and not self._plan_numbers_checked(case):
            return
        anonymise = output.anonymised_by_default
        if output.privacy.chosen:
            from ui.who_for import ask_who_for

            chosen = ask_who_for(self, output)
            if chosen is None:
                return
            anonymise = chosen
        title = output.title.replace("&", "").rstrip("…")
        suffix = output.file_type.suffix if output.file_type.add_suffix else ""
        path = ask_save_path(self, title, str(Path.home() / output.suggest(case, anonymise)),
                             output.file_type.filter, suffix)
        if path:
            self.export_output_to(output, path, anonymise=anonymise)

    def _plan_numbers_checked(self, case: Case) -> bool:
        """Before the care plan is saved as PDF: a warning when it lists someone without a phone
        number (she could not call them from it); True to go ahead."""
        from ui.actions.printing import NoPlan, plan_to_print
        from ui.print_plan import go_ahead_without_numbers

        try:
            plan = plan_to_print(case)
        except NoPlan:
            return True  # told when it is made
        return go_ahead_without_numbers(self, plan, "Save")

    def export_output_to(self, output: Output, path: str, *, anonymise: bool | None = None) -> bool:
        """Write ``output`` of the open case to ``path`` (chosen and confirmed), its export recorded
        first; False (the user told why) if it was not written."""
        from ui.print_plan import plan_pdf

        case = self.case
        assert case is not None
        request = Request([case], anonymise=anonymise, analysis=self.analysis, draw_plan=plan_pdf)
        failure = f"{output.noun[0].upper()}{output.noun[1:]} not exported"
        try:
            saved = self.saver(path, lambda: output.make(request), failure)
        except ActionError as error:
            QMessageBox.warning(self, failure, literal(str(error)))
            return False
        if saved is None:
            return False
        how = " (anonymised)" if saved[1].event is not None and saved[1].event.anonymised else ""
        self.statusBar().showMessage(
            f"Exported the {output.noun} of “{case.display_title}”{how} to {saved[0]}", 8000)
        return True

    def export_case_file(self) -> None:
        self.export_output(self._output("case-file"))

    def export_fhir_bundle(self) -> None:
        self.export_output(self._output("fhir"))

    def export_fhir_path(self, path: str, anonymise: bool = False) -> bool:
        """Write the open case as a FHIR R4 bundle (a collection), its export recorded first."""
        return self.export_output_to(self._output("fhir"), path, anonymise=anonymise)

    def export_path(self, path: str) -> bool:
        """Write the open case as a case file, its export recorded first."""
        return self.export_output_to(self._output("case-file"), path)

    @staticmethod
    def _output(name: str) -> Output:
        return outputs.by_name(name)

    def export_workshop_summary(self) -> None:
        """The regulator-workshop case summary of the open case (as it is on screen)."""
        if self.case is None:
            return
        from ui.workshop_dialog import WorkshopExportDialog

        dialog = WorkshopExportDialog(self.case, self.analysis, self, save=self.saver)
        dialog.unit_costs = self.local_unit_costs()
        def exported(path: str, anonymised: bool) -> None:
            how = "anonymised" if anonymised else "IDENTIFIABLE"
            self.statusBar().showMessage(f"Exported the workshop case summary ({how}) to {path}", 8000)

        dialog.exported.connect(exported)
        dialog.exec()

    def export_value_case(self) -> None:
        """The three-sided value case of the open case (as it is on screen)."""
        if self.case is None:
            return
        from ui.workshop_dialog import ValueCaseExportDialog

        dialog = ValueCaseExportDialog(self.case, self.analysis, self, save=self.saver)
        dialog.unit_costs = self.local_unit_costs()

        def exported(path: str, anonymised: bool) -> None:
            how = "anonymised" if anonymised else "IDENTIFIABLE"
            self.statusBar().showMessage(f"Exported the value case ({how}) to {path}", 8000)

        dialog.exported.connect(exported)
        dialog.exec()

    def workshop_pack(self) -> None:
        """The workshop pack of cases chosen in a list (their saved versions)."""
        from collections.abc import Sequence

        from ui.workshop_dialog import CaseChooserDialog

        def fetch(search: str, limit: int) -> list[CaseSummary]:
            with self.database.snapshot() as session:
                return CaseRepository(session).summaries(search, limit=limit)

        def load(ids: Sequence[int]) -> list[Case]:
            return case_actions.load_by_ids(self.database, ids)  # the cases as they were at one moment

        current = [self.case.id] if self.case is not None and self.case.id is not None else []
        dialog = CaseChooserDialog(fetch, load, current, self, save=self.saver)
        dialog.unit_costs = self.local_unit_costs()
        def exported(path: str, _anonymised: bool) -> None:
            self.statusBar().showMessage(f"Made the workshop pack to {path}", 8000)

        dialog.exported.connect(exported)
        dialog.exec()

    def import_directory(self) -> None:
        """Import a CQC or NHS ODS directory file, after a preview of what it will change."""
        path, _ = QFileDialog.getOpenFileName(self, "Import provider directory", str(Path.home()),
                                              "Directory files (*.csv);;All files (*)")
        if path:
            from ui.directory_dialog import DirectoryImportDialog

            DirectoryImportDialog(self.database, path, self).exec()

    def _choose_from_directory(self) -> object:
        from ui.directory_dialog import DirectoryBrowser

        return DirectoryBrowser.choose(self.database, self)

    def _choose_known_person(self) -> object:
        from ui.people_dialog import PeopleBrowser

        return PeopleBrowser.choose(self.database, self.case.id if self.case else None, self)

    def _printable_plan(self) -> object:
        from ui.actions.printing import NoPlan, plan_to_print

        if self.case is None or self.case.care_plan is None:
            QMessageBox.information(self, "Print care plan", "This case has no care plan yet.")
            return None
        try:
            return plan_to_print(self.case)
        except NoPlan as error:
            QMessageBox.information(self, "Print care plan", literal(str(error)))
            return None

    def print_care_plan(self) -> None:
        """Print "My care plan" after a preview (any printer, or a PDF from the print dialog)."""
        plan = self._printable_plan()
        if plan is not None:
            from ui.print_plan import print_with_preview

            case_id = self.case.id if self.case is not None else None
            printed = print_with_preview(self, plan, self.saver, case_id)  # type: ignore[arg-type]
            if isinstance(printed, Path):  # printed to a file: written and recorded as an export
                self.statusBar().showMessage(f"Saved the care plan to {printed}", 8000)
            elif printed:
                self._record_printed(plan)
                self.statusBar().showMessage("Sent the care plan to print", 8000)

    def save_care_plan_pdf(self) -> None:
        self.export_output(self._output("care-plan"))

    def back_up(self) -> None:
        """File › Back up database: a consistent copy of the SQLite database, to a new file."""
        from ui.actions.backups import backup

        path = self.database.path
        if path is None:
            return
        suggested = str(Path.home() / f"{path.stem}-backup{path.suffix or '.sqlite'}")
        chosen = ask_save_path(self, "Back up database", suggested, "SQLite databases (*.sqlite)")
        if not chosen:
            return
        if Path(chosen).exists():  # the dialog asked: a backup never replaces a file, so make way for it
            QMessageBox.warning(self, "Database not backed up",
                                literal(f"{chosen} already exists: choose a new file name for the backup."))
            return
        try:
            written = backup(f"sqlite:///{path}", chosen)
        except (ActionError, DatabaseError, OSError) as error:
            QMessageBox.warning(self, "Database not backed up", literal(str(error)))
            return
        self.statusBar().showMessage(f"Backed up the database to {written}", 8000)

    def restore_backup(self) -> None:
        """File › Restore from backup: replace every case in this SQLite database with a backup's,
        after asking (the database as it is now is kept in its backups folder first)."""
        from db.backup import BackupError
        from ui.actions.backups import restore

        path = self.database.path
        if path is None or not self.maybe_save():
            return
        chosen, _ = QFileDialog.getOpenFileName(self, "Restore from backup", str(path.parent / "backups"),
                                                "SQLite databases (*.sqlite *.db);;All files (*)")
        if not chosen:
            return
        answer = QMessageBox.question(
            self, "Restore from backup",
            literal(f"Replace every case in this database with those in {Path(chosen).name}? The database "
                    "as it is now is kept in its backups folder first."),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            _path, result = restore(f"sqlite:///{path}", chosen)
        except (ActionError, BackupError, DatabaseError, OSError) as error:  # nothing was changed
            QMessageBox.warning(self, "Not restored", literal(str(error)))
            return
        self.undo_stack.clear()
        self._after_list_change()
        kept = f" (the database as it was is kept in {result.previous})" if result.previous else ""
        self.statusBar().showMessage(f"Restored the database from {Path(chosen).name}{kept}", 12000)

    # -- the audit trail -------------------------------------------------------------------
    def _record_printed(self, plan: object) -> None:
        """Record in the case history that the care plan was printed (as the command line would)."""
        from ui.actions.printing import record_printed

        if self.case is None or self.case.id is None:
            return
        try:
            record_printed(self.database, self.case.id, plan)  # type: ignore[arg-type]
        except DatabaseError as error:
            QMessageBox.warning(self, "Not recorded in the case history",
                                f"Done, but it could not be recorded in the case history: {error}")

    def record_print(self, what: str, *, printer: str | None = None, anonymised: bool = False) -> None:
        """Record in the case history that (part of) the open case was printed."""
        self._record(audit.record_print, what=what, printer=printer, anonymised=anonymised)

    def _record(self, record: Any, **details: Any) -> None:
        if self.case is None or self.case.id is None:
            return
        try:
            with self.database.session() as session:
                record(session, self.case.id, **details)
        except DatabaseError as error:
            QMessageBox.warning(self, "Not recorded in the case history",
                                f"Done, but it could not be recorded in the case history: {error}")

    def show_history(self) -> None:
        """View › Case history: who did what to the open case, and when."""
        if self.case is None or self.case.id is None:
            return
        from ui.case_history import CaseHistoryDialog

        with self.database.session() as session:
            events = audit.history(session, self.case.id)
        CaseHistoryDialog(self.case.display_title, events, self).exec()

    def show_preferences(self) -> None:
        from ui.preferences_dialog import PreferencesDialog

        PreferencesDialog(self).exec()

    def local_unit_costs(self) -> LocalUnitCosts | None:
        """The areas' own unit costs, from the database (None, the national defaults, if unreadable)."""
        from sqlalchemy.exc import SQLAlchemyError

        from db.unit_costs import UnitCostSettings

        try:
            with self.database.snapshot() as session:
                return UnitCostSettings(session).local_costs()
        except (DatabaseError, SQLAlchemyError):
            return None

    def show_unit_costs(self) -> None:
        """Edit › Unit costs: the national defaults and an area's own figures (shared, audited)."""
        from sqlalchemy.exc import SQLAlchemyError

        from ui.unit_costs_dialog import UnitCostsDialog

        area = self.case.person.area if self.case is not None else None
        try:
            dialog = UnitCostsDialog(self.database, self, area=area)
        except (DatabaseError, SQLAlchemyError) as error:  # e.g. where a damaged database is damaged
            QMessageBox.warning(self, "Unit costs cannot be read", f"The unit costs cannot be read: {error}")
            return

        def saved(name: str) -> None:
            self.findings_tab.unit_costs = self.local_unit_costs()
            if self.case is not None:  # shown again (now if on screen, else when next shown)
                self.findings_tab.set_case(self.case, lambda: self.analysis)
            self.statusBar().showMessage(f"Saved {name}'s unit costs", 8000)

        dialog.saved.connect(saved)
        dialog.exec()

    def show_guide(self) -> None:
        """Help › User guide (F1): the coordinators' guide, beside the window (not modal)."""
        from ui.help import HelpDialog

        guide = getattr(self, "guide", None)
        if guide is None:
            guide = self.guide = HelpDialog(self)
        guide.show()
        guide.raise_()
        guide.activateWindow()

    def show_about(self) -> None:
        QMessageBox.about(
            self, f"About {APP_TITLE}",
            f"<h3>{APP_TITLE} {__version__}</h3>"
            "<p>Maps an older person's care pathway across the organisations and regulators "
            "involved, keeps one team, one care coordinator and one shared care plan, and "
            "shows where regulation works against the person's pathway.</p>"
            f"<p><b>Database:</b> {_html(self.database.name)}</p>")

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


def _html(text: str) -> str:
    import html

    return html.escape(text)


def _named_place(data: dict[str, Any] | None, json_path: str) -> str:
    """" (Step “20 Jan 2024 · Admission”, end)": the item a refused case file's problem is in, by
    name, beside the JSON path that points into the file; "" when there is no name to give."""
    if data is None:
        return ""
    from planner.wording import Namer

    place = Namer(data).place(json_path)
    return "" if place == json_path or place.startswith("$") else f" ({place})"
