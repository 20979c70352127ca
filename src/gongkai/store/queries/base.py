"""Running a query into dataclasses, and a dataclass back into a dict for JSON."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any, ClassVar, Protocol, TypeVar

import duckdb

from gongkai.store.schema import quote

Connection = duckdb.DuckDBPyConnection


class _Dataclass(Protocol):
    __dataclass_fields__: ClassVar[dict[str, Any]]


T = TypeVar("T", bound=_Dataclass)


def fetch(con: Connection, cls: type[T], sql: str, params: Sequence[Any] = ()) -> list[T]:
    """The rows of *sql* as *cls* instances; the query's columns must be *cls*'s fields, in order."""
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description or []]
    expected = [f.name for f in fields(cls)]
    if names != expected:
        raise TypeError(f"{cls.__name__}: query gives {names}, fields are {expected}")
    return [cls(*row) for row in cur.fetchall()]


def fetch_one(con: Connection, cls: type[T], sql: str, params: Sequence[Any] = ()) -> T | None:
    rows = fetch(con, cls, sql, params)
    return rows[0] if rows else None


def scalar(con: Connection, sql: str, params: Sequence[Any] = ()) -> Any:
    row = con.execute(sql, list(params)).fetchone()
    return row[0] if row else None


def column(con: Connection, sql: str, params: Sequence[Any] = ()) -> list[Any]:
    return [r[0] for r in con.execute(sql, list(params)).fetchall()]


def as_dict(obj: _Dataclass) -> dict[str, Any]:
    """A row's fields as a dict, in order (shallow: no copies of the values)."""
    return {name: getattr(obj, name) for name in obj.__dataclass_fields__}


def select_list(cls: type[_Dataclass], alias: str = "") -> str:
    """``alias.a, alias.b, …`` for *cls*'s fields, SQL keywords quoted."""
    prefix = f"{alias}." if alias else ""
    return ", ".join(f"{prefix}{quote(f.name)}" for f in fields(cls))


__all__ = ["Connection", "as_dict", "column", "fetch", "fetch_one", "scalar", "select_list"]
