"""What ``gongkai write`` writes from: reports as :class:`gongkai.model.Report`.

Three sources (docs/write.md):

- the JSON of ``gongkai parse --format json`` (docs/json.md), one report object per line:
  :func:`reports_from_json_text`, :func:`report_from_json`;
- a YAML file with the agency, year, signing date, the six sections' text and tables 二 and 四
  under the format's keys (or its labels): :func:`report_from_yaml_text`;
- a Markdown file with the six sections under their titles and tables 二 and 四 as pipe tables
  (what ``gongkai write --format md`` writes is such a file), its agency, year and date in a YAML
  front matter or in its title and closing lines: :func:`report_from_markdown_text`.

Table 三 comes as JSON in the shape of the parse output's ``tables.requests``
(:func:`requests_from_json_text`). Every problem is an :class:`InputError` in Chinese and English
naming the place; nothing here reads or writes files.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from gongkai.document import Document, Location
from gongkai.formats import (
    SECTION_KEYS,
    TABLE_KEYS,
    FormatSpec,
    TableSpec,
    format_for_year,
    load_format,
    match_heading,
    section_specs,
    table_names,
)
from gongkai.model import Meta, Number, Report, Row, Section, Source, TableData, Value, representable
from gongkai.normalize import label_core, label_key
from gongkai.tables.tokens import parse_value

__all__ = [
    "InputError",
    "report_from_json",
    "report_from_markdown_text",
    "report_from_yaml_text",
    "reports_from_json_text",
    "requests_from_json_text",
    "source_kind",
    "with_requests",
]

# Cells the parser could not read as a plain number: a Markdown source holding one is refused,
# a value gongkai guessed is no value to publish.
UNSETTLED = frozenset({"inferred", "ambiguous", "not_a_number", "out_of_range"})


class InputError(Exception):
    """Bad input, said in Chinese and English; ``where`` names the file, line or key."""

    def __init__(self, message_zh: str, message_en: str, where: str = "") -> None:
        super().__init__(message_en)
        self.message_zh = message_zh
        self.message_en = message_en
        self.where = where

    def at(self, where: str) -> InputError:
        return InputError(self.message_zh, self.message_en, f"{where}: {self.where}" if self.where else where)


# ------------------------------------------------------------------------------------------------
# Values


def _number(value: Any, where: str, *, signed: bool = True) -> Number | None:
    """A cell given in the data: an integer, an exact decimal (YAML and JSON floats arrive here
    as Decimal, never as binary floats), number text (``"1,234"``, ``"4166.241619"``), or no value
    (null, ``""``, ``——``, ``无``)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise InputError(f"{where}：应为数字，不是 {value}。", f"{where}: expected a number, not {value}.")
    if isinstance(value, int):
        return value
    if isinstance(value, float):  # only from a caller that loaded JSON without parse_float=Decimal
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, str):
        parsed = parse_value(value)
        if parsed.status == "blank":
            return None
        if parsed.value is None or parsed.unit not in (None, "万元", "件", "条", "个", "项", "次", "宗", "笔", "人次"):
            raise InputError(
                f"{where}：“{value}”不是数字。请填写数字（金额以万元为单位），无数值时留空。",
                f"{where}: {value!r} is not a number. Write a number (money in 万元), or leave it empty.",
            )
        number = parsed.value
    else:
        raise InputError(
            f"{where}：应为数字，不是 {type(value).__name__}。",
            f"{where}: expected a number, not {type(value).__name__}.",
        )
    if not number.is_finite() or not representable(number):
        raise InputError(
            f"{where}：数值 {value} 无法精确保存（最多28位整数、10位小数）。",
            f"{where}: {value} cannot be kept exactly (at most 28 digits before the point and 10 after).",
        )
    if number == number.to_integral_value():
        return int(number)
    text = format(number, "f")
    return Decimal(text.rstrip("0") if "." in text else text)


def _number_text(value: Number) -> str:
    return str(value) if isinstance(value, int) else format(value, "f")


def _value(number: Number | None, raw: str | None = None, status: str | None = None, unit: str | None = None) -> Value:
    """A cell to write. *raw* (the text as the report printed it) is kept only when it reads back
    as *number*: a value corrected in the JSON is written as corrected, never as the old text."""
    if number is None:
        raw = raw if raw is not None and parse_value(raw).status == "blank" else ""
        return Value(None, raw, Location(), status=status if status in ("blank", "missing") else "blank")
    if raw is not None and status in (None, "unit_unknown"):
        parsed = parse_value(raw)
        if parsed.value is not None and parsed.value == number and parsed.unit in (None, "万元"):
            return Value(number, raw, Location(), unit=unit, status=status)
    return Value(number, _number_text(number), Location(), unit=unit)


# ------------------------------------------------------------------------------------------------
# Tables


def _lookup(names: Mapping[str, str], given: str) -> str | None:
    """The key of a row or column given by its key, its label, or its label without numbering."""
    if given in names.values():
        return given
    k = label_key(given)
    return names.get(k) or names.get(label_core(given))


def _row_names(spec: TableSpec) -> dict[str, str]:
    names: dict[str, str] = {}
    for r in spec.rows.values():
        for text in (r.label, *r.label.split(" · ")[-1:]):
            names.setdefault(label_key(text), r.key)
            names.setdefault(label_core(text), r.key)
    return names


def _column_names(spec: TableSpec) -> dict[str, str]:
    names: dict[str, str] = {}
    for c in spec.columns.values():
        names.setdefault(label_key(c.label), c.key)
        names.setdefault(label_core(c.label), c.key)
    return names


def _keys_text(keys: Any) -> str:
    return ", ".join(keys)


def table_from_values(
    spec: TableSpec,
    data: Any,
    where: str,
    cells: Mapping[str, Any] | None = None,
    *,
    by_label: bool = False,
) -> TableData:
    """A table of the format from ``{row: {column: value}}``, as in the parse output's ``tables``
    (keys only) or in a YAML source (keys, labels or labels without numbering: *by_label*).
    *cells* is the parse output's ``cells`` for this table: the raw text of each value and the
    rows that were found."""
    zh, en = table_names()[spec.key]
    if not isinstance(data, Mapping):
        raise InputError(
            f"{where}：{zh}应为“行 → 列 → 数值”的对象。", f"{where}: {en} must be an object of rows of columns."
        )
    row_names = _row_names(spec) if by_label else {r: r for r in spec.rows}
    col_names = _column_names(spec) if by_label else {c: c for c in spec.columns}
    given: dict[str, Mapping[str, Any]] = {}
    for rname, rdata in data.items():
        rkey = _lookup(row_names, str(rname)) if by_label else (rname if rname in spec.rows else None)
        if rkey is None:
            raise InputError(
                f"{where}：{zh}（{spec.key}）没有“{rname}”这一行。可用的行：{_keys_text(spec.rows)}。",
                f"{where}: {en} ({spec.key}) has no row {rname!r}. Rows: {_keys_text(spec.rows)}.",
            )
        if rkey in given:
            raise InputError(f"{where}：{zh}的“{rname}”行重复。", f"{where}: {en} row {rname!r} is given twice.")
        if rdata is None:
            rdata = {}
        if not isinstance(rdata, Mapping):
            raise InputError(
                f"{where}：{zh}的“{rname}”行应为“列 → 数值”的对象。",
                f"{where}: {en} row {rname!r} must be an object of columns.",
            )
        given[rkey] = rdata
    rows: dict[str, Row] = {}
    for rkey, rspec in spec.rows.items():
        rdata = given.get(rkey, {})
        row_cells = cells.get(rkey) if cells is not None else None
        values: dict[str, Value] = {}
        seen: set[str] = set()
        for cname, raw_value in rdata.items():
            ckey = _lookup(col_names, str(cname)) if by_label else (cname if cname in spec.columns else None)
            if ckey is None or ckey not in rspec.columns:
                raise InputError(
                    f"{where}：{zh}的“{rkey}”行没有“{cname}”这一列。可用的列：{_keys_text(rspec.columns)}。",
                    f"{where}: {en} row {rkey!r} has no column {cname!r}. Columns: {_keys_text(rspec.columns)}.",
                )
            if ckey in seen:
                raise InputError(
                    f"{where}：{zh}“{rkey}”行的“{cname}”列重复。", f"{where}: {en} {rkey}.{cname} is given twice."
                )
            seen.add(ckey)
            number = _number(raw_value, f"{where}: {spec.key}.{rkey}.{ckey}")
            cell = row_cells.get(ckey) if isinstance(row_cells, Mapping) else None
            if isinstance(cell, Mapping):
                values[ckey] = _value(number, _str_or_none(cell.get("raw")), cell.get("status"), cell.get("unit"))
            else:
                values[ckey] = _value(number)
        for ckey in rspec.columns:
            values.setdefault(ckey, _value(None))
        ordered = {c: values[c] for c in rspec.columns}
        if cells is not None:
            found = isinstance(row_cells, Mapping)
        else:
            found = rkey in given and (not rspec.optional or any(v.value is not None for v in ordered.values()))
        rows[rkey] = Row(
            key=rkey,
            label=rspec.label if found else "",
            columns=rspec.columns,
            values=ordered,
            cells=list(ordered.values()) if found else [],
            loc=Location(),
            found=found,
            optional=rspec.optional,
        )
    return TableData(key=spec.key, rows=rows, found=True)


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _extra_rows(spec: TableSpec, items: Any, where: str) -> list[Row]:
    """The parse output's ``extra_rows`` of one table: rows an agency added, kept after their row."""
    out: list[Row] = []
    if not isinstance(items, list):
        return out
    for n, item in enumerate(items):
        if not isinstance(item, Mapping) or not isinstance(item.get("label"), str):
            raise InputError(
                f"{where}：extra_rows 第{n + 1}项缺少 label。", f"{where}: extra_rows item {n + 1} has no label."
            )
        label = item["label"]
        vals = item.get("values") or {}
        if not isinstance(vals, Mapping):
            vals = {}
        raws = item.get("raw") if isinstance(item.get("raw"), list) else None
        values: dict[str, Value] = {}
        for i, (ckey, raw_value) in enumerate(vals.items()):
            number = _number(raw_value, f"{where}: extra_rows.{label}.{ckey}")
            raw = raws[i] if raws is not None and len(raws) == len(vals) and isinstance(raws[i], str) else None
            values[str(ckey)] = _value(number, raw)
        after = item.get("after") if isinstance(item.get("after"), str) else None
        out.append(
            Row(
                key=label,
                label=label,
                columns=tuple(values),
                values=values,
                cells=list(values.values()),
                loc=Location(),
                extra=True,
                after=after if after in spec.rows else None,
            )
        )
    return out


# ------------------------------------------------------------------------------------------------
# Reports


def _report(
    *,
    path: str,
    kind: str,
    meta: Meta,
    sections: dict[str, Section],
    tables: dict[str, TableData],
) -> Report:
    return Report(
        source=Source(path=path, sha256="", kind=kind, size=0),
        meta=meta,
        sections=sections,
        tables=tables,
        document=Document(blocks=[], kind=kind),
    )


def _date(value: Any, where: str, name: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d{4})\s*[-年./]\s*(\d{1,2})\s*[-月./]\s*(\d{1,2})\s*日?\s*", value)
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                pass
    raise InputError(
        f"{where}：{name} 应为日期，如 2024-01-20 或 2024年1月20日，不是“{value}”。",
        f"{where}: {name} must be a date such as 2024-01-20, not {value!r}.",
    )


def _year(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and value.strip().rstrip("年").isdigit():
        value = int(value.strip().rstrip("年"))
    if isinstance(value, bool) or not isinstance(value, int) or not 2008 <= value <= 2100:
        raise InputError(
            f"{where}：year 应为报告年度，如 2023，不是“{value}”。",
            f"{where}: year must be the report year, such as 2023, not {value!r}.",
        )
    return value


def _format(format_id: Any, year: int | None, where: str) -> FormatSpec:
    if format_id in (None, ""):
        return format_for_year(year)
    try:
        return load_format(str(format_id))
    except KeyError:
        raise InputError(
            f"{where}：未知的格式“{format_id}”，应为 2019 或 2021。",
            f"{where}: unknown format {format_id!r}: 2019 or 2021.",
        ) from None


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def report_from_json(obj: Any, where: str = "JSON") -> Report:
    """One object of ``gongkai parse --format json`` (docs/json.md) as a report to write.

    ``meta``, ``sections`` and ``tables`` are read; ``cells`` (when present) gives the text each
    value was printed as and which rows were found, ``extra_rows`` the rows an agency added. The
    format is the report's own (``meta.format``), else the one in force for its year."""
    if not isinstance(obj, Mapping):
        raise InputError(f"{where}：应为一个报告对象。", f"{where}: expected a report object.")
    if "error" in obj and "tables" not in obj:
        error = obj.get("error") or {}
        path = (obj.get("source") or {}).get("path", "")
        raise InputError(
            f"{where}：这是一个未能解析的文件（{path}）的错误记录：{error.get('message', '')}",
            f"{where}: this is the error record of a file that could not be parsed ({path}): "
            f"{error.get('message_en', '')}",
        )
    meta_in = obj.get("meta") or {}
    if not isinstance(meta_in, Mapping):
        raise InputError(f"{where}：meta 应为对象。", f"{where}: meta must be an object.")
    year = _year(meta_in.get("year"), where)
    fmt = _format(meta_in.get("format"), year, where)
    meta = Meta(
        agency=_text(meta_in.get("agency")),
        year=year,
        format=fmt.id,
        signed_on=_date(meta_in.get("signed_on"), where, "signed_on"),
        published_on=_date(meta_in.get("published_on"), where, "published_on"),
        title=_text(meta_in.get("title")),
    )
    sections: dict[str, Section] = {}
    sections_in = obj.get("sections") or {}
    if not isinstance(sections_in, Mapping):
        raise InputError(f"{where}：sections 应为对象。", f"{where}: sections must be an object.")
    for skey, sdata in sections_in.items():
        if skey not in SECTION_KEYS:
            raise InputError(
                f"{where}：没有“{skey}”这一章节。可用的章节：{_keys_text(SECTION_KEYS)}。",
                f"{where}: no section {skey!r}. Sections: {_keys_text(SECTION_KEYS)}.",
            )
        text = sdata.get("text") if isinstance(sdata, Mapping) else sdata
        title = sdata.get("title") if isinstance(sdata, Mapping) else None
        sections[skey] = Section(skey, title if isinstance(title, str) else "", text if isinstance(text, str) else "")
    tables_in = obj.get("tables") or {}
    cells_in = obj.get("cells") if isinstance(obj.get("cells"), Mapping) else None
    extra_in: Mapping[str, Any] = obj["extra_rows"] if isinstance(obj.get("extra_rows"), Mapping) else {}
    if not isinstance(tables_in, Mapping):
        raise InputError(f"{where}：tables 应为对象。", f"{where}: tables must be an object.")
    tables: dict[str, TableData] = {}
    for tkey in TABLE_KEYS:
        spec = fmt.tables[tkey]
        if tkey not in tables_in:
            tables[tkey] = _absent(spec)
            continue
        table_cells = cells_in.get(tkey, {}) if cells_in is not None else None
        tables[tkey] = table_from_values(spec, tables_in[tkey], where, table_cells)
        tables[tkey].extra_rows = _extra_rows(spec, extra_in.get(tkey), where)
    for tkey in tables_in:
        if tkey not in TABLE_KEYS:
            raise InputError(
                f"{where}：没有“{tkey}”这一统计表。可用的表：{_keys_text(TABLE_KEYS)}。",
                f"{where}: no table {tkey!r}. Tables: {_keys_text(TABLE_KEYS)}.",
            )
    path = (obj.get("source") or {}).get("path") if isinstance(obj.get("source"), Mapping) else None
    return _report(path=path or where, kind="json", meta=meta, sections=sections, tables=tables)


def _absent(spec: TableSpec) -> TableData:
    rows = {
        k: Row(k, "", r.columns, {c: _value(None) for c in r.columns}, [], Location(), found=False)
        for k, r in spec.rows.items()
    }
    return TableData(key=spec.key, rows=rows, found=False)


def _json_objects(text: str, where: str) -> Iterator[tuple[str, Any]]:
    """(place, object) for a JSON document or for each line of JSON Lines; a line that is no
    JSON gives its InputError as the object."""
    stripped = text.strip()
    if not stripped:
        raise InputError(f"{where}：文件是空的。", f"{where}: the file is empty.")
    try:
        whole = json.loads(stripped, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        whole_error = exc
    else:
        items = whole if isinstance(whole, list) else [whole]
        for n, item in enumerate(items, 1):
            yield (f"{where}#{n}" if isinstance(whole, list) else where), item
        return
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    try:
        json.loads(lines[0][1])
    except json.JSONDecodeError:  # not JSON Lines either: say where the document goes wrong
        raise _json_error(where, whole_error) from None
    for n, line in lines:
        try:
            obj: Any = json.loads(line, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            obj = _json_error(f"{where}:{n}", exc)  # this line is bad; the others are still read
        yield f"{where}:{n}", obj


def _json_error(where: str, exc: json.JSONDecodeError) -> InputError:
    return InputError(
        f"{where}：不是有效的 JSON（第{exc.lineno}行第{exc.colno}列：{exc.msg}）。",
        f"{where}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).",
    )


@dataclass(slots=True)
class JsonItem:
    """One report of a JSON input, or why that line cannot be written."""

    where: str
    report: Report | None = None
    error: InputError | None = None


def reports_from_json_text(text: str, where: str = "JSON") -> list[JsonItem]:
    """Every report object of a JSON or JSON Lines text; a bad line is an item with its error,
    the others are still read."""
    out: list[JsonItem] = []
    for place, obj in _json_objects(text, where):
        if isinstance(obj, InputError):
            out.append(JsonItem(place, error=obj))
            continue
        try:
            out.append(JsonItem(place, report=report_from_json(obj, place)))
        except InputError as exc:
            out.append(JsonItem(place, error=exc))
    return out


def requests_from_json_text(text: str, fmt: FormatSpec, where: str = "JSON", year: int | None = None) -> TableData:
    """Table 三 from JSON: ``{"new": {"natural_person": 0, …}, …}`` as in the parse output's
    ``tables.requests``; also a whole object of ``gongkai parse`` or ``gongkai ledger --format
    json`` (its ``tables.requests``, and ``cells`` when there are) or ``{"requests": {…}}``. Rows
    and columns are the keys of *fmt* (docs/format.md); an object whose ``meta.year`` is not
    *year* is refused."""
    objects = list(_json_objects(text, where))
    if len(objects) != 1:
        raise InputError(
            f"{where}：应只有一个表三对象，这里有 {len(objects)} 个。",
            f"{where}: expected one table 3 object, found {len(objects)}.",
        )
    place, obj = objects[0]
    if isinstance(obj, InputError):
        raise obj
    if not isinstance(obj, Mapping):
        raise InputError(f"{place}：表三应为 JSON 对象。", f"{place}: table 3 must be a JSON object.")
    cells = None
    meta = obj.get("meta")
    given_year = meta.get("year") if isinstance(meta, Mapping) else None
    if year is not None and isinstance(given_year, int) and given_year != year:
        raise InputError(
            f"{place}：表三是 {given_year} 年度的，报告是 {year} 年度的。",
            f"{place}: table 3 is for {given_year}, the report for {year}.",
        )
    if isinstance(obj.get("tables"), Mapping):
        cells_all = obj.get("cells")
        cells = cells_all.get("requests") if isinstance(cells_all, Mapping) else None
        obj = obj["tables"].get("requests")
        if obj is None:
            raise InputError(
                f"{place}：tables 中没有 requests（表三）。", f"{place}: tables has no requests (table 3)."
            )
    elif isinstance(obj.get("requests"), Mapping) and "requests" not in fmt.tables["requests"].rows:
        obj = obj["requests"]
    return table_from_values(fmt.tables["requests"], obj, place, cells if isinstance(cells, Mapping) else None)


# ------------------------------------------------------------------------------------------------
# YAML


class _Loader(yaml.SafeLoader):
    """YAML with exact numbers: ``7730.28`` is Decimal("7730.28"), never a binary float."""


def _decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise InputError(f"“{text}”不是数字。", f"{text!r} is not a number.") from None


_Loader.add_constructor("tag:yaml.org,2002:float", _decimal)


def load_yaml(text: str, where: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"第{mark.line + 1}行：" if mark is not None else ""
        line_en = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(
            f"{where}：YAML 格式有误（{line}{problem}）。",
            f"{where}: not valid YAML ({line_en}{problem}).",
        ) from None


def _section_key(name: str) -> str | None:
    if name in SECTION_KEYS:
        return name
    spec = match_heading(name)
    if spec is not None:
        return spec.key
    for s in section_specs():
        if label_key(name) == label_key(s.title) or label_core(name) == label_core(s.title):
            return s.key
    return None


META_KEYS = ("agency", "year", "signed_on", "published_on", "title", "format")


def _meta_from(data: Mapping[str, Any], where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "agency" in data:
        out["agency"] = _text(data["agency"])
    if "year" in data:
        out["year"] = _year(data["year"], where)
    for name in ("signed_on", "published_on"):
        if name in data:
            out[name] = _date(data[name], where, name)
    if "title" in data:
        out["title"] = _text(data["title"])
    if "format" in data and data["format"] is not None:
        out["format"] = str(data["format"])
    return out


def report_from_yaml_text(text: str, where: str = "YAML") -> Report:
    """A report from a YAML source (docs/write.md): agency, year, signed_on, sections, tables
    二 and 四 (and 三, which ``--requests`` replaces)."""
    data = load_yaml(text, where)
    if not isinstance(data, Mapping):
        raise InputError(
            f"{where}：应为一个对象（agency、year、signed_on、sections、tables）。",
            f"{where}: expected a mapping (agency, year, signed_on, sections, tables).",
        )
    allowed = {*META_KEYS, "sections", "tables"}
    for k in data:
        if k not in allowed:
            raise InputError(
                f"{where}：不认识的键“{k}”。可用的键：{_keys_text(sorted(allowed))}。",
                f"{where}: unknown key {k!r}. Keys: {_keys_text(sorted(allowed))}.",
            )
    meta_in = _meta_from(data, where)
    for name in ("agency", "year", "signed_on"):
        if meta_in.get(name) is None:
            raise InputError(f"{where}：缺少 {name}。", f"{where}: {name} is missing.")
    year = meta_in["year"]
    fmt = _format(meta_in.get("format"), year, where)
    meta = Meta(
        agency=meta_in["agency"],
        year=year,
        format=fmt.id,
        signed_on=meta_in["signed_on"],
        published_on=meta_in.get("published_on"),
        title=meta_in.get("title"),
    )
    sections: dict[str, Section] = {}
    sections_in = data.get("sections") or {}
    if not isinstance(sections_in, Mapping):
        raise InputError(
            f"{where}：sections 应为“章节 → 正文”的对象。", f"{where}: sections must map sections to text."
        )
    for name, body in sections_in.items():
        skey = _section_key(str(name))
        if skey is None:
            titles = "、".join(s.title for s in section_specs())
            raise InputError(
                f"{where}：不认识的章节“{name}”。章节可写键名（{_keys_text(SECTION_KEYS)}）或标题（{titles}）。",
                f"{where}: unknown section {name!r}. Use a key ({_keys_text(SECTION_KEYS)}) or a title.",
            )
        if skey in sections:
            raise InputError(f"{where}：章节“{name}”重复。", f"{where}: section {name!r} is given twice.")
        if body is not None and not isinstance(body, str):
            raise InputError(f"{where}：章节“{name}”的正文应为文字。", f"{where}: section {name!r} must be text.")
        sections[skey] = Section(skey, "", (body or "").strip())
    tables_in = data.get("tables") or {}
    if not isinstance(tables_in, Mapping):
        raise InputError(f"{where}：tables 应为对象。", f"{where}: tables must be an object.")
    tables: dict[str, TableData] = {}
    names = {k: k for k in TABLE_KEYS} | {zh: k for k, (zh, _) in table_names().items()}
    given: dict[str, Any] = {}
    for name, tdata in tables_in.items():
        tkey = names.get(str(name))
        if tkey is None:
            raise InputError(
                f"{where}：没有“{name}”这一统计表。可用："
                + "、".join(f"{k}（{zh}）" for k, (zh, _) in table_names().items())
                + "。",
                f"{where}: no table {name!r}. Tables: proactive, requests, appeals.",
            )
        given[tkey] = tdata
    for tkey in TABLE_KEYS:
        spec = fmt.tables[tkey]
        tables[tkey] = (
            table_from_values(spec, given[tkey], f"{where}: tables.{tkey}", by_label=True)
            if tkey in given
            else _absent(spec)
        )
    return _report(path=where, kind="yaml", meta=meta, sections=sections, tables=tables)


# ------------------------------------------------------------------------------------------------
# Markdown

_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
_FRONT_MATTER_RE = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)


def report_from_markdown_text(text: str, where: str = "Markdown") -> Report:
    """A report from a Markdown source (docs/write.md), read by gongkai's own parser: the six
    sections under their titles, tables 二 and 四 (and 三) as pipe tables; agency, year and dates
    from a YAML front matter (``---`` … ``---``), else from the title and the closing lines.

    A cell the parser had to guess (run-together digits) or could not read as a number is
    refused: a source is written by a person and says what it means."""
    from gongkai.pipeline import parse_bytes
    from gongkai.readers import ReadError

    front: dict[str, Any] = {}
    body = text
    m = _FRONT_MATTER_RE.match(text)
    if m:
        data = load_yaml(m.group(1), f"{where} (front matter)")
        if data is not None and not isinstance(data, Mapping):
            raise InputError(f"{where}：front matter 应为 YAML 对象。", f"{where}: the front matter must be a mapping.")
        data = data or {}
        for k in data:
            if k not in META_KEYS:
                raise InputError(
                    f"{where}：front matter 中不认识的键“{k}”。可用的键：{_keys_text(META_KEYS)}。",
                    f"{where}: unknown front matter key {k!r}. Keys: {_keys_text(META_KEYS)}.",
                )
        front = _meta_from(data, where)
        # Keep the line numbers of the body: the front matter becomes blank lines.
        body = "\n" * m.group(0).count("\n") + text[m.end() :]
    # Comments are not shown by Markdown: they are no text of the report (line numbers are kept).
    body = _COMMENT_RE.sub(lambda c: "\n" * c.group(0).count("\n"), body)
    try:
        parsed = parse_bytes(body.encode("utf-8"), where)
    except ReadError as exc:
        raise InputError(f"{where}：{exc.message_zh}", f"{where}: {exc.message_en}") from None
    meta = parsed.meta
    agency = front.get("agency", meta.agency)
    year = front.get("year", meta.year)
    signed_on = front.get("signed_on", meta.signed_on)
    for name, value in (("agency", agency), ("year", year), ("signed_on", signed_on)):
        if value is None:
            raise InputError(
                f"{where}：找不到 {name}。请写在开头的 front matter 中（--- {name}: … ---）。",
                f"{where}: no {name} found. Give it in a front matter at the top (--- {name}: … ---).",
            )
    fmt = _format(front.get("format"), year, where)
    found_tables = [t for t in ("proactive", "appeals", "requests") if parsed.tables[t].found]
    if meta.format != fmt.id and "proactive" in found_tables:
        raise InputError(
            f"{where}：{year}年度的报告应使用{fmt.id}年格式（{fmt.issued_by}），表二却是{meta.format}年格式的列。",
            f"{where}: a {year} report uses the {fmt.id} format ({fmt.issued_by}); table 2 has the columns of the "
            f"{meta.format} format.",
        )
    _refuse_unsettled(parsed, where)
    tables: dict[str, TableData] = {}
    for tkey in TABLE_KEYS:
        data_table = parsed.tables[tkey]
        tables[tkey] = _clean_table(data_table) if data_table.found else _absent(fmt.tables[tkey])
    meta_out = Meta(
        agency=agency,
        year=year,
        format=fmt.id,
        signed_on=signed_on,
        published_on=front.get("published_on", meta.published_on),
        title=front.get("title", meta.title),
    )
    sections = {k: Section(k, "", s.text) for k, s in parsed.sections.items()}
    return _report(path=where, kind="markdown", meta=meta_out, sections=sections, tables=tables)


def _refuse_unsettled(report: Report, where: str) -> None:
    problems: list[str] = []
    for t in report.tables.values():
        if not t.found:
            continue
        written: dict[str, str] = {}  # row → its cells as written, for the rows the parser had to cut
        for recovered in t.recovered:
            written.setdefault(recovered.row, recovered.raw)
        for ambiguous in t.ambiguous:
            raw = ambiguous.raw if isinstance(ambiguous.raw, str) else " ".join(ambiguous.raw)
            written.setdefault(ambiguous.row, raw)
        for r in [*t.rows.values(), *t.extra_rows]:
            if not r.found:
                continue
            bad = [v for v in r.values.values() if v.status in UNSETTLED]
            if bad:
                raw = written.get(r.key) or " ".join(v.raw for v in bad if v.raw)
                problems.append(f"{t.key}.{r.key}" + (f"“{raw}”" if raw else ""))
        if t.stray:
            problems.append(f"{t.key}: " + " ".join(v.raw for v in t.stray))
    if problems:
        shown = "；".join(problems[:8]) + ("…" if len(problems) > 8 else "")
        raise InputError(
            f"{where}：这些单元格读不出确定的数字（数字连在一起、不是数字或不属于任何行）：{shown}。"
            "请每格只写一个数字，用 | 分隔。",
            f"{where}: these cells do not read as one certain number (digits run together, not a number, or in no "
            f"row): {shown}. Write one number per cell, separated by |.",
        )


def _clean_table(table: TableData) -> TableData:
    """A parsed table with values only: the places in the Markdown source are no places in the
    report to be written."""
    rows = {
        k: Row(
            r.key,
            r.label,
            r.columns,
            {c: _value(v.value, v.raw, v.status, v.unit) for c, v in r.values.items()},
            [_value(v.value, v.raw, v.status, v.unit) for v in r.cells],
            Location(),
            found=r.found,
            optional=r.optional,
        )
        for k, r in table.rows.items()
    }
    extra = [
        Row(
            r.key,
            r.label,
            r.columns,
            {c: _value(v.value, v.raw, v.status, v.unit) for c, v in r.values.items()},
            [],
            Location(),
            extra=True,
            after=r.after,
        )
        for r in table.extra_rows
    ]
    return TableData(key=table.key, rows=rows, found=True, extra_rows=extra)


# ------------------------------------------------------------------------------------------------


def with_requests(report: Report, requests: TableData) -> Report:
    """*report* with its table 三 replaced."""
    tables = dict(report.tables)
    tables["requests"] = requests
    return Report(report.source, report.meta, report.sections, tables, report.document, list(report.notes))


def source_kind(name: str, text: str) -> str:
    """``json``, ``yaml`` or ``markdown``: by the file's suffix, else by its content."""
    lower = name.lower()
    if lower.endswith((".json", ".jsonl", ".ndjson")):
        return "json"
    if lower.endswith((".yaml", ".yml")):
        return "yaml"
    if lower.endswith((".md", ".markdown", ".txt")):
        return "markdown"
    head = text.lstrip("\ufeff \t\r\n")[:1]
    if head in ("{", "["):
        return "json"
    if head == "#" or "\n## " in text or "\n|" in text:
        return "markdown"
    return "yaml"
