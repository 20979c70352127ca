from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from gongkai.formats import TableSpec
from gongkai.memo import remember
from gongkai.rules.balance.sums import Equation, unverifiable
from gongkai.rules.base import Context, Finding, Rule, Severity


class UnverifiableSum(Rule):
    """## What it does
    Notes each equation of B001–B004 that cannot be checked because one of its cells has no
    value: a blank cell, `——`, `/`, `无`, a cell missing from a short row (F005), a row missing
    from the table (F003) or text where a number should be (F006).

    ## Why is this bad?
    A blank is not zero. Treating it as zero would report imbalances that are not there, or hide
    real ones; so the sum is left unverified and this note says so, naming the empty cells, for a
    reviewer to decide.

    ## Example
    ```
    5.属于三类内部事务信息 | 0 | 0 | 0 | 0 | 0 | 0 |
    ```
    The 总计 cell of this row is missing: 总计 = 六类申请人之和 cannot be verified for the row,
    nor （七）总计 = 各项之和 for the 总计 column.

    ## Severity
    Info: nothing is known to be wrong, only unchecked.
    """

    doc_zh: ClassVar[str] = """
    ## 说明
    提示 B001–B004 中因某个单元格没有数值而无法核对的勾稽关系。没有数值包括：空白单元格，`——`、`/`、
    `无`，一行少了单元格（F005），表中缺少某一行（F003），该填数字处填了文字（F006）。

    ## 为什么是问题
    空白不等于 0。把空白当作 0，会报告出并不存在的不平衡，或者掩盖真实的不平衡；所以不核对这一关系，
    只作提示并列出空着的单元格，由审核人员判断。

    ## 示例
    ```
    5.属于三类内部事务信息 | 0 | 0 | 0 | 0 | 0 | 0 |
    ```
    这一行缺少“总计”单元格：这一行的“总计 = 六类申请人之和”无法核对，“总计”列的“（七）总计 = 各项之
    和”也无法核对。

    ## 级别
    提示：没有发现错误，只是未能核对。
    """

    code: ClassVar[str] = "F015"
    name: ClassVar[str] = "unverifiable-sum"
    severity: ClassVar[Severity] = "info"
    title_zh: ClassVar[str] = "有空值，无法核对此项勾稽关系"
    title_en: ClassVar[str] = "A sum that cannot be verified because a cell has no value"
    template_zh: ClassVar[str] = "无法核对（{rule}）{table}{subject}：{lhs_name} 与 {rhs_name}，因{cells}没有数值。"
    template_en: ClassVar[str] = (
        "Cannot verify ({rule}) {table_en} {subject_en}: {lhs_en} vs {rhs_en}; no value in {cells_en}."
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        made = self.made
        messages = _MESSAGES
        for rel in unverifiable(ctx):
            spec = rel.spec
            numbers = rel.lhs_numbers + rel.rhs_numbers
            rows = rel.lhs_rows + rel.rhs_rows
            columns = rel.lhs_columns + rel.rhs_columns
            nulls = tuple([(rows[i].label, rows[i].key, columns[i]) for i, v in enumerate(numbers) if v is None])
            key = (id(spec), rel.code, rel.subject_zh, rel.subject_en, rel.lhs_zh, rel.rhs_zh, rel.lhs_en, nulls)
            known = messages.get(key)
            if known is None or known[0] is not spec:
                known = remember(messages, 4096, key, (spec, self._messages(rel, nulls)))
            figures: dict[str, object] = {"rule": rel.code}
            figures.update(zip(rel.lhs_names + rel.rhs_names, numbers, strict=True))
            yield made(rel.place_of(), known[1], figures)

    def _messages(self, rel: Equation, nulls: tuple[tuple[str, str, str], ...]) -> tuple[str, str]:
        spec = rel.spec
        return self.messages(
            rule=rel.code,
            table=spec.short_zh,
            table_en=spec.short_en,
            subject=rel.subject_zh,
            subject_en=rel.subject_en,
            lhs_name=rel.lhs_zh,
            rhs_name=rel.rhs_zh,
            lhs_en=rel.lhs_en,
            rhs_en=rel.rhs_en,
            cells="、".join(
                f"「{label or spec.rows[key].label}」{spec.columns[column].label}" for label, key, column in nulls
            ),
            cells_en=", ".join(f"{key}.{column}" for _, key, column in nulls),
        )


# The messages of an unverifiable sum, by what they say (the sum, its subject and the cells
# without a value, with their labels as written): the same cases recur in report after report.
_MESSAGES: dict[tuple[object, ...], tuple[TableSpec, tuple[str, str]]] = {}
