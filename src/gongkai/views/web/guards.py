"""The web app's guards below the pages: which Host it answers, how large a request body may be,
how many downloads are built at once, the security headers, and the token kept out of the log.

- **Host** (DNS rebinding): a page on ``evil.example`` whose name an attacker re-points at
  127.0.0.1 reaches the server with ``Host: evil.example``. Only the loopback names and
  addresses and the address given to ``--host`` (plus ``--allow-host`` names) are answered;
  another Host gets 400. Bound to every interface (``0.0.0.0``), a token is required anyway.
- **Request bodies** are limited while they stream in (:class:`BodyLimit`): a ``Content-Length``
  over the limit is refused at once, a body without one is cut off when it passes the limit.
  413 either way. Uploads may carry ``max_upload_files`` files of ``max_upload_bytes``; every
  other request at most :data:`MAX_FORM_BYTES`.
- **Downloads** (``.csv`` / ``.xlsx``) are built at most :data:`MAX_EXPORTS` at a time
  (:class:`ExportSlots`); one more is answered 503 with ``Retry-After``.
- **Headers**: a Content-Security-Policy that allows the app's own static scripts and styles
  only (no inline script anywhere), ``frame-ancestors 'none'``, ``nosniff``, a referrer policy.
- **Access log**: uvicorn logs every request's path and query; ``token=…`` is written ``***``.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import threading
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from starlette.exceptions import HTTPException as StarletteHTTPException

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::", "[::]", "*"})
MIN_TOKEN_LENGTH = 16
MAX_FORM_BYTES = 1024 * 1024  # any request but an upload: forms and JSON of review decisions
MAX_EXPORTS = 2  # .csv / .xlsx downloads built at the same time
RETRY_AFTER_SECONDS = 5
UPLOAD_PATHS = ("/upload", "/api/upload")

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

# (scope, status, Chinese message, English message) -> an ASGI response in the request's language
ErrorResponder = Callable[[dict[str, Any], int, str, str], Any]
ASGIApp = Callable[[dict[str, Any], Callable[[], Awaitable[dict[str, Any]]], Callable[..., Awaitable[None]]], Any]


# --- Host ------------------------------------------------------------------------------------


def is_loopback(host: str) -> bool:
    host = host.lower().rstrip(".")
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_name(header: str) -> str:
    """The name in a ``Host`` header, without the port: ``[::1]:8000`` → ``::1``."""
    header = header.strip().lower()
    if header.startswith("["):
        end = header.find("]")
        return header[1:end] if end > 0 else header
    if header.count(":") == 1:
        header = header.split(":", 1)[0]
    return header.rstrip(".")


class HostPolicy:
    """The Host names this server answers to."""

    def __init__(self, bind_host: str = "127.0.0.1", extra: Iterable[str] = ()) -> None:
        self.bind_host = bind_host
        self.any = bind_host.strip() in WILDCARD_HOSTS
        self.names = frozenset(host_name(h) for h in (bind_host, *extra) if h)

    def allows(self, header: str | None) -> bool:
        if self.any:
            return True
        if not header:
            return False
        name = host_name(header)
        return name in self.names or is_loopback(name)


# --- request bodies --------------------------------------------------------------------------


class BodyTooLarge(StarletteHTTPException):
    """Raised from ``receive`` when a body passes its limit: a 413 with the message, answered by
    the app's error handler (or by :class:`BodyLimit` when it reaches that far)."""

    def __init__(self, message: str) -> None:
        super().__init__(413, detail=message)


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for k, v in scope.get("headers") or ():
        if k.lower() == name:
            return str(v.decode("latin-1"))
    return None


def size_text(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1048576:.1f} MB".replace(".0 MB", " MB")
    return f"{max(1, round(n / 1024))} KB"


class BodyLimit:
    """ASGI middleware: every request body within *limit_for(path)* bytes, checked from
    ``Content-Length`` first and counted while it streams."""

    def __init__(
        self, app: ASGIApp, limit_for: Callable[[str], int], error: ErrorResponder, lang: Callable[[Any], str]
    ) -> None:
        self.app = app
        self.limit_for = limit_for
        self.error = error
        self.lang = lang

    @staticmethod
    def messages(path: str, limit: int) -> tuple[str, str]:
        if path in UPLOAD_PATHS:
            return "上传内容过大。", "The upload is too large."
        shown = size_text(limit)
        return f"请求内容过大（上限 {shown}）。", f"The request body is too large (limit {shown})."

    def _too_large(self, scope: dict[str, Any], limit: int) -> Any:
        return self.error(scope, 413, *self.messages(scope.get("path", ""), limit))

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        length = _header(scope, b"content-length")
        if length is not None:
            if not length.strip().isdigit() or not length.isascii():
                response = self.error(scope, 400, "Content-Length 无效。", "Invalid Content-Length.")
                await response(scope, receive, send)
                return
            if int(length) > limit:
                await self._too_large(scope, limit)(scope, receive, send)
                return
        received = 0

        async def limited_receive() -> dict[str, Any]:
            nonlocal received
            message: dict[str, Any] = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    zh, en = self.messages(scope.get("path", ""), limit)
                    raise BodyTooLarge(en if self.lang(scope) == "en" else zh)
            return message

        started = False

        async def tracked_send(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracked_send)
        except BodyTooLarge:
            if started:
                raise
            await self._too_large(scope, limit)(scope, receive, send)


# --- downloads -------------------------------------------------------------------------------


def is_download(path: str) -> bool:
    return path.endswith((".csv", ".xlsx")) and not path.startswith("/static/")


class ExportSlots:
    """ASGI middleware: at most *slots* ``.csv`` / ``.xlsx`` downloads at a time, each holding its
    slot until its answer is sent; one more is answered 503 with ``Retry-After``."""

    def __init__(self, app: ASGIApp, slots: threading.BoundedSemaphore, error: ErrorResponder) -> None:
        self.app = app
        self.slots = slots
        self.error = error

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not is_download(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        if not self.slots.acquire(blocking=False):
            response = self.error(
                scope,
                503,
                f"下载正忙：正在生成其他表格，请 {RETRY_AFTER_SECONDS} 秒后再试。",
                f"Downloads are busy building other tables: try again in {RETRY_AFTER_SECONDS} seconds.",
            )
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
            await response(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.slots.release()


# --- access log ------------------------------------------------------------------------------

_TOKEN_IN_QUERY = re.compile(r"(?i)([?&](?:token|access_token)=)[^&\s\"]*")


def redact(text: str) -> str:
    """*text* with the value of every ``token=`` query parameter replaced by ``***``."""
    return _TOKEN_IN_QUERY.sub(r"\1***", text)


class TokenLogFilter(logging.Filter):
    """Keeps ``?token=…`` out of uvicorn's access log (its records carry the path as an argument)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "token=" in record.msg.lower():
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


ACCESS_LOGGERS = ("uvicorn.access", "uvicorn.error")


def install_log_filter() -> None:
    """Add :class:`TokenLogFilter` to uvicorn's loggers (once)."""
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, TokenLogFilter) for f in logger.filters):
            logger.addFilter(TokenLogFilter())


__all__ = [
    "CONTENT_SECURITY_POLICY",
    "MAX_EXPORTS",
    "MAX_FORM_BYTES",
    "MIN_TOKEN_LENGTH",
    "SECURITY_HEADERS",
    "BodyLimit",
    "BodyTooLarge",
    "ExportSlots",
    "HostPolicy",
    "TokenLogFilter",
    "host_name",
    "install_log_filter",
    "is_download",
    "is_loopback",
    "redact",
]
