"""Parsing JSON from outside the app within limits: size, nesting, numbers and text.

Every file a user imports (a case file or a FHIR bundle) is parsed here before anything else
reads it, so what the rest of the app meets is JSON it can hold:

* at most :data:`MAX_FILE_BYTES` (50 MB; a case file at most :data:`MAX_CASE_FILE_BYTES`, 20 MB),
  checked before the text is parsed;
* arrays and objects nested at most :data:`MAX_DEPTH` (64) deep, checked by a scan of the text
  that does not recurse, so a file nested thousands deep never reaches the parser;
* numbers that are finite (no ``NaN``, no ``Infinity``) and whole numbers no larger than
  :data:`MAX_SAFE_INTEGER` (2^53, the largest every JSON reader keeps exactly);
* text (values and keys) that is valid Unicode (no lone surrogates) and holds no NUL character
  (U+0000, which PostgreSQL cannot store and C libraries read as the end of the text).

Whatever breaks a limit is an ordinary :class:`~planner.validation.Problem` with its JSON path,
never an exception from the parser.
"""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate
from typing import Any

from planner.validation import Problem, in_order, key_path

#: The largest file read for import (a FHIR bundle of a long history can be tens of megabytes).
MAX_FILE_BYTES = 50 * 1024 * 1024
#: The largest case file: far beyond a real case (the demo is 30 kB; 10,000 steps are about 3 MB).
MAX_CASE_FILE_BYTES = 20 * 1024 * 1024
#: How deep arrays and objects may be nested (a case file needs 8 levels, FHIR about 12).
MAX_DEPTH = 64
#: The largest whole number accepted, either sign.
MAX_SAFE_INTEGER = 2**53
#: A whole number with more digits than this is refused before it is converted.
MAX_INT_DIGITS = 20

#: A backslash escape: taken out first, so that a string is then simply quote to quote (a pattern
#: that handles escapes inside strings can take quadratic time on text such as "\"\"\"...).
_ESCAPE = re.compile(r"\\.")
_STRING = re.compile(r'"[^"]*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
#: A \\u escape of a surrogate or of NUL (not itself escaped): only these can put such characters
#: into parsed text, since the file must be valid UTF-8 and JSON forbids raw control characters.
_SUSPECT_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u(?:[dD][89a-fA-F]|0000)")
_TOKEN = re.compile(r'"[^"]*"(\s*:)?|[\[\]{},]')
#: How much of the path to a part nested too deeply is shown (the line number says where it is).
SHOWN_LEVELS = 8
#: Problems found while parsing stop being collected after this many (they are still counted).
MAX_COLLECTED = 1000


class _Refused:
    """A number the parser met that the app does not accept, kept to be reported with its path."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


def nesting_depth(text: str) -> int:
    """How deeply arrays and objects nest in JSON ``text``, without parsing it (and so without
    recursion): brackets inside strings are ignored."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", _ESCAPE.sub("", text)))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def _too_deep_at(text: str, limit: int) -> tuple[str, int] | None:
    """(JSON path, line) of the first array or object nested deeper than ``limit``; None if none.
    Keys are shown without their escapes."""
    text = _ESCAPE.sub("", text)  # never a line break: "." does not match one
    frames: list[list[Any]] = []  # per open container: [kind, current key or index]
    for match in _TOKEN.finditer(text):
        token = match[0]
        if token in "{[":
            if len(frames) >= limit:
                path = "$"
                for kind, where in frames[:SHOWN_LEVELS]:
                    path = f"{path}[{where}]" if kind == "[" else key_path(path, str(where))
                return path + "…", text.count("\n", 0, match.start()) + 1
            frames.append([token, 0 if token == "[" else "?"])
        elif token in "}]":
            if frames:
                frames.pop()
        elif token == ",":
            if frames and frames[-1][0] == "[":
                frames[-1][1] += 1
        elif match[1] and frames and frames[-1][0] == "{":  # a key
            try:
                frames[-1][1] = json.loads(token[: token.rindex('"') + 1])
            except ValueError:
                frames[-1][1] = "?"
    return None


def _text_problem(text: str) -> str | None:
    """Why a string cannot be held as case text, or None."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        return (f"contains a lone surrogate (U+{ord(text[error.start]):04X}), which is not valid Unicode "
                "text")
    if "\x00" in text:
        return "contains the character U+0000 (NUL), which text in a case cannot hold"
    return None


def parse(text: str) -> tuple[Any, list[Problem], int]:
    """Parse JSON ``text`` within the limits above.

    Returns the value, the problems (empty when it is acceptable) and how many problems there
    are in all (only the first :data:`MAX_COLLECTED` are collected). A syntax error is raised as
    ``json.JSONDecodeError`` for the caller to word."""
    if nesting_depth(text) > MAX_DEPTH:
        found = _too_deep_at(text, MAX_DEPTH)
        if found is not None:
            path, line = found
            return None, [Problem(path, f"arrays and objects are nested more than {MAX_DEPTH} deep here "
                                        f"(line {line}): no case file or FHIR bundle needs so many "
                                        "levels")], 1
    refused: list[_Refused] = []

    def whole(number: str) -> Any:
        digits = len(number.lstrip("-"))
        if digits > MAX_INT_DIGITS:
            refused.append(_Refused(f"a whole number of {digits:,} digits is too large (at most "
                                    f"{MAX_SAFE_INTEGER:,})"))
            return refused[-1]
        value = int(number)
        if abs(value) > MAX_SAFE_INTEGER:
            refused.append(_Refused(f"{value:,} is too large a whole number (at most {MAX_SAFE_INTEGER:,})"))
            return refused[-1]
        return value

    def fraction(number: str) -> Any:
        value = float(number)
        if not math.isfinite(value):
            shown = number if len(number) <= 24 else f"a number of {len(number):,} characters"
            refused.append(_Refused(f"{shown} is too large a number"))
            return refused[-1]
        return value

    def constant(name: str) -> Any:
        refused.append(_Refused(f"{name} is not a number a case can hold (JSON has no {name})"))
        return refused[-1]

    try:
        data = json.loads(text, parse_int=whole, parse_float=fraction, parse_constant=constant)
    except RecursionError:  # the scan above keeps deep input away; this is the last guard
        return None, [Problem("$", f"arrays and objects are nested more than {MAX_DEPTH} deep")], 1
    if not refused and not _SUSPECT_ESCAPE.search(text):
        return data, [], 0
    return data, *_walk(data)


def _walk(data: Any) -> tuple[list[Problem], int]:
    """Every refused number and unacceptable string (values and keys) in ``data``, by path;
    iterative, so depth costs nothing but memory."""
    problems: list[Problem] = []
    count = 0

    def found(path: str, message: str) -> None:
        nonlocal count
        count += 1
        if len(problems) < MAX_COLLECTED:
            problems.append(Problem(path, message))

    stack: list[tuple[Any, str]] = [(data, "$")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            items: Any = value.items()
        elif isinstance(value, list):
            items = ((f"[{index}]", item) for index, item in enumerate(value))
        else:
            items = (("", value),)
        for key, item in items:
            if isinstance(value, dict):
                if (why := _text_problem(key)) is not None:
                    found(path, f"a key {why}")
                    continue
                where = key_path(path, key)
            else:
                where = path + key
            if isinstance(item, dict | list):
                stack.append((item, where))
            elif isinstance(item, _Refused):
                found(where, item.reason)
            elif isinstance(item, str) and (why := _text_problem(item)) is not None:
                found(where, f"the text {why}")
    problems.sort(key=in_order)
    return problems, count
