"""The sums the national format implies, stated once for the balance rules.

Each :class:`Relation` is one equation ``sum(lhs) == sum(rhs)`` over cells of a table, with the
rule that owns it (B001–B004) and the place to report it. The rules B001–B004 report the
relations that do not hold; F015 reports the ones that cannot be verified because an operand has
no value. Both read the same list, so an equation is never checked twice or differently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import ClassVar

from gongkai.formats import TableSpec
from gongkai.model import Number, Row, TableData
from gongkai.rules.base import Context, Finding, Place, Rule, column_label, number_text

APPLICANT_COLUMNS = ("natural_person", "commercial", "research", "nonprofit", "legal_services", "other_org")
APPEAL_PARTS = ("upheld", "corrected", "other", "pending")

# Short names of the rows of table 三 as the format numbers them.
REQUEST_ROW_NUMBERS = {"new": "一", "carried_over": "二", "total": "三(七)", "carried_forward": "四"}


@dataclass(slots=True)
class Operand:
    name: str  # figure key: "new", "total", "granted", "upheld" …
    row: Row
    column: str
    number: Number | None  # the cell's value; None for a cell without one or a row not found

    @classmethod
    def of(cls, name: str, row: Row, column: str) -> Operand:
        value = row.values.get(column) if row.found else None
        return cls(name, row, column, value.value if value is not None else None)


@dataclass(slots=True)
class Relation:
    code: str  # the balance rule that owns the equation
    spec: TableSpec
    table: TableData
    place_of: Callable[[], Place]  # where to report it; built only for equations reported
    subject_zh: str  # 「自然人」列 / 「一、本年新收…」行 / 行政复议
    subject_en: str
    lhs: tuple[Operand, ...]
    rhs: tuple[Operand, ...]
    lhs_zh: str  # 一+二
    rhs_zh: str  # 三(七)+四
    lhs_en: str
    rhs_en: str

    @property
    def place(self) -> Place:
        return self.place_of()

    @property
    def operands(self) -> tuple[Operand, ...]:
        return self.lhs + self.rhs

    @property
    def nulls(self) -> list[Operand]:
        return [o for o in self.operands if o.number is None]

    @property
    def rows(self) -> list[Row]:
        seen: dict[str, Row] = {}
        for o in self.operands:
            seen.setdefault(o.row.key, o.row)
        return list(seen.values())

    def sums(self) -> tuple[Number, Number]:
        return _sum(o.number for o in self.lhs), _sum(o.number for o in self.rhs)

    def expression(self, side: tuple[Operand, ...], skip_zeros: bool = False) -> str:
        """``10+2 = 12``; with *skip_zeros*, zero terms of a long sum are left out."""
        terms = [number_text(o.number) for o in side if not (skip_zeros and o.number == 0)]
        total = _sum(o.number for o in side)
        if not terms:
            terms = ["0"]
        if len(terms) == 1:
            return number_text(total)
        return "+".join(terms) + f" = {number_text(total)}"

    def operand_figures(self) -> dict[str, object]:
        """Every operand by name."""
        return {o.name: o.number for o in self.operands}

    def figures(self) -> dict[str, object]:
        """Every operand by name, then the two sums."""
        out = self.operand_figures()
        lhs, rhs = self.sums()
        out[self.lhs_en] = lhs
        out[self.rhs_en] = rhs
        return out


def _sum(values: object) -> Number:
    total: Number = 0
    for v in values:  # type: ignore[attr-defined]
        if v is not None:
            total = total + v
    if isinstance(total, Decimal) and total == total.to_integral_value():
        return int(total)
    return total


def relations(ctx: Context) -> list[Relation]:
    """All equations of the report's tables, computed once per check."""
    cached = ctx.cache.get("relations")
    if cached is None:
        cached = list(_requests_relations(ctx)) + list(_appeals_relations(ctx))
        ctx.cache["relations"] = cached
    return cached


def outcome_rows(spec: TableSpec, table: TableData) -> list[str]:
    """The rows summed into （七）总计. A 2021 report that keeps the 2019 single （六）其他处理 row
    sums that row and not the absent sub-rows; otherwise the optional row is left out."""
    exempt = exempt_rows(spec, table)
    return [k for k, r in spec.rows.items() if r.outcome and k not in exempt]


def exempt_rows(spec: TableSpec, table: TableData) -> set[str]:
    """Rows of the format a table need not have: an optional row, or, when the optional row
    was found instead of them, the rows it replaces (RowSpec.replaces)."""
    out: set[str] = set()
    for k, r in spec.rows.items():
        if not r.optional:
            continue
        row = table.rows.get(k)
        single = row is not None and row.found and not any(table.rows[x].found for x in r.replaces if x in table.rows)
        if single:
            out.update(r.replaces)
        else:
            out.add(k)
    return out


def _requests_relations(ctx: Context) -> list[Relation]:
    if not ctx.readable("requests"):
        return []
    spec, table = ctx.table("requests")
    rows = table.rows
    out: list[Relation] = []
    columns = list(spec.columns)
    # B001: per column, new + carried_over = total + carried_forward
    if all(k in rows for k in ("new", "carried_over", "total", "carried_forward")):
        for c in columns:
            label = column_label(spec, c)
            new_value = rows["new"].values.get(c)
            out.append(
                Relation(
                    code="B001",
                    spec=spec,
                    table=table,
                    place_of=partial(
                        Place.of_table,
                        spec,
                        table,
                        column=c,
                        loc=new_value.loc if rows["new"].found and new_value else None,
                    ),
                    subject_zh=f"「{label}」列",
                    subject_en=f"column {c}",
                    lhs=(Operand.of("new", rows["new"], c), Operand.of("carried_over", rows["carried_over"], c)),
                    rhs=(
                        Operand.of("total", rows["total"], c),
                        Operand.of("carried_forward", rows["carried_forward"], c),
                    ),
                    lhs_zh="一+二",
                    rhs_zh="三(七)+四",
                    lhs_en="new + carried_over",
                    rhs_en="total + carried_forward",
                )
            )
    # B002: per row, total = the six applicant columns
    if "total" in spec.columns and all(c in spec.columns for c in APPLICANT_COLUMNS):
        for key, row in rows.items():
            if not row.found or "total" not in row.columns:
                continue
            out.append(
                Relation(
                    code="B002",
                    spec=spec,
                    table=table,
                    place_of=partial(Place.of_cell, spec, row, "total"),
                    subject_zh=f"「{spec.rows[key].label}」行",
                    subject_en=f"row {key}",
                    lhs=(Operand.of("total", row, "total"),),
                    rhs=tuple(Operand.of(c, row, c) for c in APPLICANT_COLUMNS),
                    lhs_zh="总计",
                    rhs_zh="六类申请人之和",
                    lhs_en="total",
                    rhs_en="sum of applicants",
                )
            )
    # B003: per column, total = the outcome rows
    if "total" in rows:
        outcomes = outcome_rows(spec, table)
        total_row = rows["total"]
        for c in columns:
            label = column_label(spec, c)
            out.append(
                Relation(
                    code="B003",
                    spec=spec,
                    table=table,
                    place_of=partial(Place.of_cell, spec, total_row, c)
                    if total_row.found
                    else partial(Place.of_table, spec, table, column=c),
                    subject_zh=f"「{label}」列",
                    subject_en=f"column {c}",
                    lhs=(Operand.of("total", total_row, c),),
                    rhs=tuple(Operand.of(k, rows[k], c) for k in outcomes),
                    lhs_zh="（七）总计",
                    rhs_zh="（一）至（六）各项之和",
                    lhs_en="total",
                    rhs_en="sum of outcomes",
                )
            )
    return out


def _appeals_relations(ctx: Context) -> list[Relation]:
    if not ctx.readable("appeals"):
        return []
    spec, table = ctx.table("appeals")
    out: list[Relation] = []
    for key, row in table.rows.items():
        if not row.found or "total" not in row.columns or not all(c in row.columns for c in APPEAL_PARTS):
            continue
        out.append(
            Relation(
                code="B004",
                spec=spec,
                table=table,
                place_of=partial(Place.of_cell, spec, row, "total"),
                subject_zh=f"「{spec.rows[key].label}」",
                subject_en=f"group {key}",
                lhs=(Operand.of("total", row, "total"),),
                rhs=tuple(Operand.of(c, row, c) for c in APPEAL_PARTS),
                lhs_zh="总计",
                rhs_zh="维持+纠正+其他+尚未审结",
                lhs_en="total",
                rhs_en="upheld + corrected + other + pending",
            )
        )
    return out


def irregular_note(rel: Relation) -> str | None:
    """A note when a row of the equation has more or fewer cells than the format (F004/F005):
    its values may have gone to the wrong columns."""
    odd = [r for r in rel.rows if r.irregular]
    if not odd:
        return None
    names = "、".join(f"「{r.label or r.key}」" for r in odd)
    return f"{names}行的数值个数与格式不符（见 F004/F005），数值可能错位。"


class EquationRule(Rule):
    """A balance rule over the equations it owns: reports those that do not hold. Equations with
    an operand without a value are left to F015 (unverifiable), never reported as imbalances.

    Templates get ``subject``, ``lhs`` and ``rhs`` (expressions such as ``10+2 = 12``)."""

    skip_zeros: ClassVar[bool] = False

    def check(self, ctx: Context) -> Iterator[Finding]:
        for rel in relations(ctx):
            if rel.code != self.code or rel.nulls:
                continue
            lhs, rhs = rel.sums()
            if lhs == rhs:
                continue
            yield self.finding(
                rel.place,
                figures=rel.figures(),
                note=irregular_note(rel),
                subject=rel.subject_zh,
                subject_en=rel.subject_en,
                lhs=rel.expression(rel.lhs, self.skip_zeros),
                rhs=rel.expression(rel.rhs, self.skip_zeros),
            )
