"""gongkai sum: the tables summed over a region's agencies still balance when every input does."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from gongkai.formats import load_format
from gongkai.store.aggregate import FormatSum, sum_region
from gongkai.store.db import Store
from gongkai.store.regions import RegionFilter, RegionNotFound, code_prefix, parse_region
from gongkai.views.cli import app
from store_helpers import built_corpus

runner = CliRunner()
APPLICANTS = ("natural_person", "commercial", "research", "nonprofit", "legal_services", "other_org")


def _clean():
    return built_corpus(40, seed=4, error_rate=0.0, junk=0, kinds={"text": 1.0})


def _z(v: Decimal | None) -> Decimal:
    return v if v is not None else Decimal(0)


def assert_balanced(fsum: FormatSum) -> None:
    spec = load_format(fsum.format)
    req = spec.tables["requests"]
    outcome = list(req.sum("B003").rhs)
    for c in req.columns:
        col = {row: _z(fsum.value("requests", row, c)) for row in req.rows}
        assert col["new"] + col["carried_over"] == col["total"] + col["carried_forward"], c
        assert col["total"] == sum(col[r] for r in outcome), c
    for row in req.rows:
        if fsum.value("requests", row, "total") is not None:
            assert fsum.value("requests", row, "total") == sum(_z(fsum.value("requests", row, c)) for c in APPLICANTS)
    for group in spec.tables["appeals"].rows:
        parts = sum(_z(fsum.value("appeals", group, c)) for c in ("upheld", "corrected", "other", "pending"))
        assert fsum.value("appeals", group, "total") == parts


def test_sum_over_all_regions_balances() -> None:
    _, db, manifest = _clean()
    with Store(db, read_only=True) as store:
        for year in range(2019, 2025):
            result = sum_region(store, RegionFilter("全国", ""), year)
            expected = sum(1 for e in manifest if e["year"] == year)
            assert result.agencies == expected
            for fsum in result.formats.values():
                assert_balanced(fsum)
                assert fsum.value("requests", "new", "total") is not None


def test_sum_equals_the_values_it_adds_up() -> None:
    _, db, manifest = _clean()
    codes = [e["region_code"][:2] for e in manifest]
    province = max(set(codes), key=codes.count)
    year = next(e["year"] for e in manifest if e["region_code"].startswith(province))
    with Store(db, read_only=True) as store:
        result = sum_region(store, RegionFilter(province, province), year)
        direct = store.query(
            """SELECT sum(v.value) FROM "values" v JOIN reports r ON r.id = v.report
               WHERE r.region_code LIKE ? AND r."year" = ? AND v.table_key = 'requests'
                 AND v.row_key = 'new' AND v.column_key = 'total'""",
            [province + "%", year],
        )[0][0]
    fmt = "2019" if year < 2021 else "2021"
    assert result.formats[fmt].value("requests", "new", "total") == direct


def test_region_names_and_codes() -> None:
    assert parse_region("湖北省").prefix == "42"
    assert parse_region("湖北").prefix == "42"
    assert parse_region("黄石市").prefix == "4202"
    assert parse_region("420203").prefix == "420203"
    assert code_prefix("110000") == "11"
    assert parse_region("全国").prefix == "" and parse_region("ALL").sql("r") == ("TRUE", [])
    with pytest.raises(RegionNotFound):
        parse_region("鼓楼区")  # in several provinces: the user must say which


def test_sum_command_json_and_csv() -> None:
    _, db, manifest = _clean()
    entry = manifest[0]
    region = entry["region_code"]
    result = runner.invoke(
        app, ["sum", "--region", region, "--year", str(entry["year"]), "--db", str(db), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["agencies"] >= 1 and data["year"] == entry["year"]
    fmt = entry["format"]
    assert data["formats"][fmt]["tables"]["requests"]["new"]["total"] is not None
    csv_out = runner.invoke(app, ["sum", "-r", region, "-y", str(entry["year"]), "--db", str(db), "-f", "csv"])
    assert csv_out.exit_code == 0
    assert csv_out.stdout.splitlines()[0].startswith("region,year,format,table_key,row_key,column_key,value")
    text = runner.invoke(app, ["sum", "-r", region, "-y", str(entry["year"]), "--db", str(db)])
    assert text.exit_code == 0 and "本年新收" in text.stdout


def test_unknown_region_is_a_usage_error() -> None:
    _, db, _ = _clean()
    result = runner.invoke(app, ["sum", "--region", "鼓楼区", "--year", "2023", "--db", str(db)])
    assert result.exit_code == 2
    assert "鼓楼区" in result.stderr
