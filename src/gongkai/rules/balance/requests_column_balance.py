from __future__ import annotations

from typing import ClassVar

from gongkai.rules.balance.sums import EquationRule
from gongkai.rules.base import Severity


class RequestsColumnBalance(EquationRule):
    """## What it does
    Checks, for every column of table 三 (requests received and handled), the balance rule the
    format prints over the table: 本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和 —
    `new + carried_over = total + carried_forward`.

    ## Why is this bad?
    Every request received this year or carried over from last year is either handled this year
    (三、本年度办理结果 （七）总计) or carried forward (四、结转下年度继续办理). A column that does not
    balance means a request was counted twice or lost, and the table cannot be trusted.

    ## Example
    ```
    一、本年新收政府信息公开申请数量 | 10 | … | 10
    二、上年结转政府信息公开申请数量 | 2 | … | 2
    （七）总计 | 9 | … | 9
    四、结转下年度继续办理 | 2 | … | 2
    ```
    In the 总计 column 一+二 = 10+2 = 12 but 三(七)+四 = 9+2 = 11.

    Use instead: figures that balance, e.g. （七）总计 10 with 2 carried forward.

    ## Severity
    Error: the format states this equation on the table itself.
    """

    doc_zh: ClassVar[str] = """
    ## 说明
    逐列核对表三（收到和处理政府信息公开申请情况）的勾稽关系，即格式在表上注明的“本列数据的勾稽关系
    为：第一项加第二项之和，等于第三项加第四项之和”：一+二 = 三(七)+四。

    ## 为什么是问题
    本年新收的申请和上年结转的申请，要么在本年办结（三、本年度办理结果 （七）总计），要么结转下年度
    （四、结转下年度继续办理）。某一列不平衡，说明有申请被重复计数或者漏计，这张表就不可信。

    ## 示例
    ```
    一、本年新收政府信息公开申请数量 | 10 | … | 10
    二、上年结转政府信息公开申请数量 | 2 | … | 2
    （七）总计 | 9 | … | 9
    四、结转下年度继续办理 | 2 | … | 2
    ```
    “总计”列：一+二 = 10+2 = 12，而三(七)+四 = 9+2 = 11。

    应改为：能够平衡的数值，例如（七）总计 10、结转下年度 2。

    ## 级别
    错误：这一等式是格式印在表上的。
    """

    code: ClassVar[str] = "B001"
    name: ClassVar[str] = "requests-column-balance"
    severity: ClassVar[Severity] = "error"
    title_zh: ClassVar[str] = "{table:requests}某列不满足“第一项加第二项之和，等于第三项加第四项之和”"
    title_en: ClassVar[str] = "A column of {table:requests} breaks new + carried_over = total + carried_forward"
    template_zh: ClassVar[str] = "{table}{subject}不平衡：{lhs_name} = {lhs}，{rhs_name} = {rhs}。"
    template_en: ClassVar[str] = "{table_en} {subject_en} does not balance: {lhs_en} = {lhs}, {rhs_en} = {rhs}."
