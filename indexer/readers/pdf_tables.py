"""Ruled tables: one line per row, the cells joined by a tab.

Tables are found from the page's ruling lines (pdf._read_rules), not from gaps in the text: rules
that cross each other, with two columns at least. A row that a page break cuts has no rule at the
cut; it is marked open there, and pdf_layout.paragraphs joins its two parts cell by cell.
"""
from __future__ import annotations

from statistics import median

from .pdf_layout import baseline_rows
from .pdf_model import Char, PageText, Seg, chars_text, join_text

MAX_RULES = 2000  # more ruling lines than this on a page: a drawing (a map, a chart), not a table


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
    for line in baseline_rows(chars):
        text = join_text(text, chars_text(sorted(line, key=lambda c: c.x0)))
    return text.strip()
