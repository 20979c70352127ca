"""The three statistics tables laid out like the national format, with every value cell keyed.

The layout itself (labels, merged head cells, the 三、本年度办理结果 block) is
:mod:`gongkai.writers.layout`'s, built from the format specs. The web needs one thing more: which
row and column key each value cell stands for, to light the cells that have findings and to link
to them. We get it without repeating the layout: the layout is run once over a copy of the table
whose values are markers, and the marker found in each grid cell names its keys.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from gongkai.document import Location
from gongkai.formats import TableSpec
from gongkai.model import Row, TableData, Value
from gongkai.writers.layout import appeals_table, proactive_table, requests_table, value_text

_BUILDERS = {"proactive": proactive_table, "requests": requests_table, "appeals": appeals_table}
_MARK = "\x00"
HEAD_ROLES = frozenset({"head", "item", "block", "group"})


@dataclass(slots=True)
class GridCell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    role: str = "value"
    row_key: str | None = None
    column: str | None = None
    value: Mapping[str, Any] | None = None  # the stored value row (values table), when any


@dataclass(slots=True)
class Grid:
    key: str
    width: int
    rows: list[list[GridCell]]
    header_rows: int
    row_keys: list[str | None] = field(default_factory=list)  # grid row → table row key


def _loc(v: Mapping[str, Any]) -> Location:
    return Location(
        line=v.get("line"),
        table=v.get("table_index"),
        row=v.get("row_index"),
        cell=v.get("cell_index"),
        page=v.get("page"),
    )


def _value(v: Mapping[str, Any]) -> Value:
    number = v.get("value")
    if isinstance(number, Decimal) and number == number.to_integral_value():
        number = int(number)
    return Value(
        value=number,
        raw=v.get("raw") or "",
        loc=_loc(v),
        unit=v.get("unit"),
        status=v.get("status"),
        inferred_by=v.get("inferred_by"),
    )


def table_data(spec: TableSpec, values: Iterable[Mapping[str, Any]]) -> TableData:
    """A :class:`TableData` rebuilt from stored value rows (``values`` table) of one table."""
    by_row: dict[tuple[int, str], list[Mapping[str, Any]]] = {}
    for v in values:
        by_row.setdefault((int(v.get("row_order") or 0), str(v["row_key"])), []).append(v)
    rows: dict[str, Row] = {}
    extra: list[Row] = []
    for (_order, key), cells in sorted(by_row.items()):
        first = cells[0]
        vals = {str(c["column_key"]): _value(c) for c in cells}
        is_extra = bool(first.get("extra_row")) or key not in spec.rows
        columns = tuple(vals) if is_extra else spec.rows[key].columns
        row = Row(
            key=key,
            label=first.get("row_label") or (spec.rows[key].label if key in spec.rows else key),
            columns=columns,
            values=vals,
            cells=[vals[c] for c in columns if c in vals],
            loc=_loc(first),
            found=True,
            extra=is_extra,
            after=first.get("after_row") if is_extra else None,
            optional=not is_extra and spec.rows[key].optional,
        )
        if is_extra:
            extra.append(row)
        else:
            rows[key] = row
    return TableData(key=spec.key, rows=rows, found=bool(rows or extra), extra_rows=extra)


def keyed_grid(spec: TableSpec, data: TableData, values: Mapping[tuple[str, str], Mapping[str, Any]]) -> Grid:
    """The table as the national format lays it out; *values* maps (row key, column key) to the
    stored value rows shown in the cells (a report's own, or sums)."""
    marks: list[tuple[str, str]] = []

    def marked(key: str, label: str, columns: tuple[str, ...], *, extra: bool, after: str | None) -> Row:
        vals = {}
        for c in columns:
            vals[c] = Value(value=0, raw=f"{_MARK}{len(marks)}", loc=Location())
            marks.append((key, c))
        return Row(
            key=key,
            label=label,
            columns=columns,
            values=vals,
            cells=list(vals.values()),
            loc=Location(),
            found=True,
            extra=extra,
            after=after,
        )

    fake_rows: dict[str, Row] = {}
    for key, rspec in spec.rows.items():
        real = data.rows.get(key)
        if rspec.optional and (real is None or not real.found or not real.cells):
            continue  # the layout prints a variant row only when the report has it
        fake_rows[key] = marked(key, rspec.label, rspec.columns, extra=False, after=None)
    fake_extra = [marked(r.key, r.label, r.columns, extra=True, after=r.after) for r in data.extra_rows]
    fake = TableData(key=spec.key, rows=fake_rows, found=True, extra_rows=fake_extra)
    wtable = _BUILDERS[spec.key](fake, spec)

    grid_rows: list[list[GridCell]] = []
    row_keys: list[str | None] = []
    for wrow in wtable.rows():
        out: list[GridCell] = []
        row_key: str | None = None
        for wc in wrow:
            cell = GridCell(wc.text, wc.rowspan, wc.colspan, wc.role)
            if wc.text.startswith(_MARK):
                rk, ck = marks[int(wc.text[1:])]
                v = values.get((rk, ck))
                cell.row_key, cell.column, cell.value = rk, ck, v
                cell.text = value_text(_value(v)) if v is not None else ""
                row_key = rk
            out.append(cell)
        grid_rows.append(out)
        row_keys.append(row_key)
    for cells, grid_row_key in zip(grid_rows, row_keys, strict=True):
        for cell in cells:
            if cell.role == "label" and grid_row_key is not None:
                cell.row_key = grid_row_key
    return Grid(spec.key, wtable.width, grid_rows, wtable.header_rows, row_keys)


def report_grid(spec: TableSpec, value_rows: Sequence[Mapping[str, Any]]) -> Grid:
    """A stored report's table."""
    data = table_data(spec, value_rows)
    by_key = {(str(v["row_key"]), str(v["column_key"])): v for v in value_rows}
    return keyed_grid(spec, data, by_key)


__all__ = ["HEAD_ROLES", "Grid", "GridCell", "keyed_grid", "report_grid", "table_data"]
