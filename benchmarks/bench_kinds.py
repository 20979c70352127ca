"""What one report costs a worker, by kind of file: the figures behind docs/scale.md's national year.

    .venv/bin/python benchmarks/bench_kinds.py [-n 200] [--pdf-rounds 5]

For every kind the generator writes (text, HTML, Word, PDF drawn by gongkai.writers) it generates
*n* different reports and runs ``corpus.ingest.process_file`` on each — what an ingest worker does
per file: read, parse, check and turn into rows — and the real published PDFs in
``tests/fixtures/real`` ``--pdf-rounds`` times. It prints the CPU milliseconds per report of each
stage (``ReportRows.timings``), the floor's (``benchmarks/floor.py``: decode, or PDFium's text,
and one regular-expression pass) over the same bytes in the same run, and the ratio. CPU seconds
of this one process: a busy neighbour slows both alike. Timing lives here, never in the tests.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from floor import floor_one

from gongkai.corpus.ingest import process_file

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
STAGES = ("read", "parse", "check", "rows")


def measure(paths: list[Path], rounds: int = 1) -> dict[str, float]:
    """CPU ms per file of each stage and of the floor, over *paths* (each *rounds* times)."""
    for p in paths[:3]:  # imports, format specs, caches of the labels
        process_file(str(p))
    totals = dict.fromkeys((*STAGES, "floor", "failed"), 0.0)
    count = 0
    for _ in range(rounds):
        for p in paths:
            data = p.read_bytes()
            started = time.process_time()
            floor_one(data)
            totals["floor"] += time.process_time() - started
            rows = process_file(str(p))
            totals["failed"] += rows.report.get("status") == "failed"
            for stage in STAGES:
                totals[stage] += rows.timings.get(stage, 0.0)
            count += 1
    return {k: (v * 1000 / count if k != "failed" else v) for k, v in totals.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=200, help="different generated reports per kind")
    ap.add_argument("--pdf-rounds", type=int, default=5, help="passes over the real PDFs")
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    import generate_corpus

    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="gongkai-kinds-") as tmp:
        for kind in ("text", "html", "docx", "pdf"):
            n = args.n if kind != "pdf" else max(10, args.n // 10)  # a drawn PDF costs ~20 text reports
            folder = Path(tmp) / kind
            entries = generate_corpus.generate(folder, n, seed=args.seed, kind_weights={kind: 1.0})
            results[f"{kind} (generated)"] = measure([folder / e.file for e in entries])
    real = sorted((ROOT / "tests" / "fixtures" / "real").glob("*.pdf"))
    if real:
        results["pdf (real, published)"] = measure(real, args.pdf_rounds)

    print(f"{'kind':24} {'total':>8} {'read':>7} {'parse':>7} {'check':>7} {'rows':>6} {'floor':>7} {'×floor':>7}")
    for kind, r in results.items():
        total = sum(r[s] for s in STAGES)
        print(
            f"{kind:24} {total:8.2f} {r['read']:7.2f} {r['parse']:7.2f} {r['check']:7.2f} {r['rows']:6.2f}"
            f" {r['floor']:7.2f} {total / max(r['floor'], 1e-9):6.1f}×"
            + (f"  ({r['failed']:.0f} failed)" if r["failed"] else "")
        )
    print("CPU ms per report of one process (one core); total = read + parse + check + rows")


if __name__ == "__main__":
    main()
