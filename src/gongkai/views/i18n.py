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


# Placeholders of the command's options in help and errors (``--select 规则``): declared in Chinese
# with :func:`metavar`, shown in English under ``--lang en``.
METAVARS: dict[str, str] = {}
FLAG = ""  # the placeholder of an option that takes no value: none


def metavar(zh: str, en: str) -> str:
    """The Chinese placeholder of an option's value, its English one remembered for ``--lang en``."""
    known = METAVARS.setdefault(zh, en)
    if known != en:
        raise ValueError(f"metavar {zh!r} is already {known!r}, not {en!r}")
    return zh
