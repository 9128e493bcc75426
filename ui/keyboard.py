"""Keyboard-first helpers shared by the dialogs and tables.

- Ctrl+Enter accepts a dialog from anywhere in it, a multi-line field included (where Enter
  starts a new line and Tab moves on to the next field).
- Escape never silently throws away what was typed: a dialog whose fields changed asks first.
- Enter on a table row opens it; Insert adds a row; Delete deletes it (see ui.widgets.EditBar).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

#: Accepts a dialog from any of its fields.
ACCEPT_KEYS = ("Ctrl+Return", "Ctrl+Enter")
#: Open the current row of a table.
OPEN_KEYS = ("Return", "Enter")


def accept_on_ctrl_enter(dialog: QWidget, accept: Callable[[], object]) -> list[QShortcut]:
    """Ctrl+Enter (either Enter key) calls ``accept`` wherever the focus is in ``dialog``."""
    return on_keys(dialog, ACCEPT_KEYS, accept, Qt.ShortcutContext.WindowShortcut)


def on_keys(widget: QWidget, keys: tuple[str, ...], slot: Callable[[], object],
            context: Qt.ShortcutContext = Qt.ShortcutContext.WidgetShortcut) -> list[QShortcut]:
    """Shortcuts on ``widget`` calling ``slot``: by default only while ``widget`` has the focus."""
    shortcuts = []
    for key in keys:
        shortcut = QShortcut(QKeySequence(key), widget)
        shortcut.setContext(context)
        shortcut.activated.connect(slot)
        shortcuts.append(shortcut)
    return shortcuts


def enter_opens(view: QAbstractItemView, open_row: Callable[[int], object]) -> list[QShortcut]:
    """Enter (or Return) on a table's current row calls ``open_row(row)``."""
    def activate() -> None:
        index = view.currentIndex()
        if index.isValid():
            open_row(index.row())

    return on_keys(view, OPEN_KEYS, activate)


def widget_state(widget: QWidget) -> object:
    """What an input shows, comparable before and after the user typed (for "changed?")."""
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, (QPlainTextEdit, QTextEdit)):
        return widget.toPlainText()
    if isinstance(widget, QComboBox):
        return widget.currentIndex()
    if isinstance(widget, QListWidget):
        return [widget.item(i).checkState() for i in range(widget.count())]
    if isinstance(widget, QAbstractButton):
        return widget.isChecked()
    return [widget_state(child) for child in widget.findChildren(QAbstractButton)]


def discard_changes(parent: QWidget, what: str) -> bool:
    """Ask before throwing typed changes away; True only if the user chooses to discard them."""
    box = QMessageBox(QMessageBox.Icon.Question, "Discard your changes?",
                      f"You have changed “{what}”. Discard the changes?", parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    discard = box.addButton("&Discard changes", QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton("&Keep editing", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.exec()
    return box.clickedButton() is discard


class TextDialog(QDialog):
    """A prompt with a multi-line answer: Enter starts a new line, Tab moves to the buttons,
    Ctrl+Enter accepts, and Escape with text typed asks before throwing it away."""

    def __init__(self, title: str, prompt: str, text: str = "", parent: QWidget | None = None,
                 *, accept_text: str = "OK") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.prompt = QLabel(prompt)
        self.prompt.setTextFormat(Qt.TextFormat.PlainText)
        self.prompt.setWordWrap(True)
        self.editor = QPlainTextEdit(text)
        self.editor.setTabChangesFocus(True)
        from ui import theme

        theme.style(self.editor, "multiline")
        self.editor.setAccessibleName(title)
        self.editor.setAccessibleDescription(prompt)
        self.prompt.setBuddy(self.editor)
        hint = QLabel("Ctrl+Enter to accept · Tab to move on · Esc to cancel")
        hint.setStyleSheet("color: #5f6368; font-size: small;")
        standard = QDialogButtonBox.StandardButton
        buttons = QDialogButtonBox(standard.Ok | standard.Cancel)
        ok = buttons.button(standard.Ok)
        ok.setText(accept_text)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addWidget(self.editor, 1)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        accept_on_ctrl_enter(self, self.accept)
        self._opened = text
        self.editor.setFocus()
        self.resize(520, 300)

    def text(self) -> str:
        return self.editor.toPlainText()

    def reject(self) -> None:
        if self.text().strip() != self._opened.strip() and not discard_changes(self, self.windowTitle()):
            return
        super().reject()


def ask_text(parent: QWidget | None, title: str, prompt: str, text: str = "",
             accept_text: str = "OK") -> str | None:
    """The text the user wrote in a TextDialog, or None if they cancelled."""
    dialog = TextDialog(title, prompt, text, parent, accept_text=accept_text)
    return dialog.text() if dialog.exec() == QDialog.DialogCode.Accepted else None
