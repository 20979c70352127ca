"""``gongkai ingest --engine dask``: parse and check on a Dask cluster into a Parquet dataset.

The same work as ``gongkai ingest`` (:mod:`gongkai.corpus.ingest`), spread over machines:

1. Here (the client): the paths are walked and every file hashed; files already in the dataset
   (or staged by an interrupted run) with the same content and parser version are skipped, as
   ``gongkai ingest`` skips them in a database. The rest are cut into chunks.
2. On the cluster, :func:`run_chunk` per chunk (``distributed.Client.map``): each file through
   :func:`gongkai.corpus.ingest.process_file` — the function ``gongkai ingest`` runs — in a
   bounded worker process of its own (:class:`gongkai.workers.WorkerPool`, the time and memory
   of ``--limit``), and the chunk's rows staged as Parquet in the dataset folder, which the
   workers and the client must share (:func:`gongkai.store.dataset.write_chunk`). Only a small
   summary travels back.
3. Here again: the staged chunks are published as the dataset's files partitioned by year and
   province (:func:`gongkai.store.dataset.publish`), and the year-over-year rules run over the
   dataset for the agencies that changed, their findings written into it too.

Why Dask rather than Ray: Dask installs from PyPI as pure Python (``dask[distributed]``, no
binary runtime or object store to deploy), a ``LocalCluster`` runs the same code in CI and on one
machine, and ``Client.map`` over a module-level function is all this needs — the partitioned
writing is pyarrow's, the reading DuckDB's.

Per-file bounds on the cluster: a Dask worker process is started as a daemon by default, and a
daemon may not start processes. Start the workers with ``DASK_DISTRIBUTED__WORKER__DAEMON=False``
(docs/scale.md) so that every file runs in a bounded process as on one machine; otherwise the
files run in the Dask worker itself, without the per-file time bound (the Dask nanny still
restarts a worker past its memory limit), and the result says so (``bounded``).
"""

from __future__ import annotations

import math
import multiprocessing
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gongkai import faults
from gongkai.corpus.analyse import failed_outcome
from gongkai.corpus.ingest import (
    Failure,
    IngestProgress,
    IngestResult,
    _init_worker,
    _plan,
    _process_task,
    failure_of,
    process_file,
    rows_of,
    year_failure,
)
from gongkai.files import iter_report_files
from gongkai.limits import DEFAULT_LIMITS, Limits
from gongkai.store.rows import ReportRows
from gongkai.store.schema import parser_version
from gongkai.workers import Failure as WorkerFailure
from gongkai.workers import WorkerPool

MAX_CHUNK = 100  # files per task: small enough to spread, large enough that a task is not all overhead
CHUNKS_PER_SLOT = 4  # at least this many chunks per worker thread, so that a slow one does not hold the rest
# Agencies whose reports the year rules load at once from the dataset: each load scans the values
# and sections files, so fewer and larger loads than from a database (about 30,000 reports' texts).
YEAR_KEYS_PER_QUERY = 5000


@dataclass(slots=True)
class ClusterResult(IngestResult):
    """:class:`IngestResult`, and whether every file ran in a bounded process (see above)."""

    bounded: bool = True


@dataclass(slots=True)
class ChunkResult:
    """What a chunk sends back: counts, the files that failed, and what the work cost."""

    chunk: str
    files: int = 0
    failed: list[Failure] = field(default_factory=list)
    stages: dict[str, float] = field(default_factory=dict)
    maxrss_kb: float = 0.0
    bounded: bool = True
    worker: str = ""


def run_chunk(
    chunk: str,
    tasks: list[tuple[str, str]],
    dataset: str,
    version: str,
    config: Any = None,
    limits: Limits = DEFAULT_LIMITS,
    faults_spec: str = "",
) -> ChunkResult:
    """On a cluster worker: analyse *tasks* ((path, sha256) pairs) and stage their rows as chunk
    *chunk* of the dataset at *dataset*."""
    from gongkai.store.dataset import write_chunk

    result = ChunkResult(chunk, worker=f"{os.uname().nodename}:{os.getpid()}")
    batch: list[ReportRows] = []
    if multiprocessing.current_process().daemon:  # no child processes allowed: analyse here
        result.bounded = False
        _init_worker(config, limits, faults_spec)
        batch = [process_file(path, sha or None) for path, sha in tasks]
    else:
        with WorkerPool(
            _process_task, workers=1, limits=limits, initializer=_init_worker, initargs=(config, limits, faults_spec)
        ) as pool:
            for (path, sha), outcome in pool.imap(tasks):
                if isinstance(outcome, WorkerFailure):
                    outcome = rows_of(failed_outcome(path, outcome), path, sha or None)
                batch.append(outcome)
    for rows in batch:
        rows.report["parser_version"] = version  # the client's, as the local ingest's parent sets it
        for stage, seconds in (rows.timings or {}).items():
            if stage == "maxrss_kb":
                result.maxrss_kb = max(result.maxrss_kb, seconds)
            else:
                result.stages[stage] = result.stages.get(stage, 0.0) + seconds
        failure = failure_of(rows)
        if failure is not None:
            result.failed.append(failure)
    started = time.monotonic()
    write_chunk(Path(dataset), chunk, batch)
    result.stages["stage"] = time.monotonic() - started
    result.files = len(batch)
    return result


@contextmanager
def connect(address: str | None = None, workers: int | None = None) -> Iterator[Any]:
    """A ``distributed.Client``: of the scheduler at *address*, or of a LocalCluster of
    *workers* processes (one thread each) on this machine, started so that they may start the
    bounded file processes."""
    import dask
    from distributed import Client, LocalCluster

    if address:
        with Client(address) as client:
            yield client
        return
    with dask.config.set({"distributed.worker.daemon": False}):
        cluster = LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        with cluster, Client(cluster) as client:
            yield client


def _slots(client: Any) -> int:
    workers = client.scheduler_info().get("workers", {})
    return max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))


def ingest_cluster(
    paths: list[Path],
    dataset: Path,
    *,
    address: str | None = None,
    client: Any = None,
    workers: int | None = None,
    config: Any = None,
    progress: IngestProgress | None = None,
    recheck: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    chunk_size: int | None = None,
) -> ClusterResult:
    """Ingest every report file under *paths* into the Parquet dataset *dataset*, parsing on the
    Dask cluster at *address* (or *client*; neither: a LocalCluster of *workers* processes). See
    the module docstring. Returns what ``gongkai ingest`` returns."""
    from gongkai.corpus.year import run_year_rules
    from gongkai.store import dataset as ds

    started = time.monotonic()
    progress = progress or IngestProgress()
    result = ClusterResult()
    version = parser_version()
    root = Path(dataset)
    ds.create(root)
    with ds.DatasetStore(root, read_only=True) as store:
        stored = store.stored_files()
    stored.update({row[2]: _stored_file(row) for row in ds.staged_files(root)})
    files = list(iter_report_files(paths))
    progress.start(len(files))
    tasks = [(t.path, t.sha256) for t in _plan(files, stored, version, result, recheck, limits)]
    progress.advance(result.skipped + result.duplicates)
    result.timed("plan", time.monotonic() - started)
    run = ds.new_run()
    try:
        if tasks:
            with _client(client, address, workers) as c:
                size = chunk_size or max(1, min(MAX_CHUNK, math.ceil(len(tasks) / (_slots(c) * CHUNKS_PER_SLOT))))
                chunks = [tasks[i : i + size] for i in range(0, len(tasks), size)]
                names = [f"{run}-{i:06d}" for i in range(len(chunks))]
                futures = c.map(
                    run_chunk,
                    names,
                    chunks,
                    dataset=str(root.resolve()),
                    version=version,
                    config=config,
                    limits=limits,
                    faults_spec=faults.configure(),
                    pure=False,
                )
                committed = 0
                from distributed import as_completed

                for future in as_completed(futures):
                    chunk: ChunkResult = future.result()
                    result.parsed += chunk.files
                    result.failed.extend(chunk.failed)
                    result.add_timings(chunk.stages)
                    result.worker_maxrss_kb = max(result.worker_maxrss_kb, chunk.maxrss_kb)
                    result.bounded = result.bounded and chunk.bounded
                    committed += chunk.files
                    progress.advance(chunk.files)
                    progress.committed(chunk.files, committed)
    finally:
        progress.stop()

    progress.phase("publish")
    publishing = time.monotonic()
    changed = ds.publish(root, run)
    result.timed("publish", time.monotonic() - publishing)

    progress.phase("year")
    year_started = time.monotonic()
    with ds.DatasetStore(root, read_only=True) as store:
        keys: list[str] = changed
        if recheck:
            keys = [k for (k,) in store.query("SELECT DISTINCT agency_key FROM reports WHERE agency_key IS NOT NULL")]
        year_failed: list[tuple[str, str]] = []
        if keys:
            result.year_findings = run_year_rules(
                store, config=config, agency_keys=keys, failed=year_failed, keys_per_query=YEAR_KEYS_PER_QUERY
            )
    for agency, detail in year_failed:
        result.failed.append(year_failure(agency, detail))
    result.timed("year", time.monotonic() - year_started)
    result.seconds = time.monotonic() - started
    return result


@contextmanager
def _client(client: Any, address: str | None, workers: int | None) -> Iterator[Any]:
    if client is not None:
        yield client
        return
    with connect(address, workers) as c:
        yield c


def _stored_file(row: tuple[Any, ...]) -> Any:
    from gongkai.store.db import StoredFile

    return StoredFile(*row)


__all__ = ["ChunkResult", "ClusterResult", "connect", "ingest_cluster", "run_chunk"]
