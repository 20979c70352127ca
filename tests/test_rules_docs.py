"""Docs that cannot drift: every rule is documented on its class and in docs/rules/, and the
generated pages are up to date (python tools/gen_rule_docs.py rewrites them)."""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import re
import string
from pathlib import Path

import pytest

import gongkai.rules as rules_pkg
from gongkai.rules import Rule, all_rules
from gongkai.rules.base import FAMILIES, SEVERITIES
from gongkai.rules.registry import all_options

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "rules"
RULES = all_rules()
FAMILY_DIRS = {"format": "F", "balance": "B", "time": "T", "narrative": "N"}


def load_generator():
    spec = importlib.util.spec_from_file_location("gen_rule_docs", ROOT / "tools" / "gen_rule_docs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_docs_are_fresh():
    stale = load_generator().stale(DOCS)
    assert stale == [], f"run: python tools/gen_rule_docs.py  (stale: {stale})"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_is_documented(rule: type[Rule]):
    doc = rule.doc()
    for heading in ("## What it does", "## Why is this bad?", "## Example"):
        assert heading in doc, f"{rule.code} lacks {heading}"
    assert (DOCS / f"{rule.code}.md").is_file()
    assert f"[{rule.code}]({rule.code}.md)" in (DOCS / "README.md").read_text(encoding="utf-8")
    assert rule.title_zh and rule.title_en and rule.summary()
    assert rule.severity in SEVERITIES


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_options_listed_in_docs_exist_and_declared_ones_are_listed(rule: type[Rule]):
    for doc, heading in ((rule.doc(), "## Options"), (rule.explanation("zh"), "## 选项")):
        listed = set(re.findall(r"^- `([a-z-]+)`", doc.split(heading, 1)[1], re.M)) if heading in doc else set()
        assert listed == {o.name for o in rule.options}, heading


ZH_HEADINGS = {
    "## What it does": "## 说明",
    "## Why is this bad?": "## 为什么是问题",
    "## Example": "## 示例",
    "## Options": "## 选项",
    "## Severity": "## 级别",
    "## References": "## 依据",
}


def _cjk_share(text: str) -> float:
    prose = re.sub(r"```.*?```|`[^`]*`", "", text, flags=re.S)
    letters = [c for c in prose if c.isalpha()]
    return sum(1 for c in letters if "\u4e00" <= c <= "\u9fff") / max(len(letters), 1)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_is_documented_in_chinese_with_the_same_sections(rule: type[Rule]):
    """``doc_zh`` has the English docstring's sections, in order, and is written in Chinese."""
    assert rule.doc_zh, f"{rule.code} has no doc_zh"
    zh = rule.explanation("zh")
    en_sections = [h for h in re.findall(r"^## .*$", rule.doc(), re.M) if h in ZH_HEADINGS]
    assert re.findall(r"^## .*$", zh, re.M) == [ZH_HEADINGS[h] for h in en_sections]
    assert zh.count("```") == rule.doc().count("```")  # the same examples
    assert _cjk_share(zh) > 0.8, f"{rule.code}: doc_zh is not mostly Chinese"
    assert rule.summary_zh() and "\n" not in rule.summary_zh()


def test_rule_pages_are_chinese_first_then_english():
    for rule in RULES:
        page = (DOCS / f"{rule.code}.md").read_text(encoding="utf-8")
        assert page.index("## 说明") < page.index("---") < page.index("## What it does"), rule.code
        assert f"**{rule.title_zh}** — {rule.title_en}" in page


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_templates_are_named_and_valid(rule: type[Rule]):
    """Messages are str.format templates with named fields only, in both languages."""
    for zh, en in [(rule.template_zh, rule.template_en), *rule.variants.values()]:
        for template in (zh, en):
            fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
            assert all(f and not f[0].isdigit() for f in fields), template
            template.format(**{f: "x" for f in fields})


def test_codes_are_stable_format_and_unique():
    codes = [r.code for r in RULES]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[FBTNY]\d{3}", c) for c in codes)
    names = [r.name for r in RULES]
    assert len(names) == len(set(names))
    assert set(FAMILIES) == {"F", "B", "T", "N", "Y"}


def test_one_rule_per_file_in_its_family_folder_and_all_registered():
    """Every module under rules/<family>/ that defines a Rule is registered, in its family."""
    registered = {r.__module__: r for r in RULES}
    for folder, letter in FAMILY_DIRS.items():
        package = importlib.import_module(f"gongkai.rules.{folder}")
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"gongkai.rules.{folder}.{info.name}")
            defined = [
                obj for obj in vars(module).values()
                if isinstance(obj, type) and issubclass(obj, Rule) and obj.__module__ == module.__name__
                and "code" in vars(obj)
            ]  # fmt: skip
            assert len(defined) <= 1, f"{module.__name__} defines {len(defined)} rules"
            for rule in defined:
                assert registered.get(module.__name__) is rule
                assert rule.code.startswith(letter)


def test_every_option_documented_in_index():
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    for name in all_options():
        assert f"{name} = " in index


def test_package_contract_imports():
    from gongkai.rules import CheckConfig, Finding, all_rules, check_report, load_config  # noqa: F401

    assert rules_pkg.__all__
