"""The rule catalogue from ``resources/rules.json``: metadata and thresholds for each rule."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from planner.reference import load


@dataclass(frozen=True)
class RuleInfo:
    id: str
    title: str
    severity: str
    question: str
    explains: str
    thresholds: dict[str, Any]


@cache
def rules() -> dict[str, RuleInfo]:
    data = load("rules")["rules"]
    return {rule_id: RuleInfo(id=rule_id, **entry) for rule_id, entry in data.items()}


def rule(rule_id: str) -> RuleInfo:
    return rules()[rule_id]


def term(name: str) -> Any:
    """A definition shared by the rules (DOMAIN.md section 3's terms)."""
    return load("rules")["terms"][name]


@cache
def severity_order() -> dict[str, int]:
    return {name: entry["order"] for name, entry in load("rules")["severities"].items()}


def severity_symbol(severity: str) -> str:
    result: str = load("rules")["severities"][severity]["symbol"]
    return result


def severity_style(severity: str) -> tuple[str, str]:
    """(colour, shape) of a severity mark: shape carries the meaning in black and white."""
    entry = load("rules")["severities"][severity]
    return entry["colour"], entry["shape"]


def severity_label(severity: str) -> str:
    result: str = load("rules")["severities"][severity]["label"]
    return result
