"""gongkai serve and the corpus commands on one database file at once (issue 12, item 1).

DuckDB lets one process use a file at a time. The server holds it only while it answers and lets
a process that waits for it go first (gongkai.views.web.db, gongkai.store.turns); ingest holds it
per batch. These tests run the real commands as processes of their own beside a real server
process while pages are requested without pause: the pages keep answering 200, ``ingest``
finishes and its reports appear on the server, and ``sum``, ``roster`` and ``export`` work. A
database kept by another process past the wait is refused with a message that says what to do.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser_support import free_port
from gongkai.corpus.ingest import ingest
from gongkai.store.db import Store

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
PAGES = ("/", "/index.json", "/regions/all", "/api/reports?limit=5", "/rules")
NEW_REPORTS = 24


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT / "src"), "GONGKAI_LANG": "zh", **extra}


def gongkai(*args: Any, timeout: float = 300, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gongkai", *map(str, args)],
        env=_env(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _get(url: str, timeout: float = 60) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


class Load:
    """Requests the pages one after another, without pause, from a thread, until stopped."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.codes: Counter[int | str] = Counter()
        self.errors: list[str] = []
        self.slowest = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        n = 0
        while not self._stop.is_set():
            path = PAGES[n % len(PAGES)]
            started = time.monotonic()
            try:
                code, body = _get(self.base + path)
            except Exception as exc:  # a refused or dropped connection counts against the server
                self.codes[type(exc).__name__] += 1
                self.errors.append(f"{path}: {exc}")
                continue
            self.slowest = max(self.slowest, time.monotonic() - started)
            self.codes[code] += 1
            if code != 200:
                self.errors.append(f"{path}: {code} {body[:300]!r}")
            n += 1

    def __enter__(self) -> Load:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=120)

    @property
    def total(self) -> int:
        return sum(self.codes.values())


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A corpus of the examples, served by a real ``gongkai serve`` process; and a folder of
    reports not yet ingested."""
    folder = tmp_path_factory.mktemp("concurrency")
    db = folder / "corpus.duckdb"
    with Store(db) as store:
        ingest([EXAMPLES], store, workers=1)
    new = folder / "new"
    sys.path.insert(0, str(ROOT / "tools"))
    import generate_corpus

    generate_corpus.generate(new, NEW_REPORTS, seed=11, error_rate=0.3, kind_weights={"text": 1.0})
    (new / "manifest.jsonl").unlink(missing_ok=True)
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
    try:
        yield {"base": base, "db": db, "new": new, "folder": folder, "log": folder / "serve.log"}
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _reports_total(base: str) -> int:
    code, body = _get(base + "/api/reports?limit=1")
    assert code == 200, body
    return int(json.loads(body)["total"])


def test_ingest_beside_the_server_while_pages_are_requested(served: dict[str, Any]) -> None:
    base, db = served["base"], served["db"]
    before = _reports_total(base)
    with Load(base) as load:
        time.sleep(1)  # the server holds the file for the pages
        started = time.monotonic()
        done = gongkai("ingest", served["new"], "--db", db, "--silent", "--workers", "1", "--batch-size", "5")
        seconds = time.monotonic() - started
        during = load.total
        time.sleep(1)
    assert done.returncode == 0, done.stderr
    assert f"{NEW_REPORTS} 个文件：新解析 {NEW_REPORTS}（失败 0）" in done.stderr
    print(
        f"\ningest of {NEW_REPORTS} beside the server: {seconds:.1f} s; {load.total} pages "
        f"({during} during it), slowest {load.slowest:.2f} s"
    )
    assert load.errors == [], load.errors[:5]
    assert during >= 10, "pages were requested while the ingest ran"
    assert set(load.codes) == {200}
    # the new reports appear on the server: its pages read the file again
    assert _reports_total(base) == before + NEW_REPORTS
    listed = json.loads(_get(base + "/index.json")[1])
    assert listed["summary"]["reports"] == before + NEW_REPORTS


def test_sum_roster_export_beside_the_server(served: dict[str, Any]) -> None:
    base, db, folder = served["base"], served["db"], served["folder"]
    roster = folder / "expected.csv"
    roster.write_text("机关名称,区划代码\n临河区财政局,150802\n巴彦淖尔市临河区医保局,\n", encoding="utf-8")
    with Load(base) as load:
        time.sleep(1)
        summed = gongkai("sum", "--region", "全国", "--year", "2023", "--db", db, "--format", "json")
        missing = gongkai("roster", roster, "--year", "2023", "--db", db, "--format", "json")
        exported = gongkai("export", "--format", "csv", "--db", db, "--out", folder / "out")
        time.sleep(1)
    for done in (summed, missing, exported):
        assert done.returncode == 0, done.stderr
    assert json.loads(summed.stdout)["agencies"] >= 2
    assert "临河区财政局" in missing.stdout and "医保局" not in missing.stdout
    assert (folder / "out" / "reports.csv").stat().st_size > 0
    assert load.errors == [], load.errors[:5]
    assert set(load.codes) == {200} and load.total >= 5


def _holder(db: Path, seconds: float) -> subprocess.Popen[str]:
    """Another program that keeps the database (a DuckDB connection that is not gongkai's)."""
    code = (
        "import duckdb, sys, time\n"
        f"con = duckdb.connect({str(db)!r})\n"
        "print('held', flush=True)\n"
        f"time.sleep({seconds})\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=_env())
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_a_database_kept_by_another_program_is_explained(tmp_path: Path) -> None:
    """What is held past the wait is refused, saying to stop gongkai serve (or what holds it)."""
    from fastapi.testclient import TestClient

    from gongkai.views.web.app import create_app
    from gongkai.views.web.db import WebDB

    db = tmp_path / "c.duckdb"
    with Store(db) as store:
        ingest([EXAMPLES / "003_4a9178fd99f7f697.txt"], store, workers=1)
    web = WebDB(db, uploads_dir=tmp_path / "up", linger=0.1, wait=1.0)
    with TestClient(create_app(web), base_url="http://127.0.0.1") as client:
        assert client.get("/index.json").status_code == 200
        time.sleep(0.5)  # let go of after the linger
        holder = _holder(db, 30)
        try:
            refused = gongkai("sum", "--region", "全国", "--year", "2023", "--db", db, GONGKAI_LOCK_WAIT="1")
            assert refused.returncode == 2
            assert "另一个进程一直在使用它" in refused.stderr and "停止 gongkai serve" in refused.stderr
            english = gongkai(
                "--lang", "en", "ingest", EXAMPLES, "--db", db, "--silent", GONGKAI_LOCK_WAIT="1", timeout=120
            )
            assert english.returncode == 2
            assert "stop gongkai serve" in english.stderr and "GONGKAI_LOCK_WAIT" in english.stderr
            page = client.get("/index.json")
            assert page.status_code == 503 and page.headers["retry-after"] == "5"
            assert "正被另一个进程使用" in page.json()["error"]
            html = client.get("/?lang=en")
            assert html.status_code == 503 and "is in use by another process" in html.text
        finally:
            holder.kill()
            holder.wait()
        assert client.get("/index.json").status_code == 200  # and it answers again
    web.close()


def test_the_server_lets_a_waiting_process_go_first(tmp_path: Path) -> None:
    """While requests keep the file open, a process that announces it waits gets it within a
    bounded time: the server finishes the requests under way and closes the file."""
    from fastapi.testclient import TestClient

    from gongkai.views.web.app import create_app
    from gongkai.views.web.db import WebDB

    db = tmp_path / "c.duckdb"
    with Store(db) as store:
        ingest([EXAMPLES / "003_4a9178fd99f7f697.txt"], store, workers=1)
    web = WebDB(db, uploads_dir=tmp_path / "up", linger=3600)  # never let go of for idleness
    with TestClient(create_app(web), base_url="http://127.0.0.1") as client:
        assert client.get("/index.json").status_code == 200
        assert web.store.connected
        started = time.monotonic()
        done = gongkai(
            "sum", "--region", "全国", "--year", "2023", "--db", db, "--format", "json", GONGKAI_LOCK_WAIT="60"
        )
        assert done.returncode == 0, done.stderr
        assert web.yielded >= 1
        print(f"\nsum while the server held the file: {time.monotonic() - started:.1f} s")
        assert client.get("/index.json").status_code == 200
    web.close()


def test_the_year_rules_let_a_waiting_process_go_between_groups(tmp_path: Path) -> None:
    """The year-over-year phase commits a group of agencies at a time and, between two groups,
    lets go of the file when another process waits for it: a command started while it holds the
    file gets its turn before the phase ends, and the findings are those of one group."""
    from gongkai.corpus.year import run_year_rules

    sys.path.insert(0, str(ROOT / "tools"))
    import generate_corpus

    folder = tmp_path / "in"
    generate_corpus.generate(
        folder, 16, seed=5, error_rate=1.0, kind_weights={"text": 1.0}, only=("Y001", "Y002", "Y003"), cycle=True
    )
    db = tmp_path / "c.duckdb"
    with Store(db) as store:
        ingest([folder], store, workers=1)
        keys = [k for (k,) in store.query("SELECT DISTINCT agency_key FROM reports WHERE agency_key IS NOT NULL")]
        expected = store.query("SELECT * EXCLUDE (seq) FROM findings WHERE origin = 'year' ORDER BY ALL")
        assert len(keys) >= 3 and expected
        opened = store.opened
        waiting = subprocess.Popen(
            [sys.executable, "-m", "gongkai", "sum", "--region", "全国", "--year", "2023", "--db", str(db)],
            env=_env(GONGKAI_LOCK_WAIT="120"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            from gongkai.store import turns

            while not turns.others_waiting(str(db)):  # it found the file held and said it waits
                assert waiting.poll() is None and time.monotonic() < deadline, waiting.communicate()
                time.sleep(0.05)
            assert run_year_rules(store, agency_keys=keys, keys_per_query=1) == len(expected)
            assert store.opened > opened  # let go of between two groups, opened again for the next
            assert store.connected  # still held: the command finishes only if it had its turn meanwhile
            _out, err = waiting.communicate(timeout=60)
        finally:
            store.release()
            waiting.kill()
        assert waiting.returncode == 0, err
        assert store.query("SELECT * EXCLUDE (seq) FROM findings WHERE origin = 'year' ORDER BY ALL") == expected


def _quick_server(tmp_path: Path) -> Any:
    from gongkai.views.web.db import WebDB

    db = tmp_path / "c.duckdb"
    with Store(db) as store:
        ingest([EXAMPLES / "003_4a9178fd99f7f697.txt"], store, workers=1)
    return WebDB(db, uploads_dir=tmp_path / "up", linger=3600, wait=3.0)


def test_a_waiter_that_left_does_not_keep_requests_out(tmp_path: Path) -> None:
    """A process that said it waits while a request held the file, and then gave up (or a probe of
    another process seen for an instant), must not keep later requests waiting: they answer at
    once. (CI saw 503s after such a moment: requests waited for a turn nobody was taking.)"""
    from fastapi.testclient import TestClient

    from gongkai.store import turns
    from gongkai.views.web.app import create_app

    web = _quick_server(tmp_path)
    with TestClient(create_app(web), base_url="http://127.0.0.1") as client:
        assert client.get("/index.json").status_code == 200
        with web.session():
            assert web.scalar("SELECT count(*) FROM reports") == 1  # a request under way holds the file
            waiter = turns.Announcement(web.path)
            time.sleep(0.3)  # the server saw it and keeps new requests out until it had its turn
            waiter.withdraw()  # it gave up
            time.sleep(0.3)
            started = time.monotonic()
            assert client.get("/index.json").status_code == 200
            assert time.monotonic() - started < 2.0
    web.close()


def test_a_hold_outside_requests_is_not_yielded_for(tmp_path: Path) -> None:
    """A hold taken outside any request (a tool, a test reading the server's database) keeps the
    file until the server closes; a waiter then cannot have it, and requests must not wait for it."""
    from fastapi.testclient import TestClient

    from gongkai.store import turns
    from gongkai.views.web.app import create_app

    web = _quick_server(tmp_path)
    with TestClient(create_app(web), base_url="http://127.0.0.1") as client:
        assert web.scalar("SELECT count(*) FROM reports") == 1  # the standing hold
        waiter = turns.Announcement(web.path)
        try:
            time.sleep(0.3)
            assert client.get("/index.json").status_code == 200
        finally:
            waiter.withdraw()
    web.close()


def test_two_watchers_in_one_process_do_not_see_each_other() -> None:
    """A probe holds the wait file exclusively for an instant; another watcher of the same process
    probing then must not take it for a waiter."""
    import tempfile

    from gongkai.store import turns

    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "c.duckdb")
        watchers = [turns.Watcher(path) for _ in range(4)]
        seen: list[bool] = []

        def probe(w: turns.Watcher) -> None:
            seen.extend(w.others_waiting() for _ in range(2000))

        threads = [threading.Thread(target=probe, args=(w,)) for w in watchers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for w in watchers:
            w.close()
        assert len(seen) == 8000 and not any(seen)
