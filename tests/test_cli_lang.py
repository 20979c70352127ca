"""The command's own words — Typer's help frame, Click's usage errors, the placeholders of the
options — are Chinese by default and English under ``--lang en`` or ``GONGKAI_LANG=en``."""

from __future__ import annotations

import re
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from gongkai.views.cli import EXIT_USAGE_OR_IO, app
from gongkai.views.cli_lang import lang_from_args
from gongkai.views.i18n import METAVARS

runner = CliRunner()
ENGLISH_TYPES = re.compile(r"<(?:list\[\w+\]|int|str|bool|path|Path|float)>")


def invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    return runner.invoke(app, list(args), env=env)


def commands() -> list[str]:
    return sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def test_language_is_decided_before_parsing() -> None:
    assert lang_from_args(["--lang", "en", "check", "x"]) == "en"
    assert lang_from_args(["--lang=en", "check"]) == "en"
    assert lang_from_args(["check", "--lang", "en"]) in ("zh", "en")  # after the command: not the global option


def test_missing_argument_in_chinese_then_english() -> None:
    result = invoke("check")
    assert result.exit_code == EXIT_USAGE_OR_IO
    assert "用法：gongkai check [选项] {报告}..." in result.stderr
    assert "缺少参数 '报告'。" in result.stderr and "错误" in result.stderr
    assert "运行 'gongkai check -h' 查看帮助。" in result.stderr
    assert "Missing" not in result.stderr and "Usage" not in result.stderr
    english = invoke("--lang", "en", "check")
    assert english.exit_code == EXIT_USAGE_OR_IO
    assert "Usage: gongkai check [OPTIONS] {PATHS}..." in english.stderr
    assert "Missing argument 'PATHS'." in english.stderr and "Try 'gongkai check -h' for help." in english.stderr


def test_environment_variable_sets_the_language() -> None:
    result = invoke("check", env={"GONGKAI_LANG": "en"})
    assert "Missing argument" in result.stderr
    # --lang wins over the environment
    assert "缺少参数" in invoke("--lang", "zh", "check", env={"GONGKAI_LANG": "en"}).stderr


@pytest.mark.parametrize(
    ("args", "zh", "en"),
    [
        (["check", "x", "--nope"], "没有选项 --nope", "No such option: --nope"),
        (["chek"], "没有命令 'chek'。是不是要用 'check'", "No such command 'chek'."),
        (["sum", "-r", "湖北省"], "缺少选项 '--year' / '-y'。", "Missing option '--year' / '-y'."),
        (["sum", "-r", "湖北省", "-y", "abc"], "'--year' / '-y' 的值无效：应为整数。", "Invalid value for '--year'"),
        (["check", "x", "-f", "yaml"], "'yaml' 不在可选的值（'text', 'json'）之中", "'yaml' is not one of"),
        (["check", "x", "--select"], "选项 '--select' 后面要给一个值。", "Option '--select' requires an argument."),
        (["rules", "B001", "B002"], "多余的参数：B002", "Got unexpected extra argument"),
    ],
)
def test_usage_errors(args: list[str], zh: str, en: str) -> None:
    result = invoke(*args)
    assert result.exit_code == EXIT_USAGE_OR_IO
    assert zh in result.stderr
    english = invoke("--lang", "en", *args)
    assert english.exit_code == EXIT_USAGE_OR_IO
    assert en in english.stderr


def test_help_frame_in_chinese_and_english() -> None:
    zh = invoke("check", "-h").stdout
    assert "用法：gongkai check [选项]" in zh
    for word in ("参数", "选项", "[默认：text]", "[必需]", "显示帮助后退出。"):
        assert word in zh
    assert "--select" in zh and "规则" in zh
    en = invoke("--lang", "en", "check", "-h").stdout
    assert "Usage: gongkai check [OPTIONS]" in en
    for word in ("Arguments", "Options", "[default: text]", "[required]", "Show this message and exit.", "CODES"):
        assert word in en
    root = invoke("-h").stdout
    assert "用法：gongkai [选项] 命令 [参数]..." in root and "命令" in root


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("command", commands())
def test_every_option_has_a_placeholder(command: str, lang: str) -> None:
    """No Typer type names (<list[str]>, <int>, <path>, <bool>) in any command's help."""
    result = invoke("--lang", lang, command, "-h")
    assert result.exit_code == 0, result.output
    assert ENGLISH_TYPES.findall(result.stdout) == [], result.stdout


def test_placeholders_have_both_languages() -> None:
    assert METAVARS["规则"] == "CODES" and METAVARS["报告"] == "PATHS"
    assert all(zh and en for zh, en in METAVARS.items())


def test_the_language_does_not_leak_between_runs() -> None:
    assert "Missing" in invoke("--lang", "en", "check").stderr
    assert "缺少参数" in invoke("check").stderr
    assert "[默认：" in invoke("check", "-h").stdout
