"""What the web pages read and write, as functions of a DuckDB connection with typed results.

Each function takes the connection to run on (the web app hands it a thread's own cursor to read,
and the store's connection inside ``WebDB.writing()`` to write) and plain arguments, and returns
frozen dataclasses or lists of them. Modules by page: :mod:`.findings` (findings with their review
decisions, the problems filter), :mod:`.decisions`, :mod:`.metrics` (figures per report),
:mod:`.reports` (one report, report lists, the corpus's fingerprint), :mod:`.index` (problems
grouped by agency), :mod:`.region` and :mod:`.agency`.

"One report per agency and year" is the view ``v_agency_year`` (:data:`gongkai.store.schema.AGENCY_YEAR`);
the queries here and :func:`gongkai.store.aggregate.sum_region` read it through
:func:`gongkai.store.schema.inline`.
"""
