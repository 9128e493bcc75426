"""The pathway map's layout (planner.map_layout), without Qt or reportlab: lanes, rows, stage
bands, the time axis, arrow routes, the key's wording, labels that do not fit, periods of a long
case; and the printed map page's smallest text (pdftotext -bbox)."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from itertools import pairwise
from pathlib import Path

import pytest

from planner.analysis import analyse
from planner.casefile import case_from_dict
from planner.map_layout.arrows import Box, route
from planner.map_layout.axis import TimeScale
from planner.map_layout.key import key_entries
from planner.map_layout.labels import wrap
from planner.map_layout.page import BREAK_W, MIN_TEXT, PageLayout, periods, quiet_words
from planner.map_layout.timeline import Timeline, assign_rows
from planner.map_style import ARROW_LOOKS, lane_pattern, sector_colour
from tests.factories import demo_dict, large_case_dict


def measure(text: str, size: float, bold: bool) -> float:
    """A monospaced stand-in for a font: 0.6 em a character (0.65 bold)."""
    return len(text) * size * (0.65 if bold else 0.6)


@pytest.fixture(scope="module")
def demo():  # type: ignore[no-untyped-def]
    case = case_from_dict(demo_dict())
    return case, analyse(case)


def test_lanes_follow_the_sector_order_with_their_label_lines(demo) -> None:  # type: ignore[no-untyped-def]
    case, analysis = demo
    timeline = Timeline(case, analysis.report.active())
    assert [lane.key for lane in timeline.lanes] == [
        "primary_care", "community_health", "domiciliary_care", "local_authority", "voluntary", "ambulance",
        "acute", "care_home"]
    home_care = timeline.lanes[2]
    assert home_care.lines[0] == "Home care" and "Bay Home Care Ltd" in home_care.lines[1]
    assert "CQC" in home_care.lines[2]
    assert all(s.lane == 2 for s in home_care.steps)
    by_org = Timeline(case, lanes="organisation")
    assert len(by_org.lanes) == 9 and by_org.lanes[0].title == "Brixham Road Surgery"
    with pytest.raises(ValueError, match="lanes must be one of"):
        Timeline(case, lanes="colour")


def test_ambulance_and_acute_lanes_look_different_in_black_and_white() -> None:
    assert sector_colour("ambulance") == sector_colour("acute")  # Okabe-Ito has only eight colours
    assert lane_pattern("ambulance") != lane_pattern("acute")
    looks = {(sector_colour(s), lane_pattern(s)) for s in ("acute", "ambulance", "primary_care", "pharmacy",
                                                             "voluntary", "hospice", "informal", "system")}
    assert len(looks) == 8


def test_every_handoff_look_differs_by_pattern_or_weight_not_only_grey() -> None:
    looks = {(look.pattern, look.width) for look in ARROW_LOOKS.values()}
    assert len(looks) == len(ARROW_LOOKS)
    assert ARROW_LOOKS["in_person"].pattern != ARROW_LOOKS["grey"].pattern


def test_rows_take_the_first_free_row_up_to_a_limit() -> None:
    rows, count = assign_rows([(0, 5), (1, 3), (4, 6), (6, 9), (2, 8)], 2)
    assert rows == [0, 1, 1, 0, 1] and count == 2
    assert assign_rows([], 3) == ([], 1)


def test_stage_bands_and_step_days(demo) -> None:  # type: ignore[no-untyped-def]
    case, _analysis = demo
    timeline = Timeline(case)
    assert [(b.stage, b.start) for b in timeline.bands] == [
        ("at_home", date(2023, 10, 2)), ("crisis", date(2024, 1, 19)), ("step_down", date(2024, 2, 1)),
        ("at_home", date(2024, 2, 26)), ("crisis", date(2024, 3, 1)), ("step_down", date(2024, 3, 20)),
        ("at_home", date(2024, 5, 7))]
    for band, following in zip(timeline.bands, timeline.bands[1:], strict=False):
        assert band.d1 == following.d0
    assert timeline.bands[-1].d1 == timeline.end_day
    s8 = timeline.by_id["s8"]
    assert s8.d1 == pytest.approx(timeline.day_of(date(2024, 2, 12))) and not s8.point
    assert s8.hatch_d0 == pytest.approx(timeline.day_of(date(2024, 2, 2)))


def test_findings_on_steps_and_on_the_whole_case(demo) -> None:  # type: ignore[no-untyped-def]
    case, analysis = demo
    timeline = Timeline(case, analysis.report.active())
    active = analysis.report.active()
    assert {s.step.id for s in timeline.steps if s.findings} == {i for f in active for i in f.steps}
    assert timeline.by_id["s8"].severity == "high" and timeline.by_id["s6"].severity == "medium"
    assert len(timeline.case_findings) == 2


def test_the_axis_picks_a_unit_whose_labels_do_not_collide() -> None:
    scale = TimeScale(date(2024, 1, 1), measure, 7.0)
    scale.choose(0.5)
    assert scale.unit in ("month", "year")
    scale.choose(10)
    assert scale.unit == "week"
    assert [t.text for t in scale.ticks(0, 20, margin=0.001)] == ["1 Jan", "8 Jan", "15 Jan"]
    scale.choose(60)
    assert scale.unit == "day" and scale.long_days
    relative = TimeScale(date(2024, 1, 1), measure, 7.0, relative=True)
    relative.choose(2)
    assert relative.unit == "days" and all(t.text.startswith("day ") for t in relative.ticks(0, 100, 0.001))


def test_an_arrow_leaves_its_source_and_arrives_at_its_target() -> None:
    source, target = Box(10, 60, 16, 100, False), Box(80, 84.5, 82, 140, True)
    r = route(source, target, 7.0, 4.0, 2.0, 7.0)
    assert r.start == (58, 103.5) and r.end[0] == 82 and r.end[1] < 140 - 3.5
    assert r.tip[1] > r.end[1]  # pointing down the map, at the target's top
    same_row = route(Box(10, 20, 12, 100, False), Box(50, 60, 52, 100, False), 7.0, 4.0, 2.0, 7.0)
    assert same_row.c0[1] > 100 + 3.5  # dips below the marks
    assert same_row.tip[1] < same_row.end[1]  # and arrives upwards


def test_the_key_has_one_wording(demo) -> None:  # type: ignore[no-untyped-def]
    case, analysis = demo
    timeline = Timeline(case, analysis.report.active())
    entries = key_entries(timeline.sectors(), len(timeline.case_findings), numbers=True)
    words = [e.words for e in entries]
    assert "Ambulance service" in words and "Acute hospital" in words
    assert [e.words for e in entries if e.group == "Handoffs"] == [look.legend for look in ARROW_LOOKS.values()]
    assert "(×2: two findings on the step)" in words and "+ 2 findings on the whole case" in words
    no_arrows = key_entries(timeline.sectors(), 0, handoffs=False)
    assert not any(e.group == "Handoffs" for e in no_arrows)
    assert not any("whole case" in e.words for e in no_arrows)


def test_a_label_that_does_not_fit_is_numbered_and_listed_in_full(demo) -> None:  # type: ignore[no-untyped-def]
    case, analysis = demo
    timeline = Timeline(case, analysis.report.active())
    layout = PageLayout(timeline, measure, relative=True)
    pages = layout.pages(745.0, 440.0)
    assert sum(len(page.listed) for page in pages)  # the demo has more words than room
    for page in pages:
        listed = {item.number: item.text for item in page.listed}
        for placed in page.steps.values():
            if placed.listed:
                assert placed.label == "" and listed[placed.step.number] == placed.step.text
            else:
                assert placed.label == placed.step.text  # in full, never a stub
                assert placed.label_x + measure(placed.label, 7.5, False) <= placed.left + placed.room
        assert page.height <= 440.0
        assert all(" ".join(item.lines) == item.text for item in page.listed)
        # a step's number is never covered by the next step in its row
        rows: dict[tuple[int, int], list] = {}  # type: ignore[type-arg]
        for placed in page.steps.values():
            rows.setdefault((placed.step.lane, placed.row), []).append(placed)
        for row in rows.values():
            row.sort(key=lambda p: p.left)
            for before, after in pairwise(row):
                assert before.number_x + before.number_w <= after.left, (before.step.number, after.step.number)
    assert wrap("Continuing Healthcare checklist: positive", 60, measure, 7.0) == [
        "Continuing", "Healthcare", "checklist:", "positive"]


def test_a_long_case_is_cut_into_periods_not_squeezed() -> None:
    case = case_from_dict(large_case_dict(1000))
    timeline = Timeline(case)
    parts = periods(timeline)
    assert len(parts) == 25 and parts[0].first == 1 and parts[-1].last == 1000
    for part, following in pairwise(parts):
        assert part.d1 == following.d0 and following.first == part.last + 1
    pages = PageLayout(timeline, measure, relative=True).pages(745.0, 450.0)
    assert all(page.height <= 450.0 for page in pages)
    assert sum(len([s for s in p.steps.values() if s.step.start_day >= p.period.d0]) for p in pages) >= 1000
    # the steps use the width of their page: from its first tenth to its last
    for page in pages[:-1]:
        lefts = [s.left for s in page.steps.values()]
        assert min(lefts) <= page.left + (page.right - page.left) * 0.1
        assert max(lefts) >= page.left + (page.right - page.left) * 0.8


def test_a_quiet_stretch_is_left_out_with_a_visible_break() -> None:
    data = demo_dict()
    early = dict(data["steps"][0], id="early", start="2019-03-01", label="An early visit")
    data["steps"].insert(0, early)
    timeline = Timeline(case_from_dict(data))
    [period] = periods(timeline)
    [(b0, b1)] = period.breaks
    assert b0 == 2 and b1 == timeline.by_id["s1"].start_day - 1  # whole days around the quiet years
    assert period.segments() == [(0.0, b0), (b1, period.d1)]
    [page] = PageLayout(timeline, measure, relative=True).pages(745.0, 2000.0)
    # the rest of the pathway is not squeezed: it starts within the first tenth of the width
    second = page.steps["s1"]
    assert second.left <= page.left + (page.right - page.left) * 0.1
    assert page.x(b1) - page.x(b0) == pytest.approx(BREAK_W) and page.breaks_top > 0
    assert [x for x, _days, _start in page.break_xs()] == [pytest.approx(page.x(b0))]
    assert quiet_words(b1 - b0) == "5 years" and quiet_words(70) == "10 weeks" and quiet_words(200) == "7 months"


PDFTOTEXT = shutil.which("pdftotext")


def smallest_text(pdf: Path, pages: list[int]) -> float:
    """The height of the smallest word on these pages (points), from pdftotext -bbox."""
    smallest = 99.0
    for page in pages:
        out = subprocess.run([PDFTOTEXT or "pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                             capture_output=True, text=True, check=True).stdout
        for y0, y1 in re.findall(r'<word [^>]*yMin="([\d.]+)"[^>]*yMax="([\d.]+)"', out):
            smallest = min(smallest, float(y1) - float(y0))
    return smallest


def map_pages(pdf: Path) -> list[int]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    found = []
    for page in range(1, count + 1):
        text = subprocess.run([PDFTOTEXT or "pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
        if "Lanes by sector" in text or "The whole pathway" in text:
            found.append(page)
    return found


@pytest.mark.skipif(PDFTOTEXT is None, reason="needs poppler's pdftotext")
@pytest.mark.parametrize("steps", [0, 200])
def test_the_printed_map_has_no_text_under_7_points(tmp_path: Path, steps: int) -> None:
    from reports.workshop import write_case_summary

    case = case_from_dict(large_case_dict(steps) if steps else demo_dict())
    out = tmp_path / "summary.pdf"
    write_case_summary(case, out)
    pages = map_pages(out)
    assert pages
    # pdftotext gives each word a box as tall as its font size
    assert smallest_text(out, pages) >= MIN_TEXT - 0.01
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "…" not in "".join(line for line in text.splitlines() if "A&" in line)


def test_on_screen_a_label_is_whole_elided_with_words_left_or_left_out() -> None:
    from planner.map_layout.labels import screen_label

    def elide(text: str, room: float) -> str:
        keep = int(room // 6) - 1
        return text[:keep] + "…"

    text = "Emergency admission: fractured neck of femur"
    assert screen_label(text, 6.0 * len(text), 6.0 * len(text), elide) == text
    assert screen_label(text, 6.0 * len(text), 120, elide) == "Emergency admission…"
    assert screen_label("A&E: breathless", 90, 24, elide) == ""  # "A&…" would be a stub
    assert screen_label("At home", 42, 30, elide) == ""  # never a band labelled "A"


def test_the_key_names_the_stages_for_bands_too_narrow_to_label(demo) -> None:  # type: ignore[no-untyped-def]
    case, _analysis = demo
    timeline = Timeline(case)
    assert timeline.stages() == ["at_home", "crisis", "step_down"]
    entries = key_entries(timeline.sectors(), 0, stages=timeline.stages())
    assert [(e.sample, e.words) for e in entries if e.group == "Stages"] == [
        ("stage:at_home", "At home"), ("stage:crisis", "Crisis"), ("stage:step_down", "Step down")]
