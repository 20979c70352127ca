from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from gongkai.formats import table_names
from gongkai.rules.base import Context, Finding, Place, Rule, Severity


class MissingTable(Rule):
    """## What it does
    Reports a statistics table (二 主动公开, 三 申请办理, 四 复议诉讼) that was not found, or that was
    found but gave no number at all.

    ## Why is this bad?
    The three tables are the part of the report that is compared across agencies and years; the
    format makes them compulsory. A table given as an image, a table left out, or one whose cells
    all say something other than a number leaves nothing to check or compile.

    ## Example
    Section 三 says 本年度未收到政府信息公开申请 and prints no table: the table must still be given,
    filled with 0.

    ## Severity
    Error.
    """

    doc_zh: ClassVar[str] = """
    ## 说明
    统计表（表二 主动公开、表三 申请办理、表四 复议诉讼）没有找到，或者找到了却没有读出任何数字。

    ## 为什么是问题
    三张统计表是在机关之间、年度之间比较和汇总的部分，格式规定必须填报。以图片代替表格、漏掉表格，或
    者单元格里全是文字而没有数字，这部分就无从核对，也无法汇总。

    ## 示例
    第三部分写“本年度未收到政府信息公开申请”，没有附表三：表三仍须列出，各项填 0。

    ## 级别
    错误。
    """

    code: ClassVar[str] = "F002"
    name: ClassVar[str] = "missing-table"
    severity: ClassVar[Severity] = "error"
    needs: ClassVar[str | None] = "unreadable"
    title_zh: ClassVar[str] = "统计表缺失或无法读取"
    title_en: ClassVar[str] = "A statistics table is missing or unreadable"
    template_zh: ClassVar[str] = "未找到{table}（{title}）。"
    template_en: ClassVar[str] = "{table_en} ({key}) was not found."
    variants: ClassVar[dict[str, tuple[str, str]]] = {
        "unreadable": ("{table}（{title}）中读不到任何数值。", "{table_en} ({key}) has no readable number."),
    }

    def check(self, ctx: Context) -> Iterator[Finding]:
        for key, spec in ctx.format.tables.items():
            table = ctx.report.tables.get(key)
            if ctx.readable(key):
                continue
            zh, en = table_names()[key]
            found = table is not None and table.found
            place = Place.of_table(spec, table) if table is not None else Place.of_section(ctx.report, spec.section)
            yield self.finding(
                place,
                figures={"table": key},
                variant="unreadable" if found else None,
                table=zh,
                table_en=en,
                key=key,
                title=spec.title,
            )
