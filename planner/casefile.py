"""Reading and writing case files (``pathway-planner/case`` version 1).

Reading parses within limits (size, nesting, numbers, text: see :mod:`planner.jsonlimits`),
then validates fully and raises :class:`~planner.validation.CaseFileError` listing every
problem; writing is atomic, so a failed export never leaves half a file behind.
"""

from __future__ import annotations

import json
import os
import stat
from typing import Any

from planner import jsonlimits
from planner.convert import from_json, to_json
from planner.model import Case
from planner.outputs import write_atomically
from planner.validation import CaseFileError, Problem, validate_counted

FORMAT = "pathway-planner/case"
VERSION = 1


def case_from_dict(data: Any, source: str | None = None) -> Case:
    """Validate a parsed case file and build the case; raise CaseFileError on any problem."""
    problems, count, counted_all = validate_counted(data)
    if problems:
        raise CaseFileError(problems, source, count, counted_all)
    return from_json(Case, {k: v for k, v in data.items() if k not in ("format", "version")})


def case_to_dict(case: Case) -> dict[str, Any]:
    """The case-file object of a case, ``format`` and ``version`` first."""
    return {"format": FORMAT, "version": VERSION, **to_json(case)}


def loads_json(text: str, source: str | None = None) -> Any:
    """Parse JSON text within the limits of :mod:`planner.jsonlimits`, raising CaseFileError with
    the place of a syntax error, or every value beyond a limit by its path."""
    try:
        data, problems, count = jsonlimits.parse(text)
    except json.JSONDecodeError as error:
        problem = Problem("$", f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})")
        raise CaseFileError([problem], source) from None
    if problems:
        raise CaseFileError(problems, source, count)
    return data


def loads_case(text: str, source: str | None = None) -> Case:
    return case_from_dict(loads_json(text, source), source)


def dumps_case(case: Case) -> str:
    return json.dumps(case_to_dict(case), indent=2, ensure_ascii=False) + "\n"


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB"


def read_json_file(path: str | os.PathLike[str]) -> Any:
    """Parse a JSON file (UTF-8, with or without a byte-order mark), raising CaseFileError with
    clear problems if it cannot be read, is too large or cannot be parsed within the limits.
    Case files and FHIR files both come here: a FHIR bundle may be up to
    :data:`~planner.jsonlimits.MAX_FILE_BYTES`, a case file up to
    :data:`~planner.jsonlimits.MAX_CASE_FILE_BYTES`."""
    source = str(path)
    limit = jsonlimits.MAX_FILE_BYTES
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a pipe would never end, a device never stop
            raise CaseFileError([Problem("$", "cannot read the file: it is not a regular file (a folder, "
                                              "a device or a pipe)")], source)
        with open(path, "rb") as file:  # at most the limit, whatever the file says its size is
            raw = file.read(limit + 1)
    except OSError as error:
        raise CaseFileError([Problem("$", f"cannot read the file: {error.strerror or error}")],
                            source) from None
    if len(raw) > limit:
        raise CaseFileError([Problem("$", f"the file is larger than {_megabytes(limit)}, the most a case "
                                          "file or FHIR bundle may be")], source)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CaseFileError([Problem("$", "the file is not UTF-8 text")], source) from None
    data = loads_json(text, source)
    is_fhir = isinstance(data, dict) and "resourceType" in data and "format" not in data
    if not is_fhir and len(raw) > jsonlimits.MAX_CASE_FILE_BYTES:
        raise CaseFileError([Problem("$", f"the file is {_megabytes(len(raw))}: a case file may be at "
                                          f"most {_megabytes(jsonlimits.MAX_CASE_FILE_BYTES)}")], source)
    return data


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
