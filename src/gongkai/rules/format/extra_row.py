from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from gongkai.formats import table_names
from gongkai.rules.base import Context, Finding, Place, Rule, Severity, row_label


class ExtraRow(Rule):
    """## What it does
    Notes a row the agency added to a statistics table that the national format does not have,
    such as 其他主动公开文件 under 第二十条第（一）项.

    ## Why is this bad?
    It is not: agencies may report more. The note tells a reviewer that the row's figures are kept
    as written but are not part of any sum or compilation, and lets them check the row is not a
    format row under an unusual label.

    ## Example
    ```
    规范性文件 | 0 | 0 | 0
    其他主动公开文件 | 1 | 1 | 1
    ```

    ## Severity
    Info.
    """

    doc_zh: ClassVar[str] = """
    ## 说明
    提示机关在统计表中自行增加了全国统一格式没有的行，例如在“第二十条第（一）项”下增加的“其他主动公
    开文件”。

    ## 为什么是问题
    这本身不是问题：机关可以多报。提示是告诉审核人员，该行的数值按原样保存，但不参与任何勾稽核对和汇
    总；也便于审核人员确认它不是换了说法的格式行。

    ## 示例
    ```
    规范性文件 | 0 | 0 | 0
    其他主动公开文件 | 1 | 1 | 1
    ```

    ## 级别
    提示。
    """

    code: ClassVar[str] = "F008"
    name: ClassVar[str] = "extra-row"
    severity: ClassVar[Severity] = "info"
    needs: ClassVar[str | None] = "extra_rows"
    title_zh: ClassVar[str] = "机关自增的行（格式之外）"
    title_en: ClassVar[str] = "A row added by the agency, outside the format"
    template_zh: ClassVar[str] = "{table}有格式之外的行“{label}”（在“{after}”之后），已按原文保留。"
    template_en: ClassVar[str] = (
        "{table_en} has a row outside the format, “{label}” (after {after_key}); kept as written."
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        for spec, table in ctx.readable_tables():
            zh, en = table_names()[spec.key]
            for row in table.extra_rows:
                after = row_label(spec, row.after) if row.after else "表头"
                yield self.finding(
                    Place.of_row(spec, row),
                    figures={"values": " | ".join(row.cell_raws())},
                    table=zh,
                    table_en=en,
                    label=row.label,
                    after=after,
                    after_key=row.after or "head",
                )
