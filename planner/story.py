"""Her story: a short narrative of the case, written from the timeline in plain words.

:func:`tell` returns paragraphs of plain text (no markup): who she is, the shape of her record,
her journey told around her hospital stays (what led to each, how long it lasted, the wait to
leave and why, what followed), who coordinated her care, the shared care plan, and what the
rules found. Dates are written by the caller's ``when`` (real dates, or "day 12" for an
anonymised summary), and every list is cut short, so a 1,000-step case still reads in a page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from planner import describe
from planner.model import Case, Member, Moment, Step, moment_date
from planner.reference import label
from planner.rules.context import CaseContext, is_emergency

#: How many admissions are told in full at each end of a long record.
TOLD_AT_EACH_END = 2
#: Steps named in a list before "and N more".
LISTED = 3
#: Days after leaving hospital whose steps count as "what followed".
FOLLOWED_WITHIN = 7

When = Callable[[Moment], str]


@dataclass(frozen=True)
class Teller:
    """What the narrative needs besides the case: how to write dates and whom it is about."""

    when: When
    name: str
    age: str = ""
    #: Whether team members are named (identifiable) or shown by role only.
    names_members: bool = True
    #: How to read a step's label, when the case's labels are worked out only when asked for
    #: (an anonymised copy made for a document that names few steps); else the label itself.
    label: Callable[[Step], str | None] | None = None

    def label_of(self, step: Step) -> str | None:
        return self.label(step) if self.label is not None else step.label


def tell(case: Case, teller: Teller, findings: dict[str, int] | None = None,
         context: CaseContext | None = None) -> list[str]:
    """The narrative, paragraph by paragraph; ``findings`` is the number by severity; ``context``:
    the case's own, when the caller has already built it for other parts of a document."""
    ctx = context if context is not None else CaseContext(case)
    person = case.person
    paragraphs = [_who(case, teller)]
    if not ctx.steps:
        paragraphs.append(describe.words("No steps are recorded yet, so {their} journey cannot be told.",
                                         person))
    else:
        paragraphs.append(_shape(ctx, teller))
        paragraphs += _journey(ctx, teller)
    paragraphs.append(_coordination(case, teller))
    paragraphs.append(_plan(case, teller))
    if findings is not None:
        paragraphs.append(_found(case, findings))
    return [p for p in paragraphs if p]


# -- who she is ------------------------------------------------------------------------------
_LIVING = {"alone": "lives alone", "with_family": "lives with family", "with_carer": "lives with a carer",
           "care_home": "lives in a care home", "nursing_home": "lives in a nursing home",
           "sheltered_housing": "lives in sheltered housing"}


def _who(case: Case, teller: Teller) -> str:
    person = case.person
    w = _words(case)
    opening = teller.name + (f", aged {teller.age}," if teller.age else "")
    lives = _LIVING.get(person.living_situation or "", "lives")
    if person.area:
        sentence = f"{opening} {lives} in {person.area}."
    elif lives != "lives":
        sentence = f"{opening} {lives}."
    else:
        sentence = f"{teller.name} is aged {teller.age}." if teller.age else ""
    parts = [sentence] if sentence else []
    if person.conditions:
        parts.append(w("{Their} long-term conditions: ") + _listing(person.conditions) + ".")
    frailty = describe.frailty(person)
    if frailty:
        parts.append(w("{Their} frailty is recorded as ") + frailty + ".")
    if person.what_matters:
        parts.append(w("What matters most to {them}, in {their} own words: ")
                     + f"“{person.what_matters.strip()}”")
    return " ".join(parts)


# -- the shape of the record -----------------------------------------------------------------
def _shape(ctx: CaseContext, teller: Teller) -> str:
    w = _words(ctx.case)
    first = ctx.steps[0].start
    last = _last_day(ctx)
    days = (last - moment_date(first)).days
    orgs = ctx.pathway_orgs
    sectors = {o.sector for o in orgs}
    regulators = list(dict.fromkeys(code for o in orgs for code in ctx.regulators[o.id]))
    funding = {s.funding for s in ctx.steps if s.funding}
    names = _listing([label("regulator_short", r) for r in regulators])
    regs = f"{_count(len(regulators), 'regulator')} ({names})" if regulators else "no regulator"
    text = (w("{Their} record runs for ") + f"{_count(days, 'day')}, from {_on(teller, first)} to "
            f"{_on(teller, last)}: {_count(len(ctx.steps), 'step')} with "
            f"{_count(len(orgs), 'organisation')} in {_count(len(sectors), 'sector')}, overseen by {regs}")
    if funding:
        text += f", under {_count(len(funding), 'funding stream')}"
    admissions = ctx.admissions
    if admissions:
        emergencies = len(ctx.emergency_admissions)
        in_hospital = sum((moment_date(a.end) - a.start_date).days for a in admissions if a.end is not None)
        delayed = sum(a.delayed_days for a in admissions)
        if emergencies == len(admissions):
            how = " as an emergency"
        else:
            how = f" ({emergencies} as an emergency)" if emergencies else ""
        text += (f". {w('{They}')} went into hospital {_times(len(admissions))}{how}, "
                 f"for {_count(in_hospital, 'day')} in all")
        if delayed:
            text += f", {_count(delayed, 'day')} of them waiting to leave once ready"
        readmissions = len(ctx.readmissions)
        if readmissions:
            text += (f"; {'one' if readmissions == 1 else f'{readmissions:,}'} of the admissions came within "
                     "30 days of leaving hospital")
    return text + "."


# -- the journey -----------------------------------------------------------------------------
def _journey(ctx: CaseContext, teller: Teller) -> list[str]:
    admissions = ctx.admissions
    if not admissions:
        return [_at_home(ctx, teller, ctx.steps, "whole", closing=True)]
    told: set[int] = set()
    episodes = [_episode(ctx, a) for a in admissions]
    for each in episodes:
        told.update(id(s) for s in each.steps)
    shown: list[_Episode | None] = list(episodes)
    if len(episodes) > 2 * TOLD_AT_EACH_END + 1:
        shown = [*episodes[:TOLD_AT_EACH_END], None, *episodes[-TOLD_AT_EACH_END:]]
    paragraphs = []
    first = episodes[0]
    position = ctx.position
    before = [s for s in ctx.steps[:position[id(first.admission)]] if id(s) not in told]
    if before:
        paragraphs.append(_at_home(ctx, teller, before, "before"))
    for index, episode in enumerate(shown):
        if episode is None:
            middle = episodes[TOLD_AT_EACH_END:-TOLD_AT_EACH_END]
            paragraphs.append(_summarise(ctx, teller, middle))
            continue
        paragraphs.append(_tell_episode(ctx, teller, episode))
        following = shown[index + 1] if index + 1 < len(shown) else None
        if following is not None:
            low, high = position[id(episode.admission)], position[id(following.admission)]
            between = [s for s in ctx.steps[low + 1:high] if id(s) not in told]
            if between:
                paragraphs.append(_at_home(ctx, teller, between, "between"))
    last = episodes[-1]
    after = [s for s in ctx.steps[position[id(last.admission)] + 1:] if id(s) not in told]
    if after:
        paragraphs.append(_at_home(ctx, teller, after, "after", closing=True))
    return paragraphs


@dataclass
class _Episode:
    admission: Step
    lead_in: list[Step]
    during: list[Step]
    followed: list[Step]

    @property
    def steps(self) -> list[Step]:
        return [*self.lead_in, self.admission, *self.during, *self.followed]


def _episode(ctx: CaseContext, admission: Step) -> _Episode:
    """The steps around one admission, found by walking out from its place in the order (their
    dates read from the context's lists: every admission of a long record has its episode)."""
    steps, starts = ctx.steps, ctx.start_dates
    at = ctx.position[id(admission)]
    start, end = starts[at], ctx.end_dates[at]
    lead_in: list[Step] = []
    index = at - 1
    while index >= 0 and (start - starts[index]).days <= 1:
        step = steps[index]
        if step.kind != "admission" and is_emergency(step):
            lead_in.insert(0, step)
        index -= 1
    during: list[Step] = []
    followed: list[Step] = []
    index = at + 1
    while index < len(steps):
        step = steps[index]
        day = starts[index]
        if end is None or day < end:
            if step.kind != "admission":
                during.append(step)
        elif (day - end).days <= FOLLOWED_WITHIN:
            if step.kind != "admission":
                followed.append(step)
        else:
            break
        index += 1
    return _Episode(admission, lead_in, during, followed)


def _tell_episode(ctx: CaseContext, teller: Teller, episode: _Episode) -> str:
    w = _words(ctx.case)
    admission = episode.admission
    parts = []
    how = "as an emergency " if is_emergency(admission) else ""
    where = ctx.name(admission)
    opening = f"On {_on(teller, episode.lead_in[0].start if episode.lead_in else admission.start)}"
    if episode.lead_in:
        opening += ", after " + _listing([_step(ctx, teller, s) for s in episode.lead_in[:LISTED]])
    readmitted = next((earlier for earlier, again in ctx.readmissions if again is admission), None)
    quoted = _quoted(teller, admission)
    sentence = f"{opening}, {w('{they}')} {_was(ctx.case)} admitted {how}to {where}{quoted}"
    if readmitted is not None and readmitted.end_date is not None:
        gap = (admission.start_date - readmitted.end_date).days
        sentence += f": a readmission {_count(gap, 'day')} after leaving hospital"
    parts.append(sentence + ".")
    if admission.end is None:
        parts.append(w("{They} {is} still there at the end of the record."))
    else:
        stay = (moment_date(admission.end) - admission.start_date).days
        parts.append(w("{They} stayed ") + f"{_count(stay, 'day')}.")
    if admission.delayed_days and admission.ready_for_discharge is not None:
        ready = admission.ready_for_discharge
        reason = (describe.inline(label("delay_reason", admission.delay_reason))
                  if admission.delay_reason else "with no reason recorded")
        who = label("delay_attribution", ctx.delay_attribution(admission))
        stayed = _count(admission.delayed_days, "more day")
        parts.append(w("{They} ") + f"{_was(ctx.case)} ready to leave on {_on(teller, ready)} "
                     f"(a {ready.strftime('%A')}) but stayed {stayed}, {reason} "
                     f"(a delay counted against {describe.inline(who)}).")
    if episode.during:
        parts.append(w("While {they} ") + f"{_was(ctx.case)} there: " + _more(ctx, teller, episode.during)
                     + ".")
    if episode.followed:
        placement = next((s for s in episode.followed if s.kind == "placement"), None)
        if placement is not None:
            parts.append(w("On leaving hospital {they} went to ") + f"{ctx.name(placement)}"
                         f"{_quoted(teller, placement)}" + (" for good" if placement.permanent else "") + ".")
            rest = [s for s in episode.followed if s is not placement]
            if rest:
                parts.append("Then: " + _more(ctx, teller, rest) + ".")
        else:
            parts.append("What followed: " + _more(ctx, teller, episode.followed) + ".")
    return " ".join(parts)


def _summarise(ctx: CaseContext, teller: Teller, episodes: Sequence[_Episode]) -> str:
    w = _words(ctx.case)
    first, last = episodes[0].admission, episodes[-1].admission
    emergencies = sum(1 for e in episodes if is_emergency(e.admission))
    delayed = sum(e.admission.delayed_days for e in episodes)
    text = (f"Between {_on(teller, first.start)} and {_on(teller, last.start)} there were "
            f"{_count(len(episodes), 'more admission')} ({emergencies} as an emergency)")
    if delayed:
        text += w(", with {them} waiting ") + f"{_count(delayed, 'day')} in all to leave once ready"
    steps = ctx.position[id(last)] - ctx.position[id(first)] + 1
    return text + f"; {_count(steps, 'step')} in all over that time (see the timeline)."


def _at_home(ctx: CaseContext, teller: Teller, steps: Sequence[Step], part: str,
             closing: bool = False) -> str:
    """The steps outside hospital stays: ``part`` is "before" the first stay, "between" two,
    "after" the last, or the "whole" of a record without any."""
    w = _words(ctx.case)
    start, end = _on(teller, steps[0].start), _on(teller, steps[-1].start)
    span = f"on {start}" if start == end else f"from {start} to {end}"
    lead = {"before": f"At home, {span}", "between": f"Back at home, {span}", "after": f"After that, {span}",
            "whole": span[:1].upper() + span[1:]}[part]
    orgs = ctx.orgs_of(*steps)
    text = f"{lead}, {w('{they}')} had {_count(len(steps), 'step')}"
    if len(steps) > LISTED:
        text += f" with {_count(len(orgs), 'organisation')}, among them"
    text += ": " + _more(ctx, teller, steps) + "."
    if closing:
        text += f" The record ends on {_on(teller, _last_day(ctx))}."
    return text


def _last_day(ctx: CaseContext) -> date:
    """The record's last day: the latest end of a step, or start of one without an end (from the
    context's lists of dates, not each step's properties)."""
    return max(end or start for start, end in zip(ctx.start_dates, ctx.end_dates, strict=True))


def _more(ctx: CaseContext, teller: Teller, steps: Sequence[Step]) -> str:
    """Up to :data:`LISTED` steps in words, then "and N more"."""
    shown = [_step(ctx, teller, s) for s in steps[:LISTED]]
    if len(steps) > LISTED:
        shown.append(f"{len(steps) - LISTED:,} more")
    return _listing(shown)


def _step(ctx: CaseContext, teller: Teller, step: Step) -> str:
    shown = teller.label_of(step)
    what = f"“{shown}”" if shown else describe.inline(label("kind", step.kind))
    return f"{what} ({ctx.name(step)})"


def _quoted(teller: Teller, step: Step) -> str:
    shown = teller.label_of(step)
    return f" (“{shown}”)" if shown else ""


# -- coordination, plan, findings ---------------------------------------------------------------
def _member(case: Case, member_id: str, teller: Teller) -> str:
    member = case.member(member_id)
    if member is None:
        return "a team member no longer listed"
    return _who_is(case, member, teller)


def _who_is(case: Case, member: Member, teller: Teller) -> str:
    org = case.organisation(member.organisation) if member.organisation else None
    where = f" at {org.name}" if org else ""
    if teller.names_members:
        return f"{member.name}, {describe.role(member)}{where}"
    return f"the {describe.role(member)}{where}"


def _coordination(case: Case, teller: Teller) -> str:
    w = _words(case)
    periods = sorted(case.coordinator, key=lambda c: c.start)
    if not periods:
        return w("Nobody has been named as {their} care coordinator.")
    first = periods[0]
    text = w("{Their} first named care coordinator, from ") + \
        f"{_on(teller, first.start)}, was {_member(case, first.member, teller)}"
    text += f" ({_reason(first.reason)})." if first.reason else "."
    for period in periods[1:]:
        text += f" On {_on(teller, period.start)} the role passed to {_member(case, period.member, teller)}"
        text += f" ({_reason(period.reason)})." if period.reason else "."
    current = case.current_coordinator()
    if current is None:
        text += " " + w("Nobody holds the role now.")
    return text


def _reason(reason: str) -> str:
    reason = reason.strip().rstrip(".")
    return reason[:1].lower() + reason[1:] if reason[1:2].islower() else reason


def _plan(case: Case, teller: Teller) -> str:
    plan = case.care_plan
    w = _words(case)
    if plan is None or not (plan.goals or plan.actions or plan.contingency):
        return w("There is no shared care plan for {them} yet.")
    text = "A shared care plan"
    if plan.version:
        text += f" (version {plan.version})"
    text += f" was agreed on {_on(teller, plan.agreed_on)}" if plan.agreed_on else " is being drawn up"
    text += f" with {_count(len(plan.goals), 'goal')} and {_count(len(plan.actions), 'action')}"
    if plan.signed_off_by:
        text += f", signed off by {_count(len(plan.signed_off_by), 'member')} of the team"
    unowned = sum(1 for a in plan.actions if a.owner is None)
    if unowned:
        text += f"; {_count(unowned, 'action')} {'has' if unowned == 1 else 'have'} no owner"
    if plan.review_on:
        text += f". It is due for review on {_on(teller, plan.review_on)}"
    return text + "."


def _found(case: Case, counts: dict[str, int]) -> str:
    total = sum(counts.values())
    w = _words(case)
    if not total:
        return w("The rules found nothing in {their} pathway that regulation, payment or measurement "
                 "worked against.")
    split = ", ".join(f"{n} {label_}" for label_, n in
                      (("high", counts.get("high", 0)), ("medium", counts.get("medium", 0)),
                       ("low", counts.get("low", 0))) if n)
    return (f"The rules found {_count(total, 'place')} where the way {w('{their}')} organisations are "
            f"regulated, paid or measured worked against {w('{them}')}: {split} (set out below).")


# -- words ---------------------------------------------------------------------------------
def _words(case: Case) -> Callable[[str], str]:
    person = case.person
    return lambda template: describe.words(template, person)


def _on(teller: Teller, moment: Moment) -> str:
    """A day in the narrative: the date alone, whatever the time."""
    return teller.when(moment_date(moment))


def _was(case: Case) -> str:
    return "were" if describe.words("{they}", case.person) == "they" else "was"


def _count(number: int, noun: str) -> str:
    if number == 1:
        return f"1 {noun}"
    return f"{number:,} {noun}s"


def _times(number: int) -> str:
    return {1: "once", 2: "twice"}.get(number, f"{number:,} times")


def _listing(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]

