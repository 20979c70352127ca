"""Y001: this year's carried-over requests differ from last year's carried-forward."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from gongkai.formats import load_format
from gongkai.rules.base import Finding, Severity, number_text
from gongkai.rules.year.base import YearReport, YearRule, place


class CarriedOverMismatch(YearRule):
    """
    ## What it does
    Compares 表三「二、上年结转政府信息公开申请数量」 of a report with 「四、结转下年度继续办理」
    in the same agency's report of the year before, column by column.

    ## Why is this bad?
    Requests carried forward at the end of one year are, by definition, the requests carried
    over into the next. A difference means one of the two reports is wrong, or the agency
    restated its figures without saying so.

    ## Example
    2023 report: 四、结转下年度继续办理, 总计 = 3. 2024 report: 二、上年结转政府信息公开申请数量,
    总计 = 0.

    Use instead: 2024 report: 二、上年结转 = 3 (or explain the restatement in 六、其他需要报告的事项).

    ## References
    - 国办公开办函〔2021〕30号, 表三（本列数据的勾稽关系）
    """

    doc_zh: ClassVar[str] = """
    ## 说明
    逐列比较本年度报告表三的“二、上年结转政府信息公开申请数量”与同一机关上一年度报告的“四、结转下年
    度继续办理”。

    ## 为什么是问题
    上一年末结转下年度的申请，按定义就是下一年度的上年结转申请。两者不同，说明两份报告中有一份是错的，
    或者机关更正了数字却没有说明。

    ## 示例
    2023 年度报告：四、结转下年度继续办理，总计 = 3。2024 年度报告：二、上年结转政府信息公开申请数量，
    总计 = 0。

    应改为：2024 年度报告的“二、上年结转”为 3（或者在“六、其他需要报告的事项”中说明更正的情况）。

    ## 依据
    - 国办公开办函〔2021〕30号，表三（本列数据的勾稽关系）
    """

    code: ClassVar[str] = "Y001"
    name: ClassVar[str] = "carried-over-mismatch"
    severity: ClassVar[Severity] = "error"
    title_zh: ClassVar[str] = "上年结转与上一年度报告的结转下年度不一致"
    title_en: ClassVar[str] = "Carried-over requests differ from last year's carried-forward"
    template_zh: ClassVar[str] = (
        "{table:requests}「二、上年结转政府信息公开申请数量」「{column}」为 {this}，"
        "而 {prev_year} 年度报告「四、结转下年度继续办理」为 {prev}。"
    )
    template_en: ClassVar[str] = (
        "{table:requests} carried_over, column {column_key}, is {this}, "
        "but the {prev_year} report's carried_forward is {prev}."
    )

    cells: ClassVar[tuple[tuple[str, str], ...]] = (("requests", "carried_over"), ("requests", "carried_forward"))

    def check_pair(self, previous: YearReport, current: YearReport, options: Mapping[str, Any]) -> Iterator[Finding]:
        columns = load_format("2021").tables["requests"].columns
        for column in sorted(columns):
            this = current.cell("requests", "carried_over", column)
            before = previous.value("requests", "carried_forward", column)
            if this is None or this.value is None or before is None or this.value == before:
                continue
            yield self.finding(
                place("requests", "requests", "carried_over", column, this.line, this.page),
                figures={
                    "carried_over": this.value,
                    "previous_carried_forward": before,
                    "previous_year": previous.year,
                },
                column=columns[column].label,
                column_key=column,
                this=number_text(this.value),
                prev=number_text(before),
                prev_year=previous.year,
            )
