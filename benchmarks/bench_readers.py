"""Reader throughput per input format: reports/s and peak memory.

The inputs are generated from the five seeds in ``examples/``: each seed is parsed from its text,
then rendered by the writers as Word-style HTML, a CMS page with site chrome, GBK HTML without a
meta charset, .docx and PDF (table 三 over a page break). For every format the benchmark times
``read_bytes`` (the reader alone) and ``parse_bytes`` (the whole pipeline), and measures the peak
Python allocation of one parse with tracemalloc.

    .venv/bin/python benchmarks/bench_readers.py [--rounds N]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from gongkai.model import Report  # noqa: E402
from gongkai.pipeline import parse_bytes  # noqa: E402
from gongkai.readers import read_bytes  # noqa: E402
from gongkai.writers.docx import to_docx  # noqa: E402
from gongkai.writers.html import to_html  # noqa: E402
from gongkai.writers.pdf import to_pdf  # noqa: E402

FORMATS: dict[str, Callable[[Report], bytes] | None] = {
    "text": None,  # the seed file itself
    "html-word": lambda r: to_html(r, style="word"),
    "html-cms-page": lambda r: to_html(r, style="cms", page_chrome=True),
    "html-gbk-nometa": lambda r: to_html(r, style="cms", encoding="gbk", meta_charset=False),
    "docx": to_docx,
    "pdf": to_pdf,
}


def _rate(fn: Callable[[bytes, str], object], files: list[bytes], rounds: int) -> float:
    start = time.perf_counter()
    n = 0
    for _ in range(rounds):
        for data in files:
            fn(data, "bench")
            n += 1
    return n / (time.perf_counter() - start)


def _peak_kib(fn: Callable[[bytes, str], object], files: list[bytes]) -> float:
    peak = 0
    for data in files:
        tracemalloc.start()
        fn(data, "bench")
        _, p = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        peak = max(peak, p)
    return peak / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3, help="passes over the five files per format (default 3)")
    args = ap.parse_args()

    seeds = sorted((ROOT / "examples").glob("*.txt"))
    texts = [p.read_bytes() for p in seeds]
    reports = [parse_bytes(t, str(p)) for t, p in zip(texts, seeds, strict=True)]
    inputs: dict[str, list[bytes]] = {}
    for name, writer in FORMATS.items():
        inputs[name] = texts if writer is None else [writer(r) for r in reports]
        parse_bytes(inputs[name][0], "warm-up")  # imports and caches out of the timing

    print(f"{len(seeds)} seed reports × {args.rounds} rounds per format")
    print(f"{'format':<16} {'KiB/file':>9} {'read/s':>9} {'parse/s':>9} {'peak KiB':>10}")
    for name, files in inputs.items():
        size = sum(len(f) for f in files) / len(files) / 1024
        read_rate = _rate(read_bytes, files, args.rounds)
        parse_rate = _rate(parse_bytes, files, args.rounds)
        peak = _peak_kib(parse_bytes, files)
        print(f"{name:<16} {size:>9.1f} {read_rate:>9.1f} {parse_rate:>9.1f} {peak:>10.0f}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process max RSS: {rss:.0f} MiB")


if __name__ == "__main__":
    main()
