"""Default unit costs (resources/unit_costs.json): valid, every one sourced and dated, looked up
most specific first, and "not costed" where nothing was published."""

from __future__ import annotations

import copy
import itertools
import json
import re
from typing import Any

import pytest

from planner import unit_costs
from planner.unit_costs import (
    LOOKUP_ORDER,
    UNITS,
    UnitCostTable,
    candidate_keys,
    default_unit_cost,
    excess_bed_day,
    load_data,
)
from tests.conftest import ROOT

SCHEMA_PATH = ROOT / "resources" / "schema" / "unit-costs.schema.json"
DOCS = ROOT / "docs" / "UNIT_COSTS.md"


def _schema() -> dict[str, Any]:
    result: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return result


def _errors(data: dict[str, Any]) -> list[str]:
    import jsonschema

    validator = jsonschema.Draft202012Validator(_schema())
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(data)]


def _case_enum(name: str) -> list[str]:
    """An enumeration of case.schema.json, found by its property name."""
    case = json.loads((ROOT / "resources" / "schema" / "case.schema.json").read_text(encoding="utf-8"))
    found: list[list[str]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == name and isinstance(value, dict) and "enum" in value:
                    found.append(value["enum"])
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(case)
    assert found, name
    return found[0]


KINDS, SETTINGS, SECTORS = _case_enum("kind"), _case_enum("setting"), _case_enum("sector")


@pytest.fixture
def data() -> dict[str, Any]:
    return load_data()


# --- the file and its schema -------------------------------------------------------------------

def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(_schema())


def test_the_file_validates_against_its_schema(data: dict[str, Any]) -> None:
    assert _errors(data) == []


def test_units_are_those_of_a_step_cost_in_the_case_file() -> None:
    assert list(UNITS) == _case_enum("per")
    assert _schema()["$defs"]["figure"]["properties"]["per"]["enum"] == _case_enum("per")


@pytest.mark.parametrize("change, field", [
    (lambda f: f.update(amount=0), "amount"),
    (lambda f: f.update(amount=-12), "amount"),
    (lambda f: f.update(amount="45"), "amount"),
    (lambda f: f.update(per="hour"), "per"),
    (lambda f: f.update(price_year="2023"), "price_year"),
    (lambda f: f.pop("source"), "source"),
    (lambda f: f.pop("table"), "table"),
    (lambda f: f.update(url="kar.kent.ac.uk"), "url"),
])
def test_the_schema_refuses_a_figure_without_a_unit_year_source_or_positive_amount(
        data: dict[str, Any], change: Any, field: str) -> None:
    broken = copy.deepcopy(data)
    change(next(iter(broken["figures"].values())))
    errors = _errors(broken)
    assert errors and any(field in e or "required" in e for e in errors), errors


@pytest.mark.parametrize("key", ["visit/home/*", "contact/surgery/*", "contact/*/nhs", "contact/home", "*/home/*"])
def test_the_schema_refuses_keys_outside_the_case_vocabulary(data: dict[str, Any], key: str) -> None:
    broken = copy.deepcopy(data)
    broken["defaults"][key] = next(iter(broken["figures"]))
    assert _errors(broken)


def test_every_key_uses_the_case_file_vocabulary(data: dict[str, Any]) -> None:
    for key in data["defaults"]:
        kind, setting, sector = key.split("/")
        assert kind in KINDS, key
        assert setting == "*" or setting in SETTINGS, key
        assert sector == "*" or sector in SECTORS, key
    assert set(data["excess_bed_day"]) <= set(SECTORS)


def test_the_lookup_order_is_documented_in_the_file(data: dict[str, Any]) -> None:
    assert data["_about"]["lookup"] == list(LOOKUP_ORDER)


# --- every default is sourced and dated ----------------------------------------------------------

def test_every_default_and_excess_bed_day_names_an_existing_figure(data: dict[str, Any]) -> None:
    used = set(data["defaults"].values()) | set(data["excess_bed_day"].values())
    assert used <= set(data["figures"]), used - set(data["figures"])
    assert set(data["figures"]) <= used, f"figures no default uses: {set(data['figures']) - used}"


def test_every_default_has_amount_unit_year_and_a_cited_source(data: dict[str, Any]) -> None:
    keys = [(key, "default") for key in data["defaults"]] + [(s, "excess") for s in data["excess_bed_day"]]
    assert keys
    for key, which in keys:
        # the key itself is the first candidate for its own parts ("*" included)
        cost = unit_costs.table().default(*key.split("/")) if which == "default" else excess_bed_day(key)
        assert cost is not None and cost.key in (key, f"excess_bed_day/{key}"), key
        assert cost.amount > 0, key
        assert cost.per in UNITS, key
        match = re.fullmatch(r"(\d{4})/(\d{2})", cost.price_year)
        assert match and (int(match[1]) + 1) % 100 == int(match[2]), (key, cost.price_year)
        # the publication (a title with its year) and where in it (a table, section or line)
        assert re.search(r"\b(19|20)\d{2}\b", cost.source), (key, cost.source)
        assert re.search(r"Unit Costs of Health and Social Care|written (answer|question)", cost.source), key
        assert re.search(r"\b(Table|Section|line)\b", cost.table), (key, cost.table)
        assert cost.url is None or cost.url.startswith("https://"), key


def test_derived_figures_show_their_arithmetic_and_it_adds_up(data: dict[str, Any]) -> None:
    derived = {fid: f for fid, f in data["figures"].items() if "derivation" in f}
    for fid, figure in derived.items():
        numbers = re.search(r"£([\d.,]+)[^×]*× ([\d.]+)[^=]*= £([\d.,]+)", figure["derivation"])
        assert numbers, (fid, figure["derivation"])
        unit, times, result = (float(n.replace(",", "")) for n in numbers.groups())
        assert unit * times == pytest.approx(result), fid
        assert result == pytest.approx(figure["amount"]), fid
        assert "same" in figure["derivation"], f"{fid}: say the assumption comes from the same source"


def test_the_documentation_lists_every_figure_with_its_amount(data: dict[str, Any]) -> None:
    text = DOCS.read_text(encoding="utf-8")
    for fid, figure in data["figures"].items():
        assert f"`{fid}`" in text, fid
        amount = figure["amount"]
        shown = f"£{amount:,.2f}" if amount != int(amount) else f"£{int(amount):,}"
        assert shown in text, (fid, shown)
    assert "not costed" in text


# --- the lookup ----------------------------------------------------------------------------------

def _synthetic(keys: list[str]) -> UnitCostTable:
    figures = {f"f{i}": {"amount": 10 + i, "per": "contact", "price_year": "2023/24", "source": "S",
                         "table": "T", "url": None} for i in range(len(keys))}
    return UnitCostTable({"figures": figures, "defaults": {k: f"f{i}" for i, k in enumerate(keys)},
                          "excess_bed_day": {"acute": "f0"}})


def test_the_most_specific_match_wins_at_every_level() -> None:
    levels = ["review/home/acute", "review/home/*", "review/*/acute", "review/*/*"]
    for first in range(len(levels)):
        table = _synthetic(levels[first:])
        cost = table.default("review", "home", "acute")
        assert cost is not None and cost.key == levels[first]
        assert cost.amount == 10  # f0, the first present, not a later one


def test_setting_beats_sector() -> None:
    table = _synthetic(["review/*/acute", "review/home/*"])
    cost = table.default("review", "home", "acute")
    assert cost is not None and cost.key == "review/home/*"


def test_a_missing_setting_or_sector_skips_its_levels() -> None:
    assert candidate_keys("contact", None, "acute") == ["contact/*/acute", "contact/*/*"]
    assert candidate_keys("contact", "home", None) == ["contact/home/*", "contact/*/*"]
    assert candidate_keys("contact", None, None) == ["contact/*/*"]
    table = _synthetic(["contact/home/acute"])
    assert table.default("contact", None, "acute") is None
    assert table.default("contact", "home", None) is None


def test_no_match_is_not_costed() -> None:
    table = _synthetic(["review/home/acute"])
    assert table.default("review", "home", "voluntary") is None
    assert table.default("contact", "home", "acute") is None
    assert table.excess_bed_day("care_home") is None
    assert table.excess_bed_day(None) is None


def test_the_packaged_defaults_follow_the_lookup_order_for_every_combination(data: dict[str, Any]) -> None:
    defaults, figures = data["defaults"], data["figures"]
    costed = 0
    for kind, setting, sector in itertools.product(KINDS, [*SETTINGS, None], [*SECTORS, None]):
        cost = default_unit_cost(kind, setting, sector)
        present = [k for k in candidate_keys(kind, setting, sector) if k in defaults]
        if not present:
            assert cost is None, (kind, setting, sector)
            continue
        costed += 1
        assert cost is not None and cost.key == present[0]
        figure = figures[defaults[present[0]]]
        assert (cost.amount, cost.per, cost.price_year) == (figure["amount"], figure["per"], figure["price_year"])
    assert costed > 0


def test_steps_with_no_published_figure_are_not_costed(data: dict[str, Any]) -> None:
    uncosted_kinds = {"referral", "discharge", "death"}
    assert not any(key.split("/")[0] in uncosted_kinds for key in data["defaults"])
    for kind, setting, sector in itertools.product(sorted(uncosted_kinds), SETTINGS, SECTORS):
        assert default_unit_cost(kind, setting, sector) is None
    # informal care is counted in days, not money
    assert all(key.split("/")[2] != "informal" for key in data["defaults"])
    for kind, setting in itertools.product(KINDS, SETTINGS):
        cost = default_unit_cost(kind, setting, "informal")
        assert cost is None or cost.key.endswith("/*"), (kind, setting)


def test_excess_bed_days_are_a_separate_entry_from_the_admission(data: dict[str, Any]) -> None:
    for sector, fid in data["excess_bed_day"].items():
        cost = excess_bed_day(sector)
        assert cost is not None and cost.per == "day"
        assert cost.amount == data["figures"][fid]["amount"]
        assert cost.key == f"excess_bed_day/{sector}"
        admission = default_unit_cost("admission", "acute_ward", sector)
        assert admission is not None and admission.key != cost.key
    for sector in set(SECTORS) - set(data["excess_bed_day"]):
        assert excess_bed_day(sector) is None
    assert excess_bed_day(None) is None
