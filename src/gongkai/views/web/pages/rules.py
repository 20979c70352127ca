"""The rule catalogue (``/rules``), linked from every finding's code; and ``POST /reviewer``, which
remembers the reviewer's name in a cookie."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from gongkai.store.queries.findings import code_counts
from gongkai.views.web.app import state
from gongkai.views.web.data import rule_catalogue
from gongkai.views.web.render import UI, Column, DataTable, Page, request_lang, respond, set_reviewer, split_ext

router = APIRouter()


@router.get("/rules{ext:path}", include_in_schema=False)
def rules(request: Request, ext: str) -> Response:
    _base, fmt = split_ext("rules" + ext)
    if _base != "rules":
        raise HTTPException(404)
    ui = UI(request_lang(request))
    counts = {c.code: c.findings for c in code_counts(state(request).db.cursor())}
    table = DataTable(
        "rules",
        "审核规则",
        "Rules",
        [
            Column("code", "代码", "Code"),
            Column("severity", "默认级别", "Default severity"),
            Column("title", "标题", "Title"),
            Column("title_en", "标题（英文）", "Title (English)"),
            Column("summary", "说明", "Summary"),
            Column("findings", "发现数", "Findings"),
        ],
    )
    table.rows = [
        [r.code, r.severity, r.title_zh, r.title_en, r.summary, counts.get(r.code, 0)]
        for r in rule_catalogue().values()
    ]
    page = Page(
        "rules.html", ui.t("审核规则", "Rules"), {}, {"rules": table}, {"rules": table.rows}, filename="gongkai-rules"
    )
    return respond(request, page, fmt)


@router.post("/reviewer", include_in_schema=False)
async def reviewer(request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=5)
    name = str(form.get("reviewer") or "")
    nxt = str(form.get("next") or "/")
    parts = urlsplit(nxt)
    if parts.scheme or parts.netloc or not nxt.startswith("/"):
        nxt = "/"  # never redirect off the site
    resp = RedirectResponse(nxt, status_code=303)
    set_reviewer(resp, name)
    return resp
