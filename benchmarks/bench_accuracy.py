"""Accuracy on the real-document corpus (tests/corpus/): what the reader gets right on reports as
they are found, per file kind and layout.

    python benchmarks/bench_accuracy.py [--details]

Columns: files read / refused; settled cells (verified cells the file's text decides) and how many
are exact; unsettled cells (a digit run with several readings, zeros one short of the cells: see
tests/corpus/README.md) left null with the reason; exact over all verified cells; wrong values
with no finding (the worst defect: must be 0); settled cells missing or wrong but flagged;
expected findings found / all; agency and year right. No timing here: see bench_parse.py.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from corpus_score import FileScore, score_corpus  # noqa: E402


def _row(name: str, scores: list[FileScore]) -> list[str]:
    read = [s for s in scores if s.refused is None]
    all_cells = [c for s in read for c in s.cells]
    cells = [c for s in read for c in s.settled]
    right = sum(c.right for c in cells)
    unflagged = sum(c.wrong and not c.flagged for c in all_cells)
    other = len(cells) - right - sum(c.wrong and not c.flagged for c in cells)
    loose = [c for c in all_cells if c.unsettled]
    all_right = sum(c.right for c in all_cells)
    expected = sum(len(s.findings_expected) for s in read)
    found = expected - sum(len(s.findings_missed) for s in read)
    pct = f"{100 * right / len(cells):.2f}%" if cells else "—"
    return [
        name,
        f"{len(read)}/{len(scores)}",
        str(len(scores) - len(read)),
        str(len(cells)),
        f"{right} ({pct})",
        f"{sum(c.got is None and c.flagged for c in loose)}/{len(loose)}",
        f"{all_right}/{len(all_cells)} ({100 * all_right / len(all_cells):.2f}%)" if all_cells else "—",
        str(unflagged),
        str(other),
        f"{found}/{expected}",
        f"{sum(s.agency_right for s in scores)}/{len(scores)}",
        f"{sum(s.year_right for s in scores)}/{len(scores)}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--details", action="store_true", help="list every cell that is not right")
    args = parser.parse_args()
    scores = list(score_corpus())
    groups: dict[str, list[FileScore]] = defaultdict(list)
    for s in scores:
        groups[f"{s.file.kind}/{s.file.layout}"].append(s)
    head = [
        "kind/layout",
        "read",
        "refused",
        "settled",
        "exact",
        "unsettled-null",
        "all-exact",
        "wrong-unflagged",
        "other",
        "findings",
        "agency",
        "year",
    ]
    rows = [_row(k, v) for k, v in sorted(groups.items())]
    rows.append(_row("ALL", scores))
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    if args.details:
        for s in scores:
            if s.refused:
                print(f"REFUSED {s.file.name}: {s.refused}")
            for c in s.not_right:
                tag = "WRONG-UNFLAGGED" if c.wrong and not c.flagged else "wrong-flagged" if c.wrong else "missing"
                print(f"{tag} {s.file.name} {c.table}.{c.row}.{c.column}: expected {c.expected}, got {c.got}")
            for f in s.findings_missed:
                print(f"MISSED-FINDING {s.file.name}: {f}")
            if not s.agency_right:
                print(f"AGENCY {s.file.name}: expected {s.agency[0]!r}, got {s.agency[1]!r}")
            if not s.year_right:
                print(f"YEAR {s.file.name}: expected {s.year[0]}, got {s.year[1]}")
        print()
    reports = {(s.file.expected.get("agency"), s.file.expected.get("year")) for s in scores}
    print(f"Real-document corpus: {len(scores)} files, {len(reports)} reports (agency and year)")
    for r in [head, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)))


if __name__ == "__main__":
    main()
