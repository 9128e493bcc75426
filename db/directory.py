"""The provider directory in the database: previewing and applying imports, searching, matching.

Like the case repository, ``DirectoryRepository`` works on the caller's connection and
transaction (``Database.session()``) and never commits, so an import is all or nothing.
Entries are matched by (code_system, code). Imports are bulk statements: one SELECT of the
stored entries of the file's code systems, one executemany INSERT and one executemany UPDATE.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, bindparam, func, insert, or_, select, update

from db import schema
from planner.directory import CODE_SYSTEMS, DATA_FIELDS, DirectoryEntry, problems_of
from planner.reference import load

_ENTRY_FIELDS = tuple(f.name for f in fields(DirectoryEntry))
_TABLE = schema.directory
#: The columns a search looks in.
SEARCHED = ("name", "code", "area", "postcode")


class DirectoryEntryNotFound(LookupError):
    """No directory entry has that id."""


@dataclass(frozen=True)
class DirectoryRecord:
    """A stored directory entry: its database id (for ``organisations.directory_id``) and when
    it last changed."""

    id: int
    entry: DirectoryEntry
    updated_at: datetime | None = None


@dataclass(frozen=True)
class DirectoryUpdate:
    """A stored entry that an import would change."""

    id: int
    before: DirectoryEntry
    after: DirectoryEntry
    changed: tuple[str, ...]


@dataclass(frozen=True)
class DirectoryCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"added {self.added:,}, updated {self.updated:,}, unchanged {self.unchanged:,}"


@dataclass
class DirectoryPreview:
    """What importing some entries would do to the stored directory."""

    added: list[DirectoryEntry] = field(default_factory=list)
    updated: list[DirectoryUpdate] = field(default_factory=list)
    unchanged: list[DirectoryEntry] = field(default_factory=list)

    @property
    def counts(self) -> DirectoryCounts:
        return DirectoryCounts(len(self.added), len(self.updated), len(self.unchanged))


def _entry(row: Any) -> DirectoryEntry:
    values = {name: row[name] for name in _ENTRY_FIELDS}
    if values["regulators"] is not None:
        values["regulators"] = list(values["regulators"])
    return DirectoryEntry(**values)


def _record(row: Any) -> DirectoryRecord:
    return DirectoryRecord(id=int(row["id"]), entry=_entry(row), updated_at=row["updated_at"])


def _values(entry: DirectoryEntry, source: str | None) -> dict[str, Any]:
    values = {name: getattr(entry, name) for name in _ENTRY_FIELDS}
    values["source"] = source if source is not None else entry.source
    return values


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class DirectoryRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    # -- importing -------------------------------------------------------------------------
    def preview(self, entries: Sequence[DirectoryEntry],
                fields: Sequence[str] | None = None) -> DirectoryPreview:
        """Which entries would be added, which would change a stored entry (and how), and which
        are already stored as they are. Only ``fields`` (default: all) of a stored entry are
        compared and would change: the fields the file says something about
        (``DirectoryRead.fields``). Raises ValueError if two entries share a code."""
        compared = [name for name in DATA_FIELDS if fields is None or name in fields]
        seen: set[tuple[str, str]] = set()
        for entry in entries:
            if entry.key in seen:
                raise ValueError(f"The entries to import repeat the {entry.code_system} code {entry.code}.")
            seen.add(entry.key)
        stored = self._stored({e.code_system for e in entries})
        preview = DirectoryPreview()
        for entry in entries:
            found = stored.get(entry.key)
            if found is None:
                preview.added.append(entry)
                continue
            entry_id, before = found
            changed = tuple(name for name in compared if getattr(before, name) != getattr(entry, name))
            if changed:
                new_values = {name: getattr(entry, name) for name in changed}
                after = replace(before, source=entry.source, **new_values)
                preview.updated.append(DirectoryUpdate(entry_id, before, after, changed))
            else:
                preview.unchanged.append(entry)
        return preview

    def _stored(self, systems: Iterable[str]) -> dict[tuple[str, str], tuple[int, DirectoryEntry]]:
        systems = sorted(set(systems))
        if not systems:
            return {}
        query = select(_TABLE).where(_TABLE.c.code_system.in_(systems))
        return {(r["code_system"], r["code"]): (int(r["id"]), _entry(r))
                for r in self.connection.execute(query).mappings()}

    def apply(self, entries: Sequence[DirectoryEntry], source: str | None,
              fields: Sequence[str] | None = None) -> DirectoryCounts:
        """Add the new entries and update the changed ones (only their ``fields``, as in
        ``preview``), in the caller's transaction, with ``source`` recorded on every row written
        (None keeps each entry's own). Unchanged entries are not written; stored entries missing
        from ``entries`` are left alone. One INSERT and one UPDATE, each executed for many rows."""
        preview = self.preview(entries, fields)
        if preview.added:
            self.connection.execute(insert(_TABLE), [_values(e, source) for e in preview.added])
        if preview.updated:
            # every row of an executemany sets the same columns: all the compared ones but the key
            written = [name for name in DATA_FIELDS if (fields is None or name in fields)
                       and name not in ("code_system", "code")] + ["source"]
            statement = (update(_TABLE).where(_TABLE.c.id == bindparam("entry_id"))
                         .values(updated_at=func.now()))
            values = [_values(u.after, source) for u in preview.updated]
            rows = [{"entry_id": u.id, **{name: v[name] for name in written}}
                    for u, v in zip(preview.updated, values, strict=True)]
            self.connection.execute(statement, rows)
        return preview.counts

    def add(self, entry: DirectoryEntry) -> DirectoryRecord:
        """Store an organisation added by hand: code system "local", with a generated code unless
        it has one. Raises ValueError if the entry is incomplete or its code is taken."""
        if entry.code_system != "local":
            raise ValueError("Organisations added by hand have the code system 'local'; ODS and CQC "
                             "organisations come from importing their files.")
        problems = problems_of(entry, load("sectors"))
        if problems:
            raise ValueError(f"The organisation cannot be added: {'; '.join(problems)}.")
        code = entry.code.strip() or f"local-{uuid.uuid4().hex[:12]}"
        if self.find_by_code(code, "local") is not None:
            raise ValueError(f"The local code {code} is already in the directory.")
        values = _values(entry, entry.source or "added by hand")
        values["code"] = code
        new_id = self.connection.execute(insert(_TABLE).values(values).returning(_TABLE.c.id)).scalar_one()
        return self.get(int(new_id))

    # -- reading ---------------------------------------------------------------------------
    def get(self, entry_id: int) -> DirectoryRecord:
        row = self.connection.execute(select(_TABLE).where(_TABLE.c.id == entry_id)).mappings().first()
        if row is None:
            raise DirectoryEntryNotFound(f"There is no directory entry with id {entry_id}.")
        return _record(row)

    def find_by_code(self, code: str, code_system: str | None = None) -> DirectoryRecord | None:
        """The entry with this code (e.g. a case organisation's codes.ods or codes.cqc_location),
        in ``code_system`` or else in any: ODS first, then CQC, then local. Codes are compared
        exactly, after trimming, and also in capitals (ODS codes are)."""
        text = code.strip()
        if not text:
            return None
        systems = [code_system] if code_system else list(CODE_SYSTEMS)
        candidates = {text, text.upper()}
        query = select(_TABLE).where(_TABLE.c.code_system.in_(systems), _TABLE.c.code.in_(candidates))
        rows = list(self.connection.execute(query).mappings())
        if not rows:
            return None
        rows.sort(key=lambda r: (systems.index(r["code_system"]), r["code"] != text))
        return _record(rows[0])

    def _filtered(self, query: Select[Any], text: str, include_closed: bool) -> Select[Any]:
        conditions: list[ColumnElement[bool]] = []
        for word in text.lower().split():
            pattern = f"%{_escape_like(word)}%"
            columns = [func.lower(_TABLE.c[name]).like(pattern, escape="\\") for name in SEARCHED]
            columns.append(func.replace(func.lower(_TABLE.c.postcode), " ", "").like(pattern, escape="\\"))
            conditions.append(or_(*columns))
        if not include_closed:
            conditions.append(_TABLE.c.status != "closed")
        return query.where(and_(*conditions)) if conditions else query

    def search(self, text: str = "", limit: int | None = 50, offset: int = 0,
               include_closed: bool = True) -> list[DirectoryRecord]:
        """Entries whose name, code, area or postcode contain every word of ``text`` (ignoring
        case; a postcode also without its space), by name. The search runs in the database."""
        query = self._filtered(select(_TABLE), text, include_closed)
        query = query.order_by(func.lower(_TABLE.c.name), _TABLE.c.id).offset(offset).limit(limit)
        return [_record(r) for r in self.connection.execute(query).mappings()]

    def count(self, text: str = "", include_closed: bool = True) -> int:
        """How many entries there are (that ``search`` would find for ``text``)."""
        query = self._filtered(select(func.count()).select_from(_TABLE), text, include_closed)
        return int(self.connection.execute(query).scalar_one())
