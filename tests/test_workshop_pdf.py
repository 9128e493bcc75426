"""The regulator-workshop case summary and the workshop pack: their content (through pdftotext),
their validity (qpdf --check), markup in case text, long pathways, the command line and the GUI."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from pathlib import Path

import pytest

from planner.analysis import analyse
from planner.casefile import case_from_dict, read_case_file
from planner.story import Teller, tell
from tests.conftest import DEMO
from tests.factories import demo_dict, large_case_dict, minimal_dict
from ui.cli import main

SECTIONS = ["Regulation workshop case summary", "Her story", "Pathway map", "Organisations and their regulators",
            "The team and the care coordinator", "The shared care plan", "Measures", "Findings",
            "Questions for the workshop", "Appendix: the timeline", "Appendix: the handoffs"]


PREPARED = date(2025, 3, 1)


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def flat(text: str) -> str:
    return " ".join(text.split())


def pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)[1])  # type: ignore[index]


def qpdf_ok(path: Path) -> None:
    result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors found" in result.stdout


def uncompressed(path: Path, tmp: Path) -> bytes:
    """The PDF with every stream decompressed, to look for what a viewer would act on."""
    out = tmp / f"{path.stem}.qdf.pdf"
    subprocess.run(["qpdf", "--qdf", "--object-streams=disable", str(path), str(out)], check=True)
    return out.read_bytes()


@pytest.fixture(scope="module")
def demo_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from reports.workshop import WorkshopOptions, write_case_summary

    folder = tmp_path_factory.mktemp("workshop")
    case = read_case_file(DEMO)
    made = {}
    for name, options in (("anonymised", WorkshopOptions(prepared_on=PREPARED)),
                          ("identifiable", WorkshopOptions(identifiable=True, prepared_on=PREPARED)),
                          ("alias", WorkshopOptions(alias="Mrs Q", prepared_on=PREPARED))):
        made[name] = folder / f"{name}.pdf"
        summary = write_case_summary(case, made[name], options)
        assert summary.pages == pages(made[name]) and summary.identifiable == (name == "identifiable")
    return made


def cover_page(path: Path) -> str:
    """The text of the cover: the page after the executive summary (the value case's three sides
    at most), the one with the contents."""
    for number in range(1, 5):
        page = subprocess.run(["pdftotext", "-layout", "-f", str(number), "-l", str(number), str(path), "-"],
                              capture_output=True, text=True, check=True).stdout
        if "Contents" in page:
            return page
    raise AssertionError("no cover in the first four pages")


def test_the_summary_opens_with_the_value_case(demo_pdfs: dict[str, Path]) -> None:
    first = flat(subprocess.run(["pdftotext", "-layout", "-l", "1", str(demo_pdfs["anonymised"]), "-"],
                                capture_output=True, text=True, check=True).stdout)
    assert "Value case" in first and "1. Infrastructure: who is involved" in first
    text = flat(pdf_text(demo_pdfs["anonymised"]))
    assert text.index("What we ask of the regulators") < text.index("Contents")


def test_the_summary_is_a_valid_pdf_with_every_section_in_order(demo_pdfs: dict[str, Path]) -> None:
    path = demo_pdfs["anonymised"]
    qpdf_ok(path)
    text = flat(pdf_text(path))
    cover = flat(cover_page(path))
    assert cover.startswith(SECTIONS[0]) and "Contents" in cover
    at = text.index(cover[-200:]) + 200  # after the cover (whose contents list names the sections), each in turn
    for section in SECTIONS[1:]:
        found = text.find(section, at)
        assert found > at, section
        at = found
    total = pages(path)
    for number in range(1, total + 1):
        assert f"Page {number} of {total}" in text


def test_the_first_page_says_anonymised_and_nothing_identifies_her(demo_pdfs: dict[str, Path]) -> None:
    first_page = cover_page(demo_pdfs["anonymised"])
    assert "Anonymised for the regulation workshop" in first_page and "Mrs S, Torbay" in first_page
    assert "85–89" in first_page and "IDENTIFIABLE" not in first_page
    text = flat(pdf_text(demo_pdfs["anonymised"]))
    for identifier in ("Edith", "Smith", "943 476 5919", "9434765919", "TQ5", "1937", "Maeve", "O'Brien",
                       "Priya", "Kaur", "Susan", "Harris", "01803", "Package cancelled"):
        assert identifier not in text, identifier
    # no real date in any form but the day it was prepared (a contract's reference may still name a year)
    assert text.count("1 Mar 2025") == pages(demo_pdfs["anonymised"]) + 1  # every footer, and the cover
    text = text.replace("1 Mar 2025", "")
    # the unit costs' sources (publications and the dates they were published) are not about her
    text = re.sub(r"Sources: .*?What we ask of the regulators", "What we ask of the regulators", text)
    assert not re.search(r"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* 20\d\d", text)
    assert not re.search(r"20\d\d-\d\d-\d\d|\d\d/\d\d/20\d\d", text)
    assert "day 0" in text and "day 110" in text and "district nurse at Torbay Community Health Services" in text


def test_identifiable_includes_what_anonymised_leaves_out(demo_pdfs: dict[str, Path]) -> None:
    first_page = cover_page(demo_pdfs["identifiable"])
    assert "IDENTIFIABLE: this summary contains personal data" in flat(first_page)
    text = flat(pdf_text(demo_pdfs["identifiable"]))
    for shown in ("Edith Smith", "943 476 5919", "TQ5 0ZZ", "2 Apr 1937", "Maeve O'Brien", "20 Jan 2024",
                  "Note: Package cancelled by the agency", "01803 000 204"):
        assert shown in text, shown
    qpdf_ok(demo_pdfs["identifiable"])


def test_an_alias_replaces_the_pseudonym(demo_pdfs: dict[str, Path]) -> None:
    text = flat(pdf_text(demo_pdfs["alias"]))
    assert "Mrs Q, Torbay" in text and "care plan agreed with Mrs Q and her daughter" in text
    assert "Mrs S" not in text


def test_every_finding_appears_with_its_parts(demo_pdfs: dict[str, Path]) -> None:
    case = read_case_file(DEMO)
    report = analyse(case).report
    text = flat(pdf_text(demo_pdfs["anonymised"]))
    active = [f for f in report.findings if not f.set_aside]
    for rule in dict.fromkeys(f.rule for f in active):
        count = sum(1 for f in active if f.rule == rule)
        title = next(f.title for f in active if f.rule == rule)
        assert f"{rule} · {title}" in text
        labels = [f"{rule}.{n}" for n in range(1, count + 1)] if count > 1 else [rule]
        for heading in labels:
            assert re.search(rf"{re.escape(heading)} ", text), heading
    assert len(re.findall(r"Steps: (\d+ “|the case as a whole)", text)) == len(report.findings)
    assert text.count("Regulators: ") == len(report.findings)
    assert "Team's view: Confirmed: Raised at the MDT on day 162" in text
    assert "Set aside by the team" in text and "Team's view: Set aside: The family chose this step-down bed" in text
    for question in {f.question for f in active}:
        assert f"Question for the workshop: {question}" in text
    start = text.index("Questions for the workshop One question")
    questions = text[start:text.index("Appendix: the timeline", start)]
    # one question a rule, in the key findings' order
    rules = list(dict.fromkeys(f.rule for f in active))
    assert len(re.findall(r" \d+\. ", questions)) == len(rules)
    ranked = [g.rule for g in analyse(case).key.groups if g.active]
    assert [questions.index(f"Raised by {rule} ") for rule in ranked] == sorted(
        questions.index(f"Raised by {rule} ") for rule in ranked)


def test_her_story_is_told_from_the_timeline() -> None:
    case = read_case_file(DEMO)
    paragraphs = tell(case, Teller(lambda m: str(m), "Edith Smith", "86"), {"high": 2, "medium": 1, "low": 0})
    text = " ".join(paragraphs)
    assert text.startswith("Edith Smith, aged 86, lives alone in Torbay.")
    assert "She went into hospital twice as an emergency, for 42 days in all, 16 days of them waiting" in text
    assert "a readmission 18 days after leaving hospital" in text
    assert "awaiting a care package (a delay counted against social care)" in text
    assert "Maeve O'Brien, district nurse at Torbay Community Health Services" in text
    assert text.endswith("2 high, 1 medium (set out below).")
    quiet = case_from_dict(minimal_dict(sex="male"))
    told = tell(quiet, Teller(lambda m: str(m), "Mr T", "", names_members=False))
    assert "he had 1 step" in " ".join(told) and "Nobody has been named as his care coordinator." in told


def test_a_long_story_stays_short() -> None:
    case = case_from_dict(large_case_dict(1000))
    paragraphs = tell(case, Teller(lambda m: str(m), "Mrs S", "85–89", names_members=False))
    assert len(" ".join(paragraphs)) < 6000
    assert any("more admissions" in p for p in paragraphs)


def test_markup_in_case_text_prints_literally_and_makes_no_link(tmp_path: Path) -> None:
    from reports.workshop import WorkshopOptions, write_case_summary

    data = demo_dict()
    hostile = "<b>Ann</b> & <a href='https://evil.example'>Co</a> &amp; <font size=40>big</font>"
    data["person"]["name"] = "Edith <i>Smith</i>"
    data["title"] = f"Title {hostile}"
    data["steps"][0]["label"] = "<link href='https://evil.example'>click</link> & <br/> <para>"
    data["organisations"][0]["name"] = "Surgery <u>&</u> Co"
    data["team"][0]["name"] = "Dr <onDraw name=x/> Shah"
    data["care_plan"]["contingency"] = "Ring <seq/> &#169; &nbsp; ]]> <![CDATA[x]]>"
    data["care_plan"]["goals"][0]["in_my_words"] = "<img src='x.png'/> I want & need"
    data["annotations"][0]["comment"] = "<a href='javascript:alert(1)'>see</a>"
    case = case_from_dict(data)
    for options in (WorkshopOptions(identifiable=True), WorkshopOptions()):
        out = tmp_path / f"{options.identifiable}.pdf"
        write_case_summary(case, out, options)
        qpdf_ok(out)
        text = flat(pdf_text(out))
        assert f"Title {hostile}" in text
        assert "<link href='https://evil.example'>click</link> & <br/> <para>" in text
        assert "Surgery <u>&</u> Co" in text
        assert "Ring <seq/> &#169; &nbsp; ]]> <![CDATA[x]]>" in text
        assert "<img src='x.png'/> I want & need" in text
        raw = uncompressed(out, tmp_path)
        # no link, annotation or script anywhere (the words are only ever text drawn on the page)
        for name in (b"/URI", b"/Annots", b"/Link", b"/JavaScript", b"/JS", b"/Launch", b"/OpenAction"):
            assert name not in raw, name
        if options.identifiable:
            assert "Edith <i>Smith</i>" in text and "Dr <onDraw name=x/> Shah" in text
            assert "<a href='javascript:alert(1)'>see</a>" in text
        else:
            assert "Smith" not in text and "Shah" not in text and "Mrs S, Torbay" not in text


def test_a_long_pathway_is_drawn_in_readable_parts(tmp_path: Path) -> None:
    from reports.map_drawing import ONE_PAGE_STEPS, WINDOW_STEPS
    from reports.workshop import write_case_summary

    steps = 150
    case = case_from_dict(large_case_dict(steps))
    out = tmp_path / "long.pdf"
    write_case_summary(case, out)
    qpdf_ok(out)
    text = flat(pdf_text(out))
    parts = -(-steps // WINDOW_STEPS)
    assert steps > ONE_PAGE_STEPS and "The whole pathway" in text
    for number in range(1, parts + 1):
        assert f"Pathway map, part {number} of {parts}: steps" in text
    assert "steps 1 to 40" in text and "Generated step 149" in text
    # every step's number is on its part's page, with its label when there is room
    assert text.count("Generated step") >= steps


def test_long_lists_of_measures_are_summed_up() -> None:
    from reports.workshop import measure_rows

    rows = dict(measure_rows(analyse(case_from_dict(large_case_dict(300))).measures))
    assert rows["Length of stay"] == "50 completed stays: 100 days in all; median 2, longest 2 days"
    short = dict(measure_rows(analyse(read_case_file(DEMO)).measures))
    assert short["Length of stay"] == "23 days, 19 days"


def test_an_empty_case_still_makes_a_summary(tmp_path: Path) -> None:
    from planner.model import Case, Person
    from reports.workshop import write_case_summary

    out = tmp_path / "empty.pdf"
    summary = write_case_summary(Case(person=Person(name="Nobody Yet")), out)
    qpdf_ok(out)
    text = flat(pdf_text(out))
    assert summary.pages >= 5 and "No steps are recorded yet" in text and "Nobody Yet" not in text


# -- the pack -------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pack_cases() -> list:  # type: ignore[type-arg]
    demo = read_case_file(DEMO)
    second = demo_dict()
    second["title"] = "Mr J, Croydon"
    second["person"].update(name="John Jones", sex="male", area="Croydon")
    second["steps"] = [s for s in second["steps"] if s["id"] not in ("s16", "s17", "s18", "s20")]
    second["handoffs"] = [h for h in second["handoffs"] if h["from"] not in ("s17", "s20")]
    second["annotations"] = []
    second.pop("extensions", None)
    third = case_from_dict(large_case_dict(60, title="Ms K, Sutton"))
    return [demo, case_from_dict(second), third]


def test_the_pack_compares_the_cases(tmp_path: Path, pack_cases: list) -> None:  # type: ignore[type-arg]
    from reports.pack import write_pack

    out = tmp_path / "pack.pdf"
    summary = write_pack(pack_cases, out)
    qpdf_ok(out)
    assert summary.pages == pages(out) and not summary.identifiable
    text = flat(pdf_text(out))
    order = ["Regulation workshop pack", "3 cases side by side", "Case A: Mrs S, Torbay", "Case B: Mr J, Croydon",
             "Case C: Ms K, Sutton", "Across the cases", "How often each rule fired",
             "Regulators involved in the findings", "Measures side by side", "Questions for the workshop"]
    at = [text.find(words) for words in order]
    assert -1 not in at and at == sorted(at), list(zip(order, at, strict=True))
    for identifier in ("Edith", "John Jones", "943 476 5919", "TQ5", "Maeve"):
        assert identifier not in text
    assert "Care Quality Commission and NHS England" in text
    assert "Cases in which the rule fired (of 3)" in text


def test_the_pack_counts_rules_regulators_and_questions(pack_cases: list) -> None:  # type: ignore[type-arg]
    from reports.pack import (
        PackCase,
        frames,
        question_frequency,
        regulator_involvement,
        regulator_pairs,
        rule_frequency,
    )
    from reports.workshop import CaseView

    members = [PackCase(letter, CaseView(case)) for letter, case in zip("ABC", pack_cases, strict=True)]
    tables = frames(members)
    active = {m.letter: m.view.active() for m in members}
    frequency = rule_frequency(tables.findings, 3).set_index("rule")
    for rule in ("M04", "M13"):
        in_cases = [letter for letter, found in active.items() if any(f.rule == rule for f in found)]
        assert frequency.at[rule, "cases"] == len(in_cases)
        assert frequency.at[rule, "findings"] == sum(f.rule == rule for found in active.values() for f in found)
    assert list(frequency["cases"]) == sorted(frequency["cases"], reverse=True)
    involvement = regulator_involvement(tables.findings).set_index("regulator")
    assert involvement.at["CQC", "findings"] == sum("CQC" in f.regulators for found in active.values()
                                                      for f in found)
    pairs = regulator_pairs(tables.findings)
    assert ("CQC", "NHSE") in set(pairs["pair"])
    asked = question_frequency(tables.findings)
    assert list(asked["cases"]) == sorted(asked["cases"], reverse=True)
    assert asked["question"].is_unique
    assert list(tables.measures.index) == ["A", "B", "C"]
    assert tables.measures.at["A", "admissions"] == 2 and tables.measures.at["B", "admissions"] == 1


def test_pack_letters() -> None:
    from reports.pack import letters

    assert letters(3) == ["A", "B", "C"] and letters(28)[-3:] == ["Z", "AA", "AB"]


# -- the command line -----------------------------------------------------------------------------------------
def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_export_pdf_and_workshop_pack_commands(capsys: pytest.CaptureFixture[str], db_url: str,
                                               tmp_path: Path) -> None:
    assert run(capsys, "--db", db_url, "import", str(DEMO))[0] == 0
    data = demo_dict()
    data["title"] = "Second case"
    second = tmp_path / "second.case.json"
    import json

    second.write_text(json.dumps(data), encoding="utf-8")
    assert run(capsys, "--db", db_url, "import", str(second))[0] == 0
    out = tmp_path / "summary.pdf"
    code, printed, _ = run(capsys, "--db", db_url, "export-pdf", "Mrs Smith, Torbay", "--out", str(out))
    assert code == 0 and printed.strip() == f"{out} ({pages(out)} pages, anonymised)"
    assert "Mrs S, Torbay" in pdf_text(out) and "Edith" not in pdf_text(out)
    code, printed, _ = run(capsys, "--db", db_url, "export-pdf", "1", "--out", str(out), "--identifiable",
                            "--force")
    assert code == 0 and "IDENTIFIABLE" in printed and "Edith Smith" in pdf_text(out)
    code, _, _ = run(capsys, "--db", db_url, "export-pdf", "1", "--out", str(out), "--alias", "Mrs Q", "--force")
    assert code == 0 and "Mrs Q, Torbay" in pdf_text(out)
    pack = tmp_path / "pack.pdf"
    code, printed, _ = run(capsys, "--db", db_url, "workshop-pack", "1", "Second case", "--out", str(pack))
    assert code == 0 and printed.strip() == f"{pack} ({pages(pack)} pages, 2 cases, anonymised)"
    qpdf_ok(pack)
    # every export is in the audit trail, with whether it was anonymised
    code, printed, _ = run(capsys, "--db", db_url, "audit", "1", "--json")
    exports = [e["details"] for e in json.loads(printed) if e["action"] == "exported"]
    assert [(e["format"], e["anonymised"], e.get("what")) for e in exports] == [
        ("workshop-pack", True, "workshop pack page"), ("pdf", True, "workshop case summary"),
        ("pdf", False, "workshop case summary"), ("pdf", True, "workshop case summary")]
    code, printed, _ = run(capsys, "--db", db_url, "audit", "2", "--json")
    assert [e["details"]["format"] for e in json.loads(printed) if e["action"] == "exported"] == ["workshop-pack"]


def test_workshop_command_errors(capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path) -> None:
    run(capsys, "--db", db_url, "import", str(DEMO))
    with pytest.raises(SystemExit) as usage:
        main(["--db", db_url, "export-pdf", "1", "--out", str(tmp_path / "x.pdf"), "--identifiable",
              "--alias", "Mrs Q"])
    assert usage.value.code == 2
    capsys.readouterr()
    code, _, err = run(capsys, "--db", db_url, "export-pdf", "Nobody", "--out", str(tmp_path / "x.pdf"))
    assert code == 1 and err.strip() == "pathway-planner: No case has the id or title 'Nobody'."
    code, _, err = run(capsys, "--db", db_url, "export-pdf", "1", "--out", str(tmp_path / "missing" / "x.pdf"))
    assert code == 1 and err.startswith("pathway-planner: Cannot write") and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "--db", db_url, "workshop-pack", "1", "Mrs Smith, Torbay", "--out",
                       str(tmp_path / "p.pdf"))
    assert code == 1 and "named more than once" in err
    assert not (tmp_path / "p.pdf").exists() and not list(tmp_path.glob("*.part"))


def test_a_failed_write_keeps_the_earlier_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reports import pdfkit
    from reports.workshop import write_case_summary

    out = tmp_path / "summary.pdf"
    out.write_bytes(b"earlier")

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("layout failed")

    monkeypatch.setattr(pdfkit, "_numbered_canvas", broken)
    with pytest.raises(RuntimeError):
        write_case_summary(read_case_file(DEMO), out)
    assert out.read_bytes() == b"earlier" and [p.name for p in tmp_path.iterdir()] == ["summary.pdf"]


# -- the GUI --------------------------------------------------------------------------------------------------
def test_the_export_dialog_previews_and_warns(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QFileDialog

    from ui.workshop_dialog import WorkshopExportDialog

    case = read_case_file(DEMO)
    dialog = WorkshopExportDialog(case)
    qtbot.addWidget(dialog)  # not shown: the offscreen platform warns about top-level dialogs
    sections = [dialog.sections.topLevelItem(i).text(0) for i in range(dialog.sections.topLevelItemCount())]
    assert sections == ["Executive summary", "Cover", "Her story", "Pathway map", "Organisations and regulators",
                        "Team and care coordinator", "Care plan", "Measures", "Findings", "Discussion questions",
                        "Appendix"]
    assert dialog.anonymised.isChecked() and dialog.warning.isHidden() and dialog.alias.isEnabled()
    assert dialog.called.text() == "In the summary: “Mrs S”" and "NHS number" in dialog.left_out.text()
    assert "anonymised as Mrs S" in dialog.sections.topLevelItem(1).text(1)
    dialog.alias.setText("Mrs <b>Q</b>")
    dialog.refresh()
    assert dialog.called.text() == "In the summary: “Mrs <b>Q</b>”"
    assert dialog.options().alias == "Mrs <b>Q</b>"
    dialog.identifiable.setChecked(True)
    assert not dialog.warning.isHidden() and not dialog.alias.isEnabled()
    assert "personal data" not in dialog.export_button.text() and "identifiable" in dialog.export_button.text()
    assert dialog.options().identifiable and dialog.options().alias is None
    assert "IDENTIFIABLE" in dialog.sections.topLevelItem(1).text(1)
    dialog.anonymised.setChecked(True)
    target = tmp_path / "chosen"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "PDF files (*.pdf)"))
    with qtbot.waitSignal(dialog.exported) as signal:
        dialog.choose_and_export()
    assert signal.args == [str(target) + ".pdf", True]
    written = target.with_suffix(".pdf")
    qpdf_ok(written)
    assert "Mrs <b>Q</b>, Torbay" in pdf_text(written)
    assert dialog.result() == dialog.DialogCode.Accepted


def test_an_unwritable_place_is_explained(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox

    from ui.workshop_dialog import WorkshopExportDialog

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text: shown.append(f"{title}: {text}"))
    dialog = WorkshopExportDialog(read_case_file(DEMO))
    qtbot.addWidget(dialog)
    assert dialog.export_to(tmp_path / "missing" / "x.pdf") is None
    assert shown and shown[0].startswith("Summary not exported: Cannot write")


def test_the_case_chooser_makes_a_pack(qtbot, tmp_path: Path, pack_cases: list) -> None:  # type: ignore[no-untyped-def,type-arg]
    from db.repository import CaseSummary
    from ui.workshop_dialog import CaseChooserDialog

    rows = [CaseSummary(n, case.display_title, case.person.name, case.person.area, len(case.steps))
            for n, case in enumerate(pack_cases, start=1)]
    loaded: list[list[int]] = []

    def load(ids: list[int]) -> list:  # type: ignore[type-arg]
        loaded.append(list(ids))
        return [pack_cases[i - 1] for i in ids]

    dialog = CaseChooserDialog(lambda search, _limit: [r for r in rows if search.lower() in r.title.lower()],
                               load, preselect=[2])
    qtbot.addWidget(dialog)
    assert dialog.chosen_ids() == [2] and dialog.make_button.isEnabled()
    dialog.search.setText("sutton")
    dialog.refresh()
    assert dialog.list.count() == 1
    from PySide6.QtCore import Qt

    dialog.list.item(0).setCheckState(Qt.CheckState.Checked)
    dialog.search.clear()
    dialog.refresh()
    checked = [dialog.list.item(i).checkState() == Qt.CheckState.Checked for i in range(dialog.list.count())]
    assert checked == [False, True, True] and dialog.count.text() == "2 cases chosen"
    out = tmp_path / "pack.pdf"
    with qtbot.waitSignal(dialog.exported):
        assert dialog.export_to(out) is not None
    assert loaded == [[2, 3]]
    text = flat(pdf_text(out))
    assert "Case A: Mr J, Croydon" in text and "Case B: Ms K, Sutton" in text
    dialog._tick_all(False)
    assert not dialog.make_button.isEnabled()


def test_the_file_menu_opens_the_workshop_dialogs(qtbot, demo_database, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from ui.app import make_app
    from ui.main_window import MainWindow
    from ui.workshop_dialog import CaseChooserDialog, WorkshopExportDialog

    make_app()
    window = MainWindow(demo_database, remember_layout=False)
    qtbot.addWidget(window)
    opened: list[object] = []
    monkeypatch.setattr(WorkshopExportDialog, "exec", lambda self: opened.append(self) or 0)
    monkeypatch.setattr(CaseChooserDialog, "exec", lambda self: opened.append(self) or 0)
    texts = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert "Export &workshop case summary…" in texts and "Wor&kshop pack…" in texts
    assert window.workshop_action.isEnabled()
    window.workshop_action.trigger()
    window.pack_action.trigger()
    summary, chooser = opened
    assert isinstance(summary, WorkshopExportDialog) and summary.case is window.case
    assert isinstance(chooser, CaseChooserDialog) and chooser.chosen_ids() == [demo_database.demo_id]
