from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from gongkai.rules.base import Context, Finding, Place, Rule, Severity, cell_name


class NotANumber(Rule):
    """## What it does
    Reports a cell of a statistics table that must hold a number but holds something else: text,
    a percentage, a date.

    ## Why is this bad?
    Every cell of the three tables is a count or an amount. Text in a cell (`详见附件`, `100%`)
    cannot be compiled or checked, and usually means a value was typed into the wrong place.

    ## Example
    ```
    行政许可 | 详见附件
    ```

    ## Severity
    Error.
    """

    doc_zh: ClassVar[str] = """
    ## 说明
    统计表中应填数字的单元格，填的不是数字，而是文字、百分比、日期等。

    ## 为什么是问题
    三张统计表的每个单元格都是件数或金额。单元格里的文字（`详见附件`、`100%`）无法汇总和核对，通常说
    明数值填错了位置。

    ## 示例
    ```
    行政许可 | 详见附件
    ```

    ## 级别
    错误。
    """

    code: ClassVar[str] = "F006"
    name: ClassVar[str] = "not-a-number"
    severity: ClassVar[Severity] = "error"
    needs: ClassVar[str | None] = "status:not_a_number"
    title_zh: ClassVar[str] = "应填数字的单元格不是数字"
    title_en: ClassVar[str] = "A cell that must hold a number does not"
    template_zh: ClassVar[str] = "{cell}应为数字，实为“{raw}”。"
    template_en: ClassVar[str] = "{cell_en} must be a number; it reads “{raw}”."

    def check(self, ctx: Context) -> Iterator[Finding]:
        for spec, row, column, value in ctx.cells_with_status("not_a_number"):
            zh, en = cell_name(spec, row, column)
            yield self.finding(
                Place.of_cell(spec, row, column),
                figures={"raw": value.raw},
                cell=zh,
                cell_en=en,
                raw=value.raw,
            )
