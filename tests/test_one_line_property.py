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


_PIECES = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
    "第二十条第（一）项",
    "信息内容",
    "规章",
    "行政规范性文件",
    "本列数据的勾稽关系",
    "申请人情况",
    "一、本年新收政府信息公开申请数量",
    "（七）总计",
    "3.其他",
    "行政复议",
    "结果维持",
    "总计",
    "0",
    "12",
    " ",
    "。",
    "，",
    "（",
    "）",
    "1.",
    "2024年1月29日",
    "平潭综合实验区财政金融局",
    "万元",
    "-",
    "—",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_PIECES) | st.text(max_size=5), min_size=1, max_size=120))
def test_unfold_never_loses_or_reorders_a_character(parts: list[str]) -> None:
    from gongkai.layout.unfold import unfold_line

    line = "".join(parts)
    pieces = unfold_line(line)
    assert "".join(pieces) == line
    # and the whole pipeline never fails on it, in a report or not
    try:
        parse_bytes((HEADER + line * 2).encode(), "fuzz.txt")
    except Exception as exc:  # only the documented refusal is allowed
        from gongkai.readers import ReadError

        assert isinstance(exc, ReadError), exc
