"""Score the parser against the hand-verified real-document corpus (tests/corpus/README.md).

Shared by tests/test_corpus.py (which asserts) and benchmarks/bench_accuracy.py (which prints the
table per file kind and layout). A cell is *right* when the parsed value equals the verified one
(nulls included); *wrong* when the parser gives a number that differs; a wrong cell is *flagged*
when a finding names its table and row (or its table and column), or its value is marked
inferred/ambiguous — a wrong value with no finding is the worst defect the tool can have. A cell
the file's text does not settle (``unsettled`` in the expected file) is scored apart: exactness is
measured over the settled cells, and every cell is held to "never a wrong number".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from gongkai.pipeline import parse_bytes
from gongkai.readers import ReadError
from gongkai.rules import check_report

CORPUS = Path(__file__).resolve().parent / "corpus"


@dataclass(frozen=True, slots=True)
class CorpusFile:
    report_id: str
    path: Path
    kind: str
    layout: str
    expected: dict[str, Any]
    # Cells this file's text does not settle (README: `unsettled`): a digit run with several
    # readings under the format's sums, or zeros one short of the cells with no telling which is
    # blank. Scored apart: they must come out null with the reason, or right — never another number.
    unsettled: frozenset[str] = frozenset()

    @property
    def name(self) -> str:
        path = self.path.resolve()
        for base in (CORPUS / "files", CORPUS.parent):
            if path.is_relative_to(base.resolve()):
                return path.relative_to(base.resolve()).as_posix()
        return path.name


def corpus_files(root: Path = CORPUS) -> list[CorpusFile]:
    out = []
    for exp_path in sorted((root / "expected").rglob("*.json")):
        expected = json.loads(exp_path.read_text(encoding="utf-8"), parse_float=Decimal)
        for f in expected["files"]:
            out.append(
                CorpusFile(
                    expected["id"],
                    root / f["path"],
                    f["kind"],
                    f["layout"],
                    expected,
                    frozenset(f.get("unsettled", ())),
                )
            )
    return out


@dataclass(slots=True)
class CellResult:
    table: str
    row: str
    column: str
    expected: Any
    got: Any
    flagged: bool
    unsettled: bool = False  # the file's text does not settle it (CorpusFile.unsettled)

    @property
    def right(self) -> bool:
        return _same(self.expected, self.got)

    @property
    def wrong(self) -> bool:
        """A number that differs from the verified one (a null is missing, not wrong)."""
        return self.got is not None and not self.right


@dataclass(slots=True)
class FileScore:
    file: CorpusFile
    refused: str | None = None  # the ReadError code
    cells: list[CellResult] = field(default_factory=list)
    findings_expected: list[dict[str, Any]] = field(default_factory=list)
    findings_missed: list[dict[str, Any]] = field(default_factory=list)
    agency: tuple[Any, Any] = (None, None)  # (expected, got)
    year: tuple[Any, Any] = (None, None)

    @property
    def agency_right(self) -> bool:
        return self.agency[0] == self.agency[1]

    @property
    def year_right(self) -> bool:
        return self.year[0] == self.year[1]

    @property
    def wrong_unflagged(self) -> list[CellResult]:
        return [c for c in self.cells if c.wrong and not c.flagged]

    @property
    def not_right(self) -> list[CellResult]:
        return [c for c in self.cells if not c.right]

    @property
    def settled(self) -> list[CellResult]:
        """The cells the file's text settles: the measure of exactness."""
        return [c for c in self.cells if not c.unsettled]


def _same(expected: Any, got: Any) -> bool:
    if expected is None or got is None:
        return expected is None and got is None
    return Decimal(str(expected)) == Decimal(str(got))


def score_file(cf: CorpusFile) -> FileScore:
    score = FileScore(cf)
    exp = cf.expected
    score.agency = (exp.get("agency"), None)
    score.year = (exp.get("year"), None)
    try:
        report = parse_bytes(cf.path.read_bytes(), cf.name)
    except ReadError as exc:
        score.refused = exc.code
        return score
    findings = check_report(report)
    score.agency = (exp.get("agency"), report.meta.agency)
    score.year = (exp.get("year"), report.meta.year)
    flagged_rows = {(f.table, f.row) for f in findings if f.table and f.row}
    flagged_cols = {(f.table, f.column) for f in findings if f.table and f.column and not f.row}
    for table_key in exp.get("verified", []):
        expected_table = exp["tables"][table_key]
        parsed = report.tables.get(table_key)
        for row_key, columns in expected_table.items():
            row = parsed.rows.get(row_key) if parsed is not None else None
            for column, want in columns.items():
                value = row.values.get(column) if row is not None else None
                got = value.value if value is not None else None
                marked = value is not None and value.status in ("inferred", "ambiguous")
                flagged = marked or (table_key, row_key) in flagged_rows or (table_key, column) in flagged_cols
                unsettled = f"{table_key}.{row_key}.{column}" in cf.unsettled
                score.cells.append(CellResult(table_key, row_key, column, want, got, flagged, unsettled))
    for want in exp.get("findings", []):
        score.findings_expected.append(want)
        hit = any(
            f.code == want["code"]
            and f.table == want.get("table")
            and (want.get("row") is None or f.row == want.get("row"))
            and (want.get("column") is None or f.column == want.get("column"))
            for f in findings
        )
        if not hit:
            score.findings_missed.append(want)
    return score


def score_corpus(root: Path = CORPUS) -> Iterator[FileScore]:
    for cf in corpus_files(root):
        yield score_file(cf)
