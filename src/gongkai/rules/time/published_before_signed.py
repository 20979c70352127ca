from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from gongkai.rules.base import Context, Finding, Place, Rule, Severity


class PublishedBeforeSigned(Rule):
    """## What it does
    Reports a publication date (发布日期 on the page) earlier than the date the report was signed.

    ## Why is this bad?
    A report cannot be published before it is finished. One of the dates is wrong — often the
    signature date was copied from last year's report — and the deadline check (T001) relies on
    them.

    ## Example
    发布日期:2024-01-10 above a report signed 2024年1月19日.

    ## Severity
    Warning: page dates are sometimes set by the web system, not by the agency.
    """

    doc_zh: ClassVar[str] = """
    ## 说明
    网页上的发布日期早于报告的成文日期。

    ## 为什么是问题
    报告不可能在写成之前就发布。两个日期中必有一个是错的——照抄上一年度报告的成文日期很常见——而按期公
    布的核查（T001）正依赖这两个日期。

    ## 示例
    网页显示“发布日期:2024-01-10”，报告落款却是“2024年1月19日”。

    ## 级别
    警告：网页日期有时由网站系统生成，而不是机关填写的。
    """

    code: ClassVar[str] = "T003"
    name: ClassVar[str] = "published-before-signed"
    severity: ClassVar[Severity] = "warning"
    title_zh: ClassVar[str] = "发布日期早于成文日期"
    title_en: ClassVar[str] = "Published before it was signed"
    template_zh: ClassVar[str] = "发布日期{published}早于成文日期{signed}。"
    template_en: ClassVar[str] = "Published {published}, before it was signed {signed}."

    def check(self, ctx: Context) -> Iterator[Finding]:
        meta = ctx.report.meta
        if meta.published_on is None or meta.signed_on is None or meta.published_on >= meta.signed_on:
            return
        yield self.finding(
            Place.meta(ctx.report, "published_on"),
            figures={"published_on": meta.published_on, "signed_on": meta.signed_on},
            published=meta.published_on.isoformat(),
            signed=meta.signed_on.isoformat(),
        )
