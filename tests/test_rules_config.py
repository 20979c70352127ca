"""Selection and settings, ruff's way: select / extend-select / ignore by code, prefix or ALL,
the most specific selector wins, ignore breaks ties, the command line beats the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from gongkai.rules import CheckConfig, ConfigError, all_rules, check_report, load_config
from gongkai.rules.config import config_from_mapping, find_config_file

ALL_CODES = [r.code for r in all_rules()]


def enabled(config: CheckConfig) -> set[str]:
    return {code for code in ALL_CODES if config.enabled(code)}


def test_default_is_all():
    assert enabled(CheckConfig()) == set(ALL_CODES)


@pytest.mark.parametrize(
    ("select", "ignore", "on", "off"),
    [
        (["B"], [], {"B001", "B007"}, {"F001", "T001"}),
        (["B00"], [], {"B001", "B007"}, {"F001"}),
        (["ALL"], ["B"], {"F001", "T001"}, {"B001"}),
        (["B"], ["B001"], {"B002"}, {"B001"}),  # more specific ignore wins
        (["B001"], ["B"], {"B001"}, {"B002"}),  # more specific select wins
        (["B"], ["B"], set(), {"B001"}),  # a tie: ignore wins
        (["ALL"], ["ALL"], set(), {"F001"}),
        (["F00", "T"], ["F0"], {"F001", "T002"}, {"F010"}),
    ],
)
def test_selection_semantics(select, ignore, on, off):
    got = enabled(config_from_mapping({"select": select, "ignore": ignore}, "test.toml"))
    assert on <= got
    assert not off & got


def test_extend_select_adds_to_select():
    config = config_from_mapping({"select": ["F"], "extend-select": ["T001"]}, "t.toml")
    assert enabled(config) == {c for c in ALL_CODES if c.startswith("F")} | {"T001"}


def test_cli_beats_file():
    file = config_from_mapping({"select": ["B", "F"], "ignore": ["B001"]}, "t.toml")
    # --select replaces the file's selection; a command-line selector decides for what it matches
    assert enabled(file.with_cli(select=["B001"])) == {"B001"}
    # --extend-select adds to the file's selection, and beats the file's ignore
    got = enabled(file.with_cli(extend_select=["B001", "T"]))
    assert "B001" in got and "T001" in got and "F001" in got
    # --ignore subtracts
    assert "F001" not in enabled(file.with_cli(ignore=["F"]))
    # file ignores still apply to what the command line does not mention
    assert "B001" not in enabled(file.with_cli(ignore=["F"]))


def test_cli_selectors_are_comma_separated_and_case_insensitive():
    config = CheckConfig().with_cli(select=["b001,t"], ignore=["t004"])
    assert enabled(config) == {"B001", "T001", "T002", "T003"}


def test_severity_override_most_specific_wins(seed_reports):
    config = config_from_mapping({"severity": {"T": "info", "T001": "warning"}}, "t.toml")
    assert config.severity_for("T001", "error") == "warning"
    assert config.severity_for("T002", "error") == "info"
    assert config.severity_for("B001", "error") == "error"
    t001 = [f for f in check_report(seed_reports["002"], config) if f.code == "T001"]
    assert [f.severity for f in t001] == ["warning"]


def test_options_reach_rules(seed_reports):
    config = config_from_mapping({"options": {"grace-days": 400}}, "t.toml")
    assert not [f for f in check_report(seed_reports["002"], config) if f.code == "T001"]


@pytest.mark.parametrize(
    ("data", "setting"),
    [
        ({"selekt": ["B"]}, "selekt"),
        ({"select": ["Z001"]}, "select"),
        ({"select": ["B9"]}, "select"),
        ({"ignore": ["B0011"]}, "ignore"),
        ({"extend-select": "nonsense"}, "extend-select"),
        ({"select": [1]}, "select"),
        ({"severity": {"B001": "fatal"}}, "severity.B001"),
        ({"severity": {"X1": "error"}}, "severity.X1"),
        ({"options": {"no-such-option": 1}}, "options.no-such-option"),
        ({"options": {"grace-days": "3"}}, "options.grace-days"),
        ({"options": {"grace-days": True}}, "options.grace-days"),
        ({"options": {"required-sections": ["overview", "summary"]}}, "options.required-sections"),
    ],
)
def test_unknown_or_bad_settings_name_setting_and_file(data, setting):
    with pytest.raises(ConfigError) as info:
        config_from_mapping(data, "somewhere/gongkai.toml")
    assert info.value.setting == setting
    assert info.value.source == "somewhere/gongkai.toml"
    assert setting in info.value.message("zh") and "somewhere/gongkai.toml" in info.value.message("en")


def test_cli_unknown_selector():
    with pytest.raises(ConfigError) as info:
        CheckConfig().with_cli(select=["B001,QQQ"])
    assert info.value.setting == "--select" and "QQQ" in info.value.message_en


def test_discovery_from_current_folder_upward(tmp_path: Path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[tool.gongkai]\nignore = ["F008"]\n', encoding="utf-8")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    config = load_config()
    assert config.path == str(tmp_path / "pyproject.toml")
    assert not config.enabled("F008") and config.enabled("F001")


def test_gongkai_toml_has_top_level_keys_and_wins_in_its_folder(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text('[tool.gongkai]\nignore = ["F008"]\n', encoding="utf-8")
    (tmp_path / "gongkai.toml").write_text('select = ["B", "F015"]\n[severity]\nF015 = "warning"\n', encoding="utf-8")
    config = load_config(start=tmp_path)
    assert config.path == str(tmp_path / "gongkai.toml")
    assert config.enabled("B001") and not config.enabled("F008")
    assert config.severity_for("F015", "info") == "warning"


def test_pyproject_without_tool_gongkai_is_passed_over(tmp_path: Path):
    (tmp_path / "gongkai.toml").write_text('ignore = ["T"]\n', encoding="utf-8")
    inner = tmp_path / "project"
    inner.mkdir()
    (inner / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert find_config_file(inner) == (tmp_path / "gongkai.toml").resolve()
    assert not load_config(start=inner).enabled("T001")


def test_no_file_gives_defaults(tmp_path: Path):
    assert load_config(start=tmp_path) == CheckConfig() or find_config_file(tmp_path) is not None


def test_explicit_file(tmp_path: Path):
    path = tmp_path / "review.toml"
    path.write_text('ignore = ["N"]\n[options]\nbreakdown-strict = true\n', encoding="utf-8")
    config = load_config(path)
    assert not config.enabled("N001") and config.options == {"breakdown-strict": True}
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.gongkai]\nignore = ["B"]\n', encoding="utf-8")
    assert not load_config(pyproject).enabled("B001")


def test_invalid_toml_and_missing_file(tmp_path: Path):
    bad = tmp_path / "gongkai.toml"
    bad.write_text("select = [\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(bad)
    assert info.value.source == str(bad)
    with pytest.raises(ConfigError):
        load_config(tmp_path / "absent.toml")
