"""Which rules run, at which severity, with which options — ruff's model.

Settings come from ``[tool.gongkai]`` in ``pyproject.toml`` or from the top level of a
``gongkai.toml``, found from the current folder upward (a ``gongkai.toml`` wins over a
``pyproject.toml`` in the same folder; a ``pyproject.toml`` without ``[tool.gongkai]`` is passed
over), or named with ``--config``::

    [tool.gongkai]
    select = ["ALL"]            # codes, prefixes (B, B00) or ALL; default ALL
    extend-select = []
    ignore = ["F008", "T004"]

    [tool.gongkai.severity]     # code or prefix → error | warning | info
    T001 = "warning"

    [tool.gongkai.options]      # rule options, see `gongkai rules CODE`
    grace-days = 3

Selection: for each rule, the most specific matching selector decides (``B001`` beats ``B00``
beats ``B`` beats ``ALL``) and ``ignore`` wins a tie. The command line beats the file: a
``--select`` replaces the file's ``select`` and ``extend-select``, and any command-line selector
that matches a rule decides for it. An unknown selector, key, severity or option is an error
naming the setting and the file.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from gongkai.formats import SECTION_KEYS
from gongkai.rules.base import SEVERITIES, Severity
from gongkai.rules.registry import all_options, is_selector

CONFIG_KEYS = ("select", "extend-select", "ignore", "severity", "options")
CONFIG_FILES = ("gongkai.toml", "pyproject.toml")
DEFAULT_SELECT = ("ALL",)

# option name → allowed list members, for list options
_CHOICES: dict[str, tuple[str, ...]] = {"required-sections": SECTION_KEYS}


class ConfigError(Exception):
    """A setting that cannot be used. Names the setting and the file it came from."""

    def __init__(self, setting: str, source: str, message_zh: str, message_en: str) -> None:
        super().__init__(f"{source}: {setting}: {message_en}")
        self.setting = setting
        self.source = source
        self.message_zh = message_zh
        self.message_en = message_en

    def message(self, lang: str = "zh") -> str:
        text = self.message_en if lang == "en" else self.message_zh
        return f"{self.source}: {self.setting}: {text}"


def _specificity(selector: str) -> int:
    return 0 if selector == "ALL" else len(selector)


def _matches(selector: str, code: str) -> bool:
    return selector == "ALL" or code.startswith(selector)


def _decide(code: str, selects: Iterable[str], ignores: Iterable[str]) -> bool | None:
    """The most specific matching selector decides; ignore wins a tie; None when none match."""
    best = -1
    decision: bool | None = None
    for s in selects:
        if _matches(s, code) and _specificity(s) > best:
            best, decision = _specificity(s), True
    for s in ignores:
        if _matches(s, code) and _specificity(s) >= best:
            best, decision = _specificity(s), False
    return decision


@dataclass(frozen=True, slots=True)
class Selection:
    """Selectors from one source (a file, or the command line)."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CheckConfig:
    select: tuple[str, ...] | None = None  # None: the default, ALL
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)
    path: str | None = None  # the file the settings came from
    cli: Selection | None = None  # selectors given on the command line

    def with_cli(
        self,
        select: Sequence[str] | None = None,
        extend_select: Sequence[str] = (),
        ignore: Sequence[str] = (),
    ) -> CheckConfig:
        """This configuration with command-line selectors on top (validated, upper-cased)."""
        sel = Selection(
            select=None if select is None else _selectors(select, "--select", "command line"),
            extend_select=_selectors(extend_select, "--extend-select", "command line"),
            ignore=_selectors(ignore, "--ignore", "command line"),
        )
        return replace(self, cli=sel)

    def enabled(self, code: str) -> bool:
        cli = self.cli or Selection()
        decision = _decide(code, (*(cli.select or ()), *cli.extend_select), cli.ignore)
        if decision is not None:
            return decision
        file_selects: tuple[str, ...] = ()
        if cli.select is None:
            file_selects = (*(self.select if self.select is not None else DEFAULT_SELECT), *self.extend_select)
        return bool(_decide(code, file_selects, self.ignore))

    def severity_for(self, code: str, default: Severity) -> Severity:
        best, out = -1, default
        for selector, severity in self.severity.items():
            if _matches(selector, code) and _specificity(selector) > best:
                best, out = _specificity(selector), severity
        return out


def _selectors(values: Any, setting: str, source: str) -> tuple[str, ...]:
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, (list, tuple)) or not all(isinstance(v, str) for v in values):
        raise ConfigError(
            setting, source, '应为规则代码列表，如 ["B001", "T"]。', 'must be a list of rule codes, e.g. ["B001", "T"].'
        )
    out: list[str] = []
    for value in values:
        for part in value.split(","):
            s = part.strip().upper()
            if not s:
                continue
            if not is_selector(s):
                raise ConfigError(
                    setting,
                    source,
                    f"未知的规则选择符“{part.strip()}”（可用规则代码、前缀如 B 或 B00、ALL）。",
                    f"unknown rule selector {part.strip()!r} (use a code, a prefix such as B or B00, or ALL).",
                )
            out.append(s)
    return tuple(out)


def config_from_mapping(data: Mapping[str, Any], source: str) -> CheckConfig:
    """Validate the settings of one file (already the ``[tool.gongkai]`` table)."""
    for key in data:
        if key not in CONFIG_KEYS:
            raise ConfigError(
                key,
                source,
                f"未知的设置项（可用：{', '.join(CONFIG_KEYS)}）。",
                f"unknown setting (known: {', '.join(CONFIG_KEYS)}).",
            )
    select = _selectors(data["select"], "select", source) if "select" in data else None
    extend = _selectors(data.get("extend-select", []), "extend-select", source)
    ignore = _selectors(data.get("ignore", []), "ignore", source)

    severity: dict[str, Severity] = {}
    sev_table = data.get("severity", {})
    if not isinstance(sev_table, Mapping):
        raise ConfigError(
            "severity",
            source,
            '应为表，如 [tool.gongkai.severity] T001 = "warning"。',
            'must be a table, e.g. [tool.gongkai.severity] T001 = "warning".',
        )
    for selector, value in sev_table.items():
        (sel,) = _selectors([selector], f"severity.{selector}", source) or ("",)
        if value not in SEVERITIES:
            raise ConfigError(
                f"severity.{selector}",
                source,
                f"严重程度应为 {'、'.join(SEVERITIES)} 之一，实为 {value!r}。",
                f"severity must be one of {', '.join(SEVERITIES)}, not {value!r}.",
            )
        severity[sel] = value

    options: dict[str, Any] = {}
    opt_table = data.get("options", {})
    if not isinstance(opt_table, Mapping):
        raise ConfigError(
            "options", source, "应为表 [tool.gongkai.options]。", "must be a table [tool.gongkai.options]."
        )
    known = all_options()
    for name, value in opt_table.items():
        setting = f"options.{name}"
        opt = known.get(name)
        if opt is None:
            raise ConfigError(
                setting,
                source,
                f"未知的选项（可用：{', '.join(sorted(known))}）。",
                f"unknown option (known: {', '.join(sorted(known))}).",
            )
        ok = isinstance(value, opt.type) and not (opt.type is int and isinstance(value, bool))
        if ok and opt.type is list:
            ok = all(isinstance(v, str) for v in value)
            choices = _CHOICES.get(name)
            bad = [v for v in value if choices and v not in choices]
            if ok and bad:
                raise ConfigError(
                    setting,
                    source,
                    f"未知的取值 {bad}（可用：{', '.join(choices or ())}）。",
                    f"unknown values {bad} (known: {', '.join(choices or ())}).",
                )
        if not ok:
            raise ConfigError(
                setting,
                source,
                f"类型应为 {opt.type.__name__}，实为 {value!r}。",
                f"must be of type {opt.type.__name__}, not {value!r}.",
            )
        options[name] = value
    return CheckConfig(
        select=select, extend_select=extend, ignore=ignore, severity=severity, options=options, path=source
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(
            "--config",
            str(path),
            f"无法读取配置文件：{exc.strerror or exc}。",
            f"cannot read the configuration file: {exc.strerror or exc}.",
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError("toml", str(path), f"不是有效的 TOML：{exc}。", f"not valid TOML: {exc}.") from None


def _settings(path: Path, data: dict[str, Any]) -> dict[str, Any] | None:
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        section = tool.get("gongkai") if isinstance(tool, dict) else None
        if section is None:
            return None
        if not isinstance(section, dict):
            raise ConfigError("tool.gongkai", str(path), "应为表。", "must be a table.")
        return section
    return data


def find_config_file(start: Path | None = None) -> Path | None:
    """The nearest ``gongkai.toml``, or ``pyproject.toml`` with ``[tool.gongkai]``, from *start*
    (default: the current folder) upward."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for name in CONFIG_FILES:
            candidate = folder / name
            if not candidate.is_file():
                continue
            if name == "pyproject.toml" and _settings(candidate, _read(candidate)) is None:
                continue
            return candidate
    return None


def load_config(path: str | Path | None = None, *, start: Path | None = None) -> CheckConfig:
    """Settings from *path* (``pyproject.toml``: its ``[tool.gongkai]``; any other name: top
    level), or from the file found from *start* upward; defaults when there is none."""
    if path is not None:
        file = Path(path)
        settings = _settings(file, _read(file))
        return config_from_mapping(settings or {}, str(file))
    found = find_config_file(start)
    if found is None:
        return CheckConfig()
    return config_from_mapping(_settings(found, _read(found)) or {}, str(found))
