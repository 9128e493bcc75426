"""The misalignment rules M01-M15 against DOMAIN.md section 3, on small hand-built cases.

Every rule gets cases where it must fire and near misses where it must not, on each side of
every threshold and term the catalogue defines. The demo case is checked rule by rule at the end.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from planner.dates import parse_moment
from planner.model import (
    Action,
    CarePlan,
    Case,
    Consent,
    Coordination,
    Handoff,
    Member,
    Moment,
    Organisation,
    Oversight,
    Person,
    Step,
)
from planner.reference import label, regulators_of
from planner.rules import Finding, evaluate
from planner.rules.context import CaseContext
from planner.rules.engine import rule_modules
from tests.conftest import ROOT

RULES_JSON = json.loads((ROOT / "resources" / "rules.json").read_text(encoding="utf-8"))

# ---------------------------------------------------------------------------------------------
# Builders: organisations, steps and cases in a line each.
# ---------------------------------------------------------------------------------------------

DayLike = str | date


def when(value: DayLike | None) -> Moment | None:
    """"2024-02-02" or "2024-02-02T10:15" (or a date) as a model moment."""
    if value is None or isinstance(value, date):
        return value
    return parse_moment(value)


def day(value: DayLike) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def plus(value: DayLike, days: int) -> date:
    return day(value) + timedelta(days=days)


def org(oid: str, sector: str, **fields: Any) -> Organisation:
    """An organisation of a sector; anything not given falls back to the sector's defaults."""
    oversight = fields.pop("oversight", None)
    return Organisation(
        id=oid,
        name=fields.pop("name", f"{oid.capitalize()} Org"),
        sector=sector,
        oversight=Oversight(**oversight) if oversight else None,
        **fields,
    )


def step(sid: str, kind: str, org_id: str, start: DayLike, end: DayLike | None = None, **fields: Any) -> Step:
    if "ready_for_discharge" in fields and fields["ready_for_discharge"] is not None:
        fields["ready_for_discharge"] = day(fields["ready_for_discharge"])
    return Step(id=sid, kind=kind, organisation=org_id, start=when(start), end=when(end), **fields)


def admission(sid: str, org_id: str, start: DayLike, end: DayLike | None = None, **fields: Any) -> Step:
    return step(sid, "admission", org_id, start, end, **fields)


def emergency(sid: str, org_id: str, start: DayLike, end: DayLike | None = None, **fields: Any) -> Step:
    return step(sid, "admission", org_id, start, end, emergency=True, **fields)


def contact(sid: str, org_id: str, start: DayLike, **fields: Any) -> Step:
    return step(sid, "contact", org_id, start, **fields)


def service(sid: str, org_id: str, start: DayLike, end: DayLike | None = None, **fields: Any) -> Step:
    return step(sid, "service", org_id, start, end, **fields)


def handoff(source: str, target: str, method: str | None = None, receiver: str | None = None) -> Handoff:
    return Handoff(source=source, target=target, method=method, named_receiver=receiver)


ALWAYS = object()  # the default: one coordinator active from 2000 onwards


def make_case(
    orgs: list[Organisation],
    steps: list[Step],
    *,
    handoffs: list[Handoff] | None = None,
    coordinator: Any = ALWAYS,
    actions: list[Action] | None = None,
    team: list[Member] | None = None,
    **person: Any,
) -> Case:
    """A case whose person has a valid NHS number, consent given and no area unless told, and a
    coordinator active throughout unless told, so that only the rule under test is in play."""
    details: dict[str, Any] = {
        "name": "Edith Test", "sex": "female", "nhs_number": "9434765919", "consent": Consent("given"),
    }
    details.update(person)
    members = [Member("coord", "Cora Ordinator", "care_navigator"), *(team or [])]
    if coordinator is ALWAYS:
        coordinator = [Coordination("coord", date(2000, 1, 1))]
    return Case(
        person=Person(**details),
        organisations=orgs,
        steps=steps,
        team=members,
        coordinator=coordinator,
        handoffs=handoffs or [],
        care_plan=CarePlan(actions=actions) if actions is not None else None,
    )


def findings(case: Case) -> list[Finding]:
    """evaluate(case).findings, after checking every finding names only what exists in the case
    and carries its rule's title, severity and question."""
    result = evaluate(case).findings
    step_ids = {s.id for s in case.steps}
    orgs = {o.id: o for o in case.organisations}
    for finding in result:
        assert set(finding.steps) <= step_ids, finding
        assert set(finding.organisations) <= set(orgs), finding
        allowed = {code for oid in finding.organisations for code in regulators_of(orgs[oid])}
        assert set(finding.regulators) <= allowed, finding
        assert len(finding.steps) == len(set(finding.steps))
        assert finding.evidence.strip()
    return result


def of(case: Case, rule: str) -> list[Finding]:
    return [f for f in findings(case) if f.rule == rule]


def steps_of(case: Case, rule: str) -> list[list[str]]:
    """The step lists of a rule's findings, in the engine's order."""
    return [f.steps for f in of(case, rule)]


def one(case: Case, rule: str) -> Finding:
    found = of(case, rule)
    assert len(found) == 1, [f.steps for f in found]
    return found[0]


def fires(case: Case, rule: str) -> bool:
    return bool(of(case, rule))


# ---------------------------------------------------------------------------------------------
# M01 Organisation-rated, pathway-unowned
# ---------------------------------------------------------------------------------------------


def m01_orgs(**acute: Any) -> list[Organisation]:
    return [
        org("acute", "acute", name="County Hospital", **acute),  # CQC + NHSE by default
        org("gp", "primary_care", name="High Street Surgery"),
        org("council", "local_authority", name="County Council"),  # CQC
    ]


def m01_delayed_case(**acute: Any) -> Case:
    return make_case(
        m01_orgs(**acute),
        [
            contact("c1", "gp", "2024-01-02"),
            emergency("a1", "acute", "2024-01-10", "2024-01-22", ready_for_discharge="2024-01-20"),
            step("as1", "assessment", "council", "2024-01-15"),
        ],
    )


def test_m01_fires_once_on_a_delayed_discharge_naming_outcome_and_regulators() -> None:
    finding = one(m01_delayed_case(), "M01")
    assert finding.steps == ["a1"]
    assert set(finding.organisations) == {"acute", "gp", "council"}
    assert set(finding.regulators) == {"CQC", "NHSE"}
    assert "3 organisations" in finding.evidence and "2 regulators" in finding.evidence
    assert "2 days delayed at County Hospital" in finding.evidence
    assert "ready 20 Jan 2024, left 22 Jan 2024" in finding.evidence


def test_m01_needs_an_adverse_outcome() -> None:
    case = m01_delayed_case()
    case.steps[1].ready_for_discharge = date(2024, 1, 22)  # left the day she was ready: 0 delayed days
    assert not fires(case, "M01")


def test_m01_fires_on_a_readmission_alone() -> None:
    case = make_case(
        m01_orgs(),
        [
            contact("c1", "gp", "2024-01-02"),
            admission("a1", "acute", "2024-01-10", "2024-01-20"),
            step("as1", "assessment", "council", "2024-01-15"),
            emergency("a2", "acute", "2024-02-05", "2024-02-08"),
        ],
    )
    finding = one(case, "M01")
    assert finding.steps == ["a1", "a2"]
    assert "readmitted to County Hospital on 5 Feb 2024, 16 days after leaving" in finding.evidence


def test_m01_fires_on_a_placement_after_hospital_alone() -> None:
    case = make_case(
        [*m01_orgs(), org("home", "care_home", name="Rose Care Home")],
        [
            contact("c1", "gp", "2024-01-02"),
            admission("a1", "acute", "2024-01-10", "2024-01-20"),
            step("p1", "placement", "home", "2024-01-27", permanent=True),
        ],
    )
    finding = one(case, "M01")
    assert finding.steps == ["a1", "p1"]
    assert "moved permanently into Rose Care Home on 27 Jan 2024" in finding.evidence


def test_m01_lists_every_adverse_outcome_in_one_finding() -> None:
    case = make_case(
        m01_orgs(),
        [
            contact("c1", "gp", "2024-01-02"),
            admission("a1", "acute", "2024-01-10", "2024-01-20", ready_for_discharge="2024-01-17"),
            step("as1", "assessment", "council", "2024-01-15"),
            emergency("a2", "acute", "2024-02-05", "2024-02-18", ready_for_discharge="2024-02-10"),
        ],
    )
    finding = one(case, "M01")
    assert set(finding.steps) == {"a1", "a2"}
    assert "3 days delayed" in finding.evidence
    assert "8 days delayed" in finding.evidence
    assert "readmitted to County Hospital on 5 Feb 2024" in finding.evidence


def test_m01_needs_three_organisations_on_the_pathway() -> None:
    case = m01_delayed_case()
    case.steps = [s for s in case.steps if s.organisation != "council"]  # council stays, with no step
    assert not fires(case, "M01")


def test_m01_needs_two_distinct_regulators() -> None:
    only_cqc = make_case(
        [org("acute", "acute", regulators=["CQC"]), org("gp", "primary_care", regulators=["CQC"]),
         org("council", "local_authority")],
        m01_delayed_case().steps,
    )
    assert not fires(only_cqc, "M01")
    only_cqc.organisations[1].regulators = ["NHSE"]
    assert fires(only_cqc, "M01")


@pytest.mark.parametrize(("flag", "on_pathway", "expected"), [
    (True, True, False),
    (False, True, True),
    (None, True, True),
    (True, False, True),  # an organisation without steps is not on the pathway
])
def test_m01_system_level_assessment_suppresses(flag: bool | None, on_pathway: bool, expected: bool) -> None:
    case = m01_delayed_case()
    system = org("ics", "system", oversight={"system_level_assessment": flag})
    case.organisations.append(system)
    if on_pathway:
        case.steps.append(step("r1", "review", "ics", "2024-01-25"))
    assert fires(case, "M01") is expected


# ---------------------------------------------------------------------------------------------
# M02 Activity-paid admission, block-paid alternative
# ---------------------------------------------------------------------------------------------


def m02_case(gap_days: int = 200, *, hospital: dict[str, Any] | None = None,
             alternative: Organisation | None = None, with_alternative: bool = True) -> Case:
    orgs = [org("acute", "acute", name="County Hospital", **(hospital or {}))]
    steps = [emergency("a1", "acute", "2023-03-01", "2023-03-05"),
             emergency("a2", "acute", plus("2023-03-01", gap_days), plus("2023-03-01", gap_days + 3))]
    if with_alternative:
        orgs.append(alternative or org("gp", "primary_care", name="High Street Surgery"))
        steps.append(contact("c1", orgs[1].id, "2023-02-01"))
    return make_case(orgs, steps)


def test_m02_fires_on_the_second_emergency_admission_within_364_days() -> None:
    case = m02_case(364)
    finding = one(case, "M02")
    assert finding.steps == ["a1", "a2"]
    assert finding.organisations == ["acute", "gp"]
    assert "Emergency admission to County Hospital on 28 Feb 2024" in finding.evidence
    assert "second in 12 months (before: 1 Mar 2023)" in finding.evidence
    assert "High Street Surgery (capitation)" in finding.evidence


def test_m02_window_is_364_days() -> None:
    assert not fires(m02_case(365), "M02")


def test_m02_needs_two_emergency_admissions() -> None:
    case = m02_case()
    case.steps[0].emergency = None  # a planned first admission
    assert not fires(case, "M02")
    case.steps[0].setting = "emergency_department"  # emergency by setting
    assert steps_of(case, "M02") == [["a1", "a2"]]


def test_m02_an_attendance_is_not_an_admission() -> None:
    case = m02_case()
    case.steps[0].kind = "attendance"
    assert not fires(case, "M02")


def test_m02_one_finding_per_admission_counting_all_in_the_window() -> None:
    case = m02_case(100)
    case.steps.append(emergency("a3", "acute", "2023-09-01", "2023-09-03"))
    found = of(case, "M02")
    assert [f.steps for f in found] == [["a1", "a2"], ["a1", "a2", "a3"]]
    assert "third in 12 months (before: 1 Mar 2023 and 9 Jun 2023)" in found[1].evidence


@pytest.mark.parametrize(("payment", "expected"), [
    (None, True), ("activity", True), ("blended", True), ("block", False), ("capitation", False),
])
def test_m02_hospital_paid_by_activity_or_blended(payment: str | None, expected: bool) -> None:
    assert fires(m02_case(hospital={"payment_model": payment}), "M02") is expected


def test_m02_earlier_admission_elsewhere_counts_but_only_the_activity_paid_one_fires() -> None:
    case = m02_case()
    case.organisations.append(org("chs", "community_health", name="Community Hospital"))  # block
    case.steps[0].organisation = "chs"
    assert steps_of(case, "M02") == [["a1", "a2"]]
    evidence = one(case, "M02").evidence
    assert "Emergency admission to County Hospital on 17 Sep 2023" in evidence
    assert "County Hospital is paid" in evidence and "Community Hospital (block contract)" in evidence


@pytest.mark.parametrize(("alternative", "expected"), [
    (org("gp", "primary_care"), True),
    (org("gp", "community_health"), True),
    (org("gp", "primary_care", payment_model="block"), True),
    (org("gp", "primary_care", payment_model="activity"), False),
    (org("gp", "community_health", payment_model="blended"), False),
    (org("gp", "ambulance"), False),  # block-paid, but not primary care or community health
])
def test_m02_needs_a_block_or_capitation_primary_or_community_org(alternative: Organisation,
                                                                  expected: bool) -> None:
    assert fires(m02_case(alternative=alternative), "M02") is expected


def test_m02_alternative_must_be_on_the_pathway() -> None:
    assert not fires(m02_case(with_alternative=False), "M02")
    case = m02_case()
    case.steps = [s for s in case.steps if s.id != "c1"]  # the surgery stays, with no step
    assert not fires(case, "M02")


# ---------------------------------------------------------------------------------------------
# M03 Free NHS care meets means-tested care
# ---------------------------------------------------------------------------------------------


def m03_case(first: str | None, second: str | None, **kw: Any) -> Case:
    return make_case(
        [org("acute", "acute", name="County Hospital"), org("council", "local_authority", name="County Council")],
        [step("s1", "discharge", "acute", "2024-02-01", funding=first),
         step("s2", "service", "council", "2024-02-03", funding=second), *kw.pop("extra", [])],
        **kw,
    )


@pytest.mark.parametrize(("first", "second", "expected"), [
    ("nhs", "local_authority", True),
    ("nhs", "self_funded", True),
    ("chc", "personal_budget", True),
    ("local_authority", "nhs", True),  # the reverse
    ("self_funded", "chc", True),
    ("nhs", "nhs", False),
    ("nhs", "chc", False),
    ("local_authority", "self_funded", False),
    ("nhs", "bcf_pooled", False),
    ("charity", "local_authority", False),
    ("nhs", None, False),
])
def test_m03_handoff_between_funding_regimes(first: str, second: str | None, expected: bool) -> None:
    assert (steps_of(m03_case(first, second), "M03") == [["s1", "s2"]]) is expected


def test_m03_evidence_names_both_regimes_and_dates() -> None:
    finding = one(m03_case("nhs", "self_funded"), "M03")
    assert "1 Feb 2024 was free NHS care" in finding.evidence
    assert "3 Feb 2024 is self-funded" in finding.evidence
    assert "not recorded: inferred from the order of steps" in finding.evidence


def test_m03_no_handoff_between_consecutive_steps_at_one_organisation() -> None:
    case = m03_case("nhs", "local_authority")
    case.steps[1].organisation = "acute"
    assert not fires(case, "M03")


def test_m03_a_given_handoff_counts_even_between_distant_steps() -> None:
    case = m03_case("nhs", "nhs", extra=[step("s3", "service", "council", "2024-03-01", funding="local_authority")],
                    handoffs=[handoff("s1", "s3", "letter")])
    finding = one(case, "M03")
    assert finding.steps == ["s1", "s3"]
    assert "The handoff went by letter." in finding.evidence


@pytest.mark.parametrize(("status", "expected"), [
    ("pending", True), ("disputed", True), ("eligible", False), ("not_eligible", False),
    ("checklist_positive", False), ("not_considered", False), (None, False),
])
def test_m03_chc_status_pending_or_disputed(status: str | None, expected: bool) -> None:
    case = m03_case("nhs", "nhs")
    case.steps[0].chc_status = status
    assert (steps_of(case, "M03") == [["s1"]]) is expected
    if expected:
        assert "1 Feb 2024" in one(case, "M03").evidence


# ---------------------------------------------------------------------------------------------
# M04 Contested delay attribution
# ---------------------------------------------------------------------------------------------


def m04_case(sector: str, *, end: str | None = "2024-02-12", **fields: Any) -> Case:
    return make_case(
        [org("bed", sector, name="The Bed")],
        [admission("a1", "bed", "2024-01-20", end, ready_for_discharge="2024-02-02", **fields)],
    )


@pytest.mark.parametrize(("sector", "attribution", "expected"), [
    ("acute", "social_care", True), ("acute", "both", True), ("acute", "nhs", False),
    ("community_health", "social_care", True), ("community_health", "nhs", False),
    ("mental_health", "both", True), ("mental_health", "nhs", False),
    ("care_home", "nhs", True), ("care_home", "both", True), ("care_home", "social_care", False),
    ("hospice", "nhs", True), ("hospice", "social_care", False),
])
def test_m04_attribution_against_bed_type(sector: str, attribution: str, expected: bool) -> None:
    assert (steps_of(m04_case(sector, delay_attribution=attribution), "M04") == [["a1"]]) is expected


@pytest.mark.parametrize(("sector", "reason", "attribution", "expected"), [
    ("acute", "awaiting_care_package", None, True),  # default social care
    ("acute", "awaiting_care_home", None, True),
    ("acute", "awaiting_nhs_service", None, False),  # default NHS
    ("acute", "awaiting_funding_decision", None, True),  # default both
    ("acute", None, None, True),  # nothing recorded: both
    ("care_home", None, None, True),
    ("care_home", "awaiting_nhs_service", None, True),
    ("care_home", "awaiting_care_package", None, False),
    ("acute", "awaiting_care_package", "nhs", False),  # the step's own attribution overrides
    ("acute", "awaiting_nhs_service", "social_care", True),
    ("care_home", "awaiting_care_package", "nhs", True),
    ("care_home", "awaiting_nhs_service", "social_care", False),
])
def test_m04_explicit_attribution_overrides_the_reason_default(
        sector: str, reason: str | None, attribution: str | None, expected: bool) -> None:
    case = m04_case(sector, delay_reason=reason, delay_attribution=attribution)
    assert fires(case, "M04") is expected


def test_m04_evidence() -> None:
    finding = one(m04_case("acute", delay_reason="awaiting_care_package"), "M04")
    assert finding.organisations == ["bed"] and set(finding.regulators) == {"CQC", "NHSE"}
    for text in ("an NHS bed", "2 Feb 2024", "12 Feb 2024", "10 days delayed", "social care",
                 "by default for that reason"):
        assert text in finding.evidence
    recorded = one(m04_case("care_home", delay_attribution="nhs"), "M04")
    assert "a bed outside the NHS" in recorded.evidence and "(as recorded)" in recorded.evidence


@pytest.mark.parametrize(("end", "expected"), [
    ("2024-02-01", False), ("2024-02-02", False), ("2024-02-02T18:00", False),
    ("2024-02-03", True), (None, False),  # an ongoing admission has no delayed days
])
def test_m04_needs_at_least_one_delayed_day(end: str | None, expected: bool) -> None:
    case = m04_case("acute", end=end)
    assert fires(case, "M04") is expected
    if expected:
        assert "1 day delayed" in one(case, "M04").evidence


# ---------------------------------------------------------------------------------------------
# M05 Target met, outcome lost (readmission and placement after hospital)
# ---------------------------------------------------------------------------------------------


def m05_readmission_case(gap_days: int, **second: Any) -> Case:
    fields: dict[str, Any] = {"emergency": True, **second}
    kind = fields.pop("kind", "admission")
    return make_case(
        [org("acute", "acute", name="County Hospital"), org("gen", "acute", name="General Hospital")],
        [admission("a1", "acute", "2024-01-10", "2024-02-12"),
         step("a2", kind, "gen", plus("2024-02-12", gap_days), plus("2024-02-12", gap_days + 2), **fields)],
    )


@pytest.mark.parametrize(("gap", "expected"), [(0, True), (1, True), (29, True), (30, False), (-1, False)])
def test_m05_readmission_within_0_to_29_days(gap: int, expected: bool) -> None:
    assert (steps_of(m05_readmission_case(gap), "M05") == [["a1", "a2"]]) is expected


def test_m05_readmission_evidence() -> None:
    finding = one(m05_readmission_case(29), "M05")
    assert finding.organisations == ["acute", "gen"]
    assert "Discharged from County Hospital on 12 Feb 2024" in finding.evidence
    assert "General Hospital on 12 Mar 2024, 29 days later" in finding.evidence


def test_m05_a_delayed_first_stay_is_not_called_a_success_in_the_delay_figures() -> None:
    assert "counted as a success in the hospital's length-of-stay and delayed-transfer figures" in one(
        m05_readmission_case(10), "M05").evidence
    case = m05_readmission_case(10)
    case.steps[0].ready_for_discharge = date(2024, 2, 2)  # 10 days delayed before the discharge
    evidence = one(case, "M05").evidence
    assert "success" not in evidence
    assert "The first stay's 10 days of delay counted in the delayed-transfer figures" in evidence
    case.steps[0].ready_for_discharge = date(2024, 2, 11)
    assert "The first stay's 1 day of delay counted" in one(case, "M05").evidence


def test_m05_readmission_must_be_an_emergency_admission() -> None:
    assert not fires(m05_readmission_case(5, emergency=None), "M05")
    assert not fires(m05_readmission_case(5, emergency=False), "M05")
    assert not fires(m05_readmission_case(5, kind="attendance"), "M05")  # never an admission
    assert fires(m05_readmission_case(5, emergency=None, setting="emergency_department"), "M05")


def test_m05_an_ongoing_first_admission_has_no_end_to_be_readmitted_after() -> None:
    case = m05_readmission_case(5)
    case.steps[0].end = None
    assert not fires(case, "M05")


def test_m05_counts_from_the_latest_earlier_discharge() -> None:
    case = m05_readmission_case(40)
    case.steps.insert(1, admission("mid", "acute", "2024-02-20", "2024-03-01"))
    assert steps_of(case, "M05") == [["mid", "a2"]]  # a2 starts 23 Mar: 22 days after 1 Mar


def m05_placement_case(gap_days: int, permanent: bool | None = True, between: Step | None = None) -> Case:
    return make_case(
        [org("acute", "acute", name="County Hospital"), org("home", "care_home", name="Rose Care Home"),
         org("dom", "domiciliary_care", name="Home Helpers")],
        [admission("a1", "acute", "2024-01-10", "2024-02-12T11:00"),
         *([between] if between else []),
         step("p1", "placement", "home", plus("2024-02-12", gap_days), permanent=permanent)],
    )


@pytest.mark.parametrize(("gap", "expected"), [(0, True), (7, True), (8, False)])
def test_m05_placement_after_hospital_within_7_days(gap: int, expected: bool) -> None:
    case = m05_placement_case(gap)
    assert (steps_of(case, "M05") == [["a1", "p1"]]) is expected
    if expected:
        evidence = one(case, "M05").evidence
        assert "Left County Hospital on 12 Feb 2024" in evidence
        assert f"Rose Care Home on {plus('2024-02-12', gap).day} Feb 2024" in evidence


@pytest.mark.parametrize("permanent", [False, None])
def test_m05_placement_must_be_permanent(permanent: bool | None) -> None:
    assert not fires(m05_placement_case(3, permanent), "M05")


@pytest.mark.parametrize(("setting", "start", "expected"), [
    ("reablement", "2024-02-13", False),
    ("intermediate_care", "2024-02-12", False),  # starting on the day she left (after 11:00 or not)
    ("reablement", "2024-02-11", True),  # started before the admission ended: not in between
    ("home", "2024-02-13", True),  # ordinary home care is not a step down
])
def test_m05_reablement_between_discharge_and_placement(setting: str, start: str, expected: bool) -> None:
    between = service("r1", "dom", start, "2024-02-14", setting=setting)
    assert fires(m05_placement_case(3, between=between), "M05") is expected


def test_m05_placement_without_an_admission_before() -> None:
    case = m05_placement_case(3)
    case.steps[0].end = None  # ongoing: no end to count from
    assert not fires(case, "M05")


# ---------------------------------------------------------------------------------------------
# M06 Weekend gap and lapsed care package
# ---------------------------------------------------------------------------------------------


def m06_weekend_case(ready: str, end: str | None) -> Case:
    return make_case([org("acute", "acute", name="County Hospital")],
                     [admission("a1", "acute", "2024-01-20", end, ready_for_discharge=ready)])


@pytest.mark.parametrize(("ready", "expected"), [
    ("2024-02-01", False),  # Thursday
    ("2024-02-02", True),  # Friday
    ("2024-02-03", True),  # Saturday
    ("2024-02-04", True),  # Sunday
    ("2024-02-05", False),  # Monday
])
def test_m06_ready_for_discharge_at_the_weekend(ready: str, expected: bool) -> None:
    assert (steps_of(m06_weekend_case(ready, "2024-02-06"), "M06") == [["a1"]]) is expected


@pytest.mark.parametrize(("end", "expected"), [
    ("2024-02-02", False), ("2024-02-02T17:00", False), ("2024-02-03", True), (None, False),
])
def test_m06_weekend_needs_a_later_end_date(end: str | None, expected: bool) -> None:
    assert fires(m06_weekend_case("2024-02-02", end), "M06") is expected


def test_m06_weekend_evidence() -> None:
    evidence = one(m06_weekend_case("2024-02-02", "2024-02-05"), "M06").evidence
    assert "Friday 2 Feb 2024" in evidence and "Monday 5 Feb 2024" in evidence and "3 days later" in evidence


def m06_package_case(ended: str | None, restart: str, *, restart_org: str = "dom2",
                     restart_kind: str = "service", first_org: str = "dom1",
                     admitted_until: str | None = "2024-02-10") -> Case:
    return make_case(
        [org("acute", "acute", name="County Hospital"), org("dom1", "domiciliary_care", name="Bay Care"),
         org("dom2", "domiciliary_care", name="Riviera Care"), org("chs", "community_health")],
        [service("h1", first_org, "2024-01-01", ended),
         admission("a1", "acute", "2024-01-20T09:30", admitted_until),
         step("h2", restart_kind, restart_org, restart)],
    )


@pytest.mark.parametrize(("ended", "restart", "expected"), [
    ("2024-01-25", "2024-02-10", True),  # restarted on the day she left
    ("2024-01-25", "2024-02-20", True),
    ("2024-01-25", "2024-02-09", False),  # the other package began before discharge
    ("2024-01-20", "2024-02-12", True),  # ended on the admission's start date
    ("2024-02-10", "2024-02-12", True),  # ended on the admission's end date
    ("2024-01-19", "2024-02-12", False),  # ended the day before admission
    ("2024-02-11", "2024-02-12", False),  # ended after discharge
    (None, "2024-02-12", False),  # never ended
])
def test_m06_lapsed_package(ended: str | None, restart: str, expected: bool) -> None:
    assert (steps_of(m06_package_case(ended, restart), "M06") == [["h1", "a1", "h2"]]) is expected


def test_m06_lapsed_package_evidence() -> None:
    finding = one(m06_package_case("2024-01-25", "2024-02-12"), "M06")
    assert finding.organisations == ["dom1", "acute", "dom2"]
    for text in ("Bay Care ended on 25 Jan 2024", "20 Jan 2024", "10 Feb 2024", "Riviera Care from 12 Feb 2024"):
        assert text in finding.evidence


def test_m06_lapsed_package_variants() -> None:
    assert fires(m06_package_case("2024-01-25", "2024-02-12", restart_org="dom1"), "M06")  # same agency
    assert not fires(m06_package_case("2024-01-25", "2024-02-12", restart_org="chs"), "M06")
    assert not fires(m06_package_case("2024-01-25", "2024-02-12", first_org="chs"), "M06")
    assert not fires(m06_package_case("2024-01-25", "2024-02-12", restart_kind="assessment"), "M06")
    assert not fires(m06_package_case("2024-01-25", "2024-02-12", admitted_until=None), "M06")


# ---------------------------------------------------------------------------------------------
# M07 Duplicated assessment
# ---------------------------------------------------------------------------------------------


def assessment(sid: str, org_id: str, start: DayLike, domain: str | None = "falls") -> Step:
    return step(sid, "assessment", org_id, start, assessment_domain=domain)


M07_ORGS = [("acute", "acute", "County Hospital"), ("chs", "community_health", "Community Team"),
            ("council", "local_authority", "County Council")]


def m07_case(*steps: Step) -> Case:
    return make_case([org(i, s, name=n) for i, s, n in M07_ORGS], list(steps))


@pytest.mark.parametrize(("apart", "expected"), [(0, True), (28, True), (29, False)])
def test_m07_within_28_days(apart: int, expected: bool) -> None:
    case = m07_case(assessment("x1", "acute", "2024-01-24"), assessment("x2", "chs", plus("2024-01-24", apart)))
    assert (steps_of(case, "M07") == [["x1", "x2"]]) is expected


def test_m07_evidence() -> None:
    finding = one(m07_case(assessment("x1", "acute", "2024-01-24"), assessment("x2", "chs", "2024-02-21")), "M07")
    assert finding.organisations == ["acute", "chs"]
    assert "by County Hospital on 24 Jan 2024" in finding.evidence
    assert "by Community Team on 21 Feb 2024, 28 days apart" in finding.evidence


def test_m07_same_organisation_does_not_duplicate() -> None:
    assert not fires(m07_case(assessment("x1", "chs", "2024-01-24"), assessment("x2", "chs", "2024-01-30")), "M07")


@pytest.mark.parametrize(("first", "second", "expected"), [
    ("falls", "falls", True), ("social_care_needs", "social_care_needs", True),
    ("falls", "therapy", False), ("other", "other", False), (None, None, False), ("falls", None, False),
])
def test_m07_domains_must_match_and_other_or_absent_never_do(first: str | None, second: str | None,
                                                              expected: bool) -> None:
    case = m07_case(assessment("x1", "acute", "2024-01-24", first), assessment("x2", "chs", "2024-01-26", second))
    assert fires(case, "M07") is expected


def test_m07_only_assessment_steps() -> None:
    case = m07_case(assessment("x1", "acute", "2024-01-24"),
                    step("x2", "review", "chs", "2024-01-26", assessment_domain="falls"))
    assert not fires(case, "M07")


def test_m07_one_finding_per_pair() -> None:
    case = m07_case(assessment("x1", "acute", "2024-01-01"), assessment("x2", "chs", "2024-01-10"),
                    assessment("x3", "council", "2024-01-20"))
    assert steps_of(case, "M07") == [["x1", "x2"], ["x1", "x3"], ["x2", "x3"]]
    # a same-organisation pair is skipped but does not stop the search, and the window still holds
    case = m07_case(assessment("x1", "acute", "2024-01-01"), assessment("x2", "acute", "2024-01-10"),
                    assessment("x3", "chs", "2024-01-31"))
    assert steps_of(case, "M07") == [["x2", "x3"]]


# ---------------------------------------------------------------------------------------------
# M08 Information cannot follow her
# ---------------------------------------------------------------------------------------------


def m08_case(access: bool | None, *, handoffs: list[Handoff] | None = None, **person: Any) -> Case:
    return make_case(
        [org("acute", "acute", name="County Hospital", shared_record_access=True),
         org("dom", "domiciliary_care", name="Home Helpers", shared_record_access=access)],
        [step("s1", "discharge", "acute", "2024-02-12"), step("s2", "assessment", "dom", "2024-02-13")],
        handoffs=handoffs, **person,
    )


@pytest.mark.parametrize(("method", "expected"), [
    ("letter", True), ("phone", True), ("none", True), ("unknown", True), (None, True),
    ("shared_record", False), ("electronic_referral", False), ("in_person", False),
])
def test_m08_weak_handoff_methods(method: str | None, expected: bool) -> None:
    case = m08_case(False, handoffs=[handoff("s1", "s2", method)])
    assert (steps_of(case, "M08") == [["s1", "s2"]]) is expected


@pytest.mark.parametrize(("access", "expected"), [(True, False), (False, True), (None, True)])
def test_m08_shared_record_access(access: bool | None, expected: bool) -> None:
    case = m08_case(access, handoffs=[handoff("s1", "s2", "letter")])
    assert fires(case, "M08") is expected
    if access is False:
        assert "Home Helpers has no access to her shared record" in one(case, "M08").evidence
    if access is None:
        assert "has no recorded access" in one(case, "M08").evidence


def test_m08_access_is_the_receivers() -> None:
    case = m08_case(False, handoffs=[handoff("s2", "s1", "letter")])  # into the hospital, which has access
    assert not fires(case, "M08")


@pytest.mark.parametrize(("second_start", "first_end", "expected"), [
    ("2024-02-13", None, True),          # the same day
    ("2024-02-20", None, True),          # 7 days after the first's start (it has no end)
    ("2024-02-21", None, False),         # 8 days: separate episodes, no handoff
    ("2024-02-25", "2024-02-18", True),  # 7 days after the first's end
    ("2024-02-26", "2024-02-18", False),  # 8 days after its end
    ("2024-02-15", "2024-02-18", True),  # starts while the first is still going: an overlap counts
])
def test_derived_handoffs_only_within_7_days(second_start: str, first_end: str | None, expected: bool) -> None:
    case = make_case(
        [org("acute", "acute", name="County Hospital", shared_record_access=True),
         org("dom", "domiciliary_care", name="Home Helpers")],
        [step("s1", "discharge" if first_end is None else "service", "acute", "2024-02-13", first_end),
         step("s2", "service", "dom", second_start)])
    assert (steps_of(case, "M08") == [["s1", "s2"]]) is expected
    links = CaseContext(case).handoffs
    assert [(link.source.id, link.target.id, link.derived) for link in links] == (
        [("s1", "s2", True)] if expected else [])


def test_given_handoffs_count_whatever_the_gap() -> None:
    case = make_case(
        [org("acute", "acute", name="County Hospital"), org("dom", "domiciliary_care", name="Home Helpers")],
        [step("s1", "discharge", "acute", "2024-02-13"), step("s2", "service", "dom", "2024-06-01")],
        handoffs=[handoff("s1", "s2", "letter")])
    assert steps_of(case, "M08") == [["s1", "s2"]]
    assert "not recorded" not in one(case, "M08").evidence


def test_m08_derived_handoff_and_its_suppression() -> None:
    derived = one(m08_case(None), "M08")
    assert derived.steps == ["s1", "s2"]
    assert "13 Feb 2024" in derived.evidence and "not recorded: inferred from the order of steps" in derived.evidence
    # a given handoff between the two steps, in either direction, replaces the derived one
    assert not fires(m08_case(None, handoffs=[handoff("s1", "s2", "shared_record")]), "M08")
    assert not fires(m08_case(None, handoffs=[handoff("s2", "s1", "shared_record")]), "M08")


def m08_sectors_case(second_sector: str, consent: Consent | None, **person: Any) -> Case:
    return make_case(
        [org("gp", "primary_care", shared_record_access=True),
         org("other", second_sector, shared_record_access=True)],
        [contact("c1", "gp", "2024-01-01"), contact("c2", "other", "2024-01-05")],
        consent=consent, **person,
    )


@pytest.mark.parametrize(("status", "expected"), [
    ("given", False), ("best_interests", False), ("lasting_power_of_attorney", False),
    ("refused", True), ("not_asked", True), (None, True),
])
def test_m08_consent_across_two_sectors(status: str | None, expected: bool) -> None:
    case = m08_sectors_case("local_authority", Consent(status) if status else None)
    assert fires(case, "M08") is expected
    if expected:
        finding = one(case, "M08")
        assert finding.steps == [] and set(finding.organisations) == {"gp", "other"}
        assert "2 sectors" in finding.evidence
        state = "not recorded" if status is None else label("consent_status", status).lower()
        assert state in finding.evidence.lower()


def test_m08_consent_does_not_matter_within_one_sector() -> None:
    assert not fires(m08_sectors_case("primary_care", None), "M08")
    case = m08_sectors_case("primary_care", Consent("refused"))
    case.organisations.append(org("council", "local_authority"))  # no step: not on the pathway
    assert not fires(case, "M08")


@pytest.mark.parametrize(("number", "expected"), [("9434765919", False), (None, True), ("", True)])
def test_m08_nhs_number(number: str | None, expected: bool) -> None:
    case = m08_sectors_case("primary_care", Consent("given"), nhs_number=number)
    assert fires(case, "M08") is expected
    if expected:
        finding = one(case, "M08")
        assert finding.steps == [] and "No NHS number" in finding.evidence


def test_m08_case_level_problems_merge_into_one_finding() -> None:
    finding = one(m08_sectors_case("local_authority", None, nhs_number=None), "M08")
    assert finding.steps == []
    assert "consent" in finding.evidence and "No NHS number" in finding.evidence


# ---------------------------------------------------------------------------------------------
# M09 Across a boundary
# ---------------------------------------------------------------------------------------------


def m09_case(home: str | None, there: str | None) -> Case:
    return make_case([org("acute", "acute", name="Exeter Hospital", area=there)],
                     [contact("c1", "acute", "2024-03-20")], area=home)


@pytest.mark.parametrize(("home", "there", "expected"), [
    ("Torbay", "Devon", True),
    ("Torbay", "torbay", False),
    ("Torbay", " TOR bay\t", False),
    ("South Devon", "southdevon", False),
    ("Torbay", None, False),
    ("Torbay", "", False),
    ("Torbay", "  \t", False),
    (None, "Devon", False),
    ("", "Devon", False),
    ("   ", "Devon", False),
    ("\n", "Devon", False),
])
def test_m09_area_differs(home: str | None, there: str | None, expected: bool) -> None:
    case = m09_case(home, there)
    assert (steps_of(case, "M09") == [["c1"]]) is expected
    if expected:
        evidence = one(case, "M09").evidence
        assert "20 Mar 2024" in evidence and "in “Devon”" in evidence and "lives in “Torbay”" in evidence


def test_m09_areas_are_quoted_as_written_without_stray_spaces() -> None:
    evidence = one(m09_case("  Torbay ", " South Hams\t"), "M09").evidence
    assert "in “South Hams”" in evidence and "lives in “Torbay”" in evidence


def test_m09_one_finding_per_step() -> None:
    case = m09_case("Torbay", "Devon")
    case.steps.append(contact("c2", "acute", "2024-03-25"))
    assert steps_of(case, "M09") == [["c1"], ["c2"]]


# ---------------------------------------------------------------------------------------------
# M10 Care home resident, NHS access by default through A&E
# ---------------------------------------------------------------------------------------------


def m10_case(*steps: Step, living: str | None = "care_home") -> Case:
    return make_case(
        [org("acute", "acute", name="County Hospital"), org("gp", "primary_care", name="High Street Surgery"),
         org("chs", "community_health", name="Community Team"), org("home", "care_home", name="Rose Care Home"),
         org("dom", "domiciliary_care")],
        [*steps, step("ae", "attendance", "acute", "2024-03-15T10:00", emergency=True)],
        living_situation=living,
    )


@pytest.mark.parametrize("living", ["care_home", "nursing_home"])
def test_m10_care_home_resident_by_living_situation(living: str) -> None:
    finding = one(m10_case(contact("c1", "gp", "2024-02-01"), living=living), "M10")
    assert finding.steps == ["ae"] and finding.organisations == ["acute"]
    assert "15 Mar 2024" in finding.evidence and "14 days" in finding.evidence
    assert "the last was on 1 Feb 2024" in finding.evidence


@pytest.mark.parametrize("living", ["alone", "with_family", None])
def test_m10_not_a_care_home_resident(living: str | None) -> None:
    assert not fires(m10_case(living=living), "M10")


@pytest.mark.parametrize(("where", "start", "expected"), [
    ("gp", "2024-03-01", False),  # 14 days before: inside the window
    ("gp", "2024-02-29", True),  # 15 days before
    ("gp", "2024-03-15T16:00", False),  # the same day, even later that day
    ("gp", "2024-03-16", True),  # after the event
    ("chs", "2024-03-10", False),
    ("dom", "2024-03-10", True),  # home care is not GP or community health
])
def test_m10_local_nhs_contact_in_the_14_days_before(where: str, start: str, expected: bool) -> None:
    assert fires(m10_case(contact("c1", where, start)), "M10") is expected


def test_m10_no_contact_at_all() -> None:
    assert "none is recorded" in one(m10_case(), "M10").evidence


@pytest.mark.parametrize(("kind", "fields", "expected"), [
    ("attendance", {"emergency": True}, True),
    ("admission", {"emergency": True}, True),
    ("attendance", {"setting": "emergency_department"}, True),
    ("attendance", {"emergency": False}, False),
    ("admission", {}, False),
    ("contact", {"emergency": True}, False),  # an emergency contact is neither attendance nor admission
])
def test_m10_emergency_attendance_or_admission(kind: str, fields: dict[str, Any], expected: bool) -> None:
    case = m10_case()
    case.steps = [step("e1", kind, "acute", "2024-03-15", **fields)]
    assert fires(case, "M10") is expected


def test_m10_the_event_itself_is_not_a_contact_before_it() -> None:
    case = m10_case()
    case.steps = [emergency("e1", "chs", "2024-03-15")]  # emergency admission to a community hospital
    assert steps_of(case, "M10") == [["e1"]]
    # DOMAIN.md says "no *other* step at a primary_care or community_health organisation": another
    # step at the same community organisation is such a step and counts (literal reading).
    case.steps.insert(0, contact("c1", "chs", "2024-03-10"))
    assert not fires(case, "M10")


def test_m10_after_a_permanent_placement() -> None:
    case = m10_case(step("p1", "placement", "home", "2024-01-10", permanent=True), living="alone")
    finding = one(case, "M10")
    assert finding.steps == ["p1", "ae"] and finding.organisations == ["home", "acute"]
    assert "Rose Care Home" in finding.evidence


def test_m10_placement_must_come_before_the_event() -> None:
    case = m10_case(step("p1", "placement", "home", "2024-04-01", permanent=True))
    assert not fires(case, "M10")


@pytest.mark.parametrize("permanent", [False, None])
def test_m10_living_situation_is_ignored_when_the_case_has_any_placement(permanent: bool | None) -> None:
    case = m10_case(step("p1", "placement", "home", "2024-01-10", permanent=permanent), living="care_home")
    assert not fires(case, "M10")


# ---------------------------------------------------------------------------------------------
# M11 Care outside any care regulator
# ---------------------------------------------------------------------------------------------


def m11_case(*, sector: str = "voluntary", with_step: bool = True, actions: list[Action] | None = None,
             **fields: Any) -> Case:
    return make_case(
        [org("vol", sector, name="Befriending Circle", **fields), org("gp", "primary_care")],
        [contact("c1", "gp", "2024-01-01"), *([service("v1", "vol", "2024-01-08")] if with_step else [])],
        actions=actions,
        team=[Member("vw", "Val Worker", "voluntary_worker", organisation="vol"),
              Member("gp1", "Dr Gee", "gp", organisation="gp")],
    )


@pytest.mark.parametrize(("fields", "expected"), [
    ({}, True),  # default regulators: Charity Commission only, so not CQC-registered
    ({"cqc_registered": True}, False),
    ({"cqc_registered": True, "funding_term": "recurrent"}, False),
    ({"cqc_registered": True, "funding_term": "time_limited"}, True),
    ({"regulators": ["CQC", "CHARITY_COMMISSION"]}, False),  # registered through its regulators
    ({"regulators": ["CQC"], "funding_term": "time_limited"}, True),
    ({"regulators": ["CQC"], "cqc_registered": False}, True),  # the explicit flag wins
    ({"cqc_registered": False, "funding_term": "recurrent"}, True),
])
def test_m11_voluntary_organisation(fields: dict[str, Any], expected: bool) -> None:
    case = m11_case(**fields)
    assert (steps_of(case, "M11") == [["v1"]]) is expected
    if expected:
        assert "8 Jan 2024" in one(case, "M11").evidence


def test_m11_evidence_gives_both_reasons() -> None:
    evidence = one(m11_case(funding_term="time_limited"), "M11").evidence
    assert "not registered with CQC" in evidence and "funded for a limited time" in evidence


@pytest.mark.parametrize("sector", ["informal", "pharmacy", "hospice"])
def test_m11_only_voluntary_sector(sector: str) -> None:
    assert not fires(m11_case(sector=sector, cqc_registered=False, funding_term="time_limited"), "M11")


@pytest.mark.parametrize(("owner", "expected"), [
    ("vol", True),  # the organisation itself
    ("vw", True),  # a member of it
    ("gp1", False),  # a member of another organisation
    ("gp", False),
    (None, False),
])
def test_m11_action_owned_by_a_voluntary_organisation(owner: str | None, expected: bool) -> None:
    case = m11_case(with_step=False, actions=[Action("a1", "Weekly visit", owner=owner)])
    assert fires(case, "M11") is expected
    if expected:
        finding = one(case, "M11")
        assert finding.steps == [] and finding.organisations == ["vol"]
        assert "Weekly visit" in finding.evidence


def test_m11_action_owned_by_a_registered_voluntary_organisation() -> None:
    case = m11_case(with_step=False, cqc_registered=True, actions=[Action("a1", "Weekly visit", owner="vw")])
    assert not fires(case, "M11")


# ---------------------------------------------------------------------------------------------
# M12 Same story, different clocks
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("setting", "funding", "expected"), [
    ("reablement", "self_funded", True), ("intermediate_care", "self_funded", True),
    ("reablement", "local_authority", False), ("intermediate_care", "nhs", False),
    ("home", "self_funded", False),
])
def test_m12_self_funded_reablement(setting: str, funding: str, expected: bool) -> None:
    case = make_case([org("dom", "domiciliary_care", name="Home Helpers")],
                     [service("r1", "dom", "2024-04-26", "2024-05-24", setting=setting, funding=funding)])
    assert (steps_of(case, "M12") == [["r1"]]) is expected
    if expected:
        assert "26 Apr 2024" in one(case, "M12").evidence


def m12_case(council_day: str, *, ready: str = "2024-01-20", sector: str = "local_authority") -> Case:
    return make_case(
        [org("acute", "acute", name="County Hospital"), org("council", sector, name="County Council")],
        [admission("a1", "acute", "2024-01-10", "2024-01-25", ready_for_discharge=ready),
         step("x1", "assessment", "council", council_day)],
    )


@pytest.mark.parametrize(("council_day", "expected"), [
    ("2024-01-09", False), ("2024-01-10", True), ("2024-02-01", True),
])
def test_m12_delay_and_a_council_step_on_or_after_admission(council_day: str, expected: bool) -> None:
    assert (steps_of(m12_case(council_day), "M12") == [["a1", "x1"]]) is expected


def test_m12_the_council_step_is_not_the_admission_itself() -> None:
    # an admission at a council-run bed has delayed days; only another council step makes it fire
    case = make_case(
        [org("council", "local_authority", name="County Council")],
        [admission("a1", "council", "2024-01-10", "2024-01-25", ready_for_discharge="2024-01-20")])
    assert not fires(case, "M12")
    case.steps.append(step("x1", "assessment", "council", "2024-01-10"))
    assert steps_of(case, "M12") == [["a1", "x1"]]


def test_m12_one_delayed_day_counts() -> None:
    evidence = one(m12_case("2024-01-22", ready="2024-01-24"), "M12").evidence
    assert "1 day delayed at County Hospital counts in the NHS's monthly returns" in evidence


def test_m12_delay_evidence_and_near_misses() -> None:
    finding = one(m12_case("2024-01-22"), "M12")
    assert "5 days delayed at County Hospital" in finding.evidence and "22 Jan 2024" in finding.evidence
    assert not fires(m12_case("2024-01-22", ready="2024-01-25"), "M12")  # no delayed days
    assert not fires(m12_case("2024-01-22", sector="domiciliary_care"), "M12")


def test_m12_one_finding_per_admission_naming_the_first_council_step() -> None:
    case = m12_case("2024-01-22")
    case.steps.append(step("x2", "review", "council", "2024-03-01"))
    assert steps_of(case, "M12") == [["a1", "x1"]]


# ---------------------------------------------------------------------------------------------
# M13 Nobody owns the handoff
# ---------------------------------------------------------------------------------------------


def m13_case(*, coordinator: Any = None, handoffs: list[Handoff] | None = None,
             actions: list[Action] | None = None, council_sector: str = "local_authority",
             **council: Any) -> Case:
    """A hospital discharge (CQC + NHSE) on 3 Jan followed by a council assessment (CQC) on 10 Jan, 7
    days later (a derived handoff at its longest). By default a coordinator exists, but only during 2023."""
    if coordinator is None:
        coordinator = [Coordination("coord", date(2023, 1, 1), date(2023, 12, 31))]
    return make_case(
        [org("acute", "acute", name="County Hospital"),
         org("council", council_sector, name="County Council", **council)],
        [step("s1", "discharge", "acute", "2024-01-03"), step("s2", "assessment", "council", "2024-01-10"),
         step("s3", "review", "council", "2024-01-20")],
        coordinator=coordinator, handoffs=handoffs, actions=actions,
    )


def test_m13_no_coordinator_at_all() -> None:
    case = m13_case(coordinator=[])
    case.organisations[1].regulators = ["CQC", "NHSE"]  # no handoff problem, only the missing coordinator
    finding = one(case, "M13")
    assert finding.steps == [] and "Nobody has been named" in finding.evidence
    assert not fires(m13_case(coordinator=[Coordination("coord", date(2000, 1, 1))]), "M13")


def test_m13_action_with_no_owner() -> None:
    case = m13_case(coordinator=[Coordination("coord", date(2000, 1, 1))],
                    actions=[Action("a1", "Key safe", owner=None), Action("a2", "Weekly visit", owner="coord")])
    finding = one(case, "M13")
    assert finding.steps == [] and "“Key safe” has no owner" in finding.evidence
    assert "Weekly visit" not in finding.evidence


def test_m13_case_level_problems_merge() -> None:
    case = m13_case(coordinator=[], actions=[Action("a1", "Key safe")])
    case_level = [f for f in of(case, "M13") if f.steps == []]
    assert len(case_level) == 1
    assert "Nobody has been named" in case_level[0].evidence and "Key safe" in case_level[0].evidence


def test_m13_handoff_between_differently_regulated_organisations() -> None:
    finding = one(m13_case(), "M13")
    assert finding.steps == ["s1", "s2"] and finding.organisations == ["acute", "council"]
    assert set(finding.regulators) == {"CQC", "NHSE"}
    assert "On 10 Jan 2024" in finding.evidence
    assert "not recorded: inferred from the order of steps" in finding.evidence


@pytest.mark.parametrize(("regulators", "expected"), [
    (None, True),  # council default: CQC only
    (["CQC", "NHSE"], False),
    (["NHSE", "CQC"], False),  # a set: order does not matter
    (["NHSE"], True),
    ([], True),
])
def test_m13_regulator_sets_must_differ(regulators: list[str] | None, expected: bool) -> None:
    assert fires(m13_case(regulators=regulators), "M13") is expected


@pytest.mark.parametrize(("start", "end", "expected"), [
    ("2024-01-10", None, False),  # from == the handoff's date
    ("2024-01-11", None, True),
    ("2023-01-01", "2024-01-10", False),  # to == the handoff's date
    ("2023-01-01", "2024-01-09", True),
    ("2023-01-01", None, False),
    ("2024-01-01", "2024-01-01", True),  # active on the sending step's date only: the date is the receiver's
])
def test_m13_coordinator_active_on_the_handoff_date(start: str, end: str | None, expected: bool) -> None:
    coordinator = [Coordination("coord", day(start), day(end) if end else None)]
    assert (steps_of(m13_case(coordinator=coordinator), "M13") == [["s1", "s2"]]) is expected


@pytest.mark.parametrize(("given", "expected"), [
    (handoff("s1", "s2", "in_person"), [["s1", "s2"]]),  # given, no receiver named
    (handoff("s1", "s2", "in_person", receiver="coord"), []),
    (handoff("s2", "s1", "phone", receiver="coord"), []),  # the reverse direction also replaces the derived one
    (handoff("s1", "s3", "letter", receiver="coord"), [["s1", "s2"]]),  # does not connect s1 and s2
    (handoff("s1", "s3", "letter"), [["s1", "s2"], ["s1", "s3"]]),
])
def test_m13_given_and_derived_handoffs(given: Handoff, expected: list[list[str]]) -> None:
    assert sorted(steps_of(m13_case(handoffs=[given]), "M13")) == expected


def test_m13_given_handoff_evidence() -> None:
    evidence = one(m13_case(handoffs=[handoff("s1", "s2", "phone")]), "M13").evidence
    assert "On 10 Jan 2024" in evidence and "by phone" in evidence and "derived" not in evidence


# ---------------------------------------------------------------------------------------------
# M14 Finance and quality oversight pull apart
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("recovery", "rating", "expected"), [
    (True, "requires_improvement", True), (True, "inadequate", True),
    (True, "good", False), (True, "outstanding", False), (True, "not_rated", False), (True, None, False),
    (False, "inadequate", False), (None, "requires_improvement", False),
])
def test_m14_financial_recovery_and_poor_rating(recovery: bool | None, rating: str | None, expected: bool) -> None:
    case = make_case(
        [org("acute", "acute", name="County Hospital",
             oversight={"financial_recovery": recovery, "cqc_rating": rating}),
         org("gp", "primary_care")],
        [contact("c1", "acute", "2024-01-01"), contact("c2", "gp", "2024-01-02"),
         contact("c3", "acute", "2024-01-03")],
    )
    assert (steps_of(case, "M14") == [["c1", "c3"]]) is expected
    if expected:
        finding = one(case, "M14")
        assert finding.organisations == ["acute"] and "2 of her steps" in finding.evidence


@pytest.mark.parametrize(("regulators", "words"), [
    (None, "County Hospital is in financial recovery under NHS England and rated inadequate by CQC;"),
    (["NHSE"], "County Hospital is in financial recovery under NHS England and has a recorded quality "
               "rating of inadequate;"),
    (["CHARITY_COMMISSION"], "County Hospital is in financial recovery and has a recorded quality rating "
                             "of inadequate;"),
])
def test_m14_says_rated_by_cqc_only_where_cqc_regulates(regulators: list[str] | None, words: str) -> None:
    case = make_case(
        [org("acute", "acute", name="County Hospital", regulators=regulators,
             oversight={"financial_recovery": True, "cqc_rating": "inadequate"})],
        [contact("c1", "acute", "2024-01-01")])
    assert words in one(case, "M14").evidence


def test_m14_organisation_must_be_on_the_pathway() -> None:
    case = make_case(
        [org("acute", "acute", oversight={"financial_recovery": True, "cqc_rating": "inadequate"}),
         org("gp", "primary_care")],
        [contact("c1", "gp", "2024-01-02")],
    )
    assert not fires(case, "M14")


# ---------------------------------------------------------------------------------------------
# M15 Procured in pieces
# ---------------------------------------------------------------------------------------------


def m15_case(second_start: str, *, first_end: str | None = "2024-01-10", contracts: tuple[Any, Any] = ("A", "B"),
             second_org: str = "two") -> Case:
    return make_case(
        [org("one", "domiciliary_care", name="Bay Care"), org("two", "domiciliary_care", name="Riviera Care")],
        [service("v1", "one", "2024-01-01", first_end, contract=contracts[0]),
         service("v2", second_org, second_start, contract=contracts[1])],
    )


@pytest.mark.parametrize(("second_start", "expected"), [
    ("2024-01-17", True),  # 7 days after
    ("2024-01-18", False),  # 8 days after
    ("2024-01-10", True),  # the same day
    ("2024-01-05", True),  # an overlap counts
])
def test_m15_gap_of_at_most_7_days(second_start: str, expected: bool) -> None:
    assert (steps_of(m15_case(second_start), "M15") == [["v1", "v2"]]) is expected


def test_m15_evidence() -> None:
    finding = one(m15_case("2024-01-17"), "M15")
    assert finding.organisations == ["one", "two"]
    for text in ("contract: A", "contract: B", "ended on 10 Jan 2024", "began 7 days later", "17 Jan 2024"):
        assert text in finding.evidence
    assert "overlapped it" in one(m15_case("2024-01-05"), "M15").evidence
    assert "none recorded" in one(m15_case("2024-01-12", contracts=(None, "B")), "M15").evidence


@pytest.mark.parametrize(("contracts", "expected"), [
    (("A", "A"), False), (("A", "B"), True), ((None, "A"), True), (("A", None), True), ((None, None), True),
])
def test_m15_different_contracts(contracts: tuple[Any, Any], expected: bool) -> None:
    assert fires(m15_case("2024-01-12", contracts=contracts), "M15") is expected


def test_m15_same_organisation_or_open_ended_first_service() -> None:
    assert not fires(m15_case("2024-01-12", second_org="one"), "M15")
    assert not fires(m15_case("2024-01-12", first_end=None), "M15")


def test_m15_only_adjacent_services() -> None:
    case = make_case(
        [org("one", "domiciliary_care"), org("two", "domiciliary_care"), org("three", "community_health")],
        [service("v1", "one", "2024-01-01", "2024-01-10", contract="X"),
         contact("c1", "three", "2024-01-10"),  # not a service: does not break adjacency
         service("v2", "two", "2024-01-11", "2024-01-30", contract="X"),
         service("v3", "three", "2024-01-12", contract="Y")],
    )
    # v1-v2 share a contract; v2-v3 fires; v1-v3 are not adjacent though 2 days apart
    assert steps_of(case, "M15") == [["v2", "v3"]]


@pytest.mark.parametrize(("file_order", "expected"), [
    (["v1", "v2"], [["v1", "v2"]]),  # same start date: ties in file order, v1 first
    (["v2", "v1"], []),  # v2 first: an open-ended first service never fires
])
def test_m15_order_of_steps_ties_in_file_order(file_order: list[str], expected: list[list[str]]) -> None:
    made = {"v1": service("v1", "one", "2024-01-10", "2024-01-12"), "v2": service("v2", "two", "2024-01-10")}
    case = make_case([org("one", "domiciliary_care"), org("two", "domiciliary_care")], [made[i] for i in file_order])
    assert steps_of(case, "M15") == expected


def test_m15_order_of_steps_a_date_alone_is_midnight() -> None:
    case = make_case(
        [org("one", "domiciliary_care"), org("two", "domiciliary_care")],
        [service("v2", "two", "2024-01-10T08:00"), service("v1", "one", "2024-01-10", "2024-01-12")],
    )
    assert steps_of(case, "M15") == [["v1", "v2"]]


# ---------------------------------------------------------------------------------------------
# Every rule: metadata from resources/rules.json
# ---------------------------------------------------------------------------------------------

FIRING_CASES = {
    "M01": m01_delayed_case,
    "M02": lambda: m02_case(364),
    "M03": lambda: m03_case("nhs", "local_authority"),
    "M04": lambda: m04_case("acute"),
    "M05": lambda: m05_readmission_case(3),
    "M06": lambda: m06_weekend_case("2024-02-03", "2024-02-05"),
    "M07": lambda: m07_case(assessment("x1", "acute", "2024-01-24"), assessment("x2", "chs", "2024-01-26")),
    "M08": lambda: m08_case(False),
    "M09": lambda: m09_case("Torbay", "Devon"),
    "M10": lambda: m10_case(),
    "M11": lambda: m11_case(),
    "M12": lambda: m12_case("2024-01-22"),
    "M13": lambda: m13_case(),
    "M14": lambda: make_case(
        [org("acute", "acute", oversight={"financial_recovery": True, "cqc_rating": "inadequate"})],
        [contact("c1", "acute", "2024-01-01")]),
    "M15": lambda: m15_case("2024-01-12"),
}


def her(template: str) -> str:
    """A rules.json template for a woman (the default person in these tests)."""
    return template.format(they="she", them="her", their="her", **{"is": "is"}, live="lives")


@pytest.mark.parametrize(("number", "words"), [
    (2, "second"), (10, "tenth"), (11, "11th"), (12, "12th"), (13, "13th"), (20, "20th"), (21, "21st"),
    (22, "22nd"), (23, "23rd"), (24, "24th"), (101, "101st"), (111, "111th"), (112, "112th"), (113, "113th"),
    (122, "122nd"),
])
def test_ordinals_right_past_20(number: int, words: str) -> None:
    from planner.rules.phrases import ordinal

    assert ordinal(number) == words


def test_firing_cases_cover_the_catalogue() -> None:
    catalogue = set(RULES_JSON["rules"])
    assert set(FIRING_CASES) == set(rule_modules()) == catalogue
    assert catalogue == {f"M{i:02}" for i in range(1, len(catalogue) + 1)}  # M01 to Mn, none missing


@pytest.mark.parametrize("rule_id", sorted(FIRING_CASES))
def test_findings_carry_title_severity_and_question_from_rules_json(rule_id: str) -> None:
    entry = RULES_JSON["rules"][rule_id]
    found = of(FIRING_CASES[rule_id](), rule_id)
    assert found
    for finding in found:
        assert finding.title == her(entry["title"])
        assert finding.severity == entry["severity"]
        assert finding.question == her(entry["question"])
        assert "{" not in finding.evidence + finding.title + finding.question


def test_pronouns_follow_the_person() -> None:
    case = m08_case(False)
    case.person.sex = "male"
    finding = one(case, "M08")
    assert finding.title == "Information cannot follow him" and "his shared record" in finding.evidence
    case.person.sex = None
    assert one(case, "M08").title == "Information cannot follow them"


def test_thresholds_used_here_are_the_catalogue_defaults() -> None:
    """The boundaries tested above are those of resources/rules.json (DOMAIN.md's [design] values)."""
    rules = RULES_JSON["rules"]
    assert RULES_JSON["terms"] == {"readmission_max_days": 29, "placement_after_hospital_days": 7,
                                   "derived_handoff_max_days": 7, "key_findings": 5,
                                   "harm_days_readmission": 30, "harm_days_placement_after_hospital": 30}
    assert rules["M01"]["thresholds"] == {"min_organisations": 3, "min_regulators": 2}
    assert rules["M02"]["thresholds"] == {"min_emergency_admissions": 2, "window_days": 364}
    assert rules["M04"]["thresholds"] == {"min_delayed_days": 1}
    assert rules["M06"]["thresholds"] == {"weekend_days": ["Friday", "Saturday", "Sunday"]}
    assert rules["M07"]["thresholds"] == {"window_days": 28}
    assert rules["M08"]["thresholds"] == {"min_sectors": 2}
    assert rules["M10"]["thresholds"] == {"window_days": 14}
    assert rules["M15"]["thresholds"] == {"max_gap_days": 7}


def test_findings_are_ordered_by_severity_then_rule() -> None:
    case = m13_case(coordinator=[])
    case.steps.append(service("r1", "council", "2024-02-01", setting="reablement", funding="self_funded"))
    order = {"high": 0, "medium": 1, "low": 2}
    result = findings(case)
    keys = [(order[f.severity], f.rule) for f in result]
    assert keys == sorted(keys) and result[-1].rule == "M12"


# ---------------------------------------------------------------------------------------------
# The demo case: Mrs Smith
# ---------------------------------------------------------------------------------------------


def test_demo_case_findings(demo_case: Case) -> None:
    report = evaluate(demo_case)
    by_rule: dict[str, list[Finding]] = {}
    for finding in report.findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    steps = {rule_id: [f.steps for f in found] for rule_id, found in by_rule.items()}

    # Every rule but M10 fires: she goes to a step-down nursing-home bed (not permanent), so she
    # never lives in a care home in the sense of M10, and her living situation is "alone".
    assert set(by_rule) == set(RULES_JSON["rules"]) - {"M10"}
    # M01: nine organisations under three regulators, two delayed discharges and a readmission, and
    # nobody assessed at system level.
    assert steps["M01"] == [["s8", "s17"]]
    # M02: her March admission to the tariff-paid hospital is her second emergency admission in
    # weeks, while her surgery (capitation) and community team (block) are paid the same regardless.
    assert steps["M02"] == [["s8", "s17"]]
    # M03: the ward's free NHS care hands over to the council's means-tested care, and her
    # Continuing Healthcare decision is still pending.
    assert ["s8", "s10"] in steps["M03"] and ["s18"] in steps["M03"]
    # M04: ten days in an NHS bed waiting for a care package, six waiting for a care home place,
    # both attributed to social care by default.
    assert steps["M04"] == [["s8"], ["s17"]]
    # M05: readmitted 18 days after the first discharge.
    assert steps["M05"] == [["s8", "s17"]]
    # M06: medically fit on Friday 2 Feb but kept over the weekend, and her Bay Home Care package
    # lapsed during the admission and had to be restarted by a new agency.
    assert ["s8"] in steps["M06"] and ["s3", "s8", "s13"] in steps["M06"]
    # M07: falls assessed by the ward and again by the community team; care needs assessed by the
    # council and again by the new agency.
    assert steps["M07"] == [["s9", "s14"], ["s10", "s12"]]
    # M08: the ward phoned the council, whose staff cannot see her shared record, and the
    # discharge letter was posted to the new agency.
    assert ["s8", "s10"] in steps["M08"] and ["s11", "s12"] in steps["M08"]
    # M09: the ambulance trust and the step-down nursing home are in Devon; she lives in Torbay.
    assert steps["M09"] == [["s6"], ["s20"]]
    # M11: the befriending circle is a charity outside CQC, on a time-limited lottery grant.
    assert steps["M11"] == [[], ["s4"]]
    # M12: her delay shows in monthly NHS returns, the council's part only annually; and her
    # reablement was self-funded, so the council's 91-day measure misses her.
    assert steps["M12"] == [["s8", "s10"], ["s21"]]
    # M13: the pendant alarm action has no owner, and before a coordinator was named in March the
    # handoffs between the hospital and the council had no named receiver.
    assert [] in steps["M13"] and ["s8", "s10"] in steps["M13"]
    # M14: Torbay Hospital is in financial recovery and rated requires improvement.
    assert steps["M14"] == [["s7", "s8", "s9", "s11", "s16", "s17"]]
    # M15: home care, befriending and a new agency's package, each under its own contract.
    assert ["s2", "s3"] in steps["M15"] and ["s4", "s13"] in steps["M15"]

    delay = next(f for f in by_rule["M04"] if f.steps == ["s8"])
    assert delay.annotation is not None and delay.annotation.status == "confirmed"
    assert "10 days delayed" in delay.evidence and "2 Feb 2024" in delay.evidence
    boundary = next(f for f in by_rule["M09"] if f.steps == ["s20"])
    assert boundary.annotation is not None and boundary.set_aside
    assert boundary not in report.active()
    assert report.orphaned == []
    for finding in report.findings:
        assert set(finding.steps) <= {s.id for s in demo_case.steps}
        assert set(finding.organisations) <= {o.id for o in demo_case.organisations}


def test_a_new_rule_is_its_module_and_its_catalogue_entry(tmp_path: Any,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Adding M16 needs no list edited anywhere: the engine finds its module, validation its id."""
    import planner.rules
    from planner.casefile import case_from_dict
    from planner.reference import load
    from planner.rules import catalogue, engine
    from planner.validation import validate
    from tests.factories import minimal_dict

    (tmp_path / "every_step_counts.py").write_text(
        'RULE_ID = "M16"\n\n\ndef check(context):\n'
        '    for step in context.case.steps:\n'
        '        yield [step], None, "Every step counts."\n', encoding="utf-8")
    monkeypatch.setattr(planner.rules, "__path__", [*planner.rules.__path__, str(tmp_path)])
    monkeypatch.setitem(load("rules")["rules"], "M16", {
        "title": "Every step counts", "severity": "low", "question": "Does it?",
        "explains": "A rule added for this test.", "thresholds": {}})

    def forget() -> None:
        catalogue.rules.cache_clear()
        engine._MODULES.clear()
        engine._CHECKS.clear()
        engine._rules_in_order.cache_clear()

    forget()
    try:
        assert engine.rule_modules()["M16"] == "every_step_counts"
        report = evaluate(case_from_dict(minimal_dict()))
        assert [f.title for f in report.findings if f.rule == "M16"] == ["Every step counts"]
        data = minimal_dict()
        data["annotations"] = [{"rule": "M16", "steps": ["s1"], "status": "confirmed"}]
        assert validate(data) == []
        # a module without its catalogue entry is an error that names it, not a silently missing rule
        monkeypatch.delitem(load("rules")["rules"], "M16")
        forget()
        with pytest.raises(LookupError, match="M16"):
            engine.rule_modules()
    finally:
        monkeypatch.undo()
        forget()
    assert "M16" not in engine.rule_modules()
