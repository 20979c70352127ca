from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import ClassVar

from gongkai.region import is_area_government
from gongkai.rules.base import Context, Finding, Option, Place, Rule, Severity
from gongkai.rules.time.dates import deadline


class LatePublication(Rule):
    """## What it does
    Checks the report was published by the deadline of article 49 of the 条例: by 31 March of the
    following year for a 县级以上地方人民政府 reporting for its whole area (湖北省人民政府,
    淮安市洪泽区人民政府), by 31 January for every other body (departments, offices, townships). The
    publication date (发布日期 on the page) is used when there is one, else the date the report
    was signed (a report cannot be published before it is signed).

    ## Why is this bad?
    The deadline is statutory; a late report is a breach of the 条例 that the 政务公开 office has to
    follow up.

    ## Example
    西藏自治区医疗保障局's report for 2020, 发布日期 2022-01-17: the deadline was 2021-01-31.

    ## Options
    - `grace-days`: days of tolerance after the deadline before a report counts as late
      (default 0).

    ## Severity
    Error. A page date can be that of a later re-publication; the note says which date was used.
    """

    doc_zh: ClassVar[str] = """
    ## 说明
    核查报告是否在条例第四十九条规定的期限内公布：县级以上地方人民政府报告本行政区域的年度报告（如湖
    北省人民政府、淮安市洪泽区人民政府），应于次年 3 月 31 日前公布；其他机关（部门、办公室、乡镇等）
    应于次年 1 月 31 日前公布。有发布日期（网页上的“发布日期”）时按发布日期核查，否则按成文日期核查
    （报告不可能在成文之前公布）。

    ## 为什么是问题
    公布期限是法定的；逾期公布违反条例，政务公开工作主管部门应当督促整改。

    ## 示例
    西藏自治区医疗保障局 2020 年度报告，发布日期为 2022-01-17，而期限是 2021-01-31。

    ## 选项
    - `grace-days`：期限之后容许的天数，超过才算逾期（默认 0）。

    ## 级别
    错误。网页日期可能是后来重新发布的日期；审核发现的附注说明采用了哪个日期。
    """

    code: ClassVar[str] = "T001"
    name: ClassVar[str] = "late-publication"
    severity: ClassVar[Severity] = "error"
    title_zh: ClassVar[str] = "年度报告未按期公布（条例第四十九条）"
    title_en: ClassVar[str] = "Annual report published late (条例 art. 49)"
    template_zh: ClassVar[str] = "{year}年度报告{which}为{date}，晚于法定期限{deadline}（{who}），逾期{days}天。"
    template_en: ClassVar[str] = (
        "The {year} report was {which_en} {date}, after the statutory deadline {deadline} ({who_en}); {days} days late."
    )
    options: ClassVar[tuple[Option, ...]] = (
        Option("grace-days", 0, int, "Days of tolerance after the statutory deadline."),
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        meta = ctx.report.meta
        date, which = (meta.published_on, "published_on") if meta.published_on else (meta.signed_on, "signed_on")
        if meta.year is None or date is None:
            return  # T004
        grace = dt.timedelta(days=int(ctx.option(self, "grace-days")))
        if meta.agency is None:
            area = None
            due = deadline(meta.year, True)  # late whatever the agency is; between the two: T004
        else:
            area = is_area_government(meta.agency)
            due = deadline(meta.year, area)
        if date <= due + grace:
            return
        who = (
            ("县级以上地方人民政府，3月31日前", "county-level or higher government, by 31 March")
            if area
            else (
                ("其他机关，1月31日前", "other bodies, by 31 January")
                if area is False
                else ("机关类型不明，按最晚期限3月31日", "body of unknown kind, latest deadline 31 March")
            )
        )
        figures: dict[str, object] = {which: date, "deadline": due, "days_late": (date - due).days}
        if which == "published_on" and meta.signed_on:
            figures["signed_on"] = meta.signed_on
        yield self.finding(
            Place.meta(ctx.report, which),
            figures=figures,
            note="used the publication date shown on the page"
            if which == "published_on"
            else "no publication date; used the signing date",
            year=meta.year,
            which="发布日期" if which == "published_on" else "成文日期",
            which_en="published" if which == "published_on" else "signed",
            date=date.isoformat(),
            deadline=due.isoformat(),
            who=who[0],
            who_en=who[1],
            days=(date - due).days,
        )
