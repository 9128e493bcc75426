"""What the redactor looks for in free text: the regular expressions and the small judgements
that go with them (is this date real, is this token a reference number or a unit).

Nothing here replaces anything: :mod:`planner.anonymise.free_text` decides what each match
becomes. Every pattern is written to leave ordinary words alone ("Road safety", "Day 3",
"A&E", "type 2 diabetes", "58 mmol/mol", "lot 2", "NHS 111"), which the tests check.
"""

from __future__ import annotations

import re
from datetime import date

_TITLES = ("dr", "mrs", "mr", "ms", "miss", "mx", "prof", "professor", "sir", "dame", "rev", "revd",
           "lady", "lord")
#: Name particles never redacted on their own (they are redacted as part of the full name).
_PARTICLES = frozenset({"de", "la", "le", "da", "di", "du", "del", "della", "van", "von", "der", "den",
                        "ter", "ten", "al", "el", "bin", "ibn", "bint", "of", "the", "and", "st", "y",
                        "jr", "sr", *_TITLES})
_APOSTROPHES = "'’`"
#: Names that are also everyday words: on their own, redacted only when written with a capital.
_COMMON_WORDS = frozenset({
    "may", "june", "will", "hope", "grace", "faith", "joy", "rose", "dawn", "ray", "mark", "bill", "sue",
    "pat", "day", "page", "hill", "wood", "green", "brown", "white", "black", "young", "king", "bell",
    "hall", "reed", "park", "cook", "baker", "long", "little", "rich", "best", "stone", "moss", "marsh",
    "field", "wells", "lane", "cross", "good", "love", "north", "south", "west", "east", "short", "care",
    "home", "nurse", "walker", "ward", "well", "bath", "close", "hale", "hart", "fox", "lamb", "bird",
    "sky", "summer", "winter", "holly", "ivy", "iris", "amber", "ruby", "pearl", "hazel", "heather",
})

# -- dates -------------------------------------------------------------------------------------
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = (r"(?P<{g}>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_WEEKDAY = (r"(?:(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues|tue|wed|thurs|thur"
            r"|thu|fri|sat|sun)\.?,?\s+(?:the\s+)?)?")
_ORD = r"(?:st|nd|rd|th)?"
_DATE = re.compile(
    r"(?<![\w/.-])(?=[0-9A-Za-z])(?:"  # the look-ahead fails fast where no date can start
    r"(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})"
    r"|(?P<nd>\d{1,2})[/.](?P<nm>\d{1,2})[/.](?P<ny>\d{4}|\d{2})"
    rf"|{_WEEKDAY}(?P<td>\d{{1,2}}){_ORD}\s+(?:of\s+)?{_MONTH.format(g='tm')}(?:,?\s+(?P<ty>\d{{4}}))?"
    rf"|{_WEEKDAY}{_MONTH.format(g='um')}\s+(?P<ud>\d{{1,2}}){_ORD}(?:,?\s+(?P<uy>\d{{4}}))?"
    rf"|{_MONTH.format(g='vm')}\s+(?P<vy>\d{{4}})"
    r")(?![\w/])",
    re.IGNORECASE)


_DIGIT_MARK_DIGIT = re.compile(r"\d[-/.]\d")


def may_hold_a_date(text: str) -> bool:
    """False only where ``_DATE`` cannot match, found far quicker than by running it: each of its
    forms has a digit, a mark and a digit, or a month's first three letters (looked for in plain
    ASCII text; any other text may hold a date)."""
    if not text.isascii():
        return True
    lowered = text.lower()
    return any(month in lowered for month in _MONTHS) or _DIGIT_MARK_DIGIT.search(text) is not None


def _month_number(text: str) -> int:
    return _MONTHS.index(text[:3].casefold()) + 1


def _match_date(match: re.Match[str], day_zero: date | None) -> tuple[date, bool] | None:
    """(the date a match names, whether it names only a month), or None if it is no real date."""
    try:
        if match["iy"]:
            return date(int(match["iy"]), int(match["im"]), int(match["id"])), False
        if match["ny"]:
            numeric = int(match["ny"])
            if numeric < 100:
                numeric += 2000 if numeric <= (day_zero.year % 100 if day_zero else 30) + 1 else 1900
            return date(numeric, int(match["nm"]), int(match["nd"])), False
        if match["vm"]:
            return date(int(match["vy"]), _month_number(match["vm"]), 1), True
        day, month, year = ((match["td"], match["tm"], match["ty"]) if match["tm"]
                            else (match["ud"], match["um"], match["uy"]))
        if year:
            return date(int(year), _month_number(month), int(day)), False
        return _nearest_year(int(day), _month_number(month), day_zero), False
    except ValueError:
        return None


def _nearest_year(day: int, month: int, day_zero: date | None) -> date:
    """A day and month without a year: the year that puts it nearest day zero (on or after it
    when it can), the way a note written during the pathway means it."""
    around = day_zero or date.today()
    candidates = []
    for year in (around.year - 1, around.year, around.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    if not candidates:
        raise ValueError("no such day")
    return min(candidates, key=lambda d: ((d - around).days < -31, abs((d - around).days)))


# -- identifiers ---------------------------------------------------------------------------------
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_POSTCODE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}(?![A-Za-z0-9])")
#: Ten digits, contiguous or grouped 3-3-4 (an NHS number when its check digit holds).
_TEN_DIGITS = re.compile(r"(?<![\d])\d{3}[ -]?\d{3}[ -]?\d{4}(?![\d])")
_PHONE = re.compile(r"(?<![\w+])(?:(?:\+44\s?(?:\(0\)\s?)?|0)\d(?:[ -]?\d){8,9}"
                    r"|\(0\d{2,4}\)\s?\d{3,4}[ -]?\d{3,4})(?!\d)")
_LONG_NUMBER = re.compile(r"(?<!\d)\d(?:[ -]?\d){9,}(?!\d)")
_DIGIT = re.compile(r"\d")

#: Clock times: 14:30, 9:05:10, 2.30pm, 8am, 8 p.m., 3 o'clock, 1430hrs. A dot needs "am", "pm"
#: or "hrs" (3.45 is a number); "24/7" and "Day 3" are no times.
_AM_PM = r"(?:[ap]\.?m\.?|hrs?|h)(?!\w)"
_TIME = re.compile(
    r"(?<![\w:.£$])(?:"
    rf"(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?:\s*{_AM_PM})?"
    rf"|(?:[01]?\d|2[0-3])\.[0-5]\d\s*{_AM_PM}"
    r"|(?:0?[1-9]|1[0-2])\s*(?:[ap]\.?m\.?|o['’]clock)(?!\w)"
    r"|(?:[01]\d|2[0-3])[0-5]\d\s*(?:hrs?|h)(?!\w)"
    r")(?![\d:])",
    re.IGNORECASE)

_TIME_HINT = re.compile(r"\d(?:[:.]|\s*[apho])", re.IGNORECASE)


def may_hold_a_time(text: str) -> bool:
    """False only where ``_TIME`` cannot match, found far quicker than by running it: each of its
    forms has a digit before a colon or a full stop, or before "am", "pm", "h", "hrs" or "o'clock"."""
    return _TIME_HINT.search(text) is not None


#: Words that end a street's name. The abbreviations need a house number before them.
_STREETS = ("Road|Street|Lane|Avenue|Close|Drive|Court|Way|Gardens|Crescent|Place|Terrace|Grove|Hill|Row"
            "|Square|Walk|Mews|Park|Rise|View|Parade|Green|Vale|Wharf|Meadows?|Fields|Heights|Boulevard"
            "|Circus|Yard|Quay|Chase|Mount|Approach|Esplanade|Villas|Cottages|Croft|Dale|Orchard|Wynd"
            "|Rd|St|Ln|Ave|Cl|Dr|Ct|Gdns|Cres|Pl|Terr|Sq")
#: Words ending a street named without a house number ("lives on Wellmeadow Road").
_STREETS_UNNUMBERED = "Road|Street|Lane|Avenue|Close|Drive|Crescent|Terrace|Gardens|Grove|Mews|Row|Square|Way"
_UPPER = "[" + "".join(re.escape(c) for c in map(chr, range(0x250)) if c.isupper()) + "]"
_LETTER = r"[^\W\d_]"
_CAPWORD = rf"{_UPPER}(?:{_LETTER}|['’`](?={_LETTER}))*(?:-{_LETTER}+)*"
#: A word of a street's name written in small letters ("14 wellmeadow road"), not one of a count's
#: ("2 hours later on the road").
_STREET_WORD = (r"(?!(?:the|a|an|on|in|at|of|to|and|or|by|for|from|with|into|onto|along|across|down|up|main"
                r"|times?|hours?|days?|weeks?|months?|years?|minutes?|mins?|miles?|metres?|meters?|yards?"
                r"|km|later|more|busy|back|side|wet)\b)[a-z]+")
_ADDRESS = re.compile(
    r"(?<![\w£$.,:/-])(?:(?:Flat|Apartment|Apt|Unit)\s+\d{1,4}[A-Za-z]?\s*,?\s*)?"
    r"\d{1,4}[A-Za-z]?(?:\s*[-–/]\s*\d{1,4}[A-Za-z]?)?,?\s+"
    rf"(?:(?:{_CAPWORD}\s+){{1,3}}(?:{_STREETS})\.?"
    rf"|(?:{_STREET_WORD}\s+){{1,2}}(?:road|street|avenue|crescent|terrace))(?!\w)")
_STREET = re.compile(
    r"(?P<pre>(?<!\w)(?:on|in|at|off|of|from|to|near|along|onto|into|opposite|lives|moved)\s+)"
    rf"(?P<street>(?:{_CAPWORD}\s+){{1,3}}(?:{_STREETS_UNNUMBERED}))(?!\w)(?!\s+{_UPPER})")

#: Reference numbers: any token with a digit, judged by :func:`is_reference`.
_TOKEN = re.compile(r"(?<![\w/.-])(?=[\w/.-]*\d)\w+(?:[-/.]\w+)*(?![\w/-])")
#: A digit next to a letter or a mark of its token, or the first of six digits in a row.
_TOKEN_HINT = re.compile(r"\d(?:(?<=[^\W\d]\d)|(?<=[-/.]\d)|(?=[^\W\d]|[-/.]|\d{5}))")


def may_hold_a_reference(text: str) -> bool:
    """False only where no token of ``_TOKEN`` is one :func:`is_reference` takes for a reference,
    found far quicker than by judging each: digits alone are one only from six on, and a token
    with anything else has a digit next to it (a letter, or a mark joining its parts)."""
    return _TOKEN_HINT.search(text) is not None


#: Short numbers named as references: "ref 552", "contract no. 4521", "#7731", "ext 2041".
_NAMED_NUMBER = re.compile(
    r"(?P<pre>(?<!\w)(?:ref(?:erence)?|contract|invoice|order|po|account|acct|claim|policy|booking"
    r"|ext(?:ension)?|id|no|number|case)\.?(?:\s+(?:no|number)\.?)?\s*[:#]?\s*|(?<![&\w])#\s*)"
    r"(?P<number>\d{3,}[A-Za-z]?)(?!\w)",
    re.IGNORECASE)
#: Words of ``_NAMED_NUMBER`` that hold all its others ("policy" holds "po").
_NAMED_STEMS = ("ref", "contract", "invoice", "order", "po", "account", "acct", "claim", "booking", "ext",
                "id", "no", "number", "case", "#")
_THREE_DIGITS = re.compile(r"\d{3}")


def may_name_a_number(text: str) -> bool:
    """False only where ``_NAMED_NUMBER`` cannot match, found far quicker than by running it: it
    needs three digits in a row and, before them, one of its words or "#" (looked for in plain
    ASCII text; any other text may name one)."""
    if _THREE_DIGITS.search(text) is None:
        return False
    if not text.isascii():
        return True
    lowered = text.lower()
    return any(stem in lowered for stem in _NAMED_STEMS)


_UNITS = re.compile(
    r"\d+(?:[.,]\d+)?(?:mg|g|kg|mcg|ug|ml|l|mmol|cm|mm|m|km|mph|kph|st|nd|rd|th|s|am|pm|hrs?|h|mins?|secs?"
    r"|x|yo|yrs?|lbs?|oz|ft|in|ish|k|p|bpm|kcal|cal|mmhg|stone|mile|miles)", re.IGNORECASE)
_YEAR_RANGE = re.compile(r"((?:19|20)\d\d)[-/](\d\d|(?:19|20)\d\d)")


def _is_year_range(token: str) -> bool:
    """"2023-24", "2023/2024": a financial year, not a reference (but "2015-1900" is one)."""
    match = _YEAR_RANGE.fullmatch(token)
    if match is None:
        return False
    first, second = int(match[1]), int(match[2])
    if second < 100:
        return second == (first + 1) % 100
    return 0 < second - first <= 5
#: Tokens with letters and digits that are words, not references.
_KEPT_TOKENS = frozenset({"covid-19", "sars-cov-2", "hba1c", "a1c", "24/7", "24-7", "7/7", "i/o"})


def is_reference(token: str) -> bool:
    """Whether a token with a digit is a reference or contract number ("SPOT-1187", "2024-117",
    "Y90001", "1-900000001", "PO/4471") rather than a number, unit, ordinal or everyday code
    ("2", "3.5", "58", "2kg", "3rd", "HbA1c", "COVID-19", "B12", "M04", "2023-24")."""
    if token.isdecimal():  # digits alone (what ``\d`` matches): a reference from six on, as below
        return len(token) >= 6
    if token.casefold() in _KEPT_TOKENS or _UNITS.fullmatch(token) or _is_year_range(token):
        return False
    digits = sum(c.isdigit() for c in token)
    letters = sum(c.isalpha() for c in token)
    if letters == 0:
        if re.search(r"\d{6,}", token):
            return True
        parts = re.split(r"[-/]", token)
        return len(parts) > 1 and digits >= 5
    if digits >= 3:
        return True
    # "SP-17", "REF/22": capitals joined to digits by a mark
    return bool(re.fullmatch(r"[A-Z]{2,}[-/]\d{2,}|\d{2,}[-/][A-Z]{2,}", token))


# -- names introduced by a title or a kinship word --------------------------------------------------
_TITLE_WORDS = ("Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Sir|Dame|Rev|Revd|Reverend|Lady|Lord|Cllr|Councillor"
                "|MR|MRS|MS|MISS|MX|DR")
#: Relations written before a name with or without "my", "her"...: "son David", "her son, David".
_FAMILY = ("sons?|daughters?|nieces?|nephews?|husband|wife|wives|brothers?|sisters?|mother|father|mum|mom"
           "|dad|grandsons?|granddaughters?|grandchild|grandchildren|grandmother|grandfather|gran|grandma"
           "|grandad|granddad|grandpa|nan|nana|aunt|auntie|aunty|uncle|cousins?|stepsons?|stepdaughters?"
           "|stepmother|stepfather|sons?-in-law|daughters?-in-law|brothers?-in-law|sisters?-in-law"
           "|mother-in-law|father-in-law|fianc[ée]e?|spouse|widow|widower|godsons?|goddaughters?"
           "|lodger|landlord|landlady|boyfriend|girlfriend|children|child|next\\s+of\\s+kin")
#: Relations that are also everyday words: only after "my", "her", "the"... ("my friend Joan").
_SOCIAL = ("partners?|neighbours?|neighbors?|friends?|carers?|caregivers?|flatmates?|housemates?"
           "|companions?|relatives?|visitors?|befrienders?")
_DETERMINER = r"(?:my|her|his|their|our|your|the|a|an|[^\W\d_]+['’]s)"
_ADJECTIVE = (r"(?:eldest|elder|oldest|older|youngest|younger|late|best|old|close|only|new|next-door"
              r"|next\s+door|dear|local|main|paid|unpaid|family|private|regular|usual|former|ex-?)")
_KIN_INITIALS = "abcdfghlmnprsuvwABCDFGHLMNPRSUVW"
#: At most three initials, so a run of capitals ("A A A ...") costs no more than a word does.
_INITIALS = rf"(?:{_UPPER}\.\s*|{_UPPER}\s+(?={_UPPER})){{0,3}}"
#: A name: up to three capitalised words (particles such as "van der" inside), after any initials.
_NAME = (rf"{_INITIALS}{_UPPER}{_LETTER}(?:{_LETTER}|['’`](?={_LETTER}))*(?:-{_LETTER}+)*"
         rf"(?:\s+(?:(?:van|von|de|der|den|la|le|da|di|du|del|al|el|bin|ibn)\s+)*"
         rf"{_UPPER}(?:{_LETTER}|['’`](?={_LETTER}))*(?:-{_LETTER}+)*){{0,2}}")
_TITLED = re.compile(rf"(?<![\w.])(?P<title>(?:{_TITLE_WORDS})\.?)\s+(?P<name>{_NAME})(?!\w)")
#: A kinship word and the name after it; the word before ("my", "her", "Edith's") is checked by
#: :func:`kin_is_introduced` (the expression starts at the kinship word, which keeps it quick).
_KIN = re.compile(
    rf"(?<![\w-])(?=[{_KIN_INITIALS}])(?P<kin>(?i:{_FAMILY}|{_SOCIAL}))"
    r"(?P<sep>\s*[,:]\s*|\s+[-–]\s+|\s+)"
    rf"(?P<names>{_NAME}(?:(?:\s*,\s*|\s+(?:and|&)\s+){_NAME})*)(?!\w)")
_BEFORE_KIN = re.compile(rf"(?i:(?<![\w-]){_DETERMINER}\s+(?:{_ADJECTIVE}\s+){{0,2}})$")
_FAMILY_WORD = re.compile(rf"(?i:{_FAMILY})")


def kin_is_introduced(text: str, match: re.Match[str]) -> bool:
    """Whether a kinship word found by ``_KIN`` introduces a name: a family word always ("son
    David"), a word that is also an everyday word only after "my", "her", "the"... ("my friend
    Joan", not "Partner Agencies")."""
    if _FAMILY_WORD.fullmatch(match["kin"]):
        return True
    return _BEFORE_KIN.search(text, max(0, match.start() - 60), match.start()) is not None


_KIN_AFTER = re.compile(
    rf"(?<![\w-])(?P<name>{_NAME})(?P<tail>\s*\(\s*(?i:(?:my|her|his|their)\s+)?(?i:{_FAMILY}|{_SOCIAL})\s*\)"
    rf"|\s*,\s*(?i:my|her|his|their)\s+(?:(?i:{_ADJECTIVE})\s+){{0,2}}(?i:{_FAMILY}|{_SOCIAL})(?![\w-]))")
_KIN_WORDS = frozenset(w.replace("?", "").replace("\\s+", " ") for w in (
    *_FAMILY.replace("s?", "|").replace("fianc[ée]e?", "fiance|fiancé|fiancee|fiancée").split("|"),
    *_SOCIAL.replace("s?", "|").split("|")) if w) | {"kin", "son", "sons"}
_WORDS = re.compile(r"[^\W\d_]+")


def has_kin(text: str) -> bool:
    """Whether a text has a kinship word at all (most have none, and are spared ``_KIN``)."""
    words = {word.casefold() for word in _WORDS.findall(text)}  # each word once: a long text repeats many
    return not words.isdisjoint(_KIN_WORDS) or any(word[-1:] == "s" and word[:-1] in _KIN_WORDS
                                                   for word in words)


#: The titles of ``_TITLE_WORDS`` that hold all the others ("Mrs" holds "Mr").
_TITLE_STEMS = ("Mr", "Ms", "Miss", "Mx", "Dr", "Prof", "Sir", "Dame", "Rev", "Lady", "Lord", "Cllr",
                "Councillor", "MR", "MS", "MISS", "MX", "DR")


def may_have_a_title(text: str) -> bool:
    """False only where ``_TITLED`` cannot match, found far quicker than by running it: it
    needs one of the titles, written as they are listed (its letter case counts)."""
    return any(stem in text for stem in _TITLE_STEMS)


_ONE_NAME = re.compile(_NAME)
#: Capitalised words that never begin a name (a sentence's first word, a weekday, a service).
_NOT_NAMES = frozenset(w.casefold() for w in (
    "I", "I'm", "I'll", "I've", "I'd", "The", "A", "An", "And", "But", "Or", "So", "If", "When", "Then",
    "This", "That", "These", "Those", "He", "She", "They", "We", "You", "It", "His", "Her", "Their", "My",
    "Our", "Your", "Who", "What", "Where", "Why", "How", "Please", "Call", "Ring", "Phone", "Tell", "Ask",
    "Contact", "See", "Visit", "Visits", "Visited", "Inform", "Email", "Text", "With", "From", "To", "For",
    "By", "At", "In", "On", "Also", "Both", "All", "Each", "Every", "Not", "No", "Yes",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Mon", "Tue", "Tues",
    "Wed", "Thu", "Thurs", "Fri", "Sat", "Sun", "NHS", "GP", "GPs", "A&E", "MDT", "OT", "ICB", "CQC",
    "Care", "Home", "Council", "Hospital", "Team", "Service", "Services",
    "Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Professor", "Sir", "Dame", "Rev", "Revd", "Lady", "Lord"))
