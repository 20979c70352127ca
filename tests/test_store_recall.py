"""Every error the generator plants is found: recall per rule is 1.0 on a small corpus."""

from __future__ import annotations

import sys
from collections import Counter

from store_helpers import ROOT, built_corpus, generate_corpus

sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_ingest

KINDS = {"text": 0.86, "html": 0.06, "docx": 0.05, "pdf": 0.03}


def test_every_planted_error_is_found() -> None:
    corpus, db, manifest = built_corpus(kinds=KINDS)
    planted = Counter(c for e in manifest for c in e["planted"])
    assert set(planted) == set(generate_corpus.PLANTABLE), planted
    result = bench_ingest.recall(db, corpus, manifest)
    assert result["recall"] == dict.fromkeys(sorted(planted), 1.0), result["missed_examples"]
    assert result["failures_recognised"] == "4/4"


def test_generated_kinds_and_layouts_are_all_present() -> None:
    _, _, manifest = built_corpus(kinds=KINDS)
    layouts = Counter(e["layout"] for e in manifest if e["kind"] == "text")
    assert set(layouts) == set(generate_corpus.TEXT_LAYOUTS)
    assert {e["kind"] for e in manifest} >= {"text", "html", "docx", "junk"}
    years = Counter(e["year"] for e in manifest if e["kind"] != "junk")
    assert set(years) == set(generate_corpus.YEARS)
