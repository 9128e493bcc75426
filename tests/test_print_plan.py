"""The printed care plan, "My care plan": content (pdftotext), validity (qpdf), A4, type size,
black and white, escaping, and the print-plan command."""

from __future__ import annotations

import shutil
import statistics
import subprocess
from datetime import date
from pathlib import Path

import pytest

from planner import careplan
from planner.casefile import case_to_dict, read_case_file
from planner.model import Case
from tests.conftest import DEMO
from ui.cli import main

#: A day after the demo's plan was agreed (7 May 2024) and before its review (7 Aug 2024).
BEFORE_REVIEW = date(2024, 6, 1)

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("qpdf") is None,
                                   reason="poppler-utils and qpdf are needed (installed by .ci/run)")
pytestmark = needs_poppler


def _text(pdf: Path, *options: str) -> str:
    return subprocess.run(["pdftotext", "-layout", *options, str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout


def _write(plan: careplan.PrintablePlan, path: Path) -> int:
    from ui.app import make_app
    from ui.print_plan import write_pdf

    make_app()
    return write_pdf(plan, path)


@pytest.fixture
def demo_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plan") / "plan.pdf"
    _write(careplan.printable_plan(read_case_file(DEMO), today=BEFORE_REVIEW), path)
    return path


def test_the_plan_reads_in_the_order_a_family_needs(demo_pdf: Path) -> None:
    text = " ".join(_text(demo_pdf).split())
    order = ["My care plan", "Edith Smith", "Version 2, agreed on 7 May 2024",
             "My care coordinator", "Maeve O'Brien", "01803 000 204",
             "What matters to me", "Staying in my own home",
             "My goals", "“I want to get to church on Sundays again”",
             "Who will do what", "Home exercise programme", "Karen Lowe",
             "If I become unwell", "ring the district nurses first",
             "Who to call", "In an emergency, call 999", "Dr Anita Shah",
             "When we will look at this plan again", "On 7 Aug 2024, or sooner",
             "Who agreed this plan", "Susan Harris (Family carer), 7 May 2024"]
    positions = [text.find(piece) for piece in order]
    assert -1 not in positions, [p for p, at in zip(order, positions, strict=True) if at < 0]
    assert positions == sorted(positions)


def test_no_codes_or_enumeration_names_are_printed(demo_pdf: Path) -> None:
    text = _text(demo_pdf)
    for code in ("district_nurse", "in_progress", "occupational_therapist", "homecare2", "family_carer",
                 "social_worker", "None", "null", "True"):
        assert code not in text, code


def test_every_page_is_numbered_and_names_the_version(demo_pdf: Path) -> None:
    pages = _text(demo_pdf).split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 2
    for number, page in enumerate(pages, 1):
        assert f"Page {number} of {len(pages)}" in page
        assert "My care plan: Edith Smith · Version 2" in page


def test_the_pdf_is_valid_a4(demo_pdf: Path) -> None:
    check = subprocess.run(["qpdf", "--check", str(demo_pdf)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    info = subprocess.run(["pdfinfo", str(demo_pdf)], capture_output=True, text=True, check=True).stdout
    size = next(line for line in info.splitlines() if line.startswith("Page size"))
    width, height = (float(v) for v in size.split()[2:5:2])
    assert abs(width - 595.3) < 1.5 and abs(height - 841.9) < 1.5  # A4 in points


def test_body_text_is_at_least_twelve_point(demo_pdf: Path) -> None:
    """Word heights from pdftotext -bbox: poppler gives each word the font's full height (ascent
    plus descent, about 1.16 em for DejaVu Sans), so 12 pt text measures about 13.9 pt."""
    html = subprocess.run(["pdftotext", "-bbox", str(demo_pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    import re

    heights = [float(b) - float(a) for a, b in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', html)]
    assert len(heights) > 300
    body = statistics.median(heights)
    assert body >= 12 * 1.1, body
    footer_words = sum(1 for h in heights if h < 12 * 1.1)
    assert footer_words < len(heights) * 0.2  # only the footers are smaller


def test_the_pages_are_black_and_white(demo_pdf: Path, tmp_path: Path) -> None:
    """Rendered, every pixel is a grey (red = green = blue): nothing relies on colour."""
    subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "2", str(demo_pdf), str(tmp_path / "page")],
                   check=True)
    pages = sorted(tmp_path.glob("page*.ppm"))
    assert len(pages) == 2
    for page in pages:
        data = page.read_bytes()
        header_end = 0
        for _ in range(4):  # P6, width, height, maxval, each ended by whitespace
            header_end = data.index(b"\n", header_end) + 1 if _ != 1 else data.index(b" ", header_end) + 1
        pixels = data[header_end:]
        dark = 0
        for i in range(0, len(pixels) - 2, 3):
            r, g, b = pixels[i], pixels[i + 1], pixels[i + 2]
            assert r == g == b, (page.name, i, r, g, b)
            dark += r < 100
        assert dark > 1000  # there is text on the page


def test_case_text_prints_literally(tmp_path: Path) -> None:
    case = read_case_file(DEMO)
    case.person.name = "Edith <b>Smith</b> & Co <a href='x'>"
    assert case.care_plan is not None
    case.care_plan.contingency = "Call <i>999</i> &amp; then Susan"
    path = tmp_path / "plan.pdf"
    _write(careplan.printable_plan(case), path)
    text = " ".join(_text(path).split())
    assert "Edith <b>Smith</b> & Co <a href='x'>" in text
    assert "Call <i>999</i> &amp; then Susan" in text


def test_a_case_without_a_coordinator_or_plan_content_still_prints(tmp_path: Path) -> None:
    data = case_to_dict(read_case_file(DEMO))
    data["coordinator"] = []
    data["care_plan"] = {"goals": [{"id": "g1", "in_my_words": "To stay at home"}]}
    data.pop("extensions")
    from planner.casefile import case_from_dict

    path = tmp_path / "plan.pdf"
    _write(careplan.printable_plan(case_from_dict(data)), path)
    text = " ".join(_text(path).split())
    assert "No care coordinator has been named yet" in text
    assert "Draft: not yet agreed" in text and "No actions have been agreed yet" in text


# -- the command ------------------------------------------------------------------------------
def test_print_plan_writes_the_plan_and_an_agreed_version(demo_database, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    url = str(demo_database.engine.url)
    out = tmp_path / "now.pdf"
    assert main(["--db", url, "print-plan", "Mrs Smith, Torbay", "--out", str(out)]) == 0
    assert "Version 2, agreed on 7 May 2024" in capsys.readouterr().out
    first = tmp_path / "v1.pdf"
    assert main(["--db", url, "print-plan", str(demo_database.demo_id), "--out", str(first),
                 "--version", "1"]) == 0
    text = " ".join(_text(first).split())
    assert "Version 1, agreed on 12 Mar 2024" in text and "I want to go home, not into a home" in text
    assert "James Reed" in text.split("My care coordinator")[1][:200]  # the coordinator of that day


def test_print_plan_refuses_a_version_not_kept(demo_database, tmp_path: Path,  # type: ignore[no-untyped-def]
                                               capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "v9.pdf"
    code = main(["--db", str(demo_database.engine.url), "print-plan", str(demo_database.demo_id),
                 "--out", str(out), "--version", "9"])
    assert code == 1 and not out.exists()
    assert "version 9 of the care plan is not kept in this case (kept: 1, 2)" in capsys.readouterr().err


def test_print_plan_of_a_case_without_a_plan(database, tmp_path: Path,  # type: ignore[no-untyped-def]
                                             capsys: pytest.CaptureFixture[str]) -> None:
    from db.repository import CaseRepository
    from planner.model import Person

    with database.session() as session:
        case_id = CaseRepository(session).add(Case(person=Person(name="A Person")))
    code = main(["--db", str(database.engine.url), "print-plan", str(case_id), "--out", str(tmp_path / "x.pdf")])
    assert code == 1 and "has no care plan to print" in capsys.readouterr().err
