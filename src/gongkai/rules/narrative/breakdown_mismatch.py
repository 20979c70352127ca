from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from gongkai.rules.base import Context, Finding, Option, Place, Rule, Severity
from gongkai.rules.narrative.claims import breakdowns


class BreakdownMismatch(Rule):
    """## What it does
    Checks breakdowns stated in the text: a total followed by 其中 and its parts in the same unit,
    e.g. 共公开政府信息29条，其中门户网站发布信息23条，微信公众号发布信息4条，媒体发布信息2条
    (23+4+2 = 29 holds). It reports parts that add up to more than the total, and parts that add
    up to less when the list ends with a catch-all (其他, 其余) and so claims to be complete.

    ## Why is this bad?
    A total that its own parts contradict is a typing error in one of the figures, and readers
    cannot tell which.

    ## Example
    ```
    共公开政府信息25条，其中门户网站发布信息23条，微信公众号发布信息4条，媒体发布信息2条。
    ```
    23+4+2 = 29, not 25.

    ## Options
    - `breakdown-strict`: also report parts that add up to less than the total when the list has
      no catch-all (default false: such a list may name only some of the parts).

    ## Severity
    Warning: parts may overlap (the same item published on two channels).
    """

    doc_zh: ClassVar[str] = """
    ## 说明
    核对正文中写明的分项：一个合计，后接“其中”和同一单位的各个分项，例如“共公开政府信息29条，其中门
    户网站发布信息23条，微信公众号发布信息4条，媒体发布信息2条”（23+4+2 = 29，成立）。分项之和大于合
    计的，予以报告；分项以“其他”“其余”等兜底项结尾、表明已经列全，而分项之和小于合计的，也予以报告。

    ## 为什么是问题
    合计与它自己的分项相矛盾，说明某个数字写错了，而读者无法判断是哪一个。

    ## 示例
    ```
    共公开政府信息25条，其中门户网站发布信息23条，微信公众号发布信息4条，媒体发布信息2条。
    ```
    23+4+2 = 29，不是 25。

    ## 选项
    - `breakdown-strict`：分项没有“其他”类兜底项时，分项之和小于合计也报告（默认 false：这样的列举可
      能只列出了部分分项）。

    ## 级别
    警告：分项之间可能有重叠（同一条信息在两个渠道发布）。
    """

    code: ClassVar[str] = "N002"
    name: ClassVar[str] = "breakdown-mismatch"
    severity: ClassVar[Severity] = "warning"
    title_zh: ClassVar[str] = "正文中的分项之和与合计不符"
    title_en: ClassVar[str] = "A breakdown in the text does not add up"
    template_zh: ClassVar[str] = "正文称共{total}{unit}，其中各项之和为{expr}（“{sentence}”）。"
    template_en: ClassVar[str] = "The text states a total of {total} but its parts add up to {expr} (“{sentence}”)."
    options: ClassVar[tuple[Option, ...]] = (
        Option(
            "breakdown-strict",
            False,
            bool,
            "Also report parts that add up to less than the total when the list has no catch-all item.",
        ),
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        strict = bool(ctx.option(self, "breakdown-strict"))
        for b in breakdowns(ctx):
            s = b.parts_sum
            if s == b.total or (s < b.total and not (b.exhaustive or strict)):
                continue
            expr = "+".join(str(p.value) for p in b.parts) + f" = {s}"
            figures: dict[str, object] = {"total": b.total, "parts": expr}
            for p in b.parts:
                figures.setdefault(p.label, p.value)
            yield self.finding(
                Place.of_section(ctx.report, b.section, ctx.locate(b.probe, b.section)),
                figures=figures,
                note=b.sentence,
                total=b.total,
                unit=b.unit,
                expr=expr,
                sentence=b.sentence if len(b.sentence) <= 80 else b.sentence[:78] + "…",
            )
