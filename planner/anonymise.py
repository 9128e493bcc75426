"""De-identifying a case before it leaves the team: workshop PDFs and packs, FHIR exports.

Three entry points (and helpers for pseudonyms, age bands and relative days):

``anonymise_case(case, alias=None) -> Case``
    An anonymised deep copy; the original is never touched. The copy keeps what the rules read
    (the steps, organisations, regulators, funding, intervals and weekdays), so its findings and
    measures are the original's, but for one: without the NHS number, rule M08 reports it missing.
    :func:`anonymise` gives, with the copy, what it takes to show findings worked out on the
    original instead. What changes:

    * the person becomes a pseudonym (``"Mrs S"`` from the recorded sex and the surname's
      initial, or ``alias``); the NHS number, date of birth and postcode are removed, the age is
      kept only as a band (:func:`age_band`) in the note (see below), and the frailty assessor
      is dropped;
    * every date moves by the same whole number of weeks, so the first step falls in the first
      week of 2000: intervals and weekdays (which some rules read) are kept, the real calendar
      is not. Show dates relative to the first step (:func:`relative_day`);
    * team members appear by role only (the name becomes the role's label, the contact goes);
    * free-text notes on steps and handoffs are removed, and ``extensions`` (whose content is
      unknown) is replaced by the note;
    * ids become neutral (``step-1`` in time order, ``org-1``, ``member-1``, ``goal-1``,
      ``action-1``) with every reference kept, because a case file's ids are typed by people;
    * every other piece of text (the title, labels, conditions, what matters to her, the
      consent scope, organisation names, service lines, contracts, goals, actions, the
      contingency plan, coordinator reasons, annotation comments) goes through a
      :class:`Redactor`.

``anonymise(case, alias=None) -> Anonymised``
    The same copy, with the redactor and the map from the original's ids to the copy's, for
    outputs that work findings and measures out on the original and show them with the copy.

``Redactor``
    Redacts names and identifiers inside free text. :func:`redactor_for` makes the one that
    belongs to a case: the person's name (in full, by any part, with or without a title or
    initials, in any letter case, though a name that is also an everyday word, such as Hope or
    Day, only with a capital) becomes the pseudonym, a team member's name becomes their role
    in brackets (``"[district nurse]"``); NHS numbers, phone numbers, email addresses and
    postcodes become placeholders; dates become ``"day 12"`` counted from the first step, or
    ``"[date]"`` when far before it (a date of birth, say). :meth:`Redactor.dates_only` changes
    dates and nothing else, for text written from an already anonymised case (findings'
    evidence).

The copy carries a note, ``case.extensions["anonymised"]``, read back with :func:`anonymity`.
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from planner.model import Case, Moment, Person, moment_date
from planner.nhs_number import is_valid as is_valid_nhs_number
from planner.reference import label

#: The Monday of the week into which an anonymised case's first step is moved.
SHIFTED_EPOCH = date(2000, 1, 3)
#: No date of an anonymised copy is moved past the last day a case file may hold.
LATEST_SHIFTED = date(2100, 12, 31)
#: Dates in text earlier than this many days before the first step are removed, not counted.
OLDEST_RELATIVE_DAYS = 2 * 366
#: Ages at or above this are one band ("90 or over"), as population statistics top-code them.
TOP_AGE = 90

NOTE_KEY = "anonymised"

_TITLES = ("dr", "mrs", "mr", "ms", "miss", "mx", "prof", "professor", "sir", "dame", "rev", "revd",
           "lady", "lord")
#: Name particles never redacted on their own (they are redacted as part of the full name).
_PARTICLES = frozenset({"de", "la", "le", "da", "di", "du", "del", "della", "van", "von", "der", "den",
                        "ter", "ten", "al", "el", "bin", "ibn", "bint", "of", "the", "and", "st", "y",
                        "jr", "sr", *_TITLES})
_APOSTROPHES = "'’`"
#: Names that are also everyday words: on their own, redacted only when written with a capital.
_COMMON_WORDS = frozenset({
    "may", "june", "will", "hope", "grace", "faith", "joy", "rose", "dawn", "ray", "mark", "bill", "sue",
    "pat", "day", "page", "hill", "wood", "green", "brown", "white", "black", "young", "king", "bell",
    "hall", "reed", "park", "cook", "baker", "long", "little", "rich", "best", "stone", "moss", "marsh",
    "field", "wells", "lane", "cross", "good", "love", "north", "south", "west", "east", "short", "care",
    "home", "nurse", "walker", "ward", "well", "bath", "close", "hale", "hart", "fox", "lamb", "bird",
    "sky", "summer", "winter", "holly", "ivy", "iris", "amber", "ruby", "pearl", "hazel", "heather",
})


def pseudonym(person: Person, alias: str | None = None) -> str:
    """What the person is called in anonymised outputs: the alias if given, else a title from the
    recorded sex ("Mrs", "Mr", "Mx") and the initial of the surname: "Mrs S"."""
    if alias is not None and alias.strip():
        return " ".join(alias.split())
    title = {"female": "Mrs", "male": "Mr"}.get(person.sex or "", "Mx")
    parts = [p for p in _name_parts(person.name) if p.casefold() not in _PARTICLES and len(p) > 1]
    surname = parts[-1] if parts else ""
    return f"{title} {surname[:1].upper() or 'X'}"


def age_band(age: int | None) -> str:
    """A five-year band ("85–89"), "90 or over" at the top, "" when the age is not known."""
    if age is None or age < 0:
        return ""
    if age >= TOP_AGE:
        return f"{TOP_AGE} or over"
    low = age - age % 5
    return f"{low}–{low + 4}"


def relative_day(value: Moment | None, day_zero: date) -> str:
    """"day 12" counted from ``day_zero`` (negative before it), "" for None."""
    if value is None:
        return ""
    return f"day {(moment_date(value) - day_zero).days}"


def first_day(case: Case) -> date | None:
    """The date of the first step (day 0), or None for a case without steps."""
    return min((moment_date(s.start) for s in case.steps), default=None)


def last_day(case: Case) -> date | None:
    return max((moment_date(s.end or s.start) for s in case.steps), default=None)


# -- the redactor ----------------------------------------------------------------------------
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = (r"(?P<{g}>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_WEEKDAY = (r"(?:(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues|tue|wed|thurs|thur"
            r"|thu|fri|sat|sun)\.?,?\s+(?:the\s+)?)?")
_ORD = r"(?:st|nd|rd|th)?"
_DATE = re.compile(
    r"(?<![\w/.-])(?=[0-9A-Za-z])(?:"  # the look-ahead fails fast where no date can start
    r"(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})"
    r"|(?P<nd>\d{1,2})[/.](?P<nm>\d{1,2})[/.](?P<ny>\d{4}|\d{2})"
    rf"|{_WEEKDAY}(?P<td>\d{{1,2}}){_ORD}\s+(?:of\s+)?{_MONTH.format(g='tm')}(?:,?\s+(?P<ty>\d{{4}}))?"
    rf"|{_WEEKDAY}{_MONTH.format(g='um')}\s+(?P<ud>\d{{1,2}}){_ORD}(?:,?\s+(?P<uy>\d{{4}}))?"
    rf"|{_MONTH.format(g='vm')}\s+(?P<vy>\d{{4}})"
    r")(?![\w/])",
    re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_POSTCODE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}(?![A-Za-z0-9])")
#: Ten digits, contiguous or grouped 3-3-4 (an NHS number when its check digit holds).
_TEN_DIGITS = re.compile(r"(?<![\d])\d{3}[ -]?\d{3}[ -]?\d{4}(?![\d])")
_PHONE = re.compile(r"(?<![\w+])(?:\+44\s?(?:\(0\)\s?)?|0)\d(?:[ -]?\d){8,9}(?!\d)")
_LONG_NUMBER = re.compile(r"(?<!\d)\d(?:[ -]?\d){9,}(?!\d)")
_DIGIT = re.compile(r"\d")
_SENTINEL = ("\ue000", "\ue001")
_SENTINEL_BASE = 0xF0000
_SENTINELS = re.compile("\ue000(.)\ue001")
#: Redactions next to one another, with only spaces, hyphens or full stops between them.
_RUNS = re.compile("\ue000.\ue001(?:[\\s.\\-‐]+\ue000.\ue001)+")


def _name_parts(name: str) -> list[str]:
    """The words of a name: runs of letters (with apostrophes inside, as in O'Brien), so spaces,
    hyphens, initials' full stops and any other marks separate them."""
    return _WORD.findall(name)


_WORD = re.compile(r"[^\W\d_](?:(?:[^\W\d_]|['’`])*[^\W\d_])?")
_LETTERS = re.compile(r"[^\W\d_]+")


def _normal(text: str) -> str:
    for mark in _APOSTROPHES[1:]:
        text = text.replace(mark, "'")
    return " ".join(text.casefold().split())


def _pattern(variant: str) -> str:
    """A name variant as a regular expression: any spacing, any apostrophe."""
    words = []
    for word in variant.split():
        words.append("".join(f"[{_APOSTROPHES}]" if c in _APOSTROPHES else re.escape(c) for c in word))
    return r"\s+".join(words)


class Redactor:
    """Redacts names, identifiers and dates inside free text (see the module's docstring).

    ``people`` pairs each name to find with what replaces it; the first pair naming a variant
    wins (list the person before her team). ``day_zero`` turns dates into days counted from it;
    without it every date becomes "[date]". Calling the redactor on None gives None.
    """

    def __init__(self, people: Iterable[tuple[str, str]] = (), day_zero: date | None = None,
                 identifiers: bool = True) -> None:
        self.day_zero = day_zero
        self.identifiers = identifiers
        self._replacement: dict[str, str] = {}
        for name, replacement in people:
            for variant in self._variants(name):
                self._replacement.setdefault(_normal(variant), replacement)
        self._names: re.Pattern[str] | None = None
        #: Every word of every name: text with none of them is spared the names' expression.
        self._name_words = frozenset(w.casefold() for v in self._replacement for w in _LETTERS.findall(v))
        if self._replacement:
            variants = sorted(self._replacement, key=len, reverse=True)
            titles = "|".join(_TITLES)
            self._names = re.compile(
                rf"(?<!\w)(?:(?:{titles})\.?\s+)?(?:[^\W\d_]\.\s*)*"
                rf"(?P<core>{'|'.join(_pattern(v) for v in variants)})(?!\w)",
                re.IGNORECASE)

    @classmethod
    def dates_only(cls, day_zero: date | None) -> Redactor:
        """A redactor that changes dates (to days from ``day_zero``) and nothing else."""
        return cls((), day_zero, identifiers=False)

    @staticmethod
    def _variants(name: str) -> list[str]:
        parts = _name_parts(name)
        variants = [" ".join(name.split())] if name.strip() else []
        meaningful = [p for p in parts if p.casefold() not in _PARTICLES and len(p) >= 2]
        if len(parts) > 1:
            variants.append(" ".join(parts))
            if len(meaningful) > 1:
                variants.append(f"{meaningful[0]} {meaningful[-1]}")
        variants += meaningful
        return [v for v in variants if v]

    def __call__(self, text: str | None) -> str | None:
        if text is None:
            return None
        return self.text(text)

    def text(self, text: str) -> str:
        """``text`` redacted. What each pass puts in stands in as a private-use sentinel until
        the end, so no later pass can read it (a surname "Day" never eats "day 12")."""
        made: list[str] = []

        def keep(replacement: str) -> str:
            made.append(replacement)
            return f"{_SENTINEL[0]}{chr(_SENTINEL_BASE + len(made) - 1)}{_SENTINEL[1]}"

        digits = _DIGIT.search(text) is not None  # numbers, dates and postcodes all have one
        if self.identifiers:
            if "@" in text:
                text = _EMAIL.sub(lambda _m: keep("[email address]"), text)
            if digits:
                text = _TEN_DIGITS.sub(lambda m: keep(self._ten_digits(m)), text)
                text = _PHONE.sub(lambda _m: keep("[phone number]"), text)
                text = _LONG_NUMBER.sub(lambda _m: keep("[number]"), text)
        if digits:
            text = _DATE.sub(lambda m: keep(self._date(m)), text)
        if self.identifiers:
            if digits:
                text = _POSTCODE.sub(lambda _m: keep("[postcode]"), text)
            if self._names is not None and not self._name_words.isdisjoint(
                    word.casefold() for word in _LETTERS.findall(text)):
                text = self._names.sub(lambda m: keep(self._name(m)), text)
        if not made:
            return text

        def restored(match: re.Match[str]) -> str:
            return made[ord(match[1]) - _SENTINEL_BASE]

        def merged(run: re.Match[str]) -> str:
            """"Mrs S Mrs S-Mrs S" (a name written in parts) reads as one "Mrs S"."""
            found = {restored(m) for m in _SENTINELS.finditer(run[0])}
            return found.pop() if len(found) == 1 else _SENTINELS.sub(restored, run[0])

        return _SENTINELS.sub(restored, _RUNS.sub(merged, text))

    def _name(self, match: re.Match[str]) -> str:
        core = _normal(match["core"])
        if core in _COMMON_WORDS and not match["core"][:1].isupper():
            return match[0]  # the everyday word, not the name
        return self._replacement.get(core, "[name]")

    @staticmethod
    def _ten_digits(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match[0])
        if is_valid_nhs_number(digits):
            return "[NHS number]"
        return "[phone number]" if digits.startswith("0") else "[number]"

    def _date(self, match: re.Match[str]) -> str:
        found = _match_date(match, self.day_zero)
        if found is None:
            return match[0] if match["vm"] is None else "[date]"
        day, month_only = found
        if self.day_zero is None or (self.day_zero - day).days > OLDEST_RELATIVE_DAYS:
            return "[date]"
        if month_only:
            return "[date]"
        weekday = ""
        head = match[0].split()[0].rstrip(".,").casefold() if match[0][:1].isalpha() else ""
        if head[:3] in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
            weekday = f" (a {day.strftime('%A')})"
        return relative_day(day, self.day_zero) + weekday


def _month_number(text: str) -> int:
    return _MONTHS.index(text[:3].casefold()) + 1


def _match_date(match: re.Match[str], day_zero: date | None) -> tuple[date, bool] | None:
    """(the date a match names, whether it names only a month), or None if it is no real date."""
    try:
        if match["iy"]:
            return date(int(match["iy"]), int(match["im"]), int(match["id"])), False
        if match["ny"]:
            numeric = int(match["ny"])
            if numeric < 100:
                numeric += 2000 if numeric <= (day_zero.year % 100 if day_zero else 30) + 1 else 1900
            return date(numeric, int(match["nm"]), int(match["nd"])), False
        if match["vm"]:
            return date(int(match["vy"]), _month_number(match["vm"]), 1), True
        day, month, year = ((match["td"], match["tm"], match["ty"]) if match["tm"]
                            else (match["ud"], match["um"], match["uy"]))
        if year:
            return date(int(year), _month_number(month), int(day)), False
        return _nearest_year(int(day), _month_number(month), day_zero), False
    except ValueError:
        return None


def _nearest_year(day: int, month: int, day_zero: date | None) -> date:
    """A day and month without a year: the year that puts it nearest day zero (on or after it
    when it can), the way a note written during the pathway means it."""
    around = day_zero or date.today()
    candidates = []
    for year in (around.year - 1, around.year, around.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    if not candidates:
        raise ValueError("no such day")
    return min(candidates, key=lambda d: ((d - around).days < -31, abs((d - around).days)))


def redactor_for(case: Case, alias: str | None = None) -> Redactor:
    """The redactor for a case's own text: her names become her pseudonym, team members'
    names their role in brackets, dates days from the first step."""
    people = [(case.person.name, pseudonym(case.person, alias))]
    people += [(m.name, f"[{_role(m.role)}]") for m in case.team]
    return Redactor(people, first_day(case))


def _role(code: str) -> str:
    text = label("role", code)
    return text if len(text) > 1 and text[1].isupper() else text[:1].lower() + text[1:]


# -- the anonymised copy ---------------------------------------------------------------------
@dataclass(frozen=True)
class Anonymity:
    """What an anonymised copy says about itself (``case.extensions["anonymised"]``)."""

    pseudonym: str
    age_band: str
    #: The first step's date in the copy: show dates as days from it.
    day_zero: date | None


def anonymity(case: Case) -> Anonymity | None:
    """The note of an anonymised copy, or None for a case that has not been anonymised."""
    note = (case.extensions or {}).get(NOTE_KEY)
    if not isinstance(note, dict):
        return None
    zero = note.get("day_zero")
    return Anonymity(str(note.get("pseudonym", "")), str(note.get("age_band", "")),
                     date.fromisoformat(zero) if isinstance(zero, str) else None)


@dataclass(frozen=True)
class Anonymised:
    """An anonymised copy with what it takes to show things worked out on the original.

    Findings and measures are best worked out on the original case (removing the NHS number,
    for one, would make rule M08 fire): ``redact`` then words their text for the copy (names,
    identifiers, and dates as days from the first step), and ``ids`` maps the original's ids to
    the copy's, by kind (``"steps"``, ``"organisations"``, ``"members"``, ``"goals"``,
    ``"actions"``).
    """

    case: Case
    redact: Redactor
    ids: dict[str, dict[str, str]]

    def step(self, original_id: str) -> str:
        return self.ids["steps"].get(original_id, "step-unknown")

    def organisation(self, original_id: str) -> str:
        return self.ids["organisations"].get(original_id, "org-unknown")


def anonymise_case(case: Case, alias: str | None = None) -> Case:
    """An anonymised deep copy of ``case`` (see the module's docstring); the original is untouched."""
    return anonymise(case, alias).case


def anonymise(case: Case, alias: str | None = None) -> Anonymised:
    """:func:`anonymise_case`, with the redactor and the map of ids it used."""
    redact = redactor_for(case, alias)
    zero = first_day(case)
    years = case.person.age_on(zero or date.today())
    shift = _shift(zero, _last_day(case))
    result = pickle.loads(pickle.dumps(case, protocol=pickle.HIGHEST_PROTOCOL))  # a deep copy, 3x quicker
    result.id = None  # never to be saved over the case it came from
    result.row_version = None
    result.damage = []  # the messages name steps and people: they stay with the identifiable case
    name = pseudonym(case.person, alias)
    _anonymise_person(result, name, redact, shift)
    result.title = redact(result.title)
    ids = _rename_ids(result)
    for org in result.organisations:
        org.name = redact.text(org.name)
    for member in result.team:
        member.name = label("role", member.role)
        member.contact = None
    for step in result.steps:
        step.start = _moved(step.start, shift)
        step.end = _moved(step.end, shift) if step.end is not None else None
        step.ready_for_discharge = _moved_day(step.ready_for_discharge, shift)
        step.label = redact(step.label)
        step.service_line = redact(step.service_line)
        step.contract = redact(step.contract)
        if step.cost is not None:
            step.cost.source = redact(step.cost.source)
        step.notes = None
    for handoff in result.handoffs:
        handoff.notes = None
    for period in result.coordinator:
        period.start = _moved(period.start, shift)
        period.end = _moved_day(period.end, shift)
        period.reason = redact(period.reason)
    plan = result.care_plan
    if plan is not None:
        plan.agreed_on = _moved_day(plan.agreed_on, shift)
        plan.review_on = _moved_day(plan.review_on, shift)
        plan.contingency = redact(plan.contingency)
        for goal in plan.goals:
            goal.in_my_words = redact.text(goal.in_my_words)
            goal.outcome = redact(goal.outcome)
            goal.target_date = _moved_day(goal.target_date, shift)
        for action in plan.actions:
            action.description = redact.text(action.description)
            action.frequency = redact(action.frequency)
            action.due = _moved_day(action.due, shift)
    for note in result.annotations:
        note.comment = redact(note.comment)
    result.extensions = {NOTE_KEY: {
        "pseudonym": name,
        "age_band": age_band(years),
        "day_zero": (zero + shift).isoformat() if zero else None,
        "dates": "moved by whole weeks: intervals and weekdays kept, the calendar not",
    }}
    return Anonymised(result, redact, ids)


def _shift(zero: date | None, last: date | None = None) -> timedelta:
    """Whole weeks that move ``zero`` into the week starting :data:`SHIFTED_EPOCH`, or fewer when
    that would move ``last`` past :data:`LATEST_SHIFTED` (a pathway of more than a century)."""
    if zero is None:
        return timedelta(0)
    monday = zero - timedelta(days=zero.weekday())
    shift = timedelta(weeks=(SHIFTED_EPOCH - monday).days // 7)
    if last is not None and last + shift > LATEST_SHIFTED:
        over = (last + shift - LATEST_SHIFTED).days
        shift -= timedelta(weeks=-(-over // 7))
    return shift


def _last_day(case: Case) -> date | None:
    """The latest date that an anonymised copy moves (steps, coordination, the care plan)."""
    days: list[date | None] = [moment_date(s.end if s.end is not None else s.start) for s in case.steps]
    days += [s.ready_for_discharge for s in case.steps]
    days += [c.end or c.start for c in case.coordinator]
    person = case.person
    days += [person.frailty.assessed_on if person.frailty else None,
             person.consent.recorded_on if person.consent else None]
    plan = case.care_plan
    if plan is not None:
        days += [plan.agreed_on, plan.review_on, *(g.target_date for g in plan.goals),
                 *(a.due for a in plan.actions)]
    return max((d for d in days if d is not None), default=None)


def _moved(value: Moment, shift: timedelta) -> Moment:
    return value + shift


def _moved_day(value: date | None, shift: timedelta) -> date | None:
    return None if value is None else value + shift


def _anonymise_person(case: Case, name: str, redact: Redactor, shift: timedelta) -> None:
    person = case.person
    person.name = name
    person.nhs_number = None
    person.date_of_birth = None
    person.postcode = None
    person.conditions = [redact.text(c) for c in person.conditions]
    person.what_matters = redact(person.what_matters)
    if person.frailty is not None:
        person.frailty.assessed_by = None
        person.frailty.assessed_on = _moved_day(person.frailty.assessed_on, shift)
    if person.consent is not None:
        person.consent.scope = redact(person.consent.scope)
        person.consent.recorded_on = _moved_day(person.consent.recorded_on, shift)


def _rename_ids(case: Case) -> dict[str, dict[str, str]]:
    """Neutral ids for steps (in time order), organisations, members, goals and actions, with
    every reference to them changed to match. Returns the maps used (old id -> new id)."""

    def numbered(prefix: str, ids: Iterable[str]) -> dict[str, str]:
        return {old: f"{prefix}-{n}" for n, old in enumerate(dict.fromkeys(ids), start=1)}

    steps = numbered("step", (s.id for s in case.ordered_steps()))
    orgs = numbered("org", (o.id for o in case.organisations))
    members = numbered("member", (m.id for m in case.team))
    plan = case.care_plan
    goals = numbered("goal", (g.id for g in plan.goals)) if plan else {}
    actions = numbered("action", (a.id for a in plan.actions)) if plan else {}
    def ref(table: dict[str, str], old: str, prefix: str) -> str:
        # a reference to an id the case does not define keeps its old text out of the copy too
        return table.get(old, f"{prefix}-unknown")

    def maybe(table: dict[str, str], old: str | None, prefix: str) -> str | None:
        return None if old is None else ref(table, old, prefix)

    for step in case.steps:
        step.id = steps[step.id]
        step.organisation = ref(orgs, step.organisation, "org")
    for org in case.organisations:
        org.id = orgs[org.id]
    for member in case.team:
        member.id = members[member.id]
        member.organisation = maybe(orgs, member.organisation, "org")
    for period in case.coordinator:
        period.member = ref(members, period.member, "member")
    for handoff in case.handoffs:
        handoff.source = ref(steps, handoff.source, "step")
        handoff.target = ref(steps, handoff.target, "step")
        handoff.named_receiver = maybe(members, handoff.named_receiver, "member")
    if plan is not None:
        for goal in plan.goals:
            goal.id = goals[goal.id]
        owners = {**orgs, **members}
        for action in plan.actions:
            action.id = actions[action.id]
            action.goal = maybe(goals, action.goal, "goal")
            action.owner = maybe(owners, action.owner, "owner")
        plan.signed_off_by = [ref(members, m, "member") for m in plan.signed_off_by]
    for note in case.annotations:
        note.steps = [ref(steps, s, "step") for s in note.steps]
    return {"steps": steps, "organisations": orgs, "members": members, "goals": goals, "actions": actions}
