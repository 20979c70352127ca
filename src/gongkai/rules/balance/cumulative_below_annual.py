from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from gongkai.rules.base import Context, Finding, Place, Rule, Severity, column_label, row_label

# (format, row keys, this year's column, cumulative column)
_PAIRS = {
    "2019": (("rules", "normative_documents"), "published", "total_published"),
    "2021": (("rules", "normative_documents"), "issued", "in_force"),
}


class CumulativeBelowAnnual(Rule):
    """## What it does
    Compares this year's figure with the standing total in table 二 for 规章 and (行政)规范性文件:
    in the 2019 format 本年新公开数量 must not exceed 对外公开总数量; in the 2021 format 本年制发件数
    should not exceed 现行有效件数.

    ## Why is this bad?
    Documents published this year are part of all documents published; documents issued this year
    are, unless repealed within the year, in force. A larger annual figure usually means the
    columns were swapped or the standing total was not updated.

    ## Example
    ```
    规范性文件 | 31 | 31 | 3
    ```
    本年新公开数量 31 > 对外公开总数量 3.

    ## Severity
    Warning: in the 2021 format a document issued and repealed in the same year makes the
    annual figure legitimately larger.
    """

    doc_zh: ClassVar[str] = """
    ## 说明
    比较表二中规章和（行政）规范性文件的本年数量与累计数量：2019 年格式中，本年新公开数量不应超过对
    外公开总数量；2021 年格式中，本年制发件数不应超过现行有效件数。

    ## 为什么是问题
    本年公开的文件是全部已公开文件的一部分；本年制发的文件，除非当年即被废止，都是现行有效的。本年数
    量更大，通常是两列填反了，或者累计数没有更新。

    ## 示例
    ```
    规范性文件 | 31 | 31 | 3
    ```
    本年新公开数量 31，大于对外公开总数量 3。

    ## 级别
    警告：在 2021 年格式中，同一年内制发又废止的文件会使本年数量合理地大于现行有效件数。
    """

    code: ClassVar[str] = "B007"
    name: ClassVar[str] = "cumulative-below-annual"
    severity: ClassVar[Severity] = "warning"
    title_zh: ClassVar[str] = "{table:proactive}本年数量大于累计（现行有效）数量"
    title_en: ClassVar[str] = "{table:proactive}: this year's figure exceeds the standing total"
    template_zh: ClassVar[str] = "{table:proactive}「{row}」：{annual_label} = {annual}，大于{total_label} = {total}。"
    template_en: ClassVar[str] = (
        "{table:proactive} row {row_key}: {annual_key} = {annual} exceeds {total_key} = {total}."
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        pairs = _PAIRS.get(ctx.format.id)
        if pairs is None or not ctx.readable("proactive"):
            return
        spec, table = ctx.table("proactive")
        rows, annual_col, total_col = pairs
        for key in rows:
            row = table.rows.get(key)
            if row is None or not row.found:
                continue
            annual, total = row.get(annual_col), row.get(total_col)
            if annual is None or total is None or annual <= total:
                continue
            yield self.finding(
                Place.of_cell(spec, row, total_col),
                figures={annual_col: annual, total_col: total},
                row=row_label(spec, row),
                row_key=key,
                annual_label=column_label(spec, annual_col),
                total_label=column_label(spec, total_col),
                annual_key=annual_col,
                total_key=total_col,
                annual=annual,
                total=total,
            )
