"""One file's work — read, parse, and optionally check — run in bounded worker processes.

The commands and the web upload hand their files to :func:`run_files`; each file is parsed (and
checked) in a :class:`gongkai.workers.WorkerPool` worker within the time and memory of
:class:`gongkai.limits.Limits`, and comes back as a :class:`FileOutcome`: the report and its
findings, or the reason it could not be read. Outcomes come in the order of the files, one per
file, whatever happened to the others.
"""

from __future__ import annotations

import contextlib
import os
import time
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gongkai import faults
from gongkai.files import display_path
from gongkai.limits import DEFAULT_LIMITS, Limits
from gongkai.model import Report
from gongkai.pipeline import parse_path
from gongkai.readers import ReadError
from gongkai.workers import Failure, WorkerPool


@dataclass(slots=True)
class FileError:
    code: str
    message_zh: str
    message_en: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message_zh, "message_en": self.message_en}


@dataclass(slots=True)
class FileOutcome:
    path: str  # as shown: valid Unicode even for a GBK file name
    report: Report | None = None
    findings: list[Any] | None = None  # gongkai.rules.Finding, when checked
    error: FileError | None = None
    check_error: str | None = None  # the checks crashed: the report is there, its findings incomplete
    fs_path: str = ""  # the path as the file system knows it (bytes of a GBK name kept), when it differs

    @property
    def ok(self) -> bool:
        return self.report is not None

    def error_json(self) -> dict[str, Any]:
        """The JSON Lines object of a file that gave no report (docs/json.md)."""
        assert self.error is not None
        source: dict[str, Any] = {"path": self.path, "sha256": None, "kind": None, "size": None, "url": None}
        with contextlib.suppress(OSError):
            source["size"] = os.stat(self.fs_path or self.path).st_size
        return {"source": source, "error": self.error.to_dict()}


def error_detail(exc: BaseException, path: str = "", shown: str = "") -> str:
    """An exception as text for a message: the file as shown, and never a lone surrogate (an
    exception naming a GBK file name carries them; stdout, stderr and DuckDB refuse them)."""
    text = f"{type(exc).__name__}: {exc}"
    if path and shown:
        text = text.replace(path, shown)
    return text.encode("utf-8", "replace").decode("utf-8")[:300]


_CONFIG: Any = None
_LIMITS: Limits = DEFAULT_LIMITS
_CHECK = False


def _init(config: Any, limits: Limits, check: bool, faults_spec: str) -> None:
    global _CONFIG, _LIMITS, _CHECK
    _CONFIG, _LIMITS, _CHECK = config, limits, check
    faults.configure(faults_spec)


def process(path: str) -> FileOutcome:
    """:func:`analyse` with the worker's settings (see :func:`run_files`)."""
    return analyse(path, _LIMITS, _CONFIG, check=_CHECK)


def analyse(
    path: str,
    limits: Limits = DEFAULT_LIMITS,
    config: Any = None,
    *,
    check: bool = True,
    timings: dict[str, float] | None = None,
) -> FileOutcome:
    """Parse (and check) one file in this process: the one place the commands, ``ingest`` and the
    web upload read a file. Never raises for a bad file; MemoryError goes up to the worker, which
    reports it against ``memory_mb``. With *timings*, the CPU seconds of each stage are added to it
    (``read``, ``parse``: :func:`gongkai.pipeline.parse_path`; ``check``)."""
    shown = display_path(path)
    try:
        report = parse_path(path, limits, timings)
    except ReadError as exc:
        return FileOutcome(shown, error=FileError(exc.code, exc.message_zh, exc.message_en), fs_path=path)
    except MemoryError:
        raise
    except Exception as exc:  # a parser bug must not stop the batch
        detail = error_detail(exc, path, shown)
        return FileOutcome(
            shown,
            error=FileError(
                "internal",
                f"解析时出现程序错误（{detail}）。请把文件报告给 gongkai 维护者。",
                f"Internal error while parsing ({detail}). Please report the file to the gongkai maintainers.",
            ),
            fs_path=path,
        )
    report.source.path = shown
    outcome = FileOutcome(shown, report=report)
    if check:
        from gongkai.rules import Finding, check_report

        started = time.process_time()
        try:
            outcome.findings = check_report(report, config)
        except MemoryError:
            raise
        except Exception as exc:
            outcome.check_error = error_detail(exc, path, shown)
            # Whoever reads the findings (JSON, the database) sees that they are incomplete.
            outcome.findings = [
                Finding(
                    code="internal",
                    severity="info",
                    message=f"审核规则运行出错（{outcome.check_error}），本报告的审核结果不完整。",
                    message_en=f"A check crashed ({outcome.check_error}); this report's findings are incomplete.",
                    note=traceback.format_exc(limit=3).replace(path, shown).encode("utf-8", "replace").decode(),
                )
            ]
        if timings is not None:
            timings["check"] = timings.get("check", 0.0) + time.process_time() - started
    return outcome


def failed_outcome(path: str, failure: Failure) -> FileOutcome:
    """The outcome of a file whose worker was stopped (timeout, memory) or died."""
    return FileOutcome(
        display_path(path),
        error=FileError(failure.code, failure.message_zh, failure.message_en),
        fs_path=path,
    )


def run_files(
    paths: Iterable[Path | str],
    *,
    check: bool = False,
    config: Any = None,
    limits: Limits = DEFAULT_LIMITS,
    workers: int | None = None,
) -> Iterator[FileOutcome]:
    """A :class:`FileOutcome` for each of *paths*, in order, each file read in a bounded worker."""
    items = [str(p) for p in paths]
    if not items:
        return
    n = max(1, min(workers or os.cpu_count() or 1, len(items)))
    with WorkerPool(
        process, workers=n, limits=limits, initializer=_init, initargs=(config, limits, check, faults.configure())
    ) as pool:
        for path, result in pool.imap(items):
            yield failed_outcome(path, result) if isinstance(result, Failure) else result


__all__ = ["FileError", "FileOutcome", "analyse", "error_detail", "failed_outcome", "process", "run_files"]
