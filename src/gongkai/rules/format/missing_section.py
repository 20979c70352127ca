from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from gongkai.formats import SECTION_KEYS
from gongkai.rules.base import Context, Finding, Option, Place, Rule, Severity, section_title


class MissingSection(Rule):
    """## What it does
    Reports a required section of the report that was not found. The format has six sections, in
    this order: 一、总体情况; 二、主动公开政府信息情况; 三、收到和处理政府信息公开申请情况; 四、政府信息公开
    行政复议、行政诉讼情况; 五、存在的主要问题及改进情况; 六、其他需要报告的事项. Headings are matched
    by meaning, so 四、因政府信息公开工作被申请行政复议、提起行政诉讼情况 counts as section 四.

    ## Why is this bad?
    Article 50 of the 条例 lists what an annual report must contain, and the national format
    gives it these six sections. A missing section is missing content (or a heading so unusual
    that a reader cannot find the part).

    ## Example
    A report that goes straight from 四、政府信息公开行政复议、行政诉讼情况 to 六、其他需要报告的事项
    lacks 五、存在的主要问题及改进情况.

    ## Options
    - `required-sections`: the section keys that must be present (default: all six).

    ## Severity
    Error.
    """

    doc_zh: ClassVar[str] = """
    ## 说明
    报告缺少格式规定的必备章节。年度报告格式共六个章节，依次为：一、总体情况；二、主动公开政府信息情
    况；三、收到和处理政府信息公开申请情况；四、政府信息公开行政复议、行政诉讼情况；五、存在的主要问
    题及改进情况；六、其他需要报告的事项。章节标题按含义识别，例如“四、因政府信息公开工作被申请行政
    复议、提起行政诉讼情况”也算作第四章节。

    ## 为什么是问题
    条例第五十条规定了年度报告应当包括的内容，全国统一格式据此分为这六个章节。缺少章节就是缺少应当报
    告的内容，或者标题写得过于特别，读者找不到相应的部分。

    ## 示例
    报告从“四、政府信息公开行政复议、行政诉讼情况”直接跳到“六、其他需要报告的事项”，缺少“五、存在的
    主要问题及改进情况”。

    ## 选项
    - `required-sections`：必须具备的章节键（默认六个章节都要有）。

    ## 级别
    错误。
    """

    code: ClassVar[str] = "F001"
    name: ClassVar[str] = "missing-section"
    severity: ClassVar[Severity] = "error"
    title_zh: ClassVar[str] = "缺少必备章节"
    title_en: ClassVar[str] = "A required section is missing"
    template_zh: ClassVar[str] = "缺少章节“{title}”。"
    template_en: ClassVar[str] = "Section {key} ({title}) is missing."
    options: ClassVar[tuple[Option, ...]] = (
        Option(
            "required-sections",
            list(SECTION_KEYS),
            list,
            "Section keys that must be present: overview, proactive, requests, appeals, problems, other.",
        ),
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        for key in ctx.option(self, "required-sections"):
            if key not in ctx.report.sections:
                yield self.finding(
                    Place.of_section(ctx.report, key), figures={"section": key}, key=key, title=section_title(key)
                )
