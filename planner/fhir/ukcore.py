"""UK Core (HL7 UK's R4 profiles): the rules the export can check before it claims a profile in
``meta.profile``. A resource that breaks one is exported without the claim (plain R4).

Checked: the NHS number's identifier system, its ten digits and the shape of its UK Core
verification-status extension; the ODS code system and an ODS code's shape; identifiers with a
system and a value; the Patient, CareTeam, CarePlan and Encounter's subject being the Patient.
docs/FHIR.md cites the definitions these come from.
"""

from __future__ import annotations

import re
from typing import Any

from planner.fhir import vocabulary as v

_ODS_CODE = re.compile(r"^[A-Z0-9]{3,10}$")
#: NHS Number Status Indicator Code (UKCore-NHSNumberVerificationStatusEngland).
_VERIFICATION_CODES = frozenset(f"0{n}" for n in range(1, 9))
#: Elements that must refer to the Patient, by resource type.
_SUBJECT = {"Encounter": "subject", "CareTeam": "subject", "CarePlan": "subject", "Condition": "subject",
            "EpisodeOfCare": "patient", "RelatedPerson": "patient"}


def problems(resource: dict[str, Any], patient_url: str | None = None) -> list[str]:
    """What keeps a resource from its UK Core profile, in words; [] when none is found."""
    found: list[str] = []
    for identifier in resource.get("identifier") or []:
        system, value = identifier.get("system"), identifier.get("value")
        if not isinstance(system, str) or not isinstance(value, str) or not value:
            found.append("an identifier without a system and a value")
        elif system == v.NHS_NUMBER_SYSTEM:
            found += _nhs_number(identifier)
        elif system == v.ODS_SYSTEM and not _ODS_CODE.match(value):
            found.append(f"the ODS code {value!r} is not 3 to 10 capital letters and digits")
        elif system in v.NHS_NUMBER_SYSTEMS:
            found.append(f"the NHS number's system is {system}, not {v.NHS_NUMBER_SYSTEM}")
    element = _SUBJECT.get(str(resource.get("resourceType")))
    if element is not None and patient_url is not None:
        reference = resource.get(element)
        if not isinstance(reference, dict) or reference.get("reference") != patient_url:
            found.append(f"{element} is not the Patient")
    return found


def _nhs_number(identifier: dict[str, Any]) -> list[str]:
    found = []
    if not re.fullmatch(r"\d{10}", str(identifier.get("value"))):
        found.append("the NHS number is not ten digits")
    for extension in identifier.get("extension") or []:
        if extension.get("url") != v.NHS_NUMBER_VERIFICATION_EXT:
            continue
        codings = (extension.get("valueCodeableConcept") or {}).get("coding") or []
        if not any(
            c.get("system") == v.NHS_NUMBER_VERIFICATION_SYSTEM and c.get("code") in _VERIFICATION_CODES
            for c in codings
        ):
            found.append("the NHS number's verification status is not a UK Core code")
    return found
