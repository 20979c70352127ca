"""Layout: rebuild the grids of tables that scrapers flattened into text.

Scrapers flatten a table in several ways: cells joined by `` | `` (seeds 000, 003), by tabs with
blank leading cells where cells were merged (001, 004), one cell per line (000, 002, 004), or as a
Markdown pipe table. A *table region* starts at a line carrying one of the formats' table anchors
(第二十条第…, 信息内容, 本列数据的勾稽关系, 申请人情况, 行政复议 …) and runs over cell-like lines
until a section heading or a line of prose. Each line of the region becomes a grid row, split on
its own delimiter, so mixed layouts in one region still work. The grid is marked ``from_text``:
its blank cells may be leftovers of merged cells, which the tables stage takes into account.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from functools import cache, partial
from itertools import compress, repeat
from operator import is_, itemgetter
from typing import cast, overload

from gongkai.document import (
    Block,
    Document,
    Location,
    Paragraph,
    Table,
    TextDocument,
    TextTable,
    line_locations,
    new_paragraph,
)
from gongkai.formats import all_formats, furniture_markers, is_furniture, match_heading, section_specs
from gongkai.layout.unfold import LONG_LINE, unfold, unfold_pieces
from gongkai.memo import remember
from gongkai.normalize import fold, fold_many, label_key

MAX_CELL_CHARS = 60  # the longest label of the format is 38 characters
_MARKDOWN_RULE_RE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_PROSE_END = ("。", "；", ";")
# A cell that holds a value: a digit, or only a dash/slash (a table of nothing but —— is still a table).
_VALUE_CELL_RE = re.compile(r"\d|^[—\-－/／─]+$")
# A table row whose cell separators were lost: words then a run of digits, no sentence punctuation
# (行政复议行政诉讼结果维持…总计201361000100000). Long, but not prose.
_RUN_TOGETHER_RE = re.compile(r"^[^。;:]*[^\d\s。;:][\d\s]{3,}$")


@cache
def _anchors() -> tuple[str, ...]:
    found: list[str] = []
    for spec in all_formats():
        for table in spec.tables.values():
            found.extend(a for a in table.anchors if a not in found)
    return tuple(found)


# A page number printed between dashes (— 3 —, - 3 -) or 第3页: PDF text and its Markdown carry it
# into a table that runs over a page break. A bare number is a cell, never a footer.
# Markdown converters turn "- 3 -" into the list item "- 3" (a space after the dash: not -3).
_PAGE_FOOTER_RE = re.compile(
    r"^\s*(?:[-—–－]+\s*\d{1,4}\s*[-—–－]+|[-—–－]+\s+\d{1,4}|第\s*\d{1,4}\s*页(?:\s*[,，/、]?\s*共\s*\d{1,4}\s*页)?)\s*$"
)


def split_cells(line: str) -> list[str] | None:
    """The cells of one flattened line, or None for a Markdown rule line (``|---|---|``)."""
    if "\t" in line:
        return [c.strip() for c in line.split("\t")]
    if "|" in line:
        if _MARKDOWN_RULE_RE.match(line):
            return None
        stripped = line.strip()
        if stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1:
            stripped = stripped[1:-1]  # Markdown's outer pipes frame the row, they are no cells
        return [c.strip() for c in stripped.split("|")]
    return [line.strip()]


@cache
def _anchor_re() -> re.Pattern[str]:
    """Any of the anchors, as one search (a label key holds an anchor where it matches)."""
    return re.compile("|".join(map(re.escape, sorted(_anchors(), key=len, reverse=True))))


# What the layout stage needs to know of one cell, worked out once per distinct cell text (cells
# repeat from report to report — labels, small numbers — where whole lines do not):
#   (the length of its label key, an anchor in its key, a value cell, prose on a line of its own).
_CellInfo = tuple[int, bool, bool, bool]
_CELLS: dict[str, _CellInfo] = {}
_CELLS_MAX = 65536


def _cell(text: str) -> _CellInfo:
    k = label_key(text)
    n = len(k)
    alone_prose = (n > MAX_CELL_CHARS and not _RUN_TOGETHER_RE.match(k)) or (n > 12 and k.endswith(_PROSE_END))
    info = (n, _anchor_re().search(k) is not None, _VALUE_CELL_RE.search(text) is not None, alone_prose)
    remember(_CELLS, _CELLS_MAX, text, info)
    return info


def _cells_info(cells: list[str]) -> list[_CellInfo]:
    known = _CELLS
    return [known.get(c) or _cell(c) for c in cells]


# What the layout stage needs to know of one line, worked out once per distinct line: a plain
# tuple (the garbage collector leaves tuples of strings and booleans alone) of
#   boundary — a section heading or page furniture: a table region ends before it;
#   footer — a page footer inside a table broken over pages;
#   cells — the line's cells (None for a Markdown rule line);
#   prose — running text, not cells;
#   starts — a table region starts here;
#   values — a cell holds a value;
#   row — the cells again when one of them is not blank (a row of a grid), else None;
#   role — what the line is inside a table region after its first line, as one number:
#     _STOP (a heading or furniture; else, not a footer, a line of prose: the region ends before it),
#     _FOOTER (a page footer, skipped), _ROW / _VALUE_ROW (a grid row, holding a value), _OTHER.
_LineInfo = tuple[bool, bool, tuple[str, ...] | None, bool, bool, bool, tuple[str, ...] | None, int]
_OTHER, _ROW, _VALUE_ROW, _FOOTER, _STOP = range(5)
_LINES: dict[str | None, _LineInfo] = {}
_LINES_MAX = 65536
# The answers for a block that is no line of text (a Table): it starts nothing and ends a region.
_NO_LINE: _LineInfo = (False, False, None, False, False, False, None, _STOP)
_LINES[None] = _NO_LINE
# Each line's answers that every line is asked for, as one byte: its role, whether a table
# region starts at it (_STARTS_BIT) and whether it is long enough to unfold (_LONG_BIT), kept per
# line beside _LINES. A document's lines become one bytes object, searched in C (the regions'
# starts, the roles), instead of a pass in Python per answer.
_STARTS_BIT, _LONG_BIT = 8, 16
_CODES: dict[str | None, int] = {None: _STOP}
_START_RE = re.compile(b"[%s]" % re.escape(bytes(c for c in range(32) if c & _STARTS_BIT)))
_LONG_RE = re.compile(b"[%s]" % re.escape(bytes(c for c in range(32) if c & _LONG_BIT)))
_ROLE_OF_CODE = bytes(c & 7 for c in range(256))
_IS_ROW = bytes(1 if c & 7 in (_ROW, _VALUE_ROW) else 0 for c in range(256))


def _code(info: _LineInfo, text: str | None) -> int:
    return info[7] | (_STARTS_BIT if info[4] else 0) | (_LONG_BIT if text is not None and len(text) >= LONG_LINE else 0)


def _known_codes(texts: list[str | None] | list[str]) -> bytes | None:
    """Each line's code (:data:`_CODES`), or None when a line is new."""
    known = _CODES
    try:
        return bytes([known[t] for t in texts])
    except KeyError:
        return None


def _codes(texts: list[str | None] | list[str], tried: bool = False) -> bytes:
    """Each line's code, the lines not seen before worked out (:func:`_lines`). Most lines of a
    report were seen before (headings, labels, boilerplate): only the new ones are gone over.
    *tried*: :func:`_known_codes` found a new line already."""
    codes = None if tried else _known_codes(texts)
    if codes is None:
        known = _CODES
        _lines([t for t in texts if t not in known])
        codes = _known_codes(texts)
        if codes is None:  # (another thread cleared _CODES meanwhile)
            codes = bytes(map(_code, _lines(texts), texts))
    return codes


def _long_lines(lines: list[str], codes: bytes | None) -> list[str]:
    """The lines long enough to unfold (:data:`LONG_LINE`), found from their codes when known."""
    if codes is not None:
        return [lines[m.start()] for m in _LONG_RE.finditer(codes)]
    if max(map(len, lines), default=0) < LONG_LINE:
        return []
    return list(compress(lines, map(LONG_LINE.__le__, map(len, lines))))


def _info(text: str | None) -> _LineInfo:
    """One line's answers (known: its code was)."""
    info = _LINES.get(text)
    return info if info is not None else _lines([text])[0]


def _line(text: str, split: list[str] | None) -> _LineInfo:
    """The answers for one line, *split* its cells (:func:`split_cells`)."""
    heading = match_heading(text) is not None
    boundary = heading or is_furniture(text)
    footer = _PAGE_FOOTER_RE.match(text) is not None
    if split is None:
        return (boundary, footer, None, False, False, False, None, _STOP if boundary else _FOOTER if footer else _OTHER)
    cells = tuple(split)
    infos = _cells_info(split)
    prose = infos[0][3] if len(infos) == 1 else max([i[0] for i in infos]) > MAX_CELL_CHARS
    values = False
    anchor = False
    for info in infos:
        if info[2]:
            values = True
        if info[1]:
            anchor = True
    row = cells if any(cells) else None
    starts = anchor and not prose and not heading and bool(text.strip())
    if boundary:
        role = _STOP
    elif footer:
        role = _FOOTER
    elif prose:
        role = _STOP
    elif row is not None:
        role = _VALUE_ROW if values else _ROW
    else:
        role = _OTHER
    return (boundary, footer, cells, prose, starts, values, row, role)


class _LineParagraphs(Sequence[Block]):
    """The blocks of a text document not made yet: a Paragraph per line, made when asked for."""

    __slots__ = ("locs", "texts")

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self.locs = line_locations(len(texts))

    def __len__(self) -> int:
        return len(self.texts)

    @overload
    def __getitem__(self, i: int) -> Block: ...
    @overload
    def __getitem__(self, i: slice) -> list[Block]: ...
    def __getitem__(self, i: int | slice) -> Block | list[Block]:
        if isinstance(i, slice):
            return list(map(new_paragraph, self.texts[i], self.locs[i]))
        return new_paragraph(self.texts[i], self.locs[i])


def _lines(texts: list[str | None] | list[str]) -> list[_LineInfo]:
    """Each line's answers (``_NO_LINE`` for None), worked out for the lines not seen before."""
    known = _LINES
    infos = list(map(known.get, texts))
    if None not in infos:
        return infos  # type: ignore[return-value]
    at = list(compress(range(len(texts)), map(is_, infos, repeat(None))))
    # (None is a key of _LINES, but another thread may have just cleared it)
    fresh = _new_lines([t for t in dict.fromkeys(map(texts.__getitem__, at)) if t is not None])
    if len(known) + len(fresh) > _LINES_MAX:
        known.clear()
        known[None] = _NO_LINE
        _CODES.clear()
        _CODES[None] = _STOP
    known.update(fresh)
    _CODES.update([(t, _code(info, t)) for t, info in fresh.items()])
    for k in at:
        t = texts[k]
        infos[k] = _NO_LINE if t is None else fresh[t]
    return infos  # type: ignore[return-value]


# A line's answers but for its cells, per *shape*: the line with every digit 1–9 written 0. What
# decides them — the formats' words (no digit in any: shapes_apply), the patterns (a digit
# class, never one digit), the lengths — reads every digit alike; table rows of different reports
# differ mostly in their figures, so a new line's shape is mostly known. With them, how to cut
# the line's cells (_cutter): at the same places in every line of the shape.
_SHAPES: dict[bytes, tuple[bool, bool, bool, bool, bool, int, Callable[[str], tuple[str, ...] | None] | None]] = {}
_SHAPES_MAX = 65536
_ZEROS = bytes.maketrans(b"123456789", b"000000000")


def line_shape(text: str) -> bytes:
    """*text* with every digit 1–9 written 0, as UTF-8 (a digit is one byte there, and no byte
    of another character is one)."""
    return text.encode("utf-8", "surrogatepass").translate(_ZEROS)


def exact_shape(text: str) -> bytes:
    """*text* itself, as the key of its shape when shapes are not used."""
    return text.encode("utf-8", "surrogatepass")


@cache
def shapes_apply() -> bool:
    """Whether no word the answers look for (anchors, headings, furniture) holds a digit: then
    what is read of a line is the same for every line of its shape (else shapes are not used)."""
    words = [*_anchors(), *(w for spec in section_specs() for w in (*spec.keywords, *spec.titles_unnumbered))]
    words += [w for group in furniture_markers() for w in group]
    return not any(re.search(r"\d", w) or re.search(r"\d", fold(w)) for w in words)


def _new_lines(new: list[str]) -> dict[str, _LineInfo]:
    """The answers for lines not seen before; the ones of a shape not seen either are folded
    together first (fold_many) and worked out in full."""
    shapes = list(map(line_shape if shapes_apply() else exact_shape, new))
    known = _SHAPES
    got = list(map(known.get, shapes))
    out: dict[str, _LineInfo] = {}
    paragraphs: list[str] = []  # lines of one cell answered by their shape
    if None in got:
        unknown = [g is None for g in got]
        texts = list(compress(new, unknown))
        splits = list(map(split_cells, texts))
        fold_many(_texts_to_fold(texts, splits))
        for text, split, shape in zip(texts, splits, compress(shapes, unknown), strict=True):
            info = out[text] = _line(text, split)
            remember(known, _SHAPES_MAX, shape, (info[0], info[1], info[3], info[4], info[5], info[7], None))
    for text, shape, flags in zip(new, shapes, got, strict=True):
        if flags is not None:
            cut = flags[6]
            if cut is None:  # the shape's second line: how to cut its cells is worked out now
                cut = _cutter(text, split_cells(text))
                if len(known) < _SHAPES_MAX:
                    known[shape] = (*flags[:6], cut)
            cells = cut(text)
            row = cells if cells is not None and any(cells) else None
            out[text] = (flags[0], flags[1], cells, flags[2], flags[3], flags[4], row, flags[5])
            if row is not None and len(row) == 1:
                paragraphs.append(text)
    if paragraphs:  # folded together for the stages after (sections, meta, the rules read them)
        fold_many(_texts_to_fold(paragraphs, [None] * len(paragraphs)))
    return out


def _cutter(line: str, cells: list[str] | None) -> Callable[[str], tuple[str, ...] | None]:
    """What split_cells gives for any line of *line*'s shape, as a function: where the cells are
    does not depend on the digits, so they are cut at the places found in *line* (checked on it)."""
    if cells is None:
        return _no_cells
    if "\t" in line:
        base, parts = 0, line.split("\t")
    elif "|" in line:
        stripped = line.strip()
        base = len(line) - len(line.lstrip())
        if stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1:
            stripped = stripped[1:-1]
            base += 1
        parts = stripped.split("|")
    else:
        base, parts = 0, [line]
    spans = []
    for part in parts:
        start = base + len(part) - len(part.lstrip())
        spans.append(slice(start, start + len(part.strip())))
        base += len(part) + 1
    cut: Callable[[str], tuple[str, ...] | None]
    cut = itemgetter(*spans) if len(spans) > 1 else partial(_one_cell, spans[0])
    return cut if cut(line) == tuple(cells) else _split_cells_tuple


def _one_cell(span: slice, line: str) -> tuple[str, ...]:
    return (line[span],)


def _no_cells(line: str) -> None:
    return None


def _split_cells_tuple(line: str) -> tuple[str, ...] | None:
    cells = split_cells(line)
    return None if cells is None else tuple(cells)


def rebuild_tables(doc: Document) -> Document:
    """Replace runs of flattened-table lines by Table blocks; other blocks pass through. A report
    a crawler wrote on one line is first cut back into lines (:mod:`gongkai.layout.unfold`)."""
    blocks: Sequence[Block]
    texts: list[str | None] | list[str]
    codes: bytes | None = None
    lazy = isinstance(doc, TextDocument) and not doc.blocks_made
    if lazy:
        lines: list[str] = doc.lines
        codes = _known_codes(lines)  # every line seen before (templates, copies): one pass
        if doc.kind == "text" and any(map(unfold_pieces, _long_lines(lines, codes))):
            lazy = False  # a flattened report: unfolded below
        texts = lines
    if lazy:
        # the blocks are the lines, a Paragraph each: made here only for the lines outside tables
        blocks = _LineParagraphs(lines)
    else:
        codes = None
        blocks = doc.blocks
        texts = [b.text if isinstance(b, Paragraph) else None for b in blocks]
        if doc.kind == "text" and max(map(len, filter(None, texts)), default=0) >= LONG_LINE:
            doc = unfold(doc)
            if doc.blocks is not blocks:
                blocks = doc.blocks
                texts = [b.text if isinstance(b, Paragraph) else None for b in blocks]
    if codes is None:
        codes = _codes(texts, tried=lazy)
    starts = [m.start() for m in _START_RE.finditer(codes)]
    if not starts:
        return doc.with_blocks(list(doc.blocks))
    out: list[Block] = []
    table_index = 0 if lazy else len(doc.tables())  # after the reader's tables
    end = len(blocks)
    roles = codes.translate(_ROLE_OF_CODE)  # each line's role in a region, to search in C
    is_row = codes.translate(_IS_ROW)  # 1 for a grid row, else 0
    done = 0  # the blocks before this one are in out
    for i in starts:
        if i < done:
            continue  # inside the table region before
        out.extend(blocks[done:i])
        # The region: its first line (a footer is skipped, a heading or prose word ignored), then
        # every line up to the first that ends it; its rows are the lines with cells.
        stop = roles.find(_STOP, i + 1)
        if stop < 0:
            stop = end
        first = _info(texts[i])
        first_row = None if first[1] else first[6]
        mask = is_row[i + 1 : stop]
        found = list(map(_LINES.get, compress(texts[i + 1 : stop], mask)))
        infos = (
            cast(list[_LineInfo], found)
            if all(found)
            else [_info(t) for t in compress(texts[i + 1 : stop], mask)]  # (another thread cleared _LINES)
        )
        rows = [info[6] for info in infos]
        if first_row is not None:
            rows.insert(0, first_row)
        has_values = (first_row is not None and first[5]) or _VALUE_ROW in roles[i + 1 : stop]
        if not has_values:
            out.append(blocks[i])  # an anchor word in a heading-like line, not a table
            done = i + 1
            continue
        row_lines: list[int | None]
        if lazy:  # the blocks are the lines: block k is line k + 1
            row_lines = list(compress(range(i + 2, stop + 1), mask))
            if first_row is not None:
                row_lines.insert(0, i + 1)
        else:
            at = list(compress(range(i + 1, stop), mask))
            if first_row is not None:
                at.insert(0, i)
            row_lines = [blocks[k].loc.line for k in at]
        out.append(_grid(rows, row_lines, table_index))  # type: ignore[arg-type]
        table_index += 1
        done = stop
    out.extend(blocks[done:])
    return doc.with_blocks(out)


def _texts_to_fold(texts: list[str], splits: list[list[str] | None]) -> Iterator[str]:
    """The texts the later stages fold: each line, as it is and stripped, and its cells."""
    for text, cells in zip(texts, splits, strict=True):
        yield text
        yield text.strip()
        if cells is not None and len(cells) > 1:
            yield from cells


def _grid(texts: list[tuple[str, ...]], row_lines: list[int | None], table_index: int) -> Table:
    """The grid of a table region: its cells' texts per row, the Cell objects made only when
    asked for (:class:`gongkai.document.TextTable`)."""
    first_line = row_lines[0] if row_lines else None
    return TextTable(tuple(texts), tuple(row_lines), Location(line=first_line, table=table_index))
