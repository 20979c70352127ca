"""The corpus database: one DuckDB file, owned by :class:`Store`.

Only this module talks to DuckDB. Writers hand it whole reports (a report row with its sections,
values and findings); :meth:`Store.write_reports` stores a batch of them in one transaction, so a
report is either completely in the database or not at all, whatever happens to the process.
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
from gongkai.store.rows import ReportRows
from gongkai.store.schema import (
    DECIMAL_TYPE,
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


class StoreError(Exception):
    """A database that cannot be used, with the reason in Chinese and English."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_zh = message_zh
        self.message_en = message_en


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


def open_error(path: str, exc: BaseException) -> StoreError:
    """Why a database file cannot be used, in words that say what to do."""
    text = str(exc)
    if "lock" in text.lower():
        return StoreError(
            f"无法打开数据库 {path}：另一个进程（例如正在运行的 gongkai serve 或 ingest）正在使用它。"
            f"请等它结束或先停止它再试。（{text}）",
            f"Cannot open the database {path}: another process (a running gongkai serve or ingest) is using "
            f"it. Wait for it to finish or stop it, then retry. ({text})",
        )
    if "no space" in text.lower() or "disk full" in text.lower():
        return disk_full_error(path, text)
    return StoreError(
        f"数据库文件 {path} 已损坏或不是 gongkai 的数据库（{text}）。请换一个新文件名重新 gongkai ingest，"
        "或从备份恢复该文件。",
        f"The database file {path} is damaged or not a gongkai database ({text}). Ingest into a new file "
        "name, or restore the file from a backup.",
    )


def disk_full_error(path: str, detail: str) -> StoreError:
    return StoreError(
        f"磁盘空间不足，无法写入数据库 {path}（{detail}）。已写入的报告完整保留；请腾出空间后重新运行，"
        "已读入的文件会跳过。",
        f"No space left to write the database {path} ({detail}). The reports already written are intact; "
        "free some space and run again: files already stored are skipped.",
    )


class Store:
    """A corpus database. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: str | Path = DEFAULT_DB, *, read_only: bool = False, memory_limit: str | None = None):
        self.path = str(path)
        if read_only and self.path != ":memory:" and not Path(self.path).exists():
            raise StoreError(
                f"数据库不存在：{self.path}。请先运行 gongkai ingest。",
                f"No database at {self.path}: run gongkai ingest first.",
            )
        try:
            self.con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.Error as exc:
            raise open_error(self.path, exc) from None
        if memory_limit:
            if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", memory_limit.strip(), re.I):
                raise StoreError(
                    f"内存上限「{memory_limit}」无效：请写成 256MB、1GB 这样的形式。",
                    f"Invalid memory limit {memory_limit!r}: write it like 256MB or 1GB.",
                )
            self.run(f"SET memory_limit = '{memory_limit.strip()}'")
        self.read_only = read_only
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

    def close(self) -> None:
        self.con.close()

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
        """Run a block with a lower DuckDB memory limit and thread count (never a higher one)."""
        before = self.query("SELECT current_setting('memory_limit'), current_setting('threads')")[0]
        try:
            if memory is not None:
                self.run("SET memory_limit = ?", [memory])
                if self._bytes(str(before[0])) < self._bytes(memory):
                    self.run("SET memory_limit = ?", [str(before[0])])
            if threads is not None and threads < int(before[1]):
                self.run(f"SET threads = {int(threads)}")
            yield
        finally:
            self.run("SET memory_limit = ?", [str(before[0])])
            self.run(f"SET threads = {int(before[1])}")

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
        marked for the year-over-year rules."""
        if not batch:
            return
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        ids = [r.id for r in batch]
        paths = [r.path for r in batch]
        self.run("BEGIN TRANSACTION")
        try:
            for r in batch:
                faults.inject("write", r.path)
            stale = self.con.execute(
                "SELECT id, agency_key FROM reports WHERE id IN (SELECT unnest(?)) OR path IN (SELECT unnest(?))",
                [ids, paths],
            ).fetchall()
            stale_ids = sorted({s[0] for s in stale} | set(replace_ids))
            if stale_ids:
                for rel in (VALUES, SECTIONS, FINDINGS):
                    self.run(f"DELETE FROM {rel.sql_name} WHERE report IN (SELECT unnest(?))", [stale_ids])
                self.run("DELETE FROM reports WHERE id IN (SELECT unnest(?))", [stale_ids])
            self._insert_rows(REPORTS, [(*(r.report.get(c) for c in column_names(REPORTS)[:-1]), now) for r in batch])
            self._insert_rows(SECTIONS, itertools.chain.from_iterable(r.sections for r in batch))
            self._insert_rows(VALUES, itertools.chain.from_iterable(r.values for r in batch))
            self._insert_rows(FINDINGS, itertools.chain.from_iterable(r.findings for r in batch))
            agencies = {r.report.get("agency_key") for r in batch} | {s[1] for s in stale}
            agencies.discard(None)
            if agencies:
                self.run(f"INSERT OR IGNORE INTO {PENDING.sql_name} SELECT unnest(?)", [sorted(agencies)])
            self.run("COMMIT")
        except BaseException:
            self.run("ROLLBACK")
            raise

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
            self.run(f"DELETE FROM {PENDING.sql_name} WHERE agency_key IN (SELECT unnest(?))", [list(agency_keys)])
            self.run("COMMIT")
        except BaseException:
            self.run("ROLLBACK")
            raise


__all__ = [
    "DEFAULT_DB",
    "ReportRows",
    "Store",
    "StoreError",
    "StoredFile",
    "arrow_schema",
    "column_names",
    "disk_full_error",
    "open_error",
]
