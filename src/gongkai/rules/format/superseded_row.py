from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from gongkai.formats import RowSpec, TableSpec
from gongkai.memo import remember
from gongkai.rules.base import Context, Finding, Place, Rule, Severity


class SupersededRow(Rule):
    """## What it does
    Reports a 2021-format table 三 that keeps the 2019 format's single （六）其他处理 row instead of
    its three 2021 sub-rows (1.申请人无正当理由逾期不补正…, 2.申请人逾期未按收费通知要求缴纳费用…,
    3.其他).

    ## Why is this bad?
    The 2021 format splits 其他处理 so that requests dropped for missing corrections or unpaid fees
    are counted apart. A single row cannot be compiled with the reports that split it. The row is
    still read and summed (B003), and F003 does not report the sub-rows.

    ## Example
    洪泽区 2023: （六）其他处理 | 0 | 0 | 0 | 0 | 0 | 0 | 0 in a table with 2021 headings.

    ## Severity
    Warning: the figures are complete, only less detailed than the format asks.
    """

    doc_zh: ClassVar[str] = """
    ## 说明
    2021 年格式的表三仍沿用 2019 年格式的单行“（六）其他处理”，没有分为 2021 年格式的三个子行（1.申
    请人无正当理由逾期不补正……，2.申请人逾期未按收费通知要求缴纳费用……，3.其他）。

    ## 为什么是问题
    2021 年格式把“其他处理”拆开，是为了把因逾期不补正、逾期不缴费而不再处理的申请分别统计。只有一行
    的数值无法与分行填报的报告汇总。该行仍会被读取并计入合计核对（B003），F003 也不再报告缺少这三个
    子行。

    ## 示例
    洪泽区 2023 年度报告：表头是 2021 年格式，表中却是“（六）其他处理 | 0 | 0 | 0 | 0 | 0 | 0 | 0”。

    ## 级别
    警告：数值是完整的，只是没有格式要求的那样细。
    """

    code: ClassVar[str] = "F013"
    name: ClassVar[str] = "superseded-row"
    severity: ClassVar[Severity] = "warning"
    title_zh: ClassVar[str] = "2021年格式的{table:requests}仍使用2019年单行“其他处理”"
    title_en: ClassVar[str] = "A 2021-format {table:requests} keeps the 2019 single 其他处理 row"
    template_zh: ClassVar[str] = (
        "{table:requests}仍按2019年格式填报单行“（六）其他处理”，2021年格式要求分为{count}项填报。"
    )
    template_en: ClassVar[str] = (
        "{table:requests} keeps the 2019 single row other_handling; the 2021 format splits it into {count} rows."
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        if not ctx.readable("requests"):
            return
        spec, table = ctx.table("requests")
        for key, rspec in _replacing_rows(spec):
            row = table.rows.get(key)
            if row is None or not row.found:
                continue
            if any(table.rows[r].found for r in rspec.replaces if r in table.rows):
                continue
            yield self.finding(
                Place.of_row(spec, row),
                figures={"row": key, "replaces": ", ".join(rspec.replaces)},
                count=len(rspec.replaces),
            )


_REPLACING: dict[int, tuple[TableSpec, list[tuple[str, RowSpec]]]] = {}


def _replacing_rows(spec: TableSpec) -> list[tuple[str, RowSpec]]:
    """The optional rows of the format that replace others (2019's single 其他处理), in order;
    found once per format."""
    known = _REPLACING.get(id(spec))
    if known is None or known[0] is not spec:
        rows = [(k, r) for k, r in spec.rows.items() if r.optional and r.replaces]
        known = remember(_REPLACING, 64, id(spec), (spec, rows))
    return known[1]
