"""Ingest benchmark: generate a corpus, ingest it, measure speed, memory and recall.

    .venv/bin/python benchmarks/bench_ingest.py [-n 10000] [--workers N] [--keep DIR]

1. ``tools/generate_corpus.py`` writes N reports (text layouts, HTML, Word, PDF) with planted
   errors into a temporary folder.
2. ``gongkai ingest`` runs on it as a child process; a sampler adds up the resident memory of
   that process and all its children (the parse workers) every 50 ms and keeps the peak. A
   child caught between fork and exec while the writer starts a worker still runs in the
   writer's memory and is not counted (it would count the writer twice). The PSS sum (pages
   shared between processes divided among them, /proc/PID/smaps_rollup) is reported too.
3. A second ``gongkai ingest`` of the same folder measures the no-op re-run.
4. Recall per planted rule: the share of reports with an error planted for rule X that have a
   finding X in the database. Findings of a planted family on reports where nothing was planted
   are counted as unexpected.

Prints a summary; ``--json`` prints it as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import generate_corpus  # noqa: E402

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def _children(pid: int) -> set[int]:
    """Child processes of *pid* (each listed once: a child may show under several threads)."""
    out: set[int] = set()
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                out.update(int(c) for c in fh.read().split())
    except OSError:
        pass
    return out


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * PAGE_KB
    except OSError:
        return 0


def _pss_kb(pid: int) -> int:
    """Proportional set size: shared pages divided among the processes sharing them."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read()
    except OSError:
        return b""


def tree(pid: int) -> set[int]:
    """*pid* and its descendants — except a child caught between fork and exec: it still runs in
    its parent's memory (same command line), so counting it would count the parent twice."""
    seen: set[int] = set()
    stack = [pid]
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        line = _cmdline(p)
        stack.extend(c for c in _children(p) if _cmdline(c) != line)
    return seen


def tree_pss_kb(pid: int) -> int:
    return sum(_pss_kb(p) for p in tree(pid))


def tree_rss(pid: int) -> dict[int, int]:
    """Resident memory of *pid* and each of its descendants, in KiB."""
    return {p: _rss_kb(p) for p in tree(pid)}


def tree_rss_kb(pid: int) -> int:
    return sum(tree_rss(pid).values())


class PeakSampler(threading.Thread):
    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kb = 0
        self.peak_pss_kb = 0
        self.peak_detail: list[int] = []  # MB per process at the peak, parent first
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak_pss_kb = max(self.peak_pss_kb, tree_pss_kb(self.pid))
            sizes = tree_rss(self.pid)
            total = sum(sizes.values())
            if total > self.peak_kb:
                self.peak_kb = total
                parent = sizes.pop(self.pid, 0)
                self.peak_detail = [parent // 1024, *sorted((v // 1024 for v in sizes.values()), reverse=True)]
            time.sleep(self.interval)


def run_ingest(corpus: Path, db: Path, workers: int | None) -> tuple[float, int, int, list[int], str]:
    cmd = [sys.executable, "-m", "gongkai", "ingest", str(corpus), "--db", str(db), "--silent"]
    if workers:
        cmd += ["--workers", str(workers)]
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = PeakSampler(proc.pid)
    sampler.start()
    _, stderr = proc.communicate()
    sampler.stop.set()
    sampler.join()
    return time.monotonic() - started, sampler.peak_kb, sampler.peak_pss_kb, sampler.peak_detail, stderr


def recall(db: Path, corpus: Path, manifest: list[dict[str, Any]]) -> dict[str, Any]:
    from gongkai.store.db import Store

    with Store(db, read_only=True) as store:
        rows = store.query("SELECT r.path, f.code FROM findings f JOIN reports r ON r.id = f.report")
        status = dict(store.query("SELECT path, coalesce(error_code, status) FROM reports"))
    found: dict[str, set[str]] = {}
    for path, code in rows:
        found.setdefault(str(Path(path).resolve().relative_to(corpus.resolve())), set()).add(code)
    status = {str(Path(p).resolve().relative_to(corpus.resolve())): s for p, s in status.items()}
    planted: Counter[str] = Counter()
    hit: Counter[str] = Counter()
    unexpected: Counter[str] = Counter()
    missed: dict[str, list[str]] = {}
    failures_ok = failures = 0
    for e in manifest:
        if e["expect_failure"]:
            failures += 1
            failures_ok += status.get(e["file"]) == e["expect_failure"]
            continue
        codes = found.get(e["file"], set())
        for code in e["planted"]:
            planted[code] += 1
            if code in codes:
                hit[code] += 1
            else:
                missed.setdefault(code, []).append(e["file"])
        allowed = set(e["planted"]) | set(e["also"])
        for code in codes:
            if code in generate_corpus.PLANTABLE and code not in allowed:
                unexpected[code] += 1
    return {
        "recall": {c: round(hit[c] / planted[c], 4) for c in sorted(planted)},
        "planted": dict(sorted(planted.items())),
        "unexpected": dict(sorted(unexpected.items())),
        "missed_examples": {c: v[:3] for c, v in missed.items()},
        "failures_recognised": f"{failures_ok}/{failures}",
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="gongkai ingest benchmark")
    ap.add_argument("-n", type=int, default=10_000, help="reports to generate")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--keep", type=Path, default=None, help="generate into this folder and keep it (reused when it exists)"
    )
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    tmp = tempfile.TemporaryDirectory(prefix="gongkai-bench-")
    base = args.keep or Path(tmp.name)
    corpus, db = base / "corpus", base / "bench.duckdb"
    t0 = time.monotonic()
    if args.keep and (corpus / "manifest.jsonl").exists():
        manifest = generate_corpus.load_manifest(corpus)  # generated by an earlier run
    else:
        entries = generate_corpus.generate(corpus, args.n, seed=args.seed, junk=8)
        manifest = [e.to_dict() for e in entries]
    gen_seconds = time.monotonic() - t0
    if db.exists():
        db.unlink()

    seconds, peak_kb, peak_pss_kb, peak_detail, stderr = run_ingest(corpus, db, args.workers)
    rerun_seconds, *_ = run_ingest(corpus, db, args.workers)
    result = {
        "reports": sum(1 for e in manifest if not e["expect_failure"]),
        "files": len(manifest),
        "kinds": dict(Counter(e["kind"] for e in manifest)),
        "cpus": os.cpu_count(),
        "generate_seconds": round(gen_seconds, 1),
        "ingest_seconds": round(seconds, 1),
        "reports_per_second": round(len(manifest) / seconds, 1),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "peak_rss_by_process_mb": peak_detail,
        "peak_pss_mb": round(peak_pss_kb / 1024, 1),
        "rerun_seconds": round(rerun_seconds, 2),
        "db_mb": round(db.stat().st_size / 2**20, 1),
        **recall(db, corpus, manifest),
        "ingest_summary": stderr.strip().splitlines()[:1],
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        for k, v in result.items():
            print(f"{k:22} {v}")
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
