"""Free text in anonymised outputs: each kind of thing the redactor finds, what it leaves alone,
the providers shown by type and letter, and the choice to name them (dialogs and CLI).

The property over generated people is in tests/test_leaks.py; these are the examples.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.anonymise import Redactor, anonymise, anonymise_case, introduced_names, redactor_for
from planner.anonymise.providers import is_statutory, letter, provider_labels
from planner.casefile import case_from_dict
from planner.model import Organisation
from tests.factories import demo_dict
from tests.test_leaks import secrets

REDACT = Redactor([("Edith Smith", "Mrs S"), ("Susan Harris", "[family carer]")], date(2024, 1, 1))


@pytest.mark.parametrize(("text", "expected"), [
    # a name after a title: the title stays, so the sentence reads
    ("Mrs Adaeze visited", "Mrs [name] visited"),
    ("Seen by Dr. J. Okafor today", "Seen by Dr. [name] today"),
    ("I told Mr and Mrs Patel", "I told Mr and Mrs [name]"),
    ("Sister Jones on Ward 7", "Sister [name] on Ward 7"),
    # her own name and her team's keep their own placeholders
    ("Mrs Smith and my son David came", "Mrs S and my son [name] came"),
    ("My daughter Susan has a key", "My daughter [family carer] has a key"),
    # a name after a kinship word, before it, or in a list
    ("her niece, Grace, has a key", "her niece, [name], has a key"),
    ("Her son, David Jones, rang", "Her son, [name], rang"),
    ("son David rang", "son [name] rang"),
    ("David (son) rang", "[name] (son) rang"),
    ("Grace, her niece, rang", "[name], her niece, rang"),
    ("her sons David and Peter", "her sons [name] and [name]"),
    ("my friend Joan and her neighbour Mrs Adaeze", "my friend [name] and her neighbour Mrs [name]"),
    ("Edith's son Mark visits", "Mrs S's son [name] visits"),
])
def test_names_introduced_by_a_title_or_kinship_word(text: str, expected: str) -> None:
    assert REDACT.text(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("lives at 14 Wellmeadow Road", "lives at [address]"),
    ("Flat 2, 3 Mill Lane", "[address]"),
    ("14a Church St.", "[address]"),
    ("lives at 7 mill street", "lives at [address]"),
    ("lives on Station Road, near the shops", "lives on [address], near the shops"),
    ("14 Wellmeadow Road, TQ5 0ZZ", "[address], [postcode]"),
    ("call (01803) 555 123 or 07700 900123", "call [phone number] or [phone number]"),
    ("mail a.b@example.org", "mail [email address]"),
    ("contract SPOT-1187; Spot purchase 2024-117; ref 5521", "contract [reference]; Spot purchase [reference]; "
                                                             "ref [reference]"),
    ("ODS Y90001, PO/4471, charity 1900001", "ODS [reference], [reference], charity [reference]"),
    ("at 14:30, 2.30pm, 8am, 8 p.m., 3 o'clock, 1430hrs", "at [time], [time], [time], [time], [time], [time]"),
    ("open 8am-8pm", "open [time]"),
])
def test_addresses_numbers_and_times(text: str, expected: str) -> None:
    assert REDACT.text(text) == expected


@pytest.mark.parametrize("text", [
    "Road safety talk on Day 3", "found 2 hours later on the road", "a 5 minute walk to A&E", "her daughter visited", "my friends at church",
    "Partner Agencies meeting", "grant 2023-24", "HbA1c below 58 mmol/mol", "COVID-19 and B12", "rule M04",
    "weight up by 2 kg", "framework, lot 2", "NHS 111 at night, 999 if hurt", "type 2 diabetes",
    "3.5 litres; ratio 1:2", "24/7 support", "3rd visit, 200m walk", "the Care Act 2014",
    "12 Step-down beds", "Walks 200 metres with a frame", "Twice a day", "the hill behind the house",
    "Torbay and South Devon NHS Foundation Trust", "I said she would", "&#169; and &nbsp;",
])
def test_ordinary_words_are_not_scrubbed(text: str) -> None:
    assert REDACT.text(text) == text


def test_a_name_introduced_once_is_found_everywhere_in_the_case() -> None:
    data = demo_dict()
    data["person"]["what_matters"] = "Seeing my grandson Tobias and Mrs Adaeze next door."
    data["care_plan"]["contingency"] = "Tobias checks on me; Adaeze has a key."
    data["steps"][0]["label"] = "GP review (Tobias came too)"
    case = case_from_dict(data)
    assert introduced_names([data["person"]["what_matters"]]) == ["Adaeze", "Tobias"]
    copy = anonymise_case(case)
    assert copy.person.what_matters == "Seeing my grandson [name] and Mrs [name] next door."
    assert copy.care_plan is not None and copy.care_plan.contingency == "[name] checks on me; [name] has a key."
    assert copy.steps[0].label == "GP review ([name] came too)"
    # a finding's evidence, worked out on the original, is worded the same way
    assert redactor_for(case).text("Tobias rang at 09:15") == "[name] rang at [time]"


def test_the_demo_reads_with_its_contract_numbers_times_and_daughter_gone(demo_case) -> None:  # type: ignore[no-untyped-def]
    copy = anonymise_case(demo_case)
    assert [s.contract for s in copy.steps if s.contract and "Spot" in s.contract] == [
        "Spot purchase [reference]", "Spot purchase [reference]"]
    assert copy.care_plan is not None and copy.care_plan.contingency is not None
    assert "ring the district nurses first on [phone number] ([time] to [time]) or NHS 111 at night" in (
        copy.care_plan.contingency)
    assert "My daughter [family carer] has a key" in copy.care_plan.contingency


# -- providers ---------------------------------------------------------------------------------------
def test_small_providers_by_type_and_letter_statutory_bodies_by_name(demo_case) -> None:  # type: ignore[no-untyped-def]
    copy = anonymise_case(demo_case)
    assert [o.name for o in copy.organisations] == [
        "GP practice A", "Torbay Community Health Services", "Torbay Hospital", "South West Coast Ambulance Service",
        "Torbay Council Adult Social Care", "Home-care agency B", "Home-care agency C", "Care home D",
        "Voluntary group E", "Pharmacy F", "Family and friends G"]
    # their codes would name them as surely
    assert all(o.codes is None for o in copy.organisations if o.sector in ("care_home", "domiciliary_care"))


def test_a_providers_name_in_free_text_becomes_its_label(demo_case) -> None:  # type: ignore[no-untyped-def]
    redact = anonymise(demo_case).redact
    assert redact.text("Moved to Hillside Nursing Home; Hillside staff rang; Riviera Homecare visits") == (
        "Moved to Care home D; Care home D staff rang; Home-care agency C visits")
    # a distinctive word of a name is found only with its capital; a word other names share never alone
    assert redact.text("a walk on the hillside; Brixham harbour") == "a walk on the hillside; Brixham harbour"
    assert redact.text("Torbay Hospital, then Bay Home Care Ltd") == "Torbay Hospital, then Home-care agency B"


def test_name_providers_keeps_their_names(demo_case) -> None:  # type: ignore[no-untyped-def]
    made = anonymise(demo_case, name_providers=True)
    assert "Hillside Nursing Home" in [o.name for o in made.case.organisations]
    assert made.redact.text("Moved to Hillside Nursing Home") == "Moved to Hillside Nursing Home"
    # the people around her still go
    assert made.redact.text("my son David at 14 Mill Lane") == "my son [name] at [address]"


def test_which_providers_keep_their_names() -> None:
    def org(name: str, sector: str) -> Organisation:
        return Organisation(id=name, name=name, sector=sector)

    orgs = [org("Torbay Hospital", "acute"), org("Dr Gray's Hospital", "acute"), org("Devon ICB", "system"),
            org("Torbay Council", "local_authority"), org("Smith and Partners", "primary_care"),
            org("Rosehill", "care_home"), org("Age Concern Torbay", "voluntary")]
    assert [is_statutory(o) for o in orgs] == [True, False, True, True, False, False, False]
    assert provider_labels(orgs) == {"Dr Gray's Hospital": "Hospital A", "Smith and Partners": "GP practice B",
                                     "Rosehill": "Care home C", "Age Concern Torbay": "Voluntary group D"}
    assert [letter(n) for n in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


# -- the choice, in the dialogs and on the command line ---------------------------------------------
def test_the_dialogs_offer_to_name_providers_off_by_default(qtbot, demo_case) -> None:  # type: ignore[no-untyped-def]
    from ui.workshop_dialog import CaseChooserDialog, ValueCaseExportDialog, WorkshopExportDialog

    for kind in (WorkshopExportDialog, ValueCaseExportDialog):
        dialog = kind(demo_case)
        qtbot.addWidget(dialog)
        assert not dialog.name_providers.isChecked() and not dialog.options().name_providers
        assert "small providers" in dialog.left_out.text()
        dialog.name_providers.setChecked(True)
        assert dialog.options().name_providers
        dialog.identifiable.setChecked(True)  # identifiable names everyone: the choice is moot
        assert not dialog.name_providers.isEnabled() and not dialog.options().name_providers
    chooser = CaseChooserDialog(lambda _text, _limit: [], lambda ids: [])
    qtbot.addWidget(chooser)
    assert not chooser.name_providers.isChecked()


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_the_command_line_names_providers_only_when_asked(capsys: pytest.CaptureFixture[str], db_url: str,
                                                          tmp_path: Path) -> None:
    from ui.cli import main

    assert main(["--db", db_url, "demo"]) == 0
    plain, named = tmp_path / "plain.pdf", tmp_path / "named.pdf"
    assert main(["--db", db_url, "export-value-case", "1", "--out", str(plain)]) == 0
    assert main(["--db", db_url, "export-value-case", "1", "--out", str(named), "--name-providers"]) == 0
    assert "Hillside" not in " ".join(_pdf_text(plain).split()) and "Care home D" in _pdf_text(plain)
    assert "Hillside Nursing Home" in " ".join(_pdf_text(named).split())
    bundle = tmp_path / "named.json"
    assert main(["--db", db_url, "export-fhir", "1", "--out", str(bundle), "--anonymised", "--name-providers"]) == 0
    assert "Hillside Nursing Home" in bundle.read_text(encoding="utf-8")
    assert main(["--db", db_url, "export-fhir", "1", "--out", str(tmp_path / "plain.json"), "--anonymised"]) == 0
    assert "Hillside" not in (tmp_path / "plain.json").read_text(encoding="utf-8")
    capsys.readouterr()
    # the choice belongs to anonymised exports: asked of an identifiable one, it is refused, nothing written
    refused = tmp_path / "refused.pdf"
    assert main(["--db", db_url, "export-pdf", "1", "--out", str(refused), "--identifiable",
                 "--name-providers"]) == 1
    assert "--name-providers" in capsys.readouterr().err and not refused.exists()
    assert main(["--db", db_url, "export-fhir", "1", "--out", str(refused), "--name-providers"]) == 1
    assert "add --anonymised" in capsys.readouterr().err and not refused.exists()


def test_text_that_grows_when_redacted_still_fits_its_field() -> None:
    """"9:00" becomes "[time]", "5521" "[reference]": a field full of clock times grows, and is clipped to what the case
    format allows, so the anonymised copy is still a valid case (found by tests/test_extremes.py)."""
    from planner.casefile import case_to_dict
    from planner.validation import validate

    data = demo_dict()
    times = ("at 9:00 then " * 8).strip()  # 103 characters: one word fewer fits the 100 a frequency may hold
    times = times[:times.rindex(" then")]
    assert len(times) <= 100
    data["care_plan"]["actions"][0]["frequency"] = times
    data["steps"][0]["label"] = ("ref 5521, " * 30)[:299]
    case = case_from_dict(data)
    copy = anonymise_case(case)
    action = copy.care_plan.actions[0]  # type: ignore[union-attr]
    assert action.frequency is not None and len(action.frequency) == 100 and action.frequency.endswith("…")
    assert "9:00" not in action.frequency and "[time]" in action.frequency
    label = copy.steps[0].label
    assert label is not None and len(label) == 300 and "5521" not in label
    assert validate(case_to_dict(copy)) == []


def test_dates_before_the_first_step_stay_within_what_a_case_may_hold() -> None:
    """A coordinator named long before the first step (found by tests/test_extremes.py): the
    move into the year 2000 would take that date before 1900, so the move is smaller; every date
    of the copy is one a case may hold, and the dates still move."""
    from planner.casefile import case_to_dict
    from planner.validation import validate

    data = demo_dict()
    first_step = min(step["start"][:10] for step in data["steps"])
    data["coordinator"][0]["from"] = "1910-03-01"
    case = case_from_dict(data)
    copy = anonymise_case(case)
    assert validate(case_to_dict(copy)) == []
    from planner.model import moment_date

    moved = moment_date(copy.coordinator[0].start)
    assert date(1900, 1, 1) <= moved < date(1910, 3, 1)
    assert min(moment_date(step.start) for step in copy.steps).isoformat() != first_step


# -- many texts redacted together -------------------------------------------------------------------
#: Texts that end where another begins, so a pass reaching across the join would show: a title
#: then a name, a kinship word then a name, a street before a capital, numbers either side.
JOINED_EDGES = ["seen by Mrs", "Smith at home", "my son", "David rang", "lives on Station Road", "Harris came",
                "call 01803", "555 123", "on 3", "May 2024", "at 14", ":30", "ref", "5521", "Edith", "Smith",
                "14 Wellmeadow", "Road, TQ5", "0ZZ", "her niece,", "Grace, rang", "Mrs S", "-Mrs S", ""]


@given(st.lists(st.one_of(st.sampled_from(JOINED_EDGES), st.sampled_from(["; ".join(JOINED_EDGES)]),
                          secrets().map(lambda who: " ".join(who.phrases[:6])),
                          secrets().flatmap(lambda who: st.sampled_from(who.phrases)), st.text(max_size=40)),
                max_size=40))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_texts_redacted_together_read_as_each_redacted_alone(texts: list[str]) -> None:
    """:meth:`Redactor.texts` joins short texts to redact them in one go; every text comes back
    exactly as redacting it alone gives it (and one holding the joining character is done alone)."""
    assert REDACT.texts(texts) == [REDACT.text(text) for text in texts]


def test_many_long_texts_are_redacted_together_in_parts() -> None:
    """A thousand texts, and texts far longer than one part, come back one for one."""
    texts = [f"Mrs Smith rang on 3 May 2024 at 14:30 about visit {n}" for n in range(1000)]
    texts += ["call 01803 555 123 " * 2000, "\x00Mrs Smith\x00", ""]
    assert REDACT.texts(texts) == [REDACT.text(text) for text in texts]
    assert REDACT.texts(texts)[999] == "Mrs S rang on day 123 at [time] about visit 999"


QUICK_LOOKS = ["date", "title", "number", "time", "reference"]
#: Letters and marks the patterns are made of, so that generated text often comes near a match.
NEAR = "0123456789-/.#: ,stndrhofJjAaNnFfEeBbMmRrPpYyUuLlGgSsOoCcTtVvDdIiKkXxWwé"


def _quick_look(kind: str) -> tuple[re.Pattern[str] | _References, Callable[[str], bool]]:
    from planner.anonymise import patterns

    looks: dict[str, tuple[re.Pattern[str] | _References, Callable[[str], bool]]] = {
        "date": (patterns._DATE, patterns.may_hold_a_date),
        "title": (patterns._TITLED, patterns.may_have_a_title),
        "number": (patterns._NAMED_NUMBER, patterns.may_name_a_number),
        "time": (patterns._TIME, patterns.may_hold_a_time),
        "reference": (_REFERENCE, patterns.may_hold_a_reference)}
    return looks[kind]


class _References:
    """``_TOKEN`` as the redactor uses it: only the tokens :func:`is_reference` takes count."""

    @staticmethod
    def search(text: str) -> bool:
        from planner.anonymise.patterns import _TOKEN, is_reference

        return any(is_reference(token[0]) for token in _TOKEN.finditer(text))


_REFERENCE = _References()


@pytest.mark.parametrize("kind", QUICK_LOOKS)
@given(text=st.one_of(st.text(alphabet=NEAR, max_size=30), st.text(max_size=30),
                      st.lists(st.sampled_from(["Mrs", "Dr.", "Smith", "ref", "no.", "#", "4521", "3", "May",
                                                "2024", "-", "/", " ", "SEPT", "Policy", "ſep", "Ｍr", "14", ":",
                                                "pm", "o'clock", "h", "SP", "123456", "HbA1c", "٣", "²"]),
                               max_size=8).map("".join)))
@settings(max_examples=300, deadline=None)
def test_a_quick_look_misses_nothing_its_pattern_finds(kind: str, text: str) -> None:
    """Each pass run only after a quick look (a date, a title, a named number) is skipped only
    where its full pattern finds nothing."""
    pattern, quick_look = _quick_look(kind)
    if pattern.search(text):
        assert quick_look(text)


@pytest.mark.parametrize(("kind", "text"), [
    ("date", "3 May 2024"), ("date", "2024-01-05"), ("date", "03/02/24"), ("date", "Tues 3rd of march"),
    ("date", "SEPT 2023"), ("date", "on 4.7.2024"), ("date", "Feb 29"), ("title", "seen by Mrs Adaeze"),
    ("title", "Councillor Brown"), ("title", "MISS JONES"), ("number", "contract no. 4521"),
    ("number", "#7731"), ("number", "Policy 1234"), ("number", "EXT 2041"), ("time", "at 14:30"),
    ("time", "2.30pm"), ("time", "8 p.m."), ("time", "3 o'clock"), ("time", "1430hrs"), ("reference", "SPOT-1187"),
    ("reference", "Y90001"), ("reference", "PO/4471"), ("reference", "1900001"), ("reference", "2024-117")])
def test_a_quick_look_finds_each_form(kind: str, text: str) -> None:
    pattern, quick_look = _quick_look(kind)
    assert pattern.search(text) and quick_look(text)


def test_a_quick_look_passes_over_ordinary_text() -> None:
    from planner.anonymise import patterns

    assert not patterns.may_hold_a_date("Generated step 517") and not patterns.may_hold_a_date("ward 7, bed 12")
    assert not patterns.may_have_a_title("my son David") and not patterns.may_name_a_number("step 517")
    assert not patterns.may_name_a_number("contract 12")
    assert not patterns.may_hold_a_time("step 517, bed 12") and not patterns.may_hold_a_reference("step 517 of 12345")
