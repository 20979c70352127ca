from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from gongkai.views.cli import EXIT_USAGE_OR_IO, app

runner = CliRunner()


def test_parse_json_lines_one_object_per_file(seed_paths):
    folder = next(iter(seed_paths.values())).parent
    result = runner.invoke(app, ["parse", str(folder), "--format", "json"])
    assert result.exit_code == 0, result.output
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["source"]["path"].rsplit("/", 1)[1][:3] for o in objects] == ["000", "001", "002", "003", "004"]
    for obj in objects:
        assert set(obj) >= {"source", "meta", "sections", "tables"}
        assert len(obj["source"]["sha256"]) == 64
        assert set(obj["tables"]) == {"proactive", "requests", "appeals"}


def test_parse_summary_for_a_person(seed_paths):
    result = runner.invoke(app, ["parse", str(seed_paths["003"])])
    assert result.exit_code == 0
    assert "临河区医疗保障局" in result.stdout
    assert "150802" in result.stdout
    assert "2024-01-19" in result.stdout


def test_bad_files_named_and_batch_goes_on(tmp_path, seed_paths):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 20)
    (tmp_path / "notice.txt").write_text("关于召开会议的通知\n请各单位准时参加。\n", encoding="utf-8")
    (tmp_path / "report.txt").write_bytes(seed_paths["003"].read_bytes())
    result = runner.invoke(app, ["parse", str(tmp_path), "--format", "json"])
    assert result.exit_code == EXIT_USAGE_OR_IO
    parsed = [json.loads(line) for line in result.stdout.splitlines()]
    # One object per file, in order: the report, and each refused file with its reason.
    by_name = {Path(p["source"]["path"]).name: p for p in parsed}
    assert sorted(by_name) == ["binary.txt", "empty.txt", "notice.txt", "report.txt"]
    assert by_name["report.txt"]["meta"]["agency"] == "临河区医疗保障局"
    assert {n: p["error"]["code"] for n, p in by_name.items() if "error" in p} == {
        "binary.txt": "binary",
        "empty.txt": "empty",
        "notice.txt": "not_a_report",
    }
    assert all(p["error"]["message"] and p["error"]["message_en"] for p in parsed if "error" in p)
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 3
    assert any("binary.txt" in e and "(binary)" in e for e in errors)
    assert any("empty.txt" in e and "文件为空" in e for e in errors)
    assert any("notice.txt" in e and "(not_a_report)" in e for e in errors)
    assert "Traceback" not in result.output


def test_english_messages(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    result = runner.invoke(app, ["--lang", "en", "parse", str(tmp_path / "empty.txt")])
    assert result.exit_code == EXIT_USAGE_OR_IO
    assert "The file is empty" in result.stderr


def test_missing_path_is_a_usage_error(tmp_path):
    result = runner.invoke(app, ["parse", str(tmp_path / "nope.txt")])
    assert result.exit_code == EXIT_USAGE_OR_IO
    assert "nope.txt" in result.stderr


def test_installed_command_runs(seed_paths):
    exe = os.path.join(os.path.dirname(sys.executable), "gongkai")
    proc = subprocess.run(
        [exe, "parse", str(seed_paths["002"]), "-f", "json"], capture_output=True, text=True, check=True
    )
    obj = json.loads(proc.stdout)
    assert obj["tables"]["proactive"]["procurement"]["amount"] == 36609
