"""The catalogue: every rule by code, resolvable without running anything.

Codes are public and stable: a code is never reused or renamed. A retired rule keeps its code
in :data:`RETIRED`, so configurations that name it still load. Rules of a new family (Y,
year-over-year) register with :func:`register` when their package is imported; the catalogue
imports the packages named in :data:`FAMILY_PACKAGES` before answering, so what it lists never
depends on what else happens to be imported.
"""

from __future__ import annotations

import importlib
import re

from gongkai.rules.balance.appeals_group_total import AppealsGroupTotal
from gongkai.rules.balance.cumulative_below_annual import CumulativeBelowAnnual
from gongkai.rules.balance.impossible_figure import ImpossibleFigure
from gongkai.rules.balance.requests_column_balance import RequestsColumnBalance
from gongkai.rules.balance.requests_outcome_total import RequestsOutcomeTotal
from gongkai.rules.balance.requests_row_total import RequestsRowTotal
from gongkai.rules.base import FAMILIES, SEVERITIES, Option, Rule
from gongkai.rules.format.blank_value import BlankValue
from gongkai.rules.format.extra_row import ExtraRow
from gongkai.rules.format.inferred_value import InferredValue
from gongkai.rules.format.meta_unresolved import MetaUnresolved
from gongkai.rules.format.missing_row import MissingRow
from gongkai.rules.format.missing_section import MissingSection
from gongkai.rules.format.missing_table import MissingTable
from gongkai.rules.format.not_a_number import NotANumber
from gongkai.rules.format.out_of_range import NumberOutOfRange
from gongkai.rules.format.replaced_bytes import ReplacedBytes
from gongkai.rules.format.run_together import RunTogetherTable
from gongkai.rules.format.stray_values import StrayValues
from gongkai.rules.format.superseded_format import SupersededFormat
from gongkai.rules.format.superseded_row import SupersededRow
from gongkai.rules.format.too_few_values import TooFewValues
from gongkai.rules.format.too_many_values import TooManyValues
from gongkai.rules.format.unit_unknown import UnitUnknown
from gongkai.rules.format.unverifiable_sum import UnverifiableSum
from gongkai.rules.narrative.breakdown_mismatch import BreakdownMismatch
from gongkai.rules.narrative.text_table_mismatch import TextTableMismatch
from gongkai.rules.time.date_contradiction import DateContradiction
from gongkai.rules.time.late_publication import LatePublication
from gongkai.rules.time.published_before_signed import PublishedBeforeSigned
from gongkai.rules.time.timeliness_unverifiable import TimelinessUnverifiable

CODE_RE = re.compile(r"^[A-Z]\d{3}$")
NAME_RE = re.compile(r"^[a-z]+(?:-[a-z]+)*$")

# Retired codes: code → what became of the rule. They still parse as selectors.
RETIRED: dict[str, str] = {}

_RULES: dict[str, type[Rule]] = {}
_version = 0  # one more at each rule registered (catalogue_version)

# Packages whose import registers more rules (family Y: gongkai.rules.year).
FAMILY_PACKAGES: tuple[str, ...] = ("gongkai.rules.year",)
_families_loaded = False


def _load_families() -> None:
    global _families_loaded
    if _families_loaded:
        return
    _families_loaded = True
    for name in FAMILY_PACKAGES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:  # a family not installed in this build
            if exc.name != name:
                raise


def register(rule: type[Rule]) -> type[Rule]:
    """Add a rule to the catalogue (usable as a class decorator). Checks the catalogue's
    invariants: a code is family letter + three digits, codes and names are unique."""
    global _version
    code = rule.code
    if not CODE_RE.match(code) or code[0] not in FAMILIES:
        raise ValueError(f"{rule.__name__}: bad code {code!r} (family letter {'/'.join(FAMILIES)} + 3 digits)")
    if not NAME_RE.match(rule.name):
        raise ValueError(f"{rule.__name__}: name {rule.name!r} is not kebab-case")
    if rule.severity not in SEVERITIES:
        raise ValueError(f"{rule.__name__}: bad severity {rule.severity!r}")
    if code in RETIRED:
        raise ValueError(f"{rule.__name__}: code {code} is retired and may not be reused")
    other = _RULES.get(code)
    if other is not None and other is not rule:
        raise ValueError(f"{rule.__name__}: code {code} already used by {other.__name__}")
    if any(r.name == rule.name and r is not rule for r in _RULES.values()):
        raise ValueError(f"{rule.__name__}: name {rule.name} already used")
    for opt in rule.options:
        for r in _RULES.values():
            for o in r.options:
                if o.name == opt.name and r is not rule and (o.default != opt.default or o.type is not opt.type):
                    raise ValueError(f"{rule.__name__}: option {opt.name} declared differently by {r.__name__}")
    if _RULES.get(code) is not rule:
        _version += 1
    _RULES[code] = rule
    return rule


for _rule in (
    MissingSection, MissingTable, MissingRow, TooManyValues, TooFewValues, NotANumber, SupersededFormat,
    ExtraRow, StrayValues, UnitUnknown, MetaUnresolved, BlankValue, SupersededRow, InferredValue,
    RunTogetherTable, NumberOutOfRange, ReplacedBytes,
    RequestsColumnBalance, RequestsRowTotal, RequestsOutcomeTotal, AppealsGroupTotal, ImpossibleFigure,
    UnverifiableSum, CumulativeBelowAnnual,
    LatePublication, DateContradiction, PublishedBeforeSigned, TimelinessUnverifiable,
    TextTableMismatch, BreakdownMismatch,
):  # fmt: skip
    register(_rule)


def all_rules() -> list[type[Rule]]:
    """Every rule, by family (F, B, T, N, Y) then code."""
    global _sorted
    _load_families()
    if _sorted is None or _sorted[0] != _version:
        order = list(FAMILIES)
        _sorted = (_version, sorted(_RULES.values(), key=lambda r: (order.index(r.code[0]), r.code)))
    return list(_sorted[1])


def catalogue_version() -> int:
    """A number that changes whenever a rule is registered: what was worked out from the
    catalogue (the order of all_rules, check_report's plans) holds while it stays the same."""
    _load_families()
    return _version


_sorted: tuple[int, list[type[Rule]]] | None = None  # the catalogue's version it was sorted at, the rules


def get_rule(code_or_name: str) -> type[Rule]:
    """A rule by code (``B001``, case-insensitive) or kebab name (``requests-column-balance``)."""
    _load_families()
    key = code_or_name.strip()
    rule = _RULES.get(key.upper())
    if rule is not None:
        return rule
    for r in _RULES.values():
        if r.name == key.lower():
            return r
    raise KeyError(code_or_name)


def all_options() -> dict[str, Option]:
    out: dict[str, Option] = {}
    for rule in all_rules():
        for opt in rule.options:
            out.setdefault(opt.name, opt)
    return out


def is_selector(selector: str) -> bool:
    """``ALL``, a code, or a prefix of one (``B``, ``B0``, ``B00``); retired codes too."""
    _load_families()
    s = selector.strip().upper()
    if s == "ALL":
        return True
    if not re.fullmatch(r"[A-Z]\d{0,3}", s):
        return False
    return any(code.startswith(s) for code in [*_RULES, *RETIRED])
