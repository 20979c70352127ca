"""Property: a report flattened onto one line the way crawlers do it — cells joined with a space
or with nothing, at random — reads back with every value either exactly right or left null
(never another number), and the nulls are said (F005/F101). The real pages in tests/corpus are
the measure; this covers the busy tables (thousands of requests) the real corpus lacks."""

from __future__ import annotations

import random
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import textgen
from gongkai.pipeline import parse_bytes
from gongkai.rules import check_report

HEADER = "标题: 临河区医疗保障局2023年政府信息公开工作年度报告\n发布时间: 2024-01-20 10:00\n==== 正文 ====\n"


def flatten(text: str, rng: random.Random) -> str:
    """One line: each cell separator becomes a space or disappears."""
    out = []
    for line in text.split("\n"):
        cells = [c.strip() for c in re.split(r"\s*\|\s*", line) if c.strip()]
        joined = ""
        for i, c in enumerate(cells):
            if i and joined and joined[-1].isdigit() and c[:1].isdigit():
                joined += rng.choice(["", " "])
            joined += c
        out.append(joined)
    return "".join(out)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), busy=st.booleans(), fmt=st.sampled_from(["2019", "2021"]))
def test_one_line_reads_right_or_null(seed: int, busy: bool, fmt: str) -> None:
    rng = random.Random(seed)
    values = textgen.balanced_values(fmt, rng, busy=busy)
    text = HEADER + flatten(textgen.render(values, fmt, "pipe"), rng)
    report = parse_bytes(text.encode(), "flat.txt")
    expected = textgen.expected_tables(values, fmt)
    got = report.to_dict()["tables"]
    nulls = 0
    for table in ("requests", "appeals"):
        for row, cells in expected[table].items():
            for column, want in cells.items():
                have = got.get(table, {}).get(row, {}).get(column)
                assert have in (want, None), (table, row, column, want, have)
                nulls += have is None and want is not None
    if nulls:
        assert {f.code for f in check_report(report)} & {"F005", "F101", "F015"}
