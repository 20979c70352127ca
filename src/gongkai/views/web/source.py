"""The text of a stored report's source file, line by line, for the report view.

The store keeps where a report came from (``reports.path``) and the SHA-256 of its bytes, not the
bytes. The view reads the file again with the same reader the parser used, so line numbers are
the parser's: a finding at line 59 lights line 59. A file that has gone, or changed since it was
ingested, is said so rather than shown wrong.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from gongkai.readers import ReadError, read_bytes

CACHE_SIZE = 128


@dataclass(frozen=True, slots=True)
class SourceText:
    status: str  # "ok", "missing", "changed" (the file differs from what was ingested), "unreadable"
    lines: tuple[str, ...] = field(default=())
    kind: str | None = None


_cache: OrderedDict[tuple[str, str], SourceText] = OrderedDict()
_lock = threading.Lock()


def source_text(path: str | None, sha256: str | None) -> SourceText:
    if not path:
        return SourceText("missing")
    key = (path, sha256 or "")
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    result = _read(path, sha256)
    if result.status != "missing":  # a missing file may come back; do not remember its absence
        with _lock:
            _cache[key] = result
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    return result


def _read(path: str, sha256: str | None) -> SourceText:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError:
        return SourceText("missing")
    changed = bool(sha256) and hashlib.sha256(data).hexdigest() != sha256
    try:
        doc = read_bytes(data, path)
    except ReadError:
        return SourceText("unreadable")
    except Exception:
        return SourceText("unreadable")
    return SourceText("changed" if changed else "ok", tuple(doc.lines), doc.kind)


def clear_cache() -> None:
    with _lock:
        _cache.clear()


__all__ = ["SourceText", "clear_cache", "source_text"]
