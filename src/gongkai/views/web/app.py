"""The FastAPI application: settings, security, errors, static files and the pages' routes.

``create_app(db)`` builds the app over one corpus database. Pages live one per module under
``pages/`` (``index``, ``upload``, ``report``, ``agency``, ``region``, ``api``) with templates of
the same names; each page builds a :class:`~gongkai.views.web.render.Page` and
:func:`~gongkai.views.web.render.respond` turns it into HTML or its ``.json``/``.csv``/``.xlsx``
twin.

Security: report text is escaped (Jinja autoescape); uploads are limited in size and checked by
content; when a token is set every request must carry it (``Authorization: Bearer``, the
``X-Gongkai-Token`` header, or the cookie set by visiting any page with ``?token=``); requests
that change data must come from the app's own pages (``Origin`` checked).
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from gongkai import __version__
from gongkai.views.web.db import WebDB
from gongkai.views.web.render import REVIEWER_COOKIE, UI, JSONResponse, error_body, render_html, request_lang

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # per file
MAX_UPLOAD_FILES = 50
TOKEN_COOKIE = "gongkai_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(slots=True)
class Settings:
    token: str | None = None
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    max_upload_files: int = MAX_UPLOAD_FILES
    roster: Path | None = None  # the configured list of agencies expected to publish
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class WebState:
    db: WebDB
    settings: Settings


def state(request: Request) -> WebState:
    st: WebState = request.app.state.web
    return st


def static_dir() -> Path:
    return Path(str(resources.files("gongkai.views.web").joinpath("static")))


def wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/api") or path.endswith((".json", ".csv", ".xlsx")):
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


def create_app(
    db: str | Path | WebDB,
    *,
    token: str | None = None,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
    roster: str | Path | None = None,
    uploads_dir: str | Path | None = None,
) -> FastAPI:
    """The web app over the corpus database *db* (a path, created if missing, or a WebDB)."""
    web_db = db if isinstance(db, WebDB) else WebDB(db, uploads_dir=uploads_dir)
    settings = Settings(token=token or None, max_upload_bytes=max_upload_bytes, roster=Path(roster) if roster else None)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
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
    app.state.web = WebState(web_db, settings)

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        path = request.url.path
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
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
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
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="gongkai API",
            swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> RedirectResponse:
        return RedirectResponse("/static/favicon.svg", status_code=301)

    from gongkai.views.web.pages import agency, api, index, region, report, rules, upload

    for module in (api, upload, report, agency, region, rules, index):
        app.include_router(module.router)

    return app


__all__ = ["MAX_UPLOAD_BYTES", "REVIEWER_COOKIE", "TOKEN_COOKIE", "Settings", "WebState", "create_app", "state"]
