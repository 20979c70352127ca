"""No broken link: every page of a test corpus is crawled and every link and GET form on it
followed — ``<a href>`` (downloads included), stylesheets, scripts, images, and each GET form
submitted with its default values — and none answers 4xx or 5xx. Links that differ only in the
values of a filter (``/?code=B001`` and ``/?code=B002``, or the year) are one page to the crawl;
the page number, the table and the language make pages of their own. Every page's ``.json`` and
``.zip`` (each of its tables as CSV) are followed; one table's ``.csv`` and ``.xlsx`` once per
kind of page and table. Then the API: ``/api`` lists
every endpoint, each has its answer's shape in the OpenAPI description, and what each answers
has that shape (no key the documentation does not name)."""

from __future__ import annotations

import io
import re
import zipfile
from collections import deque
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from gongkai.views.web.app import create_app
from gongkai.views.web.pages import api_models as m
from web_corpus import NavCorpus, build_nav_corpus

BASE_URL = "http://127.0.0.1"
MAX_REQUESTS = 3000  # the crawl of the test corpus stays far below; hitting it means links multiply
# Query parameters whose value makes another page (others: one page per set of parameter names).
DISTINCT = ("page", "np", "table", "lang", "status")
DOWNLOADS = (".csv", ".xlsx", ".json", ".zip", ".parquet", ".md")


@pytest.fixture(scope="module")
def nav(tmp_path_factory: pytest.TempPathFactory) -> NavCorpus:
    return build_nav_corpus(tmp_path_factory.mktemp("links"))


@pytest.fixture(scope="module")
def client(nav: NavCorpus) -> Iterator[TestClient]:
    app = create_app(nav.db, uploads_dir=nav.folder / "uploads")
    with TestClient(app, base_url=BASE_URL) as c:
        yield c


@pytest.fixture(autouse=True)
def _fresh_cookies(client: TestClient) -> None:
    client.cookies.clear()


# --- the crawler -----------------------------------------------------------------------------


class Links(HTMLParser):
    """Every URL a page points to, and its GET forms as URLs with their default values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.forms: list[str] = []
        self._form: dict[str, Any] | None = None
        self._select: tuple[str, list[tuple[str, bool]]] | None = None
        self._option: list[Any] | None = None
        self._textarea: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in ("a", "link") and a.get("href"):
            self.urls.append(a["href"])
        elif tag in ("script", "img", "iframe") and a.get("src"):
            self.urls.append(a["src"])
        elif tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get").lower(), "fields": []}
        elif self._form is not None:
            name = a.get("name")
            if tag == "input" and name and "disabled" not in a:
                kind = a.get("type", "text").lower()
                if kind in ("checkbox", "radio"):
                    if "checked" in a:
                        self._form["fields"].append((name, a.get("value", "on")))
                elif kind not in ("submit", "button", "image", "file", "reset"):
                    self._form["fields"].append((name, a.get("value", "")))
            elif tag == "select" and name:
                self._select = (name, [])
            elif tag == "option" and self._select is not None:
                self._option = [a.get("value"), "selected" in a, ""]
            elif tag == "textarea" and name:
                self._textarea = [name, ""]

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option[2] += data
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._option is not None and self._select is not None:
            value, selected, text = self._option
            self._select[1].append((text.strip() if value is None else value, selected))
            self._option = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, options = self._select
            chosen = next((v for v, s in options if s), options[0][0] if options else None)
            if chosen is not None:
                self._form["fields"].append((name, chosen))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form["fields"].append(tuple(self._textarea))
            self._textarea = None
        elif tag == "form" and self._form is not None:
            if self._form["method"] == "get":
                action = self._form["action"] or "?"
                query = urlencode(self._form["fields"])
                self.forms.append(action.split("?")[0] + ("?" + query if query else ""))
            self._form = None


def _local(base: str, href: str) -> str | None:
    """*href* on the page *base* as a path and query of this site, or None (another site, a
    fragment, mailto:, javascript:)."""
    href = href.strip()
    if not href or href.startswith(("#", "mailto:", "javascript:", "data:", "tel:")):
        return None
    full = urlsplit(urljoin(base, href))
    if full.scheme not in ("http", "https") or full.netloc != urlsplit(BASE_URL).netloc:
        return None
    return urlunsplit(("", "", full.path or "/", full.query, ""))


def page_key(url: str) -> tuple[str, ...]:
    """What makes a URL another page to the crawl: its path, the names of its parameters and the
    values of :data:`DISTINCT` ones; a download's path and table only (the page it comes from was
    crawled with its other parameters)."""
    parts = urlsplit(url)
    params = parse_qsl(parts.query, keep_blank_values=True)
    path = parts.path
    if path.endswith((".csv", ".xlsx")) and not path.startswith("/data/"):
        # A page's CSV and XLSX of one table: once per kind of page and table (each page's .zip,
        # every table as CSV, and its .json are followed for every page).
        path = re.sub(r"/agencies/[^/]+\.", "/agencies/K.", re.sub(r"\d{6,}", "N", path))
    if path.endswith(DOWNLOADS) or path.endswith("/original"):
        return (path, *(f"{k}={v}" for k, v in params if k == "table"))
    names = sorted({k for k, _v in params})
    return (parts.path, *names, *sorted(f"{k}={v}" for k, v in params if k in DISTINCT))


def crawl(client: TestClient, starts: list[str]) -> tuple[dict[str, int], list[str], dict[str, str]]:
    """(status per URL, problems, content type per URL) of every page reachable from *starts*."""
    seen: dict[str, int] = {}
    keys: set[tuple[str, ...]] = set()
    types: dict[str, str] = {}
    problems: list[str] = []
    queue: deque[tuple[str, str]] = deque((s, "(start)") for s in starts)
    while queue:
        url, referrer = queue.popleft()
        key = page_key(url)
        if url in seen or key in keys:
            continue
        keys.add(key)
        assert len(seen) < MAX_REQUESTS, f"more than {MAX_REQUESTS} URLs: links multiply ({url} from {referrer})"
        client.cookies.clear()  # each URL on its own: ?lang=en sets a cookie for the pages after it
        response = client.get(url)
        seen[url] = response.status_code
        ctype = response.headers.get("content-type", "")
        types[url] = ctype
        if response.status_code >= 400:
            problems.append(f"{response.status_code} {url} (linked from {referrer}): {response.text[:200]}")
            continue
        problems.extend(f"{url}: {p}" for p in _download_problems(url, response))
        if not ctype.startswith("text/html") or url.endswith("/original"):
            continue  # an original is the report as published: its links are its site's, not ours
        page_url = str(response.url)
        parser = Links()
        parser.feed(response.text)
        for href in [*parser.urls, *parser.forms]:
            local = _local(page_url, href)
            if local is not None and local not in seen:
                queue.append((local, url))
    return seen, problems, types


def _download_problems(url: str, response: Any) -> Iterator[str]:
    """A download that is not what its name says: a CSV without its BOM (Excel would garble the
    Chinese), a workbook or archive that does not open."""
    path = urlsplit(url).path
    body = response.content
    if path.endswith(".csv"):
        if not body.startswith(b"\xef\xbb\xbf"):
            yield "CSV without a BOM"
        body.decode("utf-8")
    elif path.endswith((".xlsx", ".zip")):
        with zipfile.ZipFile(io.BytesIO(body)) as zf:
            bad = zf.testzip()
            if bad:
                yield f"damaged member {bad}"
            if path.endswith(".zip"):
                for name in zf.namelist():
                    if name.endswith(".csv") and not zf.read(name).startswith(b"\xef\xbb\xbf"):
                        yield f"{name}: CSV without a BOM"
    elif path.endswith(".parquet") and not (body.startswith(b"PAR1") and body.endswith(b"PAR1")):
        yield "not a Parquet file"


def test_every_link_and_form_answers(client: TestClient, nav: NavCorpus) -> None:
    # A roster of who should publish, with an agency the corpus has never seen: listed, not linked.
    roster = "机关名称,区划代码\n从未发布过的局,420203\n西塞山区医疗保障局,420203\n".encode()
    up = client.post(
        "/regions/all/roster", files={"roster": ("roster.csv", roster, "text/csv")}, headers={"Origin": BASE_URL}
    )
    assert up.status_code == 200 and "从未发布过的局" in up.text
    starts = ["/", "/api", "/api/docs", "/data", "/regions", "/rules", "/upload", "/write", "/?lang=en"]
    seen, problems, types = crawl(client, starts)
    assert not problems, f"{len(problems)} broken of {len(seen)}:\n" + "\n".join(problems[:40])
    paths = {urlsplit(u).path for u in seen}
    # The crawl reached every kind of page and every kind of download from the navigation alone.
    for expected in ("/", "/regions", "/regions.json", "/regions.zip", "/data", "/data.json", "/api", "/rules"):
        assert expected in paths, expected
    for kind, rid in nav.by_kind.items():
        assert f"/reports/{rid}" in paths, kind
        assert f"/reports/{rid}/original" in paths, kind  # each kind's original is linked and opens
        assert f"/reports/{rid}.zip" in paths  # 下载全部表格 CSV: every table, one CSV each
    assert any(p.startswith("/agencies/") for p in paths)
    assert any(p.startswith("/regions/") and p.count("/") == 2 for p in paths)
    assert any(p.startswith("/data/") and p.endswith(".parquet") for p in paths)
    assert any(p.startswith("/data/") and p.endswith(".xlsx") for p in paths)
    # A file gone or changed since it was ingested is not linked as if it were there.
    assert f"/reports/{nav.moved}/original" not in paths
    assert f"/reports/{nav.changed}/original" not in paths
    filters = [u for u in seen if u.startswith("/regions?") and "province=" in u]
    assert filters, "the region filter bar's form was submitted"
    assert any(types[u].startswith("text/csv") for u in seen)


# --- the original file -----------------------------------------------------------------------


def test_original_files(client: TestClient, nav: NavCorpus) -> None:
    expected = {
        "pdf": ("application/pdf", "inline"),
        "html": ("text/html", "inline"),
        "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "attachment"),
        "text": ("text/plain", "inline"),
    }
    db = client.app.state.web.db  # type: ignore[attr-defined]
    for kind, (media, disposition) in expected.items():
        rid = nav.by_kind[kind]
        r = client.get(f"/reports/{rid}/original")
        assert r.status_code == 200, (kind, r.text[:300])
        assert r.headers["content-type"].split(";")[0] == media
        assert r.headers["content-disposition"].startswith(disposition + "; filename=")
        real = db.source_path(rid)
        assert r.content == Path(real).read_bytes()
        assert Path(real).name in r.headers["content-disposition"]
        if kind == "html":  # a page from elsewhere runs no script here, and reads nothing of this site
            assert r.headers["content-security-policy"].startswith("sandbox")
        if kind == "text":
            assert "charset=" in r.headers["content-type"]
        page = client.get(f"/reports/{rid}").text
        assert f'href="/reports/{rid}/original"' in page


def test_original_moved_or_changed(client: TestClient, nav: NavCorpus) -> None:
    moved = client.get(f"/reports/{nav.moved}/original")
    assert moved.status_code == 404
    assert "原件已不在导入时的位置" in moved.text and nav.moved_name in moved.text
    assert "重新导入" in moved.text
    page = client.get(f"/reports/{nav.moved}").text
    assert "原件已不在原处" in page and f'href="/reports/{nav.moved}/original"' not in page
    en = client.get(f"/reports/{nav.moved}/original?lang=en")
    assert en.status_code == 404 and "no longer where it was ingested" in en.text
    client.cookies.clear()  # ?lang=en is remembered in a cookie
    changed = client.get(f"/reports/{nav.changed}/original")
    assert changed.status_code == 409 and "已改动" in changed.text
    assert "原件在导入后已改动" in client.get(f"/reports/{nav.changed}").text
    # Only what the database knows: an id, never a path.
    for bad in ("/reports/..%2F..%2Fetc%2Fpasswd/original", "/reports/1/original", "/reports/abc/original"):
        assert client.get(bad).status_code == 404, bad


# --- broken links of issue 12, one by one -----------------------------------------------------


def test_the_links_that_were_broken(client: TestClient, nav: NavCorpus) -> None:
    rid = nav.by_kind["text"]
    national = client.get("/regions").text
    for twin in ("/regions.csv?table=rankings", "/regions.xlsx", "/regions.json", "/regions.zip"):
        assert twin.split("?")[0] in national or twin.startswith("/regions.csv")
        r = client.get(twin)
        assert r.status_code == 200, (twin, r.text[:200])
    # "下载全部表格 CSV": every table as CSV, one file each, in a ZIP (one CSV needs ?table=).
    page = client.get(f"/reports/{rid}").text
    assert f"/reports/{rid}.zip" in page and f'href="/reports/{rid}.csv"' not in page
    with zipfile.ZipFile(io.BytesIO(client.get(f"/reports/{rid}.zip").content)) as zf:
        names = zf.namelist()
        assert f"gongkai-report-{rid}-requests.csv" in names and f"gongkai-report-{rid}-findings.csv" in names
        text = zf.read(f"gongkai-report-{rid}-requests.csv").decode("utf-8")
        assert text.startswith("\ufeff行键,行,")
    only = client.get(f"/reports/{rid}.csv")
    assert only.status_code == 400 and f"/reports/{rid}.zip" in only.json()["error"]
    index = client.get("/api")
    assert index.status_code == 200 and index.json()["docs"] == "/api/docs"


# --- the API's shapes -------------------------------------------------------------------------


def _undocumented(model: type[BaseModel], data: Any, where: str = "") -> Iterator[str]:
    """Keys of *data* that *model* does not name, recursively (through lists and dicts)."""
    if not isinstance(data, dict):
        return
    fields = model.model_fields
    names = {f.alias or k: f for k, f in fields.items()}
    for key, value in data.items():
        field = names.get(key)
        if field is None:
            yield f"{where}.{key}"
            continue
        yield from _walk(field.annotation, value, f"{where}.{key}")


def _walk(annotation: Any, value: Any, where: str) -> Iterator[str]:
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield from _undocumented(annotation, value, where)
        return
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is list and isinstance(value, list):
        for i, item in enumerate(value[:50]):
            yield from _walk(args[0], item, f"{where}[{i}]")
    elif origin is dict and isinstance(value, dict):
        for k, item in list(value.items())[:50]:
            yield from _walk(args[1], item, f"{where}[{k}]")
    elif args:  # X | None
        for a in args:
            if isinstance(a, type) and issubclass(a, BaseModel) and isinstance(value, dict):
                yield from _undocumented(a, value, where)


def test_api_index_lists_every_documented_endpoint(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    index = client.get("/api").json()
    m.ApiIndex.model_validate(index)
    listed = {(e["method"], e["path"]) for e in index["endpoints"]}
    documented = {(meth.upper(), p) for p, item in spec["paths"].items() if p.startswith("/api") for meth in item}
    assert listed == documented
    assert ("GET", "/api") in listed and ("GET", "/api/data") in listed
    assert client.get("/api/docs").status_code == 200


def test_every_api_answer_has_its_documented_shape(client: TestClient, nav: NavCorpus) -> None:
    spec = client.get("/api/openapi.json").json()
    rid = nav.by_kind["text"]
    report = client.get(f"/api/reports/{rid}").json()
    agency_key = report["report"]["agency_key"]
    # A decision, so that the decision lists are not empty.
    finding = client.get("/api/findings?limit=1").json()["findings"][0]
    stored = client.post(
        "/api/decisions",
        json={"report": finding["report"], "key": finding["key"], "decision": "confirmed", "reviewer": "测试"},
        headers={"Origin": BASE_URL},
    )
    assert stored.status_code == 200, stored.text
    m.DecisionStored.model_validate(stored.json())
    urls: dict[str, type[BaseModel]] = {
        "/api": m.ApiIndex,
        "/api/data": m.DataPage,
        "/api/findings?decision=all": m.FindingsPage,
        "/api/reports?status=all": m.ReportsPage,
        f"/api/reports/{rid}": m.ReportPage,
        f"/api/reports/{finding['report']}": m.ReportPage,
        f"/api/agencies/{quote(agency_key, safe='')}": m.AgencyPage,
        "/api/regions/all": m.RegionPage,
        "/api/regions/420000": m.RegionPage,
        "/api/rules": m.RulesPage,
        "/api/decisions": m.DecisionsPage,
    }
    for url, model in urls.items():
        r = client.get(url)
        assert r.status_code == 200, (url, r.text[:300])
        data = r.json()
        model.model_validate(data)
        extra = list(_undocumented(model, data))
        assert not extra, f"{url}: keys the API documentation does not name: {extra[:10]}"
    # Every GET and POST under /api documents its answer (a schema, not an empty object).
    for path, item in spec["paths"].items():
        if not path.startswith("/api") or path.startswith("/api/upload"):  # pages/upload.py: its own shapes
            continue
        for method, op in item.items():
            schema = op["responses"]["200"]["content"]["application/json"]["schema"]
            assert "$ref" in schema, (method, path, schema)
    assert client.get("/api/decisions").json()["decisions"], "the decision taken is listed"
