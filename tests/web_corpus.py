"""A small corpus for the web's navigation tests (test_web_links, test_web_data,
test_web_browser_nav): the example reports and generated ones of every kind (text, HTML, Word,
PDF, a file that is no report), several years and regions — and two reports whose file is gone or
changed after ingest, so that the original-file view has both cases to say."""

from __future__ import annotations

import importlib.util
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gongkai.corpus.ingest import ingest
from gongkai.store.db import Store
from gongkai.store.rows import report_id, sha256_of

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
GENERATOR = ROOT / "tools" / "generate_corpus.py"
KINDS = {"text": 0.4, "html": 0.2, "docx": 0.2, "pdf": 0.2}


@dataclass(frozen=True)
class NavCorpus:
    db: Path
    folder: Path
    manifest: list[dict[str, Any]]
    by_kind: dict[str, int]  # kind → a report id whose file is where it was ingested
    moved: int  # a report whose file was moved away after ingest
    changed: int  # a report whose file was changed after ingest
    moved_name: str


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("generate_corpus", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_corpus"] = module
    spec.loader.exec_module(module)
    return module


def build_nav_corpus(folder: Path, n: int = 14, seed: int = 12) -> NavCorpus:
    gen = folder / "generated"
    _generator().generate(gen, n, seed=seed, error_rate=0.3, junk=1, kind_weights=KINDS)
    manifest = [json.loads(line) for line in (gen / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    db = folder / "corpus.duckdb"
    with Store(db) as store:
        ingest([EXAMPLES, gen], store, workers=1)
        rows = store.query("SELECT id, kind, path FROM reports WHERE status = 'ok' ORDER BY path")
    by_kind: dict[str, int] = {}
    texts = []
    for rid, kind, path in rows:
        by_kind.setdefault(kind, rid)
        if kind == "text" and str(path).startswith(str(gen)):
            texts.append((rid, Path(path)))
    assert {"text", "html", "docx", "pdf"} <= set(by_kind), by_kind
    # Two text reports lose their file after ingest: one moved away, one changed in place.
    (moved_id, moved_path), (changed_id, changed_path) = texts[-1], texts[-2]
    assert by_kind["text"] not in (moved_id, changed_id)
    away = folder / "moved-away"
    away.mkdir()
    moved_path.rename(away / moved_path.name)
    changed_path.write_bytes(changed_path.read_bytes() + "\n（导入后添加的一行）\n".encode())
    assert report_id(sha256_of((away / moved_path.name).read_bytes())) == moved_id
    return NavCorpus(db, folder, manifest, by_kind, moved_id, changed_id, moved_path.name)


__all__ = ["EXAMPLES", "NavCorpus", "build_nav_corpus"]
