"""The document model every reader produces: paragraphs and table grids, each with its place.

Readers (``gongkai.readers``) turn bytes into a :class:`Document`; the later stages (layout,
sections, tables) only ever see this model, so a value read from HTML, Word, PDF or scraped text
goes through the same code and keeps where it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Location:
    """Where a piece of text was found. Only the fields that apply to the source are set."""

    line: int | None = None  # 1-based line in the decoded text (text readers, PDF text lines)
    table: int | None = None  # 0-based index of the table in the document
    row: int | None = None  # 0-based row in that table's grid
    cell: int | None = None  # 0-based cell (column) in that row
    page: int | None = None  # 1-based PDF page
    bbox: tuple[float, float, float, float] | None = None  # PDF box (x0, top, x1, bottom) in points

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in ("line", "table", "row", "cell", "page"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.bbox is not None:
            out["bbox"] = [round(v, 1) for v in self.bbox]
        return out

    def describe(self) -> str:
        """Short human form, e.g. ``第12行`` / ``表2 行3 列4`` / ``第3页``."""
        parts = []
        if self.page is not None:
            parts.append(f"第{self.page}页")
        if self.table is not None:
            parts.append(f"表{self.table + 1}")
            if self.row is not None:
                parts.append(f"行{self.row + 1}")
            if self.cell is not None:
                parts.append(f"列{self.cell + 1}")
        if self.line is not None:
            parts.append(f"第{self.line}行")
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str
    loc: Location


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    loc: Location
    # True for a grid position covered by a neighbour's rowspan/colspan: it holds no cell of its own.
    merged: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    rows: tuple[tuple[Cell, ...], ...]
    loc: Location
    # A grid rebuilt from flattened text: its blank cells may be leftovers of merged cells, so only
    # blanks between two values are read as empty values. Grids from HTML, Word or PDF are exact.
    from_text: bool = False


Block = Paragraph | Table


@dataclass(slots=True)
class Document:
    """A report as read: blocks in reading order, plus the text lines for showing the source."""

    blocks: list[Block]
    kind: str  # "text", "html", "docx", "pdf"
    lines: list[str] = field(default_factory=list)  # the decoded text, one entry per line
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)
    # What the page says about itself outside the report: a crawler's header block (标题, 发布时间,
    # 发布机构, 原文链接 …) or an HTML page's <title>, canonical address and meta tags. Keys are the
    # header's own words; ``url`` is the page address when one is given.
    header: dict[str, str] = field(default_factory=dict)

    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]
