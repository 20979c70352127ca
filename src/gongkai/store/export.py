"""``gongkai export``: the corpus as CSV, Parquet or one Excel workbook; and the web app's bulk
files (the ``/data`` page), one dataset and one year (or all) per file.

CSV and Parquet write one file per dataset into a folder: ``reports``, ``sections``, ``values``
(long form), the four wide tables (``proactive_2019``, ``proactive_2021``, ``requests``,
``appeals``: one column per format column key) and ``findings``. Excel writes one workbook
through :mod:`gongkai.store.xlsx` (the web's workbooks are written by it too): the reports, a sheet
per statistics table laid out like the national format and the findings with their review
decisions, each row led by agency, year and region, one header row in the reader's language,
links to the web app with ``--base-url``. Long ``values`` is left out of the workbook (it passes
Excel's row limit on a large corpus); use CSV or Parquet for it.

Bulk files (:func:`write_bulk`): a dataset for one year (or every year) as CSV (UTF-8 with a BOM,
so that Excel reads the Chinese; the header is the column keys of the data dictionary), Parquet
(zstd) or XLSX (one sheet, written by :mod:`gongkai.store.xlsx` like every workbook: one header
row of Chinese labels, or the keys in English). Each is written by DuckDB or row batch
by row batch to a file, never held in memory; :func:`bulk_fingerprint` says when the corpus has
changed (what a cache of these files is keyed by) and :func:`bulk_counts` how many rows each has.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from gongkai import __version__
from gongkai.formats import load_format
from gongkai.store.db import Store
from gongkai.store.queries.findings import FindingFilter
from gongkai.store.regions import RegionFilter
from gongkai.store.safe_cells import sql_text
from gongkai.store.schema import (
    DECIMAL_TYPE,
    SCHEMA_VERSION,
    VIEW_TABLES,
    parser_version,
    quote,
    relation,
    view_columns,
)
from gongkai.store.xlsx import XLSX_MAX_ROWS

Connection = duckdb.DuckDBPyConnection

EXPORT_FORMATS = ("csv", "parquet", "xlsx")


@dataclass(frozen=True, slots=True)
class Dataset:
    name: str  # file / sheet base name
    relation: str  # table or view in the store
    order: str  # ORDER BY
    sheet_zh: str | None  # sheet name in the workbook; None: not in the workbook


DATASETS: tuple[Dataset, ...] = (
    Dataset("reports", "reports", '"year", agency_key, id', "报告"),
    Dataset("sections", "sections", "report, ordinal", None),
    Dataset("values", "values", "report, table_key, row_order, column_key", None),
    Dataset("proactive_2019", "v_proactive_2019", '"year", agency_key, report, row_order', "表二 主动公开（2019格式）"),
    Dataset("proactive_2021", "v_proactive_2021", '"year", agency_key, report, row_order', "表二 主动公开（2021格式）"),
    Dataset("requests", "v_requests", '"year", agency_key, report, row_order', "表三 申请办理"),
    Dataset("appeals", "v_appeals", '"year", agency_key, report, row_order', "表四 复议诉讼"),
    Dataset("findings", "findings", "report, origin, seq", "审核发现"),
)

# Short Chinese headers for the workbook's reports and findings sheets and the wide tables.
HEADERS_ZH: dict[str, str] = {
    "id": "报告编号",
    "report": "报告编号",
    "path": "文件",
    "sha256": "SHA-256",
    "kind": "文件类型",
    "size": "大小",
    "encoding": "编码",
    "parser_version": "解析器版本",
    "status": "状态",
    "error_code": "失败代码",
    "error_zh": "失败原因",
    "error_en": "失败原因（英文）",
    "agency": "机关",
    "agency_norm": "规范化名称",
    "agency_key": "机关键",
    "year": "年度",
    "format": "格式",
    "format_evidence": "格式依据",
    "signed_on": "成文日期",
    "published_on": "发布日期",
    "province": "省",
    "city": "市",
    "county": "县（区）",
    "region_code": "区划代码",
    "title": "标题",
    "ingested_at": "导入时间",
    "row_key": "行键",
    "row_label": "行",
    "row_order": "行序",
    "extra_row": "自增行",
    "seq": "序号",
    "origin": "来源",
    "code": "规则",
    "severity": "级别",
    "message": "说明",
    "message_en": "说明（英文）",
    "section": "章节",
    "table": "表",
    "row": "行键",
    "column": "列键",
    "line": "行号",
    "page": "页码",
    "figures": "数值",
    "note": "备注",
    "related_report": "对比报告",
}


def _where(rel: str, year: int | None, region: RegionFilter | None) -> str:
    """Filter any dataset by its report's year and region, and to the current version of each
    report (a superseded one is history: its page and v_report_versions keep it). Inlined, not
    bound (COPY takes no parameters): the year is an int and the prefix only digits, checked here."""
    conds = ["r.status <> 'superseded'"]
    if year is not None:
        conds.append(f'r."year" = {int(year)}')
    if region is not None and region.prefix:
        if not region.prefix.isdigit():
            raise ValueError(region.prefix)
        conds.append(f"r.region_code LIKE '{region.prefix}%'")
    id_col = "id" if rel == "reports" else "report"
    return f" WHERE {id_col} IN (SELECT r.id FROM reports r WHERE {' AND '.join(conds)})"


def _plain_number(col: str) -> str:
    """A decimal as a reader writes it: 12, 3.5 (not 12.0000)."""
    c = quote(col)
    return (
        f"CASE WHEN {c} IS NULL THEN NULL WHEN {c} = trunc({c}) THEN CAST(CAST({c} AS HUGEINT) AS VARCHAR) "
        f"ELSE rtrim(CAST({c} AS VARCHAR), '0') END AS {c}"
    )


def _csv_column(name: str, col_type: str) -> str:
    """A column as the CSV has it: decimals without trailing zeros, text never a formula
    (:mod:`gongkai.store.safe_cells`)."""
    if col_type == DECIMAL_TYPE:
        return _plain_number(name)
    if col_type in ("VARCHAR", "JSON"):
        return f"{sql_text(f'CAST({quote(name)} AS VARCHAR)')} AS {quote(name)}"
    return quote(name)


def dataset_sql(
    ds: Dataset, year: int | None = None, region: RegionFilter | None = None, *, plain_numbers: bool = False
) -> str:
    """The dataset's SELECT. With *plain_numbers* (CSV) decimals are written without trailing zeros
    and text that a spreadsheet would run as a formula starts with ``'``."""
    cols = "*"
    if plain_numbers:
        cols = ", ".join(_csv_column(c.name, c.type) for c in relation(ds.relation).columns)
    return f"SELECT {cols} FROM {quote(ds.relation)}{_where(ds.relation, year, region)} ORDER BY {ds.order}"


def export(
    store: Store,
    fmt: str,
    out: Path,
    *,
    year: int | None = None,
    region: RegionFilter | None = None,
    base_url: str | None = None,
    lang: str = "zh",
) -> list[Path]:
    """Write the export (``gongkai export``); returns the files written. *base_url* and *lang*
    are the workbook's (links to the web app, the language of its heads)."""
    if fmt == "xlsx":
        target = out if out.suffix.lower() == ".xlsx" else out / "gongkai.xlsx"
        write_xlsx(store, target, year=year, region=region, base_url=base_url, lang=lang)
        return [target]
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for ds in DATASETS:
        target = out / f"{ds.name}.{fmt}"
        _copy(store.con, dataset_sql(ds, year, region, plain_numbers=fmt == "csv"), fmt, target)
        written.append(target)
    return written


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _copy(con: Connection, sql: str, fmt: str, target: Path) -> None:
    options = "(FORMAT csv, HEADER true)" if fmt == "csv" else "(FORMAT parquet, COMPRESSION zstd)"
    con.execute(f"COPY ({sql}) TO {_literal(str(target))} {options}")


def _rows(con: Connection, sql: str, size: int = 10_000) -> Iterator[tuple[Any, ...]]:
    cur = con.cursor()
    try:
        cur.execute(sql)
        while True:
            chunk = cur.fetchmany(size)
            if not chunk:
                break
            yield from chunk
    finally:
        cur.close()


def _table_headers(ds: Dataset) -> tuple[list[str], list[str]]:
    """(Chinese labels, keys) of a dataset's columns."""
    keys = [c.name for c in relation(ds.relation).columns]
    labels: dict[str, str] = {}
    if ds.relation in VIEW_TABLES:
        table_key, fmt = VIEW_TABLES[ds.relation]
        labels = dict(view_columns(table_key, fmt))
    described = {c.name: _short(c.zh) for c in relation(ds.relation).columns}
    return [labels.get(k) or HEADERS_ZH.get(k) or described.get(k) or k for k in keys], keys


def _short(description: str) -> str:
    """A column's Chinese description cut to a heading: up to its first colon, semicolon or bracket."""
    return re.split(r"[：；（(]", description, maxsplit=1)[0].strip()


def _national_labels(ds: Dataset) -> dict[str, str]:
    """Row key → the national format's label, for the wide tables (agency-added rows keep theirs)."""
    if ds.relation not in VIEW_TABLES:
        return {}
    table_key, fmt = VIEW_TABLES[ds.relation]
    out: dict[str, str] = {}
    for f in [fmt] if fmt else ["2019", "2021"]:
        out.update({k: r.label for k, r in load_format(f).tables[table_key].rows.items()})
    return out


def write_xlsx(
    store: Store,
    target: Path,
    *,
    year: int | None = None,
    region: RegionFilter | None = None,
    base_url: str | None = None,
    lang: str = "zh",
) -> None:
    """The workbook of ``gongkai export --format xlsx``: the reports, the statistics tables and
    the findings (:func:`gongkai.store.xlsx.corpus_sheets`, the web's report workbook too).
    Raises :class:`gongkai.store.xlsx.TooManyRows` (a ValueError) past Excel's row limit."""
    from gongkai.store import xlsx

    flt = FindingFilter(region=region.prefix if region else "", year=year, decision="all")
    ctx = xlsx.Context(lang=lang, base_url=base_url)
    xlsx.write_workbook(target, xlsx.corpus_sheets(store.con, xlsx.Scope(flt), ctx), lang)


# --- bulk files: one dataset, one year (or all), one format -----------------------------------

BULK_FORMATS = ("csv", "parquet", "xlsx")
BOM = "\ufeff".encode()
# The sheet of a bulk XLSX of a dataset the export's workbook leaves out.
BULK_SHEETS_ZH = {"values": "数值（长表）", "sections": "章节正文"}
# Datasets a bulk XLSX is not offered for: long texts (a cell holds at most 32,767 characters).
NO_XLSX = frozenset({"sections"})
# What a bulk file's name says: gongkai-values-2023.csv, gongkai-findings-all.parquet.
BULK_PREFIX = "gongkai"


def dataset(name: str) -> Dataset:
    for ds in DATASETS:
        if ds.name == name:
            return ds
    raise KeyError(name)


def bulk_name(name: str, year: int | None, fmt: str) -> str:
    return f"{BULK_PREFIX}-{name}-{year if year is not None else 'all'}.{fmt}"


@dataclass(frozen=True, slots=True)
class BulkCount:
    """How many rows a dataset has for one report year (None: reports without a year)."""

    dataset: str
    year: int | None
    rows: int


@dataclass(frozen=True, slots=True)
class ShownPaths:
    """How ``reports.path`` is written in a bulk file: an uploaded file by its name, a path under
    the ingest root relative to it, another absolute path by its name, a relative one as it is —
    never where the server keeps its files (the web app's rule, ``WebDB.shown_path``)."""

    uploads: str
    root: str | None = None

    def sql(self, col: str = "path") -> str:
        name = f"regexp_extract({col}, '[^/\\\\]*$')"
        parts = []
        for folder, shown in ((self.uploads, name), (self.root, None)):
            if not folder:
                continue
            prefix = folder.rstrip("/\\")
            for sep in ("/", "\\"):
                lit = _literal(prefix + sep)
                value = shown or f"substr({col}, {len(prefix) + 2})"
                parts.append(f"WHEN starts_with({col}, {lit}) THEN {value}")
        parts.append(f"WHEN regexp_matches({col}, '^([A-Za-z]:)?[\\\\/]') THEN {name}")  # absolute
        return f"CASE {' '.join(parts)} ELSE {col} END"


def bulk_fingerprint(con: Connection) -> str:
    """A short text that changes whenever a bulk file would: the reports (ingests, uploads,
    removals), the findings (a year-over-year re-check changes them alone), the layout (schema,
    parser and gongkai versions)."""
    row = con.execute(
        """SELECT (SELECT count(*) FROM reports), (SELECT max(ingested_at) FROM reports),
          (SELECT sum(id % 1000003) FROM reports), (SELECT count(*) FROM findings),
          (SELECT sum(hash(report, origin, seq, code, message, related_report) % 1000003) FROM findings)"""
    ).fetchone()
    text = repr((row, SCHEMA_VERSION, parser_version(), __version__))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def bulk_counts(con: Connection) -> list[BulkCount]:
    """Rows per dataset and report year (every dataset of :data:`DATASETS`), as the files have
    them (the current version of each report: :func:`dataset_sql`)."""
    out: list[BulkCount] = []
    for ds in DATASETS:
        id_col = "id" if ds.relation == "reports" else "report"
        sql = (
            f'SELECT r."year", count(*) FROM (SELECT {id_col} FROM {quote(ds.relation)}'
            f"{_where(ds.relation, None, None)}) x JOIN reports r ON r.id = x.{id_col} GROUP BY 1"
        )
        for year, n in con.execute(sql).fetchall():
            out.append(BulkCount(ds.name, year, int(n)))
    return sorted(out, key=lambda c: (c.dataset, c.year is None, -(c.year or 0)))


def bulk_years(con: Connection) -> list[int]:
    """The report years of the corpus, latest first."""
    return [
        int(r[0])
        for r in con.execute('SELECT DISTINCT "year" FROM reports WHERE "year" IS NOT NULL ORDER BY 1 DESC').fetchall()
    ]


def bulk_sql(ds: Dataset, year: int | None, shown: ShownPaths | None, *, plain_numbers: bool) -> str:
    sql = dataset_sql(ds, year, plain_numbers=plain_numbers)
    if shown is None or "path" not in {c.name for c in relation(ds.relation).columns}:
        return sql
    path = shown.sql("path")
    if plain_numbers:  # a file's name is text like any other: never a formula (a path is one before)
        path = sql_text(path)
    cols = ", ".join((f"{path} AS path" if c.name == "path" else quote(c.name)) for c in relation(ds.relation).columns)
    return f"SELECT {cols} FROM ({sql})"


def write_bulk(
    con: Connection,
    name: str,
    fmt: str,
    target: Path,
    *,
    year: int | None = None,
    shown: ShownPaths | None = None,
    lang: str = "zh",
) -> int:
    """Write dataset *name* (of :data:`DATASETS`) for report year *year* (None: every report) as
    *fmt* to *target*, through a temporary file beside it renamed into place (a reader sees the
    whole file or none); returns its size. *lang*: the XLSX header's language. Raises KeyError
    for an unknown dataset or format and ValueError when an XLSX would pass Excel's row limit."""
    ds = dataset(name)
    if fmt not in BULK_FORMATS or (fmt == "xlsx" and name in NO_XLSX):
        raise KeyError(fmt)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if fmt == "xlsx":
            _bulk_xlsx(con, ds, year, shown, tmp, lang)
        elif fmt == "parquet":
            _copy(con, bulk_sql(ds, year, shown, plain_numbers=False), "parquet", tmp)
        else:
            raw = tmp.with_name(tmp.name + ".raw")
            try:
                _copy(con, bulk_sql(ds, year, shown, plain_numbers=True), "csv", raw)
                with tmp.open("wb") as out, raw.open("rb") as src:
                    out.write(BOM)  # Excel reads UTF-8 only with it; without, Chinese comes out garbled
                    shutil.copyfileobj(src, out, 1024 * 1024)
            finally:
                with contextlib.suppress(OSError):
                    raw.unlink()
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return target.stat().st_size


def _bulk_xlsx(
    con: Connection, ds: Dataset, year: int | None, shown: ShownPaths | None, target: Path, lang: str
) -> None:
    """One dataset as one sheet, written by the one XLSX writer (:func:`gongkai.store.xlsx.write_workbook`:
    one header row — the Chinese labels, or in English the column keys of the data dictionary —
    frozen, an autofilter, widths, text never a formula), the rows fetched in batches."""
    from gongkai.store import xlsx

    sql = bulk_sql(ds, year, shown, plain_numbers=False)
    row = con.execute(f"SELECT count(*) FROM ({sql})").fetchone()
    n_rows = int(row[0]) if row else 0
    if n_rows + 1 > XLSX_MAX_ROWS:
        raise xlsx.TooManyRows(f"{ds.name}: {n_rows} rows")
    labels, keys = _table_headers(ds)
    national = _national_labels(ds)
    label_at = keys.index("row_label") if national else -1
    key_at = keys.index("row_key") if national else -1

    def rows() -> Iterator[list[Any]]:
        for values in _rows(con, sql):
            cells = list(values)
            if national and cells[key_at] in national:
                cells[label_at] = national[cells[key_at]]
            yield cells

    columns = [xlsx.Col(key, label, key) for label, key in zip(labels, keys, strict=True)]
    sheet = xlsx.Sheet(ds.name, ds.sheet_zh or BULK_SHEETS_ZH.get(ds.name, ds.name), ds.name, columns, rows())
    xlsx.write_workbook(target, [sheet], lang)


__all__ = [
    "BOM",
    "BULK_FORMATS",
    "DATASETS",
    "EXPORT_FORMATS",
    "NO_XLSX",
    "XLSX_MAX_ROWS",
    "BulkCount",
    "Dataset",
    "ShownPaths",
    "bulk_counts",
    "bulk_fingerprint",
    "bulk_name",
    "bulk_sql",
    "bulk_years",
    "dataset",
    "export",
    "write_bulk",
    "write_xlsx",
]
