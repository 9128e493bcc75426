"""Reading provider directory files: NHS ODS GP practices and CQC location extracts.

Two shapes are recognised from their content (or named with ``format``):

``ods``
    The NHS Organisation Data Service GP practice file ``epraccur.csv``: no header row, 27
    quoted fields per row (the fields are listed in ``ODS_FIELDS``). Only rows whose prescribing
    setting is 4 (GP practice) become entries, as sector ``primary_care``; status A/C/D is
    active/closed/dormant and a proposed practice (P) is rejected, since it is not open yet.
    Regulators and payment model are left unset so the sector's defaults apply.

``cqc``
    A CQC location extract (the CQC care directory, a council's list of care homes with their
    CQC ratings, ...) with a header row. Headings are matched ignoring case, spaces and
    punctuation ("CQC Location ID", "cqc_id" and "Location ID" are one column), against the
    aliases in ``CQC_COLUMNS``. Rows become sector ``care_home``, or ``domiciliary_care`` when
    the service type says home care; ratings are normalised to the case file's ``cqc_rating``
    codes. A file with no location id column at all (the Dudley extracts) is still read: each
    home gets a ``local`` code made from its name, postcode and address, so re-importing the
    file updates the same entries (``DirectoryRead.notes`` says so).

Every row read is either an entry or a :class:`Rejected` row with a reason; nothing is
dropped silently. A file that is not a recognised directory at all raises
:class:`DirectoryFileError` and nothing is read. Pure Python: the standard ``csv`` module
reads the file, because a row of the wrong width must become one rejected row rather than
fail (pandas) or vanish (pandas ``on_bad_lines="skip"``) with the whole file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path

CODE_SYSTEMS = ("ods", "cqc_location", "local")
STATUSES = ("active", "closed", "dormant")
RATINGS = ("outstanding", "good", "requires_improvement", "inadequate", "not_rated")
FORMATS = {"ods": "NHS ODS GP practices (epraccur)", "cqc": "CQC locations"}

#: Longest value each bounded column of the ``directory`` table holds; longer rejects the row.
MAX_LENGTH = {"code": 30, "name": 200, "area": 100, "postcode": 10, "phone": 50}


class DirectoryFileError(ValueError):
    """The file is not a directory file that can be read; the message says which and why."""


@dataclass
class DirectoryEntry:
    """One organisation of the provider directory (the ``directory`` table without id and
    updated_at). ``regulators`` and ``payment_model`` None mean "use the sector's defaults"."""

    code_system: str
    code: str
    name: str
    sector: str
    area: str | None = None
    address: str | None = None
    postcode: str | None = None
    phone: str | None = None
    payment_model: str | None = None
    regulators: list[str] | None = None
    cqc_registered: bool | None = None
    cqc_rating: str | None = None
    status: str = "active"
    source: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.code_system, self.code)


#: The fields of an entry that an import compares: all but ``source`` (where it came from).
DATA_FIELDS = tuple(f.name for f in fields(DirectoryEntry) if f.name != "source")

#: Why rows are rejected: kind -> how a count of them is described ("42 repeating an earlier row").
REJECTION_KINDS = {
    "shape": "with the wrong number of fields",
    "empty": "empty",
    "missing_code": "without a code",
    "bad_code": "with an invalid code",
    "missing_name": "without a name",
    "missing_postcode": "without a postcode or CQC location id",
    "duplicate": "repeating an earlier row",
    "proposed": "proposed practices, not open yet (status P)",
    "status": "with an unknown status",
    "not_gp_practice": "not GP practices (prescribing setting)",
    "service_type": "not care homes or home care",
    "domain": "ratings of one key question, not the overall rating",
    "rating": "with an unknown rating",
    "too_long": "with a value too long to store",
}


@dataclass(frozen=True)
class Rejected:
    """A row not imported. ``row`` is its number in the file as a spreadsheet shows it (a
    header row is row 1); ``kind`` is a key of ``REJECTION_KINDS``."""

    row: int
    reason: str
    kind: str = ""
    code: str | None = None
    name: str | None = None


@dataclass
class DirectoryRead:
    """What a directory file holds: entries to import and rejected rows, one per row read."""

    entries: list[DirectoryEntry]
    rejected: list[Rejected]
    format: str
    rows: int = 0
    #: Suggested ``source`` for the imported entries, e.g. "NHS ODS epraccur.csv".
    source: str = ""
    #: Things about the file as a whole the user should know (e.g. it has no location ids).
    notes: list[str] = field(default_factory=list)
    #: The fields this file says something about. Importing it updates only these in entries
    #: already stored, so a file without ratings does not erase ratings another file gave.
    fields: tuple[str, ...] = DATA_FIELDS

    @property
    def format_label(self) -> str:
        return FORMATS.get(self.format, self.format)

    def rejection_counts(self) -> Counter[str]:
        """How many rows were rejected for each kind of reason."""
        return Counter(r.kind for r in self.rejected)


# -- reading the file --------------------------------------------------------------------------

def read_directory(path: str | os.PathLike[str], format: str | None = None) -> DirectoryRead:
    """Read a directory file, detecting its format from its content unless ``format`` ("ods" or
    "cqc") is given. Raises DirectoryFileError if the file cannot be read or is not a
    recognised directory file; no entries are returned then."""
    name = Path(path).name
    if format is not None and format not in FORMATS:
        raise DirectoryFileError(f"Unknown directory format '{format}': use {' or '.join(FORMATS)}.")
    records = _records(Path(path), name)
    numbered = [(number, record) for number, record in enumerate(records, start=1) if record]
    if not numbered:
        raise DirectoryFileError(f"{name} is empty: there is nothing to import.")
    first = numbered[0][1]
    if format is None:
        if _looks_like_ods(first):
            format = "ods"
        elif _cqc_columns(first) is not None:
            format = "cqc"
        else:
            raise DirectoryFileError(
                f"{name} is not a recognised directory file: expected an NHS ODS epraccur file (no "
                "header row, 27 fields a row) or a CQC extract with a location id column such as "
                f"'CQC Location ID' (or a name, postcode and CQC rating); its first row is "
                f"{_quote_fields(first)}.")
    if format == "ods":
        if not _looks_like_ods(first):
            raise DirectoryFileError(
                f"{name} is not an NHS ODS epraccur file: its rows should have 27 fields, no header, "
                f"starting with a practice code; the first row has {len(first)} "
                f"field{'s' if len(first) != 1 else ''}: {_quote_fields(first)}.")
        return _read_ods(numbered, name)
    columns = _cqc_columns(first)
    if columns is None:
        raise DirectoryFileError(
            f"{name} is not a CQC location extract: it needs a location id column (e.g. 'CQC "
            "Location ID', 'cqc_id') and a name column, or a name, postcode and CQC rating; its "
            f"columns are {_quote_fields(first)}.")
    if len(numbered) == 1:
        raise DirectoryFileError(f"{name} has column headings but no rows: there is nothing to import.")
    return _read_cqc(numbered[1:], columns, name, header_width=len(first))


def _records(path: Path, name: str) -> list[list[str]]:
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        raise DirectoryFileError(f"Cannot read {path}: it is a folder, not a file.") from None
    except OSError as error:
        raise DirectoryFileError(f"Cannot read {path}: {error.strerror or error}.") from None
    if not raw.strip():
        raise DirectoryFileError(f"{name} is empty: there is nothing to import.")
    kind = _binary_kind(raw)
    if kind is not None:
        raise DirectoryFileError(f"{name} is not a CSV file: it is {kind}. Save it as CSV and import that.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
    if text.lstrip()[:1] in ("{", "["):
        import json

        try:
            json.loads(text)
        except ValueError:
            pass
        else:
            raise DirectoryFileError(f"{name} is not a CSV file: it is JSON.")
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise DirectoryFileError(f"{name} is not a readable CSV file: {error}.") from None


def _binary_kind(raw: bytes) -> str | None:
    head = raw[:8192]
    if head.startswith(b"PK\x03\x04"):
        return "a zip archive (an Excel workbook is one)"
    if head.startswith(b"%PDF"):
        return "a PDF document"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old-style Office document (.xls)"
    if b"\x00" in head:
        return "binary data"
    return None


def _quote_fields(record: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(f"'{_clean(v)[:40]}'" for v in record[:limit])
    return shown + (f" and {len(record) - limit} more" if len(record) > limit else "")


def _clean(value: str | None) -> str:
    """Trimmed, with runs of white space (including line breaks inside a cell) as one space."""
    return " ".join(value.split()) if value else ""


def _too_long(**values: str | None) -> str | None:
    for key, value in values.items():
        if value is not None and len(value) > MAX_LENGTH[key]:
            return f"{key} is longer than {MAX_LENGTH[key]} characters"
    return None


_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})$")


def normalise_postcode(value: str | None) -> str | None:
    """A UK postcode in capitals with one space before the inward code ("ts181hu" -> "TS18 1HU")."""
    text = _clean(value).upper()
    if not text:
        return None
    match = _POSTCODE.match(text)
    return f"{match.group(1)} {match.group(2)}" if match else text


def normalise_phone(value: str | None) -> str | None:
    """The number as written, with a UK number's lost leading zero restored (1617486414)."""
    text = _clean(value)
    if re.fullmatch(r"[1-9]\d{9}(\.0)?", text):
        text = "0" + text.removesuffix(".0")
    return text or None


# -- NHS ODS epraccur ---------------------------------------------------------------------------

#: The 27 fields of epraccur.csv (ODS "standard 27 field format"; epraccur.pdf).
ODS_FIELDS = (
    "organisation_code", "name", "national_grouping", "high_level_health_geography",
    "address_line_1", "address_line_2", "address_line_3", "address_line_4", "address_line_5",
    "postcode", "open_date", "close_date", "status_code", "organisation_sub_type_code",
    "commissioner", "join_provider_date", "left_provider_date", "contact_telephone_number",
    "null_1", "null_2", "null_3", "amended_record_indicator", "null_4", "provider_purchaser",
    "null_5", "prescribing_setting", "null_6",
)
_F = {name: i for i, name in enumerate(ODS_FIELDS)}
ODS_STATUS = {"A": "active", "C": "closed", "D": "dormant"}
PRESCRIBING_SETTINGS = {
    "0": "Other", "1": "WIC Practice", "2": "OOH Practice", "3": "WIC + OOH Practice",
    "4": "GP Practice", "8": "Public Health Service", "9": "Community Health Service",
    "10": "Hospital Service", "11": "Optometry Service", "12": "Urgent & Emergency Care",
    "13": "Hospice", "14": "Care Home / Nursing Home", "15": "Border Force",
    "16": "Young Offender Institution", "17": "Secure Training Centre",
    "18": "Secure Children's Home", "19": "Immigration Removal Centre", "20": "Court",
    "21": "Police Custody", "22": "Sexual Assault Referral Centre", "24": "Other – Justice Estate",
    "25": "Prison",
}
GP_PRACTICE = "4"
#: What epraccur says about a practice: not its regulators, payment model or CQC rating.
ODS_PROVIDES = ("code_system", "code", "name", "sector", "area", "address", "postcode", "phone", "status")
_ODS_CODE = re.compile(r"[A-Z0-9]{3,10}")


def _looks_like_ods(record: Sequence[str]) -> bool:
    return (len(record) >= 26 and bool(_ODS_CODE.fullmatch(record[0].strip()))
            and record[_F["status_code"]].strip() in ("A", "C", "D", "P")
            and bool(re.fullmatch(r"\d{8}", record[_F["open_date"]].strip())))


def _read_ods(numbered: list[tuple[int, list[str]]], name: str) -> DirectoryRead:
    width = len(numbered[0][1])
    entries: list[DirectoryEntry] = []
    rejected: list[Rejected] = []
    seen: dict[str, tuple[int, DirectoryEntry]] = {}
    i_setting, i_status = _F["prescribing_setting"], _F["status_code"]
    i_phone = _F["contact_telephone_number"]
    for number, record in numbered:
        code = record[0].strip().upper() if record else ""
        title = _clean(record[1]) if len(record) > 1 else ""

        def reject(kind: str, reason: str, number: int = number, code: str = code,
                   title: str = title) -> None:
            rejected.append(Rejected(number, reason, kind, code or None, title or None))

        if len(record) != width:
            reject("shape", f"has {len(record)} fields where the file's rows have {width}")
            continue
        if not any(v.strip() for v in record):
            reject("empty", "is empty")
            continue
        if not code:
            reject("missing_code", "has no organisation code")
            continue
        if not _ODS_CODE.fullmatch(code):
            reject("bad_code", f"'{code}' is not an ODS organisation code")
            continue
        if not title:
            reject("missing_name", "has no name")
            continue
        status_code = record[i_status].strip().upper()
        if status_code == "P":
            reject("proposed", "is a proposed practice (status P), not open yet")
            continue
        if status_code not in ODS_STATUS:
            reject("status", f"has the unknown status code '{status_code}' (expected A, C, D or P)")
            continue
        setting = record[i_setting].strip()
        if setting != GP_PRACTICE:
            label = PRESCRIBING_SETTINGS.get(setting, "unknown")
            reject("not_gp_practice",
                   f"is not a GP practice: prescribing setting {setting or 'blank'} ({label})")
            continue
        lines = [_clean(v) for v in record[_F["address_line_1"]:_F["address_line_5"] + 1]]
        postcode = normalise_postcode(record[_F["postcode"]])
        phone = normalise_phone(record[i_phone])
        area = ods_area(lines)
        problem = _too_long(code=code, name=title, area=area, postcode=postcode, phone=phone)
        if problem:
            reject("too_long", f"cannot be stored: its {problem}")
            continue
        entry = DirectoryEntry(
            code_system="ods", code=code, name=title, sector="primary_care", area=area,
            address=", ".join(line for line in lines if line) or None, postcode=postcode, phone=phone,
            status=ODS_STATUS[status_code])
        if code in seen:
            row, first = seen[code]
            reject("duplicate", f"repeats row {row}{_differences(first, entry)}")
            continue
        seen[code] = (number, entry)
        entries.append(entry)
    return DirectoryRead(entries, rejected, "ods", rows=len(numbered), source=_source("NHS ODS", name),
                         fields=ODS_PROVIDES)


#: County names as ODS addresses write them in their last line; the town is the line before.
COUNTIES = frozenset({
    "AVON", "BEDFORDSHIRE", "BEDS", "BERKSHIRE", "BERKS", "BUCKINGHAMSHIRE", "BUCKS", "CAMBRIDGESHIRE",
    "CAMBS", "CHESHIRE", "CLEVELAND", "CORNWALL", "CUMBRIA", "DERBYSHIRE", "DEVON", "DORSET", "DURHAM",
    "ESSEX", "GLOUCESTERSHIRE", "GLOS", "HAMPSHIRE", "HANTS", "HEREFORDSHIRE", "HERTFORDSHIRE",
    "HERTS", "HUMBERSIDE", "KENT", "LANCASHIRE", "LANCS", "LEICESTERSHIRE", "LEICS", "LINCOLNSHIRE",
    "LINCS", "MERSEYSIDE", "MIDDLESEX", "MIDDX", "NORFOLK", "NORTHAMPTONSHIRE", "NORTHANTS",
    "NORTHUMBERLAND", "NOTTINGHAMSHIRE", "NOTTS", "OXFORDSHIRE", "OXON", "RUTLAND", "SHROPSHIRE",
    "SALOP", "SOMERSET", "STAFFORDSHIRE", "STAFFS", "SUFFOLK", "SURREY", "WARWICKSHIRE", "WARKS",
    "WILTSHIRE", "WILTS", "WORCESTERSHIRE", "WORCS", "YORKSHIRE", "CLWYD", "DYFED", "GWENT", "GWYNEDD",
    "POWYS", "ANGLESEY", "CARMARTHENSHIRE", "PEMBROKESHIRE", "CEREDIGION", "MONMOUTHSHIRE",
    "DENBIGHSHIRE", "FLINTSHIRE", "GLAMORGAN",
    "COUNTY DURHAM", "CO DURHAM", "CO. DURHAM", "EAST SUSSEX", "WEST SUSSEX", "E SUSSEX", "W SUSSEX",
    "GREATER LONDON", "GREATER MANCHESTER", "GTR MANCHESTER", "WEST MIDLANDS", "W MIDLANDS",
    "NORTH YORKSHIRE", "SOUTH YORKSHIRE", "WEST YORKSHIRE", "EAST YORKSHIRE", "N YORKSHIRE",
    "S YORKSHIRE", "W YORKSHIRE", "N YORKS", "S YORKS", "W YORKS", "EAST RIDING OF YORKSHIRE",
    "NORTH HUMBERSIDE", "SOUTH HUMBERSIDE", "N HUMBERSIDE", "S HUMBERSIDE", "NORTH LINCOLNSHIRE",
    "NORTH EAST LINCOLNSHIRE", "TYNE AND WEAR", "TYNE & WEAR", "ISLE OF WIGHT", "ISLE OF ANGLESEY",
    "MID GLAMORGAN", "SOUTH GLAMORGAN", "WEST GLAMORGAN", "VALE OF GLAMORGAN", "ISLE OF MAN",
    "HEREFORD & WORCESTER", "HEREFORD AND WORCESTER", "NORTH SOMERSET", "SOUTH GLOUCESTERSHIRE",
    "NE LINCOLNSHIRE", "N E LINCOLNSHIRE",
})
_SMALL_WORDS = frozenset({"on", "upon", "under", "in", "the", "le", "by", "de", "cum", "next", "and",
                          "of", "super", "en"})


def ods_area(lines: Sequence[str]) -> str | None:
    """The town of an ODS address (address lines 1-5), e.g. "Stockton-on-Tees".

    The last line that is not a county, looking only at lines 2-5 (line 1 is usually the
    building); in "WOKING, SURREY" or "EASTERGATE, CHICHESTER" the last part before a county."""
    candidates = [line for line in lines[1:] if line] or [line for line in lines if line]
    while candidates:
        last = candidates[-1]
        parts = [p.strip() for p in last.split(",") if p.strip()]
        while parts and parts[-1].upper() in COUNTIES:
            parts.pop()
        if parts:
            return town_case(parts[-1])
        candidates.pop()
    return None


def town_case(text: str) -> str:
    """A place name in capitals as it is usually written: "NEWCASTLE UPON TYNE" -> "Newcastle upon Tyne"."""
    if not text.isupper():
        return text

    def word(w: str, first: bool) -> str:
        lower = w.lower()
        return lower if not first and lower in _SMALL_WORDS else lower[:1].upper() + lower[1:]

    out: list[str] = []
    for i, token in enumerate(text.split(" ")):
        pieces = token.split("-")
        out.append("-".join(word(p, i == 0 and j == 0) for j, p in enumerate(pieces)))
    return " ".join(out)


# -- CQC location extracts ---------------------------------------------------------------------

def normalise_heading(heading: str) -> str:
    """A column heading as compared: ignoring case, spaces and punctuation
    ("CQC Location ID" -> "cqclocationid")."""
    return re.sub(r"[^a-z0-9]", "", heading.casefold())


#: Aliases of each column of a CQC extract (normalised headings), most specific first.
CQC_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("cqclocationid", "cqclocationidforofficeuseonly", "locationid", "cqcid", "locationcqcid",
             "cqclocationcode"),
    "name": ("locationname", "carehomename", "name", "homename", "servicename", "organisationname",
             "establishmentname"),
    "address": ("address", "locationaddress", "locationstreetaddress", "streetaddress", "fulladdress",
                "addressline1", "nameaddress"),
    "address_2": ("locationaddressline2", "addressline2"),
    "town": ("locationcity", "city", "town", "posttown", "locationtown"),
    "postcode": ("postcode", "locationpostcode", "postalcode", "locationpostalcode"),
    "phone": ("telephone", "telephoneno", "telephonenumber", "locationtelephonenumber", "phone",
              "phonenumber", "tel"),
    "area": ("areaname", "locationlocalauthority", "localauthority", "la", "area", "council"),
    "rating": ("locationlatestoverallrating", "latestoverallrating", "overallrating", "latestrating",
               "cqcrating", "currentrating", "rating"),
    "type": ("servicetypes", "servicetype", "type", "locationtype", "locationtypesector", "carehometype",
             "typeofservice", "locationprimaryinspectioncategory"),
    "care_home": ("carehome", "locationcarehome", "iscarehome"),
    "status": ("registrationstatus", "locationregistrationstatus", "locationstatus", "status"),
    "domain": ("domain", "keyquestion", "ratingdomain"),
}
_RATING_WORDS = ("inherited", "date", "url", "link", "count", "number")


@dataclass(frozen=True)
class _CqcColumns:
    index: dict[str, int]

    def get(self, record: Sequence[str], key: str) -> str:
        i = self.index.get(key)
        return _clean(record[i]) if i is not None else ""


def _cqc_columns(header: Sequence[str]) -> _CqcColumns | None:
    """The columns of a CQC extract found in its header row, or None if it is not one."""
    headings = [normalise_heading(h) for h in header]
    index: dict[str, int] = {}
    for key, aliases in CQC_COLUMNS.items():
        for alias in aliases:
            if alias in headings:
                index[key] = headings.index(alias)
                break
    if "code" not in index:
        found = next((i for i, h in enumerate(headings)
                      if h.startswith(("cqclocationid", "locationid"))), None)
        if found is not None:
            index["code"] = found
    if "rating" not in index:
        found = next((i for i, h in enumerate(headings)
                      if "rating" in h and not any(w in h for w in _RATING_WORDS)), None)
        if found is not None:
            index["rating"] = found
    if "name" not in index:
        return None
    cqc_like = "rating" in index or any("cqc" in h for h in headings)
    if "code" in index or ("postcode" in index and cqc_like):
        return _CqcColumns(index)
    return None


_RATING_VALUES = {
    "outstanding": "outstanding", "good": "good", "requires improvement": "requires_improvement",
    "inadequate": "inadequate", "not rated": "not_rated", "not yet rated": "not_rated",
    "no published rating": "not_rated", "no rating": "not_rated", "unrated": "not_rated",
    "awaiting inspection": "not_rated", "not yet inspected": "not_rated",
    "insufficient evidence to rate": "not_rated",
}
_CQC_STATUS = {"registered": "active", "active": "active", "open": "active", "deregistered": "closed",
               "inactive": "closed", "closed": "closed", "archived": "closed", "dormant": "dormant"}
_CQC_CODE = re.compile(r"\d-\d{3,}")


def normalise_rating(value: str | None) -> str | None:
    """A CQC rating as a ``cqc_rating`` code ("Requires improvement" -> "requires_improvement");
    None for a blank; raises ValueError for anything that is not a rating."""
    text = " ".join(re.sub(r"[^a-z]+", " ", (value or "").casefold()).split())
    if not text:
        return None
    try:
        return _RATING_VALUES[text]
    except KeyError:
        raise ValueError(f"'{_clean(value)}' is not a CQC rating") from None


def cqc_sector(service_type: str, care_home: str = "") -> str | None:
    """care_home or domiciliary_care from a CQC service type (and "Care home?" flag); None if neither."""
    text = service_type.casefold()
    flag = care_home.strip().casefold()
    if flag in ("y", "yes", "true", "1"):
        return "care_home"
    if any(w in text for w in ("residential", "nursing home", "care home", "carehome")):
        return "care_home"
    if any(w in text for w in ("homecare", "home care", "domiciliary", "supported living", "shared lives",
                               "extra care")):
        return "domiciliary_care"
    if not text.strip() and flag not in ("n", "no", "false", "0"):
        return "care_home"
    return None


def local_code(name: str, postcode: str, address: str | None) -> str:
    """A stable code for a home known without a CQC location id: its postcode and a digest of
    its name, postcode and address (two homes of one name at one postcode stay apart)."""
    def fold(text: str | None) -> str:
        return re.sub(r"[^a-z0-9]", "", (text or "").casefold())

    digest = hashlib.sha1("|".join(fold(t) for t in (name, postcode, address)).encode()).hexdigest()[:8]
    return f"{fold(postcode).upper()}-{digest}"


def _read_cqc(numbered: list[tuple[int, list[str]]], columns: _CqcColumns, name: str,
              header_width: int) -> DirectoryRead:
    entries: list[DirectoryEntry] = []
    rejected: list[Rejected] = []
    seen: dict[str, tuple[int, DirectoryEntry]] = {}
    has_code = "code" in columns.index
    col = columns.get
    for number, record in numbered:
        fits = len(record) == header_width
        title = col(record, "name") if fits else ""
        code = col(record, "code") if has_code and fits else ""

        def reject(kind: str, reason: str, number: int = number, code: str = code,
                   title: str = title) -> None:
            rejected.append(Rejected(number, reason, kind, code or None, title or None))

        if not any(v.strip() for v in record):
            reject("empty", "is empty")
            continue
        if not fits:
            reject("shape", f"has {len(record)} fields where the header has {header_width}")
            continue
        if has_code and not code:
            reject("missing_code", "has no CQC location id")
            continue
        if has_code and not _CQC_CODE.fullmatch(code):
            reject("bad_code", f"'{code}' is not a CQC location id (like 1-123456789)")
            continue
        if not title:
            reject("missing_name", "has no name")
            continue
        domain = col(record, "domain")
        if domain and normalise_heading(domain) != "overall":
            reject("domain", f"is the rating for the key question '{domain}', not the overall rating")
            continue
        try:
            rating = normalise_rating(col(record, "rating"))
        except ValueError as error:
            reject("rating", f"has a rating that is not a CQC rating: {error}")
            continue
        status_text = col(record, "status").casefold()
        status = _CQC_STATUS.get(status_text, "active" if not status_text else "")
        if not status:
            reject("status", f"has the unknown registration status '{col(record, 'status')}'")
            continue
        service_type = col(record, "type")
        sector = cqc_sector(service_type, col(record, "care_home"))
        if sector is None:
            said = f"its service type is '{service_type}'" if service_type else "its care home column says no"
            reject("service_type", f"is not a care home or home care service: {said}")
            continue
        postcode = normalise_postcode(col(record, "postcode"))
        address = _address(col(record, "address"), col(record, "address_2"), col(record, "town"))
        if not has_code:
            if not postcode:
                reject("missing_postcode", "has no CQC location id and no postcode to tell it apart")
                continue
            code = local_code(title, postcode, address)
        area = col(record, "area") or col(record, "town") or None
        phone = normalise_phone(col(record, "phone"))
        problem = _too_long(code=code, name=title, area=area, postcode=postcode, phone=phone)
        if problem:
            reject("too_long", f"cannot be stored: its {problem}")
            continue
        entry = DirectoryEntry(
            code_system="cqc_location" if has_code else "local", code=code, name=title, sector=sector,
            area=area, address=address, postcode=postcode, phone=phone, cqc_registered=True,
            cqc_rating=rating, status=status)
        if code in seen:
            row, first = seen[code]
            reject("duplicate", f"repeats row {row}{_differences(first, entry)}", code=code)
            continue
        seen[code] = (number, entry)
        entries.append(entry)
    notes = []
    if not has_code:
        notes.append(
            f"{name} has no CQC location ids: each home gets a local code made from its name, postcode "
            "and address, so importing the file again updates the same entries, but they will not "
            "match a case's CQC location codes.")
    if "rating" not in columns.index:
        notes.append(f"{name} has no rating column: ratings are left unknown.")
    provides = ["code_system", "code", "name", "cqc_registered", "status"]
    for key, provided in (("type", "sector"), ("care_home", "sector"), ("address", "address"),
                          ("address_2", "address"), ("town", "address"), ("postcode", "postcode"),
                          ("phone", "phone"), ("area", "area"), ("town", "area"), ("rating", "cqc_rating")):
        if key in columns.index and provided not in provides:
            provides.append(provided)
    return DirectoryRead(entries, rejected, "cqc", rows=len(numbered), source=_source("CQC", name),
                         fields=tuple(f for f in DATA_FIELDS if f in provides),
                         notes=notes)


def _differences(kept: DirectoryEntry, again: DirectoryEntry) -> str:
    """" (kept); its rating differs" for a row repeating the code of a row read before."""
    differ = [name.replace("_", " ").replace("cqc ", "") for name in DATA_FIELDS
              if getattr(kept, name) != getattr(again, name)]
    if not differ:
        return " (kept), the same in every field"
    return f" (kept); its {' and '.join(differ)} {'differs' if len(differ) == 1 else 'differ'}"


def _address(*parts: str) -> str | None:
    parts = tuple(re.sub(r"\s*,\s*", ", ", p) for p in parts)
    kept: list[str] = []
    for part in parts:
        if part and not any(part.casefold() in k.casefold() for k in kept):
            kept.append(part)
    return ", ".join(kept) or None


def _source(prefix: str, name: str) -> str:
    return f"{prefix} {name}"[:200]


# -- checking entries added by hand -------------------------------------------------------------

def problems_of(entry: DirectoryEntry, sectors: Iterable[str] | None = None) -> list[str]:
    """What is wrong with an entry before it is stored (empty if nothing): required values,
    known codes and lengths. ``sectors`` are the known sector codes, if they should be checked."""
    problems: list[str] = []
    checks: list[tuple[bool, str]] = [
        (entry.code_system in CODE_SYSTEMS, f"unknown code system '{entry.code_system}'"),
        (bool(entry.name.strip()), "the name is empty"),
        (entry.status in STATUSES, f"unknown status '{entry.status}'"),
        (entry.cqc_rating is None or entry.cqc_rating in RATINGS, f"unknown CQC rating '{entry.cqc_rating}'"),
    ]
    if sectors is not None:
        checks.append((entry.sector in set(sectors), f"unknown sector '{entry.sector}'"))
    problems.extend(message for ok, message in checks if not ok)
    too_long = _too_long(code=entry.code, name=entry.name, area=entry.area, postcode=entry.postcode,
                         phone=entry.phone)
    if too_long:
        problems.append(f"the {too_long}")
    return problems


def describe_rejections(rejected: Sequence[Rejected], limit: int = 10,
                        line: Callable[[Rejected], str] | None = None) -> list[str]:
    """The first ``limit`` rejected rows as lines ("row 12 (A81001 THE SURGERY): reason"), then
    how many more there are."""
    def default(r: Rejected) -> str:
        who = " ".join(x for x in (r.code, r.name) if x)
        return f"row {r.row}{f' ({who})' if who else ''}: {r.reason}"

    render = line or default
    lines = [render(r) for r in rejected[:limit]]
    if len(rejected) > limit:
        lines.append(f"… and {len(rejected) - limit:,} more")
    return lines


def summarise_rejections(rejected: Sequence[Rejected]) -> str:
    """How many rows were rejected for each kind of reason, most first: "6,097 not GP practices
    (prescribing setting); 5 proposed practices, not open yet (status P)"."""
    counts = Counter(r.kind for r in rejected)
    return "; ".join(f"{n:,} {REJECTION_KINDS.get(kind, kind or 'other')}"
                     for kind, n in counts.most_common())
