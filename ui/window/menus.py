"""The main window's menus and the actions in them, and which of them are enabled for the case
open (none that writes on a database opened read-only); the tables' copy and export actions.

Functions of the window (their first argument), bound as its methods in ui.main_window."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence

from ui import theme
from ui.actions import outputs

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def _install_table_actions(window: MainWindow) -> None:
    """Every table and the findings tree: Ctrl+C copies the selected rows, and a context menu
    exports the table as CSV or Excel (ui.table_export), written through the saver."""
    from ui.table_export import install, named

    saver = lambda: window.saver  # noqa: E731
    case_id = lambda: window.case.id if window.case is not None else None  # noqa: E731
    window.table_actions = []
    for tab in window.case_tabs:
        for number, table in enumerate(tab.tables, start=1):
            title = tab.title.replace("&&", "&")
            fallback = title if len(tab.tables) == 1 else f"{title} {number}"
            window.table_actions.append(install(table.view, named(table.view, fallback), saver, case_id))
    tree = window.findings_tab.tree
    window.table_actions.append(install(tree, named(tree, window.findings_tab.title), saver, case_id))


def _build_menus(window: MainWindow) -> None:
    file_menu = window.menuBar().addMenu("&File")
    window.new_action = window._action("&New case", QKeySequence.StandardKey.New, window.new_case)
    window.duplicate_action = window._action("D&uplicate case", QKeySequence("Ctrl+Shift+D"),
                                         window.duplicate_case)
    window.save_action = window._action("&Save", QKeySequence.StandardKey.Save, window.save)
    window.import_action = window._action("&Import case file…", QKeySequence.StandardKey.Open,
                                      window.import_case_file)
    window.directory_action = window._action("Import provider di&rectory…", QKeySequence(),
                                         window.import_directory)
    window.delete_action = window._action("De&lete case…", QKeySequence("Ctrl+Shift+Del"), window.delete_case)
    window.quit_action = window._action("&Quit", QKeySequence("Ctrl+Q"), window.close)
    window.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
    file_menu.addActions([window.new_action, window.duplicate_action, window.save_action])
    file_menu.addSeparator()
    file_menu.addActions([window.import_action, window.directory_action])
    file_menu.addSeparator()
    # the export items, from the one list of outputs that also builds the command line's commands
    window.output_actions = {}
    for output in outputs.OUTPUTS:
        action = window._action(output.title, QKeySequence(output.shortcut or ""),
                              lambda _c=False, o=output: window.export_output(o))
        action.setStatusTip(output.help[0].upper() + output.help[1:])
        window.output_actions[output.name] = action
        file_menu.addAction(action)
    window.export_action = window.output_actions["case-file"]
    window.fhir_export_action = window.output_actions["fhir"]
    window.plan_pdf_action = window.output_actions["care-plan"]
    window.workshop_action = window.output_actions["workshop-summary"]
    window.value_case_action = window.output_actions["value-case"]
    window.pack_action = window.output_actions["workshop-pack"]
    file_menu.addSeparator()
    window.print_plan_action = window._action("&Print care plan…", QKeySequence.StandardKey.Print,
                                          window.print_care_plan)
    file_menu.addAction(window.print_plan_action)
    file_menu.addSeparator()
    window.backup_action = window._action("&Back up database…", QKeySequence(), window.back_up)
    window.restore_backup_action = window._action("Rest&ore from backup…", QKeySequence(),
                                              window.restore_backup)
    file_menu.addActions([window.backup_action, window.restore_backup_action])
    file_menu.addSeparator()
    file_menu.addAction(window.delete_action)
    file_menu.addSeparator()
    file_menu.addAction(window.quit_action)

    edit_menu = window.menuBar().addMenu("&Edit")
    window.undo_action = window.undo_stack.createUndoAction(window, "&Undo")
    window.undo_action.setShortcut(QKeySequence("Ctrl+Z"))
    window.redo_action = window.undo_stack.createRedoAction(window, "&Redo")
    window.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    for action in (window.undo_action, window.redo_action):
        window.addAction(action)
    edit_menu.addActions([window.undo_action, window.redo_action])
    edit_menu.addSeparator()
    window.edit_person_action = window._action("Edit &person…", QKeySequence("Ctrl+Shift+P"),
                                           window.editor.edit_person)
    window.edit_plan_action = window._action("Edit care pl&an details…", QKeySequence("Ctrl+Shift+L"),
                                         window.editor.edit_plan)
    edit_menu.addActions([window.edit_person_action, window.edit_plan_action])
    edit_menu.addSeparator()
    window.preferences_action = window._action("Pre&ferences…", QKeySequence.StandardKey.Preferences,
                                           window.show_preferences)
    window.preferences_action.setMenuRole(QAction.MenuRole.PreferencesRole)
    edit_menu.addAction(window.preferences_action)
    window.unit_costs_action = window._action("Unit &costs…", QKeySequence(), window.show_unit_costs)
    edit_menu.addAction(window.unit_costs_action)

    view_menu = window.menuBar().addMenu("&View")
    find = window._action("&Find case", QKeySequence.StandardKey.Find, window._focus_search)
    view_menu.addAction(find)
    window.deleted_action = window._action("&Deleted cases", QKeySequence(), window.toggle_deleted)
    window.deleted_action.setCheckable(True)
    window.restore_action = window._action("&Restore case", QKeySequence(), window.restore_case)
    window.empty_deleted_action = window._action("&Empty deleted cases…", QKeySequence(),
                                                 window.empty_deleted)
    view_menu.addActions([window.deleted_action, window.restore_action, window.empty_deleted_action])
    window.history_action = window._action("Case &history…", QKeySequence("Ctrl+Shift+H"),
                                           window.show_history)
    view_menu.addAction(window.history_action)
    view_menu.addSeparator()
    window.high_contrast_action = window._action("Hi&gh contrast", QKeySequence(), window.set_high_contrast)
    window.high_contrast_action.setCheckable(True)
    window.high_contrast_action.setChecked(theme.is_high_contrast())
    window.high_contrast_action.setToolTip("Black on white with a strong selection; kept for next time")
    view_menu.addAction(window.high_contrast_action)
    view_menu.addSeparator()
    for number, tab in enumerate(window.case_tabs, start=1):
        action = window._action(tab.title, QKeySequence(f"Ctrl+{number}"),
                              lambda _c=False, i=number - 1: window.tabs.setCurrentIndex(i))
        view_menu.addAction(action)

    help_menu = window.menuBar().addMenu("&Help")
    window.guide_action = window._action("&User guide", QKeySequence.StandardKey.HelpContents,
                                     window.show_guide)
    window.about_action = window._action("&About Pathway Planner", QKeySequence(), window.show_about)
    window.about_action.setMenuRole(QAction.MenuRole.AboutRole)
    help_menu.addActions([window.guide_action, window.about_action])
    window._update_actions()


def _action(window: MainWindow, text: str, shortcut: QKeySequence | QKeySequence.StandardKey,
            slot: object) -> QAction:
    action = QAction(text, window)
    action.setShortcut(shortcut)
    action.triggered.connect(slot)
    window.addAction(action)
    return action


def _update_actions(window: MainWindow) -> None:
    # a database opened read-only (damaged, or in a read-only folder) is only looked at: nothing
    # that saves, and no export or print, which the audit trail would have to record
    writable = window.database.read_only is None
    live = window.case is not None and not window.showing_deleted and writable
    for action in (window.duplicate_action, window.delete_action, window.save_action,
                   window.edit_person_action, window.edit_plan_action):
        action.setEnabled(live)
    for action in (window.new_action, window.import_action, window.directory_action):
        action.setEnabled(writable)
    has_plan = window.case is not None and window.case.care_plan is not None and writable
    for output in outputs.OUTPUTS:  # no export or print of a database that is only looked at
        one_case = window.case is not None and not window.showing_deleted
        enabled = writable and (output.several_cases or one_case)
        if output.needs_plan:
            enabled = enabled and has_plan
        window.output_actions[output.name].setEnabled(enabled)
    window.restore_action.setEnabled(window.showing_deleted and window.case is not None and writable)
    window.history_action.setEnabled(window.case is not None)
    window.print_plan_action.setEnabled(has_plan)
    window.backup_action.setEnabled(window.database.path is not None)
    window.restore_backup_action.setEnabled(window.database.path is not None and writable)
    window.empty_deleted_action.setEnabled(window.showing_deleted and writable)
    for tab in window.case_tabs:  # a deleted case is read-only until restored
        tab.editor = None if window.showing_deleted or not writable else window.editor
