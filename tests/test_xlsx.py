"""One XLSX writer for the CLI and the web (issue 12, item 7): gongkai export --format xlsx, the
web's ``.xlsx`` downloads, gongkai sum and roster. Every file is opened with openpyxl: the heads
(agency, year and region first; one row, in the chosen language), the autofilter, the frozen
header row, column widths, hyperlinks to the report page and the original PDF page, text cells
that are never formulas, and the same sheets from the CLI and the web for the same data."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from typer.testing import CliRunner

from gongkai.corpus.ingest import ingest
from gongkai.store import xlsx
from gongkai.store.db import Store
from gongkai.store.queries.decisions import DecisionKey, add_decision
from gongkai.views.cli import app as cli_app
from gongkai.views.web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
SEED_003 = ROOT / "examples" / "003_4a9178fd99f7f697.txt"  # 临河区医疗保障局 2023: F005 on two rows
SEED_001 = ROOT / "examples" / "001_c89b62cb4e001608.txt"  # 新乡市卫滨区医疗保障局 2021
PDF = ROOT / "tests" / "fixtures" / "real" / "hongze-2024.pdf"  # 洪泽区 2024: findings with a page
EVIL = "=1+2.txt"
BASE = "http://127.0.0.1"
PLACE_ZH = ["机关", "年度", "省", "市", "县（区）", "区划代码"]
PLACE_EN = ["Agency", "Year", "Province", "City", "County", "Division code"]
SHEETS = ["报告", "表二 主动公开（2021格式）", "表三 申请办理", "表四 复议诉讼", "审核发现"]

runner = CliRunner()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Three reports stored under relative paths, one of them named ``=1+2.txt``, one a PDF;
    one finding dismissed with a comment."""
    folder = tmp_path_factory.mktemp("xlsx")
    shutil.copy(SEED_003, folder / EVIL)
    shutil.copy(SEED_001, folder / SEED_001.name)
    shutil.copy(PDF, folder / PDF.name)
    db = folder / "corpus.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        with Store(db) as store:
            ingest([Path(EVIL), Path(SEED_001.name), Path(PDF.name)], store, workers=1)
    with Store(db) as store:
        ids = {path: rid for rid, path in store.query("SELECT id, path FROM reports")}
        sha, code, section, table, row, col, line = store.query(
            """SELECT r.sha256, f.code, f.section, f."table", f."row", f."column", f.line FROM findings f
            JOIN reports r ON r.id = f.report WHERE r.path = ? AND f.code = 'F005' ORDER BY f.seq LIMIT 1""",
            [EVIL],
        )[0]
        key = DecisionKey(sha, code, section or "", table or "", row or "", col or "", line or 0)
        add_decision(store.con, key, "dismissed", "表格排版问题，数值无误", "王审核", dt.datetime(2025, 3, 1, 9, 30))
        pdf_pages = store.query("SELECT seq, page FROM findings WHERE report = ? AND page IS NOT NULL", [ids[PDF.name]])
    assert pdf_pages, "the PDF has a finding on a page"
    return {"db": db, "folder": folder, "ids": ids, "pdf_page": pdf_pages[0]}


def _export(db: Path, out: Path, *args: str) -> Path:
    r = runner.invoke(cli_app, [*args[:2], "export", "--format", "xlsx", "--db", str(db), "--out", str(out), *args[2:]])
    assert r.exit_code == 0, r.output
    return out


def _heads(ws: Any) -> list[Any]:
    return [c.value for c in ws[1]]


def _records(ws: Any) -> list[dict[str, Any]]:
    heads = _heads(ws)
    return [dict(zip(heads, row, strict=True)) for row in ws.iter_rows(min_row=2, values_only=True)]


def _cells(ws: Any) -> list[list[tuple[Any, str, str | None]]]:
    """Every cell as (value, data type, hyperlink target)."""
    return [
        [(c.value, c.data_type, c.hyperlink.target if c.hyperlink else None) for c in row] for row in ws.iter_rows()
    ]


def _assert_laid_out(ws: Any, place: list[str]) -> None:
    heads = _heads(ws)
    assert heads[:6] == place, ws.title
    last = get_column_letter(len(heads))
    assert ws.freeze_panes == "A2", ws.title
    assert ws.auto_filter.ref == f"A1:{last}{ws.max_row}", ws.title
    widths = [ws.column_dimensions[get_column_letter(i)].width for i in range(1, len(heads) + 1)]
    assert all(xlsx.WIDTH_MIN <= w <= xlsx.WIDTH_MAX for w in widths), (ws.title, widths)
    assert all(c.font.b for c in ws[1]), "the header row is bold"
    assert not [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"], "never a formula"


def test_cli_export_lays_out_every_sheet(corpus: dict[str, Any], tmp_path: Path) -> None:
    out = _export(corpus["db"], tmp_path / "book.xlsx", "--lang", "zh", "--base-url", BASE + "/")
    wb = load_workbook(out)
    assert wb.sheetnames == SHEETS  # no 2019-format report: no empty sheet for its table 二
    for ws in wb.worksheets:
        _assert_laid_out(ws, PLACE_ZH)
        # one header row: the second row is data (no row of keys, no English heads)
        assert ws.cell(2, 1).value in {"临河区医疗保障局", "新乡市卫滨区医疗保障局", "淮安市洪泽区人民政府"}
        assert not {"agency", "year", "report", "row_key"} & set(_heads(ws))

    reports = wb["报告"]
    heads = _heads(reports)
    evil = next(row for row in reports.iter_rows(min_row=2) if row[heads.index("文件")].value == EVIL)
    path_cell = evil[heads.index("文件")]
    assert (path_cell.value, path_cell.data_type) == (EVIL, "s")  # shown as written, not run
    assert evil[heads.index("区划代码")].value == "150802" and evil[heads.index("县（区）")].value == "临河区"
    assert evil[heads.index("状态")].value == "已解析"
    rid = corpus["ids"][EVIL]
    assert evil[heads.index("报告页")].hyperlink.target == f"{BASE}/reports/{rid}"  # the trailing / dropped
    # widths follow the content: the agency column is wide, a Chinese character counting two
    assert reports.column_dimensions["A"].width >= xlsx.text_width("淮安市洪泽区人民政府")

    findings = _records(wb["审核发现"])
    severities = {f["级别"] for f in findings}
    assert severities <= {"错误", "警告", "提示"} and "错误" in severities
    f005 = [f for f in findings if f["规则"] == "F005"]
    assert f005 and all(f["规则名称"] == "行的数值少于格式的列数" and f["表"] == "表三" for f in f005)
    assert {f["行"] for f in f005} >= {"四、结转下年度继续办理"}  # the row in the format's words
    dismissed = [f for f in f005 if f["审核结论"] == "已驳回"]
    assert len(dismissed) == 1 and dismissed[0]["审核意见"] == "表格排版问题，数值无误"
    assert dismissed[0]["审核人"] == "王审核" and dismissed[0]["审核时间"] == dt.datetime(2025, 3, 1, 9, 30)
    assert {f["审核结论"] for f in f005 if f is not dismissed[0]} == {"待审"}

    ws = wb["审核发现"]
    heads = _heads(ws)
    pdf_id = corpus["ids"][PDF.name]
    seq, page = corpus["pdf_page"]
    pdf_rows = [row for row in ws.iter_rows(min_row=2) if row[heads.index("报告编号")].value == pdf_id]
    on_page = [row for row in pdf_rows if row[heads.index("页码")].value == page]
    assert on_page
    original = on_page[0][heads.index("原件")]
    assert original.hyperlink.target == f"{BASE}/reports/{pdf_id}/original#page={page}"
    assert original.value == f"第 {page} 页"
    page_links = {row[heads.index("报告页")].hyperlink.target for row in pdf_rows}
    assert f"{BASE}/reports/{pdf_id}#f-report-{seq}" in page_links  # the finding on the report page

    requests = _records(wb["表三 申请办理"])
    assert requests[0]["行"] == "一、本年新收政府信息公开申请数量"
    assert {"自然人", "总计"} <= set(requests[0])


def test_without_base_url_no_links_and_english_heads(corpus: dict[str, Any], tmp_path: Path) -> None:
    out = _export(corpus["db"], tmp_path / "en.xlsx", "--lang", "en")
    wb = load_workbook(out)
    assert wb.sheetnames[0] == "Reports" and wb.sheetnames[-1] == "Findings"
    for ws in wb.worksheets:
        _assert_laid_out(ws, PLACE_EN)
        assert not any(c.hyperlink for row in ws.iter_rows() for c in row)
        assert "报告页" not in _heads(ws) and "Report page" not in _heads(ws)
    findings = _records(wb["Findings"])
    assert {f["Severity"] for f in findings} <= {"error", "warning", "info"}
    assert any(f["Decision"] == "dismissed" for f in findings)
    assert all(f["Rule title"] and f["Message"] for f in findings)


def test_cli_and_web_write_the_same_sheets(corpus: dict[str, Any], tmp_path: Path) -> None:
    db, rid = corpus["db"], corpus["ids"][EVIL]
    cli_all = load_workbook(_export(db, tmp_path / "all.xlsx", "--lang", "zh", "--base-url", BASE))
    cli_one = load_workbook(
        _export(db, tmp_path / "one.xlsx", "--lang", "zh", "--base-url", BASE, "--region", "150802")
    )
    app = create_app(db, uploads_dir=tmp_path / "uploads")
    with TestClient(app, base_url=BASE) as client:
        report = client.get(f"/reports/{rid}.xlsx")
        assert report.status_code == 200 and int(report.headers["content-length"]) == len(report.content)
        web_one = load_workbook(io.BytesIO(report.content))
        web_findings = load_workbook(io.BytesIO(client.get("/index.xlsx?decision=all").content))
        one_table = load_workbook(io.BytesIO(client.get(f"/reports/{rid}.xlsx?table=requests").content))
        assert client.get(f"/reports/{rid}.xlsx?table=nope").status_code == 404
        open_only = load_workbook(io.BytesIO(client.get("/index.xlsx").content))
    # a report's workbook on the web is gongkai export's for that report, cell for cell
    assert web_one.sheetnames == cli_one.sheetnames == SHEETS
    for name in SHEETS:
        assert _cells(web_one[name]) == _cells(cli_one[name]), name
        _assert_laid_out(web_one[name], PLACE_ZH)
    assert one_table.sheetnames == ["表三 申请办理"]
    assert _cells(one_table["表三 申请办理"]) == _cells(cli_one["表三 申请办理"])
    # the problems list's workbook is gongkai export's findings sheet for the same filter
    assert web_findings.sheetnames == ["审核发现"]
    assert _cells(web_findings["审核发现"]) == _cells(cli_all["审核发现"])
    # by default the list leaves dismissed findings out, as the page does
    assert open_only["审核发现"].max_row == cli_all["审核发现"].max_row - 1


def test_web_tables_through_the_same_writer(corpus: dict[str, Any], tmp_path: Path) -> None:
    app = create_app(corpus["db"], uploads_dir=tmp_path / "uploads")
    with TestClient(app, base_url=BASE) as client:
        zh = load_workbook(io.BytesIO(client.get("/rules.xlsx").content))
        en = load_workbook(io.BytesIO(client.get("/rules.xlsx?lang=en").content))
    for wb, head in ((zh, "代码"), (en, "Code")):
        ws = wb.worksheets[0]
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:G{ws.max_row}"
        assert ws["A1"].value == head and ws["A2"].value != "code"  # one header row, in one language
        assert ws.column_dimensions["C"].width > xlsx.WIDTH_MIN


def test_the_writer(tmp_path: Path) -> None:
    cols = [xlsx.Col("name", "名称", "Name"), xlsx.Col("n", "数量", "Count"), xlsx.Col("link", "链接", "Link")]
    rows = [["=1+2", -3, xlsx.Link("https://example.org/a", "打开")], ["@SUM(A1)", 4.5, None], ["中" * 80, None, None]]
    empty = xlsx.Sheet("none", "空表", "Empty", cols, [], optional=True)
    titles = xlsx.write_workbook(
        tmp_path / "w.xlsx",
        [
            xlsx.Sheet("a", "表:一/二", "A", cols, rows),
            empty,
            xlsx.Sheet("b", "表:一/二", "B", cols, iter(rows[:1])),
        ],
    )
    assert titles == ["表_一_二", "表_一_二_2"]  # bad characters replaced, titles unique
    wb = load_workbook(tmp_path / "w.xlsx")
    ws = wb["表_一_二"]
    assert [(c.value, c.data_type) for c in ws[2]] == [("=1+2", "s"), (-3, "n"), ("打开", "s")]
    assert ws["C2"].hyperlink.target == "https://example.org/a"
    assert (ws["A3"].value, ws["A3"].data_type) == ("@SUM(A1)", "s")
    assert ws.column_dimensions["A"].width == xlsx.WIDTH_MAX  # 160 columns of text, capped
    assert ws.column_dimensions["B"].width == xlsx.text_width("数量") + 3  # the head, a margin
    assert ws.auto_filter.ref == "A1:C4"
    # no sheet at all: one saying so
    assert xlsx.write_workbook(tmp_path / "e.xlsx", [empty]) == ["（无数据）"]
    # past Excel's row limit: an error, and no half-written file left in place
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(xlsx, "XLSX_MAX_ROWS", 3)
        with pytest.raises(xlsx.TooManyRows):
            xlsx.write_workbook(tmp_path / "big.xlsx", [xlsx.Sheet("a", "A", "A", cols, rows)])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.xlsx", "w.xlsx"]


def test_too_many_rows_is_said_on_the_cli(corpus: dict[str, Any], tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(xlsx, "XLSX_MAX_ROWS", 3)
    out = tmp_path / "x.xlsx"
    r = runner.invoke(cli_app, ["--lang", "zh", "export", "-f", "xlsx", "--db", str(corpus["db"]), "-o", str(out)])
    assert r.exit_code == 2 and "Excel" in r.output and not out.exists()
    bad = runner.invoke(cli_app, ["export", "-f", "xlsx", "--db", str(corpus["db"]), "--base-url", "javascript:x"])
    assert bad.exit_code == 2


def test_sum_and_roster_write_the_same_kind_of_workbook(corpus: dict[str, Any], tmp_path: Path) -> None:
    db = corpus["db"]
    out = tmp_path / "sum.xlsx"
    r = runner.invoke(
        cli_app, ["sum", "--region", "江苏省", "--year", "2024", "--db", str(db), "-f", "xlsx", "-o", str(out)]
    )
    assert r.exit_code == 0, r.output
    wb = load_workbook(out)
    assert wb.sheetnames[-1] == "有错误的报告" and "表三 收到和处理政府信息公开申请情况（2021格式）" in wb.sheetnames
    place = ["地区", "年度", "省", "市", "县（区）", "区划代码"]
    for ws in wb.worksheets[:-1]:
        _assert_laid_out(ws, place)
    _assert_laid_out(wb["有错误的报告"], PLACE_ZH)
    requests = _records(wb["表三 收到和处理政府信息公开申请情况（2021格式）"])
    assert requests[0]["地区"] == "江苏省" and requests[0]["区划代码"] == "320000" and requests[0]["年度"] == 2024
    assert requests[0]["行"] == "一、本年新收政府信息公开申请数量" and requests[0]["报告数"] == 1
    grouped = [r for r in requests if r["分组"] == "（三）不予公开"]
    assert grouped and grouped[0]["行"] == "1.属于国家秘密"
    assert isinstance(requests[0]["总计"], int)  # a figure stays a number

    roster = tmp_path / "名单.csv"
    roster.write_text("机关名称,区划代码\n淮安市洪泽区人民政府,320813\n淮安市洪泽区财政局,320813\n", encoding="utf-8")
    out = tmp_path / "roster.xlsx"
    args = ["--lang", "en", "roster", str(roster), "--year", "2024", "--db", str(db), "-f", "xlsx", "-o", str(out)]
    r = runner.invoke(cli_app, args)
    assert r.exit_code == 0, r.output
    ws = load_workbook(out).worksheets[0]
    assert ws.title == "No 2024 report"
    _assert_laid_out(ws, PLACE_EN)
    assert _records(ws) == [
        {
            "Agency": "淮安市洪泽区财政局",
            "Year": 2024,
            "Province": "江苏省",
            "City": "淮安市",
            "County": "洪泽区",
            "Division code": "320813",
            "Roster line": 3,
            "Agency key": "320813:财政局",
        }
    ]
    no_out = runner.invoke(cli_app, ["sum", "--region", "江苏省", "--year", "2024", "--db", str(db), "-f", "xlsx"])
    assert no_out.exit_code == 2 and "--out" in no_out.output


def test_a_web_workbook_past_excels_rows_is_refused(corpus: dict[str, Any], tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(xlsx, "XLSX_MAX_ROWS", 3)
    with TestClient(create_app(corpus["db"], uploads_dir=tmp_path / "uploads"), base_url=BASE) as client:
        r = client.get("/index.xlsx?decision=all")
    assert r.status_code == 413 and "CSV" in r.json()["error"]


def test_one_writer_for_the_corpus_and_the_web() -> None:
    """No second XLSX writer in the store or the views: every workbook of export, sum, roster, the
    web's downloads and /data's bulk files is made by gongkai.store.xlsx.write_workbook. (The
    request ledger's workbooks, with their drop-down lists, are the clerk's: gongkai.ledger.)"""
    src = Path(__file__).resolve().parent.parent / "src" / "gongkai"
    makers = [
        str(p.relative_to(src))
        for folder in ("store", "views")
        for p in sorted((src / folder).rglob("*.py"))
        if re.search(r"(?<![_\w])Workbook\(", p.read_text(encoding="utf-8"))
    ]
    assert makers == ["store/xlsx.py"], makers
