"""Fits the screen: the window opens inside the available screen, never smaller than a minimum that
fits a 1366×768 laptop, keeps the detail pane readable, and shows each tab's important content
without scrolling at 1366×768."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtWidgets import QAbstractItemView, QApplication, QTreeView, QWidget

from ui.main_window import (
    DETAILS_MIN_WIDTH,
    FRAME_ALLOWANCE,
    MINIMUM_SIZE,
    PREFERRED_SIZE,
    MainWindow,
    fitted_size,
)

#: A 1366×768 laptop's screen less a 40-pixel taskbar: what a window may use, its frame included.
LAPTOP = QSize(1366, 728)


@pytest.fixture(autouse=True)
def _the_apps_look(qapp) -> None:  # type: ignore[no-untyped-def]
    """The application's font and style, as the app starts (pytest-qt's application has neither)."""
    from ui import theme

    theme.apply(qapp, False)


def test_the_minimum_fits_a_1366_by_768_laptop() -> None:
    assert MINIMUM_SIZE.width() + FRAME_ALLOWANCE.width() <= LAPTOP.width()
    assert MINIMUM_SIZE.height() + FRAME_ALLOWANCE.height() <= LAPTOP.height()


@pytest.mark.parametrize(("available", "expected"), [
    (QSize(1366, 728), QSize(1350, 688)),  # the laptop: as large as fits
    (QSize(1920, 1040), PREFERRED_SIZE),  # a large screen: the preferred size
    (QSize(800, 600), MINIMUM_SIZE),  # smaller than the minimum: the minimum
])
def test_the_window_size_fits_the_available_screen(available: QSize, expected: QSize) -> None:
    assert fitted_size(PREFERRED_SIZE, available) == expected


def test_the_layout_needs_no_more_than_the_minimum(window: MainWindow) -> None:
    """The tabs' own minimum sizes do not push the window past the minimum (else it would not fit)."""
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        QApplication.processEvents()
        hint = window.minimumSizeHint()
        assert hint.width() <= MINIMUM_SIZE.width() and hint.height() <= MINIMUM_SIZE.height(), \
            (window.case_tabs[index].title, hint)


def test_a_window_larger_than_the_screen_is_brought_inside_it(window: MainWindow) -> None:
    screen = window.screen().availableGeometry()
    window.resize(3000, 2000)  # e.g. restored from a larger screen
    window.fit_to_screen()
    assert window.height() <= screen.height() - FRAME_ALLOWANCE.height()
    assert window.width() <= max(screen.width() - FRAME_ALLOWANCE.width(), MINIMUM_SIZE.width())
    assert window.width() >= MINIMUM_SIZE.width() and window.height() >= MINIMUM_SIZE.height()


def test_a_window_opened_with_its_layout_remembered_fits(qtbot, demo_database) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(demo_database, remember_layout=True)
    qtbot.addWidget(window)
    screen = window.screen().availableGeometry()
    assert window.height() <= screen.height() - FRAME_ALLOWANCE.height()
    window.undo_stack.setClean()


def test_the_detail_pane_stays_readable(window: MainWindow) -> None:
    window.resize(1000, 700)
    window.splitter.setSizes([240, 5000, 10])  # the user drags the handle all the way right
    QApplication.processEvents()
    assert window.details.width() >= DETAILS_MIN_WIDTH >= 260


def _rows_in_view(view: QAbstractItemView) -> int:
    """Rows (a tree's open rows included) wholly visible in the view without scrolling."""
    height = view.viewport().height()
    index = view.indexAt(QPoint(1, 1))
    count = 0
    while index.isValid() and view.visualRect(index).bottom() <= height:
        count += 1
        index = view.indexBelow(index) if isinstance(view, QTreeView) else index.siblingAtRow(index.row() + 1)
    return count


def _visible_in(widget: QWidget, window: MainWindow) -> bool:
    top_left = widget.mapTo(window, widget.rect().topLeft())
    return (widget.isVisible() and not widget.visibleRegion().isEmpty()
            and window.rect().contains(QRect(top_left, widget.size())))


def test_each_tab_shows_its_important_content_at_1366_by_768(window: MainWindow) -> None:
    window.resize(1366, 768)
    shown: dict[str, int] = {}
    for key, view, wanted in (
            ("care-plan", window.care_plan_tab.goals.view, 3),
            ("care-plan", window.care_plan_tab.action_table.view, 3),
            ("timeline", window.pathway_tab.steps.view, 8),
            ("timeline", window.pathway_tab.handoffs.view, 2),
            ("team", window.case_tabs[4].tables[0].view, 6),
            ("findings", window.findings_tab.tree, 8),
    ):
        window.show_tab(key)
        QApplication.processEvents()
        rows = _rows_in_view(view)
        shown[f"{key} {view.accessibleName()}"] = rows
        assert rows >= wanted, (key, view.accessibleName(), rows)
        assert _visible_in(window.header.coordinator, window)  # who coordinates, always in view
    window.show_tab("care-plan")
    QApplication.processEvents()
    tab = window.care_plan_tab
    for widget in (tab.summary, tab.review, tab.print_button, tab.plan_button, tab.sign_button,
                   tab.bars["goals"].add_button, tab.bars["actions"].add_button):
        assert _visible_in(widget, window), widget.text()


def test_screenshot_renders_at_the_size_asked(capsys: pytest.CaptureFixture[str], qapp,  # type: ignore[no-untyped-def]
                                              tmp_path) -> None:
    from PySide6.QtGui import QImage

    from ui.cli import main

    out = tmp_path / "laptop.png"
    assert main(["screenshot", "--out", str(out), "--size", "1366x768", "--tab", "care plan"]) == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1366, 768)
    capsys.readouterr()
    refused = tmp_path / "refused.png"
    assert main(["screenshot", "--out", str(refused), "--size", "huge"]) == 1
    assert "The size 'huge' is not WIDTHxHEIGHT in pixels, e.g. 1366x768." in capsys.readouterr().err
    assert main(["screenshot", "--out", str(refused), "--size", "800x600"]) == 1
    assert "outside 1200x640" in capsys.readouterr().err
    assert not refused.exists()


def test_a_size_is_read_as_width_by_height() -> None:
    from ui.screenshot import parse_size

    assert parse_size("1366x768") == (1366, 768)
    assert parse_size(" 1920×1080 ") == (1920, 1080)
    for bad in ("1366", "1366x", "axb", "1366x768x2", "-1366x768"):
        with pytest.raises(ValueError):
            parse_size(bad)
