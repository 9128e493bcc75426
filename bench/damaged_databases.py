"""Damaged databases and interrupted upgrades, as the reliability test of issue #12 ran them (outside CI).

1. Damage: copies of the demo database, each with a few random bytes overwritten in a random page's
   header (page 1: the b-tree header after the file header), each given four commands (cases,
   findings, export-case, import) in-process. Counted: exit codes, tracebacks, and writes into a file
   that fails ``PRAGMA quick_check`` (it must never be written to). A file that passes both SQLite
   checks (the bytes hit unused space) is a healthy database and may be written.
2. Interrupted upgrades: copies of a 3,000-case database at schema 0001, each opened by the command
   line up to three times in a row and killed (SIGKILL) at a random moment, then opened once more.
   Counted: databases that no longer open with every case, and the most automatic backups one has.

Exits non-zero on any traceback, any write into a damaged file, any database that does not open
afterwards, or more than one backup per upgrade.
    .venv/bin/python bench/damaged_databases.py [--databases 40] [--upgrades 25]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from db.database import open_database  # noqa: E402
from ui.cli import main as cli  # noqa: E402

DEMO = ROOT / "resources" / "demo" / "mrs-smith.case.json"
PAGE = 4096


def quick_check_fails(path: Path) -> bool:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return bool(connection.execute("PRAGMA quick_check").fetchone()[0] != "ok")
        finally:
            connection.close()
    except sqlite3.Error:
        return True


def damage(folder: Path, databases: int, rng: random.Random) -> bool:
    template = folder / "template.sqlite"
    open_database(f"sqlite:///{template}", seed_demo=True).close()
    pages = template.stat().st_size // PAGE
    counts = {"commands": 0, "exit 0": 0, "exit 1": 0, "tracebacks": 0, "writes into a damaged file": 0,
              "writes into a healthy file": 0}
    for number in range(databases):
        work = folder / f"damaged-{number}"
        work.mkdir()
        path = work / "cases.sqlite"
        shutil.copy(template, path)
        page = rng.randrange(pages)
        with open(path, "r+b") as file:
            file.seek(page * PAGE + (100 if page == 0 else 0) + rng.randrange(12))
            file.write(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 8))))
        damaged = quick_check_fails(path)
        before = (path.read_bytes(), path.stat().st_mtime_ns)
        for command in (["cases"], ["findings", "1"], ["export-case", "1", "--out", str(work / "case.json")],
                        ["import", str(DEMO)]):
            counts["commands"] += 1
            try:
                with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                    code = cli(["--db", f"sqlite:///{path}", *command])
                counts["exit 0" if code == 0 else "exit 1"] += 1
            except Exception as error:  # what the check is for
                counts["tracebacks"] += 1
                print(f"traceback: {command[0]} on damaged-{number}: {type(error).__name__}: {error}")
            after = (path.read_bytes(), path.stat().st_mtime_ns)
            if after != before:
                kind = "writes into a damaged file" if damaged else "writes into a healthy file"
                counts[kind] += 1
                before = after
    print(f"damage: {databases} databases; " + ", ".join(f"{key} {value}" for key, value in counts.items()))
    return counts["tracebacks"] == 0 and counts["writes into a damaged file"] == 0


def upgrades(folder: Path, databases: int, rng: random.Random) -> bool:
    from alembic import command
    from sqlalchemy import create_engine

    from db.migrate import alembic_config

    template = folder / "old.sqlite"
    engine = create_engine(f"sqlite:///{template}")
    command.upgrade(alembic_config(engine), "0001")  # type: ignore[arg-type]
    with engine.begin() as connection:
        for case in range(1, 3001):
            connection.exec_driver_sql(
                "INSERT INTO cases (id, title, row_version, name, conditions, what_matters) "
                f"VALUES ({case}, 'Case {case}', 1, 'Person {case}', '[]', '{'x' * 500}')")
            for position in range(5):
                connection.exec_driver_sql(
                    "INSERT INTO organisations (case_id, position, id, name, sector) "
                    f"VALUES ({case}, {position}, 'o{position}', 'Org {position}', 'primary_care')")
        connection.exec_driver_sql("PRAGMA journal_mode=WAL")
    engine.dispose()
    killed = unopenable = most_backups = 0
    for number in range(databases):
        work = folder / f"upgrade-{number}"
        work.mkdir()
        path = work / "cases.sqlite"
        shutil.copy(template, path)
        args = [sys.executable, "-m", "ui.cli", "--db", f"sqlite:///{path}", "cases", "--json"]
        for _attempt in range(3):
            process = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.2, 1.0))
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                killed += 1
            process.wait()
        opened = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
        if opened.returncode != 0 or len(json.loads(opened.stdout)) != 3000:
            unopenable += 1
            print(f"does not open: upgrade-{number}: {opened.stderr.strip()}")
        most_backups = max(most_backups, len(list((work / "backups").glob("*.sqlite"))))
    print(f"upgrades: {databases} databases at schema 0001 (3,000 cases), {killed} processes killed mid-way; "
          f"not opening afterwards {unopenable}; most automatic backups of one database {most_backups}")
    return unopenable == 0 and most_backups <= 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", type=int, default=40)
    parser.add_argument("--upgrades", type=int, default=25)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as folder:
        ok = damage(Path(folder), args.databases, rng)
        ok = upgrades(Path(folder), args.upgrades, rng) and ok
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
