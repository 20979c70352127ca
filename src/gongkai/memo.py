"""Bounded memos: the project keeps many pure functions' answers in plain dicts (a line's role, a
label's key, a row's reading …), each emptied when full rather than growing with the corpus.

The dicts stay plain ``dict`` objects, read with ``get`` or ``[]`` where they are used (the
interpreter's fastest lookups); only storing an answer goes through :func:`remember`.
"""

from __future__ import annotations

from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


def remember(memo: dict[K, V], limit: int, key: K, value: V) -> V:
    """Store *value* under *key* in *memo*, emptying *memo* first when it holds *limit* entries,
    and return *value*. The entries are answers worked out again when asked for, so forgetting
    them all at once costs only time; it keeps the memory of a long run bounded."""
    if len(memo) >= limit:
        memo.clear()
    memo[key] = value
    return value
