"""The map's key: its entries in one wording for the screen and paper, and their flow into rows.

A sample names what the renderer draws before the words: "lane:<sector>", "span", "point",
"hatch", "number", "stage:<stage>", "arrow:<look>", "severity:<severity>", or "" for words alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from planner.map_layout.axis import Measure
from planner.map_style import ARROW_LOOKS
from planner.reference import label
from planner.rules.catalogue import severity_label, severity_order

KEY_TITLE = "Key"
#: The words of the severity count after a severity mark ("×3"), on screen and paper.
COUNT_PREFIX = "×"


@dataclass(frozen=True)
class KeyEntry:
    group: str
    sample: str
    words: str


@dataclass(frozen=True)
class KeyItem:
    """A placed piece of the key: "title", "heading" or "entry", at (x, y) from the key's top
    left; ``width`` includes the sample."""

    kind: str
    x: float
    y: float
    sample: str
    words: str
    width: float


def count_text(findings: int) -> str:
    """What follows a severity mark for a step with several findings: "×3"."""
    return f"{COUNT_PREFIX}{findings}" if findings > 1 else ""


def key_entries(sectors: list[str], case_findings: int, handoffs: bool = True, numbers: bool = False,
                stages: list[str] | None = None) -> list[KeyEntry]:
    """The key of a map with lanes of these ``sectors``: lanes, stages (their bands' colours, for
    bands too narrow to name), steps, handoffs (where arrows are drawn), findings and the number
    of findings on the case as a whole."""
    entries = [KeyEntry("Lanes", f"lane:{sector}", label("sector", sector)) for sector in sectors]
    entries += [KeyEntry("Stages", f"stage:{stage}", label("stage", stage)) for stage in stages or []]
    entries.append(KeyEntry("Steps", "span", "Stay or service"))
    entries.append(KeyEntry("Steps", "point", "One moment"))
    entries.append(KeyEntry("Steps", "hatch", "Delayed discharge"))
    if numbers:
        entries.append(KeyEntry("Steps", "number", "Step number, as in the timeline (its words are listed "
                                                   "beside the map when they do not fit)"))
    if handoffs:
        entries += [KeyEntry("Handoffs", f"arrow:{name}", look.legend) for name, look in ARROW_LOOKS.items()]
    entries += [KeyEntry("Findings", f"severity:{severity}", severity_label(severity))
                for severity in severity_order()]
    entries.append(KeyEntry("Findings", "", f"({COUNT_PREFIX}2: two findings on the step)"))
    if case_findings:
        noun = "finding" if case_findings == 1 else "findings"
        entries.append(KeyEntry("Findings", "", f"+ {case_findings} {noun} on the whole case"))
    return entries


def flow_key(entries: list[KeyEntry], width: float, measure: Measure, size: float,
             sample_width: Callable[[str], float], row_height: float, sample_gap: float = 4.0
             ) -> tuple[list[KeyItem], float]:
    """The key flowing in rows ``width`` wide: a title, then each group's heading followed by its
    entries (a heading never ends a row). Returns the placed items and the key's height."""
    title_width = measure(KEY_TITLE, size, True)
    items = [KeyItem("title", 0.0, 0.0, "", KEY_TITLE, title_width)]
    indent = title_width + 12
    x, y = indent, 0.0
    group = ""

    def entry_width(entry: KeyEntry) -> float:
        sample = sample_width(entry.sample)
        return (sample + sample_gap if sample else 0.0) + measure(entry.words, size, False)

    for entry in entries:
        needed = entry_width(entry)
        if entry.group != group:
            group = entry.group
            heading = f"{group}:"
            heading_width = measure(heading, size, True)
            if x + heading_width + 6 + needed > width and x > indent:
                x, y = indent, y + row_height
            items.append(KeyItem("heading", x, y, "", heading, heading_width))
            x += heading_width + 6
        elif x + needed > width and x > indent:
            x, y = indent, y + row_height
        items.append(KeyItem("entry", x, y, entry.sample, entry.words, needed))
        x += needed + 14
    return items, y + row_height
