"""OCR of a page without a text layer (a scanned or image-only PDF page, or an image).

RapidOCR (PP-OCRv4 detection and recognition, ONNX models shipped in its wheel) finds text boxes;
this module puts them back in reading order the way the text conversions hold a page: one
paragraph a line, wrapped lines joined, two columns read left then right.

Layout rules work on geometry only (box edges in units of the page's median character width,
the page's tilt taken out first). The two script-dependent questions, how wide a character is and
whether two pieces join with a space, ask Unicode's East Asian Width property, not a table here.
Confidence is the mean score of the boxes RapidOCR keeps (score >= 0.5, its default).
"""
from __future__ import annotations

import math
import os
import statistics
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image

from ..errors import GazetteParseError
from .pdf import PDFIUM_LOCK

# Threads of each ONNX session: the service runs on 2 cores shared with the query encoder.
THREADS = max(1, min(2, os.cpu_count() or 1))
# RapidOCR scales a page down to this longest side before detection (its default). 2000 px keeps
# 12 pt type of an A4 page at ~28 px, which the recogniser reads as well as at full 200 dpi (2339 px)
# and faster; rendering much larger only costs memory, so renders are capped at twice that.
OCR_MAX_SIDE = 2000
MAX_RENDER_SIDE = 2 * OCR_MAX_SIDE

# Layout thresholds, in median character widths (cw) or line heights.
INDENT = 1.2  # a line starting this far right of its column's left edge is indented (2 cw typeset)
SHORT = 1.5  # a line ending this far left of its column's right edge ends its paragraph
OVERHANG = 1.0  # a box may reach this far into the gutter (its margin, a hanging punctuation mark)
MIN_GUTTER = 1.0  # the narrowest strip no box spans by more than OVERHANG: columns may nearly touch
EDGE_TOLERANCE = 0.5  # lines whose starts (ends) lie this close share a column edge
PARA_GAP = 1.2  # a vertical gap of this many line heights between lines separates paragraphs
GUTTER_ZONE = (0.3, 0.7)  # where on the page's text width a column gutter may lie
MIN_COLUMN_WIDTH = 0.25  # each column spans at least this share of the text width (not a table's margin column)


@dataclass(frozen=True)
class OcrPage:
    lines: list[str]  # one paragraph (or heading) a line, in reading order
    confidence: float  # mean recognition score of the kept text boxes, 0..1; 0.0 when no text was found


@dataclass
class _Box:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass
class _Line:
    boxes: list[_Box]
    column: int = 0  # 0 whole width (or a line spanning both columns), 1 left, 2 right
    left: float = 0.0  # the edges of the column the line belongs to
    right: float = 0.0

    @property
    def x0(self) -> float:
        return min(b.x0 for b in self.boxes)

    @property
    def x1(self) -> float:
        return max(b.x1 for b in self.boxes)

    @property
    def y0(self) -> float:
        return min(b.y0 for b in self.boxes)

    @property
    def y1(self) -> float:
        return max(b.y1 for b in self.boxes)

    @property
    def text(self) -> str:
        return _join(b.text for b in sorted(self.boxes, key=lambda b: b.x0))


_engine = None
_engine_lock = threading.Lock()  # creating the engine, and each call: RapidOCR keeps per-call state on itself


def _get_engine():
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                from rapidocr_onnxruntime import RapidOCR

                _engine = RapidOCR(
                    # text lines of a gazette page are upright: the 180° classifier only risks flipping short lines
                    use_cls=False,
                    max_side_len=OCR_MAX_SIDE,
                    intra_op_num_threads=THREADS,
                    inter_op_num_threads=1,
                    det_use_cuda=False, cls_use_cuda=False, rec_use_cuda=False,
                    det_use_dml=False, cls_use_dml=False, rec_use_dml=False,
                )
    return _engine


@lru_cache(maxsize=1)
def is_available() -> bool:
    """Whether the OCR engine (rapidocr-onnxruntime with onnxruntime and OpenCV) imports."""
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except Exception:  # ImportError, or a native library that fails to load (OSError)
        return False
    return True


def ocr_image(image: Image.Image) -> OcrPage:
    """Read the text of one page image, in reading order, one paragraph a line."""
    if image.mode != "RGB":
        # flatten transparency onto white: RapidOCR's own RGBA conversion inverts some images
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, "white")
        image.paste(rgba, mask=rgba.getchannel("A"))
    engine = _get_engine()
    with _engine_lock:
        result, _ = engine(image)
    found = [(points, text.strip(), float(score)) for points, text, score in result or () if text.strip()]
    if not found:
        return OcrPage([], 0.0)
    # A scan is seldom square to the page: turn the boxes (quadrilaterals along the text) level, or a
    # 2° tilt moves a line's start by a character per 30 lines and lifts one end of it into the next.
    angle = _skew([points for points, _, _ in found])
    cos, sin = math.cos(angle), math.sin(angle)
    boxes = []
    for points, text, _ in found:
        xs = [x * cos + y * sin for x, y in points]
        ys = [y * cos - x * sin for x, y in points]
        boxes.append(_Box(min(xs), min(ys), max(xs), max(ys), text))
    return OcrPage(_paragraphs(boxes), sum(score for _, _, score in found) / len(found))


def ocr_pdf_page(path: Path, page_index: int, dpi: int = 200) -> OcrPage:
    """Render page `page_index` (0-based) of a PDF and OCR it. Errors name the page 1-based, as warnings do."""
    where = f"page {page_index + 1}"
    with PDFIUM_LOCK:  # pdfium is not thread-safe; re-entrant, as read_pdf calls this holding it
        try:
            import pypdfium2 as pdfium

            pdf = pdfium.PdfDocument(str(path))
        except Exception as e:
            raise GazetteParseError(str(path), f"{where}: OCR failed (cannot open the PDF: {e})") from e
        try:
            count = len(pdf)
            if not 0 <= page_index < count:
                raise GazetteParseError(str(path), f"{where}: OCR failed (the file has {count} pages)")
            page = pdf[page_index]
            width, height = page.get_size()  # in points
            scale = min(dpi / 72, MAX_RENDER_SIDE / max(width, height, 1))
            image = page.render(scale=scale).to_pil()  # a copy: the bitmap is BGR, the image RGB
            page.close()
        except GazetteParseError:
            raise
        except Exception as e:
            raise GazetteParseError(str(path), f"{where}: OCR failed (cannot render the page: {e})") from e
        finally:
            pdf.close()
    try:
        return ocr_image(image)
    except Exception as e:
        raise GazetteParseError(str(path), f"{where}: OCR failed ({type(e).__name__}: {e})") from e


# ---- layout -------------------------------------------------------------------------------


def _skew(quads: list) -> float:
    """The page's tilt in radians: the median slope of the top edges of boxes long enough to show it
    (the detector gives each box as top-left, top-right, bottom-right, bottom-left)."""
    slopes = []
    for (x0, y0), (x1, y1), _, (x3, y3) in quads:
        if math.hypot(x1 - x0, y1 - y0) >= 4 * math.hypot(x3 - x0, y3 - y0):
            slopes.append(math.atan2(y1 - y0, x1 - x0))
    return statistics.median(slopes) if slopes else 0.0


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _join(pieces) -> str:
    """Join pieces of one line or paragraph: a space only between two non-wide word characters
    (2023 + 年 → 2023年, 第十二条 + 退役 → 第十二条退役, Article + 5 → Article 5)."""
    out = ""
    for piece in pieces:
        if out and piece and out[-1].isalnum() and piece[0].isalnum() and not _wide(out[-1]) and not _wide(piece[0]):
            out += " "
        out += piece
    return out


def _char_width(boxes: list[_Box]) -> float:
    """Median width of a full-width character; half-width characters count half."""
    widths = []
    for b in boxes:
        units = sum(1.0 if _wide(c) else 0.5 for c in b.text)
        if units >= 3:
            widths.append((b.x1 - b.x0) / units)
    if widths:
        return statistics.median(widths)
    return statistics.median(b.y1 - b.y0 for b in boxes)


def _group_lines(boxes: list[_Box]) -> list[_Line]:
    """Boxes into text lines, top to bottom: a box joins the line it overlaps vertically by half its height."""
    lines: list[_Line] = []
    for b in sorted(boxes, key=lambda b: b.cy):
        for line in reversed(lines[-2:]):  # boxes come sorted by centre: only the last lines can hold this one
            overlap = min(line.y1, b.y1) - max(line.y0, b.y0)
            if overlap >= 0.5 * min(line.y1 - line.y0, b.y1 - b.y0):
                line.boxes.append(b)
                break
        else:
            lines.append(_Line([b]))
    return lines


def _spans(box: _Box, x: float, cw: float) -> bool:
    """Whether a box reaches well across x: a character or less over it is a box's margin or a
    punctuation mark hanging into the gutter, not a line across it."""
    return box.x0 < x - OVERHANG * cw and box.x1 > x + OVERHANG * cw


def _find_gutter(boxes: list[_Box], cw: float) -> float | None:
    """The middle of the widest vertical strip in the middle of the page that (almost) no box spans,
    when text stands on both sides of it in two columns of real width; None for a single column."""
    lo, hi = min(b.x0 for b in boxes), max(b.x1 for b in boxes)
    width = hi - lo
    z0, z1 = int(lo + GUTTER_ZONE[0] * width), int(lo + GUTTER_ZONE[1] * width)
    if len(boxes) < 4 or z1 <= z0:
        return None
    spanning = [0] * (z1 - z0)
    for b in boxes:
        for x in range(max(int(b.x0 + OVERHANG * cw) + 1, z0), min(int(b.x1 - OVERHANG * cw), z1)):
            spanning[x - z0] += 1
    fewest = min(spanning)
    # headings over both columns span the gutter; the body lines of a single-column page nearly all do
    if fewest > len(boxes) // 4:
        return None
    best, start = (0, 0), None
    for i, n in enumerate(spanning + [fewest + 1]):
        if n == fewest and start is None:
            start = i
        elif n != fewest and start is not None:
            best = max(best, (start, i), key=lambda run: run[1] - run[0])
            start = None
    if best[1] - best[0] < MIN_GUTTER * cw:
        return None
    gutter = z0 + (best[0] + best[1]) / 2
    columns = [b for b in boxes if not _spans(b, gutter, cw)]
    for side in ([b for b in columns if b.x1 <= gutter + OVERHANG * cw and b.x0 < gutter],
                 [b for b in columns if b.x0 >= gutter - OVERHANG * cw and b.x1 > gutter]):
        if len(_group_lines(side)) < 2 or max(b.x1 for b in side) - min(b.x0 for b in side) < MIN_COLUMN_WIDTH * width:
            return None
    return gutter


def _edge(values: list[float], cw: float, leftmost: bool) -> float:
    """A column's left (or right) edge: the outermost position that several lines share, so that a
    stray mark or a punctuation mark hanging into the margin does not make every other line look indented."""
    ordered = sorted(values, reverse=not leftmost)
    need = max(2, len(values) // 10) if len(values) > 1 else 1
    for v in ordered:
        if sum(1 for u in values if abs(u - v) <= EDGE_TOLERANCE * cw) >= need:
            return v
    return ordered[0]


def _set_edges(lines: list[_Line], column: int, cw: float) -> None:
    left, right = _edge([ln.x0 for ln in lines], cw, True), _edge([ln.x1 for ln in lines], cw, False)
    for line in lines:
        line.column, line.left, line.right = column, left, right


def _reading_order(boxes: list[_Box], cw: float) -> list[_Line]:
    """Lines in reading order, each with the edges of its column. With two columns, lines across
    the gutter (headings over both columns) cut the page into bands; each band is read left column
    first, then right."""
    gutter = _find_gutter(boxes, cw)
    if gutter is None:
        lines = _group_lines(boxes)
        _set_edges(lines, 0, cw)
        return lines
    spanning = _group_lines([b for b in boxes if _spans(b, gutter, cw)])
    if spanning:
        _set_edges(spanning, 0, cw)
    inside = [b for b in boxes if not _spans(b, gutter, cw)]
    columns = {1: _group_lines([b for b in inside if (b.x0 + b.x1) / 2 < gutter]),
               2: _group_lines([b for b in inside if (b.x0 + b.x1) / 2 >= gutter])}
    for column, lines in columns.items():
        _set_edges(lines, column, cw)
    cuts = [ln.y0 for ln in spanning]

    def band(line: _Line) -> int:
        return sum(1 for c in cuts if c <= line.y0)

    order: list[_Line] = []
    for i in range(len(spanning) + 1):
        for column in (1, 2):
            order.extend(ln for ln in columns[column] if band(ln) == i)
        if i < len(spanning):
            order.append(spanning[i])
    return order


def _paragraphs(boxes: list[_Box]) -> list[str]:
    cw = _char_width(boxes)
    lines = _reading_order(boxes, cw)
    height = statistics.median(ln.y1 - ln.y0 for ln in lines)
    paragraphs: list[list[str]] = []
    prev: _Line | None = None
    for line in lines:
        new = (
            prev is None
            or line.column != prev.column and (line.column == 0 or prev.column == 0)  # into or out of a spanning heading
            or line.x0 - line.left >= INDENT * cw  # indented first line
            or prev.x1 <= prev.right - SHORT * cw  # the line before ended short: a paragraph's last line
            or line.column == prev.column and line.y0 - prev.y1 > PARA_GAP * height  # blank space between
        )
        if new:
            paragraphs.append([])
        paragraphs[-1].append(line.text)
        prev = line
    return [_join(p) for p in paragraphs]
