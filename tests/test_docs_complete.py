"""Everything a user can name is documented: every command and option of the ``gongkai`` command
(walked from the Typer app, so commands registered from other modules count), every rule code,
every configuration key and rule option, every ``--limit`` name and every ``GONGKAI_*``
environment variable — in README.md or docs/*.md (the command reference is docs/cli.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import typer

from gongkai.formats import SECTION_KEYS
from gongkai.limits import Limits
from gongkai.rules import all_rules
from gongkai.rules.config import CONFIG_FILES, CONFIG_KEYS
from gongkai.rules.registry import all_options
from gongkai.views.cli import app

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
RULE_DOCS = ROOT / "docs" / "rules"


@dataclass(frozen=True)
class Section:
    file: str
    heading: str
    text: str  # the heading, the body and its subsections


def sections() -> list[Section]:
    """Every Markdown section of the docs: a heading and everything up to the next heading of the
    same or a higher level (headings inside fenced code are text)."""
    out: list[Section] = []
    for path in DOCS:
        lines = path.read_text(encoding="utf-8").split("\n")
        heads: list[tuple[int, int, str]] = []  # line index, level, text
        fenced = False
        for i, line in enumerate(lines):
            if line.lstrip().startswith("```"):
                fenced = not fenced
                continue
            m = re.match(r"^(#{1,6})\s+(.*)$", line)
            if m and not fenced:
                heads.append((i, len(m[1]), m[2]))
        for n, (start, level, heading) in enumerate(heads):
            end = next((i for i, lv, _ in heads[n + 1 :] if lv <= level), len(lines))
            out.append(Section(path.name, heading, "\n".join(lines[start:end])))
    return out


SECTIONS = sections()
ALL_TEXT = "\n".join(p.read_text(encoding="utf-8") for p in DOCS)


def mentions(text: str, word: str) -> bool:
    """*word* as a whole token: ``--db`` is not found in ``--dbx``, nor ``-f`` in ``-fx``."""
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


def commands() -> list[tuple[str, Any]]:
    """('gongkai', root), ('gongkai parse', parse) …: every visible command, nested groups too."""
    out: list[tuple[str, Any]] = []

    def walk(cmd: Any, path: str) -> None:
        out.append((path, cmd))
        for name, sub in sorted((getattr(cmd, "commands", None) or {}).items()):
            if not getattr(sub, "hidden", False):
                walk(sub, f"{path} {name}")

    walk(typer.main.get_command(app), "gongkai")
    return out


COMMANDS = commands()


def options(cmd: Any) -> list[Any]:
    return [p for p in cmd.params if p.param_type_name == "option" and not getattr(p, "hidden", False)]


def command_sections(path: str) -> list[Section]:
    """The sections whose heading names the command in code: ``## `gongkai check` …``."""
    return [s for s in SECTIONS if f"`{path}`" in s.heading]


def test_the_app_has_the_commands_we_know() -> None:
    """The walk sees the commands registered from other modules (cli_check, cli_store, web …)."""
    names = {path for path, _ in COMMANDS}
    assert {"gongkai check", "gongkai ingest", "gongkai serve", "gongkai rules"} <= names


@pytest.mark.parametrize(("path", "cmd"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_command_is_documented_with_every_option(path: str, cmd: Any) -> None:
    found = command_sections(path)
    assert found, f"no section of README.md or docs/*.md has `{path}` in its heading (see docs/cli.md)"
    text = "\n".join(s.text for s in found)
    missing = [
        spelling for p in options(cmd) for spelling in (*p.opts, *p.secondary_opts) if not mentions(text, spelling)
    ]
    assert missing == [], f"`{path}`: options not documented in {sorted({s.file for s in found})}: {missing}"
    envvars = [v for p in options(cmd) for v in ([p.envvar] if isinstance(p.envvar, str) else p.envvar or ())]
    assert [v for v in envvars if not mentions(text, v)] == [], f"`{path}`: environment variables not documented"


def test_readme_points_at_the_command_reference() -> None:
    assert "docs/cli.md" in (ROOT / "README.md").read_text(encoding="utf-8")


# --- rules ----------------------------------------------------------------------------------------


def rule_codes() -> list[str]:
    codes = [r.code for r in all_rules()]
    try:
        from gongkai.ledger.findings import CODES as LEDGER_CODES
    except ImportError:  # a build without the ledger
        return codes
    return [*codes, *LEDGER_CODES]


@pytest.mark.parametrize("code", rule_codes())
def test_rule_code_has_a_page_and_an_index_row(code: str) -> None:
    assert (RULE_DOCS / f"{code}.md").is_file(), f"docs/rules/{code}.md is missing (python tools/gen_rule_docs.py)"
    index = (RULE_DOCS / "README.md").read_text(encoding="utf-8")
    assert f"| [{code}]({code}.md) |" in index, f"docs/rules/README.md has no row for {code}"


def test_every_rule_page_is_a_code() -> None:
    pages = {p.stem for p in RULE_DOCS.glob("*.md")} - {"README"}
    assert pages <= set(rule_codes()), f"pages of no rule: {sorted(pages - set(rule_codes()))}"


# --- configuration --------------------------------------------------------------------------------


def configuration_section() -> Section:
    found = [s for s in SECTIONS if s.file == "cli.md" and s.heading.startswith("Configuration")]
    assert len(found) == 1, "docs/cli.md needs one section 'Configuration'"
    return found[0]


def table_rows(text: str) -> dict[str, list[str]]:
    """First cell (without backticks) → the other cells, for every row of the Markdown tables."""
    rows: dict[str, list[str]] = {}
    for line in text.split("\n"):
        if line.startswith("|") and not line.startswith("|---"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            rows.setdefault(cells[0].strip("`"), cells[1:])
    return rows


@pytest.mark.parametrize("key", CONFIG_KEYS)
def test_configuration_key_is_documented(key: str) -> None:
    config = configuration_section()
    assert key in table_rows(config.text), f"docs/cli.md, Configuration: no row for `{key}`"
    assert mentions(ALL_TEXT.replace("`", " "), key)


def test_configuration_files_are_named() -> None:
    text = configuration_section().text
    for name in (*CONFIG_FILES, "[tool.gongkai]", "--config"):
        assert name in text


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@pytest.mark.parametrize("name", sorted(all_options()))
def test_rule_option_is_documented(name: str) -> None:
    option = all_options()[name]
    rows = table_rows(configuration_section().text)
    assert name in rows, f"docs/cli.md, Configuration: no row for the option `{name}`"
    rule, default, *_ = rows[name]
    owners = [r.code for r in all_rules() if any(o.name == name for o in r.options)]
    assert all(f"[{code}]" in rule for code in owners), f"`{name}` belongs to {owners}"
    if isinstance(option.default, list):
        if name == "required-sections":
            assert all(key in " ".join(rows[name]) for key in SECTION_KEYS)
    else:
        assert default == toml_value(option.default), f"`{name}`: documented default {default}, not {option.default}"
    # and in the generated index of the rules, with the same default
    index = (RULE_DOCS / "README.md").read_text(encoding="utf-8")
    assert re.search(rf"^{re.escape(name)} = ", index, re.M)


# --- bounds and the environment -------------------------------------------------------------------


def readme_limits() -> dict[str, str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("| `--limit NAME=VALUE` |", 1)[1].split("\n\n", 1)[0]
    return {k: v[0] for k, v in table_rows(table).items()}


@pytest.mark.parametrize("name", Limits.names())
def test_limit_is_documented_with_its_default(name: str) -> None:
    documented = readme_limits()
    assert name in documented, f"README.md, Bounds: no row for `{name}`"
    assert Decimal(documented[name].replace(",", "")) == Decimal(str(getattr(Limits(), name)))


def test_no_limit_is_documented_that_does_not_exist() -> None:
    assert set(readme_limits()) <= set(Limits.names())


def environment_variables() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "src").rglob("*.py"):
        found |= set(re.findall(r"\bGONGKAI_[A-Z_]+\b", path.read_text(encoding="utf-8")))
    return found


@pytest.mark.parametrize("name", sorted(environment_variables()))
def test_environment_variable_is_documented(name: str) -> None:
    assert mentions(ALL_TEXT, name), f"{name} is read by gongkai but named in no doc"
