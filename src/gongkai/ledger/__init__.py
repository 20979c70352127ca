"""The request ledger (申请台账): one row per application → table 三 and the checks of each
application's deadline (``gongkai ledger``, docs/ledger.md).

    >>> from gongkai.ledger import analyse, read_ledger_file  # doctest: +SKIP
    >>> result = analyse(read_ledger_file("2024.xlsx", 2024), 2024)  # doctest: +SKIP
    >>> result.table.value("new", "total")  # doctest: +SKIP

Modules: :mod:`~gongkai.ledger.workdays` (working days and deadlines), :mod:`~.columns` (the
columns and reading a CSV/XLSX file into :class:`Application` records), :mod:`~.table` (table 三
from the format spec), :mod:`~.checks` (per-application findings), :mod:`~.carry` (上年结转),
:mod:`~.findings` (the L codes), :mod:`~.sheets` (the XLSX/CSV files written). Pure but for
:func:`read_ledger_file` and :mod:`~.sheets`' writers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from gongkai.formats import FormatSpec, format_for_year
from gongkai.ledger.carry import carried_over_row, merge_previous, parse_carried_over
from gongkai.ledger.checks import Checked, check_application, ledger_findings
from gongkai.ledger.columns import Application, LedgerReadError, read_ledger
from gongkai.ledger.findings import SEVERITIES, LedgerFinding
from gongkai.ledger.table import report_of, requests_table
from gongkai.model import Report, TableData

__all__ = [
    "FIRST_YEAR",
    "Application",
    "LedgerFile",
    "LedgerReadError",
    "LedgerResult",
    "analyse",
    "parse_carried_over",
    "read_ledger",
    "read_ledger_file",
]

FIRST_YEAR = 2019  # the revised 条例 and the 2019 format


@dataclass(frozen=True, slots=True)
class LedgerFile:
    """A ledger as read: its name, digest, size and applications."""

    path: str
    sha256: str
    size: int
    applications: list[Application]

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "sha256": self.sha256, "size": self.size, "rows": len(self.applications)}


def read_ledger_file(
    path: str | Path, year: int, *, name: str | None = None, max_bytes: int | None = None
) -> LedgerFile:
    """Read a ledger file for report *year*. Raises :class:`LedgerReadError` (unreadable, too
    large, not a ledger) with a message naming what to do."""
    p = Path(path)
    shown = name or str(path)
    try:
        size = p.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise LedgerReadError(
                "too_large",
                f"文件过大（{size / 1024 / 1024:.1f} MB，上限 {max_bytes / 1024 / 1024:.0f} MB）。请按年度拆分台账。",
                f"The file is too large ({size / 1024 / 1024:.1f} MB, limit {max_bytes / 1024 / 1024:.0f} MB). "
                "Split the ledger by year.",
            )
        data = p.read_bytes()
    except IsADirectoryError:
        raise LedgerReadError(
            "directory", "这是文件夹，不是台账文件。", "This is a folder, not a ledger file."
        ) from None
    except FileNotFoundError:
        raise LedgerReadError(
            "not_found", "文件不存在。请检查路径和拼写。", "No such file. Check the path and spelling."
        ) from None
    except OSError as exc:
        raise LedgerReadError(
            "unreadable",
            f"无法读取文件（{exc.strerror or type(exc).__name__}）。请检查文件权限。",
            f"The file cannot be read ({exc.strerror or type(exc).__name__}). Check its permissions.",
        ) from None
    apps = read_ledger(data, shown, format_for_year(year))
    return LedgerFile(shown, hashlib.sha256(data).hexdigest(), len(data), apps)


@dataclass(slots=True)
class LedgerResult:
    """Table 三 of a year counted from a ledger, with every application's findings."""

    year: int
    format: FormatSpec
    as_of: dt.date
    files: list[LedgerFile]
    checked: list[Checked]
    table: TableData
    findings: list[LedgerFinding]
    carried_over_source: str  # "ledger", "previous" or "given"
    carried_over_given: dict[str, int] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        c = Counter(f.severity for f in self.findings)
        return {s: c[s] for s in SEVERITIES}

    @property
    def counted(self) -> int:
        return sum(1 for c in self.checked if c.placement.counted)

    @property
    def fees(self) -> Decimal:
        """Fees of the applications replied in the year (yuan)."""
        return sum((c.app.fee for c in self.checked if c.app.fee is not None and c.placement.outcome), Decimal(0))

    def report(self) -> Report:
        """A Report holding the computed table 三, as ``gongkai check``'s rules read reports."""
        main = self.files[0] if self.files else None
        return report_of(
            self.format,
            self.year,
            self.table,
            path=main.path if main else "",
            sha256=main.sha256 if main else "",
            size=main.size if main else 0,
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``gongkai ledger --format json``: ``source``, ``meta`` and ``tables`` as
        ``gongkai parse --format json`` writes them (``tables.requests`` is table 三), then the
        ledger's own fields."""
        report = self.report()
        spec = self.format.tables["requests"]
        return {
            "source": report.source.to_dict(),
            "meta": report.meta.to_dict(),
            "tables": {"requests": self.table.to_values()},
            "ledger": {
                "year": self.year,
                "format": self.format.id,
                "as_of": self.as_of,
                "files": [f.to_dict() for f in self.files],
                "applications": len(self.checked),
                "counted": self.counted,
                "carried_over": {"source": self.carried_over_source, "given": self.carried_over_given},
                "fees_yuan": self.fees,
            },
            "applications": [c.to_dict(spec) for c in self.checked],
            "findings": [f.to_dict() for f in self.findings],
            "counts": self.counts,
        }


def analyse(
    ledger: LedgerFile,
    year: int,
    *,
    previous: LedgerFile | None = None,
    carried_over: dict[str, int] | None = None,
    as_of: dt.date | None = None,
) -> LedgerResult:
    """Table 三 of *year* from *ledger* and the findings of each application.

    二、上年结转 is counted from the applications received before *year* and pending at its start:
    those of *ledger*, with *previous* (last year's ledger) those of that ledger too; or, with
    *carried_over* (``parse_carried_over``), it is the figure given, checked against the ledger."""
    if previous is not None and carried_over is not None:
        raise ValueError("give last year's ledger or the carried-over figure, not both")
    fmt = format_for_year(year)
    spec = fmt.tables["requests"]
    as_of = as_of or dt.date(year, 12, 31)
    apps: Sequence[Application] = ledger.applications
    findings: list[LedgerFinding] = []
    source = "ledger"
    if previous is not None:
        apps, carry_findings = merge_previous(ledger.applications, previous.applications, year, spec)
        findings += carry_findings
        source = "previous"
    checked = [check_application(a, spec, fmt.id, year, as_of) for a in apps]
    for c in checked:
        findings += c.findings
    findings += ledger_findings(checked, year)
    placements = [c.placement for c in checked]
    row, given_findings = carried_over_row(spec, placements, carried_over, year)
    if carried_over is not None:
        source = "given"
        for f in given_findings:
            findings.append(f if f.file else _with_file(f, ledger.path))
    table = requests_table(spec, placements, row)
    files = [ledger] + ([previous] if previous is not None else [])
    order = {f.path: i for i, f in enumerate(files)}
    findings.sort(key=lambda f: (order.get(f.file or "", -1), f.line or 0, f.code, f.message))
    return LedgerResult(
        year=year,
        format=fmt,
        as_of=as_of,
        files=files,
        checked=checked,
        table=table,
        findings=findings,
        carried_over_source=source,
        carried_over_given=carried_over,
    )


def _with_file(f: LedgerFinding, file: str) -> LedgerFinding:
    from dataclasses import replace

    return replace(f, file=file)
