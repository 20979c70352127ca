"""Text normalisation applied before anything reads a label.

Reports reach us with traditional characters, full-width digits and brackets, Kangxi radicals
that PDF text layers use in place of ordinary characters (⼀ ⼯ ⼆ for 一 工 二), and spaced-out
characters (``邮 编 ：``). Labels are compared on a *key*: the text with all of that folded away.
The raw text is never changed; only keys are derived from it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache
from typing import NamedTuple

import opencc

from gongkai.memo import remember

_T2S = opencc.OpenCC("t2s")

# CJK Radicals Supplement (U+2E80–U+2EFF), which PDF text layers use in place of ordinary
# characters (⺠ for 民, ⻓ for 长) and NFKC leaves alone (Unicode's EquivalentUnifiedIdeograph).
RADICAL_SUPPLEMENT: dict[int, str] = {
    0x2E81: "厂",
    0x2E84: "乙",
    0x2E85: "亻",
    0x2E86: "冂",
    0x2E87: "几",
    0x2E89: "刂",
    0x2E8A: "卜",
    0x2E8C: "小",
    0x2E8E: "兀",
    0x2E8F: "尣",
    0x2E90: "尢",
    0x2E92: "巳",
    0x2E93: "幺",
    0x2E94: "彑",
    0x2E96: "忄",
    0x2E97: "心",
    0x2E98: "扌",
    0x2E99: "攵",
    0x2E9B: "旡",
    0x2E9C: "日",
    0x2E9D: "月",
    0x2E9E: "歺",
    0x2E9F: "母",
    0x2EA0: "民",
    0x2EA1: "氵",
    0x2EA2: "氺",
    0x2EA3: "灬",
    0x2EA4: "爫",
    0x2EA6: "丬",
    0x2EA7: "牛",
    0x2EA8: "犭",
    0x2EA9: "王",
    0x2EAA: "疋",
    0x2EAB: "目",
    0x2EAC: "示",
    0x2EAD: "礻",
    0x2EAE: "竹",
    0x2EAF: "糸",
    0x2EB0: "纟",
    0x2EB1: "罓",
    0x2EB2: "罒",
    0x2EB3: "网",
    0x2EB6: "羊",
    0x2EB9: "耂",
    0x2EBA: "肀",
    0x2EBB: "聿",
    0x2EBC: "肉",
    0x2EBD: "臼",
    0x2EBE: "艹",
    0x2EBF: "艹",
    0x2EC0: "艹",
    0x2EC1: "虎",
    0x2EC2: "衤",
    0x2EC3: "覀",
    0x2EC4: "西",
    0x2EC5: "见",
    0x2EC6: "角",
    0x2EC8: "讠",
    0x2EC9: "贝",
    0x2ECA: "足",
    0x2ECB: "车",
    0x2ECC: "辶",
    0x2ECD: "辶",
    0x2ECE: "辶",
    0x2ECF: "阝",
    0x2ED0: "钅",
    0x2ED1: "長",
    0x2ED2: "镸",
    0x2ED3: "长",
    0x2ED4: "门",
    0x2ED6: "阝",
    0x2ED7: "雨",
    0x2ED8: "青",
    0x2ED9: "韦",
    0x2EDA: "页",
    0x2EDB: "风",
    0x2EDC: "飞",
    0x2EDD: "食",
    0x2EDF: "飠",
    0x2EE0: "饣",
    0x2EE2: "马",
    0x2EE3: "骨",
    0x2EE4: "鬼",
    0x2EE5: "鱼",
    0x2EE6: "鸟",
    0x2EE7: "卤",
    0x2EE8: "麦",
    0x2EE9: "黄",
    0x2EEA: "黾",
    0x2EEC: "齐",
    0x2EEE: "齿",
    0x2EF0: "龙",
    0x2EF3: "龟",
}

_RADICAL_CHARS = {chr(k): v for k, v in RADICAL_SUPPLEMENT.items()}

# NFKC folds Kangxi radicals, CJK compatibility ideographs, full-width forms and ideographic
# spaces; these are the look-alikes it leaves alone.
_EXTRA_FOLDS = str.maketrans(
    {
        "〇": "〇",
        "○": "〇",
        "Ｏ": "〇",
        "—": "—",
        "－": "-",
        "―": "—",
        "━": "—",
        "“": "",
        "”": "",
        "‘": "",
        "’": "",
        '"': "",
        "'": "",
        "「": "",
        "」": "",
        "『": "",
        "』": "",
        "《": "",
        "》": "",
        "﹝": "(",
        "﹞": ")",
        "〔": "(",
        "〕": ")",
        "【": "(",
        "】": ")",
        "[": "(",
        "]": ")",
        "．": ".",
        "。": "。",
        "\u00a0": " ",
        "\u200b": "",
        "\u200c": "",
        "\u200d": "",
        "\ufeff": "",
        "\u3000": " ",
        **_RADICAL_CHARS,
    }
)

_SPACE_RE = re.compile(r"\s+")
_RADICALS = str.maketrans(_RADICAL_CHARS)


_RADICAL_RE = re.compile("[\u2e80-\u2fdf]")


def fold_radicals(text: str) -> str:
    """Radicals (Kangxi, CJK Radicals Supplement) as the characters they stand for: ⼈⺠ → 人民.
    No report means a radical; PDF text layers and text copied from them use them for characters."""
    if not _RADICAL_RE.search(text):
        return text
    return _RADICAL_RE.sub(
        lambda m: RADICAL_SUPPLEMENT.get(ord(m.group(0))) or unicodedata.normalize("NFKC", m.group(0)), text
    )


def fold(text: str) -> str:
    """Unicode look-alikes folded, traditional to simplified; spacing kept."""
    try:
        return _FOLDED[text]
    except KeyError:
        pass
    folded = _fold(text)
    remember(_FOLDED, _FOLDED_MAX, text, folded)
    return folded


# Texts folded so far (the function's cache; primed a document at a time by fold_many).
_FOLDED: dict[str, str] = {}
_FOLDED_MAX = 65536


def _fold(text: str) -> str:
    """NFKC, then _EXTRA_FOLDS, then traditional→simplified; each step only where it changes
    something (str.translate looks every character up, the converter costs per call)."""
    if text.isascii():  # NFKC and traditional→simplified leave ASCII as it is (numbers, codes)
        return text.translate(_EXTRA_FOLDS) if _EXTRA_ASCII_RE.search(text) else text
    t = _tables()
    # A character replaced by its compatibility decomposition leaves the NFKC of the whole text
    # as it was; what is NFKC then needs no normalizing.
    for ch in set(t.nfkc_re.findall(text)):
        text = text.replace(ch, t.nfkc[ch])
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    for ch in set(_EXTRA_RE.findall(text)):
        text = text.replace(ch, _EXTRA_MAP[ch])
    if t.t2s_re.search(text) is None:  # nothing the converter would change
        return text
    return _T2S.convert(text)


# _EXTRA_FOLDS as one replacement per character found (no value holds a key: order is no matter).
_EXTRA_MAP = {chr(k): v for k, v in _EXTRA_FOLDS.items() if v != chr(k)}
_EXTRA_RE = re.compile("[" + "".join(map(re.escape, _EXTRA_MAP)) + "]")
_EXTRA_ASCII_RE = re.compile("[" + "".join(re.escape(c) for c in _EXTRA_MAP if c.isascii()) + "]")

# Characters NFKC changes to their compatibility decomposition: punctuation, full-width forms,
# radicals, enclosed and compatibility characters (the blocks a report's text uses).
_NFKC_BLOCKS = ((0xA0, 0x100), (0x2000, 0x2C00), (0x2E80, 0x3400), (0xF900, 0xFB00), (0xFE10, 0xFFF0))
# Blocks whose characters OpenCC's t2s may change one by one (tested against its dictionaries);
# a supplementary-plane character always goes to the converter.
_T2S_BLOCKS = ((0x3400, 0xA000), (0xF900, 0xFB00))
# Characters t2s changes only inside a phrase (答覆 → 答复, 沈默 → 沉默, 瞭解 → 了解), never alone:
# the characters of TSPhrases whose changed position t2s leaves alone one by one.
T2S_PHRASE_CHARS = "沈坏藉哩覆衹瞭甦"


class _Tables(NamedTuple):
    nfkc: dict[str, str]
    nfkc_re: re.Pattern[str]
    t2s_re: re.Pattern[str]


@cache
def _tables() -> _Tables:
    """Worked out on first use (milliseconds): which characters NFKC and t2s change."""
    nfkc: dict[str, str] = {}
    for lo, hi in _NFKC_BLOCKS:
        for c in map(chr, range(lo, hi)):
            k = unicodedata.normalize("NFKC", c)
            if k != c and k == unicodedata.normalize("NFKD", c):
                nfkc[c] = k
    t2s = t2s_changed().union(T2S_PHRASE_CHARS)
    return _Tables(nfkc, _char_class(nfkc), _char_class(t2s, "\U00010000-\U0010ffff"))


def t2s_changed() -> set[str]:
    """The characters of _T2S_BLOCKS that t2s changes on their own."""
    chars = [chr(c) for lo, hi in _T2S_BLOCKS for c in range(lo, hi)]
    out = _T2S.convert("\n".join(chars)).split("\n")
    if len(out) != len(chars):  # a character converted to a line break: cannot happen
        raise ValueError("t2s changed the number of lines")
    return {c for c, o in zip(chars, out, strict=True) if o != c}


def _char_class(chars: Iterable[str], extra: str = "") -> re.Pattern[str]:
    return re.compile("[" + "".join(map(re.escape, sorted(chars))) + extra + "]")


def fold_many(texts: Iterable[str]) -> None:
    """Fold, in one pass, the texts not folded yet (a document's lines and cells), so that
    :func:`fold` finds them: the converter costs more per call than per character. Folding is
    local to a line — NFKC composes nothing across a line break, no traditional→simplified phrase
    spans one — so the lines of the folded whole are the folded lines."""
    todo = [t for t in dict.fromkeys(texts) if t not in _FOLDED and "\n" not in t and not t.isascii()]
    if len(todo) < 2:
        return
    folded = _fold("\n".join(todo)).split("\n")
    if len(folded) != len(todo):  # cannot happen (nothing folds to or from a line break); then one by one
        return
    if len(_FOLDED) + len(todo) > _FOLDED_MAX:
        _FOLDED.clear()
    _FOLDED.update(zip(todo, folded, strict=True))


def clean_text(text: str) -> str:
    """The text a person would read: look-alikes folded and runs of spaces collapsed, but no
    traditional→simplified conversion and nothing removed."""
    text = unicodedata.normalize("NFKC", text).replace("\u200b", "").replace("\ufeff", "")
    text = text.translate(_RADICALS)
    return _SPACE_RE.sub(" ", text).strip()


# Numbering in front of a label: 一、 （一） (1) 1. 1、 ① 第一
_NUMBERING_RE = re.compile(
    r"^(?:"
    r"第?[一二三四五六七八九十]+[、.:：]"
    r"|\([一二三四五六七八九十]+\)[、.]?"
    r"|\(\d+\)[、.]?"
    r"|\d+[、.](?!\d)"
    r"|[\u2460-\u2473]"
    r")"
)


@lru_cache(maxsize=65536)
def label_key(text: str) -> str:
    """Comparison key for labels: folded, no whitespace, no quotes, ASCII brackets/colons."""
    try:
        return _LABEL_KEYS[text]
    except KeyError:
        pass
    key = _SPACE_RE.sub("", fold(text)).replace("：", ":").replace("，", ",").replace("；", ";")
    remember(_LABEL_KEYS, _FOLDED_MAX, text, key)
    return key


# Keys worked out so far (the function's cache, like fold's: a pure function of the text).
_LABEL_KEYS: dict[str, str] = {}


@lru_cache(maxsize=65536)
def label_core(text: str) -> str:
    """Key with leading numbering (一、 （一） 1.) removed, repeatedly (``三、(一)予以公开``)."""
    k = label_key(text)
    for _ in range(3):
        stripped = _NUMBERING_RE.sub("", k, count=1)
        if stripped == k:
            break
        k = stripped
    return k


def leading_numbering(text: str) -> str:
    """The numbering in front of a label (``二、`` → ``二、``), or '' when there is none."""
    k = label_key(text)
    m = _NUMBERING_RE.match(k)
    return m.group(0) if m else ""
