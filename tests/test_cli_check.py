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
    assert "values=6" in out  # figures
    assert "共检查 2 份报告" in out


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


def test_rules_explains_one_with_an_example():
    result = runner.invoke(app, ["rules", "B001"])
    assert result.exit_code == 0
    assert "requests-column-balance" in result.stdout
    assert "Example" in result.stdout and "Why is this bad?" in result.stdout
    data = json.loads(runner.invoke(app, ["rules", "late-publication", "--format", "json"]).stdout)
    assert data["code"] == "T001" and data["options"][0]["name"] == "grace-days"


def test_rules_unknown_code_exit_2():
    result = runner.invoke(app, ["rules", "X999"])
    assert result.exit_code == EXIT_USAGE_OR_IO
    assert "X999" in result.stderr
