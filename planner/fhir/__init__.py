"""HL7 FHIR R4 exchange: import a person's FHIR Bundle as a case, export a case as a FHIR Bundle.

Plain Python over parsed JSON (no Qt, no database). The mapping is documented in docs/FHIR.md.
"""

from __future__ import annotations

from planner.casefile import read_json_file
from planner.fhir.document import FhirImportError, is_fhir
from planner.fhir.exporter import dumps_fhir, export_fhir, write_fhir_file
from planner.fhir.importer import DEFAULT_YEARS, FhirImport, import_fhir, read_fhir_file
from planner.fhir.report import ImportReport, ImportWindow

__all__ = [
    "DEFAULT_YEARS",
    "FhirImport",
    "FhirImportError",
    "ImportReport",
    "ImportWindow",
    "dumps_fhir",
    "export_fhir",
    "import_fhir",
    "is_fhir",
    "read_fhir_file",
    "read_json_file",
    "write_fhir_file",
]
