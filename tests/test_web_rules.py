"""The rule pages of the web app (issue 12, item 6): ``/rules`` lists every rule with its summary
in the page's language; ``/rules/CODE`` gives the rule's whole explanation — the text ``gongkai
rules CODE`` prints, Chinese first, English with the language switch — and every finding's code
links to it."""

from __future__ import annotations

import inspect
import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gongkai.corpus.ingest import ingest
from gongkai.rules import all_rules
from gongkai.rules.base import unwrap_zh
from gongkai.rules.year import YEAR_RULES
from gongkai.store.db import Store
from gongkai.views.web.app import create_app

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
LOCAL = "http://127.0.0.1"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("rules")
    db = folder / "corpus.duckdb"
    with Store(db) as store:
        ingest([EXAMPLES], store, workers=1)
    with TestClient(create_app(db, uploads_dir=folder / "uploads"), base_url=LOCAL) as c:
        yield c


@pytest.fixture(autouse=True)
def _fresh_cookies(client: TestClient) -> None:
    client.cookies.clear()


def _text(html: str) -> str:
    """The page's main text, tags dropped and whitespace folded (as a reader sees it)."""
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", main)))


def _plain(markdown: str) -> str:
    """Inline Markdown as the page shows it: no backticks or asterisks."""
    return re.sub(r"[*`]", "", markdown)


def _squeeze(text: str) -> str:
    """Without whitespace: markup between words (``<code>``) puts none in the source's place."""
    return re.sub(r"\s+", "", text)


def _paragraphs(markdown: str) -> list[str]:
    """The prose of a rule's explanation: every line that is not a heading, a fence or code."""
    out, fenced = [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if fenced or not line.strip() or line.startswith(("#", "    ")):
            continue
        plain = re.sub(r"[*`]", "", line.strip().removeprefix("- "))
        out.append(re.sub(r"\s+", " ", plain))
    return out


def test_the_catalogue_in_chinese_then_english(client: TestClient) -> None:
    rules = list(all_rules())
    zh = client.get("/rules")
    assert zh.status_code == 200
    text = _text(zh.text)
    for rule in rules:
        assert f'href="/rules/{rule.code}"' in zh.text, rule.code
        assert _squeeze(_plain(rule.summary_zh())) in _squeeze(text), rule.code  # the Chinese summary
        assert _squeeze(_plain(rule.summary())) not in _squeeze(text), rule.code  # not the English
    en = client.get("/rules?lang=en")
    text_en = _text(en.text)
    for rule in rules:
        assert _squeeze(_plain(rule.summary())) in _squeeze(text_en), rule.code
    assert "`" not in text  # inline code shown as code, not as backticks
    table = client.get("/rules.json").json()["tables"]["rules"]
    assert table["columns"][:6] == ["code", "severity", "title", "title_en", "summary", "summary_en"]


@pytest.mark.parametrize("rule", [*all_rules(), *YEAR_RULES], ids=lambda r: r.code)
def test_a_rule_page_holds_its_whole_explanation(client: TestClient, rule: Any) -> None:
    page = client.get(f"/rules/{rule.code}")
    assert page.status_code == 200
    text = _text(page.text)
    assert rule.title_zh in text
    squeezed = _squeeze(text)
    for para in _paragraphs(unwrap_zh(rule.explanation("zh"))):
        assert _squeeze(para) in squeezed, (rule.code, para)
    assert "选择规则" in text and f'ignore = ["{rule.code}"]' in text
    # English one switch away: the header's switch and the page's own link
    assert f'href="/rules/{rule.code}?lang=en"' in page.text
    en = _text(client.get(f"/rules/{rule.code}?lang=en").text)
    for para in _paragraphs(rule.doc()):
        assert _squeeze(para) in _squeeze(en), (rule.code, para)
    assert "Selecting" in en


def test_rule_page_details(client: TestClient) -> None:
    assert client.get("/rules/b001").status_code == 200  # the code in any case
    missing = client.get("/rules/Z999")
    assert missing.status_code == 404 and "没有规则 Z999" in missing.text
    assert client.get("/rules/B001.csv").status_code == 404
    data = client.get("/rules/B001.json").json()
    assert data["rule"]["code"] == "B001" and data["rule"]["explanation"].startswith("# B001")
    assert "## 说明" in data["rule"]["explanation"] and "## What it does" in data["rule"]["explanation_en"]
    # the rule's text is shown as text, never as markup
    page = client.get("/rules/B001").text
    assert "<script" not in page.split("<main", 1)[1].split("</main>")[0]


def test_every_finding_code_links_to_its_rule(client: TestClient) -> None:
    report = client.get("/api/reports?limit=1").json()["reports"][0]["id"]
    html = client.get(f"/reports/{report}").text
    codes = re.findall(r'<td class="c-code"><a href="([^"]+)"', html)
    assert codes and all(re.fullmatch(r"/rules/[A-Z]\d{3}", c) for c in codes), codes
    for href in set(codes):
        assert client.get(href).status_code == 200, href
    assert "/rules#" not in client.get("/").text


def test_the_ledger_codes_explained_too(client: TestClient) -> None:
    """gongkai rules L001 explains the request ledger's codes; so do /rules/L001 and the list, and
    the 编写 page's ledger findings link to them."""
    from gongkai.ledger.findings import CODES

    listing = client.get("/rules").text
    for code in CODES.values():
        assert f'href="/rules/{code.code}"' in listing, code.code
        page = client.get(f"/rules/{code.code}")
        assert page.status_code == 200, code.code
        text = _squeeze(_text(page.text))
        assert _squeeze(code.title_zh) in text and "gongkailedger" in text
        for para in _paragraphs(unwrap_zh(inspect.cleandoc(code.doc_zh))):
            assert _squeeze(para) in text, (code.code, para)
        en = _squeeze(_text(client.get(f"/rules/{code.code}?lang=en").text))
        client.cookies.clear()
        for para in _paragraphs(inspect.cleandoc(code.doc_en)):
            assert _squeeze(para) in en, (code.code, para)


def test_the_api_gives_both_summaries_and_the_page(client: TestClient) -> None:
    rules = {r["code"]: r for r in client.get("/api/rules").json()["rules"]}
    b001 = rules["B001"]
    assert b001["summary_zh"].startswith("逐列核对表三") and b001["summary"]
    assert b001["url"] == "/rules/B001" and client.get(b001["url"]).status_code == 200
