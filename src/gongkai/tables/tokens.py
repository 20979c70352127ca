"""Cells → tokens: the grid of a table read in order as labels, values and blanks.

Whatever the layout, the tables stage reads a table as one stream: text tokens (labels, head
words), value tokens (numbers, null markers like ——, things that should be numbers but are not)
and blank tokens (empty cells). Cells covered by a merge are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from gongkai.document import Location, Table
from gongkai.normalize import fold, key

NULL_MARKERS = frozenset({"——", "—", "-", "--", "－", "－－", "/", "／", "\\", "无", "空", "—-", "-—", "───", "──", "—— ", "─"})

_NUMBER_RE = re.compile(
    r"^(?P<sign>[+-])?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<unit>万元|元|件|条|个|项|次|宗|人次)?$"
)
_NOT_A_NUMBER_RE = re.compile(r"^[\d.,%/\-年月日:：\s万元件条个项次]+$")
_GLUED_RE = re.compile(r"^(?P<label>.*?\D)\s*(?P<digits>\d[\d\s,]*)$")


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "text", "value", "blank"
    raw: str
    loc: Location
    trusted: bool  # from an exact grid (HTML/Word/PDF), not rebuilt from text
    row_id: tuple[int, int]  # (block index, grid row) — cells of one grid row share it

    @property
    def key(self) -> str:
        return key(self.raw)


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


def is_value_text(text: str) -> bool:
    t = fold(text).strip()
    if not t:
        return False
    if t in NULL_MARKERS or set(t) <= set("—-－─/ "):
        return True
    if _NUMBER_RE.match(t.replace(" ", "")):
        return True
    return bool(_NOT_A_NUMBER_RE.match(t)) and any(ch.isdigit() for ch in t)


def tokenize(
    tables: Iterable[tuple[int, Table]], is_label: Callable[[str], bool] | None = None
) -> list[Token]:
    """Flatten grids into tokens. A cell holding a label and numbers separated by spaces (PDF
    text: ``规章 0 0 0``) gives one text token and one value token per number; a label with
    numbers glued to it (``规章0``) is split only when the label part is a known label."""
    out: list[Token] = []
    for block_index, table in tables:
        trusted = not table.from_text
        for r, row in enumerate(table.rows):
            row_id = (block_index, r)
            for cell in row:
                if cell.merged:
                    continue
                text = cell.text.strip()
                if not text:
                    out.append(Token("blank", "", cell.loc, trusted, row_id))
                    continue
                out.extend(_split_cell(text, cell.loc, trusted, row_id, is_label))
    return out


def _split_cell(
    text: str, loc: Location, trusted: bool, row_id: tuple[int, int], is_label: Callable[[str], bool] | None
) -> list[Token]:
    if is_value_text(text):
        return [Token("value", text, loc, trusted, row_id)]
    tokens: list[Token] = []
    label_parts: list[str] = []

    def flush() -> None:
        if not label_parts:
            return
        label = " ".join(label_parts)
        label_parts.clear()
        glued = _GLUED_RE.match(label)
        if glued and is_label is not None and is_label(glued.group("label")) and not is_label(label):
            tokens.append(Token("text", glued.group("label").strip(), loc, trusted, row_id))
            tokens.append(Token("value", glued.group("digits").strip(), loc, trusted, row_id))
        else:
            tokens.append(Token("text", label, loc, trusted, row_id))

    for piece in text.split():
        if is_value_text(piece) and not _is_numbering(piece):
            flush()
            tokens.append(Token("value", piece, loc, trusted, row_id))
        else:
            label_parts.append(piece)
    flush()
    return tokens


def _is_numbering(piece: str) -> bool:
    """``1.`` / ``(3)`` in front of a spaced-out label are numbering, not values."""
    t = fold(piece).strip()
    return bool(re.fullmatch(r"\(?\d{1,2}[.、)]|\(\d{1,2}\)", t))
