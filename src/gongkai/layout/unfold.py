"""Unfold a report that a crawler wrote on one line back into lines.

Crawled pages often arrive as a header block and then the whole report on one line: headings
inline (``…取得一定的成效。二、主动公开政府信息情况第二十条第（一）项…``), table rows one after the
other with their digits run together (``一、本年新收政府信息公开申请数量0 0 0 0 0 00二、上年结转…``).
This stage cuts such a line where a person would see a new line — before a section heading, after
its title, before each row label of a table with its numbering, after a row's run of values — so
that the layout and tables stages read it like any other scraped text. Only the line breaks are
new: every character stays, in order, and keeps its line number (one long line becomes several
paragraphs sharing that line).

Row labels are looked for only inside a table's region (from its anchor to the next section
heading, or a full stop), so that ``行政许可`` in a sentence is never taken for a row.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from gongkai.document import Block, Document, Location, Paragraph
from gongkai.formats import all_formats, section_specs
from gongkai.memo import remember
from gongkai.normalize import label_core, label_key

LONG_LINE = 400  # a line this long holding headings or tables was flattened by a crawler
_CN = "一二三四五六七八九十"
_SECTION_NUMBER_RE = re.compile(rf"([{_CN}])([、.]?)")
_TITLE_END = ("情况", "事项", "问题")
_VALUE_RUN_RE = re.compile(r"[\s\d.,，%万元件条个项次宗笔\-—－―/／]*")
_DIGIT_RUN_RE = re.compile(r"\d[\d\s]*")


# Each character's comparison key (label_key of the character alone), learnt as characters are
# met, as translate tables: the key of a line is one str.translate, not a call per character.
_CHAR_KEYS: dict[int, str] = {}
# Per character: "\x01" when its key is one character, "\x00" when it has none (spaces, quotes),
# "\x02" when it is longer (㈠ → (一)).
_CHAR_WIDTH: dict[int, str] = {}
_KNOWN: set[str] = set()


def _learn(text: str) -> None:
    for ch in set(text).difference(_KNOWN):
        k = label_key(ch)
        _CHAR_KEYS[ord(ch)] = k
        _CHAR_WIDTH[ord(ch)] = "\x01" if len(k) == 1 else "\x00" if not k else "\x02"
        _KNOWN.add(ch)


@dataclass(slots=True)
class _Keyed:
    """A line's comparison key with, for each key character, its index in the raw line."""

    raw: str
    key: str
    at: Sequence[int]

    @classmethod
    def of(cls, raw: str) -> _Keyed:
        _learn(raw)
        key = raw.translate(_CHAR_KEYS)
        widths = raw.translate(_CHAR_WIDTH)
        if "\x02" in widths:  # a character keyed as several: each key character points back to it
            at: Sequence[int] = [i for i, ch in enumerate(raw) for _ in _CHAR_KEYS[ord(ch)]]
        elif "\x00" in widths:  # characters without a key: the others keep their indices
            at = list(itertools.compress(range(len(raw)), widths.encode("latin-1")))
        else:
            at = range(len(raw))
        return cls(raw, key, at)

    def raw_index(self, k: int) -> int:
        return self.at[k] if k < len(self.at) else len(self.raw)


@dataclass(frozen=True, slots=True)
class _TableWords:
    key: str
    section: int  # ordinal of the section that holds the table
    anchors: tuple[str, ...]
    labels: tuple[tuple[str, bool], ...]  # (label key, needs numbering in front), longest first
    head: frozenset[str]  # words of the table head: the rows start at the first label not among them
    flat: bool  # one run of values under a head (table 四): the region starts at the head


@cache
def _table_words() -> tuple[_TableWords, ...]:
    out: dict[str, tuple[list[str], set[tuple[str, bool]], set[str]]] = {}
    ordinals = {s.key: s.ordinal for s in section_specs()}
    flat: dict[str, bool] = {}
    for spec in all_formats():
        for table in spec.tables.values():
            anchors, labels, head = out.setdefault(table.key, ([], set(), set()))
            anchors.extend(a for a in table.anchors if a and a not in anchors)
            head.update(table.header)
            head.update(m for c in table.columns.values() for m in (*c.match, *c.exact))
            flat[table.key] = table.shape == "flat"
            if table.shape == "flat":
                continue
            for row in table.rows.values():
                core = label_core(row.label)
                if core:
                    labels.add((core, False))
                labels.update((m, False) for m in row.match)
                labels.update((e, True) for e in row.exact)
            labels.update((g, False) for g in table.groups)
    words = []
    for table_key, (anchors, labels, head) in out.items():
        ordered = tuple(sorted(labels, key=lambda lab: -len(lab[0])))
        section = ordinals[all_formats()[0].tables[table_key].section]
        words.append(_TableWords(table_key, section, tuple(anchors), ordered, frozenset(head), flat[table_key]))
    return tuple(words)


@cache
def _section_words() -> tuple[tuple[int, tuple[str, ...], tuple[str, ...]], ...]:
    """(ordinal, keywords, titles longest first) of each section, keyed as lines are."""
    return tuple(
        (
            s.ordinal,
            tuple(_k(w) for w in s.keywords),
            tuple(sorted((_k(t) for t in s.titles_unnumbered), key=len, reverse=True)),
        )
        for s in section_specs()
    )


@cache
def _any_section_word() -> re.Pattern[str] | None:
    """Any keyword or title of any section: a numeral with none of them in the 40 characters after
    it names no section (None when a word is empty and every numeral must be looked at)."""
    words = {w for _, keywords, titles in _section_words() for w in (*keywords, *titles)}
    if not words or "" in words:
        return None
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


def _k(text: str) -> str:
    """*text* keyed as a line is, character by character (traditional→simplified by phrase would
    differ)."""
    _learn(text)
    return text.translate(_CHAR_KEYS)


_NUMBERING_BEFORE_RE = re.compile(
    rf"(?:[{_CN}]{{1,2}}[、.]|\([{_CN}]{{1,2}}\)[、.]?|(?<!\d)\d[.、]|(?<=\d)[1-9][.、]|\(\d\)[、.]?)$"
)


_WINDOW_END_RE = re.compile(r"[\d。;]")


def _headings(keyed: _Keyed) -> list[tuple[int, int, int]]:
    """(start, title end, section ordinal) in key positions of the section headings on the line.
    A heading is numbered (一、…六、) and names its section; the number need not be the section's
    ordinal (a report that adds a section of its own shifts the rest), but sections come in order."""
    out: list[tuple[int, int, int]] = []
    k = keyed.key
    last_number = last_section = 0
    any_word = _any_section_word()
    for m in _SECTION_NUMBER_RE.finditer(k):
        number = _CN.index(m.group(1)) + 1
        if number <= last_number:
            continue
        after = m.end()
        if any_word is not None and not any_word.search(k, after, after + 40):
            continue
        stop = _WINDOW_END_RE.search(k, after, after + 40)
        window = k[after : stop.start() if stop else after + 40]
        found = None
        for ordinal, keywords, titles in _section_words():
            if ordinal <= last_section:
                continue
            # 一总体情况 (no 、 after the number): only a whole title counts, never a keyword
            title_end = _title_end(window, keywords if m.group(2) else (), titles)
            if title_end is not None:
                found = (ordinal, after + title_end)
                break
        if found is None:
            continue
        out.append((m.start(), found[1], found[0]))
        last_number, last_section = number, found[0]
    return out


def _title_end(window: str, keywords: tuple[str, ...], titles: tuple[str, ...]) -> int | None:
    """*titles* longest first."""
    for title in titles:
        if window.startswith(title):
            return len(title)
    hits = [(window.find(kw, 0, 25), kw) for kw in keywords]
    hits = [(at, kw) for at, kw in hits if at >= 0]
    if not hits:
        return None
    at, hit = min(hits)
    pos = at + len(hit)
    ends = [window.find(e, pos - 2) for e in _TITLE_END]
    ends = [e + 2 for e in ends if e >= 0 and e + 2 - pos <= 20]
    return min(ends) if ends else pos


def _region_labels(keyed: _Keyed, start: int, end: int, words: _TableWords) -> list[tuple[int, int]]:
    """(cut, label end) of the row and group labels between key positions *start* and *end*.

    From the first row label on, again and again: of each label's first occurrence from the
    position reached (a label that must be numbered counts only with numbering right before it),
    the one whose cut — its numbering included — comes first, the longer on a tie; the next search
    starts where it ends. Every occurrence of every label is found once, up front."""
    k = keyed.key
    found: list[tuple[int, int]] = []
    firsts = [q for q in (k.find(lab, start, end) for lab, _ in words.labels if lab not in words.head) if q >= 0]
    if not firsts:
        return found
    # (position, label, label end, cut or -1 when the label needs numbering and has none)
    hits: list[tuple[int, int, int, int]] = []
    for i, (label, needs_number) in enumerate(words.labels):
        q = k.find(label, start, end)
        while q >= 0:
            number = _NUMBERING_BEFORE_RE.search(k[max(start, q - 4) : q])  # a slice: no look behind it
            cut = q - len(number.group(0)) if number else (-1 if needs_number else q)
            hits.append((q, i, q + len(label), cut))
            q = k.find(label, q + 1, end)
    hits.sort()
    positions = [h[0] for h in hits]
    p = min(firsts)  # before it is the head (column words), no row
    while p < end:
        best: tuple[int, int] | None = None
        seen: set[int] = set()
        for q, which, label_end, cut in itertools.islice(hits, bisect.bisect_left(positions, p), None):
            # a cut is at most 4 characters (the numbering) before its label: past that, nothing
            # comes before the best
            if best is not None and q > best[0] + 4:
                break
            if which in seen:
                continue  # not the label's first occurrence from p
            seen.add(which)
            if cut < 0:
                continue
            if best is None or cut < best[0] or (cut == best[0] and label_end > best[1]):
                best = (cut, label_end)
        if best is None:
            break
        found.append(best)
        p = best[1]
    return found


def unfold_line(text: str, keyed: _Keyed | None = None) -> list[str]:
    """The pieces a flattened report line is cut into (their concatenation is *text*)."""
    keyed = keyed or _Keyed.of(text)
    k = keyed.key
    cuts: set[int] = set()
    headings = _headings(keyed)
    for start, title_end, _ordinal in headings:
        cuts.add(start)
        cuts.add(title_end)
    bounds = sorted({s for s, _, _ in headings} | {len(k)})
    heading_at = {ordinal: title_end for _, title_end, ordinal in headings}
    for words in _table_words():
        # The table's region starts at its first anchor after its section's heading.
        after = heading_at.get(words.section, 0)
        anchor_at = [q for q in (k.find(a, after) for a in words.anchors) if q >= 0]
        if not anchor_at:
            continue
        start = min(anchor_at)
        if words.flat:
            # 行政复议…结果维持: the head starts at the last 行政复议 before the first 结果维持 (the
            # heading or a sentence may say 行政复议 before).
            last = k.find(words.anchors[-1], after)
            if last >= 0:
                before = [k.rfind(a, after, last) for a in words.anchors[:-1]]
                start = max([b for b in before if b >= 0], default=last)
        if start > 0 and k[start - 1] == "(":
            start -= 1  # （本列数据的勾稽关系为…）
        end = next((b for b in bounds if b > start), len(k))
        stop = k.find("。", start, end)
        if stop >= 0:
            end = stop
        cuts.add(start)
        if words.flat:
            # One run of values after the head: whatever follows it starts a new line.
            digit = re.search(r"\d", k[start:end])
            if digit:
                raw_run = _DIGIT_RUN_RE.match(text, keyed.raw_index(start + digit.start()))
                if raw_run and raw_run.end() < len(text):
                    cuts.add(_key_at(keyed, raw_run.end()))
            continue
        labels = _region_labels(keyed, start, end, words)
        next_cuts = [c for c, _ in labels[1:]] + [end] if labels else []
        for (cut, label_end), segment_end in zip(labels, next_cuts, strict=True):
            cuts.add(cut)
            # After the row's values, whatever follows (prose, a sub-heading) starts a new line.
            raw_end = keyed.raw_index(label_end)
            run = _VALUE_RUN_RE.match(text, raw_end)
            if run and run.end() > raw_end and run.end() < len(text):
                run_end = _key_at(keyed, run.end())
                if run_end < segment_end:
                    cuts.add(run_end)
    raw_cuts = sorted({keyed.raw_index(c) for c in cuts if 0 < c < len(k)} | set(_signature_cuts(text)))
    pieces = []
    prev = 0
    for c in raw_cuts:
        if c > prev:
            pieces.append(text[prev:c])
            prev = c
    pieces.append(text[prev:])
    return [p for p in pieces if p]


_TRAILING_DATE_RE = re.compile(
    r"(?P<date>(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,3}\s*月\s*[\d一二三四五六七八九十]{1,3}\s*日)\s*$"
)


def _signature_cuts(text: str) -> list[int]:
    """A report on one line ends with its signature: ``…事项。 平潭综合实验区财政金融局 2024年1月29日``.
    Cut before the date and before the name, so that they read as the closing lines they were."""
    m = _TRAILING_DATE_RE.search(text)
    if not m:
        return []
    cuts = [m.start("date")]
    before = text[: m.start("date")].rstrip()
    end_of_sentence = max(before.rfind(p) for p in "。；;！!")
    name = before[end_of_sentence + 1 :].strip()
    if 2 <= len(name) <= 40 and " " not in name.strip():
        cuts.append(end_of_sentence + 1)
    return [c for c in cuts if 0 < c < len(text)]


def _key_at(keyed: _Keyed, raw_index: int) -> int:
    """The first key position at or after *raw_index*."""
    return bisect.bisect_left(keyed.at, raw_index)


def _flattened(keyed: _Keyed) -> bool:
    if len(keyed.raw) < LONG_LINE:
        return False
    anchors = sum(1 for w in _table_words() if any(a in keyed.key for a in w.anchors))
    return anchors >= 1 or len(_headings(keyed)) >= 2


def unfold_pieces(text: str) -> tuple[str, ...] | None:
    """The pieces :func:`unfold` cuts a line into, or None when it leaves the line whole (not
    flattened, or nothing to cut): a pure function of the line, worked out once per line."""
    try:
        return _PIECES[text]
    except KeyError:
        pass
    pieces: tuple[str, ...] | None = None
    if len(text) >= LONG_LINE:
        keyed = _Keyed.of(text)
        if _flattened(keyed):
            pieces = tuple(unfold_line(keyed.raw, keyed))
            if len(pieces) <= 1:
                pieces = None
    remember(_PIECES, _PIECES_MAX, text, pieces)
    return pieces


_PIECES: dict[str, tuple[str, ...] | None] = {}
_PIECES_MAX = 4096


def unfold(doc: Document) -> Document:
    """*doc* with every flattened report line cut into paragraphs; other blocks pass through."""
    if doc.kind != "text" or not any(isinstance(b, Paragraph) and len(b.text) >= LONG_LINE for b in doc.blocks):
        return doc
    out: list[Block] = []
    changed = False
    for block in doc.blocks:
        pieces = unfold_pieces(block.text) if isinstance(block, Paragraph) and len(block.text) >= LONG_LINE else None
        if pieces is not None:
            changed = True
            out.extend(Paragraph(p.strip(), Location(line=block.loc.line)) for p in pieces if p.strip())
            continue
        out.append(block)
    if not changed:
        return doc
    return dataclasses.replace(doc, blocks=out)


__all__ = ["unfold", "unfold_line", "unfold_pieces"]
