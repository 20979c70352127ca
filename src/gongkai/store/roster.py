"""``gongkai roster``: which agencies expected to publish have no report in the corpus for a year.

The roster is a CSV file with the agency's name and, optionally, its six-digit division code.
Header names recognised (any case): name / agency / 机关 / 机关名称 / 单位 / 单位名称, and
code / region_code / 区划代码 / 行政区划代码. Without a recognised header the first column is the
name and the second, if any, the code. An agency counts as present when a report of the year has
its agency key (region code + name without places, see :mod:`gongkai.store.agency`) or its
normalised full name.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from gongkai.region import resolve_region
from gongkai.store.agency import agency_key, agency_norm
from gongkai.store.db import Store
from gongkai.store.regions import region_for_code

NAME_HEADERS = ("name", "agency", "机关", "机关名称", "单位", "单位名称", "部门", "部门名称")
CODE_HEADERS = ("code", "region_code", "区划代码", "行政区划代码", "地区代码")


@dataclass(frozen=True, slots=True)
class Expected:
    line: int
    name: str
    code: str | None
    agency_key: str | None
    agency_norm: str | None


def read_roster(path: Path) -> list[Expected]:
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError("encoding")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return []
    head = [h.strip().lower() for h in rows[0]]
    name_col = next((i for i, h in enumerate(head) if h in NAME_HEADERS), None)
    code_col = next((i for i, h in enumerate(head) if h in CODE_HEADERS), None)
    start = 1
    if name_col is None:
        name_col, code_col, start = 0, (1 if len(head) > 1 else None), 0
    out = []
    for n, row in enumerate(rows[start:], start=start + 1):
        if name_col >= len(row) or not row[name_col].strip():
            continue
        name = row[name_col].strip()
        raw_code = row[code_col].strip() if code_col is not None and code_col < len(row) else ""
        code = raw_code if raw_code.isdigit() and len(raw_code) == 6 else None
        region = region_for_code(code) if code else resolve_region(name)
        out.append(Expected(n, name, code, agency_key(name, region), agency_norm(name)))
    return out


def missing_reports(store: Store, expected: list[Expected], year: int) -> list[Expected]:
    present = store.query("SELECT agency_key, agency_norm FROM reports WHERE status = 'ok' AND \"year\" = ?", [year])
    keys = {k for k, _ in present if k}
    names = {n for _, n in present if n}
    return [e for e in expected if e.agency_key not in keys and e.agency_norm not in names]


__all__ = ["Expected", "missing_reports", "read_roster"]
