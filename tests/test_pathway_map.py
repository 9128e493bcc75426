"""The pathway swimlane map (ui/pathway_map.py) with pytest-qt, on the demo case and a 1,000-step case."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QHelpEvent, QImage, QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication, QToolTip

from planner.analysis import analyse
from planner.casefile import case_from_dict
from planner.model import Annotation, Case, Handoff
from planner.rules.context import CaseContext
from tests.factories import large_case_dict, minimal_dict
from ui.pathway_map import (
    FindingMarker,
    PathwayMapTab,
    PathwayScene,
    build_scene,
)

SECTOR_LANES = ["primary_care", "community_health", "domiciliary_care", "local_authority", "voluntary",
                "ambulance", "acute", "care_home"]
ORGANISATION_LANES = ["gp", "community", "homecare", "homecare2", "council", "befriending", "ambulance",
                      "acute", "carehome"]


@pytest.fixture
def tab(qtbot, demo_case):  # type: ignore[no-untyped-def]
    result = analyse(demo_case)
    widget = PathwayMapTab()
    qtbot.addWidget(widget)
    widget.setMinimumSize(800, 500)  # as the main window does: no size hints for the platform
    widget.resize(1200, 700)
    widget.set_case(demo_case, lambda: result)
    widget.show()
    qtbot.waitExposed(widget)
    assert widget.scene is not None
    return widget


def _scene(tab: PathwayMapTab) -> PathwayScene:
    assert tab.scene is not None
    return tab.scene


def _viewport_point(tab: PathwayMapTab, point: QPointF) -> QPoint:
    return tab.view.mapFromScene(point)


def _large_case(handoffs: int = 1500) -> Case:
    data = large_case_dict(1000)
    methods = ["shared_record", "electronic_referral", "phone", "in_person", "none", "letter"]
    extra = handoffs - len(data["handoffs"])
    data["handoffs"] += [{"from": f"g{i % 997}", "to": f"g{i % 997 + 3}", "method": methods[i % len(methods)]}
                         for i in range(extra)]
    return case_from_dict(data)


def _record(signal: object) -> list[tuple[object, ...]]:
    """Every emission of a signal, as a tuple of its arguments."""
    calls: list[tuple[object, ...]] = []
    signal.connect(lambda *args: calls.append(args))  # type: ignore[attr-defined]
    return calls


def _assert_no_overlaps(scene: PathwayScene) -> None:
    items = [(f"label {i}", t.sceneBoundingRect()) for i, t in scene.labels.items() if t.isVisible()]
    items += [(f"marker {i}", m.sceneBoundingRect()) for i, m in scene.markers.items() if m.isVisible()]
    items.sort(key=lambda pair: pair[1].left())
    for index, (name, box) in enumerate(items):
        for other, other_box in items[index + 1:]:
            if other_box.left() >= box.right():
                break
            overlap = box.intersected(other_box)
            assert overlap.width() < 1 or overlap.height() < 1, (name, other, box, other_box)


# -- lanes -------------------------------------------------------------------------------------
def test_lanes_by_sector_name_organisations_regulators_and_payment(qtbot, demo_case) -> None:  # type: ignore[no-untyped-def]
    scene = build_scene(demo_case, analyse(demo_case), "sector")
    assert [lane.key for lane in scene.lanes] == SECTOR_LANES
    home_care = scene.lanes[2]
    assert home_care.title == "Home care"
    assert [o.id for o in home_care.organisations] == ["homecare", "homecare2"]
    assert home_care.lines == ["Home care", "Bay Home Care Ltd, Riviera Homecare",
                               "CQC · Spot-purchased by the council"]
    acute = scene.lanes[SECTOR_LANES.index("acute")]
    assert acute.lines == ["Acute hospital", "Torbay Hospital", "CQC, NHS England · Paid by activity (tariff)"]
    voluntary = scene.lanes[SECTOR_LANES.index("voluntary")]
    assert voluntary.lines[2] == "Charity Commission · Grant funded"
    # the label block shows every line in full (nothing elided for the demo case)
    for lane, texts in zip(scene.lanes, scene.lane_texts, strict=True):
        assert [t.text() for t in texts] == lane.lines
    # lanes are tinted with their sector's Okabe-Ito colour
    assert acute.colour == QColor("#D55E00")
    assert scene.lanes[0].colour == QColor("#0072B2")


def test_lanes_by_organisation(qtbot, demo_case) -> None:  # type: ignore[no-untyped-def]
    scene = build_scene(demo_case, analyse(demo_case), "organisation")
    assert [lane.key for lane in scene.lanes] == ORGANISATION_LANES
    council = scene.lanes[ORGANISATION_LANES.index("council")]
    assert council.lines == ["Torbay Council Adult Social Care", "Council adult social care",
                             "CQC · Means-tested council funding"]
    assert scene.lanes[ORGANISATION_LANES.index("homecare2")].title == "Riviera Homecare"
    with pytest.raises(ValueError, match="lanes must be one of"):
        build_scene(demo_case, None, "regulator")


def test_every_step_has_a_mark_in_its_lane(qtbot, demo_case) -> None:  # type: ignore[no-untyped-def]
    scene = build_scene(demo_case, analyse(demo_case))
    assert set(scene.marks) == {s.id for s in demo_case.steps}
    assert scene.order == [s.id for s in demo_case.ordered_steps()]
    lane_of = {"gp": "primary_care", "community": "community_health", "homecare": "domiciliary_care",
               "homecare2": "domiciliary_care", "council": "local_authority", "befriending": "voluntary",
               "ambulance": "ambulance", "acute": "acute", "carehome": "care_home"}
    lanes = {lane.key: lane for lane in scene.lanes}
    for step in demo_case.steps:
        mark = scene.marks[step.id]
        lane = lanes[lane_of[step.organisation]]
        rect = mark.sceneBoundingRect()
        assert lane.y <= rect.top() and rect.bottom() <= lane.y + lane.height, step.id
        assert mark.point == (step.end is None), step.id
    # spans run from start to end; point marks are small
    s8 = scene.marks["s8"].rect()
    assert s8.left() == pytest.approx(scene.x_of(demo_case.step("s8").start))
    assert s8.right() == pytest.approx(scene.x_of(date(2024, 2, 12)))
    assert scene.marks["s1"].rect().width() < 10
    # steps' tooltips give date, label, organisation and funding
    tip = scene.tooltip_for(scene.marks["s8"])
    for text in ("20 Jan 2024, 03:10", "Emergency admission: fractured neck of femur", "Torbay Hospital",
                 "Funding: NHS"):
        assert text in tip


def test_stages_are_bands_behind_the_steps(qtbot, demo_case) -> None:  # type: ignore[no-untyped-def]
    scene = build_scene(demo_case)
    assert [(b.stage, b.start) for b in scene.bands] == [
        ("at_home", date(2023, 10, 2)), ("crisis", date(2024, 1, 19)), ("step_down", date(2024, 2, 1)),
        ("at_home", date(2024, 2, 26)), ("crisis", date(2024, 3, 1)), ("step_down", date(2024, 3, 20)),
        ("at_home", date(2024, 5, 7))]
    assert {b.title for b in scene.bands} == {"At home", "Crisis", "Step down"}
    # contiguous: each band ends where the next begins
    for band, following in zip(scene.bands, scene.bands[1:], strict=False):
        assert band.d1 == following.d0
    assert scene.grid.zValue() < min(m.zValue() for m in scene.marks.values())


# -- handoffs ----------------------------------------------------------------------------------
EXPECTED_STYLES = {"shared_record": "solid", "electronic_referral": "solid", "letter": "dashed",
                   "phone": "dashed", "in_person": "in_person", "none": "none", "unknown": "grey"}


def test_every_handoff_has_an_arrow_styled_by_method(qtbot, demo_case) -> None:  # type: ignore[no-untyped-def]
    demo_case.handoffs.append(Handoff(source="s15", target="s16", method="none"))
    demo_case.handoffs.append(Handoff(source="s1", target="s5", method=None))
    scene = build_scene(demo_case, analyse(demo_case))
    links = CaseContext(demo_case).handoffs
    # 10 given; 6 derived (consecutive steps at different organisations, the second starting within 7
    # days of the first's end): s2-s3, s3-s4, s4-s5, s13-s14, s17-s18, s21-s22
    assert len(links) == len(scene.arrows) == 10 + 6
    arrows = {(a.link.source.id, a.link.target.id, a.link.derived): a for a in scene.arrows}
    for link in links:
        arrow = arrows[(link.source.id, link.target.id, link.derived)]
        expected = "grey" if link.derived else EXPECTED_STYLES[link.method]
        assert arrow.style == expected, (link.source.id, link.target.id, link.method)
        pen = arrow.pen()
        if expected == "solid":
            assert pen.style() == Qt.PenStyle.SolidLine and pen.widthF() >= 1.5
        elif expected == "dashed":
            assert pen.style() == Qt.PenStyle.DashLine and pen.widthF() >= 1.5
        elif expected == "in_person":  # dash-dotted: told apart from "not recorded" in black and white
            assert pen.style() == Qt.PenStyle.DashDotLine and pen.widthF() <= 1.2
        elif expected == "none":
            assert pen.style() == Qt.PenStyle.DotLine and pen.color() == QColor("#d00000")
        else:
            assert pen.style() == Qt.PenStyle.SolidLine and pen.widthF() <= 1.2
            assert pen.color() == QColor("#9aa0a6")
        # the arrow runs from the source's mark to the target's mark (its head at the mark's edge)
        source = scene.marks[link.source.id].sceneBoundingRect().adjusted(-1, -1, 1, 1)
        target = scene.marks[link.target.id].sceneBoundingRect().adjusted(-2, -3, 2, 3)
        assert source.contains(arrow.start), (link.source.id, arrow.start, source)
        assert target.contains(arrow.end), (link.target.id, arrow.end, target)
        assert arrow.head_polygon().boundingRect().intersects(target)
        assert scene.heads[expected].path().contains(arrow.head_polygon().boundingRect().center())
    assert arrows[("s7", "s8", False)].style == "solid"
    assert arrows[("s6", "s7", False)].style == "in_person"
    assert arrows[("s2", "s3", True)].style == "grey"
    assert ("s1", "s2", True) not in arrows  # 14 days apart: separate episodes, no handoff


def test_the_delayed_part_of_an_admission_is_hatched(qtbot, demo_case) -> None:  # type: ignore[no-untyped-def]
    scene = build_scene(demo_case)
    assert set(scene.hatches) == {"s8", "s17"}  # the admissions with delayed days
    hatch = scene.hatches["s8"]
    assert hatch.brush().style() == Qt.BrushStyle.BDiagPattern
    rect = hatch.sceneBoundingRect()
    assert rect.left() == pytest.approx(scene.x_of(date(2024, 2, 2)))  # ready for discharge
    assert rect.right() == pytest.approx(scene.x_of(date(2024, 2, 12)))  # left hospital
    assert rect.width() == pytest.approx(10 * scene.ppd)
    assert "10 days delayed: awaiting a care package" in scene.tooltip_for(hatch)
    scene.set_pixels_per_day(40)
    assert hatch.sceneBoundingRect().width() == pytest.approx(400)


# -- findings ----------------------------------------------------------------------------------
def test_findings_are_marked_on_their_steps_by_severity(qtbot, demo_case) -> None:  # type: ignore[no-untyped-def]
    analysis = analyse(demo_case)
    scene = build_scene(demo_case, analysis)
    active = analysis.report.active()
    assert set(scene.markers) == {s for f in active for s in f.steps}
    assert "s1" not in scene.markers and "s15" not in scene.markers
    s8 = scene.markers["s8"]
    on_s8 = [f for f in active if "s8" in f.steps]
    assert s8.findings == on_s8 and len(on_s8) > 1
    assert s8.severity == "high" and s8.shape_name == "triangle"
    assert s8.colour == QColor("#D55E00")
    assert s8.count_text == f"×{len(on_s8)}" and s8.count_visible()  # as on paper and in the key
    tip = scene.tooltip_for(s8)
    assert all(f"{f.rule} {f.title}" in tip for f in on_s8) and "Contested delay attribution" in tip
    s6 = scene.markers["s6"]  # only medium findings: an amber diamond
    assert s6.severity == "medium" and s6.shape_name == "diamond"
    assert scene.markers["s23"].count_text == ""  # a single finding shows no number
    # findings set aside are not marked: the demo's M09 on s20 is set aside
    assert all(f.rule != "M09" for f in scene.markers["s20"].findings)
    assert "Across a boundary" not in scene.tooltip_for(scene.markers["s20"])
    # findings about the whole case are counted in the key
    assert len(scene.case_findings) == 2


def test_a_step_whose_findings_are_all_set_aside_has_no_marker(qtbot, demo_case) -> None:  # type: ignore[no-untyped-def]
    assert "s23" in build_scene(demo_case, analyse(demo_case)).markers
    demo_case.annotations.append(Annotation(rule="M03", status="set_aside", steps=["s22", "s23"],
                                            comment="Funding agreed before the move"))
    analysis = analyse(demo_case)
    assert any(f.set_aside and f.steps == ["s22", "s23"] for f in analysis.report.findings)
    scene = build_scene(demo_case, analysis)
    assert "s23" not in scene.markers
    assert "s22" in scene.markers  # still marked for M03 on s21-s22
    assert all(set(f.steps) != {"s22", "s23"} for f in scene.markers["s22"].findings)


def test_clicking_a_finding_marker_selects_the_finding(tab: PathwayMapTab, qtbot) -> None:  # type: ignore[no-untyped-def]
    scene = _scene(tab)
    marker = scene.markers["s23"]
    assert marker.isVisible()
    point = _viewport_point(tab, marker.sceneBoundingRect().center())
    with qtbot.waitSignal(tab.finding_selected, timeout=1000) as blocker:
        qtbot.mouseClick(tab.view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert blocker.args == ["M03", frozenset({"s22", "s23"})]
    assert scene.highlighted() == {"s22", "s23"}  # the finding's steps are shown


@pytest.mark.qt_log_ignore("This plugin does not support")  # the offscreen platform's popups
def test_a_marker_with_several_findings_offers_a_choice(tab: PathwayMapTab, qtbot) -> None:  # type: ignore[no-untyped-def]
    scene = _scene(tab)
    marker = scene.markers["s8"]
    point = _viewport_point(tab, marker.sceneBoundingRect().center())
    with qtbot.assertNotEmitted(tab.finding_selected):
        qtbot.mouseClick(tab.view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    menu = tab.view._menu
    assert menu is not None and menu.isVisible()
    actions = menu.actions()
    assert [a.text() for a in actions] == [f"{f.rule} {f.title}" for f in marker.findings]
    chosen = marker.findings[2]
    with qtbot.waitSignal(tab.finding_selected, timeout=1000) as blocker:
        actions[2].trigger()
    assert blocker.args == [chosen.rule, frozenset(chosen.steps)]
    menu.close()
    # activating a marker programmatically opens the finding asked for
    with qtbot.waitSignal(tab.finding_selected, timeout=1000) as blocker:
        tab.view.activate_marker(marker, index=0)
    assert blocker.args == [marker.findings[0].rule, frozenset(marker.findings[0].steps)]


@pytest.mark.qt_log_ignore("This plugin does not support")  # the offscreen platform's tooltip window
def test_hovering_shows_tooltips_and_a_pointing_hand(tab: PathwayMapTab, qtbot) -> None:  # type: ignore[no-untyped-def]
    scene, view = _scene(tab), tab.view

    def tooltip_at(point: QPointF) -> str:
        pos = _viewport_point(tab, point)
        QApplication.sendEvent(view.viewport(), QHelpEvent(QEvent.Type.ToolTip, pos, view.viewport().mapToGlobal(pos)))
        return QToolTip.text() if QToolTip.isVisible() else ""

    s8 = scene.marks["s8"].rect()
    text = tooltip_at(QPointF(s8.left() + 4, s8.center().y()))
    assert "Emergency admission: fractured neck of femur" in text and "Torbay Hospital" in text
    assert "Ready for discharge 2 Feb 2024, left 12 Feb 2024" in tooltip_at(scene.hatches["s8"].sceneBoundingRect().center())
    marker = scene.markers["s23"]
    assert "M03 Free NHS care meets means-tested care" in tooltip_at(marker.sceneBoundingRect().center())
    lane_label = QPointF(40, scene.lanes[0].y + scene.lanes[0].height / 2)
    assert "Brixham Road Surgery (General practice): regulated by Care Quality Commission" in tooltip_at(lane_label)
    QToolTip.hideText()

    def move_to(point: QPointF) -> Qt.CursorShape:
        pos = QPointF(_viewport_point(tab, point))
        QApplication.sendEvent(view.viewport(), QMouseEvent(
            QEvent.Type.MouseMove, pos, view.viewport().mapToGlobal(pos), Qt.MouseButton.NoButton,
            Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier))
        return view.viewport().cursor().shape()

    assert move_to(QPointF(s8.left() + 4, s8.center().y())) == Qt.CursorShape.PointingHandCursor
    empty = QPointF(scene.x_of(date(2023, 10, 20)), scene.lanes[-1].y + scene.lanes[-1].height / 2)
    assert move_to(empty) == Qt.CursorShape.OpenHandCursor
    assert move_to(marker.sceneBoundingRect().center()) == Qt.CursorShape.PointingHandCursor


# -- selection and keyboard --------------------------------------------------------------------
def test_select_steps_highlights_exactly_those_marks(tab: PathwayMapTab, qtbot) -> None:  # type: ignore[no-untyped-def]
    scene = _scene(tab)
    with qtbot.assertNotEmitted(tab.steps_selected):
        tab.select_steps(["s8", "s10", "no-such-step"])
    assert scene.highlighted() == {"s8", "s10"}
    assert scene.marks["s8"].pen().widthF() == 3 and scene.marks["s9"].pen().widthF() < 3
    tab.select_steps(["s1"])
    assert scene.highlighted() == {"s1"}
    tab.select_steps([])
    assert scene.highlighted() == set()
    # the selection is brought into view
    tab.view.zoom_to(date(2024, 5, 1), date(2024, 6, 15))
    visible = tab.view.visible_scene_rect()
    assert not visible.contains(scene.marks["s1"].sceneBoundingRect())
    tab.select_steps(["s1"])
    visible = tab.view.visible_scene_rect()
    assert visible.adjusted(scene.label_width, scene.header_height, 0, 0).contains(
        scene.marks["s1"].sceneBoundingRect())


def test_clicking_a_step_selects_it_and_fills_the_detail_pane(tab: PathwayMapTab, qtbot) -> None:  # type: ignore[no-untyped-def]
    scene = _scene(tab)
    mark = scene.marks["s8"]
    point = _viewport_point(tab, QPointF(mark.rect().left() + 10, mark.rect().center().y()))
    steps, shown = _record(tab.steps_selected), _record(tab.selected)
    qtbot.mouseClick(tab.view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert steps == [(["s8"],)] and len(shown) == 1
    title, details = shown[0]
    assert title == "Emergency admission: fractured neck of femur"
    assert ("Organisation", "Torbay Hospital") in details
    assert ("Delay", "10 days delayed: awaiting a care package") in details
    assert any(k == "Findings" and "M04 Contested delay attribution" in v for k, v in details)
    assert scene.highlighted() == {"s8"}
    # Ctrl+click adds a step; a click on empty space clears the selection
    s10 = scene.marks["s10"].sceneBoundingRect().center()
    qtbot.mouseClick(tab.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                     _viewport_point(tab, s10))
    assert scene.highlighted() == {"s8", "s10"}
    empty = QPointF(scene.x_of(date(2023, 10, 20)), scene.lanes[-1].y + scene.lanes[-1].height / 2)
    with qtbot.waitSignal(tab.steps_selected, timeout=1000) as blocker:
        qtbot.mouseClick(tab.view.viewport(), Qt.MouseButton.LeftButton, pos=_viewport_point(tab, empty))
    assert blocker.args == [[]] and scene.highlighted() == set()


def test_arrow_keys_move_the_selection_through_time(tab: PathwayMapTab, qtbot) -> None:  # type: ignore[no-untyped-def]
    scene = _scene(tab)
    with qtbot.waitSignal(tab.selected, timeout=1000) as blocker:
        tab.select_first()
    assert scene.selected == ["s1"] and blocker.args[0] == "GP review: breathless, ankles swollen"
    tab.view.setFocus()
    steps, shown = _record(tab.steps_selected), _record(tab.selected)
    qtbot.keyClick(tab.view, Qt.Key.Key_Right)
    assert scene.selected == ["s2"] and scene.highlighted() == {"s2"}
    assert steps == [(["s2"],)]
    assert [args[0] for args in shown] == ["District nurse visits: leg ulcer dressings"]
    qtbot.keyClick(tab.view, Qt.Key.Key_Right)
    qtbot.keyClick(tab.view, Qt.Key.Key_Right)
    assert scene.selected == ["s4"]
    qtbot.keyClick(tab.view, Qt.Key.Key_Left)
    assert scene.selected == ["s3"]
    qtbot.keyClick(tab.view, Qt.Key.Key_End)
    assert scene.selected == ["s24"]
    qtbot.keyClick(tab.view, Qt.Key.Key_Right)  # stays on the last step
    assert scene.selected == ["s24"]
    # zoomed in, moving the selection centres the view on the step
    tab.view.set_pixels_per_day(40)
    qtbot.keyClick(tab.view, Qt.Key.Key_Home)
    for _ in range(8):
        qtbot.keyClick(tab.view, Qt.Key.Key_Right)
    assert scene.selected == ["s9"]
    left, right = tab.view.time_area()
    centre = tab.view.mapFromScene(scene.step_rect(["s9"]).center()).x()
    assert abs(centre - (left + right) / 2) <= 2
    # a span wider than the window is shown from its start
    qtbot.keyClick(tab.view, Qt.Key.Key_Left)
    assert scene.selected == ["s8"]
    assert tab.view.mapFromScene(scene.step_rect(["s8"]).topLeft()).x() == pytest.approx(left + 20, abs=2)


def test_enter_opens_the_selected_steps_findings_in_turn(tab: PathwayMapTab, qtbot) -> None:  # type: ignore[no-untyped-def]
    scene = _scene(tab)
    tab.view.setFocus()
    tab.select_steps(["s9"])
    findings = scene.markers["s9"].findings
    assert [f.rule for f in findings] == ["M07", "M14"]
    with qtbot.waitSignal(tab.finding_selected, timeout=1000) as blocker:
        qtbot.keyClick(tab.view, Qt.Key.Key_Return)
    assert blocker.args == ["M07", frozenset({"s9", "s14"})]
    with qtbot.waitSignal(tab.finding_selected, timeout=1000) as blocker:
        qtbot.keyClick(tab.view, Qt.Key.Key_Return)
    assert blocker.args == ["M14", frozenset(findings[1].steps)] and "s9" in findings[1].steps
    tab.select_steps(["s1"])  # no findings: Enter does nothing
    with qtbot.assertNotEmitted(tab.finding_selected):
        qtbot.keyClick(tab.view, Qt.Key.Key_Return)


# -- zoom and axis -----------------------------------------------------------------------------
def test_zoom_changes_the_axis_unit(tab: PathwayMapTab, qtbot) -> None:  # type: ignore[no-untyped-def]
    scene, view = _scene(tab), tab.view
    view.fit()
    assert scene.scale.unit == "month"
    visible = view.visible_scene_rect()
    assert visible.left() <= 0 and visible.right() >= scene.map_width - 1  # the whole pathway shows
    labels = [t.text for t in scene.scale.ticks(0, scene.end_day)]
    assert labels[:4] == ["Oct", "Nov", "Dec", "Jan"]
    view.zoom_to(date(2024, 1, 15), date(2024, 2, 16))  # the first admission
    assert scene.scale.unit == "week"
    assert "22 Jan" in [t.text for t in scene.scale.ticks(scene.day_of(date(2024, 1, 15)),
                                                           scene.day_of(date(2024, 2, 16)))]
    view.set_pixels_per_day(80)
    assert scene.scale.unit == "day"
    days = [t.text for t in scene.scale.ticks(scene.day_of(date(2024, 2, 12)), scene.day_of(date(2024, 2, 14)))]
    assert "Mon 12" in days and "Tue 13" in days
    view.set_pixels_per_day(0.2)  # no further out than the whole pathway
    assert scene.ppd == pytest.approx(view.min_ppd())
    tab.view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Plus)
    assert scene.ppd == pytest.approx(view.min_ppd() * 1.25)
    qtbot.keyClick(view, Qt.Key.Key_Minus)
    assert scene.ppd == pytest.approx(view.min_ppd())
    view.set_pixels_per_day(40)
    assert not view.fitted
    qtbot.keyClick(view, Qt.Key.Key_0)
    assert view.fitted and scene.scale.unit == "month"
    view.set_pixels_per_day(40)
    qtbot.keyClick(view, Qt.Key.Key_F)
    assert view.fitted


def test_ctrl_wheel_zooms_around_the_cursor(tab: PathwayMapTab, qtbot) -> None:  # type: ignore[no-untyped-def]
    scene, view = _scene(tab), tab.view
    position = QPointF(700, 300)
    day = scene.day_at(view.mapToScene(position.toPoint()).x())
    before = scene.ppd
    event = QWheelEvent(position, view.viewport().mapToGlobal(position), QPoint(), QPoint(0, 120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.ControlModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), event)
    assert scene.ppd == pytest.approx(before * 1.25)
    assert scene.day_at(view.mapToScene(position.toPoint()).x()) == pytest.approx(day, abs=1.5 / scene.ppd)


def test_labels_are_elided_or_dropped_never_overlapping(tab: PathwayMapTab) -> None:
    scene = _scene(tab)
    _assert_no_overlaps(scene)
    # fitted, the long labels are elided ("…") rather than clipped; zoomed in they show in full
    s3 = scene.labels["s3"]
    assert s3.isVisible() and s3.shown.endswith("…") and s3.shown != s3.full_text
    tab.view.zoom_to(date(2024, 1, 15), date(2024, 2, 16))
    _assert_no_overlaps(scene)
    assert scene.labels["s8"].shown == "Emergency admission: fractured neck of femur"
    assert scene.scale.unit == "week"


# -- lanes toggle, export ----------------------------------------------------------------------
def test_the_lane_toggle_rebuilds_by_organisation_and_keeps_the_selection(tab: PathwayMapTab) -> None:
    tab.select_steps(["s12"])
    tab.set_lane_mode("organisation")
    scene = _scene(tab)
    assert scene.lane_mode == "organisation"
    assert [lane.key for lane in scene.lanes] == ORGANISATION_LANES
    assert scene.highlighted() == {"s12"}
    tab.set_lane_mode("sector")
    assert [lane.key for lane in _scene(tab).lanes] == SECTOR_LANES


def test_export_png_and_svg(tab: PathwayMapTab, tmp_path: Path) -> None:
    scene = _scene(tab)
    tab.view.set_pixels_per_day(30)
    tab.select_steps(["s8"])
    png = tab.view.export_png(tmp_path / "map.png")
    image = QImage(str(png))
    assert not image.isNull()
    assert image.width() >= scene.sceneRect().width() and image.height() >= scene.sceneRect().height()
    svg = tab.view.export_svg(tmp_path / "map.svg")
    text = svg.read_text(encoding="utf-8")
    assert "<svg" in text and "Torbay Hospital" in text and "At home" in text
    assert "Emergency admission: fractured neck of femur" in text
    # the zoom and the selection come back after the export
    assert scene.ppd == pytest.approx(30) and scene.highlighted() == {"s8"}


def test_refresh_keeps_the_zoom_for_the_same_case(tab: PathwayMapTab) -> None:
    tab.view.set_pixels_per_day(30)
    first = tab.scene
    tab.refresh()
    assert tab.scene is not first and _scene(tab).ppd == pytest.approx(30)


# -- a large case ------------------------------------------------------------------------------
def test_a_1000_step_case_builds_and_fits(qtbot) -> None:  # type: ignore[no-untyped-def]
    case = _large_case()
    assert len(case.handoffs) == 1500
    analysis = analyse(case)
    scene = build_scene(case, analysis)
    assert len(scene.marks) == 1000
    assert len(scene.arrows) == len(CaseContext(case).handoffs) > 1500
    tab = PathwayMapTab()
    qtbot.addWidget(tab)
    tab.setMinimumSize(800, 500)
    tab.resize(1200, 700)
    tab.set_case(case, lambda: analysis)
    tab.show()
    qtbot.waitExposed(tab)
    big = _scene(tab)
    assert tab.view.fitted and big.scale.unit == "year"
    visible = tab.view.visible_scene_rect()
    assert visible.contains(big.sceneRect())  # fitted, everything shows, the key included
    _assert_no_overlaps(big)
    shown = sum(1 for t in big.labels.values() if t.isVisible())
    assert shown <= len(big.lanes) * 2  # no smear of labels: only those with room
    assert sum(1 for m in big.markers.values() if m.isVisible()) < len(big.markers)
    tab.view.set_pixels_per_day(20)
    _assert_no_overlaps(big)
    assert sum(1 for t in big.labels.values() if t.isVisible()) > shown


def test_an_empty_pathway_builds(qtbot) -> None:  # type: ignore[no-untyped-def]
    case = case_from_dict(minimal_dict())
    case.steps = []
    scene = build_scene(case, analyse(case))
    assert scene.lanes == [] and scene.marks == {} and scene.arrows == []
    assert all(not isinstance(i, FindingMarker) for i in scene.items())
