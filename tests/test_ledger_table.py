"""Table 三 counted from a ledger: every cell, CSV and XLSX alike, 上年结转 from last year's
ledger or a given figure, and files that cannot be read."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from gongkai.formats import format_for_year
from gongkai.ledger import LedgerReadError, analyse, parse_carried_over, read_ledger_file
from gongkai.ledger.columns import applicant_columns
from gongkai.rules import CheckConfig, check_report
from ledger_rows import SMALL_2024, csv_bytes, write, xlsx_bytes

SPEC = format_for_year(2024).tables["requests"]
APPLICANTS = applicant_columns(SPEC)


def table_of(cells: dict[tuple[str, str], int]) -> dict[str, dict[str, int | None]]:
    """Every cell of a 2021-format table 三: the cells given, 0 elsewhere, totals added; the
    optional single （六）其他处理 row without values."""
    out: dict[str, dict[str, int | None]] = {}
    for key, row in SPEC.rows.items():
        if row.optional:
            out[key] = dict.fromkeys(row.columns, None)
            continue
        values: dict[str, int | None] = {c: cells.get((key, c), 0) for c in APPLICANTS}
        values["total"] = sum(v for v in values.values() if v is not None)
        out[key] = values
    return out


# SMALL_2024 counted by hand (ledger_rows.py). Received in 2024: A1 A2 A10 A11 natural persons,
# A3 commercial, A4 research, A5 nonprofit, A6 legal services, A7 other (A14's type is unreadable,
# A15's outcome is a group: neither is counted; A12 was replied in 2023, A13 received in 2025).
# Carried over: A8 natural person (replied 2024), A9 commercial (still pending).
# Replied in 2024: A1 A8 granted, A2 partly granted, A3 third party, A4 not held, A5 duplicate,
# A6 no correction, A7 other. Carried forward: A9, A10 (pending), A11 (replied in 2025).
EXPECTED_SMALL = table_of(
    {
        ("new", "natural_person"): 4,
        ("new", "commercial"): 1,
        ("new", "research"): 1,
        ("new", "nonprofit"): 1,
        ("new", "legal_services"): 1,
        ("new", "other_org"): 1,
        ("carried_over", "natural_person"): 1,
        ("carried_over", "commercial"): 1,
        ("granted", "natural_person"): 2,
        ("partly_granted", "natural_person"): 1,
        ("withheld_third_party", "commercial"): 1,
        ("unable_not_held", "research"): 1,
        ("declined_duplicate", "nonprofit"): 1,
        ("other_no_correction", "legal_services"): 1,
        ("other_other", "other_org"): 1,
        ("total", "natural_person"): 3,
        ("total", "commercial"): 1,
        ("total", "research"): 1,
        ("total", "nonprofit"): 1,
        ("total", "legal_services"): 1,
        ("total", "other_org"): 1,
        ("carried_forward", "natural_person"): 2,
        ("carried_forward", "commercial"): 1,
    }
)


@pytest.fixture
def small_csv(tmp_path: Path) -> Path:
    return write(tmp_path / "2024.csv", csv_bytes(SMALL_2024))


def balance_findings(result) -> list[str]:
    config = CheckConfig().with_cli(select=["B001", "B002", "B003"])
    return [f.code for f in check_report(result.report(), config, raise_errors=True)]


def test_every_cell_of_table_3(small_csv: Path):
    result = analyse(read_ledger_file(small_csv, 2024), 2024)
    assert result.table.to_values() == EXPECTED_SMALL
    assert EXPECTED_SMALL["new"]["total"] == 9 and EXPECTED_SMALL["total"]["total"] == 8
    assert EXPECTED_SMALL["carried_forward"]["total"] == 3
    assert balance_findings(result) == []
    assert len(result.checked) == 15 and result.counted == 11
    assert result.fees == Decimal("12.50")


def test_the_findings_of_the_small_ledger(small_csv: Path):
    result = analyse(read_ledger_file(small_csv, 2024), 2024)
    got = [(f.code, f.line, f.id) for f in result.findings]
    assert got == [
        ("L009", None, None),  # A12 replied in 2023, A13 received in 2025
        ("L006", 10, "A9"),  # received 2023-11-20, pending on 31 December 2024
        ("L005", 12, "A11"),  # received 2024-10-08, due 2024-11-04, replied 2025-01-06
        ("L002", 15, "A14"),  # 企业 is no applicant type
        ("L006", 15, "A14"),  # not counted, but still an application past its deadline (2024-08-29)
        ("L003", 16, "A15"),  # 不予公开 is a group
    ]
    l009 = result.findings[0]
    assert l009.figures == {"replied_before": 1, "received_after": 1}
    assert "第 13 行" in l009.message and "第 14 行" in l009.message
    l005 = result.findings[2]
    assert l005.figures["deadline"] == dt.date(2024, 11, 4)
    l002 = result.findings[3]
    assert l002.field == "applicant" and "“企业”" in l002.message and "不计入表三" in l002.message
    assert result.findings[4].figures["deadline"] == dt.date(2024, 8, 29)
    assert result.counts == {"error": 5, "warning": 0, "info": 1}
    skipped = {c.app.id: c.placement.skipped for c in result.checked if c.placement.skipped}
    assert skipped == {
        "A12": "replied_before_year",
        "A13": "received_after_year",
        "A14": "incomplete",
        "A15": "incomplete",
    }


def test_csv_xlsx_and_gbk_give_the_same(tmp_path: Path, small_csv: Path):
    from_csv = analyse(read_ledger_file(small_csv, 2024), 2024)
    xlsx = write(tmp_path / "2024.xlsx", xlsx_bytes(SMALL_2024))
    gbk = write(tmp_path / "gbk.csv", csv_bytes(SMALL_2024, encoding="gb18030"))
    for path in (xlsx, gbk):
        other = analyse(read_ledger_file(path, 2024), 2024)
        assert other.table.to_values() == from_csv.table.to_values() == EXPECTED_SMALL
        assert [(f.code, f.line, f.id, f.message) for f in other.findings] == [
            (f.code, f.line, f.id, f.message.replace(str(small_csv), str(path))) for f in from_csv.findings
        ]
        assert other.fees == Decimal("12.5")


def test_a_title_above_the_header_and_another_sheet_first(tmp_path: Path):
    title = "某某局2024年政府信息公开申请台账"
    csv_path = write(tmp_path / "t.csv", csv_bytes(SMALL_2024, title=title))
    result = analyse(read_ledger_file(csv_path, 2024), 2024)
    assert result.table.to_values() == EXPECTED_SMALL
    assert result.checked[0].app.line == 3  # rows are numbered as the spreadsheet shows them
    xlsx = write(tmp_path / "t.xlsx", xlsx_bytes(SMALL_2024, title=title, sheet="Sheet1"))
    assert analyse(read_ledger_file(xlsx, 2024), 2024).table.to_values() == EXPECTED_SMALL


def test_carried_over_from_last_years_ledger(tmp_path: Path):
    previous = write(
        tmp_path / "2023.csv",
        csv_bytes(
            [
                # B1: carried over, replied in January 2024 (recorded in last year's ledger only).
                {"id": "B1", "received": "2023-12-15", "channel": "网络", "applicant": "自然人",
                 "replied": "2024-01-05", "outcome": "予以公开"},
                # B2: carried over, pending there; this year's ledger has its reply.
                {"id": "B2", "received": "2023-12-20", "channel": "当面", "applicant": "商业企业"},
                # B3: replied in 2023: not carried over.
                {"id": "B3", "received": "2023-06-01", "channel": "网络", "applicant": "自然人",
                 "replied": "2023-06-20", "outcome": "予以公开"},
                # B4: carried over, still pending at the end of 2024: carried forward again.
                {"id": "B4", "received": "2023-12-28", "channel": "网络", "applicant": "科研机构",
                 "consultation_start": "2023-12-29"},
            ]
        ),
    )  # fmt: skip
    current_rows = [
        {"id": "C1", "received": "2024-03-04", "channel": "网络", "applicant": "自然人", "replied": "2024-03-18",
         "outcome": "予以公开"},
        {"id": "B2", "received": "2023-12-20", "channel": "当面", "applicant": "商业企业", "replied": "2024-01-10",
         "outcome": "部分公开"},
    ]  # fmt: skip
    current = write(tmp_path / "2024.csv", csv_bytes(current_rows))
    result = analyse(read_ledger_file(current, 2024), 2024, previous=read_ledger_file(previous, 2024))
    assert result.carried_over_source == "previous"
    assert result.table.to_values() == table_of(
        {
            ("new", "natural_person"): 1,
            ("carried_over", "natural_person"): 1,
            ("carried_over", "commercial"): 1,
            ("carried_over", "research"): 1,
            ("granted", "natural_person"): 2,
            ("partly_granted", "commercial"): 1,
            ("total", "natural_person"): 2,
            ("total", "commercial"): 1,
            ("carried_forward", "research"): 1,
        }
    )
    assert [f.code for f in result.findings] == []
    assert balance_findings(result) == []
    assert [(c.app.file, c.app.id) for c in result.checked] == [
        (str(current), "C1"),
        (str(current), "B2"),
        (str(previous), "B1"),
        (str(previous), "B4"),
    ]
    # An application received in 2023 that last year's ledger does not carry over: L010, still counted.
    extra = [*current_rows, {"id": "B3", "received": "2023-06-01", "channel": "网络", "applicant": "自然人",
                             "replied": "2024-02-01", "outcome": "予以公开"}]  # fmt: skip
    current = write(tmp_path / "2024b.csv", csv_bytes(extra))
    result = analyse(read_ledger_file(current, 2024), 2024, previous=read_ledger_file(previous, 2024))
    l010 = [f for f in result.findings if f.code == "L010"]
    assert [(f.line, f.id) for f in l010] == [(4, "B3")]
    assert "2023-06-20 答复" in l010[0].message
    assert result.table.value("carried_over", "natural_person") == 2


def test_carried_over_given_as_a_figure(small_csv: Path):
    ledger = read_ledger_file(small_csv, 2024)
    agreeing = analyse(ledger, 2024, carried_over=parse_carried_over(SPEC, "2"))
    assert agreeing.carried_over_source == "given"
    assert agreeing.table.to_values() == EXPECTED_SMALL
    assert "L010" not in [f.code for f in agreeing.findings]
    per_column = analyse(ledger, 2024, carried_over=parse_carried_over(SPEC, "自然人=1，commercial：1"))
    assert per_column.table.to_values() == EXPECTED_SMALL

    differing = analyse(ledger, 2024, carried_over=parse_carried_over(SPEC, "3"))
    l010 = [f for f in differing.findings if f.code == "L010"]
    assert len(l010) == 1 and l010[0].figures["given"] == 3 and l010[0].figures["counted"] == 2
    assert l010[0].file == str(small_csv)
    row = differing.table.to_values()["carried_over"]
    assert row == {**dict.fromkeys(APPLICANTS, None), "total": 3}  # the split is not guessed
    assert "B001" in balance_findings(differing)  # the table cannot balance: the ledger lacks one

    split = analyse(ledger, 2024, carried_over=parse_carried_over(SPEC, "natural_person=2"))
    assert split.table.to_values()["carried_over"] == {**dict.fromkeys(APPLICANTS, 0), "natural_person": 2, "total": 2}
    assert [f.code for f in split.findings if f.code == "L010"] == ["L010"]


@pytest.mark.parametrize("text", ["", "x", "企业=2", "自然人=-1", "自然人"])
def test_a_carried_over_figure_that_cannot_be_read(text: str):
    with pytest.raises(ValueError):
        parse_carried_over(SPEC, text)


@pytest.mark.parametrize(
    ("data", "code", "words"),
    [
        (b"", "empty", "空"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "xls", ".xls"),
        (b"PK\x03\x04" + b"\x00" * 64, "unreadable", "XLSX"),
        (b"\xff\xfe\x00\xd8\x00", "encoding", "编码"),
        (b"\x81\x30\x81\xff\xfe\x80\x80", "encoding", "UTF-8"),
        ("名称,金额\n甲,1\n".encode(), "no_header", "表头"),
        (
            "编号,收到申请日期,申请人类型\n1,2024-01-02,自然人\n".encode(),
            "missing_columns",
            "申请方式、答复日期、办理结果",
        ),
        (b"\x00\x01\x02binary\x00", "not_a_table", "CSV"),
    ],
)
def test_bad_files_say_what_to_do(tmp_path: Path, data: bytes, code: str, words: str):
    path = write(tmp_path / "bad.csv", data)
    with pytest.raises(LedgerReadError) as exc:
        read_ledger_file(path, 2024)
    assert exc.value.code == code
    assert words in exc.value.message_zh
    assert exc.value.message_en


def test_missing_and_folder_paths(tmp_path: Path):
    with pytest.raises(LedgerReadError) as exc:
        read_ledger_file(tmp_path / "nope.xlsx", 2024)
    assert exc.value.code == "not_found"
    with pytest.raises(LedgerReadError) as exc:
        read_ledger_file(tmp_path, 2024)
    assert exc.value.code == "directory"
    big = write(tmp_path / "big.csv", csv_bytes(SMALL_2024))
    with pytest.raises(LedgerReadError) as exc:
        read_ledger_file(big, 2024, max_bytes=10)
    assert exc.value.code == "too_large"


def test_a_2019_format_year_counts_in_its_single_other_handling_row(tmp_path: Path):
    rows = [
        {"received": "2020-03-02", "channel": "网络", "applicant": "自然人", "replied": "2020-03-10",
         "outcome": "（六）其他处理"},
        {"received": "2020-03-02", "channel": "网络", "applicant": "自然人", "replied": "2020-03-10",
         "outcome": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"},
    ]  # fmt: skip
    result = analyse(read_ledger_file(write(tmp_path / "2020.csv", csv_bytes(rows)), 2020), 2020)
    assert result.format.id == "2019"
    values = result.table.to_values()
    assert values["other_handling"]["natural_person"] == 1
    assert "other_no_correction" not in values
    assert [f.code for f in result.findings] == ["L003"]  # a 2021 row is no outcome of the 2019 format
    assert balance_findings(result) == []
