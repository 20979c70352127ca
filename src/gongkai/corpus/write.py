"""``gongkai write`` saves a report only after gongkai has read it back and checked it.

:func:`save_checked` renders the report (:func:`gongkai.writers.output.render`), writes a
temporary file next to the destination, reads it back and checks it with
:func:`gongkai.corpus.analyse.analyse` — the function ``gongkai check`` runs on every file —,
compares what it reads with the report (:func:`gongkai.writers.output.differences`), and only
then renames it into place. A report whose check finds an error is not saved unless *force*: the
destination is never left half-written, and an existing file there is replaced whole or not at
all.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gongkai import faults
from gongkai.corpus.analyse import FileError, analyse
from gongkai.model import Report
from gongkai.rules import Finding
from gongkai.writers.output import differences, for_writing, render

__all__ = ["SavedReport", "save_checked"]


@dataclass(slots=True)
class SavedReport:
    """What became of one report: saved or not, and what gongkai found reading it back."""

    path: Path
    saved: bool
    read_back: Report | None = None
    findings: list[Finding] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)
    read_error: FileError | None = None  # the written bytes did not read back as a report
    check_error: str | None = None  # the checks crashed

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def refused(self) -> bool:
        """Whether something says the file should not be published as it is."""
        return bool(self.errors or self.differences or self.read_error is not None or self.check_error)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def save_checked(report: Report, fmt: str, dest: Path, *, force: bool = False, config: Any = None) -> SavedReport:
    """Write *report* as *fmt* to *dest*: render, write a temporary file in the same folder, read
    it back and check it (:func:`gongkai.corpus.analyse.analyse`, as ``gongkai check`` does), compare it
    with the report (:func:`differences`), then rename it onto *dest* — unless the check found an
    error-severity finding, the file did not read back as the report, or the checks crashed, and
    *force* is not given. Nothing is ever left at *dest* but a whole file; the temporary file is
    removed whatever happens (a killed process may leave it, never *dest* half-written)."""
    written = for_writing(report)
    data = render(written, fmt)
    dest = Path(dest)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    tmp: Path | None = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        outcome = analyse(str(tmp), config=config, check=True)
        result = SavedReport(dest, saved=False, read_back=outcome.report, findings=list(outcome.findings or []))
        result.read_error = outcome.error
        result.check_error = outcome.check_error
        if outcome.report is not None:
            outcome.report.source.path = str(dest)
            result.differences = differences(written, outcome.report)
        if result.refused and not force:
            return result
        faults.inject("write", str(dest))
        assert tmp is not None
        mode = dest.stat().st_mode & 0o777 if dest.exists() else 0o666 & ~_umask()
        os.chmod(tmp, mode)
        os.replace(tmp, dest)
        tmp = None
        _sync_dir(dest.parent)
        result.saved = True
        return result
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()


def _sync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
