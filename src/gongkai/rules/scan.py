"""One pass over a report's tables that every rule reads from (issue 13).

The rules ask the same questions of the same cells: is a table readable, which cells have a
status (blank, not a number, inferred, …), which rows have more or fewer cells than the format,
which numbers are negative or fractions, what each row's numbers are for the format's sums. A
:class:`TableScan` answers all of them for one table, once per report; no rule walks the cells
again. The questions are asked of the whole table at once — every cell's number and status in
one flat list each — and the rows are gone through one by one only when that answer says there
is something to find.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gongkai.formats import TableSpec
from gongkai.model import Number, Row, TableData, Value, rows_numbers

# (spec, row, column, value): a cell as the rules name it.
CellRef = tuple[TableSpec, Row, str, Value]


@dataclass(slots=True)
class TableScan:
    """What the rules need to know about one table, found in one pass."""

    spec: TableSpec
    table: TableData
    readable: bool  # found, and a found row has a number (placed, or in a row short of a cell)
    found: list[tuple[str, Row]]  # the format rows found, in order (none when the table was not found)
    # Every format row's numbers in the order of the spec's columns (None: no value, a column the
    # row lacks, or a row not found): the operands of the format's sums (a table without sums:
    # all None).
    numbers: dict[str, tuple[Number | None, ...]]
    complete: bool  # no found row's numbers (above) has a None
    full: bool  # every found row has exactly the spec's columns, values for each (tables with sums)
    statuses: dict[str, list[CellRef]]  # status → the found rows' cells with it, in order
    irregular: list[tuple[str, Row]]  # ("too_many" | "too_few", row), in row order
    odd_numbers: list[CellRef]  # numbers that are not whole and non-negative (found rows, extra too)
    facts: set[str]  # what of Context.facts the table has
    _exempt: frozenset[str] | None = None
    _found_keys: frozenset[str] | None = None

    def exempt(self) -> frozenset[str]:
        """The rows of the format this table need not have (``TableSpec.exempt_rows``)."""
        if self._exempt is None:
            rows = self.table.rows
            self._exempt = frozenset(self.spec.exempt_rows(lambda k: k in rows and rows[k].found))
        return self._exempt

    def found_keys(self) -> frozenset[str]:
        """The keys of the format rows found."""
        if self._found_keys is None:
            self._found_keys = frozenset([k for k, _ in self.found])
        return self._found_keys


def scan_table(spec: TableSpec, table: TableData) -> TableScan:
    columns = tuple(spec.columns)
    width = len(columns)
    rows = table.rows
    numbers: dict[str, tuple[Number | None, ...]] = dict.fromkeys(rows, (None,) * width)
    found = [(k, r) for k, r in rows.items() if r.found] if table.found else []
    if not found:
        return TableScan(spec, table, False, found, numbers, True, True, {}, [], [], _run_together(table))
    n = len(found)
    # every number in row order, and whether a cell has a status, in one pass (no Value is made)
    found_rows = [r for _, r in found]
    nums, with_status, keyed, uneven = rows_numbers(found_rows)
    try:  # adding them up is quicker than looking for None among ints
        total: Number | None = sum(nums)  # type: ignore[arg-type]
        complete = True
    except TypeError:
        total, complete = None, False
    except ArithmeticError:
        total, complete = None, None not in nums
    present: list[Any] = nums if complete else [x for x in nums if x is not None]
    readable = bool(present) or any([r.any_cell_number() for _, r in found])
    full = False
    if spec.sums:  # the rows' numbers, for the sums (a table without: they stay None)
        full = keyed and [r.columns for _, r in found] == [columns] * n
        if full:  # the numbers in row order are the rows' numbers one after the other
            numbers.update(zip([k for k, _ in found], zip(*[iter(nums)] * width, strict=True), strict=True))
        else:
            for k, r in found:
                numbers[k] = tuple([r.get(c) for c in columns])
    sums_complete = complete and (full or not spec.sums or not any(None in numbers[k] for k, _ in found))
    if not readable:
        return TableScan(spec, table, False, found, numbers, sums_complete, full, {}, [], [], _run_together(table))

    facts = _run_together(table)
    statuses: dict[str, list[CellRef]] = {}
    if with_status:
        for i in with_status:
            r = found_rows[i]
            for column, value in r.values.items():
                if value.status is not None:
                    statuses.setdefault(value.status, []).append((spec, r, column, value))
        facts.update([f"status:{status}" for status in statuses])
    irregular: list[tuple[str, Row]] = []
    if uneven:
        for i in uneven:
            r = found_rows[i]
            irregular.append(("too_many" if r.cell_count() > len(r.columns) else "too_few", r))
        facts.update([kind for kind, _ in irregular])
    odd: list[CellRef] = []
    # whole and non-negative: an int sum of them all is made of ints only
    if present and not (type(total) is int and min(present) >= 0 if complete else _whole(present)):
        odd.extend(_odd(spec, found_rows))
    if table.extra_rows:
        facts.add("extra_rows")
        extra = [r for r in table.extra_rows if r.found]
        if extra and not _whole_and_positive(rows_numbers(extra)[0]):  # (their values made only then)
            odd.extend(_odd(spec, extra))
    if odd:
        facts.add("odd_numbers")
    if n < len(rows):
        facts.add("missing_rows")
    if table.stray:
        facts.add("stray")
    return TableScan(spec, table, True, found, numbers, sums_complete, full, statuses, irregular, odd, facts)


def _run_together(table: TableData) -> set[str]:
    return {"run_together"} if table.found and (table.recovered or table.ambiguous) else set()


def _whole_and_positive(nums: list[Number | None]) -> bool:
    """Every number (None aside) is an int and none negative (:func:`_odd` finds none)."""
    return all([type(n) is int and n >= 0 for n in nums if n is not None])


def _whole(nums: list[Any]) -> bool:  # nums: not empty
    """Every number (no None among them) is an int, none negative: their sum is an int only when
    every one is."""
    try:
        return type(sum(nums)) is int and min(nums) >= 0
    except ArithmeticError:
        return False


def _odd(spec: TableSpec, rows: list[Row]) -> list[CellRef]:
    """The cells whose numbers are not whole and non-negative."""
    return [
        (spec, r, column, value)
        for r in rows
        for column, value in r.values.items()
        if (n := value.value) is not None and not (type(n) is int and n >= 0)
    ]
