"""The web's workbooks from the store's sheets (:mod:`gongkai.store.xlsx`), the same as
``gongkai export --format xlsx`` writes for the same reports: a report's ``.xlsx`` (its sheets
of the corpus workbook) and the problems list's (the findings its filter selects). Paths are
shown as the pages show them (:meth:`WebDB.shown_path`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from gongkai.store.queries.findings import FindingFilter
from gongkai.store.xlsx import Context, Scope, Sheet, corpus_sheets, findings_sheet
from gongkai.views.web.db import WebDB

Workbook = Callable[[Context], Sequence[Sheet]]


def _shown(db: WebDB, ctx: Context) -> Context:
    root = db.ingest_root()
    return replace(ctx, show_path=lambda path: db.shown_path(path, root))


def report_workbook(db: WebDB, report: int) -> Workbook:
    """The report's reports, tables and findings sheets."""
    scope = Scope(FindingFilter(decision="all"), reports=(report,))
    return lambda ctx: corpus_sheets(db.cursor(), scope, _shown(db, ctx))


def findings_workbook(db: WebDB, flt: FindingFilter) -> Workbook:
    """The findings sheet of what *flt* selects."""
    return lambda ctx: [findings_sheet(db.cursor(), Scope(flt), _shown(db, ctx))]


__all__ = ["Workbook", "findings_workbook", "report_workbook"]
