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


def large_plan_case_dict(actions: int = 200, members: int = 30) -> dict[str, Any]:
    """The demo case with ``members`` team members and a care plan of ``actions`` actions under
    ten goals, each action owned by a member or an organisation, with long descriptions."""
    data = demo_dict()
    orgs = [o["id"] for o in data["organisations"]]
    roles = ["gp", "district_nurse", "social_worker", "occupational_therapist", "physiotherapist",
             "domiciliary_care_worker", "pharmacist", "care_navigator", "voluntary_worker", "family_carer"]
    data["team"] = [{"id": f"m{i}", "name": f"Team Member {i}", "role": roles[i % len(roles)],
                     "organisation": orgs[i % len(orgs)], "contact": f"01803 {100000 + i}"}
                    for i in range(members)]
    data["coordinator"] = [{"member": "m1", "from": "2024-05-07", "to": None}]
    for handoff in data["handoffs"]:
        handoff.pop("named_receiver", None)
    goals = [{"id": f"g{i}", "in_my_words": f"Goal number {i}, said in my own words about what I want",
              "outcome": "Something we can see", "target_date": "2024-12-31", "status": "active"}
             for i in range(10)]
    owners = [m["id"] for m in data["team"]] + orgs
    plan_actions = [{"id": f"a{i}", "goal": f"g{i % 10}",
                     "description": f"Action {i}: visit, check how things are going, and write down "
                                    "what was done so the next visitor knows",
                     "owner": owners[i % len(owners)], "due": "2024-09-30", "status": "planned"}
                    for i in range(actions)]
    data["care_plan"] = {"version": 1, "agreed_on": "2024-05-07", "review_on": "2024-08-07", "goals": goals,
                         "actions": plan_actions, "contingency": data["care_plan"]["contingency"],
                         "signed_off_by": ["m1", "m2", "m3"]}
    data.pop("extensions", None)
    return data


def many_organisations_case_dict(organisations: int = 2000, steps: int = 400) -> dict[str, Any]:
    """The demo case with ``organisations`` organisations in all (across eight sectors, names of
    varied length) and ``steps`` more contacts, a day apart from 2023, at one in five of them."""
    data = demo_dict()
    sectors = ["primary_care", "community_health", "acute", "local_authority", "domiciliary_care",
               "care_home", "voluntary", "pharmacy"]
    extra = organisations - len(data["organisations"])
    data["organisations"] += [{"id": f"o{i}", "name": f"Provider number {i} " + "Trust " * (i % 5),
                               "sector": sectors[i % len(sectors)]} for i in range(extra)]
    data["steps"] += [{"id": f"x{i}", "kind": "contact", "organisation": f"o{i * 5 % extra}",
                       "start": (date(2023, 1, 1) + timedelta(days=i)).isoformat(), "label": f"Contact {i}"}
                      for i in range(steps)]
    return data
