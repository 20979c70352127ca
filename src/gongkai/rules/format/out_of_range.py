from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from gongkai.model import MAX_FRACTION_DIGITS, MAX_INTEGER_DIGITS
from gongkai.rules.base import Context, Finding, Place, Rule, Severity, cell_name


class NumberOutOfRange(Rule):
    """## What it does
    Reports a number too long to be kept exactly: more than 28 digits before the decimal point
    or more than 10 after it (after 元 are converted to 万元).

    ## Why is this bad?
    No count or fee of a real report comes near these lengths; such a cell is almost always
    digits of several cells run together, a reference number typed into the table, or a damaged
    file. gongkai keeps every value exactly as printed and never rounds, so this cell is kept as
    text (its raw value) with no number, and the sums that use it are not checked.

    ## Example
    ```
    一、本年新收政府信息公开申请数量 | 123456789012345678901234567890 | …
    ```

    ## Severity
    Error.
    """

    doc_zh: ClassVar[str] = """
    ## 说明
    数值过长，无法精确保存：整数部分超过 28 位，或者小数部分超过 10 位（元换算为万元之后）。

    ## 为什么是问题
    真实报告中的件数和金额都远远达不到这种长度；这样的单元格几乎总是几个单元格的数字连在了一起、表中
    误填了文号，或者文件已经损坏。gongkai 按原样精确保存每个数值、从不四舍五入，因此这个单元格只保存
    原文而不作为数字，涉及它的合计也不核对。

    ## 示例
    ```
    一、本年新收政府信息公开申请数量 | 123456789012345678901234567890 | …
    ```

    ## 级别
    错误。
    """

    code: ClassVar[str] = "F016"
    name: ClassVar[str] = "number-out-of-range"
    severity: ClassVar[Severity] = "error"
    needs: ClassVar[str | None] = "status:out_of_range"
    title_zh: ClassVar[str] = "数值过长，无法精确保存"
    title_en: ClassVar[str] = "A number too long to keep exactly"
    template_zh: ClassVar[str] = (
        "{cell}的数值“{raw}”超过整数 {int_digits} 位或小数 {frac_digits} 位，无法精确保存，已按无值处理。"
    )
    template_en: ClassVar[str] = (
        "{cell_en}: “{raw}” has more than {int_digits} digits before or {frac_digits} after the point "
        "and cannot be kept exactly; it is treated as no value."
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        for spec, row, column, value in ctx.cells_with_status("out_of_range"):
            zh, en = cell_name(spec, row, column)
            yield self.finding(
                Place.of_cell(spec, row, column),
                figures={"raw": value.raw},
                cell=zh,
                cell_en=en,
                raw=value.raw,
                int_digits=MAX_INTEGER_DIGITS,
                frac_digits=MAX_FRACTION_DIGITS,
            )
