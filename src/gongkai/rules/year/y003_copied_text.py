"""Y003: a section nearly copies the same agency's text of the year before."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from gongkai.rules.base import Finding, Option, Severity
from gongkai.rules.year.base import YearReport, YearRule, place

SHINGLE = 4
_DROP_RE = re.compile(r"[\s\W_]+", re.UNICODE)
_DIGITS_RE = re.compile(r"\d+")


def _normalise(text: str) -> str:
    """Text without spacing and punctuation, every number as 0: a copy that only changes the year
    (2022 → 2023) or the counts is still a copy."""
    text = unicodedata.normalize("NFKC", text)
    return _DIGITS_RE.sub("0", _DROP_RE.sub("", text))


def shingles(text: str, size: int = SHINGLE) -> set[str]:
    t = _normalise(text)
    if len(t) <= size:
        return {t} if t else set()
    return {t[i : i + size] for i in range(len(t) - size + 1)}


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the two texts' character 4-shingles (deterministic, 0..1)."""
    sa, sb = shingles(a), shingles(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


class CopiedText(YearRule):
    """
    ## What it does
    Compares each section's text with the same section of the agency's report of the year
    before and flags sections that are nearly identical (Jaccard similarity of character
    4-shingles, numbers and punctuation ignored, at or above `copy-similarity`). Sections
    shorter than `copy-min-chars` are not compared: 「无。」 is the same every year, rightly.

    ## Why is this bad?
    The annual report is about the year reported. A 总体情况 or 存在的主要问题及改进情况 copied
    from last year with only the year changed tells the public nothing about this year, and its
    改进情况 cannot have been carried out.

    ## Example
    2023 五、存在的主要问题及改进情况: the 2022 text word for word, 2022 replaced by 2023.

    Use instead: the problems found this year and what was done about last year's.

    ## Options
    - `copy-similarity` (default 0.9)
    - `copy-min-chars` (default 80)
    """

    doc_zh: ClassVar[str] = """
    ## 说明
    把每个章节的文字与同一机关上一年度报告的同一章节比较，标出几乎相同的章节（按 4 个字符一组计算
    Jaccard 相似度，不计数字和标点，达到 `copy-similarity` 即标出）。短于 `copy-min-chars` 的章节不
    比较：“无。”年年相同，理所当然。

    ## 为什么是问题
    年度报告讲的是所报告的那一年。照抄上一年度、只改了年份的“总体情况”或“存在的主要问题及改进情况”，
    没有告诉公众这一年的任何情况，其中的“改进情况”也不可能已经落实。

    ## 示例
    2023 年度报告的“五、存在的主要问题及改进情况”与 2022 年度逐字相同，只是把 2022 换成了 2023。

    应改为：写明本年度发现的问题，以及上一年度问题的整改情况。

    ## 选项
    - `copy-similarity`：相似度（0–1）达到该值即视为照抄（默认 0.9）。
    - `copy-min-chars`：短于该字数（不计空白）的章节不比较（默认 80）。
    """

    code: ClassVar[str] = "Y003"
    name: ClassVar[str] = "copied-section-text"
    severity: ClassVar[Severity] = "warning"
    title_zh: ClassVar[str] = "章节文字与上一年度报告几乎相同"
    title_en: ClassVar[str] = "Section text nearly copies last year's"
    template_zh: ClassVar[str] = (
        "「{title}」与 {prev_year} 年度报告同一章节的文字相似度为 {percent}%，疑似照搬上年内容。"
    )
    template_en: ClassVar[str] = (
        "Section {section} is {percent}% similar to the same section of the {prev_year} report: "
        "it looks copied from last year."
    )
    options: ClassVar[tuple[Option, ...]] = (
        Option("copy-similarity", 0.9, float, "Jaccard similarity (0–1) at or above which a section counts as copied."),
        Option(
            "copy-min-chars", 80, int, "Sections shorter than this (in characters, without spacing) are not compared."
        ),
    )

    sections: ClassVar[bool] = True

    def check_pair(self, previous: YearReport, current: YearReport, options: Mapping[str, Any]) -> Iterator[Finding]:
        threshold = float(options.get("copy-similarity", 0.9))
        min_chars = int(options.get("copy-min-chars", 80))
        before = {s.key: s for s in previous.sections}
        for section in current.sections:
            prev = before.get(section.key)
            if prev is None:
                continue
            if len(_normalise(section.text)) < min_chars or len(_normalise(prev.text)) < min_chars:
                continue
            score = similarity(section.text, prev.text)
            if score < threshold:
                continue
            yield self.finding(
                place(section.key, line=section.line),
                figures={"similarity": round(score, 4), "previous_year": previous.year},
                title=section.title or section.key,
                section=section.key,
                percent=f"{score * 100:.0f}",
                prev_year=previous.year,
            )
