"""``gongkai ingest``: read folders of reports into the corpus database.

The parent process walks the paths, hashes every file and skips those already stored with the
same SHA-256 and parser version. The rest are parsed and checked in worker processes
(:class:`gongkai.workers.WorkerPool`), one file at a time each, every file within the time and
memory bounds of :class:`gongkai.limits.Limits`: a file that hangs, inflates or crashes its
worker is stored as failed with its reason and the batch goes on. Workers return plain rows (see
:mod:`gongkai.store.rows`); the parent is the only writer and commits whole reports in batches,
so a killed ingest leaves a consistent database and the next run resumes where it stopped. A
batch that cannot be written is written again report by report, so one bad report costs only
itself. After the files, the year-over-year rules run for every agency whose reports changed.
"""

from __future__ import annotations

import itertools
import os
import queue
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gongkai import faults
from gongkai.corpus.analyse import FileOutcome, analyse, error_detail, failed_outcome
from gongkai.files import file_sha256, iter_report_paths
from gongkai.limits import DEFAULT_LIMITS, Limits
from gongkai.model import Report
from gongkai.store.rows import ReportRows, failed_rows, report_rows, sha256_of
from gongkai.store.schema import parser_version
from gongkai.workers import Failure as WorkerFailure
from gongkai.workers import WorkerPool, fewer_collections

if TYPE_CHECKING:  # the workers import this module: they need neither DuckDB nor Arrow
    from gongkai.store.db import Store, StoredFile

DEFAULT_BATCH = 200  # reports per transaction
FLUSH_SECONDS = 5.0  # …or sooner, so an interrupted run loses little work
RELEASE_SECONDS = 30.0  # the database is let go of at least this often while batches are written
# DuckDB's memory limit in the writer while the workers run: a batch's inserts fit in 48 MB, and at
# 96 MB the process tree of a 100,000-file ingest peaked above 500 MB (bench_ingest.py).
WRITER_MEMORY = "48MB"

# --- per-report checks: gongkai.rules when it is installed ------------------------------------

_CONFIG: Any = None
_LIMITS: Limits = DEFAULT_LIMITS


def _init_worker(config: Any, limits: Limits, faults_spec: str) -> None:
    global _CONFIG, _LIMITS
    _CONFIG, _LIMITS = config, limits
    faults.configure(faults_spec)


def check_findings(report: Report, config: Any = None) -> list[Mapping[str, Any]]:
    """The per-report findings of ``gongkai check`` as ``Finding.to_dict()`` mappings."""
    from gongkai.rules import check_report

    return [f.to_dict() for f in check_report(report, config)]


# --- the worker -------------------------------------------------------------------------------


def process_file(path: str, sha256: str | None = None, limits: Limits | None = None) -> ReportRows:
    """Read, parse and check one file (:func:`gongkai.corpus.analyse.analyse`) into the rows the store
    keeps. Never raises: a failure comes back as a failed row. Its ``timings`` say what each stage
    cost (CPU seconds: read, parse, check, rows; their sum cpu; wall, the seconds it took) and
    the process's peak memory so far (maxrss_kb)."""
    cpu, wall = time.process_time(), time.perf_counter()
    timings: dict[str, float] = {}
    outcome = analyse(path, limits or _LIMITS, _CONFIG, check=True, timings=timings)
    started = time.process_time()
    rows = rows_of(outcome, path, sha256)
    timings["rows"] = time.process_time() - started
    timings["wall"] = time.perf_counter() - wall
    timings["cpu"] = time.process_time() - cpu
    timings["maxrss_kb"] = _maxrss_kb()
    rows.timings = timings
    return rows


def _maxrss_kb() -> float:
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return float(peak // 1024 if sys.platform == "darwin" else peak)  # bytes on macOS, KiB elsewhere


def rows_of(outcome: FileOutcome, path: str, sha256: str | None = None) -> ReportRows:
    """A file's outcome as the rows the store keeps: the report with its findings, or a failed row
    with the reason."""
    if outcome.report is None:
        error = outcome.error
        assert error is not None
        sha = sha256 or _sha_or_name(path)
        return failed_rows(outcome.path, None, error.code, error.message_zh, error.message_en, sha256=sha)
    rows = report_rows(outcome.report, [f.to_dict() for f in outcome.findings or []], outcome.path)
    rows.check_error = outcome.check_error
    return rows


def process_file_bounded(
    path: str, sha256: str | None = None, *, limits: Limits = DEFAULT_LIMITS, config: Any = None
) -> ReportRows:
    """:func:`process_file` in a worker process of its own, within *limits*: for one file handed in
    by a long-running process (the web upload), which must never hang, balloon or die with it."""
    with WorkerPool(
        _process_task, workers=1, limits=limits, initializer=_init_worker, initargs=(config, limits, faults.configure())
    ) as pool:
        for _arg, outcome in pool.imap([(path, sha256 or "")]):
            if isinstance(outcome, WorkerFailure):
                return rows_of(failed_outcome(path, outcome), path, sha256)
            return outcome
    raise AssertionError("unreachable: one file in, one outcome out")  # pragma: no cover


def _sha_or_name(path: str) -> str:
    try:
        return file_sha256(path)
    except OSError:
        return sha256_of(os.fsencode(path))


def _process_task(task: tuple[str, str]) -> ReportRows:
    path, sha = task
    return process_file(path, sha or None)


def _ingest_task(task: tuple[str, str]) -> ReportRows:
    """:func:`_process_task` with the rows packed (:meth:`ReportRows.pack`): the ingest's parent
    holds the batches waiting to be written as bytes, and unpacks each batch as it writes it."""
    return _process_task(task).pack()


# --- the parent ---------------------------------------------------------------------------------


@dataclass(slots=True)
class Failure:
    path: str
    code: str
    message_zh: str
    message_en: str


def failure_of(rows: ReportRows) -> Failure | None:
    """What to list about a file written: why it failed, or that its checks crashed."""
    if not rows.ok:
        r = rows.report
        return Failure(rows.path, r["error_code"], r["error_zh"], r["error_en"])
    if rows.check_error:
        return Failure(
            rows.path,
            "check",
            f"已读入，但审核规则运行出错（{rows.check_error}），审核结果不完整。请把文件报告给 gongkai 维护者。",
            f"Stored, but the checks crashed ({rows.check_error}); its findings are incomplete. "
            "Please report the file to the gongkai maintainers.",
        )
    return None


def year_failure(agency: str, detail: str) -> Failure:
    """What to list about an agency whose year-over-year rules failed."""
    return Failure(
        agency,
        "year_rules",
        f"跨年度审核出错（{detail}），该机关的跨年度发现未更新。请把情况报告给 gongkai 维护者。",
        f"The year-over-year rules failed ({detail}); this agency's year findings were not updated. "
        "Please report it to the gongkai maintainers.",
    )


@dataclass(slots=True)
class IngestResult:
    files: int = 0
    parsed: int = 0
    skipped: int = 0  # already stored with this parser version
    duplicates: int = 0  # same content as another file of this run
    failed: list[Failure] = field(default_factory=list)
    still_failed: list[Failure] = field(default_factory=list)  # stored as failed earlier, unchanged since
    year_findings: int = 0
    seconds: float = 0.0
    # Seconds per stage: the workers' read, parse, check, rows (and their cpu), summed over files;
    # the parent's plan (walk and hash), write and year. Peak resident memory of a worker in KiB.
    stages: dict[str, float] = field(default_factory=dict)
    worker_maxrss_kb: float = 0.0

    @property
    def ok(self) -> int:
        return self.parsed - len(self.failed)

    def add_timings(self, timings: Mapping[str, float] | None) -> None:
        """Add one file's worker timings (:func:`process_file`)."""
        for stage, seconds in (timings or {}).items():
            if stage == "maxrss_kb":
                self.worker_maxrss_kb = max(self.worker_maxrss_kb, seconds)
            else:
                self.stages[stage] = self.stages.get(stage, 0.0) + seconds

    def timed(self, stage: str, seconds: float) -> None:
        self.stages[stage] = self.stages.get(stage, 0.0) + seconds


@dataclass(slots=True)
class _Task:
    path: str
    sha256: str


class IngestProgress:
    """What the caller is told while an ingest runs; the CLI draws a progress bar from it."""

    def start(self, total: int) -> None: ...

    def advance(self, n: int = 1) -> None: ...

    def committed(self, reports: int, total_committed: int) -> None: ...

    def phase(self, name: str) -> None: ...

    def stop(self) -> None: ...


_BOUND_FAILED = (  # how the messages of a file set aside on a bound give the bound and its value
    ("timeout", re.compile(r"within (?P<value>[\d.]+) s\b"), "seconds"),  # workers.timeout_failure
    ("memory", re.compile(r"more than (?P<value>[\d.]+) MB\b"), "memory_mb"),  # workers.memory_failure
    ("limit", re.compile(r"(?P<value>[\d.]+)(?:MB|s)? \((?P<name>\w+)\)"), None),  # readers.errors.limit_error
)


def _limit_raised(known: StoredFile, limits: Limits) -> bool:
    """Whether *known*, stored as failed on a bound (``--limit``), has that bound raised in this run:
    then it is read again, as its message promised."""
    for code, pattern, name in _BOUND_FAILED:
        if known.error_code != code:
            continue
        m = pattern.search(known.error_en or "")
        if m is None:
            return limits != DEFAULT_LIMITS  # cannot tell which bound: try again under other limits
        bound = name or m.group("name")
        if bound not in Limits.names():
            return limits != DEFAULT_LIMITS
        return float(getattr(limits, bound)) > float(m.group("value"))
    return False


def _timed(items: Iterator[_Task], result: IngestResult, stage: str) -> Iterator[_Task]:
    """*items*, the time taken to make each added to *stage*."""
    while True:
        started = time.monotonic()
        item = next(items, None)
        result.timed(stage, time.monotonic() - started)
        if item is None:
            return
        yield item


def _plan(
    files: Iterable[str | Path],
    stored: dict[str, StoredFile],
    version: str,
    result: IngestResult,
    recheck: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> Iterator[_Task]:
    seen: set[str] = set()
    for file in files:
        result.files += 1
        try:
            sha = file_sha256(file)
        except OSError:
            yield _Task(str(file), "")  # the worker stores the reason
            continue
        if sha in seen:
            result.duplicates += 1
            continue
        seen.add(sha)
        known = stored.get(sha)
        retry = known is not None and known.status == "failed" and _limit_raised(known, limits)
        if known is not None and known.parser_version == version and not recheck and not retry:
            result.skipped += 1
            if known.status == "failed":
                result.still_failed.append(
                    Failure(known.path, known.error_code or "", known.error_zh or "", known.error_en or "")
                )
            continue
        yield _Task(str(file), sha)


def ingest(
    paths: list[Path],
    store: Store,
    *,
    workers: int | None = None,
    batch_size: int = DEFAULT_BATCH,
    config: Any = None,
    progress: IngestProgress | None = None,
    recheck: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> IngestResult:
    """Ingest every report file under *paths* into *store*. See the module docstring. With
    *recheck*, files already stored are parsed and checked again too (after a change of the rules
    configuration), and the year-over-year rules rerun for every agency."""
    from gongkai.corpus.year import run_year_rules
    from gongkai.store import turns

    started = time.monotonic()
    progress = progress or IngestProgress()
    result = IngestResult()
    version = parser_version()
    stored = store.stored_files()
    store.release()  # held only while a batch is written: a running gongkai serve reads meanwhile
    # The paths as plain strings: a Path keeps its parts as a list of strings too, which for
    # 100,000 files was tens of MB held through the whole ingest.
    files = list(iter_report_paths(paths))
    progress.start(len(files))
    result.timed("plan", time.monotonic() - started)
    # Planned as the workers take the files (hashing each as it goes), never listed whole.
    tasks = _timed(_plan(files, stored, version, result, recheck, limits), result, "plan")
    del files, stored
    first = next(tasks, None)
    told = result.skipped + result.duplicates  # files skipped so far, shown as done
    progress.advance(told)

    buffer: list[ReportRows] = []
    last_flush = released = time.monotonic()
    committed = 0
    watcher = turns.Watcher(store.path)

    def take(rows: ReportRows) -> None:
        nonlocal told
        rows.report["parser_version"] = version  # the parent's: the workers may be older processes
        result.parsed += 1
        result.add_timings(rows.timings)
        buffer.append(rows)
        skipped = result.skipped + result.duplicates
        progress.advance(1 + skipped - told)
        told = skipped
        if len(buffer) >= batch_size or time.monotonic() - last_flush >= FLUSH_SECONDS:
            flush()

    def flush() -> None:
        nonlocal last_flush
        if buffer:
            writer.put(buffer.copy())
            buffer.clear()
        last_flush = time.monotonic()

    def write(batch: list[ReportRows]) -> None:  # on the writer's thread
        nonlocal committed, released
        writing = time.monotonic()
        for rows in batch:
            rows.unpack()
        written = _write(store, batch)
        # Let go of the file when another process waits for it (a gongkai serve, a sum) — and at
        # least every RELEASE_SECONDS, for those that cannot say so: closing costs a checkpoint,
        # which grows with the database (after every batch it made a large ingest quadratic).
        if watcher.others_waiting() or writing - released >= RELEASE_SECONDS:
            store.release()
            turns.let_waiting_go(watcher)  # it has the file before the next batch opens it again
            released = time.monotonic()
        for rows in written:
            failure = failure_of(rows)
            if failure is not None:
                result.failed.append(failure)
        committed += len(batch)
        result.timed("write", time.monotonic() - writing)
        progress.committed(len(batch), committed)

    n_workers = max(1, workers if workers is not None else (os.cpu_count() or 1))  # started as needed
    # The writer unpickles tens of thousands of rows a batch: at the default thresholds (700)
    # the collector ran 57 times a batch, 0.22 ms a report of the parent's CPU; at these 0.08.
    with fewer_collections():
        writer = _Writer(write)
        try:
            if first is not None:
                # While the workers parse, the writer keeps DuckDB small: the RAM is theirs.
                with (
                    store.limited(memory=WRITER_MEMORY, threads=1),
                    WorkerPool(
                        _ingest_task,
                        workers=n_workers,
                        limits=limits,
                        initializer=_init_worker,
                        initargs=(config, limits, faults.configure()),
                    ) as pool,
                ):
                    try:
                        todo = itertools.chain([first], tasks)
                        for (path, sha), outcome in pool.imap((t.path, t.sha256) for t in todo):
                            if isinstance(outcome, WorkerFailure):
                                outcome = rows_of(failed_outcome(path, outcome), path, sha or None)
                            take(outcome)
                        flush()
                    finally:
                        writer.close(raise_error=sys.exc_info()[0] is None)  # before the store is used here again
            flush()
        finally:
            writer.close(raise_error=sys.exc_info()[0] is None)
            watcher.close()
            progress.advance(result.skipped + result.duplicates - told)
            progress.stop()

    progress.phase("year")
    year_started = time.monotonic()
    keys = None
    if recheck:
        keys = [k for (k,) in store.query("SELECT DISTINCT agency_key FROM reports WHERE agency_key IS NOT NULL")]
    year_failed: list[tuple[str, str]] = []
    result.year_findings = run_year_rules(store, config=config, agency_keys=keys, failed=year_failed)
    for agency, detail in year_failed:
        result.failed.append(year_failure(agency, detail))
    result.timed("year", time.monotonic() - year_started)
    result.seconds = time.monotonic() - started
    return result


class _Writer:
    """Writes the batches on a thread of its own, so that the workers are handed their next files
    while a batch is committed: written by the loop that feeds them, a commit left them idle.
    Batches are written one at a time in the order handed in, at most one waits (the memory of
    two batches); the store is used by this thread alone until :meth:`close`. An error writing
    stops the writing (what was committed stays) and is raised by the next :meth:`put` or by
    :meth:`close`."""

    def __init__(self, write: Callable[[list[ReportRows]], None]) -> None:
        self._write = write
        self._queue: queue.Queue[list[ReportRows] | None] = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._failed = False  # once a batch could not be written, none after it is
        self._thread = threading.Thread(target=self._run, name="gongkai-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (batch := self._queue.get()) is not None:
            if not self._failed:
                try:
                    self._write(batch)
                except BaseException as exc:
                    self._error, self._failed = exc, True

    def put(self, batch: list[ReportRows]) -> None:
        self._raise()
        self._queue.put(batch)

    def close(self, *, raise_error: bool = True) -> None:
        """Wait for the batches handed in to be written (again: nothing to do)."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        if raise_error:
            self._raise()

    def _raise(self) -> None:
        error, self._error = self._error, None
        if error is not None:
            raise error


def _write(store: Store, batch: list[ReportRows]) -> list[ReportRows]:
    """Write *batch*; when the batch cannot be written, write it report by report, and a report
    that still cannot be written is stored as failed with the reason. Returns what was written or
    set aside: a file whose failure cannot be stored either is still returned, so it is named.
    When not even a failed row can be written because of the database itself (a full disk, an
    I/O error), that error is raised: the command explains it, and what was committed stays."""
    store.open()  # the file first: a database another process keeps ends the ingest with its reason
    try:
        store.write_reports(batch)
        return batch
    except Exception:
        pass
    written: list[ReportRows] = []
    for rows in batch:
        try:
            store.write_reports([rows])
            written.append(rows)
            continue
        except Exception as exc:
            if not rows.ok:  # already a failure, with its own reason: named, not stored
                _raise_if_database(exc)
                written.append(rows)
                continue
            detail = error_detail(exc)
        failed = failed_rows(
            rows.path,
            None,
            "write",
            f"写入数据库时出错（{detail}），此文件未能保存。请把文件报告给 gongkai 维护者。",
            f"Writing to the database failed ({detail}); the file was not stored. Please report it to the "
            "gongkai maintainers.",
            sha256=rows.sha256,
        )
        try:
            store.write_reports([failed])
        except Exception as exc:  # not even its failure can be stored: still named
            _raise_if_database(exc)
        written.append(failed)
    return written


def store_reports(store: Store, batch: list[ReportRows]) -> list[ReportRows]:
    """Write analysed files to the store as ``gongkai ingest`` does, then rerun the year-over-year
    rules of the agencies that changed: the one way a report enters the corpus, for the ingest
    and for the web upload alike. Returns what was written (see :func:`_write`)."""
    from gongkai.corpus.year import run_year_rules

    written = _write(store, batch)
    run_year_rules(store)
    return written


def _raise_if_database(exc: Exception) -> None:
    """Re-raise *exc* when it is the database's own failure (DuckDB, the file system), not a report's."""
    import duckdb

    if isinstance(exc, (duckdb.Error, OSError)):
        raise exc


__all__ = [
    "DEFAULT_BATCH",
    "Failure",
    "IngestProgress",
    "IngestResult",
    "check_findings",
    "failure_of",
    "ingest",
    "process_file",
    "process_file_bounded",
    "store_reports",
    "year_failure",
]
