"""The web reads and writes through the store: no SQL in the views, every table declared in the
store's schema, one report per agency and year decided once, and a database made before keeps
its review decisions."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import fields
from pathlib import Path

import duckdb
import pytest

from gongkai.store.aggregate import sum_region
from gongkai.store.db import Store, StoreError
from gongkai.store.queries import region as q_region
from gongkai.store.queries.decisions import DecisionKey, DecisionListing, add_decision, list_decisions
from gongkai.store.queries.metrics import refresh_metrics, report_metrics
from gongkai.store.queries.reports import ReportRow, ValueRow
from gongkai.store.regions import RegionFilter
from gongkai.store.schema import DECISIONS, REPORTS, SCHEMA_VERSION, TABLES, VALUES

VIEWS_DIR = Path(__file__).resolve().parent.parent / "src" / "gongkai" / "views"
SQL_WORDS = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE)\b")


def test_no_sql_in_the_views() -> None:
    """The views shape what the store returns; every query is the store's (gongkai.store.queries)."""
    files = sorted([*VIEWS_DIR.rglob("*.py"), *VIEWS_DIR.rglob("*.html")])
    assert files
    found = [
        f"{path.relative_to(VIEWS_DIR)}:{n}: {line.strip()}"
        for path in files
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if SQL_WORDS.search(line)
    ]
    assert not found, "SQL in views/ (move it to gongkai.store.queries):\n" + "\n".join(found)


def test_every_table_the_app_uses_is_declared(tmp_path: Path) -> None:
    """A database served and written to by the web app holds no table the schema does not declare."""
    from fastapi.testclient import TestClient

    from gongkai.views.web.app import create_app

    db = tmp_path / "c.duckdb"
    Store(db).close()
    with TestClient(create_app(db, uploads_dir=tmp_path / "up"), base_url="http://127.0.0.1") as client:
        assert client.get("/regions/all").status_code == 200
        assert client.get("/").status_code == 200
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    finally:
        con.close()
    from gongkai.store.schema import RELATIONS

    assert tables == {r.name for r in RELATIONS}


def test_rows_have_the_columns_of_their_tables() -> None:
    assert [f.name for f in fields(ReportRow)] == [c.name for c in REPORTS.columns]
    assert [f.name for f in fields(ValueRow)] == [c.name for c in VALUES.columns]
    assert [f.name for f in fields(DecisionListing)] == [c.name for c in DECISIONS.columns] + ["report"]


# --- one report per agency and year -----------------------------------------------------------


def _report(store: Store, rid: int, key: str | None, year: int, code: str, published: str | None = None) -> None:
    store.run(
        """INSERT INTO reports (id, path, sha256, parser_version, status, agency, agency_key, "year", "format",
          published_on, region_code, ingested_at) VALUES (?, ?, ?, 'x', 'ok', ?, ?, ?, '2021', ?, ?, ?)""",
        [rid, f"r{rid}.txt", f"sha{rid}", f"机关{key}", key, year, published, code, dt.datetime(2024, 1, 1)],
    )
    store.run(
        """INSERT INTO "values" (report, table_key, row_key, column_key, value, is_null, extra_row, row_order)
        VALUES (?, 'requests', 'new', 'total', ?, false, false, 1)""",
        [rid, rid],
    )


class _Metric:
    key, table, rows, column = "new", "requests", ("new",), "total"


def test_one_report_per_agency_and_year_everywhere(tmp_path: Path) -> None:
    with Store(tmp_path / "c.duckdb") as store:
        _report(store, 1, "420100:民政局", 2023, "420100", "2024-01-20")
        _report(store, 2, "420100:民政局", 2023, "420100", "2024-01-31")  # published later: counted
        _report(store, 3, "420100:民政局", 2023, "420100")  # no date: after the dated ones
        _report(store, 4, "420200:民政局", 2023, "420200")
        _report(store, 5, "420200:民政局", 2023, "420200")  # no dates: the higher id
        _report(store, 6, None, 2023, "420300")  # no agency key: an agency of its own
        _report(store, 7, None, 2023, "420300")
        _report(store, 8, "420100:民政局", 2022, "420100")
        chosen = {r[0] for r in store.query('SELECT report FROM v_agency_year WHERE "year" = 2023')}
        assert chosen == {2, 5, 6, 7}

        total = sum_region(store, RegionFilter("湖北", "42"), 2023)
        assert sorted(total.formats["2021"].reports) == sorted(chosen)
        assert total.formats["2021"].value("requests", "new", "total") == 2 + 5 + 6 + 7

        refresh_metrics(store.con, [_Metric()])
        listed = q_region.region_reports(store.con, RegionFilter("湖北", "42"), 2023, ["new"])
        assert {r.id for r in listed} == chosen
        trend = {t.year: t for t in q_region.region_trend(store.con, "42", ["new"])}
        assert (trend[2023].reports, trend[2023].metrics["new"]) == (4, 2 + 5 + 6 + 7)
        assert (trend[2022].reports, trend[2022].metrics["new"]) == (1, 8)


def test_metrics_follow_reports_and_definitions(tmp_path: Path) -> None:
    class Twice(_Metric):
        rows = ("new", "new")  # a row named twice counts once

    with Store(tmp_path / "c.duckdb") as store:
        _report(store, 1, "420100:民政局", 2023, "420100")
        refresh_metrics(store.con, [Twice()])
        assert report_metrics(store.con, [1], ["new"])[0].values == {"new": 1}
        store.run('UPDATE "values" SET value = 7 WHERE report = 1')
        store.run("UPDATE reports SET ingested_at = ingested_at + INTERVAL 1 SECOND WHERE id = 1")
        refresh_metrics(store.con, [Twice()])
        assert report_metrics(store.con, [1], ["new"])[0].values == {"new": 7}

        class Carried(_Metric):
            rows = ("carried_over",)

        refresh_metrics(store.con, [Carried()])  # other definitions: computed again
        assert report_metrics(store.con, [1], ["new"])[0].values == {"new": None}


# --- a database made before the store declared the web's tables -------------------------------

V2_WEB_DDL = (
    "CREATE SEQUENCE IF NOT EXISTS decisions_seq",
    """CREATE TABLE IF NOT EXISTS decisions (
  id BIGINT PRIMARY KEY DEFAULT nextval('decisions_seq'),
  sha256 VARCHAR NOT NULL, code VARCHAR NOT NULL, section VARCHAR NOT NULL, table_key VARCHAR NOT NULL,
  row_key VARCHAR NOT NULL, column_key VARCHAR NOT NULL, line INTEGER NOT NULL, decision VARCHAR NOT NULL,
  comment VARCHAR, reviewer VARCHAR, decided_at TIMESTAMP NOT NULL)""",
    """CREATE OR REPLACE VIEW decisions_latest AS SELECT * FROM decisions
QUALIFY row_number() OVER (PARTITION BY sha256, code, section, table_key, row_key, column_key, line
  ORDER BY decided_at DESC, id DESC) = 1""",
    "CREATE TABLE web_report_metrics (report BIGINT PRIMARY KEY, ingested_at TIMESTAMP, new DOUBLE)",
)


def _version_2(path: Path) -> None:
    """A database as schema version 2 and the web app of then left it: decisions and the web's
    own metrics table, made by the web app, and none of what version 3 adds."""
    with Store(path) as store:
        _report(store, 1, "420100:民政局", 2023, "420100")
        for name in ("decisions_latest", "v_agency_year"):
            store.run(f"DROP VIEW {name}")
        for name in ("decisions", "report_metrics"):
            store.run(f"DROP TABLE {name}")
        store.run("DROP SEQUENCE decisions_seq")
        for statement in V2_WEB_DDL:
            store.run(statement)
        for code in ("B001", "B002"):
            store.run(
                "INSERT INTO decisions (sha256, code, section, table_key, row_key, column_key, line, decision,"
                " comment, reviewer, decided_at) VALUES ('sha1', ?, '', '', '', '', 0, 'dismissed', 'c', 'r', ?)",
                [code, dt.datetime(2024, 3, 1)],
            )
        store.run("UPDATE store_meta SET value = '2' WHERE key = 'schema_version'")


def test_a_version_2_database_is_read_and_migrated_with_its_decisions(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    _version_2(db)
    with Store(db, read_only=True) as store:  # read as it is: gongkai sum, roster, export
        assert sum_region(store, RegionFilter("全国", ""), 2023).agencies == 1
        assert store.query("SELECT value FROM store_meta WHERE key = 'schema_version'") == [("2",)]
    with Store(db) as store:  # opened to write: migrated
        assert store.query("SELECT value FROM store_meta WHERE key = 'schema_version'") == [(str(SCHEMA_VERSION),)]
        tables = {r[0] for r in store.query("SELECT table_name FROM information_schema.tables")}
        assert "web_report_metrics" not in tables and {t.name for t in TABLES} <= tables
        kept = list_decisions(store.con, 1, 10, 0)
        assert [(d.id, d.code, d.decision, d.comment) for d in kept] == [
            (2, "B002", "dismissed", "c"),
            (1, "B001", "dismissed", "c"),
        ]
        new = add_decision(store.con, DecisionKey("sha1", "B001"), "confirmed", None, None, dt.datetime(2024, 4, 1))
        assert new == 3  # the sequence goes on
        assert store.query("SELECT code, decision FROM decisions_latest ORDER BY code") == [
            ("B001", "confirmed"),
            ("B002", "dismissed"),
        ]


def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "new.duckdb"
    with Store(db) as store:
        store.run("UPDATE store_meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    for read_only in (True, False):
        with pytest.raises(StoreError, match="schema version"):
            Store(db, read_only=read_only)
