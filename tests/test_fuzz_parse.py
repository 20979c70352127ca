"""Fuzzing the parser: whatever the bytes, the result is a Report or a ReadError, never a crash."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongkai.pipeline import parse_bytes
from gongkai.readers import ReadError

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def parse_or_read_error(data: bytes) -> None:
    try:
        report = parse_bytes(data, "fuzz")
    except ReadError as exc:
        assert exc.code and exc.message_zh and exc.message_en
        return
    report.to_dict()


@SETTINGS
@given(st.binary(max_size=4000))
def test_random_bytes(data):
    parse_or_read_error(data)


@SETTINGS
@given(
    st.text(
        alphabet=st.sampled_from(
            list("一二三四五六、（）()|\t\n 0123456789,.-—无总计其他处理申请公开本年新收结转规章行政复议")
        ),
        max_size=3000,
    )
)
def test_random_report_like_text(text):
    parse_or_read_error(text.encode("utf-8"))


@SETTINGS
@given(st.integers(min_value=0, max_value=2**32 - 1), st.sampled_from(["000", "001", "002", "003", "004"]))
def test_mutated_seeds(seed_paths, rng_seed, name):
    rng = random.Random(rng_seed)
    lines = seed_paths[name].read_text(encoding="utf-8").split("\n")
    for _ in range(rng.randint(1, 12)):
        op = rng.choice(["drop", "dup", "swap", "garble", "cut"])
        i = rng.randrange(len(lines))
        if op == "drop" and len(lines) > 1:
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "garble":
            lines[i] = "".join(rng.choice("0123456789|\t—一二（）") for _ in range(rng.randint(0, 40)))
        elif op == "cut":
            lines[i] = lines[i][: rng.randint(0, len(lines[i]))]
    parse_or_read_error("\n".join(lines).encode("utf-8"))
