"""The FastAPI application: settings, security, errors, static files and the pages' routes.

``create_app(db)`` builds the app over one corpus database. Pages live one per module under
``pages/`` (``index``, ``upload``, ``report``, ``agency``, ``region``, ``api``) with templates of
the same names; each page builds a :class:`~gongkai.views.web.render.Page` and
:func:`~gongkai.views.web.render.respond` turns it into HTML or its ``.json``/``.csv``/``.xlsx``
twin.

Security: report text is escaped (Jinja autoescape); uploads are limited in size and checked by
content; when a token is set every request must carry it (``Authorization: Bearer``, the
``X-Gongkai-Token`` header, or the cookie set by visiting any page with ``?token=``); requests
that change data must come from the app's own pages (``Origin`` checked); only the server's own
addresses are answered (``Host`` checked against DNS rebinding); request bodies and concurrent
downloads are bounded; every answer carries a Content-Security-Policy (see :mod:`.guards`).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from gongkai import __version__
from gongkai.limits import DEFAULT_LIMITS, Limits
from gongkai.views.web.db import DatabaseSessions, WebDB
from gongkai.views.web.guards import (
    MAX_EXPORTS,
    MAX_FORM_BYTES,
    MIN_TOKEN_LENGTH,
    SECURITY_HEADERS,
    UPLOAD_PATHS,
    BodyLimit,
    ExportSlots,
    HostPolicy,
    host_name,
    install_log_filter,
)
from gongkai.views.web.render import REVIEWER_COOKIE, UI, JSONResponse, error_body, render_html, request_lang
from gongkai.views.web.saving import KeyedLocks

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # per file
MAX_UPLOAD_FILES = 50
TOKEN_COOKIE = "gongkai_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_OVERHEAD = 64 * 1024  # multipart boundaries and headers per upload request
# Requests that take the database at their first use, not at their start (see DatabaseSessions):
# uploads receive and read their files first, which takes long and needs no database.
LAZY_DB_PATHS = frozenset({*UPLOAD_PATHS, "/upload/store", "/write/ledger", "/write/check", "/write/download"})


@dataclass(slots=True)
class Settings:
    token: str | None = None
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    max_upload_files: int = MAX_UPLOAD_FILES
    roster: Path | None = None  # the configured list of agencies expected to publish
    hosts: HostPolicy = field(default_factory=HostPolicy)
    max_exports: int = MAX_EXPORTS
    limits: Limits = DEFAULT_LIMITS  # an uploaded file is read within these, in a worker process
    extra: dict[str, Any] = field(default_factory=dict)

    def body_limit(self, path: str) -> int:
        """The largest request body for *path*: uploads carry files, anything else a form."""
        if path in UPLOAD_PATHS or (path.startswith("/regions/") and path.endswith("/roster")):
            return self.max_upload_bytes * self.max_upload_files + FORM_OVERHEAD
        if path == "/write/ledger":  # one request ledger (pages/write.py)
            return self.max_upload_bytes + FORM_OVERHEAD
        return MAX_FORM_BYTES


@dataclass(slots=True)
class WebState:
    db: WebDB
    settings: Settings
    export_slots: threading.BoundedSemaphore = field(default_factory=lambda: threading.BoundedSemaphore(MAX_EXPORTS))
    upload_locks: KeyedLocks = field(default_factory=KeyedLocks)  # one per content (SHA-256) being stored


def state(request: Request) -> WebState:
    st: WebState = request.app.state.web
    return st


def static_dir() -> Path:
    return Path(str(resources.files("gongkai.views.web").joinpath("static")))


def wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/api") or path.endswith((".json", ".csv", ".xlsx", ".zip", ".parquet")):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_response(request: Request, status: int, message: str) -> Response:
    if wants_json(request):
        return JSONResponse(error_body(status, message), status_code=status)
    return render_html(request, "error.html", {"status": status, "message": message}, status=status)


def _status_message(ui: UI, status: int, detail: Any) -> str:
    if isinstance(detail, str) and detail and detail not in ("Not Found", "Method Not Allowed"):
        return detail
    if status == 404:
        return ui.t("找不到这个页面。", "Page not found.")
    if status == 405:
        return ui.t("不支持这种请求方法。", "Method not allowed.")
    return ui.t(f"请求出错（{status}）。", f"Request failed ({status}).")


def asgi_error(scope: dict[str, Any], status: int, zh: str, en: str) -> Response:
    """An error answer for the request *scope*, in its language, from below the routes."""
    request = Request(scope)
    response = error_response(request, status, UI(request_lang(request)).t(zh, en))
    response.headers.update(SECURITY_HEADERS)
    return response


def weak_token_message(token: str) -> tuple[str, str]:
    return (
        f"访问令牌太短（{len(token)} 个字符）：至少需要 {MIN_TOKEN_LENGTH} 个字符。"
        "可用 python -c 'import secrets; print(secrets.token_urlsafe(24))' 生成一个。",
        f"The token is too short ({len(token)} characters): it needs at least {MIN_TOKEN_LENGTH}. "
        "Make one with python -c 'import secrets; print(secrets.token_urlsafe(24))'.",
    )


def _token_ok(request: Request, token: str) -> bool:
    given = [
        request.headers.get("x-gongkai-token"),
        request.cookies.get(TOKEN_COOKIE),
    ]
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        given.append(auth[7:].strip())
    return any(g is not None and secrets.compare_digest(g.encode(), token.encode()) for g in given)


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin or origin == "null":
        return origin is None  # a "null" origin (sandboxed frame, file://) is never ours
    host = request.headers.get("host", "")
    return urlsplit(origin).netloc == host


API_DOCS_HTML = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>gongkai API</title>
<link rel="icon" href="/static/favicon.svg">
<link rel="stylesheet" href="/static/swagger-ui/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi-url="/api/openapi.json"></div>
<script src="/static/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script>
</body>
</html>
"""


def _scope_lang(scope: dict[str, Any]) -> str:
    return request_lang(Request(scope))


def create_app(
    db: str | Path | WebDB,
    *,
    token: str | None = None,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
    roster: str | Path | None = None,
    uploads_dir: str | Path | None = None,
    host: str = "127.0.0.1",
    allowed_hosts: Iterable[str] = (),
    max_exports: int = MAX_EXPORTS,
    limits: Limits = DEFAULT_LIMITS,
) -> FastAPI:
    """The web app over the corpus database *db* (a path, created if missing, or a WebDB).

    *host* is the address the server is bound to: requests are answered only when their ``Host``
    is a loopback name or address, *host* or one of *allowed_hosts* (any Host when *host* is every
    interface, ``0.0.0.0``). A *token* must have at least 16 characters (ValueError)."""
    if token and len(token) < MIN_TOKEN_LENGTH:
        raise ValueError(weak_token_message(token)[1])
    web_db = db if isinstance(db, WebDB) else WebDB(db, uploads_dir=uploads_dir)
    settings = Settings(
        token=token or None,
        max_upload_bytes=max_upload_bytes,
        roster=Path(roster) if roster else None,
        hosts=HostPolicy(host, allowed_hosts),
        max_exports=max_exports,
        limits=limits,
    )
    install_log_filter()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        install_log_filter()  # again: uvicorn configures its loggers after the app is built
        yield
        if not isinstance(db, WebDB):  # a WebDB handed in belongs to the caller
            web_db.close()

    app = FastAPI(
        lifespan=lifespan,
        title="gongkai",
        version=__version__,
        description="政府信息公开工作年度报告：审核与汇总 API。The JSON API of gongkai: findings, reports, "
        "agencies, regions, review decisions and uploads. Every page of the web app has a `.json` twin as well.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    slots = threading.BoundedSemaphore(max(1, max_exports))
    app.state.web = WebState(web_db, settings, slots)
    # Inside the guard below (Host, token, Origin first); the body limit sits right above the
    # routes so that its 413 reaches them as an HTTP error, not wrapped in the guard's task group.
    app.add_middleware(DatabaseSessions, db=web_db, error=asgi_error, lazy=lambda path: path in LAZY_DB_PATHS)
    app.add_middleware(ExportSlots, slots=slots, error=asgi_error)
    app.add_middleware(BodyLimit, limit_for=settings.body_limit, error=asgi_error, lang=_scope_lang)

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        response = await _guarded(request, call_next)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    async def _guarded(request: Request, call_next: Any) -> Response:
        path = request.url.path
        if not settings.hosts.allows(request.headers.get("host")):
            ui = UI(request_lang(request))
            name = host_name(request.headers.get("host", ""))[:100] or "-"
            return error_response(
                request,
                400,
                ui.t(
                    f"拒绝主机名 {name}：本服务只响应本机地址和 --host 指定的地址（防止 DNS 重绑定）。"
                    f"如需用这个名称访问，请在启动时加上 --allow-host {name}。",
                    f"Host {name} refused: this server answers only its loopback addresses and the address "
                    f"given to --host (a guard against DNS rebinding). To use this name, start it with "
                    f"--allow-host {name}.",
                ),
            )
        if settings.token and not path.startswith("/static/"):
            given = request.query_params.get("token")
            if given is not None and secrets.compare_digest(given.encode(), settings.token.encode()):
                # Remember it in a cookie and drop it from the address bar.
                query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "token"])
                resp = RedirectResponse(path + ("?" + query if query else ""), status_code=303)
                resp.set_cookie(TOKEN_COOKIE, settings.token, httponly=True, samesite="strict", max_age=30 * 86400)
                return resp
            if not _token_ok(request, settings.token):
                ui = UI(request_lang(request))
                return error_response(
                    request,
                    401,
                    ui.t(
                        "需要访问令牌：请在地址后加 ?token=…，或在请求头 Authorization: Bearer … 中提供。",
                        "A token is required: add ?token=… to the address, or send Authorization: Bearer ….",
                    ),
                )
        if request.method not in SAFE_METHODS and not _same_origin(request):
            ui = UI(request_lang(request))
            return error_response(
                request, 403, ui.t("拒绝来自其他网站的请求。", "Requests from other sites are refused.")
            )
        response: Response = await call_next(request)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        ui = UI(request_lang(request))
        return error_response(request, exc.status_code, _status_message(ui, exc.status_code, exc.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        ui = UI(request_lang(request))
        parts = []
        for e in exc.errors():
            where = ".".join(str(x) for x in e.get("loc", ()) if x not in ("query", "path", "body"))
            parts.append(f"{where}: {e.get('msg')}" if where else str(e.get("msg")))
        return error_response(request, 400, ui.t("参数有误：", "Bad parameters: ") + "; ".join(parts))

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        ui = UI(request_lang(request))
        return error_response(
            request, 500, ui.t(f"服务器出错：{type(exc).__name__}", f"Server error: {type(exc).__name__}")
        )

    app.mount("/static", StaticFiles(directory=static_dir()), name="static")

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        # Swagger UI started by a static script: the Content-Security-Policy allows no inline one.
        return HTMLResponse(API_DOCS_HTML)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> RedirectResponse:
        return RedirectResponse("/static/favicon.svg", status_code=301)

    from gongkai.views.web.pages import agency, api, by_rule, data, index, region, report, rules, upload, write

    for module in (api, upload, write, report, agency, region, data, by_rule, rules, index):
        app.include_router(module.router)

    return app


__all__ = ["MAX_UPLOAD_BYTES", "REVIEWER_COOKIE", "TOKEN_COOKIE", "Settings", "WebState", "create_app", "state"]
