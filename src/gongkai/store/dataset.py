"""The corpus as a Parquet dataset: the tables of the store, partitioned by year and province.

``gongkai ingest --engine dask --dataset DIR`` (:mod:`gongkai.corpus.cluster`) writes the
tables that the ingest fills — ``reports``, ``sections``, ``values``, ``findings`` — as
Parquet files under ``DIR/<table>/year=<Y>/province=<P>/``, with the columns and types of
:mod:`gongkai.store.schema` (the partition columns ``year`` and ``province`` are the report's;
in ``reports`` they are its own columns, kept in the folder names as Hive does). ``DIR`` holds
``_gongkai.json``, which marks it as a dataset.

Reading: ``Store(DIR)`` (``--db DIR``) opens a DuckDB database with a view over
``read_parquet('DIR/<table>/**/*.parquet', hive_partitioning = true)`` for each of those tables,
the store's own tables (pending year checks, store_meta, decisions, report_metrics) as tables,
and the schema's views on top — so ``sum``, ``export``, ``roster``, ``serve`` and the year rules
read a dataset as they read a database file. The dataset's files are never written through it:
opened read-only (``sum``, ``export``) everything lives in memory; opened to write
(``serve``: review decisions, the web's metrics) the store's own tables are kept in
``DIR/_review.duckdb``.

Writing, in three steps that a killed run survives:

1. :func:`write_chunk` (on a cluster worker): a chunk of analysed files as one Parquet file per
   table under ``DIR/_staging/<chunk>/``, each written to a temporary name and renamed, then
   ``_done``. A chunk without ``_done`` is removed by the next run (:func:`clean_staging`) and
   its files analysed again; a complete one is kept and not analysed again.
2. :func:`publish` (on the machine that runs the ingest): the staged chunks become the
   partitioned files ``part-<run>-<i>.parquet`` of each table, after the rows of reports they
   replace (same content checked again, or a file of the same path with other content) are
   removed from the files already published. The run is written into ``_gongkai.json`` first,
   so that a publication cut short is undone and done again by the next run.
3. The year-over-year rules (:meth:`DatasetStore.replace_year_findings`): their findings in
   files ``year-<run>-<i>.parquet`` of ``findings``, after those of the same agencies are removed.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from gongkai.store.db import Store, StoreError, Version, arrow_schema, column_names, supersession
from gongkai.store.rows import ReportRows
from gongkai.store.schema import (
    FINDINGS,
    REPORTS,
    SCHEMA_VERSION,
    SECTIONS,
    SEQUENCES,
    STORE_META,
    TABLES,
    VALUES,
    VIEWS,
    Relation,
    ddl,
    parser_version,
)

MARKER = "_gongkai.json"
STAGING = "_staging"
REVIEW_DB = "_review.duckdb"
DONE = "_done"
DATA_TABLES: tuple[Relation, ...] = (REPORTS, SECTIONS, VALUES, FINDINGS)
PARTITION_COLUMNS = ("year", "province")
PARTITION_SCHEMA = pa.schema([pa.field("year", pa.int32()), pa.field("province", pa.string())])
ROWS_PER_GROUP = 64 * 1024


def is_dataset(path: str | Path) -> bool:
    return (Path(path) / MARKER).is_file()


def _key(rel: Relation) -> str:
    """The column naming the report: ``id`` in ``reports``, ``report`` elsewhere."""
    return "id" if rel is REPORTS else "report"


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# --- the marker ----------------------------------------------------------------------------------


def _read_marker(root: Path) -> dict[str, Any]:
    try:
        data = json.loads((root / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(
            f"{root} 不是 gongkai 数据集（{MARKER} 无法读取：{exc}）。",
            f"{root} is not a gongkai dataset ({MARKER} cannot be read: {exc}).",
        ) from None
    if not isinstance(data, dict) or data.get("format") != "gongkai-dataset":
        raise StoreError(f"{root} 不是 gongkai 数据集。", f"{root} is not a gongkai dataset.")
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise StoreError(
            f"数据集 {root} 的结构版本为 {version}，本程序为 {SCHEMA_VERSION}：请导入到新的数据集文件夹。",
            f"The dataset {root} has schema version {version}, this program {SCHEMA_VERSION}: ingest into a "
            "new dataset folder.",
        )
    return data


def _write_marker(root: Path, data: dict[str, Any]) -> None:
    tmp = root / f".{MARKER}.{uuid.uuid4().hex}.tmp"
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, root / MARKER)


def create(root: Path) -> None:
    """Make *root* a dataset (an existing one is kept as it is). A folder with other files in it
    is refused: the dataset never writes over what it does not know."""
    if is_dataset(root):
        _read_marker(root)
        return
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise StoreError(
            f"{root} 已存在且不是 gongkai 数据集：请给出一个新的（或空的）文件夹。",
            f"{root} exists and is not a gongkai dataset: give a new (or empty) folder.",
        )
    root.mkdir(parents=True, exist_ok=True)
    _write_marker(
        root,
        {
            "format": "gongkai-dataset",
            "schema_version": SCHEMA_VERSION,
            "parser_version": parser_version(),
            "tables": [r.name for r in DATA_TABLES],
            "partitioning": list(PARTITION_COLUMNS),
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "publishing": None,
        },
    )


def new_run() -> str:
    """A run's name: sorts by time, unique across machines."""
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]


# --- reading: a DuckDB database over the files ---------------------------------------------------


def _files(root: Path, rel: Relation) -> list[Path]:
    base = root / rel.name
    return sorted(base.rglob("*.parquet")) if base.is_dir() else []


def _empty_select(rel: Relation) -> str:
    cols = ", ".join(f"CAST(NULL AS {c.type}) AS {c.sql_name}" for c in rel.columns)
    return f"SELECT {cols} WHERE false"


def table_sql(root: Path, rel: Relation) -> str:
    """The SELECT that reads table *rel* of the dataset at *root*, its columns in the schema's
    order and types."""
    if not _files(root, rel):
        return _empty_select(rel)
    glob = _sql_string(str(root.resolve() / rel.name / "**" / "*.parquet"))
    cols = ", ".join(
        f"CAST({c.sql_name} AS {c.type}) AS {c.sql_name}" if c.type == "JSON" else c.sql_name for c in rel.columns
    )
    return (
        f"SELECT {cols} FROM read_parquet({glob}, hive_partitioning = true, "
        "hive_types = {'year': INTEGER, 'province': VARCHAR})"
    )


def connect(root: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection that reads the dataset at *root* (see the module docstring)."""
    _read_marker(root)
    con = duckdb.connect(":memory:" if read_only else str(root / REVIEW_DB))
    try:
        statements = ddl()
        tables = statements[len(SEQUENCES) : len(SEQUENCES) + len(TABLES)]
        for name in SEQUENCES:
            con.execute(f"CREATE SEQUENCE IF NOT EXISTS {name}").fetchall()
        for rel, statement in zip(TABLES, tables, strict=True):
            if rel not in DATA_TABLES:
                con.execute(statement).fetchall()
        con.execute(
            f"INSERT OR REPLACE INTO {STORE_META.sql_name} VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
        ).fetchall()
        for rel in DATA_TABLES:
            con.execute(f"CREATE OR REPLACE VIEW {rel.sql_name} AS {table_sql(root, rel)}").fetchall()
        for rel in VIEWS:
            con.execute(f"CREATE OR REPLACE VIEW {rel.sql_name} AS\n{rel.sql}").fetchall()
    except BaseException:
        con.close()
        raise
    return con


class DatasetStore(Store):
    """A :class:`Store` over a Parquet dataset (``Store(DIR)`` makes one when DIR is a folder).
    Reads as a database file does; :meth:`write_reports` is refused (``gongkai ingest --engine
    dask`` writes datasets), and :meth:`replace_year_findings` writes files of ``findings``."""

    def __init__(
        self,
        path: str | Path,
        *,
        read_only: bool = False,
        memory_limit: str | None = None,
        **_: Any,
    ) -> None:
        self.path = str(path)
        self.root = Path(path)
        self.read_only = read_only
        self.wait = 0.0  # nothing to wait for: the files are read, never held
        self.opened = 1  # the connection is opened once (the web app counts them)
        if not is_dataset(self.root):
            raise StoreError(
                f"{self.path} 是一个文件夹，但不是 gongkai 数据集（没有 {MARKER}）：--db 应是数据库文件"
                "或 gongkai ingest --engine dask --dataset 写出的文件夹。",
                f"{self.path} is a folder but not a gongkai dataset (no {MARKER}): --db is a database file or "
                "a folder written by gongkai ingest --engine dask --dataset.",
            )
        try:
            self._dataset_con = connect(self.root, read_only=read_only)
        except duckdb.Error as exc:
            raise StoreError(
                f"无法读取数据集 {self.path}（{exc}）。",
                f"Cannot read the dataset {self.path} ({exc}).",
            ) from None
        if memory_limit:
            self._dataset_con.execute(f"SET memory_limit = '{memory_limit.strip()}'").fetchall()

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        return self._dataset_con

    @con.setter
    def con(self, value: duckdb.DuckDBPyConnection) -> None:
        self._dataset_con = value

    @property
    def connected(self) -> bool:
        return True

    def open(self) -> None:
        """Open already (:func:`connect`)."""

    def release(self) -> None:
        """Nothing to let go: the files are read, never held."""

    def close(self) -> None:
        self._dataset_con.close()

    @contextmanager
    def limited(self, *, memory: str | None = None, threads: int | None = None) -> Iterator[None]:
        yield

    def init_schema(self) -> None:
        """Created when opened (:func:`connect`)."""

    def write_reports(self, batch: Sequence[ReportRows], *, replace_ids: Iterable[int] = ()) -> None:
        raise StoreError(
            f"数据集 {self.path} 是只读的：报告由 gongkai ingest --engine dask --dataset 写入。",
            f"The dataset {self.path} is read-only: reports are written by gongkai ingest --engine dask --dataset.",
        )

    def replace_year_findings(self, agency_keys: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
        """Replace the year-over-year findings of the reports of *agency_keys* with *rows*: the
        files ``findings/…/year-*.parquet`` lose those reports' rows, *rows* become new files."""
        keys = list(agency_keys)
        ids = [
            r[0]
            for r in self.query(
                "SELECT id FROM reports WHERE agency_key IN (SELECT unnest(?))",
                [keys],
            )
        ]
        delete_rows(self.root, FINDINGS, ids, prefix="year-")
        if rows:
            table = arrow_table(FINDINGS, rows)
            places = self.query(
                'SELECT id, "year", province FROM reports WHERE id IN (SELECT unnest(?))',
                [sorted({r[0] for r in rows})],
            )
            _write_partitioned(self.root, FINDINGS, _with_partitions(table, "report", places), f"year-{new_run()}")
        self.run(
            "DELETE FROM pending_year_checks WHERE agency_key IN (SELECT unnest(?))",
            [keys],
        )


# --- writing ---------------------------------------------------------------------------------------


def arrow_table(rel: Relation, rows: Iterable[tuple[Any, ...]]) -> pa.Table:
    """*rows* (tuples in the schema's column order) as an Arrow table of the schema's types."""
    schema = arrow_schema(rel)
    columns = list(zip(*rows, strict=True))
    if not columns:
        return schema.empty_table()
    pool = pa.system_memory_pool()
    arrays = [pa.array(col, type=f.type, memory_pool=pool) for col, f in zip(columns, schema, strict=True)]
    return pa.Table.from_arrays(arrays, schema=schema)


def report_tuples(batch: Sequence[ReportRows], now: dt.datetime) -> list[tuple[Any, ...]]:
    """The ``reports`` rows of *batch* as the store writes them, written at *now*."""
    names = column_names(REPORTS)
    out = []
    for r in batch:
        row = dict(r.report)
        row["ingested_at"] = now
        out.append(tuple(row.get(c) for c in names))
    return out


def _atomic_parquet(table: pa.Table, target: Path) -> None:
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, target)


def write_chunk(root: Path, chunk: str, batch: Sequence[ReportRows], now: dt.datetime | None = None) -> None:
    """Stage *batch* (analysed files) as chunk *chunk* of the dataset at *root*."""
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    folder = root / STAGING / chunk
    folder.mkdir(parents=True, exist_ok=True)
    (folder / DONE).unlink(missing_ok=True)
    tables = {
        REPORTS: report_tuples(batch, now),
        SECTIONS: itertools.chain.from_iterable(r.sections for r in batch),
        VALUES: itertools.chain.from_iterable(r.values for r in batch),
        FINDINGS: itertools.chain.from_iterable(r.findings for r in batch),
    }
    for rel, rows in tables.items():
        _atomic_parquet(arrow_table(rel, rows), folder / f"{rel.name}.parquet")
    (folder / DONE).write_text(str(len(batch)), encoding="utf-8")


def clean_staging(root: Path) -> list[Path]:
    """Remove staged chunks left incomplete (their files are analysed again); returns the
    complete ones."""
    staging = root / STAGING
    if not staging.is_dir():
        return []
    done = []
    for folder in sorted(staging.iterdir()):
        if folder.is_dir() and (folder / DONE).is_file():
            done.append(folder)
        else:
            shutil.rmtree(folder, ignore_errors=True) if folder.is_dir() else folder.unlink(missing_ok=True)
    return done


def staged_files(root: Path) -> list[tuple[Any, ...]]:
    """(id, path, sha256, parser_version, agency_key, status, error_code, error_zh, error_en) of
    every report staged and not yet published, as :meth:`Store.stored_files` reads them."""
    chunks = clean_staging(root)
    if not chunks:
        return []
    files = "[" + ", ".join(_sql_string(str(c / "reports.parquet")) for c in chunks) + "]"
    with duckdb.connect() as con:
        return con.execute(
            "SELECT id, path, sha256, parser_version, agency_key, status, error_code, error_zh, error_en "
            f"FROM read_parquet({files})"
        ).fetchall()


def _with_partitions(table: pa.Table, key: str, places: Sequence[tuple[Any, ...]]) -> pa.Table:
    """*table* with the year and province of the report each row belongs to."""
    year_of = {p[0]: p[1] for p in places}
    province_of = {p[0]: p[2] for p in places}
    ids = table.column(key).to_pylist()
    table = table.append_column(pa.field("year", pa.int32()), pa.array([year_of.get(i) for i in ids], pa.int32()))
    return table.append_column(pa.field("province", pa.string()), pa.array([province_of.get(i) for i in ids]))


def _write_partitioned(root: Path, rel: Relation, data: pa.Table | pa.RecordBatchReader, basename: str) -> None:
    pads.write_dataset(
        data,
        root / rel.name,
        format="parquet",
        partitioning=pads.partitioning(PARTITION_SCHEMA, flavor="hive"),
        basename_template=f"{basename}-{{i}}.parquet",
        existing_data_behavior="overwrite_or_ignore",
        file_options=pads.ParquetFileFormat().make_write_options(compression="zstd"),
        min_rows_per_group=ROWS_PER_GROUP,
        max_rows_per_group=ROWS_PER_GROUP * 4,
    )


def delete_rows(root: Path, rel: Relation, ids: Sequence[int], *, prefix: str = "", keep: str = "") -> int:
    """Remove the rows of the reports *ids* from the files of *rel* (only files whose name starts
    with *prefix*; never those that start with *keep*), each file rewritten under a temporary
    name and renamed, or removed when nothing is left. Returns the rows removed."""
    if not ids:
        return 0
    wanted = pa.array(sorted(set(ids)), pa.int64())
    key = _key(rel)
    removed = 0
    for file in _files(root, rel):
        if not file.name.startswith(prefix) or (keep and file.name.startswith(keep)):
            continue
        column = pq.read_table(file, columns=[key]).column(key)
        hit = pc.is_in(column, value_set=wanted)
        n = pc.sum(hit).as_py() or 0
        if not n:
            continue
        table = pq.read_table(file)
        kept = table.filter(pc.invert(pc.is_in(table.column(key), value_set=wanted)))
        removed += n
        if kept.num_rows:
            _atomic_parquet(kept, file)
        else:
            file.unlink()
    return removed


def _versions(
    con: duckdb.DuckDBPyConnection,
    staged: str,
    published: str,
    stale: Sequence[tuple[Any, ...]],
    chunks: Sequence[Path],
) -> tuple[pa.Table, dict[int, tuple[str, int | None]]]:
    """The report versions as :meth:`Store.write_reports` settles them: each staged report's
    ``status``, ``superseded_by`` and ``first_ingested_at`` (the files in the order they were
    given, which the chunks keep; a report stored again keeps its first time), and the published
    reports whose status changes — every (agency key, year) that a staged or replaced report
    belongs to decided again by :func:`gongkai.store.db.supersession`."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    first_seen = {s[0]: s[3] for s in stale if s[3] is not None}
    stale_ids = {s[0] for s in stale}
    order: list[tuple[Any, ...]] = []
    if chunks:
        files = "[" + ", ".join(_sql_string(str(c / "reports.parquet")) for c in chunks) + "]"
        order = con.execute(
            f'SELECT id, agency_key, "year", published_on, status FROM read_parquet({files}, filename = true, '
            "file_row_number = true) ORDER BY filename, file_row_number"
        ).fetchall()
    fixed: dict[int, list[Any]] = {}
    for n, (rid, _key, _year, _published, status) in enumerate(order):
        fixed[rid] = [status, None, first_seen.get(rid) or now + dt.timedelta(microseconds=n)]
    groups = {(r[1], r[2]) for r in order if r[4] == "ok" and r[1] and r[2] is not None}
    groups |= {(s[1], s[2]) for s in stale if s[1] and s[2] is not None}
    restated: dict[int, tuple[str, int | None]] = {}
    if groups:
        keys = sorted(groups)
        old = con.execute(
            f"""SELECT r.id, r.agency_key, r."year", r.published_on, r.first_ingested_at, r.status, r.superseded_by
            FROM {published} r JOIN (SELECT unnest(?) AS k, unnest(?) AS y) g ON r.agency_key = g.k AND r."year" = g.y
            WHERE r.status IN ('ok', 'superseded')""",
            [[k for k, _ in keys], [y for _, y in keys]],
        ).fetchall()
        by_group: dict[tuple[str, int], list[tuple[Any, ...]]] = {}
        for r in old:
            if r[0] not in stale_ids:
                by_group.setdefault((r[1], r[2]), []).append((r[0], r[3], r[4], r[5], r[6]))
        for rid, key, year, published_on, status in order:
            if status == "ok" and (key, year) in groups:
                by_group.setdefault((key, year), []).append((rid, published_on, fixed[rid][2], None, None))
        for versions in by_group.values():
            versions.sort(key=lambda v: (v[2], v[0]))
            decided = supersession([Version(v[0], v[1]) for v in versions])
            for rid, _published, _first, status, successor in versions:
                new = ("ok" if decided[rid] is None else "superseded", decided[rid])
                if rid in fixed:
                    fixed[rid][:2] = new
                elif new != (status, successor):
                    restated[rid] = new
    table = pa.table(
        {
            "id": pa.array(list(fixed), pa.int64()),
            "status": pa.array([v[0] for v in fixed.values()], pa.string()),
            "superseded_by": pa.array([v[1] for v in fixed.values()], pa.int64()),
            "first_ingested_at": pa.array([v[2] for v in fixed.values()], pa.timestamp("us")),
        }
    )
    return table, restated


def update_reports(root: Path, changes: dict[int, tuple[str, int | None]], *, keep: str = "") -> None:
    """Set ``status`` and ``superseded_by`` of the published reports in *changes* (id → both),
    each file rewritten under a temporary name and renamed."""
    if not changes:
        return
    wanted = pa.array(sorted(changes), pa.int64())
    for file in _files(root, REPORTS):
        if keep and file.name.startswith(keep):
            continue
        if not pc.any(pc.is_in(pq.read_table(file, columns=["id"]).column("id"), value_set=wanted)).as_py():
            continue
        table = pq.read_table(file)
        ids = table.column("id").to_pylist()
        status = table.column("status").to_pylist()
        successor = table.column("superseded_by").to_pylist()
        for i, rid in enumerate(ids):
            if rid in changes:
                status[i], successor[i] = changes[rid]
        table = table.set_column(
            table.schema.get_field_index("status"), table.schema.field("status"), pa.array(status, pa.string())
        )
        table = table.set_column(
            table.schema.get_field_index("superseded_by"),
            table.schema.field("superseded_by"),
            pa.array(successor, pa.int64()),
        )
        _atomic_parquet(table, file)


def publish(root: Path, run: str, *, memory_limit: str = "256MB") -> list[str]:
    """Publish the staged chunks of the dataset at *root* as run *run* (see the module
    docstring). Returns the agencies whose year-over-year findings must be computed again: those
    of the reports published and of the reports they replace."""
    marker = _read_marker(root)
    unfinished = marker.get("publishing")
    agencies: set[str] = set()
    if unfinished:  # a publication cut short: undo what it wrote, and do it again
        run = unfinished["run"]
        agencies.update(unfinished.get("agencies", []))
        for rel in DATA_TABLES:
            for file in _files(root, rel):
                if file.name.startswith(f"part-{run}-"):
                    file.unlink()
    chunks = clean_staging(root)
    if not chunks and not unfinished:
        return []
    con = duckdb.connect()
    try:
        con.execute(f"SET memory_limit = '{memory_limit}'").fetchall()
        staged = {}
        for rel in DATA_TABLES:
            files = "[" + ", ".join(_sql_string(str(c / f"{rel.name}.parquet")) for c in chunks) + "]"
            staged[rel.name] = f"read_parquet({files})" if chunks else f"({_empty_select(rel)})"
        published = f"({table_sql(root, REPORTS)})"
        stale = con.execute(
            f'SELECT id, agency_key, "year", first_ingested_at FROM {published} '
            f"WHERE id IN (SELECT id FROM {staged['reports']}) OR path IN (SELECT path FROM {staged['reports']})"
        ).fetchall()
        agencies.update(a for (a,) in con.execute(f"SELECT DISTINCT agency_key FROM {staged['reports']}").fetchall())
        agencies.update(s[1] for s in stale)
        agencies.discard(None)
        marker["publishing"] = {"run": run, "agencies": sorted(agencies)}
        _write_marker(root, marker)
        fixed, restated = _versions(con, staged["reports"], published, stale, chunks)
        stale_ids = [s[0] for s in stale]
        for rel in DATA_TABLES:
            delete_rows(root, rel, stale_ids, keep=f"part-{run}-")
        update_reports(root, restated, keep=f"part-{run}-")
        con.register("_versions", fixed)
        for rel in DATA_TABLES:
            if rel is REPORTS:
                names = ", ".join(
                    f"f.{c.sql_name}" if c.name in fixed.column_names and c.name != "id" else f"t.{c.sql_name}"
                    for c in rel.columns
                    if c.name not in PARTITION_COLUMNS
                )
                sql = f'SELECT {names}, t."year", t.province FROM {staged["reports"]} t JOIN _versions f ON f.id = t.id'
            else:
                names = ", ".join(f"t.{c.sql_name}" for c in rel.columns)
                sql = (
                    f'SELECT {names}, r."year", r.province FROM {staged[rel.name]} t '
                    f'JOIN (SELECT id, "year", province FROM {staged["reports"]}) r ON r.id = t.report'
                )
            schema = arrow_schema(rel)
            fields = [f for f in schema if f.name not in PARTITION_COLUMNS] + list(PARTITION_SCHEMA)
            target = pa.schema(fields)
            relation: Any = con.sql(sql)
            fetch = getattr(relation, "to_arrow_reader", None) or relation.fetch_arrow_reader  # DuckDB 2 / 1
            reader = fetch(ROWS_PER_GROUP)
            batches = (pa.Table.from_batches([b]).cast(target).to_batches() for b in reader)
            data = pa.RecordBatchReader.from_batches(target, itertools.chain.from_iterable(batches))
            _write_partitioned(root, rel, data, f"part-{run}")
    finally:
        con.close()
    for chunk in chunks:
        shutil.rmtree(chunk, ignore_errors=True)
    marker["publishing"] = None
    marker.setdefault("runs", []).append(run)
    _write_marker(root, marker)
    return sorted(agencies)


__all__ = [
    "DATA_TABLES",
    "MARKER",
    "DatasetStore",
    "arrow_table",
    "clean_staging",
    "connect",
    "create",
    "delete_rows",
    "is_dataset",
    "new_run",
    "publish",
    "staged_files",
    "table_sql",
    "update_reports",
    "write_chunk",
]
