"""The layout stage answers each line from one byte per line (role, region start, long line), kept
per line text beside the line's full answers: whichever of the two a report finds already known,
cold, warm, or one of them cleared by another thread, it rebuilds the same tables."""

from __future__ import annotations

from pathlib import Path

import pytest

import gongkai.layout as layout
from gongkai.pipeline import parse_bytes

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.txt"))


def _blocks(data: bytes, name: str) -> list[object]:
    report = parse_bytes(data, name)
    return [report.to_dict(), [repr(b) for b in report.document.blocks]]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_the_same_tables_whatever_the_line_caches_hold(path: Path) -> None:
    data = path.read_bytes()
    layout._LINES.clear()
    layout._LINES[None] = layout._NO_LINE
    layout._CODES.clear()
    layout._CODES[None] = layout._STOP
    cold = _blocks(data, path.name)
    assert _blocks(data, path.name) == cold  # warm: every line's code known
    layout._LINES.clear()  # the answers gone, the codes still there
    layout._LINES[None] = layout._NO_LINE
    assert _blocks(data, path.name) == cold
    layout._CODES.clear()  # the codes gone, the answers there
    layout._CODES[None] = layout._STOP
    assert _blocks(data, path.name) == cold


def test_a_code_says_what_the_line_answers() -> None:
    for path in EXAMPLES:
        parse_bytes(path.read_bytes(), path.name)
    assert len(layout._CODES) > 100
    for text, code in layout._CODES.items():
        info = layout._LINES.get(text)
        if info is None:
            continue
        assert code & 7 == info[7]
        assert bool(code & layout._STARTS_BIT) == info[4]
        assert bool(code & layout._LONG_BIT) == (text is not None and len(text) >= layout.LONG_LINE)
