"""``gongkai ingest``: read folders of reports into the corpus database.

The parent process walks the paths, hashes every file and skips those already stored with the
same SHA-256 and parser version. The rest are parsed and checked on all cores
(:class:`concurrent.futures.ProcessPoolExecutor`; workers return plain rows, see
:mod:`gongkai.store.rows`); the parent is the only writer and commits whole reports in batches,
so a killed ingest leaves a consistent database and the next run resumes where it stopped. A file
that fails is stored as failed with its reason and never stops the batch. After the files, the
year-over-year rules run for every agency whose reports changed.
"""

from __future__ import annotations

import multiprocessing
import os
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gongkai.model import Report
from gongkai.pipeline import parse_bytes
from gongkai.readers import ReadError
from gongkai.store.rows import ReportRows, failed_rows, report_rows, sha256_of
from gongkai.store.schema import parser_version

if TYPE_CHECKING:  # the workers import this module: they need neither DuckDB nor Arrow
    from gongkai.store.db import Store, StoredFile

DEFAULT_BATCH = 200  # reports per transaction
FLUSH_SECONDS = 2.0  # …or sooner, so an interrupted run loses little work
IN_FLIGHT_PER_WORKER = 4
POOL_MIN_FILES = 40  # fewer files parse faster in-process than it takes to start the workers
# A worker is replaced after about this many files: the parser's caches and the PDF reader's
# allocations grow a long-lived worker by ~60 MB over 5,000 files; a fresh one costs a second.
FILES_PER_WORKER = 1000
WRITER_MEMORY = "96MB"  # DuckDB's memory limit in the writer while the workers run

# --- per-report checks: gongkai.rules when it is installed ------------------------------------

_CONFIG: Any = None


def _set_config(config: Any) -> None:
    global _CONFIG
    _CONFIG = config


def check_findings(report: Report, config: Any = None) -> list[Mapping[str, Any]]:
    """The per-report findings of ``gongkai check`` as ``Finding.to_dict()`` mappings."""
    from gongkai.rules import check_report

    return [f.to_dict() for f in check_report(report, config)]


# --- the worker -------------------------------------------------------------------------------


def process_file(path: str, sha256: str | None = None) -> ReportRows:
    """Read, parse and check one file. Never raises: a failure comes back as a failed row."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return failed_rows(
            path,
            None,
            "io",
            f"无法读取文件：{reason}。请检查路径和权限。",
            f"Cannot read the file: {reason}. Check the path and permissions.",
            sha256=sha256 or sha256_of(path.encode()),
        )
    try:
        report = parse_bytes(data, path)
    except ReadError as exc:
        return failed_rows(path, data, exc.code, exc.message_zh, exc.message_en)
    except Exception as exc:  # a parser bug must not stop a batch of 10,000 files
        detail = f"{type(exc).__name__}: {exc}"
        return failed_rows(
            path,
            data,
            "internal",
            f"解析时出现程序错误（{detail}）。请把文件报告给 gongkai 维护者。",
            f"Internal error while parsing ({detail}). Please report the file to the gongkai maintainers.",
        )
    try:
        findings = check_findings(report, _CONFIG)
    except Exception:
        findings = [
            {
                "code": "internal",
                "severity": "info",
                "message": "审核规则运行出错，本报告的审核结果不完整。",
                "message_en": "A check crashed; this report's findings are incomplete.",
                "note": traceback.format_exc(limit=3),
            }
        ]
    return report_rows(report, findings, path)


def _process_chunk(paths: list[tuple[str, str]]) -> list[ReportRows]:
    return [process_file(p, sha) for p, sha in paths]


# --- the parent ---------------------------------------------------------------------------------


@dataclass(slots=True)
class Failure:
    path: str
    code: str
    message_zh: str
    message_en: str


@dataclass(slots=True)
class IngestResult:
    files: int = 0
    parsed: int = 0
    skipped: int = 0  # already stored with this parser version
    duplicates: int = 0  # same content as another file of this run
    failed: list[Failure] = field(default_factory=list)
    year_findings: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> int:
        return self.parsed - len(self.failed)


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


def _plan(
    files: Iterable[Path], stored: dict[str, StoredFile], version: str, result: IngestResult, recheck: bool = False
) -> Iterator[_Task]:
    seen: set[str] = set()
    for file in files:
        result.files += 1
        try:
            sha = sha256_of(file.read_bytes())
        except OSError:
            yield _Task(str(file), "")  # the worker stores the reason
            continue
        if sha in seen:
            result.duplicates += 1
            continue
        seen.add(sha)
        known = stored.get(sha)
        if known is not None and known.parser_version == version and not recheck:
            result.skipped += 1
            continue
        yield _Task(str(file), sha)


def ingest(
    paths: list[Path],
    store: Store,
    *,
    workers: int | None = None,
    batch_size: int = DEFAULT_BATCH,
    chunk_size: int = 4,
    config: Any = None,
    progress: IngestProgress | None = None,
    recheck: bool = False,
) -> IngestResult:
    """Ingest every report file under *paths* into *store*. See the module docstring. With
    *recheck*, files already stored are parsed and checked again too (after a change of the rules
    configuration), and the year-over-year rules rerun for every agency."""
    from gongkai.rules.year import run_year_rules
    from gongkai.views.files import iter_report_files

    started = time.monotonic()
    progress = progress or IngestProgress()
    result = IngestResult()
    version = parser_version()
    stored = store.stored_files()
    files = list(iter_report_files(paths))
    progress.start(len(files))
    tasks = list(_plan(files, stored, version, result, recheck))
    progress.advance(result.skipped + result.duplicates)

    buffer: list[ReportRows] = []
    last_flush = time.monotonic()
    committed = 0

    def take(rows: ReportRows) -> None:
        nonlocal last_flush, committed
        result.parsed += 1
        if not rows.ok:
            r = rows.report
            result.failed.append(Failure(rows.path, r["error_code"], r["error_zh"], r["error_en"]))
        buffer.append(rows)
        progress.advance()
        if len(buffer) >= batch_size or time.monotonic() - last_flush >= FLUSH_SECONDS:
            flush()

    def flush() -> None:
        nonlocal last_flush, committed
        if buffer:
            store.write_reports(buffer)
            committed += len(buffer)
            progress.committed(len(buffer), committed)
            buffer.clear()
        last_flush = time.monotonic()

    n_workers = workers if workers is not None else (os.cpu_count() or 1)
    try:
        if n_workers <= 1 or len(tasks) < POOL_MIN_FILES:
            _set_config(config)
            for task in tasks:
                take(process_file(task.path, task.sha256 or None))
        else:
            # While the workers parse, the writer keeps DuckDB small: the RAM is theirs.
            with store.limited(memory=WRITER_MEMORY, threads=1):
                _run_pool(tasks, n_workers, chunk_size, config, take)
                flush()
        flush()
    finally:
        progress.stop()

    progress.phase("year")
    keys = None
    if recheck:
        keys = [k for (k,) in store.query("SELECT DISTINCT agency_key FROM reports WHERE agency_key IS NOT NULL")]
    result.year_findings = run_year_rules(store, config=config, agency_keys=keys)
    result.seconds = time.monotonic() - started
    return result


def _run_pool(
    tasks: list[_Task], n_workers: int, chunk_size: int, config: Any, take: Callable[[ReportRows], None]
) -> None:
    """Parse *tasks* on *n_workers* processes. Workers are replaced every FILES_PER_WORKER files by
    running the files in generations, each on a fresh pool (``max_tasks_per_child`` would do it,
    but it can hang the pool's shutdown on Python 3.11)."""
    chunks = [[(t.path, t.sha256) for t in tasks[i : i + chunk_size]] for i in range(0, len(tasks), chunk_size)]
    per_generation = max(1, FILES_PER_WORKER * n_workers // chunk_size)
    for start in range(0, len(chunks), per_generation):
        _run_generation(chunks[start : start + per_generation], n_workers, config, take)


def _run_generation(
    chunks: list[list[tuple[str, str]]], n_workers: int, config: Any, take: Callable[[ReportRows], None]
) -> None:
    # "spawn": the parent holds an open DuckDB connection, which must not be forked.
    ctx = multiprocessing.get_context("spawn")
    pending: set[Future[list[ReportRows]]] = set()
    it = iter(chunks)
    with ProcessPoolExecutor(
        max_workers=min(n_workers, len(chunks)), mp_context=ctx, initializer=_set_config, initargs=(config,)
    ) as pool:
        try:
            for chunk in it:
                pending.add(pool.submit(_process_chunk, chunk))
                if len(pending) >= n_workers * IN_FLIGHT_PER_WORKER:
                    break
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    for rows in fut.result():
                        take(rows)
                    nxt = next(it, None)
                    if nxt is not None:
                        pending.add(pool.submit(_process_chunk, nxt))
        except BaseException:
            for fut in pending:
                fut.cancel()
            pool.shutdown(wait=False, cancel_futures=True)
            raise


__all__ = ["DEFAULT_BATCH", "Failure", "IngestProgress", "IngestResult", "check_findings", "ingest", "process_file"]
