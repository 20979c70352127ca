"""The real-document corpus (tests/corpus/): every hand-verified cell of every real report.

Per file: read (never refused), agency and year right, no wrong value without a finding on its
row or column, every inconsistency the report really has found by its rule. Over the corpus: every
cell the file's text settles exact; the cells it does not settle (a digit run with several
readings, zeros one short of the cells) null with the reason, never guesses.
benchmarks/bench_accuracy.py prints the table.
"""

from __future__ import annotations

import pytest

from corpus_score import corpus_files, score_corpus, score_file

FILES = corpus_files()

# Where the text alone cannot give what the hand-verified report has. Strict: the day the parser
# reads one of these right, the test says so and the entry goes.
KNOWN_GAPS: dict[str, str] = {}
# The share of settled cells (those the file's text decides; see CorpusFile.unsettled) read
# exactly: all of them, as measured when the corpus was last extended.
ACCURACY_FLOOR = 1.0


def test_corpus_is_there() -> None:
    assert len({f.report_id for f in FILES}) >= 20


@pytest.mark.parametrize(
    "cf",
    [
        pytest.param(f, marks=pytest.mark.xfail(reason=KNOWN_GAPS[f.name], strict=True)) if f.name in KNOWN_GAPS else f
        for f in FILES
    ],
    ids=[f.name for f in FILES],
)
def test_real_report(cf) -> None:
    score = score_file(cf)
    assert score.refused is None, f"refused: {score.refused}"
    assert score.agency_right, score.agency
    assert score.year_right, score.year
    unflagged = [(c.table, c.row, c.column, c.expected, c.got) for c in score.wrong_unflagged]
    assert unflagged == [], "wrong values with no finding"
    assert score.findings_missed == []
    assert score.cells, "no verified cell"


def test_corpus_accuracy() -> None:
    scores = list(score_corpus())
    settled = [c for s in scores for c in s.settled]
    exact = sum(c.right for c in settled)
    assert exact / len(settled) >= ACCURACY_FLOOR, f"{exact}/{len(settled)} settled cells exact"
    # a cell the text does not settle comes out null with the reason (or right), never a number
    unsettled = [c for s in scores for c in s.cells if c.unsettled]
    assert all(c.right or (c.got is None and c.flagged) for c in unsettled)
