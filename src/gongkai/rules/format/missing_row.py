from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from gongkai.formats import table_names
from gongkai.rules.base import Context, Finding, Place, Rule, Severity


class MissingRow(Rule):
    """## What it does
    Reports a row of the national format that is missing from a table that was found. Optional
    variant rows are not required, and a 2021-format report that keeps the 2019 single （六）其他处理
    row is not asked for the three 2021 sub-rows that row replaces (see F013 for that).

    ## Why is this bad?
    The format fixes every row so that every report answers the same questions; a missing row is
    an unanswered question (and its figures are missing from the sums, see F015).

    ## Example
    A 2021-format table 二 with 规章, 行政规范性文件, 行政许可, 行政处罚, 行政强制 but no 行政事业性收费.

    ## Severity
    Error.
    """

    doc_zh: ClassVar[str] = """
    ## 说明
    已找到的统计表缺少全国统一格式规定的某一行。可选的变体行不作要求；2021 年格式的报告如果沿用 2019
    年格式的单行“（六）其他处理”，也不再要求该行所替代的三个 2021 年子行（这种情况由 F013 报告）。

    ## 为什么是问题
    格式规定了每一行，使每份报告回答同样的问题。缺少一行，就是有一个问题没有回答，该行的数值也无法参
    与勾稽核对（见 F015）。

    ## 示例
    2021 年格式的表二有规章、行政规范性文件、行政许可、行政处罚、行政强制，却没有“行政事业性收费”。

    ## 级别
    错误。
    """

    code: ClassVar[str] = "F003"
    name: ClassVar[str] = "missing-row"
    severity: ClassVar[Severity] = "error"
    needs: ClassVar[str | None] = "missing_rows"
    title_zh: ClassVar[str] = "统计表缺少格式规定的行"
    title_en: ClassVar[str] = "A row of the format is missing from a table"
    template_zh: ClassVar[str] = "{table}缺少“{label}”行。"
    template_en: ClassVar[str] = "{table_en} lacks row {row_key} ({label})."

    def check(self, ctx: Context) -> Iterator[Finding]:
        for scan in ctx.scans().values():
            if not scan.readable or len(scan.found) == len(scan.table.rows):
                continue  # unread, or every row found
            spec, table = scan.spec, scan.table
            exempt = scan.exempt()
            zh, en = table_names()[spec.key]
            for key, row in table.rows.items():
                if row.found or key in exempt or key not in spec.rows:
                    continue
                label = spec.rows[key].label
                if spec.rows[key].group:
                    label = f"{spec.rows[key].group} {label}"
                yield self.finding(
                    Place.of_row(spec, row), figures={"row": key}, table=zh, table_en=en, row_key=key, label=label
                )
