"""Render a report as the web pages reports are published as.

``style="word"`` writes what Word's "save as web page" produces (``MsoNormal`` paragraphs and
spans, ``<o:p>&nbsp;</o:p>`` in empty cells, conditional comments, source lines wrapped in the
middle of Chinese text); ``style="cms"`` what a site's editor produces (``TRS_Editor`` divs,
``&nbsp;`` cells, ``<br>`` inside head cells). ``page_chrome=True`` wraps the report in a whole
site page: scripts, styles, a menu, a side bar in a layout table around the report, a footer.
``encoding="gbk"`` writes GBK bytes, with or without a ``<meta charset>`` (``meta_charset``);
``traditional=True`` converts the text to traditional characters (OpenCC s2t).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import cache
from typing import Any

from gongkai.model import Report
from gongkai.writers.layout import WReport, WTable, layout_report

__all__ = ["to_html"]

_ASCII_RUN_RE = re.compile(r"[0-9A-Za-z.\-+%/:@]+")


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


@cache
def _s2t() -> Callable[[str], str]:
    import opencc

    converter = opencc.OpenCC("s2t")
    return converter.convert


# ------------------------------------------------------------------------------------------------
# Word's "save as web page"

_WORD_HEAD = """<html xmlns:v="urn:schemas-microsoft-com:vml"
xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word"
xmlns:m="http://schemas.microsoft.com/office/2004/12/omml"
xmlns="http://www.w3.org/TR/REC-html40">

<head>
{meta}<meta name=ProgId content=Word.Document>
<meta name=Generator content="Microsoft Word 15">
<meta name=Originator content="Microsoft Word 15">
<title>{title}</title>
<!--[if gte mso 9]><xml>
 <o:DocumentProperties>
  <o:Author>gongkai</o:Author>
  <o:Pages>1</o:Pages>
 </o:DocumentProperties>
</xml><![endif]--><!--[if gte mso 9]><xml>
 <w:WordDocument>
  <w:View>Print</w:View>
  <w:SpellingState>Clean</w:SpellingState>
  <w:DocumentKind>DocumentNotSpecified</w:DocumentKind>
 </w:WordDocument>
</xml><![endif]-->
<style>
<!--
 /* Font Definitions */
 @font-face
\t{{font-family:宋体;
\tpanose-1:2 1 6 0 3 1 1 1 1 1;}}
 /* Style Definitions */
 p.MsoNormal, li.MsoNormal, div.MsoNormal
\t{{mso-style-unhide:no;
\tmargin:0cm;
\ttext-align:justify;
\ttext-justify:inter-ideograph;
\tfont-size:10.5pt;
\tfont-family:"Calibri",sans-serif;}}
@page WordSection1
\t{{size:595.3pt 841.9pt;
\tmargin:72.0pt 90.0pt 72.0pt 90.0pt;}}
div.WordSection1
\t{{page:WordSection1;}}
-->
</style>
</head>

<body lang=ZH-CN style='tab-interval:21.0pt;text-justify-trim:punctuation'>

<div class=WordSection1 style='layout-grid:15.6pt'>
"""

_WORD_TAIL = """
</div>

</body>

</html>
"""


def _word_runs(text: str, size: str = "16.0pt", font: str = "仿宋_GB2312") -> str:
    """Word's spans: Chinese in one font, digits and Latin in ``lang=EN-US`` spans."""
    out: list[str] = []
    pos = 0
    for m in _ASCII_RUN_RE.finditer(text):
        if m.start() > pos:
            out.append(f"<span style='font-size:{size};font-family:{font}'>{_esc(text[pos : m.start()])}</span>")
        out.append(
            f"<span lang=EN-US style='font-size:{size};font-family:\"Times New Roman\",serif'>{_esc(m.group())}</span>"
        )
        pos = m.end()
    if pos < len(text):
        out.append(f"<span style='font-size:{size};font-family:{font}'>{_esc(text[pos:])}</span>")
    return _wrap_source("".join(out))


def _wrap_source(markup: str, width: int = 76) -> str:
    """Word wraps its HTML source at about 76 columns, also between two Chinese characters."""
    out: list[str] = []
    col = 0
    in_tag = False
    for ch in markup:
        out.append(ch)
        col += 1
        if ch == "<":
            in_tag = True
        elif ch == ">":
            in_tag = False
        if col >= width and not in_tag and "\u4e00" <= ch <= "\u9fff":
            out.append("\n")
            col = 0
    return "".join(out)


def _word_paragraph(text: str, *, center: bool = False, bold: bool = False, size: str = "16.0pt") -> str:
    style = "text-align:center;line-height:28.0pt" if center else "text-indent:32.0pt;line-height:28.0pt"
    align = " align=center" if center else ""
    runs = _word_runs(text, size=size, font="方正小标宋简体" if center else "仿宋_GB2312")
    if bold:
        runs = f"<b>{runs}</b>"
    return f"<p class=MsoNormal{align} style='{style}'>{runs}<span lang=EN-US><o:p></o:p></span></p>\n"


def _word_cell_content(text: str, role: str) -> str:
    if not text:
        return (
            "<p class=MsoNormal align=center style='text-align:center'><span lang=EN-US "
            "style='font-size:10.0pt'><o:p>&nbsp;</o:p></span></p>"
        )
    pieces = [text]
    if role == "head" and len(text) == 4 and all("\u4e00" <= ch <= "\u9fff" for ch in text):
        pieces = [text[:2], text[2:]]  # 商业 / 企业 as two paragraphs, the way narrow heads are typed
    align = "left" if role == "label" else "center"
    return "".join(
        f"<p class=MsoNormal align={align} style='text-align:{align}'>"
        f"{_word_runs(p, size='10.0pt', font='宋体')}<span lang=EN-US><o:p></o:p></span></p>"
        for p in pieces
    )


def _word_table(table: WTable) -> str:
    out = [
        "<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 width=568\n"
        " style='width:426.1pt;border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt;\n"
        " mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt'>\n"
    ]
    for r, row in enumerate(table.rows()):
        flags = ";mso-yfti-firstrow:yes" if r == 0 else ""
        out.append(f" <tr style='mso-yfti-irow:{r}{flags};height:20.0pt'>\n")
        for cell in row:
            spans = ""
            if cell.rowspan > 1:
                spans += f" rowspan={cell.rowspan}"
            if cell.colspan > 1:
                spans += f" colspan={cell.colspan}"
            width = 40 * cell.colspan
            out.append(
                f"  <td width={width}{spans} valign=middle style='width:{width * 0.75:.1f}pt;"
                "border:solid windowtext 1.0pt;mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt'>\n"
                f"  {_word_cell_content(cell.text, cell.role)}\n  </td>\n"
            )
        out.append(" </tr>\n")
    out.append("</table>\n")
    return "".join(out)


def _word_body(report: WReport) -> str:
    out: list[str] = []
    if report.title:
        out.append(_word_paragraph(report.title, center=True, bold=True, size="22.0pt"))
        out.append("<p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p>\n")
    for section in report.sections:
        out.append(_word_paragraph(section.title, bold=True))
        for para in section.paragraphs:
            out.append(_word_paragraph(para))
        if section.table is not None:
            out.append(_word_table(section.table))
            out.append("<p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p>\n")
    for line in report.signature:
        out.append(
            "<p class=MsoNormal align=right style='text-align:right;line-height:28.0pt'>"
            f"{_word_runs(line)}<span lang=EN-US><o:p></o:p></span></p>\n"
        )
    return "".join(out)


# ------------------------------------------------------------------------------------------------
# A CMS editor's HTML


def _cms_cell(text: str, role: str) -> str:
    if not text:
        return "&nbsp;"
    if role == "head" and len(text) == 4 and all("\u4e00" <= ch <= "\u9fff" for ch in text):
        return f"{_esc(text[:2])}<br/>{_esc(text[2:])}"
    return _esc(text)


def _cms_table(table: WTable) -> str:
    out = [
        '<table border="1" cellspacing="0" cellpadding="0" width="100%" style="border-collapse:collapse;">\n<tbody>\n'
    ]
    for row in table.rows():
        out.append("<tr>")
        for cell in row:
            attrs = ""
            if cell.colspan > 1:
                attrs += f' colspan="{cell.colspan}"'
            if cell.rowspan > 1:
                attrs += f' rowspan="{cell.rowspan}"'
            align = "left" if cell.role == "label" else "center"
            content = _cms_cell(cell.text, cell.role)
            out.append(f'<td{attrs} style="text-align:{align};"><span style="font-size:14px;">{content}</span></td>')
        out.append("</tr>\n")
    out.append("</tbody>\n</table>\n")
    return "".join(out)


def _cms_body(report: WReport) -> str:
    out = ['<div class="TRS_Editor"><div class="Custom_UnionStyle">\n']
    if report.title:
        title = _esc(report.title)
        out.append(f'<p style="text-align:center;"><strong><span style="font-size:24px;">{title}</span></strong></p>\n')
    for section in report.sections:
        out.append(f'<p style="text-indent:2em;"><strong>{_esc(section.title)}</strong></p>\n')
        for para in section.paragraphs:
            out.append(f'<p style="text-indent:2em;">{_esc(para)}</p>\n')
        if section.table is not None:
            out.append('<div style="overflow-x:auto;">\n' + _cms_table(section.table) + "</div>\n")
    for line in report.signature:
        out.append(f'<p style="text-align:right;">{_esc(line)}</p>\n')
    out.append("</div></div>\n")
    return "".join(out)


# ------------------------------------------------------------------------------------------------
# The site page around it

_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
{meta}<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{title}</title>
<link rel="stylesheet" href="/css/common.css">
<style>
  .nav a {{ margin: 0 1em; }}
  .footer {{ clear: both; text-align: center; }}
</style>
<script src="/js/jquery.min.js"></script>
<script type="text/javascript">
  var _hmt = _hmt || [];
  document.write("<table><tr><td>统计 1 2 3</td></tr></table>");
</script>
</head>
<body>
<div class="top"><div class="logo">{site}</div>
<div class="search"><form action="/search"><input type="text" name="q" value="请输入关键字">
<button>搜索</button></form></div></div>
<div class="nav"><a href="/">首页</a> <a href="/zwgk/">政务公开</a> <a href="/zwfw/">政务服务</a>
<a href="/hdjl/">互动交流</a></div>
<table width="1000" align="center" cellpadding="0" cellspacing="0" class="layout">
<tr>
<td width="200" valign="top"><div class="side">{side}</div></td>
<td width="800" valign="top">
{breadcrumb}<div class="article">
{info}
{content}
<div class="tools">【打印本页】 【关闭窗口】</div>
</div>
</td>
</tr>
</table>
<div class="footer">
<p>主办单位：{site}办公室 &nbsp;&nbsp; 承办单位：{site}大数据管理中心</p>
<p>网站标识码：3208130001 &nbsp; 苏ICP备05001234号-1 &nbsp; 苏公网安备 32081302000123号</p>
</div>
<script type="text/javascript">
  $(function () {{ $(".nav a").hover(function () {{ $(this).addClass("on"); }}); }});
</script>
</body>
</html>
"""


SIDE_NEUTRAL = '<a href="#">机构概况</a> | <a href="#">政策文件</a> | <a href="#">工作动态</a>'
# What many sites really show beside a report; the meta stage must not take it for the title.
SIDE_DISCLOSURE = (
    '<a href="#">信息公开指南</a> | <a href="#">信息公开制度</a> | <a href="#">法定主动公开内容</a> | '
    '<a href="#">信息公开年报</a>'
)
BREADCRUMB = (
    '<div class="position">当前位置：<a href="/">首页</a> &gt; '
    '<a href="/zwgk/">政务公开</a> &gt; 政府信息公开年度报告</div>\n'
)


def _page(report: WReport, content: str, meta: str, breadcrumb: bool = False) -> str:
    info_parts = []
    if report.published_on is not None:
        info_parts.append(f"发布日期：{report.published_on.isoformat()}")
    info_parts.append('浏览次数：<span id="hits">128</span>')
    info_parts.append("分享到：")
    info = '<div class="info">' + " &nbsp; ".join(info_parts) + "</div>"
    return _PAGE.format(
        meta=meta,
        title=_esc(report.title or "政府信息公开工作年度报告"),
        site="政府门户网站",
        info=info,
        content=content,
        breadcrumb=BREADCRUMB if breadcrumb else "",
        side=SIDE_DISCLOSURE if breadcrumb else SIDE_NEUTRAL,
    )


def _meta_tag(charset: str, style: str) -> str:
    if style == "word":
        return f'<meta http-equiv=Content-Type content="text/html; charset={charset}">\n'
    return f'<meta charset="{charset}">\n'


def to_html(
    report: Report,
    *,
    encoding: str = "utf-8",
    style: str = "word",
    traditional: bool = False,
    page_chrome: bool = False,
    meta_charset: bool = True,
    breadcrumb: bool = False,
) -> bytes:
    """The report as an HTML page in bytes. ``encoding`` is ``utf-8`` or ``gbk`` (also
    ``gb2312``/``gb18030``); ``meta_charset=False`` leaves out the ``<meta>`` that names it; ``breadcrumb=True`` puts a
    当前位置 line and a side bar of disclosure links in the page chrome, above the title."""
    if style not in ("word", "cms"):
        raise ValueError(f"unknown style {style!r}: 'word' or 'cms'")
    laid = layout_report(report)
    if traditional:
        laid = laid.map_text(_s2t())
    charset = {"gbk": "gbk", "gb2312": "gb2312", "gb18030": "gb18030"}.get(encoding.lower(), "utf-8")
    if style == "word" and charset == "gbk":
        charset = "gb2312"  # what Word writes for simplified Chinese pages
    meta = _meta_tag(charset, style) if meta_charset else ""
    if style == "word":
        body = _word_body(laid)
        if page_chrome:
            text = _page(laid, f'<div class="WordSection1">\n{body}</div>', meta, breadcrumb)
        else:
            text = _WORD_HEAD.format(meta=meta, title=_esc(laid.title or "")) + body + _WORD_TAIL
    else:
        body = _cms_body(laid)
        if page_chrome:
            text = _page(laid, body, meta, breadcrumb)
        else:
            head = f"<html>\n<head>\n{meta}<title>{_esc(laid.title or '')}</title>\n</head>\n<body>\n"
            text = head + body + "</body>\n</html>\n"
    codec = "utf-8" if charset == "utf-8" else ("gb18030" if charset == "gb18030" else "gbk")
    return text.encode(codec, errors="xmlcharrefreplace")


def render_variants() -> dict[str, dict[str, Any]]:
    """The HTML variants the tests and the benchmark render: name → ``to_html`` keyword arguments."""
    return {
        "html-word": {"style": "word"},
        "html-cms-page": {"style": "cms", "page_chrome": True},
        "html-gbk-meta": {"style": "word", "encoding": "gbk"},
        "html-gbk-nometa": {"style": "cms", "encoding": "gbk", "meta_charset": False},
        "html-traditional": {"style": "cms", "traditional": True, "page_chrome": True},
    }
