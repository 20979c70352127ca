"""Report metadata: agency, report year, dates, region.

The agency and year come from the title (``新乡市卫滨区医疗保障局2021年政府信息公开工作年度报告``),
else from the closing signature or the first sentence (``2020年,武汉经济技术开发区(汉南区)医疗保障局
政府信息公开工作…``). ``signed_on`` is the date closing the report; ``published_on`` a 发布日期 line
of the page. The region is resolved from the agency's name and the text.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re

from gongkai.document import Location, Paragraph
from gongkai.model import Meta, Section
from gongkai.normalize import fold
from gongkai.region import resolve_region
from gongkai.sections import SectionSplit, is_date_line, looks_like_org

_CN_DIGITS = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_DATE_RE = re.compile(
    r"(?P<y>\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*(?P<m>\d{1,2}|[一二三四五六七八九十]{1,2})\s*月\s*"
    r"(?P<d>\d{1,2}|[一二三四五六七八九十]{1,3})\s*日"
)
_PUBLISHED_RE = re.compile(
    r"(?:发布日期|发布时间|发文日期|成文日期|日期)\s*[:：]?\s*(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})"
)
_TITLE_YEAR_RE = re.compile(r"(?P<year>20\d{2})\s*年(?:度)?")
_PERIOD_RE = re.compile(
    r"(?:统计期限|统计时限|统计期|统计时间|数据统计)[^。]{0,10}?(?P<year>20\d{2})\s*年\s*1\s*月\s*1\s*日"
)
_FIRST_SENTENCE_AGENCY_RE = re.compile(
    r"^(?:(?:20\d{2})\s*年(?:度)?\s*[,，]?\s*)?(?:我局|本局)?(?P<agency>[^，,。；;：:\s\d]{2,40}?"
    r"(?:人民政府办公室|人民政府|委员会|办公室|管理局|局|委|厅|院|署|中心|办事处|管委会|政府))"
)
_CONTACT_AGENCY_RE = re.compile(
    r"(?:请与|请联系|联系单位[:：]?)(?P<agency>[^，,。；;：:\s\d《》]{4,40}?(?:人民政府|委员会|管委会|管理局|局|委|办事处|中心))"
    r"(?:办公室|政务公开办|[^，,。；;\s]{0,8}(?:科|股|处|室))?联系"
)
_AGENCY_FROM_TITLE_RE = re.compile(r"^(?:关于)?(?P<agency>.+?)(?:关于)?\s*[(（]?\s*(?:20\d{2})\s*年")


def _cn_number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if len(text) == 4 and all(c in _CN_DIGITS for c in text):  # 二〇二四
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    total = 0
    if "十" in text:
        tens, _, ones = text.partition("十")
        total = (_CN_DIGITS.get(tens, 1) if tens else 1) * 10
        return total + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return _CN_DIGITS.get(text, 0)


def parse_date(text: str) -> dt.date | None:
    m = _DATE_RE.search(fold(text))
    if not m:
        return None
    try:
        return dt.date(_cn_number(m.group("y")), _cn_number(m.group("m")), _cn_number(m.group("d")))
    except ValueError:
        return None


_BREADCRUMB_MARKERS = ("当前位置", "您的位置", "您现在的位置", "所在位置", "首页>", "首页›", "首页»")


def _title_score(text: str) -> int:
    """How much a line reads like the report's title (0: not at all)."""
    k = fold(text).replace(" ", "")
    if len(k) > 80 or "报告" not in k or any(m in k for m in _BREADCRUMB_MARKERS) or "|" in k:
        return 0
    if "政府信息公开" in k and "年度报告" in k:
        return 3
    if "年度报告" in k or ("公开" in k and "报告" in k):
        return 2
    return 0


def find_title(preamble: list[Paragraph]) -> tuple[str, Location] | None:
    """The report's title among the lines before the first section: the line that reads most like
    one (政府信息公开…年度报告), joined with the line before when a title is set on two lines (004:
    ``西塞山区医疗保障局2023年政府信息公开`` / ``工作年度报告``). Breadcrumbs (当前位置：…年度报告) and
    menus (…| 信息公开年报) are not titles."""
    lines = [p for p in preamble if p.text.strip()]
    best: tuple[int, str, Location] | None = None
    for i, p in enumerate(lines):
        text = p.text.strip().lstrip("#").strip()
        score = _title_score(text)
        if score == 0:
            continue
        k = fold(text)
        if i > 0 and not _TITLE_YEAR_RE.search(k) and len(text) < 30:
            before = lines[i - 1].text.strip()
            kb = fold(before)
            first_half = "报告" not in kb and ("公开" in kb or _TITLE_YEAR_RE.search(kb)) and len(before) < 50
            breadcrumb = any(m in kb for m in _BREADCRUMB_MARKERS)
            if first_half and not breadcrumb and _title_score(before + text) >= score:
                text, p = before + text, lines[i - 1]
        if best is None or score > best[0]:
            best = (score, text, p.loc)
    return (best[1], best[2]) if best else None


def agency_from_title(title: str) -> str | None:
    t = re.sub(r"\s+", "", title)
    m = _AGENCY_FROM_TITLE_RE.match(t)
    if m and len(m.group("agency")) >= 2:
        return m.group("agency").rstrip("(（")
    # year first: 2023年XX局政府信息公开工作年度报告
    m = re.match(r"^(?:20\d{2})\s*年(?:度)?(?P<agency>.+?)政府信息公开", t)
    if m and len(m.group("agency")) >= 2:
        return m.group("agency")
    return None


# Words that begin a sentence, never an agency's name (根据《条例》…, 高度重视政府…).
_NOT_A_NAME_START = (
    "根据",
    "按照",
    "依据",
    "为",
    "在",
    "对",
    "经",
    "以",
    "高度",
    "坚持",
    "认真",
    "全面",
    "深入",
    "进一步",
    "围绕",
    "本",
    "我",
    "今年",
    "全年",
    "年内",
    "工作",
    "政府信息",
    "政务公开",
    "政府",
)
_NOT_IN_A_NAME = (
    "《",
    "》",
    "“",
    "”",
    "、",
    "工作",
    "重视",
    "公开",
    "条例",
    "报告",
    "按照",
    "根据",
    "严格",
    "加强",
    "推进",
    "落实",
    "贯彻",
    "深入",
    "坚持",
    "持续",
)


def _plausible_agency(name: str) -> bool:
    """Whether a name read from the first sentence can be an agency: a name, not a phrase."""
    name = name.strip()
    if not name or name.startswith(_NOT_A_NAME_START) or any(w in name for w in _NOT_IN_A_NAME):
        return False
    return looks_like_org(name)


def extract_meta(split: SectionSplit, sections: dict[str, Section], header: dict[str, str] | None = None) -> Meta:
    """*header*: what the page says about itself (a crawler's 标题/发布时间/发布机构 block, an HTML
    page's <title>); the report's own title and text come first, the header fills what they lack."""
    meta = Meta()
    header = header or {}
    title = find_title(split.preamble)
    if title is None and header.get("标题") and _title_score(header["标题"]):
        title = (header["标题"].strip(), Location(line=1))
    if title:
        meta.title, meta.sources["title"] = title[0], title[1]
        agency = agency_from_title(title[0])
        if agency:
            meta.agency, meta.sources["agency"] = agency, title[1]
        m = _TITLE_YEAR_RE.search(title[0])
        if m:
            meta.year, meta.sources["year"] = int(m.group("year")), title[1]

    # The date closing the report, and the signing agency just above it.
    for p in split.signature:
        text = p.text.strip()
        if is_date_line(text):
            meta.signed_on = parse_date(text)
            meta.sources["signed_on"] = p.loc
        elif meta.agency is None and _plausible_agency(text):
            meta.agency, meta.sources["agency"] = text, p.loc

    overview = sections.get("overview")
    if meta.agency is None:
        first_texts = ([overview.text] if overview else []) + [p.text for p in split.preamble]
        for text in first_texts:
            first_line = text.strip().split("\n", 1)[0]
            m = _FIRST_SENTENCE_AGENCY_RE.match(first_line.strip())
            if m and _plausible_agency(m.group("agency")):
                meta.agency = m.group("agency")
                if overview and overview.loc:
                    meta.sources["agency"] = overview.loc
                break

    if meta.agency is None and _plausible_agency(header.get("发布机构", "")):
        meta.agency = header["发布机构"].strip()  # the page's own 发布机构 field

    if meta.agency is None:
        # The contact sentence of the opening paragraph names the agency's own office:
        # 请与平潭综合实验区农业农村局办公室联系.
        opening = "\n".join([p.text for p in split.preamble] + ([overview.text] if overview else []))
        m = _CONTACT_AGENCY_RE.search(fold(opening)[:3000])
        if m and _plausible_agency(m.group("agency")):
            meta.agency = m.group("agency")

    if meta.year is None:
        body = "\n".join(s.text for s in sections.values())
        m = _PERIOD_RE.search(body)
        if m:
            meta.year = int(m.group("year"))
        elif overview is not None:
            m = _TITLE_YEAR_RE.search(overview.text)
            if m:
                meta.year = int(m.group("year"))
        if meta.year is None and meta.signed_on is not None:
            meta.year = meta.signed_on.year - 1

    published = header.get("发布时间") or header.get("发布日期")
    if published:
        m = re.match(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})", fold(published))
        if m:
            with contextlib.suppress(ValueError):
                meta.published_on = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    for p in [] if meta.published_on else split.furniture + split.preamble:
        m = _PUBLISHED_RE.search(fold(p.text))
        if m:
            try:
                meta.published_on = dt.date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
                meta.sources["published_on"] = p.loc
                break
            except ValueError:
                continue

    if meta.agency:
        context = "\n".join(
            [p.text for p in split.preamble] + [p.text for p in split.signature] + ([overview.text] if overview else [])
        )
        meta.region = resolve_region(meta.agency, context)
    return meta
