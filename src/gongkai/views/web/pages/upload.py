"""Upload (``/upload``): drop report files and have them checked — without storing them, unless asked.

Each file is checked before it is read: at most ``max_upload_bytes`` (20 MB by default), and of a
kind the readers know *by its content* (:func:`gongkai.readers.detect.detect_kind`: text, HTML,
Word .docx, PDF — never by its name). It is then read, parsed and checked in a worker process of
its own (:func:`gongkai.corpus.ingest.process_file_bounded`), and the answer ends, per file, in one
verdict line: 可以发布 (no finding of severity error) or 需修改：N 个错误.

A check stores nothing: a draft checked here never reaches the corpus, its agency's page or the
problem list. The file is kept aside for a day (``<uploads>/.checked/<sha256>/``) so that storing
it is one more click — **保存到数据库** (``POST /upload/store``, the checked file's SHA-256) — or
ask for both at once (the form's checkbox, ``store=1``). Storing goes through the store's per-file
ingest (:func:`gongkai.corpus.ingest.store_reports`), exactly as ``gongkai ingest`` stores: the
file is kept beside the database (so the report view can show its text), a report of an agency
and year that already has one supersedes it (the older keeps its page, marked superseded, and its
review decisions carry over to the same findings), and the year-over-year rules run again. A file
that is no report is answered with the reason and kept nowhere.

``POST /upload`` (form, HTML answer) and ``POST /api/upload`` (JSON) take ``files`` (one or more)
and ``store``; ``POST /upload/store`` and ``POST /api/upload/store`` take ``sha256`` (one or more).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from gongkai.readers.detect import detect_kind
from gongkai.store.queries import reports as q_reports
from gongkai.store.queries.decisions import carried_count
from gongkai.store.queries.findings import report_findings
from gongkai.store.schema import FINDINGS
from gongkai.views.web.app import WebState, state
from gongkai.views.web.data import finding_dict, finding_dicts, rule_title
from gongkai.views.web.render import UI, JSONResponse, Page, render_html, request_lang, respond
from gongkai.views.web.saving import discard, save_atomic

if TYPE_CHECKING:
    from gongkai.store.rows import ReportRows

router = APIRouter()

ACCEPTED_KINDS = ("text", "html", "docx", "pdf")
KIND_NAMES = {
    "text": ("文本", "text"),
    "html": ("网页", "HTML"),
    "docx": ("Word", "Word"),
    "pdf": ("PDF", "PDF"),
}
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
FORM_OVERHEAD = 64 * 1024  # multipart boundaries and headers per request
CHECKED_DIR = ".checked"  # under the uploads folder: files checked, not (yet) stored
CHECKED_KEEP_SECONDS = 24 * 3600
SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})


@dataclass(slots=True)
class UploadResult:
    filename: str
    size: int
    # "checked" (checked, not stored), "ok" (stored), "known" (already in the corpus),
    # "rejected" (size/type), "failed" (not a report)
    status: str
    kind: str | None = None
    error_code: str | None = None
    error: str | None = None
    report: int | None = None
    sha256: str | None = None
    agency: str | None = None
    year: int | None = None
    findings: list[dict[str, Any]] = field(default_factory=list)
    current: dict[str, Any] | None = None  # checked: the version in the corpus storing it would supersede
    supersedes: list[dict[str, Any]] = field(default_factory=list)  # stored: the versions it superseded
    superseded_by: int | None = None  # stored or known, yet not the current version
    carried: int = 0  # review decisions carried over from the version it superseded
    verdict: str = ""

    @property
    def stored(self) -> bool:
        return self.status in ("ok", "known")

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.get("severity") == "error")

    def to_dict(self) -> dict[str, Any]:
        readable = self.status in ("ok", "known", "checked")
        return {
            "filename": self.filename,
            "size": self.size,
            "status": self.status,
            "stored": self.stored,
            "kind": self.kind,
            "error_code": self.error_code,
            "error": self.error,
            "report": self.report,
            "url": f"/reports/{self.report}" if self.stored and self.report is not None else None,
            "sha256": self.sha256,
            "agency": self.agency,
            "year": self.year,
            "findings": self.findings,
            "errors": self.errors if readable else None,
            "publishable": self.errors == 0 if readable else None,
            "verdict": self.verdict or None,
            "supersedes_current": self.current,
            "superseded": self.supersedes,
            "superseded_by": self.superseded_by,
            "decisions_carried": self.carried,
        }


def verdict_line(ui: UI, errors: int) -> str:
    """The one line a check ends in."""
    if errors == 0:
        return ui.t("可以发布", "Ready to publish")
    return ui.t(f"需修改：{errors} 个错误", f"Needs changes: {errors} error{'s' if errors != 1 else ''}")


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


class _CheckedRows:
    """The rows of files checked and not yet stored, so that storing one does not read it again
    (a few; a file whose rows are gone is read again)."""

    def __init__(self, size: int = 16) -> None:
        self._rows: OrderedDict[str, ReportRows] = OrderedDict()
        self._lock = threading.Lock()
        self.size = size

    def put(self, sha: str, rows: ReportRows) -> None:
        with self._lock:
            self._rows[sha] = rows
            self._rows.move_to_end(sha)
            while len(self._rows) > self.size:
                self._rows.popitem(last=False)

    def take(self, sha: str) -> ReportRows | None:
        with self._lock:
            return self._rows.pop(sha, None)


_CHECKED = _CheckedRows()


def _read(st: WebState, path: Path, sha: str) -> ReportRows:
    """Parse and check one saved file as ``gongkai ingest`` does, in a worker process of its own
    within the server's limits (time, memory, pages…): a hostile file ends with a message, the
    server keeps running and gets its memory back. At most one such worker per core at a time;
    more uploads wait their turn. The database is let go of meanwhile."""
    from gongkai.corpus.ingest import process_file_bounded

    st.db.let_go()
    with _UPLOAD_WORKERS:
        return process_file_bounded(str(path), sha, limits=st.settings.limits)


def _error_of(rows: ReportRows, ui: UI) -> tuple[str | None, str]:
    r = rows.report
    return r.get("error_code"), ui.t(str(r.get("error_zh") or ""), str(r.get("error_en") or ""))


def _store(st: WebState, rows: ReportRows, ui: UI) -> tuple[int | None, str | None, str | None]:
    """Store analysed rows as ``gongkai ingest`` does. Returns (report id, error code, message)."""
    from gongkai.corpus.ingest import store_reports

    with st.db.writing():
        (stored,) = store_reports(st.db.store, [rows])
    if not stored.ok:  # could not be written: stored as failed with the reason
        code, message = _error_of(stored, ui)
        return None, code, message
    return rows.id, None, None


def checked_dir(st: WebState) -> Path:
    return st.db.uploads_dir / CHECKED_DIR


def _forget_old_checks(st: WebState) -> None:
    """Files checked more than a day ago and never stored are removed."""
    folder = checked_dir(st)
    if not folder.is_dir():
        return
    limit = time.time() - CHECKED_KEEP_SECONDS
    for entry in folder.iterdir():
        with contextlib.suppress(OSError):
            if entry.stat().st_mtime < limit:
                shutil.rmtree(entry)


def _findings_of_rows(rows: ReportRows, ui: UI) -> list[dict[str, Any]]:
    """A checked file's findings as pages show them (worst first), from its rows."""
    names = [c.name for c in FINDINGS.columns]
    out = []
    for row in rows.findings:
        f = finding_dict({**dict(zip(names, row, strict=True)), "sha256": rows.sha256})
        f["rule_title"] = rule_title(str(f["code"]), ui.lang)
        out.append(f)
    return sorted(out, key=lambda f: (SEVERITY_RANK.get(str(f.get("severity")), 3), f.get("seq") or 0))


def _describe_stored(st: WebState, result: UploadResult, ui: UI) -> None:
    """Fill *result* (a report in the corpus) from the database: its agency and year, findings,
    which versions it superseded or what superseded it, decisions carried over."""
    assert result.report is not None
    cur = st.db.cursor()
    row = q_reports.report(cur, result.report)
    if row is None:
        return
    result.agency, result.year, result.sha256 = row.agency, row.year, row.sha256
    result.superseded_by = row.superseded_by
    result.supersedes = [
        {"report": v.id, "agency": v.agency, "year": v.year} for v in q_reports.superseded_versions(cur, row.id)
    ]
    result.carried = carried_count(cur, row.sha256)
    result.findings = [
        f | {"rule_title": rule_title(str(f["code"]), ui.lang)}
        for f in finding_dicts(st.db, report_findings(cur, result.report))
    ]


def _accepted(st: WebState, name: str, data: bytes, ui: UI) -> UploadResult | None:
    """A rejection of *data* by size or kind, or None when it may be read."""
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
    return None


def _process(st: WebState, name: str, data: bytes, ui: UI, store: bool) -> UploadResult:
    """Check one uploaded file; store it too when *store*."""
    rejected = _accepted(st, name, data, ui)
    if rejected is not None:
        return rejected
    result = UploadResult(filename=name, size=len(data), status="checked", kind=detect_kind(data))
    sha = hashlib.sha256(data).hexdigest()
    from gongkai.store.rows import report_id

    result.sha256, result.report = sha, report_id(sha)
    with st.upload_locks.hold(sha):  # the same bytes uploaded at once: one reads, the others find it
        if q_reports.is_stored(st.db.cursor(), result.report):
            result.status = "known"
        elif store:
            path = save_atomic(st.db.uploads_dir / sha[:16], name, data)
            rows = _read(st, path, sha)
            stored, code, error = _store(st, rows, ui) if rows.ok else (None, *_error_of(rows, ui))
            if stored is None:
                discard(path)
                result.status, result.error_code, result.error = "failed", code, error
                return result
            result.status = "ok"
        else:
            _forget_old_checks(st)
            folder = checked_dir(st) / sha
            path = save_atomic(folder, name, data)
            rows = _read(st, path, sha)
            if not rows.ok:
                shutil.rmtree(folder, ignore_errors=True)
                result.status = "failed"
                result.error_code, result.error = _error_of(rows, ui)
                return result
            _CHECKED.put(sha, rows)
            result.agency, result.year = rows.report.get("agency"), rows.report.get("year")
            result.findings = _findings_of_rows(rows, ui)
            current = q_reports.current_version(st.db.cursor(), rows.report.get("agency_key"), result.year)
            if current is not None:
                result.current = {"report": current.id, "agency": current.agency, "year": current.year}
    if result.stored:
        _describe_stored(st, result, ui)
    result.verdict = verdict_line(ui, result.errors)
    return result


def _store_checked(st: WebState, sha: str, ui: UI) -> UploadResult:
    """Store a file checked before (kept under the checked folder by its SHA-256)."""
    result = UploadResult(filename="", size=0, status="failed", sha256=sha)
    from gongkai.store.rows import report_id

    result.report = report_id(sha)
    with st.upload_locks.hold(sha):
        folder = checked_dir(st) / sha
        files = _checked_files(folder)
        if q_reports.is_stored(st.db.cursor(), result.report):
            result.status = "known"
            result.filename = files[0].name if files else ""
            shutil.rmtree(folder, ignore_errors=True)
        elif not files:
            result.error_code = "not_checked"
            result.error = ui.t(
                "找不到这个已审核的文件（审核后只保留一天，或已保存）。请重新上传。",
                "This checked file is gone (checked files are kept for a day, or it was stored). Upload it again.",
            )
            return result
        else:
            data = files[0].read_bytes()
            result.filename, result.size, result.kind = files[0].name, len(data), detect_kind(data)
            if hashlib.sha256(data).hexdigest() != sha:
                shutil.rmtree(folder, ignore_errors=True)
                result.error_code = "not_checked"
                result.error = ui.t("已审核的文件已改变，请重新上传。", "The checked file changed: upload it again.")
                return result
            path = save_atomic(st.db.uploads_dir / sha[:16], files[0].name, data)
            rows = _CHECKED.take(sha)
            if rows is None:  # the server was restarted since: read again
                rows = _read(st, path, sha)
            else:
                rows.path = rows.report["path"] = str(path)
            stored, code, error = _store(st, rows, ui) if rows.ok else (None, *_error_of(rows, ui))
            if stored is None:
                discard(path)
                result.error_code, result.error = code, error
                return result
            shutil.rmtree(folder, ignore_errors=True)
            result.status = "ok"
    _describe_stored(st, result, ui)
    result.verdict = verdict_line(ui, result.errors)
    return result


def _checked_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def wants_store(value: Any) -> bool:
    return str(value or "").strip().lower() in TRUE_WORDS


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
    store = wants_store(form.get("store")) or wants_store(request.query_params.get("store"))
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
        results.append(await run_in_threadpool(_process, st, name, data, ui, store))
        await up.close()
    return results


async def handle_store(request: Request) -> list[UploadResult]:
    """Store files checked before, named by their SHA-256 (form fields or JSON ``sha256``)."""
    st = state(request)
    ui = UI(request_lang(request))
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = await request.json()
        except ValueError:
            raise HTTPException(400, detail="JSON") from None
        given = body.get("sha256") if isinstance(body, dict) else None
        shas = [given] if isinstance(given, str) else [str(x) for x in given or [] if isinstance(x, str)]
    else:
        form = await request.form(max_files=0, max_fields=st.settings.max_upload_files + 5)
        shas = [str(x) for x in form.getlist("sha256") if isinstance(x, str)]
    shas = list(dict.fromkeys(x.strip().lower() for x in shas))
    if not shas or len(shas) > st.settings.max_upload_files or not all(_SHA256.match(x) for x in shas):
        raise HTTPException(
            400,
            detail=ui.t(
                "请给出已审核文件的 SHA-256（字段 sha256，64 位十六进制）。",
                "Name the checked files by their SHA-256 (field sha256, 64 hex digits).",
            ),
        )
    return [await run_in_threadpool(_store_checked, st, sha, ui) for sha in shas]


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
    if any(r.status in ("ok", "known", "checked") for r in results):
        return 200
    codes = {r.error_code for r in results}
    if "too_large" in codes:
        return 413
    if "unsupported_type" in codes:
        return 415
    if "not_checked" in codes:
        return 404
    return 422


def _html(request: Request, results: list[UploadResult]) -> Response:
    page = upload_page(results, UI(request_lang(request)), state(request))
    context = {"page": page, "data": page.data, "tables": page.tables, **page.extra}
    return render_html(request, "upload.html", context, status=upload_status(results))


def _json(results: list[UploadResult]) -> Response:
    status = upload_status(results)
    body: dict[str, Any] = {"ok": status == 200, "results": [r.to_dict() for r in results]}
    if status != 200:
        body["status"] = status
        body["error"] = "; ".join(f"{r.filename or r.sha256}: {r.error}" for r in results if r.error)
    return JSONResponse(body, status_code=status)


@router.get("/upload", include_in_schema=False)
def upload_form(request: Request) -> Response:
    ui = UI(request_lang(request))
    return respond(request, upload_page(None, ui, state(request)), "html")


@router.post("/upload", include_in_schema=False)
async def upload_post(request: Request) -> Response:
    return _html(request, await handle_upload(request))


@router.post("/upload/store", include_in_schema=False)
async def upload_store(request: Request) -> Response:
    return _html(request, await handle_store(request))


@router.post(
    "/api/upload",
    tags=["upload"],
    summary="Check report files (and store them with store=true); returns each file's findings and verdict",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                            "store": {"type": "boolean", "default": False},
                        },
                        "required": ["files"],
                    }
                }
            },
        }
    },
)
async def api_upload(request: Request) -> Response:
    """上传报告文件审核（multipart 字段 `files`，可多个）：默认只审核、不保存；`store=true` 时同时并入数据库。

    Each file: at most 20 MB, text / HTML / Word (.docx) / PDF by content. The answer lists, per
    file, `status` (`checked` — checked, not stored; `ok` — stored; `known` — already in the
    corpus; `rejected`; `failed` — not a report), `verdict` (可以发布 / 需修改：N 个错误, English with
    `lang=en`), `publishable`, `errors`, the findings, and `sha256`: store a checked file later with
    `POST /api/upload/store`. A stored report of an agency and year that had one supersedes it
    (`superseded`, `decisions_carried`); a checked one names the version it would supersede
    (`supersedes_current`)."""
    return _json(await handle_upload(request))


@router.post(
    "/api/upload/store",
    tags=["upload"],
    summary="Store files checked before, by their SHA-256",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {"sha256": {"type": "array", "items": {"type": "string"}}},
                        "required": ["sha256"],
                    }
                }
            },
        }
    },
)
async def api_upload_store(request: Request) -> Response:
    """把审核过的文件并入数据库（`sha256`：审核时返回的值，可多个）。

    A checked file is kept for a day. The answer is as for `/api/upload`, `status` `ok` (stored),
    `known` (already stored) or `failed` with `error_code` `not_checked` (no such checked file: 404)."""
    return _json(await handle_store(request))
