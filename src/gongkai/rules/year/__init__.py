"""Year-over-year rules (family Y): compare an agency's report with its report of the year before.

They need two reports, so they run over the corpus database after ``gongkai ingest`` rather than
on one parsed report: :func:`run_year_rules` recomputes the findings of every agency whose
reports changed (``pending_year_checks``) and stores them in ``findings`` with ``origin = 'year'``
on the later report, ``related_report`` naming the earlier one. Agencies are matched by
``reports.agency_key`` (see :mod:`gongkai.store.agency`).

Each rule is a :class:`gongkai.rules.base.Rule` (code, templates, options, documentation) whose
per-report ``check`` yields nothing; its ``check_store`` does the work.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from gongkai import faults
from gongkai.rules.registry import register
from gongkai.rules.year.base import YearFinding, YearRule
from gongkai.rules.year.y001_carried_over import CarriedOverMismatch
from gongkai.rules.year.y002_in_force import InForceMismatch
from gongkai.rules.year.y003_copied_text import CopiedText

if TYPE_CHECKING:
    from gongkai.rules.config import CheckConfig
    from gongkai.store.db import Store

YEAR_RULES: tuple[type[YearRule], ...] = (CarriedOverMismatch, InForceMismatch, CopiedText)
KEYS_PER_QUERY = 500

# In the catalogue with the other families (``gongkai rules Y001``, config selectors and options);
# their per-report ``check`` yields nothing, so ``check_report`` is unaffected.
for _rule in YEAR_RULES:
    register(_rule)


def year_rule_options() -> dict[str, Any]:
    """Every option of the year rules with its default, by kebab name."""
    return {opt.name: opt.default for rule in YEAR_RULES for opt in rule.options}


def run_year_rules(
    store: Store,
    *,
    config: CheckConfig | None = None,
    options: Mapping[str, Any] | None = None,
    agency_keys: Sequence[str] | None = None,
    failed: list[tuple[str, str]] | None = None,
) -> int:
    """Recompute the year-over-year findings of *agency_keys* (default: the agencies pending since
    their reports changed) and store them. *config* selects rules and sets severities and
    options as for ``gongkai check``; *options* override its options. Returns how many findings
    were stored. A slice of agencies whose rules fail is run again agency by agency; an agency
    that still fails keeps its earlier findings and is appended to *failed* as (agency, reason)."""
    from gongkai.rules.year.base import finding_rows_by_report

    keys = list(agency_keys) if agency_keys is not None else store.pending_agencies()
    if not keys:
        return 0
    opts = {**year_rule_options(), **(dict(config.options) if config else {}), **(options or {})}
    found: list[YearFinding] = []
    done: list[str] = []
    # In slices of agencies, so that the section texts compared never all sit in memory.
    for start in range(0, len(keys), KEYS_PER_QUERY):
        piece = keys[start : start + KEYS_PER_QUERY]
        try:
            found.extend(_check_agencies(store, piece, config, opts))
            done.extend(piece)
        except Exception:
            for key in piece:
                try:
                    found.extend(_check_agencies(store, [key], config, opts))
                    done.append(key)
                except Exception as exc:
                    if failed is not None:
                        failed.append((key, f"{type(exc).__name__}: {exc}"[:300]))
    rows = finding_rows_by_report(found)
    store.replace_year_findings(done, rows)
    return len(rows)


def _check_agencies(
    store: Store, keys: Sequence[str], config: CheckConfig | None, opts: Mapping[str, Any]
) -> list[YearFinding]:
    for key in keys:
        faults.inject("year", key)
    out: list[YearFinding] = []
    for rule_cls in YEAR_RULES:
        if config is not None and not config.enabled(rule_cls.code):
            continue
        severity = config.severity_for(rule_cls.code, rule_cls.severity) if config else rule_cls.severity
        for yf in rule_cls().check_store(store, keys, opts):
            if yf.finding.severity != severity:
                yf = YearFinding(yf.report, yf.related, replace(yf.finding, severity=severity))
            out.append(yf)
    return out


__all__ = [
    "YEAR_RULES",
    "CarriedOverMismatch",
    "CopiedText",
    "InForceMismatch",
    "YearFinding",
    "YearRule",
    "run_year_rules",
    "year_rule_options",
]
