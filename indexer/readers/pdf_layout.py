"""A page's characters → printed lines in reading order → paragraph lines.

    per page: characters grouped by baseline into printed lines (a character printed twice to fake
      a bold face read once), cut into segments where a gap is wide
    → the column gutter (an x band that only titles and tables cross, with text columns on both
      sides); reading order by section: what spans both columns in its vertical place, then the
      left column, then the right. Each of these is a flow
    → each flow's column edges, from its own lines and from the same column on other pages
    → per document: printed lines joined back into paragraph lines. A line carries on the previous
      one unless it is indented, the previous one ended short of its column's right edge (by more
      than the next line's first word would have needed), the font size changes, or it is a table
      row; CJK joins with no space, Latin words with one. The page of each line is its first one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median

from .pdf_model import Char, Line, PageText, Seg, join_text

# geometry, in units of the font size (em)
SEGMENT_GAP = 0.9  # a wider gap between two characters of a printed line splits it into segments
TAB_GAP = 2.0  # a wider gap between two segments of one line in one column is a cell break (a tab)
INDENT = 0.9  # a line starting this far right of its column's left edge begins a paragraph
SHORT_END = 0.8  # a line ending this far left of its column's right edge ends its paragraph
PARA_GAP = 1.2  # a vertical gap this high between two lines of one column separates paragraphs
GUTTER_MIN = 0.6  # the narrowest gutter between two columns


# --------------------------------------------------------------------------- printed lines and segments


def baseline_rows(chars: list[Char]) -> list[list[Char]]:
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


def set_edges(pages_flows: dict[int, list[Flow]]) -> None:
    """Each flow's left and right edges.

    From its own lines, widened to where the same column (same slot, same page parity: margins
    may mirror) has its edges on most pages: a column of short indented items alone would put
    its left edge at the indent and its right edge where the longest item ends.
    """
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


def lines_of(flows: list[Flow], page: int, flow_base: int) -> list[Line]:
    """The page's flows as Lines in reading order, the flows numbered from flow_base on."""
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
