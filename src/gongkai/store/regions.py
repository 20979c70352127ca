"""Picking the reports of a region: by name (湖北省, 黄石市, 西塞山区, 湖北), by division code
(420000, 4202, 420203), or 全国 / all for every report."""

from __future__ import annotations

import re
from dataclasses import dataclass

from gongkai.normalize import fold
from gongkai.region import Region, resolve_region

_CODE_RE = re.compile(r"^\d{2,6}$")
NATIONWIDE = ("全国", "all")  # every report, whatever its region


def region_for_code(code: str) -> Region | None:
    """The region of a six-digit division code, or None when the code is unknown."""
    from gongkai.region._divisions import divisions
    from gongkai.region._resolve import _region

    div = divisions().by_code.get(code.ljust(6, "0"))
    return _region(div) if div is not None else None


def code_prefix(code: str) -> str:
    """420000 → 42, 420200 → 4202, 420203 → 420203: the prefix every code inside shares."""
    code = code.ljust(6, "0")
    for _ in range(2):
        if code.endswith("00"):
            code = code[:-2]
    return code


@dataclass(frozen=True, slots=True)
class RegionFilter:
    """A region chosen by the user, as SQL over ``reports``."""

    label: str  # as the user wrote it
    prefix: str  # division code prefix: 42 for 湖北省, 4202 for 黄石市

    def sql(self, alias: str = "r") -> tuple[str, list[str]]:
        if not self.prefix:
            return "TRUE", []
        return f"{alias}.region_code LIKE ?", [self.prefix + "%"]


class RegionNotFound(ValueError):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def parse_region(text: str) -> RegionFilter:
    """A region filter from what the user typed; raises RegionNotFound when it names nothing."""
    text = fold(text).strip()
    if text.lower() in NATIONWIDE:
        return RegionFilter(text, "")
    if _CODE_RE.match(text):
        if len(text) == 6:
            return RegionFilter(text, code_prefix(text))
        return RegionFilter(text, text)
    region = resolve_region(text)
    if region is None or region.code is None:
        raise RegionNotFound(text)
    names = {region.province, region.city, region.county}
    # "鼓楼区" alone may resolve to a province only: then the user's name is not that province.
    if text not in names and not any(n and (n.startswith(text) or text.startswith(n)) for n in names):
        raise RegionNotFound(text)
    return RegionFilter(text, code_prefix(region.code))


__all__ = ["RegionFilter", "RegionNotFound", "code_prefix", "parse_region", "region_for_code"]
