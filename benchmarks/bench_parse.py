"""Parse throughput: many copies of the bundled examples, reports per second and peak memory.

    python benchmarks/bench_parse.py [--copies 200]

Timing lives here, never in the tests.
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc
from pathlib import Path

from gongkai.pipeline import parse_bytes

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=200, help="copies of each example to parse")
    args = parser.parse_args()
    files = [(p.name, p.read_bytes()) for p in sorted(EXAMPLES.glob("*.txt"))]
    parse_bytes(files[0][1], files[0][0])  # warm caches (format specs, OpenCC, region index)

    start = time.perf_counter()
    count = 0
    total_bytes = 0
    for i in range(args.copies):
        for name, data in files:
            # vary the bytes so that no cache keyed on content can help
            parse_bytes(data + f"\n<!-- copy {i} -->".encode(), name)
            count += 1
            total_bytes += len(data)
    elapsed = time.perf_counter() - start
    # Peak Python allocation for one pass over the examples (tracemalloc slows parsing, so it is
    # measured apart from the timing).
    tracemalloc.start()
    for name, data in files:
        parse_bytes(data + b"\n<!-- traced -->", name)
    _, peak_traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"parsed {count} reports ({total_bytes / 1e6:.1f} MB) in {elapsed:.2f} s")
    print(f"throughput: {count / elapsed:.1f} reports/s, {total_bytes / 1e6 / elapsed:.2f} MB/s")
    print(f"peak memory: {peak_traced / 1e6:.1f} MB traced by Python, {rss_mb:.0f} MB max RSS")


if __name__ == "__main__":
    main()
