"""check_report skips a rule whose fact (``Rule.needs``) the report's tables lack, and the shared
work the rules read is done once per report: neither may change a finding.

- A rule with ``needs`` finds nothing, run directly, on a report without its fact.
- Every fact of ``Context.facts`` is one some rule needs (no fact is computed for no one).
- The findings of ``check_report`` are those of every rule run directly on a fresh context each.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gongkai.model import Report
from gongkai.pipeline import parse_bytes
from gongkai.rules import all_rules, check_report
from gongkai.rules.base import Context, Finding

ROOT = Path(__file__).resolve().parent.parent.parent
FILES = sorted((ROOT / "tests" / "rules" / "fixtures").glob("*.txt")) + sorted((ROOT / "examples").glob("*.txt"))
RULES = [r for r in all_rules() if r.per_report]


def _report(path: Path) -> Report:
    return parse_bytes(path.read_bytes(), path.name)


@pytest.fixture(scope="module")
def reports() -> list[Report]:
    return [_report(p) for p in FILES if not p.name.endswith(".prev.txt")]


def test_a_rule_finds_nothing_without_its_fact(reports: list[Report]) -> None:
    gated = [r for r in RULES if r.needs is not None]
    assert gated
    for report in reports:
        facts = Context.for_report(report).facts()
        for rule in gated:
            if rule.needs not in facts:
                assert list(rule().check(Context.for_report(report))) == [], (rule.code, report.source.path)


def test_every_fact_is_needed_by_a_rule(reports: list[Report]) -> None:
    needed = {r.needs for r in RULES}
    for report in reports:
        for fact in Context.for_report(report).facts():
            assert fact in needed or fact.startswith("status:"), fact


def test_check_report_is_every_rule_run_alone(reports: list[Report]) -> None:
    for report in reports:
        alone = [f for rule in RULES for f in rule().check(Context.for_report(report))]
        alone.sort(key=Finding.sort_key)
        assert [f.to_dict() for f in check_report(report)] == [f.to_dict() for f in alone], report.source.path
