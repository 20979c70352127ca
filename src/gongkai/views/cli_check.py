"""``gongkai check`` and ``gongkai rules``: review reports like a 政务公开办, explain the rules.

Registered on the main app by importing this module (see the bottom of views/cli.py).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Group
from rich.markdown import Markdown
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from gongkai.model import Report
from gongkai.rules import SEVERITIES, CheckConfig, ConfigError, Finding, get_rule, load_config
from gongkai.rules.base import describe_place, json_figure
from gongkai.rules.docs import render_rule, rule_info
from gongkai.rules.registry import all_rules
from gongkai.views.cli import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE_OR_IO,
    LimitOption,
    OutputFormat,
    ParseBatch,
    WorkersOption,
    app,
    err,
    limits_or_exit,
    out,
    write_json_line,
)
from gongkai.views.i18n import lang, t

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
MAX_FIGURES = 8


def _config_or_exit(
    config: Path | None, select: list[str] | None, extend_select: list[str], ignore: list[str]
) -> CheckConfig:
    try:
        base = load_config(config) if config is not None else load_config()
        return base.with_cli(select=select, extend_select=extend_select, ignore=ignore)
    except ConfigError as exc:
        err.print(f"[bold red]{t('配置错误', 'Configuration error')}[/] {escape(exc.message(lang()))}", highlight=False)
        raise typer.Exit(EXIT_USAGE_OR_IO) from None


@app.command()
def check(
    paths: Annotated[list[Path], typer.Argument(help="报告文件或文件夹 / report files or folders")],
    output: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="text: 按文件列出 / grouped by file; json: JSON Lines")
    ] = OutputFormat.text,
    select: Annotated[
        list[str] | None, typer.Option("--select", help="只运行这些规则（代码、前缀或 ALL，逗号分隔）/ rules to run")
    ] = None,
    extend_select: Annotated[
        list[str] | None, typer.Option("--extend-select", help="在配置之外再运行这些规则 / rules to add")
    ] = None,
    ignore: Annotated[list[str] | None, typer.Option("--ignore", help="不运行这些规则 / rules to skip")] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="配置文件（pyproject.toml 或 gongkai.toml）/ settings file")
    ] = None,
    limit: LimitOption = None,
    workers: WorkersOption = None,
) -> None:
    """审核报告：格式、勾稽关系、时限、正文与表格。Check reports the way a disclosure office reviews them.

    Exit status: 0 no error, 1 at least one finding of severity error, 2 usage error or an
    unreadable file (the other files are still checked).

    Example: gongkai check examples/ --ignore F008 --format json
    """
    cfg = _config_or_exit(config, select, extend_select or [], ignore or [])
    batch = ParseBatch(paths, check=True, config=cfg, limits=limits_or_exit(limit), workers=workers)
    totals: Counter[str] = Counter()
    files = 0
    for outcome in batch:
        if outcome.report is None:
            if output is OutputFormat.json:
                write_json_line(outcome.error_json())
            continue
        report, findings = outcome.report, outcome.findings or []
        counts = Counter(f.severity for f in findings)
        totals.update(counts)
        files += 1
        if output is OutputFormat.json:
            write_json_line(check_json(report, findings))
        else:
            out.print(render_findings(report, findings))
    if output is OutputFormat.text and files > 1:
        out.print(_totals_line(totals, files))
    if batch.failed:
        raise typer.Exit(EXIT_USAGE_OR_IO)
    raise typer.Exit(EXIT_FINDINGS if totals["error"] else EXIT_OK)


def check_json(report: Report, findings: list[Finding]) -> dict[str, Any]:
    """One JSON Lines object of ``gongkai check --format json``."""
    return {
        "source": report.source.to_dict(),
        "findings": [f.to_dict() for f in findings],
        "counts": {s: sum(1 for f in findings if f.severity == s) for s in SEVERITIES},
    }


def _counts_text(counts: Counter[str]) -> str:
    if lang() == "en":
        return ", ".join(f"{counts[s]} {s}{'s' if counts[s] != 1 and s != 'info' else ''}" for s in SEVERITIES)
    return "，".join(f"{counts[s]} 个{SEVERITY_ZH[s]}" for s in SEVERITIES)


def _totals_line(totals: Counter[str], files: int) -> Text:
    text = t(f"共检查 {files} 份报告：", f"Checked {files} reports: ") + _counts_text(totals)
    return Text(text, style="bold")


def _figures_text(figures: dict[str, Any]) -> str:
    items = [(k, json_figure(v)) for k, v in figures.items()]
    if len(items) > MAX_FIGURES:
        shown = [(k, v) for k, v in items if v != 0] or items[:MAX_FIGURES]  # zeros are what hides
        items = shown[:MAX_FIGURES]
        hidden = len(figures) - len(items)
        tail = t(f"  …另 {hidden} 项", f"  … {hidden} more") if hidden else ""
    else:
        tail = ""
    return "  ".join(f"{k}={'空' if v is None and lang() != 'en' else v}" for k, v in items) + tail


def render_findings(report: Report, findings: list[Finding]) -> Group:
    """One file: a heading (path, agency, year), then each finding — code and severity in the
    severity's colour, the place, the message, the figures — then the counts."""
    meta = report.meta
    head = Text(report.source.path, style="bold cyan")
    who = " ".join(x for x in (meta.agency, f"{meta.year}{t('年度', '')}" if meta.year else None) if x)
    if who:
        head.append(f"  {who}", style="dim")
    lines: list[Text] = [head]
    en = lang() == "en"
    indent = " " * (15 if en else 13)  # under the place: "  B001 warning " / "  B001 警告  "
    for f in findings:
        style = SEVERITY_STYLE[f.severity]
        line = Text("  ")
        line.append(f.code, style=style)
        line.append(f" {f.severity:<8}" if en else f" {SEVERITY_ZH[f.severity]}  ", style=style)
        line.append(describe_place(f, meta.format, lang()), style="bold")
        lines.append(line)
        lines.append(Text(indent + t(f.message, f.message_en)))
        if f.figures:
            lines.append(Text(indent + _figures_text(f.figures), style="dim"))
        if f.note and f.note not in f.message:
            lines.append(Text(indent + f.note, style="dim italic"))
    if not findings:
        lines.append(Text("  ✓ " + t("未发现问题", "No findings"), style="green"))
    lines.append(Text("  " + _counts_text(Counter(f.severity for f in findings)), style="dim"))
    lines.append(Text(""))
    return Group(*lines)


@app.command("rules")
def rules_command(
    code: Annotated[str | None, typer.Argument(help="规则代码或名称，如 B001 / a rule code or name")] = None,
    output: Annotated[OutputFormat, typer.Option("--format", "-f", help="text | json")] = OutputFormat.text,
) -> None:
    """列出审核规则，或解释一条规则。List the check rules, or explain one.

    Example: gongkai rules B001
    """
    if code is None:
        rules = all_rules()
        if output is OutputFormat.json:
            print(json.dumps([rule_info(r) for r in rules], ensure_ascii=False, indent=2))
            return
        table = Table(show_header=True, header_style="bold", box=None, padding=(0, 2))
        table.add_column(t("代码", "Code"), no_wrap=True)
        table.add_column(t("级别", "Severity"), no_wrap=True)
        table.add_column(t("名称", "Name"), no_wrap=True)
        table.add_column(t("说明", "What it reports"))
        for r in rules:
            style = SEVERITY_STYLE[r.severity]
            table.add_row(Text(r.code, style=style), Text(r.severity, style=style), r.name, t(r.title_zh, r.title_en))
        out.print(table)
        out.print(
            Text(
                t(
                    "用 gongkai rules 代码 查看说明和示例。",
                    "Run gongkai rules CODE for an explanation and an example.",
                ),
                style="dim",
            )
        )
        return
    try:
        rule = get_rule(code)
    except KeyError:
        hint = t("没有这条规则。用 gongkai rules 查看全部规则。", "No such rule. Run gongkai rules to list them.")
        err.print(f"[bold red]{escape(code)}[/]: {escape(hint)}", highlight=False)
        raise typer.Exit(EXIT_USAGE_OR_IO) from None
    if output is OutputFormat.json:
        print(json.dumps(rule_info(rule), ensure_ascii=False, indent=2))
        return
    text = render_rule(rule).split("\n", 2)[2]  # without the "generated" comment
    out.print(Markdown(text), soft_wrap=False)
