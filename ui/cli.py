"""The ``pathway-planner`` command: no arguments opens the GUI; subcommands drive it headless.

Errors go to stderr as one clear message with exit status 1; usage errors exit with 2.
Qt is imported only by the commands that need it. The parser is ui.cli_parser, the commands
that only read ui.cli_reading, those that write ui.cli_writing, what they share ui.cli_common;
this module runs the one asked for and reports its failure.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from ui.actions import outputs
from ui.cli_common import CommandError
from ui.cli_parser import build_parser
from ui.cli_reading import _audit, _cases, _costs, _directory, _findings, _measures
from ui.cli_writing import (
    _backup,
    _demo,
    _export,
    _fhir_package,
    _import,
    _import_directory,
    _restore,
    _screenshot,
)

# the parser, the reading and the writing commands are their own modules; named here as before
__all__ = ["COMMANDS", "CommandError", "build_parser", "main"]


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "cases": _cases, "costs": _costs, "demo": _demo, "import": _import, "fhir-package": _fhir_package,
    "findings": _findings,
    "measures": _measures, "screenshot": _screenshot, "import-directory": _import_directory,
    "directory": _directory, "audit": _audit, "backup": _backup, "restore": _restore}


def _handler(command: str) -> Callable[[argparse.Namespace], int]:
    """The function running ``command``: its own, or, for an output of the one list, _export."""
    if command in COMMANDS:
        return COMMANDS[command]
    if outputs.by_command(command) is None:
        raise KeyError(command)
    return _export


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        from ui.app import run_gui

        return run_gui(args.db)
    from db import audit
    from db.backup import BackupError
    from db.database import DatabaseError
    from db.repository import CaseNotFound
    from planner.outputs import OutputError
    from planner.validation import CaseFileError
    from ui.actions import ActionError

    audit.set_user_name_source(_preferred_name)
    try:
        return _handler(args.command)(args)
    except BrokenPipeError:  # the reader (e.g. head) stopped listening: not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except CaseFileError as error:
        print(f"pathway-planner: {error}", file=sys.stderr)
    except CaseNotFound as error:
        print(f"pathway-planner: {error.args[0]}", file=sys.stderr)
    except (DatabaseError, CommandError, BackupError, OutputError, ActionError) as error:
        print(f"pathway-planner: {error}", file=sys.stderr)
    return 1


def _preferred_name() -> str | None:
    """The name set in the GUI's preferences (read only when an event is recorded)."""
    from ui.preferences import display_name

    return display_name()


if __name__ == "__main__":
    sys.exit(main())
