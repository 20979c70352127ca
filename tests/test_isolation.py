"""Issue 11 — no input costs a batch, proven on real runs of the ``gongkai`` command.

1. Fault injection (``GONGKAI_FAULTS``): for each stage — read, parse, check, write, year — one
   file (for ``year``, one agency) of a batch fails by an exception, a hang, exhausted memory or
   a crash; the others are stored, the bad one is named on stderr with its reason, exit 2. The
   runs start at once on a few threads (the hangs overlap), so they also prove that a good file is
   not timed out by a busy machine's slow worker start.
2. Hostile files generated here, small on disk: a Word zip bomb (and one whose zip directory lies
   about the size), HTML spans of 1000, text over ``text_chars``, a PDF over ``pages``, a PDF whose
   content stream inflates to 200 MB (under ``seconds`` and under ``memory_mb``). Each ends within
   its limit with a message naming the limit and ``--limit``; with ``-s`` the time each took and
   the peak RSS are printed. The web upload part runs once the upload goes through
   ``jobs.run_files`` (skipped until then).
3. ``kill -9`` of ``gongkai ingest`` leaves no worker behind (the fork server's children are
   grandchildren of the command).
4. Exact numbers: real 万元 fees with 6 decimals, counts of 18 and 28 digits, 30 digits (no value
   and F016), 99999999999999999999.5 — printed, stored and checked exactly.
5. File names that are not UTF-8 (GBK bytes) or that look like Rich markup (``[/]``,
   ``[bold red]``) are read, printed as text and stored as valid text, also when they fail.

Every run is a subprocess (``python -m gongkai …``): what is tested is what a user gets — the exit
status, stderr, stdout and the DuckDB file. Hangs are cut short with ``--limit seconds=6``; the
only timing assertions are generous upper bounds.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SEED_000 = EXAMPLES / "000_a548d0fc6c0d78a3.txt"
SEED_001 = EXAMPLES / "001_c89b62cb4e001608.txt"
SEED_003 = EXAMPLES / "003_4a9178fd99f7f697.txt"
SEED_004 = EXAMPLES / "004_ab8af88deeac0065.txt"
REAL_PDF = ROOT / "tests" / "fixtures" / "real" / "hongze-2023.pdf"  # five pages

BAD = "002_8d33ec1681c31461.txt"  # the file a fault is injected into
AGENCY = "410703:医疗保障局"  # 卫滨区医疗保障局: examples/001 (2021) and its 2022 copy in the batch
HANG_SECONDS = 6  # generous: the good files of the batch must finish within it on a loaded 2-core machine
HANG_BOUND = 60  # a hang cut at 3 s must be over well within this
FAULT_LIMITS = ("--limit", f"seconds={HANG_SECONDS}", "--limit", "memory_mb=400")
# A memory fault must end by the memory bound, not the clock: on a loaded machine (four runs at
# once on two cores) a worker can take more than HANG_SECONDS to get that far.
MEMORY_FAULT_LIMITS = ("--limit", "seconds=60", "--limit", "memory_mb=400")


# --- running the command -----------------------------------------------------------------------


@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float
    peak_mb: float  # the largest peak RSS (VmHWM) of any process of the run, as sampled

    def json(self) -> list[dict[str, Any]]:
        return [json.loads(line, parse_float=Decimal) for line in self.out.splitlines() if line.strip()]

    def __repr__(self) -> str:  # what a failed assertion shows
        head = f"Run(code={self.code}, {self.seconds:.1f} s)"
        return f"{head}\n--- stderr\n{self.err[-3000:]}\n--- stdout\n{self.out[:1500]}"


def _proc_stat(pid: int) -> tuple[str, int, int] | None:
    """(state, ppid, start time) of a live process, or None."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return fields[0], int(fields[1]), int(fields[19])


def descendants(pid: int) -> dict[int, int]:
    """Every live descendant of *pid* (children, and the fork server's children: grandchildren),
    as pid → start time."""
    parent_of: dict[int, tuple[int, int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _proc_stat(int(entry))
            if stat is not None and stat[0] != "Z":
                parent_of[int(entry)] = (stat[1], stat[2])
    children: dict[int, list[int]] = {}
    for child, (ppid, _start) in parent_of.items():
        children.setdefault(ppid, []).append(child)
    found: dict[int, int] = {}
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found[child] = parent_of[child][1]
                todo.append(child)
    return found


def alive(pid: int, start: int) -> bool:
    stat = _proc_stat(pid)
    return stat is not None and stat[0] != "Z" and stat[2] == start


def _peak_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def gongkai(
    *args: str | os.PathLike[str] | bytes, faults: str | None = None, measure: bool = False, timeout: float = 240
) -> Run:
    """Run ``python -m gongkai *args*`` in the environment of the test (GONGKAI_FAULTS included;
    *faults* sets it). With *measure*, the peak memory of the processes it starts is sampled."""
    cmd: list[Any] = [sys.executable, "-m", "gongkai", *args]
    env = {**os.environ, "COLUMNS": "400", "NO_COLOR": "1"}
    if faults is not None:
        env["GONGKAI_FAULTS"] = faults
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=ROOT)
        peak = 0.0
        try:
            while measure and proc.poll() is None:
                for pid in (proc.pid, *descendants(proc.pid)):
                    peak = max(peak, _peak_mb(pid))
                if time.monotonic() - started > timeout:
                    raise AssertionError(f"{cmd} ran past {timeout} s")
                time.sleep(0.05)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                raise AssertionError(f"{cmd} ran past {timeout} s") from None
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        seconds = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        return Run(proc.returncode, out.read().decode("utf-8"), err.read().decode("utf-8"), seconds, peak)


def stderr_line(run: Run, name: str) -> str:
    """The stderr line naming *name* (a file or an agency)."""
    lines = [line for line in run.err.splitlines() if name in line]
    assert lines, f"{name!r} not named on stderr:\n{run!r}"
    return lines[0]


def query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def report_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in {".txt", ".html", ".docx", ".pdf"})


# --- 1. fault injection --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five example reports and a 2022 report of the agency of examples/001 (another file, other
    content: the year-over-year rules have an agency with two years to compare)."""
    folder = tmp_path_factory.mktemp("batch")
    for seed in sorted(EXAMPLES.glob("*.txt")):
        shutil.copy(seed, folder / seed.name)
    text = SEED_001.read_text(encoding="utf-8")
    (folder / "weibin_2022.txt").write_text(text.replace("2021年", "2022年"), encoding="utf-8")
    return folder


# stage, action → the code the bad file is named with
FAULTS = [
    ("read", "raise", "internal"),
    ("read", "hang", "timeout"),
    ("parse", "raise", "internal"),
    ("parse", "hang", "timeout"),
    ("parse", "memory", "memory"),
    ("parse", "crash", "crashed"),
    ("check", "raise", "check"),
    ("check", "hang", "timeout"),
    ("write", "raise", "write"),
    ("year", "raise", "year_rules"),
]
PARSED = [f for f in FAULTS if f[0] in ("read", "parse")]  # through ``gongkai parse``
CHECKED = [
    f for f in FAULTS if (f[0], f[1]) in {("read", "raise"), ("parse", "hang"), ("check", "raise"), ("check", "hang")}
]


def _ids(cases: list[tuple[str, str, str]]) -> list[str]:
    return [f"{stage}-{action}" for stage, action, _ in cases]


def _fault(stage: str, action: str) -> tuple[str, str]:
    """(GONGKAI_FAULTS, the name the failure is reported under)."""
    if stage == "year":
        return f"year:{action}:410703", AGENCY
    return f"{stage}:{action}:{BAD}", BAD


@dataclass
class FaultRuns:
    """Every fault run of the module, started at once on a few threads (the hangs overlap), each
    awaited by its test."""

    batch: Path
    dbs: dict[str, Path]
    futures: dict[tuple[str, str, str], Future[Run]]

    def get(self, command: str, stage: str, action: str) -> Run:
        return self.futures[(command, stage, action)].result()


@pytest.fixture(scope="module")
def fault_runs(batch: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultRuns]:
    jobs: list[tuple[str, str, str, list[Any]]] = []
    dbs: dict[str, Path] = {}
    for stage, action, _ in FAULTS:
        dbs[f"{stage}-{action}"] = db = tmp_path_factory.mktemp(f"ingest-{stage}-{action}") / "corpus.duckdb"
        jobs.append(("ingest", stage, action, ["ingest", batch, "--db", db, "--silent"]))
    jobs += [("parse", s, a, ["parse", batch, "--format", "json"]) for s, a, _ in PARSED]
    jobs += [("check", s, a, ["check", batch, "--format", "json"]) for s, a, _ in CHECKED]
    jobs.sort(key=lambda job: job[2] != "hang")  # the longest first
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {
            (command, stage, action): pool.submit(
                gongkai,
                *args,
                *(MEMORY_FAULT_LIMITS if action == "memory" else FAULT_LIMITS),
                faults=_fault(stage, action)[0],
            )
            for command, stage, action, args in jobs
        }
        yield FaultRuns(batch, dbs, futures)


def _assert_named(run: Run, name: str, code: str, action: str) -> None:
    assert run.code == 2, run
    assert "Traceback" not in run.err, run
    line = stderr_line(run, name)
    assert f"({code})" in line, line
    if action == "raise":
        assert "injected fault" in line, line  # the reason, not only a code
    if action == "hang":
        assert f"{HANG_SECONDS} 秒" in line and "--limit seconds=" in line, line
        assert run.seconds < HANG_BOUND, run
    if action == "memory":
        assert "--limit memory_mb=" in line, line


@pytest.mark.parametrize(("stage", "action", "code"), FAULTS, ids=_ids(FAULTS))
def test_fault_ingest(fault_runs: FaultRuns, stage: str, action: str, code: str) -> None:
    run = fault_runs.get("ingest", stage, action)
    _assert_named(run, _fault(stage, action)[1], code, action)
    db, batch = fault_runs.dbs[f"{stage}-{action}"], fault_runs.batch
    rows = query(db, "SELECT path, status, error_code FROM reports")
    stored = {path: (status, error) for path, status, error in rows}
    files = report_files(batch)
    for f in files:
        if f.name != BAD or stage == "year":
            assert stored.get(str(f)) == ("ok", None), (f, stored)
    bad = stored.get(str(batch / BAD))
    if stage in ("read", "parse") or (stage, action) == ("check", "hang"):
        assert bad == ("failed", code), bad  # stored as failed, with its reason: a rerun names it again
    elif stage == "check":
        assert bad == ("ok", None), bad  # read and stored; its findings are marked incomplete
        (incomplete,) = query(
            db,
            f"SELECT count(*) FROM findings f JOIN reports r ON r.id = f.report "
            f"WHERE r.path = '{batch / BAD}' AND f.code = 'internal'",
        )[0]
        assert incomplete == 1
    elif stage == "write":
        assert bad is None or bad[0] == "failed", bad  # never half-written
    if stage == "year":
        assert len(stored) == len(files)


@pytest.mark.parametrize(("stage", "action", "code"), PARSED, ids=_ids(PARSED))
def test_fault_parse_json(fault_runs: FaultRuns, stage: str, action: str, code: str) -> None:
    run = fault_runs.get("parse", stage, action)
    _assert_named(run, BAD, code, action)
    objects = run.json()
    files = report_files(fault_runs.batch)
    assert [o["source"]["path"] for o in objects] == [str(f) for f in files]  # one each, in order
    for o in objects:
        if o["source"]["path"].endswith(BAD):
            assert o["error"]["code"] == code and o["error"]["message"] and o["error"]["message_en"], o
            assert "tables" not in o
        else:
            assert "error" not in o and o["tables"]["proactive"], o["source"]


@pytest.mark.parametrize(("stage", "action", "code"), CHECKED, ids=_ids(CHECKED))
def test_fault_check_json(fault_runs: FaultRuns, stage: str, action: str, code: str) -> None:
    run = fault_runs.get("check", stage, action)
    _assert_named(run, BAD, code, action)
    objects = run.json()
    files = report_files(fault_runs.batch)
    assert [o["source"]["path"] for o in objects] == [str(f) for f in files]
    for o in objects:
        if o["source"]["path"].endswith(BAD) and (stage, action) != ("check", "raise"):
            assert o["error"]["code"] == code and "findings" not in o, o
        else:
            assert "error" not in o and isinstance(o["findings"], list), o["source"]


def test_fault_check_json_marks_incomplete_findings(fault_runs: FaultRuns) -> None:
    objects = fault_runs.get("check", "check", "raise").json()
    (obj,) = [o for o in objects if o["source"]["path"].endswith(BAD)]
    (internal,) = [f for f in obj["findings"] if f["code"] == "internal"]  # not a clean "no findings"
    assert "incomplete" in internal["message_en"] and "injected fault" in internal["message_en"], internal
    assert obj["counts"]["info"] >= 1


def test_worker_start_is_not_the_files_time() -> None:
    """A file's deadline runs from when its worker is ready: a worker slow to start (imports on a
    busy machine; here an initializer sleeping 2 s) does not time out a file under seconds=1, while
    a file that hangs still does."""
    from gongkai.limits import Limits
    from gongkai.workers import Failure, WorkerPool

    started = time.monotonic()
    with WorkerPool(abs, workers=2, limits=Limits(seconds=1), initializer=time.sleep, initargs=(2.0,)) as pool:
        assert list(pool.imap([-1, -2, -3])) == [(-1, 1), (-2, 2), (-3, 3)]
    with WorkerPool(time.sleep, workers=1, limits=Limits(seconds=1)) as pool:
        ((_, outcome),) = pool.imap([600])
    assert isinstance(outcome, Failure) and outcome.code == "timeout"
    assert time.monotonic() - started < HANG_BOUND


# --- 2. hostile files ------------------------------------------------------------------------------


def docx_package(path: Path, body: Iterable[bytes], zip64: bool = False) -> None:
    """A valid .docx whose word/document.xml body is the concatenation of *body*, deflated."""
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
        'PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'wordprocessingml.document.main+xml"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", types)
        zf.writestr("_rels/.rels", rels)
        with zf.open("word/document.xml", "w", force_zip64=zip64) as f:
            f.write(f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{w}"><w:body>'.encode())
            for piece in body:
                f.write(piece)
            f.write(b"</w:body></w:document>")


def docx_bomb(path: Path, unpacked_mb: int = 250, zip64: bool = True) -> None:
    """A valid .docx whose word/document.xml is *unpacked_mb* MB of paragraphs (about 0.9 MB zipped)."""
    para = "<w:p><w:r><w:t>政府信息公开工作年度报告</w:t></w:r></w:p>".encode()
    block = para * ((1 << 20) // len(para))
    docx_package(path, (block for _ in range(unpacked_mb)), zip64=zip64)


def docx_spans(path: Path) -> None:
    """A Word table of 200 rows of 50 cells, each spanning 1000 grid columns (5 KB zipped)."""
    cell = '<w:tc><w:tcPr><w:gridSpan w:val="1000"/></w:tcPr><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc>'
    row = f"<w:tr>{cell * 50}</w:tr>".encode()
    docx_package(path, [b"<w:tbl>", row * 200, b"</w:tbl>"])


def html_spans(path: Path) -> None:
    """A page whose table has 50 rows of 20 cells, each with rowspan and colspan 1000."""
    cell = '<td rowspan="1000" colspan="1000">1</td>'
    rows = "".join(f"<tr>{cell * 20}</tr>" for _ in range(50))
    path.write_text(
        f"<html><head><meta charset='utf-8'><title>年度报告</title></head><body><h1>政府信息公开工作年度报告</h1>"
        f"<table>{rows}</table></body></html>",
        encoding="utf-8",
    )


def pdf_inflating(path: Path, unpacked_mb: int = 200) -> None:
    """A one-page PDF, written by hand, whose content stream is *unpacked_mb* MB of zeros
    (``0 0 0 …``, operands for the content parser) deflated to about 200 KB."""
    z = zlib.compressobj(9)
    chunk = b"0 " * (1 << 19)
    stream = b"".join([*(z.compress(chunk) for _ in range(unpacked_mb)), z.flush()])
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    path.write_bytes(out.getvalue())


@dataclass(frozen=True)
class Hostile:
    file: str
    limits: tuple[str, ...]  # ``--limit`` items it is run with
    names: tuple[str, ...]  # the limits its message may name
    codes: tuple[str, ...] = ("limit",)


HOSTILE = {
    "docx-zip-bomb": Hostile("bomb.docx", (), ("unzipped_mb",)),  # the default limits hold
    "docx-spans": Hostile("spans.docx", (), ("cells", "span")),
    "html-spans": Hostile("spans.html", (), ("cells", "span")),
    "text-chars": Hostile("long.txt", ("text_chars=20000",), ("text_chars",)),
    "file-size": Hostile("long.txt", ("file_mb=0.05",), ("file_mb",)),
    "pdf-pages": Hostile("pages.pdf", ("pages=1",), ("pages",)),
    "pdf-inflate": Hostile(
        "inflate.pdf", ("seconds=5", "memory_mb=1024"), ("seconds", "memory_mb"), ("timeout", "memory")
    ),
    "pdf-inflate-memory": Hostile("inflate.pdf", ("seconds=60", "memory_mb=400"), ("memory_mb",), ("memory",)),
}
HOSTILE_BOUND = 60  # seconds: every hostile file is set aside well within this (the longest limit is 5 s)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    docx_bomb(folder / "bomb.docx")
    docx_spans(folder / "spans.docx")
    html_spans(folder / "spans.html")
    text = SEED_000.read_text(encoding="utf-8")
    (folder / "long.txt").write_text(text * (40_000 // len(text) + 1), encoding="utf-8")  # > 40,000 characters
    shutil.copy(REAL_PDF, folder / "pages.pdf")
    pdf_inflating(folder / "inflate.pdf")
    for f in folder.iterdir():
        assert f.stat().st_size < 1024 * 1024, f  # small on disk
    return folder


def _limit_args(limits: tuple[str, ...]) -> list[str]:
    return [a for item in limits for a in ("--limit", item)]


def _assert_limit_message(message: str, code: str, case: Hostile) -> None:
    """The code is one the case allows, and the message names the limit and how to raise it."""
    assert code in case.codes, (code, message)
    name = {"timeout": "seconds", "memory": "memory_mb"}.get(code)
    names = (name,) if name else case.names
    assert any(re.search(rf"[(（]{n}[)）]", message) and f"--limit {n}=" in message for n in names), (code, message)


@pytest.fixture(scope="module")
def hostile_parse_runs(hostile: Path) -> Iterator[dict[str, Future[Run]]]:
    """``gongkai parse`` of each hostile file, two at a time (the times printed are under that load)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        yield {
            case: pool.submit(
                gongkai, "parse", hostile / h.file, "--format", "json", *_limit_args(h.limits), measure=True
            )
            for case, h in HOSTILE.items()
        }


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_file_parse(hostile_parse_runs: dict[str, Future[Run]], case: str) -> None:
    h = HOSTILE[case]
    run = hostile_parse_runs[case].result()
    assert run.code == 2, run
    assert "Traceback" not in run.err, run
    (obj,) = run.json()
    error = obj["error"]
    _assert_limit_message(error["message_en"], error["code"], h)
    _assert_limit_message(error["message"], error["code"], h)
    line = stderr_line(run, h.file)
    assert "--limit" in line and f"({error['code']})" in line, line
    assert run.seconds < HOSTILE_BOUND, run
    # for the record (pytest -s): how long the file took to be set aside, and the largest process
    print(f"\n{case}: {error['code']} in {run.seconds:.1f} s, peak RSS {run.peak_mb:.0f} MB")


def test_hostile_files_ingest(hostile: Path, tmp_path: Path) -> None:
    """All the hostile files in one folder with a real report: the report is stored, each hostile
    file is stored as failed with a message naming its limit."""
    folder = tmp_path / "in"
    shutil.copytree(hostile, folder)
    shutil.copy(SEED_003, folder / SEED_003.name)
    limits = ("text_chars=20000", "pages=1", "seconds=5", "memory_mb=1024")
    db = tmp_path / "corpus.duckdb"
    run = gongkai("ingest", folder, "--db", db, "--silent", *_limit_args(limits), measure=True)
    assert run.code == 2, run
    assert "Traceback" not in run.err, run
    assert run.seconds < HOSTILE_BOUND + 30, run
    rows = {
        Path(p).name: (s, c, zh, en)
        for p, s, c, zh, en in query(db, "SELECT path, status, error_code, error_zh, error_en FROM reports")
    }
    assert rows[SEED_003.name][:2] == ("ok", None)
    for case, h in HOSTILE.items():
        if case in ("pdf-inflate-memory", "file-size"):
            continue  # the same file, with other limits
        status, code, zh, en = rows[h.file]
        assert status == "failed", (h.file, rows[h.file])
        _assert_limit_message(en, code, h)
        _assert_limit_message(zh, code, h)
        assert f"({code})" in stderr_line(run, h.file)
    print(f"\ningest of the hostile folder: {run.seconds:.1f} s, peak RSS {run.peak_mb:.0f} MB")

    # a rerun under the same limits reads nothing again and still names every file set aside, exit 2
    again = gongkai("ingest", folder, "--db", db, "--silent", *_limit_args(limits))
    assert again.code == 2, again
    assert "新解析 0" in again.err, again
    for h in HOSTILE.values():
        stderr_line(again, h.file)
    # raising the limit a file was set aside on, as its message says, reads that file again
    raised = gongkai("ingest", folder, "--db", db, "--silent", *_limit_args((*limits, "pages=10")))
    assert raised.code == 2, raised  # the others are still over their limits
    assert "新解析 1" in raised.err, raised
    (status,) = query(db, f"SELECT status FROM reports WHERE path = '{folder / 'pages.pdf'}'")[0]
    assert status == "ok"


def test_limit_message_shows_the_bound_exactly() -> None:
    from gongkai.readers.errors import limit_error

    error = limit_error("file_mb", 0.0834, 0.05)
    assert "0.0834MB > 0.05MB (file_mb)" in error.message_en and "--limit file_mb=" in error.message_en
    assert "250.2MB > 200MB" in limit_error("unzipped_mb", 250.2, 200).message_en


def test_hostile_docx_lying_header(tmp_path: Path) -> None:
    """A zip whose directory claims word/document.xml is 1 KB while it inflates to 30 MB: zipfile
    stops at the claimed size and the CRC fails, so the file is called damaged — the size check
    before unpacking cannot be fooled into inflating more than the header says."""
    path = tmp_path / "liar.docx"
    docx_bomb(path, unpacked_mb=30, zip64=False)
    data = bytearray(path.read_bytes())
    # offsets of the uncompressed size, the name's length and the name: in the local header and in
    # the central directory
    patched = 0
    for sig, size_at, len_at, name_at in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        at = data.find(sig)
        while at >= 0:
            name_len = int.from_bytes(data[at + len_at : at + len_at + 2], "little")
            if bytes(data[at + name_at : at + name_at + name_len]) == b"word/document.xml":
                assert int.from_bytes(data[at + size_at : at + size_at + 4], "little") > 29 << 20
                data[at + size_at : at + size_at + 4] = (1024).to_bytes(4, "little")
                patched += 1
            at = data.find(sig, at + 4)
    assert patched == 2
    path.write_bytes(bytes(data))
    run = gongkai("parse", path, "--format", "json", measure=True)
    assert run.code == 2, run
    (obj,) = run.json()
    assert obj["error"]["code"] == "corrupt", obj
    assert run.seconds < HOSTILE_BOUND and run.peak_mb < 500, run


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0  # pragma: no cover


def test_hostile_files_web_upload(hostile: Path, tmp_path: Path) -> None:
    """Each hostile file uploaded to the web app (``POST /api/upload``, the server's ``--limit``s)
    is answered with its limit named; the server answers on and does not keep the memory."""
    from fastapi.testclient import TestClient

    from gongkai.limits import Limits
    from gongkai.views.web.app import create_app

    db = tmp_path / "corpus.duckdb"
    assert gongkai("ingest", SEED_003, "--db", db, "--silent").code == 0
    before = _rss_mb()
    for case, h in HOSTILE.items():
        app = create_app(db, uploads_dir=tmp_path / "uploads", limits=Limits.parse(list(h.limits)))
        with TestClient(app, base_url="http://127.0.0.1") as client:
            started = time.monotonic()
            data = (hostile / h.file).read_bytes()
            r = client.post("/api/upload?lang=en", files={"files": (h.file, data, "application/octet-stream")})
            seconds = time.monotonic() - started
            assert r.status_code in (200, 422), r.text
            result = r.json()["results"][0]
            assert result["status"] == "failed", result
            _assert_limit_message(result["error"], result["error_code"], h)
            assert seconds < HOSTILE_BOUND, (case, seconds)
            assert client.get("/").status_code == 200  # the server answers on
            print(f"\nupload {case}: {result['error_code']} in {seconds:.1f} s")
    grown = _rss_mb() - before
    print(f"server (test process) RSS grew by {grown:.0f} MB over the uploads")
    assert grown < 200, grown  # the 200 MB stream and the 250 MB bomb were never in the server


# --- 3. no orphans ---------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["ingest", "parse"])
def test_kill_9_leaves_no_worker(batch: Path, tmp_path: Path, command: str) -> None:
    env = {**os.environ, "GONGKAI_FAULTS": f"parse:hang:{BAD}"}
    cmd = [sys.executable, "-m", "gongkai", command, str(batch), "--workers", "2"]
    cmd += ["--db", str(tmp_path / "c.duckdb"), "--silent"] if command == "ingest" else ["--format", "json"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tree: dict[int, int] = {}
    try:
        deadline = time.monotonic() + 60
        # wait for the workers: the fork server's children, grandchildren of the command
        while time.monotonic() < deadline:
            tree = descendants(proc.pid)
            grandchildren = [p for p in tree if (st := _proc_stat(p)) is not None and st[1] != proc.pid]
            if len(grandchildren) >= 2:
                break
            assert proc.poll() is None, "ingest ended before its workers started: the hang did not hold"
            time.sleep(0.05)
        else:
            raise AssertionError(f"no worker processes after 60 s: {tree}")
        time.sleep(1.0)  # the other worker reads the good files; one hangs on the bad one
        tree = descendants(proc.pid)
        assert len(tree) >= 3, tree  # the fork server and its workers at least
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(alive(p, s) for p, s in tree.items()):
            time.sleep(0.1)
        survivors = {p: Path(f"/proc/{p}/cmdline").read_bytes() for p, s in tree.items() if alive(p, s)}
        assert not survivors, f"processes outlived their killed parent: {survivors}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for p, s in tree.items():  # never leave our own processes behind, even when the test fails
            if alive(p, s):
                os.kill(p, signal.SIGKILL)


# --- 4. exact numbers ------------------------------------------------------------------------------

# file → (行政事业性收费 in 万元, 行政许可 count): real fees, and counts of 18, 28 and 30 digits
EXACT = {
    "fee_4166.txt": ("4166.241619", "0"),
    "fee_7539.txt": ("7539.443252", "123456789012345678"),
    "fee_24252.txt": ("24252.311082", "9999999999999999999999999999"),
    "too_long.txt": ("99999999999999999999.5", "123456789012345678901234567890"),
}


@pytest.fixture(scope="module")
def exact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("exact")
    seed = SEED_001.read_text(encoding="utf-8")
    for name, (fee, count) in EXACT.items():
        assert seed.count("行政事业性收费\t0\t") == 1 and seed.count("行政许可\t0\t") == 1
        text = seed.replace("行政事业性收费\t0\t", f"行政事业性收费\t{fee}\t").replace(
            "行政许可\t0\t", f"行政许可\t{count}\t"
        )
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_exact_numbers_parse_json(exact: Path) -> None:
    run = gongkai("parse", exact, "--format", "json")
    assert run.code == 0, run
    lines = dict(zip([f.name for f in report_files(exact)], run.out.splitlines(), strict=True))
    for name, (fee, count) in EXACT.items():
        line = lines[name]
        assert f'"fees":{{"amount":{fee}}}' in line, name  # the printed decimal text, not 1e+20, not rounded
        obj = json.loads(line, parse_float=Decimal)
        assert obj["tables"]["proactive"]["fees"]["amount"] == Decimal(fee)
        assert str(obj["tables"]["proactive"]["fees"]["amount"]) == fee
        decisions = obj["tables"]["proactive"]["licensing"]["decisions"]
        if len(count) <= 28:
            assert f'"licensing":{{"decisions":{count}}}' in line
            assert decisions == int(count)
        else:
            assert decisions is None  # cannot be kept exactly: no value …
            cell = obj["cells"]["proactive"]["licensing"]["decisions"]
            assert cell["raw"] == count and cell["status"] == "out_of_range"  # … the text kept
    assert not re.search(r"[:,\[]-?\d+(?:\.\d+)?[eE][+-]?\d", run.out)  # no number in exponent form


def test_exact_numbers_ingest_and_check(exact: Path, tmp_path: Path) -> None:
    db = tmp_path / "corpus.duckdb"
    run = gongkai("ingest", exact, "--db", db, "--silent")
    assert run.code == 0, run
    stored = query(
        db,
        'SELECT r.path, v.row_key, v.value, v.raw, v.is_null FROM "values" v JOIN reports r ON r.id = v.report '
        "WHERE v.table_key = 'proactive' AND v.row_key IN ('fees', 'licensing') AND v.extra_row = false",
    )
    got = {(Path(p).name, row): (value, raw, is_null) for p, row, value, raw, is_null in stored}
    for name, (fee, count) in EXACT.items():
        value, raw, _ = got[(name, "fees")]
        assert isinstance(value, Decimal) and value == Decimal(fee) and raw == fee, (name, value)
        value, raw, is_null = got[(name, "licensing")]
        assert raw == count
        if len(count) <= 28:
            assert value == Decimal(count) and not is_null, (name, value)
        else:
            assert value is None, (name, value)
    f016 = query(
        db,
        "SELECT r.path, f.row, f.column FROM findings f JOIN reports r ON r.id = f.report WHERE f.code = 'F016'",
    )
    assert [(Path(p).name, row, col) for p, row, col in f016] == [("too_long.txt", "licensing", "decisions")]

    check = gongkai("check", exact, "--format", "json", "--select", "F016")
    assert check.code == 1, check  # F016 is an error
    by_name = {Path(o["source"]["path"]).name: o for o in check.json()}
    assert [f["row"] for f in by_name["too_long.txt"]["findings"] if f["code"] == "F016"] == ["licensing"]
    assert all(not o["findings"] for n, o in by_name.items() if n != "too_long.txt")


def test_json_never_rounds_or_uses_exponents() -> None:
    from gongkai import jsonout

    for text in ("99999999999999999999.5", "4166.241619", "0.0000000001", "123456789012345678901234567.8"):
        printed = jsonout.dumps({"v": Decimal(text)})
        assert printed == f'{{"v":{text}}}' or printed == f'{{"v": {text}}}', printed
        assert json.loads(printed, parse_float=Decimal)["v"] == Decimal(text)


# --- 5. file names ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def names(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("names")
    shutil.copy(os.fsencode(SEED_000), os.path.join(os.fsencode(folder), b"\xb1\xa8\xb8\xe6.txt"))  # 报告.txt in GBK
    (folder / "dir[").mkdir()
    shutil.copy(SEED_003, folder / "dir[" / "]x.txt")  # the path holds "[/]"
    shutil.copy(SEED_004, folder / "[bold red]名单.txt")
    return folder


NAME_ENDS = ("报告.txt", "dir[/]x.txt", "[bold red]名单.txt")


def _assert_names(text: str, folder: Path) -> None:
    for end in NAME_ENDS:
        assert f"{folder}/{end}" in text, (end, text[:2000])


def test_names_parse_and_check(names: Path) -> None:
    parsed = gongkai("parse", names)
    assert parsed.code == 0, parsed
    _assert_names(parsed.out, names)
    as_json = gongkai("parse", names, "--format", "json")
    assert as_json.code == 0, as_json
    assert sorted(o["source"]["path"] for o in as_json.json()) == sorted(f"{names}/{e}" for e in NAME_ENDS)
    checked = gongkai("check", names)
    assert checked.code in (0, 1), checked  # findings or none, but every file read
    assert "Traceback" not in checked.err and "MarkupError" not in checked.err
    _assert_names(checked.out, names)


def test_names_ingest_and_failures_named_as_text(names: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "corpus.duckdb"
    run = gongkai("ingest", names, "--db", db, "--silent")
    assert run.code == 0, run
    paths = sorted(p for (p,) in query(db, "SELECT path FROM reports WHERE status = 'ok'"))
    assert paths == sorted(f"{names}/{e}" for e in NAME_ENDS)
    for p in paths:
        p.encode("utf-8")  # valid text: no lone surrogates
    # a file that fails is named as text too: markup-like names intact, GBK bytes decoded
    gbk = os.fsdecode(b"\xb1\xa8\xb8\xe6.txt")  # lone surrogates, as Python keeps undecodable bytes
    monkeypatch.setenv("GONGKAI_FAULTS", f"parse:raise:x.txt;parse:raise:名单;parse:raise:{gbk}")
    failed = gongkai("parse", names, "--format", "json")
    assert failed.code == 2, failed
    for end in NAME_ENDS:
        assert "(internal)" in stderr_line(failed, f"{names}/{end}")
    expected = sorted(f"{names}/{e}" for e in NAME_ENDS)
    assert sorted(o["source"]["path"] for o in failed.json() if o["error"]) == expected
    db2 = tmp_path / "failed.duckdb"
    failed_ingest = gongkai("ingest", names, "--db", db2, "--silent")
    assert failed_ingest.code == 2, failed_ingest
    stored = query(db2, "SELECT path, status, error_code, error_zh, error_en FROM reports ORDER BY path")
    assert [(p, s, c) for p, s, c, _, _ in stored] == [(p, "failed", "internal") for p in expected]
    for path, _, _, zh, en in stored:  # the reason names the file as shown (GBK decoded), as valid text
        assert path in zh and path in en, (zh, en)


def test_descendants_helper() -> None:
    """The helper the orphan test relies on: the descendants of this process include a child."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"])
    try:
        assert child.pid in descendants(os.getpid())
    finally:
        child.kill()
        child.wait()
