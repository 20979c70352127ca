"""Taking turns at one DuckDB file between processes.

DuckDB lets one process write a database file at a time, and no other process read it meanwhile
(a second process that opens it gets "Could not set lock … Conflicting lock is held"). gongkai
therefore never keeps the file longer than it needs it, and processes take turns:

- every process that wants the file and cannot have it **announces that it waits** (a shared
  ``flock`` on a small file beside the database, ``<database>.wait``) and tries again with a
  bounded backoff (:func:`connect`);
- a process never holds the file longer than a piece of work: ``gongkai ingest`` opens it per
  batch it writes and closes it after; ``gongkai serve`` opens it for its requests and closes it
  when they are done and none came for a moment — or at once when it sees someone waiting
  (:class:`Watcher`, looked at between requests): then it lets the waiting process go first and
  opens the file again for the next request, waiting its own turn the same way.

The announcement is a lock, not a file's presence: it disappears with the process that holds it,
even after ``kill -9``. Where ``fcntl`` does not exist (Windows) there is no announcement and the
processes only retry. A database in memory is never shared.

How long a process waits before it gives up: :data:`DEFAULT_WAIT` seconds, or the environment's
``GONGKAI_LOCK_WAIT``.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from typing import IO

import duckdb

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

DEFAULT_WAIT = 60.0  # seconds a command waits for the file before it gives up
FIRST_DELAY = 0.02  # backoff between attempts: doubled each time up to MAX_DELAY
MAX_DELAY = 0.25
YIELD_SECONDS = 5.0  # how long a process that let go of the file keeps off it while another waits
WAIT_SUFFIX = ".wait"


def lock_wait(default: float = DEFAULT_WAIT) -> float:
    """Seconds to wait for the database: ``GONGKAI_LOCK_WAIT`` when set to a number, else *default*."""
    text = os.environ.get("GONGKAI_LOCK_WAIT", "").strip()
    try:
        return max(0.0, float(text)) if text else default
    except ValueError:
        return default


def is_lock_conflict(exc: BaseException) -> bool:
    """Whether *exc* is DuckDB refusing a file another process holds."""
    text = str(exc).lower()
    return isinstance(exc, duckdb.Error) and "lock" in text and ("conflicting" in text or "could not set" in text)


def shared(path: str) -> bool:
    """Whether *path* is a file other processes may want (not a database in memory)."""
    return bool(path) and path != ":memory:" and not path.startswith(":memory:")


def wait_file(path: str) -> str:
    return path + WAIT_SUFFIX


class Announcement:
    """This process waits for the database *path* (a shared lock on its wait file) until
    :meth:`withdraw`. Does nothing where it cannot (no fcntl, a folder it may not write)."""

    def __init__(self, path: str) -> None:
        self._file: IO[bytes] | None = None
        if fcntl is None or not shared(path):
            return
        try:
            f = open(wait_file(path), "ab")  # noqa: SIM115 - held until withdraw()
        except OSError:
            return
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_SH)  # a prober holds LOCK_EX for microseconds only
        except OSError:
            f.close()
            return
        self._file = f

    def withdraw(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()  # closing drops the lock
            self._file = None


# One probe at a time in this process: a probe holds the wait file's lock exclusively for an
# instant, and another watcher of the same process probing then would take it for a waiter.
_PROBE_LOCK = threading.Lock()


class Watcher:
    """Answers "is another process waiting for the database?" — cheaply, many times (one open
    file kept for the probes)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._file: IO[bytes] | None = None
        self._lock = _PROBE_LOCK

    def others_waiting(self) -> bool:
        if fcntl is None or not shared(self.path):
            return False
        with self._lock:
            if self._file is None:
                try:
                    self._file = open(wait_file(self.path), "ab")  # noqa: SIM115 - kept for the next probe
                except OSError:
                    return False
            fd = self._file.fileno()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True  # someone holds it shared: waiting
            except OSError:
                return False
            fcntl.flock(fd, fcntl.LOCK_UN)
            return False

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                with contextlib.suppress(OSError):
                    self._file.close()
                self._file = None


def let_waiting_go(
    watcher: Watcher, seconds: float = YIELD_SECONDS, sleep: Callable[[float], None] = time.sleep
) -> bool:
    """Once this process has let go of the file: keep off it while another process still says it
    waits (at most *seconds*), so that the waiting one has it before this one opens it again —
    reopened at once, the file went back to the process that had just let go of it, while the
    waiting one slept between two tries. Returns whether anyone was waiting."""
    if not watcher.others_waiting():
        return False
    until = time.monotonic() + seconds
    while watcher.others_waiting() and time.monotonic() < until:
        sleep(FIRST_DELAY / 2)
    return True


def others_waiting(path: str) -> bool:
    """Whether another process announced that it waits for the database *path*. (A process must
    not ask while it announces itself: it would see its own announcement.)"""
    watcher = Watcher(path)
    try:
        return watcher.others_waiting()
    finally:
        watcher.close()


class LockTimeout(Exception):
    """The database stayed held by another process for *waited* seconds."""

    def __init__(self, cause: BaseException, waited: float) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.waited = waited


def connect(
    path: str, *, read_only: bool = False, wait: float = DEFAULT_WAIT, sleep: Callable[[float], None] = time.sleep
) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect(path)``, tried again with a bounded backoff while another process holds
    the file, announcing meanwhile that this process waits (:class:`Announcement`), so that a
    holder that looks (the web server, :class:`Watcher`) lets go. Raises :class:`LockTimeout`
    after *wait* seconds; any other error at once."""
    if not shared(path):
        return duckdb.connect(path, read_only=read_only)
    started = time.monotonic()
    delay = FIRST_DELAY
    with _announced(path) as announce:
        while True:
            try:
                return duckdb.connect(path, read_only=read_only)
            except duckdb.Error as exc:
                if not is_lock_conflict(exc):
                    raise
                waited = time.monotonic() - started
                if waited >= wait:
                    raise LockTimeout(exc, waited) from None
                announce()
            sleep(delay)
            delay = min(delay * 2, MAX_DELAY)


@contextlib.contextmanager
def _announced(path: str) -> Iterator[Callable[[], None]]:
    """A function that announces this process waits (once), and the announcement withdrawn at the end."""
    held: list[Announcement] = []

    def announce() -> None:
        if not held:
            held.append(Announcement(path))

    try:
        yield announce
    finally:
        for a in held:
            a.withdraw()


__all__ = [
    "DEFAULT_WAIT",
    "Announcement",
    "LockTimeout",
    "Watcher",
    "connect",
    "is_lock_conflict",
    "let_waiting_go",
    "lock_wait",
    "others_waiting",
    "shared",
    "wait_file",
]
