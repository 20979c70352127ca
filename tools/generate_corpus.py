"""Generate a corpus of synthetic annual reports, with planted errors recorded in a manifest.

    python tools/generate_corpus.py OUT_DIR -n 1000 [--seed 1] [--error-rate 0.15] [--junk 3]

The reports follow the real layouts (``examples/``): table cells joined by `` | `` (003) or one
per line with a trailing ``|`` (000), by tabs (001), one cell per line (002), tab-indented cells
one per line (004), Markdown pipe tables; plus HTML, Word and PDF rendered through
``gongkai.writers``. Agencies come from every province; each publishes consecutive years
(2019–2024, format 2019 for 2019–2020 and 2021 after), with busy and idle ones, tables that
balance, carry-overs that chain from year to year and documents in force that follow from
issued and repealed.

Some reports get one planted error; ``manifest.jsonl`` lists every file with what was planted
(``planted``: the rule codes that must fire) and what may fire as a side effect (``also``):

- B001 column balance broken (新收 + 上年结转 ≠ 总计 + 结转下年度)
- B002 row total broken (总计 ≠ the six applicant columns)
- B003 outcome total broken (（七）总计 ≠ the sum of the outcome rows)
- B004 appeals group total broken
- Y001 上年结转 ≠ last year's 结转下年度 (the report balances on its own)
- Y002 现行有效 ≠ last year's + 制发 − 废止 (format 2021 pairs)
- Y003 总体情况 copied from last year's report with the year changed
- T001 published after the statutory deadline
- F001 a section left out

Files that are no report at all (``--junk``) are listed with the failure code expected.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from gongkai.formats import load_format

Values = dict[str, dict[str, dict[str, Any]]]  # table → row → column → value

PLANTABLE = ("B001", "B002", "B003", "B004", "Y001", "Y002", "Y003", "T001", "F001")
TEXT_LAYOUTS = ("pipe", "pipe_lines", "tab", "lines", "tab_lines", "markdown")
KINDS = ("text", "html", "docx", "pdf")
DEFAULT_KIND_WEIGHTS = {"text": 0.90, "html": 0.05, "docx": 0.03, "pdf": 0.02}
YEARS = range(2019, 2025)

DEPARTMENTS = (
    "医疗保障局",
    "人民政府办公室",
    "财政局",
    "教育局",
    "公安局",
    "民政局",
    "司法局",
    "自然资源局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "农业农村局",
    "商务局",
    "文化和旅游局",
    "卫生健康委员会",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "统计局",
    "退役军人事务局",
    "人力资源和社会保障局",
    "水利局",
    "林业局",
    "发展和改革局",
    "人民政府",
)
# Abbreviations some years use for the same body (normalised back by gongkai.store.agency).
SHORT_NAMES = {"医疗保障局": "医保局", "人民政府办公室": "政府办公室", "卫生健康委员会": "卫健委"}

SECTION_TITLES = {
    "overview": "一、总体情况",
    "proactive": "二、主动公开政府信息情况",
    "requests": "三、收到和处理政府信息公开申请情况",
    "appeals": "四、政府信息公开行政复议、行政诉讼情况",
    "problems": "五、存在的主要问题及改进情况",
    "other": "六、其他需要报告的事项",
}

OVERVIEW_POOL = (
    "{year}年，{agency}认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外。",
    "在{place}党委、政府的坚强领导下，{short}把政务公开工作纳入重要议事日程，明确分管领导和工作人员。",
    "本年度{short}围绕中心工作，及时公开政策文件、规划计划、财政预决算等信息。",
    "我局进一步健全政府信息公开工作机制，完善信息发布审核制度，严格执行保密审查程序。",
    "全年通过门户网站、政务新媒体等渠道主动公开政府信息{n}条，其中政策解读{m}条。",
    "依申请公开工作严格按照受理、登记、审查、审签、答复告知、送达等程序办理，保证依法规范。",
    "加强政府信息管理，对现行有效的规范性文件进行清理，及时更新公开目录。",
    "深化政府信息公开平台建设，优化门户网站政务公开专栏，提升栏目的规范性和实用性。",
    "强化监督保障，将政务公开工作纳入年度绩效考核，开展政务公开业务培训{k}次。",
    "围绕群众关切，做好重点领域信息公开，及时回应社会关注的热点问题。",
    "开展政府开放日活动{k}场，邀请群众代表走进机关了解工作情况。",
    "落实政策解读与政策文件同步起草、同步审签、同步发布制度，提升解读质量。",
    "规范依申请公开答复文书格式，统一答复口径，全年未发生答复超期情况。",
    "加强政务公开队伍建设，配备专兼职工作人员{k}名，确保工作有人抓、有人管。",
    "本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。",
    "推进基层政务公开标准化规范化建设，编制完善本部门政务公开事项标准目录。",
    "建立健全政务舆情收集、研判、处置和回应机制，及时发布权威信息。",
    "通过政务服务大厅公开栏、电子显示屏等载体公开办事指南和服务事项{m}项。",
    "做好人大代表建议和政协委员提案办理结果公开工作，全年公开办理复文{m}件。",
    "完善政府信息公开保密审查机制，坚持先审查、后公开，一事一审、全面审查。",
)
PROBLEMS_POOL = (
    "一是政务公开工作人员业务能力有待提高，对条例的理解还不够深入。",
    "二是公开内容的及时性和全面性还有差距，部分栏目更新不够及时。",
    "三是政策解读形式较为单一，图解、视频等多样化解读较少。",
    "一是主动公开的深度和广度有待拓展，群众关注领域的信息公开还不够充分。",
    "二是政府信息公开平台建设相对滞后，与群众互动交流不够。",
    "下一步，我局将加强业务培训，不断提升工作人员的业务水平。",
    "下一步，将进一步丰富解读形式，提高政策解读的针对性和可读性。",
    "今后将严格落实信息发布审核制度，确保公开信息准确、规范、及时。",
    "我们将加大重点领域信息公开力度，及时回应社会关切，增强公开实效。",
    "针对上年度存在的问题，已完成门户网站栏目优化，整改措施全部落实到位。",
    "继续完善依申请公开办理流程，规范答复行为，切实保障群众知情权。",
    "加强与上级主管部门的沟通联系，积极借鉴先进地区的经验做法。",
    "四是依申请公开答复文书的规范性有待加强，个别答复说理不够充分。",
    "三是基层政务公开标准化建设推进不平衡，部分事项目录更新滞后。",
    "二是政务新媒体运营力量不足，信息发布频次不够稳定。",
    "一是对新修订条例的学习培训还不够系统，个别工作人员理解不到位。",
    "下一步，将健全政务公开工作考核机制，把公开质量纳入年度考核。",
    "我们将优化政府信息公开专栏设置，方便群众查找和获取信息。",
    "将进一步规范政策解读发布流程，做到应解读尽解读。",
    "拟组织开展政务公开专题培训，邀请专家授课，提升队伍能力。",
    "持续加强政务舆情回应，及时发布权威信息，澄清不实传言。",
    "全面梳理主动公开基本目录，确保公开内容完整准确。",
    "推动政务公开与政务服务深度融合，提升办事便利度。",
    "加强对所属单位政务公开工作的指导和监督检查。",
)
OTHER_POOL = (
    "本年度未收取信息处理费。",
    "无其他需要报告的事项。",
    "本机关{year}年度未收取政府信息公开信息处理费，无其他需要报告的事项。",
    "本年度无其他需要报告的事项。",
)
FOOTERS = (
    ["主办单位：{place}人民政府办公室", "网站标识码：{code}0001", "版权所有 ©{pub_year}"],
    ["分享到：", "【打印本页】 【关闭窗口】"],
    [],
)


# --------------------------------------------------------------------------------------------
# Agencies


@dataclass(slots=True)
class Agency:
    index: int
    place: str  # as written in front of the department ("新乡市卫滨区")
    short_place: str  # the county alone when unique ("卫滨区"), else the full place
    code: str
    department: str
    busy: bool
    years: list[int]

    @property
    def name(self) -> str:
        return self.place + self.department

    @property
    def area_government(self) -> bool:
        return self.department == "人民政府"

    def name_in(self, year: int, rng: random.Random) -> str:
        """The name as written in one year's report: mostly the full name, sometimes shorter."""
        roll = rng.random()
        if roll < 0.15 and self.short_place != self.place:
            return self.short_place + self.department
        if roll < 0.25 and self.department in SHORT_NAMES:
            return self.place + SHORT_NAMES[self.department]
        return self.name


def _places(rng: random.Random, count: int) -> list[tuple[str, str, str]]:
    """(place, short place, code) of county- and city-level divisions from every province whose
    agencies resolve back to that code."""
    from gongkai.region import resolve_region
    from gongkai.region._divisions import CITY, COUNTY, divisions

    index = divisions()
    by_province: dict[str, list[Any]] = {}
    for div in index.by_code.values():
        if div.level in (CITY, COUNTY):
            by_province.setdefault(div.chain[0].code, []).append(div)
    provinces = sorted(by_province)
    out: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    attempts = 0
    while len(out) < count and attempts < count * 20:
        attempts += 1
        province = provinces[len(out) % len(provinces)] if attempts <= count else rng.choice(provinces)
        div = rng.choice(sorted(by_province[province], key=lambda d: d.code))
        if div.code in seen:
            continue
        parent = div.parent
        place = (parent.name if parent is not None else "") + div.name if div.level == COUNTY else div.name
        unique = len(index.by_name.get(div.name, ())) == 1
        short = div.name if unique else place
        reg = resolve_region(place + "财政局")
        reg_short = resolve_region(short + "财政局")
        if reg is None or reg.code != div.code or reg_short is None or reg_short.code != div.code:
            continue
        seen.add(div.code)
        out.append((place, short, div.code))
    return out


def make_agencies(rng: random.Random, n_reports: int) -> list[Agency]:
    agencies: list[Agency] = []
    total = 0
    places = _places(rng, max(8, n_reports // 3 + 8))
    i = 0
    while total < n_reports:
        place, short, code = places[i % len(places)]
        dept = DEPARTMENTS[(i // len(places) + i) % len(DEPARTMENTS)]
        span = rng.choice((1, 2, 2, 3, 3, 4, 5, 6))
        start = rng.randint(YEARS.start, YEARS.stop - span)
        years = list(range(start, start + span))[: n_reports - total]
        agencies.append(Agency(i, place, short, code, dept, rng.random() < 0.4, years))
        total += len(years)
        i += 1
    return agencies


# --------------------------------------------------------------------------------------------
# Values


@dataclass(slots=True)
class Carry:
    """What one year passes to the next: requests carried forward, documents in force."""

    carried_forward: dict[str, int] | None = None
    in_force: dict[str, int] | None = None
    total_published: dict[str, int] | None = None


def _count(rng: random.Random, busy: bool, scale: int = 1) -> int:
    if busy:
        return rng.choice((0, 1, 2, rng.randint(0, 30 * scale), rng.randint(0, 300 * scale)))
    return rng.choice((0, 0, 0, 0, 1, rng.randint(0, 3)))


def make_values(fmt: str, rng: random.Random, busy: bool, carry: Carry) -> tuple[Values, Carry]:
    spec = load_format(fmt)
    req = spec.tables["requests"]
    applicant = [c for c in req.columns if c != "total"]
    outcome = [k for k in req.sum("B003").rhs if not req.rows[k].optional]
    rows: dict[str, dict[str, Any]] = {}
    for k in outcome:
        heavy = k in ("granted", "partly_granted", "unable_not_held", "other_other", "other_handling")
        rows[k] = {
            c: _count(rng, busy and (heavy or rng.random() < 0.3), 10 if c == "natural_person" else 1)
            for c in applicant
        }
    carried_over = (
        dict(carry.carried_forward) if carry.carried_forward else {c: _count(rng, busy) // 10 for c in applicant}
    )
    total = {c: sum(rows[k][c] for k in outcome) for c in applicant}
    forward = {c: rng.randint(0, max(0, total[c] // 8)) if busy else 0 for c in applicant}
    new = {}
    for c in applicant:
        n = total[c] + forward[c] - carried_over[c]
        if n < 0:  # more carried over than handled: handle the rest this year
            rows["granted"][c] += -n
            total[c] += -n
            n = 0
        new[c] = n
    rows.update(new=new, carried_over=carried_over, total=total, carried_forward=forward)
    if fmt == "2021":
        rows["other_handling"] = dict.fromkeys(applicant)
    for r in rows.values():
        r["total"] = None if any(r[c] is None for c in applicant) else sum(r[c] for c in applicant)
    requests = {k: rows[k] for k in req.rows}

    pro = spec.tables["proactive"]
    proactive: dict[str, dict[str, Any]] = {}
    in_force: dict[str, int] = {}
    total_published: dict[str, int] = {}
    for k, r in pro.rows.items():
        vals: dict[str, Any] = {}
        if fmt == "2021" and "in_force" in r.columns:
            before = (carry.in_force or {}).get(k)
            if before is None:
                before = rng.randint(0, 40 if busy else 5)
            issued = rng.randint(0, 8 if busy else 1)
            repealed = rng.randint(0, min(before, 4 if busy else 1))
            vals = {"issued": issued, "repealed": repealed, "in_force": before + issued - repealed}
            in_force[k] = vals["in_force"]
        elif fmt == "2019" and "total_published" in r.columns:
            before = (carry.total_published or {}).get(k, rng.randint(0, 30 if busy else 3))
            made = rng.randint(0, 8 if busy else 1)
            vals = {"made": made, "published": made, "total_published": before + made}
            total_published[k] = vals["total_published"]
        else:
            for c in r.columns:
                col = pro.columns[c]
                if col.kind == "money":
                    vals[c] = rng.choice((Decimal(0), Decimal(rng.randint(0, 5_000_000)) / 100)) if busy else Decimal(0)
                elif col.signed:
                    vals[c] = rng.randint(-5, 5) if busy else 0
                elif c == "previous":
                    vals[c] = rng.randint(0, 60) if busy else rng.randint(0, 3)
                else:
                    vals[c] = _count(rng, busy, 10)
        proactive[k] = vals

    appeals: dict[str, dict[str, Any]] = {}
    for k in spec.tables["appeals"].rows:
        parts = [(_count(rng, busy) // 20 if busy else rng.choice((0, 0, 0, 0, 0, 1))) for _ in range(4)]
        appeals[k] = dict(zip(("upheld", "corrected", "other", "pending"), parts, strict=True))
        appeals[k]["total"] = sum(parts)

    nxt = Carry(
        carried_forward={c: forward[c] for c in applicant},
        in_force=in_force or None,
        total_published=total_published or carry.total_published,
    )
    return {"proactive": proactive, "requests": requests, "appeals": appeals}, nxt


# --------------------------------------------------------------------------------------------
# Planted errors


def _bump(rng: random.Random) -> int:
    return rng.randint(1, 5)


def plant(code: str, values: Values, fmt: str, rng: random.Random) -> dict[str, Any]:
    """Change *values* so that *code* fires; returns what was done (for the manifest)."""
    req = values["requests"]
    k = _bump(rng)
    applicant = ["natural_person", "commercial", "research", "nonprofit", "legal_services", "other_org"]
    c = rng.choice(applicant)
    if code == "B001":
        req["new"][c] += k
        req["new"]["total"] += k
        return {"row": "new", "column": c, "delta": k, "also": []}
    if code == "B002":
        row = rng.choice(["granted", "unable_not_held", "declined_duplicate"])
        req[row]["total"] += k
        return {"row": row, "column": "total", "delta": k, "also": ["B003"]}
    if code == "B003":
        req["granted"][c] += k
        req["granted"]["total"] += k
        return {"row": "granted", "column": c, "delta": k, "also": []}
    if code == "B004":
        group = rng.choice(["review", "litigation_direct", "litigation_after_review"])
        values["appeals"][group]["total"] += k
        return {"row": group, "column": "total", "delta": k, "also": []}
    if code == "Y001":
        # A carry-over that differs from last year's, in a report that balances on its own.
        for row in ("carried_over", "granted", "total"):
            req[row][c] += k
            req[row]["total"] += k
        return {"row": "carried_over", "column": c, "delta": k, "also": []}
    if code == "Y002":
        row = rng.choice(["rules", "normative_documents"])
        values["proactive"][row]["in_force"] += k
        return {"row": row, "column": "in_force", "delta": k, "also": []}
    return {"also": []}


# --------------------------------------------------------------------------------------------
# Text


def _cell(v: Any, thousands: bool) -> str:
    if v is None:
        return ""
    if isinstance(v, Decimal):
        if v == v.to_integral_value():
            return str(int(v))
        return format(v.normalize(), "f")
    if thousands and isinstance(v, int) and abs(v) >= 1000:
        return f"{v:,}"
    return str(v)


def _proactive_grid(fmt: str, values: Values, cell: Callable[[Any], str]) -> list[list[str]]:
    spec = load_format(fmt).tables["proactive"]
    grid: list[list[str]] = []
    last_item = None
    for row in spec.rows.values():
        if row.item != last_item:
            grid.append([row.item or ""])
            heads = [spec.columns[c].label for c in row.columns]
            grid.append(["信息内容", *heads])
            last_item = row.item
        cells = [cell(values["proactive"][row.key][c]) for c in row.columns]
        if fmt == "2019" and row.key == "procurement":  # the 2019 format prints no unit: write it in the cell
            cells[1] += "万元"
        grid.append([row.label, *cells])
    return grid


def _requests_grid(fmt: str, values: Values, cell: Callable[[Any], str], nested: bool) -> list[list[str]]:
    """Rows of table 三. *nested*: the tab layout's blank cells where labels were merged."""
    spec = load_format(fmt).tables["requests"]
    grid: list[list[str]] = [
        ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"],
        ["自然人", "法人或其他组织", "总计"],
        ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"],
    ]
    seen_groups: set[str] = set()
    for key, row in spec.rows.items():
        vals = values["requests"][key]
        if row.optional and all(v is None for v in vals.values()):
            continue
        labels: list[str]
        if key not in spec.sum("B003").rhs:  # 新收, 上年结转, 总计, 结转下年度
            labels = [row.label]
            if nested and key == "total":
                labels = ["", row.label, ""]
            elif nested:
                labels = [row.label, "", ""] if key == "carried_forward" else [row.label, ""]
        elif key == "granted":
            labels = ["三、本年度办理结果", row.label]
        elif row.group and row.group not in seen_groups:
            seen_groups.add(row.group)
            labels = ["", row.group, row.label] if nested else [row.group, row.label]
        elif row.group:
            labels = ["", "", row.label] if nested else [row.label]
        else:
            labels = ["", row.label] if nested else [row.label]
        grid.append([*labels, *(cell(vals[c]) for c in row.columns)])
    return grid


def _appeals_grid(values: Values, cell: Callable[[Any], str]) -> list[list[str]]:
    five = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    return [
        ["行政复议", "行政诉讼"],
        [*five, "未经复议直接起诉", "复议后起诉"],
        five * 2,
        [
            cell(values["appeals"][g][c])
            for g in ("review", "litigation_direct", "litigation_after_review")
            for c in ("upheld", "corrected", "other", "pending", "total")
        ],
    ]


def render_grid(grid: list[list[str]], layout: str) -> list[str]:
    width = max(len(r) for r in grid)
    lines: list[str] = []
    for i, row in enumerate(grid):
        pad = width - len(row)
        if layout == "pipe":  # seed 003
            lines.append("  | ".join(row) + "  | " + "|" * pad)
        elif layout == "pipe_lines":  # seed 000
            for j, c in enumerate(row):
                tail = " |" * (pad + 1) if j == len(row) - 1 else " |"
                lines.append(f"{c}{tail}")
        elif layout == "tab":  # seed 001
            lines.append("\t".join(row) + "\t" * max(pad, 0))
        elif layout == "lines":  # seed 002
            for c in row:
                if c:
                    lines += [c, ""]
        elif layout == "tab_lines":  # seed 004
            for c in row:
                lines.append("\t" + c)
            lines.append("")
        elif layout == "markdown":
            lines.append("| " + " | ".join(row + [""] * pad) + " |")
            if i == 0:
                lines.append("|" + "---|" * width)
        else:
            raise ValueError(layout)
    return lines


@dataclass(slots=True)
class Texts:
    overview: str
    proactive: str
    requests: str
    appeals: str
    problems: str
    other: str


def make_texts(agency: Agency, name: str, year: int, values: Values, rng: random.Random) -> Texts:
    fields = {
        "year": year,
        "agency": name,
        "short": "本机关" if agency.area_government else "我局",
        "place": agency.place,
        "n": rng.randint(20, 900),
        "m": rng.randint(1, 60),
        "k": rng.randint(1, 12),
    }
    picks = rng.sample(OVERVIEW_POOL, rng.randint(5, 8))
    overview = "\n".join(p.format(**fields) for p in picks)
    req = values["requests"]
    new_total = req["new"]["total"]
    proactive = f"{year}年，{fields['short']}主动公开政府信息情况如下。"
    requests = f"{year}年共收到政府信息公开申请{new_total}件。" if new_total else f"{year}年未收到政府信息公开申请。"
    review = values["appeals"]["review"]["total"]
    litigation = values["appeals"]["litigation_direct"]["total"] + values["appeals"]["litigation_after_review"]["total"]
    if review or litigation:
        appeals = f"{year}年，因政府信息公开工作被申请行政复议{review}件，被提起行政诉讼{litigation}件。"
    else:
        appeals = f"{year}年未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况。"
    problems = "\n".join(rng.sample(PROBLEMS_POOL, rng.randint(4, 6)))
    other = rng.choice(OTHER_POOL).format(year=year)
    return Texts(overview, proactive, requests, appeals, problems, other)


def signed_date(agency: Agency, year: int, rng: random.Random, late: bool) -> dt.date:
    if late:
        start = dt.date(year + 1, 5, 5) if agency.area_government else dt.date(year + 1, 2, 10)
        return start + dt.timedelta(days=rng.randint(0, 80))
    return dt.date(year + 1, 1, 3) + dt.timedelta(days=rng.randint(0, 25))


def _cn_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def render_text(
    name: str,
    agency: Agency,
    year: int,
    fmt: str,
    values: Values,
    texts: Texts,
    layout: str,
    signed: dt.date,
    published: dt.date | None,
    rng: random.Random,
    *,
    drop_section: str | None = None,
    thousands: bool = False,
) -> str:
    def cell(v: Any) -> str:
        return _cell(v, thousands)

    lines: list[str] = []
    if published is not None:
        lines += [
            f"{name}{year}年政府信息公开工作年度报告",
            f"发布日期:{published.isoformat()} {rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}:00"
            f" 来源:{name} 分享到:",
            "",
        ]
    if rng.random() < 0.3:
        lines += [f"{name}{year}年", "政府信息公开工作年度报告", ""]
    else:
        lines += [f"{name}{year}年政府信息公开工作年度报告", ""]
    heading = (lambda s: f"## {s}") if layout == "markdown" else (lambda s: s)
    sections: list[tuple[str, list[str]]] = [
        ("overview", texts.overview.split("\n")),
        ("proactive", [texts.proactive, *render_grid(_proactive_grid(fmt, values, cell), layout)]),
        (
            "requests",
            [texts.requests, *render_grid(_requests_grid(fmt, values, cell, layout == "tab"), layout)],
        ),
        ("appeals", [texts.appeals, *render_grid(_appeals_grid(values, cell), layout)]),
        ("problems", texts.problems.split("\n")),
        ("other", [texts.other]),
    ]
    for key, body in sections:
        if key == drop_section:
            continue
        lines.append(heading(SECTION_TITLES[key]))
        lines += body
        if layout in ("lines", "markdown"):
            lines.append("")
    lines += ["", name, _cn_date(signed)]
    footer = rng.choice(FOOTERS)
    lines += [f.format(place=agency.place, code=agency.code, pub_year=signed.year) for f in footer]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# The corpus


@dataclass(slots=True)
class Entry:
    file: str
    agency: str
    name: str
    region_code: str
    year: int
    format: str
    layout: str
    kind: str
    busy: bool
    planted: list[str] = field(default_factory=list)
    also: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    expect_failure: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "agency": self.agency,
            "name": self.name,
            "region_code": self.region_code,
            "year": self.year,
            "format": self.format,
            "layout": self.layout,
            "kind": self.kind,
            "busy": self.busy,
            "planted": self.planted,
            "also": self.also,
            "details": self.details,
            "expect_failure": self.expect_failure,
        }


def _applicable(code: str, fmt: str, has_prev: bool, prev_fmt: str | None) -> bool:
    if code.startswith("Y") and not has_prev:
        return False
    return code != "Y002" or (fmt == "2021" and prev_fmt == "2021")


class _Chooser:
    """Which error to plant in a report: at random, or (*cycle*) each code in turn so that a
    small corpus still gets every one."""

    def __init__(self, rng: random.Random, rate: float, only: tuple[str, ...], cycle: bool) -> None:
        self.rng, self.rate, self.cycle = rng, rate, cycle
        self.codes = [c for c in only if c in PLANTABLE]
        self.next = 0

    def __call__(self, fmt: str, has_prev: bool, prev_fmt: str | None) -> str | None:
        if not self.codes or self.rng.random() >= self.rate:
            return None
        if not self.cycle:
            options = [c for c in self.codes if _applicable(c, fmt, has_prev, prev_fmt)]
            return self.rng.choice(options) if options else None
        for i in range(len(self.codes)):
            code = self.codes[(self.next + i) % len(self.codes)]
            if _applicable(code, fmt, has_prev, prev_fmt):
                self.next = (self.next + i + 1) % len(self.codes)
                return code
        return None


def _render_kind(kind: str, text: str, path: str, rng: random.Random) -> bytes:
    """A text rendering turned into HTML / Word / PDF through gongkai.writers."""
    data = text.encode("utf-8")
    if kind == "text":
        return data if rng.random() > 0.05 else text.encode("gb18030")
    from gongkai import writers
    from gongkai.pipeline import parse_bytes

    report = parse_bytes(data, path)
    if kind == "html":
        style = rng.choice(("word", "cms"))
        return writers.to_html(report, style=style, page_chrome=rng.random() < 0.5)
    if kind == "docx":
        return writers.to_docx(report)
    return writers.to_pdf(report)


def _writers_available() -> bool:
    try:
        import gongkai.writers  # noqa: F401
    except ImportError:
        return False
    return True


def generate(
    out: Path,
    n: int,
    *,
    seed: int = 1,
    error_rate: float = 0.15,
    junk: int = 0,
    kind_weights: dict[str, float] | None = None,
    only: tuple[str, ...] = PLANTABLE,
    cycle: bool = False,
) -> list[Entry]:
    """Write *n* reports (plus *junk* files that are no reports) under *out* and
    ``out/manifest.jsonl``; returns the manifest entries. *only* limits the planted codes;
    *cycle* plants them in turn rather than at random."""
    rng = random.Random(seed)
    weights = dict(kind_weights or DEFAULT_KIND_WEIGHTS)
    if not _writers_available():
        weights = {"text": 1.0}
    kinds = list(weights)
    kind_w = [weights[k] for k in kinds]
    out.mkdir(parents=True, exist_ok=True)
    choose = _Chooser(rng, error_rate, only, cycle)
    entries: list[Entry] = []
    for agency in make_agencies(rng, n):
        carry = Carry()
        prev_fmt: str | None = None
        prev_texts: Texts | None = None
        for pos, year in enumerate(agency.years):
            fmt = "2019" if year < 2021 else "2021"
            values, next_carry = make_values(fmt, rng, agency.busy, carry)
            code = choose(fmt, pos > 0, prev_fmt)
            name = agency.name_in(year, rng)
            texts = make_texts(agency, name, year, values, rng)
            details: dict[str, Any] = {}
            if code in ("B001", "B002", "B003", "B004", "Y001", "Y002"):
                details = plant(code, values, fmt, rng)
            if code == "Y002" and next_carry.in_force is not None:
                # next year follows from the figure as printed
                next_carry.in_force = {k: values["proactive"][k]["in_force"] for k in next_carry.in_force}
            if code == "Y003" and prev_texts is not None:
                texts.overview = prev_texts.overview.replace(str(year - 1), str(year))
                details = {"section": "overview", "also": []}
            late = code == "T001"
            signed = signed_date(agency, year, rng, late)
            published = None
            if rng.random() < 0.3:
                published = signed + dt.timedelta(days=rng.randint(0, 3))
                deadline = dt.date(year + 1, 3, 31) if agency.area_government else dt.date(year + 1, 1, 31)
                if not late and published > deadline:
                    published = deadline
            drop = rng.choice(("problems", "other")) if code == "F001" else None
            if code == "F001":
                details = {"section": drop, "also": []}
            kind = rng.choices(kinds, kind_w)[0]
            layout = rng.choice(TEXT_LAYOUTS)
            text = render_text(
                name,
                agency,
                year,
                fmt,
                values,
                texts,
                layout,
                signed,
                published,
                rng,
                drop_section=drop,
                thousands=agency.busy and rng.random() < 0.3,
            )
            folder = out / agency.code[:2] / f"{agency.index:05d}"
            folder.mkdir(parents=True, exist_ok=True)
            ext = {
                "text": rng.choice((".txt", ".txt", ".md")) if layout != "markdown" else ".md",
                "html": ".html",
                "docx": ".docx",
                "pdf": ".pdf",
            }[kind]
            path = folder / f"{year}{ext}"
            path.write_bytes(_render_kind(kind, text, str(path), rng))
            also = list(details.pop("also", []))
            entries.append(
                Entry(
                    file=str(path.relative_to(out)),
                    agency=agency.name,
                    name=name,
                    region_code=agency.code,
                    year=year,
                    format=fmt,
                    layout=layout if kind == "text" else kind,
                    kind=kind,
                    busy=agency.busy,
                    planted=[code] if code else [],
                    also=also,
                    details=details,
                )
            )
            # Y001/Y002 are planted in this year's figures: next year chains from what was printed.
            carry = next_carry
            prev_fmt, prev_texts = fmt, texts
    for i, (suffix, data, failure) in zip(range(junk), _junk_files(rng), strict=False):
        path = out / "junk" / f"junk_{i:03d}{suffix}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        entries.append(
            Entry(
                file=str(path.relative_to(out)),
                agency="",
                name="",
                region_code="",
                year=0,
                format="",
                layout="",
                kind="junk",
                busy=False,
                expect_failure=failure,
            )
        )
    with (out / "manifest.jsonl").open("w", encoding="utf-8") as fh:
        for e in entries:
            fh.write(json.dumps(e.to_dict(), ensure_ascii=False) + "\n")
    return entries


def _junk_files(rng: random.Random) -> Iterator[tuple[str, bytes, str]]:
    """Files that are no report, each with different bytes (identical ones would be skipped as
    duplicates)."""
    n = 0
    while True:
        n += 1
        yield ".txt", b" \n" * n, "empty"
        yield ".pdf", bytes(rng.randrange(256) for _ in range(2048)).replace(b"%PDF", b"%PDX") + b"\x00", "binary"
        yield ".txt", f"会议通知（第{n}号）\n请各单位于下周一上午九点到三楼会议室参加会议。\n".encode(), "not_a_report"
        yield ".doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + n.to_bytes(4, "big") + bytes(512), "unsupported"


def load_manifest(folder: Path) -> list[dict[str, Any]]:
    with (folder / "manifest.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="folder to write the reports and manifest.jsonl into")
    ap.add_argument("-n", type=int, default=100, help="number of reports")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--error-rate", type=float, default=0.15, help="share of reports with a planted error")
    ap.add_argument("--junk", type=int, default=0, help="files that are no report (empty, binary, …)")
    ap.add_argument("--text-only", action="store_true", help="no HTML, Word or PDF")
    ap.add_argument("--cycle", action="store_true", help="plant the codes in turn, not at random")
    args = ap.parse_args(argv)
    weights = {"text": 1.0} if args.text_only else None
    entries = generate(
        args.out,
        args.n,
        seed=args.seed,
        error_rate=args.error_rate,
        junk=args.junk,
        kind_weights=weights,
        cycle=args.cycle,
    )
    planted: dict[str, int] = {}
    for e in entries:
        for c in e.planted:
            planted[c] = planted.get(c, 0) + 1
    print(f"{len(entries)} files in {args.out}; planted: {json.dumps(planted, sort_keys=True)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
