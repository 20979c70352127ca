"""Run the selected rules over one parsed report."""

from __future__ import annotations

from typing import Any

from gongkai import faults
from gongkai.memo import remember
from gongkai.model import Report
from gongkai.rules.base import Context, Finding, Place, Rule
from gongkai.rules.config import CheckConfig
from gongkai.rules.registry import all_rules, catalogue_version


def check_report(report: Report, config: CheckConfig | None = None, *, raise_errors: bool = False) -> list[Finding]:
    """Every finding of the selected rules, sorted by place (report, then the sections in order,
    then row and column). Pure: reads the report, changes nothing.

    A rule that fails gives one ``info`` finding under its own code saying so, never an
    exception — unless *raise_errors* (tests)."""
    faults.inject("check", report.source.path)
    config = config or _DEFAULT
    ctx = Context.for_report(report, config.options)
    findings: list[Finding] = []
    facts: frozenset[str] | None = None
    for rule in _plan(config):
        if rule.needs is not None:
            if facts is None:
                facts = ctx.facts()
            if rule.needs not in facts:
                continue  # the report has nothing this rule reports
        try:
            produced = list(rule.check(ctx))  # a rule that fails gives none of its findings
        except Exception as exc:
            if raise_errors:
                raise
            produced = [_failure(rule, exc)]
        findings.extend(produced)
    findings.sort(key=Finding.sort_key)
    return findings


_DEFAULT = CheckConfig()
# The rules a configuration runs, by what decides them: worked out once, not per report (rules
# are stateless; one instance of each serves every report). Each instance carries the severity
# the configuration gives its rule, so that its findings are made with it. A rule with nothing
# to say about one report alone (the year rules, ``per_report = False``) is not run.
_PLANS: dict[tuple[Any, ...], list[Rule]] = {}


def _plan(config: CheckConfig) -> list[Rule]:
    key = (
        catalogue_version(),
        config.select,
        config.extend_select,
        config.ignore,
        tuple(config.severity.items()),
        config.cli,
    )
    plan = _PLANS.get(key)
    if plan is None:
        plan = []
        for rule_cls in all_rules():
            if rule_cls.per_report and config.enabled(rule_cls.code):
                plan.append(rule_cls(config.severity_for(rule_cls.code, rule_cls.severity)))
        remember(_PLANS, 64, key, plan)
    return plan


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
