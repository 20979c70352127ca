"""The corpus database: its tables and views, described once.

Everything about the schema is declared here as data — each relation with its columns, types and
a description in Chinese and English. The DDL (``ddl()``), the pivot views, ``gongkai schema``
and ``docs/schema.md`` are all generated from these declarations, so the data dictionary cannot
drift from the database (``tests/test_store_schema.py`` checks that docs/schema.md is current).

Column names follow the project's key contract (docs/format.md): table, row and column *keys* are
stored as written in the format specs; the wide views have one column per format column key.
``values`` and the findings columns ``table``/``row``/``column`` are SQL keywords: quote them
(``SELECT * FROM "values"``, ``findings."row"``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from gongkai import __version__
from gongkai.formats import load_format
from gongkai.model import MAX_FRACTION_DIGITS, MAX_INTEGER_DIGITS

# Bump when parsing or per-report checking changes what would be stored for the same bytes: files
# stored under another version are parsed again by the next ``gongkai ingest``.
PARSER_VERSION = 1

# Bump when the layout of the database changes; an older database is refused with a clear message,
# unless MIGRATIONS (below) bring it up to date.
SCHEMA_VERSION = 4  # 4: report versions (reports.superseded_by, first_ingested_at; decisions.carried_from)
# 3: decisions, report_metrics, v_agency_year declared here; 2: values DECIMAL(38,10)

DECIMAL_TYPE = f"DECIMAL({MAX_INTEGER_DIGITS + MAX_FRACTION_DIGITS},{MAX_FRACTION_DIGITS})"  # every value exactly


def parser_version() -> str:
    """What is stored in ``reports.parser_version``: the package version plus PARSER_VERSION."""
    return f"{__version__}+p{PARSER_VERSION}"


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str
    zh: str
    en: str
    not_null: bool = False
    default: str = ""  # SQL of the column's DEFAULT, if any

    @property
    def sql_name(self) -> str:
        return quote(self.name)


@dataclass(frozen=True, slots=True)
class Relation:
    name: str
    kind: str  # "table" or "view"
    zh: str
    en: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    internal: bool = False  # bookkeeping of the store, not data
    # Enforce the key with a PRIMARY KEY constraint. The big tables (values, findings) only document
    # theirs: an index over millions of rows would cost more memory than the whole ingest.
    enforce_key: bool = True
    sql: str = ""  # views: the SELECT

    @property
    def sql_name(self) -> str:
        return quote(self.name)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind,
            "description": self.zh,
            "description_en": self.en,
            "columns": [
                {"name": c.name, "type": c.type, "description": c.zh, "description_en": c.en} for c in self.columns
            ],
        }
        if self.primary_key:
            out["primary_key"] = list(self.primary_key)
        if self.internal:
            out["internal"] = True
        return out


# SQL words used as names here; anything else is a plain identifier.
_RESERVED = frozenset({"values", "table", "row", "column", "order", "group", "key", "format", "year"})


def quote(name: str) -> str:
    return f'"{name}"' if name.lower() in _RESERVED else name


C = Column

REPORTS = Relation(
    "reports",
    "table",
    "每个文件一行：来源、解析状态、报告元数据。",
    "One row per file: where it came from, whether it parsed, the report's metadata.",
    (
        C(
            "id",
            "BIGINT",
            "报告编号，由文件内容的 SHA-256 决定（同一内容始终同一编号）",
            "Report id, derived from the SHA-256 of the file's bytes (same content, same id)",
            True,
        ),
        C("path", "VARCHAR", "读入时的文件路径", "File path as ingested", True),
        C("sha256", "VARCHAR", "文件内容的 SHA-256", "SHA-256 of the file's bytes", True),
        C(
            "kind",
            "VARCHAR",
            "文件类型：text / html / docx / pdf（失败时可能为空）",
            "File kind: text / html / docx / pdf (may be null when reading failed)",
        ),
        C("size", "BIGINT", "文件大小（字节）", "File size in bytes"),
        C("encoding", "VARCHAR", "文本编码（文本与网页）", "Text encoding (text and HTML)"),
        C(
            "parser_version",
            "VARCHAR",
            "解析器版本（gongkai 版本 + PARSER_VERSION）",
            "Parser version (gongkai version + PARSER_VERSION)",
            True,
        ),
        C(
            "status",
            "VARCHAR",
            "ok：已解析（当前版本）；superseded：已解析，但已被同一机关同一年度的较新版本取代（见 superseded_by），"
            "作为历史保留；failed：无法读取或不是年度报告",
            "ok: parsed (the current version); superseded: parsed, but replaced by a newer version of the same "
            "agency and year (see superseded_by), kept as history; failed: unreadable or not an annual report",
            True,
        ),
        C(
            "error_code",
            "VARCHAR",
            "失败原因代码（empty、binary、not_a_report……）",
            "Failure code (empty, binary, not_a_report, …)",
        ),
        C("error_zh", "VARCHAR", "失败原因（中文）", "Failure reason in Chinese"),
        C("error_en", "VARCHAR", "失败原因（英文）", "Failure reason in English"),
        C("agency", "VARCHAR", "报告机关，按原文", "Reporting body, as written"),
        C(
            "agency_norm",
            "VARCHAR",
            "规范化的机关名称（繁简、括号、空格、简称统一）",
            "Normalised agency name (traditional forms, brackets, spaces, abbreviations folded)",
        ),
        C(
            "agency_key",
            "VARCHAR",
            "跨年度识别同一机关的键：区划代码 + ':' + 去掉地名的规范化名称",
            "Key identifying one agency across years: region code + ':' + normalised name without place names",
        ),
        C("year", "INTEGER", "报告年度（不是发布年份）", "Report year (not the publication year)"),
        C("format", "VARCHAR", "统计表格式：2019 或 2021", "Table format: 2019 or 2021"),
        C("format_evidence", "VARCHAR", "判断格式的依据", "What the format was decided from"),
        C("signed_on", "DATE", "落款日期", "Date signed at the end of the report"),
        C("published_on", "DATE", "页面标注的发布日期", "Publication date stated on the page"),
        C("province", "VARCHAR", "省级区划", "Province-level division"),
        C("city", "VARCHAR", "地级区划", "Prefecture-level division"),
        C("county", "VARCHAR", "县级区划", "County-level division"),
        C(
            "region_code",
            "VARCHAR",
            "六位行政区划代码（最具体的一级）",
            "Six-digit administrative division code (most specific level)",
        ),
        C("title", "VARCHAR", "报告标题", "Report title"),
        C("ingested_at", "TIMESTAMP", "写入数据库的时间（UTC）", "When the row was written (UTC)", True),
        C(
            "first_ingested_at",
            "TIMESTAMP",
            "这份内容第一次写入数据库的时间（UTC）；重新导入、重新审核时不变。同一机关同一年度的版本按它排先后",
            "When this content was first written (UTC); unchanged when it is ingested or checked again. The "
            "versions of an agency's year are ordered by it",
        ),
        C(
            "superseded_by",
            "BIGINT",
            "取代它的较新版本（reports.id）：同一机关同一年度后来写入的报告，除非两份都有发布日期且它的更晚；"
            "为空即当前版本（或失败的文件）",
            "The newer version that replaced it (reports.id): a report of the same agency and year stored later, "
            "unless both carry a published date and this one's is later; null for the current version (and "
            "failed files)",
        ),
    ),
    primary_key=("id",),
)

SECTIONS = Relation(
    "sections",
    "table",
    "报告的六个章节，每节一行。",
    "The report's six sections, one row each.",
    (
        C("report", "BIGINT", "reports.id", "reports.id", True),
        C(
            "key",
            "VARCHAR",
            "章节键：overview、proactive、requests、appeals、problems、other",
            "Section key: overview, proactive, requests, appeals, problems, other",
            True,
        ),
        C("title", "VARCHAR", "标题，按原文", "Heading as written"),
        C("text", "VARCHAR", "正文（不含统计表）", "Text of the section (tables excluded)"),
        C("line", "INTEGER", "起始行号", "First line"),
        C("ordinal", "INTEGER", "在报告中的次序（从 1 起）", "Position in the report (from 1)", True),
    ),
    primary_key=("report", "key"),
)

VALUES = Relation(
    "values",
    "table",
    "统计表的每个单元格一行（长表）。空白、——、无 等不是零：is_null 为真并保留原文。",
    "One row per statistics cell (long form). Blank, ——, 无 are not zero: is_null is true and raw keeps the text.",
    (
        C("report", "BIGINT", "reports.id", "reports.id", True),
        C(
            "table_key",
            "VARCHAR",
            "表键：proactive、requests、appeals",
            "Table key: proactive, requests, appeals",
            True,
        ),
        C(
            "row_key",
            "VARCHAR",
            "行键（格式规定的键；机关自增行为原文标签）",
            "Row key (the format's key; for an agency-added row, its label as written)",
            True,
        ),
        C("column_key", "VARCHAR", "列键（格式规定的键）", "Column key (the format's key)", True),
        C("value", DECIMAL_TYPE, "数值；金额单位为万元", "The number; money in 万元"),
        C(
            "is_null",
            "BOOLEAN",
            "没有数值（空白、——、无、缺失、非数字）",
            "No number (blank, ——, 无, missing, not a number)",
            True,
        ),
        C("raw", "VARCHAR", "单元格原文", "Cell text as written"),
        C("unit", "VARCHAR", "金额换算后的单位", "Unit of a money amount after conversion"),
        C(
            "status",
            "VARCHAR",
            "不是普通数值时的原因：blank、not_a_number、unit_unknown、missing、inferred",
            "Why the value is not a plain number: blank, not_a_number, unit_unknown, missing, inferred",
        ),
        C("inferred_by", "VARCHAR", "数值如何推断得出", "How an inferred value was recovered"),
        C("line", "INTEGER", "所在行号（文本）", "Line (text sources)"),
        C("table_index", "INTEGER", "文档中第几个表格（从 0 起）", "Index of the table in the document (from 0)"),
        C("row_index", "INTEGER", "表格中的行（从 0 起）", "Row in that table (from 0)"),
        C("cell_index", "INTEGER", "行中的单元格（从 0 起）", "Cell in that row (from 0)"),
        C("page", "INTEGER", "PDF 页码", "PDF page"),
        C("extra_row", "BOOLEAN", "格式之外、机关自行增加的行", "A row the agency added, not in the format", True),
        C("row_label", "VARCHAR", "行标签，按原文", "Row label as written"),
        C(
            "row_order",
            "INTEGER",
            "行在表中的次序（格式行与自增行一起编号）",
            "Order of the row in the table (format rows and added rows together)",
            True,
        ),
        C("after_row", "VARCHAR", "自增行紧跟的格式行键", "Added rows: the format row they follow"),
    ),
    primary_key=("report", "table_key", "row_order", "column_key"),
    enforce_key=False,
)

FINDINGS = Relation(
    "findings",
    "table",
    "审核发现，每条一行：逐份报告的规则与跨年度规则（Y 开头）。",
    "Findings, one row each: per-report rules and year-over-year rules (codes Y…).",
    (
        C("report", "BIGINT", "reports.id", "reports.id", True),
        C("seq", "INTEGER", "同一报告内的序号", "Sequence number within the report", True),
        C(
            "origin",
            "VARCHAR",
            "report：逐份审核；year：跨年度审核",
            "report: per-report check; year: year-over-year",
            True,
        ),
        C("code", "VARCHAR", "规则代码，如 B001、Y001", "Rule code, e.g. B001, Y001", True),
        C("severity", "VARCHAR", "error、warning、info", "error, warning, info", True),
        C("message", "VARCHAR", "说明（中文）", "Message in Chinese"),
        C("message_en", "VARCHAR", "说明（英文）", "Message in English"),
        C("section", "VARCHAR", "章节键", "Section key"),
        C("table", "VARCHAR", "表键", "Table key"),
        C("row", "VARCHAR", "行键", "Row key"),
        C("column", "VARCHAR", "列键", "Column key"),
        C("line", "INTEGER", "行号", "Line"),
        C("page", "INTEGER", "页码", "Page"),
        C("figures", "JSON", "相关数值（JSON）", "The figures involved (JSON)"),
        C("note", "VARCHAR", "补充说明", "Additional note"),
        C(
            "related_report",
            "BIGINT",
            "跨年度规则：对比的另一份报告（reports.id）",
            "Year-over-year rules: the other report compared (reports.id)",
        ),
    ),
    primary_key=("report", "origin", "seq"),
    enforce_key=False,
)

PENDING = Relation(
    "pending_year_checks",
    "table",
    "内部：报告变动后待重算跨年度规则的机关。",
    "Internal: agencies whose year-over-year findings must be recomputed after a change.",
    (C("agency_key", "VARCHAR", "reports.agency_key", "reports.agency_key", True),),
    primary_key=("agency_key",),
    internal=True,
)

STORE_META = Relation(
    "store_meta",
    "table",
    "内部：数据库版本等信息。",
    "Internal: schema version and similar facts about the store.",
    (
        C("key", "VARCHAR", "名称", "Name", True),
        C("value", "VARCHAR", "值", "Value"),
    ),
    primary_key=("key",),
    internal=True,
)

# --- review decisions ---------------------------------------------------------------------------
# A reviewer confirms or dismisses a finding (the web app's review). A decision is keyed by what does
# not change when a report is ingested or checked again: the report's SHA-256, the rule code and the
# finding's place (an absent part as '' or 0), never by report id or finding number. Decisions are
# never overwritten: every one is a new row, and the latest per key is in force (decisions_latest).

SEQUENCES = ("decisions_seq",)

DECISIONS = Relation(
    "decisions",
    "table",
    "审核结论，每次审核一行（从不覆盖）：按报告内容（SHA-256）、规则代码和位置记录，重新导入、重新审核后仍然有效。",
    "Review decisions, one row per decision taken (never overwritten), keyed by the report's content "
    "(SHA-256), the rule code and the finding's place, so that they survive re-ingest and re-check.",
    (
        C(
            "id",
            "BIGINT",
            "编号（序列 decisions_seq）",
            "Id (sequence decisions_seq)",
            True,
            "nextval('decisions_seq')",
        ),
        C(
            "sha256",
            "VARCHAR",
            "报告文件内容的 SHA-256（reports.sha256）",
            "SHA-256 of the report's file (reports.sha256)",
            True,
        ),
        C("code", "VARCHAR", "规则代码（findings.code）", "Rule code (findings.code)", True),
        C("section", "VARCHAR", "发现的章节键，没有为空字符串", "The finding's section key, '' when none", True),
        C("table_key", "VARCHAR", "发现的表键，没有为空字符串", "The finding's table key, '' when none", True),
        C("row_key", "VARCHAR", "发现的行键，没有为空字符串", "The finding's row key, '' when none", True),
        C("column_key", "VARCHAR", "发现的列键，没有为空字符串", "The finding's column key, '' when none", True),
        C("line", "INTEGER", "发现的行号，没有为 0", "The finding's line, 0 when none", True),
        C(
            "decision",
            "VARCHAR",
            "confirmed：确认；dismissed：驳回；reopened：重新打开（视为待审）",
            "confirmed, dismissed, or reopened (undecided again)",
            True,
        ),
        C("comment", "VARCHAR", "审核意见", "The reviewer's comment"),
        C("reviewer", "VARCHAR", "审核人", "Reviewer"),
        C("decided_at", "TIMESTAMP", "审核时间（UTC）", "When decided (UTC)", True),
        C(
            "carried_from",
            "VARCHAR",
            "沿用自上一版本：被取代的报告的 SHA-256（同一规则、同一位置的发现）；审核人直接作出的为空",
            "Carried over from an earlier version: the SHA-256 of the superseded report (a finding of the same "
            "rule at the same place); null when a reviewer decided it here",
        ),
    ),
    primary_key=("id",),
)

# --- figures per report, precomputed for the pages that chart and rank them -------------------------

METRIC_TYPE = "DOUBLE"  # counts; DuckDB hands DECIMALs to Python as Decimal objects, ~40 µs each

REPORT_METRICS = Relation(
    "report_metrics",
    "table",
    "内部：每份报告的图表与排名指标（formats/*.toml 中 chart 为真的数量），由 values 预先计算；"
    "报告重新写入或指标定义改变时重算。",
    "Internal: each report's charted and ranked figures (the quantities with chart = true in "
    "formats/*.toml), precomputed from values; recomputed when a report is stored again or the "
    "definitions change.",
    (
        C("report", "BIGINT", "reports.id", "reports.id", True),
        C(
            "metric",
            "VARCHAR",
            "指标键（数量键，如 new、handled）",
            "Metric key (a quantity key such as new, handled)",
            True,
        ),
        C(
            "value",
            METRIC_TYPE,
            "相应单元格之和（机关自增行除外）；没有数值为空",
            "Sum of the cells it covers (agency-added rows aside); null when none has a value",
        ),
        C(
            "ingested_at",
            "TIMESTAMP",
            "计算时报告的 reports.ingested_at（不同即重算）",
            "The report's reports.ingested_at when computed (recomputed when it differs)",
            True,
        ),
    ),
    primary_key=("report", "metric"),
    enforce_key=False,
    internal=True,
)

TABLES: tuple[Relation, ...] = (REPORTS, SECTIONS, VALUES, FINDINGS, PENDING, STORE_META, DECISIONS, REPORT_METRICS)

# Statements that bring a database of schema version N (key) to N + 1; ddl() then adds what is new.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    # 2 → 3: the web app's own metrics table gives way to report_metrics (derived data, recomputed);
    # decisions, decisions_seq and decisions_latest keep their layout and every decision.
    2: ("DROP TABLE IF EXISTS web_report_metrics",),
    # 3 → 4: report versions. Every stored report is current (nothing superseded yet) and was first
    # written when it was last written; decisions were all taken by a reviewer.
    3: (
        "ALTER TABLE reports ADD COLUMN IF NOT EXISTS first_ingested_at TIMESTAMP",
        "ALTER TABLE reports ADD COLUMN IF NOT EXISTS superseded_by BIGINT",
        "UPDATE reports SET first_ingested_at = ingested_at WHERE first_ingested_at IS NULL",
        "ALTER TABLE decisions ADD COLUMN IF NOT EXISTS carried_from VARCHAR",
    ),
}


# --- wide views, one column per format column key ----------------------------------------------

_VIEW_SPECS: tuple[tuple[str, str, str | None, str, str], ...] = (
    # name, table key, format (None: both), zh, en
    (
        "v_proactive_2019",
        "proactive",
        "2019",
        "表二 主动公开（2019 格式），每行一个表行",
        "Table 2, proactive disclosure (format 2019), one row per table row",
    ),
    (
        "v_proactive_2021",
        "proactive",
        "2021",
        "表二 主动公开（2021 格式），每行一个表行",
        "Table 2, proactive disclosure (format 2021), one row per table row",
    ),
    (
        "v_requests",
        "requests",
        None,
        "表三 申请办理（两种格式），每行一个表行",
        "Table 3, requests (both formats), one row per table row",
    ),
    (
        "v_appeals",
        "appeals",
        None,
        "表四 复议诉讼（两种格式），每行一个表行",
        "Table 4, review and litigation (both formats), one row per table row",
    ),
)


def view_columns(table_key: str, format_id: str | None) -> list[tuple[str, str]]:
    """(column key, Chinese label) of a wide view's value columns, in the format's order."""
    formats = [format_id] if format_id else ["2021", "2019"]
    out: dict[str, str] = {}
    for f in formats:
        for key, col in load_format(f).tables[table_key].columns.items():
            out.setdefault(key, col.label)
    return list(out.items())


def _view(name: str, table_key: str, format_id: str | None, zh: str, en: str) -> Relation:
    value_cols = view_columns(table_key, format_id)
    head = (
        C("report", "BIGINT", "reports.id", "reports.id", True),
        C("agency", "VARCHAR", "报告机关", "Reporting body"),
        C("agency_key", "VARCHAR", "机关键", "Agency key"),
        C("year", "INTEGER", "报告年度", "Report year"),
        C("format", "VARCHAR", "格式", "Format"),
        C("row_key", "VARCHAR", "行键", "Row key", True),
        C("row_label", "VARCHAR", "行标签，按原文", "Row label as written"),
        C("row_order", "INTEGER", "行次序", "Row order", True),
        C("extra_row", "BOOLEAN", "机关自增行", "Agency-added row", True),
    )
    cols = head + tuple(C(k, DECIMAL_TYPE, label, f"column `{k}`") for k, label in value_cols)
    pivots = ",\n  ".join(f"max(v.value) FILTER (WHERE v.column_key = '{k}') AS {quote(k)}" for k, _ in value_cols)
    where = f"v.table_key = '{table_key}' AND r.status = 'ok'"
    if format_id:
        where += f" AND r.{quote('format')} = '{format_id}'"
    sql = (
        f"SELECT v.report, r.agency, r.agency_key, r.{quote('year')}, r.{quote('format')}, v.row_key,\n"
        f"  any_value(v.row_label) AS row_label, min(v.row_order) AS row_order, bool_or(v.extra_row) AS extra_row,\n"
        f"  {pivots}\n"
        f'FROM "values" v JOIN reports r ON r.id = v.report\n'
        f"WHERE {where}\n"
        f"GROUP BY ALL"
    )
    return Relation(name, "view", zh, en, cols, sql=sql)


# --- one report per agency and year --------------------------------------------------------------

AGENCY_YEAR = Relation(
    "v_agency_year",
    "view",
    "每个机关每个年度一份报告：当前版本（status = 'ok'，较早的版本已被取代，见 v_report_versions）；"
    "没有机关键的报告各自算一个机关。万一仍有多份，取发布日期最晚的一份，其次成文日期最晚、编号最大。"
    "地区汇总（gongkai sum）、地区页与历年趋势都按它计。",
    "One report per agency and year: the current version (status = 'ok'; earlier versions are "
    "superseded, see v_report_versions); a report without an agency key is an agency of its own. "
    "Should several remain, the latest published one, then the latest signed, then the highest id. "
    "Region sums (gongkai sum), the region page and its trend count these.",
    (
        C("report", "BIGINT", "reports.id", "reports.id", True),
        C(
            "agency_key",
            "VARCHAR",
            "机关键（为空的报告自成一个机关）",
            "Agency key (a report without one is an agency of its own)",
        ),
        C("year", "INTEGER", "报告年度", "Report year", True),
        C("format", "VARCHAR", "格式", "Format", True),
        C("region_code", "VARCHAR", "区划代码", "Division code"),
    ),
    sql="""SELECT r.id AS report, r.agency_key, r."year", r."format", r.region_code
FROM reports r
WHERE r.status = 'ok' AND r."year" IS NOT NULL AND r."format" IS NOT NULL
QUALIFY row_number() OVER (
  PARTITION BY coalesce(r.agency_key, CAST(r.id AS VARCHAR)), r."year"
  ORDER BY r.published_on DESC NULLS LAST, r.signed_on DESC NULLS LAST, r.id DESC) = 1""",
)

DECISIONS_LATEST = Relation(
    "decisions_latest",
    "view",
    "每条发现（按 decisions 的键）当前有效的审核结论：最新的一行。",
    "The decision in force per finding (by the key of decisions): the latest row.",
    DECISIONS.columns,
    primary_key=("sha256", "code", "section", "table_key", "row_key", "column_key", "line"),
    sql="""SELECT * FROM decisions
QUALIFY row_number() OVER (
  PARTITION BY sha256, code, section, table_key, row_key, column_key, line
  ORDER BY decided_at DESC, id DESC) = 1""",
)

REPORT_VERSIONS = Relation(
    "v_report_versions",
    "view",
    "同一机关同一年度的各个版本（草稿、更正、重新发布）：按第一次写入的先后编号；当前版本 status 为 ok，"
    "较早的为 superseded 并指向取代它的版本。较新的判定：后写入的取代当前版本，除非两份都有发布日期且当前版本的更晚"
    "（那么后写入的这份是迟到的旧版本，直接被当前版本取代）。没有机关键或年度的报告不分版本。",
    "The versions of one agency's report for one year (a draft, a correction, a re-publication), "
    "numbered in the order they were first stored; the current one has status ok, earlier ones "
    "superseded, pointing to the version that replaced them. Which is newer: the one stored later "
    "replaces the current version, unless both carry a published date and the current one's is "
    "later (then the one stored later is an older version arriving late and is superseded at once). "
    "Reports without an agency key or year have no versions.",
    (
        C("agency_key", "VARCHAR", "机关键", "Agency key", True),
        C("year", "INTEGER", "报告年度", "Report year", True),
        C("report", "BIGINT", "reports.id", "reports.id", True),
        C(
            "version",
            "INTEGER",
            "第几个版本（按第一次写入的先后，从 1 起）",
            "Version number (order first stored, from 1)",
            True,
        ),
        C("versions", "INTEGER", "这个机关这一年度共有几个版本", "How many versions the agency's year has", True),
        C("status", "VARCHAR", "ok（当前版本）或 superseded", "ok (current) or superseded", True),
        C("superseded_by", "BIGINT", "取代它的版本（reports.id）", "The version that replaced it (reports.id)"),
        C("current_report", "BIGINT", "当前版本（reports.id）", "The current version (reports.id)"),
        C("published_on", "DATE", "发布日期", "Publication date"),
        C("first_ingested_at", "TIMESTAMP", "第一次写入的时间（UTC）", "When first stored (UTC)"),
        C("sha256", "VARCHAR", "文件内容的 SHA-256", "SHA-256 of the file's bytes", True),
    ),
    primary_key=("report",),
    sql="""SELECT r.agency_key, r."year", r.id AS report,
  CAST(row_number() OVER w AS INTEGER) AS version,
  CAST(count(*) OVER (PARTITION BY r.agency_key, r."year") AS INTEGER) AS versions,
  r.status, r.superseded_by,
  max(CASE WHEN r.status = 'ok' THEN r.id END) OVER (PARTITION BY r.agency_key, r."year") AS current_report,
  r.published_on, r.first_ingested_at, r.sha256
FROM reports r
WHERE r.status IN ('ok', 'superseded') AND r.agency_key IS NOT NULL AND r."year" IS NOT NULL
WINDOW w AS (PARTITION BY r.agency_key, r."year" ORDER BY r.first_ingested_at, r.id)""",
)

VIEWS: tuple[Relation, ...] = (
    *(_view(*spec) for spec in _VIEW_SPECS),
    AGENCY_YEAR,
    REPORT_VERSIONS,
    DECISIONS_LATEST,
)
RELATIONS: tuple[Relation, ...] = TABLES + VIEWS
VIEW_TABLES = {v[0]: (v[1], v[2]) for v in _VIEW_SPECS}  # view name → (table key, format)


def relation(name: str) -> Relation:
    for rel in RELATIONS:
        if rel.name == name:
            return rel
    raise KeyError(name)


def inline(view: Relation, alias: str) -> str:
    """*view* as a FROM item with its SQL written out (``(SELECT …) AS alias``), so that a query
    reading it also runs on a database of an earlier schema version opened read-only."""
    return f"({view.sql}) AS {alias}"


def ddl() -> list[str]:
    """CREATE statements for every sequence, table and view (idempotent)."""
    out = [f"CREATE SEQUENCE IF NOT EXISTS {name}" for name in SEQUENCES]
    for rel in TABLES:
        cols = [
            f"{c.sql_name} {c.type}{' NOT NULL' if c.not_null else ''}{f' DEFAULT {c.default}' if c.default else ''}"
            for c in rel.columns
        ]
        if rel.primary_key and rel.enforce_key:
            cols.append(f"PRIMARY KEY ({', '.join(quote(k) for k in rel.primary_key)})")
        out.append(f"CREATE TABLE IF NOT EXISTS {rel.sql_name} (\n  " + ",\n  ".join(cols) + "\n)")
    for rel in VIEWS:
        out.append(f"CREATE OR REPLACE VIEW {rel.sql_name} AS\n{rel.sql}")
    return out


# --- the data dictionary, as text, JSON and Markdown ------------------------------------------


def schema_dict(include_internal: bool = True) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "parser_version": parser_version(),
        "relations": [r.to_dict() for r in RELATIONS if include_internal or not r.internal],
    }


def schema_json() -> str:
    return json.dumps(schema_dict(), ensure_ascii=False, indent=2)


def schema_text(lang: str = "zh") -> str:
    lines: list[str] = []
    for rel in RELATIONS:
        desc = rel.en if lang == "en" else rel.zh
        lines.append(f"{rel.name} ({rel.kind}) — {desc}")
        width = max(len(c.name) for c in rel.columns)
        twidth = max(len(c.type) for c in rel.columns)
        for c in rel.columns:
            mark = "*" if c.name in rel.primary_key else " "
            lines.append(f"  {mark}{c.name:<{width}}  {c.type:<{twidth}}  {c.en if lang == 'en' else c.zh}")
        lines.append("")
    return "\n".join(lines)


def schema_markdown() -> str:
    """docs/schema.md. Regenerate with ``gongkai schema --format markdown > docs/schema.md``."""
    unenforced = ", ".join(f"`{r.name}`" for r in TABLES if r.primary_key and not r.enforce_key)
    out = [
        "# The corpus database (数据字典)",
        "",
        "<!-- Generated from src/gongkai/store/schema.py by `gongkai schema --format markdown`."
        " Do not edit by hand; tests/test_store_schema.py checks it is current. -->",
        "",
        "`gongkai ingest` stores reports in a DuckDB file (default `gongkai.duckdb`); `gongkai serve`",
        "adds the review decisions. Table, row and column *keys* are the ones of docs/format.md and",
        "never change. `values` and the findings columns `table`, `row`, `column` are SQL keywords:",
        'quote them (`SELECT * FROM "values"`).',
        "",
        f"Schema version {SCHEMA_VERSION}; a database of an earlier version is brought up to date when it is",
        "next opened for writing (`ingest`, `serve`), its data kept. Key columns are marked **bold**",
        f"(in tables enforced as a primary key except in {unenforced}, where the key is kept by the writer).",
        "",
    ]
    for rel in RELATIONS:
        kind = ("view" if rel.kind == "view" else "table") + (", internal" if rel.internal else "")
        out.append(f"## `{rel.name}` ({kind})")
        out.append("")
        out.append(f"{rel.zh} {rel.en}")
        out.append("")
        out.append("| column | type | 说明 | description |")
        out.append("|---|---|---|---|")
        for c in rel.columns:
            name = f"**`{c.name}`**" if c.name in rel.primary_key else f"`{c.name}`"
            out.append(f"| {name} | {c.type} | {c.zh} | {c.en} |")
        out.append("")
        if rel.kind == "view":
            out.append("```sql")
            out.append(rel.sql)
            out.append("```")
            out.append("")
    return "\n".join(out)


__all__ = [
    "AGENCY_YEAR",
    "DECIMAL_TYPE",
    "DECISIONS",
    "DECISIONS_LATEST",
    "METRIC_TYPE",
    "MIGRATIONS",
    "PARSER_VERSION",
    "RELATIONS",
    "REPORT_METRICS",
    "REPORT_VERSIONS",
    "SCHEMA_VERSION",
    "SEQUENCES",
    "TABLES",
    "VIEWS",
    "Column",
    "Relation",
    "ddl",
    "inline",
    "parser_version",
    "quote",
    "relation",
    "schema_dict",
    "schema_json",
    "schema_markdown",
    "schema_text",
    "view_columns",
]
