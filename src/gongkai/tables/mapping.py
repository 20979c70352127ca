"""Tokens → the format's rows and columns.

Labeled tables (二 and 三): a row label opens a row and the values after it, up to the next
label, are its cells. Head words and group labels (三、本年度办理结果, （三）不予公开) close the
current row. Text the format does not know, followed by values, is an agency-added row, kept in
order as an extra row. A row label split over two lines is joined. Table 四 is one run of fifteen
values under a two-level head, read in the order of its three groups.

A row with more or fewer values than the format's columns is kept as found: its cells are all
kept on the row and the values go to the columns in order, so the row is marked and the rules can
report it.

A row whose cell separators were lost (``规章000``, a whole table 四 as one run of digits) is
handed to ``recover``, which cuts the digits into cells where the format's arithmetic or the text
leaves one reading, and marks them ``inferred``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Container
from dataclasses import dataclass, field, replace
from decimal import Decimal
from difflib import SequenceMatcher
from functools import lru_cache
from operator import itemgetter
from typing import cast

from gongkai.document import Location
from gongkai.formats import ColumnSpec, RowSpec, TableSpec
from gongkai.memo import remember
from gongkai.model import (
    MAX_INTEGER_DIGITS,
    NO_CELLS,
    AmbiguousRow,
    Number,
    Row,
    TableData,
    Value,
    missing_value,
    read_row,
    representable,
    short_rows,
)
from gongkai.normalize import label_core, label_key, leading_numbering
from gongkai.tables.recover import MakeValue, Text, recover_flat, recover_labeled
from gongkai.tables.tokens import DIGITS_FOLD_SAME, Grid, RowPlan, parse_value

# Per spec, what its labels name: (the spec, label → row, text → role). An entry holds its spec, so
# that a spec's id is never another spec's while the entry lives; the answers are plain values
# (no object per answer for the garbage collector to go over).
# The fourth: per text token as written, what the mapping reads in it (``_TextReading``).
_TextReading = tuple[str, RowSpec | None, RowSpec | None, bool, ColumnSpec | None, bool]
# The fifth: per grid key (tokens.Grid.key), how grids of that key read (``_Reading``).
_SpecCaches = tuple[
    TableSpec,
    dict[tuple[str, bool], RowSpec | None],
    dict[str, tuple[bool, str | None, bool]],
    dict[str, _TextReading],
    dict[tuple[int, ...], "_Reading"],
]
_SPEC_CACHES: dict[int, _SpecCaches] = {}
_CACHE_MAX = 100_000


def _caches(spec: TableSpec) -> _SpecCaches:
    entry = _SPEC_CACHES.get(id(spec))
    if entry is None or entry[0] is not spec:
        entry = remember(_SPEC_CACHES, 64, id(spec), (spec, {}, {}, {}, {}))
    return entry


def _text_reading(spec: TableSpec, raw: str, readings: dict[str, _TextReading]) -> _TextReading:
    """(label key, the row it names before the body, the row it names in the body, a group label,
    the column a head cell names, a head word) of a text token: pure functions of the text, worked
    out once per spec and text."""
    k = label_key(raw)
    group, col, header = _text_role(spec, k)
    reading = (k, match_row(spec, k, False), match_row(spec, k, True), group, col, header)
    return remember(readings, _CACHE_MAX, raw, reading)


def match_row(spec: TableSpec, token_key: str, in_body: bool) -> RowSpec | None:
    """The format row a label names, or None: worked out once per spec and label."""
    rows = _caches(spec)[1]
    cache_key = (token_key, in_body)
    try:
        return rows[cache_key]
    except KeyError:
        pass
    return remember(rows, _CACHE_MAX, cache_key, _match_row(spec, token_key, in_body))


# Per spec (held, like _SPEC_CACHES), the first characters of its rows' exact labels and match
# prefixes: a core starting otherwise names no row (None when a prefix is empty: every core may).
_ROW_STARTS: dict[int, tuple[TableSpec, frozenset[str] | None]] = {}


def row_starts(spec: TableSpec) -> frozenset[str] | None:
    entry = _ROW_STARTS.get(id(spec))
    if entry is None or entry[0] is not spec:
        words = [w for row in spec.rows.values() for w in (*row.exact, *row.match)]
        starts = frozenset(w[0] for w in words) if all(words) else None
        entry = remember(_ROW_STARTS, 64, id(spec), (spec, starts))
    return entry[1]


def _match_row(spec: TableSpec, token_key: str, in_body: bool) -> RowSpec | None:
    core = label_core(token_key)
    if not core:
        return None
    starts = row_starts(spec)
    if starts is not None and core[0] not in starts:
        return None
    numbered = bool(leading_numbering(token_key))
    best: RowSpec | None = None
    best_len = 0
    for row in spec.rows.values():
        if core in row.exact and (numbered or in_body or not row.numbered):
            return row
        for m in row.match:
            if core.startswith(m) and len(m) > best_len:
                best, best_len = row, len(m)
    return best


_GLUED = itemgetter(3)

NEAR_LABEL_RATIO = 0.75


def near_row(spec: TableSpec, token_key: str, previous: str | None, found: Container[str]) -> RowSpec | None:
    """The row a misprinted label stands for (洪泽区 2023/2024 print ``2.其他法律行政止公开``): one of
    the next two rows of the format after ``previous``, not yet found, whose label is close to the
    text and whose numbering agrees."""
    core = label_core(token_key)
    if len(core) < 4:
        return None
    numbering = leading_numbering(token_key)
    keys = list(spec.rows)
    start = keys.index(previous) + 1 if previous in spec.rows else 0
    for rk in keys[start : start + 2]:
        row = spec.rows[rk]
        if rk in found:  # the rows found so far
            continue
        if numbering and numbering != leading_numbering(row.label):
            continue
        if _near(core, label_core(row.label)):
            return row
    return None


@lru_cache(maxsize=65536)
def _near(core: str, label: str) -> bool:
    """Whether a text is close enough to a row's label (a pure function of the two)."""
    return SequenceMatcher(None, core, label).ratio() >= NEAR_LABEL_RATIO


def _text_role(spec: TableSpec, token_key: str) -> tuple[bool, ColumnSpec | None, bool]:
    """(a group label, the column a head cell names, a head word) for a text that names no row:
    pure functions of the text, worked out once per spec and text."""
    roles = _caches(spec)[2]
    role = roles.get(token_key)
    if role is None:
        col = _column_for_header(spec, token_key)
        col_key = col.key if col is not None else None
        header = col is not None or _is_header(spec, token_key)
        role = remember(roles, _CACHE_MAX, token_key, (_is_group(spec, token_key), col_key, header))
    group, col_key, header = role
    return group, spec.columns[col_key] if col_key is not None else None, header


def _is_group(spec: TableSpec, token_key: str) -> bool:
    core = label_core(token_key)
    return bool(core) and any(core.startswith(g) for g in spec.groups)


def _column_for_header(spec: TableSpec, token_key: str) -> ColumnSpec | None:
    for col in spec.columns.values():
        if col.matches(token_key):
            return col
    return None


def _is_header(spec: TableSpec, token_key: str) -> bool:
    core = label_core(token_key).strip("()")
    if not core:
        return False
    for h in spec.header:
        if len(h) >= 4 and h in core:
            return True
        # a head word split over two cells (商业 / 企业) is a head word too
        if core == h or (len(core) >= 2 and h.startswith(core)):
            return True
    return _column_for_header(spec, token_key) is not None


# A value or blank cell met while reading: (its grid row, its place in the row's plan, from an exact
# grid, digits glued to a label). What the cell says is read only when its row is made.
CellToken = tuple[int, int, bool, bool]
# A label met while reading: (raw, its grid row, its place in the row's plan).
LabelToken = tuple[str, int, int]
# A token's place: (grid row, place in the row's plan).
At = tuple[int, int]


def counted_blanks(blanks: list[CellToken], cells: list[CellToken], value: CellToken) -> list[CellToken]:
    """The blanks before ``value`` that are empty cells rather than layout leftovers.

    In an exact grid (HTML, Word, PDF) every blank cell is an empty value. In a grid rebuilt from
    text, only a blank between two values of the same line is: a scraper writes ``1 | | 3`` for an
    empty cell, while blanks at the ends of a line (``0 |``, ``→0``) or right after a label are
    what is left of delimiters and merged cells.
    """
    if not blanks:
        return []
    if value[2]:
        return [b for b in blanks if b[2]]
    row = value[0]
    if not cells or cells[-1][0] != row:
        return []
    return [b for b in blanks if b[0] == row]


class _RowBuilder:
    """A row being read: its label tokens, then its cells."""

    __slots__ = ("after", "cells", "columns", "label_tokens", "pending_blanks", "spec")

    def __init__(
        self,
        spec: RowSpec | None,  # None for an agency-added row
        label_tokens: list[LabelToken],
        columns: tuple[str, ...],
        after: str | None = None,
        cells: list[CellToken] | None = None,
    ) -> None:
        self.spec = spec
        self.label_tokens = label_tokens
        self.columns = columns
        self.after = after
        self.cells: list[CellToken] = [] if cells is None else cells
        self.pending_blanks: list[CellToken] = []

    def finish_blanks(self) -> None:
        # Trailing empty cells of an exact grid are empty values (a blank 总计 column), up to the
        # row's width; in rebuilt text grids they are merge leftovers and say nothing.
        if not self.pending_blanks:
            return
        trusted = [b for b in self.pending_blanks if b[2]]
        room = len(self.columns) - len(self.cells)
        if room > 0 and trusted:
            self.cells.extend(trusted[:room])
        self.pending_blanks = []


@dataclass(frozen=True, slots=True)
class _RowPlan:
    """A row as read from the tokens: everything but what its cells say (read by ``_make_row``)."""

    spec: RowSpec | None  # None for an agency-added row
    label: str
    label_at: int  # the first label token's place in _Reading.label_places, -1 without one
    start: int  # its cells: _Reading.cells[start:end]
    end: int
    columns: tuple[str, ...]
    after: str | None
    heads: tuple[str | None, ...] | None  # the units the table head gave its columns so far
    glued: bool  # digits glued to the label among the cells
    first_glued: bool  # … in the first cell (all that is kept of a spanning cell)
    # One cell read in every column it spans, if all the cells say the same (see _make_row).
    spanning: bool


class _Places:
    """The tokens a reading takes from the grid, gathered while reading."""

    __slots__ = ("cell_places", "cells", "label_places")

    def __init__(self) -> None:
        self.cells: list[At] = []  # every row's cells, row after row
        self.cell_places: list[At] = []  # … as (grid row, column)
        self.label_places: list[At] = []  # the first label token of each row that has one


def _plan_row(
    b: _RowBuilder, spec: TableSpec, plans: list[RowPlan], units: _Units, places: _Places, label: str | None = None
) -> _RowPlan:
    cells, columns = b.cells, b.columns
    heads = None
    if units.by_column and columns:
        reads = _column_reads(spec, columns)[0]
        heads = tuple([units.by_column.get(key) for key, _, _ in reads])
    labels = b.label_tokens
    label_at = -1
    if labels:
        label_at = len(places.label_places)
        _, g, i = labels[0]
        places.label_places.append((g, plans[g][i][3]))
    start = len(places.cells)
    places.cells.extend([(g, i) for g, i, _, _ in cells])
    places.cell_places.extend([(g, plans[g][i][3]) for g, i, _, _ in cells])
    return _RowPlan(
        b.spec,
        "".join([t[0] for t in labels]) if label is None else label,
        label_at,
        start,
        len(places.cells),
        columns,
        b.after,
        heads,
        any(map(_GLUED, cells)),
        bool(cells) and cells[0][3],
        len(columns) == 1
        and len(cells) > 1
        and plans[cells[0][0]][cells[0][1]][0] == "value"
        and len({cell[0] for cell in cells}) == 1,
    )


@dataclass(frozen=True, slots=True)
class _Reading:
    """How a grid reads as a table, all but what its cells say: the rows in the order they were
    closed, the head, the numbers belonging to no row, the units of the money columns; and the
    places of the tokens the rows take."""

    rows: tuple[_RowPlan, ...]
    header: tuple[str, ...]
    stray: tuple[At, ...]  # (grid row, place in its plan)
    units: tuple[tuple[str, str], ...]
    first: At | None  # the first token: (grid row, column)
    glued: bool  # (table 四) digits glued to a label among the values
    cells: tuple[At, ...]  # (grid row, place in its plan) of every row's cells, row after row
    cell_places: tuple[At, ...]  # … (grid row, column)
    label_places: tuple[At, ...]  # (grid row, column) of the rows' first label tokens
    grid_rows: tuple[int, ...]  # the grid rows all these are in, ascending


def _reading_of(
    rows: list[_RowPlan],
    header: list[str],
    stray: list[At],
    units: _Units,
    grid: Grid,
    glued: bool,
    places: _Places,
) -> _Reading:
    first = None
    for g, plan in enumerate(grid.plans):
        if plan:
            first = (g, plan[0][3])
            break
    used = {g for g, _ in places.cells} | {g for g, _ in places.label_places} | {g for g, _ in stray}
    if first is not None:
        used.add(first[0])
    return _Reading(
        tuple(rows),
        tuple(header),
        tuple(stray),
        tuple(units.by_column.items()),
        first,
        glued,
        tuple(places.cells),
        tuple(places.cell_places),
        tuple(places.label_places),
        tuple(sorted(used)),
    )


@dataclass(slots=True)
class _Units:
    """Units named in the table head for money columns (本年收费金额（单位：万元）)."""

    by_column: dict[str, str] = field(default_factory=dict)

    def see_header(self, col: ColumnSpec | None, raw: str) -> None:
        if col is None or col.kind != "money":
            return
        if "万元" in raw:
            self.by_column[col.key] = "万元"
        elif "元" in raw:
            self.by_column[col.key] = "元"


@lru_cache(maxsize=65536)
def read_cell(
    raw: str, kind: str, default_unit: str | None, head_unit: str | None
) -> tuple[Number | None, str | None, str | None]:
    """(value, unit, status) of a cell text in a column of ``kind``: a pure function of the text
    and the column, worked out once per distinct cell."""
    parsed = parse_value(raw)
    if parsed.status is not None:
        return None, None, parsed.status
    number = parsed.value
    assert number is not None
    if kind == "money":
        unit = parsed.unit or head_unit or default_unit
        if unit == "元":
            number = number.scaleb(-4)  # exact: 元 → 万元 moves the point, nothing is rounded
        if not representable(number):
            return None, None, "out_of_range"
        if unit in ("元", "万元"):
            return _normal(number), "万元", None
        return _normal(number), None, "unit_unknown"
    if not representable(number):
        return None, None, "out_of_range"
    return _count(number), None, None


def _normal(number: Decimal) -> Number:
    """Whole numbers as int; others without trailing zeros, exactly (``normalize()`` would round
    to the context's 28 digits and may write an exponent)."""
    if number == number.to_integral_value():
        return int(number)
    text = format(number, "f")
    return Decimal(text.rstrip("0") if "." in text else text)


def _count(number: Decimal) -> Number:
    # A count that is not whole stays a Decimal so that the rules can say so (B005).
    return int(number) if number == number.to_integral_value() else number


_NOWHERE = Location()
# Values and locations are immutable: one for every cell of every row a table does not have.
_MISSING_NOWHERE = missing_value(_NOWHERE)


# How the cells of a row of given columns are read: (key, kind, default unit) of each column, and
# the rows read so far — (cell texts, "" for a blank) or (cell texts, the head's units for the
# columns) → (numbers, raws, units, statuses): a pure function of the text, like read_cell's cache
# (rows of zeros repeat from report to report).
_Reads = tuple[tuple[str, str, str | None], ...]
_RowRead = tuple[tuple[Number | None, ...], tuple[str, ...], tuple[str | None, ...], tuple[str | None, ...]]
_RowKey = tuple[str, ...] | tuple[tuple[str, ...], tuple[str | None, ...]]
# Keyed by the columns' identity (a format row's tuple), each entry holding its spec and columns so
# that the id is never another's while the entry lives.
_COLUMN_READS: dict[int, tuple[TableSpec, tuple[str, ...], _Reads, dict[_RowKey, _RowRead]]] = {}
_ROW_READS_MAX = 16384


def _column_reads(spec: TableSpec, columns: tuple[str, ...]) -> tuple[_Reads, dict[_RowKey, _RowRead]]:
    entry = _COLUMN_READS.get(id(columns))
    if entry is None or entry[0] is not spec or entry[1] is not columns:
        reads = tuple((c.key, c.kind, c.default_unit) for c in (spec.columns[k] for k in columns))
        entry = remember(_COLUMN_READS, 4096, id(columns), (spec, columns, reads, {}))
    return entry[2], entry[3]


def _read_row(
    texts: tuple[str, ...],
    reads: _Reads,
    heads: tuple[str | None, ...] | None,
    known: dict[_RowKey, _RowRead],
) -> _RowRead:
    last = len(reads) - 1
    numbers: list[Number | None] = []
    units: list[str | None] = []
    statuses: list[str | None] = []
    digits = DIGITS_FOLD_SAME  # (tokens.plain_digits, its constant part checked once)
    value: Number | None
    unit: str | None
    status: str | None
    for i, text in enumerate(texts):
        c = i if i < last else last
        _, kind, default_unit = reads[c]
        if not text:  # a blank cell
            value, unit, status = None, None, "blank"
        elif digits and kind != "money" and text.isdigit() and text.isascii() and len(text) <= MAX_INTEGER_DIGITS:
            value, unit, status = int(text), None, None  # a count of plain digits (most cells), read directly
        else:
            value, unit, status = read_cell(text, kind, default_unit, heads[c] if heads is not None else None)
        numbers.append(value)
        units.append(unit)
        statuses.append(status)
    read = remember(
        known,
        _ROW_READS_MAX,
        texts if heads is None else (texts, heads),
        (tuple(numbers), texts, tuple(units), tuple(statuses)),
    )
    return read


def _spans(p: _RowPlan, raws: list[str]) -> bool:
    """Whether a spanning row's cells all say the same: one value under a head that spans the
    table (本年处理决定数量 over three columns), which Markdown converters repeat in every column it
    covers (9487 | 9487 | 9487); it is kept once."""
    return len(set(raws[p.start : p.end])) == 1


def _make_row(p: _RowPlan, raws: list[str], placed: _Placed, spec: TableSpec) -> Row:
    """The row a plan stands for, its cells read from ``raws`` (the reading's cells, gathered from
    the grid) and placed as ``placed`` says. What the cells say is read as numbers (a row's
    reading, kept per cell texts); the row makes its Value objects only if asked for them."""
    start, end = p.start, p.end
    if p.spanning and _spans(p, raws):
        end = start + 1
    locs = placed.cells
    if p.label_at >= 0:
        loc = placed.labels[p.label_at]
    elif end > start:
        loc = locs[start]
    else:
        loc = _NOWHERE
    columns = p.columns
    read = NO_CELLS
    if columns and end > start:  # a blank's raw "": blank
        texts = tuple(raws[start:end])
        entry = _COLUMN_READS.get(id(columns))  # _column_reads' hit, written out: a call per row cost 1%
        if entry is not None and entry[0] is spec and entry[1] is columns:
            reads, known = entry[2], entry[3]
        else:
            reads, known = _column_reads(spec, columns)
        heads = p.heads
        found = known.get(texts if heads is None else (texts, heads))
        read = found if found is not None else _read_row(texts, reads, heads, known)
    row_spec = p.spec
    label = p.label
    if row_spec is None:
        return read_row(label, label, columns, read, locs[start:end], loc, True, p.after, False)
    return read_row(row_spec.key, label, columns, read, locs[start:end], loc, False, p.after, row_spec.optional)


@dataclass(frozen=True, slots=True)
class _Placed:
    """A reading placed in a grid: where its rows' cells and labels and its first token are."""

    reading: _Reading
    cells: list[Location]
    labels: list[Location]
    first: Location | None


# Per (reading, where the grid's rows are): a reading placed (text grids lie at the same lines
# from report to report). The entry holds its reading, so that the id is never another's.
_PLACED: dict[tuple[int, tuple[tuple[int, tuple[int | None, ...]], ...]], _Placed] = {}
_PLACED_MAX = 256


def _gather(reading: _Reading, grid: Grid) -> tuple[list[str], _Placed]:
    """What a reading's cells say (their raws, gathered from the grid), and the reading placed."""
    plans = grid.plans
    raws = [plans[g][i][1] for g, i in reading.cells]
    lines = grid.lines
    if lines is not None:
        key = (id(reading), lines)
        placed = _PLACED.get(key)
        if placed is not None and placed.reading is reading:
            return raws, placed
    locs = grid.row_locs(reading.grid_rows)
    first = reading.first
    placed = _Placed(
        reading,
        [locs[g][c] for g, c in reading.cell_places],
        [locs[g][c] for g, c in reading.label_places],
        locs[first[0]][first[1]] if first is not None else None,
    )
    if lines is not None:
        remember(_PLACED, _PLACED_MAX, key, placed)
    return raws, placed


def _reading(grid: Grid, spec: TableSpec, read: Callable[[Grid, TableSpec], _Reading]) -> _Reading:
    """How the grid reads, worked out once per grid key."""
    key = grid.key
    if key is None:
        return read(grid, spec)
    readings = _caches(spec)[4]
    found = readings.get(key)
    if found is None:
        found = remember(readings, _READINGS_MAX, key, read(grid, spec))
    return found


_READINGS_MAX = 256


def empty_table(spec: TableSpec, found: bool = False) -> TableData:
    return TableData(key=spec.key, rows=_with_missing_rows(spec, {}), found=found)


def _with_missing_rows(spec: TableSpec, found: dict[str, Row]) -> dict[str, Row]:
    """Every row of the format in order: those in *found*, and a row not found for the others."""
    keys = spec.rows.keys()
    if found.keys() == keys:  # every row found (most tables)
        return found if list(found) == list(keys) else {k: found[k] for k in keys}
    return {
        k: found[k]
        if k in found
        else Row(
            k, "", r.columns, dict.fromkeys(r.columns, _MISSING_NOWHERE), [], _NOWHERE, False, False, None, r.optional
        )
        for k, r in spec.rows.items()
    }


def _maker(spec: TableSpec, units: _Units) -> MakeValue:
    """Values for recovered cells, read like any other cell of their column."""

    def make(column: str, text: str) -> tuple[Number | None, str | None, str | None]:
        col = spec.columns[column]
        return read_cell(text, col.kind, col.default_unit, units.by_column.get(col.key))

    return make


def map_labeled(grid: Grid, spec: TableSpec, text: Text = "") -> TableData:
    """``text``: the report's prose, where counts it states help recover run-together rows."""
    reading = _reading(grid, spec, _read_labeled)
    table = TableData(key=spec.key, rows={}, found=reading.first is not None)
    rows: dict[str, Row] = {}
    glued: set[str] = set()  # rows whose digits were glued to their label
    raws, where = _gather(reading, grid)
    table.loc = where.first
    for p in reading.rows:
        row = _make_row(p, raws, where, spec)
        if p.spec is None:
            table.extra_rows.append(row)
            continue
        rows[p.spec.key] = row  # a row read again (same key, cells): the later one, in the first's place
        if p.glued if not (p.spanning and _spans(p, raws)) else p.first_glued:
            glued.add(p.spec.key)
    plans = grid.plans
    for g, i in reading.stray:
        raw = plans[g][i][1]
        parsed = parse_value(raw)
        number = None if parsed.value is None else _count(parsed.value)
        table.stray.append(Value(number, raw, grid.row_locs((g,))[g][plans[g][i][3]]))
    table.header = list(reading.header)
    table.rows = _with_missing_rows(spec, rows)
    units = _Units(dict(reading.units))
    recover_labeled(table, spec, glued, _maker(spec, units), text)
    placed: dict[str, list[tuple[int, ...]]] = {}
    for built in short_rows(table.rows.values()):  # a row with all its cells (or none) is left alone
        readings = unplace_short_row(table, built)
        if readings is not None and len(built.cells) == len(built.columns) - 1:
            placed[built.key] = readings
    _same_gap_elsewhere(table, placed)
    return table


def _read_labeled(grid: Grid, spec: TableSpec) -> _Reading:
    """Labeled tables: a row label opens a row and the values after it are its cells (see the
    module's head); what the cells say is not read here."""
    plans = grid.plans
    found: set[str] = set()  # the format rows read so far
    read: list[_RowPlan] = []
    header: list[str] = []
    stray: list[At] = []
    units = _Units()
    current: _RowBuilder | None = None
    last_row_key: str | None = None
    last_columns: tuple[str, ...] = ()
    in_body = False
    text_readings = _caches(spec)[3]
    places = _Places()

    def close() -> None:
        nonlocal current, last_row_key, last_columns
        if current is None:
            return
        b, current = current, None
        if b.pending_blanks:
            b.finish_blanks()
        if b.spec is not None:
            key = b.spec.key
            if not b.cells:
                if b.spec.optional:
                    return  # （六）其他处理 followed by its sub-rows: the group heading, not the row
                if key in found:
                    return  # a label repeated in a page header: keep the first reading
            read.append(_plan_row(b, spec, plans, units, places))
            found.add(key)
            last_row_key, last_columns = key, b.columns
        elif b.cells:
            read.append(_plan_row(b, spec, plans, units, places))

    for g, (plan, trusted) in enumerate(zip(plans, grid.trusted, strict=True)):
        for i, (kind, raw, is_glued, _) in enumerate(plan):
            if kind == "value":
                if current is not None:
                    cells = current.cells
                    pending = current.pending_blanks
                    tok = (g, i, trusted, is_glued)
                    if pending:
                        if trusted or (cells and cells[-1][0] == g):  # else none counts
                            cells.extend(counted_blanks(pending, cells, tok))
                        pending.clear()
                    cells.append(tok)
                else:  # a number belonging to no row
                    stray.append((g, i))
                continue
            if kind == "blank":
                if current is not None:
                    current.pending_blanks.append((g, i, trusted, False))
                continue
            try:
                k, row_before, row_in_body, is_group, col, is_header = text_readings[raw]
            except KeyError:
                k, row_before, row_in_body, is_group, col, is_header = _text_reading(spec, raw, text_readings)
            row = row_in_body if in_body else row_before
            if row is not None and not (current is not None and current.spec is row and not current.cells):
                close()
                current = _RowBuilder(row, [(raw, g, i)], row.columns, last_row_key)
                in_body = True
                continue
            if row is not None and current is not None:
                current.label_tokens.append((raw, g, i))  # the same label again: a split label cell
                continue
            if is_group:
                close()
                continue
            if is_header:
                close()
                units.see_header(col, raw)
                header.append(raw)
                continue
            if current is not None and not current.cells and not current.pending_blanks:
                current.label_tokens.append((raw, g, i))  # a label split over two lines or cells
                continue
            if in_body and (current is None or current.cells):
                close()
                near = near_row(spec, k, last_row_key, found)
                if near is not None:
                    current = _RowBuilder(near, [(raw, g, i)], near.columns, last_row_key)
                    continue
                # Unknown text after a row: an agency-added row if values follow.
                current = _RowBuilder(None, [(raw, g, i)], last_columns or _default_columns(spec), last_row_key)
                continue
            close()
            header.append(raw)
    close()
    return _reading_of(read, header, stray, units, grid, False, places)


def unplace_short_row(table: TableData, row: Row) -> list[tuple[int, ...]] | None:
    """Never fill from the left; see :func:`unplace_short_rows`."""
    return unplace_short_rows(table, [row])


MAX_PLACEMENTS = 5000  # more ways than this to place the cells: every cell is left null


def unplace_short_rows(table: TableData, rows: list[Row]) -> list[tuple[int, ...]] | None:
    """Never fill from the left. Rows (one, or table 四's three read as one run) with fewer cells
    than columns lost a cell somewhere; where is not written. Each way to place the cells, in
    order, that the rows' own sums admit (a 总计 that is the sum of the cells before it) is a
    reading; a column every reading gives the same value keeps it, the others are null with status
    ``ambiguous``, and the readings are listed in ``table.ambiguous``."""
    n, m = sum([r.cell_count() for r in rows]), sum([len(r.columns) for r in rows])
    if not (0 < n < m):
        return None  # (the rows' values are not made)
    cells = [c for r in rows for c in r.cells]
    slots = [(r, c) for r in rows for c in r.columns]
    if any(v.status in ("inferred", "ambiguous") for r in rows for v in r.values.values()):
        return None
    found, settled = _placements(tuple([r.columns for r in rows]), tuple([c.value for c in cells]))
    readings = list(found)
    agreed = {i: cells[j] for i, j in settled}
    unsettled: list[str] = []
    for i, (r, column) in enumerate(slots):
        if i in agreed:
            r.values[column] = agreed[i]
        else:
            r.values[column] = Value(None, "", r.loc, status="ambiguous")
            unsettled.append(column if len(rows) == 1 else f"{r.key}.{column}")
    if unsettled:
        names = [c if len(rows) == 1 else f"{r.key}.{c}" for r, c in slots]
        table.ambiguous.append(
            AmbiguousRow(
                row=rows[0].key,
                rows=[r.key for r in rows] if len(rows) > 1 else [],
                raw=[c.raw for c in cells],
                reason="fewer_cells_than_columns",
                columns=names,
                readings=[[names[j] for j in chosen] for chosen in readings[:50]],
                cells=unsettled,
                loc=rows[0].loc,
            )
        )
    return readings


# (the ways to place the cells, the slots every way gives the same cell: (slot, cell))
_Placements = tuple[tuple[tuple[int, ...], ...], tuple[tuple[int, int], ...]]


@lru_cache(maxsize=4096)
def _placements(columns: tuple[tuple[str, ...], ...], numbers: tuple[Number | None, ...]) -> _Placements:
    """The ways to place *numbers* (the rows' cells, in order) in the rows' *columns* that the rows'
    own sums admit, each as the slots chosen (every way when the sums fail however they are
    placed), and the slots where every way puts the same cell. A pure function of the two: short
    rows recur (a row of zeros, the same row of a template), so each is worked out once."""
    n, m = len(numbers), sum(map(len, columns))
    groups: list[tuple[int, int]] = []  # (first slot, last slot = its total) of each summed row
    at = 0
    for row_columns in columns:
        if len(row_columns) > 1 and row_columns[-1] == "total":
            groups.append((at, at + len(row_columns) - 1))
        at += len(row_columns)
    readings: list[tuple[int, ...]] = []
    if math.comb(m, n) <= MAX_PLACEMENTS:
        for chosen in itertools.combinations(range(m), n):
            placed = dict(zip(chosen, numbers, strict=True))
            # Every summed row holds as placed: its total equals its parts — a part left without a
            # cell counting as nothing — or cannot be checked (the total has no cell, or a cell is
            # not a number).
            for first, last in groups:
                total = placed.get(last)
                if total is None:
                    continue  # no cell for the total, or a total that is not a number
                parts = [placed.get(k, 0) for k in range(first, last)]  # a part without a cell: 0
                if None in parts:
                    continue  # a cell that is not a number: nothing to check
                if sum(cast("list[Number]", parts)) != total:
                    break
            else:
                readings.append(chosen)
        if not readings:  # the sums fail however the cells are placed: every placement is a reading
            readings = list(itertools.combinations(range(m), n))
    settled: list[tuple[int, int]] = []
    # per reading, the cell placed in each slot (slots without one: absent)
    cell_at = [{slot: j for j, slot in enumerate(chosen)} for chosen in readings]
    for i in range(m):
        seen = {at.get(i) for at in cell_at}
        j = next(iter(seen)) if len(seen) == 1 else None
        if j is not None and readings:
            settled.append((i, j))  # the same cell lands here in every reading
    return tuple(readings), tuple(settled)


def _same_gap_elsewhere(table: TableData, placed: dict[str, list[tuple[int, ...]]]) -> None:
    """A table whose short rows all lack the same cell — the 总计 column left blank in every row —
    shows it in the rows whose sums place their cells (one reading each). Rows that cannot tell on
    their own (a row of zeros fits every placement) follow them: their cells are placed the same
    way and marked ``inferred`` (``same_gap_as_other_rows``, F014)."""
    decided = {readings[0] for readings in placed.values() if len(readings) == 1}
    if len(decided) != 1:
        return
    (chosen,) = decided
    for key, readings in placed.items():
        if len(readings) <= 1 or chosen not in readings:
            continue
        row = table.rows[key]
        row.values = {c: missing_value(row.loc) for c in row.columns}
        for cell, slot in zip(row.cells, chosen, strict=True):
            row.values[row.columns[slot]] = replace(cell, status="inferred", inferred_by="same_gap_as_other_rows")
        table.ambiguous = [e for e in table.ambiguous if not (e.row == key and not e.rows)]


def _default_columns(spec: TableSpec) -> tuple[str, ...]:
    first = next(iter(spec.rows.values()))
    return first.columns


def map_flat(grid: Grid, spec: TableSpec, text: Text = "") -> TableData:
    """Table 四: the values after the head, in order, fill review, direct suits, suits after review."""
    reading = _reading(grid, spec, _read_flat)
    table = TableData(key=spec.key, rows={}, found=reading.first is not None)
    table.header = list(reading.header)
    raws, where = _gather(reading, grid)
    table.loc = where.first
    rows: dict[str, Row] = {}
    for p in reading.rows:
        assert p.spec is not None
        rows[p.spec.key] = _make_row(p, raws, where, spec)
    table.rows = _with_missing_rows(spec, rows)
    recover_flat(table, spec, reading.glued, _maker(spec, _Units()), text)
    found = [r for r in table.rows.values() if r.found]
    if found and len(found) == len(table.rows):
        unplace_short_rows(table, found)
    return table


def _read_flat(grid: Grid, spec: TableSpec) -> _Reading:
    """Table 四: the values after the head, in order, cut into its rows."""
    plans = grid.plans
    header: list[str] = []
    values: list[CellToken] = []
    pending: list[CellToken] = []
    for g, (plan, trusted) in enumerate(zip(plans, grid.trusted, strict=True)):
        for i, (kind, raw, is_glued, _) in enumerate(plan):
            if kind == "text":
                header.append(raw)
                pending = []  # blanks among the head words are head cells, not values
                continue
            if kind == "blank":
                pending.append((g, i, trusted, False))
                continue
            tok = (g, i, trusted, is_glued)
            values.extend(counted_blanks(pending, values, tok))
            pending = []
            values.append(tok)
    # trailing blanks of an exact grid are empty cells up to the table's width
    width = sum(len(r.columns) for r in spec.rows.values())
    values.extend([b for b in pending if b[2]][: max(0, width - len(values))])

    row_specs = list(spec.rows.values())
    read: list[_RowPlan] = []
    units = _Units()
    places = _Places()
    pos = 0
    for n, rspec in enumerate(row_specs):
        take = len(rspec.columns) if n < len(row_specs) - 1 else max(len(rspec.columns), len(values) - pos)
        chunk = values[pos : pos + take]
        pos += take
        if chunk:
            b = _RowBuilder(rspec, [], rspec.columns, cells=chunk)
            read.append(_plan_row(b, spec, plans, units, places, rspec.label))
    return _reading_of(read, header, [], units, grid, any(map(_GLUED, values)), places)
