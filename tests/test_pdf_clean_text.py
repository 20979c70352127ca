"""The PDF reader cleans a one-line cell once (pdf_layout._cell_text) where it used to clean the
line and then the joined cell again: that is the same only while cleaning is idempotent. These
tests keep it so, whatever the fold tables become (normalize.RADICAL_SUPPLEMENT and the
look-alikes)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai.readers.html import join_lines
from gongkai.readers.pdf_layout import _FOLDS, _cell_text, clean_pdf_text


def test_every_folded_code_point_folds_to_itself() -> None:
    for code in range(0x110000):
        once = chr(code).translate(_FOLDS)
        assert once.translate(_FOLDS) == once, hex(code)


_CHARS = st.one_of(
    st.characters(min_codepoint=0x2E80, max_codepoint=0x2FDF),  # radicals
    st.characters(min_codepoint=0xF900, max_codepoint=0xFAFF),  # compatibility ideographs
    st.characters(min_codepoint=0xFF00, max_codepoint=0xFF5F),  # full-width forms
    st.sampled_from(list("政府信息公开申请人数量总计一二三（）() 　\t\xa00123456789.,，、—-/“”")),
    st.characters(codec="utf-8", exclude_categories=("Cs",)),
)


@settings(max_examples=1000)
@given(st.text(_CHARS, max_size=40))
def test_cleaning_a_line_twice_is_cleaning_it_once(text: str) -> None:
    line = text.replace("\n", " ")
    once = clean_pdf_text(line)
    assert clean_pdf_text(once) == once
    # a one-line cell: what _cell_text gives is what it gave when it cleaned the joined line again
    assert _cell_text(line) == (clean_pdf_text(join_lines(map(clean_pdf_text, [line]))) if line else "")
