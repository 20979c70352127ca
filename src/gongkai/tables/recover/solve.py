"""Solving: the readings of run-together rows that the format's column sums allow.

Each per-column sum of the format (``sums`` in formats/*.toml, e.g. B001 一+二 = 三(七)+四 and
B003 （七）总计 = Σ outcome rows) is restated around the row every such sum shares (the pivot,
总计): ``pivot = Σ sign·row``. Each reading of the pivot is tried; an equation whose terms all add
(the outcome rows) is solved by sets of bounded partial sums, the others by trying the
combinations. A reading survives when some assignment of the other rows satisfies every equation.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from gongkai.formats import TableSpec
from gongkai.model import Row, TableData
from gongkai.tables.recover.split import MAX_STATES, Candidate, Vector, ints, whole

SOLVED, UNSATISFIABLE, UNDECIDED = "solved", "unsatisfiable", "undecided"


@dataclass(frozen=True, slots=True)
class PivotEquation:
    """A per-column sum restated around the pivot row: ``pivot = Σ terms[row]·row``."""

    terms: dict[str, int]  # row → +1 / -1, the pivot left out

    @property
    def additive(self) -> bool:
        return all(sign == 1 for sign in self.terms.values())


def equations(spec: TableSpec, table: TableData) -> tuple[str | None, list[PivotEquation | None]]:
    """The pivot row and the table's per-column sums around it; None for a sum that says
    nothing here (one of its rows is not in the table)."""
    sums = spec.sums_per("column")
    if not sums:
        return None, []

    def found(k: str) -> bool:
        return k in table.rows and table.rows[k].found

    operand_sets = [spec.sum_rows(s, found) for s in sums]
    common = set.intersection(*({*lhs, *rhs} for lhs, rhs in operand_sets))
    if not common:
        return None, []
    pivot = next(k for k in spec.rows if k in common)
    out: list[PivotEquation | None] = []
    for s, (lhs, rhs) in zip(sums, operand_sets, strict=True):
        keys = (*lhs, *rhs)
        if not all(found(k) for k in keys):
            out.append(None)
            continue
        p_sign = s.sign(pivot)
        out.append(PivotEquation({k: -p_sign * s.sign(k) for k in keys if k != pivot}))
    return pivot, out


def _int_vector(row: Row) -> tuple[int | None, ...] | None:
    if not row.found:
        return None
    return tuple(v.value if isinstance(v.value, int) else None for v in (row.values[c] for c in row.columns))


def column_search(
    spec: TableSpec, table: TableData, cands: dict[str, Candidate], only: Sequence[int] | None = None
) -> tuple[str, dict[str, set[int]]]:
    """For each ambiguous row, the readings that appear in at least one assignment satisfying
    every column sum (``SOLVED``), on the columns ``only`` (all by default).
    ``UNSATISFIABLE``: no assignment does (the report's own numbers do not balance);
    ``UNDECIDED``: no sum applies or the search is too large. Either way the sums then decide
    nothing."""
    variables = {k: [ints(r) for r in c.domain if whole(r)] for k, c in cands.items() if len(c.domain) > 1}
    if not variables:
        return UNDECIDED, {}
    pivot, eqs = equations(spec, table)
    if pivot is None:
        return UNDECIDED, {}
    fixed: dict[str, tuple[int | None, ...] | None] = {}
    for k, row in table.rows.items():
        if k in variables:
            continue
        cand = cands.get(k)
        if cand is None:
            fixed[k] = _int_vector(row)
        elif len(cand.domain) == 1:
            fixed[k] = tuple(v if isinstance(v, int) else None for v in cand.domain[0])
        else:
            fixed[k] = None  # no reading, or too many to know: this row is unknown
    width = len(spec.rows[pivot].columns)

    def participants(keys: Sequence[str]) -> list[int] | None:
        """Active columns of a sum over ``keys``: those every fixed row has a value in."""
        cols = list(range(width)) if only is None else list(only)
        for k in keys:
            if k in variables:
                continue
            vec = fixed.get(k)
            if vec is None:
                return None
            cols = [c for c in cols if vec[c] is not None]
        return cols or None

    active = [(eq, cols) for eq in eqs if eq is not None and (cols := participants([pivot, *eq.terms])) is not None]
    if not active:
        return UNDECIDED, {}

    feasible: dict[str, set[int]] = {k: set() for k in variables}
    pivots: list[tuple[int | None, Vector | None]] = [(None, None)]
    if pivot in variables:
        pivots = list(enumerate(variables[pivot]))
    states = 0
    for p_index, p_vec in pivots:
        pivot_vec = p_vec if p_vec is not None else fixed.get(pivot)
        assert pivot_vec is not None
        allowed: dict[str, set[int]] = {}
        holds = True
        for eq, cols in active:
            if eq.additive:
                result = _outcome_sum(variables, fixed, list(eq.terms), cols, pivot_vec)
                if result is None:
                    return UNDECIDED, {}  # too large
                got, used = result
                states += used
                if states > MAX_STATES:
                    return UNDECIDED, {}
            else:
                got = _balance(variables, fixed, eq.terms, cols, pivot_vec)
            if got is None:
                holds = False
                break
            for k, idx in got.items():
                allowed[k] = allowed[k] & idx if k in allowed else set(idx)
        if not holds:
            continue
        for k, idx in allowed.items():
            feasible[k] |= idx
        if p_index is not None:
            feasible[pivot].add(p_index)
    # variables outside every sum stay as they are
    touched = {pivot} | {k for eq, _ in active for k in eq.terms}
    for k in variables:
        if k not in touched:
            feasible[k] = set(range(len(variables[k])))
    if not any(feasible.values()):
        return UNSATISFIABLE, {}
    # map back to indices in the candidates' domains (non-integer readings were dropped above)
    mapped: dict[str, set[int]] = {}
    for k, idx in feasible.items():
        keep = {variables[k][i] for i in idx}
        mapped[k] = {i for i, r in enumerate(cands[k].domain) if r in keep}
    return SOLVED, mapped


def balanced_search(
    spec: TableSpec, table: TableData, cands: dict[str, Candidate]
) -> tuple[str, dict[str, set[int]], list[str]]:
    """The column search; when the columns do not balance together, again without the columns
    that balance under no reading (the report's own arithmetic is wrong there, as it often is),
    so that one wrong figure does not leave the whole table unread. Also returns those columns."""
    status, keep = column_search(spec, table, cands)
    if status != UNSATISFIABLE:
        return status, keep, []
    pivot, _ = equations(spec, table)
    assert pivot is not None
    columns = spec.rows[pivot].columns
    broken = [c for c in range(len(columns)) if column_search(spec, table, cands, [c])[0] == UNSATISFIABLE]
    rest = [c for c in range(len(columns)) if c not in broken]
    if not broken or not rest:
        return status, keep, []
    status, keep = column_search(spec, table, cands, rest)
    return status, keep, [columns[c] for c in broken]


def _balance(
    variables: dict[str, list[Vector]],
    fixed: dict[str, tuple[int | None, ...] | None],
    terms: dict[str, int],
    cols: list[int],
    pivot: Sequence[int | None],
) -> dict[str, set[int]] | None:
    """pivot = Σ sign·row on ``cols`` (new + carried_over - carried_forward = total): the
    readings of the variables among the terms that take part in a solution (None: there is no
    solution, or too many combinations to try)."""
    names = [k for k in terms if k in variables]
    target = [pivot[c] for c in cols]
    if any(v is None for v in target):
        return None
    need = [v for v in target if v is not None]
    for k, sign in terms.items():
        if k in variables:
            continue
        vec = fixed[k]
        assert vec is not None
        for j, c in enumerate(cols):
            need[j] -= sign * (vec[c] or 0)
    ok: dict[str, set[int]] = {k: set() for k in names}
    if not names:
        return ok if not any(need) else None
    # the last variable is looked up, the others are tried in every combination
    *tried, looked = names
    index: dict[Vector, list[int]] = {}
    for i, r in enumerate(variables[looked]):
        index.setdefault(tuple(terms[looked] * r[c] for c in cols), []).append(i)
    combos = 1
    for k in tried:
        combos *= len(variables[k])
    if combos > MAX_STATES:
        return None
    found = False
    for combo in itertools.product(*(list(enumerate(variables[k])) for k in tried)):
        rest = list(need)
        for k, (_, vec) in zip(tried, combo, strict=True):
            for j, c in enumerate(cols):
                rest[j] -= terms[k] * vec[c]
        hits = index.get(tuple(rest))
        if hits:
            found = True
            ok[looked].update(hits)
            for k, (i, _) in zip(tried, combo, strict=True):
                ok[k].add(i)
    return ok if found else None


def _outcome_sum(
    variables: dict[str, list[Vector]],
    fixed: dict[str, tuple[int | None, ...] | None],
    outcome: list[str],
    cols: list[int],
    total: Sequence[int | None],
) -> tuple[dict[str, set[int]] | None, int] | None:
    """total = Σ outcome rows on ``cols``: forward and backward sets of partial sums (each bounded
    by the total, as counts are never negative). Returns (readings that take part in a solution
    or None if there is none, states used), or None when the search is too large."""
    target = [total[c] for c in cols]
    if any(v is None for v in target):
        return {}, 0
    need = list(target)
    names: list[str] = []
    for k in outcome:
        if k in variables:
            names.append(k)
            continue
        vec = fixed[k]
        assert vec is not None
        for j, c in enumerate(cols):
            need[j] -= vec[c]  # type: ignore[operator]
    if any(v < 0 for v in need):  # type: ignore[operator]
        return None, 0
    goal: Vector = tuple(need)  # type: ignore[arg-type]
    proj = {k: [tuple(r[c] for c in cols) for r in variables[k]] for k in names}
    zero: Vector = tuple(0 for _ in cols)

    def add(a: Vector, b: Vector) -> Vector | None:
        out = tuple(x + y for x, y in zip(a, b, strict=True))
        return out if all(o <= g for o, g in zip(out, goal, strict=True)) else None

    def sums_along(order: Sequence[str], used: int) -> tuple[list[set[Vector]], int] | None:
        """The partial sums reachable after each row of *order* (bounded by the goal), and the
        states used so far; None past MAX_STATES."""
        reach: list[set[Vector]] = [{zero}]
        for k in order:
            nxt: set[Vector] = set()
            for f in reach[-1]:
                for r in proj[k]:
                    s = add(f, r)
                    if s is not None:
                        nxt.add(s)
            used += len(nxt)
            if used > MAX_STATES:
                return None
            reach.append(nxt)
        return reach, used

    walked = sums_along(names, 0)
    if walked is None:
        return None
    forward, used = walked
    if goal not in forward[-1]:
        return None, used
    walked = sums_along(list(reversed(names)), used)
    if walked is None:
        return None
    backward, used = walked
    backward.reverse()  # backward[i]: sums reachable with names[i:]
    ok: dict[str, set[int]] = {}
    for i, k in enumerate(names):
        ok[k] = set()
        after = backward[i + 1]
        for f in forward[i]:
            for j, r in enumerate(proj[k]):
                s = add(f, r)
                if s is None:
                    continue
                rest = tuple(g - x for g, x in zip(goal, s, strict=True))
                if rest in after:
                    ok[k].add(j)
    return ok, used


def narrow(cands: dict[str, Candidate], keep: dict[str, set[int]]) -> set[str]:
    """Keep only the readings in ``keep``; the candidates narrowed."""
    changed: set[str] = set()
    for k, idx in keep.items():
        cand = cands[k]
        if idx and len(idx) < len(cand.domain):
            order = sorted(idx)
            cand.domain = [cand.domain[i] for i in order]
            cand.texts = [cand.texts[i] for i in order]
            changed.add(k)
    return changed


# -- writing the result into the table -----------------------------------------------------------
