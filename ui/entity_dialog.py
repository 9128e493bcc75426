"""The one form for every kind of item (``EntityDialog``), built from its fields (ui.edit_fields): it
shows the problems an edit would introduce next to the fields they concern and refuses to close
while the edit would make the case invalid."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from planner import describe, editing
from planner.casefile import case_to_dict
from planner.model import Case
from planner.nhs_number import is_valid as nhs_number_is_valid
from planner.reference import label, labels
from planner.validation import Problem
from ui import date_input, keyboard, theme
from ui.date_input import make_date_input
from ui.edit_fields import Field
from ui.plaintext import plain_label

ERROR_STYLE = "color: #b42318;"


def _get(data: dict[str, Any], key: str) -> Any:
    for part in key.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)  # type: ignore[assignment]
    return data


def _set(data: dict[str, Any], key: str, value: Any) -> None:
    *parents, last = key.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    data[last] = value



class EntityDialog(QDialog):
    """A form for one item, refusing to close while the edit would make the case invalid.

    ``attempt(values)`` returns the edited case, or raises EditRejected with the problems.
    """

    def __init__(self, title: str, fields: list[Field], values: dict[str, Any], case: Case,
                 attempt: Callable[[dict[str, Any]], Case], base_path: str,
                 parent: QWidget | None = None, notice: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(560)
        self.fields = fields
        self.attempt = attempt
        self.base_path = base_path
        self.case = case  # to name what a problem is about
        self.result_case: Case | None = None
        self.inputs: dict[str, Any] = {}
        self.errors: dict[str, QLabel] = {}
        form_widget = QWidget()
        form = QFormLayout(form_widget)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        for spec in fields:
            widget = self._input(spec, _get(values, spec.key), case)
            self.inputs[spec.key] = widget
            if spec.kind in ("date", "moment"):  # a date that cannot be read is said on leaving it
                widget.editingFinished.connect(lambda spec=spec: self._check_date(spec))
            error = plain_label(QLabel())
            error.setStyleSheet(ERROR_STYLE)
            error.setWordWrap(True)
            error.hide()
            self.errors[spec.key] = error
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(widget)
            if spec.hint:
                hint = QLabel(spec.hint)
                hint.setStyleSheet("color: #5f6368; font-size: small;")
                hint.setWordWrap(True)  # a long hint wraps: the fields (and a date's calendar) stay in view
                hint.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
                box.addWidget(hint)
            box.addWidget(error)
            words = describe.words(spec.caption, case.person)
            caption = QLabel(f"{words}{' *' if spec.required else ''}:")
            caption.setBuddy(widget)  # clicking or Alt-keying the label reaches its field
            widget.setAccessibleName(words + (" (required)" if spec.required else ""))
            if spec.hint:
                widget.setAccessibleDescription(describe.words(spec.hint, case.person))
            if spec.kind == "readonly":  # shown, and selectable, but Tab passes over it
                widget.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
            form.addRow(caption, box)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form_widget)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes field to field; the form scrolls to each
        self.general = plain_label(QLabel())
        self.general.setStyleSheet(ERROR_STYLE)
        self.general.setWordWrap(True)
        self.general.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        #: said before the edit is applied: what else it changes (an agreed plan's agreements)
        self.notice: QLabel | None = None
        if notice:
            from ui import theme

            self.notice = plain_label(QLabel(notice))
            self.notice.setWordWrap(True)
            theme.style(self.notice, "banner", True)
            layout.addWidget(self.notice)
            ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
            ok.setText("Change the agreed plan")
        layout.addWidget(scroll, 1)
        layout.addWidget(self.general)
        keys = QLabel("Tab moves between fields · Ctrl+Enter saves · Esc cancels")
        keys.setStyleSheet("color: #5f6368; font-size: small;")
        layout.addWidget(keys)
        layout.addWidget(buttons)
        self.resize(620, min(120 + 62 * len(fields), 760))
        if "nhs_number" in self.inputs:
            self.inputs["nhs_number"].textChanged.connect(self._check_nhs_number)
        keyboard.accept_on_ctrl_enter(self, self.try_accept)
        first = next((self.inputs[spec.key] for spec in fields if spec.kind != "readonly"), None)
        if first is not None:
            first.setFocus()  # typing starts in the first field that can be changed
        self._opened = self._state()

    def _state(self) -> list[object]:
        """What the form shows, to tell whether the user changed anything."""
        return [keyboard.widget_state(widget) for widget in self.inputs.values()]

    def reject(self) -> None:
        """Cancel or Escape: typed changes are only thrown away when the user says so."""
        if self._state() != self._opened and not keyboard.discard_changes(self, self.windowTitle()):
            return
        super().reject()

    # -- widgets -------------------------------------------------------------------------
    def _input(self, spec: Field, value: Any, case: Case) -> Any:
        kind = spec.kind
        if kind in ("date", "moment"):  # typed as people write dates, or picked from a calendar
            return make_date_input(value, with_time=kind == "moment")
        if kind in ("text", "number", "integer", "readonly"):
            widget = QLineEdit("" if value is None else str(value))
            if kind == "readonly":  # looks read-only: no frame, the window's colour
                widget.setReadOnly(True)
                widget.setFrame(False)
                colours = widget.palette()
                colours.setColor(QPalette.ColorRole.Base, colours.color(QPalette.ColorRole.Window))
                widget.setPalette(colours)
            return widget
        if kind in ("multiline", "lines"):
            text = "\n".join(value) if kind == "lines" and value else (value or "")
            editor = QPlainTextEdit(text)
            editor.setTabChangesFocus(True)  # Enter starts a new line, Tab goes on, Ctrl+Enter accepts
            theme.style(editor, "multiline")
            editor.setFixedHeight(72)
            return editor
        if kind in ("enum", "ref", "bool"):
            combo = QComboBox()
            choices: list[tuple[Any, str]]
            if kind == "bool":
                choices = [("", "Not recorded"), (True, "Yes"), (False, "No")]
            elif kind == "enum":
                assert spec.enum is not None
                choices = list(labels(spec.enum).items())
            else:
                assert spec.options is not None
                choices = spec.options(case)
            if not spec.required and kind != "bool":
                choices = [("", "Not recorded" if kind == "enum" else "None"), *choices]
            for code, text in choices:
                combo.addItem(text, code)
            index = combo.findData(value if value is not None else "")
            if index < 0 and value is not None:  # keep a value the choices no longer offer
                combo.addItem(str(value), value)
                index = combo.count() - 1
            combo.setCurrentIndex(max(index, 0))
            return combo
        if kind == "refs":
            assert spec.options is not None
            checklist = QListWidget()
            for code, text in spec.options(case):
                item = QListWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, code)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                chosen = bool(value) and code in value
                item.setCheckState(Qt.CheckState.Checked if chosen else Qt.CheckState.Unchecked)
                checklist.addItem(item)
            checklist.setFixedHeight(120)
            return checklist
        if kind == "regulators":
            return RegulatorsInput(value)
        raise ValueError(f"unknown field kind {kind}")

    def _read(self, spec: Field) -> Any:
        widget = self.inputs[spec.key]
        kind = spec.kind
        if kind in ("date", "moment"):
            return date_input.typed(widget.text(), with_time=kind == "moment")
        if kind in ("text", "readonly"):
            return widget.text().strip() or None
        if kind == "number":
            text = widget.text().strip()
            if not text:
                return None
            try:
                number = float(text)
            except ValueError:
                raise ValueError("Not a number.") from None
            return int(number) if number.is_integer() else number
        if kind == "integer":
            text = widget.text().strip()
            try:
                return int(text) if text else None
            except ValueError:
                raise ValueError("Not a whole number.") from None
        if kind == "multiline":
            return widget.toPlainText().strip() or None
        if kind == "lines":
            return [line.strip() for line in widget.toPlainText().splitlines() if line.strip()]
        if kind in ("enum", "ref", "bool"):
            data = widget.currentData()
            return None if data == "" else data
        if kind == "refs":
            return [widget.item(i).data(Qt.ItemDataRole.UserRole) for i in range(widget.count())
                    if widget.item(i).checkState() == Qt.CheckState.Checked]
        return widget.value()

    def values(self) -> dict[str, Any]:
        """The form in case-file form; empty fields (and empty nested objects) are left out.

        Raises ValueError({key: message}) naming every number or date that cannot be read."""
        data: dict[str, Any] = {}
        unreadable: dict[str, str] = {}
        for spec in self.fields:
            try:
                value = self._read(spec)
            except ValueError as error:
                unreadable[spec.key] = str(error)
                continue
            if (value is not None and value != []) or (spec.kind == "regulators" and value == []):
                _set(data, spec.key, value)
        if unreadable:
            raise ValueError(unreadable)
        return data

    # -- checking ------------------------------------------------------------------------
    def _check_nhs_number(self, text: str) -> None:
        digits = text.replace(" ", "")
        message = ""
        if digits and (len(digits) != 10 or not digits.isdigit()):
            message = "An NHS number has 10 digits."
        elif digits and not nhs_number_is_valid(digits):
            message = "Not a valid NHS number: the check digit does not match."
        self._show_error("nhs_number", message)

    def _check_date(self, spec: Field) -> None:
        try:
            date_input.typed(self.inputs[spec.key].text(), with_time=spec.kind == "moment")
        except ValueError as error:
            self._show_error(spec.key, str(error))
            return
        self._show_error(spec.key, "")

    def _show_error(self, key: str, message: str) -> None:
        error = self.errors[key]
        error.setText(message[:1].upper() + message[1:])
        error.setVisible(bool(message))

    def show_problems(self, problems: list[Problem]) -> None:
        from planner.wording import Namer, in_words

        namer = Namer(case_to_dict(self.case))
        here = [p for p in problems if p.path.startswith(self.base_path + ".")]
        elsewhere = [p for p in problems if not p.path.startswith(self.base_path + ".")]
        fields, _other = editing.field_problems(
            [Problem(p.path, namer.message(p.message)) for p in here], self.base_path)
        other = in_words(elsewhere, self.case)  # named, never by path or id
        for key in self.errors:
            self._show_error(key, "")
        unplaced = list(other)
        for key, message in fields.items():
            head = key.split(".")[0]
            # a problem with a whole object ("cost: per is required") shows at its first field
            inside = next((k for k in self.errors if k.startswith(head + ".")), None)
            target = key if key in self.errors else head if head in self.errors else inside
            if target is None:
                unplaced.append(f"{namer.place(f'{self.base_path}.{key}')}: {message}")
            else:
                self._show_error(target, message)
        self.general.setText("\n".join(unplaced))
        self.general.setVisible(bool(unplaced))

    def try_accept(self) -> None:
        try:
            values = self.values()
        except ValueError as error:
            for key in self.errors:
                self._show_error(key, "")
            for key, message in error.args[0].items():
                self._show_error(key, message)
            return
        if "nhs_number" in values:
            values["nhs_number"] = values["nhs_number"].replace(" ", "")
        missing = [spec for spec in self.fields if spec.required and _get(values, spec.key) in (None, "")]
        for spec in missing:
            self._show_error(spec.key, "Required.")
        if missing:
            return
        try:
            self.result_case = self.attempt(values)
        except editing.EditRejected as rejected:
            self.show_problems(rejected.problems)
            return
        self.accept()


class RegulatorsInput(QWidget):
    """Regulators of an organisation: the sector's usual ones, or those ticked (maybe none)."""

    CODES = ("CQC", "NHSE", "CHARITY_COMMISSION", "GPHC")

    def __init__(self, value: list[str] | None) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.default = QCheckBox("The sector's usual regulators")
        self.setFocusProxy(self.default)  # the form's label leads to the first box
        self.default.setChecked(value is None)
        layout.addWidget(self.default)
        self.boxes = {}
        for code in self.CODES:
            box = QCheckBox(label("regulator_short", code))
            box.setChecked(bool(value) and code in value)  # type: ignore[operator]
            box.setEnabled(value is not None)
            self.boxes[code] = box
            layout.addWidget(box)
        layout.addStretch(1)
        self.default.toggled.connect(self._use_default)

    def _use_default(self, on: bool) -> None:
        for box in self.boxes.values():
            box.setEnabled(not on)

    def value(self) -> list[str] | None:
        if self.default.isChecked():
            return None
        return [code for code, box in self.boxes.items() if box.isChecked()]
