"""Render report text in the layouts scrapers produce, from values under the format's keys.

Used by the tests to build variants of the real layouts (seeds 000–004): busy agencies, split
rows, stray spaces, blank columns, traditional characters. Each layout mirrors one seed:

- ``pipe``: cells joined by `` | `` with the trailing ``||`` of merged cells (003)
- ``tab``: cells joined by tabs, blank leading cells where cells were merged (001)
- ``lines``: one cell per line with blank lines between (002)
- ``markdown``: a Markdown pipe table
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from gongkai.formats import load_format

Values = dict[str, dict[str, dict[str, Any]]]  # table → row → column → value

SECTION_TITLES = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]


def fmt_value(v: Any, thousands: bool = False) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if thousands and isinstance(v, int) and abs(v) >= 1000:
        return f"{v:,}"
    return str(v)


def _proactive_rows(fmt: str, values: Values) -> list[tuple[str | None, str, list[str]]]:
    """(group head or None, label, cells) in national order, with the column heads per group."""
    spec = load_format(fmt).tables["proactive"]
    out: list[tuple[str | None, str, list[str]]] = []
    last_item = None
    for row in spec.rows.values():
        if row.item != last_item:
            heads = [spec.columns[c].label for c in row.columns]
            out.append((row.item, "信息内容", heads))
            last_item = row.item
        out.append((None, row.label, [values["proactive"][row.key][c] for c in row.columns]))
        for extra in values.get("_extra_proactive", {}).get(row.key, []):
            out.append((None, extra[0], extra[1]))
    return out


def balanced_values(fmt: str, rng: random.Random, busy: bool = True) -> Values:
    """Values that satisfy every sum the format implies."""
    spec = load_format(fmt)
    top = 3000 if busy else 3
    req = spec.tables["requests"]
    cols = list(req.columns)[:-1]
    rows: dict[str, dict[str, Any]] = {}
    outcome_rows = [k for k in req.sum("B003").rhs if not req.rows[k].optional]
    for k in outcome_rows:
        rows[k] = {c: (rng.choice([0, 0, 1, rng.randint(0, top)])) for c in cols}
    if fmt == "2021":
        rows["other_handling"] = {c: None for c in cols}
    total = {c: sum(rows[k][c] for k in outcome_rows) for c in cols}
    carried_forward = {c: rng.randint(0, max(1, total[c] // 10)) for c in cols}
    carried_over = {c: rng.randint(0, total[c] + carried_forward[c]) for c in cols}
    new = {c: total[c] + carried_forward[c] - carried_over[c] for c in cols}
    rows.update(new=new, carried_over=carried_over, total=total, carried_forward=carried_forward)
    for r in rows.values():
        if all(v is not None for v in r.values()):
            r["total"] = sum(r[c] for c in cols)
        else:
            r["total"] = None
    requests = {k: rows[k] for k in req.rows}

    pro = spec.tables["proactive"]
    proactive: dict[str, dict[str, Any]] = {}
    for k, r in pro.rows.items():
        proactive[k] = {}
        for c in r.columns:
            col = pro.columns[c]
            if col.kind == "money":
                proactive[k][c] = rng.choice([0, round(rng.uniform(0, 500), 2)])
            elif col.signed:
                proactive[k][c] = rng.randint(-20, 20)
            else:
                proactive[k][c] = rng.randint(0, top)

    appeals: dict[str, dict[str, Any]] = {}
    for k in spec.tables["appeals"].rows:
        parts = [rng.choice([0, 0, 1, rng.randint(0, top // 10 + 1)]) for _ in range(4)]
        appeals[k] = dict(zip(["upheld", "corrected", "other", "pending"], parts, strict=True))
        appeals[k]["total"] = sum(parts)
    return {"proactive": proactive, "requests": requests, "appeals": appeals}


def _requests_lines(fmt: str, values: Values, cell: Callable[[Any], str]) -> list[tuple[list[str], list[str]]]:
    """(label cells, value cells) per row of table 三, with group labels in front like the seeds."""
    spec = load_format(fmt).tables["requests"]
    out: list[tuple[list[str], list[str]]] = []
    seen_groups: set[str] = set()
    for key, row in spec.rows.items():
        vals = values["requests"][key]
        if row.optional and all(v is None for v in vals.values()):
            continue
        labels: list[str] = []
        if key == "granted":
            labels.append("三、本年度办理结果")
        if row.group and row.group not in seen_groups:
            seen_groups.add(row.group)
            labels.append(row.group)
        labels.append(row.label)
        out.append((labels, [cell(vals[c]) for c in row.columns]))
    return out


APPEALS_HEAD = [
    ["行政复议", "行政诉讼"],
    ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉"],
    ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2,
]
REQUESTS_HEAD = [
    ["(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)", "申请人情况"],
    ["自然人", "法人或其他组织", "总计"],
    ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"],
]


def render(
    values: Values,
    fmt: str,
    layout: str = "pipe",
    *,
    agency: str = "临河区医疗保障局",
    year: int = 2023,
    signed: str | None = "2024年1月19日",
    thousands: bool = False,
    overview: str | None = None,
    requests_text: str = "",
) -> str:
    """A whole report in one of the scraped layouts."""

    def cell(v: Any) -> str:
        return fmt_value(v, thousands)

    def row_line(cells: list[str]) -> list[str]:
        if layout == "pipe":
            return ["  | ".join(cells) + "  | ||"]
        if layout == "tab":
            return ["\t".join(cells)]
        if layout == "markdown":
            return ["| " + " | ".join(cells) + " |"]
        out: list[str] = []
        for c in cells:
            out += [c, ""]
        return out

    lines: list[str] = [f"{agency}{year}年政府信息公开工作年度报告", ""]
    lines += [
        SECTION_TITLES[0],
        overview or f"{year}年，{agency}认真贯彻落实《中华人民共和国政府信息公开条例》。",
    ]
    lines += [SECTION_TITLES[1]]
    for item, label, cells in _proactive_rows(fmt, values):
        if item:
            lines += row_line([item])
            if layout == "markdown":
                lines += ["|---|---|---|---|"]
        lines += row_line([label] + [cell(c) if label != "信息内容" else c for c in cells])
    lines += [SECTION_TITLES[2]]
    if requests_text:
        lines.append(requests_text)
    for head in REQUESTS_HEAD:
        lines += row_line(head)
    for labels, vals in _requests_lines(fmt, values, cell):
        lines += row_line(labels + vals)
    lines += [SECTION_TITLES[3]]
    for head in APPEALS_HEAD:
        lines += row_line(head)
    flat = [
        cell(values["appeals"][g][c])
        for g in ("review", "litigation_direct", "litigation_after_review")
        for c in ("upheld", "corrected", "other", "pending", "total")
    ]
    lines += row_line(flat)
    lines += [SECTION_TITLES[4], "工作人员业务能力有待提高。", SECTION_TITLES[5], "无。"]
    if signed:
        lines += [agency, signed]
    return "\n".join(lines) + "\n"


def expected_tables(values: Values, fmt: str) -> dict[str, dict[str, dict[str, Any]]]:
    """What the parser should give for ``values`` (money as written, None as None)."""
    spec = load_format(fmt)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for tkey, table in spec.tables.items():
        out[tkey] = {rk: {c: values[tkey][rk].get(c) for c in r.columns} for rk, r in table.rows.items()}
    return out
