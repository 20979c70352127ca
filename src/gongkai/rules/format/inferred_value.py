from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from gongkai.formats import TableSpec
from gongkai.model import AmbiguousRow, RecoveredRow, Row, Value
from gongkai.rules.base import Context, Finding, Place, Rule, Severity, cell_name, number_text


class InferredValue(Rule):
    """## What it does
    Notes the values of a row that the parser had to recover, for example from digits run
    together when the cells of a row lost their separators (`0000000` → seven zeros). One
    finding per row, listing its recovered cells; a row with one such cell names that cell.

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

    doc_zh: ClassVar[str] = """
    ## 说明
    提示某一行的数值是解析时推断还原的，例如一行的单元格丢了分隔符、数字连写在一起（`0000000` 还原为
    七个 0）。每行一条，列出还原的单元格；只有一个单元格时，指明该单元格。

    ## 为什么是问题
    还原只是一种读法，不是报告逐格写明的内容；审核人员采用之前，应对照原文核实。

    ## 示例
    ```
    行政许可 00
    ```

    ## 级别
    提示。
    """

    code: ClassVar[str] = "F014"
    name: ClassVar[str] = "inferred-value"
    severity: ClassVar[Severity] = "info"
    needs: ClassVar[str | None] = "status:inferred"
    title_zh: ClassVar[str] = "数值由解析推断得出，请核对原文"
    title_en: ClassVar[str] = "A value recovered by inference; confirm it against the original"
    template_zh: ClassVar[str] = "{cell}的数值 {value} 是从“{raw}”推断的，请核对原文。"
    template_en: ClassVar[str] = "{cell_en} = {value} was inferred from “{raw}”; confirm it against the original."
    variants: ClassVar[dict[str, tuple[str, str]]] = {
        "row": (
            "{row}的 {count} 个数值是从“{raw}”推断的（{values}），请核对原文。",
            "{row_en}: {count} values were inferred from “{raw}” ({values_en}); confirm them against the original.",
        )
    }

    def check(self, ctx: Context) -> Iterator[Finding]:
        by_row: dict[tuple[str, str], list[tuple[TableSpec, Row, str, Value]]] = {}
        for spec, row, column, value in ctx.cells_with_status("inferred"):
            by_row.setdefault((spec.key, row.key), []).append((spec, row, column, value))
        for cells in by_row.values():
            spec, row, column, value = cells[0]
            if len(cells) == 1:
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
                continue
            labels = {k: c.label for k, c in spec.columns.items()}
            run = _first_runs(ctx, spec.key).get(row.key)
            raw = run if isinstance(run, str) else " ".join(v.raw for *_, v in cells)
            how = sorted({v.inferred_by for *_, v in cells if v.inferred_by})
            row_zh, row_en = cell_name(spec, row, None)
            shown = [(c, number_text(v.value)) for _, _, c, v in cells]
            yield self.finding(
                Place.of_row(spec, row),
                figures={c: v.value for _, _, c, v in cells},
                note="+".join(how) or None,
                variant="row",
                row=row_zh,
                row_en=row_en,
                count=len(cells),
                raw=raw,
                values="，".join(f"{labels.get(c, c)} {text}" for c, text in shown),
                values_en=", ".join(f"{c} {text}" for c, text in shown),
            )


def _first_runs(ctx: Context, table_key: str) -> dict[str, str | list[str]]:
    """Row → the raw text of its first recovered or ambiguous entry, once per table."""
    key = f"first_runs:{table_key}"
    runs: dict[str, str | list[str]] | None = ctx.cache.get(key)
    if runs is None:
        runs = {}
        table = ctx.report.tables[table_key]
        entries: list[RecoveredRow | AmbiguousRow] = [*table.recovered, *table.ambiguous]
        for e in entries:
            runs.setdefault(e.row, e.raw)
        ctx.cache[key] = runs
    return runs
