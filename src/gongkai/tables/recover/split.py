"""Splitting: the runs of digits of a row (or of table 四) and every way to cut them into cells.

``split_digits`` enumerates the cuts of a run into the cells of a row under the format's rules
(no leading zeros, a minus only in a signed cell, a decimal point only in money, a summed group's
last cell the sum of the others). ``candidate`` decides whether a row was run together and builds
what the solver works on; ``enumerate_readings`` fills in its readings.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from gongkai.document import Location
from gongkai.formats import TableSpec
from gongkai.memo import remember
from gongkai.model import Number, Row
from gongkai.normalize import fold

MAX_COUNT_DIGITS = 7  # no count in a report reaches ten million
MAX_MONEY_CHARS = 14  # 万元 amounts with decimals
MAX_READINGS = 1000  # more readings than this: the row is reported ambiguous, readings truncated
MAX_STEPS = 400_000  # search steps per row before giving up (reported as truncated)
MAX_STATES = 200_000  # states of the column search before giving up on the column constraints
LONG_RUN = 7  # a run of this many digits is no single count: separators were lost
SHOWN_READINGS = 50  # readings listed in an ambiguity entry

# One cell of a row: its kind decides what the digits may be.
COUNT, SIGNED, MONEY = "count", "signed", "money"

_COUNT_RE = re.compile(r"^(?:0|[1-9]\d*)$")
_SIGNED_RE = re.compile(r"^-?(?:0|[1-9]\d*)$")
_MONEY_RE = re.compile(r"^(?:0|[1-9]\d*)(?:\.\d+)?$")
NULL_CHARS = frozenset("—─-/")  # after fold: ―━ → —, － → -, ／ → /
# A number (a minus sign only right before digits) or a run of null markers (——, /).
_PART_RE = re.compile(r"-(?=\d)[\d.]*|[\d.]+|[—─/\-]+")
_UNIT_RE = re.compile(r"(万元|元)$")


# --------------------------------------------------------------------------------------------
# Splitting one run of digits


@dataclass(frozen=True, slots=True)
class Group:
    """``size`` consecutive cells; with ``sums`` the last one is the sum of the others."""

    size: int
    sums: bool = False


@dataclass(slots=True)
class Splits:
    """The readings of a run: each a tuple of cell texts, in the order of the cells."""

    readings: list[tuple[str, ...]]
    truncated: bool = False  # the search stopped early: the list is incomplete


def _cell_value(text: str, kind: str) -> Number | None:
    """The number a cell text stands for under the format's rules, or None if it cannot be one."""
    if kind == MONEY:
        if len(text) > MAX_MONEY_CHARS or not _MONEY_RE.match(text):
            return None
        number = Decimal(text)
        return int(number) if number == number.to_integral_value() else number
    pattern = _SIGNED_RE if kind == SIGNED else _COUNT_RE
    if len(text.lstrip("-")) > MAX_COUNT_DIGITS or not pattern.match(text) or text == "-0":
        return None
    return int(text)


def split_digits(
    runs: Sequence[str],
    groups: Sequence[Group],
    kinds: Sequence[str] | None = None,
    *,
    cap: int = MAX_READINGS,
    budget: int = MAX_STEPS,
) -> Splits:
    """Every way to cut ``runs`` into the cells of ``groups``.

    ``runs`` are the pieces of digits as found, in order; a boundary between two pieces (a space
    that survived, a minus sign) is always a cell boundary. No number has a leading zero except
    ``0`` itself; a minus sign only starts a ``signed`` cell, a decimal point only sits inside a
    ``money`` cell. In a ``sums`` group the last cell must spell the sum of the others, which
    leaves very few readings. Stops after ``cap`` readings or ``budget`` search steps
    (``truncated``).
    """
    n = sum(g.size for g in groups)
    kinds = tuple(kinds) if kinds is not None else (COUNT,) * n
    if len(kinds) != n:
        raise ValueError("one kind per cell")
    key = (tuple(runs), tuple(groups), kinds, cap, budget)
    known = _SPLITS.get(key)
    if known is None:
        known = _split_digits(*key)
        if len(known[0]) <= CACHED_READINGS:  # the common rows; a long list is worked out again
            remember(_SPLITS, 4096, key, known)
    return Splits(list(known[0]), known[1])


# Readings of runs already split, by (runs, groups, kinds, cap, budget): rows repeat from report to
# report (0000000, 0 0 0 0 0 0 0, 1 0 0 0 0 0 1), and the cuts are a pure function of them.
_SPLITS: dict[tuple[Any, ...], tuple[tuple[tuple[str, ...], ...], bool]] = {}
CACHED_READINGS = 64


def _split_digits(
    runs: tuple[str, ...], groups: tuple[Group, ...], kinds: tuple[str, ...], cap: int, budget: int
) -> tuple[tuple[tuple[str, ...], ...], bool]:
    n = len(kinds)
    s = "".join(runs)
    size = len(s)
    breaks = set(itertools.accumulate(len(r) for r in runs[:-1]))
    next_break = [size] * (size + 1)
    nxt = size
    for i in range(size - 1, -1, -1):
        next_break[i] = nxt
        if i in breaks:
            nxt = i
    # the group each cell is in, and whether it is the group's sum cell
    group_of: list[int] = []
    for gi, g in enumerate(groups):
        group_of.extend([gi] * g.size)
    group_start = list(itertools.accumulate([0] + [g.size for g in groups]))
    longest = [MAX_MONEY_CHARS if k == MONEY else MAX_COUNT_DIGITS + (k == SIGNED) for k in kinds]

    digit_sum = list(itertools.accumulate((int(ch) if ch.isdigit() else 0 for ch in s), initial=0))
    out: list[tuple[str, ...]] = []
    steps = 0
    truncated = False
    cells: list[str] = []

    class _Stop(Exception):
        pass

    def fits(start: int, end: int) -> bool:
        """A cell may span s[start:end]: inside one run, not cutting a number at its decimal point."""
        if end > next_break[start]:
            return False
        return not (end < size and (s[end] == "." or s[end - 1] == "."))

    def room(cell: int, pos: int) -> bool:
        left = n - cell
        chars = size - pos
        return left <= chars <= sum(longest[cell:])

    def dfs(pos: int, cell: int, partial: int) -> None:
        nonlocal steps, truncated
        steps += 1
        if steps > budget:
            truncated = True
            raise _Stop
        if cell == n:
            if pos == size:
                out.append(tuple(cells))
                if len(out) >= cap:
                    truncated = True
                    raise _Stop
            return
        if not room(cell, pos):
            return
        g = groups[group_of[cell]]
        first = group_start[group_of[cell]]
        last_of_group = cell == first + g.size - 1
        if g.sums and last_of_group:
            text = str(partial)
            end = pos + len(text)
            if s.startswith(text, pos) and fits(pos, end) and _cell_value(text, kinds[cell]) is not None:
                cells.append(text)
                dfs(end, cell + 1, 0)
                cells.pop()
            return
        if g.sums and cell == first and group_of[cell] == len(groups) - 1:
            # The last group ends the run: its sum cell is a suffix; try each and split the rest.
            for length in range(1, size - pos):
                start = size - length
                if not fits(start, size) or start - pos < g.size - 1:
                    continue
                total = _cell_value(s[start:], kinds[first + g.size - 1])
                if not isinstance(total, int):
                    continue
                # However digits are cut into numbers, the numbers add up to their digit sum
                # modulo 9: most suffixes cannot be the total.
                if (total - digit_sum[start] + digit_sum[pos]) % 9:
                    continue
                members(pos, start, cell, g.size - 1, total, 0)
            return
        if s[pos] in NULL_CHARS and not (s[pos] == "-" and s[pos + 1 : pos + 2].isdigit()):
            # an empty cell written as —— or /: never in a sum group, whose arithmetic needs it
            if g.sums:
                return
            for end in range(pos + 1, next_break[pos] + 1):
                cells.append(s[pos:end])
                dfs(end, cell + 1, 0)
                cells.pop()
            return
        for end in range(pos + 1, min(next_break[pos], pos + longest[cell]) + 1):
            if not fits(pos, end):
                continue
            value = _cell_value(s[pos:end], kinds[cell])
            if value is None:
                continue
            if g.sums:
                if not isinstance(value, int) or value < 0:
                    continue
                # the members left and the sum cell must still fit in what remains
                left_members = first + g.size - 1 - cell - 1
                if size - end < left_members + len(str(partial + value)):
                    continue
                cells.append(s[pos:end])
                dfs(end, cell + 1, partial + value)
            else:
                cells.append(s[pos:end])
                dfs(end, cell + 1, 0)
            cells.pop()

    dead: set[tuple[int, int, int, int]] = set()  # (pos, stop, members left, remainder): no solution

    def members(pos: int, stop: int, cell: int, left: int, total: int, partial: int) -> None:
        """The members of the last sum group: cut s[pos:stop] into ``left`` numbers adding up to
        ``total - partial``; then the sum cell s[stop:] closes the run."""
        nonlocal steps, truncated
        steps += 1
        if steps > budget:
            truncated = True
            raise _Stop
        if left == 0:
            if pos == stop and partial == total:
                cells.append(s[stop:])
                out.append(tuple(cells))
                cells.pop()
                if len(out) >= cap:
                    truncated = True
                    raise _Stop
            return
        rest = total - partial
        chars = stop - pos
        width = len(str(rest))  # no member can have more digits than what is left to add up
        if not left <= chars <= left * width:
            return
        widest = -(-chars // left)  # some member has at least this many digits
        if widest > 1 and 10 ** (widest - 1) > rest:
            return
        state = (pos, stop, left, rest)
        if state in dead:
            return
        before = len(out)
        limit = min(next_break[pos], stop, pos + width)
        for end in range(pos + 1, limit + 1):
            if not fits(pos, end) or (end < stop and stop - end < left - 1):
                continue
            if left == 1 and end != stop:
                continue
            text = s[pos:end]
            if kinds[cell] == COUNT:  # the common case, without the regex
                if not text.isdigit() or (text[0] == "0" and len(text) > 1):
                    continue
                value: Number | None = int(text)
            else:
                value = _cell_value(text, kinds[cell])
            if not isinstance(value, int) or value < 0 or value > rest:
                continue
            cells.append(s[pos:end])
            members(end, stop, cell + 1, left - 1, total, partial + value)
            cells.pop()
        if len(out) == before:
            dead.add(state)  # the same digits, cells and remainder fail again from anywhere

    with contextlib.suppress(_Stop):
        dfs(0, 0, 0)
    return tuple(out), truncated


def runs_of(raws: Sequence[str]) -> tuple[list[str], list[int], str | None] | None:
    found = _runs_of(tuple(raws))
    return None if found is None else (list(found[0]), list(found[1]), found[2])


@lru_cache(maxsize=16384)
def _runs_of(raws: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[int, ...], str | None] | None:
    """The pieces of a row's cells — runs of digits, split at spaces, minus signs and null markers
    (``0————`` → ``0``, ``————``) — the cell each piece came from, and a unit written after the
    last one (``1036609万元``); None when a cell holds anything else."""
    pieces: list[str] = []
    origin: list[int] = []
    unit: str | None = None
    for i, raw in enumerate(raws):
        text = fold(raw).strip()
        if i == len(raws) - 1:
            m = _UNIT_RE.search(text)
            if m:
                unit = m.group(1)
                text = text[: m.start()].strip()
        for piece in text.split():
            parts = _PART_RE.findall(piece)
            if "".join(parts) != piece:
                return None
            pieces.extend(parts)
            origin.extend([i] * len(parts))
    return (tuple(pieces), tuple(origin), unit) if pieces else None


# --------------------------------------------------------------------------------------------
# Counts stated in the text


@dataclass(slots=True)
class Candidate:
    """A row (or, for table 四, the whole table) to recover."""

    rows: list[str]  # row keys, in order
    columns: list[tuple[str, str]]  # (row, column) of every cell, in order
    kinds: list[str]
    groups: list[Group]
    raw: str  # the digits as found
    pieces: list[str]
    piece_locs: list[Location]
    unit: str | None
    base: str  # the row constraint: row_sum / group_sum / unique_split
    splits: Splits = field(default_factory=lambda: Splits([]))
    domain: list[tuple[Number | None, ...]] = field(default_factory=list)
    texts: list[tuple[str, ...]] = field(default_factory=list)
    how: str = ""  # inferred_by for what is fixed
    reason: str | None = None
    short: bool = False  # run together, but fewer digits than cells: an empty cell vanished
    unbalanced: list[str] = field(default_factory=list)  # columns left out of column_balance


def _kind(spec: TableSpec, column: str) -> str:
    col = spec.columns[column]
    if col.kind == "money":
        return MONEY
    return SIGNED if col.signed else COUNT


def _groups(spec: TableSpec, columns: tuple[str, ...]) -> list[Group]:
    """One group per row; it sums when the format declares its last column the sum of the
    others (a per-row sum: 总计 of table 三's rows, of table 四's groups)."""
    return [Group(len(columns), sums=spec.row_sum(columns) is not None)]


@lru_cache(maxsize=16384)
def _capacity(raws: tuple[str, ...]) -> int:
    """How many cells the characters could make at most."""
    return sum(ch.isdigit() or ch in NULL_CHARS for raw in raws for ch in fold(raw))


@lru_cache(maxsize=16384)
def _not_one_number(raws: tuple[str, ...]) -> bool:
    """A run of digits that cannot be one count: too long, or a leading zero (``000``)."""
    return any(
        len(m) >= LONG_RUN or (len(m) > 1 and m[0] == "0")
        for raw in raws
        for m in re.findall(r"(?<![\d.])\d+(?![\d.])", fold(raw))
    )


def candidate(spec: TableSpec, rows: list[Row], glued: bool, table_evidence: bool) -> tuple[Candidate | None, bool]:
    """The recovery candidate for these rows (one row, or table 四's three), and whether they show
    evidence of lost separators on their own."""
    raws = tuple([raw for r in rows for raw in r.cell_raws()])  # (the rows' values are not made)
    expected = sum(r.expected for r in rows)
    if not raws or len(raws) >= expected or any([s == "blank" for r in rows for s in r.cell_statuses()]):
        return None, False  # a row with all its cells was not run together
    evidence = glued or _not_one_number(raws)
    if not (evidence or table_evidence):
        return None, evidence
    found = runs_of(raws)
    if found is None:
        return None, evidence
    pieces, origin, unit = found
    short = _capacity(raws) < expected
    if short and not evidence:
        return None, evidence  # separate numbers, too few of them: an irregular row, kept as found
    cells = [c for r in rows for c in r.cells]
    locs = [cells[i].loc for i in origin]
    columns = [(r.key, col) for r in rows for col in r.columns]
    groups = [g for r in rows for g in _groups(spec, r.columns)]
    base = "group_sum" if len(rows) > 1 else ("row_sum" if groups[0].sums else "unique_split")
    return (
        Candidate(
            rows=[r.key for r in rows],
            columns=columns,
            kinds=[_kind(spec, col) for _, col in columns],
            groups=groups,
            raw=" ".join([raw.strip() for raw in raws]),
            pieces=pieces,
            piece_locs=locs,
            unit=unit,
            base=base,
            short=short,
        ),
        evidence,
    )


def is_null(text: str) -> bool:
    return all(ch in NULL_CHARS for ch in text)


def reading_values(texts: tuple[str, ...], kinds: Sequence[str]) -> tuple[Number | None, ...]:
    return _reading_values(texts, tuple(kinds))


@lru_cache(maxsize=65536)
def _reading_values(texts: tuple[str, ...], kinds: tuple[str, ...]) -> tuple[Number | None, ...]:
    return tuple(None if is_null(t) else _cell_value(t, k) for t, k in zip(texts, kinds, strict=True))


def _unevenness(texts: tuple[str, ...]) -> int:
    return sum(len(t) ** 2 for t in texts if is_null(t))


def enumerate_readings(cand: Candidate) -> None:
    if cand.short:
        cand.splits, cand.domain, cand.texts = Splits([]), [], []
        cand.reason = "fewer_digits_than_cells"
        return
    cand.splits = split_digits(cand.pieces, cand.groups, cand.kinds)
    forced = _one_digit_each(cand) if not cand.splits.readings else None
    if forced is not None:
        # As many digits as cells: one digit per cell is the only cut, even though a sum fails.
        # The failing sum is the report's own inconsistency, for the B rules to report.
        cand.splits, cand.base = Splits([forced]), "unique_split"
    seen: dict[tuple[Number | None, ...], tuple[str, ...]] = {}
    for texts in cand.splits.readings:  # ———— cut two ways is the same reading: keep the even cut
        values = reading_values(texts, cand.kinds)
        if values not in seen or _unevenness(texts) < _unevenness(seen[values]):
            seen[values] = texts
    cand.domain = list(seen)
    cand.texts = list(seen.values())
    if cand.splits.truncated:
        cand.reason = "too_many_readings"
    elif not cand.texts:
        cand.reason = f"no_reading:{cand.base}" if cand.base != "unique_split" else "no_reading"


def _one_digit_each(cand: Candidate) -> tuple[str, ...] | None:
    if any(k == MONEY for k in cand.kinds):
        return None
    chars = [ch for piece in cand.pieces for ch in fold(piece)]
    if len(chars) == len(cand.columns) and all(ch.isdigit() for ch in chars):
        return tuple(chars)
    return None


def most_groups(cand: Candidate) -> None:
    """No cut of table 四's run makes every group's 总计 the sum of its four: the report's own
    figures disagree somewhere. Keep the cuts under which the most groups add up; the groups they
    all read alike are filled (inferred, group_sum), the others stay null, and ``reason`` names
    the groups no cut makes add up (B004 reports them)."""
    free = split_digits(cand.pieces, [Group(g.size) for g in cand.groups], cand.kinds)
    if free.truncated or not free.readings:
        return
    scored: list[tuple[int, tuple[str, ...], list[bool]]] = []
    for texts in free.readings:
        values = reading_values(texts, cand.kinds)
        holds, at = [], 0
        for g in cand.groups:
            part = values[at : at + g.size]
            at += g.size
            whole = all(v is not None for v in part)
            holds.append(whole and sum(v for v in part[:-1] if v is not None) == part[-1])
        scored.append((sum(holds), texts, holds))
    best = max(score for score, _, _ in scored)
    if best == 0:
        return
    kept = [(texts, holds) for score, texts, holds in scored if score == best]
    failing = {i for _, holds in kept for i, ok in enumerate(holds) if not ok}
    cand.texts = [texts for texts, _ in kept]
    cand.domain = [reading_values(t, cand.kinds) for t in cand.texts]
    cand.how = "group_sum"
    cand.reason = "group_sum_unsatisfiable:" + ",".join(cand.rows[i] for i in sorted(failing))


def only_zeros_short(cand: Candidate) -> bool:
    """Fewer digits than cells, all of them zeros: with no leading zeros, every 0 is a cell of its
    own, so the one reading is one zero per cell — a row short of cells, as it was before its
    separators were lost (003: six zeros for seven columns)."""
    return cand.short and all(set(p) == {"0"} for p in cand.pieces)


Vector = tuple[int, ...]


def whole(reading: Iterable[Number | None]) -> bool:
    return all(isinstance(v, int) for v in reading)


def ints(reading: Iterable[Number | None]) -> Vector:
    return tuple(v if isinstance(v, int) else 0 for v in reading)
