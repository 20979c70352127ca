"""What the year-over-year rules share: a report as they compare it (:class:`YearReport`), pairs
of consecutive reports of one agency, and the rule class. Pure: no database here."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from gongkai.document import Location
from gongkai.formats import SECTION_KEYS, load_format
from gongkai.model import Number
from gongkai.rules.base import Context, Finding, Place, Rule


@dataclass(frozen=True, slots=True)
class YearFinding:
    report: int  # the later report, where the finding is stored
    related: int  # the earlier report it was compared with
    finding: Finding


@dataclass(frozen=True, slots=True)
class YearCell:
    value: Number | None
    line: int | None = None
    page: int | None = None


@dataclass(frozen=True, slots=True)
class YearSection:
    key: str
    title: str
    text: str
    line: int | None = None


@dataclass(slots=True)
class YearReport:
    """What the year rules compare of one report: its cells (only those a rule asks for, see
    :attr:`YearRule.cells`) and, when a rule asks, its sections in order."""

    id: int
    agency_key: str
    year: int
    format: str | None
    cells: dict[tuple[str, str, str], YearCell] = field(default_factory=dict)  # (table, row, column)
    sections: list[YearSection] = field(default_factory=list)

    def cell(self, table: str, row: str, column: str) -> YearCell | None:
        return self.cells.get((table, row, column))

    def value(self, table: str, row: str, column: str) -> Number | None:
        c = self.cells.get((table, row, column))
        return c.value if c is not None else None


def consecutive_pairs(reports: Sequence[YearReport]) -> list[tuple[YearReport, YearReport]]:
    """(previous, current) for every two reports of one agency a year apart, ordered by the
    current report then the previous one (an agency with two reports of one year gives both)."""
    by_key: dict[tuple[str, int], list[YearReport]] = {}
    for r in reports:
        by_key.setdefault((r.agency_key, r.year), []).append(r)
    pairs = [(prev, cur) for cur in reports for prev in by_key.get((cur.agency_key, cur.year - 1), ())]
    return sorted(pairs, key=lambda pc: (pc[1].id, pc[0].id))


class YearRule(Rule):
    """A rule over two consecutive reports of one agency: a pure function of the two
    (:meth:`check_pair`). The application layer (gongkai.corpus.year) finds the pairs in the
    corpus and loads what :attr:`cells` and :attr:`sections` ask for."""

    scope: ClassVar[str] = "corpus"
    per_report: ClassVar[bool] = False
    # (table, row) whose cells the rule reads; whether it reads the sections' text
    cells: ClassVar[tuple[tuple[str, str], ...]] = ()
    sections: ClassVar[bool] = False

    def check(self, ctx: Context) -> Iterator[Finding]:
        # One report alone says nothing about the year before: see check_pair.
        return iter(())

    def check_pair(self, previous: YearReport, current: YearReport, options: Mapping[str, Any]) -> Iterator[Finding]:
        raise NotImplementedError


def place(
    section: str | None,
    table: str | None = None,
    row: str | None = None,
    column: str | None = None,
    line: int | None = None,
    page: int | None = None,
) -> Place:
    """A place given by keys and a line (the parsed objects are gone by then)."""
    return Place(
        section=section,
        table=table,
        row=row,
        column=column,
        loc=Location(line=line, page=page),
        order=(_ordinal(section), 2 if row else 0, _row_index(table, row), _column_index(table, column), line or 0),
    )


def _ordinal(section: str | None) -> int:
    return SECTION_KEYS.index(section) + 1 if section in SECTION_KEYS else 0


def _row_index(table: str | None, row: str | None) -> int:
    if table is None or row is None:
        return -1
    rows = list(load_format("2021").tables[table].rows) + list(load_format("2019").tables[table].rows)
    return rows.index(row) if row in rows else len(rows)


def _column_index(table: str | None, column: str | None) -> int:
    if table is None or column is None:
        return -1
    cols = list(load_format("2021").tables[table].columns) + list(load_format("2019").tables[table].columns)
    return cols.index(column) if column in cols else len(cols)
