"""The rule catalogue (``/rules``), each rule's whole explanation (``/rules/{code}``, linked from
every finding's code: the text ``gongkai rules CODE`` prints, Chinese first, English with the
language switch); and ``POST /reviewer``, which remembers the reviewer's name in a cookie."""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from markdown_it import MarkdownIt
from markupsafe import Markup

from gongkai.store.queries.findings import code_counts
from gongkai.views.web.app import state
from gongkai.views.web.data import RuleInfo, ledger_catalogue, rule_catalogue
from gongkai.views.web.render import UI, Column, DataTable, Page, request_lang, respond, set_reviewer, split_ext

router = APIRouter()

_CODE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


@router.get("/rules/{name}", include_in_schema=False)
def rule(request: Request, name: str) -> Response:
    """One rule explained whole: ``/rules/B001`` (``.json``: the same text as Markdown)."""
    code, fmt = split_ext(name)
    code = code.upper()
    if fmt not in ("html", "json") or not set(code) <= _CODE_CHARS:
        raise HTTPException(404)
    ui = UI(request_lang(request))
    info = rule_catalogue().get(code) or ledger_catalogue().get(code)
    if info is None:
        raise HTTPException(404, detail=ui.t(f"没有规则 {code}。", f"No rule {code}."))
    counts = {c.code: c.findings for c in code_counts(state(request).db.cursor())}
    title = info.text(ui.lang)[0]
    heading, body = _split_heading(info.page(ui.lang))
    data = {
        "code": code,
        "title": info.title_zh,
        "title_en": info.title_en,
        "severity": info.severity,
        "summary": info.summary_zh,
        "summary_en": info.summary,
        "explanation": info.page_zh,
        "explanation_en": info.page_en,
        "findings": counts.get(code, 0),
    }
    extra = {
        "rule": info,
        "heading": heading or f"{code} {title}",
        "title": title,
        "body": markdown_html(body),
        "findings": counts.get(code, 0),
    }
    page = Page("rule.html", f"{code} {title}", {"rule": data}, {}, extra, filename=f"gongkai-rule-{code}")
    return respond(request, page, fmt)


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
            Column("summary", "说明", "Summary (Chinese)"),
            Column("summary_en", "说明（英文）", "Summary"),
            Column("findings", "发现数", "Findings"),
        ],
    )
    catalogue = rule_catalogue().values()
    table.rows = [
        [r.code, r.severity, r.title_zh, r.title_en, r.summary_zh, r.summary, counts.get(r.code, 0)] for r in catalogue
    ]
    listed = [_listed(r, ui.lang, counts.get(r.code, 0)) for r in catalogue]
    ledger = [_listed(c, ui.lang, 0) for c in ledger_catalogue().values()]
    page = Page(
        "rules.html",
        ui.t("审核规则", "Rules"),
        {},
        {"rules": table},
        {"rules": listed, "ledger": ledger},
        filename="gongkai-rules",
    )
    return respond(request, page, fmt)


def _listed(info: RuleInfo, lang: str, findings: int) -> dict[str, Any]:
    """A row of the catalogue as the page lists it: title and summary in *lang*."""
    title, summary = info.text(lang)
    return {
        "code": info.code,
        "severity": info.severity,
        "title": title,
        "summary": markdown_inline(summary),
        "findings": findings,
    }


def _split_heading(text: str) -> tuple[str, str]:
    """(the first heading's text, the rest) of a Markdown page: the page's ``h1`` shows the code
    and title, so the heading and the bold title under it are not shown again."""
    first, _, rest = text.partition("\n")
    if not first.startswith("# "):
        return "", text
    rest = rest.lstrip("\n")
    if rest.startswith("**"):
        rest = rest.partition("\n")[2]
    return first[2:].strip(), rest


@cache
def _markdown() -> MarkdownIt:
    # No raw HTML: whatever a rule's text holds is shown as text.
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def markdown_html(text: str) -> Markup:
    """A rule's Markdown as HTML, headings one level down (the page has its own ``h1``)."""
    html = _markdown().render(text)
    for level in (5, 4, 3, 2, 1):
        html = html.replace(f"<h{level}>", f"<h{level + 1}>").replace(f"</h{level}>", f"</h{level + 1}>")
    return Markup(html)  # rendered with html=False: every tag is markdown-it's own


def markdown_inline(text: str) -> Markup:
    """A summary's inline Markdown (`code`, **bold**) as HTML, with no paragraph around it."""
    return Markup(_markdown().renderInline(text))  # html=False: every tag is markdown-it's own


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
