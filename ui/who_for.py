"""The question the File menu asks before writing an output that may be anonymised: who is it for?"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from ui.actions.outputs import Output


def ask_who_for(parent: QWidget | None, output: Output) -> bool | None:
    """Whom an output that may be anonymised is for: True for anonymised (the default button),
    False for the care team, None if cancelled."""
    box = QMessageBox(QMessageBox.Icon.Question, output.title.replace("&", "").rstrip("…"),
                      f"Who is the {output.noun.split()[-1]} for?", parent=parent)
    box.setInformativeText(
        "For the care team: identifiable, as the case is.\n"
        "For anyone else: anonymised, as the workshop summary is (a pseudonym; no NHS number, "
        "date of birth or postcode; dates moved; team members by role).")
    team = box.addButton("Identifiable, for the care team", QMessageBox.ButtonRole.AcceptRole)
    anonymised = box.addButton("Anonymised", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(anonymised)
    box.exec()
    if box.clickedButton() not in (team, anonymised):
        return None
    return box.clickedButton() is anonymised
