"""Finding, loading, deleting and restoring cases.

A case is named by its id or its exact title; a title that matches none is answered with the
closest titles there are (:func:`find_case_id`), in one plain line.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from db.database import Database
from db.repository import CaseNotFound
from planner.model import Case
from ui.actions import ActionError

#: How many titles a reference that matches none is answered with, at most.
SUGGESTIONS = 3


class CaseNamedTwice(ActionError):
    """The same case was named more than once where each case may appear once."""


def suggestions(reference: str, titles: Sequence[str], limit: int = SUGGESTIONS) -> list[str]:
    """The titles closest to ``reference`` (case and spacing ignored), closest first: those
    difflib finds alike, then those containing every word of it."""
    wanted = " ".join(reference.lower().split())
    if not wanted:
        return []
    lowered: dict[str, str] = {}
    for title in titles:
        lowered.setdefault(" ".join(title.lower().split()), title)
    close = difflib.get_close_matches(wanted, list(lowered), n=limit, cutoff=0.6)
    # "smith" names "Mrs Smith, Torbay": a word of the title, not its whole
    words = wanted.split()
    close += [low for low in lowered if low not in close and all(word in low for word in words)]
    if len(close) < limit:
        by_word = {low: max((difflib.SequenceMatcher(None, wanted, part).ratio()
                             for part in low.replace(",", " ").split()), default=0.0) for low in lowered}
        close += [low for low, ratio in sorted(by_word.items(), key=lambda item: -item[1])
                  if ratio >= 0.75 and low not in close]
    return [lowered[low] for low in close[:limit]]


def not_found(reference: str, titles: Sequence[str]) -> str:
    """One line for a case id or title that matches no case, with the closest titles if any."""
    text = reference.strip()
    close = suggestions(text, titles)
    if not close:
        return f"No case has the id or title '{text}'."
    quoted = ", ".join(f"“{title}”" for title in close)
    return f"No case has the id or title '{text}'. Did you mean {quoted}?"


def find_case_id(database: Database, reference: str) -> int:
    """The id of the case named by ``reference`` (an id or an exact title, as
    db.repository.CaseRepository.find); raises CaseNotFound, naming the closest titles if any."""
    from db.repository import CaseRepository

    with database.snapshot() as session:
        repository = CaseRepository(session)
        try:
            return repository.find(reference)
        except CaseNotFound as error:
            if not str(error.args[0]).startswith("No case"):  # several cases share the title
                raise
            titles = [summary.title for summary in repository.summaries() if summary.title]
    raise CaseNotFound(not_found(reference, titles)) from None


def load_case(database: Database, reference: str) -> Case:
    """The case named by ``reference``, as saved."""
    from db.repository import CaseRepository

    case_id = find_case_id(database, reference)
    with database.snapshot() as session:
        return CaseRepository(session).get(case_id)


def load_cases(database: Database, references: Sequence[str]) -> list[Case]:
    """The cases named, as they were at one moment; CaseNamedTwice if one is named more than once."""
    from db.repository import CaseRepository

    ids = [find_case_id(database, reference) for reference in references]
    repeated = sorted({case_id for case_id in ids if ids.count(case_id) > 1})
    if repeated:
        raise CaseNamedTwice(f"case {', '.join(map(str, repeated))} is named more than once")
    with database.snapshot() as session:  # the cases as they were at one moment
        repository = CaseRepository(session)
        return [repository.get(case_id) for case_id in ids]


def load_by_ids(database: Database, ids: Sequence[int]) -> list[Case]:
    """The cases of ``ids``, as they were at one moment."""
    from db.repository import CaseRepository

    with database.snapshot() as session:
        repository = CaseRepository(session)
        return [repository.get(case_id) for case_id in ids]


def add_case(database: Database, case: Case, *, action: str = "created", summary: str | None = None,
             details: dict[str, object] | None = None) -> int:
    """Store a new case, recorded in the audit trail as ``action`` with ``summary``; its id."""
    from db.repository import CaseRepository

    with database.session() as session:
        return CaseRepository(session).add(case, action=action, summary=summary, details=details)


def delete_case(database: Database, case_id: int) -> None:
    """Move a case to Deleted cases (recorded; it can be restored until they are emptied)."""
    from db.repository import CaseRepository

    with database.session() as session:
        CaseRepository(session).move_to_deleted(case_id)


def restore_case(database: Database, case_id: int) -> None:
    """Bring a case back from Deleted cases (recorded)."""
    from db.repository import CaseRepository

    with database.session() as session:
        CaseRepository(session).restore(case_id)


def empty_deleted(database: Database) -> int:
    """Delete every case in Deleted cases for good (each recorded); how many."""
    from db.repository import CaseRepository

    with database.session() as session:
        return CaseRepository(session).empty_deleted()
