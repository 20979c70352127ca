"""``gongkai export``: the corpus as CSV, Parquet or one Excel workbook.

CSV and Parquet write one file per dataset into a folder: ``reports``, ``sections``, ``values``
(long form), the four wide tables (``proactive_2019``, ``proactive_2021``, ``requests``,
``appeals``: one column per format column key) and ``findings``. Excel writes one workbook
through :mod:`gongkai.store.xlsx` (the web's workbooks are written by it too): the reports, a sheet
per statistics table laid out like the national format and the findings with their review
decisions, each row led by agency, year and region, one header row in the reader's language,
links to the web app with ``--base-url``. Long ``values`` is left out of the workbook (it passes
Excel's row limit on a large corpus); use CSV or Parquet for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from gongkai.formats import load_format
from gongkai.store.db import Store
from gongkai.store.queries.findings import FindingFilter
from gongkai.store.regions import RegionFilter
from gongkai.store.safe_cells import sql_text
from gongkai.store.schema import DECIMAL_TYPE, VIEW_TABLES, quote, relation, view_columns

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
        options = "(FORMAT csv, HEADER true)" if fmt == "csv" else "(FORMAT parquet, COMPRESSION zstd)"
        path_sql = str(target).replace("'", "''")
        sql = dataset_sql(ds, year, region, plain_numbers=fmt == "csv")
        store.run(f"COPY ({sql}) TO '{path_sql}' {options}")
        written.append(target)
    return written


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _rows(store: Store, sql: str, size: int = 10_000) -> Iterator[tuple[Any, ...]]:
    cur = store.con.cursor()
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
    return [labels.get(k) or HEADERS_ZH.get(k, k) for k in keys], keys


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


__all__ = ["DATASETS", "EXPORT_FORMATS", "Dataset", "export", "write_xlsx"]
