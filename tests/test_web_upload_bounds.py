"""An uploaded file is read in a worker process within the server's limits: a file that hangs the
reader, inflates past the memory bound or crashes its worker ends with a message naming the
bound, and the server goes on answering (issue 11)."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gongkai.corpus.ingest import ingest
from gongkai.limits import Limits
from gongkai.store.db import Store
from gongkai.views.web.app import create_app

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
BASE_URL = "http://127.0.0.1"


@pytest.fixture()
def client(tmp_path: Path):  # type: ignore[no-untyped-def]
    db = tmp_path / "c.duckdb"
    with Store(db) as store:
        ingest([EXAMPLES / "000_a548d0fc6c0d78a3.txt"], store, workers=1)
    app = create_app(db, uploads_dir=tmp_path / "uploads", limits=Limits(seconds=3, memory_mb=600))
    with TestClient(app, base_url=BASE_URL) as c:
        yield c


def _seed(name: str = "003_4a9178fd99f7f697.txt") -> bytes:
    return (EXAMPLES / name).read_bytes()


def test_a_hanging_file_times_out_and_the_server_answers(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGKAI_FAULTS", "parse:hang:slow.txt")
    started = time.monotonic()
    r = client.post("/api/upload", files={"files": ("slow.txt", _seed(), "text/plain")})
    elapsed = time.monotonic() - started
    assert elapsed < 60  # bounded by seconds=3 (plus the worker's start), never the hour it hangs
    result = r.json()["results"][0]
    assert result["status"] == "failed" and result["error_code"] == "timeout"
    assert "seconds" in result["error"]
    assert client.get("/index.json").status_code == 200
    # the next upload is read normally
    monkeypatch.delenv("GONGKAI_FAULTS")
    ok = client.post("/api/upload", files={"files": ("fine.txt", _seed(), "text/plain")})
    assert ok.json()["results"][0]["status"] in ("checked", "known")


def test_memory_and_crash_are_named(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGKAI_FAULTS", "parse:memory:big.txt;parse:crash:boom.txt")
    big = client.post("/api/upload", files={"files": ("big.txt", _seed(), "text/plain")}).json()["results"][0]
    assert big["error_code"] == "memory" and "memory_mb" in big["error"]
    boom = client.post("/api/upload", files={"files": ("boom.txt", _seed(), "text/plain")}).json()["results"][0]
    assert boom["error_code"] == "crashed"
    assert client.get("/index.json").status_code == 200


def test_docx_zip_bomb_is_refused_before_it_is_unpacked(client: TestClient) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"<w:document>" + b" " * (300 * 1024 * 1024) + b"</w:document>")
    data = buf.getvalue()
    assert len(data) < 1024 * 1024  # small on disk, 300 MB inflated
    r = client.post("/api/upload", files={"files": ("bomb.docx", data, "application/octet-stream")})
    result = r.json()["results"][0]
    assert result["status"] == "failed" and result["error_code"] == "limit" and "unzipped_mb" in result["error"]
