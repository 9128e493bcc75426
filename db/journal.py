"""Unsaved edits kept on disk, so a crash loses nothing: the journal's files (no Qt here).

While a case has edits not yet saved, the window writes the case as it is on screen to a small
file in the application's data folder (``unsaved/``), beside the embedded database: one file per
running window and database, written whole (a temporary file renamed over the old one) and
readable by the user alone (0600, in a 0700 folder). Saving, discarding or undoing back to the
saved case removes it. If the application is killed, the file stays; the next start on the same
database finds it (its process no longer running), says what the edits were and offers to restore
them. ``ui.journal`` drives it from the window.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from db.locks import writer_gone

FOLDER = "unsaved"
#: The journal's own format, so a later version can tell an older file apart.
KIND = "pathway-planner-unsaved-edits"


@dataclass(frozen=True)
class Unsaved:
    """What a window had not saved: the case as it was on screen, and the edits that made it so."""

    #: the database the case is in, as shown to people (never with a password)
    database: str
    #: the case's id in that database
    case_id: int
    #: the stored version the edits were made on (a save since then is a colleague's, or was lost)
    row_version: int | None
    #: the case's title when last saved
    title: str
    #: the undo stack's words for each unsaved edit ("Add goal “Walk to the shops”")
    edits: list[str]
    #: the case as edited, in case-file form
    case: dict[str, Any]
    #: when the file was written (local time, ISO)
    written_at: str
    #: the file it was read from (set by :func:`pending`)
    path: Path | None = None

    def to_json(self) -> dict[str, Any]:
        return {"kind": KIND, "database": self.database, "case_id": self.case_id,
                "row_version": self.row_version, "title": self.title, "edits": self.edits,
                "written_at": self.written_at, "case": self.case}

    def in_words(self) -> str:
        """What was not saved, as the restore prompt says it."""
        when = ""
        try:
            written = datetime.fromisoformat(self.written_at)
            when = f" (last changed {written.day} {written:%b %Y} at {written:%H:%M})"
        except ValueError:
            pass
        count = len(self.edits)
        these = "this change" if count == 1 else f"these {count} changes"
        head = f"Pathway Planner closed before {these} to “{self.title}” were saved{when}:"
        if count == 1:
            head = head.replace(" were saved", " was saved")
        shown = self.edits[:12]
        lines = [f"• {text}" for text in shown]
        if count > len(shown):
            lines.append(f"… and {count - len(shown)} more")
        return "\n".join([head, *lines])


def folder(data_dir: Path | None = None) -> Path:
    """Where journals are kept: ``unsaved/`` in the application's data folder."""
    if data_dir is None:
        from db.database import default_path

        data_dir = default_path().parent
    return data_dir / FOLDER


def _key(database_url: str) -> str:
    """A file-name-safe key for a database (the URL hashed: no name or password in the file name)."""
    from db.database import sqlite_path

    path = sqlite_path(database_url)
    text = str(path.resolve()) if path is not None else database_url
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def path_for(database_url: str, pid: int | None = None, data_dir: Path | None = None) -> Path:
    """The journal of this process (``pid``) on this database."""
    return folder(data_dir) / f"{_key(database_url)}-{os.getpid() if pid is None else pid}.json"


def write(path: Path, unsaved: Unsaved) -> None:
    """Write the journal whole: a temporary file (0600) renamed over the old one. Raises OSError."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(OSError):  # the folder was the user's before: leave it as it was
        if path.parent.stat().st_mode & 0o077:
            os.chmod(path.parent, 0o700)
    temporary = path.with_name(f".{path.name}.tmp")
    data = json.dumps(unsaved.to_json(), ensure_ascii=False).encode("utf-8")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def clear(path: Path) -> None:
    """Remove a journal (nothing to do if it is not there)."""
    path.unlink(missing_ok=True)


def read(path: Path) -> Unsaved | None:
    """A journal's content; None if it is not one (empty, cut short, another program's file)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("kind") != KIND:
        return None
    try:
        edits = [str(text) for text in data.get("edits") or []]
        case = data["case"]
        if not isinstance(case, dict):
            return None
        version = data.get("row_version")
        return Unsaved(database=str(data.get("database", "")), case_id=int(data["case_id"]),
                       row_version=None if version is None else int(version),
                       title=str(data.get("title") or "the case"), edits=edits, case=case,
                       written_at=str(data.get("written_at", "")), path=path)
    except (KeyError, TypeError, ValueError):
        return None


def pending(database_url: str, data_dir: Path | None = None) -> list[Unsaved]:
    """The journals left on this database by windows that are no longer running, oldest first.
    A file that cannot be read as a journal is left alone (and not offered)."""
    where = folder(data_dir)
    key = _key(database_url)
    found: list[tuple[float, Unsaved]] = []
    try:
        candidates = list(where.glob(f"{key}-*.json"))
    except OSError:
        return []
    for path in candidates:
        pid_text = path.stem.removeprefix(f"{key}-")
        if not pid_text.isdigit() or not writer_gone(int(pid_text), path, older_than_s=60):
            continue
        unsaved = read(path)
        if unsaved is None:
            continue
        try:
            found.append((path.stat().st_mtime, unsaved))
        except OSError:
            continue
    return [unsaved for _when, unsaved in sorted(found, key=lambda pair: pair[0])]
