"""Text normalisation applied before anything reads a label.

Reports reach us with traditional characters, full-width digits and brackets, Kangxi radicals
that PDF text layers use in place of ordinary characters (⼀ ⼯ ⼆ for 一 工 二), and spaced-out
characters (``邮 编 ：``). Labels are compared on a *key*: the text with all of that folded away.
The raw text is never changed; only keys are derived from it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

_T2S = opencc.OpenCC("t2s")

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
    }
)

_SPACE_RE = re.compile(r"\s+")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Unicode look-alikes folded, traditional to simplified; spacing kept."""
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_EXTRA_FOLDS)
    return _T2S.convert(text)


def clean_text(text: str) -> str:
    """The text a person would read: look-alikes folded and runs of spaces collapsed, but no
    traditional→simplified conversion and nothing removed."""
    text = unicodedata.normalize("NFKC", text).replace("\u200b", "").replace("\ufeff", "")
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
def key(text: str) -> str:
    """Comparison key for labels: folded, no whitespace, no quotes, ASCII brackets/colons."""
    text = fold(text)
    text = _SPACE_RE.sub("", text)
    return text.replace("：", ":").replace("，", ",").replace("；", ";")


@lru_cache(maxsize=65536)
def label_core(text: str) -> str:
    """Key with leading numbering (一、 （一） 1.) removed, repeatedly (``三、(一)予以公开``)."""
    k = key(text)
    for _ in range(3):
        stripped = _NUMBERING_RE.sub("", k, count=1)
        if stripped == k:
            break
        k = stripped
    return k


def leading_numbering(text: str) -> str:
    """The numbering in front of a label (``二、`` → ``二、``), or '' when there is none."""
    k = key(text)
    m = _NUMBERING_RE.match(k)
    return m.group(0) if m else ""
