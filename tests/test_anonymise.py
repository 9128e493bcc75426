"""Anonymising a case: the copy keeps what the rules read and nothing that identifies her.

The property test generates people (names, NHS numbers, dates of birth, postcodes), writes them
into every piece of text a case has, and checks that none of it survives anonymisation, in the
case file of the copy and in the workshop PDF made from the original.
"""

from __future__ import annotations

import json
import subprocess
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.analysis import analyse
from planner.anonymise import (
    SHIFTED_EPOCH,
    Redactor,
    age_band,
    anonymise,
    anonymise_case,
    anonymity,
    pseudonym,
    redactor_for,
)
from planner.casefile import case_from_dict, case_to_dict
from planner.model import Person
from planner.nhs_number import check_digit
from tests.factories import demo_dict


def test_the_person_becomes_a_pseudonym_and_loses_her_identifiers(demo_case) -> None:  # type: ignore[no-untyped-def]
    copy = anonymise_case(demo_case)
    person = copy.person
    assert person.name == "Mrs S"
    assert (person.nhs_number, person.date_of_birth, person.postcode) == (None, None, None)
    assert person.area == "Torbay" and person.sex == "female" and person.frailty is not None
    assert person.frailty.assessed_by is None
    assert copy.title == "Mrs S, Torbay"
    note = anonymity(copy)
    assert note is not None and note.pseudonym == "Mrs S" and note.age_band == "85–89"
    assert anonymity(demo_case) is None
    # the original is untouched
    assert demo_case.person.name == "Edith Smith" and demo_case.steps[2].notes


def test_the_copy_shares_nothing_that_can_change_with_the_original(demo_case) -> None:  # type: ignore[no-untyped-def]
    """Steps and handoffs are copied field by field (quicker than pickling): every field value the
    copy holds is either a fresh object or one that never changes in place, and anonymising leaves
    the original exactly as it was, a step's own cost included."""
    from dataclasses import fields, is_dataclass

    from planner.model import StepCost

    demo_case.steps[0].cost = StepCost(120.0, "contact", "Invoice from Mrs Smith's agency, 0161 496 0000")
    before = case_from_dict(case_to_dict(demo_case))
    copy = anonymise_case(demo_case)
    assert case_to_dict(demo_case) == case_to_dict(before)
    assert demo_case.steps[0].cost.source == "Invoice from Mrs Smith's agency, 0161 496 0000"
    assert copy.steps[0].cost is not None and "0161" not in (copy.steps[0].cost.source or "")
    unchanging = (str, int, float, bool, type(None), date)
    for originals, copies in ((demo_case.steps, copy.steps), (demo_case.handoffs, copy.handoffs)):
        for one, other in zip(originals, copies, strict=True):
            assert one is not other
            for spec in fields(one):
                mine, theirs = getattr(one, spec.name), getattr(other, spec.name)
                if mine is theirs and mine is not None:
                    assert isinstance(mine, unchanging) and not is_dataclass(mine), spec.name


def test_the_team_appears_by_role_and_notes_are_left_out(demo_case) -> None:  # type: ignore[no-untyped-def]
    copy = anonymise_case(demo_case)
    assert [m.name for m in copy.team][:3] == ["GP", "Practice nurse", "District nurse"]
    assert all(m.contact is None for m in copy.team)
    assert all(s.notes is None for s in copy.steps) and all(h.notes is None for h in copy.handoffs)
    assert copy.care_plan is not None
    assert copy.care_plan.actions[7].description == "Carer's assessment for her daughter [family carer]"
    assert "Susan" not in (copy.care_plan.contingency or "")
    assert "[phone number]" in (copy.care_plan.contingency or "")
    step = next(s for s in copy.steps if s.label and "MDT at home" in s.label)
    assert step.label == "MDT at home: care plan agreed with Mrs S and her daughter"
    assert copy.annotations[0].comment == ("Raised at the MDT on day 162: the ten days were spent waiting for a "
                                           "home care package.")


def test_the_copy_is_a_valid_case_with_neutral_ids(demo_case) -> None:  # type: ignore[no-untyped-def]
    copy = anonymise_case(demo_case)
    again = case_from_dict(case_to_dict(copy))  # validates every reference and date
    assert [s.id for s in again.ordered_steps()] == [f"step-{n}" for n in range(1, 25)]
    assert {o.id for o in again.organisations} == {f"org-{n}" for n in range(1, 12)}
    assert copy.id is None and copy.row_version is None


def test_dates_move_by_whole_weeks_so_the_rules_see_the_same_pathway(demo_case) -> None:  # type: ignore[no-untyped-def]
    copy = anonymise_case(demo_case)
    original, moved = demo_case.ordered_steps(), copy.ordered_steps()
    shift = moved[0].start_date - original[0].start_date
    assert shift.days % 7 == 0
    assert SHIFTED_EPOCH <= moved[0].start_date < SHIFTED_EPOCH + timedelta(days=7)
    for before, after in zip(original, moved, strict=True):
        assert after.start_date - before.start_date == shift
        assert after.start_date.weekday() == before.start_date.weekday()
        assert after.delayed_days == before.delayed_days
    found = [(f.rule, f.severity, len(f.steps)) for f in analyse(demo_case).report.findings]
    found_copy = [(f.rule, f.severity, len(f.steps)) for f in analyse(copy).report.findings]
    # the same findings, but for rule M08 noting that the copy has no NHS number
    extra = [f for f in found_copy if f not in found]
    assert [f[0] for f in extra] == ["M08"] and len(found_copy) == len(found) + 1


def test_anonymise_maps_the_originals_ids(demo_case) -> None:  # type: ignore[no-untyped-def]
    result = anonymise(demo_case, alias="Mrs Q")
    assert result.case.person.name == "Mrs Q" and result.case.title == "Mrs Q, Torbay"
    assert result.step("s1") == "step-1" and result.organisation("gp") == "org-1"
    assert result.redact.text("Edith said so on 2024-01-20") == "Mrs Q said so on day 110"


@pytest.mark.parametrize(("person", "alias", "expected"), [
    (Person(name="Edith Smith", sex="female"), None, "Mrs S"),
    (Person(name="John de la Cruz", sex="male"), None, "Mr C"),
    (Person(name="Sam O'Neill"), None, "Mx O"),
    (Person(name="<>"), None, "Mx X"),
    (Person(name="Edith Smith", sex="female"), "  Mrs   E  ", "Mrs E"),
])
def test_pseudonyms(person: Person, alias: str | None, expected: str) -> None:
    assert pseudonym(person, alias) == expected


def test_age_bands() -> None:
    assert [age_band(a) for a in (None, 0, 64, 65, 89, 90, 104)] == ["", "0–4", "60–64", "65–69", "85–89",
                                                                      "90 or over", "90 or over"]


def test_names_are_found_in_any_form() -> None:
    redact = Redactor([("Edith Mary Smith-Jones", "Mrs S"), ("Dr Anita Shah", "[GP]"), ("Tom Day", "[carer]"),
                       ("Will Hope", "[nurse]")], date(2024, 1, 1))
    assert redact.text("EDITH smith-jones saw Dr. Shah") == "Mrs S saw [GP]"
    assert redact.text("Mrs Smith's daughter; E. M. Jones; Mrs Smith-Jones") == (
        "Mrs S's daughter; Mrs S; Mrs S")
    assert redact.text("Anita’s notes") == "[GP]’s notes"  # a curly apostrophe is not part of a name
    # everyday words that are also names: redacted only with a capital
    assert redact.text("We hope he will call. Hope Will calls.") == "We hope he will call. [nurse] calls."
    # a surname "Day" never eats the days the redactor writes
    assert redact.text("Day visit on 2024-01-13") == "[carer] visit on day 12"
    assert redact.text("Mary had a holiday; smithy; Shahid") == "Mrs S had a holiday; smithy; Shahid"


def test_identifiers_and_dates_in_text() -> None:
    redact = Redactor([], date(2024, 1, 1))
    text = ("NHS 943 476 5919 or 9434765919, call 01803 000 204 or +44 7700 900123, write to a.b@nhs.net at "
            "TQ5 0ZZ (or tq50zz); born 02/04/1937, seen 2024-01-13 and Fri 12 Jan, 13th January 2024, "
            "January 14, 2024; in April 1937.")
    assert redact.text(text) == (
        "NHS [NHS number] or [NHS number], call [phone number] or [phone number], write to [email address] at "
        "[postcode] (or [postcode]); born [date], seen day 12 and day 11 (a Friday), day 12, day 13; in "
        "[date].")
    assert Redactor.dates_only(date(2024, 1, 1)).text("Smith on 3 Jan 2024, TQ5 0ZZ") == "Smith on day 2, TQ5 0ZZ"
    # a contract number goes, a financial year stays; a date that cannot be is still no date to show
    assert redact.text("Spot purchase 2024-117; grant 2023-24; 31/02/2024") == (
        "Spot purchase [reference]; grant 2023-24; [date]")


# -- the property: nothing that identifies her survives ---------------------------------------------
SYLLABLES = ["zor", "qua", "vex", "tib", "mog", "ral", "dru", "fel", "pox", "yun", "kel", "wib", "jax", "ubo"]
name_part = st.lists(st.sampled_from(SYLLABLES), min_size=2, max_size=3).map(lambda s: "".join(s).capitalize())


@st.composite
def nhs_numbers(draw: st.DrawFn) -> str:
    first = draw(st.text("0123456789", min_size=9, max_size=9).filter(lambda d: check_digit(d) is not None))
    return first + str(check_digit(first))


postcodes = st.builds(
    lambda area, district, sector, unit: f"{area}{district} {sector}{unit}",
    st.text("ABCDEFGHJKLMNOPRSTUWYZ", min_size=1, max_size=2), st.integers(1, 99), st.integers(0, 9),
    st.text("ABDEFGHJLNPQRSTUWXYZ", min_size=2, max_size=2))


@st.composite
def people(draw: st.DrawFn) -> dict[str, Any]:
    first, last = draw(st.lists(name_part, min_size=2, max_size=2, unique=True))
    members = draw(st.lists(st.tuples(name_part, name_part), min_size=3, max_size=3, unique=True))
    names = {first, last} | {p for m in members for p in m}
    if len(names) < 2 + 2 * len(members):
        members = [(f"{a}an", f"{b}el") for a, b in members]
    return {"first": first, "last": last, "members": [" ".join(m) for m in members],
            "nhs": draw(nhs_numbers()), "dob": draw(st.dates(date(1920, 1, 1), date(1955, 12, 31))),
            "postcode": draw(postcodes), "sex": draw(st.sampled_from(["female", "male", "other", None]))}


def identified_case(who: dict[str, Any]) -> dict[str, Any]:
    """The demo case belonging to ``who``, with her identifiers written into every text it has."""
    data = demo_dict()
    name = f"{who['first']} {who['last']}"
    dob: date = who["dob"]
    written = [f"{who['first']} {who['last']}", f"Mrs {who['last']}", who["first"].upper(),
               f"{who['nhs'][:3]} {who['nhs'][3:6]} {who['nhs'][6:]}", who["nhs"], who["postcode"],
               dob.isoformat(), f"{dob.day} {dob.strftime('%b')} {dob.year}", dob.strftime("%d/%m/%Y"),
               *who["members"], who["members"][0].split()[1]]
    text = " / ".join(written)
    short = f"{name}, NHS {who['nhs']}, {who['postcode']}, born {dob.strftime('%d/%m/%Y')}"  # within 200
    person = data["person"]
    person.update(name=name, nhs_number=who["nhs"], date_of_birth=dob.isoformat(), postcode=who["postcode"],
                  what_matters=f"I am {text}", conditions=[f"diabetes ({short})"])
    if who["sex"] is None:
        person.pop("sex")
    else:
        person["sex"] = who["sex"]
    person["consent"]["scope"] = f"Share with {text}"
    data["title"] = short
    for member, member_name in zip(data["team"], who["members"] * 4, strict=False):
        member["name"] = member_name
    diabetologist = next(m for m in data["team"] if m["id"] == "dia1")  # referred to nowhere else
    diabetologist["id"] = who["last"].lower()  # a name typed as an id
    for step in data["steps"]:
        step["label"] = f"{step['label']} ({short}; {who['members'][step['id'] == 's8']})"
        step["notes"] = f"Note on {text}"
    for handoff in data["handoffs"]:
        handoff["notes"] = f"Told {text}"
    for period in data["coordinator"]:
        period["reason"] = f"Because of {text}"
    plan = data["care_plan"]
    plan["contingency"] = f"Call {text}"
    for goal in plan["goals"]:
        goal["in_my_words"] = f"{goal['in_my_words']} says {text}"
        goal["outcome"] = f"{text} walks"
    for action in plan["actions"]:
        action["description"] = f"{action['description']} for {text}"
    for note in data["annotations"]:
        note["comment"] = f"Raised by {text}"
    data["organisations"][-1]["name"] = f"The {who['last']} family"
    return data


def leaked(text: str, who: dict[str, Any]) -> list[str]:
    """The identifiers of ``who`` that appear in ``text`` (ignoring case and spacing)."""
    flat = " ".join(text.split()).casefold()
    solid = "".join(text.split()).casefold()
    dob: date = who["dob"]
    found = [part for part in (who["first"], who["last"], *" ".join(who["members"]).split())
             if part.casefold() in flat]
    for number in (who["nhs"], who["postcode"].replace(" ", "")):
        if number.casefold() in solid:
            found.append(number)
    for form in (dob.isoformat(), f"{dob.day} {dob.strftime('%b')} {dob.year}", dob.strftime("%d/%m/%Y")):
        if form.casefold() in flat:
            found.append(form)
    return found


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people())
def test_no_identifier_survives_in_the_anonymised_case(who: dict[str, Any]) -> None:
    case = case_from_dict(identified_case(who))
    copy = anonymise_case(case)
    written = json.dumps(case_to_dict(copy), ensure_ascii=False)
    assert leaked(written, who) == []
    # and the redactor of the original words the findings without them
    redact = redactor_for(case)
    for finding in analyse(case).report.findings[:20]:
        assert leaked(redact.text(finding.evidence), who) == []


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(who=people())
def test_no_identifier_survives_in_the_anonymised_pdf(who: dict[str, Any], tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    from reports.workshop import write_case_summary

    case = case_from_dict(identified_case(who))
    out = tmp_path_factory.mktemp("pdf") / "summary.pdf"
    write_case_summary(case, out)
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert "Her story" in text or "His story" in text or "Their story" in text
    assert leaked(text, who) == [] and leaked(info, who) == []


def test_a_copy_without_step_labels_redacts_each_when_asked(demo_case) -> None:  # type: ignore[no-untyped-def]
    """A copy made for a document that names few steps holds no step label until one is asked
    for, and then exactly the label the full copy holds; never the original's words."""
    full = anonymise(demo_case)
    lazy = anonymise(demo_case, step_labels=False)
    assert all(step.label is None for step in lazy.case.steps)
    for shown, step in zip(full.case.steps, lazy.case.steps, strict=True):
        assert lazy.step_label(step) == shown.label
        assert step.label == shown.label  # kept once worked out
    assert lazy.pending_labels == {}
    assert case_to_dict(lazy.case) == case_to_dict(full.case)
