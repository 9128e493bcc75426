"""The value case (issue 15): three A4 sides at most, anonymised by default, with the money in it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from planner.casefile import case_from_dict
from planner.costs import cost_of_care
from reports.value_case import write_value_case
from reports.workshop import WorkshopOptions
from tests.conftest import DEMO
from tests.factories import demo_dict, large_case_dict, minimal_dict


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.mark.parametrize("data", [demo_dict(), minimal_dict(), large_case_dict(1000)],
                         ids=["demo", "minimal", "1000 steps"])
def test_at_most_three_sides_for_any_case(data: dict[str, object], tmp_path: Path) -> None:
    out = tmp_path / "value.pdf"
    written = write_value_case(case_from_dict(data), out)
    assert written.pages == pdf_pages(out) <= 3
    assert written.sections == ["Infrastructure", "How it works", "Impact", "What we ask of the regulators"]
    text = pdf_text(out)
    for heading in ("1. Infrastructure", "2. How it works", "3. Impact", "What we ask of the regulators"):
        assert heading in text


def test_a_long_case_says_what_it_left_out(tmp_path: Path) -> None:
    out = tmp_path / "long.pdf"
    data = large_case_dict(1000)
    write_value_case(case_from_dict(data), out)
    text = " ".join(pdf_text(out).split())
    assert "Left out to keep to three sides" in text


def test_the_demo_value_case_is_anonymised_and_carries_the_money(tmp_path: Path) -> None:
    out = tmp_path / "demo.pdf"
    case = case_from_dict(demo_dict())
    write_value_case(case, out)
    text = " ".join(pdf_text(out).split())
    costs = cost_of_care(case)
    assert f"About £{costs.total:,} in all" in text
    assert f"£{costs.delayed_total():,} of it paid for 16 days in hospital" in text
    assert "paid by the NHS, waiting for social care" in text
    for key in ("Organisation-rated, pathway-unowned", "Contested delay attribution"):
        assert key in text
    assert "Mrs S" in text
    for identifier in ("Edith", "Smith,", "943 476 5919", "20 Jan 2024", "Maeve"):
        assert identifier not in text
    assert "day 0" in text or "day 1" in text


def test_identifiable_on_request(tmp_path: Path) -> None:
    out = tmp_path / "named.pdf"
    write_value_case(case_from_dict(demo_dict()), out, WorkshopOptions(identifiable=True))
    text = " ".join(pdf_text(out).split())
    assert "IDENTIFIABLE" in text and "Edith Smith" in text and "20 Jan 2024" in text


def test_export_value_case_on_the_command_line(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                               db_url: str) -> None:
    from ui.cli import main

    assert main(["--db", db_url, "import", str(DEMO)]) == 0
    out = tmp_path / "value.pdf"
    assert main(["--db", db_url, "export-value-case", "1", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.strip().endswith("pages, anonymised)") and out.stat().st_mode & 0o777 == 0o600
    assert main(["--db", db_url, "export-value-case", "1", "--out", str(out)]) == 1  # exists: no --force
    assert "already exists" in capsys.readouterr().err
    assert main(["--db", db_url, "audit", "1", "--json"]) == 0
    assert "value case" in capsys.readouterr().out


def test_the_value_case_dialog_exports_anonymised_by_default(qtbot, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QFileDialog

    from planner.casefile import read_case_file
    from ui.workshop_dialog import ValueCaseExportDialog

    dialog = ValueCaseExportDialog(read_case_file(DEMO))
    qtbot.addWidget(dialog)
    sections = [dialog.sections.topLevelItem(i).text(0) for i in range(dialog.sections.topLevelItemCount())]
    assert sections == ["Infrastructure", "How it works", "Impact", "What we ask of the regulators"]
    assert dialog.anonymised.isChecked() and dialog.heading.text().startswith("Value case")
    target = tmp_path / "value"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "PDF files (*.pdf)"))
    with qtbot.waitSignal(dialog.exported) as signal:
        dialog.choose_and_export()
    assert signal.args == [str(target) + ".pdf", True]
    written = target.with_suffix(".pdf")
    assert pdf_pages(written) <= 3 and "1. Infrastructure" in pdf_text(written)
    assert "Edith" not in pdf_text(written)


@pytest.mark.parametrize("data", [demo_dict(), large_case_dict(200)], ids=["demo", "200 steps"])
def test_the_value_case_names_steps_as_the_full_copy_would(data: dict[str, object], tmp_path: Path) -> None:
    """The value case redacts only the step labels it shows (its story names a few): its words are
    those of the same document made from a copy with every label redacted beforehand."""
    from reports.value_case import fitted
    from reports.workshop import CaseView

    case = case_from_dict(data)
    texts = []
    for step_labels in (True, False):
        _story, _sections, pdf, _pages = fitted(CaseView(case, step_labels=step_labels))
        out = tmp_path / f"{step_labels}.pdf"
        out.write_bytes(pdf)
        texts.append(pdf_text(out))
    assert texts[0] == texts[1] and "“" in texts[1]
