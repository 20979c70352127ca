"""The web app's handle on the corpus database.

One :class:`gongkai.store.Store` per server, opened read-write (uploads and review decisions write
to it). Requests run on a thread pool; each thread reads through its own DuckDB cursor, and every
write goes through :meth:`WebDB.writing`, which serialises writers with one lock.

The server holds the file only while it answers. DuckDB lets one process use a database file at a
time, and ``gongkai ingest``, ``sum``, ``roster`` and ``export`` must work on it while the server
runs (:mod:`gongkai.store.turns`). So every request is a *session* (:class:`DatabaseSessions`, an
ASGI middleware): it holds the database from its start (or, for uploads, from its first read) to
its answer, and the file stays open only while some request holds it and for :data:`LINGER_SECONDS`
after the last one — or not at all when another process waits for it: then no new request takes
it, the requests under way finish, the server closes the file, lets the waiting process go first
and opens the file again for the next request, waiting its turn. A request that cannot have the
file within :data:`WAIT_SECONDS` is answered 503 with ``Retry-After`` and the reason.

Derived data survive closing: the page cache and the metrics key on a fingerprint of ``reports``
(:meth:`WebDB.version`), so what another process ingests shows on the next page.

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
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar, cast

import duckdb

from gongkai.store import turns
from gongkai.store.db import Store, StoreBusy
from gongkai.store.queries.metrics import reports_fingerprint
from gongkai.store.queries.reports import report_path, report_paths, scan

T = TypeVar("T")
PAGE_CACHE_SIZE = 64
LINGER_SECONDS = 1.0  # the file stays open this long after the last request, for the next one
WAIT_SECONDS = 15.0  # a request waits this long for the file, then is answered 503 (GONGKAI_LOCK_WAIT)
TEND_SECONDS = 0.05  # how often, while the file is open, the server looks for a process waiting
YIELD_SECONDS = 10.0  # at most this long the server keeps off the file for a waiting process
RETRY_AFTER_SECONDS = 5


class _Hold:
    """One request's hold on the database (see :class:`DatabaseSessions`)."""

    __slots__ = ("held", "lock")

    def __init__(self) -> None:
        self.held = False
        self.lock = threading.Lock()


_SESSION: ContextVar[_Hold | None] = ContextVar("gongkai_db_session", default=None)


class WebDB:
    def __init__(
        self,
        path: str | Path,
        *,
        uploads_dir: str | Path | None = None,
        linger: float = LINGER_SECONDS,
        wait: float | None = None,
    ) -> None:
        self.path = str(path)
        self.store = Store(self.path, wait=turns.lock_wait(WAIT_SECONDS) if wait is None else wait)
        self.linger = linger
        self._lock = threading.RLock()
        self._local = threading.local()
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        self._cursors_lock = threading.Lock()
        self.generation = 0  # bumped on every write: caches of derived data key on it
        self.memo: dict[str, Any] = {}  # derived data kept between requests (see metrics.ensure_metrics)
        self._pages: OrderedDict[Hashable, Any] = OrderedDict()
        self._pages_lock = threading.Lock()
        self.uploads_dir = Path(uploads_dir) if uploads_dir else default_uploads_dir(self.path)
        # who holds the file: requests (sessions), and one standing hold for use outside any request
        self._turns = threading.Condition()
        self._holders = 0
        self._standing = False
        self._yielding = False  # another process waits: no new hold until it had its turn
        self._last_use = time.monotonic()
        self._closed = False
        self.yielded = 0  # times the file was let go of for a waiting process (the tests look)
        self._watcher = turns.Watcher(self.path)
        self._tender: threading.Thread | None = None
        if turns.shared(self.path):
            self._tender = threading.Thread(target=self._tend, name="gongkai-db-turns", daemon=True)
            self._tender.start()

    # --- holding the file ---------------------------------------------------------------------

    @contextmanager
    def session(self) -> Iterator[None]:
        """A block that uses the database as one request does: held from its first use to its end."""
        hold = _Hold()
        token = _SESSION.set(hold)
        try:
            yield
        finally:
            _SESSION.reset(token)
            self.let_go(hold)

    def hold(self, hold: _Hold | None = None) -> None:
        """Take the database for *hold* (default: the current session's; outside any, a standing
        hold kept until :meth:`close`), opening the file if needed. :class:`StoreBusy` when another
        process keeps it longer than the store waits."""
        hold = hold if hold is not None else _SESSION.get()
        if hold is None:
            with self._turns:
                if not self._standing:
                    self._acquire()
                    self._standing = True
            return
        with hold.lock:
            if not hold.held:
                self._acquire()
                hold.held = True

    def let_go(self, hold: _Hold | None = None) -> None:
        """End *hold* (default: the current session's) before its request ends — an upload
        before it reads its files, which takes long and needs no database. The next use takes
        the database again."""
        hold = hold if hold is not None else _SESSION.get()
        if hold is None:
            return
        with hold.lock:
            if hold.held:
                hold.held = False
                self._release()

    def _acquire(self) -> None:
        deadline = time.monotonic() + self.store.wait
        with self._turns:
            while self._yielding:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise busy_error(self.path, self.store.wait)
                self._turns.wait(min(left, TEND_SECONDS))
            if self._closed:
                raise duckdb.ConnectionException("the web app's database is closed")
            try:
                self.store.open()  # waiting its turn; the other requests wait on the condition meanwhile
            except StoreBusy:
                raise busy_error(self.path, self.store.wait) from None
            self._holders += 1
            self._last_use = time.monotonic()
            self._turns.notify_all()  # the tender looks at the open file

    def _release(self) -> None:
        with self._turns:
            self._holders -= 1
            self._last_use = time.monotonic()
            self._turns.notify_all()

    def _tend(self) -> None:
        """While the file is open: close it when no request holds it and none came for
        :attr:`linger` seconds, or at once (after the requests under way) when another process
        waits for it — then keep off it until that process had its turn."""
        with self._turns:
            while not self._closed:
                self._turns.wait(TEND_SECONDS if self.store.connected else None)
                if self._closed or not self.store.connected:
                    continue
                # a hold outside any request (tools, tests) keeps the file: it cannot be let go
                # of, so new requests must not be held back for a turn that cannot come
                waiting = not self._standing and self._watcher.others_waiting()
                if waiting != self._yielding:
                    # seen again every tick: a waiter that gave up (or a probe of another process
                    # seen for an instant) must not keep new requests out once it has gone
                    self._yielding = waiting
                    self._turns.notify_all()
                if self._holders or not (waiting or time.monotonic() - self._last_use >= self.linger):
                    continue
                self._close_file()
                if waiting:
                    self.yielded += 1
                    until = time.monotonic() + YIELD_SECONDS
                    while self._watcher.others_waiting() and time.monotonic() < until and not self._closed:
                        self._turns.wait(TEND_SECONDS)
                self._yielding = False
                self._turns.notify_all()

    def _close_file(self) -> None:
        with self._cursors_lock:
            for cur in self._cursors:
                with contextlib.suppress(duckdb.Error):
                    cur.close()
            self._cursors.clear()
        self.store.release()

    # --- reading ----------------------------------------------------------------------------

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor on the database, held for the current request (:meth:`hold`)."""
        self.hold()
        cur: duckdb.DuckDBPyConnection | None = getattr(self._local, "cursor", None)
        con = self.store.con
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
        """The store's own connection, held by this thread alone until the block ends (and the
        database held for the request; outside any, for the block)."""
        alone = _SESSION.get() is None
        if alone:
            self._acquire()
        else:
            self.hold()
        try:
            with self._lock:
                try:
                    yield self.store.con
                finally:
                    self.generation += 1
        finally:
            if alone:
                self._release()

    def close(self) -> None:
        with self._turns:
            self._closed = True
            self._turns.notify_all()
        if self._tender is not None:
            self._tender.join(timeout=5)
        with self._cursors_lock:
            for cur in self._cursors:
                with contextlib.suppress(duckdb.Error):
                    cur.close()
            self._cursors.clear()
        self.store.close()
        self._watcher.close()


def busy_error(path: str, waited: float) -> StoreBusy:
    """The answer to a request that could not have the database in time."""
    return StoreBusy(
        f"数据库 {os.path.basename(path)} 正被另一个进程使用（例如 gongkai ingest 正在写入一批报告，或 export "
        f"正在导出），已等待 {waited:.0f} 秒。请 {RETRY_AFTER_SECONDS} 秒后刷新；若一直如此，"
        "请查看是否有长时间运行的导入或导出。",
        f"The database {os.path.basename(path)} is in use by another process (gongkai ingest writing a batch, "
        f"or an export) — waited {waited:.0f} s. Reload in {RETRY_AFTER_SECONDS} seconds; if this persists, "
        "look for a long-running ingest or export.",
    )


class DatabaseSessions:
    """ASGI middleware: every request (static files aside) is a session on the database
    (:meth:`WebDB.session`), taken at its start — off the event loop, waiting its turn — or, for
    the paths *lazy* names (uploads: the body first, then the files are read without the
    database), at its first use; let go of when its answer is sent. A request that cannot have
    the database in time is answered 503 with ``Retry-After``."""

    def __init__(
        self,
        app: Any,
        db: WebDB,
        error: Callable[[dict[str, Any], int, str, str], Any],
        lazy: Callable[[str], bool] = lambda path: False,
    ) -> None:
        self.app = app
        self.db = db
        self.error = error
        self.lazy = lazy

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith("/static/"):
            await self.app(scope, receive, send)
            return
        import anyio.to_thread

        hold = _Hold()
        token = _SESSION.set(hold)
        started = False

        async def tracked(message: dict[str, Any]) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            if not self.lazy(path):
                await anyio.to_thread.run_sync(self.db.hold, hold)
            await self.app(scope, receive, tracked)
        except StoreBusy as exc:
            if started:
                raise
            response = self.error(scope, 503, exc.message_zh, exc.message_en)
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
            await response(scope, receive, send)
        finally:
            _SESSION.reset(token)
            self.db.let_go(hold)


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
        with web_db.session():
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


__all__ = ["DatabaseSessions", "WebDB", "busy_error", "default_uploads_dir", "open_checked"]
