"""gongkai export: CSV, Parquet and XLSX give back the values stored."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
from openpyxl import load_workbook
from typer.testing import CliRunner

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
    labels, keys = rows[0], rows[1]
    assert labels[keys.index("natural_person")] == "自然人" and labels[keys.index("total")] == "总计"
    got = {}
    for row in rows[2:]:
        rec = dict(zip(keys, row, strict=True))
        for col in ("natural_person", "commercial", "research", "nonprofit", "legal_services", "other_org", "total"):
            got[(rec["report"], "requests", rec["row_order"], col)] = _dec(rec[col])
    stored = {k: v for k, v in _stored(db).items() if k[1] == "requests"}
    assert got == stored
    # Rows carry the national format's labels, in its order.
    first = [dict(zip(keys, r, strict=True)) for r in rows[2:5]]
    assert [r["row_label"] for r in first] == [
        "一、本年新收政府信息公开申请数量",
        "二、上年结转政府信息公开申请数量",
        "（一）予以公开",
    ]
    findings = list(wb["审核发现"].iter_rows(values_only=True))
    assert findings[1][:5] == ("report", "seq", "origin", "code", "severity") and len(findings) > 2


def test_export_filters_by_year(tmp_path: Path) -> None:
    _, db, _ = built_corpus()
    out = tmp_path / "y"
    result = runner.invoke(app, ["export", "--db", str(db), "-o", str(out), "--year", "2021"])
    assert result.exit_code == 0, result.output
    with (out / "reports.csv").open(encoding="utf-8") as fh:
        years = {r["year"] for r in csv.DictReader(fh)}
    assert years == {"2021"}
