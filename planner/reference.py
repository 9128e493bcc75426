"""Reference data from ``resources/``: labels for every code, sector defaults, regulators.

Loaded once, lazily, through :mod:`importlib.resources`. Effective values for an organisation
(its own, else its sector's default) are resolved here so every view and rule agrees.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

from planner.model import Organisation


@cache
def load(name: str) -> dict[str, Any]:
    """One reference file from ``resources/`` (``"labels"`` reads ``labels.json``)."""
    text = files("resources").joinpath(f"{name}.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    data.pop("_about", None)
    return data


def label(enumeration: str, code: str | None) -> str:
    """Plain-English label of a code; the code itself if no label is known, "" for None."""
    if code is None:
        return ""
    labels: dict[str, str] = load("labels").get(enumeration, {})
    return labels.get(str(code), str(code).replace("_", " "))


def labels(enumeration: str) -> dict[str, str]:
    """All codes of an enumeration with their labels, in catalogue order."""
    result: dict[str, str] = load("labels")[enumeration]
    return result


def sector_defaults(sector: str) -> dict[str, Any]:
    result: dict[str, Any] = load("sectors")[sector]
    return result


def regulators_of(org: Organisation) -> list[str]:
    """The organisation's regulators, or its sector's defaults when none are recorded."""
    if org.regulators is not None:
        return list(org.regulators)
    return list(sector_defaults(org.sector)["regulators"])


def payment_model_of(org: Organisation) -> str | None:
    """The organisation's payment model, or its sector's usual one."""
    if org.payment_model is not None:
        return org.payment_model
    result: str | None = sector_defaults(org.sector)["payment_model"]
    return result


def is_cqc_registered(org: Organisation) -> bool:
    """``cqc_registered`` when recorded, else whether CQC is among its regulators."""
    if org.cqc_registered is not None:
        return org.cqc_registered
    return "CQC" in regulators_of(org)


def regulator(code: str) -> dict[str, Any]:
    """What a regulator assesses, its unit and its cycle."""
    result: dict[str, Any] = load("regulators")[code]
    return result


def delay_attribution_default(reason: str | None) -> str:
    if reason is None:
        return "both"
    result: str = load("delay_reasons")[reason]["attribution"]
    return result
