"""Help: F1 opens the coordinators' user guide inside the app, and the guide is true to the app."""

from __future__ import annotations

import re
import tomllib
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu

from tests.conftest import ROOT
from ui.help import guide_text
from ui.main_window import MainWindow


def _menu_items(window: MainWindow) -> dict[str, set[str]]:
    """Each menu's items by text, without access keys: {"File": {"New case", ...}}."""
    items: dict[str, set[str]] = {}
    for action in window.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QMenu):
            items[action.text().replace("&", "")] = {
                a.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
                for a in menu.actions() if not a.isSeparator()}
    return items


@pytest.mark.qt_log_ignore("This plugin does not support")  # the offscreen platform
def test_f1_opens_the_user_guide_read_only(window: MainWindow, qtbot: Any) -> None:
    qtbot.keyClick(window, Qt.Key.Key_F1)
    guide = window.guide
    qtbot.waitExposed(guide)
    assert guide.isVisible() and guide.windowTitle() == "Pathway Planner user guide"
    browser = guide.browser
    assert browser.isReadOnly()
    shown = browser.toPlainText()
    assert shown.startswith("Pathway Planner: a guide for care coordinators")
    assert "**" not in shown and "## " not in shown  # rendered, not shown as Markdown
    for heading in ("A tour of the tabs", "Building a case", "The findings", "The outputs"):
        assert heading in shown
    qtbot.keyClick(window, Qt.Key.Key_F1)  # again: the same guide, not a second one
    assert window.guide is guide


def test_the_help_menu_keeps_about(window: MainWindow) -> None:
    assert _menu_items(window)["Help"] == {"User guide", "About Pathway Planner"}
    assert window.guide_action.shortcut().toString() == "F1"


def test_the_guide_names_every_tab_as_the_app_does(window: MainWindow) -> None:
    text = guide_text()
    for index in range(window.tabs.count()):
        title = window.tabs.tabText(index).replace("&&", "&")
        assert f"**{title}**" in text, title


def test_every_menu_item_the_guide_names_is_in_that_menu(window: MainWindow) -> None:
    menus = _menu_items(window)
    text = " ".join(guide_text().split())
    named = re.findall(r"\*\*(File|Edit|View|Help) › ([^*]+)\*\*", text)
    assert len(named) >= 15
    assert len(named) == len(re.findall(r"(?:File|Edit|View|Help) › ", text))  # every one checked
    for menu, item in named:
        assert item in menus[menu], f"{menu} › {item}"


def test_the_shortcuts_the_guide_gives_are_the_apps(window: MainWindow) -> None:
    shortcuts = {a.text().replace("&", ""): a.shortcut().toString() for a in window.actions()}
    text = guide_text()
    for name, keys in [("New case", "Ctrl+N"), ("Save", "Ctrl+S"), ("Import case file…", "Ctrl+O"),
                       ("Export case file…", "Ctrl+E"), ("Print care plan…", "Ctrl+P"),
                       ("Undo", "Ctrl+Z"), ("Find case", "Ctrl+F"), ("User guide", "F1"),
                       ("Export workshop case summary…", "Ctrl+Shift+W"),
                       ("Export value case…", "Ctrl+Shift+V"), ("Save care plan as PDF…", "Ctrl+Shift+R")]:
        assert shortcuts[name] == keys and keys in text, name


def test_the_guide_is_installed_with_the_application() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    package_data = config["tool"]["setuptools"]["package-data"]
    assert "*.md" in package_data["resources.help"]
    assert (ROOT / "resources" / "help" / "guide.md").read_text(encoding="utf-8") == guide_text()
