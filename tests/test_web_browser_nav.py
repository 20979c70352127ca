"""Finding one's way, in a real headless Chromium (issue 12, items 3, 4, 8): a walk through the
navigation; the data page's CSV downloaded and read with its Chinese intact; the filter bar's
city and county on the problems list and the region pages; table 四 of the region sums whole;
the not-published list a page at a time; the original file opened from the report page.
Screenshots go to ``test-artifacts/web-nav-*.png``.

Uses Debian's ``/usr/bin/chromium`` through Python Playwright (no browser download); skipped with
a reason when it is not installed.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from browser_support import ARTIFACTS, chromium, needs_chromium, served
from gongkai.views.web.app import create_app
from web_corpus import NavCorpus, build_nav_corpus

WIDTH, HEIGHT = 1440, 1000

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    nav = build_nav_corpus(tmp_path_factory.mktemp("browser-nav"))
    app = create_app(nav.db, uploads_dir=nav.folder / "uploads")
    with served(app) as url:
        yield {"url": url, "nav": nav, "app": app}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, locale="zh-CN", accept_downloads=True)
    pg = context.new_page()
    pg.problems = []
    pg.on("pageerror", lambda e: pg.problems.append(f"page error: {e}"))
    pg.on("console", lambda m: pg.problems.append(f"console: {m.text}") if m.type == "error" else None)
    try:
        yield pg
    finally:
        context.close()


def _shot(page: Any, name: str, full: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"web-nav-{name}.png"), full_page=full)


def test_walk_through_the_navigation(site: dict[str, Any], page: Any) -> None:
    base = site["url"]
    response = page.goto(base + "/")
    assert response.ok
    links = page.locator("header.top nav.nav a")
    labels = links.all_inner_texts()
    assert labels == ["问题", "上传", "编写", "地区", "规则", "数据", "API"]
    for i, label in enumerate(labels):
        page.goto(base + "/")
        with page.expect_navigation() as nav:
            page.locator("header.top nav.nav a").nth(i).click()
        assert nav.value is None or nav.value.ok, label
        page.wait_for_load_state("load")
        if label == "API":  # Swagger UI, drawn by its own script from /api/openapi.json
            page.wait_for_selector(".swagger-ui .info .title", timeout=20000)
            assert "gongkai" in page.locator(".swagger-ui .info .title").inner_text()
            page.wait_for_selector(".swagger-ui .opblock", timeout=20000)
            assert page.locator(".swagger-ui .opblock").count() >= 9
        else:
            assert page.locator(f"header.top nav.nav a.on:text-is('{label}')").count() == 1, label
        _shot(page, f"1-nav-{i}-{label}")
    # The switch to English and back, from the data page.
    page.goto(base + "/data")
    with page.expect_navigation():
        page.click("a.lang")
    assert page.locator("h1").inner_text() == "Bulk data"
    assert page.locator("header.top nav.nav a").all_inner_texts()[5] == "Data"
    _shot(page, "1-data-en")
    api = page.goto(base + "/api")
    assert api.ok and api.headers["content-type"].startswith("application/json")
    assert page.problems == []


def test_data_page_csv_opens_with_chinese_intact(site: dict[str, Any], page: Any, tmp_path: Path) -> None:
    base = site["url"]
    page.goto(base + "/data")
    assert page.locator("h1").inner_text() == "数据下载"
    row = page.locator("#ds-reports table.data-files tbody tr.all-years")
    assert "下载时生成" in row.inner_text()  # no size before the file is written
    _shot(page, "2-data", full=True)
    with page.expect_download() as dl:
        row.locator("a[data-format=csv]").click()
    download = dl.value
    assert download.suggested_filename == "gongkai-reports-all.csv"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    raw = saved.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "the BOM Excel needs to read UTF-8"
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    agencies = [r["agency"] for r in rows if r["agency"]]
    assert agencies and all(any("\u4e00" <= ch <= "\u9fff" for ch in a) for a in agencies)
    assert "西塞山区医疗保障局" in agencies
    # The page now tells its size.
    page.reload()
    size = page.locator("#ds-reports table.data-files tbody tr.all-years td").nth(1).locator(".size").inner_text()
    assert size.endswith(("B", "KB", "MB")), size
    page.locator("#dictionary").scroll_into_view_if_needed()
    assert page.locator("#dict-values table.dict tbody tr").count() >= 10
    _shot(page, "2-data-dictionary")
    assert page.problems == []


def test_filter_bar_city_and_county(site: dict[str, Any], page: Any) -> None:
    base = site["url"]
    # The problems list: the three selects are there before anything is chosen.
    page.goto(base + "/")
    for name in ("province", "city", "county"):
        assert page.locator(f"form.filters select[name={name}]").is_visible(), name
    assert page.locator("form.filters select[name=city] option", has_text="黄石市").count() == 1
    with page.expect_navigation():
        page.select_option("form.filters select[name=province]", "湖北省")
    cities = page.locator("form.filters select[name=city] option").all_inner_texts()
    assert "黄石市" in cities and "衡水市" not in cities
    with page.expect_navigation():
        page.select_option("form.filters select[name=city]", "黄石市")
    assert "city=" in page.url
    assert page.locator("form.filters select[name=county] option", has_text="西塞山区").count() == 1
    with page.expect_navigation():
        page.select_option("form.filters select[name=county]", "西塞山区")
    assert page.locator("section.group h2").all_inner_texts() == ["西塞山区医疗保障局"]
    assert page.locator("form.filters select[name=province]").input_value() == "湖北省"
    assert page.locator("form.filters select[name=city]").input_value() == "黄石市"
    _shot(page, "3-problems-filters")
    # A region page's link to its problems: the region shows in the selects, by name.
    page.goto(base + "/regions/420200")
    with page.expect_navigation():
        page.click("ul.stats a[href^='/?region=']")
    assert page.locator("form.filters select[name=city]").input_value() == "黄石市"
    assert page.locator("form.filters select[name=province]").input_value() == "湖北省"
    # The region pages: the same selects, by division code; choosing goes to the region.
    page.goto(base + "/regions")
    for name in ("province", "city", "county"):
        assert page.locator(f"form.filters select[name={name}]").is_visible(), name
    with page.expect_navigation():
        page.select_option("form.filters select[name=province]", "420000")
    page.wait_for_load_state("load")
    assert page.url.split("?")[0].endswith("/regions/420000")
    assert page.locator("h1").inner_text().startswith("湖北省")
    with page.expect_navigation():
        page.select_option("form.filters select[name=city]", "420200")
    page.wait_for_load_state("load")
    assert page.url.split("?")[0].endswith("/regions/420200")
    assert page.locator("form.filters select[name=county] option", has_text="西塞山区").count() == 1
    with page.expect_navigation():
        page.select_option("form.filters select[name=county]", "420203")
    page.wait_for_load_state("load")
    assert page.url.split("?")[0].endswith("/regions/420203")
    assert page.locator("form.filters select[name=city]").input_value() == "420200"
    _shot(page, "3-region-filters")
    assert page.problems == []


def test_region_table_four_whole(site: dict[str, Any], page: Any) -> None:
    base = site["url"]
    for url, name in ((base + "/regions", "all"), (base + "/regions/420000", "hubei")):
        page.goto(url)
        tables = page.locator("div.tbl[id$='-appeals']")
        assert tables.count() >= 1
        box = tables.first
        box.scroll_into_view_if_needed()
        # Not cut off: the table fits its box (nothing to scroll to) and the box fits the window.
        clipped = box.evaluate("el => el.scrollWidth - el.clientWidth")
        assert clipped <= 1, f"table 四 is cut off by {clipped}px"
        right = box.locator("table").evaluate("el => el.getBoundingClientRect().right")
        assert right <= WIDTH
        heads = box.locator("th").all_inner_texts()
        assert any("复议后起诉" in h for h in heads)
        # The last column of 复议后起诉 (总计) is there and visible.
        last = box.locator("tr").nth(2).locator("th, td").last
        assert last.is_visible()
        assert last.evaluate("el => el.getBoundingClientRect().right") <= WIDTH
        _shot(page, f"4-table-four-{name}")
        box.screenshot(path=str(ARTIFACTS / f"web-nav-4-table-four-{name}-only.png"))
    assert page.problems == []


def test_original_opens_from_the_report_page(site: dict[str, Any], page: Any, browser: Any) -> None:
    base = site["url"]
    nav: NavCorpus = site["nav"]
    db = site["app"].state.web.db
    # Text: shown in a new tab, in its own encoding.
    page.goto(f"{base}/reports/{nav.by_kind['text']}")
    link = page.locator("dl.meta a.original")
    assert link.inner_text().startswith("打开原件")
    _shot(page, "5-report-original-link")
    with page.expect_popup() as popup:
        link.click()
    tab = popup.value
    tab.wait_for_load_state("load")
    assert tab.url.endswith(f"/reports/{nav.by_kind['text']}/original")
    original = Path(db.source_path(nav.by_kind["text"])).read_text(encoding="utf-8")
    first_line = next(line for line in original.splitlines() if line.strip())
    assert first_line.strip()[:10] in tab.locator("body").inner_text()
    _shot(tab, "5-original-text")
    tab.close()
    # HTML: shown, sandboxed (its scripts do not run).
    page.goto(f"{base}/reports/{nav.by_kind['html']}")
    with page.expect_popup() as popup:
        page.click("dl.meta a.original")
    tab = popup.value
    tab.wait_for_load_state("load")
    assert tab.locator("body").inner_text().strip()
    _shot(tab, "5-original-html")
    tab.close()
    # PDF: served inline as a PDF (the headless browser may save rather than show it).
    r = page.request.get(f"{base}/reports/{nav.by_kind['pdf']}/original")
    assert r.ok and r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith("inline;")
    assert r.body().startswith(b"%PDF")
    # Word: saved under its own name.
    page.goto(f"{base}/reports/{nav.by_kind['docx']}")
    assert page.locator("dl.meta a.original").inner_text().startswith("下载原件")
    with page.expect_download() as dl:
        page.click("dl.meta a.original")
    assert dl.value.suggested_filename.endswith(".docx")
    # Moved away after ingest: the page says so, and the address says what to do.
    page.goto(f"{base}/reports/{nav.moved}")
    assert "原件已不在原处" in page.locator("dl.meta").inner_text()
    assert page.locator("dl.meta a.original").count() == 0
    assert page.problems == []
    gone = page.goto(f"{base}/reports/{nav.moved}/original")  # the browser logs the 404 it was meant to get
    assert gone.status == 404
    assert "原件已不在导入时的位置" in page.locator("main").inner_text()
    _shot(page, "5-original-moved")


def test_not_published_a_page_at_a_time(site: dict[str, Any], page: Any, tmp_path: Path) -> None:
    base = site["url"]
    roster = tmp_path / "roster.csv"
    lines = ["机关名称,区划代码", *[f"示例县第{i:03d}局,420203" for i in range(1, 121)], "西塞山区医疗保障局,420203"]
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    page.goto(base + "/regions?year=2023")
    page.set_input_files("form.roster-form input[type=file]", str(roster))
    with page.expect_navigation():
        page.click("form.roster-form button[type=submit]")
    page.wait_for_load_state("load")
    box = page.locator("#not-published")
    assert box.locator("table tr").count() == 50
    assert "1 / 3" in box.locator("nav.pager").inner_text()
    height = box.evaluate("el => el.getBoundingClientRect().height")
    assert height < 2500, f"the list is {height}px tall"
    _shot(page, "6-not-published-1", full=True)
    with page.expect_navigation():
        box.locator("nav.pager a", has_text="下一页").click()
    assert "np=2" in page.url and "#not-published" in page.url
    box = page.locator("#not-published")
    assert box.locator("table tr").first.inner_text().startswith("示例县第051局")
    assert "第 51–100 个，共 120 个" in box.inner_text()
    _shot(page, "6-not-published-2")
    assert page.problems == []


# Every link, image, script and stylesheet a page's DOM holds once its scripts ran, and each GET
# form as the browser would submit it with its values as they stand.
_LINKS_JS = """() => {
  const out = [];
  for (const el of document.querySelectorAll('a[href], link[href]')) out.push(el.getAttribute('href'));
  for (const el of document.querySelectorAll('script[src], img[src], iframe[src]')) out.push(el.getAttribute('src'));
  for (const form of document.querySelectorAll('form')) {
    if ((form.getAttribute('method') || 'get').toLowerCase() !== 'get') continue;
    const query = new URLSearchParams(new FormData(form)).toString();
    const action = (form.getAttribute('action') || location.pathname).split('?')[0];
    out.push(action + (query ? '?' + query : ''));
  }
  return out;
}"""


PER_ROUTE = 4  # pages of one route loaded in the browser (test_every_link_followed_in_the_browser)


def template_key(url: str) -> tuple[str, ...]:
    """The route a URL is a page of: its path with every segment that names a thing (a number, a
    code, an agency's name) as ``*``, and the names of its parameters."""
    parts = urlsplit(url)
    segments = parts.path.split("/")
    route = "/".join(s if i < 2 or not re.search(r"[\d%]|[^\x00-\x7f]", s) else "*" for i, s in enumerate(segments))
    return (route, *sorted({k for k, _v in parse_qsl(parts.query, keep_blank_values=True)}))


def test_every_link_followed_in_the_browser(site: dict[str, Any], page: Any) -> None:
    """The crawl of test_web_links, in Chromium: every kind of page of the corpus reached from
    the navigation is loaded in the browser (its scripts run; a page error or a console error is
    a failure), every link and GET form on it followed, downloads fetched by the browser; none
    answers 4xx or 5xx. Pages that differ only in a filter's value are one page (page_key), and
    of the pages of one route (a report, an agency, a rule … : template_key) the first
    :data:`PER_ROUTE` are loaded, and a report of every kind: the same template and scripts
    serve the others, and test_web_links requests every one of them."""
    from test_web_links import DOWNLOADS, _local, page_key

    base = site["url"]
    nav: NavCorpus = site["nav"]
    context = page.context
    every_kind = [f"/reports/{rid}{tail}" for rid in nav.by_kind.values() for tail in ("", "/original")]
    starts = ["/", "/data", "/regions", "/rules", "/upload", "/write", "/?lang=en", *every_kind]
    queue: deque[tuple[str, str]] = deque((s, "(start)") for s in starts)
    seen: dict[str, int] = {}
    keys: set[tuple[str, ...]] = set()
    per_route: Counter[tuple[str, ...]] = Counter()
    broken: list[str] = []
    pages = 0
    while queue:
        url, referrer = queue.popleft()
        key = page_key(url)
        if url in seen or key in keys:
            continue
        route = template_key(url)
        if referrer != "(start)" and per_route[route] >= PER_ROUTE:
            continue
        per_route[route] += 1
        keys.add(key)
        assert len(seen) < 3000, f"links multiply: {url} from {referrer}"
        context.clear_cookies()  # each URL on its own: ?lang=en is remembered in a cookie
        path = url.split("?")[0]
        if path.endswith(DOWNLOADS) or path.endswith("/original") or path.startswith(("/static/", "/api")):
            response = context.request.get(base + url)
            seen[url] = response.status
            if response.status >= 400:
                broken.append(f"{response.status} {url} (from {referrer})")
            continue
        response = page.goto(base + url, wait_until="domcontentloaded")  # deferred scripts have run
        status = response.status if response else 0
        seen[url] = status
        pages += 1
        if status >= 400 or status == 0:
            broken.append(f"{status} {url} (from {referrer})")
            continue
        for href in page.evaluate(_LINKS_JS):
            local = _local("http://127.0.0.1" + url, href)
            if local is not None and local not in seen:
                queue.append((local, url))
        if url in ("/", "/rules", f"/reports/{nav.by_kind['text']}"):
            _shot(page, "7-crawl-" + ("problems" if url == "/" else path.strip("/").replace("/", "-")))
    assert not broken, f"{len(broken)} broken of {len(seen)}:\n" + "\n".join(broken[:40])
    assert page.problems == [], page.problems[:20]
    followed = {u.split("?")[0] for u in seen}
    for kind, rid in nav.by_kind.items():
        assert f"/reports/{rid}" in followed, kind
        assert f"/reports/{rid}/original" in followed, kind
    assert any(p.startswith("/rules/") for p in followed)  # every finding's code to its rule
    assert any(p.startswith("/agencies/") for p in followed)
    assert any(p.startswith("/data/") and p.endswith(".xlsx") for p in followed)
    assert pages >= 30, pages
    print(f"\n{len(seen)} URLs followed, {pages} pages loaded in Chromium, {len(per_route)} routes")
