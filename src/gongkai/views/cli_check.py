"""``gongkai check`` and ``gongkai rules``: review reports like a 政务公开办, explain the rules.

Registered on the main app by importing this module (see the bottom of views/cli.py).
"""

from __future__ import annotations

import inspect
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.cells import cell_len
from rich.console import Group
from rich.markdown import Markdown
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from gongkai.model import Report
from gongkai.rules import SEVERITIES, CheckConfig, ConfigError, Finding, get_rule, load_config
from gongkai.rules.base import SEVERITY_NAMES, describe_place, json_figure, unwrap_zh
from gongkai.rules.docs import render_rule_page, rule_info
from gongkai.rules.registry import all_rules
from gongkai.views.cli import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE_OR_IO,
    LimitOption,
    OutputFormat,
    ParseBatch,
    PathsArgument,
    WorkersOption,
    app,
    err,
    limits_or_exit,
    out,
    write_json_line,
)
from gongkai.views.figures import figure_label, shown_figures
from gongkai.views.i18n import FLAG, lang, metavar, t

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


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
    paths: PathsArgument,
    output: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="text: 按文件列出 / grouped by file; json: JSON Lines")
    ] = OutputFormat.text,
    select: Annotated[
        list[str] | None,
        typer.Option(
            "--select",
            help="只运行这些规则（代码、前缀或 ALL，逗号分隔）/ rules to run",
            metavar=metavar("规则", "CODES"),
        ),
    ] = None,
    extend_select: Annotated[
        list[str] | None,
        typer.Option(
            "--extend-select", help="在配置之外再运行这些规则 / rules to add", metavar=metavar("规则", "CODES")
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option("--ignore", help="不运行这些规则 / rules to skip", metavar=metavar("规则", "CODES")),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="配置文件（pyproject.toml 或 gongkai.toml）/ settings file",
            metavar=metavar("文件", "FILE"),
        ),
    ] = None,
    statistics: Annotated[
        bool,
        typer.Option("--statistics", help="只按规则统计审核发现的条数 / only the count per rule code", metavar=FLAG),
    ] = False,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v", help="也列出未发现问题的文件 / also list the files without findings", metavar=FLAG
        ),
    ] = False,
    limit: LimitOption = None,
    workers: WorkersOption = None,
) -> None:
    """审核报告：格式、勾稽关系、时限、正文与表格。Check reports the way a disclosure office reviews them.

    只列出有审核发现的文件，最后汇总（--verbose 也列出未发现问题的文件）；--statistics 只按规则计数。
    Text output lists only the files with findings, then one summary (--verbose: the clean files
    too); --statistics: only the count per rule code.

    退出状态：0 无错误，1 有 error 级别的发现，2 用法错误或文件无法读取（其他文件照常审核）。
    Exit status: 0 no error, 1 a finding of severity error, 2 usage error or an unreadable file
    (the other files are still checked).

    Example: gongkai check examples/ --ignore F008 --format json
    """
    cfg = _config_or_exit(config, select, extend_select or [], ignore or [])
    batch = ParseBatch(paths, check=True, config=cfg, limits=limits_or_exit(limit), workers=workers)
    tally = Tally()
    for outcome in batch:
        if outcome.report is None:
            tally.unreadable += 1
            if output is OutputFormat.json and not statistics:
                write_json_line(outcome.error_json())
            continue
        report, findings = outcome.report, outcome.findings or []
        tally.add(report, findings)
        if statistics:
            continue
        if output is OutputFormat.json:
            write_json_line(check_json(report, findings))
        elif findings:
            out.print(render_findings(report, findings))
        elif verbose:
            out.print(render_clean(report))
    if statistics:
        if output is OutputFormat.json:
            print(json.dumps(tally.statistics_json(), ensure_ascii=False, indent=2))
        else:
            out.print(render_statistics(tally))
    elif output is OutputFormat.text:
        out.print(render_tally(tally))
    if batch.failed:
        raise typer.Exit(EXIT_USAGE_OR_IO)
    raise typer.Exit(EXIT_FINDINGS if tally.severities["error"] else EXIT_OK)


def check_json(report: Report, findings: list[Finding]) -> dict[str, Any]:
    """One JSON Lines object of ``gongkai check --format json``."""
    return {
        "source": report.source.to_dict(),
        "findings": [f.to_dict() for f in findings],
        "counts": {s: sum(1 for f in findings if f.severity == s) for s in SEVERITIES},
    }


# --- the summary --------------------------------------------------------------------------------


@dataclass(slots=True)
class Tally:
    """What a batch found: files by their worst severity, findings by severity and by code."""

    files: int = 0
    unreadable: int = 0
    worst: Counter[str] = field(default_factory=Counter)  # severity → files whose worst finding it is
    severities: Counter[str] = field(default_factory=Counter)  # severity → findings
    codes: Counter[str] = field(default_factory=Counter)  # code → findings
    code_files: Counter[str] = field(default_factory=Counter)  # code → files with it
    code_severity: dict[str, str] = field(default_factory=dict)  # code → the severity it was found at

    def add(self, report: Report, findings: list[Finding]) -> None:
        self.files += 1
        if findings:
            self.worst[min((f.severity for f in findings), key=SEVERITIES.index)] += 1
        self.severities.update(f.severity for f in findings)
        self.codes.update(f.code for f in findings)
        self.code_files.update({f.code for f in findings})
        for f in findings:
            # a code configured to another severity keeps the most severe it was found at
            known = self.code_severity.get(f.code)
            if known is None or SEVERITIES.index(f.severity) < SEVERITIES.index(known):
                self.code_severity[f.code] = f.severity

    @property
    def clean(self) -> int:
        return self.files - sum(self.worst.values())

    def by_code(self) -> list[tuple[str, int]]:
        """(code, findings), in the catalogue's order (F, B, T, N, Y, then by code)."""
        order = {r.code: i for i, r in enumerate(all_rules())}
        return sorted(self.codes.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))

    def by_count(self) -> list[tuple[str, int]]:
        """(code, findings), most found first."""
        return sorted(self.codes.items(), key=lambda kv: (-kv[1], kv[0]))

    def statistics_json(self) -> list[dict[str, Any]]:
        return [
            {
                "code": code,
                "name": _rule_name(code),
                "severity": self.code_severity[code],
                "count": n,
                "files": self.code_files[code],
            }
            for code, n in self.by_count()
        ]


def _rule_name(code: str) -> str | None:
    try:
        return get_rule(code).name
    except KeyError:
        return None


def _rule_title(code: str) -> str:
    try:
        rule = get_rule(code)
    except KeyError:
        return ""
    return t(rule.title_zh, rule.title_en)


def _severity_text(severity: str) -> str:
    return t(SEVERITY_NAMES[severity][0], severity)


def _counts_text(counts: Counter[str]) -> str:
    if lang() == "en":
        return ", ".join(f"{counts[s]} {s}{'s' if counts[s] != 1 and s != 'info' else ''}" for s in SEVERITIES)
    return "，".join(f"{counts[s]} 个{SEVERITY_NAMES[s][0]}" for s in SEVERITIES)


def _files_line(tally: Tally) -> str:
    w = tally.worst
    zh = (
        f"共检查 {tally.files} 份报告：{w['error']} 份有错误，{w['warning']} 份有警告（无错误），"
        f"{w['info']} 份只有提示，{tally.clean} 份未发现问题"
    )
    en = (
        f"Checked {tally.files} report{'s' if tally.files != 1 else ''}: {w['error']} with errors, "
        f"{w['warning']} with warnings (no error), {w['info']} with notes only, {tally.clean} without findings"
    )
    if tally.unreadable:
        zh += f"；{tally.unreadable} 个文件无法读取"
        en += f"; {tally.unreadable} file{'s' if tally.unreadable != 1 else ''} could not be read"
    return t(zh + "。", en + ".")


TOP_CODES = 3


def render_tally(tally: Tally) -> Group:
    """The summary that ends ``gongkai check``: files checked and how they fared, the findings by
    severity, the findings per rule code and the codes found most."""
    lines: list[Any] = [Text(_files_line(tally), style="bold")]
    total = sum(tally.severities.values())
    if not total:
        lines.append(Text("✓ " + t("未发现问题。", "No findings."), style="green"))
        return Group(*lines)
    lines.append(
        Text(
            t(f"审核发现 {total} 条：", f"{total} finding{'s' if total != 1 else ''}: ")
            + _counts_text(tally.severities)
            + t("。", ".")
        )
    )
    lines.append(Text(t("按规则：", "By rule:")))
    lines.append(_code_table(tally, tally.by_code(), indent=True))
    top = tally.by_count()[:TOP_CODES]
    if len(tally.codes) > 1:
        sep = t("、", ", ")
        lines.append(
            Text(
                t("最多的规则：", "Found most: ")
                + sep.join(
                    t(
                        f"{c}（{n} 条，{tally.code_files[c]} 份）",
                        f"{c} ({n} in {tally.code_files[c]} file{'s' if tally.code_files[c] != 1 else ''})",
                    )
                    for c, n in top
                )
            )
        )
    return Group(*lines)


def _code_table(tally: Tally, rows: list[tuple[str, int]], *, indent: bool) -> Group:
    """One line per code: findings, code, severity, files, the rule's title — aligned by hand (a
    Rich table pads the last column with spaces)."""
    cells: list[tuple[str, str, str, str, str]] = []
    for code, n in rows:
        k = tally.code_files[code]
        cells.append(
            (
                str(n),
                code,
                _severity_text(tally.code_severity[code]),
                t(f"{k} 份", f"{k} file{'s' if k != 1 else ''}"),
                _rule_title(code),
            )
        )
    widths = [max((cell_len(c[i]) for c in cells), default=0) for i in range(4)]
    lines = []
    for count, code, severity, files, title in cells:
        style = SEVERITY_STYLE[tally.code_severity[code]]
        line = Text("  " if indent else "")
        line.append(" " * (widths[0] - cell_len(count)) + count + "  ")
        line.append(code.ljust(widths[1]), style=style)
        line.append("  ")
        line.append(severity + " " * (widths[2] - cell_len(severity)), style=style)
        line.append("  " + files + " " * (widths[3] - cell_len(files)))
        if title:
            line.append("  " + title)
        lines.append(line)
    return Group(*lines)


def render_statistics(tally: Tally) -> Group:
    """``gongkai check --statistics``: the count per rule code, most found first, as ruff does."""
    lines: list[Any] = []
    if tally.codes:
        lines.append(_code_table(tally, tally.by_count(), indent=False))
    total = sum(tally.severities.values())
    lines.append(
        Text(
            t(
                f"共 {total} 条审核发现，{tally.files} 份报告。",
                f"{total} finding{'s' if total != 1 else ''} in {tally.files} report{'s' if tally.files != 1 else ''}.",
            ),
            style="dim",
        )
    )
    return Group(*lines)


# --- one file ------------------------------------------------------------------------------------


def _heading(report: Report) -> Text:
    meta = report.meta
    head = Text(report.source.path, style="bold cyan")
    who = " ".join(x for x in (meta.agency, f"{meta.year}{t('年度', '')}" if meta.year else None) if x)
    if who:
        head.append(f"  {who}", style="dim")
    return head


def render_clean(report: Report) -> Text:
    """A file without findings, on one line (``--verbose``)."""
    line = _heading(report)
    line.append("  ✓ " + t("未发现问题", "No findings"), style="green")
    return line


def render_findings(report: Report, findings: list[Finding]) -> Group:
    """One file: a heading (path, agency, year), then its findings grouped by code in the order
    they first occur — code and severity in the severity's colour, the place, the message, the
    figures; a code found more than once is one heading (its title and how often) with its places
    listed under it — then the counts."""
    meta = report.meta
    lines: list[Text] = [_heading(report)]
    en = lang() == "en"
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.code, []).append(f)
    indent = " " * (15 if en else 13)  # under the place: "  B001 warning " / "  B001 警告  "
    for code, group in groups.items():
        style = SEVERITY_STYLE[group[0].severity]
        line = Text("  ")
        line.append(code, style=style)
        line.append(f" {group[0].severity:<8}" if en else f" {SEVERITY_NAMES[group[0].severity][0]}  ", style=style)
        if len(group) == 1:
            f = group[0]
            line.append(describe_place(f, meta.format, lang()), style="bold")
            lines.append(line)
            lines.extend(_finding_body(f, meta.format, indent))
            continue
        line.append(_rule_title(code), style="bold")
        line.append(t(f"（{len(group)} 处）", f" ({len(group)} places)"), style=style)
        lines.append(line)
        for f in group:
            lines.append(Text(indent + "· " + describe_place(f, meta.format, lang()), style="bold"))
            lines.extend(_finding_body(f, meta.format, indent + "  "))
    lines.append(Text("  " + _counts_text(Counter(f.severity for f in findings)), style="dim"))
    lines.append(Text(""))
    return Group(*lines)


# --- figures --------------------------------------------------------------------------------------


def figure_name(key: str, finding: Finding, format_id: str | None) -> str:
    """A figure's name for people: in English the key; in Chinese :func:`gongkai.views.figures.figure_label`."""
    if lang() == "en":
        return key
    return figure_label(key, code=finding.code, table=finding.table, figures=finding.figures, format_id=format_id)


def figures_text(finding: Finding, format_id: str | None) -> str:
    """The figures under a finding, ``名称=数值`` (``name=value`` in English); a long list shows
    the ones that are not zero."""
    items, hidden = shown_figures([(k, json_figure(v)) for k, v in finding.figures.items()])
    tail = t(f"  …另 {hidden} 项", f"  … {hidden} more") if hidden else ""
    en = lang() == "en"
    return (
        "  ".join(f"{figure_name(k, finding, format_id)}={'空' if v is None and not en else v}" for k, v in items)
        + tail
    )


def _finding_body(f: Finding, format_id: str | None, indent: str) -> list[Text]:
    lines = [Text(indent + t(f.message, f.message_en))]
    if f.figures:
        lines.append(Text(indent + figures_text(f, format_id), style="dim"))
    if f.note and f.note not in f.message:
        lines.append(Text(indent + f.note, style="dim italic"))
    return lines


@app.command("rules")
def rules_command(
    code: Annotated[
        str | None,
        typer.Argument(help="规则代码或名称，如 B001 / a rule code or name", metavar=metavar("代码", "CODE")),
    ] = None,
    output: Annotated[OutputFormat, typer.Option("--format", "-f", help="text | json")] = OutputFormat.text,
) -> None:
    """列出审核规则，或解释一条规则（中文；--lang en 英文）。List the check rules, or explain one.

    The ledger's codes (L001…) are explained too. Example: gongkai rules B001
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
            table.add_row(
                Text(r.code, style=style),
                Text(_severity_text(r.severity), style=style),
                r.name,
                t(r.title_zh, r.title_en),
            )
        out.print(table)
        out.print(
            Text(
                t(
                    "用 gongkai rules 代码 查看说明和示例；申请台账的审核发现（L001…）也可以这样查看。",
                    "Run gongkai rules CODE for an explanation and an example; the ledger's codes (L001…) too.",
                ),
                style="dim",
            )
        )
        return
    try:
        rule = get_rule(code)
    except KeyError:
        ledger_code = _ledger_code(code)
        if ledger_code is not None:
            if output is OutputFormat.json:
                print(json.dumps(_ledger_info(ledger_code), ensure_ascii=False, indent=2))
            else:
                out.print(Markdown(_ledger_page(ledger_code)), soft_wrap=False)
            return
        hint = t("没有这条规则。用 gongkai rules 查看全部规则。", "No such rule. Run gongkai rules to list them.")
        err.print(f"[bold red]{escape(code)}[/]: {escape(hint)}", highlight=False)
        raise typer.Exit(EXIT_USAGE_OR_IO) from None
    if output is OutputFormat.json:
        print(json.dumps(rule_info(rule), ensure_ascii=False, indent=2))
        return
    out.print(Markdown(render_rule_page(rule, lang())), soft_wrap=False)


def _ledger_code(code: str) -> Any:
    """A code of ``gongkai ledger`` (L001…) by code or name, or None."""
    from gongkai.ledger.findings import CODES

    key = code.strip()
    return CODES.get(key.upper()) or next((c for c in CODES.values() if c.name == key.lower()), None)


def _ledger_info(code: Any) -> dict[str, Any]:
    return {
        "code": code.code,
        "name": code.name,
        "family": "L",
        "command": "ledger",
        "severity": code.severity,
        "title": code.title_zh,
        "title_en": code.title_en,
        "message": code.template_zh,
        "message_en": code.template_en,
        "variants": {k: {"message": zh, "message_en": en} for k, (zh, en) in code.variants.items()},
        "explanation": inspect.cleandoc(code.doc_en),
        "explanation_zh": unwrap_zh(inspect.cleandoc(code.doc_zh)),
    }


def _ledger_page(code: Any) -> str:
    """A code of the ledger explained in the current language, as ``gongkai rules`` explains a rule."""
    en = lang() == "en"
    lines = [
        f"# {code.code} {code.name}",
        "",
        f"**{t(code.title_zh, code.title_en)}**",
        "",
        t("- 命令：`gongkai ledger`（docs/ledger.md）", "- Command: `gongkai ledger` (docs/ledger.md)"),
        t(
            f"- 默认级别：`{code.severity}`（{SEVERITY_NAMES[code.severity][0]}）",
            f"- Default severity: `{code.severity}`",
        ),
        t(f"- 消息：{code.template_zh}", f"- Message: {code.template_en}"),
    ]
    for key, (zh, en_) in code.variants.items():
        lines.append(t(f"- 消息 `{key}`：{zh}", f"- Message `{key}`: {en_}"))
    body = inspect.cleandoc(code.doc_en) if en else unwrap_zh(inspect.cleandoc(code.doc_zh))
    return "\n".join([*lines, "", body, ""])
