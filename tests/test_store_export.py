"""gongkai export: CSV, Parquet and XLSX give back the values stored."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
from openpyxl import load_workbook
from typer.testing import CliRunner

from gongkai.formats import load_format
from gongkai.store.db import Store
from gongkai.store.export import DATASETS
from gongkai.views.cli import app
from store_helpers import built_corpus

runner = CliRunner()
KEY = ("report", "table_key", "row_order", "column_key")


def _stored(db: Path) -> dict[tuple[object, ...], Decimal | None]:
    with Store(db, read_only=True) as store:
        rows = store.query('SELECT report, table_key, row_order, column_key, value FROM "values"')
    return {r[:4]: r[4] for r in rows}


def _dec(text: str | None) -> Decimal | None:
    return None if text in (None, "") else Decimal(str(text))


def test_csv_round_trip(tmp_path: Path) -> None:
    _, db, _ = built_corpus()
    out = tmp_path / "csv"
    result = runner.invoke(app, ["export", "--format", "csv", "--db", str(db), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{d.name}.csv" for d in DATASETS)
    with (out / "values.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    got = {(int(r["report"]), r["table_key"], int(r["row_order"]), r["column_key"]): _dec(r["value"]) for r in rows}
    assert got == _stored(db)
    assert all(r["value"] == "" or "." not in r["value"] or not r["value"].endswith("0") for r in rows)
    with (out / "reports.csv").open(encoding="utf-8") as fh:
        reports = list(csv.DictReader(fh))
    assert {r["status"] for r in reports} == {"ok", "failed"}


def test_parquet_round_trip(tmp_path: Path) -> None:
    _, db, _ = built_corpus()
    out = tmp_path / "pq"
    result = runner.invoke(app, ["export", "-f", "parquet", "--db", str(db), "-o", str(out)])
    assert result.exit_code == 0, result.output
    table = pq.read_table(out / "values.parquet").to_pylist()
    assert {tuple(r[k] for k in KEY): r["value"] for r in table} == _stored(db)
    wide = pq.read_table(out / "requests.parquet")
    assert "natural_person" in wide.column_names and "carried_over" in wide.column("row_key").to_pylist()
    findings = pq.read_table(out / "findings.parquet")
    assert {"code", "severity", "message", "message_en", "table", "row", "column", "figures"} <= set(
        findings.column_names
    )


def test_xlsx_round_trip_in_the_national_layout(tmp_path: Path) -> None:
    _, db, _ = built_corpus()
    target = tmp_path / "corpus.xlsx"
    result = runner.invoke(app, ["export", "-f", "xlsx", "--db", str(db), "-o", str(target)])
    assert result.exit_code == 0, result.output
    wb = load_workbook(target, read_only=True)
    assert wb.sheetnames == [
        "报告",
        "表二 主动公开（2019格式）",
        "表二 主动公开（2021格式）",
        "表三 申请办理",
        "表四 复议诉讼",
        "审核发现",
    ]
    rows = list(wb["表三 申请办理"].iter_rows(values_only=True))
    heads = rows[0]  # one header row, the format's Chinese labels; no row of keys
    assert heads[:6] == ("机关", "年度", "省", "市", "县（区）", "区划代码")
    assert "natural_person" not in heads and "自然人" in heads and "总计" in heads
    with Store(db, read_only=True) as store:
        stored_rows = store.query(
            """SELECT v.report, v.row_key, v.column_key, v.value, v.extra_row, v.row_label, r."format"
            FROM "values" v JOIN reports r ON r.id = v.report WHERE v.table_key = 'requests'"""
        )
    labels = {fmt: load_format(fmt).tables["requests"] for fmt in ("2019", "2021")}
    stored = {}
    for rid, rkey, ckey, value, extra, written, fmt in stored_rows:
        spec = labels[fmt]
        label = written if extra else spec.rows[rkey].label
        stored[(rid, label, spec.columns[ckey].label)] = value
    got = {}
    value_heads = {c.label for spec in labels.values() for c in spec.columns.values()}
    for row in rows[1:]:
        rec = dict(zip(heads, row, strict=True))
        for head in value_heads & set(heads):
            if (rec["报告编号"], rec["行"], head) in stored or rec[head] is not None:
                got[(rec["报告编号"], rec["行"], head)] = _dec(rec[head])
    assert got == stored
    # Rows carry the national format's labels, in its order.
    assert [r[heads.index("行")] for r in rows[1:4]] == [
        "一、本年新收政府信息公开申请数量",
        "二、上年结转政府信息公开申请数量",
        "（一）予以公开",
    ]
    findings = list(wb["审核发现"].iter_rows(values_only=True))
    assert findings[0][:9] == ("机关", "年度", "省", "市", "县（区）", "区划代码", "规则", "规则名称", "级别")
    assert len(findings) > 2 and {r[8] for r in findings[1:]} <= {"错误", "警告", "提示"}


def test_export_filters_by_year(tmp_path: Path) -> None:
    _, db, _ = built_corpus()
    out = tmp_path / "y"
    result = runner.invoke(app, ["export", "--db", str(db), "-o", str(out), "--year", "2021"])
    assert result.exit_code == 0, result.output
    with (out / "reports.csv").open(encoding="utf-8") as fh:
        years = {r["year"] for r in csv.DictReader(fh)}
    assert years == {"2021"}
