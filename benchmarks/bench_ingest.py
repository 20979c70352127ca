"""Ingest benchmark: generate a corpus, ingest it, measure speed, memory, stages and recall.

    .venv/bin/python benchmarks/bench_ingest.py [-n 1000] [--kinds text=0.92,html=0.05,docx=0.03]
        [--workers N] [--keep DIR] [--engine dask] [--copies K] [--json]
    .venv/bin/python benchmarks/bench_ingest.py -n 100000 --keep /data/bench100k   # the real figure
    .venv/bin/python benchmarks/bench_ingest.py -n 10000 --copies 10 --keep /data/bench10kx10

1. ``tools/generate_corpus.py`` writes N reports (text layouts, HTML, Word; PDF with
   ``--kinds ...,pdf=0.02``) with planted errors into a folder (``--keep``: kept, and reused by
   the next run with the same folder). ``--copies K`` adds K-1 copies of every file with one
   byte changed per copy (``corpus/copies/<k>/``): 100,000 files from 10,000 generated in minutes
   rather than an hour and a half, every copy a new version of its report — the writer's worst
   case (each one supersedes the version before), while the parsing sees repeated lines.
2. The ingest runs in a child process (``corpus.ingest.ingest`` as ``gongkai ingest`` calls it,
   or ``--engine dask``: ``corpus.cluster.ingest_cluster`` on a LocalCluster into a dataset).
   It reports its own figures: reports per second, the stage split (every worker's read, parse,
   check and rows seconds from ``ReportRows.timings``, summed; the parent's plan, write and year
   seconds), its peak memory (``ru_maxrss`` of the parent) and the largest worker's.
3. Meanwhile a sampler reads /proc every 100 ms (PSS every second: smaps is slow to read): the
   resident memory of the whole process tree at once (its peak is what the machine must have;
   PSS divides shared pages among processes) and the CPU seconds of every process, so that a run
   on a loaded machine can still be judged:
   ``cpu_seconds`` is what the ingest cost, whatever else ran, and ``cpu_bound_per_second`` the
   rate two idle cores would give if the work kept them both busy.
4. A second ingest of the same folder measures the re-ingest (every file skipped by hash).
5. Recall per planted rule: the share of reports with an error planted for rule X that have a
   finding X. Findings of a planted family on reports where nothing was planted are unexpected.

The figures for 100,000 are extrapolated linearly from N (``*_100k``); the machine's load
average is printed beside them, because other processes share the cores.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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
TICKS = os.sysconf("SC_CLK_TCK")
DEFAULT_KINDS = "text=0.92,html=0.05,docx=0.03"


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


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of *pid* so far (its threads included)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime
    except (OSError, IndexError, ValueError):
        return 0.0


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
    its parent's memory (same command line), so counting it would count the parent twice. The
    children of a fork server (the parse workers) keep its command line for good: they count."""
    seen: set[int] = set()
    stack = [pid]
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        line = _cmdline(p)
        server = b"multiprocessing.forkserver" in line
        stack.extend(c for c in _children(p) if server or _cmdline(c) != line)
    return seen


def _ppid(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return int(fh.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def _role(root: int, pid: int) -> str:
    """parent, fork server (a child of the parent; the workers it forks keep its command line),
    resource tracker, or worker."""
    if pid == root:
        return "parent"
    line = _cmdline(pid)
    if b"resource_tracker" in line:
        return "resource tracker"
    if b"forkserver" in line and _ppid(pid) == root:
        return "fork server"
    return "worker"


def _by_role(root: int, sizes: dict[int, int]) -> dict[str, int]:
    """MB per process, named by role (parent, worker 1, worker 2, fork server, …), largest first."""
    out: dict[str, int] = {}
    counts: Counter[str] = Counter()
    for pid, kb in sorted(sizes.items(), key=lambda item: -item[1]):
        role = _role(root, pid)
        counts[role] += 1
        out[f"{role} {counts[role]}" if role == "worker" else role] = kb // 1024
    return out


def tree_pss_kb(pid: int) -> int:
    return sum(_pss_kb(p) for p in tree(pid))


def tree_rss(pid: int) -> dict[int, int]:
    """Resident memory of *pid* and each of its descendants, in KiB."""
    return {p: _rss_kb(p) for p in tree(pid)}


def tree_rss_kb(pid: int) -> int:
    return sum(tree_rss(pid).values())


class PeakSampler(threading.Thread):
    """The peak of the tree's summed RSS and PSS, and the CPU seconds of every process in it (the
    last value seen per process: a process that ends between two samples loses at most 100 ms)."""

    # Sampling costs CPU the ingest shares (at 50 ms and PSS every 200 ms, an eighth of a core):
    # memory moves slower than this.
    def __init__(self, pid: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kb = 0
        self.peak_pss_kb = 0
        self.peak_detail: list[int] = []  # MB per process at the peak, parent first
        self.peak_pss_detail: dict[str, int] = {}  # MB of PSS per process at the PSS peak, by role
        self.peak_by_role: dict[str, int] = {}
        self.cpu: dict[int, float] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        n = 0
        while not self.stop.is_set():
            pids = tree(self.pid)
            if n % 10 == 0:  # smaps_rollup is slow to read: every second
                pss = {p: _pss_kb(p) for p in pids}
                if sum(pss.values()) > self.peak_pss_kb:
                    self.peak_pss_kb = sum(pss.values())
                    self.peak_pss_detail = _by_role(self.pid, pss)
            n += 1
            sizes = {p: _rss_kb(p) for p in pids}
            for p in pids:
                self.cpu[p] = max(self.cpu.get(p, 0.0), _cpu_seconds(p))
            total = sum(sizes.values())
            if total > self.peak_kb:
                self.peak_kb = total
                self.peak_by_role = _by_role(self.pid, sizes)
                parent = sizes.pop(self.pid, 0)
                self.peak_detail = [parent // 1024, *sorted((v // 1024 for v in sizes.values()), reverse=True)]
            time.sleep(self.interval)

    @property
    def cpu_seconds(self) -> float:
        return sum(self.cpu.values())


def _loadavg() -> float:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError):
        return -1.0


# --- the child: one ingest, its own figures on stdout ---------------------------------------------


def child(corpus: str, db: str, workers: int | None, engine: str) -> int:
    from gongkai.corpus.ingest import IngestResult

    result: IngestResult
    phases: dict[str, float] = {}
    if engine == "dask":
        from gongkai.corpus.cluster import ingest_cluster

        result = ingest_cluster([Path(corpus)], Path(db), workers=workers)
    else:
        from gongkai.corpus.ingest import IngestProgress, ingest
        from gongkai.store.db import Store

        class Phases(IngestProgress):
            def phase(self, name: str) -> None:  # the parent's peak so far, as each phase starts
                phases[name] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        with Store(db, memory_limit="256MB") as store:  # as gongkai ingest opens it
            result = ingest([Path(corpus)], store, workers=workers, progress=Phases())
    out = {
        "files": result.files,
        "parsed": result.parsed,
        "skipped": result.skipped,
        "failed": len(result.failed),
        "year_findings": result.year_findings,
        "seconds": result.seconds,
        "stages": result.stages,
        "worker_maxrss_mb": result.worker_maxrss_kb / 1024,
        "parent_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "parent_maxrss_before_year_mb": phases.get("year", 0.0),
        "parent_cpu_seconds": resource.getrusage(resource.RUSAGE_SELF).ru_utime
        + resource.getrusage(resource.RUSAGE_SELF).ru_stime,
    }
    print(json.dumps(out))
    return 0


def run_ingest(corpus: Path, db: Path, workers: int | None, engine: str) -> dict[str, Any]:
    # Not `python bench_ingest.py`: the workers would import this script as their __main__.
    code = f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import bench_ingest; "
    code += f"sys.exit(bench_ingest.child({str(corpus)!r}, {str(db)!r}, {workers!r}, {engine!r}))"
    cmd = [sys.executable, "-c", code]
    load_before = _loadavg()
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = PeakSampler(proc.pid)
    sampler.start()
    stdout, stderr = proc.communicate()
    sampler.stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"ingest failed ({proc.returncode}):\n{stderr[-3000:]}")
    figures = json.loads(stdout.strip().splitlines()[-1])
    figures.update(
        wall_seconds=time.monotonic() - started,
        peak_kb=sampler.peak_kb,
        peak_pss_kb=sampler.peak_pss_kb,
        peak_detail=sampler.peak_detail,
        peak_by_role=sampler.peak_by_role,
        peak_pss_by_role=sampler.peak_pss_detail,
        cpu_seconds=sampler.cpu_seconds,
        load=round((load_before + _loadavg()) / 2, 1),
    )
    return figures


# --- recall -----------------------------------------------------------------------------------------


def recall(db: Path, corpus: Path, manifest: list[dict[str, Any]]) -> dict[str, Any]:
    from gongkai.store.db import Store

    with Store(db, read_only=True) as store:
        rows = store.query("SELECT r.path, f.code FROM findings f JOIN reports r ON r.id = f.report")
        status = dict(store.query("SELECT path, coalesce(error_code, status) FROM reports"))
    # A copy (--copies) is a new version of its file's report: the year rules report on the
    # version in force, the copy, so its findings count for the file the manifest names.
    of_copy = {e["file"].replace("/", "_"): e["file"] for e in manifest}
    found: dict[str, set[str]] = {}
    for path, code in rows:
        name = _relative(path, corpus)
        parts = name.split(os.sep)
        if len(parts) == 3 and parts[0] == "copies":
            name = of_copy.get(parts[2], name)
        found.setdefault(name, set()).add(code)
    status = {_relative(p, corpus): s for p, s in status.items()}
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


def _relative(path: str, corpus: Path) -> str:
    """*path* as the manifest names it (symbolic links in the corpus left as they are)."""
    return os.path.relpath(os.path.abspath(path), os.path.abspath(corpus))


def _kinds(text: str) -> dict[str, float]:
    out = {}
    for part in text.split(","):
        kind, _, share = part.partition("=")
        if kind.strip() not in generate_corpus.KINDS:
            raise SystemExit(f"--kinds: unknown kind {kind!r} (one of {', '.join(generate_corpus.KINDS)})")
        out[kind.strip()] = float(share)
    return out


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def make_copies(corpus: Path, manifest: list[dict[str, Any]], copies: int) -> int:
    """Write copies 1 … copies-1 of every file in *manifest* under ``corpus/copies/<k>/``, copy k
    ending in k more newlines (a new hash, the same report); the files already there are kept.
    Returns how many files the folder holds in all."""
    files = [e["file"] for e in manifest]
    for k in range(1, copies):
        folder = corpus / "copies" / str(k)
        folder.mkdir(parents=True, exist_ok=True)
        for name in files:
            target = folder / name.replace("/", "_")
            if not target.exists():
                target.write_bytes((corpus / name).read_bytes() + b"\n" * k)
    return len(files) * max(copies, 1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="gongkai ingest benchmark")
    ap.add_argument("-n", "--n", type=int, default=1000, help="reports to generate (100000 for the real figure)")
    ap.add_argument("--kinds", default=DEFAULT_KINDS, help=f"shares of each kind (default {DEFAULT_KINDS})")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--engine", choices=("local", "dask"), default="local")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--keep", type=Path, default=None, help="generate into this folder and keep it (reused when it exists)"
    )
    ap.add_argument(
        "--copies", type=int, default=1, help="ingest K versions of every generated file (one byte changed in each)"
    )
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    tmp = tempfile.TemporaryDirectory(prefix="gongkai-bench-")
    base = args.keep or Path(tmp.name)
    corpus = base / "corpus"
    db = base / ("bench-dataset" if args.engine == "dask" else "bench.duckdb")
    t0 = time.monotonic()
    if args.keep and (corpus / "manifest.jsonl").exists():
        manifest = generate_corpus.load_manifest(corpus)  # generated by an earlier run
    else:
        entries = generate_corpus.generate(corpus, args.n, seed=args.seed, junk=8, kind_weights=_kinds(args.kinds))
        manifest = [e.to_dict() for e in entries]
    if args.copies > 1:
        make_copies(corpus, manifest, args.copies)
    gen_seconds = time.monotonic() - t0
    if db.is_dir():
        import shutil

        shutil.rmtree(db)
    elif db.exists():
        db.unlink()

    first = run_ingest(corpus, db, args.workers, args.engine)
    again = run_ingest(corpus, db, args.workers, args.engine)
    files = first["files"]  # as walked: a folder may hold more than the manifest lists (copies)
    stages = first["stages"]
    worker_stages = {k: stages.get(k, 0.0) for k in ("read", "parse", "check", "rows")}
    parent_stages = {k: stages.get(k, 0.0) for k in ("plan", "write", "publish", "year") if k in stages}
    split_total = sum(worker_stages.values()) or 1.0
    cpus = os.cpu_count() or 1
    per_report_cpu = first["cpu_seconds"] / files
    ms = 1000 / files
    result = {
        "summary": (
            f"{files} files in {first['wall_seconds'] / 60:.1f} min ({files / first['wall_seconds']:.1f} reports/s, "
            f"load {first['load']}); peak RSS {first['peak_kb'] / 1024:.0f} MB, "
            f"PSS {first['peak_pss_kb'] / 1024:.0f} MB "
            f"(parent {first['parent_maxrss_mb']:.0f} MB); re-ingest {again['wall_seconds']:.1f} s"
        ),
        "engine": args.engine,
        "reports": sum(1 for e in manifest if not e["expect_failure"]),
        "copies": args.copies,
        "files": files,
        "kinds": dict(Counter(e["kind"] for e in manifest)),
        "cpus": cpus,
        "load_average": first["load"],
        "generate_seconds": round(gen_seconds, 1),
        "ingest_seconds": round(first["wall_seconds"], 1),
        "reports_per_second": round(files / first["wall_seconds"], 1),
        "cpu_seconds": round(first["cpu_seconds"], 1),
        "cpu_ms_per_report": round(per_report_cpu * 1000, 2),
        "cpu_bound_per_second": round(cpus / per_report_cpu, 1),
        "stage_seconds_workers": {k: round(v, 1) for k, v in worker_stages.items()},
        "stage_share_workers": {k: f"{v / split_total:.0%}" for k, v in worker_stages.items()},
        "worker_cpu_seconds": round(stages.get("cpu", 0.0), 1),
        "parent_cpu_seconds": round(first["parent_cpu_seconds"], 1),
        "stage_seconds_parent": {k: round(v, 1) for k, v in parent_stages.items()},
        "stage_ms_per_report": {k: round(v * ms, 2) for k, v in {**worker_stages, **parent_stages}.items()},
        "parent_maxrss_mb": round(first["parent_maxrss_mb"], 1),
        "parent_maxrss_before_year_mb": round(first["parent_maxrss_before_year_mb"], 1),
        "worker_maxrss_mb": round(first["worker_maxrss_mb"], 1),
        "peak_rss_mb": round(first["peak_kb"] / 1024, 1),
        "peak_rss_by_process_mb": first["peak_by_role"],
        "peak_pss_mb": round(first["peak_pss_kb"] / 1024, 1),
        "peak_pss_by_process_mb": first["peak_pss_by_role"],
        "reingest_seconds": round(again["wall_seconds"], 2),
        "reingest_skipped": again["skipped"],
        "extrapolated_100k_minutes": round(100_000 / files * first["wall_seconds"] / 60, 1),
        "extrapolated_100k_minutes_cpu_bound": round(100_000 * per_report_cpu / cpus / 60, 1),
        "extrapolated_100k_reingest_seconds": round(100_000 / files * again["wall_seconds"], 1),
        "store_mb": round(_size(db) / 2**20, 1),
        **recall(db, corpus, manifest),
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        for k, v in result.items():
            print(f"{k:36} {v}")
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
