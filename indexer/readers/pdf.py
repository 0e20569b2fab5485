"""A PDF issue's text layer → lines, as the text conversions hold them.

    pdfium (pypdfium2's raw API; this module): each page's characters with their boxes, baselines
      and sizes, and its ruling lines; text at a slant (a diagonal watermark) left out, a page whose
      text runs sideways (a landscape table on a portrait sheet) turned to its text's direction
    → per page: ruled tables, one line per row with the cells joined by a tab (pdf_tables); the
      other characters grouped into printed lines (a character printed twice to fake a bold face
      read once) and segments: runs without a wide gap, a space where the gap is a space's (pdf_layout)
    → per document: running headers, footers and page numbers taken off: lines at the top or bottom
      edge that repeat across pages, the same text or the same text with only a number changed
      (pdf_running)
    → per page: the column gutter and reading order by section: what spans both columns in its
      vertical place, then the left column, then the right (pdf_layout)
    → per document: printed lines joined back into paragraph lines, and a table row that a page
      break cuts joined again (pdf_layout). The page of each line is its first one.

The stages share the dataclasses of pdf_model (Char, Seg, Line, PageText); read_pdf runs them.

Pages without a usable text layer (fewer than MIN_TEXT_CHARS characters on a page that shows an
image, curves or unmapped glyphs: a scan) go to `ocr` when it is given, else a warning names them;
a blank page is skipped. Nothing in the PDF is executed: pdfium is used without a form environment,
so no JavaScript and no actions run. pdfium is not thread-safe: every call into it holds
PDFIUM_LOCK (re-entrant; OCR code that renders pages with pypdfium2 should take it too).
"""
from __future__ import annotations

import ctypes
import math
import re
import threading
from collections import Counter
from pathlib import Path
from typing import Callable, Protocol

from ..errors import GazetteParseError
from .source import PDF, SourceText
from .pdf_layout import Flow, baseline_rows, lines_of, page_flows, paragraphs, set_edges
from .pdf_model import MIN_TEXT_CHARS, Char, Line, PageText
from .pdf_running import drop_running_lines, running_lines
from .pdf_tables import find_tables

PDFIUM_LOCK = threading.RLock()

MAX_PAGE_CHARS = 50_000  # a printed page holds a few thousand; more is no gazette page (or an attack)
LOW_OCR_CONFIDENCE = 0.8
TAIL_BYTES = 2048  # the end-of-file marker must sit in the file's last bytes (a truncated file has none)


class OcrPage(Protocol):
    lines: list[str]
    confidence: float


OcrFunction = Callable[[Path, int], OcrPage]
Progress = Callable[[int, int], None]


class PageTooLarge(Exception):
    """A page with more text than any printed page holds."""


def _text_chars(pt: PageText) -> int:
    return len(pt.chars) + sum(len(t.chars) for t in pt.tables)


def needs_ocr(pt: PageText) -> bool:
    """No usable text layer: (almost) no characters, though the page shows something (a scan, text
    drawn as curves, or glyphs without a Unicode mapping). A blank page needs nothing."""
    return _text_chars(pt) < MIN_TEXT_CHARS and (pt.has_graphics or pt.unmapped >= MIN_TEXT_CHARS)


# --------------------------------------------------------------------------- pdfium access


def _open(path: Path):
    """(raw document handle, page count); GazetteParseError for what cannot be opened."""
    import pypdfium2.raw as pdfium_c

    doc = pdfium_c.FPDF_LoadDocument((str(path) + "\x00").encode("utf-8"), None)
    if not doc:
        code = pdfium_c.FPDF_GetLastError()
        if code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise GazetteParseError(str(path), "encrypted PDF: a password is needed to open it")
        if code == pdfium_c.FPDF_ERR_FILE:
            raise GazetteParseError(str(path), "cannot open the PDF file")
        raise GazetteParseError(str(path), "corrupt or truncated PDF: the PDF library cannot read its structure")
    return doc, pdfium_c.FPDF_GetPageCount(doc)


def _read_page(doc, index: int) -> PageText:
    """Characters (spaces left out: gaps say where they were) and ruling lines of one page."""
    import pypdfium2.raw as pdfium_c

    page = pdfium_c.FPDF_LoadPage(doc, index)
    if not page:
        raise RuntimeError(f"pdfium cannot load page {index + 1}")
    try:
        box = _page_box(page)
        textpage = pdfium_c.FPDFText_LoadPage(page)
        if not textpage:
            raise RuntimeError(f"pdfium cannot read the text of page {index + 1}")
        try:
            raw, unmapped = _read_chars(textpage)
        finally:
            pdfium_c.FPDFText_ClosePage(textpage)
        quadrant = Counter(q for q, *_ in raw).most_common(1)[0][0] if raw else 0
        place = _placer(quadrant, box)
        w, h = box[2] - box[0], box[3] - box[1]
        pt = PageText(index + 1, *((w, h) if quadrant % 2 == 0 else (h, w)), unmapped=unmapped)
        for k, (q, c, l, b, r, t, ox, oy, size, space) in enumerate(raw):
            if q != quadrant:  # text at another angle: a diagonal watermark, a note in the margin
                continue
            x0, x1, top, bottom = place(l, b, r, t)
            pt.chars.append(Char(c, x0, x1, top, bottom, _baseline(quadrant, box, ox, oy), size, space, k))
        h_rules, v_rules, images, paths = _read_rules(page, place)
        pt.has_graphics = images > 0 or paths > 50
        pt.tables = find_tables(h_rules, v_rules, pt)
        return pt
    finally:
        pdfium_c.FPDF_ClosePage(page)


def _page_box(page) -> tuple[float, float, float, float]:
    """The visible part of the page (crop box, else media box) in PDF space, before any /Rotate:
    the space pdfium gives character and object positions in."""
    import pypdfium2.raw as pdfium_c

    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    for get in (pdfium_c.FPDFPage_GetCropBox, pdfium_c.FPDFPage_GetMediaBox):
        if get(page, ctypes.byref(left), ctypes.byref(bottom), ctypes.byref(right), ctypes.byref(top)):
            l, b, r, t = min(left.value, right.value), min(bottom.value, top.value), max(left.value, right.value), max(bottom.value, top.value)
            if r - l > 1 and t - b > 1:
                return l, b, r, t
    return 0.0, 0.0, 612.0, 792.0  # no box stated: the PDF default (US Letter)


def _placer(quadrant: int, box: tuple[float, float, float, float]):
    """PDF user space (y up) → reading space: x along the lines, y down the page from its top.

    A page whose text runs up (a landscape table on a portrait page, /Rotate 90), down or upside
    down is turned so that its text reads left to right.
    """
    l0, b0, r0, t0 = box
    if quadrant == 1:  # text runs upwards
        return lambda l, b, r, t: (b - b0, t - b0, l - l0, r - l0)
    if quadrant == 2:  # upside down
        return lambda l, b, r, t: (r0 - r, r0 - l, b - b0, t - b0)
    if quadrant == 3:  # text runs downwards
        return lambda l, b, r, t: (t0 - t, t0 - b, r0 - r, r0 - l)
    return lambda l, b, r, t: (l - l0, r - l0, t0 - t, t0 - b)


def _baseline(quadrant: int, box: tuple[float, float, float, float], ox: float, oy: float) -> float:
    l0, b0, r0, t0 = box
    return (t0 - oy, ox - l0, oy - b0, r0 - ox)[quadrant]


def _read_chars(textpage) -> tuple[list[tuple], int]:
    """(quadrant, char, left, bottom, right, top, origin x, origin y, size, space before) per
    character in PDF space, and the count of characters without a Unicode mapping.

    The quadrant is the character's direction in quarter turns counterclockwise (pdfium gives
    the angle clockwise); characters set at a slant, as diagonal watermarks are, are left out.
    """
    import pypdfium2.raw as pdfium_c

    rect = pdfium_c.FS_RECTF()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    matrix = pdfium_c.FS_MATRIX()
    get_matrix = pdfium_c.FPDFText_GetMatrix
    get_unicode, get_box = pdfium_c.FPDFText_GetUnicode, pdfium_c.FPDFText_GetLooseCharBox
    get_origin, get_size, get_angle = pdfium_c.FPDFText_GetCharOrigin, pdfium_c.FPDFText_GetFontSize, pdfium_c.FPDFText_GetCharAngle
    is_generated, map_error = pdfium_c.FPDFText_IsGenerated, pdfium_c.FPDFText_HasUnicodeMapError
    out: list[tuple] = []
    unmapped = 0
    space = False
    count = pdfium_c.FPDFText_CountChars(textpage)
    if count > MAX_PAGE_CHARS:
        raise PageTooLarge(f"{count} characters on one page, more than the {MAX_PAGE_CHARS} a printed page holds")
    for i in range(count):
        u = get_unicode(textpage, i)
        if u in (0x20, 0xA0, 0x3000):
            space = space or is_generated(textpage, i) != 1  # a printed space; pdfium also makes some up
            continue
        if u < 0x20 or u in (0xFFFE, 0xFFFF, 0xFEFF, 0x200B) or 0xD800 <= u <= 0xDFFF:
            continue
        if is_generated(textpage, i) == 1:
            continue
        turns = get_angle(textpage, i) / (math.pi / 2)
        if turns < 0 or abs(turns - round(turns)) > 0.03:  # slanted (a watermark), or no angle known
            continue
        if map_error(textpage, i) == 1 or 0xE000 <= u <= 0xF8FF:
            unmapped += 1
            continue
        get_box(textpage, i, ctypes.byref(rect))
        get_origin(textpage, i, ctypes.byref(ox), ctypes.byref(oy))
        size = get_size(textpage, i)  # the font's size, before the text matrix scales it
        if get_matrix(textpage, i, ctypes.byref(matrix)):
            size *= (matrix.c * matrix.c + matrix.d * matrix.d) ** 0.5
        size = size or abs(rect.top - rect.bottom) or 10.0
        out.append(((4 - round(turns)) % 4, chr(u), rect.left, rect.bottom, rect.right, rect.top, ox.value, oy.value, size, space))
        space = False
    return out, unmapped


def _read_rules(page, place) -> tuple[list[tuple[float, float, float]], list[tuple[float, float, float]], int, int]:
    """Thin path objects: horizontal (y, x0, x1) and vertical (x, y0, y1) rules; image and path counts."""
    import pypdfium2.raw as pdfium_c

    h_rules: list[tuple[float, float, float]] = []
    v_rules: list[tuple[float, float, float]] = []
    images = paths = 0
    left, bottom, right, top = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    for k in range(pdfium_c.FPDFPage_CountObjects(page)):
        obj = pdfium_c.FPDFPage_GetObject(page, k)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            images += 1
            continue
        if kind != pdfium_c.FPDF_PAGEOBJ_PATH:
            continue
        paths += 1
        if not pdfium_c.FPDFPageObj_GetBounds(obj, ctypes.byref(left), ctypes.byref(bottom), ctypes.byref(right), ctypes.byref(top)):
            continue
        x0, x1, y0, y1 = place(left.value, bottom.value, right.value, top.value)
        w, h = x1 - x0, y1 - y0
        if h <= 2.5 and w >= 4:
            h_rules.append(((y0 + y1) / 2, x0, x1))
        elif w <= 2.5 and h >= 4:
            v_rules.append(((x0 + x1) / 2, y0, y1))
        elif w > 4 and h > 4 and pdfium_c.FPDFPath_CountSegments(obj) <= 6:
            fill, stroke = ctypes.c_int(), ctypes.c_int()
            if pdfium_c.FPDFPath_GetDrawMode(obj, ctypes.byref(fill), ctypes.byref(stroke)) and stroke.value:
                h_rules += [(y0, x0, x1), (y1, x0, x1)]  # a stroked rectangle: its four edges
                v_rules += [(x0, y0, y1), (x1, y0, y1)]
    return h_rules, v_rules, images, paths


# --------------------------------------------------------------------------- the reader


def _check_file(path: Path) -> None:
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(1024)
            f.seek(max(0, size - TAIL_BYTES))
            tail = f.read()
    except OSError as e:
        raise GazetteParseError(str(path), f"cannot read file ({e.strerror})") from e
    if b"%PDF-" not in head:
        raise GazetteParseError(str(path), "not a PDF file (no %PDF- header)")
    if b"%%EOF" not in tail:
        raise GazetteParseError(str(path), "corrupt or truncated PDF: the end-of-file marker (%%EOF) is missing")


def read_pdf(path: Path, progress: Progress | None = None, ocr: OcrFunction | None = None) -> SourceText:
    """The text layer of a PDF issue as lines, one paragraph (or table row) a line, with their pages.

    Raises GazetteParseError for an encrypted, corrupt or truncated PDF, one with no pages or more
    than MAX_PAGES, and for any failure inside the PDF library.
    """
    import pypdfium2.raw as pdfium_c

    from .source import MAX_PAGES

    path = Path(path)
    _check_file(path)
    warnings: list[str] = []
    pages: list[PageText] = []
    with PDFIUM_LOCK:
        try:
            doc, count = _open(path)
        except GazetteParseError:
            raise
        except Exception as e:  # the library's own failure
            raise GazetteParseError(str(path), f"the PDF library failed to open it ({type(e).__name__}: {e})") from e
        try:
            if count <= 0:
                raise GazetteParseError(str(path), "the PDF has no pages")
            if count > MAX_PAGES:
                raise GazetteParseError(str(path), f"the PDF has {count} pages, more than the {MAX_PAGES} a gazette file may have")
            for i in range(count):
                try:
                    pt = _read_page(doc, i)
                except PageTooLarge as e:
                    raise GazetteParseError(str(path), f"page {i + 1}: {e}") from e
                except Exception as e:
                    raise GazetteParseError(str(path), f"the PDF library failed on page {i + 1} ({type(e).__name__}: {e})") from e
                pages.append(pt)
                if needs_ocr(pt):
                    if ocr is None:
                        warnings.append(f"page {pt.number}: no text layer (OCR not available)")
                    else:
                        result = ocr(path, i)
                        pt.ocr_lines = [s.strip() for s in result.lines if s.strip()]
                        pt.chars, pt.tables = [], []  # the few characters there were: a stamp or a page number
                        if result.confidence < LOW_OCR_CONFIDENCE:
                            warnings.append(f"page {pt.number}: read by OCR with low confidence ({result.confidence:.2f})")
                elif pt.unmapped > MIN_TEXT_CHARS:
                    warnings.append(f"page {pt.number}: {pt.unmapped} characters without a Unicode mapping left out")
                if progress is not None:
                    progress(i + 1, count)
        finally:
            pdfium_c.FPDF_CloseDocument(doc)

    for pt in pages:
        pt.rows = baseline_rows(pt.chars)
    repeated = running_lines(pages)
    running_keys = {key for _, key in repeated.keys}
    pages_flows: dict[int, list[Flow]] = {}
    for pt in pages:
        if _text_chars(pt):
            drop_running_lines(pt, repeated)
            pages_flows[pt.number] = page_flows(pt)
    set_edges(pages_flows)
    lines: list[Line] = []
    flow_base = 0
    for pt in pages:
        if pt.number in pages_flows:
            flows = pages_flows[pt.number]
            lines.extend(lines_of(flows, pt.number, flow_base))
            flow_base += len(flows)
        for s in pt.ocr_lines:  # the running header and page number read by OCR go too
            if re.sub(r"\d+", "#", re.sub(r"\s+", "", s)) not in running_keys:
                lines.append(Line(s, 0, 0, 0, 0, 0, 0, 0, pt.number, flow_base, ocr=True))
        flow_base += 1
    texts, line_pages = paragraphs(lines)
    return SourceText(format=PDF, lines=texts, pages=line_pages, page_count=count, warnings=warnings)
