"""Render a report as Markdown: the title, the six sections as ``##`` headings, the tables as pipe
tables, the signature at the end.

A pipe table cannot merge cells, so each table is the national grid flattened: a merged cell's
text stands in its first grid position and the positions it covers are left empty, the way the
national template reads from left to right. The head of table 三 is flattened into one row of the
template's own column words (自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计 under the
corner sentence); 申请人情况 and 法人或其他组织, which only group columns, are left out. Table 四
keeps its three head rows (行政复议 | 行政诉讼; 未经复议直接起诉 | 复议后起诉; the five result words
per group), which say which group a column belongs to. ``gongkai parse`` reads the result back to
the same values: tests/test_write.py asserts it on every example and every corpus report.
"""

from __future__ import annotations

from gongkai.model import Report
from gongkai.writers.layout import REQUESTS_CORNER, WReport, WTable, layout_report

__all__ = ["render", "to_markdown"]

# An empty value cell. A pipe table read back as text keeps no column positions for blank cells
# at the start of a row (行政处罚 |  |  | 0 would read as 0 in the first column), so a cell with no
# value is written with the national template's null marker, which reads back as no value.
NULL_CELL = "—"


def _cell(text: str) -> str:
    """A cell's text on one line; a ``|`` would cut the cell in two, so it is written as ``｜``."""
    return " ".join(text.replace("|", "｜").split())


def _grid(table: WTable) -> list[list[str]]:
    grid = [["" for _ in range(table.width)] for _ in range(table.n_rows)]
    for c in table.cells:
        text = _cell(c.text)
        grid[c.row][c.col] = text if text or c.role != "value" else NULL_CELL
    return grid


def _head_row(table: WTable) -> list[str] | None:
    """Table 三's three head rows as one: the corner sentence, then the column words."""
    if table.key != "requests" or table.header_rows != 3:
        return None
    head: list[str] = ["" for _ in range(table.width)]
    for c in table.cells:
        if c.row >= table.header_rows:
            continue
        if c.text == REQUESTS_CORNER:
            head[c.col] = _cell(c.text)
        elif c.rowspan + c.row == table.header_rows and c.colspan == 1:
            head[c.col] = _cell(c.text)  # a column's own word: the bottom cell of the head
    return head


def table_lines(table: WTable) -> list[str]:
    """A table as the lines of a Markdown pipe table."""
    grid = _grid(table)
    head = _head_row(table)
    rows = [head, *grid[table.header_rows :]] if head is not None else grid
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * table.width]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return lines


def _paragraph(text: str) -> str:
    return " ".join(text.split())


# Text read back from a file is cut into lines; a line of 400 characters or more that holds a
# table's words (政府信息公开行政复议1件) is taken for a report a crawler flattened onto one line and
# cut up (gongkai.layout.unfold). Long paragraphs are therefore written over several lines, each
# ending at a sentence end where there is one; Markdown joins them into one paragraph again.
WRAP_AT = 300
_SENTENCE_ENDS = "。！？；;!?"


def _wrapped(text: str, width: int = WRAP_AT) -> list[str]:
    lines: list[str] = []
    rest = _paragraph(text)
    while len(rest) > width:
        cut = max(rest.rfind(ch, 0, width) for ch in _SENTENCE_ENDS) + 1
        if cut <= width // 3:  # no sentence end early enough: cut between two characters that
            cut = width  # are not both ASCII letters or digits
            while cut > 1 and rest[cut - 1].isascii() and rest[cut].isascii() and rest[cut].isalnum():
                cut -= 1
        lines.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    lines.append(rest)
    return lines


def render(laid: WReport) -> str:
    out: list[str] = []
    if laid.title:
        out += [f"# {_paragraph(laid.title)}", ""]
    for section in laid.sections:
        out += [f"## {_paragraph(section.title)}", ""]
        for para in section.paragraphs:
            out += [*_wrapped(para), ""]
        if section.table is not None:
            out += [*table_lines(section.table), ""]
    for line in laid.signature:
        out += [_paragraph(line), ""]
    return "\n".join(out)


def to_markdown(report: Report) -> bytes:
    """The report as UTF-8 Markdown bytes."""
    return render(layout_report(report)).encode("utf-8")
