from __future__ import annotations

from typing import ClassVar

from gongkai.rules.balance.sums import EquationRule
from gongkai.rules.base import Severity


class RequestsOutcomeTotal(EquationRule):
    """## What it does
    Checks, for every column of table 三, that （七）总计 equals the sum of all outcome rows, from
    （一）予以公开 to the last （六）其他处理 row.

    A 2021-format report that keeps the 2019 single （六）其他处理 row sums that row; the three
    2021 sub-rows it replaces are then absent and are not operands.

    ## Why is this bad?
    （七）总计 is the total of the outcomes by definition; a difference means an outcome was left
    out, counted twice, or mistyped.

    ## Example
    ```
    （一）予以公开 | 5 | … | 5
    （二）部分公开… | 1 | … | 1
    1.本机关不掌握相关政府信息 | 2 | … | 2
    （七）总计 | 9 | … | 9
    ```
    All other outcome rows are 0: （一）至（六）各项之和 = 5+1+2 = 8, but （七）总计 = 9.

    ## Severity
    Error.
    """

    doc_zh: ClassVar[str] = """
    ## 说明
    逐列核对表三的“（七）总计”是否等于各项办理结果之和，即从“（一）予以公开”到最后一个“（六）其他处
    理”行。

    2021 年格式的报告如果沿用 2019 年格式的单行“（六）其他处理”，就把这一行计入合计；它所替代的三个
    2021 年子行此时不存在，不参与计算。

    ## 为什么是问题
    “（七）总计”按定义就是各项办理结果的合计；两者不符，说明某项结果漏计、重复计数或者填错。

    ## 示例
    ```
    （一）予以公开 | 5 | … | 5
    （二）部分公开… | 1 | … | 1
    1.本机关不掌握相关政府信息 | 2 | … | 2
    （七）总计 | 9 | … | 9
    ```
    其余办理结果行均为 0：（一）至（六）各项之和 = 5+1+2 = 8，而（七）总计 = 9。

    ## 级别
    错误。
    """

    code: ClassVar[str] = "B003"
    name: ClassVar[str] = "requests-outcome-total"
    severity: ClassVar[Severity] = "error"
    skip_zeros: ClassVar[bool] = True
    title_zh: ClassVar[str] = "{table:requests}某列（七）总计不等于各项办理结果之和"
    title_en: ClassVar[str] = "A column of {table:requests} whose total is not the sum of the outcome rows"
    template_zh: ClassVar[str] = "{table}{subject}：{lhs_name} = {lhs}，{rhs_name} = {rhs}。"
    template_en: ClassVar[str] = "{table_en} {subject_en}: {lhs_en} = {lhs}, {rhs_en} = {rhs}."
