"""Tables: grids → the format's keys.

Every Table block of the document is given to one of the three statistics tables — by the section
it sits in, or by its content when the headings are missing or a table runs over a page break —
and the blocks of each table are read as one token stream (``tokens``) and mapped onto the rows
and columns of the format (``mapping``). The format itself is decided here, from the table heads:
a 2022 report may still print the 2019 columns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

from gongkai.document import Document, Table, TextTable
from gongkai.formats import TABLE_KEYS, FormatSpec, all_formats, format_for_year, load_format
from gongkai.memo import remember
from gongkai.model import TableData
from gongkai.normalize import label_core, label_key
from gongkai.tables.mapping import empty_table, map_flat, map_labeled, match_row, row_starts
from gongkai.tables.tokens import Grid, plain_digits, read_grid

__all__ = ["ExtractedTables", "extract_tables"]


@dataclass(slots=True)
class ExtractedTables:
    format: FormatSpec
    format_evidence: str
    tables: dict[str, TableData]
    assignment: dict[int, str]  # block index → table key


def _content_scores(table: Table) -> dict[str, int]:
    """How strongly a grid's text says which statistics table it is (shared: not to be changed).
    A text grid's, once per distinct grid (the same tables recur from report to report)."""
    if isinstance(table, TextTable):  # no cell is merged
        known = _GRID_SCORES.get(table.texts)
        if known is None:
            per_cell = [s for s in map(_row_scores, table.texts) if s is not _NO_SCORES]  # (the very object)
            known = remember(_GRID_SCORES, _GRID_SCORES_MAX, table.texts, _scores(per_cell))
        return known
    return _scores([_cell_scores(cell.text) for row in table.rows for cell in row if not cell.merged])


def _scores(per_cell: list[tuple[int, ...]]) -> dict[str, int]:
    scores = [sum(column) for column in zip(*per_cell, strict=True)] if per_cell else [0] * len(TABLE_KEYS)
    return dict(zip(TABLE_KEYS, scores, strict=True))


_GRID_SCORES: dict[tuple[tuple[str, ...], ...], dict[str, int]] = {}
_GRID_SCORES_MAX = 256  # a grid's texts are a few kilobytes


@lru_cache(maxsize=65536)
def _row_scores(texts: tuple[str, ...]) -> tuple[int, ...]:
    """The sum of :func:`_cell_scores` over the cells of a text grid's row, once per distinct row."""
    if _digits_score_nothing():  # most cells (blanks, counts) add nothing
        per_cell = [
            s for t in texts if t and not (t.isdigit() and t.isascii()) and (s := _cell_scores(t)) != _NO_SCORES
        ]
    else:
        per_cell = [s for s in map(_cell_scores, texts) if s != _NO_SCORES]
    if len(per_cell) <= 1:
        return per_cell[0] if per_cell else _NO_SCORES
    return tuple(map(sum, zip(*per_cell, strict=True)))


_NO_SCORES = (0,) * len(TABLE_KEYS)


@cache
def _digits_score_nothing() -> bool:
    """Whether a cell of ASCII digits adds nothing to any score, whatever the digits: its label key
    is itself, and no evidence word, and no first character of a row label, is a digit."""
    if not plain_digits("0123456789") or label_key("0123456789") != "0123456789":
        return False
    specs = [load_format(f) for f in ("2021", "2019")]
    words = [w for spec in specs for t in spec.tables.values() for w in (*t.evidence_contains, *t.evidence_prefixes)]
    if not all(w.strip("0123456789") for w in words):
        return False
    starts = [row_starts(spec.tables[t]) for spec in specs for t in ("proactive", "requests")]
    return all(s is not None and not any(ch in s for ch in "0123456789") for s in starts)


@lru_cache(maxsize=65536)
def _cell_scores(text: str) -> tuple[int, ...]:
    """What one cell's text adds to each table's score (in TABLE_KEYS order): a pure function of
    the text, worked out once per distinct cell text."""
    if not text.strip():
        return (0,) * len(TABLE_KEYS)
    spec = load_format("2021")
    spec19 = load_format("2019")
    scores = dict.fromkeys(TABLE_KEYS, 0)
    k = label_key(text)
    core = label_core(text)
    for tkey, tspec in spec.tables.items():
        if any(w in k for w in tspec.evidence_contains) or any(core.startswith(w) for w in tspec.evidence_prefixes):
            scores[tkey] += tspec.evidence_weight
    for tkey in ("proactive", "requests"):
        for s in (spec, spec19):
            if match_row(s.tables[tkey], k, in_body=True) is not None:
                scores[tkey] += 1
                break
    return tuple(scores[t] for t in TABLE_KEYS)


def _classify(table: Table, section: str | None) -> str | None:
    scores = _content_scores(table)
    best = max(scores, key=lambda k: scores[k])
    if scores[best] == 0:
        return section if section in TABLE_KEYS else None
    if section is not None and section in TABLE_KEYS and scores[section] * 2 >= scores[best]:
        return section
    return best


def _texts(grid: Grid) -> list[str]:
    return [raw for plan in grid.plans for kind, raw, _, _ in plan if kind == "text"]


def _detect_format(proactive: Grid, requests: Grid, year: int | None) -> tuple[FormatSpec, str]:
    """The format the tables are in, and what says so: worked out once per grid keys and year (the
    tables' texts decide it, their numbers do not)."""
    if proactive.key is None or requests.key is None:
        return _read_format(proactive, requests, year)
    key = (proactive.key, requests.key, year)
    found = _FORMATS.get(key)
    if found is None:
        found = remember(_FORMATS, 1024, key, _read_format(proactive, requests, year))
    return found


_FORMATS: dict[tuple[tuple[int, ...], tuple[int, ...], int | None], tuple[FormatSpec, str]] = {}


def _read_format(proactive: Grid, requests: Grid, year: int | None) -> tuple[FormatSpec, str]:
    scores: dict[str, int] = {}
    keys = [label_core(raw) for raw in _texts(proactive)]
    for spec in all_formats():
        sig = spec.tables["proactive"].signature
        scores[spec.id] = sum(1 for k in keys if k.startswith(sig))  # a tuple: any of the words
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    if ranked[0][1] > 0 and ranked[0][1] > ranked[1][1]:
        return load_format(ranked[0][0]), "table_headers"
    if year is not None:
        return format_for_year(year), "report_year"
    requests_2021 = load_format("2021").tables["requests"]
    # rows only the 2021 format has: those its optional single row replaces (（六）其他处理 1.–3.)
    sub_rows = {k for r in requests_2021.rows.values() for k in r.replaces}
    for raw in _texts(requests):
        row = match_row(requests_2021, label_key(raw), True)
        if row is not None and row.key in sub_rows:
            return load_format("2021"), "table_rows"
    return load_format("2021"), "default"


@cache
def is_label_for(tkey: str) -> Callable[[str], bool]:
    """Whether a text is a row label of table *tkey* in either format: one function per table,
    its answers kept (tokens.py caches cell readings per function)."""
    specs = [load_format(f).tables[tkey] for f in ("2021", "2019")]

    @lru_cache(maxsize=65536)
    def is_label(text: str) -> bool:
        k = label_key(text)
        if any(match_row(spec, k, True) is not None for spec in specs):
            return True
        # table 四: digits glued to its head words (…尚未审结总计201361000100000)
        core = label_core(k)
        return any(spec.shape == "flat" and any(core.startswith(h) for h in spec.header) for spec in specs)

    return is_label


def extract_tables(doc: Document, block_sections: list[str | None], year: int | None) -> ExtractedTables:
    grouped: dict[str, list[tuple[int, Table]]] = {k: [] for k in TABLE_KEYS}
    assignment: dict[int, str] = {}
    for index, (block, section) in enumerate(zip(doc.blocks, block_sections, strict=True)):
        if not isinstance(block, Table):
            continue
        tkey = _classify(block, section)
        if tkey is not None:
            grouped[tkey].append((index, block))
            assignment[index] = tkey

    tokens = {k: read_grid(grouped[k], is_label_for(k)) for k in TABLE_KEYS}
    fmt, evidence = _detect_format(tokens["proactive"], tokens["requests"], year)
    # The prose states counts (全区共收到1272件申请) that help recover run-together rows.
    text = cache(lambda: "\n".join(p.text for p in doc.paragraphs()))  # read when recovery asks
    tables: dict[str, TableData] = {}
    for tkey in TABLE_KEYS:
        spec = fmt.tables[tkey]
        if not tokens[tkey]:
            tables[tkey] = empty_table(spec, found=False)
        elif spec.shape == "flat":
            tables[tkey] = map_flat(tokens[tkey], spec, text)
        else:
            tables[tkey] = map_labeled(tokens[tkey], spec, text)
    return ExtractedTables(fmt, evidence, tables, assignment)
