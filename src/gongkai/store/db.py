"""The corpus database: one DuckDB file, owned by :class:`Store`.

Only this module talks to DuckDB. Writers hand it whole reports (a report row with its sections,
values and findings); :meth:`Store.write_reports` stores a batch of them in one transaction, so a
report is either completely in the database or not at all, whatever happens to the process.

One file, several processes: DuckDB lets one process use a database file at a time (see
:mod:`gongkai.store.turns`). A :class:`Store` therefore lets go of the file when its holder says
so (:meth:`Store.release`: ``gongkai ingest`` after every batch, the web server between
requests) and opens it again when next used, waiting its turn with a bounded backoff; a
database held by another process for longer than that is a :class:`StoreError` that says what
to do.

Versions: a report of an agency and year that is stored while another is current supersedes it
(the older one keeps its rows, ``status = 'superseded'`` and ``superseded_by``; see
:func:`supersession`), and the review decisions of the older one are carried over to the same
findings of the newer (:func:`carried_decisions`).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb
import pyarrow as pa

from gongkai import faults
from gongkai.model import MAX_FRACTION_DIGITS, MAX_INTEGER_DIGITS
from gongkai.store import turns
from gongkai.store.rows import ReportRows
from gongkai.store.schema import (
    DECIMAL_TYPE,
    DECISIONS,
    FINDINGS,
    MIGRATIONS,
    PENDING,
    REPORTS,
    SCHEMA_VERSION,
    SECTIONS,
    STORE_META,
    VALUES,
    Relation,
    ddl,
    quote,
)

DEFAULT_DB = "gongkai.duckdb"
ALLOCATOR_FLUSH = "16MB"  # DuckDB's allocator caches at most this much freed memory in a limited block


class StoreError(Exception):
    """A database that cannot be used, with the reason in Chinese and English."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_zh = message_zh
        self.message_en = message_en


class StoreBusy(StoreError, OSError):
    """Another process kept the database for longer than this one waits (an I/O error, like
    EBUSY: callers that stop on the database's own failures stop on it too)."""


def _arrow_type(sql_type: str) -> pa.DataType:
    if sql_type == DECIMAL_TYPE:
        return pa.decimal128(MAX_INTEGER_DIGITS + MAX_FRACTION_DIGITS, MAX_FRACTION_DIGITS)
    return {
        "BIGINT": pa.int64(),
        "INTEGER": pa.int32(),
        "VARCHAR": pa.string(),
        "JSON": pa.string(),
        "BOOLEAN": pa.bool_(),
        "DATE": pa.date32(),
        "TIMESTAMP": pa.timestamp("us"),
    }[sql_type]


def arrow_schema(rel: Relation) -> pa.Schema:
    return pa.schema([pa.field(c.name, _arrow_type(c.type)) for c in rel.columns])


def column_names(rel: Relation) -> list[str]:
    return [c.name for c in rel.columns]


@dataclass(frozen=True, slots=True)
class StoredFile:
    id: int
    path: str
    sha256: str
    parser_version: str
    agency_key: str | None
    status: str | None = None
    error_code: str | None = None
    error_zh: str | None = None
    error_en: str | None = None


def open_error(path: str, exc: BaseException, waited: float | None = None) -> StoreError:
    """Why a database file cannot be used, in words that say what to do."""
    if isinstance(exc, StoreError):
        return exc
    if isinstance(exc, turns.LockTimeout):
        waited = exc.waited
        exc = exc.cause
    text = str(exc)
    if "lock" in text.lower():
        return lock_error(path, text, waited)
    if "no space" in text.lower() or "disk full" in text.lower():
        return disk_full_error(path, text)
    return StoreError(
        f"数据库文件 {path} 已损坏或不是 gongkai 的数据库（{text}）。请换一个新文件名重新 gongkai ingest，"
        "或从备份恢复该文件。",
        f"The database file {path} is damaged or not a gongkai database ({text}). Ingest into a new file "
        "name, or restore the file from a backup.",
    )


def lock_error(path: str, detail: str, waited: float | None = None) -> StoreBusy:
    """Another process kept the database for longer than this one waits."""
    zh_wait = f"已等待 {waited:.0f} 秒，" if waited else ""
    en_wait = f" (waited {waited:.0f} s)" if waited else ""
    return StoreBusy(
        f"无法打开数据库 {path}：另一个进程一直在使用它，{zh_wait}仍未轮到。gongkai serve 运行时，ingest、sum、"
        "roster、export 本可以同时使用这个数据库（网页在两次请求之间让出它）；一直占用它的可能是一个很长的导入或导出、"
        "较早版本的 gongkai serve，或别的程序。请等它结束，或先停止 gongkai serve（或那个程序）再试；"
        f"可用环境变量 GONGKAI_LOCK_WAIT=秒数 等得更久。（{detail}）",
        f"Cannot open the database {path}: another process kept using it{en_wait}. While gongkai serve runs, "
        "ingest, sum, roster and export can use the same database (the web server lets go of it between "
        "requests); what holds it may be a long ingest or export, an older gongkai serve, or another program. "
        "Wait for it to finish, or stop gongkai serve (or that program), then retry; GONGKAI_LOCK_WAIT=SECONDS "
        f"waits longer. ({detail})",
    )


def disk_full_error(path: str, detail: str) -> StoreError:
    return StoreError(
        f"磁盘空间不足，无法写入数据库 {path}（{detail}）。已写入的报告完整保留；请腾出空间后重新运行，"
        "已读入的文件会跳过。",
        f"No space left to write the database {path} ({detail}). The reports already written are intact; "
        "free some space and run again: files already stored are skipped.",
    )


@dataclass(frozen=True, slots=True)
class Version:
    """A report of an agency's year, as :func:`supersession` weighs it."""

    id: int
    published_on: dt.date | None


def supersession(versions: Sequence[Version]) -> dict[int, int | None]:
    """Which version of one agency's report for one year superseded which, *versions* in the
    order they were first stored: each report → the one that replaced it, None for the current
    one. Newer is decided by the published date, then by when it was stored: a version stored
    later replaces the current one, unless both carry a published date and the current one's is
    later — then the one stored later is an older version arriving late, superseded at once."""
    out: dict[int, int | None] = {}
    current: Version | None = None
    for v in versions:
        if current is None:
            current = v
        elif current.published_on and v.published_on and current.published_on > v.published_on:
            out[v.id] = current.id
            continue
        else:
            out[current.id] = v.id
            current = v
        out[v.id] = None
    return out


def carried_decisions(decided: Sequence[tuple[Any, ...]], places: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The decisions of an older version that hold for the newer one's findings. *decided*:
    (code, section, table, row, column, line, decision, comment, reviewer, decided_at) in force
    on the older version; *places*: (code, section, table, row, column, line) of the newer one's
    findings, '' and 0 for an absent part. A decision carries to a finding of the same rule at
    the same place — the same section, table, row and column, and the same line; when the text
    moved (another line), to the one finding of that rule and place if there is exactly one on
    each side. Returns the decisions as they hold for the newer version (its line)."""
    lines: dict[tuple[Any, ...], list[int]] = {}
    for p in places:
        lines.setdefault(tuple(p[:5]), []).append(int(p[5] or 0))
    per_place: dict[tuple[Any, ...], int] = {}
    for d in decided:
        per_place[tuple(d[:5])] = per_place.get(tuple(d[:5]), 0) + 1
    out: list[tuple[Any, ...]] = []
    taken: set[tuple[Any, ...]] = set()
    for d in decided:
        place, line = tuple(d[:5]), int(d[5] or 0)
        there = lines.get(place, [])
        if line in there:
            target = line
        elif len(set(there)) == 1 and per_place[place] == 1:
            target = there[0]
        else:
            continue
        if (place, target) in taken:
            continue
        taken.add((place, target))
        out.append((*place, target, *d[6:]))
    return out


class Store:
    """A corpus database. Use as a context manager, or call :meth:`close`.

    The connection (:attr:`con`) is opened when the store is made and again, after
    :meth:`release`, when next used: while another process holds the file, this one waits up to
    *wait* seconds (default: ``GONGKAI_LOCK_WAIT`` or 60), then gives up with a
    :class:`StoreError` saying what to do."""

    def __new__(cls, path: str | Path = DEFAULT_DB, *args: Any, **kwargs: Any) -> Store:
        """A folder is a Parquet dataset (:class:`gongkai.store.dataset.DatasetStore`), read through
        DuckDB views over its files; anything else a DuckDB database file."""
        if cls is Store and str(path) != ":memory:" and Path(path).is_dir():
            from gongkai.store.dataset import DatasetStore

            return super().__new__(DatasetStore)
        return super().__new__(cls)

    def __init__(
        self,
        path: str | Path = DEFAULT_DB,
        *,
        read_only: bool = False,
        memory_limit: str | None = None,
        wait: float | None = None,
    ):
        self.path = str(path)
        if read_only and self.path != ":memory:" and not Path(self.path).exists():
            raise StoreError(
                f"数据库不存在：{self.path}。请先运行 gongkai ingest。",
                f"No database at {self.path}: run gongkai ingest first.",
            )
        self.read_only = read_only
        self.wait = turns.lock_wait() if wait is None else wait
        self._settings: dict[str, str] = {}  # applied to every connection this store opens
        self._con: duckdb.DuckDBPyConnection | None = None
        self._closed = False
        self.opened = 0  # connections opened so far (the tests count them)
        if memory_limit:
            if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", memory_limit.strip(), re.I):
                raise StoreError(
                    f"内存上限「{memory_limit}」无效：请写成 256MB、1GB 这样的形式。",
                    f"Invalid memory limit {memory_limit!r}: write it like 256MB or 1GB.",
                )
            self._settings["memory_limit"] = memory_limit.strip()
        self._connect()
        if read_only:
            self._check_version()
        else:
            self.init_schema()

    # --- lifecycle ------------------------------------------------------------------------

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection, opened again (waiting for the file) after :meth:`release`."""
        if self._con is None:
            if self._closed:
                raise duckdb.ConnectionException(f"the store {self.path} is closed")
            self._connect()
        assert self._con is not None
        return self._con

    @property
    def connected(self) -> bool:
        return self._con is not None

    def _connect(self) -> None:
        try:
            con = turns.connect(self.path, read_only=self.read_only, wait=self.wait)
        except turns.LockTimeout as exc:
            raise open_error(self.path, exc) from None
        except duckdb.Error as exc:
            raise open_error(self.path, exc) from None
        try:
            for name, value in self._settings.items():
                con.execute(f"SET {name} = '{value}'").fetchall()
        except BaseException:
            con.close()
            raise
        self._con = con
        self.opened += 1

    def open(self) -> None:
        """Open the file now if it was let go of (waiting its turn); :class:`StoreBusy` when
        another process keeps it."""
        _ = self.con

    def release(self) -> None:
        """Close the file so that other processes can use it; the next use opens it again. Never
        inside a transaction. A database in memory is kept (it would be lost)."""
        if self._con is not None and turns.shared(self.path):
            self._con.close()
            self._con = None

    def close(self) -> None:
        self._closed = True
        if self._con is not None:
            self._con.close()
            self._con = None

    def init_schema(self) -> None:
        """Create what is missing; a database of an earlier schema version is migrated (MIGRATIONS),
        its data kept, in one transaction."""
        version = self._check_version()
        self.run("BEGIN TRANSACTION")
        try:
            while version is not None and version < SCHEMA_VERSION:
                for statement in MIGRATIONS[version]:
                    self.run(statement)
                version += 1
            for statement in ddl():
                self.run(statement)
            self.run(
                f"INSERT OR REPLACE INTO {STORE_META.sql_name} VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
            )
            self.run("COMMIT")
        except BaseException:
            self.run("ROLLBACK")
            raise

    def _check_version(self) -> int | None:
        """The database's schema version (None: a new database). One that cannot be migrated is
        refused; one that can is read as it is (read-only: the relations readers use are
        unchanged) and migrated when opened for writing."""
        exists = self.query("SELECT count(*) FROM information_schema.tables WHERE table_name = 'store_meta'")
        if not exists[0][0]:
            if self.read_only:
                raise StoreError(f"{self.path} 不是 gongkai 数据库。", f"{self.path} is not a gongkai database.")
            return None
        rows = self.query("SELECT value FROM store_meta WHERE key = 'schema_version'")
        if not rows:
            return None
        version = int(rows[0][0]) if str(rows[0][0]).isdigit() else -1
        if version > SCHEMA_VERSION or any(v not in MIGRATIONS for v in range(version, SCHEMA_VERSION)):
            raise StoreError(
                f"数据库 {self.path} 的结构版本为 {rows[0][0]}，本程序为 {SCHEMA_VERSION}："
                "请用新的数据库文件重新导入。",
                f"The database {self.path} has schema version {rows[0][0]}, this program {SCHEMA_VERSION}: "
                "ingest into a new database file.",
            )
        return version

    @contextmanager
    def limited(self, *, memory: str | None = None, threads: int | None = None) -> Iterator[None]:
        """Run a block with a lower DuckDB memory limit and thread count (never a higher one),
        on this connection and on any opened again meanwhile (:meth:`release`)."""
        was_connected = self.connected
        before = self.query(
            "SELECT current_setting('memory_limit'), current_setting('threads'),"
            " current_setting('allocator_flush_threshold'),"
            " current_setting('allocator_bulk_deallocation_flush_threshold')"
        )[0]
        kept = dict(self._settings)
        try:
            if memory is not None and self._bytes(memory) <= self._bytes(str(before[0])):
                self._set("memory_limit", memory)
                # What DuckDB's allocator keeps in its caches once freed (128 and 512 MiB by
                # default, beyond the memory limit): handed back to the system sooner.
                self._set("allocator_flush_threshold", ALLOCATOR_FLUSH)
                self._set("allocator_bulk_deallocation_flush_threshold", ALLOCATOR_FLUSH)
            if threads is not None and threads < int(before[1]):
                self._set("threads", str(int(threads)))
            if not was_connected:
                self.release()  # opened only to read the settings: not held for the block
            yield
        finally:
            self._settings = kept
            if self._con is not None:
                self._con.execute("SET memory_limit = ?", [str(before[0])]).fetchall()
                self._con.execute(f"SET threads = {int(before[1])}").fetchall()
                self._con.execute("SET allocator_flush_threshold = ?", [str(before[2])]).fetchall()
                self._con.execute("SET allocator_bulk_deallocation_flush_threshold = ?", [str(before[3])]).fetchall()

    def _set(self, name: str, value: str) -> None:
        self._settings[name] = value
        if self._con is not None:
            self._con.execute(f"SET {name} = '{value}'").fetchall()

    @staticmethod
    def _bytes(text: str) -> float:
        """'256MB' (DuckDB: 1000-based) or '244.1 MiB' (1024-based) in bytes."""
        m = re.fullmatch(r"\s*([\d.]+)\s*([KMGT]?)(i?)B\s*", text, re.I)
        if not m:
            return float("inf")
        base = 1024 if m.group(3) else 1000
        return float(m.group(1)) * base ** " KMGT".index(m.group(2).upper() or " ")

    # --- queries --------------------------------------------------------------------------

    def run(self, sql: str, params: Sequence[Any] | None = None) -> None:
        """Execute a statement and consume its result (DuckDB keeps a connection busy until then)."""
        self.con.execute(sql, params or []).fetchall()

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, params or []).fetchall()

    def query_dicts(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        cur = self.con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def arrow(self, sql: str, params: Sequence[Any] | None = None) -> pa.Table:
        rel = self.con.sql(sql, params=list(params) if params else None)
        fetch = getattr(rel, "to_arrow_table", None) or rel.arrow
        result = fetch()
        return result if isinstance(result, pa.Table) else pa.Table.from_batches(result)

    def stored_files(self) -> dict[str, StoredFile]:
        """sha256 → what is stored for it."""
        rows = self.query(
            "SELECT id, path, sha256, parser_version, agency_key, status, error_code, error_zh, error_en FROM reports"
        )
        return {r[2]: StoredFile(*r) for r in rows}

    def count(self, relation: str) -> int:
        return int(self.query(f"SELECT count(*) FROM {quote(relation)}")[0][0])

    # --- writing --------------------------------------------------------------------------

    def write_reports(self, batch: Sequence[ReportRows], *, replace_ids: Iterable[int] = ()) -> None:
        """Store *batch* in one transaction. Reports already stored under the same id, or under
        the same path with other content, are replaced; their agencies and the new ones are
        marked for the year-over-year rules. A report of an agency and year that already has one
        supersedes it (:func:`supersession`), and the decisions on the older one's findings are
        carried over to the same findings of the newer (:func:`carried_decisions`)."""
        if not batch:
            return
        for r in batch:
            r.unpack()
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        ids = [r.id for r in batch]
        paths = [r.path for r in batch]
        self.run("BEGIN TRANSACTION")
        try:
            for r in batch:
                faults.inject("write", r.path)
            stale = self.con.execute(
                """SELECT id, agency_key, "year", first_ingested_at, sha256, path, superseded_by FROM reports
                WHERE id IN (SELECT unnest(?)) OR path IN (SELECT unnest(?))""",
                [ids, paths],
            ).fetchall()
            stale_ids = sorted({s[0] for s in stale} | set(replace_ids))
            first_seen = {s[0]: s[3] for s in stale if s[3] is not None}
            if stale_ids:
                groups_before = self.query(
                    """SELECT DISTINCT agency_key, "year" FROM reports WHERE id IN (SELECT unnest(?))
                    AND agency_key IS NOT NULL AND "year" IS NOT NULL""",
                    [stale_ids],
                )
                for rel in (VALUES, SECTIONS, FINDINGS):
                    self.run(f"DELETE FROM {rel.sql_name} WHERE report IN (SELECT unnest(?))", [stale_ids])
                self.run("DELETE FROM reports WHERE id IN (SELECT unnest(?))", [stale_ids])
            else:
                groups_before = []
            columns = column_names(REPORTS)
            rows = []
            for n, r in enumerate(batch):
                # the order within a batch is the order stored: a microsecond apart
                first = first_seen.get(r.id) or now + dt.timedelta(microseconds=n)
                fixed = {"ingested_at": now, "first_ingested_at": first, "superseded_by": None}
                rows.append(tuple(fixed[c] if c in fixed else r.report.get(c) for c in columns))
            self._insert_rows(REPORTS, rows)
            self._insert_rows(SECTIONS, itertools.chain.from_iterable(r.sections for r in batch))
            self._insert_rows(VALUES, itertools.chain.from_iterable(r.values for r in batch))
            self._insert_rows(FINDINGS, itertools.chain.from_iterable(r.findings for r in batch))
            agencies = {r.report.get("agency_key") for r in batch} | {s[1] for s in stale}
            agencies.discard(None)
            if agencies:
                self.run(f"INSERT OR IGNORE INTO {PENDING.sql_name} SELECT unnest(?)", [sorted(agencies)])
            groups: set[tuple[str, int]] = {(k, y) for k, y in groups_before}
            groups |= {
                (str(r.report["agency_key"]), int(r.report["year"]))
                for r in batch
                if r.ok and r.report.get("agency_key") and r.report.get("year") is not None
            }
            replaced = {s[5]: s[4] for s in stale if s[0] not in ids}  # path → sha256 of other content
            successors = self._settle_versions(groups, set(ids), {s[0]: s[6] for s in stale})
            pairs = list(successors)
            pairs += [(sha, r.sha256) for r in batch if r.ok and (sha := replaced.get(r.path)) and sha != r.sha256]
            self._carry_decisions(pairs, {r.sha256: r.id for r in batch})
            self.run("COMMIT")
        except BaseException:
            self.run("ROLLBACK")
            raise

    def _settle_versions(
        self, groups: set[tuple[str, int]], new_ids: set[int], before: dict[int, int | None]
    ) -> list[tuple[str, str]]:
        """Decide which report of each (agency key, year) in *groups* is current and which
        superseded what (:func:`supersession`), and store it. Returns (older sha256, newer
        sha256) for every report that one of *new_ids* newly supersedes (*before*: what reports
        stored again were superseded by)."""
        if not groups:
            return []
        keys = sorted(groups)
        found = self.query(
            """SELECT r.id, r.agency_key, r."year", r.published_on, r.first_ingested_at, r.status, r.superseded_by,
              r.sha256
            FROM reports r JOIN (SELECT unnest(?) AS k, unnest(?) AS y) g ON r.agency_key = g.k AND r."year" = g.y
            WHERE r.status IN ('ok', 'superseded')
            ORDER BY r.first_ingested_at, r.id""",
            [[k for k, _ in keys], [y for _, y in keys]],
        )
        by_group: dict[tuple[str, int], list[tuple[Any, ...]]] = {}
        for row in found:
            by_group.setdefault((row[1], row[2]), []).append(row)
        sha = {row[0]: row[7] for row in found}
        changes: list[tuple[str, int | None, int]] = []
        carried: list[tuple[str, str]] = []
        for versions in by_group.values():
            decided = supersession([Version(v[0], v[3]) for v in versions])
            for v in versions:
                successor = decided[v[0]]
                status = "ok" if successor is None else "superseded"
                if (status, successor) != (v[5], v[6]):
                    changes.append((status, successor, v[0]))
                if successor in new_ids and before.get(v[0], v[6]) != successor and sha[successor] != v[7]:
                    carried.append((v[7], sha[successor]))
        if changes:  # one statement for the batch: one per report cost more than the batch's inserts
            self.run(
                """UPDATE reports SET status = c.status, superseded_by = c.successor
                FROM (SELECT unnest(?) AS status, unnest(?::BIGINT[]) AS successor, unnest(?::BIGINT[]) AS id) c
                WHERE reports.id = c.id""",
                [[c[0] for c in changes], [c[1] for c in changes], [c[2] for c in changes]],
            )
        return carried

    def _carry_year_decisions(self, agency_keys: Sequence[str]) -> int:
        """The year-over-year findings of a newer version exist only once the year rules have run
        over its agency (after :meth:`write_reports`): carry the decisions on the older version's
        year findings to them now, oldest pair first so that a chain of versions carries along."""
        pairs = self.query(
            """SELECT o.sha256, n.sha256, n.id FROM reports o JOIN reports n ON o.superseded_by = n.id
            WHERE n.agency_key IN (SELECT unnest(?)) ORDER BY n.first_ingested_at, n.id""",
            [list(agency_keys)],
        )
        # All at once, in that order (one look for which older versions have decisions at all: a
        # query per version cost 1.5 ms, and 100,000 versions are mostly undecided).
        return self._carry_decisions([(o, n) for o, n, _ in pairs], {n: i for _, n, i in pairs}, origin="year")

    def _carry_decisions(
        self, pairs: Sequence[tuple[str, str]], new_reports: dict[str, int], origin: str | None = None
    ) -> int:
        """Carry the decisions in force on the findings of each older report (sha256) over to the
        same findings of the newer (:func:`carried_decisions`), where the newer has none yet
        (*origin*: only to the newer's findings of that origin). Returns how many were carried."""
        carried = 0
        if not pairs:
            return 0
        # Most superseded reports have no decision: one query finds the ones that do.
        decided_shas = {
            sha
            for (sha,) in self.query(
                "SELECT DISTINCT sha256 FROM decisions WHERE sha256 IN (SELECT unnest(?))", [[p[0] for p in pairs]]
            )
        }
        for old_sha, new_sha in pairs:
            if old_sha not in decided_shas:
                continue
            decided = self.query(
                """SELECT code, section, table_key, row_key, column_key, line, decision, comment, reviewer, decided_at
                FROM decisions_latest WHERE sha256 = ? AND decision <> 'reopened' ORDER BY id""",
                [old_sha],
            )
            if not decided or new_sha not in new_reports:
                continue
            have = {
                tuple(r)
                for r in self.query(
                    "SELECT code, section, table_key, row_key, column_key, line FROM decisions WHERE sha256 = ?",
                    [new_sha],
                )
            }
            places = self.query(
                """SELECT code, coalesce(section, ''), coalesce("table", ''), coalesce("row", ''),
                  coalesce("column", ''), coalesce(line, 0)
                FROM findings WHERE report = ? AND (? IS NULL OR origin = ?)""",
                [new_reports[new_sha], origin, origin],
            )
            rows = [d for d in carried_decisions(decided, places) if tuple(d[:6]) not in have]
            names = [c.name for c in DECISIONS.columns if c.name != "id"]
            for d in rows:
                self.run(
                    f"INSERT INTO {DECISIONS.sql_name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                    [new_sha, *d, old_sha],
                )
            carried += len(rows)
            if rows:
                decided_shas.add(new_sha)  # a chain of versions carries along: the newer one may pass them on
        return carried

    def _insert_rows(self, rel: Relation, rows: Iterable[tuple[Any, ...]]) -> None:
        columns = list(zip(*rows, strict=True))
        if not columns:
            return
        schema = arrow_schema(rel)
        # The system allocator hands freed batches back to the OS; Arrow's default pool keeps them,
        # which over 10,000 reports grows the writer by tens of MB.
        pool = pa.system_memory_pool()
        arrays = [pa.array(col, type=f.type, memory_pool=pool) for col, f in zip(columns, schema, strict=True)]
        self._insert(rel, pa.Table.from_arrays(arrays, schema=schema))

    def _insert(self, rel: Relation, table: pa.Table) -> None:
        names = ", ".join(quote(n) for n in table.column_names)
        self.con.register("_gongkai_batch", table)
        try:
            self.run(f"INSERT INTO {rel.sql_name} ({names}) SELECT {names} FROM _gongkai_batch")
        finally:
            self.con.unregister("_gongkai_batch")

    def pending_agencies(self) -> list[str]:
        return [r[0] for r in self.query(f"SELECT agency_key FROM {PENDING.sql_name} ORDER BY 1")]

    def replace_year_findings(self, agency_keys: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
        """Replace the year-over-year findings of the reports of *agency_keys* with *rows* and
        clear those agencies from the pending list, in one transaction."""
        self.run("BEGIN TRANSACTION")
        try:
            self.run(
                "DELETE FROM findings WHERE origin = 'year' AND report IN "
                "(SELECT id FROM reports WHERE agency_key IN (SELECT unnest(?)))",
                [list(agency_keys)],
            )
            self._insert_rows(FINDINGS, rows)
            self._carry_year_decisions(agency_keys)
            self.run(f"DELETE FROM {PENDING.sql_name} WHERE agency_key IN (SELECT unnest(?))", [list(agency_keys)])
            self.run("COMMIT")
        except BaseException:
            self.run("ROLLBACK")
            raise


__all__ = [
    "DEFAULT_DB",
    "ReportRows",
    "Store",
    "StoreBusy",
    "StoreError",
    "StoredFile",
    "Version",
    "arrow_schema",
    "carried_decisions",
    "column_names",
    "disk_full_error",
    "lock_error",
    "open_error",
    "supersession",
]
