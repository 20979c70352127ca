"""The layout of one PDF page: tables on its ruling lines as exact grids, and its text lines.

The input is what :mod:`gongkai.readers.pdf_pdfium` (or pdfminer, through pdfplumber) reads of a
page: characters with their boxes and the painted lines, rectangles and curves, in pdfplumber's
coordinates. Tables are found as pdfplumber's ruling-line table finder finds them (the white boxes
that WPS paints behind text lines are not rulings; a border Word leaves out at a page break is put
back); the text of a cell, and the text lines outside the tables, come from the same rules as
pdfplumber's ``Table.extract`` and ``extract_text_lines``. All three are rewritten for speed —
the rulings as tuples rather than dictionaries, each point's neighbours looked up once, a cell's
characters found by bisection instead of testing every character of the page against every cell
— to the same tables and text, which ``tests/test_readers_pdf_pdfium.py`` checks against
pdfplumber's own functions.

Look-alike code points that PDF text layers produce (Kangxi radicals ⼀ ⼯ for 一 工, CJK
compatibility ideographs, full-width digits and letters) are folded before anything reads a label,
and characters spaced out by justification (``邮 编 ：``) are joined.
"""

from __future__ import annotations

import bisect
import re
import statistics
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter, methodcaller
from typing import Any

from pdfplumber import utils
from pdfplumber.utils.text import LIGATURES

from gongkai.normalize import RADICAL_SUPPLEMENT
from gongkai.readers.html import join_lines, join_spaced_cjk
from gongkai.readers.pdf_pdfium import PageObjects

_TABLE_SETTINGS: dict[str, Any] = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
    "snap_tolerance": 3,
    "join_tolerance": 3,
    "intersection_tolerance": 3,
}
_MARGIN = 0.1  # headers and footers live in the top and bottom tenth of the page
_PAGE_NUMBER_RES = (
    re.compile(r"^[-—–－~～·•\s]*\d{1,4}[-—–－~～·•\s]*$"),  # - 3 -, —3—, 3
    re.compile(r"^第\s*\d{1,4}\s*页\s*[,，/、]?\s*(共\s*\d{1,4}\s*页)?$"),  # 第 3 页 共 8 页
    re.compile(r"^\d{1,4}\s*/\s*\d{1,4}$"),  # 3/8
    re.compile(r"^(page|p\.)\s*\d{1,4}(\s*(of|/)\s*\d{1,4})?$", re.IGNORECASE),
)


# ------------------------------------------------------------------------------------------------
# Text clean-up


def _fold_char(ch: str) -> str:
    o = ord(ch)
    if o in RADICAL_SUPPLEMENT:
        return RADICAL_SUPPLEMENT[o]
    if (
        0x2E80 <= o <= 0x2FDF  # CJK radicals supplement, Kangxi radicals
        or 0xF900 <= o <= 0xFAFF  # CJK compatibility ideographs
        or 0x2F800 <= o <= 0x2FA1F  # … supplement
        or 0xFF10 <= o <= 0xFF19  # full-width digits
        or 0xFF21 <= o <= 0xFF3A
        or 0xFF41 <= o <= 0xFF5A
        or o in (0xFF0E, 0xFF05, 0xFF0B, 0xFF0D)  # ． ％ ＋ －
    ):
        return unicodedata.normalize("NFKC", ch)
    if 0xE000 <= o <= 0xF8FF or o in (0xFFFD,):
        return ""  # private-use glyphs and replacement characters carry no text
    return ch


class _Folds(dict[int, str]):
    """``str.translate``'s table for :func:`_fold_char`, filled as code points are met."""

    def __missing__(self, o: int) -> str:
        folded = self[o] = _fold_char(chr(o))
        return folded


_FOLDS = _Folds()
_X0 = itemgetter("x0")
_FIRST = itemgetter(0)
_SPACES = re.compile(r"[ \t\u3000\xa0]+")


def clean_pdf_text(text: str) -> str:
    """Fold look-alike code points, join spaced-out CJK, collapse runs of spaces."""
    if not text:
        return ""
    s = _SPACES.sub(" ", text.translate(_FOLDS)).strip()
    return join_spaced_cjk(s) if " " in s else s  # (most cells and lines have no space to look at)


def is_page_furniture(text: str) -> bool:
    t = text.strip()
    return bool(t) and any(r.match(t) for r in _PAGE_NUMBER_RES)


# ------------------------------------------------------------------------------------------------
# Page reading


def _visible(obj: dict[str, Any]) -> bool:
    """Drop the white boxes WPS paints behind text lines: they are not table rulings."""
    if obj.get("object_type") != "rect":
        return True
    if obj.get("stroke"):
        return True
    if obj.get("fill"):
        return not _is_white(obj.get("non_stroking_color"))
    return False


def _is_white(color: Any) -> bool:
    if color is None:
        return False
    if type(color) is tuple and len(color) == 3:  # RGB, as PDFium gives it
        r, g, b = color
        if type(r) is float and type(g) is float and type(b) is float:
            return r >= 0.98 and g >= 0.98 and b >= 0.98
    if isinstance(color, (int, float)):
        return color >= 0.98
    if isinstance(color, (tuple, list)):
        values = [v for v in color if isinstance(v, (int, float))]
        if len(values) == 4:  # CMYK: white is no ink
            return all(v <= 0.02 for v in values)
        return bool(values) and all(v >= 0.98 for v in values)
    return False


@dataclass(slots=True)
class Line:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float


@dataclass(slots=True)
class TableOnPage:
    top: float
    bbox: tuple[float, float, float, float]
    rows: list[list[tuple[str, bool, tuple[float, float, float, float] | None]]]


@dataclass(slots=True)
class PageLayout:
    number: int
    width: float
    height: float
    items: list[Line | TableOnPage]
    chars: int


_UPRIGHT = methodcaller("get", "upright", True)
_UPRIGHT_KEY = itemgetter("upright")


def _all_upright(chars: list[dict[str, Any]]) -> bool:
    """Whether every character is upright (one without ``upright`` counts as upright)."""
    try:
        return all(map(_UPRIGHT_KEY, chars))  # (every character has the key: PDFium's, pdfminer's)
    except KeyError:
        return all(map(_UPRIGHT, chars))


def _char_size(chars: list[dict[str, Any]]) -> float:
    sizes = [float(c.get("size") or 0) for c in chars if (text := c["text"]) and not text.isspace()]
    return statistics.median(sizes) if sizes else 10.0


Edge = tuple[float, float, float, float, float]  # x0, top, x1, bottom, and the length pdfplumber keeps


def _edges(objects: PageObjects) -> tuple[list[Edge], list[Edge]]:
    """The vertical and the horizontal edges of the visible lines, rectangles and curves, each in
    pdfplumber's order (``line_to_edge``, ``rect_to_edges``, ``curve_to_edges``: the same
    coordinates, and as length the ``height`` of a vertical edge, the ``width`` of a horizontal
    one, as pdfplumber carries them)."""
    v: list[Edge] = []
    h: list[Edge] = []
    for o in objects.lines:  # every line is visible
        if o["top"] == o["bottom"]:
            h.append((o["x0"], o["top"], o["x1"], o["bottom"], o["width"]))
        else:
            v.append((o["x0"], o["top"], o["x1"], o["bottom"], o["height"]))
    for r in objects.rects:
        if _visible(r):
            x0, top, x1, bottom, width, height = r["x0"], r["top"], r["x1"], r["bottom"], r["width"], r["height"]
            h.append((x0, top, x1, top, width))
            h.append((x0, top + height, x1, bottom, width))
            v.append((x0, top, x0, bottom, height))
            v.append((x1, top, x1, bottom, height))
    for c in objects.curves:
        if _visible(c):
            for (px, py), (qx, qy) in zip(c["pts"], c["pts"][1:], strict=False):
                edge = (min(px, qx), min(py, qy), max(px, qx), max(py, qy))
                if px == qx:
                    v.append((*edge, abs(py - qy)))
                elif py == qy:
                    h.append((*edge, abs(px - qx)))
    return v, h


def _text_lines(
    objects: PageObjects,
    boxes: list[tuple[float, float, float, float]],
    index: _CharIndex | None = None,
    upright: bool = False,
) -> list[Line]:
    """The page's text lines outside the table *boxes* (*index*: its characters by their middle;
    *upright*: every character of the page is known to be)."""
    rest = objects.chars
    if boxes:  # the characters whose middle is in no table
        inside = index.inside(boxes) if index is not None else _CharIndex(rest).inside(boxes)
        rest = [c for i, c in enumerate(rest) if i not in inside]
    upright = upright or _all_upright(rest)
    if upright:
        raw_lines = _plain_text_lines(rest)
    else:
        x0, top, x1, bottom = objects.bbox
        textmap = utils.chars_to_textmap(
            rest,
            layout=False,
            x_tolerance=1.5,
            layout_bbox=objects.bbox,
            layout_width=x1 - x0,
            layout_height=bottom - top,
        )
        raw_lines = textmap.extract_text_lines(strip=True, return_chars=True)
    lines: list[Line] = []
    for raw in raw_lines:
        chars = raw["chars"] if upright else [c for c in raw.get("chars", []) if c.get("upright", True)]
        if not chars:
            continue
        size = _char_size(chars)
        text = _with_gaps(chars, size)
        text = clean_pdf_text(text)
        if not text:
            continue
        lines.append(Line(text, float(raw["x0"]), float(raw["top"]), float(raw["x1"]), float(raw["bottom"]), size))
    return lines


def _with_gaps(chars: list[dict[str, Any]], size: float) -> str:
    """The line's text with spaces where the characters are apart, and `` | `` where the gap is
    as wide as a table column gap (text tables drawn without ruling lines)."""
    out: list[str] = []
    column_gap = max(2.5 * size, 18)
    word_gap = 0.25 * size
    prev_x1 = 0.0
    prev_space = True  # no gap before the first character
    for ch in sorted(chars, key=_X0):
        text = ch["text"]
        space = text.isspace()
        if out:
            gap = ch["x0"] - prev_x1
            if gap > column_gap:
                out.append(" | ")
            elif gap > word_gap and not space and not prev_space:
                out.append(" ")
        out.append(text)
        prev_x1 = ch["x1"]
        prev_space = space
    return "".join(out)


def _cell_text(text: str | None) -> str:
    if not text:
        return ""
    if text.isdigit() and text.isascii():
        return text  # a count (most cells): nothing to clean
    if "\n" not in text:
        # one line: join_lines gives its cleaned text back, and cleaning that again changes
        # nothing (a folded letter folds to itself, the spaces are single, and none is left
        # between two CJK letters)
        return clean_pdf_text(text)
    return clean_pdf_text(join_lines(map(clean_pdf_text, text.split("\n"))))


def _closing_edges(verticals: list[Edge], horizontals: list[Edge], tol: float = 2.0) -> list[Edge]:
    """Horizontal rulings a table lacks at a page break: where two or more vertical rulings end at
    the same height and no horizontal ruling is drawn there (Word leaves out the bottom border of
    a table that goes on on the next page, and the top border where it comes back)."""
    out: list[Edge] = []
    for end in (1, 3):  # top, bottom
        groups: list[list[Edge]] = []
        for e in sorted(verticals, key=lambda e: float(e[end])):
            if groups and abs(float(groups[-1][0][end]) - float(e[end])) <= tol:
                groups[-1].append(e)
            else:
                groups.append([e])
        for group in groups:
            if len(group) < 2:
                continue
            y = float(group[0][end])
            x0 = min(float(e[0]) for e in group)
            x1 = max(float(e[2]) for e in group)
            drawn = any(
                abs(float(h[1]) - y) <= tol and float(h[0]) <= x0 + tol and float(h[2]) >= x1 - tol for h in horizontals
            )
            if not drawn:
                out.append((x0, y, x1, y, x1 - x0))
    return out


class _CharIndex:
    """The page's characters by the middle of their box, for finding those in a table cell."""

    def __init__(self, chars: list[dict[str, Any]]) -> None:
        mids = [((c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2, i) for i, c in enumerate(chars)]
        mids.sort(key=itemgetter(1))
        self.chars = chars
        self.mids = mids
        self.ys = [m[1] for m in mids]

    def inside(self, boxes: list[tuple[float, float, float, float]]) -> set[int]:
        """The positions of the characters whose middle is in one of *boxes*, edges included."""
        out: set[int] = set()
        for x0, top, x1, bottom in boxes:
            lo = bisect.bisect_left(self.ys, top)
            hi = bisect.bisect_right(self.ys, bottom)
            out.update(i for h, _, i in self.mids[lo:hi] if x0 <= h <= x1)
        return out

    def within(
        self,
        bbox: tuple[float, float, float, float],
        bands: dict[tuple[float, float], tuple[list[float], list[int]]] | None = None,
    ) -> list[dict[str, Any]]:
        """The characters whose middle is in *bbox* (left and top edges in, right and bottom out),
        in page order — what pdfplumber's ``Table.extract`` gives a cell. *bands*: the characters
        of each band of the page (a top and a bottom) by their middle's x, for the cells of a
        table, most of which share their band with the others of their row."""
        x0, top, x1, bottom = bbox
        if x0 != x0 or x1 != x1:
            return []  # NaN: no middle is in it
        band = bands.get((top, bottom)) if bands is not None else None
        if band is None:
            lo = bisect.bisect_left(self.ys, top)
            hi = bisect.bisect_left(self.ys, bottom)
            across = [(h, i) for h, _, i in self.mids[lo:hi] if h == h]  # (a NaN is in no cell)
            across.sort(key=_FIRST)  # (the order of equal middles does not matter: found is sorted)
            band = ([h for h, _ in across], [i for _, i in across])
            if bands is not None:
                bands[(top, bottom)] = band
        xs, positions = band
        found = positions[bisect_left(xs, x0) : bisect_left(xs, x1)]
        chars = self.chars
        if len(found) == 1:  # (most cells: one digit)
            return [chars[found[0]]]
        found.sort()
        return [chars[i] for i in found]


def _clusters(values: list[float], tolerance: float) -> dict[float, int]:
    """pdfplumber's ``make_cluster_dict``: each value → the number of its cluster, a cluster
    being a run of sorted values each within *tolerance* of the one before."""
    out: dict[float, int] = {}
    cluster = -1
    last = None
    for v in sorted(set(values)):
        if last is None or v > last + tolerance:
            cluster += 1
        out[v] = cluster
        last = v
    return out


def _words(chars: list[dict[str, Any]]) -> list[tuple[float, list[dict[str, Any]]]]:
    """pdfplumber's ``WordExtractor(x_tolerance=1.5).iter_extract_tuples`` for upright characters:
    the characters of each line (clustered by ``top``, 3 points) left to right, cut into words at
    white space and where a character does not follow on from the one before. Each word with its
    top (its characters' least)."""
    line_of = _clusters([c["top"] for c in chars], 3)
    lines: dict[int, list[dict[str, Any]]] = {}
    for c in chars:
        k = line_of[c["top"]]
        line = lines.get(k)
        if line is None:
            lines[k] = [c]
        else:
            line.append(c)
    words: list[tuple[float, list[dict[str, Any]]]] = []
    for k in sorted(lines):
        word: list[dict[str, Any]] = []
        top = prev_x1 = prev_top = 0.0
        line = lines[k]
        line.sort(key=_X0)  # (a list of its own: sorted in place)
        for c in line:
            text = c["text"]
            if text.isspace():
                if word:
                    words.append((top, word))
                word = []
                continue
            if text == "":  # pdfplumber: a word of its own
                if word:
                    words.append((top, word))
                words.append((c["top"], [c]))
                word = []
                continue
            c_top = c["top"]
            if word and (c["x0"] > prev_x1 + 1.5 or abs(c_top - prev_top) > 3):  # (x0s in order)
                words.append((top, word))
                word, top = [c], c_top
            else:
                if not word or c_top < top:
                    top = c_top
                word.append(c)
            prev_x1, prev_top = c["x1"], c_top  # the character before, in the word
        if word:
            words.append((top, word))
    return words


def _cell_plain_text(chars: list[dict[str, Any]]) -> str:
    """pdfplumber's ``extract_text(chars, x_tolerance=1.5)`` for upright characters: the words
    clustered into lines by their ``top`` (3 points), joined by spaces and the lines by newlines."""
    if len(chars) == 1:  # most cells: one digit
        text = chars[0]["text"]
        return "" if text.isspace() else LIGATURES.get(text, text)
    # max() and min() of the tops, as they choose (a call of either costs more than the loop)
    least = most = chars[0]["top"]
    for c in chars:
        top = c["top"]
        if top > most:
            most = top
        if top < least:
            least = top
    if most - least <= 3:
        # one line (every top within 3 points of the least): the words left to right, cut at
        # white space and gaps, joined by spaces — what the clustering below comes to
        pieces: list[str] = []
        letters: list[str] = []
        prev_x1 = 0.0
        for c in sorted(chars, key=_X0):
            text = c["text"]
            if text.isspace():
                if letters:
                    pieces.append("".join(letters))
                letters = []
            elif text == "":  # pdfplumber: a word of its own
                if letters:
                    pieces.append("".join(letters))
                pieces.append("")
                letters = []
            else:
                if letters and c["x0"] > prev_x1 + 1.5:
                    pieces.append("".join(letters))
                    letters = []
                letters.append(LIGATURES.get(text, text))
                prev_x1 = c["x1"]
        if letters:
            pieces.append("".join(letters))
        return " ".join(pieces)
    words = _words(chars)
    line_of = _clusters([top for top, _ in words], 3)
    rows: dict[int, list[str]] = {}
    for top, word in words:
        rows.setdefault(line_of[top], []).append("".join(LIGATURES.get(c["text"], c["text"]) for c in word))
    return "\n".join(" ".join(rows[k]) for k in sorted(rows))


def _plain_text_lines(chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """pdfplumber's ``chars_to_textmap(chars, layout=False, x_tolerance=1.5)
    .extract_text_lines(strip=True, return_chars=True)`` for upright characters: consecutive words
    whose tops cluster together (3 points) make a line; each line's box and characters (a
    character once for each letter it stands for, as pdfplumber gives them)."""
    words = _words(chars)
    line_of = _clusters([top for top, _ in words], 3)
    # every character one letter (no ligature, no empty text): a word's characters as they are
    letters = {c["text"] for c in chars}
    single = all(len(t) == 1 for t in letters) and letters.isdisjoint(LIGATURES)
    out: list[dict[str, Any]] = []
    current = -1
    line: list[dict[str, Any]] = []
    for top, word in words:
        k = line_of[top]
        if k != current:
            if line:
                out.append(_line_box(line))
            line = []
            current = k
        if single:
            line.extend(word)
            continue
        for c in word:
            text = c["text"]
            if len(text) == 1 and text not in LIGATURES:
                line.append(c)
            else:
                line.extend([c] * len(LIGATURES.get(text, text)))
    if line:
        out.append(_line_box(line))
    return out


_X1, _TOP, _BOTTOM = itemgetter("x1"), itemgetter("top"), itemgetter("bottom")


def _line_box(chars: list[dict[str, Any]]) -> dict[str, Any]:
    """The line's box (each side the first character's that reaches furthest) and characters."""
    x0 = min(map(_X0, chars))
    top = min(map(_TOP, chars))
    return {"x0": x0, "top": top, "x1": max(map(_X1, chars)), "bottom": max(map(_BOTTOM, chars)), "chars": chars}


Box = tuple[float, float, float, float]  # a cell's or a table's: x0, top, x1, bottom


def _extract(rows: list[list[Box | None]], index: _CharIndex, upright: bool) -> list[list[str | None]]:
    """pdfplumber's ``Table.extract(x_tolerance=1.5)`` of a table's *rows* (:func:`_rows`), with
    the characters found by bisection: a cell's text is that of the characters whose middle lies
    in it. *upright*: every character of the page is."""
    out: list[list[str | None]] = []
    bands: dict[tuple[float, float], tuple[list[float], list[int]]] = {}
    for row in rows:
        texts: list[str | None] = []
        for cell in row:
            if cell is None:
                texts.append(None)
                continue
            chars = index.within(cell, bands)
            if not chars:
                texts.append("")
            elif upright or _all_upright(chars):
                texts.append(_cell_plain_text(chars))
            else:
                texts.append(utils.extract_text(chars, x_tolerance=1.5))
        out.append(texts)
    return out


def _rows(cells: list[Box]) -> list[list[Box | None]]:
    """pdfplumber's ``Table.rows``: the cells by their top, each row across every x0 of the table
    (None where the row has no cell starting there)."""
    xs = sorted(set(map(itemgetter(0), cells)))
    rows: list[list[Box | None]] = []
    for _, row_cells in groupby(sorted(cells, key=itemgetter(1, 0)), itemgetter(1)):
        at = {cell[0]: cell for cell in row_cells}
        rows.append([at.get(x) for x in xs])
    return rows


def _bbox(cells: list[Box]) -> Box:
    """pdfplumber's ``Table.bbox``."""
    return (
        min(map(itemgetter(0), cells)),
        min(map(itemgetter(1), cells)),
        max(map(itemgetter(2), cells)),
        max(map(itemgetter(3), cells)),
    )


def _snap(edges: list[Edge], axis: int) -> list[Edge]:
    """pdfplumber's ``snap_objects(edges, "x0" or "top", 3)``: the edges clustered by their
    coordinate on *axis* (0: x0, 1: top; a run of sorted values each within 3 of the one before),
    each cluster in the order of *edges*, and every edge moved by the cluster's mean less its own
    coordinate (added to both ends, as pdfplumber's ``move_object``)."""
    cluster_of = _clusters([e[axis] for e in edges], 3)
    clusters: dict[int, list[Edge]] = {}
    for e in edges:
        clusters.setdefault(cluster_of[e[axis]], []).append(e)
    out: list[Edge] = []
    for k in sorted(clusters):
        cluster = clusters[k]
        mean = sum(e[axis] for e in cluster) / len(cluster)
        for x0, top, x1, bottom, length in cluster:
            if axis == 0:
                shift = mean - x0
                out.append((x0 + shift, top, x1 + shift, bottom, length))
            else:
                shift = mean - top
                out.append((x0, top + shift, x1, bottom + shift, length))
    return out


def _join(edges: list[Edge], axis: int) -> list[Edge]:
    """pdfplumber's ``join_edge_group`` of edges on one line: along *axis* (0: a horizontal line,
    from x0 to x1; 1: a vertical one, from top to bottom) those within 3 of each other joined,
    the joined edge's length pdfplumber's ``resize_object`` gives it."""
    joined: list[Edge] = []
    for e in sorted(edges, key=itemgetter(axis)):
        if joined:
            last = joined[-1]
            if e[axis] <= last[axis + 2] + 3:
                if e[axis + 2] > last[axis + 2]:
                    x0, top, x1, bottom, length = last
                    if axis == 0:
                        joined[-1] = (x0, top, e[2], bottom, e[2] - x0)
                    else:
                        joined[-1] = (x0, top, x1, e[3], length + (e[3] - bottom))
                continue
        joined.append(e)
    return joined


def _table_edges(v: list[Edge], h: list[Edge], closing: list[Edge]) -> tuple[list[Edge], list[Edge]]:
    """pdfplumber's ``TableFinder.get_edges`` with the ``lines`` strategies, snap and join
    tolerances of 3 and *closing* as explicit horizontal lines: the edges of 1 point or more,
    snapped, joined, and those of 3 points or more kept."""
    v = _snap([e for e in v if e[4] >= 1], 0)
    h = _snap([e for e in h if e[4] >= 1] + closing, 1)
    out_v: list[Edge] = []
    out_h: list[Edge] = []
    for edges, axis, out in ((h, 1, out_h), (v, 0, out_v)):
        lines: dict[float, list[Edge]] = {}
        for e in edges:
            lines.setdefault(e[axis], []).append(e)
        for key in sorted(lines):
            out.extend(e for e in _join(lines[key], 1 - axis) if e[4] >= 3)
    return out_v, out_h


Meets = tuple[set[int], set[int]]  # the vertical and the horizontal edges that meet at a point


def _intersections(v_edges: list[Edge], h_edges: list[Edge], tolerance: float = 3) -> dict[tuple[float, float], Meets]:
    """pdfplumber's ``edges_to_intersections``: each point where a vertical edge meets a
    horizontal one (within *tolerance*), with the edges that meet there — each edge a number, the
    same for edges of the same box (pdfplumber tells edges apart by their boxes). The horizontal
    edges a vertical one may meet are found by bisection on their tops, with pdfplumber's own tests
    of the top (``vtop <= htop + tolerance``, ``vbottom >= htop - tolerance``: each true on one
    side of a top, as a float sum only grows with its term), then tested across."""
    intersections: dict[tuple[float, float], Meets] = {}
    numbers: dict[tuple[float, ...], int] = {}
    # (a top that is NaN meets nothing: left out, so that the tops sort)
    horizontals = [(h[1], h[0], h[2], numbers.setdefault(h[:4], len(numbers))) for h in h_edges if h[1] == h[1]]
    horizontals.sort(key=itemgetter(0))
    # pdfplumber's two sums, once each: sorted as the tops are (a float sum only grows with its term)
    reach_down = [h[0] + tolerance for h in horizontals]
    reach_up = [h[0] - tolerance for h in horizontals]
    bisect_left, bisect_right = bisect.bisect_left, bisect.bisect_right
    for v in v_edges:
        vx, vtop, _, vbottom, _ = v
        v_number = numbers.setdefault(v[:4], len(numbers))
        lo = bisect_left(reach_down, vtop)  # the first with vtop <= htop + tolerance
        hi = bisect_right(reach_up, vbottom)  # the first with vbottom < htop - tolerance
        for htop, hx0, hx1, h_number in horizontals[lo:hi]:
            if vtop <= htop + tolerance and vbottom >= htop - tolerance and hx0 - tolerance <= vx <= hx1 + tolerance:
                vertex = (vx, htop)
                meet = intersections.get(vertex)
                if meet is None:
                    meet = intersections[vertex] = (set(), set())
                meet[0].add(v_number)
                meet[1].add(h_number)
    return intersections


def _cells(
    intersections: dict[tuple[float, float], Meets], corners: list[tuple[int, int, int, int]] | None = None
) -> list[tuple[float, float, float, float]]:
    """pdfplumber's ``intersections_to_cells``, with each point's edges, and the points below and
    to the right of it, looked up once instead of for every pair of points: the same cells.
    *corners*, if given, gets each cell's four corners as the numbers of their points (in
    (x, top) order; one number for one point, as the points are the keys of *intersections*)."""

    points = sorted(intersections)
    meets = [intersections[p] for p in points]
    number_of = {p: k for k, p in enumerate(points)}
    columns: dict[float, list[int]] = {}
    rows: dict[float, list[int]] = {}
    for k, p in enumerate(points):
        columns.setdefault(p[0], []).append(k)
        rows.setdefault(p[1], []).append(k)
    # the points after each point in (x, top) order on its column are below it, on its row right of it
    below_of: list[list[int]] = [[]] * len(points)
    right_of: list[list[int]] = [[]] * len(points)
    for column in columns.values():
        for k, number in enumerate(column):
            below_of[number] = column[k + 1 :]
    for row in rows.values():
        for k, number in enumerate(row):
            right_of[number] = row[k + 1 :]
    cells: list[tuple[float, float, float, float]] = []
    get = number_of.get
    for k, pt in enumerate(points):
        v_pt, h_pt = meets[k]
        right = right_of[k]
        for j in below_of[k]:
            v_below, h_below = meets[j]
            if v_pt.isdisjoint(v_below):
                continue  # not joined to pt by an edge (pdfplumber's edge_connects)
            below_top = points[j][1]
            for i in right:
                v_right, h_right = meets[i]
                if h_pt.isdisjoint(h_right):
                    continue
                right_x = points[i][0]
                m = get((right_x, below_top))
                if m is None:
                    continue
                v_corner, h_corner = meets[m]
                if not v_corner.isdisjoint(v_right) and not h_corner.isdisjoint(h_below):
                    cells.append((pt[0], pt[1], right_x, below_top))
                    if corners is not None:
                        corners.append((k, j, i, m))
                    break
            else:
                continue
            break
    return cells


def _cells_to_tables(
    cells: list[tuple[float, float, float, float]], corners: list[tuple[int, int, int, int]] | None = None
) -> list[list[tuple[float, float, float, float]]]:
    """pdfplumber's ``cells_to_tables``: the cells grouped by shared corners (each group all the
    cells reachable from one through corners they share), the groups ordered by their top-left
    cell, a group of one cell dropped. pdfplumber sweeps the list until no cell joins; the groups
    are the same, and within a group the order does not matter (``Table`` sorts its cells).
    The groups are found by union–find, each group's root its first cell, each corner met once.
    *corners*: each cell's corners as numbers (:func:`_cells`), the same corner the same number —
    compared for less than the corners themselves."""
    parent = list(range(len(cells)))
    keys: list[tuple[Any, Any, Any, Any]] = (
        [((x0, top), (x0, bottom), (x1, top), (x1, bottom)) for x0, top, x1, bottom in cells]
        if corners is None
        else corners
    )
    first: dict[Any, int] = {}  # each corner → the first cell that has it
    for k, cell_corners in enumerate(keys):
        for corner in cell_corners:
            j = first.setdefault(corner, k)
            if j == k:
                continue
            while parent[j] != j:
                j = parent[j]
            r = k
            while parent[r] != r:
                r = parent[r]
            if j < r:
                parent[r] = j
            elif r < j:
                parent[j] = r
    groups: dict[int, list[tuple[float, float, float, float]]] = {}
    for k, cell in enumerate(cells):
        root = parent[k]
        while parent[root] != root:
            root = parent[root]
        parent[k] = root
        group = groups.get(root)
        if group is None:
            groups[root] = [cell]
        else:
            group.append(cell)
    tables = [t for t in groups.values() if len(t) > 1]
    tables.sort(key=lambda t: min((c[1], c[0]) for c in t))
    return tables


def _table_cells(objects: PageObjects) -> list[list[Box]]:
    """The cells of each table pdfplumber's ``TableFinder(page, settings)`` finds for the page's
    visible rulings and the rulings a table lacks at a page break (``_closing_edges``), with the
    equivalents above."""
    v, h = _edges(objects)
    v, h = _table_edges(v, h, _closing_edges(v, h))
    corners: list[tuple[int, int, int, int]] = []
    cells = _cells(_intersections(v, h), corners)
    return _cells_to_tables(cells, corners)


def read_layout(objects: PageObjects, number: int) -> PageLayout:
    try:
        found = _table_cells(objects)
    except Exception as exc:  # odd geometry; fall back to text
        reraise_memory_error(exc)
        found = []
    boxes: list[tuple[float, float, float, float]] = []
    items: list[Line | TableOnPage] = []
    index = _CharIndex(objects.chars) if found else None
    upright = _all_upright(objects.chars)
    for table_cells in found:
        try:
            assert index is not None
            rows_geom = _rows(table_cells)
            extracted = _extract(rows_geom, index, upright)
        except Exception as exc:
            reraise_memory_error(exc)
            continue
        grid: list[list[tuple[str, bool, tuple[float, float, float, float] | None]]] = []
        for r, texts in enumerate(extracted):
            cells = rows_geom[r] if r < len(rows_geom) else [None] * len(texts)
            grid.append(
                [
                    ("", True, None) if bbox is None else (_cell_text(text), False, bbox)
                    for text, bbox in zip(texts, cells, strict=False)
                ]
            )
        width = max((len(r) for r in grid), default=0)
        for row in grid:
            row.extend([("", True, None)] * (width - len(row)))
        grid = [row for row in grid if any(not merged for _, merged, _ in row)]
        if not grid or width < 2 or not any(text for row in grid for text, _, _ in row):
            continue  # a frame around text, not a table
        bbox = _bbox(table_cells)
        boxes.append(bbox)
        items.append(TableOnPage(float(bbox[1]), bbox, grid))
    lines = _text_lines(objects, boxes, index, upright)
    margin_top = objects.height * _MARGIN
    margin_bottom = objects.height * (1 - _MARGIN)
    for line in lines:
        in_margin = line.bottom <= margin_top or line.top >= margin_bottom
        if in_margin and is_page_furniture(line.text):
            continue
        items.append(line)
    items.sort(key=lambda it: it.top)
    return PageLayout(number, objects.width, objects.height, items, len(objects.chars))


def _causes(exc: BaseException) -> list[BaseException]:
    """*exc* and what it wraps: pdfplumber wraps pdfminer's exceptions (``PdfminerException(exc)``)."""
    seen: set[int] = set()
    out: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        out.append(current)
        args = getattr(current, "args", ())
        if args and isinstance(args[0], BaseException):
            current = args[0]
            continue
        current = current.__cause__ or current.__context__
    return out


def is_password_error(exc: BaseException) -> bool:
    return any(
        "Password" in type(c).__name__ or "Encrypt" in type(c).__name__ or "password" in str(c).lower()
        for c in _causes(exc)
    )


def reraise_memory_error(exc: BaseException) -> None:
    """Over ``memory_mb`` is not a damaged file: let the worker report it as ``memory``, even when
    pdfplumber has wrapped the MemoryError."""
    if any(isinstance(c, MemoryError) for c in _causes(exc)):
        raise MemoryError from None
