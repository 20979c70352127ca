"""Issue 12, items 1 and 2 in a real headless Chromium, against a real ``gongkai serve`` process:

1. ``gongkai ingest`` runs beside the server while the browser keeps loading pages; the new
   reports appear on the server afterwards;
2. a draft is uploaded and checked without being stored: the verdict line is shown and the
   corpus is unchanged;
3. the draft stored, a decision taken on it, then the corrected version stored: it supersedes the
   draft (the agency shows one 2024, the draft's page links to the newer one) and the decision
   is carried over.

Screenshots go to ``test-artifacts/web-review-*.png`` (with the server's log). Uses Debian's
``/usr/bin/chromium`` through Python Playwright; skipped with a reason when it is not installed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from browser_support import ARTIFACTS, chromium, free_port, needs_chromium
from gongkai.corpus.ingest import ingest
from gongkai.store.db import Store
from test_web_concurrency import _env, _get
from test_web_drafts import AGENCY, YEAR, versions

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
NEW_REPORTS = 12

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("review")
    db = folder / "corpus.duckdb"
    with Store(db) as store:
        ingest([EXAMPLES], store, workers=1)
    sys.path.insert(0, str(ROOT / "tools"))
    import generate_corpus

    new = folder / "new"
    generate_corpus.generate(new, NEW_REPORTS, seed=23, error_rate=0.5, kind_weights={"text": 1.0})
    manifest = [json.loads(line) for line in (new / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    (new / "manifest.jsonl").unlink()
    draft, corrected = versions()
    (folder / "草稿.txt").write_text(draft, encoding="utf-8")
    (folder / "正式版.txt").write_text(corrected, encoding="utf-8")
    port = free_port()
    log = (folder / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gongkai", "serve", "--db", str(db), "--port", str(port)],
        env=_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if _get(base + "/index.json", timeout=5)[0] == 200:
                break
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("gongkai serve did not start: " + (folder / "serve.log").read_text())
        time.sleep(0.2)
    shots = ARTIFACTS
    shots.mkdir(exist_ok=True)
    try:
        yield {"url": base, "db": db, "new": new, "folder": folder, "shots": shots, "manifest": manifest}
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        print(f"\nscreenshots: {shots}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def _page(browser: Any) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    return page, problems


def _shot(site: dict[str, Any], page: Any, name: str) -> None:
    page.screenshot(path=str(site["shots"] / f"web-review-{name}.png"), full_page=True)


def _total(site: dict[str, Any]) -> int:
    code, body = _get(site["url"] + "/api/reports?limit=1")
    assert code == 200
    return int(json.loads(body)["total"])


def test_an_ingest_beside_the_server_and_the_new_reports_appear(site: dict[str, Any], browser: Any) -> None:
    page, problems = _page(browser)
    base = site["url"]
    before = _total(site)
    # an agency among the new reports with a planted error: on the problem list once ingested
    agency = next(e["agency"] for e in site["manifest"] if any(not c.startswith("Y") for c in e["planted"]))
    search = base + "/?decision=all&q=" + quote(agency)
    page.goto(search)
    assert agency not in page.locator("main").inner_text()
    _shot(site, page, "1a-before-ingest")
    ingest_proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gongkai",
            "ingest",
            str(site["new"]),
            "--db",
            str(site["db"]),
            "--silent",
            "--workers=1",
        ],
        env=_env(),
        stderr=subprocess.PIPE,
        text=True,
    )
    statuses: list[int] = []
    shot_taken = False
    for path in ["/", "/regions/all", "/rules", "/upload"] * 200:
        response = page.goto(base + path)
        statuses.append(response.status if response else 0)
        if not shot_taken and len(statuses) >= 4:
            _shot(site, page, "1b-during-ingest")
            shot_taken = True
        if ingest_proc.poll() is not None:
            break
    _, stderr = ingest_proc.communicate(timeout=300)
    assert ingest_proc.returncode == 0, stderr
    assert len(statuses) >= 4, "pages were loaded while the ingest ran"
    assert set(statuses) == {200}, statuses
    # the new reports appear: on the problem list and in the API
    page.goto(search)
    assert agency in page.locator("main").inner_text()
    assert _total(site) == before + NEW_REPORTS
    _shot(site, page, "1c-after-ingest")
    page.close()
    assert problems == []


def test_a_draft_is_checked_without_being_stored(site: dict[str, Any], browser: Any) -> None:
    page, problems = _page(browser)
    base = site["url"]
    before = _total(site)
    page.goto(base + "/upload")
    assert not page.locator("input[type=checkbox][name=store]").is_checked()  # checking is the default
    page.set_input_files("input[type=file][name=files]", str(site["folder"] / "草稿.txt"))
    with page.expect_navigation():
        page.click("form.upload-form button[type=submit]")
    result = page.locator(".upload-result").first
    assert "（仅审核，未保存）" in result.locator("header").inner_text()
    verdict = result.locator("p.verdict")
    assert verdict.count() == 1 and verdict.inner_text() == "审核结论：需修改：2 个错误"
    assert result.locator("p.verdict.bad").count() == 1
    assert result.locator("table.findings tr").count() >= 3
    assert result.locator("a[href^='/reports/']").count() == 0  # not a report of the corpus
    assert result.locator("form.store-form button").inner_text() == "保存到数据库"
    _shot(site, page, "2a-draft-checked")
    # the corpus is unchanged: the problem list does not know the agency
    assert _total(site) == before
    page.goto(base + "/?q=" + quote(AGENCY))
    assert AGENCY not in page.locator("main").inner_text()
    # the verdict in English, with the switch
    page.goto(base + "/upload?lang=en")
    page.set_input_files("input[type=file][name=files]", str(site["folder"] / "草稿.txt"))
    with page.expect_navigation():
        page.click("form.upload-form button[type=submit]")
    assert page.locator("p.verdict").inner_text() == "Verdict: Needs changes: 2 errors"
    _shot(site, page, "2b-draft-checked-en")
    page.goto(base + "/upload?lang=zh")
    assert _total(site) == before
    page.close()
    assert problems == []


def test_a_corrected_version_supersedes_the_draft(site: dict[str, Any], browser: Any) -> None:
    page, problems = _page(browser)
    base = site["url"]
    before = _total(site)
    # 1. check the draft, then store it with the button
    page.goto(base + "/upload?lang=zh")
    page.set_input_files("input[type=file][name=files]", str(site["folder"] / "草稿.txt"))
    with page.expect_navigation():
        page.click("form.upload-form button[type=submit]")
    with page.expect_navigation():
        page.click("form.store-form button:has-text('保存到数据库')")
    result = page.locator(".upload-result").first
    assert "（已保存到数据库）" in result.locator("header").inner_text()
    assert _total(site) == before + 1
    _shot(site, page, "3a-draft-stored")
    # 2. a reviewer dismisses the warning the draft shares with the corrected version
    with page.expect_navigation():
        result.locator("header a[href^='/reports/']").click()
    draft_url = page.url
    row = page.locator("#findings table.findings tr", has_text="B007").first
    row.locator("details.decide summary").click()
    row.locator("input[name=reviewer]").fill("王审核")
    row.locator("input[name=comment]").fill("原表如此，已核对")
    with page.expect_navigation():
        row.locator("button[value=dismissed]").click()
    assert "已驳回" in page.locator("#findings").inner_text()
    # 3. the corrected version, checked: it says which version it would supersede; then stored
    page.goto(base + "/upload")
    page.set_input_files("input[type=file][name=files]", str(site["folder"] / "正式版.txt"))
    with page.expect_navigation():
        page.click("form.upload-form button[type=submit]")
    result = page.locator(".upload-result").first
    assert result.locator("p.verdict").inner_text() == "审核结论：可以发布"
    assert "保存后将取代数据库中的现有版本" in result.locator("form.store-form").inner_text()
    with page.expect_navigation():
        page.click("form.store-form button")
    result = page.locator(".upload-result").first
    note = result.locator("p.versions").inner_text()
    assert "此版本取代了数据库中的上一版本" in note and "沿用了 1 条审核结论" in note
    assert result.locator("p.verdict").inner_text() == "审核结论：可以发布"
    assert "已驳回" in result.locator("table.findings").inner_text()  # the decision carried over
    assert _total(site) == before + 1  # one report of the agency for the year, the corrected one
    _shot(site, page, "3b-corrected-stored")
    # 4. the agency: one 2024
    with page.expect_navigation():
        result.locator("header a[href^='/reports/']").click()
    new_url = page.url
    with page.expect_navigation():
        page.click("dl.meta a[href^='/agencies/']")
    heads = page.locator("#yoy-requests thead th").all_inner_texts()
    assert sum(1 for h in heads if h.strip().startswith(str(YEAR))) == 1, heads
    assert not any(f"{YEAR} (2)" in h for h in heads)
    _shot(site, page, "3c-agency-one-2024")
    # 5. the draft's page says it was superseded and links to the newer one
    page.goto(draft_url)
    banner = page.locator("p.superseded")
    assert banner.count() == 1 and "此版本已被取代" in banner.inner_text()
    with page.expect_navigation():
        banner.locator("a").first.click()
    assert page.url.split("#")[0] == new_url.split("#")[0]
    assert page.locator("p.superseded").count() == 0
    _shot(site, page, "3d-newer-version")
    # 6. the draft's errors are not in the problem list
    page.goto(base + "/?q=" + quote(AGENCY) + "&decision=all")
    codes = {c.strip() for c in page.locator("main td.c-code").all_inner_texts()}
    assert "B007" in codes and not {"B002", "B003"} & codes, codes
    page.close()
    assert problems == []
    shutil.copy(site["folder"] / "serve.log", site["shots"] / "web-review-serve.log")
