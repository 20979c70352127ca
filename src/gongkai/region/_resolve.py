"""Resolving an agency name (and its report text) to a division; see the package docstring."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from gongkai.normalize import fold

from ._divisions import CITY, COUNTY, PROVINCE, WEAK_NAMES, Division, divisions


@dataclass(frozen=True, slots=True)
class Region:
    """Where an agency sits. ``code`` is the six-digit code of the most specific level resolved."""

    province: str | None
    city: str | None
    county: str | None
    code: str | None

    def to_dict(self) -> dict[str, str | None]:
        return {"province": self.province, "city": self.city, "county": self.county, "code": self.code}


@dataclass(frozen=True, slots=True)
class _Hit:
    start: int
    end: int
    divs: tuple[Division, ...]


_SPACE_RE = re.compile(r"\s+")


def _key(text: str) -> str:
    return _SPACE_RE.sub("", fold(text))


def _scan(s: str, *, in_text: bool) -> list[_Hit]:
    """Division names in *s*, longest match first, left to right, without overlaps.

    In report text (*in_text*) two-character names ("和县", "南县") count only straight after
    their parent's name: as bare words they turn up inside ordinary phrases ("区和县", "渭南县区").
    """
    index = divisions()
    hits: list[_Hit] = []
    i, n = 0, len(s)
    while i < n - 1:
        matched = 0
        for length in index.lengths.get(s[i : i + 2], ()):
            if i + length > n:
                continue
            name = s[i : i + length]
            divs = index.by_name.get(name)
            if divs is None:
                continue
            if name in WEAK_NAMES or (in_text and length == 2 and divs[0].level != PROVINCE):
                prev = hits[-1] if hits and hits[-1].end == i else None
                divs = tuple(d for d in divs if prev and any(d.has_ancestor(p) for p in prev.divs))
                if not divs:
                    continue
            hits.append(_Hit(i, i + length, divs))
            matched = length
            break
        i += matched or 1
    return hits


def _support(div: Division, hits: list[_Hit]) -> int:
    return sum(1 for h in hits if any(d is div or div.has_ancestor(d) for d in h.divs))


def _candidates(hits: list[_Hit]) -> list[Division]:
    """The divisions best supported by every name in the agency: the tail of the longest chain
    ("新乡市卫滨区" -> 卫滨区); between unrelated places, those named first."""
    scored: list[tuple[int, int, Division]] = []
    for pos, hit in enumerate(hits):
        for div in hit.divs:
            scored.append((_support(div, hits), pos, div))
    best = max(s for s, _, _ in scored)
    first = min(p for s, p, _ in scored if s == best)
    out: list[Division] = []
    for s, p, div in scored:
        if s == best and p == first and div not in out:
            out.append(div)
    return out


def _disambiguate(cands: list[Division], text_hits: list[_Hit]) -> Division | None:
    """Pick among same-named divisions by what the text says about their parents (福州市 for
    鼓楼区) and, more weakly, about their unambiguous siblings (台江区).

    The leaders must score at least twice as much as any other candidate; several leaders give
    what they share (江苏省 for 鼓楼区 in a text that names only 江苏省). Never a coin toss."""
    scores: dict[Division, float] = dict.fromkeys(cands, 0.0)
    for hit in text_hits:
        for cand in cands:
            if any(cand.has_ancestor(d) for d in hit.divs):
                scores[cand] += 1
            elif len(hit.divs) == 1:
                other = hit.divs[0]
                if (
                    other.level == COUNTY
                    and other not in cands
                    and other.parent is cand.parent
                    and cand.parent is not None
                    and cand.parent.level == CITY
                ):
                    scores[cand] += 0.5
    top = max(scores.values())
    rest = max((v for v in scores.values() if v < top), default=0.0)
    if top <= 0 or top < 2 * rest:
        return _common(cands)
    return _common([c for c in cands if scores[c] == top])


def _common(cands: list[Division]) -> Division | None:
    """The deepest division that contains every candidate (or is all of them)."""
    common: Division | None = None
    for depth in range(3):
        at = {c.chain[depth] if len(c.chain) > depth else None for c in cands}
        if len(at) != 1 or None in at:
            break
        common = at.pop()
    return common


def _region(div: Division | None) -> Region | None:
    if div is None:
        return None
    province = city = county = None
    for d in div.chain:
        if d.level == PROVINCE:
            province = d.name
        elif d.level == CITY:
            city = d.name
        else:
            county = d.name
    return Region(province=province, city=city, county=county, code=div.code)


# An agency with no place in its name ("自治区医疗保障局") still says which kind of division it
# serves; the text then names it. Longest prefix first.
_LEVEL_HINTS: tuple[tuple[str, frozenset[str]], ...] = (
    ("自治区", frozenset({"自治区"})),
    ("自治州", frozenset({"自治州"})),
    ("自治县", frozenset({"县", "自治县"})),
    ("自治旗", frozenset({"旗", "自治旗"})),
    ("地区", frozenset({"地区"})),
    ("省", frozenset({"省"})),
    ("州", frozenset({"自治州"})),
    ("盟", frozenset({"盟"})),
    ("市", frozenset({"直辖市", "地级市", "县级市"})),
    ("县", frozenset({"县", "自治县"})),
    ("旗", frozenset({"旗", "自治旗"})),
    ("区", frozenset({"市辖区", "林区", "特区"})),
)


# Words that start with a level character without meaning the level ("市场监督管理局").
_NOT_HINTS = ("市场", "区域", "县域")


def _hinted_types(key: str) -> frozenset[str] | None:
    if key.startswith(_NOT_HINTS):
        return None
    for prefix, types in _LEVEL_HINTS:
        if key.startswith(prefix):
            return types
    return None


def _from_text(types: frozenset[str], text_hits: list[_Hit]) -> Division | None:
    """The division of the hinted kind that the text names clearly more often than any other."""
    counts: dict[str, float] = {}
    groups: dict[str, list[Division]] = {}
    for hit in text_hits:
        divs = [d for d in hit.divs if d.type in types]
        if not divs:
            continue
        # Short and full forms of one name count together.
        label = "\x00".join(sorted(d.code for d in divs))
        counts[label] = counts.get(label, 0) + 1
        groups[label] = divs
    if not counts:
        return None
    ranked = sorted(counts.items(), key=lambda kv: kv[1], reverse=True)
    if len(ranked) > 1 and ranked[0][1] < 2 * ranked[1][1]:
        return None
    cands = groups[ranked[0][0]]
    if len(cands) == 1:
        return cands[0]
    return _disambiguate(cands, text_hits)


# Reports name their own place many times over; this bounds the cost of a pathological input.
_TEXT_LIMIT = 200_000


@lru_cache(maxsize=8192)
def _agency_candidates(agency: str) -> tuple[str, tuple[Division, ...]]:
    key = _key(agency)
    hits = _scan(key, in_text=False)
    return key, tuple(_candidates(hits)) if hits else ()


def resolve_region(agency: str, text: str = "") -> Region | None:
    """Resolve *agency* to its region: by its own name first, then by *text* (the report) when
    the name is ambiguous ("鼓楼区…") or carries only a level ("自治区…"). Returns the part all
    readings agree on, or None, rather than guess."""
    key, cands = _agency_candidates(agency)
    if len(cands) == 1:
        return _region(cands[0])
    text_hits = _scan(_key(text[:_TEXT_LIMIT]), in_text=True) if text else []
    if cands:
        return _region(_disambiguate(list(cands), text_hits))
    types = _hinted_types(key)
    if types is None or not text_hits:
        return None
    return _region(_from_text(types, text_hits))


_TRAILING_NOTE_RE = re.compile(r"(?:\([^()]*\))+$")
_NOT_COUNTY_OR_ABOVE = ("乡", "镇", "街道", "苏木", "村", "社区", "开发区", "园区", "景区")


def is_area_government(agency: str) -> bool:
    """True for a local people's government at county level or above, which reports for its whole
    area (县级以上地方人民政府: "湖北省人民政府", "淮安市洪泽区人民政府", "XX县人民政府"), or a
    prefecture's 行政公署. False for its departments and offices ("…人民政府办公室", "…医疗保障局")
    and for township governments ("…乡人民政府", "…镇人民政府", "…街道办事处")."""
    key = _TRAILING_NOTE_RE.sub("", _key(agency)).replace("(", "").replace(")", "")
    for suffix in ("人民政府", "行政公署", "政府"):
        if key.endswith(suffix):
            stem = key[: -len(suffix)]
            break
    else:
        return False
    if not stem or stem.endswith(_NOT_COUNTY_OR_ABOVE):
        return False
    if suffix == "行政公署":
        return stem.endswith(("地区", "盟"))
    return stem.endswith(("省", "市", "区", "县", "旗", "州", "盟"))
