"""Year-over-year rules over the store: Y001, Y002, Y003 and agency identity across years."""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import pytest

from gongkai.corpus.ingest import ingest
from gongkai.corpus.year import run_year_rules
from gongkai.region import resolve_region
from gongkai.rules.year.y003_copied_text import similarity
from gongkai.store.agency import agency_key, agency_norm
from gongkai.store.db import Store
from store_helpers import generate_corpus as g

AGENCY = g.Agency(0, "新乡市卫滨区", "卫滨区", "410703", "医疗保障局", True, [2022, 2023])


def _pair(tmp: Path, *, years: tuple[int, int] = (2022, 2023), seed: int = 3) -> dict[int, dict[str, Any]]:
    """Two consecutive reports of one agency whose figures chain: returns year → parts to render."""
    rng = random.Random(seed)
    carry = g.Carry()
    out: dict[int, dict[str, Any]] = {}
    for year in years:
        fmt = "2019" if year < 2021 else "2021"
        values, carry = g.make_values(fmt, rng, True, carry)
        name = "新乡市卫滨区医疗保障局" if year == years[0] else "卫滨区医保局"  # spelled differently
        texts = g.make_texts(AGENCY, name, year, values, rng)
        out[year] = {"name": name, "fmt": fmt, "values": values, "texts": texts, "rng": rng}
    return out


def _write(folder: Path, year: int, part: dict[str, Any], layout: str = "pipe") -> Path:
    import datetime as dt

    folder.mkdir(parents=True, exist_ok=True)
    text = g.render_text(
        part["name"],
        AGENCY,
        year,
        part["fmt"],
        part["values"],
        part["texts"],
        layout,
        dt.date(year + 1, 1, 15),
        None,
        random.Random(year),
    )
    path = folder / f"{year}.txt"
    path.write_text(text, encoding="utf-8")
    return path


def _year_findings(db: Path) -> list[tuple[Any, ...]]:
    with Store(db, read_only=True) as store:
        return store.query(
            """SELECT r."year", f.code, f."row", f."column", f.severity, f.message, rel."year"
               FROM findings f JOIN reports r ON r.id = f.report JOIN reports rel ON rel.id = f.related_report
               WHERE f.origin = 'year' ORDER BY 1, 2, 3, 4"""
        )


def _ingest(folder: Path, db: Path) -> None:
    with Store(db) as store:
        ingest([folder], store, workers=1)


def test_agency_key_across_spellings() -> None:
    a, b = "新乡市卫滨区医疗保障局", "卫滨区 醫保局"
    assert agency_key(a, resolve_region(a)) == agency_key(b, resolve_region(b)) == "410703:医疗保障局"
    assert agency_norm("洪泽区政府办") == agency_norm("洪泽区人民政府办公室")
    assert agency_norm("武汉经济技术开发区（汉南区）医疗保障局") == "武汉经济技术开发区汉南区医疗保障局"


def test_consistent_pair_is_quiet(tmp_path: Path) -> None:
    parts = _pair(tmp_path)
    for year, part in parts.items():
        _write(tmp_path / "in", year, part)
    db = tmp_path / "c.duckdb"
    _ingest(tmp_path / "in", db)
    with Store(db, read_only=True) as store:
        keys = store.query("SELECT DISTINCT agency_key FROM reports")
        assert keys == [("410703:医疗保障局",)]
        assert store.query("SELECT count(*) FROM pending_year_checks")[0][0] == 0
    assert _year_findings(db) == []


def test_y001_y002_fire_on_a_crafted_pair(tmp_path: Path) -> None:
    parts = _pair(tmp_path)
    later = parts[2023]["values"]
    req = later["requests"]
    # 上年结转 differs from last year's 结转下年度 in one column; the report still balances.
    for row in ("carried_over", "granted", "total"):
        req[row]["commercial"] += 2
        req[row]["total"] += 2
    later["proactive"]["rules"]["in_force"] += 1
    for year, part in parts.items():
        _write(tmp_path / "in", year, part)
    db = tmp_path / "c.duckdb"
    _ingest(tmp_path / "in", db)
    found = _year_findings(db)
    assert [(y, c, r, col, rel) for y, c, r, col, _, _, rel in found] == [
        (2023, "Y001", "carried_over", "commercial", 2022),
        (2023, "Y001", "carried_over", "total", 2022),
        (2023, "Y002", "rules", "in_force", 2022),
    ]
    assert "上年结转" in found[0][5] and found[0][4] == "error"
    with Store(db, read_only=True) as store:
        # No per-report balance finding: the planted reports are consistent on their own.
        assert store.query("SELECT count(*) FROM findings WHERE code LIKE 'B%'")[0][0] == 0


def test_findings_follow_a_change_of_the_earlier_year(tmp_path: Path) -> None:
    parts = _pair(tmp_path)
    folder = tmp_path / "in"
    for year, part in parts.items():
        _write(folder, year, part)
    db = tmp_path / "c.duckdb"
    _ingest(folder, db)
    assert _year_findings(db) == []
    # The 2022 report is corrected: its 结转下年度 changes (and still balances). The 2023 report
    # does not change, yet its Y001 findings appear; restoring 2022 clears them again.
    fixed = copy.deepcopy(parts[2022])
    req = fixed["values"]["requests"]
    for row in ("carried_forward", "new"):
        req[row]["natural_person"] += 5
        req[row]["total"] += 5
    _write(folder, 2022, fixed)
    _ingest(folder, db)
    assert [(y, c, col) for y, c, _, col, *_ in _year_findings(db)] == [
        (2023, "Y001", "natural_person"),
        (2023, "Y001", "total"),
    ]
    _write(folder, 2022, parts[2022])
    _ingest(folder, db)
    assert _year_findings(db) == []


def test_y003_copied_text(tmp_path: Path) -> None:
    parts = _pair(tmp_path)
    parts[2023]["texts"].overview = parts[2022]["texts"].overview.replace("2022", "2023")
    for year, part in parts.items():
        _write(tmp_path / "in", year, part)
    db = tmp_path / "c.duckdb"
    _ingest(tmp_path / "in", db)
    found = _year_findings(db)
    assert [(y, c) for y, c, *_ in found] == [(2023, "Y003")]
    # The threshold is an option: at 1.01 nothing is close enough.
    with Store(db) as store:
        keys = [k for (k,) in store.query("SELECT DISTINCT agency_key FROM reports")]
        assert run_year_rules(store, agency_keys=keys, options={"copy-similarity": 1.01}) == 0
    assert _year_findings(db) == []
    # --recheck applies a configuration to files already stored (nothing changed on disk).
    from typer.testing import CliRunner

    from gongkai.views.cli import app

    config = tmp_path / "gongkai.toml"
    config.write_text("[options]\ncopy-similarity = 1.01\n", encoding="utf-8")
    args = ["ingest", str(tmp_path / "in"), "--db", str(db), "--silent", "--recheck"]
    result = CliRunner().invoke(app, [*args, "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert _year_findings(db) == []
    config.write_text("[options]\ncopy-similarity = 0.9\n", encoding="utf-8")
    result = CliRunner().invoke(app, [*args, "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert [(y, c) for y, c, *_ in _year_findings(db)] == [(2023, "Y003")]


def test_similarity_ignores_numbers_and_spacing() -> None:
    a = "2022年，我局主动公开政府信息120条，其中政策解读8条。加强政府信息管理，及时更新公开目录。"
    b = "2023年，我局主动公开政府信息 95 条，其中政策解读 3 条。加强政府信息管理，及时更新公开目录。"
    assert similarity(a, b) == pytest.approx(1.0)
    assert similarity(a, "深化政府信息公开平台建设，优化门户网站政务公开专栏。") < 0.3
