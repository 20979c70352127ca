"""gongkai serve in a real headless Chromium: upload → findings → report view → decision → agency →
region → problems, asserting what is shown and saving screenshots to ``test-artifacts/``.

Uses Debian's ``/usr/bin/chromium`` through Python Playwright (no browser download); skipped with
a reason when it is not installed (``.ci/run`` installs it).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser_support import ARTIFACTS, chromium, needs_chromium, served
from gongkai.corpus.ingest import ingest
from gongkai.store.db import Store
from gongkai.views.web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from test_web_app import generate_corpus

    folder = tmp_path_factory.mktemp("browser")
    gen = folder / "generated"
    generate_corpus(gen)
    manifest = [json.loads(line) for line in (gen / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    # Hold back the latest report of an agency with several years, one with a planted error so
    # that it has findings to follow: the browser uploads it.
    by_agency: dict[str, list[dict[str, Any]]] = {}
    for e in manifest:
        by_agency.setdefault(e["agency"], []).append(e)

    def latest(es: list[dict[str, Any]]) -> dict[str, Any]:
        return max(es, key=lambda e: e["year"])

    candidates = [
        es for es in by_agency.values() if len(es) > 1 and any(not c.startswith("Y") for c in latest(es)["planted"])
    ]
    longest = max(candidates, key=lambda es: (len(es), es[0]["agency"]))
    held = latest(longest)
    upload = folder / "upload" / Path(held["file"]).name
    upload.parent.mkdir()
    shutil.move(gen / held["file"], upload)
    db = folder / "corpus.duckdb"
    with Store(db) as store:
        ingest([EXAMPLES, gen], store, workers=1)

    app = create_app(db, uploads_dir=folder / "uploads")
    with served(app) as url:
        yield {"url": url, "upload": upload, "held": held}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def _shot(page: Any, name: str, full: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"web-{name}.png"), full_page=full)


def test_review_flow_in_a_browser(site: dict[str, Any], browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    base = site["url"]

    # 1. Upload a report: its findings at once.
    page.goto(base + "/upload")
    assert page.locator("h1").inner_text() == "上传报告"
    page.set_input_files("input[type=file][name=files]", str(site["upload"]))
    page.check("input[type=checkbox][name=store]")  # checked and stored (a check alone stores nothing)
    with page.expect_navigation():
        page.click("button[type=submit]:has-text('上传并审核')")
    result = page.locator(".upload-result").first
    assert site["upload"].name in result.locator("header").inner_text()
    assert str(site["held"]["year"]) in result.locator("header").inner_text()
    findings = result.locator("table.findings tr")
    assert findings.count() >= 1, "the uploaded report has findings"
    _shot(page, "1-upload", full=True)

    # 2. A finding leads to its place in the report view.
    first = result.locator("td.c-msg a").first
    message = first.inner_text()
    with page.expect_navigation():
        first.click()
    assert "/reports/" in page.url and "#" in page.url
    page.wait_for_load_state("load")
    assert message in page.locator("#findings").inner_text()
    target = page.url.split("#", 1)[1]
    assert page.locator(f"[id='{target}']").count() == 1, f"anchor {target} exists"
    # every table laid out like the national format
    assert page.locator("table.national").count() == 3
    assert page.locator("th.role-block", has_text="三、本年度办理结果").count() == 1
    # lit cells carry the rule on hover; the source beside lights the finding's line
    lit = page.locator("table.national .lit").first
    if lit.count():
        assert lit.get_attribute("title")
        lit.hover()
    assert page.locator("aside.source .ln-row").count() > 30
    lit_lines = page.locator("aside.source .ln-row.lit")
    assert lit_lines.count() >= 1
    # clicking a value cell brings its source line into view
    cell_link = page.locator("table.national td.num a").nth(5)
    line = cell_link.get_attribute("href")
    assert line and line.startswith("#L")
    cell_link.click()
    page.wait_for_timeout(200)
    assert page.url.endswith(line)
    in_view = page.evaluate(
        """(id) => { const el = document.getElementById(id), pane = document.querySelector('aside.source');
        const a = el.getBoundingClientRect(), b = pane.getBoundingClientRect();
        return a.top >= b.top && a.bottom <= b.bottom; }""",
        line[1:],
    )
    assert in_view, "the source line is visible in the source pane"
    _shot(page, "2-report")

    # 3. A reviewer dismisses a finding with a comment.
    row = page.locator("#findings table.findings tr").first
    row.locator("details.decide summary").click()
    row.locator("input[name=reviewer]").fill("王审核")
    row.locator("input[name=comment]").fill("浏览器测试：已核对原件")
    with page.expect_navigation():
        row.locator("button[value=dismissed]").click()
    page.wait_for_load_state("load")
    assert "已驳回" in page.locator("#findings").inner_text()
    assert "浏览器测试：已核对原件" in page.locator("#decisions").inner_text()
    assert page.locator("header.top input[name=reviewer]").input_value() == "王审核"  # remembered
    page.locator("#findings").scroll_into_view_if_needed()
    _shot(page, "3-decision")

    # 4. The agency over the years: tables side by side and charts.
    with page.expect_navigation():
        page.click("dl.meta a[href^='/agencies/']")
    page.wait_for_selector(".chart[data-drawn] svg", timeout=15000)
    years = page.locator("#yoy-requests thead th a")
    assert years.count() >= 3
    assert page.locator("table.yoy td.up, table.yoy td.down").count() >= 1
    assert page.locator(".chart[data-drawn]").count() == 3
    _shot(page, "4-agency", full=True)

    # 5. The region: who has not published, summed tables, rankings, charts.
    with page.expect_navigation():
        page.click(".crumbs a[href^='/regions/']")
    page.wait_for_selector(".chart[data-drawn] svg", timeout=15000)
    assert page.locator("#not-published h2").inner_text().startswith("未发布年度报告")
    assert page.locator("table.national").count() >= 3
    assert page.locator("#rankings").inner_text().count("收到申请") == 1
    _shot(page, "5-region", full=True)
    with page.expect_navigation():
        page.click(".crumbs a >> nth=0")  # the whole corpus
    page.wait_for_selector(".chart[data-drawn] svg", timeout=15000)
    assert page.locator(".years a").count() >= 3
    _shot(page, "6-regions-all")

    # 6. Problems first, filtered by a select (submits itself) and searched.
    page.goto(base + "/")
    groups = page.locator("section.group")
    assert groups.count() >= 5
    shown = " ".join(groups.all_inner_texts())
    assert "已驳回" not in shown and "待审" in shown  # dismissed findings leave the list
    with page.expect_navigation():
        page.select_option("select[name=province]", "湖北省")
    assert "province=" in page.url
    assert all("湖北省" in t for t in page.locator("section.group header .muted").all_inner_texts()[::2])
    page.fill("input[name=q]", "西塞山")
    with page.expect_navigation():
        page.press("input[name=q]", "Enter")
    assert page.locator("section.group h2").all_inner_texts() == ["西塞山区医疗保障局"]
    _shot(page, "7-problems")

    # 7. English.
    with page.expect_navigation():
        page.click("a.lang")
    assert page.locator("h1").inner_text() == "Problems"
    _shot(page, "8-english")
    page.close()
    assert problems == []


def test_report_with_script_is_shown_as_text(site: dict[str, Any], browser: Any, tmp_path: Path) -> None:
    text = (EXAMPLES / "004_ab8af88deeac0065.txt").read_text(encoding="utf-8")
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if "总体情况" in line)
    lines.insert(at + 1, "本年度<script>window.__pwned = 1</script>工作顺利<img src=x onerror='window.__pwned=2'>。")
    hostile = tmp_path / "hostile.txt"
    hostile.write_text("\n".join(lines), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(site["url"] + "/upload")
    page.set_input_files("input[type=file][name=files]", str(hostile))
    page.check("input[type=checkbox][name=store]")
    with page.expect_navigation():
        page.click("form.upload-form button[type=submit]")
    with page.expect_navigation():
        page.click(".upload-result header a[href^='/reports/']")
    assert page.evaluate("window.__pwned") is None
    assert "<script>window.__pwned = 1</script>" in page.locator("#s-overview").inner_text()
    page.close()
