"""gongkai roster: expected agencies with no report for the year."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from gongkai.store.db import Store
from gongkai.store.roster import missing_reports, read_roster
from gongkai.views.cli import app
from store_helpers import ROOT

runner = CliRunner()


def _db(tmp_path: Path) -> Path:
    from gongkai.corpus.ingest import ingest

    db = tmp_path / "c.duckdb"
    with Store(db) as store:
        ingest([ROOT / "examples"], store, workers=1)
    return db


def test_roster_lists_only_the_missing(tmp_path: Path) -> None:
    db = _db(tmp_path)
    roster = tmp_path / "expected.csv"
    roster.write_text(
        "机关名称,区划代码\n"
        "巴彦淖尔市临河区医保局,\n"  # present (临河区医疗保障局), spelled differently
        "医疗保障局,420203\n"  # present by code (西塞山区医疗保障局)
        "临河区财政局,150802\n"  # missing
        "黄石市西塞山区医疗保障局,\n",  # present, but not for 2022
        encoding="utf-8",
    )
    expected = read_roster(roster)
    assert [e.agency_key for e in expected] == [
        "150802:医疗保障局",
        "420203:医疗保障局",
        "150802:财政局",
        "420203:医疗保障局",
    ]
    with Store(db, read_only=True) as store:
        assert [e.name for e in missing_reports(store, expected, 2023)] == ["临河区财政局"]
        assert len(missing_reports(store, expected, 2022)) == 4

    result = runner.invoke(app, ["roster", str(roster), "--year", "2023", "--db", str(db), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows == [
        {"line": 4, "agency": "临河区财政局", "region_code": "150802", "agency_key": "150802:财政局", "year": 2023}
    ]
    text = runner.invoke(app, ["roster", str(roster), "--year", "2023", "--db", str(db)])
    assert text.exit_code == 0 and "临河区财政局" in text.stdout and "1 个没有" in text.stdout


def test_roster_without_header_gbk(tmp_path: Path) -> None:
    db = _db(tmp_path)
    roster = tmp_path / "expected.csv"
    roster.write_bytes("西藏自治区医疗保障局\n西藏自治区财政厅\n".encode("gb18030"))
    with Store(db, read_only=True) as store:
        assert [e.name for e in missing_reports(store, read_roster(roster), 2020)] == ["西藏自治区财政厅"]


def test_missing_database_is_a_usage_error(tmp_path: Path) -> None:
    roster = tmp_path / "r.csv"
    roster.write_text("name\nX\n", encoding="utf-8")
    result = runner.invoke(app, ["roster", str(roster), "--year", "2023", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 2
    assert "gongkai ingest" in result.stderr
