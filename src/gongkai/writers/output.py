"""``gongkai write``: a report as the bytes of a Word, HTML or Markdown file in the national
layout, and what reading such a file back must give.

:func:`render` lays the report out with the official section titles, in its format (the one in
force for its year unless the data names one); :func:`differences` says where a file read back
differs from the report it was written from. Saving — read back, check, then rename into place —
is the application's (:func:`gongkai.corpus.write.save_checked`): the writers never run the rules.
"""

from __future__ import annotations

import re
from typing import Any

from gongkai.formats import format_for_year, section_specs
from gongkai.model import Meta, Report, Section

__all__ = [
    "FORMATS",
    "default_name",
    "differences",
    "for_writing",
    "normal_text",
    "render",
]

# --format → the file's suffix
FORMATS = {"docx": ".docx", "html": ".html", "md": ".md"}


def for_writing(report: Report) -> Report:
    """The report as it is written: the six sections in order under their official titles (a
    section with no text but its table is printed with its title), the format named (the report's
    own, else the one in force for its year: 2019 before 2021)."""
    sections: dict[str, Section] = {}
    for spec in section_specs():
        section = report.sections.get(spec.key)
        table = report.tables.get(spec.key)
        if section is not None or (table is not None and table.found):  # a table is printed under its title
            sections[spec.key] = Section(spec.key, spec.title, section.text if section is not None else "")
    m = report.meta
    meta = Meta(
        agency=m.agency,
        year=m.year,
        format=m.format or format_for_year(m.year).id,
        signed_on=m.signed_on,
        published_on=m.published_on,
        region=m.region,
        title=m.title,
        format_evidence=m.format_evidence,
    )
    return Report(report.source, meta, sections, report.tables, report.document, list(report.notes))


def render(report: Report, fmt: str) -> bytes:
    """The bytes of the file: ``docx``, ``html`` (UTF-8, a plain page) or ``md``."""
    laid = for_writing(report)
    if fmt == "docx":
        from gongkai.writers.docx import to_docx

        return to_docx(laid)
    if fmt == "html":
        from gongkai.writers.html import to_html

        return to_html(laid, style="cms")
    if fmt == "md":
        from gongkai.writers.markdown import to_markdown

        return to_markdown(laid)
    raise ValueError(f"unknown format {fmt!r}: {', '.join(FORMATS)}")


# ------------------------------------------------------------------------------------------------
# Reading back


_HEADING_MARK_RE = re.compile(r"^\s*#+", re.M)
_SPACE_RE = re.compile(r"\s+")


def normal_text(text: str) -> str:
    """A section's text compared without its whitespace (line breaks, indents, the spaces PDF and
    Word put between Chinese and digits) and without Markdown heading marks at the start of a
    line (``### 1.主动公开情况``, which the layout writes as a plain line)."""
    return _SPACE_RE.sub("", _HEADING_MARK_RE.sub("", text))


def differences(written: Report, read: Report) -> list[str]:
    """Where *read* (the file parsed back) differs from *written*: every value of every table
    (money as exact decimals, null as null), the rows an agency added, the sections' text
    (:func:`normal_text`), agency, year, format and signing date. Empty when they agree."""
    out: list[str] = []
    for tkey, table in written.tables.items():
        got = read.tables.get(tkey)
        if not table.found:
            if got is not None and got.found:
                out.append(f"{tkey}: a table that was not written")
            continue
        if got is None or not got.found:
            out.append(f"{tkey}: not found")
            continue
        for rkey, row in table.rows.items():
            got_row = got.rows.get(rkey)
            for ckey, value in row.values.items():
                got_value = got_row.get(ckey) if got_row is not None else None
                if not _same(value.value, got_value):
                    out.append(f"{tkey}.{rkey}.{ckey}: {value.value} → {got_value}")
        want_extra = [(r.label, [v.value for v in r.values.values()]) for r in table.extra_rows]
        got_extra = [(r.label, [v.value for v in r.values.values()]) for r in got.extra_rows]
        if [(normal_text(label), vals) for label, vals in want_extra] != [
            (normal_text(label), vals) for label, vals in got_extra
        ]:
            out.append(f"{tkey}: extra rows {want_extra} → {got_extra}")
    for skey, section in written.sections.items():
        got_section = read.sections.get(skey)
        if got_section is None:
            out.append(f"section {skey}: not found")
        elif normal_text(section.text) != normal_text(got_section.text):
            out.append(f"section {skey}: text differs")
    for skey in read.sections:
        if skey not in written.sections:
            out.append(f"section {skey}: a section that was not written")
    for name in ("agency", "year", "format", "signed_on"):
        want, got_meta = getattr(written.meta, name), getattr(read.meta, name)
        if want is not None and want != got_meta:
            out.append(f"meta.{name}: {want} → {got_meta}")
    return out


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return bool(a == b)


_UNSAFE_RE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def default_name(report: Report, fmt: str, fallback: str = "report") -> str:
    """A file name for a report: its title (or agency and year), else *fallback*, with the
    format's suffix; characters a file system refuses are replaced by ``_``."""
    from gongkai.writers.layout import report_title

    title = report_title(for_writing(report)) or fallback
    name = _UNSAFE_RE.sub("_", title).strip(" .") or fallback
    return name[:120] + FORMATS[fmt]
