"""The exports' renderers now live in the use-case layer (ui.actions.exporting); this name stays
for the dialogs that import it."""

from ui.actions.exporting import (
    FORCE_ADVICE,
    case_file,
    case_summary,
    fhir_bundle,
    value_case,
    workshop_pack,
)

__all__ = ["FORCE_ADVICE", "case_file", "case_summary", "fhir_bundle", "value_case", "workshop_pack"]
