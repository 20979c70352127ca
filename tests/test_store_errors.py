"""A database that cannot be used gives a message naming the file and what to do, never a
traceback: a damaged file, a full disk, a file held by another process."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from gongkai.store.db import Store
from gongkai.views.cli import EXIT_USAGE_OR_IO, app

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
runner = CliRunner()


def test_truncated_database_is_named_with_advice(tmp_path: Path) -> None:
    db = tmp_path / "corpus.duckdb"
    assert runner.invoke(app, ["ingest", str(EXAMPLES), "--db", str(db), "--silent"]).exit_code == 0
    truncated = tmp_path / "truncated.duckdb"
    truncated.write_bytes(db.read_bytes()[:20000])
    result = runner.invoke(app, ["ingest", str(EXAMPLES), "--db", str(truncated), "--silent"])
    assert result.exit_code == EXIT_USAGE_OR_IO
    assert "truncated.duckdb" in result.stderr and "已损坏" in result.stderr
    assert "Traceback" not in result.output


def test_disk_full_while_writing_keeps_what_was_committed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "corpus.duckdb"

    def full(self: Store, batch: object, **kwargs: object) -> None:
        raise duckdb.IOException('IO Error: Could not write file "corpus.duckdb.wal": No space left on device')

    monkeypatch.setattr(Store, "write_reports", full)
    result = runner.invoke(app, ["ingest", str(EXAMPLES), "--db", str(db), "--silent"])
    assert result.exit_code == EXIT_USAGE_OR_IO
    assert "磁盘空间不足" in result.stderr and "corpus.duckdb" in result.stderr
    assert "Traceback" not in result.output
    monkeypatch.undo()
    # Nothing half-written: the database opens and holds no report; a rerun stores them all.
    with Store(db) as store:
        assert store.count("reports") == 0
    assert runner.invoke(app, ["ingest", str(EXAMPLES), "--db", str(db), "--silent"]).exit_code == 0
    with Store(db) as store:
        assert store.count("reports") == 5
