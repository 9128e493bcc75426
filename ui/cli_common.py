"""What the command line's commands share: the one-line error (``CommandError``), the database
opened for a command, the case named on the command line, the area's unit costs, the
warning for a damaged case, and rendering errors turned into one line.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from db.database import Database
    from planner.model import Case
    from planner.unit_costs import LocalUnitCosts


class CommandError(Exception):
    """A failure to report to the user in one line."""


def _database(url: str | None, *, just_reading: bool = False) -> AbstractContextManager[Database]:
    """The database, open for the command (ui.actions.database.opened)."""
    from ui.actions.database import opened

    return opened(url, just_reading=just_reading)


def _load_case(args: argparse.Namespace, *, just_reading: bool = False) -> Case:
    """The case the command names; ``just_reading``: for a command that writes nothing (no file, so
    no audit event), which works on a database that can only be read."""
    with _database(args.db, just_reading=just_reading) as database:
        return _get_case(database, args.case)


def _get_case(database: Database, name: str) -> Case:
    from ui.actions.cases import load_case

    case = load_case(database, name)
    _warn_damage(case)
    return case


def _local_costs(database: Database) -> LocalUnitCosts:
    """The areas' own unit costs, set in the application's settings (shared through the database)."""
    from db.unit_costs import UnitCostSettings

    with database.snapshot() as session:
        return UnitCostSettings(session).local_costs()


def _warn_damage(case: Case) -> None:
    """A warning line on stderr for each part of a stored case that could not be read (and is
    left out of what the command shows or writes)."""
    shown = 20
    for message in case.damage[:shown]:
        print(f"pathway-planner: warning: case {case.id} “{case.display_title}”: {message}",
              file=sys.stderr)
    if len(case.damage) > shown:
        print(f"pathway-planner: warning: case {case.id} “{case.display_title}”: … and "
              f"{len(case.damage) - shown} more parts could not be read.", file=sys.stderr)


@contextmanager
def _render_errors(out: str) -> Iterator[None]:
    """An OSError while rendering (not writing) an output, told as one line: nothing was written."""
    from planner.outputs import OutputError

    try:
        yield
    except OutputError:
        raise
    except OSError as error:
        raise CommandError(f"{out} was not written: {error.strerror or error}") from None
