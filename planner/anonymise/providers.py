"""Which providers keep their names in anonymised outputs, and what the others are called.

A small provider can identify her as surely as her address: the care home she lives in, her
home-care agency, her GP practice, a befriending group, anything named after a person. In
anonymised outputs these are shown by type and letter ("Care home A", "GP practice B"), unless
the user asks for providers to be named. Statutory bodies (NHS trusts and other NHS bodies,
councils, integrated care boards) serve whole areas and keep their names, unless named after a
person ("Dr Gray's Hospital"). Letters follow the order of the case's organisations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from planner.anonymise.patterns import _PARTICLES, _TITLED
from planner.model import Organisation

#: Sectors of statutory bodies: these keep their names.
STATUTORY = frozenset({"acute", "community_health", "mental_health", "ambulance", "local_authority",
                       "system"})
#: What a provider that is not named is called, by sector (followed by its letter).
KINDS = {
    "primary_care": "GP practice", "domiciliary_care": "Home-care agency", "care_home": "Care home",
    "voluntary": "Voluntary group", "hospice": "Hospice", "pharmacy": "Pharmacy",
    "informal": "Family and friends", "acute": "Hospital", "community_health": "Community service",
    "mental_health": "Mental health service", "ambulance": "Ambulance service",
    "local_authority": "Council", "system": "NHS body",
}
#: Words of providers' names that say what they are, not which one: never found on their own.
_GENERIC = frozenset({
    "care", "cares", "carers", "home", "homes", "homecare", "house", "nursing", "residential", "surgery",
    "medical", "centre", "center", "practice", "health", "healthcare", "group", "services", "service",
    "agency", "ltd", "limited", "plc", "llp", "cic", "the", "and", "for", "pharmacy", "chemist",
    "chemists", "hospice", "trust", "community", "friends", "family", "circle", "club", "support",
    "partnership", "partners", "association", "society", "charity", "foundation", "project", "network",
    "team", "clinic", "hospital", "dental", "unit", "living", "supported", "domiciliary", "nhs", "road",
    "street", "lane", "court", "lodge", "manor", "hall", "park", "view", "close", "gardens", "villa",
    "befriending", "visiting", "volunteers", "voluntary", "age", "concern", "help", "helping", "hands",
    "independent", "private", "uk", "county", "city", "town", "village", "north", "south", "east", "west",
    "council", "social", "adult", "adults", "older", "people", "person", "elderly", "respite", "day",
    "night", "sitting", "companions", "companionship", "church", "parish", "united", "new", "old",
})
_LEGAL = re.compile(r"[\s,]+(?:ltd|limited|plc|llp|cic|inc)\.?$", re.IGNORECASE)
_PARTNERS = re.compile(r"\b(?:and|&)\s+partners\b", re.IGNORECASE)
_WORDS = re.compile(r"[^\W\d_](?:(?:[^\W\d_]|['’`])*[^\W\d_])?")


def named_after_person(name: str) -> bool:
    """Whether a provider's name names a person ("Dr Patel's Surgery", "Smith and Partners")."""
    return _TITLED.search(name) is not None or _PARTNERS.search(name) is not None


def is_statutory(organisation: Organisation) -> bool:
    """Whether a provider keeps its name in anonymised outputs: a statutory body not named after
    a person."""
    return organisation.sector in STATUTORY and not named_after_person(organisation.name)


def letter(number: int) -> str:
    """The letter of the ``number``-th provider (from 0): A to Z, then AA, AB..."""
    text = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        text = chr(ord("A") + rest) + text
    return text


def provider_labels(organisations: Sequence[Organisation]) -> dict[str, str]:
    """What each provider that is not named is called ("Care home A"), by its id."""
    labels: dict[str, str] = {}
    for org in organisations:
        if org.id not in labels and not is_statutory(org):
            labels[org.id] = f"{KINDS.get(org.sector, 'Provider')} {letter(len(labels))}"
    return labels


def provider_names(organisations: Sequence[Organisation], labels: dict[str, str],
                   also_kept: Iterable[str] = ()) -> list[tuple[str, str]]:
    """The ways free text may name each lettered provider, paired with its label: its name in
    full, without "Ltd" or "The", and its distinctive words ("Hillside" of "Hillside Nursing
    Home"), though not a word that another provider's name, or ``also_kept`` (areas), shares."""
    def words(text: str) -> set[str]:
        return {w.casefold() for w in _WORDS.findall(text)}

    counts: dict[str, int] = {}
    for org in organisations:
        for word in words(org.name):
            counts[word] = counts.get(word, 0) + 1
    shared = {w for w, n in counts.items() if n > 1}
    for org in organisations:
        if org.id not in labels:
            shared |= words(org.name)
    for text in also_kept:
        shared |= words(text)
    found: list[tuple[str, str]] = []
    for org in organisations:
        label = labels.get(org.id)
        if label is None:
            continue
        name = " ".join(org.name.split())
        short = _LEGAL.sub("", name)
        shorter = re.sub(r"^the\s+", "", short, flags=re.IGNORECASE)
        found += [(variant, label) for variant in dict.fromkeys((name, short, shorter)) if variant]
        for word in _WORDS.findall(name):
            key = word.casefold()
            if len(key) >= 3 and key not in _GENERIC and key not in _PARTICLES and key not in shared:
                found.append((word, label))
    return found
