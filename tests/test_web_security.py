"""The web app under attack (issue 11): DNS rebinding, the token in the access log, concurrent
uploads, request bodies and downloads without bounds, query values that crashed pages, a missing
or corrupt database, the Content-Security-Policy, weak tokens and server paths in pages."""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import re
import shutil
import socket
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from gongkai.corpus.ingest import ingest
from gongkai.store.db import Store
from gongkai.views.cli import app as cli_app
from gongkai.views.web.app import create_app
from gongkai.views.web.guards import MAX_FORM_BYTES, TokenLogFilter, redact

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SEED = EXAMPLES / "003_4a9178fd99f7f697.txt"
LOCAL = "http://127.0.0.1"
TOKEN = "tok-0123456789abcdef-XYZ"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five examples, ingested by absolute path (as a server's folder would be)."""
    db = tmp_path_factory.mktemp("websec") / "corpus.duckdb"
    with Store(db) as store:
        ingest([EXAMPLES.resolve()], store, workers=1)
    return db


@pytest.fixture()
def fresh_db(corpus: Path, tmp_path: Path) -> Path:
    """A copy of the corpus a test may write to."""
    copy = tmp_path / "copy.duckdb"
    shutil.copy(corpus, copy)
    return copy


def _finding(client: TestClient) -> tuple[int, str]:
    f = client.get("/api/findings?limit=1").json()["findings"][0]
    return int(f["report"]), str(f["key"])


def _decisions(client: TestClient) -> int:
    return int(client.app.state.web.db.scalar("SELECT count(*) FROM decisions"))  # type: ignore[attr-defined]


# --- 5. DNS rebinding ------------------------------------------------------------------------


def test_dns_rebinding_host_is_refused(fresh_db: Path, tmp_path: Path) -> None:
    app = create_app(fresh_db, uploads_dir=tmp_path / "up")
    with TestClient(app, base_url=LOCAL) as local:
        rid, key = _finding(local)
        before = _decisions(local)
        # A rebinding page: its own name as Host and Origin, no token, a decision posted.
        evil = {"Host": "evil.example", "Origin": "http://evil.example"}
        r = local.post("/api/decisions", json={"report": rid, "key": key, "decision": "dismissed"}, headers=evil)
        assert r.status_code == 400 and r.json()["ok"] is False
        assert "evil.example" in r.json()["error"] and "DNS" in r.json()["error"]
        page = local.post(f"/reports/{rid}/decisions", data={"key": key, "decision": "dismissed"}, headers=evil)
        assert page.status_code == 400 and "evil.example" in page.text
        assert local.get("/", headers={"Host": "evil.example:8000"}).status_code == 400
        en = local.get("/index.json?lang=en", headers={"Host": "evil.example"}).json()["error"]
        assert en.startswith("Host evil.example refused")
        assert _decisions(local) == before  # nothing stored
        # The machine's own names and addresses, with or without a port, are answered.
        for host in ("127.0.0.1:8000", "localhost", "LOCALHOST:80", "[::1]:8000", "127.0.0.2"):
            assert local.get("/index.json", headers={"Host": host}).status_code == 200, host
        ok = local.post(
            "/api/decisions",
            json={"report": rid, "key": key, "decision": "dismissed"},
            headers={"Origin": LOCAL},
        )
        assert ok.status_code == 200 and _decisions(local) == before + 1


def test_bound_address_and_allowed_names(corpus: Path, tmp_path: Path) -> None:
    app = create_app(corpus, uploads_dir=tmp_path, host="192.168.7.9", token=TOKEN, allowed_hosts=["gongkai.lan"])
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(app, base_url="http://192.168.7.9:8000") as c:
        assert c.get("/index.json", headers=auth).status_code == 200
        assert c.get("/index.json", headers={**auth, "Host": "gongkai.lan:8000"}).status_code == 200
        assert c.get("/index.json", headers={**auth, "Host": "evil.example"}).status_code == 400
    # Bound to every interface the names are unknown: the token (required there) is the guard.
    app = create_app(corpus, uploads_dir=tmp_path, host="0.0.0.0", token=TOKEN)
    with TestClient(app, base_url="http://files.example") as c:
        assert c.get("/index.json", headers=auth).status_code == 200
        assert c.get("/index.json").status_code == 401


def test_serve_get_still_answers_in_process(corpus: Path, tmp_path: Path) -> None:
    copy = tmp_path / "c.duckdb"
    shutil.copy(corpus, copy)
    r = CliRunner().invoke(cli_app, ["serve", "--db", str(copy), "--host", "10.1.2.3", "--token", TOKEN, "--get", "/"])
    assert r.exit_code == 0, r.output
    assert "<!doctype html>" in r.output


# --- 7. see tests/test_export_safety.py --------------------------------------------------------
# --- 8. the token in the access log ----------------------------------------------------------


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_token_is_not_written_to_the_access_log(corpus: Path, tmp_path: Path) -> None:
    import uvicorn

    copy = tmp_path / "c.duckdb"
    shutil.copy(corpus, copy)
    app = create_app(copy, uploads_dir=tmp_path / "up", token=TOKEN)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # uvicorn's own logging configuration (as `gongkai serve` runs it), access log on
    server = uvicorn.Server(uvicorn.Config(app, log_level="info", access_log=True, lifespan="on"))
    collect = _Collect()
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                pytest.fail("uvicorn did not start")
            threading.Event().wait(0.02)
        logging.getLogger("uvicorn.access").addHandler(collect)

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any, **kwargs: Any) -> None:
                return None

        opener = urllib.request.build_opener(NoRedirect)
        with pytest.raises(urllib.request.HTTPError) as answer:
            opener.open(f"http://127.0.0.1:{port}/regions?year=2023&token={TOKEN}")
        assert answer.value.code == 303  # the token is taken into a cookie
        assert answer.value.headers["Location"] == "/regions?year=2023"
    finally:
        server.should_exit = True
        thread.join(30)
        logging.getLogger("uvicorn.access").removeHandler(collect)
        sock.close()
    logged = "\n".join(collect.lines)
    assert "/regions?year=2023&token=***" in logged and "303" in logged
    assert TOKEN not in logged


def test_log_filter_redacts_every_form() -> None:
    assert redact("GET /?token=abc&x=1 HTTP/1.1") == "GET /?token=***&x=1 HTTP/1.1"
    assert redact("/a?x=1&TOKEN=abc") == "/a?x=1&TOKEN=***"
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("c", "GET", "/?token=s", "1.1", 303),
        None,
    )
    assert TokenLogFilter().filter(record) and record.getMessage() == 'c - "GET /?token=*** HTTP/1.1" 303'


# --- 9. concurrent uploads -------------------------------------------------------------------


def test_ten_concurrent_uploads_of_one_file(fresh_db: Path, tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    data = SEED.read_text(encoding="utf-8").replace("2023", "2019").encode("utf-8")  # bytes not yet stored
    app = create_app(fresh_db, uploads_dir=uploads)
    with TestClient(app, base_url=LOCAL) as client:

        def post(i: int) -> Any:
            return client.post(
                "/api/upload", data={"store": "1"}, files={"files": ("同一份报告.txt", data, "text/plain")}
            )

        with ThreadPoolExecutor(10) as pool:
            answers = list(pool.map(post, range(10)))
        assert [a.status_code for a in answers] == [200] * 10, [a.text[:300] for a in answers]
        results = [a.json()["results"][0] for a in answers]
        assert sorted(r["status"] for r in results) == ["known"] * 9 + ["ok"]
        assert len({r["report"] for r in results}) == 1
        files = [p for p in uploads.rglob("*") if p.is_file()]
        assert [p.name for p in files] == ["同一份报告.txt"]  # no temporary file left behind
        assert files[0].read_bytes() == data
        assert not client.app.state.web.upload_locks  # type: ignore[attr-defined]


# --- 10. request bodies and downloads --------------------------------------------------------


def _asgi(
    app: Any, method: str, path: str, headers: list[tuple[bytes, bytes]], chunks: int, first: bytes = b""
) -> tuple[int, int]:
    """Send a body of *first* and *chunks* 64 KB pieces, each only when the app asks for it;
    returns (status, bytes the app read)."""
    read = 0
    status = 0
    piece = b"x" * 65536

    ended = False

    async def receive() -> dict[str, Any]:
        nonlocal read, ended
        if read >= chunks * len(piece):
            if not ended:
                ended = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}
        body = first + piece if read == 0 else piece
        read += len(piece)
        return {"type": "http.request", "body": body, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1:8000"), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    asyncio.run(app(scope, receive, send))
    return status, read


def test_request_bodies_are_bounded_while_they_stream(corpus: Path, tmp_path: Path) -> None:
    app = create_app(corpus, uploads_dir=tmp_path, max_upload_bytes=64 * 1024)
    json_head = [(b"content-type", b"application/json"), (b"origin", b"http://127.0.0.1:8000")]
    # 400 MB announced: refused from Content-Length, not one byte read
    big = [(b"content-length", str(400 * 1024 * 1024).encode())]
    assert _asgi(app, "POST", "/api/decisions", json_head + big, 6400) == (413, 0)
    assert _asgi(app, "POST", "/no/such/page.json", json_head + big, 6400) == (413, 0)
    # no Content-Length (chunked): cut off just past the limit, not read to the end
    status, read = _asgi(app, "POST", "/api/decisions", json_head, 6400)
    assert status == 413 and read <= MAX_FORM_BYTES + 65536
    # uploads may be larger (files × size), and are cut off too
    multipart = [(b"content-type", b"multipart/form-data; boundary=xyz"), (b"origin", b"http://127.0.0.1:8000")]
    part = b'--xyz\r\nContent-Disposition: form-data; name="roster"; filename="a.csv"\r\n\r\n'
    status, read = _asgi(app, "POST", "/regions/all/roster", multipart, 6400, first=part)
    assert status == 413 and 64 * 1024 * 50 <= read <= 64 * 1024 * 50 + 64 * 1024 + 65536
    with TestClient(app, base_url=LOCAL) as c:
        r = c.post("/api/decisions", content=b"{" + b" " * (MAX_FORM_BYTES + 10) + b"}", headers=dict(json_head[:1]))
        assert r.status_code == 413 and r.json() == {
            "ok": False,
            "error": "请求内容过大（上限 1 MB）。",
            "status": 413,
        }
        r = c.post("/reviewer?lang=en", content=b"x" * (MAX_FORM_BYTES + 1))
        assert r.status_code == 413 and "The request body is too large (limit 1 MB)." in r.text


def test_downloads_are_bounded(corpus: Path, tmp_path: Path) -> None:
    app = create_app(corpus, uploads_dir=tmp_path, max_exports=1)
    slots = app.state.web.export_slots
    with TestClient(app, base_url=LOCAL) as c:
        assert slots.acquire(blocking=False)  # one download being built
        try:
            busy = c.get("/index.xlsx?table=findings")
            assert busy.status_code == 503 and busy.headers["retry-after"] == "5"
            assert busy.json()["status"] == 503 and "请" in busy.json()["error"]
            assert c.get("/index.csv?table=findings").status_code == 503
            assert c.get("/").status_code == 200  # pages are not downloads
        finally:
            slots.release()
        cached = len(app.state.web.db._pages)
        ok = c.get("/index.xlsx?table=findings")
        assert ok.status_code == 200 and ok.content[:2] == b"PK"
        assert len(app.state.web.db._pages) == cached  # every finding is not kept in the page cache
        assert int(ok.headers["content-length"]) == len(ok.content)
        assert slots.acquire(blocking=False)  # the slot was given back
        slots.release()


# --- low: query values, the database, headers, tokens, paths -----------------------------------


def test_odd_query_values_are_not_server_errors(corpus: Path, tmp_path: Path) -> None:
    app = create_app(corpus, uploads_dir=tmp_path)
    with TestClient(app, base_url=LOCAL, raise_server_exceptions=False) as c:
        for url in ("/?year=²", "/regions/all?year=²", "/regions?year=٣", "/index.csv?table=findings&year=²"):
            assert c.get(url).status_code == 200, url
        huge = "9" * 30
        for url in (f"/api/findings?offset={huge}", f"/api/reports?offset={huge}", f"/api/decisions?offset={huge}"):
            r = c.get(url)
            assert r.status_code == 400 and r.json()["status"] == 400, url
        assert c.get(f"/index.json?page={huge}").status_code == 200  # clamped


def test_serve_refuses_a_missing_or_corrupt_database(corpus: Path, tmp_path: Path, monkeypatch: Any) -> None:
    import uvicorn

    started: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: started.append(a))
    runner = CliRunner()
    typo = tmp_path / "typo.duckdb"
    r = runner.invoke(cli_app, ["serve", "--db", str(typo)])
    assert r.exit_code == 2 and "数据库不存在" in r.output and "typo.duckdb" in r.output
    assert not typo.exists() and not started  # not created, not served
    broken = tmp_path / "broken.duckdb"
    data = corpus.read_bytes()
    broken.write_bytes(data[: len(data) // 3])  # truncated
    r = runner.invoke(cli_app, ["serve", "--db", str(broken)])
    assert r.exit_code == 2 and "broken.duckdb" in r.output and "已损坏或不完整" in r.output, r.output
    assert "Traceback" not in r.output and not started
    r = runner.invoke(cli_app, ["--lang", "en", "serve", "--db", str(broken), "--get", "/"])
    assert r.exit_code == 2 and "broken.duckdb is corrupt or truncated" in r.output
    garbage = tmp_path / "garbage.duckdb"
    garbage.write_bytes(b"\x00not a database" * 1000)
    r = runner.invoke(cli_app, ["serve", "--db", str(garbage)])
    assert r.exit_code == 2 and "garbage.duckdb" in r.output and not started
    good = tmp_path / "good.duckdb"
    shutil.copy(corpus, good)
    r = runner.invoke(cli_app, ["serve", "--db", str(good)])
    assert r.exit_code == 0 and len(started) == 1  # a sound database is served


_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
_INLINE_HANDLER = re.compile(r"<[^>]+\s(on[a-z]+|style)\s*=", re.I)


def test_content_security_policy(corpus: Path, tmp_path: Path) -> None:
    app = create_app(corpus, uploads_dir=tmp_path)
    with TestClient(app, base_url=LOCAL) as c:
        rid = c.get("/api/reports?limit=1").json()["reports"][0]["id"]
        agency = c.get("/api/reports?limit=1").json()["reports"][0]["agency_key"]
        pages = ["/", "/upload", f"/reports/{rid}", f"/agencies/{agency}", "/regions/all", "/regions", "/rules"]
        pages += ["/api/docs", "/no-such-page", "/index.json"]
        for url in pages:
            r = c.get(url)
            csp = r.headers["content-security-policy"]
            assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe" not in csp, url
            assert "object-src 'none'" in csp and "base-uri 'none'" in csp
            assert r.headers["x-content-type-options"] == "nosniff"
            assert r.headers["referrer-policy"] == "same-origin"
            if r.headers["content-type"].startswith("text/html"):
                # the policy allows no inline script, event handler or style attribute: there are none
                assert not _INLINE_SCRIPT.findall(r.text), url
                assert not _INLINE_HANDLER.findall(r.text), url
        docs = c.get("/api/docs").text
        assert '<script src="/static/swagger-init.js"></script>' in docs
        assert c.get("/static/swagger-init.js").status_code == 200
        assert c.get("/", headers={"Host": "evil.example"}).headers["content-security-policy"]


def test_weak_tokens_are_refused(corpus: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 16"):
        create_app(corpus, uploads_dir=tmp_path, token="short-token")
    r = CliRunner().invoke(cli_app, ["serve", "--db", str(corpus), "--token", "abc123", "--get", "/"])
    assert r.exit_code == 2 and "访问令牌太短（6 个字符）" in r.output and "16" in r.output
    r = CliRunner().invoke(cli_app, ["--lang", "en", "serve", "--host", "0.0.0.0", "--token", "abc", "--db", "x"])
    assert r.exit_code == 2 and "The token is too short (3 characters)" in r.output
    create_app(corpus, uploads_dir=tmp_path, token="0123456789abcdef")  # 16 characters will do


def test_no_absolute_server_paths_in_pages_or_api(corpus: Path, tmp_path: Path) -> None:
    app = create_app(corpus, uploads_dir=tmp_path)
    server_dir = str(EXAMPLES.resolve())
    with TestClient(app, base_url=LOCAL) as c:
        reports = c.get("/api/reports?limit=100").json()["reports"]
        assert sorted(r["path"] for r in reports) == sorted(p.name for p in EXAMPLES.glob("*.txt"))
        rid, agency = reports[0]["id"], reports[0]["agency_key"]
        for url in (
            "/api/reports",
            f"/api/reports/{rid}",
            f"/reports/{rid}",
            f"/reports/{rid}.json",
            f"/agencies/{agency}",
            f"/agencies/{agency}.json",
            "/",
            "/index.json",
            "/api/findings",
        ):
            body = c.get(url).text
            assert server_dir not in body and str(ROOT) not in body, url
        rows = list(csv.DictReader(io.StringIO(c.get("/index.csv?table=findings").content.decode("utf-8-sig"))))
        assert rows and all(not r["文件"].startswith("/") for r in rows)
        # the report view still reads its source text from the real path
        assert c.get(f"/reports/{rid}.json").json()["source"]["status"] == "ok"
        assert c.get(f"/reports/{rid}/source.txt").status_code == 200
