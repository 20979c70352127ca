from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import ClassVar

from gongkai.rules.base import Context, Finding, Place, Rule, Severity
from gongkai.rules.time.dates import statistics_period, title_year


class DateContradiction(Rule):
    """## What it does
    Reports dates that contradict the report year: a report signed or published before the year
    it reports on has ended; a title whose year differs from the year the data covers (统计期限
    text); a statistics period that does not lie in the report year.

    ## Why is this bad?
    An annual report covers a calendar year and can only be finished after it. A contradiction
    means a wrong year in the title (a copy of last year's report with the figures updated, or
    the other way round), or a wrong date.

    ## Example
    Title 2022年政府信息公开工作年度报告, text 本报告所列数据统计期限自2021年1月1日起至2021年12月31日止.

    ## Severity
    Error.
    """

    doc_zh: ClassVar[str] = """
    ## 说明
    报告中的日期与报告年度相矛盾：报告在所报告的年度结束之前就已成文或发布；标题中的年度与数据所属的
    年度（“统计期限”的文字）不同；统计期限不在报告年度之内。

    ## 为什么是问题
    年度报告反映一个自然年度，只能在该年度结束之后完成。出现矛盾，说明标题的年度写错了（照抄上一年度
    报告只改了数字，或者反过来），或者日期写错了。

    ## 示例
    标题为“2022年政府信息公开工作年度报告”，正文却写“本报告所列数据统计期限自2021年1月1日起至2021年
    12月31日止”。

    ## 级别
    错误。
    """

    code: ClassVar[str] = "T002"
    name: ClassVar[str] = "date-contradiction"
    severity: ClassVar[Severity] = "error"
    title_zh: ClassVar[str] = "日期与报告年度矛盾"
    title_en: ClassVar[str] = "Dates contradict the report year"
    template_zh: ClassVar[str] = "{which}为{date}，早于{year}年度结束。"
    template_en: ClassVar[str] = "The report was {which_en} {date}, before the year {year} ended."
    variants: ClassVar[dict[str, tuple[str, str]]] = {
        "title": (
            "标题年度为{title_year}年，但统计期限为{period}。",
            "The title says {title_year} but the statistics period is {period_en}.",
        ),
        "period": (
            "报告年度为{year}年，但统计期限为{period}。",
            "The report year is {year} but the statistics period is {period_en}.",
        ),
    }

    def check(self, ctx: Context) -> Iterator[Finding]:
        report = ctx.report
        meta = report.meta
        if meta.year is not None:
            year_end = dt.date(meta.year, 12, 31)
            for name, zh, en in (("signed_on", "成文日期", "signed"), ("published_on", "发布日期", "published")):
                date = getattr(meta, name)
                if date is not None and date <= year_end:
                    yield self.finding(
                        Place.meta(report, name),
                        figures={name: date, "year": meta.year},
                        which=zh,
                        which_en=en,
                        date=date.isoformat(),
                        year=meta.year,
                    )
        period = statistics_period(report)
        if period is None:
            return
        place = Place.of_section(report, period.section, period.loc)
        span = f"{period.start.isoformat()}至{period.end.isoformat()}"
        span_en = f"{period.start.isoformat()} to {period.end.isoformat()}"
        figures = {"period_start": period.start, "period_end": period.end}
        ty = title_year(report)
        if ty is not None and (period.start.year != ty or period.end.year != ty):
            yield self.finding(
                place,
                figures={"title_year": ty, **figures},
                note=period.text,
                variant="title",
                title_year=ty,
                period=span,
                period_en=span_en,
            )
        elif meta.year is not None and ty is None and (period.start.year != meta.year or period.end.year != meta.year):
            yield self.finding(
                place,
                figures={"year": meta.year, **figures},
                note=period.text,
                variant="period",
                year=meta.year,
                period=span,
                period_en=span_en,
            )
