"""Worker processes that read one file at a time, each bounded in time and memory.

No input may cost a batch: a file that hangs the PDF reader, inflates to gigabytes or crashes a
C library must end with a message naming it while every other file goes on. The parent gives
each worker one file at a time and a deadline (``Limits.seconds``); a worker past its deadline is
killed and replaced, and the file is reported as ``timeout``. A worker's address space is capped
(``Limits.memory_mb``, ``RLIMIT_AS``): an allocation past it raises ``MemoryError`` in the
worker, which reports ``memory`` and is replaced. A worker that dies (a segfault) is reported as
``crashed`` and replaced.

Workers die with their parent, even after ``kill -9``: each one watches the parent's sentinel
from a thread, and on Linux asks the kernel for SIGKILL when its parent goes
(``PR_SET_PDEATHSIG``). Workers start from a fork server (Linux), so replacing one costs
milliseconds, and the parent may hold a DuckDB connection (it is never forked into a worker).
"""

from __future__ import annotations

import collections
import contextlib
import gc
import multiprocessing
import os
import selectors
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

from gongkai.limits import DEFAULT_LIMITS, Limits

A = TypeVar("A")
R = TypeVar("R")

TASKS_PER_WORKER = 1000  # a worker is replaced after this many files: caches and allocators grow
# The collector's thresholds in a worker (Python's default is 700, 10, 10). Reading a report
# makes tens of thousands of objects and a few hundred cycles: at 700 the collector ran about once
# a file, with a full pass over the caches every hundredth, 0.35 ms a file; at these 0.19 ms.
GC_THRESHOLDS = (5000, 20, 100)
STARTUP_SECONDS = 60  # a new worker must be ready (imports, initializer) within this, on top of the file's time
_EXIT_PARENT_GONE = 70
_PENDING = object()  # _receive: the worker said it is ready, no result yet


# The thresholds are the process's: ingests running at once in one process (uploads to the web
# app) share them, and the last one to end puts back what the first one found.
_COLLECTIONS_LOCK = threading.Lock()
_COLLECTIONS_HELD = 0
_COLLECTIONS_BEFORE: tuple[int, ...] = ()


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """The collector at :data:`GC_THRESHOLDS` while the block runs (an ingest's writer unpickles
    tens of thousands of rows a batch), the thresholds found before put back after the last of
    the blocks running at once has ended."""
    global _COLLECTIONS_HELD, _COLLECTIONS_BEFORE
    with _COLLECTIONS_LOCK:
        if _COLLECTIONS_HELD == 0:
            _COLLECTIONS_BEFORE = gc.get_threshold()
            gc.set_threshold(*GC_THRESHOLDS)
        _COLLECTIONS_HELD += 1
    try:
        yield
    finally:
        with _COLLECTIONS_LOCK:
            _COLLECTIONS_HELD -= 1
            if _COLLECTIONS_HELD == 0:
                gc.set_threshold(*_COLLECTIONS_BEFORE)


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a file gave no result: ``timeout``, ``memory``, ``crashed`` or ``internal``."""

    code: str
    message_zh: str
    message_en: str


def timeout_failure(seconds: float) -> Failure:
    s = f"{seconds:g}"
    return Failure(
        "timeout",
        f"处理超时：超过 {s} 秒仍未读完，已停止并跳过此文件（seconds）。文件可能已损坏或内容异常庞大；"
        f"如确为正常报告，可用 --limit seconds=<更大的值> 提高上限。",
        f"Timed out: not read within {s} s, stopped and set aside (seconds). The file may be damaged or "
        f"hugely inflated; if it is a genuine report, raise the limit with --limit seconds=<larger value>.",
    )


def memory_failure(memory_mb: float) -> Failure:
    m = f"{memory_mb:g}"
    return Failure(
        "memory",
        f"内存超限：读取此文件需要超过 {m} MB 内存，已停止并跳过（memory_mb）。文件可能是压缩炸弹或已损坏；"
        f"如确为正常报告，可用 --limit memory_mb=<更大的值> 提高上限。",
        f"Out of memory: reading this file needed more than {m} MB, so it was stopped and set aside "
        f"(memory_mb). It may be a decompression bomb or damaged; if it is a genuine report, raise the limit "
        f"with --limit memory_mb=<larger value>.",
    )


def crash_failure(exitcode: int | None) -> Failure:
    how = f"signal {-exitcode}" if exitcode is not None and exitcode < 0 else f"exit {exitcode}"
    return Failure(
        "crashed",
        f"读取此文件时工作进程异常退出（{how}），已跳过。请把文件报告给 gongkai 维护者。",
        f"The worker reading this file died ({how}); the file was set aside. Please report it to the "
        f"gongkai maintainers.",
    )


def internal_failure(detail: str) -> Failure:
    return Failure(
        "internal",
        f"处理时出现程序错误（{detail}）。文件已跳过；请把文件报告给 gongkai 维护者。",
        f"Internal error ({detail}). The file was set aside; please report it to the gongkai maintainers.",
    )


# --- the worker side ------------------------------------------------------------------------


def _die_with_parent() -> None:
    """Exit when the parent process goes, however it goes."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: the kernel kills us with our parent
        except OSError:  # pragma: no cover - no libc to call
            pass
    parent = multiprocessing.parent_process()
    if parent is None:  # pragma: no cover - not started by multiprocessing
        return
    sentinel = parent.sentinel

    def watch() -> None:
        wait([sentinel])
        os._exit(_EXIT_PARENT_GONE)

    threading.Thread(target=watch, name="gongkai-parent-watch", daemon=True).start()


def _limit_memory(memory_mb: float) -> None:
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return
    limit = int(memory_mb * 1024 * 1024)
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _worker_main(
    conn: Connection,
    func: Callable[[Any], Any],
    memory_mb: float,
    initializer: Callable[..., None] | None,
    initargs: tuple[Any, ...],
    tasks_per_worker: int,
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _die_with_parent()
    if initializer is not None:
        initializer(*initargs)
    # What the imports and the initializer made lives as long as the process: out of the
    # collector's sight, it is neither traversed again nor written to (pages shared with the fork
    # server stay shared).
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    _limit_memory(memory_mb)
    try:
        conn.send((None, "ready", None))  # the file's time starts now, not while this process starts
    except OSError:
        return
    for _ in range(tasks_per_worker):
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        task_id, arg = message
        out_of_memory = False
        try:
            reply: tuple[Any, ...] = (task_id, "ok", func(arg))
        except MemoryError:
            out_of_memory = True
            reply = (task_id, "memory", None)
        except Exception as exc:
            reply = (task_id, "error", f"{type(exc).__name__}: {exc}")
        try:
            conn.send(reply)
        except MemoryError:
            out_of_memory = True
            conn.send((task_id, "memory", None))
        except Exception as exc:  # a result that cannot be pickled is a bug, not a file's fault
            conn.send((task_id, "error", f"{type(exc).__name__}: {exc}"))
        if out_of_memory:
            return  # the heap may be in a bad way: start afresh


# --- the parent side ------------------------------------------------------------------------


# Imported once by the fork server, so that a new worker (after a kill, or for one web upload)
# starts in milliseconds instead of importing the parser again. None of them opens a database.
PRELOAD = [
    "gongkai.pipeline",
    "gongkai.readers.pdf",  # PDFium, and pdfplumber's table finder
    "gongkai.rules",
    "gongkai.corpus.analyse",
    "gongkai.corpus.ingest",
]


def _context() -> Any:
    if sys.platform.startswith("linux"):
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")  # pragma: no cover - macOS, Windows


@dataclass(slots=True)
class _Busy:
    index: int
    deadline: float


class _Worker:
    def __init__(self, pool: WorkerPool[Any, Any]) -> None:
        ctx = _context()
        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(
            target=_worker_main,
            args=(child, pool.func, pool.limits.memory_mb, pool.initializer, pool.initargs, pool.tasks_per_worker),
            daemon=True,
            name="gongkai-worker",
        )
        self.process.start()
        child.close()
        self.sentinel: int = self.process.sentinel
        self.busy: _Busy | None = None
        self.done = 0
        self.ready = False  # started, imported and initialised: a file's deadline runs from then

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class WorkerPool(Generic[A, R]):
    """Run ``func(arg)`` for each arg on *workers* processes, one arg per process at a time, each
    within ``limits.seconds`` and ``limits.memory_mb``. ``func``, its args and results must pickle;
    ``func`` must be a module-level function. Use as a context manager."""

    def __init__(
        self,
        func: Callable[[A], R],
        *,
        workers: int | None = None,
        limits: Limits = DEFAULT_LIMITS,
        initializer: Callable[..., None] | None = None,
        initargs: tuple[Any, ...] = (),
        tasks_per_worker: int | None = None,
    ) -> None:
        self.func = func
        self.n = max(1, workers or os.cpu_count() or 1)
        self.limits = limits
        self.initializer = initializer
        self.initargs = initargs
        self.tasks_per_worker = tasks_per_worker or TASKS_PER_WORKER
        self._workers: list[_Worker] = []
        # The workers' pipes and sentinels, registered once: multiprocessing's wait() makes a new
        # selector for every call, which cost the parent more than unpickling the results.
        self._selector = selectors.DefaultSelector()

    def __enter__(self) -> WorkerPool[A, R]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for w in self._workers:
            try:
                if w.busy is None and w.process.is_alive():
                    w.conn.send(None)
            except OSError:
                pass
        deadline = time.monotonic() + 2
        for w in list(self._workers):
            w.process.join(timeout=max(0.0, deadline - time.monotonic()))
            self._discard(w)
        self._selector.close()

    def imap(self, args: Iterable[A]) -> Iterator[tuple[A, R | Failure]]:
        """(arg, result or Failure) for each arg, in the order of *args*."""
        pending: collections.deque[tuple[int, A]] = collections.deque()
        source = enumerate(args)
        exhausted = False
        arg_of: dict[int, A] = {}
        results: dict[int, R | Failure] = {}
        next_out = 0
        max_ahead = self.n * 4  # results held for the in-order output, at most

        def refill() -> None:
            nonlocal exhausted
            while not exhausted and len(pending) < self.n and len(arg_of) < max_ahead:
                item = next(source, None)
                if item is None:
                    exhausted = True
                    return
                pending.append(item)
                arg_of[item[0]] = item[1]

        refill()
        while pending or any(w.busy for w in self._workers) or next_out in results:
            self._assign(pending)
            self._collect(results)
            while next_out in results:
                yield arg_of.pop(next_out), results.pop(next_out)
                next_out += 1
            refill()

    # -- scheduling

    def _start(self) -> _Worker:
        w = _Worker(self)
        self._selector.register(w.conn, selectors.EVENT_READ, w)
        self._selector.register(w.sentinel, selectors.EVENT_READ, w)
        self._workers.append(w)
        return w

    def _discard(self, w: _Worker) -> None:
        """Stop *w* (if it still runs) and forget it."""
        for fileobj in (w.conn, w.sentinel):
            with contextlib.suppress(KeyError, ValueError, OSError):
                self._selector.unregister(fileobj)
        w.kill()
        if w in self._workers:
            self._workers.remove(w)

    def _assign(self, pending: collections.deque[tuple[int, Any]]) -> None:
        while pending:
            idle = next((w for w in self._workers if w.busy is None), None)
            if idle is None:
                if len(self._workers) >= self.n:
                    return
                idle = self._start()
            index, arg = pending.popleft()
            try:
                idle.conn.send((index, arg))
            except OSError:  # the worker went away between tasks: give the file to a new one
                pending.appendleft((index, arg))
                self._discard(idle)
                continue
            startup = 0 if idle.ready else STARTUP_SECONDS  # the deadline is set again when it is ready
            idle.busy = _Busy(index, time.monotonic() + startup + self.limits.seconds)
            idle.done += 1

    def _collect(self, results: dict[int, Any]) -> None:
        busy = [w for w in self._workers if w.busy is not None]
        if not busy:
            return
        now = time.monotonic()
        timeout = max(0.0, min(w.busy.deadline for w in busy if w.busy) - now)
        ready: set[Any] = set()
        for key, _events in self._selector.select(timeout):
            ready.add(key.fileobj)
        now = time.monotonic()
        for w in list(self._workers):
            if w.busy is None:
                if w.conn in ready or w.sentinel in ready:  # an idle worker ended (or broke its pipe)
                    self._discard(w)
                continue
            index = w.busy.index
            if w.conn in ready or w.sentinel in ready:
                outcome = self._receive(w, readable=w.conn in ready)
                if outcome is _PENDING:
                    continue  # only "ready": the file's deadline starts now
                if outcome is not None:
                    results[index] = outcome
                    w.busy = None
                    if w.done >= self.tasks_per_worker or w.sentinel in ready:
                        self._discard(w)
                    continue
                # no reply: the worker died reading this file
                w.process.join(timeout=1)
                results[index] = crash_failure(w.process.exitcode)
                w.busy = None
                self._discard(w)
            elif now >= w.busy.deadline:
                results[index] = timeout_failure(self.limits.seconds)
                w.busy = None
                self._discard(w)

    def _receive(self, w: _Worker, *, readable: bool = False) -> Any:
        try:
            if not readable and not w.conn.poll():
                return None
            _task, status, payload = w.conn.recv()
            if status == "ready":
                w.ready = True
                if w.busy is not None:
                    w.busy.deadline = time.monotonic() + self.limits.seconds
                if not w.conn.poll():
                    return _PENDING
                _task, status, payload = w.conn.recv()
        except (EOFError, OSError):
            return None
        except MemoryError:
            return memory_failure(self.limits.memory_mb)
        if status == "ok":
            return payload
        if status == "memory":
            self._discard(w)
            return memory_failure(self.limits.memory_mb)
        return internal_failure(str(payload))


__all__ = [
    "GC_THRESHOLDS",
    "Failure",
    "WorkerPool",
    "crash_failure",
    "internal_failure",
    "memory_failure",
    "timeout_failure",
]
