"""Structure-aware mutation of case files and FHIR bundles, and one run of a mutated file through
the command line in-process: import, then (if imported) every output.

Shared by the fuzz tests (tests/test_fuzz.py, a fixed budget under hypothesis) and the fuzz script
(scripts/fuzz.py, thousands of files outside CI's time). A mutator takes a ``random.Random``, so
hypothesis drives it in the tests (``st.randoms``) and a seeded generator drives it in the script.
"""

from __future__ import annotations

import copy
import io
import json
import random
import traceback
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.conftest import ROOT

SHARED_EXTERNAL = ROOT.parent / "shared" / "data" / "external"

#: Raw JSON that json.dumps cannot write (or writes differently), put in place of a marker string.
RAW_VALUES = [
    "NaN", "Infinity", "-Infinity", "1e999", "-1e999", "9223372036854775808", "18446744073709551616",
    "9" * 5000, "-" + "1" * 30, "1" + "0" * 400 + ".5", "0." + "0" * 400 + "1",
    '"\\ud800"', '"a\\udfffb"', '"\\udc00\\ud800"', '"nul\\u0000here"',
    "[" * 1000 + "]" * 1000, '{"a":' * 500 + "1" + "}" * 500, "[" * 65 + "]" * 65, "[" * 63 + "]" * 63,
]
#: Values of every JSON type, and text that tends to break layouts and parsers.
OTHER_VALUES: list[Any] = [
    None, True, False, 0, -1, 1, 2**31, 2**53, -(2**53), 0.5, -0.0, 1e308, 3.14159, "", " ", "x",
    [], {}, [1, 2], {"a": 1}, [{"id": "x"}], {"resourceType": "Patient"}, "2024-01-01",
    "x" * 10_001, "W" * 3000, "مرحبا بالعالم", "👩‍⚕️🧓🏽🏥" * 50, "<b>bold</b> & <img src='/etc/passwd'>",
    "line\nbreak\ttab", "ﬁ ﬂ \u200b\u202e reversed", "Robert'); DROP TABLE cases;--",
]
DATES = [
    "1900-01-01", "2100-12-31", "1899-12-31", "2101-01-01", "0001-01-01", "9999-12-31", "2024-00-10",
    "2024-02-30", "2024-13-01", "2023-02-29", "2024-02-29", "1900-01-01T00:00", "2100-12-31T23:59",
    "2024-06-01T25:00", "2024-06-01T10:00:00Z", "24-06-01", "2024-6-1", "0000-01-01",
]
#: Keys whose values refer to something else by id, in case files.
REFERENCE_KEYS = {"organisation", "member", "from", "to", "named_receiver", "owner", "goal", "steps",
                  "signed_off_by", "coordinator", "sector_unknown"}
#: Free-text keys of a case file, and valid but awkward text for them (within every key's maximum).
TEXT_KEYS = {"name", "label", "notes", "title", "what_matters", "contingency", "description", "in_my_words",
             "outcome", "comment", "reason", "contact", "area", "scope", "assessed_by", "frequency",
             "service_line", "contract"}
VALID_TEXTS = ["W" * 100, "مرحبا بالعالم، هذه خطة الرعاية", "👩‍⚕️🧓🏽🏥" * 10, "<b>bold</b> & <i>", "a\nb\tc",
               "\u202eevil\u202c", "ﬁ", "x", "Ω≈ç√∫˜µ≤≥÷", "Zoë O'Brien-Łukasiewicz", "𝕳𝖊𝖑𝖑𝖔", "\u00a0"]
#: Keys a case file may leave out.
OPTIONAL_KEYS = {"title", "team", "coordinator", "handoffs", "care_plan", "annotations", "extensions", "end",
                 "label", "notes", "stage", "setting", "nhs_number", "date_of_birth", "frailty", "consent",
                 "what_matters", "conditions", "goals", "actions", "signed_off_by", "review_on", "agreed_on"}
#: FHIR resources the import reads; mutations are aimed at them.
READ_TYPES = {"Patient", "Encounter", "Organization", "Practitioner", "PractitionerRole", "RelatedPerson",
              "CareTeam", "EpisodeOfCare", "CarePlan", "Goal", "Condition", "Bundle"}

Path_ = tuple[str | int, ...]


def _places(value: Any, where: Path_ = ()) -> list[Path_]:
    """Every path (a tuple of keys and indexes) to a value inside ``value``, iteratively."""
    found: list[Path_] = []
    stack: list[tuple[Any, Path_]] = [(value, where)]
    while stack:
        item, path = stack.pop()
        found.append(path)
        if isinstance(item, dict):
            stack += [(child, (*path, key)) for key, child in item.items()]
        elif isinstance(item, list):
            stack += [(child, (*path, index)) for index, child in enumerate(item)]
    return found


def _get(doc: Any, path: Path_) -> Any:
    for step in path:
        doc = doc[step]
    return doc


def _set(doc: Any, path: Path_, value: Any) -> None:
    _get(doc, path[:-1])[path[-1]] = value


class Mutant:
    """A document being mutated; raw JSON put in by markers; ``text()`` writes it out."""

    def __init__(self, doc: Any, rnd: random.Random) -> None:
        self.doc = copy.deepcopy(doc)
        self.rnd = rnd
        self.raw: dict[str, str] = {}
        self.done: list[str] = []

    def marker(self, raw: str) -> str:
        key = f"__RAW_{len(self.raw)}__"
        self.raw[key] = raw
        return key

    def text(self) -> str:
        text = json.dumps(self.doc, ensure_ascii=False, indent=1)
        for key, raw in self.raw.items():
            text = text.replace(json.dumps(key), raw)
        return text

    def place(self, places: list[Path_], keyed: bool = False) -> Path_ | None:
        choices = [p for p in places if p and (not keyed or isinstance(p[-1], str))]
        return self.rnd.choice(choices) if choices else None


def _value(rnd: random.Random, mutant: Mutant) -> Any:
    kind = rnd.randrange(4)
    if kind == 0:
        return mutant.marker(rnd.choice(RAW_VALUES))
    if kind == 1:
        return rnd.choice(DATES)
    return copy.deepcopy(rnd.choice(OTHER_VALUES))


def _nested(depth: int) -> Any:
    value: Any = "deep"
    for level in range(depth):
        value = {"n": value} if level % 2 else [value]
    return value


def mutate_valid(doc: Any, rnd: random.Random) -> Mutant:
    """A copy of a case file with changes that keep it valid, or nearly: awkward text, dates at the
    bounds, optional parts left out, deep but allowed extensions, more of everything."""
    mutant = Mutant(doc, rnd)
    for _ in range(rnd.randint(1, 4)):
        places = _places(mutant.doc)
        op = rnd.randrange(6)
        if op <= 1:
            texts = [p for p in places if p and p[-1] in TEXT_KEYS and isinstance(_get(mutant.doc, p), str)]
            if texts:
                where = rnd.choice(texts)
                _set(mutant.doc, where, rnd.choice(VALID_TEXTS) * rnd.choice([1, 1, 2]))
                mutant.done.append(f"text {where}")
        elif op == 2:
            bound = rnd.choice(["1900-01-01", "2100-12-31"])
            dated = [p for p in places if p and p[-1] in ("date_of_birth", "assessed_on", "recorded_on",
                                                          "target_date", "due", "review_on", "on")]
            if dated:
                where = rnd.choice(dated)
                _set(mutant.doc, where, bound)
                mutant.done.append(f"date {where} {bound}")
        elif op == 3:
            optional = [p for p in places if p and p[-1] in OPTIONAL_KEYS]
            if optional:
                where = rnd.choice(optional)
                del _get(mutant.doc, where[:-1])[where[-1]]
                mutant.done.append(f"delete {where}")
        elif op == 4 and isinstance(mutant.doc, dict):
            depth = rnd.choice([1, 8, 15])
            mutant.doc.setdefault("extensions", {})[rnd.choice(["other_tool", "ünïcode key", "x"])] = \
                _nested(depth)
            mutant.done.append(f"extension {depth} deep")
        else:  # more of a list: steps, organisations, goals... with fresh ids
            lists = [p for p in places if p and isinstance(_get(mutant.doc, p), list) and _get(mutant.doc, p)
                     and isinstance(_get(mutant.doc, p)[0], dict) and "id" in _get(mutant.doc, p)[0]]
            if lists:
                where = rnd.choice(lists)
                items = _get(mutant.doc, where)
                for number in range(rnd.choice([1, 5, 50])):
                    item = copy.deepcopy(rnd.choice(items))
                    item["id"] = f"{item['id']}-copy{number}"
                    items.append(item)
                mutant.done.append(f"more in {where}")
    return mutant


def mutate(doc: Any, rnd: random.Random, focus: Callable[[list[Path_]], list[Path_]] | None = None) -> Mutant:
    """A copy of ``doc`` with one to three structure-aware mutations; ``focus`` narrows the places
    mutated (FHIR: the resources the import reads)."""
    mutant = Mutant(doc, rnd)
    for _ in range(rnd.randint(1, 3)):
        places = _places(mutant.doc)
        if focus is not None:
            places = focus(places) or places
        op = rnd.randrange(10)
        path = mutant.place(places)
        if path is None:
            continue
        target = _get(mutant.doc, path)
        if op <= 2:  # a value of another type, huge, deep, NaN, a surrogate...
            scalar = isinstance(target, dict | list) and rnd.random() < 0.5  # a list that is a number...
            _set(mutant.doc, path, rnd.choice([0, 1, -1, 2.5, True, False, "text"]) if scalar
                 else _value(rnd, mutant))
            mutant.done.append(f"replace {path}")
        elif op == 3:  # dates at and past the bounds, and impossible ones
            dated = [p for p in places if isinstance(_get(mutant.doc, p), str)
                     and str(_get(mutant.doc, p))[:2] in ("19", "20") and "-" in str(_get(mutant.doc, p))]
            path = rnd.choice(dated) if dated else path
            _set(mutant.doc, path, rnd.choice(DATES))
            mutant.done.append(f"date {path}")
        elif op == 4:  # a required (or any) key deleted
            keyed = mutant.place(places, keyed=True)
            if keyed is not None:
                del _get(mutant.doc, keyed[:-1])[keyed[-1]]
                mutant.done.append(f"delete {keyed}")
        elif op == 5:  # a duplicated id, or a duplicated list item
            ided = [p for p in places if p and p[-1] == "id"]
            if ided and rnd.random() < 0.6:
                a, b = rnd.choice(ided), rnd.choice(ided)
                _set(mutant.doc, a, _get(mutant.doc, b))
                mutant.done.append(f"same id {a} {b}")
            elif isinstance(target, list) and target:
                target.append(copy.deepcopy(rnd.choice(target)))
                mutant.done.append(f"duplicate item in {path}")
        elif op == 6:  # a dangling reference
            refs = [p for p in places if p and (p[-1] in REFERENCE_KEYS or p[-1] == "reference")]
            if refs:
                ref = rnd.choice(refs)
                old = _get(mutant.doc, ref)
                _set(mutant.doc, ref, ["nowhere"] if isinstance(old, list) else
                     rnd.choice(["nowhere", "Patient/nowhere", "urn:uuid:0", "#missing", ""]))
                mutant.done.append(f"dangling {ref}")
        elif op == 7:  # deep nesting in extensions (or, for FHIR, anywhere read)
            depth = rnd.choice([5, 15, 16, 17, 40, 62, 63, 64, 70])
            if isinstance(mutant.doc, dict) and "format" in mutant.doc:
                mutant.doc.setdefault("extensions", {})[rnd.choice(["other", "pathway_planner", "x"])] = \
                    _nested(depth)
                mutant.done.append(f"extension {depth} deep")
            else:
                _set(mutant.doc, path, _nested(depth))
                mutant.done.append(f"{depth} deep at {path}")
        elif op == 8:  # a list where an object is, an object where a list is
            if isinstance(target, dict):
                _set(mutant.doc, path, [target])
            elif isinstance(target, list):
                _set(mutant.doc, path, {"0": target[0]} if target else {})
            else:
                _set(mutant.doc, path, [target])
            mutant.done.append(f"reshape {path}")
        else:  # a long text, right-to-left, emoji: valid input that tests layouts
            texts = [p for p in places if isinstance(_get(mutant.doc, p), str)]
            if texts:
                where = rnd.choice(texts)
                _set(mutant.doc, where, rnd.choice(OTHER_VALUES[-8:]))
                mutant.done.append(f"text {where}")
    return mutant


def fhir_focus(doc: Any) -> Callable[[list[Path_]], list[Path_]]:
    """The places inside resources the import reads (and the bundle's own elements)."""
    read = set()
    if isinstance(doc, dict) and isinstance(doc.get("entry"), list):
        for index, entry in enumerate(doc["entry"]):
            if isinstance(entry, dict) and isinstance(entry.get("resource"), dict) \
                    and entry["resource"].get("resourceType") in READ_TYPES:
                read.add(index)

    def focus(places: list[Path_]) -> list[Path_]:
        kept = [p for p in places if len(p) < 2 or p[0] != "entry" or p[1] in read]
        # the elements of those resources, and their parts, weighted up: most places are deep leaves
        elements = [p for p in kept if len(p) == 4 and p[0] == "entry"]
        parts = [p for p in kept if len(p) in (5, 6) and p[0] == "entry"]
        return kept + parts * 3 + elements * 30
    return focus


# -- the seeds ------------------------------------------------------------------------------------
def demo_seed() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "resources" / "demo" / "mrs-smith.case.json").read_text("utf-8"))
    return data


def fhir_seeds(external: Path = SHARED_EXTERNAL) -> list[dict[str, Any]]:
    """The smaller Synthea bundles, and the HL7 examples gathered into one bundle."""
    seeds: list[dict[str, Any]] = []
    synthea = sorted((external / "synthea").rglob("*.json"), key=lambda p: p.stat().st_size)
    for path in synthea[:4]:
        seeds.append(json.loads(path.read_text(encoding="utf-8")))
    examples = sorted((external / "hl7-r4-examples").glob("*.json"))
    resources = [json.loads(p.read_text(encoding="utf-8")) for p in examples if p.name != "package.json"]
    resources = [r for r in resources if r.get("resourceType") != "Patient" or r.get("id") == "example"]
    seeds.append({"resourceType": "Bundle", "type": "collection",
                  "entry": [{"fullUrl": f"http://hl7.org/fhir/{r['resourceType']}/{r['id']}", "resource": r}
                            for r in resources]})
    return seeds


# -- one run ----------------------------------------------------------------------------------------
@dataclass
class Outcome:
    """What happened to one mutated file."""

    imported: bool = False
    refused: bool = False
    #: Tracebacks and broken promises, each with what was running.
    failures: list[str] = field(default_factory=list)
    partial: bool = False
    message: str = ""


def cli(*args: str) -> tuple[int, str, str, str | None]:
    """Run the command line in-process: (exit status, stdout, stderr, traceback or None)."""
    from ui.cli import main

    out, err = io.StringIO(), io.StringIO()
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main(list(args))
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue(), err.getvalue(), None
    except BaseException:
        return -1, out.getvalue(), err.getvalue(), traceback.format_exc()
    return code, out.getvalue(), err.getvalue(), None


def case_count(db_url: str) -> int:
    from db.database import open_database
    from db.repository import CaseRepository

    database = open_database(db_url)
    try:
        with database.session() as session:
            return CaseRepository(session).count()
    finally:
        database.close()


#: Words a message must never contain: the signs of an exception shown instead of a message.
LEAKS = ("Traceback", "Error:", "Exception", "<built-in", " object at 0x")


def run_one(text: str, workdir: Path, db_url: str, *, outputs: bool = True) -> Outcome:
    """Import ``text`` through the command line; if imported, export it every way and print its plan."""
    outcome = Outcome()
    source = workdir / "mutant.json"
    source.write_text(text, encoding="utf-8", errors="surrogatepass")
    before = case_count(db_url)
    code, out, err, crash = cli("--db", db_url, "import", str(source), "--years", "0")
    after = case_count(db_url)
    if crash is not None:
        outcome.failures.append(f"import: {crash}")
        outcome.partial = after != before
        return outcome
    if code == 1:
        outcome.refused = True
        outcome.message = err
        if after != before:
            outcome.partial = True
            outcome.failures.append(f"import refused but the case count went {before} -> {after}")
        if not err.startswith("pathway-planner: ") or len(err.strip()) < 25:
            outcome.failures.append(f"import refused without a clear message: {err!r}")
        leaked = [word for word in LEAKS if word in err]
        if leaked:
            outcome.failures.append(f"import message shows {leaked}: {err[:2000]}")
        return outcome
    if code != 0 or after != before + 1:
        outcome.failures.append(f"import exit {code}, cases {before} -> {after}: {err[:2000]}")
        return outcome
    outcome.imported = True
    case_id = out.strip().splitlines()[-1]
    if outputs:
        outcome.failures += check_outputs(case_id, workdir, db_url)
    return outcome


def check_outputs(case_id: str, workdir: Path, db_url: str) -> list[str]:
    """Every output of an imported case: the case file (which must import again), FHIR, the
    anonymised workshop PDF and the printed plan (when it has one)."""
    failures: list[str] = []
    exported = workdir / "out.case.json"
    # --force: each example writes over the previous example's files (never the database)
    runs = [("export-case", case_id, "--out", str(exported), "--force"),
            ("export-fhir", case_id, "--out", str(workdir / "out.fhir.json"), "--anonymised", "--force"),
            ("export-pdf", case_id, "--out", str(workdir / "out.pdf"), "--force"),
            ("export-value-case", case_id, "--out", str(workdir / "value.pdf"), "--force"),
            ("print-plan", case_id, "--out", str(workdir / "plan.pdf"), "--force"),
            ("costs", case_id, "--json"),
            ("findings", case_id, "--json"), ("measures", case_id, "--json")]
    for args in runs:
        code, _out, err, crash = cli("--db", db_url, *args)
        if crash is not None:
            failures.append(f"{args[0]}: {crash}")
        elif code != 0 and not (args[0] == "print-plan" and "has no care plan" in err):
            failures.append(f"{args[0]} exit {code}: {err[:2000]}")
        elif args[0] == "export-case":  # the round trip: imported again, it is the same case
            code, out, err, crash = cli("--db", db_url, "import", str(exported))
            if crash is not None or code != 0:
                failures.append(f"re-import of the exported case file: {crash or err[:2000]}")
                continue
            again = workdir / "again.case.json"
            code, _out, err, crash = cli("--db", db_url, "export-case", out.strip(), "--out", str(again),
                                         "--force")
            if crash is not None or code != 0 or again.read_text("utf-8") != exported.read_text("utf-8"):
                failures.append(f"the re-imported case file differs from the exported one: {crash or err[:2000]}")
    return failures
