"""The web app's handle on the corpus database.

One :class:`gongkai.store.Store` per server, opened read-write (uploads and review decisions write
to it). Requests run on a thread pool; each thread reads through its own DuckDB cursor, and every
write goes through :meth:`WebDB.writing`, which serialises writers with one lock.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from gongkai.store.db import Store
from gongkai.views.web import decisions


class WebDB:
    def __init__(self, path: str | Path, *, uploads_dir: str | Path | None = None) -> None:
        self.path = str(path)
        self.store = Store(self.path)
        self._lock = threading.RLock()
        self._local = threading.local()
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        self._cursors_lock = threading.Lock()
        self.generation = 0  # bumped on every write: caches of derived data key on it
        self.memo: dict[str, Any] = {}  # derived data kept between requests (see metrics.ensure_metrics)
        with self.writing() as con:
            decisions.ensure_schema(con)
        self.uploads_dir = Path(uploads_dir) if uploads_dir else default_uploads_dir(self.path)

    # --- reading ----------------------------------------------------------------------------

    def cursor(self) -> duckdb.DuckDBPyConnection:
        cur: duckdb.DuckDBPyConnection | None = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self.store.con.cursor()
            self._local.cursor = cur
            with self._cursors_lock:
                self._cursors.append(cur)
        return cur

    def rows(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        cur = self.cursor().execute(sql, list(params or []))
        names = [d[0] for d in cur.description or []]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def tuples(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        return self.cursor().execute(sql, list(params or [])).fetchall()

    def one(self, sql: str, params: Sequence[Any] | None = None) -> dict[str, Any] | None:
        rows = self.rows(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        row = self.cursor().execute(sql, list(params or [])).fetchone()
        return row[0] if row else None

    # --- writing ----------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The store's own connection, held by this thread alone until the block ends."""
        with self._lock:
            try:
                yield self.store.con
            finally:
                self.generation += 1

    def close(self) -> None:
        with self._cursors_lock:
            for cur in self._cursors:
                with contextlib.suppress(duckdb.Error):
                    cur.close()
            self._cursors.clear()
        self.store.close()


def default_uploads_dir(db_path: str) -> Path:
    """Uploaded files are kept beside the database (``gongkai.duckdb`` → ``gongkai.uploads/``),
    so the report view can show their text; an in-memory database keeps them in a temp folder."""
    if db_path == ":memory:" or not db_path:
        import tempfile

        return Path(tempfile.mkdtemp(prefix="gongkai-uploads-"))
    p = Path(db_path)
    return p.with_name(p.stem + ".uploads")


__all__ = ["WebDB", "default_uploads_dir"]
