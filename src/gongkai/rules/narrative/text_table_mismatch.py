from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from gongkai.formats import FormatSpec
from gongkai.model import Number
from gongkai.rules.base import Context, Finding, Place, Rule, Severity
from gongkai.rules.narrative.claims import claims


class TextTableMismatch(Rule):
    """## What it does
    Compares counts stated in the report's text with the tables: new requests (本年度共收到政府信息
    公开申请12件), requests carried over (上年结转2件), requests handled (办结12件), carried forward
    (结转下年度办理1件), and the totals of administrative review (行政复议3件) and litigation
    (行政诉讼2件). Plain denials count as 0: 我局未收到依申请公开事项; 未出现因政府信息公开工作被申请
    行政复议的情况.

    Only clauses that name the quantity unambiguously are read: a sentence about another year, a
    clause with a comparison (同比, 较上年, %), an approximation (余, 约), a subset (其中, 通过…) or
    two quantities at once is skipped.

    ## Why is this bad?
    The text and the tables are one report; readers quote the text. When they disagree one of
    them is wrong, most often the text copied from last year's report.

    ## Example
    ```
    2023年，我局共收到政府信息公开申请12件。
    一、本年新收政府信息公开申请数量 | … | 10
    ```

    ## Severity
    Warning: the text may count differently (e.g. include requests carried over).
    """

    doc_zh: ClassVar[str] = """
    ## 说明
    把正文写明的数量与统计表比较：本年新收申请（“本年度共收到政府信息公开申请12件”）、上年结转（“上
    年结转2件”）、办结（“办结12件”）、结转下年度（“结转下年度办理1件”），以及行政复议（“行政复议3件”）
    和行政诉讼（“行政诉讼2件”）的总数。明确的否定句按 0 计：“我局未收到依申请公开事项”“未出现因政府
    信息公开工作被申请行政复议的情况”。

    只读取明确指向该数量的分句：讲其他年度的句子，含比较（同比、较上年、%）、约数（余、约）、部分（其
    中、通过……）或者同时讲两个数量的分句，都不读取。

    ## 为什么是问题
    正文和统计表是同一份报告，读者引用的往往是正文。两者不一致，必有一处是错的，最常见的是正文照抄了
    上一年度的报告。

    ## 示例
    ```
    2023年，我局共收到政府信息公开申请12件。
    一、本年新收政府信息公开申请数量 | … | 10
    ```

    ## 级别
    警告：正文的计数口径可能不同（例如把上年结转的申请也算在内）。
    """

    code: ClassVar[str] = "N001"
    name: ClassVar[str] = "text-table-mismatch"
    severity: ClassVar[Severity] = "warning"
    title_zh: ClassVar[str] = "正文所述数量与统计表不一致"
    title_en: ClassVar[str] = "A count stated in the text differs from the table"
    template_zh: ClassVar[str] = "正文称{name}{text}件（“{clause}”），{cell}为{table}。"
    template_en: ClassVar[str] = "The text states {quantity} = {text} (“{clause}”); {cell_en} = {table}."

    def check(self, ctx: Context) -> Iterator[Finding]:
        found = claims(ctx)
        if not found:
            return
        quantities = _quantities(ctx.format)
        for claim in found:
            quantity = quantities.get(claim.quantity)
            if quantity is None:
                continue
            table_key, cells, name, cell = quantity
            if not ctx.readable(table_key):
                continue
            table = ctx.report.tables[table_key]
            values: list[Number] = []
            for row, column in cells:
                v = table.value(row, column) if table.rows.get(row) is not None and table.rows[row].found else None
                if v is None:
                    break
                values.append(v)
            else:
                actual = sum(values)
                if actual == claim.value:
                    continue
                yield self.finding(
                    Place.of_section(ctx.report, claim.section, ctx.locate(claim.probe, claim.section)),
                    figures={"quantity": claim.quantity, "text": claim.value, "table": actual},
                    note=claim.clause,
                    name=name,
                    quantity=claim.quantity,
                    text=claim.value,
                    clause=claim.clause,
                    cell=cell,
                    cell_en=f"{table_key} " + " + ".join(f"{r}.{c}" for r, c in cells),
                    table=actual,
                )


# A format's quantities as this rule reads them: key → (table, cells, name, the cell's name); made
# once per format (FormatSpec.quantities and QuantitySpec.cells build theirs at each call).
_QUANTITIES: dict[str, tuple[FormatSpec, dict[str, tuple[str, tuple[tuple[str, str], ...], str, str]]]] = {}


def _quantities(fmt: FormatSpec) -> dict[str, tuple[str, tuple[tuple[str, str], ...], str, str]]:
    known = _QUANTITIES.get(fmt.id)
    if known is None or known[0] is not fmt:
        known = _QUANTITIES[fmt.id] = (
            fmt,
            {k: (q.table, q.cells, q.zh, q.cell_zh or q.zh) for k, q in fmt.quantities.items()},
        )
    return known[1]
