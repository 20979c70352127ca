"""Saving uploaded files safely when many arrive at once.

Two uploads of the same bytes at the same moment must not step on each other: one truncating
the file the other is reading gave a false "文件为空" (empty file), and a shared folder removed
under another request's feet a 500. So:

- work on one content (its SHA-256) is serialised by :class:`KeyedLocks` — the second upload
  waits, then finds the report already stored ("known");
- a file is written under a unique hidden temporary name in its folder, flushed, and renamed
  into place atomically (:func:`save_atomic`): a reader sees the whole file or none;
- a failed file removes only what its own request wrote (:func:`discard`).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Hashable, Iterator
from pathlib import Path


class KeyedLocks:
    """One lock per key, alive while someone holds or waits for it."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[Hashable, tuple[threading.Lock, int]] = {}

    @contextlib.contextmanager
    def hold(self, key: Hashable) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.get(key) or (threading.Lock(), 0)
            self._locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, users = self._locks[key]
                if users <= 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        with self._guard:
            return len(self._locks)


def save_atomic(folder: Path, name: str, data: bytes) -> Path:
    """Write *data* to ``folder/name`` through a unique temporary file and an atomic rename."""
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        target = folder / name
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target


def discard(path: Path) -> None:
    """Remove a saved file that is not kept, and its folder once empty."""
    with contextlib.suppress(OSError):
        path.unlink()
    with contextlib.suppress(OSError):
        path.parent.rmdir()  # only when empty: another name of the same content may live there


__all__ = ["KeyedLocks", "discard", "save_atomic"]
