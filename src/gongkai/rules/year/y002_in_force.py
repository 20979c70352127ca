"""Y002: documents in force do not follow from last year's count, issued and repealed."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from gongkai.formats import load_format
from gongkai.rules.base import Finding, Severity, number_text
from gongkai.rules.year.base import YearReport, YearRule, place


class InForceMismatch(YearRule):
    """
    ## What it does
    For 规章 and 行政规范性文件 in 表二 (format 2021 in both years), checks that this year's
    现行有效件数 equals last year's 现行有效件数 plus this year's 本年制发件数 minus 本年废止件数.

    ## Why is this bad?
    The count of documents in force only changes by what was issued and what was repealed. A
    difference means a count is wrong, or documents lapsed without being repealed — which the
    report should then say.

    ## Example
    2022: 行政规范性文件 现行有效 12. 2023: 本年制发 3, 本年废止 1, 现行有效 12.

    Use instead: 现行有效 14, or explain the 2 documents that expired.

    ## References
    - 国办公开办函〔2021〕30号, 表二 第二十条第（一）项
    """

    doc_zh: ClassVar[str] = """
    ## 说明
    对表二中的规章和行政规范性文件（两个年度都是 2021 年格式），核对本年度的现行有效件数是否等于上一
    年度的现行有效件数，加上本年制发件数，减去本年废止件数。

    ## 为什么是问题
    现行有效的文件数只会因为制发和废止而变化。不相等，说明某个数字有误，或者有文件未经废止而失效——报
    告应当对此作出说明。

    ## 示例
    2022 年度：行政规范性文件现行有效 12 件。2023 年度：本年制发 3 件，本年废止 1 件，现行有效 12 件。

    应改为：现行有效 14 件，或者说明另外 2 件文件已经失效。

    ## 依据
    - 国办公开办函〔2021〕30号，表二 第二十条第（一）项
    """

    code: ClassVar[str] = "Y002"
    name: ClassVar[str] = "in-force-mismatch"
    severity: ClassVar[Severity] = "warning"
    title_zh: ClassVar[str] = "现行有效件数与上一年度及本年制发、废止件数不符"
    title_en: ClassVar[str] = "Documents in force do not follow from last year's count"
    template_zh: ClassVar[str] = (
        "{table:proactive}「{row}」现行有效件数为 {this}，按 {prev_year} 年度报告的 {prev} 件加本年制发 {issued} 件、"
        "减本年废止 {repealed} 件应为 {expected}。"
    )
    template_en: ClassVar[str] = (
        "{table:proactive} {row_key}: {this} in force, but the {prev_year} report's {prev} plus {issued} issued "
        "minus {repealed} repealed gives {expected}."
    )

    cells: ClassVar[tuple[tuple[str, str], ...]] = (("proactive", "rules"), ("proactive", "normative_documents"))

    def check_pair(self, previous: YearReport, current: YearReport, options: Mapping[str, Any]) -> Iterator[Finding]:
        if current.format != "2021" or previous.format != "2021":
            return
        labels = {k: r.label for k, r in load_format("2021").tables["proactive"].rows.items()}
        for row in sorted(r for _, r in self.cells):
            this = current.cell("proactive", row, "in_force")
            before = previous.value("proactive", row, "in_force")
            issued = current.value("proactive", row, "issued")
            repealed = current.value("proactive", row, "repealed")
            if this is None or this.value is None or before is None or issued is None or repealed is None:
                continue
            expected = before + issued - repealed
            if this.value == expected:
                continue
            yield self.finding(
                place("proactive", "proactive", row, "in_force", this.line, this.page),
                figures={
                    "in_force": this.value,
                    "previous_in_force": before,
                    "issued": issued,
                    "repealed": repealed,
                    "expected": expected,
                    "previous_year": previous.year,
                },
                row=labels.get(row, row),
                row_key=row,
                this=number_text(this.value),
                prev=number_text(before),
                issued=number_text(issued),
                repealed=number_text(repealed),
                expected=number_text(expected),
                prev_year=previous.year,
            )
