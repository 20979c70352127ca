"""The sums the national format implies (``sums`` in formats/*.toml), as equations over a report.

Each :class:`Equation` is one equation ``sum(lhs) == sum(rhs)`` over cells of a table, with the
rule that owns it (B001–B004) and the place to report it. The rules B001–B004 report the
relations that do not hold; F015 reports the ones that cannot be verified because an operand has
no value. Both read the same list, so an equation is never checked twice or differently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from operator import itemgetter
from typing import Any, ClassVar, cast

from gongkai.formats import SumSpec, TableSpec
from gongkai.memo import remember
from gongkai.model import Number, Row, TableData
from gongkai.rules.base import Context, Finding, Place, Rule, column_label, number_text
from gongkai.rules.scan import TableScan


@dataclass(slots=True)
class Operand:
    name: str  # figure key: "new", "total", "granted", "upheld" …
    row: Row
    column: str
    number: Number | None  # the cell's value; None for a cell without one or a row not found

    @classmethod
    def of(cls, name: str, row: Row, column: str) -> Operand:
        value = row.values.get(column) if row.found else None
        return cls(name, row, column, value.value if value is not None else None)


# One term of an equation before its operand is made: (figure name, row, column).
Term = tuple[str, Row, str]


@dataclass(slots=True)
class Equation:
    """Its terms' values are read when it is made; the :class:`Operand` objects only when a
    finding needs them (most equations hold and are reported by no one). The terms are kept as
    their names, rows and columns side by side: the rows and names of a column's equation are
    the same for every column of a sum, made once."""

    code: str  # the balance rule that owns the equation
    spec: TableSpec
    table: TableData
    place_of: Callable[[], Place]  # where to report it; built only for equations reported
    subject_zh: str  # 「自然人」列 / 「一、本年新收…」行 / 行政复议
    subject_en: str
    lhs_names: tuple[str, ...]  # figure keys: "new", "total", "granted", "upheld" …
    rhs_names: tuple[str, ...]
    lhs_rows: tuple[Row, ...]
    rhs_rows: tuple[Row, ...]
    lhs_columns: tuple[str, ...]
    rhs_columns: tuple[str, ...]
    lhs_numbers: tuple[Number | None, ...]
    rhs_numbers: tuple[Number | None, ...]
    lhs_zh: str  # 一+二
    rhs_zh: str  # 三(七)+四
    lhs_en: str
    rhs_en: str

    @property
    def place(self) -> Place:
        return self.place_of()

    @property
    def lhs_terms(self) -> tuple[Term, ...]:
        return tuple(zip(self.lhs_names, self.lhs_rows, self.lhs_columns, strict=True))

    @property
    def rhs_terms(self) -> tuple[Term, ...]:
        return tuple(zip(self.rhs_names, self.rhs_rows, self.rhs_columns, strict=True))

    @property
    def lhs(self) -> tuple[Operand, ...]:
        return tuple(Operand(n, r, c, v) for (n, r, c), v in zip(self.lhs_terms, self.lhs_numbers, strict=True))

    @property
    def rhs(self) -> tuple[Operand, ...]:
        return tuple(Operand(n, r, c, v) for (n, r, c), v in zip(self.rhs_terms, self.rhs_numbers, strict=True))

    @property
    def operands(self) -> tuple[Operand, ...]:
        return self.lhs + self.rhs

    @property
    def nulls(self) -> list[Operand]:
        """The operands without a value (the others are never made)."""
        numbers = (*self.lhs_numbers, *self.rhs_numbers)
        names = (*self.lhs_names, *self.rhs_names)
        rows = (*self.lhs_rows, *self.rhs_rows)
        columns = (*self.lhs_columns, *self.rhs_columns)
        return [Operand(names[i], rows[i], columns[i], None) for i, v in enumerate(numbers) if v is None]

    @property
    def complete(self) -> bool:
        """Every operand has a value (the equation can be verified)."""
        return None not in self.lhs_numbers and None not in self.rhs_numbers

    @property
    def rows(self) -> list[Row]:
        seen: dict[str, Row] = {}
        for row in (*self.lhs_rows, *self.rhs_rows):
            seen.setdefault(row.key, row)
        return list(seen.values())

    def sums(self) -> tuple[Number, Number]:
        return _sum(self.lhs_numbers), _sum(self.rhs_numbers)

    def expression(self, side: tuple[Operand, ...], skip_zeros: bool = False) -> str:
        """``10+2 = 12``; with *skip_zeros*, zero terms of a long sum are left out."""
        terms = [number_text(o.number) for o in side if not (skip_zeros and o.number == 0)]
        total = _sum(o.number for o in side)
        if not terms:
            terms = ["0"]
        if len(terms) == 1:
            return number_text(total)
        return "+".join(terms) + f" = {number_text(total)}"

    def operand_figures(self) -> dict[str, object]:
        """Every operand by name (a name twice: its first place, its last value)."""
        return dict(zip((*self.lhs_names, *self.rhs_names), (*self.lhs_numbers, *self.rhs_numbers), strict=True))

    def figures(self) -> dict[str, object]:
        """Every operand by name, then the two sums."""
        out = self.operand_figures()
        lhs, rhs = self.sums()
        out[self.lhs_en] = lhs
        out[self.rhs_en] = rhs
        return out


# The sum of numbers known to have no None among them (the builtin: for comparing sums only;
# _sum gives the figure a finding shows).
_plain_sum = cast(Callable[[tuple[Number | None, ...]], Number], sum)


def _sum(values: object) -> Number:
    total: Number = 0
    for v in values:  # type: ignore[attr-defined]
        if v is not None:
            total = total + v
    if isinstance(total, Decimal) and total == total.to_integral_value():
        return int(total)
    return total


# An equation that a rule reports, before it is made: its rule, its terms' values, and how to
# make it.
Pending = tuple[str, tuple[Number | None, ...], tuple[Number | None, ...], Callable[[], "Equation"]]


@dataclass(slots=True)
class Sums:
    """The equations of the report's tables (the format's ``sums``) that a rule reports, worked
    out once per check: those with an operand without a value (F015), and by rule those that can
    be verified and do not hold (B001–B004), each in the order of the format's sums. The many
    that hold are only added up — a table at a time when every cell has a number."""

    unverifiable: list[Pending]
    imbalanced: dict[str, list[Pending]]


def sums(ctx: Context) -> Sums:
    cached: Sums | None = ctx.cache.get("sums")
    if cached is None:
        cached = Sums([], {})
        for key in ("requests", "appeals", "proactive"):
            scan = ctx.scan(key) if key in ctx.report.tables else None
            if scan is None or not scan.readable:
                continue
            for s in scan.spec.sums:
                if s.per == "column":
                    _column_relations(cached, scan, s)
                else:
                    _row_relations(cached, scan, s)
        ctx.cache["sums"] = cached
    return cached


def unverifiable(ctx: Context) -> list[Equation]:
    """The equations with an operand without a value (F015), in the order of the format's sums."""
    return [make() for _, _, _, make in sums(ctx).unverifiable]


def imbalances(ctx: Context, code: str) -> list[Equation]:
    """The equations of one balance rule that can be verified and do not hold, in order."""
    return [make() for _, _, _, make in sums(ctx).imbalanced.get(code, ())]


def found_in(table: TableData) -> Callable[[str], bool]:
    return lambda k: k in table.rows and table.rows[k].found


def _file(
    out: Sums, code: str, lhs: tuple[Number | None, ...], rhs: tuple[Number | None, ...], make: Callable[[], Equation]
) -> None:
    """File an equation that does not hold, or cannot be verified."""
    if None in lhs or None in rhs:
        out.unverifiable.append((code, lhs, rhs, make))
    else:
        out.imbalanced.setdefault(code, []).append((code, lhs, rhs, make))


def _column_relations(out: Sums, scan: TableScan, s: SumSpec) -> None:
    """One equation per column over the rows of the sum. With one row on the left (（七）总计) it is
    reported at that row's cell; with several, at the column."""
    spec, table = scan.spec, scan.table
    rows = table.rows
    lhs_keys, rhs_keys, operands = _sum_rows(s, scan.exempt())
    if not lhs_keys or not operands <= rows.keys():
        return
    numbers = scan.numbers
    width = len(spec.columns)
    # the columns' operands: zip turns the rows' numbers (all as long) into each column's
    lhs_columns: list[tuple[Number | None, ...]] = list(zip(*[numbers[k] for k in lhs_keys], strict=True))
    rhs_columns: list[tuple[Number | None, ...]] = (
        list(zip(*[numbers[k] for k in rhs_keys], strict=True)) if rhs_keys else [()] * width
    )
    if (
        scan.complete
        and operands <= scan.found_keys()
        and list(map(_plain_sum, lhs_columns)) == list(map(_plain_sum, rhs_columns))
    ):
        return  # every column adds up
    lhs_rows = tuple([rows[k] for k in lhs_keys])
    rhs_rows = tuple([rows[k] for k in rhs_keys])
    for c, lhs, rhs in zip(spec.columns, lhs_columns, rhs_columns, strict=True):
        if None in lhs or None in rhs or _plain_sum(lhs) != _plain_sum(rhs):
            make = partial(_column_equation, spec, table, s, c, lhs_keys, rhs_keys, lhs_rows, rhs_rows, lhs, rhs)
            _file(out, s.code, lhs, rhs, make)


_SUM_ROWS: dict[tuple[int, frozenset[str]], tuple[SumSpec, tuple[str, ...], tuple[str, ...], frozenset[str]]] = {}


def _sum_rows(s: SumSpec, exempt: frozenset[str]) -> tuple[tuple[str, ...], tuple[str, ...], frozenset[str]]:
    """The rows a per-column sum adds up less the exempt ones (TableSpec.sum_rows), and all of
    them as a set: worked out once per sum and set of exempt rows."""
    known = _SUM_ROWS.get((id(s), exempt))
    if known is None or known[0] is not s:
        lhs = tuple([k for k in s.lhs if k not in exempt])
        rhs = tuple([k for k in s.rhs if k not in exempt])
        known = remember(_SUM_ROWS, 256, (id(s), exempt), (s, lhs, rhs, frozenset((*lhs, *rhs))))
    return known[1], known[2], known[3]


def _column_place(spec: TableSpec, table: TableData, column: str, first: Row) -> Place:
    """A column's sum is reported at the table, at its first row's cell (made only for a finding)."""
    return Place.of_table(spec, table, column=column, loc=first.value_loc(column) if first.found else None)


def _column_equation(
    spec: TableSpec,
    table: TableData,
    s: SumSpec,
    c: str,
    lhs_keys: tuple[str, ...],
    rhs_keys: tuple[str, ...],
    lhs_rows: tuple[Row, ...],
    rhs_rows: tuple[Row, ...],
    lhs: tuple[Number | None, ...],
    rhs: tuple[Number | None, ...],
) -> Equation:
    label = column_label(spec, c)
    first = lhs_rows[0]
    place_of: Callable[[], Place]
    if len(lhs_keys) == 1 and first.found:
        place_of = partial(Place.of_cell, spec, first, c)
    else:
        place_of = partial(_column_place, spec, table, c, first)
    return Equation(
        s.code,
        spec,
        table,
        place_of,
        f"「{label}」列",
        f"column {c}",
        lhs_keys,
        rhs_keys,
        lhs_rows,
        rhs_rows,
        (c,) * len(lhs_keys),
        (c,) * len(rhs_keys),
        lhs,
        rhs,
        s.lhs_zh,
        s.rhs_zh,
        s.lhs_en,
        s.rhs_en,
    )


def _row_relations(out: Sums, scan: TableScan, s: SumSpec) -> None:
    """One equation per row that has every column of the sum, reported at its left-hand cell.
    A row of table 四 is a group under the two-level head."""
    spec, table = scan.spec, scan.table
    lhs_of, rhs_of, lhs_one = _getters(spec, s)
    numbers = scan.numbers
    if scan.full:  # every found row has every column
        rows = scan.found
    else:
        operands = frozenset(s.operands)
        rows = [(k, r) for k, r in scan.found if operands.issubset(r.columns)]
    vectors = [numbers[k] for k, _ in rows]
    if scan.complete:  # every row adds up? (one cell on the left: its number is its sum)
        lhs_sums = list(map(lhs_one, vectors)) if lhs_one else list(map(_plain_sum, map(lhs_of, vectors)))
        if lhs_sums == list(map(_plain_sum, map(rhs_of, vectors))):
            return
    lhs_all = list(map(lhs_of, vectors))
    rhs_all = list(map(rhs_of, vectors))
    for (key, row), lhs, rhs in zip(rows, lhs_all, rhs_all, strict=True):
        if None in lhs or None in rhs or _plain_sum(lhs) != _plain_sum(rhs):
            _file(out, s.code, lhs, rhs, partial(_row_equation, spec, table, s, key, row, lhs, rhs))


Getter = Callable[[tuple[Number | None, ...]], tuple[Number | None, ...]]
_GETTERS: dict[tuple[int, int], tuple[TableSpec, SumSpec, Getter, Getter, Callable[[Any], Any] | None]] = {}


def _getters(spec: TableSpec, s: SumSpec) -> tuple[Getter, Getter, Callable[[Any], Any] | None]:
    """Functions picking a per-row sum's two sides out of a row's numbers, and the one number of
    a left side of one cell; made once per format."""
    known = _GETTERS.get((id(spec), id(s)))
    if known is None or known[0] is not spec or known[1] is not s:
        index = {c: i for i, c in enumerate(spec.columns)}
        lhs = [index[c] for c in s.lhs]
        one = itemgetter(lhs[0]) if len(lhs) == 1 else None
        known = (spec, s, _getter(lhs), _getter([index[c] for c in s.rhs]), one)
        remember(_GETTERS, 256, (id(spec), id(s)), known)
    return known[2], known[3], known[4]


def _getter(indexes: list[int]) -> Getter:
    """A function picking *indexes* out of a row's numbers, always as a tuple."""
    if not indexes:
        return lambda _: ()
    if indexes == list(range(indexes[0], indexes[-1] + 1)):  # a run: a slice
        return itemgetter(slice(indexes[0], indexes[-1] + 1))
    return itemgetter(*indexes) if len(indexes) > 1 else itemgetter(slice(indexes[0], indexes[0] + 1))


def _row_equation(
    spec: TableSpec,
    table: TableData,
    s: SumSpec,
    key: str,
    row: Row,
    lhs: tuple[Number | None, ...],
    rhs: tuple[Number | None, ...],
) -> Equation:
    flat = spec.shape == "flat"
    return Equation(
        s.code,
        spec,
        table,
        partial(Place.of_cell, spec, row, s.lhs[0]),
        f"「{spec.rows[key].label}」" + ("" if flat else "行"),
        f"{'group' if flat else 'row'} {key}",
        s.lhs,
        s.rhs,
        (row,) * len(s.lhs),
        (row,) * len(s.rhs),
        s.lhs,
        s.rhs,
        lhs,
        rhs,
        s.lhs_zh,
        s.rhs_zh,
        s.lhs_en,
        s.rhs_en,
    )


def irregular_note(rel: Equation) -> str | None:
    """A note when a row of the equation has more or fewer cells than the format (F004/F005):
    its values may have gone to the wrong columns."""
    odd = [r for r in rel.rows if r.irregular]
    if not odd:
        return None
    names = "、".join(f"「{r.label or r.key}」" for r in odd)
    return f"{names}行的数值个数与格式不符（见 F004/F005），数值可能错位。"


class EquationRule(Rule):
    """A balance rule over the equations it owns: reports those that do not hold. Equations with
    an operand without a value are left to F015 (unverifiable), never reported as imbalances.

    Templates get ``subject``, ``lhs`` and ``rhs`` (expressions such as ``10+2 = 12``)."""

    skip_zeros: ClassVar[bool] = False

    def check(self, ctx: Context) -> Iterator[Finding]:
        for rel in imbalances(ctx, self.code):
            if not rel.complete:
                continue
            lhs, rhs = rel.sums()
            if lhs == rhs:
                continue
            yield self.finding(
                rel.place,
                figures=rel.figures(),
                note=irregular_note(rel),
                subject=rel.subject_zh,
                subject_en=rel.subject_en,
                table=rel.spec.short_zh,
                table_en=rel.spec.short_en.capitalize(),
                lhs_name=rel.lhs_zh,
                rhs_name=rel.rhs_zh,
                lhs_en=rel.lhs_en,
                rhs_en=rel.rhs_en,
                lhs=rel.expression(rel.lhs, self.skip_zeros),
                rhs=rel.expression(rel.rhs, self.skip_zeros),
            )
