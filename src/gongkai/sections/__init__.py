"""Sections: find the six sections by meaning, not by exact title.

Titles vary in the wild (四、因政府信息公开工作被申请行政复议、提起行政诉讼情况 in older reports),
002 repeats the report title, 000 has none. A heading opens a section only when it names it
(``gongkai.formats.match_heading``) and comes after the previous one, so the table rows
一、本年新收… / 四、结转下年度继续办理 never open a section. Site furniture (分享到, 主办单位,
备案证编号, 网站标识码) belongs to no section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gongkai.document import Block, Document, Location, Paragraph, Table
from gongkai.formats import SectionSpec, is_furniture, match_heading
from gongkai.layout import exact_shape, line_shape, shapes_apply
from gongkai.memo import remember
from gongkai.model import Section
from gongkai.normalize import label_key
from gongkai.readers.text import is_header_line

_INLINE_HEADING_RE = re.compile(r"^(.{3,40}?)[:：。]\s*(.+)$")
_DATE_LINE_RE = re.compile(
    r"^\s*(\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,3}\s*月\s*[\d一二三四五六七八九十]{1,3}\s*日\s*$"
)
_ORG_SUFFIXES = (
    "局",
    "委员会",
    "委",
    "办公室",
    "政府",
    "厅",
    "院",
    "署",
    "中心",
    "办",
    "所",
    "站",
    "队",
    "会",
    "处",
    "馆",
    "社",
    "街道",
    "镇",
    "乡",
    "部",
    "司",
)


@dataclass(slots=True)
class SectionSplit:
    sections: dict[str, Section]
    # For every block of the document, the section it belongs to (None: preamble or furniture).
    block_sections: list[str | None]
    preamble: list[Paragraph] = field(default_factory=list)  # title lines, page header, intro
    furniture: list[Paragraph] = field(default_factory=list)
    signature: list[Paragraph] = field(default_factory=list)  # closing agency name and date


def split_sections(doc: Document) -> SectionSplit:
    current: str | None = None
    current_ordinal = 0
    titles: dict[str, tuple[str, Location]] = {}
    texts: dict[str, list[Paragraph]] = {}
    block_sections: list[str | None] = []
    preamble: list[Paragraph] = []
    furniture: list[Paragraph] = []

    for block in doc.blocks:
        if isinstance(block, Table):
            block_sections.append(current)
            continue
        text = block.text.strip()
        try:
            furniture_line, heading, rest = _LINE_ROLES[text]
        except KeyError:
            furniture_line, heading, rest = _line_role(text)
        if text and (furniture_line or (doc.header and current is None and is_header_line(text))):
            furniture.append(block)
            block_sections.append(None)
            continue
        if heading is not None and heading.ordinal > current_ordinal:
            current, current_ordinal = heading.key, heading.ordinal
            titles[current] = (text if rest is None else text[: len(text) - len(rest)].rstrip(), block.loc)
            texts[current] = []
            if rest:
                texts[current].append(Paragraph(rest, block.loc))
            block_sections.append(current)
            continue
        block_sections.append(current)
        if not text:
            continue
        if current is None:
            preamble.append(block)
        else:
            texts[current].append(block)

    signature: list[Paragraph] = []
    if current is not None:
        signature = _take_signature(texts[current])

    sections: dict[str, Section] = {}
    for skey, paras in texts.items():
        title, loc = titles[skey]
        lines = [p.loc.line for p in paras if p.loc.line is not None]
        sections[skey] = Section(
            key=skey,
            title=title.lstrip("#").strip(),
            text="\n".join([p.text.strip() for p in paras]),
            loc=loc,
            line_span=(loc.line or min(lines, default=0), max(lines, default=loc.line or 0)) if loc.line else None,
        )
    return SectionSplit(sections, block_sections, preamble, furniture, signature)


# Per stripped line: (page furniture, the section a heading opens, the rest of the line after an
# inline heading) — pure functions of the text, worked out once per distinct line.
_LINE_ROLES: dict[str, tuple[bool, SectionSpec | None, str | None]] = {}
_LINE_ROLES_MAX = 65536


def _line_role(text: str) -> tuple[bool, SectionSpec | None, str | None]:
    # A line of a shape seen before (its digits aside, gongkai.layout.line_shape) has that line's
    # role, its rest starting at the same place: headings, furniture and the inline heading's
    # colon are found alike whatever the digits.
    shape = line_shape(text) if shapes_apply() else exact_shape(text)
    known = _SHAPES.get(shape)
    if known is not None:
        at = known[2]
        role = (known[0], known[1], None if at is None else text[at:])
    else:
        heading, rest = _heading(text)
        role = (bool(text) and is_furniture(text), heading, rest)
        remember(_SHAPES, _LINE_ROLES_MAX, shape, (role[0], heading, None if rest is None else len(text) - len(rest)))
    remember(_LINE_ROLES, _LINE_ROLES_MAX, text, role)
    return role


# Per shape of a stripped line: (page furniture, the section a heading opens, where the rest of
# the line after an inline heading starts).
_SHAPES: dict[bytes, tuple[bool, SectionSpec | None, int | None]] = {}


def _heading(text: str) -> tuple[SectionSpec | None, str | None]:
    """(section spec, rest of the line) for a heading line, also ``一、总体情况：2023年…``."""
    if not text:
        return None, None
    spec = match_heading(text)
    if spec is not None:
        return spec, None
    m = _INLINE_HEADING_RE.match(text)
    if m:
        spec = match_heading(m.group(1))
        if spec is not None:
            return spec, m.group(2)
    return None, None


def is_date_line(text: str) -> bool:
    return bool(_DATE_LINE_RE.match(text))


def looks_like_org(text: str) -> bool:
    k = label_key(text)
    return 2 <= len(k) <= 40 and k.endswith(_ORG_SUFFIXES) and not k.endswith(("。", "，"))


def _take_signature(paras: list[Paragraph]) -> list[Paragraph]:
    """Remove and return the closing lines (agency name, date) from the last section's text."""
    taken: list[Paragraph] = []
    while paras:
        text = paras[-1].text.strip()
        if is_date_line(text) or (taken and looks_like_org(text) and len(taken) < 3):
            taken.insert(0, paras.pop())
            continue
        break
    return taken


def blocks_in(doc: Document, split: SectionSplit, section: str) -> list[Block]:
    return [b for b, s in zip(doc.blocks, split.block_sections, strict=True) if s == section]
