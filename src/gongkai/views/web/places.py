"""The 省 / 市 / 县（区） selects of the filter bars (the problems list and the region pages).

Each select is always there. Below a chosen province the city select lists that province's
cities; with none chosen it lists every city of the corpus under its province (``<optgroup>``);
the county select likewise under the chosen city, else the chosen province, else everything.
The problems list (by agency, by rule, one rule's findings) filters by names
(``province=湖北省``), the region pages go by division code (``420200``): *by* says which the
options carry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gongkai.store.queries.region import Place, places
from gongkai.store.regions import RegionNotFound, parse_region, region_for_code

if TYPE_CHECKING:
    from gongkai.views.web.data import Filters
    from gongkai.views.web.db import WebDB


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: str
    selected: bool = False


@dataclass(slots=True)
class OptionGroup:
    label: str  # "" for options outside any group
    options: list[Option] = field(default_factory=list)


@dataclass(slots=True)
class PlaceSelects:
    provinces: list[OptionGroup]
    cities: list[OptionGroup]
    counties: list[OptionGroup]

    @property
    def has_cities(self) -> bool:
        return any(g.options for g in self.cities)

    @property
    def has_counties(self) -> bool:
        return any(g.options for g in self.counties)


def _groups(items: Sequence[tuple[str, str, str]], chosen: str) -> list[OptionGroup]:
    """(group label, value, label) → option groups in first-seen order, duplicates dropped."""
    out: list[OptionGroup] = []
    seen: set[str] = set()
    for group, value, label in items:
        if value in seen:
            continue
        seen.add(value)
        if not out or out[-1].label != group:
            out.append(OptionGroup(group))
        out[-1].options.append(Option(value, label, value == chosen))
    if chosen and chosen not in seen:  # a value from the address the corpus does not have: still shown
        out.insert(0, OptionGroup("", [Option(chosen, chosen, True)]))
    return out


def place_selects(
    places: Sequence[Place], *, by: str = "name", province: str = "", city: str = "", county: str = ""
) -> PlaceSelects:
    """The three selects over *places*; *province*, *city*, *county* are the chosen values (names
    or codes, as *by*)."""
    code = by == "code"

    def prov(p: Place) -> str:
        return p.province_code if code else p.province

    def city_of(p: Place) -> str:
        return (p.city_code if code else p.city) or ""

    def county_of(p: Place) -> str:
        return (p.county_code if code else p.county) or ""

    provinces = _groups([("", prov(p), p.province) for p in places], province)
    in_province = [p for p in places if not province or prov(p) == province]
    cities = _groups(
        [("" if province else p.province, city_of(p), p.city or "") for p in in_province if p.city],
        city,
    )
    if city:
        in_city = [p for p in in_province if city_of(p) == city]
        county_items = [("", county_of(p), p.county or "") for p in in_city if p.county]
    else:
        county_items = [
            (
                " ".join(x for x in ("" if province else p.province, p.city or "") if x) or p.province,
                county_of(p),
                p.county or "",
            )
            for p in in_province
            if p.county
        ]
    counties = _groups(county_items, county)
    return PlaceSelects(provinces, cities, counties)


def complete(places: Sequence[Place], province: str, city: str, county: str) -> tuple[str, str, str]:
    """(province, city, county) names with the levels above a chosen city or county filled in
    when the corpus has only one such place (黄石市 → 湖北省 黄石市), so the filter bar shows them."""
    if not (city or county):
        return province, city, county
    matches = [
        p
        for p in places
        if (not province or p.province == province)
        and (not city or p.city == city)
        and (not county or p.county == county)
    ]
    provinces = {p.province for p in matches}
    if not province and len(provinces) == 1:
        province = provinces.pop()
    cities = {p.city for p in matches}
    if county and not city and len(cities) == 1:
        city = cities.pop() or ""
    return province, city, county


__all__ = ["Option", "OptionGroup", "PlaceSelects", "complete", "place_selects"]


def corpus_places(db: WebDB) -> list[Place]:
    return db.cached("places", lambda: places(db.cursor()))


def filter_places(db: WebDB, filters: Filters) -> dict[str, Any]:
    """The problems lists' selects (by name) for *filters*, and whether they show the address's
    ``region`` too (then no hidden field carries it): ``{"places": …, "region_shown": …}``."""
    shown, region_shown = _shown_places(db, filters)
    selects = place_selects(corpus_places(db), by="name", province=shown[0], city=shown[1], county=shown[2])
    return {"places": selects, "region_shown": region_shown}


def _shown_places(db: WebDB, filters: Filters) -> tuple[tuple[str, str, str], bool]:
    """The province, city and county the selects show, and whether they show ``region`` too."""
    if filters.region and not (filters.province or filters.city or filters.county):
        try:
            prefix = parse_region(filters.region).prefix
        except RegionNotFound:
            prefix = ""
        region = region_for_code(prefix.ljust(6, "0")) if prefix else None
        if region is not None and region.province:
            return (region.province, region.city or "", region.county or ""), True
    return complete(corpus_places(db), filters.province, filters.city, filters.county), False
