"""The language of user-facing text: Chinese by default, English with ``--lang en`` or
``GONGKAI_LANG=en``."""

from __future__ import annotations

import os

_lang = os.environ.get("GONGKAI_LANG", "zh")


def set_lang(lang: str) -> None:
    global _lang
    _lang = "en" if lang.lower().startswith("en") else "zh"


def lang() -> str:
    return _lang


def t(zh: str, en: str) -> str:
    return en if _lang == "en" else zh
