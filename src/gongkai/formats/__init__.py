"""The national formats as data.

Each format is a packaged TOML file (``2019.toml``, ``2021.toml``) naming its tables, rows,
columns, keys, labels and the label variants met in practice; ``sections.toml`` holds the six
sections shared by both. Nothing else in gongkai lists rows: the parser, the rules and the views
all read these specs.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from gongkai.normalize import fold, label_core, label_key

FORMAT_IDS = ("2019", "2021")
TABLE_KEYS = ("proactive", "requests", "appeals")


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    key: str
    label: str
    match: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()
    kind: str = "count"  # "count" or "money"
    default_unit: str | None = None  # unit printed in the national header (万元)
    signed: bool = False  # may be negative (2019 本年增/减)

    def matches(self, text: str) -> bool:
        core = label_core(text)
        return core in self.exact or any(core.startswith(m) for m in self.match)


@dataclass(frozen=True, slots=True)
class RowSpec:
    key: str
    label: str
    columns: tuple[str, ...]
    match: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()
    numbered: bool = False  # an `exact` label only counts with numbering in front (3.其他, （七）总计)
    group: str | None = None
    item: str | None = None
    optional: bool = False
    replaces: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SumSpec:
    """One equation the format implies: Σ lhs = Σ rhs. ``per="column"``: in every column, over
    the rows named; ``per="row"``: in every row that has the columns named."""

    code: str  # the balance rule that reports it (B001 …)
    per: str  # "column" or "row"
    lhs: tuple[str, ...]
    rhs: tuple[str, ...]
    lhs_zh: str
    rhs_zh: str
    lhs_en: str
    rhs_en: str

    @property
    def operands(self) -> tuple[str, ...]:
        return self.lhs + self.rhs

    def sign(self, key: str) -> int:
        """+1 for a key of the left side, -1 for the right (Σ lhs - Σ rhs = 0)."""
        return 1 if key in self.lhs else -1


@dataclass(frozen=True, slots=True)
class QuantitySpec:
    """A named sum of cells: what the text states (本年新收申请12件), the pages chart and the
    messages name. ``rows`` already holds the rows of the declared groups."""

    key: str
    table: str
    zh: str
    en: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cell_zh: str | None = None  # the cell as messages name it (表三 一、本年新收 总计)
    chart: bool = True  # a figure the pages chart and rank (one column)

    @property
    def cells(self) -> tuple[tuple[str, str], ...]:
        return tuple((r, c) for r in self.rows for c in self.columns)


@dataclass(frozen=True, slots=True)
class TableSpec:
    key: str
    section: str
    title: str
    shape: str  # "labeled": each row starts with its label; "flat": one run of values under a head
    columns: dict[str, ColumnSpec]
    rows: dict[str, RowSpec]
    anchors: tuple[str, ...]
    header: tuple[str, ...]
    groups: tuple[str, ...] = ()
    signature: tuple[str, ...] = ()
    short_zh: str = ""  # 表三
    short_en: str = ""  # table 3
    topic_zh: str = ""  # 申请办理
    topic_en: str = ""
    evidence_contains: tuple[str, ...] = ()  # words that mark a grid as this table
    evidence_prefixes: tuple[str, ...] = ()
    evidence_weight: int = 0
    sums: tuple[SumSpec, ...] = ()
    quantities: tuple[QuantitySpec, ...] = ()
    format: str = ""  # the id of the format the table belongs to

    def column(self, key: str) -> ColumnSpec:
        return self.columns[key]

    def row_columns(self, row_key: str) -> tuple[str, ...]:
        return self.rows[row_key].columns

    @property
    def value_count(self) -> int:
        return sum(len(r.columns) for r in self.rows.values() if not r.optional)

    def sum(self, code: str) -> SumSpec:
        return next(s for s in self.sums if s.code == code)

    def sums_per(self, per: str) -> tuple[SumSpec, ...]:
        return tuple(s for s in self.sums if s.per == per)

    def row_sum(self, columns: tuple[str, ...]) -> SumSpec | None:
        """The per-row sum under which the last of ``columns`` is the sum of the others (总计 of
        table 三's rows and of table 四's groups), if the format declares one."""
        if len(columns) < 2:
            return None
        for s in self.sums_per("row"):
            if s.lhs == (columns[-1],) and set(s.rhs) == set(columns[:-1]):
                return s
        return None

    def exempt_rows(self, found: Callable[[str], bool]) -> set[str]:
        """Rows of the format a table need not have, given which rows it has (``found``): an
        optional row, or, when the optional row was found instead of them, the rows it
        replaces (RowSpec.replaces)."""
        out: set[str] = set()
        for k, r in self.rows.items():
            if not r.optional:
                continue
            if found(k) and not any(found(x) for x in r.replaces if x in self.rows):
                out.update(r.replaces)
            else:
                out.add(k)
        return out

    def sum_rows(self, s: SumSpec, found: Callable[[str], bool]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The rows a per-column sum adds up in a table with the rows ``found``: the declared
        ones less the exempt ones (the single （六）其他处理 row or its sub-rows, never both)."""
        exempt = self.exempt_rows(found)
        return tuple(k for k in s.lhs if k not in exempt), tuple(k for k in s.rhs if k not in exempt)

    @property
    def display_name(self) -> tuple[str, str]:
        """(表三 申请办理, Table 3 requests)."""
        return f"{self.short_zh} {self.topic_zh}", f"{self.short_en.capitalize()} {self.topic_en}"


@dataclass(frozen=True, slots=True)
class SectionSpec:
    key: str
    ordinal: int
    title: str
    keywords: tuple[str, ...]
    titles_unnumbered: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FormatSpec:
    id: str
    issued_by: str
    first_year: int
    tables: dict[str, TableSpec] = field(default_factory=dict)

    def table(self, key: str) -> TableSpec:
        return self.tables[key]

    @property
    def quantities(self) -> dict[str, QuantitySpec]:
        return {q.key: q for t in self.tables.values() for q in t.quantities}


def _read_toml(name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"))


def _tuple(data: dict[str, Any], name: str) -> tuple[str, ...]:
    return tuple(label_key(s) for s in data.get(name, ()))


def _table(key: str, data: dict[str, Any], format_id: str) -> TableSpec:
    columns = {
        c["key"]: ColumnSpec(
            key=c["key"],
            label=c["label"],
            match=_tuple(c, "match"),
            exact=_tuple(c, "exact"),
            kind=c.get("kind", "count"),
            default_unit=c.get("default_unit"),
            signed=c.get("signed", False),
        )
        for c in data["columns"]
    }
    all_columns = tuple(columns)
    rows = {
        r["key"]: RowSpec(
            key=r["key"],
            label=r["label"],
            columns=tuple(r.get("columns", all_columns)),
            match=_tuple(r, "match"),
            exact=_tuple(r, "exact"),
            numbered=r.get("numbered", False),
            group=r.get("group"),
            item=r.get("item"),
            optional=r.get("optional", False),
            replaces=tuple(r.get("replaces", ())),
        )
        for r in data["rows"]
    }
    evidence = data.get("evidence", {})
    return TableSpec(
        key=key,
        section=data["section"],
        title=data["title"],
        shape=data["shape"],
        columns=columns,
        rows=rows,
        anchors=_tuple(data, "anchors"),
        header=_tuple(data, "header"),
        groups=_tuple(data, "groups"),
        signature=_tuple(data, "signature"),
        short_zh=data["short_zh"],
        short_en=data["short_en"],
        topic_zh=data["topic_zh"],
        topic_en=data["topic_en"],
        evidence_contains=_tuple(evidence, "contains"),
        evidence_prefixes=_tuple(evidence, "prefixes"),
        evidence_weight=evidence.get("weight", 0),
        sums=tuple(_sum(key, s, rows, columns) for s in data.get("sums", ())),
        quantities=tuple(_quantity(key, q, rows, columns) for q in data.get("quantities", ())),
        format=format_id,
    )


def _sum(table: str, s: dict[str, Any], rows: dict[str, RowSpec], columns: dict[str, ColumnSpec]) -> SumSpec:
    names: dict[str, Any] = rows if s["per"] == "column" else columns
    unknown = [k for k in (*s["lhs"], *s["rhs"]) if k not in names]
    if s["per"] not in ("column", "row") or unknown:
        raise ValueError(f"format table {table}: sum {s['code']} names unknown keys {unknown} or per={s['per']!r}")
    return SumSpec(
        code=s["code"],
        per=s["per"],
        lhs=tuple(s["lhs"]),
        rhs=tuple(s["rhs"]),
        lhs_zh=s["lhs_zh"],
        rhs_zh=s["rhs_zh"],
        lhs_en=s["lhs_en"],
        rhs_en=s["rhs_en"],
    )


def _quantity(table: str, q: dict[str, Any], rows: dict[str, RowSpec], columns: dict[str, ColumnSpec]) -> QuantitySpec:
    groups = set(q.get("groups", ()))
    named = set(q.get("rows", ()))
    keys = tuple(k for k, r in rows.items() if k in named or (r.group is not None and r.group in groups))
    cols = tuple(q.get("columns", ("total",)))
    unknown = [k for k in named if k not in rows] + [c for c in cols if c not in columns]
    if unknown or not keys:
        raise ValueError(f"format table {table}: quantity {q['key']} names unknown keys {unknown} or no rows")
    return QuantitySpec(
        key=q["key"],
        table=table,
        zh=q["zh"],
        en=q["en"],
        rows=keys,
        columns=cols,
        cell_zh=q.get("cell_zh"),
        chart=q.get("chart", True) and len(cols) == 1,
    )


@cache
def load_format(format_id: str) -> FormatSpec:
    """The spec of a national format, ``"2019"`` or ``"2021"``."""
    if format_id not in FORMAT_IDS:
        raise KeyError(f"unknown format {format_id!r}; known: {', '.join(FORMAT_IDS)}")
    data = _read_toml(f"{format_id}.toml")
    return FormatSpec(
        id=data["id"],
        issued_by=data["issued_by"],
        first_year=data["first_year"],
        tables={k: _table(k, v, data["id"]) for k, v in data["tables"].items()},
    )


def all_formats() -> list[FormatSpec]:
    return [load_format(f) for f in FORMAT_IDS]


@cache
def table_names() -> dict[str, tuple[str, str]]:
    """Table key → (表三, table 3): the short names, the same in every format."""
    return {k: (t.short_zh, t.short_en) for k, t in load_format(FORMAT_IDS[-1]).tables.items()}


@cache
def quantity_rows(key: str) -> tuple[str, ...]:
    """The rows of a quantity in any format (a report has only its own format's rows), for
    queries over a corpus of both formats."""
    out: list[str] = []
    for fmt in all_formats():
        q = fmt.quantities.get(key)
        for r in q.rows if q is not None else ():
            if r not in out:
                out.append(r)
    return tuple(out)


def format_for_year(year: int | None) -> FormatSpec:
    """The format in force for a report year (2021 onwards → 2021)."""
    if year is not None and year < load_format("2021").first_year:
        return load_format("2019")
    return load_format("2021")


@cache
def section_specs() -> tuple[SectionSpec, ...]:
    data = _read_toml("sections.toml")
    return tuple(
        SectionSpec(
            key=s["key"],
            ordinal=s["ordinal"],
            title=s["title"],
            keywords=_tuple(s, "keywords"),
            titles_unnumbered=_tuple(s, "titles_unnumbered"),
        )
        for s in data["sections"]
    )


@cache
def furniture_markers() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(substrings, prefixes) that mark a line as web-page furniture rather than report text."""
    data = _read_toml("sections.toml")["furniture"]
    return _tuple(data, "contains"), _tuple(data, "prefixes")


SECTION_KEYS = ("overview", "proactive", "requests", "appeals", "problems", "other")


_CN_ORDINALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_HEADING_NUMBER_RE = re.compile(r"^(?:第)?([一二三四五六七八九十])(?:[、.:：]|部分)")
MAX_HEADING_CHARS = 40


@cache
def _heading_starts() -> frozenset[str] | _Everything:
    """The first characters a heading's key can have: 第 or a top-level numeral (numbered), the
    first character of an unnumbered title. A key starting otherwise opens no section."""
    titles = [t for spec in section_specs() for t in spec.titles_unnumbered]
    if not all(titles):
        return _Everything()  # an empty title starts every text
    return frozenset({"第", *_CN_ORDINALS, *(t[0] for t in titles)})


class _Everything:
    def __contains__(self, item: object) -> bool:
        return True


@lru_cache(maxsize=65536)
def match_heading(text: str) -> SectionSpec | None:
    """The section a heading line opens, judged by meaning: its numbering, if any, must be the
    section's own top-level ordinal (二、 for 主动公开), and its words must name the section.
    Sub-level numbering ((一), 1.) never opens a section."""
    first = _KEY_FIRST_RE.search(fold(text))  # the key's first character, without the key
    if first is None or _KEY_CHAR.get(first[0], first[0]) not in _heading_starts():
        return None
    k = label_key(text).lstrip("#").strip()
    if not k or len(k) > MAX_HEADING_CHARS:
        return None
    m = _HEADING_NUMBER_RE.match(k)
    core = label_core(k)
    if m:
        ordinal = _CN_ORDINALS[m.group(1)]
        # The section of that ordinal first; then one or two before it, for reports that add a
        # section of their own (三、主动公开… after 二、政务公开工作主要任务落实情况).
        for shift in (0, 1, 2):
            for spec in section_specs():
                if spec.ordinal == ordinal - shift and any(kw in core for kw in spec.keywords):
                    return spec
        return None
    if k[:1] in _CN_ORDINALS and len(k) > 1:
        # 一总体情况: a top-level numeral with its 、 dropped, then a whole section title
        ordinal = _CN_ORDINALS[k[0]]
        for shift in (0, 1, 2):
            for spec in section_specs():
                if spec.ordinal == ordinal - shift and any(k[1:].startswith(t) for t in spec.titles_unnumbered):
                    return spec
    if core != k:  # numbered, but not with a top-level Chinese numeral
        return None
    for spec in section_specs():
        if any(core.startswith(t) and len(core) <= len(t) + 6 for t in spec.titles_unnumbered):
            return spec
    return None


@lru_cache(maxsize=65536)
def is_furniture(text: str) -> bool:
    """A line of the web page around the report (share buttons, site footer, page counters)."""
    contains, prefixes = _furniture_tests()
    f = fold(text)
    return (prefixes is not None and prefixes.match(f) is not None) or (
        contains is not None and contains.search(f) is not None
    )


# The key of a text (label_key) is its folded text without whitespace, with ：，； as :,;. A word is
# in the key where it is in the folded text with whitespace anywhere between its characters: the
# searches below read the folded text, which is known when the key is not.
_KEY_CHAR = {"：": ":", "，": ",", "；": ";"}
_KEY_FIRST_RE = re.compile(r"[^\s#]")  # the first character of a key with its leading # removed


def _in_key_pattern(word: str) -> str | None:
    """A pattern finding *word* in a key by reading the folded text (None: never in a key)."""
    parts: list[str] = []
    for ch in word:
        if ch.isspace() or ch in _KEY_CHAR:
            return None  # a key has no whitespace and no ：，；
        alike = [k for k, v in _KEY_CHAR.items() if v == ch]
        parts.append(f"[{re.escape(ch)}{''.join(alike)}]" if alike else re.escape(ch))
    return r"\s*".join(parts)


@cache
def _furniture_tests() -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """furniture_markers as two searches of a folded text: a marker anywhere in its key, a key
    starting with a marker (None when no marker can be in a key)."""
    contains, prefixes = furniture_markers()
    inside = [p for p in map(_in_key_pattern, contains) if p is not None]
    starts = [p for p in map(_in_key_pattern, prefixes) if p is not None]
    return (
        re.compile("|".join(inside)) if inside else None,
        re.compile(r"\s*(?:" + "|".join(starts) + ")") if starts else None,
    )
