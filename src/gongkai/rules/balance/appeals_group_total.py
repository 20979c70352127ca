from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from gongkai.rules.balance.sums import EquationRule
from gongkai.rules.base import Context, Finding, Place, Severity


class AppealsGroupTotal(EquationRule):
    """## What it does
    Checks, in each of the three groups of table 四 (行政复议; 行政诉讼 未经复议直接起诉; 行政诉讼
    复议后起诉), that 总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结.

    ## Why is this bad?
    Every case ends in one of the three results or is still pending, so the four parts make the
    total. A difference means a case was lost or counted twice — or, very often, that the fifteen
    numbers of the table were typed into the wrong cells.

    ## Example
    ```
    结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计
    1 | 1 | 0 | 0 | 1
    ```
    行政复议: 总计 = 1, but 1+1+0+0 = 2.

    A table 四 whose separators were lost (a run of digits) is cut into cells by these sums. When
    no cut makes every group add up, the groups that add up under the best cuts are read and the
    group that cannot add up however its digits are cut is reported here, its cells left empty.

    ## Severity
    Error.
    """

    doc_zh: ClassVar[str] = """
    ## 说明
    在表四的三组（行政复议；行政诉讼·未经复议直接起诉；行政诉讼·复议后起诉）中逐组核对：总计 = 结果
    维持 + 结果纠正 + 其他结果 + 尚未审结。

    ## 为什么是问题
    每个案件要么以三种结果之一结案，要么尚未审结，所以四项之和就是总计。不相等，说明有案件漏计或者重
    复计数——更常见的是表中十五个数字填错了格。

    ## 示例
    ```
    结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计
    1 | 1 | 0 | 0 | 1
    ```
    行政复议：总计 = 1，但 1+1+0+0 = 2。

    分隔符丢失（数字连写）的表四按这些等式切分单元格。怎么切分都不能使每一组平衡时，按最佳切分读取能
    够平衡的各组，无论怎样切分都不能平衡的那一组在此报告，其单元格留空。

    ## 级别
    错误。
    """

    code: ClassVar[str] = "B004"
    name: ClassVar[str] = "appeals-group-total"
    severity: ClassVar[Severity] = "error"
    title_zh: ClassVar[str] = "{table:appeals}某组“总计”不等于维持、纠正、其他、尚未审结之和"
    title_en: ClassVar[str] = "A group of {table:appeals} whose total is not upheld + corrected + other + pending"
    template_zh: ClassVar[str] = "{table}{subject}：{lhs_name} = {lhs}，{rhs_name} = {rhs}。"
    template_en: ClassVar[str] = "{table_en} {subject_en}: {lhs_en} = {lhs}, {rhs_en} = {rhs}."
    variants: ClassVar[dict[str, tuple[str, str]]] = {
        "unsatisfiable": (
            "{table:appeals}{subject}：数字“{raw}”无论如何拆分，总计都不等于维持+纠正+其他+尚未审结，报告自身的数字有误；"
            "该组数值无法确定，请核对原文。",
            "{table:appeals} {subject_en}: however the digits “{raw}” are cut, the total is never upheld + corrected + "
            "other + pending: the report's own figures disagree; the group's values cannot be told, check the "
            "original.",
        )
    }

    def check(self, ctx: Context) -> Iterator[Finding]:
        yield from super().check(ctx)
        spec_table = ctx.format.tables.get("appeals")
        table = ctx.report.tables.get("appeals")
        if spec_table is None or table is None or not table.found:
            return
        for entry in table.ambiguous:
            reason = entry.reason or ""
            if not reason.startswith("group_sum_unsatisfiable:"):
                continue
            for key in reason.split(":", 1)[1].split(","):
                row = table.rows.get(key)
                if row is None:
                    continue
                yield self.finding(
                    Place.of_cell(spec_table, row, "total"),
                    figures={"raw": entry.raw},
                    variant="unsatisfiable",
                    subject=f"「{spec_table.rows[key].label}」",
                    subject_en=f"group {key}",
                    raw=entry.raw,
                )
