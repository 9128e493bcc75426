"""Reading and writing case files (``pathway-planner/case`` version 1).

Reading validates fully and raises :class:`~planner.validation.CaseFileError` listing every
problem; writing is atomic, so a failed export never leaves half a file behind.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from planner.convert import from_json, to_json
from planner.model import Case
from planner.outputs import write_atomically
from planner.validation import CaseFileError, Problem, validate

FORMAT = "pathway-planner/case"
VERSION = 1


def case_from_dict(data: Any, source: str | None = None) -> Case:
    """Validate a parsed case file and build the case; raise CaseFileError on any problem."""
    problems = validate(data)
    if problems:
        raise CaseFileError(problems, source)
    return from_json(Case, {k: v for k, v in data.items() if k not in ("format", "version")})


def case_to_dict(case: Case) -> dict[str, Any]:
    """The case-file object of a case, ``format`` and ``version`` first."""
    return {"format": FORMAT, "version": VERSION, **to_json(case)}


def loads_json(text: str, source: str | None = None) -> Any:
    """Parse JSON text, raising CaseFileError with the place of a syntax error."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        problem = Problem("$", f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})")
        raise CaseFileError([problem], source) from None


def loads_case(text: str, source: str | None = None) -> Case:
    return case_from_dict(loads_json(text, source), source)


def dumps_case(case: Case) -> str:
    return json.dumps(case_to_dict(case), indent=2, ensure_ascii=False) + "\n"


def read_json_file(path: str | os.PathLike[str]) -> Any:
    """Parse a JSON file (UTF-8, with or without a byte-order mark), raising CaseFileError with
    one clear problem if it cannot be read or parsed. Case files and FHIR files both come here."""
    source = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise CaseFileError([Problem("$", f"cannot read the file: {error.strerror}")], source) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CaseFileError([Problem("$", "the file is not UTF-8 text")], source) from None
    return loads_json(text, source)


def read_case_file(path: str | os.PathLike[str]) -> Case:
    """Read and validate a case file."""
    return case_from_dict(read_json_file(path), str(path))


def write_text_atomically(text: str, path: str | os.PathLike[str]) -> None:
    """Write UTF-8 text through a private temporary file beside ``path`` and a rename, so a failed
    write never leaves half a file (nor harms the file already there); see planner.outputs, which
    also refuses a target that is not an ordinary file."""
    write_atomically(text.encode("utf-8"), path, overwrite=True)


def write_case_file(case: Case, path: str | os.PathLike[str]) -> None:
    """Write a case file atomically."""
    write_text_atomically(dumps_case(case), path)
