"""The checks of one application: fields, dates, deadlines (L001–L008, L013), and of the
ledger as a whole (L009, L011, L012, L014). Pure: applications in, findings out.

Deadlines (条例 2019, docs/ledger.md):

- art. 33: a reply within 20 working days of receipt; extended (approved and notified within
  those 20 days) by at most 20 more;
- art. 30: when a 补正 is requested (within 7 working days of receipt), the period runs from the
  receipt of the 补正; while it has not arrived, no period runs;
- art. 32–33: the time of a consultation of third parties or other bodies is not counted.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from gongkai.formats import TableSpec
from gongkai.ledger import findings as F
from gongkai.ledger.columns import FIELD_BY_KEY, Application, applicant_columns, outcome_rows, parse_outcome
from gongkai.ledger.findings import LedgerFinding
from gongkai.ledger.table import RECEIVED_AFTER, REPLIED_BEFORE, Placement, place
from gongkai.ledger.workdays import CalendarMissing, Pause, add_workdays, covered_years, workdays_between

REPLY_DAYS = 20  # art. 33(2)
EXTENSION_DAYS = 20  # art. 33(2)
CORRECTION_REQUEST_DAYS = 7  # art. 30
REGULATION_2019 = dt.date(2019, 5, 15)  # 国务院令第711号 in force

# The outcome rows whose meaning involves a 补正 (keys of the format: the public contract).
NO_CORRECTION = "other_no_correction"
UNCLEAR_AFTER_CORRECTION = "unable_unclear"

# Dates that come in order: (earlier, later).
DATE_ORDER: tuple[tuple[str, str], ...] = (
    ("received", "correction_requested"),
    ("correction_requested", "correction_received"),
    ("received", "correction_received"),
    ("received", "consultation_start"),
    ("consultation_start", "consultation_end"),
    ("received", "extension_date"),
    ("received", "replied"),
    ("correction_received", "replied"),
    ("consultation_start", "replied"),
    ("consultation_end", "replied"),
    ("extension_date", "replied"),
)

_EXPECTED: dict[str, tuple[str, str]] = {
    "date": ("日期", "a date"),
    "channel": (
        "条例第三十一条的申请方式（当面、信函、网络、传真、其他）",
        "a channel of art. 31 (当面, 信函, 网络, 传真, 其他)",
    ),
    "applicant": ("表三的申请人类型", "an applicant type of table 3"),
    "yesno": ("“是”或“否”", "是 or 否"),
    "money": ("不小于 0 的金额（元）", "an amount ≥ 0 (yuan)"),
}


@dataclass(frozen=True, slots=True)
class Timing:
    """The reply period of one application."""

    status: str  # on_time, late, pending, overdue, awaiting_correction, not_checked
    start: dt.date | None = None  # the day the period runs from (not counted itself)
    start_from: str | None = None  # "received" or "correction_received"
    allowed: int | None = None  # 20, or 40 with an extension in time
    deadline: dt.date | None = None  # the last day on time (None: calendar missing, consultation open)
    used: int | None = None  # counted working days by the reply (pending: by the checking date)
    paused: int | None = None  # working days not counted (consultation)
    missing_year: int | None = None  # the year the calendar lacks, when it stopped a check

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "start": self.start,
            "start_from": self.start_from,
            "allowed": self.allowed,
            "deadline": self.deadline,
            "used": self.used,
            "paused": self.paused,
        }


@dataclass(slots=True)
class Checked:
    """One application with where it counts, its period and its findings."""

    app: Application
    placement: Placement
    timing: Timing | None
    findings: list[LedgerFinding] = field(default_factory=list)

    def to_dict(self, spec: TableSpec) -> dict[str, Any]:
        a = self.app
        return {
            "file": a.file,
            "line": a.line,
            "id": a.id,
            "received": a.received,
            "channel": a.channel,
            "applicant": a.applicant,
            "correction_requested": a.correction_requested,
            "correction_received": a.correction_received,
            "consultation_start": a.consultation_start,
            "consultation_end": a.consultation_end,
            "extended": a.extended,
            "extension_date": a.extension_date,
            "replied": a.replied,
            "outcome": a.outcome,
            "fee": a.fee,
            "placement": self.placement.to_dict(),
            "timing": self.timing.to_dict() if self.timing is not None else None,
            "findings": [f.code for f in self.findings],
        }


def _col(key: str) -> tuple[str, str]:
    f = FIELD_BY_KEY[key]
    return f.zh, f.en


def _at(app: Application) -> dict[str, Any]:
    return {"file": app.file, "line": app.line, "id": app.id}


def check_application(app: Application, spec: TableSpec, format_id: str, year: int, as_of: dt.date) -> Checked:
    """Where *app* counts in table 三 of *year*, its reply period and its findings; a pending
    application is judged on *as_of* (31 December of the year unless the caller says)."""
    placement = place(app, year)
    if placement.skipped in (RECEIVED_AFTER, REPLIED_BEFORE):
        return Checked(app, placement, None)  # another year's: neither counted nor checked here
    out: list[LedgerFinding] = []
    out += _field_findings(app, spec, format_id, placement)
    out += _order_findings(app)
    timing, timing_findings = _timing(app, as_of)
    out += timing_findings
    out += _correction_outcome(app, spec)
    return Checked(app, placement, timing, out)


# --- fields ------------------------------------------------------------------------------------


def _field_findings(app: Application, spec: TableSpec, format_id: str, placement: Placement) -> list[LedgerFinding]:
    out: list[LedgerFinding] = []
    not_counted = not placement.counted
    drop_zh, drop_en = (
        ("该申请不计入表三。", " The application is not counted in table 3.") if not_counted else ("", "")
    )
    for key, text in app.invalid.items():
        f = FIELD_BY_KEY[key]
        if f.kind == "outcome":
            _row, could_be = parse_outcome(spec, text)
            if could_be:
                labels = "、".join(spec.rows[k].label for k in could_be)
                hint_zh = f"（“{text}”是一组，要写到其中一行：{labels}）"
                hint_en = f" ({text} is a group: write one of its rows, {', '.join(could_be)})"
            else:
                hint_zh = hint_en = ""
            out.append(
                F.L003.finding(
                    **_at(app),
                    field=key,
                    raw=text,
                    format=format_id,
                    hint=hint_zh,
                    hint_en=hint_en,
                    consequence=drop_zh,
                    consequence_en=drop_en,
                )
            )
            continue
        zh, en = _EXPECTED.get(f.kind, ("可识别的值", "a readable value"))
        counts_zh = drop_zh if key in ("received", "applicant", "replied") else ""
        counts_en = drop_en if key in ("received", "applicant", "replied") else ""
        out.append(
            F.L002.finding(
                **_at(app),
                field=key,
                column=f.zh,
                column_en=f.en,
                raw=text,
                expected=zh,
                expected_en=en,
                consequence=counts_zh,
                consequence_en=counts_en,
            )
        )
    if app.extended is False and app.extension_date is not None:
        out.append(
            F.L002.finding(
                **_at(app),
                field="extended",
                variant="extension_flag",
                raw=app.raw.get("extended", ""),
                extension_date=app.extension_date.isoformat(),
            )
        )
    missing: list[tuple[str, str, str]] = []  # (field, why zh, why en)
    if not app.given("received"):
        missing.append(("received", "答复期限从收到申请之日起算。" + drop_zh, "the deadline runs from it." + drop_en))
    if not app.given("channel"):
        missing.append(
            ("channel", "收到申请之日按申请方式确定（条例第三十一条）。", "art. 31 fixes the receipt by it.")
        )
    if not app.given("applicant"):
        missing.append(("applicant", "表三按申请人类型计数。" + drop_zh, "table 3 counts by it." + drop_en))
    if app.given("replied") and not app.given("outcome"):
        missing.append(
            ("outcome", "已答复的申请要有办理结果。" + drop_zh, "a replied application needs one." + drop_en)
        )
    if app.given("outcome") and not app.given("replied"):
        missing.append(
            ("replied", "有办理结果的申请要有答复日期。" + drop_zh, "an outcome needs its reply date." + drop_en)
        )
    if app.extended is True and not app.given("extension_date"):
        missing.append(
            ("extension_date", "无法核对延期是否在首个期限内作出，按已延期计算。", "the extension is taken as in time.")
        )
    if app.given("correction_received") and not app.given("correction_requested"):
        missing.append(
            ("correction_requested", "收到补正前应有补正告知。", "a 补正 received must have been requested.")
        )
    if app.given("consultation_end") and not app.given("consultation_start"):
        missing.append(
            (
                "consultation_start",
                "征求意见的时间无法从期限中扣除。",
                "the consultation cannot be left out of the period.",
            )
        )
    if app.given("consultation_start") and not app.given("consultation_end") and app.given("replied"):
        missing.append(
            (
                "consultation_end",
                "已答复，征求意见应已结束；按征求意见持续到答复日计算。",
                "the reply came, so the consultation ended; taken as lasting until the reply.",
            )
        )
    for key, why_zh, why_en in missing:
        zh, en = _col(key)
        out.append(F.L001.finding(**_at(app), field=key, column=zh, column_en=en, why=why_zh, why_en=why_en))
    return out


def _order_findings(app: Application) -> list[LedgerFinding]:
    out: list[LedgerFinding] = []
    for earlier, later in DATE_ORDER:
        a, b = getattr(app, earlier), getattr(app, later)
        if a is None or b is None or b >= a:
            continue
        if earlier == "received" and later == "correction_received" and app.correction_requested is not None:
            continue  # said by received → correction_requested or correction_requested → correction_received
        ezh, een = _col(earlier)
        lzh, len_ = _col(later)
        out.append(
            F.L004.finding(
                **_at(app),
                field=later,
                later=lzh,
                later_en=len_,
                later_date=b.isoformat(),
                earlier=ezh,
                earlier_en=een,
                earlier_date=a.isoformat(),
                figures={earlier: a, later: b},
            )
        )
    return out


# --- the reply period --------------------------------------------------------------------------


def _timing(app: Application, as_of: dt.date) -> tuple[Timing | None, list[LedgerFinding]]:
    if app.received is None:
        return None, []
    if app.received < REGULATION_2019:
        return Timing("not_checked", missing_year=None), []
    out: list[LedgerFinding] = []
    try:
        if app.correction_requested is not None:
            limit_used = workdays_between(app.received, app.correction_requested)
            if limit_used > CORRECTION_REQUEST_DAYS:
                limit = add_workdays(app.received, CORRECTION_REQUEST_DAYS)
                out.append(
                    F.L008.finding(
                        **_at(app),
                        field="correction_requested",
                        requested=app.correction_requested.isoformat(),
                        received=app.received.isoformat(),
                        limit=limit.isoformat(),
                        figures={"received": app.received, "requested": app.correction_requested, "limit": limit},
                    )
                )
            if app.correction_received is None:
                return Timing("awaiting_correction"), out
        if app.correction_received is not None:
            start, start_from = app.correction_received, "correction_received"
        else:
            start, start_from = app.received, "received"
        pauses: list[Pause] = []
        consultation_open = False
        if app.consultation_start is not None:
            end = app.consultation_end or app.replied
            if end is None:
                end, consultation_open = max(as_of, app.consultation_start), True
            if end >= app.consultation_start:
                pauses.append(Pause(app.consultation_start, end))
        allowed = REPLY_DAYS
        extended = app.extended is True or app.extension_date is not None
        if extended:
            allowed = REPLY_DAYS + EXTENSION_DAYS
            if app.extension_date is not None:
                used_at_extension = workdays_between(start, app.extension_date, pauses)
                if used_at_extension > REPLY_DAYS:
                    allowed = REPLY_DAYS
                    first = _deadline(start, REPLY_DAYS, pauses)
                    out.append(
                        F.L007.finding(
                            **_at(app),
                            field="extension_date",
                            extension_date=app.extension_date.isoformat(),
                            deadline=first.isoformat() if first else "?",
                            used=used_at_extension,
                            start=start.isoformat(),
                            figures={"start": start, "extension_date": app.extension_date, "deadline": first},
                        )
                    )
        deadline = None if consultation_open else _deadline(start, allowed, pauses)
        paused_until = app.replied or as_of
        paused = sum(workdays_between(max(p.start, start), min(p.end, paused_until)) for p in pauses)
        words = _period_words(start_from, allowed, paused)
        if app.replied is not None:
            used = workdays_between(start, app.replied, pauses)
            status = "late" if used > allowed else "on_time"
            if status == "late":
                out.append(
                    F.L005.finding(
                        **_at(app),
                        field="replied",
                        replied=app.replied.isoformat(),
                        deadline=deadline.isoformat() if deadline else "?",
                        used=used,
                        allowed=allowed,
                        start=start.isoformat(),
                        figures={
                            "start": start,
                            "deadline": deadline,
                            "replied": app.replied,
                            "used": used,
                            "allowed": allowed,
                            "paused": paused,
                        },
                        **words,
                    )
                )
        else:
            used = workdays_between(start, as_of, pauses)
            status = "overdue" if used >= allowed else "pending"
            if status == "overdue":
                out.append(
                    F.L006.finding(
                        **_at(app),
                        field="replied",
                        as_of=as_of.isoformat(),
                        deadline=deadline.isoformat() if deadline else "?",
                        used=used,
                        allowed=allowed,
                        start=start.isoformat(),
                        figures={
                            "start": start,
                            "deadline": deadline,
                            "as_of": as_of,
                            "used": used,
                            "allowed": allowed,
                            "paused": paused,
                        },
                        **words,
                    )
                )
        return Timing(status, start, start_from, allowed, deadline, used, paused), out
    except CalendarMissing as exc:
        return Timing("not_checked", missing_year=exc.year), out


def _deadline(start: dt.date, allowed: int, pauses: Sequence[Pause]) -> dt.date | None:
    """The last day on time, or None when the calendar does not reach it."""
    try:
        return add_workdays(start, allowed, pauses)
    except CalendarMissing:
        return None


def _period_words(start_from: str, allowed: int, paused: int) -> dict[str, Any]:
    what = {"received": ("收到申请", "receipt"), "correction_received": ("收到补正", "receipt of the 补正")}[start_from]
    extra_zh = extra_en = ""
    if allowed > REPLY_DAYS:
        extra_zh += "（含延期 20 个）"
        extra_en += " (20 of them by extension)"
    if paused:
        extra_zh += f"，征求意见的 {paused} 个工作日不计入"
        extra_en += f", {paused} working days of consultation not counted"
    return {"start_what": what[0], "start_what_en": what[1], "extra": extra_zh, "extra_en": extra_en}


def _correction_outcome(app: Application, spec: TableSpec) -> list[LedgerFinding]:
    if app.outcome is None or app.outcome not in spec.rows:
        return []
    label = spec.rows[app.outcome].label
    what: tuple[str, str] | None = None
    if app.outcome == NO_CORRECTION:
        if app.correction_requested is None:
            what = ("没有补正告知日期", "no 补正 was requested")
        elif app.correction_received is not None:
            what = (f"已于 {app.correction_received} 收到补正", f"the 补正 arrived on {app.correction_received}")
    elif app.outcome == UNCLEAR_AFTER_CORRECTION and app.correction_received is None:
        what = ("没有补正收到日期", "no 补正 was received")
    if what is None:
        return []
    return [F.L013.finding(**_at(app), field="outcome", outcome=label, outcome_en=app.outcome, what=what[0],
                           what_en=what[1])]  # fmt: skip


# --- the ledger as a whole ---------------------------------------------------------------------


def _lines(apps: Iterable[Application], limit: int = 12) -> str:
    lines = [str(a.line) for a in apps]
    return ", ".join(lines[:limit]) + (f" … (+{len(lines) - limit})" if len(lines) > limit else "")


def ledger_findings(checked: Sequence[Checked], year: int) -> list[LedgerFinding]:
    """Findings about many applications at once: those outside the year (L009), deadlines the
    calendar cannot reach (L011), duplicate numbers (L012), the 2007 条例's (L014)."""
    out: list[LedgerFinding] = []
    by_file: dict[str, list[Checked]] = defaultdict(list)
    for c in checked:
        by_file[c.app.file].append(c)
    for file, items in by_file.items():
        after = [c.app for c in items if c.placement.skipped == RECEIVED_AFTER]
        before = [c.app for c in items if c.placement.skipped == REPLIED_BEFORE]
        if after or before:
            parts_zh, parts_en = [], []
            if before:
                parts_zh.append(f"{year} 年以前已答复 {len(before)} 件（第 {_lines(before)} 行）")
                parts_en.append(f"{len(before)} replied before {year} (rows {_lines(before)})")
            if after:
                parts_zh.append(f"{year} 年以后收到 {len(after)} 件（第 {_lines(after)} 行）")
                parts_en.append(f"{len(after)} received after {year} (rows {_lines(after)})")
            out.append(
                F.L009.finding(
                    file=file,
                    count=len(after) + len(before),
                    year=year,
                    what="；".join(parts_zh),
                    what_en="; ".join(parts_en),
                    figures={"replied_before": len(before), "received_after": len(after)},
                )
            )
        missing: dict[int, list[Application]] = defaultdict(list)
        for c in items:
            if c.timing is not None and c.timing.missing_year is not None:
                missing[c.timing.missing_year].append(c.app)
        first, last = covered_years()
        for missing_year, apps in sorted(missing.items()):
            out.append(
                F.L011.finding(
                    file=file,
                    year=missing_year,
                    first=first,
                    last=last,
                    count=len(apps),
                    lines=_lines(apps),
                    figures={"year": missing_year, "covered": f"{first}-{last}", "rows": [a.line for a in apps]},
                )
            )
        old = [c.app for c in items if c.timing is not None and c.timing.status == "not_checked"
               and c.timing.missing_year is None]  # fmt: skip
        if old:
            out.append(
                F.L014.finding(file=file, count=len(old), lines=_lines(old), figures={"rows": [a.line for a in old]})
            )
        ids: dict[str, list[Application]] = defaultdict(list)
        for c in items:
            if c.app.id and c.placement.skipped not in (RECEIVED_AFTER, REPLIED_BEFORE):
                ids[c.app.id].append(c.app)
        for id_, apps in ids.items():
            if len(apps) > 1:
                out.append(
                    F.L012.finding(
                        file=file,
                        line=apps[1].line,
                        id=id_,
                        field="id",
                        number=id_,
                        lines=_lines(apps),
                        figures={"rows": [a.line for a in apps]},
                    )
                )
    return out


def applicant_label(spec: TableSpec, key: str | None) -> str:
    if key is None:
        return ""
    return spec.columns[key].label if key in applicant_columns(spec) else key


def outcome_label(spec: TableSpec, key: str | None) -> str:
    if key is None:
        return ""
    return spec.rows[key].label if key in outcome_rows(spec) else key
