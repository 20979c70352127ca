"""What the ingest's speed-ups (issue 13) must not change: a count sent as a plain int is stored as
the same DECIMAL as before, and the ingest leaves the collector's thresholds as it found them."""

from __future__ import annotations

import dataclasses
import gc
from decimal import Decimal
from pathlib import Path

from gongkai.corpus.ingest import ingest, process_file
from gongkai.store.db import Store
from gongkai.store.rows import ReportRows
from store_helpers import generate_corpus, snapshot


def _as_decimals(rows: ReportRows) -> ReportRows:
    """*rows* with every value a Decimal, as the workers sent them before."""
    values = [(*v[:4], Decimal(v[4]) if isinstance(v[4], int) else v[4], *v[5:]) for v in rows.unpack().values]
    return dataclasses.replace(rows, values=values, report=dict(rows.report))


def test_counts_sent_as_ints_are_stored_as_the_decimals_they_were(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    generate_corpus.generate(corpus, 6, seed=5, junk=1)
    files = sorted(str(p) for p in corpus.rglob("*") if p.is_file() and p.name != "manifest.jsonl")
    batch = [process_file(f) for f in files]
    values = [v[4] for r in batch for v in r.values]
    assert any(type(v) is int for v in values)  # counts stay ints…
    assert all(v is None or type(v) in (int, Decimal) for v in values)  # …anything else a Decimal
    dbs = []
    for name, rows in (("ints", batch), ("decimals", [_as_decimals(r) for r in batch])):
        db = tmp_path / f"{name}.duckdb"
        with Store(db) as store:
            store.write_reports(rows)
        dbs.append(snapshot(db))
    assert dbs[0] == dbs[1]
    assert dbs[0]["values"]


def test_ingest_restores_the_collector_thresholds(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    generate_corpus.generate(corpus, 3, seed=9, junk=1)
    before = gc.get_threshold()
    with Store(tmp_path / "c.duckdb") as store:
        setting = "SELECT current_setting('checkpoint_threshold')"
        checkpoint = store.query(setting)
        result = ingest([corpus], store, workers=1)
        assert result.parsed >= 3
        assert store.query(setting) == checkpoint  # the ingest leaves the checkpoint threshold as it found it
    assert gc.get_threshold() == before


def test_ingests_at_once_put_back_the_thresholds_the_first_found() -> None:
    """Two ingests in one process (uploads to the web app) share the collector's thresholds: the
    last to end puts back what the first found, whichever ends first."""
    from gongkai.workers import GC_THRESHOLDS, fewer_collections

    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        for first_ends_first in (True, False):
            a, b = fewer_collections(), fewer_collections()
            a.__enter__()
            assert gc.get_threshold() == GC_THRESHOLDS
            b.__enter__()
            (a if first_ends_first else b).__exit__(None, None, None)
            assert gc.get_threshold() == GC_THRESHOLDS  # the other still runs
            (b if first_ends_first else a).__exit__(None, None, None)
            assert gc.get_threshold() == (700, 10, 10)
        with fewer_collections():  # an ingest that fails still puts them back
            try:
                with fewer_collections():
                    raise RuntimeError
            except RuntimeError:
                pass
            assert gc.get_threshold() == GC_THRESHOLDS
        assert gc.get_threshold() == (700, 10, 10)
    finally:
        gc.set_threshold(*before)
