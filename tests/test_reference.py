"""Reference data in resources/: complete, consistent with the schema and DOMAIN.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from planner.model import Organisation
from planner.reference import (
    delay_attribution_default,
    is_cqc_registered,
    label,
    load,
    payment_model_of,
    regulators_of,
)
from planner.validation import case_schema

#: Schema enumerations (by JSON pointer tail) and the label table that names their values.
ENUM_LABELS = {
    "sex": "sex", "living_situation": "living_situation", "frailty/properties/scale": "frailty_scale",
    "consent/properties/status": "consent_status", "preferred_place_of_care": "preferred_place_of_care",
    "sector": "sector", "payment_model": "payment_model", "regulators/items": "regulator",
    "funding_term": "funding_term", "oversight/properties/cqc_rating": "cqc_rating", "role": "role",
    "professional_register": "professional_register", "kind": "kind", "stage": "stage",
    "setting": "setting", "funding": "funding", "delay_reason": "delay_reason",
    "delay_attribution": "delay_attribution", "assessment_domain": "assessment_domain",
    "chc_status": "chc_status", "cost/properties/per": "cost_per", "method": "method", "goals/items/properties/status": "goal_status",
    "actions/items/properties/status": "action_status", "annotation/properties/status": "annotation_status",
}


def _enums(node: Any, path: str = "") -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    if isinstance(node, dict):
        if "enum" in node:
            found[path] = node["enum"]
        for key, value in node.items():
            found.update(_enums(value, f"{path}/{key}"))
    return found


def test_every_schema_enumeration_has_a_plain_label_for_every_value() -> None:
    enums = _enums(case_schema())
    assert len(enums) == len(ENUM_LABELS)
    for path, values in enums.items():
        table = next(t for tail, t in ENUM_LABELS.items() if path.endswith("/" + tail))
        labels = load("labels")[table]
        assert list(labels) == values, path
        assert all(text and "_" not in text for text in labels.values()), table


def test_sector_defaults_follow_domain() -> None:
    def org(sector: str) -> Organisation:
        return Organisation(id="x", name="X", sector=sector)

    assert regulators_of(org("acute")) == ["CQC", "NHSE"]
    assert regulators_of(org("voluntary")) == ["CHARITY_COMMISSION"]
    assert regulators_of(org("hospice")) == ["CQC", "CHARITY_COMMISSION"]
    assert regulators_of(org("pharmacy")) == ["GPHC"]
    assert regulators_of(org("system")) == ["NHSE"]
    assert regulators_of(org("informal")) == []
    assert payment_model_of(org("acute")) == "activity"
    assert payment_model_of(org("community_health")) == "block"
    assert payment_model_of(org("primary_care")) == "capitation"
    assert payment_model_of(org("local_authority")) == "means_tested"
    assert payment_model_of(org("care_home")) == "spot_purchase"
    assert payment_model_of(org("hospice")) == "grant"
    assert payment_model_of(org("pharmacy")) is None
    assert is_cqc_registered(org("domiciliary_care"))
    assert not is_cqc_registered(org("voluntary"))
    assert not is_cqc_registered(Organisation(id="x", name="X", sector="acute", cqc_registered=False))
    assert regulators_of(Organisation(id="x", name="X", sector="acute", regulators=[])) == []


def test_every_sector_has_defaults_and_a_colour() -> None:
    sectors = load("sectors")
    assert set(sectors) == set(load("labels")["sector"])
    assert all(entry["colour"].startswith("#") for entry in sectors.values())
    assert set(load("regulators")) == set(load("labels")["regulator"])
    assert set(load("roles")) == set(load("labels")["role"])
    assert set(load("funding")) == set(load("labels")["funding"])
    assert set(load("payment_models")) == set(load("labels")["payment_model"])


def test_delay_attribution_defaults() -> None:
    assert delay_attribution_default("awaiting_care_package") == "social_care"
    assert delay_attribution_default("awaiting_care_home") == "social_care"
    assert delay_attribution_default("awaiting_nhs_service") == "nhs"
    assert delay_attribution_default("housing") == "both"
    assert delay_attribution_default(None) == "both"


def test_labels_read_as_words() -> None:
    assert label("delay_reason", "awaiting_care_package") == "Awaiting a care package"
    assert label("stage", None) == ""


def test_schema_is_the_shared_format(shared_dir: Path) -> None:
    shared = json.loads((shared_dir / "product" / "case.schema.json").read_text(encoding="utf-8"))
    assert case_schema() == shared
