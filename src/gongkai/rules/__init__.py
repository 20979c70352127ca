"""``gongkai check``: review a report the way a 政务公开办 does.

Every rule has a public, stable code — family letter plus three digits: F format, B balance,
T time, N narrative (Y is reserved for year-over-year rules) — a default severity and its
documentation on the class (``gongkai rules CODE``, docs/rules/<CODE>.md).

    >>> from gongkai.pipeline import parse_path
    >>> from gongkai.rules import check_report
    >>> [f.code for f in check_report(parse_path("examples/002_8d33ec1681c31461.txt"))]  # doctest: +SKIP
    ['T001', 'F012', 'F012']

The contract other modules code against: ``check_report``, ``Finding`` (``to_dict()`` keys:
code, severity, message, message_en, section, table, row, column, line, page, figures, note),
``all_rules``, ``CheckConfig``, ``load_config``.
"""

from gongkai.rules.base import SEVERITIES, Finding, Option, Rule, Severity
from gongkai.rules.check import check_report
from gongkai.rules.config import CheckConfig, ConfigError, load_config
from gongkai.rules.registry import all_rules, get_rule, register

__all__ = [
    "SEVERITIES",
    "CheckConfig",
    "ConfigError",
    "Finding",
    "Option",
    "Rule",
    "Severity",
    "all_rules",
    "check_report",
    "get_rule",
    "load_config",
    "register",
]
