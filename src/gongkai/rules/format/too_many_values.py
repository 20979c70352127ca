from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from gongkai.formats import TableSpec
from gongkai.memo import remember
from gongkai.model import Row
from gongkai.rules.base import Context, Finding, Place, Rule, Severity, cell_name


class TooManyValues(Rule):
    """## What it does
    Reports a row of a statistics table with more values than the format has columns
    (表三 has seven: 自然人, five kinds of 法人或其他组织, 总计).

    ## Why is this bad?
    The extra values cannot be placed: the first values are read into the format's columns in
    order, but whether that is what the agency meant is unknown, so every figure of the row is in
    doubt. Usually cells were added or split when the table was edited.

    ## Example
    ```
    4.保护第三方合法权益	0	0	0	0	0	0	0	0	0	0	0
    ```
    Eleven values for seven columns.

    ## Severity
    Error: the row's figures cannot be read reliably.
    """

    doc_zh: ClassVar[str] = """
    ## 说明
    统计表某一行的数值个数多于格式规定的列数（表三有七列：自然人、法人或其他组织的五类、总计）。

    ## 为什么是问题
    多出来的数值无法归位：读取时按顺序把前面的数值放入格式的各列，但这是否符合机关的本意无从得知，这
    一行的每个数值都靠不住。通常是编辑表格时增加或拆分了单元格。

    ## 示例
    ```
    4.保护第三方合法权益 0       0       0       0       0       0       0       0       0       0       0
    ```
    格式只有七列，这一行却有十一个数值。

    ## 级别
    错误：这一行的数值无法可靠读取。
    """

    code: ClassVar[str] = "F004"
    name: ClassVar[str] = "too-many-values"
    severity: ClassVar[Severity] = "error"
    needs: ClassVar[str | None] = "too_many"
    title_zh: ClassVar[str] = "行的数值多于格式的列数"
    title_en: ClassVar[str] = "A row has more values than the format's columns"
    template_zh: ClassVar[str] = "{row}有 {found} 个数值，格式只有 {expected} 列。"
    template_en: ClassVar[str] = "{row_en} has {found} values; the format has {expected} columns."

    def check(self, ctx: Context) -> Iterator[Finding]:
        yield from irregular_rows(self, ctx, "too_many")


def irregular_rows(rule: Rule, ctx: Context, kind: str) -> Iterator[Finding]:
    """F004/F005: rows of the format whose cell count differs from the format's columns."""
    for spec, row in _irregular(ctx).get(kind, ()):  # in table and row order
        found, expected = row.cell_count(), len(row.columns)
        key = (id(spec), rule.code, row.key, row.label, found, expected)
        known = _MESSAGES.get(key)
        if known is None or known[0] is not spec:
            zh, en = cell_name(spec, row)
            known = remember(
                _MESSAGES, 4096, key, (spec, rule.messages(row=zh, row_en=en, found=found, expected=expected))
            )
        yield rule.made(
            Place.of_row(spec, row),
            known[1],
            {"values": found, "columns": expected, "raw": " | ".join(row.cell_raws())},
        )


# The messages of F004 and F005 by the row and its counts: the same cases recur in report after
# report.
_MESSAGES: dict[tuple[object, ...], tuple[TableSpec, tuple[str, str]]] = {}


def _irregular(ctx: Context) -> dict[str, list[tuple[TableSpec, Row]]]:
    """The readable tables' rows by how they are irregular ("too_many", "too_few"), from the
    tables' scan, grouped once for F004 and F005."""
    found: dict[str, list[tuple[TableSpec, Row]]] | None = ctx.cache.get("irregular_rows")
    if found is None:
        found = {}
        for scan in ctx.scans().values():
            if scan.readable:
                for kind, row in scan.irregular:
                    found.setdefault(kind, []).append((scan.spec, row))
        ctx.cache["irregular_rows"] = found
    return found
