"""Write docs/rules/<CODE>.md and docs/rules/README.md from the rule classes.

    python tools/gen_rule_docs.py          # write
    python tools/gen_rule_docs.py --check  # exit 1 if the docs are stale

tests/test_rules_docs.py runs the check.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gongkai.rules.docs import rendered_docs

DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules"


def stale(docs_dir: Path = DOCS) -> list[str]:
    """Files that are missing, different, or no longer generated."""
    want = rendered_docs()
    out = [
        name
        for name, text in want.items()
        if not (docs_dir / name).is_file() or (docs_dir / name).read_text(encoding="utf-8") != text
    ]
    if docs_dir.is_dir():
        out += [p.name for p in sorted(docs_dir.glob("*.md")) if p.name not in want]
    return out


def write(docs_dir: Path = DOCS) -> list[str]:
    docs_dir.mkdir(parents=True, exist_ok=True)
    want = rendered_docs()
    changed = stale(docs_dir)
    for name in changed:
        path = docs_dir / name
        if name in want:
            path.write_text(want[name], encoding="utf-8")
        else:
            path.unlink()
    return changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only report stale files; exit 1 if any")
    args = parser.parse_args()
    if args.check:
        names = stale()
        for name in names:
            print(f"stale: docs/rules/{name}")
        sys.exit(1 if names else 0)
    for name in write():
        print(f"wrote docs/rules/{name}")


if __name__ == "__main__":
    main()
