"""The fuzz suite: structure-aware mutations of the demo case and of the shared real FHIR data, run
through the command line in-process (and, with a smaller budget, the main window's import).

Each mutated file must be imported (exit 0) or refused cleanly (exit 1, a message, no traceback),
never partly imported; every imported case must then export (the case file importing again,
anonymised FHIR, the anonymised workshop PDF), print its plan and, in the GUI test, show every tab.
The budget is fixed and the examples derandomized, so CI runs the same few hundred files each time;
scripts/fuzz.py runs thousands outside CI. The mutators are in tests/fuzzing.py.
"""

from __future__ import annotations

import copy
import json
import random
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzzing import demo_seed, fhir_focus, fhir_seeds, mutate, mutate_valid, run_one

FUZZ = settings(deadline=None, derandomize=True, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])


@cache
def _demo() -> dict[str, Any]:
    return demo_seed()


@cache
def _fhir(external: Path) -> list[dict[str, Any]]:
    return fhir_seeds(external)


def _check(text: str, done: list[str], tmp_path: Path) -> None:
    """One file through the command line; the ``qapp`` fixture of the callers gives print-plan the
    QApplication the GUI tests need too (it would otherwise make a QGuiApplication)."""
    outcome = run_one(text, tmp_path, f"sqlite:///{tmp_path / 'fuzz.sqlite'}")
    assert not outcome.failures, f"after {'; '.join(done)}:\n" + "\n".join(outcome.failures)
    assert outcome.imported or outcome.refused


@settings(FUZZ, max_examples=120)
@given(rnd=st.randoms(use_true_random=False), keep_valid=st.booleans())
def test_mutated_case_files_import_or_are_refused_cleanly_and_imported_ones_export(
        rnd: random.Random, keep_valid: bool, tmp_path: Path, qapp: Any) -> None:
    mutant = mutate_valid(_demo(), rnd) if keep_valid else mutate(_demo(), rnd)
    _check(mutant.text(), mutant.done, tmp_path)


@settings(FUZZ, max_examples=70)
@given(rnd=st.randoms(use_true_random=False), which=st.integers(min_value=0, max_value=99))
def test_mutated_fhir_bundles_import_or_are_refused_cleanly_and_imported_ones_export(
        rnd: random.Random, which: int, tmp_path: Path, shared_dir: Path, qapp: Any) -> None:
    seeds = _fhir(shared_dir / "data" / "external")
    seed = seeds[which % len(seeds)]
    mutant = mutate(seed, rnd, fhir_focus(seed))
    _check(mutant.text(), mutant.done, tmp_path)


def test_the_fuzzer_finds_what_it_is_meant_to_find(tmp_path: Path, qapp: Any) -> None:
    """The harness itself can fail: a refusal without a message, a traceback and a partial import
    are all reported."""
    from tests import fuzzing

    db_url = f"sqlite:///{tmp_path / 'fuzz.sqlite'}"
    unchanged = run_one(fuzzing.Mutant(_demo(), random.Random(1)).text(), tmp_path, db_url)
    assert unchanged.imported and not unchanged.failures
    original = fuzzing.cli

    def crashing(*args: str) -> tuple[int, str, str, str | None]:
        return (-1, "", "", "Traceback (most recent call last):\nKeyError: 'x'") if "import" in args \
            else original(*args)
    try:
        fuzzing.cli = crashing  # type: ignore[assignment]
        outcome = run_one("{}", tmp_path, db_url)
        assert outcome.failures and "Traceback" in outcome.failures[0]
        fuzzing.cli = lambda *args: (1, "", "oops", None)  # type: ignore[assignment]
        assert "without a clear message" in run_one("{}", tmp_path, db_url).failures[0]
    finally:
        fuzzing.cli = original


@settings(FUZZ, max_examples=25)
@given(rnd=st.randoms(use_true_random=False), keep_valid=st.booleans())
def test_mutated_case_files_imported_in_the_window_show_every_tab(
        rnd: random.Random, keep_valid: bool, window: Any, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    from PySide6.QtWidgets import QApplication, QMessageBox

    from db.repository import CaseRepository
    from ui.main_window import TAB_KEYS

    shown: list[QMessageBox] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box) or 0)
    mutant = mutate_valid(_demo(), rnd) if keep_valid else mutate(_demo(), rnd)
    path = tmp_path / "mutant.case.json"
    path.write_text(mutant.text(), encoding="utf-8", errors="surrogatepass")
    with window.database.session() as session:
        before = CaseRepository(session).count()
    case_id = window.import_path(str(path), years=0)
    with window.database.session() as session:
        after = CaseRepository(session).count()
    if case_id is None:
        assert after == before, mutant.done
        assert shown and "Nothing was changed" in shown[-1].text(), mutant.done
        return
    assert after == before + 1 and window.case is not None and window.case.id == case_id
    for key in TAB_KEYS:
        window.show_tab(key)
        QApplication.processEvents()
        window.case_tabs[window.tabs.currentIndex()].select_first()
        QApplication.processEvents()
        assert not window.grab().isNull(), (key, mutant.done)


# found by scripts/fuzz.py (seed 2026, file 303): the regulators table put every organisation a
# regulator oversees in one row, taller than a page, and reportlab raised LayoutError
def test_a_valid_case_with_sixty_organisations_under_one_regulator_exports_as_a_pdf(
        tmp_path: Path, qapp: Any) -> None:
    data = demo_seed()
    community = next(o for o in data["organisations"] if o["id"] == "community")
    data["organisations"] += [{**copy.deepcopy(community), "id": f"community-{n}"} for n in range(60)]
    outcome = run_one(json.dumps(data), tmp_path, f"sqlite:///{tmp_path / 'fuzz.sqlite'}")
    assert outcome.imported
    assert not outcome.failures, outcome.failures
