from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from gongkai.rules.base import Context, Finding, Place, Rule, Severity, cell_name


class BlankValue(Rule):
    """## What it does
    Reports a cell of a statistics table left without a value: empty, or filled with `——`, `-`,
    `/`, `无`.

    ## Why is this bad?
    A blank is not zero: it may mean nothing happened, the figure is not known, or the question
    does not apply, and a reader cannot tell which. Sums over it cannot be verified (F015). Review
    guidance asks for 0 where there is nothing to count.

    ## Example
    ```
    其他对外管理服务事项 | 0 | —— | ——
    ```

    Use instead: `其他对外管理服务事项 | 0 | 0 | 0`.

    ## Severity
    Warning.
    """

    code: ClassVar[str] = "F012"
    name: ClassVar[str] = "blank-value"
    severity: ClassVar[Severity] = "warning"
    title_zh: ClassVar[str] = "统计表单元格为空（应填0）"
    title_en: ClassVar[str] = "A table cell left blank (write 0)"
    template_zh: ClassVar[str] = "{cell}未填数值（“{raw}”），没有数据应填0。"
    template_en: ClassVar[str] = "{cell_en} has no value (“{raw}”); write 0 when there is nothing to count."

    def check(self, ctx: Context) -> Iterator[Finding]:
        for spec, row, column, value in ctx.cells_with_status("blank"):
            zh, en = cell_name(spec, row, column)
            yield self.finding(
                Place.of_cell(spec, row, column),
                figures={"raw": value.raw},
                cell=zh,
                cell_en=en,
                raw=value.raw or "空",
            )
