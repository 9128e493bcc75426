"""Four workstations saving edits to the same ten cases at once: nothing is lost.

Four processes, started together, each make 100 edits: load one of the 10 cases (chosen at random),
add a step that names the edit, save. Every save must either land or report a conflict (a
colleague saved that case since it was loaded); anything else (a lock error, a deadlock) fails.
Afterwards every accepted edit must be in its case — optimistic locking means each accepted save
was made on top of all the accepted saves before it — each case has exactly its accepted edits
and no rejected one, its version counts its accepted saves, and the audit trail has one "edited"
event for each. Prints the counts; exits non-zero on any loss or error. Runs on PostgreSQL (the
target: PATHWAY_PLANNER_TEST_PG, else a throwaway server, bench/pg_temp.py) and on SQLite (WAL).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORKERS = 4
EDITS = 100
CASES = 10


def worker(url: str, number: int, case_ids: list[int]) -> None:
    """One workstation: wait for "go" on stdin, make the edits, print what happened as JSON."""
    from db.database import DatabaseError, open_database
    from db.repository import CaseRepository, SaveConflict
    from planner import editing

    database = open_database(url)
    chooser = random.Random(number)
    accepted: list[tuple[int, str]] = []
    conflicts: list[tuple[int, str]] = []
    errors: list[str] = []
    print("ready", flush=True)
    sys.stdin.readline()
    for edit in range(EDITS):
        case_id = chooser.choice(case_ids)
        marker = f"w{number}e{edit}"
        try:
            with database.snapshot() as session:  # loaded as the app loads a case
                case = CaseRepository(session).get(case_id)
            changed = editing.put(case, "steps", None, {
                "id": marker, "kind": "contact", "organisation": case.organisations[0].id,
                "start": "2024-07-01", "label": f"Edit {edit} by workstation {number}"})
            changed.row_version = case.row_version
            with database.session() as session:
                CaseRepository(session).save(changed)
            accepted.append((case_id, marker))
        except SaveConflict:
            conflicts.append((case_id, marker))
        except DatabaseError as error:
            errors.append(f"{marker}: {error}")
    database.close()
    print(json.dumps({"accepted": accepted, "conflicts": conflicts, "errors": errors}), flush=True)


def run(url: str, engine: str) -> bool:
    from db import audit
    from db.database import open_database
    from db.repository import CaseRepository
    from planner.casefile import case_from_dict
    from tests.factories import demo_dict

    database = open_database(url)
    with database.session() as session:
        repo = CaseRepository(session)
        case_ids = [repo.add(case_from_dict(demo_dict())) for _ in range(CASES)]
        initial = {case_id: {s.id for s in repo.get(case_id).steps} for case_id in case_ids}
    children = [subprocess.Popen([sys.executable, __file__, "--worker", url, str(n), json.dumps(case_ids)],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
                for n in range(WORKERS)]
    for child in children:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    started = time.perf_counter()
    for child in children:  # all at once
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    reports = []
    for child in children:
        out, _ = child.communicate()
        if child.returncode != 0:
            print(f"{engine}: a workstation failed (exit {child.returncode})")
            return False
        reports.append(json.loads(out.strip().splitlines()[-1]))
    elapsed = time.perf_counter() - started
    accepted = [(case_id, marker) for r in reports for case_id, marker in r["accepted"]]
    rejected = [(case_id, marker) for r in reports for case_id, marker in r["conflicts"]]
    errors = [e for r in reports for e in r["errors"]]
    missing: list[str] = []
    unexpected: list[str] = []
    per_case = Counter(case_id for case_id, _ in accepted)
    with database.session() as session:
        repo = CaseRepository(session)
        for case_id in case_ids:
            case = repo.get(case_id)
            stored = {s.id for s in case.steps} - initial[case_id]
            wanted = {marker for cid, marker in accepted if cid == case_id}
            missing += sorted(wanted - stored)
            unexpected += sorted(stored - wanted)
            edited = [e for e in audit.history(session, case_id) if e.action == "edited"]
            if case.row_version != 1 + per_case[case_id] or len(edited) != per_case[case_id]:
                unexpected.append(f"case {case_id}: version {case.row_version}, {len(edited)} edit events, "
                                  f"{per_case[case_id]} accepted")
    database.close()
    total = len(accepted) + len(rejected) + len(errors)
    ok = not missing and not unexpected and not errors and total == WORKERS * EDITS
    print(f"{engine}: {WORKERS} workstations x {EDITS} edits of the same {CASES} cases in {elapsed:.1f} s: "
          f"{len(accepted)} saved, {len(rejected)} conflicts reported, {len(errors)} errors; "
          f"accepted edits missing afterwards: {len(missing)}; edits present that were not accepted, or "
          f"versions and audit events that do not add up: {len(unexpected)}  {'PASS' if ok else 'FAIL'}")
    for line in (missing + unexpected + errors)[:10]:
        print(f"    {line}")
    return ok


def main() -> int:
    from pg_temp import fresh_database

    ok = True
    with fresh_database() as url:
        ok &= run(url, "PostgreSQL")
    with tempfile.TemporaryDirectory() as folder:
        ok &= run(f"sqlite:///{Path(folder) / 'shared.sqlite'}", "SQLite")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4]))
        sys.exit(0)
    sys.exit(main())
