"""The regulatory misalignment engine: rules M01-M15 read a case and produce findings.

``evaluate(case)`` is the entry point. Each rule lives in its own module and implements exactly
the trigger in DOMAIN.md section 3 on a :class:`~planner.rules.context.CaseContext`, which works
out the shared terms (order of steps, handoffs given and derived, admissions, readmissions...)
once per case. Titles, severities, questions and thresholds come from ``resources/rules.json``.
"""

from planner.rules.engine import Finding, FindingReport, evaluate

__all__ = ["Finding", "FindingReport", "evaluate"]
