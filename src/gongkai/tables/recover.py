"""Recover table rows whose cell separators were lost.

Crawlers and "copy as text" drop the separators between table cells, so a row arrives as one run
of digits (``一、本年新收政府信息公开申请数量12034132176 1272``, ``行政规范性文件124388``, a whole
table 四 as ``…总计201361000100000``). The format's own arithmetic usually leaves one reading:

* ``row_sum`` — table 三: in every row the last number (总计) is the sum of the six before it;
* ``group_sum`` — table 四: in each group of five the fifth number is the sum of the first four;
* ``column_balance`` — table 三, per column: new + carried_over = total + carried_forward, and
  total = the sum of the outcome rows (``RowSpec.outcome``); solved jointly over every row that
  is still ambiguous (a small constraint search);
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
"""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from gongkai.document import Location
from gongkai.formats import TableSpec
from gongkai.model import Number, Row, TableData, Value
from gongkai.normalize import fold

__all__ = [
    "Group",
    "Splits",
    "TextFact",
    "recover_flat",
    "recover_labeled",
    "split_digits",
    "text_facts",
]

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

MakeValue = Callable[[str, str, Location], Value]  # (column key, cell text, loc) → Value


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
    kinds = list(kinds) if kinds is not None else [COUNT] * n
    if len(kinds) != n:
        raise ValueError("one kind per cell")
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
    return Splits(out, truncated)


def runs_of(raws: Sequence[str]) -> tuple[list[str], list[int], str | None] | None:
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
    return (pieces, origin, unit) if pieces else None


# --------------------------------------------------------------------------------------------
# Counts stated in the text


@dataclass(frozen=True, slots=True)
class TextFact:
    """A count the report states in words: ``cells`` (row, column) add up to ``value``."""

    cells: tuple[tuple[str, str], ...]
    value: int
    words: str  # what the text calls it, for ``inferred_by`` (text:本年新收 1272)

    @property
    def label(self) -> str:
        return f"text:{self.words} {self.value}"


_N = r"(\d+)\s*(?:件|个|条|份|宗|起|次)"
_GAP = r"[^。；;，,\d]{0,%d}?"


def _facts_patterns(table: str, format_id: str) -> list[tuple[re.Pattern[str], tuple[tuple[str, str], ...], str]]:
    pats: list[tuple[str, tuple[tuple[str, str], ...], str]] = []
    if table == "requests":
        new = (("new", "total"),)
        pats += [
            (r"(?:收到|新收|受理|接收)" + _GAP % 16 + r"申请" + _GAP % 8 + _N, new, "本年新收"),
            (r"(?:收到|新收|受理|接收)" + _GAP % 8 + _N + _GAP % 10 + r"申请", new, "本年新收"),
            (r"上年结转" + _GAP % 16 + _N, (("carried_over", "total"),), "上年结转"),
            (r"结转(?:至|到)?下一?年度?" + _GAP % 12 + _N, (("carried_forward", "total"),), "结转下年度"),
            (_N + _GAP % 8 + r"结转(?:至|到)?下一?年", (("carried_forward", "total"),), "结转下年度"),
            (r"自然人" + _GAP % 6 + _N, (("new", "natural_person"),), "自然人"),
            (
                r"法人或其他组织" + _GAP % 6 + _N,
                tuple(("new", c) for c in ("commercial", "research", "nonprofit", "legal_services", "other_org")),
                "法人或其他组织",
            ),
            (r"(?<!不)予以公开" + _GAP % 4 + _N, (("granted", "total"),), "予以公开"),
            (r"部分公开" + _GAP % 4 + _N, (("partly_granted", "total"),), "部分公开"),
            (r"(?:办结|答复)" + _GAP % 6 + _N, (("total", "total"),), "办结"),
        ]
    elif table == "appeals":
        pats += [
            (r"行政复议" + _GAP % 6 + _N, (("review", "total"),), "行政复议"),
            (_N + _GAP % 6 + r"行政复议", (("review", "total"),), "行政复议"),
            (
                r"行政诉讼" + _GAP % 6 + _N,
                (("litigation_direct", "total"), ("litigation_after_review", "total")),
                "行政诉讼",
            ),
        ]
    elif table == "proactive":
        cols = (
            {"issued": ("制发", "印发", "出台", "制定"), "repealed": ("废止",), "in_force": ("现行有效",)}
            if format_id != "2019"
            else {"made": ("制作", "制定", "制发"), "published": ("公开",)}
        )
        for row, words in (("rules", "规章"), ("normative_documents", "(?:行政)?规范性文件")):
            name = "规章" if row == "rules" else "规范性文件"
            for col, verbs in cols.items():
                verb = "(?:" + "|".join(verbs) + ")"
                pats += [
                    (verb + _GAP % 6 + words + _GAP % 4 + _N, ((row, col),), f"{verbs[0]}{name}"),
                    (verb + _GAP % 4 + _N + _GAP % 4 + words, ((row, col),), f"{verbs[0]}{name}"),
                ]
    return [(re.compile(p), cells, words) for p, cells, words in pats]


def text_facts(text: str, table: str, format_id: str = "2021") -> list[TextFact]:
    """Counts the text states for cells of ``table`` (全区共收到1272件申请 → new.total = 1272).

    A fact stated twice with different numbers says nothing and is dropped.
    """
    if not text:
        return []
    flat = re.sub(r"\s+", "", fold(text))
    found: dict[tuple[tuple[str, str], ...], set[int]] = {}
    words_of: dict[tuple[tuple[str, str], ...], str] = {}
    for pattern, cells, words in _facts_patterns(table, format_id):
        for m in pattern.finditer(flat):
            found.setdefault(cells, set()).add(int(m.group(1)))
            words_of[cells] = words
    return [TextFact(cells, next(iter(vals)), words_of[cells]) for cells, vals in found.items() if len(vals) == 1]


# --------------------------------------------------------------------------------------------
# Table level: which rows to recover, and resolving them


@dataclass(slots=True)
class _Candidate:
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


def _groups(columns: Sequence[str]) -> list[Group]:
    if len(columns) > 1 and columns[-1] == "total":
        return [Group(len(columns), sums=True)]
    return [Group(len(columns))]


def _capacity(raws: Iterable[str]) -> int:
    """How many cells the characters could make at most."""
    return sum(ch.isdigit() or ch in NULL_CHARS for raw in raws for ch in fold(raw))


def _not_one_number(raws: Iterable[str]) -> bool:
    """A run of digits that cannot be one count: too long, or a leading zero (``000``)."""
    return any(
        len(m) >= LONG_RUN or (len(m) > 1 and m[0] == "0")
        for raw in raws
        for m in re.findall(r"(?<![\d.])\d+(?![\d.])", fold(raw))
    )


def _candidate(spec: TableSpec, rows: list[Row], glued: bool, table_evidence: bool) -> tuple[_Candidate | None, bool]:
    """The recovery candidate for these rows (one row, or table 四's three), and whether they show
    evidence of lost separators on their own."""
    cells = [c for r in rows for c in r.cells]
    expected = sum(r.expected for r in rows)
    raws = [c.raw for c in cells]
    if not cells or len(cells) >= expected or any(c.status == "blank" for c in cells):
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
    locs = [cells[i].loc for i in origin]
    columns = [(r.key, col) for r in rows for col in r.columns]
    groups = [g for r in rows for g in _groups(r.columns)]
    base = "group_sum" if len(rows) > 1 else ("row_sum" if groups[0].sums else "unique_split")
    return (
        _Candidate(
            rows=[r.key for r in rows],
            columns=columns,
            kinds=[_kind(spec, col) for _, col in columns],
            groups=groups,
            raw=" ".join(c.raw.strip() for c in cells),
            pieces=pieces,
            piece_locs=locs,
            unit=unit,
            base=base,
            short=short,
        ),
        evidence,
    )


def _is_null(text: str) -> bool:
    return all(ch in NULL_CHARS for ch in text)


def _reading_values(texts: tuple[str, ...], kinds: Sequence[str]) -> tuple[Number | None, ...]:
    return tuple(None if _is_null(t) else _cell_value(t, k) for t, k in zip(texts, kinds, strict=True))


def _unevenness(texts: tuple[str, ...]) -> int:
    return sum(len(t) ** 2 for t in texts if _is_null(t))


def _enumerate(cand: _Candidate) -> None:
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
        values = _reading_values(texts, cand.kinds)
        if values not in seen or _unevenness(texts) < _unevenness(seen[values]):
            seen[values] = texts
    cand.domain = list(seen)
    cand.texts = list(seen.values())
    if cand.splits.truncated:
        cand.reason = "too_many_readings"
    elif not cand.texts:
        cand.reason = f"no_reading:{cand.base}" if cand.base != "unique_split" else "no_reading"


def _one_digit_each(cand: _Candidate) -> tuple[str, ...] | None:
    if any(k == MONEY for k in cand.kinds):
        return None
    chars = [ch for piece in cand.pieces for ch in fold(piece)]
    if len(chars) == len(cand.columns) and all(ch.isdigit() for ch in chars):
        return tuple(chars)
    return None


def _apply_facts(cands: dict[str, _Candidate], facts: list[TextFact]) -> dict[str, list[TextFact]]:
    """Keep the readings of each still ambiguous candidate that agree with the text; a fact that
    agrees with no reading is ignored. Returns the facts used, per candidate."""
    used: dict[str, list[TextFact]] = {}
    for name, cand in cands.items():
        if len(cand.domain) <= 1 or cand.splits.truncated:
            continue
        for fact in facts:
            idx = [cand.columns.index(c) for c in fact.cells if c in cand.columns]
            if len(idx) != len(fact.cells):
                continue
            keep = [i for i, r in enumerate(cand.domain) if sum(_ints(r[j] for j in idx)) == fact.value]
            if keep and len(keep) < len(cand.domain):  # a fact that fits no reading is ignored
                cand.domain = [cand.domain[i] for i in keep]
                cand.texts = [cand.texts[i] for i in keep]
                used.setdefault(name, []).append(fact)
    return used


# -- the column constraints of table 三 --------------------------------------------------------


Vector = tuple[int, ...]


def _whole(reading: Iterable[Number | None]) -> bool:
    return all(isinstance(v, int) for v in reading)


def _ints(reading: Iterable[Number | None]) -> Vector:
    return tuple(v if isinstance(v, int) else 0 for v in reading)


def _int_vector(row: Row) -> tuple[int | None, ...] | None:
    if not row.found:
        return None
    return tuple(v.value if isinstance(v.value, int) else None for v in (row.values[c] for c in row.columns))


SOLVED, UNSATISFIABLE, UNDECIDED = "solved", "unsatisfiable", "undecided"


def _column_search(
    spec: TableSpec, table: TableData, cands: dict[str, _Candidate], only: Sequence[int] | None = None
) -> tuple[str, dict[str, set[int]]]:
    """For each ambiguous row of table 三, the readings that appear in at least one assignment
    satisfying every column constraint (``SOLVED``), on the columns ``only`` (all by default).
    ``UNSATISFIABLE``: no assignment does (the report's own numbers do not balance);
    ``UNDECIDED``: no constraint applies or the search is too large. Either way the constraints
    then decide nothing."""
    variables = {k: [_ints(r) for r in c.domain if _whole(r)] for k, c in cands.items() if len(c.domain) > 1}
    if not variables:
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
    width = len(spec.rows["total"].columns) if "total" in spec.rows else 0

    def participants(keys: Sequence[str]) -> list[int] | None:
        """Active columns of a constraint over ``keys``: those every fixed row has a value in."""
        cols = list(range(width)) if only is None else list(only)
        for k in keys:
            if k in variables:
                continue
            vec = fixed.get(k)
            if vec is None:
                return None
            cols = [c for c in cols if vec[c] is not None]
        return cols or None

    outcome = _outcome_rows(spec, table)
    balance_keys = ("new", "carried_over", "total", "carried_forward")
    bal_cols = participants(balance_keys) if all(k in table.rows for k in balance_keys) else None
    out_cols = participants(["total", *outcome]) if outcome is not None and "total" in table.rows else None
    if bal_cols is None and out_cols is None:
        return UNDECIDED, {}

    feasible: dict[str, set[int]] = {k: set() for k in variables}
    totals: list[tuple[int | None, Vector | None]] = [(None, None)]
    if "total" in variables:
        totals = list(enumerate(variables["total"]))
    states = 0
    for t_index, t_vec in totals:
        total_vec = t_vec if t_vec is not None else fixed.get("total")
        ok_bal: dict[str, set[int]] = {}
        ok_out: dict[str, set[int]] = {}
        if bal_cols is not None:
            assert total_vec is not None
            got = _balance(variables, fixed, bal_cols, total_vec)
            if got is None:
                continue
            ok_bal = got
        if out_cols is not None and outcome is not None:
            assert total_vec is not None
            result = _outcome_sum(variables, fixed, outcome, out_cols, total_vec)
            if result is None:
                return UNDECIDED, {}  # too large
            got_out, used = result
            states += used
            if states > MAX_STATES:
                return UNDECIDED, {}
            if got_out is None:
                continue
            ok_out = got_out
        for k, idx in (*ok_bal.items(), *ok_out.items()):
            feasible[k] |= idx
        if t_index is not None:
            feasible["total"].add(t_index)
    # variables outside both constraints stay as they are
    for k in variables:
        touched = (
            (bal_cols is not None and k in balance_keys and k != "total")
            or (out_cols is not None and outcome is not None and k in outcome)
            or k == "total"
        )
        if not touched:
            feasible[k] = set(range(len(variables[k])))
    if not any(feasible.values()):
        return UNSATISFIABLE, {}
    # map back to indices in the candidates' domains (non-integer readings were dropped above)
    mapped: dict[str, set[int]] = {}
    for k, idx in feasible.items():
        keep = {variables[k][i] for i in idx}
        mapped[k] = {i for i, r in enumerate(cands[k].domain) if r in keep}
    return SOLVED, mapped


def _balanced_search(
    spec: TableSpec, table: TableData, cands: dict[str, _Candidate]
) -> tuple[str, dict[str, set[int]], list[str]]:
    """The column search; when the columns do not balance together, again without the columns
    that balance under no reading (the report's own arithmetic is wrong there, as it often is),
    so that one wrong figure does not leave the whole table unread. Also returns those columns."""
    status, keep = _column_search(spec, table, cands)
    if status != UNSATISFIABLE:
        return status, keep, []
    width = len(spec.rows["total"].columns)
    broken = [c for c in range(width) if _column_search(spec, table, cands, [c])[0] == UNSATISFIABLE]
    rest = [c for c in range(width) if c not in broken]
    if not broken or not rest:
        return status, keep, []
    status, keep = _column_search(spec, table, cands, rest)
    return status, keep, [spec.rows["total"].columns[c] for c in broken]


def _outcome_rows(spec: TableSpec, table: TableData) -> list[str] | None:
    """The rows that add up to 总计 in this table, or None when one of them is missing (the sum
    would then say nothing)."""
    keys = list(spec.outcome_rows)
    handling = table.rows.get("other_handling")
    replaced = set(spec.rows["other_handling"].replaces) if "other_handling" in spec.rows else set()
    if handling is not None and handling.found and replaced:
        keys = [k for k in keys if k not in replaced]
    elif replaced:
        keys = [k for k in keys if k != "other_handling"]
    if any(not table.rows[k].found for k in keys):
        return None
    return keys


def _balance(
    variables: dict[str, list[Vector]],
    fixed: dict[str, tuple[int | None, ...] | None],
    cols: list[int],
    total: Sequence[int | None],
) -> dict[str, set[int]] | None:
    """new + carried_over = total + carried_forward on ``cols``: the readings of the variables
    among new / carried_over / carried_forward that take part in a solution (None: there is no
    solution, or too many combinations to try)."""
    names = [k for k in ("new", "carried_over", "carried_forward") if k in variables]
    signs = {"new": 1, "carried_over": 1, "carried_forward": -1}
    target = [total[c] for c in cols]
    if any(v is None for v in target):
        return None
    need = [v for v in target if v is not None]
    for k in ("new", "carried_over", "carried_forward"):
        if k in variables:
            continue
        vec = fixed[k]
        assert vec is not None
        for j, c in enumerate(cols):
            need[j] -= signs[k] * (vec[c] or 0)
    ok: dict[str, set[int]] = {k: set() for k in names}
    if not names:
        return ok if not any(need) else None
    # the last variable is looked up, the others are tried in every combination
    *tried, looked = names
    index: dict[Vector, list[int]] = {}
    for i, r in enumerate(variables[looked]):
        index.setdefault(tuple(signs[looked] * r[c] for c in cols), []).append(i)
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
                rest[j] -= signs[k] * vec[c]
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

    forward: list[set[Vector]] = [{zero}]
    used = 0
    for k in names:
        nxt: set[Vector] = set()
        for f in forward[-1]:
            for r in proj[k]:
                s = add(f, r)
                if s is not None:
                    nxt.add(s)
        used += len(nxt)
        if used > MAX_STATES:
            return None
        forward.append(nxt)
    if goal not in forward[-1]:
        return None, used
    backward: list[set[Vector]] = [{zero}]
    for k in reversed(names):
        nxt = set()
        for b in backward[-1]:
            for r in proj[k]:
                s = add(b, r)
                if s is not None:
                    nxt.add(s)
        used += len(nxt)
        if used > MAX_STATES:
            return None
        backward.append(nxt)
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


def _narrow(cands: dict[str, _Candidate], keep: dict[str, set[int]]) -> set[str]:
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


def _json(v: Number | None) -> int | float | None:
    if v is None or isinstance(v, int):
        return v
    return int(v) if v == v.to_integral_value() else float(v)


def _cell_locs(cand: _Candidate, texts: tuple[str, ...]) -> list[Location]:
    """Where each cell of a reading came from: the token its first digit was in."""
    starts = list(itertools.accumulate([0] + [len(p) for p in cand.pieces]))
    locs: list[Location] = []
    pos = 0
    for t in texts:
        piece = max(i for i, st in enumerate(starts[:-1]) if st <= pos) if cand.pieces else 0
        locs.append(cand.piece_locs[piece] if piece < len(cand.piece_locs) else Location())
        pos += len(t)
    return locs


def _write(table: TableData, cand: _Candidate, make: MakeValue) -> None:
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
        if text is not None and _is_null(text):
            value = Value(None, text, locs[i], status="blank", inferred_by=cand.how)
        elif text is not None:
            cell_text = text + (cand.unit or "") if cand.kinds[i] == MONEY and cand.unit else text
            value = replace(make(col, cell_text, locs[i]), raw=text, status="inferred", inferred_by=cand.how)
            if value.value is None:  # cannot happen for a reading, but never present it as one
                value = Value(None, cand.raw, locs[i], status="ambiguous")
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
                {
                    "row": row_key,
                    "raw": cand.raw,
                    "values": [_json(v.value) for v in new_cells[row_key]],
                    "constraint": cand.how,
                    "loc": table.rows[row_key].loc.to_dict(),
                }
            )
            if cand.unbalanced:  # the report's own sums fail there: those columns were not used
                table.recovered[-1]["unbalanced_columns"] = cand.unbalanced
        return
    entry: dict[str, Any] = {
        "row": ambiguous_cells[0].split(".", 1)[0],
        "raw": cand.raw,
        "readings": [[_json(v) for v in r] for r in cand.domain[:SHOWN_READINGS]],
        "cells": ambiguous_cells,
        "columns": [f"{r}.{c}" for r, c in cand.columns],  # what each number of a reading is
        "loc": table.rows[cand.rows[0]].loc.to_dict(),
    }
    if len(cand.rows) > 1:
        entry["rows"] = list(cand.rows)
    if len(cand.domain) > SHOWN_READINGS or cand.splits.truncated:
        entry["readings_truncated"] = True
    if cand.reason:
        entry["reason"] = cand.reason
    if any(a is not None for a in agreed):
        entry["constraint"] = cand.how  # what fixed the cells every reading agrees on
    if cand.unbalanced:
        entry["unbalanced_columns"] = cand.unbalanced
    table.ambiguous.append(entry)


def _how(cand: _Candidate, column_balance: bool, facts: list[TextFact]) -> str:
    parts = [cand.base]
    if column_balance:
        parts.append("column_balance")
    parts.extend(f.label for f in facts)
    return "+".join(parts)


def _resolve(
    spec: TableSpec,
    table: TableData,
    cands: dict[str, _Candidate],
    facts: list[TextFact],
    make: MakeValue,
) -> None:
    """Row constraint, then the column constraints jointly, then the text; then write."""
    for cand in cands.values():
        _enumerate(cand)
        cand.how = cand.base
        if len(cand.groups) > 1 and not cand.domain and not cand.short and not cand.splits.truncated:
            _most_groups(cand)  # table 四 read as one run: no cut makes every group add up
    joint = spec.key == "requests"
    status = UNDECIDED
    unbalanced: list[str] = []
    if joint:
        status, keep, unbalanced = _balanced_search(spec, table, cands)
        if status == SOLVED:
            for k in _narrow(cands, keep):
                cands[k].how = _how(cands[k], True, [])
    still = {k: c for k, c in cands.items() if len(c.domain) > 1}
    if still and facts:
        saved = {k: (list(c.domain), list(c.texts), c.how) for k, c in still.items()}
        used = _apply_facts(still, facts)
        if used:
            all_used = [f for fs in used.values() for f in fs]
            for k, fs in used.items():
                cands[k].how = cands[k].how + "+" + "+".join(f.label for f in fs)
            if joint:
                after, keep, _ = _balanced_search(spec, table, cands)
                if after == UNSATISFIABLE and status != UNSATISFIABLE:
                    # the text contradicts the table's own arithmetic: it decides nothing
                    for k, (dom, texts, how) in saved.items():
                        cands[k].domain, cands[k].texts, cands[k].how = dom, texts, how
                elif after == SOLVED:
                    for k in _narrow(cands, keep):
                        cands[k].how = _how(cands[k], True, all_used)
    if status == UNSATISFIABLE:
        for cand in cands.values():
            if len(cand.domain) > 1:
                cand.reason = "column_balance_unsatisfiable"
    for cand in cands.values():
        if unbalanced and "column_balance" in cand.how:
            cand.unbalanced = unbalanced
        _write(table, cand, make)


def recover_labeled(
    table: TableData,
    spec: TableSpec,
    glued: set[str],
    make: MakeValue,
    text: str = "",
) -> None:
    """Recover the run-together rows of a labeled table (二 or 三) in place.

    ``glued``: the rows whose digits were glued to their label. ``make`` builds a Value for a
    column from a cell text (units, money) as the mapping would.
    """
    rows = [r for r in table.rows.values() if r.found]
    # Lost separators show in a row on its own (digits glued to the label, a run too long for one
    # count); then every row of the table that is short of cells is read as run together.
    table_evidence = any(_candidate(spec, [r], r.key in glued, False)[1] for r in rows)
    if not table_evidence:
        return
    cands: dict[str, _Candidate] = {}
    for row in rows:
        cand, _ = _candidate(spec, [row], row.key in glued, True)
        if cand is not None and _only_zeros_short(cand):
            _zeros_one_per_cell(table, [row], cand)
        elif cand is not None:
            cands[row.key] = cand
    if cands:
        format_id = "2019" if "made" in spec.columns else "2021"
        _resolve(spec, table, cands, text_facts(text, spec.key, format_id), make)


def recover_flat(table: TableData, spec: TableSpec, glued: bool, make: MakeValue, text: str = "") -> None:
    """Recover table 四 given as one run (or a few runs) of digits, in place: the three groups
    are read together, as the run fills them in order."""
    rows = [table.rows[k] for k in spec.rows]
    cand, _ = _candidate(spec, rows, glued, False)
    if cand is None:
        return
    first = next((r for r in rows if r.found), rows[0])
    for r in rows:
        if not r.found:
            r.found, r.label, r.loc = True, spec.rows[r.key].label, first.loc
    if _only_zeros_short(cand):
        _zeros_one_per_cell(table, rows, cand)
        return
    _resolve(spec, table, {"*": cand}, text_facts(text, spec.key), make)


def _most_groups(cand: _Candidate) -> None:
    """No cut of table 四's run makes every group's 总计 the sum of its four: the report's own
    figures disagree somewhere. Keep the cuts under which the most groups add up; the groups they
    all read alike are filled (inferred, group_sum), the others stay null, and ``reason`` names
    the groups no cut makes add up (B004 reports them)."""
    free = split_digits(cand.pieces, [Group(g.size) for g in cand.groups], cand.kinds)
    if free.truncated or not free.readings:
        return
    scored: list[tuple[int, tuple[str, ...], list[bool]]] = []
    for texts in free.readings:
        values = _reading_values(texts, cand.kinds)
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
    cand.domain = [_reading_values(t, cand.kinds) for t in cand.texts]
    cand.how = "group_sum"
    cand.reason = "group_sum_unsatisfiable:" + ",".join(cand.rows[i] for i in sorted(failing))


def _only_zeros_short(cand: _Candidate) -> bool:
    """Fewer digits than cells, all of them zeros: with no leading zeros, every 0 is a cell of its
    own, so the one reading is one zero per cell — a row short of cells, as it was before its
    separators were lost (003: six zeros for seven columns)."""
    return cand.short and all(set(p) == {"0"} for p in cand.pieces)


def _zeros_one_per_cell(table: TableData, rows: list[Row], cand: _Candidate) -> None:
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
        {
            "row": rows[0].key,
            "rows": [r.key for r in rows],
            "raw": cand.raw,
            "reason": "fewer_digits_than_cells",
            "readings": [],
            "columns": [f"{r}.{c}" for r, c in cand.columns],
            "cells": [f"{r}.{c}" for r, c in cand.columns],
            "note": f"{len(zeros)} zeros for {len(cand.columns)} cells: each cell is 0 or the one left blank",
            "loc": rows[0].loc.to_dict(),
        }
    )
