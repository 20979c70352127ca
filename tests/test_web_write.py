"""The 编写 page (/write): the report written in a form, checked while typing (/write/check), table
三 from a request ledger (/write/ledger) and the file through gongkai write's checked save
(/write/download). Nothing is stored."""

from __future__ import annotations

import re
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from gongkai.formats import load_format
from gongkai.ledger import analyse, read_ledger_file
from gongkai.model import Report
from gongkai.pipeline import parse_bytes
from gongkai.views.web.app import create_app
from gongkai.writers.input import report_from_yaml_text, requests_from_json_text, with_requests
from ledger_rows import SMALL_2024, xlsx_bytes

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "write"
LOCAL = "http://127.0.0.1"
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
_INLINE_HANDLER = re.compile(r"<[^>]+\s(on[a-z]+|style)\s*=", re.I)


@pytest.fixture()
def client(tmp_path: Path):  # type: ignore[no-untyped-def]
    app = create_app(tmp_path / "c.duckdb", uploads_dir=tmp_path / "uploads")
    with TestClient(app, base_url=LOCAL) as c:
        yield c


def number_text(value: Any) -> str:
    if value is None:
        return ""
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def fields_of(report: Report) -> dict[str, str]:
    """A report as the 编写 page's form holds it."""
    m = report.meta
    fields = {
        "agency": m.agency or "",
        "year": str(m.year or ""),
        "signed_on": m.signed_on.isoformat() if m.signed_on else "",
        "title": m.title or "",
        "format": m.format or "",
    }
    for key, section in report.sections.items():
        fields[f"section.{key}"] = section.text
    for tkey, table in report.tables.items():
        for rkey, row in table.to_values().items():
            for ckey, value in row.items():
                fields[f"cell.{tkey}.{rkey}.{ckey}"] = number_text(value)
    return fields


def example_report() -> Report:
    report = report_from_yaml_text((EXAMPLE / "report.yaml").read_text(encoding="utf-8"), "report.yaml")
    table = requests_from_json_text(
        (EXAMPLE / "requests.json").read_text(encoding="utf-8"), load_format("2021"), "requests.json", year=2023
    )
    return with_requests(report, table)


def ledger_answer(client: TestClient, data: bytes, name: str = "台账.xlsx", **form: str) -> Any:
    return client.post(
        "/write/ledger",
        files={"ledger": (name, data, "application/octet-stream")},
        data={"year": "2024", **form},
        headers={"Accept": "application/json"},
    )


def expected_table(tmp_path: Path, rows: list[dict[str, str]] = SMALL_2024) -> dict[str, dict[str, Any]]:
    path = tmp_path / "台账.xlsx"
    path.write_bytes(xlsx_bytes(rows))
    return analyse(read_ledger_file(path, 2024), 2024).table.to_values()


def check(client: TestClient, fields: dict[str, str], lang: str = "zh") -> Any:
    r = client.post(f"/write/check?lang={lang}", json={"fields": fields})
    assert r.status_code == 200, r.text
    return r.json()


def codes(body: Any) -> set[str]:
    return {f["code"] for f in body["findings"]}


# --- the page ----------------------------------------------------------------------------------


def test_the_page_is_linked_and_laid_out_like_the_template(client: TestClient) -> None:
    home = client.get("/upload").text
    assert '<a href="/write" class="">编写</a>' in home
    page = client.get("/write")
    assert page.status_code == 200
    html = page.text
    assert "<h1>编写年度报告</h1>" in html and 'class="on">编写</a>' in html
    assert '<script src="/static/write.js" defer></script>' in html
    assert not _INLINE_SCRIPT.findall(html) and not _INLINE_HANDLER.findall(html)
    assert "script-src 'self'" in page.headers["content-security-policy"]
    # every cell of the 2021 format's tables is an input, under the template's heads
    fmt = load_format("2021")
    for tkey in ("proactive", "requests", "appeals"):
        for rkey, rspec in fmt.tables[tkey].rows.items():
            if rspec.optional:
                continue
            for ckey in rspec.columns:
                assert f'name="cell.{tkey}.{rkey}.{ckey}"' in html, (tkey, rkey, ckey)
    assert "三、本年度办理结果" in html and "申请人情况" in html and "未经复议直接起诉" in html
    for title in ("一、总体情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"):
        assert title in html
    assert 'name="section.overview"' in html and 'name="force"' in html
    # the 2019 layout is there for years before 2021, switched off
    assert '<fieldset class="grid" data-format="2019" disabled hidden>' in html
    assert client.get("/static/write.js").status_code == 200
    assert client.get("/static/write.css").status_code == 200
    en = client.get("/write?lang=en").text
    assert "<h1>Write a report</h1>" in en and "Write anyway (even with errors)" in en
    assert client.get("/write?year=2020").text.count('data-format="2021" disabled hidden') == 3


# --- the check ---------------------------------------------------------------------------------


def test_every_table_3_cell_of_a_ledger_comes_back_exactly(client: TestClient, tmp_path: Path) -> None:
    expected = expected_table(tmp_path)
    r = ledger_answer(client, xlsx_bytes(SMALL_2024))
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["requests"] == expected  # every cell, nulls included
    assert answer["year"] == 2024 and answer["format"] == "2021" and answer["file"] == "台账.xlsx"
    assert answer["applications"] == len(SMALL_2024)
    # the ledger's own findings, each with its row and a message in the page's language
    ledger_codes = {f["code"] for f in answer["findings"]}
    assert {"L006", "L009"} <= ledger_codes
    l006 = next(f for f in answer["findings"] if f["code"] == "L006")
    assert l006["where"].startswith("第 ") and "编号" in l006["where"] and l006["text"] == l006["message"]
    # the table as the form holds it, checked: each cell reads back as counted, and it balances
    fields = fields_of(example_report())
    fields.update({f"cell.requests.{r}.{c}": number_text(v) for r, cols in expected.items() for c, v in cols.items()})
    fields["year"] = "2024"
    fields["signed_on"] = "2025-01-20"
    body = check(client, fields)
    assert body["tables"]["requests"] == expected
    assert body["format"] == "2021"
    assert not codes(body) & {"B001", "B002", "B003"}
    assert body["input_errors"] == []


def test_an_imbalance_is_found_at_its_cell(client: TestClient) -> None:
    fields = fields_of(example_report())
    assert not codes(check(client, fields)) & {"B001", "B002", "B003"}

    def at(body: Any, code: str) -> list[tuple[str, str | None, str | None]]:
        return [(f["table"], f["row"], f["column"]) for f in body["findings"] if f["code"] == code]

    # （七）总计 one more than its outcomes: B003 at that cell, and the column no longer balances (B001)
    total = dict(fields)
    total["cell.requests.total.natural_person"] = str(int(fields["cell.requests.total.natural_person"]) + 1)
    body = check(client, total)
    assert at(body, "B003") == [("requests", "total", "natural_person")]
    assert at(body, "B001") == [("requests", None, "natural_person")]
    b003 = next(f for f in body["findings"] if f["code"] == "B003")
    b001 = next(f for f in body["findings"] if f["code"] == "B001")
    assert b003["cells"] == ["cell.requests.total.natural_person"] and b003["group"] == "table:requests"
    assert b003["place"] == "表三 · 三、本年度办理结果 （七）总计 · 自然人" or b003["place"].endswith("总计 · 自然人")
    assert b001["cells"] == [  # the rows of 一+二 = 三(七)+四, in that column
        f"cell.requests.{r}.natural_person" for r in ("new", "carried_over", "total", "carried_forward")
    ]
    assert b001["severity"] == "error" and b001["text"] == b001["message"] and b001["place"] == "表三 · 自然人"
    assert body["counts"]["error"] >= 2
    en = check(client, total, lang="en")
    b001_en = next(f for f in en["findings"] if f["code"] == "B001")
    assert b001_en["text"] == b001_en["message_en"] and b001_en["place"] == "table 3 · natural_person"

    # one more received: the column (B001) and the row's 总计 (B002, at the row's total cell)
    new = dict(fields)
    new["cell.requests.new.natural_person"] = str(int(fields["cell.requests.new.natural_person"]) + 1)
    body = check(client, new)
    assert at(body, "B001") == [("requests", None, "natural_person")]
    assert at(body, "B002") == [("requests", "new", "total")]
    assert next(f for f in body["findings"] if f["code"] == "B002")["cells"] == ["cell.requests.new.total"]


def test_a_cell_that_is_not_a_number_is_named_and_the_rest_still_checked(client: TestClient) -> None:
    fields = fields_of(example_report())
    fields["cell.appeals.review.upheld"] = "一件"
    fields["year"] = "二〇二三"
    body = check(client, fields)
    errors = {e["field"]: e for e in body["input_errors"]}
    assert set(errors) == {"cell.appeals.review.upheld", "year"}
    cell = errors["cell.appeals.review.upheld"]
    assert cell["text"].startswith("“一件”不是数字") and cell["cells"] == ["cell.appeals.review.upheld"]
    assert cell["place"] == "表四 · 行政复议 · 结果维持" and cell["group"] == "table:appeals"
    assert errors["year"]["place"] == "报告年度" and "year 应为报告年度" in errors["year"]["text"]
    assert body["counts"]["error"] == 2  # the two fields, nothing else
    # the rest is checked as if the field were empty: the cell is blank (F012), its sum unverifiable
    # (F015), the year unknown (F011)
    assert body["tables"]["appeals"]["review"]["upheld"] is None
    assert body["tables"]["requests"]["new"]["natural_person"] == 14
    found = {(f["code"], tuple(f["cells"])) for f in body["findings"]}
    assert ("F012", ("cell.appeals.review.upheld",)) in found
    assert ("F015", ("cell.appeals.review.total",)) in found
    assert ("F011", ("year",)) in found
    en = check(client, fields, lang="en")
    assert next(e for e in en["input_errors"] if e["field"] == "year")["text"].startswith("year must be")


def test_the_year_decides_the_format(client: TestClient) -> None:
    fields = {"agency": "云岭县市场监督管理局", "year": "2020", "cell.requests.other_handling.total": "1"}
    body = check(client, fields)
    assert body["format"] == "2019"
    assert body["tables"]["requests"]["other_handling"]["total"] == 1
    # the layout the form shows wins: a 2021 form is read with the 2021 rows
    body = check(client, {**fields, "format": "2021", "cell.requests.other_other.total": "2"})
    assert body["format"] == "2021" and body["tables"]["requests"]["other_other"]["total"] == 2


def test_check_takes_json_or_a_form_and_refuses_garbage(client: TestClient) -> None:
    form = client.post("/write/check", data={"agency": "云岭县市场监督管理局", "year": "2023"})
    assert form.status_code == 200 and "F001" in codes(form.json())
    bad = client.post("/write/check", content=b"{nope", headers={"Content-Type": "application/json"})
    assert bad.status_code == 400 and bad.json()["ok"] is False
    assert client.post("/write/check", json=[1, 2]).status_code == 400


# --- the ledger --------------------------------------------------------------------------------


def test_a_ledger_read_without_javascript_fills_the_page(client: TestClient, tmp_path: Path) -> None:
    expected = expected_table(tmp_path)
    r = client.post(
        "/write/ledger",
        files={"ledger": ("台账.xlsx", xlsx_bytes(SMALL_2024), "application/octet-stream")},
        data={"year": "2024"},
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    n = expected["new"]["natural_person"]
    assert f'name="cell.requests.new.natural_person" value="{n}"' in html
    assert "L006" in html and "件计入 2024 年度表三" in html


def test_a_ledger_too_large_or_not_a_ledger_is_refused(tmp_path: Path) -> None:
    data = xlsx_bytes(SMALL_2024)
    app = create_app(tmp_path / "c.duckdb", uploads_dir=tmp_path / "uploads", max_upload_bytes=len(data) - 1)
    before = set(Path(tempfile.gettempdir()).glob("gongkai-ledger-*"))
    with TestClient(app, base_url=LOCAL) as c:
        r = ledger_answer(c, data)
        assert r.status_code == 413
        assert r.json()["error"].startswith("文件过大（") and "上限" in r.json()["error"]
        # far over: refused from Content-Length before it is read
        r = ledger_answer(c, data * 40)
        assert r.status_code == 413 and r.json()["ok"] is False
        r = c.post(
            "/write/ledger?lang=en",
            files={"ledger": ("x.xlsx", data, "application/octet-stream")},
            data={"year": "2024"},
            headers={"Accept": "application/json"},
        )
        assert r.status_code == 413 and r.json()["error"].startswith("File too large")
        # not a ledger: named with what to do
        r = ledger_answer(c, "名字,电话\n张三,123\n".encode(), name="x.csv")
        assert r.status_code == 422 and "找不到表头行" in r.json()["error"]
        r = ledger_answer(c, b"\xd0\xcf\x11\xe0" + b"\0" * 100, name="old.xls")
        assert r.status_code == 422 and ".xlsx" in r.json()["error"]
        r = ledger_answer(c, xlsx_bytes(SMALL_2024[:2]), year="")
        assert r.status_code == 400 and "报告年度" in r.json()["error"]
        r = ledger_answer(c, xlsx_bytes(SMALL_2024[:2]), carried_over="很多")
        assert r.status_code == 400 and "上年结转" in r.json()["error"]
        no_file = c.post("/write/ledger", data={"year": "2024"}, files={"other": ("a", b"b")})
        assert no_file.status_code == 400 and "没有收到台账文件" in no_file.text
        # nothing is kept: no temporary folder left, nothing in the corpus
        assert set(Path(tempfile.gettempdir()).glob("gongkai-ledger-*")) == before
        assert c.get("/api/reports").json()["total"] == 0


def test_carried_over_from_last_years_figure(client: TestClient) -> None:
    rows = [r for r in SMALL_2024 if r["received"].startswith("2024")]
    r = ledger_answer(client, xlsx_bytes(rows), carried_over="3")
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["carried_over"]["source"] == "given"
    assert answer["requests"]["carried_over"]["total"] == 3
    assert "L010" in {f["code"] for f in answer["findings"]}


# --- the download ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["docx", "html", "md"])
def test_download_reads_back_as_the_data(client: TestClient, fmt: str) -> None:
    report = example_report()
    fields = fields_of(report)
    r = client.post("/write/download", data={**fields, "fmt": fmt})
    assert r.status_code == 200, r.text[:500]
    name = "云岭县市场监督管理局2023年政府信息公开工作年度报告." + fmt
    assert r.headers["content-disposition"].endswith("''" + quote(name))
    back = parse_bytes(r.content, "x." + fmt)
    for tkey, table in report.tables.items():
        assert back.tables[tkey].to_values() == table.to_values(), tkey
    assert back.meta.agency == "云岭县市场监督管理局" and back.meta.year == 2023
    assert "x-gongkai-errors" not in r.headers


def test_download_refused_with_its_errors_unless_forced(client: TestClient) -> None:
    fields = fields_of(example_report())
    fields["cell.requests.new.natural_person"] = "15"  # 一+二 ≠ 三(七)+四, and the row's total
    r = client.post("/write/download", data={**fields, "fmt": "docx"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "未生成：审核发现" in html and "B001" in html and "B002" in html
    assert 'name="cell.requests.new.natural_person" value="15"' in html  # what was typed is kept
    as_json = client.post("/write/download", data={**fields, "fmt": "docx"}, headers={"Accept": "application/json"})
    assert as_json.status_code == 422
    refused = {f["code"] for f in as_json.json()["refused"]["errors"]}
    assert {"B001", "B002"} <= refused
    forced = client.post("/write/download", data={**fields, "fmt": "docx", "force": "1"})
    assert forced.status_code == 200 and forced.content[:2] == b"PK"
    assert int(forced.headers["x-gongkai-errors"]) >= 2
    back = parse_bytes(forced.content, "x.docx")
    assert back.tables["requests"].value("new", "natural_person") == 15
    en = client.post("/write/download?lang=en", data={**fields, "fmt": "md"})
    assert en.status_code == 422 and "Not written: the check found" in en.text


def test_download_refuses_text_where_a_number_belongs(client: TestClient) -> None:
    fields = fields_of(example_report())
    fields["cell.proactive.fees.amount"] = "四千"
    r = client.post("/write/download", data={**fields, "fmt": "docx", "force": "1"})
    assert r.status_code == 422 and "“四千”不是数字" in r.text
    assert client.post("/write/download", data={**fields, "fmt": "pdf"}).status_code == 400


def test_downloads_share_the_export_slots(client: TestClient) -> None:
    slots = client.app.state.web.export_slots  # type: ignore[attr-defined]
    taken = 0
    while slots.acquire(blocking=False):
        taken += 1
    try:
        r = client.post("/write/download", data={**fields_of(example_report()), "fmt": "md"})
        assert r.status_code == 503 and r.headers["retry-after"] == "5"
    finally:
        for _ in range(taken):
            slots.release()


def test_nothing_is_stored(client: TestClient, tmp_path: Path) -> None:
    ledger_answer(client, xlsx_bytes(SMALL_2024))
    client.post("/write/download", data={**fields_of(example_report()), "fmt": "docx"})
    assert client.get("/api/reports").json()["total"] == 0
    uploads = tmp_path / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())
