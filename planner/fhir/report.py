"""The import report: what a FHIR import mapped, what it left out and why, what needs a person.

Shown by the command line (on stderr) and by the application after a FHIR import. Lines are
plain English; counts are grouped so that a bundle of thousands of resources gives a short report.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from planner.dates import format_day


@dataclass
class ImportWindow:
    """The part of the history imported as steps: encounters from ``start`` (None: all of it)."""

    start: date | None
    latest: date | None
    rule: str

    def describe(self) -> str:
        if self.start is None:
            return f"all of the history ({self.rule})"
        return f"from {format_day(self.start)} ({self.rule})"


@dataclass
class ImportReport:
    source: str | None = None
    what: str = ""
    mapped: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    attention: list[str] = field(default_factory=list)
    window: ImportWindow | None = None
    left_out_encounters: int = 0
    #: resources that are not part of a case, by type (Observation, Claim, ...)
    unused: Counter[str] = field(default_factory=Counter)

    def map(self, line: str) -> None:
        self.mapped.append(line)

    def skip(self, line: str) -> None:
        self.skipped.append(line)

    def flag(self, line: str) -> None:
        if line not in self.attention:
            self.attention.append(line)

    def unused_line(self) -> str | None:
        if not self.unused:
            return None
        parts = [
            f"{kind} ×{count:,}" for kind, count in sorted(self.unused.items(), key=lambda i: (-i[1], i[0]))
        ]
        return "Not part of a case, so not read: " + ", ".join(parts)

    def sections(self) -> list[tuple[str, list[str]]]:
        skipped = list(self.skipped)
        unused = self.unused_line()
        if unused:
            skipped.append(unused)
        return [("Mapped", self.mapped), ("Skipped", skipped), ("Needs your attention", self.attention)]

    def as_text(self) -> str:
        lines = [f"FHIR import of {self.source}: {self.what}" if self.source else f"FHIR import: {self.what}"]
        if self.window is not None:
            lines.append(f"Time window: {self.window.describe()}")
        for title, items in self.sections():
            lines.append(f"{title} ({len(items)}):" if items else f"{title}: none")
            lines += [f"  - {item}" for item in items]
        return "\n".join(lines)
