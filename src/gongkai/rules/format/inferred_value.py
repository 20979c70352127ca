from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from gongkai.rules.base import Context, Finding, Place, Rule, Severity, cell_name, number_text


class InferredValue(Rule):
    """## What it does
    Notes a value the parser had to recover, for example from digits run together when the cells
    of a row lost their separators (`0000000` → seven zeros).

    ## Why is this bad?
    The recovery is a reading, not what the report shows cell by cell; a reviewer should confirm
    it against the original before relying on it.

    ## Example
    ```
    行政许可 00
    ```

    ## Severity
    Info.
    """

    code: ClassVar[str] = "F014"
    name: ClassVar[str] = "inferred-value"
    severity: ClassVar[Severity] = "info"
    title_zh: ClassVar[str] = "数值由解析推断得出，请核对原文"
    title_en: ClassVar[str] = "A value recovered by inference; confirm it against the original"
    template_zh: ClassVar[str] = "{cell}的数值 {value} 是从“{raw}”推断的，请核对原文。"
    template_en: ClassVar[str] = "{cell_en} = {value} was inferred from “{raw}”; confirm it against the original."

    def check(self, ctx: Context) -> Iterator[Finding]:
        for spec, row, column, value in ctx.cells_with_status("inferred"):
            zh, en = cell_name(spec, row, column)
            yield self.finding(
                Place.of_cell(spec, row, column),
                figures={column: value.value, "raw": value.raw},
                note=value.inferred_by,
                cell=zh,
                cell_en=en,
                value=number_text(value.value),
                raw=value.raw,
            )
