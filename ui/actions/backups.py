"""Backing up and restoring the SQLite database (PostgreSQL is backed up with the server's tools)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ui.actions import ActionError

if TYPE_CHECKING:
    from db.backup import RestoreResult

POSTGRES_BACKUP = ("back it up with the server's tools: pg_dump --format=custom --file=FILE "
                   "(and pg_restore to restore it)")
POSTGRES_RESTORE = "restore it with the server's tools: pg_restore (from a pg_dump file)"


def sqlite_file(url: str | None, postgres_advice: str) -> Path:
    """The SQLite file of the database ``url`` names (None: the one chosen by default); ActionError
    for another engine, with ``postgres_advice`` for PostgreSQL."""
    from db.database import choose_url, describe, sqlite_path

    chosen, _default = choose_url(url)
    path = sqlite_path(chosen)
    if path is None:
        if chosen.split(":", 1)[0].startswith("postgres"):
            raise ActionError(f"{describe(chosen)} is a PostgreSQL database: {postgres_advice}")
        raise ActionError(f"{describe(chosen)} is not an SQLite database file")
    return path


def backup(url: str | None, out: str | os.PathLike[str]) -> Path:
    """Copy the SQLite database to a new file ``out``, consistently even while it is in use, and
    check the copy; the file written. Never the database, its side files or backups, never an
    existing file; a damaged database is named, with the backup to restore."""
    from db.backup import BackupError, check_planner_database, copy_database
    from db.database import check_sqlite_database
    from db.exports import check_target

    path = sqlite_file(url, POSTGRES_BACKUP)
    if not path.exists():
        raise ActionError(f"there is no database at {path} to back up")
    check_sqlite_database(f"sqlite:///{path}")
    target = Path(out).expanduser()
    # the database, its side files and backups, folders, devices, pipes are refused here; an existing
    # file by copy_database, which never replaces one
    check_target(path, target, overwrite=True)
    copy_database(path, target)
    try:  # the copy, not the database in use, is checked
        check_planner_database(target, shown_as=path)
    except BackupError:
        target.unlink()
        raise
    return target


def restore(url: str | None, source: str | os.PathLike[str]) -> tuple[Path, RestoreResult]:
    """Replace the SQLite database with the backup ``source`` (the current one kept in the backups
    folder first) and bring it to the current schema: the database's file and what was done."""
    from db.backup import restore as restore_from
    from ui.actions.database import opened

    path = sqlite_file(url, POSTGRES_RESTORE)
    result = restore_from(path, Path(source))
    with opened(url):  # brought to the current schema now, not at the next start
        pass
    return path, result
