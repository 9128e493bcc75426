"""What a screen reader and a low-vision user get: an accessible name on every interactive widget of
the main window and of every dialog the app opens, labels tied to their fields, contrast of the
selection and focus (WCAG 2.2, 1.4.11), disabled controls that look disabled, the high-contrast
theme and the system's font size."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAction, QColor, QFont, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QFileDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QWidget,
)

from ui import theme
from ui.main_window import MainWindow

Role = QPalette.ColorRole


@pytest.fixture(autouse=True)
def _the_apps_look(qapp) -> None:  # type: ignore[no-untyped-def]
    """The application's palette, font and style, as the app starts (pytest-qt's application has none)."""
    theme.apply(qapp, False)


def accessible_name(widget: QWidget) -> str:
    """The name a screen reader announces: the accessible name, a button's text, a buddy label's.
    A combo box's is its own name or its label's, never its current choice (which Qt gives as
    the name on Linux)."""
    if widget.accessibleName().strip():
        return widget.accessibleName().strip()
    if isinstance(widget, QComboBox):
        window = widget.window()
        return next((label.text() for label in window.findChildren(QLabel) if label.buddy() is widget), "")
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name).strip() if interface is not None else ""


def unnamed(root: QWidget) -> Iterator[str]:
    """Every widget under ``root`` the keyboard can reach that a screen reader cannot name."""
    for widget in root.findChildren(QWidget):
        if widget.focusPolicy() == Qt.FocusPolicy.NoFocus or not widget.isVisibleTo(root):
            continue
        if not accessible_name(widget):
            parent = widget.parentWidget()
            yield f"{type(widget).__name__} in {type(parent).__name__ if parent else '-'}"


def menu_actions(window: MainWindow) -> list[QAction]:
    """The actions of the window's menus (submenus included), separators left out."""
    found: list[QAction] = []
    menus = [a.menu() for a in window.menuBar().actions() if a.menu() is not None]
    while menus:
        menu = menus.pop(0)
        for action in menu.actions():
            if action.menu() is not None:
                menus.append(action.menu())
            elif not action.isSeparator():
                found.append(action)
    return found


def interactive(root: QWidget) -> list[QWidget]:
    return [w for w in root.findChildren(QWidget)
            if w.focusPolicy() != Qt.FocusPolicy.NoFocus and w.isVisibleTo(root)]


@pytest.fixture
def walked(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, list[str]]]:
    """Every dialog the app opens is walked instead of shown (then cancelled); message boxes are
    answered No / Cancel and file dialogs cancelled, so nothing is left waiting."""
    seen: dict[str, list[str]] = {}

    def dialog_exec(dialog: QDialog) -> int:
        if type(dialog).__module__.startswith("ui."):  # Qt's own dialogs (print preview) are Qt's
            seen.setdefault(type(dialog).__name__, []).extend(unnamed(dialog))
        return int(QDialog.DialogCode.Rejected)

    def box_exec(box: QMessageBox) -> int:
        seen.setdefault(f"QMessageBox {box.windowTitle()}", []).extend(unnamed(box))
        return int(QMessageBox.StandardButton.Cancel)

    monkeypatch.setattr(QDialog, "exec", dialog_exec)
    monkeypatch.setattr(QMessageBox, "exec", box_exec)
    for name in ("question", "warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, name, lambda *a, **k: QMessageBox.StandardButton.No)
    monkeypatch.setattr(QMessageBox, "about", lambda *a, **k: None)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: "")
    yield seen
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    theme.apply(app, False)  # the menus' walk switched View › High contrast on


def _buttons(tab: QWidget) -> list[QPushButton]:
    return [b for b in tab.findChildren(QPushButton)
            if b.isVisibleTo(tab) and b.isEnabled() and not b.text().replace("&", "").startswith("Delete")]


@pytest.mark.qt_log_ignore("This plugin does not support")  # the offscreen platform (the guide's raise)
def test_every_interactive_widget_has_an_accessible_name(window: MainWindow, walked: dict[str, list[str]],
                                                         tmp_path: Path) -> None:
    missing: dict[str, list[str]] = {}
    reached = 0
    for index, tab in enumerate(window.case_tabs):
        window.tabs.setCurrentIndex(index)
        QApplication.processEvents()
        tab.select_first()
        reached += len(interactive(window))
        missing[f"main window, {tab.title} tab"] = list(unnamed(window))
        for button in _buttons(tab):  # every dialog a tab's buttons open, with a row selected
            tab.select_first()
            button.click()
    for action in menu_actions(window):  # and every dialog the menus open
        if action.isEnabled() and action not in (window.quit_action, window.deleted_action):
            action.trigger()
    window.editor.add("steps")
    from ui.directory_dialog import DirectoryImportDialog

    directory = tmp_path / "cqc.csv"
    with directory.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["Location ID", "Location Name", "Location Post Code", "Location Latest Overall Rating",
                         "Service types", "Location Local Authority"])
        writer.writerow(["1-101", "Sea View", "TS1 1AA", "Good", "Residential homes", "Middlesbrough"])
    importer = DirectoryImportDialog(window.database, directory, window)
    walked["DirectoryImportDialog"] = list(unnamed(importer))
    importer.deleteLater()

    for name in ("EntityDialog", "TextDialog", "PeopleBrowser", "DirectoryBrowser", "PreferencesDialog",
                 "CaseHistoryDialog", "WorkshopExportDialog", "ValueCaseExportDialog", "CaseChooserDialog"):
        assert name in walked, (name, sorted(walked))
    assert reached > 60  # the walk reached the window's fields, tables and buttons
    problems = {where: names for where, names in {**missing, **walked}.items() if names}
    assert not problems, problems


def test_the_walk_finds_a_widget_without_a_name(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QLineEdit, QVBoxLayout

    root = QWidget()
    qtbot.addWidget(root)
    layout = QVBoxLayout(root)
    bare = QLineEdit()
    layout.addWidget(bare)
    assert list(unnamed(root)) == ["QLineEdit in QWidget"]
    label = QLabel("&Postcode:")
    label.setBuddy(bare)
    layout.addWidget(label)
    assert accessible_name(bare) == "Postcode:" and not list(unnamed(root))


def test_form_labels_are_tied_to_their_fields(window: MainWindow, walked: dict[str, list[str]]) -> None:
    from ui.editing import FIELDS, EntityDialog

    case = window.case
    assert case is not None
    dialog = EntityDialog("Add step", FIELDS["steps"], {"id": "s99"}, case, lambda _v: case, "$.steps[99]")
    labels = {label.buddy(): label.text() for label in dialog.findChildren(QLabel) if label.buddy() is not None}
    for spec in FIELDS["steps"]:
        widget = dialog.inputs[spec.key]
        assert widget in labels, spec.key
        assert labels[widget].startswith(spec.caption), (labels[widget], spec.caption)
        assert accessible_name(widget).startswith(spec.caption), (accessible_name(widget), spec.caption)
    assert dialog.inputs["start"].accessibleDescription()  # the hint is read out too
    dialog.deleteLater()


@pytest.mark.parametrize("high_contrast", [False, True])
def test_selection_and_focus_have_three_to_one_contrast(high_contrast: bool) -> None:
    colours = theme.palette(high_contrast)
    highlight = colours.color(Role.Highlight)
    # the selected row or focused field against white and every neighbour it sits on
    for neighbour in ("#ffffff", colours.color(Role.Base), colours.color(Role.AlternateBase),
                      colours.color(Role.Window), colours.color(Role.Button)):
        ratio = theme.contrast(highlight, neighbour)
        assert ratio >= 3.0, (QColor(neighbour).name(), ratio)
    assert theme.contrast(highlight, colours.color(Role.HighlightedText)) >= 4.5  # its text is readable
    assert theme.contrast(colours.color(Role.Text), colours.color(Role.Base)) >= 7


def test_contrast_is_computed_as_wcag_defines_it() -> None:
    assert theme.contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert theme.contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert theme.contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the known AA grey
    assert theme.contrast("#cfe3fa", "#ffffff") < 3  # the old selection colour failed


def test_the_palette_in_use_is_the_theme(window: MainWindow) -> None:
    view = window.pathway_tab.steps.view
    used = view.palette().color(QPalette.ColorGroup.Active, Role.Highlight)
    assert theme.contrast(used, view.palette().color(Role.Base)) >= 3.0


def test_disabled_controls_look_disabled(window: MainWindow) -> None:
    colours = theme.palette()
    for role in (Role.ButtonText, Role.Text, Role.WindowText):
        enabled = colours.color(QPalette.ColorGroup.Active, role)
        disabled = colours.color(QPalette.ColorGroup.Disabled, role)
        assert theme.contrast(enabled, disabled) >= 2.0, role
    # and on screen: the same button drawn enabled and disabled differs
    button = QPushButton("Withdraw", window)
    button.resize(120, 32)
    enabled = button.grab().toImage()
    button.setEnabled(False)
    disabled = button.grab().toImage()
    button.deleteLater()
    assert enabled != disabled
    tab = window.care_plan_tab
    window.show_tab("care-plan")
    assert not tab.withdraw_button.isEnabled()  # nothing selected among who agreed
    text = tab.withdraw_button.palette().color(QPalette.ColorGroup.Disabled, Role.ButtonText)
    assert text != tab.print_button.palette().color(QPalette.ColorGroup.Active, Role.ButtonText)


def test_high_contrast_is_in_the_view_menu_and_kept(window: MainWindow) -> None:
    from ui.preferences import high_contrast

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    action = window.high_contrast_action
    assert "&" in action.text() and action.isCheckable() and not action.isChecked()
    try:
        action.trigger()
        assert action.isChecked() and high_contrast()
        assert app.palette().color(Role.Text) == QColor("#000000")
        assert app.palette().color(Role.Highlight) == QColor("#00007a")
        action.trigger()
        assert not high_contrast()
        assert app.palette().color(Role.Highlight) == QColor("#1d5fbf")
    finally:
        theme.apply(app, False)


def test_the_system_high_contrast_and_font_size_are_honoured(qapp, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(theme, "system_wants_high_contrast", lambda: True)
    try:
        theme.apply(qapp)
        assert theme.is_high_contrast() and qapp.palette().color(Role.Highlight) == QColor("#00007a")
        monkeypatch.setattr(theme, "system_wants_high_contrast", lambda: False)
        big = QFont(qapp.font())
        big.setPointSizeF(16)
        qapp.setFont(big)
        theme.apply(qapp)
        assert not theme.is_high_contrast()
        assert qapp.font().pointSizeF() == 16  # a larger system font is kept, not reset to 10 pt
    finally:
        small = QFont(qapp.font())
        small.setPointSizeF(10)
        qapp.setFont(small)
        theme.apply(qapp, False)


