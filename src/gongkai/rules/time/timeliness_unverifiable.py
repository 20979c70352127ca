from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from gongkai.rules.base import Context, Finding, Place, Rule, Severity
from gongkai.rules.time.dates import deadline


class TimelinessUnverifiable(Rule):
    """## What it does
    Notes a report whose timeliness (T001) cannot be checked: it shows neither a publication date
    nor a signing date, or its year is unknown, or its date falls between 31 January and 31 March
    and the agency — hence which deadline applies — is unknown.

    ## Why is this bad?
    Nothing is known to be wrong; but a report should end with the date it was signed (落款日期),
    and a reviewer has to find the publication date elsewhere to check the deadline.

    ## Example
    A report ending in 六、其他需要报告的事项 无。 with no signature or date.

    ## Severity
    Info.
    """

    doc_zh: ClassVar[str] = """
    ## 说明
    提示无法核查报告是否按期公布（T001）：报告既没有发布日期，也没有成文日期；或者报告年度不明；或者
    日期在 1 月 31 日至 3 月 31 日之间，而报告机关不明，不知道适用哪个期限。

    ## 为什么是问题
    并未发现错误；但报告应以成文日期（落款日期）结尾，否则审核人员要另找发布日期才能核查是否按期公布。

    ## 示例
    报告以“六、其他需要报告的事项　无。”结束，没有落款，也没有日期。

    ## 级别
    提示。
    """

    code: ClassVar[str] = "T004"
    name: ClassVar[str] = "timeliness-unverifiable"
    severity: ClassVar[Severity] = "info"
    title_zh: ClassVar[str] = "无法核查是否按期公布"
    title_en: ClassVar[str] = "Timeliness cannot be checked"
    template_zh: ClassVar[str] = "报告没有发布日期和成文日期，无法核查是否按期公布。"
    template_en: ClassVar[str] = "The report shows no publication or signing date; timeliness cannot be checked."
    variants: ClassVar[dict[str, tuple[str, str]]] = {
        "year": ("报告年度不明，无法核查是否按期公布。", "The report year is unknown; timeliness cannot be checked."),
        "agency": (
            "报告机关不明，{which}{date}是否逾期取决于机关类型（1月31日或3月31日），无法核查。",
            "The agency is unknown; whether {date} is late depends on its kind (31 January or 31 March).",
        ),
    }

    def check(self, ctx: Context) -> Iterator[Finding]:
        meta = ctx.report.meta
        date = meta.published_on or meta.signed_on
        if date is None:
            yield self.finding(Place.report(), figures={})
        elif meta.year is None:
            yield self.finding(Place.report(), figures={"date": date}, variant="year")
        elif meta.agency is None and deadline(meta.year, False) < date <= deadline(meta.year, True):
            name = "published_on" if meta.published_on else "signed_on"
            yield self.finding(
                Place.meta(ctx.report, name),
                figures={name: date},
                variant="agency",
                which="发布日期" if meta.published_on else "成文日期",
                date=date.isoformat(),
            )
