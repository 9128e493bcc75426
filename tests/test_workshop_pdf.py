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
    # a statutory body's (the community trust's): anonymised, a GP practice is shown as "GP practice A"
    data["organisations"][1]["name"] = "Surgery <u>&</u> Co"
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


# -- pages an integration lead can hand out ---------------------------------------------------------------------
def words_on_pages(path: Path) -> list[tuple[float, float, list[tuple[float, float, float, float, str]]]]:
    """Each page's width, height and words (xMin, yMin, xMax, yMax, text), from pdftotext -bbox."""
    xml = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    found = []
    for width, height, body in re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', xml, re.S):
        words = [(float(a), float(b), float(c), float(d), t) for a, b, c, d, t in
                 re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', body)]
        found.append((float(width), float(height), words))
    return found


def vocabulary(cases: list) -> tuple[set[str], set[str]]:  # type: ignore[type-arg]
    """The long words of every name a summary or pack prints in a table (organisations,
    regulators, sectors, payment models, roles and step labels), and all their words."""
    from planner.reference import label, payment_model_of, regulators_of

    texts = []
    for case in cases:
        for org in case.organisations:
            texts += [org.name, label("sector", org.sector), label("payment_model", payment_model_of(org)) or ""]
            texts += [label("regulator", code) for code in regulators_of(org)]
        texts += [label("role", member.role) for member in case.team]
        texts += [step.label or "" for step in case.steps]
    words = {word for text in texts for word in re.findall(r"[A-Za-z]+", text)}
    return {word for word in words if len(word) >= 8}, {word.lower() for word in words}


def broken_words(path: Path, long_words: set[str], whole: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """Long words drawn in pieces on consecutive lines of one column ("Phar" / "maceutical"),
    unless every piece is a word of its own (``whole``: "Home" / "care" for "Homecare")."""
    broken = []
    for _width, _height, words in words_on_pages(path):
        drawn = [(x0, y0, re.sub(r"[^A-Za-z]", "", text)) for x0, y0, _x1, _y1, text in words]

        def rest_follows(x: float, y: float, rest: str, pieces: list[str],
                         drawn: list[tuple[float, float, str]] = drawn) -> list[str] | None:
            if not rest:
                return pieces
            for x1, y1, text in drawn:
                if text and rest.startswith(text) and 0 < y1 - y < 30 and abs(x1 - x) < 60:
                    found = rest_follows(x1, y1, rest[len(text):], [*pieces, text], drawn)
                    if found:
                        return found
            return None

        for x0, y0, text in drawn:
            for word in long_words:
                if len(text) >= 2 and word != text and word.startswith(text):
                    pieces = rest_follows(x0, y0, word[len(text):], [text])
                    if pieces and not all(piece.lower() in whole for piece in pieces):
                        broken.append("/".join(pieces))
    return broken


def test_the_word_check_finds_a_word_broken_in_a_narrow_column(tmp_path: Path) -> None:
    """The check below can fail: reportlab cuts a word wider than its column."""
    from reportlab.platypus import SimpleDocTemplate, Table

    from reports import pdfkit

    out = tmp_path / "narrow.pdf"
    cell = pdfkit.para("General Pharmaceutical Council", pdfkit.styles().cell_bold)
    SimpleDocTemplate(str(out)).build([Table([[cell, "x"]], colWidths=[45, 300])])
    assert broken_words(out, {"Pharmaceutical"}) == ["Phar/maceu/tical"]


def test_columns_are_never_narrower_than_their_longest_word() -> None:
    from reports import pdfkit

    assert pdfkit.fit_widths([50, 100, 100], [[80, 10, 10]], 8) == [88.5, 80.75, 80.75]
    assert pdfkit.fit_widths([50, 100, 100], [[30, 10, 10]], 8) == [50, 100, 100]  # it fits: unchanged
    assert pdfkit.fit_widths([50, 60], [[300, 10]], 8) == [50, 60]  # nothing can make it fit: as it was


def test_no_word_is_broken_in_the_summary_or_the_pack(demo_pdfs: dict[str, Path], pack_cases: list,  # type: ignore[type-arg]
                                                      tmp_path: Path) -> None:
    from reports.pack import write_pack

    long_words, whole = vocabulary(pack_cases)
    assert "Pharmaceutical" in long_words and "Homecare" in long_words
    for path in demo_pdfs.values():
        assert broken_words(path, long_words, whole) == [], path.name
        assert "Pharmaceutical" in flat(pdf_text(path))  # whole, on one line
    out = tmp_path / "pack.pdf"
    write_pack(pack_cases, out)
    assert broken_words(out, long_words, whole) == []


def test_no_developer_wording_is_printed(demo_pdfs: dict[str, Path], pack_cases: list,  # type: ignore[type-arg]
                                         tmp_path: Path) -> None:
    from reports.pack import write_pack

    out = tmp_path / "pack.pdf"
    write_pack(pack_cases, out)
    for path in [*demo_pdfs.values(), out]:
        text = flat(pdf_text(path))
        for words in ("DOMAIN.md", ".md", "section 4", "[design]", "CASE_FORMAT", "null"):
            assert words not in text, (path.name, words)
        assert not re.search(r"\bNone\b(?! named)", text), path.name


def test_findings_come_by_rule_key_findings_first_with_not_yet_discussed_said_once(
        demo_pdfs: dict[str, Path]) -> None:
    case = read_case_file(DEMO)
    analysis = analyse(case)
    text = flat(pdf_text(demo_pdfs["anonymised"]))
    findings = text[text.index("Findings The rules found"):text.index("Set aside by the team")]
    assert findings.count("not yet") == 1
    assert "The team's view is given where it has discussed a finding; the other 39 have not yet been" in findings
    annotated = sum(1 for f in analysis.report.findings if f.annotation is not None)
    assert text.count("Team's view:") == annotated
    ranked = [g for g in analysis.key.groups if g.active]
    at = [findings.index(f"{g.rule} · {g.title}") for g in ranked]
    assert at == sorted(at)  # the rules in rank order
    for group in ranked[:5]:
        assert f"{group.rule} · {group.title} Key finding {group.key_rank} ·" in findings
    assert "Key finding 6" not in findings


def _body_lines(page: str) -> list[str]:
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    return [line for line in lines if not line.startswith(("Regulation workshop", "Prepared "))]


def test_a_heading_is_never_the_last_thing_on_a_page(demo_pdfs: dict[str, Path], tmp_path: Path) -> None:
    from reports.workshop import write_case_summary

    case = read_case_file(DEMO)
    generated = case_from_dict(large_case_dict(60, title="Ms K, Sutton"))
    write_case_summary(generated, tmp_path / "generated.pdf")
    groups = [g for c in (case, generated) for g in analyse(c).key.groups if g.active]
    headings = {*SECTIONS, "What each regulator assesses", "Who coordinated her care", "Goals, in her words",
                "Actions", "Hospital stays", "Appendix: the handoffs", "Set aside by the team"}
    for path in [*demo_pdfs.values(), tmp_path / "generated.pdf"]:
        pages = pdf_text(path).split("\f")
        for number, page in enumerate(pages, start=1):
            lines = _body_lines(page)
            if not lines:
                continue
            assert lines[-1] not in headings, (path.name, number, lines[-1])
            flat_page = flat(page)
            if "Findings The rules found" in flat_page:  # the introduction has the first rule with it
                assert "Question for the workshop" in flat_page.split("Findings The rules found")[1], number
            for group in groups:  # a rule's heading has its question and its first occurrence with it
                if f"{group.rule} · {group.title}" in flat_page:
                    after = flat_page[flat_page.index(f"{group.rule} · {group.title}"):]
                    assert "Question for the workshop" in after and "Steps:" in after, (path.name, number)


def test_the_pages_are_filled(demo_pdfs: dict[str, Path]) -> None:
    """From the organisations to the end, no page but the last is left half empty by a forced
    page break: the sections follow on when there is room."""
    for path in demo_pdfs.values():
        pages = words_on_pages(path)
        texts = pdf_text(path).split("\f")
        first = next(n for n, page in enumerate(texts) if "Organisations and their regulators" in page
                     and "Contents" not in page)
        for number in range(first, len(pages) - 1):
            _width, height, words = pages[number]
            lowest = max(y1 for _x0, y0, _x1, y1, _t in words if 45 < y0 < height - 50)
            assert lowest > height * 0.62, (path.name, number + 1, lowest)


def test_the_pack_asks_each_rule_s_question_once_whoever_it_is_about(pack_cases: list,  # type: ignore[type-arg]
                                                                     tmp_path: Path) -> None:
    from planner.rules.catalogue import rule
    from planner.rules.context import worded
    from reports.pack import PackCase, frames, question_frequency, write_pack
    from reports.workshop import CaseView

    assert [case.person.sex for case in pack_cases] == ["female", "male", "female"]
    members = [PackCase(letter, CaseView(case)) for letter, case in zip("ABC", pack_cases, strict=True)]
    findings = frames(members).findings
    asked = question_frequency(findings).set_index("rule")
    assert sorted(asked.index) == sorted(set(findings["rule"]))  # one question a rule
    m03 = {m.letter for m in members if any(f.rule == "M03" for f in m.view.active())}
    assert m03 == {"A", "B"}  # her and him: one question, worded for either
    assert asked.at["M03", "cases"] == 2 and asked.at["M03", "question"] == worded(rule("M03").question, None)
    assert asked.at["M03", "findings"] == sum(f.rule == "M03" for m in members for f in m.view.active())
    only_women = next(r for r in asked.index if set(asked.at[r, "which"].split(", ")) == {"A", "C"})
    assert asked.at[only_women, "question"] == worded(rule(only_women).question, "female")
    out = tmp_path / "pack.pdf"
    write_pack(pack_cases, out)
    text = flat(pdf_text(out))
    questions = text[text.index("Questions for the workshop One question for each rule"):]
    assert len(re.findall(r"(?:^| )\d+\. ", questions)) == len(asked)
    assert "Who tells them, before discharge, what they will pay" in questions
    assert "Who tells her, before discharge" not in questions and "Who tells him" not in questions


def test_a_page_of_the_pack_holds_many_questions(tmp_path: Path) -> None:
    from reports.pack import write_pack

    cases = [case_from_dict(large_case_dict(30 + 5 * n, title=f"Case {n}")) for n in range(4)]
    out = tmp_path / "pack.pdf"
    write_pack([read_case_file(DEMO), *cases], out)
    pages = pdf_text(out).split("\f")
    first = next(n for n, page in enumerate(pages) if "Questions for the workshop" in page)
    numbered = [len(re.findall(r"^\s*\d+\.\s", page, re.MULTILINE)) for page in pages[first:] if page.strip()]
    assert sum(numbered) >= 10 and all(count >= 2 for count in numbered), numbered


def test_the_pack_never_adds_up_what_cannot_be_added(pack_cases: list, tmp_path: Path) -> None:  # type: ignore[type-arg]
    from statistics import median

    from planner.reference import regulators_of
    from reports.pack import PackCase, all_cases, write_pack
    from reports.workshop import CaseView

    members = [PackCase(letter, CaseView(case)) for letter, case in zip("ABC", pack_cases, strict=True)]
    together = all_cases(members)
    measured = [m.view.analysis.measures for m in members]
    codes = {code for case in pack_cases for org in case.organisations
             if any(s.organisation == org.id for s in case.steps) for code in regulators_of(org)}
    assert together["regulators"] == str(len(codes)) != str(sum(m.regulators for m in measured))
    gaps = [h.gap_days for m in measured for h in m.handoffs]
    assert together["gap_longest"] == str(max(gaps)) and together["gap_median"] == f"{float(median(gaps)):g}"
    assert together["admissions"] == str(sum(len(m.admissions) for m in measured))
    days = sum(m.days_in_period for m in measured)
    assert together["at_home"] == f"{1 - sum(m.days_away_from_home for m in measured) / days:.0%}"
    names = {org.name for case in pack_cases for org in case.organisations
             if any(s.organisation == org.id for s in case.steps)}
    assert together["organisations"] == str(len(names)) != str(sum(m.organisations for m in measured))
    out = tmp_path / "pack.pdf"
    write_pack(pack_cases, out)
    text = flat(pdf_text(out))
    row = " ".join(str(m.regulators) for m in measured)
    assert f"Regulators {row} {together['regulators']} " in text
    assert f"Regulators {row} {sum(m.regulators for m in measured)} " not in text
    assert f"Handoff gap, median days {' '.join(f'{m.handoff_gap_median:g}' for m in measured)} " \
           f"{together['gap_median']} " in text


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
