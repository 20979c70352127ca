from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/textgen.py

SEEDS = {
    "000": EXAMPLES / "000_a548d0fc6c0d78a3.txt",
    "001": EXAMPLES / "001_c89b62cb4e001608.txt",
    "002": EXAMPLES / "002_8d33ec1681c31461.txt",
    "003": EXAMPLES / "003_4a9178fd99f7f697.txt",
    "004": EXAMPLES / "004_ab8af88deeac0065.txt",
}


@pytest.fixture(scope="session")
def seed_paths() -> dict[str, Path]:
    return SEEDS


@pytest.fixture(scope="session")
def seed_reports():
    from gongkai.pipeline import parse_path

    return {name: parse_path(path) for name, path in SEEDS.items()}
