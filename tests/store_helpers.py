"""Shared by tests/test_store_*.py: the corpus generator and database snapshots."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import generate_corpus  # noqa: E402

from gongkai.store.db import Store  # noqa: E402

__all__ = ["ROOT", "generate_corpus", "snapshot"]


def snapshot(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Everything stored, in a stable order, without the ingest time."""
    with Store(db, read_only=True) as store:
        return {
            "reports": store.query("SELECT * EXCLUDE (ingested_at, first_ingested_at) FROM reports ORDER BY id"),
            "sections": store.query("SELECT * FROM sections ORDER BY report, ordinal"),
            "values": store.query('SELECT * FROM "values" ORDER BY report, table_key, row_order, column_key'),
            "findings": store.query("SELECT * FROM findings ORDER BY report, origin, seq"),
            "pending": store.query("SELECT * FROM pending_year_checks ORDER BY 1"),
        }


_BUILT: dict[tuple[Any, ...], tuple[Path, Path, list[dict[str, Any]]]] = {}


def built_corpus(
    n: int = 90, *, seed: int = 21, error_rate: float = 0.6, junk: int = 4, kinds: dict[str, float] | None = None
) -> tuple[Path, Path, list[dict[str, Any]]]:
    """A generated corpus ingested into a database, built once per test session:
    (corpus folder, database, manifest)."""
    import atexit
    import shutil
    import tempfile

    from gongkai.corpus.ingest import ingest

    key = (n, seed, error_rate, junk, tuple(sorted((kinds or {}).items())))
    if key not in _BUILT:
        base = Path(tempfile.mkdtemp(prefix="gongkai-store-test-"))
        atexit.register(shutil.rmtree, base, True)
        corpus, db = base / "corpus", base / "corpus.duckdb"
        entries = generate_corpus.generate(
            corpus, n, seed=seed, error_rate=error_rate, junk=junk, kind_weights=kinds, cycle=True
        )
        with Store(db) as store:
            ingest([corpus], store, workers=1)
        _BUILT[key] = (corpus, db, [e.to_dict() for e in entries])
    return _BUILT[key]
