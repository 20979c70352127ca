"""The layout and sections stages answer a new line from a line of the same shape (its digits 1–9
written 0): that is right only when the answers read every digit alike. Checked here on real and
generated lines, each with its digits rewritten at random."""

from __future__ import annotations

import random
import re
from pathlib import Path

import gongkai.layout as layout
import gongkai.sections as sections
from gongkai.formats import is_furniture
from gongkai.layout import _line, _new_lines, shapes_apply, split_cells
from store_helpers import generate_corpus

ROOT = Path(__file__).resolve().parent.parent


def _flags(text: str) -> tuple[object, ...]:
    info = _line(text, split_cells(text))
    return info[:2] + info[3:6] + info[7:]


def _text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def _lines(tmp: Path) -> list[str]:
    texts: list[str] = []
    for folder in ("examples", "tests/fixtures", "tests/corpus"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in (".txt", ".md") and path.is_file():
                texts.extend(_text(path).splitlines())
    for entry in generate_corpus.generate(tmp, 60, seed=3, kind_weights={"text": 1.0}):
        texts.extend(_text(tmp / entry.file).splitlines())
    return list(dict.fromkeys(texts))


def test_lines_of_one_shape_get_the_same_answers(tmp_path: Path) -> None:
    assert shapes_apply()
    rnd = random.Random(5)
    lines = [t for t in _lines(tmp_path) if re.search("[0-9]", t)]
    assert len(lines) > 2000
    for text in lines:
        for _ in range(3):
            other = re.sub("[0-9]", lambda _: rnd.choice("0123456789"), text)
            assert _flags(other) == _flags(text), (text, other)


def test_new_lines_answered_from_shapes_as_in_full(tmp_path: Path) -> None:
    rnd = random.Random(8)
    lines = _lines(tmp_path)
    lines += [re.sub("[0-9]", lambda _: rnd.choice("0123456789"), t) for t in lines]  # cut by a shape's places
    layout._SHAPES.clear()
    lines = list(dict.fromkeys(lines))
    answers = _new_lines(lines)  # many of them from a shape seen before
    assert answers == {t: _line(t, split_cells(t)) for t in lines}


def test_a_digit_in_a_word_turns_shapes_off(monkeypatch) -> None:
    shapes_apply.cache_clear()
    monkeypatch.setattr(layout, "_anchors", lambda: ("第2表",))
    try:
        assert not shapes_apply()
    finally:
        shapes_apply.cache_clear()


def test_section_roles_answered_from_shapes_as_in_full(tmp_path: Path) -> None:
    inline = [
        f"一、总体情况：{y}年，本机关认真贯彻落实政府信息公开条例，全面推进政务公开，主动公开信息{n}条。"
        for y in (2021, 2023)
        for n in (12, 57, 3)
    ]
    lines = list(dict.fromkeys([*inline, *(t.strip() for t in _lines(tmp_path))]))
    sections._SHAPES.clear()
    sections._LINE_ROLES.clear()
    roles = [sections._line_role(t) for t in lines]  # many of them from a shape seen before
    assert roles == [(bool(t) and is_furniture(t), *sections._heading(t)) for t in lines]
    assert [rest for _, _, rest in roles[: len(inline)]] == [t.split("：", 1)[1] for t in inline]
