"""Who holds an SQLite database file: the processes with a lock on it, for a clear "locked" message.

SQLite locks byte ranges of the database file (and, in WAL mode, of its ``-shm`` file) with POSIX
advisory locks. On Linux ``/proc/locks`` lists every such lock with the process id and the inode
of the file, so the holders can be named exactly. Elsewhere, or when nothing is listed (a folder
shared from another computer keeps its locks on the file server), the message says so instead.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True)
class Holder:
    """A process that holds a lock on the database (or one of its side files)."""

    pid: int
    command: str | None
    user: str | None

    def describe(self) -> str:
        parts = [f"process {self.pid}"]
        if self.command:
            parts.append(self.command)
        if self.user:
            parts.append(f"user {self.user}")
        this = " — this program" if self.pid == os.getpid() else ""
        return f"{parts[0]}{' (' + ', '.join(parts[1:]) + ')' if parts[1:] else ''}{this}"


def side_files(path: Path) -> list[Path]:
    """The database file and the files SQLite keeps beside it."""
    return [path, *(path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal"))]


def lock_holders(path: Path, proc: Path = PROC) -> list[Holder]:
    """The processes holding a lock on ``path`` or its side files, by /proc/locks (Linux only):
    those with an exclusive (write) lock if any, else those with a shared one."""
    inodes: set[int] = set()
    for candidate in side_files(path):
        try:
            inodes.add(os.stat(candidate).st_ino)
        except OSError:
            continue
    try:
        table = (proc / "locks").read_text(encoding="ascii", errors="replace")
    except OSError:
        return []
    writers: list[int] = []
    readers: list[int] = []
    for line in table.splitlines():
        fields = line.split()
        if len(fields) < 6 or fields[1] == "->":  # "->" marks a process waiting for a lock, not holding
            continue
        try:
            kind, pid, inode = fields[3], int(fields[4]), int(fields[5].rsplit(":", 1)[1])
        except (IndexError, ValueError):
            continue
        found = writers if kind == "WRITE" else readers
        if inode in inodes and pid > 0 and pid not in found:
            found.append(pid)
    # every connection keeps a shared lock while it is open; the one writing has an exclusive one
    return [_holder(pid, proc) for pid in (writers or readers)]


def _holder(pid: int, proc: Path) -> Holder:
    command = user = None
    with contextlib.suppress(OSError):
        command = (proc / str(pid) / "comm").read_text(encoding="utf-8", errors="replace").strip() or None
    try:
        uid = (proc / str(pid)).stat().st_uid
        import pwd

        user = pwd.getpwuid(uid).pw_name
    except (OSError, KeyError, ImportError):
        pass
    return Holder(pid=pid, command=command, user=user)


def describe_holders(path: Path) -> str:
    """A sentence naming who holds the database, or saying it cannot be told from here."""
    holders = lock_holders(path)
    if holders:
        return "It is held by " + "; ".join(holder.describe() for holder in holders) + "."
    return ("No process on this computer holds it now: it may be Pathway Planner on another computer "
            "(a shared folder), or a program that has just finished.")


def writer_gone(pid: int, path: Path, *, older_than_s: float) -> bool:
    """Whether the process ``pid`` that wrote ``path`` (a partial copy, a journal) has gone, so the
    file is left behind: never this process's own; on POSIX, asked of the system (signal 0); on
    Windows, where a process cannot be asked without risk, whether the file is older than
    ``older_than_s`` seconds."""
    if pid == os.getpid():
        return False
    if os.name != "posix":
        try:
            return time.time() - path.stat().st_mtime > older_than_s
        except OSError:
            return False
    try:
        os.kill(pid, 0)  # signal 0: only asks whether it exists
    except ProcessLookupError:
        return True
    except OSError:  # it exists, as someone else's process
        return False
    return False
