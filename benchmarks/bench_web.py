"""Page times of ``gongkai serve`` on a 10,000-report corpus: median and p95 per page.

    python benchmarks/bench_web.py [--db bench-web.duckdb] [--reports 10000] [--base 400] [--runs 15]

The corpus: ``--base`` reports from ``tools/generate_corpus.py`` (text, every province, agencies
over several years, planted errors) are ingested for real (parsed and checked), then copied inside
the database (new ids, hashes and agency names; same regions, values and findings) until it holds
``--reports`` reports. An existing database with enough reports is reused.

Each page is requested through the ASGI app in-process (routing, queries, templates, JSON/CSV
encoding included; no network), after a warm-up. The times are cold: the app's cache of derived
pages (regions, the problem list; see ``WebDB.cached``) is cleared before every request, so they
are what the first reviewer after an ingest waits; ``warm`` is the same page asked again. Target:
every page under 300 ms at the median (cold).
Timing lives here, never in the tests.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 300.0


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("generate_corpus", ROOT / "tools" / "generate_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_corpus"] = module
    spec.loader.exec_module(module)
    return module


COPY_STEP = 1 << 52  # copies get ids id % 2^52 + k * 2^52: distinct from each other and the base


def build(db: Path, reports: int, base: int) -> None:
    from gongkai.corpus.ingest import ingest
    from gongkai.store.db import Store

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        _generator().generate(Path(tmp), base, seed=11, error_rate=0.2, kind_weights={"text": 1.0})
        print(f"generated {base} reports in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        t0 = time.perf_counter()
        with Store(db) as store:
            ingest([Path(tmp), ROOT / "examples"], store, workers=os.cpu_count() or 1)
            n_base = store.count("reports")
            print(f"ingested {n_base} reports in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
            t0 = time.perf_counter()
            copies = max(0, -(-(reports - n_base) // n_base))
            con = store.con
            con.execute("BEGIN TRANSACTION")
            for k in range(1, copies + 1):
                new_id = f"(id % {COPY_STEP}) + {k} * {COPY_STEP}"
                con.execute(
                    f"""INSERT INTO reports SELECT * REPLACE (
                      {new_id} AS id, sha256(sha256 || '{k}') AS sha256,
                      agency || '{k}' AS agency, agency_norm || '{k}' AS agency_norm,
                      agency_key || '{k}' AS agency_key)
                    FROM reports WHERE id < {COPY_STEP}"""
                )
                for table in ('"values"', "sections", "findings"):
                    con.execute(
                        f"INSERT INTO {table} SELECT * REPLACE (({new_id.replace('id', 'report')}) AS report)"
                        f" FROM {table} WHERE report < {COPY_STEP}"
                    )
                con.execute(
                    f"UPDATE findings SET related_report = (related_report % {COPY_STEP}) + {k} * {COPY_STEP}"
                    f" WHERE report >= {k} * {COPY_STEP} AND report < {k + 1} * {COPY_STEP}"
                    " AND related_report IS NOT NULL"
                )
            # Generated reports are mostly clean; give every copy the findings of one of the real
            # examples (6.4 on average), so the problem list has a real corpus's load.
            con.execute(
                f"""INSERT INTO findings
                WITH ex AS (
                  SELECT f.*, dense_rank() OVER (ORDER BY f.report) - 1 AS pick FROM findings f
                  WHERE f.report IN (SELECT id FROM reports WHERE path LIKE '%examples%')),
                copies AS (SELECT id, hash(id) % 5 AS pick FROM reports WHERE id >= {COPY_STEP})
                SELECT c.id, ex.seq + 1000, ex.origin, ex.code, ex.severity, ex.message, ex.message_en, ex.section,
                  ex."table", ex."row", ex."column", ex.line, ex.page, ex.figures, ex.note, NULL
                FROM copies c JOIN ex ON ex.pick = c.pick"""
            )
            con.execute("COMMIT")
            # Trim to the number asked for.
            extra = store.count("reports") - reports
            if extra > 0:
                con.execute(
                    f"DELETE FROM reports WHERE id IN (SELECT id FROM reports WHERE id >= {COPY_STEP}"
                    f" ORDER BY id DESC LIMIT {extra})"
                )
                for table in ('"values"', "sections", "findings"):
                    con.execute(f"DELETE FROM {table} WHERE report NOT IN (SELECT id FROM reports)")
            con.execute("CHECKPOINT")
            print(
                f"copied to {store.count('reports')} reports, {store.count('values')} values, "
                f"{store.count('findings')} findings in {time.perf_counter() - t0:.1f} s",
                file=sys.stderr,
            )


def pages(db: Any) -> list[tuple[str, list[str]]]:
    """(name, URLs to cycle through) for every page and twin."""
    ids = [r[0] for r in db.tuples("SELECT id FROM reports WHERE status = 'ok' ORDER BY hash(id) LIMIT 40")]
    busy = [
        r[0]
        for r in db.tuples(
            "SELECT agency_key FROM reports WHERE agency_key IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 20"
        )
    ]
    provinces = [
        r[0]
        for r in db.tuples(
            "SELECT substr(region_code, 1, 2) || '0000' FROM reports WHERE region_code IS NOT NULL"
            " GROUP BY 1 ORDER BY count(*) DESC LIMIT 10"
        )
    ]
    counties = [
        r[0]
        for r in db.tuples(
            "SELECT region_code FROM reports WHERE region_code IS NOT NULL AND NOT region_code LIKE '%00'"
            " GROUP BY 1 ORDER BY count(*) DESC LIMIT 10"
        )
    ]
    province_names = [
        r[0]
        for r in db.tuples(
            "SELECT province FROM reports WHERE province IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 5"
        )
    ]
    year = db.scalar('SELECT max("year") - 1 FROM reports')
    agency = [f"/agencies/{quote(k, safe='')}" for k in busy]
    return [
        ("problems /", ["/"]),
        ("problems, page 3", ["/?page=3"]),
        ("problems by province", [f"/?province={quote(p)}" for p in province_names]),
        ("problems by year+severity", [f"/?year={year}&severity=error"]),
        ("problems by rule", ["/?code=B003", "/?code=F", "/?code=Y001"]),
        ("problems search", [f"/?q={quote(q)}" for q in ("公安", "教育局", "镇")]),
        ("problems .json", ["/index.json"]),
        ("upload form", ["/upload"]),
        ("report view", [f"/reports/{i}" for i in ids]),
        ("report .json", [f"/reports/{i}.json" for i in ids]),
        ("report table .csv", [f"/reports/{i}.csv?table=requests" for i in ids]),
        ("report .xlsx", [f"/reports/{i}.xlsx" for i in ids[:10]]),
        ("agency", agency),
        ("agency .json", [a + ".json" for a in agency]),
        ("region: all", [f"/regions?year={year}"]),
        ("region: province", [f"/regions/{c}?year={year}" for c in provinces]),
        ("region: county", [f"/regions/{c}?year={year}" for c in counties]),
        ("region .xlsx", [f"/regions/{provinces[0]}.xlsx?year={year}"]),
        ("rules", ["/rules"]),
        ("api findings", ["/api/findings?limit=100", f"/api/findings?severity=error&year={year}&limit=100"]),
        ("api reports", ["/api/reports?limit=100"]),
        ("problems .csv (all findings)", [f"/index.csv?table=findings&year={year}&code=B"]),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "gongkai-bench-web.duckdb")
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--base", type=int, default=400, help="reports generated and ingested for real")
    parser.add_argument("--runs", type=int, default=15, help="timed requests per page")
    args = parser.parse_args()

    from gongkai.views.web.app import create_app
    from gongkai.views.web.command import asgi_request
    from gongkai.views.web.db import WebDB

    if args.db.exists():
        import duckdb

        with duckdb.connect(str(args.db), read_only=True) as con:
            row = con.execute("SELECT count(*) FROM reports").fetchone()
            have = row[0] if row else 0
        if have < args.reports:
            args.db.unlink()
    if not args.db.exists():
        build(args.db, args.reports, args.base)

    db = WebDB(args.db, uploads_dir=Path(tempfile.mkdtemp(prefix="gongkai-bench-uploads-")))
    app = create_app(db)
    n_reports = db.scalar("SELECT count(*) FROM reports")
    n_findings = db.scalar("SELECT count(*) FROM findings")
    n_values = db.scalar('SELECT count(*) FROM "values"')
    print(f"database {args.db}: {n_reports:,} reports, {n_values:,} values, {n_findings:,} findings")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{os.cpu_count()} CPUs, load average {load:.1f} at the start (other work on the machine skews the times)")
    print(f"{'page':30} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'warm ms':>8}  {'bytes':>9}")
    worst = 0.0
    slow: list[str] = []

    def timed(url: str) -> tuple[float, int]:
        t0 = time.perf_counter()
        status, _h, body = asgi_request(app, "GET", url)
        elapsed = (time.perf_counter() - t0) * 1000
        assert status == 200, (url, status, body[:300])
        return elapsed, len(body)

    for name, urls in pages(db):
        for url in urls[:2]:  # warm-up: Python, templates, DuckDB's buffers
            timed(url)
        cold: list[float] = []
        size = 0
        for i in range(args.runs):
            db.clear_cache()  # cold: nothing remembered from the request before
            ms, size = timed(urls[i % len(urls)])
            cold.append(ms)
        warm = [timed(urls[i % len(urls)])[0] for i in range(args.runs)]
        cold.sort()
        median = statistics.median(cold)
        p95 = cold[min(len(cold) - 1, round(0.95 * (len(cold) - 1)))]
        flag = "" if median < TARGET_MS else "  > target"
        print(f"{name:30} {median:10.1f} {p95:8.1f} {cold[-1]:8.1f} {statistics.median(warm):8.1f}  {size:9,}{flag}")
        if "(all findings)" not in name:
            worst = max(worst, median)
            if median >= TARGET_MS:
                slow.append(name)
    db.close()
    verdict = "every page under" if not slow else f"over target: {', '.join(slow)}; target"
    print(f"slowest page median {worst:.1f} ms — {verdict} {TARGET_MS:.0f} ms")


if __name__ == "__main__":
    main()
