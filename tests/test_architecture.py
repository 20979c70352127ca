"""Data flows one way: read → layout → sections → tables → meta → model → rules → store → views,
with the application layer (corpus) on top. A stage never imports a later one — not at the top of
a module, not inside a function, not under TYPE_CHECKING."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "gongkai"

LATER = ("gongkai.rules", "gongkai.store", "gongkai.views", "gongkai.corpus")
# package or module → what it must never import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "readers": LATER,
    "layout": LATER,
    "sections": LATER,
    "tables": LATER,
    "meta": LATER,
    "model.py": LATER,
    "document.py": LATER,
    "normalize.py": LATER,
    "formats": LATER,
    "region": LATER,
    "pipeline.py": LATER,
    "files.py": LATER,
    "limits.py": LATER,
    "faults.py": LATER,
    "jsonout.py": LATER,
    "memo.py": ("gongkai",),  # a helper every stage uses: it imports nothing of the project
    "writers": LATER,
    "rules": ("gongkai.store", "gongkai.views", "gongkai.corpus"),
    "store": ("gongkai.views", "gongkai.corpus"),
}


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = ".".join(("gongkai", *path.relative_to(SRC).with_suffix("").parts[:-1]))
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's package
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                name = f"{base}.{node.module}" if node.module else base
            else:
                name = node.module or ""
            out.append((node.lineno, name))
            # from gongkai import store
            out.extend((node.lineno, f"{name}.{a.name}") for a in node.names)
    return out


def _files(entry: str) -> list[Path]:
    target = SRC / entry
    return sorted(target.rglob("*.py")) if target.is_dir() else [target]


@pytest.mark.parametrize("entry", sorted(FORBIDDEN))
def test_no_stage_imports_a_later_one(entry: str) -> None:
    bad = [
        f"{path.relative_to(SRC)}:{line} imports {name}"
        for path in _files(entry)
        for line, name in _imports(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[entry])
    ]
    assert not bad, "\n".join(bad)


def test_every_package_is_placed() -> None:
    """A new package or top-level module must say where it sits in the flow (here or above it)."""
    above = {"views", "corpus", "workers.py", "__init__.py", "__main__.py", "ledger"}
    entries = {p.name for p in SRC.iterdir() if (p.is_dir() and (p / "__init__.py").exists()) or p.suffix == ".py"}
    unplaced = entries - set(FORBIDDEN) - above
    assert not unplaced, f"place these in FORBIDDEN or above: {sorted(unplaced)}"
