"""The document model every reader produces: paragraphs and table grids, each with its place.

Readers (``gongkai.readers``) turn bytes into a :class:`Document`; the later stages (layout,
sections, tables) only ever see this model, so a value read from HTML, Word, PDF or scraped text
goes through the same code and keeps where it came from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

from gongkai.memo import remember

# The frozen classes below are made by the hundred per report (a Paragraph per line, a Cell per
# grid position): each has an ``__init__`` that sets its slots directly through the slot
# descriptors, with the dataclass's arguments and defaults (the frozen dataclass ``__init__`` goes
# through ``object.__setattr__`` per field and costs twice as much). Frozen, hashed and compared as
# before.


def slot_setters(cls: type, names: tuple[str, ...]) -> tuple[Any, ...]:
    """The slot descriptors' setters of *cls*'s fields *names* (every field, in order): what a
    frozen slot class's ``__init__`` sets its fields with."""
    assert tuple(f.name for f in fields(cls)) == names, f"{cls.__name__}.__init__ must set every field"
    return tuple(cls.__dict__[name].__set__ for name in names)


def slot_maker(cls: type, params: tuple[str, ...], fixed: dict[str, Any] | None = None) -> Callable[..., Any]:
    """A function ``make(*params)`` giving a *cls* (a frozen dataclass with slots) whose fields
    are *params* and, set to the same value every time, *fixed* — made at half the cost of
    ``cls(...)``, for the objects made by the hundred per report (a Paragraph per line, a Value per
    cell). It fills an object of a twin class with the same slots and no frozen
    ``__setattr__`` by plain attribute stores, then makes it a *cls* (the same layout): the
    object is the one ``cls(...)`` gives, frozen, hashed and compared alike. Generated once per
    class, as dataclasses generate their ``__init__``."""
    fixed = fixed or {}
    names = tuple(f.name for f in fields(cls))
    assert getattr(cls, "__slots__", None) == names, f"{cls.__name__}: slots in field order"
    assert sorted(names) == sorted((*params, *fixed)), f"{cls.__name__}: every field once"
    twin = type(f"_{cls.__name__}Slots", (), {"__slots__": names})
    body = "".join(f"    o.{n} = {n if n in params else '_fixed_' + n}\n" for n in names)
    source = f"def make({', '.join(params)}):\n    o = _new(_twin)\n{body}    o.__class__ = _cls\n    return o\n"
    scope: dict[str, Any] = {"_new": object.__new__, "_twin": twin, "_cls": cls}
    scope.update({"_fixed_" + n: v for n, v in fixed.items()})
    exec(source, scope)
    make: Callable[..., Any] = scope["make"]
    make.__name__ = make.__qualname__ = f"new_{cls.__name__.lower()}"
    return make


@dataclass(frozen=True, slots=True, init=False)
class Location:
    """Where a piece of text was found. Only the fields that apply to the source are set."""

    line: int | None = None  # 1-based line in the decoded text (text readers, PDF text lines)
    table: int | None = None  # 0-based index of the table in the document
    row: int | None = None  # 0-based row in that table's grid
    cell: int | None = None  # 0-based cell (column) in that row
    page: int | None = None  # 1-based PDF page
    bbox: tuple[float, float, float, float] | None = None  # PDF box (x0, top, x1, bottom) in points

    def __init__(
        self,
        line: int | None = None,
        table: int | None = None,
        row: int | None = None,
        cell: int | None = None,
        page: int | None = None,
        bbox: tuple[float, float, float, float] | None = None,
    ) -> None:
        _loc_line(self, line)
        _loc_table(self, table)
        _loc_row(self, row)
        _loc_cell(self, cell)
        _loc_page(self, page)
        _loc_bbox(self, bbox)

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


_LOCATION_FIELDS = ("line", "table", "row", "cell", "page", "bbox")
_loc_line, _loc_table, _loc_row, _loc_cell, _loc_page, _loc_bbox = slot_setters(Location, _LOCATION_FIELDS)


def line_locations(count: int) -> list[Location]:
    """``Location(line=n)`` for n = 1 … count: one shared object per line number (locations are
    immutable values)."""
    global _LINE_LOCATIONS
    known = _LINE_LOCATIONS
    if len(known) >= count:
        return known[:count]
    grown = known + [Location(line=n) for n in range(len(known) + 1, count + 1)]
    if count < _LINE_LOCATIONS_MAX:
        # a new list, never changed once published: threads reading the old one are unaffected
        _LINE_LOCATIONS = grown
    return grown


_LINE_LOCATIONS: list[Location] = []
_LINE_LOCATIONS_MAX = 1 << 20


@dataclass(frozen=True, slots=True, init=False)
class Paragraph:
    text: str
    loc: Location

    def __init__(self, text: str, loc: Location) -> None:
        _para_text(self, text)
        _para_loc(self, loc)


_para_text, _para_loc = slot_setters(Paragraph, ("text", "loc"))
# Paragraph(text, loc), made faster: a Paragraph per line of every report (see slot_maker).
new_paragraph: Callable[[str, Location], Paragraph] = slot_maker(Paragraph, ("text", "loc"))


@dataclass(frozen=True, slots=True, init=False)
class Cell:
    text: str
    loc: Location
    # True for a grid position covered by a neighbour's rowspan/colspan: it holds no cell of its own.
    merged: bool = False

    def __init__(self, text: str, loc: Location, merged: bool = False) -> None:
        _cell_text(self, text)
        _cell_loc(self, loc)
        _cell_merged(self, merged)


_cell_text, _cell_loc, _cell_merged = slot_setters(Cell, ("text", "loc", "merged"))


@dataclass(frozen=True, slots=True)
class Table:
    rows: tuple[tuple[Cell, ...], ...]
    loc: Location
    # A grid rebuilt from flattened text: its blank cells may be leftovers of merged cells, so only
    # blanks between two values are read as empty values. Grids from HTML, Word or PDF are exact.
    from_text: bool = False


_table_rows = Table.__dict__["rows"]
_table_loc, _table_from_text = slot_setters(Table, ("rows", "loc", "from_text"))[1:]
# the cache of row_locations (read directly where a call per row counts)
ROW_LOCATIONS: dict[tuple[int | None, int, int, int], tuple[Location, ...]] = {}
_ROW_LOCATIONS_MAX = 65536


def row_locations(line: int | None, table: int, row: int, width: int) -> tuple[Location, ...]:
    """The locations of the cells of one grid row, ``Location(line, table, row, c)`` for each
    column c: shared objects, one per place (the places of a grid repeat from report to report)."""
    key = (line, table, row, width)
    try:
        return ROW_LOCATIONS[key]
    except KeyError:
        pass
    locs = remember(
        ROW_LOCATIONS, _ROW_LOCATIONS_MAX, key, tuple([_grid_location(line, table, row, c) for c in range(width)])
    )
    return locs


# Location(line, table, row, cell) of a grid's cell (see slot_maker).
_grid_location: Callable[[int | None, int, int, int], Location] = slot_maker(
    Location, ("line", "table", "row", "cell"), {"page": None, "bbox": None}
)


class TextTable(Table):
    """A grid rebuilt from flattened text (``from_text``), kept as the cell texts of each row and
    the line each row came from: its :class:`Cell` objects are made only when ``rows`` is read
    (the tables stage reads ``texts`` and ``row_lines``). Pickled, compared and shown as the
    :class:`Table` it stands for."""

    __slots__ = ("row_lines", "texts")

    texts: tuple[tuple[str, ...], ...]  # each row's cell texts, stripped
    row_lines: tuple[int | None, ...]  # the line each row was read from

    def __init__(self, texts: tuple[tuple[str, ...], ...], row_lines: tuple[int | None, ...], loc: Location) -> None:
        object.__setattr__(self, "texts", texts)
        object.__setattr__(self, "row_lines", row_lines)
        _table_loc(self, loc)
        _table_from_text(self, True)

    @property
    def rows(self) -> tuple[tuple[Cell, ...], ...]:
        try:
            return _table_rows.__get__(self)
        except AttributeError:
            pass
        table = self.loc.table if self.loc.table is not None else 0
        rows = tuple(
            tuple(Cell(text, loc) for text, loc in zip(cells, row_locations(line, table, r, len(cells)), strict=True))
            for r, (line, cells) in enumerate(zip(self.row_lines, self.texts, strict=True))
        )
        _table_rows.__set__(self, rows)
        return rows

    def __reduce__(self) -> tuple[Any, ...]:
        return (Table, (self.rows, self.loc, self.from_text))


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

    def with_blocks(self, blocks: list[Block]) -> Document:
        """A copy with other blocks: ``dataclasses.replace(self, blocks=blocks)``, without its
        generic field-by-field work (the layout stage makes one per report)."""
        return self.__class__(blocks, self.kind, self.lines, self.encoding, self.warnings, self.header)


_doc_blocks = Document.__dict__["blocks"]
assert tuple(f.name for f in fields(Document)) == ("blocks", "kind", "lines", "encoding", "warnings", "header"), (
    "Document.with_blocks passes every field"
)


class TextDocument(Document):
    """A document read from text, one Paragraph per line: its blocks are made when first read
    (the layout stage reads the lines and makes Paragraphs only for the lines outside the tables
    it rebuilds). With *blocks* given, a Document like any other."""

    __slots__ = ()

    def __init__(
        self,
        blocks: list[Block] | None,
        kind: str,
        lines: list[str] | None = None,
        encoding: str | None = None,
        warnings: list[str] | None = None,
        header: dict[str, str] | None = None,
    ) -> None:
        if blocks is not None:
            _doc_blocks.__set__(self, blocks)
        self.kind = kind
        self.lines = [] if lines is None else lines
        self.encoding = encoding
        self.warnings = [] if warnings is None else warnings
        self.header = {} if header is None else header

    @property
    def blocks(self) -> list[Block]:
        try:
            return _doc_blocks.__get__(self)
        except AttributeError:
            pass
        blocks: list[Block] = list(map(new_paragraph, self.lines, line_locations(len(self.lines))))
        _doc_blocks.__set__(self, blocks)
        return blocks

    @blocks.setter
    def blocks(self, blocks: list[Block]) -> None:
        _doc_blocks.__set__(self, blocks)

    @property
    def blocks_made(self) -> bool:
        """Whether the blocks exist yet (else they are the lines, one Paragraph each)."""
        try:
            _doc_blocks.__get__(self)
        except AttributeError:
            return False
        return True
