"""What checking costs on top of parsing: many copies of the bundled examples, parse time vs
parse + check time, and peak memory.

    python benchmarks/bench_check.py [--copies 200]

Each copy is checked right after it is parsed, as a pipeline does; the times are CPU seconds of
this one process (a busy neighbour on a shared machine slows the wall clock, not these), and
``check`` is check_report alone per report. The budget: checking adds less than 20% to the time
it takes to parse. Timing lives here, never in the tests.
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc
from pathlib import Path

from gongkai.pipeline import parse_bytes
from gongkai.rules import check_report

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
BUDGET = 0.20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=200, help="copies of each example")
    args = parser.parse_args()
    files = [(p.name, p.read_bytes()) for p in sorted(EXAMPLES.glob("*.txt"))]
    for name, data in files:  # warm caches (format specs, OpenCC, region index, regexes)
        check_report(parse_bytes(data, name))

    # Vary the bytes so that no cache keyed on content can help.
    copies = [(name, data + f"\n<!-- copy {i} -->".encode()) for i in range(args.copies) for name, data in files]

    parse_time = check_time = 0.0
    findings = 0
    for name, data in copies:
        t0 = time.process_time()
        report = parse_bytes(data, name)
        t1 = time.process_time()
        findings += len(check_report(report))
        t2 = time.process_time()
        parse_time += t1 - t0
        check_time += t2 - t1

    tracemalloc.start()
    for name, data in files:
        parse_bytes(data + b"\n<!-- traced -->", name)
    _, peak_parse = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    for name, data in files:
        check_report(parse_bytes(data + b"\n<!-- traced -->", name))
    _, peak_both = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    n = len(copies)
    share = check_time / parse_time
    print(f"reports: {n} ({args.copies} copies of {len(files)} examples), findings: {findings}")
    print(f"parse:         {parse_time:.2f} s  ({parse_time / n * 1000:.2f} ms/report)")
    print(f"parse + check: {parse_time + check_time:.2f} s  ({(parse_time + check_time) / n * 1000:.2f} ms/report)")
    print(f"check:         {check_time:.2f} s  ({check_time / n * 1e6:.0f} µs/report, CPU)")
    print(f"check adds:    {share:.1%} of parse time  (budget {BUDGET:.0%}: {'ok' if share < BUDGET else 'OVER'})")
    print(
        f"peak memory:   {peak_parse / 1e6:.1f} MB parse, {peak_both / 1e6:.1f} MB parse + check (traced); "
        f"{rss_mb:.0f} MB max RSS"
    )


if __name__ == "__main__":
    main()
