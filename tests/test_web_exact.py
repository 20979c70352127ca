"""The web API writes every value exactly as the report printed it: a fee of 20 digits is
never rounded through a float, and the report's page shows it in full."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import simplejson
from fastapi.testclient import TestClient

from gongkai.corpus.ingest import ingest
from gongkai.store.db import Store
from gongkai.views.web.app import create_app

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_api_values_are_exact(tmp_path: Path) -> None:
    text = (EXAMPLES / "003_4a9178fd99f7f697.txt").read_text(encoding="utf-8")
    fee_line = next(line for line in text.split("\n") if line.startswith("行政事业性收费"))
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "fee.txt").write_text(
        text.replace(fee_line, "行政事业性收费  | 12345678901234.567891  | ||"), encoding="utf-8"
    )
    db = tmp_path / "c.duckdb"
    with Store(db) as store:
        ingest([folder], store, workers=1)
        (rid,) = store.query("SELECT id FROM reports")[0]
    app = create_app(db, uploads_dir=tmp_path / "uploads")
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        response = client.get(f"/api/reports/{rid}")
        assert response.status_code == 200
        # the number itself, not only its raw text: a float would give 12345678901234.568
        assert '"value":12345678901234.567891,' in response.text
        data: Any = simplejson.loads(response.text, use_decimal=True)
        assert Decimal("12345678901234.567891") in _numbers(data)


def _numbers(obj: Any) -> list[Any]:
    if isinstance(obj, dict):
        return [n for v in obj.values() for n in _numbers(v)]
    if isinstance(obj, list):
        return [n for v in obj for n in _numbers(v)]
    return [obj] if isinstance(obj, Decimal) else []
