"""Golden: every file parses and checks to exactly what it did when the snapshot was taken.

The files: every example (examples/*.txt), every file of the real corpus (tests/corpus/files/) and
of tests/fixtures/real/, and a fixed set of generated variants — the scraped layouts of
tests/textgen.py in both formats, busy and quiet, with thousands separators, traditional
characters, full-width digits, reports flattened onto one line the way crawlers write them, and
HTML and Markdown pages written by gongkai.writers. For each: ``Report.to_dict()``, every cell
as the model holds it (value and its type, raw text, unit, status, what inferred it, location),
the rows' labels and flags, the table heads and stray numbers, where each meta field was read,
the document the later stages read (blocks, grids, locations) and every finding's ``to_dict()``.

The snapshot (tests/golden/parse.json.xz) is the measure for changes that must not change any
result (issue 13: a faster parser gives the same results to the last cell). It is never updated
to hide a difference. When an *input* changes — a generator or writer in tests/ or
gongkai.writers writes other bytes, a reader (readers/) reads a file into another document — its
entry is stale, not wrong, and the test says so; refresh only those entries with

    .venv/bin/python tests/test_parse_golden.py --update

which rewrites an entry only when its input bytes or its read document changed (``--force`` for
a deliberate change of results, in a commit of its own that says why).
"""

from __future__ import annotations

import hashlib
import json
import lzma
import random
import re
import sys
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
SNAPSHOT = TESTS / "golden" / "parse.json.xz"
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))


# ------------------------------------------------------------------------------------------------
# The files


def _files(root: Path) -> Iterator[tuple[str, bytes]]:
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        yield path.relative_to(ROOT).as_posix(), path.read_bytes()


_ONE_LINE_HEADER = "标题: 临河区医疗保障局2023年政府信息公开工作年度报告\n发布时间: 2024-01-20 10:00\n==== 正文 ====\n"


def _flatten(text: str, rng: random.Random) -> str:
    """One line, as tests/test_one_line_property.py flattens: each cell separator becomes a space
    or disappears."""
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


def _generated() -> Iterator[tuple[str, bytes]]:
    import opencc

    import textgen
    from gongkai.writers import to_html, to_markdown
    from gongkai.writers.html import render_variants
    from gongkai.writers.input import report_from_json

    layouts = ("pipe", "tab", "lines", "markdown")
    for fmt in ("2019", "2021"):
        for layout in layouts:
            for seed in (0, 1):
                values = textgen.balanced_values(fmt, random.Random(100 + seed), busy=seed == 0)
                text = textgen.render(values, fmt, layout, thousands=seed == 0)
                yield f"gen/{fmt}-{layout}-{seed}.txt", text.encode()
    s2t = opencc.OpenCC("s2t")
    for layout in ("pipe", "lines"):
        values = textgen.balanced_values("2021", random.Random(9), busy=True)
        text = textgen.render(values, "2021", layout, agency="臨河區醫療保障局")
        yield f"gen/traditional-{layout}.txt", s2t.convert(text).encode()
    values = textgen.balanced_values("2021", random.Random(7), busy=True)
    wide = textgen.render(values, "2021", "pipe").translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    yield "gen/wide-digits.txt", wide.replace("一、", "⼀、").encode()
    yield "gen/gb18030.txt", textgen.render(values, "2021", "tab").encode("gb18030")
    for seed in range(8):
        rng = random.Random(seed)
        fmt = ("2019", "2021")[seed % 2]
        values = textgen.balanced_values(fmt, rng, busy=seed % 4 < 2)
        yield (
            f"gen/one-line-{seed}.txt",
            (_ONE_LINE_HEADER + _flatten(textgen.render(values, fmt, "pipe"), rng)).encode(),
        )
    for path in sorted((ROOT / "examples").glob("*.txt")):
        lines = path.read_text(encoding="utf-8").split("\n")
        yield f"gen/one-line-{path.stem[:3]}.txt", (_ONE_LINE_HEADER + "".join(lines)).encode()
    for fmt in ("2019", "2021"):
        values = textgen.balanced_values(fmt, random.Random(31), busy=True)
        obj = {
            "meta": {"agency": "临河区医疗保障局", "year": 2023 if fmt == "2021" else 2020, "format": fmt},
            "sections": {
                "overview": "本机关认真贯彻落实《中华人民共和国政府信息公开条例》，全年收到申请若干件。",
                "problems": "工作人员业务能力有待提高。",
                "other": "无。",
            },
            "tables": {t: values[t] for t in ("proactive", "requests", "appeals")},
        }
        report = report_from_json(obj)
        for name, kwargs in render_variants().items():
            yield f"gen/{fmt}-{name}.html", to_html(report, **kwargs)
        yield f"gen/{fmt}-written.md", to_markdown(report)


@cache
def golden_files() -> tuple[tuple[str, bytes], ...]:
    """(name, bytes) of every file the snapshot covers, in a fixed order."""
    out = [
        *_files(ROOT / "examples"),
        *_files(TESTS / "corpus" / "files"),
        *_files(TESTS / "fixtures" / "real"),
        *_generated(),
    ]
    return tuple((n, d) for n, d in out if not n.startswith("examples/write/"))


# ------------------------------------------------------------------------------------------------
# What is compared


def _number(v: Any) -> Any:
    if isinstance(v, Decimal):
        return {"decimal": str(v)}  # exactly as held: 1.50 and 1.5, int and Decimal differ
    return v


def _loc(loc: Any) -> Any:
    return None if loc is None else [loc.line, loc.table, loc.row, loc.cell, loc.page, loc.bbox]


def _value(v: Any) -> list[Any]:
    return [_number(v.value), type(v.value).__name__, v.raw, _loc(v.loc), v.unit, v.status, v.inferred_by]


def _row(r: Any) -> dict[str, Any]:
    return {
        "key": r.key,
        "label": r.label,
        "columns": list(r.columns),
        "values": {c: _value(v) for c, v in r.values.items()},
        "cells": [_value(v) for v in r.cells],
        "loc": _loc(r.loc),
        "flags": [r.found, r.extra, r.after, r.optional],
    }


def _document(doc: Any) -> dict[str, Any]:
    from gongkai.document import Table

    blocks: list[Any] = []
    for b in doc.blocks:
        if isinstance(b, Table):
            rows = [[[c.text, _loc(c.loc), c.merged] for c in row] for row in b.rows]
            blocks.append(["table", _loc(b.loc), b.from_text, rows])
        else:
            blocks.append(["p", b.text, _loc(b.loc)])
    return {
        "kind": doc.kind,
        "encoding": doc.encoding,
        "header": doc.header,
        "warnings": doc.warnings,
        "lines": hashlib.sha256("\n".join(doc.lines).encode("utf-8", "surrogatepass")).hexdigest(),
        "blocks": blocks,
    }


def read_digest(name: str, data: bytes) -> str:
    """The document as the reader gives it, before any later stage: when it changes, the reader
    (not the stages this snapshot guards) changed."""
    from gongkai.readers import ReadError, read_bytes

    try:
        doc = read_bytes(data, name)
    except ReadError as exc:
        return f"error:{exc.code}"
    return _digest(_document(doc))


def result(name: str, data: bytes) -> dict[str, Any]:
    """Everything parse and check give for one file."""
    from gongkai.pipeline import parse_bytes
    from gongkai.readers import ReadError
    from gongkai.rules import check_report

    try:
        report = parse_bytes(data, name)
    except ReadError as exc:
        return {"error": [exc.code, str(exc)]}
    findings = check_report(report, raise_errors=True)
    return {
        "report": report.to_dict(),
        "meta_sources": {k: _loc(v) for k, v in report.meta.sources.items()},
        "sections": {
            k: [s.title, _loc(s.loc), list(s.line_span) if s.line_span else None] for k, s in report.sections.items()
        },
        "tables": {
            k: {
                "found": t.found,
                "loc": _loc(t.loc),
                "header": t.header,
                "stray": [_value(v) for v in t.stray],
                "rows": [_row(r) for r in t.rows.values()],
                "extra_rows": [_row(r) for r in t.extra_rows],
            }
            for k, t in report.tables.items()
        },
        "document": _document(report.document),
        "findings": [f.to_dict() for f in findings],
    }


def _canonical(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=False, separators=(",", ":"), default=_default)


def _default(obj: Any) -> Any:
    if isinstance(obj, Decimal):
        return {"decimal": str(obj)}
    if isinstance(obj, tuple | set | frozenset):
        return list(obj)
    return str(obj)


def _digest(obj: Any) -> str:
    return hashlib.sha256(_canonical(obj).encode()).hexdigest()


# ------------------------------------------------------------------------------------------------
# The snapshot


@cache
def snapshot() -> dict[str, dict[str, Any]]:
    if not SNAPSHOT.exists():
        return {}
    data: dict[str, dict[str, Any]] = json.loads(lzma.decompress(SNAPSHOT.read_bytes()))["files"]
    return data


def _differences(old: Any, new: Any, path: str = "", limit: int = 12) -> list[str]:
    """Where two results differ, as JSON paths (the first *limit*)."""
    out: list[str] = []

    def walk(a: Any, b: Any, p: str) -> None:
        if len(out) >= limit or a == b:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for k in list(a) + [k for k in b if k not in a]:
                if k not in a or k not in b:
                    out.append(f"{p}/{k}: {'added' if k not in a else 'removed'}")
                else:
                    walk(a[k], b[k], f"{p}/{k}")
            if list(a) != list(b) and set(a) == set(b):
                out.append(f"{p}: key order {list(a)} → {list(b)}")
            return
        if isinstance(a, list) and isinstance(b, list):
            for i, (x, y) in enumerate(zip(a, b, strict=False)):
                walk(x, y, f"{p}[{i}]")
            if len(a) != len(b):
                out.append(f"{p}: length {len(a)} → {len(b)}")
            return
        out.append(f"{p}: {json.dumps(a, ensure_ascii=False)[:160]} → {json.dumps(b, ensure_ascii=False)[:160]}")

    walk(json.loads(_canonical(old)), json.loads(_canonical(new)), path)
    return out


def test_snapshot_covers_every_file() -> None:
    names = [n for n, _ in golden_files()]
    assert len(names) == len(set(names))
    assert sorted(snapshot()) == sorted(names), "files added or gone: refresh with --update"


@pytest.mark.parametrize("name", [n for n, _ in golden_files()])
def test_same_results(name: str) -> None:
    data = dict(golden_files())[name]
    entry = snapshot().get(name)
    assert entry is not None, f"{name}: not in the snapshot (new file: tests/test_parse_golden.py --update)"
    input_sha = hashlib.sha256(data).hexdigest()
    if entry["input"] != input_sha:
        pytest.fail(f"{name}: the input bytes changed (a generator or writer): refresh its entry with --update")
    if entry["read"] != read_digest(name, data):
        pytest.fail(f"{name}: the reader reads it into another document (readers/ changed): refresh with --update")
    got = result(name, data)
    if _digest(got) != entry["digest"]:
        diffs = _differences(entry["result"], got)
        pytest.fail(f"{name}: results differ from the snapshot:\n  " + "\n  ".join(diffs))


def _update(force: bool) -> None:
    old = snapshot()
    files: dict[str, dict[str, Any]] = {}
    kept = changed = 0
    for name, data in golden_files():
        input_sha = hashlib.sha256(data).hexdigest()
        read = read_digest(name, data)
        entry = old.get(name)
        stale = entry is None or entry["input"] != input_sha or entry["read"] != read
        if entry is not None and not stale and not force:
            files[name] = entry  # a difference in the results themselves is never written over
            kept += 1
            continue
        got = result(name, data)
        files[name] = {"input": input_sha, "read": read, "digest": _digest(got), "result": got}
        changed += 1
        print(f"{'new' if entry is None else 'refreshed'}: {name}")
    SNAPSHOT.parent.mkdir(exist_ok=True)
    text = json.dumps({"version": 1, "files": files}, ensure_ascii=False, separators=(",", ":"), default=_default)
    SNAPSHOT.write_bytes(lzma.compress(text.encode(), preset=9 | lzma.PRESET_EXTREME))
    print(f"{changed} entries written, {kept} kept, {len(old) - len(set(old) & set(files))} dropped")


if __name__ == "__main__":
    if "--update" not in sys.argv:
        sys.exit("usage: tests/test_parse_golden.py --update [--force]")
    _update(force="--force" in sys.argv)
