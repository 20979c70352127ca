"""Writers: render a :class:`gongkai.model.Report` in the national layout as HTML, Word, PDF or
Markdown (``gongkai write``: ``input`` reads its sources, ``output`` renders, checks and saves).

Used to build test and benchmark files from real reports, and to give a clerk a clean copy of a
report. ``layout`` holds the format-independent layout; each writer imports its own library
when called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gongkai.model import Report

__all__ = ["to_docx", "to_html", "to_markdown", "to_pdf"]


def to_html(report: Report, **kwargs: Any) -> bytes:
    from gongkai.writers.html import to_html as _to_html

    return _to_html(report, **kwargs)


def to_docx(report: Report) -> bytes:
    from gongkai.writers.docx import to_docx as _to_docx

    return _to_docx(report)


def to_pdf(report: Report, **kwargs: Any) -> bytes:
    from gongkai.writers.pdf import to_pdf as _to_pdf

    return _to_pdf(report, **kwargs)


def to_markdown(report: Report) -> bytes:
    from gongkai.writers.markdown import to_markdown as _to_markdown

    return _to_markdown(report)
