"""Who reported: one key per agency, stable across years.

The same body writes its name differently from year to year: 新乡市卫滨区医疗保障局 /
卫滨区医疗保障局, 洪泽区人民政府办公室 / 洪泽区政府办, full-width or traditional characters,
brackets of every shape, stray spaces. Two readings:

* ``agency_norm(name)`` — the name folded (:func:`gongkai.normalize.fold`: look-alikes,
  traditional → simplified), without spaces or brackets, with the usual abbreviations spelled out.
* ``agency_key(name, region)`` — the region's six-digit code plus the normalised name without the
  places of that region in front: ``410703:医疗保障局`` for both spellings above. Two bodies of
  one region with the same function share a key, which is what "the same agency" means here.
"""

from __future__ import annotations

import re

from gongkai.normalize import fold
from gongkai.region import Region

_SPACE_RE = re.compile(r"\s+")
_BRACKETS = str.maketrans("", "", "()（）[]【】〔〕")

# Abbreviations met in report titles and signatures → the full name. Applied to the name after
# its place names; order matters (longer first).
_ABBREVIATIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"(?<!人民)政府办公室", "人民政府办公室"),
        (r"(?<!人民)政府办公厅", "人民政府办公厅"),
        (r"(?<!人民)政府办$", "人民政府办公室"),
        (r"(?<!人民)政府$", "人民政府"),
        (r"医保局$", "医疗保障局"),
        (r"发改委$", "发展和改革委员会"),
        (r"发改局$", "发展和改革局"),
        (r"人社局$", "人力资源和社会保障局"),
        (r"住建局$", "住房和城乡建设局"),
        (r"市监局$", "市场监督管理局"),
        (r"卫健委$", "卫生健康委员会"),
        (r"卫健局$", "卫生健康局"),
        (r"文旅局$", "文化和旅游局"),
        (r"应急局$", "应急管理局"),
        (r"交通局$", "交通运输局"),
        (r"退役军人局$", "退役军人事务局"),
    )
)

# A bare level word in front of a name ("区医疗保障局", "自治区医疗保障局") stands for the
# region; these words start with one without meaning it.
_LEVEL_PREFIXES = ("自治区", "自治州", "自治县", "省", "市", "区", "县", "州", "盟", "旗")
_NOT_LEVEL = ("市场", "市政", "区域", "县域", "州府")
_PROVINCE_SUFFIX_RE = re.compile(r"(?:壮族|回族|维吾尔)?(?:自治区|特别行政区|省|市)$")


def _fold(name: str) -> str:
    return _SPACE_RE.sub("", fold(name)).translate(_BRACKETS)


def _expand(name: str) -> str:
    for pattern, full in _ABBREVIATIONS:
        name = pattern.sub(full, name)
    return name


def agency_norm(name: str | None) -> str | None:
    """The agency's name, normalised for comparison (places kept)."""
    if not name:
        return None
    return _expand(_fold(name)) or None


def _place_names(region: Region) -> list[str]:
    names: list[str] = []
    for part in (region.county, region.city, region.province):
        if part:
            names.append(fold(part))
    if region.province:
        short = _PROVINCE_SUFFIX_RE.sub("", fold(region.province))
        if len(short) >= 2:
            names.append(short)
    return sorted(set(names), key=len, reverse=True)


def strip_places(name: str, region: Region | None) -> str:
    """*name* (already folded) without the region's place names in front, nor inside brackets."""
    if region is None:
        return name
    places = _place_names(region)
    changed = True
    while changed and name:
        changed = False
        for place in places:
            if name.startswith(place) and len(name) > len(place):
                name = name[len(place) :]
                changed = True
                break
    # Places mentioned elsewhere (武汉经济技术开发区(汉南区)…: the bracket is already gone).
    for place in places:
        if len(place) >= 3 and place in name[1:] and len(name) > len(place):
            name = name.replace(place, "", 1)
    if not name.startswith(_NOT_LEVEL):
        for prefix in _LEVEL_PREFIXES:
            if name.startswith(prefix) and len(name) > len(prefix) + 1:
                name = name[len(prefix) :]
                break
    return name


def agency_key(name: str | None, region: Region | None) -> str | None:
    """``<region code>:<name without places>``; the code part is empty when the region is unknown."""
    if not name:
        return None
    stem = strip_places(_fold(name), region)
    stem = _expand(stem)
    code = region.code if region and region.code else ""
    return f"{code}:{stem}"


__all__ = ["agency_key", "agency_norm", "strip_places"]
