"""The year-over-year rules over the corpus: after an ingest or an upload, recompute the findings
of every agency whose reports changed.

The rules are pure functions of two reports (:mod:`gongkai.rules.year`); the store loads the pairs
(:func:`gongkai.store.year.year_reports`) and keeps the findings (``origin = 'year'`` on the later
report, ``related_report`` naming the earlier one). Agencies are matched by
``reports.agency_key`` (see :mod:`gongkai.store.agency`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from gongkai import faults
from gongkai.rules.year import YearFinding, check_pairs, needs
from gongkai.store.year import year_finding_rows, year_reports

if TYPE_CHECKING:
    from gongkai.rules.config import CheckConfig
    from gongkai.store.db import Store

KEYS_PER_QUERY = 500  # agencies loaded at once, so that the section texts never all sit in memory


def run_year_rules(
    store: Store,
    *,
    config: CheckConfig | None = None,
    options: Mapping[str, Any] | None = None,
    agency_keys: Sequence[str] | None = None,
    failed: list[tuple[str, str]] | None = None,
    keys_per_query: int = KEYS_PER_QUERY,
) -> int:
    """Recompute the year-over-year findings of *agency_keys* (default: the agencies pending since
    their reports changed) and store them. *config* selects rules and sets severities and
    options as for ``gongkai check``; *options* override its options. Returns how many findings
    were stored. A slice of agencies whose rules fail is run again agency by agency; an agency
    that still fails keeps its earlier findings and is appended to *failed* as (agency, reason).
    *keys_per_query* agencies are loaded at once (more: fewer scans of a Parquet dataset, more
    section texts in memory)."""
    keys = list(agency_keys) if agency_keys is not None else store.pending_agencies()
    if not keys:
        return 0
    opts = {**(dict(config.options) if config else {}), **(options or {})}
    found: list[YearFinding] = []
    done: list[str] = []
    for start in range(0, len(keys), keys_per_query):
        piece = keys[start : start + keys_per_query]
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
    rows = year_finding_rows(found)
    store.replace_year_findings(done, rows)
    return len(rows)


def _check_agencies(
    store: Store, keys: Sequence[str], config: CheckConfig | None, opts: Mapping[str, Any]
) -> list[YearFinding]:
    for key in keys:
        faults.inject("year", key)
    cells, sections = needs()
    return check_pairs(year_reports(store, keys, cells, sections), config, opts)
