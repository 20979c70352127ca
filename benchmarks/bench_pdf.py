"""PDF backends compared on the project's PDFs: reports/s, peak memory, ratio to the floor, and
whether every value comes out as before.

The PDFs: every real one under tests/ (tests/fixtures/real) and, as extra cover, the five seeds
written by ``gongkai.writers.pdf`` (table 三 over a page break). Each backend reads a file's pages
into the same characters-and-paths form (:class:`gongkai.readers.pdf_pdfium.PageObjects`); the
same layout code (:mod:`gongkai.readers.pdf_layout`) then makes the tables and paragraphs, so the
rows differ only in how the pages are read:

    pdfplumber   pdfminer through pdfplumber: how gongkai read PDFs before (the reference)
    pdfminer     pdfminer alone, layout analysis off, its objects turned into dictionaries here
    playa        playa-pdf (MIT; pdfminer's successor, pure Python), if installed
    pdf-oxide    pdf_oxide (MIT OR Apache-2.0; Rust), if installed
    pypdfium2    PDFium (Apache-2.0/BSD-3-Clause): gongkai.readers.pdf.read as shipped, which
                 leaves to pdfminer the pages PDFium cannot read right
    floor        PDFium's plain text of every page and one regex pass (benchmarks/floor.py)

"identical" means the whole pipeline (``parse_bytes``) gives every table value of the file as the
reference does, and the reader's grids, cells and paragraphs are the same. Each backend runs in a
process of its own, so its peak memory (its ``ru_maxrss``, read as ``VmHWM``) is its own. Rates
are reports per CPU-second (one core): "parse/s" of the whole pipeline (``parse_bytes``: bytes →
Report, tables and all, with the backend as the PDF reader), "read/s" of the reader alone (bytes
→ Document), and the floor's, timed in the same process beside each file; "× floor" is the
floor's rate over the parse rate, the figure to compare across machines.

    .venv/bin/python benchmarks/bench_pdf.py [--seconds 2] [--backends pypdfium2,pdfplumber] [--real]

Measured on the project's 2-core machine shared with other work (load 5 to 9, so the ratio to
the floor is the steadier figure), the two real PDFs, one run:

    backend     parse/s  read/s  floor/s  × floor  identical (real)  identical (written)
    pdfplumber      2.1     2.2     70.7     33.3  2/2               5/5
    pdfminer        2.4     2.6     74.9     31.7  2/2               5/5
    playa           3.5     3.4     80.2     22.7  2/2               5/5
    pdf-oxide      29.1    32.9     74.1      2.5  2/2               0/5
    pypdfium2      20.0    19.3     67.2      3.4  2/2               5/5   (before issue 13: ×4.0)

Instructions (callgrind, which a loaded machine does not disturb) for one parse of each of the two
real PDFs: 587M before the second pass of issue 13 (PDFium accessors keeping the GIL, paths drawn
directly, table edges met by bisection), 529M after it, against the floor's 198M: ×2.97 → ×2.68;
484M after the third (a path's segments read flat and in place, a rectangle's box without min()
and max(), a character's box and matrix read at once, table cells grouped by numbered corners, a
one-line cell cleaned once, a table's Cells and Locations made by slot_maker, the bomb check's
streams found by bytes.find; PYTHONHASHSEED=0, the second pass's 529M being 526M so), ×2.45. Of
the 484M, PDFium's own work (parsing each page's content, its text page, the fonts of a newly
opened file) is some 190M and the ctypes calls (one per character per field, one per page object:
PDFium has no bulk call for them) some 60M.

PDFium stays the reader: pdf-oxide is a third faster but reads the written PDFs differently (0/5
identical), and pdfminer, tuned or not, and playa are ten times slower.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from floor import floor_one  # noqa: E402

from gongkai.document import Document, Table  # noqa: E402
from gongkai.readers.pdf_pdfium import PageObjects, _paint  # noqa: E402

BACKENDS = ("pdfplumber", "pdfminer", "playa", "pdf-oxide", "pypdfium2", "floor")
SEEDS = ("000", "001", "002", "003", "004")


# ------------------------------------------------------------------------------------------------
# Inputs


def inputs(written: bool = True) -> list[tuple[str, bytes]]:
    from gongkai.pipeline import parse_bytes
    from gongkai.writers.pdf import to_pdf

    out = [(str(p.relative_to(ROOT)), p.read_bytes()) for p in sorted((ROOT / "tests").rglob("*.pdf"))]
    for seed in SEEDS if written else ():
        (path,) = sorted((ROOT / "examples").glob(f"{seed}_*.txt"))
        out.append((f"writers.pdf({seed})", to_pdf(parse_bytes(path.read_bytes(), path.name))))
    return out


# ------------------------------------------------------------------------------------------------
# Backends: a file's bytes → its pages' objects


def pages_pdfplumber(data: bytes) -> list[PageObjects]:
    from gongkai.readers.pdf import _open_pdfminer, _pdfminer_objects

    pdf = _open_pdfminer(data)
    try:
        return [_pdfminer_objects(p) for p in pdf.pages]
    finally:
        pdf.close()


def _pdfminer_page(layout: Any) -> PageObjects:
    from pdfminer.layout import LTChar, LTContainer, LTCurve, LTLine, LTRect

    height = layout.height
    objects = PageObjects(layout.width, height, (0, 0, layout.width, height), [], [], [], [])

    def box(o: Any) -> dict[str, Any]:
        top = height - o.y1
        return {"x0": o.x0, "x1": o.x1, "y0": o.y0, "y1": o.y1, "top": top, "bottom": height - o.y0, "doctop": top}

    def walk(items: Any) -> None:
        for o in items:
            if isinstance(o, LTChar):
                m = o.matrix
                upright = m[0] * m[3] > 0 and m[1] == 0 and m[2] == 0
                objects.chars.append({**box(o), "text": o.get_text(), "size": o.size, "upright": upright})
            elif isinstance(o, LTCurve):
                kind = "rect" if isinstance(o, LTRect) else "line" if isinstance(o, LTLine) else "curve"
                color = o.non_stroking_color
                d = {**box(o), "object_type": kind, "fill": o.fill, "stroke": o.stroke}
                d["non_stroking_color"] = color if isinstance(color, tuple) or color is None else (color,)
                d["width"], d["height"] = o.x1 - o.x0, o.y1 - o.y0
                if kind == "curve":
                    d["pts"] = [(x, height - y) for x, y in o.pts]
                getattr(objects, kind + "s").append(d)
            elif isinstance(o, LTContainer):
                walk(o)

    walk(layout)
    return objects


def pages_pdfminer(data: bytes) -> list[PageObjects]:
    """pdfminer's interpreter and aggregator, no layout analysis, no pdfplumber."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    manager = PDFResourceManager()
    device = PDFPageAggregator(manager, laparams=None)
    interpreter = PDFPageInterpreter(manager, device)
    out = []
    for page in PDFPage.get_pages(io.BytesIO(data)):
        interpreter.process_page(page)
        out.append(_pdfminer_page(device.get_result()))
    return out


def _space(width: float, height: float) -> Any:
    return SimpleNamespace(width=width, height=height, mb_x0=0.0, mb_top=0.0)


def pages_playa(data: bytes) -> list[PageObjects]:
    import playa

    doc = playa.Document(data, space="screen")
    out = []
    for page in doc.pages:
        w, h = page.width, page.height
        objects = PageObjects(w, h, (0, 0, w, h), [], [], [], [])
        for text in page.texts:
            for g in text:
                x0, top, x1, bottom = g.bbox
                a, b, c, d = g.matrix[:4]
                upright = a * -d > 0 and b == 0 and c == 0  # screen space: y down
                size = abs(d) if upright else g.size
                if upright:
                    top = bottom - size
                objects.chars.append(
                    {"x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top, "text": g.text or ""}
                    | {"size": size, "upright": upright}
                )
        for p in page.paths:
            segments = list(p.segments)  # in device space: screen, y down
            ops = "".join(s.operator for s in segments)
            pts = [(s.points[-1][0], h - s.points[-1][1]) if s.points else (0.0, 0.0) for s in segments]
            color = p.gstate.ncolor.values if p.fill else None
            for start in [i for i, op in enumerate(ops) if op == "m"]:
                end = ops.find("m", start + 1)
                end = len(ops) if end < 0 else end
                _paint(ops[start:end], pts[start:end], p.fill, p.stroke, color, _space(w, h), objects)  # type: ignore[arg-type]
        out.append(objects)
    return out


def pages_oxide(data: bytes) -> list[PageObjects]:
    import pdf_oxide

    doc = pdf_oxide.PdfDocument.from_bytes(data)
    out = []
    for i in range(doc.page_count()):
        x0m, y0m, x1m, y1m = doc.page_media_box(i)
        w, h = x1m - x0m, y1m - y0m
        objects = PageObjects(w, h, (0, 0, w, h), [], [], [], [])
        for c in doc.extract_chars(i):
            x, y, cw, ch = c.bbox
            top, bottom = h - (y + ch), h - y
            objects.chars.append(
                {"x0": x, "x1": x + cw, "top": top, "bottom": bottom, "doctop": top, "text": c.char}
                | {"size": c.font_size, "upright": c.rotation_degrees == 0}
            )
        for p in doc.extract_paths(i):
            shape, pts = "", []
            for op in p["operations"]:
                kind = op["op"]
                if kind == "rectangle":
                    x, y, rw, rh = op["x"], op["y"], op["width"], op["height"]
                    shape += "mlllh"
                    pts += [(x, y), (x + rw, y), (x + rw, y + rh), (x, y + rh), (x, y)]
                elif kind in ("move_to", "line_to", "curve_to"):
                    shape += {"move_to": "m", "line_to": "l", "curve_to": "c"}[kind]
                    pts.append((op["x"], op["y"]))
                elif kind == "close_path":
                    shape += "h"
                    pts.append(pts[0] if pts else (0.0, 0.0))
            fill, stroke = p["fill_color"] is not None, p["stroke_color"] is not None
            for start in [k for k, o in enumerate(shape) if o == "m"]:
                end = shape.find("m", start + 1)
                end = len(shape) if end < 0 else end
                sub_pts = [pts[start] if o == "h" else q for o, q in zip(shape[start:end], pts[start:end], strict=True)]
                _paint(shape[start:end], sub_pts, fill, stroke, p["fill_color"], _space(w, h), objects)  # type: ignore[arg-type]
        out.append(objects)
    return out


def reader_for(backend: str) -> Callable[[bytes], Document]:
    from gongkai.readers import pdf

    if backend == "pypdfium2":
        return lambda data: pdf.read(data)
    pages = {
        "pdfplumber": pages_pdfplumber,
        "pdfminer": pages_pdfminer,
        "playa": pages_playa,
        "pdf-oxide": pages_oxide,
    }[backend]
    return lambda data: pdf.document(pdf.read_layout(p, i) for i, p in enumerate(pages(data), start=1))


# ------------------------------------------------------------------------------------------------
# One backend, in a process of its own


def _blocks(doc: Document) -> list[Any]:
    return [[[c.text, c.merged] for c in row] for b in doc.blocks if isinstance(b, Table) for row in b.rows] + [
        getattr(b, "text", None) for b in doc.blocks
    ]


def _rate(fn: Callable[[bytes], object], data: bytes, seconds: float) -> float:
    """Calls of *fn* on *data* per CPU-second of this process: at least 3, for *seconds*."""
    n, start = 0, time.process_time()
    while n < 3 or time.process_time() - start < seconds:
        fn(data)
        n += 1
    return n / (time.process_time() - start)


def _parser(read: Callable[[bytes], Document], name: str) -> Callable[[bytes], object]:
    """``parse_bytes`` with *read* as the PDF reader."""
    from gongkai import readers
    from gongkai.pipeline import parse_bytes

    def parse(data: bytes) -> object:
        readers.register_reader("pdf", lambda data, limits: read(data))
        return parse_bytes(data, name)

    return parse


def _values(read: Callable[[bytes], Document], data: bytes, name: str) -> Any:
    from gongkai import readers
    from gongkai.jsonout import dumps
    from gongkai.pipeline import parse_bytes

    saved = readers._READERS.get("pdf")
    readers.register_reader("pdf", lambda data, limits: read(data))
    try:
        return json.loads(dumps(parse_bytes(data, name).to_dict()["tables"]))
    finally:
        if saved is not None:
            readers.register_reader("pdf", saved)


def _status_mb(field: str) -> float:
    """``VmRSS`` (resident now) or ``VmHWM`` (the most resident so far: ``ru_maxrss`` without what
    Linux carries over from the parent through fork and exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux


def run_backend(backend: str, seconds: float, folder: Path) -> dict[str, Any]:
    names = json.loads((folder / "names.json").read_text())
    files = [(name, (folder / f"{i}.pdf").read_bytes()) for i, name in enumerate(names)]
    reference = json.loads((folder / "reference.json").read_text())
    rows: dict[str, Any] = {}
    if backend == "floor":
        fn: Callable[[bytes], object] = floor_one
    else:
        read = reader_for(backend)
        fn = read
    fn(files[0][1])  # imports
    base_mb = _status_mb("VmRSS")
    for name, data in files:
        fn(data)  # imports, caches
        rate = _rate(fn, data, seconds)
        parse_rate = None
        if backend != "floor":
            parse = _parser(read, name)
            parse(data)  # the pipeline's imports and caches
            parse_rate = _rate(parse, data, seconds)
        floor_rate = _rate(floor_one, data, min(seconds, 0.5))
        rows[name] = {"rate": rate, "parse": parse_rate, "floor": floor_rate, "identical": None}
    peak_mb = _status_mb("VmHWM")  # reading and parsing; the checks below run the pipeline again
    if backend != "floor":
        for name, data in files:
            try:
                doc = read(data)
                rows[name]["identical"] = (
                    _blocks(doc) == reference[name]["blocks"] and _values(read, data, name) == reference[name]["values"]
                )
            except Exception:
                rows[name]["identical"] = False
    return {"backend": backend, "rows": rows, "peak_mb": peak_mb, "base_mb": base_mb}


def write_inputs(folder: Path, real_only: bool = False) -> None:
    """The PDFs, and what the reference backend reads in them, for the backends' processes."""
    files = inputs(written=not real_only)
    read = reader_for("pdfplumber")
    for i, (_, data) in enumerate(files):
        (folder / f"{i}.pdf").write_bytes(data)
    (folder / "names.json").write_text(json.dumps([name for name, _ in files]))
    reference = {
        name: {"blocks": json.loads(json.dumps(_blocks(read(data)))), "values": _values(read, data, name)}
        for name, data in files
    }
    (folder / "reference.json").write_text(json.dumps(reference))


def available(backend: str) -> bool:
    module = {"playa": "playa", "pdf-oxide": "pdf_oxide"}.get(backend)
    if module is None:
        return True
    import importlib.util

    return importlib.util.find_spec(module) is not None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=2.0, help="CPU seconds per backend and file (default 2)")
    ap.add_argument("--backends", default=",".join(BACKENDS), help="comma-separated, from: " + ", ".join(BACKENDS))
    ap.add_argument("--real", action="store_true", help="the real PDFs only (not the written ones)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_backend(args.child, args.seconds, args.folder)))
        return

    with tempfile.TemporaryDirectory() as tmp:
        write_inputs(Path(tmp), real_only=args.real)
        results = []
        for backend in args.backends.split(","):
            if not available(backend):
                print(f"{backend}: not installed, skipped", file=sys.stderr)
                continue
            cmd = [sys.executable, __file__, "--child", backend, "--seconds", str(args.seconds)]
            cmd += ["--folder", tmp]
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                print(f"{backend}: failed\n{done.stderr[-2000:]}", file=sys.stderr)
                continue
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))

    names = list(results[0]["rows"]) if results else []
    print(f"{'backend':<11} {'file':<40} {'parse/s':>8} {'read/s':>8} {'floor/s':>8} {'× floor':>8} {'identical':>9}")
    for r in results:
        for name in names:
            row = r["rows"][name]
            same = {True: "yes", False: "NO", None: "-"}[row["identical"]]
            rate = row["parse"] or row["rate"]
            cells = f"{_shown(row['parse']):>8} {row['rate']:>8.1f} {row['floor']:>8.1f} {row['floor'] / rate:>8.1f}"
            print(f"{r['backend']:<11} {name:<40} {cells} {same:>9}")
    for group, members in (
        ("real PDFs", [n for n in names if not n.startswith("writers.pdf")]),
        ("written PDFs", [n for n in names if n.startswith("writers.pdf")]),
    ):
        if not members:
            continue
        print()
        head = f"{'backend':<11} {'parse/s':>8} {'read/s':>8} {'floor/s':>8} {'× floor':>8} {'peak MB':>8} {'+MB':>6}"
        print(f"{head} {'identical':>10}  ({group}: {len(members)})")
        for r in results:
            rows = [r["rows"][n] for n in members]
            # reports/s over the group: files per second of the time the whole group takes
            read = _group_rate([row["rate"] for row in rows])
            parse = _group_rate([row["parse"] for row in rows]) if rows[0]["parse"] else None
            floor = _group_rate([row["floor"] for row in rows])
            same = [row["identical"] for row in rows]
            shown = "-" if None in same else f"{sum(same)}/{len(same)}"
            peak, extra = r["peak_mb"], r["peak_mb"] - r["base_mb"]
            ratio = floor / (parse or read)
            cells = f"{_shown(parse):>8} {read:>8.1f} {floor:>8.1f} {ratio:>8.1f} {peak:>8.0f} {extra:>6.0f}"
            print(f"{r['backend']:<11} {cells} {shown:>10}")
    print()
    print("parse/s, read/s, floor/s: reports per CPU-second, one core; × floor: floor/s over parse/s")
    print("peak MB: the process's maximum resident set over all the files; +MB: over its size after the imports")


def _group_rate(rates: list[float]) -> float:
    return len(rates) / sum(1 / rate for rate in rates)


def _shown(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.1f}"


if __name__ == "__main__":
    main()
