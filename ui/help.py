"""Help › User guide (F1): the coordinators' guide, kept in the repository as Markdown
(``resources/help/guide.md``, installed with the application) and shown read-only in the app."""

from __future__ import annotations

from importlib.resources import files

from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

GUIDE = "help/guide.md"


def guide_text() -> str:
    """The user guide's Markdown."""
    return files("resources").joinpath(GUIDE).read_text(encoding="utf-8")


class HelpDialog(QDialog):
    """The user guide, rendered from Markdown, read-only; links to web pages open in the browser."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Pathway Planner user guide")
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        self.browser.setReadOnly(True)
        self.browser.setAccessibleName("User guide")
        self.browser.setMarkdown(guide_text())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        QShortcut(QKeySequence.StandardKey.Find, self, self._find)  # Ctrl+F: find in the guide
        screen = (parent.screen() if parent is not None else None) or QGuiApplication.primaryScreen()
        available = screen.availableGeometry() if screen is not None else None
        width, height = 780, 760
        if available is not None:  # never larger than the screen (a 1366×768 laptop)
            width, height = min(width, available.width() - 40), min(height, available.height() - 60)
        self.resize(width, height)
        self.browser.setFocus()

    def _find(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        text, ok = QInputDialog.getText(self, "Find in the guide", "Find:")
        if ok and text and not self.browser.find(text):
            self.browser.moveCursor(self.browser.textCursor().MoveOperation.Start)
            self.browser.find(text)
