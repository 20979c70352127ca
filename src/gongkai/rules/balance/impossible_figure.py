from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import ClassVar

from gongkai.rules.base import Context, Finding, Place, Rule, Severity, cell_name, number_text


class ImpossibleFigure(Rule):
    """## What it does
    Flags a figure no count can have: a negative number in any column (except the 2019 format's
    本年增/减, which is signed: 减用负值表示), or a count that is not a whole number (2.5 applications).
    Money columns (收费金额, 采购总金额) may have decimals but may not be negative.

    ## Why is this bad?
    Applications, cases, documents and decisions are counted one by one. A fraction or a negative
    count is a typing error (a stray decimal point or minus sign) or a value pasted into the
    wrong column.

    ## Example
    ```
    行政许可 | 1.5
    ```
    本年处理决定数量 = 1.5 is not a whole number.

    ## Severity
    Error.
    """

    doc_zh: ClassVar[str] = """
    ## 说明
    标出任何件数都不可能有的数值：任何一列中的负数（2019 年格式的“本年增/减”除外，该列减少用负数表示），
    或者不是整数的件数（2.5 件申请）。金额列（收费金额、采购总金额）可以有小数，但不能为负。

    ## 为什么是问题
    申请、案件、文件和处理决定都是逐件计数的。小数或者负数的件数是录入错误（多了一个小数点或负号），
    或者把别的列的数值粘贴到了这一列。

    ## 示例
    ```
    行政许可 | 1.5
    ```
    本年处理决定数量为 1.5，不是整数。

    ## 级别
    错误。
    """

    code: ClassVar[str] = "B005"
    name: ClassVar[str] = "impossible-figure"
    severity: ClassVar[Severity] = "error"
    needs: ClassVar[str | None] = "odd_numbers"
    title_zh: ClassVar[str] = "不可能的数值：负数，或不是整数的件数"
    title_en: ClassVar[str] = "Impossible figure: a negative number, or a count that is not whole"
    template_zh: ClassVar[str] = "{cell}为负数（{value}），此项不能为负。"
    template_en: ClassVar[str] = "{cell_en} is negative ({value}); it cannot be."
    variants: ClassVar[dict[str, tuple[str, str]]] = {
        "fraction": (
            "{cell}为{value}，件数应为整数。",
            "{cell_en} is {value}; a count must be a whole number.",
        ),
    }

    def check(self, ctx: Context) -> Iterator[Finding]:
        for scan in ctx.scans().values():
            if not scan.readable:
                continue
            spec = scan.spec
            for _, row, column, value in scan.odd_numbers:  # the numbers that are not whole and non-negative
                number = value.value
                if number is None or column not in spec.columns:
                    continue
                col = spec.columns[column]
                negative = number < 0 and not col.signed
                fraction = not negative and col.kind == "count" and isinstance(number, Decimal)
                if not (negative or fraction):
                    continue
                zh, en = cell_name(spec, row, column)
                yield self.finding(
                    Place.of_cell(spec, row, column),
                    figures={column: value.value, "raw": value.raw},
                    variant="fraction" if fraction else None,
                    cell=zh,
                    cell_en=en,
                    value=value.raw.strip() or number_text(value.value),
                )
