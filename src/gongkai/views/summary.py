"""A readable summary of a parsed report, for a person at a terminal."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from gongkai.formats import SECTION_KEYS, format_for_year, section_specs
from gongkai.model import Report
from gongkai.views.i18n import t

# How the format was decided (Meta.format_evidence), for people.
FORMAT_EVIDENCE = {
    "table_headers": ("统计表表头", "table heads"),
    "report_year": ("报告年度", "report year"),
    "table_rows": ("统计表行", "table rows"),
    "ledger": ("申请台账", "request ledger"),
    "default": ("默认（无其他依据）", "default: nothing else to go by"),
}


def render_summary(report: Report) -> Group:
    m = report.meta
    region = m.region
    region_text = " ".join(x for x in (region.province, region.city, region.county) if x) if region else ""
    if region and region.code:
        region_text += f" ({region.code})"
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    head.add_row(t("机关", "Agency"), m.agency or t("（未识别）", "(not found)"))
    head.add_row(t("年度", "Year"), str(m.year) if m.year else "—")
    evidence = FORMAT_EVIDENCE.get(m.format_evidence or "", (m.format_evidence, m.format_evidence))
    head.add_row(
        t("格式", "Format"),
        t(f"{m.format} 年格式（依据：{evidence[0]}）", f"{m.format} ({evidence[1]})") if m.format else "—",
    )
    head.add_row(t("地区", "Region"), region_text or "—")
    head.add_row(t("成文日期", "Signed"), m.signed_on.isoformat() if m.signed_on else "—")
    head.add_row(t("发布日期", "Published"), m.published_on.isoformat() if m.published_on else "—")
    found = [s.key for s in section_specs() if s.key in report.sections]
    missing = [k for k in SECTION_KEYS if k not in report.sections]
    head.add_row(
        t("章节", "Sections"),
        f"{len(found)}/6" + (t(f"，缺少 {', '.join(missing)}", f", missing {', '.join(missing)}") if missing else ""),
    )

    tables = Table(show_header=True, header_style="bold", box=None, padding=(0, 2))
    tables.add_column(t("统计表", "Table"))
    tables.add_column(t("行", "Rows"), justify="right")
    tables.add_column(t("有值单元格", "Cells with a value"), justify="right")
    tables.add_column(t("行列数不符", "Irregular rows"), justify="right")
    tables.add_column(t("自增行", "Extra rows"), justify="right")
    for key, data in report.tables.items():
        zh, en = format_for_year(m.year).tables[key].display_name
        if not data.found:
            tables.add_row(t(zh, en), Text(t("未找到", "not found"), style="red"), "", "", "")
            continue
        required = [r for r in data.rows.values() if r.found or not r.optional]
        rows_found = sum(1 for r in required if r.found)
        cells = sum(len(r.values) for r in data.rows.values() if r.found)
        numbers = sum(1 for r in data.rows.values() if r.found for v in r.values.values() if v.value is not None)
        irregular = sum(1 for r in data.rows.values() if r.irregular)
        tables.add_row(
            t(zh, en),
            f"{rows_found}/{len(required)}",
            f"{numbers}/{cells}",
            Text(str(irregular), style="yellow" if irregular else ""),
            str(len(data.extra_rows)),
        )
    title = Text(report.source.path, style="bold cyan")
    return Group(title, head, tables, Text(""))
