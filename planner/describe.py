"""Plain-English descriptions of case objects, shared by the app's views and later outputs.

Every function returns text a person reads: labels from resources/, dates as "3 Feb 2024",
never a stored code.
"""

from __future__ import annotations

from datetime import date, datetime

from planner.dates import format_day
from planner.model import Case, Coordination, Member, Organisation, Person, Step, moment_key
from planner.nhs_number import format_nhs_number
from planner.reference import label, payment_model_of, regulators_of

CFS_BANDS = "cfs_level"


def frailty(person: Person) -> str:
    """"CFS 6: living with moderate frailty", or "" when not recorded."""
    record = person.frailty
    if record is None:
        return ""
    score = int(record.score) if float(record.score).is_integer() else record.score
    if record.scale == "CFS":
        return f"CFS {score}: {label(CFS_BANDS, str(score)).lower()}"
    band = ("fit" if record.score <= 0.12 else "mild frailty" if record.score <= 0.24
            else "moderate frailty" if record.score <= 0.36 else "severe frailty")
    return f"eFI {record.score:.2f}: {band}"


_PRONOUNS = {"female": ("she", "her", "her"), "male": ("he", "him", "his")}


def words(template: str, person: Person) -> str:
    """Fill {they}, {them}, {their} (and capitalised {They}, {Them}, {Their}) for this person,
    with {is} and {live} agreeing with {they}.

    From the recorded sex: "she/her/her", "he/him/his", else "they/them/their".
    """
    they, them, their = _PRONOUNS.get(person.sex or "", ("they", "them", "their"))
    singular = they != "they"
    return template.format(they=they, them=them, their=their, They=they.capitalize(),
                           Them=them.capitalize(), Their=their.capitalize(),
                           live="lives" if singular else "live",
                           **{"is": "is" if singular else "are"})  # "is" is a keyword


def age(person: Person, today: date | None = None) -> str:
    years = person.age_on(today or date.today())
    return "" if years is None else f"{years}"


def nhs_number(person: Person) -> str:
    return format_nhs_number(person.nhs_number) if person.nhs_number else ""


def regulators(org: Organisation) -> str:
    """"Care Quality Commission, NHS England", "None" for an explicit empty list."""
    codes = regulators_of(org)
    if not codes:
        return "None"
    return ", ".join(label("regulator_short", code) for code in codes)


def payment(org: Organisation) -> str:
    return label("payment_model", payment_model_of(org))


def inline(text: str) -> str:
    """A label as it reads inside a sentence: first letter lower-cased, unless it starts an
    acronym ("NHS Continuing Healthcare", "GP" stay as they are)."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def role(member: Member) -> str:
    """The role as it reads inside a sentence: "district nurse", "GP"."""
    return inline(label("role", member.role))


def member_line(member: Member, case: Case) -> str:
    """"Maeve O'Brien, district nurse (Torbay Community Health Services)"."""
    text = f"{member.name}, {role(member)}"
    org = case.organisation(member.organisation) if member.organisation else None
    return f"{text} ({org.name})" if org else text


def coordinator(case: Case) -> tuple[Member | None, Coordination | None]:
    """The current care coordinator and their period, or (None, None)."""
    period = case.current_coordinator()
    if period is None:
        return None, None
    return case.member(period.member), period


def owner(case: Case, owner_id: str | None) -> str:
    """An action owner: a team member's name and role, or an organisation's name."""
    if owner_id is None:
        return "No owner"
    member = case.member(owner_id)
    if member is not None:
        return f"{member.name} ({label('role', member.role)})"
    org = case.organisation(owner_id)
    return org.name if org else owner_id


ONGOING_KINDS = ("admission", "service", "placement")


def duration(step: Step) -> str:
    """How long a step lasted: "23 days", "4 h 40 min", "ongoing", or "" for a moment."""
    if step.end is None:
        return "ongoing" if step.kind in ONGOING_KINDS else ""
    span = moment_key(step.end) - moment_key(step.start)
    if isinstance(step.start, datetime) and isinstance(step.end, datetime) and span.days < 1:
        hours, minutes = divmod(span.seconds // 60, 60)
        return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
    days = (step.end_date - step.start_date).days if step.end_date else 0
    if days == 0:
        return ""
    return f"{days} day" if days == 1 else f"{days} days"


def step_period(step: Step) -> str:
    """"20 Jan 2024 – 12 Feb 2024 (23 days)" or a single day."""
    start = format_day(step.start)
    length = duration(step)
    if step.end is None or not length:
        return f"{start} ({length})" if length else start
    return f"{start} – {format_day(step.end)} ({length})"


def delay(step: Step) -> str:
    """"10 days delayed: awaiting a care package", or ""."""
    days = step.delayed_days
    if not days:
        return ""
    noun = "day" if days == 1 else "days"
    reason = inline(label("delay_reason", step.delay_reason)) if step.delay_reason else "no reason recorded"
    return f"{days} {noun} delayed: {reason}"


def step_name(step: Step, with_time: bool = False) -> str:
    """A step as people name it: "3 Feb 2024 · A&E: fall at home" (its kind when it has no label;
    "3 Feb 2024, 21:40 · ..." ``with_time`` when one is recorded)."""
    what = (step.label or "").strip() or label("kind", step.kind)
    return f"{format_day(step.start if with_time else step.start_date)} · {what}"


def steps_named(case: Case, step_ids: list[str], with_time: bool = False) -> list[str]:
    """The steps of a finding by name, in the order given ("a step no longer in the case" for an
    unknown id)."""
    by_id = {s.id: s for s in case.steps}
    return [step_name(by_id[i], with_time) if i in by_id else "a step no longer in the case"
            for i in step_ids]


def yes_no(value: bool | None, unknown: str = "Not recorded") -> str:
    if value is None:
        return unknown
    return "Yes" if value else "No"
