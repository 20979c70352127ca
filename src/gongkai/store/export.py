"""``gongkai export``: the corpus as CSV, Parquet or one Excel workbook.

CSV and Parquet write one file per dataset into a folder: ``reports``, ``sections``, ``values``
(long form), the four wide tables (``proactive_2019``, ``proactive_2021``, ``requests``,
``appeals``: one column per format column key) and ``findings``. Excel writes one workbook with
a sheet per statistics table laid out like the national format — rows in the format's order,
Chinese labels from the format specs in the first header row and the keys in the second — plus
the reports and findings. Long ``values`` is left out of the workbook (it passes Excel's row
limit on a large corpus); use CSV or Parquet for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from gongkai.formats import load_format
from gongkai.store.db import Store
from gongkai.store.regions import RegionFilter
from gongkai.store.safe_cells import sql_text, xlsx_cell, xlsx_row
from gongkai.store.schema import DECIMAL_TYPE, VIEW_TABLES, quote, relation, view_columns

EXPORT_FORMATS = ("csv", "parquet", "xlsx")
XLSX_MAX_ROWS = 1_048_576


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
    """Filter any dataset by its report's year and region. Inlined, not bound (COPY takes no
    parameters): the year is an int and the prefix only digits, checked here."""
    conds = []
    if year is not None:
        conds.append(f'r."year" = {int(year)}')
    if region is not None and region.prefix:
        if not region.prefix.isdigit():
            raise ValueError(region.prefix)
        conds.append(f"r.region_code LIKE '{region.prefix}%'")
    if not conds:
        return ""
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
    store: Store, fmt: str, out: Path, *, year: int | None = None, region: RegionFilter | None = None
) -> list[Path]:
    """Write the export; returns the files written."""
    if fmt == "xlsx":
        target = out if out.suffix.lower() == ".xlsx" else out / "gongkai.xlsx"
        target.parent.mkdir(parents=True, exist_ok=True)
        write_xlsx(store, target, year=year, region=region)
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


def write_xlsx(store: Store, target: Path, *, year: int | None = None, region: RegionFilter | None = None) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    key_font = Font(color="808080", size=9)
    fill = PatternFill("solid", fgColor="EEEEEE")
    for ds in DATASETS:
        if ds.sheet_zh is None:
            continue
        sql = dataset_sql(ds, year, region)
        n_rows = store.query(f"SELECT count(*) FROM ({sql})")[0][0]
        if n_rows + 2 > XLSX_MAX_ROWS:
            raise ValueError(f"{ds.name}: {n_rows} rows")
        ws = wb.create_sheet(ds.sheet_zh)
        labels, keys = _table_headers(ds)
        ws.append([xlsx_cell(ws, label, font=bold, fill=fill) for label in labels])
        ws.append(xlsx_row(ws, keys, font=key_font))
        ws.freeze_panes = "A3"
        national = _national_labels(ds)
        label_at = keys.index("row_label") if national else -1
        key_at = keys.index("row_key") if national else -1
        for row in _rows(store, sql):
            cells = [_cell(v) for v in row]
            if national and cells[key_at] in national:
                cells[label_at] = national[cells[key_at]]
            ws.append(xlsx_row(ws, cells))  # text is a string cell, never a formula
    wb.save(target)


__all__ = ["DATASETS", "EXPORT_FORMATS", "Dataset", "export", "write_xlsx"]
