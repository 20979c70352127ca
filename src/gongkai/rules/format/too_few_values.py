from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from gongkai.rules.base import Context, Finding, Rule, Severity
from gongkai.rules.format.too_many_values import irregular_rows


class TooFewValues(Rule):
    """## What it does
    Reports a row of a statistics table with fewer values than the format has columns.

    ## Why is this bad?
    The values are read into the columns in order, so the last columns are left without a value
    — and if the missing cell was in the middle, every value after it is in the wrong column.
    Write 0 where there is nothing to count; never leave a cell out.

    ## Example
    ```
    5.属于三类内部事务信息 | 0 | 0 | 0 | 0 | 0 | 0 |
    ```
    Six values for seven columns: the 总计 cell is missing.

    ## Severity
    Error: the row's figures cannot be read reliably.
    """

    doc_zh: ClassVar[str] = """
    ## 说明
    统计表某一行的数值个数少于格式规定的列数。

    ## 为什么是问题
    数值按顺序填入各列，最后几列因此没有数值；如果缺的是中间的某个单元格，其后的每个数值都错了列。没
    有可统计的事项应填 0，不要留空，更不要删去单元格。

    ## 示例
    ```
    5.属于三类内部事务信息 | 0 | 0 | 0 | 0 | 0 | 0 |
    ```
    七列只有六个数值：缺少“总计”单元格。

    ## 级别
    错误：这一行的数值无法可靠读取。
    """

    code: ClassVar[str] = "F005"
    name: ClassVar[str] = "too-few-values"
    severity: ClassVar[Severity] = "error"
    needs: ClassVar[str | None] = "too_few"
    title_zh: ClassVar[str] = "行的数值少于格式的列数"
    title_en: ClassVar[str] = "A row has fewer values than the format's columns"
    template_zh: ClassVar[str] = "{row}只有 {found} 个数值，格式有 {expected} 列。"
    template_en: ClassVar[str] = "{row_en} has only {found} values; the format has {expected} columns."

    def check(self, ctx: Context) -> Iterator[Finding]:
        yield from irregular_rows(self, ctx, "too_few")
