"""Recover table rows whose cell separators were lost.

Crawlers and "copy as text" drop the separators between table cells, so a row arrives as one run
of digits (``一、本年新收政府信息公开申请数量12034132176 1272``, ``行政规范性文件124388``, a whole
table 四 as ``…总计201361000100000``). The format's own arithmetic usually leaves one reading:

* ``row_sum`` — table 三: in every row the last number (总计) is the sum of the six before it;
* ``group_sum`` — table 四: in each group of five the fifth number is the sum of the first four;
* ``column_balance`` — table 三, per column: new + carried_over = total + carried_forward, and
  total = the sum of the outcome rows; solved jointly over every row that is still ambiguous (a
  small constraint search);

Every sum is the format's (``sums`` in formats/*.toml: per-row sums give ``row_sum`` and
``group_sum``, per-column sums ``column_balance``); none is written here.
* ``text:<words> <n>`` — a count stated in the report's text (全区共收到1272件申请);
* ``unique_split`` — only one way to cut the digits into the row's cells (no number has a
  leading zero, ``000`` is 0, 0, 0).

A row is recovered only when it is short of cells and there is evidence that separators were lost:
digits glued to the row label, a digit run that cannot be one count (too long, or ``000``), or
such a row elsewhere in the same table. A row that is run together but has fewer digits than cells
(an empty cell vanished with its separators) is reported ambiguous with no reading. Values that
are fixed get ``status="inferred"`` and ``inferred_by`` naming what fixed them; the table's
``recovered`` list gets one entry per recovered row. Where several readings satisfy everything,
the cells the readings disagree on stay null with ``status="ambiguous"`` and the table's
``ambiguous`` list says which cells and what the readings are — never a guess presented as fact.

The package: ``split`` (runs of digits → readings), ``facts`` (counts stated in the text),
``solve`` (the column sums), ``apply`` (writing the result into the table).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from gongkai.formats import TableSpec
from gongkai.model import TableData, short_rows
from gongkai.tables.recover.apply import MakeValue, constraint_of, write, zeros_one_per_cell
from gongkai.tables.recover.facts import TextFact, narrow_by_facts, text_facts
from gongkai.tables.recover.solve import SOLVED, UNDECIDED, UNSATISFIABLE, balanced_search, narrow
from gongkai.tables.recover.split import (
    Candidate,
    Group,
    Splits,
    candidate,
    enumerate_readings,
    most_groups,
    only_zeros_short,
    split_digits,
)

__all__ = [
    "Group",
    "MakeValue",
    "Splits",
    "Text",
    "TextFact",
    "recover_flat",
    "recover_labeled",
    "split_digits",
    "text_facts",
]


def _resolve(
    spec: TableSpec,
    table: TableData,
    cands: dict[str, Candidate],
    facts_of: Callable[[], list[TextFact]],
    make: MakeValue,
) -> None:
    """Row constraint, then the column constraints jointly, then the text; then write."""
    for cand in cands.values():
        enumerate_readings(cand)
        cand.how = cand.base
        if len(cand.groups) > 1 and not cand.domain and not cand.short and not cand.splits.truncated:
            most_groups(cand)  # table 四 read as one run: no cut makes every group add up
    joint = bool(spec.sums_per("column"))  # table 三: its columns add up
    status = UNDECIDED
    unbalanced: list[str] = []
    if joint:
        status, keep, unbalanced = balanced_search(spec, table, cands)
        if status == SOLVED:
            for k in narrow(cands, keep):
                cands[k].how = constraint_of(cands[k], True, [])
    still = {k: c for k, c in cands.items() if len(c.domain) > 1}
    facts = facts_of() if still else []  # the text is read only when the sums leave readings open
    if still and facts:
        saved = {k: (list(c.domain), list(c.texts), c.how) for k, c in still.items()}
        used = narrow_by_facts(still, facts)
        if used:
            all_used = [f for fs in used.values() for f in fs]
            for k, fs in used.items():
                cands[k].how = cands[k].how + "+" + "+".join(f.label for f in fs)
            if joint:
                after, keep, _ = balanced_search(spec, table, cands)
                if after == UNSATISFIABLE and status != UNSATISFIABLE:
                    # the text contradicts the table's own arithmetic: it decides nothing
                    for k, (dom, texts, how) in saved.items():
                        cands[k].domain, cands[k].texts, cands[k].how = dom, texts, how
                elif after == SOLVED:
                    for k in narrow(cands, keep):
                        cands[k].how = constraint_of(cands[k], True, all_used)
    if status == UNSATISFIABLE:
        for cand in cands.values():
            if len(cand.domain) > 1:
                cand.reason = "column_balance_unsatisfiable"
    for cand in cands.values():
        if unbalanced and "column_balance" in cand.how:
            cand.unbalanced = unbalanced
        write(table, cand, make)


# The report's text, or what gives it when asked (it is read only when the sums leave readings open).
Text = str | Callable[[], str]


def recover_labeled(
    table: TableData,
    spec: TableSpec,
    glued: set[str],
    make: MakeValue,
    text: Text = "",
) -> None:
    """Recover the run-together rows of a labeled table (二 or 三) in place.

    ``glued``: the rows whose digits were glued to their label. ``make`` builds a Value for a
    column from a cell text (units, money) as the mapping would.
    """
    # Only a found row short of cells can be a candidate (candidate() leaves the others alone).
    rows = short_rows(table.rows.values())
    # Lost separators show in a row on its own (digits glued to the label, a run too long for one
    # count); then every row of the table that is short of cells is read as run together.
    table_evidence = any(candidate(spec, [r], r.key in glued, False)[1] for r in rows)
    if not table_evidence:
        return
    cands: dict[str, Candidate] = {}
    for row in rows:
        cand, _ = candidate(spec, [row], row.key in glued, True)
        if cand is not None and only_zeros_short(cand):
            zeros_one_per_cell(table, [row], cand)
        elif cand is not None:
            cands[row.key] = cand
    if cands:
        _resolve(spec, table, cands, partial(_text_facts, text, spec.key, spec.format), make)


def recover_flat(table: TableData, spec: TableSpec, glued: bool, make: MakeValue, text: Text = "") -> None:
    """Recover table 四 given as one run (or a few runs) of digits, in place: the three groups
    are read together, as the run fills them in order."""
    rows = [table.rows[k] for k in spec.rows]
    cand, _ = candidate(spec, rows, glued, False)
    if cand is None:
        return
    first = next((r for r in rows if r.found), rows[0])
    for r in rows:
        if not r.found:
            r.found, r.label, r.loc = True, spec.rows[r.key].label, first.loc
    if only_zeros_short(cand):
        zeros_one_per_cell(table, rows, cand)
        return
    _resolve(spec, table, {"*": cand}, partial(_text_facts, text, spec.key, spec.format), make)


def _text_facts(text: Text, table: str, format_id: str) -> list[TextFact]:
    return text_facts(text if isinstance(text, str) else text(), table, format_id)
