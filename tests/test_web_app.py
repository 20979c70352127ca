"""gongkai serve: every page, the JSON API, downloads, review decisions, escaping, uploads, token.

One corpus database is built per module from ``examples/`` plus a small generated multi-year corpus
(``tools/generate_corpus.py``, text only), and served through FastAPI's TestClient.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from gongkai.corpus.ingest import ingest
from gongkai.store.db import Store
from gongkai.views.cli import app as cli_app
from gongkai.views.web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
GENERATOR = ROOT / "tools" / "generate_corpus.py"
SEED_003 = EXAMPLES / "003_4a9178fd99f7f697.txt"  # 临河区医疗保障局 2023, F005 on two rows
SEED_001 = EXAMPLES / "001_c89b62cb4e001608.txt"  # 新乡市卫滨区医疗保障局 2021, F004 on 18 rows
BASE_URL = "http://127.0.0.1"  # the app answers its own addresses only (Host checked against DNS rebinding)


def generate_corpus(out: Path, n: int = 30, seed: int = 5) -> None:
    spec = importlib.util.spec_from_file_location("generate_corpus", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_corpus"] = module
    spec.loader.exec_module(module)
    module.generate(out, n, seed=seed, error_rate=0.3, kind_weights={"text": 1.0})


def build_corpus(folder: Path) -> Path:
    """A corpus database from the examples and a generated multi-year corpus."""
    gen = folder / "generated"
    generate_corpus(gen)
    db = folder / "corpus.duckdb"
    with Store(db) as store:
        ingest([EXAMPLES, gen], store, workers=1)
    return db


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_corpus(tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="module")
def client(corpus: Path) -> Any:
    app = create_app(corpus, uploads_dir=corpus.parent / "uploads")
    with TestClient(app, base_url=BASE_URL) as c:
        yield c


@pytest.fixture(autouse=True)
def _fresh_cookies(request: pytest.FixtureRequest) -> None:
    """Language and reviewer cookies set by one test must not leak into the next."""
    if "client" in request.fixturenames:
        request.getfixturevalue("client").cookies.clear()


def _json(client: TestClient, url: str, status: int = 200) -> Any:
    r = client.get(url)
    assert r.status_code == status, (url, r.status_code, r.text[:500])
    return r.json()


def report_id(client: TestClient, path: Path) -> int:
    from gongkai.store.rows import report_id as rid_of
    from gongkai.store.rows import sha256_of

    return rid_of(sha256_of(path.read_bytes()))


@pytest.fixture(scope="module")
def multi_year(client: TestClient) -> dict[str, Any]:
    """An agency with reports for at least three years."""
    db = client.app.state.web.db  # type: ignore[attr-defined]
    row = db.one(
        "SELECT agency_key, count(*) AS n, any_value(region_code) AS code FROM reports WHERE status = 'ok'"
        ' AND agency_key IS NOT NULL GROUP BY 1 HAVING count(DISTINCT "year") >= 3 ORDER BY n DESC, 1 LIMIT 1'
    )
    assert row is not None
    return row


# --- every page -------------------------------------------------------------------------------


def test_every_page_answers_200(client: TestClient, multi_year: dict[str, Any]) -> None:
    rid = report_id(client, SEED_003)
    key = quote(multi_year["agency_key"], safe="")
    pages = [
        "/",
        "/?lang=en",
        "/upload",
        f"/reports/{rid}",
        f"/agencies/{key}",
        "/regions",
        "/regions/all",
        f"/regions/{multi_year['code']}",
        f"/regions/{quote('湖北省')}",
        "/regions/42",
        "/rules",
        "/api/docs",
        "/api/openapi.json",
        "/static/app.css",
        "/static/app.js",
        "/static/echarts/echarts.min.js",
        "/static/swagger-ui/swagger-ui-bundle.js",
        f"/reports/{rid}/source.txt",
    ]
    for url in pages:
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code, r.text[:300])


def test_index_groups_findings_by_agency(client: TestClient) -> None:
    html = client.get("/").text
    assert "<title>问题 · gongkai 公开</title>" in html
    assert "新乡市卫滨区医疗保障局" in html
    assert "表三「4.保护第三方合法权益」有 11 个数值，格式只有 7 列。" in html
    data = _json(client, "/index.json")
    assert data["ok"] is True
    groups = {g["agency"]: g for g in data["groups"]}
    wb = groups["新乡市卫滨区医疗保障局"]
    assert wb["errors"] == 18 and wb["reports"] == 1
    # worst first
    errors = [g["errors"] for g in data["groups"]]
    assert errors == sorted(errors, reverse=True)
    # every shown finding links to its place in the report view
    rid = report_id(client, SEED_001)
    assert f'href="/reports/{rid}#r-requests-withheld_third_party"' in html


def test_index_filters(client: TestClient) -> None:
    only_henan = _json(client, "/index.json?province=" + quote("河南省"))
    assert {g["province"] for g in only_henan["groups"]} == {"河南省"}
    warnings = _json(client, "/index.json?severity=warning")
    assert all(f["severity"] == "warning" for g in warnings["groups"] for f in g["findings"])
    f004 = _json(client, "/index.json?code=F004")
    assert f004["groups"] and all(f["code"] == "F004" for g in f004["groups"] for f in g["findings"])
    family = _json(client, "/index.json?code=F")
    assert {f["code"][0] for g in family["groups"] for f in g["findings"]} == {"F"}
    y2023 = _json(client, "/index.json?year=2023")
    assert {f["year"] for g in y2023["groups"] for f in g["findings"]} == {2023}
    search = _json(client, "/index.json?q=" + quote("卫滨"))
    assert [g["agency"] for g in search["groups"]] == ["新乡市卫滨区医疗保障局"]
    region = _json(client, "/index.json?region=410703")
    assert [g["agency"] for g in region["groups"]] == ["新乡市卫滨区医疗保障局"]
    html = client.get("/?province=" + quote("湖北省")).text
    assert "黄石市" in html  # the city select appears once a province is chosen
    assert "西塞山区医疗保障局" in html and "新乡市卫滨区医疗保障局" not in html


def test_report_view_national_layout(client: TestClient) -> None:
    rid = report_id(client, SEED_003)
    html = client.get(f"/reports/{rid}").text
    # the six sections, in order
    positions = [
        html.index(f'id="s-{k}"') for k in ("overview", "proactive", "requests", "appeals", "problems", "other")
    ]
    assert positions == sorted(positions)
    # table 三 laid out like the national format: merged head cells and the outcome block
    assert re.search(r'<th rowspan="3" colspan="3" class="role-head">（本列数据的勾稽关系为', html)
    assert re.search(r'<th colspan="7" class="role-head">申请人情况</th>', html)
    assert re.search(r'<th rowspan="\d+" class="role-block">三、本年度办理结果</th>', html)
    assert re.search(r'<th rowspan="8" class="role-group">（三）不予公开</th>', html)
    # table 四's two-level head
    assert re.search(r'<th colspan="10" class="role-head">行政诉讼</th>', html)
    # a row with a finding is lit, with the rule on hover
    m = re.search(
        r'<th id="r-requests-withheld_internal" class="role-label lit sev-error" title="([^"]*)" data-line="40">', html
    )
    assert m, "the row with F005 is lit"
    assert "F005" in m.group(1) and "只有 6 个数值" in m.group(1)
    # a cell with a finding carries its figures on hover
    m = re.search(r'<td id="c-requests-total-total" class="num lit sev-info" title="([^"]*)" data-line="\d+">', html)
    assert m and "F015" in m.group(1) and "数值：" in m.group(1)
    # the source beside it, the finding's line lit, cells linking to their lines
    assert re.search(r'<div id="L40" class="ln-row lit sev-error"', html)
    assert 'href="#L40"' in html
    assert re.search(
        r'<td id="c-requests-new-natural_person" class="num" data-line="(\d+)"><a href="#L\1">0</a></td>', html
    )


def test_report_json_twin_matches_api(client: TestClient) -> None:
    rid = report_id(client, SEED_003)
    twin = _json(client, f"/reports/{rid}.json")
    api = _json(client, f"/api/reports/{rid}")
    assert twin == api
    assert twin["report"]["agency"] == "临河区医疗保障局"
    assert twin["values"]["requests"]["new"]["total"]["value"] == 0
    assert {f["code"] for f in twin["findings"]} >= {"F005", "F015"}
    assert twin["source"]["status"] == "ok" and twin["source"]["lines"] > 50


def test_agency_page_year_over_year(client: TestClient, multi_year: dict[str, Any]) -> None:
    key = quote(multi_year["agency_key"], safe="")
    data = _json(client, f"/agencies/{key}.json")
    years = [r["year"] for r in data["reports"]]
    assert years == sorted(years) and len(set(years)) >= 3
    html = client.get(f"/agencies/{key}").text
    for y in set(years):
        assert f">{y}</a></th>" in html
    assert 'class="up"' in html or 'class="down"' in html  # changes marked
    assert '<script type="application/json" data-chart="chart-requests">' in html
    assert "/static/echarts/echarts.min.js" in html
    option = json.loads(re.search(r'data-chart="chart-outcomes">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    assert option["xAxis"]["data"] == [str(y) for y in years]
    assert {s["name"] for s in option["series"]} >= {"予以公开", "部分公开"}
    assert _json(client, f"/api/agencies/{key}") == data
    # table 三 by column
    one = client.get(f"/agencies/{key}?column=natural_person").text
    assert '<option value="natural_person" selected>' in one


def test_agency_unknown_is_404(client: TestClient) -> None:
    r = client.get("/agencies/" + quote("999999:没有这个机关", safe="") + ".json")
    assert r.status_code == 404
    assert r.json() == {"ok": False, "error": "没有这个机关的报告。", "status": 404}


def test_region_page(client: TestClient, multi_year: dict[str, Any]) -> None:
    data = _json(client, "/regions/all.json?year=2021")
    assert data["year"] == 2021 and data["agencies"] >= 3
    assert data["rankings"]["new"], "requests received ranked"
    values = [r["value"] for r in data["rankings"]["new"]]
    assert values == sorted(values, reverse=True)
    assert data["not_published"]["source"] == "previous_year"
    sums = data["tables"]["sums"]["rows"]
    assert any(r["table_key"] == "requests" and r["row_key"] == "new" and r["column_key"] == "total" for r in sums)
    html = client.get("/regions/all?year=2021").text
    assert "汇总表" in html and "三、本年度办理结果" in html
    assert 'data-chart="chart-rank-new"' in html
    hubei = _json(client, "/regions/" + quote("湖北省") + ".json?year=2023")
    assert hubei["region"]["code"] == "420000"
    assert [r["agency"] for r in hubei["reports"]] == ["西塞山区医疗保障局"]
    assert _json(client, "/api/regions/420000?year=2023") == hubei
    missing = client.get("/regions/" + quote("没有这个地方") + ".json")
    assert missing.status_code == 404 and missing.json()["ok"] is False


def test_region_roster_upload_lists_who_has_not_published(client: TestClient, corpus: Path) -> None:
    roster = "机关名称,区划代码\n西塞山区医疗保障局,420203\n黄石港区医疗保障局,420202\n".encode()
    r = client.post(
        "/regions/420000/roster?year=2023",
        files={"roster": ("roster.csv", roster, "text/csv")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    data = _json(client, "/regions/420000.json?year=2023")
    nb = data["not_published"]
    assert nb["source"] == "roster" and nb["expected"] == 2
    assert [a["name"] for a in nb["agencies"]] == ["黄石港区医疗保障局"]
    (corpus.parent / "uploads" / "roster.csv").unlink()


# --- API, downloads, errors -------------------------------------------------------------------


def test_api_findings_and_reports(client: TestClient) -> None:
    page = _json(client, "/api/findings?limit=5")
    assert page["ok"] and len(page["findings"]) == 5 and page["total"] > 5
    nxt = _json(client, "/api/findings?limit=5&offset=5")
    assert {(f["report"], f["seq"]) for f in page["findings"]}.isdisjoint(
        {(f["report"], f["seq"]) for f in nxt["findings"]}
    )
    errors = _json(client, "/api/findings?severity=error&limit=1000")
    assert errors["findings"] and {f["severity"] for f in errors["findings"]} == {"error"}
    f = errors["findings"][0]
    for k in (
        "code",
        "severity",
        "message",
        "message_en",
        "section",
        "table",
        "row",
        "column",
        "line",
        "figures",
        "key",
        "decision",
    ):
        assert k in f
    reports = _json(client, "/api/reports?province=" + quote("湖北省"))
    assert {r["agency"] for r in reports["reports"]} >= {"西塞山区医疗保障局"}
    assert all(r["url"] == f"/reports/{r['id']}" for r in reports["reports"])
    rules = _json(client, "/api/rules")
    assert {"B001", "F004", "Y001"} <= {r["code"] for r in rules["rules"]}
    spec = _json(client, "/api/openapi.json")
    assert {"/api/findings", "/api/reports", "/api/reports/{report_id}", "/api/decisions", "/api/upload"} <= set(
        spec["paths"]
    )
    assert "/static/swagger-ui/swagger-ui-bundle.js" in client.get("/api/docs").text


def test_error_shape(client: TestClient) -> None:
    for url in ("/api/reports/1", "/reports/1.json", "/api/nothing", "/nothing.json"):
        r = client.get(url)
        assert r.status_code == 404, url
        body = r.json()
        assert set(body) == {"ok", "error", "status"} and body["ok"] is False and body["status"] == 404
    bad = client.get("/api/findings?limit=0")
    assert bad.status_code == 400 and bad.json()["ok"] is False and "limit" in bad.json()["error"]
    wrong_table = client.get("/index.csv?table=nope")
    assert wrong_table.status_code == 404 and wrong_table.json()["status"] == 404
    html = client.get("/reports/1")
    assert html.status_code == 404 and "text/html" in html.headers["content-type"] and "找不到这个页面" in html.text
    en = client.get("/reports/1.json?lang=en").json()
    assert en["error"] == "Page not found."


def test_csv_and_xlsx_downloads(client: TestClient) -> None:
    rid = report_id(client, SEED_003)
    r = client.get(f"/reports/{rid}.csv?table=requests")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    text = r.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["行键", "行", "自然人", "商业企业"]
    assert rows[1][0] == "new"
    x = client.get(f"/reports/{rid}.xlsx")
    wb = load_workbook(io.BytesIO(x.content))
    # gongkai export's sheets for this report (tests/test_xlsx.py compares them cell by cell)
    assert wb.sheetnames == ["报告", "表二 主动公开（2021格式）", "表三 申请办理", "表四 复议诉讼", "审核发现"]
    assert wb["审核发现"]["A1"].value == "机关" and wb["审核发现"]["G1"].value == "规则"
    findings = client.get("/index.csv?table=findings")
    frows = list(csv.reader(io.StringIO(findings.content.decode("utf-8-sig"))))
    assert frows[0][:3] == ["机关", "年度", "省"] and len(frows) > 20
    en = client.get("/index.csv?table=findings&lang=en").content.decode("utf-8-sig")
    assert en.startswith("Agency,Year,Province")
    region = client.get("/regions/all.xlsx?year=2021")
    assert set(load_workbook(io.BytesIO(region.content)).sheetnames) >= {"排名", "汇总表", "未发布", "历年汇总"}
    assert client.get("/rules.csv?table=rules").status_code == 200
    multi = client.get(f"/reports/{rid}.csv")
    assert multi.status_code == 400 and multi.json()["ok"] is False


# --- review decisions ------------------------------------------------------------------------


def _finding(client: TestClient, rid: int, code: str, row: str | None = None) -> dict[str, Any]:
    data = _json(client, f"/reports/{rid}.json")
    for f in data["findings"]:
        if f["code"] == code and (row is None or f["row"] == row):
            return f  # type: ignore[no-any-return]
    raise AssertionError(f"no {code} in {rid}")


def test_decisions_survive_reingest_and_recheck(client: TestClient, corpus: Path) -> None:
    rid = report_id(client, SEED_003)
    f = _finding(client, rid, "F005", "withheld_internal")
    r = client.post(
        f"/reports/{rid}/decisions",
        data={
            "key": f["key"],
            "decision": "dismissed",
            "comment": "原表合并单元格",
            "reviewer": "王审核",
            "anchor": f["anchor"],
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"/reports/{rid}#{f['anchor']}"
    assert "gongkai_reviewer" in r.headers["set-cookie"]
    f = _finding(client, rid, "F005", "withheld_internal")
    assert f["decision"] == "dismissed" and f["decision_reviewer"] == "王审核"
    assert f["decision_comment"] == "原表合并单元格" and f["decided_at"]
    html = client.get(f"/reports/{rid}").text
    assert "王审核" in html and "原表合并单元格" in html and "审核记录" in html
    # dismissed findings leave the problem list (by default) but stay findable
    listed = _json(client, "/api/findings?q=" + quote("临河区") + "&code=F005")
    assert [x["row"] for x in listed["findings"]] == ["carried_forward"]
    dismissed = _json(client, "/api/findings?q=" + quote("临河区") + "&decision=dismissed")
    assert [x["row"] for x in dismissed["findings"]] == ["withheld_internal"]
    # confirm another one through the JSON API
    g = _finding(client, rid, "F005", "carried_forward")
    api = client.post(
        "/api/decisions", json={"report": rid, "key": g["key"], "decision": "confirmed", "reviewer": "李四"}
    )
    assert api.status_code == 200 and api.json()["decision"]["decision"] == "confirmed"

    # re-ingest: the stored report is parsed and checked again (new rows, same bytes)
    app_store = client.app.state.web.db.store  # type: ignore[attr-defined]
    with client.app.state.web.db.writing():  # type: ignore[attr-defined]
        app_store.con.execute("UPDATE reports SET parser_version = 'old' WHERE id = ?", [rid])
        result = ingest([SEED_003], app_store, workers=1)
    assert result.parsed == 1
    assert _finding(client, rid, "F005", "withheld_internal")["decision"] == "dismissed"
    assert _finding(client, rid, "F005", "carried_forward")["decision_reviewer"] == "李四"
    # re-check: the year-over-year rules run again for every agency
    from gongkai.corpus.year import run_year_rules

    keys = [r[0] for r in app_store.query("SELECT DISTINCT agency_key FROM reports WHERE agency_key IS NOT NULL")]
    with client.app.state.web.db.writing():  # type: ignore[attr-defined]
        run_year_rules(app_store, agency_keys=keys)
    assert _finding(client, rid, "F005", "withheld_internal")["decision"] == "dismissed"
    # reopen
    client.post(f"/reports/{rid}/decisions", data={"key": f["key"], "decision": "reopened", "reviewer": "王审核"})
    assert _finding(client, rid, "F005", "withheld_internal")["decision"] is None
    history = _json(client, f"/api/decisions?report={rid}")["decisions"]
    assert [d["decision"] for d in history][:3] == ["reopened", "confirmed", "dismissed"]


def test_decision_errors(client: TestClient) -> None:
    rid = report_id(client, SEED_003)
    bad = client.post("/api/decisions", json={"report": rid, "key": "X999|||||0", "decision": "dismissed"})
    assert bad.status_code == 404 and bad.json()["ok"] is False
    worse = client.post("/api/decisions", json={"report": rid, "key": "nonsense", "decision": "dismissed"})
    assert worse.status_code == 400
    f = _finding(client, rid, "F015")
    wrong = client.post("/api/decisions", json={"report": rid, "key": f["key"], "decision": "maybe"})
    assert wrong.status_code == 400


def test_reviewer_cookie(client: TestClient) -> None:
    r = client.post("/reviewer", data={"reviewer": "张三", "next": "https://evil.example/"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert client.get("/upload").text.count('value="张三"') >= 1
    client.cookies.clear()


# --- security --------------------------------------------------------------------------------


def _hostile_report() -> bytes:
    text = SEED_003.read_text(encoding="utf-8")
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if "总体情况" in line)
    lines.insert(at + 1, '本年度工作<script>alert("xss")</script>顺利，<img src=x onerror=alert(1)>完成。')
    return "\n".join(lines).encode("utf-8")


def test_report_text_is_escaped(client: TestClient) -> None:
    r = client.post(
        "/api/upload", data={"store": "1"}, files={"files": ("hostile.txt", _hostile_report(), "text/plain")}
    )
    assert r.status_code == 200, r.text
    result = r.json()["results"][0]
    assert result["status"] == "ok"
    html = client.get(result["url"]).text
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in html  # shown as text, in section and source
    assert html.count("&lt;script&gt;alert") >= 2
    assert client.get(result["url"]).headers["x-content-type-options"] == "nosniff"


def test_upload_shows_findings_and_joins_the_corpus(client: TestClient, corpus: Path) -> None:
    text = SEED_001.read_text(encoding="utf-8").replace("2021年", "2020年", 3)
    data = text.encode("gb18030")
    html = client.post(
        "/upload",
        data={"store": "1"},  # checked and stored at once (a check alone stores nothing: test_web_drafts.py)
        files=[
            ("files", ("卫滨区.txt", data, "text/plain")),
            ("files", ("same.txt", SEED_003.read_bytes(), "text/plain")),
        ],
    )
    assert html.status_code == 200
    assert "卫滨区.txt" in html.text and "（已在数据库中）" in html.text
    assert "表三「4.保护第三方合法权益」有 11 个数值" in html.text
    rid = int(re.search(r'href="/reports/(\d+)#', html.text).group(1))  # type: ignore[union-attr]
    report = _json(client, f"/reports/{rid}.json")
    assert report["report"]["path"] == "卫滨区.txt"  # the file's name, not where the server keeps it
    assert report["source"]["status"] == "ok"
    # a file named .pdf whose content is text is read as text
    r = client.post("/api/upload", files={"files": ("report.pdf", SEED_001.read_bytes(), "application/pdf")})
    assert r.status_code == 200 and r.json()["results"][0]["kind"] == "text"


def test_upload_type_check_by_content(client: TestClient) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    r = client.post("/api/upload", files={"files": ("report.txt", png, "text/plain")})
    assert r.status_code == 415
    body = r.json()
    assert body["ok"] is False and body["status"] == 415 and body["results"][0]["error_code"] == "unsupported_type"
    zipped = client.post("/api/upload", files={"files": ("a.docx", b"PK\x03\x04" + b"\x00" * 100, "application/zip")})
    assert zipped.status_code == 415
    not_report = client.post(
        "/api/upload", files={"files": ("note.txt", "会议通知\n明天开会。\n".encode(), "text/plain")}
    )
    assert not_report.status_code == 422 and not_report.json()["results"][0]["status"] == "failed"
    assert not_report.json()["results"][0]["error_code"] == "not_a_report"
    count = client.app.state.web.db.scalar("SELECT count(*) FROM reports WHERE path LIKE '%note.txt'")  # type: ignore[attr-defined]
    assert count == 0  # not stored
    none = client.post("/api/upload", data={"x": "1"}, files={"other": ("a.txt", b"x", "text/plain")})
    assert none.status_code == 400 and none.json()["ok"] is False
    raw = client.post("/api/upload", content=b"hello", headers={"content-type": "text/plain"})
    assert raw.status_code == 415


def test_upload_size_limit(corpus: Path, tmp_path: Path) -> None:
    app = create_app(corpus, max_upload_bytes=4096, uploads_dir=tmp_path)
    with TestClient(app, base_url=BASE_URL) as small:
        big = SEED_001.read_bytes()
        assert len(big) > 4096
        r = small.post("/api/upload", files={"files": ("big.txt", big, "text/plain")})
        assert r.status_code == 413 and r.json()["results"][0]["error_code"] == "too_large"
        huge = small.post("/api/upload", files={"files": ("huge.txt", b"x" * (4096 * 80), "text/plain")})
        assert huge.status_code == 413 and huge.json() == {"ok": False, "error": "上传内容过大。", "status": 413}
        page = small.post("/upload", files={"files": ("big.txt", big, "text/plain")})
        assert page.status_code == 413 and "文件过大" in page.text


def test_token_required_when_set(corpus: Path, tmp_path: Path) -> None:
    app = create_app(corpus, token="s3cret-token-0123456789", uploads_dir=tmp_path)
    with TestClient(app, base_url=BASE_URL) as c:
        r = c.get("/index.json")
        assert r.status_code == 401 and r.json()["status"] == 401
        assert c.get("/").status_code == 401
        assert c.get("/index.json", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/index.json", headers={"Authorization": "Bearer s3cret-token-0123456789"}).status_code == 200
        assert c.get("/index.json", headers={"X-Gongkai-Token": "s3cret-token-0123456789"}).status_code == 200
        assert c.get("/static/app.css").status_code == 200
        r = c.get("/regions?token=s3cret-token-0123456789&year=2021", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/regions?year=2021"
        cookie = r.headers["set-cookie"]
        assert "gongkai_token=s3cret-token-0123456789" in cookie and "HttpOnly" in cookie
        assert c.get("/regions?year=2021").status_code == 200  # the cookie now carries it
        assert c.get("/?token=nope").status_code == 200  # a wrong ?token= does not undo the cookie
        c.cookies.clear()
        assert c.get("/?token=nope").status_code == 401


def test_foreign_origin_cannot_write(client: TestClient) -> None:
    rid = report_id(client, SEED_003)
    r = client.post(
        "/api/decisions",
        json={"report": rid, "key": "x", "decision": "dismissed"},
        headers={"Origin": "https://evil.example"},
    )
    assert r.status_code == 403 and r.json()["status"] == 403
    ok = client.post(
        "/api/decisions",
        json={"report": rid, "key": "x|||||0", "decision": "dismissed"},
        headers={"Origin": BASE_URL},
    )
    assert ok.status_code == 404  # passed the origin check, then: no such finding


def test_english(client: TestClient) -> None:
    r = client.get("/?lang=en")
    assert "<title>Problems · gongkai 公开</title>" in r.text and "lang=en" in r.headers["set-cookie"]
    assert "has 11 values; the format has 7 columns." in r.text
    assert ">Upload</a>" in client.get("/upload").text  # remembered in the cookie
    client.cookies.clear()


# --- gongkai serve ---------------------------------------------------------------------------


def test_serve_get(corpus: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(corpus.read_bytes())
    runner = CliRunner()
    r = runner.invoke(cli_app, ["serve", "--db", str(copy), "--get", "/index.json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["ok"] is True
    r = runner.invoke(cli_app, ["serve", "--db", str(copy), "--get", "/rules"])
    assert r.exit_code == 0 and "审核规则" in r.stdout
    r = runner.invoke(cli_app, ["serve", "--db", str(copy), "--get", "/api/reports/1"])
    assert r.exit_code == 1 and json.loads(r.stdout)["status"] == 404
    r = runner.invoke(cli_app, ["--lang", "en", "serve", "--db", str(copy), "--get", "/api/reports/1"])
    assert json.loads(r.stdout)["error"] == "Page not found."
    r = runner.invoke(cli_app, ["serve", "--db", str(tmp_path / "none.duckdb"), "--get", "/"])
    assert r.exit_code == 2


def test_serve_refuses_open_address_without_token() -> None:
    r = CliRunner().invoke(cli_app, ["serve", "--host", "0.0.0.0", "--db", "x.duckdb"])
    assert r.exit_code == 2 and "--token" in r.output
