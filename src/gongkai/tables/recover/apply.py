"""Applying: the solved readings written back into the table.

Cells every remaining reading agrees on get their value (``status="inferred"``, ``inferred_by``
naming what fixed them); the others stay null (``status="ambiguous"``). The table gets one
:class:`~gongkai.model.RecoveredRow` per recovered row, or one
:class:`~gongkai.model.AmbiguousRow` listing the cells left null and the readings.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable

from gongkai.document import Location
from gongkai.model import AmbiguousRow, Number, RecoveredRow, Row, TableData, Value
from gongkai.tables.recover.facts import TextFact
from gongkai.tables.recover.split import MONEY, SHOWN_READINGS, Candidate, is_null

# (column key, cell text) → (value, unit, status): the cell read as any cell of its column is
MakeValue = Callable[[str, str], tuple[Number | None, str | None, str | None]]


def _cell_locs(cand: Candidate, texts: tuple[str, ...]) -> list[Location]:
    """Where each cell of a reading came from: the token its first digit was in."""
    starts = list(itertools.accumulate([len(p) for p in cand.pieces[:-1]], initial=0)) if cand.pieces else []
    locs: list[Location] = []
    pos = 0
    for t in texts:
        piece = bisect.bisect_right(starts, pos) - 1 if cand.pieces else 0  # the last piece starting at or before
        locs.append(cand.piece_locs[piece] if piece < len(cand.piece_locs) else Location())
        pos += len(t)
    return locs


def write(table: TableData, cand: Candidate, make: MakeValue) -> None:
    fallback = cand.piece_locs[0] if cand.piece_locs else Location()
    n = len(cand.columns)
    agreed: list[str | None] = [None] * n  # the cell text every reading agrees on
    if cand.texts:
        for i in range(n):
            options = {r[i] for r in cand.texts}
            if len(options) == 1:
                agreed[i] = next(iter(options))
    locs = _cell_locs(cand, cand.texts[0]) if cand.texts else [fallback] * n
    ambiguous_cells: list[str] = []
    new_cells: dict[str, list[Value]] = {k: [] for k in cand.rows}
    for i, (row_key, col) in enumerate(cand.columns):
        text = agreed[i]
        if text is not None and is_null(text):
            value = Value(None, text, locs[i], status="blank", inferred_by=cand.how)
        elif text is not None:
            cell_text = text + (cand.unit or "") if cand.kinds[i] == MONEY and cand.unit else text
            number, unit, _ = make(col, cell_text)
            if number is None:  # cannot happen for a reading, but never present it as one
                value = Value(None, cand.raw, locs[i], status="ambiguous")
            else:
                value = Value(number, text, locs[i], unit, "inferred", cand.how)
        else:
            value = Value(None, cand.raw, locs[i], status="ambiguous")
            ambiguous_cells.append(f"{row_key}.{col}")
        new_cells[row_key].append(value)
    for row_key, cells in new_cells.items():
        row = table.rows[row_key]
        row.cells = cells
        row.values = dict(zip(row.columns, cells, strict=True))
    if not ambiguous_cells:
        for row_key in cand.rows:  # one entry per recovered row
            table.recovered.append(
                RecoveredRow(
                    row=row_key,
                    raw=cand.raw,
                    values=[v.value for v in new_cells[row_key]],
                    constraint=cand.how,
                    loc=table.rows[row_key].loc,
                    unbalanced_columns=list(cand.unbalanced),
                )
            )
        return
    table.ambiguous.append(
        AmbiguousRow(
            row=ambiguous_cells[0].split(".", 1)[0],
            rows=list(cand.rows) if len(cand.rows) > 1 else [],
            raw=cand.raw,
            reason=cand.reason,
            readings=[list(r) for r in cand.domain[:SHOWN_READINGS]],
            readings_truncated=len(cand.domain) > SHOWN_READINGS or cand.splits.truncated,
            columns=[f"{r}.{c}" for r, c in cand.columns],  # what each number of a reading is
            cells=ambiguous_cells,
            constraint=cand.how if any(a is not None for a in agreed) else None,
            unbalanced_columns=list(cand.unbalanced),
            loc=table.rows[cand.rows[0]].loc,
        )
    )


def constraint_of(cand: Candidate, column_balance: bool, facts: list[TextFact]) -> str:
    parts = [cand.base]
    if column_balance:
        parts.append("column_balance")
    parts.extend(f.label for f in facts)
    return "+".join(parts)


def zeros_one_per_cell(table: TableData, rows: list[Row], cand: Candidate) -> None:
    """Rows that are runs of zeros, fewer than their cells: every 0 is a cell of its own (no
    leading zeros), but which cell lost its 0 — or was blank — is not written. Never fill from the
    left: every cell is null (ambiguous), the zeros are kept as the rows' cells (F005 says a cell
    is short) and the ambiguity entry says what is known."""
    zeros: list[Value] = []
    for piece, loc in zip(cand.pieces, cand.piece_locs, strict=True):
        zeros.extend(Value(0, "0", loc, status="inferred", inferred_by="zeros_one_per_cell") for _ in piece)
    position = 0
    for i, row in enumerate(rows):
        take = len(row.columns) if i < len(rows) - 1 else len(zeros) - position
        row.cells = zeros[position : position + take]
        position += take
        row.values = {c: Value(None, "", row.loc, status="ambiguous") for c in row.columns}
    table.ambiguous.append(
        AmbiguousRow(
            row=rows[0].key,
            rows=[r.key for r in rows],
            raw=cand.raw,
            reason="fewer_digits_than_cells",
            readings=[],
            columns=[f"{r}.{c}" for r, c in cand.columns],
            cells=[f"{r}.{c}" for r, c in cand.columns],
            note=f"{len(zeros)} zeros for {len(cand.columns)} cells: each cell is 0 or the one left blank",
            loc=rows[0].loc,
        )
    )
