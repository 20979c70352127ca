from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from gongkai.rules.base import Context, Finding, Place, Rule, Severity, cell_name


class UnitUnknown(Rule):
    """## What it does
    Notes a money amount (行政事业性收费 本年收费金额, 2019 政府集中采购 采购总金额) whose unit is
    given nowhere — neither in the cell (`36609万元`) nor in the column head (单位：万元).

    ## Why is this bad?
    The 2019 format printed no unit for 采购总金额 and reports differ: Shanghai 2019 wrote 251000元
    where others write 万元. Without a unit the amount is kept as written and cannot be compared
    with other reports. A zero needs no unit and is not reported.

    ## Example
    ```
    政府集中采购 | 10 | 36609
    ```
    36609 元 or 36609 万元?

    ## Severity
    Info.
    """

    doc_zh: ClassVar[str] = """
    ## 说明
    提示某个金额（行政事业性收费的“本年收费金额”，2019 年格式政府集中采购的“采购总金额”）在哪里都没
    有注明单位：单元格里没有（如 `36609万元`），列标题里也没有（如“单位：万元”）。

    ## 为什么是问题
    2019 年格式没有规定采购总金额的单位，各报告的写法不一：上海市 2019 年度写的是 251000 元，其他报
    告写的是万元。没有单位的金额只能按原样保存，无法与其他报告比较。金额为 0 时不需要单位，不作提示。

    ## 示例
    ```
    政府集中采购 | 10 | 36609
    ```
    是 36609 元，还是 36609 万元？

    ## 级别
    提示。
    """

    code: ClassVar[str] = "F010"
    name: ClassVar[str] = "unit-unknown"
    severity: ClassVar[Severity] = "info"
    needs: ClassVar[str | None] = "status:unit_unknown"
    title_zh: ClassVar[str] = "金额未注明单位"
    title_en: ClassVar[str] = "A money amount with no unit"
    template_zh: ClassVar[str] = "{cell}为 {raw}，未注明单位（元或万元），按原数保留。"
    template_en: ClassVar[str] = "{cell_en} is {raw} with no unit (yuan or 10,000 yuan); kept as written."

    def check(self, ctx: Context) -> Iterator[Finding]:
        for spec, row, column, value in ctx.cells_with_status("unit_unknown"):
            if not value.value:
                continue  # 0 is 0 in any unit
            zh, en = cell_name(spec, row, column)
            yield self.finding(
                Place.of_cell(spec, row, column),
                figures={column: value.value},
                cell=zh,
                cell_en=en,
                raw=value.raw,
            )
