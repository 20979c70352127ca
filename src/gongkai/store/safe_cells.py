"""Cells for spreadsheets that are data, never formulas: the one writer every export goes through.

Report text is untrusted: a file named ``=1+2.txt``, an agency written ``=HYPERLINK(…)`` or a
cell ``@SUM(…)`` would run as a formula when a reviewer opens a CSV or XLSX in Excel or WPS
(CSV / formula injection). So every *text* cell that starts with ``= + - @``, a tab or a carriage
return is written as text:

- CSV: prefixed with a single quote ``'`` (the spreadsheet convention for "this is text");
- XLSX: a string cell (``data_type`` ``'s'``), never a formula; the text itself is unchanged.

Numbers stay numbers: ``-3`` as an int, float or Decimal is a number, not text. The same rule is
available as SQL (:func:`sql_text`) for the CSV files DuckDB writes with ``COPY``.

Used by :mod:`gongkai.store.export` (``gongkai export``) and the web app's ``.csv`` / ``.xlsx``
downloads (:mod:`gongkai.views.web.render`).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import IO, Any

# What makes Excel, LibreOffice or WPS read a cell as a formula (or a DDE command).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Control characters an XLSX file cannot hold (openpyxl refuses them): replaced, not fatal.
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def is_risky(text: str) -> bool:
    """Would a spreadsheet read *text* as a formula?"""
    return text.startswith(FORMULA_START)


def csv_value(value: Any) -> Any:
    """A CSV cell: text that could run as a formula gets a leading ``'``; anything else as is."""
    if isinstance(value, str) and is_risky(value):
        return "'" + value
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return ["" if v is None else csv_value(v) for v in values]


def write_csv(out: IO[str], header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> None:
    """Write a header and rows through :func:`csv_row`."""
    w = csv.writer(out)
    w.writerow(csv_row(header))
    for row in rows:
        w.writerow(csv_row(row))


def xlsx_text(text: str) -> str:
    """Text an XLSX cell can hold: control characters replaced by U+FFFD."""
    return _XLSX_ILLEGAL.sub("\ufffd", text)


def xlsx_cell(ws: Any, value: Any, **style: Any) -> Any:
    """A write-only cell for *ws*: every text is a string cell (``data_type`` ``'s'``), so a
    leading ``=`` is shown, never evaluated; numbers, dates and booleans keep their type.
    *style* sets attributes such as ``font`` or ``fill``."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str):
        cell = WriteOnlyCell(ws, value=None)
        cell._value = xlsx_text(value)  # set directly: assigning would infer a formula from "="
        cell.data_type = "s"
    else:
        cell = WriteOnlyCell(ws, value=value)
    for name, attr in style.items():
        setattr(cell, name, attr)
    return cell


def xlsx_row(ws: Any, values: Iterable[Any], **style: Any) -> list[Any]:
    return [xlsx_cell(ws, v, **style) for v in values]


def sql_text(expr: str) -> str:
    """SQL (DuckDB) for the text *expr* as :func:`csv_value` writes it: ``'`` before a risky
    first character. *expr* must be a VARCHAR expression (cast others before)."""
    return f"CASE WHEN left({expr}, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) THEN '''' || {expr} ELSE {expr} END"


__all__ = [
    "FORMULA_START",
    "csv_row",
    "csv_value",
    "is_risky",
    "sql_text",
    "write_csv",
    "xlsx_cell",
    "xlsx_row",
    "xlsx_text",
]
