"""The files ``gongkai ledger`` writes: the result as XLSX (table 三, the applications, the
findings) and the template ledger (XLSX with drop-down lists, or CSV).

Every text cell of a result goes through :mod:`gongkai.store.safe_cells`: a ledger's text (an
application number ``=HYPERLINK(…)``) is written as text, never as a formula.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import IO, Any

from gongkai.formats import FormatSpec, TableSpec
from gongkai.ledger.columns import CHANNELS, EXAMPLE_IDS, FIELDS, applicant_columns, outcome_choice, outcome_rows
from gongkai.model import TableData
from gongkai.rules.base import SEVERITY_NAMES
from gongkai.store.safe_cells import write_csv, xlsx_row

__all__ = [
    "STATUS",
    "display_rows",
    "example_row",
    "result_xlsx",
    "template_csv",
    "template_xlsx",
]

# Timing.status → (zh, en)
STATUS: dict[str, tuple[str, str]] = {
    "on_time": ("按期答复", "on time"),
    "late": ("逾期答复", "late"),
    "pending": ("办理中", "pending"),
    "overdue": ("逾期未答复", "overdue"),
    "awaiting_correction": ("等待补正", "awaiting 补正"),
    "not_checked": ("未核对", "not checked"),
}


EXAMPLE_ID = EXAMPLE_IDS[0]  # the template's example row: not read as an application (columns.read_ledger)


def display_rows(spec: TableSpec, table: TableData, en: bool = False) -> Iterator[tuple[str, str, list[Any]]]:
    """Rows of table 三 to show: (kind, label, values) — kind "group" for a group heading
    (values empty), "row" for a row of the format (an optional variant row not found is left
    out). Labels in Chinese, or the keys with *en*."""
    shown_group: str | None = None
    for key, rspec in spec.rows.items():
        row = table.rows.get(key)
        if row is None or (rspec.optional and not row.found):
            continue
        if rspec.group and rspec.group != shown_group:
            shown_group = rspec.group
            yield "group", rspec.group, []
        elif not rspec.group:
            shown_group = None
        label = key if en else rspec.label
        yield "row", label, [row.get(c) for c in spec.columns]


def _column_heads(spec: TableSpec, en: bool) -> list[str]:
    return [c if en else spec.columns[c].label for c in spec.columns]


def result_xlsx(result: Any, out: IO[bytes], en: bool = False) -> None:
    """The result of :func:`gongkai.ledger.analyse` as a workbook: 表三, 申请, 问题."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    def t(zh: str, en_text: str) -> str:
        return en_text if en else zh

    spec = result.format.tables["requests"]
    wb = Workbook(write_only=True)
    bold = Font(bold=True)

    ws = wb.create_sheet(t("表三", "table 3"))
    ws.freeze_panes = "B2"
    ws.append(xlsx_row(ws, [t("项目", "row"), *_column_heads(spec, en)], font=bold))
    for kind, label, values in display_rows(spec, result.table, en):
        if kind == "group":
            ws.append(xlsx_row(ws, [label], font=bold))
        else:
            ws.append(xlsx_row(ws, [label, *values]))

    ws = wb.create_sheet(t("申请", "applications"))
    ws.freeze_panes = "A2"
    heads = [
        ("文件", "file"),
        ("行", "row"),
        ("编号", "number"),
        ("收到申请日期", "received"),
        ("申请人类型", "applicant"),
        ("起算日", "period start"),
        ("答复期限", "deadline"),
        ("答复日期", "replied"),
        ("已用工作日", "working days used"),
        ("限定工作日", "working days allowed"),
        ("征求意见不计入", "consultation days"),
        ("状态", "status"),
        ("计入表三", "counted in"),
        ("问题", "findings"),
    ]
    ws.append(xlsx_row(ws, [t(zh, e) for zh, e in heads], font=bold))
    for c in result.checked:
        a, timing, p = c.app, c.timing, c.placement
        status = STATUS.get(timing.status, (timing.status, timing.status)) if timing else ("", "")
        counted = t("不计入", "not counted") + f" ({p.skipped})" if p.skipped else ", ".join(p.rows())
        ws.append(
            xlsx_row(
                ws,
                [
                    a.file,
                    a.line,
                    a.id,
                    a.received,
                    (a.applicant if en else spec.columns[a.applicant].label) if a.applicant else None,
                    timing.start if timing else None,
                    timing.deadline if timing else None,
                    a.replied,
                    timing.used if timing else None,
                    timing.allowed if timing else None,
                    timing.paused if timing else None,
                    t(*status),
                    counted,
                    " ".join(f.code for f in c.findings),
                ],
            )
        )

    ws = wb.create_sheet(t("问题", "findings"))
    ws.freeze_panes = "A2"
    ws.append(
        xlsx_row(
            ws,
            [
                t("代码", "code"),
                t("级别", "severity"),
                t("文件", "file"),
                t("行", "row"),
                t("编号", "number"),
                t("列", "column"),
                t("说明", "message"),
            ],
            font=bold,
        )
    )
    for f in result.findings:
        severity = f.severity if en else SEVERITY_NAMES[f.severity][0]
        ws.append(xlsx_row(ws, [f.code, severity, f.file, f.line, f.id, f.field, f.message_en if en else f.message]))
    wb.save(out)


# --- the template ------------------------------------------------------------------------------


def example_row(fmt: FormatSpec, year: int) -> dict[str, Any]:
    """The template's example: an online application granted within the period."""
    spec = fmt.tables["requests"]
    first_outcome = outcome_rows(spec)[0]
    return {
        "id": EXAMPLE_ID,
        "received": dt.date(year, 3, 4),
        "channel": CHANNELS["online"][0],
        "applicant": spec.columns[applicant_columns(spec)[0]].label,
        "replied": dt.date(year, 3, 18),
        "outcome": outcome_choice(spec, first_outcome),
        "fee": 0,
        "note": "示例行：编号为“示例”的行不计入，可删除 / the example row (numbered 示例) is not read",
    }


def template_csv(fmt: FormatSpec, year: int) -> bytes:
    """The template as UTF-8 CSV with a BOM (Excel and WPS open it as UTF-8)."""
    example = example_row(fmt, year)
    text = io.StringIO()
    text.write("\ufeff")
    row = [example.get(f.key) for f in FIELDS]
    write_csv(text, [f.zh for f in FIELDS], [[v.isoformat() if isinstance(v, dt.date) else v for v in row]])
    return text.getvalue().encode("utf-8")


def template_xlsx(fmt: FormatSpec, year: int, rows: int = 1000) -> bytes:
    """The template as XLSX: sheet 台账 (Chinese headers, the example row, drop-down lists for the
    channel, applicant type, extension and outcome, date columns formatted as dates), sheet 说明
    (what each column holds) and sheet 选项 (the outcomes of the format, for the list)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    spec = fmt.tables["requests"]
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "台账"
    head_font = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    for i, f in enumerate(FIELDS, start=1):
        cell = ws.cell(row=1, column=i, value=f.zh)
        cell.font = head_font
        cell.fill = head_fill
        cell.alignment = Alignment(horizontal="center")
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = {"outcome": 44, "note": 30, "fee": 14}.get(f.key, 16)
        if f.kind == "date":
            for r in range(2, rows + 2):
                ws.cell(row=r, column=i).number_format = "yyyy-mm-dd"
    example = example_row(fmt, year)
    for i, f in enumerate(FIELDS, start=1):
        value = example.get(f.key)
        if value is not None:
            cell = ws.cell(row=2, column=i, value=value)
            cell.font = Font(italic=True, color="808080")
            if isinstance(value, str):
                cell.data_type = "s"
    ws.freeze_panes = "A2"

    options = wb.create_sheet("选项")
    options.cell(row=1, column=1, value="办理结果").font = head_font
    options.cell(row=1, column=2, value="键 / key").font = head_font
    outcomes = outcome_rows(spec)
    for r, key in enumerate(outcomes, start=2):
        options.cell(row=r, column=1, value=outcome_choice(spec, key)).data_type = "s"
        options.cell(row=r, column=2, value=key)
    options.column_dimensions["A"].width = 70
    options.column_dimensions["B"].width = 24

    def column_of(key: str) -> str:
        return get_column_letter(next(i for i, f in enumerate(FIELDS, start=1) if f.key == key))

    def listed(key: str, formula: str, title: str) -> None:
        dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True)
        dv.errorTitle = title
        dv.error = "请从下拉列表中选择。Choose from the list."
        ws.add_data_validation(dv)
        dv.add(f"{column_of(key)}2:{column_of(key)}{rows + 1}")

    applicants = ",".join(spec.columns[c].label for c in applicant_columns(spec))
    listed("applicant", f'"{applicants}"', "申请人类型")
    listed("channel", '"' + ",".join(v[0] for v in CHANNELS.values()) + '"', "申请方式")
    listed("extended", '"是,否"', "是否延期")
    listed("outcome", f"'选项'!$A$2:$A${len(outcomes) + 1}", "办理结果")

    notes = wb.create_sheet("说明")
    notes.append(["列名", "列键 / key", "说明", "Description"])
    for cell in notes[1]:
        cell.font = head_font
    for f in FIELDS:
        notes.append([f.zh, f.key, f.hint_zh, f.hint_en])
    notes.append([])
    for line in (
        "每件申请一行；编号为“示例”的行不计入。期限按条例第三十、三十二、三十三条计算，见 docs/ledger.md。",
        f"生成表三：gongkai ledger 本文件.xlsx --year {year}",
    ):
        notes.append([line])
    for letter, width in (("A", 18), ("B", 22), ("C", 70), ("D", 70)):
        notes.column_dimensions[letter].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
