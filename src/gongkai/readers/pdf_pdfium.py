"""The objects of a PDF page — characters with their boxes, and the painted paths — read with
PDFium (pypdfium2), in pdfplumber's coordinates and dictionaries.

pdfminer, which pdfplumber reads with, interprets every content stream operator in Python: a WPS
report of five pages, which draws every table border as a path, takes half a second. PDFium reads
the same page in C in a few milliseconds. This module gives the reader what pdfminer gave it, so
that the rest of the reader (tables on the ruling lines, text lines, paragraphs) is unchanged:

* characters: ``text``, and pdfminer's box: along the baseline PDFium's loose box (origin and
  advance width, as pdfminer), across it from the font's descent (the side the text's up
  direction points away from) one font size on, where PDFium's loose box goes on to the ascent;
  ``size`` the box's height and ``upright`` from the character's matrix, as pdfminer's
  ``LTChar``. A character of a vertical font (CJK set top to bottom, which WPS uses for the
  row heads of table 三) is one font size square from its origin, as pdfminer has it: PDFium's
  loose box for it ignores the text matrix's scale. Characters PDFium makes up between words and
  lines (no text object) are left out: pdfminer has none.
* paths: split into subpaths at each ``m`` and sorted into ``rect`` (an axis-aligned closed
  four-sided subpath), ``line`` (one segment) and ``curve`` (the rest, Bézier control points
  left out) exactly as pdfminer's ``paint_path`` does, with ``fill``, ``stroke`` and the fill
  colour (RGB 0–1, as PDFium converts it).

Coordinates follow pdfminer and pdfplumber: the page's rotation and MediaBox origin are applied,
then ``top`` is measured down from the top of the page.
"""

from __future__ import annotations

import ctypes
import re
import struct
from collections.abc import Container, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

Obj = dict[str, Any]
_SUBPATH = re.compile(r"m[^m]+")
_X, _Y = itemgetter(0), itemgetter(1)
_SURROGATE = re.compile("[\ud800-\udfff]")
_P = ctypes.c_void_p
_RECT = struct.Struct("4f")  # FS_RECTF: left, top, right, bottom
_RECT_MATRIX4 = struct.Struct("4f4f")  # an FS_RECTF, then an FS_MATRIX's a, b, c, d
_MATRIX6 = struct.Struct("6f")  # FS_MATRIX: a, b, c, d, e, f
_PATH_STATE = struct.Struct("6f2i")  # an FS_MATRIX, then a path's fill mode and stroke flag (C ints)
_POINT = struct.Struct("2f")  # two floats: x, y
_SEGMENT = struct.Struct("=2fBB2x")  # CFX_Path::Point: x, y (floats), type (uint8), close (bool), padding


def _pointer(address: int | None) -> Any:
    """*address* as an argument to a PDFium function: a ``byref`` to it, which ctypes passes on
    as it is (a ``c_void_p`` is looked up in ctypes' table of types on every call)."""
    return ctypes.byref(ctypes.c_char.from_address(address or 0))


class _Handle(ctypes.c_void_p):
    """A handle PDFium returns, kept as a ``c_void_p`` (ctypes turns a plain ``c_void_p`` result
    into an int, which would have to be wrapped again to be passed back)."""


def _fn(name: str, restype: Any) -> Any:
    """PDFium's function *name*, called without ctypes' argument conversion: a handle or pointer
    is passed as a ``c_void_p`` made once, an index as a plain int (a C int), and a returned handle
    comes back as an int. A page makes thousands of calls; the conversions pypdfium2's typed
    bindings make on each cost more than the calls. The calls keep the GIL (``PYFUNCTYPE``): each
    reads a field PDFium already has, and releasing and taking the GIL around it cost a fifth of
    the call."""
    address = ctypes.cast(getattr(pdfium_c, name), ctypes.c_void_p).value
    assert address is not None
    return ctypes.PYFUNCTYPE(restype)(address)


_text_object = _fn("FPDFText_GetTextObject", _P)  # (textpage, index) → text object
_loose_box = _fn("FPDFText_GetLooseCharBox", ctypes.c_int)  # (textpage, index, FS_RECTF*)
_unicode = _fn("FPDFText_GetUnicode", ctypes.c_uint)  # (textpage, index)
_char_origin = _fn("FPDFText_GetCharOrigin", ctypes.c_int)  # (textpage, index, double*, double*)
_char_matrix = _fn("FPDFText_GetMatrix", ctypes.c_int)  # (textpage, index, FS_MATRIX*)
_font_size = _fn("FPDFText_GetFontSize", ctypes.c_double)  # (textpage, index)
_count_objects = _fn("FPDFPage_CountObjects", ctypes.c_int)  # (page)
_page_object = _fn("FPDFPage_GetObject", ctypes.c_void_p)  # (page, index) → int address
_form_count = _fn("FPDFFormObj_CountObjects", ctypes.c_int)  # (form)
_form_object = _fn("FPDFFormObj_GetObject", _Handle)  # (form, c_ulong index)
_object_type = _fn("FPDFPageObj_GetType", ctypes.c_int)  # (object)
_object_matrix = _fn("FPDFPageObj_GetMatrix", ctypes.c_int)  # (object, FS_MATRIX*)
_draw_mode = _fn("FPDFPath_GetDrawMode", ctypes.c_int)  # (path, int* fill mode, int* stroke)
_fill_color = _fn("FPDFPageObj_GetFillColor", ctypes.c_int)  # (object, uint* r, g, b, a)
_count_segments = _fn("FPDFPath_CountSegments", ctypes.c_int)  # (path)
_segment = _fn("FPDFPath_GetPathSegment", _Handle)  # (path, index)
_segment_address = _fn("FPDFPath_GetPathSegment", ctypes.c_void_p)  # (path, index) → int address
_segment_point = _fn("FPDFPathSegment_GetPoint", ctypes.c_int)  # (segment, float* x, float* y)
_segment_type = _fn("FPDFPathSegment_GetType", ctypes.c_int)  # (segment)
_segment_close = _fn("FPDFPathSegment_GetClose", ctypes.c_int)  # (segment)
_TEXT, _PATH, _FORM = pdfium_c.FPDF_PAGEOBJ_TEXT, pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM
_BEZIER, _MOVE, _LINE = pdfium_c.FPDF_SEGMENT_BEZIERTO, pdfium_c.FPDF_SEGMENT_MOVETO, pdfium_c.FPDF_SEGMENT_LINETO


@dataclass(slots=True)
class PageObjects:
    """What the reader needs of one page, in pdfplumber's coordinates and dictionaries."""

    width: float
    height: float
    bbox: tuple[float, float, float, float]
    chars: list[Obj] = field(default_factory=list)
    rects: list[Obj] = field(default_factory=list)
    lines: list[Obj] = field(default_factory=list)
    curves: list[Obj] = field(default_factory=list)
    # Whether every text object on the page gave its characters. PDFium leaves out a text object
    # whose glyph box it cannot compute (a one-character string in a font neither embedded nor
    # installed) and one that repeats the one before it (fake bold); pdfminer reads them, so such
    # a page is read by pdfminer.
    complete: bool = True


class _Space:
    """User space → pdfplumber's page space (pdfminer's rotation and origin, then y flipped)."""

    def __init__(self, page: pdfium.PdfPage) -> None:
        box = page.get_mediabox(fallback_ok=False) or page.get_bbox()
        x0, y0, x1, y1 = (float(v) for v in box)
        rotation = page.get_rotation() % 360
        if rotation == 90:
            self.ctm = (0.0, -1.0, 1.0, 0.0, -y0, x1)
        elif rotation == 180:
            self.ctm = (-1.0, 0.0, 0.0, -1.0, x1, y1)
        elif rotation == 270:
            self.ctm = (0.0, 1.0, -1.0, 0.0, y1, -x0)
        else:
            self.ctm = (1.0, 0.0, 0.0, 1.0, -x0, -y0)
        nx0, nx1 = sorted((x0, x1))
        ny0, ny1 = sorted((y0, y1))
        if rotation in (90, 270):
            nx0, ny0, nx1, ny1 = ny0, nx0, ny1, nx1
        mb_height = ny1 - ny0
        self.mb_x0 = nx0
        self.mb_top = mb_height - ny1
        self.width = nx1 - nx0
        self.height = mb_height


def _chars(page: pdfium.PdfPage, space: _Space, seen: dict[int, tuple[float, bool, float, float, bool]]) -> list[Obj]:
    """The page's characters; *seen* gets the address of every text object that gave one, with
    its font size, whether upright, its matrix's c and d (after the page's rotation), whether vertical.

    Four PDFium calls a character (its text object, its loose box; the matrix and font size once
    a text object — WPS writes one object a character), the box and the matrix written into one
    buffer and read with one ``struct`` unpack, and on an upright page (no ``/Rotate``) the
    transform to pdfplumber's space written out as the additions it comes to."""
    textpage = page.get_textpage()
    try:
        raw = _pointer(ctypes.cast(textpage.raw, ctypes.c_void_p).value)
        n = pdfium_c.FPDFText_CountChars(textpage.raw)
        if n <= 0:
            return []
        buf = ctypes.create_string_buffer((n + 1) * 2)
        got = pdfium_c.FPDFText_GetText(textpage.raw, 0, n, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
        text = buf.raw[: max(got - 1, 0) * 2].decode("utf-16-le", errors="surrogatepass")
        if len(text) != n:  # one code unit per character, or ask character by character
            text = "".join(chr(_unicode(raw, i)) for i in range(n))
        # the loose box (FS_RECTF) and, after it, the matrix (FS_MATRIX) in one buffer: read at
        # once when both are asked for
        box_matrix = (ctypes.c_float * 10)()
        rect_p, matrix_p = ctypes.byref(box_matrix), ctypes.byref(box_matrix, _RECT.size)
        ox, oy = ctypes.c_double(), ctypes.c_double()
        ox_p, oy_p = ctypes.byref(ox), ctypes.byref(oy)
        read_rect, read_both = _RECT.unpack_from, _RECT_MATRIX4.unpack_from
        text_object, loose_box, char_matrix, font_size_of = _text_object, _loose_box, _char_matrix, _font_size

        def origin(i: int) -> tuple[float, float]:
            _char_origin(raw, i, ox_p, oy_p)
            return ox.value, oy.value

        # user space → pdfplumber's (x, top) in one step: x = xa·x + xc·y + xe, top = ta·x + tc·y + te
        ra, rb, rc, rd, re_, rf = space.ctm
        turned = (ra, rb, rc, rd) != (1.0, 0.0, 0.0, 1.0)
        xa, xc, xe = ra, rc, re_ + space.mb_x0
        ta, tc, te = -rb, -rd, space.height + space.mb_top - rf
        surrogates = not text.isascii() and _SURROGATE.search(text) is not None
        out: list[Obj] = []
        append = out.append
        objects = list(map(text_object, repeat(raw, n), range(n)))  # each character's text object
        last = n - 1
        for i, obj in enumerate(objects):
            if not obj:
                continue  # made up by PDFium (a space or line break between words): not in the file
            if not loose_box(raw, i, rect_p):
                continue
            u = text[i]
            if surrogates and "\ud800" <= u <= "\udfff":
                if u <= "\udbff" and i + 1 < n and "\udc00" <= text[i + 1] <= "\udfff":
                    u = (u + text[i + 1]).encode("utf-16-le", "surrogatepass").decode("utf-16-le")
                else:
                    continue  # the second half of a pair, joined above (or half a pair: nothing)
            info = seen.get(obj)
            if info is None:
                char_matrix(raw, i, matrix_p)
                font_size = font_size_of(raw, i)
                # the character's matrix, then the page's rotation: pdfminer's character matrix
                left, rtop, right, rbottom, a, b, c, d = read_both(box_matrix)
                if turned:
                    mc, md = c * ra + d * rc, c * rb + d * rd
                    upright = (a * ra + b * rc) * md > 0 and a * rb + b * rd == 0 and mc == 0  # LTChar.upright
                    straight = upright and b == 0 and c == 0
                else:
                    mc, md = c, d
                    upright = straight = a * d > 0 and b == 0 and c == 0
                vertical = False
                if straight:
                    if i < last and objects[i + 1] == obj:
                        # vertical writing: the characters of one text object go down, not right
                        (x_a, y_a), (x_b, y_b) = origin(i), origin(i + 1)
                        vertical = abs(x_a - x_b) < 1e-3 and y_b < y_a - 1e-3
                    else:
                        # one character: PDFium's loose box of a vertical character is one
                        # unscaled font size wide, whatever the text matrix's scale
                        vertical = abs(d - 1) > 1e-3 and abs((right - left) - font_size) < 1e-3
                seen[obj] = (font_size, upright, mc, md, vertical)
            else:
                left, rtop, right, rbottom = read_rect(box_matrix)
                font_size, upright, mc, md, vertical = info
            if vertical:
                # pdfminer: one font size wide from the origin, one font size (the advance) high
                size = font_size * abs(md)
                vx, vy = origin(i)
                x0 = xa * vx + xc * vy + xe
                bottom = ta * vx + tc * vy + te
                x1, top = x0 + size, bottom - size
                height = bottom - top
            else:
                if turned:
                    x0 = xa * left + xc * rtop + xe
                    x1 = xa * right + xc * rbottom + xe
                    top = ta * left + tc * rtop + te
                    bottom = ta * right + tc * rbottom + te
                else:  # the same sums, their terms that are nought left out
                    x0 = left + xe
                    x1 = right + xe
                    top = te - rtop
                    bottom = te - rbottom
                if x0 > x1:
                    x0, x1 = x1, x0
                if top > bottom:
                    top, bottom = bottom, top
                # PDFium's loose box runs from the font's descent to its ascent; pdfminer's from the
                # descent to one font size above it. The descent side is where the text's up
                # direction (mc, md) points away from.
                if mc == 0:
                    if md > 0:
                        top = bottom - font_size * md
                    elif md < 0:
                        bottom = top - font_size * md
                elif md == 0:
                    if mc > 0:
                        x1 = x0 + font_size * mc
                    else:
                        x0 = x1 + font_size * mc
                size = height = bottom - top  # pdfminer: the box's height, for a font written across
            append(
                {
                    "text": u,
                    "x0": x0,
                    "x1": x1,
                    "top": top,
                    "bottom": bottom,
                    "doctop": top,
                    "height": height,
                    "size": size,
                    "upright": upright,
                }
            )
        return out
    finally:
        textpage.close()


# How many paths' segments were read at once from PDFium's array and found the same as the API
# gives them: after a few, the array's layout is known for this build of PDFium (it cannot change
# in a process), and the segments are read at once without asking the API again.
_SEGMENTS_CHECKED = [0]
_SEGMENT_CHECKS = 8


# the segments of a path of up to 16 at once (most paths: a line, 2; a rectangle, 5), and the
# ctypes array of their bytes, read in place (``from_address``: no copy, no foreign call)
_SEGMENTS = [struct.Struct("=" + "2fBB2x" * n) for n in range(17)]
_SEGMENT_BYTES = [ctypes.c_char * (_SEGMENT.size * n) for n in range(17)]


def _segments_at(address: int, n: int) -> tuple[Any, ...]:
    """The *n* segments (:data:`_SEGMENT`) of PDFium's array at *address*, flat: x, y, type and
    close of the first, then of the second… (a tuple of tuples cost more than the path)."""
    if n < len(_SEGMENTS):
        return _SEGMENTS[n].unpack_from(_SEGMENT_BYTES[n].from_address(address))
    return struct.unpack("=" + "2fBB2x" * n, ctypes.string_at(address, _SEGMENT.size * n))


def _paths(page: pdfium.PdfPage, space: _Space, out: PageObjects, seen: Container[int]) -> bool:
    """The page's painted paths into *out*; whether every text object is in *seen* (the text
    objects that gave characters: most objects, whose type need not be asked)."""
    # an object's matrix (FS_MATRIX) and, after it, a path's fill mode and stroke flag (two
    # ints): read at once (:data:`_PATH_STATE`)
    matrix = (ctypes.c_char * _PATH_STATE.size)()
    matrix_p = ctypes.byref(matrix)
    fill_p, stroke_p = ctypes.byref(matrix, _MATRIX6.size), ctypes.byref(matrix, _MATRIX6.size + 4)
    read_state = _PATH_STATE.unpack_from
    point = (ctypes.c_float * 2)()
    px_p, py_p = ctypes.byref(point), ctypes.byref(point, 4)
    rgba = (ctypes.c_uint * 4)()
    r_p, g_p, b_p, a_p = (ctypes.byref(rgba, 4 * k) for k in range(4))
    read_matrix, read_point = _MATRIX6.unpack_from, _POINT.unpack_from
    segment, segment_point, segment_type, segment_close = _segment, _segment_point, _segment_type, _segment_close
    segment_address = _segment_address
    count_segments, draw_mode, object_matrix, fill_color = _count_segments, _draw_mode, _object_matrix, _fill_color
    size = _SEGMENT.size
    checked = _SEGMENTS_CHECKED
    ctm = space.ctm
    ctm_a, ctm_b, ctm_c, ctm_d, ctm_e, ctm_f = ctm
    height, mb_top, mb_x0 = space.height, space.mb_top, space.mb_x0
    add_line, add_rect = out.lines.append, out.rects.append

    def color_of(obj: Any, fill: bool) -> tuple[float, float, float] | None:
        """A filled path's fill colour as PDFium gives it (RGB in 0–1), else None."""
        if fill and fill_color(obj, r_p, g_p, b_p, a_p):
            return (rgba[0] / 255, rgba[1] / 255, rgba[2] / 255)
        return None

    def segments(obj: Any) -> Sequence[Any]:
        """The path's segments, flat: point, type and whether it closes the subpath, of each in
        turn (:func:`_segments_at`). PDFium keeps them
        in one array (``CFX_Path``'s points: two floats, the type, the close flag, 12 bytes
        each) and gives out pointers into it; the array is read at once when the pointers to its
        first and last segments are that far apart and the last reads as the API gives it (once
        the first few paths of the process have, the pointer to the first is enough), else
        segment by segment through the API (four calls a segment)."""
        n = count_segments(obj)
        if n <= 0:
            return ()
        first = segment_address(obj, 0)
        if first:
            if checked[0] >= _SEGMENT_CHECKS:
                return _segments_at(first, n)
            last = segment(obj, n - 1)
            if last.value - first == size * (n - 1) and segment_point(last, px_p, py_p):
                read = _segments_at(first, n)
                x, y, t, close = read[-4:]
                if (x, y) == read_point(point) and t == segment_type(last) and bool(close) == bool(segment_close(last)):
                    if n > 1:
                        checked[0] += 1
                    return read
        out: list[Any] = []
        for k in range(n):
            seg = segment(obj, k)
            if segment_point(seg, px_p, py_p):
                x, y = read_point(point)
                out += (x, y, segment_type(seg), segment_close(seg))
        return out

    def path(obj: Any, parent: tuple[float, ...] | None) -> None:
        if not draw_mode(obj, fill_p, stroke_p):
            return
        object_matrix(obj, matrix_p)
        m_a, m_b, m_c, m_d, m_e, m_f, fill_mode, stroke_flag = read_state(matrix)
        if parent is not None:
            m_a, m_b, m_c, m_d, m_e, m_f = _mult((m_a, m_b, m_c, m_d, m_e, m_f), parent)
        # then to pdfminer's device space: _mult(m, ctm), written out
        a, b = m_a * ctm_a + m_b * ctm_c, m_a * ctm_b + m_b * ctm_d
        c, d = m_c * ctm_a + m_d * ctm_c, m_c * ctm_b + m_d * ctm_d
        e, f = m_e * ctm_a + m_f * ctm_c + ctm_e, m_e * ctm_b + m_f * ctm_d + ctm_f
        segs = segments(obj)
        n = len(segs) >> 2
        if n == 2 or n == 5:
            # a line or a closed rectangle (the rulings of a table): painted directly, as the
            # general case below would (a line: m l, or m l h; a rectangle: m l l l l h whose
            # last point is its first, its sides across and along, the box of its points)
            fill = fill_mode != 0
            stroke = bool(stroke_flag)
            if n == 2:
                x0, y0, t0, c0, x1, y1, t1, _ = segs
                if t0 == _MOVE and t1 == _LINE and not c0:
                    color = color_of(obj, fill)
                    px, py = a * x0 + c * y0 + e, b * x0 + d * y0 + f
                    qx, qy = a * x1 + c * y1 + e, b * x1 + d * y1 + f
                    # min() and max() of the two, as they choose
                    dx0, dx1 = (qx if qx < px else px), (qx if qx > px else px)
                    dy0, dy1 = (qy if qy < py else py), (qy if qy > py else py)
                    add_line(_box("line", dx0, dx1, dy0, dy1, fill, stroke, color, height, mb_top, mb_x0))
                    return
            else:
                x0, y0, t0, c0, x1, y1, t1, c1, x2, y2, t2, c2, x3, y3, t3, c3, x4, y4, t4, c4 = segs
                if t0 == _MOVE and t1 == t2 == t3 == t4 == _LINE and c4 and not (c0 or c1 or c2 or c3):
                    p0x, p0y = a * x0 + c * y0 + e, b * x0 + d * y0 + f
                    p1x, p1y = a * x1 + c * y1 + e, b * x1 + d * y1 + f
                    p2x, p2y = a * x2 + c * y2 + e, b * x2 + d * y2 + f
                    p3x, p3y = a * x3 + c * y3 + e, b * x3 + d * y3 + f
                    p4x, p4y = a * x4 + c * y4 + e, b * x4 + d * y4 + f
                    # closed, its sides across then along (the corner across from p0 is p2, its
                    # x p2's, its y p1's) or along then across (the corner's x p1's, its y p2's)
                    far_x = far_y = None
                    if p4x == p0x and p4y == p0y:
                        if p0x == p1x and p1y == p2y and p2x == p3x and p3y == p0y:
                            far_x, far_y = p2x, p1y
                        elif p0y == p1y and p1x == p2x and p2y == p3y and p3x == p0x:
                            far_x, far_y = p1x, p2y
                    if far_x is not None and far_y is not None:
                        # the box of the points: min() and max() of the five, as they choose (the
                        # first of equal values: p0's coordinate on a tie)
                        dx0, dx1 = (far_x if far_x < p0x else p0x), (far_x if far_x > p0x else p0x)
                        dy0, dy1 = (far_y if far_y < p0y else p0y), (far_y if far_y > p0y else p0y)
                        color = color_of(obj, fill)
                        add_rect(_box("rect", dx0, dx1, dy0, dy1, fill, stroke, color, height, mb_top, mb_x0))
                        return
        ops: list[str] = []
        pts: list[tuple[float, float]] = []
        start = (0.0, 0.0)
        pending_bezier = 0
        flat = iter(segs)
        for x, y, t, close in zip(flat, flat, flat, flat, strict=True):  # (four values a segment)
            if t == _BEZIER:
                pending_bezier += 1
                if pending_bezier < 3:
                    continue  # control points: pdfminer keeps only a curve's end point
                ops.append("c")
            elif t == _MOVE:
                ops.append("m")
            else:
                ops.append("l")
            pending_bezier = 0
            pt = (a * x + c * y + e, b * x + d * y + f)
            if t == _MOVE:
                start = pt
            pts.append(pt)
            if close:
                ops.append("h")
                pts.append(start)  # back to the subpath's start
        if not ops:
            return
        shape = "".join(ops)
        fill = fill_mode != 0
        stroke = bool(stroke_flag)
        color = color_of(obj, fill)
        if shape.count("m") > 1:
            for sub in _SUBPATH.finditer(shape):
                i, j = sub.start(), sub.end()
                _paint_closed(shape[i:j], pts[i:j], fill, stroke, color, space, out)
        elif shape[:1] == "m":
            _paint_closed(shape, pts, fill, stroke, color, space, out)

    complete = True

    def form(obj: Any, parent: tuple[float, ...] | None) -> None:
        nonlocal complete
        object_matrix(obj, matrix_p)
        m: tuple[float, ...] = read_matrix(matrix)
        if parent is not None:
            m = _mult(m, parent)
        for k in range(_form_count(obj)):
            address = _form_object(obj, ctypes.c_ulong(k)).value
            if address in seen:
                continue  # a text object read
            child = _pointer(address)
            kind = _object_type(child)
            if kind == _TEXT:
                complete = False
            elif kind == _PATH:
                path(child, m)
            elif kind == _FORM:
                form(child, m)

    raw = _pointer(ctypes.cast(page.raw, ctypes.c_void_p).value)
    n = _count_objects(raw)
    # every object's address (an int), and those of the objects that are no text object read (most
    # objects are: a WPS page draws each character apart)
    for address in [a for a in map(_page_object, repeat(raw, n), range(n)) if a not in seen]:
        obj = _pointer(address)  # (passed on as it is: a c_void_p is converted on every call)
        kind = _object_type(obj)
        if kind == _TEXT:
            complete = False  # a text object PDFium gave no character of
        elif kind == _PATH:
            path(obj, None)
        elif kind == _FORM:
            form(obj, None)
    return complete


def _mult(m: tuple[float, ...], n: tuple[float, ...]) -> tuple[float, ...]:
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def _paint(
    shape: str,
    pts: list[tuple[float, float]],
    fill: bool,
    stroke: bool,
    color: tuple[float, float, float] | None,
    space: _Space,
    out: PageObjects,
) -> None:
    """pdfminer's ``paint_path`` for one subpath (points in device space, ``h`` back to the start)."""
    pts = [pts[0] if op == "h" else p for op, p in zip(shape, pts, strict=True)]
    _paint_closed(shape, pts, fill, stroke, color, space, out)


def _paint_closed(
    shape: str,
    pts: list[tuple[float, float]],
    fill: bool,
    stroke: bool,
    color: tuple[float, float, float] | None,
    space: _Space,
    out: PageObjects,
) -> None:
    """:func:`_paint`, each ``h``'s point already the subpath's start."""
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"
        pts.pop()
    if shape in ("mlh", "ml"):
        kind = "line"
    elif shape in ("mlllh", "mllll"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
        closed = pts[0] == pts[4]
        square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)
        kind = "rect" if closed and square else "curve"
    else:
        kind = "curve"
    xs, ys = list(map(_X, pts)), list(map(_Y, pts))
    box = _box(kind, min(xs), max(xs), min(ys), max(ys), fill, stroke, color, space.height, space.mb_top, space.mb_x0)
    if kind == "rect":
        out.rects.append(box)
    elif kind == "line":
        out.lines.append(box)
    else:
        box["pts"] = [(x + space.mb_x0, space.height - y + space.mb_top) for x, y in pts]
        out.curves.append(box)


def _box(
    kind: str,
    dx0: float,
    dx1: float,
    dy0: float,
    dy1: float,
    fill: bool,
    stroke: bool,
    color: tuple[float, float, float] | None,
    height: float,
    mb_top: float,
    mb_x0: float,
) -> Obj:
    """A painted line, rectangle or curve of the box (*dx0*, *dy0*, *dx1*, *dy1*) in device space,
    as pdfminer and pdfplumber give it; *height*, *mb_top* and *mb_x0* are the page's."""
    top = height - dy1 + mb_top
    return {
        "object_type": kind,
        "x0": dx0 + mb_x0,
        "x1": dx1 + mb_x0,
        "y0": dy0,
        "y1": dy1,
        "top": top,
        "bottom": height - dy0 + mb_top,
        "doctop": top,
        "width": dx1 - dx0,
        "height": dy1 - dy0,
        "fill": fill,
        "stroke": stroke,
        "non_stroking_color": color,
    }


def read_page(page: pdfium.PdfPage) -> PageObjects:
    """The characters and paths of one page."""
    space = _Space(page)
    box = (space.mb_x0, space.mb_top, space.mb_x0 + space.width, space.mb_top + space.height)
    out = PageObjects(space.width, space.height, box)
    seen: dict[int, tuple[float, bool, float, float, bool]] = {}
    out.chars = _chars(page, space, seen)
    out.complete = _paths(page, space, out, seen)
    return out
