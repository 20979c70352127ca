"""The data dictionary: one source for the DDL, `gongkai schema` and docs/schema.md."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from gongkai.formats import load_format
from gongkai.store.db import Store
from gongkai.store.schema import RELATIONS, VIEWS, schema_markdown
from gongkai.views.cli import app
from store_helpers import ROOT

runner = CliRunner()


def test_docs_schema_is_current() -> None:
    doc = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    assert doc == schema_markdown(), "docs/schema.md is stale: run `gongkai schema --format markdown > docs/schema.md`"


def test_schema_command_json_lists_every_relation() -> None:
    result = runner.invoke(app, ["schema", "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [r["name"] for r in data["relations"]] == [r.name for r in RELATIONS]
    reports = next(r for r in data["relations"] if r["name"] == "reports")
    names = [c["name"] for c in reports["columns"]]
    for col in (
        "id",
        "path",
        "sha256",
        "parser_version",
        "status",
        "agency",
        "agency_key",
        "year",
        "format",
        "signed_on",
        "published_on",
        "province",
        "city",
        "county",
        "region_code",
        "title",
        "ingested_at",
    ):
        assert col in names
    assert all(c["description"] and c["description_en"] for r in data["relations"] for c in r["columns"])


def test_schema_command_text() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    assert "v_requests" in result.stdout and "agency_key" in result.stdout


def test_database_matches_the_dictionary(tmp_path) -> None:
    with Store(tmp_path / "x.duckdb") as store:
        for rel in RELATIONS:
            cols = [r[0] for r in store.query(f'DESCRIBE "{rel.name}"')]
            assert cols == [c.name for c in rel.columns], rel.name


def test_wide_views_have_one_column_per_format_column() -> None:
    by_name = {v.name: [c.name for c in v.columns] for v in VIEWS}
    for fmt in ("2019", "2021"):
        cols = list(load_format(fmt).tables["proactive"].columns)
        assert by_name[f"v_proactive_{fmt}"][-len(cols) :] == cols
    for table in ("requests", "appeals"):
        cols = list(load_format("2021").tables[table].columns)
        assert by_name[f"v_{table}"][-len(cols) :] == cols
