"""Edit › Preferences: the name the audit trail records for this user."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ui.preferences import display_name, set_display_name


class PreferencesDialog(QDialog):
    """Edit › Preferences: the name shown in the case history for what you do."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from db import audit

        self.setWindowTitle("Preferences")
        self.name = QLineEdit(display_name() or "")
        self.name.setMaxLength(200)
        self.name.setPlaceholderText(audit.os_user())
        hint = QLabel("Recorded in the case history with everything you create, edit, export, print "
                      f"or delete. Left empty, your login name ({audit.os_user()}) is recorded.")
        hint.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Your &name:", self.name)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        self.resize(460, self.sizeHint().height())
        self.name.setFocus()

    def accept(self) -> None:
        set_display_name(self.name.text())
        super().accept()

    def reject(self) -> None:
        """Escape or Cancel: a name typed is thrown away only when the user says so."""
        from ui.keyboard import discard_changes

        if self.name.text().strip() != (display_name() or "") and not discard_changes(self, "Your name"):
            return
        super().reject()
