"""Cells → tokens: the grid of a table read in order as labels, values and blanks.

Whatever the layout, the tables stage reads a table as one stream: text tokens (labels, head
words), value tokens (numbers, null markers like ——, things that should be numbers but are not)
and blank tokens (empty cells). Cells covered by a merge are skipped.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from operator import itemgetter

from gongkai.document import ROW_LOCATIONS, Location, Table, TextTable, row_locations
from gongkai.memo import remember
from gongkai.normalize import fold

NULL_MARKERS = frozenset(
    {"——", "—", "-", "--", "－", "－－", "/", "／", "\\", "无", "空", "—-", "-—", "───", "──", "—— ", "─"}
)

_NUMBER_RE = re.compile(
    r"^(?P<sign>[+-])?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<unit>万元|元|件|条|个|项|次|宗|笔|人次)?$"
)
_NOT_A_NUMBER_RE = re.compile(r"^[\d.,%/\-年月日:：\s万元件条个项次]+$")
_GLUED_RE = re.compile(
    r"^(?P<label>.*?[^\d\s,.\-—―━－/／])\s*(?P<digits>[\d\-—―━－/／][\d\s,.\-—―━－/／]*(?:万元|元)?)$"
)
# Numbering inside a glued label: where a second label starts (三、本年度办理结果（一）予以公开).
_INNER_NUMBERING_RE = re.compile(r"(?<=[^\d\s])(?:\([一二三四五六七八九十]+\)|\d{1,2}[.、](?!\d))")


# One token of a grid row: (kind, raw, glued, column). ``kind`` is "text", "value" or "blank";
# ``glued``: digits that were glued to a label (``规章000``) — the separators of the row were lost,
# so the mapping may split the run into cells (``tables.recover``); ``column``: the cell it is in.
Entry = tuple[str, str, bool, int]


RowPlan = tuple[Entry, ...]


class Grid:
    """The grids given to one table, read as rows of tokens: per row, its tokens in order
    (``plans``), whether it comes from an exact grid (HTML/Word/PDF) rather than one rebuilt from
    text (``trusted``), and where its cells are (``row_locs``, for the rows asked for). No object
    per token: the plans of text grids are shared between reports.

    ``key``: when every row comes from a text grid, the rows' shapes (their plans with the values'
    texts left out, one number per distinct shape): grids of equal keys read the same way, whatever
    their numbers (``mapping`` reads each key once)."""

    __slots__ = ("_exact", "_places", "_trusted", "key", "lines", "plans")

    def __init__(self) -> None:
        self.plans: list[RowPlan] = []
        self._trusted: set[int] = set()  # the rows from exact grids
        self.key: tuple[int, ...] | None = ()
        # when every row comes from a text grid: where the rows are, (table index, row lines) per grid
        self.lines: tuple[tuple[int, tuple[int | None, ...]], ...] | None = ()
        self._exact: dict[int, tuple[Location, ...]] = {}  # the locations of rows not from text grids
        # text grid rows: (first row, table index, row lines, row texts) of each table
        self._places: list[tuple[int, int, tuple[int | None, ...], tuple[tuple[str, ...], ...]]] = []

    def __bool__(self) -> bool:
        """Whether the grids hold any token."""
        return any(self.plans)

    @property
    def trusted(self) -> list[bool]:
        """Per row, whether it comes from an exact grid."""
        trusted = self._trusted
        return [g in trusted for g in range(len(self.plans))] if trusted else [False] * len(self.plans)

    def row_locs(self, rows: Iterable[int]) -> dict[int, tuple[Location, ...]]:
        """The locations of the cells of each of the grid rows *rows* (ascending), by column."""
        out: dict[int, tuple[Location, ...]] = {}
        known = ROW_LOCATIONS
        places = self._places
        exact = self._exact
        at = 0  # the text grid the row is in (or after)
        for g in rows:
            locs = exact.get(g)
            if locs is None:
                while at + 1 < len(places) and places[at + 1][0] <= g:
                    at += 1
                first, table_index, lines, texts = places[at]
                r = g - first
                key = (lines[r], table_index, r, len(texts[r]))
                locs = known.get(key) or row_locations(*key)
            out[g] = locs
        return out


@dataclass(frozen=True, slots=True)
class ParsedNumber:
    value: Decimal | None
    unit: str | None
    status: str | None  # None (a number), "blank", "not_a_number"


def parse_value(raw: str) -> ParsedNumber:
    """Read one value cell: a number (with thousands separators, a sign, a unit), a null marker,
    or something that should be a number but is not."""
    text = fold(raw).strip()
    text = re.sub(r"(?<=\d)\s+(?=\d{3}\b)", "", text)  # 1 234 → 1234
    if not text or text in NULL_MARKERS or set(text) <= set("—-－─/ "):
        return ParsedNumber(None, None, "blank")
    m = _NUMBER_RE.match(text.replace(" ", ""))
    if m:
        try:
            number = Decimal(m.group("num").replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the regex admits only digits
            return ParsedNumber(None, None, "not_a_number")
        if m.group("sign") == "-":
            number = -number
        return ParsedNumber(number, m.group("unit"), None)
    return ParsedNumber(None, None, "not_a_number")


@lru_cache(maxsize=65536)
def is_value_text(text: str) -> bool:
    t = fold(text).strip()
    if not t:
        return False
    if t in NULL_MARKERS or set(t) <= set("—-－─/ "):
        return True
    if _NUMBER_RE.match(t.replace(" ", "")):
        return True
    return bool(_NOT_A_NUMBER_RE.match(t)) and any(ch.isdigit() for ch in t)


def read_grid(tables: Iterable[tuple[int, Table]], is_label: Callable[[str], bool] | None = None) -> Grid:
    """Flatten grids into rows of tokens. A cell holding a label and numbers separated by spaces
    (PDF text: ``规章 0 0 0``) gives one text token and one value token per number; a label with
    numbers glued to it (``规章0``) is split only when the label part is a known label."""
    grid = Grid()
    plans = _plans(is_label)
    for _, table in tables:
        if isinstance(table, TextTable):
            _read_text_rows(table, is_label, plans, grid)
            continue
        grid.key = grid.lines = None
        trusted = not table.from_text
        start = value_start(table) if trusted else 0
        for row in table.rows:
            entries: list[Entry] = []
            for c, cell in enumerate(row):
                if cell.merged:
                    continue
                text = cell.text.strip()
                if not text:
                    # Blank cells left of the value columns belong to the labels (a label cell
                    # split in two, 洪泽区 2024: （六）其他处理 | '' | 0 …); they are no values.
                    if c >= start:
                        entries.append(("blank", "", False, c))
                    continue
                plan = plans.get(text)
                if plan is None:
                    plan = _cell_plan(text, is_label, plans)
                entries.extend([(kind, raw, glued, c) for kind, raw, glued in plan])
            if trusted:
                grid._trusted.add(len(grid.plans))
            grid._exact[len(grid.plans)] = tuple([cell.loc for cell in row])
            grid.plans.append(tuple(entries))
    return grid


def _read_text_rows(
    table: TextTable, is_label: Callable[[str], bool] | None, plans: dict[str, Plan], grid: Grid
) -> None:
    """:func:`read_grid` of a grid rebuilt from text, read from its cell texts (stripped, none
    merged; every blank is a token: its values start in the first column). The tokens of a row
    are those of its cells in order: worked out once per distinct row (``_row_plan``)."""
    table_index = table.loc.table if table.loc.table is not None else 0
    row_plans = _ROW_PLANS.get(is_label)
    if row_plans is None:
        row_plans = remember(_ROW_PLANS, 16, is_label, {})
    texts = table.texts
    first = len(grid.plans)
    read = [row_plans.get(cells) or _row_plan(cells, is_label, plans, row_plans) for cells in texts]
    grid.plans.extend(map(_PLAN, read))
    if grid.key is not None:
        grid.key += tuple(map(_SHAPE, read))
    grid._places.append((first, table_index, table.row_lines, texts))
    if grid.lines is not None:
        grid.lines += ((table_index, table.row_lines),)


_PLAN = itemgetter(0)
_SHAPE = itemgetter(1)


# The tokens of each row of a text grid as (kind, raw, glued, column), per ``is_label`` function: a
# pure function of the row's cell texts (all-zero rows and label rows repeat from report to report).
# With each plan, the number of its shape (``Grid.key``).
_ROW_PLANS: dict[Callable[[str], bool] | None, dict[tuple[str, ...], tuple[RowPlan, int]]] = {}
# Each shape's number: numbers are never reused (a shape seen again after the table is cleared gets
# a new one), so equal numbers always mean equal shapes.
_SHAPES: dict[RowPlan, int] = {}
_SHAPE_NUMBERS = itertools.count()


def _shape(shape: RowPlan) -> int:
    """The number of a row plan's shape (the plan with the values' texts left out)."""
    number = _SHAPES.get(shape)
    if number is None:
        number = remember(_SHAPES, _PLANS_MAX, shape, next(_SHAPE_NUMBERS))
    return number


def _row_plan(
    texts: tuple[str, ...],
    is_label: Callable[[str], bool] | None,
    plans: dict[str, Plan],
    row_plans: dict[tuple[str, ...], tuple[RowPlan, int]],
) -> tuple[RowPlan, int]:
    out: list[Entry] = []
    shape: list[Entry] = []  # the same without the values' texts
    digits_same = DIGITS_FOLD_SAME
    for c, text in enumerate(texts):
        if not text:
            entry = ("blank", "", False, c)
            out.append(entry)
            shape.append(entry)
            continue
        if text.isdigit() and text.isascii() and digits_same:  # plain_digits: a count, kept out of the cache
            out.append(("value", text, False, c))
            shape.append(("value", "", False, c))
            continue
        plan = plans.get(text)
        if plan is None:
            plan = _cell_plan(text, is_label, plans)
        for kind, raw, glued in plan:
            entry = (kind, raw, glued, c)
            out.append(entry)
            shape.append(entry if kind != "value" else (kind, "", glued, c))
    # Blanks ending a row after a value (``0 |``) are left out: in a grid rebuilt from text a blank
    # counts as a cell only between two values of its row, and after a value it cannot keep a label
    # open — the mapping reads the same with or without them.
    end = len(out)
    while end and out[end - 1][0] == "blank":
        end -= 1
    if 0 < end < len(out) and out[end - 1][0] == "value":
        del out[end:]
        del shape[end:]
    found = remember(row_plans, _PLANS_MAX, texts, (tuple(out), _shape(tuple(shape))))
    return found


def value_start(table: Table) -> int:
    """The grid column where the values of an exact grid start: the most common position of the
    first value cell in a row (rows whose first value cell is blank do not move it)."""
    firsts: Counter[int] = Counter()
    for row in table.rows:
        for c, cell in enumerate(row):
            if not cell.merged and cell.text.strip() and is_value_text(cell.text):
                firsts[c] += 1
                break
    return firsts.most_common(1)[0][0] if firsts else 0


Plan = tuple[tuple[str, str, bool], ...]
# The tokens of each cell text as (kind, raw, glued), per ``is_label`` function (one per table, made
# once): a pure function of the text and of that function, worked out once per distinct cell.
_PLANS: dict[Callable[[str], bool] | None, dict[str, Plan]] = {}
_PLANS_MAX = 65536


def _plans(is_label: Callable[[str], bool] | None) -> dict[str, Plan]:
    plans = _PLANS.get(is_label)
    if plans is None:
        plans = remember(_PLANS, 16, is_label, {})
    return plans


def _cell_plan(text: str, is_label: Callable[[str], bool] | None, plans: dict[str, Plan]) -> Plan:
    plan = _read_cell_plan(text, is_label)
    remember(plans, _PLANS_MAX, text, plan)
    return plan


def plain_digits(text: str) -> bool:
    """Whether a text is a run of ASCII digits that folding leaves as it is: a count, read without
    folding (most value cells; every report brings new ones)."""
    return text.isdigit() and text.isascii() and DIGITS_FOLD_SAME


# Folding works per character on ASCII digits (NFKC and the look-alikes leave them, t2s has no
# digits): checked here once.
DIGITS_FOLD_SAME = fold("0123456789") == "0123456789"


def _read_cell_plan(text: str, is_label: Callable[[str], bool] | None) -> Plan:
    if plain_digits(text) or is_value_text(text):
        return (("value", text, False),)
    tokens: list[tuple[str, str, bool]] = []
    label_parts: list[str] = []

    def flush() -> None:
        if not label_parts:
            return
        label = " ".join(label_parts)
        label_parts.clear()
        glued = _GLUED_RE.match(label)
        if glued and not any(ch.isdigit() for ch in glued.group("digits")):
            glued = None
        labels = _glued_labels(glued.group("label"), is_label) if glued and is_label is not None else None
        if glued and labels:
            tokens.extend(("text", part, False) for part in labels)
            tokens.append(("value", glued.group("digits").strip(), True))
        else:
            tokens.append(("text", label, False))

    for piece in text.split():
        if is_value_text(piece) and not _is_numbering(piece):
            flush()
            tokens.append(("value", piece, False))
        else:
            label_parts.append(piece)
    flush()
    return tuple(tokens)


def _glued_labels(label: str, is_label: Callable[[str], bool]) -> list[str] | None:
    """The label(s) in front of glued digits, or None when the text is no known label.

    Text copied from a table with merged cells runs a group label into the row label
    (``三、本年度办理结果（一）予以公开``, ``（六）其他处理1.申请人无正当理由…``): the last piece that starts
    at inner numbering and is a label on its own is the row; what comes before it is kept as text.
    """
    label = label.strip()
    folded = fold(label)
    if len(folded) == len(label):
        for m in reversed(list(_INNER_NUMBERING_RE.finditer(folded))):
            head, tail = label[: m.start()].strip(), label[m.start() :].strip()
            if head and is_label(tail):
                return [head, tail]
    return [label] if is_label(label) else None


def _is_numbering(piece: str) -> bool:
    """``1.`` / ``(3)`` in front of a spaced-out label are numbering, not values."""
    t = fold(piece).strip()
    return bool(re.fullmatch(r"\(?\d{1,2}[.、)]|\(\d{1,2}\)", t))
