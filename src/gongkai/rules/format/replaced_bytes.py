from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from gongkai.document import Location
from gongkai.readers.text import REPLACED_UTF8
from gongkai.rules.base import Context, Finding, Place, Rule, Severity


class ReplacedBytes(Rule):
    """## What it does
    Notes a file that is UTF-8 text except for a few bytes that are not (a character cut in
    half, a byte damaged in transit). The file is read with those bytes replaced by `�`.

    ## Why is this bad?
    A replaced byte may have been a digit of a table or a character of the agency's name: what
    sits next to a `�` should be checked against the original. Refusing the whole report for one
    byte would lose everything else in it.

    ## Example
    A report saved by a tool that cut a multi-byte character at a buffer boundary.

    ## Severity
    Warning.
    """

    doc_zh: ClassVar[str] = """
    ## 说明
    提示文件是 UTF-8 文本，但其中有少数字节无法解码（例如一个汉字被截成两半，或者传输中损坏了一个字
    节）。读取时这些字节被替换为 `�`。

    ## 为什么是问题
    被替换的字节可能是表中的一位数字，也可能是机关名称中的一个字：`�` 附近的内容应对照原文核实。为一
    个字节就拒收整份报告，会丢掉其余的全部内容。

    ## 示例
    用某个工具保存的报告，该工具在缓冲区的边界处把一个多字节字符截成了两半。

    ## 级别
    警告。
    """

    code: ClassVar[str] = "F017"
    name: ClassVar[str] = "replaced-bytes"
    severity: ClassVar[Severity] = "warning"
    title_zh: ClassVar[str] = "文件中有无法解码的字节"
    title_en: ClassVar[str] = "Bytes that could not be decoded"
    template_zh: ClassVar[str] = "文件中有 {count} 处字节不是有效的 UTF-8 文字，已替换为“�”读取；请核对其附近的内容。"
    template_en: ClassVar[str] = (
        "{count} places in the file are not valid UTF-8 and were read as “�”; check the text around them."
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        report = ctx.report
        if report.source.encoding != REPLACED_UTF8:
            return
        count = sum(line.count("\ufffd") for line in report.document.lines)
        first = next((i for i, line in enumerate(report.document.lines, start=1) if "\ufffd" in line), None)
        place = Place.report(Location(line=first) if first is not None else None)
        yield self.finding(place, figures={"count": count}, count=count)
