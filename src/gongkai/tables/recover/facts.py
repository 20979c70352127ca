"""Counts the report states in its text, as evidence for a run-together row.

``全区共收到政府信息公开申请1272件`` says that the cells of the quantity ``new`` (formats/*.toml)
add up to 1272; where the digits of a row admit several readings, the text keeps those that agree.
The sentence patterns are how reports word a quantity; which cells a quantity is, is the format's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from gongkai.formats import load_format
from gongkai.normalize import fold
from gongkai.tables.recover.split import Candidate, ints


@dataclass(frozen=True, slots=True)
class TextFact:
    """A count the report states in words: ``cells`` (row, column) add up to ``value``."""

    cells: tuple[tuple[str, str], ...]
    value: int
    words: str  # what the text calls it, for ``inferred_by`` (text:本年新收 1272)

    @property
    def label(self) -> str:
        return f"text:{self.words} {self.value}"


_N = r"(\d+)\s*(?:件|个|条|份|宗|起|次)"
_GAP = r"[^。；;，,\d]{0,%d}?"

# (pattern, quantity key, words for inferred_by), per table
_QUANTITY_PATTERNS: dict[str, list[tuple[str, str, str]]] = {
    "requests": [
        (r"(?:收到|新收|受理|接收)" + _GAP % 16 + r"申请" + _GAP % 8 + _N, "new", "本年新收"),
        (r"(?:收到|新收|受理|接收)" + _GAP % 8 + _N + _GAP % 10 + r"申请", "new", "本年新收"),
        (r"上年结转" + _GAP % 16 + _N, "carried_over", "上年结转"),
        (r"结转(?:至|到)?下一?年度?" + _GAP % 12 + _N, "carried_forward", "结转下年度"),
        (_N + _GAP % 8 + r"结转(?:至|到)?下一?年", "carried_forward", "结转下年度"),
        (r"自然人" + _GAP % 6 + _N, "new_natural_person", "自然人"),
        (r"法人或其他组织" + _GAP % 6 + _N, "new_organisations", "法人或其他组织"),
        (r"(?<!不)予以公开" + _GAP % 4 + _N, "granted", "予以公开"),
        (r"部分公开" + _GAP % 4 + _N, "partly_granted", "部分公开"),
        (r"(?:办结|答复)" + _GAP % 6 + _N, "handled", "办结"),
    ],
    "appeals": [
        (r"行政复议" + _GAP % 6 + _N, "review", "行政复议"),
        (_N + _GAP % 6 + r"行政复议", "review", "行政复议"),
        (r"行政诉讼" + _GAP % 6 + _N, "litigation", "行政诉讼"),
    ],
}

# Table 二: verbs that state a column's count of documents (制发规章3件), by format.
_PROACTIVE_VERBS: dict[str, dict[str, tuple[str, ...]]] = {
    "2021": {"issued": ("制发", "印发", "出台", "制定"), "repealed": ("废止",), "in_force": ("现行有效",)},
    "2019": {"made": ("制作", "制定", "制发"), "published": ("公开",)},
}
_PROACTIVE_ROWS = ("rules", "normative_documents")


@cache
def _patterns(table: str, format_id: str) -> list[tuple[re.Pattern[str], tuple[tuple[str, str], ...], str]]:
    spec = load_format(format_id)
    out: list[tuple[str, tuple[tuple[str, str], ...], str]] = []
    for pattern, quantity, words in _QUANTITY_PATTERNS.get(table, ()):
        q = spec.quantities.get(quantity)
        if q is not None and q.table == table:
            out.append((pattern, q.cells, words))
    if table == "proactive":
        tspec = spec.tables["proactive"]
        for row in _PROACTIVE_ROWS:
            rspec = tspec.rows.get(row)
            if rspec is None:
                continue
            # the row as its labels name it (行政规范性文件 / 规范性文件), longest first
            names = "(?:" + "|".join(re.escape(m) for m in sorted(rspec.match, key=len, reverse=True)) + ")"
            name = min(rspec.match, key=len)
            for col, verbs in _PROACTIVE_VERBS.get(format_id, {}).items():
                if col not in rspec.columns:
                    continue
                verb = "(?:" + "|".join(verbs) + ")"
                out += [
                    (verb + _GAP % 6 + names + _GAP % 4 + _N, ((row, col),), f"{verbs[0]}{name}"),
                    (verb + _GAP % 4 + _N + _GAP % 4 + names, ((row, col),), f"{verbs[0]}{name}"),
                ]
    return [(re.compile(p), cells, words) for p, cells, words in out]


@lru_cache(maxsize=8)
def _flat(text: str) -> str:
    """The report's text folded, without spaces: once per report, for its three tables."""
    return re.sub(r"\s+", "", fold(text))


def text_facts(text: str, table: str, format_id: str = "2021") -> list[TextFact]:
    """Counts the text states for cells of ``table`` (全区共收到1272件申请 → new.total = 1272).

    A fact stated twice with different numbers says nothing and is dropped.
    """
    if not text:
        return []
    flat = _flat(text)
    found: dict[tuple[tuple[str, str], ...], set[int]] = {}
    words_of: dict[tuple[tuple[str, str], ...], str] = {}
    for pattern, cells, words in _patterns(table, format_id):
        for m in pattern.finditer(flat):
            found.setdefault(cells, set()).add(int(m.group(1)))
            words_of[cells] = words
    return [TextFact(cells, next(iter(vals)), words_of[cells]) for cells, vals in found.items() if len(vals) == 1]


def narrow_by_facts(cands: dict[str, Candidate], facts: list[TextFact]) -> dict[str, list[TextFact]]:
    """Keep the readings of each still ambiguous candidate that agree with the text; a fact that
    agrees with no reading is ignored. Returns the facts used, per candidate."""
    used: dict[str, list[TextFact]] = {}
    for name, cand in cands.items():
        if len(cand.domain) <= 1 or cand.splits.truncated:
            continue
        for fact in facts:
            idx = [cand.columns.index(c) for c in fact.cells if c in cand.columns]
            if len(idx) != len(fact.cells):
                continue
            keep = [i for i, r in enumerate(cand.domain) if sum(ints(r[j] for j in idx)) == fact.value]
            if keep and len(keep) < len(cand.domain):  # a fact that fits no reading is ignored
                cand.domain = [cand.domain[i] for i in keep]
                cand.texts = [cand.texts[i] for i in keep]
                used.setdefault(name, []).append(fact)
    return used
