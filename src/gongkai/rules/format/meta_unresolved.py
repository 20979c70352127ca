from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from gongkai.rules.base import META_FIELDS, Context, Finding, Place, Rule, Severity


class MetaUnresolved(Rule):
    """## What it does
    Reports report metadata that could not be established: the reporting agency (from the title,
    the signature or the first sentence), the report year, and the region (province / city /
    county and division code) of the agency.

    ## Why is this bad?
    A report that does not say clearly who reports for which year cannot be filed or compared, and
    the deadline rule (T001) depends on both. A missing region usually means the agency's name
    lacks its place (自治区医疗保障局) and the text does not name it either.

    ## Example
    A page whose title was lost and whose text begins 一年来，我局…, signed only 局办公室.

    ## Severity
    Warning: the report may say it in a way the reader does not understand yet.
    """

    doc_zh: ClassVar[str] = """
    ## 说明
    无法确定报告的基本信息：报告机关（从标题、落款或第一句话中识别）、报告年度，或者机关所在的地区（省、
    市、县及行政区划代码）。

    ## 为什么是问题
    说不清是哪个机关、哪个年度的报告，就无法归档，也无法比较；按期公布的核查（T001）也要依据机关和年
    度。地区无法确定，通常是因为机关名称中没有地名（如“自治区医疗保障局”），正文也没有提到。

    ## 示例
    网页的标题丢失，正文以“一年来，我局……”开头，落款只有“局办公室”。

    ## 级别
    警告：报告也许写明了，只是写法还不能被识别。
    """

    code: ClassVar[str] = "F011"
    name: ClassVar[str] = "meta-unresolved"
    severity: ClassVar[Severity] = "warning"
    title_zh: ClassVar[str] = "无法确定报告机关、年度或地区"
    title_en: ClassVar[str] = "Agency, year or region could not be determined"
    template_zh: ClassVar[str] = "无法确定{field}。"
    template_en: ClassVar[str] = "Could not determine the {field_en}."
    variants: ClassVar[dict[str, tuple[str, str]]] = {
        "region": (
            "无法确定“{agency}”所属地区及行政区划代码。",
            "Could not determine the region and division code of “{agency}”.",
        ),
    }

    def check(self, ctx: Context) -> Iterator[Finding]:
        meta = ctx.report.meta
        for name in ("agency", "year"):
            if getattr(meta, name) is None:
                zh, en = META_FIELDS[name]
                yield self.finding(Place.report(), figures={"field": name}, field=zh, field_en=en)
        if meta.agency is not None and (meta.region is None or meta.region.code is None):
            yield self.finding(
                Place.meta(ctx.report, "agency"), figures={"field": "region"}, variant="region", agency=meta.agency
            )
