from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from gongkai.formats import TableSpec, table_names
from gongkai.model import Row, Value
from gongkai.rules.base import Context, Finding, Place, Rule, Severity, cell_name

MAX_LISTED = 12  # blank cells named in the message; the figures list them all


class BlankValue(Rule):
    """## What it does
    Reports a cell of a statistics table left without a value: empty, or filled with `——`, `-`,
    `/`, `无`. A table with several such cells gets one finding listing them, not one per cell.

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

    doc_zh: ClassVar[str] = """
    ## 说明
    统计表的单元格没有数值：空着，或者填了 `——`、`-`、`/`、`无`。同一张表有多个这样的单元格时，合为
    一条审核发现，列出各个单元格，而不是每格一条。

    ## 为什么是问题
    空白不等于 0：它可能表示没有发生、不掌握数字或者不适用，读者无从判断。涉及该单元格的勾稽关系也无
    法核对（F015）。审核要求没有可统计事项的填 0。

    ## 示例
    ```
    其他对外管理服务事项 | 0 | —— | ——
    ```

    应改为：`其他对外管理服务事项 | 0 | 0 | 0`。

    ## 级别
    警告。
    """

    code: ClassVar[str] = "F012"
    name: ClassVar[str] = "blank-value"
    severity: ClassVar[Severity] = "warning"
    needs: ClassVar[str | None] = "status:blank"
    title_zh: ClassVar[str] = "统计表单元格为空（应填0）"
    title_en: ClassVar[str] = "A table cell left blank (write 0)"
    template_zh: ClassVar[str] = "{cell}未填数值（“{raw}”），没有数据应填0。"
    template_en: ClassVar[str] = "{cell_en} has no value (“{raw}”); write 0 when there is nothing to count."

    variants: ClassVar[dict[str, tuple[str, str]]] = {
        "table": (
            "{table}有 {count} 个单元格未填数值：{cells}。没有数据应填0。",
            "{table_en}: {count} cells have no value: {cells_en}. Write 0 when there is nothing to count.",
        )
    }

    def check(self, ctx: Context) -> Iterator[Finding]:
        by_table: dict[str, list[tuple[TableSpec, Row, str, Value]]] = {}
        for spec, row, column, value in ctx.cells_with_status("blank"):
            by_table.setdefault(spec.key, []).append((spec, row, column, value))
        for cells in by_table.values():
            if len(cells) == 1:
                spec, row, column, value = cells[0]
                zh, en = cell_name(spec, row, column)
                yield self.finding(
                    Place.of_cell(spec, row, column),
                    figures={"raw": value.raw},
                    cell=zh,
                    cell_en=en,
                    raw=value.raw or "空",
                )
                continue
            # One finding per table, listing its blank cells: a table of blanks is one problem.
            spec, row, column, _ = cells[0]
            table_zh, table_en = table_names().get(spec.key, (spec.key, spec.key))
            names = [cell_name(s, r, c) for s, r, c, _ in cells]
            shown = names[:MAX_LISTED]
            more_zh = f" 等（共 {len(names)} 个）" if len(names) > MAX_LISTED else ""
            more_en = f", … ({len(names)} in all)" if len(names) > MAX_LISTED else ""
            yield self.finding(
                Place.of_cell(spec, row, column),
                figures={"count": len(cells), "cells": " ".join(f"{r.key}.{c}" for _, r, c, _ in cells)},
                variant="table",
                table=table_zh,
                table_en=table_en,
                count=len(cells),
                cells="、".join(zh.removeprefix(table_zh) for zh, _ in shown) + more_zh,
                cells_en="; ".join(en.removeprefix(f"{table_en} ") for _, en in shown) + more_en,
            )
