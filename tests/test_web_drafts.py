"""A draft must not pollute the corpus (issue 12, item 2).

An upload is checked without being stored and ends in one verdict line; storing is an explicit
action (the button after the check, or store=1); a newer version of an agency's report for a year
supersedes the older one — kept as history, left out of every page, sum and export — and the
review decisions on the older one carry over to the same findings. ``gongkai ingest`` applies the
same rule to a re-issued report: newer by the published date, then by when it was stored.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import textgen
from gongkai.corpus.ingest import ingest
from gongkai.store.aggregate import sum_region
from gongkai.store.db import Store, Version, carried_decisions, supersession
from gongkai.store.regions import RegionFilter
from gongkai.store.schema import DECISIONS_LATEST, SCHEMA_VERSION
from gongkai.views.cli import app as cli
from gongkai.views.web.app import create_app

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
LOCAL = "http://127.0.0.1"
AGENCY = "卫滨区民政局"
YEAR = 2024


def versions(agency: str = AGENCY, year: int = YEAR, *, published: tuple[str, str] | None = None) -> tuple[str, str]:
    """(draft, corrected): the same report of *agency* for *year*; the draft has two errors in
    table 三 (B002, B003), the corrected one none; both share a warning (B007) at the same place.
    With *published*, each starts with a crawler's header giving its published date."""
    values = textgen.balanced_values("2021", random.Random(7))
    corrected = textgen.render(values, "2021", agency=agency, year=year, signed=f"{year + 1}年1月15日")
    wrong = copy.deepcopy(values)
    column = next(iter(wrong["requests"]["granted"]))
    wrong["requests"]["granted"][column] = (wrong["requests"]["granted"][column] or 0) + 5
    draft = textgen.render(wrong, "2021", agency=agency, year=year, signed=f"{year + 1}年1月15日")
    if published:
        title = f"标题: {agency}{year}年政府信息公开工作年度报告\n"
        draft = f"{title}发布时间: {published[0]} 10:00\n==== 正文 ====\n{draft}"
        corrected = f"{title}发布时间: {published[1]} 10:00\n==== 正文 ====\n{corrected}"
    return draft, corrected


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    db = tmp_path / "corpus.duckdb"
    with Store(db) as store:
        ingest([EXAMPLES], store, workers=1)
    return db


@pytest.fixture()
def client(corpus: Path, tmp_path: Path) -> Any:
    with TestClient(create_app(corpus, uploads_dir=tmp_path / "uploads"), base_url=LOCAL) as c:
        yield c


def _corpus_state(client: TestClient) -> tuple[Any, ...]:
    db = client.app.state.web.db  # type: ignore[attr-defined]
    return (
        db.scalar("SELECT count(*) FROM reports"),
        db.scalar("SELECT count(*) FROM findings"),
        db.scalar('SELECT count(*) FROM "values"'),
        db.scalar("SELECT count(*) FROM decisions"),
    )


def _upload(client: TestClient, name: str, text: str, **data: str) -> dict[str, Any]:
    r = client.post("/api/upload", data=data, files={"files": (name, text.encode("utf-8"), "text/plain")})
    assert r.status_code == 200, r.text
    result: dict[str, Any] = r.json()["results"][0]
    return result


def _verdicts(html: str) -> list[str]:
    return re.findall(r'<p class="verdict[^"]*"><b>([^<]*)</b></p>', html)


def test_a_draft_is_checked_and_nothing_is_stored(client: TestClient, tmp_path: Path) -> None:
    draft, corrected = versions()
    before = _corpus_state(client)
    result = _upload(client, "草稿.txt", draft)
    assert result["status"] == "checked" and result["stored"] is False
    assert (result["verdict"], result["errors"], result["publishable"]) == ("需修改：2 个错误", 2, False)
    assert {f["code"] for f in result["findings"]} >= {"B002", "B003", "B007"}
    assert result["url"] is None and result["supersedes_current"] is None
    assert _corpus_state(client) == before  # the corpus unchanged
    found = client.get("/api/findings?q=" + quote(AGENCY)).json()
    assert found["total"] == 0  # not in the problem list
    assert not list((tmp_path / "uploads").glob("*/草稿.txt"))  # kept aside, not beside the database
    # the page: the findings, no link to a report page that does not exist, one verdict line
    html = client.post("/upload", files={"files": ("草稿.txt", draft.encode("utf-8"), "text/plain")}).text
    assert _verdicts(html) == ["审核结论：需修改：2 个错误"]
    assert "（仅审核，未保存）" in html and 'action="/upload/store"' in html
    assert 'class="c-dec"' not in html  # a draft is not under review: no 待审 badge on its findings
    assert 'href="/reports/' not in html.split("<h2>")[1]
    ok = client.post("/upload?lang=en", files={"files": ("正式.txt", corrected.encode("utf-8"), "text/plain")})
    assert _verdicts(ok.text) == ["Verdict: Ready to publish"]
    assert _corpus_state(client) == before


def test_storing_is_explicit_and_a_newer_version_supersedes(client: TestClient, corpus: Path) -> None:
    draft, corrected = versions()
    checked = _upload(client, "草稿.txt", draft)
    # 1. the button after the check stores the draft (the rows read at the check, not read again)
    page = client.post("/upload/store", data={"sha256": checked["sha256"]})
    assert page.status_code == 200 and "（已保存到数据库）" in page.text
    assert _verdicts(page.text) == ["审核结论：需修改：2 个错误"]
    draft_id = checked["report"]
    draft_page = client.get(f"/reports/{draft_id}.json").json()
    assert draft_page["report"]["status"] == "ok" and draft_page["report"]["path"] == "草稿.txt"
    again = client.post("/api/upload/store", json={"sha256": [checked["sha256"]]}).json()["results"][0]
    assert again["status"] == "known"
    # a reviewer decides the warning both versions share, and one of the draft's errors
    b007 = next(f for f in draft_page["findings"] if f["code"] == "B007")
    b002 = next(f for f in draft_page["findings"] if f["code"] == "B002")
    for f, decision in ((b007, "dismissed"), (b002, "confirmed")):
        r = client.post(
            "/api/decisions",
            json={"report": draft_id, "key": f["key"], "decision": decision, "reviewer": "王审核", "comment": "原表"},
        )
        assert r.status_code == 200
    # 2. the corrected version, checked: it names the version it would supersede
    check = _upload(client, "正式.txt", corrected)
    assert check["status"] == "checked" and check["verdict"] == "可以发布"
    assert check["supersedes_current"]["report"] == draft_id
    # 3. …and stored at once (the form's checkbox)
    stored = _upload(client, "正式.txt", corrected, store="1")
    assert stored["status"] == "ok" and stored["verdict"] == "可以发布"
    assert [s["report"] for s in stored["superseded"]] == [draft_id]
    assert stored["decisions_carried"] == 1  # B007 (the same rule at the same place); B002 is gone
    new_id = stored["report"]

    # the agency shows one 2024, the corrected one
    key = draft_page["report"]["agency_key"]
    agency = client.get(f"/agencies/{quote(key, safe='')}.json").json()
    assert [(r["id"], r["year"]) for r in agency["reports"]] == [(new_id, YEAR)]
    html = client.get(f"/agencies/{quote(key, safe='')}").text
    assert "2024 (2)" not in html
    # the draft's errors have left the problem list; the carried decision holds on the new version
    listed = client.get("/api/findings?q=" + quote(AGENCY) + "&decision=all").json()["findings"]
    assert {f["report"] for f in listed} == {new_id}
    assert not {"B002", "B003"} & {f["code"] for f in listed}
    new_b007 = next(f for f in client.get(f"/reports/{new_id}.json").json()["findings"] if f["code"] == "B007")
    assert (new_b007["decision"], new_b007["decision_comment"], new_b007["decision_reviewer"]) == (
        "dismissed",
        "原表",
        "王审核",
    )
    # the draft's page says it was superseded and links to the newer one; history kept
    old = client.get(f"/reports/{draft_id}")
    assert old.status_code == 200 and "此版本已被取代" in old.text and f'href="/reports/{new_id}"' in old.text
    old_json = client.get(f"/reports/{draft_id}.json").json()
    assert old_json["report"]["status"] == "superseded" and old_json["report"]["superseded_by"] == new_id
    assert [(v["version"], v["status"]) for v in old_json["versions"]] == [(1, "superseded"), (2, "ok")]
    assert "此版本已被取代" not in client.get(f"/reports/{new_id}").text
    # every sum counts the current version only: v_agency_year, gongkai sum, the region page
    db = client.app.state.web.db  # type: ignore[attr-defined]
    assert db.tuples("SELECT report FROM v_agency_year WHERE agency_key = ? AND year = ?", [key, YEAR]) == [(new_id,)]
    region = client.get(f"/regions/{draft_page['report']['region_code']}.json?year={YEAR}")
    assert region.status_code == 200 and str(new_id) in region.text and str(draft_id) not in region.text
    summed = sum_region(db.store, RegionFilter("全国", ""), YEAR)
    assert [r for f in summed.formats.values() for r in f.reports] == [new_id]


def test_decisions_on_year_findings_carry_to_the_newer_version(client: TestClient) -> None:
    """A year-over-year finding (Y001…) exists for a newer version only once the year rules have
    run over its agency; the decision on the older version's carries to it all the same."""
    previous = textgen.render(
        textgen.balanced_values("2021", random.Random(11)),
        "2021",
        agency=AGENCY,
        year=YEAR - 1,
        signed=f"{YEAR}年1月15日",
    )
    assert _upload(client, "上年.txt", previous, store="1")["status"] == "ok"
    draft, corrected = versions()
    draft_id = _upload(client, "草稿.txt", draft, store="1")["report"]
    year_findings = [f for f in client.get(f"/reports/{draft_id}.json").json()["findings"] if f["code"][0] == "Y"]
    assert year_findings, "the two years disagree: a Y finding to decide"
    y = year_findings[0]
    r = client.post(
        "/api/decisions",
        json={
            "report": draft_id,
            "key": y["key"],
            "decision": "dismissed",
            "reviewer": "王审核",
            "comment": "上年有误",
        },
    )
    assert r.status_code == 200
    stored = _upload(client, "正式.txt", corrected, store="1")
    assert [s["report"] for s in stored["superseded"]] == [draft_id]
    assert stored["decisions_carried"] >= 1  # B007 and the Y finding
    new = client.get(f"/reports/{stored['report']}.json").json()["findings"]
    same = [f for f in new if f["code"] == y["code"] and f["key"] == y["key"]]
    assert [(f["decision"], f["decision_comment"], f["decision_reviewer"]) for f in same] == [
        ("dismissed", "上年有误", "王审核")
    ]
    db = client.app.state.web.db  # type: ignore[attr-defined]
    new_sha = db.scalar("SELECT sha256 FROM reports WHERE id = ?", [stored["report"]])
    old_sha = db.scalar("SELECT sha256 FROM reports WHERE id = ?", [draft_id])
    assert (
        db.scalar("SELECT carried_from FROM decisions_latest WHERE sha256 = ? AND code = ?", [new_sha, y["code"]])
        == old_sha
    )
    # the year rules run again over the agency (another upload, a re-check): carried once, not twice
    _upload(client, "上年.txt", previous, store="1")
    assert db.scalar("SELECT count(*) FROM decisions WHERE sha256 = ? AND code = ?", [new_sha, y["code"]]) == 1


def test_export_leaves_superseded_versions_out(client: TestClient, corpus: Path, tmp_path: Path) -> None:
    draft, corrected = versions()
    draft_id = _upload(client, "草稿.txt", draft, store="1")["report"]
    new_id = _upload(client, "正式.txt", corrected, store="1")["report"]
    client.app.state.web.db.close()  # type: ignore[attr-defined]
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["export", "--format", "csv", "--db", str(corpus), "--out", str(out)])
    assert result.exit_code == 0, result.output
    for name in ("reports", "values", "findings", "requests"):
        text = (out / f"{name}.csv").read_text(encoding="utf-8-sig")
        assert str(draft_id) not in text, name
        assert str(new_id) in text, name


def test_ingest_supersedes_by_published_date_then_ingest_time(tmp_path: Path) -> None:
    """gongkai ingest: a re-issued report supersedes the earlier one — unless both carry a published
    date and the one stored later was published earlier (an old version arriving late)."""
    draft, corrected = versions(published=("2025-01-10", "2025-01-20"))
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    db = tmp_path / "c.duckdb"
    # the corrected version (published later) first, then the draft (published earlier)
    (first / "正式.txt").write_text(corrected, encoding="utf-8")
    (second / "草稿.txt").write_text(draft, encoding="utf-8")
    runner = CliRunner()
    for folder in (first, second):
        assert runner.invoke(cli, ["ingest", str(folder), "--db", str(db), "--silent"]).exit_code == 0
    with Store(db, read_only=True) as store:
        rows = store.query('SELECT path, status, published_on FROM reports WHERE "year" = ? ORDER BY path', [YEAR])
        assert [(Path(p).name, s) for p, s, _ in rows] == [("正式.txt", "ok"), ("草稿.txt", "superseded")]
        assert store.query("SELECT count(*) FROM v_agency_year WHERE year = ?", [YEAR]) == [(1,)]
    # undated versions: the one stored later supersedes (a third, re-issued version)
    _, reissued = versions()
    third = tmp_path / "c"
    third.mkdir()
    (third / "重新发布.txt").write_text(reissued.replace("\n无。\n", "\n无其他需要报告的事项。\n"), encoding="utf-8")
    assert runner.invoke(cli, ["ingest", str(third), "--db", str(db), "--silent"]).exit_code == 0
    with Store(db, read_only=True) as store:
        rows = store.query(
            "SELECT r.path, v.status, v.version FROM reports r JOIN v_report_versions v ON v.report = r.id ORDER BY 3"
        )
        assert [(Path(p).name, s, v) for p, s, v in rows] == [
            ("正式.txt", "superseded", 1),
            ("草稿.txt", "superseded", 2),
            ("重新发布.txt", "ok", 3),
        ]
    # ingesting everything again (or --recheck) changes nothing
    for folder in (first, second, third):
        assert runner.invoke(cli, ["ingest", str(folder), "--db", str(db), "--silent", "--recheck"]).exit_code == 0
    with Store(db, read_only=True) as store:
        assert store.query('SELECT path FROM reports WHERE status = ? AND "year" = ?', ["ok", YEAR]) == [
            (str(third / "重新发布.txt"),)
        ]


def test_supersession_rule() -> None:
    d = dt.date
    # undated: the one stored later is newer
    assert supersession([Version(1, None), Version(2, None)]) == {1: 2, 2: None}
    # dated: the later published is newer, whichever was stored first
    assert supersession([Version(1, d(2025, 1, 20)), Version(2, d(2025, 1, 10))]) == {2: 1, 1: None}
    assert supersession([Version(1, d(2025, 1, 10)), Version(2, d(2025, 1, 20))]) == {1: 2, 2: None}
    # one date missing: the one stored later
    assert supersession([Version(1, d(2025, 1, 20)), Version(2, None)]) == {1: 2, 2: None}
    assert supersession([Version(1, None), Version(2, d(2025, 1, 1)), Version(3, d(2024, 12, 1))]) == {
        1: 2,
        3: 2,
        2: None,
    }


def test_decisions_carry_to_the_same_rule_and_place() -> None:
    at = dt.datetime(2025, 2, 1)
    decided = [
        ("B001", "", "requests", "total", "natural_person", 30, "dismissed", "c", "r", at),
        ("N001", "overview", "", "", "", 4, "confirmed", None, None, at),
        ("F012", "", "proactive", "rules", "new", 9, "dismissed", None, None, at),  # gone in the newer
        ("T001", "", "", "", "", 0, "confirmed", None, None, at),
    ]
    places = [
        ("B001", "", "requests", "total", "natural_person", 32),  # the text moved: one of that place
        ("N001", "overview", "", "", "", 4),
        ("N001", "overview", "", "", "", 9),
        ("T001", "", "", "", "", 0),
    ]
    out = carried_decisions(decided, places)
    assert [(d[0], d[5], d[6]) for d in out] == [
        ("B001", 32, "dismissed"),
        ("N001", 4, "confirmed"),
        ("T001", 0, "confirmed"),
    ]
    # two decisions of one rule and place and the lines moved: which is which is not known, none carried
    two = [decided[1], ("N001", "overview", "", "", "", 7, "dismissed", None, None, at)]
    assert carried_decisions(two, [("N001", "overview", "", "", "", 5), ("N001", "overview", "", "", "", 8)]) == []


def test_a_version_3_database_is_migrated_with_its_data_and_decisions(tmp_path: Path) -> None:
    db = tmp_path / "v3.duckdb"
    with Store(db) as store:
        ingest([EXAMPLES / "003_4a9178fd99f7f697.txt"], store, workers=1)
        sha = store.query("SELECT sha256 FROM reports")[0][0]
        store.run(
            "INSERT INTO decisions (sha256, code, section, table_key, row_key, column_key, line, decision, comment,"
            " reviewer, decided_at) VALUES (?, 'F005', '', 'requests', 'x', '', 3, 'dismissed', 'c', 'r', ?)",
            [sha, dt.datetime(2024, 3, 1)],
        )
        # back to what version 3 had
        store.run("DROP VIEW v_report_versions")
        store.run("DROP VIEW decisions_latest")  # made again below, over the columns of version 3
        store.run("ALTER TABLE reports DROP COLUMN superseded_by")
        store.run("ALTER TABLE reports DROP COLUMN first_ingested_at")
        store.run("ALTER TABLE decisions DROP COLUMN carried_from")
        store.run(f"CREATE VIEW decisions_latest AS {DECISIONS_LATEST.sql}")  # as version 3 had it
        store.run("UPDATE store_meta SET value = '3' WHERE key = 'schema_version'")
    with Store(db, read_only=True) as store:  # read as it is
        assert store.query("SELECT count(*) FROM reports WHERE status = 'ok'") == [(1,)]
    with Store(db) as store:  # opened to write: migrated
        assert store.query("SELECT value FROM store_meta WHERE key = 'schema_version'") == [(str(SCHEMA_VERSION),)]
        first, ingested, superseded = store.query("SELECT first_ingested_at, ingested_at, superseded_by FROM reports")[
            0
        ]
        assert first == ingested and superseded is None
        assert store.query("SELECT code, decision, comment, carried_from FROM decisions_latest") == [
            ("F005", "dismissed", "c", None)
        ]
        assert store.query("SELECT versions, status FROM v_report_versions") == [(1, "ok")]


def test_figures_under_a_finding_by_their_names(client: TestClient) -> None:
    """The figures under a finding read 总计=0 自然人=5 (the format's labels), not total=0
    natural_person=5; in English the keys; the JSON keeps the keys."""
    draft, _ = versions()
    rid = _upload(client, "草稿.txt", draft, store="1")["report"]
    html = client.get(f"/reports/{rid}").text
    row = html[html.index(">B002<") :].split("</tr>", 1)[0]
    figs = re.sub(r"<[^>]+>", "", row.split('class="figs"', 1)[1])
    assert "总计=0" in figs and "自然人=5" in figs and "natural_person" not in figs, figs
    assert "审核：dismissed" not in html and "natural_person=" not in html  # the cells' tooltips too
    en = client.get(f"/reports/{rid}?lang=en").text
    row = en[en.index(">B002<") :].split("</tr>", 1)[0]
    assert "natural_person" in re.sub(r"<[^>]+>", "", row)
    b002 = next(f for f in client.get(f"/reports/{rid}.json").json()["findings"] if f["code"] == "B002")
    assert "natural_person" in b002["figures"] and "figure_names" not in b002
