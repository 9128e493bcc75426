"""FHIR R4 -> case: the pathway (Encounter -> steps, inside the time window, with discharges) and
each organisation's sector once everything is read."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

from planner.dates import format_day, format_iso
from planner.fhir import values as fv
from planner.fhir import vocabulary as v
from planner.fhir.document import Entry
from planner.fhir.mapping import (
    ADMISSION_SETTING,
    AMBULATORY_SETTING,
    UNKNOWN_SECTOR,
    _enum,
    _Org,
    _Step,
    _Visit,
)
from planner.fhir.report import ImportWindow
from planner.fhir.team import TeamMapper
from planner.model import moment_date, moment_key
from planner.reference import label


class PathwayMapper(TeamMapper):
    # -- the pathway: encounters ----------------------------------------------------------
    def visit(self, entry: Entry) -> _Visit | None:
        resource = entry.resource
        status = resource.get("status")
        if status in ("entered-in-error", "cancelled"):
            self.skipped[f"encounters {status.replace('-', ' ')}"] += 1
            return None
        if not self.about_her(entry):
            self.skipped["encounters about someone else"] += 1
            return None
        period = fv.obj(resource.get("period"))
        start = fv.when(period.get("start"))
        if start is None:
            self.skipped["encounters without a start date"] += 1
            return None
        end = fv.when(period.get("end"), end=True)
        if end is not None and moment_key(end) < moment_key(start):
            self.report.flag(
                f"{entry.describe()} is invalid: it ends ({period.get('end')}) before it starts "
                f"({period.get('start')}). Its end was left out; check the step."
            )
            end = None
        cls = resource.get("class")
        code = cls.get("code") if isinstance(cls, dict) else None
        provider = resource.get("serviceProvider")
        org = self.org_reference(provider, entry, "serviceProvider") or self.org_named(None)
        ours = fv.code_in(resource.get("type"), v.STEP_KIND_SYSTEM) in _enum("step", "kind")
        if isinstance(code, str):
            org.classes[code] += 1
        types = resource.get("type")
        if fv.has_code(types, v.SNOMED, v.CHECK_UP_CODES) or v.CHECK_UP_WORDS.search(fv.words(types)):
            org.check_ups += 1
        self.mark(entry)
        return _Visit(entry, start, end, code if isinstance(code, str) else None, org, ours)

    def window(self, visits: list[_Visit]) -> None:
        latest = max((moment_date(vis.start) for vis in visits), default=None)
        if self.since is not None:
            start: date | None = self.since
            rule = f"from {format_day(self.since)}, as asked"
        elif not self.years:
            start, rule = None, "the whole history, as asked"
        elif visits and all(vis.ours for vis in visits):
            start, rule = None, "the whole history: the file is a case exported by Pathway Planner"
        elif latest is None:
            start, rule = None, "no encounters"
        else:
            start = fv.years_before(latest, self.years)
            rule = (
                f"the {self.years} year{'s' if self.years != 1 else ''} before the latest encounter, "
                f"{format_day(latest)}"
            )
        self.window_start = start
        self.report.window = ImportWindow(start, latest, rule)

    def pathway(self, visits: list[_Visit]) -> None:
        kept = [vis for vis in visits if self.in_window(vis.start, vis.end)]
        left_out = len(visits) - len(kept)
        if left_out and visits and all(vis.ours for vis in visits):
            self.report.flag(
                f"{left_out} step{'s' if left_out != 1 else ''} of this Pathway Planner export "
                f"{'were' if left_out != 1 else 'was'} left out by the time window you chose: import "
                "it again without a window to keep the whole case."
            )
        self.report.left_out_encounters = left_out
        if left_out:
            assert self.window_start is not None
            self.report.skip(
                f"{left_out:,} encounter{'s' if left_out != 1 else ''} before "
                f"{format_day(self.window_start)}: older history, left out of the pathway "
                "(choose a longer time window to include them)"
            )
        emergencies = [vis for vis in visits if vis.cls in v.EMERGENCY_CLASSES]
        unknown_classes: Counter[str] = Counter()
        for order, vis in enumerate(sorted(kept, key=lambda x: moment_key(x.start))):
            step = self.step(vis, emergencies, unknown_classes)
            key = id(vis.entry.resource)
            self.steps.append(_Step(step, vis.org, order * 2, vis.entry.id, vis.ours, key=key))
            vis.org.needed = True
            if not vis.ours and step["kind"] == "admission":
                self.discharge(vis, step, order * 2 + 1)
        for code, count in unknown_classes.items():
            self.report.flag(
                f"{count} encounter{'s' if count != 1 else ''} of class “{code}”, which the import "
                "does not know: recorded as contacts; check their kind."
            )
        kinds = Counter(s.data["kind"] for s in self.steps)
        if self.steps:
            listing = ", ".join(
                f"{count} {label('kind', kind).lower()}{'s' if count != 1 else ''}"
                for kind, count in kinds.most_common()
            )
            self.report.map(f"Encounter ×{len(kept)} → {len(self.steps)} steps ({listing})")

    @staticmethod
    def not_a_practice(org: _Org) -> str:
        """Why an organisation cannot be a GP practice whatever its encounters ("" when it can)."""
        ods = (org.data.get("codes") or {}).get("ods")
        if isinstance(ods, str) and v.TRUST_ODS_CODE.match(ods):
            return f"an NHS trust (ODS code {ods})"
        if v.HOSPITAL_NAME.search(org.name):
            return "named as a hospital or trust"
        return ""

    def step(self, vis: _Visit, emergencies: list[_Visit], unknown: Counter[str]) -> dict[str, Any]:
        resource = vis.entry.resource
        types = resource.get("type")
        step: dict[str, Any]
        if vis.ours:
            step = {"kind": fv.code_in(types, v.STEP_KIND_SYSTEM)}
        else:
            if vis.cls is not None and vis.cls not in v.ENCOUNTER_CLASS:
                unknown[vis.cls] += 1
            kind, stage, setting = v.ENCOUNTER_CLASS.get(vis.cls or "", ("contact", "at_home", None))
            step = {"kind": kind, "stage": stage}
            if setting:
                step["setting"] = setting
        step["start"] = format_iso(vis.start)
        if vis.end is not None:
            step["end"] = format_iso(vis.end)
        text = next((t for t in (fv.concept_text(c) for c in fv.concepts(types)) if t), None)
        if not vis.ours:
            reasons = [fv.concept_text(c) for c in fv.concepts(resource.get("reasonCode"))]
            reasons += [
                fv.clean(r.get("display"))
                for r in resource.get("reasonReference") or []
                if isinstance(r, dict)
            ]
            reason = next((r for r in reasons if r), None)
            if reason and (text is None or reason.casefold() not in text.casefold()):
                text = f"{text}: {reason}" if text else reason
        if text:
            step["label"] = fv.limit(text, 300)
        emergency = self.emergency(vis, emergencies)
        if emergency is not None:
            step["emergency"] = emergency
        if vis.ours:
            self.step_details(resource, step)
        return step

    def emergency(self, vis: _Visit, emergencies: list[_Visit]) -> bool | None:
        resource = vis.entry.resource
        priority = fv.code_in(resource.get("priority"), v.ACT_PRIORITY)
        if priority in v.PRIORITY_EMERGENCY:
            return v.PRIORITY_EMERGENCY[priority]
        if vis.ours:
            return None
        if vis.cls in v.EMERGENCY_CLASSES:
            return True
        hospitalization = resource.get("hospitalization")
        admit = hospitalization.get("admitSource") if isinstance(hospitalization, dict) else None
        if fv.code_in(admit, "http://terminology.hl7.org/CodeSystem/admit-source") == "emd":
            return True
        if vis.cls in v.INPATIENT_CLASSES:
            start = moment_key(vis.start)
            for emer in emergencies:
                gap = start - moment_key(emer.start)
                if emer.org is vis.org and timedelta(0) <= gap <= timedelta(hours=24):
                    return True
        return None

    def step_details(self, resource: dict[str, Any], step: dict[str, Any]) -> None:
        """Our step-details extension: stage, setting, funding, delay and the other case fields."""
        parts = fv.extension(resource, v.STEP_EXT)
        if not parts:
            return
        for key in (
            "stage",
            "setting",
            "funding",
            "delay_reason",
            "delay_attribution",
            "assessment_domain",
            "chc_status",
        ):
            code = fv.one(parts, key)
            if code in _enum("step", key):
                step[key] = code
        for key, size in (("service_line", 100), ("contract", 100), ("notes", 10000)):
            text = fv.string(fv.one(parts, key)) if key != "notes" else fv.one(parts, key)
            if isinstance(text, str) and text.strip():
                step[key] = fv.limit(text, size)
        if isinstance(fv.one(parts, "permanent"), bool):
            step["permanent"] = fv.one(parts, "permanent")
        ready = fv.day(fv.one(parts, "ready_for_discharge"))
        if ready is not None:
            start = fv.day(step["start"])
            end = fv.day(step.get("end"))
            if step["kind"] == "admission" and start and ready >= start and (end is None or ready <= end):
                step["ready_for_discharge"] = ready.isoformat()
            else:
                self.report.flag(
                    f"A ready-for-discharge date ({format_day(ready)}) outside its admission was left out."
                )

    def discharge(self, vis: _Visit, admission: dict[str, Any], order: int) -> None:
        """A discharge (or death, or transfer) step from an admission's discharge disposition."""
        hospitalization = vis.entry.resource.get("hospitalization")
        disposition = (
            hospitalization.get("dischargeDisposition") if isinstance(hospitalization, dict) else None
        )
        if not isinstance(disposition, dict):
            return
        found: tuple[str, str | None, str] | None = None
        for coding in fv.codings(disposition):
            table = v.DISPOSITION_SYSTEMS.get(str(coding.get("system")))
            if table and coding.get("code") in table:
                found = table[str(coding["code"])]
                break
            if coding.get("system") == v.SNOMED and coding.get("code") == "306689006":
                found = ("discharge", "home", "home")
                break
        text = fv.concept_text(disposition) or fv.words([disposition])
        if found is None:
            found = next((result for pattern, result in v.DISPOSITION_WORDS if pattern.search(text)), None)
        if found is None:
            found = ("discharge", None, text or "destination not recorded")
        if "end" not in admission:
            admission["notes"] = f"Discharge disposition: {text}"
            return
        kind, setting, words = found
        title = {"death": "Died", "transfer": f"Transferred to {words}"}.get(kind, f"Discharged: {words}")
        step: dict[str, Any] = {
            "kind": kind,
            "stage": "step_down",
            "start": admission["end"],
            "label": fv.limit(title, 300),
        }
        if setting:
            step["setting"] = setting
        self.steps.append(_Step(step, vis.org, order))

    # -- sectors, settings and roles once everything is read ---------------------------------
    def sectors(self) -> None:
        unknown = []
        for org in self.orgs.values():
            if not org.needed:
                continue
            inpatient = sum(org.classes[c] for c in ("IMP", "ACUTE"))
            emergency = sum(org.classes[c] for c in v.EMERGENCY_CLASSES)
            if org.sector:
                pass
            elif org.registered_gp:
                org.sector, org.sector_reason = (
                    "primary_care",
                    "the registered GP practice (Patient.generalPractitioner)",
                )
            elif inpatient or emergency:
                org.sector = "acute"
                org.sector_reason = (
                    "inferred from "
                    + " and ".join(
                        f"{n} {what} encounter{'s' if n != 1 else ''}"
                        for n, what in ((inpatient, "inpatient"), (emergency, "emergency"))
                        if n
                    )
                    + " there"
                )
            elif org.classes["NONAC"] or org.classes["HH"]:
                org.sector = "community_health"
                org.sector_reason = "inferred from its non-acute inpatient or home health encounters"
            elif org.check_ups and self.not_a_practice(org):
                org.sector, org.sector_reason = UNKNOWN_SECTOR, "unknown"
                org.not_a_practice = self.not_a_practice(org)
                unknown.append(org)
            elif org.check_ups:
                org.sector = "primary_care"
                org.sector_reason = (
                    f"inferred from {org.check_ups} check-up encounter{'s' if org.check_ups != 1 else ''}"
                )
            else:
                org.sector, org.sector_reason = UNKNOWN_SECTOR, "unknown"
                unknown.append(org)
            if org.sector_reason != "unknown":
                self.report.map(
                    f"Organisation {org.name}: {label('sector', org.sector)} ({org.sector_reason})"
                )
        inferred = [o for o in self.orgs.values() if o.needed and o.sector_reason.startswith("inferred")]
        if inferred:
            listing = "; ".join(f"{o.name}: {label('sector', o.sector)}" for o in inferred)
            self.report.flag(
                f"Sectors inferred from how the encounters use an organisation ({listing}): check them on "
                "the Organisations tab."
            )
        for org in unknown:
            seen = (
                ", ".join(f"{n} {v.CLASS_WORDS.get(c, c)}" for c, n in org.classes.most_common())
                or "no encounters"
            )
            vetoed = (
                f" Its {org.check_ups} check-up encounter{'s' if org.check_ups != 1 else ''} did not make "
                f"it a GP practice: it is {org.not_a_practice}."
                if org.not_a_practice
                else ""
            )
            self.report.flag(
                f"Organisation {org.name}: sector unknown (the FHIR data does not say what kind of "
                f"organisation it is; {seen}).{vetoed} Placed under “{label('sector', UNKNOWN_SECTOR)}” "
                "for now: set its sector on the Organisations tab."
            )
        self.unknown_orgs = unknown
        for step in self.steps:
            data, sector = step.data, step.org.sector
            if step.ours or sector is None:
                continue
            if (
                data["kind"] == "admission"
                and data.get("setting") == "acute_ward"
                and sector in ADMISSION_SETTING
            ):
                data["setting"] = ADMISSION_SETTING[sector]
            elif (
                data["kind"] in ("contact", "attendance")
                and "setting" not in data
                and sector in AMBULATORY_SETTING
            ):
                data["setting"] = AMBULATORY_SETTING[sector]
        generic = 0
        for member in self.members.values():
            if (
                member.role is None
                and member.doctor
                and member.organisation is not None
                and member.organisation.sector == "primary_care"
            ):
                member.role = "gp"
            if member.role is None:
                member.role = "other"
                generic += 1
        if generic:
            self.report.flag(
                f"{generic} team member{'s' if generic != 1 else ''} with no role the app knows: "
                "recorded as “Other”; set each role on the Team tab."
            )

