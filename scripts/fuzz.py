"""Fuzz the import outside CI's time: mutated case files and FHIR bundles through the command line.

    .venv/bin/python scripts/fuzz.py [--cases 2000] [--fhir 500] [--seed 12] [--no-outputs]

Each file is a structure-aware mutation of the demo case or of the shared real FHIR data
(../shared/data/external: Synthea bundles and the HL7 R4 examples), imported in-process with
``ui.cli.main`` into a fresh SQLite database (the mutators and the checks are those of the fuzz
tests: tests/fuzzing.py). Every imported case is then exported (case file, re-imported; anonymised
FHIR; anonymised workshop PDF), its plan printed, its findings and measures listed, unless
--no-outputs. Prints the counts: imported, refused cleanly, tracebacks (the first few in full),
partial imports, tracebacks in the outputs of an imported case (downstream of the import), and other
broken promises (a refusal without a clear message, an output that fails cleanly, a round trip that
changes the case).
Exit status 1 if there was any traceback, partial import or broken promise.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.fuzzing import (  # noqa: E402
    SHARED_EXTERNAL,
    demo_seed,
    fhir_focus,
    fhir_seeds,
    mutate,
    mutate_valid,
    run_one,
)

SHOWN = 5
COUNTS = ("files", "imported", "refused cleanly", "tracebacks in import", "partial imports",
          "tracebacks in outputs", "other failures")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000, help="mutated case files (default 2000)")
    parser.add_argument("--fhir", type=int, default=500, help="mutated FHIR bundles (default 500)")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--no-outputs", action="store_true", help="import only")
    args = parser.parse_args()
    rnd = random.Random(args.seed)
    jobs = [("case", demo_seed(), None)] * args.cases
    if args.fhir:
        if not SHARED_EXTERNAL.is_dir():
            print(f"no FHIR data at {SHARED_EXTERNAL}: FHIR files skipped", file=sys.stderr)
        else:
            seeds = fhir_seeds()
            chosen = [rnd.choice(seeds) for _ in range(args.fhir)]
            jobs += [("fhir", seed, fhir_focus(seed)) for seed in chosen]
    totals: dict[str, dict[str, int]] = {}
    signatures: Counter[str] = Counter()
    shown = 0
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="pathway-fuzz-") as folder:
        work = Path(folder)
        os.environ["XDG_DATA_HOME"] = str(work / "data")  # never the user's own data or settings
        os.environ["XDG_CONFIG_HOME"] = str(work / "config")
        db_url = f"sqlite:///{work / 'fuzz.sqlite'}"
        for number, (kind, seed, focus) in enumerate(jobs, 1):
            # case files: half meant to break the rules, half meant to keep them (awkward but valid)
            mutant = mutate_valid(seed, rnd) if kind == "case" and number % 2 else mutate(seed, rnd, focus)
            outcome = run_one(mutant.text(), work, db_url, outputs=not args.no_outputs)
            count = totals.setdefault(kind, dict.fromkeys(COUNTS, 0))
            count["files"] += 1
            crashed = any("Traceback" in f and f.startswith("import:") for f in outcome.failures)
            downstream = any("Traceback" in f and not f.startswith("import:") for f in outcome.failures)
            count["imported"] += outcome.imported
            count["refused cleanly"] += outcome.refused and not outcome.failures
            count["tracebacks in import"] += crashed
            count["partial imports"] += outcome.partial
            count["tracebacks in outputs"] += downstream
            broken = crashed or downstream or outcome.partial
            count["other failures"] += bool(outcome.failures) and not broken
            for failure in outcome.failures:  # tallied by command and the exception's last line
                lines = [line for line in failure.strip().splitlines() if line.strip()]
                signatures[f"{kind} {failure.split(':', 1)[0]}: {lines[-1][:160]}"] += 1
            if outcome.failures and shown < SHOWN:
                shown += 1
                print(f"--- {kind} file {number}: {'; '.join(mutant.done)}", file=sys.stderr)
                for failure in outcome.failures:
                    print(failure[-3000:], file=sys.stderr)
                keep = work.parent / f"pathway-fuzz-failure-{number}.json"
                keep.write_text(mutant.text(), encoding="utf-8", errors="surrogatepass")
                print(f"(the file is kept as {keep})", file=sys.stderr)
            if number % 100 == 0:
                print(f"{number} files, {time.monotonic() - started:.0f} s", file=sys.stderr)
    for kind, count in totals.items():
        print(f"{kind}: " + ", ".join(f"{name} {value:,}" for name, value in count.items()))
    for signature, times in signatures.most_common():
        print(f"  {times:>5} x {signature}")
    bad = sum(sum(c[name] for name in COUNTS[3:]) for c in totals.values())
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
