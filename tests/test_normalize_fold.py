"""fold skips NFKC, the look-alike table and OpenCC where they would change nothing: the result is
the same as running all three on every text. The t2s shortcut rests on a set of characters; these
tests prove it complete against OpenCC's own dictionaries."""

from __future__ import annotations

import json
import random
import subprocess
import unicodedata
from pathlib import Path

import opencc
import pytest

from gongkai import normalize
from gongkai.normalize import _EXTRA_FOLDS, _T2S, _fold, _tables

ROOT = Path(__file__).resolve().parent.parent


def reference(text: str) -> str:
    """fold as it was: every step on every text."""
    if text.isascii():
        return text.translate(_EXTRA_FOLDS)
    return _T2S.convert(unicodedata.normalize("NFKC", text).translate(_EXTRA_FOLDS))


def _codepoints() -> list[str]:
    return [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000]


def test_every_character_t2s_changes_is_in_the_set() -> None:
    chars = [c for c in _codepoints() if c != "\n"]
    out = _T2S.convert("\n".join(chars)).split("\n")
    assert len(out) == len(chars)
    changed = [c for c, o in zip(chars, out, strict=True) if o != c]
    assert len(changed) > 4000  # the dictionaries were read
    t2s = _tables().t2s_re
    assert [c for c in changed if not t2s.match(c)] == []
    # the CJK blocks were all converted char by char
    for lo, hi in ((0x3400, 0xA000), (0xF900, 0xFB00)):
        assert any(lo <= ord(c) < hi for c in changed)


def _dictionary_entries(tmp: Path) -> list[tuple[str, str]]:
    """Every (key, first value) of the dictionaries t2s uses, dumped by OpenCC's own tool."""
    config = Path(_T2S.config)
    tool = Path(opencc.__file__).parent / "clib" / "bin" / "opencc_dict"
    if not tool.exists():
        pytest.skip("opencc_dict is not shipped with this opencc")
    files: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(json.loads(config.read_text("utf-8")))
    assert any("Phrases" in f for f in files)
    entries = []
    for name in files:
        dump = tmp / (name + ".txt")
        subprocess.run(
            [str(tool), "-i", str(config.parent / name), "-o", str(dump), "-f", "ocd2", "-t", "text"],
            check=True,
            capture_output=True,
        )
        for line in dump.read_text("utf-8").splitlines():
            key, values = line.split("\t")
            entries.append((key, values.split(" ")[0]))
    assert len(entries) > 5000
    return entries


def test_an_entry_without_a_character_of_the_set_changes_nothing(tmp_path: Path) -> None:
    """OpenCC replaces matched dictionary keys by their first value and leaves the rest: a text
    holding no character of the set matches only keys that map to themselves, so it is left as
    it is — whatever the phrases (答覆 → 答复: 覆 alone is unchanged, so it is in the set)."""
    t2s = _tables().t2s_re
    entries = _dictionary_entries(tmp_path)
    assert [(k, v) for k, v in entries if not t2s.search(k) and v != k] == []
    assert [k for k, _ in entries if _fold(k) != reference(k)] == []


def test_phrases_of_characters_unchanged_alone() -> None:
    for text in ("答覆", "沈默寡言", "瞭解到", "一目瞭然", "反覆", "藉此", "甦醒", "英哩", "毛坏", "衹得"):
        assert _fold(text) == reference(text) != text
    assert _fold("沈阳市") == "沈阳市"


def test_fold_is_unchanged_on_every_character() -> None:
    assert [c for c in _codepoints() if _fold(c) != reference(c)] == []


def _real_lines() -> list[str]:
    lines: list[str] = []
    for folder in ("examples", "tests"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in (".txt", ".md", ".html") and path.is_file():
                try:
                    lines.extend(path.read_text("utf-8").splitlines())
                except UnicodeDecodeError:
                    continue
    return lines


def test_fold_is_unchanged_on_real_texts() -> None:
    lines = _real_lines()
    assert len(lines) > 1000
    assert [t for t in lines if _fold(t) != reference(t)] == []
    joined = "\n".join(lines[:2000])  # as fold_many folds them: a document at a time
    assert _fold(joined) == reference(joined)


def test_fold_is_unchanged_on_mixed_texts() -> None:
    """Look-alikes next to combining marks and to what NFKC composes them with."""
    rnd = random.Random(13)
    pool = (
        [chr(c) for c in range(0x20, 0x250)]
        + [chr(c) for c in range(0x2000, 0x3400)]
        + [chr(c) for c in range(0xF900, 0xFB00)]
        + [chr(c) for c in range(0xFE10, 0xFFF0)]
        + list("\u0301\u0308\u0338\u3099\u309a答覆沈瞭解藉口體這個")
    )
    for _ in range(50000):
        text = "".join(rnd.choice(pool) for _ in range(rnd.randint(1, 10)))
        assert _fold(text) == reference(text), text


def test_nfkc_shortcut_replaces_by_the_decomposition() -> None:
    """Replacing a character by its compatibility decomposition keeps NFKC of the whole text."""
    for ch, k in _tables().nfkc.items():
        assert k == unicodedata.normalize("NFKC", ch) == unicodedata.normalize("NFKD", ch)
    assert normalize.T2S_PHRASE_CHARS
