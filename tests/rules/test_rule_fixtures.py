"""Every rule on fixtures named by its code, as ruff tests its rules.

``fixtures/<CODE>_<n>.txt`` is a complete small report that makes rule CODE fire;
``fixtures/<CODE>_<n>_ok.txt`` is a near miss that must not. Next to each, ``<stem>.expected.json``
is the snapshot: the findings of CODE, exactly as ``Finding.to_dict()`` gives them, in the order
``check`` gives them (an ``_ok`` fixture's snapshot is ``[]``). A ``<stem>.toml`` beside a fixture
is its configuration (the top level of a ``gongkai.toml``: ``[options]``, ``select`` …).

Year-over-year rules (Y…) need two reports: ``<stem>.prev.txt`` is the same agency's report of the
year before. The pair is ingested into a fresh corpus (``gongkai ingest``'s path) and the
snapshot holds the year findings stored on ``<stem>.txt``, with ``related_report`` given as the
earlier report's file name instead of its id (the only part of a stored finding not in
``to_dict()``; the id is derived from the file's hash).

``GONGKAI_UPDATE_SNAPSHOTS=1 pytest tests/rules`` rewrites the snapshots; review the diff.
What each fixture shows is listed in fixtures/README.md.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from gongkai.model import Report
from gongkai.pipeline import parse_bytes
from gongkai.rules import CheckConfig, all_rules, check_report, load_config
from gongkai.rules.year import YearRule

FIXTURES = Path(__file__).resolve().parent / "fixtures"
NAME_RE = re.compile(r"^(?P<code>[A-Z]\d{3})_(?P<n>\d+)(?P<ok>_ok)?$")
UPDATE = os.environ.get("GONGKAI_UPDATE_SNAPSHOTS") == "1"
# Real reports from examples/, copied verbatim: the seed cases of the rules.
EXAMPLE_COPIES = {
    "F004_2": "001_c89b62cb4e001608.txt",
    "F008_2": "000_a548d0fc6c0d78a3.txt",
    "F012_2": "002_8d33ec1681c31461.txt",
    "T004_1": "001_c89b62cb4e001608.txt",
    "T004_2": "004_ab8af88deeac0065.txt",
}


CONTRACT_KEYS = [
    "code", "severity", "message", "message_en", "section", "table", "row", "column", "line", "page", "figures", "note",
]  # fmt: skip


def fixture_stems() -> list[str]:
    return sorted(p.name[: -len(".txt")] for p in FIXTURES.glob("*.txt") if NAME_RE.match(p.name[: -len(".txt")]))


STEMS = fixture_stems()
YEAR_CODES = {r.code for r in all_rules() if issubclass(r, YearRule)}


def code_of(stem: str) -> str:
    m = NAME_RE.match(stem)
    assert m, stem
    return m["code"]


def config_of(stem: str) -> CheckConfig | None:
    toml = FIXTURES / f"{stem}.toml"
    return load_config(toml) if toml.is_file() else None


def parse(stem: str) -> Report:
    path = FIXTURES / f"{stem}.txt"
    return parse_bytes(path.read_bytes(), path.name)


def report_findings(stem: str) -> list[dict[str, Any]]:
    found = check_report(parse(stem), config_of(stem), raise_errors=True)
    return [f.to_dict() for f in found if f.code == code_of(stem)]


def year_findings(stem: str, tmp: Path) -> list[dict[str, Any]]:
    """The pair through the corpus: ingest both reports, read the year findings of the later one."""
    from gongkai.corpus.ingest import ingest
    from gongkai.store.db import Store

    folder = tmp / "in"
    folder.mkdir()
    names = {f"{stem}.prev.txt", f"{stem}.txt"}
    for name in names:
        shutil.copy(FIXTURES / name, folder / name)
    db = tmp / "corpus.duckdb"
    with Store(db) as store:
        result = ingest([folder], store, workers=1, config=config_of(stem))
    assert not result.failed, result.failed
    with Store(db, read_only=True) as store:
        paths = dict(store.query("SELECT id, path FROM reports"))
        rows = store.query(
            """SELECT f.code, f.severity, f.message, f.message_en, f.section, f."table", f."row", f."column",
                      f.line, f.page, f.figures, f.note, f.related_report, f.report
               FROM findings f WHERE f.origin = 'year' ORDER BY f.report, f.seq"""
        )
    assert {Path(p).name for p in paths.values()} == names
    out = []
    for *fields, related, report in rows:
        assert Path(paths[report]).name == f"{stem}.txt", "a year finding stored on the earlier report"
        d = dict(zip(CONTRACT_KEYS, fields, strict=True))
        d["figures"] = json.loads(d["figures"]) if d["figures"] is not None else None
        d["related_report"] = Path(paths[related]).name
        if d["code"] == code_of(stem):
            out.append(d)
    return out


def snapshot_path(stem: str) -> Path:
    return FIXTURES / f"{stem}.expected.json"


def dump(findings: list[dict[str, Any]]) -> str:
    return json.dumps(findings, ensure_ascii=False, indent=2) + "\n"


@pytest.mark.parametrize("stem", STEMS)
def test_fixture(stem: str, tmp_path: Path) -> None:
    code = code_of(stem)
    if code in YEAR_CODES:
        assert (FIXTURES / f"{stem}.prev.txt").is_file(), f"{stem}: a year rule needs {stem}.prev.txt"
        actual = year_findings(stem, tmp_path)
    else:
        actual = report_findings(stem)
    actual = json.loads(dump(actual))  # as JSON: dates and decimals as the contract writes them
    if stem.endswith("_ok"):
        assert actual == [], f"{code} fired on the near miss {stem}.txt"
    path = snapshot_path(stem)
    if UPDATE and (not path.is_file() or json.loads(path.read_text(encoding="utf-8")) != actual):
        path.write_text(dump(actual), encoding="utf-8")
    assert path.is_file(), f"no snapshot {path.name}: run with GONGKAI_UPDATE_SNAPSHOTS=1 and review it"
    expected = json.loads(path.read_text(encoding="utf-8"))
    if stem.endswith("_ok"):
        assert expected == [], f"{path.name}: a near miss expects no finding"
    else:
        assert actual, f"{code} did not fire on {stem}.txt"
    assert actual == expected


def test_every_rule_fires_on_a_fixture() -> None:
    firing = {code_of(s) for s in STEMS if not s.endswith("_ok")}
    missing = [r.code for r in all_rules() if r.code not in firing]
    assert missing == [], f"rules without a fixture that makes them fire: {missing}"


def test_fixture_folder_is_tidy() -> None:
    """Every file belongs to a fixture: no orphan snapshot, configuration or previous year."""
    stems = set(STEMS)
    for path in FIXTURES.iterdir():
        name = path.name
        if name in ("README.md", "clean_2019.txt", "clean_2021.txt"):
            continue
        for suffix in (".expected.json", ".prev.txt", ".toml", ".txt"):
            if name.endswith(suffix):
                stem = name[: -len(suffix)]
                break
        else:
            raise AssertionError(f"unexpected file {name}")
        assert stem in stems, f"{name} belongs to no fixture (<CODE>_<n>[_ok].txt)"
        if name.endswith(".prev.txt"):
            assert code_of(stem) in YEAR_CODES, f"{name}: only year rules read the year before"


def test_every_fixture_is_described() -> None:
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([A-Z]\d{3}_\d+(?:_ok)?)` \|", readme, re.M))
    assert listed == set(STEMS)


@pytest.mark.parametrize("stem", sorted(EXAMPLE_COPIES))
def test_seed_copies_are_the_examples(stem: str) -> None:
    example = FIXTURES.parent.parent.parent / "examples" / EXAMPLE_COPIES[stem]
    assert (FIXTURES / f"{stem}.txt").read_bytes() == example.read_bytes()


# --- What a snapshot of one rule cannot say -----------------------------------------------------


@pytest.mark.parametrize("name", ["clean_2021", "clean_2019"])
def test_clean_reports_are_quiet(name: str) -> None:
    """The reports most fixtures are one change away from: no rule fires on them, so what a
    fixture's snapshot holds comes from its change."""
    assert check_report(parse(name), raise_errors=True) == []


# Codes that must stay quiet on a fixture of another rule (a cascade would be noise).
QUIET: dict[str, set[str]] = {
    "B001_1": {"B002"},  # a column out of balance is not a row total
    "B003_1": {"B002"},
    "B003_2_ok": {"B001", "B002", "B003", "F003"},  # the 2019 single row is an operand
    "F003_2_ok": {"F003"},
    "F015_2": {"B002", "B003"},  # a blank is never an imbalance
}


@pytest.mark.parametrize("stem", sorted(QUIET))
def test_quiet_codes(stem: str) -> None:
    codes = {f.code for f in check_report(parse(stem), config_of(stem), raise_errors=True)}
    assert not codes & QUIET[stem]


def test_f002_missing_table_has_no_cascade() -> None:
    """A missing table 四 is one F002, not a missing row or an unverifiable sum per cell."""
    found = check_report(parse("F002_1"), raise_errors=True)
    assert [f.code for f in found if f.table == "appeals"] == ["F002"]


def test_f002_table_read_with_no_number() -> None:
    """A table found whose every cell is blank is unreadable, pointed at its first line."""
    report = parse("clean_2021")
    for row in report.tables["appeals"].rows.values():
        for column, value in row.values.items():
            row.values[column] = replace(value, value=None, status="blank")
        row.cells = [replace(c, value=None, status="blank") for c in row.cells]
    found = [f for f in check_report(report) if f.code == "F002"]
    assert [f.table for f in found] == ["appeals"]
    assert "读不到任何数值" in found[0].message
    assert found[0].line == report.tables["appeals"].loc.line


def test_f003_single_other_handling_is_the_superseded_row() -> None:
    found = check_report(parse("F003_2_ok"), raise_errors=True)
    assert [f.row for f in found if f.code == "F013"] == ["other_handling"]


def test_b003_single_other_handling_row_is_an_operand() -> None:
    report = parse("B003_2_ok")
    assert report.tables["requests"].value("other_handling", "total") == 1
    findings = check_report(report, raise_errors=True)
    # the absent sub-rows are no operands: no unverifiable sum for them either
    assert not [f for f in findings if f.code == "F015" and f.figures["rule"] == "B003"]


def test_b005_signed_change_column_is_read_as_negative() -> None:
    assert parse("B005_3_ok").tables["proactive"].value("licensing", "change") == -3


def test_f011_agency_is_unknown() -> None:
    assert parse("F011_1").meta.agency is None
    assert parse("F011_2").meta.agency == "医疗保障局"


def test_f014_inferred_value_note() -> None:
    """A value marked inferred carries how it was inferred into its finding's note."""
    report = parse("clean_2021")
    row = report.tables["proactive"].rows["licensing"]
    row.values["decisions"] = replace(row.values["decisions"], status="inferred", inferred_by="run-together digits")
    found = [f for f in check_report(report) if f.code == "F014"]
    assert [(f.row, f.column, f.note) for f in found] == [("licensing", "decisions", "run-together digits")]


def test_f016_value_is_none_and_28_digits_are_kept() -> None:
    assert parse("F016_1").tables["proactive"].rows["licensing"].values["decisions"].value is None
    assert parse("F016_2_ok").tables["proactive"].rows["licensing"].values["decisions"].value == int("9" * 28)


def test_f017_rest_of_the_report_is_read() -> None:
    report = parse("F017_1")
    assert report.meta.agency == "新乡市卫滨区医疗保障局"
    assert report.tables["requests"].value("new", "total") == 5


@pytest.mark.parametrize(
    ("stem", "agency"),
    [
        ("T001_2", "新乡市卫滨区医疗保障局"),
        ("T001_2_ok", "新乡市卫滨区医疗保障局"),
        ("T001_3", "新乡市卫滨区人民政府"),
        ("T001_3_ok", "新乡市卫滨区人民政府"),
        ("T001_4", "新乡市卫滨区人民政府办公室"),
    ],
)
def test_t001_deadline_depends_on_the_body_read(stem: str, agency: str) -> None:
    """The deadline follows the body named: 3月31日 for a people's government, 1月31日 otherwise."""
    assert parse(stem).meta.agency == agency
