"""The command line: listing, importing, exporting, screenshots, and its errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from planner.casefile import read_case_file
from tests.conftest import DEMO, ROOT
from tests.factories import demo_dict
from ui.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cases_lists_the_demo_on_the_embedded_default(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "cases", "--json")
    assert code == 0
    assert json.loads(out) == [{"id": 1, "title": "Mrs Smith, Torbay", "area": "Torbay", "steps": 24}]
    code, out, _ = run(capsys, "cases")
    assert code == 0 and "Mrs Smith, Torbay" in out and "24" in out


def test_environment_variable_chooses_the_database(capsys: pytest.CaptureFixture[str], db_url: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATHWAY_PLANNER_DB", db_url)
    assert run(capsys, "cases", "--json")[1].strip() == "[]"


def test_demo_adds_mrs_smith_to_any_database_once(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    assert run(capsys, "--db", db_url, "cases")[1].strip() == "No cases."
    code, out, err = run(capsys, "--db", db_url, "demo")
    assert code == 0 and err == ""
    case_id = int(out.strip())
    listed = json.loads(run(capsys, "--db", db_url, "cases", "--json")[1])
    assert listed == [{"id": case_id, "title": "Mrs Smith, Torbay", "area": "Torbay", "steps": 24}]
    code, out, err = run(capsys, "--db", db_url, "demo")
    assert code == 1 and out == ""
    assert "already in this database" in err and f"case {case_id}" in err and "Traceback" not in err
    assert len(json.loads(run(capsys, "--db", db_url, "cases", "--json")[1])) == 1


def test_import_then_export_gives_back_the_same_case(capsys: pytest.CaptureFixture[str], db_url: str,
                                                     tmp_path: Path) -> None:
    code, out, _ = run(capsys, "--db", db_url, "import", str(DEMO))
    assert code == 0 and out.strip() == "1"
    out_file = tmp_path / "exported.case.json"
    code, out, _ = run(capsys, "--db", db_url, "export-case", "Mrs Smith, Torbay", "--out", str(out_file))
    assert code == 0 and out.strip() == str(out_file)
    assert read_case_file(out_file) == read_case_file(DEMO)
    code, _, _ = run(capsys, "--db", db_url, "export-case", "1", "--out", str(tmp_path / "by-id.json"))
    assert code == 0 and read_case_file(tmp_path / "by-id.json") == read_case_file(DEMO)


def test_an_invalid_file_lists_every_problem_and_changes_nothing(
        capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path) -> None:
    data = demo_dict()
    data["person"]["nhs_number"] = "1234567890"
    data["steps"][2]["end"] = "2000-01-01"
    data["handoffs"][0]["from"] = "nowhere"
    data["surprise"] = True
    bad = tmp_path / "bad.case.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    run(capsys, "--db", db_url, "import", str(DEMO))
    code, out, err = run(capsys, "--db", db_url, "import", str(bad))
    assert code == 1 and out == ""
    for path in ("$.person.nhs_number", "$.steps[2].end", "$.handoffs[0].from", "$:"):
        assert path in err
    assert "Traceback" not in err
    assert len(json.loads(run(capsys, "--db", db_url, "cases", "--json")[1])) == 1


def test_unknown_case_and_bad_database_are_clear_errors(capsys: pytest.CaptureFixture[str], db_url: str,
                                                        tmp_path: Path) -> None:
    code, _, err = run(capsys, "--db", db_url, "export-case", "Nobody", "--out", str(tmp_path / "x.json"))
    assert code == 1 and err.strip() == "pathway-planner: No case has the id or title 'Nobody'."
    corrupt = tmp_path / "corrupt.sqlite"
    corrupt.write_bytes(b"garbage" * 500)
    code, _, err = run(capsys, "--db", f"sqlite:///{corrupt}", "cases")
    assert code == 1 and "corrupt.sqlite" in err and "file is not a database" in err
    assert len(err.strip().splitlines()) == 1


def test_export_to_an_unwritable_place(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "export-case", "1", "--out", str(tmp_path / "no" / "such" / "dir.json"))
    assert code == 1 and "Cannot write" in err and "does not exist" in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["export-case", "1"])  # --out missing
    assert exited.value.code == 2
    with pytest.raises(SystemExit) as exited:
        main(["frobnicate"])
    assert exited.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_screenshot_renders_the_window(capsys: pytest.CaptureFixture[str], qapp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QImage

    out = tmp_path / "shot.png"
    code, printed, _ = run(capsys, "screenshot", "--out", str(out), "--case", "Mrs Smith, Torbay", "--tab", "care plan")
    assert code == 0 and printed.strip() == str(out)
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1440, 900)
    # not a blank picture: many distinct colours
    colours = {image.pixel(x, y) for x in range(0, 1440, 37) for y in range(0, 900, 29)}
    assert len(colours) > 10
    code, _, err = run(capsys, "screenshot", "--out", str(out), "--tab", "billing")
    assert code == 1 and "There is no tab 'billing'" in err


def test_the_installed_command_reports_errors_without_a_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "PATHWAY_PLANNER_DB": f"sqlite:///{tmp_path / 'x.sqlite'}"}
    result = subprocess.run([sys.executable, "-m", "ui.cli", "import", str(tmp_path / "missing.json")],
                            capture_output=True, text=True, cwd=ROOT, env=env)
    assert result.returncode == 1
    assert "cannot read the file" in result.stderr and "Traceback" not in result.stderr


def test_findings_json_has_the_promised_keys(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "findings", "Mrs Smith, Torbay", "--json")
    assert code == 0
    findings = json.loads(out)
    assert findings
    keys = {"rule", "title", "severity", "steps", "organisations", "regulators", "evidence", "question",
            "annotation"}
    assert all(keys <= set(f) for f in findings)
    case = read_case_file(DEMO)
    step_ids = {s.id for s in case.steps}
    org_ids = {o.id for o in case.organisations}
    assert all(set(f["steps"]) <= step_ids and set(f["organisations"]) <= org_ids for f in findings)
    m04 = next(f for f in findings if f["rule"] == "M04" and f["steps"] == ["s8"])
    assert m04["annotation"]["status"] == "confirmed" and m04["severity"] == "high"
    assert "10 days delayed" in m04["evidence"] and "2 Feb 2024" in m04["evidence"]
    assert next(f for f in findings if f["rule"] == "M07")["annotation"] is None
    from planner.rules.engine import rule_modules

    # every rule of the catalogue fires on the demo but M10 (she never lives in a care home)
    assert sorted({f["rule"] for f in findings}) == sorted(set(rule_modules()) - {"M10"})


def test_findings_text_reads_as_a_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "findings", "1")
    assert code == 0
    assert "▲ HIGH  M04 Contested delay attribution  (2 occurrences; key finding 5)" in out
    assert "  • 20 Jan 2024 · Emergency admission: fractured neck of femur\n" in out  # named, not "s8"
    assert "Team: confirmed: Raised at the MDT" in out
    assert "Question: Should this delay count against the system rather than one agency?" in out


def test_measures(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "measures", "1", "--json")
    data = json.loads(out)
    assert code == 0
    assert [a["length_of_stay"] for a in data["admissions"]] == [23, 19]
    assert data["delayed_days"] == {"nhs": 0, "social_care": 16, "both": 0, "total": 16}
    assert data["emergency_admissions_12_months"] == 2 and data["readmissions_30_days"] == 1
    assert data["duplicate_assessments"] == 2 and data["organisations"] == 9
    assert data["reablement"][0]["in_official_figure"] is False
    code, out, _ = run(capsys, "measures", "1")
    assert "Readmissions within 30 days" in out and "71% of 273 days" in out


def test_findings_for_an_unknown_case(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "findings", "Nobody")
    assert code == 1 and "No case has the id or title 'Nobody'" in err


# -- help, --db anywhere, suggestions --------------------------------------------------------------
def _subcommands() -> dict[str, object]:
    import argparse

    from ui.cli import build_parser

    parser = build_parser()
    found = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert len(found) == 1
    return dict(found[0].choices)


def test_every_sub_command_says_what_it_does(capsys: pytest.CaptureFixture[str]) -> None:
    from ui.actions.outputs import OUTPUTS

    commands = _subcommands()
    assert {output.command for output in OUTPUTS} <= set(commands) and len(commands) >= 18
    for name, command in commands.items():
        description = command.description  # type: ignore[attr-defined]
        assert description and len(description.split()) >= 5 and description[0].isupper(), name
        with pytest.raises(SystemExit) as exited:
            main([name, "--help"])
        assert exited.value.code == 0
        shown = " ".join(capsys.readouterr().out.split())
        assert " ".join(description.split()) in shown and "--db URL" in shown, name


def test_db_is_accepted_before_or_after_the_sub_command(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    empty, demo = f"sqlite:///{tmp_path / 'empty.sqlite'}", f"sqlite:///{tmp_path / 'demo.sqlite'}"
    assert run(capsys, "demo", "--db", demo)[0] == 0  # after
    assert run(capsys, "cases", "--db", empty, "--json")[1].strip() == "[]"
    assert run(capsys, "--db", empty, "cases", "--json")[1].strip() == "[]"  # before
    assert [c["title"] for c in json.loads(run(capsys, "cases", "--json", "--db", demo)[1])] == ["Mrs Smith, Torbay"]
    # after wins over before, as the later of two options does
    assert run(capsys, "--db", demo, "cases", "--json", "--db", empty)[1].strip() == "[]"
    out = tmp_path / "out.case.json"
    code, printed, _ = run(capsys, "export-case", "1", "--out", str(out), "--db", demo)
    assert code == 0 and printed.strip() == str(out) and read_case_file(out).title == "Mrs Smith, Torbay"


def test_a_title_that_matches_no_case_suggests_the_closest(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cases.sqlite'}"
    run(capsys, "--db", url, "demo")
    out = tmp_path / "x.json"
    for command in (["export-case", "mrs smyth", "--out", str(out)], ["findings", "Mrs Smith Torbay"],
                    ["print-plan", "smith", "--out", str(out)], ["audit", "Mrs Smiht, Torbay"]):
        code, printed, err = run(capsys, "--db", url, *command)
        assert code == 1 and printed == "", command
        assert err.count("\n") == 1 and "Did you mean “Mrs Smith, Torbay”?" in err, command
        assert err.startswith("pathway-planner: No case has the id or title "), command
    assert not out.exists()
    code, _, err = run(capsys, "--db", url, "findings", "Nobody")
    assert code == 1 and err.strip() == "pathway-planner: No case has the id or title 'Nobody'."
