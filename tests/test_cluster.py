"""gongkai ingest --engine dask: the same rows in a Parquet dataset as in the database.

One LocalCluster (two worker processes) for the module. The corpus is examples/ and a small
generated one (text, HTML and Word, errors planted in turn so that the year rules find some).
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from gongkai.corpus.cluster import ingest_cluster
from gongkai.corpus.ingest import ingest
from gongkai.store import dataset as ds
from gongkai.store.db import Store, StoreError
from gongkai.store.schema import TABLES
from gongkai.views.cli import app
from store_helpers import ROOT, generate_corpus

distributed = pytest.importorskip("distributed")

runner = CliRunner()
WRITE_TIMES = {"ingested_at", "first_ingested_at"}  # when the row was written: differs between any two ingests


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    import dask

    with (
        dask.config.set({"distributed.worker.daemon": False}),
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cluster") / "corpus"
    shutil.copytree(ROOT / "examples", root / "examples", ignore=shutil.ignore_patterns("write"))
    generate_corpus.generate(
        root / "generated",
        12,
        seed=5,
        error_rate=0.7,
        junk=2,
        kind_weights={"text": 0.6, "html": 0.2, "docx": 0.2},
        cycle=True,
    )
    (root / "generated" / "manifest.jsonl").unlink()
    return root


def rows(store: Store, table: str) -> list[tuple[Any, ...]]:
    cols = [c.name for rel in TABLES if rel.name == table for c in rel.columns if c.name not in WRITE_TIMES]
    names = ", ".join(f'"{c}"' for c in cols)
    return sorted(store.query(f'SELECT {names} FROM "{table}"'), key=repr)


def assert_same(db: Path, dataset: Path) -> None:
    with Store(db, read_only=True) as local, Store(dataset, read_only=True) as cluster:
        for rel in TABLES:
            assert rows(cluster, rel.name) == rows(local, rel.name), rel.name


@pytest.fixture(scope="module")
def built(corpus: Path, client: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("built")
    db, dataset = base / "local.duckdb", base / "dataset"
    with Store(db) as store:
        ingest([corpus], store, workers=2)
    result = ingest_cluster([corpus], dataset, client=client, chunk_size=4)
    assert result.bounded  # the workers may start processes: every file ran within its bounds
    assert result.files == result.parsed + result.duplicates
    return db, dataset


def test_dataset_holds_the_rows_of_a_local_ingest(built: tuple[Path, Path]) -> None:
    db, dataset = built
    assert_same(db, dataset)
    with Store(dataset, read_only=True) as store:
        assert store.count("reports") >= 17
        assert store.query("SELECT count(*) FROM findings WHERE origin = 'year'")[0][0] > 0
        assert store.query("SELECT count(*) FROM reports WHERE status = 'failed'")[0][0] == 2
        # the schema's types, the views on top
        types = dict(
            store.query("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'values'")
        )
        assert types["value"] == "DECIMAL(38,10)" and types["is_null"] == "BOOLEAN"
        assert store.count("v_requests") > 0
    # partitioned by year and province, in files of the table's name
    assert list((dataset / "values").glob("year=*/province=*/part-*.parquet"))
    assert list((dataset / "findings").glob("year=*/province=*/year-*.parquet"))
    assert not (dataset / "_staging").exists() or not any((dataset / "_staging").iterdir())


def _cli(*args: str) -> str:
    result = runner.invoke(app, ["--lang", "en", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_sum_and_export_read_the_dataset_as_the_database(built: tuple[Path, Path], tmp_path: Path) -> None:
    db, dataset = built
    with Store(db, read_only=True) as store:
        province, year = store.query(
            """SELECT province, "year" FROM reports WHERE status = 'ok' AND province IS NOT NULL
            GROUP BY ALL ORDER BY count(*) DESC, 1, 2 LIMIT 1"""
        )[0]
    for fmt in ("json", "csv"):
        args = ["sum", "--region", province, "--year", str(year), "--format", fmt]
        assert _cli(*args, "--db", str(dataset)) == _cli(*args, "--db", str(db))
    _cli("export", "--format", "csv", "--db", str(db), "--out", str(tmp_path / "a"))
    _cli("export", "--format", "csv", "--db", str(dataset), "--out", str(tmp_path / "b"))
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir()) and names
    for name in names:
        assert _csv(tmp_path / "b" / name) == _csv(tmp_path / "a" / name), name


def _csv(path: Path) -> list[list[str]]:
    table = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    if not table:
        return table
    keep = [i for i, name in enumerate(table[0]) if name not in WRITE_TIMES]
    return sorted([row[i] for i in keep] for row in table)


def test_reingest_skips_everything_and_a_changed_file_replaces_its_report(
    corpus: Path, client: Any, tmp_path: Path
) -> None:
    work = tmp_path / "corpus"
    shutil.copytree(corpus, work)
    db, dataset = tmp_path / "local.duckdb", tmp_path / "dataset"
    with Store(db) as store:
        ingest([work], store, workers=1)
    ingest_cluster([work], dataset, client=client)
    again = ingest_cluster([work], dataset, client=client)
    assert (again.parsed, again.skipped) == (0, again.files - again.duplicates)
    # one report changed in place (same path, other content): its old rows go, the new ones come
    changed = sorted((work / "generated").rglob("*.txt"))[0]
    changed.write_bytes(changed.read_bytes() + b"\n\n")  # other bytes, the same report (any encoding)
    with Store(db) as store:
        ingest([work], store, workers=1)
    after = ingest_cluster([work], dataset, client=client)
    assert after.parsed == 1
    assert_same(db, dataset)


def test_an_interrupted_chunk_is_analysed_again(corpus: Path, client: Any, tmp_path: Path) -> None:
    dataset = tmp_path / "dataset"
    ds.create(dataset)
    (dataset / ds.STAGING / "20000101T000000-dead-000000").mkdir(parents=True)  # no _done: cut short
    (dataset / ds.STAGING / "20000101T000000-dead-000000" / "reports.parquet").write_bytes(b"half")
    result = ingest_cluster([corpus / "examples"], dataset, client=client)
    assert result.parsed == 5
    assert not any((dataset / ds.STAGING).iterdir())
    with Store(dataset, read_only=True) as store:
        assert store.count("reports") == 5


def test_a_dataset_is_read_only_and_a_stray_folder_is_refused(built: tuple[Path, Path], tmp_path: Path) -> None:
    _db, dataset = built
    with Store(dataset, read_only=True) as store, pytest.raises(StoreError):
        store.write_reports([])  # nothing to write is still a refusal: the files are the cluster's
    with pytest.raises(StoreError):
        Store(tmp_path)
    (tmp_path / "x.txt").write_text("x")
    with pytest.raises(StoreError):
        ds.create(tmp_path)


def test_serve_reads_a_dataset(built: tuple[Path, Path]) -> None:
    _db, dataset = built
    out = _cli("serve", "--db", str(dataset), "--get", "/index.json")
    assert '"reports"' in out or "reports" in out
    assert (dataset / ds.REVIEW_DB).exists()  # the reviewers' decisions are kept beside the files


def test_ingest_engine_dask_needs_a_dataset(corpus: Path) -> None:
    result = runner.invoke(app, ["--lang", "en", "ingest", str(corpus), "--engine", "dask"])
    assert result.exit_code == 2
    assert "--dataset" in result.output
