"""The year-over-year rules over the corpus: after an ingest or an upload, recompute the findings
of every agency whose reports changed.

The rules are pure functions of two reports (:mod:`gongkai.rules.year`); the store loads the pairs
(:func:`gongkai.store.year.year_reports`) and keeps the findings (``origin = 'year'`` on the later
report, ``related_report`` naming the earlier one). Agencies are matched by
``reports.agency_key`` (see :mod:`gongkai.store.agency`).

The agencies are taken a group at a time: a group is loaded (only the cells and sections the rules
read), checked and its findings committed before the next is loaded, so that memory holds one
group whatever the corpus's size, a killed run keeps the groups done (the others stay pending), and
between two groups the database is let go of when another process waits for it (a ``gongkai
serve`` answering pages, a ``sum``): the phase takes turns like the writing of the reports.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from gongkai import faults
from gongkai.rules.year import YearFinding, check_pairs, needs
from gongkai.store import turns
from gongkai.store.year import year_finding_rows, year_reports

if TYPE_CHECKING:
    from gongkai.rules.config import CheckConfig
    from gongkai.store.db import Store

KEYS_PER_QUERY = 500  # agencies loaded at once (about 1,600 reports: a few MB of cells and sections)
YEAR_MEMORY = "96MB"  # DuckDB's memory limit meanwhile: each group's queries need little
YEAR_THREADS = 1  # the rules run in Python, one group at a time: a second DuckDB thread only adds memory
RELEASE_SECONDS = 30.0  # the database is let go of at least this often, for those that cannot say they wait


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
    were stored. A group of agencies whose rules fail is run again agency by agency; an agency
    that still fails keeps its earlier findings, stays pending and is appended to *failed* as
    (agency, reason). *keys_per_query* agencies are loaded, checked and committed at once (more:
    fewer scans of a Parquet dataset, more section texts in memory); between two groups the
    database is let go of when another process waits for it."""
    keys = list(agency_keys) if agency_keys is not None else store.pending_agencies()
    if not keys:
        return 0
    opts = {**(dict(config.options) if config else {}), **(options or {})}
    stored = 0
    starts = range(0, len(keys), keys_per_query)
    watcher = _watcher(store) if len(starts) > 1 else None
    released = time.monotonic()
    try:
        with store.limited(memory=YEAR_MEMORY, threads=YEAR_THREADS):
            for start in starts:
                # between two groups, whoever waits goes first
                if watcher is not None and start > 0 and _turn_due(watcher, released):
                    store.release()  # opened again, waiting its turn, by the group's first query
                    turns.let_waiting_go(watcher)
                    released = time.monotonic()
                piece = keys[start : start + keys_per_query]
                found, done = _check_group(store, piece, config, opts, failed)
                rows = year_finding_rows(found)
                del found
                store.replace_year_findings(done, rows)
                stored += len(rows)
    finally:
        if watcher is not None:
            watcher.close()
    return stored


def _turn_due(watcher: turns.Watcher, released: float) -> bool:
    return watcher.others_waiting() or time.monotonic() - released >= RELEASE_SECONDS


def _watcher(store: Store) -> turns.Watcher | None:
    """Who waits for the database file (None for a dataset: its files are never held)."""
    from gongkai.store.dataset import DatasetStore

    return None if isinstance(store, DatasetStore) else turns.Watcher(store.path)


def _check_group(
    store: Store,
    keys: Sequence[str],
    config: CheckConfig | None,
    opts: Mapping[str, Any],
    failed: list[tuple[str, str]] | None,
) -> tuple[list[YearFinding], list[str]]:
    """The findings of *keys*, and the agencies they are complete for; an agency whose rules fail
    is named in *failed* and left out."""
    try:
        return _check_agencies(store, keys, config, opts), list(keys)
    except Exception:
        pass
    found: list[YearFinding] = []
    done: list[str] = []
    for key in keys:
        try:
            found.extend(_check_agencies(store, [key], config, opts))
            done.append(key)
        except Exception as exc:
            if failed is not None:
                failed.append((key, f"{type(exc).__name__}: {exc}"[:300]))
    return found, done


def _check_agencies(
    store: Store, keys: Sequence[str], config: CheckConfig | None, opts: Mapping[str, Any]
) -> list[YearFinding]:
    for key in keys:
        faults.inject("year", key)
    cells, sections = needs()
    return check_pairs(year_reports(store, keys, cells, sections), config, opts)
