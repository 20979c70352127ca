"""``gongkai write``: a report in the national layout as Word, HTML or Markdown, from the JSON of
``gongkai parse`` or from a YAML/Markdown source with table 三 as JSON (docs/write.md).

Every file is read back and checked before it is saved (gongkai.corpus.write.save_checked); a
report with an error-severity finding is not written unless ``--force``. Registered on the main
app by importing this module (see the bottom of views/cli.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.text import Text

from gongkai.corpus.write import SavedReport, save_checked
from gongkai.formats import load_format
from gongkai.model import Report
from gongkai.rules import ConfigError, load_config
from gongkai.views.cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE_OR_IO, app, err, out, path_text
from gongkai.views.cli_check import render_findings
from gongkai.views.i18n import lang, metavar, t
from gongkai.writers.input import (
    InputError,
    report_from_markdown_text,
    report_from_yaml_text,
    reports_from_json_text,
    requests_from_json_text,
    source_kind,
    with_requests,
)
from gongkai.writers.output import FORMATS, default_name

MAX_DIFFERENCES = 8
SUFFIXES = {".docx": "docx", ".html": "html", ".htm": "html", ".md": "md", ".markdown": "md"}


class WriteFormat(StrEnum):
    docx = "docx"
    html = "html"
    md = "md"


@dataclass(slots=True)
class _Item:
    source: Path
    where: str
    report: Report


def _fail(message_zh: str, message_en: str) -> typer.Exit:
    err.print(f"[bold red]{escape(t('错误', 'Error'))}[/]: {escape(t(message_zh, message_en))}", highlight=False)
    return typer.Exit(EXIT_USAGE_OR_IO)


def _input_error(exc: InputError) -> None:
    where = f"[bold red]{escape(exc.where)}[/]: " if exc.where and not _starts_with_where(exc) else ""
    err.print(f"{where}{escape(t(exc.message_zh, exc.message_en))}", highlight=False)


def _starts_with_where(exc: InputError) -> bool:
    return exc.message_zh.startswith(exc.where) or exc.message_en.startswith(exc.where)


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(
            f"无法读取文件：{exc.strerror or exc}。请检查路径和权限。",
            f"Cannot read the file: {exc.strerror or exc}. Check the path and permissions.",
            str(path),
        ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(
            "文件不是 UTF-8 编码的文字。请另存为 UTF-8。",
            "The file is not UTF-8 text. Save it as UTF-8.",
            str(path),
        ) from None


def _format_of(fmt: WriteFormat | None, output: Path | None) -> str:
    if fmt is not None:
        return fmt.value
    if output is not None and output.suffix.lower() in SUFFIXES:
        return SUFFIXES[output.suffix.lower()]
    raise _fail(
        "请用 --format 指定输出格式：docx、html 或 md。",
        "Give the output format with --format: docx, html or md.",
    )


def _read_items(data: list[Path], requests: Path | None) -> tuple[list[_Item], int]:
    """The reports to write, in order, and how many inputs could not be read (named on stderr)."""
    items: list[_Item] = []
    failed = 0
    requests_text = None
    if requests is not None:
        try:
            requests_text = _read_text(requests)
        except InputError as exc:
            _input_error(exc)
            raise typer.Exit(EXIT_USAGE_OR_IO) from None
    for path in data:
        where = str(path)
        try:
            text = _read_text(path)
            kind = source_kind(path.name, text)
            if kind == "json":
                if requests is not None:
                    raise InputError(
                        "--requests 只用于 YAML 或 Markdown 数据；JSON 报告自带表三。",
                        "--requests is for YAML or Markdown data; a JSON report carries its own table 3.",
                        where,
                    )
                for item in reports_from_json_text(text, where):
                    if item.error is not None:
                        failed += 1
                        _input_error(item.error)
                    elif item.report is not None:
                        items.append(_Item(path, item.where, item.report))
                continue
            report = report_from_yaml_text(text, where) if kind == "yaml" else report_from_markdown_text(text, where)
            if requests_text is not None:
                fmt = load_format(report.meta.format or "2021")
                table = requests_from_json_text(requests_text, fmt, str(requests), year=report.meta.year)
                report = with_requests(report, table)
            elif not report.tables["requests"].found:
                raise InputError(
                    "缺少表三（收到和处理政府信息公开申请情况）。请用 --requests 表三.json 给出。",
                    "Table 3 (requests) is missing. Give it with --requests FILE.json.",
                    where,
                )
            items.append(_Item(path, where, report))
        except InputError as exc:
            failed += 1
            _input_error(exc)
    return items, failed


def _destinations(items: list[_Item], fmt: str, output: Path | None, data: list[Path], *, several: bool) -> list[Path]:
    """One file per report: *output* itself for one report (or a file named after the report in
    the folder *output*), else — *several* reports in the data, even if some could not be read —
    one file each in the folder *output*, named after the report."""
    if several:
        if output is None:
            raise _fail(
                "有多份报告：请用 --output 给出存放它们的文件夹。",
                "There are several reports: give a folder for them with --output.",
            )
        if output.exists() and not output.is_dir():
            raise _fail(
                f"有多份报告：--output 应为文件夹，{output} 却是文件。",
                f"There are several reports: --output must be a folder, and {output} is a file.",
            )
    folder: Path | None
    if output is None:
        folder = Path.cwd()
    elif several or output.is_dir():
        folder = output
    else:
        folder = None
    if folder is not None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _fail(
                f"无法创建文件夹 {folder}：{exc.strerror or exc}。", f"Cannot create the folder {folder}: {exc}."
            ) from None
    dests: list[Path] = []
    used: set[Path] = set()
    for item in items:
        if folder is None:
            assert output is not None
            dest = output
        else:
            base = default_name(item.report, fmt, item.source.stem)
            dest = folder / base
            n = 2
            while dest in used:
                stem = base[: -len(FORMATS[fmt])]
                dest = folder / f"{stem}-{n}{FORMATS[fmt]}"
                n += 1
        used.add(dest)
        dests.append(dest)
    inputs = {p.resolve() for p in data}
    for dest in dests:
        if dest.resolve() in inputs:
            raise _fail(
                f"输出文件 {dest} 就是输入文件，不会覆盖它。请用 --output 另选文件名。",
                f"The output {dest} is an input file; it is not overwritten. Choose another name with --output.",
            )
        if not dest.parent.is_dir():
            raise _fail(f"文件夹 {dest.parent} 不存在。", f"The folder {dest.parent} does not exist.")
    return dests


@app.command()
def write(
    data: Annotated[
        list[Path],
        typer.Argument(
            metavar=metavar("数据", "DATA"),
            help="数据：parse 的 JSON，或 YAML/Markdown 源文件 / parse JSON, or a YAML/Markdown source",
        ),
    ],
    fmt: Annotated[
        WriteFormat | None,
        typer.Option("--format", "-f", help="docx | html | md（默认按 --output 的扩展名）/ output format"),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="输出文件；多份报告时为文件夹 / output file, or folder for several"),
    ] = None,
    requests: Annotated[
        Path | None,
        typer.Option("--requests", help="表三的 JSON（YAML/Markdown 数据用）/ table 3 as JSON"),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="审核发现错误时仍然写入 / write even with error findings")
    ] = False,
    config: Annotated[
        Path | None, typer.Option("--config", help="审核配置（pyproject.toml 或 gongkai.toml）/ check settings")
    ] = None,
) -> None:
    """按全国统一格式写出年度报告（Word、HTML 或 Markdown），写前先审核。Write a report in the
    national layout, checked before it is saved.

    Exit status: 0 written, 1 a report not written because its check found an error (use
    --force), 2 usage error or input that could not be read (the other reports are still written).

    Example: gongkai write report.yaml --requests requests.json --format docx -o report.docx
    """
    missing = [p for p in [*data, *([requests] if requests else [])] if not p.exists()]
    for p in missing:
        err.print(f"[bold red]{path_text(p)}[/]: {t('路径不存在。请检查拼写。', 'No such file. Check the spelling.')}")
    if missing:
        raise typer.Exit(EXIT_USAGE_OR_IO)
    kind = _format_of(fmt, output)
    try:
        cfg = load_config(config) if config is not None else load_config()
    except ConfigError as exc:
        err.print(f"[bold red]{t('配置错误', 'Configuration error')}[/] {escape(exc.message(lang()))}", highlight=False)
        raise typer.Exit(EXIT_USAGE_OR_IO) from None
    items, failed = _read_items(data, requests)
    if not items:
        raise typer.Exit(EXIT_USAGE_OR_IO)
    dests = _destinations(items, kind, output, data, several=len(items) + failed > 1)
    refused = 0
    for item, dest in zip(items, dests, strict=True):
        try:
            result = save_checked(item.report, kind, dest, force=force, config=cfg)
        except OSError as exc:
            failed += 1
            err.print(
                f"[bold red]{path_text(dest)}[/]: "
                + escape(t(f"无法写入：{exc.strerror or exc}。", f"Cannot write: {exc.strerror or exc}.")),
                highlight=False,
            )
            continue
        except Exception as exc:  # a writer bug must not cost the other reports; nothing was saved
            failed += 1
            detail = f"{type(exc).__name__}: {exc}"[:300]
            err.print(
                f"[bold red]{path_text(dest)}[/]: "
                + escape(
                    t(
                        f"写出时出现程序错误（{detail}），未写入。请把数据（{item.where}）报告给 gongkai 维护者。",
                        f"Internal error while writing ({detail}); nothing was written. Please report the data "
                        f"({item.where}) to the gongkai maintainers.",
                    )
                ),
                highlight=False,
            )
            continue
        if result.read_back is not None:
            out.print(render_findings(result.read_back, result.findings))
        _say(result, item, force)
        if not result.saved:
            refused += 1
    if failed:
        raise typer.Exit(EXIT_USAGE_OR_IO)
    raise typer.Exit(EXIT_FINDINGS if refused else EXIT_OK)


def _say(result: SavedReport, item: _Item, force: bool) -> None:
    dest = path_text(result.path)
    if result.read_error is not None:
        e = result.read_error
        err.print(
            f"[bold red]{dest}[/]: "
            + escape(
                t(
                    f"写出的文件读不回来（{e.message_zh}）。请把数据报告给 gongkai 维护者。",
                    f"The written file does not read back ({e.message_en}). Please report the data to the gongkai "
                    "maintainers.",
                )
            ),
            highlight=False,
        )
    if result.check_error:
        err.print(
            f"[bold red]{dest}[/]: "
            + escape(t(f"审核规则运行出错（{result.check_error}）。", f"The checks crashed ({result.check_error}).")),
            highlight=False,
        )
    if result.differences:
        shown = "; ".join(result.differences[:MAX_DIFFERENCES])
        more = len(result.differences) - MAX_DIFFERENCES
        tail = t(f" …另 {more} 处", f" … {more} more") if more > 0 else ""
        err.print(
            f"[bold red]{dest}[/]: "
            + escape(
                t(
                    f"写出的文件读回后与数据不一致：{shown}{tail}。请把数据报告给 gongkai 维护者。",
                    f"The written file reads back differently from the data: {shown}{tail}. Please report the data "
                    "to the gongkai maintainers.",
                )
            ),
            highlight=False,
        )
    if result.saved:
        note = ""
        if result.refused and force:
            note = t(f"（--force：有 {result.errors} 个错误）", f" (--force: {result.errors} errors)")
        out.print(Text(t(f"已写入 {result.path}{note}", f"Wrote {result.path}{note}"), style="green"))
        return
    err.print(
        f"[bold red]{dest}[/]: "
        + escape(
            t(
                f"未写入：审核发现 {result.errors} 个错误（见上）。"
                f"请修改数据（{item.where}）后重试，或用 --force 仍然写入。",
                f"Not written: the check found {result.errors} errors (above). Fix the data ({item.where}) and try "
                "again, or write it anyway with --force.",
            )
            if result.errors
            else t("未写入。用 --force 仍然写入。", "Not written. Use --force to write it anyway.")
        ),
        highlight=False,
    )
