"""Import limits, then validation: size, nesting, numbers and text before a file is read as a case;
dates in range, the extensions checked fully, problems capped; every refusal a clear message with
exit status 1 that changes nothing."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from planner import jsonlimits
from planner.anonymise import NOTE_KEY
from planner.casefile import loads_case, loads_json, read_json_file
from planner.fhir import FhirImportError, import_fhir
from planner.fhir.importer import IMPORT_KEY
from planner.model import RECORD_KEY
from planner.validation import (
    EXTENSION_SCHEMAS,
    MAX_COUNTED,
    MAX_SHOWN,
    CaseFileError,
    Problem,
    validate,
)
from tests.conftest import DEMO
from tests.factories import demo_dict, minimal_dict
from ui.cli import main


def refused(text: str) -> list[Problem]:
    with pytest.raises(CaseFileError) as caught:
        loads_json(text)
    return caught.value.problems


def problems_of(data: dict[str, Any]) -> dict[str, str]:
    return {p.path: p.message for p in validate(data)}


# -- before parsing: size and nesting -----------------------------------------------------------------
def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "note": "x" * 5000}))
    monkeypatch.setattr(jsonlimits, "MAX_FILE_BYTES", 4096)
    with pytest.raises(CaseFileError, match="larger than 0 MB, the most a case file or FHIR bundle may be"):
        read_json_file(path)


def test_a_case_file_has_a_lower_limit_than_a_fhir_bundle(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonlimits, "MAX_CASE_FILE_BYTES", 10_000)
    case = tmp_path / "big.case.json"
    case.write_text(json.dumps({**minimal_dict(), "title": "x" * 20_000}))
    with pytest.raises(CaseFileError, match="a case file may be at most"):
        read_json_file(case)
    fhir = tmp_path / "big.fhir.json"
    fhir.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "note": "x" * 20_000}))
    assert read_json_file(fhir)["resourceType"] == "Bundle"


@pytest.mark.parametrize("kind", ["device", "folder", "pipe"])
def test_only_a_regular_file_is_read(kind: str, tmp_path: Path) -> None:
    import os

    path = {"device": Path("/dev/zero"), "folder": tmp_path}.get(kind, tmp_path / "pipe")
    if kind == "pipe":
        os.mkfifo(path)  # reading it would wait for a writer for ever
    with pytest.raises(CaseFileError, match="it is not a regular file"):
        read_json_file(path)


@pytest.mark.parametrize("depth", [65, 1000, 200_000])
def test_deep_nesting_is_refused_with_its_path_without_recursion(depth: int) -> None:
    (problem,) = refused('{"extensions": {"x": ' + "[" * depth + "]" * depth + "}}")
    assert problem.path == "$.extensions.x" + "[0]" * 6 + "…"
    assert "nested more than 64 deep here (line 1)" in problem.message
    (problem,) = refused('{"a":' * depth + "1" + "}" * depth)
    assert problem.path == "$" + ".a" * 8 + "…"
    (problem,) = refused('{\n"b": [1,\n2, {"c": ' + "[" * depth + "]" * depth + "}]}")
    assert problem.path == "$.b[2].c[0][0][0][0][0]…" and "(line 3)" in problem.message


def test_nesting_up_to_the_limit_parses_and_brackets_in_text_do_not_count() -> None:
    assert jsonlimits.nesting_depth("[" * 64 + "]" * 64) == 64
    expected: list[Any] = []
    for _ in range(63):
        expected = [expected]
    assert loads_json("[" * 64 + "]" * 64) == expected
    text = json.dumps({"a": "[[[[{{{{" * 100, "b": ['"\\"[[[', "]]]"]})
    assert jsonlimits.nesting_depth(text) == 2
    assert loads_json(text)["b"][0] == '"\\"[[['


# -- numbers ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("raw", "words"), [
    ("NaN", "NaN is not a number a case can hold"),
    ("Infinity", "Infinity is not a number"),
    ("-Infinity", "-Infinity is not a number"),
    ("1e999", "1e999 is too large a number"),
    ("9223372036854775808", "9,223,372,036,854,775,808 is too large a whole number"),
    ("9007199254740993", "too large a whole number"),
    ("9" * 5000, "a whole number of 5,000 digits is too large"),
    ("-" + "9" * 30, "a whole number of 30 digits is too large"),
])
def test_numbers_beyond_bounds_are_problems_with_their_path(raw: str, words: str) -> None:
    problems = refused('{"person": {"frailty": {"score": ' + raw + '}}, "list": [1, ' + raw + "]}")
    assert [p.path for p in problems] == ["$.list[1]", "$.person.frailty.score"]
    assert all(words in p.message for p in problems)


def test_numbers_within_bounds_are_kept() -> None:
    assert loads_json("[9007199254740992, -9007199254740992, 1e308, 0.1]") == [2**53, -(2**53), 1e308, 0.1]


def test_a_frailty_score_of_nan_in_a_case_file_is_a_problem_not_a_crash() -> None:
    text = json.dumps(demo_dict()).replace('"score": 6', '"score": NaN')
    assert "NaN" in text
    with pytest.raises(CaseFileError) as caught:
        loads_case(text)
    assert [p.path for p in caught.value.problems] == ["$.person.frailty.score"]


# -- text -------------------------------------------------------------------------------------------------
def test_lone_surrogates_and_nul_are_refused_in_values_and_keys() -> None:
    problems = refused('{"person": {"name": "Ann \\ud800"}, "steps": [{"label": "\\udc00x"}], '
                       '"extensions": {"k\\udfff": 1, "nul": "a\\u0000b"}}')
    found = {p.path: p.message for p in problems}
    assert "lone surrogate (U+D800)" in found["$.person.name"]
    assert "lone surrogate (U+DC00)" in found["$.steps[0].label"]
    assert "a key contains a lone surrogate (U+DFFF)" in found["$.extensions"]
    assert "U+0000 (NUL)" in found["$.extensions.nul"]
    str(CaseFileError(problems)).encode("utf-8")  # the message itself is printable


def test_paired_surrogates_and_escaped_backslashes_are_text() -> None:
    assert loads_json('["\\ud83d\\ude00", "\\\\ud800", "\\\\u0000"]') == ["😀", "\\ud800", "\\u0000"]


# -- dates, the team record and the other extensions -----------------------------------------------------
def demo_with(change: Any) -> dict[str, Any]:
    data = demo_dict()
    change(data)
    return data


@pytest.mark.parametrize(("change", "path"), [
    (lambda d: d["person"].__setitem__("date_of_birth", "1899-12-31"), "$.person.date_of_birth"),
    (lambda d: d["steps"][0].__setitem__("start", "0001-01-01"), "$.steps[0].start"),
    (lambda d: d["steps"][0].__setitem__("end", "9999-12-31T10:00"), "$.steps[0].end"),
    (lambda d: d["care_plan"].__setitem__("review_on", "2101-01-01"), "$.care_plan.review_on"),
    (lambda d: d["coordinator"][0].__setitem__("from", "1000-01-01"), "$.coordinator[0].from"),
    (lambda d: d["extensions"][RECORD_KEY]["plan_versions"][0]["sign_offs"][0].__setitem__("on", "2101-03-01"),
     "$.extensions.pathway_planner.plan_versions[0].sign_offs[0].on"),
    (lambda d: d["extensions"][RECORD_KEY]["plan_versions"][0]["plan"]["goals"][0].__setitem__(
        "target_date", "1800-01-01"), "$.extensions.pathway_planner.plan_versions[0].plan.goals[0].target_date"),
    (lambda d: d["extensions"].__setitem__(NOTE_KEY, {"day_zero": "2200-01-01"}), "$.extensions.anonymised.day_zero"),
])
def test_dates_outside_1900_to_2100_are_refused_with_their_path(change: Any, path: str) -> None:
    found = problems_of(demo_with(change))
    assert "outside the dates a case can hold (1900-01-01 to 2100-12-31)" in found[path], found


def test_dates_at_the_bounds_are_accepted() -> None:
    data = demo_dict()
    data["person"]["date_of_birth"] = "1900-01-01"
    data["care_plan"]["review_on"] = "2100-12-31"
    assert validate(data) == []


@pytest.mark.parametrize(("change", "path", "words"), [
    (lambda r: r["plan_versions"][0]["sign_offs"][0].__setitem__("on", "2024-00-10"),
     "plan_versions[0].sign_offs[0].on", "not a real date"),
    (lambda r: r["plan_versions"][0]["plan"]["actions"][0].__setitem__("due", "2024-02-30"),
     "plan_versions[0].plan.actions[0].due", "not a real date"),
    (lambda r: r["plan_versions"][0]["plan"].__setitem__("colour", "blue"),
     "plan_versions[0].plan", "unknown key 'colour'"),
    (lambda r: r["plan_versions"][0]["plan"].__setitem__("goals", {"id": "g1"}),
     "plan_versions[0].plan.goals", "must be a list, not an object"),
    (lambda r: r["plan_versions"][0].__setitem__("version", 2**40),
     "plan_versions[0].version", "beyond the highest a plan can reach"),
    (lambda r: r["plan_versions"][0].__setitem__("coordinator", "ghost"),
     "plan_versions[0].coordinator", "is not in the team of this version"),
    (lambda r: r["plan_versions"][0]["team"][0].__setitem__("role", "wizard"),
     "plan_versions[0].team[0].role", "'wizard' is not one of"),
    (lambda r: r["plan_versions"][0]["sign_offs"][0].__setitem__("name", {"first": "A"}),
     "plan_versions[0].sign_offs[0].name", "must be text, not an object"),
    (lambda r: r["sign_offs"].append({"member": {"id": "gp1"}, "on": "2024-06-01"}),
     "sign_offs[6].member", "must be text, not an object"),
])
def test_the_team_record_is_validated_fully(change: Any, path: str, words: str) -> None:
    data = demo_dict()
    change(data["extensions"][RECORD_KEY])
    found = problems_of(data)
    assert words in found.get(f"$.extensions.pathway_planner.{path}", ""), found


def test_objects_in_signed_off_by_are_a_problem_not_a_crash() -> None:
    data = demo_dict()
    data["care_plan"]["signed_off_by"].append({"member": "gp1"})
    found = problems_of(data)
    index = len(data["care_plan"]["signed_off_by"]) - 1
    assert found[f"$.care_plan.signed_off_by[{index}]"] == "must be text, not an object"


def test_a_care_plan_version_out_of_range_is_refused() -> None:
    data = demo_with(lambda d: d["care_plan"].__setitem__("version", 2**53))
    assert "beyond the highest" in problems_of(data)["$.care_plan.version"]


def test_the_known_extensions_have_schemas_and_the_keys_agree() -> None:
    assert set(EXTENSION_SCHEMAS) == {RECORD_KEY, IMPORT_KEY, NOTE_KEY}
    data = demo_dict()
    data["extensions"][IMPORT_KEY] = {"window": 3, "sector_unknown": ["o-nowhere"], "extra": True}
    data["extensions"][NOTE_KEY] = {"pseudonym": ["Mrs S"], "day_zero": "2024-02-30"}
    found = problems_of(data)
    assert found["$.extensions.fhir_import.window"] == "must be text or null, not a whole number"
    assert "unknown key 'extra'" in found["$.extensions.fhir_import"]
    assert "'o-nowhere' does not name an organisation" in found["$.extensions.fhir_import.sector_unknown[0]"]
    assert found["$.extensions.anonymised.pseudonym"] == "must be text, not a list"
    assert "not a real date" in found["$.extensions.anonymised.day_zero"]


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"n": value}
    return value


def test_unknown_extensions_are_kept_within_depth_and_size() -> None:
    data = demo_dict()
    data["extensions"]["other_tool"] = nested(16)
    data["extensions"]["odd key ✓"] = {"a": [1, 2, {"b": None}]}
    assert validate(data) == []
    data["extensions"]["other_tool"] = nested(17)
    data["extensions"]["big"] = {"text": "x" * 1_000_001}
    found = problems_of(data)
    assert "nests 17 levels deep; an extension may nest at most 16" in found["$.extensions.other_tool"]
    assert "an extension may be at most 1,000,000" in found["$.extensions.big"]


# -- problems capped ------------------------------------------------------------------------------------
def test_problems_are_listed_up_to_200_then_counted() -> None:
    data = minimal_dict()
    data["steps"] = [{"id": f"s{i}", "kind": "teleport", "organisation": "gp", "start": "2024-01-01"}
                     for i in range(500)]
    with pytest.raises(CaseFileError) as caught:
        loads_case(json.dumps(data), "bad.case.json")
    error = caught.value
    lines = str(error).splitlines()
    assert lines[0] == "500 problems in bad.case.json:"
    assert len(lines) == 1 + MAX_SHOWN + 1 and lines[-1] == "  ... and 300 more problems"
    assert lines[1].startswith("  $.steps[0].kind") and lines[200].startswith("  $.steps[199].kind")
    assert error.listing(12)[-1] == "... and 488 more problems"


def test_counting_stops_at_a_limit_so_a_huge_bad_file_answers_quickly() -> None:
    data = minimal_dict()
    data["steps"] = [1] * (MAX_COUNTED + 5000)
    with pytest.raises(CaseFileError) as caught:
        loads_case(json.dumps(data))
    error = caught.value
    assert not error.counted_all and error.count == MAX_COUNTED
    assert str(error).startswith(f"more than {MAX_COUNTED:,} problems:")
    assert str(error).splitlines()[-1] == f"  ... and more than {MAX_COUNTED - MAX_SHOWN:,} more problems"


def test_schema_messages_show_json_values_never_python_ones() -> None:
    data = minimal_dict()
    data["person"]["name"] = {"first": "Ann"}
    data["person"]["sex"] = None
    data["steps"][0]["emergency"] = "yes"
    data["organisations"][0]["cqc_registered"] = 1
    data["version"] = True
    found = problems_of(data)
    assert found["$.person.name"] == "must be text, not an object"
    assert found["$.person.sex"] == "null is not one of: female, male, other, unknown"
    assert found["$.steps[0].emergency"] == "must be true or false, not text"
    assert found["$.version"] == "must be 1, not true"
    assert not any(word in message for message in found.values() for word in ("None", "True", "{'"))


# -- FHIR: shapes the import does not expect ---------------------------------------------------------------
PATIENT = {"resourceType": "Patient", "id": "p1", "name": [{"family": "Smith", "given": ["Ann"]}]}


def bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "collection",
            "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources]}


def test_fhir_elements_of_the_wrong_shape_are_all_listed() -> None:
    team = {"resourceType": "CareTeam", "id": "t1", "participant": {"member": {"reference": "urn:uuid:p1"}}}
    plan = {"resourceType": "CarePlan", "id": "c1", "status": "active", "intent": "plan", "activity": 5,
            "goal": [{"reference": 7}]}
    patient = {**PATIENT, "birthDate": 19400101, "identifier": True, "name": [{"given": "Ann"}]}
    with pytest.raises(FhirImportError) as caught:
        import_fhir(bundle(patient, team, plan))
    found = {p.path: p.message for p in caught.value.problems}
    assert found == {
        "$.entry[0].resource.birthDate": "Patient.birthDate must be text, not a number",
        "$.entry[0].resource.identifier": "Patient.identifier must be a list (it repeats in FHIR R4), not true or false",
        "$.entry[0].resource.name[0].given": "Patient.name.given must be a list (it repeats in FHIR R4), not text",
        "$.entry[1].resource.participant": "CareTeam.participant must be a list (it repeats in FHIR R4), not an object",
        "$.entry[2].resource.activity": "CarePlan.activity must be a list (it repeats in FHIR R4), not a number",
        "$.entry[2].resource.goal[0].reference": "CarePlan.goal.reference must be text, not a number",
    }


def test_the_real_fhir_data_has_the_shapes_the_import_reads(shared_dir: Path) -> None:
    from planner.fhir import read_fhir_file

    external = shared_dir / "data" / "external" / "synthea"
    files = sorted(external.rglob("*.json"))
    assert files
    for path in files:
        assert read_fhir_file(path).case.steps


# -- the command line: a message, exit 1, nothing imported -----------------------------------------------
#: Each example of the issue: how to make it from the demo file, and the path the message names.
ISSUE_EXAMPLES: dict[str, tuple[Any, str]] = {
    "nested 1,000 deep": (lambda t: t.replace('"extensions": {', '"extensions": {"x": ' + "[" * 1000 + "]" * 1000
                                              + ", ", 1), "$.extensions.x[0][0][0][0][0][0]…"),
    "thousands of digits": (lambda t: t.replace('"score": 6', '"score": ' + "6" * 5000), "$.person.frailty.score"),
    "NaN frailty": (lambda t: t.replace('"score": 6', '"score": NaN'), "$.person.frailty.score: NaN"),
    "Infinity frailty": (lambda t: t.replace('"score": 6', '"score": Infinity'), "$.person.frailty.score: Infinity"),
    "version 2^63": (lambda t: t.replace('"version": 2,', '"version": 9223372036854775808,', 1),
                     "$.care_plan.version: 9,223,372,036,854,775,808 is too large"),
    "object in signed_off_by": (lambda t: t.replace('"signed_off_by": [', '"signed_off_by": [{"a": 1}, ', 1),
                                "$.care_plan.signed_off_by[0]: must be text, not an object"),
    "lone surrogate": (lambda t: t.replace('"name": "', '"name": "\\ud800', 1), "$.person.name: the text contains a lone surrogate (U+D800)"),
    "sign-off 2024-00-10": (lambda t: t.replace('"on": "2024-03-12"', '"on": "2024-00-10"', 1),
                            ".sign_offs[0].on: '2024-00-10' is not a real date"),
    "extensions 500 deep": (lambda t: t.replace('"extensions": {', '"extensions": {"x": ' + '{"a":' * 500 + "1"
                                                + "}" * 500 + ", ", 1), "$.extensions.x.a.a.a.a.a.a…"),
    "year 1": (lambda t: t.replace('"1937-04-02"', '"0001-01-01"'),
               "$.person.date_of_birth: 0001-01-01 is outside the dates a case can hold"),
}


@pytest.mark.parametrize("name", sorted(ISSUE_EXAMPLES))
def test_each_example_from_the_issue_is_a_clean_refusal(name: str, capsys: pytest.CaptureFixture[str],
                                                        tmp_path: Path, db_url: str) -> None:
    make, where = ISSUE_EXAMPLES[name]
    text = make(DEMO.read_text(encoding="utf-8"))
    assert text != DEMO.read_text(encoding="utf-8")
    path = tmp_path / "bad.case.json"
    path.write_text(text, encoding="utf-8")
    assert main(["--db", db_url, "import", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("pathway-planner: ") and "Traceback" not in err
    assert where in err
    assert main(["--db", db_url, "cases", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_a_fhir_participant_that_is_not_a_list_is_a_clean_refusal(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, db_url: str) -> None:
    team = {"resourceType": "CareTeam", "id": "t1", "participant": 5}
    path = tmp_path / "bad.fhir.json"
    path.write_text(json.dumps(bundle(copy.deepcopy(PATIENT), team)), encoding="utf-8")
    assert main(["--db", db_url, "import", str(path)]) == 1
    err = capsys.readouterr().err
    assert "$.entry[1].resource.participant: CareTeam.participant must be a list" in err
    assert main(["--db", db_url, "cases", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


@pytest.mark.parametrize("years", ["201", "5000", "99999999999999999999999", "٣", "-1"])
def test_years_beyond_the_dialogs_range_are_a_usage_error(years: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["import", "anything.json", "--years", years])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "is not a whole number of years from 0 to 200" in err or "expected one argument" in err


def test_a_window_reaching_before_year_one_starts_at_the_first_day() -> None:
    from datetime import date

    from planner.fhir.values import years_before

    assert years_before(date(150, 6, 1), 200) == date.min
    assert years_before(date(2024, 2, 29), 199) == date(1825, 2, 28)


def test_the_window_lists_the_first_problems_and_counts_the_rest(window: Any, monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path) -> None:
    from PySide6.QtWidgets import QMessageBox

    data = minimal_dict()
    data["steps"] = [{"id": f"s{i}", "kind": "teleport", "organisation": "gp", "start": "2024-01-01"}
                     for i in range(500)]
    path = tmp_path / "bad.case.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    shown: list[QMessageBox] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box) or 0)
    assert window.import_path(str(path)) is None
    (box,) = shown
    assert "it has 500 problems. Nothing was changed." in box.text()
    assert box.informativeText().endswith("… and 488 more (see Show Details).")
    details = box.detailedText().splitlines()
    assert len(details) == MAX_SHOWN + 1 and details[-1] == "... and 300 more problems"


def test_strings_full_of_escapes_are_scanned_in_one_pass() -> None:
    """A pattern that follows escapes inside strings takes quadratic time on these (hours for a
    few megabytes); the scan takes escapes out first."""
    quotes = '["' + '\\"' * 200_000 + '"]'
    assert jsonlimits.nesting_depth(quotes) == 1 and loads_json(quotes) == ['"' * 200_000]
    unterminated = '["' + '\\"' * 200_000 + "]"
    with pytest.raises(CaseFileError, match="not valid JSON"):
        loads_json(unterminated)
    backslashes = '["' + "\\\\" * 200_000 + '", ["]"]]'
    assert jsonlimits.nesting_depth(backslashes) == 2 and loads_json(backslashes)[1] == ["]"]


@pytest.mark.parametrize(("data", "path", "words"), [
    ({"resourceType": "Bundle", "type": ["collection"], "entry": []}, "$.type", "a Bundle without a type"),
    ({"resourceType": "Bundle", "type": "collection",
      "entry": [{"resource": {**PATIENT, "contained": [{"id": "x", "resourceType": ["Organization"]}]}}]},
     "$.entry[0].resource.contained[0].resourceType", "Patient.contained.resourceType must be text, not a list"),
    ({**PATIENT, "contained": 5}, "$.contained", "Patient.contained must be a list"),
    ({**PATIENT, "name": [{"given": ["Ann", 2]}]}, "$.name[0].given[1]", "Patient.name.given must be text"),
    ({**PATIENT, "identifier": [{"system": {"a": 1}, "value": "x"}]}, "$.identifier[0].system",
     "Patient.identifier.system must be text, not an object"),
])
def test_fhir_shapes_the_import_does_not_expect_are_refused_by_path(data: dict[str, Any], path: str,
                                                                    words: str) -> None:
    with pytest.raises(FhirImportError) as caught:
        import_fhir(data)
    assert any(p.path == path and words in p.message for p in caught.value.problems), caught.value.problems


def test_a_choice_of_kinds_is_worded_as_the_choice() -> None:
    data = demo_dict()
    data["coordinator"][0]["to"] = 5
    data["handoffs"][0]["named_receiver"] = [1]
    data["extensions"][RECORD_KEY]["plan_versions"][1]["what_matters"] = {"a": 1}
    found = problems_of(data)
    assert found["$.coordinator[0].to"] == "must be a date (YYYY-MM-DD) or null, not 5"
    assert found["$.handoffs[0].named_receiver"] == "must be an id or null, not a list"
    assert found["$.extensions.pathway_planner.plan_versions[1].what_matters"] == \
        "must be text or null, not an object"
