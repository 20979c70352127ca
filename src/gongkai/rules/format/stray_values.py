from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from gongkai.formats import table_names
from gongkai.rules.base import Context, Finding, Place, Rule, Severity


class StrayValues(Rule):
    """## What it does
    Reports numbers inside a statistics table that belong to no row: values before the first row
    label, or after a heading that closes the previous row.

    ## Why is this bad?
    A number with no row is a figure the reader cannot attribute — often the values of a row whose
    label was lost or split off when the table was edited, which also leaves that row empty.

    ## Example
    ```
    （三）不予公开 | 0 | 0 | 0
    1.属于国家秘密 | 0 | 0 | …
    ```
    The three values after the group label （三）不予公开 belong to no row.

    ## Severity
    Warning: the figures may be page furniture, or they may be a lost row.
    """

    doc_zh: ClassVar[str] = """
    ## 说明
    统计表中有不属于任何一行的数值：出现在第一个行标题之前，或者出现在结束上一行的小标题之后。

    ## 为什么是问题
    不属于任何一行的数字，读者无法知道它是哪一项的数值。这往往是编辑表格时某行的标题丢失或被拆开，数
    值因而“漂”了出来，原来那一行也就成了空行。

    ## 示例
    ```
    （三）不予公开 | 0 | 0 | 0
    1.属于国家秘密 | 0 | 0 | …
    ```
    分组标题“（三）不予公开”后面的三个数值不属于任何一行。

    ## 级别
    警告：这些数字可能只是页眉、页码之类的版面内容，也可能是丢了标题的一行。
    """

    code: ClassVar[str] = "F009"
    name: ClassVar[str] = "stray-values"
    severity: ClassVar[Severity] = "warning"
    needs: ClassVar[str | None] = "stray"
    title_zh: ClassVar[str] = "统计表中有不属于任何行的数值"
    title_en: ClassVar[str] = "Numbers in a table that belong to no row"
    template_zh: ClassVar[str] = "{table}中有 {count} 个数值不属于任何行：{values}。"
    template_en: ClassVar[str] = "{table_en} has {count} values that belong to no row: {values}."

    def check(self, ctx: Context) -> Iterator[Finding]:
        for spec, table in ctx.readable_tables():
            if not table.stray:
                continue
            zh, en = table_names()[spec.key]
            shown = [v.raw for v in table.stray[:10]] + (["…"] if len(table.stray) > 10 else [])
            yield self.finding(
                Place.of_value(spec, table.stray[0]),
                figures={"count": len(table.stray), "values": " ".join(v.raw for v in table.stray)},
                table=zh,
                table_en=en,
                count=len(table.stray),
                values=" ".join(shown),
            )
