from __future__ import annotations

from typing import ClassVar

from gongkai.rules.balance.sums import EquationRule
from gongkai.rules.base import Severity


class RequestsRowTotal(EquationRule):
    """## What it does
    Checks, for every row of table 三, that the 总计 column equals the sum of the six applicant
    columns: 自然人 plus the five kinds of 法人或其他组织 (商业企业, 科研机构, 社会公益组织,
    法律服务机构, 其他).

    ## Why is this bad?
    总计 is the total over applicants by definition. A total that differs from its parts means
    one of the figures was mistyped or a column was shifted.

    ## Example
    ```
    一、本年新收政府信息公开申请数量 | 12 | 3 | 0 | 0 | 0 | 0 | 16
    ```
    总计 = 16, but 12+3+0+0+0+0 = 15.

    Use instead: `… | 12 | 3 | 0 | 0 | 0 | 0 | 15`.

    ## Severity
    Error.
    """

    doc_zh: ClassVar[str] = """
    ## 说明
    逐行核对表三的“总计”列是否等于六类申请人之和：自然人，加上法人或其他组织的五类（商业企业、科研机
    构、社会公益组织、法律服务机构、其他）。

    ## 为什么是问题
    “总计”按定义就是各类申请人的合计。总计与分项之和不符，说明某个数值填错了，或者某一列错了位。

    ## 示例
    ```
    一、本年新收政府信息公开申请数量 | 12 | 3 | 0 | 0 | 0 | 0 | 16
    ```
    总计为 16，但 12+3+0+0+0+0 = 15。

    应改为：`… | 12 | 3 | 0 | 0 | 0 | 0 | 15`。

    ## 级别
    错误。
    """

    code: ClassVar[str] = "B002"
    name: ClassVar[str] = "requests-row-total"
    severity: ClassVar[Severity] = "error"
    title_zh: ClassVar[str] = "{table:requests}某行“总计”不等于六类申请人之和"
    title_en: ClassVar[str] = "A row of {table:requests} whose total is not the sum of the six applicant columns"
    template_zh: ClassVar[str] = "{table}{subject}：{lhs_name} = {lhs}，{rhs_name} = {rhs}。"
    template_en: ClassVar[str] = "{table_en} {subject_en}: {lhs_en} = {lhs}, {rhs_en} = {rhs}."
