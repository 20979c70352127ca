"""The ``gongkai`` command.

Exit status (all commands):
  0  success, nothing at error severity
  1  ``check``: at least one finding of severity error
  2  usage error, or a file that could not be read or is not a report (the others are still
     processed and reported)
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from gongkai import __version__
from gongkai.model import Report
from gongkai.pipeline import parse_path
from gongkai.readers import ReadError
from gongkai.views.files import iter_report_files
from gongkai.views.i18n import set_lang, t
from gongkai.views.summary import render_summary

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE_OR_IO = 2

app = typer.Typer(
    name="gongkai",
    help="政府信息公开工作年度报告：解析、审核、汇总。Read, check and compile government information "
    "disclosure annual reports.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


def _version(value: bool) -> None:
    if value:
        print(f"gongkai {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    lang: Annotated[str, typer.Option("--lang", help="输出语言 zh|en / language of messages")] = "zh",
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="显示版本")] = False,
) -> None:
    set_lang(lang)


def report_read_error(exc: ReadError) -> None:
    """One line per unreadable file: the file, then the reason and what to do."""
    err.print(f"[bold red]{exc.path}[/]: {t(exc.message_zh, exc.message_en)} [dim]({exc.code})[/]", highlight=False)


def _paths_or_exit(paths: list[Path]) -> list[Path]:
    missing = [p for p in paths if not p.exists()]
    for p in missing:
        err.print(f"[bold red]{p}[/]: {t('路径不存在。请检查拼写。', 'No such file or folder. Check the spelling.')}")
    if missing:
        raise typer.Exit(EXIT_USAGE_OR_IO)
    return paths


class ParseBatch:
    """The reports under ``paths``, parsed one by one. A file that cannot be read is named on
    stderr with the reason and counted in ``failed``; the batch goes on."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths = _paths_or_exit(paths)
        self.failed = 0

    def __iter__(self) -> Iterator[Report]:
        for file in iter_report_files(self.paths):
            try:
                yield parse_path(file)
            except ReadError as exc:
                self.failed += 1
                report_read_error(exc)


def write_json_line(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n")


@app.command()
def parse(
    paths: Annotated[list[Path], typer.Argument(help="报告文件或文件夹 / report files or folders")],
    output: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="text: 人读摘要 / summary; json: JSON Lines")
    ] = OutputFormat.text,
) -> None:
    """解析报告，输出各表数值。Parse reports into the national format's keys.

    Example: gongkai parse examples/ --format json
    """
    batch = ParseBatch(paths)
    for report in batch:
        if output is OutputFormat.json:
            write_json_line(report.to_dict())
        else:
            out.print(render_summary(report))
    if batch.failed:
        raise typer.Exit(EXIT_USAGE_OR_IO)


# Commands of the later stages register themselves on ``app``.
from gongkai.views import cli_check, cli_store  # noqa: E402,F401
from gongkai.views.web import command as _web_command  # noqa: E402,F401


def main() -> None:
    app()


if __name__ == "__main__":
    main()
