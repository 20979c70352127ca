"""Render a report as a PDF with a text layer (reportlab, built-in CID font ``STSong-Light``: no
font file needed).

With ``split_table_three=True`` (the default) table 三 runs over a page break in the middle of a
row group and its head is not repeated on the next page, the way Word prints it; the cells that
span the break go on as empty cells. Every page has a ``- N -`` footer.
"""

from __future__ import annotations

import io
from functools import cache
from typing import Any

from gongkai.model import Report
from gongkai.writers.layout import WReport, WTable, layout_report

__all__ = ["to_pdf"]

FONT = "STSong-Light"


@cache
def _styles() -> dict[str, Any]:
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    common = {"fontName": FONT, "wordWrap": "CJK"}
    return {
        "title": ParagraphStyle("title", fontSize=18, leading=26, alignment=TA_CENTER, spaceAfter=12, **common),
        "heading": ParagraphStyle("heading", fontSize=13, leading=22, alignment=TA_LEFT, spaceBefore=6, **common),
        "body": ParagraphStyle("body", fontSize=12, leading=20, alignment=TA_JUSTIFY, firstLineIndent=24, **common),
        "sign": ParagraphStyle("sign", fontSize=12, leading=20, alignment=TA_RIGHT, **common),
        "cell": ParagraphStyle("cell", fontSize=8.5, leading=10.5, alignment=TA_CENTER, **common),
        "label": ParagraphStyle("label", fontSize=8.5, leading=10.5, alignment=TA_LEFT, **common),
    }


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _col_widths(table: WTable, total: float) -> list[float]:
    if table.key == "requests":
        label = [22.0, 62.0, 112.0]
        rest = (total - sum(label)) / max(1, table.width - 3)
        return label + [rest] * (table.width - 3)
    if table.key == "proactive":
        first = total * 0.34
        rest = (total - first) / max(1, table.width - 1)
        return [first] + [rest] * (table.width - 1)
    return [total / table.width] * table.width


def _flowable_table(table: WTable, total: float) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    styles = _styles()
    data: list[list[Any]] = [["" for _ in range(table.width)] for _ in range(table.n_rows)]
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for cell in table.cells:
        style = styles["label"] if cell.role == "label" else styles["cell"]
        data[cell.row][cell.col] = Paragraph(_esc(cell.text), style) if cell.text else ""
        if cell.rowspan > 1 or cell.colspan > 1:
            commands.append(("SPAN", (cell.col, cell.row), (cell.col + cell.colspan - 1, cell.row + cell.rowspan - 1)))
    return Table(data, colWidths=_col_widths(table, total), repeatRows=0, style=TableStyle(commands))


def render(laid: WReport, *, split_table_three: bool = True) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import CondPageBreak, KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer

    styles = _styles()
    out = io.BytesIO()
    margin = 64.0
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=laid.title or "",
        author="gongkai",
    )
    width = A4[0] - 2 * margin
    story: list[Any] = []
    if laid.title:
        story.append(Paragraph(_esc(laid.title), styles["title"]))
    for section in laid.sections:
        story.append(Paragraph(_esc(section.title), styles["heading"]))
        for para in section.paragraphs:
            story.append(Paragraph(_esc(para), styles["body"]))
        table = section.table
        if table is None:
            continue
        story.append(Spacer(1, 4))
        if section.key == "requests" and split_table_three and table.split_row is not None:
            first, second = table.split(table.split_row)
            part1 = _flowable_table(first, width)
            _, h = part1.wrap(width, A4[1])
            story.append(CondPageBreak(h + 4))
            story.append(part1)
            story.append(PageBreak())
            story.append(_flowable_table(second, width))
        elif section.key == "appeals":
            story.append(KeepTogether([_flowable_table(table, width)]))
        else:
            story.append(_flowable_table(table, width))
        story.append(Spacer(1, 6))
    if laid.signature:
        story.append(Spacer(1, 18))
        for line in laid.signature:
            story.append(Paragraph(_esc(line), styles["sign"]))

    def footer(canvas: Any, _doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 10)
        canvas.drawCentredString(A4[0] / 2, 30, f"- {canvas.getPageNumber()} -")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def to_pdf(report: Report, *, split_table_three: bool = True) -> bytes:
    """The report as PDF bytes with a text layer."""
    return render(layout_report(report), split_table_three=split_table_three)
