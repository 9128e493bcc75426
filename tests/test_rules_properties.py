"""Property tests of the misalignment engine and the measures over generated cases.

Hypothesis builds :class:`planner.model.Case` objects directly: organisations of every sector,
with and without their own payment model, regulators (absent, an explicit empty list, or some),
areas and oversight; steps of every kind, setting, stage and funding, dated or timed, with ends on
or after their starts, admissions with ready-for-discharge dates inside them; handoffs, a team,
coordinator periods that do not overlap, a care plan and annotations. Every code is drawn from the
case schema, so a new enumeration value is generated as soon as the schema has it.

Whatever the case, the engine must not raise, must give the same answer twice, and every finding
must name only steps, organisations and regulators that exist, with the catalogue's severity,
title and question. A second generator breaks references (steps at unknown organisations,
handoffs naming unknown steps...), as a schema-valid but semantically invalid file might.
"""

from __future__ import annotations

import copy
import string
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import describe
from planner.analysis import Analysis, analyse, finding_json
from planner.casefile import case_from_dict, case_to_dict
from planner.model import (
    Action,
    Annotation,
    CarePlan,
    Case,
    Codes,
    Consent,
    Coordination,
    Frailty,
    Goal,
    Handoff,
    Member,
    Moment,
    Organisation,
    Oversight,
    Person,
    Step,
    moment_key,
)
from planner.nhs_number import check_digit
from planner.reference import labels, regulators_of
from planner.rules import FindingReport, evaluate
from planner.rules.catalogue import rule, rules, severity_order
from planner.validation import case_schema, validate
from tests.factories import minimal_dict

SCHEMA = case_schema()
REGULATOR_CODES = frozenset({"CQC", "NHSE", "CHARITY_COMMISSION", "GPHC"})


def _enum(definition: str, *names: str) -> tuple[str, ...]:
    """The codes the schema allows at ``$defs.<definition>.<names...>`` (through array items)."""
    node: dict[str, Any] = SCHEMA["$defs"][definition]
    for name in names:
        node = node["properties"][name]
        node = node.get("items", node)
    return tuple(node["enum"])


SECTORS = _enum("organisation", "sector")
PAYMENT_MODELS = _enum("organisation", "payment_model")
REGULATORS = _enum("organisation", "regulators")
FUNDING_TERMS = _enum("organisation", "funding_term")
CQC_RATINGS = _enum("organisation", "oversight", "cqc_rating")
ROLES = _enum("member", "role")
REGISTERS = _enum("member", "professional_register")
KINDS = _enum("step", "kind")
STAGES = _enum("step", "stage")
SETTINGS = _enum("step", "setting")
FUNDING = _enum("step", "funding")
DELAY_REASONS = _enum("step", "delay_reason")
DELAY_ATTRIBUTIONS = _enum("step", "delay_attribution")
ASSESSMENT_DOMAINS = _enum("step", "assessment_domain")
CHC_STATUSES = _enum("step", "chc_status")
METHODS = _enum("handoff", "method")
SEXES = _enum("person", "sex")
LIVING_SITUATIONS = _enum("person", "living_situation")
CONSENT_STATUSES = _enum("person", "consent", "status")
FRAILTY_SCALES = _enum("person", "frailty", "scale")
PLACES_OF_CARE = _enum("person", "preferred_place_of_care")
GOAL_STATUSES = _enum("care_plan", "goals", "status")
ACTION_STATUSES = _enum("care_plan", "actions", "status")
ANNOTATION_STATUSES = _enum("annotation", "status")
RULE_IDS = tuple(sorted(rules()))

# -- strategies ----------------------------------------------------------------------------------
# Built once: hypothesis spends most of a run validating strategies, so none is made per draw
# unless it depends on the case (its ids).


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The value, or None (the field absent from the file)."""
    return st.none() | strategy


@cache
def codes(values: tuple[str, ...]) -> st.SearchStrategy[str | None]:
    """One of the codes, or None."""
    return maybe(st.sampled_from(values))


#: Any text, with format placeholders drawn often: evidence once put case text through a
#: str.format template, so a brace in a name, label or area crashed the engine (or, as in
#: "{their} surgery", silently rewrote it).
ALPHABET = st.characters(exclude_categories=("Cs",))
PLACEHOLDERS = st.sampled_from(("{x}", "{0}", "{", "}", "{their} surgery", "{they!r:>{is}}"))
TEXT = st.text(ALPHABET, max_size=12) | PLACEHOLDERS
NAME = st.text(ALPHABET, min_size=1, max_size=12) | PLACEHOLDERS
OPT_TEXT = maybe(TEXT)
REASON = NAME.filter(str.strip)
FLAG = maybe(st.booleans())
ID_CHARS = string.ascii_letters + string.digits + "_.-"
IDS = st.text(ID_CHARS, min_size=1, max_size=6)
#: Areas that differ only in case and white space count as the same (M09).
AREA = maybe(st.sampled_from(("Torbay", " torbay", "TOR BAY", "Devon", "Plymouth", "")) | TEXT)
#: Few contracts, so that adjacent services sometimes share one (M15).
CONTRACT = codes(("C1", "C2", "framework"))
#: Admissions, services, placements and assessments are drawn more often (all still schema
#: codes), so that delays, readmissions, lapsed packages and duplicated assessments occur.
KIND = st.sampled_from((*KINDS, "admission", "admission", "service", "placement", "assessment"))
#: Likewise hospitals, GPs, community and home care, where most rules look.
SECTOR = st.sampled_from((*SECTORS, "acute", "primary_care", "community_health", "domiciliary_care"))
#: Emergencies drawn more often, so that admissions repeat and readmissions occur (M02, M05).
EMERGENCY = FLAG | st.just(True)
#: Two domains drawn more often, so that assessments sometimes duplicate each other (M07).
DOMAIN = codes(ASSESSMENT_DOMAINS) | st.sampled_from(ASSESSMENT_DOMAINS[:2])
#: Days after the case's first day: half the steps crowd into its first three weeks, where
#: windows (28 days for M07, 7 for M15, 30 for readmissions) are easily met.
DAY = st.integers(0, 180) | st.integers(0, 20)
OFFSET = st.integers(0, 40)
HOUR, MINUTE, SECOND = st.integers(0, 23), st.integers(0, 59), st.sampled_from((0, 0, 30))
DAY_OF_LIFE = maybe(st.dates(date(1915, 1, 1), date(2005, 12, 31)))
RECORDED_ON = maybe(st.dates(date(2015, 1, 1), date(2025, 1, 1)))
REGULATOR_LISTS = maybe(st.lists(st.sampled_from(REGULATORS), unique=True, max_size=len(REGULATORS)))
CODES = maybe(st.builds(Codes, ods=codes(("RA9", "Y0001")), cqc_location=codes(("1-000000001",)),
                        cqc_provider=codes(("1-101",)), charity_number=codes(("1000001",))))
OVERSIGHT = maybe(st.builds(Oversight, cqc_rating=codes(CQC_RATINGS), financial_recovery=FLAG,
                            system_level_assessment=FLAG))
CONSENT = maybe(st.builds(Consent, status=st.sampled_from(CONSENT_STATUSES), scope=OPT_TEXT,
                          recorded_on=RECORDED_ON))
FRAILTY = maybe(
    st.builds(Frailty, scale=st.just("CFS"), score=st.integers(1, 9), assessed_on=RECORDED_ON,
              assessed_by=OPT_TEXT)
    | st.builds(Frailty, scale=st.just("eFI"), score=st.floats(0, 1), assessed_on=RECORDED_ON,
                assessed_by=OPT_TEXT)
)
NHS_NUMBER = maybe(
    st.text("0123456789", min_size=9, max_size=9)
    .filter(lambda digits: check_digit(digits) is not None)
    .map(lambda digits: f"{digits}{check_digit(digits)}")
)
PERSON = st.builds(
    Person, name=NAME, nhs_number=NHS_NUMBER, date_of_birth=DAY_OF_LIFE, sex=codes(SEXES), area=AREA,
    postcode=codes(("TQ5 0ZZ", "PL1 1AA", "")), living_situation=codes(LIVING_SITUATIONS),
    conditions=st.lists(NAME, max_size=3), frailty=FRAILTY, what_matters=OPT_TEXT, consent=CONSENT,
    preferred_place_of_care=codes(PLACES_OF_CARE),
)


def organisation(org_id: str) -> st.SearchStrategy[Organisation]:
    return st.builds(
        Organisation, id=st.just(org_id), name=NAME, sector=SECTOR, area=AREA,
        payment_model=codes(PAYMENT_MODELS),
        # None: the sector's defaults; [] (drawn often): explicitly no regulator.
        regulators=REGULATOR_LISTS, cqc_registered=FLAG, shared_record_access=FLAG,
        funding_term=codes(FUNDING_TERMS), codes=CODES, oversight=OVERSIGHT,
    )


@st.composite
def moments(draw: st.DrawFn, day: date) -> Moment:
    """A day, or a time on it (to the minute, sometimes to the second)."""
    if draw(st.booleans()):
        return day
    return datetime(day.year, day.month, day.day, draw(HOUR), draw(MINUTE), draw(SECOND))


@st.composite
def steps(draw: st.DrawFn, step_id: str, org_ids: st.SearchStrategy[str], base: date) -> Step:
    kind = draw(KIND)
    start = draw(moments(base + timedelta(days=draw(DAY))))
    end: Moment | None = None
    if draw(st.integers(0, 3)):  # mostly with an end, on or after the start
        end = draw(moments(moment_key(start).date() + timedelta(days=draw(OFFSET))))
        if moment_key(end) < moment_key(start):
            end = start
    ready = None
    if kind == "admission" and draw(st.booleans()):  # inside the admission
        first = moment_key(start).date()
        last = moment_key(end).date() if end is not None else first + timedelta(days=30)
        ready = first + timedelta(days=draw(st.integers(0, (last - first).days)))
    return Step(
        id=step_id, kind=kind, organisation=draw(org_ids), start=start, stage=draw(codes(STAGES)),
        setting=draw(codes(SETTINGS)), end=end, label=draw(OPT_TEXT), emergency=draw(EMERGENCY),
        funding=draw(codes(FUNDING)), ready_for_discharge=ready, delay_reason=draw(codes(DELAY_REASONS)),
        delay_attribution=draw(codes(DELAY_ATTRIBUTIONS)), assessment_domain=draw(DOMAIN),
        service_line=draw(OPT_TEXT), contract=draw(CONTRACT), chc_status=draw(codes(CHC_STATUSES)),
        permanent=draw(FLAG), notes=draw(OPT_TEXT),
    )


@st.composite
def coordinator_periods(draw: st.DrawFn, member_ids: list[str], base: date) -> list[Coordination]:
    """Periods that do not overlap (one may begin the day another ends, as at a handover, which
    the validator accepts); only the last may be open-ended. Stored in any order."""
    if not member_ids:
        return []
    members = st.sampled_from(member_ids)
    periods: list[Coordination] = []
    begin = base + timedelta(days=draw(st.integers(-30, 200)))
    count = draw(st.integers(0, 3))
    for index in range(count):
        open_ended = index == count - 1 and draw(st.booleans())
        end = None if open_ended else begin + timedelta(days=draw(st.integers(0, 90)))
        periods.append(Coordination(member=draw(members), start=begin, end=end,
                                    reason=draw(codes(("Named at MDT",)))))
        if end is not None:
            begin = end + timedelta(days=draw(st.integers(0, 60)))
    return draw(st.permutations(periods))


@st.composite
def care_plans(draw: st.DrawFn, member_ids: list[str], org_ids: list[str], base: date) -> CarePlan:
    def day() -> date | None:
        return None if draw(st.booleans()) else base + timedelta(days=draw(DAY))

    goal_ids = draw(st.lists(IDS, unique=True, max_size=3))
    goals = [Goal(id=g, in_my_words=draw(NAME), outcome=draw(OPT_TEXT), target_date=day(),
                  status=draw(codes(GOAL_STATUSES))) for g in goal_ids]
    # An owner is a team member, an organisation, or nobody.
    owners = st.none() | st.sampled_from([*member_ids, *org_ids])
    goal_refs = maybe(st.sampled_from(goal_ids)) if goal_ids else st.none()
    actions = [
        Action(id=a, description=draw(NAME), goal=draw(goal_refs), owner=draw(owners), due=day(),
               frequency=draw(codes(("daily", "weekly"))), status=draw(codes(ACTION_STATUSES)))
        for a in draw(st.lists(IDS, unique=True, max_size=4))
    ]
    agreed = day()
    review = day()
    if agreed is not None and review is not None and review < agreed:
        agreed, review = review, agreed
    signed = draw(st.lists(st.sampled_from(member_ids), unique=True)) if member_ids else []
    return CarePlan(version=draw(maybe(st.integers(1, 9))), agreed_on=agreed, review_on=review,
                    goals=goals, actions=actions, contingency=draw(OPT_TEXT), signed_off_by=signed)


@st.composite
def cases(draw: st.DrawFn, max_steps: int = 18) -> Case:
    base = draw(st.dates(date(2015, 1, 1), date(2025, 6, 30)))
    org_ids = draw(st.lists(IDS, min_size=1, max_size=6, unique=True))
    orgs = [draw(organisation(org_id)) for org_id in org_ids]
    member_ids = draw(st.lists(IDS, max_size=4, unique=True))
    some_org = st.sampled_from(org_ids)
    team = [Member(id=m, name=draw(NAME), role=draw(st.sampled_from(ROLES)), organisation=draw(maybe(some_org)),
                   contact=draw(codes(("01803 000000",))), professional_register=draw(codes(REGISTERS)))
            for m in member_ids]
    count = draw(st.sampled_from(range(max_steps + 1)))  # evenly spread: lists alone stay short
    step_ids = draw(st.lists(IDS, min_size=count, max_size=count, unique=True))
    pathway = [draw(steps(step_id, some_org, base)) for step_id in step_ids]
    receivers = maybe(st.sampled_from(member_ids)) if member_ids else st.none()
    handoffs = []
    if len(step_ids) >= 2:
        pairs = st.lists(st.sampled_from(step_ids), min_size=2, max_size=2, unique=True)
        for _ in range(draw(st.integers(0, 6))):
            source, target = draw(pairs)
            handoffs.append(Handoff(source=source, target=target, method=draw(codes(METHODS)),
                                    named_receiver=draw(receivers), notes=draw(OPT_TEXT)))
    annotations = []
    noted = st.lists(st.sampled_from(step_ids), unique=True, max_size=3) if step_ids else st.just([])
    for _ in range(draw(st.integers(0, 3))):
        status = draw(st.sampled_from(ANNOTATION_STATUSES))
        # Setting a finding aside needs a reason.
        comment = draw(REASON if status == "set_aside" else OPT_TEXT)
        annotations.append(Annotation(rule=draw(st.sampled_from(RULE_IDS)), status=status,
                                      steps=draw(noted), comment=comment))
    return Case(
        person=draw(PERSON),
        organisations=orgs,
        steps=pathway,
        title=draw(OPT_TEXT),
        team=team,
        coordinator=draw(coordinator_periods(member_ids, base)),
        handoffs=handoffs,
        care_plan=draw(maybe(care_plans(member_ids, org_ids, base))),
        annotations=annotations,
        extensions=draw(maybe(st.dictionaries(st.sampled_from(("source", "x-note")), st.integers(),
                                              max_size=2))),
    )


def unknown_ids() -> st.SearchStrategy[str]:
    """Ids that no generated object has (generated ids are at most 6 characters)."""
    return IDS.map(lambda i: f"unknown-{i}")


@st.composite
def dangling_cases(draw: st.DrawFn) -> Case:
    """A case as a schema-valid but semantically invalid file might hold it: steps at unknown
    organisations, handoffs from or to unknown steps (or from a step to itself), unknown named
    receivers, coordinators, action owners and goals, annotations of unknown steps."""
    case = draw(cases())
    step_ids = [s.id for s in case.steps]
    for step in case.steps:
        if draw(st.integers(0, 2)) == 0:
            step.organisation = draw(unknown_ids())
    for member in case.team:
        if draw(st.booleans()):
            member.organisation = draw(unknown_ids())
    endpoints = unknown_ids() | st.sampled_from(step_ids) if step_ids else unknown_ids()
    for _ in range(draw(st.integers(1, 5))):
        source = draw(endpoints)
        target = source if draw(st.integers(0, 3)) == 0 else draw(endpoints)
        case.handoffs.append(Handoff(source=source, target=target, method=draw(codes(METHODS)),
                                     named_receiver=draw(maybe(unknown_ids()))))
    for period in case.coordinator:
        if draw(st.booleans()):
            period.member = draw(unknown_ids())
    if draw(st.booleans()):
        case.coordinator.append(Coordination(member=draw(unknown_ids()), start=date(2019, 1, 1)))
    if case.care_plan is not None:
        for action in case.care_plan.actions:
            if draw(st.booleans()):
                action.owner = draw(unknown_ids())
            if draw(st.booleans()):
                action.goal = draw(unknown_ids())
        case.care_plan.signed_off_by.append(draw(unknown_ids()))
    case.annotations.append(Annotation(rule=draw(st.sampled_from(RULE_IDS)), status="comment",
                                       steps=[draw(unknown_ids())]))
    return case


# -- checks --------------------------------------------------------------------------------------

def _rows(report: FindingReport) -> list[dict[str, Any]]:
    return [finding_json(f) for f in report.findings]


def _schema_errors(data: dict[str, Any]) -> list[str]:
    import jsonschema

    return [f"{e.json_path}: {e.message}" for e in jsonschema.Draft202012Validator(SCHEMA).iter_errors(data)]


def _strings(value: Any) -> list[str]:
    """Every string in a case file, keys included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [*value, *(text for item in value.values() for text in _strings(item))]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def _check_references(case: Case, report: FindingReport) -> None:
    """Findings name only what exists, each (rule, steps) once, as the catalogue describes them."""
    step_ids = {s.id for s in case.steps}
    orgs = {o.id: o for o in case.organisations}
    org_of = {s.id: s.organisation for s in case.steps}
    order = severity_order()
    keys = set()
    for finding in report.findings:
        where = finding_json(finding)
        assert set(finding.steps) <= step_ids, where
        assert len(set(finding.steps)) == len(finding.steps), where
        assert set(finding.organisations) <= orgs.keys(), where
        assert len(set(finding.organisations)) == len(finding.organisations), where
        assert set(finding.regulators) <= REGULATOR_CODES, where
        involved = {code for org_id in finding.organisations for code in regulators_of(orgs[org_id])}
        assert set(finding.regulators) == involved, where
        # A finding names every organisation involved: at least those of its steps.
        # (M02 is left out here until the bug in test_m02_names_the_organisations_of_its_steps is fixed.)
        if finding.rule != "M02":
            at = {org_of[s] for s in finding.steps if org_of[s] in orgs}
            assert at <= set(finding.organisations), where
        key = (finding.rule, frozenset(finding.steps))
        assert key not in keys, f"two findings for {key}"
        keys.add(key)
        info = rule(finding.rule)
        assert finding.severity == info.severity, where
        assert finding.title == describe.words(info.title, case.person), where
        assert finding.question == describe.words(info.question, case.person), where
        assert finding.evidence.strip(), where
    if not any("{" in text or "}" in text for text in _strings(case_to_dict(case))):
        for finding in report.findings:  # every placeholder of the templates was filled
            assert not {"{", "}"} & set(finding.title + finding.question + finding.evidence), finding
    severities = [order[f.severity] for f in report.findings]
    assert severities == sorted(severities)


def _check_measures(analysis: Analysis) -> None:
    measures = analysis.measures
    if measures.share_of_days_at_home is not None:
        assert 0 <= measures.share_of_days_at_home <= 1
    parts = {k: v for k, v in measures.delayed_days.items() if k != "total"}
    assert measures.delayed_days.get("total", 0) == sum(parts.values())
    assert set(parts) <= set(labels("delay_attribution"))
    assert all(h.gap_days >= 0 for h in measures.handoffs)


# -- properties ----------------------------------------------------------------------------------

def test_generated_codes_come_from_the_schema() -> None:
    assert set(REGULATORS) == REGULATOR_CODES
    assert set(SECTORS) == set(labels("sector"))
    assert set(KINDS) == set(labels("kind"))
    assert set(RULE_IDS) == {f"M{n:02d}" for n in range(1, len(RULE_IDS) + 1)}  # M01 to Mn, none missing


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_findings_and_measures_on_any_valid_case(case: Case) -> None:
    before = copy.deepcopy(case)

    # (f) The generator makes valid cases: they survive the file format unchanged.
    data = case_to_dict(case)
    assert validate(data) == []
    again = case_from_dict(data)
    assert again == case

    # (a) Never raises; (b) the same answer every time, and from a copy read back from the file.
    first, second = analyse(case), analyse(case)
    assert _rows(first.report) == _rows(second.report) == _rows(evaluate(case)) == _rows(analyse(again).report)
    assert first.measures.to_json() == second.measures.to_json() == analyse(again).measures.to_json()
    assert [a.rule for a in first.report.orphaned] == [a.rule for a in second.report.orphaned]
    assert case == before, "analysing a case changed it"

    # (c), (d), (e)
    _check_references(case, first.report)
    _check_measures(first)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dangling_cases())
def test_dangling_references_are_left_out_not_followed(case: Case) -> None:
    data = case_to_dict(case)
    assert _schema_errors(data) == []  # valid to the schema...
    assert validate(data), "...but the references are broken"
    first, second = analyse(case), analyse(case)
    assert _rows(first.report) == _rows(second.report)
    assert first.measures.to_json() == second.measures.to_json()
    _check_references(case, first.report)
    _check_measures(first)


def _boundary_case(**texts: str) -> Case:
    """The smallest case on which M09 fires: a step at an organisation outside her area."""
    data = minimal_dict(area=texts.get("home", "Torbay"))
    data["organisations"][0].update(name=texts.get("name", "A Surgery"), area="Devon")
    data["steps"][0]["label"] = texts.get("label", "Visit")
    return case_from_dict(data)


@pytest.mark.parametrize("texts", [
    {"name": "Surgery {x}"},  # was KeyError: 'x'
    {"label": "Visit {0}"},  # was IndexError
    {"home": "Torbay {"},  # was ValueError: single '{'
    {"name": "{their} surgery"},  # was no error, but the evidence read "her surgery"
], ids=["name", "label", "area", "pronoun"])
def test_braces_in_case_text_are_kept_as_written(texts: dict[str, str]) -> None:
    """Names, labels and areas may hold any character, "{" and "}" too (the schema allows them)."""
    case = _boundary_case(**texts)
    (finding,) = [f for f in evaluate(case).findings if f.rule == "M09"]
    for text in texts.values():
        assert text in finding.evidence


def test_m02_names_the_organisations_of_its_steps() -> None:
    """Found by the properties: an emergency admission at one hospital, then another at a second,
    paid by activity, while the GP is paid by capitation. The finding names both admissions but
    only the second hospital."""
    data = minimal_dict()
    data["organisations"] += [{"id": "first", "name": "First Hospital", "sector": "acute"},
                              {"id": "second", "name": "Second Hospital", "sector": "acute"}]
    data["steps"] += [
        {"id": "a1", "kind": "admission", "organisation": "first", "start": "2024-02-01",
         "end": "2024-02-03", "emergency": True},
        {"id": "a2", "kind": "admission", "organisation": "second", "start": "2024-03-01",
         "end": "2024-03-03", "emergency": True},
    ]
    (finding,) = [f for f in evaluate(case_from_dict(data)).findings if f.rule == "M02"]
    assert finding.steps == ["a1", "a2"]
    assert {"first", "second", "gp"} <= set(finding.organisations)


def test_analysis_leaves_the_garbage_collector_as_it_found_it() -> None:
    import gc

    from planner.analysis import analyse
    from planner.casefile import read_case_file
    from tests.conftest import DEMO

    case = read_case_file(DEMO)
    assert gc.isenabled()
    analyse(case)
    assert gc.isenabled()
    gc.disable()
    try:
        analyse(case)
        assert not gc.isenabled()
    finally:
        gc.enable()
