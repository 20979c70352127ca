"""The corpus commands: ``ingest``, ``schema``, ``roster``, ``sum``, ``export``.

They register on the ``gongkai`` app (``gongkai.views.cli``); the work is done by
:mod:`gongkai.store`, these functions only read options and print.
"""

from __future__ import annotations

import csv
import errno
import sys
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import duckdb
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

import gongkai.rules.year  # noqa: F401  (registers Y001–Y003 in the rules catalogue)
from gongkai.corpus.ingest import IngestProgress
from gongkai.formats import load_format
from gongkai.store.db import DEFAULT_DB, Store, StoreError, disk_full_error, open_error
from gongkai.store.queries.reports import status_counts
from gongkai.views.cli import (
    EXIT_USAGE_OR_IO,
    LimitOption,
    PathsArgument,
    WorkersOption,
    _paths_or_exit,
    app,
    err,
    limits_or_exit,
    out,
    report_file_error,
    write_json_line,
)
from gongkai.views.i18n import lang, metavar, t

DbOption = Annotated[Path, typer.Option("--db", help="数据库文件 / database file", metavar=metavar("数据库", "DB"))]
YearOption = Annotated[
    int, typer.Option("--year", "-y", help="报告年度 / report year", metavar=metavar("年度", "YEAR"))
]
RegionOption = Annotated[
    str,
    typer.Option("--region", "-r", help="地区名称或区划代码 / region name or code", metavar=metavar("地区", "REGION")),
]


class TableFormat(StrEnum):
    text = "text"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out",
        "-o",
        help="xlsx 写入的文件 / the file --format xlsx writes",
        metavar=metavar("文件", "FILE"),
    ),
]


def _write_xlsx(out_path: Path | None, sheets: list[Any]) -> None:
    """A workbook of ``--format xlsx`` (:func:`gongkai.store.xlsx.write_workbook`) to ``--out``."""
    from gongkai.store.xlsx import write_workbook

    if out_path is None:
        err.print(t("--format xlsx 需要 --out 文件。", "--format xlsx needs --out FILE."), highlight=False)
        raise typer.Exit(EXIT_USAGE_OR_IO)
    write_workbook(out_path, sheets, lang())
    out.print(str(out_path), highlight=False)


class SchemaFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


class Engine(StrEnum):
    local = "local"
    dask = "dask"


class ExportFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"
    xlsx = "xlsx"


def _store_error(exc: StoreError) -> typer.Exit:
    err.print(t(exc.message_zh, exc.message_en), style="bold red", markup=False, highlight=False)
    return typer.Exit(EXIT_USAGE_OR_IO)


def _open(db: Path, read_only: bool = True) -> Store:
    try:
        return Store(db, read_only=read_only)
    except StoreError as exc:
        raise _store_error(exc) from None


# --- ingest -----------------------------------------------------------------------------------


class _RichProgress(IngestProgress):
    """Draws the ingest's progress bar on stderr; ``--verbose`` adds a line per commit."""

    def __init__(self, show_bar: bool, verbose: bool) -> None:
        self.verbose = verbose
        self.bar: Progress | None = None
        self.task: Any = None
        if show_bar:
            self.bar = Progress(
                TextColumn(t("导入", "ingest")),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=err,
                transient=True,
            )

    def start(self, total: int) -> None:
        if self.bar is not None:
            self.bar.start()
            self.task = self.bar.add_task("ingest", total=total)

    def advance(self, n: int = 1) -> None:
        if self.bar is not None and n:
            self.bar.advance(self.task, n)

    def committed(self, reports: int, total_committed: int) -> None:
        if self.verbose:
            err.print(t(f"已写入 {total_committed} 份", f"committed {total_committed}"), highlight=False)

    def phase(self, name: str) -> None:
        if self.verbose and name == "year":
            err.print(t("跨年度审核……", "year-over-year rules…"), highlight=False)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _load_rule_config(config: Path | None) -> Any:
    """The rules configuration: ``--config FILE``, else gongkai.toml / pyproject.toml found from
    the current folder upward, as for ``gongkai check``."""
    from gongkai.rules import ConfigError, load_config

    try:
        return load_config(config)
    except ConfigError as exc:
        err.print(t(exc.message("zh"), exc.message("en")), style="bold red", markup=False, highlight=False)
        raise typer.Exit(EXIT_USAGE_OR_IO) from None


@app.command()
def ingest(
    paths: PathsArgument,
    db: DbOption = Path(DEFAULT_DB),
    workers: WorkersOption = None,
    batch_size: Annotated[
        int,
        typer.Option("--batch-size", help="每次提交的报告数 / reports per commit", metavar=metavar("份数", "N")),
    ] = 200,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="审核规则配置 / rules config file", metavar=metavar("文件", "FILE")),
    ] = None,
    memory_limit: Annotated[
        str,
        typer.Option(
            "--memory-limit",
            help="数据库内存上限 / DuckDB memory limit, e.g. 256MB",
            metavar=metavar("大小", "SIZE"),
        ),
    ] = "256MB",
    recheck: Annotated[
        bool,
        typer.Option("--recheck", help="已读入的文件也重新审核（改了审核配置后）/ check stored files again"),
    ] = False,
    silent: Annotated[bool, typer.Option("--silent", help="不显示进度条 / hide the progress bar")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="逐批显示写入 / log every commit")] = False,
    limit: LimitOption = None,
    engine: Annotated[
        Engine,
        typer.Option(
            "--engine",
            help="local：本机工作进程，写入数据库；dask：在 Dask 集群上解析，写入 Parquet 数据集（--dataset）"
            " / local: worker processes here, into the database; dask: on a Dask cluster, into a Parquet dataset",
        ),
    ] = Engine.local,
    address: Annotated[
        str | None,
        typer.Option(
            "--address",
            help="Dask 调度器地址，如 tcp://10.0.0.1:8786（不给则在本机启动）/ Dask scheduler address "
            "(none: a cluster on this machine)",
            metavar=metavar("地址", "ADDRESS"),
        ),
    ] = None,
    dataset: Annotated[
        Path | None,
        typer.Option(
            "--dataset",
            help="--engine dask 写入的 Parquet 数据集文件夹（各机器共享）/ the Parquet dataset folder, shared by the "
            "machines",
            metavar=metavar("文件夹", "DIR"),
        ),
    ] = None,
) -> None:
    """把报告读入数据库（已读入且未变的文件跳过）。Ingest reports into the corpus database.

    Files already stored with the same content and parser version are skipped (--recheck: checked
    again, e.g. after changing the rules configuration); a file that fails is stored as failed and
    listed at the end. Year-over-year rules (Y001–Y003) run afterwards. With --engine dask the
    files are parsed on a Dask cluster into a Parquet dataset (docs/scale.md), which --db DIR reads.

    Example: gongkai ingest reports/ --db corpus.duckdb
    """
    from gongkai.corpus.ingest import ingest as run_ingest

    _paths_or_exit(paths)
    limits = limits_or_exit(limit)
    rules_config = _load_rule_config(config)
    if engine is Engine.dask or address or dataset:
        _ingest_cluster(paths, dataset, address, workers, rules_config, recheck, limits, silent, verbose)
        return
    try:
        store = Store(db, memory_limit=memory_limit)
    except StoreError as exc:
        raise _store_error(exc) from None
    with store:
        progress = _RichProgress(show_bar=not silent and err.is_terminal, verbose=verbose)
        try:
            result = run_ingest(
                paths,
                store,
                workers=workers,
                batch_size=batch_size,
                config=rules_config,
                progress=progress,
                recheck=recheck,
                limits=limits,
            )
        except (duckdb.Error, OSError) as exc:
            # Each batch is one transaction: what was committed stays whole, the rest is rolled back.
            full = "space" in str(exc).lower() or getattr(exc, "errno", None) == errno.ENOSPC
            raise _store_error(disk_full_error(str(db), str(exc)) if full else open_error(str(db), exc)) from None
        totals = status_counts(store.con)
    _ingest_summary(result, str(db), {c.status: c.reports for c in totals})


def _ingest_cluster(
    paths: list[Path],
    dataset: Path | None,
    address: str | None,
    workers: int | None,
    rules_config: Any,
    recheck: bool,
    limits: Any,
    silent: bool,
    verbose: bool,
) -> None:
    """``ingest --engine dask``: the files parsed on a Dask cluster into a Parquet dataset."""
    if dataset is None:
        err.print(
            t(
                "--engine dask 需要 --dataset 文件夹：解析结果写成 Parquet 数据集（各机器共享的存储上）。",
                "--engine dask needs --dataset DIR: the results are written as a Parquet dataset (on storage "
                "every machine shares).",
            ),
            style="bold red",
            highlight=False,
        )
        raise typer.Exit(EXIT_USAGE_OR_IO)
    from gongkai.corpus.cluster import ingest_cluster

    progress = _RichProgress(show_bar=not silent and err.is_terminal, verbose=verbose)
    try:
        result = ingest_cluster(
            paths,
            dataset,
            address=address,
            workers=workers,
            config=rules_config,
            progress=progress,
            recheck=recheck,
            limits=limits,
        )
    except StoreError as exc:
        raise _store_error(exc) from None
    except OSError as exc:
        err.print(
            t(f"无法连接 Dask 集群或写入数据集：{exc}", f"Cannot reach the Dask cluster or write the dataset: {exc}"),
            style="bold red",
            markup=False,
            highlight=False,
        )
        raise typer.Exit(EXIT_USAGE_OR_IO) from None
    with _open(dataset) as store:
        totals = status_counts(store.con)
    _ingest_summary(result, str(dataset), {c.status: c.reports for c in totals})
    if not result.bounded:
        err.print(
            t(
                "注意：Dask 工作进程以守护进程方式运行，不能为每个文件另起进程，文件未受 seconds 上限约束。"
                "请以 DASK_DISTRIBUTED__WORKER__DAEMON=False 启动 dask worker（见 docs/scale.md）。",
                "Note: the Dask workers run as daemons and cannot start a process per file, so the files ran "
                "without the seconds bound. Start dask worker with DASK_DISTRIBUTED__WORKER__DAEMON=False "
                "(docs/scale.md).",
            ),
            highlight=False,
        )


def _ingest_summary(result: Any, where: str, counts: dict[str, int]) -> None:
    err.print(
        t(
            f"{result.files} 个文件：新解析 {result.parsed}（失败 {len(result.failed)}），"
            f"未变跳过 {result.skipped}，重复 {result.duplicates}；跨年度发现 {result.year_findings} 条；"
            f"用时 {result.seconds:.1f} 秒。"
            f"数据库 {where}：{counts.get('ok', 0)} 份报告，{counts.get('failed', 0)} 个失败文件。",
            f"{result.files} files: {result.parsed} parsed ({len(result.failed)} failed), {result.skipped} unchanged, "
            f"{result.duplicates} duplicates; {result.year_findings} year-over-year findings; "
            f"{result.seconds:.1f} s. "
            f"Database {where}: {counts.get('ok', 0)} reports, {counts.get('failed', 0)} failed files.",
        ),
        highlight=False,
    )
    if result.failed:
        err.print(t("未能读入的文件：", "Files that could not be read:"), highlight=False)
        for f in result.failed:
            report_file_error(f.path, f.code, f.message_zh, f.message_en, indent="  ")
    if result.still_failed:
        err.print(
            t(
                f"另有 {len(result.still_failed)} 个文件此前已读入失败，内容未变，本次跳过：",
                f"{len(result.still_failed)} more files failed in an earlier run and are unchanged, so were skipped:",
            ),
            highlight=False,
        )
        for f in result.still_failed:
            report_file_error(f.path, f.code, f.message_zh, f.message_en, indent="  ")
    if result.failed or result.still_failed:
        raise typer.Exit(EXIT_USAGE_OR_IO)


# --- schema -----------------------------------------------------------------------------------


@app.command()
def schema(
    output: Annotated[
        SchemaFormat, typer.Option("--format", "-f", help="text | json | markdown (docs/schema.md)")
    ] = SchemaFormat.text,
) -> None:
    """数据库的数据字典。The corpus database's data dictionary.

    Example: gongkai schema --format markdown > docs/schema.md
    """
    from gongkai.store.schema import schema_json, schema_markdown, schema_text

    if output is SchemaFormat.json:
        sys.stdout.write(schema_json() + "\n")
    elif output is SchemaFormat.markdown:
        sys.stdout.write(schema_markdown())
    else:
        sys.stdout.write(schema_text(lang()))


# --- roster -----------------------------------------------------------------------------------


@app.command()
def roster(
    expected: Annotated[
        Path,
        typer.Argument(
            help="应公开机关名单 CSV：机关名称[,区划代码] / CSV of expected agencies",
            metavar=metavar("名单", "EXPECTED.csv"),
        ),
    ],
    year: YearOption,
    db: DbOption = Path(DEFAULT_DB),
    output: Annotated[TableFormat, typer.Option("--format", "-f", help="text | json | csv | xlsx")] = TableFormat.text,
    out_path: OutOption = None,
) -> None:
    """列出名单中该年度没有报告的机关。List expected agencies with no report for the year.

    Example: gongkai roster agencies.csv --year 2023
    """
    from gongkai.store.roster import missing_reports, read_roster

    _paths_or_exit([expected])
    try:
        wanted = read_roster(expected)
    except ValueError:
        err.print(
            t("名单文件的编码无法识别：请另存为 UTF-8 的 CSV。", "Cannot decode the roster: save it as UTF-8 CSV."),
            highlight=False,
        )
        raise typer.Exit(EXIT_USAGE_OR_IO) from None
    with _open(db) as store:
        missing = missing_reports(store, wanted, year)
    if output is TableFormat.xlsx:
        from gongkai.store.xlsx import roster_sheet

        _write_xlsx(out_path, [roster_sheet(missing, year)])
        return
    rows: list[dict[str, Any]] = [
        {"line": m.line, "agency": m.name, "region_code": m.code, "agency_key": m.agency_key} for m in missing
    ]
    if output is TableFormat.json:
        for r in rows:
            write_json_line({**r, "year": year})
        return
    if output is TableFormat.csv:
        w = csv.DictWriter(sys.stdout, fieldnames=["line", "agency", "region_code", "agency_key"])
        w.writeheader()
        w.writerows(rows)
        return
    table = Table(title=t(f"{year} 年度未见报告的机关", f"No {year} report from these agencies"))
    table.add_column(t("行", "line"), justify="right")
    table.add_column(t("机关", "agency"))
    table.add_column(t("区划代码", "code"))
    for r in rows:
        table.add_row(str(r["line"]), str(r["agency"]), str(r["region_code"] or ""))
    _print_wide(table)
    out.print(
        t(
            f"名单 {len(wanted)} 个机关，{len(missing)} 个没有 {year} 年度报告。",
            f"{len(wanted)} agencies expected, {len(missing)} without a {year} report.",
        ),
        highlight=False,
    )


def _print_wide(table: Table) -> None:
    """A table on a terminal fits the terminal; piped to a file it is not cut to 80 columns."""
    if out.is_terminal:
        out.print(table)
    else:
        Console(width=240, soft_wrap=True).print(table)


# --- sum --------------------------------------------------------------------------------------


def _number(v: Decimal | None) -> str:
    if v is None:
        return "—"
    return str(int(v)) if v == v.to_integral_value() else format(v.normalize(), "f")


@app.command("sum")
def sum_command(
    region: RegionOption,
    year: YearOption,
    db: DbOption = Path(DEFAULT_DB),
    output: Annotated[TableFormat, typer.Option("--format", "-f", help="text | json | csv | xlsx")] = TableFormat.text,
    out_path: OutOption = None,
    details: Annotated[
        bool,
        typer.Option("--details", help="列出有错误级别审核发现的报告及其代码 / list the reports with error findings"),
    ] = False,
) -> None:
    """汇总一个地区各机关的统计表。Sum the statistics tables over a region's agencies.

    表三按全国格式分组列出（（三）不予公开、（四）无法提供……）；汇总的报告中有错误级别审核发现的，
    显示份数，--details 逐份列出。Table 三 keeps the format's groups; the reports summed that have
    error findings are counted (--details lists them with their codes; JSON always does).

    Example: gongkai sum --region 湖北省 --year 2023 --details
    """
    from gongkai.store.aggregate import sum_region, sum_rows, table_layout
    from gongkai.store.regions import RegionNotFound, parse_region

    try:
        region_filter = parse_region(region)
    except RegionNotFound:
        err.print(
            t(
                f"无法确定地区「{region}」：请写全称（如 福州市鼓楼区）或六位区划代码。",
                f"Cannot tell which region '{region}' is: "
                "give the full name (e.g. 福州市鼓楼区) or its six-digit code.",
            ),
            highlight=False,
        )
        raise typer.Exit(EXIT_USAGE_OR_IO) from None
    with _open(db) as store:
        result = sum_region(store, region_filter, year)
        if output is TableFormat.xlsx:
            from gongkai.store.xlsx import sum_sheets

            _write_xlsx(out_path, sum_sheets(store.con, result, region_filter.prefix))
            return
    if output is TableFormat.json:
        write_json_line(result.to_dict())
        return
    if output is TableFormat.csv:
        rows = sum_rows(result)
        w = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["region", "year"])
        w.writeheader()
        w.writerows(rows)
        if result.flagged:
            err.print(_flagged_line(result, csv=True), highlight=False)
        return
    out.print(
        t(
            f"{region} {year} 年度：{result.agencies} 个机关的报告。",
            f"{region}, {year}: reports of {result.agencies} agencies.",
        ),
        highlight=False,
    )
    for fmt_id, fsum in result.formats.items():
        spec = load_format(fmt_id)
        for tkey, rows_ in fsum.tables.items():
            tspec = spec.tables[tkey]
            cols = list(tspec.columns)
            title = f"{tspec.title}（{fmt_id} {t('格式', 'format')}，{len(fsum.reports)} {t('份', 'reports')}）"
            table = Table(title=title)
            table.add_column(t("项目", "row"))
            for c in cols:
                table.add_column(tspec.columns[c].label, justify="right")
            for line in table_layout(fmt_id, tkey, list(rows_)):
                label = Text("  " * line.depth + line.label, style="bold" if line.heading else "")
                if line.row is None:  # a group's heading: no figures of its own
                    table.add_row(label, *["" for _ in cols])
                    continue
                values = rows_[line.row]
                if line.heads and all(v is None for v, _ in values.values()):
                    values = {}  # a single （六）其他处理 no report gave: the heading of its sub-rows
                table.add_row(label, *[_number(values[c][0]) if c in values else "" for c in cols])
            _print_wide(table)
    if not result.formats:
        out.print(t("没有符合条件的报告。", "No reports match."), highlight=False)
        return
    out.print(_flagged_line(result, details=details), highlight=False)
    if details and result.flagged:
        _print_wide(_flagged_table(result))


def _codes_text(codes: dict[str, int]) -> str:
    return t("、", ", ").join(f"{code}×{n}" if n > 1 else code for code, n in codes.items())


def _flagged_line(result: Any, *, details: bool = False, csv: bool = False) -> str:
    """How many of the reports summed have error findings (their figures are in the sum)."""
    n = len(result.flagged)
    total = sum(len(f.reports) for f in result.formats.values())
    if not n:
        return t(
            f"汇总的 {total} 份报告都没有错误级别的审核发现。",
            f"None of the {total} reports summed has an error finding.",
        )
    if details:
        tail = ("：", ":")
    elif csv:
        tail = ("（--format json 逐份列出）。", " (--format json lists them).")
    else:
        tail = ("（--details 逐份列出）。", " (--details lists them).")
    return t(
        f"汇总的 {total} 份报告中，{n} 份有错误级别的审核发现，其数值照原样计入" + tail[0],
        f"{n} of the {total} reports summed have error findings; their figures are summed as they are" + tail[1],
    )


def _flagged_table(result: Any) -> Table:
    table = Table(title=t("有错误级别审核发现的报告", "Reports summed with error findings"))
    table.add_column(t("报告编号", "report"), justify="right")
    table.add_column(t("机关", "agency"))
    table.add_column(t("错误代码", "error codes"))
    table.add_column(t("文件", "file"))
    for f in result.flagged:
        table.add_row(str(f.report), f.agency or t("（未识别）", "(not found)"), _codes_text(f.codes), f.path)
    return table


# --- export -----------------------------------------------------------------------------------


@app.command()
def export(
    output: Annotated[ExportFormat, typer.Option("--format", "-f", help="csv | parquet | xlsx")] = ExportFormat.csv,
    db: DbOption = Path(DEFAULT_DB),
    out_path: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="输出文件夹（csv、parquet）或文件（xlsx）/ output folder or file",
            metavar=metavar("路径", "PATH"),
        ),
    ] = None,
    year: Annotated[
        int | None, typer.Option("--year", "-y", help="只导出该年度 / only this year", metavar=metavar("年度", "YEAR"))
    ] = None,
    region: Annotated[
        str | None,
        typer.Option("--region", "-r", help="只导出该地区 / only this region", metavar=metavar("地区", "REGION")),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="网页版地址：xlsx 每行链接到报告页和原件 / the web app's address: xlsx rows link to the report "
            "page and the original",
            metavar=metavar("网址", "URL"),
        ),
    ] = None,
) -> None:
    """导出报告、数值（长表与宽表）和审核发现。Export reports, values (long and wide) and findings.

    xlsx：每张表以机关、年度、省、市、县、区划代码开头，一行表头（--lang en 为英文），可筛选、首行冻结；
    有 --base-url 时每行链接到网页上的报告和原件（PDF 到页）。xlsx: every sheet leads with agency, year
    and region, one header row (English with --lang en), filters and a frozen head; with --base-url each
    row links to its report page and the original (a PDF at its page).

    Example: gongkai export --format xlsx --out corpus.xlsx --base-url http://127.0.0.1:8000
    """
    from gongkai.store.export import export as run_export
    from gongkai.store.regions import RegionNotFound, parse_region

    region_filter = None
    if region:
        try:
            region_filter = parse_region(region)
        except RegionNotFound:
            err.print(t(f"无法确定地区「{region}」。", f"Cannot tell which region '{region}' is."), highlight=False)
            raise typer.Exit(EXIT_USAGE_OR_IO) from None
    if base_url and not base_url.startswith(("http://", "https://")):
        err.print(
            t(
                f"--base-url 应以 http:// 或 https:// 开头：{base_url}",
                f"--base-url must start with http(s)://: {base_url}",
            ),
            highlight=False,
        )
        raise typer.Exit(EXIT_USAGE_OR_IO)
    target = out_path or (Path("gongkai.xlsx") if output is ExportFormat.xlsx else Path("export"))
    with _open(db) as store:
        try:
            written = run_export(
                store, output.value, target, year=year, region=region_filter, base_url=base_url, lang=lang()
            )
        except ValueError as exc:
            err.print(
                t(
                    f"数据超过 Excel 的行数上限（{exc}）：请按年度或地区分批导出，或改用 csv、parquet。",
                    f"Too many rows for Excel ({exc}): export by year or region, or use csv or parquet.",
                ),
                highlight=False,
            )
            raise typer.Exit(EXIT_USAGE_OR_IO) from None
    for path in written:
        out.print(str(path), highlight=False)


__all__ = ["export", "ingest", "roster", "schema", "sum_command"]
