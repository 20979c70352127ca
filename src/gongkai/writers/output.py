"""``gongkai write``: a report as a Word, HTML or Markdown file in the national layout, read back
and checked by gongkai itself before it is saved.

:func:`render` lays the report out with the official section titles, in its format (the one in
force for its year unless the data names one); :func:`differences` says where a file read back
differs from the report it was written from; :func:`save_checked` writes a temporary file next to
the destination, reads it back and checks it with :func:`gongkai.jobs.analyse` — the function
``gongkai check`` runs on every file — and only then renames it into place. A report whose check
finds an error is not saved unless *force*: the destination is never left half-written, and an
existing file there is replaced whole or not at all.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gongkai import faults
from gongkai.formats import format_for_year, section_specs
from gongkai.model import Meta, Report, Section

__all__ = [
    "FORMATS",
    "SavedReport",
    "default_name",
    "differences",
    "for_writing",
    "normal_text",
    "render",
    "save_checked",
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


# ------------------------------------------------------------------------------------------------
# Saving


@dataclass(slots=True)
class SavedReport:
    """What became of one report: saved or not, and what gongkai found reading it back."""

    path: Path
    saved: bool
    read_back: Report | None = None
    findings: list[Any] = field(default_factory=list)  # gongkai.rules.Finding
    differences: list[str] = field(default_factory=list)
    read_error: Any = None  # gongkai.jobs.FileError: the written bytes did not read as a report
    check_error: str | None = None  # the checks crashed

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def refused(self) -> bool:
        """Whether something says the file should not be published as it is."""
        return bool(self.errors or self.differences or self.read_error is not None or self.check_error)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def save_checked(report: Report, fmt: str, dest: Path, *, force: bool = False, config: Any = None) -> SavedReport:
    """Write *report* as *fmt* to *dest*: render, write a temporary file in the same folder, read
    it back and check it (:func:`gongkai.jobs.analyse`, as ``gongkai check`` does), compare it
    with the report (:func:`differences`), then rename it onto *dest* — unless the check found an
    error-severity finding, the file did not read back as the report, or the checks crashed, and
    *force* is not given. Nothing is ever left at *dest* but a whole file; the temporary file is
    removed whatever happens (a killed process may leave it, never *dest* half-written)."""
    from gongkai.jobs import analyse

    written = for_writing(report)
    data = render(written, fmt)
    dest = Path(dest)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    tmp: Path | None = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        outcome = analyse(str(tmp), config=config, check=True)
        result = SavedReport(dest, saved=False, read_back=outcome.report, findings=list(outcome.findings or []))
        result.read_error = outcome.error
        result.check_error = outcome.check_error
        if outcome.report is not None:
            outcome.report.source.path = str(dest)
            result.differences = differences(written, outcome.report)
        if result.refused and not force:
            return result
        faults.inject("write", str(dest))
        assert tmp is not None
        mode = dest.stat().st_mode & 0o777 if dest.exists() else 0o666 & ~_umask()
        os.chmod(tmp, mode)
        os.replace(tmp, dest)
        tmp = None
        _sync_dir(dest.parent)
        result.saved = True
        return result
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()


def _sync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


_UNSAFE_RE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def default_name(report: Report, fmt: str, fallback: str = "report") -> str:
    """A file name for a report: its title (or agency and year), else *fallback*, with the
    format's suffix; characters a file system refuses are replaced by ``_``."""
    from gongkai.writers.layout import report_title

    title = report_title(for_writing(report)) or fallback
    name = _UNSAFE_RE.sub("_", title).strip(" .") or fallback
    return name[:120] + FORMATS[fmt]
