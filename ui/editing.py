"""Editing a case in the GUI: one dialog for every kind of item, and undoable edits.

Each kind of item (the person, an organisation, a step...) is described by a list of fields;
``EntityDialog`` builds its form from them and shows the problems an edit would introduce next
to the fields they concern (the same rules as case-file import, from ``planner.editing``). An
accepted edit becomes an ``EditCase`` command on the open case's QUndoStack, holding the case
before and after, so undo, redo and "unsaved changes" come for free.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette, QUndoCommand, QUndoStack
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
    QMessageBox,
    QPlainTextEdit,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from planner import careplan, describe, editing
from planner.casefile import case_to_dict
from planner.dates import format_day, parse_date
from planner.model import Case
from planner.nhs_number import is_valid as nhs_number_is_valid
from planner.reference import label, labels
from planner.validation import Problem
from ui import date_input, keyboard, theme
from ui.date_input import make_date_input
from ui.plaintext import literal, plain_label

ERROR_STYLE = "color: #b42318;"
Options = Callable[[Case], list[tuple[str, str]]]


@dataclass(frozen=True)
class Field:
    """One form field: ``key`` is its place in the item's case-file form ("frailty.score")."""

    key: str
    caption: str
    kind: str = "text"  # text, multiline, date, moment, enum, bool, ref, refs, lines, regulators,
    #                     number, integer, readonly
    enum: str | None = None
    options: Options | None = None
    required: bool = False
    hint: str = ""


# -- choices drawn from the open case ----------------------------------------------------------
def _organisations(case: Case) -> list[tuple[str, str]]:
    return [(o.id, o.name) for o in case.organisations]


def _members(case: Case) -> list[tuple[str, str]]:
    return [(m.id, f"{m.name} ({label('role', m.role)})") for m in case.team]


def _owners(case: Case) -> list[tuple[str, str]]:
    return _members(case) + [(o.id, f"{o.name} (organisation)") for o in case.organisations]


def _steps(case: Case) -> list[tuple[str, str]]:
    return [(s.id, f"{format_day(s.start)}: {s.label or label('kind', s.kind)}")
            for s in case.ordered_steps()]


def _goals(case: Case) -> list[tuple[str, str]]:
    return [(g.id, g.in_my_words) for g in case.care_plan.goals] if case.care_plan else []


MOMENT_HINT = "A date, or a date and a time: 10 Jul 2024 14:30"

PERSON_FIELDS = [
    Field("title", "Case title", hint="How the case is listed, e.g. “Mrs Smith, Torbay”"),
    Field("name", "Name", required=True),
    Field("nhs_number", "NHS number", hint="10 digits; checked as you type"),
    Field("date_of_birth", "Date of birth", "date"),
    Field("sex", "Sex", "enum", "sex"),
    Field("area", "Area (local authority)"),
    Field("postcode", "Postcode"),
    Field("living_situation", "Living situation", "enum", "living_situation"),
    Field("conditions", "Long-term conditions", "lines", hint="One per line"),
    Field("frailty.scale", "Frailty scale", "enum", "frailty_scale"),
    Field("frailty.score", "Frailty score", "number", hint="CFS 1–9, or eFI 0–1"),
    Field("frailty.assessed_on", "Frailty assessed on", "date"),
    Field("frailty.assessed_by", "Frailty assessed by"),
    Field("what_matters", "What matters, in {their} words", "multiline"),
    Field("consent.status", "Consent to share", "enum", "consent_status"),
    Field("consent.scope", "Consent scope"),
    Field("consent.recorded_on", "Consent recorded on", "date"),
    Field("preferred_place_of_care", "Preferred place of care", "enum", "preferred_place_of_care"),
]

FIELDS: dict[str, list[Field]] = {
    "organisations": [
        Field("id", "Id", "readonly"),
        Field("name", "Name", required=True),
        Field("sector", "Sector", "enum", "sector", required=True),
        Field("area", "Area"),
        Field("payment_model", "Paid by", "enum", "payment_model", hint="Empty: the sector's usual model"),
        Field("regulators", "Regulated by", "regulators"),
        Field("cqc_registered", "CQC registered", "bool"),
        Field("shared_record_access", "Shared record access", "bool"),
        Field("funding_term", "Funding", "enum", "funding_term"),
        Field("codes.ods", "ODS code"),
        Field("codes.cqc_location", "CQC location id"),
        Field("codes.cqc_provider", "CQC provider id"),
        Field("codes.charity_number", "Charity number"),
        Field("oversight.cqc_rating", "CQC rating", "enum", "cqc_rating"),
        Field("oversight.financial_recovery", "In financial recovery", "bool"),
        Field("oversight.system_level_assessment", "Assessed at system level", "bool"),
    ],
    "team": [
        Field("id", "Id", "readonly"),
        Field("name", "Name", required=True),
        Field("role", "Role", "enum", "role", required=True),
        Field("organisation", "Organisation", "ref", options=_organisations),
        Field("contact", "Contact"),
        Field("professional_register", "Professional register", "enum", "professional_register"),
    ],
    "coordinator": [
        Field("member", "Care coordinator", "ref", options=_members, required=True),
        Field("from", "From", "date", required=True),
        Field("to", "To", "date", hint="Empty while still the coordinator"),
        Field("reason", "Why", "multiline"),
    ],
    "steps": [
        Field("id", "Id", "readonly"),
        Field("kind", "Kind", "enum", "kind", required=True),
        Field("label", "What happened"),
        Field("organisation", "Organisation", "ref", options=_organisations, required=True),
        Field("start", "Start", "moment", required=True, hint=MOMENT_HINT),
        Field("end", "End", "moment", hint=MOMENT_HINT),
        Field("stage", "Stage", "enum", "stage"),
        Field("setting", "Setting", "enum", "setting"),
        Field("emergency", "Emergency", "bool"),
        Field("funding", "Funding", "enum", "funding"),
        Field("ready_for_discharge", "Ready for discharge", "date", hint="Admissions only"),
        Field("delay_reason", "Reason for delay", "enum", "delay_reason"),
        Field("delay_attribution", "Delay attributed to", "enum", "delay_attribution",
              hint="Empty: the usual attribution for the reason"),
        Field("assessment_domain", "Assessment of", "enum", "assessment_domain"),
        Field("service_line", "Service"),
        Field("contract", "Contract"),
        Field("chc_status", "Continuing Healthcare", "enum", "chc_status"),
        Field("permanent", "Permanent placement", "bool"),
        Field("cost.amount", "Own unit cost (£)", "number",
              hint="Only when this step's cost differs from the published figure for its kind and setting"),
        Field("cost.per", "Cost per", "enum", "cost_per"),
        Field("cost.source", "Where the cost comes from", hint="e.g. “local tariff 2024/25”"),
        Field("notes", "Notes", "multiline"),
    ],
    "handoffs": [
        Field("from", "From step", "ref", options=_steps, required=True),
        Field("to", "To step", "ref", options=_steps, required=True),
        Field("method", "How information went across", "enum", "method"),
        Field("named_receiver", "Named receiver", "ref", options=_members),
        Field("notes", "Notes", "multiline"),
    ],
    "goals": [
        Field("id", "Id", "readonly"),
        Field("in_my_words", "In {their} words", "multiline", required=True),
        Field("outcome", "How we will know"),
        Field("target_date", "By", "date"),
        Field("status", "Status", "enum", "goal_status"),
    ],
    "actions": [
        Field("id", "Id", "readonly"),
        Field("description", "What will be done", "multiline", required=True),
        Field("owner", "Who", "ref", options=_owners),
        Field("goal", "For the goal", "ref", options=_goals),
        Field("due", "By", "date"),
        Field("frequency", "How often"),
        Field("status", "Status", "enum", "action_status"),
    ],
}

PLAN_FIELDS = [
    Field("review_on", "Review on", "date", hint="When the team will look at the plan again"),
    Field("contingency", "If I become unwell", "multiline",
          hint="In {their} words: what to do, and who to call first"),
]


def _active_members(case: Case) -> list[tuple[str, str]]:
    return [(m.id, f"{m.name} ({label('role', m.role)})") for m in careplan.active_team(case)]


def _next_coordinators(case: Case) -> list[tuple[str, str]]:
    current = case.current_coordinator()
    return [choice for choice in _active_members(case) if current is None or choice[0] != current.member]


def _not_signed(case: Case) -> list[tuple[str, str]]:
    signed = set(case.care_plan.signed_off_by) if case.care_plan else set()
    return [choice for choice in _active_members(case) if choice[0] not in signed]


COORDINATOR_FIELDS = [
    Field("member", "New care coordinator", "ref", options=_next_coordinators, required=True),
    Field("from", "From", "date", required=True, hint="The current coordinator's period ends that day"),
    Field("reason", "Why", "multiline", hint="Required when the role passes from one person to another"),
]
LEAVING_FIELDS = [
    Field("on", "Left on", "date", required=True),
    Field("reason", "Why", "text", hint="e.g. “Moved to another team”"),
]
SIGN_OFF_FIELDS = [
    Field("member", "Who agrees the plan", "ref", options=_not_signed, required=True),
    Field("on", "Agreed on", "date", required=True),
]
AGREE_FIELDS = [
    Field("agreed_by", "Agreed by", "readonly"),
    Field("on", "Agreed on", "date", required=True),
]


#: The lists of the care plan: adding, changing or deleting one of their items changes what was agreed.
PLAN_COLLECTIONS = ("goals", "actions")


def agreement_notice(case: Case) -> str | None:
    """What an edit of the plan's words will do to the agreements recorded on it, said before the
    edit is applied; None when nobody has agreed the plan as it reads now."""
    plan = case.care_plan
    if plan is None or not plan.signed_off_by:
        return None
    names = [m.name for m in (case.member(i) for i in plan.signed_off_by) if m is not None]
    who = (", ".join(names[:-1]) + " and " + names[-1]) if len(names) > 1 else (names[0] if names else "")
    agreed = f"{who} agreed" if who else "The team agreed"
    return (f"⚠ {agreed} the plan as it reads now. Changing it clears "
            f"{'their agreements' if len(names) != 1 else 'that agreement'}: the plan becomes a draft "
            "to be agreed again. Edit › Undo (Ctrl+Z) puts the plan and the agreements back.")


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


def _in_words(rejected: editing.EditRejected, case: Case) -> list[str]:
    """A refused edit's problems as people read them: named, never by JSON path or internal id."""
    from planner.wording import in_words

    return in_words(rejected.problems, case)


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


class EditCase(QUndoCommand):
    """One edit of the open case: redo shows the case after it, undo the case before."""

    def __init__(self, text: str, before: Case, after: Case, apply: Callable[[Case], None]) -> None:
        super().__init__(text)
        self.before, self.after, self.apply = before, after, apply

    def redo(self) -> None:
        self.apply(self.after)

    def undo(self) -> None:
        self.apply(self.before)


@dataclass
class CaseEditor:
    """Turns the user's requests into validated, undoable edits of the open case."""

    window: QWidget
    current: Callable[[], Case | None]
    apply: Callable[[Case], None]
    stack: QUndoStack = field(default_factory=QUndoStack)
    #: Asks the user to pick a provider-directory entry (returns it, or None if cancelled).
    choose_from_directory: Callable[[], Any] | None = None
    #: Asks the user to pick a person known on another case (a db.people.KnownPerson, or None).
    choose_known_person: Callable[[], Any] | None = None
    #: Tells the user what just happened (the main window's status bar).
    tell: Callable[[str], None] | None = None

    # -- generic item edits --------------------------------------------------------------
    def _push(self, text: str, before: Case, after: Case) -> None:
        if (before.care_plan is not None and before.care_plan.signed_off_by
                and (after.care_plan is None or not after.care_plan.signed_off_by)
                and not text.startswith("Withdraw")):
            text += " (the plan changed, so its agreements were cleared)"
            self.stack.push(EditCase(text, before, after, self.apply))
            status = getattr(self.window, "statusBar", None)
            if callable(status):
                status().showMessage("The plan changed, so its agreements were cleared: Ctrl+Z undoes it",
                                     15000)
            return
        self.stack.push(EditCase(text, before, after, self.apply))

    def _describe(self, collection: str, data: dict[str, Any], case: Case) -> str:
        noun = editing.COLLECTIONS[collection].noun
        name = (data.get("label") or data.get("name") or data.get("in_my_words") or data.get("description"))
        if name:
            text = str(name)
            return f"{noun} “{text[:40]}{'…' if len(text) > 40 else ''}”"
        return noun

    def add(self, collection: str) -> None:
        case = self.current()
        if case is None:
            return
        values: dict[str, Any] = {}
        info = editing.COLLECTIONS[collection]
        if info.id_prefix is not None:
            values["id"] = editing.next_id(case, collection)
        index = len(info.items(case_to_dict(case)))
        self._open(f"Add {info.noun}", collection, None, index, values, case)

    def edit(self, collection: str, index: int) -> None:
        case = self.current()
        if case is None:
            return
        info = editing.COLLECTIONS[collection]
        values = editing.item_data(case, collection, index)
        self._open(f"Edit {info.noun}", collection, index, index, values, case)

    def _open(self, title: str, collection: str, index: int | None, position: int,
              values: dict[str, Any], case: Case) -> None:
        dialog = EntityDialog(
            title, FIELDS[collection], values, case,
            lambda data: editing.put(case, collection, index, data),
            editing.item_path(collection, position), self.window,
            notice=agreement_notice(case) if collection in PLAN_COLLECTIONS else None)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.result_case is not None:
            verb = "Add" if index is None else "Edit"
            what = self._describe(collection, dialog.values(), case)
            self._push(f"{verb} {what}", case, dialog.result_case)

    def delete(self, collection: str, index: int) -> bool:
        case = self.current()
        if case is None:
            return False
        data = editing.item_data(case, collection, index)
        notice = agreement_notice(case) if collection in PLAN_COLLECTIONS else None
        if notice is not None:  # said before it is done, and asked
            answer = QMessageBox.question(
                self.window, f"Delete {self._describe(collection, data, case)}",
                literal(f"{notice.removeprefix('⚠ ')}\n\nDelete it?"),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return False
        try:
            after = editing.remove(case, collection, index)
        except editing.EditRejected as rejected:
            noun = self._describe(collection, data, case)
            from planner.wording import Namer

            namer = Namer(case_to_dict(case))  # where it is used, by name (the message says why)
            uses = "\n".join(f"• {namer.place(p.path)}" for p in rejected.problems[:10])
            QMessageBox.warning(self.window, "Cannot delete",
                                literal(f"The {noun} is still used elsewhere in the case, so it was not "
                                        f"deleted. Change these first:\n\n{uses}"))
            return False
        what = self._describe(collection, data, case)
        self._push(f"Delete {what}", case, after)
        if self.tell is not None:  # a deleted row is gone from view: say so, and how to get it back
            self.tell(f"{what[:1].upper()}{what[1:]} deleted: Ctrl+Z to undo")
        return True

    def add_from_directory(self) -> None:
        """Add an organisation picked from the provider directory, with its codes and defaults."""
        case = self.current()
        if case is None or self.choose_from_directory is None:
            return
        record = self.choose_from_directory()
        if record is None:
            return
        entry = record.entry
        data: dict[str, Any] = {"id": editing.next_id(case, "organisations"), "name": entry.name,
                                "sector": entry.sector}
        for key in ("area", "payment_model", "regulators", "cqc_registered"):
            if getattr(entry, key) is not None:
                data[key] = getattr(entry, key)
        if entry.code_system in ("ods", "cqc_location"):
            data["codes"] = {entry.code_system: entry.code}
        if entry.cqc_rating:
            data["oversight"] = {"cqc_rating": entry.cqc_rating}
        try:
            after = editing.put(case, "organisations", None, data)
        except editing.EditRejected as rejected:
            QMessageBox.warning(self.window, "Not added", literal("\n".join(_in_words(rejected, case))))
            return
        self._push(f"Add organisation “{entry.name}” from the directory", case, after)

    # -- the person, the plan and the annotations --------------------------------------
    def edit_person(self) -> None:
        case = self.current()
        if case is None:
            return
        data = case_to_dict(case)
        values = {**data["person"], "title": data.get("title")}

        def attempt(form: dict[str, Any]) -> Case:
            title = form.pop("title", None)
            return editing.with_person(case, title, form)

        dialog = EntityDialog("Edit person", PERSON_FIELDS, values, case, attempt, "$.person", self.window)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.result_case is not None:
            self._push("Edit person", case, dialog.result_case)

    def edit_plan(self) -> None:
        case = self.current()
        if case is None:
            return
        plan = case_to_dict(case).get("care_plan", {})
        dialog = EntityDialog("Edit care plan", PLAN_FIELDS, plan, case,
                              lambda form: editing.with_plan(case, form), "$.care_plan", self.window,
                              notice=agreement_notice(case))
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.result_case is not None:
            self._push("Edit care plan", case, dialog.result_case)

    # -- the team, the care coordinator and agreeing the plan ---------------------------------
    def _form(self, title: str, fields: list[Field], values: dict[str, Any],
              attempt: Callable[[Case, dict[str, Any]], Case], text: Callable[[Case], str]) -> bool:
        """A small form whose ``attempt`` raises EditRejected with problems at the form's keys
        ("member", "on") or at case paths; dates arrive as text and are read here."""
        case = self.current()
        if case is None:
            return False
        date_keys = [f.key for f in fields if f.kind == "date"]

        def checked(form: dict[str, Any]) -> Case:
            values = dict(form)
            for key in date_keys:
                if values.get(key) is not None:
                    try:
                        values[key] = parse_date(values[key])
                    except ValueError as error:
                        raise editing.EditRejected([Problem(f"$form.{key}", str(error))]) from None
            try:
                return attempt(case, values)
            except editing.EditRejected as rejected:
                raise editing.EditRejected(
                    [p if p.path.startswith("$") else Problem(f"$form.{p.path}", p.message)
                     for p in rejected.problems]) from None

        dialog = EntityDialog(title, fields, values, case, checked, "$form", self.window)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.result_case is not None:
            self._push(text(dialog.result_case), case, dialog.result_case)
            return True
        return False

    def _direct(self, text: str, change: Callable[[Case], Case]) -> bool:
        case = self.current()
        if case is None:
            return False
        try:
            after = change(case)
        except editing.EditRejected as rejected:
            QMessageBox.warning(self.window, "Not changed",
                                literal("\n".join(_in_words(rejected, case))))
            return False
        self._push(text, case, after)
        return True

    def assign_coordinator(self) -> bool:
        """Name a new care coordinator, closing the current holder's period."""
        case = self.current()
        if case is None:
            return False
        if not _next_coordinators(case):
            QMessageBox.information(self.window, "Assign care coordinator",
                                    "There is nobody else on the team to name. Add a team member first.")
            return False

        def name(after: Case) -> str:
            member = after.member(after.current_coordinator().member)  # type: ignore[union-attr]
            return f"Name {member.name if member else 'a new'} care coordinator"

        return self._form(
            "Assign care coordinator", COORDINATOR_FIELDS, {"from": date.today().isoformat()},
            lambda case, form: careplan.assign_coordinator(case, form["member"], form["from"],
                                                           form.get("reason") or ""), name)

    def member_leaves(self, member_id: str) -> bool:
        case = self.current()
        member = case.member(member_id) if case else None
        if member is None:
            return False
        return self._form(
            f"{member.name} has left the team", LEAVING_FIELDS, {"on": date.today().isoformat()},
            lambda case, form: careplan.member_leaves(case, member_id, form["on"], form.get("reason")),
            lambda _after: f"{member.name} left the team")

    def member_returns(self, member_id: str) -> bool:
        case = self.current()
        member = case.member(member_id) if case else None
        if member is None:
            return False
        return self._direct(f"{member.name} back on the team",
                            lambda case: careplan.member_returns(case, member_id))

    def record_sign_off(self) -> bool:
        case = self.current()
        if case is None:
            return False
        if case.care_plan is None:
            QMessageBox.information(self.window, "Record agreement", "There is no care plan to agree yet.")
            return False
        if not _not_signed(case):
            QMessageBox.information(self.window, "Record agreement",
                                    "Everyone on the team has agreed the plan as it reads now.")
            return False

        def text(after: Case) -> str:
            assert after.care_plan is not None
            member = after.member(after.care_plan.signed_off_by[-1])
            return f"{member.name if member else 'Someone'} agrees the care plan"

        return self._form("Record agreement to the care plan", SIGN_OFF_FIELDS,
                          {"on": date.today().isoformat()},
                          lambda case, form: careplan.record_sign_off(case, form["member"], form["on"]), text)

    def withdraw_sign_off(self, member_id: str) -> bool:
        case = self.current()
        member = case.member(member_id) if case else None
        return self._direct(f"Withdraw {member.name if member else member_id}'s agreement",
                            lambda case: careplan.withdraw_sign_off(case, member_id))

    def agree_version(self) -> bool:
        case = self.current()
        if case is None or case.care_plan is None:
            return False
        number = careplan.next_version(case)
        names = [m.name for m in (case.member(i) for i in case.care_plan.signed_off_by) if m]
        why_not = careplan.why_not_agree(case)
        if why_not is not None:
            QMessageBox.information(self.window, f"Agree version {number}",
                                    literal(f"The plan cannot be agreed as a new version: {why_not}."))
            return False
        return self._form(
            f"Agree version {number} of the care plan", AGREE_FIELDS,
            {"agreed_by": ", ".join(names), "on": date.today().isoformat()},
            lambda case, form: careplan.agree_version(case, form["on"]),
            lambda _after: f"Agree version {number} of the care plan")

    def add_known_person(self) -> bool:
        """Add a team member already known on another case, with their organisation."""
        case = self.current()
        if case is None or self.choose_known_person is None:
            return False
        person = self.choose_known_person()
        if person is None:
            return False
        member: dict[str, Any] = {"id": editing.next_id(case, "team"), "name": person.name,
                                  "role": person.role}
        for key in ("contact", "professional_register"):
            if getattr(person, key):
                member[key] = getattr(person, key)
        org = person.organisation
        new_org: dict[str, Any] | None = None
        if org is not None:
            same = next((o for o in case.organisations if o.name.strip().lower() == org.name.strip().lower()),
                        None)
            if same is not None:
                member["organisation"] = same.id
            else:
                from planner.convert import to_json

                new_org = {**to_json(org), "id": editing.next_id(case, "organisations")}
                member["organisation"] = new_org["id"]

        def change(data: dict[str, Any]) -> None:
            if new_org is not None:
                data.setdefault("organisations", []).append(new_org)
            data.setdefault("team", []).append(member)

        try:
            after = editing.edit(case, change)
        except editing.EditRejected as rejected:
            QMessageBox.warning(self.window, "Not added", literal("\n".join(_in_words(rejected, case))))
            return False
        also = f" (and {org.name})" if new_org is not None and org is not None else ""
        self._push(f"Add team member “{person.name}”{also} from another case", case, after)
        return True

    def set_annotations(self, annotations: list[Any], text: str) -> None:
        """Replace the case's annotations (the team's view of findings) as one undoable edit."""
        case = self.current()
        if case is None:
            return
        from datetime import datetime

        from db.audit import user_name
        from planner.annotating import with_annotations
        from planner.convert import to_json

        try:  # each new annotation recorded with who made it and when
            after = with_annotations(case, [to_json(a) for a in annotations], user_name(), datetime.now())
        except editing.EditRejected as rejected:
            QMessageBox.warning(self.window, "Not changed", literal("\n".join(_in_words(rejected, case))))
            return
        self._push(text, case, after)

    def set_pin(self, rule: str, key: bool | None, text: str) -> None:
        """Pin a rule as a key finding (True), take it off them (False) or leave it to the ranking
        (None), recorded with who and when, as one undoable edit."""
        case = self.current()
        if case is None:
            return
        from datetime import datetime

        from db.audit import user_name
        from planner.annotating import with_pin

        try:
            after = with_pin(case, rule, key, user_name(), datetime.now())
        except editing.EditRejected as rejected:
            QMessageBox.warning(self.window, "Not changed", literal("\n".join(_in_words(rejected, case))))
            return
        self._push(text, case, after)
