"""The FHIR vocabulary the import and export share: code systems, our own extensions, code maps.

Standard systems (HL7 terminology, SNOMED CT, NHS England identifiers) carry what FHIR can say;
Pathway Planner's own code systems and extensions, under :data:`BASE`, carry the case-file fields
that FHIR R4 has no element for, so that an exported bundle imports back unchanged. A receiver
that does not know them still reads standard FHIR. docs/FHIR.md lists every mapping.
"""

from __future__ import annotations

import re

#: Where Pathway Planner's own code systems and extensions are named. Not a resolvable address:
#: the names only need to be stable and unique (``.example`` is reserved, RFC 2606).
BASE = "https://pathway-planner.example/fhir"
EXTENSION = f"{BASE}/StructureDefinition"
CODE_SYSTEM = f"{BASE}/CodeSystem"

# -- our extensions (complex extensions; their parts are named by relative urls) ----------
PERSON_EXT = f"{EXTENSION}/person-details"
ORGANISATION_EXT = f"{EXTENSION}/organisation-details"
STEP_EXT = f"{EXTENSION}/step-details"
MEMBER_EXT = f"{EXTENSION}/team-member-details"
COORDINATION_REASON_EXT = f"{EXTENSION}/coordination-reason"
PLAN_EXT = f"{EXTENSION}/care-plan-details"
#: On the EpisodeOfCare (the case as an episode): the case's title.
CASE_EXT = f"{EXTENSION}/case-details"

# -- our code systems ------------------------------------------------------------------------
SECTOR_SYSTEM = f"{CODE_SYSTEM}/sector"
STEP_KIND_SYSTEM = f"{CODE_SYSTEM}/step-kind"
ROLE_SYSTEM = f"{CODE_SYSTEM}/team-role"
#: Goal.target.measure of a goal's measurable outcome (FHIR's gol-1: a target's detail needs a measure).
GOAL_MEASURE_SYSTEM = f"{CODE_SYSTEM}/goal-measure"
#: CarePlan.category of the case's shared care plan (an exported plan, read back as it was written).
PLAN_CATEGORY_SYSTEM = f"{CODE_SYSTEM}/care-plan-category"
#: Task.code of a handoff, and Task.input.type of its method.
HANDOFF_SYSTEM = f"{CODE_SYSTEM}/handoff"
#: How a handoff was made (the case file's handoff methods): Task.input.valueCodeableConcept.
HANDOFF_METHOD_SYSTEM = f"{CODE_SYSTEM}/handoff-method"
VALUE_SET = f"{BASE}/ValueSet"

# -- standard systems ------------------------------------------------------------------------
SNOMED = "http://snomed.info/sct"
NHS_NUMBER_SYSTEMS = frozenset(
    {
        "https://fhir.nhs.uk/Id/nhs-number",
        "http://fhir.nhs.uk/Id/nhs-number",
        "urn:oid:2.16.840.1.113883.2.1.4.1",  # the NHS number's OID, used in older messages
    }
)
NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
CQC_LOCATION_SYSTEM = f"{BASE}/Id/cqc-location-id"
CQC_PROVIDER_SYSTEM = f"{BASE}/Id/cqc-provider-id"
CHARITY_SYSTEM = f"{BASE}/Id/charity-number"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
ACT_PRIORITY = "http://terminology.hl7.org/CodeSystem/v3-ActPriority"
ORGANISATION_TYPE = "http://terminology.hl7.org/CodeSystem/organization-type"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"
ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
OBSERVATION_VALUE = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue"
#: The HL7 security label of a de-identified resource (v3 ObservationValue ANONYED, in the value set
#: SecurityIntegrityObservationValue): an anonymised export keeps no key back to the person (a fresh
#: random namespace each time).
ANONYMISED_LABEL = {"system": OBSERVATION_VALUE, "code": "ANONYED", "display": "anonymized"}

# -- UK Core (HL7 UK) -------------------------------------------------------------------------
UK_CORE = "https://fhir.hl7.org.uk/StructureDefinition"
UK_CORE_PROFILES = {
    kind: f"{UK_CORE}/UKCore-{kind}"
    for kind in (
        "Patient", "Organization", "Practitioner", "PractitionerRole", "RelatedPerson", "Encounter",
        "EpisodeOfCare", "CareTeam", "CarePlan", "Condition",
    )
}
NHS_NUMBER_VERIFICATION_EXT = f"{UK_CORE}/Extension-UKCore-NHSNumberVerificationStatus"
NHS_NUMBER_VERIFICATION_SYSTEM = "https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland"
#: The case does not say whether the NHS number was traced on the national demographics service.
NHS_NUMBER_NOT_TRACED = ("02", "Number present but not traced")

#: v3 RoleCode personal relationships for a family carer, by a word in their name or the case's
#: text ("Anne (daughter)"); FAMMEMB "family member" otherwise. Codes and displays as HL7 publishes them.
RELATIONSHIP_WORDS: list[tuple[re.Pattern[str], tuple[str, str]]] = [
    (re.compile(r"\bdaughter\b", re.I), ("DAUC", "daughter")),
    (re.compile(r"\bson\b", re.I), ("SONC", "son")),
    (re.compile(r"\bwife\b", re.I), ("WIFE", "wife")),
    (re.compile(r"\bhusband\b", re.I), ("HUSB", "husband")),
    (re.compile(r"\b(spouse|partner)\b", re.I), ("SPS", "spouse")),
    (re.compile(r"\bsister\b", re.I), ("SIS", "sister")),
    (re.compile(r"\bniece\b", re.I), ("NIECE", "niece")),
    (re.compile(r"\bnephew\b", re.I), ("NEPHEW", "nephew")),
    (re.compile(r"\bneighbou?r\b", re.I), ("NBOR", "neighbor")),
    (re.compile(r"\bfriend\b", re.I), ("FRND", "unrelated friend")),
]
FAMILY_MEMBER = ("FAMMEMB", "family member")

#: SNOMED CT 768820003 |Care coordinator (occupation)|: the care-coordinator role in a CareTeam.
CARE_COORDINATOR = "768820003"
CARE_COORDINATOR_DISPLAY = "Care coordinator"

# -- Encounter.class (v3 ActCode) -> (kind, stage, setting) ---------------------------------
#: A setting of None is decided from the organisation's sector (see mapping.AMBULATORY_SETTING).
ENCOUNTER_CLASS: dict[str, tuple[str, str, str | None]] = {
    "IMP": ("admission", "crisis", "acute_ward"),
    "ACUTE": ("admission", "crisis", "acute_ward"),
    "NONAC": ("admission", "step_down", "community_hospital"),
    "EMER": ("attendance", "crisis", "emergency_department"),
    "OBSENC": ("attendance", "crisis", "emergency_department"),
    "SS": ("attendance", "at_home", None),
    "AMB": ("contact", "at_home", None),
    "PRENC": ("contact", "at_home", None),
    "HH": ("contact", "at_home", "home"),
    "VR": ("contact", "at_home", "phone"),
    "FLD": ("contact", "at_home", "community"),
}
INPATIENT_CLASSES = frozenset({"IMP", "ACUTE", "NONAC"})
EMERGENCY_CLASSES = frozenset({"EMER", "OBSENC"})
CLASS_WORDS = {
    "IMP": "inpatient",
    "ACUTE": "inpatient",
    "NONAC": "non-acute inpatient",
    "EMER": "emergency",
    "OBSENC": "observation",
    "SS": "short-stay",
    "AMB": "ambulatory",
    "PRENC": "pre-admission",
    "HH": "home health",
    "VR": "virtual",
    "FLD": "field",
}

#: v3 ActPriority codes that make an encounter an emergency (True) or planned (False).
PRIORITY_EMERGENCY = {"EM": True, "S": True, "UR": True, "A": True, "EL": False, "R": False}

# -- discharge disposition -> (kind, setting, words) ------------------------------------------
#: HL7 discharge-disposition codes.
DISPOSITION_HL7: dict[str, tuple[str, str | None, str]] = {
    "home": ("discharge", "home", "home"),
    "alt-home": ("discharge", "home", "an alternative home"),
    "other-hcf": ("transfer", "other", "another healthcare facility"),
    "hosp": ("discharge", "hospice", "a hospice"),
    "long": ("discharge", "care_home", "long-term care"),
    "aadvice": ("discharge", "home", "left against advice"),
    "exp": ("death", None, "died"),
    "psy": ("transfer", "other", "a psychiatric hospital"),
    "rehab": ("discharge", "intermediate_care", "rehabilitation"),
    "snf": ("discharge", "nursing_home", "a skilled nursing facility"),
    "oth": ("discharge", None, "other"),
}
#: NUBC patient discharge status codes (used by US data such as Synthea).
DISPOSITION_NUBC: dict[str, tuple[str, str | None, str]] = {
    "01": ("discharge", "home", "home or self care"),
    "02": ("transfer", "acute_ward", "another hospital"),
    "03": ("discharge", "nursing_home", "a skilled nursing facility"),
    "04": ("discharge", "intermediate_care", "an intermediate care facility"),
    "05": ("transfer", "other", "another institution"),
    "06": ("discharge", "home", "home with home health care"),
    "07": ("discharge", "home", "left against medical advice"),
    "20": ("death", None, "died"),
    "50": ("discharge", "home", "hospice care at home"),
    "51": ("discharge", "hospice", "a hospice"),
    "62": ("discharge", "intermediate_care", "an inpatient rehabilitation facility"),
    "63": ("transfer", "other", "a long-term care hospital"),
    "64": ("discharge", "nursing_home", "a nursing facility"),
    "65": ("transfer", "other", "a psychiatric hospital"),
    "70": ("transfer", "other", "another healthcare institution"),
}
DISPOSITION_SYSTEMS = {
    "http://terminology.hl7.org/CodeSystem/discharge-disposition": DISPOSITION_HL7,
    "http://www.nubc.org/patient-discharge": DISPOSITION_NUBC,
}
#: Words in a disposition's text, most specific first, when its code is not one of the above.
DISPOSITION_WORDS: list[tuple[re.Pattern[str], tuple[str, str | None, str]]] = [
    (re.compile(r"\b(died|death|expired|deceased)\b", re.I), ("death", None, "died")),
    (re.compile(r"nursing (home|facility)", re.I), ("discharge", "nursing_home", "a nursing home")),
    (re.compile(r"(care|residential) home", re.I), ("discharge", "care_home", "a care home")),
    (re.compile(r"hospice", re.I), ("discharge", "hospice", "a hospice")),
    (
        re.compile(r"rehab|intermediate care|reablement", re.I),
        ("discharge", "intermediate_care", "intermediate care"),
    ),
    (re.compile(r"hospital", re.I), ("transfer", "other", "another hospital")),
    (re.compile(r"\bhome\b|usual place of residence", re.I), ("discharge", "home", "home")),
]

# -- organisation type words -> sector (Organization.type text and displays, never the name) ---
SECTOR_WORDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"mental health|psychiatr", re.I), "mental_health"),
    (re.compile(r"hospice", re.I), "hospice"),
    (
        re.compile(r"community hospital|community (health|trust|services)|district nurs", re.I),
        "community_health",
    ),
    (re.compile(r"nursing home|care home|residential (home|care)", re.I), "care_home"),
    (re.compile(r"domiciliary|home ?care|home care agency", re.I), "domiciliary_care"),
    (re.compile(r"general practi|\bgp\b|primary care|family (medicine|practice)", re.I), "primary_care"),
    (re.compile(r"ambulance", re.I), "ambulance"),
    (re.compile(r"pharmac", re.I), "pharmacy"),
    (re.compile(r"social (care|services)|local authority|council", re.I), "local_authority"),
    (re.compile(r"charit|voluntary|community group|religious", re.I), "voluntary"),
    (re.compile(r"integrated care (system|board)|commissioning", re.I), "system"),
    (re.compile(r"hospital|acute|emergency department", re.I), "acute"),
]
#: HL7 organization-type codes that name a sector.
ORGANISATION_TYPE_SECTOR = {"cg": "voluntary", "reli": "voluntary"}
#: The HL7 organization-type code written for each sector on export.
SECTOR_ORGANISATION_TYPE = {
    "local_authority": "govt",
    "system": "govt",
    "voluntary": "cg",
    "informal": "other",
}
ORGANISATION_TYPE_DISPLAY = {
    "prov": "Healthcare Provider",
    "govt": "Government",
    "cg": "Community Group",
    "other": "Other",
}

#: Names that say an organisation is a hospital or a trust: check-ups there never make it a GP
#: practice (the name is never used to decide a sector, only to refuse this one guess).
HOSPITAL_NAME = re.compile(r"hospital|medical cent(er|re)|infirmary|\btrust\b|urgent care|\bnhs\b", re.I)
#: An NHS trust's ODS code (three characters starting R): never a GP practice.
TRUST_ODS_CODE = re.compile(r"^R[A-Z0-9]{2}$")

#: Encounter types that mark a routine check-up (general practice in England).
CHECK_UP_CODES = frozenset({"185349003", "162673000", "410620009"})
CHECK_UP_WORDS = re.compile(r"check[- ]?up|general examination|health check|wellness|annual review", re.I)

# -- team roles -------------------------------------------------------------------------------
#: SNOMED CT occupations written beside our own role code on export (only codes we are sure of).
ROLE_SNOMED = {
    "gp": ("62247001", "General practitioner"),
    "social_worker": ("106328005", "Social worker"),
    "occupational_therapist": ("80546007", "Occupational therapist"),
    "physiotherapist": ("36682004", "Physiotherapist"),
    "cardiologist": ("17561000", "Cardiologist"),
    "pharmacist": ("46255001", "Pharmacist"),
}
SNOMED_ROLE = {code: role for role, (code, _display) in ROLE_SNOMED.items()}
#: Words in a role's text or display, most specific first.
ROLE_WORDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"practice nurse", re.I), "practice_nurse"),
    (re.compile(r"district nurse|community nurse", re.I), "district_nurse"),
    (re.compile(r"community matron", re.I), "community_matron"),
    (re.compile(r"general (medical )?practi|\bgp\b|family (medicine|physician|doctor)", re.I), "gp"),
    (re.compile(r"social work", re.I), "social_worker"),
    (re.compile(r"occupational therap", re.I), "occupational_therapist"),
    (re.compile(r"physiotherap|physical therap", re.I), "physiotherapist"),
    (re.compile(r"home care|care worker|carer \(paid\)|domiciliary", re.I), "domiciliary_care_worker"),
    (re.compile(r"care home", re.I), "care_home_staff"),
    (re.compile(r"geriatric", re.I), "geriatrician"),
    (re.compile(r"diabet", re.I), "diabetologist"),
    (re.compile(r"cardiolog", re.I), "cardiologist"),
    (re.compile(r"pharmacist", re.I), "pharmacist"),
    (re.compile(r"care navigator|link worker", re.I), "care_navigator"),
    (re.compile(r"volunt|befriend", re.I), "voluntary_worker"),
    (
        re.compile(
            r"family|daughter|son\b|wife|husband|spouse|partner|friend|neighbour|informal carer", re.I
        ),
        "family_carer",
    ),
]
COORDINATOR_WORDS = re.compile(r"care co-?ordinator|care manager|key worker", re.I)

#: SNOMED CT semantic tags dropped from displays shown to people ("Stroke (disorder)" -> "Stroke").
SEMANTIC_TAG = re.compile(
    r"\s*\((disorder|finding|situation|procedure|occupation|qualifier value|"
    r"regime/therapy|observable entity|event|morphologic abnormality)\)\s*$",
    re.I,
)

# -- statuses ---------------------------------------------------------------------------------
GOAL_LIFECYCLE = {
    "proposed": "proposed",
    "planned": "proposed",
    "accepted": "active",
    "active": "active",
    "on-hold": "active",
    "completed": "achieved",
    "cancelled": "cancelled",
    "rejected": "cancelled",
}
GOAL_STATUS_EXPORT = {
    "proposed": ("proposed", None),
    "active": ("active", None),
    "achieved": ("completed", "achieved"),
    "not_achieved": ("completed", "not-achieved"),
    "cancelled": ("cancelled", None),
}
ACTIVITY_STATUS = {
    "not-started": "planned",
    "scheduled": "planned",
    "in-progress": "in_progress",
    "on-hold": "in_progress",
    "completed": "done",
    "cancelled": "cancelled",
    "stopped": "cancelled",
}
ACTION_STATUS_EXPORT = {
    "planned": "not-started",
    "in_progress": "in-progress",
    "done": "completed",
    "cancelled": "cancelled",
}
