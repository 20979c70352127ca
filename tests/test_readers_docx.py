"""Word reader: body order, gridSpan/vMerge as exact grids, corrupt files.

Round trip: each seed is parsed from its text, rendered as .docx with the national format's
merged cells, parsed again; every table value and the meta must match.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from gongkai.document import Paragraph, Table
from gongkai.pipeline import parse_bytes
from gongkai.readers import ReadError, detect_kind, read_bytes
from gongkai.readers.docx import read
from gongkai.writers.docx import to_docx

SEEDS = ("000", "001", "002", "003", "004")


def meta_of(report) -> dict:
    m = report.meta
    return {"agency": m.agency, "year": m.year, "format": m.format, "signed_on": m.signed_on}


@pytest.fixture(scope="module")
def rendered(seed_reports) -> dict[str, bytes]:
    return {seed: to_docx(seed_reports[seed]) for seed in SEEDS}


@pytest.mark.parametrize("seed", SEEDS)
def test_round_trip_docx(seed_reports, rendered, seed):
    parsed = parse_bytes(rendered[seed], f"{seed}.docx")
    assert parsed.source.kind == "docx"
    assert parsed.to_dict()["tables"] == seed_reports[seed].to_dict()["tables"]
    assert meta_of(parsed) == meta_of(seed_reports[seed])


def _shape(table: Table) -> list[str]:
    return ["".join("." if c.merged else ("#" if c.text else "_") for c in row) for row in table.rows]


def test_grids_keep_the_merges(rendered):
    doc = read(rendered["004"])
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    assert len(tables) == 3
    proactive, requests, appeals = tables
    assert all(len(row) == 10 for row in requests.rows)
    assert _shape(requests)[:3] == ["#..#......", "...##....#", "....#####."]
    group = next(r for r, row in enumerate(requests.rows) if row[1].text == "（五）不予处理")
    # vMerge continue → merged, gridSpan → merged positions after the cell
    assert [requests.rows[group + i][1].merged for i in range(5)] == [False, True, True, True, True]
    assert [requests.rows[group + i][0].merged for i in range(5)] == [True] * 5  # inside 三、本年度办理结果
    total = next(r for r, row in enumerate(requests.rows) if row[1].text == "（七）总计")
    assert _shape(requests)[total] == ".#.#######"
    # 004 prints 14 zeros for 15 cells and which one is missing is not written: no cell holds a
    # placed value, so the rendered row is 15 empty cells
    assert _shape(appeals)[-1] == "_" * 15
    assert proactive.rows[0][0].text == "第二十条第（一）项"
    # Locations and source lines
    cell = requests.rows[3][9]
    assert (cell.loc.table, cell.loc.row, cell.loc.cell) == (1, 3, 9)
    assert doc.lines[cell.loc.line - 1].startswith("一、本年新收政府信息公开申请数量 | ")


def test_body_order_paragraphs_and_tables(rendered):
    doc = read(rendered["001"])
    seq = ["T" if isinstance(b, Table) else b.text for b in doc.blocks]
    i = seq.index("二、主动公开政府信息情况")
    assert seq[i + 1] == "T"
    j = seq.index("三、收到和处理政府信息公开申请情况")
    assert seq[j + 1] == "T" and seq[j + 2] == "四、政府信息公开行政复议、行政诉讼情况" and seq[j + 3] == "T"
    assert seq[0] == "新乡市卫滨区医疗保障局2021年政府信息公开工作年度报告"
    assert all(isinstance(b, Paragraph) and b.loc.line for b in doc.blocks if not isinstance(b, Table))


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _docx_with_body(body_xml: str) -> bytes:
    """A minimal .docx around a hand-written body."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        zf.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>',
        )
        zf.writestr(
            "word/document.xml",
            f'<?xml version="1.0"?><w:document xmlns:w="{W}"><w:body>{body_xml}</w:body></w:document>',
        )
    return out.getvalue()


def _p(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def _tc(text: str, props: str = "") -> str:
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{_p(text) if text else '<w:p/>'}</w:tc>"


def test_hand_written_merges_grid_before_and_content_controls():
    body = (
        _p("一、总体情况")
        + "<w:p><w:r><w:t>甲</w:t></w:r><w:r><w:br/><w:t>乙</w:t></w:r>"
        + "<w:del><w:r><w:delText>删</w:delText></w:r></w:del></w:p>"
        + "<w:tbl>"
        + "<w:tr>"
        + _tc("申请人情况", '<w:gridSpan w:val="3"/>')
        + _tc("总计", '<w:vMerge w:val="restart"/>')
        + "</w:tr>"
        + "<w:tr>"
        + _tc("自然人")
        + _tc("")
        + _tc("商业")
        + _tc("", "<w:vMerge/>")
        + "</w:tr>"
        + '<w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>'
        + "<w:sdt><w:sdtContent>"
        + _tc("1")
        + "</w:sdtContent></w:sdt>"
        + _tc("2", '<w:gridSpan w:val="2"/>')
        + "</w:tr>"
        + "</w:tbl>"
        + _p("二、主动公开政府信息情况")
    )
    doc = read(_docx_with_body(body))
    assert [b.text for b in doc.blocks if isinstance(b, Paragraph)] == [
        "一、总体情况",
        "甲",
        "乙",
        "二、主动公开政府信息情况",
    ]
    (table,) = [b for b in doc.blocks if isinstance(b, Table)]
    assert _shape(table) == ["#..#", "#_#.", ".##."]
    assert [c.text for c in table.rows[2]] == ["", "1", "2", ""]


def test_a_doc_or_wps_that_is_docx_inside(rendered):
    assert detect_kind(rendered["002"]) == "docx"
    assert read_bytes(rendered["002"], "报告.wps").kind == "docx"


@pytest.mark.parametrize("cut", [0.05, 0.5, 0.95])
def test_truncated_docx_is_corrupt(rendered, cut):
    data = rendered["003"]
    with pytest.raises(ReadError) as exc:
        read_bytes(data[: int(len(data) * cut)], "broken.docx")
    assert exc.value.code == "corrupt"
    assert "另存为" in exc.value.message_zh and "save it again" in exc.value.message_en
    assert exc.value.path == "broken.docx"


def test_docx_with_broken_document_xml_is_corrupt():
    data = _docx_with_body("<w:p><w:r><w:t>未闭合")
    with pytest.raises(ReadError) as exc:
        read_bytes(data, "x.docx")
    assert exc.value.code == "corrupt"


def test_batch_goes_on_past_bad_files(tmp_path, rendered):
    from typer.testing import CliRunner

    from gongkai.views.cli import EXIT_USAGE_OR_IO, app

    (tmp_path / "a_broken.docx").write_bytes(rendered["000"][:3000])
    (tmp_path / "b_good.docx").write_bytes(rendered["001"])
    (tmp_path / "c_legacy.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    result = CliRunner().invoke(app, ["parse", str(tmp_path), "--format", "json"])
    assert result.exit_code == EXIT_USAGE_OR_IO
    objects = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert len(objects) == 3  # every file answers: the two bad ones with their reason
    assert sum("error" in o for o in objects) == 2
    assert "新乡市卫滨区医疗保障局" in result.stdout
    assert "(corrupt)" in result.stderr and "(unsupported)" in result.stderr
