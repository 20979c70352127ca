"""gongkai.memo.remember: the one way the project's memos store an answer."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gongkai.memo import remember


def test_remember_stores_and_returns_the_value() -> None:
    memo: dict[str, int] = {}
    assert remember(memo, 3, "a", 1) == 1
    assert memo == {"a": 1}


def test_a_full_memo_is_emptied_before_the_new_answer() -> None:
    memo = {"a": 1, "b": 2, "c": 3}
    assert remember(memo, 3, "d", 4) == 4
    assert memo == {"d": 4}


@given(st.lists(st.integers(0, 50)), st.integers(1, 10))
def test_a_memo_never_holds_more_than_its_limit(keys: list[int], limit: int) -> None:
    memo: dict[int, int] = {}
    for k in keys:
        assert remember(memo, limit, k, k * 2) == k * 2
        assert memo[k] == k * 2
        assert len(memo) <= limit
