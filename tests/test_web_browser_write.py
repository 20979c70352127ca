"""The clerk's flow on the 编写 page in a real headless Chromium: open /write, upload a request ledger
made from ``gongkai ledger --template``, see table 三 filled and the findings shown, type the
narrative, download the Word file — and read it back with gongkai's parser: every cell of table 三
is the ledger's.

Uses Debian's ``/usr/bin/chromium`` through Python Playwright, as tests/test_web_browser.py does;
skipped with a reason when it is not installed.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser_support import ARTIFACTS, chromium, needs_chromium, served
from gongkai.formats import load_format
from gongkai.ledger import analyse, read_ledger_file
from gongkai.ledger.columns import FIELDS
from gongkai.ledger.sheets import template_xlsx
from gongkai.pipeline import parse_bytes
from gongkai.views.web.app import create_app
from ledger_rows import SMALL_2024
from test_web_write import example_report, fields_of

pytestmark = needs_chromium


@pytest.fixture()
def site(tmp_path: Path) -> Iterator[dict[str, Any]]:
    app = create_app(tmp_path / "corpus.duckdb", uploads_dir=tmp_path / "uploads")
    with served(app) as url:
        yield {"url": url}


@pytest.fixture()
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def ledger_from_template(path: Path, rows: list[dict[str, str]], year: int) -> Path:
    """The template ``gongkai ledger --template`` writes, its example row replaced by *rows*."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(template_xlsx(load_format("2021"), year)))
    ws = wb["台账"]
    heads = [c.value for c in ws[1]]
    assert heads == [f.zh for f in FIELDS]
    for r, row in enumerate(rows, start=2):
        for c, f in enumerate(FIELDS, start=1):
            value: Any = row.get(f.key) or None
            if value is not None and f.kind == "date":
                value = dt.datetime.fromisoformat(value)
            ws.cell(row=r, column=c, value=value)
    wb.save(path)
    return path


def test_the_clerk_writes_a_report_from_the_ledger(site: dict[str, Any], browser: Any, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    ledger = ledger_from_template(tmp_path / "2024年申请台账.xlsx", SMALL_2024, 2024)
    counted = analyse(read_ledger_file(ledger, 2024), 2024)
    expected = counted.table.to_values()
    example = fields_of(example_report())

    page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN", accept_downloads=True)
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)

    def failed(r: Any) -> None:
        # a form post answered with a file is a navigation Chromium turns into a download: "aborted"
        if not (r.url.endswith("/write/download") and "ERR_ABORTED" in (r.failure or "")):
            problems.append(f"request failed: {r.url} {r.failure}")

    page.on("requestfailed", failed)

    def checked_after(action: Any) -> None:
        """Do *action*, then wait for the page's check to answer after it."""
        before = int(page.get_attribute("#write-form", "data-checked") or 0)
        action()
        page.wait_for_function(
            """n => { const f = document.getElementById('write-form');
                return Number(f.getAttribute('data-checked') || 0) > n && f.getAttribute('data-pending') === '0'; }""",
            arg=before,
            timeout=20000,
        )

    # 1. The page, from the navigation.
    page.goto(site["url"] + "/upload")
    with page.expect_navigation():
        page.click("nav a[href='/write']")
    assert page.locator("h1").inner_text() == "编写年度报告"
    assert page.locator("table.write-grid:visible").count() == 3  # 表二 三 四, 2021 format

    # 2. Upload the ledger: table 三 filled, the ledger's findings listed, the report checked.
    page.fill("#write-year", "2024")
    page.set_input_files("#ledger-form input[type=file]", str(ledger))
    checked_after(lambda: page.click("#ledger-form button[type=submit]"))
    summary = page.locator("#ledger-result .ledger-summary").inner_text()
    assert ledger.name in summary and f"{len(SMALL_2024)} 件申请" in summary
    for rkey, cols in expected.items():
        for ckey, value in cols.items():
            cell = page.locator(f"fieldset.grid:enabled input[name='cell.requests.{rkey}.{ckey}']")
            if value is None:
                assert cell.count() == 0 or cell.input_value() == "", (rkey, ckey)
            else:
                assert cell.input_value() == str(value), (rkey, ckey)
    ledger_rows = page.locator("#ledger-result table.ledger-findings tr")
    assert ledger_rows.count() == len(counted.findings)
    assert "L006" in page.locator("#ledger-result").inner_text()
    # the rest of the report is still empty: its findings are shown, at their places
    assert "F001" in page.locator("[data-findings-for='section:overview']").inner_text()
    assert page.locator("#w-all li").count() >= 1
    assert page.locator("#w-counts .sev-error").inner_text().split()[0] != "0"

    # 3. A wrong figure typed in table 三 is marked at its cell; put right, the mark goes.
    total = page.locator("fieldset.grid:enabled input[name='cell.requests.total.natural_person']")
    right = total.input_value()
    checked_after(lambda: total.fill(str(int(right) + 1)))
    lit = page.locator("fieldset.grid:enabled td.lit.sev-error:has(input[name='cell.requests.total.natural_person'])")
    assert lit.count() == 1 and "B003" in (lit.get_attribute("title") or "")
    assert "B003" in page.locator("[data-findings-for='table:requests']").inner_text()
    page.screenshot(path=str(ARTIFACTS / "web-write-1-imbalance.png"), full_page=False)
    checked_after(lambda: total.fill(right))
    assert lit.count() == 0

    # 4. The narrative, the agency and the date, tables 二 and 四 — typed as a clerk would.
    page.fill("input[name=agency]", example["agency"])
    page.fill("input[name=signed_on]", "2025-01-20")
    for key in ("overview", "problems", "other"):
        text = example[f"section.{key}"].replace("2023", "2024")
        page.fill(f"textarea[name='section.{key}']", text[:-30])
        page.type(f"textarea[name='section.{key}']", text[-30:], delay=5)
    for name, value in example.items():
        if name.startswith(("cell.proactive.", "cell.appeals.")) and value:
            page.fill(f"fieldset.grid:enabled input[name='{name}']", value)
    checked_after(lambda: page.type("textarea[name='section.other']", "特此报告。", delay=20))
    errors = page.locator("#w-counts .sev-error").inner_text()
    shown = page.locator("#w-all").inner_text()
    assert errors.split()[0] == "0", shown
    assert "F001" not in page.locator("[data-findings-for='section:overview']").inner_text()
    page.screenshot(path=str(ARTIFACTS / "web-write-2-filled.png"), full_page=True)

    # 5. Download the Word file and read it back: every cell of table 三 is the ledger's.
    page.check("input[name=fmt][value=docx]")
    with page.expect_download() as info:
        page.click("#w-submit")
    download = info.value
    assert download.suggested_filename == f"{example['agency']}2024年政府信息公开工作年度报告.docx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    report = parse_bytes(saved.read_bytes(), saved.name)
    assert report.meta.agency == example["agency"] and report.meta.year == 2024
    assert report.meta.signed_on == dt.date(2025, 1, 20)
    assert report.sections["overview"].text.startswith(example["section.overview"][:20].replace("2023", "2024"))
    got = report.tables["requests"].to_values()
    for rkey, cols in expected.items():
        for ckey, value in cols.items():
            assert got[rkey][ckey] == value, (rkey, ckey, got[rkey][ckey], value)
    assert page.locator("h1").inner_text() == "编写年度报告"  # the page stays, as typed
    assert page.locator("input[name=agency]").input_value() == example["agency"]

    # 6. English is one switch away, and what was typed is still there (kept in the tab).
    with page.expect_navigation():
        page.click("a.lang")
    assert page.locator("h1").inner_text() == "Write a report"
    page.wait_for_function("document.getElementById('write-form').getAttribute('data-checked') === '1'")
    assert page.locator("input[name=agency]").input_value() == example["agency"]
    assert page.locator("input[name='cell.requests.new.total']:enabled").input_value() == str(expected["new"]["total"])
    assert "0 errors" in page.locator("#w-counts").inner_text()
    page.screenshot(path=str(ARTIFACTS / "web-write-3-english.png"))
    page.close()
    assert problems == []
