"""The ``gongkai`` command.

Exit status (all commands):
  0  success, nothing at error severity
  1  ``check``: at least one finding of severity error; ``write``: a report not written because
     its check found one (``--force`` writes it)
  2  usage error, or a file that could not be read or is not a report (the others are still
     processed and reported)
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from gongkai import __version__, jsonout
from gongkai.corpus.analyse import FileOutcome, run_files
from gongkai.files import display_path, iter_report_files
from gongkai.limits import DEFAULT_LIMITS, Limits
from gongkai.views.cli_lang import LANG_ENV, GongkaiGroup
from gongkai.views.i18n import metavar, set_lang, t
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
    cls=GongkaiGroup,
    rich_markup_mode="markdown",
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
    lang: Annotated[
        str,
        typer.Option("--lang", envvar=LANG_ENV, help="输出语言 zh|en / language of messages", metavar="zh|en"),
    ] = "zh",
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="显示版本后退出 / print the version and exit"),
    ] = False,
) -> None:
    set_lang(lang)


def path_text(path: object) -> str:
    """A path for Rich output: valid Unicode, and never read as markup (``[/]`` in a name)."""
    return escape(display_path(str(path)))


def report_file_error(path: str, code: str, message_zh: str, message_en: str, *, indent: str = "") -> None:
    err.print(
        f"{indent}[bold red]{path_text(path)}[/]: {escape(t(message_zh, message_en))} [dim]({escape(code)})[/]",
        highlight=False,
    )


def _paths_or_exit(paths: list[Path]) -> list[Path]:
    missing = [p for p in paths if not p.exists()]
    for p in missing:
        missing_text = t("路径不存在。请检查拼写。", "No such file or folder. Check the spelling.")
        err.print(f"[bold red]{path_text(p)}[/]: {missing_text}", highlight=False)
    if missing:
        raise typer.Exit(EXIT_USAGE_OR_IO)
    return paths


LimitOption = Annotated[
    list[str] | None,
    typer.Option(
        "--limit",
        help="单个文件的上限，可重复：名称=数值 / per-file bound, repeatable: NAME=VALUE "
        f"({', '.join(Limits.names())})",
        metavar=metavar("名称=数值", "NAME=VALUE"),
    ),
]
WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers", "-j", help="并行进程数，默认为 CPU 核数 / worker processes", metavar=metavar("进程数", "N")
    ),
]
PathsArgument = Annotated[
    list[Path], typer.Argument(help="报告文件或文件夹 / report files or folders", metavar=metavar("报告", "PATHS"))
]


def limits_or_exit(items: list[str] | None) -> Limits:
    try:
        return Limits.parse(items)
    except ValueError as exc:
        err.print(escape(str(exc)), highlight=False)
        raise typer.Exit(EXIT_USAGE_OR_IO) from None


class ParseBatch:
    """The files under ``paths``, each parsed (and with *check*, checked) in a bounded worker
    process, in order. A file that cannot be read is named on stderr with the reason, counted in
    ``failed`` and still yielded (``outcome.error``); the batch goes on."""

    def __init__(
        self,
        paths: list[Path],
        *,
        check: bool = False,
        config: Any = None,
        limits: Limits = DEFAULT_LIMITS,
        workers: int | None = None,
    ) -> None:
        self.paths = _paths_or_exit(paths)
        self.check = check
        self.config = config
        self.limits = limits
        self.workers = workers
        self.failed = 0

    def __iter__(self) -> Iterator[FileOutcome]:
        files = list(iter_report_files(self.paths))
        for outcome in run_files(files, check=self.check, config=self.config, limits=self.limits, workers=self.workers):
            if outcome.error is not None:
                self.failed += 1
                e = outcome.error
                report_file_error(outcome.path, e.code, e.message_zh, e.message_en)
            elif outcome.check_error:
                self.failed += 1
                report_file_error(
                    outcome.path,
                    "check",
                    f"审核规则运行出错（{outcome.check_error}），审核结果不完整。请把文件报告给 gongkai 维护者。",
                    f"The checks crashed ({outcome.check_error}); the findings are incomplete. Please report the "
                    "file to the gongkai maintainers.",
                )
            yield outcome


def write_json_line(obj: object) -> None:
    sys.stdout.write(jsonout.dumps(obj) + "\n")


@app.command()
def parse(
    paths: PathsArgument,
    output: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="text: 人读摘要 / summary; json: JSON Lines")
    ] = OutputFormat.text,
    limit: LimitOption = None,
    workers: WorkersOption = None,
) -> None:
    """解析报告，输出各表数值。Parse reports into the national format's keys.

    Example: gongkai parse examples/ --format json
    """
    batch = ParseBatch(paths, limits=limits_or_exit(limit), workers=workers)
    for outcome in batch:
        if output is OutputFormat.json:
            write_json_line(outcome.report.to_dict() if outcome.report else outcome.error_json())
        elif outcome.report is not None:
            out.print(render_summary(outcome.report))
    if batch.failed:
        raise typer.Exit(EXIT_USAGE_OR_IO)


# Commands of the later stages register themselves on ``app``.
from gongkai.views import cli_check, cli_ledger, cli_store, cli_write  # noqa: E402,F401
from gongkai.views.web import command as _web_command  # noqa: E402,F401


def main() -> None:
    app()


if __name__ == "__main__":
    main()
