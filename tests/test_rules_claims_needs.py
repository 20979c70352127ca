"""A clause without any word its quantity's patterns all have is not read with those patterns
(claims._NEEDS): the counts read are the same as reading every clause with every pattern."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gongkai.normalize import fold
from gongkai.rules.narrative import claims
from store_helpers import generate_corpus

ROOT = Path(__file__).resolve().parent.parent
CLAUSES = [
    "本年度共收到政府信息公开申请12件",
    "新收政府信息公开申请3件",
    "收到依申请公开事项共5件",
    "收到12件政府信息公开申请",
    "上年结转2件",
    "上一年度结转的申请共计4件",
    "结转下年度办理1件",
    "3件申请结转至下一年度",
    "办结12件",
    "12件已全部按时办结",
    "被申请行政复议3件",
    "行政诉讼2件",
    "被申请行政复议1件、提起行政诉讼1件",
    "我局未收到依申请公开事项",
    "未出现因政府信息公开工作被申请行政复议的情况",
    "全年未发生行政复议、行政诉讼",
]


def _clauses(tmp: Path) -> list[str]:
    texts = [p.read_text("utf-8") for p in sorted((ROOT / "examples").glob("*.txt"))]
    for entry in generate_corpus.generate(tmp, 80, seed=9, kind_weights={"text": 1.0}):
        data = (tmp / entry.file).read_bytes()
        try:
            texts.append(data.decode("utf-8"))
        except UnicodeDecodeError:
            texts.append(data.decode("gb18030", errors="replace"))
    out = list(CLAUSES)
    for text in texts:
        for line in text.split("\n"):
            for sentence in re.split(r"[。；;！!？?]", "".join(fold(line).split())):
                out.extend(c for c in re.split(r"[，,：:]", sentence) if c)
    return list(dict.fromkeys(out))


def test_needed_words_change_no_count(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clauses = _clauses(tmp_path)
    fast = [claims._read_clause(c) for c in clauses]
    monkeypatch.setattr(claims, "_NEEDS", dict.fromkeys(claims._PATTERNS, ("",)))  # "" is in every clause
    assert fast == [claims._read_clause(c) for c in clauses]
    assert sum(1 for f in fast if f) > 50


def test_every_pattern_has_a_needed_word() -> None:
    """Each pattern's own words: it matches its example only with a needed word in it."""
    for quantity, patterns in claims._PATTERNS.items():
        for pattern in patterns:
            source = pattern.pattern
            assert any(w in source for w in claims._NEEDS[quantity]), (quantity, source)
