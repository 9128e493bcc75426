"""Backups of the embedded SQLite database: automatic ones, ``backup --out`` and ``restore``.

Every copy is made with SQLite's online backup API, so it is consistent even while the
application is using the database, and is created readable by the user only (0600). Automatic
backups (before a migration, before a restore) go to a ``backups`` folder beside the database,
named ``<database>-<UTC time>-<reason>.sqlite``; the newest ``KEEP_AUTOMATIC`` are kept.

A PostgreSQL database is backed up by the server's own tools (``pg_dump``/``pg_restore``, or
the service's snapshots), which also cover point-in-time recovery; ``backup`` and ``restore``
say so rather than half-doing it.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from db.database import BUSY_TIMEOUT_MS
from db.locks import writer_gone

#: How many automatic backups of a database are kept (the oldest beyond go).
KEEP_AUTOMATIC = 10
BACKUPS_FOLDER = "backups"
SQLITE_HEADER = b"SQLite format 3\x00"
#: Tables every Pathway Planner database has, whatever its schema version.
REQUIRED_TABLES = {"alembic_version", "cases", "steps", "organisations"}


class BackupError(RuntimeError):
    """A backup or restore could not be made; the message says why, and nothing was changed."""


class NotAPlannerDatabase(BackupError):
    """The file offered for restoring is not a Pathway Planner database."""


class DatabaseLocked(BackupError):
    """Another program held the database for longer than the busy timeout: nothing was copied."""


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    revision: str
    #: the copy of the database as it was before, in the backups folder (None if it did not exist)
    previous: Path | None


def backups_folder(database: Path) -> Path:
    return database.parent / BACKUPS_FOLDER


def automatic_backups(database: Path) -> list[Path]:
    """The automatic backups of ``database``, oldest first."""
    folder = backups_folder(database)
    if not folder.is_dir():
        return []
    found = [p for p in folder.glob(f"{database.stem}-*.sqlite") if p.is_file()]
    return sorted(found, key=lambda p: (p.stat().st_mtime, p.name))


def latest_backup(database: Path) -> Path | None:
    backups = automatic_backups(database)
    return backups[-1] if backups else None


def describe_latest_backup(database: Path, *, command: str = "pathway-planner") -> str:
    """One sentence offering the newest automatic backup (for the "cannot open" messages), with the
    command that restores it (``command`` names the database when it is not the default one)."""
    latest = latest_backup(database)
    if latest is None:
        return f"There is no automatic backup in {backups_folder(database)}."
    when = datetime.fromtimestamp(latest.stat().st_mtime).strftime("%d %b %Y %H:%M")
    quoted = "'" + str(latest).replace("'", "'\"'\"'") + "'"
    return f"The latest backup is {latest} ({when}): to go back to it, run {command} restore {quoted}."


#: Beside an automatic backup made before a migration: the SHA-256 of the database file it copied.
SOURCE_DIGEST = ".source-sha256"


def database_digest(database: Path) -> str | None:
    """The SHA-256 of the database file, if everything committed is in it (its ``-wal`` file is
    empty or absent: the caller checkpoints first); else None."""
    import hashlib

    wal = database.with_name(database.name + "-wal")
    try:
        if wal.exists() and wal.stat().st_size > 0:
            return None
        with open(database, "rb") as file:
            return hashlib.file_digest(file, "sha256").hexdigest()
    except OSError:
        return None


def remember_source(backup: Path, digest: str) -> None:
    """Note beside ``backup`` the digest of the database it copied (see ``reusable_backup``)."""
    note = backup.with_name(backup.name + SOURCE_DIGEST)
    note.unlink(missing_ok=True)
    create_private(note)
    note.write_text(digest, encoding="ascii")


def reusable_backup(database: Path, reason: str, digest: str) -> Path | None:
    """The newest automatic backup made for ``reason`` (e.g. ``before-migration-0002-to-0005``) if
    the database is unchanged since (its file has the ``digest`` noted beside the backup), else
    None: a retried migration reuses the backup of the attempt that was interrupted rather than
    making another. Content, not times: a change within the same clock tick still counts."""
    pattern = re.compile(rf"{re.escape(database.stem)}-\d{{8}}-\d{{6}}-{re.escape(reason)}(-\d+)?\.sqlite")
    for backup in reversed(automatic_backups(database)):
        if pattern.fullmatch(backup.name):
            try:
                noted = backup.with_name(backup.name + SOURCE_DIGEST).read_text(encoding="ascii").strip()
            except OSError:
                return None
            return backup if noted == digest else None
    return None


def create_private(path: Path) -> None:
    """Create an empty file readable and writable by the user only; fail if it exists."""
    descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(descriptor)


def make_private_folder(folder: Path) -> None:
    if not folder.is_dir():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)


def copy_database(source: Path, target: Path, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
    """A consistent copy of the SQLite database ``source`` into the new file ``target`` (0600).

    Written beside the target under a temporary name and renamed when complete, so a crash
    never leaves half a backup under the real name; the temporary file is removed whatever stops
    the copy (an error, Ctrl-C), and one left by a copy that was killed is removed by the next. The
    copy is a single self-contained file (rollback-journal mode), checked with ``PRAGMA
    quick_check``. It reads the database in one read transaction, which waits at most
    ``busy_timeout_ms`` for a program holding the database exclusively: then it raises
    DatabaseLocked, naming who holds it.
    """
    if target.exists():
        raise BackupError(f"{target} already exists: choose a new file name.")
    if target.resolve() in {p.resolve() for p in (source, *_side_files(source))}:
        raise BackupError(f"{target} is the database itself: choose another file.")
    _remove_abandoned_partials(target)
    partial = target.with_name(f"{_partial_prefix(target)}{os.getpid()}")
    partial.unlink(missing_ok=True)
    try:
        create_private(partial)
    except OSError as error:
        raise BackupError(f"Cannot write {target}: {error.strerror or error}.") from None
    try:
        src = sqlite3.connect(source, timeout=busy_timeout_ms / 1000, isolation_level=None)
        try:
            # the backup reads inside this transaction: a lock is waited for here, for the busy timeout
            src.execute("BEGIN")
            src.execute("SELECT count(*) FROM sqlite_master").fetchone()
            dst = sqlite3.connect(partial, timeout=busy_timeout_ms / 1000)
            try:
                src.backup(dst, progress=_give_up_after(busy_timeout_ms))
                dst.execute("PRAGMA journal_mode=DELETE")
                check = dst.execute("PRAGMA quick_check").fetchone()[0]
                if check != "ok":
                    raise BackupError(f"The copy of {source} failed its check ({check}); it was not kept.")
            finally:
                dst.close()
        finally:
            src.close()
        with open(partial, "rb+") as written:
            os.fsync(written.fileno())
        os.replace(partial, target)
    except (sqlite3.Error, _StillBusy) as error:
        if isinstance(error, _StillBusy) or _is_locked(error):
            raise _locked(f"Cannot back up {source}", source, busy_timeout_ms,
                          "Nothing was written") from None
        raise BackupError(f"Cannot copy the database {source}: {error}.") from None
    finally:  # whatever stopped the copy, Ctrl-C included (once renamed, there is nothing to remove)
        partial.unlink(missing_ok=True)


class _StillBusy(Exception):
    """The online backup kept finding the database locked for longer than the busy timeout."""


def _give_up_after(busy_timeout_ms: int) -> Callable[[int, int, int], None]:
    """A progress callback for ``sqlite3.Connection.backup`` (which retries a locked database for
    ever), made as the copy starts: it stops the copy when a lock is still in its way once
    ``busy_timeout_ms`` have passed."""
    started = time.monotonic()

    def progress(status: int, _remaining: int, _pages: int) -> None:
        busy = status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
        if busy and time.monotonic() - started >= busy_timeout_ms / 1000:
            raise _StillBusy

    return progress


def _locked(what: str, database: Path, busy_timeout_ms: int, outcome: str) -> DatabaseLocked:
    """The error for a copy stopped by another program's lock: who holds ``database``, if known."""
    from db.locks import describe_holders

    return DatabaseLocked(f"{what}: another program has held the database for more than "
                          f"{busy_timeout_ms / 1000:g} seconds. {describe_holders(database)} {outcome}; "
                          "try again when it has finished.")


def _is_locked(error: sqlite3.Error) -> bool:
    return "locked" in str(error).lower() or getattr(error, "sqlite_errorcode", None) in (
        sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _partial_prefix(target: Path) -> str:
    return f".{target.name}.partial-"


def _remove_abandoned_partials(target: Path) -> None:
    """Remove the temporary files of earlier copies to ``target`` whose process is gone (killed)."""
    prefix = _partial_prefix(target)
    try:
        found = [p for p in target.parent.iterdir() if p.name.startswith(prefix)]
    except OSError:
        return
    for partial in found:
        pid = partial.name[len(prefix):]
        if pid.isdigit() and writer_gone(int(pid), partial, older_than_s=3600):
            partial.unlink(missing_ok=True)


def automatic_backup(database: Path, reason: str, *, keep: int = KEEP_AUTOMATIC,
                     damaged_too: bool = False) -> Path:
    """Copy ``database`` into its backups folder (named by the time and ``reason``) and prune the
    oldest automatic backups beyond ``keep``. A database SQLite cannot read raises BackupError,
    unless ``damaged_too``: then it is copied byte for byte, so nothing is lost before a restore
    replaces it."""
    folder = backups_folder(database)
    try:
        make_private_folder(folder)
    except OSError as error:
        raise BackupError(f"Cannot create the backups folder {folder}: {error.strerror or error}.") from None
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = folder / f"{database.stem}-{stamp}-{reason}.sqlite"
    number = 2
    while target.exists():
        target = folder / f"{database.stem}-{stamp}-{reason}-{number}.sqlite"
        number += 1
    try:
        copy_database(database, target)
    except DatabaseLocked:  # held by another program, not damaged: no raw copy of it
        raise
    except BackupError:
        if not damaged_too or _readable_as_sqlite(database):
            raise
        _raw_copy(database, target)
    prune(database, keep)
    return target


def prune(database: Path, keep: int = KEEP_AUTOMATIC) -> list[Path]:
    """Remove the oldest automatic backups beyond ``keep``; returns those removed."""
    backups = automatic_backups(database)
    removed = backups[:-keep] if keep > 0 else backups
    for old in removed:
        old.unlink(missing_ok=True)
        old.with_name(old.name + SOURCE_DIGEST).unlink(missing_ok=True)
    return removed


def is_sqlite_file(path: Path) -> bool:
    try:
        with open(path, "rb") as file:
            return file.read(16) == SQLITE_HEADER
    except OSError:
        return False


def _readable_as_sqlite(path: Path) -> bool:
    try:
        connection = sqlite3.connect(_read_only(path), uri=True)
        try:
            return bool(connection.execute("PRAGMA quick_check").fetchone()[0] == "ok")
        finally:
            connection.close()
    except sqlite3.Error:
        return False


def _read_only(path: Path) -> str:
    """An SQLite URI opening ``path`` read-only (any character in the path allowed)."""
    from urllib.parse import quote

    return f"file:{quote(str(path.absolute()))}?mode=ro"


def _raw_copy(source: Path, target: Path) -> None:
    """Byte-for-byte copy of a database SQLite cannot read (and its side files), 0600."""
    for side, suffix in zip(_side_files(source, with_main=True), ("", "-wal", "-shm"), strict=True):
        if side.exists():
            copy = target.with_name(target.name + suffix)
            create_private(copy)
            with open(side, "rb") as read, open(copy, "wb") as write:
                shutil.copyfileobj(read, write)
                write.flush()
                os.fsync(write.fileno())


def _side_files(path: Path, *, with_main: bool = False) -> list[Path]:
    sides = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
    return [path, *sides] if with_main else sides


def check_planner_database(path: Path, *, shown_as: Path | None = None) -> str:
    """The schema revision of the Pathway Planner database in ``path``.

    Raises NotAPlannerDatabase, saying why, for anything else: a missing or unreadable file, a
    file that is not SQLite, a damaged one, another program's database, or one written by a newer
    version of Pathway Planner. The file is opened read-only (SQLite may still create the side
    files of a WAL database beside it: ``restore`` and ``backup`` check a private copy).
    ``shown_as`` is the name used in the messages (the original of a copy).
    """
    from db.migrate import known_revisions

    name = shown_as or path
    if not path.is_file():
        raise NotAPlannerDatabase(f"{name} does not exist or is not a file.")
    if not is_sqlite_file(path):
        raise NotAPlannerDatabase(f"{name} is not a Pathway Planner database (not an SQLite file).")
    try:
        connection = sqlite3.connect(_read_only(path), uri=True)
        try:
            check = connection.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise NotAPlannerDatabase(f"{name} is damaged ({check}).")
            tables = {row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type='table'")}
            missing = REQUIRED_TABLES - tables
            if missing:
                raise NotAPlannerDatabase(f"{name} is not a Pathway Planner database "
                                          f"(it has no {', '.join(sorted(missing))} table).")
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise NotAPlannerDatabase(f"{name} cannot be read as a database: {error}.") from None
    value = row[0] if row else None
    known = known_revisions()
    if value not in known:
        raise NotAPlannerDatabase(
            f"{name} has the schema version {value!r}, which this version of Pathway Planner does not "
            f"know (it knows {', '.join(known)}): it may come from a newer version.")
    return str(value)


def restore(database: Path, source: Path) -> RestoreResult:
    """Replace the SQLite database at ``database`` with the backup ``source``.

    Works from a private copy of ``source`` (so the file given is only read) and refuses
    (NotAPlannerDatabase) anything that is not a Pathway Planner database, before touching the
    database. The current database is first copied into the backups folder. The restore goes
    through SQLite's backup API into the live file, so a program that has it open sees the
    restored cases rather than writing into a replaced file. The restored database is brought to
    the current schema the next time it is opened. While another program holds the database for
    longer than the busy timeout, it raises DatabaseLocked, naming who, and changes nothing.
    """
    import tempfile

    source = source.expanduser()
    if source.resolve() == database.resolve():
        raise BackupError(f"{source} is the database itself: choose a backup to restore.")
    if not source.is_file():
        raise NotAPlannerDatabase(f"{source} does not exist or is not a file.")
    with tempfile.TemporaryDirectory(prefix="pathway-planner-restore-") as folder:  # 0700
        candidate = Path(folder) / "candidate.sqlite"
        try:
            _raw_copy(source, candidate)
        except OSError as error:
            raise NotAPlannerDatabase(f"{source} cannot be read: {error.strerror or error}.") from None
        revision = check_planner_database(candidate, shown_as=source)
        try:
            previous = (automatic_backup(database, "before-restore", damaged_too=True)
                        if database.exists() else None)
        except DatabaseLocked:
            raise _locked(f"Cannot restore into {database}", database, BUSY_TIMEOUT_MS,
                          "Nothing was changed") from None
        if previous is None:
            make_private_folder(database.parent)
            create_private(database)
        try:
            src = sqlite3.connect(candidate)
            try:
                dst = sqlite3.connect(database, timeout=BUSY_TIMEOUT_MS / 1000)
                try:
                    src.backup(dst, progress=_give_up_after(BUSY_TIMEOUT_MS))
                finally:
                    dst.close()
            finally:
                src.close()
        except (sqlite3.Error, _StillBusy) as error:
            if isinstance(error, _StillBusy) or _is_locked(error):
                raise _locked(f"Cannot restore into {database}", database, BUSY_TIMEOUT_MS,
                              "Nothing was changed") from None
            if _readable_as_sqlite(database):
                raise BackupError(f"Cannot restore into {database}: {error}. Nothing was changed.") from None
            # the current file is damaged (its raw copy is in ``previous``): put the backup in its place
            _replace_damaged(database, candidate)
    return RestoreResult(restored_from=source, revision=revision, previous=previous)


def _replace_damaged(database: Path, source: Path) -> None:
    partial = database.with_name(f".{database.name}.restoring-{os.getpid()}-{int(time.time())}")
    copy_database(source, partial)
    for side in _side_files(database):
        side.unlink(missing_ok=True)
    os.replace(partial, database)
