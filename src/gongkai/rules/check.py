"""Run the selected rules over one parsed report."""

from __future__ import annotations

from dataclasses import replace

from gongkai import faults
from gongkai.model import Report
from gongkai.rules.base import Context, Finding, Place, Rule
from gongkai.rules.config import CheckConfig
from gongkai.rules.registry import all_rules


def check_report(report: Report, config: CheckConfig | None = None, *, raise_errors: bool = False) -> list[Finding]:
    """Every finding of the selected rules, sorted by place (report, then the sections in order,
    then row and column). Pure: reads the report, changes nothing.

    A rule that fails gives one ``info`` finding under its own code saying so, never an
    exception — unless *raise_errors* (tests)."""
    faults.inject("check", report.source.path)
    config = config or CheckConfig()
    ctx = Context.for_report(report, config.options)
    findings: list[Finding] = []
    for rule_cls in all_rules():
        if not config.enabled(rule_cls.code):
            continue
        rule = rule_cls()
        severity = config.severity_for(rule.code, rule.severity)
        try:
            produced = list(rule.check(ctx))
        except Exception as exc:
            if raise_errors:
                raise
            produced = [_failure(rule, exc)]
            severity = "info"
        findings.extend(f if f.severity == severity else replace(f, severity=severity) for f in produced)
    findings.sort(key=Finding.sort_key)
    return findings


def _failure(rule: Rule, exc: Exception) -> Finding:
    place = Place.report()
    return Finding(
        code=rule.code,
        severity="info",
        message=f"规则 {rule.code} 未能运行，此项未检查。",
        message_en=f"Rule {rule.code} could not run; this was not checked.",
        note=f"internal error: {type(exc).__name__}: {exc}",
        order=place.order,
    )
