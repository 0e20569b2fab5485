"""A PDF issue's text layer → lines, as the text conversions hold them.

    pdfium (pypdfium2's raw API): each page's characters with their boxes, baselines and sizes,
      and its ruling lines; text at a slant (a diagonal watermark) left out, a page whose text runs
      sideways (a landscape table on a portrait sheet) turned to its text's direction, a character
      printed twice to fake a bold face read once
    → per page: ruled tables, one line per row with the cells joined by a tab (a row that a page
      break cuts, with no rule at the cut, joined again); the other characters grouped into printed
      lines and segments (runs without a wide gap; a space where the gap is a space's)
    → per document: running headers, footers and page numbers taken off: lines at the top or bottom
      edge that repeat across pages, the same text or the same text with only a number changed
    → per page: the column gutter (an x band that only titles and tables cross, with text columns
      on both sides); reading order by section: what spans both columns in its vertical place,
      then the left column, then the right
    → per document: printed lines joined back into paragraph lines. A line carries on the previous
      one unless it is indented, the previous one ended short of its column's right edge (by more
      than the next line's first word would have needed), the font size changes, or it is a table
      row; CJK joins with no space, Latin words with one. The page of each line is its first one.

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
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import Callable, Protocol

from ..errors import GazetteParseError
from . import PDF, SourceText

PDFIUM_LOCK = threading.RLock()

MIN_TEXT_CHARS = 20  # fewer characters than this on a page: no usable text layer (a scan)
MAX_PAGE_CHARS = 50_000  # a printed page holds a few thousand; more is no gazette page (or an attack)
MAX_RULES = 2000  # more ruling lines than this on a page: a drawing (a map, a chart), not a table
LOW_OCR_CONFIDENCE = 0.8
TAIL_BYTES = 2048  # the end-of-file marker must sit in the file's last bytes (a truncated file has none)

# geometry, in units of the font size (em) unless named otherwise
SEGMENT_GAP = 0.9  # a wider gap between two characters of a printed line splits it into segments
SPACE_GAP = 0.2  # a wider gap between two characters is a space
TAB_GAP = 2.0  # a wider gap between two segments of one line in one column is a cell break (a tab)
INDENT = 0.9  # a line starting this far right of its column's left edge begins a paragraph
SHORT_END = 0.8  # a line ending this far left of its column's right edge ends its paragraph
PARA_GAP = 1.2  # a vertical gap this high between two lines of one column separates paragraphs
GUTTER_MIN = 0.6  # the narrowest gutter between two columns
BAND = 0.2  # running headers and footers are looked for in this fraction of the page at top and bottom
BAND_ROWS = 3  # … among this many lines from the edge
REPEAT_SHARE = 0.4  # … and must repeat on this share of the pages with text (or 0.6 of the same parity)


class OcrPage(Protocol):
    lines: list[str]
    confidence: float


OcrFunction = Callable[[Path, int], OcrPage]
Progress = Callable[[int, int], None]


@dataclass(slots=True)
class Char:
    c: str
    x0: float
    x1: float
    top: float
    bottom: float
    base: float  # baseline, measured from the top of the page
    size: float
    space: bool = False  # a space character stands before it in the page's text
    order: int = 0  # its place in the page's content


@dataclass(slots=True)
class Seg:
    """A run of characters on one baseline without a wide gap, or a table row."""

    chars: list[Char]
    x0: float
    x1: float
    top: float
    bottom: float
    base: float
    size: float
    row_text: str | None = None  # a ruled table's row, cells joined by tabs
    cells: list[str] | None = None
    open_top: bool = False  # the row goes on from the previous page (no rule above it)
    open_bottom: bool = False  # the row goes on on the next page (no rule below it)

    @property
    def text(self) -> str:
        return self.row_text if self.row_text is not None else chars_text(self.chars)


@dataclass(slots=True)
class Line:
    """One printed line in reading order, with the edges of the column it stands in."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    left: float
    right: float
    page: int
    flow: int  # lines of one flow (a column of a section, one spanning line) share this number
    row: bool = False  # a table row: never joined to a neighbour
    ocr: bool = False
    cells: list[str] | None = None  # a ruled table row's cells
    open_top: bool = False
    open_bottom: bool = False


@dataclass
class PageText:
    number: int
    width: float
    height: float
    chars: list[Char] = field(default_factory=list)
    rows: list[list[Char]] = field(default_factory=list)  # printed lines across the page, top to bottom
    tables: list[Seg] = field(default_factory=list)
    unmapped: int = 0
    has_graphics: bool = False  # images or many paths: a blank-looking page that may be a scan
    ocr_lines: list[str] = field(default_factory=list)


class PageTooLarge(Exception):
    """A page with more text than any printed page holds."""


def _text_chars(pt: PageText) -> int:
    return len(pt.chars) + sum(len(t.chars) for t in pt.tables)


def needs_ocr(pt: PageText) -> bool:
    """No usable text layer: (almost) no characters, though the page shows something (a scan, text
    drawn as curves, or glyphs without a Unicode mapping). A blank page needs nothing."""
    return _text_chars(pt) < MIN_TEXT_CHARS and (pt.has_graphics or pt.unmapped >= MIN_TEXT_CHARS)


# --------------------------------------------------------------------------- characters


def _is_cjk(ch: str) -> bool:
    return ord(ch) >= 0x2E80


def chars_text(chars: list[Char]) -> str:
    """The characters of one segment, a space where the gap between two is wide."""
    if not chars:
        return ""
    out = [chars[0].c]
    for a, b in zip(chars, chars[1:]):
        wide_gap = b.space or b.x0 - a.x1 > SPACE_GAP * max(a.size, b.size)
        if wide_gap and out[-1] != " " and not (_is_cjk(a.c) and _is_cjk(b.c)):  # CJK text has no spaces
            out.append(" ")
        out.append(b.c)
    return "".join(out)


def join_text(a: str, b: str) -> str:
    """Two pieces of one paragraph (or cell): CJK joins with no space, Latin words with one."""
    if not a or not b:
        return a + b
    x, y = a[-1], b[0]
    if x.isascii() and y.isascii() and x.isalnum() and y.isalnum():
        return f"{a} {b}"
    return a + b


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


# --------------------------------------------------------------------------- ruled tables


def _cluster(values: list[float], tol: float) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= tol:
            continue
        out.append(v)
    return out


def find_tables(h_rules, v_rules, pt: PageText, tol: float = 1.5) -> list[Seg]:
    """Ruled tables: one Seg per row (cells joined by tabs); their characters leave pt.chars.

    A table is a set of horizontal and vertical rules that cross each other: two horizontal
    ones at least and three vertical ones (two columns). A row lies between two consecutive horizontal rules; its cells between the vertical
    rules that cross that row (a merged cell has no rule inside it).
    """
    if len(h_rules) < 2 or len(v_rules) < 2 or len(h_rules) + len(v_rules) > MAX_RULES:
        return []
    n_h = len(h_rules)
    parent = list(range(n_h + len(v_rules)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (y, hx0, hx1) in enumerate(h_rules):
        for j, (x, vy0, vy1) in enumerate(v_rules):
            if hx0 - tol <= x <= hx1 + tol and vy0 - tol <= y <= vy1 + tol:
                parent[find(i)] = find(n_h + j)
    groups: dict[int, tuple[list, list]] = {}
    for i in range(len(parent)):
        g = groups.setdefault(find(i), ([], []))
        (g[0].append(h_rules[i]) if i < n_h else g[1].append(v_rules[i - n_h]))
    rows: list[Seg] = []
    for hs, vs in groups.values():
        ys = _cluster([y for y, _, _ in hs], tol)
        xs = _cluster([x for x, _, _ in vs], tol)
        if len(ys) < 2 or len(xs) < 3:  # a frame around text (a box, 专栏) is no table: it has one column
            continue
        # a row cut by a page break has no rule on the cut side: its cell borders go on past the last rule
        v_top, v_bottom = min(y0 for _, y0, _ in vs), max(y1 for _, _, y1 in vs)
        open_top, open_bottom = v_top < ys[0] - 2 * tol, v_bottom > ys[-1] + 2 * tol
        ys = ([v_top] if open_top else []) + ys + ([v_bottom] if open_bottom else [])
        x_left, x_right, y_top, y_bottom = xs[0], xs[-1], ys[0], ys[-1]
        inside, outside = [], []
        for ch in pt.chars:
            cx, cy = (ch.x0 + ch.x1) / 2, (ch.top + ch.bottom) / 2
            (inside if x_left <= cx <= x_right and y_top <= cy <= y_bottom else outside).append(ch)
        if not inside:
            continue
        pt.chars = outside
        for k, (r0, r1) in enumerate(zip(ys, ys[1:])):
            mid = (r0 + r1) / 2
            bounds = _cluster([x for x, vy0, vy1 in vs if vy0 - tol <= mid <= vy1 + tol], tol)
            if len(bounds) < 2:
                bounds = [x_left, x_right]
            cells: list[list[Char]] = [[] for _ in bounds[:-1]]
            band = [ch for ch in inside if r0 <= (ch.top + ch.bottom) / 2 < r1]
            if not band:
                continue
            for ch in band:
                cx = (ch.x0 + ch.x1) / 2
                j = next((j for j in range(len(bounds) - 1) if cx < bounds[j + 1]), len(bounds) - 2)
                cells[j].append(ch)
            texts = [_cell_text(c) for c in cells]
            size = median(ch.size for ch in band)
            rows.append(
                Seg(band, x_left, x_right, r0, r1, min(ch.base for ch in band), size, row_text="\t".join(texts),
                    cells=texts, open_top=open_top and k == 0, open_bottom=open_bottom and k == len(ys) - 2)
            )
    return rows


def _cell_text(chars: list[Char]) -> str:
    text = ""
    for line in _baseline_rows(chars):
        text = join_text(text, chars_text(sorted(line, key=lambda c: c.x0)))
    return text.strip()


# --------------------------------------------------------------------------- lines and segments


def _baseline_rows(chars: list[Char]) -> list[list[Char]]:
    """Characters grouped by baseline, top to bottom (each row in reading order left to right)."""
    rows: list[list[Char]] = []
    base = None
    for ch in sorted(chars, key=lambda c: (c.base, c.x0)):
        if base is not None and ch.base - base <= 0.35 * ch.size:
            rows[-1].append(ch)
        else:
            rows.append([ch])
            base = ch.base
    for k, r in enumerate(rows):
        r.sort(key=lambda c: c.x0)
        rows[k] = [c for j, c in enumerate(r) if not (j and _overprinted(r[j - 1], c))]
    return rows


def _overprinted(a: Char, b: Char) -> bool:
    """b repeats a, printed again a hair apart to fake a bold face. Two characters of one glyph
    ("——" set as one two-em dash) share a box too, but come one after the other in the content."""
    if a.c != b.c or abs(b.x0 - a.x0) >= 0.3 * min(b.size, b.x1 - b.x0):  # not a dot leader "……"
        return False
    return abs(b.x0 - a.x0) > 0.01 or abs(b.order - a.order) != 1


def _seg(chars: list[Char]) -> Seg:
    return Seg(
        chars,
        min(c.x0 for c in chars),
        max(c.x1 for c in chars),
        min(c.top for c in chars),
        max(c.bottom for c in chars),
        median(c.base for c in chars),
        median(c.size for c in chars),
    )


def _segments(row: list[Char]) -> list[Seg]:
    out: list[list[Char]] = [[row[0]]]
    for a, b in zip(row, row[1:]):
        if b.x0 - a.x1 > SEGMENT_GAP * max(a.size, b.size):
            out.append([b])
        else:
            out[-1].append(b)
    return [_seg(s) for s in out]


def _row_key(row: list[Char]) -> str:
    """A header/footer line's identity: its text without spaces, every number as #."""
    return re.sub(r"\d+", "#", "".join(c.c for c in row))


# --------------------------------------------------------------------------- running headers and footers


def _edge_rows(pt: PageText) -> list[tuple[str, int]]:
    """(position, index) of the rows that may be a running header or footer, outermost first."""
    n = len(pt.rows)
    out = []
    for k in range(min(BAND_ROWS, n)):
        if max(c.bottom for c in pt.rows[k]) <= BAND * pt.height:
            out.append(("top", k))
    for k in range(n - 1, max(n - 1 - BAND_ROWS, -1), -1):
        if min(c.top for c in pt.rows[k]) >= (1 - BAND) * pt.height:
            out.append(("bottom", k))
    return out


@dataclass
class RunningLines:
    """What repeats at the page edges: texts (numbers as #) and where such lines stand."""

    keys: set[tuple[str, str]] = field(default_factory=set)  # (top|bottom, text)
    places: list[tuple[str, float, float]] = field(default_factory=list)  # (top|bottom, top y, size)

    def __contains__(self, row: tuple[str, list[Char]]) -> bool:
        pos, chars = row
        if (pos, _row_key(chars)) in self.keys:
            return True
        # a header that changes with the section ("市政府文件", "政务动态") stands where the others do
        top, size = min(c.top for c in chars), median(c.size for c in chars)
        return any(p == pos and abs(top - y) <= 1.5 and size <= s + 0.5 for p, y, s in self.places)


def running_lines(pages: list[PageText]) -> RunningLines:
    """The lines that repeat at the top or bottom of the pages (a running header, a footer, page numbers)."""
    found = RunningLines()
    texty = [p for p in pages if len(p.chars) >= MIN_TEXT_CHARS]
    if len(texty) < 2:
        return found
    seen: Counter = Counter()
    parity: Counter = Counter()
    for p in texty:
        keys = {(pos, _row_key(p.rows[k])) for pos, k in _edge_rows(p)}
        seen.update(keys)
        parity.update((p.number % 2, *key) for key in keys)
    n_parity = Counter(p.number % 2 for p in texty)
    for key, n in seen.items():
        if n >= 2 and n >= REPEAT_SHARE * len(texty):
            found.keys.add(key)
    for (par, *key), n in parity.items():  # headers that alternate between odd and even pages
        if n >= 3 and n >= 0.6 * n_parity[par]:
            found.keys.add(tuple(key))
    places: Counter = Counter()
    for p in texty:
        for pos, k in _edge_rows(p):
            row = p.rows[k]
            if (pos, _row_key(row)) in found.keys:
                places[(pos, round(min(c.top for c in row)), round(median(c.size for c in row), 1))] += 1
    # where a repeated line stands on most pages (not a page where a body line happens to repeat)
    found.places = [(pos, float(y), size) for (pos, y, size), n in places.items() if n >= 2 and n >= REPEAT_SHARE * len(texty)]
    return found


def drop_running_lines(pt: PageText, repeated: RunningLines) -> int:
    """Take the repeated edge rows off the page, outermost first, stopping at the first body line."""
    drop: set[int] = set()
    for side in ("top", "bottom"):
        for pos, k in _edge_rows(pt):
            if pos != side:
                continue
            if (pos, pt.rows[k]) not in repeated:
                break
            drop.add(k)
    if drop:
        gone = {id(c) for k in drop for c in pt.rows[k]}
        pt.chars = [c for c in pt.chars if id(c) not in gone]
        pt.rows = [r for k, r in enumerate(pt.rows) if k not in drop]
    return len(drop)


# --------------------------------------------------------------------------- columns and reading order


def _merge_centred(row_segs: list[Seg], left: float, right: float) -> list[Seg]:
    """A centred line printed with wide letter spacing ("通　　知") is one segment, not two columns."""
    if len(row_segs) < 2:
        return row_segs
    x0, x1 = row_segs[0].x0, row_segs[-1].x1
    em = max(s.size for s in row_segs)
    gaps = [b.x0 - a.x1 for a, b in zip(row_segs, row_segs[1:])]
    centred = abs((x0 - left) - (right - x1)) <= 2 * em and x1 - x0 <= 0.7 * (right - left)
    if centred and max(gaps) <= 4 * em:
        chars = [c for s in row_segs for c in s.chars]
        return [_seg(chars)]
    return row_segs


def find_gutter(segs: list[Seg]) -> tuple[float, float] | None:
    """A candidate band between two columns: where the fewest segments lie, in the middle half.

    Segments that span both columns (titles, wide tables) cross the band, column text does not.
    The band must be wide enough and leave at least a quarter of the body on each side; whether
    text really stands in two columns beside it is decided per section (_two_columns).
    """
    if len(segs) < 3:
        return None
    left, right = min(s.x0 for s in segs), max(s.x1 for s in segs)
    em = median(s.size for s in segs)
    width = right - left
    if width < 12 * em:
        return None
    n = int(width) + 2
    diff = [0] * (n + 1)
    for s in segs:
        diff[max(0, int(s.x0 - left))] += 1
        diff[min(n, int(s.x1 - left) + 1)] -= 1
    cov, run = [], 0
    for d in diff[:n]:
        run += d
        cov.append(run)
    lo, hi = int(0.25 * width), int(0.75 * width)
    m = min(cov[lo : hi + 1])
    best: tuple[int, int] | None = None
    k = lo
    while k <= hi:
        if cov[k] == m:
            a = k
            while a > 0 and cov[a - 1] == m:
                a -= 1
            b = k
            while b + 1 < n and cov[b + 1] == m:
                b += 1
            if best is None or b - a > best[1] - best[0]:
                best = (a, b)
            k = b + 1
        else:
            k += 1
    if best is None or best[1] - best[0] + 1 < GUTTER_MIN * em:
        return None
    g0, g1 = left + best[0], left + best[1] + 1
    if g0 - left < 0.25 * width or right - g1 < 0.25 * width:
        return None
    return g0, g1


def _two_columns(lefts: list[Seg], rights: list[Seg], spanning: list[Seg], g0: float, g1: float, left: float, right: float) -> bool:
    """Whether the text beside a gutter stands in two columns, not in one column with a gap (an
    unruled table, a date set to the right, short lines).

    Only titles (centred) and tables may cross the gutter of a two-column page, not many lines of
    running text; lines of the left column reach the gutter (justified text fills its column),
    lines of the right column start at it (or one indent further), and a line on each side fills
    much of its column.
    """
    if not lefts or not rights:
        return False
    em = median(s.size for s in lefts + rights)
    running = [
        s for s in spanning
        if s.row_text is None and not (min(s.x0 - left, right - s.x1) >= em and abs((s.x0 - left) - (right - s.x1)) <= 2 * em)
    ]
    if len(running) > 0.5 * (len(lefts) + len(rights)):
        return False
    reach = sum(1 for s in lefts if s.x1 >= g0 - 1.5 * s.size)
    start = sum(1 for s in rights if s.x0 <= g1 + 2.5 * s.size)
    wide_left = any(s.x1 - s.x0 >= 0.6 * (g0 - left) for s in lefts)
    wide_right = any(s.x1 - s.x0 >= 0.6 * (right - g1) for s in rights)
    return reach >= 1 and start >= 0.3 * len(rights) and wide_left and wide_right


def _column_lines(segs: list[Seg]) -> list[list[Seg]]:
    """Segments of one column grouped into printed lines, top to bottom."""
    lines: list[list[Seg]] = []
    for s in sorted(segs, key=lambda s: (s.base, s.x0)):
        if lines and s.row_text is None and lines[-1][0].row_text is None and abs(s.base - lines[-1][0].base) <= 0.35 * s.size:
            lines[-1].append(s)
        else:
            lines.append([s])
    for ln in lines:
        ln.sort(key=lambda s: s.x0)
    return lines


def _line_text(segs: list[Seg]) -> tuple[str, bool]:
    if segs[0].row_text is not None:
        return segs[0].row_text, True
    text, row = segs[0].text, False
    for a, b in zip(segs, segs[1:]):
        gap = b.x0 - a.x1
        if gap >= TAB_GAP * max(a.size, b.size):
            text, row = text + "\t" + b.text, True
        else:
            text += " " + b.text
    return text, row


def _edge(values: list[float], lowest: bool, tol: float = 1.0) -> float:
    """A column's left (lowest) or right edge: where most of its lines start (end), on the outer half.

    Justified text ends most lines at the right edge; ragged text ends most of them within a
    character of it, and a few lines overhang it (a half-width character that still fitted).
    """
    vals = sorted(values)
    if len(vals) < 3:
        return vals[0] if lowest else vals[-1]
    half = vals[: (len(vals) + 1) // 2] if lowest else vals[len(vals) // 2 :]
    best, best_n = half[0], 0
    for v in half:
        n = sum(1 for w in half if abs(w - v) <= tol)
        if n > best_n or (n == best_n and (v < best if lowest else v > best)):
            best, best_n = v, n
    if best_n < 2:
        return vals[0] if lowest else vals[-1]
    near = [w for w in half if abs(w - best) <= tol]
    return min(near) if lowest else max(near)


@dataclass
class Flow:
    lines: list[list[Seg]]
    slot: str  # "single" | "left" | "right" | "span"
    left: float = 0.0
    right: float = 0.0
    page_width: float = 0.0


def page_flows(pt: PageText) -> list[Flow]:
    """The page's printed lines in reading order, as flows (a column of a section, or spanning lines)."""
    rows = [r for r in pt.rows if r]
    if not rows and not pt.tables:
        return []
    left = min([r[0].x0 for r in rows] + [t.x0 for t in pt.tables])
    right = max([max(c.x1 for c in r) for r in rows] + [t.x1 for t in pt.tables])
    merged: list[Seg] = []  # segments, a centred letter-spaced line made whole
    for row in rows:
        merged.extend(_merge_centred(_segments(row), left, right))
    merged.extend(pt.tables)
    gutter = find_gutter(merged)
    if gutter is None:
        return [Flow(_column_lines(merged), "single", page_width=pt.width)]
    g0, g1 = gutter
    sides: list[int | None] = [0 if s.x1 <= g0 + 0.5 else 1 if s.x0 >= g1 - 0.5 else None for s in merged]
    lefts = [s for s, k in zip(merged, sides) if k == 0]
    rights = [s for s, k in zip(merged, sides) if k == 1]
    spanning = [s for s, k in zip(merged, sides) if k is None]
    if not _two_columns(lefts, rights, spanning, g0, g1, left, right):
        return [Flow(_column_lines(merged), "single", page_width=pt.width)]
    # sections: the columns between the segments that cross the gutter, read left then right
    flows: list[Flow] = []
    col: list[list[Seg]] = [[], []]

    def flush() -> None:
        for k, side in enumerate(("left", "right")):
            if col[k]:
                flows.append(Flow(_column_lines(col[k]), side, page_width=pt.width))
            col[k] = []

    for s, k in sorted(zip(merged, sides), key=lambda sk: (sk[0].top, sk[0].x0)):
        if k is not None:
            col[k].append(s)
            continue
        flush()
        if flows and flows[-1].slot == "span" and s.row_text is None and abs(flows[-1].lines[-1][0].base - s.base) <= 0.35 * s.size:
            flows[-1].lines[-1].append(s)
        else:
            flows.append(Flow([[s]], "span", page_width=pt.width))
    flush()
    return flows


def _set_edges(pages_flows: dict[int, list[Flow]]) -> None:
    """Each flow's left and right edges.

    From its own lines, widened to where the same column (same slot, same page parity: margins
    may mirror) has its edges on most pages: a column of short indented items alone would put
    its left edge at the indent and its right edge where the longest item ends.
    """
    own: list[tuple[Flow, int]] = []
    typical: dict[tuple[str, int], list[tuple[float, float]]] = {}
    for number, flows in pages_flows.items():
        for f in flows:
            f.left = _edge([ln[0].x0 for ln in f.lines], True)
            f.right = _edge([ln[-1].x1 for ln in f.lines], False)
            if len(f.lines) >= 4 and f.slot != "span":
                typical.setdefault((f.slot, number % 2), []).append((f.left, f.right))
                typical.setdefault((f.slot, 2), []).append((f.left, f.right))
    slot_edges = {k: (median(a for a, _ in v), median(b for _, b in v)) for k, v in typical.items()}
    for number, flows in pages_flows.items():
        for f in flows:
            if f.slot == "span":
                continue
            edges = slot_edges.get((f.slot, number % 2)) or slot_edges.get((f.slot, 2))
            if edges:  # the column's edges elsewhere, if all of this flow's lines lie between them
                em = median(s.size for ln in f.lines for s in ln)
                if edges[0] < f.left and min(ln[0].x0 for ln in f.lines) >= edges[0] - em:
                    f.left = edges[0]
                if edges[1] > f.right and max(ln[-1].x1 for ln in f.lines) <= edges[1] + em:
                    f.right = edges[1]
            elif f.slot == "single" and len(f.lines) < 4:
                # too few lines to tell, and no other page to learn from: margins are mostly symmetric
                f.right = max(f.right, f.page_width - f.left)
        # what spans the columns spans from the left column's left edge to the right column's right edge
        lefts = [f.left for f in flows if f.slot in ("left", "single")]
        rights = [f.right for f in flows if f.slot in ("right", "single")]
        if not lefts:
            e = slot_edges.get(("left", number % 2)) or slot_edges.get(("left", 2)) or slot_edges.get(("single", 2))
            lefts = [e[0]] if e else []
        if not rights:
            e = slot_edges.get(("right", number % 2)) or slot_edges.get(("right", 2)) or slot_edges.get(("single", 2))
            rights = [e[1]] if e else []
        for f in flows:
            if f.slot == "span" and lefts and rights:
                f.left, f.right = min(lefts + [f.left]), max(rights + [f.right])


# --------------------------------------------------------------------------- paragraphs


def _lines_of(flows: list[Flow], page: int, flow_base: int) -> list[Line]:
    out: list[Line] = []
    for k, f in enumerate(flows):
        for segs in f.lines:
            text, row = _line_text(segs)
            out.append(
                Line(
                    text,
                    segs[0].x0,
                    segs[-1].x1,
                    min(s.top for s in segs),
                    max(s.bottom for s in segs),
                    median(s.size for s in segs),
                    f.left,
                    f.right,
                    page,
                    flow_base + k,
                    row,
                    cells=segs[0].cells,
                    open_top=segs[0].open_top,
                    open_bottom=segs[0].open_bottom,
                )
            )
    return out


def _centred(ln: Line) -> bool:
    return abs((ln.x0 - ln.left) - (ln.right - ln.x1)) <= 0.5 * ln.size


def _first_unit(text: str) -> str:
    """What a typesetter cannot split off the start of a line: a Latin word or number, or one CJK
    character with the punctuation that may not begin a line ("（牵" moves as one, "，" follows)."""
    m = re.match(r"[（(〔【《“‘\[]*(?:[A-Za-z0-9.,%‰/+\-]+|.)[，。、；：！？）)〕】》”’\]]*", text)
    return m[0] if m else text[:1]


def _continues(prev: Line, line: Line, para_first: Line) -> bool:
    """Whether `line` carries on the paragraph that `prev` ends.

    A new paragraph starts with a table row, a change of font size, a vertical gap, an indented line
    (except the last line of a centred block, such as a title over two lines), or after a line that
    ended short of its column's right edge although the next line's first word would have fitted
    there (ragged-right typesetting leaves a gap where a word or a bracket did not fit).
    """
    if prev.row or line.row or prev.ocr or line.ocr:
        return False
    if abs(prev.size - line.size) > 0.15 * max(prev.size, line.size):
        return False
    if prev.flow == line.flow and line.top - prev.bottom > PARA_GAP * line.size:
        return False
    unit = _first_unit(line.text)
    unit_width = (line.x1 - line.x0) * len(unit) / max(1, len(line.text))
    if line.x0 - line.left > INDENT * line.size:
        slack = (prev.x0 - prev.left) + (prev.right - prev.x1)  # a centred line's room to grow
        wrapped = unit_width >= slack - 0.25 * prev.size
        return wrapped and _centred(line) and _centred(prev) and _centred(para_first)
    gap = prev.right - prev.x1
    return gap <= SHORT_END * prev.size or unit_width >= gap - 0.25 * prev.size


def paragraphs(lines: list[Line]) -> tuple[list[str], list[int]]:
    """Printed lines joined into paragraph lines; the page each starts on."""
    texts: list[str] = []
    pages: list[int] = []
    prev: Line | None = None
    first: Line | None = None
    for ln in lines:
        if prev is not None and prev.open_bottom and ln.open_top and prev.cells and len(prev.cells) == len(ln.cells or ()):
            # a table row cut by a page break: its two parts joined cell by cell
            ln.cells = [join_text(a, b) for a, b in zip(prev.cells, ln.cells)]
            ln.open_top = prev.open_top
            texts[-1] = "\t".join(ln.cells)
        elif prev is not None and first is not None and _continues(prev, ln, first):
            texts[-1] = join_text(texts[-1], ln.text)
        else:
            texts.append(ln.text)
            pages.append(ln.page)
            first = ln
        prev = ln
    return texts, pages


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

    from . import MAX_PAGES

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
        pt.rows = _baseline_rows(pt.chars)
    repeated = running_lines(pages)
    running_keys = {key for _, key in repeated.keys}
    pages_flows: dict[int, list[Flow]] = {}
    for pt in pages:
        if _text_chars(pt):
            drop_running_lines(pt, repeated)
            pages_flows[pt.number] = page_flows(pt)
    _set_edges(pages_flows)
    lines: list[Line] = []
    flow_base = 0
    for pt in pages:
        if pt.number in pages_flows:
            flows = pages_flows[pt.number]
            lines.extend(_lines_of(flows, pt.number, flow_base))
            flow_base += len(flows)
        for s in pt.ocr_lines:  # the running header and page number read by OCR go too
            if re.sub(r"\d+", "#", re.sub(r"\s+", "", s)) not in running_keys:
                lines.append(Line(s, 0, 0, 0, 0, 0, 0, 0, pt.number, flow_base, ocr=True))
        flow_base += 1
    texts, line_pages = paragraphs(lines)
    return SourceText(format=PDF, lines=texts, pages=line_pages, page_count=count, warnings=warnings)
