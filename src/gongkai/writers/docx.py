"""Render a report as a Word document (python-docx), its tables merged like the national format."""

from __future__ import annotations

import io
from typing import Any

from gongkai.model import Report
from gongkai.writers.layout import WReport, WTable, layout_report

__all__ = ["to_docx"]

_BODY_FONT = "仿宋_GB2312"
_TITLE_FONT = "方正小标宋简体"
_TABLE_FONT = "宋体"


def _set_font(run: Any, name: str, size_pt: float, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    r_pr = run._element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def _paragraph(
    doc: Any,
    text: str,
    *,
    size: float = 16,
    bold: bool = False,
    align: str = "justify",
    indent: bool = True,
    font: str = _BODY_FONT,
) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = doc.add_paragraph()
    p.alignment = {
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    }[align]
    if indent and align == "justify":
        p.paragraph_format.first_line_indent = Pt(size * 2)
    _set_font(p.add_run(text), font, size, bold)


def _table(doc: Any, table: WTable) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    t = doc.add_table(rows=table.n_rows, cols=table.width)
    t.style = "Table Grid"
    for cell in table.cells:
        if cell.rowspan > 1 or cell.colspan > 1:
            a = t.cell(cell.row, cell.col)
            b = t.cell(cell.row + cell.rowspan - 1, cell.col + cell.colspan - 1)
            a.merge(b)
    rows = t.rows
    by_row: dict[int, list[Any]] = {}
    for cell in table.cells:
        if cell.row not in by_row:
            by_row[cell.row] = list(rows[cell.row].cells)
        target = by_row[cell.row][cell.col]
        target.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        p = target.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.LEFT if cell.role == "label" else WD_ALIGN_PARAGRAPH.CENTER
        if cell.text:
            _set_font(p.add_run(cell.text), _TABLE_FONT, 10.5)


def render(laid: WReport) -> bytes:
    from docx import Document

    doc = Document()
    if laid.title:
        _paragraph(doc, laid.title, size=22, align="center", indent=False, font=_TITLE_FONT)
    for section in laid.sections:
        _paragraph(doc, section.title, bold=True)
        for para in section.paragraphs:
            _paragraph(doc, para)
        if section.table is not None:
            _table(doc, section.table)
    for line in laid.signature:
        _paragraph(doc, line, align="right", indent=False)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def to_docx(report: Report) -> bytes:
    """The report as .docx bytes: title, sections, the three tables with merged cells, signature."""
    return render(layout_report(report))
