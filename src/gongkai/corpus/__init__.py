"""The application layer: the pipeline's stages strung together for whole files and corpora.

- :mod:`gongkai.corpus.analyse` — one file read, parsed and checked (``gongkai parse`` /
  ``check``), each in a worker process of its own within :class:`gongkai.limits.Limits`.
- :mod:`gongkai.corpus.ingest` — ``gongkai ingest`` and the web upload: files analysed in
  parallel, written to the store whole, the year-over-year rules rerun (``--recheck`` checks stored
  files again).
- :mod:`gongkai.corpus.year` — the year-over-year rules over the corpus.
- :mod:`gongkai.corpus.write` — ``gongkai write``: a report rendered by the writers, read back
  and checked, and only then saved in place.

Below this layer nothing strings stages together: the readers, layout, sections, tables, meta and
model never import the rules or the store, the rules never import the store, and the store never
imports the views (``tests/test_architecture.py``).
"""
