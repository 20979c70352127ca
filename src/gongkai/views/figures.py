"""The names of the figures under a finding, for people (``gongkai check`` and the web's report
page): in Chinese the label the format gives the row or column, the format's short form of a side
of a sum (一+二), a meta field's name, 上一年度 for ``previous_…``, or the name of a rule's own
figure; in English the key."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from gongkai.formats import FORMAT_IDS, TableSpec, load_format
from gongkai.rules.base import META_FIELDS

# Names of the figures rules give that are not cells of the format (a cell's figure is named by its
# row or column label, a sum's by the format's short form: 一+二).
FIGURE_NAMES: dict[str, str] = {
    "raw": "原文",
    "count": "个数",
    "cells": "单元格",
    "values": "数值",
    "columns": "格式列数",
    "table": "表",
    "section": "章节",
    "row": "行",
    "replaces": "所替代的行",
    "field": "项目",
    "format": "格式",
    "rule": "规则",
    "rows": "行",
    "recovered": "已还原",
    "ambiguous": "无法确定",
    "quantity": "数项",
    "text": "正文",
    "parts": "分项",
    "deadline": "法定期限",
    "days_late": "逾期天数",
    "title_year": "标题年度",
    "period_start": "统计期起",
    "period_end": "统计期止",
    "similarity": "相似度",
    "expected": "应为",
    "previous_year": "上一年度",
}
PREVIOUS = "previous_"
_REMARK = re.compile(r"(?<=[^\s（])（[^（）]*）$")  # （区分处理的，…） after a label, not （七） before one


def _short(label: str) -> str:
    """A label without the remark in brackets at its end: （二）部分公开, 本年收费金额."""
    return _REMARK.sub("", label)


def figure_label(
    key: str, *, code: str, table: str | None, figures: Mapping[str, Any] | None, format_id: str | None
) -> str:
    """A figure's Chinese name (a sum's figures are its rows when the sum runs down a column, its
    columns when it runs along a row)."""
    if key.startswith(PREVIOUS) and key != "previous_year":
        rest = key[len(PREVIOUS) :]
        return "上一年度" + figure_label(rest, code=code, table=table, figures=figures, format_id=format_id)
    fmt = load_format(format_id if format_id in FORMAT_IDS else FORMAT_IDS[-1])
    spec = fmt.tables.get(table) if table else None
    if spec is not None:
        label = _cell_figure_name(key, str((figures or {}).get("rule") or code), spec)
        if label is not None:
            return label
    if key in META_FIELDS:
        return META_FIELDS[key][0]
    return FIGURE_NAMES.get(key, key)


def figure_name(
    key: str, lang: str, *, code: str, table: str | None, figures: Mapping[str, Any] | None, format_id: str | None
) -> str:
    """A figure's name in *lang*: the key in English, :func:`figure_label` in Chinese."""
    if lang == "en":
        return key
    return figure_label(key, code=code, table=table, figures=figures, format_id=format_id)


MAX_FIGURES = 8


def shown_figures(items: Sequence[tuple[str, Any]]) -> tuple[list[tuple[str, Any]], int]:
    """The figures to show under a finding and how many are left out: all when there are at most
    :data:`MAX_FIGURES`, else the ones that are not zero (zeros are what hides the point), at
    most that many."""
    if len(items) <= MAX_FIGURES:
        return list(items), 0
    shown = [(k, v) for k, v in items if v != 0] or list(items[:MAX_FIGURES])
    shown = shown[:MAX_FIGURES]
    return shown, len(items) - len(shown)


def _cell_figure_name(key: str, code: str, spec: TableSpec) -> str | None:
    own = [s for s in spec.sums if s.code == code]
    rows = {k: r.label for k, r in spec.rows.items()}
    columns = {k: c.label for k, c in spec.columns.items()}
    down_a_column = any(s.per == "column" for s in own)
    for names in (rows, columns) if down_a_column else (columns, rows):
        if key in names:
            return _short(names[key])
    for s in own + [s for s in spec.sums if s.code != code]:
        if key == s.lhs_en:
            return s.lhs_zh
        if key == s.rhs_en:
            return s.rhs_zh
    return None


__all__ = ["FIGURE_NAMES", "MAX_FIGURES", "PREVIOUS", "figure_label", "figure_name", "shown_figures"]
