"""``gongkai ledger``: text, JSON and XLSX output, the template, exit status and messages."""

from __future__ import annotations

import io
import json
import string
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from gongkai.ledger.findings import CODES
from gongkai.views.cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE_OR_IO, app
from ledger_rows import HEADERS, SMALL_2024, csv_bytes, write

runner = CliRunner()

CLEAN = [
    {"id": "1", "received": "2024-03-04", "channel": "网络", "applicant": "自然人", "replied": "2024-03-18",
     "outcome": "（一）予以公开"},
    {"id": "2", "received": "2024-12-27", "channel": "当面", "applicant": "商业企业"},
]  # fmt: skip


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def ledger(*args: str):
    return runner.invoke(app, ["ledger", *args])


def test_text_output_has_the_table_and_the_findings(tmp_path: Path):
    path = write(tmp_path / "2024.csv", csv_bytes(SMALL_2024))
    result = ledger(str(path), "--year", "2024")
    assert result.exit_code == EXIT_FINDINGS, result.output
    out = result.stdout
    assert "表三 收到和处理政府信息公开申请情况" in out
    assert "15 件申请，11 件计入表三" in out
    assert "L006" in out and "第 10 行" in out and "编号 A9" in out
    assert "5 个错误，0 个警告，1 个提示" in out


def test_english_is_one_switch_away(tmp_path: Path):
    path = write(tmp_path / "2024.csv", csv_bytes(SMALL_2024))
    result = runner.invoke(app, ["--lang", "en", "ledger", str(path), "--year", "2024"])
    assert result.exit_code == EXIT_FINDINGS
    assert "15 applications, 11 counted in table 3" in result.stdout
    assert "row 10" in result.stdout and "Not replied by 2024-12-31" in result.stdout
    assert "5 errors, 0 warnings, 1 info" in result.stdout


def test_a_clean_ledger_exits_0(tmp_path: Path):
    path = write(tmp_path / "2024.csv", csv_bytes(CLEAN))
    result = ledger(str(path), "--year", "2024")
    assert result.exit_code == EXIT_OK, result.output
    assert "未发现问题" in result.stdout


def test_json_carries_table_3_as_parse_does(tmp_path: Path, seed_paths):
    path = write(tmp_path / "2024.csv", csv_bytes(SMALL_2024))
    result = ledger(str(path), "--year", "2024", "--format", "json")
    assert result.exit_code == EXIT_FINDINGS
    data = json.loads(result.stdout)
    assert data["meta"]["year"] == 2024 and data["meta"]["format"] == "2021"
    requests = data["tables"]["requests"]
    assert requests["new"] == {"natural_person": 4, "commercial": 1, "research": 1, "nonprofit": 1,
                               "legal_services": 1, "other_org": 1, "total": 9}  # fmt: skip
    assert requests["total"]["total"] == 8 and requests["carried_forward"]["total"] == 3
    # The same shape as gongkai parse --format json gives for a 2021-format report's table 三.
    parsed = json.loads(runner.invoke(app, ["parse", str(seed_paths["003"]), "--format", "json"]).stdout)
    assert parsed["meta"]["format"] == "2021"
    theirs = parsed["tables"]["requests"]
    assert list(requests) == list(theirs)
    assert all(list(requests[k]) == list(theirs[k]) for k in theirs)
    assert data["ledger"]["applications"] == 15 and data["ledger"]["counted"] == 11
    assert data["ledger"]["carried_over"] == {"source": "ledger", "given": None}
    assert data["ledger"]["fees_yuan"] == 12.5
    assert data["counts"] == {"error": 5, "warning": 0, "info": 1}
    a9 = next(a for a in data["applications"] if a["id"] == "A9")
    assert a9["timing"]["status"] == "overdue" and a9["timing"]["deadline"] == "2023-12-18"
    assert a9["placement"] == {"counted": True, "rows": ["carried_over", "carried_forward"],
                               "column": "commercial", "skipped": None}  # fmt: skip
    l006 = next(f for f in data["findings"] if f["code"] == "L006")
    assert set(l006) == {"code", "severity", "message", "message_en", "file", "line", "id", "field", "figures"}
    assert l006["figures"]["deadline"] == "2023-12-18" and l006["line"] == 10


def test_xlsx_output_writes_text_as_text(tmp_path: Path):
    rows = [{**CLEAN[0], "id": '=HYPERLINK("http://x","y")'}, CLEAN[1]]
    path = write(tmp_path / "2024.csv", csv_bytes(rows))
    target = tmp_path / "out.xlsx"
    result = ledger(str(path), "--year", "2024", "--format", "xlsx", "--output", str(target))
    assert result.exit_code == EXIT_OK, result.output
    assert result.stdout == ""
    wb = load_workbook(target)
    assert wb.sheetnames == ["表三", "申请", "问题"]
    table = wb["表三"]
    assert [c.value for c in table[1]] == [
        "项目",
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
    ]
    assert [c.value for c in table[2]] == ["一、本年新收政府信息公开申请数量", 1, 1, 0, 0, 0, 0, 2]
    apps = wb["申请"]
    cell = apps.cell(row=2, column=3)
    assert cell.value == '=HYPERLINK("http://x","y")' and cell.data_type == "s"
    assert apps.cell(row=2, column=12).value == "按期答复"


def test_output_json_file_and_text_on_stdout(tmp_path: Path):
    path = write(tmp_path / "2024.csv", csv_bytes(CLEAN))
    result = ledger(str(path), "--year", "2024", "-o", "r.json")
    assert result.exit_code == EXIT_OK
    assert "表三" in result.stdout
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["tables"]["requests"]["new"]["total"] == 2


def test_previous_and_carried_over(tmp_path: Path):
    previous = write(
        tmp_path / "2023.csv",
        csv_bytes([{"id": "P", "received": "2023-12-28", "channel": "网络", "applicant": "科研机构",
                    "replied": "2024-01-08", "outcome": "予以公开"}]),
    )  # fmt: skip
    path = write(tmp_path / "2024.csv", csv_bytes(CLEAN))
    data = json.loads(ledger(str(path), "--year", "2024", "--previous", str(previous), "-f", "json").stdout)
    assert data["tables"]["requests"]["carried_over"]["research"] == 1
    assert data["tables"]["requests"]["granted"]["research"] == 1
    assert data["ledger"]["carried_over"]["source"] == "previous"
    assert [f["path"] for f in data["ledger"]["files"]] == [str(path), str(previous)]
    given = ledger(str(path), "--year", "2024", "--carried-over", "自然人=1", "-f", "json")
    assert given.exit_code == EXIT_FINDINGS
    data = json.loads(given.stdout)
    assert data["tables"]["requests"]["carried_over"]["natural_person"] == 1
    assert [f["code"] for f in data["findings"]] == ["L010"]
    both = ledger(str(path), "--year", "2024", "--previous", str(previous), "--carried-over", "1")
    assert both.exit_code == EXIT_USAGE_OR_IO


def test_template_xlsx_has_headers_example_and_lists(tmp_path: Path):
    result = ledger("--template", "t.xlsx", "--year", "2024")
    assert result.exit_code == EXIT_OK, result.output
    wb = load_workbook(tmp_path / "t.xlsx")
    assert wb.sheetnames == ["台账", "选项", "说明"]
    ws = wb["台账"]
    assert [c.value for c in ws[1]] == HEADERS
    example = {h: c.value for h, c in zip(HEADERS, ws[2], strict=True)}
    assert example["编号"] == "示例" and example["办理结果"] == "（一）予以公开"
    assert example["收到申请日期"].date().isoformat() == "2024-03-04"
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert lists["D2:D1001"] == '"自然人,商业企业,科研机构,社会公益组织,法律服务机构,其他"'
    assert lists["C2:C1001"] == '"当面,信函,网络,传真,其他"'
    assert lists["I2:I1001"] == '"是,否"'
    assert lists["L2:L1001"] == "'选项'!$A$2:$A$22"
    outcomes = [c.value for c in wb["选项"]["A"][1:]]
    assert (
        len(outcomes) == 21
        and outcomes[2] == "（三）不予公开 1.属于国家秘密"
        and outcomes[-1] == "（六）其他处理 3.其他"
    )
    # The template as written is an empty ledger: the example row is not read.
    read = ledger("t.xlsx", "--year", "2024", "-f", "json")
    assert read.exit_code == EXIT_OK and json.loads(read.stdout)["ledger"]["applications"] == 0
    # Filled in from the drop-down lists, every choice reads back.
    ws["A2"] = "1"
    ws["L2"] = outcomes[2]
    wb.save(tmp_path / "filled.xlsx")
    data = json.loads(ledger("filled.xlsx", "--year", "2024", "-f", "json").stdout)
    assert data["tables"]["requests"]["withheld_state_secret"]["natural_person"] == 1
    assert data["findings"] == []


def test_every_outcome_of_the_list_reads_back(tmp_path: Path):
    ledger("--template", "t.xlsx", "--year", "2024")
    outcomes = [c.value for c in load_workbook(tmp_path / "t.xlsx")["选项"]["A"][1:]]
    keys = [c.value for c in load_workbook(tmp_path / "t.xlsx")["选项"]["B"][1:]]
    rows = [{"id": str(i), "received": "2024-03-04", "channel": "网络", "applicant": "自然人",
             "replied": "2024-03-18", "outcome": o} for i, o in enumerate(outcomes)]  # fmt: skip
    data = json.loads(ledger(str(write(tmp_path / "all.csv", csv_bytes(rows))), "--year", "2024", "-f", "json").stdout)
    assert [a["outcome"] for a in data["applications"]] == keys
    assert data["tables"]["requests"]["total"]["natural_person"] == 21


def test_template_csv_and_no_overwrite(tmp_path: Path):
    result = ledger("--template", "t.csv", "--year", "2025")
    assert result.exit_code == EXIT_OK
    text = (tmp_path / "t.csv").read_bytes().decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].split(",") == HEADERS
    assert lines[1].startswith("示例,2025-03-04,网络,自然人,")
    again = ledger("--template", "t.csv")
    assert again.exit_code == EXIT_USAGE_OR_IO
    assert "文件已存在" in again.stderr and "t.csv" in again.stderr
    assert ledger("--template", "t.txt").exit_code == EXIT_USAGE_OR_IO


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\x81\x30\x81\xff\xfe\x80\x80", "无法识别文件编码"),
        ("编号,收到申请日期\n1,2024-01-02\n".encode(), "缺少必需的列：申请方式、申请人类型、答复日期、办理结果"),
        (b"PK\x03\x04broken", "XLSX 文件已损坏"),
    ],
)
def test_a_bad_file_is_named_with_what_to_do(tmp_path: Path, data: bytes, words: str):
    path = write(tmp_path / "坏.csv", data)
    result = ledger(str(path), "--year", "2024")
    assert result.exit_code == EXIT_USAGE_OR_IO
    assert "坏.csv" in result.stderr and words in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args",
    [
        [],  # no file, no year
        ["x.csv"],  # no year
        ["x.csv", "--year", "2018"],
        ["x.csv", "--year", "2024", "--carried-over", "企业=1"],
        ["x.csv", "--year", "2024", "--as-of", "soon"],
        ["x.csv", "--year", "2024", "--format", "xlsx"],
        ["x.csv", "--year", "2024", "--output", "x.txt"],
        ["nope.csv", "--year", "2024"],
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str]):
    write(tmp_path / "x.csv", csv_bytes(CLEAN))
    result = ledger(*args)
    assert result.exit_code == EXIT_USAGE_OR_IO, result.output
    assert result.stderr.strip()


def test_as_of(tmp_path: Path):
    rows = [{"received": "2024-11-01", "channel": "网络", "applicant": "自然人"}]  # due 2024-11-29
    path = write(tmp_path / "2024.csv", csv_bytes(rows))
    assert ledger(str(path), "--year", "2024", "--as-of", "2024-11-28").exit_code == EXIT_OK
    assert ledger(str(path), "--year", "2024").exit_code == EXIT_FINDINGS


def test_xlsx_output_in_english(tmp_path: Path):
    path = write(tmp_path / "2024.csv", csv_bytes(SMALL_2024))
    runner.invoke(app, ["--lang", "en", "ledger", str(path), "--year", "2024", "-o", "en.xlsx"])
    wb = load_workbook(io.BytesIO((tmp_path / "en.xlsx").read_bytes()))
    assert wb.sheetnames == ["table 3", "applications", "findings"]
    assert wb["table 3"]["A2"].value == "new"


@pytest.mark.parametrize("code", list(CODES.values()), ids=lambda c: c.code)
def test_catalogue_messages_are_named_templates(code):
    reserved = {"file", "line", "id", "field", "figures", "variant"}
    for zh, en in [(code.template_zh, code.template_en), *code.variants.values()]:
        for template in (zh, en):
            names = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
            assert names and all(n and not n[0].isdigit() for n in names), template
            assert not names & reserved, template
    assert "## 说明" in code.doc_zh and "## What it does" in code.doc_en
    assert (Path(__file__).resolve().parent.parent / "docs" / "rules" / f"{code.code}.md").is_file()


def test_gongkai_write_takes_the_ledgers_table(tmp_path: Path):
    """The JSON of gongkai ledger is what gongkai write --requests takes: the report written with
    it reads back with the ledger's table 三, cell for cell."""
    example = Path(__file__).resolve().parent.parent / "examples" / "write" / "report.yaml"
    rows = [
        {"id": "1", "received": "2023-03-06", "channel": "网络", "applicant": "自然人", "replied": "2023-03-20",
         "outcome": "予以公开"},
        {"id": "2", "received": "2023-05-08", "channel": "信函", "applicant": "商业企业", "replied": "2023-05-22",
         "outcome": "（四）无法提供 1.本机关不掌握相关政府信息"},
        {"id": "3", "received": "2022-12-26", "channel": "当面", "applicant": "自然人", "replied": "2023-01-09",
         "outcome": "partly_granted"},
        {"id": "4", "received": "2023-12-28", "channel": "网络", "applicant": "法律服务机构"},
    ]  # fmt: skip
    path = write(tmp_path / "2023.csv", csv_bytes(rows))
    made = ledger(str(path), "--year", "2023", "-o", "表三.json")
    assert made.exit_code == EXIT_OK, made.output
    table = json.loads((tmp_path / "表三.json").read_text(encoding="utf-8"))["tables"]["requests"]
    written = runner.invoke(app, ["write", str(example), "--requests", "表三.json", "-o", "report.md", "--force"])
    assert written.exit_code == EXIT_OK, written.output
    parsed = json.loads(runner.invoke(app, ["parse", "report.md", "--format", "json"]).stdout)
    assert parsed["tables"]["requests"] == table
    assert table["new"]["total"] == 3 and table["carried_over"]["natural_person"] == 1
