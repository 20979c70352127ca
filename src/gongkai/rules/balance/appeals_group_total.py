from __future__ import annotations

from typing import ClassVar

from gongkai.rules.balance.sums import EquationRule
from gongkai.rules.base import Severity


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

    ## Severity
    Error.
    """

    code: ClassVar[str] = "B004"
    name: ClassVar[str] = "appeals-group-total"
    severity: ClassVar[Severity] = "error"
    title_zh: ClassVar[str] = "表四某组“总计”不等于维持、纠正、其他、尚未审结之和"
    title_en: ClassVar[str] = "A group of table 4 whose total is not upheld + corrected + other + pending"
    template_zh: ClassVar[str] = "表四{subject}：总计 = {lhs}，维持+纠正+其他+尚未审结 = {rhs}。"
    template_en: ClassVar[str] = "Table 4 {subject_en}: total = {lhs}, upheld + corrected + other + pending = {rhs}."
