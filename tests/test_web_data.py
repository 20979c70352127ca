"""The data page (``/data``): every dataset for each year and for all, as CSV (with a BOM), Parquet
and XLSX, with sizes and the data dictionary; the files are the store's rows, made on demand and
kept until the corpus changes."""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from gongkai.formats import load_format
from gongkai.store.export import DATASETS
from gongkai.store.schema import relation, schema_markdown
from gongkai.views.web.app import create_app
from gongkai.views.web.pages import data as data_page
from web_corpus import EXAMPLES, NavCorpus, build_nav_corpus

BASE_URL = "http://127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def nav(tmp_path_factory: pytest.TempPathFactory) -> NavCorpus:
    return build_nav_corpus(tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="module")
def client(nav: NavCorpus) -> Iterator[TestClient]:
    app = create_app(nav.db, uploads_dir=nav.folder / "uploads")
    with TestClient(app, base_url=BASE_URL) as c:
        yield c


@pytest.fixture(autouse=True)
def _fresh_cookies(client: TestClient) -> None:
    client.cookies.clear()


def _store(client: TestClient, sql: str) -> list[tuple[Any, ...]]:
    return client.app.state.web.db.tuples(sql)  # type: ignore[attr-defined]


def _listing(client: TestClient) -> dict[str, Any]:
    r = client.get("/data.json")
    assert r.status_code == 200
    return r.json()


def _file(listing: dict[str, Any], dataset: str, year: int | None, fmt: str) -> dict[str, Any]:
    return next(f for f in listing["files"] if (f["dataset"], f["year"], f["format"]) == (dataset, year, fmt))


def test_the_page_lists_every_file_and_the_dictionary(client: TestClient) -> None:
    listing = _listing(client)
    years = [
        y for (y,) in _store(client, 'SELECT DISTINCT "year" FROM reports WHERE "year" IS NOT NULL ORDER BY 1 DESC')
    ]
    assert listing["years"] == years
    expected = {(d.name, y, f) for d in DATASETS for y in [None, *years] for f in ("csv", "parquet", "xlsx")}
    assert {(f["dataset"], f["year"], f["format"]) for f in listing["files"]} == expected
    assert _listing(client) == client.get("/api/data").json()
    html = client.get("/data").text
    for f in listing["files"]:
        if f["available"]:
            assert f'href="{f["url"]}"' in html
    assert 'href="/data"' in client.get("/").text  # in the navigation
    assert "数据字典" in html and "Data dictionary" in client.get("/data?lang=en").text
    # The dictionary: the store's declarations, word for word as docs/schema.md has them.
    for ds in DATASETS:
        rel = relation(ds.relation)
        for c in rel.columns:
            assert f"<code>{c.name}</code>" in html
            assert c.zh.replace("'", "&#39;").replace("<", "&lt;") in html, (ds.name, c.name)
            assert c.en.replace("'", "&#39;").replace("<", "&lt;") in html, (ds.name, c.name)
    md = client.get("/data/schema.md")
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    assert md.text == (ROOT / "docs" / "schema.md").read_text(encoding="utf-8") == schema_markdown()
    names = {r["name"] for r in client.get("/data/schema.json").json()["relations"]}
    assert {relation(d.relation).name for d in DATASETS} <= names


def test_csv_has_a_bom_and_the_store_rows(client: TestClient, nav: NavCorpus) -> None:
    listing = _listing(client)
    year = listing["years"][0]
    r = client.get(f"/data/values-{year}.csv")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"].startswith(f'attachment; filename="gongkai-values-{year}.csv"')
    assert r.content.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 with it
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert list(rows[0]) == [c.name for c in relation("values").columns]
    stored = _store(
        client,
        f'SELECT v.report, v.table_key, v.row_order, v.column_key, v.value FROM "values" v JOIN reports r'
        f" ON r.id = v.report WHERE r.\"year\" = {year} AND r.status <> 'superseded'",
    )
    got = {
        (int(x["report"]), x["table_key"], int(x["row_order"]), x["column_key"]): (
            Decimal(x["value"]) if x["value"] else None
        )
        for x in rows
    }
    assert got == {row[:4]: row[4] for row in stored}
    assert len(rows) == _file(listing, "values", year, "csv")["rows"]
    # Chinese as written, in every text column: labels of the rows, agencies in the reports.
    assert any("申请" in (x["row_label"] or "") for x in rows)
    reports = client.get("/data/reports-all.csv").content.decode("utf-8-sig")
    agencies = {a for (a,) in _store(client, "SELECT agency FROM reports WHERE agency IS NOT NULL")}
    assert agencies and all(a in reports for a in agencies)
    # Where the server keeps its files is not told: paths as the pages and the API show them.
    table = list(csv.DictReader(io.StringIO(reports)))
    assert all(not x["path"].startswith("/") and str(nav.folder) not in x["path"] for x in table)
    shown = client.get("/api/reports?status=all&limit=1000").json()["reports"]
    assert {(int(x["id"]), x["path"]) for x in table} == {(x["id"], x["path"]) for x in shown}


def test_parquet_and_xlsx_hold_the_same_rows(client: TestClient) -> None:
    listing = _listing(client)
    year = listing["years"][1]
    for name in ("values", "requests", "findings", "reports"):
        pq_bytes = client.get(f"/data/{name}-{year}.parquet")
        assert pq_bytes.status_code == 200
        assert pq_bytes.headers["content-type"] == "application/vnd.apache.parquet"
        table = pq.read_table(io.BytesIO(pq_bytes.content))
        assert table.num_rows == _file(listing, name, year, "parquet")["rows"], name
        assert table.column_names == [
            c.name for c in relation(next(d for d in DATASETS if d.name == name).relation).columns
        ]
        wb = load_workbook(io.BytesIO(client.get(f"/data/{name}-{year}.xlsx").content), read_only=True)
        ws = wb.worksheets[0]
        sheet = list(ws.iter_rows(values_only=True))
        assert len(sheet) - 1 == table.num_rows, name  # one header row
        assert table.column_names[0] not in sheet[0]  # Chinese labels, not keys
        assert all(isinstance(h, str) and h for h in sheet[0])
        wb.close()
        # English: the same rows, headed by the data dictionary's keys
        en = client.get(f"/data/{name}-{year}.xlsx?lang=en")
        client.cookies.clear()
        assert f'filename="gongkai-{name}-{year}.xlsx"' in en.headers["content-disposition"]
        wb = load_workbook(io.BytesIO(en.content), read_only=True)
        rows = list(wb.worksheets[0].iter_rows(values_only=True))
        assert list(rows[0]) == table.column_names and len(rows) - 1 == table.num_rows
        wb.close()
    values = pq.read_table(io.BytesIO(client.get(f"/data/values-{year}.parquet").content))
    assert isinstance(next(v for v in values.column("value").to_pylist() if v is not None), Decimal)  # exact


def test_xlsx_written_like_every_workbook(client: TestClient) -> None:
    """The one XLSX writer (gongkai.store.xlsx): frozen header, autofilter, widths, text as text."""
    for name in ("reports", "requests", "findings"):
        body = client.get(f"/data/{name}-all.xlsx").content
        ws = load_workbook(io.BytesIO(body)).worksheets[0]
        assert ws.freeze_panes == "A2", name
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}", name
        assert ws.column_dimensions["A"].width and ws.column_dimensions["B"].width, name
        assert all(cell.data_type != "f" for row in ws.iter_rows() for cell in row), name
        heads = [c.value for c in ws[1]]
        if name == "reports":
            assert {"机关", "年度", "省"} <= set(heads), heads
        if name == "requests":
            assert "行" in heads or "行标签，按原文" in heads, heads
    ws = load_workbook(io.BytesIO(client.get("/data/requests-all.xlsx").content)).worksheets[0]
    heads = [c.value for c in ws[1]]
    labels = {row[heads.index("行键")]: row[heads.index("行")] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert labels["granted"] == load_format("2021").tables["requests"].rows["granted"].label  # the format's label


def test_files_are_kept_until_the_corpus_changes(client: TestClient, nav: NavCorpus) -> None:
    st = client.app.state.web  # type: ignore[attr-defined]
    folder = data_page.data_dir(st)
    assert folder == nav.db.with_name("corpus.data")
    before = _listing(client)
    first = client.get("/data/findings-all.csv").content
    entry = _file(_listing(client), "findings", None, "csv")
    assert entry["size"] == len(first)  # the size, once written
    html = client.get("/data").text
    assert data_page.size_text(len(first)) in html
    cached = folder / before["fingerprint"] / "gongkai-findings-all.csv"
    assert cached.read_bytes() == first
    assert client.get("/data/findings-all.csv").content == first  # sent from disk
    # The corpus changes (a report uploaded and stored): a new fingerprint, new files, old ones gone.
    text = (EXAMPLES / "001_c89b62cb4e001608.txt").read_text(encoding="utf-8").replace("2021年", "2020年", 3)
    up = client.post(
        "/api/upload",
        data={"store": "true"},
        files={"files": ("新上传.txt", text.encode("utf-8"), "text/plain")},
        headers={"Origin": BASE_URL},
    )
    assert up.status_code == 200, up.text
    after = _listing(client)
    assert after["fingerprint"] != before["fingerprint"]
    assert _file(after, "reports", None, "csv")["size"] is None  # not written for this corpus yet
    reports = client.get("/data/reports-all.csv").content.decode("utf-8-sig")
    assert "新上传.txt" in reports  # an upload by its name, never the server's folder
    assert not cached.exists() and (folder / after["fingerprint"] / "gongkai-reports-all.csv").exists()


def test_what_is_not_offered(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    listing = _listing(client)
    sections = _file(listing, "sections", None, "xlsx")
    assert not sections["available"] and sections["note"]
    assert client.get("/data/sections-all.xlsx").status_code == 404
    for bad in ("/data/nothing-all.csv", "/data/values-1900.csv", "/data/values-all.txt", "/data/..%2Fcorpus.duckdb"):
        assert client.get(bad).status_code == 404, bad
    # More rows than Excel holds: no XLSX link, a 404 saying to take CSV or Parquet.
    monkeypatch.setattr(data_page, "XLSX_MAX_ROWS", 10)
    listing = _listing(client)
    values = _file(listing, "values", None, "xlsx")
    assert not values["available"] and "Excel" in values["note"]
    assert f'href="{values["url"]}"' not in client.get("/data").text
    r = client.get("/data/values-all.xlsx")
    assert r.status_code == 404 and "CSV" in r.json()["error"]


def test_busy_and_concurrent(client: TestClient) -> None:
    st = client.app.state.web  # type: ignore[attr-defined]
    year = _listing(client)["years"][2]
    taken = 0
    while st.export_slots.acquire(blocking=False):
        taken += 1
    try:
        busy = client.get(f"/data/appeals-{year}.parquet")
        assert busy.status_code == 503 and busy.headers["retry-after"]
    finally:
        for _ in range(taken):
            st.export_slots.release()
    # Two requests for one file not written yet: one writes it, the other waits and reads it.
    results: list[bytes] = []

    def fetch() -> None:
        results.append(client.get(f"/data/requests-{year}.parquet").content)

    threads = [threading.Thread(target=fetch) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2 and results[0] == results[1] and results[0].startswith(b"PAR1")


def test_gongkai_export_still_writes_its_files(tmp_path: Path, nav: NavCorpus) -> None:
    from typer.testing import CliRunner

    from gongkai.views.cli import app

    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(nav.db.read_bytes())
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["export", "--format", "csv", "--db", str(copy), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{d.name}.csv" for d in DATASETS)
    con = duckdb.connect(str(copy), read_only=True)
    try:
        n = con.execute("SELECT count(*) FROM findings").fetchone()
    finally:
        con.close()
    assert n is not None and len(list(csv.reader((out / "findings.csv").open(encoding="utf-8")))) == n[0] + 1


def test_bulk_paths_are_shown_and_never_formulas(tmp_path: Path) -> None:
    import datetime as dt

    from gongkai.store.db import Store
    from gongkai.store.export import ShownPaths, write_bulk

    db = tmp_path / "c.duckdb"
    with Store(db) as store:
        for rid, path in enumerate(
            [
                "/srv/gongkai/uploads/ab12/=HYPERLINK(1).txt",
                "/data/reports/省/2023.txt",
                "/elsewhere/-1.txt",
                "@rel.txt",
            ],
            start=1,
        ):
            store.run(
                "INSERT INTO reports (id, path, sha256, parser_version, status, ingested_at)"
                " VALUES (?, ?, ?, 'x', 'failed', ?)",
                [rid, path, f"sha{rid}", dt.datetime(2024, 1, 1)],
            )
        shown = ShownPaths("/srv/gongkai/uploads", "/data/reports")
        out = tmp_path / "reports.csv"
        write_bulk(store.con, "reports", "csv", out, shown=shown)
        rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
        assert [r["path"] for r in rows] == ["'=HYPERLINK(1).txt", "省/2023.txt", "'-1.txt", "'@rel.txt"]
        write_bulk(store.con, "reports", "parquet", tmp_path / "reports.parquet", shown=shown)
        table = pq.read_table(tmp_path / "reports.parquet")
        assert table.column("path").to_pylist() == ["=HYPERLINK(1).txt", "省/2023.txt", "-1.txt", "@rel.txt"]
