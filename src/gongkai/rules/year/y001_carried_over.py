"""Y001: this year's carried-over requests differ from last year's carried-forward."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from gongkai.formats import load_format
from gongkai.rules.base import Severity, number_text
from gongkai.rules.year.base import PAIRS_SQL, YearFinding, YearRule, place

if TYPE_CHECKING:
    from gongkai.store.db import Store

SQL = f"""
WITH pairs AS ({PAIRS_SQL})
SELECT p.cur, p.prev, p.cur_year, p.prev_year, vc.column_key, vc.value, vp.value, vc.line, vc.page
FROM pairs p
JOIN "values" vc ON vc.report = p.cur AND vc.table_key = 'requests' AND vc.row_key = 'carried_over'
JOIN "values" vp ON vp.report = p.prev AND vp.table_key = 'requests' AND vp.row_key = 'carried_forward'
  AND vp.column_key = vc.column_key
WHERE NOT vc.is_null AND NOT vp.is_null AND vc.value <> vp.value
ORDER BY p.cur, p.prev, vc.column_key
"""


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

    code: ClassVar[str] = "Y001"
    name: ClassVar[str] = "carried-over-mismatch"
    severity: ClassVar[Severity] = "error"
    title_zh: ClassVar[str] = "上年结转与上一年度报告的结转下年度不一致"
    title_en: ClassVar[str] = "Carried-over requests differ from last year's carried-forward"
    template_zh: ClassVar[str] = (
        "表三「二、上年结转政府信息公开申请数量」「{column}」为 {this}，"
        "而 {prev_year} 年度报告「四、结转下年度继续办理」为 {prev}。"
    )
    template_en: ClassVar[str] = (
        "Table 3 carried_over, column {column_key}, is {this}, but the {prev_year} report's carried_forward is {prev}."
    )

    def check_store(
        self, store: Store, agency_keys: Sequence[str], options: Mapping[str, Any]
    ) -> Iterator[YearFinding]:
        labels = {k: c.label for k, c in load_format("2021").tables["requests"].columns.items()}
        for cur, prev, _cur_year, prev_year, column, this, before, line, page in store.query(
            SQL.replace("$keys", "?"), [list(agency_keys)]
        ):
            finding = self.finding(
                place("requests", "requests", "carried_over", column, line, page),
                figures={"carried_over": this, "previous_carried_forward": before, "previous_year": prev_year},
                column=labels.get(column, column),
                column_key=column,
                this=number_text(this),
                prev=number_text(before),
                prev_year=prev_year,
            )
            yield YearFinding(cur, prev, finding)
