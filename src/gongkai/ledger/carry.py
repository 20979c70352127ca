"""二、上年结转: the applications carried over from last year, from last year's ledger
(``--previous``) or the figure last year's report gave (``--carried-over``), and the L010
findings when they disagree with this year's ledger.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence

from gongkai.formats import TableSpec
from gongkai.ledger import findings as F
from gongkai.ledger.columns import Application, applicant_columns, parse_applicant
from gongkai.ledger.findings import LedgerFinding
from gongkai.ledger.table import Placement

__all__ = ["carried_over_row", "merge_previous", "parse_carried_over"]


def parse_carried_over(spec: TableSpec, text: str) -> dict[str, int]:
    """``3`` → ``{"total": 3}``; ``自然人=2,商业企业=1`` (keys or labels; ``,`` ``，`` ``;``
    between, ``=`` ``:`` ``：`` inside) → every applicant column (0 when not named) and the total.
    Raises ValueError naming what is wrong."""
    text = text.strip()
    if re.fullmatch(r"\d+", text):
        return {"total": int(text)}
    columns = applicant_columns(spec)
    out = dict.fromkeys(columns, 0)
    parts = [p for p in re.split(r"[,，;；]", text) if p.strip()]
    if not parts:
        raise ValueError("empty")
    for part in parts:
        m = re.fullmatch(r"\s*([^=:：]+?)\s*[=:：]\s*(\d+)\s*", part)
        if not m:
            raise ValueError(part)
        key = parse_applicant(spec, m.group(1))
        if key is None:
            raise ValueError(m.group(1))
        out[key] = int(m.group(2))
    return {**out, "total": sum(out.values())}


def _carried(app: Application, year: int) -> bool:
    """Received before *year* and not replied before it (as this ledger has it)."""
    first = dt.date(year, 1, 1)
    return app.received is not None and app.received < first and not (app.replied is not None and app.replied < first)


def merge_previous(
    current: Sequence[Application], previous: Sequence[Application], year: int, spec: TableSpec
) -> tuple[list[Application], list[LedgerFinding]]:
    """This year's applications plus last year's carried-over ones this ledger does not list.

    An application of last year's ledger is carried over when it was received before *year* and
    not replied before it. This ledger's applications received before *year* are matched to
    those by number (编号), or — where either has none — by received date and applicant type;
    a matched one is taken from this ledger (it holds the latest state). One that matches none
    is reported (L010) and still counted from this ledger."""
    carried = [a for a in previous if _carried(a, year) and a.applicant is not None]
    by_id = {a.id: a for a in carried if a.id}
    prev_by_id_all = {a.id: a for a in previous if a.id}
    used: set[int] = set()
    out: list[LedgerFinding] = []
    last_file = previous[0].file if previous else ""
    for app in current:
        if not _carried(app, year) or app.applicant is None:
            continue
        match = by_id.get(app.id) if app.id else None
        if match is not None and id(match) not in used:
            used.add(id(match))
            differ: list[tuple[str, str, object, object]] = []
            if match.received != app.received:
                differ.append(("收到申请日期", "received", match.received, app.received))
            if match.applicant != app.applicant:
                differ.append(("申请人类型", "applicant type", match.applicant, app.applicant))
            if differ:
                zh = "、".join(f"{d[0]}为 {d[2]}" for d in differ)
                en = ", ".join(f"{d[1]} {d[2]}" for d in differ)
                out.append(
                    F.L010.finding(
                        file=app.file,
                        line=app.line,
                        id=app.id,
                        what=f"上年台账 {match.file} 第 {match.line} 行同一编号的{zh}，与本台账不同；按本台账计。",
                        what_en=f"Last year's ledger {match.file} row {match.line} has this number with {en}, unlike "
                        "this ledger; this ledger's is counted.",
                    )
                )
            continue
        candidates = [
            a
            for a in carried
            if id(a) not in used
            and (not a.id or not app.id)
            and a.received == app.received
            and a.applicant == app.applicant
        ]
        if candidates:
            used.add(id(candidates[0]))
            continue
        earlier = prev_by_id_all.get(app.id) if app.id else None
        if earlier is not None and earlier.replied is not None:
            reason_zh = f"第 {earlier.line} 行已于 {earlier.replied} 答复"
            reason_en = f"row {earlier.line} was replied on {earlier.replied}"
        else:
            reason_zh, reason_en = "没有这件年底仍未答复的申请", "does not list it as pending at the year's end"
        out.append(
            F.L010.finding(
                file=app.file,
                line=app.line,
                id=app.id,
                field="received",
                what=f"{app.received} 收到、{year} 年初仍未答复，计入上年结转；但上年台账 {last_file} {reason_zh}。",
                what_en=f"Received {app.received} and pending at the start of {year}, so carried over; but last year's "
                f"ledger {last_file} {reason_en}.",
            )
        )
    merged = list(current) + [a for a in carried if id(a) not in used]
    return merged, out


def carried_over_row(
    spec: TableSpec, placements: Iterable[Placement], given: dict[str, int] | None, year: int
) -> tuple[dict[str, int | None] | None, list[LedgerFinding]]:
    """The 二、上年结转 row when a figure is given (``--carried-over``), and an L010 finding when the
    ledger's carried-over applications count differently. None: the counted row stands."""
    if given is None:
        return None, []
    columns = applicant_columns(spec)
    counted = dict.fromkeys(columns, 0)
    for p in placements:
        if p.counted and p.carried_over and p.applicant in counted:
            counted[p.applicant] += 1
    counted_total = sum(counted.values())
    per_column = set(given) != {"total"}
    row: dict[str, int | None]
    if per_column:
        row = {c: given[c] for c in columns}
        row["total"] = given["total"]
        agree = all(given[c] == counted[c] for c in columns)
    elif given["total"] == counted_total:
        row = {**counted}
        row["total"] = counted_total
        agree = True
    else:
        row = {**dict.fromkeys(columns, None), "total": given["total"]}
        agree = False
    if agree:
        return row, []
    shown_zh = "、".join(f"{spec.columns[c].label} {counted[c]}" for c in columns if counted[c])
    shown_en = ", ".join(f"{c} {counted[c]}" for c in columns if counted[c])
    split_zh = "" if per_column else "；按申请人类型给出（--carried-over 自然人=2,商业企业=1）才能填各列"
    split_en = (
        ""
        if per_column
        else "; give it per applicant type (--carried-over natural_person=2,commercial=1) to fill the columns"
    )
    what_zh = (
        f"上年结转给出 {given['total']} 件，台账中 {year} 年以前收到、年初仍未答复的申请有 {counted_total} 件"
        f"{'（' + shown_zh + '）' if shown_zh else ''}：表三按给出的数字填写，在台账列全上年结转的申请及其办理结果之前"
        f"无法平衡{split_zh}。"
    )
    what_en = (
        f"{given['total']} carried over given, but the ledger lists {counted_total} applications received before "
        f"{year} and pending at its start{' (' + shown_en + ')' if shown_en else ''}: table 3 takes the given figure "
        f"and cannot balance until the ledger lists every carried-over application with its outcome{split_en}."
    )
    figures: dict[str, int | None] = {"given": given["total"], "counted": counted_total}
    figures |= {f"given_{c}": given.get(c) for c in columns if per_column}
    figures |= {f"counted_{c}": counted[c] for c in columns}
    return row, [F.L010.finding(field="carried_over", what=what_zh, what_en=what_en, figures=figures)]
