from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from gongkai.formats import load_format
from gongkai.rules.base import Context, Finding, Place, Rule, Severity


class SupersededFormat(Rule):
    """## What it does
    Reports a report for 2021 or later whose tables use the 2019 format's columns (本年新制作数量,
    本年新公开数量, 对外公开总数量, 上一年项目数量, 本年增/减, 采购总金额 …) instead of the 2021 ones.

    ## Why is this bad?
    国办公开办函〔2021〕30号 replaced the 2019 format for report years 2021 onwards. Table 二 of the
    two formats asks different questions (2019: documents made and published; 2021: issued,
    repealed and in force), so the figures cannot be compiled with other reports of the year.

    ## Example
    A 2022 report whose table 二 prints 本年新制作数量 | 本年新公开数量 | 对外公开总数量.

    Use instead: 本年制发件数 | 本年废止件数 | 现行有效件数.

    ## Severity
    Error.
    """

    doc_zh: ClassVar[str] = """
    ## 说明
    2021 年度及以后的报告，统计表仍使用 2019 年格式的列（本年新制作数量、本年新公开数量、对外公开总
    数量、上一年项目数量、本年增/减、采购总金额等），而不是 2021 年格式的列。

    ## 为什么是问题
    国办公开办函〔2021〕30号自 2021 年度报告起以新格式取代 2019 年格式。两种格式的表二问的是不同的事
    （2019 年：制作和公开的文件；2021 年：制发、废止和现行有效的文件），这份报告的数值因此无法与同年
    度的其他报告汇总。

    ## 示例
    2022 年度报告的表二列为：本年新制作数量 | 本年新公开数量 | 对外公开总数量。

    应改为：本年制发件数 | 本年废止件数 | 现行有效件数。

    ## 级别
    错误。
    """

    code: ClassVar[str] = "F007"
    name: ClassVar[str] = "superseded-format"
    severity: ClassVar[Severity] = "error"
    title_zh: ClassVar[str] = "使用了已废止的2019年格式"
    title_en: ClassVar[str] = "Superseded 2019 format in a report for 2021 or later"
    template_zh: ClassVar[str] = "{year}年度报告使用了2019年格式（{old}）的统计表，应使用2021年格式（{new}）。"
    template_en: ClassVar[str] = "The {year} report uses the 2019 format's tables ({old}); use the 2021 format ({new})."

    def check(self, ctx: Context) -> Iterator[Finding]:
        meta = ctx.report.meta
        new = load_format("2021")
        if meta.format != "2019" or meta.year is None or meta.year < new.first_year:
            return
        spec = ctx.format.tables["proactive"]
        table = ctx.report.tables.get("proactive")
        place = Place.of_table(spec, table) if table is not None and table.found else Place.meta(ctx.report, "year")
        yield self.finding(
            place,
            figures={"year": meta.year, "format": meta.format},
            note=f"format evidence: {meta.format_evidence}" if meta.format_evidence else None,
            year=meta.year,
            old=load_format("2019").issued_by,
            new=new.issued_by,
        )
