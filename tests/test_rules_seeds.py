"""The five seeds: the full set of codes each one gets, and the shape of the findings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gongkai.rules import Finding, check_report

# Every code each seed gets. 001: rows with eleven values (F004); 003: two rows short of a
# value (F005), so four sums cannot be verified (F015); 002: published a year late (T001) with
# —— in two cells (F012); 000: an agency-added row (F008); 001 and 004 show no date (T004);
# 004: the last group of table 四 has four values for five columns (F005, F015).
EXPECTED = {
    "000": {"F008"},
    "001": {"F004", "T004"},
    "002": {"T001", "F012"},
    "003": {"F005", "F015"},
    "004": {"F005", "F015", "T004"},
}
IMBALANCES = {"B001", "B002", "B003", "B004", "B005", "B007"}
CONTRACT_KEYS = [
    "code", "severity", "message", "message_en", "section", "table", "row", "column", "line", "page", "figures", "note",
]  # fmt: skip


@pytest.fixture(scope="module")
def seed_findings(seed_reports) -> dict[str, list[Finding]]:
    return {name: check_report(report, raise_errors=True) for name, report in seed_reports.items()}


@pytest.mark.parametrize("seed", sorted(EXPECTED))
def test_full_set_of_codes(seed_findings, seed):
    assert {f.code for f in seed_findings[seed]} == EXPECTED[seed]


@pytest.mark.parametrize("seed", sorted(EXPECTED))
def test_no_imbalance_on_any_seed(seed_findings, seed):
    assert not {f.code for f in seed_findings[seed]} & IMBALANCES
    assert all(f.severity == "info" for f in seed_findings[seed] if f.code.startswith("B"))


def test_required_seed_findings(seed_findings):
    assert "F004" in {f.code for f in seed_findings["001"]}
    assert "F005" in {f.code for f in seed_findings["003"]}
    assert "T001" in {f.code for f in seed_findings["002"]}


@pytest.mark.parametrize("seed", sorted(EXPECTED))
def test_to_dict_contract(seed_findings, seed):
    for f in seed_findings[seed]:
        d = f.to_dict()
        assert list(d) == CONTRACT_KEYS
        assert d["severity"] in ("error", "warning", "info")
        assert d["message"] and d["message_en"]
        json.dumps(d, ensure_ascii=False)  # plain JSON: dates and decimals converted


@pytest.mark.parametrize("seed", sorted(EXPECTED))
def test_sorted_by_place(seed_findings, seed):
    findings = seed_findings[seed]
    assert findings == sorted(findings, key=Finding.sort_key)
    sections = ["", "overview", "proactive", "requests", "appeals", "problems", "other"]
    ranks = [sections.index(f.section or "") for f in findings]
    assert ranks == sorted(ranks)


@pytest.mark.parametrize("seed", sorted(EXPECTED))
def test_table_findings_point_at_a_line(seed_findings, seed):
    """Locations come from the parsed values: every table finding of a text seed has a line."""
    for f in seed_findings[seed]:
        if f.table is not None:
            assert f.line is not None, f


def test_check_is_pure(seed_reports):
    report = seed_reports["003"]
    before = json.dumps(report.to_dict(), ensure_ascii=False, sort_keys=True, default=str)
    first = check_report(report)
    assert check_report(report) == first
    assert json.dumps(report.to_dict(), ensure_ascii=False, sort_keys=True, default=str) == before


# --- the two real PDFs (淮安市洪泽区人民政府): a real imbalance in 2023 --------------------------

REAL = Path(__file__).resolve().parent / "fixtures" / "real"


@pytest.fixture(scope="module")
def hongze() -> dict[str, list[Finding]]:
    from gongkai.pipeline import parse_path

    return {year: check_report(parse_path(REAL / f"hongze-{year}.pdf"), raise_errors=True) for year in ("2023", "2024")}


def test_hongze_2023_table_4_totals_left_at_zero(hongze):
    """The 2023 report prints 10 1 0 0 | 0 … | 5 0 0 0 with both 总计 cells 0: a real error."""
    found = [f for f in hongze["2023"] if f.code == "B004"]
    assert [(f.row, f.figures["total"], f.figures["upheld + corrected + other + pending"]) for f in found] == [
        ("review", 0, 11),
        ("litigation_after_review", 0, 5),
    ]
    assert all(f.page == 4 for f in found)


def test_hongze_keeps_the_2019_single_other_handling_row(hongze):
    for year in ("2023", "2024"):
        codes = {f.code for f in hongze[year]}
        assert "F013" in codes and "F003" not in codes
        assert not codes & {"B001", "B002", "B003"}
    assert {f.code for f in hongze["2024"]} == {"F013", "T004"}
