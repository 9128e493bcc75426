"""Redacting free text: names, identifiers, places, numbers, dates and times.

:class:`Redactor` is given the names to find (the person's, her team's, her providers', and
any names introduced elsewhere in her case) and what replaces each; it also finds, in any text:

* names introduced by a title or a kinship word ("Mrs Adaeze", "my son David", "her niece,
  Grace", "David (son)"), which become ``"Mrs [name]"``, ``"my son [name]"``;
* street addresses ("14 Wellmeadow Road", "Flat 2, 3 Mill Lane", "lives on Station Road") and
  UK postcodes, which become ``"[address]"`` and ``"[postcode]"``;
* NHS numbers, phone numbers and e-mail addresses;
* reference and contract numbers ("SPOT-1187", "Spot purchase 2024-117", "ref 5521"), which
  become ``"[reference]"``;
* dates, which become ``"day 12"`` counted from the first step (``"[date]"`` when far before
  it, or not a real date), and clock times, which become ``"[time]"``.

Everything it puts in is a readable placeholder, so the story still reads. What it leaves alone
is listed in :mod:`planner.anonymise.patterns` ("Road safety", "Day 3", "A&E", "NHS 111").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date

from planner.anonymise.patterns import (
    _ADDRESS,
    _APOSTROPHES,
    _COMMON_WORDS,
    _DATE,
    _DIGIT,
    _EMAIL,
    _KIN,
    _KIN_AFTER,
    _LONG_NUMBER,
    _NAMED_NUMBER,
    _NOT_NAMES,
    _ONE_NAME,
    _PARTICLES,
    _PHONE,
    _POSTCODE,
    _STREET,
    _TEN_DIGITS,
    _TIME,
    _TITLED,
    _TITLES,
    _TOKEN,
    _match_date,
    has_kin,
    is_reference,
    kin_is_introduced,
    may_have_a_title,
    may_hold_a_date,
    may_hold_a_reference,
    may_hold_a_time,
    may_name_a_number,
)
from planner.model import Moment, moment_date
from planner.nhs_number import is_valid as is_valid_nhs_number

#: Dates in text earlier than this many days before the first step are removed, not counted.
OLDEST_RELATIVE_DAYS = 2 * 366
#: What a name found only by its title or kinship word becomes.
NAME = "[name]"

#: Joins texts redacted together (:meth:`Redactor.texts`): NUL, which is no letter, digit, space
#: or mark, so no pass matches it or matches across it; case files may not hold it.
_APART = "\x00"
#: How many texts, and characters, are redacted together: few enough that their redactions (each
#: of two characters or more) stay far fewer than the placeholders' characters can number
#: (``_SENTINEL_BASE`` on).
_TOGETHER = 256
_TOGETHER_CHARACTERS = 20_000
_SENTINEL = ("\ue000", "\ue001")
_SENTINEL_BASE = 0xF0000
_SENTINELS = re.compile("\ue000(.)\ue001")
#: Redactions next to one another, with only spaces, hyphens or full stops between them.
_RUNS = re.compile("\ue000.\ue001(?:[\\s.\\-‐]+\ue000.\ue001)+")
_WORD = re.compile(r"[^\W\d_](?:(?:[^\W\d_]|['’`])*[^\W\d_])?")
_LETTERS = re.compile(r"[^\W\d_]+")
_POSSESSIVE = re.compile(r"['’`]s$", re.IGNORECASE)
_TITLE_PREFIX = re.compile(rf"^(?:(?:{'|'.join(_TITLES)})\.?\s+)", re.IGNORECASE)


def relative_day(value: Moment | None, day_zero: date) -> str:
    """"day 12" counted from ``day_zero`` (negative before it), "" for None."""
    if value is None:
        return ""
    return f"day {(moment_date(value) - day_zero).days}"


def _name_parts(name: str) -> list[str]:
    """The words of a name: runs of letters (with apostrophes inside, as in O'Brien), so spaces,
    hyphens, initials' full stops and any other marks separate them."""
    return _WORD.findall(name)


def _normal(text: str) -> str:
    for mark in _APOSTROPHES[1:]:
        text = text.replace(mark, "'")
    return " ".join(text.casefold().split())


def _pattern(variant: str) -> str:
    """A name variant as a regular expression: any spacing, any apostrophe."""
    words = []
    for word in variant.split():
        words.append("".join(f"[{_APOSTROPHES}]" if c in _APOSTROPHES else re.escape(c) for c in word))
    return r"\s+".join(words)


def _name_words(found: str) -> list[str]:
    """The words of a name found after a title or kinship word, cut before the first word that
    cannot be part of a name (a weekday, "NHS", a capitalised word in capitals after the first)
    and after a possessive ("Smith's" ends with "Smith")."""
    kept: list[str] = []
    for word in found.split():
        bare = word.rstrip(".")
        if bare.casefold() in _NOT_NAMES or (kept and len(bare) > 1 and bare.isupper()):
            break
        possessive = _POSSESSIVE.search(bare)
        if possessive and possessive.start() >= 2:
            kept.append(bare[:possessive.start()])
            break
        kept.append(word)
    if kept and all(len(w.rstrip(".")) == 1 for w in kept):
        return []  # initials alone ("Mrs S") name nobody
    return kept


def introduced_names(texts: Iterable[str | None]) -> list[str]:
    """The names that ``texts`` introduce by a title or a kinship word ("Mrs Adaeze Okafor",
    "my son David"), without the title: each can then be found on its own anywhere in a case."""
    found: dict[str, None] = {}
    for text in _worth_reading(texts):
        for match in _TITLED.finditer(text):
            words = _name_words(match["name"])
            if words:
                found[" ".join(words)] = None
        if not has_kin(text):
            continue
        for match in _KIN.finditer(text):
            if not kin_is_introduced(text, match):
                continue
            for one in _ONE_NAME.finditer(match["names"]):
                words = _name_words(_TITLE_PREFIX.sub("", one[0]))
                if words:
                    found[" ".join(words)] = None
        for match in _KIN_AFTER.finditer(text):
            words = _name_words(match["name"])
            if words:
                found[" ".join(words[-2:])] = None
    return list(found)


def _worth_reading(texts: Iterable[str | None]) -> Iterator[str]:
    """The texts that may introduce a name, in order: a few hundred at a time are joined (as
    :meth:`Redactor.texts` joins them) and looked at together, those with neither a title nor a
    kinship word anywhere are passed over, and those with one are halved and looked at again,
    down to a few texts."""
    some: list[str] = []

    def worth(some: list[str]) -> list[str]:
        joined = _APART.join(some)  # each text's own matches are found in it as in the text alone
        if not may_have_a_title(joined) and not has_kin(joined):
            return []
        if len(some) <= 4:
            return some
        half = len(some) // 2
        return worth(some[:half]) + worth(some[half:])

    for text in texts:
        if text:
            some.append(text)
            if len(some) == _TOGETHER:
                yield from worth(some)
                some = []
    yield from worth(some)


class Redactor:
    """Redacts names, identifiers and dates inside free text (see the module's docstring).

    ``people`` pairs each name to find with what replaces it; the first pair naming a variant
    wins (list the person before her team). A name is found in full, by any part, with or
    without a title or initials, in any letter case (a name that is also an everyday word, such
    as Hope or Day, only with a capital). ``exact`` pairs are found only as given (an
    organisation's name and its distinctive words; a single word only with a capital) and come
    after ``people``; ``others`` (names introduced elsewhere in the case) become ``"[name]"``.
    ``day_zero`` turns dates into days counted from it; without it every date becomes
    "[date]". Calling the redactor on None gives None.
    """

    def __init__(self, people: Iterable[tuple[str, str]] = (), day_zero: date | None = None,
                 identifiers: bool = True, exact: Iterable[tuple[str, str]] = (),
                 others: Iterable[str] = ()) -> None:
        self.day_zero = day_zero
        self.identifiers = identifiers
        self._replacement: dict[str, str] = {}
        self._capital_only: set[str] = set()
        for name, replacement in people:
            for variant in self._variants(name):
                self._replacement.setdefault(_normal(variant), replacement)
        for variant, replacement in exact:
            key = _normal(variant)
            if key and key not in self._replacement:
                self._replacement[key] = replacement
                if " " not in key:
                    self._capital_only.add(key)
        for name in others:
            for variant in self._variants(name):
                self._replacement.setdefault(_normal(variant), NAME)
        self._names: re.Pattern[str] | None = None
        #: A name holding the character that joins texts redacted together (never, in practice).
        self._apart_in_names = any(_APART in key for key in self._replacement)
        #: Every word of every name: text with none of them is spared the names' expression.
        self._name_words = frozenset(w.casefold() for v in self._replacement for w in _LETTERS.findall(v))
        if self._replacement:
            variants = sorted(self._replacement, key=len, reverse=True)
            titles = "|".join(_TITLES)
            self._names = re.compile(
                rf"(?<!\w)(?:(?:{titles})\.?\s+)?(?:[^\W\d_]\.\s*)*"
                rf"(?P<core>{'|'.join(_pattern(v) for v in variants)})(?!\w)",
                re.IGNORECASE)

    @classmethod
    def dates_only(cls, day_zero: date | None) -> Redactor:
        """A redactor that changes dates (to days from ``day_zero``) and nothing else."""
        return cls((), day_zero, identifiers=False)

    @staticmethod
    def _variants(name: str) -> list[str]:
        parts = _name_parts(name)
        variants = [" ".join(name.split())] if name.strip() else []
        meaningful = [p for p in parts if p.casefold() not in _PARTICLES and len(p) >= 2]
        if len(parts) > 1:
            variants.append(" ".join(parts))
            if len(meaningful) > 1:
                variants.append(f"{meaningful[0]} {meaningful[-1]}")
        variants += meaningful
        return [v for v in variants if v]

    def __call__(self, text: str | None) -> str | None:
        if text is None:
            return None
        return self.text(text)

    def texts(self, texts: Sequence[str]) -> list[str]:
        """Each of ``texts`` redacted, word for word as :meth:`text` redacts it alone.

        Many short texts (the labels of a long case's steps) are redacted together, a few hundred
        at a time: joined by a character that no pass matches or reaches across, redacted as one
        and split again, which spares each text the fixed cost of a dozen passes. A text holding
        that character (case text never does) is redacted alone."""
        done: list[str] = []
        some: list[str] = []
        length = 0

        def redact_some() -> None:
            if len(some) > 1 and not self._apart_in_names and not any(_APART in text for text in some):
                redacted = self.text(_APART.join(some)).split(_APART)
                if len(redacted) == len(some):
                    done.extend(redacted)
                    return
            done.extend(self.text(text) for text in some)

        for text in texts:
            if some and (len(some) == _TOGETHER or length + len(text) > _TOGETHER_CHARACTERS):
                redact_some()
                some.clear()
                length = 0
            some.append(text)
            length += len(text) + 1
        redact_some()
        return done

    def text(self, text: str) -> str:
        """``text`` redacted. What each pass puts in stands in as a private-use sentinel until
        the end, so no later pass can read it (a surname "Day" never eats "day 12")."""
        made: list[str] = []

        def keep(replacement: str) -> str:
            made.append(replacement)
            return f"{_SENTINEL[0]}{chr(_SENTINEL_BASE + len(made) - 1)}{_SENTINEL[1]}"

        digits = _DIGIT.search(text) is not None  # numbers, dates, times and postcodes all have one
        if self.identifiers:
            if "@" in text:
                text = _EMAIL.sub(lambda _m: keep("[email address]"), text)
            if digits:
                text = _TEN_DIGITS.sub(lambda m: keep(self._ten_digits(m)), text)
                text = _PHONE.sub(lambda _m: keep("[phone number]"), text)
                text = _LONG_NUMBER.sub(lambda _m: keep("[number]"), text)
        if digits and may_hold_a_date(text):
            text = _DATE.sub(lambda m: keep(self._date(m)), text)
        if self.identifiers:
            if digits:
                if may_hold_a_time(text):
                    text = _TIME.sub(lambda _m: keep("[time]"), text)
                text = _POSTCODE.sub(lambda _m: keep("[postcode]"), text)
                text = _ADDRESS.sub(lambda _m: keep("[address]"), text)
                if may_name_a_number(text):
                    text = _NAMED_NUMBER.sub(lambda m: m["pre"] + keep("[reference]"), text)
                if may_hold_a_reference(text):
                    text = _TOKEN.sub(lambda m: keep("[reference]") if is_reference(m[0]) else m[0], text)
            text = _STREET.sub(lambda m: m["pre"] + keep("[address]"), text)
            text = self._introduced(text, keep)
            if self._names is not None and not self._name_words.isdisjoint(
                    word.casefold() for word in _LETTERS.findall(text)):
                text = self._names.sub(lambda m: keep(self._name(m)), text)
        if not made:
            return text

        def restored(match: re.Match[str]) -> str:
            return made[ord(match[1]) - _SENTINEL_BASE]

        def merged(run: re.Match[str]) -> str:
            """"Mrs S Mrs S-Mrs S" (a name written in parts) reads as one "Mrs S"."""
            found = {restored(m) for m in _SENTINELS.finditer(run[0])}
            return found.pop() if len(found) == 1 else _SENTINELS.sub(restored, run[0])

        return _SENTINELS.sub(restored, _RUNS.sub(merged, text))

    # -- names introduced by a title or a kinship word ---------------------------------------------
    def _known(self, words: list[str]) -> str | None:
        """What the longest known name at the start of ``words`` becomes (with hyphens read as
        spaces), or None."""
        for end in range(len(words), 0, -1):
            joined = " ".join(words[:end])
            for key in (joined, joined.replace("-", " ")):
                found = self._replacement.get(_normal(key))
                if found is not None:
                    return found
        # "Smith-Jones" of "Edith Smith-Jones": every word of it known as the same person's
        every = {self._replacement.get(_normal(part)) for part in _LETTERS.findall(" ".join(words))}
        return every.pop() if len(every) == 1 else None

    def _introduced(self, text: str, keep: Callable[[str], str]) -> str:
        def one_name(found: str) -> str:
            """``found`` with the name at its start replaced (unless the names' pass knows it
            better: her own name, a team member's, a provider's)."""
            bare = _TITLE_PREFIX.sub("", found)
            title = found[:len(found) - len(bare)]
            words = _name_words(bare)
            if not words:
                return found
            known = self._known(words)
            if known is not None and known != NAME:
                return found  # her own name, a team member's or a provider's: the names' pass words it
            return title + keep(NAME) + bare[_consumed(bare, words):]

        def titled(match: re.Match[str]) -> str:
            return match[0][:match.start("name") - match.start()] + one_name(match["name"])

        def kin(match: re.Match[str]) -> str:
            if not kin_is_introduced(match.string, match):
                return match[0]
            names = match["names"]
            out, last = [], 0
            for one in _ONE_NAME.finditer(names):
                out.append(names[last:one.start()])
                out.append(one_name(one[0]))
                last = one.end()
            out.append(names[last:])
            return match[0][:match.start("names") - match.start()] + "".join(out)

        def kin_after(match: re.Match[str]) -> str:
            name = match["name"]
            words = name.split()
            lead = ""
            if len(words) > 2 or (len(words) == 2 and words[0].casefold() in _NOT_NAMES):
                cut = name.rfind(words[-1]) if len(words) == 2 else name.find(words[-2])
                lead, name = name[:cut], name[cut:]
            return lead + one_name(name) + match["tail"]

        if not text.islower():  # each pass needs a capital, and text with one is never all lower case
            text = _TITLED.sub(titled, text)
            if has_kin(text):
                text = _KIN.sub(kin, text)
                text = _KIN_AFTER.sub(kin_after, text)
        return text

    def _name(self, match: re.Match[str]) -> str:
        core = _normal(match["core"])
        if (core in _COMMON_WORDS or core in self._capital_only) and not match["core"][:1].isupper():
            return match[0]  # the everyday word, not the name
        return self._replacement.get(core, NAME)

    @staticmethod
    def _ten_digits(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match[0])
        if is_valid_nhs_number(digits):
            return "[NHS number]"
        return "[phone number]" if digits.startswith("0") else "[number]"

    def _date(self, match: re.Match[str]) -> str:
        found = _match_date(match, self.day_zero)
        if found is None:
            return "[date]"  # date-shaped but no real date ("31/02/2024"): still not to be shown
        day, month_only = found
        if self.day_zero is None or (self.day_zero - day).days > OLDEST_RELATIVE_DAYS:
            return "[date]"
        if month_only:
            return "[date]"
        weekday = ""
        head = match[0].split()[0].rstrip(".,").casefold() if match[0][:1].isalpha() else ""
        if head[:3] in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
            weekday = f" (a {day.strftime('%A')})"
        return relative_day(day, self.day_zero) + weekday


def _consumed(text: str, words: list[str]) -> int:
    """How many characters of ``text`` its first ``len(words)`` words (and the spaces between
    them) take."""
    position = 0
    for word in words:
        position = text.index(word, position) + len(word)
    return position
