"""FHIR R4 -> case: the team (Practitioner, PractitionerRole, RelatedPerson, CareTeam) and the
care coordinator (CareTeam roles, EpisodeOfCare.careManager)."""

from __future__ import annotations

from datetime import date
from typing import Any

from planner.dates import format_day
from planner.fhir import values as fv
from planner.fhir import vocabulary as v
from planner.fhir.document import Entry
from planner.fhir.mapping import _DOCTOR, MapperBase, _enum, _Member, _Period


class TeamMapper(MapperBase):
    # -- team and coordinator -------------------------------------------------------------
    def member(self, entry: Entry, display: str | None = None) -> _Member:
        """The team member a Practitioner, PractitionerRole or RelatedPerson stands for."""
        role_entry: Entry | None = None
        person = entry
        if entry.type == "PractitionerRole":
            role_entry = entry
            self.mark(entry)
            practitioner = self.doc.resolve(
                entry.resource.get("practitioner"), entry, "practitioner", ("Practitioner",)
            )
            if practitioner is None:
                shown = entry.resource.get("practitioner")
                display = (shown.get("display") if isinstance(shown, dict) else None) or display
                member = self.member_named(display)
                self.role_details(member, entry)
                return member
            person = practitioner
        known = self.members.get(id(person.resource))
        if known is not None:
            member = known
        else:
            self.mark(person)
            resource = person.resource
            name = (
                fv.human_name(resource.get("name"))
                or fv.string(display)
                or f"{person.type} {person.id or ''}".strip()
            )
            member = _Member(fv.limit(name, 200) or name, person.id)
            names = resource.get("name")
            prefixes = (
                [p for n in names if isinstance(n, dict) for p in (n.get("prefix") or [])]
                if isinstance(names, list)
                else []
            )
            member.doctor = any(isinstance(p, str) and _DOCTOR.match(p) for p in prefixes)
            member.contact = fv.limit(fv.telecom(resource.get("telecom")), 200)
            if person.type == "RelatedPerson":
                member.role = "family_carer"
            else:
                qualifications = [
                    q.get("code") for q in resource.get("qualification") or [] if isinstance(q, dict)
                ]
                member.role = self.role(qualifications)
            details = fv.extension(resource, v.MEMBER_EXT)
            if details:
                role = fv.one(details, "role")
                if role in _enum("member", "role"):
                    member.role = role
                register = fv.one(details, "professional_register")
                if register in _enum("member", "professional_register"):
                    member.register = register
            self.members[id(person.resource)] = member
        if role_entry is not None:
            self.role_details(member, role_entry)
        for practitioner_role in self.roles_of(person):
            self.role_details(member, practitioner_role)
        return member

    def roles_of(self, practitioner: Entry) -> list[Entry]:
        """PractitionerRoles in the file that point to this Practitioner (for the role and organisation)."""
        if practitioner.type != "Practitioner":
            return []
        found = []
        for entry in self.doc.of_type("PractitionerRole"):
            ref = entry.resource.get("practitioner")
            if isinstance(ref, dict) and isinstance(ref.get("reference"), str):
                target = self.doc.resolve(ref, entry, "practitioner", ("Practitioner",))
                if target is not None and target.resource is practitioner.resource:
                    found.append(entry)
        return found

    def role_details(self, member: _Member, entry: Entry) -> None:
        self.mark(entry)
        resource = entry.resource
        role = self.role(
            list(fv.concepts(resource.get("code"))) + list(fv.concepts(resource.get("specialty")))
        )
        if role and (member.role is None or member.role == "other"):
            member.role = role
        if member.organisation is None:
            org = self.doc.resolve(resource.get("organization"), entry, "organization", ("Organization",))
            if org is not None:
                member.organisation = self.org(org)
        if member.contact is None:
            member.contact = fv.limit(fv.telecom(resource.get("telecom")), 200)

    def member_named(self, display: str | None) -> _Member:
        """A team member known only by a reference's display."""
        name = fv.limit(fv.string(display), 200) or "Name not recorded"
        key = ("display", name.casefold())
        member = self.members.get(key)
        if member is None:
            member = self.members[key] = _Member(name)
            member.doctor = bool(_DOCTOR.match(name.split()[0])) if name.split() else False
        return member

    @staticmethod
    def role(concepts: list[Any]) -> str | None:
        """A team role from CodeableConcepts: our code, a known SNOMED CT occupation, or words."""
        roles = _enum("member", "role")
        for concept in concepts:
            for coding in fv.codings(concept):
                if coding.get("system") == v.ROLE_SYSTEM and coding.get("code") in roles:
                    return str(coding["code"])
        for concept in concepts:
            for coding in fv.codings(concept):
                if coding.get("system") == v.SNOMED and coding.get("code") in v.SNOMED_ROLE:
                    return v.SNOMED_ROLE[str(coding["code"])]
        words = fv.words(concepts)
        return next((role for pattern, role in v.ROLE_WORDS if pattern.search(words)), None)

    @staticmethod
    def is_coordinator(concept: Any) -> bool:
        return fv.has_code([concept], v.SNOMED, {v.CARE_COORDINATOR}) or bool(
            v.COORDINATOR_WORDS.search(fv.words([concept]))
        )

    def care_team(self, entry: Entry) -> None:
        if id(entry.resource) in self.teams_done:
            return
        self.teams_done.add(id(entry.resource))
        resource = entry.resource
        if resource.get("status") == "entered-in-error":
            self.skipped["care teams entered in error"] += 1
            return
        if not self.about_her(entry):
            self.skipped["care teams about someone else"] += 1
            return
        period = fv.obj(resource.get("period"))
        ended = fv.day(period.get("end"))
        if resource.get("status") != "active" and ended is not None and not self.in_window(ended):
            self.skipped["care teams that ended before the time window"] += 1
            return
        self.mark(entry)
        managers = [
            self.org(target)
            for index, ref in enumerate(resource.get("managingOrganization") or [])
            if (target := self.doc.resolve(ref, entry, f"managingOrganization[{index}]", ("Organization",)))
            is not None
        ]
        team_start = fv.day(period.get("start"))
        for index, participant in enumerate(resource.get("participant") or []):
            if not isinstance(participant, dict):
                continue
            element = f"participant[{index}]"
            ref = participant.get("member")
            target = self.doc.resolve(
                ref,
                entry,
                f"{element}.member",
                ("Practitioner", "PractitionerRole", "RelatedPerson", "Patient", "Organization", "CareTeam"),
            )
            roles = fv.concepts(participant.get("role"))
            if target is not None and target.type == "Patient":
                continue  # the person herself
            if target is not None and target.type == "Organization":
                self.org(target)
                continue
            if target is not None and target.type == "CareTeam":
                self.care_team(target)
                continue
            if target is None:
                display = ref.get("display") if isinstance(ref, dict) else None
                if not fv.string(display):
                    continue
                member = self.member_named(display)
            else:
                member = self.member(target, fv.obj(ref).get("display"))
            job = [r for r in roles if not self.is_coordinator(r)]
            role = self.role(job)
            if role and (member.role is None or member.role == "other"):
                member.role = role
            if len(job) < len(roles):
                span = fv.obj(participant.get("period"))
                start = fv.day(span.get("start")) or team_start
                reason = fv.extension(participant, v.COORDINATION_REASON_EXT)
                self.add_period(
                    member,
                    start,
                    fv.day(span.get("end")) or (ended if not span else None),
                    fv.string(fv.one(reason, "")),
                    f"care team “{fv.string(resource.get('name')) or entry.describe()}”",
                )
            behalf = self.doc.resolve(
                participant.get("onBehalfOf"), entry, f"{element}.onBehalfOf", ("Organization",)
            )
            org_ref = fv.extension(participant, v.MEMBER_EXT)
            if behalf is None and org_ref:
                behalf = self.doc.resolve(
                    fv.one(org_ref, "organisation"), entry, f"{element}.extension", ("Organization",)
                )
            if behalf is not None:
                member.organisation = member.organisation or self.org(behalf)
            elif member.organisation is None and len(managers) == 1:
                member.organisation = managers[0]
        self.teams_read += 1

    def add_period(
        self, member: _Member, start: date | None, end: date | None, reason: str | None, source: str
    ) -> None:
        if start is None:
            self.report.flag(
                f"{member.name} is named as care coordinator ({source}) without a start date: "
                "not recorded as coordinator; add the period on the Team tab."
            )
            return
        if end is not None and end < start:
            end = None
        self.periods.append(_Period(member, start, end, fv.limit(reason, 500), source))

    def episode(self, entry: Entry) -> None:
        resource = entry.resource
        if resource.get("status") in ("entered-in-error", "cancelled"):
            self.skipped["episodes of care cancelled or entered in error"] += 1
            return
        if not self.about_her(entry, "patient"):
            self.skipped["episodes of care about someone else"] += 1
            return
        period = fv.obj(resource.get("period"))
        end = fv.day(period.get("end"))
        if end is not None and not self.in_window(end):
            self.skipped["episodes of care that ended before the time window"] += 1
            return
        self.mark(entry)
        for index, ref in enumerate(resource.get("team") or []):
            team = self.doc.resolve(ref, entry, f"team[{index}]", ("CareTeam",))
            if team is not None:
                self.care_team(team)
        manager = resource.get("careManager")
        target = self.doc.resolve(manager, entry, "careManager", ("Practitioner", "PractitionerRole"))
        if target is None and not (isinstance(manager, dict) and fv.string(manager.get("display"))):
            return
        member = (
            self.member(target) if target is not None else self.member_named(fv.obj(manager).get("display"))
        )
        history = [h.get("period") for h in resource.get("statusHistory") or [] if isinstance(h, dict)]
        start = fv.day(period.get("start")) or next(
            (d for d in (fv.day(p.get("start")) for p in history if isinstance(p, dict)) if d), None
        )
        kind = next((t for t in (fv.concept_text(c) for c in fv.concepts(resource.get("type"))) if t), None)
        reason = f"Care manager of the episode of care{f' ({kind})' if kind else ''}"
        self.add_period(member, start, end, reason, f"episode of care {entry.describe()}")

    def coordination(self) -> None:
        """Coordinator periods: from care teams first; an episode's care manager only for someone the
        care teams do not name. Overlaps are closed where the next period begins (flagged)."""
        from_teams = {id(p.member) for p in self.periods if p.source.startswith("care team")}
        periods = [
            p for p in self.periods if p.source.startswith("care team") or id(p.member) not in from_teams
        ]
        kept: list[_Period] = []
        for period in periods:
            if period.end is not None and not self.in_window(period.end):
                self.skipped["coordinator periods that ended before the time window"] += 1
                continue
            if any(
                k.member is period.member and k.start == period.start and k.end == period.end
                and k.reason == period.reason for k in kept
            ):
                continue  # the same period named twice (two care teams); one with its own reason stays
            kept.append(period)
        kept.sort(key=lambda p: (p.start, p.end or date.max))
        result: list[_Period] = []
        for period in kept:
            last = result[-1] if result else None
            if last is not None and (last.end is None or last.end > period.start):
                if last.member is period.member:
                    last.end = None if last.end is None or period.end is None else max(last.end, period.end)
                    continue
                self.report.flag(
                    f"Coordinator periods overlap in the FHIR data: {last.member.name}'s was closed "
                    f"on {format_day(period.start)}, when {period.member.name}'s began."
                )
                if last.start == period.start:
                    result.pop()
                else:
                    last.end = period.start
            result.append(period)
        for period in result:
            self.report.map(
                f"Care coordinator: {period.member.name} from {format_day(period.start)}"
                + (f" to {format_day(period.end)}" if period.end else "")
                + f" ({period.source})"
            )
        self.coordinators = result

