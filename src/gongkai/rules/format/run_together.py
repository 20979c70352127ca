from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from gongkai.formats import table_names
from gongkai.model import RecoveredRow
from gongkai.rules.base import Context, Finding, Place, Rule, Severity

# The constraints that fixed recovered cells (``inferred_by`` parts), for people.
_CONSTRAINTS: dict[str, tuple[str, str]] = {
    "row_sum": ("行合计", "row totals"),
    "group_sum": ("分组合计", "group totals"),
    "column_balance": ("列勾稽关系", "column balances"),
    "unique_split": ("唯一拆分", "the only possible cut"),
    "text": ("正文所述数字", "counts stated in the text"),
}


class RunTogetherTable(Rule):
    """## What it does
    Notes a statistics table whose cell separators were lost, so that rows arrived as runs of
    digits (``一、本年新收政府信息公开申请数量12034132176 1272``), and says how many rows were
    recovered and how many could not be read. One finding per table.

    ## Why is this bad?
    The figures of such a table are a reading of the digits, not what the report shows cell by
    cell: a row is cut into cells where the format's own sums (行合计, 分组合计, 列勾稽关系) or a
    count stated in the text leave a single reading. Where several readings fit everything, the
    cells are left empty rather than guessed, and the report must be read by a person; the
    readings are listed under ``ambiguous`` in the JSON output. F014 notes each recovered value.

    ## Example
    ```
    行政规范性文件124388
    ```
    Three cells, ten possible readings (12 | 43 | 88, 1 | 24 | 388, …): left empty unless the text
    names the figures.

    ## Severity
    Info: the recovered figures satisfy the format's sums; the empty cells are reported by the
    rules that need them.
    """

    doc_zh: ClassVar[str] = """
    ## 说明
    提示某张统计表的单元格分隔符丢失，各行成了一串连写的数字（``一、本年新收政府信息公开申请数量
    12034132176 1272``），并说明还原了几行、有几行无法读取。每张表一条。

    ## 为什么是问题
    这样一张表的数值是对数字串的一种读法，不是报告逐格写明的内容：只有格式本身的勾稽关系（行合计、分
    组合计、列勾稽关系）或正文中写明的数量只留下唯一一种读法时，才把一行切分为单元格。几种读法都说得
    通时，单元格留空而不猜测，报告须由人工阅读；各种读法列在 JSON 输出的 ``ambiguous`` 中。每个还原
    的数值另由 F014 提示。

    ## 示例
    ```
    行政规范性文件124388
    ```
    三个单元格，有十种可能的读法（12 | 43 | 88、1 | 24 | 388……）：除非正文写明了这些数字，否则留空。

    ## 级别
    提示：还原的数值满足格式的勾稽关系；留空的单元格由需要它们的规则报告。
    """

    code: ClassVar[str] = "F101"
    name: ClassVar[str] = "run-together-table"
    severity: ClassVar[Severity] = "info"
    needs: ClassVar[str | None] = "run_together"
    title_zh: ClassVar[str] = "统计表单元格分隔符丢失，数字连写，已按勾稽关系拆分"
    title_en: ClassVar[str] = "A table whose cells ran together, cut into cells by the format's sums"
    template_zh: ClassVar[str] = "{table}的单元格分隔符丢失、数字连写，{recovered}行已按{how}拆分恢复，请核对原文。"
    template_en: ClassVar[str] = (
        "{table_en}: cell separators were lost and digits ran together; {recovered} rows were cut into "
        "cells by {how_en}. Confirm against the original."
    )
    variants: ClassVar[dict[str, tuple[str, str]]] = {
        "ambiguous": (
            "{table}的单元格分隔符丢失、数字连写：{recovered}行已恢复；{ambiguous}行有多种拆分方式"
            "都符合勾稽关系，无法确定，以下单元格留空：{cells}。",
            "{table_en}: cell separators were lost and digits ran together; {recovered} rows were "
            "recovered, {ambiguous} rows have several readings that fit the format's sums and were "
            "left empty: {cells}.",
        ),
    }

    def check(self, ctx: Context) -> Iterator[Finding]:
        for key, spec in ctx.format.tables.items():
            table = ctx.report.tables.get(key)
            if table is None or not table.found:
                continue
            # Short rows with their separators (F005 says so) are not run together, and a group of
            # table 四 that no cut makes add up is the report's own inconsistency (B004 says so).
            run_together = [
                e
                for e in table.ambiguous
                if e.reason != "fewer_cells_than_columns"
                and not (e.reason or "").startswith("group_sum_unsatisfiable:")
            ]
            if not (table.recovered or run_together):
                continue
            zh, en = table_names()[key]
            first = (table.recovered or run_together)[0]
            row = table.rows.get(first.row)
            place = Place.of_row(spec, row) if row is not None else Place.of_table(spec, table)
            how = _constraints(table.recovered)
            cells = [c for e in run_together for c in e.cells]
            figures: dict[str, Any] = {
                "recovered": len(table.recovered),
                "ambiguous": len(run_together),
                "rows": " ".join(e.row for e in table.recovered),
                "cells": " ".join(cells),
            }
            yield self.finding(
                place,
                figures=figures,
                note="; ".join(f"{e.row}: {e.raw}" for e in run_together) or None,
                variant="ambiguous" if run_together else None,
                table=zh,
                table_en=en,
                recovered=len(table.recovered),
                ambiguous=len(run_together),
                how="、".join(z for z, _ in how) or _CONSTRAINTS["row_sum"][0],
                how_en=", ".join(e for _, e in how) or _CONSTRAINTS["row_sum"][1],
                cells="、".join(cells[:12]) + ("…" if len(cells) > 12 else ""),
            )


def _constraints(entries: list[RecoveredRow]) -> list[tuple[str, str]]:
    """The constraints named by the recovered rows, in a fixed order."""
    used: set[str] = set()
    for e in entries:
        for part in e.constraint.split("+"):
            used.add("text" if part.startswith("text:") else part)
    return [names for k, names in _CONSTRAINTS.items() if k in used]
