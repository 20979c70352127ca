"""Bulk data (``/data``), as FOIA.gov offers it: every dataset of the corpus — reports, values in
long and wide form, the sections' text, findings — for each report year and for all years, as
CSV (UTF-8 with a BOM, so that Excel reads the Chinese), Parquet and XLSX, with their row counts
and sizes, and the data dictionary (the store's own declarations, the text of docs/schema.md).

Files are made on demand and kept on disk, keyed by the corpus's fingerprint
(:func:`gongkai.store.export.bulk_fingerprint`): the first download of a file writes it (DuckDB
``COPY`` or a write-only workbook, row batch by row batch — never the corpus in memory), later ones
are sent from disk; when the corpus changes, the next download writes it anew and the files of
the old fingerprint are removed. They live beside the database (``corpus.duckdb`` →
``corpus.data/``), or in the temporary folder when that cannot be written. At most
:data:`~gongkai.views.web.guards.MAX_EXPORTS` files are written at a time (the downloads' slots);
one more is answered 503 with ``Retry-After``.

Routes: ``/data`` (and ``/data.json``, ``/api/data``), ``/data/{dataset}-{year|all}.{csv|parquet|xlsx}``,
``/data/schema.md`` (docs/schema.md) and ``/data/schema.json``.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response, StreamingResponse

from gongkai.store.export import (
    BULK_FORMATS,
    DATASETS,
    NO_XLSX,
    XLSX_MAX_ROWS,
    ShownPaths,
    bulk_counts,
    bulk_fingerprint,
    bulk_name,
    write_bulk,
)
from gongkai.store.schema import relation, schema_dict, schema_markdown
from gongkai.views.web.app import WebState, error_response, state
from gongkai.views.web.guards import RETRY_AFTER_SECONDS, is_download
from gongkai.views.web.render import UI, JSONResponse, Page, content_disposition, file_chunks, request_lang, respond
from gongkai.views.web.saving import KeyedLocks

router = APIRouter()

# Short titles of the datasets (the data dictionary has the long descriptions).
TITLES: dict[str, tuple[str, str]] = {
    "reports": ("报告", "Reports"),
    "values": ("数值（长表）", "Values (long form)"),
    "proactive_2019": ("表二 主动公开（2019 格式，宽表）", "Table 2, proactive disclosure (2019 format, wide)"),
    "proactive_2021": ("表二 主动公开（2021 格式，宽表）", "Table 2, proactive disclosure (2021 format, wide)"),
    "requests": ("表三 申请办理（宽表）", "Table 3, requests (wide)"),
    "appeals": ("表四 复议诉讼（宽表）", "Table 4, review and litigation (wide)"),
    "findings": ("审核发现", "Findings"),
    "sections": ("章节正文", "Section texts"),
}
ORDER = ("reports", "values", "proactive_2019", "proactive_2021", "requests", "appeals", "findings", "sections")
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMAT_NAMES = {"csv": "CSV", "parquet": "Parquet", "xlsx": "XLSX"}
FILE_RE = re.compile(r"^(?P<dataset>[a-z][a-z0-9_]*)-(?P<year>all|\d{4})\.(?P<fmt>csv|parquet|xlsx)$")
FINGERPRINT_RE = re.compile(r"^[0-9a-f]{16}$")

_builds = KeyedLocks()  # one writer per file; a second request for it waits, then reads it


# --- where the files are kept ----------------------------------------------------------------


def data_dir(st: WebState) -> Path:
    """The folder of the bulk files: ``Settings.extra["data_dir"]``, else beside the database
    (``corpus.duckdb`` → ``corpus.data/``), else (in memory, or not writable) a temporary one."""
    configured = st.settings.extra.get("data_dir")
    if configured:
        return Path(configured)
    memo = st.db.memo.get("data_dir")
    if isinstance(memo, Path):
        return memo
    path = st.db.path
    candidates = []
    if path and path != ":memory:":
        p = Path(path)
        candidates.append(p.with_name(p.stem + ".data"))
    digest = hashlib.sha256(str(path).encode("utf-8")).hexdigest()[:12]
    candidates.append(Path(tempfile.gettempdir()) / f"gongkai-data-{digest}")
    for folder in candidates:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        st.db.memo["data_dir"] = folder
        return folder
    raise HTTPException(500, detail="no folder for the bulk files")


def _fingerprint(st: WebState) -> str:
    return st.db.cached("bulk_fingerprint", lambda: bulk_fingerprint(st.db.cursor()))


def _current_dir(st: WebState, fingerprint: str) -> Path:
    return data_dir(st) / fingerprint


def _prune(st: WebState, fingerprint: str) -> None:
    """Remove the files of every other fingerprint (only folders named like one)."""
    for child in data_dir(st).iterdir():
        if child.is_dir() and FINGERPRINT_RE.match(child.name) and child.name != fingerprint:
            shutil.rmtree(child, ignore_errors=True)


def _disk_name(name: str, year: int | None, fmt: str, lang: str) -> str:
    """The file's name in the folder: a workbook's header is in the reader's language, so the
    English one is kept apart (``….en.xlsx``); it is downloaded under the same name."""
    base = bulk_name(name, year, fmt)
    return base.removesuffix(".xlsx") + ".en.xlsx" if fmt == "xlsx" and lang == "en" else base


def _shown_paths(st: WebState) -> ShownPaths:
    return ShownPaths(str(st.db.uploads_dir), st.db.ingest_root())


# --- the page --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BulkFile:
    dataset: str
    year: int | None
    format: str
    url: str
    rows: int
    size: int | None  # bytes, once the file has been written for the corpus as it is
    available: bool  # False: not offered (no rows; in this format: too many rows for Excel, long texts)
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "year": self.year,
            "format": self.format,
            "url": self.url,
            "rows": self.rows,
            "size": self.size,
            "available": self.available,
            "note": self.note,
        }


def _counts(st: WebState) -> dict[tuple[str, int | None], int]:
    """Rows per (dataset, year); year None is every report (those without a year included)."""

    def build() -> dict[tuple[str, int | None], int]:
        out: dict[tuple[str, int | None], int] = {}
        for c in bulk_counts(st.db.cursor()):
            if c.year is not None:
                out[(c.dataset, c.year)] = c.rows
            out[(c.dataset, None)] = out.get((c.dataset, None), 0) + c.rows
        return out

    return st.db.cached("bulk_counts", build)


def bulk_files(st: WebState, ui: UI) -> tuple[str, list[int], list[BulkFile]]:
    """(fingerprint, years, every file offered) for the corpus as it is."""
    fingerprint = _fingerprint(st)
    counts = _counts(st)
    years = sorted({y for (_d, y) in counts if y is not None}, reverse=True)
    folder = _current_dir(st, fingerprint)
    files: list[BulkFile] = []
    for name in ORDER:
        for year in [None, *years]:
            rows = counts.get((name, year), 0)
            for fmt in BULK_FORMATS:
                note = ""
                available = True
                if rows == 0:
                    available = False
                    note = ui.t("没有数据。", "No rows.")
                elif fmt == "xlsx" and name in NO_XLSX:
                    available = False
                    note = ui.t(
                        "正文过长，Excel 单元格放不下：请用 CSV 或 Parquet。",
                        "Texts too long for Excel cells: use CSV or Parquet.",
                    )
                elif fmt == "xlsx" and rows + 2 > XLSX_MAX_ROWS:
                    available = False
                    note = ui.t(
                        f"{rows:,} 行，超过 Excel 的行数上限：请用 CSV 或 Parquet，或按年度下载。",
                        f"{rows:,} rows, more than Excel holds: use CSV or Parquet, or one year at a time.",
                    )
                target = folder / _disk_name(name, year, fmt, ui.lang)
                size = target.stat().st_size if available and target.is_file() else None
                url = f"/data/{name}-{year if year is not None else 'all'}.{fmt}"
                files.append(BulkFile(name, year, fmt, url, rows, size, available, note))
    return fingerprint, years, files


def dictionary(ui: UI) -> list[dict[str, Any]]:
    """The data dictionary of the bulk datasets, in the words of docs/schema.md."""
    out = []
    for name in ORDER:
        ds = next(d for d in DATASETS if d.name == name)
        rel = relation(ds.relation)
        out.append(
            {
                "dataset": name,
                "title": ui.t(*TITLES[name]),
                **rel.to_dict(),
                "primary_key": list(rel.primary_key),
            }
        )
    return out


def data_page(st: WebState, ui: UI) -> Page:
    fingerprint, years, files = bulk_files(st, ui)
    by_dataset: dict[str, list[dict[str, Any]]] = {}
    for f in files:
        rows = by_dataset.setdefault(f.dataset, [])
        if not rows or rows[-1]["year"] != f.year:
            rows.append({"year": f.year, "rows": f.rows, "files": {}})
        rows[-1]["files"][f.format] = f
    data = {
        "fingerprint": fingerprint,
        "years": years,
        "formats": list(BULK_FORMATS),
        "files": [f.to_dict() for f in files],
        "dictionary": dictionary(ui),
        "schema": {"markdown": "/data/schema.md", "json": "/data/schema.json"},
    }
    return Page(
        template="data.html",
        title=ui.t("数据下载", "Bulk data"),
        data=data,
        extra={
            "datasets": [(name, ui.t(*TITLES[name]), by_dataset.get(name, [])) for name in ORDER],
            "dictionary": data["dictionary"],
            "years": years,
            "format_names": FORMAT_NAMES,
            "fingerprint": fingerprint,
            "size_text": size_text,
        },
        filename="gongkai-data",
    )


def size_text(size: int | None) -> str:
    if size is None:
        return ""
    if size < 1024:
        return f"{size} B"
    for unit in ("KB", "MB", "GB"):
        size_f = size / 1024
        if size_f < 1024 or unit == "GB":
            return f"{size_f:,.1f} {unit}"
        size = int(size_f)
    return f"{size} B"


@router.get("/data", include_in_schema=False)
def data_index(request: Request) -> Response:
    ui = UI(request_lang(request))
    return respond(request, data_page(state(request), ui), "html")


@router.get("/data.json", include_in_schema=False)
def data_json(request: Request) -> Response:
    ui = UI(request_lang(request))
    return respond(request, data_page(state(request), ui), "json")


# --- the files -------------------------------------------------------------------------------


@router.get("/data/schema.md", include_in_schema=False)
def data_schema_markdown() -> Response:
    """The data dictionary as docs/schema.md has it (``gongkai schema --format markdown``)."""
    return Response(
        schema_markdown(),
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": content_disposition("gongkai-schema.md", inline=True)},
    )


@router.get("/data/schema.json", include_in_schema=False)
def data_schema_json() -> Response:
    return JSONResponse(schema_dict(include_internal=False))


@router.get("/data/{name}", include_in_schema=False)
def data_file(request: Request, name: str) -> Response:
    st = state(request)
    ui = UI(request_lang(request))
    m = FILE_RE.match(name)
    if m is None or m["dataset"] not in TITLES:
        raise HTTPException(404, detail=ui.t(f"没有这个数据文件：{name}", f"No such data file: {name}"))
    dataset, fmt = m["dataset"], m["fmt"]
    year = None if m["year"] == "all" else int(m["year"])
    counts = _counts(st)
    if year is not None and (dataset, year) not in counts and year not in {y for (_d, y) in counts}:
        raise HTTPException(
            404, detail=ui.t(f"语料中没有 {year} 年度的报告。", f"The corpus has no report for {year}.")
        )
    if fmt == "xlsx" and dataset in NO_XLSX:
        raise HTTPException(
            404,
            detail=ui.t("这个数据集不提供 XLSX：请用 CSV 或 Parquet。", "No XLSX of this dataset: use CSV or Parquet."),
        )
    too_many = ui.t(
        "行数超过 Excel 的上限：请用 CSV 或 Parquet，或按年度下载。",
        "More rows than Excel holds: use CSV or Parquet, or one year at a time.",
    )
    if fmt == "xlsx" and counts.get((dataset, year), 0) + 2 > XLSX_MAX_ROWS:
        raise HTTPException(404, detail=too_many)
    fingerprint = _fingerprint(st)
    target = _current_dir(st, fingerprint) / _disk_name(dataset, year, fmt, ui.lang)
    handle = _open(target)
    if handle is None:
        if not _take_slot(request, st):
            return busy(request, ui)
        try:
            with _builds.hold(str(target)):
                handle = _open(target)  # written meanwhile by the request this one waited for
                if handle is None:
                    _prune(st, fingerprint)
                    try:
                        write_bulk(
                            st.db.cursor(), dataset, fmt, target, year=year, shown=_shown_paths(st), lang=ui.lang
                        )
                    except ValueError:
                        raise HTTPException(404, detail=too_many) from None
                    handle = _open(target)
        finally:
            _give_slot(request, st)
    if handle is None:
        raise HTTPException(500, detail=ui.t("数据文件没有写成。", "The data file was not written."))
    f, size = handle
    headers = {
        "Content-Disposition": content_disposition(bulk_name(dataset, year, fmt)),
        "Content-Length": str(size),
    }
    return StreamingResponse(file_chunks(f), media_type=MEDIA[fmt], headers=headers)


def _open(path: Path) -> tuple[IO[bytes], int] | None:
    """The file opened for reading and its size, or None: an open file stays readable even when
    the files of an old fingerprint are removed meanwhile."""
    try:
        f = path.open("rb")
    except OSError:
        return None
    try:
        f.seek(0, 2)
        size = f.tell()
        f.seek(0)
    except OSError:
        f.close()
        return None
    return f, size


def _take_slot(request: Request, st: WebState) -> bool:
    """A downloads' slot while a file is written: ``.csv`` and ``.xlsx`` requests hold one
    already (the ExportSlots guard); a ``.parquet`` one takes it here (False when none is free)."""
    return is_download(request.url.path) or st.export_slots.acquire(blocking=False)


def _give_slot(request: Request, st: WebState) -> None:
    if not is_download(request.url.path):
        st.export_slots.release()


def busy(request: Request, ui: UI) -> Response:
    response = error_response(
        request,
        503,
        ui.t(
            f"下载正忙：正在生成其他文件，请 {RETRY_AFTER_SECONDS} 秒后再试。",
            f"Downloads are busy building other files: try again in {RETRY_AFTER_SECONDS} seconds.",
        ),
    )
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


__all__ = ["BulkFile", "bulk_files", "data_dir", "data_page", "dictionary", "router", "size_text"]
