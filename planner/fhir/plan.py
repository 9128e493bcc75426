"""FHIR R4 -> case: the shared care plan (CarePlan, Goal, activities) and the conditions."""

from __future__ import annotations

from datetime import date
from typing import Any

from planner.fhir import values as fv
from planner.fhir import vocabulary as v
from planner.fhir.document import Entry
from planner.fhir.mapping import _Action, _Goal, _Member, _Org
from planner.fhir.pathway import PathwayMapper


class PlanMapper(PathwayMapper):
    # -- care plan ----------------------------------------------------------------------
    def care_plan(self) -> dict[str, Any] | None:
        plans: list[Entry] = []
        referenced: set[int] = set()
        for entry in self.doc.of_type("CarePlan"):
            for index, ref in enumerate(entry.resource.get("goal") or []):
                target = self.doc.resolve(ref, entry, f"goal[{index}]", ("Goal",))
                if target is not None:
                    referenced.add(id(target.resource))
            resource = entry.resource
            status = resource.get("status")
            if status in ("entered-in-error",):
                self.skipped["care plans entered in error"] += 1
                continue
            if not self.about_her(entry):
                self.skipped["care plans about someone else"] += 1
                continue
            period = fv.obj(resource.get("period"))
            last = fv.day(period.get("end")) or fv.day(resource.get("created")) or fv.day(period.get("start"))
            if status in ("completed", "revoked") and not self.in_window(last):
                self.skipped["care plans that ended before the time window"] += 1
                continue
            plans.append(entry)
        plan: dict[str, Any] = {}
        agreed: list[date] = []
        for entry in plans:
            self.plan_from(entry, plan, agreed)
        for entry in self.doc.of_type("Goal"):
            if id(entry.resource) not in referenced:
                self.standalone_goal(entry)
        if not plans and not self.goals:
            return None
        if agreed and "agreed_on" not in plan:
            plan["agreed_on"] = max(agreed).isoformat()
        if plans:
            self.report.map(
                f"CarePlan ×{len(plans)} → one shared care plan: {len(self.goals)} goal"
                f"{'s' if len(self.goals) != 1 else ''}, {len(self.actions)} action"
                f"{'s' if len(self.actions) != 1 else ''}"
            )
        ours = any(fv.code_in(e.resource.get("category"), v.PLAN_CATEGORY_SYSTEM) for e in plans)
        if self.goals and not ours:
            self.report.flag(
                "The goals come from clinical records: check them with the person and put them in "
                "the person's own words."
            )
        elif not self.goals and plans:
            self.report.flag("The care plans carry no goals: add the person's goals, in their own words.")
        unowned = sum(1 for a in self.actions if a.owner is None)
        if unowned:
            self.report.flag(
                f"{unowned} action{'s have' if unowned != 1 else ' has'} no owner in the FHIR data: "
                "give each one an owner on the Care plan tab."
            )
        return plan

    def plan_from(self, entry: Entry, plan: dict[str, Any], agreed: list[date]) -> None:
        resource = entry.resource
        self.mark(entry)
        for index, ref in enumerate(resource.get("careTeam") or []):
            team = self.doc.resolve(ref, entry, f"careTeam[{index}]", ("CareTeam",))
            if team is not None:
                self.care_team(team)
        goals: list[_Goal] = []
        for index, ref in enumerate(resource.get("goal") or []):
            target = self.doc.resolve(ref, entry, f"goal[{index}]", ("Goal",))
            goal = self.goal(target) if target is not None else None
            if goal is not None:
                goals.append(goal)
        ours = fv.code_in(resource.get("category"), v.PLAN_CATEGORY_SYSTEM) == "shared-care-plan"
        seen = {(a.data["description"].casefold(), id(a.goal)) for a in self.actions}
        for index, activity in enumerate(resource.get("activity") or []):
            if not isinstance(activity, dict):
                continue
            action = self.action(entry, activity, f"activity[{index}]", [] if ours else goals)
            if action is None:
                continue
            key = (action.data["description"].casefold(), id(action.goal))
            if key in seen and not ours:
                self.skipped["repeated care plan activities (the same action for the same goal)"] += 1
                continue
            seen.add(key)
            self.actions.append(action)
        for index, ref in enumerate(resource.get("contributor") or []):
            target = self.doc.resolve(
                ref,
                entry,
                f"contributor[{index}]",
                (
                    "Patient",
                    "Practitioner",
                    "PractitionerRole",
                    "Device",
                    "RelatedPerson",
                    "Organization",
                    "CareTeam",
                ),
            )
            if target is not None and target.type in ("Practitioner", "PractitionerRole", "RelatedPerson"):
                member = self.member(target)
                if member not in self.signed:
                    self.signed.append(member)
        created = fv.day(resource.get("created"))
        period = fv.obj(resource.get("period"))
        when = created or fv.day(period.get("start"))
        if when:
            agreed.append(when)
        details = fv.extension(resource, v.PLAN_EXT)
        if details:
            version = fv.one(details, "version")
            if isinstance(version, int) and not isinstance(version, bool) and version >= 1:
                plan["version"] = version
            if created:
                plan["agreed_on"] = created.isoformat()
            review = fv.day(fv.one(details, "review_on"))
            if review and (created is None or review >= created):
                plan["review_on"] = review.isoformat()
            contingency = fv.one(details, "contingency")
            if isinstance(contingency, str) and contingency.strip():
                plan["contingency"] = fv.limit(contingency, 10000)

    def goal(self, entry: Entry) -> _Goal | None:
        found = self.goals.get(id(entry.resource))
        if found is not None:
            return found
        resource = entry.resource
        lifecycle = resource.get("lifecycleStatus")
        if lifecycle == "entered-in-error":
            self.skipped["goals entered in error"] += 1
            return None
        if not self.about_her(entry):
            self.skipped["goals about someone else"] += 1
            return None
        words = fv.limit(fv.concept_text(resource.get("description")), 1000)
        if not words:
            self.skipped["goals without a description"] += 1
            return None
        self.mark(entry)
        data: dict[str, Any] = {"in_my_words": words}
        outcomes, due = [], None
        for target in resource.get("target") or []:
            if not isinstance(target, dict):
                continue
            ours = fv.code_in(target.get("measure"), v.GOAL_MEASURE_SYSTEM) == "outcome"
            measure = None if ours else fv.concept_text(target.get("measure"))
            detail = self.target_detail(target)
            outcomes.append(f"{measure}: {detail}" if measure and detail else measure or detail)
            due = due or fv.day(target.get("dueDate"))
        outcome = "; ".join(o for o in outcomes if o)
        if outcome:
            data["outcome"] = fv.limit(outcome, 1000)
        if due:
            data["target_date"] = due.isoformat()
        achievement = fv.code_in(resource.get("achievementStatus"), v.GOAL_ACHIEVEMENT)
        status = v.GOAL_LIFECYCLE.get(str(lifecycle))
        if status == "achieved" and achievement in ("not-achieved", "no-progress", "worsening"):
            status = "not_achieved"
        if status:
            data["status"] = status
        goal = self.goals[id(entry.resource)] = _Goal(data, entry.id)
        return goal

    @staticmethod
    def target_detail(target: dict[str, Any]) -> str | None:
        quantity = target.get("detailQuantity")
        if isinstance(quantity, dict) and quantity.get("value") is not None:
            unit = fv.string(quantity.get("unit")) or fv.string(quantity.get("code")) or ""
            return f"{quantity.get('comparator', '')}{quantity['value']} {unit}".strip()
        span = target.get("detailRange")
        if isinstance(span, dict):
            low, high = fv.obj(span.get("low")), fv.obj(span.get("high"))
            unit = fv.string(high.get("unit")) or fv.string(low.get("unit")) or ""
            if low.get("value") is not None and high.get("value") is not None:
                return f"{low['value']}–{high['value']} {unit}".strip()
        text = fv.string(target.get("detailString"))
        if text:
            return text
        concept = fv.concept_text(target.get("detailCodeableConcept"))
        if concept:
            return concept
        if isinstance(target.get("detailBoolean"), bool):
            return "yes" if target["detailBoolean"] else "no"
        if isinstance(target.get("detailInteger"), int):
            return str(target["detailInteger"])
        return None

    def standalone_goal(self, entry: Entry) -> None:
        """A Goal no care plan names: a goal of the shared plan while it is current."""
        resource = entry.resource
        lifecycle = resource.get("lifecycleStatus")
        last = fv.day(resource.get("statusDate")) or fv.day(resource.get("startDate"))
        if lifecycle in ("completed", "cancelled", "rejected") and not self.in_window(last):
            self.skipped["goals that ended before the time window"] += 1
            return
        if self.goal(entry) is not None:
            self.report.map(f"Goal {entry.describe()} (in no care plan) → a goal of the shared care plan")

    def action(
        self, plan: Entry, activity: dict[str, Any], element: str, goals: list[_Goal]
    ) -> _Action | None:
        detail = fv.obj(activity.get("detail"))
        reference = activity.get("reference")
        description = (
            fv.string(detail.get("description"))
            or fv.concept_text(detail.get("code"))
            or (fv.clean(reference.get("display")) if isinstance(reference, dict) else None)
        )
        if not description:
            self.skipped["care plan activities without a description"] += 1
            return None
        data: dict[str, Any] = {"description": fv.limit(description, 1000)}
        status = v.ACTIVITY_STATUS.get(str(detail.get("status")))
        if status:
            data["status"] = status
        goal: _Goal | None = None
        for index, ref in enumerate(detail.get("goal") or []):
            target = self.doc.resolve(ref, plan, f"{element}.detail.goal[{index}]", ("Goal",))
            goal = self.goal(target) if target is not None else None
            if goal is not None:
                break
        if goal is None and len(goals) == 1:
            goal = goals[0]
        owner: _Member | _Org | None = None
        for index, ref in enumerate(detail.get("performer") or []):
            target = self.doc.resolve(
                ref,
                plan,
                f"{element}.detail.performer[{index}]",
                (
                    "Practitioner",
                    "PractitionerRole",
                    "Organization",
                    "RelatedPerson",
                    "Patient",
                    "CareTeam",
                    "HealthcareService",
                    "Device",
                ),
            )
            if target is not None and target.type == "Organization":
                owner = self.org(target)
                owner.needed = True
            elif target is not None and target.type in ("Practitioner", "PractitionerRole", "RelatedPerson"):
                owner = self.member(target)
            elif target is None and isinstance(ref, dict) and fv.string(ref.get("display")):
                owner = self.member_named(ref.get("display"))
            if owner is not None:
                break
        timing = detail.get("scheduledTiming")
        if isinstance(timing, dict):
            frequency = fv.concept_text(timing.get("code"))
            if frequency:
                data["frequency"] = fv.limit(frequency, 100)
            repeat = fv.obj(timing.get("repeat"))
            bounds = fv.obj(repeat.get("boundsPeriod"))
            if fv.day(bounds.get("end")):
                data["due"] = fv.day(bounds.get("end")).isoformat()  # type: ignore[union-attr]
        period = detail.get("scheduledPeriod")
        if isinstance(period, dict) and fv.day(period.get("end")):
            data["due"] = fv.day(period.get("end")).isoformat()  # type: ignore[union-attr]
        scheduled = fv.string(detail.get("scheduledString"))
        if scheduled:
            when = fv.day(scheduled)
            if when:
                data["due"] = when.isoformat()
            else:
                data["frequency"] = fv.limit(scheduled, 100)
        ident = activity.get("id")
        return _Action(data, ident if isinstance(ident, str) else None, goal, owner)

    # -- conditions ---------------------------------------------------------------------
    def conditions(self) -> list[str]:
        found: list[str] = []
        for entry in self.doc.of_type("Condition"):
            resource = entry.resource
            verification = fv.code_in(
                resource.get("verificationStatus"),
                "http://terminology.hl7.org/CodeSystem/condition-ver-status",
            )
            if verification in ("entered-in-error", "refuted"):
                self.skipped[f"conditions {verification.replace('-', ' ')}"] += 1
                continue
            if not self.about_her(entry):
                self.skipped["conditions about someone else"] += 1
                continue
            clinical = fv.code_in(resource.get("clinicalStatus"), v.CONDITION_CLINICAL)
            if clinical in ("inactive", "remission", "resolved"):
                self.skipped["conditions no longer active (resolved, inactive or in remission)"] += 1
                self.mark(entry)
                continue
            text = fv.limit(fv.concept_text(resource.get("code")), 200)
            if not text:
                self.skipped["conditions without a name"] += 1
                continue
            self.mark(entry)
            if text not in found:
                found.append(text)
        if found:
            self.report.map(
                f"Condition → {len(found)} long-term condition{'s' if len(found) != 1 else ''}: "
                + ", ".join(found[:8])
                + (", …" if len(found) > 8 else "")
            )
        return found

