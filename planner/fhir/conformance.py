"""The conformance resources a receiver loads to validate our FHIR exports: a StructureDefinition for
each of our extensions, and a CodeSystem and a ValueSet for each of our code systems.

Built from the same vocabulary the exporter writes (planner.fhir.vocabulary), the case file's
enumerations (its schema) and their plain-English labels, so a canonical URL in an export always
has its definition. The built package is kept in ``resources/fhir/`` (a test checks it is up to date)
and written out by ``pathway-planner fhir-package --out DIR``. docs/FHIR.md describes it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from html import escape
from importlib.resources import files
from typing import Any

from planner import __version__
from planner.fhir import vocabulary as v
from planner.reference import labels
from planner.validation import case_schema

PACKAGE_NAME = "pathway-planner.fhir"
FHIR_VERSION = "4.0.1"
_EXTENSION_BASE = "http://hl7.org/fhir/StructureDefinition/Extension"


@dataclass(frozen=True)
class CodeSystemDef:
    """One of our code systems: its name in the URLs, title, description, and its codes' source
    (a case-file enumeration and its labels, or fixed codes)."""

    name: str
    title: str
    description: str
    enumeration: tuple[str, ...] = ()
    labels: str = ""
    fixed: tuple[tuple[str, str], ...] = ()

    @property
    def url(self) -> str:
        return f"{v.CODE_SYSTEM}/{self.name}"

    @property
    def value_set(self) -> str:
        return f"{v.VALUE_SET}/{self.name}"

    def concepts(self) -> list[tuple[str, str]]:
        if self.fixed:
            return list(self.fixed)
        node: Any = case_schema()["$defs"]
        for key in self.enumeration:
            node = node[key] if key in node else node["properties"][key]
        known = labels(self.labels) if self.labels else {}
        return [(str(code), known.get(str(code), str(code).replace("_", " "))) for code in node["enum"]]


def _cs(name: str, title: str, enumeration: tuple[str, ...], label_key: str) -> CodeSystemDef:
    return CodeSystemDef(name, title, f"{title}: the case file's codes.", enumeration, label_key)


#: Every code system of ours, by name.
CODE_SYSTEMS: dict[str, CodeSystemDef] = {
    cs.name: cs
    for cs in (
        _cs("sector", "Sector of an organisation", ("organisation", "sector"), "sector"),
        _cs("step-kind", "Kind of step on a pathway", ("step", "kind"), "kind"),
        _cs("team-role", "Role of a team member", ("member", "role"), "role"),
        _cs("handoff-method", "How a handoff was made", ("handoff", "method"), "method"),
        _cs("living-situation", "Living situation", ("person", "living_situation"), "living_situation"),
        _cs("place-of-care", "Preferred place of care", ("person", "preferred_place_of_care"),
            "preferred_place_of_care"),
        _cs("frailty-scale", "Frailty scale", ("person", "frailty", "scale"), "frailty_scale"),
        _cs("consent-status", "Consent to share", ("person", "consent", "status"), "consent_status"),
        _cs("payment-model", "Payment model", ("organisation", "payment_model"), "payment_model"),
        _cs("regulator", "Regulator", ("organisation", "regulators", "items"), "regulator"),
        _cs("funding-term", "Funding term", ("organisation", "funding_term"), "funding_term"),
        _cs("cqc-rating", "CQC rating", ("organisation", "oversight", "cqc_rating"), "cqc_rating"),
        _cs("stage", "Stage of the pathway", ("step", "stage"), "stage"),
        _cs("setting", "Setting of a step", ("step", "setting"), "setting"),
        _cs("funding", "Funding of a step", ("step", "funding"), "funding"),
        _cs("delay-reason", "Reason for a delay", ("step", "delay_reason"), "delay_reason"),
        _cs("delay-attribution", "Attribution of a delay", ("step", "delay_attribution"),
            "delay_attribution"),
        _cs("assessment-domain", "Domain of an assessment", ("step", "assessment_domain"),
            "assessment_domain"),
        _cs("chc-status", "NHS Continuing Healthcare status", ("step", "chc_status"), "chc_status"),
        _cs("professional-register", "Professional register", ("member", "professional_register"),
            "professional_register"),
        CodeSystemDef(
            "goal-measure", "Goal measure", "What a goal's target measures (FHIR's gol-1 needs a measure).",
            fixed=(("outcome", "Measurable outcome"),),
        ),
        CodeSystemDef(
            "care-plan-category", "Care plan category", "The kind of care plan Pathway Planner writes.",
            fixed=(("shared-care-plan", "Shared care plan"),),
        ),
        CodeSystemDef(
            "handoff", "Handoff", "A handoff between two steps of a pathway, exported as a Task.",
            fixed=(("handoff", "Handoff"), ("method", "How the handoff was made")),
        ),
    )
}

#: (part name, FHIR type, maximum, code system name for a code) of each complex extension.
_Part = tuple[str, str, str, str | None]


@dataclass(frozen=True)
class ExtensionDef:
    url: str
    title: str
    description: str
    contexts: tuple[str, ...]
    parts: tuple[_Part, ...] = ()
    #: a simple extension's value type (no parts)
    value: str | None = None

    @property
    def id(self) -> str:
        return self.url.rsplit("/", 1)[-1]


EXTENSIONS: tuple[ExtensionDef, ...] = (
    ExtensionDef(
        v.PERSON_EXT, "Person details", "Case-file fields about the person that Patient has no element for.",
        ("Patient",),
        (
            ("living_situation", "code", "1", "living-situation"),
            ("preferred_place_of_care", "code", "1", "place-of-care"),
            ("what_matters", "string", "1", None),
            ("frailty_scale", "code", "1", "frailty-scale"),
            ("frailty_score", "decimal", "1", None),
            ("frailty_assessed_on", "date", "1", None),
            ("frailty_assessed_by", "string", "1", None),
            ("consent_status", "code", "1", "consent-status"),
            ("consent_scope", "string", "1", None),
            ("consent_recorded_on", "date", "1", None),
        ),
    ),
    ExtensionDef(
        v.ORGANISATION_EXT, "Organisation details",
        "How an organisation is paid, regulated and overseen (fields Organization has no element for).",
        ("Organization",),
        (
            ("payment_model", "code", "1", "payment-model"),
            ("regulator", "code", "*", "regulator"),
            ("no_regulator", "boolean", "1", None),
            ("cqc_registered", "boolean", "1", None),
            ("shared_record_access", "boolean", "1", None),
            ("funding_term", "code", "1", "funding-term"),
            ("cqc_rating", "code", "1", "cqc-rating"),
            ("financial_recovery", "boolean", "1", None),
            ("system_level_assessment", "boolean", "1", None),
        ),
    ),
    ExtensionDef(
        v.STEP_EXT, "Step details", "Case-file fields of a step that Encounter has no element for.",
        ("Encounter",),
        (
            ("stage", "code", "1", "stage"),
            ("setting", "code", "1", "setting"),
            ("funding", "code", "1", "funding"),
            ("ready_for_discharge", "date", "1", None),
            ("delay_reason", "code", "1", "delay-reason"),
            ("delay_attribution", "code", "1", "delay-attribution"),
            ("assessment_domain", "code", "1", "assessment-domain"),
            ("service_line", "string", "1", None),
            ("contract", "string", "1", None),
            ("chc_status", "code", "1", "chc-status"),
            ("permanent", "boolean", "1", None),
            ("notes", "string", "1", None),
        ),
    ),
    ExtensionDef(
        v.MEMBER_EXT, "Team member details",
        "A team member's role and register; on a care-team participant, a family carer's organisation.",
        ("Practitioner", "RelatedPerson", "CareTeam.participant"),
        (
            ("role", "code", "1", "team-role"),
            ("professional_register", "code", "1", "professional-register"),
            ("organisation", "Reference", "1", None),
        ),
    ),
    ExtensionDef(
        v.COORDINATION_REASON_EXT, "Coordination reason", "Why a care coordinator's period began.",
        ("CareTeam.participant",), value="string",
    ),
    ExtensionDef(
        v.PLAN_EXT, "Care plan details", "The shared care plan's version, review date and contingency plan.",
        ("CarePlan",),
        (
            ("version", "integer", "1", None),
            ("review_on", "date", "1", None),
            ("contingency", "string", "1", None),
        ),
    ),
    ExtensionDef(
        v.CASE_EXT, "Case details",
        "The case's title, and the team's annotations of findings and its record (sign-offs, agreed "
        "versions) as the case file's JSON, on the EpisodeOfCare that stands for the case.",
        ("EpisodeOfCare",),
        (
            ("title", "string", "1", None),
            ("annotations", "string", "1", None),
            ("team_record", "string", "1", None),
        ),
    ),
)


def _narrative(html: str) -> dict[str, str]:
    return {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{html}</div>'}


def _common(kind: str, ident: str, url: str, title: str, description: str) -> dict[str, Any]:
    return {
        "resourceType": kind,
        "id": ident,
        "text": _narrative(f"<p><b>{escape(title)}</b></p><p>{escape(description)}</p>"),
        "url": url,
        "version": __version__,
        "name": "".join(word.capitalize() for word in ident.replace("-", " ").split()),
        "title": title,
        "status": "active",
        "experimental": False,
        "publisher": "Pathway Planner",
        "description": description,
    }


def code_system(cs: CodeSystemDef) -> dict[str, Any]:
    concepts = cs.concepts()
    resource = _common("CodeSystem", cs.name, cs.url, cs.title, cs.description)
    rows = "".join(f"<tr><td>{escape(c)}</td><td>{escape(d)}</td></tr>" for c, d in concepts)
    resource["text"] = _narrative(
        f"<p><b>{escape(cs.title)}</b> ({escape(cs.url)})</p><table><tr><th>Code</th><th>Display</th></tr>"
        f"{rows}</table>"
    )
    resource.update(
        {
            "caseSensitive": True,
            "valueSet": cs.value_set,
            "content": "complete",
            "count": len(concepts),
            "concept": [{"code": code, "display": display} for code, display in concepts],
        }
    )
    return resource


def value_set(cs: CodeSystemDef) -> dict[str, Any]:
    resource = _common(
        "ValueSet", cs.name, cs.value_set, cs.title, f"Every code of {cs.url}."
    )
    resource["compose"] = {"include": [{"system": cs.url}]}
    return resource


def _value_element(path: str, kind: str, system: str | None) -> dict[str, Any]:
    element: dict[str, Any] = {"id": f"{path}.value[x]", "path": f"{path}.value[x]", "min": 1}
    element["type"] = [{"code": kind}]
    if kind == "Reference":
        element["type"] = [{"code": kind, "targetProfile": ["http://hl7.org/fhir/StructureDefinition/Organization"]}]
    if system is not None:
        element["binding"] = {"strength": "required", "valueSet": CODE_SYSTEMS[system].value_set}
    return element


def structure_definition(ext: ExtensionDef) -> dict[str, Any]:
    resource = _common("StructureDefinition", ext.id, ext.url, ext.title, ext.description)
    parts = "".join(f"<li>{escape(name)}: {escape(kind)}</li>" for name, kind, _max, _cs in ext.parts)
    resource["text"] = _narrative(
        f"<p><b>{escape(ext.title)}</b> ({escape(ext.url)}) on {escape(', '.join(ext.contexts))}</p>"
        f"<p>{escape(ext.description)}</p>" + (f"<ul>{parts}</ul>" if parts else "")
    )
    resource.update(
        {
            "fhirVersion": FHIR_VERSION,
            "kind": "complex-type",
            "abstract": False,
            "context": [{"type": "element", "expression": context} for context in ext.contexts],
            "type": "Extension",
            "baseDefinition": _EXTENSION_BASE,
            "derivation": "constraint",
        }
    )
    elements: list[dict[str, Any]] = [
        {"id": "Extension", "path": "Extension", "short": ext.title, "definition": ext.description}
    ]
    if ext.parts:
        elements.append(
            {
                "id": "Extension.extension",
                "path": "Extension.extension",
                "slicing": {"discriminator": [{"type": "value", "path": "url"}], "rules": "closed"},
            }
        )
        for name, kind, most, system in ext.parts:
            slice_id = f"Extension.extension:{name}"
            elements += [
                {
                    "id": slice_id,
                    "path": "Extension.extension",
                    "sliceName": name,
                    "short": name.replace("_", " "),
                    "min": 0,
                    "max": most,
                },
                {"id": f"{slice_id}.extension", "path": "Extension.extension.extension", "max": "0"},
                {"id": f"{slice_id}.url", "path": "Extension.extension.url", "fixedUri": name},
                _value_element(slice_id, kind, system),
            ]
        elements.append({"id": "Extension.value[x]", "path": "Extension.value[x]", "max": "0"})
    else:
        elements.append({"id": "Extension.extension", "path": "Extension.extension", "max": "0"})
    elements.append({"id": "Extension.url", "path": "Extension.url", "fixedUri": ext.url})
    if not ext.parts and ext.value:
        elements.append(
            {"id": "Extension.value[x]", "path": "Extension.value[x]", "min": 1,
             "type": [{"code": ext.value}]}
        )
    resource["differential"] = {"element": elements}
    return resource


def package_manifest() -> dict[str, Any]:
    return {
        "name": PACKAGE_NAME,
        "version": __version__,
        "canonical": v.BASE,
        "title": "Pathway Planner FHIR definitions",
        "description": "StructureDefinitions of Pathway Planner's extensions, and its CodeSystems and "
        "ValueSets, "
        "for validating its FHIR R4 exports.",
        "fhirVersions": [FHIR_VERSION],
        "dependencies": {"hl7.fhir.r4.core": FHIR_VERSION},
        "author": "Pathway Planner",
        "license": "CC0-1.0",
    }


def build_package() -> dict[str, dict[str, Any]]:
    """Every file of the package by name: package.json and one JSON file per resource."""
    package: dict[str, dict[str, Any]] = {"package.json": package_manifest()}
    for ext in EXTENSIONS:
        package[f"StructureDefinition-{ext.id}.json"] = structure_definition(ext)
    for cs in CODE_SYSTEMS.values():
        package[f"CodeSystem-{cs.name}.json"] = code_system(cs)
        package[f"ValueSet-{cs.name}.json"] = value_set(cs)
    return package


def dumps(resource: dict[str, Any]) -> str:
    return json.dumps(resource, indent=2, ensure_ascii=False) + "\n"


@cache
def shipped_package() -> dict[str, str]:
    """The package as shipped in ``resources/fhir/`` (file name -> text)."""
    folder = files("resources").joinpath("fhir")
    return {
        item.name: item.read_text(encoding="utf-8")
        for item in folder.iterdir()
        if item.name.endswith(".json")
    }


def definitions() -> dict[str, dict[str, Any]]:
    """The shipped resources by canonical URL (StructureDefinitions, CodeSystems and ValueSets)."""
    found: dict[str, dict[str, Any]] = {}
    for name, text in shipped_package().items():
        if name != "package.json":
            resource: dict[str, Any] = json.loads(text)
            found[resource["url"]] = resource
    return found


# regenerate resources/fhir/ from the vocabulary: python -m planner.fhir.conformance [DIR]
if __name__ == "__main__":
    import sys
    from pathlib import Path

    target = Path(sys.argv[1] if len(sys.argv) > 1 else "resources/fhir")
    target.mkdir(parents=True, exist_ok=True)
    for stale in target.glob("*.json"):
        stale.unlink()
    for file_name, content in build_package().items():
        (target / file_name).write_text(dumps(content), encoding="utf-8")
