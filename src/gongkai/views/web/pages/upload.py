"""Upload (``/upload``): drop report files, see their findings at once; the reports join the corpus.

Each file is checked before it is read: at most ``max_upload_bytes`` (20 MB by default), and of a
kind the readers know *by its content* (:func:`gongkai.readers.detect.detect_kind`: text, HTML,
Word .docx, PDF — never by its name). Accepted files are kept beside the database (so the report
view can show their text) and go through the store's per-file ingest
(:func:`gongkai.corpus.ingest.process_file`, then :meth:`Store.write_reports` and the
year-over-year rules), exactly as ``gongkai ingest`` would store them. A file that is no report is
answered with the reason and not stored.

``POST /upload`` (form, HTML answer) and ``POST /api/upload`` (JSON) take ``files`` (one or more).
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from gongkai.readers.detect import detect_kind
from gongkai.store.queries import reports as q_reports
from gongkai.store.queries.findings import report_findings
from gongkai.views.web.app import WebState, state
from gongkai.views.web.data import finding_dicts, rule_title
from gongkai.views.web.render import UI, JSONResponse, Page, render_html, request_lang, respond
from gongkai.views.web.saving import discard, save_atomic

router = APIRouter()

ACCEPTED_KINDS = ("text", "html", "docx", "pdf")
KIND_NAMES = {
    "text": ("文本", "text"),
    "html": ("网页", "HTML"),
    "docx": ("Word", "Word"),
    "pdf": ("PDF", "PDF"),
}
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
FORM_OVERHEAD = 64 * 1024  # multipart boundaries and headers per request


@dataclass(slots=True)
class UploadResult:
    filename: str
    size: int
    status: str  # "ok", "known" (already in the corpus), "rejected" (size/type), "failed" (not a report)
    kind: str | None = None
    error_code: str | None = None
    error: str | None = None
    report: int | None = None
    agency: str | None = None
    year: int | None = None
    findings: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "size": self.size,
            "status": self.status,
            "kind": self.kind,
            "error_code": self.error_code,
            "error": self.error,
            "report": self.report,
            "url": f"/reports/{self.report}" if self.report is not None else None,
            "agency": self.agency,
            "year": self.year,
            "findings": self.findings,
        }


def size_text(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1048576:.1f} MB".replace(".0 MB", " MB")
    return f"{max(1, round(n / 1024))} KB"


def too_large_message(ui: UI, size: int, limit: int) -> str:
    return ui.t(
        f"文件过大（{size_text(size)}，上限 {size_text(limit)}）。",
        f"File too large ({size_text(size)}, limit {size_text(limit)}).",
    )


def safe_filename(name: str | None) -> str:
    base = Path((name or "").replace("\\", "/")).name
    base = _UNSAFE_NAME.sub("_", base).strip(" .")[:120]
    return base or "upload"


_UPLOAD_WORKERS = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))


def _ingest_saved(st: WebState, path: Path, sha: str, ui: UI) -> tuple[int | None, str | None, str | None]:
    """Parse, check and store one saved file as ``gongkai ingest`` does. Returns (report id, error
    code, error message); a file that is no report is not stored."""
    from gongkai.corpus.ingest import process_file_bounded, store_reports

    # In a worker process of its own, within the server's limits (time, memory, pages…): a hostile
    # file ends with a message, the server keeps running and gets its memory back. At most one
    # such worker per core at a time; more uploads wait their turn.
    with _UPLOAD_WORKERS:
        rows = process_file_bounded(str(path), sha, limits=st.settings.limits)
    if not rows.ok:
        r = rows.report
        return None, r.get("error_code"), ui.t(str(r.get("error_zh") or ""), str(r.get("error_en") or ""))
    with st.db.writing():
        (stored,) = store_reports(st.db.store, [rows])
    if not stored.ok:  # could not be written: stored as failed with the reason
        r = stored.report
        return None, r.get("error_code"), ui.t(str(r.get("error_zh") or ""), str(r.get("error_en") or ""))
    return rows.id, None, None


def _process(st: WebState, name: str, data: bytes, ui: UI) -> UploadResult:
    limit = st.settings.max_upload_bytes
    result = UploadResult(filename=name, size=len(data), status="rejected")
    if len(data) > limit:
        result.error_code = "too_large"
        result.error = too_large_message(ui, len(data), limit)
        return result
    kind = detect_kind(data)
    result.kind = kind
    if kind not in ACCEPTED_KINDS:
        result.error_code = "unsupported_type"
        result.error = ui.t(
            f"不支持的文件内容（{kind}）：请上传文本、网页、Word（.docx）或 PDF 格式的报告。",
            f"Unsupported content ({kind}): upload the report as text, HTML, Word (.docx) or PDF.",
        )
        return result
    sha = hashlib.sha256(data).hexdigest()
    from gongkai.store.rows import report_id

    rid = report_id(sha)
    with st.upload_locks.hold(sha):  # the same bytes uploaded at once: one reads, the others find it stored
        if q_reports.is_stored(st.db.cursor(), rid):
            result.status = "known"
            result.report = rid
        else:
            path = save_atomic(st.db.uploads_dir / sha[:16], name, data)
            stored, code, error = _ingest_saved(st, path, sha, ui)
            if stored is None:
                discard(path)
                result.status = "failed"
                result.error_code = code
                result.error = error
                return result
            result.status = "ok"
            result.report = stored
    meta = q_reports.report_name(st.db.cursor(), result.report)
    result.agency, result.year = (meta.agency, meta.year) if meta else (None, None)
    result.findings = [
        f | {"rule_title": rule_title(str(f["code"]), ui.lang)}
        for f in finding_dicts(st.db, report_findings(st.db.cursor(), result.report))
    ]
    return result


async def handle_upload(request: Request) -> list[UploadResult]:
    st = state(request)
    ui = UI(request_lang(request))
    limit = st.settings.max_upload_bytes
    length = request.headers.get("content-length")
    if length is None:
        raise HTTPException(411, detail=ui.t("请求缺少 Content-Length。", "Content-Length is required."))
    try:
        total = int(length)
    except ValueError:
        raise HTTPException(400, detail="Content-Length") from None
    if total > limit * st.settings.max_upload_files + FORM_OVERHEAD:
        raise HTTPException(413, detail=ui.t("上传内容过大。", "The upload is too large."))
    ctype = request.headers.get("content-type", "")
    if not ctype.startswith("multipart/form-data"):
        raise HTTPException(
            415,
            detail=ui.t(
                "请用 multipart/form-data 上传文件（字段 files）。",
                "Upload files as multipart/form-data (field files).",
            ),
        )
    form = await request.form(max_files=st.settings.max_upload_files, max_fields=50)
    uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
    uploads += [f for f in form.getlist("file") if isinstance(f, UploadFile)]
    if not uploads:
        raise HTTPException(400, detail=ui.t("没有收到文件。", "No file received."))
    results = []
    for up in uploads:
        data = await up.read(limit + 1)
        size = up.size if up.size is not None else len(data)
        name = safe_filename(up.filename)
        if size > limit:
            res = UploadResult(filename=name, size=size, status="rejected", error_code="too_large")
            res.error = too_large_message(ui, size, limit)
            results.append(res)
            continue
        results.append(await run_in_threadpool(_process, st, name, data, ui))
        await up.close()
    return results


def upload_page(results: list[UploadResult] | None, ui: UI, st: WebState) -> Page:
    return Page(
        template="upload.html",
        title=ui.t("上传报告", "Upload reports"),
        data={"results": [r.to_dict() for r in results or []]},
        extra={
            "results": results or [],
            "limit": size_text(st.settings.max_upload_bytes),
            "kind_names": KIND_NAMES,
        },
        filename="gongkai-upload",
    )


def upload_status(results: list[UploadResult]) -> int:
    """200 when anything was read; else the status of the (first) rejection."""
    if any(r.status in ("ok", "known") for r in results):
        return 200
    codes = {r.error_code for r in results}
    if "too_large" in codes:
        return 413
    if "unsupported_type" in codes:
        return 415
    return 422


@router.get("/upload", include_in_schema=False)
def upload_form(request: Request) -> Response:
    ui = UI(request_lang(request))
    return respond(request, upload_page(None, ui, state(request)), "html")


@router.post("/upload", include_in_schema=False)
async def upload_post(request: Request) -> Response:
    ui = UI(request_lang(request))
    results = await handle_upload(request)
    page = upload_page(results, ui, state(request))
    context = {"page": page, "data": page.data, "tables": page.tables, **page.extra}
    return render_html(request, "upload.html", context, status=upload_status(results))


@router.post(
    "/api/upload",
    tags=["upload"],
    summary="Upload report files; returns each file's findings",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"}}},
                        "required": ["files"],
                    }
                }
            },
        }
    },
)
async def api_upload(request: Request) -> Response:
    """上传报告文件（multipart 字段 `files`，可多个），返回每个文件的审核发现；报告并入数据库。

    Each file: at most 20 MB, text / HTML / Word (.docx) / PDF by content. The answer lists, per
    file, `status` (`ok`, `known` — already in the corpus, `rejected`, `failed` — not a report),
    the report id and URL, and the findings."""
    results = await handle_upload(request)
    status = upload_status(results)
    body: dict[str, Any] = {"ok": status == 200, "results": [r.to_dict() for r in results]}
    if status != 200:
        body["status"] = status
        body["error"] = "; ".join(f"{r.filename}: {r.error}" for r in results if r.error)
    return JSONResponse(body, status_code=status)
