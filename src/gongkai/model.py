"""The parsed report: metadata, sections and the three tables under the format's keys.

Every value keeps its raw text and where it was found. ``Report.to_dict()`` is the JSON contract
of ``gongkai parse --format json`` (see docs/json.md); fields may be added, never renamed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from itertools import repeat
from typing import Any

from gongkai.document import Document, Location, slot_maker
from gongkai.jsonout import json_number
from gongkai.region import Region

Number = int | Decimal

# The largest number kept exactly: 28 digits before the point and 10 after (the store's
# DECIMAL(38,10)). Real fees carry six decimals (4166.241619 万元); a number beyond this is no
# real figure and is kept as text with the status "out_of_range" (rule F016), never rounded.
MAX_INTEGER_DIGITS = 28
MAX_FRACTION_DIGITS = 10


def representable(number: Decimal) -> bool:
    """Whether *number* fits MAX_INTEGER_DIGITS.MAX_FRACTION_DIGITS exactly."""
    if not number.is_finite():
        return False
    _sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    digit_list = list(digits)
    while digit_list and digit_list[-1] == 0 and exponent < 0:  # 100.500 is 100.5
        digit_list.pop()
        exponent += 1
    while digit_list and digit_list[0] == 0:
        digit_list.pop(0)
    return -exponent <= MAX_FRACTION_DIGITS and len(digit_list) + exponent <= MAX_INTEGER_DIGITS


@dataclass(frozen=True, slots=True, init=False)
class Value:
    """One cell of a statistics table. Frozen; made with an ``__init__`` that sets its slots
    directly (a report has hundreds of values: the dataclass's frozen ``__init__`` costs twice as
    much), with the same arguments and defaults."""

    value: Number | None
    raw: str
    loc: Location
    unit: str | None = None  # money: the unit the number is in after conversion ("万元"), when known
    # Why the value is what it is, when it is not a plain number:
    #   "blank" (empty cell or ——/-/无), "not_a_number" (text, a percentage, a date),
    #   "unit_unknown" (money with no unit anywhere), "missing" (no cell for this column),
    #   "inferred" (recovered from run-together digits, see ``inferred_by``),
    #   "ambiguous" (run-together digits with several readings that fit the format's arithmetic
    #   and the text: no value; ``TableData.ambiguous`` lists the readings),
    #   "out_of_range" (a number too long to keep exactly, see MAX_INTEGER_DIGITS)
    status: str | None = None
    # What fixed an inferred value: "row_sum", "group_sum", "unique_split", "column_balance",
    # "text:<words> <n>", joined by "+" (e.g. "row_sum+column_balance"); see gongkai.tables.recover.
    inferred_by: str | None = None

    def __init__(
        self,
        value: Number | None,
        raw: str,
        loc: Location,
        unit: str | None = None,
        status: str | None = None,
        inferred_by: str | None = None,
    ) -> None:
        _set_value(self, value)
        _set_raw(self, raw)
        _set_loc(self, loc)
        _set_unit(self, unit)
        _set_status(self, status)
        _set_inferred_by(self, inferred_by)

    @property
    def is_number(self) -> bool:
        return self.value is not None

    def to_cell_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"raw": self.raw}
        out.update(self.loc.to_dict())
        if self.unit:
            out["unit"] = self.unit
        if self.status:
            out["status"] = self.status
        if self.inferred_by:
            out["inferred_by"] = self.inferred_by
        return out


_VALUE_FIELDS = ("value", "raw", "loc", "unit", "status", "inferred_by")
assert tuple(f.name for f in fields(Value)) == _VALUE_FIELDS, "Value.__init__ must set every field"
_set_value, _set_raw, _set_loc, _set_unit, _set_status, _set_inferred_by = (
    Value.__dict__[name].__set__ for name in _VALUE_FIELDS
)


# Value(number, raw, loc, unit, status), made faster: a Value per cell of every report (see
# gongkai.document.slot_maker).
new_value: Callable[[Number | None, str, Location, str | None, str | None], Value] = slot_maker(
    Value, ("value", "raw", "loc", "unit", "status"), {"inferred_by": None}
)


def new_values(
    numbers: Iterable[Number | None],
    raws: Iterable[str],
    locs: Iterable[Location],
    units: Iterable[str | None],
    statuses: Iterable[str | None],
) -> list[Value]:
    """``[Value(n, r, l, u, s) for …]`` over the five sequences, made faster (:func:`new_value`)."""
    return [new_value(*cell) for cell in zip(numbers, raws, locs, units, statuses, strict=True)]


# A row's cells as read from the page, before any Value is made: (numbers, raws, units, statuses)
# of its cells, in order. One reading is shared by every row whose cells say the same.
CellsRead = tuple[tuple[Number | None, ...], tuple[str, ...], tuple[str | None, ...], tuple[str | None, ...]]
NO_CELLS: CellsRead = ((), (), (), ())


class Row:
    """One row of a statistics table: its label and its cells.

    ``values`` (each format column's Value) and ``cells`` (every value cell as found, even beyond
    the format's columns) are made only when asked for. A row read from a page keeps what its
    cells say as numbers (a :data:`CellsRead` and the cells' locations); most rows are only ever
    added up (:func:`rows_numbers`) and looked at through :meth:`get`, :meth:`cell_count` and the
    like, and a report has hundreds of cells (issue 13). Asking for ``values`` or ``cells`` makes both
    once; from then on they are the row's, and may be changed like any attribute.
    """

    __slots__ = (
        "_cells",
        "_locs",
        "_read",
        "_values",
        "after",
        "columns",
        "extra",
        "found",
        "key",
        "label",
        "loc",
        "optional",
    )

    key: str  # the format's row key; for an agency-added row, its label as written
    label: str  # the label as written ('' when the row was not found)
    columns: tuple[str, ...]
    loc: Location
    found: bool
    extra: bool  # a row the format does not know
    after: str | None  # extra rows: the format row they follow
    optional: bool  # a variant row of the format (2019's single 其他处理 in a 2021 report)
    _values: dict[str, Value] | None
    _cells: list[Value] | None
    _read: CellsRead | None  # what the cells say, until values and cells are made
    _locs: Sequence[Location] | None  # … and where each cell is

    def __init__(
        self,
        key: str,
        label: str,
        columns: tuple[str, ...],
        values: dict[str, Value],
        cells: list[Value],
        loc: Location,
        found: bool = True,
        extra: bool = False,
        after: str | None = None,
        optional: bool = False,
    ) -> None:
        self.key = key
        self.label = label
        self.columns = columns
        self.loc = loc
        self.found = found
        self.extra = extra
        self.after = after
        self.optional = optional
        self._values = values
        self._cells = cells
        self._read = None
        self._locs = None

    def _make_values(self) -> None:
        read, locs = self._read, self._locs
        assert read is not None and locs is not None
        cells = [new_value(*cell) for cell in zip(read[0], read[1], locs, read[2], read[3], strict=True)]
        columns = self.columns
        if len(cells) >= len(columns):
            values = dict(zip(columns, cells, strict=False))
        else:  # a column without a cell: "missing", at the row
            values = {c: cells[i] if i < len(cells) else missing_value(self.loc) for i, c in enumerate(columns)}
        self._values, self._cells, self._read, self._locs = values, cells, None, None

    @property
    def values(self) -> dict[str, Value]:
        """Each format column's value, in the order of ``columns``."""
        if self._read is not None:
            self._make_values()
        assert self._values is not None
        return self._values

    @values.setter
    def values(self, values: dict[str, Value]) -> None:
        if self._read is not None:
            self._make_values()
        self._values = values

    @property
    def cells(self) -> list[Value]:
        """Every value cell as found, in order, even beyond the format's columns."""
        if self._read is not None:
            self._make_values()
        assert self._cells is not None
        return self._cells

    @cells.setter
    def cells(self, cells: list[Value]) -> None:
        if self._read is not None:
            self._make_values()
        self._cells = cells

    def cell_count(self) -> int:
        """``len(cells)``."""
        read = self._read
        if read is not None:
            return len(read[0])
        assert self._cells is not None
        return len(self._cells)

    def cell_raws(self) -> Sequence[str]:
        """``[c.raw for c in cells]``."""
        read = self._read
        if read is not None:
            return read[1]
        assert self._cells is not None
        return [c.raw for c in self._cells]

    def cell_statuses(self) -> Sequence[str | None]:
        """``[c.status for c in cells]``."""
        read = self._read
        if read is not None:
            return read[3]
        assert self._cells is not None
        return [c.status for c in self._cells]

    def value_loc(self, column: str) -> Location | None:
        """``values[column].loc`` (None without that column)."""
        read = self._read
        if read is not None:  # the values' keys are the columns; a column without a cell is at the row
            if column not in self.columns:
                return None
            i = self.columns.index(column)
            assert self._locs is not None
            return self._locs[i] if i < len(read[0]) else self.loc
        assert self._values is not None
        v = self._values.get(column)
        return v.loc if v is not None else None

    def any_cell_number(self) -> bool:
        """Whether a cell (in ``cells``) has a number."""
        read = self._read
        if read is not None:
            return any([n is not None for n in read[0]])
        assert self._cells is not None
        return any([c.value is not None for c in self._cells])

    @property
    def expected(self) -> int:
        return len(self.columns)

    @property
    def irregular(self) -> str | None:
        """'too_many' / 'too_few' when the row has more or fewer cells than the format's columns."""
        if not self.found:
            return None
        cells = self.cell_count()
        if cells > self.expected:
            return "too_many"
        if cells < self.expected:
            return "too_few"
        return None

    def get(self, column: str) -> Number | None:
        read = self._read
        if read is not None:  # the values' keys are the columns
            if column not in self.columns:
                return None
            i = self.columns.index(column)
            return read[0][i] if i < len(read[0]) else None
        assert self._values is not None
        v = self._values.get(column)
        return v.value if v is not None else None

    def _fields(self) -> tuple[Any, ...]:
        return (
            self.key,
            self.label,
            self.columns,
            self.values,
            self.cells,
            self.loc,
            self.found,
            self.extra,
            self.after,
            self.optional,
        )

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Row:
            return NotImplemented
        assert isinstance(other, Row)
        return self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dataclass it was

    def __repr__(self) -> str:
        names = ("key", "label", "columns", "values", "cells", "loc", "found", "extra", "after", "optional")
        return "Row(" + ", ".join(f"{n}={v!r}" for n, v in zip(names, self._fields(), strict=True)) + ")"

    def __getstate__(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in Row.__slots__)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        for name, value in zip(Row.__slots__, state, strict=True):
            object.__setattr__(self, name, value)


def short_rows(rows: Iterable[Row]) -> list[Row]:
    """The found rows with some cells but fewer than their columns (``0 < len(cells) <
    len(columns)``): the rows the tables stage looks at again (run together, a cell lost)."""
    out = []
    for r in rows:
        read = r._read
        n = len(read[0]) if read is not None else len(r._cells or ())
        if 0 < n < len(r.columns) and r.found:
            out.append(r)
    return out


def rows_numbers(rows: list[Row]) -> tuple[list[Number | None], list[int], bool, list[int]]:
    """The one pass over a table's found rows that the rules start from (gongkai.rules.scan): every
    row's numbers (``[v.value for v in values.values()]``) one after the other; which rows have a
    value with a status; whether every row's values are keyed by its columns; which rows have
    more or fewer cells than columns (by their place in *rows*). Made from what the rows' cells
    say, without making their values."""
    nums: list[Number | None] = []
    extend = nums.extend
    with_status: list[int] = []
    uneven: list[int] = []
    keyed = True
    for i, r in enumerate(rows):
        read = r._read
        width = len(r.columns)
        if read is not None:
            numbers = read[0]
            if len(numbers) == width:  # most rows
                extend(numbers)
                if any(read[3]):  # a status is never ""
                    with_status.append(i)
            elif len(numbers) > width:
                extend(numbers[:width])
                uneven.append(i)
                if any(read[3][:width]):
                    with_status.append(i)
            else:  # the columns without a cell are "missing"
                extend(numbers)
                extend((None,) * (width - len(numbers)))
                uneven.append(i)
                with_status.append(i)
            continue
        values, cells = r._values, r._cells
        assert values is not None and cells is not None
        status = False
        for v in values.values():
            nums.append(v.value)
            if v.status is not None:
                status = True
        if status:
            with_status.append(i)
        if keyed and tuple(values) != r.columns:
            keyed = False
        if len(cells) != width:
            uneven.append(i)
    return nums, with_status, keyed, uneven


# (column, value, raw, loc, unit, status, inferred_by): one of a row's values, field by field.
ValueFields = tuple[str, Number | None, str, Location, str | None, str | None, str | None]


def value_fields(row: Row) -> list[ValueFields]:
    """The fields of each of ``row.values``, in order, without making the values (the store
    writes a row per cell of every report)."""
    read = row._read
    if read is None:
        return [(c, v.value, v.raw, v.loc, v.unit, v.status, v.inferred_by) for c, v in row.values.items()]
    columns = row.columns
    numbers, raws, units, statuses = read
    assert row._locs is not None
    out = list(zip(columns, numbers, raws, row._locs, units, statuses, repeat(None)))  # cells beyond: none
    if len(numbers) < len(columns):
        loc = row.loc
        out.extend([(c, None, "", loc, None, "missing", None) for c in columns[len(numbers) :]])
    return out


def missing_value(loc: Location) -> Value:
    """The value of a column a found row has no cell for."""
    return new_value(None, "", loc, None, "missing")


def read_row(
    key: str,
    label: str,
    columns: tuple[str, ...],
    read: CellsRead,
    locs: Sequence[Location],
    loc: Location,
    extra: bool,
    after: str | None,
    optional: bool,
) -> Row:
    """A found row whose cells say *read* (shared, never changed) at *locs*: its values are made
    when first asked for. The row's slots are set directly: a row per format row of every report."""
    row = object.__new__(Row)
    row.key = key
    row.label = label
    row.columns = columns
    row.loc = loc
    row.found = True
    row.extra = extra
    row.after = after
    row.optional = optional
    row._values = None
    row._cells = None
    row._read = read
    row._locs = locs
    return row


@dataclass(slots=True)
class RecoveredRow:
    """A row whose cell separators were lost, read back under the format's sums
    (gongkai.tables.recover): every value fixed, ``constraint`` says by what."""

    row: str
    raw: str
    values: list[Number | None]
    constraint: str  # row_sum / group_sum / unique_split, +column_balance, +text:<words> <n>
    loc: Location
    unbalanced_columns: list[str] = field(default_factory=list)  # the report's own sums fail there

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "row": self.row,
            "raw": self.raw,
            "values": [json_number(v) for v in self.values],
            "constraint": self.constraint,
            "loc": self.loc.to_dict(),
        }
        if self.unbalanced_columns:
            out["unbalanced_columns"] = self.unbalanced_columns
        return out


@dataclass(slots=True)
class AmbiguousRow:
    """Cells left without a value because several readings fit (run-together digits, or a row
    with fewer cells than columns): ``cells`` are those cells, ``readings`` what each could be."""

    row: str
    raw: str | list[str]
    reason: str | None  # fewer_cells_than_columns / fewer_digits_than_cells / too_many_readings / …
    columns: list[str]  # what each item of a reading is (row.column, or column for one row)
    cells: list[str]  # the cells left null
    readings: list[list[Any]]
    loc: Location
    rows: list[str] = field(default_factory=list)  # several rows read as one run (table 四)
    readings_truncated: bool = False
    constraint: str | None = None  # what fixed the cells every reading agrees on
    unbalanced_columns: list[str] = field(default_factory=list)
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"row": self.row}
        if self.rows:
            out["rows"] = self.rows
        out["raw"] = self.raw
        if self.reason:
            out["reason"] = self.reason
        out["readings"] = [[json_number(v) if not isinstance(v, str) else v for v in r] for r in self.readings]
        if self.readings_truncated:
            out["readings_truncated"] = True
        out["columns"] = self.columns
        out["cells"] = self.cells
        if self.constraint:
            out["constraint"] = self.constraint
        if self.unbalanced_columns:
            out["unbalanced_columns"] = self.unbalanced_columns
        if self.note:
            out["note"] = self.note
        out["loc"] = self.loc.to_dict()
        return out


@dataclass(slots=True)
class TableData:
    key: str
    rows: dict[str, Row]  # every row of the format, in order, found or not
    found: bool
    extra_rows: list[Row] = field(default_factory=list)
    loc: Location | None = None
    header: list[str] = field(default_factory=list)  # head cells as written
    stray: list[Value] = field(default_factory=list)  # numbers belonging to no row
    # Run-together rows (gongkai.tables.recover): one entry per recovered row; one per row (or
    # run) whose cells stay ambiguous, also for short rows (gongkai.tables.mapping).
    recovered: list[RecoveredRow] = field(default_factory=list)
    ambiguous: list[AmbiguousRow] = field(default_factory=list)

    def value(self, row: str, column: str) -> Number | None:
        r = self.rows.get(row)
        return r.get(column) if r else None

    def to_values(self) -> dict[str, dict[str, Any]]:
        return {rk: {ck: json_number(v.value) for ck, v in r.values.items()} for rk, r in self.rows.items()}

    def to_cells(self) -> dict[str, dict[str, Any]]:
        return {rk: {ck: v.to_cell_dict() for ck, v in r.values.items()} for rk, r in self.rows.items() if r.found}


@dataclass(slots=True)
class Section:
    key: str
    title: str  # as written ('' for a section found without a heading)
    text: str
    loc: Location | None = None
    line_span: tuple[int, int] | None = None  # first and last line, 1-based, when known

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"title": self.title, "text": self.text}
        if self.loc is not None:
            out["loc"] = self.loc.to_dict()
        return out


@dataclass(slots=True)
class Meta:
    agency: str | None = None
    year: int | None = None
    format: str | None = None
    signed_on: dt.date | None = None
    published_on: dt.date | None = None
    region: Region | None = None
    title: str | None = None
    format_evidence: str | None = None  # "table headers" / "report year" / "table rows"
    sources: dict[str, Location] = field(default_factory=dict)  # meta field → where it was read

    def to_dict(self) -> dict[str, Any]:
        return {
            "agency": self.agency,
            "year": self.year,
            "format": self.format,
            "signed_on": self.signed_on.isoformat() if self.signed_on else None,
            "published_on": self.published_on.isoformat() if self.published_on else None,
            "region": self.region.to_dict() if self.region else None,
            "title": self.title,
            "format_evidence": self.format_evidence,
        }


@dataclass(slots=True)
class Source:
    path: str
    sha256: str
    kind: str  # text / html / docx / pdf
    size: int
    encoding: str | None = None
    url: str | None = None  # the page address, when the input says where it came from

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "sha256": self.sha256,
            "kind": self.kind,
            "size": self.size,
            "encoding": self.encoding,
            "url": self.url,
        }


@dataclass(slots=True)
class Report:
    source: Source
    meta: Meta
    sections: dict[str, Section]
    tables: dict[str, TableData]
    document: Document
    notes: list[str] = field(default_factory=list)

    def table(self, key: str) -> TableData | None:
        return self.tables.get(key)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract: source, meta, sections, tables, plus provenance fields."""
        return {
            "source": self.source.to_dict(),
            "meta": self.meta.to_dict(),
            "sections": {k: s.to_dict() for k, s in self.sections.items()},
            "tables": {k: t.to_values() for k, t in self.tables.items() if t.found},
            "cells": {k: t.to_cells() for k, t in self.tables.items() if t.found},
            "extra_rows": {
                k: [_extra_row_dict(r) for r in t.extra_rows] for k, t in self.tables.items() if t.extra_rows
            },
            "irregular_rows": [
                {
                    "table": t.key,
                    "row": r.key,
                    "cells": len(r.cells),
                    "expected": r.expected,
                    "raw": [c.raw for c in r.cells],
                    "loc": r.loc.to_dict(),
                }
                for t in self.tables.values()
                for r in t.rows.values()
                if r.irregular
            ],
            "recovered": {k: [e.to_dict() for e in t.recovered] for k, t in self.tables.items() if t.recovered},
            "ambiguous": {k: [e.to_dict() for e in t.ambiguous] for k, t in self.tables.items() if t.ambiguous},
            "notes": self.notes,
        }


def _extra_row_dict(row: Row) -> dict[str, Any]:
    return {
        "label": row.label,
        "after": row.after,
        "values": {ck: json_number(v.value) for ck, v in row.values.items()},
        "raw": [c.raw for c in row.cells],
        "loc": row.loc.to_dict(),
    }
