"""The web app's handle on the corpus database.

One :class:`gongkai.store.Store` per server, opened read-write (uploads and review decisions write
to it). Requests run on a thread pool; each thread reads through its own DuckDB cursor, and every
write goes through :meth:`WebDB.writing`, which serialises writers with one lock.

Pages read through :mod:`gongkai.store.queries`, handing it :meth:`WebDB.cursor` (and, to write,
the connection :meth:`WebDB.writing` yields); the tables are the store's, created and migrated by
:class:`~gongkai.store.db.Store`.

Pages never show where files live on the server: a path is shown relative to the ingest root (the
folder the corpus was ingested from), and an uploaded file as its name (:meth:`WebDB.shown_path`;
:meth:`WebDB.rows` does it to a ``path`` column). :meth:`WebDB.source_path` gives the real one.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

import duckdb

from gongkai.store.db import Store
from gongkai.store.queries.metrics import reports_fingerprint
from gongkai.store.queries.reports import report_path, report_paths, scan

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
        self.uploads_dir = Path(uploads_dir) if uploads_dir else default_uploads_dir(self.path)

    # --- reading ----------------------------------------------------------------------------

    def cursor(self) -> duckdb.DuckDBPyConnection:
        cur: duckdb.DuckDBPyConnection | None = getattr(self._local, "cursor", None)
        con = self.store.con  # opened again if the store let go of the file (Store.release)
        if cur is None or getattr(self._local, "opened", None) != self.store.opened:
            cur = con.cursor()
            self._local.cursor = cur
            self._local.opened = self.store.opened
            with self._cursors_lock:
                self._cursors.append(cur)
        return cur

    # SQL as it comes (tests and tools; the pages read through gongkai.store.queries)

    def rows(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        """Rows as dicts; a ``path`` column as pages show it (:meth:`shown_path`)."""
        cur = self.cursor().execute(sql, list(params or []))
        names = [d[0] for d in cur.description or []]
        return self.show_paths([dict(zip(names, row, strict=True)) for row in cur.fetchall()])

    def tuples(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        return self.cursor().execute(sql, list(params or [])).fetchall()

    def one(self, sql: str, params: Sequence[Any] | None = None) -> dict[str, Any] | None:
        rows = self.rows(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        row = self.cursor().execute(sql, list(params or [])).fetchone()
        return row[0] if row else None

    # --- paths ------------------------------------------------------------------------------

    def source_path(self, report_id: int) -> str | None:
        """Where the report's file is on this machine (to read its text); never shown."""
        return report_path(self.cursor(), report_id)

    def ingest_root(self) -> str | None:
        """The folder every absolute path stored lies under (uploads aside), or None."""
        return self.cached("ingest_root", self._ingest_root)

    def _ingest_root(self) -> str | None:
        uploads = str(self.uploads_dir)
        dirs = {os.path.dirname(p) for p in report_paths(self.cursor()) if os.path.isabs(p) and not _under(p, uploads)}
        if not dirs:
            return None
        try:
            root = os.path.commonpath(sorted(dirs))
        except ValueError:  # paths on different drives
            return None
        return root if os.path.dirname(root) != root else None  # the filesystem's root says nothing

    def show_paths(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """*rows* with their ``path`` as pages show it (:meth:`shown_path`), in place."""
        if rows and "path" in rows[0]:
            root = self.ingest_root()
            for r in rows:
                r["path"] = self.shown_path(r["path"], root)
        return rows

    def shown_path(self, path: Any, root: str | None = None) -> Any:
        """*path* as pages and the API show it: an uploaded file by its name, an absolute path
        relative to the ingest root (*root*, :meth:`ingest_root`) or else by its name; a relative
        path (as given to ``gongkai ingest``) as it is."""
        if not isinstance(path, str) or not path:
            return path
        if _under(path, str(self.uploads_dir)):
            return os.path.basename(path)
        if not os.path.isabs(path):
            return path
        if root and _under(path, root):
            return os.path.relpath(path, root)
        return os.path.basename(path)

    def version(self) -> tuple[Any, ...]:
        """Changes whenever the data a page shows may have changed: a fingerprint of ``reports``
        (ingests, uploads, including by another connection) and the count of writes made through
        this object (decisions, year-over-year re-checks)."""
        fp = reports_fingerprint(self.cursor())
        return (fp.reports, fp.last_ingested, fp.id_sum, self.generation)

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


def _under(path: str, folder: str) -> bool:
    folder = folder.rstrip("/\\")
    return bool(folder) and path.startswith(folder) and path[len(folder) : len(folder) + 1] in ("/", "\\")


PROBE_TABLES = ("reports", "sections", "values", "findings", "decisions")


def open_checked(path: str | Path, factory: Callable[[str | Path], WebDB]) -> WebDB:
    """*factory(path)* (a :class:`WebDB`), with every table the pages read scanned once, so that a
    truncated or corrupt database is refused at start with a message naming the file (as a
    :class:`~gongkai.store.db.StoreError`) instead of failing every page."""
    from gongkai.store.db import StoreError

    def refuse(exc: BaseException) -> StoreError:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return StoreError(
            f"数据库 {path} 已损坏或不完整，无法提供网页：{reason}。"
            "请从备份恢复，或删除它后用 gongkai ingest 重新建立。",
            f"The database {path} is corrupt or truncated and cannot be served: {reason}. Restore it from a "
            "backup, or delete it and build it again with gongkai ingest.",
        )

    try:
        web_db = factory(path)
    except StoreError:
        raise
    except (duckdb.Error, OSError) as exc:
        raise refuse(exc) from None
    try:
        for table in PROBE_TABLES:
            scan(web_db.cursor(), table)  # every column of every row: every block of the file
    except duckdb.Error as exc:
        web_db.close()
        raise refuse(exc) from None
    return web_db


def default_uploads_dir(db_path: str) -> Path:
    """Uploaded files are kept beside the database (``gongkai.duckdb`` → ``gongkai.uploads/``),
    so the report view can show their text; an in-memory database keeps them in a temp folder."""
    if db_path == ":memory:" or not db_path:
        import tempfile

        return Path(tempfile.mkdtemp(prefix="gongkai-uploads-"))
    p = Path(db_path)
    return p.with_name(p.stem + ".uploads")


__all__ = ["WebDB", "default_uploads_dir", "open_checked"]
