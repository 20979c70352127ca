"""Reviewing in bulk in a real headless Chromium (issue 12, items 5 and 7): the problems list's
repeated rule opened, the view by rule, a rule's findings ticked and then all of them dismissed
with one comment, the decisions on the report page afterwards, and the XLSX downloads read back
with openpyxl. Screenshots go to ``test-artifacts/web-bulk-*.png``.

Uses Debian's ``/usr/bin/chromium`` through Python Playwright; skipped when it is not installed.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from browser_support import ARTIFACTS, chromium, needs_chromium, served
from gongkai.corpus.ingest import ingest
from gongkai.store.db import Store
from gongkai.views.web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
PDF = ROOT / "tests" / "fixtures" / "real" / "hongze-2024.pdf"
COMMENT = "多出的列是各行合计，数值无误"

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("browser-bulk")
    reports = folder / "reports"
    shutil.copytree(EXAMPLES, reports, ignore=shutil.ignore_patterns("write"))
    shutil.copy(PDF, reports / PDF.name)
    db = folder / "corpus.duckdb"
    with Store(db) as store:
        ingest([reports], store, workers=1)
        (weibin,) = store.query("SELECT id FROM reports WHERE path LIKE '%001_c89b62cb4e001608.txt'")[0]
    app = create_app(db, uploads_dir=folder / "uploads")
    with served(app) as url:
        yield {"url": url, "weibin": weibin, "folder": folder}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"web-bulk-{name}.png"), full_page=True)


def _download(page: Any, link: Any, target: Path) -> Any:
    with page.expect_download() as info:
        link.click()
    info.value.save_as(str(target))
    return load_workbook(target)


def test_bulk_review_in_a_browser(site: dict[str, Any], browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    # a download ends its navigation as aborted (net::ERR_ABORTED): the files are read back below
    page.on(
        "requestfailed",
        lambda r: None if ".xlsx" in r.url and "ABORTED" in (r.failure or "") else problems.append(f"failed: {r.url}"),
    )
    base, rid, folder = site["url"], site["weibin"], site["folder"]

    # 1. The problems list: 18 F004 of one report are one line with a count, opening onto them.
    page.goto(base + "/")
    group = page.locator("section.group", has_text="新乡市卫滨区医疗保障局")
    repeat = group.locator("details.repeat", has_text="×18")
    assert repeat.count() == 1
    assert group.locator("table.findings tr").count() == 2  # F004 ×18 and T004: two lines
    repeat.locator("summary").click()
    assert repeat.locator("ol li").count() == 18
    _shot(page, "1-problems-repeats")

    # 2. The view by rule: F004 with its count, title and severity; opened, its first findings.
    with page.expect_navigation():
        page.click("nav.views a:has-text('按规则')")
    assert page.url.startswith(base + "/by-rule")
    rule = page.locator("details#rule-F004")
    summary = rule.locator("summary")
    assert "行的数值多于格式的列数" in summary.inner_text() and "错误" in summary.inner_text()
    assert summary.locator(".n").first.inner_text() == "18"
    summary.click()
    assert rule.locator("table.findings tr").count() == 10
    _shot(page, "2-by-rule")

    # 3. The rule's findings: ticking follows the scope; then all 18 dismissed with one comment.
    with page.expect_navigation():
        rule.locator("a:has-text('逐条查看')").click()
    assert page.locator("h1").inner_text().startswith("F004")
    assert page.locator("input[name=f]").count() == 18
    page.check("input[data-tick-all]")
    assert page.locator("[data-ticked]").inner_text() == "18"
    assert page.locator("input[name=scope][value=selected]").is_checked()
    page.uncheck("input[data-tick-all]")
    assert page.locator("input[name=scope][value=filter]").is_checked()
    page.fill("#bulk input[name=reviewer]", "王审核")
    page.fill("#bulk input[name=comment]", COMMENT)
    _shot(page, "3-rule-findings")
    with page.expect_navigation():
        page.click("#bulk button[value=dismissed]")
    notice = page.locator("p.notice.done")
    assert "已驳回 18 条发现" in notice.inner_text()
    assert page.locator("input[name=f]").count() == 0  # none left open under this rule
    _shot(page, "4-dismissed")

    # 4. The report page afterwards: each finding dismissed with the comment, 18 in its history.
    page.goto(f"{base}/reports/{rid}")
    dismissed = page.locator("section#findings tr.is-dismissed", has_text="F004")
    assert dismissed.count() == 18
    assert COMMENT in dismissed.first.locator(".dec-note").inner_text()
    history = page.locator("section#decisions tbody tr", has_text=COMMENT)
    assert history.count() == 18 and "王审核" in history.first.inner_text()
    _shot(page, "5-report-decisions")

    # 5. The report's workbook, downloaded and read back: the decisions and the links.
    wb = _download(page, page.locator(".page-head .dl a:has-text('XLSX')"), folder / "report.xlsx")
    assert wb.sheetnames == ["报告", "表二 主动公开（2021格式）", "表三 申请办理", "表四 复议诉讼", "审核发现"]
    ws = wb["审核发现"]
    heads = [c.value for c in ws[1]]
    assert heads[:6] == ["机关", "年度", "省", "市", "县（区）", "区划代码"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:{ws.cell(1, len(heads)).column_letter}{ws.max_row}"
    rows = [dict(zip(heads, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]
    f004 = [r for r in rows if r["规则"] == "F004"]
    assert len(f004) == 18 and {(r["审核结论"], r["审核意见"], r["审核人"]) for r in f004} == {
        ("已驳回", COMMENT, "王审核")
    }
    link = ws.cell(2, heads.index("报告页") + 1).hyperlink.target
    assert link.startswith(f"{base}/reports/{rid}#f-report-")
    page.goto(link)  # the link leads back to the finding on the report page
    assert page.locator("section#findings").is_visible()

    # 6. The problems list's workbook (every review state) holds them too; the English switch.
    page.goto(base + "/?decision=all")
    wb = _download(page, page.locator(".page-head .dl a:has-text('XLSX')"), folder / "findings.xlsx")
    ws = wb["审核发现"]
    heads = [c.value for c in ws[1]]
    kept = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[heads.index("规则")] == "F004"]
    assert len(kept) == 18 and {r[heads.index("审核结论")] for r in kept} == {"已驳回"}
    page.goto(base + "/by-rule?decision=all&lang=en")
    assert "Dismiss all" in page.content() and page.locator("h1").inner_text() == "Problems"
    wb = _download(page, page.locator(".page-head .dl a:has-text('XLSX')"), folder / "rules-en.xlsx")
    assert [c.value for c in wb.worksheets[0][1]][:4] == ["Rule", "Severity", "Title", "Findings"]
    _shot(page, "6-english")

    assert problems == []
    context.close()
