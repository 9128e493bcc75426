"""An area's own unit costs, shared through the database (issue 15, DOMAIN.md 4b): the migration, saving
and reading them (audited), bad input refused with the field named and nothing changed, the settings
table in the app, and the overrides in the costs command, the Findings tab, the value case and the pack."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from planner.casefile import case_from_dict
from planner.costs import cost_of_care, costs_for
from planner.unit_costs import NATIONAL, LocalUnitCosts, OverrideError, local_figure, overridable
from tests.factories import demo_dict

BED = "admission/acute_ward/*"
EXCESS = "excess_bed_day/acute"
NOTE = "Torbay and South Devon NHS FT, 2024/25 reference costs"


def _settings(session: Any) -> Any:
    from db.unit_costs import UnitCostSettings

    return UnitCostSettings(session)


def _torbay(database: Any, bed: object = 420, excess: object = 300) -> Any:
    from db.unit_costs import LocalFigure

    with database.session() as session:
        return _settings(session).save("Torbay", {BED: LocalFigure(bed, "2024/25", NOTE),
                                                  EXCESS: LocalFigure(excess, "2024/25")})


def _rows(database: Any) -> list[tuple[Any, ...]]:
    from sqlalchemy import select

    from db import schema

    table = schema.unit_cost_overrides
    with database.session() as session:
        return [tuple(row) for row in session.execute(
            select(table.c.area, table.c.cost_key, table.c.amount, table.c.per, table.c.price_year,
                   table.c.note).order_by(table.c.id))]


def _events(database: Any) -> list[Any]:
    from db import audit

    with database.session() as session:
        return [e for e in audit.history(session) if e.action == "settings"]


def pdf_text(path: Path) -> str:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return " ".join(text.split())


# -- the migration ----------------------------------------------------------------------------------
def test_migration_0007_adds_the_table_and_takes_it_away(tmp_path: Path) -> None:
    from alembic import command
    from sqlalchemy import create_engine, inspect

    from db.migrate import alembic_config

    engine = create_engine(f"sqlite:///{tmp_path / 'm.sqlite'}")
    config = alembic_config(engine)
    command.upgrade(config, "0006")  # type: ignore[arg-type]
    assert "unit_cost_overrides" not in inspect(engine).get_table_names()
    command.upgrade(config, "0007")  # type: ignore[arg-type]
    columns = {c["name"] for c in inspect(engine).get_columns("unit_cost_overrides")}
    assert {"area", "cost_key", "amount", "per", "price_year", "note", "updated_by", "updated_at"} <= columns
    with engine.begin() as connection:  # one figure per area and key
        connection.exec_driver_sql(
            "INSERT INTO unit_cost_overrides (area, cost_key, amount, per, price_year, updated_by, updated_at) "
            "VALUES ('Torbay', 'x', 1, 'day', '2024/25', 'me', '2026-01-01')")
        with pytest.raises(Exception, match="UNIQUE"):
            connection.exec_driver_sql(
                "INSERT INTO unit_cost_overrides (area, cost_key, amount, per, price_year, updated_by, "
                "updated_at) VALUES ('Torbay', 'x', 2, 'day', '2024/25', 'me', '2026-01-01')")
    command.downgrade(config, "0006")  # type: ignore[arg-type]
    assert "unit_cost_overrides" not in inspect(engine).get_table_names()
    command.upgrade(config, "head")  # type: ignore[arg-type]
    assert "unit_cost_overrides" in inspect(engine).get_table_names()
    engine.dispose()


# -- saved, read, audited ------------------------------------------------------------------------------
def test_an_area_s_figures_are_saved_read_and_audited(database: Any) -> None:
    from db import audit

    audit.set_user_name("Jo Lead")
    try:
        result = _torbay(database)
    finally:
        audit.set_user_name(None)
    assert (result.area, sorted(result.set), result.reset) == ("Torbay", sorted([BED, EXCESS]), [])
    assert _rows(database) == [("Torbay", BED, 420.0, "day", "2024/25", NOTE),
                               ("Torbay", EXCESS, 300.0, "day", "2024/25", None)]
    with database.session() as session:
        local = _settings(session).local_costs()
        stored = _settings(session).figures("torbay")  # found whatever the case
    assert local.names() == ["Torbay"] and local.find(" TORBAY ") == "Torbay"
    bed = local.overrides("Torbay")[BED]
    assert (bed.amount, bed.per, bed.price_year, bed.area, bed.note, bed.is_local) == (
        420.0, "day", "2024/25", "Torbay", NOTE, True)
    assert stored[BED].updated_by == "Jo Lead" and stored[BED].updated_at.tzinfo is not None
    [event] = _events(database)
    assert event.case_id is None and event.user == "Jo Lead"
    assert event.summary.startswith("Unit costs for Torbay: set Admission, hospital ward, any organisation")
    assert event.details["changes"][BED] == {"before": None, "after": {
        "amount": 420.0, "per": "day", "price_year": "2024/25", "note": NOTE}}


def test_saving_the_same_figures_again_records_nothing_and_a_reset_is_audited(database: Any) -> None:
    from db.unit_costs import LocalFigure

    _torbay(database)
    assert not _torbay(database).changed  # the same figures: nothing written, nothing recorded
    assert len(_events(database)) == 1
    with database.session() as session:  # a different spelling of the area is the same area
        result = _settings(session).save("torbay", {BED: None, EXCESS: LocalFigure("310", "2024/25")})
    assert (result.area, result.set, result.reset) == ("Torbay", [EXCESS], [BED])
    assert _rows(database) == [("Torbay", EXCESS, 310.0, "day", "2024/25", None)]
    latest = _events(database)[0]
    assert "reset to the national default Admission, hospital ward" in latest.summary
    assert latest.details["changes"][EXCESS]["before"]["amount"] == 300.0
    assert latest.details["changes"][BED]["after"] is None


@pytest.mark.parametrize(("amount", "words"), [
    (-5, "cannot be negative"), ("abc", "must be a number of pounds"), ("1000001", "at most £1,000,000"),
    ("£2,000,000", "at most £1,000,000"), ("", "give a number of pounds"), ("nan", "must be a number"),
    ("inf", "must be a number"), (True, "must be a number")])
def test_a_bad_figure_is_refused_with_its_field_named_and_nothing_changes(database: Any, amount: object,
                                                                         words: str) -> None:
    from db.unit_costs import LocalFigure

    _torbay(database)
    before_rows, before_events = _rows(database), len(_events(database))
    with database.session() as session, pytest.raises(OverrideError) as refused:
        # the first change is good: it is not saved either
        _settings(session).save("Torbay", {EXCESS: LocalFigure(333, "2024/25"),
                                           BED: LocalFigure(amount, "2024/25")})
    assert str(refused.value).startswith("Local figure for “Admission, hospital ward, any organisation”: ")
    assert words in str(refused.value)
    assert (refused.value.key, refused.value.field) == (BED, "amount")
    assert _rows(database) == before_rows and len(_events(database)) == before_events


@pytest.mark.parametrize(("area", "key", "year", "note", "field", "words"), [
    ("Torbay", BED, "", None, "price_year", "Price year for “Admission, hospital ward"),
    ("Torbay", BED, "last year", None, "price_year", "such as 2024/25"),
    ("Torbay", BED, "2024/25", "x" * 501, "note", "Note for “Admission, hospital ward"),
    ("Torbay", "admission/moon/*", "2024/25", None, None, "is not a unit cost that can be set"),
    ("  ", BED, "2024/25", None, "area", "Area: give the name"),
    ("england (NATIONAL)", BED, "2024/25", None, "area", "cannot be changed"),
])
def test_other_bad_input_is_refused_with_its_field_named(database: Any, area: str, key: str, year: str,
                                                         note: str | None, field: str | None,
                                                         words: str) -> None:
    from db.unit_costs import LocalFigure

    with database.session() as session, pytest.raises(OverrideError) as refused:
        _settings(session).save(area, {key: LocalFigure(400, year, note)})
    assert words in str(refused.value) and refused.value.field == field
    assert _rows(database) == [] and _events(database) == []


def test_figures_are_read_as_typed() -> None:
    assert local_figure("Torbay", BED, "£1,200.50", " 2024/25 ", "  a  note ").amount == 1200.5
    assert local_figure("Torbay", BED, 0, "2024", None).amount == 0  # free here: allowed
    assert local_figure("Torbay", BED, 1_000_000, "2024", None).amount == 1_000_000
    assert local_figure("Torbay", BED, 10, "2024", "  a  note ").note == "a note"


# -- used in the cost of care -------------------------------------------------------------------------
def _local(amount: float = 420, excess: float = 300) -> LocalUnitCosts:
    return LocalUnitCosts({"Torbay": {BED: local_figure("Torbay", BED, amount, "2024/25", NOTE),
                                      EXCESS: local_figure("Torbay", EXCESS, excess, "2024/25")}})


def test_a_case_uses_its_area_s_figures_else_the_national_defaults() -> None:
    case = case_from_dict(demo_dict())
    assert case.person.area == "Torbay"
    national = cost_of_care(case)
    local = costs_for(case, _local())
    assert local.area == "Torbay" and national.area == NATIONAL
    bed_days = sum(c.units for c in national.costed if c.unit_cost.key == BED)
    delayed_days = sum(d.days for d in national.delayed)
    assert local.exact_total == pytest.approx(
        national.exact_total + bed_days * (420 - 901) + delayed_days * (300 - 344.6))
    assert {u.key for u in local.local_figures()} == {BED, EXCESS}
    assert all(d.unit_cost.is_local and d.unit_cost.note is None for d in local.delayed)
    assert "Torbay's own figures for 2 of the" in local.figures_note()
    assert "as set by Torbay" in local.estimate_note()
    assert "national defaults for England" in national.figures_note()
    elsewhere = case_from_dict({**demo_dict(), "person": {**demo_dict()["person"], "area": "Lambeth"}})
    assert costs_for(elsewhere, _local()).total == cost_of_care(elsewhere).total  # no figures of its own
    assert costs_for(case, _local(), area=NATIONAL).total == national.total
    # a step's own cost still comes first
    assert local.total == sum(local.by_payer().values()) == sum(local.by_organisation().values())


def test_the_cost_rows_say_which_figures_are_local() -> None:
    from planner.costs import rows

    shown = dict(rows(costs_for(case_from_dict(demo_dict()), _local())))
    assert shown["Unit costs"].startswith("Torbay's own figures for 2 of")
    assert shown["  Local: Admission, hospital ward, any organisation"] == f"£420 per day (2024/25); note: {NOTE}"
    national = dict(rows(cost_of_care(case_from_dict(demo_dict()))))
    assert national["Unit costs"] == "Published national defaults for England"
    assert not any(key.strip().startswith("Local:") for key in national)


def test_every_overridable_key_is_a_default_or_an_excess_bed_day() -> None:
    keys = overridable()
    assert BED in keys and EXCESS in keys and all(not cost.is_local for cost in keys.values())
    assert keys[BED].amount == 901


# -- the command line, the value case, the pack --------------------------------------------------------
def test_the_costs_command_uses_the_area_s_figures(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    from db.database import open_database
    from ui.cli import main

    assert main(["--db", db_url, "demo"]) == 0
    capsys.readouterr()
    assert main(["--db", db_url, "costs", "1", "--json"]) == 0
    national = json.loads(capsys.readouterr().out)
    database = open_database(db_url)
    _torbay(database)
    database.close()
    assert main(["--db", db_url, "costs", "1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["area"] == "Torbay" and national["area"] == NATIONAL
    assert data["total"] != national["total"]
    assert sum(data["by_payer"].values()) == sum(data["by_organisation"].values()) == data["total"]
    local = [s for s in data["sources"] if s["local"]]
    assert [(s["key"], s["amount"], s["note"], s["price_year"]) for s in local] == [
        (BED, 420.0, NOTE, "2024/25"), (EXCESS, 300.0, None, "2024/25")]
    assert all(not s["local"] for s in national["sources"])
    assert {d["amount"] for d in data["delayed"]} == {3000, 1800}  # 10 and 6 days at £300
    assert main(["--db", db_url, "costs", "1", "--area", NATIONAL, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == national["total"]
    assert main(["--db", db_url, "costs", "1"]) == 0
    text = capsys.readouterr().out
    assert "Unit costs: Torbay's own figures for 2 of" in text
    assert f"LOCAL OVERRIDE: Torbay's own figure for admission, hospital ward, any organisation: £420 per day " \
           f"(2024/25); note: {NOTE}" in text
    assert "Torbay's own figure]" in text
    assert main(["--db", db_url, "costs", "1", "--area", "Lambeth"]) == 1
    assert "no unit costs are set for the area “Lambeth” (areas with their own: “Torbay”)" in \
        capsys.readouterr().err


def test_the_value_case_carries_the_area_s_figures(capsys: pytest.CaptureFixture[str], db_url: str,
                                                   tmp_path: Path) -> None:
    from db.database import open_database
    from ui.cli import main

    assert main(["--db", db_url, "demo"]) == 0
    database = open_database(db_url)
    _torbay(database)
    database.close()
    out = tmp_path / "value.pdf"
    assert main(["--db", db_url, "export-value-case", "1", "--out", str(out)]) == 0
    text = pdf_text(out)
    local = costs_for(case_from_dict(demo_dict()), _local())
    assert f"About £{local.total:,} in all" in text
    assert f"£{local.delayed_total():,} of it paid for 16 days in hospital" in text
    assert "Local figures: Torbay's own unit costs replace 2 of the national defaults" in text
    assert f"admission, hospital ward, any organisation, £420 per day (2024/25; {NOTE})" in text
    assert "delayed (excess) bed day, acute hospital, £300 per day (2024/25)" in text
    assert "as set by Torbay" in text
    summary = tmp_path / "summary.pdf"  # the summary opens with the same three sides
    assert main(["--db", db_url, "export-pdf", "1", "--out", str(summary)]) == 0
    assert f"About £{local.total:,} in all" in pdf_text(summary)


def test_the_pack_says_when_a_delay_is_costed_at_a_local_figure(tmp_path: Path) -> None:
    from reports.pack import write_pack

    first = case_from_dict(demo_dict())
    second = case_from_dict({**demo_dict(), "title": "Another pathway",
                             "person": {**demo_dict()["person"], "area": "Lambeth"}})
    out = tmp_path / "pack.pdf"
    write_pack([first, second], out, unit_costs=_local())
    text = pdf_text(out)
    assert ("Local figures used in place of the published one: Torbay's own figure for delayed (excess) bed "
            "day, acute hospital, £300 per day (2024/25)") in text
    torbay, lambeth = costs_for(first, _local()).delayed_total(), cost_of_care(second).delayed_total()
    assert torbay != lambeth and f"£{torbay:,}" in text and f"£{lambeth:,}" in text


# -- the settings table in the app -------------------------------------------------------------------
def _dialog(qtbot: Any, database: Any, area: str | None = "Torbay") -> Any:
    from ui.unit_costs_dialog import UnitCostsDialog

    dialog = UnitCostsDialog(database, area=area)
    qtbot.addWidget(dialog)
    return dialog


def _type(dialog: Any, key: str, amount: str, year: str = "2024/25", note: str = "") -> None:
    from ui.unit_costs_dialog import AMOUNT, LOCAL_YEAR
    from ui.unit_costs_dialog import NOTE as NOTE_COLUMN

    row = dialog.keys.index(key)
    for column, text in ((AMOUNT, amount), (LOCAL_YEAR, year), (NOTE_COLUMN, note)):
        dialog.table.item(row, column).setText(text)


def test_the_settings_table_shows_the_defaults_and_saves_an_area_s_figures(qtbot, database) -> None:  # type: ignore[no-untyped-def]
    from ui.unit_costs_dialog import AMOUNT, DEFAULT, SET_BY, SOURCE, WHAT, YEAR

    dialog = _dialog(qtbot, database)
    assert dialog.table.rowCount() == len(overridable())
    row = dialog.keys.index(BED)
    assert [dialog.table.item(row, c).text() for c in (WHAT, DEFAULT, YEAR)] == [
        "Admission, hospital ward, any organisation", "£901 per day", "2020/21"]
    assert dialog.table.item(row, SOURCE).text() and "National Cost Collection" in \
        dialog.table.item(row, SOURCE).toolTip()
    assert dialog.save_button.isEnabled() and dialog.area.currentText() == "Torbay"
    _type(dialog, BED, "420", note=NOTE)
    assert dialog.dirty and dialog.table.item(row, WHAT).font().bold()
    with qtbot.waitSignal(dialog.saved) as signal:
        assert dialog.save()
    assert signal.args == ["Torbay"] and not dialog.dirty
    assert _rows(database) == [("Torbay", BED, 420.0, "day", "2024/25", NOTE)]
    assert "Recorded in the audit trail" in dialog.message.text()
    assert len(_events(database)) == 1
    assert dialog.table.item(row, SET_BY).text().endswith("UTC")
    dialog.table.setCurrentCell(row, AMOUNT)  # reset the selected row, then save: back to national
    dialog.reset_selected()
    assert dialog.table.item(row, AMOUNT).text() == ""
    assert dialog.save() and _rows(database) == []
    assert "reset to the national default" in _events(database)[0].summary


def test_the_settings_table_refuses_bad_input_naming_the_field(qtbot, database) -> None:  # type: ignore[no-untyped-def]
    from ui.unit_costs_dialog import AMOUNT, LOCAL_YEAR

    _torbay(database)
    dialog = _dialog(qtbot, database)
    _type(dialog, "admission/hospice/*", "-40")
    _type(dialog, EXCESS, "250")
    assert not dialog.save()
    text = dialog.message.text()
    assert "Not saved: Local figure for “Admission, hospice, any organisation”: cannot be negative" in text
    assert "Nothing was changed" in text and dialog.message.isVisibleTo(dialog)
    current = dialog.table.currentItem()
    assert (current.row(), current.column()) == (dialog.keys.index("admission/hospice/*"), AMOUNT)
    assert ("Torbay", EXCESS, 300.0, "day", "2024/25", None) in _rows(database)  # the good row not saved
    assert len(_events(database)) == 1
    _type(dialog, "admission/hospice/*", "350", year="")
    assert not dialog.save() and "Price year for “Admission, hospice" in dialog.message.text()
    assert dialog.table.currentItem().column() == LOCAL_YEAR
    _type(dialog, "admission/hospice/*", "350", year="2024/25")
    assert dialog.save()
    assert ("Torbay", "admission/hospice/*", 350.0, "day", "2024/25", None) in _rows(database)
    assert ("Torbay", EXCESS, 250.0, "day", "2024/25", None) in _rows(database)


def test_the_settings_table_is_read_only_when_the_database_is(qtbot, database) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    from PySide6.QtCore import Qt

    from ui.unit_costs_dialog import AMOUNT

    _torbay(database)
    looked_at = dataclasses.replace(database, read_only="the folder cannot be written to")
    dialog = _dialog(qtbot, looked_at)
    row = dialog.keys.index(BED)
    assert dialog.table.item(row, AMOUNT).text() == "420"  # shown
    assert not dialog.table.item(row, AMOUNT).flags() & Qt.ItemFlag.ItemIsEditable
    assert not dialog.save_button.isEnabled() and not dialog.reset_all_button.isEnabled()
    assert not dialog.save()


def test_the_findings_tab_costs_with_the_area_s_figures(window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from ui.unit_costs_dialog import UnitCostsDialog

    def edit_and_save(dialog: UnitCostsDialog) -> int:
        assert dialog.area.currentText() == "Torbay"  # the open case's area
        _type(dialog, BED, "420", note=NOTE)
        assert dialog.save()
        return 0

    window.tabs.setCurrentWidget(window.findings_tab)
    rows = window.findings_tab.costs_model
    before = dict(rows.row_object(r) for r in range(rows.rowCount()))
    assert before["Unit costs"] == "Published national defaults for England"
    monkeypatch.setattr(UnitCostsDialog, "exec", edit_and_save)
    window.unit_costs_action.trigger()
    after = dict(rows.row_object(r) for r in range(rows.rowCount()))
    assert after["Unit costs"].startswith("Torbay's own figures for 1 of")
    assert after["  Local: Admission, hospital ward, any organisation"].startswith("£420 per day (2024/25)")
    assert after["Total (an estimate)"] != before["Total (an estimate)"]
