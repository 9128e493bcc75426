"""The cost of care (DOMAIN.md section 4b): per step, per payer, per organisation, the delayed days."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.casefile import case_from_dict
from planner.costs import apportion, attached_cost, cost_of_care, round_to_10
from planner.model import StepCost
from planner.unit_costs import excess_bed_day, table
from tests.factories import demo_dict
from tests.test_rules import admission, make_case, org, step

FIGURES = table().figures()


def test_round_to_10_halves_up() -> None:
    assert [round_to_10(x) for x in (0, 4.99, 5, 14.999, 15, 1234.5, 1235)] == [0, 0, 10, 10, 20, 1230, 1240]


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=3), st.floats(min_value=0, max_value=1e6), max_size=12))
def test_apportioned_parts_add_up_exactly_to_the_rounded_total(parts: dict[str, float]) -> None:
    total = round_to_10(sum(parts.values()))
    shared = apportion(parts, total)
    assert sum(shared.values()) == total
    assert all(value % 10 == 0 and value > 0 for value in shared.values())
    for key, value in shared.items():  # each part within £10 of its exact amount
        assert abs(value - parts[key]) < 10 + 1e-6


def hospital_case() -> object:
    """A 15-day emergency admission, ready for discharge after 10 (5 delayed days, a care package
    awaited), a GP appointment, a 14-day weekly-costed nursing-home placement paid by the council,
    and a day of care by her daughter."""
    return make_case(
        [org("acute", "acute", name="County Hospital"), org("gp", "primary_care", name="The Surgery"),
         org("home", "care_home", name="Sea View"), org("family", "informal", name="Her daughter")],
        [step("g1", "contact", "gp", "2024-01-01", setting="gp_surgery"),
         admission("a1", "acute", "2024-01-05", "2024-01-20", setting="acute_ward", emergency=True,
                   ready_for_discharge="2024-01-15", delay_reason="awaiting_care_package"),
         step("p1", "placement", "home", "2024-01-20", "2024-02-03", setting="nursing_home",
              funding="local_authority"),
         step("f1", "contact", "family", "2024-02-03")])


def test_each_step_is_costed_by_its_unit() -> None:
    costs = cost_of_care(hospital_case())  # type: ignore[arg-type]
    by_step = {c.step.id: c for c in costs.costed}
    assert set(by_step) == {"g1", "a1", "p1"}
    gp = FIGURES["gp_consultation"].amount
    bed, excess = FIGURES["non_elective_bed_day"].amount, excess_bed_day("acute").amount  # type: ignore[union-attr]
    week = FIGURES["nursing_home_private_week"].amount
    assert by_step["g1"].amount == gp and by_step["g1"].payer == "nhs"
    stay = by_step["a1"]
    assert stay.units == 10 and stay.amount == pytest.approx(10 * bed)  # 15 bed days, 5 of them delayed
    assert stay.delayed is not None and stay.delayed.days == 5
    assert stay.delayed.amount == pytest.approx(5 * excess)
    assert (stay.delayed.paid_by, stay.delayed.attributed_to) == ("nhs", "social_care")
    assert by_step["p1"].units == 2 and by_step["p1"].amount == pytest.approx(2 * week)
    assert by_step["p1"].payer == "council"  # its funding, not the care home's usual payer
    assert costs.unpaid_days == 1  # her daughter's day: counted, never priced
    assert costs.exact_total == pytest.approx(gp + 10 * bed + 5 * excess + 2 * week)
    assert costs.total == round_to_10(gp + 10 * bed + 5 * excess + 2 * week)


def test_totals_add_up_exactly_and_name_payers_and_organisations() -> None:
    costs = cost_of_care(hospital_case())  # type: ignore[arg-type]
    assert sum(costs.by_payer().values()) == sum(costs.by_organisation().values()) == costs.total
    assert set(costs.by_payer()) == {"nhs", "council"}
    assert set(costs.by_organisation()) == {"County Hospital", "The Surgery", "Sea View"}


def test_an_ongoing_service_is_costed_to_the_case_s_last_date() -> None:
    case = make_case(
        [org("home", "care_home", name="Sea View"), org("gp", "primary_care", name="The Surgery")],
        [step("p1", "placement", "home", "2024-01-01", setting="care_home"),
         step("g1", "contact", "gp", "2024-01-29", setting="gp_surgery")])
    placement = next(c for c in cost_of_care(case).costed if c.step.id == "p1")
    assert placement.units == 4  # 28 days to the GP visit, the case's last date


def test_a_step_s_own_cost_and_an_area_s_override_come_before_the_default() -> None:
    case = hospital_case()
    case.steps[0].cost = StepCost(amount=60, per="contact", source="local tariff 2024/25")  # type: ignore[attr-defined]
    local_week = replace(FIGURES["nursing_home_private_week"], amount=1000.0, source="Torbay's own rates",
                         price_year="2024/25")
    costs = cost_of_care(case, overrides={"placement/nursing_home/*": local_week})  # type: ignore[arg-type]
    by_step = {c.step.id: c for c in costs.costed}
    assert by_step["g1"].amount == 60 and by_step["g1"].unit_cost.source == "local tariff 2024/25"
    assert by_step["p1"].amount == 2000 and by_step["p1"].unit_cost.price_year == "2024/25"


def test_a_step_without_a_published_figure_is_not_costed_and_says_why() -> None:
    case = make_case([org("vol", "voluntary", name="Good Neighbours")],
                     [step("v1", "service", "vol", "2024-01-01", "2024-02-01", setting="home")])
    costs = cost_of_care(case)
    assert costs.costed == [] and costs.total == 0 and costs.by_payer() == {}
    assert [(n.step.id, n.reason) for n in costs.not_costed] == [
        ("v1", "no published unit cost for a service (at home) at voluntary and community")]


def test_payer_follows_funding_else_the_sector() -> None:
    case = hospital_case()
    case.steps[1].funding = "self_funded"  # type: ignore[attr-defined]
    costs = cost_of_care(case)  # type: ignore[arg-type]
    stay = next(c for c in costs.costed if c.step.id == "a1")
    assert stay.payer == "person" and stay.delayed is not None and stay.delayed.paid_by == "person"
    assert next(c for c in costs.costed if c.step.id == "g1").payer == "nhs"  # primary care's usual payer


def test_the_cost_attached_to_a_finding() -> None:
    costs = cost_of_care(hospital_case())  # type: ignore[arg-type]
    delayed = costs.costed[1].delayed
    assert delayed is not None
    assert attached_cost(costs, "M04", ["a1"], readmissions=[]) == pytest.approx(delayed.amount)
    assert attached_cost(costs, "M05", ["a1"], readmissions=["a1"]) == pytest.approx(costs.costed[1].total)
    assert attached_cost(costs, "M09", ["g1"], readmissions=[]) is None  # nothing it names carries a cost
    assert attached_cost(costs, "M07", ["g1", "a1"], readmissions=[]) == pytest.approx(
        costs.costed[1].amount + delayed.amount)


def test_costs_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    from ui.cli import main

    assert main(["costs", "1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"total", "by_payer", "by_organisation", "delayed", "not_costed", "sources"} <= set(data)
    assert sum(data["by_payer"].values()) == sum(data["by_organisation"].values()) == data["total"] > 0
    assert "NHS" in data["by_payer"] and "Torbay Hospital" in data["by_organisation"]
    assert [(d["days"], d["paid_by"], d["attributed_to"]) for d in data["delayed"]] == [
        (10, "NHS", "Social care"), (6, "NHS", "Social care")]
    assert all(d["amount"] % 10 == 0 for d in data["delayed"])
    assert all(s["source"] and s["price_year"] and s["table"] for s in data["sources"])
    assert all(1 <= step["source"] <= len(data["sources"]) for step in data["steps"])
    assert all(n["reason"] for n in data["not_costed"])
    assert main(["costs", "Mrs Smith, Torbay"]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"THE COST OF CARE: £{data['total']:,}. An estimate in ")
    assert "paid by NHS, waiting for social care" in text and "Sources" in text
    assert not re.search(r"\bs\d+\b", text)  # steps are named, never by id


def test_the_demo_costs_follow_her_story() -> None:
    costs = cost_of_care(case_from_dict(demo_dict()))
    assert [(d.step.label, d.days) for d in costs.delayed] == [
        ("Emergency admission: fractured neck of femur", 10), ("Readmission: heart failure and chest infection", 6)]
    assert set(costs.by_payer()) >= {"nhs", "person"}  # her self-funded step-down bed and reablement


def test_the_workshop_pack_adds_up_the_cost_of_delays_across_cases(tmp_path: Any) -> None:
    import subprocess

    from reports.pack import write_pack

    first = case_from_dict(demo_dict())
    second_data = demo_dict()
    second_data["title"] = "Another pathway"
    second = case_from_dict(second_data)
    out = tmp_path / "pack.pdf"
    write_pack([first, second], out)
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    each = cost_of_care(first).delayed_total()
    both = round_to_10(2 * sum(d.amount for d in cost_of_care(first).delayed))
    assert "The cost of delays" in text and f"16 £{each:,} the NHS social care" in text
    assert f"Across the cases: £{both:,} paid by the NHS, waiting for social care." in text
