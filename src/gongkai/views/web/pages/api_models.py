"""The shapes of the API's answers, as OpenAPI schemas (``/api/docs``, ``/api/openapi.json``).

Rows are described from what the store returns (the frozen dataclasses of
:mod:`gongkai.store.queries`) with each column's description from the data dictionary
(:mod:`gongkai.store.schema`, docs/schema.md), so a column added to the store is documented here
too. The routes return their JSON as it is built (exact decimals, see ``render.to_json``); these
models document it, and ``tests/test_web_links.py`` checks every answer against them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from decimal import Decimal
from typing import Any, Union

from pydantic import BaseModel, ConfigDict, Field, create_model

from gongkai.store.queries.agency import AgencyReport
from gongkai.store.queries.decisions import DecisionListing, DecisionRecord
from gongkai.store.queries.findings import FindingRow
from gongkai.store.queries.reports import AgencyReportRef, ReportListing, ReportRow, SectionRow, VersionRow
from gongkai.store.schema import RELATIONS


class Shape(BaseModel):
    """Every answer's objects: the keys documented; the API may add keys later (clients ignore them)."""

    model_config = ConfigDict(extra="allow")


def _descriptions() -> dict[str, str]:
    out: dict[str, str] = {}
    for rel in RELATIONS:
        for c in rel.columns:
            out.setdefault(c.name, f"{c.zh} / {c.en}")
    return out


DESCRIPTIONS = _descriptions()


def _json_type(tp: Any) -> Any:
    """A dataclass field's type as its JSON has it: decimals are numbers, dates ISO text."""
    if tp is Decimal:
        return float
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        args = tuple(_json_type(a) for a in typing.get_args(tp))
        out: Any = args[0]
        for a in args[1:]:
            out = out | a
        return out
    return tp


def row_model(
    cls: type[Any],
    name: str,
    *,
    overrides: dict[str, tuple[Any, str]] | None = None,
    extra: dict[str, tuple[Any, Any, str]] | None = None,
) -> type[Shape]:
    """A model of the dataclass *cls*: its fields, typed for JSON and described from the data
    dictionary; *overrides* retype fields (type, description), *extra* adds keys the pages add
    (type, default — ``...`` for required —, description)."""
    hints = typing.get_type_hints(cls)
    fields: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if overrides and f.name in overrides:
            tp, desc = overrides[f.name]
        else:
            tp, desc = _json_type(hints[f.name]), DESCRIPTIONS.get(f.name, "")
        fields[f.name] = (tp, Field(description=desc))
    for key, (tp, default, desc) in (extra or {}).items():
        fields[key] = (tp, Field(default, description=desc))
    model: type[Shape] = create_model(name, __base__=Shape, __doc__=cls.__doc__, **fields)
    return model


Finding = row_model(
    FindingRow,
    "Finding",
    overrides={
        "figures": (dict[str, Any], "相关数值 / the figures involved"),
        "decision": (
            str | None,
            "当前审核结论：confirmed、dismissed，待审为空 / decision in force, null while undecided",
        ),
        "decided_at": (dt.datetime | None, "审核时间（UTC）/ when decided (UTC)"),
    },
    extra={
        "key": (str, ..., "发现的位置键，审核时用（POST /api/decisions）/ the finding's key, to decide on it"),
        "anchor": (str, ..., "报告页中这条发现的锚点 / its anchor on the report page"),
        "target": (str, ..., "报告页中它所在位置（单元格、行、表、章节、行号）的锚点 / anchor of its place"),
        "rule_title": (str | None, None, "规则标题（报告与机关页）/ the rule's title (report and agency pages)"),
    },
)
ReportListed = row_model(
    ReportListing,
    "ReportListed",
    extra={"url": (str, ..., "报告页地址 / the report's page")},
)
Report = row_model(ReportRow, "Report")
Section = row_model(SectionRow, "Section")
OtherReport = row_model(AgencyReportRef, "OtherReport")
Decision = row_model(DecisionRecord, "Decision")
Version = row_model(VersionRow, "Version")
DecisionListed = row_model(DecisionListing, "DecisionListed")
AgencyReportOut = row_model(
    AgencyReport,
    "AgencyReportOut",
    extra={
        "label": (str, ..., "年度标签（同一年度多份时附序号）/ year label"),
        "errors": (int, ..., "错误数 / errors"),
        "warnings": (int, ..., "警告数 / warnings"),
        "infos": (int, ..., "提示数 / notes"),
        "dismissed": (int, ..., "已驳回 / dismissed"),
    },
)


class Cell(Shape):
    """One statistics cell of a report."""

    value: float | None = Field(description="数值（空白、——、无 为空）/ the number (null for blank, ——, 无)")
    raw: str | None = Field(description="单元格原文 / cell text as written")
    line: int | None = Field(description="所在行号 / source line")
    status: str | None = Field(description="不是普通数值时的原因 / why not a plain number")
    extra_row: bool = Field(description="机关自增行 / a row the agency added")


class Table(Shape):
    """A table of the page, as its downloads have it."""

    name: str = Field(description="表名（下载时 ?table=）/ the table's name (?table= of the downloads)")
    title: str
    title_en: str
    columns: list[str] = Field(description="列键 / column keys")
    rows: list[dict[str, Any]] = Field(description="每行一个对象，键为列键 / one object per row, keyed by column key")


class Source(Shape):
    status: str = Field(description="ok | changed（导入后改动）| missing（已不在原处）| unreadable")
    kind: str | None = None
    lines: int = Field(description="源文件行数 / lines of the source text")


class Paged(Shape):
    ok: bool = True
    total: int = Field(description="符合条件的总数 / how many match")
    limit: int
    offset: int


class FindingsPage(Paged):
    findings: list[Finding]  # type: ignore[valid-type]


class ReportsPage(Paged):
    reports: list[ReportListed]  # type: ignore[valid-type]


class ReportPage(Shape):
    """One report: meta, sections, values (table → row → column → cell), findings, decisions."""

    ok: bool = True
    report: Report  # type: ignore[valid-type]
    sections: list[Section]  # type: ignore[valid-type]
    values: dict[str, dict[str, dict[str, Cell]]] = Field(
        description="表键 → 行键 → 列键 → 单元格 / table → row → column"
    )
    findings: list[Finding]  # type: ignore[valid-type]
    decisions: list[Decision] = Field(description="审核记录 / the review history")  # type: ignore[valid-type]
    source: Source
    other_reports: list[OtherReport]  # type: ignore[valid-type]
    versions: list[Version] = Field(  # type: ignore[valid-type]
        description="同一机关同一年度的各个版本（按写入先后）/ every version of the agency's report for the year"
    )
    tables: dict[str, Table] = Field(default_factory=dict)


class AgencyRegion(Shape):
    province: str | None
    city: str | None
    county: str | None
    region_code: str | None


class AgencyPage(Shape):
    """One agency over the years."""

    ok: bool = True
    agency_key: str
    agency: str | None
    region: AgencyRegion
    reports: list[AgencyReportOut]  # type: ignore[valid-type]
    metrics: dict[str, dict[str, float | None]] = Field(
        description="报告编号 → 指标 → 数值 / report id → metric → figure"
    )
    findings: list[Finding]  # type: ignore[valid-type]
    tables: dict[str, Table] = Field(default_factory=dict)


class RegionLink(Shape):
    name: str
    code: str


class RegionInfo(Shape):
    name: str
    code: str | None = Field(description="六位区划代码，全国为空 / six-digit code, null for all regions")
    level: int = Field(description="0 全国，1 省，2 市，3 县 / 0 all, 1 province, 2 city, 3 county")
    chain: list[RegionLink] = Field(description="上级地区 / the regions above, from the province")
    selected: dict[str, str] = Field(description="筛选栏选中的省、市、县代码 / codes chosen in the filter bar")


class RegionReport(Shape):
    id: int
    agency: str | None
    agency_key: str | None
    region_code: str | None
    format: str | None
    errors: int
    warnings: int


class AbsentAgency(Shape):
    name: str | None
    code: str | None
    agency_key: str | None
    known: bool = Field(description="语料中有它的报告（有机关页）/ the corpus has a report of it (an agency page)")


class NotPublished(Shape):
    source: str = Field(description="roster（依据名单）| previous_year（上年发布、本年未发布）")
    roster: str | None
    expected: int | None
    agencies: list[AbsentAgency]


class Ranked(Shape):
    agency: str | None
    agency_key: str | None
    report: int
    value: float | None


class Division(Shape):
    name: str
    code: str
    reports: int


class RegionPage(Shape):
    """One region for one year."""

    ok: bool = True
    region: RegionInfo
    year: int
    years: list[int]
    agencies: int = Field(description="发布报告的机关数 / agencies that published")
    reports: list[RegionReport]
    not_published: NotPublished
    rankings: dict[str, list[Ranked]] = Field(description="new | share | litigation_corrected")
    children: list[Division]
    tables: dict[str, Table] = Field(default_factory=dict)


class Rule(Shape):
    code: str
    title: str
    title_en: str
    severity: str
    summary: str = Field(description="说明的第一段（英文）/ the first paragraph of What it does")
    summary_zh: str = Field(description="说明的第一段（中文）/ the first paragraph of 说明")
    url: str = Field(description="完整说明的网页 / the page explaining the rule whole (/rules/CODE)")


class RulesPage(Shape):
    ok: bool = True
    rules: list[Rule]


class DecisionsPage(Shape):
    ok: bool = True
    decisions: list[DecisionListed]  # type: ignore[valid-type]


class DecisionStored(Shape):
    ok: bool = True
    decision: dict[str, Any] = Field(description="保存的审核结论 / the decision as stored")


class Endpoint(Shape):
    method: str
    path: str
    summary: str
    description: str


class ApiIndex(Shape):
    """What ``/api`` answers: where the documentation is, and every endpoint."""

    ok: bool = True
    name: str
    version: str
    docs: str = Field(description="交互式文档 / the interactive documentation")
    openapi: str = Field(description="OpenAPI 描述 / the OpenAPI description")
    data: str = Field(description="批量数据 / bulk data")
    endpoints: list[Endpoint]
    twins: str = Field(description="网页的 JSON 版本 / the pages' JSON twins")


class BulkFileOut(Shape):
    dataset: str
    year: int | None = Field(description="报告年度，全部年度为空 / report year, null for all years")
    format: str = Field(description="csv | parquet | xlsx")
    url: str
    rows: int
    size: int | None = Field(description="字节数，文件生成后才有 / bytes, once the file is written")
    available: bool = Field(description="是否提供这种格式 / offered in this format")
    note: str


class DictionaryColumn(Shape):
    name: str
    type: str
    description: str
    description_en: str


class DictionaryEntry(Shape):
    dataset: str
    title: str
    name: str = Field(description="数据库中的表或视图 / table or view in the database")
    kind: str
    description: str
    description_en: str
    columns: list[DictionaryColumn]
    primary_key: list[str]


class DataPage(Shape):
    """The bulk files and their data dictionary."""

    ok: bool = True
    fingerprint: str = Field(description="数据版本：语料变化即改变 / changes whenever the corpus does")
    years: list[int]
    formats: list[str]
    files: list[BulkFileOut]
    dictionary: list[DictionaryEntry]
    schema_: dict[str, str] = Field(alias="schema", description="完整数据字典 / the whole data dictionary")


class Error(Shape):
    ok: bool = False
    error: str
    status: int


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Error, "description": "参数有误 / bad parameters"},
    404: {"model": Error, "description": "找不到 / not found"},
}


__all__ = [
    "ERRORS",
    "AgencyPage",
    "ApiIndex",
    "DataPage",
    "DecisionStored",
    "DecisionsPage",
    "Error",
    "Finding",
    "FindingsPage",
    "RegionPage",
    "ReportPage",
    "ReportsPage",
    "RulesPage",
    "Shape",
    "row_model",
]
