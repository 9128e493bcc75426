"""Phrases the rules share when they write evidence."""

from __future__ import annotations

from collections.abc import Iterable

from planner.describe import inline
from planner.reference import label
from planner.rules.context import Link

_METHOD = {
    "letter": "by letter",
    "phone": "by phone",
    "none": "with no handoff at all",
    "unknown": "with no handoff recorded",
    "shared_record": "through the shared record",
    "electronic_referral": "by electronic referral",
    "in_person": "in person",
}


def said(enumeration: str, code: str | None) -> str:
    """A code's label as it reads inside a sentence."""
    return inline(label(enumeration, code))


#: What a finding resting on a derived handoff says of it (DOMAIN.md section 3, *handoff*).
INFERRED = "not recorded: inferred from the order of steps"


def method(link: Link) -> str:
    text = _METHOD.get(link.method, said("method", link.method))
    return text + f" ({INFERRED})" if link.derived else text


def regulators(codes: Iterable[str]) -> str:
    names = [label("regulator_short", code) for code in codes]
    return listing(names) if names else "no regulator"


def first_upper(text: str) -> str:
    """Upper-case the first letter (after any opening quote), leaving the rest as it is."""
    for index, char in enumerate(text):
        if char.isalpha():
            return text[:index] + char.upper() + text[index + 1 :]
    return text


_FUNDING = {
    "nhs": "free NHS care",
    "chc": "NHS Continuing Healthcare",
    "local_authority": "means-tested council care",
    "self_funded": "self-funded",
    "personal_budget": "paid from a personal budget",
}


def funding(code: str | None) -> str:
    """How a step was paid for, inside a sentence: "free NHS care", "self-funded"."""
    return _FUNDING.get(code or "", said("funding", code))


def handoff(link: Link) -> str:
    """A sentence on how information went across."""
    if link.derived:
        return f"No handoff was recorded between them ({INFERRED})."
    if link.method in ("none", "unknown"):
        return "No handoff was recorded." if link.method == "unknown" else "There was no handoff."
    return f"The handoff went {method(link)}."


def days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def listing(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


_ORDINAL_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth",
                  7: "seventh", 8: "eighth", 9: "ninth", 10: "tenth"}


def ordinal(number: int) -> str:
    """"second", ..., "tenth", then "11th", "12th", "13th", "21st", "22nd", "23rd", "101st"..."""
    if number in _ORDINAL_WORDS:
        return _ORDINAL_WORDS[number]
    if number % 100 in (11, 12, 13):
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"
