"""A row read from a page (``read_row``) makes its values only when asked for: every answer it
gives before must be the one the made values give (issue 13)."""

from __future__ import annotations

import pickle
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from gongkai.document import Location
from gongkai.model import Row, new_value, read_row, rows_numbers, value_fields

COLUMNS = ("a", "b", "c", "d")

numbers = st.one_of(st.none(), st.integers(-5, 10**6), st.decimals(-100, 100, places=2, allow_nan=False))
statuses = st.sampled_from([None, None, "blank", "not_a_number", "unit_unknown"])


@st.composite
def reads(draw: st.DrawFn) -> tuple[tuple, tuple, tuple, tuple]:
    n = draw(st.integers(0, 6))
    nums = tuple(draw(numbers) for _ in range(n))
    stats = tuple(draw(statuses) for _ in range(n))
    nums = tuple(None if s is not None else x for x, s in zip(nums, stats, strict=True))
    raws = tuple("" if s == "blank" else str(x) for x, s in zip(nums, stats, strict=True))
    units = tuple(draw(st.sampled_from([None, "万元"])) for _ in range(n))
    return nums, raws, units, stats


def lazy(read: tuple, columns: tuple[str, ...] = COLUMNS) -> Row:
    locs = [Location(line=10, cell=i) for i in range(len(read[0]))]
    return read_row("r", "标签", columns, read, locs, Location(line=10), False, None, False)


def eager(read: tuple, columns: tuple[str, ...] = COLUMNS) -> Row:
    """The row as the tables stage made it before rows were lazy."""
    loc = Location(line=10)
    cells = [
        new_value(*c)
        for c in zip(
            read[0], read[1], [Location(line=10, cell=i) for i in range(len(read[0]))], read[2], read[3], strict=True
        )
    ]
    if len(cells) >= len(columns):
        values = dict(zip(columns, cells, strict=False))
    else:
        values = {
            c: cells[i] if i < len(cells) else new_value(None, "", loc, None, "missing") for i, c in enumerate(columns)
        }
    return Row("r", "标签", columns, values, cells, loc)


@given(reads())
def test_a_lazy_row_answers_as_its_values_do(read: tuple) -> None:
    row, made = lazy(read), eager(read)
    # asked before the values are made
    assert rows_numbers([row]) == rows_numbers([made])
    assert value_fields(row) == value_fields(made)
    assert row.cell_count() == made.cell_count() == len(made.cells)
    assert bool(rows_numbers([row])[1]) == any(v.status for v in made.values.values())
    assert row.any_cell_number() == made.any_cell_number()
    assert row.irregular == made.irregular
    assert list(row.cell_raws()) == list(made.cell_raws()) == [c.raw for c in made.cells]
    assert list(row.cell_statuses()) == list(made.cell_statuses()) == [c.status for c in made.cells]
    for column in (*COLUMNS, "z"):
        assert row.get(column) == made.get(column)
        assert row.value_loc(column) == made.value_loc(column)
        assert made.value_loc(column) == (made.values[column].loc if column in made.values else None)
    assert row._read is not None  # none of the above made the values
    # the values made are the eager ones, field by field
    assert row == made
    assert row.values == made.values and row.cells == made.cells
    assert row._read is None
    assert rows_numbers([row]) == rows_numbers([made])


def test_rows_numbers_on_every_kind_of_row() -> None:
    full = ((1, 2, 3, 4), ("1", "2", "3", "4"), (None,) * 4, (None,) * 4)
    short = ((5,), ("5",), (None,), (None,))
    long = ((1, 2, 3, 4, 9), ("1", "2", "3", "4", "9"), (None,) * 5, (None,) * 5)
    nums, status, keyed, uneven = rows_numbers([lazy(full)])
    assert (nums, status, keyed, uneven) == ([1, 2, 3, 4], [], True, [])
    nums, status, keyed, uneven = rows_numbers([lazy(full), lazy(short)])
    assert (nums, status, keyed, uneven) == ([1, 2, 3, 4, 5, None, None, None], [1], True, [1])  # "missing"
    nums, status, keyed, uneven = rows_numbers([lazy(long)])
    assert (nums, status, uneven) == ([1, 2, 3, 4], [], [0])
    blank_beyond = ((1, 2, 3, 4, None), ("1", "2", "3", "4", ""), (None,) * 5, (None,) * 4 + ("blank",))
    assert rows_numbers([lazy(blank_beyond)])[1] == []  # a cell beyond the columns is no value


def test_a_row_changed_after_its_values_are_made_keeps_the_change() -> None:
    read = ((1, 2, 3, 4), ("1", "2", "3", "4"), (None,) * 4, (None,) * 4)
    row = lazy(read)
    row.values["b"] = new_value(None, "", Location(line=10), None, "ambiguous")
    assert row.get("b") is None and rows_numbers([row])[1] == [0]
    assert rows_numbers([row]) == ([1, None, 3, 4], [0], True, [])
    assert value_fields(row)[1] == ("b", None, "", Location(line=10), None, "ambiguous", None)
    other = lazy(read)
    other.cells = other.cells[:2]  # setting cells keeps the values made from the reading
    assert other.cell_count() == 2 and other.irregular == "too_few" and other.get("d") == 4


def test_a_lazy_row_pickles_and_compares() -> None:
    read = ((1, Decimal("2.5"), None), ("1", "2.5", "—"), (None, "万元", None), (None, None, "blank"))
    row = lazy(read)
    back = pickle.loads(pickle.dumps(row, pickle.HIGHEST_PROTOCOL))
    assert back._read is not None and back == row == eager(read)
    assert repr(back) == repr(eager(read))
    assert row != lazy(((1, 2, None), ("1", "2", "—"), (None, "万元", None), (None, None, "blank")))
