"""The provider directory: reading the real NHS ODS and CQC files, importing, searching, matching,
the command line and the import dialog."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from db.directory import DirectoryCounts, DirectoryRepository
from planner.directory import (
    DirectoryEntry,
    DirectoryFileError,
    DirectoryRead,
    normalise_heading,
    normalise_postcode,
    normalise_rating,
    ods_area,
    read_directory,
    summarise_rejections,
)
from ui.cli import main

EXTERNAL = Path("data") / "external"
ODS = EXTERNAL / "ods" / "epraccur.csv"
TRAFFORD = EXTERNAL / "cqc" / "trafford_care_homes.csv"
DUDLEY_HOMES = EXTERNAL / "cqc" / "dudley_care_homes_with_cqc_rating.csv"
DUDLEY_LATEST = EXTERNAL / "cqc" / "dudley_cqc_latest_ratings.csv"
DUDLEY_FINAL = EXTERNAL / "cqc" / "dudley_final_nh_data_with_ratings.csv"

ODS_ROW = ('"{code}","{name}","Y63","Q74","THE HEALTH CENTRE","LAWSON STREET","STOCKTON-ON-TEES","CLEVELAND",'
           '"","TS18 1HU","19740401","","{status}","B","00K","20130401","","01642 672351","","","","0","",'
           '"00K","","{setting}",""')


@cache
def _read(path: str) -> DirectoryRead:
    """Each real file is read once per test run; tests must not change what it returns."""
    return read_directory(path)


def read(shared: Path, relative: Path) -> DirectoryRead:
    return _read(str(shared / relative))


def ods_line(code: str = "A81001", name: str = "THE DENSHAM SURGERY", status: str = "A",
             setting: str = "4") -> str:
    return ODS_ROW.format(code=code, name=name, status=status, setting=setting)


def count(database) -> int:  # type: ignore[no-untyped-def]
    with database.session() as session:
        return DirectoryRepository(session).count()


def apply(database, result: DirectoryRead) -> DirectoryCounts:  # type: ignore[no-untyped-def]
    with database.session() as session:
        return DirectoryRepository(session).apply(result.entries, result.source, result.fields)


def by_code(result: DirectoryRead) -> dict[str, DirectoryEntry]:
    return {e.code: e for e in result.entries}


# -- reading the real files -----------------------------------------------------------------------

def test_ods_file_every_row_is_an_entry_or_rejected(shared_dir: Path) -> None:
    result = read(shared_dir, ODS)
    assert result.format == "ods" and result.source == "NHS ODS epraccur.csv"
    assert result.rows == 14_303
    assert len(result.entries) + len(result.rejected) == 14_303
    assert len(result.entries) == 8_201  # prescribing setting 4 and not proposed
    assert Counter(e.status for e in result.entries) == {"active": 6_872, "closed": 1_073, "dormant": 256}
    assert result.rejection_counts() == {"not_gp_practice": 6_097, "proposed": 5}
    assert {e.code_system for e in result.entries} == {"ods"}
    assert {e.sector for e in result.entries} == {"primary_care"}
    # the sector's defaults apply: CQC and NHS England, capitation
    assert all(e.regulators is None and e.payment_model is None and e.cqc_rating is None
               for e in result.entries)
    assert "cqc_rating" not in result.fields and "regulators" not in result.fields


def test_ods_known_practices(shared_dir: Path) -> None:
    entries = by_code(read(shared_dir, ODS))
    densham = entries["A81001"]
    assert densham.name == "THE DENSHAM SURGERY"
    assert densham.postcode == "TS18 1HU"
    assert densham.status == "active"
    assert densham.area == "Stockton-on-Tees"
    assert densham.address == "THE HEALTH CENTRE, LAWSON STREET, STOCKTON-ON-TEES, CLEVELAND"
    assert densham.phone == "01642 672351"
    assert entries["A81003"].status == "closed"  # VICTORIA MEDICAL PRACTICE, closed 2017-10-31
    assert entries["A81632"].status == "dormant"  # LAWSON STREET PRACTICE
    assert entries["A81002"].area == "Stockton on Tees"


def test_ods_rejections_say_why(shared_dir: Path) -> None:
    result = read(shared_dir, ODS)
    rejected = {r.code: r for r in result.rejected}
    assert rejected["A85621"].reason == "is not a GP practice: prescribing setting 2 (OOH Practice)"
    assert rejected["A85621"].name == "GATDOC OOH"
    assert rejected["A83642"].row == 241  # no header: row 1 is the first practice
    assert rejected["Y06505"].kind == "proposed"
    assert "proposed practice (status P)" in rejected["Y06505"].reason
    assert summarise_rejections(result.rejected) == (
        "6,097 not GP practices (prescribing setting); 5 proposed practices, not open yet (status P)")


def test_trafford_extract(shared_dir: Path) -> None:
    result = read(shared_dir, TRAFFORD)
    assert result.format == "cqc" and result.rows == 56
    assert len(result.entries) == 56 and result.rejected == []
    assert all(e.code_system == "cqc_location" and re.fullmatch(r"1-\d+", e.code) for e in result.entries)
    assert all(e.sector == "care_home" and e.cqc_registered and e.area == "Trafford" for e in result.entries)
    first = by_code(result)["1-466088203"]
    assert first.name == "10 Spennithorne Road"
    assert first.postcode == "M41 5BU"
    assert first.phone == "01617486414"  # the leading zero the file lost
    assert first.address == "10 Spennithorne Road, Urmston, Manchester"
    # no rating column: ratings are unknown, and importing it leaves stored ratings alone
    assert all(e.cqc_rating is None for e in result.entries)
    assert "cqc_rating" not in result.fields
    assert any("no rating column" in note for note in result.notes)


@pytest.mark.parametrize(("relative", "rows", "entries", "ratings"), [
    (DUDLEY_HOMES, 74, 74,
     {"not_rated": 37, "requires_improvement": 18, "good": 18, "inadequate": 1}),
    (DUDLEY_LATEST, 84, 84, {"good": 56, "requires_improvement": 27, "inadequate": 1}),
    (DUDLEY_FINAL, 116, 74,
     {None: 30, "good": 18, "requires_improvement": 16, "not_rated": 9, "inadequate": 1}),
])
def test_dudley_extracts_ratings_normalised(shared_dir: Path, relative: Path, rows: int, entries: int,
                                           ratings: dict[str | None, int]) -> None:
    result = read(shared_dir, relative)
    assert result.format == "cqc"
    assert result.rows == rows
    assert len(result.entries) == entries
    assert len(result.entries) + len(result.rejected) == rows
    assert Counter(e.cqc_rating for e in result.entries) == ratings
    # no CQC location ids in these files: stable local codes from name, postcode and address
    assert {e.code_system for e in result.entries} == {"local"}
    assert all(re.fullmatch(r"[A-Z0-9]{5,7}-[0-9a-f]{8}", e.code) for e in result.entries)
    assert any("no CQC location ids" in note for note in result.notes)
    assert all(e.sector == "care_home" and e.postcode for e in result.entries)


def test_dudley_final_duplicates_are_rejected_with_the_row_kept(shared_dir: Path) -> None:
    result = read(shared_dir, DUDLEY_FINAL)
    assert result.rejection_counts() == {"duplicate": 42}
    camelot = [r for r in result.rejected if r.name == "Camelot Rest Home"]
    assert [r.row for r in camelot] == [16, 17, 18, 19, 20, 21, 22]
    assert camelot[0].reason == "repeats row 15 (kept); its rating differs"
    assert camelot[1].reason == "repeats row 15 (kept), the same in every field"


def test_dudley_homes_of_one_name_at_one_postcode_stay_apart(shared_dir: Path) -> None:
    result = read(shared_dir, DUDLEY_HOMES)
    grazebrook = [e for e in result.entries if e.name == "Grazebrook Homes"]
    assert len(grazebrook) == 2 and grazebrook[0].code != grazebrook[1].code
    assert {e.postcode for e in grazebrook} == {"DY2 8SS"}
    # the same home in the two council files gets the same code
    final = {(e.name, e.address): e.code for e in read(shared_dir, DUDLEY_FINAL).entries}
    abbeygate = next(e for e in result.entries if e.name == "Abbeygate Care")
    assert final[("Abbeygate Care", abbeygate.address)] == abbeygate.code


# -- reading: headers, rows and malformed files -----------------------------------------------------

def test_cqc_headers_are_matched_loosely_and_bad_rows_rejected(tmp_path: Path) -> None:
    path = tmp_path / "cqc.csv"
    path.write_text(
        " Location ID ,LOCATION  NAME,Location Post Code,Location Latest Overall Rating,Service types,"
        "Location Local Authority\n"
        "1-101,Sea View,ts1 1aa,Requires Improvement,Residential homes,Middlesbrough\n"
        "1-102,Home Helpers,TS2 2BB,outstanding,Homecare agencies,Middlesbrough\n"
        ",No Id House,TS3 3CC,Good,Nursing homes,Middlesbrough\n"
        "1-104,,TS4 4DD,Good,Nursing homes,Middlesbrough\n"
        "1-101,Sea View Again,TS1 1AA,Good,Residential homes,Middlesbrough\n"
        "1-106,Oak Lodge,TS6 6FF,Excellent,Residential homes,Middlesbrough\n"
        "1-107,Too,Many,Fields,Residential homes,Middlesbrough,extra\n"
        "ABC,Bad Id,TS8 8HH,Good,Residential homes,Middlesbrough\n"
        "1-109,Hospital Ward,TS9 9JJ,Good,Hospital,Middlesbrough\n"
        "1-110,Not Yet,TS10 1KK,Not yet rated,Nursing homes|Residential homes,Middlesbrough\n",
        encoding="utf-8")
    result = read_directory(path)
    assert result.format == "cqc" and result.rows == 10
    entries = by_code(result)
    assert list(entries) == ["1-101", "1-102", "1-110"]
    assert entries["1-101"].cqc_rating == "requires_improvement"
    assert entries["1-101"].postcode == "TS1 1AA"
    assert entries["1-101"].area == "Middlesbrough"
    assert entries["1-102"].sector == "domiciliary_care" and entries["1-102"].cqc_rating == "outstanding"
    assert entries["1-110"].cqc_rating == "not_rated" and entries["1-110"].sector == "care_home"
    assert [(r.row, r.kind) for r in result.rejected] == [
        (4, "missing_code"), (5, "missing_name"), (6, "duplicate"), (7, "rating"), (8, "shape"),
        (9, "bad_code"), (10, "service_type")]
    reasons = {r.row: r.reason for r in result.rejected}
    assert reasons[6] == "repeats row 2 (kept); its name and rating differ"
    assert reasons[7] == "has a rating that is not a CQC rating: 'Excellent' is not a CQC rating"
    assert reasons[8] == "has 7 fields where the header has 6"
    assert reasons[10] == "is not a care home or home care service: its service type is 'Hospital'"


def test_cqc_ratings_file_keeps_only_overall_ratings(tmp_path: Path) -> None:
    path = tmp_path / "ratings.csv"
    path.write_text("Location ID,Location Name,Location Post Code,Domain,Latest Rating\n"
                    "1-1000001,A Home,DY1 1AA,Overall,Good\n1-1000001,A Home,DY1 1AA,Safe,Inadequate\n", encoding="utf-8")
    result = read_directory(path)
    assert [e.cqc_rating for e in result.entries] == ["good"]
    assert [(r.row, r.kind) for r in result.rejected] == [(3, "domain")]


def test_ods_rows_rejected_with_reasons(tmp_path: Path) -> None:
    path = tmp_path / "epraccur.csv"
    lines = [ods_line(), ods_line("A81002", "PROPOSED PRACTICE", status="P"),
             ods_line("A81004", "OUT OF HOURS", setting="2"), ods_line("A81001", "REPEAT"),
             ods_line("A81005", "").replace(',"4",""', ',"4","","extra"'), ods_line("A81006", "")]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = read_directory(path)
    assert [e.code for e in result.entries] == ["A81001"]
    assert [(r.row, r.kind, r.code) for r in result.rejected] == [
        (2, "proposed", "A81002"), (3, "not_gp_practice", "A81004"), (4, "duplicate", "A81001"),
        (5, "shape", "A81005"), (6, "missing_name", "A81006")]


@pytest.mark.parametrize(("content", "message"), [
    (b"", "is empty"),
    (b"   \n\n", "is empty"),
    (b"PK\x03\x04\x14\x00\x06\x00", "is not a CSV file: it is a zip archive"),
    (b"%PDF-1.4\n%\xe2\xe3", "is not a CSV file: it is a PDF document"),
    (b"\x00\x01\x02binary", "is not a CSV file: it is binary data"),
    (b'[{"name": "A Home"}]', "is not a CSV file: it is JSON"),
    (b"colour,size,weight\nred,2,3\n", "is not a recognised directory file"),
    (b"Location ID,Location Name\n", "has column headings but no rows"),
])
def test_unreadable_files_raise_a_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(DirectoryFileError, match=re.escape(message)) as raised:
        read_directory(path)
    assert isinstance(raised.value, ValueError)
    assert str(raised.value).startswith("bad.csv ")


def test_a_missing_file_and_a_wrong_format_are_explained(tmp_path: Path, shared_dir: Path) -> None:
    with pytest.raises(DirectoryFileError, match=r"Cannot read .*nowhere\.csv: No such file"):
        read_directory(tmp_path / "nowhere.csv")
    with pytest.raises(DirectoryFileError, match=r"is not an NHS ODS epraccur file: .* 14 fields: 'name', 'cqc_id'"):
        read_directory(shared_dir / TRAFFORD, "ods")
    with pytest.raises(DirectoryFileError, match="is not a CQC location extract"):
        read_directory(shared_dir / ODS, "cqc")
    with pytest.raises(DirectoryFileError, match="Unknown directory format 'xml'"):
        read_directory(shared_dir / ODS, "xml")


def test_normalising_headings_ratings_postcodes_and_towns() -> None:
    assert normalise_heading(" CQC Location ID (for office use only)") == "cqclocationidforofficeuseonly"
    assert normalise_heading("Provide \nNursing") == "providenursing"
    assert normalise_rating(" Requires improvement ") == "requires_improvement"
    assert normalise_rating("No published rating") == "not_rated"
    assert normalise_rating("") is None
    with pytest.raises(ValueError, match="'Superb' is not a CQC rating"):
        normalise_rating("Superb")
    assert normalise_postcode("ts181hu") == "TS18 1HU"
    assert normalise_postcode(" sw1a  1aa ") == "SW1A 1AA"
    assert ods_area(["THE SURGERY", "HIGH STREET", "NEWCASTLE UPON TYNE", "TYNE & WEAR", ""]) == "Newcastle upon Tyne"
    assert ods_area(["SOUTHVIEW SURGERY", "SOUTHVIEW COURT", "GUILDFORD ROAD", "WOKING, SURREY", ""]) == "Woking"
    assert ods_area(["22 LADYGATE LANE", "RUISLIP", "MIDDLESEX", "", ""]) == "Ruislip"


# -- the database -----------------------------------------------------------------------------------

def test_importing_ods_then_again_changes_nothing(database, shared_dir: Path) -> None:  # type: ignore[no-untyped-def]
    result = read(shared_dir, ODS)
    assert apply(database, result) == DirectoryCounts(added=8_201)
    assert count(database) == 8_201
    assert apply(database, result) == DirectoryCounts(unchanged=8_201)
    with database.session() as session:
        stored = DirectoryRepository(session).find_by_code("A81001")
    assert stored is not None and stored.entry == replace(by_code(result)["A81001"], source="NHS ODS epraccur.csv")


def test_a_changed_name_or_status_is_an_update(database, shared_dir: Path) -> None:  # type: ignore[no-untyped-def]
    result = read(shared_dir, ODS)
    apply(database, result)
    entries = [replace(e, name="THE NEW DENSHAM SURGERY") if e.code == "A81001"
               else replace(e, status="closed") if e.code == "A81002" else e for e in result.entries]
    with database.session() as session:
        repo = DirectoryRepository(session)
        preview = repo.preview(entries, result.fields)
        assert preview.counts == DirectoryCounts(updated=2, unchanged=8_199)
        assert {u.after.code: u.changed for u in preview.updated} == {"A81001": ("name",), "A81002": ("status",)}
        assert repo.apply(entries, "NHS ODS epraccur.csv (December)", result.fields) == preview.counts
    with database.session() as session:
        repo = DirectoryRepository(session)
        densham = repo.find_by_code("A81001")
        assert densham is not None
        assert densham.entry.name == "THE NEW DENSHAM SURGERY"
        assert densham.entry.source == "NHS ODS epraccur.csv (December)"
        queens = repo.find_by_code("A81002")
        assert queens is not None and queens.entry.status == "closed"
        assert repo.get(densham.id) == densham


def test_importing_every_cqc_file(database, shared_dir: Path) -> None:  # type: ignore[no-untyped-def]
    assert apply(database, read(shared_dir, TRAFFORD)) == DirectoryCounts(added=56)
    assert apply(database, read(shared_dir, DUDLEY_LATEST)) == DirectoryCounts(added=84)
    assert apply(database, read(shared_dir, DUDLEY_FINAL)) == DirectoryCounts(added=74)
    # the council's other list names 73 of the same homes; it gives ratings where the merge had none
    assert apply(database, read(shared_dir, DUDLEY_HOMES)) == DirectoryCounts(added=1, updated=32, unchanged=41)
    assert count(database) == 56 + 84 + 74 + 1
    for relative, rows in ((TRAFFORD, 56), (DUDLEY_LATEST, 84), (DUDLEY_HOMES, 74)):
        assert apply(database, read(shared_dir, relative)) == DirectoryCounts(unchanged=rows)
    with database.session() as session:
        tudor = DirectoryRepository(session).search("Tudor Manor")
    # the CQC ratings file has no address, the council's lists do: without location ids the same
    # home is two entries, both rated
    assert [r.entry.cqc_rating for r in tudor] == ["inadequate", "inadequate"]
    assert tudor[0].entry.code != tudor[1].entry.code


def test_a_file_without_ratings_leaves_stored_ratings_alone(database, shared_dir: Path) -> None:  # type: ignore[no-untyped-def]
    trafford = read(shared_dir, TRAFFORD)
    rated = replace(trafford.entries[0], cqc_rating="good", name="Old name")
    with database.session() as session:
        DirectoryRepository(session).apply([rated], "CQC ratings")
    counts = apply(database, trafford)
    assert counts == DirectoryCounts(added=55, updated=1)
    with database.session() as session:
        stored = DirectoryRepository(session).find_by_code(rated.code, "cqc_location")
    assert stored is not None
    assert stored.entry.cqc_rating == "good" and stored.entry.name == "10 Spennithorne Road"


def test_an_import_is_all_or_nothing(database, shared_dir: Path) -> None:  # type: ignore[no-untyped-def]
    result = read(shared_dir, TRAFFORD)
    with pytest.raises(RuntimeError, match="interrupted"), database.session() as session:
        DirectoryRepository(session).apply(result.entries, result.source)
        raise RuntimeError("interrupted")
    assert count(database) == 0
    with pytest.raises(ValueError, match="repeat the cqc_location code 1-466088203"), \
            database.session() as session:
        DirectoryRepository(session).apply(result.entries + result.entries[:1], result.source)
    assert count(database) == 0


def test_search_runs_in_the_database(database, shared_dir: Path) -> None:  # type: ignore[no-untyped-def]
    apply(database, read(shared_dir, ODS))
    apply(database, read(shared_dir, TRAFFORD))
    with database.session() as session:
        repo = DirectoryRepository(session)
        assert [r.entry.code for r in repo.search("densham")] == ["A81001"]
        assert [r.entry.code for r in repo.search("DENSHAM surg")] == ["A81001"]
        by_postcode = [r.entry.code for r in repo.search("ts18 1hu")]
        assert sorted(by_postcode) == ["A81001", "A81025", "A81632"]
        assert sorted(r.entry.code for r in repo.search("TS181HU")) == sorted(by_postcode)
        assert sorted(r.entry.code for r in repo.search("TS26 8DB")) == ["A81003", "A81060", "A81613"]
        assert [r.entry.code for r in repo.search("TS26 8DB", include_closed=False)] == ["A81060"]
        trafford = repo.search("trafford", limit=None)
        assert Counter(r.entry.code_system for r in trafford) == {"cqc_location": 56, "ods": 3}
        assert repo.count("trafford") == 59 and repo.count("1-466088203") == 1
        assert repo.count("100%") == 0  # LIKE wildcards are taken literally
        first = repo.search("", limit=5)
        assert len(first) == 5 and repo.search("", limit=5, offset=5)[0] not in first
        names = [r.entry.name.lower() for r in repo.search("surgery", limit=None)]
        assert names == sorted(names) and len(names) == repo.count("surgery") > 1_000
        assert repo.count() == 8_257
        assert repo.count(include_closed=False) == 8_257 - 1_073


def test_find_by_code_matches_case_file_codes(database, shared_dir: Path) -> None:  # type: ignore[no-untyped-def]
    apply(database, read(shared_dir, ODS))
    apply(database, read(shared_dir, TRAFFORD))
    with database.session() as session:
        repo = DirectoryRepository(session)
        ods = repo.find_by_code(" a81001 ")
        assert ods is not None and ods.entry.code_system == "ods" and ods.entry.name == "THE DENSHAM SURGERY"
        cqc = repo.find_by_code("1-1938268568")
        assert cqc is not None and cqc.entry.name == "Allingham House Care Centre"
        assert repo.find_by_code("1-1938268568", "ods") is None
        assert repo.find_by_code("Z99999") is None and repo.find_by_code("") is None


def test_organisations_added_by_hand_get_a_local_code(database) -> None:  # type: ignore[no-untyped-def]
    with database.session() as session:
        repo = DirectoryRepository(session)
        added = repo.add(DirectoryEntry("local", "", "Brixham Befriending Circle", "voluntary", area="Torbay"))
        assert added.entry.code_system == "local" and re.fullmatch(r"local-[0-9a-f]{12}", added.entry.code)
        assert added.entry.source == "added by hand"
        assert repo.get(added.id) == added
        assert repo.find_by_code(added.entry.code) == added
        with pytest.raises(ValueError, match="code system 'local'"):
            repo.add(DirectoryEntry("ods", "A1", "Somewhere", "primary_care"))
        with pytest.raises(ValueError, match="the name is empty; unknown sector 'pub'"):
            repo.add(DirectoryEntry("local", "", " ", "pub"))
        with pytest.raises(ValueError, match="already in the directory"):
            repo.add(DirectoryEntry("local", added.entry.code, "Again", "voluntary"))
        assert repo.count() == 1


# -- the command line -------------------------------------------------------------------------------

def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_imports_a_directory_file(capsys: pytest.CaptureFixture[str], db_url: str,
                                      shared_dir: Path) -> None:
    code, out, err = run(capsys, "--db", db_url, "import-directory", str(shared_dir / ODS))
    assert code == 0
    assert out == "added 8,201, updated 0, unchanged 0, rejected 6,102\n"
    lines = err.splitlines()
    assert lines[0] == ("rejected: 6,097 not GP practices (prescribing setting); "
                        "5 proposed practices, not open yet (status P)")
    assert lines[1] == ("rejected: row 241 (A83642 RECOVERY CENTRE DURHAM): is not a GP practice: "
                        "prescribing setting 8 (Public Health Service)")
    assert lines[-1] == "rejected: … and 6,092 more"
    code, out, _ = run(capsys, "--db", db_url, "import-directory", "--format", "ods", str(shared_dir / ODS))
    assert code == 0 and out == "added 0, updated 0, unchanged 8,201, rejected 6,102\n"
    code, out, err = run(capsys, "--db", db_url, "import-directory", str(shared_dir / DUDLEY_LATEST))
    assert code == 0 and out == "added 84, updated 0, unchanged 0, rejected 0\n"
    assert err.startswith("note: dudley_cqc_latest_ratings.csv has no CQC location ids")


@pytest.mark.parametrize(("content", "message"), [
    (b"%PDF-1.4\n", "pathway-planner: bad.csv is not a CSV file: it is a PDF document. Save it as CSV and import that."),
    (b"", "pathway-planner: bad.csv is empty: there is nothing to import."),
    (b"a,b,c\n1,2,3\n", "pathway-planner: bad.csv is not a recognised directory file: expected an NHS ODS"),
])
def test_cli_rejects_an_unreadable_file_and_imports_nothing(
        capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path, shared_dir: Path,
        content: bytes, message: str) -> None:
    run(capsys, "--db", db_url, "import-directory", str(shared_dir / TRAFFORD))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    code, out, err = run(capsys, "--db", db_url, "import-directory", str(bad))
    assert code == 1 and out == ""
    assert err.startswith(message) and err.count("\n") == 1
    code, out, _ = run(capsys, "--db", db_url, "directory", "--json")
    assert len(json.loads(out)) == 56


def test_cli_wrong_format_is_one_line(capsys: pytest.CaptureFixture[str], db_url: str, shared_dir: Path) -> None:
    code, out, err = run(capsys, "--db", db_url, "import-directory", "--format", "ods", str(shared_dir / TRAFFORD))
    assert code == 1 and out == ""
    assert err.startswith("pathway-planner: trafford_care_homes.csv is not an NHS ODS epraccur file")
    assert err.count("\n") == 1


def test_cli_lists_and_searches_the_directory(capsys: pytest.CaptureFixture[str], db_url: str,
                                              shared_dir: Path) -> None:
    code, out, _ = run(capsys, "--db", db_url, "directory")
    assert code == 0 and out == "The directory is empty.\n"
    run(capsys, "--db", db_url, "import-directory", str(shared_dir / ODS))
    code, out, _ = run(capsys, "--db", db_url, "directory", "--search", "densham")
    assert code == 0
    header, row = out.splitlines()
    assert header.split() == ["CODE", "NAME", "SECTOR", "AREA", "STATUS"]
    assert row.split() == ["A81001", "THE", "DENSHAM", "SURGERY", "primary_care", "Stockton-on-Tees", "active"]
    code, out, _ = run(capsys, "--db", db_url, "directory", "--search", "TS18 1HU", "--json")
    rows = json.loads(out)
    assert [r["code"] for r in rows] == ["A81632", "A81001", "A81025"]  # by name
    densham = rows[1]
    assert {k: densham[k] for k in ("code_system", "code", "name", "sector", "area", "postcode", "status")} == {
        "code_system": "ods", "code": "A81001", "name": "THE DENSHAM SURGERY", "sector": "primary_care",
        "area": "Stockton-on-Tees", "postcode": "TS18 1HU", "status": "active"}
    assert rows[0]["status"] == "dormant"
    code, out, _ = run(capsys, "--db", db_url, "directory", "--search", "zzzz")
    assert code == 0 and out == "No directory entries match 'zzzz'.\n"


# -- the dialogs ------------------------------------------------------------------------------------

def test_import_dialog_previews_the_ods_file_and_imports_it(qtbot, database, shared_dir: Path) -> None:  # type: ignore[no-untyped-def]
    from ui.directory_dialog import DirectoryImportDialog

    dialog = DirectoryImportDialog(database, shared_dir / ODS)
    qtbot.addWidget(dialog)
    titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert titles == ["To be added (8,201)", "To be updated (0)", "Rejected (6,102)", "Unchanged (0)"]
    assert dialog.added_table.model.rowCount() == 8_201
    assert dialog.rejected_table.model.rowCount() == 6_102
    assert "14,303 rows read" in dialog.summary.text()
    assert dialog.import_button.isEnabled() and dialog.import_button.text() == "Import 8,201"
    assert count(database) == 0  # previewing writes nothing
    with qtbot.waitSignal(dialog.imported) as signal:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert signal.args == [DirectoryCounts(added=8_201)]
    assert count(database) == 8_201
    assert "Imported epraccur.csv: added 8,201, updated 0, unchanged 0; 6,102 rows rejected." in dialog.message.text()
    assert dialog.import_button.isHidden() and dialog.cancel_button.text() == "Close"


def test_import_dialog_shows_updates_and_cancel_writes_nothing(qtbot, database, shared_dir: Path) -> None:  # type: ignore[no-untyped-def]
    from ui.directory_dialog import DirectoryImportDialog

    apply(database, read(shared_dir, DUDLEY_FINAL))
    dialog = DirectoryImportDialog(database, shared_dir / DUDLEY_HOMES)
    qtbot.addWidget(dialog)
    assert [dialog.tabs.tabText(i) for i in range(4)] == [
        "To be added (1)", "To be updated (32)", "Rejected (0)", "Unchanged (41)"]
    model = dialog.updated_table.model
    changes = [model.index(row, 2).data() for row in range(model.rowCount())]
    assert "CQC rating: Not yet rated → Requires improvement" in changes
    assert "no CQC location ids" in dialog.message.text()
    before = count(database)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == dialog.DialogCode.Rejected
    assert count(database) == before == 74


def test_import_dialog_explains_an_unreadable_file(qtbot, database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from ui.directory_dialog import DirectoryImportDialog

    bad = tmp_path / "practices.xlsx"
    bad.write_bytes(b"PK\x03\x04\x14\x00\x06\x00")
    dialog = DirectoryImportDialog(database, bad)
    qtbot.addWidget(dialog)
    assert dialog.error is not None
    assert dialog.message.text() == ("⚠ practices.xlsx is not a CSV file: it is a zip archive (an Excel "
                                     "workbook is one). Save it as CSV and import that. Nothing was imported.")
    assert not dialog.import_button.isEnabled() and dialog.tabs.isHidden()
    assert dialog.import_entries() is None
    assert count(database) == 0


def test_browser_searches_and_returns_the_chosen_entry(qtbot, database, shared_dir: Path) -> None:  # type: ignore[no-untyped-def]
    from ui.directory_dialog import DirectoryBrowser

    apply(database, read(shared_dir, ODS))
    browser = DirectoryBrowser(database)
    qtbot.addWidget(browser)
    assert browser.model.rowCount() == browser.model.PAGE and browser.model.canFetchMore()
    assert browser.count.text() == "7,128 organisations (showing 200)"  # closed ones hidden
    qtbot.keyClicks(browser.search, "densham")
    qtbot.waitUntil(lambda: browser.model.rowCount() == 1)
    assert browser.count.text() == "1 organisation match"
    assert browser.details.text().startswith("ODS code A81001 · THE HEALTH CENTRE, LAWSON STREET")
    assert "Regulated by CQC, NHS England" in browser.details.text()
    qtbot.mouseClick(browser.choose_button, Qt.MouseButton.LeftButton)
    assert browser.result() == browser.DialogCode.Accepted
    assert browser.chosen is not None and browser.chosen.entry.code == "A81001"


def test_browser_hides_closed_organisations_until_asked(qtbot, database, shared_dir: Path) -> None:  # type: ignore[no-untyped-def]
    from ui.directory_dialog import DirectoryBrowser, DirectoryModel

    apply(database, read(shared_dir, ODS))
    browser = DirectoryBrowser(database, search="TS10 1TZ")
    qtbot.addWidget(browser)
    assert browser.model.rowCount() == 0 and not browser.choose_button.isEnabled()
    assert browser.count.text() == "No organisation in the directory matches."
    browser.include_closed.setChecked(True)
    assert browser.model.rowCount() == 1
    assert browser.model.index(0, 0).data() == "LAGAN SURGERY"
    assert browser.model.index(0, 5).data() == "Closed"
    assert isinstance(browser.model, DirectoryModel)


def test_directory_model_passes_the_model_tester(qtmodeltester, database, shared_dir: Path) -> None:  # type: ignore[no-untyped-def]
    from ui.directory_dialog import DirectoryModel

    apply(database, read(shared_dir, TRAFFORD))

    def fetch(search: str, include_closed: bool, limit: int, offset: int) -> list:  # type: ignore[type-arg]
        with database.session() as session:
            return DirectoryRepository(session).search(search, limit, offset, include_closed)

    model = DirectoryModel(fetch)
    model.set_search("trafford", True)
    assert model.rowCount() == 56
    qtmodeltester.check(model)
