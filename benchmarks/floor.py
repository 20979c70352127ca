"""The floor: the least any reader of these files must do, timed on the same files.

For each file: its bytes, decoded to text, and one regular-expression pass over the text picking
out the runs of CJK characters and of digits (``re.finditer``) — what any reader that turns a
report into numbers cannot do without. Text and HTML are decoded as UTF-8 (GB18030 where that
fails); a Word file's ``word/document.xml`` is unzipped and decoded; a PDF's text is what PDFium
gives for each page (``FPDFText_GetText``), the least any PDF reader does. Nothing else: no
layout, no tables, no labels.

gongkai's speed is reported as a ratio to this floor measured in the same run: absolute times vary
on a shared machine, the ratio much less. Rates are reports per CPU-second of this one process
(one core).

    .venv/bin/python benchmarks/floor.py [FILE ...] [--rounds 20]
"""

from __future__ import annotations

import argparse
import io
import re
import time
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TOKENS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|\d+(?:\.\d+)?")


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def pdf_text(data: bytes) -> str:
    """Every page's text as PDFium extracts it, pages joined by newlines."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        out = []
        for i in range(len(doc)):
            page = doc[i]
            textpage = page.get_textpage()
            out.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return "\n".join(out)
    finally:
        doc.close()


def text_of(data: bytes) -> str:
    if data[:5] == b"%PDF-":
        return pdf_text(data)
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return decode(z.read("word/document.xml"))
    return decode(data)


def floor_one(data: bytes) -> int:
    """Decode one file and pass over it once; the number of tokens (kept so nothing is skipped)."""
    return sum(1 for _ in TOKENS.finditer(text_of(data)))


def cpu_rate(fn: Callable[[bytes], object], files: Iterable[bytes], rounds: int = 1) -> float:
    """Files per CPU-second of this process for ``fn`` over *files*, *rounds* times."""
    files = list(files)
    start = time.process_time()
    for _ in range(rounds):
        for data in files:
            fn(data)
    return rounds * len(files) / max(time.process_time() - start, 1e-9)


def floor_rate(files: Iterable[bytes], rounds: int = 1) -> float:
    """The floor's reports per CPU-second over *files*."""
    return cpu_rate(floor_one, files, rounds)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", type=Path, help="files to read (default: examples/*.txt)")
    ap.add_argument("--rounds", type=int, default=20, help="passes over the files (default 20)")
    args = ap.parse_args()
    paths = args.files or sorted(EXAMPLES.glob("*.txt"))
    files = [p.read_bytes() for p in paths]
    for data in files:
        floor_one(data)  # imports and regex compilation out of the timing
    rate = floor_rate(files, args.rounds)
    tokens = sum(floor_one(d) for d in files)
    print(f"floor: {len(files)} files × {args.rounds} rounds, {tokens} tokens per pass")
    print(f"floor: {rate:.1f} reports/s (one core)")


if __name__ == "__main__":
    main()
