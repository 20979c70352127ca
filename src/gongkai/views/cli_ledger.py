"""``gongkai ledger``: table 三 counted from a register of applications (申请台账), with the
deadline checks of each application; ``gongkai ledger --template`` writes an empty register.

Registered on the main app by importing this module (see the bottom of views/cli.py).
Exit status as for ``check``: 0 no error finding, 1 at least one, 2 usage error or a file that
cannot be read or written.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Group
from rich.table import Table
from rich.text import Text

from gongkai import jsonout
from gongkai.formats import format_for_year
from gongkai.ledger import FIRST_YEAR, LedgerFile, LedgerReadError, LedgerResult, analyse, read_ledger_file
from gongkai.ledger.carry import parse_carried_over
from gongkai.ledger.columns import parse_date
from gongkai.ledger.findings import SEVERITIES
from gongkai.ledger.sheets import display_rows, result_xlsx, template_csv, template_xlsx
from gongkai.limits import DEFAULT_LIMITS
from gongkai.rules.base import SEVERITY_NAMES
from gongkai.views.cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE_OR_IO, app, err, out, report_file_error
from gongkai.views.i18n import lang, t

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
TEMPLATE_NAME = "申请台账模板.xlsx"


class LedgerFormat(StrEnum):
    text = "text"
    json = "json"
    xlsx = "xlsx"


def _usage(zh: str, en: str) -> typer.Exit:
    err.print(Text(t(zh, en), style="bold red"))
    return typer.Exit(EXIT_USAGE_OR_IO)


@app.command("ledger")
def ledger_command(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="申请台账（CSV 或 XLSX）；与 --template 一起时为要写入的模板文件 / the ledger, or the template "
            "to write"
        ),
    ] = None,
    year: Annotated[int | None, typer.Option("--year", "-y", help="报告年度 / report year")] = None,
    previous: Annotated[
        Path | None, typer.Option("--previous", help="上一年度的台账，用于上年结转 / last year's ledger (carried over)")
    ] = None,
    carried_over: Annotated[
        str | None,
        typer.Option(
            "--carried-over",
            help="上年报告的结转下年度数：N，或 自然人=2,商业企业=1 / last year's carried-forward figure",
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="核对未答复申请的日期，默认 12 月 31 日 / date pending ones are judged on"),
    ] = None,
    output_format: Annotated[
        LedgerFormat, typer.Option("--format", "-f", help="text | json | xlsx（xlsx 需 --output）")
    ] = LedgerFormat.text,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="另写入文件：.xlsx 或 .json / also write this file")
    ] = None,
    template: Annotated[
        bool, typer.Option("--template", help="写一个空台账模板（.xlsx 或 .csv）/ write an empty template")
    ] = False,
) -> None:
    """申请台账：逐件核对答复期限，计算表三。Count table 3 from a register of applications and check each deadline.

    Examples: gongkai ledger --template 台账.xlsx;  gongkai ledger 台账.xlsx --year 2024 --previous 2023.xlsx
    """
    if template:
        _write_template(path or Path(TEMPLATE_NAME), year)
        return
    if path is None or year is None:
        raise _usage(
            "需要台账文件和 --year，例如：gongkai ledger 台账.xlsx --year 2024（空模板：gongkai ledger --template）",
            "Give the ledger and --year, e.g. gongkai ledger ledger.xlsx --year 2024 (a template: --template)",
        )
    if year < FIRST_YEAR:
        raise _usage(
            f"--year 不能早于 {FIRST_YEAR} 年：期限按 2019 年修订的条例核对。",
            f"--year cannot be before {FIRST_YEAR}: deadlines follow the 条例 as revised in 2019.",
        )
    if previous is not None and carried_over is not None:
        raise _usage("--previous 与 --carried-over 只能给一个。", "Give --previous or --carried-over, not both.")
    spec = format_for_year(year).tables["requests"]
    given = None
    if carried_over is not None:
        try:
            given = parse_carried_over(spec, carried_over)
        except ValueError as exc:
            raise _usage(
                f"--carried-over 无法识别“{exc}”：写一个数（3），或按申请人类型写（自然人=2,商业企业=1）。",
                f"--carried-over: cannot read “{exc}”; write a number (3) or per applicant type "
                "(natural_person=2,commercial=1).",
            ) from None
    judged_on = None
    if as_of is not None:
        judged_on = parse_date(as_of)
        if judged_on is None:
            raise _usage(
                f"--as-of “{as_of}”不是日期（如 2024-12-31）。", f"--as-of “{as_of}” is not a date (2024-12-31)."
            )
    if output_format is LedgerFormat.xlsx and output is None:
        raise _usage("--format xlsx 需要 --output 文件.xlsx。", "--format xlsx needs --output FILE.xlsx.")
    if output is not None and output.suffix.lower() not in (".xlsx", ".json"):
        raise _usage("--output 的文件要以 .xlsx 或 .json 结尾。", "--output must end in .xlsx or .json.")

    ledger = _read_or_exit(path, year)
    last = _read_or_exit(previous, year) if previous is not None else None
    result = analyse(ledger, year, previous=last, carried_over=given, as_of=judged_on)

    if output is not None:
        _write_or_exit(output, _result_bytes(result, output.suffix.lower()))
    if output_format is LedgerFormat.json:
        sys.stdout.write(jsonout.dumps(result.to_dict()) + "\n")
    elif output_format is LedgerFormat.text:
        out.print(render_result(result))
    if output is not None:
        err.print(Text(t(f"已写入 {output}", f"Wrote {output}"), style="dim"))
    raise typer.Exit(EXIT_FINDINGS if result.counts["error"] else EXIT_OK)


def _read_or_exit(path: Path, year: int) -> LedgerFile:
    try:
        return read_ledger_file(path, year, max_bytes=DEFAULT_LIMITS.file_bytes)
    except LedgerReadError as exc:
        report_file_error(str(path), exc.code, exc.message_zh, exc.message_en)
        raise typer.Exit(EXIT_USAGE_OR_IO) from None


def _result_bytes(result: LedgerResult, suffix: str) -> bytes:
    if suffix == ".json":
        return (jsonout.dumps(result.to_dict(), indent=2) + "\n").encode("utf-8")
    import io

    buffer = io.BytesIO()
    result_xlsx(result, buffer, en=lang() == "en")
    return buffer.getvalue()


def _write_or_exit(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        report_file_error(
            str(path),
            "write",
            f"无法写入（{exc.strerror or type(exc).__name__}）。请检查文件夹是否存在、是否有写权限、"
            "文件是否在 Excel 中打开。",
            f"Cannot write it ({exc.strerror or type(exc).__name__}). Check that the folder exists, is writable "
            "and the file is not open in Excel.",
        )
        raise typer.Exit(EXIT_USAGE_OR_IO) from None


def _write_template(path: Path, year: int | None) -> None:
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise _usage("模板文件要以 .xlsx 或 .csv 结尾。", "The template must end in .xlsx or .csv.")
    if path.exists():
        report_file_error(
            str(path),
            "exists",
            "文件已存在，不覆盖。请换一个文件名，或先删除它。",
            "The file exists and is not overwritten. Choose another name or delete it first.",
        )
        raise typer.Exit(EXIT_USAGE_OR_IO)
    year = year or dt.date.today().year
    if year < FIRST_YEAR:
        raise _usage(f"--year 不能早于 {FIRST_YEAR} 年。", f"--year cannot be before {FIRST_YEAR}.")
    fmt = format_for_year(year)
    _write_or_exit(path, template_xlsx(fmt, year) if suffix == ".xlsx" else template_csv(fmt, year))
    out.print(
        Text(
            t(
                f"已写入台账模板 {path}（{fmt.id} 年格式）。每件申请一行，填好后运行："
                f"gongkai ledger {path.name} --year {year}",
                f"Wrote the ledger template {path} (format {fmt.id}). One row per application; then run: "
                f"gongkai ledger {path.name} --year {year}",
            )
        )
    )


# --- text output -------------------------------------------------------------------------------


def render_result(result: LedgerResult) -> Group:
    """The table and every finding, for a person at a terminal."""
    en = lang() == "en"
    spec = result.format.tables["requests"]
    main = result.files[0]
    head = Text(main.path, style="bold cyan")
    head.append(
        t(
            f"  {result.year} 年度 · {result.format.id} 年格式 · {len(result.checked)} 件申请，"
            f"{result.counted} 件计入表三",
            f"  {result.year} · format {result.format.id} · {len(result.checked)} applications, {result.counted} "
            "counted in table 3",
        ),
        style="dim",
    )
    if len(result.files) > 1:
        head.append(
            t(f" · 上年台账 {result.files[1].path}", f" · last year's ledger {result.files[1].path}"), style="dim"
        )
    table = Table(
        title=t(f"表三 {spec.title}", f"Table 3 {spec.key}"),
        title_justify="left",
        show_header=True,
        header_style="bold",
        box=None,
        padding=(0, 1),
    )
    table.add_column(t("项目", "row"), overflow="fold", min_width=16)
    for c in spec.columns:
        table.add_column(c if en else spec.columns[c].label, justify="right", overflow="fold")
    for kind, label, values in display_rows(spec, result.table, en):
        if kind == "group":
            table.add_row(Text(label, style="bold"), *([""] * len(spec.columns)))
        else:
            cells = [Text("—" if v is None else str(v), style="dim" if v == 0 else "") for v in values]
            table.add_row(Text(label), *cells)
    lines: list[Text | Table] = [head, table, Text("")]
    for f in result.findings:
        style = SEVERITY_STYLE[f.severity]
        line = Text("  ")
        line.append(f.code, style=style)
        line.append(f" {f.severity:<8}" if en else f" {SEVERITY_NAMES[f.severity][0]}  ", style=style)
        where = []
        if f.file and f.file != main.path:
            where.append(f.file)
        if f.line is not None:
            where.append(t(f"第 {f.line} 行", f"row {f.line}"))
        if f.id:
            where.append(t(f"编号 {f.id}", f"no. {f.id}"))
        line.append(" ".join(where) or t("台账", "ledger"), style="bold")
        line.append("  " + (f.message_en if en else f.message))
        lines.append(line)
    if not result.findings:
        lines.append(Text("  ✓ " + t("未发现问题", "No findings"), style="green"))
    counts = Counter(f.severity for f in result.findings)
    if en:
        summary = ", ".join(f"{counts[s]} {s}{'s' if counts[s] != 1 and s != 'info' else ''}" for s in SEVERITIES)
    else:
        summary = "，".join(f"{counts[s]} 个{SEVERITY_NAMES[s][0]}" for s in SEVERITIES)
    lines.append(Text("  " + summary, style="dim"))
    return Group(*lines)
