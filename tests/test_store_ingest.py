"""gongkai ingest: rows stored, idempotent, resumable after a kill, failures stored."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gongkai.corpus.ingest import ingest
from gongkai.store import schema
from gongkai.store.db import Store
from gongkai.views.cli import app
from store_helpers import ROOT, generate_corpus, snapshot

runner = CliRunner()
EXAMPLES = ROOT / "examples"


def test_ingest_examples_stores_every_table(tmp_path: Path) -> None:
    db = tmp_path / "c.duckdb"
    with Store(db) as store:
        result = ingest([EXAMPLES], store, workers=1)
        assert (result.files, result.parsed, result.skipped, result.failed) == (5, 5, 0, [])
        assert store.count("reports") == 5
        assert store.count("sections") == 30
        assert store.count("values") > 5 * 150
        row = store.query(
            """SELECT r.agency, r.agency_key, r."year", r."format", r.region_code, r.published_on,
                      v.value, v.raw, v.unit
               FROM reports r JOIN "values" v ON v.report = r.id
               WHERE v.table_key = 'proactive' AND v.row_key = 'procurement' AND v.column_key = 'amount'
                 AND r.agency LIKE '西藏%'"""
        )
        assert row == [
            (
                "西藏自治区医疗保障局",
                "540000:医疗保障局",
                2020,
                "2019",
                "540000",
                __import__("datetime").date(2022, 1, 17),
                Decimal("36609"),
                "36609万元",
                "万元",
            )
        ]
        # An agency-added row is kept, in order, after the format row it follows.
        extra = store.query(
            """SELECT row_key, row_order, after_row FROM "values"
               WHERE extra_row AND column_key = 'made' ORDER BY report"""
        )
        assert extra == [("其他主动公开文件", 2, "normative_documents")]
        # The wide views pivot the long table back.
        wide = store.query(
            """SELECT natural_person, total FROM v_requests v JOIN reports r ON r.id = v.report
               WHERE r.agency LIKE '临河%' AND v.row_key = 'new'"""
        )
        assert wide == [(Decimal(0), Decimal(0))]
        assert store.count("v_appeals") == 15
        # Blank, missing and 无 are not zero.
        nulls = store.query("""SELECT count(*) FROM "values" WHERE is_null AND value IS NULL AND status IS NOT NULL""")[
            0
        ][0]
        assert nulls >= 3


def test_reingest_parses_nothing_and_a_new_parser_version_reparses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "c.duckdb"
    with Store(db) as store:
        ingest([EXAMPLES], store, workers=1)
    before = snapshot(db)
    with Store(db) as store:
        again = ingest([EXAMPLES], store, workers=1)
    assert (again.parsed, again.skipped) == (0, 5)
    assert snapshot(db) == before

    monkeypatch.setattr(schema, "PARSER_VERSION", schema.PARSER_VERSION + 1)
    with Store(db) as store:
        newer = ingest([EXAMPLES], store, workers=1)
        assert (newer.parsed, newer.skipped) == (5, 0)
        assert {v for (v,) in store.query("SELECT DISTINCT parser_version FROM reports")} == {schema.parser_version()}
        assert store.count("reports") == 5


def test_changed_file_replaces_its_report(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    shutil.copytree(EXAMPLES, folder)
    db = tmp_path / "c.duckdb"
    with Store(db) as store:
        ingest([folder], store, workers=1)
    target = folder / "003_4a9178fd99f7f697.txt"
    target.write_text(
        target.read_text(encoding="utf-8").replace("临河区医疗保障局2023", "临河区医疗保障局 2023"), encoding="utf-8"
    )
    with Store(db) as store:
        result = ingest([folder], store, workers=1)
        assert (result.parsed, result.skipped) == (1, 4)
        assert store.count("reports") == 5
        assert store.query("SELECT count(DISTINCT path) FROM reports")[0][0] == 5
        orphans = store.query('SELECT count(*) FROM "values" WHERE report NOT IN (SELECT id FROM reports)')[0][0]
        assert orphans == 0


def test_failed_file_is_stored_and_listed(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(EXAMPLES / "001_c89b62cb4e001608.txt", folder)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "notice.txt").write_text("会议通知\n请各单位准时参加。\n", encoding="utf-8")
    db = tmp_path / "c.duckdb"
    result = runner.invoke(app, ["ingest", str(folder), "--db", str(db), "--silent"])
    assert result.exit_code == 2
    assert "empty.txt" in result.stderr and "notice.txt" in result.stderr
    assert "not_a_report" in result.stderr
    with Store(db, read_only=True) as store:
        rows = store.query("SELECT path, status, error_code, error_zh, error_en FROM reports ORDER BY path")
    assert [(Path(p).name, s, c) for p, s, c, _, _ in rows] == [
        ("001_c89b62cb4e001608.txt", "ok", None),
        ("empty.txt", "failed", "empty"),
        ("notice.txt", "failed", "not_a_report"),
    ]
    assert all(zh and en for _, s, _, zh, en in rows if s == "failed")
    # Failed files are not parsed again either.
    again = runner.invoke(app, ["ingest", str(folder), "--db", str(db), "--silent"])
    assert "未变跳过 3" in again.stderr
    # …but they are named again, and the exit status says files remain unread.
    assert again.exit_code == 2
    assert "此前已读入失败" in again.stderr and "notice.txt" in again.stderr


def test_parallel_ingest_matches_serial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gongkai.workers as workers_module

    monkeypatch.setattr(workers_module, "TASKS_PER_WORKER", 10)  # each worker replaced after 10 files
    corpus = tmp_path / "corpus"
    generate_corpus.generate(corpus, 48, seed=5, error_rate=0.3, kind_weights={"text": 1.0})
    serial, parallel = tmp_path / "s.duckdb", tmp_path / "p.duckdb"
    with Store(serial) as store:
        ingest([corpus], store, workers=1)
    with Store(parallel) as store:
        ingest([corpus], store, workers=2, batch_size=7)
    a, b = snapshot(serial), snapshot(parallel)
    # Paths are the same files; everything else is identical whatever the order of work.
    assert a == b


def _ingest_cmd(corpus: Path, db: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gongkai",
        "ingest",
        str(corpus),
        "--db",
        str(db),
        "--silent",
        "--verbose",
        "--workers",
        "1",
        "--batch-size",
        "4",
    ]


def test_killed_ingest_resumes_to_the_same_database(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    generate_corpus.generate(corpus, 60, seed=9, error_rate=0.4, kind_weights={"text": 1.0}, cycle=True)
    whole, killed = tmp_path / "whole.duckdb", tmp_path / "killed.duckdb"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "GONGKAI_LANG": "zh"}

    done = subprocess.run(_ingest_cmd(corpus, whole), env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr

    proc = subprocess.Popen(_ingest_cmd(corpus, killed), env=env, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    commits = 0
    deadline = time.monotonic() + 60
    while commits < 2 and time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        commits += "已写入" in line
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert commits == 2, "the ingest ended before it could be interrupted"

    with Store(killed, read_only=True) as store:
        stored = store.count("reports")
        assert 0 < stored < 60
        # Every stored report is whole: its sections and values came with it.
        partial = store.query(
            """SELECT count(*) FROM reports r WHERE status = 'ok' AND (
                 NOT EXISTS (SELECT 1 FROM sections s WHERE s.report = r.id)
                 OR NOT EXISTS (SELECT 1 FROM "values" v WHERE v.report = r.id))"""
        )[0][0]
        assert partial == 0

    resumed = subprocess.run(_ingest_cmd(corpus, killed), env=env, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert f"未变跳过 {stored}" in resumed.stderr
    assert snapshot(killed) == snapshot(whole)
