"""The command line's reading commands: cases, costs, findings, measures, the audit trail and
the provider directory; they print and change nothing.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from ui.cli_common import CommandError, _database, _get_case, _load_case, _local_costs

if TYPE_CHECKING:
    from planner.unit_costs import UnitCost


def _cases(args: argparse.Namespace) -> int:
    from db.repository import CaseRepository

    with _database(args.db, just_reading=True) as database, database.snapshot() as session:
        summaries = CaseRepository(session).summaries(args.search)
    rows = [{"id": s.id, "title": s.title, "area": s.area, "steps": s.steps} for s in summaries]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print(f"No case matches “{args.search.strip()}”." if args.search.strip() else "No cases.")
        return 0
    from datetime import date

    width = max(len(str(r["title"])) for r in rows)
    print(f"{'ID':>4}  {'TITLE':<{width}}  {'AREA':<16}  STEPS  FLAGS")
    for r, summary in zip(rows, summaries, strict=True):
        flags = "; ".join(summary.flags(date.today())) or "-"
        print(f"{r['id']:>4}  {r['title']:<{width}}  {(r['area'] or '-'):<16}  {r['steps']:>5}  {flags}")
    return 0


def _costs(args: argparse.Namespace) -> int:
    from planner import describe
    from planner.costs import costs_for, local_in_words, round_to_10
    from planner.reference import label
    from planner.unit_costs import NATIONAL

    with _database(args.db, just_reading=True) as database:
        case = _get_case(database, args.case)
        local = _local_costs(database)
    area = args.area
    national = area is not None and " ".join(area.split()).casefold() == NATIONAL.casefold()
    if area is not None and not national and local.find(area) is None:
        known = ", ".join(f"“{name}”" for name in local.names())
        raise CommandError(f"no unit costs are set for the area “{area}”"
                           + (f" (areas with their own: {known})" if known else
                              " (no area has its own unit costs yet)")
                           + f"; use “{NATIONAL}” for the national defaults")
    costs = costs_for(case, local, area)
    units = costs.unit_costs()
    source = costs.source_number
    paid_by = {label("payer", code): pounds for code, pounds in costs.by_payer().items()}

    if args.json:
        print(json.dumps({
            "total": costs.total, "estimate": costs.estimate_note(), "area": costs.area,
            "unit_costs": costs.figures_note(), "by_payer": paid_by,
            "by_organisation": costs.by_organisation(),
            "delayed": [{"step": d.step.id, "name": describe.step_name(d.step), "days": d.days,
                         "amount": round_to_10(d.amount), "paid_by": label("payer", d.paid_by),
                         "attributed_to": label("delay_attribution", d.attributed_to),
                         "source": source(d.unit_cost)}
                        for d in costs.delayed],
            "not_costed": [{"step": n.step.id, "name": describe.step_name(n.step), "reason": n.reason}
                           for n in costs.not_costed],
            "caveats": [{"step": n.step.id, "name": describe.step_name(n.step), "note": n.reason}
                        for n in costs.caveats],
            "unpaid_care_days": costs.unpaid_days,
            "steps": [{"step": c.step.id, "name": describe.step_name(c.step),
                       "payer": label("payer", c.payer), "units": round(c.units, 2), "per": c.unit_cost.per,
                       "unit_cost": c.unit_cost.amount, "amount": round_to_10(c.amount),
                       "price_year": c.unit_cost.price_year, "source": source(c.unit_cost)}
                      for c in costs.costed],
            "sources": [{"number": n, "source": u.source, "table": u.table, "price_year": u.price_year,
                         "amount": u.amount, "per": u.per, "local": u.is_local,
                         **({"url": u.url} if u.url else {}),
                         **({"area": u.area, "key": u.key, "note": u.note} if u.is_local else {})}
                        for n, u in enumerate(units, start=1)]}, indent=2, ensure_ascii=False))
        return 0
    print(f"THE COST OF CARE: £{costs.total:,}. {costs.estimate_note()}")
    print(costs.figures_note())
    print("\nBy payer")
    for name, pounds in paid_by.items():
        print(f"  {name:<40} £{pounds:>9,}")
    print("\nBy organisation")
    for name, pounds in costs.by_organisation().items():
        print(f"  {name:<40} £{pounds:>9,}")
    if costs.delayed:
        print(f"\nDelayed days: £{costs.delayed_total():,}")
        for d in costs.delayed:
            waiting = label("delay_attribution", d.attributed_to).lower()
            print(f"  {describe.step_name(d.step)}: {d.days} day{'s' if d.days != 1 else ''} × "
                  f"£{d.unit_cost.amount:,.2f} = £{round_to_10(d.amount):,}, paid by "
                  f"{label('payer', d.paid_by)}, waiting for {waiting} [{source(d.unit_cost)}"
                  f"{_own(d.unit_cost)}]")
    print("\nEach step")
    for c in costs.costed:
        count = f"{c.units:.1f}".removesuffix(".0")
        print(f"  {describe.step_name(c.step)}: {count} × £{c.unit_cost.amount:,.2f} per {c.unit_cost.per} = "
              f"£{round_to_10(c.amount):,}, {label('payer', c.payer)} [{source(c.unit_cost)}"
              f"{_own(c.unit_cost)}]")
    if costs.not_costed:
        print("\nNot costed")
        for left_out in costs.not_costed:
            print(f"  {describe.step_name(left_out.step)}: {left_out.reason}")
    for caveat in costs.caveats:
        print(f"  Note: {describe.step_name(caveat.step)}: {caveat.reason}")
    if costs.unpaid_days:
        print(f"\nUnpaid care by family and friends: {costs.unpaid_days} days (counted, not priced)")
    print("\nSources (unit costs as published, in their own price years)")
    for n, u in enumerate(units, start=1):
        if u.is_local:
            print(f"  [{n}] LOCAL OVERRIDE: {local_in_words(u)}")
        else:
            print(f"  [{n}] £{u.amount:,.2f} per {u.per}, {u.price_year}: {u.citation}")
    return 0


def _own(unit: UnitCost) -> str:
    """", Torbay's own figure" after the source number of an area's own unit cost."""
    return f", {unit.area}'s own figure" if unit.is_local else ""


def _findings(args: argparse.Namespace) -> int:
    from planner import describe
    from planner.analysis import analyse, finding_json
    from planner.rules.catalogue import severity_label, severity_symbol

    case = _load_case(args, just_reading=True)
    analysis = analyse(case)
    report, key = analysis.report, analysis.key
    if args.json:
        print(json.dumps([finding_json(f, key) for f in report.findings], indent=2, ensure_ascii=False))
        return 0
    if not report.findings:
        print("No findings.")
    key_count, rule_count, occurrence_count = key.counts()
    if key.key:
        print(f"KEY FINDINGS ({key_count} of {rule_count} rules, {occurrence_count} occurrences)")
        for group in key.key:
            assert group.strongest is not None and group.key_rank is not None
            pinned = " (pinned by the team)" if group.pinned else ""
            print(f"  {group.key_rank}. {severity_symbol(group.severity)} {group.rule} {group.title}{pinned}")
            harm = key.harm_days(group.strongest)
            where = "; ".join(describe.steps_named(case, group.strongest.steps)) or "the case as a whole"
            print(f"     {where}" + (f" (harm: {harm} day{'s' if harm != 1 else ''})" if harm else ""))
        print()
    for group in key.groups:
        count = len(group.occurrences)
        aside = count - len(group.active)
        extra = f"; {aside} set aside" if aside else ""
        rank = f"; key finding {group.key_rank}" if group.key_rank else ""
        print(f"{severity_symbol(group.severity)} {severity_label(group.severity).upper()}  {group.rule} "
              f"{group.title}  ({count} occurrence{'s' if count != 1 else ''}{extra}{rank})")
        print(f"    Question: {group.question}")
        for finding in group.occurrences:
            where = "; ".join(describe.steps_named(case, finding.steps)) or "The case as a whole"
            print(f"  • {where}")
            for line in finding.evidence.splitlines():
                print(f"      {line}")
            note = finding.annotation
            if note is not None:
                comment = f": {note.comment}" if note.comment else ""
                print(f"      Team: {note.status.replace('_', ' ')}{comment}")
        print()
    for note in report.orphaned:
        where = "; ".join(describe.steps_named(case, note.steps)) or "the case as a whole"
        comment = f" ({note.comment})" if note.comment else ""
        print(f"The team's note on {note.rule} ({where}){comment} no longer matches a finding.")
    return 0


def _measures(args: argparse.Namespace) -> int:
    from planner.measures import compute_measures

    measures = compute_measures(_load_case(args, just_reading=True))
    if args.json:
        print(json.dumps(measures.to_json(), indent=2, ensure_ascii=False))
        return 0
    width = max(len(name) for name, _ in measures.rows())
    for name, value in measures.rows():
        print(f"{name:<{width}}  {value}")
    return 0


def _audit(args: argparse.Namespace) -> int:
    from db import audit
    from db.repository import CaseNotFound
    from ui.actions.cases import find_case_id

    with _database(args.db, just_reading=True) as database:
        case_id = None
        if args.case is not None:
            try:
                case_id = find_case_id(database, args.case)
            except CaseNotFound:
                text = args.case.strip()
                # a case deleted for good keeps its history under its id
                with database.snapshot() as session:
                    if not (text.isdigit() and audit.history(session, int(text), limit=1)):
                        raise
                case_id = int(text)
        with database.snapshot() as session:
            events = audit.history(session, case_id)
    if args.json:
        print(json.dumps([event.to_json() for event in events], indent=2, ensure_ascii=False))
        return 0
    if not events:
        print("No events." if case_id is None else f"No events for case {case_id}.")
        return 0
    for event in events:
        when = event.at.astimezone().strftime("%Y-%m-%d %H:%M")
        who = event.user + (f" ({event.os_user}@{event.workstation})" if event.workstation else "")
        case = f"#{event.case_id} {event.case_title or ''}".strip() if event.case_id is not None else "-"
        print(f"{when}  {event.action:<9} {case}  {who}: {event.summary}")
    return 0


def _directory(args: argparse.Namespace) -> int:
    from db.directory import DirectoryRepository

    with _database(args.db, just_reading=True) as database, database.session() as session:
        records = DirectoryRepository(session).search(args.search or "", limit=None)
    if args.json:
        rows = [{"id": r.id, **vars(r.entry),
                 "updated_at": r.updated_at.isoformat(sep=" ") if r.updated_at else None} for r in records]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not records:
        print(f"No directory entries match '{args.search}'." if args.search else "The directory is empty.")
        return 0
    name_width = min(max(len(r.entry.name) for r in records), 50)
    code_width = max(len(r.entry.code) for r in records)
    print(f"{'CODE':<{code_width}}  {'NAME':<{name_width}}  {'SECTOR':<16}  {'AREA':<20}  STATUS")
    for r in records:
        e = r.entry
        print(f"{e.code:<{code_width}}  {e.name[:name_width]:<{name_width}}  {e.sector:<16}  "
              f"{(e.area or '-')[:20]:<20}  {e.status}")
    return 0
