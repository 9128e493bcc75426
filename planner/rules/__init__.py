"""The regulatory misalignment engine: rules M01-M15 read a case and produce findings.

``evaluate(case)`` is the entry point. Each rule lives in its own module and implements exactly
the trigger in DOMAIN.md section 3 on a :class:`~planner.rules.context.CaseContext`, which works
out the shared terms (order of steps, handoffs given and derived, admissions, readmissions...)
once per case. Titles, severities, questions and thresholds come from ``resources/rules.json``.

The engine loads on first use, so reading the catalogue (``planner.rules.catalogue``) stays
cheap at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from planner.rules.engine import Finding, FindingReport, evaluate

__all__ = ["Finding", "FindingReport", "evaluate"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from planner.rules import engine

        return getattr(engine, name)
    raise AttributeError(f"module 'planner.rules' has no attribute {name!r}")
