"""Y002: documents in force do not follow from last year's count, issued and repealed."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from gongkai.formats import load_format
from gongkai.rules.base import Severity, number_text
from gongkai.rules.year.base import PAIRS_SQL, YearFinding, YearRule, place

if TYPE_CHECKING:
    from gongkai.store.db import Store

SQL = f"""
WITH pairs AS ({PAIRS_SQL}),
w AS (
  SELECT report, row_key,
    max(value) FILTER (WHERE column_key = 'issued') AS issued,
    max(value) FILTER (WHERE column_key = 'repealed') AS repealed,
    max(value) FILTER (WHERE column_key = 'in_force') AS in_force,
    max(line) FILTER (WHERE column_key = 'in_force') AS line,
    max(page) FILTER (WHERE column_key = 'in_force') AS page
  FROM "values"
  WHERE table_key = 'proactive' AND row_key IN ('rules', 'normative_documents')
    AND report IN (SELECT cur FROM pairs UNION SELECT prev FROM pairs)
  GROUP BY report, row_key
)
SELECT p.cur, p.prev, p.prev_year, c.row_key, c.in_force, pv.in_force, c.issued, c.repealed, c.line, c.page
FROM pairs p
JOIN w c ON c.report = p.cur
JOIN w pv ON pv.report = p.prev AND pv.row_key = c.row_key
WHERE p.cur_format = '2021' AND p.prev_format = '2021'
  AND c.in_force IS NOT NULL AND pv.in_force IS NOT NULL AND c.issued IS NOT NULL AND c.repealed IS NOT NULL
  AND c.in_force <> pv.in_force + c.issued - c.repealed
ORDER BY p.cur, p.prev, c.row_key
"""


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

    code: ClassVar[str] = "Y002"
    name: ClassVar[str] = "in-force-mismatch"
    severity: ClassVar[Severity] = "warning"
    title_zh: ClassVar[str] = "现行有效件数与上一年度及本年制发、废止件数不符"
    title_en: ClassVar[str] = "Documents in force do not follow from last year's count"
    template_zh: ClassVar[str] = (
        "表二「{row}」现行有效件数为 {this}，按 {prev_year} 年度报告的 {prev} 件加本年制发 {issued} 件、"
        "减本年废止 {repealed} 件应为 {expected}。"
    )
    template_en: ClassVar[str] = (
        "Table 2 {row_key}: {this} in force, but the {prev_year} report's {prev} plus {issued} issued "
        "minus {repealed} repealed gives {expected}."
    )

    def check_store(
        self, store: Store, agency_keys: Sequence[str], options: Mapping[str, Any]
    ) -> Iterator[YearFinding]:
        labels = {k: r.label for k, r in load_format("2021").tables["proactive"].rows.items()}
        rows = store.query(SQL.replace("$keys", "?"), [list(agency_keys)])
        for cur, prev, prev_year, row, this, before, issued, repealed, line, page in rows:
            expected = before + issued - repealed
            finding = self.finding(
                place("proactive", "proactive", row, "in_force", line, page),
                figures={
                    "in_force": this,
                    "previous_in_force": before,
                    "issued": issued,
                    "repealed": repealed,
                    "expected": expected,
                    "previous_year": prev_year,
                },
                row=labels.get(row, row),
                row_key=row,
                this=number_text(this),
                prev=number_text(before),
                issued=number_text(issued),
                repealed=number_text(repealed),
                expected=number_text(expected),
                prev_year=prev_year,
            )
            yield YearFinding(cur, prev, finding)
