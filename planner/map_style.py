"""The pathway map's visual language, shared by the app's map and the printed maps.

From ``resources/map_style.json`` (BRIEF.md, "Visual language"): the order of sector lanes, the
stage band colours, how each handoff method is drawn (colour, width, line pattern, and its
words in the key), and the pattern that tells apart lanes whose sectors share a colour. Colours
of sectors come from ``sectors.json`` and severity marks from ``rules.json``. No drawing library
here: each renderer turns a line pattern ("solid", "dash", "dot", "dashdot") into its own pen
and a lane pattern ("plain", "stripes") into its own fill.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from planner.reference import load

_STYLE: dict[str, Any] = load("map_style")

#: Lanes from the person outwards: those nearest her home first, the system last.
SECTOR_ORDER: tuple[str, ...] = tuple(_STYLE["sector_order"])
STAGE_COLOURS: dict[str, str] = dict(_STYLE["stage_colours"])
OTHER_STAGE_COLOUR: str = _STYLE["other_stage_colour"]
UNKNOWN_COLOUR: str = _STYLE["unknown_colour"]
#: The hatching over the delayed part of an admission.
HATCH_COLOUR: str = _STYLE["hatch_colour"]
#: The outline of a severity mark.
MARKER_OUTLINE: str = _STYLE["marker_outline"]


@dataclass(frozen=True)
class ArrowLook:
    """How a handoff is drawn: ``pattern`` is "solid", "dash", "dot" or "dashdot"."""

    name: str
    colour: str
    width: float
    pattern: str
    legend: str


ARROW_LOOKS: dict[str, ArrowLook] = {
    name: ArrowLook(name, entry["colour"], float(entry["width"]), entry["pattern"], entry["legend"])
    for name, entry in _STYLE["arrow_styles"].items()}
METHOD_STYLES: dict[str, str] = dict(_STYLE["method_styles"])
LANE_PATTERNS: dict[str, str] = dict(_STYLE.get("lane_patterns", {}))


def handoff_style(method: str, derived: bool) -> str:
    """The style name of a handoff: derived and unknown handoffs are thin grey."""
    if derived:
        return "grey"
    return METHOD_STYLES.get(method, "grey")


def sector_colour(sector: str | None) -> str:
    """The Okabe-Ito colour of a sector's lane; grey for an unknown sector."""
    entry = load("sectors").get(sector or "")
    return str(entry["colour"]) if entry else UNKNOWN_COLOUR


def lane_pattern(sector: str | None) -> str:
    """How a sector's marks are told apart from another sector of the same colour: "plain" or
    "stripes" (white upright stripes over the colour)."""
    return LANE_PATTERNS.get(sector or "", "plain")
