"""The PDF reader's data, shared by its stages: characters, segments, printed lines, pages.

pdf.py fills a PageText per page from pdfium; pdf_tables.py turns its ruled tables into Segs (one a
row); pdf_running.py takes the running headers and footers off; pdf_layout.py orders the rest into
Lines and joins them into paragraphs. The text of a run of characters (chars_text) and the join of
two pieces of one paragraph (join_text) are written here once: table cells and paragraphs read alike.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# fewer characters than this on a page: no usable text layer (a scan; pdf.needs_ocr), and a page
# that does not count when running headers are looked for (pdf_running)
MIN_TEXT_CHARS = 20
SPACE_GAP = 0.2  # a wider gap between two characters is a space (in units of the font size)


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


# --------------------------------------------------------------------------- text of characters


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
