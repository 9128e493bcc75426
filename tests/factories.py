"""Builders of cases for tests and benchmarks."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from typing import Any

from tests.conftest import DEMO


def demo_dict() -> dict[str, Any]:
    """A fresh, mutable copy of the demo case file."""
    data: dict[str, Any] = json.loads(DEMO.read_text(encoding="utf-8"))
    return copy.deepcopy(data)


def minimal_dict(**person: Any) -> dict[str, Any]:
    return {
        "format": "pathway-planner/case", "version": 1,
        "person": {"name": "Test Person", **person},
        "organisations": [{"id": "gp", "name": "A Surgery", "sector": "primary_care"}],
        "steps": [{"id": "s1", "kind": "contact", "organisation": "gp", "start": "2024-01-01"}],
    }


def large_case_dict(steps: int = 1000, title: str = "Generated case") -> dict[str, Any]:
    """A valid case with ``steps`` steps across the demo's organisations, with handoffs."""
    data = demo_dict()
    data["title"] = title
    orgs = [o["id"] for o in data["organisations"]]
    kinds = ["contact", "assessment", "review", "service", "admission", "attendance"]
    start = date(2015, 1, 1)
    generated = []
    for i in range(steps):
        day = start + timedelta(days=3 * i)
        kind = kinds[i % len(kinds)]
        step: dict[str, Any] = {
            "id": f"g{i}", "kind": kind, "organisation": orgs[i % len(orgs)], "start": day.isoformat(),
            "stage": ["at_home", "crisis", "step_down"][i % 3], "funding": "nhs",
            "label": f"Generated step {i}"}
        if kind in ("admission", "service"):
            step["end"] = (day + timedelta(days=2)).isoformat()
        if kind == "admission":
            step["ready_for_discharge"] = (day + timedelta(days=1)).isoformat()
            step["delay_reason"] = "awaiting_care_package"
            step["emergency"] = True
        generated.append(step)
    data["steps"] = generated
    data["handoffs"] = [{"from": f"g{i}", "to": f"g{i + 1}", "method": "letter"}
                        for i in range(0, steps - 1, 2)]
    data["annotations"] = []
    return data
