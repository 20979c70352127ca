"""The columns of a request ledger and how its rows become :class:`Application` records.

A ledger is a CSV (UTF-8, UTF-8 with BOM, GB18030/GBK as Excel writes it on Chinese Windows, or
UTF-16 with its BOM) or an XLSX file with one row per application under a header row. Headers
are matched by meaning, not position: the Chinese names of the template (收到申请日期 …), the
keys (received …) and a few names met in practice (受理日期, 申请人类别 …). Values are read
exactly; one that cannot be read is kept as written (``Application.invalid``) and reported by the
checks, never guessed.

Pure: :func:`read_ledger` takes the file's bytes. Applicant types and outcomes come from the
format's table 三 (:mod:`gongkai.formats`); this module lists no row of its own.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from gongkai.formats import FormatSpec, TableSpec
from gongkai.normalize import label_core

__all__ = [
    "CHANNELS",
    "FIELDS",
    "Application",
    "Field",
    "LedgerReadError",
    "applicant_columns",
    "outcome_rows",
    "parse_applicant",
    "parse_channel",
    "parse_date",
    "parse_outcome",
    "read_ledger",
]

MAX_ROWS = 200_000
# The template's example row is numbered 示例: such a row is not read as an application.
EXAMPLE_IDS = ("示例", "example")
HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True, slots=True)
class Field:
    key: str
    zh: str  # the template's header
    en: str
    kind: str  # id, date, channel, applicant, yesno, outcome, money, text
    aliases: tuple[str, ...] = ()
    required_column: bool = False  # the ledger must have this column
    hint_zh: str = ""  # what to write, for the template's instructions
    hint_en: str = ""


FIELDS: tuple[Field, ...] = (
    Field(
        "id",
        "编号",
        "number",
        "id",
        ("申请编号", "序号", "登记号", "登记编号", "no"),
        hint_zh="可选。一件申请一个编号；用 --previous 时按编号对应上年台账。",
        hint_en="Optional. One per application; --previous matches last year's ledger by it.",
    ),
    Field(
        "received",
        "收到申请日期",
        "received",
        "date",
        ("收到日期", "收到申请之日", "收到申请时间", "受理日期", "申请日期"),
        required_column=True,
        hint_zh="必填。条例第三十一条：当面提交为提交之日；邮寄为签收之日（平常信函为确认之日）；网络、传真为双方确认之日。",
        hint_en="Required. 条例 art. 31: in person the day handed in; post the day signed for (ordinary "
        "letters: confirmed); online and fax the day both sides confirmed.",
    ),
    Field(
        "channel",
        "申请方式",
        "channel",
        "channel",
        ("收到方式", "提交方式", "申请渠道", "申请途径", "渠道"),
        required_column=True,
        hint_zh="必填。当面、信函、网络、传真或其他。",
        hint_en="Required. 当面, 信函, 网络, 传真 or 其他.",
    ),
    Field(
        "applicant",
        "申请人类型",
        "applicant",
        "applicant",
        ("申请人类别", "申请人情况", "申请人性质"),
        required_column=True,
        hint_zh="必填。自然人、商业企业、科研机构、社会公益组织、法律服务机构或其他。",
        hint_en="Required. One of the six applicant columns of table 三.",
    ),
    Field(
        "correction_requested",
        "补正告知日期",
        "correction requested",
        "date",
        ("告知补正日期", "补正通知日期", "要求补正日期", "补正告知时间"),
        hint_zh="要求补正的，告知申请人之日（条例第三十条：收到申请后 7 个工作日内）。",
        hint_en="When a 补正 was requested: the day the applicant was told (art. 30: within 7 working days).",
    ),
    Field(
        "correction_received",
        "补正收到日期",
        "correction received",
        "date",
        ("收到补正日期", "补正日期", "补正收到时间"),
        hint_zh="收到补正申请之日；答复期限从这一天起算。",
        hint_en="The day the 补正 arrived; the period runs from it.",
    ),
    Field(
        "consultation_start",
        "征求意见开始日期",
        "consultation start",
        "date",
        ("征求第三方意见日期", "征求意见日期", "征求意见开始时间", "征求意见起始日期"),
        hint_zh="书面征求第三方或其他机关意见之日（条例第三十二条）。",
        hint_en="The day third parties or other bodies were consulted in writing (art. 32).",
    ),
    Field(
        "consultation_end",
        "征求意见结束日期",
        "consultation end",
        "date",
        ("收到第三方意见日期", "征求意见截止日期", "征求意见结束时间", "收到意见日期"),
        hint_zh="收到意见或征求意见期满之日；其间的工作日不计入答复期限。",
        hint_en="The day the opinions arrived or the consultation ended; not counted in the period.",
    ),
    Field(
        "extended",
        "是否延期",
        "extended",
        "yesno",
        ("延期", "延长答复期限", "是否延长"),
        hint_zh="是或否（条例第三十三条：延长不超过 20 个工作日）。",
        hint_en="是 or 否 (art. 33: at most 20 more).",
    ),
    Field(
        "extension_date",
        "延期告知日期",
        "extension date",
        "date",
        ("延期日期", "延期决定日期", "延长告知日期", "延期时间"),
        hint_zh="延期经负责人同意并告知申请人之日，须在首个 20 个工作日内。",
        hint_en="The day the extension was approved and notified: within the first 20 working days.",
    ),
    Field(
        "replied",
        "答复日期",
        "replied",
        "date",
        ("办结日期", "答复时间", "答复日"),
        required_column=True,
        hint_zh="已答复的填写；未答复的留空（计入结转下年度）。",
        hint_en="When replied; empty while pending (carried forward).",
    ),
    Field(
        "outcome",
        "办理结果",
        "outcome",
        "outcome",
        ("答复类型", "处理结果", "答复结果", "办理结果类型"),
        required_column=True,
        hint_zh="已答复的填写表三“三、本年度办理结果”中的一行（下拉列表）。",
        hint_en="When replied: one row of table 三's outcomes (drop-down list).",
    ),
    Field(
        "fee",
        "收费金额（元）",
        "fee",
        "money",
        ("收费金额", "收费", "信息处理费", "收费（元）"),
        hint_zh="收取信息处理费的金额，单位：元（条例第四十二条）；未收费留空或填 0。",
        hint_en="Information processing fee in yuan (art. 42); empty or 0 when none.",
    ),
    Field("note", "备注", "note", "text", ("说明",), hint_zh="可选。", hint_en="Optional."),
)

FIELD_BY_KEY = {f.key: f for f in FIELDS}

# 条例 art. 31: how an application reaches the body (the receipt date depends on it).
CHANNELS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "in_person": ("当面", "in person", ("当面提交", "现场", "窗口", "当面递交", "现场提交")),
    "post": ("信函", "post", ("邮寄", "信件", "邮政", "快递", "挂号信", "平常信函", "邮件寄送")),
    "online": ("网络", "online", ("网上", "互联网", "在线", "网站", "网上申请", "网络申请", "网络平台", "电子邮件")),
    "fax": ("传真", "fax", ()),
    "other": ("其他", "other", ()),
}

_BLANKS = {"", "—", "——", "-", "--", "/", "无", "none", "n/a"}
_YES = {"是", "y", "yes", "true", "1", "√", "✓", "已延期", "延期"}
_NO = {"否", "n", "no", "false", "0", "×", "✗", "未延期", "不延期"}


class LedgerReadError(Exception):
    """A ledger file that cannot be read at all: unreadable, wrong encoding, no header row with
    the required columns. Messages in both languages, naming what to do."""

    def __init__(self, code: str, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en


@dataclass(frozen=True, slots=True)
class Application:
    """One row of a ledger. A value that could not be read is None here and kept as written in
    ``invalid`` (field key → text); ``raw`` holds every non-empty cell as written."""

    file: str
    line: int  # row number in the file (1-based, as a spreadsheet shows it)
    id: str | None = None
    received: dt.date | None = None
    channel: str | None = None
    applicant: str | None = None  # a column key of table 三
    correction_requested: dt.date | None = None
    correction_received: dt.date | None = None
    consultation_start: dt.date | None = None
    consultation_end: dt.date | None = None
    extended: bool | None = None  # None: left empty
    extension_date: dt.date | None = None
    replied: dt.date | None = None
    outcome: str | None = None  # a row key of table 三
    fee: Decimal | None = None
    note: str | None = None
    raw: dict[str, str] = field(default_factory=dict)
    invalid: dict[str, str] = field(default_factory=dict)

    def given(self, key: str) -> bool:
        """Whether the cell of *key* holds anything (readable or not)."""
        return key in self.raw

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


# --- the format's table 三 ---------------------------------------------------------------------


def applicant_columns(spec: TableSpec) -> tuple[str, ...]:
    """The applicant columns of table 三: every column but the row total."""
    return tuple(k for k in spec.columns if k != "total")


def outcome_rows(spec: TableSpec) -> tuple[str, ...]:
    """The outcome rows an application can have: the rows the format sums into （七）总计 (its
    B003 sum), less the optional variants (in the 2021 format the single （六）其他处理 row of 2019
    — an application counts in one of its three sub-rows)."""
    keys = next((s.rhs for s in spec.sums if s.per == "column" and s.lhs == ("total",)), ())
    return tuple(k for k in keys if k in spec.rows and not spec.rows[k].optional)


def outcome_choice(spec: TableSpec, row: str) -> str:
    """An outcome as the template's list writes it: the group, then the row's label."""
    r = spec.rows[row]
    return f"{r.group} {r.label}" if r.group else r.label


# --- values ------------------------------------------------------------------------------------


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def is_blank(text: str) -> bool:
    return _fold(text).lower() in _BLANKS


_DATE_RE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[\sT]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_DATE_COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date(value: Any) -> dt.date | None:
    """A date from a cell: a spreadsheet date, or text such as 2024-03-04, 2024/3/4, 2024.3.4,
    2024年3月4日, 20240304 (a time after it is ignored). None when it is no date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    text = _fold(value)
    m = _DATE_RE.match(text) or _DATE_COMPACT_RE.match(text)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def parse_channel(text: str) -> str | None:
    core = _fold(text).lower().replace(" ", "")
    for key, (zh, en, aliases) in CHANNELS.items():
        if core in (key, zh, en, *aliases) or core.startswith(zh):
            return key
    return None


def parse_applicant(spec: TableSpec, text: str) -> str | None:
    folded = _fold(text)
    columns = applicant_columns(spec)
    if folded.lower() in columns:
        return folded.lower()
    core = label_core(folded)
    for key in columns:
        col = spec.columns[key]
        if core == label_core(col.label) or col.matches(folded):
            return key
    return None


def _groups(spec: TableSpec, rows: Sequence[str]) -> dict[str, list[str]]:
    """Group label core (不予公开) → its outcome rows."""
    out: dict[str, list[str]] = {}
    for k in rows:
        g = spec.rows[k].group
        if g:
            out.setdefault(label_core(g), []).append(k)
    return out


def parse_outcome(spec: TableSpec, text: str) -> tuple[str | None, list[str]]:
    """The outcome row of *text* (a row key, or its label, with or without its group), and when
    there is none, the rows it could have meant (a group written alone names its rows)."""
    folded = _fold(text)
    rows = outcome_rows(spec)
    if folded.lower() in rows:
        return folded.lower(), []
    groups = _groups(spec, rows)
    core = label_core(folded)
    if core in groups:
        return None, groups[core]
    candidates = [core]
    for g in sorted(groups, key=len, reverse=True):
        if core.startswith(g) and len(core) > len(g):
            candidates.append(label_core(core[len(g) :].lstrip(" ：:／/-—·、")))
            break
    for c in candidates:
        exact = [k for k in rows if c == label_core(spec.rows[k].label)]
        if len(exact) == 1:
            return exact[0], []
        matched = [
            k
            for k in rows
            if c in spec.rows[k].exact or any(c.startswith(m) for m in spec.rows[k].match if m)
        ]  # fmt: skip
        if len(matched) == 1:
            return matched[0], []
    return None, []


def parse_yesno(text: str) -> bool | None:
    folded = _fold(text).lower()
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    return None


def parse_money(value: Any) -> Decimal | None:
    """A fee in yuan, exactly: a number ≥ 0 (a float cell through its shortest text)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        text = _fold(value).replace(",", "").replace("，", "").removesuffix("元").strip()
        if text.startswith("¥") or text.startswith("￥"):
            text = text[1:].strip()
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None
    else:
        return None
    if not number.is_finite() or number < 0:
        return None
    return number


def cell_text(value: Any) -> str:
    """A cell as written, for messages and ``Application.raw``."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --- headers -----------------------------------------------------------------------------------


def _header_key(text: str) -> str:
    folded = _fold(text).lower()
    folded = re.sub(r"[\s*＊:：]", "", folded)
    folded = re.sub(r"[（(][^）)]*[）)]$", "", folded)  # 收费金额（元） → 收费金额
    return folded


def _header_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for f in FIELDS:
        for name in (f.key, f.zh, f.en, f.en.replace(" ", "_"), *f.aliases):
            names.setdefault(_header_key(name), f.key)
    return names


_HEADER_NAMES = _header_names()


def map_header(cells: Sequence[Any]) -> dict[int, str]:
    """Column index → field key, for the header cells that name a field (the first of twins)."""
    out: dict[int, str] = {}
    seen: set[str] = set()
    for i, cell in enumerate(cells):
        key = _HEADER_NAMES.get(_header_key(cell_text(cell)))
        if key is not None and key not in seen:
            out[i] = key
            seen.add(key)
    return out


# --- files -------------------------------------------------------------------------------------


def _decode(data: bytes, name: str) -> str:
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LedgerReadError(
        "encoding",
        "无法识别文件编码（不是 UTF-8 或 GBK/GB18030）。请在 Excel 或 WPS 中“另存为”CSV UTF-8 或 .xlsx 后重试。",
        "The encoding is not UTF-8 or GBK/GB18030. Save the file again as “CSV UTF-8” or .xlsx in Excel or WPS.",
    )


def _csv_rows(data: bytes, name: str) -> Iterator[list[Any]]:
    text = _decode(data, name)
    if "\x00" in text:
        raise LedgerReadError(
            "not_a_table",
            "不是 CSV 或 XLSX 表格文件。请用 gongkai ledger --template 生成的模板登记申请。",
            "Not a CSV or XLSX table. Keep the ledger in the template that gongkai ledger --template writes.",
        )
    first = text.split("\n", 1)[0]
    delimiter = max(",\t;，", key=first.count) if first else ","
    if delimiter == "，" or first.count(delimiter) == 0:
        delimiter = ","
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _xlsx_sheets(data: bytes) -> Iterator[tuple[str, Iterator[Sequence[Any]]]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zip, XML or openpyxl errors: the file is damaged
        raise LedgerReadError(
            "unreadable",
            f"XLSX 文件已损坏或无法读取（{type(exc).__name__}）。请在 Excel 或 WPS 中打开后重新保存为 .xlsx，"
            "或另存为 CSV。",
            f"The XLSX file is damaged or unreadable ({type(exc).__name__}). Open it in Excel or WPS and save it "
            "again as .xlsx, or as CSV.",
        ) from None
    names = list(wb.sheetnames)
    # The template's data sheet first, then the others in order.
    names.sort(key=lambda n: 0 if n in ("台账", "申请台账", "ledger") else 1)
    for sheet_name in names:
        ws = wb[sheet_name]
        yield sheet_name, ws.iter_rows(values_only=True)


def _find_header(rows: Iterator[Sequence[Any]]) -> tuple[int, dict[int, str], Iterator[Sequence[Any]]] | None:
    """The header within the first rows: the row naming most fields (at least two)."""
    seen: list[Sequence[Any]] = []
    for _ in range(HEADER_SEARCH_ROWS):
        try:
            seen.append(next(rows))
        except StopIteration:
            break
    best: tuple[int, dict[int, str]] | None = None
    for i, cells in enumerate(seen):
        mapping = map_header(cells)
        if len(mapping) >= 2 and (best is None or len(mapping) > len(best[1])):
            best = (i, mapping)
    if best is None:
        return None
    index, mapping = best

    def rest() -> Iterator[Sequence[Any]]:
        yield from seen[index + 1 :]
        yield from rows

    return index + 1, mapping, rest()


def _missing_columns_error(missing: Iterable[str]) -> LedgerReadError:
    fields = [FIELD_BY_KEY[k] for k in missing]
    zh = "、".join(f.zh for f in fields)
    en = ", ".join(f"{f.zh} ({f.key})" for f in fields)
    return LedgerReadError(
        "missing_columns",
        f"缺少必需的列：{zh}。第一行（或表头行）要有这些列名；用 gongkai ledger --template 生成模板可以看到全部列。",
        f"Required columns missing: {en}. The header row must name them; gongkai ledger --template writes a "
        "template with every column.",
    )


def read_ledger(data: bytes, name: str, spec: TableSpec | FormatSpec) -> list[Application]:
    """The applications of a ledger file's bytes (*name* is how findings name the file).
    Raises :class:`LedgerReadError` for a file that cannot be read as a ledger."""
    table = spec.tables["requests"] if isinstance(spec, FormatSpec) else spec
    if not data.strip():
        raise LedgerReadError("empty", "文件是空的。", "The file is empty.")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise LedgerReadError(
            "xls",
            "这是旧版 Excel（.xls）或 WPS 文件，无法直接读取。请另存为 .xlsx 或 CSV UTF-8 后重试。",
            "This is a legacy Excel (.xls) or WPS file. Save it as .xlsx or “CSV UTF-8” and try again.",
        )
    if data.startswith(b"PK\x03\x04"):
        found = None
        best_missing: list[str] | None = None
        for _sheet, rows in _xlsx_sheets(data):
            header = _find_header(iter(rows))
            if header is None:
                continue
            missing = [f.key for f in FIELDS if f.required_column and f.key not in header[1].values()]
            if not missing:
                found = header
                break
            if best_missing is None or len(missing) < len(best_missing):
                best_missing = missing
        if found is None:
            if best_missing is not None:
                raise _missing_columns_error(best_missing)
            raise _no_header_error()
        start, mapping, body = found
    else:
        header = _find_header(_csv_rows(data, name))
        if header is None:
            raise _no_header_error()
        start, mapping, body = header
        missing = [f.key for f in FIELDS if f.required_column and f.key not in mapping.values()]
        if missing:
            raise _missing_columns_error(missing)
    out: list[Application] = []
    for offset, cells in enumerate(body, start=1):
        if len(out) >= MAX_ROWS:
            raise LedgerReadError(
                "too_many_rows",
                f"超过 {MAX_ROWS} 行。请按年度拆分台账。",
                f"More than {MAX_ROWS} rows. Split the ledger by year.",
            )
        values = {key: cells[i] if i < len(cells) else None for i, key in mapping.items()}
        if all(cell_text(v) == "" for v in values.values()):
            continue
        if _fold(cell_text(values.get("id"))).lower() in EXAMPLE_IDS:
            continue
        out.append(read_row(table, name, start + offset, values))
    return out


def _no_header_error() -> LedgerReadError:
    return LedgerReadError(
        "no_header",
        "找不到表头行（前 10 行中没有“收到申请日期”“申请人类型”“办理结果”等列名）。请用 gongkai ledger --template "
        "生成的模板，或把列名改成模板中的名称。",
        "No header row (none of the first 10 rows names columns such as 收到申请日期, 申请人类型, 办理结果). Use the "
        "template that gongkai ledger --template writes, or rename the columns as in it.",
    )


def read_row(spec: TableSpec, file: str, line: int, values: dict[str, Any]) -> Application:
    """One application from its cells (field key → cell value)."""
    raw: dict[str, str] = {}
    invalid: dict[str, str] = {}
    parsed: dict[str, Any] = {}
    for key, value in values.items():
        text = cell_text(value)
        f = FIELD_BY_KEY[key]
        if text == "" or (f.kind not in ("text", "id") and is_blank(text)):
            continue
        raw[key] = text
        result: Any
        if f.kind == "date":
            result = parse_date(value)
        elif f.kind == "channel":
            result = parse_channel(text)
        elif f.kind == "applicant":
            result = parse_applicant(spec, text)
        elif f.kind == "outcome":
            result = parse_outcome(spec, text)[0]
        elif f.kind == "yesno":
            result = parse_yesno(text)
        elif f.kind == "money":
            result = parse_money(value)
        else:
            result = text
        if result is None:
            invalid[key] = text
        else:
            parsed[key] = result
    return Application(file=file, line=line, raw=raw, invalid=invalid, **parsed)
