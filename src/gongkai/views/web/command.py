"""``gongkai serve``: run the web app, or answer one request in-process with ``--get``.

Registered on the ``gongkai`` command by one import in :mod:`gongkai.views.cli`. FastAPI and
uvicorn are imported only when the command runs.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import unquote, urlsplit

import typer
from rich.markup import escape

from gongkai.views.cli import EXIT_USAGE_OR_IO, LimitOption, app, err, limits_or_exit
from gongkai.views.i18n import lang, t
from gongkai.views.web.guards import MIN_TOKEN_LENGTH, is_loopback

DEFAULT_DB = "gongkai.duckdb"  # as gongkai.store.db.DEFAULT_DB; the store is imported only when serving


def asgi_request(
    asgi_app: Any, method: str, target: str, *, headers: dict[str, str] | None = None, body: bytes = b""
) -> tuple[int, dict[str, str], bytes]:
    """Send one request to an ASGI app in this process; returns (status, headers, body)."""
    parts = urlsplit(target if target.startswith("/") else "/" + target)
    raw_headers = [(b"host", b"localhost")]
    for k, v in (headers or {}).items():
        raw_headers.append((k.lower().encode("latin-1"), v.encode("latin-1")))
    if body:
        raw_headers.append((b"content-length", str(len(body)).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method.upper(),
        "scheme": "http",
        "path": unquote(parts.path),
        "raw_path": parts.path.encode("utf-8"),
        "query_string": parts.query.encode("utf-8"),
        "root_path": "",
        "headers": raw_headers,
        "client": ("127.0.0.1", 0),
        "server": ("localhost", 80),
        "state": {},
    }
    status = 500
    out_headers: dict[str, str] = {}
    chunks: list[bytes] = []
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)  # the client never disconnects while the app answers
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])
            for k, v in message.get("headers", []):
                out_headers[k.decode("latin-1").lower()] = v.decode("latin-1")
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    started = False

    async def send_tracked(message: dict[str, Any]) -> None:
        nonlocal started
        started = True
        await send(message)

    try:
        asyncio.run(asgi_app(scope, receive, send_tracked))
    except Exception as exc:
        # Starlette re-raises a server error after its handler has answered; keep that answer.
        if not started:
            body_out = f'{{"ok": false, "error": "{type(exc).__name__}", "status": 500}}'.encode()
            return 500, {"content-type": "application/json"}, body_out
    return status, out_headers, b"".join(chunks)


@app.command()
def serve(
    db: Annotated[Path, typer.Option("--db", help="数据库文件 / database file")] = Path(DEFAULT_DB),
    host: Annotated[str, typer.Option("--host", help="监听地址 / address to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="端口 / port")] = 8000,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="GONGKAI_TOKEN",
            help="访问令牌，绑定非本机地址时必须提供 / access token, required off localhost",
        ),
    ] = None,
    roster: Annotated[
        Path | None, typer.Option("--roster", help="应发布机关名单 CSV / roster of expected agencies")
    ] = None,
    max_upload_mb: Annotated[int, typer.Option("--max-upload-mb", help="单个上传文件上限 / upload limit (MB)")] = 20,
    get: Annotated[
        str | None, typer.Option("--get", help="在进程内请求一个路径并输出 / answer one request and print it")
    ] = None,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            help="也响应这个主机名（可重复；默认只响应本机地址和 --host）/ also answer this Host name (repeatable)",
        ),
    ] = None,
    limit: LimitOption = None,
) -> None:
    """运行审核网页（问题、上传、报告、机关、地区、API）。Run the web app reviewers work in.

    Binds 127.0.0.1 by default; any other address needs --token of at least 16 characters (then
    pass it as ?token=… once, or as the header Authorization: Bearer …). Only requests addressed
    to the loopback names, the --host address or an --allow-host name are answered. The database
    must exist (gongkai ingest creates it). With --get PATH the request is answered in-process and
    the body printed: exit 0 for a 2xx/3xx answer, 1 otherwise.

    Example: gongkai serve --db gongkai.duckdb --get /index.json
    """
    if not get and not is_loopback(host) and not token:
        err.print(
            t(
                f"[bold red]绑定到 {escape(host)} 需要 --token[/]：其他机器可以访问此地址。"
                "请加上 --token 或使用默认的 127.0.0.1。",
                f"[bold red]Binding {escape(host)} needs --token[/]: other machines can reach it. "
                "Add --token, or keep 127.0.0.1.",
            ),
            highlight=False,
        )
        raise typer.Exit(EXIT_USAGE_OR_IO)
    if token and len(token) < MIN_TOKEN_LENGTH:
        from gongkai.views.web.app import weak_token_message

        err.print(t(*weak_token_message(token)), style="bold red", markup=False, highlight=False)
        raise typer.Exit(EXIT_USAGE_OR_IO)
    from gongkai.store.dataset import is_dataset

    if not db.is_file() and not is_dataset(db):  # a database file, or a dataset (ingest --engine dask)
        err.print(
            t(
                f"数据库不存在：{db}。请检查路径，或先用 gongkai ingest 报告文件夹 --db {db} 创建它。",
                f"No database at {db}: check the path, or create it first with gongkai ingest FOLDER --db {db}.",
            ),
            style="bold red",
            markup=False,
            highlight=False,
        )
        raise typer.Exit(EXIT_USAGE_OR_IO)
    if roster is not None and not roster.exists():
        err.print(
            t(f"名单文件不存在：{roster}", f"No roster file at {roster}"),
            style="bold red",
            markup=False,
            highlight=False,
        )
        raise typer.Exit(EXIT_USAGE_OR_IO)

    from gongkai.store.db import StoreError
    from gongkai.views.web.app import create_app
    from gongkai.views.web.db import WebDB, open_checked

    try:
        web_db = open_checked(db, WebDB)
    except StoreError as exc:
        err.print(t(exc.message_zh, exc.message_en), style="bold red", markup=False, highlight=False)
        raise typer.Exit(EXIT_USAGE_OR_IO) from None
    web_app = create_app(
        web_db,
        token=token,
        roster=roster,
        max_upload_bytes=max_upload_mb * 1024 * 1024,
        host=host,
        allowed_hosts=allow_host or (),
        limits=limits_or_exit(limit),
    )

    if get:
        headers = {"accept-language": lang()}
        if token:
            headers["authorization"] = f"Bearer {token}"
        target = get
        if lang() == "en" and "lang=" not in target:
            target += ("&" if "?" in target else "?") + "lang=en"
        try:
            status, _headers, body = asgi_request(web_app, "GET", target, headers=headers)
        finally:
            web_db.close()
        sys.stdout.buffer.write(body)
        if body and not body.endswith(b"\n"):
            sys.stdout.buffer.write(b"\n")
        sys.stdout.flush()
        if status >= 400:
            raise typer.Exit(1)
        return

    import uvicorn

    shown = f"[{host}]" if ":" in host else host
    err.print(
        t(
            f"gongkai 网页：http://{shown}:{port}/  数据库 {db}",
            f"gongkai web app: http://{shown}:{port}/  database {db}",
        ),
        highlight=False,
    )
    if token:
        err.print(
            t("首次访问请在地址后加 ?token=…", "On the first visit add ?token=… to the address."), highlight=False
        )
    try:
        uvicorn.run(web_app, host=host, port=port, log_level="info", proxy_headers=False, server_header=False)
    finally:
        web_db.close()


__all__ = ["asgi_request", "is_loopback", "serve"]
