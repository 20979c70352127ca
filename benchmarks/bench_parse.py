"""Parse throughput: many copies of the bundled examples, reports per second and peak memory, and
how far gongkai is from the floor.

    python benchmarks/bench_parse.py [--copies 200] [--files FILE ...]

One run prints gongkai's parse reports/s, parse + check reports/s, the floor's reports/s on the
same bytes (``benchmarks/floor.py``: decode and one regular-expression pass, nothing else) and the
ratios — how many times the floor's time gongkai takes. The ratio is the figure: absolute times
vary on a shared machine. The three are timed copy by copy in turn, so a busy neighbour slows them
alike, and in CPU seconds of this one process (one core); the first two lines keep the wall clock.
Peak memory is the process's maximum resident set (``ru_maxrss``) and, apart, the peak Python
allocation of one pass (tracemalloc).

The copies of five examples repeat the same lines, so whatever gongkai remembers per line of text
(bounded caches: a label's key, a row's reading) always helps there. A second measurement,
``--unique N`` (default 1000, 0 to skip), parses N different reports from
``tools/generate_corpus.py`` (every text layout, agencies of every province, their own figures)
once each, the floor over the same bytes: the figure for a corpus whose reports share only what
real reports share — the format's labels and headings.

Timing lives here, never in the tests.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from floor import floor_one

from gongkai.pipeline import parse_bytes
from gongkai.rules import check_report

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
sys.path.insert(0, str(ROOT / "tools"))


def unique_reports(n: int) -> list[tuple[str, bytes]]:
    """*n* different text reports from the generator (planted errors included), as bytes."""
    import generate_corpus

    with tempfile.TemporaryDirectory() as tmp:
        entries = generate_corpus.generate(Path(tmp), n, seed=7, kind_weights={"text": 1.0})
        return [(Path(e.file).name, (Path(tmp) / e.file).read_bytes()) for e in entries]


def measure_unique(files: list[tuple[str, bytes]]) -> tuple[float, float, float]:
    """Reports per CPU-second for parse, parse + check and the floor, each file once, in turn."""
    cpu_floor = cpu_parse = cpu_check = 0.0
    for name, data in files:
        t0 = time.process_time()
        floor_one(data)
        t1 = time.process_time()
        report = parse_bytes(data, name)
        t2 = time.process_time()
        check_report(report)
        cpu_floor += t1 - t0
        cpu_parse += t2 - t1
        cpu_check += time.process_time() - t2
    n = len(files)
    return n / cpu_parse, n / (cpu_parse + cpu_check), n / cpu_floor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=200, help="copies of each example to parse")
    parser.add_argument("--files", nargs="+", type=Path, help="files to parse instead of examples/*.txt")
    parser.add_argument("--unique", type=int, default=1000, help="different generated reports, each parsed once")
    args = parser.parse_args()
    paths = args.files or sorted(EXAMPLES.glob("*.txt"))
    files = [(p.name, p.read_bytes()) for p in paths]
    for name, data in files:  # warm caches (format specs, OpenCC, region index, imports)
        check_report(parse_bytes(data, name))
        floor_one(data)

    wall = 0.0
    cpu_floor = cpu_parse = cpu_check = 0.0
    count = 0
    total_bytes = 0
    for i in range(args.copies):
        # vary the bytes so that no cache keyed on content can help
        batch = [(name, data + f"\n<!-- copy {i} -->".encode()) for name, data in files]
        t0 = time.process_time()
        for _, data in batch:
            floor_one(data)
        t1 = time.process_time()
        for name, data in batch:
            w0 = time.perf_counter()
            c0 = time.process_time()
            report = parse_bytes(data, name)
            c1 = time.process_time()
            wall += time.perf_counter() - w0
            check_report(report)
            cpu_parse += c1 - c0
            cpu_check += time.process_time() - c1
            count += 1
            total_bytes += len(data)
        cpu_floor += t1 - t0
    # Peak Python allocation for one pass over the examples (tracemalloc slows parsing, so it is
    # measured apart from the timing).
    tracemalloc.start()
    for name, data in files:
        parse_bytes(data + b"\n<!-- traced -->", name)
    _, peak_traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    parse_rate = count / cpu_parse
    check_rate = count / (cpu_parse + cpu_check)
    floor_rate = count / cpu_floor
    print(f"parsed {count} reports ({total_bytes / 1e6:.1f} MB) in {wall:.2f} s")
    print(f"throughput: {count / wall:.1f} reports/s, {total_bytes / 1e6 / wall:.2f} MB/s")
    print(f"parse:        {parse_rate:9.1f} reports/s (one core, CPU time)")
    print(f"parse+check:  {check_rate:9.1f} reports/s")
    print(f"floor:        {floor_rate:9.1f} reports/s (decode + one regex pass over the same bytes)")
    print(f"ratio to the floor: parse {floor_rate / parse_rate:.1f}×, parse+check {floor_rate / check_rate:.1f}×")
    print(f"peak memory: {peak_traced / 1e6:.1f} MB traced by Python, {rss_mb:.0f} MB max RSS")

    if args.unique > 0:
        unique = unique_reports(args.unique)
        u_parse, u_check, u_floor = measure_unique(unique)
        size = sum(len(d) for _, d in unique) / 1e6
        print(f"\n{len(unique)} different generated reports ({size:.1f} MB), each parsed once:")
        print(f"parse:        {u_parse:9.1f} reports/s (one core, CPU time)")
        print(f"parse+check:  {u_check:9.1f} reports/s")
        print(f"floor:        {u_floor:9.1f} reports/s")
        print(f"ratio to the floor: parse {u_floor / u_parse:.1f}×, parse+check {u_floor / u_check:.1f}×")


if __name__ == "__main__":
    main()
