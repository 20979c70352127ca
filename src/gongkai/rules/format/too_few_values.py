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

    code: ClassVar[str] = "F005"
    name: ClassVar[str] = "too-few-values"
    severity: ClassVar[Severity] = "error"
    title_zh: ClassVar[str] = "行的数值少于格式的列数"
    title_en: ClassVar[str] = "A row has fewer values than the format's columns"
    template_zh: ClassVar[str] = "{row}只有 {found} 个数值，格式有 {expected} 列。"
    template_en: ClassVar[str] = "{row_en} has only {found} values; the format has {expected} columns."

    def check(self, ctx: Context) -> Iterator[Finding]:
        yield from irregular_rows(self, ctx, "too_few")
