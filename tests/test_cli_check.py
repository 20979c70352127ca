"""``gongkai check`` and ``gongkai rules``: output, languages, settings, exit status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gongkai.rules import all_rules
from gongkai.views.cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE_OR_IO, app

runner = CliRunner()


@pytest.fixture(autouse=True)
def no_config_around(tmp_path: Path, monkeypatch):
    """Run from an empty folder so that no settings file is found by accident."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def check(*args: str):
    return runner.invoke(app, ["check", *args])


def test_exit_1_with_an_error_finding(seed_paths):
    result = check(str(seed_paths["002"]))
    assert result.exit_code == EXIT_FINDINGS, result.output
    assert "T001" in result.stdout and "2022-01-17" in result.stdout


def test_exit_0_without_error_findings(seed_paths):
    result = check(str(seed_paths["000"]))  # F008 only: info
    assert result.exit_code == EXIT_OK, result.output
    assert "F008" in result.stdout


def test_ignoring_the_errors_gives_exit_0(seed_paths):
    assert check(str(seed_paths["002"]), "--ignore", "T001").exit_code == EXIT_OK
    assert check(str(seed_paths["002"]), "--select", "F").exit_code == EXIT_OK
    assert check(str(seed_paths["002"]), "--select", "F", "--extend-select", "T001").exit_code == EXIT_FINDINGS


def test_json_lines_one_object_per_file(seed_paths):
    folder = seed_paths["000"].parent
    result = check(str(folder), "--format", "json")
    assert result.exit_code == EXIT_FINDINGS
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert [Path(o["source"]["path"]).name[:3] for o in objects] == ["000", "001", "002", "003", "004"]
    by_seed = {Path(o["source"]["path"]).name[:3]: o for o in objects}
    assert {f["code"] for f in by_seed["001"]["findings"]} == {"F004", "T004"}
    t001 = next(f for f in by_seed["002"]["findings"] if f["code"] == "T001")
    assert t001["severity"] == "error" and t001["line"] == 2
    assert t001["figures"]["published_on"] == "2022-01-17"
    assert set(t001) >= {"code", "severity", "message", "message_en", "section", "table", "row", "column", "line"}
    assert by_seed["002"]["counts"] == {
        "error": 1,
        "warning": 1,
        "info": 0,
    }  # T001, and one F012 listing both blank cells
    assert len(by_seed["002"]["source"]["sha256"]) == 64


def test_text_output_groups_by_file_with_place_message_figures(seed_paths):
    result = check(str(seed_paths["003"]), str(seed_paths["002"]))
    out = result.stdout
    assert out.index("003_") < out.index("F005") < out.index("002_") < out.index("T001")
    assert "表三「5.属于三类内部事务信息」 第40行" in out
    assert "只有 6 个数值" in out
    assert "数值=6  格式列数=7" in out  # figures, by their Chinese names
    assert "共检查 2 份报告" in out


def test_clean_files_are_listed_only_with_verbose(seed_paths):
    seed = str(seed_paths["000"])
    quiet = check(seed, "--select", "T")
    assert quiet.exit_code == EXIT_OK
    assert "000_" not in quiet.stdout and "未发现问题" not in quiet.stdout.split("共检查")[0]
    assert "共检查 1 份报告" in quiet.stdout and "1 份未发现问题" in quiet.stdout
    for flag in ("--verbose", "-v"):
        loud = check(seed, "--select", "T", flag)
        assert "000_" in loud.stdout and "✓ 未发现问题" in loud.stdout


def test_summary_counts_files_severities_and_codes(seed_paths):
    folder = seed_paths["000"].parent
    result = check(str(folder))
    out = result.stdout
    summary = out[out.index("共检查 5 份报告") :]
    assert "份有错误" in summary and "份未发现问题" in summary
    assert "审核发现" in summary and "个错误" in summary
    assert "按规则：" in summary and "最多的规则：" in summary
    data = [json.loads(line) for line in check(str(folder), "--format", "json").stdout.splitlines()]
    t001 = sum(1 for o in data for f in o["findings"] if f["code"] == "T001")
    line = next(x for x in summary.splitlines() if " T001 " in x)
    assert line.split()[0] == str(t001) and "年度报告未按期公布" in line
    english = runner.invoke(app, ["--lang", "en", "check", str(folder)]).stdout
    assert "Checked 5 reports" in english and "By rule:" in english and "Found most:" in english


def test_a_rule_found_more_than_once_in_a_file_is_one_heading(seed_paths):
    out = check(str(seed_paths["003"])).stdout
    headings = [line for line in out.splitlines() if line.startswith("  F015 ")]
    assert len(headings) == 1 and "处）" in headings[0]
    assert out.count("· 表三") >= 2  # its places, listed under it


def test_statistics_counts_per_code_only(seed_paths):
    folder = str(seed_paths["000"].parent)
    data = [json.loads(line) for line in check(folder, "--format", "json").stdout.splitlines()]
    counts: dict[str, int] = {}
    for o in data:
        for f in o["findings"]:
            counts[f["code"]] = counts.get(f["code"], 0) + 1
    result = check(folder, "--statistics")
    assert result.exit_code == EXIT_FINDINGS  # exit status unchanged
    assert "000_" not in result.stdout and "·" not in result.stdout
    rows = [line.split() for line in result.stdout.splitlines()[:-1]]
    assert {r[1]: int(r[0]) for r in rows} == counts
    assert [int(r[0]) for r in rows] == sorted(counts.values(), reverse=True)
    stats = json.loads(check(folder, "--statistics", "--format", "json").stdout)
    assert {s["code"]: s["count"] for s in stats} == counts
    assert all({"code", "name", "severity", "count", "files"} <= set(s) for s in stats)


def test_figures_are_named_by_the_format_in_chinese(tmp_path: Path):
    fixture = Path(__file__).parent / "rules" / "fixtures" / "B001_1.txt"
    out = check(str(fixture)).stdout
    # B001 sums down a column: its figures are rows, and the two sides in the format's short form
    assert "一、本年新收政府信息公开申请数量=9" in out and "（七）总计=5" in out and "一+二=10" in out
    english = runner.invoke(app, ["--lang", "en", "check", str(fixture)]).stdout
    assert "new=9" in english and "new + carried_over=10" in english
    b004 = check(str(fixture.with_name("B004_1.txt"))).stdout
    assert "总计=1  结果维持=2" in b004  # B004 sums along a row: its figures are columns


def test_english_messages(seed_paths):
    result = runner.invoke(app, ["--lang", "en", "check", str(seed_paths["003"])])
    assert "has only 6 values" in result.stdout
    assert "line 40" in result.stdout
    assert "只有" not in result.stdout


def test_unreadable_file_exit_2_and_batch_goes_on(tmp_path: Path, seed_paths):
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a_empty.txt").write_bytes(b"")
    (folder / "b_report.txt").write_bytes(seed_paths["002"].read_bytes())
    result = check(str(folder), "--format", "json")
    assert result.exit_code == EXIT_USAGE_OR_IO
    assert "a_empty.txt" in result.stderr
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    # Every file answers in the stream, the unreadable one with its reason instead of findings.
    assert [Path(o["source"]["path"]).name for o in objects] == ["a_empty.txt", "b_report.txt"]
    assert objects[0]["error"]["code"] == "empty" and objects[0]["error"]["message"]
    assert objects[0]["error"]["message_en"] and "findings" not in objects[0]
    assert "error" not in objects[1] and objects[1]["findings"]


def test_missing_path_exit_2(tmp_path: Path):
    assert check(str(tmp_path / "nope.txt")).exit_code == EXIT_USAGE_OR_IO


def test_unknown_selector_is_a_usage_error(seed_paths):
    result = check(str(seed_paths["000"]), "--select", "B001,Q9")
    assert result.exit_code == EXIT_USAGE_OR_IO
    assert "--select" in result.stderr and "Q9" in result.stderr


def test_settings_file_found_upward_and_errors_name_it(no_config_around: Path, seed_paths):
    (no_config_around.parent / "gongkai.toml").write_text('ignore = ["T001"]\n', encoding="utf-8")
    assert check(str(seed_paths["002"])).exit_code == EXIT_OK
    # the command line beats the file
    assert check(str(seed_paths["002"]), "--extend-select", "T001").exit_code == EXIT_FINDINGS
    (no_config_around.parent / "gongkai.toml").write_text('ignroe = ["T001"]\n', encoding="utf-8")
    result = check(str(seed_paths["002"]))
    assert result.exit_code == EXIT_USAGE_OR_IO
    assert "ignroe" in result.stderr and "gongkai.toml" in result.stderr


def test_config_option_names_a_file(tmp_path: Path, seed_paths):
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.gongkai.severity]\nT001 = "warning"\n', encoding="utf-8")
    result = check(str(seed_paths["002"]), "--config", str(path), "--format", "json")
    assert result.exit_code == EXIT_OK
    finding = next(f for f in json.loads(result.stdout)["findings"] if f["code"] == "T001")
    assert finding["severity"] == "warning"
    assert check(str(seed_paths["002"]), "--config", str(tmp_path / "absent.toml")).exit_code == EXIT_USAGE_OR_IO


def test_rules_lists_every_rule():
    result = runner.invoke(app, ["rules"])
    assert result.exit_code == 0
    for rule in all_rules():
        assert rule.code in result.stdout and rule.name in result.stdout
    data = json.loads(runner.invoke(app, ["rules", "--format", "json"]).stdout)
    assert [r["code"] for r in data] == [r.code for r in all_rules()]
    assert all({"code", "severity", "title", "title_en", "summary"} <= set(r) for r in data)


def test_rules_explains_one_with_an_example_in_chinese_then_english():
    result = runner.invoke(app, ["rules", "B001"])
    assert result.exit_code == 0
    assert "requests-column-balance" in result.stdout
    assert "示例" in result.stdout and "为什么是问题" in result.stdout and "说明" in result.stdout
    assert "Why is this bad?" not in result.stdout
    english = runner.invoke(app, ["--lang", "en", "rules", "B001"])
    assert "Example" in english.stdout and "Why is this bad?" in english.stdout and "为什么是问题" not in english.stdout
    data = json.loads(runner.invoke(app, ["rules", "late-publication", "--format", "json"]).stdout)
    assert data["code"] == "T001" and data["options"][0]["name"] == "grace-days"
    assert data["explanation_zh"].startswith("## 说明") and "## What it does" in data["explanation"]


def test_rules_explains_a_code_of_the_ledger():
    result = runner.invoke(app, ["rules", "L001"])
    assert result.exit_code == 0
    assert "missing-field" in result.stdout and "为什么是问题" in result.stdout and "gongkai ledger" in result.stdout
    english = runner.invoke(app, ["--lang", "en", "rules", "missing-field"])
    assert "Why is this bad?" in english.stdout
    data = json.loads(runner.invoke(app, ["rules", "L014", "--format", "json"]).stdout)
    assert data["code"] == "L014" and data["command"] == "ledger" and data["explanation_zh"]


def test_rules_unknown_code_exit_2():
    result = runner.invoke(app, ["rules", "X999"])
    assert result.exit_code == EXIT_USAGE_OR_IO
    assert "X999" in result.stderr
