"""Reviewing in bulk (issue 12, item 5, web): the problems by rule (/by-rule), one rule's findings
(/rules/CODE/findings), decisions on many findings in one POST — ticked or a filtered set, each
recorded as a decision of its own, refused from another site or when the set changed — and the
problems list showing a rule repeated within a report as one line with its count."""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from gongkai.corpus.ingest import ingest
from gongkai.store.db import Store
from gongkai.views.web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
BASE = "http://127.0.0.1"
ORIGIN = {"Origin": BASE}
SEED_001 = "001_c89b62cb4e001608.txt"  # 新乡市卫滨区医疗保障局 2021: F004 on 18 rows
SEED_003 = "003_4a9178fd99f7f697.txt"  # 临河区医疗保障局 2023: F005 on two rows, F015 on 16 places


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bulk")
    db = folder / "corpus.duckdb"
    with Store(db) as store:
        ingest([EXAMPLES], store, workers=1)
    return db


@pytest.fixture
def client(built: Path, tmp_path: Path) -> Iterator[TestClient]:
    """A client over a fresh copy of the corpus: every test decides on its own findings."""
    db = tmp_path / "corpus.duckdb"
    shutil.copy(built, db)
    with TestClient(create_app(db, uploads_dir=tmp_path / "uploads"), base_url=BASE) as c:
        yield c


def _sql(client: TestClient, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    con = client.app.state.web.db.cursor()  # type: ignore[attr-defined]
    return con.execute(sql, params or []).fetchall()


def _report(client: TestClient, name: str) -> int:
    return int(_sql(client, "SELECT id FROM reports WHERE path LIKE ?", ["%" + name])[0][0])


def _counts(client: TestClient) -> dict[str, int]:
    return dict(_sql(client, "SELECT code, count(*) FROM findings GROUP BY 1"))  # type: ignore[arg-type]


def test_by_rule_counts_titles_and_findings(client: TestClient) -> None:
    data = client.get("/by-rule.json?decision=all").json()
    rules = {r["code"]: r for r in data["rules"]}
    assert {c: r["findings"] for c, r in rules.items()} == _counts(client)
    f004 = rules["F004"]
    assert f004["severity"] == "error" and f004["title_zh"] == "行的数值多于格式的列数"
    assert (f004["findings"], f004["reports"], f004["agencies"], f004["undecided"]) == (18, 1, 1, 18)
    assert len(f004["samples"]) == 10 and {s["code"] for s in f004["samples"]} == {"F004"}
    # worst first, then the most findings
    order = [{"error": 0, "warning": 1, "info": 2}[r["severity"]] for r in data["rules"]]
    assert order == sorted(order)

    html = client.get("/by-rule").text
    assert 'id="rule-F004"' in html and "行的数值多于格式的列数" in html
    assert 'href="/rules/F004/findings"' in html  # every one of them, a page at a time
    assert html.count('action="/findings/decisions"') == len(data["rules"])
    en = client.get("/by-rule?lang=en").text
    assert "Dismiss all" in en and "Problems" in en
    client.cookies.clear()  # the language switch is remembered

    # the same filters as the problems list: a year, a review state
    y2023 = client.get("/by-rule.json?year=2023").json()
    assert "F004" not in {r["code"] for r in y2023["rules"]}  # 卫滨区's report is of 2021
    rows = list(csv.reader(io.StringIO(client.get("/by-rule.csv?table=rules").content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["规则", "级别", "标题", "发现"]
    assert rows[1][:4] == ["F004", "错误", "行的数值多于格式的列数", "18"]


def test_a_rules_findings_page_and_its_downloads(client: TestClient) -> None:
    page = client.get("/rules/F015/findings")
    assert page.status_code == 200
    boxes = re.findall(r'name="f" value="([^"]+)"', page.text)
    assert len(boxes) == _counts(client)["F015"]
    assert all(re.fullmatch(r"\d+:F015\|[^|]*\|[^|]*\|[^|]*\|[^|]*\|\d+", b) for b in boxes)
    assert 'name="expected" value="19"' in page.text and 'name="filter" value="code=F015"' in page.text
    assert client.get("/rules/f015/findings").status_code == 200  # the code in any case
    assert client.get("/rules/F0%3B5/findings").status_code == 404
    data = client.get("/rules/F015/findings.json").json()
    assert data["total"] == 19 and {f["code"] for f in data["findings"]} == {"F015"}
    wb = load_workbook(io.BytesIO(client.get("/rules/F015/findings.xlsx").content))
    ws = wb["审核发现"]
    assert ws.max_row == 20 and ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    assert {c.value for c in ws["G"][1:]} == {"F015"}
    text = client.get("/rules/F015/findings.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:7] == ["机关", "年度", "省", "市", "县（区）", "区划代码", "规则"] and len(rows) == 20
    assert rows[1][-2].startswith(BASE + "/reports/")  # a link is written as its address


def test_bulk_dismissal_of_ticked_findings(client: TestClient) -> None:
    rid = _report(client, SEED_003)
    page = client.get("/rules/F015/findings?q=" + "临河")
    ticked = re.findall(r'name="f" value="([^"]+)"', page.text)[:3]
    r = client.post(
        "/findings/decisions",
        data={
            "decision": "dismissed",
            "reviewer": "李审核",
            "comment": "空白即零，不影响核对",
            "f": ticked,
            "next": "/rules/F015/findings?q=临河",
        },
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert r.status_code == 303
    where = urlsplit(r.headers["location"])
    assert where.path == "/rules/F015/findings" and parse_qs(where.query) == {
        "q": ["临河"],
        "done": ["dismissed"],
        "n": ["3"],
    }
    assert "gongkai_reviewer" in r.headers["set-cookie"]
    notice = client.get(r.headers["location"]).text
    assert "已驳回 3 条发现" in notice
    # three decisions of their own, on the report's history, with the comment
    report = client.get(f"/reports/{rid}.json").json()
    history = [d for d in report["decisions"] if d["comment"] == "空白即零，不影响核对"]
    assert len(history) == 3 and {d["reviewer"] for d in history} == {"李审核"}
    assert len({(d["code"], d["column_key"], d["row_key"], d["line"]) for d in history}) == 3
    dismissed = [f for f in report["findings"] if f["decision"] == "dismissed"]
    assert sorted(f"{rid}:{f['key']}" for f in dismissed) == sorted(ticked)
    html = client.get(f"/reports/{rid}").text
    assert html.count("空白即零，不影响核对") >= 3 + 3  # on each finding and in the review history


def test_bulk_decision_on_a_filtered_set(client: TestClient) -> None:
    rid = _report(client, SEED_001)
    form = {
        "decision": "dismissed",
        "reviewer": "王审核",
        "comment": "表格多出的列是合计列",
        "scope": "filter",
        "filter": "code=F004",
        "next": "/by-rule",
    }
    stale = client.post("/findings/decisions", data={**form, "expected": "17"}, headers=ORIGIN)
    assert stale.status_code == 409 and "18" in stale.text and "17" in stale.text
    assert not _sql(client, "SELECT * FROM decisions")  # nothing decided on a changed set
    r = client.post("/findings/decisions", data={**form, "expected": "18"}, headers=ORIGIN, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/by-rule?done=dismissed&n=18"
    notice = client.get(r.headers["location"]).text.split('id="done"', 1)[1].split("</p>", 1)[0]
    assert "已驳回 18 条发现" in notice and 'href="/by-rule?decision=dismissed"' in notice  # where they went
    rows = _sql(client, "SELECT code, decision, comment, reviewer, decided_at FROM decisions")
    assert len(rows) == 18 and {r[:4] for r in rows} == {("F004", "dismissed", "表格多出的列是合计列", "王审核")}
    assert len({r[4] for r in rows}) == 1  # one act, one time
    assert "F004" not in {r["code"] for r in client.get("/by-rule.json").json()["rules"]}  # open only
    after = {r["code"]: r for r in client.get("/by-rule.json?decision=all").json()["rules"]}
    assert after["F004"]["dismissed"] == 18 and after["F004"]["undecided"] == 0
    report = client.get(f"/reports/{rid}.json").json()
    assert {f["decision"] for f in report["findings"] if f["code"] == "F004"} == {"dismissed"}
    # reopened in bulk: undecided again, the history kept
    back = client.post(
        "/findings/decisions",
        data={**form, "decision": "reopened", "filter": "code=F004&decision=dismissed", "expected": "18"},
        headers={**ORIGIN, "Accept": "application/json"},
    )
    assert back.json() == {"ok": True, "decision": "reopened", "recorded": 18}
    assert len(_sql(client, "SELECT * FROM decisions")) == 36
    assert client.get("/by-rule.json").json()["rules"][0]["code"] == "F004"


def test_bulk_decisions_are_refused_from_elsewhere_and_when_malformed(client: TestClient) -> None:
    form = {"decision": "dismissed", "reviewer": "x", "scope": "filter", "filter": "code=F004", "expected": "18"}
    assert client.post("/findings/decisions", data=form, headers={"Origin": "http://evil.example"}).status_code == 403
    assert (
        client.post("/findings/decisions", data=form, headers={"Referer": "http://evil.example/x"}).status_code == 403
    )
    assert client.post("/findings/decisions", data=form, headers={"Origin": "null"}).status_code == 403
    bad = [
        ({**form, "decision": "deleted"}, 400),
        ({**form, "reviewer": ""}, 400),  # a bulk decision needs a name
        ({**form, "expected": ""}, 400),
        ({**form, "scope": "everything"}, 400),
        ({"decision": "dismissed", "reviewer": "x", "scope": "selected"}, 400),  # nothing ticked
        ({"decision": "dismissed", "reviewer": "x", "f": "12:nonsense"}, 400),
        ({"decision": "dismissed", "reviewer": "x", "f": "abc:F004|||||0"}, 400),
    ]
    for data, status in bad:
        r = client.post("/findings/decisions", data=data, headers=ORIGIN)
        assert r.status_code == status, (data, r.status_code, r.text[:200])
    assert not _sql(client, "SELECT * FROM decisions")
    # a finding that does not exist is not decided; the others are
    rid = _report(client, SEED_001)
    key = _sql(client, 'SELECT code, section, "table", "row", line FROM findings WHERE report = ? AND seq = 1', [rid])
    code, section, table, row, line = key[0]
    real = f"{rid}:{code}|{section}|{table}|{row}||{line}"
    r = client.post(
        "/findings/decisions",
        data={"decision": "confirmed", "reviewer": "x", "f": [real, f"{rid}:F999|||||0", "1:F004|||||0"]},
        headers={**ORIGIN, "Accept": "application/json"},
    )
    assert r.json()["recorded"] == 1
    # never sent off the site
    r = client.post(
        "/findings/decisions",
        data={"decision": "confirmed", "reviewer": "x", "f": real, "next": "https://evil.example/"},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert urlsplit(r.headers["location"]).path == "/by-rule"


def test_the_problems_list_shows_a_repeated_rule_as_one_line(client: TestClient) -> None:
    data = client.get("/index.json").json()
    groups = {g["agency"]: g for g in data["groups"]}
    weibin = groups["新乡市卫滨区医疗保障局"]["findings"]
    f004 = [f for f in weibin if f["code"] == "F004"]
    assert len(f004) == 1 and f004[0]["repeat"] == 18 and len(f004[0]["repeated"]) == 17
    assert [f["code"] for f in weibin].count("T004") == 1
    linhe = groups["临河区医疗保障局"]["findings"]
    assert {f["code"]: f["repeat"] for f in linhe} == {"F005": 2, "F015": 16}
    html = client.get("/").text
    assert "×18" in html and "×16" in html and html.count('<details class="repeat">') >= 3
    assert 'href="/by-rule"' in html  # the switch to the view by rule
    # a filter narrows the repeat's count too
    warnings_only = client.get("/index.json?code=F015&q=" + "临河").json()
    (line,) = warnings_only["groups"][0]["findings"]
    assert line["repeat"] == 16


def test_the_region_selects_on_every_problems_list(client: TestClient) -> None:
    """省 / 市 / 县 are selects in the filter bar of the by-rule view and of one rule's findings too,
    not only hidden in the address: a reviewer narrows a bulk decision to a county from there."""
    for path in ("/by-rule", "/rules/F004/findings"):
        html = client.get(path).text
        for name in ("province", "city", "county"):
            assert f'<select name="{name}" data-autosubmit>' in html, (path, name)
        assert "河南省" in html and "卫滨区" in html
        chosen = client.get(path + "?province=河南省&county=卫滨区").text
        assert '<option value="卫滨区" selected>' in chosen, path
        assert 'name="province" value="河南省"' not in chosen  # a select, not a hidden field
    narrowed = client.get("/by-rule.json?province=湖北省&decision=all").json()
    assert "F004" not in {r["code"] for r in narrowed["rules"]}  # 卫滨区's F004 is in 河南省
    # the bulk form decides what the filters select: the county's F004, no other
    data = client.get("/rules/F004/findings.json?county=卫滨区&decision=all").json()
    assert data["total"] == 18
