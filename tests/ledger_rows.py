"""Ledgers for the tests of ``gongkai ledger``: rows of cells written as CSV or XLSX under the
template's Chinese headers."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path

from gongkai.ledger.columns import FIELDS

HEADERS = [f.zh for f in FIELDS]
KEYS = [f.key for f in FIELDS]
DATE_KEYS = {f.key for f in FIELDS if f.kind == "date"}

# A small 2024 ledger (rows 2–16 of the file); the expected table 三 is in test_ledger_table.py.
SMALL_2024: list[dict[str, str]] = [
    {"id": "A1", "received": "2024-01-08", "channel": "网络", "applicant": "自然人", "replied": "2024-01-22",
     "outcome": "（一）予以公开"},
    {"id": "A2", "received": "2024-02-05", "channel": "当面", "applicant": "自然人", "replied": "2024-02-28",
     "outcome": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"},
    {"id": "A3", "received": "2024-03-04", "channel": "信函", "applicant": "商业企业", "replied": "2024-03-20",
     "outcome": "（三）不予公开 4.保护第三方合法权益"},
    {"id": "A4", "received": "2024-04-01", "channel": "网络", "applicant": "科研机构", "replied": "2024-04-15",
     "outcome": "1.本机关不掌握相关政府信息"},
    {"id": "A5", "received": "2024-05-06", "channel": "传真", "applicant": "社会公益组织", "replied": "2024-05-20",
     "outcome": "declined_duplicate"},
    {"id": "A6", "received": "2024-06-03", "channel": "网络", "applicant": "法律服务机构",
     "correction_requested": "2024-06-05", "replied": "2024-07-10",
     "outcome": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"},
    {"id": "A7", "received": "2024-07-01", "channel": "其他", "applicant": "其他", "replied": "2024-07-15",
     "outcome": "3.其他", "fee": "12.50"},
    {"id": "A8", "received": "2023-12-15", "channel": "网络", "applicant": "自然人", "replied": "2024-01-05",
     "outcome": "予以公开"},
    {"id": "A9", "received": "2023-11-20", "channel": "当面", "applicant": "商业企业"},
    {"id": "A10", "received": "2024-12-25", "channel": "网络", "applicant": "自然人"},
    {"id": "A11", "received": "2024-10-08", "channel": "网络", "applicant": "自然人", "replied": "2025-01-06",
     "outcome": "予以公开"},
    {"id": "A12", "received": "2023-05-10", "channel": "网络", "applicant": "自然人", "replied": "2023-06-01",
     "outcome": "予以公开"},
    {"id": "A13", "received": "2025-01-03", "channel": "网络", "applicant": "自然人"},
    {"id": "A14", "received": "2024-08-01", "channel": "网络", "applicant": "企业"},
    {"id": "A15", "received": "2024-08-05", "channel": "网络", "applicant": "自然人", "replied": "2024-08-20",
     "outcome": "不予公开"},
]  # fmt: skip


def csv_bytes(rows: Sequence[dict[str, str]], encoding: str = "utf-8-sig", title: str | None = None) -> bytes:
    text = io.StringIO()
    w = csv.writer(text)
    if title is not None:
        w.writerow([title])
    w.writerow(HEADERS)
    for row in rows:
        w.writerow([row.get(k, "") for k in KEYS])
    return text.getvalue().encode(encoding)


def xlsx_bytes(rows: Sequence[dict[str, str]], title: str | None = None, sheet: str = "台账") -> bytes:
    """The rows as XLSX, dates as date cells (as Excel stores them), the fee as a number."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    if title is not None:
        ws.append([title])
    ws.append(HEADERS)
    for row in rows:
        cells: list[object] = []
        for k in KEYS:
            v = row.get(k)
            if v and k in DATE_KEYS:
                cells.append(dt.datetime.fromisoformat(v))
            elif v and k == "fee":
                cells.append(float(v))
            else:
                cells.append(v)
        ws.append(cells)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
