"""Where a file written by Pathway Planner may go, and the one way it is written.

Every output (case files, FHIR bundles, PDFs, the printed plan, images, screenshots) passes
:func:`output_target` before anything is written. It refuses, with one line saying why:

* a protected file: the database in use and its ``-wal``/``-shm``/``-journal`` side files, or
  anything in its automatic backups folder (the caller says which: db/ knows the database, and a
  PostgreSQL database has no file to protect), also through a symbolic or hard link;
* anything that is not an ordinary file: a folder, a device such as ``/dev/null``, a named pipe,
  a socket (symbolic links are followed first);
* an existing file, unless the user confirmed replacing it (``overwrite``);
* a place whose folder does not exist.

The write itself is atomic and private: the bytes go to a temporary file in the same folder
(created 0600), are flushed to disk, and the file is renamed into place (checked once more
first), so a failure leaves no half file, removes the temporary one and harms nothing already
there. :meth:`OutputTarget.stage` and :meth:`Staged.place` are the two halves, so a caller can
do something in between (db.exports records the audit event there).
"""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

#: What an existing file refusal advises when the caller does not say (the GUI asks instead).
DEFAULT_EXISTS_ADVICE = "choose another name"


class OutputError(OSError):
    """An output could not be written; the message is one line saying why, and nothing was changed.
    (An OSError, so code that reports a failed write reports these too.)"""


class OutputRefused(OutputError):
    """The target must not be written: a protected file, not an ordinary file, or one that exists."""


@dataclass(frozen=True)
class Protected:
    """What no output may replace: files, and folders nothing may be written into, each with what
    it is in words ("the database Pathway Planner is using")."""

    files: tuple[tuple[Path, str], ...] = ()
    folders: tuple[tuple[Path, str], ...] = ()


NOTHING_PROTECTED = Protected()


def _kind(mode: int) -> str | None:
    """What a file that is not an ordinary file is, in words; None for an ordinary file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not an ordinary file"


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_dev, found.st_ino


def _why(error: OSError) -> str:
    return error.strerror or str(error)


@dataclass(frozen=True)
class OutputTarget:
    """A place checked for writing: ``path`` is where the bytes go (symbolic links resolved),
    ``shown`` the name as the user gave it, for messages."""

    shown: str
    path: Path
    protected: Protected
    overwrite: bool
    exists_advice: str

    def check(self) -> None:
        """Raise OutputRefused (or OutputError for a missing folder) if the place may not be written."""
        given = Path(os.path.abspath(Path(self.shown).expanduser()))
        identity = _identity(self.path)
        for file, what in self.protected.files:
            if self.path == _resolved(file) or given == Path(os.path.abspath(file)) or (
                    identity is not None and identity == _identity(file)):
                raise OutputRefused(f"Refused: {self.shown} is {what}; choose another file.")
        for folder, what in self.protected.folders:
            if self.path.is_relative_to(_resolved(folder)) or given.is_relative_to(os.path.abspath(folder)):
                raise OutputRefused(f"Refused: {self.shown} is in {what} ({folder}); choose another folder.")
        try:
            mode: int | None = self.path.stat().st_mode
        except FileNotFoundError:
            mode = None
        except OSError as error:
            raise OutputError(f"Cannot write {self.shown}: {_why(error)}.") from None
        if mode is not None:
            kind = _kind(mode)
            if kind is not None:
                raise OutputRefused(f"Refused: {self.shown} is {kind}, not an ordinary file; "
                                    "choose a file name.")
            if not self.overwrite:
                raise OutputRefused(f"Refused: {self.shown} already exists; {self.exists_advice}.")
        folder = self.path.parent
        if not folder.is_dir():
            missing = "does not exist" if not folder.exists() else "is not a folder"
            raise OutputError(f"Cannot write {self.shown}: the folder {folder} {missing}.")

    def stage(self, data: bytes) -> Staged:
        """Write ``data`` to a new private (0600) temporary file beside the target, flushed to disk.
        Raises OutputError (the temporary file removed) if it cannot be written."""
        try:
            handle, temporary = tempfile.mkstemp(prefix=f".{self.path.name[:80]}.", suffix=".part",
                                                 dir=self.path.parent)
        except OSError as error:
            raise OutputError(f"Cannot write {self.shown}: {_why(error)}.") from None
        try:
            with os.fdopen(handle, "wb") as file:
                if hasattr(os, "fchmod"):
                    os.fchmod(file.fileno(), 0o600)
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
        except BaseException as error:
            Path(temporary).unlink(missing_ok=True)
            if isinstance(error, OSError):
                raise OutputError(f"Cannot write {self.shown}: {_why(error)}.") from None
            raise
        return Staged(self, Path(temporary))

    def write(self, data: bytes) -> Path:
        """Stage ``data`` and put it in place at once."""
        with self.stage(data) as staged:
            return staged.place()


@dataclass
class Staged:
    """Bytes written beside their target, waiting to be put in place (or discarded). As a context
    manager, leaving the block without :meth:`place` removes the temporary file."""

    target: OutputTarget
    temporary: Path
    placed: bool = False

    def place(self) -> Path:
        """Check the target again (it may have changed meanwhile), then rename the temporary file
        onto it. Raises OutputError (the temporary file kept for :meth:`discard`) on failure."""
        self.target.check()
        try:
            os.replace(self.temporary, self.target.path)
        except OSError as error:
            raise OutputError(f"Cannot write {self.target.shown}: {_why(error)}.") from None
        self.placed = True
        _sync_folder(self.target.path.parent)
        return self.target.path

    def discard(self) -> None:
        if not self.placed:
            self.temporary.unlink(missing_ok=True)

    def __enter__(self) -> Staged:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.discard()


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))


def _sync_folder(folder: Path) -> None:
    """Flush the folder entry of a renamed file to disk, where the system allows it."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def output_target(path: str | os.PathLike[str], protected: Protected = NOTHING_PROTECTED, *,
                  overwrite: bool = False, exists_advice: str = DEFAULT_EXISTS_ADVICE) -> OutputTarget:
    """Check ``path`` as the place for an output (see the module's docstring) and return it;
    raises OutputRefused or OutputError with one line saying why. ``overwrite``: the user
    confirmed replacing an existing file (GUI) or passed ``--force`` (command line)."""
    shown = os.fspath(path)
    if not shown.strip():
        raise OutputRefused("Refused: no file name was given.")
    given = Path(shown).expanduser()
    try:
        real = given.resolve()
    except (OSError, RuntimeError):  # a loop of symbolic links
        raise OutputRefused(f"Refused: {shown} is a loop of symbolic links; choose a file name.") from None
    target = OutputTarget(shown, real, protected, overwrite, exists_advice)
    target.check()
    return target


def write_atomically(data: bytes, path: str | os.PathLike[str], protected: Protected = NOTHING_PROTECTED, *,
                     overwrite: bool = False, exists_advice: str = DEFAULT_EXISTS_ADVICE) -> Path:
    """Check ``path`` and write ``data`` there atomically, readable by the user only; the path
    written (symbolic links resolved). Raises OutputRefused or OutputError, changing nothing."""
    return output_target(path, protected, overwrite=overwrite, exists_advice=exists_advice).write(data)
