"""Counts stated in the report's text, read carefully.

Only a clause that names one quantity without ambiguity gives a :class:`Claim`:
``本年度共收到政府信息公开申请12件`` (new requests), ``上年结转2件``, ``结转下年度办理1件``,
``办结12件``, ``被申请行政复议3件``, ``行政诉讼2件``, and plain denials such as
``我局未收到依申请公开事项`` (0 new requests) or ``未出现因政府信息公开工作被申请行政复议的情况``
(0 reviews). A sentence that mentions another year, a clause with a comparison (同比, 较上年,
增长, %), an approximation (余, 约, 近), a subset (其中, 通过…) or two quantities at once is
skipped: a missed claim costs nothing, a misread one is a false alarm.

:func:`breakdowns` reads ``共公开政府信息29条，其中门户网站发布信息23条，微信公众号发布信息4条，
媒体发布信息2条`` as a total and its parts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from gongkai.memo import remember
from gongkai.model import Report
from gongkai.normalize import fold
from gongkai.rules.base import Context

NUM = r"(?P<n>\d[\d,]*|[零〇一二两三四五六七八九十百千]+)"
UNIT = r"(?:件|个|份|条|宗|起|次)"
T = TypeVar("T")

_CN = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}


def cn_int(text: str) -> int | None:
    """12, 1,234, 十二, 二十, 一百零五, 两 → int; anything else → None."""
    text = text.replace(",", "")
    if text.isdigit():
        return int(text)
    total, digit = 0, None
    for ch in text:
        if ch in _CN:
            digit = _CN[ch]
        elif ch in _CN_UNITS:
            total += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


# quantity → patterns giving a count; a clause matching patterns of two quantities is skipped
_PATTERNS: dict[str, tuple[re.Pattern[str], ...]] = {
    "new": (
        re.compile(
            r"(?<!未)(?<!没有)(?:收到|新收)(?:的)?(?:各类)?(?:政府信息公开|依申请公开|信息公开)?(?:政府信息)?(?:的)?"
            r"申请(?:数量|数|事项)?(?:共计|共|总计|合计)?(?:为|是)?" + NUM + UNIT
        ),
        re.compile(r"(?<!未)(?<!没有)收到(?:依申请公开|政府信息公开)(?:事项)?(?:共计|共)?(?:为)?" + NUM + UNIT),
        re.compile(r"(?<!未)(?<!没有)收到(?:共)?" + NUM + UNIT + r"(?:的)?(?:政府信息公开|依申请公开|信息公开)?申请"),
    ),
    "carried_over": (
        re.compile(
            r"上(?:一)?年(?:度)?结转(?:的)?(?:政府信息公开)?(?:申请)?(?:数量)?(?:共计|共)?(?:为|是)?" + NUM + UNIT
        ),
    ),
    "carried_forward": (
        re.compile(
            r"结转(?:至|到)?下(?:一)?年(?:度)?(?:继续)?(?:办理)?(?:的)?(?:政府信息公开)?(?:申请)?(?:共计|共)?(?:为|是)?"
            + NUM
            + UNIT
        ),
        re.compile(NUM + UNIT + r"(?:申请)?(?:需)?(?:将)?结转(?:至|到)?下(?:一)?年"),
    ),
    "handled": (
        re.compile(r"(?<!未)(?:共|已|全部)?办结(?:政府信息公开)?(?:申请)?(?:共计|共)?(?:为)?" + NUM + UNIT),
        re.compile(NUM + UNIT + r"(?:申请)?(?:均|全部)?(?:已)?(?:全部)?(?:按时|按期|依法)?办结"),
    ),
    "review": (
        re.compile(r"行政复议(?:案件|申请|案)?(?:数量|数)?(?:共计|共|总计)?(?:为|是)?" + NUM + r"(?:件|起|宗|次|个)"),
    ),
    "litigation": (
        re.compile(r"行政诉讼(?:案件|案)?(?:数量|数)?(?:共计|共|总计)?(?:为|是)?" + NUM + r"(?:件|起|宗|次|个)"),
    ),
}

# denials: the quantity is 0
_NEG = r"(?:(?:^|年|度|全年|期间|均|暂|尚|并)无|未|没有)"
_ZERO_PATTERNS: dict[str, re.Pattern[str]] = {
    "new": re.compile(
        _NEG
        + r"(?:收到|接到|涉及)?(?:和处理|或处理|并处理)?(?:任何)?(?:的)?(?:政府信息公开|依申请公开)(?:的)?(?:申请|事项)"
    ),
    "review": re.compile(_NEG + r"(?:出现|发生|收到|涉及|有|产生)?[^，,]{0,25}?行政复议"),
    "litigation": re.compile(_NEG + r"(?:出现|发生|收到|涉及|有|产生)?[^，,]{0,25}?行政诉讼"),
}

# a clause with any of these is not a plain statement of the quantity
_SKIP_CLAUSE = re.compile(
    r"其中|通过|同比|较|增长|增加|减少|下降|上升|%|百分|率|平均|累计|以来|余|约|近|左右|多于|少于|超过|以上|以下|分别|各(?!类|种|级)"
)
_SKIP_FOR = {
    "new": re.compile(r"复议|诉讼|结转|不予|答复|部分公开|予以公开|无法提供|不予处理"),
    "carried_over": re.compile(r"复议|诉讼|下年|下一年"),
    "carried_forward": re.compile(r"复议|诉讼|上年|上一年"),
    "handled": re.compile(r"复议|诉讼|结转|未办结|正在办理"),
    "review": re.compile(r"诉讼|维持|纠正|审结|其他结果|复议后"),
    "litigation": re.compile(r"复议|维持|纠正|审结|其他结果|败诉|胜诉"),
}
# Words every pattern of a quantity has (outside its optional parts): a clause without one of
# them gives no count of the quantity, and its patterns are not run.
_NEEDS: dict[str, tuple[str, ...]] = {
    "new": ("收到", "新收"),
    "carried_over": ("结转",),
    "carried_forward": ("结转",),
    "handled": ("办结",),
    "review": ("行政复议",),
    "litigation": ("行政诉讼",),
}
_ZERO_SKIP = re.compile(r"\d|未经复议|纠正|维持|败诉|撤销|结果|审结|不予|但|除")
_YEAR_RE = re.compile(r"(20\d{2})\s*年")
_SENTENCE_END_RE = re.compile(r"[。；;！!？?]")
_CLAUSE_END_RE = re.compile(r"[，,：:]")
# a clause without any of these words states none of the quantities
_ANY_QUANTITY = re.compile(r"申请|结转|办结|复议|诉讼")


# the words of every claim (_ANY_QUANTITY) and breakdown (其中): a sentence with none of them
# states nothing the rules read
def _has_keyword(text: str) -> bool:
    return "申请" in text or "结转" in text or "办结" in text or "复议" in text or "诉讼" in text or "其中" in text


@dataclass(frozen=True, slots=True)
class Claim:
    quantity: str  # a quantity of the format (formats/*.toml): new, carried_over, handled, …
    value: int
    clause: str
    section: str
    probe: str  # a piece of the original line to find it in the document by (Context.locate)


@dataclass(frozen=True, slots=True)
class Part:
    label: str
    value: int


@dataclass(frozen=True, slots=True)
class Breakdown:
    total: int
    unit: str
    parts: tuple[Part, ...]
    sentence: str
    section: str
    probe: str  # a piece of the original line to find it in the document by (Context.locate)

    @property
    def parts_sum(self) -> int:
        return sum(p.value for p in self.parts)

    @property
    def exhaustive(self) -> bool:
        """The last part is a catch-all (其他, 其余): the parts claim to make up the whole."""
        return any(w in self.parts[-1].label for w in ("其他", "其余", "其它", "另有"))


# What a section's text says, by (section key, text[, year]): pure functions of them, and a
# section's text recurs from report to report (boilerplate sections, an agency's own year after
# year). Bounded (a section's text is a few kilobytes); cleared when full.
_SECTION_SENTENCES: dict[tuple[str, str], tuple[tuple[str, str, str], ...]] = {}
_SECTION_CLAIMS: dict[Any, tuple[Claim, ...]] = {}  # by (section key, text, year)
_SECTION_BREAKDOWNS: dict[Any, tuple[Breakdown, ...]] = {}  # by (section key, text)
_SECTIONS_MAX = 1024


def _section_sentences(key: str, text: str) -> tuple[tuple[str, str, str], ...]:
    """(section key, original line, folded sentence without spaces) for every sentence of one
    section that has a word of a claim or a breakdown (_has_keyword): the others state nothing
    the rules read. Lines are folded one by one — folding never spans a line, and the parser has
    folded these lines already, so each is looked up, not converted."""
    known = _SECTION_SENTENCES.get((key, text))
    if known is not None:
        return known
    out: list[tuple[str, str, str]] = []
    for line in text.split("\n"):
        folded = "".join(fold(line).split())  # without whitespace (str.split's is \s)
        if not _has_keyword(folded):
            continue
        for sentence in _SENTENCE_END_RE.split(folded):
            if sentence and _has_keyword(sentence):
                out.append((key, line, sentence))
    known = remember(_SECTION_SENTENCES, _SECTIONS_MAX, (key, text), tuple(out))
    return known


def claims(ctx: Context) -> list[Claim]:
    cached = ctx.cache.get("claims")
    if cached is None:
        cached = _claims(ctx.report)
        ctx.cache["claims"] = cached
    return cached


def _claims(report: Report) -> list[Claim]:
    year = report.meta.year
    return _by_section(
        report, _SECTION_CLAIMS, lambda key, text: tuple(_claims_of(_section_sentences(key, text), year)), year
    )


def _by_section(
    report: Report, memo: dict[Any, tuple[T, ...]], read: Callable[[str, str], tuple[T, ...]], *extra: Any
) -> list[T]:
    """What *read* (section key, text) finds in each section with text, in order, kept in *memo*
    by the key, the text and *extra* (what else it depends on)."""
    out: list[T] = []
    for key, section in report.sections.items():
        text = section.text
        if not text:
            continue
        memo_key = (key, text, *extra)
        known = memo.get(memo_key)
        if known is None:
            known = remember(memo, _SECTIONS_MAX, memo_key, read(key, text))
        out.extend(known)
    return out


def _claims_of(sentences: tuple[tuple[str, str, str], ...], year: int | None) -> list[Claim]:
    out: list[Claim] = []
    for key, line, sentence in sentences:
        if "年" in sentence:
            years = {int(y) for y in _YEAR_RE.findall(sentence)}
            if years and (year is None or years != {year}):
                continue  # about another year, or a range of years
        for clause in _CLAUSE_END_RE.split(sentence):
            for quantity, value in _read_clause_once(clause):
                out.append(Claim(quantity, value, clause, key, _probe(line, clause)))
    return out


def _clause_claims(clause: str) -> list[tuple[str, int]]:
    """:func:`_read_clause`, worked out once per distinct clause (boilerplate clauses recur in
    every report)."""
    return list(_read_clause_once(clause))


@lru_cache(maxsize=16384)
def _read_clause_once(clause: str) -> tuple[tuple[str, int], ...]:
    return tuple(_read_clause(clause))


def _read_clause(clause: str) -> list[tuple[str, int]]:
    """One count, or denials (…未出现行政复议、行政诉讼 denies both), or nothing. A clause
    listing counts with 、 (被申请行政复议1件、提起行政诉讼1件) is read part by part."""
    found = _single_clause(clause, zeros=True)
    if found or "、" not in clause:
        return found
    parts = [c for part in clause.split("、") for c in _single_clause(part, zeros=False)]
    quantities = [q for q, _ in parts]
    return parts if len(set(quantities)) == len(quantities) else []


def _single_clause(clause: str, zeros: bool) -> list[tuple[str, int]]:
    found: dict[str, int] = {}
    if not _ANY_QUANTITY.search(clause):
        return []
    if not _SKIP_CLAUSE.search(clause):
        for quantity, patterns in _PATTERNS.items():
            if not any(w in clause for w in _NEEDS[quantity]) or _SKIP_FOR[quantity].search(clause):
                continue
            values = {v for p in patterns for m in p.finditer(clause) if (v := cn_int(m.group("n"))) is not None}
            if len(values) == 1:
                found[quantity] = values.pop()
            elif len(values) > 1:
                return []
    if len(found) > 1:
        return []
    if zeros and not found and not _ZERO_SKIP.search(clause):
        for quantity, pattern in _ZERO_PATTERNS.items():
            if pattern.search(clause) and not (quantity == "new" and re.search(r"复议|诉讼", clause)):
                found[quantity] = 0
    return list(found.items())


def _probe(line: str, clause: str) -> str:
    """A piece of the original line to find it in the document by."""
    stripped = line.strip()
    return stripped[:20] if stripped else clause[:10]


_BREAKDOWN_RE = re.compile(
    r"(?:共计|共|总计|合计|总共)[^，,其]{0,40}?"
    + NUM
    + r"(?P<unit>件|条|个|次|份|项|篇|期|场|起|宗|人次)[，,]其中[：:]?(?P<rest>.+)$"
)
_PIECE_SPLIT_RE = re.compile(r"[，,、]")


@lru_cache(maxsize=64)
def _part_re(unit: str) -> re.Pattern[str]:
    """A part of a breakdown in *unit*: 门户网站发布信息23条."""
    return re.compile(NUM + re.escape(unit))


_PART_SKIP = re.compile(r"增|减|较|同比|比|%|百分|约|近|左右|以上|以下|累计")


def breakdowns(ctx: Context) -> list[Breakdown]:
    cached = ctx.cache.get("breakdowns")
    if cached is None:
        cached = _breakdowns(ctx.report)
        ctx.cache["breakdowns"] = cached
    return cached


def _breakdowns(report: Report) -> list[Breakdown]:
    return _by_section(
        report, _SECTION_BREAKDOWNS, lambda key, text: tuple(_breakdowns_of(_section_sentences(key, text)))
    )


def _breakdowns_of(sentences: tuple[tuple[str, str, str], ...]) -> list[Breakdown]:
    out: list[Breakdown] = []
    for key, line, sentence in sentences:
        if "其中" not in sentence:
            continue
        for m in _BREAKDOWN_RE.finditer(sentence):
            total = cn_int(m.group("n"))
            clause_start = max(sentence.rfind("，", 0, m.start()), sentence.rfind(",", 0, m.start())) + 1
            if total is None or _PART_SKIP.search(sentence[clause_start : m.start("rest")]):
                continue
            unit = m.group("unit")
            part_re = _part_re(unit)
            parts: list[Part] = []
            ok = True
            for piece in _PIECE_SPLIT_RE.split(m.group("rest")):
                nums = list(part_re.finditer(piece))
                if not nums:
                    break  # the list is over (…，均已按时公开)
                value = cn_int(nums[0].group("n"))
                if len(nums) != 1 or value is None or _PART_SKIP.search(piece) or "其中" in piece:
                    ok = False
                    break
                parts.append(Part(piece[: nums[0].start()] or piece, value))
            if ok and len(parts) >= 2:
                out.append(Breakdown(total, unit, tuple(parts), sentence, key, line.strip()[:20]))
    return out
