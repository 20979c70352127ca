"""JSON as gongkai writes it: every number exactly as the report printed it.

The standard library turns a ``Decimal`` into a float (or refuses it), and a float cannot hold
``99999999999999999999.5`` or ``4166.241619`` exactly. Here a Decimal is written as its plain
decimal text — never rounded, never in exponent form — and a whole Decimal as an integer.
One helper for every JSON the project writes: the CLI's JSON Lines, the web API and the store's
JSON columns.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import simplejson

__all__ = ["dumps", "json_number", "plain_decimal"]


def plain_decimal(value: Decimal) -> str:
    """``Decimal('1E+3')`` → ``1000``, ``Decimal('4166.2416190')`` → ``4166.241619``, no exponent."""
    if value == value.to_integral_value():
        return str(int(value))
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def json_number(value: int | Decimal | None) -> int | Decimal | None:
    """A number for JSON: whole amounts as integers (36609, not 36609.0); others stay Decimal,
    which :func:`dumps` writes exactly (4166.241619, never a rounded float)."""
    if value is None or isinstance(value, int):
        return value
    if value.is_finite() and value == value.to_integral_value():
        return int(value)
    return value


def _default(obj: Any) -> Any:
    if isinstance(obj, Decimal):
        if not obj.is_finite():
            return None
        return simplejson.RawJSON(plain_decimal(obj))
    if isinstance(obj, dt.date | dt.datetime):
        return obj.isoformat()
    if isinstance(obj, set | frozenset | tuple):
        return list(obj)
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


def dumps(obj: Any, *, indent: int | None = None) -> str:
    """Compact (or indented) UTF-8 JSON text with exact decimals."""
    separators = (",", ":") if indent is None else (",", ": ")
    return simplejson.dumps(
        obj,
        default=_default,
        use_decimal=False,
        ensure_ascii=False,
        separators=separators,
        indent=indent,
        ignore_nan=True,
    )
