"""gongkai sum: the tables summed over a region's agencies still balance when every input does."""

from __future__ import annotations

import csv
import io
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


# --- groups and reports with error findings (issue 12, item 9) ---------------------------------


def test_layout_puts_rows_under_their_group() -> None:
    from gongkai.store.aggregate import table_layout

    spec = load_format("2021").tables["requests"]
    lines = table_layout("2021", "requests", list(spec.rows))
    labels = [("  " * line.depth) + line.label for line in lines]
    for group in ("（三）不予公开", "（四）无法提供", "（五）不予处理"):
        i = labels.index(group)
        assert lines[i].row is None and lines[i].heading
        members = [k for k, r in spec.rows.items() if r.group == group]
        assert [line.row for line in lines[i + 1 : i + 1 + len(members)]] == members
        assert all(line.depth == 1 for line in lines[i + 1 : i + 1 + len(members)])
    # the single （六）其他处理 row heads its three 2021 sub-rows; no second heading
    other = next(line for line in lines if line.row == "other_handling")
    assert other.heads and labels.count("（六）其他处理") == 1
    assert [line.row for line in lines if line.depth == 1][-3:] == [
        "other_no_correction",
        "other_unpaid_fee",
        "other_other",
    ]
    assert lines[-2].label == "（七）总计" and lines[-2].depth == 0
    # 2019: （六）其他处理 is a row of its own, not a heading
    lines_2019 = table_layout("2019", "requests", list(load_format("2019").tables["requests"].rows))
    assert not next(line for line in lines_2019 if line.row == "other_handling").heading


def test_sum_text_and_csv_keep_the_groups() -> None:
    _, db, manifest = _clean()
    entry = manifest[0]
    args = ["sum", "-r", entry["region_code"], "-y", str(entry["year"]), "--db", str(db)]
    text = runner.invoke(app, args).stdout
    assert "（三）不予公开" in text and "│   1.属于国家秘密" in text
    assert text.index("（三）不予公开") < text.index("1.属于国家秘密") < text.index("（四）无法提供")
    rows = list(csv.DictReader(io.StringIO(runner.invoke(app, [*args, "-f", "csv"]).stdout)))
    groups = {r["row_key"]: r["row_group"] for r in rows if r["table_key"] == "requests"}
    assert groups["withheld_state_secret"] == "（三）不予公开" and groups["unable_not_held"] == "（四）无法提供"
    assert groups["declined_petition"] == "（五）不予处理" and groups["new"] == ""


def test_sum_names_the_reports_with_error_findings() -> None:
    _, db, _ = built_corpus()  # errors seeded into most reports
    with Store(db, read_only=True) as store:
        year, region = store.query(
            """SELECT r."year", substr(r.region_code, 1, 2) FROM reports r JOIN findings f ON f.report = r.id
               WHERE f.severity = 'error' AND r.region_code IS NOT NULL GROUP BY ALL ORDER BY count(*) DESC LIMIT 1"""
        )[0]
        result = sum_region(store, RegionFilter(region, region), year)
        chosen = [rid for f in result.formats.values() for rid in f.reports]
        expected = store.query(
            """SELECT report, code, count(*) FROM findings
               WHERE severity = 'error' AND report IN (SELECT unnest(?)) GROUP BY ALL""",
            [chosen],
        )
    assert result.flagged, "the corpus has error findings in this region and year"
    got = {(f.report, code, n) for f in result.flagged for code, n in f.codes.items()}
    assert got == {(r, c, n) for r, c, n in expected}
    assert {f.report for f in result.flagged} <= set(chosen)
    data = json.loads(runner.invoke(app, ["sum", "-r", region, "-y", str(year), "--db", str(db), "-f", "json"]).stdout)
    assert data["reports_with_errors"] == len(result.flagged)
    assert {r["report"] for r in data["error_reports"]} == {f.report for f in result.flagged}
    assert all(r["codes"] and "agency" in r for r in data["error_reports"])
    args = ["sum", "-r", region, "-y", str(year), "--db", str(db)]
    text = runner.invoke(app, args).stdout
    assert f"{len(result.flagged)} 份有错误级别的审核发现" in text and "--details" in text
    detailed = runner.invoke(app, [*args, "--details"]).stdout
    first = result.flagged[0]
    assert str(first.report) in detailed and next(iter(first.codes)) in detailed
    english = runner.invoke(app, ["--lang", "en", *args]).stdout
    assert f"{len(result.flagged)} of the" in english and "have error findings" in english
