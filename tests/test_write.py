"""``gongkai write``: a report in the national layout as Word, HTML or Markdown (docs/write.md).

Round trip: every example and every report of the real-document corpus is parsed, handed to the
writer as the JSON of ``gongkai parse`` (the public contract), written as docx, html and md, and
parsed back; every cell of every table must come back exactly (money as exact decimals, null as
null, never 0), and the six sections' text with it. Section text is compared without whitespace
(line breaks, indents, the spaces Word and PDF put between Chinese and digits) and without the
Markdown heading marks a crawler left at the start of a line (``### 1.主动公开情况``, which the
layout writes as a plain line). Then the command: YAML and Markdown sources with table 三 as JSON,
the 2019 format before 2021, refusal on error findings and ``--force``, atomic writes, bad input.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corpus_score import corpus_files
from gongkai import jsonout
from gongkai.document import Table
from gongkai.formats import SECTION_KEYS, load_format, section_specs
from gongkai.pipeline import parse_bytes, parse_path
from gongkai.readers.docx import read as read_docx
from gongkai.views.cli import app
from gongkai.writers.input import reports_from_json_text
from gongkai.writers.markdown import NULL_CELL
from gongkai.writers.output import differences, for_writing, render

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.txt"))
WRITE = ROOT / "examples" / "write"
FORMATS = ("docx", "html", "md")


def _first_files() -> list[Path]:
    seen: set[str] = set()
    out = []
    for cf in corpus_files():
        if cf.report_id not in seen:
            seen.add(cf.report_id)
            out.append(cf.path)
    return out


CORPUS = _first_files()
SOURCES = [*EXAMPLES, *CORPUS]


def _name(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


@cache
def _parsed(path: Path):
    return parse_path(path)


def normal_text(text: str) -> str:
    return re.sub(r"\s+", "", re.sub(r"^\s*#+", "", text, flags=re.M))


def table_differences(want, got) -> list[tuple]:
    """Every cell of every table, the extra rows' values, and which tables were found."""
    out: list[tuple] = []
    for tkey, table in want.tables.items():
        back = got.tables[tkey]
        if table.found != back.found:
            out.append((tkey, "found", table.found, back.found))
            continue
        for rkey, row in table.rows.items():
            for ckey, value in row.values.items():
                got_value = back.rows[rkey].values[ckey].value
                same = (
                    got_value is None if value.value is None else (got_value is not None and got_value == value.value)
                )
                if not same or type(got_value) is not type(value.value):
                    out.append((tkey, rkey, ckey, value.value, got_value))
        want_extra = [(normal_text(r.label), [v.value for v in r.values.values()]) for r in table.extra_rows]
        got_extra = [(normal_text(r.label), [v.value for v in r.values.values()]) for r in back.extra_rows]
        if want_extra != got_extra:
            out.append((tkey, "extra_rows", want_extra, got_extra))
    return out


def section_differences(want, got) -> list[tuple]:
    out: list[tuple] = []
    for key in SECTION_KEYS:
        a, b = want.sections.get(key), got.sections.get(key)
        if (a is None) != (b is None):
            if a is None and b is not None and not b.text.strip() and want.tables[key].found:
                continue  # a section that is only its table is printed with its title
            out.append((key, a is not None, b is not None))
        elif a is not None and b is not None and normal_text(a.text) != normal_text(b.text):
            out.append((key, a.text[:60], b.text[:60]))
    return out


def _null_cells(report) -> int:
    return sum(
        1
        for t in report.tables.values()
        if t.found
        for r in t.rows.values()
        for v in r.values.values()
        if v.value is None
    )


# ------------------------------------------------------------------------------------------------
# Round trip: parse → JSON → write → parse


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("source", SOURCES, ids=_name)
def test_round_trip(source, fmt):
    original = _parsed(source)
    (item,) = reports_from_json_text(jsonout.dumps(original.to_dict()), "parse.json")
    assert item.error is None
    data = render(item.report, fmt)
    back = parse_bytes(data, f"written.{fmt}")
    assert table_differences(original, back) == []
    assert back.to_dict()["tables"] == original.to_dict()["tables"]
    assert _null_cells(back) == _null_cells(original)
    assert section_differences(original, back) == []
    assert differences(for_writing(item.report), back) == []  # what save_checked verifies agrees
    for name in ("agency", "year", "format", "signed_on"):
        assert getattr(back.meta, name) == getattr(original.meta, name), name
    # The official titles, in order
    titles = [s.title for s in back.sections.values()]
    assert titles == [s.title for s in section_specs() if s.key in back.sections]


def test_round_trip_covers_nulls_money_and_both_formats():
    """The corpus holds what the round trip must keep: null cells, money with decimals, extra
    rows, both national formats, the 2019 单行 （六）其他处理 in a 2021 report."""
    reports = [_parsed(p) for p in SOURCES]
    assert len(CORPUS) >= 70
    assert sum(_null_cells(r) for r in reports) > 100
    assert {r.meta.format for r in reports} == {"2019", "2021"}
    money = [r.tables["proactive"].value("fees", "amount") for r in reports if r.meta.format == "2021"]
    assert any(isinstance(m, Decimal) for m in money)
    assert any(t.extra_rows for r in reports for t in r.tables.values())
    assert any(r.tables["requests"].rows["other_handling"].found for r in reports if r.meta.format == "2021")


# ------------------------------------------------------------------------------------------------
# The Markdown writer


def test_markdown_tables_are_flat_pipe_tables_in_the_template_words():
    report = _parsed(EXAMPLES[3])
    text = render(report, "md").decode("utf-8")
    lines = text.splitlines()
    head = next(line for line in lines if "本列数据的勾稽关系" in line)
    cells = [c.strip() for c in head.strip("|").split("|")]
    assert cells[:3] == ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "", ""]
    assert cells[3:] == ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    assert lines[lines.index(head) + 1] == "|" + "---|" * 10
    assert "## 一、总体情况" in lines and "## 六、其他需要报告的事项" in lines
    assert lines[0].startswith("# ") and "年政府信息公开工作年度报告" in lines[0]
    # Table 四 keeps the template's three head rows, group words where their span starts
    appeals = [line for line in lines if line.startswith("| 行政复议")]
    assert len(appeals) == 1
    i = lines.index(appeals[0])
    second = [c.strip() for c in lines[i + 2].strip("|").split("|")]
    assert second[:6] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉"]
    assert second[10] == "复议后起诉"
    # Every row of a table has as many cells as the table is wide: nothing is merged
    blocks: list[list[str]] = []
    for n, line in enumerate(lines):
        if line.startswith("|"):
            if not (n and lines[n - 1].startswith("|")):
                blocks.append([])
            blocks[-1].append(line)
    assert [len(b[1].split("|")) - 2 for b in blocks] == [4, 10, 15]
    for block in blocks:
        assert {len(line.split("|")) for line in block} == {len(block[1].split("|"))}


def test_markdown_null_cells_keep_their_column():
    """A pipe table read back as text keeps no position for a blank cell at the start of a row:
    a cell with no value is written as —, which reads back as no value in its own column."""
    report = _parsed(next(p for p in CORPUS if p.name == "pt-caijin-2019.txt"))
    assert report.tables["proactive"].value("penalties", "previous") is None
    assert report.tables["proactive"].value("penalties", "decisions") == 0
    text = render(report, "md").decode("utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| 行政处罚 |"))
    assert row == f"| 行政处罚 | {NULL_CELL} | {NULL_CELL} | 0 |"
    back = parse_bytes(text.encode("utf-8"), "x.md")
    assert back.tables["proactive"].value("penalties", "previous") is None
    assert back.tables["proactive"].value("penalties", "decisions") == 0


def test_markdown_long_paragraphs_are_wrapped_and_join_back():
    report = _parsed(next(p for p in CORPUS if p.name == "pt-zhifa-2025.txt"))
    overview = report.sections["overview"].text
    assert len(overview) > 400 and "行政复议" in overview  # unfold would cut such a line
    text = render(report, "md").decode("utf-8")
    assert max(len(line) for line in text.splitlines()) <= 300
    back = parse_bytes(text.encode("utf-8"), "x.md")
    assert normal_text(back.sections["overview"].text) == normal_text(overview)


def test_docx_keeps_the_national_merges():
    report = _parsed(EXAMPLES[4])
    doc = read_docx(render(report, "docx"))
    _proactive, requests, appeals = [b for b in doc.blocks if isinstance(b, Table)]
    assert all(len(row) == 10 for row in requests.rows)
    assert [c.merged for c in requests.rows[0]] == [False, True, True, False, True, True, True, True, True, True]
    assert [c.merged for c in appeals.rows[0][:6]] == [False, True, True, True, True, False]


# ------------------------------------------------------------------------------------------------
# The command

runner = CliRunner()


def run(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, list(args), env=env)


def _yaml_values():
    import yaml

    from gongkai.writers.input import _Loader

    return yaml.load((WRITE / "report.yaml").read_text(encoding="utf-8"), Loader=_Loader)


def _expected_example_tables() -> dict:
    """The example's tables under the format's keys, from the YAML (labels → keys) and the JSON."""
    spec = load_format("2021")
    data = _yaml_values()["tables"]
    label_row = {r.label: k for k, r in spec.tables["proactive"].rows.items()}
    label_col = {c.label: k for k, c in spec.tables["proactive"].columns.items()}
    proactive = {
        k: {c: None for c in r.columns} | {label_col[c]: v for c, v in data["proactive"][r.label].items()}
        for k, r in spec.tables["proactive"].rows.items()
        if r.label in label_row
    }
    requests = json.loads((WRITE / "requests.json").read_text(encoding="utf-8"))
    requests["other_handling"] = dict.fromkeys(spec.tables["requests"].columns)
    return {"proactive": proactive, "requests": requests, "appeals": data["appeals"]}


def _assert_example(path: Path) -> None:
    back = parse_path(path)
    assert back.meta.agency == "云岭县市场监督管理局"
    assert back.meta.year == 2023
    assert back.meta.format == "2021"
    assert str(back.meta.signed_on) == "2024-01-18"
    assert back.to_dict()["tables"] == _expected_example_tables()
    yaml_sections = _yaml_values()["sections"]
    want = {s.key: yaml_sections.get(s.title.split("、", 1)[1], "") for s in section_specs()}
    assert {k: normal_text(s.text) for k, s in back.sections.items()} == {k: normal_text(v) for k, v in want.items()}
    assert [s.title for s in back.sections.values()] == [s.title for s in section_specs()]


@pytest.mark.parametrize("fmt", FORMATS)
def test_write_the_yaml_example(tmp_path, fmt):
    out = tmp_path / f"report.{fmt}"
    result = run(
        "write", str(WRITE / "report.yaml"), "--requests", str(WRITE / "requests.json"), "-f", fmt, "-o", str(out)
    )
    assert result.exit_code == 0, result.output
    assert f"已写入 {out}" in result.output
    assert "0 个错误" in result.output  # the findings of the check on the written file are printed
    _assert_example(out)
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left


def test_markdown_source_gives_the_same_report_as_the_yaml(tmp_path):
    from_yaml, from_md = tmp_path / "a.md", tmp_path / "b.md"
    common = ["--requests", str(WRITE / "requests.json")]
    assert run("write", str(WRITE / "report.yaml"), *common, "-o", str(from_yaml)).exit_code == 0
    result = run("write", str(WRITE / "report.markdown"), *common, "-o", str(from_md))
    assert result.exit_code == 0, result.output
    _assert_example(from_md)
    assert from_md.read_bytes() == from_yaml.read_bytes()


def test_written_markdown_is_itself_a_source(tmp_path):
    """What --format md writes reads back as a Markdown source (table 三 included)."""
    first = tmp_path / "first.md"
    common = ["--requests", str(WRITE / "requests.json")]
    assert run("write", str(WRITE / "report.yaml"), *common, "-o", str(first)).exit_code == 0
    second = tmp_path / "second.docx"
    result = run("write", str(first), "-o", str(second))
    assert result.exit_code == 0, result.output
    _assert_example(second)


def test_default_name_is_the_report_title(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("write", str(WRITE / "report.yaml"), "--requests", str(WRITE / "requests.json"), "-f", "docx")
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["云岭县市场监督管理局2023年政府信息公开工作年度报告.docx"]


def test_format_from_the_output_suffix(tmp_path):
    out = tmp_path / "r.htm"
    result = run("write", str(WRITE / "report.yaml"), "--requests", str(WRITE / "requests.json"), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert parse_path(out).source.kind == "html"


def test_exact_money_from_yaml(tmp_path):
    text = (WRITE / "report.yaml").read_text(encoding="utf-8")
    text = text.replace("行政事业性收费: {本年收费金额（单位：万元）: 0}", "fees: {amount: 4166.241619}")
    src = tmp_path / "r.yaml"
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "r.docx"
    result = run("write", str(src), "--requests", str(WRITE / "requests.json"), "-o", str(out))
    assert result.exit_code == 0, result.output
    amount = parse_path(out).tables["proactive"].value("fees", "amount")
    assert amount == Decimal("4166.241619") and isinstance(amount, Decimal)


# The 2019 format for a report year before 2021

YAML_2020 = """\
agency: 云岭县市场监督管理局
year: 2020
signed_on: 2021-01-20
sections:
  overview: 2020年，本局认真贯彻落实《中华人民共和国政府信息公开条例》。
  problems: 政策解读形式较为单一。
  other: 无。
tables:
  proactive:
    rules: {made: 0, published: 0, total_published: 0}
    normative_documents: {made: 1, published: 1, total_published: 8}
    licensing: {previous: 12, change: -2, decisions: 903}
    other_services: {previous: 3, change: 0, decisions: 41}
    penalties: {previous: 25, change: 1, decisions: 64}
    coercion: {previous: 4, change: 0, decisions: 7}
    fees: {previous: 1, change: -1}
    procurement: {projects: 2, amount: 36.85}
  appeals:
    review: {upheld: 0, corrected: 0, other: 0, pending: 0, total: 0}
    litigation_direct: {upheld: 0, corrected: 0, other: 0, pending: 0, total: 0}
    litigation_after_review: {upheld: 0, corrected: 0, other: 0, pending: 0, total: 0}
"""


def _requests_2019() -> dict:
    spec = load_format("2019").tables["requests"]
    rows = {k: dict.fromkeys(spec.columns, 0) for k in spec.rows}
    for k in ("new", "granted", "total"):
        rows[k].update(natural_person=2, total=2)
    return rows


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_2020_report_is_written_in_the_2019_format(tmp_path, fmt):
    src = tmp_path / "r2020.yaml"
    src.write_text(YAML_2020, encoding="utf-8")
    req = tmp_path / "req.json"
    req.write_text(json.dumps(_requests_2019()), encoding="utf-8")
    out = tmp_path / f"r2020.{fmt}"
    result = run("write", str(src), "--requests", str(req), "-o", str(out))
    assert result.exit_code == 0, result.output
    back = parse_path(out)
    assert back.meta.format == "2019" and back.meta.format_evidence == "table_headers"
    assert back.meta.year == 2020
    tables = back.to_dict()["tables"]
    import yaml

    from gongkai.writers.input import _Loader

    data = yaml.load(YAML_2020, Loader=_Loader)["tables"]
    assert tables["proactive"] == data["proactive"]
    assert tables["appeals"] == data["appeals"]
    assert tables["requests"] == _requests_2019()
    assert "other_no_correction" not in tables["requests"]
    assert "F007" not in result.output
    text = out.read_bytes()
    if fmt != "docx":
        assert "本年新制作数量".encode() in text and "本年制发件数".encode() not in text


def test_2021_keys_in_a_2020_report_are_refused(tmp_path):
    src = tmp_path / "r.yaml"
    src.write_text(YAML_2020.replace("rules: {made: 0, published: 0, total_published: 0}", "rules: {issued: 0}"))
    req = tmp_path / "req.json"
    req.write_text(json.dumps(_requests_2019()), encoding="utf-8")
    result = run("write", str(src), "--requests", str(req), "-f", "md", "-o", str(tmp_path / "x.md"))
    assert result.exit_code == 2
    assert "没有“issued”这一列" in result.output
    assert "made, published, total_published" in result.output
    assert not (tmp_path / "x.md").exists()


# Refusal and --force


def _unbalanced(tmp_path: Path) -> Path:
    requests = json.loads((WRITE / "requests.json").read_text(encoding="utf-8"))
    requests["new"]["natural_person"] = 15  # 一+二 ≠ 三(七)+四, and the row's 总计 no longer adds up
    path = tmp_path / "unbalanced.json"
    path.write_text(json.dumps(requests, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_report_with_error_findings_is_not_written(tmp_path):
    out = tmp_path / "r.docx"
    result = run("write", str(WRITE / "report.yaml"), "--requests", str(_unbalanced(tmp_path)), "-o", str(out))
    assert result.exit_code == 1
    assert "B001" in result.output and "B002" in result.output
    assert "未写入：审核发现 2 个错误" in result.output and "--force" in result.output
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["unbalanced.json"]  # no temporary file


def test_a_refused_report_leaves_an_existing_file_alone(tmp_path):
    out = tmp_path / "r.docx"
    out.write_bytes(b"the old file")
    result = run("write", str(WRITE / "report.yaml"), "--requests", str(_unbalanced(tmp_path)), "-o", str(out))
    assert result.exit_code == 1
    assert out.read_bytes() == b"the old file"


def test_force_writes_it_anyway(tmp_path):
    out = tmp_path / "r.md"
    args = ["write", str(WRITE / "report.yaml"), "--requests", str(_unbalanced(tmp_path)), "-o", str(out), "--force"]
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert "B001" in result.output
    assert "--force：有 2 个错误" in result.output
    assert parse_path(out).tables["requests"].value("new", "natural_person") == 15


def test_findings_in_english(tmp_path):
    out = tmp_path / "r.md"
    result = run(
        "--lang", "en", "write", str(WRITE / "report.yaml"), "--requests", str(_unbalanced(tmp_path)), "-o", str(out)
    )
    assert result.exit_code == 1
    assert "Not written: the check found 2 errors" in result.output
    assert "B001 error" in result.output
    assert "未写入" not in result.output


def test_check_config_is_honoured(tmp_path):
    cfg = tmp_path / "gongkai.toml"
    cfg.write_text('ignore = ["B001", "B002"]\n', encoding="utf-8")
    out = tmp_path / "r.md"
    args = ["write", str(WRITE / "report.yaml"), "--requests", str(_unbalanced(tmp_path)), "-o", str(out)]
    result = run(*args, "--config", str(cfg))
    assert result.exit_code == 0, result.output
    assert out.exists()


# Atomic writes


def test_a_failure_before_the_rename_leaves_nothing(tmp_path):
    out = tmp_path / "atomic.docx"
    out.write_bytes(b"previous version")
    args = ["write", str(WRITE / "report.yaml"), "--requests", str(WRITE / "requests.json"), "-o", str(out)]
    from gongkai import faults

    faults.configure("write:raise:atomic.docx")
    try:
        result = run(*args)
    finally:
        faults.configure("")
    assert result.exit_code == 2
    assert "写出时出现程序错误（InjectedFault" in result.output and "未写入" in result.output
    assert out.read_bytes() == b"previous version"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["atomic.docx"]  # the temporary file is gone


def test_a_process_killed_while_writing_never_leaves_a_half_file(tmp_path):
    out = tmp_path / "killed.docx"
    env = {**os.environ, "GONGKAI_FAULTS": "write:crash:killed.docx"}
    cmd = [sys.executable, "-m", "gongkai", "write", str(WRITE / "report.yaml"), "--requests"]
    proc = subprocess.run(
        [*cmd, str(WRITE / "requests.json"), "-o", str(out)], env=env, capture_output=True, timeout=120, check=False
    )
    assert proc.returncode != 0
    assert not out.exists()
    # What the killed process left is a hidden temporary file, whole and readable, never the destination
    (left,) = list(tmp_path.iterdir())
    assert left.name.startswith(".killed.docx.") and left.name.endswith(".tmp")
    _assert_example(left)


# Several reports


def test_json_lines_write_one_file_each_into_a_folder(tmp_path):
    lines = [jsonout.dumps(_parsed(p).to_dict()) for p in EXAMPLES[:3]]
    data = tmp_path / "parsed.jsonl"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run("write", str(data), "-f", "html", "-o", str(out), "--force")  # real reports have errors
    assert result.exit_code == 0, result.output
    written = sorted(out.iterdir())
    assert len(written) == 3
    for path in written:
        back = parse_path(path)
        original = next(_parsed(p) for p in EXAMPLES[:3] if _parsed(p).meta.agency == back.meta.agency)
        assert path.name.endswith(".html") and original.meta.agency in path.name
        assert table_differences(original, back) == []


def test_several_reports_need_a_folder(tmp_path):
    lines = [jsonout.dumps(_parsed(p).to_dict()) for p in EXAMPLES[:2]]
    data = tmp_path / "parsed.jsonl"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("write", str(data), "-f", "md")
    assert result.exit_code == 2
    assert "有多份报告：请用 --output 给出存放它们的文件夹" in result.output


def test_a_bad_json_line_is_named_and_the_others_are_written(tmp_path):
    good = jsonout.dumps(_parsed(EXAMPLES[1]).to_dict())
    error = json.dumps(
        {"source": {"path": "b.pdf"}, "error": {"code": "scanned", "message": "扫描件", "message_en": "scan"}}
    )
    data = tmp_path / "parsed.jsonl"
    data.write_text(f"{good}\n{{not json\n{error}\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run("write", str(data), "-f", "md", "-o", str(out))
    assert result.exit_code == 2
    assert f"{data}:2：不是有效的 JSON" in result.output
    assert f"{data}:3：这是一个未能解析的文件（b.pdf）的错误记录" in result.output
    assert len(list(out.iterdir())) == 1


# Bad input


def _write_yaml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("agency: 云岭县市场监督管理局\n", ""), "缺少 agency"),
        (("signed_on: 2024-01-18", "signed_on: 下周一"), "signed_on 应为日期"),
        (("year: 2023", "year: 二〇二三"), "year 应为报告年度"),
        (("  总体情况: |", "  总体状况说明: |"), "不认识的章节“总体状况说明”"),
        (("    行政许可: {本年处理决定数量: 1386}", "    行政审批: {本年处理决定数量: 1386}"), "没有“行政审批”这一行"),
        (("    行政处罚: {本年处理决定数量: 97}", "    行政处罚: {本年处理决定数量: 九十七}"), "“九十七”不是数字"),
        (("    行政强制: {本年处理决定数量: 12}", "    行政强制: {本年处理决定数量: true}"), "应为数字，不是 True"),
        (("tables:", "tabels:"), "不认识的键“tabels”"),
        (("  appeals:", "  appeal:"), "没有“appeal”这一统计表"),
        (("year: 2023", "year: [2023"), "YAML 格式有误"),
    ],
)
def test_bad_yaml_is_named(tmp_path, change, message):
    text = (WRITE / "report.yaml").read_text(encoding="utf-8")
    assert change[0] in text
    src = _write_yaml(tmp_path, text.replace(change[0], change[1], 1))
    out = tmp_path / "x.docx"
    result = run("write", str(src), "--requests", str(WRITE / "requests.json"), "-o", str(out))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert str(src) in result.output
    assert not out.exists()


def test_bad_yaml_in_english(tmp_path):
    text = (WRITE / "report.yaml").read_text(encoding="utf-8").replace("    行政许可:", "    行政审批:")
    src = _write_yaml(tmp_path, text)
    result = run("--lang", "en", "write", str(src), "--requests", str(WRITE / "requests.json"), "-f", "md")
    assert result.exit_code == 2
    assert "has no row '行政审批'" in result.output


@pytest.mark.parametrize(
    ("requests", "message"),
    [
        ('{"new": {"natural_persons": 1}}', "没有“natural_persons”这一列"),
        ('{"newly": {"natural_person": 1}}', "没有“newly”这一行"),
        ('{"new": {"natural_person": "1O"}}', "“1O”不是数字"),
        ('{"new": {"natural_person": 1}', "不是有效的 JSON"),
        ("[]", "应只有一个表三对象，这里有 0 个"),
    ],
)
def test_bad_requests_json_is_named(tmp_path, requests, message):
    req = tmp_path / "req.json"
    req.write_text(requests, encoding="utf-8")
    result = run("write", str(WRITE / "report.yaml"), "--requests", str(req), "-f", "md", "-o", str(tmp_path / "x.md"))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not (tmp_path / "x.md").exists()


def test_usage_errors(tmp_path):
    yaml_src = str(WRITE / "report.yaml")
    req = str(WRITE / "requests.json")
    result = run("write", yaml_src, "-f", "md", "-o", str(tmp_path / "x.md"))
    assert result.exit_code == 2 and "缺少表三" in result.output and "--requests" in result.output
    result = run("write", yaml_src, "--requests", req, "-o", str(tmp_path / "x.pdf"))
    assert result.exit_code == 2 and "请用 --format 指定输出格式" in result.output
    result = run("write", str(tmp_path / "missing.yaml"), "-f", "md")
    assert result.exit_code == 2 and "路径不存在" in result.output
    parsed = tmp_path / "p.json"
    parsed.write_text(jsonout.dumps(_parsed(EXAMPLES[1]).to_dict()), encoding="utf-8")
    result = run("write", str(parsed), "--requests", req, "-f", "md", "-o", str(tmp_path / "y.md"))
    assert result.exit_code == 2 and "--requests 只用于 YAML 或 Markdown 数据" in result.output
    src = tmp_path / "same.md"
    src.write_bytes((WRITE / "report.markdown").read_bytes())
    result = run("write", str(src), "--requests", req, "-o", str(src))
    assert result.exit_code == 2 and "就是输入文件，不会覆盖它" in result.output
    gbk = tmp_path / "gbk.yaml"
    gbk.write_bytes((WRITE / "report.yaml").read_text(encoding="utf-8").encode("gbk"))
    result = run("write", str(gbk), "--requests", req, "-f", "md", "-o", str(tmp_path / "z.md"))
    assert result.exit_code == 2 and "不是 UTF-8 编码" in result.output
    assert not any(p.suffix == ".md" and p.name != "same.md" for p in tmp_path.iterdir())


def test_markdown_source_with_digits_run_together_is_refused(tmp_path):
    text = (WRITE / "report.markdown").read_text(encoding="utf-8")
    text = text.replace("| 行政规范性文件 | 2 | 1 | 9 |", "| 行政规范性文件 | 219 |  |  |")
    src = tmp_path / "r.markdown"
    src.write_text(text, encoding="utf-8")
    result = run(
        "write", str(src), "--requests", str(WRITE / "requests.json"), "-f", "md", "-o", str(tmp_path / "x.md")
    )
    assert result.exit_code == 2, result.output
    assert "读不出确定的数字" in result.output
    assert "normative_documents" in result.output


def test_markdown_source_without_date_is_refused(tmp_path):
    text = (WRITE / "report.markdown").read_text(encoding="utf-8")
    text = text.replace("signed_on: 2024-01-18\n", "").replace("\n2024年1月18日\n", "\n")
    src = tmp_path / "r.markdown"
    src.write_text(text, encoding="utf-8")
    result = run(
        "write", str(src), "--requests", str(WRITE / "requests.json"), "-f", "md", "-o", str(tmp_path / "x.md")
    )
    assert result.exit_code == 2, result.output
    assert "找不到 signed_on" in result.output


def test_table_three_from_gongkai_ledger(tmp_path):
    """The JSON of ``gongkai ledger --format json`` is a --requests file: its table 三 is written."""
    from ledger_rows import csv_bytes

    rows = [
        {"id": "A1", "received": "2023-03-01", "channel": "网络", "applicant": "自然人", "replied": "2023-03-10",
         "outcome": "（一）予以公开"},
        {"id": "A2", "received": "2023-05-08", "channel": "信函", "applicant": "商业企业", "replied": "2023-05-22",
         "outcome": "1.本机关不掌握相关政府信息"},
        {"id": "A3", "received": "2023-12-20", "channel": "网络", "applicant": "自然人"},
    ]  # fmt: skip
    ledger = tmp_path / "台账.csv"
    ledger.write_bytes(csv_bytes(rows))
    result = run("ledger", str(ledger), "--year", "2023", "--carried-over", "0", "-f", "json")
    assert result.exit_code == 0, result.output
    ledger_json = tmp_path / "ledger.json"
    ledger_json.write_text(result.stdout, encoding="utf-8")
    table = json.loads(result.stdout)["tables"]["requests"]
    out = tmp_path / "r.docx"
    result = run("write", str(WRITE / "report.yaml"), "--requests", str(ledger_json), "-o", str(out))
    assert result.exit_code == 0, result.output
    back = parse_path(out).to_dict()["tables"]["requests"]
    assert back == table
    assert back["new"] == {"natural_person": 2, "commercial": 1, "research": 0, "nonprofit": 0,
                           "legal_services": 0, "other_org": 0, "total": 3}  # fmt: skip
    assert back["carried_forward"]["natural_person"] == 1
    # A ledger of another year is refused
    other = json.loads(ledger_json.read_text(encoding="utf-8"))
    other["meta"]["year"] = 2022
    ledger_json.write_text(json.dumps(other, ensure_ascii=False), encoding="utf-8")
    result = run("write", str(WRITE / "report.yaml"), "--requests", str(ledger_json), "-o", str(tmp_path / "x.md"))
    assert result.exit_code == 2
    assert "表三是 2022 年度的，报告是 2023 年度的" in result.output


def test_yaml_names_rows_tables_and_sections_by_key_label_or_title():
    from gongkai.writers.input import report_from_yaml_text

    text = (WRITE / "report.yaml").read_text(encoding="utf-8")
    by_key = report_from_yaml_text(text, "a.yaml")
    renamed = (
        text.replace("  proactive:", "  表二:")
        .replace("  appeals:", "  表四:")
        .replace("    review:", "    行政复议:")
        .replace("    litigation_direct:", "    未经复议直接起诉:")
        .replace("    litigation_after_review:", "    复议后起诉:")
        .replace("  总体情况:", "  一、总体情况:")
        .replace("  存在的主要问题及改进情况:", "  problems:")
    )
    by_label = report_from_yaml_text(renamed, "b.yaml")
    for key in ("proactive", "appeals"):
        assert by_label.tables[key].to_values() == by_key.tables[key].to_values()
    assert {k: s.text for k, s in by_label.sections.items()} == {k: s.text for k, s in by_key.sections.items()}
    assert list(by_key.sections) == ["overview", "problems", "other"]
    assert not by_key.tables["requests"].found
