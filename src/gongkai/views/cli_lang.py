"""The command's own words in the user's language: Typer's help frame and Click's errors.

Typer and Click write their help and their usage errors in English ("Usage:", "Missing argument",
"No such option", ``<list[str]>``). The ``gongkai`` app is a :class:`GongkaiGroup`, which

- decides the language before anything is parsed (``--lang`` before the command, else
  ``GONGKAI_LANG``, else Chinese), so that a usage error and ``-h`` are already in it;
- gives every parameter a placeholder in that language: the one declared with
  :func:`gongkai.views.i18n.metavar`, or one by its type (路径 / PATH, 整数 / N …), none for a
  flag; and every command a context whose help formatter writes 用法： / Usage:;
- sets the words of Typer's help panels (参数、选项、命令, [默认：…], [必需]);
- prints a usage error itself: the usage line, how to get help, and the message — Click's English
  message put into Chinese by its kind (missing parameter, bad value, unknown option …); a message
  of a kind it does not know stays as Click wrote it.

Under ``--lang en`` everything is as Typer writes it, with the English placeholders.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, get_args

import typer
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from typer.core import TyperGroup

from gongkai.views.i18n import FLAG, METAVARS, lang, metavar, set_lang, t

try:  # Typer ≥ 0.20 carries its own copy of Click
    from typer import _click as click
except ImportError:  # pragma: no cover - older Typer on Click
    import click  # type: ignore[no-redef]

try:
    from typer import rich_utils
except ImportError:  # pragma: no cover - Typer without Rich
    rich_utils = None  # type: ignore[assignment]

LANG_OPTION = "--lang"
LANG_ENV = "GONGKAI_LANG"

# Placeholders by the parameter's type, for options that declare none.
TYPE_METAVARS: dict[str, str] = {
    "Path": metavar("路径", "PATH"),
    "path": "路径",
    "int": metavar("整数", "N"),
    "integer": "整数",
    "float": metavar("数", "NUMBER"),
    "str": metavar("文本", "TEXT"),
    "text": "文本",
}

# Typer's words in its Rich help (typer.rich_utils), in Chinese; the English are kept to go back.
RICH_WORDS_ZH: dict[str, str] = {
    "DEPRECATED_STRING": "（已弃用） ",
    "DEFAULT_STRING": "[默认：{}]",
    "ENVVAR_STRING": "[环境变量：{}]",
    "REQUIRED_LONG_STRING": "[必需]",
    "ARGUMENTS_PANEL_TITLE": "参数",
    "OPTIONS_PANEL_TITLE": "选项",
    "COMMANDS_PANEL_TITLE": "命令",
    "ERRORS_PANEL_TITLE": "错误",
    "ABORTED_TEXT": "已中止。",
    "RICH_HELP": "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。",
}
RICH_WORDS_EN: dict[str, str] = {k: getattr(rich_utils, k) for k in RICH_WORDS_ZH if hasattr(rich_utils, k)}


def lang_from_args(args: Sequence[str]) -> str:
    """The language asked for: ``--lang X`` or ``--lang=X`` before the command's name, else the
    environment variable ``GONGKAI_LANG``, else zh."""
    for i, arg in enumerate(args):
        if arg == LANG_OPTION and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(LANG_OPTION + "="):
            return arg.split("=", 1)[1]
        if not arg.startswith("-"):
            break  # the command's name: what follows is its own
    return os.environ.get(LANG_ENV) or "zh"


# --- help ---------------------------------------------------------------------------------------


class LocalFormatter(click.HelpFormatter):
    """Click's help formatter with the usage line's prefix in the user's language."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix if prefix is not None else t("用法：", "Usage: "))


class LocalContext(typer.Context):
    """A command's context: its help written by :class:`LocalFormatter`, its help option
    described in the user's language."""

    formatter_class = LocalFormatter

    def __init__(self, command: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(command, *args, **kwargs)
        option = command.get_help_option(self)
        if option is not None:
            option.help = t("显示帮助后退出。", "Show this message and exit.")
            option.metavar = FLAG


def _type_name(param: Any) -> str | None:
    """The name of a parameter's value type (``Path``, ``int`` …); None for a choice."""
    desc = getattr(param, "type_descriptor", None)
    if desc is not None:  # Typer ≥ 0.20
        if getattr(desc, "is_choice", False):
            return None
        annotation = desc.annotation
        if getattr(desc, "is_list", False) and get_args(annotation):
            annotation = get_args(annotation)[0]
        return getattr(annotation, "__name__", None)
    ptype = getattr(param, "type", None)  # Click's ParamType
    name = getattr(ptype, "name", None)
    return None if name == "choice" else name


def _no_type(ctx: Any) -> None:
    return None


def localise_command(command: Any) -> None:
    """Give *command* and its subcommands their context, their placeholders and their
    ``[选项]`` in the current language."""
    en = lang() == "en"
    command.context_class = LocalContext
    if getattr(command, "options_metavar", None):
        command.options_metavar = t("[选项]", "[OPTIONS]")
    if getattr(command, "subcommand_metavar", None):
        command.subcommand_metavar = t("命令 [参数]...", "COMMAND [ARGS]...")
    for param in command.params:
        if getattr(param, "is_flag", False) or getattr(param, "count", False):
            param.metavar = FLAG
        elif param.metavar is None:
            name = _type_name(param)
            if name in TYPE_METAVARS:
                param.metavar = TYPE_METAVARS[name]
        if param.metavar and en:
            param.metavar = METAVARS.get(param.metavar, param.metavar)
        if param.param_type_name == "argument" and param.metavar and hasattr(param, "display_type_rich"):
            param.display_type_rich = _no_type  # the placeholder says it: no <list[Path]> beside it
    for sub in (getattr(command, "commands", None) or {}).values():
        localise_command(sub)


def set_rich_words() -> None:
    """Typer's help panels and notes in the current language."""
    if rich_utils is None:  # pragma: no cover
        return
    words = RICH_WORDS_EN if lang() == "en" else RICH_WORDS_ZH
    for name, text in words.items():
        if name in RICH_WORDS_EN:
            setattr(rich_utils, name, text)


# --- errors -------------------------------------------------------------------------------------

# Click's and Typer's messages of a usage error, and of a bad value, in Chinese.
USAGE_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"No such command (.+)\. Did you mean (.+)\?", r"没有命令 \1。是不是要用 \2？"),
    (r"No such command (.+)\.", r"没有命令 \1。"),
    (r"Missing command\.", "缺少命令。"),
    (r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", r"多余的参数：\1"),
    (r"Option (.+) requires an argument\.", r"选项 \1 后面要给一个值。"),
    (r"Option (.+) requires (\d+) arguments\.", r"选项 \1 后面要给 \2 个值。"),
    (r"Option (.+) does not take a value\.", r"选项 \1 不带值。"),
    (r"Argument (.+) takes (\d+) values\.", r"参数 \1 要给 \2 个值。"),
    (r"No such option: (.+)", r"没有选项 \1"),
)
VALUE_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"Input should be a valid integer.*", "应为整数。"),
    (r"Input should be a valid number.*", "应为数。"),
    (r"Input should be a valid boolean.*", "应为 true 或 false。"),
    (r"(?:Value error, )?(.+) is not one of (.+)\.", r"\1 不在可选的值（\2）之中。"),
    (r"(.+) is not a valid integer\.", r"\1 不是整数。"),
    (r"(.+) is not a valid float\.", r"\1 不是数。"),
    (r"(.+) is not a valid boolean\.", r"\1 不是 true 或 false。"),
    (r"(?:File|Directory|Path) (.+) does not exist\.", r"\1 不存在。"),
    (r"(?:File|Directory|Path) (.+) is a file\.", r"\1 是文件，这里要文件夹。"),
    (r"(?:File|Directory|Path) (.+) is a directory\.", r"\1 是文件夹，这里要文件。"),
    (r"(?:File|Directory|Path) (.+) is not readable\.", r"\1 无法读取。"),
    (r"(?:File|Directory|Path) (.+) is not writable\.", r"\1 无法写入。"),
    (r"Value must be an iterable\.", "应给出多个值。"),
)


def _translate(text: str, table: tuple[tuple[str, str], ...]) -> str:
    for pattern, zh in table:
        m = re.fullmatch(pattern, text, re.S)
        if m:
            return m.expand(zh)
    return text


def _hint(exc: Any) -> str:
    hint = getattr(exc, "param_hint", None)
    if hint is None and getattr(exc, "param", None) is not None:
        hint = exc.param.get_error_hint(exc.ctx) if _takes_ctx(exc.param.get_error_hint) else exc.param.get_error_hint()
    if hint is not None and not isinstance(hint, str):
        hint = " / ".join(repr(x) for x in hint)
    return hint or ""


def _takes_ctx(method: Callable[..., Any]) -> bool:
    code = getattr(method, "__code__", None)
    return code is not None and code.co_argcount > 1


def error_message(exc: Any) -> str:
    """The message of a Click exception in the current language."""
    if lang() == "en":
        return str(exc.format_message())
    if isinstance(exc, click.exceptions.MissingParameter):
        kind = exc.param_type or (exc.param.param_type_name if exc.param is not None else "parameter")
        what = {"argument": "参数", "option": "选项"}.get(kind, "参数")
        hint = _hint(exc)
        return f"缺少{what}{' ' + hint if hint else ''}。" + (f" {exc.message}" if exc.message else "")
    if isinstance(exc, click.exceptions.BadParameter):
        hint = _hint(exc)
        value = _translate(exc.message, VALUE_MESSAGES)
        return f"{hint} 的值无效：{value}" if hint else f"值无效：{value}"
    if isinstance(exc, click.exceptions.NoSuchOption):
        text = _translate(exc.message, USAGE_MESSAGES)
        if exc.possibilities:
            text += f"（可能是：{', '.join(sorted(exc.possibilities))}）"
        return text
    if isinstance(exc, click.exceptions.FileError):
        return f"无法打开文件 {exc.ui_filename!r}：{exc.message}"
    return _translate(exc.message, USAGE_MESSAGES)


def show_usage_error(exc: Any) -> None:
    """A usage error as Typer shows one — the usage line, how to get help, the message in a
    panel — in the current language."""
    console = Console(stderr=True, highlight=False)
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        console.print(escape(ctx.get_usage()), style="yellow" if rich_utils is None else rich_utils.STYLE_USAGE_COMMAND)
        if ctx.command.get_help_option(ctx) is not None:
            command, option = ctx.command_path, ctx.help_option_names[0]
            console.print(
                t(f"运行 '{command} {option}' 查看帮助。", f"Try '{command} {option}' for help."),
                style="dim",
                markup=False,
            )
    console.print(
        Panel(
            escape(error_message(exc)),
            border_style="red",
            title=t("错误", "Error"),
            title_align="left",
        )
    )


class GongkaiGroup(TyperGroup):
    """The ``gongkai`` command group: decides the language first, localises its commands'
    help, and prints usage errors in the user's language (exit status 2, as Click's)."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        args = list(sys.argv[1:] if args is None else args)
        set_lang(lang_from_args(args))
        set_rich_words()
        localise_command(self)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.ClickException as exc:
            if not standalone_mode:
                raise
            if type(exc).__name__ != "NoArgsIsHelpError":  # the help is already shown
                show_usage_error(exc)
            _exit(exc.exit_code)
        except typer.Abort:
            if not standalone_mode:
                raise
            Console(stderr=True).print(t("已中止。", "Aborted."), style="red")
            _exit(1)
        if not standalone_mode:
            return rv
        _exit(rv if isinstance(rv, int) else 0)


def _exit(code: int) -> NoReturn:
    sys.exit(code)


__all__ = ["GongkaiGroup", "LocalContext", "error_message", "lang_from_args", "localise_command"]
