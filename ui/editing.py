"""Editing a case in the GUI: undoable edits, and the editor that makes them.

Each kind of item (the person, an organisation, a step...) is described by a list of fields
(ui.edit_fields); ``EntityDialog`` (ui.entity_dialog) builds its form from them and shows the
problems an edit would introduce next to the fields they concern (the same rules as case-file
import, from ``planner.editing``). An accepted edit becomes an ``EditCase`` command on the open
case's QUndoStack, holding the case before and after, so undo, redo and "unsaved changes" come for
free. ``CaseEditor`` opens the forms and pushes the edits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from planner import careplan, editing
from planner.casefile import case_to_dict
from planner.dates import parse_date
from planner.model import Case
from planner.validation import Problem
from ui.edit_fields import (
    AGREE_FIELDS,
    COORDINATOR_FIELDS,
    FIELDS,
    LEAVING_FIELDS,
    MOMENT_HINT,
    PERSON_FIELDS,
    PLAN_FIELDS,
    SIGN_OFF_FIELDS,
    Field,
    next_coordinators,
    not_signed,
)
from ui.entity_dialog import EntityDialog, RegulatorsInput
from ui.entity_dialog import _get as _get  # read a form's value by its dotted key (the tests use it)
from ui.plaintext import literal

# the forms' fields and the one form are their own modules; named here as before
__all__ = ["AGREE_FIELDS", "COORDINATOR_FIELDS", "FIELDS", "LEAVING_FIELDS", "MOMENT_HINT", "PERSON_FIELDS",
           "PLAN_COLLECTIONS", "PLAN_FIELDS", "SIGN_OFF_FIELDS", "CaseEditor", "EditCase", "EntityDialog",
           "Field", "RegulatorsInput", "agreement_notice"]


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



def _in_words(rejected: editing.EditRejected, case: Case) -> list[str]:
    """A refused edit's problems as people read them: named, never by JSON path or internal id."""
    from planner.wording import in_words

    return in_words(rejected.problems, case)


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
        if not next_coordinators(case):
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
        if not not_signed(case):
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
