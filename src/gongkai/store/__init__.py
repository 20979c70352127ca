"""The corpus: reports ingested into one DuckDB database, compared across years, summed, exported.

- :mod:`gongkai.store.schema` — the tables and views, declared once with their data dictionary
  (``gongkai schema``, docs/schema.md), and ``PARSER_VERSION``.
- :mod:`gongkai.store.db` — :class:`Store`, the only owner of the DuckDB connection.
- :mod:`gongkai.corpus.ingest` — ``gongkai ingest``: walk, hash, parse and check in parallel,
  write whole reports per transaction, run the year-over-year rules.
- :mod:`gongkai.store.rows` — a parsed report as the rows the store keeps.
- :mod:`gongkai.store.agency` — one key per agency across years.
- :mod:`gongkai.store.regions`, :mod:`~gongkai.store.aggregate`, :mod:`~gongkai.store.roster`,
  :mod:`~gongkai.store.export` — choosing a region, ``gongkai sum``, ``gongkai roster``,
  ``gongkai export``.
- :mod:`gongkai.store.queries` — what the web pages read and write, with typed results.

Importing the package is cheap: DuckDB and Arrow load with :mod:`gongkai.store.db`, which the
ingest workers never import.
"""

from typing import Any

from gongkai.store.schema import PARSER_VERSION

__all__ = ["DEFAULT_DB", "PARSER_VERSION", "Store", "StoreError"]


def __getattr__(name: str) -> Any:
    if name in ("DEFAULT_DB", "Store", "StoreError"):
        from gongkai.store import db

        return getattr(db, name)
    raise AttributeError(name)
