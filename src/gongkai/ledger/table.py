"""Table 三 counted from applications, as a :class:`gongkai.model.TableData` under the format's
keys — the same table ``gongkai parse`` reads from a report, so the same rules check it and the
same JSON carries it.

Where one application counts (:func:`place`), for report year Y:

- 一、本年新收: received in Y; 二、上年结转: received before Y and not replied before Y;
- 三、本年度办理结果: replied in Y, in the row of its outcome, and so in （七）总计;
- 四、结转下年度继续办理: not replied by 31 December of Y.

Each in the column of its applicant type; the 总计 column adds the six. Rows and columns come
from the format spec (:mod:`gongkai.formats`); an optional variant row (2021's single
（六）其他处理) is left not found, as in a report that has the three sub-rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from gongkai.document import Document, Location
from gongkai.formats import FormatSpec, TableSpec
from gongkai.ledger.columns import Application, applicant_columns, outcome_rows
from gongkai.model import Meta, Report, Row, Source, TableData, Value, missing_value

NEW, CARRIED_OVER, TOTAL, CARRIED_FORWARD = "new", "carried_over", "total", "carried_forward"

# Why an application is not counted (Placement.skipped).
RECEIVED_AFTER = "received_after_year"
REPLIED_BEFORE = "replied_before_year"
UNPLACEABLE = "incomplete"


@dataclass(frozen=True, slots=True)
class Placement:
    """Where one application counts in table 三 of a year; ``skipped`` says why it does not."""

    applicant: str | None = None
    new: bool = False
    carried_over: bool = False
    outcome: str | None = None  # the outcome row, when replied in the year
    carried_forward: bool = False
    skipped: str | None = None

    @property
    def counted(self) -> bool:
        return self.skipped is None

    def rows(self) -> list[str]:
        out = []
        if self.new:
            out.append(NEW)
        if self.carried_over:
            out.append(CARRIED_OVER)
        if self.outcome:
            out += [self.outcome, TOTAL]
        if self.carried_forward:
            out.append(CARRIED_FORWARD)
        return out

    def to_dict(self) -> dict[str, object]:
        return {"counted": self.counted, "rows": self.rows(), "column": self.applicant, "skipped": self.skipped}


def place(app: Application, year: int) -> Placement:
    """Where *app* counts in table 三 of *year*. An application received after the year or
    replied before it belongs to another year; one that lacks what placing it needs (a readable
    received date and applicant type; a reply date and a known outcome together) is not counted —
    the checks say why (L001–L003)."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if app.received is not None and app.received > last:
        return Placement(app.applicant, skipped=RECEIVED_AFTER)
    if app.replied is not None and app.replied < first:
        return Placement(app.applicant, skipped=REPLIED_BEFORE)
    if app.received is None or app.applicant is None:
        return Placement(app.applicant, skipped=UNPLACEABLE)
    if "replied" in app.invalid:
        return Placement(app.applicant, skipped=UNPLACEABLE)
    if app.replied is None and app.given("outcome"):
        return Placement(app.applicant, skipped=UNPLACEABLE)  # an outcome but no reply date: replied when?
    replied_in_year = app.replied is not None and app.replied <= last
    if replied_in_year and app.outcome is None:
        return Placement(app.applicant, skipped=UNPLACEABLE)  # no outcome, or one that is no row of the format
    return Placement(
        applicant=app.applicant,
        new=app.received >= first,
        carried_over=app.received < first,
        outcome=app.outcome if replied_in_year else None,
        carried_forward=not replied_in_year,
    )


def _value(number: int | None) -> Value:
    if number is None:
        return missing_value(Location())
    return Value(number, str(number), Location())


def requests_table(
    spec: TableSpec,
    placements: Iterable[Placement],
    carried_over: Mapping[str, int | None] | None = None,
) -> TableData:
    """Table 三 from where each application counts. *carried_over* (column → number, None for
    a figure not known) replaces the counted 二、上年结转 row: the figure last year's report gave
    (``--carried-over``)."""
    applicants = applicant_columns(spec)
    outcomes = outcome_rows(spec)
    counts: dict[str, dict[str, int]] = {k: dict.fromkeys(applicants, 0) for k in spec.rows}
    for p in placements:
        if not p.counted or p.applicant not in applicants:
            continue
        assert p.applicant is not None
        for row in p.rows():
            counts[row][p.applicant] += 1
    rows: dict[str, Row] = {}
    for key, rspec in spec.rows.items():
        if rspec.optional:  # a variant of the format: not found, as in a report with its sub-rows
            values = {c: missing_value(Location()) for c in rspec.columns}
            rows[key] = Row(key, "", rspec.columns, values, [], Location(), found=False, optional=True)
            continue
        figures: dict[str, int | None] = dict(counts[key])
        if key == TOTAL:
            figures = {c: sum(counts[o][c] for o in outcomes) for c in applicants}
        if key == CARRIED_OVER and carried_over is not None:
            figures = {c: carried_over.get(c) for c in applicants}
        given_total = carried_over.get("total") if key == CARRIED_OVER and carried_over is not None else None
        parts = [figures[c] for c in applicants]
        if given_total is not None:
            total: int | None = given_total
        else:
            total = None if any(v is None for v in parts) else sum(v for v in parts if v is not None)
        by_column = {**figures, "total": total}
        values = {c: _value(by_column.get(c)) for c in rspec.columns}
        rows[key] = Row(key, rspec.label, rspec.columns, values, list(values.values()), Location(), found=True)
    return TableData(key=spec.key, rows=rows, found=True)


def report_of(
    fmt: FormatSpec,
    year: int,
    requests: TableData,
    *,
    path: str = "",
    sha256: str = "",
    size: int = 0,
    agency: str | None = None,
) -> Report:
    """A :class:`Report` holding the computed table 三 (the other tables not found), for the
    rules of ``gongkai check`` and the JSON of ``gongkai parse``."""
    tables = {k: _not_found(s) for k, s in fmt.tables.items()}
    tables[requests.key] = requests
    return Report(
        source=Source(path=path, sha256=sha256, kind="ledger", size=size),
        meta=Meta(agency=agency, year=year, format=fmt.id, format_evidence="ledger"),
        sections={},
        tables=tables,
        document=Document(blocks=[], kind="ledger"),
    )


def _not_found(spec: TableSpec) -> TableData:
    rows = {
        k: Row(k, "", r.columns, {c: _value(None) for c in r.columns}, [], Location(), found=False, optional=r.optional)
        for k, r in spec.rows.items()
    }
    return TableData(key=spec.key, rows=rows, found=False)


def table_values(table: TableData) -> dict[str, dict[str, object]]:
    """The table as ``parse --format json`` writes it under ``tables.requests``."""
    return table.to_values()
