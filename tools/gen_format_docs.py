"""Write docs/format.md from the packaged format specs: python tools/gen_format_docs.py [--check]"""

from __future__ import annotations

import sys
from pathlib import Path

from gongkai.formats import load_format, section_specs

DOC = Path(__file__).resolve().parent.parent / "docs" / "format.md"


def render() -> str:
    out = [
        "# The national formats as gongkai reads them",
        "",
        "Generated from `src/gongkai/formats/*.toml` by `tools/gen_format_docs.py`; do not edit by hand.",
        "Keys are the public data contract: never renamed, only added.",
        "",
        "## Sections",
        "",
        "| key | title |",
        "|---|---|",
    ]
    for s in section_specs():
        out.append(f"| `{s.key}` | {s.title} |")
    for fid in ("2019", "2021"):
        f = load_format(fid)
        out += ["", f"## Format {fid} ({f.issued_by}, from report year {f.first_year})"]
        for t in f.tables.values():
            out += ["", f"### `{t.key}` — {t.title}", "", "| row key | label | columns |", "|---|---|---|"]
            for r in t.rows.values():
                cols = ", ".join(f"`{c}` {t.columns[c].label}" for c in r.columns)
                note = " (optional variant)" if r.optional else ""
                out.append(f"| `{r.key}` | {r.label}{note} | {cols} |")
            if t.sums:
                out += [
                    "",
                    f"Sums of {t.short_zh} (the balance rules; recovery of run-together digits):",
                    "",
                ]
                out += ["| rule | per | left side | right side |", "|---|---|---|---|"]
                for s in t.sums:
                    lhs, rhs = ", ".join(f"`{k}`" for k in s.lhs), ", ".join(f"`{k}`" for k in s.rhs)
                    out.append(f"| {s.code} | every {s.per} | {s.lhs_zh}: {lhs} | {s.rhs_zh}: {rhs} |")
            if t.quantities:
                out += ["", f"Quantities of {t.short_zh} (stated in the text, charted on the pages):", ""]
                out += ["| key | name | rows | columns |", "|---|---|---|---|"]
                for q in t.quantities:
                    rows, cols = ", ".join(f"`{k}`" for k in q.rows), ", ".join(f"`{c}`" for c in q.columns)
                    out.append(f"| `{q.key}` | {q.zh} / {q.en} | {rows} | {cols} |")
    return "\n".join(out) + "\n"


def main() -> int:
    text = render()
    if "--check" in sys.argv:
        if DOC.read_text(encoding="utf-8") != text:
            print("docs/format.md is stale: run python tools/gen_format_docs.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
