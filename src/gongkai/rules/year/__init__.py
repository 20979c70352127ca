"""Year-over-year rules (family Y): compare an agency's report with its report of the year before.

They need two reports, so they are pure functions of a pair (:meth:`YearRule.check_pair` over two
:class:`YearReport`); :func:`check_pairs` runs them over every pair of consecutive years of one
agency. The application layer (:mod:`gongkai.corpus.year`) loads the pairs from the corpus after
``gongkai ingest`` or an upload and stores the findings on the later report.

Each rule is a :class:`gongkai.rules.base.Rule` (code, templates, options, documentation) whose
per-report ``check`` yields nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from gongkai.rules.registry import register
from gongkai.rules.year.base import YearFinding, YearReport, YearRule, consecutive_pairs
from gongkai.rules.year.y001_carried_over import CarriedOverMismatch
from gongkai.rules.year.y002_in_force import InForceMismatch
from gongkai.rules.year.y003_copied_text import CopiedText

if TYPE_CHECKING:
    from gongkai.rules.config import CheckConfig

YEAR_RULES: tuple[type[YearRule], ...] = (CarriedOverMismatch, InForceMismatch, CopiedText)

# In the catalogue with the other families (``gongkai rules Y001``, config selectors and options);
# their per-report ``check`` yields nothing, so ``check_report`` is unaffected.
for _rule in YEAR_RULES:
    register(_rule)


def year_rule_options() -> dict[str, Any]:
    """Every option of the year rules with its default, by kebab name."""
    return {opt.name: opt.default for rule in YEAR_RULES for opt in rule.options}


def check_pairs(
    reports: Sequence[YearReport], config: CheckConfig | None = None, options: Mapping[str, Any] | None = None
) -> list[YearFinding]:
    """The year-over-year findings of every pair of consecutive reports among *reports*. *config*
    selects rules and sets severities as for ``gongkai check``; *options* are the rules' options
    (defaults: :func:`year_rule_options`)."""
    opts = {**year_rule_options(), **(options or {})}
    pairs = consecutive_pairs(reports)
    out: list[YearFinding] = []
    for rule_cls in YEAR_RULES:
        if config is not None and not config.enabled(rule_cls.code):
            continue
        severity = config.severity_for(rule_cls.code, rule_cls.severity) if config else rule_cls.severity
        rule = rule_cls()
        for previous, current in pairs:
            for finding in rule.check_pair(previous, current, opts):
                if finding.severity != severity:
                    finding = replace(finding, severity=severity)
                out.append(YearFinding(current.id, previous.id, finding))
    return out


def needs() -> tuple[tuple[tuple[str, str], ...], bool]:
    """The (table, row) cells and whether the sections every year rule reads."""
    cells = tuple(dict.fromkeys(c for rule in YEAR_RULES for c in rule.cells))
    return cells, any(rule.sections for rule in YEAR_RULES)


__all__ = [
    "YEAR_RULES",
    "CarriedOverMismatch",
    "CopiedText",
    "InForceMismatch",
    "YearFinding",
    "YearReport",
    "YearRule",
    "check_pairs",
    "needs",
    "year_rule_options",
]
