import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_format_docs_are_current():
    proc = subprocess.run(
        [sys.executable, "tools/gen_format_docs.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr


def test_every_key_of_the_spec_is_in_the_formats():
    from gongkai.formats import load_format

    f19, f21 = load_format("2019"), load_format("2021")
    assert list(f21.tables["proactive"].rows) == [
        "rules",
        "normative_documents",
        "licensing",
        "penalties",
        "coercion",
        "fees",
    ]
    assert list(f19.tables["proactive"].rows) == [
        "rules",
        "normative_documents",
        "licensing",
        "other_services",
        "penalties",
        "coercion",
        "fees",
        "procurement",
    ]
    assert list(f21.tables["requests"].columns) == [
        "natural_person",
        "commercial",
        "research",
        "nonprofit",
        "legal_services",
        "other_org",
        "total",
    ]
    assert list(f21.tables["appeals"].rows) == ["review", "litigation_direct", "litigation_after_review"]
    assert [r for r in f21.tables["requests"].rows if r.startswith("other_")] == [
        "other_handling",
        "other_no_correction",
        "other_unpaid_fee",
        "other_other",
    ]
    assert [r for r in f19.tables["requests"].rows if r.startswith("other_")] == ["other_handling"]
