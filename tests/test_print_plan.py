"""The printed care plan, "My care plan": content (pdftotext), validity (qpdf), A4, type size,
black and white, escaping, and the print-plan command."""

from __future__ import annotations

import re
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


# -- who she can call, whose plan it is, how current it is ------------------------------------------
def _demo_with(change) -> Case:  # type: ignore[no-untyped-def]
    """The demo case with ``change`` applied to its case-file form."""
    from planner.casefile import case_from_dict

    data = case_to_dict(read_case_file(DEMO))
    change(data)
    return case_from_dict(data)


def _set_contact(data: dict, member: str, contact: str | None) -> None:  # type: ignore[type-arg]
    entry = next(m for m in data["team"] if m["id"] == member)
    if contact is None:
        entry.pop("contact", None)
    else:
        entry["contact"] = contact


def test_the_nhs_number_and_date_of_birth_are_on_every_page(demo_pdf: Path) -> None:
    pages = [p for p in _text(demo_pdf).split("\f") if p.strip()]
    info = subprocess.run(["pdfinfo", str(demo_pdf)], capture_output=True, text=True, check=True).stdout
    assert len(pages) == int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)[1]) >= 3  # type: ignore[index]
    for page in pages:
        flat = " ".join(page.split())
        assert "NHS number 943 476 5919" in flat and "Date of birth 2 Apr 1937" in flat, flat[-300:]


def test_a_phone_number_is_told_from_other_contacts() -> None:
    assert careplan.has_phone_number("01803 000 204 (district nurses, 8am to 8pm)")
    assert careplan.has_phone_number("+44 1803 000204") and careplan.has_phone_number("0180-300-0204")
    for text in ("maeve@nhs.net", "(surgery, 8am to 6:30pm)", "", "Ring the office", "Room 101"):
        assert not careplan.has_phone_number(text), text


def test_missing_numbers_are_warned_of_and_nobody_is_called_without_one(tmp_path: Path) -> None:
    def change(data: dict) -> None:  # type: ignore[type-arg]
        _set_contact(data, "dn1", "maeve.obrien@nhs.net")  # the coordinator: an e-mail, no number
        _set_contact(data, "ot2", None)
        data["care_plan"].pop("contingency")

    plan = careplan.printable_plan(_demo_with(change), today=BEFORE_REVIEW)
    warnings = plan.warnings()
    assert len(warnings) == 2
    assert "Maeve O'Brien (District nurse)" in warnings[0] and "Sam Okafor" in warnings[1]
    assert "Maeve" not in warnings[1]
    path = tmp_path / "plan.pdf"
    _write(plan, path)
    text = " ".join(_text(path).split())
    assert "No phone number is written down for them" in text
    # the coordinator box sends her to someone with a number, named with it
    assert "Until the team adds one, call Dr Anita Shah (GP) on 01803 000 101" in text
    assert "call any of the people" not in text.lower() and "ask your care coordinator" not in text
    assert text.count("No phone number") >= 3  # the box, and the two rows of Who to call
    callable_names = {c.name for c in plan.callable_contacts}
    for called in re.findall(r"\b[Cc]all ([A-Z][\w' ]+?) \(", text):
        assert called in callable_names, called


def test_a_plan_without_a_coordinator_or_any_number_asks_for_them(tmp_path: Path) -> None:
    def change(data: dict) -> None:  # type: ignore[type-arg]
        data["coordinator"] = []
        for member in data["team"]:
            member.pop("contact", None)
        data["care_plan"].pop("contingency")
        data.pop("extensions")

    plan = careplan.printable_plan(_demo_with(change), today=BEFORE_REVIEW)
    assert plan.coordinator is None
    assert len(plan.warnings()) == 1 and "11 people" in plan.warnings()[0]
    path = tmp_path / "plan.pdf"
    _write(plan, path)
    text = " ".join(_text(path).split())
    assert "No care coordinator has been named yet" in text
    assert "No phone numbers are written in this plan yet: ask the team to add them" in text
    assert "coordinator" not in text.split("If I become unwell")[1].split("Who to call")[0]
    assert "ask the team to write one down" in text
    assert "call any of the people" not in text.lower()


def test_an_overdue_review_is_said_to_be_overdue(tmp_path: Path) -> None:
    case = read_case_file(DEMO)
    assert not careplan.printable_plan(case, today=date(2024, 8, 7)).review_overdue  # due that day
    plan = careplan.printable_plan(case, today=date(2026, 12, 3))
    assert plan.review_overdue
    path = tmp_path / "plan.pdf"
    _write(plan, path)
    text = " ".join(_text(path).split())
    assert "The review of this plan is overdue: it was due on 7 Aug 2024" in text.split("My care coordinator")[0]
    assert "Overdue: this plan should have been looked at again on 7 Aug 2024" in text
    assert "or sooner if anything changes" not in text


def test_a_new_coordinator_makes_the_plan_changed_since_its_version(tmp_path: Path) -> None:
    case = careplan.assign_coordinator(read_case_file(DEMO), "sw1", date(2024, 6, 3), "Her needs are social now")
    plan = careplan.printable_plan(case, today=BEFORE_REVIEW)
    assert plan.version_text == "Changed since version 2 (agreed on 7 May 2024): a new care coordinator"
    assert plan.changed_since == 2 and plan.coordinator is not None and plan.coordinator.name == "James Reed"
    assert plan.changes == ["Changed care coordinator: Maeve O'Brien (District nurse) → James Reed (Social worker)"]
    path = tmp_path / "plan.pdf"
    _write(plan, path)
    text = " ".join(_text(path).split())
    assert "Version 2, agreed" not in text
    pages = [p for p in _text(path).split("\f") if p.strip()]
    assert all("Changed since version 2" in " ".join(p.split()) for p in pages)  # every footer
    assert "Since version 2 was agreed: Changed care coordinator: Maeve O'Brien" in text
    # the team can agree it again, and it is then a version again
    again = careplan.agree_version(case, date(2024, 6, 4))
    assert careplan.printable_plan(again).version_text == "Version 3, agreed on 4 Jun 2024"


def test_a_changed_contact_is_a_change_to_the_team() -> None:
    case = _demo_with(lambda data: _set_contact(data, "gp1", "01803 999 999"))
    plan = careplan.printable_plan(case, today=BEFORE_REVIEW)
    assert plan.version_text.endswith(": changes to the team")
    assert plan.changes == ["Changed team member: Dr Anita Shah (GP) (How to contact them: 01803 000 101 "
                            "(surgery, 8am to 6:30pm) → 01803 999 999)"]
    changes = careplan.team_changes(case, 2)
    assert [(c.kind, c.what, c.text) for c in changes] == [("changed", "Team member", "Dr Anita Shah (GP)")]
    assert changes[0].details == ("How to contact them: 01803 000 101 (surgery, 8am to 6:30pm) → 01803 999 999",)
    assert careplan.team_changes(read_case_file(DEMO), 2) == []


def test_the_versions_dialog_lists_a_change_of_coordinator(qtbot) -> None:  # type: ignore[no-untyped-def]
    from ui.app import make_app
    from ui.plan_versions import VersionsDialog

    make_app()
    case = careplan.assign_coordinator(read_case_file(DEMO), "sw1", date(2024, 6, 3), "Her needs are social now")
    dialog = VersionsDialog(case)
    qtbot.addWidget(dialog)
    assert dialog.list.item(0).text().startswith("The plan now\nChanged since version 2")
    dialog.list.setCurrentRow(0)
    assert "changed since version 2" in dialog.heading.text()
    shown = dialog.view.toPlainText()
    assert "1 change since version 2" in shown and "Changed care coordinator: Maeve O'Brien" in shown
    dialog.list.setCurrentRow(1)  # version 2, compared with the plan now
    dialog.compare_button.setChecked(True)
    assert "Changed care coordinator: Maeve O'Brien (District nurse) → James Reed" in dialog.view.toPlainText()


def test_printing_warns_in_the_window_of_missing_numbers(qtbot, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox

    from ui import print_plan
    from ui.app import make_app

    make_app()
    shown: list[str] = []
    answer = {"go": False}

    def exec_(box: QMessageBox) -> int:
        shown.append(box.text() + "\n" + box.informativeText())
        if answer["go"]:
            box.buttons()[[b.text() for b in box.buttons()].index("Print anyway")].click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    previews: list[object] = []
    monkeypatch.setattr("PySide6.QtPrintSupport.QPrintPreviewDialog.exec", lambda self: previews.append(1) or 0)
    complete = careplan.printable_plan(read_case_file(DEMO))
    assert print_plan.print_with_preview(None, complete) is False and not shown and previews == [1]
    missing = careplan.printable_plan(_demo_with(lambda data: _set_contact(data, "ot2", None)))
    assert print_plan.print_with_preview(None, missing) is False  # cancelled at the warning
    assert len(shown) == 1 and "Sam Okafor (Occupational therapist)" in shown[0] and previews == [1]
    answer["go"] = True
    print_plan.print_with_preview(None, missing)
    assert len(shown) == 2 and previews == [1, 1]  # printed anyway: the preview opens


# -- the command: warnings and a private file -------------------------------------------------------
def test_print_plan_warns_on_stderr_and_writes_a_private_file(database, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    import os

    from db.repository import CaseRepository

    def change(data: dict) -> None:  # type: ignore[type-arg]
        _set_contact(data, "dn1", None)
        _set_contact(data, "vol1", "Through the church office")

    with database.session() as session:
        case_id = CaseRepository(session).add(_demo_with(change))
    out = tmp_path / "plan.pdf"
    old = os.umask(0o022)
    try:
        assert main(["--db", str(database.engine.url), "print-plan", str(case_id), "--out", str(out)]) == 0
    finally:
        os.umask(old)
    captured = capsys.readouterr()
    assert str(out) in captured.out and "Warning" not in captured.out
    errors = captured.err.strip().splitlines()
    assert errors == [
        "Warning: The care coordinator, Maeve O'Brien (District nurse), has no phone number in the plan.",
        "Warning: No phone number under “Who to call” for 1 person: Margaret Hill (Voluntary worker)."]
    assert out.stat().st_mode & 0o777 == 0o600


def test_print_plan_of_a_complete_plan_says_nothing_on_stderr(demo_database, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "plan.pdf"
    assert main(["--db", str(demo_database.engine.url), "print-plan", str(demo_database.demo_id),
                 "--out", str(out)]) == 0
    assert capsys.readouterr().err == "" and out.stat().st_mode & 0o777 == 0o600


def test_saving_the_plan_as_pdf_from_the_window_warns_of_missing_numbers(  # type: ignore[no-untyped-def]
        qtbot, database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """File › Save care plan as PDF (the one list of outputs) warns before asking where; cancelled
    at the warning, nothing is asked, written or recorded."""
    from db import audit
    from db.repository import CaseRepository
    from ui import print_plan
    from ui.main_window import MainWindow

    with database.session() as session:
        case_id = CaseRepository(session).add(_demo_with(lambda data: _set_contact(data, "ot2", None)))
    window = MainWindow(database)
    qtbot.addWidget(window)
    window.open_case(case_id)
    warned: list[list[str]] = []
    answer = {"go": False}

    def go_ahead(parent, plan, doing="Print"):  # type: ignore[no-untyped-def]
        warned.append(plan.warnings())
        assert doing == "Save"
        return answer["go"]

    monkeypatch.setattr(print_plan, "go_ahead_without_numbers", go_ahead)
    asked: list[str] = []
    out = tmp_path / "plan.pdf"
    monkeypatch.setattr("ui.window.exports.ask_save_path", lambda *args: asked.append("asked") or str(out))
    with database.session() as session:
        before = len(audit.history(session, case_id))
    window.plan_pdf_action.trigger()
    assert len(warned) == 1 and any("Sam Okafor" in line for line in warned[0])
    assert asked == [] and not out.exists()
    answer["go"] = True
    window.plan_pdf_action.trigger()
    assert asked == ["asked"] and out.exists()
    with database.session() as session:
        assert len(audit.history(session, case_id)) == before + 1
