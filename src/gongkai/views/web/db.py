"""The web app's handle on the corpus database.

One :class:`gongkai.store.Store` per server, opened read-write (uploads and review decisions write
to it). Requests run on a thread pool; each thread reads through its own DuckDB cursor, and every
write goes through :meth:`WebDB.writing`, which serialises writers with one lock.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

import duckdb

from gongkai.store.db import Store
from gongkai.views.web import decisions

T = TypeVar("T")
PAGE_CACHE_SIZE = 64


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
        self._pages: OrderedDict[Hashable, Any] = OrderedDict()
        self._pages_lock = threading.Lock()
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

    def version(self) -> tuple[Any, ...]:
        """Changes whenever the data a page shows may have changed: a fingerprint of ``reports``
        (ingests, uploads, including by another connection) and the count of writes made through
        this object (decisions, year-over-year re-checks)."""
        fp = self.tuples("SELECT count(*), max(ingested_at), sum(id % 1000003) FROM reports")[0]
        return (*fp, self.generation)

    def cached(self, key: Hashable, build: Callable[[], T]) -> T:
        """*build()*, remembered until the data changes (:meth:`version`): the aggregate pages
        (regions, the problem list) are derived data, like a materialised view."""
        full = (key, self.version())
        with self._pages_lock:
            if full in self._pages:
                self._pages.move_to_end(full)
                return cast(T, self._pages[full])
        value = build()
        with self._pages_lock:
            self._pages[full] = value
            while len(self._pages) > PAGE_CACHE_SIZE:
                self._pages.popitem(last=False)
        return value

    def clear_cache(self) -> None:
        with self._pages_lock:
            self._pages.clear()

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
